// SPDX-License-Identifier: MIT
/*
 * UABI conversion and validation against memcpy of the same bytes.
 * Goals: conversion (both directions) <= 1.3x memcpy, validation <= 1.3x
 * memcpy of what it reads.
 *
 * Each row has its own baseline: the conversions are compared with a
 * memcpy of the UABI buffer (user_size bytes into a buffer of that size);
 * validation reads MXCSR and the 64-byte header only (a buffer at least
 * user.max_size long needs no length walk), so its baseline copies exactly
 * those 4 + 64 bytes. Every round times baseline, operation, baseline
 * back to back (short blocks, so a preemption spoils one round, not the
 * row); the row's ratio is the median of the per-round ratios
 * op / mean(baselines), and its verdict follows bench_goal_rule.
 *
 * usage: bench_uabi [--json FILE] [--rounds R] [--cpuid DUMP]... [--fixtures DIR]
 * (the live CPU, plus each CPU model given: other layouts take other paths;
 * --fixtures adds one dump of DIR per kind of task buffer — UABI size and
 * kernel format — the first in name order)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "xstate.h"

#define GOAL 1.3
#define MAX_ROUNDS 401

struct ctx {
	const xs_system *sys;
	bool compacted;			/* the kernel's buffers */
	xs_fpu *fpu;
	xs_fpstate *fps;		/* the task's, and what the operations need of it: */
	uint64_t user_xfeatures;	/* read once, so that no accessor call is timed */
	uint8_t *regs;
	unsigned size;
	uint8_t *uabi, *out;
	size_t len;
	size_t mxcsr_len, hdr_len;	/* runtime sizes: a real memcpy, as the other rows */
	uint8_t scratch[128];
};

static void op_memcpy(struct ctx *c)
{
	memcpy(c->out, c->uabi, c->len);
	bench_sink(c->out, c->len);
}

/* The bytes validation reads: MXCSR (4 at 24) and the header (64 at 512). */
static void op_memcpy_read(struct ctx *c)
{
	memcpy(c->scratch, c->uabi + 24, c->mxcsr_len);
	memcpy(c->scratch + 64, c->uabi + 512, c->hdr_len);
	bench_sink(c->scratch, sizeof(c->scratch));
}

static void op_to_uabi(struct ctx *c)
{
	xs_copy_xstate_to_uabi(c->sys, c->fps, c->user_xfeatures, 0, XS_COPY_XSAVE, c->out, c->len);
	bench_sink(c->out, c->len);
}

static void op_from_uabi(struct ctx *c)
{
	uint32_t pkru;

	if (xs_copy_uabi_to_xstate(c->sys, c->fps, c->uabi, c->len, &pkru, NULL))
		abort();
	bench_sink(c->regs, c->size);
}

static void op_validate(struct ctx *c)
{
	if (xs_uabi_validate(c->sys, c->fps, c->uabi, c->len, NULL))
		abort();
	bench_sink(c->uabi, 0);
}

typedef void (*op_fn)(struct ctx *c);

struct row {
	const char *name;
	op_fn op, base;
	const char *base_name;
	double ratio[MAX_ROUNDS], op_ns[MAX_ROUNDS], base_ns[MAX_ROUNDS];
	struct bench_stats r, o, b;
};

static double block(op_fn f, struct ctx *c, unsigned n)
{
	uint64_t t0 = bench_now();

	for (unsigned i = 0; i < n; i++)
		f(c);
	return (double)(bench_now() - t0) / n;
}

/* Calls per block for about `ns` nanoseconds of the slower function. */
static unsigned calibrate(struct row *r, struct ctx *c, double ns)
{
	double t;

	block(r->op, c, 2000);
	t = block(r->op, c, 2000);
	return t > 0 ? (unsigned)(ns / t) + 1 : 1000;
}

static void measure(struct row *rows, unsigned nrows, struct ctx *c, unsigned rounds)
{
	unsigned n[8];

	for (unsigned k = 0; k < nrows; k++)
		n[k] = calibrate(&rows[k], c, 40000.0);
	for (unsigned i = 0; i < rounds; i++) {
		for (unsigned k = 0; k < nrows; k++) {
			struct row *r = &rows[k];
			double b1 = block(r->base, c, n[k]);
			double o = block(r->op, c, n[k]);
			double b2 = block(r->base, c, n[k]);

			r->op_ns[i] = o;
			r->base_ns[i] = (b1 + b2) / 2;
			r->ratio[i] = o / r->base_ns[i];
		}
	}
	for (unsigned k = 0; k < nrows; k++) {
		rows[k].r = bench_stats_of(rows[k].ratio, rounds);
		rows[k].o = bench_stats_of(rows[k].op_ns, rounds);
		rows[k].b = bench_stats_of(rows[k].base_ns, rounds);
	}
}

