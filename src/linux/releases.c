// SPDX-License-Identifier: MIT
/*
 * The kernel releases libxstate models (5.10 .. 6.18) and every behaviour
 * change of the xstate code between them: one table, keyed by the release
 * that introduced each change, citing the commit subject it comes from
 * (sources in docs/kernels-research.md). The model asks xs_kernel_has()
 * instead of hard-coding a release.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "linux/linux.h"

#define K(maj, min) XS_KERNEL(maj, min)

static const struct xs_kchange_info kchanges[] = {
	{ XS_K_SIGFRAME_SIZE, K(5, 14), "signal frames, ptrace",
	  "AT_MINSIGSTKSZ and the max frame size appear; PTRACE_SETREGSET needs exactly the regset size, rejects reserved MXCSR bits (EINVAL) and leaves the state alone on errors",
	  "x86/signal: Introduce helpers to get the maximum signal frame size; x86/fpu: Sanitize xstateregs_set(); x86/fpu: Fail ptrace() requests that try to set invalid MXCSR values",
	  "939ef713297d, 43be46e89698, 145e9e0d8c6fada4a40f9fc65b34658077874d9c" },
	{ XS_K_XFEATURES_PARANOIA, K(5, 14), "boot messages",
	  "a change of the xfeature mask during init disables XSAVE with \"xfeatures modified from 0x%016llx to 0x%016llx during init, disabling XSAVE\" (the suffix goes in 6.16); the xstate_offset lines move after this check",
	  "x86/fpu: Make xfeatures_mask_all __ro_after_init", "4e8e4313cf81" },
	{ XS_K_AMX, K(5, 16), "components",
	  "AMX TILECFG/TILEDATA supported; TILEDATA is dynamic (XFD, permission, first-use reallocation)",
	  "x86/fpu/amx: Define AMX state components and have it used for boot-time checks; x86/fpu/amx: Enable the AMX feature in 64-bit mode",
	  "eec2113eabd9, 2308ee57d93d896618dd65c996429c9d3e469fe0" },
	{ XS_K_XCOMP_PRCTL, K(5, 16), "arch_prctl",
	  "ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM, ARCH_REQ_XCOMP_PERM (before: EINVAL); a request stores only the requested bits",
	  "x86/arch_prctl: Add controls for dynamic XSTATE components", "db8268df0983" },
	{ XS_K_SIZE_CHECKS_DISABLE, K(5, 16), "consistency checks",
	  "a missing struct, supervisor state without XSAVES or a size mismatch disables XSAVE (before: warning only)",
	  "x86/fpu/xstate: Cleanup size calculations; x86/fpu: Calculate the default sizes independently",
	  "cd9ae761744912a96d7fd968b9c0173594e3f6be, 2ae996e0c1a3" },
	{ XS_K_SIGALTSTACK_CHECK, K(5, 16), "signal frames",
	  "sigaltstack() and permission requests check the alternate stack against the frame size",
	  "signal: Add an optional check for altstack size; x86/signal: Implement sigaltstack size validation",
	  "1bdda24c4af6, 3aac3ebea08f" },
	{ XS_K_GUEST_PRCTL, K(5, 17), "arch_prctl",
	  "ARCH_GET_XCOMP_GUEST_PERM, ARCH_REQ_XCOMP_GUEST_PERM (before: EINVAL); EBUSY once a vCPU exists",
	  "x86/fpu: Extend fpu_xstate_prctl() with guest permissions", "980fe2fddcff" },
	{ XS_K_KVM_XSAVE2, K(5, 17), "KVM",
	  "KVM_CAP_XSAVE2/KVM_GET_XSAVE2; KVM_SUPPORTED_XCR0 gains AMX",
	  "kvm: x86: Add support for getting/setting expanded xstate buffer; kvm: x86: Add XCR0 support for Intel AMX",
	  "be50b2065dfa3d88428fdfdc340d154d96bf6848, 86aff7a47992" },
	{ XS_K_KERNEL_IBT, K(5, 18), "CET beside xstate",
	  "the kernel protects itself with IBT (CONFIG_X86_KERNEL_IBT) on CPUs that have it: it sets IA32_S_CET.ENDBR_EN, an MSR no XSAVE component holds",
	  "x86/ibt: Add IBT feature, MSR and #CP handling", "991625f3dd2cbc4b787deb0213e2bcf8fa264b21" },
	{ XS_K_PERM_KEEPS_USER, K(5, 18), "permissions",
	  "a request stores (permitted|requested) & USER_SUPPORTED instead of the requested bits only",
	  "x86/fpu/xstate: Fix the ARCH_REQ_XCOMP_PERM implementation",
	  "063452fd94d153d4eb38ad58f210f3d37a09cca4" },
	{ XS_K_PASID, K(5, 18), "components",
	  "ENQCMD is usable again, so PASID state is kept on ENQCMD CPUs (force-disabled since 5.13 and in 5.10.y)",
	  "x86/cpufeatures: Re-enable ENQCMD", "7c1ef59145f1c8bf9a2cc7a6ebf2fd56bbb440de" },
	{ XS_K_XCOMPACTED, K(5, 19), "format",
	  "XSAVEC alone gives the compacted format (before: only XSAVES); without XSAVES supervisor states are dropped",
	  "x86/fpu/xsave: Support XSAVEC in the kernel", "8ad7e8f696951f192c6629a0cbda9ac94c773159" },
	{ XS_K_KVM_UABI_4096, K(5, 19), "KVM",
	  "a vCPU's uabi_size starts at sizeof(struct kvm_xsave) = 4096 (before: the user default size)",
	  "x86/fpu: KVM: Set the base guest FPU uABI size to sizeof(struct kvm_xsave)",
	  "d187ba5312307d51818beafaad87d28a7d939adf" },
	{ XS_K_CLEARCPUID_NAMES, K(5, 19), "boot options",
	  "clearcpuid= takes /proc/cpuinfo names as well as bit numbers, each entry on its own (before: bit numbers only, and the first other entry ends the list); bits without a name print as word:bit, unknown names as \"(unknown: NAME)\"; using it taints the kernel (TAINT_CPU_OUT_OF_SPEC)",
	  "x86/cpu: Allow feature bit names from /proc/cpuinfo in clearcpuid=", "1625c833db93" },
	{ XS_K_INIT_FPSTATE_MSG, K(6, 1), "boot messages",
	  "\"xstate buffer too small (%zu < %d), disabling xsave\" becomes \"init_fpstate buffer too small (%zu < %d), disabling XSAVE\"",
	  "x86/fpu: Fix the init_fpstate size check with the actual size",
	  "d3e021adac7c51a26d9ede167c789fcc1b878467" },
	{ XS_K_WARN_TEXTS, K(6, 2), "boot messages",
	  "consistency warnings name the problem (\"XSAVE consistency problem: ...\")",
	  "x86/fpu/xstate: Fix XSTATE_WARN_ON() to emit relevant diagnostics",
	  "48280042f2c6e3ac2cfb1d8b752ab4a7e0baea24" },
	{ XS_K_PTRACE_PKRU, K(6, 2), "ptrace",
	  "PKRU written through NT_X86_XSTATE takes effect (bit 9 clear: PKRU = 0); before it was ignored",
	  "x86/fpu: Allow PKRU to be (once again) written by ptrace.; x86/fpu: Emulate XRSTOR's behavior if the xfeatures PKRU bit is not set",
	  "4a804c4f8356, d7e5aceace51" },
	{ XS_K_ERRATUM_1386, K(6, 3), "CPU quirks",
	  "AMD family 17h loses XSAVES (erratum 1386); from 6.10 not with the fixed microcode",
	  "x86/CPU/AMD: Disable XSAVES on AMD family 0x17; x86/CPU/AMD: Improve the erratum 1386 workaround",
	  "b0563468eeac88ebc70559d52a0b66efc37e4e9d, 29ba89f1895285f06c333546882e0c5ae9a6df23" },
	{ XS_K_CET_USER, K(6, 6), "components",
	  "CET user state (shadow stacks) supported, gated on SHSTK; component 12 is named \"Control-flow Kernel registers (unused)\" and never kept",
	  "x86/fpu/xstate: Introduce CET MSR and XSAVES supervisor states", "366d141f34e2" },
	{ XS_K_PKRU_OSPKE, K(6, 6), "components",
	  "PKRU is kept only when the kernel enabled protection keys (X86_FEATURE_OSPKE, set by setup_pku()): with nopku, XCR0 has no PKRU (before: gated on PKU, so nopku left PKRU in XCR0)",
	  "x86/fpu/xstate: Fix PKRU covert channel", "18032b47adf1db7b7f5fb2d1344e65aafe6417df" },
	{ XS_K_SIGRETURN_MAGIC2, K(6, 15), "signal frames",
	  "sigreturn looks for MAGIC2 after the kernel's user_size and no longer checks the frame's xstate_size",
	  "x86/fpu: Refine and simplify the magic number check during signal return",
	  "dc8aa31a7ac2c4290ea974c13cb0094e08f8948f" },
	{ XS_K_CLEARCPUID_WARN, K(6, 15), "boot options",
	  "clearcpuid= prints one warning per flag (\"clearcpuid: force-disabling CPU feature flag: NAME\", \"clearcpuid: unknown CPU flag: NAME\") instead of one \"Clearing CPUID bits:\" line, then \"!!! setcpuid=/clearcpuid= in use, this is for TESTING ONLY, may break things horribly. Tainting kernel.\"",
	  "x86/cpu: Warn louder about the {set,clear}cpuid boot parameters; x86/cpu: Log CPU flag cmdline hacks more verbosely",
	  "681955761bf6, d0ba9bcf001c" },
	{ XS_K_GUEST_KERNEL_SIZE, K(6, 15), "KVM",
	  "a vCPU's fpstate is sized from the kernel defaults (before: the user defaults)",
	  "x86/fpu: Fix guest FPU state buffer allocation size; x86/fpu/xstate: Fix inconsistencies in guest FPU xfeatures",
	  "1937e18cc3cf27e2b3ef70e8c161437051ab7608, dda366083e5ff307a4a728757db874bbfe7550be" },
	{ XS_K_APX, K(6, 16), "components",
	  "APX supported; APX with MPX disables XSAVE; standard sizes follow offset order",
	  "x86/fpu/apx: Enable APX state support; x86/fpu/apx: Disallow conflicting MPX presence; x86/fpu/xstate: Adjust XSAVE buffer size calculation",
	  "50c5b071e2833d2b61e3774cd792620311df157c, ea68e39190cff86f457bd286c70b535e2a99a94d" },
	{ XS_K_DISABLE_LOG, K(6, 16), "boot messages",
	  "disabling XSAVE always prints \"x86/fpu: XSAVE disabled\"; the \", disabling XSAVE\" suffixes of \"init_fpstate buffer too small\" and \"xfeatures modified ... during init\" go",
	  "x86/fpu: Log XSAVE disablement consistently", "39cd7fad39ce2ffbeb21939c805ee55f3ec808d4" },
	{ XS_K_PRESERVE_PERM, K(6, 16), "permissions",
	  "requests keep supervisor bits and FPU_GUEST_PERM_LOCKED in __state_perm",
	  "x86/fpu/xstate: Always preserve non-user xfeatures/flags in __state_perm",
	  "d8414603b29f25191fcceafb72e74b67ac2e92b1" },
	{ XS_K_DROP_GUEST_PERM, K(6, 16), "KVM",
	  "struct fpu_guest loses its unused perm field",
	  "x86/fpu: Drop @perm from guest pseudo FPU container", "32d5fa804dc9bd7cf6651a1378ba616d332e7444" },
	{ XS_K_CET_KERNEL, K(6, 17), "components",
	  "CET supervisor state as a guest-only feature: host and guest defaults, guest permissions and vCPU fpstates from the guest defaults, guest fpstates without XFD; component 12 is named \"Control-flow Kernel registers (KVM only)\"; v4's warning for guest-only state in a normal fpstate was not merged",
	  "x86/fpu/xstate: Differentiate default features for host and guest FPUs; x86/fpu: Initialize guest FPU permissions from guest defaults; x86/fpu: Initialize guest fpstate and FPU pseudo container from guest defaults; x86/fpu: Remove xfd argument from __fpstate_reset(); x86/fpu/xstate: Introduce \"guest-only\" supervisor xfeature set; x86/fpu/xstate: Add CET supervisor xfeature support as a guest-only feature",
	  "7bc4ed75f2d6, 7c2c89364d92, 509e880b7795, fafb29e18db2, 151bf232494d, 8b05b3c988162ca117b3854ae7d497927b415299" },
	{ XS_K_KVM_CET, K(6, 18), "KVM",
	  "KVM supports CET_USER|CET_KERNEL in IA32_XSS for guests",
	  "KVM: x86: Add XSS support for CET_KERNEL and CET_USER", "69cc3e886582891f9c4d5830f18a2664a7f7cf7c" },
	{ XS_K_SIGRETURN_REVERT, XS_KERNEL_STABLE(6, 18, 35), "signal frames",
	  "the 6.15 change is undone (mainline 7.1, stable 6.18.35): sigreturn checks the frame's xstate_size again and looks for MAGIC2 after it, so frames built for a smaller user_size (CRIU, gVisor) restore their extended state",
	  "Revert \"x86/fpu: Refine and simplify the magic number check during signal return\"",
	  "44eeff9bc467bc7d1fec34fc3f6001f385fe462c (mainline); stable: 6.18.35-rc1 review \"[PATCH 6.18 098/315]\" <20260607095731.237874056@linuxfoundation.org>, linux-stable-rc queue/6.18 push db81af264b30" },
};

const struct xs_kchange_info *xs_kchanges(unsigned *n)
{
	*n = XS_ARRAY_SIZE(kchanges);
	return kchanges;
}

/*
 * Is `first` (a row: no sublevel means x.y.0) at or before `release` (no
 * sublevel means the newest stable release of the series)?
 */
