// SPDX-License-Identifier: MIT
/*
 * Comparing one case's two runs: the engine's, and the CPU's as the live
 * run saw it or as a trace recorded it. Step by step: which exception
 * each instruction raised, XGETBV(1) after each step and XGETBV's
 * results; then every byte of every buffer; then, at a fault, the
 * registers the kernel wrote into the signal frame against the engine's
 * unchanged registers. The first difference is the case's divergence,
 * in words (for people) and in parts (for the rule groups of
 * --keep-going).
 */
#include <stdio.h>
#include <string.h>

#include "verify_cpu.h"
#include "verify_uabi.h"
#include "xsave_layout.h"
#include "le.h"

void vc_describe_step(const struct verifier *v, const struct vstep *s, char *buf, size_t size)
{
	static const char *const prefixes[] = { "", "F0 ", "66 ", "", "F2 ", "", "", "", "F3 " };
	const char *name = xs_insn_name((enum xs_insn)s->insn, s->flags);
	unsigned p = (s->flags & XS_HW_PREFIX_MASK) >> 8;
	char named[40];

	if (p) {	/* one prefix at most (xs_hw_step) */
		snprintf(named, sizeof(named), "%s%s", p <= 8 ? prefixes[p] : "? ", name);
		name = named;
	}
	if (s->insn == STEP_POKE)
		snprintf(buf, size, "a store of %llu bytes into buffer %d at +%zu",
			 (unsigned long long)s->arg, s->slot, s->poke_at);
	else if (s->slot < 0)
		snprintf(buf, size, "%s ECX=0x%llx", name, (unsigned long long)s->arg);
	else
		snprintf(buf, size, "%s%s RFBM=0x%llx buffer %d at +%zu (%zu bytes)", name,
			 s->flags & XS_HW_AC ? " (EFLAGS.AC)" : "",
			 (unsigned long long)(s->arg & v->xcr0), s->slot, v->slots[s->slot].start,
			 vc_len(v, s->slot));
}

/* The step that faulted on either side, or NULL. */
static const struct vstep *faulted(const struct vcase *c)
{
	for (unsigned i = 0; i < c->nsteps; i++)
		if (c->steps[i].exc[0] || c->steps[i].exc[1])
			return &c->steps[i];
	return NULL;
}

static void diverged(struct vc_divergence *d, enum vc_div_kind kind, const struct vcase *c,
		     const struct vstep *s, uint64_t engine, uint64_t cpu)
{
	d->kind = kind;
	d->step = s ? (int)(s - c->steps) : -1;
	d->slot = -1;
	d->off = 0;
	d->engine = engine;
	d->cpu = cpu;
}

static bool compare_steps(const struct verifier *v, const struct vcase *c, struct vc_divergence *d)
{
	char what[160];

	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];
		bool xinuse = s->xinuse[0] != s->xinuse[1];

		vc_describe_step(v, s, what, sizeof(what));
		if (s->exc[0] != s->exc[1]) {
			diverged(d, VC_DIV_EXCEPTION, c, s, s->exc[0], s->exc[1]);
			snprintf(d->why, sizeof(d->why), "step %u %s: engine %s, cpu %s", i, what,
				 xs_exception_name(s->exc[0]), xs_exception_name(s->exc[1]));
			return false;
		}
		if (s->exc[0] || !s->ran[0])
			return true;
		if (xinuse || s->result[0] != s->result[1]) {
			diverged(d, xinuse ? VC_DIV_XINUSE : VC_DIV_RESULT, c, s,
				 xinuse ? s->xinuse[0] : s->result[0], xinuse ? s->xinuse[1] : s->result[1]);
			snprintf(d->why, sizeof(d->why), "step %u %s: XGETBV%s engine 0x%llx, cpu 0x%llx", i,
				 what, xinuse ? "(1) after it" : " result", (unsigned long long)d->engine,
				 (unsigned long long)d->cpu);
			return false;
		}
	}
	return true;
}

