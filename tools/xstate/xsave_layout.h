/* SPDX-License-Identifier: MIT */
/*
 * Byte offsets in an XSAVE image that include/xstate.h leaves unnamed: the
 * legacy area's fields (the FXSAVE image, SDM1 §10.5.1, xsave-isa.md §2)
 * and the XSAVE header's words (§3). The header names the rest:
 * XS_FXSAVE_SIZE, XS_SW_BYTES_OFFSET/SIZE (bytes 464..511),
 * XS_XSAVE_HDR_OFFSET (XSTATE_BV) and XS_XSAVE_LEGACY_AND_HDR.
 */
#ifndef XS_TOOL_XSAVE_LAYOUT_H
#define XS_TOOL_XSAVE_LAYOUT_H

#include <stddef.h>

#include "xstate.h"

enum {
	FX_FCS = 12, FX_FDS = 20,		/* the x87 pointers' selectors (2 bytes each) */
	FX_MXCSR = 24, FX_MXCSR_MASK = 28,
	FX_ST0 = 32, FX_ST_SIZE = 128,		/* ST0-ST7, 16 bytes each */
	FX_XMM0 = 160, FX_XMM_SIZE = 256,	/* XMM0-XMM15 */
	FX_PAD = FX_XMM0 + FX_XMM_SIZE,		/* 416..463: no instruction writes them */
	HDR_XSTATE_BV = XS_XSAVE_HDR_OFFSET,
	HDR_XCOMP_BV = HDR_XSTATE_BV + 8,
	HDR_RESERVED = HDR_XSTATE_BV + 16, HDR_RESERVED_SIZE = 48,
};

/* Where field f of struct xs_fx_sw_bytes lies in a signal frame's fpstate. */
#define SW_BYTES_FIELD(f) (XS_SW_BYTES_OFFSET + offsetof(struct xs_fx_sw_bytes, f))

#endif
