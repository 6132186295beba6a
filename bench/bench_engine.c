// SPDX-License-Identifier: MIT
/*
 * The software XSAVE engine against the CPU's own instructions: XSAVE,
 * XSAVEOPT, XSAVEC and XRSTOR (the REX.W forms) of the full enabled state
 * and of small RFBMs, standard and compacted, every component holding
 * data, and two round trips (a restore, then a save of the same RFBM).
 * Beside each row, two references: a memcpy of the bytes the instruction
 * moves plus the 64-byte header (the floor for any implementation: the
 * hardware's microcode is slower than the memory traffic it causes), and
 * the same instruction under QEMU's TCG (`qemu-x86_64 -cpu max`), what
 * users of an emulator get today.
 *
 * Noise: the machine may be shared. Every round runs every row once, the
 * engine, the CPU and the memcpy back to back (about 100 us each, the
 * order of rows and of sides rotated from round to round), so a round
 * gives ratios in which the load of the moment cancels. Rounds go on
 * until --rounds or the --seconds cap; the table shows the median ns per
 * side and the median and quartiles of the per-round ratios, with a
 * verdict against the goal (engine <= 1.0x the CPU, every row) by
 * bench_goal_rule. Each timed run first loads the state into the engine
 * and the CPU (the code between runs may change the CPU's XINUSE).
 *
 * The QEMU column comes from a second process: this program re-executed
 * under `qemu-x86_64 -cpu max` with --peer, timing the CPU side only (the
 * instructions are TCG's helpers there), in the same run, before the
 * rounds. QEMU enables its own XCR0; each row asks for the same RFBM, and
 * the JSON says what QEMU's XCR0 left of it.
 *
 * usage: bench_engine [--json FILE] [--rounds R] [--seconds S] [--no-qemu]
 *        bench_engine --profile ROW [--iterations N] [--cpuid DUMP] [--xcr0 MASK]
 * (--profile runs ROW's engine side alone, N times, for valgrind
 * --tool=callgrind: instruction counts repeat where time does not;
 * --cpuid models a CPU dump instead of this one.)
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "xstate.h"

extern char **environ;

#define AREA 16384
#define GOAL 1.0
#define MIN_ROUNDS 21
#define CHUNK_NS 100000.0	/* one side of one row in one round */
#define NO_SAVE XS_INSN_FXSAVE	/* row.then: not a round trip */
#define PEER_ROUNDS 7
#define PEER_CHUNK_NS 2000000.0	/* under TCG an instruction takes about 1 us */
#define HEADER_BYTES 64

enum side { ENGINE, CPU, MEMCPY, SIDES };

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
	void *blocks[3];
};

struct bench {
	struct xs_hw hw;
	uint64_t xcr0;		/* the XCR0 the rows are for (the host's, in the peer too) */
	/* the current layout */
	xs_machine *m;
	uint8_t *state;		/* the image every round starts from (standard format) */
	uint8_t *out;		/* where saves go */
	uint8_t *cmp;		/* the state in the compacted format (XRSTOR of it) */
	struct layout lay[LAYOUTS];
	unsigned nlayouts;
};

struct row {
	const char *name;
	enum xs_insn insn;
	uint64_t rfbm;
	bool compacted;		/* XRSTOR: from the compacted image */
	enum xs_insn then;	/* a round trip: this save of the same RFBM after the XRSTOR, or NO_SAVE */
	bool skip;		/* the CPU lacks the instruction */
	unsigned long iters;	/* per side per round (calibrated) */
	size_t bytes[2];	/* the memcpy baseline: what each instruction moves, plus the header */
	double *ns[SIDES];	/* per round, ns per instruction (per pair for a round trip) */
	double *ratio;		/* per round, engine / CPU */
	double *mratio;		/* per round, engine / memcpy */
	struct bench_stats st[SIDES], rst, mst;
	/* the QEMU peer */
	bool qemu;		/* measured there */
	double qemu_ns;
	uint64_t qemu_rfbm;	/* the row's RFBM & QEMU's XCR0 */
};

