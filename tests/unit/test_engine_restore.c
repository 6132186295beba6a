// SPDX-License-Identifier: MIT
/*
 * The restore instructions (xsave-isa.md §5, §7, checklist §11): what
 * standard and compacted XRSTOR, XRSTORS and FXRSTOR load or initialise,
 * MXCSR's source in each form, and XINUSE / XMODIFIED / XRSTOR_INFO after.
 */
#include "engine_util.h"
#include "engine/machine.h"	/* XMODIFIED set by hand, the register file whole, the tile palettes */

#define ZEN4 "amd-zen4.instlat.txt"
#define HASWELL "intel-haswell.instlat.txt"
#define EMR "intel-emerald-rapids.instlat.txt"

static xs_machine *zen4(void)
{
	xs_machine *m = et_machine(ZEN4, 0);

	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	return m;
}

/* A standard image: FCW 37Fh, MXCSR, XSTATE_BV; components filled with `fill`. */
static uint8_t *image(uint32_t mxcsr, uint64_t xstate_bv, uint64_t xcomp_bv, uint8_t fill)
{
	uint8_t *a = et_area(16384);

	memset(a + 576, fill, 16384 - 576);
	memset(a + 160, fill, 256);
	et_st32(a, 0, 0x037f);
	et_st32(a, 24, mxcsr);
	et_st64(a, ET_XSTATE_BV, xstate_bv);
	et_st64(a, ET_XCOMP_BV, xcomp_bv);
	return a;
}

/*
 * §11.9, §5.1: standard XRSTOR with XSTATE_BV = 0 and RFBM = {AVX}: MXCSR
 * comes from memory (and is checked), XMM stays (RFBM[1] = 0), YMM_H is
 * zeroed.
 */
static void test_xrstor_standard_avx_init_loads_mxcsr_from_memory(void **state)
{
	xs_machine *m = zen4();
	uint8_t *a = image(0x1fc0, 0, 0, 0x33);

	(void)state;
	et_dirty(m, XS_XFEATURE_SSE, 0x44);
	et_dirty(m, XS_XFEATURE_YMM, 0x55);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x4, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_mxcsr(m), 0x1fc0);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 3)[3], 0x44);
	assert_int_equal(et_vreg(m, XS_XFEATURE_YMM, 16, 3)[3], 0);
	assert_int_equal(xs_machine_xinuse(m) & 0x6, 0x2);
	free(a);
	xs_machine_free(m);
}

/* §11.10, §7: compacted XRSTOR that initialises SSE sets MXCSR = 1F80h and ignores the memory value. */
static void test_xrstor_compacted_sse_init_sets_default_mxcsr(void **state)
{
	xs_machine *m = zen4();
	uint8_t *a = image(0xffffffff, 0, ET_CMP | 0x3, 0);

	(void)state;
	xs_machine_set_mxcsr(m, 0x1fc0);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_mxcsr(m), 0x1f80);
	free(a);
	xs_machine_free(m);
}

/* §11.11, §5.1: compacted XRSTOR initialises RFBM components that have no place in XCOMP_BV. */
static void test_xrstor_compacted_initialises_components_missing_from_xcomp_bv(void **state)
{
	xs_machine *m = zen4();
	uint8_t *a = image(0x1f80, 0x20, ET_CMP | 0x20, 0x66);

	(void)state;
	et_dirty(m, XS_XFEATURE_YMM, 0x55);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x24, 0), XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_YMM, 16, 0)[0], 0);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_OPMASK), 0), 0x6666666666666666ull);	/* k0, at 576 */
	free(a);
	xs_machine_free(m);
}

/*
 * §11.12, §4.5: XRSTOR with EDX:EAX = 0 changes no register and no XINUSE
 * bit, sets all of XMODIFIED and still records XRSTOR_INFO.
 */
static void test_xrstor_rfbm_zero_changes_only_xmodified_and_info(void **state)
{
	xs_machine *m = zen4();
	xs_regs *before = malloc(sizeof(*before));
	uint8_t *a = image(0x1f80, 0xe7, 0, 0x12);
	uint64_t inuse;

	(void)state;
	et_dirty_all(m, 0x5a);
	inuse = xs_machine_xinuse(m);
	memcpy(before, &m->regs, sizeof(*before));
	assert_int_equal(xs_xrstor(m, a, 16384, 0, 0), XS_EXC_NONE);
	assert_memory_equal(&m->regs, before, sizeof(*before));
	assert_int_equal(xs_machine_xinuse(m), inuse);
	assert_int_equal(xs_machine_xmodified(m), ET_ALL);
	assert_true(et_xrstor_info(m).valid);
	assert_int_equal(et_xrstor_info(m).laddr, (uintptr_t)a);
	assert_int_equal(et_xrstor_info(m).cpl, 3);
	assert_int_equal(et_xrstor_info(m).xcomp_bv, 0);
	free(a);
	free(before);
	xs_machine_free(m);
}

