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

/*
 * The boot parameters that clear CPU features, as Linux 6.18 reads them
 * (cpu_parse_early_param(), arch/x86/kernel/cpu/common.c): noxsave,
 * noxsaveopt, noxsaves as whole words; clearcpuid= with decimal bit
 * numbers or /proc/cpuinfo names (X86_FEATURE_SHSTK is a "" flag since
 * 6.6, so "shstk" names nothing; its bit 16*32+7 = 519 still clears it);
 * the last clearcpuid= wins (cmdline_find_option()); nopku keeps PKU and
 * leaves OSPKE clear, and like every __setup("nopku") handler it takes any
 * word that starts with "nopku".
 */
static void test_command_line_clears_features(void **state)
{
	(void)state;
	assert_int_equal(xs_cmdline_cleared_features(NULL), 0);
	assert_int_equal(xs_cmdline_cleared_features("BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet\n"), 0);
	assert_int_equal(xs_cmdline_cleared_features("ro noxsaves nopku"),
			 XS_BIT(XS_CPU_XSAVES) | XS_BIT(XS_CPU_OSPKE));
	assert_int_equal(xs_cmdline_cleared_features("noxsaveopt\tnoxsave"),
			 XS_BIT(XS_CPU_XSAVEOPT) | XS_BIT(XS_CPU_XSAVE));
	assert_int_equal(xs_cmdline_cleared_features("clearcpuid=shstk,warp,xsavec noxsave\n"),
			 XS_BIT(XS_CPU_XSAVEC) | XS_BIT(XS_CPU_XSAVE));
	assert_int_equal(xs_cmdline_cleared_features("clearcpuid=519,324"),
			 XS_BIT(XS_CPU_SHSTK) | XS_BIT(XS_CPU_XFD));
	assert_int_equal(xs_cmdline_cleared_features("clearcpuid=avx clearcpuid=xsaves"), XS_BIT(XS_CPU_XSAVES));
	assert_int_equal(xs_cmdline_cleared_features("nopkufoo"), XS_BIT(XS_CPU_OSPKE));
	/* parameters are whole words: "noxsavesx" and "xnopku" are not them, nor "clearcpuid" without '=' */
	assert_int_equal(xs_cmdline_cleared_features("noxsavesx xnopku clearcpuid noxsave=1"), 0);
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

/* ---- the CPU clean-up before fpu__init_system() ------------------------------ */

static xs_system *boot(const xs_cpu *cpu, uint32_t release, const char *cmdline)
{
	struct xs_options o;

	xs_options_init(&o);
	o.kernel = release;
	snprintf(o.cmdline, sizeof(o.cmdline), "%s", cmdline);
	return xt_system_of(cpu, &o);
}

/*
 * clearcpuid= by release (cpu_parse_early_param()): bit numbers only until
 * 5.18, read by get_option() with base 0 (0x9c = 156 = X86_FEATURE_AVX,
 * 4*32+28), the first entry that is not a number ending the list; from
 * 5.19 (1625c833db93) decimal numbers (kstrtouint) or /proc/cpuinfo names,
 * each entry on its own, unnamed bits as word:bit; from 6.15 (681955761bf6,
 * d0ba9bcf001c) one warning per flag and the taint warning. AVX cleared
 * takes AVX-512F with it (cpuid_deps[]), so YMM and the three AVX-512
 * components go (xsave_cpuid_features[]).
 */
static void test_clearcpuid_takes_numbers_until_5_18_and_names_from_5_19(void **state)
{
	const uint64_t avx = XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_AVX512;
	xs_cpu cpu;
	xs_system *s;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	s = boot(&cpu, K(5, 18), "ro clearcpuid=156,xsave,154 quiet");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: avx\n");
	assert_true(s->xsave);
	assert_int_equal(s->kernel.max_features & avx, 0);
	free(s);
	s = boot(&cpu, K(5, 18), "clearcpuid=0x9c");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: avx\n");
	assert_int_equal(s->kernel.max_features & avx, 0);
	free(s);
	s = boot(&cpu, K(5, 19), "clearcpuid=0x9c");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: (unknown: 0x9c)\n");
	assert_int_equal(s->kernel.max_features & avx, avx);
	free(s);
	s = boot(&cpu, K(5, 19), "clearcpuid=xsave,156");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: xsave avx\n");
	assert_string_equal(s->log, "x86/fpu: x87 FPU will use FXSAVE\n");
	free(s);
	/* X86_FEATURE_SHSTK (16*32+7): no name before 6.6, a "" flag after */
	s = boot(&cpu, K(5, 18), "clearcpuid=519");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: (null)\n");
	free(s);
	s = boot(&cpu, K(6, 14), "clearcpuid=519,shstk");
	assert_string_equal(s->cpu_log, "Clearing CPUID bits: 16:7 (unknown: shstk)\n");
	assert_false(s->kernel.max_features & XS_XFEATURE_MASK_CET_USER);
	free(s);
	s = boot(&cpu, K(6, 15), "clearcpuid=xsave,bogus");
	assert_string_equal(s->cpu_log,
			    "clearcpuid: force-disabling CPU feature flag: xsave\n"
			    "clearcpuid: unknown CPU flag: bogus\n"
			    "!!! setcpuid=/clearcpuid= in use, this is for TESTING ONLY, may break things horribly. Tainting kernel.\n");
	assert_string_equal(s->log, "x86/fpu: x87 FPU will use FXSAVE\n");
	free(s);
	/* nothing cleared, nothing tainted: no warning */
	s = boot(&cpu, K(6, 18), "clearcpuid=bogus");
	assert_string_equal(s->cpu_log, "clearcpuid: unknown CPU flag: bogus\n");
	free(s);
}

/*
 * cmdline_find_option() copies clearcpuid='s argument into char arg[128]:
 * 131 characters keep 127, so "...,1561" arrives as "...,156". Until 5.18
 * the get_option() loop drops a last number that may be cut off (res == 1
 * && arglen >= sizeof(arg)); from 5.19 strsep() hands "156" on: AVX goes.
 */
static void test_a_cut_off_clearcpuid_argument_by_release(void **state)
{
	char cmdline[200] = "clearcpuid=";
	xs_cpu cpu;
	xs_system *old, *new;

	(void)state;
	for (int i = 0; i < 31; i++)
		strcat(cmdline, "293,");		/* X86_FEATURE_AVX2, 9*32+5 */
	strcat(cmdline, "1561");
	assert_int_equal(strlen(cmdline) - strlen("clearcpuid="), 128);
	xt_cpu_zen4_pku(&cpu);
	old = boot(&cpu, K(5, 18), cmdline);
	new = boot(&cpu, K(5, 19), cmdline);
	assert_true(old->kernel.max_features & XS_XFEATURE_MASK_YMM);
	assert_false(new->kernel.max_features & XS_XFEATURE_MASK_YMM);
	assert_non_null(strstr(new->cpu_log, " avx2 avx\n"));
	assert_non_null(strstr(old->cpu_log, " avx2 avx2\n"));
	free(old);
	free(new);
}

/*
 * nopku (setup_disable_pku()) keeps X86_FEATURE_PKU and leaves OSPKE clear.
 * Until 6.5 PKRU was gated on PKU, so it stayed in XCR0; "x86/fpu/xstate:
 * Fix PKRU covert channel" (18032b47adf1, 6.6) gates it on OSPKE.
 */
static void test_nopku_keeps_pkru_until_6_6(void **state)
{
	xs_cpu cpu;
	xs_system *s65, *s66;
	char why[160];

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	s65 = boot(&cpu, K(6, 5), "quiet nopku");
	s66 = boot(&cpu, K(6, 6), "quiet nopku");
	assert_string_equal(s65->cpu_log, "x86: 'nopku' specified, disabling Memory Protection Keys\n");
	assert_string_equal(s66->cpu_log, s65->cpu_log);
	assert_true(xs_system_has(s65, XS_CPU_PKU) && !xs_system_has(s65, XS_CPU_OSPKE));
	assert_int_equal(s65->xcr0, 0x2e7);
	assert_int_equal(s66->xcr0, 0x0e7);
	assert_false(xs_xfeature_status(s66, XS_XFEATURE_PKRU, why, sizeof(why)));
	assert_non_null(strstr(why, "'ospke'"));
	free(s65);
	free(s66);
}

/*
 * A CPU whose maximum basic leaf (CPUID.0:EAX) is 0xB sets XSAVE and AVX,
 * like QEMU's "-cpu Nehalem,+xsave": filter_cpuid_features() clears XSAVE
 * (table entry { X86_FEATURE_XSAVE, 0xd }) with clear_cpu_cap(), which
 * takes AVX, AVX2, AVX-512F and PKU along (cpuid_deps[]), in every
 * release; fpu__init_system_xstate() then finds no XSAVE.
 */
static const char level_b_dump[] =
	"# leaf subleaf eax ebx ecx edx\n"
	"00000000 0 0000000b 756e6547 6c65746e 49656e69\n"
	"00000001 0 000106a3 00000800 14000000 078bfbfd\n"
	"00000007 0 00000000 00010020 00000008 00000000\n"
	"80000000 0 80000001 00000000 00000000 00000000\n"
	"80000001 0 00000000 00000000 00000000 20000000\n";

static void test_xsave_below_cpuid_level_d_is_cleared_with_its_dependents(void **state)
{
	struct xs_diag d;
	xs_cpu cpu;
	char dump[sizeof(level_b_dump)];

	(void)state;
	assert_int_equal(xs_cpu_parse(&cpu, level_b_dump, strlen(level_b_dump), 0, "b.txt", &d), 0);
	for (unsigned maj = 5; maj <= 6; maj++)
		for (unsigned min = maj == 5 ? 10 : 0; min <= (maj == 5 ? 19u : 18u); min++) {
			xs_system *s = boot(&cpu, K(maj, min), "");

			assert_string_equal(s->log, "x86/fpu: x87 FPU will use FXSAVE\n");
			assert_string_equal(s->cpu_log, "CPU: CPU feature xsave disabled, no CPUID level 0xd\n");
			assert_false(xs_system_has(s, XS_CPU_XSAVE) || xs_system_has(s, XS_CPU_AVX) ||
				     xs_system_has(s, XS_CPU_AVX2) || xs_system_has(s, XS_CPU_AVX512F) ||
				     xs_system_has(s, XS_CPU_PKU) || xs_system_has(s, XS_CPU_OSPKE));
			assert_int_equal(s->legacy_size, 512);
			free(s);
		}
	/* noxsave got there first: nothing left for the filter to say */
	{
		xs_system *s = boot(&cpu, K(6, 1), "noxsave");

		assert_string_equal(s->cpu_log, "");
		assert_string_equal(s->log, "x86/fpu: x87 FPU will use FXSAVE\n");
		free(s);
	}
	/* where leaf 0 promises leaf 0xD, a dump without it is refused */
	memcpy(dump, level_b_dump, sizeof(dump));
	memcpy(strstr(dump, "0000000b"), "0000000d", 8);
	assert_int_equal(xs_cpu_parse(&cpu, dump, strlen(dump), 0, "d.txt", &d), -EINVAL);
	assert_non_null(strstr(d.msg, "expected CPUID leaf 0xd sub-leaf 0"));
}

/*
 * cpuid_deps[] grew with the features: XFD -> XSAVES/XGETBV1 and
 * AMX_TILE -> XFD came with AMX (5.16), SHSTK -> XSAVES with CET user
 * state (6.6). noxsaves on a Sapphire Rapids before and after.
 */
static void test_noxsaves_takes_the_dependents_the_release_knows(void **state)
{
	xs_cpu cpu;
	xs_system *s515, *s516, *s65, *s66;

	(void)state;
	xt_cpu_spr(&cpu);
	s515 = boot(&cpu, K(5, 15), "noxsaves");
	s516 = boot(&cpu, K(5, 16), "noxsaves");
	s65 = boot(&cpu, K(6, 5), "noxsaves");
	s66 = boot(&cpu, K(6, 6), "noxsaves");
	assert_true(xs_system_has(s515, XS_CPU_XFD) && xs_system_has(s515, XS_CPU_AMX_TILE));
	assert_false(xs_system_has(s516, XS_CPU_XFD) || xs_system_has(s516, XS_CPU_AMX_TILE));
	assert_false(s516->kernel.max_features & XS_XFEATURE_MASK_XTILE);
	assert_true(xs_system_has(s65, XS_CPU_SHSTK));
	assert_false(xs_system_has(s66, XS_CPU_SHSTK));
	assert_false(xs_system_has(s66, XS_CPU_ENQCMD));	/* ENQCMD -> XSAVES in every release */
	assert_string_equal(s66->cpu_log, "");			/* noxsaves prints nothing */
	free(s515);
	free(s516);
	/* noxsaveopt only changes the save instruction, not a boot line */
	s515 = boot(&cpu, K(6, 18), "noxsaveopt");
	s516 = boot(&cpu, K(6, 18), "");
	assert_false(xs_system_has(s515, XS_CPU_XSAVEOPT));
	assert_string_equal(s515->log, s516->log);
	free(s515);
	free(s516);
	free(s65);
	free(s66);
}

/*
 * v4's patch 8 ("x86/fpu/xstate: Warn if guest-only supervisor states are
 * detected in normal fpstate") never reached mainline: a release model
 * does not warn; the series model asks for it explicitly.
 */
static void test_only_the_series_model_warns_about_guest_only_state(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *rel, *series;
	xs_fpu a, b;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	rel = xt_system_at(&cpu, K(6, 18));
	xs_options_init(&o);
	o.patches = XS_PATCH_ALL;
	series = xt_system_of(&cpu, &o);
	assert_false(rel->patches & XS_PATCH_WARN_GUEST_ONLY);
	assert_int_equal(rel->patches, XS_PATCH_ALL & ~(uint32_t)XS_PATCH_WARN_GUEST_ONLY);
	assert_int_equal(xs_fpu_init(&a, rel, NULL), 0);
	assert_int_equal(xs_fpu_init(&b, series, NULL), 0);
	a.fpstate->xfeatures |= XS_XFEATURE_MASK_CET_KERNEL;
	b.fpstate->xfeatures |= XS_XFEATURE_MASK_CET_KERNEL;
	assert_false(xs_fpstate_guest_only_warning(rel, a.fpstate, NULL));
	assert_true(xs_fpstate_guest_only_warning(series, b.fpstate, NULL));
	xs_fpu_destroy(&a);
	xs_fpu_destroy(&b);
	free(rel);
	free(series);
}

static const struct xs_kchange_info *row(enum xs_kchange c)
{
	unsigned n;
	const struct xs_kchange_info *t = xs_kchanges(&n);

	for (unsigned i = 0; i < n; i++)
		if (t[i].change == c)
			return &t[i];
	fail_msg("no row for change %d", (int)c);
	return NULL;
}

/*
 * The ids established from tip-bot, linux-next and stable mails
 * (docs/kernels-research.md): e25e44338ec6 is a pre-rebase id of the 6.6
 * CET patch (daveh/devel, June 2023), 366d141f34e2 the one merged.
 */
static void test_history_rows_cite_the_merged_commits(void **state)
{
	unsigned n;
	const struct xs_kchange_info *t = xs_kchanges(&n);

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		assert_null(strstr(t[i].commit, "e25e44338ec6"));
		assert_null(strstr(t[i].behaviour, "e25e44338ec6"));
	}
	assert_non_null(strstr(row(XS_K_CET_USER)->commit, "366d141f34e2"));
	assert_non_null(strstr(row(XS_K_SIGFRAME_SIZE)->commit, "939ef713297d"));
	assert_non_null(strstr(row(XS_K_XCOMP_PRCTL)->commit, "db8268df0983"));
	assert_non_null(strstr(row(XS_K_SIGALTSTACK_CHECK)->commit, "1bdda24c4af6, 3aac3ebea08f"));
	assert_non_null(strstr(row(XS_K_GUEST_PRCTL)->commit, "980fe2fddcff"));
	assert_non_null(strstr(row(XS_K_CET_KERNEL)->commit, "fafb29e18db2"));
	assert_non_null(strstr(row(XS_K_CET_KERNEL)->subject, "x86/fpu: Remove xfd argument from __fpstate_reset()"));
	assert_non_null(strstr(row(XS_K_SIGRETURN_REVERT)->commit, "6.18.35-rc1"));
	assert_non_null(strstr(row(XS_K_SIGRETURN_REVERT)->commit, "db81af264b30"));
	assert_non_null(strstr(row(XS_K_CET_USER)->behaviour, "\"Control-flow Kernel registers (unused)\""));
	assert_non_null(strstr(row(XS_K_CET_KERNEL)->behaviour, "\"Control-flow Kernel registers (KVM only)\""));
	assert_int_equal(row(XS_K_XFEATURES_PARANOIA)->release, K(5, 14));
	assert_non_null(strstr(row(XS_K_XFEATURES_PARANOIA)->behaviour, "during init, disabling XSAVE"));
	assert_int_equal(row(XS_K_CLEARCPUID_NAMES)->release, K(5, 19));
	assert_int_equal(row(XS_K_PKRU_OSPKE)->release, K(6, 6));
	assert_int_equal(row(XS_K_CLEARCPUID_WARN)->release, K(6, 15));
}

