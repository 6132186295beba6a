// SPDX-License-Identifier: MIT
/*
 * The kernel's view of the CPU features when fpu__init_system() runs: the
 * raw CPUID bits, minus what the command line (cmdline.c) and
 * xs_options.clear_features clear, minus CPU quirks, minus what
 * filter_cpuid_features() removes for a too low CPUID level — each with
 * the features that depend on it (cpuid_deps.c) —
 * plus the bits the kernel sets itself (OSPKE in setup_pku(); OSXSAVE is
 * fpu__init_cpu_xstate()'s, so it starts clear). The order is
 * identify_cpu()'s: apply_forced_caps() (the command line), the vendor
 * c_init() (quirks), filter_cpuid_features(), setup_pku(). And the
 * kernel's feature test on the result, boot_cpu_has() (xs_system_has()).
 */
#include <string.h>

#include "linux/linux.h"

static bool is_amd_family(const xs_cpu *cpu, unsigned family)
{
	return !strcmp(cpu->vendor, "AuthenticAMD") && cpu->family == family;
}

/* The vendor init functions' clearing (c_init, after apply_forced_caps()). */
static uint64_t cpu_quirks(xs_system *sys, uint64_t f)
{
	uint32_t k = sys->opts.kernel;
	uint64_t clear = 0;

	/* ENQCMD (and with it PASID state) was force-disabled until 5.18 */
	if (!xs_kernel_has(k, XS_K_PASID))
		clear |= XS_BIT(XS_CPU_ENQCMD);
	/*
	 * fix_erratum_1386(): on Zen 1/2 (family 17h) XSAVES is cleared unless
	 * the microcode carries the fix, which CPUID does not show. Those
	 * parts have no supervisor states, so the layout is the same.
	 */
	if (xs_kernel_has(k, XS_K_ERRATUM_1386) && is_amd_family(&sys->cpu, 0x17) &&
	    (f & XS_BIT(XS_CPU_XSAVES))) {
		clear |= XS_BIT(XS_CPU_XSAVES);
		xs_note(sys, "AMD family 17h: Linux clears XSAVES (erratum 1386) unless the microcode has the fix; XSAVEC still gives the compacted format");
	}
	return xs_clear_cpu_caps_at(f, clear, k);
}

/*
 * filter_cpuid_features() (arch/x86/kernel/cpu/common.c), unchanged from
 * 5.10 to 6.18: a feature whose CPUID leaf is above the maximum basic leaf
 * (CPUID.0:EAX, c->cpuid_level) is cleared with clear_cpu_cap(), so its
 * dependents go too. Of its table (MWAIT 5, DCA 9, XSAVE 0xD) only XSAVE
 * matters here: without leaf 0xD there is nothing to size the state with.
 * identify_cpu() calls it with warn = true for every CPU, so the warning
 * is printed once per CPU; the early pass (early_identify_cpu(), warn =
 * false) is silent. Hypervisors give such CPUs: QEMU's "-cpu
 * Nehalem,+xsave" keeps Nehalem's level 0xB.
 */
static uint64_t filter_cpuid_features(xs_system *sys, uint64_t f)
{
	uint32_t r[4];

	xs_cpuid(&sys->cpu, 0, 0, r);
	if (!(f & XS_BIT(XS_CPU_XSAVE)) || r[0] >= 0xd)
		return f;
	xs_cpu_printk(sys, "CPU: CPU feature xsave disabled, no CPUID level 0xd\n");
	xs_note(sys, "CPUID.0:EAX = 0x%x is below 0xd: filter_cpuid_features() clears XSAVE and what depends on it (AVX, PKU, MPX, ...)",
		r[0]);
	return xs_clear_cpu_caps_at(f, XS_BIT(XS_CPU_XSAVE), sys->opts.kernel);
}

bool xs_system_has(const xs_system *sys, enum xs_cpu_feature f)
{
	return (unsigned)f < XS_CPU_FEATURE_COUNT && (sys->cpu_features & XS_BIT(f));
}

void xs_identify_cpu(xs_system *sys)
{
	uint32_t k = sys->opts.kernel;
	struct xs_cmdline_effect cmd;
	uint64_t f = xs_cpu_features(&sys->cpu);

	/* a dump's OSPKE and OSXSAVE describe the OS that took it */
	f &= ~(XS_BIT(XS_CPU_OSPKE) | XS_BIT(XS_CPU_OSXSAVE));
	xs_cpu_parse_early_param(sys, &cmd);
	f = xs_clear_cpu_caps_at(f, cmd.clear | sys->opts.clear_features, k);
	f = cpu_quirks(sys, f);
	f = filter_cpuid_features(sys, f);
	/*
	 * setup_pku(): CR4.PKE, and with it OSPKE, whenever PKU survived and
	 * nopku was not given. OSPKE in clear_features stands for an OS that
	 * does not enable protection keys.
	 */
	if ((f & XS_BIT(XS_CPU_PKU)) && !cmd.pku_disabled &&
	    !(sys->opts.clear_features & XS_BIT(XS_CPU_OSPKE)))
		f |= XS_BIT(XS_CPU_OSPKE);
	sys->cpu_features = f;
}
