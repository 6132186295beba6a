// SPDX-License-Identifier: MIT
/* xstate snapshot-plan: what a VMM saves for a vCPU besides the xsave buffer. */
#include <stdlib.h>

#include "cli.h"

struct snapshot_args {
	struct cli_model m;
	uint32_t guest_kernel;
	enum xs_out_format fmt;
};

static const struct cli_opt options[] = {
	{ CLI_MODEL_CPUID(struct snapshot_args, m), .arg = "F" },
	{ CLI_MODEL_KERNEL(struct snapshot_args, m), .arg = "V" },
	{ .name = "guest-kernel", .store = cli_kernel, CLI_FIELD(struct snapshot_args, guest_kernel), .arg = "V" },
	{ CLI_FORMAT(struct snapshot_args, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static void init(void *args)
{
	struct snapshot_args *a = args;

	cli_model_init(&a->m);
	a->guest_kernel = XS_KERNEL_DEFAULT;
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

static int run(void *args, int argc, char **argv)
{
	const struct snapshot_args *a = args;
	struct xs_snapshot_plan *plan = malloc(sizeof(*plan));
	xs_system *host = NULL;
	int ret = 0;

	(void)argc;
	(void)argv;
	if (!plan)
		ret = cli_error("out of memory");
	if (!ret)
		ret = cli_load_system(&host, a->m.cpuid, 0, &a->m.opts);
	if (!ret && xs_snapshot_plan(host, a->guest_kernel, plan))
		ret = cli_error("snapshot-plan: cannot model the guest");
	if (!ret && a->fmt == OUT_JSON)
		ret = cli_print_json(to_json(plan));
	else if (!ret)
		print_text(plan);
	free(plan);
	xs_system_free(host);
	return ret;
}

const struct cli_command cli_cmd_snapshot_plan = {
	.name = "snapshot-plan", .summary = "what a VMM saves for a vCPU beside the xsave buffer",
	.opts = options, .args_size = sizeof(struct snapshot_args), .init = init, .run = run,
	.about = "Everything a VMM must save and restore for a vCPU on this host (--cpuid,\n"
		 "default the live CPU; --kernel, the host's release) beside the xsave\n"
		 "buffer: the KVM_CAP_XSAVE2 size, XCR0, IA32_XSS and the MSRs of every\n"
		 "supervisor component the guest may enable — and which of them a guest\n"
		 "running Linux --guest-kernel (default 6.18) actually uses.\n",
};
