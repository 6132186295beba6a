// SPDX-License-Identifier: MIT
/*
 * xstate bench switch: options, which backends can run on this model and
 * why not, the interleaved rounds, and the statistics behind the verdicts.
 * The series found the three cases within run-to-run noise; the rule used
 * here to say so is sw_noise_rule (bench_switch_out.c).
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_switch.h"

const enum xs_cet_s_policy sw_case_policy[SW_CASES] = { XS_CET_S_OFF, XS_CET_S_GUEST_ONLY,
							 XS_CET_S_ALL };

static void switch_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate bench switch [--cpuid FILE] [--cpu N] [--tasks N] [--switches M]\n"
		"                           [--rounds R] [--no-anchor] [--format text|json]\n\n"
		"The CET supervisor state series' context-switch experiment on the model.\n"
		"Case 1: no CET-S (policy off); case 2: CET-S in guest fpstates only\n"
		"(guest-only, Linux >= 6.18); case 3: CET-S in every task (all). Each case has\n"
		"N tasks whose fpstates are laid out as that kernel lays them out; a switch\n"
		"saves the outgoing task's registers and restores the incoming one's, round\n"
		"robin over the tasks, on three backends:\n\n"
		"  hardware      XSAVEC64/XRSTOR64 on this CPU in user mode, mask = the\n"
		"                fpstate's xfeatures & XCR0 & user components (PKRU left\n"
		"                out); only when the model is the live CPU\n"
		"  engine        the software engine as the kernel drives it: XCR0 and\n"
		"                IA32_XSS from the model, CPL 0; os_xsave() with RFBM = the\n"
		"                fpstate's xfeatures, os_xrstor() with RFBM = max_features\n"
		"                (XSAVES/XRSTORS, or XSAVEC/XRSTOR where the CPU has no\n"
		"                XSAVES, as the kernel does)\n"
		"  engine_noopt  the same with the init and modified optimisations off\n\n"
		"The cases run interleaved in one process: R rounds of M switches per case,\n"
		"the order rotated every round. Printed: ns per switch (min, median, max over\n"
		"the rounds), the spread (max - min) / median, the IQR (Q3 - Q1) / median,\n"
		"bytes per task, and the case2/case1 and case3/case1 ratios of the medians,\n"
		"each \"within noise\" when |ratio - 1| <= the larger IQR of the two cases,\n"
		"else \"outside noise\".\n"
		"The anchor is a real switch on the live kernel: two processes pinned to one\n"
		"CPU pass a byte back and forth through two pipes (context_switch1-style).\n\n"
		"  --cpuid FILE    a CPUID dump (default: the live CPU; a dump of this CPU\n"
		"                  counts as live); --cpu N selects CPU N of the dump\n"
		"  --tasks N       tasks per case, 2..1024 (default 64)\n"
		"  --switches M    switches per case per round, 1..1000000000 (default 100000)\n"
		"  --rounds R      rounds, 1..1000 (default 11)\n"
		"  --no-anchor     skip the pipe ping-pong\n");
}

/* --tasks/--switches/--rounds: a number within [min, max]. */
static int parse_count(const char *opt, const char *s, unsigned long long min, unsigned long long max,
		       unsigned long long *out)
{
	int ret = cli_parse_uint(opt, s, max, out);

	if (!ret && *out < min)
		ret = cli_error("%s: %llu is out of range (at least %llu)", opt, *out, min);
	return ret;
}

static int parse_option(struct sw_bench *b, int c)
{
	unsigned long long n = 0;
	int ret = 0;

	switch (c) {
	case 'c': b->cpuid = optarg; return 0;
	case 'n': ret = cli_parse_uint("--cpu", optarg, 4095, &n); break;
	case 't': ret = parse_count("--tasks", optarg, 2, 1024, &n); break;
	case 's': ret = parse_count("--switches", optarg, 1, 1000000000, &n); break;
	case 'r': ret = parse_count("--rounds", optarg, 1, 1000, &n); break;
	case 'A': b->anchor = false; return 0;
	case 'f': return cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &b->fmt);
	case 'h': switch_usage(stdout); return -1;
	default: switch_usage(stderr); return XS_EXIT_USAGE;
	}
	if (c == 'n')
		b->cpu_index = (unsigned)n;
	else if (c == 't')
		b->ntasks = (unsigned)n;
	else if (c == 's')
		b->switches = (unsigned long)n;
	else
		b->rounds = (unsigned)n;
	return ret;
}

