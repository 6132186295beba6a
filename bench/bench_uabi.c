// SPDX-License-Identifier: MIT
/*
 * UABI conversion and validation throughput against memcpy of the same
 * bytes, measured side by side (interleaved rounds, median ns per call).
 * Goals: conversion <= 1.3x memcpy, validation <= 1.3x memcpy.
 *
 * usage: bench_uabi [--json FILE] [--rounds R] [--cpuid DUMP]...
 * (the live CPU, plus each CPU model given: other layouts take other paths)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "xstate.h"

struct ctx {
	const xs_system *sys;
	xs_fpu fpu;
	uint8_t *uabi, *out;
	size_t len;
};

static void op_memcpy(void *p)
{
	struct ctx *c = p;

	memcpy(c->out, c->uabi, c->len);
	bench_sink(c->out, c->len);
}

static void op_to_uabi(void *p)
{
	struct ctx *c = p;

	xs_copy_xstate_to_uabi(c->sys, c->fpu.fpstate, c->fpu.fpstate->user_xfeatures, 0, XS_COPY_XSAVE,
			       c->out, c->len);
	bench_sink(c->out, c->len);
}

static void op_from_uabi(void *p)
{
	struct ctx *c = p;
	uint32_t pkru;

	if (xs_copy_uabi_to_xstate(c->sys, c->fpu.fpstate, c->uabi, c->len, &pkru, NULL))
		abort();
	bench_sink(c->fpu.fpstate->regs, c->fpu.fpstate->size);
}

static void op_validate(void *p)
{
	struct ctx *c = p;

	if (xs_uabi_validate(c->sys, c->fpu.fpstate, c->uabi, c->len, NULL))
		abort();
	bench_sink(c->uabi, c->len);
}

/* A task whose every user component holds data (AMX enabled when present). */
static void setup(struct ctx *c, const xs_system *sys)
{
	uint64_t bv;
	uint32_t mxcsr = 0x1f80;

	c->sys = sys;
	if (xs_fpu_init(&c->fpu, sys, NULL))
		abort();
	if (sys->user.max_features & XS_XFEATURE_MASK_XTILE_DATA) {
		xs_arch_prctl(&c->fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL);
		xs_xfd_enable_feature(&c->fpu, XS_XFEATURE_MASK_XTILE_DATA);
	}
	c->len = c->fpu.fpstate->user_size;
	c->uabi = aligned_alloc(64, (c->len + 63) & ~(size_t)63);
	c->out = aligned_alloc(64, (c->len + 63) & ~(size_t)63);
	for (size_t i = 0; i < c->len; i++)
		c->uabi[i] = (uint8_t)(i * 31 + 7);
	memset(c->uabi + 464, 0, 112);
	memcpy(c->uabi + 24, &mxcsr, 4);
	bv = c->fpu.fpstate->user_xfeatures;
	memcpy(c->uabi + 512, &bv, 8);
	if (xs_copy_uabi_to_xstate(sys, c->fpu.fpstate, c->uabi, c->len, &mxcsr, NULL))
		abort();
}

static void teardown(struct ctx *c)
{
	xs_fpu_destroy(&c->fpu);
	free(c->uabi);
	free(c->out);
}

static void report(FILE *json, const char *cpu, struct ctx *c, unsigned rounds, bool *first)
{
	struct bench_op ops[] = {
		{ "memcpy", op_memcpy, c, { 0 }, 0 },
		{ "kernel->uabi (copy_xstate_to_uabi)", op_to_uabi, c, { 0 }, 0 },
		{ "uabi->kernel (copy_uabi_to_xstate)", op_from_uabi, c, { 0 }, 0 },
		{ "validation (header, MXCSR, length)", op_validate, c, { 0 }, 0 },
	};
	unsigned n = sizeof(ops) / sizeof(ops[0]);

	bench_run(ops, n, rounds, 200000);
	printf("\n%s: %zu-byte UABI buffer, %u interleaved rounds\n", cpu, c->len, rounds);
	printf("  %-38s %10s %8s\n", "operation", "ns/call", "ratio");
	for (unsigned i = 0; i < n; i++)
		printf("  %-38s %10.1f %7.2fx%s\n", ops[i].name, ops[i].median, ops[i].median / ops[0].median,
		       i && ops[i].median / ops[0].median > 1.3 ? "  (goal 1.3x: missed)" : "");
	if (!json)
		return;
	for (unsigned i = 1; i < n; i++) {
		fprintf(json, "%s    {\"cpu\": \"%s\", \"bytes\": %zu, \"op\": \"%s\", \"ns\": %.2f, \"memcpy_ns\": %.2f, \"ratio\": %.3f}",
			*first ? "" : ",\n", cpu, c->len, ops[i].name, ops[i].median, ops[0].median,
			ops[i].median / ops[0].median);
		*first = false;
	}
}

static int run_one(FILE *json, const char *name, const xs_cpu *cpu, unsigned rounds, bool *first)
{
	xs_system *sys = malloc(sizeof(*sys));
	struct ctx c;

	if (!sys || xs_system_init(sys, cpu, NULL) || !sys->xsave) {
		fprintf(stderr, "bench_uabi: %s does not use XSAVE\n", name);
		free(sys);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	setup(&c, sys);
	report(json, name, &c, rounds, first);
	teardown(&c);
	free(sys);
	return 0;
}

int main(int argc, char **argv)
{
	const char *json_path = NULL;
	unsigned rounds = 15;
	FILE *json = NULL;
	bool first = true;
	xs_cpu cpu;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--json"))
			json_path = argv[i + 1];
		else if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned)atoi(argv[i + 1]);
	}
	if (json_path && !(json = fopen(json_path, "w")))
		return perror(json_path), 2;
	if (json)
		fprintf(json, "{\n  \"benchmark\": \"uabi\",\n  \"results\": [\n");
	if (!xs_cpu_from_host(&cpu))
		run_one(json, "live CPU", &cpu, rounds, &first);
	for (int i = 1; i + 1 < argc; i += 2) {
		struct xs_diag d;

		if (strcmp(argv[i], "--cpuid"))
			continue;
		if (xs_cpu_from_file(&cpu, argv[i + 1], 0, &d)) {
			fprintf(stderr, "%s\n", d.msg);
			return 2;
		}
		run_one(json, argv[i + 1], &cpu, rounds, &first);
	}
	if (json) {
		fprintf(json, "\n  ]\n}\n");
		fclose(json);
	}
	return 0;
}
