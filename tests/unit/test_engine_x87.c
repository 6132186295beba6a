// SPDX-License-Identifier: MIT
/*
 * The legacy region (xsave-isa.md §2, §2.1, §8, checklist §11.14-15): the
 * abridged tag word against stack-ordered register slots, the FIP/FDP
 * forms of REX.W, what FXRSTOR normalises, the vendors' pointer rules and
 * the bytes FXSAVE never writes.
 */
#include "engine_util.h"

#define ZEN4 "amd-zen4.instlat.txt"
#define HASWELL "intel-haswell.instlat.txt"
#define SANDY "intel-sandy-bridge.plain.txt"

/* An FXSAVE image: FCW, FSW, abridged FTW, MXCSR 1F80h. */
static uint8_t *fx_image(uint16_t fcw, uint16_t fsw, uint8_t ftw)
{
	uint8_t *a = et_area(1024);

	a[0] = (uint8_t)fcw, a[1] = (uint8_t)(fcw >> 8);
	a[2] = (uint8_t)fsw, a[3] = (uint8_t)(fsw >> 8);
	a[4] = ftw;
	et_st32(a, 24, 0x1f80);
	return a;
}

/* 80-bit value in slot k of an image: significand, sign/exponent. */
static void put_st(uint8_t *img, unsigned k, uint64_t significand, uint16_t sign_exp)
{
	et_st64(img, 32 + 16 * k, significand);
	img[32 + 16 * k + 8] = (uint8_t)sign_exp;
	img[32 + 16 * k + 9] = (uint8_t)(sign_exp >> 8);
}

/*
 * §11.15, §2: with TOP != 0 the abridged tag bits are physical registers
 * while the slots hold ST(0..7); FXRSTOR rebuilds the full tags from the
 * values (valid, zero, special) and FXSAVE gives the same image back.
 */
