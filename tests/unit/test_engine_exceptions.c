// SPDX-License-Identifier: MIT
/*
 * Every exception condition of xsave-isa.md for the engine's instructions:
 * #UD, #NM, #GP, #AC and the page-fault-like result for a short buffer —
 * each test names the section it comes from — and that an instruction
 * which raises one changes nothing.
 */
#include "engine_util.h"
#include "engine/machine.h"	/* "changes nothing": the whole machine compared, layout plans included */

#define ZEN4 "amd-zen4.instlat.txt"
#define HASWELL "intel-haswell.instlat.txt"
#define SKYLAKE "intel-skylake-client.instlat.txt"
#define EMR "intel-emerald-rapids.instlat.txt"

/* Run every XSAVE-family instruction on an aligned, roomy area; each must raise `want`. */
static void expect_all_xsave(xs_machine *m, enum xs_exception want)
{
	uint8_t *a = et_area(16384);

	assert_int_equal(xs_xsave(m, a, 16384, ET_ALL, 0), want);
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, 0), want);
	assert_int_equal(xs_xsavec(m, a, 16384, ET_ALL, 0), want);
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), want);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), want);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), want);
	free(a);
}

/* §1.2, §4 common, §6: without CPUID.1:ECX.XSAVE every instruction of the family is #UD. */
static void test_xsave_family_ud_without_xsave(void **state)
{
	xs_machine *m = et_machine("no-xsave.instlat.txt", 0);
	uint64_t v;

	(void)state;
	expect_all_xsave(m, XS_EXC_UD);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_UD);
	assert_int_equal(xs_xsetbv(m, 0, 1), XS_EXC_UD);
	xs_machine_free(m);
}

/* §4 common, §6: CR4.OSXSAVE = 0 makes the family, XGETBV and XSETBV #UD. */
static void test_xsave_family_ud_when_cr4_osxsave_clear(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint64_t v;

	(void)state;
	et_ctx(m)->cr4_osxsave = false;
	expect_all_xsave(m, XS_EXC_UD);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_UD);
	assert_int_equal(xs_xsetbv(m, 0, 3), XS_EXC_UD);
	xs_machine_free(m);
}

