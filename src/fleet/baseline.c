// SPDX-License-Identifier: MIT
/*
 * Pool baselines: the largest state every host of a pool accepts, with the
 * CPUID leaf 0xD a VMM should show its guests (the rest of the levelled
 * CPU is baseline_cpu.c's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet.h"

/* The info struct and the members baseline.c uses by name are one memory (a union). */
#define SAME_MEMBER(m) \
	_Static_assert(offsetof(xs_baseline, m) == offsetof(xs_baseline, info.m) && \
		       sizeof(((xs_baseline *)0)->m) == sizeof(((xs_baseline *)0)->info.m), "xs_baseline." #m)
SAME_MEMBER(xcr0);
SAME_MEMBER(xss);
SAME_MEMBER(d1_eax);
SAME_MEMBER(dropped);
SAME_MEMBER(no_xsave);
SAME_MEMBER(standard_size);
SAME_MEMBER(compacted_size);

/* The layout most hosts offering `nr` agree on; *which* gets their bitmap. */
static void common_layout(const xs_system *const *hosts, unsigned n, uint64_t offering, unsigned nr,
			  struct xs_component_layout *best, uint64_t *agree)
{
	unsigned best_count = 0;

	*agree = 0;
	for (unsigned i = 0; i < n; i++) {
		struct xs_component_layout li;
		uint64_t same = 0;
		unsigned count = 0;

		if (!(offering & XS_BIT(i)))
			continue;
		xs_fleet_layout_of(hosts[i], nr, &li);
		for (unsigned j = 0; j < n; j++)
			if ((offering & XS_BIT(j)) && xs_fleet_same_layout(hosts[i], hosts[j], nr)) {
				same |= XS_BIT(j);
				count++;
			}
		if (count > best_count) {
			best_count = count;
			*best = li;
			*agree = same;
		}
	}
}

static void baseline_components(const xs_system *const *hosts, unsigned n, enum xs_compat_kind kind,
				uint64_t all, xs_baseline *bl)
{
	uint64_t any = 0, every = ~0ull;

	for (unsigned i = 0; i < n; i++) {
		uint64_t f = xs_compat_features(hosts[i], kind) | xs_fleet_outside_state(hosts[i], kind);

		any |= f;
		every &= f;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		uint64_t offering = 0, agree;

		if (!(any & XS_BIT(nr)))
			continue;
		for (unsigned i = 0; i < n; i++)
			if ((xs_compat_features(hosts[i], kind) | xs_fleet_outside_state(hosts[i], kind)) & XS_BIT(nr))
				offering |= XS_BIT(i);
		if (nr < 2) {
			if (every & XS_BIT(nr))
				bl->xcr0 |= XS_BIT(nr);
			continue;
		}
		common_layout(hosts, n, offering, nr, &bl->layout[nr], &agree);
		if (agree != all) {
			bl->dropped |= XS_BIT(nr);
			bl->limiting[nr] = all & ~agree;
		} else if (xs_xfeature_info(nr)->supervisor) {
			bl->xss |= XS_BIT(nr);
		} else {
			bl->xcr0 |= XS_BIT(nr);
		}
	}
}

static void baseline_leaf_d(xs_baseline *bl)
{
	uint32_t size[XS_XFEATURE_MAX] = { 0 }, offset[XS_XFEATURE_MAX] = { 0 }, flags[XS_XFEATURE_MAX] = { 0 };
	uint64_t m = (bl->xcr0 | bl->xss) & XS_MODELLED_MASK & ~XS_XFEATURE_MASK_FPSSE, user = 0;
	unsigned std, cmp;

	for (uint64_t rest = m; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);
		const struct xs_component_layout *l = &bl->layout[nr];

		size[nr] = l->size;
		offset[nr] = l->offset;
		flags[nr] = l->flags;
		if (!(l->flags & XS_LEAF_D_SUPERVISOR))
			user |= XS_BIT(nr);
		bl->leaf_d[nr] = (struct xs_cpuid_leaf){ 0xd, nr, l->size, l->offset, l->flags, 0 };
	}
	/* what CPUID 0xD.0/1 EBX give for these components */
	std = (unsigned)xs_standard_size_of(user, offset, size);
	cmp = (unsigned)xs_compacted_offsets_of(m, size, flags, NULL);
	bl->standard_size = std;
	bl->compacted_size = cmp;
	bl->leaf_d[0] = (struct xs_cpuid_leaf){ 0xd, 0, (uint32_t)bl->xcr0, std, std, (uint32_t)(bl->xcr0 >> 32) };
	bl->leaf_d[1] = (struct xs_cpuid_leaf){ 0xd, 1, bl->d1_eax, cmp, (uint32_t)bl->xss, (uint32_t)(bl->xss >> 32) };
}

/* A group one host cannot take whole is left out whole, limited by that host. */
static void keep_group_whole(xs_baseline *bl, uint64_t group, uint64_t need)
{
	uint64_t limiting = 0;

	if (!(bl->xcr0 & group) || (bl->xcr0 & need) == need)
		return;
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (need & bl->dropped & XS_BIT(nr))
			limiting |= bl->limiting[nr];
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (group & bl->xcr0 & XS_BIT(nr))
			bl->limiting[nr] = limiting;
	bl->dropped |= group & bl->xcr0;
	bl->xcr0 &= ~group;
}

