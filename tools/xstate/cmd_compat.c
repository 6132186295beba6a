// SPDX-License-Identifier: MIT
/* xstate compat: can state saved on host A be restored on host B? */
#include "cli.h"

/* Does `sys` grant the permission requests a process (or VMM) of A holds? "" if so. */
static void refused_request(const xs_system *sys, uint64_t request, enum xs_compat_kind kind, char *why,
			    size_t size)
{
	int option = kind == XS_COMPAT_VCPU ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM;
	xs_fpu *fpu;
	long r = 0;

	why[0] = '\0';
	if (!request)
		return;
	if (xs_fpu_new(&fpu, sys, NULL)) {
		snprintf(why, size, "Linux cannot create a task there");
		return;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX && !r; nr++) {
		if (!(request & XS_BIT(nr)) || !(r = xs_arch_prctl(fpu, option, nr, NULL)))
			continue;
		snprintf(why, size, "%s(%u) for %s fails with %s",
			 kind == XS_COMPAT_VCPU ? "ARCH_REQ_XCOMP_GUEST_PERM" : "ARCH_REQ_XCOMP_PERM", nr,
			 xs_xfeature_info(nr)->short_name, xs_errno_name((int)r));
	}
	xs_fpu_free(fpu);
}

static const char *const baseline_hint = "xstate baseline A B gives the state both hosts accept";

static void print_compat(const struct xs_compat *c, const char *refused, enum xs_out_format fmt)
{
	bool compatible = c->compatible && !refused[0];
	char buf[256];

	if (fmt == OUT_JSON) {
		json_t *o = json_object(), *notes = json_array();

		json_object_set_new(o, "compatible", json_boolean(compatible));
		json_object_set_new(o, "missing", xfeature_index_json(c->missing | c->missing_xss));
		json_object_set_new(o, "size_a", json_integer(c->size_a));
		json_object_set_new(o, "size_b", json_integer(c->size_b));
		json_object_set_new(o, "features_a", json_hex(c->features_a));
		json_object_set_new(o, "features_b", json_hex(c->features_b));
		json_object_set_new(o, "moved", json_hex(c->moved));
		if (refused[0])
			json_object_set_new(o, "request_refused_on_b", json_string(refused));
		for (unsigned i = 0; i < c->nnotes; i++)
			json_array_append_new(notes, json_string(c->notes[i]));
		json_object_set_new(o, "notes", notes);
		if (!compatible)
			json_object_set_new(o, "hint", json_string(baseline_hint));
		cli_print_json(o);
		return;
	}
	printf("%s\n", compatible ? "compatible" : "NOT compatible");
	printf("  A may put:      %s\n", xfeature_list(c->features_a, buf, sizeof(buf)));
	printf("  B accepts:      %s\n", xfeature_list(c->features_b, buf, sizeof(buf)));
	printf("  missing on B:   %s\n", xfeature_list(c->missing | c->missing_xss, buf, sizeof(buf)));
	printf("  buffer sizes:   %u bytes on A, %u on B\n", c->size_a, c->size_b);
	if (refused[0])
		printf("  - B refuses the permission request A's state was made under: %s\n", refused);
	for (unsigned i = 0; i < c->nnotes; i++)
		printf("  - %s\n", c->notes[i]);
	if (!compatible)
		printf("  hint: %s\n", baseline_hint);
}

struct compat_args {
	enum xs_compat_kind kind;
	enum xs_out_format fmt;
	struct xs_options oa, ob;
	uint64_t request;
};

#define F(member) CLI_FIELD(struct compat_args, member)
#define BOTH(member) CLI_ALSO(struct compat_args, member)

