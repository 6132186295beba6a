// SPDX-License-Identifier: MIT
/*
 * fpu__init_system() (arch/x86/kernel/fpu/init.c): the legacy FPU set-up
 * that precedes the xstate set-up — legacy buffer size, MXCSR feature mask —
 * and the signal frame size derived from the result
 * (arch/x86/kernel/signal.c init_sigframe_size()).
 */
#include <errno.h>
#include <string.h>

#include "linux/linux.h"

/* sizeof(struct fregs_state), (struct swregs_state) on x86-64. */
#define FREGS_STATE_SIZE 112u
#define SWREGS_STATE_SIZE 136u

/*
 * What FXSAVE stores as MXCSR_MASK: every SSE2 part supports DAZ (bit 6);
 * AMD parts with misaligned-SSE mode add MM (bit 17). 0xFFBF is the
 * architectural default for a CPU that stores 0.
 */
static uint32_t cpu_mxcsr_mask(const xs_system *sys)
{
	uint32_t mask = 0x0000ffbf;

	if (xs_system_has(sys, XS_CPU_XMM2))
		mask |= 0x40;
	if (xs_system_has(sys, XS_CPU_MISALIGNSSE))
		mask |= 0x20000;
	return mask;
}

/*
 * Only the part that matters on x86-64: CPUID is always there, and without
 * CONFIG_MATH_EMULATION (32-bit only) a CPU without an FPU stops the boot
 * with a pr_emerg and an endless HLT (reachable through clearcpuid=fpu).
 */
static bool fpu__init_system_early_generic(xs_system *sys)
{
	if (xs_system_has(sys, XS_CPU_FPU))
		return true;
	xs_printk(sys, "x86/fpu: Giving up, no FPU found and no math emulation present\n");
	snprintf(sys->halt_reason, sizeof(sys->halt_reason),
		 "fpu__init_system_early_generic() gives up: no FPU, and x86-64 has no math emulation");
	sys->halted = true;
	return false;
}

/*
 * An x86-64 kernel checks its required CPU features (REQUIRED_MASK:
 * arch/x86/boot/cpucheck.c, kernel/verify_cpu.S) before anything else runs,
 * on the raw CPUID — clearcpuid= is parsed later. Of them, the ones the
 * xstate code builds on. Its message goes to the boot console, not to dmesg.
 */
static bool x86_64_required_features(xs_system *sys)
{
	static const enum xs_cpu_feature need[] = { XS_CPU_FPU, XS_CPU_FXSR, XS_CPU_XMM, XS_CPU_XMM2,
						    XS_CPU_LM };
	char missing[32] = "";	/* "fpu fxsr sse sse2 lm" at most */
	size_t n = 0;

	for (size_t i = 0; i < XS_ARRAY_SIZE(need); i++)
		if (!xs_cpu_has(&sys->cpu, need[i]))
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? " " : "",
					      xs_cpu_feature_name(need[i]));
	if (!n)
		return true;
	snprintf(sys->halt_reason, sizeof(sys->halt_reason),
		 "an x86-64 kernel does not boot: \"This kernel requires the following features not present on the CPU: %s\"",
		 missing);
	sys->halted = true;
	return false;
}

static void fpu__init_system_generic(xs_system *sys)
{
	sys->fpu = xs_system_has(sys, XS_CPU_FPU);
	sys->fxsr = xs_system_has(sys, XS_CPU_FXSR);
	sys->mxcsr_feature_mask = sys->fxsr ? cpu_mxcsr_mask(sys) : 0;
	/* setup_init_fpu_buf(): FXSAVE of the init state into init_fpstate */
	xs_st16(sys->init_fpstate_legacy + XS_LEG_FCW, XS_FCW_DEFAULT);
	xs_st32(sys->init_fpstate_legacy + XS_LEG_MXCSR, XS_MXCSR_DEFAULT);
	xs_st32(sys->init_fpstate_legacy + XS_LEG_MXCSR_MASK, sys->mxcsr_feature_mask);
}

