// SPDX-License-Identifier: MIT
/*
 * `xstate info` and `xstate cpuid` as a user drives them: every option error
 * exits 2 with a precise message, the JSON carries the stable keys with the
 * library's values, and dumps convert between formats.
 */
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"

static char tmpdir[] = "/tmp/xs-cli-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return xt_scratch_dir(tmpdir);
}

static int teardown(void **state)
{
	(void)state;
	return xt_remove_dir(tmpdir);
}

static const char *write_tmp(const char *name, const char *text)
{
	return xt_write_file(tmpdir, name, text, strlen(text));
}

/* Run `xstate ARGS`, stderr folded into the captured output. */
static int run(const char *args, char **out)
{
	return xt_tool(args, out, true);
}

static void expect_usage_error(const char *args, const char *needle)
{
	char *out;
	int st = run(args, &out);

	if (st != 2 || !strstr(out, needle))
		fail_msg("xstate %s: status %d, output '%s' (wanted 2 and '%s')", args, st, out, needle);
	free(out);
}

static void test_info_help_exits_zero_and_describes_options(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(run("info --help", &out), 0);
	assert_non_null(strstr(out, "--cet-s POLICY"));
	assert_non_null(strstr(out, "--disable LIST"));
	free(out);
	assert_int_equal(run("--help", &out), 0);
	assert_non_null(strstr(out, "info"));
	free(out);
}

static void test_info_option_errors_exit_2_with_a_reason(void **state)
{
	char args[4096];

	(void)state;
	expect_usage_error("info --bogus", "unrecognized option");
	expect_usage_error("info --format yaml", "unknown format 'yaml' (expected text|json|dmesg|csv|svg)");
	expect_usage_error("info --cet-s sometimes", "unknown policy 'sometimes'");
	expect_usage_error("info --disable xsaves,warp_drive", "unknown CPU feature 'warp_drive'; valid names: fpu");
	expect_usage_error("info --disable ''", "--disable: empty name in '' (expected NAME[,NAME...])");
	expect_usage_error("info --disable avx512f,,avx", "--disable: empty name in 'avx512f,,avx'");
	expect_usage_error("info --disable avx,", "--disable: empty name in 'avx,'");
	expect_usage_error("info --kernel 6.18.", "--kernel: expected a release");
	expect_usage_error("info --cpu -1", "--cpu: expected a non-negative number");
	expect_usage_error("info --cpu 12abc", "--cpu: expected a number");
	expect_usage_error("info extra", "unexpected argument 'extra'");
	expect_usage_error("info --kernel six", "--kernel: expected a release from 5.10 to 6.18");
	expect_usage_error("info --kernel 5.9", "got '5.9'");
	expect_usage_error("info --cpuid /nonexistent/cpu.txt", "/nonexistent/cpu.txt: No such file");
	expect_usage_error("info --cpu 1", "the live CPU is always CPU 0");
	expect_usage_error("frobnicate", "unknown command 'frobnicate'");
	snprintf(args, sizeof(args), "info --cpuid %s",
		 write_tmp("bad.txt", "0 0 d 68747541 444d4163 69746e65\n1 0 6f2 zz 0 0\n"));
	expect_usage_error(args, "bad.txt:2: expected a hexadecimal ebx");
}

static void test_info_cpu_index_beyond_the_dump_exits_2(void **state)
{
	char args[4096];
	const char *p = write_tmp("two.txt",
				  "CPU 0:\n   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
				  "   0x00000001 0x00: eax=0x000006f6 ebx=0 ecx=0 edx=0x07808001\n"
				  "   0x80000000 0x00: eax=0x80000001 ebx=0 ecx=0 edx=0\n"
				  "   0x80000001 0x00: eax=0 ebx=0 ecx=0 edx=0x20000000\n"
				  "CPU 1:\n   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
				  "   0x00000001 0x00: eax=0x000006f6 ebx=0 ecx=0 edx=0x07808001\n"
				  "   0x80000000 0x00: eax=0x80000001 ebx=0 ecx=0 edx=0\n"
				  "   0x80000001 0x00: eax=0 ebx=0 ecx=0 edx=0x20000000\n");

	(void)state;
	snprintf(args, sizeof(args), "info --cpuid %s --cpu 5", p);
	expect_usage_error(args, "CPU 5 requested, but the dump describes 2 CPUs (0..1)");
	snprintf(args, sizeof(args), "info --cpuid %s --cpu 1 --format dmesg", p);
	{
		char *out;

		assert_int_equal(run(args, &out), 0);
		assert_string_equal(out, "x86/fpu: x87 FPU will use FXSAVE\n");
		free(out);
	}
}

/* The JSON's keys carry the library's numbers (xt_assert_info_json). */
static void test_info_json_has_the_stable_keys_with_library_values(void **state)
{
	static const char fixture[] = "intel-sapphire-rapids-ws.instlat.txt";
	char rel[128], path[1024], args[1200], *out;
	xs_system *sys;

	(void)state;
	sys = xt_system(fixture, NULL);
	snprintf(rel, sizeof(rel), "cpuid/%s", fixture);
	snprintf(args, sizeof(args), "info --cpuid %s --format json", xt_data_path(rel, path, sizeof(path)));
	assert_int_equal(run(args, &out), 0);
	xt_assert_info_json(out, sys);
	free(out);
	free(sys);
}

/* A fixture written as instlat, then instlat -> cpuid-r -> plain must
 * change nothing (test_live_cpu.c captures the live CPU). */
static void test_cpuid_command_converts_between_the_three_formats(void **state)
{
	char args[4096], path[1024], *captured, *conv, *a, *b;
	char instlat[256], cpuid_r[256];

	(void)state;
	snprintf(args, sizeof(args), "cpuid --cpuid %s --format instlat",
		 xt_data_path("cpuid/intel-sapphire-rapids-ws.instlat.txt", path, sizeof(path)));
	assert_int_equal(run(args, &captured), 0);
	snprintf(instlat, sizeof(instlat), "%s", write_tmp("dump.instlat.txt", captured));
	free(captured);
	snprintf(args, sizeof(args), "cpuid --cpuid %s --format cpuid-r", instlat);
	assert_int_equal(run(args, &conv), 0);
	snprintf(cpuid_r, sizeof(cpuid_r), "%s", write_tmp("dump.cpuid-r.txt", conv));
	free(conv);
	snprintf(args, sizeof(args), "cpuid --cpuid %s --format plain", cpuid_r);
	assert_int_equal(run(args, &conv), 0);
	write_tmp("dump.plain.txt", conv);
	free(conv);
	snprintf(args, sizeof(args), "cpuid --cpuid %s", instlat);
	assert_int_equal(run(args, &a), 0);
	snprintf(args, sizeof(args), "cpuid --cpuid %s/dump.plain.txt", tmpdir);
	assert_int_equal(run(args, &b), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	expect_usage_error("cpuid --format xml", "unknown dump format 'xml'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_help_exits_zero_and_describes_options),
		cmocka_unit_test(test_info_option_errors_exit_2_with_a_reason),
		cmocka_unit_test(test_info_cpu_index_beyond_the_dump_exits_2),
		cmocka_unit_test(test_info_json_has_the_stable_keys_with_library_values),
		cmocka_unit_test(test_cpuid_command_converts_between_the_three_formats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
