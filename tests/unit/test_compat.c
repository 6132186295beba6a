// SPDX-License-Identifier: MIT
/*
 * Fleets: compat between hosts both ways (AVX-512 server vs AVX2 client,
 * Zen 3 vs Zen 4, a vCPU on a CET host vs one without CET-S), and the
 * baseline of a mixed pool against the intersection computed by hand.
 */
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

static xs_system *skx, *client, *zen4, *zen3, *zen4_off;
static char dir[] = "/tmp/xs-compat-XXXXXX";
static char skx_path[512], client_path[512], zen4_path[512];

static int setup(void **state)
{
	struct xs_options o;
	xs_cpu cpu;

	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	skx = xt_model(xt_cpu_skx, dir, "skx.txt", skx_path, sizeof(skx_path));
	client = xt_model(xt_cpu_avx2_client, dir, "client.txt", client_path, sizeof(client_path));
	xt_cpu_zen3(&cpu);
	zen3 = xt_system_of(&cpu, NULL);
	zen4 = xt_model(xt_cpu_zen4_cet, dir, "zen4.txt", zen4_path, sizeof(zen4_path));
	xt_cpu_zen4_cet(&cpu);
	xs_options_init(&o);
	o.cet_s = XS_CET_S_OFF;
	zen4_off = xt_system_of(&cpu, &o);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(skx);
	free(client);
	free(zen4);
	free(zen3);
	free(zen4_off);
	return xt_remove_dir(dir);
}

static void test_avx512_server_task_cannot_move_to_an_avx2_client(void **state)
{
	struct xs_compat c;

	(void)state;
	xs_compat_check(skx, client, XS_COMPAT_TASK, &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, XS_XFEATURE_MASK_AVX512 | XS_XFEATURE_MASK_PKRU);
	assert_int_equal(c.size_a, 2696);
	assert_int_equal(c.size_b, 1088);
}

static void test_avx2_client_task_moves_to_the_avx512_server(void **state)
{
	struct xs_compat c;

	(void)state;
	xs_compat_check(client, skx, XS_COMPAT_TASK, &c);
	assert_true(c.compatible);
	assert_int_equal(c.missing, 0);
	assert_int_equal(c.moved, 0);	/* Intel layout on both */
	/* different sizes: the regset buffer and signal frames change */
	assert_non_null(strstr(c.notes[0], "1088 bytes on A and 2696 on B"));
}

static bool noted(const struct xs_compat *c, const char *what)
{
	for (unsigned i = 0; i < c->nnotes; i++)
		if (strstr(c->notes[i], what))
			return true;
	return false;
}

/*
 * CRIU's case of the sigreturn revert: a frame saved on the AVX2 client
 * (xstate_size 1088) restored on the AVX-512 server (user size 2696).
 * 6.18.35+ reads MAGIC2 after the frame's own size: the state survives;
 * 6.15 .. 6.18.34 look after 2696 and restore FX only. The other way round
 * (2696 > 1088) every release gives FX only.
 */
static void test_signal_frames_moving_to_a_larger_cpu_survive_after_the_revert(void **state)
{
	struct xs_options o;
	struct xs_compat c;
	xs_system *skx_6_18_34;
	xs_cpu cpu;

	(void)state;
	xs_compat_check(client, skx, XS_COMPAT_TASK, &c);
	assert_false(noted(&c, "FX-only"));
	xt_cpu_skx(&cpu);
	xs_options_init(&o);
	o.kernel = XS_KERNEL_STABLE(6, 18, 34);
	skx_6_18_34 = xt_system_of(&cpu, &o);
	xs_compat_check(client, skx_6_18_34, XS_COMPAT_TASK, &c);
	assert_true(noted(&c, "looks for it after its own user size"));
	xs_compat_check(skx, client, XS_COMPAT_TASK, &c);
	assert_true(noted(&c, "refuses an xstate_size above its own user size"));
	free(skx_6_18_34);
}

