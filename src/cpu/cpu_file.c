// SPDX-License-Identifier: MIT
/* Edge: read a CPUID dump from a file. The only file I/O in the library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpu/cpu.h"

/* Dumps are small; anything larger than this is not a CPUID dump. */
#define MAX_DUMP_BYTES (16u << 20)

int xs_cpu_from_file(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int ret;

	if (!f) {
		ret = -errno;
		return xs_diag_fail(diag, ret, "%s: %s", path, strerror(-ret));
	}
	/* fopen() opens a directory too; reading it would only say "read error" */
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fclose(f);
		return xs_diag_fail(diag, -EISDIR, "%s: is a directory, expected a CPUID dump file", path);
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_DUMP_BYTES + 1)
				cap = MAX_DUMP_BYTES + 1;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
		if (len > MAX_DUMP_BYTES) {
			ret = xs_diag_fail(diag, -EFBIG, "%s: larger than %u bytes, not a CPUID dump", path,
					   MAX_DUMP_BYTES);
			goto out;
		}
	}
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		xs_diag_fail(diag, ret, "%s: %s", path, strerror(-ret));
		goto out;
	}
	ret = xs_cpu_parse(cpu, buf ? buf : "", len, cpu_index, path, diag);
out:
	free(buf);
	fclose(f);
	return ret;
}
