// SPDX-License-Identifier: MIT
/* xstate check: would the kernel accept this buffer (ptrace, sigreturn, KVM)? */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate check FILE --kind ptrace|sigframe|kvm [--cpuid F] [--cpu N]\n"
		"                    [--request NAME,...] [--cet-s POLICY] [--kernel V]\n"
		"                    [--format text|json]\n\n"
		"The kernel's verdict on an XSAVE buffer before you hand it over:\n"
		"  ptrace    PTRACE_SETREGSET(NT_X86_XSTATE) on a task (the file length is iov_len)\n"
		"  sigframe  rt_sigreturn of a 64-bit frame holding this fpstate image\n"
		"  kvm       KVM_SET_XSAVE on a new vCPU\n"
		"FILE '-' is standard input. The task or vCPU is a fresh one on the CPU model\n"
		"(--cpuid: a CPUID dump, '-' or 'live', the default: this machine);\n"
		"--request permits and enables dynamic components first (amx_tiledata).\n"
		"--kernel V: the release whose rules apply, 5.10 .. 6.18 or a stable release\n"
		"such as 6.18.34 (sigreturn reads MAGIC2 after user_size from 6.15 to 6.18.34).\n"
		"Exit status: 0 accepted, 1 refused, 2 bad input.\n");
}

struct check_args {
	const char *file, *kind;
	struct cli_model m;
	uint64_t request;
	enum xs_out_format fmt;
};

static int parse_args(int argc, char **argv, struct check_args *a)
{
	static const struct option longopts[] = {
		CLI_OPT_CPUID, CLI_OPT_CPU, CLI_OPT_CET_S, CLI_OPT_KERNEL,
		{ "kind", required_argument, NULL, 'K' }, { "request", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, ret;

	cli_model_init(&a->m);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case 'K': a->kind = optarg; break;
		case 'r': ret = cli_parse_xfeatures(optarg, &a->request); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &a->fmt); break;
		case 'h': check_usage(stdout); return -1;
		default:
			if (!cli_model_option(c, optarg, &a->m, &ret))
				return check_usage(stderr), XS_EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (optind != argc - 1)
		return cli_error("check: expected exactly one FILE (see xstate check --help)");
	a->file = argv[optind];
	if (!a->kind)
		return cli_error("check: --kind ptrace|sigframe|kvm is required");
	if (strcmp(a->kind, "ptrace") && strcmp(a->kind, "sigframe") && strcmp(a->kind, "kvm"))
		return cli_error("--kind: expected ptrace, sigframe or kvm, got '%s'", a->kind);
	return 0;
}

/* The verdict for one kind, on a fresh task or vCPU of `sys`. */
static int judge(const xs_system *sys, const struct check_args *a, const uint8_t *buf, size_t len,
		 struct xs_verdict *v, const char **outcome)
{
	xs_fpu fpu;
	xs_fpu_guest g;
	uint32_t pkru = 0;
	int ret;

	if (xs_fpu_init(&fpu, sys, NULL))
		return cli_error("out of memory");
	ret = cli_permit(&fpu, a->request, !strcmp(a->kind, "kvm"));
	if (ret)
		goto out;
	*outcome = NULL;
	if (!strcmp(a->kind, "ptrace")) {
		xs_ptrace_setregset(&fpu, buf, len, v);
	} else if (!strcmp(a->kind, "sigframe")) {
		static const char *const outcomes[] = { "xstate", "fx-only", "fail" };

		*outcome = outcomes[xs_sigframe_check(&fpu, buf, len, v)];
	} else if (xs_fpu_alloc_guest_fpstate(&fpu, &g)) {
		ret = cli_error("out of memory");
	} else {
		if (!a->request || !xs_fpu_enable_guest_xfd_features(&fpu, &g, a->request & XS_XFEATURE_MASK_USER_DYNAMIC))
			xs_kvm_set_xsave(sys, &g, buf, len, &pkru, v);
		xs_fpu_free_guest_fpstate(&fpu, &g);
	}
out:
	xs_fpu_destroy(&fpu);
	return ret;
}

static void print_verdict(const struct xs_verdict *v, const char *outcome, enum xs_out_format fmt)
{
	if (fmt == OUT_JSON) {
		json_t *o = json_object();

		json_object_set_new(o, "accepted", json_boolean(!v->err));
		if (v->err)
			json_object_set_new(o, "errno", json_string(xs_errno_name(v->err)));
		json_object_set_new(o, "reason", json_string(v->reason));
		json_object_set_new(o, "rule", json_string(v->rule));
		json_object_set_new(o, "function", json_string(v->function));
		if (outcome)
			json_object_set_new(o, "sigreturn", json_string(outcome));
		cli_print_json(o);
		return;
	}
	if (!v->err && !strcmp(v->reason, "accepted"))
		printf("accepted%s%s (%s)\n", outcome ? " as " : "", outcome ? outcome : "", v->function);
	else if (!v->err)
		printf("accepted%s%s: %s (%s)\n", outcome ? " as " : "", outcome ? outcome : "", v->reason,
		       v->function);
	else
		printf("refused: %s: %s (rule %s, %s)\n", xs_errno_name(v->err), v->reason, v->rule,
		       v->function);
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { 0 };
	struct xs_verdict v = { 0 };
	const char *outcome = NULL;
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (!cpu || !sys) {
		ret = cli_error("out of memory");
		goto out;
	}
	ret = parse_args(argc, argv, &a);
	if (ret) {
		ret = ret < 0 ? XS_EXIT_OK : ret;
		goto out;
	}
	ret = cli_read_file(a.file, "an XSAVE buffer file", 16u << 20, &buf, &len);
	if (!ret)
		ret = cli_load_cpu(cpu, a.m.cpuid, a.m.cpu);
	if (!ret)
		ret = cli_init_system(sys, cpu, a.m.cpuid, &a.m.opts);
	if (!ret)
		ret = judge(sys, &a, buf, len, &v, &outcome);
	if (ret)
		goto out;
	print_verdict(&v, outcome, a.fmt);
	ret = v.err ? XS_EXIT_FALSE : XS_EXIT_OK;
out:
	free(buf);
	free(cpu);
	free(sys);
	return ret;
}
