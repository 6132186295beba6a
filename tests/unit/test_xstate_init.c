// SPDX-License-Identifier: MIT
/*
 * The kernel's xstate initialisation (fpu__init_system_xstate) on synthetic
 * CPU models whose numbers come from the spec files: which components
 * survive, offsets, sizes, defaults, consistency checks, the disable paths
 * and the exact boot lines.
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

static const struct xt_comp avx512_comps[] = {
	{ 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
};

static void synth_simple(xs_cpu *cpu, const struct xt_comp *comps, unsigned n, uint32_t d1_eax,
			 uint32_t l7_ebx, uint32_t l7_ecx)
{
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000306c3,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.leaf7_ebx = l7_ebx, .leaf7_ecx = l7_ecx, .d1_eax = d1_eax, .comps = comps, .ncomps = n,
	};

	xt_cpu_synth(cpu, &s);
}

static bool log_has(const xs_system *sys, const char *line)
{
	return strstr(sys->log, line) != NULL;
}

/* linux-xstate.md "Confirmed on a live machine": Zen 4 VM boot lines. */
static void test_zen4_cet_boot_lines_match_the_live_machine(void **state)
{
	static const char expected[] =
		"x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x002: 'SSE registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x004: 'AVX registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x020: 'AVX-512 opmask'\n"
		"x86/fpu: Supporting XSAVE feature 0x040: 'AVX-512 Hi256'\n"
		"x86/fpu: Supporting XSAVE feature 0x080: 'AVX-512 ZMM_Hi256'\n"
		"x86/fpu: Supporting XSAVE feature 0x800: 'Control-flow User registers'\n"
		"x86/fpu: Supporting XSAVE feature 0x1000: 'Control-flow Kernel registers (KVM only)'\n"
		"x86/fpu: xstate_offset[2]:  576, xstate_sizes[2]:  256\n"
		"x86/fpu: xstate_offset[5]:  832, xstate_sizes[5]:   64\n"
		"x86/fpu: xstate_offset[6]:  896, xstate_sizes[6]:  512\n"
		"x86/fpu: xstate_offset[7]: 1408, xstate_sizes[7]: 1024\n"
		"x86/fpu: xstate_offset[11]: 2432, xstate_sizes[11]:   16\n"
		"x86/fpu: xstate_offset[12]: 2448, xstate_sizes[12]:   24\n"
		"x86/fpu: Enabled xstate features 0x18e7, context size is 2472 bytes, using 'compacted' format.\n";
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_string_equal(sys->log, expected);
	assert_int_equal(sys->user.max_size, 2432);
	assert_int_equal(sys->xss, 0x1800);
	free(sys);
}

static void test_cet_s_guest_only_default_excludes_cet_s_guest_default_includes_it(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->kernel.max_features, 0x18e7);
	assert_int_equal(sys->kernel.default_features, 0x08e7);
	assert_int_equal(sys->kernel.default_size, 2448);	/* 2472 - 24 */
	assert_int_equal(sys->kernel.guest_default_features, 0x18e7);
	assert_int_equal(sys->kernel.guest_default_size, 2472);
	assert_int_equal(xs_system_info(sys)->guest_default_size, 2472);	/* the merged kernel's guest_default_cfg */
	assert_int_equal(sys->supervisor_guest, XS_XFEATURE_MASK_CET_KERNEL);
	free(sys);
}

static void test_cet_s_all_puts_cet_s_in_both_defaults(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xs_options_init(&o);
	o.cet_s = XS_CET_S_ALL;
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, &o);
	assert_int_equal(sys->kernel.default_features, 0x18e7);
	assert_int_equal(sys->kernel.default_size, 2472);
	assert_int_equal(sys->kernel.guest_default_size, 2472);
	assert_int_equal(sys->supervisor_guest, 0);
	free(sys);
}

static void test_cet_s_off_has_no_cet_s_line_and_no_bit_12(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xs_options_init(&o);
	o.cet_s = XS_CET_S_OFF;
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, &o);
	assert_false(sys->kernel.max_features & XS_XFEATURE_MASK_CET_KERNEL);
	assert_int_equal(sys->kernel.max_features, 0x8e7);
	assert_null(strstr(sys->log, "Control-flow Kernel registers (KVM only)"));
	assert_true(log_has(sys, "context size is 2448 bytes"));
	assert_int_equal(sys->kernel.default_size, sys->kernel.guest_default_size);
	assert_int_equal(sys->xss, 0x800);
	free(sys);
}

