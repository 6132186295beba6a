// SPDX-License-Identifier: MIT
/* xstate check: would the kernel accept this buffer (ptrace, sigreturn, KVM)? */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum check_kind { CHECK_PTRACE, CHECK_SIGFRAME, CHECK_KVM };

struct check_args {
	struct cli_model m;
	enum check_kind kind;
	uint64_t request;
	enum xs_out_format fmt;
};

static const struct cli_value kinds[] = {
	{ "ptrace", CHECK_PTRACE, false }, { "sigframe", CHECK_SIGFRAME, false }, { "kvm", CHECK_KVM, false }, { 0 }
};

static const struct cli_opt options[] = {
	{ .name = "kind", .store = cli_enum, CLI_FIELD(struct check_args, kind), .values = kinds,
	  .arg = "ptrace|sigframe|kvm", .required = "--kind ptrace|sigframe|kvm is required" },
	{ CLI_MODEL_CPUID(struct check_args, m), .arg = "F" },
	{ CLI_MODEL_CPU(struct check_args, m), .arg = "N" },
	{ .name = "request", .store = cli_xfeatures, CLI_FIELD(struct check_args, request), .arg = "NAME,..." },
	{ CLI_MODEL_CET_S(struct check_args, m), .arg = "POLICY" },
	{ CLI_MODEL_KERNEL(struct check_args, m), .arg = "V" },
	{ CLI_FORMAT(struct check_args, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static void init(void *args)
{
	struct check_args *a = args;

	cli_model_init(&a->m);
}

/* KVM_SET_XSAVE on a new vCPU of the process fpu, with the requested components enabled. */
static int judge_kvm(const xs_system *sys, xs_fpu *fpu, const struct check_args *a, const uint8_t *buf,
		     size_t len, struct xs_verdict *v)
{
	xs_fpu_guest *g = xs_fpu_guest_new();
	uint32_t pkru = 0;
	int ret = 0;

	if (!g || xs_fpu_alloc_guest_fpstate(fpu, g)) {
		ret = cli_error("out of memory");
	} else {
		if (!a->request || !xs_fpu_enable_guest_xfd_features(fpu, g, a->request & XS_XFEATURE_MASK_USER_DYNAMIC))
			xs_kvm_set_xsave(sys, g, buf, len, &pkru, v);
		xs_fpu_free_guest_fpstate(fpu, g);
	}
	xs_fpu_guest_free(g);
	return ret;
}

/* The verdict for one kind, on a fresh task or vCPU of `sys`. */
static int judge(const xs_system *sys, const struct check_args *a, const uint8_t *buf, size_t len,
		 struct xs_verdict *v, const char **outcome)
{
	xs_fpu *fpu;
	int ret;

	if (xs_fpu_new(&fpu, sys, NULL))
		return cli_error("out of memory");
	ret = cli_permit(fpu, a->request, a->kind == CHECK_KVM);
	*outcome = NULL;
	if (!ret && a->kind == CHECK_PTRACE) {
		xs_ptrace_setregset(fpu, buf, len, v);
	} else if (!ret && a->kind == CHECK_SIGFRAME) {
		static const char *const outcomes[] = { "xstate", "fx-only", "fail" };

		*outcome = outcomes[xs_sigframe_check(fpu, buf, len, v)];
	} else if (!ret) {
		ret = judge_kvm(sys, fpu, a, buf, len, v);
	}
	xs_fpu_free(fpu);
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

static int run(void *args, int argc, char **argv)
{
	const struct check_args *a = args;
	struct xs_verdict v = { 0 };
	const char *outcome = NULL;
	struct cli_host h = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = cli_read_file(argv[0], "an XSAVE buffer file", 16u << 20, &buf, &len);

	(void)argc;
	if (!ret)
		ret = cli_load_host(&h, &a->m);
	if (!ret)
		ret = judge(h.sys, a, buf, len, &v, &outcome);
	if (!ret) {
		print_verdict(&v, outcome, a->fmt);
		ret = v.err ? XS_EXIT_FALSE : XS_EXIT_OK;
	}
	free(buf);
	cli_free_host(&h);
	return ret;
}

const struct cli_command cli_cmd_check = {
	.name = "check", .summary = "the kernel's verdict on a ptrace, signal-frame or KVM buffer",
	.opts = options, .args_size = sizeof(struct check_args), .init = init, .run = run,
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
	.operands_error = "expected exactly one FILE (see xstate check --help)",
	.about = "The kernel's verdict on an XSAVE buffer before you hand it over:\n"
		 "  ptrace    PTRACE_SETREGSET(NT_X86_XSTATE) on a task (the file length is iov_len)\n"
		 "  sigframe  rt_sigreturn of a 64-bit frame holding this fpstate image\n"
		 "  kvm       KVM_SET_XSAVE on a new vCPU\n"
		 "FILE '-' is standard input. The task or vCPU is a fresh one on the CPU model\n"
		 "(--cpuid: a CPUID dump, '-' or 'live', the default: this machine);\n"
		 "--request permits and enables dynamic components first (amx_tiledata).\n"
		 "--kernel V: the release whose rules apply, 5.10 .. 6.18 or a stable release\n"
		 "such as 6.18.34 (sigreturn reads MAGIC2 after user_size from 6.15 to 6.18.34).\n"
		 "Exit status: 0 accepted, 1 refused, 2 bad input.\n",
};