/* 0, -1 after --help, or XS_EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct sw_bench *b)
{
	static const struct option longopts[] = {
		{ "cpuid", required_argument, NULL, 'c' }, { "cpu", required_argument, NULL, 'n' },
		{ "tasks", required_argument, NULL, 't' }, { "switches", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' }, { "no-anchor", no_argument, NULL, 'A' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, ret = 0;

	b->ntasks = 64;
	b->switches = 100000;
	b->rounds = 11;
	b->anchor = true;
	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		ret = parse_option(b, c);
	if (!ret && optind < argc)
		ret = cli_error("bench switch: unexpected argument '%s'", argv[optind]);
	if (!ret && cli_is_directory(b->cpuid))
		ret = cli_error("bench switch: --cpuid %s is a directory; give one dump (bench memory takes directories)",
				b->cpuid);
	return ret;
}

/* ---- the model ---------------------------------------------------------------- */

/*
 * A dump of this very CPU is as good as the live one: same vendor, brand
 * and leaf 0xD (0xD.0/0xD.1 EBX aside: they follow XCR0 and IA32_XSS).
 */
static bool same_as_host(const xs_cpu *cpu)
{
	xs_cpu *host = malloc(sizeof(*host));
	bool same = host && !xs_cpu_from_host(host) && !strcmp(cpu->vendor, host->vendor) &&
		    !strcmp(cpu->brand, host->brand);

	for (uint32_t i = 0; same && i < 64; i++) {
		uint32_t x[4], y[4];

		xs_cpuid(cpu, 0xd, i, x);
		xs_cpuid(host, 0xd, i, y);
		if (i < 2)
			x[1] = y[1] = 0;
		same = !memcmp(x, y, sizeof(x));
	}
	free(host);
	return same;
}

static int load_model(struct sw_bench *b)
{
	bool live = !b->cpuid || !strcmp(b->cpuid, "live");
	int ret;

	b->cpu = malloc(sizeof(*b->cpu));
	if (!b->cpu)
		return cli_error("out of memory");
	ret = cli_load_cpu(b->cpu, b->cpuid, b->cpu_index);
	if (ret)
		return ret;
	b->live = live || same_as_host(b->cpu);
	snprintf(b->cpu_name, sizeof(b->cpu_name), "%s %s (%s)", b->cpu->vendor, b->cpu->brand,
		 live ? "live CPU" : b->cpuid);
	for (unsigned i = 0; i < SW_CASES; i++) {
		struct xs_options o;

		xs_options_init(&o);
		o.cet_s = sw_case_policy[i];
		b->sys[i] = malloc(sizeof(*b->sys[i]));
		if (!b->sys[i] || xs_system_init(b->sys[i], b->cpu, &o))
			return cli_error("cannot model the kernel's xstate init for this CPU");
	}
	return 0;
}

/* ---- which backends run, and what their rows mean ------------------------------ */

static void absent(struct sw_backend_run *r, const char *why)
{
	r->available = false;
	snprintf(r->why_absent, sizeof(r->why_absent), "%s", why);
}

