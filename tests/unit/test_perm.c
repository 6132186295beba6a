// SPDX-License-Identifier: MIT
/*
 * arch_prctl XCOMP permissions, sigaltstack sizing and dynamic (XFD)
 * features with the kernel's return values; every refusal leaves the
 * permissions and the fpstate exactly as they were.
 */
#include <errno.h>

#include "testutil.h"

struct snapshot {
	struct xs_fpu_state_perm perm, guest_perm;
	xs_fpstate fps;
	uint8_t regs[16384];
	size_t sas[XS_FPU_MAX_THREADS];
};

static void take(struct snapshot *s, const xs_fpu *fpu)
{
	memset(s, 0, sizeof(*s));
	s->perm = fpu->perm;
	s->guest_perm = fpu->guest_perm;
	s->fps = *fpu->fpstate;
	memcpy(s->regs, fpu->fpstate->regs, fpu->fpstate->size);
	memcpy(s->sas, fpu->sas_ss_size, sizeof(s->sas));
}

static void assert_unchanged(const struct snapshot *s, const xs_fpu *fpu)
{
	assert_memory_equal(&s->perm, &fpu->perm, sizeof(s->perm));
	assert_memory_equal(&s->guest_perm, &fpu->guest_perm, sizeof(s->guest_perm));
	assert_memory_equal(&s->fps, fpu->fpstate, sizeof(s->fps));
	assert_memory_equal(s->regs, fpu->fpstate->regs, fpu->fpstate->size);
	assert_memory_equal(s->sas, fpu->sas_ss_size, sizeof(s->sas));
}

static struct snapshot snap;

static xs_system *spr_sys(void)
{
	xs_cpu cpu;

	xt_cpu_spr(&cpu);
	return xt_system_of(&cpu, NULL);
}

static xs_system *zen4_sys(void)
{
	xs_cpu cpu;

	xt_cpu_zen4_cet(&cpu);
	return xt_system_of(&cpu, NULL);
}

static void expect_refusal(xs_fpu *fpu, int option, unsigned long arg, long err)
{
	take(&snap, fpu);
	assert_int_equal(xs_arch_prctl(fpu, option, arg, NULL), err);
	assert_unchanged(&snap, fpu);
}

