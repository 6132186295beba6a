// SPDX-License-Identifier: MIT
/* xstate baseline: what every host of a pool accepts, and the CPUID to show guests. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void baseline_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate baseline HOST... [--kind task|vcpu] [--format text|json]\n\n"
		"For a pool of hosts (CPUID dumps or 'live'), the largest set of state\n"
		"components every host accepts with the same layout, the hosts that limit\n"
		"each component left out, and the CPUID leaf 0xD a VMM should show its\n"
		"guests so their vCPUs can move anywhere in the pool (plain dump format).\n");
}

static void print_text(const struct xs_baseline *bl, char **names, unsigned n)
{
	char buf[256], h1[24], h2[24];

	printf("baseline of %u hosts: XCR0 %s (%s), IA32_XSS %s\n", n, cli_hex(bl->xcr0, h1),
	       cli_xfeature_list(bl->xcr0, buf, sizeof(buf)), cli_hex(bl->xss, h2));
	printf("sizes: standard %u bytes, compacted %u bytes\n", bl->standard_size, bl->compacted_size);
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(bl->dropped & XS_BIT(nr)))
			continue;
		printf("left out: %-16s limited by:", xs_xfeature_info(nr)->short_name);
		for (unsigned i = 0; i < n; i++)
			if (bl->limiting[nr] & XS_BIT(i))
				printf(" %s", names[i]);
		printf("\n");
	}
	printf("\nCPUID leaf 0xD for guests (leaf subleaf eax ebx ecx edx):\n");
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_cpuid_leaf *l = &bl->leaf_d[i];

		if (i < 2 || l->eax)
			printf("%08x %x %08x %08x %08x %08x\n", 0xd, i, l->eax, l->ebx, l->ecx, l->edx);
	}
}

static json_t *to_json(const struct xs_baseline *bl, char **names, unsigned n)
{
	json_t *o = json_object(), *left = json_array(), *leaves = json_array();

	json_object_set_new(o, "xcr0", json_hex(bl->xcr0));
	json_object_set_new(o, "xss", json_hex(bl->xss));
	json_object_set_new(o, "standard_size", json_integer(bl->standard_size));
	json_object_set_new(o, "compacted_size", json_integer(bl->compacted_size));
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		json_t *d, *hosts;

		if (!(bl->dropped & XS_BIT(nr)))
			continue;
		d = json_object();
		hosts = json_array();
		json_object_set_new(d, "index", json_integer(nr));
		json_object_set_new(d, "name", json_string(xs_xfeature_info(nr)->short_name));
		for (unsigned i = 0; i < n; i++)
			if (bl->limiting[nr] & XS_BIT(i))
				json_array_append_new(hosts, json_string(names[i]));
		json_object_set_new(d, "limited_by", hosts);
		json_array_append_new(left, d);
	}
	json_object_set_new(o, "dropped", left);
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_cpuid_leaf *l = &bl->leaf_d[i];
		json_t *j;

		if (i >= 2 && !l->eax)
			continue;
		j = json_object();
		json_object_set_new(j, "subleaf", json_integer(i));
		json_object_set_new(j, "eax", json_hex(l->eax));
		json_object_set_new(j, "ebx", json_hex(l->ebx));
		json_object_set_new(j, "ecx", json_hex(l->ecx));
		json_object_set_new(j, "edx", json_hex(l->edx));
		json_array_append_new(leaves, j);
	}
	json_object_set_new(o, "cpuid_0xd", leaves);
	return o;
}

int cmd_baseline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'K' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	enum xs_compat_kind kind = XS_COMPAT_VCPU;
	enum xs_out_format fmt = OUT_TEXT;
	xs_system **hosts = NULL;
	struct xs_baseline bl;
	unsigned n = 0;
	int ch, ret = 0;

	optind = 1;
	while (!ret && (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'K': ret = cli_parse_kind(optarg, &kind); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &fmt); break;
		case 'h': baseline_usage(stdout); return XS_EXIT_OK;
		default: baseline_usage(stderr); return XS_EXIT_USAGE;
		}
	}
	if (ret)
		return ret;
	if (optind >= argc || argc - optind > 64)
		return cli_error("baseline: expected 1 to 64 hosts (CPUID dumps or 'live')");
	hosts = calloc((size_t)(argc - optind), sizeof(*hosts));
	for (; !ret && hosts && optind + (int)n < argc; n++) {
		hosts[n] = malloc(sizeof(xs_system));
		ret = hosts[n] ? cli_load_system(hosts[n], argv[optind + n], 0, NULL) : cli_error("out of memory");
	}
	if (!hosts)
		ret = cli_error("out of memory");
	if (!ret && xs_baseline((const xs_system *const *)hosts, n, kind, &bl))
		ret = cli_error("baseline: no hosts");
	if (!ret && fmt == OUT_JSON)
		ret = cli_print_json(to_json(&bl, argv + optind, n));
	else if (!ret)
		print_text(&bl, argv + optind, n);
	while (hosts && n)
		free(hosts[--n]);
	free(hosts);
	return ret;
}