static void test_cet_s_needs_shstk(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_SHSTK);
	xt_cpu_zen4_cet(&cpu);
	sys = xt_system_of(&cpu, &o);
	assert_int_equal(sys->kernel.max_features, 0xe7);
	free(sys);
}

/* xsave-isa.md §1.1: AMX TILECFG/TILEDATA are 64-byte aligned when compacted. */
static void test_amx_tiledata_is_64_byte_aligned_in_compacted_form(void **state)
{
	xs_cpu cpu;
	xs_system *sys;
	unsigned off17, off18;

	(void)state;
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->kernel.max_features, 0x61ee7);
	off17 = sys->xstate_comp_offsets[17];
	off18 = sys->xstate_comp_offsets[18];
	assert_int_equal(off17 % 64, 0);
	assert_int_equal(off18 % 64, 0);
	assert_int_equal(off18, off17 + 64);
	/* ... 2688+8 PKRU, PASID 8, CET_U 16, CET_S 24 = 2744 -> aligned to 2752 */
	/* by hand: 576 YMM 256, opmask 64, Hi256 512, Hi16 1024 -> PKRU 2432, PASID 2440,
	 * CET_U 2448, CET_S 2464, +24 = 2488 -> TILECFG aligned to 2496, TILEDATA 2560 */
	assert_int_equal(sys->xstate_comp_offsets[9], 2432);
	assert_int_equal(sys->xstate_comp_offsets[12], 2464);
	assert_int_equal(off17, 2496);
	assert_int_equal(sys->kernel.max_size, 2560 + 8192);
	/* the 24 CET-S bytes vanish in TILECFG's alignment padding on this CPU */
	assert_int_equal(sys->kernel.default_size, 2560);
	assert_int_equal(sys->kernel.guest_default_size, 2560);
	assert_true(xs_xfeature_is_aligned64(sys, 18));
	assert_false(xs_xfeature_is_aligned64(sys, 9));
	free(sys);
}

static void test_amx_tiledata_is_dynamic_not_in_defaults(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_true(sys->kernel.max_features & XS_XFEATURE_MASK_XTILE_DATA);
	assert_false(sys->kernel.default_features & XS_XFEATURE_MASK_XTILE_DATA);
	assert_false(sys->kernel.guest_default_features & XS_XFEATURE_MASK_XTILE_DATA);
	assert_true(sys->kernel.default_features & XS_XFEATURE_MASK_XTILE_CFG);
	assert_int_equal(sys->init_xfd, XS_XFEATURE_MASK_XTILE_DATA);
	/* standard size: TILEDATA ends last, at 2816 + 8192 */
	assert_int_equal(sys->user.max_size, 11008);
	assert_int_equal(sys->user.default_size, 2752 + 64);
	free(sys);
}

static void test_xtile_data_needs_xfd(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_XFD);
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, &o);
	/* cpuid-deps: AMX_TILE depends on XFD, so TILECFG goes as well */
	assert_false(sys->kernel.max_features & XS_XFEATURE_MASK_XTILE);
	free(sys);
}

static void test_lbr_is_independent_and_never_in_max_features(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->kernel.independent_features, XS_XFEATURE_MASK_LBR);
	assert_false(sys->kernel.max_features & XS_XFEATURE_MASK_LBR);
	/* XSS carries it (ARCH_LBR), the task-buffer size does not */
	assert_true(sys->xss & XS_XFEATURE_MASK_LBR);
	assert_int_equal(sys->kernel.max_size,
			 xs_xstate_calculate_size(sys, sys->kernel.max_features, true));
	free(sys);
}

static void test_pt_and_hdc_uintr_are_not_supported_by_linux(void **state)
{
	xs_cpu cpu;
	xs_system *sys;
	char why[160];

	(void)state;
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_false(xs_xfeature_status(sys, 8, why, sizeof(why)));
	assert_string_equal(why, "not supported by Linux");
	assert_false(xs_xfeature_status(sys, 14, why, sizeof(why)));
	assert_true(xs_xfeature_status(sys, 12, why, sizeof(why)));
	free(sys);
}

