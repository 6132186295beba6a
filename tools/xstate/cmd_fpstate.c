// SPDX-License-Identifier: MIT
/* xstate fpstate: the fpstate Linux builds for a task or a vCPU. */
#include <string.h>

#include "cli.h"

struct fpstate_args {
	struct cli_model m;
	enum xs_compat_kind kind;
	uint64_t request;
	enum xs_out_format fmt;
};

#define F(member) CLI_FIELD(struct fpstate_args, member)

static const struct cli_opt options[] = {
	{ CLI_MODEL_CPUID(struct fpstate_args, m), .arg = "FILE" },
	{ CLI_MODEL_CPU(struct fpstate_args, m), .arg = "N" },
	{ CLI_COMPAT_KIND(struct fpstate_args, kind), .arg = "task|vcpu", .meta = "K",
	  .help = "task (default) or vcpu (guest)" },
	{ .name = "request", .store = cli_xfeatures, F(request), .arg = "NAME,...", .meta = "LIST",
	  .help = "permit and first-use dynamic components, e.g. amx_tiledata\n"
		  "(ARCH_REQ_XCOMP_PERM / _GUEST_PERM, then the XFD fault path)" },
	{ CLI_MODEL_CET_S(struct fpstate_args, m), .arg = "off|guest-only|all", .meta = "POLICY",
	  .help = "guest-only (default), off, all" },
	{ CLI_MODEL_DISABLE(struct fpstate_args, m), .arg = "FEATURE,..." },
	{ CLI_MODEL_KERNEL(struct fpstate_args, m), .arg = "V",
	  .help = "the release to model: 5.10 .. 6.18 (default), or a stable\n"
		  "release such as 6.18.34" },
	{ CLI_FORMAT(struct fpstate_args, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static void init(void *args)
{
	struct fpstate_args *a = args;

	cli_model_init(&a->m);
}

/* A task or vCPU as the kernel builds it, with the requested dynamic features. */
struct built {
	xs_fpu *fpu;
	xs_fpu_guest *gfpu;	/* a vCPU's container; NULL for a task */
	const xs_fpstate *fps;
};

static void unbuild(struct built *b)
{
	if (b->gfpu)
		xs_fpu_free_guest_fpstate(b->fpu, b->gfpu);
	xs_fpu_guest_free(b->gfpu);
	xs_fpu_free(b->fpu);
	memset(b, 0, sizeof(*b));
}

static int build_guest(struct built *b, uint64_t request)
{
	int r;

	if (!(b->gfpu = xs_fpu_guest_new()) || xs_fpu_alloc_guest_fpstate(b->fpu, b->gfpu))
		return cli_error("out of memory");
	r = request ? xs_fpu_enable_guest_xfd_features(b->fpu, b->gfpu, request) : 0;
	if (r)
		return cli_error("enabling the requested components in the vCPU fails: %s", xs_errno_name(r));
	b->fps = xs_fpu_guest_fpstate(b->gfpu);	/* enabling reallocates it */
	return 0;
}

static int build(struct built *b, const xs_system *sys, bool guest, uint64_t request)
{
	int r;

	memset(b, 0, sizeof(*b));
	if (xs_fpu_new(&b->fpu, sys, NULL))
		return cli_error("out of memory");
	r = cli_permit(b->fpu, request, guest);
	if (!r && guest)
		r = build_guest(b, request);
	else if (!r)
		b->fps = xs_fpu_fpstate(b->fpu);
	if (r)
		unbuild(b);
	return r;
}

static const char *buffer_format(const struct xs_system_info *info)
{
	return info->compacted ? "compacted" : info->xsave ? "standard" : "legacy";
}

static void print_text(const xs_system *sys, const struct built *b, const struct xs_policy_cost pc[3])
{
	const struct xs_fpstate_info *f = xs_fpstate_info(b->fps);
	const struct xs_options *opts = xs_system_options(sys);
	const xs_cpu *cpu = xs_system_cpu(sys);
	char h[24], names[256], kname[16];
	struct xs_diag d;

	printf("%s fpstate on %s %s (Linux %s, CET-S %s):\n", b->gfpu ? "guest (vCPU)" : "task",
	       xs_cpu_vendor(cpu), xs_cpu_brand(cpu), xs_kernel_name(opts->kernel, kname, sizeof(kname)),
	       xs_cet_s_policy_name(opts->cet_s));
	printf("  size            %6u bytes (kernel buffer, %s format)\n", f->size,
	       buffer_format(xs_system_info(sys)));
	printf("  user_size       %6u bytes (ptrace and signal frames)\n", f->user_size);
	printf("  xfeatures       %-20s %s\n", cli_hex(f->xfeatures, h), xfeature_list(f->xfeatures, names, sizeof(names)));
	printf("  user_xfeatures  %-20s %s\n", cli_hex(f->user_xfeatures, h),
	       xfeature_list(f->user_xfeatures, names, sizeof(names)));
	printf("  xfd             %-20s %s\n", cli_hex(f->xfd, h), f->xfd ? "(traps with #NM until first use)" : "");
	printf("  XSTATE_BV       %-20s (a fresh buffer: every component in its init state)\n",
	       cli_hex(xs_fpstate_xstate_bv(b->fps), h));
	printf("  XCOMP_BV        %s\n", cli_hex(xs_fpstate_xcomp_bv(b->fps), h));
	if (b->gfpu)
		printf("  uabi_size       %6u bytes (KVM_GET_XSAVE2 / KVM_SET_XSAVE)\n",
		       xs_fpu_guest_info(b->gfpu)->uabi_size);
	if (xs_fpstate_guest_only_warning(sys, b->fps, &d))
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
	const struct xs_fpstate_info *f = xs_fpstate_info(b->fps);
	json_t *o = json_object(), *pol = json_object();

	json_object_set_new(o, "kind", json_string(b->gfpu ? "guest" : "task"));
	json_object_set_new(o, "cet_s_policy", json_string(xs_cet_s_policy_name(xs_system_options(sys)->cet_s)));
	json_object_set_new(o, "size", json_integer(f->size));
	json_object_set_new(o, "user_size", json_integer(f->user_size));
	json_object_set_new(o, "xfeatures", json_hex(f->xfeatures));
	json_object_set_new(o, "user_xfeatures", json_hex(f->user_xfeatures));
	json_object_set_new(o, "xfd", json_hex(f->xfd));
	json_object_set_new(o, "xstate_bv", json_hex(xs_fpstate_xstate_bv(b->fps)));
	json_object_set_new(o, "xcomp_bv", json_hex(xs_fpstate_xcomp_bv(b->fps)));
	if (b->gfpu)
		json_object_set_new(o, "uabi_size", json_integer(xs_fpu_guest_info(b->gfpu)->uabi_size));
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

static int run(void *args, int argc, char **argv)
{
	const struct fpstate_args *a = args;
	struct xs_policy_cost pc[3];
	struct cli_host h;
	struct built b;
	int ret = cli_load_host(&h, &a->m);

	(void)argc;
	(void)argv;
	if (!ret && xs_policy_costs(h.cpu, &a->m.opts, pc))
		ret = cli_error("fpstate: unsupported option combination");
	if (!ret)
		ret = build(&b, h.sys, a->kind == XS_COMPAT_VCPU, a->request);
	if (!ret) {
		if (a->fmt == OUT_JSON)
			ret = cli_print_json(to_json(h.sys, &b, pc));
		else
			print_text(h.sys, &b, pc);
		unbuild(&b);
	}
	cli_free_host(&h);
	return ret;
}

const struct cli_command cli_cmd_fpstate = {
	.name = "fpstate", .summary = "the fpstate Linux builds for a task or a vCPU, per CET-S policy",
	.opts = options, .args_size = sizeof(struct fpstate_args), .init = init, .run = run,
	.list_width = 18,
	.about = "The fpstate Linux builds for a new task (fpu_flush_thread) or a vCPU\n"
		 "(fpu_alloc_guest_fpstate): its sizes, feature masks, XFD value and the\n"
		 "XSAVE header of the fresh buffer; then what each CET-S policy costs.\n",
};
