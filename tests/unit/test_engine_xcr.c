// SPDX-License-Identifier: MIT
/*
 * XGETBV and XSETBV (xsave-isa.md §6, checklist §11.16-17): what XGETBV(1)
 * reports, the XCR0 value rules — AVX-512 all or nothing, MPX and AMX in
 * pairs, no supervisor bits — and that XCR0 changes keep register state.
 */
#include "engine_util.h"

#define ZEN4 "amd-zen4.instlat.txt"
#define SKYLAKE "intel-skylake-client.instlat.txt"
#define EMR "intel-emerald-rapids.instlat.txt"

static void expect_xsetbv(xs_machine *m, uint64_t value, enum xs_exception want)
{
	uint64_t xcr0 = xs_machine_xcr0(m);

	assert_int_equal(xs_xsetbv(m, 0, value), want);
	assert_int_equal(xs_machine_xcr0(m), want ? xcr0 : value);
}

/* §11.17, §6: 5h, 21h, 63h, 67h, 8h (no x87), supervisor bits → #GP; 1h, 3h, 7h, E7h → accepted. */
static void test_xsetbv_checklist_values(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	static const uint64_t bad[] = { 0x5, 0x21, 0x63, 0x67, 0x8, 0x0, 0x103, 0x803, 0x1003 };
	static const uint64_t good[] = { 0x1, 0x3, 0x7, 0xe7, 0x2e7, 0x207 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_xsetbv(m, bad[i], XS_EXC_GP);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect_xsetbv(m, good[i], XS_EXC_NONE);
	xs_machine_free(m);
}

/*
 * §6: bit 63, bits the CPU does not enumerate in 0Dh.0 (AMX and LWP on
 * Zen 4) and supervisor bits (IA32_XSS-only, even where the CPU has them
 * in 0Dh.1: PT and LBR on Emerald Rapids) are #GP in XCR0.
 */
static void test_xsetbv_gp_on_bit_63_unsupported_and_supervisor_bits(void **state)
{
	xs_machine *z = et_machine(ZEN4, 0), *e = et_machine(EMR, 0);
	static const unsigned zen4_bad[] = { 63, 62, 17, 18, 19, 20, 3 };
	static const unsigned emr_bad[] = { 8, 10, 14, 15, 63 };

	(void)state;
	for (size_t i = 0; i < sizeof(zen4_bad) / sizeof(zen4_bad[0]); i++)
		expect_xsetbv(z, 0xe7 | XS_BIT(zen4_bad[i]), XS_EXC_GP);
	for (size_t i = 0; i < sizeof(emr_bad) / sizeof(emr_bad[0]); i++) {
		assert_true(xs_machine_cpu_info(e)->xss_supported & XS_BIT(emr_bad[i]) || emr_bad[i] == 63);
		expect_xsetbv(e, 0xe7 | XS_BIT(emr_bad[i]), XS_EXC_GP);
	}
	expect_xsetbv(e, 0x600e7, XS_EXC_NONE);
	xs_machine_free(e);
	xs_machine_free(z);
}

/* §6 (SDM1 §13.3): AVX-512 needs all three of its components, and SSE and AVX with them. */
static void test_xsetbv_avx512_all_or_nothing(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);

	(void)state;
	for (uint64_t part = 1; part < 8; part++) {
		uint64_t avx512 = part << 5;

		expect_xsetbv(m, 0x7 | avx512, part == 7 ? XS_EXC_NONE : XS_EXC_GP);
		expect_xsetbv(m, 0x3 | avx512, XS_EXC_GP);	/* without AVX */
		expect_xsetbv(m, 0x5 | avx512, XS_EXC_GP);	/* without SSE */
	}
	xs_machine_free(m);
}

/* §6: MPX's BNDREGS and BNDCSR go together (Skylake client has MPX). */
static void test_xsetbv_mpx_components_in_pairs(void **state)
{
	xs_machine *m = et_machine(SKYLAKE, 0);

	(void)state;
	expect_xsetbv(m, 0x0f, XS_EXC_GP);
	expect_xsetbv(m, 0x17, XS_EXC_GP);
	expect_xsetbv(m, 0x1f, XS_EXC_NONE);
	xs_machine_free(m);
}

/* §6: AMX TILECFG and TILEDATA go together (Emerald Rapids). */
static void test_xsetbv_amx_components_in_pairs(void **state)
{
	xs_machine *m = et_machine(EMR, 0);

	(void)state;
	expect_xsetbv(m, 0x20007, XS_EXC_GP);
	expect_xsetbv(m, 0x40007, XS_EXC_GP);
	expect_xsetbv(m, 0x60007, XS_EXC_NONE);
	expect_xsetbv(m, 0x1000007, XS_EXC_GP);	/* not supported at all */
	xs_machine_free(m);
}

/* §6: clearing an XCR0 bit preserves the component's state; setting it again shows it. */
static void test_xsetbv_keeps_register_state(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint64_t v;

	(void)state;
	et_dirty(m, XS_XFEATURE_ZMM_Hi256, 0x42);
	expect_xsetbv(m, 0x7, XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_ZMM_Hi256, 32, 0)[0], 0x42);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v & XS_XFEATURE_MASK_ZMM_Hi256, 0);	/* XCR0 & XINUSE */
	expect_xsetbv(m, 0xe7, XS_EXC_NONE);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v & XS_XFEATURE_MASK_ZMM_Hi256, XS_XFEATURE_MASK_ZMM_Hi256);
	xs_machine_free(m);
}

/*
 * §11.16, §4.5, §6: XGETBV(1) = XCR0 & XINUSE, with bit 1 also set while
 * MXCSR != 1F80h (XMM all zero); XSAVE's XSTATE_BV[1] does not see MXCSR.
 */
static void test_xgetbv1_reports_mxcsr_that_is_not_default(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(4096);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v, 0);
	xs_machine_set_mxcsr(m, 0x1fc0);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v, XS_XFEATURE_MASK_SSE);
	assert_int_equal(xs_xsave(m, a, 4096, 0x3, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_NONE);
	assert_int_equal(v, 0x2e7);
	free(a);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsetbv_checklist_values),
		cmocka_unit_test(test_xsetbv_gp_on_bit_63_unsupported_and_supervisor_bits),
		cmocka_unit_test(test_xsetbv_avx512_all_or_nothing),
		cmocka_unit_test(test_xsetbv_mpx_components_in_pairs),
		cmocka_unit_test(test_xsetbv_amx_components_in_pairs),
		cmocka_unit_test(test_xsetbv_keeps_register_state),
		cmocka_unit_test(test_xgetbv1_reports_mxcsr_that_is_not_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
