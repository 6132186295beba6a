// SPDX-License-Identifier: MIT
/*
 * Kernel releases 5.10 .. 6.18: the change table itself, boot lines of real
 * machines under the release they ran, and the same CPU under several
 * releases agreeing with the table (docs/kernels-research.md has sources).
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

#define K XS_KERNEL

static void test_change_table_is_ordered_and_cites_every_change_once(void **state)
{
	unsigned n, seen[XS_K_COUNT] = { 0 };
	const struct xs_kchange_info *t = xs_kchanges(&n);

	(void)state;
	assert_int_equal(n, XS_K_COUNT);
	for (unsigned i = 0; i < n; i++) {
		assert_true(XS_KERNEL_SERIES(t[i].release) >= XS_KERNEL_OLDEST &&
			    XS_KERNEL_SERIES(t[i].release) <= XS_KERNEL_DEFAULT);
		/* in release order: each row's release has every earlier row's change */
		if (i)
			assert_true(xs_kernel_has(t[i].release, t[i - 1].change));
		assert_true(strlen(t[i].subject) > 10);
		assert_true(strlen(t[i].behaviour) > 10);
		seen[t[i].change]++;
	}
	for (unsigned c = 0; c < XS_K_COUNT; c++)
		assert_int_equal(seen[c], 1);
	assert_true(xs_kernel_has(K(6, 17), XS_K_CET_KERNEL));
	assert_false(xs_kernel_has(K(6, 16), XS_K_CET_KERNEL));
}

/*
 * A change that reached 6.18 through a stable release (the sigreturn
 * revert, 6.18.35): in 6.18.35 and later, in "6.18" (the newest stable
 * release), not in 6.18.34 nor in 6.17; mainline changes are in every
 * stable release of their series.
 */
static void test_stable_backports_count_from_their_sublevel(void **state)
{
	(void)state;
	assert_true(xs_kernel_has(K(6, 18), XS_K_SIGRETURN_REVERT));
	assert_true(xs_kernel_has(XS_KERNEL_STABLE(6, 18, 35), XS_K_SIGRETURN_REVERT));
	assert_true(xs_kernel_has(XS_KERNEL_STABLE(6, 18, 44), XS_K_SIGRETURN_REVERT));
	assert_false(xs_kernel_has(XS_KERNEL_STABLE(6, 18, 34), XS_K_SIGRETURN_REVERT));
	assert_false(xs_kernel_has(XS_KERNEL_STABLE(6, 18, 0), XS_K_SIGRETURN_REVERT));
	assert_false(xs_kernel_has(K(6, 17), XS_K_SIGRETURN_REVERT));
	assert_true(xs_kernel_has(XS_KERNEL_STABLE(6, 18, 0), XS_K_KVM_CET));
	assert_true(xs_kernel_has(XS_KERNEL_STABLE(6, 15, 0), XS_K_SIGRETURN_MAGIC2));
	assert_false(xs_kernel_has(XS_KERNEL_STABLE(6, 14, 11), XS_K_SIGRETURN_MAGIC2));
}

/* The boot parameters that clear CPU features, as the kernel reads them. */
static void test_command_line_clears_features(void **state)
{
	(void)state;
	assert_int_equal(xs_cmdline_cleared_features(NULL), 0);
	assert_int_equal(xs_cmdline_cleared_features("BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet\n"), 0);
	assert_int_equal(xs_cmdline_cleared_features("ro noxsaves nopku"),
			 XS_BIT(XS_CPU_XSAVES) | XS_BIT(XS_CPU_PKU));
	assert_int_equal(xs_cmdline_cleared_features("clearcpuid=shstk,warp,xsavec noxsave\n"),
			 XS_BIT(XS_CPU_SHSTK) | XS_BIT(XS_CPU_XSAVEC) | XS_BIT(XS_CPU_XSAVE));
	/* parameters are whole words: "noxsavesx" and "xnopku" are not them */
	assert_int_equal(xs_cmdline_cleared_features("noxsavesx xnopku clearcpuid"), 0);
}

