// SPDX-License-Identifier: MIT
/*
 * xstate verify --against cpu|ptrace|kvm|sigreturn: differential runs of the model
 * against a live oracle. Each target lives in its own file and fills a
 * struct verify_result; this file parses options and prints the verdict,
 * the last line always "N cases: A agree, D differ".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "verify_sigreturn.h"

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
	fprintf(f, "usage: xstate verify --against TARGET [--iterations N] [--seed S]\n\n"
		   "Run N random cases (default 10000) on the model and on a live oracle and\n"
		   "compare; exit 0 only when every case agrees. Targets:\n");
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		fprintf(f, "  %-8s %s\n", targets[i].name, targets[i].what);
	fprintf(f, "\nThe same seed gives the same cases. Where the oracle is missing (no\n"
		   "/dev/kvm, ptrace forbidden) the run is skipped: 'SKIP: reason', exit 0.\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "against", required_argument, NULL, 'a' }, { "iterations", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *against = NULL;
	unsigned long long iterations = 10000, seed = 1;
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
		case 'h': verify_usage(stdout); return XS_EXIT_OK;
		default: verify_usage(stderr); return XS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_error("verify: unexpected argument '%s'", argv[optind]);
	if (!against)
		return cli_error("verify: --against cpu|ptrace|kvm|sigreturn is required");
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (strcmp(against, targets[i].name))
			continue;
		ret = targets[i].run((unsigned long)iterations, seed, &r);
		if (r.skip[0]) {
			printf("SKIP: %s\n", r.skip);
			return XS_EXIT_OK;
		}
		if (ret < 0)
			return cli_error("verify --against %s: %s", against, strerror(-ret));
		if (r.differ)
			printf("first divergence: %s\n", r.first);
		printf("%lu cases: %lu agree, %lu differ\n", r.cases, r.agree, r.differ);
		return r.differ || r.agree != r.cases ? XS_EXIT_FALSE : XS_EXIT_OK;
	}
	return cli_error("verify: unknown target '%s' (expected cpu|ptrace|kvm|sigreturn)", against);
}
