// SPDX-License-Identifier: MIT
/*
 * The restore instructions (§5): XRSTOR in its standard and compacted
 * forms, XRSTORS. Everything that can fault is checked before the first
 * register changes, in the order the live CPU shows: header #GP, then XFD
 * #NM, then the accesses (#PF), then MXCSR and the supervisor values
 * (#GP). A TILECFG image LDTILECFG would refuse is initialised instead of
 * loaded. Afterwards XINUSE, XMODIFIED and XRSTOR_INFO are updated (§4.5).
 */
#include "engine/engine.h"

/* What the header asks for and what the instruction will do. */
struct plan {
	uint64_t rfbm;
	uint64_t xstate_bv, xcomp_bv;
	bool compacted;
	uint64_t load;			/* components read from the area */
	uint64_t init;			/* components put into their init configuration */
	const struct xs_engine_plan *layout;	/* where the loaded ones are */
	struct xs_engine_plan scratch;	/* the layout when the machine has none for it yet */
};

/*
 * §5.1 #GP checks 2-7 (and §5.2 for XRSTORS): `allowed` is XCR0, or
 * XCR0 | IA32_XSS for XRSTORS. The standard form checks header bytes
 * 520-535 and XSTATE_BV against XCR0 regardless of RFBM; the compacted
 * form checks XCOMP_BV, XSTATE_BV ⊆ XCOMP_BV[62:0] and bytes 528-575.
 * XSTATE_BV[63] = 1 is #GP in both forms: the SDM's "including bit 63"
 * would let XCOMP_BV[63] cover it, BOCHS accepts it, but the live CPU
 * faults (AMD Zen 5; Zen 4 too, XSTATE_BV = XCOMP_BV = bit 63 | 3).
 */
static enum xs_exception check_header(const xs_machine *m, const uint8_t *img, uint64_t allowed,
				      bool xrstors, struct plan *p)
{
	p->xstate_bv = xs_ld64(img + XS_HDR_XSTATE_BV);
	p->xcomp_bv = xs_ld64(img + XS_HDR_XCOMP_BV);
	p->compacted = (p->xcomp_bv & XS_COMPACTED) != 0;
	if (!p->compacted) {
		if (xrstors || p->xstate_bv & ~m->xcr0)
			return XS_EXC_GP;
		return p->xcomp_bv || xs_ld64(img + XS_HDR_RESERVED) ? XS_EXC_GP : XS_EXC_NONE;
	}
	if (!m->cpu.xsavec || p->xcomp_bv & ~XS_COMPACTED & ~allowed)
		return XS_EXC_GP;
	if (p->xstate_bv & ~(p->xcomp_bv & ~XS_COMPACTED))
		return XS_EXC_GP;
	return xs_all_zero(img + XS_HDR_RESERVED, 48) ? XS_EXC_NONE : XS_EXC_GP;
}

/* Which components are loaded and initialised, and from where (§5.1). */
static void make_plan(const xs_machine *m, struct plan *p)
{
	uint64_t format = p->xcomp_bv & ~XS_COMPACTED;

	if (p->compacted) {
		p->load = p->rfbm & p->xstate_bv & format;
		p->layout = xs_plan(m, p->xcomp_bv, &p->scratch);
	} else {
		p->load = p->rfbm & p->xstate_bv;
		p->layout = xs_plan(m, p->rfbm, &p->scratch);
	}
	p->init = p->rfbm & ~p->load;
}

/*
 * The bytes the instruction may access (§4 memory-access rule; live CPU):
 * the standard form touches the whole RFBM area, the compacted form the
 * components it loads.
 */
static size_t reach(const xs_machine *m, const struct plan *p)
{
	if (p->compacted)
		return xs_plan_end(m, p->layout, p->load);
	return p->layout->size;
}

/*
 * §5.1 check 8: the MXCSR that would be loaded must fit MXCSR_MASK. The
 * standard form loads MXCSR whenever SSE or AVX is requested, the
 * compacted form only with SSE data.
 */
static bool mxcsr_loaded(const struct plan *p)
{
	if (p->compacted)
		return p->load & XS_XFEATURE_MASK_SSE;
	return p->rfbm & XS_MXCSR_USERS;
}

/* §5.3: loading data of an XFD-armed component is #NM, with IA32_XFD_ERR set. */
static enum xs_exception check_xfd(xs_machine *m, const struct plan *p)
{
	uint64_t hit = p->load & m->xcr0 & m->xfd;

	if (!hit)
		return XS_EXC_NONE;
	m->xfd_err = hit;	/* part of the #NM report, as CR2 is of #PF */
	return XS_EXC_NM;
}

