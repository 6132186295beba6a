// SPDX-License-Identifier: MIT
/* xstate kernels: the behaviour changes of the kernel's xstate code by release. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static void kernels_usage(FILE *f)
{
	fprintf(f, "usage: xstate kernels [--format text|json|markdown]\n\n"
		   "The releases libxstate models (5.10 to 6.18) and every behaviour change of\n"
		   "the kernel's xstate code between them, with the commit it comes from. Any\n"
		   "of these releases can be given to info, fpstate, check and compat with\n"
		   "--kernel (compat: --kernel-a/--kernel-b).\n");
}

static void print_markdown(const struct xs_kchange_info *t, unsigned n)
{
	char rel[16];

	printf("| release | area | behaviour | commit subject | commit |\n|---|---|---|---|---|\n");
	for (unsigned i = 0; i < n; i++)
		printf("| %s | %s | %s | %s | %s |\n", xs_kernel_name(t[i].release, rel, sizeof(rel)), t[i].area,
		       t[i].behaviour, t[i].subject, t[i].commit[0] ? t[i].commit : "-");
}

int cmd_kernels(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned n;
	const struct xs_kchange_info *t = xs_kchanges(&n);
	const char *fmt = "text";
	char rel[16];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f')
			fmt = optarg;
		else
			return kernels_usage(c == 'h' ? stdout : stderr), c == 'h' ? XS_EXIT_OK : XS_EXIT_USAGE;
	}
	if (optind < argc)
		return cli_error("kernels: unexpected argument '%s'", argv[optind]);
	if (!strcmp(fmt, "markdown")) {
		print_markdown(t, n);
	} else if (!strcmp(fmt, "json")) {
		json_t *arr = json_array();

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
	} else if (!strcmp(fmt, "text")) {
		for (unsigned i = 0; i < n; i++)
			printf("%-7s %-20s %s\n       commit: %s%s%s%s\n",
			       xs_kernel_name(t[i].release, rel, sizeof(rel)), t[i].area, t[i].behaviour, t[i].subject,
			       t[i].commit[0] ? " (" : "", t[i].commit, t[i].commit[0] ? ")" : "");
	} else {
		return cli_error("--format: unknown format '%s' (expected text|json|markdown)", fmt);
	}
	return XS_EXIT_OK;
}
