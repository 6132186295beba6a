// SPDX-License-Identifier: MIT
/*
 * The model over a corpus of CPUs: time per CPU to parse a dump and to run
 * the kernel's xstate init, and CPUs per second for the whole pass.
 * Goals: system init < 1 ms per CPU, >= 1,000 CPUs per second.
 *
 * usage: bench_corpus [--json FILE] [--rounds R] DIR
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

int main(int argc, char **argv)
{
	const char *json_path = NULL, *dir = NULL;
	unsigned rounds = 11;
	struct dump *d;
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	double parse[BENCH_MAX_ROUNDS], init[BENCH_MAX_ROUNDS], both;
	int n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json_path = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (unsigned)atoi(argv[++i]);
		else
			dir = argv[i];
	}
	if (!dir)
		return fprintf(stderr, "usage: bench_corpus [--json FILE] [--rounds R] DIR\n"), 2;
	n = load_dir(dir, &d);
	if (n <= 0)
		return fprintf(stderr, "bench_corpus: no *.txt dumps in %s\n", dir), 2;
	if (rounds > BENCH_MAX_ROUNDS)
		rounds = BENCH_MAX_ROUNDS;
	for (unsigned r = 0; r < rounds; r++) {
		uint64_t tp = 0, ti = 0;

		for (int i = 0; i < n; i++) {
			struct xs_diag diag;
			uint64_t t0 = bench_now(), t1, t2;

			if (xs_cpu_parse(cpu, d[i].text, d[i].len, 0, d[i].name, &diag))
				return fprintf(stderr, "%s\n", diag.msg), 2;
			t1 = bench_now();
			xs_system_init(sys, cpu, NULL);
			t2 = bench_now();
			bench_sink(sys, sizeof(*sys));
			tp += t1 - t0;
			ti += t2 - t1;
		}
		parse[r] = (double)tp / n;
		init[r] = (double)ti / n;
	}
	both = bench_median(parse, rounds) + bench_median(init, rounds);
	printf("%d CPUs, %u rounds (median)\n", n, rounds);
	printf("  parse a dump      %9.1f us per CPU\n", bench_median(parse, rounds) / 1000);
	printf("  system init       %9.1f us per CPU   (goal < 1000 us)%s\n", bench_median(init, rounds) / 1000,
	       bench_median(init, rounds) >= 1e6 ? "  MISSED" : "");
	printf("  parse + init      %9.0f CPUs per second (goal >= 1000)%s\n", 1e9 / both,
	       1e9 / both < 1000 ? "  MISSED" : "");
	if (json_path) {
		FILE *j = fopen(json_path, "w");

		if (!j)
			return perror(json_path), 2;
		fprintf(j, "{\n  \"benchmark\": \"corpus\",\n  \"cpus\": %d,\n  \"parse_us\": %.2f,\n"
			   "  \"init_us\": %.2f,\n  \"cpus_per_second\": %.0f\n}\n",
			n, bench_median(parse, rounds) / 1000, bench_median(init, rounds) / 1000, 1e9 / both);
		fclose(j);
	}
	for (int i = 0; i < n; i++)
		free(d[i].text);
	free(d);
	free(cpu);
	free(sys);
	return 0;
}
