// SPDX-License-Identifier: MIT
/* xstate convert: move an XSAVE buffer from one CPU's layout to another's. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void convert_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate convert IN OUT --from F --to F [--force] [--kind K]\n"
		"                      [--output-format standard|compacted] [--format text|json]\n\n"
		"Rewrite the XSAVE buffer IN, saved on CPU F (--from: a CPUID dump or 'live'),\n"
		"in the layout of CPU --to, into OUT — for migration and snapshots between\n"
		"different CPUs. IN '-' is standard input, OUT '-' standard output (the\n"
		"report then goes to standard error).\n"
		"IN may be standard (XSAVE, ptrace, KVM) or compacted\n"
		"(XSAVEC/XSAVES); OUT is standard unless --output-format compacted.\n"
		"Components in use on the source that the target lacks, data that does not\n"
		"fit the target's size of a component, or MXCSR bits the target cannot hold\n"
		"refuse the conversion (exit 1, OUT untouched) unless --force, which drops\n"
		"them and lists what went. Exit 2 for bad input.\n"
		"--kind auto|ptrace|xsave|sigframe|kvm: the container of IN and OUT, rewritten\n"
		"for B as B's kernel writes it: ptrace (B's regset size and XCR0 word),\n"
		"xsave (bare image), sigframe (fx_sw_bytes and MAGIC2 with B's sizes), kvm\n"
		"(4096 bytes, or KVM_CAP_XSAVE2 with AMX). auto (default): a signal frame\n"
		"or a KVM buffer stays one, anything else is ptrace.\n");
}

struct convert_args {
	const char *in, *out, *from, *to;
	bool force, auto_kind;
	enum xs_container kind;
	enum xs_buf_format out_fmt;
	enum xs_out_format fmt;
	struct xs_options opts;
};

static int parse_kind(const char *s, struct convert_args *a)
{
	static const enum xs_container kinds[] = { XS_CONTAINER_PTRACE, XS_CONTAINER_XSAVE,
						   XS_CONTAINER_SIGFRAME, XS_CONTAINER_KVM };

	a->auto_kind = !strcmp(s, "auto");
	if (a->auto_kind)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, xs_container_name(kinds[i]))) {
			a->kind = kinds[i];
			return 0;
		}
	}
	return cli_error("--kind: expected auto, ptrace, xsave, sigframe or kvm, got '%s'", s);
}

static int parse_args(int argc, char **argv, struct convert_args *a)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' }, { "to", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'x' }, { "output-format", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' }, { "cet-s", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'K' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, ret;

	xs_options_init(&a->opts);
	a->auto_kind = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'x': a->force = true; break;
		case 'o':
			if (!strcmp(optarg, "standard"))
				a->out_fmt = XS_BUF_STANDARD;
			else if (!strcmp(optarg, "compacted"))
				a->out_fmt = XS_BUF_COMPACTED;
			else
				ret = cli_error("--output-format: expected standard or compacted, got '%s'", optarg);
			break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &a->fmt); break;
		case 'K': ret = parse_kind(optarg, a); break;
		case 's': ret = cli_parse_policy(optarg, &a->opts.cet_s); break;
		case 'h': convert_usage(stdout); return -1;
		default: convert_usage(stderr); return XS_EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (argc - optind != 2)
		return cli_error("convert: expected IN and OUT files (see xstate convert --help)");
	a->in = argv[optind];
	a->out = argv[optind + 1];
	if (!a->from || !a->to)
		return cli_error("convert: --from and --to CPU models are required");
	return 0;
}

/* [{"index": n, "name": "..."}...] for each component of the mask. */
static json_t *component_array(uint64_t mask)
{
	json_t *a = json_array();

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		json_t *c;

		if (!(mask & XS_BIT(nr)))
			continue;
		c = json_object();
		json_object_set_new(c, "index", json_integer(nr));
		json_object_set_new(c, "name", json_string(xs_xfeature_info(nr)->short_name));
		json_array_append_new(a, c);
	}
	return a;
}

static void print_report(FILE *f, const struct xs_compat_report *r, bool done, const char *out,
			 enum xs_container kind, enum xs_out_format fmt)
{
	char b1[256], b2[256], h1[24], h2[24];