/*
 * Where each buffer starts within a page, fixed so that runs agree and no
 * copy meets 4K aliasing (loads whose address matches, in bits 11:0, a
 * store still in flight — with every buffer page-aligned the kernel->uabi
 * copies, whose destination runs 256 bytes ahead of their source on AMX
 * layouts, stalled on it and the baseline did not; with malloc's placement
 * ratios moved by up to 0.5 from one run to the next): the UABI buffer at
 * 0, the fpstate at 1024, the copy destination at 2048. Every copy, the
 * baselines' and the operations', then runs 768..2048 bytes apart.
 */
#define UABI_AT 0u
#define FPSTATE_AT 1024u
#define OUT_AT 2048u

static void *alloc_at(size_t size, size_t at)
{
	/* a page in front: room for the base pointer whatever `at` is */
	uint8_t *base = aligned_alloc(4096, (4096 + at + size + 4095) & ~(size_t)4095), *p;

	if (!base)
		return NULL;
	p = base + 4096 + at;
	memcpy(p - sizeof(base), &base, sizeof(base));	/* for free_at() */
	return p;
}

static void free_at(void *p)
{
	uint8_t *base;

	if (!p)
		return;
	memcpy(&base, (uint8_t *)p - sizeof(base), sizeof(base));
	free(base);
}

static void *fpstate_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return alloc_at(size, FPSTATE_AT);
}

static void fpstate_free(void *ctx, void *p)
{
	(void)ctx;
	free_at(p);
}

/* A task whose every user component holds data (AMX enabled when present). */
static void setup(struct ctx *c, const xs_system *sys)
{
	const struct xs_allocator pages = { fpstate_alloc, fpstate_free, NULL };
	uint64_t bv;
	uint32_t mxcsr = 0x1f80;

	c->sys = sys;
	c->compacted = xs_system_info(sys)->compacted;
	if (xs_fpu_new(&c->fpu, sys, &pages))
		abort();
	if (xs_system_info(sys)->user.max_features & XS_XFEATURE_MASK_XTILE_DATA) {
		xs_arch_prctl(c->fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL);
		xs_xfd_enable_feature(c->fpu, XS_XFEATURE_MASK_XTILE_DATA);
	}
	c->fps = xs_fpu_fpstate(c->fpu);	/* the first use above enlarged it */
	c->user_xfeatures = xs_fpstate_info(c->fps)->user_xfeatures;
	c->regs = xs_fpstate_regs(c->fps);
	c->size = xs_fpstate_info(c->fps)->size;
	c->len = xs_fpstate_info(c->fps)->user_size;
	c->mxcsr_len = 4;
	c->hdr_len = 64;
	c->uabi = alloc_at(c->len, UABI_AT);
	c->out = alloc_at(c->len, OUT_AT);
	if (!c->uabi || !c->out)
		abort();
	for (size_t i = 0; i < c->len; i++)
		c->uabi[i] = (uint8_t)(i * 31 + 7);
	memset(c->uabi + 464, 0, 112);
	memcpy(c->uabi + 24, &mxcsr, 4);
	bv = c->user_xfeatures;
	memcpy(c->uabi + 512, &bv, 8);
	if (xs_copy_uabi_to_xstate(sys, c->fps, c->uabi, c->len, &mxcsr, NULL))
		abort();
}

static void teardown(struct ctx *c)
{
	xs_fpu_free(c->fpu);
	free_at(c->uabi);
	free_at(c->out);
}

static bool report(FILE *json, const char *cpu, struct ctx *c, unsigned rounds, bool *first)
{
	static char mem[48];
	struct row rows[] = {
		{ .name = "kernel->uabi (copy_xstate_to_uabi)", .op = op_to_uabi, .base = op_memcpy },
		{ .name = "uabi->kernel (copy_uabi_to_xstate)", .op = op_from_uabi, .base = op_memcpy },
		{ .name = "validation (header, MXCSR)", .op = op_validate, .base = op_memcpy_read,
		  .base_name = "memcpy 4+64 B" },
	};
	unsigned n = sizeof(rows) / sizeof(rows[0]);
	bool all_met = true;

	snprintf(mem, sizeof(mem), "memcpy %zu B", c->len);
	measure(rows, n, c, rounds);
	printf("\n%s: %zu-byte UABI buffer, %s kernel buffers, %u interleaved rounds; goal: ratio <= %.1fx\n",
	       cpu, c->len, c->compacted ? "compacted" : "standard", rounds, GOAL);
	printf("  %-36s %9s %15s %9s %7s %7s  %s\n", "operation", "ns/call", "baseline", "base ns", "ratio",
	       "Q1-Q3", "verdict");
	for (unsigned i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const char *verdict = bench_goal_verdict(&r->r, GOAL);
		char iqr[24];

		snprintf(iqr, sizeof(iqr), "%.2f-%.2f", r->r.q1, r->r.q3);
		printf("  %-36s %9.1f %15s %9.1f %6.2fx %s  %s\n", r->name, r->o.median,
		       r->base_name ? r->base_name : mem, r->b.median, r->r.median, iqr, verdict);
		all_met &= !strcmp(verdict, "met");
		if (!json)
			continue;
		fprintf(json,
			"%s    {\"cpu\": \"%s\", \"bytes\": %zu, \"format\": \"%s\", \"op\": \"%s\", \"baseline\": \"%s\", \"ns\": %.2f, \"baseline_ns\": %.2f, \"memcpy_ns\": %.2f, \"ratio\": %.3f, \"ratio_q1\": %.3f, \"ratio_q3\": %.3f, \"goal\": %.1f, \"verdict\": \"%s\"}",
			*first ? "" : ",\n", cpu, c->len, c->compacted ? "compacted" : "standard", r->name, r->base_name ? r->base_name : mem, r->o.median,
			r->b.median, r->b.median, r->r.median, r->r.q1, r->r.q3, GOAL, verdict);
		*first = false;
	}
	return all_met;
}