static void compat_real(const char *a, const char *b, enum xs_compat_kind kind, uint32_t ka, uint32_t kb,
			struct xs_compat *c)
{
	struct xs_options oa, ob;
	xs_system *sa, *sb;

	xs_options_init(&oa);
	xs_options_init(&ob);
	oa.kernel = ka;
	ob.kernel = kb;
	sa = xt_system(a, &oa);
	sb = xt_system(b, &ob);
	xs_compat_check(sa, sb, kind, c);
	free(sa);
	free(sb);
}

/*
 * The real dumps both ways (CPUID 0xD read by hand): Skylake-SP (0x2ff,
 * 2696 bytes) and a Skylake client (0x1f, 1088); Ryzen 9 5900X (Zen 3,
 * 0x207) and EPYC 9124 (Zen 4, 0x2e7), both 2440 bytes with PKRU at 2432.
 */
static void test_real_cpus_both_ways(void **state)
{
	struct xs_compat c;

	(void)state;
	compat_real("intel-skylake-sp.plain.txt", "intel-skylake-client.instlat.txt", XS_COMPAT_TASK, 0, 0, &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, XS_XFEATURE_MASK_AVX512 | XS_XFEATURE_MASK_PKRU);
	assert_int_equal(c.size_a, 2696);
	assert_int_equal(c.size_b, 1088);
	compat_real("intel-skylake-client.instlat.txt", "intel-skylake-sp.plain.txt", XS_COMPAT_TASK, 0, 0, &c);
	assert_true(c.compatible);
	assert_int_equal(c.moved, 0);	/* AVX and MPX at 576, 960, 1024 on both */
	compat_real("amd-zen3.instlat.txt", "amd-zen4.instlat.txt", XS_COMPAT_TASK, 0, 0, &c);
	assert_true(c.compatible);
	assert_int_equal(c.size_a, 2440);
	assert_int_equal(c.size_b, 2440);
	compat_real("amd-zen4.instlat.txt", "amd-zen3.instlat.txt", XS_COMPAT_TASK, 0, 0, &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, XS_XFEATURE_MASK_AVX512);
}

/*
 * One host, two releases: a vCPU of a 6.18 Zen 4 host (KVM virtualises
 * CET_U and CET_S in IA32_XSS) cannot resume on the same CPU under 6.1,
 * whose KVM offers no XSS; the xsave buffer itself (4096 bytes) fits.
 */
static void test_the_same_real_cpu_under_6_18_and_6_1(void **state)
{
	struct xs_compat c;

	(void)state;
	compat_real("amd-zen4.instlat.txt", "amd-zen4.instlat.txt", XS_COMPAT_VCPU, XS_KERNEL(6, 18),
		    XS_KERNEL(6, 1), &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, 0);
	assert_int_equal(c.missing_xss, XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL);
	assert_int_equal(c.size_a, 4096);
	assert_int_equal(c.size_b, 4096);
	compat_real("amd-zen4.instlat.txt", "amd-zen4.instlat.txt", XS_COMPAT_VCPU, XS_KERNEL(6, 1),
		    XS_KERNEL(6, 18), &c);
	assert_true(c.compatible);
}

static void test_zen3_to_zen4_and_back(void **state)
{
	struct xs_compat c;

	(void)state;
	xs_compat_check(zen3, zen4, XS_COMPAT_TASK, &c);
	assert_false(c.compatible);	/* this Zen 4 model has no PKU */
	assert_int_equal(c.missing, XS_XFEATURE_MASK_PKRU);
	xs_compat_check(zen4, zen3, XS_COMPAT_TASK, &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, XS_XFEATURE_MASK_AVX512);
	/* the AVX-512 server and Zen 4 disagree on where opmask lives */
	xs_compat_check(skx, zen4, XS_COMPAT_VCPU, &c);
	assert_true(c.moved & XS_XFEATURE_MASK_OPMASK);
}

