// SPDX-License-Identifier: MIT
/*
 * `xstate fpstate` on the Zen 4 CET machine of the spec (written out as a
 * plain dump): task and vCPU fpstates, the per-policy cost table, and the
 * errors for impossible requests.
 */
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

static char dir[] = "/tmp/xs-fps-XXXXXX";
static char zen4_path[256], spr_path[256];

static int setup(void **state)
{
	xs_cpu cpu;

	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	xt_cpu_zen4_cet(&cpu);
	snprintf(zen4_path, sizeof(zen4_path), "%s", xt_write_dump(&cpu, dir, "zen4.plain.txt"));
	xt_cpu_spr(&cpu);
	snprintf(spr_path, sizeof(spr_path), "%s", xt_write_dump(&cpu, dir, "spr.plain.txt"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return xt_remove_dir(dir);
}

static json_t *run_json(const char *fmt, const char *path)
{
	char args[4096], *out;
	json_error_t err;
	json_t *j;
	int n = snprintf(args, sizeof(args), "fpstate ");

	n += snprintf(args + n, sizeof(args) - (size_t)n, fmt, path);
	snprintf(args + n, sizeof(args) - (size_t)n, " --format json");
	assert_int_equal(xt_tool(args, &out, false), 0);
	j = json_loads(out, 0, &err);
	if (!j)
		fail_msg("%s: %s", args, out);
	free(out);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void test_task_fpstate_json_under_guest_only(void **state)
{
	json_t *j = run_json("--cpuid %s", zen4_path);

	(void)state;
	assert_string_equal(jstr(j, "kind"), "task");
	assert_int_equal(jint(j, "size"), 2448);
	assert_int_equal(jint(j, "user_size"), 2432);
	assert_string_equal(jstr(j, "xfeatures"), "0x8e7");
	assert_string_equal(jstr(j, "user_xfeatures"), "0xe7");
	assert_string_equal(jstr(j, "xfd"), "0x0");
	assert_string_equal(jstr(j, "xstate_bv"), "0x0");
	assert_string_equal(jstr(j, "xcomp_bv"), "0x80000000000008e7");
	/* the series' "24 bytes per non-vCPU task" */
	assert_int_equal(jint(j, "saving_per_task"), 24);
	json_decref(j);
}

static void test_guest_fpstate_json_has_cet_s_in_xcomp_bv(void **state)
{
	json_t *j = run_json("--cpuid %s --kind guest", zen4_path), *p;

	(void)state;
	assert_int_equal(jint(j, "size"), 2472);
	assert_string_equal(jstr(j, "xfeatures"), "0x18e7");
	assert_string_equal(jstr(j, "xcomp_bv"), "0x80000000000018e7");
	assert_int_equal(jint(j, "uabi_size"), 4096);
	p = json_object_get(json_object_get(j, "policies"), "off");
	assert_int_equal(jint(p, "task_bytes"), 2448);
	assert_int_equal(jint(p, "vcpu_bytes"), 2448);
	p = json_object_get(json_object_get(j, "policies"), "all");
	assert_int_equal(jint(p, "task_bytes"), 2472);
	json_decref(j);
}

static void test_policy_all_puts_cet_s_in_the_task(void **state)
{
	json_t *j = run_json("--cpuid %s --cet-s all", zen4_path);

	(void)state;
	assert_int_equal(jint(j, "size"), 2472);
	assert_string_equal(jstr(j, "xcomp_bv"), "0x80000000000018e7");
	json_decref(j);
}

static void test_amx_request_enlarges_task_and_guest(void **state)
{
	json_t *t = run_json("--cpuid %s --request amx_tiledata", spr_path);
	json_t *g = run_json("--cpuid %s --kind guest --request amx_tiledata", spr_path);

	(void)state;
	assert_int_equal(jint(t, "size"), 10752);
	assert_int_equal(jint(t, "user_size"), 11008);
	assert_string_equal(jstr(t, "xfd"), "0x0");
	assert_string_equal(jstr(t, "xfeatures"), "0x60ee7");
	assert_string_equal(jstr(g, "xfeatures"), "0x61ee7");
	assert_int_equal(jint(g, "uabi_size"), 11008);
	json_decref(t);
	json_decref(g);
	t = run_json("--cpuid %s", spr_path);
	assert_string_equal(jstr(t, "xfd"), "0x40000");	/* armed until first use */
	json_decref(t);
}

static void expect_error(const char *args, const char *needle)
{
	char full[8192], *out;
	int st;

	snprintf(full, sizeof(full), "fpstate %s", args);
	st = xt_tool(full, &out, true);
	if (st != 2 || !strstr(out, needle))
		fail_msg("%s: status %d, '%s' (wanted '%s')", full, st, out, needle);
	free(out);
}

static void test_impossible_requests_and_options_exit_2(void **state)
{
	char args[4096];

	(void)state;
	snprintf(args, sizeof(args), "--cpuid %s --request avx", zen4_path);
	expect_error(args, "ARCH_REQ_XCOMP_PERM(2) fails with EOPNOTSUPP: not a dynamic");
	snprintf(args, sizeof(args), "--cpuid %s --request amx_tiledata --kind guest", zen4_path);
	expect_error(args, "ARCH_REQ_XCOMP_GUEST_PERM(18) fails with EOPNOTSUPP");
	expect_error("--request warp", "--request: unknown state component 'warp'; valid names: x87");
	expect_error("--request ''", "--request: empty name in ''");
	expect_error("--request amx_tiledata,,amx_tilecfg", "--request: empty name in 'amx_tiledata,,amx_tilecfg'");
	expect_error("--kind host", "--kind: expected task or vcpu, got 'host'");
	expect_error("--format dmesg", "unknown format 'dmesg' (expected text|json)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_fpstate_json_under_guest_only),
		cmocka_unit_test(test_guest_fpstate_json_has_cet_s_in_xcomp_bv),
		cmocka_unit_test(test_policy_all_puts_cet_s_in_the_task),
		cmocka_unit_test(test_amx_request_enlarges_task_and_guest),
		cmocka_unit_test(test_impossible_requests_and_options_exit_2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
