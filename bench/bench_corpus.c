// SPDX-License-Identifier: MIT
/*
 * The model over a corpus of CPUs: time per CPU to parse a dump and to run
 * the kernel's xstate init (xs_system_new(), its allocation included), and CPUs
 * per second for the whole pass.
 * Goals: system init < 1 ms per CPU, >= 1,000 CPUs per second.
 *
 * A round is one pass over the corpus; rounds go on until --rounds or the
 * --seconds cap (at least 11). The figures are medians over the rounds,
 * with the quartiles beside them; a goal is met when even the unfavourable
 * quartile meets it.
 *
 * usage: bench_corpus [--json FILE] [--rounds R] [--seconds S] DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "xstate.h"

struct dump {
	char name[256];
	char *text;
	size_t len;
};

static int load_dir(const char *dir, struct dump **out)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), k = 0;
	struct dump *d = calloc(n > 0 ? (size_t)n : 1, sizeof(*d));

	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(f);
		char path[4096];
		FILE *fp;

		if (l > 4 && !strcmp(f + l - 4, ".txt")) {
			snprintf(path, sizeof(path), "%s/%s", dir, f);
			fp = fopen(path, "rb");
			if (fp) {
				d[k].text = malloc(1 << 20);
				d[k].len = fread(d[k].text, 1, 1 << 20, fp);
				snprintf(d[k].name, sizeof(d[k].name), "%s", f);
				fclose(fp);
				k++;
			}
		}
		free(names[i]);
	}
	free(names);
	*out = d;
	return k;
}

#define MIN_ROUNDS 11
#define GOAL_INIT_US 1000.0
#define GOAL_CPUS_PER_S 1000.0

static const char *verdict(bool met, bool missed)
{
	return met ? "met" : missed ? "missed" : "borderline";
}

int main(int argc, char **argv)
{
	const char *json_path = NULL, *dir = NULL;
	unsigned max_rounds = 401, rounds;
	double cap = 2, *parse, *init, *rate;
	struct bench_stats ps, is, rs;
	struct dump *d;
	xs_cpu *cpu = xs_cpu_new();
	const char *init_verdict, *rate_verdict;
	uint64_t start;
	int n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json_path = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			max_rounds = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			cap = strtod(argv[++i], NULL);
		else
			dir = argv[i];
	}
	if (!dir || max_rounds < 1 || max_rounds > 100000 || !(cap > 0 && cap <= 600))
		return fprintf(stderr, "usage: bench_corpus [--json FILE] [--rounds R] [--seconds S] DIR\n"), 2;
	n = load_dir(dir, &d);
	if (n <= 0)
		return fprintf(stderr, "bench_corpus: no *.txt dumps in %s\n", dir), 2;
	parse = calloc(max_rounds, sizeof(*parse));
	init = calloc(max_rounds, sizeof(*init));
	rate = calloc(max_rounds, sizeof(*rate));
	if (!cpu || !parse || !init || !rate)
		return fprintf(stderr, "bench_corpus: out of memory\n"), 2;
	start = bench_now();
	for (rounds = 0; rounds < max_rounds; rounds++) {
		uint64_t tp = 0, ti = 0;

		if (rounds >= MIN_ROUNDS && (double)(bench_now() - start) / 1e9 >= cap)
			break;
		for (int i = 0; i < n; i++) {
			struct xs_diag diag;
			uint64_t t0 = bench_now(), t1, t2;
			xs_system *sys;

			if (xs_cpu_parse(cpu, d[i].text, d[i].len, 0, d[i].name, &diag))
				return fprintf(stderr, "%s\n", diag.msg), 2;
			t1 = bench_now();
			if (xs_system_new(&sys, cpu, NULL))
				return fprintf(stderr, "%s: xs_system_new fails\n", d[i].name), 2;
			t2 = bench_now();
			bench_sink(xs_system_info(sys), sizeof(struct xs_system_info));
			xs_system_free(sys);
			tp += t1 - t0;
			ti += t2 - t1;
		}
		parse[rounds] = (double)tp / n / 1000;
		init[rounds] = (double)ti / n / 1000;
		rate[rounds] = 1e9 * n / (double)(tp + ti);
	}
	ps = bench_stats_of(parse, rounds);
	is = bench_stats_of(init, rounds);
	rs = bench_stats_of(rate, rounds);
	init_verdict = verdict(is.q3 < GOAL_INIT_US, is.q1 >= GOAL_INIT_US);
	rate_verdict = verdict(rs.q1 >= GOAL_CPUS_PER_S, rs.q3 < GOAL_CPUS_PER_S);
	printf("%d CPUs, %u rounds (one pass over the corpus each), median [Q1..Q3]\n", n, rounds);
	printf("  parse a dump      %9.1f us per CPU   [%.1f..%.1f]\n", ps.median, ps.q1, ps.q3);
	printf("  system init       %9.1f us per CPU   [%.1f..%.1f]  goal < %.0f us: %s\n", is.median, is.q1,
	       is.q3, GOAL_INIT_US, init_verdict);
	printf("  parse + init      %9.0f CPUs per second [%.0f..%.0f]  goal >= %.0f: %s\n", rs.median, rs.q1,
	       rs.q3, GOAL_CPUS_PER_S, rate_verdict);
	if (json_path) {
		FILE *j = fopen(json_path, "w");

		if (!j)
			return perror(json_path), 2;
		fprintf(j,
			"{\n  \"benchmark\": \"corpus\",\n  \"cpus\": %d,\n  \"rounds\": %u,\n"
			"  \"parse_us\": %.2f,\n  \"parse_us_q1\": %.2f,\n  \"parse_us_q3\": %.2f,\n"
			"  \"init_us\": %.2f,\n  \"init_us_q1\": %.2f,\n  \"init_us_q3\": %.2f,\n"
			"  \"cpus_per_second\": %.0f,\n  \"cpus_per_second_q1\": %.0f,\n"
			"  \"cpus_per_second_q3\": %.0f,\n  \"goal_init_us\": %.0f,\n  \"init_verdict\": \"%s\",\n"
			"  \"goal_cpus_per_second\": %.0f,\n  \"cpus_per_second_verdict\": \"%s\"\n}\n",
			n, rounds, ps.median, ps.q1, ps.q3, is.median, is.q1, is.q3, rs.median, rs.q1, rs.q3,
			GOAL_INIT_US, init_verdict, GOAL_CPUS_PER_S, rate_verdict);
		fclose(j);
	}
	for (int i = 0; i < n; i++)
		free(d[i].text);
	free(d);
	free(parse);
	free(init);
	free(rate);
	xs_cpu_free(cpu);
	return 0;
}