static void test_clearcpuid_xsaves_drops_supervisor_states_and_dependents(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;
	char why[160];

	(void)state;
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_XSAVES);
	xt_cpu_spr(&cpu);
	sys = xt_system_of(&cpu, &o);
	/* SHSTK, ENQCMD, XFD depend on XSAVES; AMX on XFD */
	assert_int_equal(sys->kernel.max_features, 0x2e7);
	assert_true(sys->compacted);	/* XSAVEC remains */
	assert_false(xs_system_has(sys, XS_CPU_SHSTK));
	assert_false(xs_xfeature_status(sys, 11, why, sizeof(why)));
	assert_string_equal(why, "needs CPU feature 'shstk'");
	free(sys);
}

static void test_xsave_without_xsavec_uses_standard_format(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, avx512_comps, 4, XT_D1_XSAVEOPT, XT_L7_EBX_AVX512F, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_false(sys->compacted);
	assert_int_equal(sys->format, XS_FORMAT_STANDARD);
	assert_int_equal(sys->kernel.max_size, sys->user.max_size);
	assert_true(log_has(sys, "using 'standard' format."));
	/* standard offsets are printed in that format */
	assert_true(log_has(sys, "xstate_offset[7]: 1408, xstate_sizes[7]: 1024"));
	free(sys);
}

static void test_compacted_offsets_follow_mask_not_cpuid_ebx(void **state)
{
	/* Intel layout: opmask at 1088 standard, 832 compacted (no MPX space) */
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 3, 64, 960, 0 }, { 4, 64, 1024, 0 },
		{ 5, 64, 1088, 0 }, { 6, 512, 1152, 0 }, { 7, 1024, 1664, 0 },
	};
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, comps, 6, XT_D1_XSAVEOPT | XT_D1_XSAVEC, XT_L7_EBX_AVX512F, 0);
	sys = xt_system_of(&cpu, NULL);
	/* no MPX CPU feature: BNDREGS/BNDCSR dropped by the CPUID gate */
	assert_int_equal(sys->kernel.max_features, 0xe7);
	assert_int_equal(sys->xstate_offsets[5], 1088);
	assert_int_equal(sys->xstate_comp_offsets[5], 832);
	assert_int_equal(xs_xfeature_get_offset(sys, 0x27, 5), 832);
	assert_int_equal(xs_xfeature_get_offset(sys, 0x23, 5), 576);
	assert_int_equal(sys->user.max_size, 2688);
	assert_int_equal(sys->kernel.max_size, 2432);
	free(sys);
}

/* xsave-isa.md §1.1: APX reuses the MPX area (960) below PKRU. */
static void test_standard_size_is_end_of_last_component_not_highest_index(void **state)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 9, 8, 2688, 0 }, { 19, 128, 960, 0 },
	};
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000d06d0,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.leaf7_ecx = XT_L7_ECX_PKU, .leaf7_1_edx = XT_L71_EDX_APX,
		.d1_eax = XT_D1_XSAVEOPT, .comps = comps, .ncomps = 3,
	};
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_synth(&cpu, &s);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->kernel.max_features, 0x80207);
	assert_int_equal(sys->user.max_size, 2696);
	assert_int_equal(xs_xstate_calculate_size(sys, XS_XFEATURE_MASK_APX | 7, false), 1088);
	assert_int_equal(sys->uncompact_order[0], 2);
	assert_int_equal(sys->uncompact_order[1], 19);
	assert_int_equal(sys->uncompact_order[2], 9);
	free(sys);
}

static void test_apx_with_mpx_disables_xsave(void **state)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 3, 64, 960, 0 }, { 4, 64, 1024, 0 }, { 19, 128, 960, 0 },
	};
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, comps, 4, XT_D1_XSAVEOPT, XT_L7_EBX_MPX, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_true(sys->disabled);
	assert_false(sys->xsave);
	assert_string_equal(sys->log,
			    "x86/fpu: Both APX/MPX present in the CPU's xstate features: 0x8001f.\n"
			    "x86/fpu: XSAVE disabled\n");
	assert_int_equal(sys->kernel.max_size, 512);
	assert_int_equal(sys->user.max_size, 512);
	free(sys);
}

