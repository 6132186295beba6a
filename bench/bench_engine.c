// SPDX-License-Identifier: MIT
/*
 * The software XSAVE engine against the CPU's own instructions: XSAVE,
 * XSAVEOPT, XSAVEC and XRSTOR (the REX.W forms) of the full enabled state
 * and of small RFBMs, every component holding data, and two round trips
 * (a restore, then a save of the same RFBM).
 *
 * Noise: the machine may be shared. Every round runs every row once, the
 * engine and the CPU back to back (about 100 us each, the order of rows
 * and of sides rotated from round to round), so a round gives a ratio
 * engine/CPU in which the load of the moment cancels. Rounds go on until
 * --rounds or the --seconds cap; the table shows the median ns per side
 * and the median and quartiles of the per-round ratios, with a verdict
 * against the goal (<= 1.5 for the full-state save and restore) by
 * bench_goal_rule. Each timed run first loads the state into both sides
 * (the code between runs may change the CPU's XINUSE).
 *
 * usage: bench_engine [--json FILE] [--rounds R] [--seconds S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "xstate.h"

#define AREA 16384
#define GOAL 1.5
#define MIN_ROUNDS 21
#define CHUNK_NS 100000.0	/* one side of one row in one round */
#define NO_SAVE XS_INSN_FXSAVE	/* row.then: not a round trip */

enum side { ENGINE, CPU };

/*
 * Where the buffers lie can matter more than the noise (a copy whose
 * source and destination are 4K-aliased runs slower on some CPUs): each
 * round uses one of LAYOUTS copies of everything, allocated apart and at
 * different offsets within a page, so a run samples many placements
 * instead of drawing one.
 */
#define LAYOUTS 16

struct layout {
	xs_machine *m;
	uint8_t *state, *out, *cmp;
	void *blocks[4];
};

struct bench {
	struct xs_hw hw;
	/* the current layout */
	xs_machine *m;
	uint8_t *state;		/* the image every round starts from (standard format) */
	uint8_t *out;		/* where saves go */
	uint8_t *cmp;		/* the state in the compacted format (XRSTOR of it) */
	struct layout lay[LAYOUTS];
};

struct row {
	const char *name;
	enum xs_insn insn;
	uint64_t rfbm;
	bool compacted;		/* XRSTOR: from the compacted image */
	enum xs_insn then;	/* a round trip: this save of the same RFBM after the XRSTOR, or NO_SAVE */
	bool goal;		/* full state: the <= 1.5 goal applies */
	bool skip;		/* the CPU lacks the instruction */
	unsigned long iters;	/* per side per round (calibrated) */
	double *ns[2];		/* per round, ns per instruction (per pair for a round trip) */
	double *ratio;		/* per round, engine / CPU */
	struct bench_stats st[2], rst;
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
 * is evaluated on the values (AMD) by the next reader, here the save.
 */
static int execute(struct bench *b, const struct row *r, enum side side)
{
	struct row save = { .insn = r->then, .rfbm = r->rfbm };
	int ret = execute_one(b, r, side);

	return ret || r->then == NO_SAVE ? ret : execute_one(b, &save, side);
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

static void use_layout(struct bench *b, unsigned k)
{
	b->m = b->lay[k].m;
	b->state = b->lay[k].state;
	b->out = b->lay[k].out;
	b->cmp = b->lay[k].cmp;
}

/*
 * Layout k: each buffer in its own block, 64-byte aligned at its own
 * offset within a page, so the distance between any two buffers modulo
 * 4 KiB (what decides 4K aliasing between a copy's loads and stores)
 * differs from layout to layout.
 */
static int alloc_layout(struct layout *l, unsigned k)
{
	size_t sizes[4] = { sizeof(xs_machine), AREA, AREA, AREA };
	uint8_t *p[4];

	for (unsigned i = 0; i < 4; i++) {
		size_t off = (size_t)((k * (2 * i + 1) * 23 + i * 17) % 64) * 64;

		l->blocks[i] = aligned_alloc(4096, (sizes[i] + off + 4095) & ~(size_t)4095);
		if (!l->blocks[i])
			return -1;
		p[i] = (uint8_t *)l->blocks[i] + off;
	}
	l->m = (xs_machine *)(void *)p[0];
	l->state = p[1];
	l->out = p[2];
	l->cmp = p[3];
	return 0;
}

static int setup(struct bench *b)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));

	if (xs_hw_init(&b->hw) || !b->hw.xsave) {
		printf("SKIP: this CPU has no XSAVE (or the OS has not enabled it)\n");
		free(cpu);
		return 1;
	}
	if (!cpu || xs_cpu_from_host(cpu)) {
		fprintf(stderr, "bench_engine: cannot model this CPU\n");
		exit(2);
	}
	for (unsigned k = 0; k < LAYOUTS; k++) {
		if (alloc_layout(&b->lay[k], k) || xs_machine_init(b->lay[k].m, cpu) ||
		    xs_xsetbv(b->lay[k].m, 0, b->hw.xcr0)) {
			fprintf(stderr, "bench_engine: cannot model this CPU\n");
			exit(2);
		}
		use_layout(b, k);
		b->m->ctx.cpl = 3;
		make_state(b);
		memset(b->cmp, 0, AREA);
		if (xs_xrstor(b->m, b->state, AREA, ~UINT64_C(0), XS_REX_W) ||
		    (b->hw.xsavec && xs_xsavec(b->m, b->cmp, AREA, ~UINT64_C(0), XS_REX_W)))
			abort();
	}
	free(cpu);
	use_layout(b, 0);
	return 0;
}

