// SPDX-License-Identifier: MIT
/*
 * The levelled CPU of a pool: the CPUID a VMM shows its guests (or rr its
 * tracees) so that they see the same xsave state on every host. Feature
 * flags are those every host has; a bit that gates a state component the
 * baseline left out goes, with every bit that depends on it (as the
 * kernel's cpuid-deps.c clears them, plus the VEX-encoded extensions that
 * need AVX's state); leaf 0xD is the baseline's.
 */
#include <errno.h>
#include <string.h>

#include "fleet/fleet.h"

enum { EAX, EBX, ECX, EDX };

/* Indices into bits[] for `needs`. */
enum {
	L_XSAVE, L_OSXSAVE, L_AVX, L_FMA, L_F16C,
	L_AVX2, L_MPX, L_AVX512F, L_AVX512DQ, L_AVX512IFMA, L_AVX512PF, L_AVX512ER, L_AVX512CD,
	L_AVX512BW, L_AVX512VL,
	L_AVX512VBMI, L_PKU, L_OSPKE, L_AVX512VBMI2, L_SHSTK, L_VAES, L_VPCLMULQDQ, L_AVX512VNNI,
	L_AVX512BITALG, L_AVX512VPOPCNTDQ, L_ENQCMD,
	L_AVX512_4VNNIW, L_AVX512_4FMAPS, L_AVX512_VP2INTERSECT, L_ARCH_LBR, L_IBT, L_AMX_BF16,
	L_AVX512_FP16, L_AMX_TILE, L_AMX_INT8,
	L_SHA512, L_SM3, L_SM4, L_AVX_VNNI, L_AVX512_BF16, L_AMX_FP16, L_AVX_IFMA,
	L_AVX_VNNI_INT8, L_AVX_NE_CONVERT, L_AMX_COMPLEX, L_AVX_VNNI_INT16, L_AVX10, L_APX,
	L_XSAVEOPT, L_XSAVEC, L_XGETBV1, L_XSAVES, L_XFD,
	L_XOP, L_FMA4,
	L_COUNT
};

#define B(idx, l, s, r, b, name, g, need, f) \
	[idx] = { .leaf = l, .subleaf = s, .reg = r, .bit = b, .vmm_name = name, .gates = g, \
		  .needs = need, .feature = f }
/* A bit that only depends on another (no state of its own). */
#define D(idx, l, s, r, b, name, need) B(idx, l, s, r, b, name, 0, need, -1)

