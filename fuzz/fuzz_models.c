// SPDX-License-Identifier: MIT
/* Fixed CPU models for the fuzz targets (see fuzz_models.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_models.h"

/* CPUID 0xD.nr: EAX size, EBX standard offset, ECX flags. */
struct comp {
	unsigned nr, size, offset, ecx;
};

struct synth {
	const char *vendor;
	uint32_t leaf1_eax, leaf1_ecx, leaf7_ebx, leaf7_ecx, leaf7_edx, d1_eax;
	const struct comp *comps;	/* ascending component numbers from 2 */
	unsigned ncomps;
	uint32_t tiles;			/* CPUID 0x1D palette 1 tiles, 0: no leaf */
};

#define L1_EDX_BASE 0x07808001u	/* FPU, FXSR, SSE, SSE2 */
#define L1_ECX_XSAVE_AVX ((1u << 26) | (1u << 27) | (1u << 28))	/* XSAVE OSXSAVE AVX */

static void sizes(const struct synth *s, uint32_t *standard, uint32_t *compacted, uint64_t *xcr0,
		  uint64_t *xss)
{
	*standard = *compacted = 576;
	*xcr0 = 3;
	*xss = 0;
	for (unsigned i = 0; i < s->ncomps; i++) {
		const struct comp *c = &s->comps[i];

		if (c->ecx & 1)
			*xss |= XS_BIT(c->nr);
		else
			*xcr0 |= XS_BIT(c->nr);
		if (!(c->ecx & 1) && c->offset + c->size > *standard)
			*standard = c->offset + c->size;
		if (c->ecx & 2)
			*compacted = (*compacted + 63) & ~63u;
		*compacted += c->size;
	}
}

static void build(xs_cpu *cpu, const struct synth *s)
{
	uint32_t v[3], std, cmp;
	uint64_t xcr0, xss;

	xs_cpu_init(cpu);
	memcpy(v, s->vendor, 12);
	sizes(s, &std, &cmp, &xcr0, &xss);
	xs_cpu_set_leaf(cpu, 0, 0, s->tiles ? 0x1d : 0xd, v[0], v[2], v[1]);
	xs_cpu_set_leaf(cpu, 1, 0, s->leaf1_eax, 0, s->leaf1_ecx, L1_EDX_BASE);
	xs_cpu_set_leaf(cpu, 7, 0, 1, s->leaf7_ebx, s->leaf7_ecx, s->leaf7_edx);
	xs_cpu_set_leaf(cpu, 7, 1, 0, 0, 0, 0);
	xs_cpu_set_leaf(cpu, 0x80000000, 0, 0x80000001, 0, 0, 0);
	xs_cpu_set_leaf(cpu, 0x80000001, 0, 0, 0, 0, 1u << 29);	/* LM: x86-64 */
	for (unsigned i = 0; i < s->ncomps; i++)
		xs_cpu_set_leaf(cpu, 0xd, s->comps[i].nr, s->comps[i].size, s->comps[i].offset, s->comps[i].ecx, 0);
	xs_cpu_set_leaf(cpu, 0xd, 0, (uint32_t)xcr0, std, std, (uint32_t)(xcr0 >> 32));
	xs_cpu_set_leaf(cpu, 0xd, 1, s->d1_eax, cmp, (uint32_t)xss, (uint32_t)(xss >> 32));
	if (s->tiles) {
		xs_cpu_set_leaf(cpu, 0x1d, 0, 1, 0, 0, 0);
		xs_cpu_set_leaf(cpu, 0x1d, 1, 0x4002000, 0x40 | (s->tiles << 16), 16, 0);
	}
	xs_cpu_finish(cpu);
}

/* The Zen 4 VM of linux-xstate.md: AVX-512, CET_U/CET_S in XSS, no PKU. */
static const struct comp zen4_comps[] = {
	{ 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
	{ 11, 16, 0, 1 }, { 12, 24, 0, 1 },
};
/* Sapphire Rapids sub-leaves of xsave-isa.md §1.1. */
static const struct comp spr_comps[] = {
	{ 2, 256, 576, 0 }, { 5, 64, 1088, 0 }, { 6, 512, 1152, 0 }, { 7, 1024, 1664, 0 },
	{ 8, 128, 0, 1 }, { 9, 8, 2688, 0 }, { 10, 8, 0, 1 }, { 11, 16, 0, 1 },
	{ 12, 24, 0, 1 }, { 14, 48, 0, 1 }, { 15, 808, 0, 1 }, { 17, 64, 2752, 2 },
	{ 18, 8192, 2816, 6 },
};
/* An AVX2 client with MPX and PT (Skylake layout). */
static const struct comp client_comps[] = {
	{ 2, 256, 576, 0 }, { 3, 64, 960, 0 }, { 4, 64, 1024, 0 }, { 8, 128, 0, 1 },
};

static const struct synth models[FZ_NMODELS] = {
	[FZ_ZEN4] = { "AuthenticAMD", 0x00a10f11, L1_ECX_XSAVE_AVX, 1u << 16, 1u << 7, 0, 0xf, zen4_comps,
		      sizeof(zen4_comps) / sizeof(zen4_comps[0]), 0 },
	[FZ_SPR] = { "GenuineIntel", 0x000806f8, L1_ECX_XSAVE_AVX, 1u << 16,
		     (1u << 3) | (1u << 4) | (1u << 7) | (1u << 29), (1u << 24) | (1u << 19), 0x1f, spr_comps,
		     sizeof(spr_comps) / sizeof(spr_comps[0]), 8 },
	[FZ_CLIENT] = { "GenuineIntel", 0x000506e3, L1_ECX_XSAVE_AVX, 1u << 14, 0, 0, 0xf, client_comps,
			sizeof(client_comps) / sizeof(client_comps[0]), 0 },
};

void fz_cpu(xs_cpu *cpu, enum fz_model m)
{
	build(cpu, &models[m]);
}

const xs_system *fz_system(enum fz_model m)
{
	static xs_system *systems[FZ_NMODELS];
	xs_cpu *cpu;

	if (!systems[m]) {
		if (!(cpu = xs_cpu_new()))
			abort();
		fz_cpu(cpu, m);
		if (xs_system_new(&systems[m], cpu, NULL))
			abort();
		xs_cpu_free(cpu);
	}
	return systems[m];
}

enum fz_model fz_pick(uint8_t b)
{
	return (enum fz_model)(b % FZ_NMODELS);
}

uint8_t *fz_dup(const uint8_t *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, data, len);
	return p;
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("invariant failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
