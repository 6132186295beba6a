// SPDX-License-Identifier: MIT
/* xstate compat: can state saved on host A be restored on host B? */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void compat_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate compat A B [--kind task|vcpu] [--kernel V] [--kernel-a V]\n"
		"                     [--kernel-b V] [--cet-s POLICY] [--disable FEATURE,...]\n"
		"                     [--disable-a FEATURE,...] [--disable-b FEATURE,...]\n"
		"                     [--request NAME,...] [--format text|json]\n\n"
		"Can a process (task: what CRIU restores with ptrace and sigreturn) or a vCPU\n"
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
		"Exit status like cmp(1): 0 compatible, 1 not compatible, 2 bad input.\n");
}

int cli_parse_kind(const char *s, enum xs_compat_kind *kind)
{
	if (!strcmp(s, "task") || !strcmp(s, "process"))
		*kind = XS_COMPAT_TASK;
	else if (!strcmp(s, "vcpu") || !strcmp(s, "guest"))
		*kind = XS_COMPAT_VCPU;
	else
		return cli_error("--kind: expected task or vcpu, got '%s'", s);
	return 0;
}

/* Does `sys` grant the permission requests a process (or VMM) of A holds? "" if so. */
static void refused_request(const xs_system *sys, uint64_t request, enum xs_compat_kind kind, char *why,
			    size_t size)
{
	int option = kind == XS_COMPAT_VCPU ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM;
	xs_fpu fpu;
	long r = 0;

	why[0] = '\0';
	if (!request)
		return;
	if (xs_fpu_init(&fpu, sys, NULL)) {
		snprintf(why, size, "Linux cannot create a task there");
		return;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX && !r; nr++) {
		if (!(request & XS_BIT(nr)) || !(r = xs_arch_prctl(&fpu, option, nr, NULL)))
			continue;
		snprintf(why, size, "%s(%u) for %s fails with %s",
			 kind == XS_COMPAT_VCPU ? "ARCH_REQ_XCOMP_GUEST_PERM" : "ARCH_REQ_XCOMP_PERM", nr,
			 xs_xfeature_info(nr)->short_name, xs_errno_name((int)r));
	}
	xs_fpu_destroy(&fpu);
}

static const char *const baseline_hint = "xstate baseline A B gives the state both hosts accept";

static void print_compat(const struct xs_compat *c, const char *refused, enum xs_out_format fmt)
{
	bool compatible = c->compatible && !refused[0];
	char buf[256];

	if (fmt == OUT_JSON) {
		json_t *o = json_object(), *missing = json_array(), *notes = json_array();

		json_object_set_new(o, "compatible", json_boolean(compatible));
		for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
			json_t *m;

			if (!((c->missing | c->missing_xss) & XS_BIT(i)))
				continue;
			m = json_object();
			json_object_set_new(m, "index", json_integer(i));
			json_object_set_new(m, "name", json_string(xs_xfeature_info(i)->short_name));
			json_array_append_new(missing, m);
		}
		json_object_set_new(o, "missing", missing);
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
	printf("  A may put:      %s\n", cli_xfeature_list(c->features_a, buf, sizeof(buf)));
	printf("  B accepts:      %s\n", cli_xfeature_list(c->features_b, buf, sizeof(buf)));
	printf("  missing on B:   %s\n", cli_xfeature_list(c->missing | c->missing_xss, buf, sizeof(buf)));
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

static int parse_args(int argc, char **argv, struct compat_args *a)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'K' }, { "kernel", required_argument, NULL, 'k' },
		{ "kernel-a", required_argument, NULL, 'a' }, { "kernel-b", required_argument, NULL, 'b' },
		{ "cet-s", required_argument, NULL, 's' }, { "disable", required_argument, NULL, 'd' },
		{ "disable-a", required_argument, NULL, 'A' }, { "disable-b", required_argument, NULL, 'B' },
		{ "request", required_argument, NULL, 'r' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	uint64_t both = 0;
	int ch, ret = 0;

	memset(a, 0, sizeof(*a));
	a->kind = XS_COMPAT_TASK;
	a->fmt = OUT_TEXT;
	xs_options_init(&a->oa);
	xs_options_init(&a->ob);
	optind = 1;
	while (!ret && (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'K': ret = cli_parse_kind(optarg, &a->kind); break;
		case 'k':
			ret = cli_parse_kernel("--kernel", optarg, &a->oa.kernel);
			a->ob.kernel = a->oa.kernel;
			break;
		case 'a': ret = cli_parse_kernel("--kernel-a", optarg, &a->oa.kernel); break;
		case 'b': ret = cli_parse_kernel("--kernel-b", optarg, &a->ob.kernel); break;
		case 's':
			ret = cli_parse_policy(optarg, &a->oa.cet_s);
			a->ob.cet_s = a->oa.cet_s;
			break;
		case 'd': ret = cli_parse_disable(optarg, &both); break;
		case 'A': ret = cli_parse_disable(optarg, &a->oa.clear_features); break;
		case 'B': ret = cli_parse_disable(optarg, &a->ob.clear_features); break;
		case 'r': ret = cli_parse_xfeatures(optarg, &a->request); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &a->fmt); break;
		case 'h': compat_usage(stdout); return -1;
		default: compat_usage(stderr); return XS_EXIT_USAGE;
		}
	}
	a->oa.clear_features |= both;
	a->ob.clear_features |= both;
	if (!ret && argc - optind != 2)
		ret = cli_error("compat: expected two hosts A and B (CPUID dumps, '-' or 'live')");
	return ret;
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

int cmd_compat(int argc, char **argv)
{
	struct compat_args args;
	xs_system *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct xs_compat c;
	char refused[200];
	int ret = parse_args(argc, argv, &args);

	if (ret) {
		ret = ret < 0 ? XS_EXIT_OK : ret;
		goto out;
	}
	if (!a || !b)
		ret = cli_error("out of memory");
	if (!ret)
		ret = cli_load_system(a, argv[optind], 0, &args.oa);
	if (!ret)
		ret = cli_load_system(b, argv[optind + 1], 0, &args.ob);
	if (!ret)
		ret = check_request_on_a(a, &args);
	if (ret)
		goto out;
	xs_compat_check(a, b, args.kind, &c);
	refused_request(b, args.request, args.kind, refused, sizeof(refused));
	print_compat(&c, refused, args.fmt);
	ret = c.compatible && !refused[0] ? XS_EXIT_OK : XS_EXIT_FALSE;
out:
	free(a);
	free(b);
	return ret;
}