static void fpu__init_system_xstate_size_legacy(xs_system *sys)
{
	if (!sys->fpu)
		sys->legacy_size = SWREGS_STATE_SIZE;
	else if (sys->fxsr)
		sys->legacy_size = XS_FXSAVE_SIZE;
	else
		sys->legacy_size = FREGS_STATE_SIZE;
	sys->user.legacy_features = sys->fxsr ? XS_XFEATURE_MASK_FPSSE : XS_XFEATURE_MASK_FP;
	sys->kernel.max_size = sys->kernel.default_size = sys->kernel.guest_default_size =
		sys->legacy_size;
	sys->user.max_size = sys->user.default_size = sys->user.guest_default_size = sys->legacy_size;
}

/*
 * fpu__get_fpstate_size() and init_sigframe_size(): the worst-case signal
 * frame, reported as AT_MINSIGSTKSZ. With IA32 emulation the largest
 * siginfo+ucontext is struct sigframe_ia32 (736 bytes), else struct
 * rt_sigframe (440 bytes).
 */
static void init_sigframe_size(xs_system *sys)
{
	unsigned frame = sys->opts.no_ia32_emulation ? 440u : 736u;
	unsigned size = sys->user.max_size;

	if (sys->xsave)
		size += 4;	/* FP_XSTATE_MAGIC2 */
	if (!sys->opts.no_ia32_emulation && sys->fxsr)
		size += FREGS_STATE_SIZE;
	sys->fpstate_sigframe_size = size;
	/* + MAX_FRAME_PADDING (15) + MAX_XSAVE_PADDING (63), 16-byte aligned */
	sys->max_sigframe_size = XS_ALIGN(frame + 15u + size + 63u, 16u);
}

static void note_dump_differences(xs_system *sys)
{
	uint32_t r[4];
	unsigned size;

	if (sys->cpu.source == XS_CPU_SRC_HOST || !sys->xsave)
		return;
	if (!xs_cpu_has(&sys->cpu, XS_CPU_OSXSAVE))
		xs_note(sys, "the dump has CPUID.1:ECX.OSXSAVE = 0: the OS that took it had not enabled XSAVE; Linux sets CR4.OSXSAVE itself");
	if (xs_system_has(sys, XS_CPU_OSPKE) && !xs_cpu_has(&sys->cpu, XS_CPU_OSPKE))
		xs_note(sys, "the dump has PKU without OSPKE: Linux sets CR4.PKE, so PKRU is predicted from PKU");
	xs_cpuid(&sys->cpu, 0xd, 0, r);
	size = xs_cpuid_standard_size(&sys->cpu, sys->xcr0);
	if (sys->disabled || r[1] == size)
		return;
	xs_note(sys, "the dump has CPUID.0xD.0:EBX = %u; with Linux's XCR0 0x%llx it is %u: the dump was taken under another XCR0",
		r[1], (unsigned long long)sys->xcr0, size);
	xs_cpuid(&sys->cpu, 0xd, 1, r);
	if (!sys->compacted)
		return;
	size = xs_cpuid_compacted_size(&sys->cpu, sys->xcr0 | sys->xss);
	if (r[1] != size)
		xs_note(sys, "the dump has CPUID.0xD.1:EBX = %u; with Linux's XCR0|XSS 0x%llx it is %u",
			r[1], (unsigned long long)(sys->xcr0 | sys->xss), size);
}

/* fpu__init_system() once the CPU has what the kernel needs to boot. */
static void fpu__init_system(xs_system *sys)
{
	fpu__init_system_generic(sys);
	fpu__init_system_xstate_size_legacy(sys);
	xs_fpu_init_system_xstate(sys);
	if (sys->xsave)
		sys->cpu_features |= XS_BIT(XS_CPU_OSXSAVE);
	init_sigframe_size(sys);
	note_dump_differences(sys);
}

/*
 * The public view (struct xs_system_info), taken once the system is built:
 * nothing changes a system afterwards, so the copy never goes stale.
 */
