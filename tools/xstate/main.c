// SPDX-License-Identifier: MIT
/* xstate: the command-line face of libxstate. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *xs_prog = "xstate";

static const struct cli_command *const commands[] = {
	&cli_cmd_info, &cli_cmd_cpuid, &cli_cmd_fpstate, &cli_cmd_check, &cli_cmd_convert, &cli_cmd_decode,
	&cli_cmd_compat, &cli_cmd_baseline, &cli_cmd_snapshot_plan, &cli_cmd_kernels, &cli_cmd_bench,
	&cli_cmd_verify,
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xstate <command> [options]   (xstate <command> --help for details)\n\n"
		   "The Linux x86 extended-state (XSAVE) model, libxstate " XS_VERSION_STRING ".\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nverify --against: cpu (XSAVE-family instructions on this CPU), ptrace\n"
		   "(PTRACE_SETREGSET/GETREGSET), kvm (KVM_SET_XSAVE/GET_XSAVE), sigreturn\n"
		   "(rt_sigreturn of rewritten signal frames), trace (a recorded trace).\n"
		   "\nCPU models come from the live CPU (default) or a CPUID dump given with --cpuid FILE\n"
		   "(Debian `cpuid -r` output, InstLatx64 dumps, or 'leaf subleaf eax ebx ecx edx' lines);\n"
		   "'-' is standard input (or output) wherever a file is read (or written).\n"
		   "Long runs (verify, bench switch) show progress on standard error when it is a\n"
		   "terminal; --quiet turns that off.\n"
		   "xstate help COMMAND (or xstate COMMAND -h) shows a command's options.\n");
}

int main(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		usage(stderr);
		return XS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* xstate help COMMAND: that command's --help */
		if (!(c = find_command(argv[2])))
			return cli_error("help: unknown command '%s' (xstate help lists them)", argv[2]);
		cli_help(stdout, c);
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xstate " XS_VERSION_STRING "\n");
		return XS_EXIT_OK;
	}
	if ((c = find_command(argv[1])))
		return cli_run(c, argc - 1, argv + 1);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return XS_EXIT_USAGE;
}
