// SPDX-License-Identifier: MIT
/*
 * The component table (src/common/components.c) against its oracles: the
 * public header's masks, which are the kernel's constants (asm/fpu/xstate.h
 * XFEATURE_MASK_USER_SUPPORTED, _USER_DYNAMIC, _INDEPENDENT,
 * _SUPERVISOR_UNSUPPORTED, the guest-only set), KVM's (arch/x86/kvm/x86.c
 * KVM_SUPPORTED_XCR0, KVM_SUPPORTED_XSS), and the architecture's facts
 * from xsave-isa.md (§1.1 the legacy area and which components are user
 * or supervisor state, §6 the XCR0 groups). A new row must pass these
 * before anything derives from it (docs/architecture.md).
 */
#include "testutil.h"
#include "common/common.h"

static bool is_user_supported(const struct xs_component *c)
{
	return !c->info.supervisor && c->linux_since != XS_SINCE_NEVER;
}

static bool is_supervisor_supported(const struct xs_component *c)
{
	return c->info.supervisor && c->linux_since != XS_SINCE_NEVER;
}

static bool is_independent(const struct xs_component *c)
{
	return c->independent;
}

static bool is_unsupported(const struct xs_component *c)
{
	return c->unsupported;
}

static bool is_dynamic(const struct xs_component *c)
{
	return c->info.dynamic;
}

static bool is_guest_only(const struct xs_component *c)
{
	return c->info.guest_only;
}

static bool is_kvm_xcr0(const struct xs_component *c)
{
	return !c->info.supervisor && c->kvm_since != XS_SINCE_NEVER;
}

static bool is_kvm_xss(const struct xs_component *c)
{
	return c->info.supervisor && c->kvm_since != XS_SINCE_NEVER;
}

static bool is_supervisor(const struct xs_component *c)
{
	return c->info.supervisor;
}

static void test_the_table_gives_the_kernels_masks(void **state)
{
	(void)state;
	assert_int_equal(xs_components_where(is_user_supported), XS_XFEATURE_MASK_USER_SUPPORTED);
	assert_int_equal(xs_components_where(is_supervisor_supported),
			 XS_XFEATURE_MASK_PASID | XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL);
	assert_int_equal(xs_components_where(is_independent), XS_XFEATURE_MASK_INDEPENDENT);
	assert_int_equal(xs_components_where(is_unsupported), XS_XFEATURE_MASK_SUPERVISOR_UNSUPPORTED);
	assert_int_equal(xs_components_where(is_dynamic), XS_XFEATURE_MASK_USER_DYNAMIC);
	assert_int_equal(xs_components_where(is_guest_only), XS_XFEATURE_MASK_SUPERVISOR_GUEST);
}

static void test_the_table_gives_kvms_masks(void **state)
{
	(void)state;
	/* KVM_SUPPORTED_XCR0: FP, SSE, YMM, MPX, AVX-512, PKRU, AMX tile */
	assert_int_equal(xs_components_where(is_kvm_xcr0),
			 XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_BNDREGS |
				 XS_XFEATURE_MASK_BNDCSR | XS_XFEATURE_MASK_AVX512 | XS_XFEATURE_MASK_PKRU |
				 XS_XFEATURE_MASK_XTILE);
	assert_int_equal(xs_components_where(is_kvm_xss), XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL);
}

static void test_user_and_supervisor_components_are_the_sdms(void **state)
{
	(void)state;
	/* SDM1 §13.1: IA32_XSS manages PT (8) and 10..16; everything else of 0..19 is XCR0's */
	assert_int_equal(xs_components_where(is_supervisor), XS_BIT(8) | (XS_BIT(17) - XS_BIT(10)));
}

