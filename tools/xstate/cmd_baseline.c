// SPDX-License-Identifier: MIT
/*
 * xstate baseline: what every host of a pool accepts, the CPU to show
 * guests, and the settings that make a VMM (QEMU, libvirt, Firecracker)
 * or rr show it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_emit.h"

struct baseline_args {
	enum xs_compat_kind kind;
	bool kind_given, format_given, kernel_given;
	enum xs_out_format fmt;
	enum emit_vmm vmm;
	const char *model;
	struct xs_options host_opts, guest_opts;
};

#define F(member) CLI_FIELD(struct baseline_args, member)
#define GIVEN(member) CLI_GIVEN(struct baseline_args, member)

static const struct cli_value formats[] = {
	{ "text", OUT_TEXT, false }, { "json", OUT_JSON, false }, { "plain", OUT_PLAIN, false },
	{ "dmesg", OUT_DMESG, false }, { 0 }
};

static const struct cli_value vmms[] = {
	{ "qemu", EMIT_QEMU, false }, { "libvirt", EMIT_LIBVIRT, false },
	{ "firecracker", EMIT_FIRECRACKER, false }, { "rr", EMIT_RR, false }, { 0 }
};

/* A QEMU / libvirt model name: it goes into -cpu's comma list and into XML. */
static int store_model(const struct cli_opt *o, const char *s, void *field)
{
	size_t len = strlen(s);

	(void)o;
	if (!len || len > 64 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != len)
		return cli_error("--model: '%s' is not a CPU model name (1 to 64 letters, digits, '.', '_', '-')", s);
	*(const char **)field = s;
	return 0;
}

static const struct cli_opt options[] = {
	{ CLI_COMPAT_KIND(struct baseline_args, kind), GIVEN(kind_given), .arg = "task|vcpu", .meta = "K",
	  .help = "vcpu (default: what KVM offers guests) or task (a process)" },
	{ .name = "disable", .store = cli_cpu_features, F(host_opts.clear_features), .arg = "FEATURE,...",
	  .meta = "LIST", .help = "clear CPU features on every host, like clearcpuid=" },
	{ CLI_FORMAT(struct baseline_args, fmt, formats), GIVEN(format_given), .arg = "text|json|plain|dmesg",
	  .meta = "F",
	  .help = "text (default) or json: the baseline; plain: the levelled\n"
		  "guest CPUID as a plain dump; dmesg: the x86/fpu boot lines\n"
		  "of a guest on it (--kernel V: the guest's release)" },
	{ .name = "kernel", .store = cli_kernel, F(guest_opts.kernel), GIVEN(kernel_given), .arg = "V" },
	{ .name = "emit", .store = cli_enum, F(vmm), .values = vmms, .noun = "VMM",
	  .arg = "qemu|libvirt|firecracker|rr", .meta = "VMM",
	  .help = "the pool in a VMM's own settings: qemu (the -cpu value),\n"
		  "libvirt (the <cpu> element), firecracker (a custom CPU\n"
		  "template), rr (rr record options; processes, --kind task)" },
	{ .name = "model", .store = store_model, F(model), .arg = "NAME",
	  .help = "the named CPU model under --emit qemu|libvirt (default " EMIT_DEFAULT_MODEL ")" },
	{ 0 }
};

static void init(void *args)
{
	struct baseline_args *a = args;

	a->kind = XS_COMPAT_VCPU;
	xs_options_init(&a->host_opts);
	xs_options_init(&a->guest_opts);
}

static const char *vmm_name(enum emit_vmm vmm)
{
	for (const struct cli_value *v = vmms; v->name; v++)
		if (v->value == (int)vmm)
			return v->name;
	return "?";
}

/* Options that cannot go together, each with what it is for. */
static int check_combination(void *args)
{
	struct baseline_args *a = args;

	if (a->vmm && a->format_given)
		return cli_error("baseline: --emit %s prints that VMM's own settings; --format does not apply", vmm_name(a->vmm));
	if (a->kernel_given && (a->vmm || a->fmt != OUT_DMESG))
		return cli_error("baseline: --kernel is the guest's release for --format dmesg");
	if (a->model && a->vmm != EMIT_QEMU && a->vmm != EMIT_LIBVIRT)
		return cli_error("baseline: --model names QEMU's or libvirt's CPU model; it needs --emit qemu or --emit libvirt");
	if (a->vmm == EMIT_RR) {
		if (a->kind_given && a->kind != XS_COMPAT_TASK)
			return cli_error("baseline: --emit rr levels processes (rr records tasks); --kind vcpu does not apply");
		a->kind = XS_COMPAT_TASK;
	} else if (a->vmm && a->kind == XS_COMPAT_TASK) {
		return cli_error("baseline: --emit %s levels vCPUs; --kind task does not apply", vmm_name(a->vmm));
	}
	return 0;
}