/* §5.1: components outside RFBM are untouched; AVX init zeroes only bits 255:128. */
static void test_xrstor_leaves_components_outside_rfbm(void **state)
{
	xs_machine *m = zen4();
	uint8_t *a = image(0x1f80, 0, 0, 0);

	(void)state;
	et_dirty_all(m, 0x5a);
	assert_int_equal(xs_xrstor(m, a, 16384, 0x24, 0), XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 15)[15], 0x5a);
	assert_int_equal(et_vreg(m, XS_XFEATURE_YMM, 16, 15)[15], 0);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_OPMASK), 8 * 7), 0);
	assert_int_equal(et_vreg(m, XS_XFEATURE_ZMM_Hi256, 32, 0)[0], 0x5a);
	assert_int_equal(et_vreg(m, XS_XFEATURE_Hi16_ZMM, 64, 15)[63], 0x5a);
	assert_int_equal(xs_machine_x87(m)->fcw, 0x027f);
	assert_int_equal(xs_machine_xmodified(m), ~UINT64_C(0x24));
	free(a);
	xs_machine_free(m);
}

/*
 * §4.5: after a load from memory XINUSE[i] = 1 (SDM, Intel), or "value
 * differs from init" where the CPU evaluates it (AMD, measured on Zen 5
 * and Zen 4: all-zero data with XSTATE_BV set leaves XINUSE 0).
 */
static void test_xinuse_after_restore_tracked_or_by_value(void **state)
{
	xs_machine *amd = zen4(), *intel = et_machine(HASWELL, 3);
	uint8_t *a = image(0x1f80, 0x7, 0, 0);

	(void)state;
	assert_int_equal(xs_xrstor(amd, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_xinuse(amd) & 0xe7, 0);
	assert_int_equal(xs_xrstor(intel, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_xinuse(intel), 0x7);
	a[576 + 100] = 1;
	assert_int_equal(xs_xrstor(amd, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_xinuse(amd) & 0xe7, 0x4);
	et_st64(a, ET_XSTATE_BV, 0);
	assert_int_equal(xs_xrstor(intel, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_xinuse(intel), 0);
	free(a);
	xs_machine_free(intel);
	xs_machine_free(amd);
}

/* §2.1, §4.5: FXRSTOR loads x87 and SSE, marks them in use (as a load) and modified. */
static void test_fxrstor_loads_legacy_state_and_sets_xmodified(void **state)
{
	xs_machine *m = et_machine(HASWELL, 3);
	uint8_t *a = image(0x1f80, 0, 0, 0x21);

	(void)state;
	m->xmodified = 0;
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 0)[0], 0x21);
	assert_int_equal(xs_machine_xinuse(m) & 3, 3);
	assert_int_equal(xs_machine_xmodified(m), 3);
	/* Zen 5, Zen 4 (measured): FXRSTOR ends the modified optimisation for every component */
	xs_machine_free(m);
	m = zen4();
	m->xmodified = 0;
	assert_int_equal(xs_fxrstor(m, a, 512, 0), XS_EXC_NONE);
	assert_int_equal(xs_machine_xmodified(m), ET_ALL);
	free(a);
	xs_machine_free(m);
}

/*
 * §5.1 (AMX): TILECFG and TILEDATA come from their standard offsets
 * (2752, 2816) when XSTATE_BV says so and are zeroed otherwise.
 */
static void test_xrstor_amx_components_load_and_initialise(void **state)
{
	xs_machine *m = et_machine(EMR, 3);
	uint8_t *a = image(0x1f80, XS_XFEATURE_MASK_XTILE, 0, 0);

	(void)state;
	a[2752] = 1;		/* palette 1 */
	a[2816 + 8191] = 0x99;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->palette_id, 1);
	assert_int_equal(et_vreg(m, XS_XFEATURE_XTILE_DATA, 1024, 7)[1023], 0x99);
	et_st64(a, ET_XSTATE_BV, 0);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->palette_id, 0);
	assert_int_equal(et_vreg(m, XS_XFEATURE_XTILE_DATA, 1024, 7)[1023], 0);
	free(a);
	xs_machine_free(m);
}