static void teardown(struct bench *b)
{
	for (unsigned k = 0; k < LAYOUTS; k++)
		for (int i = 0; i < 4; i++)
			free(b->lay[k].blocks[i]);
}

/* Iterations per side so that the slower side of a row takes about CHUNK_NS. */
static void calibrate(struct bench *b, struct row *r)
{
	double slow = 0;

	for (int k = 0; k < 3; k++)
		for (int side = ENGINE; side <= CPU; side++) {
			double ns = time_side(b, r, (enum side)side, 64);

			if (k && ns > slow)	/* the first pass warms up */
				slow = ns;
		}
	r->iters = slow > 0 ? (unsigned long)(CHUNK_NS / slow) : 1000;
	if (r->iters < 16)
		r->iters = 16;
}

/* Rounds until max_rounds or, after MIN_ROUNDS, until `cap` seconds; returns the rounds run. */
static unsigned run_rows(struct bench *b, struct row *rows, unsigned nrows, unsigned max_rounds,
			 double cap, double *took)
{
	uint64_t t0 = bench_now();
	unsigned r;

	for (r = 0; r < max_rounds; r++) {
		if (r >= MIN_ROUNDS && (double)(bench_now() - t0) / 1e9 >= cap)
			break;
		use_layout(b, r % LAYOUTS);
		for (unsigned j = 0; j < nrows; j++) {
			struct row *row = &rows[(j + r) % nrows];
			/* alternate which side goes first */
			enum side first = (r + j) % 2 ? CPU : ENGINE;

			if (row->skip)
				continue;
			row->ns[first][r] = time_side(b, row, first, row->iters);
			row->ns[!first][r] = time_side(b, row, (enum side)!first, row->iters);
			row->ratio[r] = row->ns[ENGINE][r] / row->ns[CPU][r];
		}
	}
	*took = (double)(bench_now() - t0) / 1e9;
	return r;
}

static void summarise(struct row *rows, unsigned nrows, unsigned rounds)
{
	for (unsigned i = 0; i < nrows; i++) {
		if (rows[i].skip)
			continue;
		rows[i].st[ENGINE] = bench_stats_of(rows[i].ns[ENGINE], rounds);
		rows[i].st[CPU] = bench_stats_of(rows[i].ns[CPU], rounds);
		rows[i].rst = bench_stats_of(rows[i].ratio, rounds);
	}
}

/* The engine evaluates XINUSE on the values after XRSTOR, lazily (AMD): an XRSTOR row alone leaves it out. */
static bool deferred(const struct bench *b)
{
	return b->m->impl.xinuse_by_value;
}

static const char *row_note(const struct bench *b, const struct row *r)
{
	if (r->insn == XS_INSN_XRSTOR && r->then == NO_SAVE && deferred(b))
		return "flatters the engine: its XINUSE evaluation is deferred to the next save";
	if (r->then != NO_SAVE)
		return "the honest restore figure: the save pays what the restore deferred";
	return "";
}

