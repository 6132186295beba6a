// SPDX-License-Identifier: MIT
/* Edge: the CPU this code runs on, read with the CPUID instruction. */
#include <errno.h>

#include "cpu/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static void add(xs_cpu *cpu, uint32_t leaf, uint32_t subleaf)
{
	unsigned a, b, c, d;

	__cpuid_count(leaf, subleaf, a, b, c, d);
	xs_cpu_set_leaf(cpu, leaf, subleaf, a, b, c, d);
}

/* Sub-leaf counts for the leaves that have them. */
static unsigned subleaf_count(xs_cpu *cpu, uint32_t leaf)
{
	uint32_t r[4];

	switch (leaf) {
	case 0x4:	/* cache parameters: until type 0 */
		for (unsigned i = 0; i < 64; i++) {
			add(cpu, leaf, i);
			xs_cpuid(cpu, leaf, i, r);
			if ((r[0] & 0x1f) == 0)
				return 0;
		}
		return 0;
	case 0x7: case 0x14: case 0x1d: case 0x24:
		/* EAX of sub-leaf 0 is the highest sub-leaf. */
		add(cpu, leaf, 0);
		xs_cpuid(cpu, leaf, 0, r);
		return (r[0] < 63 ? r[0] : 63) + 1;
	case 0xb: case 0x1f:
		return 4;
	case 0xd:
		return 64;
	case 0xf: case 0x10: case 0x12: case 0x1e:
		return 4;
	default:
		return 1;
	}
}

static void add_range(xs_cpu *cpu, uint32_t base)
{
	unsigned a, b, c, d;
	uint32_t max;

	__cpuid_count(base, 0, a, b, c, d);
	max = a;
	if (base && (max < base || max > base + 0x40))
		max = base;	/* no extended leaves */
	if (!base && max > 0x40)
		max = 0x40;
	for (uint32_t leaf = base; leaf <= max; leaf++) {
		unsigned n = subleaf_count(cpu, leaf);

		for (unsigned s = 0; s < n; s++)
			add(cpu, leaf, s);
	}
}

int xs_cpu_from_host(xs_cpu *cpu)
{
	xs_cpu_init(cpu);
	add_range(cpu, 0);
	add_range(cpu, 0x80000000u);
	cpu->source = XS_CPU_SRC_HOST;
	xs_cpu_finish(cpu);
	return 0;
}
#else
int xs_cpu_from_host(xs_cpu *cpu)
{
	xs_cpu_init(cpu);
	return -ENODEV;
}
#endif