static void test_fp_sse_missing_disables_xsave(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, avx512_comps, 1, XT_D1_XSAVEOPT, 0, 0);
	xs_cpu_set_leaf(&cpu, 0xd, 0, 0x5, 832, 832, 0);	/* SSE bit missing */
	sys = xt_system_of(&cpu, NULL);
	assert_string_equal(sys->log,
			    "x86/fpu: FP/SSE not present amongst the CPU's xstate features: 0x5.\n"
			    "x86/fpu: XSAVE disabled\n");
	assert_int_equal(sys->format, XS_FORMAT_NONE);
	free(sys);
}

static void test_no_xsave_uses_fxsave(void **state)
{
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xs_cpu_init(&cpu);
	xs_cpu_set_leaf(&cpu, 0, 0, 1, 0x756e6547, 0x6c65746e, 0x49656e69);
	xs_cpu_set_leaf(&cpu, 1, 0, 0x6f6, 0, 0, XT_L1_EDX_BASE);
	xs_cpu_set_leaf(&cpu, 0x80000000, 0, 0x80000001, 0, 0, 0);
	xs_cpu_set_leaf(&cpu, 0x80000001, 0, 0, 0, 0, 1u << 29);	/* a 64-bit Core 2: LM */
	xs_cpu_finish(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_string_equal(sys->log, "x86/fpu: x87 FPU will use FXSAVE\n");
	assert_false(sys->xsave);
	assert_int_equal(sys->legacy_size, 512);
	assert_int_equal(sys->user.legacy_features, 3);
	/* 736 + 15 + (512 + 112) + 63, rounded up to 16 */
	assert_int_equal(sys->max_sigframe_size, 1440);
	free(sys);
}

/*
 * clearcpuid=fxsr on a 64-bit CPU: FXSR goes and XSAVE, SSE, SSE2 with it
 * (cpuid-deps), so the kernel saves with FSAVE into a 112-byte image.
 */
static void test_no_fxsr_uses_fsave(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_FXSR);
	sys = xt_system_of(&cpu, &o);
	assert_string_equal(sys->log, "x86/fpu: x87 FPU will use FSAVE\n");
	assert_int_equal(sys->legacy_size, 112);
	assert_int_equal(sys->user.legacy_features, 1);
	assert_int_equal(sys->mxcsr_feature_mask, 0);
	free(sys);
}

/*
 * A CPU without what an x86-64 kernel requires (a Pentium MMX: no FXSR,
 * SSE, SSE2, LM) is refused before any x86/fpu line: nothing reaches dmesg.
 * What refuses it later names that reason, not a missing FPU.
 */
static void test_a_cpu_without_the_x86_64_baseline_does_not_boot(void **state)
{
	struct xs_buffer_view view;
	struct xs_diag d = { 0 };
	struct xs_compat c;
	uint8_t buf[1024] = { 0 };
	xs_cpu cpu;
	xs_system *sys, *zen4;
	xs_fpu fpu;

	(void)state;
	xs_cpu_init(&cpu);
	xs_cpu_set_leaf(&cpu, 0, 0, 1, 0x756e6547, 0x6c65746e, 0x49656e69);
	xs_cpu_set_leaf(&cpu, 1, 0, 0x543, 0, 0, 1);
	xs_cpu_finish(&cpu);
	sys = xt_system_of(&cpu, NULL);
	assert_true(sys->halted);
	assert_string_equal(sys->log, "");
	assert_non_null(strstr(sys->halt_reason, "not present on the CPU: fxsr sse sse2 lm"));
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), -ENODEV);
	assert_int_equal(xs_buffer_view(sys, buf, sizeof(buf), false, XS_BUF_STANDARD, &view, &d), -ENODEV);
	assert_non_null(strstr(d.msg, "not present on the CPU: fxsr sse sse2 lm"));
	xt_cpu_zen4_cet(&cpu);
	zen4 = xt_system_of(&cpu, NULL);
	xs_compat_check(zen4, sys, XS_COMPAT_TASK, &c);
	assert_int_equal(c.nnotes, 1);
	assert_non_null(strstr(c.notes[0], "does not boot on B: an x86-64 kernel does not boot"));
	assert_non_null(strstr(c.notes[0], "fxsr sse sse2 lm"));
	assert_null(strstr(c.notes[0], "no FPU"));
	free(zen4);
	free(sys);
}

/*
 * linux-xstate.md §3.1 step 1: fpu__init_system_early_generic() halts a
 * 64-bit kernel (no CONFIG_MATH_EMULATION) when X86_FEATURE_FPU is gone,
 * as with clearcpuid=fpu: the xstate set-up never runs, and nothing that
 * needs a booted kernel can be modelled.
 */
