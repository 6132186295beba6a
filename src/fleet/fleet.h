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

/* compat.c, for baseline.c: what a host offers and how CPUID 0xD lays a component out. */
/* Supervisor state that travels outside the xsave buffer (KVM's XSS, a task's own regsets). */
uint64_t xs_fleet_outside_state(const xs_system *sys, enum xs_compat_kind kind);
/* Component nr as the host's CPUID 0xD.nr describes it. */
void xs_fleet_layout_of(const xs_system *sys, unsigned nr, struct xs_component_layout *l);
/* Do two hosts lay component nr out alike? */
bool xs_fleet_same_layout(const xs_system *a, const xs_system *b, unsigned nr);

/* view.c: component nr as a CPU describes it (CPUID 0xD.nr; the legacy area's fixed places for 0, 1). */
void xs_view_component(const xs_system *sys, unsigned nr, uint32_t *size, uint32_t *offset, uint32_t *flags);

#endif