/* TILECFG is 64 zero bytes (§7: its init configuration, tiles unconfigured). */
static bool tilecfg_is_zero(xs_machine *m)
{
	const uint8_t *p = (const uint8_t *)et_tilecfg(m);

	for (size_t i = 0; i < sizeof(struct xs_tilecfg); i++)
		if (p[i])
			return false;
	return true;
}

/* A valid palette-1 TILECFG image (SDM2 LDTILECFG layout, §1.1): tiles 0 and 1 configured. */
static void good_tilecfg(uint8_t *c)
{
	memset(c, 0, 64);
	c[0] = 1;		/* palette 1 */
	c[1] = 3;		/* start_row */
	et_st32(c, 16, 64 | 4u << 16);	/* colsb[0] = 64 (the maximum), colsb[1] = 4 */
	c[48] = 16;		/* rows[0] = 16 (the maximum) */
	c[49] = 1;
}

/* Emerald Rapids at CPL 3 with TILEDATA dirty; `a` a standard image with AMX data. */
static xs_machine *amx_machine(uint8_t **a)
{
	xs_machine *m = et_machine(EMR, 3);

	et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x44);
	*a = image(0x1f80, XS_XFEATURE_MASK_XTILE, 0, 0);
	(*a)[2816] = 0x99;
	return m;
}

/*
 * §5.1 (AMX), SDM1 §13.5.14: a palette-1 TILECFG within Emerald Rapids'
 * limits (CPUID 1Dh.1: 8 tiles, 64 bytes per row, 16 rows) loads as it is
 * — start_row is not checked — and is in use afterwards.
 */
static void test_xrstor_tilecfg_palette_1_loads_as_given(void **state)
{
	uint8_t *a;
	xs_machine *m = amx_machine(&a);

	(void)state;
	assert_int_equal(m->comp.tile_max_palette, 1);
	assert_int_equal(m->comp.tile_palette[1].max_names, 8);
	assert_int_equal(m->comp.tile_palette[1].bytes_per_row, 64);
	assert_int_equal(m->comp.tile_palette[1].max_rows, 16);
	good_tilecfg(a + 2752);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_memory_equal(et_tilecfg(m), a + 2752, 64);
	assert_int_equal(et_tilecfg(m)->colsb[1], 4);
	assert_int_equal(xs_machine_xinuse(m) & XS_XFEATURE_MASK_XTILE, XS_XFEATURE_MASK_XTILE);
	a[2753] = 0xff;		/* start_row beyond max_rows: still loaded */
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->start_row, 0xff);
	free(a);
	xs_machine_free(m);
}

/* §5.1 (AMX), SDM2 LDTILECFG: palette 0 is the init configuration — it loads as 64 zero bytes. */
static void test_xrstor_tilecfg_palette_0_loads_as_zeros(void **state)
{
	uint8_t *a;
	xs_machine *m = amx_machine(&a);

	(void)state;
	good_tilecfg(a + 2752);
	a[2752] = 0;	/* palette 0, the rest as for palette 1 */
	a[2752 + 2] = 0x55;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_true(tilecfg_is_zero(m));
	assert_true(xs_component_is_init(m, XS_XFEATURE_XTILE_CFG));
	assert_int_equal(et_vreg(m, XS_XFEATURE_XTILE_DATA, 1024, 0)[0], 0x99);
	free(a);
	xs_machine_free(m);
}

/*
 * §5.1 (AMX), SDM1 §13.5.14: where LDTILECFG would #GP, XRSTOR does not:
 * it initialises TILECFG (XINUSE[17] = 0) and leaves TILEDATA to its own
 * XSTATE_BV bit. One image per LDTILECFG rule (SDM2): a palette above
 * CPUID 1Dh.0 EAX, reserved bytes 2-15, 32-47 (colsb of tiles 8-15) and
 * 56-63, colsb > bytes_per_row, rows > max_rows, rows or colsb zero alone.
 */
