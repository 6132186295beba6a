// SPDX-License-Identifier: MIT
/*
 * Honest re-runs for `verify --against cpu`. The kernel (a preemption, an
 * interrupt, a hypervisor exit) may save and restore the registers
 * between two steps of a case; its restore may leave XINUSE[i] set for a
 * component holding its init values (SDM1 §13.6 allows it) and ends the
 * modified optimisation (XMODIFIED, XRSTOR_INFO). Only what follows from
 * those two can change between runs of the same case, so only such a
 * divergence earns a re-run:
 *   - XGETBV(1) after a step, and XGETBV's result with ECX = 1;
 *   - XSTATE_BV written by a save (a buffer's or the fault frame's);
 *   - the data of a component that an XSAVEOPT or XSAVEC of the case
 *     could skip (init or unmodified) — the component of the differing
 *     byte, in that save's format, within its RFBM;
 *   - FCS and FDS stored as 0 by a 32-bit form save: the kernel saves and
 *     restores with the 64-bit forms (XSAVES64/XRSTORS64), which have no
 *     selectors, so its round trip zeroes them where the CPU keeps them
 *     (Zen 3, 2026-12-07: FXRSTOR of FCS 1234h, nanosleep, FXSAVE gives 0).
 * Anything else that differs once is a divergence. And the cases that
 * agree only on a re-run may be at most VC_RERUN_SHARE_PERMILLE of all:
 * beyond that the forgiveness ends and they count as differing.
 */
#include <stdio.h>

#include "verify_cpu.h"
#include "verify_uabi.h"
#include "xsave_layout.h"

static bool in_xstate_bv(size_t off)
{
	return off >= HDR_XSTATE_BV && off < HDR_XSTATE_BV + 8;
}

static bool is_save(unsigned insn)
{
	return insn == XS_INSN_XSAVE || insn == XS_INSN_XSAVEOPT || insn == XS_INSN_XSAVEC;
}

/* The component byte `off` belongs to in a buffer of format xcomp; -1 for none. */
static int owner(const struct verifier *v, uint64_t xcomp, size_t off, bool mxcsr_is_sse)
{
	if (off < FX_MXCSR || (off >= FX_ST0 && off < FX_XMM0))
		return XS_XFEATURE_FP;
	if (off >= FX_XMM0 && off < FX_PAD)
		return XS_XFEATURE_SSE;
	if (off < FX_ST0)
		return mxcsr_is_sse ? XS_XFEATURE_SSE : -1;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		size_t at = xs_engine_offset(v->reset, xcomp, nr);

		if (v->xcr0 & XS_BIT(nr) && at && off >= at && off < at + vc_size(v, nr))
			return (int)nr;
	}
	return -1;
}

/* Could an XSAVEOPT or XSAVEC of the case have skipped (or not) the byte at `off` of `slot`? */
static bool optimised_data(const struct verifier *v, const struct vcase *c, int slot, size_t off)
{
	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];
		uint64_t rfbm = s->arg & v->xcr0, xcomp;
		int nr;

		if (s->slot != slot || !s->ran[0] || s->exc[0] ||
		    (s->insn != XS_INSN_XSAVEOPT && s->insn != XS_INSN_XSAVEC))
			continue;
		/* XSAVEC writes MXCSR with SSE's data, XSAVEOPT whenever RFBM has SSE or AVX */
		xcomp = s->insn == XS_INSN_XSAVEC ? rfbm | XS_XCOMP_BV_COMPACTED_FORMAT : 0;
		nr = owner(v, xcomp, off, s->insn == XS_INSN_XSAVEC);
		if (nr >= 0 && rfbm & XS_BIT(nr))
			return true;
	}
	return false;
}

/* FCS or FDS read back 0 from a 32-bit form save to this slot: what a kernel round trip leaves. */
static bool selector_zeroed(const struct vcase *c, const struct vc_divergence *d)
{
	bool selector = (d->off >= FX_FCS && d->off < FX_FCS + 2) || (d->off >= FX_FDS && d->off < FX_FDS + 2);

	if (!selector || d->cpu != 0)
		return false;
	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];

		if (s->slot == d->slot && s->ran[0] && !s->exc[0] && !(s->flags & XS_REX_W) &&
		    (s->insn == XS_INSN_FXSAVE || is_save(s->insn)))
			return true;
	}
	return false;
}

/* A save to this slot wrote its XSTATE_BV? */
static bool saved_to(const struct vcase *c, int slot)
{
	for (unsigned i = 0; i < c->nsteps; i++)
		if (c->steps[i].slot == slot && is_save(c->steps[i].insn) && c->steps[i].ran[0])
			return true;
	return false;
}

bool vc_rerun_may_forgive(const struct verifier *v, const struct vcase *c, const struct vc_divergence *d)
{
	switch (d->kind) {
	case VC_DIV_XINUSE:
		return true;
	case VC_DIV_RESULT:
		return d->step >= 0 && c->steps[d->step].insn == XS_INSN_XGETBV &&
		       (uint32_t)c->steps[d->step].arg == 1;
	case VC_DIV_BUFFER:
		if (in_xstate_bv(d->off))
			return saved_to(c, d->slot);
		return optimised_data(v, c, d->slot, d->off) || selector_zeroed(c, d);
	case VC_DIV_FRAME:
		return in_xstate_bv(d->off);	/* the kernel's XSAVE of the registers at the fault */
	default:
		return false;
	}
}

void vc_rerun_verdict(struct verify_result *r, unsigned long reruns)
{
	r->rerun_agree = reruns;
	if (reruns * 1000 <= r->cases * VC_RERUN_SHARE_PERMILLE)
		return;
	r->agree -= reruns;
	if (!r->differ)
		snprintf(r->first, sizeof(r->first),
			 "%lu of %lu cases agreed only on a re-run, more than the %u.%u%% a kernel's own saves and restores explain",
			 reruns, r->cases, VC_RERUN_SHARE_PERMILLE / 10, VC_RERUN_SHARE_PERMILLE % 10);
	r->differ += reruns;
}
