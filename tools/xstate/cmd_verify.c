// SPDX-License-Identifier: MIT
/*
 * xstate verify --against cpu|ptrace|kvm|sigreturn: differential runs of the model
 * against a live oracle. Each target lives in its own file and fills a
 * struct verify_result; this file parses options and prints the verdict,
 * the last line always "N cases: A agree, D differ" (or one JSON object).
 * --against trace replays recorded CPUs (verify_trace.c) and takes paths.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "verify_groups.h"
#include "verify_sigreturn.h"
#include "verify_trace.h"
#include "progress.h"

static const struct {
	const char *name;
	const char *what;
	int (*run)(unsigned long iterations, uint64_t seed, struct verify_result *r);
} targets[] = {
	{ "cpu", "XSAVE-family instructions: the engine against this CPU", verify_cpu },
	{ "ptrace", "PTRACE_SETREGSET/GETREGSET(NT_X86_XSTATE) on a child process", verify_ptrace },
	{ "kvm", "KVM_SET_XSAVE/KVM_GET_XSAVE and KVM_SET_XCRS on a vCPU (/dev/kvm)", verify_kvm },
	{ "sigreturn", "rt_sigreturn of signal frames its handler rewrote (this kernel)", verify_sigreturn },
};

static void about(FILE *f)
{
	fprintf(f, "Run N random cases (default 10000) on the model and on a live oracle and\n"
		   "compare; exit 0 only when every case agrees. Targets:\n");
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		fprintf(f, "  %-9s %s\n", targets[i].name, targets[i].what);
	fprintf(f, "  %-9s the engine replayed on traces of real CPUs (files, or directories of\n"
		   "            *.xstrace), with each trace's CPUID, XCR0 and traits\n", "trace");
	fprintf(f, "\nThe same seed gives the same cases. Where the oracle is missing (no\n"
		   "/dev/kvm, ptrace forbidden) the run is skipped: 'SKIP: reason', exit 0.\n"
		   "--record FILE (cpu): write every case and the CPU's outputs to a trace.\n"
		   "--keep-going (cpu, trace): group every differing case by the rule of its\n"
		   "first divergence, with one example each.\n"
		   "--traits measured|table (cpu): the engine runs with the traits probed on\n"
		   "this CPU (measured, the default) or with the trait table's row for the\n"
		   "CPUID it reports (table): use table when the CPU is an emulator under test,\n"
		   "so that it is judged against the processor it claims to be.\n");
}

struct verify_args {
	const char *against, *record;
	unsigned long long iterations, seed;
	enum xs_out_format format;
	bool keep_going, table_traits;
};

#define F(member) CLI_FIELD(struct verify_args, member)

static const struct cli_value traits[] = { { "measured", 0, false }, { "table", 1, false }, { 0 } };

static const struct cli_opt options[] = {
	{ .name = "against", .store = cli_string, F(against), .arg = "TARGET",
	  .required = "--against cpu|ptrace|kvm|sigreturn|trace is required" },
	{ .name = "iterations", .store = cli_uint, F(iterations), .min = 1, .max = 1ull << 40, .arg = "N" },
	{ .name = "seed", .store = cli_uint, F(seed), .max = UINT64_MAX, .arg = "S" },
	{ .name = "keep-going", .store = cli_true, F(keep_going) },
	{ CLI_FORMAT(struct verify_args, format, cli_text_json), .arg = "text|json" },
	{ .name = "record", .store = cli_string, F(record), .arg = "FILE" },
	{ .name = "traits", .store = cli_enum, F(table_traits), .values = traits, .arg = "measured|table" },
	{ 0 }
};

static void init(void *args)
{
	struct verify_args *a = args;

	a->iterations = 10000;
	a->seed = 1;
}

struct verdict {
	enum xs_out_format format;
	struct vg_groups *groups;	/* --keep-going */
	json_t *traces;			/* --against trace --format json */
};

