// SPDX-License-Identifier: MIT
/* xstate decode: an XSAVE buffer or a core file's extended state, as registers. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decode.h"

static void decode_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate decode FILE [--cpuid F] [--cpu N]\n"
		"                     [--kind xsave|xsavec|ptrace|sigframe|kvm|core] [--format text|json]\n\n"
		"Show what an XSAVE buffer holds: the header (XSTATE_BV, XCOMP_BV) and the\n"
		"registers of every component it marks present (x87 with tags and decimal\n"
		"values, MXCSR, XMM/YMM/ZMM, opmasks, MPX, PKRU, CET, AMX tiles, APX, ...).\n\n"
		"  --kind K     what FILE is: xsave (standard format), xsavec (compacted),\n"
		"               ptrace (NT_X86_XSTATE, shows the XCR0 word at 464),\n"
		"               sigframe (signal-frame fpstate, shows fx_sw_bytes and MAGIC2),\n"
		"               kvm (KVM_GET_XSAVE), core (an ELF core file: every thread's\n"
		"               NT_X86_XSTATE note). Default: the format XCOMP_BV bit 63 says.\n"
		"  --cpuid F    the CPU that wrote FILE, for the component offsets (a CPUID\n"
		"               dump or 'live', the default); a core's NT_X86_XSAVE_LAYOUT\n"
		"               note takes precedence\n"
		"  --cpu N      CPU N of a multi-CPU dump\n"
		"  --format F   text (default) or json (stable keys; tile data as hex)\n"
		"Exit status: 0 decoded, 2 bad input.\n");
}

struct decode_args {
	const char *file;
	struct cli_model m;
	enum decode_kind kind;
	enum xs_out_format fmt;
};

static int parse_kind(const char *s, enum decode_kind *kind)
{
	if (decode_kind_parse(s, kind))
		return cli_error("--kind: expected xsave, xsavec, ptrace, sigframe, kvm or core, got '%s'", s);
	return 0;
}

static int parse_args(int argc, char **argv, struct decode_args *a)
{
	static const struct option longopts[] = {
		CLI_OPT_CPUID, CLI_OPT_CPU,
		{ "kind", required_argument, NULL, 'K' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int c, ret;

	cli_model_init(&a->m);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case 'K': ret = parse_kind(optarg, &a->kind); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &a->fmt); break;
		case 'h': decode_usage(stdout); return -1;
		default:
			if (!cli_model_option(c, optarg, &a->m, &ret))
				return decode_usage(stderr), XS_EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (optind != argc - 1)
		return cli_error("decode: expected exactly one FILE (see xstate decode --help)");
	a->file = argv[optind];
	return 0;
}

/* The document for FILE's bytes, or a message and XS_EXIT_USAGE. */
static int build_doc(const xs_system *sys, const struct decode_args *a, const uint8_t *buf, size_t len,
		     json_t **doc)
{
	unsigned flags = a->fmt == OUT_JSON ? DECODE_TILE_BYTES : 0;
	struct xs_buffer_view view;
	struct xs_diag d = { 0 };

	if (a->kind == DECODE_CORE) {
		if (decode_core(sys, buf, len, flags, doc, &d))
			return cli_error("%s: %s", a->file, d.msg);
		return 0;
	}
	if (decode_view(sys, a->kind, buf, len, &view, &d))
		return cli_error("%s: %s", a->file, d.msg);
	*doc = decode_buffer(buf, len, a->kind, &view, flags);
	return 0;
}

int cmd_decode(int argc, char **argv)
{
	struct decode_args a = { 0 };
	xs_system *sys = malloc(sizeof(*sys));
	json_t *doc = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (!sys) {
		ret = cli_error("out of memory");
		goto out;
	}
	ret = parse_args(argc, argv, &a);
	if (ret) {
		ret = ret < 0 ? XS_EXIT_OK : ret;
		goto out;
	}
	if ((ret = cli_read_file(a.file, &buf, &len)) || (ret = cli_load_system(sys, a.m.cpuid, a.m.cpu, NULL)) ||
	    (ret = build_doc(sys, &a, buf, len, &doc)))
		goto out;
	if (decode_render(stdout, doc, a.fmt == OUT_JSON))
		ret = cli_error("decode: cannot write the output");
out:
	json_decref(doc);
	free(buf);
	free(sys);
	return ret;
}
