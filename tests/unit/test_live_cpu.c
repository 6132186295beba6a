// SPDX-License-Identifier: MIT
/* xs-test-label: live */
/* xs-test-oracle: cpuid_tool test_host_model_matches_debian_cpuid_tool */
/*
 * The live CPU read three ways must agree: the library's CPUID reader
 * (xs_cpu_from_host), `xstate` without --cpuid (info, cpuid) and Debian's
 * cpuid tool. Leaves 0xD and 7 only where two captures are compared: leaf 1
 * EBX holds the APIC id of whichever core answered.
 */
#include "testutil.h"

static void expect_same_xsave_leaves(const xs_cpu *a, const xs_cpu *b)
{
	uint32_t x[4], y[4];

	for (uint32_t s = 0; s < 64; s++) {
		xs_cpuid(a, 0xd, s, x);
		xs_cpuid(b, 0xd, s, y);
		assert_memory_equal(x, y, sizeof(x));
	}
	xs_cpuid(a, 7, 0, x);
	xs_cpuid(b, 7, 0, y);
	assert_memory_equal(x, y, sizeof(x));
	assert_string_equal(a->vendor, b->vendor);
}

static void test_info_json_on_the_live_cpu_has_the_library_values(void **state)
{
	xs_cpu cpu;
	xs_system *sys;
	char *out;

	(void)state;
	assert_int_equal(xs_cpu_from_host(&cpu), 0);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(xt_tool("info --format json", &out, true), 0);
	xt_assert_info_json(out, sys);
	free(out);
	free(sys);
}

/* `xstate cpuid` captures the live CPU in a dump that reads back as the CPU. */
static void test_cpuid_capture_of_the_live_cpu_reads_back_as_the_cpu(void **state)
{
	xs_cpu live, captured;
	struct xs_diag d;
	char *out;

	(void)state;
	assert_int_equal(xt_tool("cpuid --format instlat", &out, false), 0);
	assert_int_equal(xs_cpu_from_host(&live), 0);
	if (xs_cpu_parse(&captured, out, strlen(out), 0, "xstate cpuid --format instlat", &d))
		fail_msg("%s", d.msg);
	free(out);
	expect_same_xsave_leaves(&live, &captured);
}

/* Oracle: Debian's cpuid -r on this machine against the CPUID instruction. */
static void test_host_model_matches_debian_cpuid_tool(void **state)
{
	xs_cpu live, tool;
	struct xs_diag d;
	char *out;

	(void)state;
	if (xt_run("command -v cpuid >/dev/null 2>&1 && cpuid -1 -r 2>/dev/null", &out) != 0 || !*out) {
		free(out);
		print_message("SKIP: Debian's cpuid tool is missing (scripts/install-deps.sh installs it)\n");
		skip();
	}
	assert_int_equal(xs_cpu_from_host(&live), 0);
	if (xs_cpu_parse(&tool, out, strlen(out), 0, "cpuid -1 -r", &d))
		fail_msg("%s", d.msg);
	free(out);
	expect_same_xsave_leaves(&live, &tool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_json_on_the_live_cpu_has_the_library_values),
		cmocka_unit_test(test_cpuid_capture_of_the_live_cpu_reads_back_as_the_cpu),
		cmocka_unit_test(test_host_model_matches_debian_cpuid_tool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
