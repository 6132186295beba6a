/* SPDX-License-Identifier: MIT */
/*
 * os_xsave()/os_xrstor() on the engine: what the CET supervisor state series
 * says a saved guest fpstate looks like ("xstate_bv[12] == xcomp_bv[12] ==
 * 1") and a task's does not, under each policy, on real CPUs with XSAVES and
 * shadow stacks (Emerald Rapids, Zen 4 fixtures).
 *
 * Oracle: the fpstate numbers of the tests/data/expect files (compacted offset
 * of CET_S: 2464 on Emerald Rapids, 2456 on Zen 4) and the rule of the series
 * cover letter; the bytes are checked at those hand-computed offsets.
 */
#include "testutil.h"
#include "linux/linux.h"	/* a task fpstate's xfeatures set by hand (the warning's buggy case) */

#define CET_S_MASK (UINT64_C(1) << 12)

static const uint64_t pl_ssp[3] = { 0xffffc90000a01ff8ull, 0xffffc90000b01ff8ull, 0xffffc90000c01ff8ull };

/* The machine's CET_S registers (component 12: PL0_SSP, PL1_SSP, PL2_SSP), in and out. */
static void set_cet_s(xs_machine *m, const uint64_t ssp[3])
{
	uint8_t *p = xs_machine_component(m, XS_XFEATURE_CET_KERNEL, NULL);

	assert_non_null(p);
	memcpy(p, ssp, 3 * sizeof(ssp[0]));
	xs_machine_wrote(m, CET_S_MASK);
}

static bool cet_s_is(xs_machine *m, const uint64_t ssp[3])
{
	const uint8_t *p = xs_machine_component(m, XS_XFEATURE_CET_KERNEL, NULL);

	assert_non_null(p);
	return !memcmp(p, ssp, 3 * sizeof(ssp[0]));
}

struct run {
	xs_system *sys;
	xs_machine *m;
	xs_fpu *fpu;
	xs_fpu_guest *guest;
	xs_fpstate *task, *vcpu;	/* their fpstates */
};

/* patches: 0 for the release model, else the series patches (XS_PATCH_ALL: v4 with patch 8) */
static void run_setup_patches(struct run *r, const char *fixture, enum xs_cet_s_policy p, uint32_t patches)
{
	struct xs_options o;
	xs_cpu *cpu = xs_cpu_new();

	assert_non_null(cpu);
	xs_options_init(&o);
	o.cet_s = p;
	o.patches = patches;
	r->sys = xt_system(fixture, &o);
	xt_load_cpu(cpu, fixture);
	assert_int_equal(xs_machine_new(&r->m, cpu), 0);
	xs_cpu_free(cpu);
	assert_int_equal(xs_machine_setup_kernel(r->m, r->sys), 0);
	/* a kernel with shadow stacks in use: PL0-2 SSPs hold values */
	set_cet_s(r->m, pl_ssp);
	assert_int_equal(xs_fpu_new(&r->fpu, r->sys, NULL), 0);
	assert_non_null(r->guest = xs_fpu_guest_new());
	assert_int_equal(xs_fpu_alloc_guest_fpstate(r->fpu, r->guest), 0);
	r->task = xs_fpu_fpstate(r->fpu);
	r->vcpu = xs_fpu_guest_fpstate(r->guest);
}

static void run_setup(struct run *r, const char *fixture, enum xs_cet_s_policy p)
{
	run_setup_patches(r, fixture, p, 0);
}

static void run_teardown(struct run *r)
{
	xs_fpu_free_guest_fpstate(r->fpu, r->guest);
	xs_fpu_guest_free(r->guest);
	xs_fpu_free(r->fpu);
	xs_machine_free(r->m);
	free(r->sys);
}

/* The buggy case of the warning: a task fpstate given features it was not sized for, and back. */
static void set_xfeatures(xs_fpstate *fps, uint64_t mask, bool on)
{
	if (on)
		fps->xfeatures |= mask;
	else
		fps->xfeatures &= ~mask;
}

static void save_both(struct run *r)
{
	assert_int_equal(xs_os_xsave(r->m, r->sys, r->vcpu, NULL), XS_EXC_NONE);
	assert_int_equal(xs_os_xsave(r->m, r->sys, r->task, NULL), XS_EXC_NONE);
}

