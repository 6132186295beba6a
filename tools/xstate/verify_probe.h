/* SPDX-License-Identifier: MIT */
/*
 * Live probes (verify_probe.c): small experiments on the CPU at hand that
 * measure the microarchitecture traits (the traits table) before a
 * live verify run, so that the engine runs with what this CPU does.
 */
#ifndef XS_VERIFY_PROBE_H
#define XS_VERIFY_PROBE_H

#include <stdint.h>
#include <stdio.h>

#include "xstate.h"

struct vp_traits {
	const char *row;			/* the table's row for this CPU (xs_traits_row) */
	struct xs_trait_value table[XS_TRAIT_COUNT];	/* its values */
	uint64_t value[XS_TRAIT_COUNT];		/* measured here, where `measured` has the bit */
	uint32_t measured;			/* bit t: trait t measured */
	uint32_t unclear;			/* bit t: probed, but the outcomes fit no value */
	char how[XS_TRAIT_COUNT][160];		/* what the probe saw (measured or unclear) */
};

/*
 * Run every probe this CPU allows (CPUID, XCR0: a probe that needs
 * XSAVEOPT or AVX is skipped without them) and put the measured values
 * into m, whose row is cpu's. 0, or -errno where the hardware backend
 * failed.
 */
int vp_probe_and_apply(xs_machine *m, const xs_cpu *cpu, const struct xs_hw *hw, struct vp_traits *p);
/*
 * One line per trait that disagrees with the table ("trait x87_ptr_bits:
 * table 57 (measured on …), measured 48 — using measured") or whose probe
 * was unclear; returns how many lines.
 */
unsigned vp_report(const struct vp_traits *p, FILE *f);

#endif
