// SPDX-License-Identifier: MIT
/* xstate info: what Linux does with a CPU's XSAVE state at boot. */
#include <errno.h>
#include <string.h>

#include "cli.h"

struct info_args {
	struct cli_model m;
	enum xs_out_format fmt;
};

static const struct cli_value formats[] = {
	{ "text", OUT_TEXT, false }, { "json", OUT_JSON, false }, { "dmesg", OUT_DMESG, false },
	{ "csv", OUT_CSV, false }, { "svg", OUT_SVG, false }, { 0 }
};

static const struct cli_opt options[] = {
	{ CLI_MODEL_CPUID(struct info_args, m), .arg = "FILE|DIR|-", .meta = "FILE",
	  .help = "CPUID dump (cpuid -r, InstLatx64 or plain); 'live' or\n"
		  "absent: this machine's CPU; '-': standard input; a\n"
		  "directory: every dump in it, one record each (--format\n"
		  "json or csv), bad files reported and skipped (exit 1 at\n"
		  "the end), no dumps at all an error (exit 2)" },
	{ CLI_MODEL_CPU(struct info_args, m), .arg = "N", .help = "CPU N of a multi-CPU dump (default 0)" },
	{ CLI_FORMAT(struct info_args, fmt, formats), .arg = "text|dmesg|json|csv|svg", .meta = "F",
	  .help = "text (default): a table; dmesg: the kernel's x86/fpu boot\n"
		  "lines; json: stable keys for other tools; csv: one row per\n"
		  "dump of a directory; svg: a drawing of the buffer layouts,\n"
		  "standard and compacted side by side, to scale" },
	{ CLI_MODEL_KERNEL(struct info_args, m), .arg = "6.18", .meta = "V",
	  .help = "the Linux release modelled: 5.10 .. 6.18, a stable release\n"
		  "(6.18.34) or what `uname -r` prints; default 6.18" },
	{ CLI_MODEL_DISABLE(struct info_args, m), .arg = "FEATURE,...", .meta = "LIST",
	  .help = "clear CPU features like clearcpuid= (dependent features\n"
		  "go too), e.g. --disable xsaves,avx512f" },
	{ CLI_MODEL_CET_S(struct info_args, m), .arg = "off|guest-only|all", .meta = "POLICY",
	  .help = "CET supervisor state: guest-only (Linux >= 6.18, default),\n"
		  "off (no CET-S), all (in every task)" },
	{ CLI_MODEL_CMDLINE(struct info_args, m), .arg = "'KERNEL COMMAND LINE'", .meta = "TEXT",
	  .help = "a kernel command line, read as --kernel's release reads it:\n"
		  "noxsave, noxsaveopt, noxsaves, nopku, clearcpuid= (bit\n"
		  "numbers; /proc/cpuinfo names from 5.19), e.g.\n"
		  "--cmdline 'clearcpuid=avx512f nopku'" },
	{ 0 }
};

static void init(void *args)
{
	struct info_args *a = args;

	cli_model_init(&a->m);
}

static const char *source_name(const xs_cpu *cpu, const char *path)
{
	static const char *const names[] = { "?", "live CPU", "cpuid -r dump", "InstLatx64 dump",
					      "plain dump" };

	(void)path;
	enum xs_cpu_source src = xs_cpu_source(cpu);

	return names[src <= XS_CPU_SRC_PLAIN ? src : 0];
}

static void print_size(const char *what, unsigned v)
{
	printf("  %-34s %6u bytes\n", what, v);
}

