// SPDX-License-Identifier: MIT
/* xstate convert: move an XSAVE buffer from one CPU's layout to another's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define KIND_AUTO (-1)	/* --kind auto: the container IN looks like on A */

struct convert_args {
	const char *from, *to;
	bool force;
	int kind;		/* an enum xs_container, or KIND_AUTO */
	enum xs_buf_format out_fmt;
	enum xs_out_format fmt;
	struct xs_options opts;
};

#define F(member) CLI_FIELD(struct convert_args, member)

static const struct cli_value kinds[] = {
	{ "auto", KIND_AUTO, false }, { "ptrace", XS_CONTAINER_PTRACE, false },
	{ "xsave", XS_CONTAINER_XSAVE, false }, { "sigframe", XS_CONTAINER_SIGFRAME, false },
	{ "kvm", XS_CONTAINER_KVM, false }, { 0 }
};

static const struct cli_value buf_formats[] = {
	{ "standard", XS_BUF_STANDARD, false }, { "compacted", XS_BUF_COMPACTED, false }, { 0 }
};

#define FROM_AND_TO "--from and --to CPU models are required"

static const struct cli_opt options[] = {
	{ .name = "from", .store = cli_string, F(from), .arg = "F", .required = FROM_AND_TO },
	{ .name = "to", .store = cli_string, F(to), .arg = "F", .required = FROM_AND_TO },
	{ .name = "force", .store = cli_true, F(force) },
	{ .name = "kind", .store = cli_enum, F(kind), .values = kinds, .arg = "K" },
	{ .name = "output-format", .store = cli_enum, F(out_fmt), .values = buf_formats,
	  .arg = "standard|compacted" },
	{ CLI_FORMAT(struct convert_args, fmt, cli_text_json), .arg = "text|json" },
	{ .name = "cet-s", .store = cli_policy, F(opts.cet_s), .arg = "POLICY" },
	{ 0 }
};

static void init(void *args)
{
	struct convert_args *a = args;

	xs_options_init(&a->opts);
	a->kind = KIND_AUTO;
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
		json_object_set_new(o, "missing", xfeature_index_json(r->missing));
		json_object_set_new(o, "dropped", xfeature_index_json(r->dropped));
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
	fprintf(f, "  in use on A:   %s\n", xfeature_list(r->in_use, b1, sizeof(b1)));
	fprintf(f, "  missing on B:  %s\n", xfeature_list(r->missing, b2, sizeof(b2)));
	if (r->dropped)
		fprintf(f, "  dropped:       %s\n", xfeature_list(r->dropped, b1, sizeof(b1)));
	if (r->resized)
		fprintf(f, "  resized:       %s\n", xfeature_list(r->resized, b1, sizeof(b1)));
	if (r->moved)
		fprintf(f, "  moved (std):   %s\n", xfeature_list(r->moved, b1, sizeof(b1)));
	fprintf(f, "  sizes:         %u bytes on A, %u on B\n", r->size_a, r->size_b);
	fprintf(f, "  XCR0:          %s on A, %s on B\n", cli_hex(r->xcr0_a, h1), cli_hex(r->xcr0_b, h2));
	fprintf(f, "  IA32_XSS:      %s on A, %s on B\n", cli_hex(r->xss_a, h1), cli_hex(r->xss_b, h2));
	for (unsigned i = 0; i < r->nnotes; i++)
		fprintf(f, "  note: %s\n", r->notes[i]);
	if (done)
		fprintf(f, "  written:       %s\n", cli_is_stdin(out) ? "standard output" : out);
}

static int run(void *args, int argc, char **argv)
{
	const struct convert_args *a = args;
	const char *in_path = argv[0], *out_path = argv[1];
	enum xs_container kind = (enum xs_container)a->kind;
	struct xs_compat_report rep;
	struct xs_diag d = { 0 };
	xs_system *sa = NULL, *sb = NULL;
	uint8_t *in = NULL, *out = NULL;
	size_t len = 0, need = 0;
	int ret;

	(void)argc;
	if ((ret = cli_read_file(in_path, "an XSAVE buffer file", 16u << 20, &in, &len)) ||
	    (ret = cli_load_system(&sa, a->from, 0, &a->opts)) || (ret = cli_load_system(&sb, a->to, 0, &a->opts)))
		goto out;
	if (a->kind == KIND_AUTO)
		kind = xs_container_detect(sa, in, len);
	ret = xs_convert_container(sa, in, len, sb, kind, a->out_fmt, a->force, NULL, 0, &need, &rep, &d);
	if (ret == -ENOSPC) {
		out = malloc(need);
		ret = out ? xs_convert_container(sa, in, len, sb, kind, a->out_fmt, a->force, out, need, &need, &rep,
						 &d)
			  : -ENOMEM;
	}
	if (ret == -EINVAL) {
		ret = cli_error("%s: %s", in_path, d.msg);
		goto out;
	}
	if (ret && ret != -EOPNOTSUPP) {
		ret = cli_error("convert: %s", strerror(-ret));
		goto out;
	}
	/* OUT is written only when the conversion is complete */
	if (!ret && (ret = cli_write_file(out_path, out, need)))
		goto out;
	print_report(cli_is_stdin(out_path) ? stderr : stdout, &rep, !ret, out_path, kind, a->fmt);
	if (ret)
		ret = XS_EXIT_FALSE;
out:
	free(in);
	free(out);
	xs_system_free(sa);
	xs_system_free(sb);
	return ret;
}

const struct cli_command cli_cmd_convert = {
	.name = "convert", .summary = "rewrite an XSAVE buffer from one CPU's layout to another's",
	.opts = options, .args_size = sizeof(struct convert_args), .init = init, .run = run,
	.operands = "IN OUT", .min_operands = 2, .max_operands = 2,
	.operands_error = "expected IN and OUT files (see xstate convert --help)",
	.about = "Rewrite the XSAVE buffer IN, saved on CPU F (--from: a CPUID dump or 'live'),\n"
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
		 "or a KVM buffer stays one, anything else is ptrace.\n",
};
