/* SPDX-License-Identifier: MIT */
/*
 * A CPU's row of the traits table, resolved (traits.c): what the machine
 * starts with. Programs read rows through xs_traits_row() and
 * xs_traits_value().
 */
#ifndef XS_ENGINE_TRAITS_H
#define XS_ENGINE_TRAITS_H

#include "cpu/cpu.h"

/* One row of the table, its values resolved against a CPU's CPUID. */
struct xs_traits {
	const char *row;		/* "AMD Zen 3 (family 19h, models 00h-0Fh 20h-5Fh)" */
	struct xs_trait_value v[XS_TRAIT_COUNT];
};

/* The row for this CPU's vendor, family and model (never fails: a default row ends the table). */
void xs_traits_of(const xs_cpu *cpu, struct xs_traits *out);

#endif