static void test_get_xcomp_supp_reports_user_max_and_legacy(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_SUPP, 0, &v), 0);
	assert_int_equal(v, 0xe7);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_PERM, 0, &v), 0);
	assert_int_equal(v, 0xe7);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_GUEST_PERM, 0, &v), 0);
	assert_int_equal(v, 0xe7);	/* CET_KERNEL is supervisor: never reported */
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_get_with_bad_pointer_is_efault(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	expect_refusal(&fpu, XS_ARCH_GET_XCOMP_SUPP, 0, -EFAULT);
	expect_refusal(&fpu, XS_ARCH_GET_XCOMP_PERM, 0, -EFAULT);
	expect_refusal(&fpu, XS_ARCH_GET_XCOMP_GUEST_PERM, 0, -EFAULT);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_unknown_option_is_einval(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	expect_refusal(&fpu, 0x1026, 18, -EINVAL);
	expect_refusal(&fpu, 0x1020, 0, -EINVAL);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_request_beyond_xfeature_max_is_einval(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_PERM, 20, -EINVAL);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 63, -EINVAL);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_PERM, 1ul << 40, -EINVAL);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_request_of_a_non_dynamic_component_is_eopnotsupp(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	for (unsigned long i = 0; i < XS_XFEATURE_MAX; i++) {
		if (i == XS_XFEATURE_XTILE_DATA)
			continue;
		expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_PERM, i, -EOPNOTSUPP);
		expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, i, -EOPNOTSUPP);
	}
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_request_of_amx_on_a_cpu_without_amx_is_eopnotsupp(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, -EOPNOTSUPP);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, -EOPNOTSUPP);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_request_of_amx_grants_and_sizes_the_permission(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	uint64_t v;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_PERM, 0, &v), 0);
	assert_int_equal(v, 0x602e7);
	assert_int_equal(fpu.perm.state_size, 10752);		/* compacted, with supervisor */
	assert_int_equal(fpu.perm.user_state_size, 11008);	/* standard, TILEDATA last */
	/* granting does not grow the buffer: that waits for the first use */
	assert_int_equal(fpu.fpstate->size, sys->kernel.default_size);
	/* asking again is a no-op */
	take(&snap, &fpu);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_unchanged(&snap, &fpu);
	/* the guest permission is separate */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_GUEST_PERM, 0, &v), 0);
	assert_int_equal(v, 0x202e7);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_request_with_a_too_small_sigaltstack_is_enospc(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	size_t fits = sys->max_sigframe_size - sys->user.max_size + 11008;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_sigaltstack(&fpu, 0, 8192), 0);	/* no AMX permission yet: fine */
	assert_int_equal(xs_sigaltstack(&fpu, 3, fits), 0);
	expect_refusal(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, -ENOSPC);
	/* the guest permission has no signal frames */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_sigaltstack(&fpu, 0, 0), 0);	/* SS_DISABLE */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_sigaltstack_too_small_for_amx_is_enomem_once_permitted(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	size_t fsize;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	fsize = sys->max_sigframe_size - sys->fpstate_sigframe_size + fpu.perm.user_state_size;
	take(&snap, &fpu);
	assert_int_equal(xs_sigaltstack(&fpu, 0, fsize), -ENOMEM);
	assert_unchanged(&snap, &fpu);
	assert_int_equal(xs_sigaltstack(&fpu, 0, fsize + 1), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_sigaltstack_below_minsigstksz_is_enomem(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	take(&snap, &fpu);
	assert_int_equal(xs_sigaltstack(&fpu, 0, 2047), -ENOMEM);
	assert_unchanged(&snap, &fpu);
	/* without dynamic features and strict_sas_size, any size >= 2048 is taken */
	assert_int_equal(xs_sigaltstack(&fpu, 0, 2048), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_strict_sas_size_checks_without_dynamic_features(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;
	xs_fpu fpu;

	(void)state;
	xs_options_init(&o);
	o.strict_sas_size = true;
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, &o);
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_sigaltstack(&fpu, 0, 2048), -ENOMEM);
	assert_int_equal(xs_sigaltstack(&fpu, 0, sys->max_sigframe_size), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_first_amx_use_without_permission_is_eperm(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(fpu.fpstate->xfd, XS_XFEATURE_MASK_XTILE_DATA);
	take(&snap, &fpu);
	assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA), -EPERM);
	assert_unchanged(&snap, &fpu);
	/* an XFD error without dynamic bits is ignored */
	assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_YMM), 0);
	assert_unchanged(&snap, &fpu);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_first_amx_use_reallocates_the_task_fpstate(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	xs_fpstate *old;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	old = fpu.fpstate;
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA), 0);
	assert_ptr_not_equal(fpu.fpstate, old);
	assert_true(fpu.fpstate->is_valloc);
	assert_int_equal(fpu.fpstate->size, 10752);
	assert_int_equal(fpu.fpstate->user_size, 11008);
	assert_int_equal(fpu.fpstate->xfeatures, 0x60ee7);	/* no CET-S: still a task */
	assert_int_equal(fpu.fpstate->user_xfeatures, 0x602e7);
	assert_int_equal(fpu.fpstate->xfd, 0);
	assert_int_equal(xs_fpstate_xcomp_bv(fpu.fpstate), XS_XCOMP_BV_COMPACTED_FORMAT | 0x60ee7);
	assert_int_equal(xs_fpstate_xstate_bv(fpu.fpstate), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_guest_amx_enable_reallocates_the_guest_and_its_uabi_size(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	xs_fpu_guest g;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_int_equal(g.uabi_size, 4096);
	assert_int_equal(xs_fpu_swap_kvm_fpstate(&fpu, &g, true), 0);
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&fpu, &g, 0x60000), 0);
	assert_true(g.fpstate->is_guest);
	assert_true(g.fpstate->in_use);
	assert_ptr_equal(fpu.fpstate, g.fpstate);	/* the active one follows */
	assert_int_equal(g.fpstate->xfeatures, 0x61ee7);	/* CET-S stays */
	assert_int_equal(g.uabi_size, 11008);
	/* already enabled: nothing to do */
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&fpu, &g, 0x40000), 0);
	assert_int_equal(xs_fpu_free_guest_fpstate(&fpu, &g), -EBUSY);	/* in use */
	assert_int_equal(xs_fpu_swap_kvm_fpstate(&fpu, &g, false), 0);
	assert_int_equal(xs_fpu_free_guest_fpstate(&fpu, &g), 0);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_task_fpstate_starts_from_init_fpstate(void **state)
{
	xs_system *sys = zen4_sys();
	xs_fpu fpu;
	uint16_t fcw;
	uint32_t mxcsr, mask;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	memcpy(&fcw, fpu.fpstate->regs, 2);
	memcpy(&mxcsr, fpu.fpstate->regs + 24, 4);
	memcpy(&mask, fpu.fpstate->regs + 28, 4);
	assert_int_equal(fcw, 0x37f);
	assert_int_equal(mxcsr, 0x1f80);
	assert_int_equal(mask, sys->mxcsr_feature_mask);
	assert_false(fpu.fpstate->is_guest);
	assert_false(fpu.fpstate->is_valloc);
	assert_int_equal(fpu.fpstate->user_size, 2432);
	assert_int_equal(fpu.fpstate->user_xfeatures, 0xe7);
	xs_fpu_destroy(&fpu);
	free(sys);
}