static bool reaches(uint32_t release, uint32_t first)
{
	uint32_t rs = XS_KERNEL_SERIES(release), fs = XS_KERNEL_SERIES(first);
	uint32_t rsub = release >> 16, fsub = first >> 16;	/* sublevel + 1, or 0 */

	if (rs != fs)
		return rs > fs;
	return !fsub || !rsub || rsub >= fsub;
}

bool xs_kernel_has(uint32_t release, enum xs_kchange change)
{
	for (size_t i = 0; i < XS_ARRAY_SIZE(kchanges); i++)
		if (kchanges[i].change == change)
			return reaches(release, kchanges[i].release);
	return false;
}

const char *xs_kernel_name(uint32_t release, char *buf, size_t size)
{
	uint32_t series = XS_KERNEL_SERIES(release), sub = release >> 16;

	if (sub)
		snprintf(buf, size, "%u.%u.%u", series >> 8, series & 0xff, sub - 1);
	else
		snprintf(buf, size, "%u.%u", series >> 8, series & 0xff);
	return buf;
}

/* Releases that exist: 5.10 .. 5.19 and 6.0 .. 6.18. */
static bool kernel_known(unsigned maj, unsigned min)
{
	return (maj == 5 && min >= 10 && min <= 19) || (maj == 6 && min <= 18);
}

