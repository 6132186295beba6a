// SPDX-License-Identifier: MIT
/*
 * vCPU snapshot plans on a CET host (Zen 4 with PKU and shadow stacks):
 * which guests set IA32_XSS and use CET_U/CET_S — the series' point that a
 * VMM that does not save IA32_XSS loses a new guest's CET state.
 */
#include <stdio.h>

#include "testutil.h"

static const struct xs_snapshot_item *find(const struct xs_snapshot_plan *p, const char *what)
{
	for (unsigned i = 0; i < p->nitems; i++)
		if (!strcmp(p->items[i].what, what))
			return &p->items[i];
	return NULL;
}

static void plan_for(uint32_t host_k, uint32_t guest_k, struct xs_snapshot_plan *p)
{
	xs_cpu cpu;
	xs_system *host;

	xt_cpu_zen4_pku(&cpu);
	host = xt_system_at(&cpu, host_k);
	assert_int_equal(xs_snapshot_plan(host, guest_k, p), 0);
	free(host);
}

static void test_a_6_18_guest_sets_xss_with_cet_s_and_needs_it_restored(void **state)
{
	struct xs_snapshot_plan p;

	(void)state;
	plan_for(XS_KERNEL(6, 18), XS_KERNEL(6, 18), &p);
	assert_int_equal(p.guest_xcr0, 0x2e7);
	assert_int_equal(p.guest_xss, 0x1800);
	assert_true(find(&p, "IA32_XSS")->used_by_guest);
	assert_int_equal(find(&p, "IA32_XSS")->msr, 0xda0);
	assert_int_equal(find(&p, "IA32_XSS")->value, 0x1800);
	assert_true(find(&p, "IA32_PL0_SSP")->used_by_guest);
	assert_true(find(&p, "IA32_U_CET")->used_by_guest);
	assert_true(find(&p, "PKRU")->used_by_guest);
	assert_int_equal(find(&p, "xsave buffer")->value, 4096);
}

/*
 * IA32_S_CET lives in no XSAVE component: a guest kernel >= 5.18 on a CPU
 * with IBT (Emerald Rapids; 7.0:EDX[20]) writes it for kernel IBT, one on
 * a CPU without IBT (the Zen 4 model) or an older one does not.
 */
static void test_s_cet_is_used_by_ibt_guests_on_ibt_cpus(void **state)
{
	struct xs_snapshot_plan p;
	xs_system *spr = xt_system("intel-emerald-rapids.instlat.txt", NULL);

	(void)state;
	assert_int_equal(xs_snapshot_plan(spr, XS_KERNEL(6, 18), &p), 0);
	assert_true(find(&p, "IA32_S_CET")->used_by_guest);
	assert_int_equal(xs_snapshot_plan(spr, XS_KERNEL(5, 17), &p), 0);
	assert_false(find(&p, "IA32_S_CET")->used_by_guest);
	free(spr);
	plan_for(XS_KERNEL(6, 18), XS_KERNEL(6, 18), &p);
	assert_false(find(&p, "IA32_S_CET")->used_by_guest);
}

static void test_older_guests_use_less_of_the_cet_state(void **state)
{
	struct xs_snapshot_plan p;

	(void)state;
	plan_for(XS_KERNEL(6, 18), XS_KERNEL(6, 8), &p);	/* user shadow stacks only */
	assert_int_equal(p.guest_xss, 0x800);
	assert_false(find(&p, "IA32_PL0_SSP")->used_by_guest);
	assert_true(find(&p, "IA32_PL3_SSP")->used_by_guest);
	plan_for(XS_KERNEL(6, 18), XS_KERNEL(5, 15), &p);	/* no CET at all */
	assert_int_equal(p.guest_xss, 0);
	assert_false(find(&p, "IA32_XSS")->used_by_guest);
	assert_non_null(strstr(find(&p, "IA32_XSS")->note, "save it anyway"));
}

static void test_a_host_without_kvm_cet_offers_no_xss(void **state)
{
	struct xs_snapshot_plan p;

	(void)state;
	plan_for(XS_KERNEL(6, 17), XS_KERNEL(6, 18), &p);
	assert_int_equal(p.guest_xss, 0);
	assert_null(find(&p, "IA32_PL0_SSP"));
	assert_non_null(strstr(find(&p, "IA32_XSS")->note, "offers no supervisor states"));
	plan_for(XS_KERNEL(5, 15), XS_KERNEL(6, 18), &p);	/* no KVM_CAP_XSAVE2 */
	assert_non_null(strstr(find(&p, "xsave buffer")->note, "no KVM_CAP_XSAVE2"));
}

static void test_an_amx_host_lists_the_xfd_msrs(void **state)
{
	struct xs_snapshot_plan p;
	xs_cpu cpu;
	xs_system *host;

	(void)state;
	xt_cpu_spr(&cpu);
	host = xt_system_of(&cpu, NULL);
	assert_int_equal(xs_snapshot_plan(host, XS_KERNEL(6, 18), &p), 0);
	assert_int_equal(find(&p, "xsave buffer")->value, 11008);
	assert_true(find(&p, "IA32_XFD")->used_by_guest);
	assert_int_equal(find(&p, "IA32_XFD")->msr, 0x1c4);
	free(host);
}

static void test_snapshot_plan_command(void **state)
{
	char path[1024], args[1200], *out;

	(void)state;
	snprintf(args, sizeof(args), "snapshot-plan --cpuid %s --guest-kernel 6.6 --format json",
		 xt_data_path("cpuid/amd-zen4.instlat.txt", path, sizeof(path)));
	assert_int_equal(xt_tool(args, &out, false), 0);
	assert_non_null(strstr(out, "\"guest_kernel\": \"6.6\""));
	free(out);
	assert_int_equal(xt_tool("snapshot-plan --guest-kernel 4.19", &out, true), 2);
	assert_non_null(strstr(out, "xstate: --guest-kernel: expected a release from 5.10 to 6.18"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_6_18_guest_sets_xss_with_cet_s_and_needs_it_restored),
		cmocka_unit_test(test_older_guests_use_less_of_the_cet_state),
		cmocka_unit_test(test_s_cet_is_used_by_ibt_guests_on_ibt_cpus),
		cmocka_unit_test(test_a_host_without_kvm_cet_offers_no_xss),
		cmocka_unit_test(test_an_amx_host_lists_the_xfd_msrs),
		cmocka_unit_test(test_snapshot_plan_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