/* The rows; RFBM ~0 means "every enabled component". */
static const struct row row_table[] = {
#define ALL (~UINT64_C(0))
#define SMALL XS_XFEATURE_MASK_FPSSE
#define AVX XS_XFEATURE_MASK_YMM
	{ .name = "XSAVE64 full state", .insn = XS_INSN_XSAVE, .rfbm = ALL },
	{ .name = "XSAVEOPT64 full state", .insn = XS_INSN_XSAVEOPT, .rfbm = ALL },
	{ .name = "XSAVEC64 full state", .insn = XS_INSN_XSAVEC, .rfbm = ALL },
	{ .name = "XRSTOR64 full state", .insn = XS_INSN_XRSTOR, .rfbm = ALL },
	{ .name = "XRSTOR64 compacted full", .insn = XS_INSN_XRSTOR, .rfbm = ALL, .compacted = true },
	{ .name = "XRSTOR64+XSAVE64 full", .insn = XS_INSN_XRSTOR, .rfbm = ALL, .then = XS_INSN_XSAVE },
	{ .name = "XRSTOR64+XSAVEC64 compacted full", .insn = XS_INSN_XRSTOR, .rfbm = ALL, .compacted = true,
	  .then = XS_INSN_XSAVEC },
	{ .name = "XSAVE64 x87+SSE", .insn = XS_INSN_XSAVE, .rfbm = SMALL },
	{ .name = "XSAVEOPT64 x87+SSE", .insn = XS_INSN_XSAVEOPT, .rfbm = SMALL },
	{ .name = "XSAVEC64 x87+SSE", .insn = XS_INSN_XSAVEC, .rfbm = SMALL },
	{ .name = "XRSTOR64 x87+SSE", .insn = XS_INSN_XRSTOR, .rfbm = SMALL },
	{ .name = "XRSTOR64 compacted x87+SSE", .insn = XS_INSN_XRSTOR, .rfbm = SMALL, .compacted = true },
	{ .name = "XSAVE64 AVX", .insn = XS_INSN_XSAVE, .rfbm = AVX },
	{ .name = "XSAVEC64 AVX", .insn = XS_INSN_XSAVEC, .rfbm = AVX },
	{ .name = "XRSTOR64 AVX", .insn = XS_INSN_XRSTOR, .rfbm = AVX },
	{ .name = "XRSTOR64 compacted AVX", .insn = XS_INSN_XRSTOR, .rfbm = AVX, .compacted = true },
#undef ALL
#undef SMALL
#undef AVX
};
#define NROWS (sizeof(row_table) / sizeof(row_table[0]))

/* The same instruction on the engine or the CPU; 0 or the exception / errno. */
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
 * The memcpy side copies what each instruction moves, from the state
 * image to the save area.
 */
static int execute(struct bench *b, const struct row *r, enum side side)
{
	struct row save = { .insn = r->then, .rfbm = r->rfbm };
	int ret;

	if (side == MEMCPY) {
		memcpy(b->out, b->state, r->bytes[0]);
		if (r->bytes[1])
			memcpy(b->out, b->state, r->bytes[1]);
		return 0;
	}
	ret = execute_one(b, r, side);
	return ret || r->then == NO_SAVE ? ret : execute_one(b, &save, side);
}

static bool available(const struct xs_hw *hw, enum xs_insn insn)
{
	return insn == XS_INSN_XSAVEOPT ? hw->xsaveopt : insn == XS_INSN_XSAVEC ? hw->xsavec : true;
}

static bool row_available(const struct xs_hw *hw, const struct row *r)
{
	return available(hw, r->insn) && (r->then == NO_SAVE || available(hw, r->then)) &&
	       (!r->compacted || hw->xsavec);
}

/* ns per instruction for `iters` back-to-back executions, from the loaded state. */
static double time_side(struct bench *b, const struct row *r, enum side side, unsigned long iters)
{
	uint64_t t0;

	/* the engine and the CPU start from the same state: every component in use */
	if (side == ENGINE && xs_xrstor(b->m, b->state, AREA, ~UINT64_C(0), XS_REX_W))
		abort();
	if (side == CPU && xs_hw_xrstor(&b->hw, b->state, ~UINT64_C(0), XS_REX_W))
		abort();
	t0 = bench_now();
	for (unsigned long i = 0; i < iters; i++)
		if (execute(b, r, side))
			abort();
	bench_sink(b->out, AREA);
	return (double)(bench_now() - t0) / (double)iters;
}