/*
 * AMX TILECFG (§5.1, SDM1 §13.5.14): would LDTILECFG load this image?
 * SDM2 LDTILECFG: the palette must be supported (CPUID 1Dh); palette 0
 * is always accepted (it loads as all zeros: tiles unconfigured). Any
 * other palette needs bytes 2-15 zero, colsb[n] <= bytes_per_row and
 * rows[n] <= max_rows for n < max_names, colsb[n] and rows[n] both zero
 * or both not, and every byte after the last colsb (to 47) and the last
 * rows (to 63) zero. start_row (byte 1) is not checked.
 */
static bool tilecfg_loadable(const xs_machine *m, const uint8_t *c)
{
	const struct xs_tile_palette *pal;
	unsigned id = c[0];

	if (id == 0)
		return true;
	if (id > m->comp.tile_max_palette)
		return false;
	pal = &m->comp.tile_palette[id];
	if (!xs_all_zero(c + 2, 14))
		return false;
	for (unsigned n = 0; n < pal->max_names; n++) {
		unsigned colsb = xs_ld16(c + 16 + 2 * n), rows = c[48 + n];

		if (colsb > pal->bytes_per_row || rows > pal->max_rows || !colsb != !rows)
			return false;
	}
	return xs_all_zero(c + 16 + 2 * pal->max_names, 32 - 2 * pal->max_names) &&
	       xs_all_zero(c + 48 + pal->max_names, 16 - pal->max_names);
}

/*
 * XRSTOR and XRSTORS never #GP on a TILECFG image LDTILECFG would refuse:
 * they initialise TILECFG instead (TILEDATA is left to its own
 * XSTATE_BV bit), so the component moves from `load` to `init` (§5.1).
 */
static void settle_tilecfg(const xs_machine *m, const uint8_t *img, struct plan *p)
{
	uint64_t cfg = XS_XFEATURE_MASK_XTILE_CFG;

	if (p->load & cfg && !tilecfg_loadable(m, img + p->layout->off[XS_XFEATURE_XTILE_CFG])) {
		p->load &= ~cfg;
		p->init |= cfg;
	}
}

static enum xs_exception check_all(xs_machine *m, const uint8_t *img, size_t len, uint64_t allowed,
				   bool xrstors, struct plan *p)
{
	enum xs_exception e;

	if (len < XS_XSAVE_LEGACY_AND_HDR)
		return XS_EXC_PF;	/* the header cannot be read */
	e = check_header(m, img, allowed, xrstors, p);
	if (e)
		return e;
	make_plan(m, p);
	e = check_xfd(m, p);
	if (e)
		return e;
	if (len < reach(m, p))
		return XS_EXC_PF;
	if (mxcsr_loaded(p) && xs_mxcsr_bad(m, xs_ld32(img + XS_LEG_MXCSR)))
		return XS_EXC_GP;
	settle_tilecfg(m, img, p);	/* after the accesses: the image was read */
	return XS_EXC_NONE;
}

/* x87 and SSE (§5.1): MXCSR's source differs between the two forms. */
static void restore_legacy(xs_machine *m, const uint8_t *img, const struct plan *p, unsigned flags)
{
	if (p->load & XS_XFEATURE_MASK_FP)
		xs_load_x87(m, img, flags);
	else if (p->init & XS_XFEATURE_MASK_FP)
		xs_init_component(m, XS_XFEATURE_FP);
	if (p->load & XS_XFEATURE_MASK_SSE)
		xs_load_xmm(m, img);
	else if (p->init & XS_XFEATURE_MASK_SSE)
		xs_init_component(m, XS_XFEATURE_SSE);
	if (!p->compacted) {
		/* from memory even when both are initialised (§5.1, live CPU) */
		if (p->rfbm & XS_MXCSR_USERS)
			m->regs.mxcsr = xs_ld32(img + XS_LEG_MXCSR);
	} else if (p->load & XS_XFEATURE_MASK_SSE) {
		m->regs.mxcsr = xs_ld32(img + XS_LEG_MXCSR);
	} else if (p->init & XS_XFEATURE_MASK_SSE) {
		m->regs.mxcsr = XS_MXCSR_DEFAULT;	/* compacted SSE init (§7) */
	}
}

