// SPDX-License-Identifier: MIT
/*
 * The CPU model as programs hold it: allocated by the library (its size is
 * the library's business, so a larger leaf table changes no program) and
 * read through accessors. The library itself uses the struct directly.
 */
#include <stdlib.h>

#include "cpu/cpu.h"

xs_cpu *xs_cpu_new(void)
{
	return calloc(1, sizeof(xs_cpu));
}

xs_cpu *xs_cpu_dup(const xs_cpu *cpu)
{
	xs_cpu *copy = malloc(sizeof(*copy));

	if (copy)
		*copy = *cpu;
	return copy;
}

void xs_cpu_free(xs_cpu *cpu)
{
	free(cpu);
}

const char *xs_cpu_vendor(const xs_cpu *cpu)
{
	return cpu->vendor;
}

const char *xs_cpu_brand(const xs_cpu *cpu)
{
	return cpu->brand;
}

unsigned xs_cpu_family(const xs_cpu *cpu)
{
	return cpu->family;
}

unsigned xs_cpu_model(const xs_cpu *cpu)
{
	return cpu->model;
}

unsigned xs_cpu_stepping(const xs_cpu *cpu)
{
	return cpu->stepping;
}

enum xs_cpu_source xs_cpu_source(const xs_cpu *cpu)
{
	return cpu->source;
}

unsigned xs_cpu_nleaves(const xs_cpu *cpu)
{
	return cpu->nleaves;
}

const struct xs_cpuid_leaf *xs_cpu_leaf(const xs_cpu *cpu, unsigned i)
{
	return i < cpu->nleaves ? &cpu->leaves[i] : NULL;
}
