// SPDX-License-Identifier: MIT
/*
 * xstate bench switch: options, which backends can run on this model and
 * why not, the interleaved rounds, and the statistics behind the verdicts.
 * The series found the three cases within run-to-run noise; the rule used
 * here to say so is sw_noise_rule (bench_switch_out.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_switch.h"
#include "progress.h"

const enum xs_cet_s_policy sw_case_policy[SW_VARIANTS] = { XS_CET_S_OFF, XS_CET_S_GUEST_ONLY,
							    XS_CET_S_ALL, XS_CET_S_ALL };
const char *const sw_case_label[SW_VARIANTS] = { "1", "2", "3", "3i" };
const char *const sw_case_key[SW_VARIANTS] = { "case1", "case2", "case3", "case3_init" };

#define F(member) CLI_FIELD(struct sw_bench, member)

static const struct cli_opt options[] = {
	{ .name = "cpuid", .store = cli_string, F(cpuid), .arg = "FILE",
	  .help = "a CPUID dump (default: the live CPU; a dump of this CPU\n"
		  "counts as live); --cpu N selects CPU N of the dump" },
	{ .name = "cpu", .store = cli_uint, F(cpu_index), .max = CLI_CPU_MAX, .arg = "N" },
	{ .name = "tasks", .store = cli_uint, F(ntasks), .min = 2, .max = 1024, .arg = "N",
	  .help = "tasks per case, 2..1024 (default 64)" },
	{ .name = "switches", .store = cli_uint, F(switches), .min = 1, .max = 1000000000, .arg = "M",
	  .help = "switches per case per round, 1..1000000000 (default 100000)" },
	{ .name = "rounds", .store = cli_uint, F(rounds), .min = 1, .max = 1000, .arg = "R",
	  .help = "rounds, 1..1000 (default 21)" },
	{ .name = "no-anchor", .store = cli_false, F(anchor), .help = "skip the pipe ping-pong" },
	{ CLI_FORMAT(struct sw_bench, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static void init(void *args)
{
	struct sw_bench *b = args;

	b->ntasks = 64;
	b->switches = 100000;
	b->rounds = 21;
	b->anchor = true;
}

/* ---- the model ---------------------------------------------------------------- */

/*
 * A dump of this very CPU is as good as the live one: same vendor, brand
 * and leaf 0xD (0xD.0/0xD.1 EBX aside: they follow XCR0 and IA32_XSS).
 */
static bool same_as_host(const xs_cpu *cpu)
{
	xs_cpu *host = xs_cpu_new();
	bool same = host && !xs_cpu_from_host(host) && !strcmp(xs_cpu_vendor(cpu), xs_cpu_vendor(host)) &&
		    !strcmp(xs_cpu_brand(cpu), xs_cpu_brand(host));

	for (uint32_t i = 0; same && i < 64; i++) {
		uint32_t x[4], y[4];

		xs_cpuid(cpu, 0xd, i, x);
		xs_cpuid(host, 0xd, i, y);
		if (i < 2)
			x[1] = y[1] = 0;
		same = !memcmp(x, y, sizeof(x));
	}
	xs_cpu_free(host);
	return same;
}

