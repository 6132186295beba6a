// SPDX-License-Identifier: MIT
/* xstate: the command-line face of libxstate. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

const char *xs_prog = "xstate";

static const struct subcommand commands[] = {
	{ "info", "what Linux enables on a CPU: components, offsets, sizes, boot lines", cmd_info },
	{ "cpuid", "print a CPU's CPUID leaves in any dump format", cmd_cpuid },
	{ "fpstate", "the fpstate Linux builds for a task or a vCPU, per CET-S policy", cmd_fpstate },
	{ "check", "the kernel's verdict on a ptrace, signal-frame or KVM buffer", cmd_check },
	{ "convert", "rewrite an XSAVE buffer from one CPU's layout to another's", cmd_convert },
	{ "decode", "show the registers in an XSAVE buffer or a core file's xstate notes", cmd_decode },
	{ "compat", "can state saved on host A be restored on host B (task or vCPU)", cmd_compat },
	{ "baseline", "the state every host of a pool accepts; the guest CPU and VMM settings", cmd_baseline },
	{ "snapshot-plan", "what a VMM saves for a vCPU beside the xsave buffer", cmd_snapshot_plan },
	{ "kernels", "the kernel releases modelled and each xstate behaviour change", cmd_kernels },
	{ "bench", "the CET-S series' experiment: memory per policy, context switches", cmd_bench },
	{ "verify", "differential runs of the model: --against cpu|ptrace|kvm|sigreturn|trace", cmd_verify },
};

static const struct subcommand *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xstate <command> [options]   (xstate <command> --help for details)\n\n"
		   "The Linux x86 extended-state (XSAVE) model, libxstate " XS_VERSION_STRING ".\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
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

/*
 * Run a command: "-h" is "--help" everywhere, "--quiet" (no progress
 * lines) is taken by every command, and getopt's messages start
 * "xstate: COMMAND:" like every other error (it prints argv[0]).
 */
static int run(const struct subcommand *c, int argc, char **argv)
{
	char prog[64];
	int n = 1;

	snprintf(prog, sizeof(prog), "%s: %s", xs_prog, c->name);
	argv[0] = prog;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--quiet")) {
			progress_quiet(true);
			continue;
		}
		argv[n++] = strcmp(argv[i], "-h") ? argv[i] : (char *)"--help";
	}
	argv[n] = NULL;
	return c->run(n, argv);
}

int main(int argc, char **argv)
{
	const struct subcommand *c;

	if (argc < 2) {
		usage(stderr);
		return XS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* xstate help COMMAND: that command's --help */
		char *help[] = { argv[2], (char *)"--help", NULL };

		if (!(c = find_command(argv[2])))
			return cli_error("help: unknown command '%s' (xstate help lists them)", argv[2]);
		return run(c, 2, help);
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
		return run(c, argc - 1, argv + 1);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return XS_EXIT_USAGE;
}
