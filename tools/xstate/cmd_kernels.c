// SPDX-License-Identifier: MIT
/* xstate kernels: the behaviour changes of the kernel's xstate code by release. */
#include "cli.h"

static void print_markdown(const struct xs_kchange_info *t, unsigned n)
{
	char rel[16];

	printf("| release | area | behaviour | commit subject | commit |\n|---|---|---|---|---|\n");
	for (unsigned i = 0; i < n; i++)
		printf("| %s | %s | %s | %s | %s |\n", xs_kernel_name(t[i].release, rel, sizeof(rel)), t[i].area,
		       t[i].behaviour, t[i].subject, t[i].commit[0] ? t[i].commit : "-");
}

static int print_json(const struct xs_kchange_info *t, unsigned n)
{
	json_t *arr = json_array();
	char rel[16];

	for (unsigned i = 0; i < n; i++) {
		json_t *o = json_object();

		xs_kernel_name(t[i].release, rel, sizeof(rel));
		json_object_set_new(o, "release", json_string(rel));
		json_object_set_new(o, "area", json_string(t[i].area));
		json_object_set_new(o, "behaviour", json_string(t[i].behaviour));
		json_object_set_new(o, "subject", json_string(t[i].subject));
		json_object_set_new(o, "commit", json_string(t[i].commit));
		json_array_append_new(arr, o);
	}
	return cli_print_json(arr);
}

static void print_text(const struct xs_kchange_info *t, unsigned n)
{
	char rel[16];

	for (unsigned i = 0; i < n; i++)
		printf("%-7s %-20s %s\n       commit: %s%s%s%s\n", xs_kernel_name(t[i].release, rel, sizeof(rel)),
		       t[i].area, t[i].behaviour, t[i].subject, t[i].commit[0] ? " (" : "", t[i].commit,
		       t[i].commit[0] ? ")" : "");
}

struct kernels_args {
	enum xs_out_format fmt;
};

static const struct cli_value formats[] = {
	{ "text", OUT_TEXT, false }, { "json", OUT_JSON, false }, { "markdown", OUT_MARKDOWN, false }, { 0 }
};

static const struct cli_opt options[] = {
	{ CLI_FORMAT(struct kernels_args, fmt, formats), .arg = "text|json|markdown" },
	{ 0 }
};

static int run(void *args, int argc, char **argv)
{
	const struct kernels_args *a = args;
	unsigned n;
	const struct xs_kchange_info *t = xs_kchanges(&n);

	(void)argc;
	(void)argv;
	if (a->fmt == OUT_JSON)
		return print_json(t, n);
	if (a->fmt == OUT_MARKDOWN)
		print_markdown(t, n);
	else
		print_text(t, n);
	return XS_EXIT_OK;
}

const struct cli_command cli_cmd_kernels = {
	.name = "kernels", .summary = "the kernel releases modelled and each xstate behaviour change",
	.opts = options, .args_size = sizeof(struct kernels_args), .run = run,
	.about = "The releases libxstate models (5.10 to 6.18) and every behaviour change of\n"
		 "the kernel's xstate code between them, with the commit it comes from. Any\n"
		 "of these releases can be given to info, fpstate, check and compat with\n"
		 "--kernel (compat: --kernel-a/--kernel-b).\n",
};