static int load_model(struct sw_bench *b)
{
	bool live = !b->cpuid || !strcmp(b->cpuid, "live");
	int ret;

	b->cpu = xs_cpu_new();
	if (!b->cpu)
		return cli_error("out of memory");
	ret = cli_load_cpu(b->cpu, b->cpuid, b->cpu_index);
	if (ret)
		return ret;
	b->live = live || same_as_host(b->cpu);
	snprintf(b->cpu_name, sizeof(b->cpu_name), "%s %s (%s)", xs_cpu_vendor(b->cpu), xs_cpu_brand(b->cpu),
		 live ? "live CPU" : b->cpuid);
	for (unsigned i = 0; i < SW_CASES; i++) {
		struct xs_options o;

		xs_options_init(&o);
		o.cet_s = sw_case_policy[i];
		if (xs_system_new(&b->sys[i], b->cpu, &o))
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
	r->nvariants = SW_CASES;
	if (!b->live)
		absent(r, "the model is not this CPU: the CPU can only save and restore its own layout");
	else if (xs_hw_init(&b->hw) || !b->hw.xsave)
		absent(r, "this CPU has no XSAVE (or the OS has not enabled it)");
	else if (!b->hw.xsavec)
		absent(r, "this CPU has no XSAVEC");
	else
		snprintf(r->note, sizeof(r->note),
			 "user mode (CPL 3) cannot save or restore supervisor state: CET-S is in none of "
			 "the hardware runs (so there is no case 3i), and the three cases differ only in "
			 "the size and place of the tasks' buffers");
}

/* XSTATE_XSAVE's choice (the library's os_xsave() makes the same one). */
static const char *kernel_save_insn(const xs_system *sys)
{
	if (xs_system_info(sys)->xsaves)
		return "XSAVES64";
	if (xs_system_info(sys)->compacted)
		return "XSAVEC64";
	return xs_system_has(sys, XS_CPU_XSAVEOPT) ? "XSAVEOPT64" : "XSAVE64";
}

/* What engine_noopt changes where the kernel saves with XSAVES. */
static const char noopt_xsaves[] =
	"impl.init_opt and impl.modified_opt off: XSAVES writes every component of the RFBM, init ones "
	"and those unmodified since the task's XRSTORS too";

/* Engine times are the model's own: say so first, then what the cases differ in. */
static void engine_note(const struct sw_bench *b, struct sw_backend_run *r, enum sw_backend be)
{
	const struct xs_system_info *all = xs_system_info(b->sys[SW_CASES - 1]);
	const struct xs_system_info *case1 = xs_system_info(b->sys[0]), *case2 = xs_system_info(b->sys[1]);
	size_t n = (size_t)snprintf(r->note, sizeof(r->note),
				    "the engine's times are the software model's own, not a CPU's: the "
				    "differences between its cases show the work a case adds; ");
	int probe;

	if (!all->xsaves) {
		snprintf(r->note + n, sizeof(r->note) - n,
			 "this CPU has no XSAVES, so the kernel (and the engine with it) saves with %s and "
			 "restores with XRSTOR64 and has no supervisor state: CET-S is in none of the "
			 "cases, which do the same work, so their ratios measure the noise alone",
			 r->save);
		return;
	}
	if (!(all->kernel.default_features & XS_XFEATURE_MASK_CET_KERNEL)) {
		snprintf(r->note + n, sizeof(r->note) - n,
			 "this CPU has no CET supervisor state (no shadow stacks): the cases do the same "
			 "work, so their ratios measure the noise alone");
		return;
	}
	n += (size_t)snprintf(r->note + n, sizeof(r->note) - n,
			      "only the task fpstates of cases 3 and 3i have room for CET-S (%u bytes more "
			      "per task)%s; in case 3 the CET-S registers hold data in every task, so XSAVES64 "
			      "writes it and XRSTORS64 loads it on every switch; in case 3i they stay in "
			      "their init configuration (no kernel shadow stacks, the usual task), so ",
			      all->kernel.default_size - case1->kernel.default_size,
			      case2->kernel.max_features & ~case2->kernel.default_features &
					      XS_XFEATURE_MASK_CET_KERNEL
				      ? "; in case 2 the restore's RFBM (max_features, which covers the "
					"guests' CET-S) has CET-S while the task fpstates do not, so every "
					"XRSTORS64 puts CET-S in its init configuration"
				      : "");
	if (n >= sizeof(r->note))
		return;	/* truncated */
	if (be == SW_ENGINE) {
		snprintf(r->note + n, sizeof(r->note) - n, "%s",
			 r->cases[SW_CASE3_INIT].cet_saved
				 ? "XSAVES64's init optimisation should leave CET-S out, yet the engine saved it "
				   "as in use (XSTATE_BV[12] = 1 in the fpstates)"
				 : "XSAVES64's init optimisation leaves CET-S out (XSTATE_BV[12] = 0 in the "
				   "fpstates) and XRSTORS64 initialises it");
		return;
	}
	probe = sw_noopt_writes_init(b);
	snprintf(r->note + n, sizeof(r->note) - n, "%s; %s",
		 probe > 0 ? "with impl.init_opt off this engine's XSAVES64 treats CET-S as in use and "
			     "writes it anyway, so case 3i does the work of case 3"
			   : "this engine's XSAVES64 still leaves CET-S out (impl.init_opt does not reach "
			     "XSAVES here)",
		 noopt_xsaves);
}

static void decide_engine(struct sw_bench *b, enum sw_backend be)
{
	struct sw_backend_run *r = &b->be[be];
	const struct xs_system_info *sys = xs_system_info(b->sys[0]);

	r->name = be == SW_ENGINE ? "engine" : "engine_noopt";
	r->save = kernel_save_insn(b->sys[0]);
	r->restore = sys->xsaves ? "XRSTORS64" : "XRSTOR64";
	r->available = sys->xsave;
	r->nvariants = SW_VARIANTS;
	if (!sys->xsave)
		absent(r, "the kernel does not use XSAVE on this CPU: there is no xstate to switch");
}

/* After the set-up: the notes can say what the engine did with case 3i. */
static void describe(struct sw_bench *b)
{
	const struct xs_system_info *all = xs_system_info(b->sys[SW_CASES - 1]);
	bool cet = all->xsaves && all->kernel.default_features & XS_XFEATURE_MASK_CET_KERNEL;
	size_t n;

	for (int be = SW_ENGINE; be < SW_BACKENDS; be++) {
		struct sw_backend_run *r = &b->be[be];

		if (!r->available)
			continue;
		engine_note(b, r, (enum sw_backend)be);
		if (be != SW_ENGINE_NOOPT || cet)
			continue;
		n = strlen(r->note);
		snprintf(r->note + n, sizeof(r->note) - n, "; %s",
			 all->xsaves ? noopt_xsaves
				     : "impl.init_opt and impl.modified_opt off: XSAVEC writes every "
				       "component of the RFBM, init ones too (it has no modified optimisation)");
	}
}

static int prepare(struct sw_bench *b)
{
	int ret;

	decide_hw(b);
	decide_engine(b, SW_ENGINE);
	decide_engine(b, SW_ENGINE_NOOPT);
	for (int be = 0; be < SW_BACKENDS; be++)
		for (unsigned i = 0; i < SW_VARIANTS; i++) {
			b->be[be].cases[i].policy = sw_case_policy[i];
			b->be[be].cases[i].sys = b->sys[i < SW_CASES ? i : SW_CASES - 1];
			b->be[be].cases[i].cet_init = i == SW_CASE3_INIT;
		}
	ret = sw_model_setup(b);
	if (ret)
		return cli_error("out of memory");
	describe(b);
	return 0;
}

/* ---- the rounds ------------------------------------------------------------------ */

static int fault(const struct sw_bench *b, int be, unsigned c)
{
	cli_warn("bench switch: the %s faulted in case %s: a bug in the model", b->be[be].name, sw_case_label[c]);
	return XS_EXIT_FALSE;
}

/*
 * One round: `n` switches per case, cut into slices of at most SW_SLICE;
 * within a slice every backend runs each of its cases once, the order
 * rotated from slice to slice and from round to round. A burst of load
 * from a neighbour on the machine lasts longer than a slice, so it hits
 * the cases of a round alike and the per-round ratios cancel it.
 */
static int run_round(struct sw_bench *b, unsigned r, unsigned long n, bool keep)
{
	unsigned long slices = (n + SW_SLICE - 1) / SW_SLICE;
	double total[SW_BACKENDS][SW_VARIANTS] = { { 0 } };

	for (unsigned long s = 0; s < slices; s++) {
		unsigned long part = n / slices + (s < n % slices);

		for (int be = 0; be < SW_BACKENDS; be++) {
			const struct sw_backend_run *run = &b->be[be];

			for (unsigned k = 0; k < run->nvariants && run->available; k++) {
				unsigned c = (unsigned)((r + s + k) % run->nvariants);
				double ns = sw_model_run(b, (enum sw_backend)be, c, part);

				if (ns < 0)
					return fault(b, be, c);
				total[be][c] += ns * (double)part;
			}
		}
	}
	for (int be = 0; be < SW_BACKENDS && keep; be++)
		for (unsigned c = 0; c < b->be[be].nvariants && b->be[be].available; c++)
			b->be[be].cases[c].ns[r] = total[be][c] / (double)n;
	return 0;
}

/* A short untimed round first: page faults and cold caches are not the cases' cost. */
static int run_rounds(struct sw_bench *b)
{
	int ret = run_round(b, 0, b->switches < 4 * SW_SLICE ? b->switches : 4 * SW_SLICE, false);

	progress_start(b->rounds, "bench switch: rounds");
	for (unsigned r = 0; r < b->rounds && !ret; r++, progress_tick(r))
		ret = run_round(b, r, b->switches, true);
	progress_end();
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

/* Quartiles of the per-round ratios case k / case 1 (both measured in the same round). */
static struct sw_ratio ratio_of(const double *num, const double *den, unsigned n)
{
	double *s = malloc(n * sizeof(*s));
	struct sw_ratio q = { 0 };

	if (!s)
		return q;
	for (unsigned r = 0; r < n; r++)
		s[r] = den[r] > 0 ? num[r] / den[r] : 0;
	qsort(s, n, sizeof(*s), cmp_double);
	q.min = s[0];
	q.max = s[n - 1];
	q.median = quantile(s, n, 0.5);
	q.q1 = quantile(s, n, 0.25);
	q.q3 = quantile(s, n, 0.75);
	free(s);
	return q;
}

/* sw_noise_rule: 1 inside [Q1, Q3] of the per-round ratios. */
static void judge(struct sw_backend_run *r, unsigned rounds)
{
	const struct sw_case *base = &r->cases[0];

	for (unsigned k = 0; k + 1 < r->nvariants; k++) {
		const struct sw_case *c = &r->cases[k + 1];

		r->ratio[k] = ratio_of(c->ns, base->ns, rounds);
		/* the ratio as ns per switch, so the two never disagree in sign */
		r->delta[k] = (r->ratio[k].median - 1) * base->st.median;
		r->within[k] = r->ratio[k].q1 <= 1 && 1 <= r->ratio[k].q3;
	}
}

static void summarise(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		if (!b->be[be].available)
			continue;
		for (unsigned c = 0; c < b->be[be].nvariants; c++)
			b->be[be].cases[c].st = stats_of(b->be[be].cases[c].ns, b->rounds);
		judge(&b->be[be], b->rounds);
	}
	if (b->anc.available)
		b->anc.st = stats_of(b->anc.ns, b->rounds);
}

/* ---- the command ------------------------------------------------------------------- */

static void bench_free(struct sw_bench *b)
{
	sw_model_free(b);
	for (unsigned i = 0; i < SW_CASES; i++)
		xs_system_free(b->sys[i]);
	free(b->anc.ns);
	xs_cpu_free(b->cpu);
}

static void run_anchor(struct sw_bench *b)
{
	if (b->anchor)
		sw_anchor_run(b);
	else
		snprintf(b->anc.why_absent, sizeof(b->anc.why_absent), "--no-anchor");
}

static int run(void *args, int argc, char **argv)
{
	struct sw_bench *b = args;
	int ret = 0;

	(void)argc;
	(void)argv;
	if (cli_is_directory(b->cpuid))
		ret = cli_error("bench switch: --cpuid %s is a directory; give one dump (bench memory takes directories)",
				b->cpuid);
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
	return ret;
}

const struct cli_command cli_cmd_bench_switch = {
	.name = "switch",
	.opts = options, .args_size = sizeof(struct sw_bench), .init = init, .run = run,
	.about = "The CET supervisor state series' context-switch experiment on the model.\n"
		 "Case 1: no CET-S (policy off); case 2: CET-S in guest fpstates only\n"
		 "(guest-only, Linux >= 6.18); case 3: CET-S in every task (all), its registers\n"
		 "holding data in every task. On the engine also case 3i: policy all, but the\n"
		 "tasks never use kernel shadow stacks, so CET-S stays in its init\n"
		 "configuration and XSAVES's init optimisation leaves it out (the realistic\n"
		 "case 3). Each case has N tasks whose fpstates are laid out as that kernel\n"
		 "lays them out; a switch saves the outgoing task's registers and restores the\n"
		 "incoming one's, round robin over the tasks, on three backends:\n\n"
		 "  hardware      XSAVEC64/XRSTOR64 on this CPU in user mode, mask = the\n"
		 "                fpstate's xfeatures & XCR0 & user components (PKRU left\n"
		 "                out); only when the model is the live CPU; cases 1-3 only\n"
		 "                (user mode cannot touch CET-S)\n"
		 "  engine        the software engine as the kernel drives it: XCR0 and\n"
		 "                IA32_XSS from the model, CPL 0; os_xsave() with RFBM = the\n"
		 "                fpstate's xfeatures, os_xrstor() with RFBM = max_features\n"
		 "                (XSAVES/XRSTORS, or XSAVEC/XRSTOR where the CPU has no\n"
		 "                XSAVES, as the kernel does)\n"
		 "  engine_noopt  the same with impl.init_opt and impl.modified_opt off\n\n"
		 "The cases run interleaved in one process: R rounds of M switches per case,\n"
		 "each round cut into slices of " SW_STR(SW_SLICE) " switches per case, the case order rotated\n"
		 "every slice and every round. Printed: ns per switch (min, median, max over\n"
		 "the rounds), the spread (max - min) / median, the IQR (Q3 - Q1) / median,\n"
		 "bytes per task, and the ratios case2/case1, case3/case1 and case3i/case1:\n"
		 "the median of the per-round ratios, \"within noise\" when the interquartile\n"
		 "range of the per-round ratios contains 1, else \"outside noise\".\n"
		 "The anchor is a real switch on the live kernel: two processes pinned to one\n"
		 "CPU pass a byte back and forth through two pipes (context_switch1-style).\n",
	.list_width = 18,
};
