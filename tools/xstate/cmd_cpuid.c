// SPDX-License-Identifier: MIT
/* xstate cpuid: print a CPU model's CPUID leaves in one of the dump formats. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void cpuid_usage(FILE *f)
{
	fprintf(f,
		"usage: xstate cpuid [--cpuid FILE] [--cpu N] [--format plain|cpuid-r|instlat]\n\n"
		"Print the CPUID leaves of the live CPU (default) or of CPU N of a dump, in\n"
		"any of the three formats the library reads — to capture a fixture, or to\n"
		"convert a dump from one format to another.\n");
}

int cmd_cpuid(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpuid", required_argument, NULL, 'c' }, { "cpu", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL;
	enum xs_dump_format fmt = XS_DUMP_PLAIN;
	unsigned long long n = 0;
	xs_cpu *cpu;
	char *buf;
	size_t len;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n':
			if ((ret = cli_parse_uint("--cpu", optarg, 4095, &n)))
				return ret;
			break;
		case 'f':
			if (!strcmp(optarg, "plain"))
				fmt = XS_DUMP_PLAIN;
			else if (!strcmp(optarg, "cpuid-r"))
				fmt = XS_DUMP_CPUID_R;
			else if (!strcmp(optarg, "instlat"))
				fmt = XS_DUMP_INSTLAT;
			else
				return cli_error("--format: unknown dump format '%s' (expected plain|cpuid-r|instlat)", optarg);
			break;
		case 'h': cpuid_usage(stdout); return XS_EXIT_OK;
		default: cpuid_usage(stderr); return XS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_error("cpuid: unexpected argument '%s'", argv[optind]);
	cpu = malloc(sizeof(*cpu));
	if (!cpu)
		return cli_error("out of memory");
	ret = cli_load_cpu(cpu, path, (unsigned)n);
	if (!ret) {
		len = xs_cpu_dump(cpu, fmt, NULL, 0) + 1;
		buf = malloc(len);
		if (!buf) {
			ret = cli_error("out of memory");
		} else {
			xs_cpu_dump(cpu, fmt, buf, len);
			fputs(buf, stdout);
			free(buf);
		}
	}
	free(cpu);
	return ret;
}
