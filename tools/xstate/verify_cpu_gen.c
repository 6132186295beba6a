// SPDX-License-Identifier: MIT
/*
 * Cases for xstate verify --against cpu: a random register state (random
 * values, random init-ness per component) loaded by XRSTOR, then one to
 * five random instructions — saves of every kind, restores of valid and
 * malformed buffers in both formats, FXSAVE/FXRSTOR, XGETBV, and stores
 * into a buffer between them (which the modified optimisation must
 * notice) — with random RFBMs, REX.W forms, short and misaligned buffers.
 * Coverage the random draws alone would leave thin: x87 images with an
 * unmasked exception pending and pointers of every width class (the
 * pointer path, §2, §8), non-zero PKRU where XCR0 has it, and every
 * exception user mode can reach beyond alignment and #PF — each
 * instruction behind a legacy prefix (#UD), XSAVES/XRSTORS/XSETBV at
 * CPL 3 (#GP). Everything comes from the seed.
 */
#include <stdio.h>
#include <string.h>

#include "verify_cpu.h"
#include "verify_uabi.h"
#include "xsave_layout.h"
#include "le.h"

static uint64_t rnd(struct verifier *v)
{
	return vu_next(&v->seed);
}

static unsigned below(struct verifier *v, unsigned n)
{
	return (unsigned)(rnd(v) % n);
}

static void fill(struct verifier *v, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t x = rnd(v);

		memcpy(p + i, &x, n - i < 8 ? n - i : 8);
	}
}

uint8_t *vc_buf(const struct verifier *v, int slot)
{
	return v->slots[slot].region + v->slots[slot].start;
}

size_t vc_len(const struct verifier *v, int slot)
{
	return v->slots[slot].region_size - v->slots[slot].start;
}

/* Data for one component: zeros, a few random bytes, or all random. */
static void component_data(struct verifier *v, uint8_t *p, size_t n)
{
	switch (below(v, 4)) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:
		memset(p, 0, n);
		p[below(v, (unsigned)n)] = (uint8_t)(1 + below(v, 255));
		break;
	default:
		fill(v, p, n);
		break;
	}
}

/* An 80-bit x87 value of a random class: zero, NaN/inf, denormal, unnormal, normal, anything. */
static void put_f80(struct verifier *v, uint8_t *p)
{
	uint64_t sig = rnd(v);
	uint16_t se = (uint16_t)rnd(v);

	switch (below(v, 6)) {
	case 0: sig = 0; se &= 0x8000; break;
	case 1: se |= 0x7fff; break;
	case 2: se &= 0x8000; break;
	case 3: sig &= ~(UINT64_C(1) << 63); break;
	case 4: sig |= UINT64_C(1) << 63; break;
	default: break;
	}
	xs_st64(p, sig);
	xs_st16(p + 8, se);
}

/*
 * A 64-bit FIP/FDP: any bits, canonical for 48 or 57 bits, or bits 55:48
 * set over a 48-bit address (what tells a 48-bit keeper from a 57-bit one).
 */
static uint64_t x87_pointer(struct verifier *v)
{
	uint64_t p = rnd(v);

	switch (below(v, 4)) {
	case 0: return p;
	case 1: return (uint64_t)((int64_t)(p << 16) >> 16);
	case 2: return (uint64_t)((int64_t)(p << 7) >> 7);
	default: return (p & 0x00ffffffffffffffull);
	}
}

/* One x87 exception unmasked in FCW and flagged in FSW: pending, so restores load the pointers (§8). */
static void pending_exception(struct verifier *v, uint8_t *b)
{
	unsigned e = below(v, 6);

	xs_st16(b, (uint16_t)((xs_ld16(b) & ~0x3fu) | (0x3fu & ~(1u << e))));
	xs_st16(b + 2, (uint16_t)(xs_ld16(b + 2) | (1u << e)));
}

