// SPDX-License-Identifier: MIT
/* xstate fpstate: the fpstate Linux builds for a task or a vCPU. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void fpstate_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate fpstate [--cpuid FILE] [--cpu N] [--kind task|guest]\n"
		"                      [--request NAME,...] [--cet-s off|guest-only|all]\n"
		"                      [--disable FEATURE,...] [--kernel V] [--format text|json]\n\n"
		"The fpstate Linux builds for a new task (fpu_flush_thread) or a vCPU\n"
		"(fpu_alloc_guest_fpstate): its sizes, feature masks, XFD value and the\n"
		"XSAVE header of the fresh buffer; then what each CET-S policy costs.\n\n"
		"  --kind K        task (default) or guest\n"
		"  --request LIST  permit and first-use dynamic components, e.g. amx_tiledata\n"
		"                  (ARCH_REQ_XCOMP_PERM / _GUEST_PERM, then the XFD fault path)\n"
		"  --cet-s POLICY  guest-only (default), off, all\n"
		"  --kernel V      the release to model: 5.10 .. 6.18 (default), or a stable\n"
		"                  release such as 6.18.34\n");
}

struct fpstate_args {
	struct cli_model m;
	bool guest;
	uint64_t request;
	enum xs_out_format fmt;
};

static int parse_args(int argc, char **argv, struct fpstate_args *a)
{
	static const struct option longopts[] = {
		CLI_OPT_CPUID, CLI_OPT_CPU, CLI_OPT_CET_S, CLI_OPT_DISABLE, CLI_OPT_KERNEL,
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
		case 'K':
			if (!strcmp(optarg, "guest") || !strcmp(optarg, "vcpu"))
				a->guest = true;
			else if (strcmp(optarg, "task"))
				ret = cli_error("--kind: expected task or guest, got '%s'", optarg);
			break;
		case 'r': ret = cli_parse_xfeatures(optarg, &a->request); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &a->fmt); break;
		case 'h': fpstate_usage(stdout); return -1;
		default:
			if (!cli_model_option(c, optarg, &a->m, &ret))
				return fpstate_usage(stderr), XS_EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return cli_error("fpstate: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* A task or vCPU as the kernel builds it, with the requested dynamic features. */
struct built {
	xs_fpu fpu;
	xs_fpu_guest gfpu;
	bool guest;
	const xs_fpstate *fps;
};

static int build(struct built *b, const xs_system *sys, bool guest, uint64_t request)
{
	int r;

	memset(b, 0, sizeof(*b));
	b->guest = guest;
	if (xs_fpu_init(&b->fpu, sys, NULL))
		return cli_error("out of memory");
	r = cli_permit(&b->fpu, request, guest);
	if (r) {
		xs_fpu_destroy(&b->fpu);
		return r;
	}
	if (!guest) {
		b->fps = b->fpu.fpstate;
		return 0;
	}
	if (xs_fpu_alloc_guest_fpstate(&b->fpu, &b->gfpu))
		return cli_error("out of memory");
	r = request ? xs_fpu_enable_guest_xfd_features(&b->fpu, &b->gfpu, request) : 0;
	if (r)
		return cli_error("enabling the requested components in the vCPU fails: %s", xs_errno_name(r));
	b->fps = b->gfpu.fpstate;	/* enabling reallocates it */
	return 0;
}

static void unbuild(struct built *b)
{
	if (b->guest)
		xs_fpu_free_guest_fpstate(&b->fpu, &b->gfpu);
	xs_fpu_destroy(&b->fpu);
}