/* Does step s store into its buffer (a save, or a store of bytes)? */
static bool stores(const struct vstep *s)
{
	switch (s->insn) {
	case XS_INSN_FXSAVE: case XS_INSN_XSAVE: case XS_INSN_XSAVEOPT: case XS_INSN_XSAVEC:
	case XS_INSN_XSAVES: case STEP_POKE:
		return true;
	default:
		return false;
	}
}

/*
 * Does a save with this RFBM write byte `off` of the legacy area (SDM1
 * §13.7: x87 with RFBM[0], MXCSR and MXCSR_MASK with RFBM[1] or RFBM[2],
 * XMM with RFBM[1])? FXSAVE writes all of it; beyond byte 415, every save
 * counts as a writer.
 */
static bool covers(const struct verifier *v, const struct vstep *s, size_t off)
{
	uint64_t rfbm = s->arg & v->xcr0;

	if (s->insn == XS_INSN_FXSAVE || s->insn == STEP_POKE || off >= FX_PAD)
		return true;
	if (off >= FX_MXCSR && off < FX_ST0)
		return rfbm & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM);
	return rfbm & (off >= FX_XMM0 ? XS_XFEATURE_MASK_SSE : XS_XFEATURE_MASK_FP);
}

/*
 * The step that last wrote byte `off` of a slot (engine side): the last
 * save into it whose RFBM covers the byte, or the last store of bytes that
 * covered it. NULL: the byte is as the case began.
 */
const struct vstep *vc_last_writer(const struct verifier *v, const struct vcase *c, int slot, size_t off)
{
	const struct vstep *w = NULL;

	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];

		if (s->slot != slot || !s->ran[0] || s->exc[0] || !stores(s) || !covers(v, s, off))
			continue;
		if (s->insn != STEP_POKE || (off >= s->poke_at && off - s->poke_at < s->arg))
			w = s;
	}
	return w;
}

static bool compare_buffers(const struct verifier *v, const struct vcase *c, struct vc_divergence *d)
{
	const struct vstep *f = faulted(c);
	char what[160], where[96];

	for (int slot = 0; slot < NSLOTS; slot++) {
		const struct vslot *s = &v->slots[slot];
		size_t n = s->region_size - s->start;
		size_t off = vu_first_difference(s->after + s->start, s->region + s->start, n);
		const struct vstep *w;

		/* a #PF may leave a partly written buffer: the architecture does not fix it */
		if (off >= n || (f && f->exc[1] == XS_EXC_PF && f->slot == slot))
			continue;
		w = vc_last_writer(v, c, slot, off);
		if (w)
			vc_describe_step(v, w, what, sizeof(what));
		diverged(d, VC_DIV_BUFFER, c, w, s->after[s->start + off], s->region[s->start + off]);
		d->slot = slot;
		d->off = off;
		snprintf(d->why, sizeof(d->why), "buffer %d after %s: %s: engine 0x%02x, cpu 0x%02x", slot,
			 w ? what : "the case", vc_describe(v, c, slot, off, where, sizeof(where)),
			 s->after[s->start + off], s->region[s->start + off]);
		return false;
	}
	return true;
}

/*
 * XSTATE_BV bits the frame has and the engine lacks, for components whose
 * bytes in the frame are their init configuration (all zeros for i >= 2):
 * XINUSE[i] = 1 says nothing (SDM1 §13.6), and a save/restore between
 * the fault and the frame may set it. Seen on Zen 4 under KVM, which
 * intercepts every #AC: the frame of an FXSAVE #AC has XSTATE_BV[2] = 1
 * with YMM_Hi128 all zero whenever ZMM_Hi256 is in use. Any other bit
 * stays a divergence.
 */
