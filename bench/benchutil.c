// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, unsigned n)
{
	double tmp[BENCH_MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* Quantile q of sorted s[0..n). */
static double quantile(const double *s, unsigned n, double q)
{
	double pos = q * (n - 1);
	unsigned i = (unsigned)pos;

	return i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[n - 1];
}

struct bench_stats bench_stats_of(const double *v, unsigned n)
{
	struct bench_stats st = { 0 };
	double *s = n ? malloc(n * sizeof(*s)) : NULL;

	if (!s)
		return st;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.q1 = quantile(s, n, 0.25);
	st.median = quantile(s, n, 0.5);
	st.q3 = quantile(s, n, 0.75);
	st.max = s[n - 1];
	free(s);
	return st;
}

const char bench_goal_rule[] =
	"a goal ratio <= G is met when the upper quartile (Q3) of the per-round ratios is <= G, missed "
	"when their lower quartile (Q1) is > G, and borderline when G lies between them";

const char *bench_goal_verdict(const struct bench_stats *ratio, double goal)
{
	if (ratio->q3 <= goal)
		return "met";
	return ratio->q1 > goal ? "missed" : "borderline";
}

void bench_run(struct bench_op *ops, unsigned nops, unsigned rounds, unsigned long iters)
{
	if (rounds > BENCH_MAX_ROUNDS)
		rounds = BENCH_MAX_ROUNDS;
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned o = 0; o < nops; o++) {
			/* alternate the order so drift hits every op alike */
			struct bench_op *op = &ops[r % 2 ? nops - 1 - o : o];
			uint64_t t0 = bench_now();

			for (unsigned long i = 0; i < iters; i++)
				op->fn(op->ctx);
			op->ns[r] = (double)(bench_now() - t0) / (double)iters;
		}
	}
	for (unsigned o = 0; o < nops; o++)
		ops[o].median = bench_median(ops[o].ns, rounds);
}

void bench_sink(const void *p, size_t n)
{
	__asm__ volatile("" : : "r"(p), "r"(n) : "memory");
}