	if (fmt == OUT_JSON) {
		json_t *o = json_object(), *notes = json_array();

		json_object_set_new(o, "converted", json_boolean(done));
		json_object_set_new(o, "kind", json_string(xs_container_name(kind)));
		json_object_set_new(o, "in_use", json_hex(r->in_use));
		json_object_set_new(o, "missing", component_array(r->missing));
		json_object_set_new(o, "dropped", component_array(r->dropped));
		json_object_set_new(o, "missing_mask", json_hex(r->missing));
		json_object_set_new(o, "dropped_mask", json_hex(r->dropped));
		json_object_set_new(o, "resized", json_hex(r->resized));
		json_object_set_new(o, "moved", json_hex(r->moved));
		json_object_set_new(o, "size_a", json_integer(r->size_a));
		json_object_set_new(o, "size_b", json_integer(r->size_b));
		json_object_set_new(o, "xcr0_a", json_hex(r->xcr0_a));
		json_object_set_new(o, "xcr0_b", json_hex(r->xcr0_b));
		json_object_set_new(o, "xss_a", json_hex(r->xss_a));
		json_object_set_new(o, "xss_b", json_hex(r->xss_b));
		for (unsigned i = 0; i < r->nnotes; i++)
			json_array_append_new(notes, json_string(r->notes[i]));
		json_object_set_new(o, "notes", notes);
		cli_print_json_to(f, o);
		return;
	}
	fprintf(f, "%s\n", done ? "converted" : "refused: the target cannot hold this state (use --force to drop it)");
	fprintf(f, "  in use on A:   %s\n", cli_xfeature_list(r->in_use, b1, sizeof(b1)));
	fprintf(f, "  missing on B:  %s\n", cli_xfeature_list(r->missing, b2, sizeof(b2)));
	if (r->dropped)
		fprintf(f, "  dropped:       %s\n", cli_xfeature_list(r->dropped, b1, sizeof(b1)));
	if (r->resized)
		fprintf(f, "  resized:       %s\n", cli_xfeature_list(r->resized, b1, sizeof(b1)));
	if (r->moved)
		fprintf(f, "  moved (std):   %s\n", cli_xfeature_list(r->moved, b1, sizeof(b1)));
	fprintf(f, "  sizes:         %u bytes on A, %u on B\n", r->size_a, r->size_b);
	fprintf(f, "  XCR0:          %s on A, %s on B\n", cli_hex(r->xcr0_a, h1), cli_hex(r->xcr0_b, h2));
	fprintf(f, "  IA32_XSS:      %s on A, %s on B\n", cli_hex(r->xss_a, h1), cli_hex(r->xss_b, h2));
	for (unsigned i = 0; i < r->nnotes; i++)
		fprintf(f, "  note: %s\n", r->notes[i]);
	if (done)
		fprintf(f, "  written:       %s\n", cli_is_stdin(out) ? "standard output" : out);
}

int cmd_convert(int argc, char **argv)
{
	struct convert_args a = { 0 };
	struct xs_compat_report rep;
	struct xs_diag d = { 0 };
	xs_system *sa = malloc(sizeof(*sa)), *sb = malloc(sizeof(*sb));
	uint8_t *in = NULL, *out = NULL;
	size_t len = 0, need = 0;
	int ret;

	if (!sa || !sb) {
		ret = cli_error("out of memory");
		goto out;
	}
	ret = parse_args(argc, argv, &a);
	if (ret) {
		ret = ret < 0 ? XS_EXIT_OK : ret;
		goto out;
	}
	if ((ret = cli_read_file(a.in, "an XSAVE buffer file", 16u << 20, &in, &len)) || (ret = cli_load_system(sa, a.from, 0, &a.opts)) ||
	    (ret = cli_load_system(sb, a.to, 0, &a.opts)))
		goto out;
	if (a.auto_kind)
		a.kind = xs_container_detect(sa, in, len);
	ret = xs_convert_container(sa, in, len, sb, a.kind, a.out_fmt, a.force, NULL, 0, &need, &rep, &d);
	if (ret == -ENOSPC) {
		out = malloc(need);
		ret = out ? xs_convert_container(sa, in, len, sb, a.kind, a.out_fmt, a.force, out, need, &need,
						 &rep, &d)
			  : -ENOMEM;
	}
	if (ret == -EINVAL) {
		ret = cli_error("%s: %s", a.in, d.msg);
		goto out;
	}
	if (ret && ret != -EOPNOTSUPP) {
		ret = cli_error("convert: %s", strerror(-ret));
		goto out;
	}
	/* OUT is written only when the conversion is complete */
	if (!ret && (ret = cli_write_file(a.out, out, need)))
		goto out;
	print_report(cli_is_stdin(a.out) ? stderr : stdout, &rep, !ret, a.out, a.kind, a.fmt);
	if (ret)
		ret = XS_EXIT_FALSE;
out:
	free(in);
	free(out);
	free(sa);
	free(sb);
	return ret;
}