/* Component nr's size on the machine's model (CPUID 0xD.nr EAX; 0 when absent). */
static size_t size_of(const xs_machine *m, unsigned nr)
{
	uint32_t size = 0;

	xs_machine_component_layout(m, nr, &size, NULL, NULL);
	return size;
}

/*
 * Bytes an instruction of this RFBM moves (§2, §4): the x87 area (160),
 * the XMM registers (256), MXCSR alone (8) when AVX needs it without x87,
 * each extended component, and the 64-byte header.
 */
static size_t moved_bytes(const xs_machine *m, uint64_t rfbm)
{
	size_t n = HEADER_BYTES;

	if (rfbm & XS_XFEATURE_MASK_FP)
		n += 160;
	if (rfbm & XS_XFEATURE_MASK_SSE)
		n += 256;
	else if (rfbm & XS_XFEATURE_MASK_YMM && !(rfbm & XS_XFEATURE_MASK_FP))
		n += 8;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (rfbm & XS_BIT(nr))
			n += size_of(m, nr);
	return n;
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
 * differs from layout to layout; the machine (xs_machine_new, 64-byte
 * aligned) is wherever the allocator puts each of them, a few pages
 * apart.
 */
static int alloc_layout(struct layout *l, unsigned k, const xs_cpu *cpu)
{
	uint8_t *p[3];

	for (unsigned i = 0; i < 3; i++) {
		size_t off = (size_t)((k * (2 * i + 3) * 23 + (i + 1) * 17) % 64) * 64;

		l->blocks[i] = aligned_alloc(4096, (AREA + off + 4095) & ~(size_t)4095);
		if (!l->blocks[i])
			return -1;
		p[i] = (uint8_t *)l->blocks[i] + off;
	}
	l->state = p[0];
	l->out = p[1];
	l->cmp = p[2];
	return xs_machine_new(&l->m, cpu);
}

/* Layouts of machines for `cpu` with XCR0 = b->hw.xcr0, the state loaded, its compacted image. */
static void setup_layouts(struct bench *b, const xs_cpu *cpu, unsigned n)
{
	b->nlayouts = n;
	for (unsigned k = 0; k < n; k++) {
		if (alloc_layout(&b->lay[k], k, cpu) || xs_xsetbv(b->lay[k].m, 0, b->hw.xcr0)) {
			fprintf(stderr, "bench_engine: cannot model this CPU\n");
			exit(2);
		}
		use_layout(b, k);
		xs_machine_context(b->m)->cpl = 3;
		make_state(b);
		memset(b->cmp, 0, AREA);
		if (xs_xrstor(b->m, b->state, AREA, ~UINT64_C(0), XS_REX_W) ||
		    (xs_machine_cpu_info(b->m)->xsavec &&
		     xs_xsavec(b->m, b->cmp, AREA, ~UINT64_C(0), XS_REX_W)))
			abort();
	}
	use_layout(b, 0);
}

/* The live CPU: 1 when it has no XSAVE (the caller skips). */
static int setup(struct bench *b)
{
	xs_cpu *cpu = xs_cpu_new();

	if (xs_hw_init(&b->hw) || !b->hw.xsave) {
		printf("SKIP: this CPU has no XSAVE (or the OS has not enabled it)\n");
		xs_cpu_free(cpu);
		return 1;
	}
	if (!cpu || xs_cpu_from_host(cpu)) {
		fprintf(stderr, "bench_engine: cannot model this CPU\n");
		exit(2);
	}
	b->xcr0 = b->hw.xcr0;
	setup_layouts(b, cpu, LAYOUTS);
	xs_cpu_free(cpu);
	return 0;
}

static void teardown(struct bench *b)
{
	for (unsigned k = 0; k < b->nlayouts; k++) {
		for (int i = 0; i < 3; i++)
			free(b->lay[k].blocks[i]);
		xs_machine_free(b->lay[k].m);
	}
}

/* Iterations per side so that the slowest side of a row takes about `chunk` ns. */
static void calibrate(struct bench *b, struct row *r, unsigned sides, double chunk)
{
	double slow = 0;

	for (int k = 0; k < 3; k++)
		for (unsigned side = 0; side < SIDES; side++) {
			double ns;

			if (!(sides & 1u << side))
				continue;
			ns = time_side(b, r, (enum side)side, 64);
			if (k && ns > slow)	/* the first pass warms up */
				slow = ns;
		}
	r->iters = slow > 0 ? (unsigned long)(chunk / slow) : 1000;
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
		use_layout(b, r % b->nlayouts);
		for (unsigned j = 0; j < nrows; j++) {
			struct row *row = &rows[(j + r) % nrows];

			if (row->skip)
				continue;
			/* rotate which side goes first */
			for (unsigned s = 0; s < SIDES; s++) {
				enum side side = (enum side)((s + r + j) % SIDES);

				row->ns[side][r] = time_side(b, row, side, row->iters);
			}
			row->ratio[r] = row->ns[ENGINE][r] / row->ns[CPU][r];
			row->mratio[r] = row->ns[ENGINE][r] / row->ns[MEMCPY][r];
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
		for (unsigned s = 0; s < SIDES; s++)
			rows[i].st[s] = bench_stats_of(rows[i].ns[s], rounds);
		rows[i].rst = bench_stats_of(rows[i].ratio, rounds);
		rows[i].mst = bench_stats_of(rows[i].mratio, rounds);
	}
}

/* ---- the QEMU peer ---------------------------------------------------------------- */

/*
 * --peer: under QEMU, the CPU side of every row (RFBM = the row's, over
 * the host's XCR0), PEER_ROUNDS rounds, the median ns per row into FILE:
 * "xcr0 MASK" then one "ROW NS RFBM" line per measured row.
 */
static int run_peer(const char *path, uint64_t host_xcr0)
{
	struct bench b;
	struct row rows[NROWS];
	FILE *f;

	memcpy(rows, row_table, sizeof(rows));
	if (setup(&b))
		return 1;
	f = fopen(path, "w");
	if (!f)
		return perror(path), 2;
	fprintf(f, "xcr0 0x%llx\n", (unsigned long long)b.hw.xcr0);
	for (unsigned i = 0; i < NROWS; i++) {
		struct row *r = &rows[i];
		double ns[PEER_ROUNDS];

		r->rfbm &= host_xcr0;
		if (!row_available(&b.hw, r))
			continue;
		calibrate(&b, r, 1u << CPU, PEER_CHUNK_NS);
		for (unsigned k = 0; k < PEER_ROUNDS; k++)
			ns[k] = time_side(&b, r, CPU, r->iters);
		fprintf(f, "%u %.2f 0x%llx\n", i, bench_median(ns, PEER_ROUNDS),
			(unsigned long long)(r->rfbm & b.hw.xcr0));
	}
	xs_hw_reset(&b.hw);
	teardown(&b);
	return fclose(f) ? 2 : 0;
}

/* QEMU's run, as the report states it. */
struct qemu_result {
	bool available;
	char why_absent[160];
	uint64_t xcr0;
};

/*
 * This program under `qemu-x86_64 -cpu max`, --peer: the rows' QEMU times.
 * A missing qemu-x86_64 (or a failed run) leaves the column empty and
 * says why.
 */
static void run_qemu(struct row *rows, uint64_t host_xcr0, struct qemu_result *q)
{
	char exe[4096], out[] = "/tmp/bench_engine_qemu.XXXXXX", mask[32], line[128];
	char *argv[] = { "qemu-x86_64", "-cpu", "max", exe, "--peer", out, "--xcr0", mask, NULL };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd = mkstemp(out), status = 0, err;
	pid_t pid;
	FILE *f;

	memset(q, 0, sizeof(*q));
	if (n <= 0 || fd < 0) {
		snprintf(q->why_absent, sizeof(q->why_absent), "no temporary file or no /proc/self/exe");
		return;
	}
	close(fd);
	exe[n] = 0;
	snprintf(mask, sizeof(mask), "0x%llx", (unsigned long long)host_xcr0);
	fflush(stdout);
	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err) {
		snprintf(q->why_absent, sizeof(q->why_absent), "qemu-x86_64 could not be run (%s): install qemu-user",
			 strerror(err));
		unlink(out);
		return;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(q->why_absent, sizeof(q->why_absent), "the run under qemu-x86_64 failed (status %d)", status);
		unlink(out);
		return;
	}
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v;
		unsigned i;
		double ns;

		if (sscanf(line, "xcr0 %llx", &v) == 1) {
			q->xcr0 = v;
			q->available = true;
		} else if (sscanf(line, "%u %lf %llx", &i, &ns, &v) == 3 && i < NROWS) {
			rows[i].qemu = true;
			rows[i].qemu_ns = ns;
			rows[i].qemu_rfbm = v;
		}
	}
	if (f)
		fclose(f);
	unlink(out);
	if (!q->available)
		snprintf(q->why_absent, sizeof(q->why_absent), "the run under qemu-x86_64 gave no results");
}

