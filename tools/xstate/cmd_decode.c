// SPDX-License-Identifier: MIT
/* xstate decode: an XSAVE buffer or a core file's extended state, as registers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "decode.h"

struct decode_args {
	const char *file;
	struct cli_model m;
	enum decode_kind kind;
	enum xs_out_format fmt;
};

static int store_kind(const struct cli_opt *o, const char *arg, void *field)
{
	(void)o;
	if (decode_kind_parse(arg, field))
		return cli_error("--kind: expected xsave, xsavec, ptrace, sigframe, kvm or core, got '%s'", arg);
	return 0;
}

static const struct cli_opt options[] = {
	{ .name = "kind", .store = store_kind, CLI_FIELD(struct decode_args, kind),
	  .arg = "xsave|xsavec|ptrace|sigframe|kvm|core", .meta = "K",
	  .help = "what FILE is: xsave (standard format), xsavec (compacted),\n"
		  "ptrace (NT_X86_XSTATE, shows the XCR0 word at 464),\n"
		  "sigframe (signal-frame fpstate, shows fx_sw_bytes and MAGIC2),\n"
		  "kvm (KVM_GET_XSAVE), core (an ELF core file). Default: a core\n"
		  "when FILE starts with an ELF core header, else the format\n"
		  "XCOMP_BV bit 63 says." },
	{ CLI_MODEL_CPUID(struct decode_args, m), .arg = "F",
	  .help = "the CPU that wrote FILE, for the component offsets (a CPUID\n"
		  "dump, '-' or 'live', the default); a core's NT_X86_XSAVE_LAYOUT\n"
		  "note (Linux >= 6.12) takes precedence and needs no CPU model" },
	{ CLI_MODEL_CPU(struct decode_args, m), .arg = "N", .help = "CPU N of a multi-CPU dump" },
	{ CLI_FORMAT(struct decode_args, fmt, cli_text_json), .arg = "text|json", .meta = "F",
	  .help = "text (default) or json (stable keys; tile data as hex)" },
	{ 0 }
};

#define BUFFER_MAX (16u << 20)	/* far above any XSAVE buffer (AMX: 11 KiB) */
#define WHAT "an XSAVE buffer or an ELF core file"

/* The CPU model that lays the buffers out, loaded into *sys. */
static int load_system(xs_system **sys, const struct decode_args *a)
{
	return cli_load_system(sys, a->m.cpuid, a->m.cpu, NULL);
}

/* A core: the CPU model is loaded only when the core has no layout note or --cpuid names one. */
static int core_doc(xs_system **sys, const struct decode_args *a, int fd, unsigned flags, json_t **doc)
{
	const struct xs_xfeat_component *recs;
	struct xs_diag d = { 0 };
	bool need_cpu;
	xs_core *core;
	int ret = xs_core_open_fd(&core, fd, &d);

	if (ret)
		return cli_error("%s: %s", a->file, d.msg);
	xs_core_layout(core, &recs);
	need_cpu = !recs || a->m.cpuid;
	if (need_cpu && (ret = load_system(sys, a))) {
		xs_core_close(core);
		return ret;
	}
	ret = decode_core_doc(need_cpu ? *sys : NULL, core, flags, doc, &d);
	xs_core_close(core);
	return ret ? cli_error("%s: %s", a->file, d.msg) : 0;
}

static int buffer_doc(xs_system **sys, const struct decode_args *a, int fd, unsigned flags, json_t **doc)
{
	struct xs_buffer_view *view = xs_buffer_view_new();
	struct xs_diag d = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = view ? cli_read_fd(fd, a->file, WHAT, BUFFER_MAX, &buf, &len) : cli_error("out of memory");

	if (!ret && !(ret = load_system(sys, a))) {
		if (decode_view(*sys, a->kind, buf, len, view, &d))
			ret = cli_error("%s: %s", a->file, d.msg);
		else
			*doc = decode_buffer(buf, len, a->kind, view, flags);
	}
	free(buf);
	xs_buffer_view_free(view);
	return ret;
}

/* What FILE is when --kind does not say: an ELF file is read as a core. */
static enum decode_kind detect(int fd, enum decode_kind kind)
{
	uint8_t head[64];
	ssize_t n = kind == DECODE_AUTO ? pread(fd, head, sizeof(head), 0) : -1;

	return n >= 4 && !memcmp(head, "\177ELF", 4) ? DECODE_CORE : kind;
}

static int run(void *args, int argc, char **argv)
{
	struct decode_args *a = args;
	xs_system *sys = NULL;
	json_t *doc = NULL;
	unsigned flags;
	int fd = -1, ret;

	(void)argc;
	a->file = argv[0];
	if ((ret = cli_open_file(a->file, WHAT, &fd)))
		goto out;
	a->kind = detect(fd, a->kind);
	flags = a->fmt == OUT_JSON ? DECODE_TILE_BYTES : 0;
	ret = a->kind == DECODE_CORE ? core_doc(&sys, a, fd, flags, &doc) : buffer_doc(&sys, a, fd, flags, &doc);
	if (!ret && decode_render(stdout, doc, a->fmt == OUT_JSON))
		ret = cli_error("decode: cannot write the output");
out:
	if (fd >= 0)
		close(fd);
	json_decref(doc);
	xs_system_free(sys);
	return ret;
}

const struct cli_command cli_cmd_decode = {
	.name = "decode", .summary = "show the registers in an XSAVE buffer or a core file's xstate notes",
	.opts = options, .args_size = sizeof(struct decode_args), .run = run,
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
	.operands_error = "expected exactly one FILE (see xstate decode --help)",
	.list_width = 15,
	.about = "Show what an XSAVE buffer holds: the header (XSTATE_BV, XCOMP_BV) and the\n"
		 "registers of every component it marks present (x87 with tags and decimal\n"
		 "values, MXCSR, XMM/YMM/ZMM, opmasks, MPX, PKRU, CET, AMX tiles, APX, ...).\n"
		 "FILE '-' is standard input. An ELF core file (gcore, a kernel core dump) is\n"
		 "recognised by its header: every thread's NT_X86_XSTATE note is decoded,\n"
		 "reading only the core's headers and notes, whatever its size.\n",
	.footer = "Exit status: 0 decoded, 2 bad input.\n",
};
