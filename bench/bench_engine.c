// SPDX-License-Identifier: MIT
/*
 * The software XSAVE engine against the CPU's own instructions: XSAVE,
 * XSAVEOPT, XSAVEC and XRSTOR (the REX.W forms) of the full enabled state
 * and of small RFBMs, every component holding data. Engine and CPU run in
 * interleaved rounds; each round first loads the state into the CPU (the
 * code between rounds may change its XINUSE), and the table shows the
 * median ns per instruction (per pair for the round trip) and the ratio
 * engine/CPU. Goal: <= 1.5 for the full-state save and restore.
 *
 * usage: bench_engine [--json FILE] [--rounds R] [--iterations N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "xstate.h"

#define AREA 16384

enum side { ENGINE, CPU };

struct bench {
	struct xs_hw hw;
	xs_machine *m;
	uint8_t *state;		/* the image every round starts from (standard format) */
	uint8_t *out;		/* where saves go */
	uint8_t *cmp;		/* the state in the compacted format (XRSTOR of it) */
};

struct row {
	const char *name;
	enum xs_insn insn;
	uint64_t rfbm;
	bool compacted;		/* XRSTOR: from the compacted image */
	bool then_save;		/* XRSTOR followed by XSAVE of the same RFBM (a round trip) */
	double ns[2][BENCH_MAX_ROUNDS];
};

/* The same instruction on either side; 0 or the exception / errno. */
static int execute_one(struct bench *b, const struct row *r, enum side side)
{
	const uint8_t *src = r->compacted ? b->cmp : b->state;

	if (side == ENGINE) {
		switch (r->insn) {
		case XS_INSN_XSAVE: return xs_xsave(b->m, b->out, AREA, r->rfbm, XS_REX_W);
		case XS_INSN_XSAVEOPT: return xs_xsaveopt(b->m, b->out, AREA, r->rfbm, XS_REX_W);
		case XS_INSN_XSAVEC: return xs_xsavec(b->m, b->out, AREA, r->rfbm, XS_REX_W);
		default: return xs_xrstor(b->m, src, AREA, r->rfbm, XS_REX_W);
		}
	}
	switch (r->insn) {
	case XS_INSN_XSAVE: return xs_hw_xsave(&b->hw, b->out, r->rfbm, XS_REX_W);
	case XS_INSN_XSAVEOPT: return xs_hw_xsaveopt(&b->hw, b->out, r->rfbm, XS_REX_W);
	case XS_INSN_XSAVEC: return xs_hw_xsavec(&b->hw, b->out, r->rfbm, XS_REX_W);
	default: return xs_hw_xrstor(&b->hw, src, r->rfbm, XS_REX_W);
	}
}

/*
 * A round trip measures what the engine defers: after a restore, XINUSE
 * is evaluated on the values (AMD) by the next reader, here the XSAVE.
 */
static int execute(struct bench *b, const struct row *r, enum side side)
{
	struct row save = { .insn = XS_INSN_XSAVE, .rfbm = r->rfbm };
	int ret = execute_one(b, r, side);

	return ret || !r->then_save ? ret : execute_one(b, &save, side);
}

static bool available(const struct bench *b, enum xs_insn insn)
{
	return insn == XS_INSN_XSAVEOPT ? b->hw.xsaveopt : insn == XS_INSN_XSAVEC ? b->hw.xsavec : true;
}

/* ns per instruction for `iters` back-to-back executions, from the loaded state. */
static double time_side(struct bench *b, const struct row *r, enum side side, unsigned long iters)
{
	uint64_t t0;

	/* both sides start from the same state: every component in use */
	if (xs_xrstor(b->m, b->state, AREA, ~UINT64_C(0), XS_REX_W) ||
	    xs_hw_xrstor(&b->hw, b->state, ~UINT64_C(0), XS_REX_W))
		abort();
	t0 = bench_now();
	for (unsigned long i = 0; i < iters; i++)
		if (execute(b, r, side))
			abort();
	bench_sink(b->out, AREA);
	return (double)(bench_now() - t0) / (double)iters;
}