static uint64_t init_but_in_use(const struct verifier *v, const uint8_t *frame, size_t frame_len,
				uint64_t engine_bv, uint64_t frame_bv)
{
	uint64_t extra = frame_bv & ~engine_bv & ~XS_XFEATURE_MASK_FPSSE, ok = 0;

	for (uint64_t rest = extra; rest; rest &= rest - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(rest);
		size_t at = xs_engine_offset(v->reset, 0, nr), size = vc_size(v, nr);
		size_t i = 0;

		while (at + i < frame_len && i < size && !frame[at + i])
			i++;
		if (at && at + size <= frame_len && i == size)
			ok |= XS_BIT(nr);
	}
	return ok;
}

/* The first byte of [lo, hi) where the engine's registers and the frame differ, or hi. */
static size_t first_difference(const struct verifier *v, const uint8_t *frame, size_t lo, size_t hi)
{
	return lo + vu_first_difference(v->state + lo, frame + lo, hi - lo);
}

/*
 * The first differing register byte: the legacy area's registers (bytes
 * 0-415), XSTATE_BV, then each component of XCR0 at its standard offset.
 * The bytes between components (those of components XCR0 lacks) are not
 * written by XSAVE (SDM1 §13.7): what a frame holds there is the stack's.
 */
static size_t first_register_difference(const struct verifier *v, const uint8_t *frame, size_t n)
{
	size_t off = first_difference(v, frame, 0, FX_PAD);

	if (off == FX_PAD && (off = first_difference(v, frame, HDR_XSTATE_BV, HDR_XCOMP_BV)) == HDR_XCOMP_BV)
		off = n;
	for (unsigned nr = 2; off == n && nr < XS_XFEATURE_MAX; nr++) {
		size_t at = xs_engine_offset(v->reset, 0, nr), end = at + vc_size(v, nr);

		if (v->xcr0 & XS_BIT(nr) && at && end <= n && (off = first_difference(v, frame, at, end)) == end)
			off = n;
	}
	return off;
}

/*
 * At a fault other than #PF the CPU changed nothing: the registers the
 * kernel saved with XSAVE64 into the signal frame must be the engine's.
 * Bytes 416-511 (the kernel's software area) and the header's reserved
 * part are not register state; neither are XSTATE_BV[1:0], which the
 * kernel sets in every frame, nor in-use bits of init components. The
 * frame is compared as a copy: a trace records it as the kernel wrote it.
 */
static bool compare_fault_state(struct verifier *v, const struct vcase *c, struct vc_divergence *d)
{
	const struct vstep *f = faulted(c);
	size_t n = xs_engine_standard_size(v->reset, v->xcr0), off;
	uint8_t *frame = v->frame_copy;
	uint64_t bv;
	char where[96], what[160];

	if (!f || f->exc[1] == XS_EXC_PF || v->frame_len < n || n > VC_FRAME_MAX)
		return true;
	memcpy(frame, v->frame, n);
	/* Linux sets XSTATE_BV[1:0] in every signal frame (save_xstate_epilog) */
	frame[HDR_XSTATE_BV] |= 3;
	v->state[HDR_XSTATE_BV] |= 3;
	bv = xs_ld64(frame + HDR_XSTATE_BV);
	xs_st64(frame + HDR_XSTATE_BV, bv & ~init_but_in_use(v, frame, n, xs_ld64(v->state + HDR_XSTATE_BV), bv));
	if ((off = first_register_difference(v, frame, n)) == n)
		return true;
	vc_describe_step(v, f, what, sizeof(what));
	diverged(d, VC_DIV_FRAME, c, f, v->state[off], frame[off]);
	d->slot = SLOT_READBACK;
	d->off = off;
	snprintf(d->why, sizeof(d->why), "registers at the %s fault of %s: %s: engine 0x%02x, cpu 0x%02x",
		 xs_exception_name(f->exc[1]), what, vc_describe(v, c, SLOT_READBACK, off, where, sizeof(where)),
		 v->state[off], frame[off]);
	return false;
}

bool vc_compare(struct verifier *v, const struct vcase *c, struct vc_divergence *d)
{
	return compare_steps(v, c, d) && compare_buffers(v, c, d) && compare_fault_state(v, c, d);
}
