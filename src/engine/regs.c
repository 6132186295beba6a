// SPDX-License-Identifier: MIT
/*
 * The register file: where components 2..19 sit in xs_regs (each as its
 * XSAVE image, so saves and restores copy bytes), their init
 * configurations (§7) and how XINUSE follows a restore (§4.5).
 */
#include <stddef.h>

#include "engine/engine.h"

/* xstate.h pads xs_regs so the vector components can be copied on aligned vectors. */
_Static_assert(offsetof(xs_machine, regs) == 0 && offsetof(xs_regs, xmm) % 64 == 0 &&
	       offsetof(xs_regs, ymm_hi128) % 64 == 0 && offsetof(xs_regs, zmm_hi256) % 64 == 0 &&
	       offsetof(xs_regs, hi16_zmm) % 64 == 0 && offsetof(xs_regs, tiledata) % 64 == 0,
	       "xs_regs: vector components at multiples of 64 bytes");

/* Where each component's image sits in xs_regs: its row of the component table. */
uint8_t *xs_regs_component(const xs_regs *r, unsigned nr)
{
	return (uint8_t *)r + xs_component(nr)->regs_offset;	/* strchr-style: the caller knows */
}

size_t xs_regs_offset(unsigned nr)
{
	return xs_component(nr)->regs_offset;
}

size_t xs_regs_capacity(unsigned nr)
{
	return nr >= 2 && nr < XS_XFEATURE_MAX ? xs_component(nr)->regs_capacity : 0;
}

/*
 * The init image of a component >= 2 (§7): zeros but for the row's init
 * word (HDC: IA32_PM_CTL1 = 1, HWP: IA32_HWP_REQUEST = 8000FF01h), and
 * LBR, whose DEPTH keeps the current value. dst may be the register itself.
 */
void xs_init_image(const xs_machine *m, unsigned nr, uint8_t *dst)
{
	uint64_t depth = xs_ld64(m->regs.lbr + LBR_DEPTH), word = xs_component(nr)->init_word;

	memset(dst, 0, m->comp.size[nr]);
	if (word)
		xs_st64(dst, word);
	else if (nr == XS_XFEATURE_LBR)
		xs_st64(dst + LBR_DEPTH, depth);
}

static void init_x87(struct xs_x87 *x)
{
	memset(x, 0, sizeof(*x));
	x->fcw = XS_FCW_DEFAULT;
	x->ftw = 0xffff;	/* every register empty */
}

/*
 * Outside 64-bit mode only the first 8 vector registers exist: the
 * register-indexed components are saved, restored and initialised for
 * those only, Hi16_ZMM not at all (§2, §7).
 */
size_t xs_mode_bytes(const xs_machine *m, unsigned nr)
{
	const struct xs_component *c = xs_component(nr);

	if (m->ctx.long_mode)
		return m->comp.size[nr];
	if (c->long_mode_only)
		return 0;
	return c->vreg_bytes ? 8u * c->vreg_bytes : m->comp.size[nr];
}

void xs_init_component(xs_machine *m, unsigned nr)
{
	uint8_t *p;

	if (nr == XS_XFEATURE_FP) {
		init_x87(&m->regs.x87);
	} else if (nr == XS_XFEATURE_SSE) {
		/* MXCSR is not part of the SSE init configuration (§7). */
		xs_zero(m->regs.xmm, xs_vector_regs(m) * 16u);
	} else {
		p = xs_regs_component(&m->regs, nr);
		if (xs_mode_bytes(m, nr) < m->comp.size[nr])
			xs_zero(p, xs_mode_bytes(m, nr));	/* vector registers: zero init */
		else
			xs_init_image(m, nr, p);
	}
}

/* xs_component_is_init(), inlined into the XINUSE evaluation below. */
static inline bool is_init(const xs_machine *m, unsigned nr)
{
	const uint8_t *p;
	uint8_t img[sizeof(m->regs.lbr)];
	size_t size;

	if (nr == XS_XFEATURE_FP)
		return xs_x87_is_init(&m->regs.x87);
	if (nr == XS_XFEATURE_SSE)
		return xs_all_zero(&m->regs.xmm[0][0], sizeof(m->regs.xmm));
	if (nr >= XS_XFEATURE_MAX || !m->comp.size[nr])
		return true;
	p = xs_regs_component(&m->regs, nr);
	size = m->comp.size[nr];
	if (xs_component(nr)->init_word || nr == XS_XFEATURE_LBR) {
		/* non-zero init values; LBR's DEPTH does not count (§7) */
		xs_init_image(m, nr, img);
		return !memcmp(p, img, size);
	}
	return xs_all_zero(p, size);
}

bool xs_component_is_init(const xs_machine *m, unsigned nr)
{
	return is_init(m, nr);
}

/*
 * XINUSE after a restore (§4.5): initialised components are not in use;
 * loaded ones are in use (SDM), or — when the CPU evaluates XINUSE on the
 * values — in use if their value is not the init value. That evaluation
 * is deferred to the next reader (xs_machine_xinuse), so a restore stays a
 * copy.
 */
void xs_note_restored(xs_machine *m, uint64_t loaded, uint64_t inited)
{
	m->xinuse &= ~inited;
	m->xinuse_stale &= ~inited;
	if (m->impl.xinuse_by_value)
		m->xinuse_stale |= loaded;
	else
		m->xinuse |= loaded;
}

/* Without the init optimisation XINUSE[i] is always 1 (SDM1 §13.6). */
uint64_t xs_machine_xinuse(xs_machine *m)
{
	uint64_t stale = m->xinuse_stale, inuse = m->xinuse | stale;

	if (!m->impl.init_opt)
		return (UINT64_C(1) << XS_XFEATURE_MAX) - 1;
	for (; stale; stale &= stale - 1)
		if (is_init(m, xs_lowest(stale)))
			inuse &= ~XS_BIT(xs_lowest(stale));
	m->xinuse = inuse;
	m->xinuse_stale = 0;
	return inuse;
}

void xs_machine_wrote(xs_machine *m, uint64_t mask)
{
	mask &= (UINT64_C(1) << XS_XFEATURE_MAX) - 1;
	m->xmodified |= mask;
	xs_note_restored(m, mask, 0);
}