/* The x87 part of the legacy region (§2): init values or random fields. */
static void put_x87(struct verifier *v, uint8_t *b)
{
	if (!below(v, 4)) {
		memset(b, 0, FX_MXCSR);
		memset(b + FX_ST0, 0, FX_ST_SIZE);
		xs_st16(b, 0x037f);
		return;
	}
	fill(v, b, FX_MXCSR);
	switch (below(v, 4)) {
	case 0: xs_st16(b, 0x037f); break;	/* exceptions masked: no pending ones */
	case 1: break;				/* random FCW/FSW: most have one pending */
	default: pending_exception(v, b); break;	/* the pointer path */
	}
	xs_st64(b + 8, x87_pointer(v));
	xs_st64(b + 16, x87_pointer(v));
	for (unsigned k = 0; k < 8; k++) {
		fill(v, b + FX_ST0 + 16 * k, 16);
		put_f80(v, b + FX_ST0 + 16 * k);
	}
}

static uint32_t random_mxcsr(struct verifier *v)
{
	switch (below(v, 10)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return (uint32_t)rnd(v) & (uint32_t)xs_machine_trait(v->reset, XS_TRAIT_MXCSR_MASK);
	case 9:
		return (uint32_t)rnd(v);	/* reserved bits: #GP where it is loaded */
	default:
		return 0x1f80;
	}
}

/* Components of a random state: each init (bit clear) or in use (bit set). */
static uint64_t random_xstate_bv(struct verifier *v)
{
	uint64_t bv = 0;

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (v->xcr0 & XS_BIT(nr) && below(v, 4))
			bv |= XS_BIT(nr);
	return bv & v->restorable;
}

/*
 * A PKRU value that keeps protection key 0 — every page of this program —
 * readable and writable (AD0 = WD0 = 0): 0, or any rights for keys 1-15.
 */
static uint32_t safe_pkru(struct verifier *v)
{
	return below(v, 4) ? (uint32_t)rnd(v) & ~3u : 0;
}

/* A component's bytes at `off` of an image. */
static void put_component(struct verifier *v, uint8_t *img, size_t off, unsigned nr)
{
	size_t size = vc_size(v, nr);

	component_data(v, img + off, size);
	if (nr == XS_XFEATURE_PKRU) {
		memset(img + off, 0, size);
		xs_st32(img + off, safe_pkru(v));
	}
}

/*
 * A valid image of a random state in `img` (v->area bytes): standard or
 * compacted over a random format containing XSTATE_BV.
 */
static void put_state(struct verifier *v, uint8_t *img, bool compacted)
{
	uint64_t bv = random_xstate_bv(v), xcomp = 0;

	fill(v, img, v->area);
	put_x87(v, img);
	xs_st32(img + FX_MXCSR, random_mxcsr(v));
	component_data(v, img + FX_XMM0, FX_XMM_SIZE);
	if (compacted && v->hw.xsavec)
		xcomp = bv | (rnd(v) & v->xcr0) | XS_XCOMP_BV_COMPACTED_FORMAT;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (v->xcr0 & XS_BIT(nr))
			put_component(v, img, xs_engine_offset(v->reset, xcomp, nr), nr);
	xs_st64(img + HDR_XSTATE_BV, bv);
	xs_st64(img + HDR_XCOMP_BV, xcomp);
	memset(img + HDR_RESERVED, 0, HDR_RESERVED_SIZE);
	if (!xcomp && below(v, 2))	/* bytes 24..63 of the header: not checked by the standard form (§3) */
		fill(v, img + HDR_RESERVED + 8, HDR_RESERVED_SIZE - 8);
}

/* Bits an XSTATE_BV or XCOMP_BV mutation may set outside XCR0. */
static uint64_t foreign_bit(struct verifier *v)
{
	static const unsigned bits[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 62, 63 };

	return XS_BIT(bits[below(v, sizeof(bits) / sizeof(bits[0]))]);
}

