// SPDX-License-Identifier: MIT
/*
 * The save instructions (§4): XSAVE and XSAVEOPT write the standard format
 * and read-modify-write XSTATE_BV; XSAVEC and XSAVES write the compacted
 * format and the two header words, never reading the header. None of them
 * writes bytes 416-511 or the reserved header bytes 528-575 (§3).
 */
#include "engine/engine.h"

/* Component nr >= 2 into dst: its registers, or its init image when XFD-armed (§5.3). */
static void store_component(const xs_machine *m, unsigned nr, uint8_t *dst, uint64_t armed)
{
	if (armed & XS_BIT(nr))
		xs_init_image(m, nr, dst);
	else
		memcpy(dst, xs_regs_component(&m->regs, nr), xs_mode_bytes(m, nr));
}

/*
 * Components 2..19 of `which` (all in the plan's format) into img: in
 * 64-bit mode with none of them XFD-armed each is its registers' bytes,
 * the plan's runs; otherwise component by component.
 */
static void store_components(const xs_machine *m, const struct xs_engine_plan *p, uint8_t *img,
			     uint64_t which)
{
	uint64_t armed = m->xcr0 & m->xfd;

	if (which & armed || !m->ctx.long_mode) {
		for (uint64_t rest = which; rest; rest &= rest - 1)
			store_component(m, xs_lowest(rest), img + p->off[xs_lowest(rest)], armed);
		return;
	}
	xs_plan_copy(m, p, which, img, (const uint8_t *)&m->regs, false);
}

/*
 * The standard-format body of XSAVE/XSAVEOPT (§4.1, §4.2): x87 and XMM as
 * `to_save` says, MXCSR with MXCSR_MASK whenever SSE or AVX is requested —
 * XSAVEOPT included, whatever its optimisations skipped.
 */
static void store_standard(const xs_machine *m, const struct xs_engine_plan *p, uint8_t *img,
			   uint64_t rfbm, uint64_t to_save, unsigned flags)
{
	if (to_save & XS_XFEATURE_MASK_FP)
		xs_store_x87(m, img, flags);
	if (to_save & XS_XFEATURE_MASK_SSE)
		xs_store_xmm(m, img);
	if (rfbm & XS_MXCSR_USERS)
		xs_store_mxcsr(m, img);
	store_components(m, p, img, to_save & XS_EXTENDED_MASK);
}

/* §4.1: XSTATE_BV bits outside RFBM keep their memory value (bit 63 included). */
static void merge_xstate_bv(uint8_t *img, uint64_t rfbm, uint64_t inuse)
{
	uint64_t old = xs_ld64(img + XS_HDR_XSTATE_BV);

	xs_st64(img + XS_HDR_XSTATE_BV, (old & ~rfbm) | (inuse & rfbm));
}

/*
 * XINUSE as the saves see it: XFD-armed components (and Hi16_ZMM outside
 * 64-bit mode) are init; without the init optimisation everything else is
 * in use (xs_machine_xinuse).
 */
static uint64_t save_xinuse(xs_machine *m)
{
	return xs_xinuse(m) & ~xs_save_as_init(m);
}

/*
 * What every save checks, in the order the CPU does (§4): the entry
 * checks, CPL 0 for XSAVES, then the area of the format `key` (RFBM, with
 * bit 63 for the compacted form) must lie in the buffer (#PF). Inlined
 * into each save: a call here costs the fast paths a tenth of their time.
 */
static inline __attribute__((always_inline)) enum xs_exception save_entry(const xs_machine *m, bool cpuid_bit, bool cpl0, const void *buf,
				    size_t len, uint64_t key, struct xs_engine_plan *scratch,
				    const struct xs_engine_plan **p)
{
	enum xs_exception e = xs_check_xsave_entry(m, cpuid_bit, buf);

	if (e)
		return e;
	if (cpl0 && xs_cpl(m))
		return XS_EXC_GP;
	*p = xs_plan(m, key, scratch);
	return len < (*p)->size ? XS_EXC_PF : XS_EXC_NONE;
}

/*
 * §4.1 XSAVE: every RFBM component is written, init or not; the area it
 * may touch is the standard-format area of RFBM (live CPU: it faults
 * exactly when that area crosses into an unmapped page).
 */