static const struct xs_level_bit bits[L_COUNT] = {
	B(L_XSAVE, 1, 0, ECX, 26, "xsave", 0, -1, XS_CPU_XSAVE),
	[L_OSXSAVE] = { 1, 0, ECX, 27, NULL, 0, L_XSAVE, -1, true, false },
	B(L_AVX, 1, 0, ECX, 28, "avx", XS_XFEATURE_MASK_YMM, L_XSAVE, XS_CPU_AVX),
	D(L_FMA, 1, 0, ECX, 12, "fma", L_AVX),
	/* VEX-only: the SDM asks for AVX's OS support before F16C */
	D(L_F16C, 1, 0, ECX, 29, "f16c", L_AVX),
	B(L_AVX2, 7, 0, EBX, 5, "avx2", 0, L_AVX, XS_CPU_AVX2),
	B(L_MPX, 7, 0, EBX, 14, "mpx", XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR, L_XSAVE,
	  XS_CPU_MPX),
	B(L_AVX512F, 7, 0, EBX, 16, "avx512f", XS_XFEATURE_MASK_AVX512, L_AVX, XS_CPU_AVX512F),
	D(L_AVX512DQ, 7, 0, EBX, 17, "avx512dq", L_AVX512F),
	D(L_AVX512IFMA, 7, 0, EBX, 21, "avx512ifma", L_AVX512F),
	D(L_AVX512PF, 7, 0, EBX, 26, "avx512pf", L_AVX512F),
	D(L_AVX512ER, 7, 0, EBX, 27, "avx512er", L_AVX512F),
	D(L_AVX512CD, 7, 0, EBX, 28, "avx512cd", L_AVX512F),
	D(L_AVX512BW, 7, 0, EBX, 30, "avx512bw", L_AVX512F),
	D(L_AVX512VL, 7, 0, EBX, 31, "avx512vl", L_AVX512F),
	D(L_AVX512VBMI, 7, 0, ECX, 1, "avx512vbmi", L_AVX512F),
	B(L_PKU, 7, 0, ECX, 3, "pku", XS_XFEATURE_MASK_PKRU, L_XSAVE, XS_CPU_PKU),
	[L_OSPKE] = { 7, 0, ECX, 4, NULL, 0, L_PKU, -1, true, false },
	D(L_AVX512VBMI2, 7, 0, ECX, 6, "avx512vbmi2", L_AVX512F),
	/* CET: KVM offers SHSTK and IBT only with both CET components */
	[L_SHSTK] = { 7, 0, ECX, 7, "cet-ss", XS_XFEATURE_MASK_CET_USER, L_XSAVES, XS_CPU_SHSTK, false, true },
	D(L_VAES, 7, 0, ECX, 9, "vaes", L_AVX),
	D(L_VPCLMULQDQ, 7, 0, ECX, 10, "vpclmulqdq", L_AVX),
	D(L_AVX512VNNI, 7, 0, ECX, 11, "avx512vnni", L_AVX512F),
	D(L_AVX512BITALG, 7, 0, ECX, 12, "avx512bitalg", L_AVX512F),
	D(L_AVX512VPOPCNTDQ, 7, 0, ECX, 14, "avx512-vpopcntdq", L_AVX512F),
	B(L_ENQCMD, 7, 0, ECX, 29, NULL, XS_XFEATURE_MASK_PASID, L_XSAVES, XS_CPU_ENQCMD),
	D(L_AVX512_4VNNIW, 7, 0, EDX, 2, "avx512-4vnniw", L_AVX512F),
	D(L_AVX512_4FMAPS, 7, 0, EDX, 3, "avx512-4fmaps", L_AVX512F),
	D(L_AVX512_VP2INTERSECT, 7, 0, EDX, 8, "avx512-vp2intersect", L_AVX512F),
	B(L_ARCH_LBR, 7, 0, EDX, 19, "arch-lbr", XS_XFEATURE_MASK_LBR, L_XSAVES, XS_CPU_ARCH_LBR),
	[L_IBT] = { 7, 0, EDX, 20, "cet-ibt", XS_XFEATURE_MASK_CET_USER, L_XSAVES, XS_CPU_IBT, false, true },
	D(L_AMX_BF16, 7, 0, EDX, 22, "amx-bf16", L_AMX_TILE),
	D(L_AVX512_FP16, 7, 0, EDX, 23, "avx512-fp16", L_AVX512F),
	B(L_AMX_TILE, 7, 0, EDX, 24, "amx-tile", XS_XFEATURE_MASK_XTILE, L_XFD, XS_CPU_AMX_TILE),
	D(L_AMX_INT8, 7, 0, EDX, 25, "amx-int8", L_AMX_TILE),
	D(L_SHA512, 7, 1, EAX, 0, NULL, L_AVX),
	D(L_SM3, 7, 1, EAX, 1, NULL, L_AVX),
	D(L_SM4, 7, 1, EAX, 2, NULL, L_AVX),
	D(L_AVX_VNNI, 7, 1, EAX, 4, "avx-vnni", L_AVX),
	D(L_AVX512_BF16, 7, 1, EAX, 5, "avx512-bf16", L_AVX512F),
	D(L_AMX_FP16, 7, 1, EAX, 21, NULL, L_AMX_TILE),
	D(L_AVX_IFMA, 7, 1, EAX, 23, NULL, L_AVX),
	D(L_AVX_VNNI_INT8, 7, 1, EDX, 4, NULL, L_AVX),
	D(L_AVX_NE_CONVERT, 7, 1, EDX, 5, NULL, L_AVX),
	D(L_AMX_COMPLEX, 7, 1, EDX, 8, NULL, L_AMX_TILE),
	D(L_AVX_VNNI_INT16, 7, 1, EDX, 10, NULL, L_AVX),
	D(L_AVX10, 7, 1, EDX, 19, NULL, L_AVX512F),
	B(L_APX, 7, 1, EDX, 21, NULL, XS_XFEATURE_MASK_APX, L_XSAVE, XS_CPU_APX),
	B(L_XSAVEOPT, 0xd, 1, EAX, 0, "xsaveopt", 0, L_XSAVE, XS_CPU_XSAVEOPT),
	B(L_XSAVEC, 0xd, 1, EAX, 1, "xsavec", 0, L_XSAVE, XS_CPU_XSAVEC),
	B(L_XGETBV1, 0xd, 1, EAX, 2, "xgetbv1", 0, L_XSAVE, XS_CPU_XGETBV1),
	B(L_XSAVES, 0xd, 1, EAX, 3, "xsaves", 0, L_XSAVE, XS_CPU_XSAVES),
	B(L_XFD, 0xd, 1, EAX, 4, "xfd", 0, L_XSAVES, XS_CPU_XFD),
	D(L_XOP, 0x80000001, 0, ECX, 11, "xop", L_AVX),
	D(L_FMA4, 0x80000001, 0, ECX, 16, "fma4", L_AVX),
};