static void print_text(const xs_baseline *bl, char **names, unsigned n)
{
	const struct xs_baseline_info *bi = xs_baseline_info(bl);
	char buf[256], h1[24], h2[24];
	struct xs_cpuid_leaf l;

	printf("baseline of %u hosts: XCR0 %s (%s), IA32_XSS %s\n", n, cli_hex(bi->xcr0, h1),
	       xfeature_list(bi->xcr0, buf, sizeof(buf)), cli_hex(bi->xss, h2));
	printf("sizes: standard %u bytes, compacted %u bytes\n", bi->standard_size, bi->compacted_size);
	if (bi->no_xsave) {
		printf("left out: %-16s limited by:", "XSAVE itself");
		for (unsigned i = 0; i < n; i++)
			if (bi->no_xsave & XS_BIT(i))
				printf(" %s", names[i]);
		printf("\n");
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(bi->dropped & XS_BIT(nr)))
			continue;
		printf("left out: %-16s limited by:", xs_xfeature_info(nr)->short_name);
		for (unsigned i = 0; i < n; i++)
			if (xs_baseline_limiting(bl, nr) & XS_BIT(i))
				printf(" %s", names[i]);
		printf("\n");
	}
	if (bi->no_xsave) {
		printf("\nCPUID leaf 0xD for guests: none (no XSAVE)\n");
		return;
	}
	printf("\nCPUID leaf 0xD for guests (leaf subleaf eax ebx ecx edx):\n");
	for (unsigned i = 0; xs_baseline_leaf_d(bl, i, &l); i++)
		if (i < 2 || l.eax)
			printf("%08x %x %08x %08x %08x %08x\n", 0xd, i, l.eax, l.ebx, l.ecx, l.edx);
}