static void test_xrstor_tilecfg_unsupported_config_initialises_without_gp(void **state)
{
	static const struct { unsigned at; uint8_t v; } bad[] = {
		{ 0, 2 }, { 0, 0xff }, { 2, 1 }, { 15, 0x80 }, { 32, 1 }, { 47, 1 }, { 56, 1 },
		{ 63, 1 }, { 16, 65 }, { 17, 1 }, { 48, 17 }, { 50, 1 }, { 49, 0 }, { 18, 0 },
	};
	uint8_t *a;
	xs_machine *m = amx_machine(&a);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		good_tilecfg(a + 2752);
		a[2752 + bad[i].at] = bad[i].v;
		memset(et_tilecfg(m), 0x11, sizeof(struct xs_tilecfg));
		xs_machine_wrote(m, XS_XFEATURE_MASK_XTILE_CFG);
		/* TILECFG alone: TILEDATA keeps its registers */
		assert_int_equal(xs_xrstor(m, a, 16384, XS_XFEATURE_MASK_XTILE_CFG, 0), XS_EXC_NONE);
		assert_true(tilecfg_is_zero(m));
		assert_int_equal(xs_machine_xinuse(m) & XS_XFEATURE_MASK_XTILE_CFG, 0);
		assert_int_equal(et_vreg(m, XS_XFEATURE_XTILE_DATA, 1024, 0)[0], 0x44);
		/* with TILEDATA: all 8192 bytes load whatever TILECFG says */
		assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
		assert_int_equal(et_vreg(m, XS_XFEATURE_XTILE_DATA, 1024, 0)[0], 0x99);
		assert_int_equal(et_tilecfg(m)->palette_id, 0);
		et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x44);
	}
	free(a);
	xs_machine_free(m);
}

/*
 * §5.1, §5.2 (AMX): the compacted form and XRSTORS apply the same rule,
 * against the CPU model's palette (here CPUID 1Dh.1 cut to 4 tiles of 32
 * bytes and 8 rows: colsb/rows of tile 4 are then reserved bytes).
 */
static void test_compacted_xrstor_and_xrstors_initialise_unsupported_tilecfg(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	uint64_t xcomp = ET_CMP | XS_XFEATURE_MASK_XTILE_CFG;
	uint8_t *a = image(0x1f80, XS_XFEATURE_MASK_XTILE_CFG, xcomp, 0);
	xs_machine *m;

	(void)state;
	xt_load_cpu(cpu, EMR);
	xs_cpu_set_leaf(cpu, 0x1d, 1, 0x4002000, 0x00040020, 8, 0);
	m = et_machine_of(cpu, 0);
	assert_int_equal(m->comp.tile_palette[1].max_names, 4);
	memset(a + 576, 0, 64);
	a[576] = 1;
	xs_st16(a + 576 + 16, 32);
	a[576 + 48] = 8;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->palette_id, 1);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->rows[0], 8);
	a[576 + 16] = 33;	/* colsb[0] > 32 */
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->palette_id, 0);
	a[576 + 16] = 32;
	a[576 + 48 + 4] = 1;	/* rows[4]: beyond max_names */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_tilecfg(m)->palette_id, 0);
	assert_int_equal(xs_machine_xinuse(m) & XS_XFEATURE_MASK_XTILE_CFG, 0);
	free(a);
	xs_machine_free(m);
	xs_cpu_free(cpu);
}

/*
 * §7: HDC and HWP initialise to IA32_PM_CTL1 = 1 and IA32_HWP_REQUEST =
 * 8000FF01h. No fixture enumerates them: Emerald Rapids plus sub-leaves 13
 * and 16 (8 bytes each, supervisor) from xsave-isa.md §1.1.
 */
static void test_xrstors_initialises_hdc_and_hwp_to_their_init_values(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	uint32_t r[4];
	xs_machine *m;
	uint8_t *a = image(0x1f80, 0, ET_CMP | 0x3, 0);

	(void)state;
	xt_load_cpu(cpu, EMR);
	xs_cpuid(cpu, 0xd, 1, r);
	xs_cpu_set_leaf(cpu, 0xd, 1, r[0], r[1], r[2] | (1u << 13) | (1u << 16), r[3]);
	xs_cpu_set_leaf(cpu, 0xd, 13, 8, 0, 1, 0);
	xs_cpu_set_leaf(cpu, 0xd, 16, 8, 0, 1, 0);
	m = et_machine_of(cpu, 0);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_BIT(13) | XS_BIT(16)), XS_EXC_NONE);
	memset(et_reg(m, XS_XFEATURE_RSRVD_COMP_13), 0, 8);
	memset(et_reg(m, XS_XFEATURE_RSRVD_COMP_16), 0, 8);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_RSRVD_COMP_13), 0), 1);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_RSRVD_COMP_16), 0), 0x8000ff01u);
	assert_true(xs_component_is_init(m, 13));
	assert_true(xs_component_is_init(m, 16));
	free(a);
	xs_machine_free(m);
	xs_cpu_free(cpu);
}

