/* SPDX-License-Identifier: MIT */
/*
 * Benchmark helpers: operations measured side by side in one run,
 * interleaved round by round, reported as the median ns per operation.
 */
#ifndef XS_BENCHUTIL_H
#define XS_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_OPS 8
#define BENCH_MAX_ROUNDS 64

typedef void (*bench_fn)(void *ctx);

struct bench_op {
	const char *name;
	bench_fn fn;
	void *ctx;
	double ns[BENCH_MAX_ROUNDS];	/* per round, ns per call */
	double median;
};

/* Monotonic time in ns. */
uint64_t bench_now(void);
/* Run every op `iters` times per round, rounds interleaved; fills ns/median. */
void bench_run(struct bench_op *ops, unsigned nops, unsigned rounds, unsigned long iters);
double bench_median(double *v, unsigned n);

/* min, quartiles and max of n values (any n >= 1; linear interpolation between ranks). */
struct bench_stats {
	double min, q1, median, q3, max;
};
struct bench_stats bench_stats_of(const double *v, unsigned n);

/*
 * A goal "ratio <= goal" judged on the per-round ratios: "met" when even
 * their Q3 is within the goal, "missed" when even their Q1 is above it,
 * "borderline" when the goal falls inside [Q1, Q3].
 */
const char *bench_goal_verdict(const struct bench_stats *ratio, double goal);
extern const char bench_goal_rule[];
/* Keep the compiler from dropping work. */
void bench_sink(const void *p, size_t n);

#endif