/* Kinds of task buffer measured so far (--fixtures): UABI size, and the kernel format in bit 31. */
struct kinds {
	unsigned n;
	uint32_t key[256];
};

/* A new kind of task buffer? (records it) */
static bool new_kind(struct kinds *k, const struct ctx *c)
{
	uint32_t key = (uint32_t)c->len | (c->compacted ? UINT32_C(1) << 31 : 0);

	for (unsigned i = 0; i < k->n; i++)
		if (k->key[i] == key)
			return false;
	if (k->n < sizeof(k->key) / sizeof(k->key[0]))
		k->key[k->n++] = key;
	return true;
}

static bool run_one(FILE *json, const char *name, const xs_cpu *cpu, unsigned rounds, bool *first,
		    struct kinds *kinds)
{
	xs_system *sys = NULL;
	struct ctx *c = calloc(1, sizeof(*c));
	bool met = true;

	if (!c || xs_system_new(&sys, cpu, NULL) || !xs_system_info(sys)->xsave) {
		if (!kinds)
			fprintf(stderr, "bench_uabi: %s does not use XSAVE\n", name);
	} else {
		setup(c, sys);
		if (!kinds || new_kind(kinds, c))
			met = report(json, name, c, rounds, first);
		teardown(c);
	}
	free(c);
	xs_system_free(sys);
	return met;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One dump of DIR per kind of task buffer not measured yet, in name order. */
static bool run_fixtures(FILE *json, const char *dir, unsigned rounds, bool *first, struct kinds *kinds)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[512];
	unsigned n = 0;
	bool met = true;
	xs_cpu *cpu = xs_cpu_new();

	if (!d || !cpu) {
		perror(dir);
		exit(2);
	}
	while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0]))
		if (strstr(e->d_name, ".txt") && strcmp(e->d_name, "README.md"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (unsigned i = 0; i < n; i++) {
		char path[4096];
		struct xs_diag diag;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (names[i] && !xs_cpu_from_file(cpu, path, 0, &diag))
			met &= run_one(json, path, cpu, rounds, first, kinds);
		free(names[i]);
	}
	xs_cpu_free(cpu);
	return met;
}

int main(int argc, char **argv)
{
	const char *json_path = NULL;
	unsigned rounds = 51;
	FILE *json = NULL;
	bool first = true, met = true;
	struct kinds kinds = { 0 };
	xs_cpu *cpu = xs_cpu_new();

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--json"))
			json_path = argv[i + 1];
		else if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned)atoi(argv[i + 1]);
	}
	if (rounds < 1)
		rounds = 1;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	if (!cpu)
		return fprintf(stderr, "bench_uabi: out of memory\n"), 2;
	if (json_path && !(json = fopen(json_path, "w")))
		return perror(json_path), 2;
	if (json)
		fprintf(json, "{\n  \"benchmark\": \"uabi\",\n  \"goal\": %.1f,\n  \"goal_rule\": \"%s\",\n  \"results\": [\n",
			GOAL, bench_goal_rule);
	printf("verdict: %s\n", bench_goal_rule);
	if (!xs_cpu_from_host(cpu))
		met &= run_one(json, "live CPU", cpu, rounds, &first, NULL);
	for (int i = 1; i + 1 < argc; i += 2) {
		struct xs_diag d;

		if (!strcmp(argv[i], "--fixtures")) {
			met &= run_fixtures(json, argv[i + 1], rounds, &first, &kinds);
			continue;
		}
		if (strcmp(argv[i], "--cpuid"))
			continue;
		if (xs_cpu_from_file(cpu, argv[i + 1], 0, &d)) {
			fprintf(stderr, "%s\n", d.msg);
			return 2;
		}
		met &= run_one(json, argv[i + 1], cpu, rounds, &first, NULL);
	}
	if (json) {
		fprintf(json, "\n  ]\n}\n");
		fclose(json);
	}
	printf("\n%s\n", met ? "all goals met" : "some goals not met");
	xs_cpu_free(cpu);
	return 0;
}