/* ---- output ----------------------------------------------------------------------- */

/* The engine evaluates XINUSE on the values after XRSTOR, lazily (AMD): an XRSTOR row alone leaves it out. */
static bool deferred(const struct bench *b)
{
	return xs_machine_trait(b->m, XS_TRAIT_XINUSE_BY_VALUE);
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
	printf("%-33s %-7s %8s %8s %6s %11s %-10s %6s %8s %6s %8s %6s\n", "operation", "RFBM", "engine", "cpu",
	       "ratio", "Q1..Q3", "verdict", "bytes", "memcpy", "e/mcpy", "QEMU", "e/QEMU");
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char range[32], qns[16] = "-", qr[16] = "-";

		if (r->skip)
			continue;
		snprintf(range, sizeof(range), "%.2f..%.2f", r->rst.q1, r->rst.q3);
		if (r->qemu) {
			snprintf(qns, sizeof(qns), "%.1f", r->qemu_ns);
			snprintf(qr, sizeof(qr), "%.3f", r->st[ENGINE].median / r->qemu_ns);
		}
		printf("%-33s 0x%-5llx %8.1f %8.1f %6.2f %11s %-10s %6zu %8.1f %6.2f %8s %6s\n", r->name,
		       (unsigned long long)(r->rfbm & b->xcr0), r->st[ENGINE].median, r->st[CPU].median,
		       r->rst.median, range, bench_goal_verdict(&r->rst, GOAL), r->bytes[0] + r->bytes[1],
		       r->st[MEMCPY].median, r->mst.median, qns, qr);
	}
}