/*
 * A state with data in every enabled component: random bytes, MXCSR and
 * FCW at their defaults and the x87 stack empty (so the C code around the
 * CPU's XRSTOR keeps working), PKRU 0.
 */
static void make_state(struct bench *b)
{
	uint64_t x = 0x2545f4914f6cdd1dull, bv = b->hw.xcr0 & ~XS_XFEATURE_MASK_PKRU;
	uint32_t mxcsr = 0x1f80;

	for (size_t i = 0; i < AREA; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b->state[i] = (uint8_t)x;
	}
	memset(b->state, 0, 8);
	b->state[0] = 0x7f, b->state[1] = 0x03;
	memcpy(b->state + 24, &mxcsr, 4);
	memset(b->state + 512, 0, 64);
	memcpy(b->state + 512, &bv, 8);
	if (b->hw.xcr0 & XS_XFEATURE_MASK_PKRU)
		memset(b->state + xs_engine_offset(b->m, 0, XS_XFEATURE_PKRU), 0, 8);
}

static int setup(struct bench *b)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));

	if (xs_hw_init(&b->hw) || !b->hw.xsave) {
		printf("SKIP: this CPU has no XSAVE (or the OS has not enabled it)\n");
		free(cpu);
		return 1;
	}
	b->m = malloc(sizeof(*b->m));
	b->state = aligned_alloc(64, AREA);
	b->out = aligned_alloc(64, AREA);
	b->cmp = aligned_alloc(64, AREA);
	if (!cpu || !b->m || !b->state || !b->out || !b->cmp || xs_cpu_from_host(cpu) ||
	    xs_machine_init(b->m, cpu) || xs_xsetbv(b->m, 0, b->hw.xcr0)) {
		fprintf(stderr, "bench_engine: cannot model this CPU\n");
		exit(2);
	}
	free(cpu);
	b->m->ctx.cpl = 3;
	make_state(b);
	memset(b->cmp, 0, AREA);
	if (xs_xrstor(b->m, b->state, AREA, ~UINT64_C(0), XS_REX_W) ||
	    (b->hw.xsavec && xs_xsavec(b->m, b->cmp, AREA, ~UINT64_C(0), XS_REX_W)))
		abort();
	return 0;
}

static void teardown(struct bench *b)
{
	free(b->m);
	free(b->state);
	free(b->out);
	free(b->cmp);
}

static void run_rows(struct bench *b, struct row *rows, unsigned nrows, unsigned rounds,
		     unsigned long iters)
{
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < nrows; i++) {
			/* alternate which side goes first */
			enum side first = (r + i) % 2 ? CPU : ENGINE;

			if (rows[i].compacted && !b->hw.xsavec)
				continue;
			if (!available(b, rows[i].insn))
				continue;
			rows[i].ns[first][r] = time_side(b, &rows[i], first, iters);
			rows[i].ns[!first][r] = time_side(b, &rows[i], (enum side)!first, iters);
		}
}

/* One row as a JSON object (make bench keeps them in docs/bench/engine.json). */
static void json_row(FILE *json, const struct row *r, uint64_t rfbm, double e, double c, bool *first)
{
	fprintf(json, "%s    {\"op\": \"%s\", \"rfbm\": \"0x%llx\", \"engine_ns\": %.2f, \"cpu_ns\": %.2f, \"ratio\": %.3f}",
		*first ? "" : ",\n", r->name, (unsigned long long)rfbm, e, c, e / c);
	*first = false;
}

