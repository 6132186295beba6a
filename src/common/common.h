/* SPDX-License-Identifier: MIT */
/*
 * The lowest layer (src/common/): what every other layer may use and what
 * uses nothing but the public header — buffer field access (le.h), the
 * fixed byte offsets of an XSAVE area, bit helpers, the error and note
 * helpers, the out-of-line copies, and the component table
 * (components.h). Nothing here knows a CPU model, a kernel or the engine.
 */
#ifndef XS_COMMON_H
#define XS_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xstate.h"
#include "common/components.h"
#include "common/le.h"

/*
 * A buffer view (fleet/view.c and the core-file layer fill it, decode reads
 * it): programs hold it as the opaque struct xs_buffer_view.
 */
struct xs_buffer_view {
	enum xs_buf_format format;
	uint64_t xstate_bv, xcomp_bv;
	uint64_t present;		/* components with their own bytes in the buffer */
	unsigned offset[XS_XFEATURE_MAX];
	unsigned size[XS_XFEATURE_MAX];
	size_t len;			/* bytes the layout needs */
};

#define XS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XS_ALIGN(x, a) (((x) + (a) - 1) & ~((a) - 1))

/* The components the library models: bits 0 .. XS_XFEATURE_MAX - 1. */
#define XS_MODELLED_MASK ((UINT64_C(1) << XS_XFEATURE_MAX) - 1)

/*
 * Byte offsets of the legacy area (the FXSAVE image, SDM1 §10.5.1,
 * xsave-isa.md §2), of its software-reserved bytes and of the XSAVE header
 * (§3). The one home of these numbers.
 */
enum {
	XS_LEG_FCW = 0, XS_LEG_FSW = 2, XS_LEG_FTW = 4, XS_LEG_FOP = 6, XS_LEG_FIP = 8, XS_LEG_FCS = 12,
	XS_LEG_FDP = 16, XS_LEG_FDS = 20, XS_LEG_MXCSR = 24, XS_LEG_MXCSR_MASK = 28, XS_LEG_ST = 32,
	XS_LEG_XMM = 160, XS_LEG_XMM_SIZE = 256,
	/* bytes 416..463: padding the instructions never write; 464..511: XS_SW_BYTES_OFFSET (public) */
	XS_LEG_PAD = XS_LEG_XMM + XS_LEG_XMM_SIZE,
	XS_HDR_XSTATE_BV = XS_XSAVE_HDR_OFFSET, XS_HDR_XCOMP_BV = XS_HDR_XSTATE_BV + 8,
	XS_HDR_RESERVED = XS_HDR_XSTATE_BV + 16
};

/* Reset / init values of the x87 control word and MXCSR (SDM1 §8.1.5, §10.2.3). */
#define XS_FCW_DEFAULT 0x037fu
#define XS_MXCSR_DEFAULT 0x1f80u

/* CPUID 0xD.i ECX (SDM1 §13.2): supervisor state, 64-byte aligned when compacted, XFD-capable. */
#define XS_LEAF_D_SUPERVISOR 1u
#define XS_LEAF_D_ALIGNED64 2u
#define XS_LEAF_D_XFD 4u

/* Lowest set bit's index; mask != 0. */
static inline unsigned xs_lowest(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask);
}

/* Index of the highest set bit plus one (the kernel's fls64()); 0 for 0. */
static inline unsigned xs_fls64(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

/* Word `word` of the XSAVE header of an image (0: XSTATE_BV, 1: XCOMP_BV). */
static inline uint64_t xs_hdr_word(const uint8_t *regs, unsigned word)
{
	uint64_t v;

	__builtin_memcpy(&v, regs + XS_XSAVE_HDR_OFFSET + 8 * word, 8);
	return v;
}

/*
 * The standard-format size of `mask` from CPUID 0xD's sizes and offsets
 * (SDM1 §13.4.3): the legacy area and header, and the furthest end of a
 * component of `mask` from 2 on — a max, not the end of the highest bit
 * (APX sits at 960 below PKRU). The arrays cover every bit of `mask`.
 */
static inline size_t xs_standard_size_of(uint64_t mask, const uint32_t *offset, const uint32_t *size)
{
	size_t end = XS_XSAVE_LEGACY_AND_HDR;

	for (uint64_t rest = mask & ~XS_XFEATURE_MASK_FPSSE; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);
		size_t e = (size_t)offset[nr] + size[nr];

		if (e > end)
			end = e;
	}
	return end;
}

/*
 * The compacted format (SDM1 §13.4.3): the components 2.. of `format` in
 * index order from byte 576, each 64-byte aligned when its CPUID 0xD ECX
 * says so. Their offsets into off[] (when given, others untouched); returns
 * where the last one ends.
 */
static inline size_t xs_compacted_offsets_of(uint64_t format, const uint32_t *size, const uint32_t *flags,
					     uint32_t *off)
{
	size_t pos = XS_XSAVE_LEGACY_AND_HDR;

	for (uint64_t rest = format & ~XS_XFEATURE_MASK_FPSSE; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);

		if (flags[nr] & XS_LEAF_D_ALIGNED64)
			pos = XS_ALIGN(pos, (size_t)XS_XSAVE_ALIGNMENT);
		if (off)
			off[nr] = (uint32_t)pos;
		pos += size[nr];
	}
	return pos;
}

/* ---- diag.c: errors and notes ---------------------------------------------- */

/* xs_diag_fail(): the public header. */
/* Append to a NUL-terminated log of `size` bytes; nothing once it is full. */
void xs_log_vappend(char *log, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/*
 * Add a line to an array of `max` notes of `width` bytes each, `*n` of
 * them in use; nothing once it is full.
 */
void xs_notes_vadd(char *notes, size_t width, unsigned max, unsigned *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
/* The short names of the components in `mask`, joined by `sep` ("?" for a bit beyond the table). */
const char *xs_component_names(uint64_t mask, const char *sep, char *buf, size_t size);

/* ---- bytes.c and the zero test ----------------------------------------------- */

/*
 * memcpy and memset through a call the compiler cannot see into: given a
 * size whose bounds it knows (XMM: 128 or 256 bytes) GCC inlines `rep
 * movsq` / `rep stosq`, whose start-up cost is several times the copy's;
 * the C library's vector routines are not.
 */
void xs_copy(void *dst, const void *src, size_t n);
void xs_zero(void *dst, size_t n);

/*
 * n bytes all zero? 64 bytes per step (vectorises), stopping at the first
 * block with data — an in-use component usually has some near its start.
 * Inline: XINUSE by value evaluates it on every restore.
 */
static inline bool xs_all_zero(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint8_t tail = 0;

	for (; i + 64 <= n; i += 64) {
		uint64_t acc = 0;

		for (unsigned k = 0; k < 64; k += 8)
			acc |= xs_ld64(p + i + k);
		if (acc)
			return false;
	}
	for (; i < n; i++)
		tail |= p[i];
	return tail == 0;
}

#endif