const struct xs_level_bit *xs_level_bits(unsigned *n)
{
	*n = L_COUNT;
	return bits;
}

/* A host's leaf as the CPUID instruction answers: zeros beyond its range. */
static void host_leaf(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	uint32_t top[4];

	xs_cpuid(cpu, leaf & 0x80000000u, 0, top);
	if (leaf > top[EAX]) {
		memset(r, 0, 4 * sizeof(*r));
		return;
	}
	if (leaf == 7 && subleaf) {
		xs_cpuid(cpu, 7, 0, top);
		if (subleaf > top[EAX]) {
			memset(r, 0, 4 * sizeof(*r));
			return;
		}
	}
	xs_cpuid(cpu, leaf, subleaf, r);
}

/* AND of the registers in `regs` (bit per register) over the pool; others from host 0. */
static void common_leaf(const xs_system *const *hosts, unsigned n, uint32_t leaf, uint32_t subleaf,
			unsigned regs, uint32_t out[4])
{
	uint32_t r[4];

	host_leaf(&hosts[0]->cpu, leaf, subleaf, out);
	for (unsigned i = 1; i < n; i++) {
		host_leaf(&hosts[i]->cpu, leaf, subleaf, r);
		for (unsigned k = 0; k < 4; k++)
			if (regs & (1u << k))
				out[k] &= r[k];
	}
}

/* The smallest EAX of a range leaf (0, 7.0, 0x80000000) over the pool. */
static uint32_t common_top(const xs_system *const *hosts, unsigned n, uint32_t leaf)
{
	uint32_t r[4], top = UINT32_MAX;

	for (unsigned i = 0; i < n; i++) {
		host_leaf(&hosts[i]->cpu, leaf, 0, r);
		if (r[EAX] < top)
			top = r[EAX];
	}
	return top;
}

static void put(xs_cpu *out, uint32_t leaf, uint32_t subleaf, const uint32_t r[4])
{
	/* at most a few dozen leaves: the table cannot fill */
	(void)xs_cpu_set_leaf(out, leaf, subleaf, r[EAX], r[EBX], r[ECX], r[EDX]);
}

static void basic_leaves(const xs_system *const *hosts, unsigned n, const xs_baseline *bl,
			 xs_cpu *out)
{
	bool amx = bl->xcr0 & XS_XFEATURE_MASK_XTILE_DATA;
	uint32_t r[4], top7 = common_top(hosts, n, 7);

	host_leaf(&hosts[0]->cpu, 0, 0, r);
	r[EAX] = bl->no_xsave ? 7 : amx ? 0x1e : 0xd;
	put(out, 0, 0, r);
	common_leaf(hosts, n, 1, 0, 1u << ECX | 1u << EDX, r);
	r[EBX] &= 0xff00;	/* CLFLUSH line size; APIC ids and counts are the VMM's */
	put(out, 1, 0, r);
	common_leaf(hosts, n, 7, 0, 1u << EBX | 1u << ECX | 1u << EDX, r);
	r[EAX] = top7 < 2 ? top7 : 2;
	put(out, 7, 0, r);
	for (uint32_t sub = 1; sub <= top7 && sub <= 2; sub++) {
		common_leaf(hosts, n, 7, sub, 0xf, r);
		put(out, 7, sub, r);
	}
	if (bl->no_xsave)
		return;
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_cpuid_leaf *d = &bl->leaf_d[nr];

		if (nr < 2 || ((bl->xcr0 | bl->xss) & XS_BIT(nr)))
			(void)xs_cpu_set_leaf(out, 0xd, nr, d->eax, d->ebx, d->ecx, d->edx);
	}
	if (!amx)
		return;
	/* TILEDATA's size agrees on every host, and with it the palette */
	host_leaf(&hosts[0]->cpu, 0x1d, 0, r);
	for (uint32_t pal = 0, last = r[EAX]; pal <= last && pal < 8; pal++) {
		host_leaf(&hosts[0]->cpu, 0x1d, pal, r);
		put(out, 0x1d, pal, r);
	}
	host_leaf(&hosts[0]->cpu, 0x1e, 0, r);
	put(out, 0x1e, 0, r);
}