static const char *parse_number(const char *s, unsigned *v)
{
	unsigned n = 0, digits = 0;

	for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
		n = n * 10 + (unsigned)(*s - '0');
	*v = n;
	return digits ? s : NULL;
}

int xs_kernel_parse(const char *s, uint32_t *out)
{
	unsigned maj, min, patch = 0;
	bool stable = false;

	if (!s || !(s = parse_number(s, &maj)) || *s++ != '.' || !(s = parse_number(s, &min)))
		return -EINVAL;
	if (*s == '.') {
		if (!(s = parse_number(s + 1, &patch)))
			return -EINVAL;
		stable = true;
	}
	if (*s || !kernel_known(maj, min))
		return -EINVAL;
	*out = stable ? XS_KERNEL_STABLE(maj, min, patch) : K(maj, min);
	return 0;
}

int xs_kernel_parse_uname(const char *release, uint32_t *out)
{
	char version[24];
	size_t n = 0;

	if (!release)
		return -EINVAL;
	while (n + 1 < sizeof(version) && ((release[n] >= '0' && release[n] <= '9') || release[n] == '.'))
		n++;
	memcpy(version, release, n);
	version[n] = '\0';
	return xs_kernel_parse(version, out);
}

bool xs_kernel_valid(uint32_t release)
{
	uint32_t series = XS_KERNEL_SERIES(release);

	return kernel_known(series >> 8, series & 0xff);
}

