// SPDX-License-Identifier: MIT
/*
 * The component table (components.h): one row per XSAVE state component.
 * Sources: the kernel's arch/x86/kernel/fpu/xstate.c (xfeature_names[],
 * xsave_cpuid_features[], check_xstate_against_struct()) and
 * asm/fpu/xstate.h (the SUPPORTED / INDEPENDENT / UNSUPPORTED masks),
 * arch/x86/kvm/x86.c (KVM_SUPPORTED_XCR0, KVM_SUPPORTED_XSS), and
 * xsave-isa.md §1.1, §2, §6, §7, §9 for what the architecture fixes.
 * Adding a component is a row here and its tests
 * (docs/architecture.md); tests/unit/test_components.c checks the table
 * against the public header's masks.
 */
#include <stddef.h>
#include <strings.h>

#include "common/common.h"

#define UNKNOWN "unknown xstate feature"
#define ALWAYS XS_SINCE_ALWAYS
#define NEVER XS_SINCE_NEVER
/* A description every release prints alike. */
#define NAME(text) .boot_names = { { ALWAYS, text } }
/* The component's image in the engine's register file. */
#define REGS(field) .regs_offset = offsetof(xs_regs, field), .regs_capacity = sizeof(((xs_regs *)0)->field)
#define MPX (XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR)
#define SSE_AVX (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)