static json_t *host_names(uint64_t hosts, char **names, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		if (hosts & XS_BIT(i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *to_json(const xs_baseline *bl, char **names, unsigned n)
{
	const struct xs_baseline_info *bi = xs_baseline_info(bl);
	json_t *o = json_object(), *left = xfeature_index_json(bi->dropped & (XS_BIT(XS_XFEATURE_MAX) - 1)), *leaves = json_array(), *d;
	struct xs_cpuid_leaf l;
	size_t k;

	json_object_set_new(o, "xcr0", json_hex(bi->xcr0));
	json_object_set_new(o, "xss", json_hex(bi->xss));
	json_object_set_new(o, "standard_size", json_integer(bi->standard_size));
	json_object_set_new(o, "compacted_size", json_integer(bi->compacted_size));
	json_object_set_new(o, "no_xsave", host_names(bi->no_xsave, names, n));
	json_array_foreach(left, k, d)
		json_object_set_new(d, "limited_by",
				    host_names(xs_baseline_limiting(bl, (unsigned)json_integer_value(json_object_get(d, "index"))),
					       names, n));
	json_object_set_new(o, "dropped", left);
	for (unsigned i = 0; !bi->no_xsave && xs_baseline_leaf_d(bl, i, &l); i++) {
		json_t *j;

		if (i >= 2 && !l.eax)
			continue;
		j = json_object();
		json_object_set_new(j, "subleaf", json_integer(i));
		json_object_set_new(j, "eax", json_hex(l.eax));
		json_object_set_new(j, "ebx", json_hex(l.ebx));
		json_object_set_new(j, "ecx", json_hex(l.ecx));
		json_object_set_new(j, "edx", json_hex(l.edx));
		json_array_append_new(leaves, j);
	}
	json_object_set_new(o, "cpuid_0xd", leaves);
	return o;
}

static int print_plain(const xs_cpu *cpu)
{
	size_t len = xs_cpu_dump(cpu, XS_DUMP_PLAIN, NULL, 0) + 1;
	char *buf = malloc(len);

	if (!buf)
		return cli_error("out of memory");
	xs_cpu_dump(cpu, XS_DUMP_PLAIN, buf, len);
	fputs(buf, stdout);
	free(buf);
	return 0;
}

/* What a guest of release opts->kernel prints about its FPU on the levelled CPU. */
static int print_dmesg(const xs_cpu *cpu, const struct xs_options *opts)
{
	xs_system *guest;
	int ret = xs_system_new(&guest, cpu, opts);

	if (ret == -ENOMEM)
		return cli_error("out of memory");
	if (ret)
		return cli_error("baseline: unsupported option combination for the guest kernel");
	if (xs_system_info(guest)->halted)
		ret = cli_error("baseline: a guest cannot boot on the levelled CPU: %s",
				xs_system_info(guest)->halt_reason);
	else
		fputs(xs_system_log(guest), stdout);
	xs_system_free(guest);
	return ret;
}

static int emit(const struct baseline_args *a, const struct emit_pool *p)
{
	switch (a->vmm) {
	case EMIT_QEMU: return emit_qemu(p);
	case EMIT_LIBVIRT: return emit_libvirt(p);
	case EMIT_FIRECRACKER: return emit_firecracker(p);
	case EMIT_RR: return emit_rr(p);
	default: return XS_EXIT_USAGE;
	}
}

static int report(const struct baseline_args *a, const xs_system *const *hosts, char **names, unsigned n,
		  const xs_baseline *bl)
{
	struct emit_pool pool = { hosts, names, n, bl, NULL, a->model ? a->model : EMIT_DEFAULT_MODEL };
	xs_cpu *cpu;
	int ret;

	if (!a->vmm && a->fmt == OUT_JSON)
		return cli_print_json(to_json(bl, names, n));
	if (!a->vmm && a->fmt == OUT_TEXT) {
		print_text(bl, names, n);
		return 0;
	}
	cpu = xs_cpu_new();
	if (!cpu)
		return cli_error("out of memory");
	xs_baseline_cpu(hosts, n, bl, cpu);	/* hosts are booted and 1..64: cannot fail */
	pool.cpu = cpu;
	if (a->vmm)
		ret = emit(a, &pool);
	else if (a->fmt == OUT_PLAIN)
		ret = print_plain(cpu);
	else
		ret = print_dmesg(cpu, &a->guest_opts);
	xs_cpu_free(cpu);
	return ret;
}

static int run(void *args, int argc, char **argv)
{
	const struct baseline_args *a = args;
	xs_system **hosts = NULL;
	xs_baseline *bl = NULL;
	unsigned n = 0;
	int ret;

	if ((ret = cli_expand_dirs(&argc, &argv, 0, 64)))	/* a directory: its dumps */
		return ret;
	hosts = calloc((size_t)argc, sizeof(*hosts));
	if (!hosts)
		return cli_error("out of memory");
	for (; !ret && (int)n < argc; n++)
		ret = cli_load_system(&hosts[n], argv[n], 0, &a->host_opts);
	if (!ret && (ret = xs_baseline_new(&bl, (const xs_system *const *)hosts, n, a->kind)))
		ret = cli_error(ret == -ENOMEM ? "out of memory" : "baseline: no hosts");
	if (!ret)
		ret = report(a, (const xs_system *const *)hosts, argv, n, bl);
	xs_baseline_free(bl);
	while (n)
		xs_system_free(hosts[--n]);
	free(hosts);
	return ret;
}

const struct cli_command cli_cmd_baseline = {
	.name = "baseline", .summary = "the state every host of a pool accepts; the guest CPU and VMM settings",
	.opts = options, .args_size = sizeof(struct baseline_args), .init = init, .run = run,
	.check = check_combination,
	.operands = "HOST...", .min_operands = 1, .max_operands = 64,
	.operands_error = "expected 1 to 64 hosts (CPUID dumps or 'live')",
	.list_width = 18,
	.about = "For a pool of hosts (CPUID dumps or 'live'), the largest set of state\n"
		 "components every host accepts with the same layout, the hosts that limit\n"
		 "each component left out, and the CPU a VMM should show its guests so\n"
		 "their vCPUs can move anywhere in the pool. A HOST '-' is standard input,\n"
		 "a directory every CPUID dump in it.\n",
	.footer = "\nExit status 0; 1 when --emit rr cannot make traces portable (a host's XCR0\n"
		  "differs: stderr says which clearcpuid= fixes it); 2 bad input.\n",
};