/* After a restore: XINUSE, XMODIFIED = ~RFBM, XRSTOR_INFO (§4.5). */
static void finish_restore(xs_machine *m, const void *buf, const struct plan *p)
{
	uint64_t untouched = m->ctx.long_mode ? 0 : XS_XFEATURE_MASK_Hi16_ZMM;

	xs_note_restored(m, p->load & ~untouched, p->init & ~untouched);
	m->xmodified = ~p->rfbm;
	xs_plan_keep(m, p->layout);
	m->xrstor_info = (struct xs_xrstor_info){
		.valid = true, .cpl = xs_cpl(m), .vmx_non_root = m->ctx.vmx_non_root,
		.laddr = (uintptr_t)buf, .xcomp_bv = p->xcomp_bv,
	};
}

/*
 * Components 2..19 of `which` (all in the plan's format) from the area,
 * each its mode's bytes (§2): in 64-bit mode a run of the plan whose
 * components are all loaded is one copy. A TILECFG of palette 0 loads as
 * zeros (SDM2 LDTILECFG).
 */
static void load_components(xs_machine *m, const struct xs_engine_plan *p, const uint8_t *img,
			    uint64_t which)
{
	uint8_t *regs = (uint8_t *)&m->regs;

	if (m->ctx.long_mode) {
		xs_plan_copy(m, p, which, regs, img, true);
	} else {
		for (uint64_t rest = which; rest; rest &= rest - 1)
			memcpy(regs + xs_regs_offset(xs_lowest(rest)), img + p->off[xs_lowest(rest)],
			       xs_mode_bytes(m, xs_lowest(rest)));
	}
	if (which & XS_XFEATURE_MASK_XTILE_CFG && img[p->off[XS_XFEATURE_XTILE_CFG]] == 0)
		memset(&m->regs.tilecfg, 0, m->comp.size[XS_XFEATURE_XTILE_CFG]);
}

static void restore(xs_machine *m, const uint8_t *img, const struct plan *p, unsigned flags)
{
	restore_legacy(m, img, p, flags);
	load_components(m, p->layout, img, p->load & XS_EXTENDED_MASK);
	for (uint64_t rest = p->init & XS_EXTENDED_MASK; rest; rest &= rest - 1)
		xs_init_component(m, xs_lowest(rest));
	finish_restore(m, img, p);
}

/*
 * §5.1 XRSTOR. XCOMP_BV[63] picks the form; RFBM = EDX:EAX & XCR0;
 * requested components are loaded where XSTATE_BV (and, compacted,
 * XCOMP_BV) say so and initialised otherwise; the rest is untouched.
 */
enum xs_exception xs_xrstor(xs_machine *m, const void *buf, size_t len, uint64_t edx_eax,
			    unsigned flags)
{
	struct plan p;	/* filled as the checks go (not zeroed: it holds a whole layout) */
	enum xs_exception e = xs_check_xsave_entry(m, true, buf);

	p.rfbm = edx_eax & m->xcr0;
	if (!e)
		e = check_all(m, buf, len, m->xcr0, false, &p);
	if (e)
		return e;
	restore(m, buf, &p, flags);
	return XS_EXC_NONE;
}

/* ---- XRSTORS: supervisor components (§5.2, §9) ------------------------ */

static bool canonical(const xs_machine *m, uint64_t v)
{
	unsigned shift = 64 - m->cpu.linear_bits;

	return (uint64_t)((int64_t)(v << shift) >> shift) == v;
}

/* A shadow-stack pointer MSR: canonical and 4-byte aligned (WRMSR rules). */
static bool ssp_ok(const xs_machine *m, uint64_t v)
{
	return canonical(m, v) && !(v & 3);
}

/* IA32_U_CET: bits 9:6 reserved, SUPPRESS and TRACKER not both, canonical bitmap base. */
static bool u_cet_ok(const xs_machine *m, uint64_t v)
{
	if (v & 0x3c0u || (v & 0xc00u) == 0xc00u)
		return false;
	return canonical(m, v & ~UINT64_C(0xfff));
}

static bool cet_ok(const xs_machine *m, const uint8_t *c, unsigned nr)
{
	if (nr == XS_XFEATURE_CET_USER)
		return u_cet_ok(m, xs_ld64(c)) && ssp_ok(m, xs_ld64(c + 8));
	return ssp_ok(m, xs_ld64(c)) && ssp_ok(m, xs_ld64(c + 8)) && ssp_ok(m, xs_ld64(c + 16));
}