static void decide_hw(struct sw_bench *b)
{
	struct sw_backend_run *r = &b->be[SW_HW];

	r->name = "hardware";
	r->save = "XSAVEC64";
	r->restore = "XRSTOR64";
	r->available = true;
	if (!b->live)
		absent(r, "the model is not this CPU: the CPU can only save and restore its own layout");
	else if (xs_hw_init(&b->hw) || !b->hw.xsave)
		absent(r, "this CPU has no XSAVE (or the OS has not enabled it)");
	else if (!b->hw.xsavec)
		absent(r, "this CPU has no XSAVEC");
	else
		snprintf(r->note, sizeof(r->note),
			 "user mode (CPL 3) cannot save or restore supervisor state: CET-S is in none of "
			 "the hardware runs, and the three cases differ only in the size and place of the "
			 "tasks' buffers");
}

/* XSTATE_XSAVE's choice (the library's os_xsave() makes the same one). */
static const char *kernel_save_insn(const xs_system *sys)
{
	if (sys->xsaves)
		return "XSAVES64";
	if (sys->compacted)
		return "XSAVEC64";
	return xs_system_has(sys, XS_CPU_XSAVEOPT) ? "XSAVEOPT64" : "XSAVE64";
}

/* Engine times are the model's own: say so first, then what the cases differ in. */
static void engine_note(const struct sw_bench *b, struct sw_backend_run *r)
{
	const xs_system *all = b->sys[SW_CASES - 1];
	int n = snprintf(r->note, sizeof(r->note),
			 "the engine's times are the software model's own, not a CPU's: the differences "
			 "between its cases show the work a case adds; ");

	if (!all->xsaves)
		snprintf(r->note + n, sizeof(r->note) - (size_t)n,
			 "this CPU has no XSAVES, so the kernel (and the engine with it) saves with %s and "
			 "restores with XRSTOR64 and has no supervisor state: CET-S is in none of the three "
			 "cases, which do the same work, so their ratios measure the noise alone",
			 r->save);
	else if (!(all->kernel.default_features & XS_XFEATURE_MASK_CET_KERNEL))
		snprintf(r->note + n, sizeof(r->note) - (size_t)n,
			 "this CPU has no CET supervisor state (no shadow stacks): the three cases do the "
			 "same work, so their ratios measure the noise alone");
	else
		snprintf(r->note + n, sizeof(r->note) - (size_t)n,
			 "only case 3's task fpstates hold CET-S (%u bytes more per task); its registers "
			 "hold data, so case 3's XSAVES64/XRSTORS64 move it on every switch",
			 all->kernel.default_size - b->sys[0]->kernel.default_size);
}

static void decide_engine(struct sw_bench *b, enum sw_backend be)
{
	struct sw_backend_run *r = &b->be[be];
	const xs_system *sys = b->sys[0];
	size_t n;

	r->name = be == SW_ENGINE ? "engine" : "engine_noopt";
	r->save = kernel_save_insn(sys);
	r->restore = sys->xsaves ? "XRSTORS64" : "XRSTOR64";
	r->available = sys->xsave;
	if (!sys->xsave) {
		absent(r, "the kernel does not use XSAVE on this CPU: there is no xstate to switch");
		return;
	}
	engine_note(b, r);
	if (be != SW_ENGINE_NOOPT)
		return;
	n = strlen(r->note);
	snprintf(r->note + n, sizeof(r->note) - n, "; %s",
		 sys->xsaves ? "impl.init_opt and impl.modified_opt off: XSAVES saves every component "
			       "in use, also those unmodified since the task's XRSTORS"
			     : "impl.init_opt and impl.modified_opt off, which changes nothing here: "
			       "XSAVEC has no modified optimisation and its init optimisation is architectural");
}

static int prepare(struct sw_bench *b)
{
	int ret;

	decide_hw(b);
	decide_engine(b, SW_ENGINE);
	decide_engine(b, SW_ENGINE_NOOPT);
	for (int be = 0; be < SW_BACKENDS; be++)
		for (unsigned i = 0; i < SW_CASES; i++) {
			b->be[be].cases[i].policy = sw_case_policy[i];
			b->be[be].cases[i].sys = b->sys[i];
		}
	ret = sw_model_setup(b);
	return ret ? cli_error("out of memory") : 0;
}

/* ---- the rounds ------------------------------------------------------------------ */

