// SPDX-License-Identifier: MIT
/*
 * Where components live in an XSAVE area of this CPU model (§1.1): the
 * standard format puts component i at CPUID(0Dh,i).EBX; the compacted
 * format packs the components of XCOMP_BV in index order from byte 576,
 * each aligned to 64 when CPUID(0Dh,i).ECX[1] says so.
 */
#include "engine/engine.h"

/*
 * Standard-format size for RFBM: the legacy region and header, and the
 * furthest end of any requested component (§1.1) — the arithmetic of
 * CPUID 0xD.0 EBX (common.h) over this model's leaf 0xD.
 */
size_t xs_std_size(const xs_machine *m, uint64_t rfbm)
{
	return xs_standard_size_of(rfbm & XS_EXTENDED_MASK, m->comp.offset, m->comp.size);
}

void xs_cmp_offsets(const xs_machine *m, uint64_t format, uint32_t off[XS_XFEATURE_MAX])
{
	memset(off, 0, XS_XFEATURE_MAX * sizeof(off[0]));
	xs_compacted_offsets_of(format & XS_EXTENDED_MASK, m->comp.size, m->comp.flags, off);
}

size_t xs_cmp_size(const xs_machine *m, uint64_t format)
{
	return xs_compacted_offsets_of(format & XS_EXTENDED_MASK, m->comp.size, m->comp.flags, NULL);
}

size_t xs_engine_standard_size(const xs_machine *m, uint64_t mask)
{
	return xs_std_size(m, mask & (m->cpu.xcr0_supported | m->cpu.xss_supported));
}

size_t xs_engine_compacted_size(const xs_machine *m, uint64_t mask)
{
	return xs_cmp_size(m, mask & (m->cpu.xcr0_supported | m->cpu.xss_supported));
}

size_t xs_engine_offset(const xs_machine *m, uint64_t xcomp_bv, unsigned nr)
{
	uint32_t off[XS_XFEATURE_MAX];

	if (nr >= XS_XFEATURE_MAX)
		return 0;
	if (nr < 2)
		return xs_component(nr)->fixed_offset;
	if (!(xcomp_bv & XS_COMPACTED))
		return m->comp.flags[nr] & XS_LEAF_D_SUPERVISOR ? 0 : m->comp.offset[nr];
	if (!(xcomp_bv & XS_BIT(nr)))
		return 0;
	xs_cmp_offsets(m, xcomp_bv, off);
	return off[nr];
}

/*
 * The plan of one format (struct xs_engine_plans): the offsets and size
 * above, once, and the components as runs — neighbours that follow each
 * other both in the buffer and in xs_regs (AVX-512's three, the AMX pair
 * in the standard format, ...) become one copy.
 */
static void build_plan(const xs_machine *m, uint64_t key, struct xs_engine_plan *p)
{
	struct xs_engine_run *r = NULL;

	memset(p, 0, sizeof(*p));
	p->key = key;
	p->ext = key & XS_EXTENDED_MASK;
	if (key & XS_COMPACTED) {
		/* the offsets and the size in one walk (p is zeroed: the others stay 0) */
		p->size = (uint32_t)xs_compacted_offsets_of(p->ext, m->comp.size, m->comp.flags, p->off);
	} else {
		for (uint64_t rest = p->ext; rest; rest &= rest - 1)
			p->off[xs_lowest(rest)] = m->comp.offset[xs_lowest(rest)];
		p->size = (uint32_t)xs_std_size(m, p->ext);
	}
	for (uint64_t rest = p->ext; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);
		uint32_t regs = (uint32_t)xs_regs_offset(nr), len = m->comp.size[nr];

		if (r && r->at + r->len == p->off[nr] && r->regs + r->len == regs) {
			r->comps |= XS_BIT(nr);
			r->len += len;
			continue;
		}
		r = &p->runs[p->nruns++];
		*r = (struct xs_engine_run){ XS_BIT(nr), p->off[nr], regs, len };
	}
}

const struct xs_engine_plan *xs_plan_find(const xs_machine *m, uint64_t key, struct xs_engine_plan *scratch)
{
	const struct xs_engine_plans *c = &m->plans;

	for (unsigned i = 0; i < c->n; i++)
		if (c->plan[i].key == key)
			return &c->plan[i];
	build_plan(m, key, scratch);
	return scratch;
}

void xs_plan_keep_slow(xs_machine *m, const struct xs_engine_plan *p)
{
	struct xs_engine_plans *c = &m->plans;

	if (p >= c->plan && p < c->plan + c->n) {
		c->last = (unsigned)(p - c->plan);
		return;
	}
	/* a new one: the next slot, round robin once all are used */
	c->last = c->next;
	c->plan[c->last] = *p;
	c->next = (c->next + 1) % XS_ENGINE_PLANS;
	if (c->n < XS_ENGINE_PLANS)
		c->n++;
}
