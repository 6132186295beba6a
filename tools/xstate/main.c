// SPDX-License-Identifier: MIT
/* xstate: the command-line face of libxstate. */
#include <string.h>

#include "cli.h"

const char *xs_prog = "xstate";

static const struct subcommand commands[] = {
	{ "info", "what Linux enables on a CPU: components, offsets, sizes, boot lines", cmd_info },
	{ "cpuid", "print a CPU's CPUID leaves in any dump format", cmd_cpuid },
	{ "fpstate", "the fpstate Linux builds for a task or a vCPU, per CET-S policy", cmd_fpstate },
	{ "check", "the kernel's verdict on a ptrace, signal-frame or KVM buffer", cmd_check },
	{ "convert", "rewrite an XSAVE buffer from one CPU's layout to another's", cmd_convert },
	{ "decode", "show the registers in an XSAVE buffer or a core file's xstate notes", cmd_decode },
	{ "compat", "can state saved on host A be restored on host B (task or vCPU)", cmd_compat },
	{ "baseline", "the state every host of a pool accepts, and the CPUID 0xD for guests", cmd_baseline },
	{ "snapshot-plan", "what a VMM saves for a vCPU beside the xsave buffer", cmd_snapshot_plan },
	{ "kernels", "the kernel releases modelled and each xstate behaviour change", cmd_kernels },
	{ "bench", "the CET-S series' experiment: memory per policy, context switches", cmd_bench },
	{ "verify", "differential runs against the CPU, ptrace or KVM", cmd_verify },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xstate <command> [options]   (xstate <command> --help for details)\n\n"
		   "The Linux x86 extended-state (XSAVE) model, libxstate " XS_VERSION_STRING ".\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nCPU models come from the live CPU (default) or a CPUID dump given with --cpuid FILE\n"
		   "(Debian `cpuid -r` output, InstLatx64 dumps, or 'leaf subleaf eax ebx ecx edx' lines).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return XS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xstate " XS_VERSION_STRING "\n");
		return XS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return XS_EXIT_USAGE;
}