static void print_component_row(const xs_system *sys, unsigned i)
{
	const struct xs_xfeature_info *x = xs_xfeature_info(i);
	const struct xs_system_info *info = xs_system_info(sys);
	const struct xs_fpu_state_config *k = &info->kernel;
	struct xs_component_info c;
	char why[160];
	bool kept = xs_xfeature_status(sys, i, why, sizeof(why));
	char std[16] = "-", cmp[16] = "-";

	if (!kept) {
		printf("%3u  %-16s %-10s  dropped: %s\n", i, x->short_name,
		       x->supervisor ? "supervisor" : "user", why);
		return;
	}
	xs_system_component(sys, i, &c);
	if (c.offset != UINT32_MAX)
		snprintf(std, sizeof(std), "%u", c.offset);
	if (info->compacted)
		snprintf(cmp, sizeof(cmp), "%u", c.comp_offset);
	printf("%3u  %-16s %-10s %7s %7s %6u  %-5s  %-4s %-5s %s\n", i, x->short_name,
	       x->supervisor ? "supervisor" : "user", std, cmp, c.size,
	       xs_xfeature_is_aligned64(sys, i) ? "yes" : "no",
	       k->default_features & XS_BIT(i) ? "yes" : "-",
	       k->guest_default_features & XS_BIT(i) ? "yes" : "-",
	       info->user.max_features & XS_BIT(i) ? "yes" : "-");
}

/*
 * The microarchitecture traits of the CPU's row (xs_traits_row/_value: from
 * the table alone, never measured here), grouped by provenance, one line each.
 */
static void print_traits(const xs_cpu *cpu)
{
	printf("\nTraits (%s):\n", xs_traits_row(cpu));
	for (unsigned p = XS_PROVENANCE_MEASURED; p <= XS_PROVENANCE_ASSUMED; p++) {
		int col = 0;

		for (unsigned i = 0; i < XS_TRAIT_COUNT; i++) {
			struct xs_trait_value v;
			char item[64];

			xs_traits_value(cpu, (enum xs_trait)i, &v);
			if (v.provenance != p)
				continue;
			snprintf(item, sizeof(item), i == XS_TRAIT_MXCSR_MASK ? "%s 0x%llx" : "%s %llu",
				 xs_trait_name((enum xs_trait)i), (unsigned long long)v.value);
			if (!col)
				col = printf("  %-11s%s", xs_provenance_name((enum xs_provenance)p), item);
			else if (col + 2 + (int)strlen(item) > 96)
				col = printf(",\n  %-11s%s", "", item) - 2;
			else
				col += printf(", %s", item);
		}
		if (col)
			putchar('\n');
	}
}

static void print_text(const xs_system *sys, const char *path)
{
	const xs_cpu *cpu = xs_system_cpu(sys);
	const struct xs_options *opts = xs_system_options(sys);
	const struct xs_system_info *info = xs_system_info(sys);
	const struct xs_fpu_state_config *k = &info->kernel, *u = &info->user;
	uint64_t shown = xs_cpu_xfeatures(cpu) | k->max_features | XS_XFEATURE_MASK_FPSSE;
	const char *brand = xs_cpu_brand(cpu);
	char b1[24], b2[24], b3[24], b4[24];

	printf("CPU: %s %s (family 0x%x, model 0x%x, stepping %u), from the %s\n", xs_cpu_vendor(cpu),
	       brand, xs_cpu_family(cpu), xs_cpu_model(cpu), xs_cpu_stepping(cpu), source_name(cpu, path));
	printf("Model: Linux %s, CET-S policy %s\n", xs_kernel_name(opts->kernel, b1, sizeof(b1)),
	       xs_cet_s_policy_name(opts->cet_s));
	if (xs_system_cpu_log(sys)[0])
		printf("Kernel (CPU setup before the FPU):\n%s", xs_system_cpu_log(sys));
	if (info->halted) {
		printf("Boot: %s\n", info->halt_reason);
		return;
	}
	if (!info->xsave) {
		printf("XSAVE: %s; the FPU state is a %u-byte %s image\n",
		       info->disabled ? "disabled" : "not used", info->legacy_size,
		       info->fxsr ? "FXSAVE" : "FSAVE");
	} else {
		printf("XSAVE: %s format (%s), XCR0 %s, IA32_XSS %s\n\n",
		       info->compacted ? "compacted" : "standard",
		       info->xsaves ? "XSAVES" : info->compacted ? "XSAVEC" : "XSAVE",
		       cli_hex(info->xcr0, b1), cli_hex(info->xss, b2));
		printf("idx  name             kind       std.off cmp.off   size  align  host guest user\n");
		for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
			if (shown & XS_BIT(i))
				print_component_row(sys, i);
		for (unsigned i = XS_XFEATURE_MAX; i < 63; i++)
			if (shown & XS_BIT(i))
				printf("%3u  %-16s %-10s  dropped: not known to Linux\n", i, "-", "-");
	}
	printf("\nKernel features: max %s, default %s, guest_default %s, independent %s\n",
	       cli_hex(k->max_features, b1), cli_hex(k->default_features, b2),
	       cli_hex(k->guest_default_features, b3), cli_hex(k->independent_features, b4));
	printf("User features:   max %s, default %s\n\n", cli_hex(u->max_features, b1),
	       cli_hex(u->default_features, b2));
	printf("Sizes:\n");
	print_size("kernel max_size", k->max_size);
	print_size("kernel default_size (host tasks)", k->default_size);
	print_size("kernel guest_default_size (vCPUs)", k->guest_default_size);
	print_size("user max_size (ptrace, sigframe)", u->max_size);
	print_size("user default_size", u->default_size);
	print_size("AT_MINSIGSTKSZ (max sigframe)", info->max_sigframe_size);
	print_traits(cpu);
	for (unsigned i = 0; i < xs_system_nnotes(sys); i++)
		printf("%s%s\n", i ? "      " : "\nNote: ", xs_system_note(sys, i));
}