/*
 * §5.2: LBR with the image's DEPTH equal to the current one loads the
 * first DEPTH entries; otherwise CTL and LER load and every entry is
 * zeroed. Initialising keeps DEPTH.
 */
static void test_xrstors_lbr_depth_rules(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint64_t xcomp = ET_CMP | XS_XFEATURE_MASK_LBR;
	uint8_t *a = image(0x1f80, XS_XFEATURE_MASK_LBR, xcomp, 0x31);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_LBR), XS_EXC_NONE);
	et_st64(et_reg(m, XS_XFEATURE_LBR), 8, 16);
	et_st64(a, 576 + 8, 16);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_reg(m, XS_XFEATURE_LBR)[40 + 24 * 16 - 1], 0x31);
	assert_int_equal(et_reg(m, XS_XFEATURE_LBR)[40 + 24 * 16], 0);
	et_st64(a, 576 + 8, 8);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_reg(m, XS_XFEATURE_LBR)[0], 0x31);
	assert_int_equal(et_reg(m, XS_XFEATURE_LBR)[40], 0);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_LBR), 8), 16);
	et_st64(a, 576 + 8, 12);	/* not a multiple of 8: reserved */
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	et_st64(a, ET_XSTATE_BV, 0);
	assert_int_equal(xs_xrstors(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_reg(m, XS_XFEATURE_LBR)[0], 0);
	assert_int_equal(et_ld64(et_reg(m, XS_XFEATURE_LBR), 8), 16);
	free(a);
	xs_machine_free(m);
}

/* §11.13, §2: outside 64-bit mode restores load XMM0-7 only and leave Hi16_ZMM alone. */
static void test_outside_64bit_mode_restores_eight_registers(void **state)
{
	xs_machine *m = zen4();
	uint8_t *a = image(0x1f80, 0xe7, 0, 0x77);

	(void)state;
	et_dirty_all(m, 0x5a);
	et_ctx(m)->long_mode = false;
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 7)[15], 0x77);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 8)[0], 0x5a);
	assert_int_equal(et_vreg(m, XS_XFEATURE_YMM, 16, 8)[0], 0x5a);
	assert_int_equal(et_vreg(m, XS_XFEATURE_Hi16_ZMM, 64, 0)[0], 0x5a);
	et_st64(a, ET_XSTATE_BV, 0);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 7)[15], 0);
	assert_int_equal(et_vreg(m, XS_XFEATURE_SSE, 16, 8)[0], 0x5a);
	assert_int_equal(et_vreg(m, XS_XFEATURE_Hi16_ZMM, 64, 0)[0], 0x5a);
	free(a);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xrstor_standard_avx_init_loads_mxcsr_from_memory),
		cmocka_unit_test(test_xrstor_compacted_sse_init_sets_default_mxcsr),
		cmocka_unit_test(test_xrstor_compacted_initialises_components_missing_from_xcomp_bv),
		cmocka_unit_test(test_xrstor_rfbm_zero_changes_only_xmodified_and_info),
		cmocka_unit_test(test_xrstor_leaves_components_outside_rfbm),
		cmocka_unit_test(test_xinuse_after_restore_tracked_or_by_value),
		cmocka_unit_test(test_fxrstor_loads_legacy_state_and_sets_xmodified),
		cmocka_unit_test(test_xrstor_amx_components_load_and_initialise),
		cmocka_unit_test(test_xrstor_tilecfg_palette_1_loads_as_given),
		cmocka_unit_test(test_xrstor_tilecfg_palette_0_loads_as_zeros),
		cmocka_unit_test(test_xrstor_tilecfg_unsupported_config_initialises_without_gp),
		cmocka_unit_test(test_compacted_xrstor_and_xrstors_initialise_unsupported_tilecfg),
		cmocka_unit_test(test_xrstors_initialises_hdc_and_hwp_to_their_init_values),
		cmocka_unit_test(test_xrstors_lbr_depth_rules),
		cmocka_unit_test(test_outside_64bit_mode_restores_eight_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
