// SPDX-License-Identifier: MIT
/* xstate snapshot-plan: what a VMM saves for a vCPU besides the xsave buffer. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void snapshot_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate snapshot-plan [--cpuid F] [--kernel V] [--guest-kernel V]\n"
		"                            [--format text|json]\n\n"
		"Everything a VMM must save and restore for a vCPU on this host (--cpuid,\n"
		"default the live CPU; --kernel, the host's release) beside the xsave\n"
		"buffer: the KVM_CAP_XSAVE2 size, XCR0, IA32_XSS and the MSRs of every\n"
		"supervisor component the guest may enable — and which of them a guest\n"
		"running Linux --guest-kernel (default 6.18) actually uses.\n");
}

static void print_text(const struct xs_snapshot_plan *p)
{
	char h1[24], h2[24], h3[24];

	printf("guest Linux %s enables XCR0 %s and IA32_XSS %s\n\n", xs_kernel_name(p->guest_kernel, h1, sizeof(h1)),
	       cli_hex(p->guest_xcr0, h2), cli_hex(p->guest_xss, h3));
	char how[XS_SNAPSHOT_MAX_ITEMS][96];
	int w = 3;

	/* the "how" column is as wide as its longest entry */
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct xs_snapshot_item *it = &p->items[i];
		int n = it->msr ? snprintf(how[i], sizeof(how[i]), "MSR 0x%x, %s", it->msr, it->how)
				: snprintf(how[i], sizeof(how[i]), "%s", it->how);

		w = n > w ? n : w;
	}
	printf("%-22s %-*s %-9s %s\n", "state", w, "how", "guest", "note");
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct xs_snapshot_item *it = &p->items[i];

		printf("%-22s %-*s %-9s %s\n", it->what, w, how[i], it->used_by_guest ? "uses it" : "-",
		       it->note);
	}
}

static json_t *to_json(const struct xs_snapshot_plan *p)
{
	json_t *o = json_object(), *items = json_array();
	char rel[16];

	xs_kernel_name(p->guest_kernel, rel, sizeof(rel));
	json_object_set_new(o, "guest_kernel", json_string(rel));
	json_object_set_new(o, "guest_xcr0", json_hex(p->guest_xcr0));
	json_object_set_new(o, "guest_xss", json_hex(p->guest_xss));
	for (unsigned i = 0; i < p->nitems; i++) {
		const struct xs_snapshot_item *it = &p->items[i];
		json_t *j = json_object();

		json_object_set_new(j, "state", json_string(it->what));
		json_object_set_new(j, "how", json_string(it->how));
		if (it->msr)
			json_object_set_new(j, "msr", json_hex(it->msr));
		json_object_set_new(j, "value", json_integer((json_int_t)it->value));
		json_object_set_new(j, "used_by_guest", json_boolean(it->used_by_guest));
		json_object_set_new(j, "note", json_string(it->note));
		json_array_append_new(items, j);
	}
	json_object_set_new(o, "items", items);
	return o;
}

int cmd_snapshot_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpuid", required_argument, NULL, 'c' }, { "kernel", required_argument, NULL, 'k' },
		{ "guest-kernel", required_argument, NULL, 'g' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *path = NULL;
	uint32_t guest = XS_KERNEL_DEFAULT;
	enum xs_out_format fmt = OUT_TEXT;
	struct xs_options o;
	struct xs_snapshot_plan *plan = malloc(sizeof(*plan));
	xs_system *host = malloc(sizeof(*host));
	int c, ret = 0;

	xs_options_init(&o);
	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'k': ret = cli_parse_kernel("--kernel", optarg, &o.kernel); break;
		case 'g': ret = cli_parse_kernel("--guest-kernel", optarg, &guest); break;
		case 'f': ret = cli_parse_format(optarg, 1u << OUT_TEXT | 1u << OUT_JSON, &fmt); break;
		case 'h': snapshot_usage(stdout); goto out;
		default: snapshot_usage(stderr); ret = XS_EXIT_USAGE; break;
		}
	}
	if (!ret && optind < argc)
		ret = cli_error("snapshot-plan: unexpected argument '%s'", argv[optind]);
	if (!ret && (!plan || !host))
		ret = cli_error("out of memory");
	if (!ret)
		ret = cli_load_system(host, path, 0, &o);
	if (!ret && xs_snapshot_plan(host, guest, plan))
		ret = cli_error("snapshot-plan: cannot model the guest");
	if (!ret && fmt == OUT_JSON)
		ret = cli_print_json(to_json(plan));
	else if (!ret)
		print_text(plan);
out:
	free(plan);
	free(host);
	return ret;
}
