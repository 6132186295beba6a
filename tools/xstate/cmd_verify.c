// SPDX-License-Identifier: MIT
/*
 * xstate verify --against cpu|ptrace|kvm|sigreturn: differential runs of the model
 * against a live oracle. Each target lives in its own file and fills a
 * struct verify_result; this file parses options and prints the verdict,
 * the last line always "N cases: A agree, D differ" (or one JSON object).
 * --against trace replays recorded CPUs (verify_trace.c) and takes paths.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
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

static void verify_usage(FILE *f)
{
	fprintf(f, "usage: xstate verify --against TARGET [--iterations N] [--seed S] [--keep-going]\n"
		   "                     [--format text|json] [--record FILE] [--traits measured|table]\n"
		   "       xstate verify --against trace [--keep-going] [--format text|json] PATH...\n\n"
		   "Run N random cases (default 10000) on the model and on a live oracle and\n"
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

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "against", required_argument, NULL, 'a' }, { "iterations", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ "record", required_argument, NULL, 'r' }, { "keep-going", no_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' }, { "traits", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *against = NULL, *record = NULL;
	unsigned long long iterations = 10000, seed = 1;
	struct verdict o = { .format = OUT_TEXT };
	bool keep_going = false, table_traits = false;
	struct verify_result r;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': against = optarg; break;
		case 'n':
			if ((ret = cli_parse_uint("--iterations", optarg, 1ull << 40, &iterations)))
				return ret;
			if (!iterations)
				return cli_error("--iterations: at least 1 case, got 0");
			break;
		case 's':
			if ((ret = cli_parse_uint("--seed", optarg, UINT64_MAX, &seed)))
				return ret;
			break;
		case 'r': record = optarg; break;
		case 'k': keep_going = true; break;
		case 't':
			if (strcmp(optarg, "measured") && strcmp(optarg, "table"))
				return cli_error("--traits: expected measured or table, got '%s'", optarg);
			table_traits = !strcmp(optarg, "table");
			break;
		case 'f':
			if ((ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &o.format)))
				return ret;
			break;
		case 'h': verify_usage(stdout); return XS_EXIT_OK;
		default: verify_usage(stderr); return XS_EXIT_USAGE;
		}
	}
	if (!against)
		return cli_error("verify: --against cpu|ptrace|kvm|sigreturn|trace is required");
	if (strcmp(against, "trace") && optind < argc)
		return cli_error("verify: unexpected argument '%s'", argv[optind]);
	if (record && strcmp(against, "cpu"))
		return cli_error("verify: --record goes with --against cpu, not '%s'", against);
	if (table_traits && strcmp(against, "cpu"))
		return cli_error("verify: --traits goes with --against cpu, not '%s'", against);
	if (keep_going && strcmp(against, "cpu") && strcmp(against, "trace"))
		return cli_error("verify: --keep-going goes with --against cpu or trace, not '%s'", against);
	if (keep_going && !(o.groups = vg_new()))
		return cli_error("out of memory");
	if (strcmp(against, "trace"))	/* a replay's length is its traces' (and it is quick) */
		progress_start(iterations, "verify --against %s", against);
	if (!strcmp(against, "trace")) {
		o.traces = o.format == OUT_JSON ? json_array() : NULL;
		ret = verify_trace(argv + optind, argc - optind, o.groups, o.traces, o.format == OUT_JSON, &r);
		if (!ret)
			ret = print_verdict(&r, &o);
	} else if (!strcmp(against, "cpu")) {
		ret = run_cpu((unsigned long)iterations, seed, record, table_traits, &o);
	} else {
		size_t i = 0;

		while (i < sizeof(targets) / sizeof(targets[0]) && strcmp(against, targets[i].name))
			i++;
		if (i == sizeof(targets) / sizeof(targets[0]))
			ret = cli_error("verify: unknown target '%s' (expected cpu|ptrace|kvm|sigreturn|trace)",
					against);
		/* a run that gave a skip reason (no /dev/kvm, ptrace forbidden) is skipped, not failed */
		else if ((ret = targets[i].run((unsigned long)iterations, seed, &r)) < 0 && !r.skip[0])
			ret = cli_error("verify --against %s: %s", against, strerror(-ret));
		else
			ret = print_verdict(&r, &o);
	}
	progress_end();
	vg_free(o.groups);
	json_decref(o.traces);
	return ret;
}