static void print_rows(const struct bench *b, struct row *rows, unsigned nrows, unsigned rounds,
		       FILE *json)
{
	bool first = true;

	printf("%-26s %-20s %10s %10s %8s\n", "operation", "RFBM", "engine ns", "cpu ns", "ratio");
	for (unsigned i = 0; i < nrows; i++) {
		uint64_t rfbm = rows[i].rfbm & b->hw.xcr0;
		double e, c;

		if (!available(b, rows[i].insn) || (rows[i].compacted && !b->hw.xsavec))
			continue;
		e = bench_median(rows[i].ns[ENGINE], rounds);
		c = bench_median(rows[i].ns[CPU], rounds);
		printf("%-26s 0x%-18llx %10.1f %10.1f %8.2f\n", rows[i].name, (unsigned long long)rfbm, e,
		       c, e / c);
		if (json)
			json_row(json, &rows[i], rfbm, e, c, &first);
	}
}

int main(int argc, char **argv)
{
	struct bench b;
	const char *json_path = NULL;
	FILE *json = NULL;
	unsigned rounds = 21;
	unsigned long iters = 2000;
	uint64_t all = ~UINT64_C(0), small = XS_XFEATURE_MASK_FPSSE, avx = XS_XFEATURE_MASK_YMM;
	struct row rows[] = {
		{ .name = "XSAVE64 full state", .insn = XS_INSN_XSAVE, .rfbm = all },
		{ .name = "XSAVEOPT64 full state", .insn = XS_INSN_XSAVEOPT, .rfbm = all },
		{ .name = "XSAVEC64 full state", .insn = XS_INSN_XSAVEC, .rfbm = all },
		{ .name = "XRSTOR64 full state", .insn = XS_INSN_XRSTOR, .rfbm = all },
		{ .name = "XRSTOR64 compacted full", .insn = XS_INSN_XRSTOR, .rfbm = all, .compacted = true },
		{ .name = "XRSTOR64+XSAVE64 full", .insn = XS_INSN_XRSTOR, .rfbm = all, .then_save = true },
		{ .name = "XSAVE64 x87+SSE", .insn = XS_INSN_XSAVE, .rfbm = small },
		{ .name = "XSAVEOPT64 x87+SSE", .insn = XS_INSN_XSAVEOPT, .rfbm = small },
		{ .name = "XSAVEC64 x87+SSE", .insn = XS_INSN_XSAVEC, .rfbm = small },
		{ .name = "XRSTOR64 x87+SSE", .insn = XS_INSN_XRSTOR, .rfbm = small },
		{ .name = "XSAVE64 AVX", .insn = XS_INSN_XSAVE, .rfbm = avx },
		{ .name = "XRSTOR64 AVX", .insn = XS_INSN_XRSTOR, .rfbm = avx },
	};

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--iterations"))
			iters = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--json"))
			json_path = argv[i + 1];
	}
	if (rounds < 1 || rounds > BENCH_MAX_ROUNDS || iters < 1) {
		fprintf(stderr, "usage: bench_engine [--json FILE] [--rounds 1..%d] [--iterations N]\n",
			BENCH_MAX_ROUNDS);
		return 2;
	}
	if (setup(&b))
		return 0;
	if (json_path && !(json = fopen(json_path, "w")))
		return perror(json_path), 2;
	printf("XCR0 0x%llx, standard size %zu, %u rounds x %lu instructions per side\n",
	       (unsigned long long)b.hw.xcr0, xs_engine_standard_size(b.m, b.hw.xcr0), rounds, iters);
	run_rows(&b, rows, sizeof(rows) / sizeof(rows[0]), rounds, iters);
	xs_hw_reset(&b.hw);
	if (json)
		fprintf(json, "{\n  \"benchmark\": \"engine\",\n  \"xcr0\": \"0x%llx\",\n  \"results\": [\n",
			(unsigned long long)b.hw.xcr0);
	print_rows(&b, rows, sizeof(rows) / sizeof(rows[0]), rounds, json);
	if (json) {
		fprintf(json, "\n  ]\n}\n");
		fclose(json);
	}
	teardown(&b);
	return 0;
}
