// SPDX-License-Identifier: MIT
/* xs-test-label: live */
/*
 * Oracle: the running kernel's own boot lines. `xstate info --format dmesg`
 * for the live CPU, at the running release with the boot command line's
 * cleared features, must equal `dmesg | grep 'x86/fpu:'` without the
 * leading "[    0.261611] " (and "[    T0] " caller) groups, line for line.
 * Skipped where dmesg is unreadable, the boot lines have left the ring
 * buffer, or the running kernel is a release the model lacks.
 */
#include <stdio.h>

#include "testutil.h"

/* Skip the "[...] " groups printk puts before the message (time, caller). */
static const char *message_start(const char *s, const char *e)
{
	while (s < e && *s == '[') {
		const char *rb = memchr(s, ']', (size_t)(e - s));

		if (!rb)
			break;
		s = rb + 1;
		while (s < e && *s == ' ')
			s++;
	}
	return s;
}

/* Keep the "x86/fpu:" lines of a dmesg, without their prefixes. */
static char *fpu_lines(const char *dmesg)
{
	size_t n = 0;
	char *out = malloc(strlen(dmesg) + 1);
	const char *p = dmesg;

	assert_non_null(out);
	while (*p) {
		const char *e = strchr(p, '\n'), *s;

		if (!e)
			e = p + strlen(p);
		s = message_start(p, e);
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

static void test_prefix_groups_are_stripped(void **state)
{
	char *got;

	(void)state;
	got = fpu_lines("[    0.261611] x86/fpu: a\n[    0.2] [    T0] x86/fpu: b\nx86/fpu: c\n"
			"[    1.0] other: x86/fpu: d\n[ 2.0] x86/fpux\n");
	assert_string_equal(got, "x86/fpu: a\nx86/fpu: b\nx86/fpu: c\n");
	free(got);
}

/* "--disable a,b" for the features the command line cleared ("" when none). */
static void disable_option(uint64_t clear, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned f = 0; f < XS_CPU_FEATURE_COUNT; f++)
		if (clear & XS_BIT(f))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "--disable ",
					      xs_cpu_feature_name((enum xs_cpu_feature)f));
}

static void test_info_dmesg_equals_the_running_kernels_boot_lines(void **state)
{
	char *dmesg = NULL, *want, *out, release[32], disable[512], args[640];

	(void)state;
	if (xt_run("dmesg 2>/dev/null", &dmesg) != 0 || !strstr(dmesg, "x86/fpu:")) {
		free(dmesg);
		print_message("SKIP: dmesg is unreadable or holds no x86/fpu lines any more\n");
		skip();
	}
	want = fpu_lines(dmesg);
	free(dmesg);
	if (!xt_live_release(release, sizeof(release))) {
		print_message("SKIP: running kernel %s is not modelled\n", release);
		free(want);
		skip();
	}
	/* the boot command line as the running release read it (noxsave, clearcpuid=, ...) */
	if (xt_cmdline_fits())
		snprintf(args, sizeof(args), "info --format dmesg --kernel %s --cmdline \"$(cat /proc/cmdline)\"",
			 release);
	else	/* too long for the model: what 6.18 clears, as --disable */
		disable_option(xt_cmdline_cleared_features(), disable, sizeof(disable)),
		snprintf(args, sizeof(args), "info --format dmesg --kernel %s %s", release, disable);
	assert_int_equal(xt_tool(args, &out, false), 0);
	if (strcmp(want, out))
		fail_msg("xstate %s:\n%s\nkernel:\n%s", args, out, want);
	print_message("%u x86/fpu lines of Linux %s agree with `xstate %s`\n", count_lines(want), release, args);
	free(want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_groups_are_stripped),
		cmocka_unit_test(test_info_dmesg_equals_the_running_kernels_boot_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
