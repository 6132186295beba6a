// SPDX-License-Identifier: MIT
/*
 * The eight changes of the Linux "CET supervisor state" series (v4), one
 * group each, every test asserting the behaviour the change introduced by
 * modelling the kernel with and without it. CPUs: the Zen 4 VM and the
 * Sapphire Rapids numbers from the spec files (testutil.c).
 */
#include <errno.h>

#include "testutil.h"

#define GUEST_ONLY XS_PATCH_ALL
#define WITHOUT(p) (XS_PATCH_ALL & ~(uint32_t)(p))

static xs_system *zen4(uint32_t patches)
{
	struct xs_options o;
	xs_cpu cpu;

	xs_options_init(&o);
	o.patches = patches;
	xt_cpu_zen4_cet(&cpu);
	return xt_system_of(&cpu, &o);
}

static xs_system *spr(uint32_t patches)
{
	struct xs_options o;
	xs_cpu cpu;

	xs_options_init(&o);
	o.patches = patches;
	xt_cpu_spr(&cpu);
	return xt_system_of(&cpu, &o);
}

static void new_fpu(xs_fpu *fpu, const xs_system *sys)
{
	assert_int_equal(xs_fpu_init(fpu, sys, NULL), 0);
}

/* ---- 1. x86/fpu/xstate: Always preserve non-user xfeatures/flags in __state_perm */

static void test_preserve_perm_guest_request_keeps_supervisor_bits(void **state)
{
	xs_system *sys = spr(GUEST_ONLY);
	xs_fpu fpu;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(fpu.guest_perm.state_perm, 0x61ee7);	/* PASID, CET_U, CET_S kept */
	assert_int_equal(fpu.guest_perm.state_size,
			 xs_xstate_calculate_size(sys, 0x61ee7, true));
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_preserve_perm_host_request_keeps_supervisor_bits(void **state)
{
	xs_system *sys = spr(GUEST_ONLY);
	xs_fpu fpu;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(fpu.perm.state_perm, 0x20ee7);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_int_equal(fpu.perm.state_perm, 0x60ee7);	/* PASID, CET_U still there */
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_without_preserve_perm_requests_clobber_supervisor_bits(void **state)
{
	xs_system *sys = spr(WITHOUT(XS_PATCH_PRESERVE_PERM));
	xs_fpu fpu;
	uint64_t user;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(fpu.guest_perm.state_perm, 0x602e7);	/* user bits only */
	/* and the guest ksize forgot the supervisor states */
	assert_int_equal(fpu.guest_perm.state_size, xs_xstate_calculate_size(sys, 0x602e7, true));
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	assert_int_equal(fpu.perm.state_perm, 0x602e7);
	/* the host size was "fudged" with xfeatures_mask_supervisor() all along */
	assert_int_equal(fpu.perm.state_size, xs_xstate_calculate_size(sys, 0x61ee7, true));
	/* ARCH_GET_XCOMP_PERM never showed the difference */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_PERM, 0, &user), 0);
	assert_int_equal(user, 0x602e7);
	xs_fpu_destroy(&fpu);
	free(sys);
}

/* ---- 2. x86/fpu: Drop @perm from guest pseudo FPU container -------------- */

static void test_guest_container_uses_the_owners_guest_perm(void **state)
{
	xs_system *sys = spr(GUEST_ONLY);
	xs_fpu with, without;
	xs_fpu_guest g1, g2;

	(void)state;
	new_fpu(&with, sys);
	new_fpu(&without, sys);
	assert_int_equal(xs_arch_prctl(&with, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&with, &g1), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&without, &g2), 0);
	/* identical containers; only the owners' guest_perm differs */
	assert_int_equal(g1.xfeatures, g2.xfeatures);
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&with, &g1, XS_XFEATURE_MASK_XTILE_DATA), 0);
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&without, &g2, XS_XFEATURE_MASK_XTILE_DATA), -EPERM);
	assert_true(g1.xfeatures & XS_XFEATURE_MASK_XTILE_DATA);
	assert_false(g2.xfeatures & XS_XFEATURE_MASK_XTILE_DATA);
	assert_int_equal(xs_fpu_free_guest_fpstate(&with, &g1), 0);
	assert_int_equal(xs_fpu_free_guest_fpstate(&without, &g2), 0);
	xs_fpu_destroy(&with);
	xs_fpu_destroy(&without);
	free(sys);
}

/*
 * What the change removed: before it, fpu_alloc_guest_fpstate() stored
 * fpu_user_cfg.default_features (SPR: 0x2e7, no TILEDATA) in gfpu->perm,
 * which no request ever updated and no code read. A model that kept such a
 * copy and consulted it would refuse TILEDATA below; the kernel (before and
 * after) and the model answer from the owner's guest_perm. The change has
 * no other behaviour: every answer is the same with and without it.
 */