/*
 * Component 12's boot name where it is kept: with the CET supervisor patch
 * (6.17, or the series model on an older release) "(KVM only)".
 */
static void test_cet_s_is_printed_with_the_kvm_only_name(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *s;

	(void)state;
	xt_cpu_zen4_pku(&cpu);
	xs_options_init(&o);
	o.kernel = K(6, 16);
	o.patches = XS_PATCH_ALL;
	s = xt_system_of(&cpu, &o);
	assert_non_null(strstr(s->log, "0x1000: 'Control-flow Kernel registers (KVM only)'\n"));
	free(s);
	s = xt_system_at(&cpu, K(6, 16));
	assert_null(strstr(s->log, "0x1000"));
	free(s);
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
		cmocka_unit_test(test_clearcpuid_takes_numbers_until_5_18_and_names_from_5_19),
		cmocka_unit_test(test_a_cut_off_clearcpuid_argument_by_release),
		cmocka_unit_test(test_nopku_keeps_pkru_until_6_6),
		cmocka_unit_test(test_xsave_below_cpuid_level_d_is_cleared_with_its_dependents),
		cmocka_unit_test(test_noxsaves_takes_the_dependents_the_release_knows),
		cmocka_unit_test(test_only_the_series_model_warns_about_guest_only_state),
		cmocka_unit_test(test_history_rows_cite_the_merged_commits),
		cmocka_unit_test(test_cet_s_is_printed_with_the_kvm_only_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
