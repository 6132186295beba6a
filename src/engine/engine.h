/* SPDX-License-Identifier: MIT */
/*
 * The engine layer (src/engine/), above src/cpu/: the machine's fields
 * (machine.h) and the pieces the instruction files share — where each
 * component lives in xs_regs, the legacy-region (x87/SSE) conversions, the
 * buffer layout and the checks every instruction starts with. Section
 * numbers (§) are those of xsave-isa.md.
 */
#ifndef XS_ENGINE_H
#define XS_ENGINE_H

#include "cpu/cpu.h"
#include "engine/machine.h"
#include "engine/traits.h"

#define XS_COMPACTED XS_XCOMP_BV_COMPACTED_FORMAT
/* Components 2..19: their registers are kept as their XSAVE image. */
#define XS_EXTENDED_MASK (XS_MODELLED_MASK & ~XS_XFEATURE_MASK_FPSSE)

/* Components whose request makes the standard form store / load MXCSR (§4.1, §5.1). */
#define XS_MXCSR_USERS (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)

/* Inside supervisor components (§9): LBR's DEPTH and first entry, PT's reserved tail, UINTR's MISC. */
enum { LBR_DEPTH = 8, LBR_HEAD = 40, PT_RESERVED = 72, UINTR_MISC = 16 };
#define PT_TRACE_EN UINT64_C(1)			/* IA32_RTIT_CTL.TraceEn */
#define UINTR_UINV (UINT64_C(0xff) << 32)	/* IA32_UINTR_MISC[39:32] */

/* ---- regs.c: the register file -------------------------------------- */

/* Component nr (2..19) inside xs_regs, and how many bytes it holds. */
uint8_t *xs_regs_component(const xs_regs *r, unsigned nr);
size_t xs_regs_offset(unsigned nr);
size_t xs_regs_capacity(unsigned nr);
/* Put component nr (any) into its init configuration (§7). */
void xs_init_component(xs_machine *m, unsigned nr);
/* Write the init image of component nr >= 2 (its size bytes) to dst (§7). */
void xs_init_image(const xs_machine *m, unsigned nr, uint8_t *dst);
/* Bytes of component nr >= 2 that exist in the current mode (§2). */
size_t xs_mode_bytes(const xs_machine *m, unsigned nr);
/* How many XMM (and YMM_H, ZMM_H) registers the mode has (§2). */
static inline unsigned xs_vector_regs(const xs_machine *m)
{
	return m->ctx.long_mode ? 16 : 8;
}
/* XINUSE after components in `loaded` came from memory, `inited` were initialised. */
void xs_note_restored(xs_machine *m, uint64_t loaded, uint64_t inited);
/* xs_machine_xinuse() without the call when nothing is left to evaluate. */
static inline uint64_t xs_xinuse(xs_machine *m)
{
	return m->xinuse_stale || !m->impl.init_opt ? xs_machine_xinuse(m) : m->xinuse;
}

/* ---- legacy.c: the x87 and SSE parts of the legacy region (§2) ------ */

/* 64-bit FIP/FDP form? (REX.W in 64-bit mode) */
static inline bool xs_wide_pointers(const xs_machine *m, unsigned flags)
{
	return m->ctx.long_mode && (flags & XS_REX_W);
}
/* Store x87 (bytes 0-23, 32-159), XMM registers, MXCSR + MXCSR_MASK. */
void xs_store_x87(const xs_machine *m, uint8_t *img, unsigned flags);
void xs_store_xmm(const xs_machine *m, uint8_t *img);
void xs_store_mxcsr(const xs_machine *m, uint8_t *img);
/* Load them from an image (FCW/FSW/tags normalised as FXRSTOR does). */
void xs_load_x87(xs_machine *m, const uint8_t *img, unsigned flags);
void xs_load_xmm(xs_machine *m, const uint8_t *img);
/* x87 in its init configuration? */
bool xs_x87_is_init(const struct xs_x87 *x);
/* A 64-bit FIP/FDP as a restore keeps it: the low `bits`, sign-extended. */
uint64_t xs_pointer_bits(uint64_t v, unsigned bits);
/* Would this MXCSR load #GP (reserved bits set)? */
static inline bool xs_mxcsr_bad(const xs_machine *m, uint32_t mxcsr)
{
	return (mxcsr & ~m->mxcsr_mask) != 0;
}

/* ---- layout.c: where components live in a buffer -------------------- */