static void guest_sequence(const xs_system *sys, int out[4])
{
	xs_fpu fpu;
	xs_fpu_guest g;
	uint64_t perm;

	new_fpu(&fpu, sys);
	out[0] = xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL);
	out[1] = xs_fpu_alloc_guest_fpstate(&fpu, &g);
	out[2] = xs_fpu_enable_guest_xfd_features(&fpu, &g, XS_XFEATURE_MASK_XTILE_DATA);
	out[3] = xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_GUEST_PERM, 0, &perm);
	assert_int_equal(perm, 0x602e7);	/* TILEDATA, granted before the vCPU existed */
	assert_true(g.xfeatures & XS_XFEATURE_MASK_XTILE_DATA);
	assert_int_equal(g.fpstate->size, xs_xstate_calculate_size(sys, g.xfeatures, true));
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
}

static void test_guest_container_has_no_stale_default_permission(void **state)
{
	xs_system *with = spr(GUEST_ONLY), *without = spr(WITHOUT(XS_PATCH_DROP_GUEST_PERM));
	int a[4], b[4];

	(void)state;
	guest_sequence(with, a);
	guest_sequence(without, b);
	assert_int_equal(a[0], 0);
	assert_int_equal(a[2], 0);	/* a stale 0x2e7 copy would have said no */
	assert_memory_equal(a, b, sizeof(a));
	free(with);
	free(without);
}

static void test_guest_container_creation_locks_the_owners_guest_perm(void **state)
{
	xs_system *sys = spr(GUEST_ONLY);
	xs_fpu fpu;
	xs_fpu_guest g;
	struct xs_fpu_state_perm before;
	uint64_t v;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_true(fpu.guest_perm.state_perm & XS_FPU_GUEST_PERM_LOCKED);
	before = fpu.guest_perm;
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), -EBUSY);
	assert_memory_equal(&fpu.guest_perm, &before, sizeof(before));
	/* the lock flag and CET_KERNEL never leak to user space */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_GET_XCOMP_GUEST_PERM, 0, &v), 0);
	assert_int_equal(v, 0x202e7);
	/* the host permission is not locked */
	assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
	free(sys);
}

/* ---- 3. x86/fpu/xstate: Add CET supervisor xfeature support --------------- */

static void test_cet_kernel_xfeature_is_kept_with_shstk_and_xsaves(void **state)
{
	xs_system *with = zen4(XS_PATCH_PRESERVE_PERM | XS_PATCH_DROP_GUEST_PERM | XS_PATCH_CET_KERNEL);
	xs_system *without = zen4(XS_PATCH_PRESERVE_PERM | XS_PATCH_DROP_GUEST_PERM);
	char why[160];

	(void)state;
	assert_true(with->kernel.max_features & XS_XFEATURE_MASK_CET_KERNEL);
	assert_true(with->xss & XS_XFEATURE_MASK_CET_KERNEL);
	assert_non_null(strstr(with->log, "Supporting XSAVE feature 0x1000: 'Control-flow Kernel registers (KVM only)'"));
	assert_false(without->kernel.max_features & XS_XFEATURE_MASK_CET_KERNEL);
	assert_false(xs_xfeature_status(without, 12, why, sizeof(why)));
	assert_non_null(strstr(why, "before the CET supervisor state series"));
	free(with);
	free(without);
}