/* "traits": the row's value, provenance and source of every trait. */
static json_t *traits_json(const xs_cpu *cpu)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < XS_TRAIT_COUNT; i++) {
		json_t *o = json_object();
		struct xs_trait_value v;

		xs_traits_value(cpu, (enum xs_trait)i, &v);
		json_object_set_new(o, "name", json_string(xs_trait_name((enum xs_trait)i)));
		json_object_set_new(o, "value", json_integer((json_int_t)v.value));
		json_object_set_new(o, "provenance", json_string(xs_provenance_name(v.provenance)));
		json_object_set_new(o, "source", json_string(v.source));
		json_object_set_new(o, "row", json_string(xs_traits_row(cpu)));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *feature_json(const xs_system *sys, unsigned i)
{
	const struct xs_xfeature_info *x = xs_xfeature_info(i);
	const struct xs_system_info *info = xs_system_info(sys);
	json_t *o = json_object();
	struct xs_component_info c;

	xs_system_component(sys, i, &c);

	json_object_set_new(o, "index", json_integer(i));
	json_object_set_new(o, "name", json_string(x->short_name));
	json_object_set_new(o, "kernel_name", json_string(x->kernel_name));
	json_object_set_new(o, "description", json_string(x->description));
	json_object_set_new(o, "supervisor", json_boolean(x->supervisor));
	json_object_set_new(o, "offset_standard", c.offset == UINT32_MAX ? json_null() : json_integer(c.offset));
	json_object_set_new(o, "offset_compacted", info->compacted ? json_integer(c.comp_offset) : json_null());
	json_object_set_new(o, "size", json_integer(c.size));
	json_object_set_new(o, "aligned", json_boolean(xs_xfeature_is_aligned64(sys, i)));
	json_object_set_new(o, "in_default", json_boolean(info->kernel.default_features & XS_BIT(i)));
	json_object_set_new(o, "in_guest_default",
			    json_boolean(info->kernel.guest_default_features & XS_BIT(i)));
	json_object_set_new(o, "in_user", json_boolean(info->user.max_features & XS_BIT(i)));
	return o;
}

json_t *info_json(const xs_system *sys);

static const char *format_name(enum xs_format f)
{
	return f == XS_FORMAT_COMPACTED ? "compacted" : f == XS_FORMAT_STANDARD ? "standard" : "legacy";
}

json_t *info_json(const xs_system *sys)
{
	const xs_cpu *c = xs_system_cpu(sys);
	const struct xs_options *opts = xs_system_options(sys);
	const struct xs_system_info *info = xs_system_info(sys);
	const struct xs_fpu_state_config *k = &info->kernel, *u = &info->user;
	json_t *root = json_object(), *jk = json_object(), *ju = json_object();
	json_t *feats = json_array(), *notes = json_array(), *cpu = json_object();
	char kver[16];

	xs_kernel_name(opts->kernel, kver, sizeof(kver));
	json_object_set_new(cpu, "vendor", json_string(xs_cpu_vendor(c)));
	json_object_set_new(cpu, "brand", json_string(xs_cpu_brand(c)));
	json_object_set_new(cpu, "family", json_integer(xs_cpu_family(c)));
	json_object_set_new(cpu, "model", json_integer(xs_cpu_model(c)));
	json_object_set_new(cpu, "stepping", json_integer(xs_cpu_stepping(c)));
	json_object_set_new(root, "cpu", cpu);
	json_object_set_new(root, "kernel_version", json_string(kver));
	json_object_set_new(root, "cet_s_policy", json_string(xs_cet_s_policy_name(opts->cet_s)));
	json_object_set_new(root, "halted", json_boolean(info->halted));
	if (info->halted)
		json_object_set_new(root, "halt_reason", json_string(info->halt_reason));
	json_object_set_new(root, "xsave", json_boolean(info->xsave));
	json_object_set_new(root, "format", json_string(format_name(info->format)));
	json_object_set_new(root, "xcr0", json_hex(info->xcr0));
	json_object_set_new(root, "xss", json_hex(info->xss));
	json_object_set_new(jk, "max_features", json_hex(k->max_features));
	json_object_set_new(jk, "default_features", json_hex(k->default_features));
	json_object_set_new(jk, "guest_default_features", json_hex(k->guest_default_features));
	json_object_set_new(jk, "independent_features", json_hex(k->independent_features));
	json_object_set_new(jk, "max_size", json_integer(k->max_size));
	json_object_set_new(jk, "default_size", json_integer(k->default_size));
	json_object_set_new(jk, "guest_default_size", json_integer(k->guest_default_size));
	json_object_set_new(root, "kernel", jk);
	json_object_set_new(ju, "max_features", json_hex(u->max_features));
	json_object_set_new(ju, "default_features", json_hex(u->default_features));
	json_object_set_new(ju, "max_size", json_integer(u->max_size));
	json_object_set_new(ju, "default_size", json_integer(u->default_size));
	json_object_set_new(root, "user", ju);
	json_object_set_new(root, "max_sigframe_size", json_integer(info->max_sigframe_size));
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
		if (i <= XS_XFEATURE_SSE ? info->xsave : (k->max_features & XS_BIT(i)))
			json_array_append_new(feats, feature_json(sys, i));
	json_object_set_new(root, "features", feats);
	for (unsigned i = 0; i < xs_system_nnotes(sys); i++)
		json_array_append_new(notes, json_string(xs_system_note(sys, i)));
	json_object_set_new(root, "notes", notes);
	json_object_set_new(root, "traits", traits_json(c));
	json_object_set_new(root, "cpu_messages", json_string(xs_system_cpu_log(sys)));
	return root;
}

/* ---- corpus mode: every dump of a directory -------------------------------- */

static const char *const csv_columns =
	"file,vendor,family,model,stepping,brand,format,kernel_max_features,kernel_default_features,"
	"kernel_guest_default_features,kernel_independent_features,kernel_max_size,kernel_default_size,"
	"kernel_guest_default_size,user_max_features,user_default_features,user_max_size,user_default_size,"
	"xcr0,xss,max_sigframe_size";

static void csv_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_csv_row(const char *file, const xs_system *sys)
{
	const xs_cpu *cpu = xs_system_cpu(sys);
	const struct xs_system_info *info = xs_system_info(sys);
	const struct xs_fpu_state_config *k = &info->kernel, *u = &info->user;

	csv_string(file);
	printf(",%s,%u,%u,%u,", xs_cpu_vendor(cpu), xs_cpu_family(cpu), xs_cpu_model(cpu), xs_cpu_stepping(cpu));
	csv_string(xs_cpu_brand(cpu));
	printf(",%s,0x%llx,0x%llx,0x%llx,0x%llx,%u,%u,%u,0x%llx,0x%llx,%u,%u,0x%llx,0x%llx,%u\n",
	       format_name(info->format),
	       (unsigned long long)k->max_features, (unsigned long long)k->default_features,
	       (unsigned long long)k->guest_default_features, (unsigned long long)k->independent_features,
	       k->max_size, k->default_size, k->guest_default_size, (unsigned long long)u->max_features,
	       (unsigned long long)u->default_features, u->max_size, u->default_size,
	       (unsigned long long)info->xcr0, (unsigned long long)info->xss, info->max_sigframe_size);
}

/* One record; false when the dump is bad (reported on stderr). */
static bool corpus_record(const char *path, const struct info_args *a, json_t *arr, xs_cpu *cpu)
{
	xs_system *sys;
	int ret;

	if (cli_load_cpu(cpu, path, a->m.cpu))
		return false;
	ret = xs_system_new(&sys, cpu, &a->m.opts);
	if (ret) {
		if (ret == -ENOMEM)
			cli_error("%s: out of memory", path);
		else
			cli_error("%s: the options are not modelled", path);
		return false;
	}
	if (arr) {
		json_t *rec = info_json(sys);

		cli_json_set_path(rec, "file", path);
		json_array_append_new(arr, rec);
	} else {
		print_csv_row(path, sys);
	}
	xs_system_free(sys);
	return true;
}

static int info_corpus(const struct info_args *a, xs_cpu *cpu)
{
	char **paths;
	json_t *arr;
	unsigned bad = 0, n;

	if (a->fmt != OUT_JSON && a->fmt != OUT_CSV)
		return cli_error("--cpuid %s is a directory: use --format json or --format csv", a->m.cpuid);
	if (cli_list_dumps(a->m.cpuid, &paths, &n))
		return XS_EXIT_USAGE;
	arr = a->fmt == OUT_JSON ? json_array() : NULL;
	if (!arr)
		printf("%s\n", csv_columns);
	for (unsigned i = 0; i < n; i++)
		if (!corpus_record(paths[i], a, arr, cpu))
			bad++;
	cli_free_paths(paths);
	if (arr)
		cli_print_json(arr);
	if (bad)
		cli_warn("%u bad file%s skipped", bad, bad == 1 ? "" : "s");
	return bad ? XS_EXIT_FALSE : XS_EXIT_OK;
}

/* One CPU: Linux's boot on it, halted or not, in the format asked for. */
static int info_one(const struct info_args *a, const xs_cpu *cpu)
{
	char kname[16];
	xs_system *sys;
	int ret = xs_system_new(&sys, cpu, &a->m.opts);

	if (ret == -ENOMEM)
		return cli_error("out of memory");
	if (ret)
		return cli_error("info: unsupported option combination (kernel %s)",
				 xs_kernel_name(a->m.opts.kernel, kname, sizeof(kname)));
	if (a->fmt == OUT_DMESG)
		fputs(xs_system_log(sys), stdout);
	else if (a->fmt == OUT_SVG)
		ret = info_svg(stdout, sys);
	else if (a->fmt == OUT_JSON)
		ret = cli_print_json(info_json(sys));
	else
		print_text(sys, a->m.cpuid);
	xs_system_free(sys);
	return ret;
}

static int run(void *args, int argc, char **argv)
{
	const struct info_args *a = args;
	struct cli_host h;
	int ret = cli_alloc_host(&h);

	(void)argc;
	(void)argv;
	if (!ret && cli_is_directory(a->m.cpuid))
		ret = info_corpus(a, h.cpu);
	else if (!ret && a->fmt == OUT_CSV)
		ret = cli_error("--format csv is for a directory of dumps (--cpuid DIR)");
	else if (!ret && !(ret = cli_load_cpu(h.cpu, a->m.cpuid, a->m.cpu)))
		ret = info_one(a, h.cpu);
	cli_free_host(&h);
	return ret;
}

const struct cli_command cli_cmd_info = {
	.name = "info", .summary = "what Linux enables on a CPU: components, offsets, sizes, boot lines",
	.opts = options, .args_size = sizeof(struct info_args), .init = init, .run = run,
	.list_width = 18,
	.about = "Model Linux's xstate initialisation (fpu__init_system_xstate) for a CPU:\n"
		 "which state components it enables, their offsets and sizes, the kernel's\n"
		 "host and guest defaults and the user ABI sizes.\n",
};