static void test_release_parsing(void **state)
{
	uint32_t k;
	char name[16];

	(void)state;
	assert_int_equal(xs_kernel_parse("6.18", &k), 0);
	assert_int_equal(k, K(6, 18));
	assert_int_equal(xs_kernel_parse("5.10.13", &k), 0);
	assert_int_equal(k, XS_KERNEL_STABLE(5, 10, 13));
	assert_int_equal(XS_KERNEL_SERIES(k), K(5, 10));
	assert_true(xs_kernel_valid(k));
	assert_int_equal(xs_kernel_parse("6.18.0", &k), 0);
	assert_int_equal(k, XS_KERNEL_STABLE(6, 18, 0));
	assert_string_equal(xs_kernel_name(k, name, sizeof(name)), "6.18.0");
	assert_string_equal(xs_kernel_name(K(6, 18), name, sizeof(name)), "6.18");
	assert_int_equal(xs_kernel_parse_uname("6.18.44-fc-v1098", &k), 0);
	assert_int_equal(k, XS_KERNEL_STABLE(6, 18, 44));
	assert_int_equal(xs_kernel_parse_uname("6.12.0-rc5", &k), 0);
	assert_int_equal(k, XS_KERNEL_STABLE(6, 12, 0));
	assert_int_equal(xs_kernel_parse_uname("6.6-custom", &k), 0);
	assert_int_equal(k, K(6, 6));
	assert_int_equal(xs_kernel_parse_uname("7.1.0", &k), -EINVAL);
	assert_int_equal(xs_kernel_parse_uname("generic", &k), -EINVAL);
	assert_int_equal(xs_kernel_parse("6.0", &k), 0);
	static const char *const bad[] = { "5.9", "5.20", "6.19", "7.0", "6.18x", "6.", "6", "", "a.b", "6.1.", "4.19" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xs_kernel_parse(bad[i], &k), -EINVAL);
}

/*
 * A Sapphire Rapids host in March 2022 (tip kernel with 5.18-rc1's fixes,
 * ENQCMD on): boot lines posted by Chang S. Bae on LKML (24 Mar 2022),
 * via docs/kernels-research.md "dmesg samples" 1.
 */
static void test_sapphire_rapids_boot_lines_of_2022(void **state)
{
	static const char expected[] =
		"x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x002: 'SSE registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x004: 'AVX registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x020: 'AVX-512 opmask'\n"
		"x86/fpu: Supporting XSAVE feature 0x040: 'AVX-512 Hi256'\n"
		"x86/fpu: Supporting XSAVE feature 0x080: 'AVX-512 ZMM_Hi256'\n"
		"x86/fpu: Supporting XSAVE feature 0x200: 'Protection Keys User registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x400: 'PASID state'\n"
		"x86/fpu: Supporting XSAVE feature 0x20000: 'AMX Tile config'\n"
		"x86/fpu: Supporting XSAVE feature 0x40000: 'AMX Tile data'\n"
		"x86/fpu: xstate_offset[2]:  576, xstate_sizes[2]:  256\n"
		"x86/fpu: xstate_offset[5]:  832, xstate_sizes[5]:   64\n"
		"x86/fpu: xstate_offset[6]:  896, xstate_sizes[6]:  512\n"
		"x86/fpu: xstate_offset[7]: 1408, xstate_sizes[7]: 1024\n"
		"x86/fpu: xstate_offset[9]: 2432, xstate_sizes[9]:    8\n"
		"x86/fpu: xstate_offset[10]: 2440, xstate_sizes[10]:    8\n"
		"x86/fpu: xstate_offset[17]: 2496, xstate_sizes[17]:   64\n"
		"x86/fpu: xstate_offset[18]: 2560, xstate_sizes[18]: 8192\n"
		"x86/fpu: Enabled xstate features 0x606e7, context size is 10752 bytes, using 'compacted' format.\n";
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_spr(&cpu);
	sys = xt_system_at(&cpu, K(5, 18));
	assert_string_equal(sys->log, expected);
	free(sys);
}

/*
 * Zen 4 laptops with shadow stacks (Ryzen 7 7840U and others) on 6.6..6.16
 * print 0xae7 and 2456 bytes; a Tiger Lake on >= 6.17 prints CET-S at 2456
 * and 2480 bytes — the same layout numbers (docs/kernels-research.md
 * "dmesg samples" 2 and 3).
 */
static void test_zen4_with_shadow_stacks_before_and_after_the_series(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	sys = xt_system_at(&cpu, K(6, 8));
	assert_non_null(strstr(sys->log, "x86/fpu: xstate_offset[9]: 2432, xstate_sizes[9]:    8\n"
					 "x86/fpu: xstate_offset[11]: 2440, xstate_sizes[11]:   16\n"
					 "x86/fpu: Enabled xstate features 0xae7, context size is 2456 bytes, using 'compacted' format.\n"));
	assert_null(strstr(sys->log, "0x1000"));
	free(sys);
	sys = xt_system_at(&cpu, K(6, 17));
	assert_non_null(strstr(sys->log, "x86/fpu: Supporting XSAVE feature 0x1000: 'Control-flow Kernel registers (KVM only)'\n"));
	assert_non_null(strstr(sys->log, "x86/fpu: xstate_offset[12]: 2456, xstate_sizes[12]:   24\n"
					 "x86/fpu: Enabled xstate features 0x1ae7, context size is 2480 bytes, using 'compacted' format.\n"));
	free(sys);
	sys = xt_system_at(&cpu, K(6, 5));	/* before CET user state */
	assert_non_null(strstr(sys->log, "Enabled xstate features 0x2e7, context size is 2440 bytes"));
	free(sys);
}