static const char deferral_note[] =
	"The engine's XRSTOR may defer work: on a CPU that evaluates XINUSE on the values (AMD, "
	"impl.xinuse_by_value) the restore only marks the loaded components and the next reader of "
	"XINUSE (a save, XGETBV 1) compares them with their init values. An XRSTOR row alone leaves "
	"that out; the XRSTOR+XSAVE round trips pay it and are the honest restore figures.";

static const char memcpy_note[] =
	"memcpy: one memcpy per instruction of the bytes it moves (x87 160, XMM 256, each extended "
	"component) plus the 64-byte header, from the state image to the save area; e/mcpy = engine / "
	"that memcpy (median of the per-round ratios), the distance to the floor.";

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
			"\"ratio_min\": %.4f, \"ratio_max\": %.4f, \"round_trip\": %s, "
			"\"goal\": %.1f, \"verdict\": \"%s\", "
			"\"memcpy_bytes\": %zu, \"memcpy_ns\": %.2f, \"engine_memcpy_ratio\": %.4f, "
			"\"engine_memcpy_q1\": %.4f, \"engine_memcpy_q3\": %.4f, ",
			first ? "" : ",\n", r->name, (unsigned long long)(r->rfbm & b->xcr0), r->iters,
			r->st[ENGINE].median, r->st[CPU].median, r->rst.median, r->rst.q1, r->rst.q3, r->rst.min,
			r->rst.max, r->then != NO_SAVE ? "true" : "false", GOAL, bench_goal_verdict(&r->rst, GOAL),
			r->bytes[0] + r->bytes[1], r->st[MEMCPY].median, r->mst.median, r->mst.q1, r->mst.q3);
		if (r->qemu)
			fprintf(json, "\"qemu_ns\": %.2f, \"qemu_rfbm\": \"0x%llx\", \"engine_qemu_ratio\": %.5f, ",
				r->qemu_ns, (unsigned long long)r->qemu_rfbm, r->st[ENGINE].median / r->qemu_ns);
		else
			fprintf(json, "\"qemu_ns\": null, \"qemu_rfbm\": null, \"engine_qemu_ratio\": null, ");
		fprintf(json, "\"note\": \"%s\"}", row_note(b, r));
		first = false;
	}
}