static void test_every_row_is_complete(void **state)
{
	(void)state;
	assert_null(xs_component(XS_XFEATURE_MAX));
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_component *c = xs_component(nr);
		bool ends = false;

		assert_int_equal(c->info.nr, nr);
		assert_ptr_equal(xs_xfeature_info(nr), &c->info);
		assert_int_equal(xs_xfeature_by_name(c->info.short_name), (int)nr);
		assert_int_equal(xs_xfeature_by_name(c->info.kernel_name), (int)nr);
		assert_string_equal(c->boot_names[0].text, c->info.description);
		for (unsigned i = 0; i < XS_ARRAY_SIZE(c->boot_names) && c->boot_names[i].text && !ends; i++)
			ends = c->boot_names[i].since == XS_SINCE_ALWAYS;
		assert_true(ends);	/* the boot-log name of every release is known */
		if (c->info.cpuid_feature)
			assert_true(xs_cpu_feature_by_name(c->info.cpuid_feature) >= 0);
		if (c->gate_before)
			assert_true(xs_cpu_feature_by_name(c->gate_before) >= 0);
		assert_true(c->decoder < XS_DEC_COUNT);
		if (c->decoder == XS_DEC_MSRS)
			assert_int_equal(c->decode_min, 8 * xs_component_nmsrs(c));
		/* a snapshot plan lists the MSRs of what KVM offers in IA32_XSS, each with its note */
		for (unsigned i = 0; is_kvm_xss(c) && i < xs_component_nmsrs(c); i++)
			assert_non_null(c->msrs[i].note);
		if (c->info.struct_size)
			assert_true(c->decode_min <= c->info.struct_size);
	}
}

static void test_the_legacy_area_is_fixed(void **state)
{
	(void)state;
	/* xsave-isa.md §2: x87 in bytes 0..159 (with MXCSR at 24), XMM0..15 in 160..415 */
	assert_int_equal(xs_component(XS_XFEATURE_FP)->fixed_offset, 0);
	assert_int_equal(xs_component(XS_XFEATURE_FP)->fixed_size, 160);
	assert_int_equal(xs_component(XS_XFEATURE_SSE)->fixed_offset, 160);
	assert_int_equal(xs_component(XS_XFEATURE_SSE)->fixed_size, 256);
	assert_int_equal(XS_LEG_MXCSR, 24);
	assert_int_equal(XS_SW_BYTES_OFFSET, 464);
	assert_int_equal(XS_HDR_XSTATE_BV, XS_XSAVE_HDR_OFFSET);
}

static void test_xcr0_groups_are_closed(void **state)
{
	(void)state;
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_component *c = xs_component(nr);

		if (c->xcr0_group) {
			assert_true(c->xcr0_group & XS_BIT(nr));
			for (uint64_t m = c->xcr0_group; m; m &= m - 1)
				assert_int_equal(xs_component(xs_lowest(m))->xcr0_group, c->xcr0_group);
		}
		assert_int_equal(c->xcr0_needs & c->xcr0_group, 0);
	}
	/* §6: AVX-512 is all three with SSE and AVX; MPX and AMX in pairs */
	assert_int_equal(xs_component(XS_XFEATURE_OPMASK)->xcr0_group, XS_XFEATURE_MASK_AVX512);
	assert_int_equal(xs_component(XS_XFEATURE_Hi16_ZMM)->xcr0_needs,
			 XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM);
	assert_int_equal(xs_component(XS_XFEATURE_BNDCSR)->xcr0_group,
			 XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR);
	assert_int_equal(xs_component(XS_XFEATURE_XTILE_DATA)->xcr0_group, XS_XFEATURE_MASK_XTILE);
	assert_int_equal(xs_component(XS_XFEATURE_YMM)->xcr0_needs, XS_XFEATURE_MASK_SSE);
}

static void test_the_engine_has_room_for_every_component(void **state)
{
	(void)state;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_component *c = xs_component(nr);

		assert_true(c->regs_capacity > 0);
		assert_true(c->regs_offset + c->regs_capacity <= sizeof(xs_regs));
		assert_true(c->regs_capacity >= c->info.struct_size);
	}
	/* the largest sizes known: PKRU is 64 bytes on Zen 2 (xstate.h), TILEDATA 8 tiles of 1 KiB */
	assert_int_equal(xs_component(XS_XFEATURE_PKRU)->regs_capacity, 64);
	assert_int_equal(xs_component(XS_XFEATURE_XTILE_DATA)->regs_capacity, 8192);
	/* §7: HDC and HWP have non-zero init values */
	assert_int_equal(xs_component(XS_XFEATURE_RSRVD_COMP_13)->init_word, 1);
	assert_int_equal(xs_component(XS_XFEATURE_RSRVD_COMP_16)->init_word, 0x8000ff01u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_table_gives_the_kernels_masks),
		cmocka_unit_test(test_the_table_gives_kvms_masks),
		cmocka_unit_test(test_user_and_supervisor_components_are_the_sdms),
		cmocka_unit_test(test_every_row_is_complete),
		cmocka_unit_test(test_the_legacy_area_is_fixed),
		cmocka_unit_test(test_xcr0_groups_are_closed),
		cmocka_unit_test(test_the_engine_has_room_for_every_component),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