static void test_cet_kernel_size_is_checked_against_its_24_byte_struct(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	xs_cpu_set_leaf(&cpu, 0xd, 12, 32, 0, 1, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_non_null(strstr(sys->log, "[Control-flow Kernel registers (KVM only)]: struct is 24 bytes, cpu state 32 bytes"));
	assert_false(sys->disabled);
	free(sys);
}

/* ---- 4. x86/fpu/xstate: Differentiate default features for host and guest FPUs */

static void test_guest_defaults_include_cet_s_host_defaults_do_not(void **state)
{
	xs_system *with = zen4(GUEST_ONLY);
	xs_system *without = zen4(WITHOUT(XS_PATCH_GUEST_DEFAULTS));

	(void)state;
	assert_int_equal(with->kernel.guest_default_features, 0x18e7);
	assert_int_equal(with->kernel.default_features, 0x08e7);
	assert_int_equal(with->kernel.guest_default_size, 2472);
	/* without the split, guests get the host defaults: no CET-S at all */
	assert_int_equal(without->kernel.guest_default_features, 0x08e7);
	assert_int_equal(without->kernel.guest_default_size, 2448);
	/* user defaults are the same for both */
	assert_int_equal(with->user.guest_default_features, with->user.default_features);
	free(with);
	free(without);
}

/* ---- 5. x86/fpu: Initialize guest FPU permissions from guest defaults ----- */

static void test_guest_perm_starts_from_guest_defaults(void **state)
{
	xs_system *with = zen4(GUEST_ONLY), *without = zen4(WITHOUT(XS_PATCH_GUEST_PERM_DEFAULTS));
	xs_fpu a, b;

	(void)state;
	new_fpu(&a, with);
	new_fpu(&b, without);
	assert_int_equal(a.guest_perm.state_perm, 0x18e7);
	assert_int_equal(a.guest_perm.state_size, 2472);
	assert_int_equal(a.perm.state_perm, 0x08e7);
	assert_int_equal(b.guest_perm.state_perm, b.perm.state_perm);
	assert_int_equal(b.guest_perm.state_size, 2448);
	xs_fpu_destroy(&a);
	xs_fpu_destroy(&b);
	free(with);
	free(without);
}

/* ---- 6. x86/fpu: Initialize guest fpstate and FPU pseudo container from guest defaults */

static void test_guest_fpstate_has_cet_s_in_xcomp_bv(void **state)
{
	xs_system *sys = zen4(GUEST_ONLY);
	xs_fpu fpu;
	xs_fpu_guest g;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_true(g.fpstate->is_guest);
	assert_int_equal(g.fpstate->size, 2472);
	assert_int_equal(g.fpstate->xfeatures, 0x18e7);
	assert_int_equal(g.xfeatures, 0x18e7);
	assert_int_equal(xs_fpstate_xcomp_bv(g.fpstate), XS_XCOMP_BV_COMPACTED_FORMAT | 0x18e7);
	/* a fresh buffer: every component in its init state */
	assert_int_equal(xs_fpstate_xstate_bv(g.fpstate), 0);
	assert_int_equal(g.fpstate->xfd, 0);
	assert_int_equal(g.uabi_size, 4096);
	/* the task's own fpstate has neither */
	assert_int_equal(fpu.fpstate->size, 2448);
	assert_int_equal(xs_fpstate_xcomp_bv(fpu.fpstate), XS_XCOMP_BV_COMPACTED_FORMAT | 0x08e7);
	assert_int_equal(xs_fpstate_xstate_bv(fpu.fpstate), 0);
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_without_guest_fpstate_defaults_the_vcpu_gets_host_sizes(void **state)
{
	xs_system *sys = zen4(WITHOUT(XS_PATCH_GUEST_FPSTATE_DEFAULTS));
	xs_fpu fpu;
	xs_fpu_guest g;

	(void)state;
	new_fpu(&fpu, sys);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_int_equal(g.fpstate->size, 2448);
	assert_int_equal(g.xfeatures, 0x08e7);
	assert_false(xs_fpstate_xcomp_bv(g.fpstate) & XS_XFEATURE_MASK_CET_KERNEL);
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
	free(sys);
}

/* ---- 7. x86/fpu/xstate: Introduce "guest-only" supervisor xfeature set ---- */

static void test_task_fpstate_has_no_cet_s_under_guest_only(void **state)
{
	xs_system *with = zen4(GUEST_ONLY);
	xs_system *without = zen4(WITHOUT(XS_PATCH_GUEST_ONLY_SET | XS_PATCH_WARN_GUEST_ONLY));
	xs_fpu a, b;

	(void)state;
	new_fpu(&a, with);
	new_fpu(&b, without);
	assert_int_equal(with->supervisor_guest, XS_XFEATURE_MASK_CET_KERNEL);
	assert_false(a.fpstate->xfeatures & XS_XFEATURE_MASK_CET_KERNEL);
	assert_false(xs_fpstate_xcomp_bv(a.fpstate) & XS_XFEATURE_MASK_CET_KERNEL);
	/* without the set, CET-S is a normal supervisor state: 24 more bytes per task */
	assert_int_equal(without->supervisor_guest, 0);
	assert_true(b.fpstate->xfeatures & XS_XFEATURE_MASK_CET_KERNEL);
	assert_int_equal(b.fpstate->size - a.fpstate->size, 24);
	xs_fpu_destroy(&a);
	xs_fpu_destroy(&b);
	free(with);
	free(without);
}

/* ---- 8. x86/fpu/xstate: Warn if guest-only supervisor states are detected in normal fpstate */

static void test_guest_only_state_in_normal_fpstate_is_warned(void **state)
{
	xs_system *sys = zen4(GUEST_ONLY);
	xs_fpu fpu;
	xs_fpu_guest g;
	struct xs_diag d = { 0 };

	(void)state;
	new_fpu(&fpu, sys);
	assert_false(xs_fpstate_guest_only_warning(sys, fpu.fpstate, &d));
	fpu.fpstate->xfeatures |= XS_XFEATURE_MASK_CET_KERNEL;	/* what a bug would do */
	assert_true(xs_fpstate_guest_only_warning(sys, fpu.fpstate, &d));
	assert_non_null(strstr(d.msg, "XFEATURE_CET_KERNEL"));
	assert_non_null(strstr(d.msg, "non-guest fpstate"));
	/* the same bits in a guest fpstate are the point of the design */
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
	assert_false(xs_fpstate_guest_only_warning(sys, g.fpstate, &d));
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
	free(sys);
}

static void test_no_warning_without_the_patch_or_under_policy_all(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *nowarn = zen4(WITHOUT(XS_PATCH_WARN_GUEST_ONLY)), *all;
	xs_fpu fpu;

	(void)state;
	new_fpu(&fpu, nowarn);
	fpu.fpstate->xfeatures |= XS_XFEATURE_MASK_CET_KERNEL;
	assert_false(xs_fpstate_guest_only_warning(nowarn, fpu.fpstate, NULL));
	xs_fpu_destroy(&fpu);
	xs_options_init(&o);
	o.cet_s = XS_CET_S_ALL;
	xt_cpu_zen4_cet(&cpu);
	all = xt_system_of(&cpu, &o);
	new_fpu(&fpu, all);
	assert_true(fpu.fpstate->xfeatures & XS_XFEATURE_MASK_CET_KERNEL);
	assert_false(xs_fpstate_guest_only_warning(all, fpu.fpstate, NULL));
	xs_fpu_destroy(&fpu);
	free(nowarn);
	free(all);
}

int main(void)
{
	const struct CMUnitTest preserve_perm[] = {
		cmocka_unit_test(test_preserve_perm_guest_request_keeps_supervisor_bits),
		cmocka_unit_test(test_preserve_perm_host_request_keeps_supervisor_bits),
		cmocka_unit_test(test_without_preserve_perm_requests_clobber_supervisor_bits),
	};
	const struct CMUnitTest drop_guest_perm[] = {
		cmocka_unit_test(test_guest_container_uses_the_owners_guest_perm),
		cmocka_unit_test(test_guest_container_creation_locks_the_owners_guest_perm),
		cmocka_unit_test(test_guest_container_has_no_stale_default_permission),
	};
	const struct CMUnitTest cet_kernel[] = {
		cmocka_unit_test(test_cet_kernel_xfeature_is_kept_with_shstk_and_xsaves),
		cmocka_unit_test(test_cet_kernel_size_is_checked_against_its_24_byte_struct),
	};
	const struct CMUnitTest guest_defaults[] = {
		cmocka_unit_test(test_guest_defaults_include_cet_s_host_defaults_do_not),
	};
	const struct CMUnitTest guest_perm_defaults[] = {
		cmocka_unit_test(test_guest_perm_starts_from_guest_defaults),
	};
	const struct CMUnitTest guest_fpstate_defaults[] = {
		cmocka_unit_test(test_guest_fpstate_has_cet_s_in_xcomp_bv),
		cmocka_unit_test(test_without_guest_fpstate_defaults_the_vcpu_gets_host_sizes),
	};
	const struct CMUnitTest guest_only_set[] = {
		cmocka_unit_test(test_task_fpstate_has_no_cet_s_under_guest_only),
	};
	const struct CMUnitTest warn_guest_only[] = {
		cmocka_unit_test(test_guest_only_state_in_normal_fpstate_is_warned),
		cmocka_unit_test(test_no_warning_without_the_patch_or_under_policy_all),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("always preserve non-user xfeatures/flags in __state_perm", preserve_perm, NULL, NULL);
	fails += cmocka_run_group_tests_name("drop @perm from the guest pseudo FPU container", drop_guest_perm, NULL, NULL);
	fails += cmocka_run_group_tests_name("add the CET supervisor xfeature", cet_kernel, NULL, NULL);
	fails += cmocka_run_group_tests_name("differentiate default features for host and guest FPUs", guest_defaults, NULL, NULL);
	fails += cmocka_run_group_tests_name("initialise guest FPU permissions from guest defaults", guest_perm_defaults, NULL, NULL);
	fails += cmocka_run_group_tests_name("initialise the guest fpstate and pseudo container from guest defaults", guest_fpstate_defaults, NULL, NULL);
	fails += cmocka_run_group_tests_name("introduce the guest-only supervisor xfeature set", guest_only_set, NULL, NULL);
	fails += cmocka_run_group_tests_name("warn if guest-only supervisor states are detected in normal fpstate", warn_guest_only, NULL, NULL);
	return fails;
}