/* One of the restore-side #GP conditions (§5.1 checks 3-8), or a harmless change. */
static void mutate(struct verifier *v, uint8_t *img)
{
	uint64_t bv, xcomp;

	bv = xs_ld64(img + HDR_XSTATE_BV);
	xcomp = xs_ld64(img + HDR_XCOMP_BV);
	switch (below(v, 8)) {
	case 0: bv |= foreign_bit(v); break;
	case 1: xcomp ^= XS_BIT(below(v, 64)); break;
	case 2: img[HDR_RESERVED + below(v, HDR_RESERVED_SIZE)] ^= (uint8_t)(1 + below(v, 255)); break;
	case 3: xs_st32(img + FX_MXCSR, (uint32_t)rnd(v)); break;
	case 4: bv |= XS_XCOMP_BV_COMPACTED_FORMAT; break;
	case 5: xcomp |= foreign_bit(v); break;
	case 6: bv &= ~XS_BIT(below(v, XS_XFEATURE_MAX)); break;
	default: img[XS_SW_BYTES_OFFSET + below(v, XS_SW_BYTES_SIZE)] ^= 0xff; break;	/* ignored by every restore */
	}
	xs_st64(img + HDR_XSTATE_BV, bv);
	xs_st64(img + HDR_XCOMP_BV, xcomp);
}

/* Where a test slot's buffer starts this case: roomy, short (ends at the guard) or misaligned. */
static size_t place(struct verifier *v, const struct vslot *s, bool mostly_roomy)
{
	size_t shortest = s->region_size - v->area - 64;
	unsigned pick = below(v, 100);

	if (mostly_roomy && pick < 90)
		return 0;
	if (pick < 75)
		return 0;
	if (pick < 90)
		return shortest + 64 * below(v, (unsigned)(v->area / 64 + 2));
	if (pick < 95)
		return 1 + below(v, 63);
	return 4u << below(v, 4);	/* 4, 8, 16, 32: #GP for XSAVE, some fine for FXSAVE */
}

/* Initial contents of a test slot: junk, or a (possibly mutated) state image. */
static void prepare_slot(struct verifier *v, int slot, uint8_t *img)
{
	struct vslot *s = &v->slots[slot];
	size_t len = s->region_size - s->start;

	fill(v, s->init, s->region_size);
	if (slot != SLOT_A && !below(v, 4))
		return;
	put_state(v, img, slot != SLOT_A && below(v, 2));
	if (slot != SLOT_A && below(v, 3))
		mutate(v, img);
	memcpy(s->init + s->start, img, len < v->area ? len : v->area);
}

/* EDX:EAX for an instruction: everything, XCR0, a subset, a single bit or anything. */
static uint64_t random_rfbm(struct verifier *v)
{
	switch (below(v, 8)) {
	case 0: case 1: case 2: return ~UINT64_C(0);
	case 3: return v->xcr0;
	case 4: return rnd(v) & v->xcr0;
	case 5: return rnd(v);
	case 6: return v->xcr0 & XS_BIT(below(v, XS_XFEATURE_MAX));
	default: return below(v, 2) ? 0 : XS_XFEATURE_MASK_FPSSE;
	}
}

static unsigned random_insn(struct verifier *v)
{
	unsigned pick = below(v, 100);

	if (pick < 14)
		return XS_INSN_XSAVE;
	if (pick < 32)
		return v->hw.xsaveopt ? XS_INSN_XSAVEOPT : XS_INSN_XSAVE;
	if (pick < 46)
		return v->hw.xsavec ? XS_INSN_XSAVEC : XS_INSN_XSAVE;
	if (pick < 70)
		return XS_INSN_XRSTOR;
	if (pick < 77)
		return XS_INSN_FXSAVE;
	if (pick < 84)
		return XS_INSN_FXRSTOR;
	return pick < 93 ? XS_INSN_XGETBV : STEP_POKE;
}