static void test_no_fpu_halts_the_boot_before_the_xstate_setup(void **state)
{
	struct xs_options o;
	struct xs_snapshot_plan plan;
	struct xs_buffer_view view;
	struct xs_diag d = { 0 };
	uint8_t buf[1024] = { 0 };
	xs_cpu cpu;
	xs_system *sys;
	xs_fpu fpu;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_FPU);
	sys = xt_system_of(&cpu, &o);
	assert_true(sys->halted);
	assert_string_equal(sys->log, "x86/fpu: Giving up, no FPU found and no math emulation present\n");
	assert_false(sys->xsave);
	assert_int_equal(sys->kernel.max_features, 0);
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), -ENODEV);
	assert_int_equal(xs_buffer_view(sys, buf, sizeof(buf), false, XS_BUF_STANDARD, &view, &d), -ENODEV);
	assert_non_null(strstr(d.msg, "does not boot"));
	assert_int_equal(xs_snapshot_plan(sys, 0, &plan), -ENODEV);
	free(sys);
}

/*
 * A hypervisor's all-zero sub-leaf for AVX on an XSAVES CPU: the compacted
 * size check passes, and the kernel's xstate_calculate_size() gives the
 * user buffer offset 0 + size 0 = 0 bytes. The model shows those numbers
 * (that is what Linux computes) but lets no task exist on them.
 */
static void test_sizes_below_the_legacy_area_make_the_model_unusable(void **state)
{
	static const struct xt_comp comps[] = { { 2, 0, 0, 0 } };
	xs_cpu cpu;
	xs_system *sys;
	xs_fpu fpu;

	(void)state;
	synth_simple(&cpu, comps, 1, XT_D1_XSAVEOPT | XT_D1_XSAVEC | XT_D1_XSAVES, 0, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_true(sys->xsave);
	assert_int_equal(sys->user.default_size, 0);
	assert_int_equal(xs_system_usable(sys), -ERANGE);
	assert_int_equal(xs_fpu_init(&fpu, sys, NULL), -ERANGE);
	free(sys);
}

/* A model built by hand gets the parser's CPUID 0xD checks too: -EINVAL, sys unchanged. */
static void test_a_hand_built_cpu_no_cpu_could_be_is_refused(void **state)
{
	xs_cpu cpu;
	xs_system *sys = malloc(sizeof(*sys));

	(void)state;
	assert_non_null(sys);
	memset(sys, 0x5a, sizeof(*sys));
	xt_cpu_zen4_cet(&cpu);
	xs_cpu_set_leaf(&cpu, 0xd, 6, 0x200, 0x300, 0, 0);	/* ZMM_Hi256 over AVX */
	assert_int_equal(xs_system_init(sys, &cpu, NULL), -EINVAL);
	assert_int_equal(((uint8_t *)sys)[0], 0x5a);
	xt_cpu_zen4_cet(&cpu);
	xs_cpu_set_leaf(&cpu, 0xd, 7, 0xfffffff0, 0x580, 0, 0);	/* a size the sums would wrap */
	assert_int_equal(xs_system_init(sys, &cpu, NULL), -EINVAL);
	free(sys);
}

static void test_supervisor_flag_without_xsaves_is_dropped(void **state)
{
	static const struct xt_comp comps[] = { { 2, 256, 576, 0 }, { 11, 16, 0, 1 } };
	xs_cpu cpu;
	xs_system *sys;
	char why[160];

	(void)state;
	synth_simple(&cpu, comps, 2, XT_D1_XSAVEOPT | XT_D1_XSAVEC, 0, XT_L7_ECX_SHSTK);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->kernel.max_features, 0x7);
	assert_false(xs_xfeature_status(sys, 11, why, sizeof(why)));
	assert_string_equal(why, "supervisor state needs XSAVES");
	free(sys);
}

