// SPDX-License-Identifier: MIT
/*
 * The legacy region (bytes 0-511, the FXSAVE image, §2): x87 state with its
 * two pointer forms, MXCSR/MXCSR_MASK and XMM0-15. Shared by FXSAVE/FXRSTOR
 * and the XSAVE family; the saves write exactly these bytes and never
 * 416-511.
 */
#include "engine/engine.h"

enum { TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3 };

/* FSW: ES (bit 7) and B (bit 15) summarise the pending exceptions. */
#define FSW_ES_B 0x8080u
#define FPU_EXCEPTIONS 0x3fu

static unsigned fsw_top(uint16_t fsw)
{
	return (fsw >> 11) & 7;
}

/*
 * Abridged tag (§2): bit j = 1 unless physical register j is empty (tag
 * 11b). Branch-free: the "not empty" flags land on the even bits, which
 * are then gathered into the low byte.
 */
static uint8_t abridged_ftw(uint16_t ftw)
{
	unsigned a = ~(ftw & (ftw >> 1)) & 0x5555u;

	a = (a | a >> 1) & 0x3333u;
	a = (a | a >> 2) & 0x0f0fu;
	return (uint8_t)(a | a >> 4);
}

/*
 * The tag a non-empty register gets from its value (§2, FXRSTOR): zero,
 * valid (a normal: exponent neither 0 nor 7FFFh, J bit set), or special
 * (infinity, NaN, denormal, unnormal). Computed without branches: the
 * values are data, and a mispredicted branch per register costs more.
 */
static unsigned tag_of(const uint8_t r[10])
{
	uint64_t significand = xs_ld64(r);
	unsigned exponent = xs_ld16(r + 8) & 0x7fffu;
	unsigned zero = (exponent == 0) & (significand == 0);
	unsigned valid = (exponent != 0) & (exponent != 0x7fff) & (unsigned)(significand >> 63);

	return TAG_SPECIAL - zero * (TAG_SPECIAL - TAG_ZERO) - valid * (TAG_SPECIAL - TAG_VALID);
}

/* Slot k of the image holds ST(k), physical register (TOP + k) & 7; its bytes 10-15 are 0. */
static inline void store_slots(uint8_t *img, const struct xs_x87 *x, unsigned top)
{
	for (unsigned k = 0; k < 8; k++) {
		const uint8_t *r = x->r[(top + k) & 7];

		xs_st64(img + XS_LEG_ST + 16 * k, xs_ld64(r));
		xs_st64(img + XS_LEG_ST + 16 * k + 8, xs_ld16(r + 8));
	}
}

/* The other way: physical register (TOP + k) & 7 from slot k. */
static inline void load_slots(struct xs_x87 *x, const uint8_t *img, unsigned top)
{
	for (unsigned k = 0; k < 8; k++) {
		uint8_t *r = x->r[(top + k) & 7];

		xs_st64(r, xs_ld64(img + XS_LEG_ST + 16 * k));
		xs_st16(r + 8, xs_ld16(img + XS_LEG_ST + 16 * k + 8));
	}
}

void xs_store_x87(const xs_machine *m, uint8_t *img, unsigned flags)
{
	const struct xs_x87 *x = &m->regs.x87;
	unsigned top = fsw_top(x->fsw);

	xs_st16(img + XS_LEG_FCW, x->fcw);
	xs_st16(img + XS_LEG_FSW, x->fsw);
	img[XS_LEG_FTW] = abridged_ftw(x->ftw);
	img[XS_LEG_FTW + 1] = 0;
	xs_st16(img + XS_LEG_FOP, x->fop & 0x7ff);
	if (xs_wide_pointers(m, flags)) {
		xs_st64(img + XS_LEG_FIP, x->fip);
		xs_st64(img + XS_LEG_FDP, x->fdp);
	} else {
		/* 32-bit form: offset, selector, two reserved zero bytes */
		xs_st64(img + XS_LEG_FIP, (uint32_t)x->fip | (uint64_t)x->fcs << 32);
		xs_st64(img + XS_LEG_FDP, (uint32_t)x->fdp | (uint64_t)x->fds << 32);
	}
	/* TOP = 0 (every stack after FNINIT or an init restore) without the rotation */
	if (top == 0)
		store_slots(img, x, 0);
	else
		store_slots(img, x, top);
}