static void test_amx_cpu_under_5_15_and_6_1(void **state)
{
	xs_cpu cpu;
	xs_system *old, *new;
	xs_fpu fo, fn;
	uint64_t v = 0;

	(void)state;
	xt_cpu_spr(&cpu);
	old = xt_system_at(&cpu, K(5, 15));
	new = xt_system_at(&cpu, K(6, 1));
	/* 5.15: no AMX yet, ENQCMD force-disabled: no PASID either */
	assert_int_equal(old->kernel.max_features, 0x2e7);
	assert_int_equal(old->kernel.max_size, 2440);
	assert_int_equal(new->kernel.max_features, 0x606e7);
	assert_int_equal(new->kernel.max_size, 10752);
	assert_int_equal(xs_fpu_init(&fo, old, NULL), 0);
	assert_int_equal(xs_fpu_init(&fn, new, NULL), 0);
	assert_int_equal(xs_arch_prctl(&fo, XS_ARCH_GET_XCOMP_SUPP, 0, &v), -EINVAL);
	assert_int_equal(xs_arch_prctl(&fn, XS_ARCH_GET_XCOMP_SUPP, 0, &v), 0);
	assert_int_equal(v, 0x602e7);
	assert_int_equal(xs_arch_prctl(&fn, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
	xs_fpu_destroy(&fo);
	xs_fpu_destroy(&fn);
	free(old);
	free(new);
}

static void test_permission_request_history(void **state)
{
	static const struct { uint32_t k; uint64_t perm, guest; long guest_ret; } rows[] = {
		{ K(5, 16), 0x40000, 0, -EINVAL },	/* only the request stored; no guest prctl */
		{ K(5, 17), 0x40000, 0x40000, 0 },
		{ K(5, 18), 0x602e7, 0x602e7, 0 },	/* user bits kept, supervisor (PASID) dropped */
		{ K(6, 16), 0x60ee7, 0x60ee7, 0 },	/* PASID, CET_U kept */
		{ K(6, 17), 0x60ee7, 0x61ee7, 0 },	/* guests start from the guest defaults */
	};
	xs_cpu cpu;

	(void)state;
	xt_cpu_spr(&cpu);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		xs_system *sys = xt_system_at(&cpu, rows[i].k);
		xs_fpu fpu;

		assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
		assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
		assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), rows[i].guest_ret);
		if (fpu.perm.state_perm != rows[i].perm ||
		    (!rows[i].guest_ret && fpu.guest_perm.state_perm != rows[i].guest))
			fail_msg("%u.%u: perm %#llx guest %#llx", rows[i].k >> 8, rows[i].k & 0xff,
				 (unsigned long long)fpu.perm.state_perm,
				 (unsigned long long)fpu.guest_perm.state_perm);
		xs_fpu_destroy(&fpu);
		free(sys);
	}
}

static void test_xsavec_only_cpu_is_standard_before_5_19(void **state)
{
	static const struct xt_comp comps[] = { { 2, 256, 576, 0 } };
	const struct xt_synth s = {
		.vendor = "AuthenticAMD", .leaf1_eax = 0x00b00f21,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.d1_eax = XT_D1_XSAVEOPT | XT_D1_XSAVEC | XT_D1_XGETBV1, .comps = comps, .ncomps = 1,
	};
	xs_cpu cpu;
	xs_system *a, *b;

	(void)state;
	xt_cpu_synth(&cpu, &s);
	a = xt_system_at(&cpu, K(5, 18));
	b = xt_system_at(&cpu, K(5, 19));
	assert_false(a->compacted);
	assert_true(b->compacted);
	free(a);
	free(b);
}

static void test_kvm_by_release(void **state)
{
	xs_cpu cpu;
	xs_system *s16, *s17, *s18;
	xs_fpu vmm;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	s16 = xt_system_at(&cpu, K(5, 16));
	s17 = xt_system_at(&cpu, K(6, 17));
	s18 = xt_system_at(&cpu, K(6, 18));
	assert_int_equal(xs_fpu_init(&vmm, s16, NULL), 0);
	assert_int_equal(xs_kvm_cap_xsave2(&vmm), 0);	/* no KVM_CAP_XSAVE2 yet */
	xs_fpu_destroy(&vmm);
	assert_int_equal(xs_kvm_supported_xss(s17), 0);
	assert_int_equal(xs_kvm_supported_xss(s18), 0x1800);
	free(s16);
	free(s17);
	free(s18);
}