static void assert_cet_s_saved_at(xs_fpstate *f, unsigned off)
{
	uint64_t v[3];

	memcpy(v, xs_fpstate_regs(f) + off, sizeof(v));
	assert_memory_equal(v, pl_ssp, sizeof(v));
}

static void guest_has_cet_s_in_both_bitmaps(const char *fixture, unsigned cet_s_off)
{
	struct run r;

	run_setup(&r, fixture, XS_CET_S_GUEST_ONLY);
	save_both(&r);
	assert_true(xs_fpstate_xcomp_bv(r.vcpu) & CET_S_MASK);
	assert_true(xs_fpstate_xstate_bv(r.vcpu) & CET_S_MASK);
	assert_cet_s_saved_at(r.vcpu, cet_s_off);
	run_teardown(&r);
}

static void test_guest_fpstate_has_cet_s_in_xstate_bv_after_xsaves(void **state)
{
	(void)state;
	guest_has_cet_s_in_both_bitmaps("intel-emerald-rapids.instlat.txt", 2464);
	guest_has_cet_s_in_both_bitmaps("amd-zen4.instlat.txt", 2456);
}

static void test_task_fpstate_never_saves_cet_s_under_guest_only(void **state)
{
	struct run r;

	(void)state;
	run_setup(&r, "intel-emerald-rapids.instlat.txt", XS_CET_S_GUEST_ONLY);
	save_both(&r);
	assert_false(xs_fpstate_xcomp_bv(r.task) & CET_S_MASK);
	assert_false(xs_fpstate_xstate_bv(r.task) & CET_S_MASK);
	/* the task's buffer is 2560 bytes; XSAVES wrote nothing past it */
	assert_int_equal(xs_fpstate_info(r.task)->size, 2560);
	run_teardown(&r);
}

static void test_task_fpstate_saves_cet_s_under_all(void **state)
{
	struct run r;

	(void)state;
	run_setup(&r, "amd-zen4.instlat.txt", XS_CET_S_ALL);
	save_both(&r);
	assert_true(xs_fpstate_xstate_bv(r.task) & CET_S_MASK);
	assert_true(xs_fpstate_xcomp_bv(r.task) & CET_S_MASK);
	assert_cet_s_saved_at(r.task, 2456);
	assert_int_equal(xs_fpstate_info(r.task)->size, 2480);
	run_teardown(&r);
}

static void test_no_fpstate_saves_cet_s_under_off(void **state)
{
	struct run r;

	(void)state;
	run_setup(&r, "amd-zen4.instlat.txt", XS_CET_S_OFF);
	assert_false(xs_system_info(r.sys)->xss & CET_S_MASK);
	save_both(&r);
	assert_false((xs_fpstate_xstate_bv(r.vcpu) | xs_fpstate_xcomp_bv(r.vcpu)) &
		     CET_S_MASK);
	assert_false((xs_fpstate_xstate_bv(r.task) | xs_fpstate_xcomp_bv(r.task)) &
		     CET_S_MASK);
	run_teardown(&r);
}

static void test_guest_cet_s_survives_xrstors_and_a_task_restore_resets_it(void **state)
{
	static const uint64_t zero[3];
	struct run r;

	(void)state;
	run_setup(&r, "intel-emerald-rapids.instlat.txt", XS_CET_S_GUEST_ONLY);
	save_both(&r);
	set_cet_s(r.m, zero);
	assert_int_equal(xs_os_xrstor(r.m, r.sys, r.vcpu, ~0ull), XS_EXC_NONE);
	assert_true(cet_s_is(r.m, pl_ssp));
	/*
	 * Restoring the task's fpstate (RFBM = max_features, as
	 * restore_fpregs_from_fpstate() does) puts the vCPU's CET_S back to
	 * its init state: the task's XCOMP_BV has no bit 12.
	 */
	assert_int_equal(xs_os_xrstor(r.m, r.sys, r.task, ~0ull), XS_EXC_NONE);
	assert_true(cet_s_is(r.m, zero));
	run_teardown(&r);
}

