// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

const char *xt_data_path(const char *rel, char *buf, size_t size)
{
	const char *root = getenv("XS_TEST_DATA");

	snprintf(buf, size, "%s/%s", root ? root : "tests/data", rel);
	return buf;
}

void xt_load_cpu(xs_cpu *cpu, const char *name)
{
	char rel[512], path[1024];
	struct xs_diag diag = { 0 };
	int ret;

	snprintf(rel, sizeof(rel), "cpuid/%s", name);
	ret = xs_cpu_from_file(cpu, xt_data_path(rel, path, sizeof(path)), 0, &diag);
	if (ret)
		fail_msg("loading %s: %s", path, diag.msg);
}

xs_system *xt_system(const char *fixture, const struct xs_options *opts)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));

	assert_non_null(cpu);
	assert_non_null(sys);
	xt_load_cpu(cpu, fixture);
	assert_int_equal(xs_system_init(sys, cpu, opts), 0);
	free(cpu);
	return sys;
}

char *xt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int xt_run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	int status;

	assert_non_null(p);
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, p);
		n += r;
	} while (r);
	buf[n] = '\0';
	status = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

const char *xt_xstate_bin(void)
{
	const char *b = getenv("XSTATE_BIN");

	return b ? b : "./xstate";
}
