// SPDX-License-Identifier: MIT
/*
 * arch/x86/kernel/cpu/cpuid-deps.c: clearing a CPU feature clears what
 * depends on it (do_clear_cpu_cap()), with each release's table.
 */
#include "linux/linux.h"

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