static const struct cli_opt options[] = {
	{ CLI_COMPAT_KIND(struct compat_args, kind), .arg = "task|vcpu" },
	{ .name = "kernel", .store = cli_kernel, F(oa.kernel), BOTH(ob.kernel), .arg = "V" },
	{ .name = "kernel-a", .store = cli_kernel, F(oa.kernel), .arg = "V" },
	{ .name = "kernel-b", .store = cli_kernel, F(ob.kernel), .arg = "V" },
	{ .name = "cet-s", .store = cli_policy, F(oa.cet_s), BOTH(ob.cet_s), .arg = "POLICY" },
	{ .name = "disable", .store = cli_cpu_features, F(oa.clear_features), BOTH(ob.clear_features),
	  .arg = "FEATURE,..." },
	{ .name = "disable-a", .store = cli_cpu_features, F(oa.clear_features), .arg = "FEATURE,..." },
	{ .name = "disable-b", .store = cli_cpu_features, F(ob.clear_features), .arg = "FEATURE,..." },
	{ .name = "request", .store = cli_xfeatures, F(request), .arg = "NAME,..." },
	{ CLI_FORMAT(struct compat_args, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static void init(void *args)
{
	struct compat_args *a = args;

	xs_options_init(&a->oa);
	xs_options_init(&a->ob);
}

/* A's state was made under the requests: A must grant them (else the input is wrong). */
static int check_request_on_a(const xs_system *a, const struct compat_args *args)
{
	char why[200];

	refused_request(a, args->request, args->kind, why, sizeof(why));
	if (why[0])
		return cli_error("--request: host A refuses it: %s", why);
	return 0;
}

static int run(void *args, int argc, char **argv)
{
	const struct compat_args *o = args;
	xs_system *a = NULL, *b = NULL;
	struct xs_compat c;
	char refused[200];
	int ret;

	(void)argc;
	ret = cli_load_system(&a, argv[0], 0, &o->oa);
	if (!ret)
		ret = cli_load_system(&b, argv[1], 0, &o->ob);
	if (!ret)
		ret = check_request_on_a(a, o);
	if (ret)
		goto out;
	xs_compat_check(a, b, o->kind, &c);
	refused_request(b, o->request, o->kind, refused, sizeof(refused));
	print_compat(&c, refused, o->fmt);
	ret = c.compatible && !refused[0] ? XS_EXIT_OK : XS_EXIT_FALSE;
out:
	xs_system_free(a);
	xs_system_free(b);
	return ret;
}

const struct cli_command cli_cmd_compat = {
	.name = "compat", .summary = "can state saved on host A be restored on host B (task or vCPU)",
	.opts = options, .args_size = sizeof(struct compat_args), .init = init, .run = run,
	.operands = "A B", .min_operands = 2, .max_operands = 2,
	.operands_error = "expected two hosts A and B (CPUID dumps, '-' or 'live')",
	.about = "Can a process (task: what CRIU restores with ptrace and sigreturn) or a vCPU\n"
		 "(vcpu: KVM_GET_XSAVE2 on A, KVM_SET_XSAVE on B) saved on host A be restored\n"
		 "on host B? A and B are CPUID dumps, '-' (standard input) or 'live'. Prints\n"
		 "which components A may put in the buffer that B refuses, the buffer sizes,\n"
		 "offsets that differ and the supervisor state that travels outside the buffer.\n"
		 "--kernel V runs both hosts on release V (5.10 .. 6.18, a stable release\n"
		 "such as 6.18.34, or a `uname -r` string); --kernel-a/--kernel-b set one side\n"
		 "(default 6.18).\n"
		 "--disable LIST clears CPU features on both hosts like clearcpuid= (a masked\n"
		 "guest CPU model: --disable avx512f); --disable-a/--disable-b on one side.\n"
		 "--request LIST: the process (task) or the VMM (vcpu) holds permission for\n"
		 "these dynamic components (arch_prctl ARCH_REQ_XCOMP_PERM or _GUEST_PERM,\n"
		 "e.g. amx_tiledata); B must grant the same request.\n"
		 "When not compatible, `xstate baseline A B` gives what both accept.\n"
		 "Exit status like cmp(1): 0 compatible, 1 not compatible, 2 bad input.\n",
};