/*
 * The exceptions user mode reaches beyond alignment and #PF (§2.1, §4,
 * §6): the step behind one legacy prefix (#UD) — not 66 on XSAVEOPT,
 * which encodes CLWB, nor F3 on XSAVE, PTWRITE where the CPU has it —
 * or, instead of it, a CPL 0 instruction: XSAVES, XRSTORS (#GP; #UD
 * without them), XSETBV (#GP).
 */
static void user_mode_fault(struct verifier *v, struct vstep *s)
{
	static const unsigned cpl0[] = { XS_INSN_XSAVES, XS_INSN_XRSTORS, XS_INSN_XSETBV };
	unsigned prefix = 1u << below(v, 4);	/* XS_PREFIX_LOCK, _66, _F2, _F3 */

	if (s->insn == STEP_POKE || !below(v, 3)) {
		s->insn = cpl0[below(v, 3)];
		if (s->insn == XS_INSN_XSETBV)
			s->slot = -1;
		else if (s->slot < 0)
			s->slot = SLOT_A;	/* it was XGETBV */
		return;
	}
	if ((prefix == XS_PREFIX_66 && s->insn == XS_INSN_XSAVEOPT) ||
	    (prefix == XS_PREFIX_F3 && s->insn == XS_INSN_XSAVE))
		prefix = XS_PREFIX_LOCK;
	s->flags = (s->flags & ~XS_REX_W) | XS_HW_PREFIX(prefix);
}

static void random_step(struct verifier *v, struct vstep *s)
{
	size_t len;

	memset(s, 0, sizeof(*s));
	s->insn = random_insn(v);
	s->flags = below(v, 2) ? XS_REX_W : 0;
	if (!below(v, 16))
		s->flags |= XS_HW_AC;
	s->slot = below(v, 2) ? SLOT_A : (int)(1 + below(v, 2));
	s->arg = random_rfbm(v);
	if (s->insn == XS_INSN_XRSTOR)
		s->arg &= v->restorable;
	if (s->insn == XS_INSN_XGETBV) {
		s->slot = -1;
		s->arg = below(v, 8) ? below(v, 2) : (uint32_t)rnd(v);
	}
	if (s->insn == STEP_POKE) {
		len = vc_len(v, s->slot);
		s->poke_at = len ? below(v, (unsigned)len) : 0;
		s->arg = below(v, 512) % (len - s->poke_at + 1);
		s->poke_from = below(v, NOISE_SIZE - 512);
	}
	if (!below(v, 64))
		user_mode_fault(v, s);
}

/*
 * A store from the noise may put any PKRU into a buffer: a later XRSTOR
 * from that buffer leaves PKRU alone, lest it deny this program its own
 * pages (key 0).
 */
static void keep_pkru_safe(struct vcase *c, unsigned n)
{
	struct vstep *s = &c->steps[n];

	if (s->insn != XS_INSN_XRSTOR)
		return;
	for (unsigned i = 0; i < n; i++)
		if (c->steps[i].insn == STEP_POKE && c->steps[i].slot == s->slot)
			s->arg &= ~XS_XFEATURE_MASK_PKRU;
}

static void fixed_step(struct vstep *s, unsigned insn, int slot, uint64_t arg, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->insn = insn;
	s->slot = slot;
	s->arg = arg;
	s->flags = flags;
}

/*
 * A case: XRSTOR64 of the clean image (a known start: everything init,
 * XRSTOR_INFO and XMODIFIED defined), XRSTOR of a random state from slot
 * A, 1..5 random steps, XSAVE64 of everything into the read-back slot.
 */
