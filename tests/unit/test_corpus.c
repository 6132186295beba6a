// SPDX-License-Identifier: MIT
/*
 * `xstate info --cpuid DIR`: one record per dump, a bad dump reported with
 * its path and line and skipped, exit 1 at the end — and the other records
 * byte-identical to a run without the bad file.
 */
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

static char dir[] = "/tmp/xs-corpus-XXXXXX";

static int tool(const char *args, char **out, bool with_stderr)
{
	return xt_tool(args, out, with_stderr);
}

static void write_models(void)
{
	xs_cpu cpu;

	xt_cpu_zen4_cet(&cpu);
	xt_write_dump(&cpu, dir, "a-zen4.txt");
	xt_cpu_spr(&cpu);
	xt_write_dump(&cpu, dir, "c-spr.txt");
	xt_cpu_skx(&cpu);
	xt_write_dump(&cpu, dir, "d-skx.txt");
}

static void test_a_bad_dump_is_skipped_and_changes_no_other_record(void **state)
{
	static const char broken[] = "0 0 d 68747541 444d4163 69746e65\n1 0 00a20f10 0 zz 178bfbff\n";
	char args[256], *good, *with_bad, *errs;
	json_t *j;

	(void)state;
	assert_int_equal(xt_scratch_dir(dir), 0);
	write_models();
	snprintf(args, sizeof(args), "info --cpuid %s --format json", dir);
	assert_int_equal(tool(args, &good, false), 0);
	xt_write_file(dir, "b-broken.txt", broken, strlen(broken));
	assert_int_equal(tool(args, &with_bad, false), 1);
	assert_string_equal(good, with_bad);
	assert_int_equal(tool(args, &errs, true), 1);
	assert_non_null(strstr(errs, "b-broken.txt:2: expected a hexadecimal ecx"));
	assert_non_null(strstr(errs, "1 bad file skipped"));
	j = json_loads(good, 0, NULL);
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(j, 1), "kernel"), "max_features")), "0x61ee7");
	json_decref(j);
	free(good);
	free(with_bad);
	free(errs);
	snprintf(args, sizeof(args), "info --cpuid %s --format csv", dir);
	assert_int_equal(tool(args, &good, false), 1);
	assert_non_null(strstr(good, "d-skx.txt\",GenuineIntel,6,85,4,"));
	free(good);
	snprintf(args, sizeof(args), "info --cpuid %s", dir);
	assert_int_equal(tool(args, &good, true), 2);
	assert_non_null(strstr(good, "use --format json or --format csv"));
	free(good);
	assert_int_equal(xt_remove_dir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bad_dump_is_skipped_and_changes_no_other_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
