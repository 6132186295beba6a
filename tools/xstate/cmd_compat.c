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
		"                     [--kernel-b V] [--cet-s POLICY] [--format text|json]\n\n"
		"Can a process (task: what CRIU restores with ptrace and sigreturn) or a vCPU\n"
		"(vcpu: KVM_GET_XSAVE2 on A, KVM_SET_XSAVE on B) saved on host A be restored\n"
		"on host B? A and B are CPUID dumps or 'live'. Prints which components A may\n"
		"put in the buffer that B refuses, the buffer sizes, offsets that differ and\n"
		"the supervisor state that travels outside the buffer.\n"
		"--kernel V runs both hosts on release V (5.10 .. 6.18, or a stable release\n"
		"such as 6.18.34); --kernel-a/--kernel-b set one side (default 6.18).\n"
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

static void print_compat(const struct xs_compat *c, enum xs_out_format fmt)
{
	char buf[256];

	if (fmt == OUT_JSON) {
		json_t *o = json_object(), *missing = json_array(), *notes = json_array();

		json_object_set_new(o, "compatible", json_boolean(c->compatible));
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
		for (unsigned i = 0; i < c->nnotes; i++)
			json_array_append_new(notes, json_string(c->notes[i]));
		json_object_set_new(o, "notes", notes);
		cli_print_json(o);
		return;
	}
	printf("%s\n", c->compatible ? "compatible" : "NOT compatible");
	printf("  A may put:      %s\n", cli_xfeature_list(c->features_a, buf, sizeof(buf)));
	printf("  B accepts:      %s\n", cli_xfeature_list(c->features_b, buf, sizeof(buf)));
	printf("  missing on B:   %s\n", cli_xfeature_list(c->missing | c->missing_xss, buf, sizeof(buf)));
	printf("  buffer sizes:   %u bytes on A, %u on B\n", c->size_a, c->size_b);
	for (unsigned i = 0; i < c->nnotes; i++)
		printf("  - %s\n", c->notes[i]);
}

int cmd_compat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'K' }, { "kernel", required_argument, NULL, 'k' },
		{ "kernel-a", required_argument, NULL, 'a' },
		{ "kernel-b", required_argument, NULL, 'b' }, { "cet-s", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum xs_compat_kind kind = XS_COMPAT_TASK;
	enum xs_out_format fmt = OUT_TEXT;
	struct xs_options oa, ob;
	xs_system *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct xs_compat c;
	int ch, ret = 0;

	xs_options_init(&oa);
	xs_options_init(&ob);
	optind = 1;
	while (!ret && (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'K': ret = cli_parse_kind(optarg, &kind); break;
		case 'k':
			ret = cli_parse_kernel("--kernel", optarg, &oa.kernel);
			ob.kernel = oa.kernel;
			break;
		case 'a': ret = cli_parse_kernel("--kernel-a", optarg, &oa.kernel); break;
		case 'b': ret = cli_parse_kernel("--kernel-b", optarg, &ob.kernel); break;
		case 's':
			ret = cli_parse_policy(optarg, &oa.cet_s);
			ob.cet_s = oa.cet_s;
			break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &fmt); break;
		case 'h': compat_usage(stdout); goto out;
		default: compat_usage(stderr); ret = XS_EXIT_USAGE; break;
		}
	}
	if (!ret && argc - optind != 2)
		ret = cli_error("compat: expected two hosts A and B (CPUID dumps or 'live')");
	if (!ret && (!a || !b))
		ret = cli_error("out of memory");
	if (!ret)
		ret = cli_load_system(a, argv[optind], 0, &oa);
	if (!ret)
		ret = cli_load_system(b, argv[optind + 1], 0, &ob);
	if (ret)
		goto out;
	xs_compat_check(a, b, kind, &c);
	print_compat(&c, fmt);
	ret = c.compatible ? XS_EXIT_OK : XS_EXIT_FALSE;
out:
	free(a);
	free(b);
	return ret;
}