enum xs_exception xs_xsave(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags)
{
	uint8_t *img = buf;
	uint64_t rfbm = edx_eax & m->xcr0;
	struct xs_engine_plan scratch;
	const struct xs_engine_plan *p;
	enum xs_exception e = save_entry(m, true, false, buf, len, rfbm, &scratch, &p);

	if (e)
		return e;
	store_standard(m, p, img, rfbm, rfbm, flags);
	merge_xstate_bv(img, rfbm, save_xinuse(m));
	xs_plan_keep(m, p);
	return XS_EXC_NONE;
}

/*
 * The modified optimisation applies when the last XRSTOR[S] was at this
 * linear address, CPL and VMX mode with exactly this XCOMP_BV (§4.2, §4.4).
 */
static bool same_as_last_restore(const xs_machine *m, const void *buf, uint64_t xcomp_bv)
{
	const struct xs_xrstor_info *info = &m->xrstor_info;

	return m->impl.modified_opt && info->valid && info->cpl == xs_cpl(m) &&
	       info->vmx_non_root == m->ctx.vmx_non_root && info->laddr == (uintptr_t)buf &&
	       info->xcomp_bv == xcomp_bv;
}

/*
 * §4.2 XSAVEOPT: XSAVE that may skip components in their init
 * configuration (init optimisation: XINUSE[i] = 0) and components
 * unmodified since an XRSTOR of this same standard-format area (modified
 * optimisation). Skipped components keep their bytes; XSTATE_BV is written
 * as by XSAVE. XFD-armed components are not written at all (§5.3).
 */
enum xs_exception xs_xsaveopt(xs_machine *m, void *buf, size_t len, uint64_t edx_eax,
			      unsigned flags)
{
	uint8_t *img = buf;
	uint64_t rfbm = edx_eax & m->xcr0, inuse, to_save;
	struct xs_engine_plan scratch;
	const struct xs_engine_plan *p;
	enum xs_exception e = save_entry(m, m->cpu.xsaveopt, false, buf, len, rfbm, &scratch, &p);

	if (e)
		return e;
	inuse = save_xinuse(m);
	to_save = rfbm & inuse;
	if (same_as_last_restore(m, buf, 0))
		to_save &= m->xmodified;
	store_standard(m, p, img, rfbm, to_save, flags);
	merge_xstate_bv(img, rfbm, inuse);
	xs_plan_keep(m, p);
	return XS_EXC_NONE;
}

/*
 * The compacted-format body (§4.3): space for every RFBM component, data
 * for the ones in `to_save`; MXCSR travels with SSE in this format.
 */
static void store_compacted(const xs_machine *m, const struct xs_engine_plan *p, uint8_t *img,
			    uint64_t rfbm, uint64_t to_save, unsigned flags)
{
	if (to_save & XS_XFEATURE_MASK_FP)
		xs_store_x87(m, img, flags);
	if (to_save & XS_XFEATURE_MASK_SSE) {
		xs_store_mxcsr(m, img);
		xs_store_xmm(m, img);
	}
	store_components(m, p, img, to_save & XS_EXTENDED_MASK);
	xs_st64(img + XS_HDR_XSTATE_BV, to_save);
	xs_st64(img + XS_HDR_XCOMP_BV, rfbm | XS_COMPACTED);
}

/* "MXCSR != 1F80h counts as SSE in use" for the compacted saves (§4.3). */
static uint64_t mxcsr_in_use(const xs_machine *m, uint64_t rfbm)
{
	return m->regs.mxcsr != XS_MXCSR_DEFAULT ? rfbm & XS_XFEATURE_MASK_SSE : 0;
}

/*
 * §4.3 XSAVEC: the init optimisation is part of the instruction;
 * XSTATE_BV = what was saved, XCOMP_BV = RFBM | bit 63. The area it may
 * touch is the compacted area of RFBM.
 */
enum xs_exception xs_xsavec(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags)
{
	uint64_t rfbm = edx_eax & m->xcr0, to_save;
	struct xs_engine_plan scratch;
	const struct xs_engine_plan *p;
	enum xs_exception e = save_entry(m, m->cpu.xsavec, false, buf, len, rfbm | XS_COMPACTED, &scratch, &p);