static void test_same_cpu_under_6_1_and_6_18_compat(void **state)
{
	xs_cpu cpu;
	xs_system *old, *new;
	struct xs_compat c;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	old = xt_system_at(&cpu, K(6, 1));
	new = xt_system_at(&cpu, K(6, 18));
	xs_compat_check(new, old, XS_COMPAT_VCPU, &c);
	assert_false(c.compatible);	/* 6.1's KVM has no CET */
	assert_int_equal(c.missing_xss, 0x1800);
	xs_compat_check(old, new, XS_COMPAT_VCPU, &c);
	assert_true(c.compatible);
	xs_compat_check(new, old, XS_COMPAT_TASK, &c);
	assert_false(c.compatible);	/* shadow-stack state has nowhere to go on 6.1 */
	assert_int_equal(c.missing_xss, XS_XFEATURE_MASK_CET_USER);
	free(old);
	free(new);
}

static enum xs_sigreturn sigreturn_at(const xs_cpu *cpu, uint32_t release, const uint8_t *frame,
				      size_t len)
{
	xs_system *sys = xt_system_at(cpu, release);
	struct xs_verdict v;
	enum xs_sigreturn r;
	xs_fpu f;

	assert_int_equal(xs_fpu_init(&f, sys, NULL), 0);
	r = xs_sigframe_check(&f, frame, len, &v);
	xs_fpu_destroy(&f);
	free(sys);
	return r;
}

/*
 * The revert (mainline 7.1, stable 6.18.35) of the 6.15 change, as measured
 * on Linux 6.18.44 with a handler that edits its own frame: a frame whose
 * xstate_size is 1000 with MAGIC2 at byte 1000 (and none after user_size)
 * restores the extended state; the lying xstate_size of 100 is fx-only
 * again. 6.18.34 still has the 6.15 behaviour.
 */
static void sigreturn_after_the_revert(const xs_cpu *cpu, uint8_t *frame, size_t len)
{
	struct xs_fx_sw_bytes sw;
	uint32_t magic2 = XS_FP_XSTATE_MAGIC2, zero = 0;

	memcpy(&sw, frame + 464, sizeof(sw));
	assert_int_equal(sw.xstate_size, 100);
	assert_int_equal(sigreturn_at(cpu, XS_KERNEL_STABLE(6, 18, 34), frame, len), XS_SIGRETURN_XSTATE);
	assert_int_equal(sigreturn_at(cpu, XS_KERNEL_STABLE(6, 18, 35), frame, len), XS_SIGRETURN_FX_ONLY);
	assert_int_equal(sigreturn_at(cpu, K(6, 18), frame, len), XS_SIGRETURN_FX_ONLY);
	memcpy(frame + sw.extended_size - 4, &zero, 4);		/* MAGIC2 after user_size */
	sw.xstate_size = 1000;
	memcpy(frame + 464, &sw, sizeof(sw));
	memcpy(frame + 1000, &magic2, 4);
	assert_int_equal(sigreturn_at(cpu, K(6, 18), frame, len), XS_SIGRETURN_XSTATE);
	assert_int_equal(sigreturn_at(cpu, XS_KERNEL_STABLE(6, 18, 34), frame, len), XS_SIGRETURN_FX_ONLY);
	assert_int_equal(sigreturn_at(cpu, K(6, 14), frame, len), XS_SIGRETURN_XSTATE);
}