/* §1.2: CPUID 0Dh.1 EAX[1] = 0 (Haswell) → XSAVEC #UD; EAX[3] = 0 → XSAVES/XRSTORS #UD. */
static void test_xsavec_and_xsaves_ud_where_cpu_lacks_them(void **state)
{
	xs_machine *m = et_machine(HASWELL, 0);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_false(xs_machine_cpu_info(m)->xsavec);
	assert_int_equal(xs_xsavec(m, a, 4096, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xsaves(m, a, 4096, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xrstors(m, a, 4096, ET_ALL, 0), XS_EXC_UD);
	/* XSAVE, XSAVEOPT and XRSTOR are there */
	assert_int_equal(xs_xsave(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_xsaveopt(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_xrstor(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §1.2: the AMD Zen 4 enumerates XSAVES; XSAVES exists there (CPL 0) and not on Haswell. */
static void test_xsaves_available_where_cpuid_says_so(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_true(xs_machine_cpu_info(m)->xsaves);
	assert_int_equal(xs_xsaves(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_xrstors(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §1.2: without CPUID 0Dh.1 EAX[0], XSAVEOPT is #UD (model with the bit cleared). */
static void test_xsaveopt_ud_without_cpuid_bit(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_machine *m;
	uint8_t *a = et_area(4096);

	(void)state;
	xt_load_cpu(cpu, HASWELL);
	xs_cpu_set_leaf(cpu, 0xd, 1, 0, 0, 0, 0);
	m = et_machine_of(cpu, 0);
	assert_int_equal(xs_xsaveopt(m, a, 4096, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xsave(m, a, 4096, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
	xs_cpu_free(cpu);
}

/* §2.1: FXSAVE/FXRSTOR #UD without CPUID.1:EDX.FXSR and with CR0.EM = 1. */
static void test_fxsave_ud_without_fxsr_or_with_cr0_em(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	uint32_t r[4];
	xs_machine *m;
	uint8_t *a = et_area(1024);

	(void)state;
	xt_load_cpu(cpu, HASWELL);
	xs_cpuid(cpu, 1, 0, r);
	xs_cpu_set_leaf(cpu, 1, 0, r[0], r[1], r[2], r[3] & ~(1u << 24));
	m = et_machine_of(cpu, 0);
	assert_int_equal(xs_fxsave(m, a, 512, 0), XS_EXC_UD);
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_UD);
	xs_machine_free(m);
	m = et_machine(HASWELL, 0);
	et_ctx(m)->cr0_em = true;
	assert_int_equal(xs_fxsave(m, a, 512, 0), XS_EXC_UD);
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_UD);
	/* the XSAVE family ignores CR0.EM (§2.1) */
	assert_int_equal(xs_xsave(m, a, 1024, 3, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
	xs_cpu_free(cpu);
}

/* §4 common, §2.1: CR0.TS = 1 → #NM for the saves and restores; XGETBV is unaffected (§6). */
static void test_cr0_ts_raises_nm(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = et_area(512);
	uint64_t v;

	(void)state;
	et_ctx(m)->cr0_ts = true;
	expect_all_xsave(m, XS_EXC_NM);
	assert_int_equal(xs_fxsave(m, a, 512, 0), XS_EXC_NM);
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_NM);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §4 common, §5.1 check 1: a linear address that is not 64-byte aligned is #GP. */
static void test_xsave_family_gp_on_misaligned_area(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = et_area(8192);

	(void)state;
	for (unsigned off = 1; off < 64; off++) {
		assert_int_equal(xs_xsave(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xsaveopt(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xsavec(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xsaves(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xrstor(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xrstors(m, a + off, 4096, ET_ALL, 0), XS_EXC_GP);
	}
	free(a);
	xs_machine_free(m);
}

/* §2.1: FXSAVE/FXRSTOR need 16-byte alignment, not 64. */
static void test_fxsave_gp_on_area_not_16_byte_aligned(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(1024);

	(void)state;
	et_st32(a, 16 + 24, 0x1f80);
	assert_int_equal(xs_fxsave(m, a + 16, 512, 0), XS_EXC_NONE);
	assert_int_equal(xs_fxrstor(m, a + 16, 512, 0), XS_EXC_NONE);
	for (unsigned off = 1; off < 16; off++) {
		assert_int_equal(xs_fxsave(m, a + off, 512, 0), XS_EXC_GP);
		assert_int_equal(xs_fxrstor(m, a + off, 512, 0), XS_EXC_GP);
	}
	free(a);
	xs_machine_free(m);
}

/*
 * §4 common (SDM1 footnote), §2.1: with alignment checking on at CPL 3
 * (CR0.AM, EFLAGS.AC) the CPU may raise #AC instead of #GP, at a width of
 * its choosing. Zen 5 and Zen 4 (measured, xs_engine_impl): FXSAVE #AC
 * below 4-byte alignment, #GP otherwise; XSAVE always #GP. BOCHS-like:
 * #AC below 4.
 */
static void test_ac_instead_of_gp_with_alignment_check(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(8192);

	(void)state;
	et_ctx(m)->alignment_check = true;
	assert_int_equal(xs_fxsave(m, a + 2, 512, 0), XS_EXC_AC);
	assert_int_equal(xs_fxrstor(m, a + 1, 512, 0), XS_EXC_AC);
	assert_int_equal(xs_fxsave(m, a + 4, 512, 0), XS_EXC_GP);
	assert_int_equal(xs_xsave(m, a + 1, 4096, ET_ALL, 0), XS_EXC_GP);	/* AMD: never #AC */
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_XSAVE_AC_ALIGN, 4), 0);
	assert_int_equal(xs_xsave(m, a + 1, 4096, ET_ALL, 0), XS_EXC_AC);
	assert_int_equal(xs_xrstor(m, a + 2, 4096, ET_ALL, 0), XS_EXC_AC);
	assert_int_equal(xs_xsave(m, a + 8, 4096, ET_ALL, 0), XS_EXC_GP);
	/* #AC exists at CPL 3 only */
	et_ctx(m)->cpl = 0;
	assert_int_equal(xs_xsave(m, a + 1, 4096, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_fxsave(m, a + 2, 512, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §4.4, §5.2: XSAVES and XRSTORS are #GP at CPL > 0. */
static void test_xsaves_xrstors_gp_above_cpl0(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_int_equal(xs_xsaves(m, a, 4096, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstors(m, a, 4096, ET_ALL, 0), XS_EXC_GP);
	et_ctx(m)->cpl = 1;
	assert_int_equal(xs_xsaves(m, a, 4096, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §6: XSETBV #GP at CPL > 0 and for ECX != 0; XGETBV #GP for ECX other than 0 and 1. */
static void test_xsetbv_xgetbv_gp_on_cpl_and_ecx(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 3), XS_EXC_GP);
	et_ctx(m)->cpl = 0;
	assert_int_equal(xs_xsetbv(m, 1, 3), XS_EXC_GP);
	assert_int_equal(xs_xgetbv(m, 2, &v), XS_EXC_GP);
	assert_int_equal(xs_xgetbv(m, 0xffffffffu, &v), XS_EXC_GP);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	xs_machine_free(m);
}

/* §6: XGETBV with ECX = 1 needs CPUID 0Dh.1 EAX[2] (Haswell lacks it → #GP). */
static void test_xgetbv1_gp_without_cpuid_bit(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_GP);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_NONE);
	assert_int_equal(v, 7);
	xs_machine_free(m);
}

/* The Zen 4 at CPL 3 with XCR0 = E7h (no PKRU), as the live VM the spec measured. */
static xs_machine *zen4_e7(void)
{
	xs_machine *m = et_machine(ZEN4, 0);

	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	return m;
}

/* A standard-format area of `m` with a valid header and MXCSR. */
static uint8_t *std_area(const xs_machine *m, uint64_t xstate_bv)
{
	uint8_t *a = et_area(16384);

	(void)m;
	et_st32(a, 24, 0x1f80);
	et_st64(a, ET_XSTATE_BV, xstate_bv);
	return a;
}

/* §5.1 check 3: XSTATE_BV bits outside XCR0 are #GP even when RFBM excludes them, bit 63 too. */
static void test_xrstor_standard_form_gp_on_xstate_bv_outside_xcr0(void **state)
{
	xs_machine *m = zen4_e7();
	static const unsigned bits[] = { 3, 4, 8, 9, 11, 12, 17, 62, 63 };

	(void)state;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint8_t *a = std_area(m, 0x3 | XS_BIT(bits[i]));

		assert_int_equal(xs_xrstor(m, a, 16384, 0x3, 0), XS_EXC_GP);
		assert_int_equal(xs_xrstor(m, a, 16384, 0, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/* §5.1 check 4, §3: the standard form needs header bytes 520-535 zero (XCOMP_BV and the next qword). */
static void test_xrstor_standard_form_gp_on_nonzero_xcomp_bv(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);

	(void)state;
	for (unsigned byte = 520; byte < 536; byte++) {
		uint8_t *a = std_area(m, 3);

		a[byte] = byte == 527 ? 0x40 : 1;	/* 527 = 0x80 would select the compacted form */
		assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/* §3, §11.8: header bytes 536-575 are not checked by the standard form. */
static void test_xrstor_standard_form_ignores_header_bytes_536_to_575(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 3);

	(void)state;
	memset(a + 536, 0xff, 40);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §5.1 check 2: the compacted form on a CPU without XSAVEC is #GP. */
static void test_xrstor_compacted_form_gp_without_xsavec(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint8_t *a = std_area(m, 0);

	(void)state;
	et_st64(a, ET_XCOMP_BV, ET_CMP | 3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §5.1 check 5: XCOMP_BV[62:0] bits outside XCR0 are #GP. */
static void test_xrstor_compacted_gp_on_xcomp_bv_outside_xcr0(void **state)
{
	xs_machine *m = zen4_e7();
	static const unsigned bits[] = { 9, 11, 12, 62 };

	(void)state;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint8_t *a = std_area(m, 0);

		et_st64(a, ET_XCOMP_BV, ET_CMP | 3 | XS_BIT(bits[i]));
		assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/*
 * §5.1 check 6: XSTATE_BV bits not in XCOMP_BV are #GP — bit 63 as well,
 * although XCOMP_BV[63] = 1 (live CPU: #GP; the spec's [?], BOCHS accepts).
 */
static void test_xrstor_compacted_gp_on_xstate_bv_outside_xcomp_bv(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0x7);

	(void)state;
	et_st64(a, ET_XCOMP_BV, ET_CMP | 0x3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, ET_CMP | 0x3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, 0x3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §5.1 check 7: the compacted form needs header bytes 528-575 zero. */
static void test_xrstor_compacted_gp_on_nonzero_reserved_header(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);

	(void)state;
	for (unsigned byte = 528; byte < 576; byte++) {
		uint8_t *a = std_area(m, 0);

		et_st64(a, ET_XCOMP_BV, ET_CMP | 3);
		a[byte] = 0x10;
		assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/*
 * §5.1 check 8: an MXCSR with bits outside MXCSR_MASK is #GP where it
 * would be loaded — standard form when RFBM[1] or RFBM[2], compacted form
 * only with SSE data.
 */
static void test_xrstor_gp_on_reserved_mxcsr_only_where_loaded(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0);

	(void)state;
	et_st32(a, 24, 0x1f80 | 0x40000);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x2, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x4, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x1, 0), XS_EXC_NONE);
	et_st64(a, ET_XCOMP_BV, ET_CMP | 0x3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);	/* SSE initialised */
	et_st64(a, ET_XSTATE_BV, 0x2);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §4.5, §11.12: with EDX:EAX = 0 the header checks still fault. */
static void test_xrstor_header_checks_apply_with_rfbm_zero(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0);

	(void)state;
	a[530] = 1;
	assert_int_equal(xs_xrstor(m, a, 16384, 0, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §2.1: FXRSTOR #GP for MXCSR bits outside MXCSR_MASK. */
static void test_fxrstor_gp_on_reserved_mxcsr(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint8_t *a = et_area(512);

	(void)state;
	et_st32(a, 24, 0x1f80 | 0x20000);	/* MM: writable only with MISALIGNSSE */
	assert_int_equal(xs_machine_trait(m, XS_TRAIT_MXCSR_MASK), 0xffff);
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_GP);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_MXCSR_MASK, 0x2ffff), 0);
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/*
 * §5.2: XRSTORS has no standard form (XCOMP_BV[63] = 0 is #GP) and takes
 * XCOMP_BV bits from XCR0 | IA32_XSS only.
 */
static void test_xrstors_gp_on_standard_form_or_xcomp_bv_outside_xss(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = std_area(m, 3);

	(void)state;
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XCOMP_BV, ET_CMP | 3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_st64(a, ET_XCOMP_BV, ET_CMP | 3 | XS_XFEATURE_MASK_CET_USER);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_CET_USER), XS_EXC_NONE);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* A CPL-0 machine on Emerald Rapids with every supervisor component it has in IA32_XSS. */
static xs_machine *supervisor_machine(void)
{
	xs_machine *m = et_machine(EMR, 0);

	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, xs_machine_cpu_info(m)->xss_supported), XS_EXC_NONE);
	return m;
}

/* An XRSTORS image with component nr present and its bytes from `data`. */
static uint8_t *xrstors_image(const xs_machine *m, unsigned nr, const void *data, size_t n)
{
	uint8_t *a = et_area(16384);
	uint64_t xcomp = ET_CMP | XS_XFEATURE_MASK_FPSSE | XS_BIT(nr);

	et_st32(a, 24, 0x1f80);
	et_st64(a, ET_XSTATE_BV, XS_BIT(nr));
	et_st64(a, ET_XCOMP_BV, xcomp);
	memcpy(a + xs_engine_offset(m, xcomp, nr), data, n);
	return a;
}

/*
 * §5.2, §9: XRSTORS loads CET_U/CET_S with WRMSR's checks: U_CET bits 9:6
 * reserved, SUPPRESS with TRACKER, non-canonical; SSPs non-canonical or
 * not 4-byte aligned.
 */
static void test_xrstors_gp_on_invalid_cet_values(void **state)
{
	xs_machine *m = supervisor_machine();
	const uint64_t good_u[2] = { 0x1, 0x7ffffffff000 }, good_s[3] = { 0x1000, 0x2000, 0x3000 };
	const uint64_t bad_u[][2] = { { 0x40, 0 }, { 0xc00, 0 }, { 0x8000000000000000, 0 }, { 0, 0x1002 } };
	const uint64_t bad_s[][3] = { { 0x1001, 0, 0 }, { 0, 0x8000000000001000, 0 } };
	uint8_t *a;

	(void)state;
	a = xrstors_image(m, XS_XFEATURE_CET_USER, good_u, sizeof(good_u));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	a = xrstors_image(m, XS_XFEATURE_CET_KERNEL, good_s, sizeof(good_s));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	for (size_t i = 0; i < sizeof(bad_u) / sizeof(bad_u[0]); i++) {
		a = xrstors_image(m, XS_XFEATURE_CET_USER, bad_u[i], sizeof(bad_u[i]));
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	for (size_t i = 0; i < sizeof(bad_s) / sizeof(bad_s[0]); i++) {
		a = xrstors_image(m, XS_XFEATURE_CET_KERNEL, bad_s[i], sizeof(bad_s[i]));
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/* §5.2, §9: PT cannot be restored or initialised while TraceEn = 1; reserved PT bytes are #GP. */
static void test_xrstors_gp_on_pt_while_tracing_or_reserved_bytes(void **state)
{
	xs_machine *m = supervisor_machine();
	uint8_t pt[128] = { 0 };
	uint8_t *a = xrstors_image(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR, pt, sizeof(pt));

	(void)state;
	et_reg(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR)[0] = 1;	/* IA32_RTIT_CTL.TraceEn */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, 0);	/* initialising is refused too */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstors(m, a, 16384, 0x3, 0), XS_EXC_NONE);	/* PT not requested */
	et_reg(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR)[0] = 0;
	pt[100] = 1;
	free(a);
	a = xrstors_image(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR, pt, sizeof(pt));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §5.2: UINTR is refused while UINV != 0, and for reserved or non-canonical values. */
static void test_xrstors_gp_on_uintr_rules(void **state)
{
	xs_machine *m = supervisor_machine();	/* Emerald Rapids enumerates UINTR (48 bytes) */
	uint64_t uintr[6] = { 0 };
	uint8_t *a;

	(void)state;
	assert_int_equal(et_size(m, 14), 48);
	a = xrstors_image(m, 14, uintr, sizeof(uintr));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_reg(m, XS_XFEATURE_RSRVD_COMP_14)[16 + 4] = 0x20;	/* UINV currently set */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_reg(m, XS_XFEATURE_RSRVD_COMP_14)[16 + 4] = 0;
	free(a);
	uintr[2] = UINT64_C(1) << 40;	/* MISC reserved bit */
	a = xrstors_image(m, 14, uintr, sizeof(uintr));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	free(a);
	uintr[2] = 0;
	uintr[3] = 0x20;	/* PD bits 5:0 */
	a = xrstors_image(m, 14, uintr, sizeof(uintr));
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* §5.3: XRSTOR of data for an XFD-armed component is #NM with IA32_XFD_ERR set; init is fine. */
static void test_xrstor_nm_on_xfd_armed_component(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = std_area(m, XS_XFEATURE_MASK_XTILE_DATA | 3);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_DATA), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NM);
	assert_int_equal(xs_machine_xfd_err(m), XS_XFEATURE_MASK_XTILE_DATA);
	assert_int_equal(xs_xrstor(m, a, 16384, ~XS_XFEATURE_MASK_XTILE_DATA, 0), XS_EXC_NONE);
	et_st64(a, ET_XSTATE_BV, 3);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §5.3, §6: WRMSR #GP for bits the CPU does not support, for absent MSRs and above CPL 0. */
static void test_wrmsr_gp_rules(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	xs_machine *h = et_machine(HASWELL, 0);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_CFG), XS_EXC_GP);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_SSE), XS_EXC_GP);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_BIT(63)), XS_EXC_GP);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_CET_USER), XS_EXC_NONE);
	assert_int_equal(xs_rdmsr(m, XS_MSR_IA32_XSS, &v), XS_EXC_NONE);
	assert_int_equal(v, XS_XFEATURE_MASK_CET_USER);
	assert_int_equal(xs_wrmsr(h, XS_MSR_IA32_XSS, 0), XS_EXC_GP);	/* no XSAVES: no MSR */
	assert_int_equal(xs_wrmsr(h, XS_MSR_IA32_XFD, 0), XS_EXC_GP);
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_rdmsr(m, XS_MSR_IA32_XSS, &v), XS_EXC_GP);
	xs_machine_free(h);
	xs_machine_free(m);
}

/*
 * §2.1, §4, §6: a LOCK, 66, F2 or F3 prefix makes every instruction of the
 * family #UD — FXSAVE/FXRSTOR too (the spec lists LOCK only; the live
 * Zen 4 raises #UD for all four, the SDM marks them NP). The prefix #UD
 * comes before #NM (CR0.TS) and before XSETBV's CPL #GP (live Zen 4:
 * prefixed XSETBV at CPL 3 is #UD), and changes nothing.
 */
static void test_lock_66_f2_f3_prefixes_raise_ud(void **state)
{
	static const unsigned prefixes[] = { XS_PREFIX_LOCK, XS_PREFIX_66, XS_PREFIX_F2, XS_PREFIX_F3 };
	xs_machine *m = et_machine(ZEN4, 0), *before;
	uint8_t *a = std_area(m, 3), *copy = et_area(16384);
	uint64_t xcr0 = xs_machine_xcr0(m);

	(void)state;
	et_st64(a, ET_XCOMP_BV, 0);
	et_dirty_all(m, 0x5a);
	xs_machine_xinuse(m);
	before = xs_machine_dup(m);
	memcpy(copy, a, 16384);
	for (int insn = 0; insn < XS_INSN_COUNT; insn++) {
		struct xs_insn_args plain = { .insn = (enum xs_insn)insn, .buf = a, .len = 16384,
					      .edx_eax = insn == XS_INSN_XSETBV ? xcr0 : ET_ALL };

		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			struct xs_insn_args args = plain;

			args.prefixes = prefixes[p];
			assert_int_equal(xs_execute(m, &args), XS_EXC_UD);
			et_ctx(m)->cr0_ts = true;
			assert_int_equal(xs_execute(m, &args), XS_EXC_UD);
			et_ctx(m)->cr0_ts = false;
			et_ctx(m)->cpl = 3;
			assert_int_equal(xs_execute(m, &args), XS_EXC_UD);
			et_ctx(m)->cpl = 0;
			assert_memory_equal(m, before, sizeof(struct xs_machine));
			assert_memory_equal(a, copy, 16384);
		}
	}
	/* without a prefix they run (XSETBV of the current XCR0, the restores of a valid image) */
	for (int insn = 0; insn < XS_INSN_COUNT; insn++) {
		struct xs_insn_args args = { .insn = (enum xs_insn)insn, .buf = a, .len = 16384,
					     .edx_eax = insn == XS_INSN_XSETBV ? xcr0 : ET_ALL };

		if (insn == XS_INSN_XRSTORS)
			et_st64(a, ET_XCOMP_BV, ET_CMP | xcr0);
		assert_int_equal(xs_execute(m, &args), XS_EXC_NONE);
		et_st64(a, ET_XCOMP_BV, 0);
		memset(a + 528, 0, 48);
	}
	free(copy);
	free(a);
	xs_machine_free(before);
	xs_machine_free(m);
}

/*
 * §4 common, §5.2: in VMX non-root operation with the "enable
 * XSAVES/XRSTORS" control 0, XSAVES and XRSTORS are #UD — before #NM and
 * before the CPL #GP; the control means nothing outside non-root
 * operation, and the other instructions ignore it.
 */
static void test_xsaves_xrstors_ud_when_vmx_control_disables_them(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = std_area(m, 3);

	(void)state;
	et_st64(a, ET_XCOMP_BV, ET_CMP | 3);
	et_ctx(m)->vmx_xsaves_off = true;
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);	/* root: ignored */
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_ctx(m)->vmx_non_root = true;
	memset(a + 528, 0, 48);
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_UD);
	et_ctx(m)->cr0_ts = true;
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_UD);
	et_ctx(m)->cr0_ts = false;
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xsavec(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_ctx(m)->cpl = 0;
	et_ctx(m)->vmx_xsaves_off = false;
	memset(a + 528, 0, 48);
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/*
 * §6: XSETBV is #GP in virtual-8086 mode (CPL 3 there, whatever the CPL
 * field says) and allowed in real-address mode (CPL 0, not 64-bit);
 * XGETBV works in both. XSAVES and the MSRs see CPL 3 in V86 mode too (§4.4).
 */
static void test_xsetbv_gp_in_virtual_8086_mode(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = std_area(m, 3);
	uint64_t v;

	(void)state;
	et_ctx(m)->long_mode = false;
	assert_int_equal(xs_xsetbv(m, 0, 0x7), XS_EXC_NONE);	/* real-address mode */
	et_ctx(m)->v86 = true;
	assert_int_equal(xs_xsetbv(m, 0, 0x7), XS_EXC_GP);
	assert_int_equal(xs_xgetbv(m, 0, &v), XS_EXC_NONE);
	assert_int_equal(v, 0x7);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_rdmsr(m, XS_MSR_IA32_XSS, &v), XS_EXC_GP);
	assert_int_equal(xs_xsave(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_ctx(m)->v86 = false;
	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/*
 * §4 common, §5.1 order: #UD (CR4.OSXSAVE) before #NM (CR0.TS), #NM before
 * the alignment #GP, the alignment #GP before any access (a misaligned
 * area that passes the buffer end is #GP, not #PF).
 */
static void test_entry_checks_order_ud_nm_alignment_then_access(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(8192);

	(void)state;
	assert_int_equal(xs_xsave(m, a + 8, 100, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstor(m, a + 8, 100, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_fxsave(m, a + 8, 100, 0), XS_EXC_GP);
	et_ctx(m)->cr0_ts = true;
	assert_int_equal(xs_xsavec(m, a + 8, 100, ET_ALL, 0), XS_EXC_NM);
	assert_int_equal(xs_fxrstor(m, a + 8, 100, 0), XS_EXC_NM);
	et_ctx(m)->cr4_osxsave = false;
	assert_int_equal(xs_xsave(m, a + 8, 100, ET_ALL, 0), XS_EXC_UD);
	assert_int_equal(xs_xrstor(m, a + 8, 100, ET_ALL, 0), XS_EXC_UD);
	free(a);
	xs_machine_free(m);
}

/* §5.2: XRSTORS is #GP for XSTATE_BV bits outside XCOMP_BV, bit 63 included (as XRSTOR, §5.1 check 6). */
static void test_xrstors_gp_on_xstate_bv_outside_xcomp_bv(void **state)
{
	xs_machine *m = supervisor_machine();
	uint8_t *a = std_area(m, 0x7);

	(void)state;
	et_st64(a, ET_XCOMP_BV, ET_CMP | 0x3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, XS_XFEATURE_MASK_CET_USER | 0x3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, ET_CMP | 0x3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, 0x3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §5.2: XRSTORS needs header bytes 528-575 zero, also with RFBM = 0. */
static void test_xrstors_gp_on_nonzero_reserved_header(void **state)
{
	xs_machine *m = supervisor_machine();

	(void)state;
	for (unsigned byte = 528; byte < 576; byte++) {
		uint8_t *a = std_area(m, 0);

		et_st64(a, ET_XCOMP_BV, ET_CMP | 3);
		a[byte] = 0x01;
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		assert_int_equal(xs_xrstors(m, a, 16384, 0, 0), XS_EXC_GP);
		free(a);
	}
	xs_machine_free(m);
}

/*
 * §5.2 (the compacted rule of §5.1 check 8): XRSTORS is #GP for an MXCSR
 * outside MXCSR_MASK only when it loads SSE data; initialising SSE ignores
 * the memory value, and RFBM[2] plays no role.
 */
static void test_xrstors_gp_on_reserved_mxcsr_only_with_sse_data(void **state)
{
	xs_machine *m = supervisor_machine();
	uint8_t *a = std_area(m, 0);

	(void)state;
	et_st32(a, 24, 0x1f80 | 0x40000);
	et_st64(a, ET_XCOMP_BV, ET_CMP | 0x7);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_mxcsr(m), 0x1f80);
	et_st64(a, ET_XSTATE_BV, 0x4);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	et_st64(a, ET_XSTATE_BV, 0x2);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xrstors(m, a, 16384, 0x5, 0), XS_EXC_NONE);	/* SSE not requested */
	free(a);
	xs_machine_free(m);
}

/*
 * §5.3: XRSTORS (and compacted XRSTOR) of data for an XFD-armed component
 * is #NM with IA32_XFD_ERR set; initialising it is fine; a header #GP
 * comes first.
 */
static void test_xrstors_nm_on_xfd_armed_component(void **state)
{
	xs_machine *m = supervisor_machine();
	uint64_t amx = XS_XFEATURE_MASK_XTILE;
	uint8_t *a = std_area(m, XS_XFEATURE_MASK_XTILE_DATA | 3);

	(void)state;
	et_st64(a, ET_XCOMP_BV, ET_CMP | amx | 3);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_DATA), XS_EXC_NONE);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NM);
	assert_int_equal(xs_machine_xfd_err(m), XS_XFEATURE_MASK_XTILE_DATA);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD_ERR, 0), XS_EXC_NONE);
	a[540] = 1;	/* reserved header byte: #GP before the XFD check */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_machine_xfd_err(m), 0);
	a[540] = 0;
	assert_int_equal(xs_xrstors(m, a, 16384, ~XS_XFEATURE_MASK_XTILE_DATA, 0), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NM);	/* compacted XRSTOR */
	assert_int_equal(xs_machine_xfd_err(m), XS_XFEATURE_MASK_XTILE_DATA);
	et_ctx(m)->cpl = 0;
	et_st64(a, ET_XSTATE_BV, XS_XFEATURE_MASK_XTILE_CFG | 3);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);	/* TILEDATA initialised */
	free(a);
	xs_machine_free(m);
}

/* §5.3: the #NM of CR0.TS does not touch IA32_XFD_ERR, even where XFD would also fault. */
static void test_cr0_ts_nm_leaves_xfd_err(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = std_area(m, XS_XFEATURE_MASK_XTILE_DATA | 3);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_DATA), XS_EXC_NONE);
	et_ctx(m)->cr0_ts = true;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NM);
	assert_int_equal(xs_machine_xfd_err(m), 0);
	et_ctx(m)->cr0_ts = false;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NM);
	assert_int_equal(xs_machine_xfd_err(m), XS_XFEATURE_MASK_XTILE_DATA);
	free(a);
	xs_machine_free(m);
}

/*
 * §5.2 (SDM1 §13.5.11): XRSTORS is #GP when HANDLER, STACKADJUST, PD or TT
 * would not be canonical (Emerald Rapids: 57-bit linear addresses), or
 * when TT sets any of bits 3:1; TT bit 0 (valid) and canonical upper-half
 * values are fine.
 */
static void test_xrstors_gp_on_non_canonical_uintr_pointers_or_tt_bits(void **state)
{
	xs_machine *m = supervisor_machine();
	const uint64_t noncanonical = UINT64_C(1) << 57, upper = ~UINT64_C(0) << 56;
	uint64_t uintr[6];
	uint8_t *a;

	(void)state;
	assert_int_equal(xs_machine_cpu_info(m)->linear_bits, 57);
	for (unsigned field = 0; field < 6; field++) {
		if (field == 2 || field == 4)
			continue;	/* MISC and RR are not addresses */
		memset(uintr, 0, sizeof(uintr));
		uintr[field] = field == 3 ? upper & ~UINT64_C(0x3f) : upper & ~UINT64_C(0xf);
		a = xrstors_image(m, 14, uintr, sizeof(uintr));
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
		free(a);
		uintr[field] = noncanonical;
		a = xrstors_image(m, 14, uintr, sizeof(uintr));
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
		free(a);
	}
	for (unsigned bit = 0; bit < 4; bit++) {
		memset(uintr, 0, sizeof(uintr));
		uintr[5] = 0x1000 | UINT64_C(1) << bit;
		a = xrstors_image(m, 14, uintr, sizeof(uintr));
		assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), bit ? XS_EXC_GP : XS_EXC_NONE);
		free(a);
	}
	xs_machine_free(m);
}

/*
 * §5.1 check 9: for user components only MXCSR is value-checked — FCW,
 * FSW, the abridged FTW, MXCSR_MASK and the bytes 416-511 never fault.
 */
static void test_xrstor_never_faults_on_x87_fields_or_mxcsr_mask(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0x3);

	(void)state;
	memset(a, 0xff, 24);
	memset(a + 28, 0xff, 4);
	memset(a + 416, 0xff, 96);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_fxrstor(m, a, 16384, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §1.2, §6: IA32_XSS exists only with CPUID 0Dh.1 EAX[3]: RDMSR of it is #GP on Haswell. */
static void test_rdmsr_gp_without_the_msr(void **state)
{
	xs_machine *h = et_machine(HASWELL, 0), *m = et_machine(ZEN4, 0);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_rdmsr(h, XS_MSR_IA32_XSS, &v), XS_EXC_GP);
	assert_int_equal(xs_rdmsr(h, XS_MSR_IA32_XFD, &v), XS_EXC_GP);
	assert_int_equal(xs_rdmsr(m, XS_MSR_IA32_XSS, &v), XS_EXC_NONE);
	assert_int_equal(xs_rdmsr(m, XS_MSR_IA32_XFD, &v), XS_EXC_GP);	/* Zen 4: no XFD */
	xs_machine_free(m);
	xs_machine_free(h);
}

/*
 * §4 memory-access rule: an instruction may touch any byte of the area it
 * operates on; the engine reports XS_EXC_PF when that area passes the end
 * of the buffer (live CPU: the same boundaries).
 */
static void test_pf_when_the_area_passes_the_buffer_end(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0);
	size_t std = xs_engine_standard_size(m, 0xe7), cmp = xs_engine_compacted_size(m, 0x27);

	(void)state;
	assert_int_equal(std, 2432);
	assert_int_equal(cmp, 896);
	assert_int_equal(xs_xsave(m, a, std - 1, 0xe7, 0), XS_EXC_PF);
	assert_int_equal(xs_xsave(m, a, std, 0xe7, 0), XS_EXC_NONE);
	assert_int_equal(xs_xsave(m, a, std, ET_ALL, 0), XS_EXC_PF);	/* PKRU ends at 2440 */
	assert_int_equal(xs_xsave(m, a, 575, 0, 0), XS_EXC_PF);	/* the header is always read */
	assert_int_equal(xs_xsaveopt(m, a, 832, 0x7, 0), XS_EXC_NONE);
	assert_int_equal(xs_xsavec(m, a, cmp - 1, 0x27, 0), XS_EXC_PF);
	assert_int_equal(xs_xsavec(m, a, cmp, 0x27, 0), XS_EXC_NONE);
	assert_int_equal(xs_fxsave(m, a, 511, 0), XS_EXC_PF);
	assert_int_equal(xs_xrstor(m, a, 575, 0, 0), XS_EXC_PF);
	/* compacted XRSTOR reaches only the components it loads */
	et_st64(a, ET_XSTATE_BV, 0x3);
	et_st64(a, ET_XCOMP_BV, ET_CMP | 0xe7);
	assert_int_equal(xs_xrstor(m, a, 576, ET_ALL, 0), XS_EXC_NONE);
	et_st64(a, ET_XSTATE_BV, 0x23);
	assert_int_equal(xs_xrstor(m, a, 895, ET_ALL, 0), XS_EXC_PF);
	assert_int_equal(xs_xrstor(m, a, 896, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §5.1 order (live CPU): header #GP before the #PF of a short area, which comes before the MXCSR #GP. */
static void test_xrstor_fault_order_header_gp_then_pf_then_mxcsr_gp(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = std_area(m, 0);

	(void)state;
	et_st32(a, 24, 0xffffffff);
	assert_int_equal(xs_xrstor(m, a, 1024, ET_ALL, 0), XS_EXC_PF);
	assert_int_equal(xs_xrstor(m, a, 4096, ET_ALL, 0), XS_EXC_GP);
	a[520] = 1;
	assert_int_equal(xs_xrstor(m, a, 1024, ET_ALL, 0), XS_EXC_GP);
	free(a);
	xs_machine_free(m);
}

/* DESIGN.md Errors: an instruction that raises an exception changes nothing. */
static void test_exception_changes_nothing(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3), *before;
	uint8_t *a = std_area(m, 0xe7), *copy = et_area(16384);

	(void)state;
	et_dirty_all(m, 0x5a);
	xs_machine_xinuse(m);
	memset(a + 576, 0x11, 2000);
	a[600] = 0;
	a[530] = 1;	/* header #GP */
	before = xs_machine_dup(m);
	memcpy(copy, a, 16384);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xsaves(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_xsave(m, a, 100, ET_ALL, 0), XS_EXC_PF);
	assert_int_equal(xs_xsavec(m, a + 64 + 8, 4096, ET_ALL, 0), XS_EXC_GP);
	assert_int_equal(xs_fxrstor(m, a + 8, 512, 0), XS_EXC_GP);
	assert_int_equal(xs_xsetbv(m, 0, 0x3), XS_EXC_GP);
	assert_memory_equal(m, before, sizeof(struct xs_machine));
	assert_memory_equal(a, copy, 16384);
	free(copy);
	free(a);
	xs_machine_free(before);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsave_family_ud_without_xsave),
		cmocka_unit_test(test_xsave_family_ud_when_cr4_osxsave_clear),
		cmocka_unit_test(test_xsavec_and_xsaves_ud_where_cpu_lacks_them),
		cmocka_unit_test(test_xsaves_available_where_cpuid_says_so),
		cmocka_unit_test(test_xsaveopt_ud_without_cpuid_bit),
		cmocka_unit_test(test_fxsave_ud_without_fxsr_or_with_cr0_em),
		cmocka_unit_test(test_cr0_ts_raises_nm),
		cmocka_unit_test(test_xsave_family_gp_on_misaligned_area),
		cmocka_unit_test(test_fxsave_gp_on_area_not_16_byte_aligned),
		cmocka_unit_test(test_ac_instead_of_gp_with_alignment_check),
		cmocka_unit_test(test_xsaves_xrstors_gp_above_cpl0),
		cmocka_unit_test(test_xsetbv_xgetbv_gp_on_cpl_and_ecx),
		cmocka_unit_test(test_xgetbv1_gp_without_cpuid_bit),
		cmocka_unit_test(test_xrstor_standard_form_gp_on_xstate_bv_outside_xcr0),
		cmocka_unit_test(test_xrstor_standard_form_gp_on_nonzero_xcomp_bv),
		cmocka_unit_test(test_xrstor_standard_form_ignores_header_bytes_536_to_575),
		cmocka_unit_test(test_xrstor_compacted_form_gp_without_xsavec),
		cmocka_unit_test(test_xrstor_compacted_gp_on_xcomp_bv_outside_xcr0),
		cmocka_unit_test(test_xrstor_compacted_gp_on_xstate_bv_outside_xcomp_bv),
		cmocka_unit_test(test_xrstor_compacted_gp_on_nonzero_reserved_header),
		cmocka_unit_test(test_xrstor_gp_on_reserved_mxcsr_only_where_loaded),
		cmocka_unit_test(test_xrstor_header_checks_apply_with_rfbm_zero),
		cmocka_unit_test(test_fxrstor_gp_on_reserved_mxcsr),
		cmocka_unit_test(test_xrstors_gp_on_standard_form_or_xcomp_bv_outside_xss),
		cmocka_unit_test(test_xrstors_gp_on_invalid_cet_values),
		cmocka_unit_test(test_xrstors_gp_on_pt_while_tracing_or_reserved_bytes),
		cmocka_unit_test(test_xrstors_gp_on_uintr_rules),
		cmocka_unit_test(test_xrstor_nm_on_xfd_armed_component),
		cmocka_unit_test(test_wrmsr_gp_rules),
		cmocka_unit_test(test_lock_66_f2_f3_prefixes_raise_ud),
		cmocka_unit_test(test_xsaves_xrstors_ud_when_vmx_control_disables_them),
		cmocka_unit_test(test_xsetbv_gp_in_virtual_8086_mode),
		cmocka_unit_test(test_entry_checks_order_ud_nm_alignment_then_access),
		cmocka_unit_test(test_xrstors_gp_on_xstate_bv_outside_xcomp_bv),
		cmocka_unit_test(test_xrstors_gp_on_nonzero_reserved_header),
		cmocka_unit_test(test_xrstors_gp_on_reserved_mxcsr_only_with_sse_data),
		cmocka_unit_test(test_xrstors_nm_on_xfd_armed_component),
		cmocka_unit_test(test_cr0_ts_nm_leaves_xfd_err),
		cmocka_unit_test(test_xrstors_gp_on_non_canonical_uintr_pointers_or_tt_bits),
		cmocka_unit_test(test_xrstor_never_faults_on_x87_fields_or_mxcsr_mask),
		cmocka_unit_test(test_rdmsr_gp_without_the_msr),
		cmocka_unit_test(test_pf_when_the_area_passes_the_buffer_end),
		cmocka_unit_test(test_xrstor_fault_order_header_gp_then_pf_then_mxcsr_gp),
		cmocka_unit_test(test_exception_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