static void system_info_fill(xs_system *sys)
{
	struct xs_system_info *i = &sys->info;

	i->patches = sys->patches;
	i->cpu_features = sys->cpu_features;
	i->halted = sys->halted;
	i->halt_reason = sys->halt_reason;
	i->fpu = sys->fpu;
	i->fxsr = sys->fxsr;
	i->xsave = sys->xsave;
	i->xsaves = sys->xsaves;
	i->compacted = sys->compacted;
	i->disabled = sys->disabled;
	i->format = sys->format;
	i->legacy_size = sys->legacy_size;
	i->kernel = sys->kernel;
	i->user = sys->user;
	/* the merged kernel's guest_default_cfg: fpu_kernel_cfg's guest defaults */
	i->guest_default_size = sys->kernel.guest_default_size;
	i->guest_default_features = sys->kernel.guest_default_features;
	i->user_supported = sys->user_supported;
	i->supervisor_supported = sys->supervisor_supported;
	i->supervisor_guest = sys->supervisor_guest;
	i->init_xfd = sys->init_xfd;
	i->xcr0 = sys->xcr0;
	i->xss = sys->xss;
	i->mxcsr_feature_mask = sys->mxcsr_feature_mask;
	i->fpstate_sigframe_size = sys->fpstate_sigframe_size;
	i->max_sigframe_size = sys->max_sigframe_size;
	i->init_fpstate_legacy = sys->init_fpstate_legacy;
}

static int check_options(const struct xs_options *o)
{
	if ((unsigned)o->cet_s > XS_CET_S_ALL)
		return -EINVAL;
	if (o->patches & ~(uint32_t)XS_PATCH_ALL)
		return -EINVAL;
	if (o->clear_features >> XS_CPU_FEATURE_COUNT)
		return -EINVAL;
	if (o->kernel && !xs_kernel_valid(o->kernel))
		return -EINVAL;
	if (!memchr(o->cmdline, '\0', sizeof(o->cmdline)))
		return -EINVAL;
	return 0;
}

/* A model filled by hand must pass the parser's CPUID 0xD checks. */
static int check_cpu(const xs_cpu *cpu)
{
	char why[200];

	return xs_cpu_bad_xsave_leaf(cpu, why, sizeof(why)) ? -EINVAL : 0;
}

int xs_system_usable(const xs_system *sys)
{
	const struct xs_fpu_state_config *k = &sys->kernel, *u = &sys->user;

	if (sys->halted)
		return -ENODEV;
	if (sys->xsave && (k->max_size < XS_XSAVE_LEGACY_AND_HDR || k->default_size < XS_XSAVE_LEGACY_AND_HDR ||
			   k->guest_default_size < XS_XSAVE_LEGACY_AND_HDR ||
			   u->max_size < XS_XSAVE_LEGACY_AND_HDR || u->default_size < XS_XSAVE_LEGACY_AND_HDR))
		return -ERANGE;
	return 0;
}

int xs_system_init(xs_system *sys, const xs_cpu *cpu, const struct xs_options *opts)
{
	struct xs_options defaults;
	int ret;

	if (!opts) {
		xs_options_init(&defaults);
		opts = &defaults;
	}
	ret = check_options(opts);
	if (!ret)
		ret = check_cpu(cpu);
	if (ret)
		return ret;
	memset(sys, 0, sizeof(*sys));
	sys->cpu = *cpu;
	sys->opts = *opts;
	if (!sys->opts.kernel)
		sys->opts.kernel = XS_KERNEL_DEFAULT;
	sys->patches = opts->patches ? opts->patches
				     : xs_cet_s_policy_patches(opts->cet_s) & xs_release_patches(sys->opts.kernel);
	xs_identify_cpu(sys);
	memset(sys->xstate_offsets, 0xff, sizeof(sys->xstate_offsets));
	memset(sys->xstate_sizes, 0xff, sizeof(sys->xstate_sizes));
	memset(sys->xstate_comp_offsets, 0xff, sizeof(sys->xstate_comp_offsets));

	if (x86_64_required_features(sys) && fpu__init_system_early_generic(sys))
		fpu__init_system(sys);
	system_info_fill(sys);
	return 0;
}