static void print_rows(const struct bench *b, const struct row *rows, unsigned nrows)
{
	printf("%-33s %-7s %9s %9s %7s %13s %5s %-10s %s\n", "operation", "RFBM", "engine ns", "cpu ns",
	       "ratio", "ratio Q1..Q3", "goal", "verdict", "note");
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char range[32];

		if (r->skip)
			continue;
		snprintf(range, sizeof(range), "%.2f..%.2f", r->rst.q1, r->rst.q3);
		printf("%-33s 0x%-5llx %9.1f %9.1f %7.2f %13s %5s %-10s %s\n", r->name,
		       (unsigned long long)(r->rfbm & b->hw.xcr0), r->st[ENGINE].median, r->st[CPU].median,
		       r->rst.median, range, r->goal ? "<=1.5" : "-",
		       r->goal ? bench_goal_verdict(&r->rst, GOAL) : "-", row_note(b, r));
	}
}

static const char deferral_note[] =
	"The engine's XRSTOR may defer work: on a CPU that evaluates XINUSE on the values (AMD, "
	"impl.xinuse_by_value) the restore only marks the loaded components and the next reader of "
	"XINUSE (a save, XGETBV 1) compares them with their init values. An XRSTOR row alone leaves "
	"that out; the XRSTOR+XSAVE round trips pay it and are the honest restore figures.";

/* One row as a JSON object (make bench keeps them in docs/bench/engine.json). */
static void json_rows(FILE *json, const struct bench *b, const struct row *rows, unsigned nrows)
{
	bool first = true;

	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (r->skip)
			continue;
		fprintf(json,
			"%s    {\"op\": \"%s\", \"rfbm\": \"0x%llx\", \"iterations\": %lu, \"engine_ns\": %.2f, "
			"\"cpu_ns\": %.2f, \"ratio\": %.4f, \"ratio_q1\": %.4f, \"ratio_q3\": %.4f, "
			"\"ratio_min\": %.4f, \"ratio_max\": %.4f, \"round_trip\": %s, ",
			first ? "" : ",\n", r->name, (unsigned long long)(r->rfbm & b->hw.xcr0), r->iters,
			r->st[ENGINE].median, r->st[CPU].median, r->rst.median, r->rst.q1, r->rst.q3,
			r->rst.min, r->rst.max, r->then != NO_SAVE ? "true" : "false");
		if (r->goal)
			fprintf(json, "\"goal\": %.1f, \"verdict\": \"%s\", ", GOAL,
				bench_goal_verdict(&r->rst, GOAL));
		else
			fprintf(json, "\"goal\": null, \"verdict\": null, ");
		fprintf(json, "\"note\": \"%s\"}", row_note(b, r));
		first = false;
	}
}

static int write_json(const char *path, const struct bench *b, const struct row *rows, unsigned nrows,
		      unsigned rounds, double cap, double took)
{
	FILE *json = fopen(path, "w");

	if (!json)
		return perror(path), 2;
	fprintf(json,
		"{\n  \"benchmark\": \"engine\",\n  \"xcr0\": \"0x%llx\",\n  \"standard_size\": %zu,\n"
		"  \"rounds\": %u,\n  \"layouts\": %d,\n  \"seconds\": %.2f,\n  \"cap_seconds\": %.1f,\n  \"chunk_us\": %.0f,\n"
		"  \"goal\": %.1f,\n  \"goal_rule\": \"%s\",\n  \"xinuse_deferred\": %s,\n"
		"  \"deferral_note\": \"%s\",\n  \"results\": [\n",
		(unsigned long long)b->hw.xcr0, xs_engine_standard_size(b->m, b->hw.xcr0), rounds, LAYOUTS,
		took, cap, CHUNK_NS / 1000, GOAL, bench_goal_rule, deferred(b) ? "true" : "false", deferral_note);
	json_rows(json, b, rows, nrows);
	fprintf(json, "\n  ]\n}\n");
	return fclose(json) ? (perror(path), 2) : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_engine [--json FILE] [--rounds %d..N] [--seconds S]\n", MIN_ROUNDS);
	return 2;
}