	if (e)
		return e;
	to_save = (rfbm & save_xinuse(m)) | mxcsr_in_use(m, rfbm);
	store_compacted(m, p, buf, rfbm, to_save, flags);
	xs_plan_keep(m, p);
	return XS_EXC_NONE;
}

/* IA32_UINTR_MISC bits 62:40: reserved. */
#define UINTR_MISC_RESERVED (((UINT64_C(1) << 63) - 1) & ~((UINT64_C(1) << 40) - 1))

/*
 * What XSAVES stores differently from the registers (§4.4, §9): PT's
 * reserved bytes as 0, UINTR's reserved MISC bits as 0, LBR only its first
 * DEPTH entries (the other bytes are left as they were).
 */
static void xsaves_fixups(const xs_machine *m, uint8_t *img, const uint32_t off[], uint64_t saved,
			  const uint8_t *lbr_before, size_t lbr_size)
{
	if (saved & XS_XFEATURE_MASK_PT && m->comp.size[8] > PT_RESERVED)
		memset(img + off[8] + PT_RESERVED, 0, m->comp.size[8] - PT_RESERVED);
	if (saved & XS_BIT(XS_XFEATURE_RSRVD_COMP_14)) {
		uint8_t *misc = img + off[14] + UINTR_MISC;

		xs_st64(misc, xs_ld64(misc) & ~UINTR_MISC_RESERVED);
	}
	if (saved & XS_XFEATURE_MASK_LBR) {
		uint64_t depth = xs_ld64(m->regs.lbr + LBR_DEPTH);
		size_t keep = LBR_HEAD + 24 * (depth < 32 ? depth : 32);

		if (keep < lbr_size)
			memcpy(img + off[15] + keep, lbr_before + keep, lbr_size - keep);
	}
}

/* After XSAVES: TraceEn and UINV are cleared in the registers (§4.4). */
static void xsaves_side_effects(xs_machine *m, uint64_t saved)
{
	uint64_t ctl = xs_ld64(m->regs.pt), misc = xs_ld64(m->regs.uintr + UINTR_MISC);

	if (saved & XS_XFEATURE_MASK_PT && ctl & PT_TRACE_EN) {
		xs_st64(m->regs.pt, ctl & ~PT_TRACE_EN);
		xs_machine_wrote(m, XS_XFEATURE_MASK_PT);
	}
	if (saved & XS_BIT(XS_XFEATURE_RSRVD_COMP_14) && misc & UINTR_UINV) {
		xs_st64(m->regs.uintr + UINTR_MISC, misc & ~UINTR_UINV);
		xs_machine_wrote(m, XS_BIT(XS_XFEATURE_RSRVD_COMP_14));
	}
}

/*
 * §4.4 XSAVES: XSAVEC over XCR0 | IA32_XSS at CPL 0, with the modified
 * optimisation against an XRSTORS/compacted XRSTOR with XCOMP_BV = RFBM |
 * bit 63. XSTATE_BV comes from XINUSE, not from what was written, so a
 * skipped component keeps its (still valid) older data.
 */
enum xs_exception xs_xsaves(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags)
{
	uint8_t *img = buf, lbr_before[sizeof(m->regs.lbr)];
	uint64_t rfbm = edx_eax & (m->xcr0 | m->xss), in_use, to_save;
	struct xs_engine_plan scratch;
	const struct xs_engine_plan *p;
	enum xs_exception e = save_entry(m, xs_xsaves_enabled(m), true, buf, len, rfbm | XS_COMPACTED,
					 &scratch, &p);

	if (e)
		return e;
	in_use = rfbm & save_xinuse(m);
	to_save = in_use;
	if (same_as_last_restore(m, buf, rfbm | XS_COMPACTED))
		to_save &= m->xmodified;
	to_save |= mxcsr_in_use(m, rfbm);
	if (to_save & XS_XFEATURE_MASK_LBR)
		memcpy(lbr_before, img + p->off[15], m->comp.size[15]);
	store_compacted(m, p, img, rfbm, to_save, flags);
	xsaves_fixups(m, img, p->off, to_save, lbr_before, m->comp.size[15]);
	xs_st64(img + XS_HDR_XSTATE_BV, in_use | mxcsr_in_use(m, rfbm));
	xsaves_side_effects(m, to_save);
	xs_plan_keep(m, p);
	return XS_EXC_NONE;
}