static int write_json(const char *path, const struct bench *b, const struct row *rows, unsigned nrows,
		      unsigned rounds, double cap, double took, const struct qemu_result *q)
{
	FILE *json = fopen(path, "w");

	if (!json)
		return perror(path), 2;
	fprintf(json,
		"{\n  \"benchmark\": \"engine\",\n  \"xcr0\": \"0x%llx\",\n  \"standard_size\": %zu,\n"
		"  \"rounds\": %u,\n  \"layouts\": %d,\n  \"seconds\": %.2f,\n  \"cap_seconds\": %.1f,\n  \"chunk_us\": %.0f,\n"
		"  \"goal\": %.1f,\n  \"goal_rule\": \"%s\",\n  \"xinuse_deferred\": %s,\n"
		"  \"deferral_note\": \"%s\",\n  \"memcpy_note\": \"%s\",\n",
		(unsigned long long)b->xcr0, xs_engine_standard_size(b->m, b->xcr0), rounds, LAYOUTS, took, cap,
		CHUNK_NS / 1000, GOAL, bench_goal_rule, deferred(b) ? "true" : "false", deferral_note, memcpy_note);
	if (q->available)
		fprintf(json, "  \"qemu\": {\"available\": true, \"command\": \"qemu-x86_64 -cpu max\", \"xcr0\": \"0x%llx\", "
			"\"rounds\": %d, \"note\": \"the CPU side of each row re-run under QEMU user-mode TCG in the same run; "
			"its RFBM is the row's over QEMU's XCR0 (qemu_rfbm)\"},\n  \"results\": [\n",
			(unsigned long long)q->xcr0, PEER_ROUNDS);
	else
		fprintf(json, "  \"qemu\": {\"available\": false, \"why_absent\": \"%s\"},\n  \"results\": [\n",
			q->why_absent);
	json_rows(json, b, rows, nrows);
	fprintf(json, "\n  ]\n}\n");
	return fclose(json) ? (perror(path), 2) : 0;
}

/* ---- --profile ------------------------------------------------------------------------ */

/*
 * ROW's engine side alone, `iters` times, on this CPU's model or a dump's
 * (for callgrind, whose CPUID is not the host's): XCR0 = `xcr0` or every
 * user component the model has.
 */