static void test_ptrace_and_sigreturn_history(void **state)
{
	xs_cpu cpu;
	xs_system *s61, *s62, *s513, *s614;
	xs_fpu f;
	uint8_t buf[2440] = { 0 }, frame[4096] = { 0 };
	uint64_t bv = 0x207;
	uint32_t mxcsr = 0x1f80 | (1u << 20), pk = 0x12345678;
	struct xs_verdict v;
	struct xs_fx_sw_bytes sw;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	s61 = xt_system_at(&cpu, K(6, 1));
	s62 = xt_system_at(&cpu, K(6, 2));
	s513 = xt_system_at(&cpu, K(5, 13));
	s614 = xt_system_at(&cpu, K(6, 14));
	memcpy(buf + 512, &bv, 8);
	memcpy(buf + 2432, &pk, 4);
	memcpy(buf + 24, &(uint32_t){ 0x1f80 }, 4);
	/* PKRU through ptrace: ignored on 6.1, taken on 6.2 */
	assert_int_equal(xs_fpu_init(&f, s61, NULL), 0);
	f.pkru = 0x55555554;
	assert_int_equal(xs_ptrace_setregset(&f, buf, sizeof(buf), NULL), 0);
	assert_int_equal(f.pkru, 0x55555554);
	xs_fpu_destroy(&f);
	assert_int_equal(xs_fpu_init(&f, s62, NULL), 0);
	assert_int_equal(xs_ptrace_setregset(&f, buf, sizeof(buf), NULL), 0);
	assert_int_equal(f.pkru, pk);
	xs_fpu_destroy(&f);
	/* reserved MXCSR bits: silently cleared before 5.14, EINVAL after */
	memcpy(buf + 24, &mxcsr, 4);
	assert_int_equal(xs_fpu_init(&f, s513, NULL), 0);
	assert_int_equal(xs_ptrace_setregset(&f, buf, sizeof(buf), &v), 0);
	xs_fpu_destroy(&f);
	assert_int_equal(xs_fpu_init(&f, s61, NULL), 0);
	assert_int_equal(xs_ptrace_setregset(&f, buf, sizeof(buf), &v), -EINVAL);
	/* sigreturn: a frame whose xstate_size lies is fx-only before 6.15 */
	assert_int_equal(xs_sigframe_save(&f, frame, sizeof(frame)), 0);
	memcpy(&sw, frame + 464, sizeof(sw));
	sw.xstate_size = 100;
	memcpy(frame + 464, &sw, sizeof(sw));
	assert_int_equal(xs_sigframe_check(&f, frame, sizeof(frame), &v), XS_SIGRETURN_FX_ONLY);
	xs_fpu_destroy(&f);
	assert_int_equal(xs_fpu_init(&f, s614, NULL), 0);
	assert_int_equal(xs_sigframe_check(&f, frame, sizeof(frame), &v), XS_SIGRETURN_FX_ONLY);
	xs_fpu_destroy(&f);
	{
		xs_system *s615 = xt_system_at(&cpu, K(6, 15));

		assert_int_equal(xs_fpu_init(&f, s615, NULL), 0);
		assert_int_equal(xs_sigframe_check(&f, frame, sizeof(frame), &v), XS_SIGRETURN_XSTATE);
		xs_fpu_destroy(&f);
		free(s615);
	}
	sigreturn_after_the_revert(&cpu, frame, sizeof(frame));
	free(s61);
	free(s62);
	free(s513);
	free(s614);
}

static void test_disable_messages_by_release(void **state)
{
	static const struct xt_comp comps[] = { { 2, 4096, 576, 0 } };
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000306c3,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.d1_eax = XT_D1_XSAVEOPT, .comps = comps, .ncomps = 1,
	};
	xs_cpu cpu;
	xs_system *a, *b, *c;

	(void)state;
	xt_cpu_synth(&cpu, &s);
	a = xt_system_at(&cpu, K(6, 0));
	b = xt_system_at(&cpu, K(6, 15));
	c = xt_system_at(&cpu, K(6, 16));
	assert_non_null(strstr(a->log, "x86/fpu: xstate buffer too small (4096 < 4672), disabling xsave\n"));
	assert_null(strstr(a->log, "XSAVE disabled"));
	assert_non_null(strstr(b->log, "x86/fpu: init_fpstate buffer too small (4096 < 4672), disabling XSAVE\n"));
	assert_non_null(strstr(c->log, "x86/fpu: init_fpstate buffer too small (4096 < 4672)\nx86/fpu: XSAVE disabled\n"));
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_table_is_ordered_and_cites_every_change_once),
		cmocka_unit_test(test_stable_backports_count_from_their_sublevel),
		cmocka_unit_test(test_release_parsing),
		cmocka_unit_test(test_command_line_clears_features),
		cmocka_unit_test(test_sapphire_rapids_boot_lines_of_2022),
		cmocka_unit_test(test_zen4_with_shadow_stacks_before_and_after_the_series),
		cmocka_unit_test(test_amx_cpu_under_5_15_and_6_1),
		cmocka_unit_test(test_permission_request_history),
		cmocka_unit_test(test_xsavec_only_cpu_is_standard_before_5_19),
		cmocka_unit_test(test_kvm_by_release),
		cmocka_unit_test(test_same_cpu_under_6_1_and_6_18_compat),
		cmocka_unit_test(test_ptrace_and_sigreturn_history),
		cmocka_unit_test(test_disable_messages_by_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