static void test_vcpu_on_a_cet_host_needs_cet_on_the_target(void **state)
{
	struct xs_compat c;
	bool noted = false;

	(void)state;
	xs_compat_check(zen4, zen4_off, XS_COMPAT_VCPU, &c);
	assert_false(c.compatible);
	assert_int_equal(c.missing, 0);	/* the xsave buffers match... */
	assert_int_equal(c.missing_xss, 0x1800);	/* ...the CET state does not */
	for (unsigned i = 0; i < c.nnotes; i++)
		noted |= strstr(c.notes[i], "outside the xsave buffer: IA32_XSS and the CET MSRs") != NULL;
	assert_true(noted);
	/* a task only carries CET_U, which both kernels keep */
	xs_compat_check(zen4, zen4_off, XS_COMPAT_TASK, &c);
	assert_true(c.compatible);
	xs_compat_check(zen4_off, zen4, XS_COMPAT_VCPU, &c);
	assert_true(c.compatible);
}

/* XCR0 of the vCPU baseline of the first n hosts of a pool. */
static uint64_t baseline_xcr0(const xs_system *const *pool, unsigned n)
{
	xs_baseline *bl;
	uint64_t xcr0;

	assert_int_equal(xs_baseline_new(&bl, pool, n, XS_COMPAT_VCPU), 0);
	xcr0 = xs_baseline_info(bl)->xcr0;
	xs_baseline_free(bl);
	return xcr0;
}

/* CPUID 0xD.subleaf of a baseline, register r (0 EAX .. 3 EDX). */
static uint32_t leaf_d(const xs_baseline *bl, unsigned subleaf, unsigned r)
{
	struct xs_cpuid_leaf l;

	assert_true(xs_baseline_leaf_d(bl, subleaf, &l));
	assert_int_equal(l.leaf, subleaf < 2 || l.eax ? 0xd : 0);
	return r == 0 ? l.eax : r == 1 ? l.ebx : r == 2 ? l.ecx : l.edx;
}

static void test_baseline_of_a_mixed_pool_is_the_hand_computed_intersection(void **state)
{
	const xs_system *pool[] = { skx, client, zen4 };
	const struct xs_baseline_info *bi;
	struct xs_component_layout l;
	xs_baseline *bl = NULL;

	(void)state;
	assert_int_equal(xs_baseline_new(&bl, pool, 3, XS_COMPAT_VCPU), 0);
	bi = xs_baseline_info(bl);
	/* every host: x87, SSE, AVX with YMM at 576 (256 bytes) */
	assert_int_equal(bi->xcr0, 0x7);
	assert_int_equal(bi->xss, 0);
	assert_int_equal(bi->standard_size, 832);
	assert_int_equal(bi->compacted_size, 832);
	/* MPX: SKX and the client, not Zen 4 */
	assert_int_equal(xs_baseline_limiting(bl, 3), XS_BIT(2));
	/* AVX-512: the client lacks it and Zen 4 lays it out differently */
	assert_int_equal(xs_baseline_limiting(bl, 5), XS_BIT(1) | XS_BIT(2));
	assert_int_equal(xs_baseline_limiting(bl, 9), XS_BIT(1) | XS_BIT(2));
	/* ... and Zen 4's KVM offers CET_U/CET_S, which the Intel hosts lack */
	assert_int_equal(xs_baseline_limiting(bl, 11), XS_BIT(0) | XS_BIT(1));
	assert_int_equal(xs_baseline_limiting(bl, 2), 0);
	assert_int_equal(xs_baseline_limiting(bl, XS_XFEATURE_MAX), 0);
	assert_int_equal(bi->dropped, 0x2f8 | 0x1800);
	assert_int_equal(leaf_d(bl, 0, 0), 0x7);
	assert_int_equal(leaf_d(bl, 0, 1), 832);
	assert_int_equal(leaf_d(bl, 1, 0), 0xf);
	assert_int_equal(leaf_d(bl, 2, 0), 256);
	assert_int_equal(leaf_d(bl, 2, 1), 576);
	assert_int_equal(leaf_d(bl, 5, 0), 0);
	assert_false(xs_baseline_leaf_d(bl, XS_XFEATURE_MAX, &(struct xs_cpuid_leaf){ 0 }));
	/* YMM as every host has it (xsave-isa.md §1.1: 256 bytes at 576); MPX as the Intel hosts agree */
	assert_true(xs_baseline_layout(bl, 2, &l));
	assert_int_equal(l.size, 256);
	assert_int_equal(l.offset, 576);
	assert_true(xs_baseline_layout(bl, 3, &l));
	assert_int_equal(l.size, 64);
	assert_int_equal(l.offset, 960);
	assert_false(xs_baseline_layout(bl, 1, &l));
	xs_baseline_free(bl);
	/* two Intel hosts keep MPX; a pool of one is itself */
	assert_int_equal(baseline_xcr0(pool, 2), 0x1f);
	assert_int_equal(baseline_xcr0(pool, 1), 0x2ff);
	bl = NULL;
	assert_int_equal(xs_baseline_new(&bl, pool, 0, XS_COMPAT_VCPU), -22);
	assert_null(bl);
}