void xs_store_xmm(const xs_machine *m, uint8_t *img)
{
	xs_copy(img + XS_LEG_XMM, m->regs.xmm, xs_vector_regs(m) * 16u);
}

void xs_store_mxcsr(const xs_machine *m, uint8_t *img)
{
	xs_st32(img + XS_LEG_MXCSR, m->regs.mxcsr);
	xs_st32(img + XS_LEG_MXCSR_MASK, m->mxcsr_mask);
}

/* Keep the low `bits` of a pointer, sign-extended (trait x87_ptr_bits: Zen 3 keeps 48, Zen 4/5 57). */
uint64_t xs_pointer_bits(uint64_t v, unsigned bits)
{
	unsigned shift = 64 - bits;

	if (bits >= 64)
		return v;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

static void load_pointers(xs_machine *m, const uint8_t *img, unsigned flags, bool pending)
{
	struct xs_x87 *x = &m->regs.x87;

	x->fop = x->fcs = x->fds = 0;
	x->fip = x->fdp = 0;
	if (m->impl.x87_ptrs_need_exception && !pending)
		return;
	x->fop = xs_ld16(img + XS_LEG_FOP) & 0x7ff;
	if (xs_wide_pointers(m, flags)) {
		/* FCS/FDS are not part of the 64-bit form: they become 0 */
		x->fip = xs_pointer_bits(xs_ld64(img + XS_LEG_FIP), m->impl.x87_ptr_bits);
		x->fdp = xs_pointer_bits(xs_ld64(img + XS_LEG_FDP), m->impl.x87_ptr_bits);
		return;
	}
	x->fip = xs_ld32(img + XS_LEG_FIP);
	x->fdp = xs_ld32(img + XS_LEG_FDP);
	if (!m->impl.fcs_fds_zero) {
		x->fcs = xs_ld16(img + XS_LEG_FCS);
		x->fds = xs_ld16(img + XS_LEG_FDS);
	}
}

/*
 * FXRSTOR's x87 load (§2, §5.1): FCW keeps bits 12:8 and 5:0 with bit 6
 * forced to 1 (live CPU: FFFFh loads as 1F7Fh); FSW.ES/B are recomputed
 * from the unmasked exceptions; tags are rebuilt from the abridged word
 * and the values; pending exceptions are not raised.
 */
void xs_load_x87(xs_machine *m, const uint8_t *img, unsigned flags)
{
	struct xs_x87 *x = &m->regs.x87;
	uint16_t fcw = (uint16_t)((xs_ld16(img + XS_LEG_FCW) & 0x1f3fu) | 0x40u);
	uint16_t fsw = xs_ld16(img + XS_LEG_FSW);
	bool pending = (fsw & ~fcw & FPU_EXCEPTIONS) != 0;
	unsigned top = fsw_top(fsw), ftw = 0;
	uint8_t abridged = img[XS_LEG_FTW];

	x->fcw = fcw;
	x->fsw = (uint16_t)(pending ? fsw | FSW_ES_B : fsw & ~FSW_ES_B);
	if (top == 0)
		load_slots(x, img, 0);
	else
		load_slots(x, img, top);
	/* an empty stack (the usual case) needs no tags computed */
	for (unsigned j = 0; j < 8 && abridged; j++) {
		unsigned tag = tag_of(x->r[j]);

		ftw |= ((abridged >> j) & 1 ? tag : TAG_EMPTY) << (2 * j);
	}
	x->ftw = abridged ? (uint16_t)ftw : 0xffff;
	load_pointers(m, img, flags, pending);
}

void xs_load_xmm(xs_machine *m, const uint8_t *img)
{
	xs_copy(m->regs.xmm, img + XS_LEG_XMM, xs_vector_regs(m) * 16u);
}

bool xs_x87_is_init(const struct xs_x87 *x)
{
	uint64_t acc = 0;

	if (x->fcw != XS_FCW_DEFAULT || x->fsw || x->ftw != 0xffff || x->fop || x->fip ||
	    x->fdp || x->fcs || x->fds)
		return false;
	/* R0..R7 are 80 contiguous bytes: ten 8-byte words */
	for (size_t i = 0; i < sizeof(x->r); i += 8)
		acc |= xs_ld64(&x->r[0][0] + i);
	return acc == 0;
}