static int run_profile(const char *name, unsigned long iters, const char *dump, uint64_t xcr0)
{
	struct bench b;
	struct row r;
	xs_cpu *cpu = xs_cpu_new();
	struct xs_diag d;
	unsigned i;

	for (i = 0; i < NROWS && strcmp(row_table[i].name, name); i++)
		;
	if (i == NROWS || !cpu) {
		fprintf(stderr, "bench_engine: no row \"%s\"\n", name);
		return 2;
	}
	r = row_table[i];
	if (dump ? xs_cpu_from_file(cpu, dump, 0, &d) : xs_cpu_from_host(cpu)) {
		fprintf(stderr, "bench_engine: %s\n", dump ? d.msg : "cannot model this CPU");
		return 2;
	}
	memset(&b, 0, sizeof(b));
	/* the model's own features stand in for the hardware's */
	b.hw.xsave = b.hw.xsaveopt = b.hw.xsavec = true;
	b.hw.xcr0 = xcr0;
	if (!xcr0) {
		xs_machine *m;

		if (xs_machine_new(&m, cpu))
			return 2;
		b.hw.xcr0 = xs_machine_cpu_info(m)->xcr0_supported;
		xs_machine_free(m);
	}
	b.xcr0 = b.hw.xcr0;
	setup_layouts(&b, cpu, 1);
	xs_cpu_free(cpu);
	for (unsigned long k = 0; k < iters; k++)
		if (execute(&b, &r, ENGINE))
			return fprintf(stderr, "bench_engine: %s faulted\n", name), 2;
	teardown(&b);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bench_engine [--json FILE] [--rounds %d..N] [--seconds S] [--no-qemu]\n"
		"       bench_engine --profile ROW [--iterations N] [--cpuid DUMP] [--xcr0 MASK]\n", MIN_ROUNDS);
	return 2;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct row rows[NROWS];
	struct qemu_result q = { .why_absent = "not run (--no-qemu)" };
	const char *json_path = NULL, *peer = NULL, *profile = NULL, *dump = NULL;
	unsigned max_rounds = 1001, rounds;
	unsigned long iters = 100000;
	uint64_t xcr0 = 0;
	double cap = 5, took;
	bool qemu = true;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-qemu")) {
			qemu = false;
			continue;
		}
		if (!v)
			return usage();
		if (!strcmp(a, "--rounds"))
			max_rounds = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--seconds"))
			cap = strtod(v, NULL);
		else if (!strcmp(a, "--json"))
			json_path = v;
		else if (!strcmp(a, "--peer"))
			peer = v;
		else if (!strcmp(a, "--xcr0"))
			xcr0 = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--profile"))
			profile = v;
		else if (!strcmp(a, "--iterations"))
			iters = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--cpuid"))
			dump = v;
		else
			return usage();
		i++;
	}
	if (profile)
		return run_profile(profile, iters, dump, xcr0);
	if (peer)
		return run_peer(peer, xcr0 ? xcr0 : ~UINT64_C(0));
	if (max_rounds < MIN_ROUNDS || max_rounds > 100000 || !(cap > 0 && cap <= 600))
		return usage();
	if (setup(&b))
		return 0;
	memcpy(rows, row_table, sizeof(rows));
	if (qemu) {
		printf("QEMU TCG peer: this program under qemu-x86_64 -cpu max ...\n");
		run_qemu(rows, b.xcr0, &q);
		if (!q.available)
			printf("QEMU TCG peer: none (%s)\n", q.why_absent);
	}
	for (unsigned i = 0; i < NROWS; i++) {
		struct row *r = &rows[i];

		r->skip = !row_available(&b.hw, r);
		r->bytes[0] = moved_bytes(b.m, r->rfbm & b.xcr0);
		r->bytes[1] = r->then != NO_SAVE ? r->bytes[0] : 0;
		for (unsigned s = 0; s < SIDES; s++)
			r->ns[s] = calloc(max_rounds, sizeof(double));
		r->ratio = calloc(max_rounds, sizeof(double));
		r->mratio = calloc(max_rounds, sizeof(double));
		if (!r->ns[ENGINE] || !r->ns[CPU] || !r->ns[MEMCPY] || !r->ratio || !r->mratio)
			return fprintf(stderr, "bench_engine: out of memory\n"), 2;
		if (!r->skip)
			calibrate(&b, r, (1u << SIDES) - 1, CHUNK_NS);
	}
	rounds = run_rows(&b, rows, NROWS, max_rounds, cap, &took);
	xs_hw_reset(&b.hw);
	summarise(rows, NROWS, rounds);
	printf("XCR0 0x%llx, standard size %zu; %u rounds in %.1f s (cap %.0f s): every round runs every row,\n"
	       "engine, CPU and memcpy back to back (~%.0f us each, rows and sides rotated), on one of %d buffer\n"
	       "layouts in turn; ratio = median of the per-round ratios engine/CPU, goal <= %.1f\n",
	       (unsigned long long)b.xcr0, xs_engine_standard_size(b.m, b.xcr0), rounds, took, cap, CHUNK_NS / 1000,
	       LAYOUTS, GOAL);
	if (q.available)
		printf("QEMU: qemu-x86_64 -cpu max (its XCR0 0x%llx), median of %d rounds per row\n",
		       (unsigned long long)q.xcr0, PEER_ROUNDS);
	printf("\n");
	print_rows(&b, rows, NROWS);
	printf("\nverdict rule: %s.\n%s\n%s%s\n", bench_goal_rule, memcpy_note, deferral_note,
	       deferred(&b) ? " It applies on this CPU." : " It does not apply on this CPU (XINUSE is set on load).");
	if (json_path)
		ret = write_json(json_path, &b, rows, NROWS, rounds, cap, took, &q);
	for (unsigned i = 0; i < NROWS; i++) {
		for (unsigned s = 0; s < SIDES; s++)
			free(rows[i].ns[s]);
		free(rows[i].ratio);
		free(rows[i].mratio);
	}
	teardown(&b);
	return ret;
}
