// SPDX-License-Identifier: MIT
/*
 * FXSAVE / FXRSTOR (§2.1): the 512-byte legacy image, 16-byte aligned.
 * They ignore XCR0, XINUSE and the XSAVE header; bytes 416-511 are never
 * written. With CR4.OSFXSR = 0, MXCSR is still saved and restored but the
 * XMM registers are not (Intel, as KVM's maintainers measured). AMD's fast
 * FXSAVE (EFER.FFXSR at CPL 0) is not modelled.
 */
#include "engine/engine.h"

enum xs_exception xs_fxsave(xs_machine *m, void *buf, size_t len, unsigned flags)
{
	uint8_t *img = buf;
	enum xs_exception e = xs_check_fx_entry(m, buf);

	if (e)
		return e;
	if (len < XS_FXSAVE_SIZE)
		return XS_EXC_PF;
	xs_store_x87(m, img, flags);
	xs_store_mxcsr(m, img);
	if (m->ctx.cr4_osfxsr)
		xs_store_xmm(m, img);
	return XS_EXC_NONE;
}

/*
 * FXRSTOR: #GP(0) for MXCSR bits outside MXCSR_MASK, checked after the
 * access (the live CPU reports #PF first); then x87 as in §2 and SSE.
 * XINUSE follows as for a load from memory; XMODIFIED[1:0] become 1, or
 * all of XMODIFIED where the CPU ends the modified optimisation here.
 */
enum xs_exception xs_fxrstor(xs_machine *m, const void *buf, size_t len, unsigned flags)
{
	const uint8_t *img = buf;
	enum xs_exception e = xs_check_fx_entry(m, buf);
	uint64_t loaded = XS_XFEATURE_MASK_FP;

	if (e)
		return e;
	if (len < XS_FXSAVE_SIZE)
		return XS_EXC_PF;
	if (xs_mxcsr_bad(m, xs_ld32(img + XS_LEG_MXCSR)))
		return XS_EXC_GP;
	xs_load_x87(m, img, flags);
	m->regs.mxcsr = xs_ld32(img + XS_LEG_MXCSR);
	if (m->ctx.cr4_osfxsr) {
		xs_load_xmm(m, img);
		loaded |= XS_XFEATURE_MASK_SSE;
	}
	xs_note_restored(m, loaded, 0);
	m->xmodified |= m->impl.fxrstor_sets_xmodified ? ~UINT64_C(0) : XS_XFEATURE_MASK_FPSSE;
	return XS_EXC_NONE;
}