static void test_abridged_ftw_is_physical_slots_are_stack_ordered(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint8_t *a = fx_image(0x037f, 5u << 11, 0xe0), *b = et_area(1024);

	(void)state;
	put_st(a, 0, UINT64_C(1) << 63, 0x3fff);	/* ST0 = R5 = 1.0: valid */
	put_st(a, 1, 0, 0x8000);			/* ST1 = R6 = -0: zero */
	put_st(a, 2, 1, 0x7fff);			/* ST2 = R7 = NaN-ish: special */
	put_st(a, 3, 0x1234, 0x4000);			/* ST3 = R0, tag empty */
	assert_int_equal(xs_fxrstor(m, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->ftw, 0x93ff);	/* R7 10, R6 01, R5 00, R4..R0 11 */
	assert_int_equal(xs_machine_x87(m)->r[5][9], 0x3f);
	assert_int_equal(xs_machine_x87(m)->r[0][0], 0x34);	/* empty registers keep their bits */
	assert_int_equal(xs_fxsave(m, b, 1024, 0), XS_EXC_NONE);
	assert_int_equal(b[4], 0xe0);
	assert_memory_equal(a + 32, b + 32, 10);
	free(b);
	free(a);
	xs_machine_free(m);
}

/* §2: an unnormal (exponent set, integer bit clear) and a denormal are special. */
static void test_fxrstor_tags_unnormals_and_denormals_special(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint8_t *a = fx_image(0x037f, 0, 0x03);

	(void)state;
	put_st(a, 0, 0x1, 0x0000);		/* denormal */
	put_st(a, 1, 0x4000000000000000ull, 0x4000);	/* unnormal */
	assert_int_equal(xs_fxrstor(m, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->ftw, 0xfffa);
	free(a);
	xs_machine_free(m);
}

/*
 * §2, live CPU: FCW loads with bits 15:13 and 7 cleared and bit 6 set
 * (FFFFh → 1F7Fh); FSW.ES and FSW.B follow the unmasked exception flags.
 */
static void test_fxrstor_normalises_fcw_and_exception_summary(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = fx_image(0xffff, 0xffff, 0);

	(void)state;
	assert_int_equal(xs_fxrstor(m, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->fcw, 0x1f7f);
	assert_int_equal(xs_machine_x87(m)->fsw, 0x7f7f);	/* all masked: ES and B clear */
	free(a);
	a = fx_image(0x037e, 0x0001, 0);	/* IE unmasked and flagged */
	assert_int_equal(xs_fxrstor(m, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->fsw, 0x8081);
	free(a);
	xs_machine_free(m);
}

/* Pointer fields of an image: FOP, FIP (bytes 8-15) and FDP (16-23). */
static void put_pointers(uint8_t *a, uint16_t fop, uint64_t fip, uint64_t fdp)
{
	a[6] = (uint8_t)fop, a[7] = (uint8_t)(fop >> 8);
	et_st64(a, 8, fip);
	et_st64(a, 16, fdp);
}

/*
 * §11.14, §2: REX.W = 1 stores 64-bit FIP/FDP; REX.W = 0 stores 32-bit
 * offsets with FCS/FDS and reserved zeros; a 32-bit restore zero-extends.
 * FOP keeps 11 bits. FCS/FDS survive where CPUID.7.0:EBX[13] = 0 (Sandy
 * Bridge) and are 0 where it is 1 (Haswell).
 */
static void test_rex_w_forms_of_fip_and_fdp(void **state)
{
	xs_machine *m = et_machine(SANDY, 3), *hsw = et_machine(HASWELL, 3);
	uint8_t *a = fx_image(0x037f, 0, 0), *b = et_area(1024);

	(void)state;
	put_pointers(a, 0xffff, 0x0000abcd12345678ull, 0x00002bad87654321ull);
	assert_int_equal(xs_fxrstor(m, a, 1024, 0), XS_EXC_NONE);	/* 32-bit form */
	assert_int_equal(xs_machine_x87(m)->fop, 0x7ff);
	assert_int_equal(xs_machine_x87(m)->fip, 0x12345678);
	assert_int_equal(xs_machine_x87(m)->fcs, 0xabcd);
	assert_int_equal(xs_machine_x87(m)->fds, 0x2bad);
	assert_int_equal(xs_fxsave(m, b, 1024, 0), XS_EXC_NONE);
	assert_memory_equal(a + 8, b + 8, 16);
	assert_int_equal(xs_fxsave(m, b, 1024, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(et_ld64(b, 8), 0x12345678);
	assert_int_equal(xs_fxrstor(m, a, 1024, XS_REX_W), XS_EXC_NONE);	/* 64-bit form */
	assert_int_equal(xs_machine_x87(m)->fip, 0x0000abcd12345678ull);
	assert_int_equal(xs_machine_x87(m)->fcs, 0);
	assert_int_equal(xs_fxrstor(hsw, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(hsw)->fcs, 0);
	free(b);
	free(a);
	xs_machine_free(hsw);
	xs_machine_free(m);
}

/*
 * §8 (and the live Zen 5 and Zen 4): AMD loads FIP/FDP/FOP only when the image has
 * an unmasked exception pending, 0 otherwise; 64-bit pointers keep 57 bits
 * sign-extended.
 */
static void test_amd_x87_pointers_need_a_pending_exception(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = fx_image(0x037f, 0x0001, 0);

	(void)state;
	put_pointers(a, 0x123, 0x0100000000001000ull, 0x00ff000000002000ull);
	assert_int_equal(xs_fxrstor(m, a, 1024, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->fip, 0);
	assert_int_equal(xs_machine_x87(m)->fop, 0);
	a[0] = 0x7e;	/* IE unmasked: pending */
	assert_int_equal(xs_fxrstor(m, a, 1024, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_machine_x87(m)->fop, 0x123);
	assert_int_equal(xs_machine_x87(m)->fip, 0xff00000000001000ull);
	assert_int_equal(xs_machine_x87(m)->fdp, 0x00ff000000002000ull);
	free(a);
	xs_machine_free(m);
}

/*
 * The pointer width no CPUID field gives (trait x87_ptr_bits): a 64-bit
 * restore with an unmasked exception pending keeps 48 bits on Zen 3
 * (measured on EPYC Milan: 0x00ab800000001000 reads back
 * 0xffff800000001000), 57 on Zen 4 and Zen 5, all 64 on Intel (SDM1
 * §8.1.8) — sign-extended from the top bit kept; FXRSTOR64 and XRSTOR64
 * alike, FIP and FDP alike. Each fixture's CPUID reports 48 linear bits.
 */
static void test_x87_pointer_width_per_microarchitecture(void **state)
{
	static const struct {
		const char *fixture;
		uint64_t fip_ab, fip_bit56;	/* 0x00ab800000001000, 0x0100000000001000 read back */
	} cpus[] = {
		{ "amd-zen3-milan.instlat.txt", 0xffff800000001000ull, 0x0000000000001000ull },
		{ "amd-zen3.instlat.txt", 0xffff800000001000ull, 0x0000000000001000ull },
		{ ZEN4, 0x00ab800000001000ull, 0xff00000000001000ull },
		{ "amd-zen5-turin.instlat.txt", 0x00ab800000001000ull, 0xff00000000001000ull },
		{ "amd-zen5-granite-ridge.instlat.txt", 0x00ab800000001000ull, 0xff00000000001000ull },
		{ "intel-sapphire-rapids-ws.instlat.txt", 0x00ab800000001000ull, 0x0100000000001000ull },
		{ HASWELL, 0x00ab800000001000ull, 0x0100000000001000ull },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		xs_machine *m = et_machine(cpus[i].fixture, 3);
		uint8_t *a = fx_image(0x037e, 0x0001, 0), *b = et_area(4096);	/* IE unmasked, pending */

		put_pointers(a, 0x123, 0x00ab800000001000ull, 0x0100000000001000ull);
		assert_int_equal(xs_fxrstor(m, a, 1024, XS_REX_W), XS_EXC_NONE);
		assert_int_equal(xs_fxsave(m, b, 1024, XS_REX_W), XS_EXC_NONE);
		if (et_ld64(b, 8) != cpus[i].fip_ab || et_ld64(b, 16) != cpus[i].fip_bit56)
			fail_msg("%s FXRSTOR64: FIP 0x%016llx FDP 0x%016llx", cpus[i].fixture,
				 (unsigned long long)et_ld64(b, 8), (unsigned long long)et_ld64(b, 16));
		/* XRSTOR64 of the same legacy area, x87 only */
		et_st64(a, ET_XSTATE_BV, 1);
		assert_int_equal(xs_xrstor(m, a, 1024, 1, XS_REX_W), XS_EXC_NONE);
		memset(b, 0, 4096);
		assert_int_equal(xs_xsave(m, b, 4096, 1, XS_REX_W), XS_EXC_NONE);
		assert_int_equal(et_ld64(b, 8), cpus[i].fip_ab);
		assert_int_equal(et_ld64(b, 16), cpus[i].fip_bit56);
		free(b);
		free(a);
		xs_machine_free(m);
	}
}

/*
 * §2.1: FXSAVE writes x87, MXCSR, MXCSR_MASK and XMM, never bytes 416-511;
 * ST slot bytes 10-15 are written as 0 (live CPU). With CR4.OSFXSR = 0
 * MXCSR is still saved, XMM not.
 */
static void test_fxsave_bytes_written_and_osfxsr(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = et_area(1024);

	(void)state;
	memset(a, 0xee, 1024);
	et_dirty(m, XS_XFEATURE_SSE, 0x11);
	assert_int_equal(xs_fxsave(m, a, 1024, 0), XS_EXC_NONE);
	for (size_t k = 0; k < 8; k++)
		for (size_t i = 10; i < 16; i++)
			assert_int_equal(a[32 + 16 * k + i], 0);
	assert_int_equal(a[415], 0x11);
	for (size_t i = 416; i < 1024; i++)
		assert_int_equal(a[i], 0xee);
	memset(a, 0xee, 1024);
	et_ctx(m)->cr4_osfxsr = false;
	assert_int_equal(xs_fxsave(m, a, 1024, 0), XS_EXC_NONE);
	assert_int_equal(et_ld32(a, 24), 0x1f80);
	assert_int_equal(a[160], 0xee);
	free(a);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abridged_ftw_is_physical_slots_are_stack_ordered),
		cmocka_unit_test(test_fxrstor_tags_unnormals_and_denormals_special),
		cmocka_unit_test(test_fxrstor_normalises_fcw_and_exception_summary),
		cmocka_unit_test(test_rex_w_forms_of_fip_and_fdp),
		cmocka_unit_test(test_amd_x87_pointers_need_a_pending_exception),
		cmocka_unit_test(test_x87_pointer_width_per_microarchitecture),
		cmocka_unit_test(test_fxsave_bytes_written_and_osfxsr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
