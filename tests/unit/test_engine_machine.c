// SPDX-License-Identifier: MIT
/*
 * The machine as callers see it (include/xstate.h, "Engine"): an opaque
 * processor built from a CPU model, copied whole, read and written through
 * accessors. Oracles: the Zen 4 fixture's CPUID lines (leaf 0xD, 80000008h)
 * read off the dump, and the reset values of xsave-isa.md §6/§7 (SDM1
 * §8.1.5, §10.2.3: FCW 037Fh, MXCSR 1F80h, XCR0 = 1).
 */
#include <errno.h>

#include "engine_util.h"

#define ZEN4 "amd-zen4.instlat.txt"
#define HASWELL "intel-haswell.instlat.txt"
#define ZEN2 "amd-zen2-rome.plain.txt"

static xs_machine *new_machine(const char *fixture)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_machine *m;

	assert_non_null(cpu);
	xt_load_cpu(cpu, fixture);
	assert_int_equal(xs_machine_new(&m, cpu), 0);
	xs_cpu_free(cpu);
	return m;
}

/* Zen 4 dump: 0xD.0 EAX 2E7h, 0xD.1 EAX Fh / ECX 1800h, 80000008h EAX 3934h (57 linear bits). */
static void test_new_machine_takes_the_cpu_model_from_cpuid(void **state)
{
	xs_machine *m = new_machine(ZEN4);
	const struct xs_engine_cpu_info *c = xs_machine_cpu_info(m);

	(void)state;
	assert_true(c->fxsr && c->xsave && c->xsaveopt && c->xsavec && c->xgetbv1 && c->xsaves);
	assert_false(c->xfd);
	assert_true(c->long_mode);
	assert_int_equal(c->xcr0_supported, 0x2e7);
	assert_int_equal(c->xss_supported, 0x1800);
	assert_int_equal(c->unmodelled, 0);
	assert_int_equal(c->linear_bits, 57);
	xs_machine_free(m);
}

/* §6, §7: a machine after reset. */
static void test_new_machine_is_a_processor_after_reset(void **state)
{
	xs_machine *m = new_machine(ZEN4);
	const struct xs_exec_context *ctx = xs_machine_context(m);
	struct xs_xrstor_info info = { .valid = true };
	size_t len;
	const uint8_t *ymm = xs_machine_component(m, XS_XFEATURE_YMM, &len);

	(void)state;
	assert_int_equal(xs_machine_x87(m)->fcw, 0x037f);
	assert_int_equal(xs_machine_x87(m)->ftw, 0xffff);
	assert_int_equal(xs_machine_mxcsr(m), 0x1f80);
	assert_int_equal(xs_machine_xcr0(m), 1);
	assert_int_equal(xs_machine_xss(m), 0);
	assert_int_equal(xs_machine_xfd(m), 0);
	assert_int_equal(xs_machine_xfd_err(m), 0);
	assert_int_equal(xs_machine_xmodified(m), ~UINT64_C(0));
	xs_machine_xrstor_info(m, &info);
	assert_false(info.valid);
	assert_int_equal(ctx->cpl, 0);
	assert_true(ctx->long_mode && ctx->cr4_osfxsr && ctx->cr4_osxsave);
	assert_false(ctx->cr0_ts || ctx->cr0_em || ctx->alignment_check || ctx->v86);
	assert_non_null(ymm);
	assert_int_equal(len, 256);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(ymm[i], 0);
	xs_machine_free(m);
}

/* No FPU (CPUID.1:EDX[0] = 0): no machine, nothing allocated. */
static void test_new_machine_refuses_a_cpu_without_fpu(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_machine *m = (xs_machine *)(uintptr_t)1;	/* anything but NULL */
	uint32_t r[4];

	(void)state;
	assert_non_null(cpu);
	xt_load_cpu(cpu, HASWELL);
	xs_cpuid(cpu, 1, 0, r);
	xs_cpu_set_leaf(cpu, 1, 0, r[0], r[1], r[2], r[3] & ~1u);
	assert_int_equal(xs_machine_new(&m, cpu), -EINVAL);
	assert_null(m);
	xs_machine_free(NULL);
	xs_cpu_free(cpu);
}

/* The layout accessor gives the dump's CPUID 0xD.nr EAX/EBX/ECX, and nothing for what the model lacks. */
static void test_component_layout_is_cpuid_leaf_d(void **state)
{
	xs_machine *m = new_machine(ZEN4);
	uint32_t size = 0, offset = 0, flags = 0;

	(void)state;
	assert_true(xs_machine_component_layout(m, XS_XFEATURE_PKRU, &size, &offset, &flags));
	assert_int_equal(size, 8);
	assert_int_equal(offset, 0x980);
	assert_int_equal(flags, 0);
	assert_true(xs_machine_component_layout(m, XS_XFEATURE_Hi16_ZMM, &size, &offset, NULL));
	assert_int_equal(size, 0x400);
	assert_int_equal(offset, 0x580);
	assert_true(xs_machine_component_layout(m, XS_XFEATURE_CET_KERNEL, &size, NULL, &flags));
	assert_int_equal(size, 0x18);
	assert_int_equal(flags, 1);	/* supervisor */
	assert_false(xs_machine_component_layout(m, XS_XFEATURE_BNDREGS, &size, &offset, &flags));
	assert_false(xs_machine_component_layout(m, XS_XFEATURE_XTILE_DATA, NULL, NULL, NULL));
	assert_false(xs_machine_component_layout(m, XS_XFEATURE_FP, NULL, NULL, NULL));
	assert_false(xs_machine_component_layout(m, XS_XFEATURE_SSE, NULL, NULL, NULL));
	assert_false(xs_machine_component_layout(m, XS_XFEATURE_MAX, NULL, NULL, NULL));
	xs_machine_free(m);
}

