// SPDX-License-Identifier: MIT
/*
 * The kernel's xfeature table: for each state component, the name the
 * kernel prints at boot (arch/x86/kernel/fpu/xstate.c xfeature_names[]),
 * the CPUID feature it requires before keeping the component
 * (xsave_cpuid_features[]) and the C struct size it checks the CPUID size
 * against (check_xstate_against_struct()).
 */
#include <string.h>
#include <strings.h>

#include "xstate.h"

#define UNKNOWN "unknown xstate feature"

static const struct xs_xfeature_info xfeatures[XS_XFEATURE_MAX] = {
	{ 0, "XFEATURE_FP", "x87", "x87 floating point registers", false, false, false, "fpu", 0 },
	{ 1, "XFEATURE_SSE", "sse", "SSE registers", false, false, false, "sse", 0 },
	{ 2, "XFEATURE_YMM", "avx", "AVX registers", false, false, false, "avx", 256 },
	{ 3, "XFEATURE_BNDREGS", "mpx_bndregs", "MPX bounds registers", false, false, false, "mpx", 64 },
	{ 4, "XFEATURE_BNDCSR", "mpx_bndcsr", "MPX CSR", false, false, false, "mpx", 64 },
	{ 5, "XFEATURE_OPMASK", "avx512_opmask", "AVX-512 opmask", false, false, false, "avx512f", 64 },
	/* The kernel's names for 6 and 7 are swapped relative to the SDM; verbatim. */
	{ 6, "XFEATURE_ZMM_Hi256", "avx512_zmm_hi256", "AVX-512 Hi256", false, false, false, "avx512f", 512 },
	{ 7, "XFEATURE_Hi16_ZMM", "avx512_hi16_zmm", "AVX-512 ZMM_Hi256", false, false, false, "avx512f", 1024 },
	{ 8, "XFEATURE_PT_UNIMPLEMENTED_SO_FAR", "pt", "Processor Trace (unused)", true, false, false, "intel_pt", 0 },
	/* The kernel gates PKRU on OSPKE, which it sets itself when PKU exists. */
	{ 9, "XFEATURE_PKRU", "pkru", "Protection Keys User registers", false, false, false, "ospke", 8 },
	{ 10, "XFEATURE_PASID", "pasid", "PASID state", true, false, false, "enqcmd", 8 },
	{ 11, "XFEATURE_CET_USER", "cet_u", "Control-flow User registers", true, false, false, "shstk", 16 },
	{ 12, "XFEATURE_CET_KERNEL", "cet_s", "Control-flow Kernel registers (KVM only)", true, true, false, "shstk", 24 },
	{ 13, "XFEATURE_RSRVD_COMP_13", "comp13", UNKNOWN, true, false, false, NULL, 0 },
	{ 14, "XFEATURE_RSRVD_COMP_14", "comp14", UNKNOWN, true, false, false, NULL, 0 },
	/* LBR is "independent": kept out of max_features, saved on its own. */
	{ 15, "XFEATURE_LBR", "lbr", UNKNOWN, true, false, false, NULL, 0 },
	{ 16, "XFEATURE_RSRVD_COMP_16", "comp16", UNKNOWN, true, false, false, NULL, 0 },
	{ 17, "XFEATURE_XTILE_CFG", "amx_tilecfg", "AMX Tile config", false, false, false, "amx_tile", 64 },
	/* 1024 bytes per tile times the tile count of CPUID 0x1D. */
	{ 18, "XFEATURE_XTILE_DATA", "amx_tiledata", "AMX Tile data", false, false, true, "amx_tile", 0 },
	{ 19, "XFEATURE_APX", "apx", "APX registers", false, false, false, "apx", 128 },
};

const struct xs_xfeature_info *xs_xfeature_info(unsigned nr)
{
	return nr < XS_XFEATURE_MAX ? &xfeatures[nr] : NULL;
}

const char *xs_xfeature_description(unsigned nr)
{
	/* xfeature_names[] has a 21st "unknown" entry; indices clamp to it. */
	return nr < XS_XFEATURE_MAX ? xfeatures[nr].description : UNKNOWN;
}

int xs_xfeature_by_name(const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_xfeature_info *x = &xfeatures[i];

		if (!strcasecmp(name, x->short_name) || !strcasecmp(name, x->kernel_name) ||
		    !strcasecmp(name, x->kernel_name + strlen("XFEATURE_")))
			return (int)i;
	}
	return -1;
}