/* The verdict: text ending in "N cases: A agree, D differ", or one JSON object. */
static int print_verdict(const struct verify_result *r, const struct verdict *o)
{
	json_t *j;

	if (o->format == OUT_JSON) {
		if (r->skip[0])
			return cli_print_json(json_pack("{s:s}", "skip", r->skip)) ? XS_EXIT_USAGE : XS_EXIT_OK;
		j = json_pack("{s:I,s:I,s:I}", "cases", (json_int_t)r->cases, "agree", (json_int_t)r->agree,
			      "differ", (json_int_t)r->differ);
		if (r->rerun_agree)
			json_object_set_new(j, "reruns", json_integer((json_int_t)r->rerun_agree));
		if (r->differ)
			json_object_set_new(j, "first", json_string(r->first));
		if (o->traces)
			json_object_set(j, "traces", o->traces);
		if (o->groups)
			json_object_set_new(j, "groups", vg_json(o->groups));
		if (cli_print_json(j))
			return XS_EXIT_USAGE;
	} else {
		if (r->skip[0]) {
			printf("SKIP: %s\n", r->skip);
			return XS_EXIT_OK;
		}
		if (o->groups)
			vg_print(o->groups, stdout);
		if (r->differ)
			printf("first divergence: %s\n", r->first);
		printf("%lu cases: %lu agree, %lu differ\n", r->cases, r->agree, r->differ);
	}
	return r->differ || r->agree != r->cases ? XS_EXIT_FALSE : XS_EXIT_OK;
}

/* --against cpu with --record / --keep-going / --format json. */
static int run_cpu(unsigned long iterations, uint64_t seed, const char *record, bool table_traits,
		   struct verdict *o)
{
	struct verify_cpu_opts opts = { .groups = o->groups, .quiet = o->format == OUT_JSON,
					.table_traits = table_traits };
	struct verify_result r;
	int ret;

	if (record && !(opts.record = fopen(record, "wb")))
		return cli_error("--record %s: %s", record, strerror(errno));
	ret = verify_cpu_run(iterations, seed, &opts, &r);
	if (opts.record && fclose(opts.record) && !ret)
		ret = -errno;
	if (record && (ret || r.skip[0]))
		unlink(record);	/* no trace rather than a partial one */
	if (ret < 0)
		return cli_error("verify --against cpu%s%s: %s", record ? " --record " : "", record ? record : "",
				 strerror(-ret));
	return print_verdict(&r, o);
}

/* The options that go with some targets only. */
static int check_target(const struct verify_args *a, int argc, char **argv)
{
	if (strcmp(a->against, "trace") && argc)
		return cli_error("verify: unexpected argument '%s'", argv[0]);
	if (a->record && strcmp(a->against, "cpu"))
		return cli_error("verify: --record goes with --against cpu, not '%s'", a->against);
	if (a->table_traits && strcmp(a->against, "cpu"))
		return cli_error("verify: --traits goes with --against cpu, not '%s'", a->against);
	if (a->keep_going && strcmp(a->against, "cpu") && strcmp(a->against, "trace"))
		return cli_error("verify: --keep-going goes with --against cpu or trace, not '%s'", a->against);
	return 0;
}

static int run(void *args, int argc, char **argv)
{
	const struct verify_args *a = args;
	struct verdict o = { .format = a->format };
	struct verify_result r;
	int ret;

	if ((ret = check_target(a, argc, argv)))
		return ret;
	if (a->keep_going && !(o.groups = vg_new()))
		return cli_error("out of memory");
	if (strcmp(a->against, "trace"))	/* a replay's length is its traces' (and it is quick) */
		progress_start(a->iterations, "verify --against %s", a->against);
	if (!strcmp(a->against, "trace")) {
		o.traces = o.format == OUT_JSON ? json_array() : NULL;
		ret = verify_trace(argv, argc, o.groups, o.traces, o.format == OUT_JSON, &r);
		if (!ret)
			ret = print_verdict(&r, &o);
	} else if (!strcmp(a->against, "cpu")) {
		ret = run_cpu((unsigned long)a->iterations, a->seed, a->record, a->table_traits, &o);
	} else {
		size_t i = 0;

		while (i < sizeof(targets) / sizeof(targets[0]) && strcmp(a->against, targets[i].name))
			i++;
		if (i == sizeof(targets) / sizeof(targets[0]))
			ret = cli_error("verify: unknown target '%s' (expected cpu|ptrace|kvm|sigreturn|trace)",
					a->against);
		/* a run that gave a skip reason (no /dev/kvm, ptrace forbidden) is skipped, not failed */
		else if ((ret = targets[i].run((unsigned long)a->iterations, a->seed, &r)) < 0 && !r.skip[0])
			ret = cli_error("verify --against %s: %s", a->against, strerror(-ret));
		else
			ret = print_verdict(&r, &o);
	}
	progress_end();
	vg_free(o.groups);
	json_decref(o.traces);
	return ret;
}

const struct cli_command cli_cmd_verify = {
	.name = "verify", .summary = "differential runs of the model: --against cpu|ptrace|kvm|sigreturn|trace",
	.opts = options, .args_size = sizeof(struct verify_args), .init = init, .run = run,
	.max_operands = CLI_ANY,
	.usage_more = "xstate verify --against trace [--keep-going] [--format text|json] PATH...",
	.about_fn = about,
};