/* Register images: XMM0-15 for SSE, CPUID 0xD.nr EAX bytes for 2..19, none for x87 and absent ones. */
static void test_component_registers_have_their_architectural_size(void **state)
{
	xs_machine *m = new_machine(ZEN4), *zen2 = new_machine(ZEN2);
	size_t len = 1;

	(void)state;
	assert_non_null(xs_machine_component(m, XS_XFEATURE_SSE, &len));
	assert_int_equal(len, 256);
	assert_non_null(xs_machine_component(m, XS_XFEATURE_ZMM_Hi256, &len));
	assert_int_equal(len, 512);
	assert_non_null(xs_machine_component(m, XS_XFEATURE_PKRU, &len));
	assert_int_equal(len, 8);
	assert_non_null(xs_machine_component(zen2, XS_XFEATURE_PKRU, &len));
	assert_int_equal(len, 64);	/* Zen 2 enumerates a 64-byte PKRU (xsave-isa.md §1.1) */
	assert_null(xs_machine_component(m, XS_XFEATURE_FP, &len));
	assert_int_equal(len, 0);
	len = 1;
	assert_null(xs_machine_component(m, XS_XFEATURE_XTILE_CFG, &len));
	assert_int_equal(len, 0);
	assert_null(xs_machine_component(m, XS_XFEATURE_MAX, NULL));
	xs_machine_free(zen2);
	xs_machine_free(m);
}

/* Written registers reach the saves: XMM through the component, MXCSR through its setter (§4.1). */
static void test_registers_written_through_accessors_are_saved(void **state)
{
	xs_machine *m = new_machine(ZEN4);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 0x7), XS_EXC_NONE);
	xs_machine_component(m, XS_XFEATURE_SSE, NULL)[16 * 3 + 1] = 0x5a;	/* XMM3 byte 1 */
	xs_machine_component(m, XS_XFEATURE_YMM, NULL)[16 * 15] = 0xa5;	/* YMM15 bit 128.. */
	xs_machine_set_mxcsr(m, 0x1fc0);
	xs_machine_x87(m)->fcw = 0x027f;
	xs_machine_wrote(m, 0x7);
	assert_int_equal(xs_xsave(m, a, 4096, 0x7, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(a[160 + 16 * 3 + 1], 0x5a);
	assert_int_equal(a[576 + 16 * 15], 0xa5);
	assert_int_equal(et_ld32(a, 24), 0x1fc0);
	assert_int_equal(xs_ld16(a), 0x027f);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x7);
	free(a);
	xs_machine_free(m);
}

/*
 * A copy is the whole machine: registers, control state, traits, the
 * model (dst takes src's, whatever it was built from), and independent of
 * the original afterwards.
 */
static void test_copy_and_dup_take_the_whole_machine(void **state)
{
	xs_machine *m = new_machine(ZEN4), *copy = new_machine(HASWELL), *dup;
	uint8_t *a = et_area(4096), *b = et_area(4096);

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_X87_PTR_BITS, 40), 0);
	et_dirty_all(m, 0x11);
	xs_machine_context(m)->cpl = 3;
	xs_machine_copy(copy, m);
	assert_non_null(dup = xs_machine_dup(m));
	et_dirty_all(m, 0x22);
	assert_int_equal(xs_machine_cpu_info(copy)->xcr0_supported, 0x2e7);
	assert_int_equal(xs_machine_xcr0(copy), 0xe7);
	assert_int_equal(xs_machine_context(copy)->cpl, 3);
	assert_int_equal(xs_machine_trait(dup, XS_TRAIT_X87_PTR_BITS), 40);
	assert_int_equal(xs_xsave(copy, a, 4096, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_xsave(dup, b, 4096, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_memory_equal(a, b, 4096);
	assert_int_equal(a[576], 0x11);		/* AVX at 0xD.2 EBX = 240h */
	assert_int_equal(a[0x580 + 1023], 0x11);	/* Hi16_ZMM's last byte */
	free(a);
	free(b);
	xs_machine_free(dup);
	xs_machine_free(copy);
	xs_machine_free(m);
}

/* XRSTOR_INFO after a restore (§4.2): CPL, linear address, XCOMP_BV. */
static void test_xrstor_info_records_the_last_restore(void **state)
{
	xs_machine *m = new_machine(ZEN4);
	uint8_t *a = et_area(4096);
	struct xs_xrstor_info info;

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 0x7), XS_EXC_NONE);
	et_st32(a, 24, 0x1f80);
	xs_machine_context(m)->cpl = 3;
	assert_int_equal(xs_xrstor(m, a, 4096, 0x7, XS_REX_W), XS_EXC_NONE);
	xs_machine_xrstor_info(m, &info);
	assert_true(info.valid);
	assert_int_equal(info.cpl, 3);
	assert_int_equal(info.laddr, (uintptr_t)a);
	assert_int_equal(info.xcomp_bv, 0);
	assert_int_equal(xs_machine_xmodified(m), ~UINT64_C(0x7));
	free(a);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_machine_takes_the_cpu_model_from_cpuid),
		cmocka_unit_test(test_new_machine_is_a_processor_after_reset),
		cmocka_unit_test(test_new_machine_refuses_a_cpu_without_fpu),
		cmocka_unit_test(test_component_layout_is_cpuid_leaf_d),
		cmocka_unit_test(test_component_registers_have_their_architectural_size),
		cmocka_unit_test(test_registers_written_through_accessors_are_saved),
		cmocka_unit_test(test_copy_and_dup_take_the_whole_machine),
		cmocka_unit_test(test_xrstor_info_records_the_last_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