const struct xs_component xs_component_table[XS_XFEATURE_MAX] = {
	[XS_XFEATURE_FP] = {
		{ 0, "XFEATURE_FP", "x87", "x87 floating point registers", false, false, false, "fpu", 0 },
		NAME("x87 floating point registers"), .linux_since = ALWAYS, .gate_since = ALWAYS,
		.kvm_since = ALWAYS, .fixed_offset = 0, .fixed_size = XS_LEG_XMM,
		.decoder = XS_DEC_X87, .decode_min = 160 },
	[XS_XFEATURE_SSE] = {
		{ 1, "XFEATURE_SSE", "sse", "SSE registers", false, false, false, "sse", 0 },
		NAME("SSE registers"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = ALWAYS,
		.fixed_offset = XS_LEG_XMM, .fixed_size = XS_LEG_XMM_SIZE,
		.decoder = XS_DEC_SSE, .decode_min = 256 },
	[XS_XFEATURE_YMM] = {
		{ 2, "XFEATURE_YMM", "avx", "AVX registers", false, false, false, "avx", 256 },
		NAME("AVX registers"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = ALWAYS,
		.xcr0_needs = XS_XFEATURE_MASK_SSE, REGS(ymm_hi128), .vreg_bytes = 16,
		.decoder = XS_DEC_YMM, .decode_min = 256 },
	[XS_XFEATURE_BNDREGS] = {
		{ 3, "XFEATURE_BNDREGS", "mpx_bndregs", "MPX bounds registers", false, false, false, "mpx", 64 },
		NAME("MPX bounds registers"), .linux_since = ALWAYS, .gate_since = ALWAYS,
		.kvm_since = ALWAYS, .xcr0_group = MPX, REGS(bndregs),
		.decoder = XS_DEC_BNDREGS, .decode_min = 64 },
	[XS_XFEATURE_BNDCSR] = {
		{ 4, "XFEATURE_BNDCSR", "mpx_bndcsr", "MPX CSR", false, false, false, "mpx", 64 },
		NAME("MPX CSR"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = ALWAYS,
		.xcr0_group = MPX, REGS(bndcsr), .decoder = XS_DEC_BNDCSR, .decode_min = 16 },
	[XS_XFEATURE_OPMASK] = {
		{ 5, "XFEATURE_OPMASK", "avx512_opmask", "AVX-512 opmask", false, false, false, "avx512f", 64 },
		NAME("AVX-512 opmask"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = ALWAYS,
		.xcr0_group = XS_XFEATURE_MASK_AVX512, .xcr0_needs = SSE_AVX, REGS(opmask),
		.decoder = XS_DEC_OPMASK, .decode_min = 64 },
	/* The kernel's names for 6 and 7 are swapped relative to the SDM; verbatim. */
	[XS_XFEATURE_ZMM_Hi256] = {
		{ 6, "XFEATURE_ZMM_Hi256", "avx512_zmm_hi256", "AVX-512 Hi256", false, false, false, "avx512f", 512 },
		NAME("AVX-512 Hi256"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = ALWAYS,
		.xcr0_group = XS_XFEATURE_MASK_AVX512, .xcr0_needs = SSE_AVX, REGS(zmm_hi256),
		.vreg_bytes = 32, .decoder = XS_DEC_ZMM_HI256, .decode_min = 512 },
	[XS_XFEATURE_Hi16_ZMM] = {
		{ 7, "XFEATURE_Hi16_ZMM", "avx512_hi16_zmm", "AVX-512 ZMM_Hi256", false, false, false, "avx512f", 1024 },
		NAME("AVX-512 ZMM_Hi256"), .linux_since = ALWAYS, .gate_since = ALWAYS,
		.kvm_since = ALWAYS, .xcr0_group = XS_XFEATURE_MASK_AVX512, .xcr0_needs = SSE_AVX,
		REGS(hi16_zmm), .long_mode_only = true, .decoder = XS_DEC_HI16_ZMM, .decode_min = 1024 },
	[XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR] = {
		{ 8, "XFEATURE_PT_UNIMPLEMENTED_SO_FAR", "pt", "Processor Trace (unused)", true, false, false, "intel_pt", 0 },
		NAME("Processor Trace (unused)"), .linux_since = NEVER, .gate_since = ALWAYS,
		.unsupported = true, .kvm_since = NEVER, REGS(pt) },
	/* The kernel gates PKRU on OSPKE, which it sets itself when PKU exists (before 6.6: on PKU). */
	[XS_XFEATURE_PKRU] = {
		{ 9, "XFEATURE_PKRU", "pkru", "Protection Keys User registers", false, false, false, "ospke", 8 },
		NAME("Protection Keys User registers"), .linux_since = ALWAYS,
		.gate_since = XS_K_PKRU_OSPKE, .gate_before = "pku", .kvm_since = ALWAYS, REGS(pkru),
		.decoder = XS_DEC_PKRU, .decode_min = 4 },
	[XS_XFEATURE_PASID] = {
		{ 10, "XFEATURE_PASID", "pasid", "PASID state", true, false, false, "enqcmd", 8 },
		NAME("PASID state"), .linux_since = ALWAYS, .gate_since = ALWAYS, .kvm_since = NEVER,
		.msrs = { { "IA32_PASID", 0xd93, NULL } }, REGS(pasid),
		.decoder = XS_DEC_MSRS, .decode_min = 8 },
	[XS_XFEATURE_CET_USER] = {
		{ 11, "XFEATURE_CET_USER", "cet_u", "Control-flow User registers", true, false, false, "shstk", 16 },
		NAME("Control-flow User registers"), .linux_since = XS_K_CET_USER, .gate_since = ALWAYS,
		.kvm_since = XS_K_KVM_CET, .regset = "NT_X86_SHSTK",
		.msrs = { { "IA32_U_CET", 0x6a0, "CET_U: user shadow-stack/IBT control (guest kernels >= 6.6 with shadow stacks)" },
			  { "IA32_PL3_SSP", 0x6a7, "CET_U: user shadow-stack pointer" } },
		REGS(cet_u), .decoder = XS_DEC_CET_U, .decode_min = 16 },
	/*
	 * xfeature_names[12] was "unknown" until CET user state (6.6) named
	 * it "(unused)"; the CET supervisor patch (6.17) made it "(KVM only)"
	 * and gave it its gate. It is printed only where it is kept.
	 */
	[XS_XFEATURE_CET_KERNEL] = {
		{ 12, "XFEATURE_CET_KERNEL", "cet_s", "Control-flow Kernel registers (KVM only)", true, true, false, "shstk", 24 },
		.boot_names = { { XS_K_CET_KERNEL, "Control-flow Kernel registers (KVM only)" },
				{ XS_K_CET_USER, "Control-flow Kernel registers (unused)" },
				{ ALWAYS, UNKNOWN } },
		.linux_since = XS_K_CET_KERNEL, .gate_since = XS_K_CET_KERNEL, .kvm_since = XS_K_KVM_CET,
		.msrs = { { "IA32_PL0_SSP", 0x6a4, "CET_S: supervisor shadow-stack pointers; a guest >= 6.17 enables the component in its XSS" },
			  { "IA32_PL1_SSP", 0x6a5, "CET_S" },
			  { "IA32_PL2_SSP", 0x6a6, "CET_S" } },
		REGS(cet_s), .decoder = XS_DEC_MSRS, .decode_min = 24 },
	/* HDC: IA32_PM_CTL1, init value 1 (§7) */
	[XS_XFEATURE_RSRVD_COMP_13] = {
		{ 13, "XFEATURE_RSRVD_COMP_13", "comp13", UNKNOWN, true, false, false, NULL, 0 },
		NAME(UNKNOWN), .linux_since = NEVER, .gate_since = ALWAYS, .kvm_since = NEVER, REGS(hdc),
		.init_word = 1 },
	/* UINTR */
	[XS_XFEATURE_RSRVD_COMP_14] = {
		{ 14, "XFEATURE_RSRVD_COMP_14", "comp14", UNKNOWN, true, false, false, NULL, 0 },
		NAME(UNKNOWN), .linux_since = NEVER, .gate_since = ALWAYS, .kvm_since = NEVER, REGS(uintr) },
	/* LBR is "independent": kept out of max_features, saved on its own. */
	[XS_XFEATURE_LBR] = {
		{ 15, "XFEATURE_LBR", "lbr", UNKNOWN, true, false, false, NULL, 0 },
		NAME(UNKNOWN), .linux_since = NEVER, .gate_since = ALWAYS, .independent = true,
		.kvm_since = NEVER, REGS(lbr) },
	/* HWP: IA32_HWP_REQUEST, init value 8000FF01h (§7) */
	[XS_XFEATURE_RSRVD_COMP_16] = {
		{ 16, "XFEATURE_RSRVD_COMP_16", "comp16", UNKNOWN, true, false, false, NULL, 0 },
		NAME(UNKNOWN), .linux_since = NEVER, .gate_since = ALWAYS, .kvm_since = NEVER, REGS(hwp),
		.init_word = 0x8000ff01u },
	[XS_XFEATURE_XTILE_CFG] = {
		{ 17, "XFEATURE_XTILE_CFG", "amx_tilecfg", "AMX Tile config", false, false, false, "amx_tile", 64 },
		NAME("AMX Tile config"), .linux_since = XS_K_AMX, .gate_since = ALWAYS,
		.kvm_since = XS_K_KVM_XSAVE2, .xcr0_group = XS_XFEATURE_MASK_XTILE, REGS(tilecfg),
		.decoder = XS_DEC_TILECFG, .decode_min = 64 },
	/* 1024 bytes per tile times the tile count of CPUID 0x1D: no fixed struct size. */
	[XS_XFEATURE_XTILE_DATA] = {
		{ 18, "XFEATURE_XTILE_DATA", "amx_tiledata", "AMX Tile data", false, false, true, "amx_tile", 0 },
		NAME("AMX Tile data"), .linux_since = XS_K_AMX, .gate_since = ALWAYS,
		.kvm_since = XS_K_KVM_XSAVE2, .xcr0_group = XS_XFEATURE_MASK_XTILE, REGS(tiledata),
		.decoder = XS_DEC_TILEDATA, .decode_min = 1024 },
	[XS_XFEATURE_APX] = {
		{ 19, "XFEATURE_APX", "apx", "APX registers", false, false, false, "apx", 128 },
		NAME("APX registers"), .linux_since = XS_K_APX, .gate_since = ALWAYS, .kvm_since = NEVER,
		REGS(apx), .decoder = XS_DEC_APX, .decode_min = 128 },
};

uint64_t xs_components_where(bool (*has)(const struct xs_component *c))
{
	uint64_t mask = 0;

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (has(&xs_component_table[nr]))
			mask |= XS_BIT(nr);
	return mask;
}

unsigned xs_component_nmsrs(const struct xs_component *c)
{
	unsigned n = 0;

	while (n < XS_COMPONENT_MAX_MSRS && c->msrs[n].name)
		n++;
	return n;
}

/* ---- the public view --------------------------------------------------------- */

const struct xs_xfeature_info *xs_xfeature_info(unsigned nr)
{
	return nr < XS_XFEATURE_MAX ? &xs_component_table[nr].info : NULL;
}

const char *xs_xfeature_description(unsigned nr)
{
	/* xfeature_names[] has a 21st "unknown" entry; indices clamp to it. */
	return nr < XS_XFEATURE_MAX ? xs_component_table[nr].info.description : UNKNOWN;
}

int xs_xfeature_by_name(const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_xfeature_info *x = &xs_component_table[i].info;

		if (!strcasecmp(name, x->short_name) || !strcasecmp(name, x->kernel_name) ||
		    !strcasecmp(name, x->kernel_name + strlen("XFEATURE_")))
			return (int)i;
	}
	return -1;
}

const char *xs_component_names(uint64_t mask, const char *sep, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 64 && n < size; i++)
		if (mask & XS_BIT(i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? sep : "",
					      i < XS_XFEATURE_MAX ? xs_component_table[i].info.short_name : "?");
	return buf;
}