bool xs_system_since(const xs_system *sys, short since)
{
	if (since == XS_SINCE_ALWAYS)
		return true;
	if (since == XS_SINCE_NEVER)
		return false;
	if (since == XS_K_CET_KERNEL)
		return sys->patches & XS_PATCH_CET_KERNEL;
	return xs_kernel_has(sys->opts.kernel, (enum xs_kchange)since);
}

uint32_t xs_release_patches(uint32_t release)
{
	uint32_t p = 0;

	if (xs_kernel_has(release, XS_K_PRESERVE_PERM))
		p |= XS_PATCH_PRESERVE_PERM;
	if (xs_kernel_has(release, XS_K_DROP_GUEST_PERM))
		p |= XS_PATCH_DROP_GUEST_PERM;
	/*
	 * Patches 3..7 as merged in 6.17. Patch 8 (the warning for guest-only
	 * state in a normal fpstate) never reached mainline: no release has
	 * it; the series model can still ask for it in xs_options.patches.
	 */
	if (xs_kernel_has(release, XS_K_CET_KERNEL))
		p |= XS_PATCH_CET_KERNEL | XS_PATCH_GUEST_DEFAULTS | XS_PATCH_GUEST_PERM_DEFAULTS |
		     XS_PATCH_GUEST_FPSTATE_DEFAULTS | XS_PATCH_GUEST_ONLY_SET;
	return p;
}