static void extended_leaves(const xs_system *const *hosts, unsigned n, xs_cpu *out)
{
	uint32_t r[4], top = common_top(hosts, n, 0x80000000u);

	if (top < 0x80000001u)
		return;
	host_leaf(&hosts[0]->cpu, 0x80000000u, 0, r);
	r[EAX] = top < 0x80000008u ? 0x80000001u : 0x80000008u;
	put(out, 0x80000000u, 0, r);
	common_leaf(hosts, n, 0x80000001u, 0, 1u << ECX | 1u << EDX, r);
	r[EBX] = 0;
	put(out, 0x80000001u, 0, r);
	if (top < 0x80000008u)
		return;
	common_leaf(hosts, n, 0x80000008u, 0, 1u << EBX, r);
	/* address sizes: the narrowest host's physical and linear bits */
	for (unsigned i = 0; i < n; i++) {
		uint32_t h[4];

		host_leaf(&hosts[i]->cpu, 0x80000008u, 0, h);
		if ((h[EAX] & 0xff) < (r[EAX] & 0xff))
			r[EAX] = (r[EAX] & ~0xffu) | (h[EAX] & 0xff);
		if ((h[EAX] & 0xff00) < (r[EAX] & 0xff00))
			r[EAX] = (r[EAX] & ~0xff00u) | (h[EAX] & 0xff00);
	}
	r[EAX] &= 0xffff;
	r[ECX] = r[EDX] = 0;
	put(out, 0x80000008u, 0, r);
}

/* Does every host's kernel keep feature f? (clearcpuid=, errata) */
static bool every_kernel_has(const xs_system *const *hosts, unsigned n, int f)
{
	for (unsigned i = 0; i < n; i++)
		if (!(hosts[i]->cpu_features & XS_BIT(f)))
			return false;
	return true;
}

/* Which table bits the levelled CPU must not show. */
static void dropped_bits(const xs_system *const *hosts, unsigned n, const xs_baseline *bl,
			 bool drop[L_COUNT])
{
	uint64_t kept = bl->xcr0 | bl->xss;
	bool changed;

	for (unsigned i = 0; i < L_COUNT; i++)
		drop[i] = (bits[i].gates & ~kept) ||
			  (bits[i].feature >= 0 && !every_kernel_has(hosts, n, bits[i].feature));
	drop[L_XSAVE] |= bl->no_xsave != 0;
	do {
		changed = false;
		for (unsigned i = 0; i < L_COUNT; i++)
			if (!drop[i] && bits[i].needs >= 0 && drop[bits[i].needs])
				changed = drop[i] = true;
	} while (changed);
}

static void set_bit_to(xs_cpu *out, const struct xs_level_bit *b, bool on)
{
	uint32_t r[4], m = 1u << b->bit;

	if (!xs_cpuid(out, b->leaf, b->subleaf, r))
		return;	/* the levelled CPU has no such leaf: the bit reads 0 */
	r[b->reg] = on ? r[b->reg] | m : r[b->reg] & ~m;
	put(out, b->leaf, b->subleaf, r);
}

int xs_baseline_cpu(const xs_system *const *hosts, unsigned n, const xs_baseline *bl,
		    xs_cpu *out)
{
	bool drop[L_COUNT];

	if (!n || n > 64)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (hosts[i]->halted)
			return -ENODEV;
	xs_cpu_init(out);
	basic_leaves(hosts, n, bl, out);
	extended_leaves(hosts, n, out);
	dropped_bits(hosts, n, bl, drop);
	for (unsigned i = 0; i < L_COUNT; i++)
		if (drop[i])
			set_bit_to(out, &bits[i], false);
	/* a Linux guest sets CR4.OSXSAVE on an XSAVE CPU and CR4.PKE with PKU */
	set_bit_to(out, &bits[L_OSXSAVE], !drop[L_XSAVE]);
	set_bit_to(out, &bits[L_OSPKE], !drop[L_PKU]);
	out->source = XS_CPU_SRC_PLAIN;
	xs_cpu_finish(out);
	return 0;
}