int main(int argc, char **argv)
{
	struct bench b;
	const char *json_path = NULL;
	unsigned max_rounds = 1001, rounds;
	double cap = 5, took;
	int ret = 0;
	uint64_t all = ~UINT64_C(0), small = XS_XFEATURE_MASK_FPSSE, avx = XS_XFEATURE_MASK_YMM;
	struct row rows[] = {
		{ .name = "XSAVE64 full state", .insn = XS_INSN_XSAVE, .rfbm = all, .goal = true },
		{ .name = "XSAVEOPT64 full state", .insn = XS_INSN_XSAVEOPT, .rfbm = all, .goal = true },
		{ .name = "XSAVEC64 full state", .insn = XS_INSN_XSAVEC, .rfbm = all, .goal = true },
		{ .name = "XRSTOR64 full state", .insn = XS_INSN_XRSTOR, .rfbm = all, .goal = true },
		{ .name = "XRSTOR64 compacted full", .insn = XS_INSN_XRSTOR, .rfbm = all, .compacted = true,
		  .goal = true },
		{ .name = "XRSTOR64+XSAVE64 full", .insn = XS_INSN_XRSTOR, .rfbm = all,
		  .then = XS_INSN_XSAVE, .goal = true },
		{ .name = "XRSTOR64+XSAVEC64 compacted full", .insn = XS_INSN_XRSTOR, .rfbm = all,
		  .compacted = true, .then = XS_INSN_XSAVEC, .goal = true },
		{ .name = "XSAVE64 x87+SSE", .insn = XS_INSN_XSAVE, .rfbm = small },
		{ .name = "XSAVEOPT64 x87+SSE", .insn = XS_INSN_XSAVEOPT, .rfbm = small },
		{ .name = "XSAVEC64 x87+SSE", .insn = XS_INSN_XSAVEC, .rfbm = small },
		{ .name = "XRSTOR64 x87+SSE", .insn = XS_INSN_XRSTOR, .rfbm = small },
		{ .name = "XSAVE64 AVX", .insn = XS_INSN_XSAVE, .rfbm = avx },
		{ .name = "XRSTOR64 AVX", .insn = XS_INSN_XRSTOR, .rfbm = avx },
	};
	unsigned nrows = sizeof(rows) / sizeof(rows[0]);

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--rounds"))
			max_rounds = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			cap = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "--json"))
			json_path = argv[i + 1];
		else
			return usage();
	}
	if (max_rounds < MIN_ROUNDS || max_rounds > 100000 || !(cap > 0 && cap <= 600))
		return usage();
	if (setup(&b))
		return 0;
	for (unsigned i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		r->skip = !available(&b, r->insn) || (r->then != NO_SAVE && !available(&b, r->then)) ||
			  (r->compacted && !b.hw.xsavec);
		r->ns[ENGINE] = calloc(max_rounds, sizeof(double));
		r->ns[CPU] = calloc(max_rounds, sizeof(double));
		r->ratio = calloc(max_rounds, sizeof(double));
		if (!r->ns[ENGINE] || !r->ns[CPU] || !r->ratio)
			return fprintf(stderr, "bench_engine: out of memory\n"), 2;
		if (!r->skip)
			calibrate(&b, r);
	}
	rounds = run_rows(&b, rows, nrows, max_rounds, cap, &took);
	xs_hw_reset(&b.hw);
	summarise(rows, nrows, rounds);
	printf("XCR0 0x%llx, standard size %zu; %u rounds in %.1f s (cap %.0f s): every round runs every row,\n"
	       "engine and CPU back to back (~%.0f us each, rows and sides rotated), on one of %d buffer\n"
	       "layouts in turn; ratio = median of the per-round ratios engine/CPU\n\n",
	       (unsigned long long)b.hw.xcr0, xs_engine_standard_size(b.m, b.hw.xcr0), rounds, took, cap,
	       CHUNK_NS / 1000, LAYOUTS);
	print_rows(&b, rows, nrows);
	printf("\nverdict rule: %s.\n%s%s\n", bench_goal_rule, deferral_note,
	       deferred(&b) ? " It applies on this CPU." : " It does not apply on this CPU (XINUSE is set on load).");
	if (json_path)
		ret = write_json(json_path, &b, rows, nrows, rounds, cap, took);
	for (unsigned i = 0; i < nrows; i++) {
		free(rows[i].ns[ENGINE]);
		free(rows[i].ns[CPU]);
		free(rows[i].ratio);
	}
	teardown(&b);
	return ret;
}