/*
 * XCR0 takes some components only together (XSETBV #GP otherwise), and
 * only with what they need: the component table's XCR0 groups — the three
 * AVX-512 ones, with SSE and YMM under them; MPX's two; AMX's two.
 */
static void keep_groups_whole(xs_baseline *bl)
{
	uint64_t done = 0;

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_component *c = xs_component(nr);

		if (!c->xcr0_group || (done & XS_BIT(nr)))
			continue;
		done |= c->xcr0_group;
		keep_group_whole(bl, c->xcr0_group, c->xcr0_group | c->xcr0_needs);
	}
}

/*
 * A host's CPUID 0xD.1 EAX (XSAVEOPT, XSAVEC, XGETBV1, XSAVES, XFD) as
 * `kind` sees it. A vCPU gets only what the host's kernel kept (KVM
 * derives its CPUID from the kernel's capabilities: an erratum's or
 * clearcpuid='s XSAVES is gone for guests too); a process reads the CPU's
 * own bits. Nothing without XSAVE in use.
 */
static uint32_t host_d1_eax(const xs_system *sys, enum xs_compat_kind kind)
{
	static const enum xs_cpu_feature d1[] = { XS_CPU_XSAVEOPT, XS_CPU_XSAVEC, XS_CPU_XGETBV1,
						   XS_CPU_XSAVES, XS_CPU_XFD };
	uint32_t r[4];

	if (!sys->xsave)
		return 0;
	xs_cpuid(&sys->cpu, 0xd, 1, r);
	for (unsigned b = 0; kind == XS_COMPAT_VCPU && b < XS_ARRAY_SIZE(d1); b++)
		if (!(sys->cpu_features & XS_BIT(d1[b])))
			r[0] &= ~(1u << b);
	return r[0] & 0x1f;
}

static int baseline(const xs_system *const *hosts, unsigned n, enum xs_compat_kind kind, xs_baseline *bl)
{
	uint64_t all = n >= 64 ? ~0ull : XS_BIT(n) - 1;

	if (!n || n > 64)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (hosts[i]->halted)
			return -ENODEV;
	memset(bl, 0, sizeof(*bl));
	for (unsigned i = 0; i < n; i++)
		if (!hosts[i]->xsave)
			bl->no_xsave |= XS_BIT(i);
	bl->d1_eax = 0x1f;
	for (unsigned i = 0; i < n; i++)
		bl->d1_eax &= host_d1_eax(hosts[i], kind);
	baseline_components(hosts, n, kind, all, bl);
	keep_groups_whole(bl);
	/* without XSAVES everywhere there is nothing to put supervisor state in */
	if (!(bl->d1_eax & 8)) {
		for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
			if (!(bl->xss & XS_BIT(nr)))
				continue;
			for (unsigned i = 0; i < n; i++)
				if (!(host_d1_eax(hosts[i], kind) & 8))
					bl->limiting[nr] |= XS_BIT(i);
		}
		bl->dropped |= bl->xss;
		bl->xss = 0;
	}
	baseline_leaf_d(bl);
	if (bl->no_xsave) {
		/* no XSAVE for guests: no leaf 0xD, FXSAVE's buffer */
		memset(bl->leaf_d, 0, sizeof(bl->leaf_d));
		bl->standard_size = bl->compacted_size = XS_FXSAVE_SIZE;
	}
	return 0;
}

int xs_baseline_new(xs_baseline **out, const xs_system *const *hosts, unsigned n, enum xs_compat_kind kind)
{
	xs_baseline *bl = malloc(sizeof(*bl));
	int ret;

	if (!bl)
		return -ENOMEM;
	ret = baseline(hosts, n, kind, bl);
	if (ret) {
		free(bl);
		return ret;
	}
	*out = bl;
	return 0;
}

void xs_baseline_free(xs_baseline *bl)
{
	free(bl);
}

const struct xs_baseline_info *xs_baseline_info(const xs_baseline *bl)
{
	return &bl->info;
}

uint64_t xs_baseline_limiting(const xs_baseline *bl, unsigned nr)
{
	return nr < XS_XFEATURE_MAX ? bl->limiting[nr] : 0;
}

bool xs_baseline_layout(const xs_baseline *bl, unsigned nr, struct xs_component_layout *out)
{
	if (nr < 2 || nr >= XS_XFEATURE_MAX || !((bl->xcr0 | bl->xss | bl->dropped) & XS_BIT(nr)))
		return false;
	*out = bl->layout[nr];
	return true;
}

bool xs_baseline_leaf_d(const xs_baseline *bl, unsigned subleaf, struct xs_cpuid_leaf *out)
{
	if (subleaf >= XS_XFEATURE_MAX)
		return false;
	*out = bl->leaf_d[subleaf];
	return true;
}
