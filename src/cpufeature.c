// SPDX-License-Identifier: MIT
/*
 * The kernel's view of the CPU features: the raw CPUID bits, minus what
 * clearcpuid= (xs_options.clear_features) and CPU quirks clear, with the
 * dependent features cleared alongside (arch/x86/kernel/cpu/cpuid-deps.c),
 * plus the bits the kernel sets itself (OSPKE, OSXSAVE).
 */
#include <string.h>

#include "internal.h"

/* { feature, depends on } — the subset of cpuid_deps[] the model uses. */
static const unsigned char cpuid_deps[][2] = {
	{ XS_CPU_FXSR, XS_CPU_FPU },
	{ XS_CPU_XSAVEOPT, XS_CPU_XSAVE },
	{ XS_CPU_XSAVEC, XS_CPU_XSAVE },
	{ XS_CPU_XSAVES, XS_CPU_XSAVE },
	{ XS_CPU_AVX, XS_CPU_XSAVE },
	{ XS_CPU_PKU, XS_CPU_XSAVE },
	{ XS_CPU_MPX, XS_CPU_XSAVE },
	{ XS_CPU_XGETBV1, XS_CPU_XSAVE },
	{ XS_CPU_APX, XS_CPU_XSAVE },
	{ XS_CPU_XSAVE, XS_CPU_FXSR },
	{ XS_CPU_XMM, XS_CPU_FXSR },
	{ XS_CPU_XMM2, XS_CPU_XMM },
	{ XS_CPU_AVX2, XS_CPU_AVX },
	{ XS_CPU_AVX512F, XS_CPU_AVX },
	{ XS_CPU_ENQCMD, XS_CPU_XSAVES },
	{ XS_CPU_XFD, XS_CPU_XSAVES },
	{ XS_CPU_XFD, XS_CPU_XGETBV1 },
	{ XS_CPU_AMX_TILE, XS_CPU_XFD },
	{ XS_CPU_SHSTK, XS_CPU_XSAVES },
	/* OSPKE is set by the kernel only while PKU is usable (setup_pku()). */
	{ XS_CPU_OSPKE, XS_CPU_PKU },
};

/* do_clear_cpu_cap(): clear `clear` and, until stable, whatever depends on it. */
uint64_t xs_clear_cpu_caps(uint64_t features, uint64_t clear)
{
	uint64_t disable = clear;
	bool changed;

	do {
		changed = false;
		for (size_t i = 0; i < sizeof(cpuid_deps) / sizeof(cpuid_deps[0]); i++) {
			uint64_t f = XS_BIT(cpuid_deps[i][0]), d = XS_BIT(cpuid_deps[i][1]);

			if ((disable & d) && !(disable & f)) {
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

uint64_t xs_kernel_cpu_features(const xs_cpu *cpu, uint32_t release, uint64_t clear, char *note,
				size_t note_size)
{
	uint64_t f = xs_cpu_features(cpu);

	if (note_size)
		note[0] = '\0';
	/*
	 * setup_pku() sets CR4.PKE whenever PKU is present, which makes the
	 * CPU report OSPKE; a dump's OSPKE bit only describes the OS that
	 * took it.
	 */
	if (f & XS_BIT(XS_CPU_PKU))
		f |= XS_BIT(XS_CPU_OSPKE);
	else
		f &= ~XS_BIT(XS_CPU_OSPKE);
	/* Likewise OSXSAVE is the kernel's own doing (fpu__init_system_xstate). */
	f &= ~XS_BIT(XS_CPU_OSXSAVE);

	/*
	 * fix_erratum_1386(): on Zen 1/2 (family 17h) XSAVES is cleared unless
	 * the microcode carries the fix, which CPUID does not show. Those
	 * parts have no supervisor states, so the layout is the same.
	 */
	/* ENQCMD (and with it PASID state) was force-disabled until 5.18 */
	if (!xs_kernel_has(release, XS_K_PASID))
		clear |= XS_BIT(XS_CPU_ENQCMD);
	if (xs_kernel_has(release, XS_K_ERRATUM_1386) && is_amd_family(cpu, 0x17) &&
	    (f & XS_BIT(XS_CPU_XSAVES))) {
		clear |= XS_BIT(XS_CPU_XSAVES);
		if (note_size)
			snprintf(note, note_size,
				 "AMD family 17h: Linux clears XSAVES (erratum 1386) unless the microcode has the fix; XSAVEC still gives the compacted format");
	}
	return xs_clear_cpu_caps(f, clear);
}
