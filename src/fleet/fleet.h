/* SPDX-License-Identifier: MIT */
/*
 * The fleet layer (src/fleet/): answers about several systems at once —
 * buffers of any CPU and their conversion, compatibility between hosts,
 * pool baselines and the levelled CPU, vCPU snapshot plans, what each
 * CET-S policy costs. Above src/linux/, whose public functions it calls
 * as a user of the kernel would.
 */
#ifndef XS_FLEET_H
#define XS_FLEET_H

#include "linux/linux.h"

/* A pool baseline (baseline.c): programs hold it as the opaque xs_baseline. */
struct xs_baseline {
	union {
		struct xs_baseline_info info;
		struct {	/* the same members, by their own names */
			uint64_t xcr0, xss;
			uint32_t d1_eax;
			uint64_t dropped, no_xsave;
			unsigned standard_size, compacted_size;
		};
	};
	/* for each dropped component, the hosts (bit i = host i) that limit it */
	uint64_t limiting[XS_XFEATURE_MAX];
	struct xs_component_layout layout[XS_XFEATURE_MAX];
	/* CPUID leaf 0xD to show guests (sub-leaves 0, 1 and 2..19) */
	struct xs_cpuid_leaf leaf_d[XS_XFEATURE_MAX];
};

/* compat.c, for baseline.c: what a host offers and how CPUID 0xD lays a component out. */
/* Supervisor state that travels outside the xsave buffer (KVM's XSS, a task's own regsets). */
uint64_t xs_fleet_outside_state(const xs_system *sys, enum xs_compat_kind kind);
/* Component nr as the host's CPUID 0xD.nr describes it. */
void xs_fleet_layout_of(const xs_system *sys, unsigned nr, struct xs_component_layout *l);
/* Do two hosts lay component nr out alike? */
bool xs_fleet_same_layout(const xs_system *a, const xs_system *b, unsigned nr);

/* view.c: component nr as a CPU describes it (CPUID 0xD.nr; the legacy area's fixed places for 0, 1). */
void xs_fleet_component(const xs_system *sys, unsigned nr, uint32_t *size, uint32_t *offset, uint32_t *flags);

#endif