static int fault(const struct sw_bench *b, int be, unsigned c)
{
	fprintf(stderr, "%s: bench switch: the %s faulted in case %u: a bug in the model\n", xs_prog,
		b->be[be].name, c + 1);
	return XS_EXIT_FALSE;
}

/* Case order of round r: 1 2 3, then 2 3 1, then 3 1 2, … */
static int run_round(struct sw_bench *b, unsigned r, unsigned long n, bool keep)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		for (unsigned k = 0; k < SW_CASES && b->be[be].available; k++) {
			unsigned c = (r + k) % SW_CASES;
			double ns = sw_model_run(b, (enum sw_backend)be, c, n);

			if (ns < 0)
				return fault(b, be, c);
			if (keep)
				b->be[be].cases[c].ns[r] = ns;
		}
	}
	return 0;
}

/* A short untimed round first: page faults and cold caches are not the cases' cost. */
static int run_rounds(struct sw_bench *b)
{
	int ret = run_round(b, 0, b->switches < 1000 ? b->switches : 1000, false);

	for (unsigned r = 0; r < b->rounds && !ret; r++)
		ret = run_round(b, r, b->switches, true);
	return ret;
}

/* ---- statistics and verdicts ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile q of sorted s[0..n) with linear interpolation between ranks. */
static double quantile(const double *s, unsigned n, double q)
{
	double pos = q * (n - 1);
	unsigned i = (unsigned)pos;

	return i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[n - 1];
}

static struct sw_stats stats_of(const double *v, unsigned n)
{
	double *s = malloc(n * sizeof(*s));
	struct sw_stats st = { 0 };

	if (!s)
		return st;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	st.spread = st.median > 0 ? (st.max - st.min) / st.median : 0;
	st.iqr = st.median > 0 ? (quantile(s, n, 0.75) - quantile(s, n, 0.25)) / st.median : 0;
	free(s);
	return st;
}

/* sw_noise_rule: |ratio - 1| against the larger IQR of the two cases compared. */
static void judge(struct sw_backend_run *r)
{
	const struct sw_stats *base = &r->cases[0].st;

	for (unsigned k = 0; k < 2; k++) {
		const struct sw_stats *st = &r->cases[k + 1].st;

		r->ratio[k] = base->median > 0 ? st->median / base->median : 0;
		r->delta[k] = st->median - base->median;
		r->within[k] = fabs(r->ratio[k] - 1) <= fmax(base->iqr, st->iqr);
	}
}

static void summarise(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		if (!b->be[be].available)
			continue;
		for (unsigned c = 0; c < SW_CASES; c++)
			b->be[be].cases[c].st = stats_of(b->be[be].cases[c].ns, b->rounds);
		judge(&b->be[be]);
	}
	if (b->anc.available)
		b->anc.st = stats_of(b->anc.ns, b->rounds);
}

/* ---- the command ------------------------------------------------------------------- */

static void bench_free(struct sw_bench *b)
{
	sw_model_free(b);
	for (unsigned i = 0; i < SW_CASES; i++)
		free(b->sys[i]);
	free(b->anc.ns);
	free(b->cpu);
	free(b);
}

static void run_anchor(struct sw_bench *b)
{
	if (b->anchor)
		sw_anchor_run(b);
	else
		snprintf(b->anc.why_absent, sizeof(b->anc.why_absent), "--no-anchor");
}

int bench_switch(int argc, char **argv)
{
	struct sw_bench *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return cli_error("out of memory");
	ret = parse_args(argc, argv, b);
	if (!ret)
		ret = load_model(b);
	if (!ret)
		ret = prepare(b);
	if (!ret)
		ret = run_rounds(b);
	if (!ret) {
		run_anchor(b);
		summarise(b);
		if (b->fmt == OUT_JSON)
			ret = sw_print_json(b);
		else
			sw_print_text(b);
	}
	bench_free(b);
	return ret < 0 ? XS_EXIT_OK : ret;
}