/*
 * The warning of v4's patch 8, which never reached mainline: only the
 * series model (all eight patches) warns; the 6.18 release model does not.
 */
static void test_os_xsave_warns_for_guest_only_state_in_a_task_fpstate(void **state)
{
	struct run r;
	struct xs_diag d = { 0 };

	(void)state;
	run_setup(&r, "intel-emerald-rapids.instlat.txt", XS_CET_S_GUEST_ONLY);
	set_xfeatures(r.task, CET_S_MASK, true);
	assert_int_equal(xs_os_xsave(r.m, r.sys, r.task, &d), XS_EXC_NONE);
	assert_string_equal(d.msg, "");
	set_xfeatures(r.task, CET_S_MASK, false);
	run_teardown(&r);
	run_setup_patches(&r, "intel-emerald-rapids.instlat.txt", XS_CET_S_GUEST_ONLY, XS_PATCH_ALL);
	assert_int_equal(xs_os_xsave(r.m, r.sys, r.task, &d), XS_EXC_NONE);
	assert_string_equal(d.msg, "");
	assert_int_equal(xs_os_xsave(r.m, r.sys, r.vcpu, &d), XS_EXC_NONE);
	assert_string_equal(d.msg, "");
	/* a task fpstate that somehow got the guest's features (the buggy case) */
	set_xfeatures(r.task, CET_S_MASK, true);
	assert_int_equal(xs_os_xsave(r.m, r.sys, r.task, &d), XS_EXC_NONE);
	assert_non_null(strstr(d.msg, "guest-only"));
	set_xfeatures(r.task, CET_S_MASK, false);
	run_teardown(&r);
}

/* The task fpstate of a fixture saved by os_xsave(); returns its XCOMP_BV. */
static uint64_t task_xcomp_bv(const char *fixture, bool *xsaves)
{
	xs_system *sys = xt_system(fixture, NULL);
	xs_machine *m;
	xs_fpu *fpu;
	xs_cpu *cpu = xs_cpu_new();
	uint64_t v;

	assert_non_null(cpu);
	xt_load_cpu(cpu, fixture);
	assert_int_equal(xs_machine_new(&m, cpu), 0);
	xs_cpu_free(cpu);
	assert_int_equal(xs_machine_setup_kernel(m, sys), 0);
	assert_int_equal(xs_fpu_new(&fpu, sys, NULL), 0);
	assert_int_equal(xs_os_xsave(m, sys, xs_fpu_fpstate(fpu), NULL), XS_EXC_NONE);
	v = xs_fpstate_xcomp_bv(xs_fpu_fpstate(fpu));
	*xsaves = xs_system_info(sys)->xsaves;
	xs_fpu_free(fpu);
	xs_machine_free(m);
	free(sys);
	return v;
}

/*
 * Zen 2 has XSAVES, but the kernel clears it (erratum 1386, 6.3+): os_xsave()
 * falls back to XSAVEC, which writes the compacted bit and user components
 * only. Haswell has neither: XSAVEOPT, standard format, XCOMP_BV 0.
 */
static void test_os_xsave_picks_the_kernels_instruction(void **state)
{
	bool xsaves;

	(void)state;
	assert_int_equal(task_xcomp_bv("amd-zen2-rome.plain.txt", &xsaves),
			 XS_XCOMP_BV_COMPACTED_FORMAT | 0x7);	/* PKRU enumerated, but no PKU bit: dropped */
	assert_false(xsaves);
	assert_int_equal(task_xcomp_bv("intel-haswell.instlat.txt", &xsaves), 0);
	assert_false(xsaves);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_fpstate_has_cet_s_in_xstate_bv_after_xsaves),
		cmocka_unit_test(test_task_fpstate_never_saves_cet_s_under_guest_only),
		cmocka_unit_test(test_task_fpstate_saves_cet_s_under_all),
		cmocka_unit_test(test_no_fpstate_saves_cet_s_under_off),
		cmocka_unit_test(test_guest_cet_s_survives_xrstors_and_a_task_restore_resets_it),
		cmocka_unit_test(test_os_xsave_warns_for_guest_only_state_in_a_task_fpstate),
		cmocka_unit_test(test_os_xsave_picks_the_kernels_instruction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