/* UINTR (§5.2): canonical pointers, MISC 62:40, PD 5:0 and TT 3:1 reserved. */
static bool uintr_ok(const xs_machine *m, const uint8_t *c)
{
	uint64_t misc = xs_ld64(c + UINTR_MISC), pd = xs_ld64(c + 24), tt = xs_ld64(c + 40);

	if (!canonical(m, xs_ld64(c)) || !canonical(m, xs_ld64(c + 8)) || !canonical(m, pd) ||
	    !canonical(m, tt))
		return false;
	return !(misc & 0x7fffff0000000000ull) && !(pd & 0x3f) && !(tt & 0xe);
}

/* LBR DEPTH: a multiple of 8 up to 32 (reserved bits otherwise). */
static bool lbr_depth_ok(uint64_t depth)
{
	return depth <= 32 && !(depth & 7);
}

static bool supervisor_value_ok(const xs_machine *m, const uint8_t *c, unsigned nr)
{
	switch (nr) {
	case XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR:
		return m->comp.size[nr] <= PT_RESERVED ||
		       xs_all_zero(c + PT_RESERVED, m->comp.size[nr] - PT_RESERVED);
	case XS_XFEATURE_CET_USER:
	case XS_XFEATURE_CET_KERNEL:
		return cet_ok(m, c, nr);
	case XS_XFEATURE_RSRVD_COMP_14:
		return uintr_ok(m, c);
	case XS_XFEATURE_LBR:
		return lbr_depth_ok(xs_ld64(c + LBR_DEPTH));
	default:
		return true;	/* PASID, HDC, HWP: loaded as given */
	}
}

/*
 * §5.2 component rules checked before anything changes (the SDM lets a
 * faulting XRSTORS leave partial state; checking first is allowed):
 * PT may not be restored or initialised while TraceEn = 1, UINTR not
 * while UINV != 0; loaded values must be what WRMSR would accept.
 */
static enum xs_exception check_supervisor(const xs_machine *m, const uint8_t *img,
					  const struct plan *p)
{
	uint64_t touched = p->load | p->init;

	if (touched & XS_XFEATURE_MASK_PT && xs_ld64(m->regs.pt) & PT_TRACE_EN)
		return XS_EXC_GP;
	if (touched & XS_BIT(XS_XFEATURE_RSRVD_COMP_14) && xs_ld64(m->regs.uintr + UINTR_MISC) & UINTR_UINV)
		return XS_EXC_GP;
	for (uint64_t rest = p->load & m->xss; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);

		if (!supervisor_value_ok(m, img + p->layout->off[nr], nr))
			return XS_EXC_GP;
	}
	return XS_EXC_NONE;
}

/*
 * LBR restore (§5.2): with the image's DEPTH equal to the current one,
 * CTL, LER and the first DEPTH entries are loaded; otherwise CTL and LER
 * are loaded and every entry is zeroed. DEPTH itself never changes here.
 */
static void restore_lbr(xs_machine *m, const uint8_t *c)
{
	uint8_t *r = m->regs.lbr;
	uint64_t depth = xs_ld64(r + LBR_DEPTH);
	size_t entries = xs_ld64(c + LBR_DEPTH) == depth ? 24 * depth : 0;

	memcpy(r, c, LBR_DEPTH);
	memcpy(r + 16, c + 16, LBR_HEAD - 16);
	memset(r + LBR_HEAD, 0, m->comp.size[XS_XFEATURE_LBR] - LBR_HEAD);
	memcpy(r + LBR_HEAD, c + LBR_HEAD, entries);
}

/*
 * §5.2 XRSTORS: compacted only, CPL 0, RFBM over XCR0 | IA32_XSS; the
 * user components behave as in compacted XRSTOR.
 */
enum xs_exception xs_xrstors(xs_machine *m, const void *buf, size_t len, uint64_t edx_eax,
			     unsigned flags)
{
	const uint8_t *img = buf;
	struct plan p;
	enum xs_exception e = xs_check_xsave_entry(m, xs_xsaves_enabled(m), buf);

	p.rfbm = edx_eax & (m->xcr0 | m->xss);
	if (!e && xs_cpl(m))
		e = XS_EXC_GP;
	if (!e)
		e = check_all(m, img, len, m->xcr0 | m->xss, true, &p);
	if (!e)
		e = check_supervisor(m, img, &p);
	if (e)
		return e;
	if (p.load & XS_XFEATURE_MASK_LBR) {
		restore_lbr(m, img + p.layout->off[XS_XFEATURE_LBR]);
		p.load &= ~XS_XFEATURE_MASK_LBR;
		restore(m, img, &p, flags);
		xs_note_restored(m, XS_XFEATURE_MASK_LBR, 0);
		return XS_EXC_NONE;
	}
	restore(m, img, &p, flags);
	return XS_EXC_NONE;
}
