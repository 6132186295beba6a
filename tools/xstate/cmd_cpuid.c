// SPDX-License-Identifier: MIT
/* xstate cpuid: print a CPU model's CPUID leaves in one of the dump formats. */
#include <stdlib.h>

#include "cli.h"

struct cpuid_args {
	struct cli_model m;
	enum xs_dump_format fmt;
};

static const struct cli_value formats[] = {
	{ "plain", XS_DUMP_PLAIN, false }, { "cpuid-r", XS_DUMP_CPUID_R, false },
	{ "instlat", XS_DUMP_INSTLAT, false }, { 0 }
};

static const struct cli_opt options[] = {
	{ CLI_MODEL_CPUID(struct cpuid_args, m), .arg = "FILE" },
	{ CLI_MODEL_CPU(struct cpuid_args, m), .arg = "N" },
	{ .name = "format", .store = cli_enum, CLI_FIELD(struct cpuid_args, fmt), .values = formats,
	  .noun = "dump format", .arg = "plain|cpuid-r|instlat" },
	{ 0 }
};

static int run(void *args, int argc, char **argv)
{
	const struct cpuid_args *a = args;
	xs_cpu *cpu = xs_cpu_new();
	char *buf;
	size_t len;
	int ret;

	(void)argc;
	(void)argv;
	if (!cpu)
		return cli_error("out of memory");
	ret = cli_load_cpu(cpu, a->m.cpuid, a->m.cpu);
	if (!ret) {
		len = xs_cpu_dump(cpu, a->fmt, NULL, 0) + 1;
		buf = malloc(len);
		if (!buf) {
			ret = cli_error("out of memory");
		} else {
			xs_cpu_dump(cpu, a->fmt, buf, len);
			fputs(buf, stdout);
			free(buf);
		}
	}
	xs_cpu_free(cpu);
	return ret;
}

const struct cli_command cli_cmd_cpuid = {
	.name = "cpuid", .summary = "print a CPU's CPUID leaves in any dump format",
	.opts = options, .args_size = sizeof(struct cpuid_args), .run = run,
	.about = "Print the CPUID leaves of the live CPU (default) or of CPU N of a dump, in\n"
		 "any of the three formats the library reads — to capture a fixture, or to\n"
		 "convert a dump from one format to another.\n",
};