/* check_xstate_against_struct(): a size mismatch warns but keeps XSAVE. */
static void test_struct_size_mismatch_warns_and_dumps_leaves_but_keeps_xsave(void **state)
{
	static const struct xt_comp comps[] = { { 2, 256, 576, 0 }, { 9, 64, 832, 0 } };
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, comps, 2, XT_D1_XSAVEOPT, 0, XT_L7_ECX_PKU);
	sys = xt_system_of(&cpu, NULL);
	assert_false(sys->disabled);
	assert_true(log_has(sys, "[Protection Keys User registers]: struct is 8 bytes, cpu state 64 bytes\n"));
	assert_true(log_has(sys, "CPUID[0d, 09]: eax=00000040 ebx=00000340 ecx=00000000 edx=00000000\n"));
	assert_true(log_has(sys, "CPUID[0d, 1d]: eax=00000000"));	/* XFEATURE_MAX + 9 */
	assert_true(log_has(sys, "x86/fpu: Enabled xstate features 0x207, context size is 896 bytes"));
	free(sys);
}

static void test_init_fpstate_too_small_disables_xsave(void **state)
{
	/* a synthetic CPU whose default set exceeds init_fpstate's 4096 bytes */
	static const struct xt_comp comps[] = { { 2, 4096, 576, 0 } };
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, comps, 1, XT_D1_XSAVEOPT, 0, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_true(log_has(sys, "[AVX registers]: struct is 256 bytes, cpu state 4096 bytes\n"));
	assert_true(log_has(sys, "x86/fpu: init_fpstate buffer too small (4096 < 4672)\n"
				 "x86/fpu: XSAVE disabled\n"));
	assert_true(sys->disabled);
	free(sys);
}

static void test_dump_values_of_another_os_are_noted_not_used(void **state)
{
	xs_cpu cpu;
	xs_system *sys;
	bool noted = false;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	/* the OS that took the dump ran XCR0 = 0x7: EBX 832, OSXSAVE clear */
	xs_cpu_set_leaf(&cpu, 0xd, 0, 0xe7, 832, 2432, 0);
	sys = xt_system_of(&cpu, NULL);
	assert_int_equal(sys->user.max_size, 2432);
	for (unsigned i = 0; i < sys->nnotes; i++)
		noted |= strstr(sys->notes[i], "CPUID.0xD.0:EBX = 832") != NULL;
	assert_true(noted);
	free(sys);
}

static void test_amd_family_17h_clears_xsaves_with_a_note(void **state)
{
	static const struct xt_comp comps[] = { { 2, 256, 576, 0 } };
	const struct xt_synth s = {
		.vendor = "AuthenticAMD", .leaf1_eax = 0x00830f10, /* family 17h (Rome) */
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_AVX, .leaf1_edx = XT_L1_EDX_BASE,
		.d1_eax = 0xf, .comps = comps, .ncomps = 1,
	};
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	xt_cpu_synth(&cpu, &s);
	sys = xt_system_of(&cpu, NULL);
	assert_false(sys->xsaves);
	assert_true(sys->compacted);
	assert_non_null(strstr(sys->notes[0], "erratum 1386"));
	free(sys);
}

static void test_pkru_is_gated_on_pku_not_the_dumps_ospke(void **state)
{
	static const struct xt_comp comps[] = { { 2, 256, 576, 0 }, { 9, 8, 832, 0 } };
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys;

	(void)state;
	synth_simple(&cpu, comps, 2, XT_D1_XSAVEOPT, 0, XT_L7_ECX_PKU);	/* no OSPKE */
	sys = xt_system_of(&cpu, NULL);
	assert_true(sys->kernel.max_features & XS_XFEATURE_MASK_PKRU);
	free(sys);
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_PKU);	/* nopku */
	sys = xt_system_of(&cpu, &o);
	assert_false(sys->kernel.max_features & XS_XFEATURE_MASK_PKRU);
	free(sys);
}

static void test_invalid_options_are_refused_and_change_nothing(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *sys = malloc(sizeof(*sys));

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	memset(sys, 0xa5, sizeof(*sys));
	xs_options_init(&o);
	o.cet_s = (enum xs_cet_s_policy)7;
	assert_int_equal(xs_system_init(sys, &cpu, &o), -EINVAL);
	xs_options_init(&o);
	o.clear_features = XS_BIT(XS_CPU_FEATURE_COUNT);
	assert_int_equal(xs_system_init(sys, &cpu, &o), -EINVAL);
	xs_options_init(&o);
	o.patches = 0x100;
	assert_int_equal(xs_system_init(sys, &cpu, &o), -EINVAL);
	for (size_t i = 0; i < sizeof(*sys); i++)
		assert_int_equal(((unsigned char *)sys)[i], 0xa5);
	free(sys);
}

