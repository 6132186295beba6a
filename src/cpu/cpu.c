// SPDX-License-Identifier: MIT
/*
 * A CPU model is its CPUID leaves. This file answers CPUID queries against
 * the table and decodes the feature bits the XSAVE model depends on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"

void xs_cpu_init(xs_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
}

static int leaf_cmp(const struct xs_cpuid_leaf *l, uint32_t leaf, uint32_t subleaf)
{
	if (l->leaf != leaf)
		return l->leaf < leaf ? -1 : 1;
	if (l->subleaf != subleaf)
		return l->subleaf < subleaf ? -1 : 1;
	return 0;
}

/* Index of the first entry >= (leaf, subleaf). */
static unsigned lower_bound(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf)
{
	unsigned lo = 0, hi = cpu->nleaves;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (leaf_cmp(&cpu->leaves[mid], leaf, subleaf) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int xs_cpu_set_leaf(xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx,
		    uint32_t ecx, uint32_t edx)
{
	unsigned i = lower_bound(cpu, leaf, subleaf);
	struct xs_cpuid_leaf *l = &cpu->leaves[i];

	if (i == cpu->nleaves || leaf_cmp(l, leaf, subleaf) != 0) {
		if (cpu->nleaves == XS_CPU_MAX_LEAVES)
			return -ENOSPC;
		memmove(l + 1, l, (cpu->nleaves - i) * sizeof(*l));
		cpu->nleaves++;
	}
	*l = (struct xs_cpuid_leaf){ leaf, subleaf, eax, ebx, ecx, edx };
	return 0;
}

/*
 * Leaves whose output depends on ECX. For all others the instruction
 * ignores ECX, and dumps record them as sub-leaf 0.
 */
static bool leaf_has_subleaves(uint32_t leaf)
{
	switch (leaf) {
	case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12:
	case 0x14: case 0x17: case 0x18: case 0x1a: case 0x1b: case 0x1d: case 0x1e:
	case 0x1f: case 0x20: case 0x23: case 0x24:
	case 0x8000001d: case 0x80000020: case 0x80000026:
		return true;
	default:
		return false;
	}
}

bool xs_cpuid(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	unsigned i;

	if (!leaf_has_subleaves(leaf))
		subleaf = 0;
	i = lower_bound(cpu, leaf, subleaf);
	if (i < cpu->nleaves && leaf_cmp(&cpu->leaves[i], leaf, subleaf) == 0) {
		const struct xs_cpuid_leaf *l = &cpu->leaves[i];

		out[0] = l->eax;
		out[1] = l->ebx;
		out[2] = l->ecx;
		out[3] = l->edx;
		return true;
	}
	out[0] = out[1] = out[2] = out[3] = 0;
	return false;
}

enum { EAX, EBX, ECX, EDX };

/* Where each feature lives in CPUID: leaf, sub-leaf, register, bit. */
static const struct {
	const char *name;
	uint32_t leaf, subleaf;
	unsigned char reg, bit;
} feature_bits[XS_CPU_FEATURE_COUNT] = {
	[XS_CPU_FPU] = { "fpu", 1, 0, EDX, 0 },
	[XS_CPU_FXSR] = { "fxsr", 1, 0, EDX, 24 },
	[XS_CPU_XMM] = { "sse", 1, 0, EDX, 25 },
	[XS_CPU_XMM2] = { "sse2", 1, 0, EDX, 26 },
	[XS_CPU_XSAVE] = { "xsave", 1, 0, ECX, 26 },
	[XS_CPU_OSXSAVE] = { "osxsave", 1, 0, ECX, 27 },
	[XS_CPU_AVX] = { "avx", 1, 0, ECX, 28 },
	[XS_CPU_HYPERVISOR] = { "hypervisor", 1, 0, ECX, 31 },
	[XS_CPU_AVX2] = { "avx2", 7, 0, EBX, 5 },
	[XS_CPU_FDP_EXCPTN_ONLY] = { "fdp_excptn_only", 7, 0, EBX, 6 },
	[XS_CPU_ZERO_FCS_FDS] = { "zero_fcs_fds", 7, 0, EBX, 13 },
	[XS_CPU_MPX] = { "mpx", 7, 0, EBX, 14 },
	[XS_CPU_AVX512F] = { "avx512f", 7, 0, EBX, 16 },
	[XS_CPU_INTEL_PT] = { "intel_pt", 7, 0, EBX, 25 },
	[XS_CPU_PKU] = { "pku", 7, 0, ECX, 3 },
	[XS_CPU_OSPKE] = { "ospke", 7, 0, ECX, 4 },
	[XS_CPU_SHSTK] = { "shstk", 7, 0, ECX, 7 },
	[XS_CPU_ENQCMD] = { "enqcmd", 7, 0, ECX, 29 },
	[XS_CPU_ARCH_LBR] = { "arch_lbr", 7, 0, EDX, 19 },
	[XS_CPU_IBT] = { "ibt", 7, 0, EDX, 20 },
	[XS_CPU_AMX_TILE] = { "amx_tile", 7, 0, EDX, 24 },
	[XS_CPU_APX] = { "apx", 7, 1, EDX, 21 },
	[XS_CPU_XSAVEOPT] = { "xsaveopt", 0xd, 1, EAX, 0 },
	[XS_CPU_XSAVEC] = { "xsavec", 0xd, 1, EAX, 1 },
	[XS_CPU_XGETBV1] = { "xgetbv1", 0xd, 1, EAX, 2 },
	[XS_CPU_XSAVES] = { "xsaves", 0xd, 1, EAX, 3 },
	[XS_CPU_XFD] = { "xfd", 0xd, 1, EAX, 4 },
	[XS_CPU_MISALIGNSSE] = { "misalignsse", 0x80000001, 0, ECX, 7 },
	[XS_CPU_LWP] = { "lwp", 0x80000001, 0, ECX, 15 },
	[XS_CPU_LM] = { "lm", 0x80000001, 0, EDX, 29 },
	[XS_CPU_XSAVEERPTR] = { "xsaveerptr", 0x80000008, 0, EBX, 2 },
};

/* Highest basic (or extended) leaf the CPU reports; beyond it, no data. */
static bool leaf_in_range(const xs_cpu *cpu, uint32_t leaf)
{
	uint32_t r[4];

	xs_cpuid(cpu, leaf & 0x80000000u, 0, r);
	return leaf <= r[0];
}

bool xs_cpu_has(const xs_cpu *cpu, enum xs_cpu_feature f)
{
	uint32_t r[4];

	if ((unsigned)f >= XS_CPU_FEATURE_COUNT)
		return false;
	if (!leaf_in_range(cpu, feature_bits[f].leaf))
		return false;
	if (f == XS_CPU_APX) {
		/* Sub-leaf 1 of leaf 7 exists only when 7.0 EAX says so. */
		xs_cpuid(cpu, 7, 0, r);
		if (r[EAX] < 1)
			return false;
	}
	xs_cpuid(cpu, feature_bits[f].leaf, feature_bits[f].subleaf, r);
	return (r[feature_bits[f].reg] >> feature_bits[f].bit) & 1;
}

uint64_t xs_cpu_features(const xs_cpu *cpu)
{
	uint64_t m = 0;

	for (unsigned f = 0; f < XS_CPU_FEATURE_COUNT; f++)
		if (xs_cpu_has(cpu, (enum xs_cpu_feature)f))
			m |= XS_BIT(f);
	return m;
}

const char *xs_cpu_feature_name(enum xs_cpu_feature f)
{
	return (unsigned)f < XS_CPU_FEATURE_COUNT ? feature_bits[f].name : "?";
}

int xs_cpu_feature_by_name(const char *name)
{
	if (!name)
		return -1;
	for (unsigned f = 0; f < XS_CPU_FEATURE_COUNT; f++)
		if (!strcmp(name, feature_bits[f].name))
			return (int)f;
	return -1;
}

static void put_reg(char *dst, uint32_t v)
{
	memcpy(dst, &v, 4);	/* CPUID strings are little-endian register bytes */
}

static void decode_brand(xs_cpu *cpu)
{
	uint32_t r[4];
	char raw[49] = { 0 };
	const char *s;
	size_t n;

	cpu->brand[0] = '\0';
	if (!leaf_in_range(cpu, 0x80000004))
		return;
	for (unsigned i = 0; i < 3; i++) {
		xs_cpuid(cpu, 0x80000002 + i, 0, r);
		for (unsigned k = 0; k < 4; k++)
			put_reg(raw + 16 * i + 4 * k, r[k]);
	}
	for (n = 0; n < 48; n++)	/* unprintable bytes end the string */
		if ((unsigned char)raw[n] < 0x20 || (unsigned char)raw[n] > 0x7e)
			break;
	raw[n] = '\0';
	for (s = raw; *s == ' '; s++)
		;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	memcpy(cpu->brand, s, n);
	cpu->brand[n] = '\0';
}

void xs_cpu_finish(xs_cpu *cpu)
{
	uint32_t r[4];
	unsigned base_family, base_model;

	xs_cpuid(cpu, 0, 0, r);
	put_reg(cpu->vendor, r[EBX]);
	put_reg(cpu->vendor + 4, r[EDX]);
	put_reg(cpu->vendor + 8, r[ECX]);
	cpu->vendor[12] = '\0';
	for (unsigned i = 0; i < 12; i++)
		if ((unsigned char)cpu->vendor[i] < 0x20 || (unsigned char)cpu->vendor[i] > 0x7e)
			cpu->vendor[i] = '?';

	xs_cpuid(cpu, 1, 0, r);
	base_family = (r[EAX] >> 8) & 0xf;
	base_model = (r[EAX] >> 4) & 0xf;
	cpu->stepping = r[EAX] & 0xf;
	cpu->family = base_family;
	if (base_family == 0xf)
		cpu->family += (r[EAX] >> 20) & 0xff;
	cpu->model = base_model;
	if (base_family == 0x6 || base_family == 0xf)
		cpu->model |= ((r[EAX] >> 16) & 0xf) << 4;
	decode_brand(cpu);
}