/* Standard-format bytes for RFBM (>= 576: legacy region and header). */
size_t xs_std_size(const xs_machine *m, uint64_t rfbm);
/* Compacted-format bytes for a format mask (XCOMP_BV[62:0]). */
size_t xs_cmp_size(const xs_machine *m, uint64_t format);
/* Compacted offsets of every component of `format` (others: 0). */
void xs_cmp_offsets(const xs_machine *m, uint64_t format, uint32_t off[XS_XFEATURE_MAX]);

/*
 * The plan of the standard format for RFBM (`key` = RFBM) or of the
 * compacted format for XCOMP_BV (`key` with bit 63); only the components
 * 2..19 of the key count. From the machine's cache (struct
 * xs_engine_plans), or built into `scratch`. Nothing is written to the
 * machine here: an instruction that completes keeps its plan with
 * xs_plan_keep(), so one that faults changes nothing, not even the cache.
 */
const struct xs_engine_plan *xs_plan_find(const xs_machine *m, uint64_t key, struct xs_engine_plan *scratch);
static inline const struct xs_engine_plan *xs_plan(const xs_machine *m, uint64_t key,
						    struct xs_engine_plan *scratch)
{
	const struct xs_engine_plans *c = &m->plans;

	key &= XS_EXTENDED_MASK | XS_COMPACTED;
	if (c->last < c->n && c->plan[c->last].key == key)
		return &c->plan[c->last];
	return xs_plan_find(m, key, scratch);
}
/* After the instruction completed: p becomes the cache's most recent plan (copied in when new). */
void xs_plan_keep_slow(xs_machine *m, const struct xs_engine_plan *p);
static inline void xs_plan_keep(xs_machine *m, const struct xs_engine_plan *p)
{
	if (p != &m->plans.plan[m->plans.last] || m->plans.last >= m->plans.n)
		xs_plan_keep_slow(m, p);
}
/*
 * Components 2..19 of `which` (all in the plan's format), every byte of
 * each (64-bit mode), between a buffer and xs_regs: a run of the plan
 * whose components are all in `which` is one copy. to_regs: from the
 * buffer `src` into the registers at `dst`; else the registers at `src`
 * into the buffer `dst`.
 */
static inline void xs_plan_copy(const xs_machine *m, const struct xs_engine_plan *p, uint64_t which,
				uint8_t *dst, const uint8_t *src, bool to_regs)
{
	for (const struct xs_engine_run *r = p->runs; which && r < p->runs + p->nruns; r++) {
		uint64_t part = r->comps & which;

		which &= ~r->comps;
		if (part == r->comps) {
			memcpy(dst + (to_regs ? r->regs : r->at), src + (to_regs ? r->at : r->regs), r->len);
			continue;
		}
		for (; part; part &= part - 1) {
			unsigned nr = xs_lowest(part);
			size_t in_regs = xs_regs_offset(nr);

			memcpy(dst + (to_regs ? in_regs : p->off[nr]), src + (to_regs ? p->off[nr] : in_regs),
			       m->comp.size[nr]);
		}
	}
}
/* End of the highest component of `which` (within the plan's) in that buffer. */
static inline size_t xs_plan_end(const xs_machine *m, const struct xs_engine_plan *p, uint64_t which)
{
	uint64_t ext = which & p->ext;
	unsigned top;

	if (!ext)
		return XS_XSAVE_LEGACY_AND_HDR;
	top = 63 - (unsigned)__builtin_clzll(ext);
	return (size_t)p->off[top] + m->comp.size[top];
}

/* ---- entry.c: what every instruction checks first (§4, §5) ---------- */

/* The CPL the checks use: 3 in virtual-8086 mode (§6). */
static inline unsigned xs_cpl(const xs_machine *m)
{
	return m->ctx.v86 ? 3 : m->ctx.cpl;
}
/* XSAVES/XRSTORS exist: CPUID 0Dh.1 EAX[3], and not disabled by VMX (§4). */
static inline bool xs_xsaves_enabled(const xs_machine *m)
{
	return m->cpu.xsaves && !(m->ctx.vmx_non_root && m->ctx.vmx_xsaves_off);
}

/* #UD (no XSAVE / OSXSAVE / the CPUID bit), #NM (CR0.TS), alignment #GP/#AC. */
enum xs_exception xs_check_xsave_entry(const xs_machine *m, bool cpuid_bit, const void *buf);
/* The same for FXSAVE/FXRSTOR (16-byte alignment, CR0.EM). */
enum xs_exception xs_check_fx_entry(const xs_machine *m, const void *buf);
/* Components XSAVE* must treat as init: XFD-armed ones (§5.3), Hi16_ZMM outside 64-bit mode (§2). */
uint64_t xs_save_as_init(const xs_machine *m);

#endif