static void test_policy_names_round_trip(void **state)
{
	enum xs_cet_s_policy p;

	(void)state;
	assert_int_equal(xs_cet_s_policy_parse("guest-only", &p), 0);
	assert_int_equal(p, XS_CET_S_GUEST_ONLY);
	assert_int_equal(xs_cet_s_policy_parse("all", &p), 0);
	assert_string_equal(xs_cet_s_policy_name(p), "all");
	assert_int_equal(xs_cet_s_policy_parse("sometimes", &p), -EINVAL);
}

static void test_xfeature_table_descriptions_are_the_kernels(void **state)
{
	(void)state;
	assert_string_equal(xs_xfeature_description(6), "AVX-512 Hi256");
	assert_string_equal(xs_xfeature_description(7), "AVX-512 ZMM_Hi256");
	assert_string_equal(xs_xfeature_description(12), "Control-flow Kernel registers (KVM only)");
	assert_string_equal(xs_xfeature_description(15), "unknown xstate feature");
	assert_string_equal(xs_xfeature_description(25), "unknown xstate feature");
	assert_int_equal(xs_xfeature_by_name("cet_s"), 12);
	assert_int_equal(xs_xfeature_by_name("XFEATURE_XTILE_DATA"), 18);
	assert_int_equal(xs_xfeature_by_name("PKRU"), 9);
	assert_int_equal(xs_xfeature_by_name("nope"), -1);
	assert_true(xs_xfeature_info(12)->guest_only);
	assert_int_equal(xs_xfeature_info(12)->struct_size, 24);
	assert_null(xs_xfeature_info(20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zen4_cet_boot_lines_match_the_live_machine),
		cmocka_unit_test(test_cet_s_guest_only_default_excludes_cet_s_guest_default_includes_it),
		cmocka_unit_test(test_cet_s_all_puts_cet_s_in_both_defaults),
		cmocka_unit_test(test_cet_s_off_has_no_cet_s_line_and_no_bit_12),
		cmocka_unit_test(test_cet_s_needs_shstk),
		cmocka_unit_test(test_amx_tiledata_is_64_byte_aligned_in_compacted_form),
		cmocka_unit_test(test_amx_tiledata_is_dynamic_not_in_defaults),
		cmocka_unit_test(test_xtile_data_needs_xfd),
		cmocka_unit_test(test_lbr_is_independent_and_never_in_max_features),
		cmocka_unit_test(test_pt_and_hdc_uintr_are_not_supported_by_linux),
		cmocka_unit_test(test_clearcpuid_xsaves_drops_supervisor_states_and_dependents),
		cmocka_unit_test(test_xsave_without_xsavec_uses_standard_format),
		cmocka_unit_test(test_compacted_offsets_follow_mask_not_cpuid_ebx),
		cmocka_unit_test(test_standard_size_is_end_of_last_component_not_highest_index),
		cmocka_unit_test(test_apx_with_mpx_disables_xsave),
		cmocka_unit_test(test_fp_sse_missing_disables_xsave),
		cmocka_unit_test(test_no_xsave_uses_fxsave),
		cmocka_unit_test(test_no_fxsr_uses_fsave),
		cmocka_unit_test(test_a_cpu_without_the_x86_64_baseline_does_not_boot),
		cmocka_unit_test(test_no_fpu_halts_the_boot_before_the_xstate_setup),
		cmocka_unit_test(test_a_hand_built_cpu_no_cpu_could_be_is_refused),
		cmocka_unit_test(test_sizes_below_the_legacy_area_make_the_model_unusable),
		cmocka_unit_test(test_supervisor_flag_without_xsaves_is_dropped),
		cmocka_unit_test(test_struct_size_mismatch_warns_and_dumps_leaves_but_keeps_xsave),
		cmocka_unit_test(test_init_fpstate_too_small_disables_xsave),
		cmocka_unit_test(test_dump_values_of_another_os_are_noted_not_used),
		cmocka_unit_test(test_amd_family_17h_clears_xsaves_with_a_note),
		cmocka_unit_test(test_pkru_is_gated_on_pku_not_the_dumps_ospke),
		cmocka_unit_test(test_invalid_options_are_refused_and_change_nothing),
		cmocka_unit_test(test_policy_names_round_trip),
		cmocka_unit_test(test_xfeature_table_descriptions_are_the_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
