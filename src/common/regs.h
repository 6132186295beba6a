/* SPDX-License-Identifier: MIT */
/*
 * The engine's register file: one member per state component, which the
 * component table's rows point into (REGS(field) in components.c: where a
 * component's image sits and how much room it has) and which the machine
 * (src/engine/machine.h) holds first. Here, below both, because the table
 * is common and the engine is its only user. Internal: the public header
 * reaches the registers through xs_machine_x87(), xs_machine_mxcsr() and
 * xs_machine_component(), so a new component changes no public size.
 */
#ifndef XS_COMMON_REGS_H
#define XS_COMMON_REGS_H

#include <stdint.h>

#include "xstate.h"

/*
 * The architectural register file of components 0..19. Components 2..19
 * are kept as their XSAVE images (the component's bytes in the buffer), so
 * saving and restoring them is a copy; the ones without named fields are
 * opaque bytes of their architectural size. Capacities are the largest
 * sizes known (PKRU is 64 bytes on AMD Zen 2); the CPU model's CPUID
 * 0xD.i EAX says how much of each is architectural.
 */
typedef struct xs_regs {
	struct xs_x87 x87;			/* 0 */
	uint32_t mxcsr;				/* 1 (MXCSR_MASK: the machine's mxcsr_mask) */
	/*
	 * Padding (never read or written): every vector component starts at a
	 * multiple of 64 bytes from the machine's start, as it does in the
	 * standard format, so the copies to and from an aligned buffer run on
	 * aligned vectors (a misaligned source makes them twice as slow).
	 */
	uint8_t align0[12];
	uint8_t xmm[16][16];			/* 1: XMM0..15 */
	uint8_t ymm_hi128[16][16];		/* 2: bits 255:128 of YMM0..15 */
	uint8_t bndregs[64];			/* 3: MPX BND0..3 */
	uint8_t bndcsr[64];			/* 4: BNDCFGU, BNDSTATUS */
	uint64_t opmask[8];			/* 5: k0..k7 */
	uint8_t zmm_hi256[16][32];		/* 6: bits 511:256 of ZMM0..15 */
	uint8_t hi16_zmm[16][64];		/* 7: ZMM16..31 */
	uint8_t pt[128];			/* 8: IA32_RTIT_* (supervisor) */
	struct { uint32_t pkru; uint8_t unused[60]; } pkru;	/* 9 */
	uint8_t pasid[8];			/* 10 (supervisor) */
	struct { uint64_t u_cet, pl3_ssp; } cet_u;		/* 11 (supervisor) */
	struct { uint64_t pl0_ssp, pl1_ssp, pl2_ssp; } cet_s;	/* 12 (supervisor) */
	uint8_t hdc[8];				/* 13: IA32_PM_CTL1 (supervisor) */
	uint8_t uintr[48];			/* 14 (supervisor) */
	uint8_t lbr[808];			/* 15: Arch LBR (supervisor) */
	uint8_t hwp[8];				/* 16: IA32_HWP_REQUEST (supervisor) */
	uint8_t align1[40];			/* padding: TILECFG and TILEDATA at multiples of 64 */
	struct xs_tilecfg tilecfg;		/* 17 */
	uint8_t tiledata[8][1024];		/* 18: TMM0..7 */
	uint64_t apx[16];			/* 19: R16..R31 */
} xs_regs;

#endif