struct counting {
	unsigned allocs, frees;
};

static void *count_alloc(void *ctx, size_t size)
{
	((struct counting *)ctx)->allocs++;
	return aligned_alloc(64, (size + 63) & ~(size_t)63);
}

static void count_free(void *ctx, void *p)
{
	((struct counting *)ctx)->frees++;
	free(p);
}

static void *fail_alloc(void *ctx, size_t size)
{
	(void)ctx;
	(void)size;
	return NULL;
}

static void test_caller_allocator_is_used_and_balanced(void **state)
{
	struct counting c = { 0, 0 };
	const struct xs_allocator a = { count_alloc, count_free, &c };
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	xs_fpu_guest g;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, &a), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_int_equal(xs_fpu_free_guest_fpstate(&fpu, &g), 0);
	xs_fpu_destroy(&fpu);
	assert_int_equal(c.allocs, 3);
	assert_int_equal(c.frees, 3);
	free(sys);
}

static void test_allocation_failure_on_first_use_is_efault_and_changes_nothing(void **state)
{
	xs_system *sys = spr_sys();
	xs_fpu fpu;
	xs_fpu_guest g;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	fpu.alloc.alloc = fail_alloc;
	take(&snap, &fpu);
	assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA), -EFAULT);
	assert_unchanged(&snap, &fpu);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), -ENOMEM);
	assert_false(fpu.guest_perm.state_perm & XS_FPU_GUEST_PERM_LOCKED);
	xs_fpu_destroy(&fpu);
	free(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_xcomp_supp_reports_user_max_and_legacy),
		cmocka_unit_test(test_get_with_bad_pointer_is_efault),
		cmocka_unit_test(test_unknown_option_is_einval),
		cmocka_unit_test(test_request_beyond_xfeature_max_is_einval),
		cmocka_unit_test(test_request_of_a_non_dynamic_component_is_eopnotsupp),
		cmocka_unit_test(test_request_of_amx_on_a_cpu_without_amx_is_eopnotsupp),
		cmocka_unit_test(test_request_of_amx_grants_and_sizes_the_permission),
		cmocka_unit_test(test_request_with_a_too_small_sigaltstack_is_enospc),
		cmocka_unit_test(test_sigaltstack_too_small_for_amx_is_enomem_once_permitted),
		cmocka_unit_test(test_sigaltstack_below_minsigstksz_is_enomem),
		cmocka_unit_test(test_strict_sas_size_checks_without_dynamic_features),
		cmocka_unit_test(test_first_amx_use_without_permission_is_eperm),
		cmocka_unit_test(test_first_amx_use_reallocates_the_task_fpstate),
		cmocka_unit_test(test_guest_amx_enable_reallocates_the_guest_and_its_uabi_size),
		cmocka_unit_test(test_task_fpstate_starts_from_init_fpstate),
		cmocka_unit_test(test_caller_allocator_is_used_and_balanced),
		cmocka_unit_test(test_allocation_failure_on_first_use_is_efault_and_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