static int tool(const char *args, char **out)
{
	return xt_tool(args, out, true);
}

static void test_compat_command_json_and_exit_status(void **state)
{
	char args[4096], *out;
	json_t *j, *m;

	(void)state;
	snprintf(args, sizeof(args), "compat %s %s --format json", skx_path, client_path);
	assert_int_equal(tool(args, &out), 1);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_false(json_boolean_value(json_object_get(j, "compatible")));
	m = json_object_get(j, "missing");
	assert_int_equal(json_array_size(m), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "name")), "avx512_opmask");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 3), "index")), 9);
	assert_int_equal(json_integer_value(json_object_get(j, "size_a")), 2696);
	assert_int_equal(json_integer_value(json_object_get(j, "size_b")), 1088);
	assert_true(json_is_array(json_object_get(j, "notes")));
	json_decref(j);
	free(out);
	snprintf(args, sizeof(args), "compat %s %s", client_path, skx_path);
	assert_int_equal(tool(args, &out), 0);
	free(out);
	assert_int_equal(tool("compat live", &out), 2);
	free(out);
	assert_int_equal(tool("compat live live --kind robot", &out), 2);
	assert_non_null(strstr(out, "expected task or vcpu"));
	free(out);
	/* a bad release names the option it came with */
	assert_int_equal(tool("compat live live --kernel-b 4.19", &out), 2);
	assert_non_null(strstr(out, "xstate: --kernel-b: expected a release from 5.10 to 6.18"));
	free(out);
}

static void test_baseline_command_prints_cpuid_for_guests(void **state)
{
	char args[4096], *out;

	(void)state;
	snprintf(args, sizeof(args), "baseline %s %s %s", skx_path, client_path, zen4_path);
	assert_int_equal(tool(args, &out), 0);
	assert_non_null(strstr(out, "XCR0 0x7 (x87,sse,avx)"));
	assert_non_null(strstr(out, "0000000d 0 00000007 00000340 00000340 00000000"));
	assert_non_null(strstr(out, "left out: mpx_bndregs"));
	free(out);
	assert_int_equal(tool("baseline", &out), 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_avx512_server_task_cannot_move_to_an_avx2_client),
		cmocka_unit_test(test_avx2_client_task_moves_to_the_avx512_server),
		cmocka_unit_test(test_signal_frames_moving_to_a_larger_cpu_survive_after_the_revert),
		cmocka_unit_test(test_zen3_to_zen4_and_back),
		cmocka_unit_test(test_real_cpus_both_ways),
		cmocka_unit_test(test_the_same_real_cpu_under_6_18_and_6_1),
		cmocka_unit_test(test_vcpu_on_a_cet_host_needs_cet_on_the_target),
		cmocka_unit_test(test_baseline_of_a_mixed_pool_is_the_hand_computed_intersection),
		cmocka_unit_test(test_compat_command_json_and_exit_status),
		cmocka_unit_test(test_baseline_command_prints_cpuid_for_guests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
