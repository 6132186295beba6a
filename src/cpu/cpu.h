/* SPDX-License-Identifier: MIT */
/*
 * The CPU layer (src/cpu/): a CPU model is its CPUID leaves — parsed from
 * a dump, written back out, read from the host (the edges cpu_file.c and
 * cpu_host.c), and what leaf 0xD says about buffer sizes. Uses only
 * src/common/.
 */
#ifndef XS_CPU_H
#define XS_CPU_H

#include "common/common.h"

/* The leaf table's capacity: xs_cpu_set_leaf() refuses a leaf beyond it (-ENOSPC). */
#define XS_CPU_MAX_LEAVES 640

/* A CPU model: its CPUID leaves, sorted by (leaf, subleaf). */
struct xs_cpu {
	unsigned nleaves;
	struct xs_cpuid_leaf leaves[XS_CPU_MAX_LEAVES];
	enum xs_cpu_source source;
	char vendor[13];	/* "GenuineIntel", "AuthenticAMD", … */
	char brand[49];		/* CPUID 0x80000002..4, trimmed */
	unsigned family, model, stepping;	/* display values */
};

/* leaf_d.c: CPUID.0xD.0:EBX and 0xD.1:EBX as the CPU answers them for a component mask. */
unsigned xs_cpuid_standard_size(const xs_cpu *cpu, uint64_t mask);
unsigned xs_cpuid_compacted_size(const xs_cpu *cpu, uint64_t mask);
/* CPUID 0xD sub-leaf beyond XS_XSTATE_COMPONENT_LIMIT? (why: the message) */
bool xs_xsave_leaf_too_large(uint32_t subleaf, const uint32_t r[4], char *why, size_t size);
/* The first CPUID 0xD sub-leaf no real CPU would give (why: the message), or 0. */
unsigned xs_cpu_bad_xsave_leaf(const xs_cpu *cpu, char *why, size_t size);

#endif
