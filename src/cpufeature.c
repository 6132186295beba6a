// SPDX-License-Identifier: MIT
/*
 * The kernel's view of the CPU features when fpu__init_system() runs: the
 * raw CPUID bits, minus what the command line (cmdline.c) and
 * xs_options.clear_features clear, minus CPU quirks, minus what
 * filter_cpuid_features() removes for a too low CPUID level — each with
 * the features that depend on it (arch/x86/kernel/cpu/cpuid-deps.c) —
 * plus the bits the kernel sets itself (OSPKE in setup_pku(); OSXSAVE is
 * fpu__init_cpu_xstate()'s, so it starts clear). The order is
 * identify_cpu()'s: apply_forced_caps() (the command line), the vendor
 * c_init() (quirks), filter_cpuid_features(), setup_pku().
 */
#include <string.h>

#include "internal.h"

/*
 * { feature, depends on, first release } — the subset of cpuid_deps[] the
 * model uses. XS_K_COUNT: in the table of every modelled release (5.10's
 * has the first eleven pairs here and ENQCMD -> XSAVES). The XFD and AMX
 * pairs came with AMX (5.16), SHSTK -> XSAVES with CET user state (6.6),
 * APX -> XSAVE with APX (6.16: "x86/cpufeatures: Add X86_FEATURE_APX").
 */
static const struct cpuid_dep {
	unsigned char feature, depends;
	enum xs_kchange since;
} cpuid_deps[] = {
	{ XS_CPU_FXSR, XS_CPU_FPU, XS_K_COUNT },
	{ XS_CPU_XSAVEOPT, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_XSAVEC, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_XSAVES, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_AVX, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_PKU, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_MPX, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_XGETBV1, XS_CPU_XSAVE, XS_K_COUNT },
	{ XS_CPU_APX, XS_CPU_XSAVE, XS_K_APX },
	{ XS_CPU_XSAVE, XS_CPU_FXSR, XS_K_COUNT },
	{ XS_CPU_XMM, XS_CPU_FXSR, XS_K_COUNT },
	{ XS_CPU_XMM2, XS_CPU_XMM, XS_K_COUNT },
	{ XS_CPU_AVX2, XS_CPU_AVX, XS_K_COUNT },
	{ XS_CPU_AVX512F, XS_CPU_AVX, XS_K_COUNT },
	{ XS_CPU_ENQCMD, XS_CPU_XSAVES, XS_K_COUNT },
	{ XS_CPU_XFD, XS_CPU_XSAVES, XS_K_AMX },
	{ XS_CPU_XFD, XS_CPU_XGETBV1, XS_K_AMX },
	{ XS_CPU_AMX_TILE, XS_CPU_XFD, XS_K_AMX },
	{ XS_CPU_SHSTK, XS_CPU_XSAVES, XS_K_CET_USER },
};

static bool dep_in(const struct cpuid_dep *d, uint32_t release)
{
	return d->since == XS_K_COUNT || xs_kernel_has(release, d->since);
}

/* do_clear_cpu_cap(): clear `clear` and, until stable, whatever depends on it. */
uint64_t xs_clear_cpu_caps_at(uint64_t features, uint64_t clear, uint32_t release)
{
	uint64_t disable = clear;
	bool changed;

	do {
		changed = false;
		for (size_t i = 0; i < XS_ARRAY_SIZE(cpuid_deps); i++) {
			const struct cpuid_dep *d = &cpuid_deps[i];
			uint64_t f = XS_BIT(d->feature), dep = XS_BIT(d->depends);

			if ((disable & dep) && !(disable & f) && dep_in(d, release)) {
				disable |= f;
				changed = true;
			}
		}
	} while (changed);
	return features & ~disable;
}

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
	snprintf(sys->cpu_log + strlen(sys->cpu_log), sizeof(sys->cpu_log) - strlen(sys->cpu_log),
		 "CPU: CPU feature xsave disabled, no CPUID level 0xd\n");
	xs_note(sys, "CPUID.0:EAX = 0x%x is below 0xd: filter_cpuid_features() clears XSAVE and what depends on it (AVX, PKU, MPX, ...)",
		r[0]);
	return xs_clear_cpu_caps_at(f, XS_BIT(XS_CPU_XSAVE), sys->opts.kernel);
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