static void print_text(const xs_system *sys, const struct built *b, const struct xs_policy_cost pc[3])
{
	const xs_fpstate *f = b->fps;
	char h[24], names[256], kname[16];
	struct xs_diag d;

	printf("%s fpstate on %s %s (Linux %s, CET-S %s):\n", b->guest ? "guest (vCPU)" : "task",
	       sys->cpu.vendor, sys->cpu.brand, xs_kernel_name(sys->opts.kernel, kname, sizeof(kname)),
	       xs_cet_s_policy_name(sys->opts.cet_s));
	printf("  size            %6u bytes (kernel buffer, %s format)\n", f->size,
	       sys->compacted ? "compacted" : sys->xsave ? "standard" : "legacy");
	printf("  user_size       %6u bytes (ptrace and signal frames)\n", f->user_size);
	printf("  xfeatures       %-20s %s\n", cli_hex(f->xfeatures, h), cli_xfeature_list(f->xfeatures, names, sizeof(names)));
	printf("  user_xfeatures  %-20s %s\n", cli_hex(f->user_xfeatures, h),
	       cli_xfeature_list(f->user_xfeatures, names, sizeof(names)));
	printf("  xfd             %-20s %s\n", cli_hex(f->xfd, h), f->xfd ? "(traps with #NM until first use)" : "");
	printf("  XSTATE_BV       %-20s (a fresh buffer: every component in its init state)\n",
	       cli_hex(xs_fpstate_xstate_bv(f), h));
	printf("  XCOMP_BV        %s\n", cli_hex(xs_fpstate_xcomp_bv(f), h));
	if (b->guest)
		printf("  uabi_size       %6u bytes (KVM_GET_XSAVE2 / KVM_SET_XSAVE)\n", b->gfpu.uabi_size);
	if (xs_fpstate_guest_only_warning(sys, f, &d))
		printf("  %s\n", d.msg);
	printf("\nBytes per fpstate under each CET-S policy:\n  policy        task   vCPU\n");
	printf("  off         %6u %6u\n  guest-only  %6u %6u\n  all         %6u %6u\n", pc[0].task_bytes,
	       pc[0].vcpu_bytes, pc[1].task_bytes, pc[1].vcpu_bytes, pc[2].task_bytes, pc[2].vcpu_bytes);
	printf("A non-vCPU task saves %d bytes under guest-only compared with all.\n",
	       (int)pc[2].task_bytes - (int)pc[1].task_bytes);
}

static json_t *to_json(const xs_system *sys, const struct built *b, const struct xs_policy_cost pc[3])
{
	static const char *const names[3] = { "off", "guest-only", "all" };
	const xs_fpstate *f = b->fps;
	json_t *o = json_object(), *pol = json_object();

	json_object_set_new(o, "kind", json_string(b->guest ? "guest" : "task"));
	json_object_set_new(o, "cet_s_policy", json_string(xs_cet_s_policy_name(sys->opts.cet_s)));
	json_object_set_new(o, "size", json_integer(f->size));
	json_object_set_new(o, "user_size", json_integer(f->user_size));
	json_object_set_new(o, "xfeatures", json_hex(f->xfeatures));
	json_object_set_new(o, "user_xfeatures", json_hex(f->user_xfeatures));
	json_object_set_new(o, "xfd", json_hex(f->xfd));
	json_object_set_new(o, "xstate_bv", json_hex(xs_fpstate_xstate_bv(f)));
	json_object_set_new(o, "xcomp_bv", json_hex(xs_fpstate_xcomp_bv(f)));
	if (b->guest)
		json_object_set_new(o, "uabi_size", json_integer(b->gfpu.uabi_size));
	for (int i = 0; i < 3; i++) {
		json_t *p = json_object();

		json_object_set_new(p, "task_bytes", json_integer(pc[i].task_bytes));
		json_object_set_new(p, "vcpu_bytes", json_integer(pc[i].vcpu_bytes));
		json_object_set_new(pol, names[i], p);
	}
	json_object_set_new(o, "policies", pol);
	json_object_set_new(o, "saving_per_task", json_integer((json_int_t)pc[2].task_bytes - (json_int_t)pc[1].task_bytes));
	return o;
}

int cmd_fpstate(int argc, char **argv)
{
	struct fpstate_args a = { 0 };
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	struct xs_policy_cost pc[3];
	struct built b;
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
	ret = cli_load_cpu(cpu, a.m.cpuid, a.m.cpu);
	if (ret)
		goto out;
	ret = cli_init_system(sys, cpu, a.m.cpuid, &a.m.opts);
	if (!ret && xs_policy_costs(cpu, &a.m.opts, pc))
		ret = cli_error("fpstate: unsupported option combination");
	if (ret)
		goto out;
	ret = build(&b, sys, a.guest, a.request);
	if (ret)
		goto out;
	if (a.fmt == OUT_JSON)
		ret = cli_print_json(to_json(sys, &b, pc));
	else
		print_text(sys, &b, pc);
	unbuild(&b);
out:
	free(cpu);
	free(sys);
	return ret;
}