void vc_make_case(struct verifier *v, struct vcase *c)
{
	uint8_t *img = v->state;	/* scratch until a run needs it */
	unsigned extra = 1 + below(v, 5);

	for (int slot = 0; slot < TEST_SLOTS; slot++) {
		v->slots[slot].start = place(v, &v->slots[slot], slot == SLOT_A);
		prepare_slot(v, slot, img);
	}
	memset(v->slots[SLOT_READBACK].init, 0xa5, v->slots[SLOT_READBACK].region_size);
	fixed_step(&c->steps[0], XS_INSN_XRSTOR, SLOT_CLEAN, ~UINT64_C(0), XS_REX_W);
	fixed_step(&c->steps[1], XS_INSN_XRSTOR, SLOT_A,
		   (below(v, 4) ? ~UINT64_C(0) : random_rfbm(v)) & v->restorable,
		   below(v, 2) ? XS_REX_W : 0);
	for (unsigned i = 0; i < extra; i++) {
		random_step(v, &c->steps[2 + i]);
		keep_pkru_safe(c, 2 + i);
	}
	fixed_step(&c->steps[2 + extra], XS_INSN_XSAVE, SLOT_READBACK, ~UINT64_C(0), XS_REX_W);
	c->nsteps = 3 + extra;
}

/* ---- naming a byte for the divergence report --------------------------- */

static const char *legacy_field(size_t off, char *buf, size_t size)
{
	static const struct { unsigned end; const char *name; } fields[] = {
		{ 2, "FCW" }, { 4, "FSW" }, { 5, "FTW" }, { 6, "reserved" }, { 8, "FOP" },
		{ 16, "FIP" }, { 24, "FDP" }, { 28, "MXCSR" }, { 32, "MXCSR_MASK" },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (off < fields[i].end) {
			snprintf(buf, size, "byte %zu (x87/sse %s)", off, fields[i].name);
			return buf;
		}
	if (off < FX_XMM0)
		snprintf(buf, size, "byte %zu (x87 ST%zu +%zu)", off, (off - FX_ST0) / 16, (off - FX_ST0) % 16);
	else if (off < FX_PAD)
		snprintf(buf, size, "byte %zu (sse XMM%zu +%zu)", off, (off - FX_XMM0) / 16, (off - FX_XMM0) % 16);
	else if (off < HDR_XSTATE_BV)
		snprintf(buf, size, "byte %zu (legacy reserved/software area)", off);
	else
		snprintf(buf, size, "byte %zu (header %s)", off,
			 off < HDR_XCOMP_BV ? "XSTATE_BV" : off < HDR_RESERVED ? "XCOMP_BV" : "reserved");
	return buf;
}

/* The format the slot was last written in: XSAVEC's compacted one, or standard. */
static uint64_t last_format(const struct verifier *v, const struct vcase *c, int slot)
{
	uint64_t xcomp = 0;

	for (unsigned i = 0; i < c->nsteps; i++)
		if (c->steps[i].slot == slot && c->steps[i].insn == XS_INSN_XSAVEC)
			xcomp = (c->steps[i].arg & v->xcr0) | XS_XCOMP_BV_COMPACTED_FORMAT;
		else if (c->steps[i].slot == slot && (c->steps[i].insn == XS_INSN_XSAVE ||
						      c->steps[i].insn == XS_INSN_XSAVEOPT))
			xcomp = 0;
	return xcomp;
}

const char *vc_describe(const struct verifier *v, const struct vcase *c, int slot, size_t off,
			char *buf, size_t size)
{
	uint64_t xcomp = last_format(v, c, slot);

	if (off < XS_XSAVE_LEGACY_AND_HDR)
		return legacy_field(off, buf, size);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		size_t at = xs_engine_offset(v->reset, xcomp, nr);

		if (v->xcr0 & XS_BIT(nr) && at && off >= at && off < at + vc_size(v, nr)) {
			snprintf(buf, size, "byte %zu (%s +%zu)", off, xs_xfeature_info(nr)->short_name,
				 off - at);
			return buf;
		}
	}
	snprintf(buf, size, "byte %zu (outside every component)", off);
	return buf;
}
