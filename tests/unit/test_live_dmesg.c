// SPDX-License-Identifier: MIT
/*
 * Oracle: the running kernel's own boot lines. `xstate info --format dmesg`
 * for the live CPU must equal `dmesg | grep 'x86/fpu:'` without timestamps,
 * line for line. Skipped where dmesg is unreadable, the boot lines have left
 * the ring buffer, or the running kernel is a release the model lacks.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "testutil.h"

/* Keep the "x86/fpu:" lines of a dmesg, without "[    0.203424] " prefixes. */
static char *fpu_lines(const char *dmesg)
{
	size_t cap = strlen(dmesg) + 1, n = 0;
	char *out = malloc(cap);
	const char *p = dmesg;

	assert_non_null(out);
	while (*p) {
		const char *e = strchr(p, '\n'), *s = p;

		if (!e)
			e = p + strlen(p);
		if (*s == '[') {
			const char *rb = memchr(s, ']', (size_t)(e - s));

			if (rb)
				s = rb + 1 + (rb[1] == ' ');
		}
		if ((size_t)(e - s) >= 8 && !memcmp(s, "x86/fpu:", 8)) {
			memcpy(out + n, s, (size_t)(e - s));
			n += (size_t)(e - s);
			out[n++] = '\n';
		}
		p = *e ? e + 1 : e;
	}
	out[n] = '\0';
	return out;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* clearcpuid=, noxsave, noxsaves, noxsaveopt, nopku from /proc/cmdline. */
static uint64_t cmdline_cleared_features(void)
{
	char *cmd = xt_read_file("/proc/cmdline", NULL);
	uint64_t clear = 0;
	static const struct { const char *param; enum xs_cpu_feature f; } flags[] = {
		{ "noxsave", XS_CPU_XSAVE }, { "noxsaves", XS_CPU_XSAVES },
		{ "noxsaveopt", XS_CPU_XSAVEOPT }, { "nopku", XS_CPU_PKU },
	};

	if (!cmd)
		return 0;
	for (char *tok = strtok(cmd, " \n"); tok; tok = strtok(NULL, " \n")) {
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (!strcmp(tok, flags[i].param))
				clear |= XS_BIT(flags[i].f);
		if (!strncmp(tok, "clearcpuid=", 11)) {
			char *save = NULL;

			for (char *n = strtok_r(tok + 11, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
				int f = xs_cpu_feature_by_name(n);

				if (f >= 0)
					clear |= XS_BIT(f);
			}
		}
	}
	free(cmd);
	return clear;
}

static void test_info_dmesg_equals_the_running_kernels_boot_lines(void **state)
{
	struct xs_options o;
	struct utsname u;
	unsigned maj = 0, min = 0;
	char *dmesg = NULL, *want, *got;
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	int ret;

	(void)state;
	if (xt_run("dmesg 2>/dev/null", &dmesg) != 0 || !strstr(dmesg, "x86/fpu:")) {
		free(dmesg);
		free(cpu);
		free(sys);
		print_message("SKIP: dmesg is unreadable or holds no x86/fpu lines any more\n");
		skip();
	}
	want = fpu_lines(dmesg);
	free(dmesg);
	assert_int_equal(uname(&u), 0);
	sscanf(u.release, "%u.%u", &maj, &min);
	xs_options_init(&o);
	o.kernel = XS_KERNEL(maj, min);
	o.clear_features = cmdline_cleared_features();
	assert_int_equal(xs_cpu_from_host(cpu), 0);
	ret = xs_system_init(sys, cpu, &o);
	if (ret == -EINVAL && o.kernel != XS_KERNEL_DEFAULT) {
		print_message("SKIP: running kernel %u.%u is not modelled\n", maj, min);
		free(want);
		free(cpu);
		free(sys);
		skip();
	}
	assert_int_equal(ret, 0);
	got = fpu_lines(sys->log);
	if (strcmp(want, got))
		fail_msg("model:\n%s\nkernel:\n%s", got, want);
	print_message("%u x86/fpu lines agree with the running kernel\n", count_lines(want));
	free(want);
	free(got);
	free(cpu);
	free(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_dmesg_equals_the_running_kernels_boot_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
