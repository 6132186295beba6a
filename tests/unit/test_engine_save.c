// SPDX-License-Identifier: MIT
/*
 * The save instructions (xsave-isa.md §4, checklist §11): which bytes
 * XSAVE, XSAVEOPT, XSAVEC and XSAVES write, the header words they produce,
 * the init and modified optimisations, XFD and non-64-bit mode.
 */
#include "engine_util.h"

#define ZEN4 "amd-zen4.instlat.txt"
#define EMR "intel-emerald-rapids.instlat.txt"
#define POISON 0xee

/* Zen 4, XCR0 = E7h, CPL 3, every component in use. */
static xs_machine *busy_zen4(void)
{
	xs_machine *m = et_machine(ZEN4, 0);

	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	et_dirty_all(m, 0x5a);
	xs_machine_set_mxcsr(m, 0x1fc0);
	return m;
}

/* A poisoned area with a given XSTATE_BV (the saves merge into it). */
static uint8_t *poisoned(uint64_t xstate_bv, uint64_t xcomp_bv)
{
	uint8_t *a = et_area(16384);

	memset(a, POISON, 16384);
	et_st64(a, ET_XSTATE_BV, xstate_bv);
	et_st64(a, ET_XCOMP_BV, xcomp_bv);
	return a;
}

static bool untouched(const uint8_t *a, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (a[i] != POISON)
			return false;
	return true;
}

/* §11.1, §4.1: XSAVE with RFBM = {AVX}: MXCSR and MXCSR_MASK written, x87 and XMM not; XSTATE_BV[2] from XINUSE, bits 0/1 kept. */
static void test_xsave_avx_only_writes_mxcsr_not_x87_or_xmm(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0x8000000000000001ull, 0);

	(void)state;
	assert_int_equal(xs_xsave(m, a, 16384, 0x4, 0), XS_EXC_NONE);
	assert_true(untouched(a, 0, 24));
	assert_int_equal(et_ld32(a, 24), 0x1fc0);
	assert_int_equal(et_ld32(a, 28), xs_machine_trait(m, XS_TRAIT_MXCSR_MASK));
	assert_true(untouched(a, 32, 576 - 64));
	assert_int_equal(a[576], 0x5a);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x8000000000000005ull);
	assert_true(untouched(a, 528, 576));
	free(a);
	xs_machine_free(m);
}

/* §11.2, §4.1: XSAVE with RFBM = {x87} leaves MXCSR; bytes 416-511 are never written. */
static void test_xsave_x87_only_leaves_mxcsr_and_reserved_bytes(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsave(m, a, 16384, 0x1, 0), XS_EXC_NONE);
	assert_int_equal(et_ld32(a, 0) & 0xffff, 0x027f);
	assert_true(untouched(a, 24, 32));
	assert_true(untouched(a, 160, 512));
	assert_true(untouched(a, 528, 576));
	free(a);
	xs_machine_free(m);
}

/* §4.1: XSAVE writes every RFBM component, init ones with their init values, XSTATE_BV[i] = XINUSE[i]. */
static void test_xsave_writes_init_components(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsave(m, a, 16384, 0xe7, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(et_ld32(a, 0) & 0xffff, 0x037f);
	for (size_t i = 2; i < 24; i++)
		assert_int_equal(a[i], 0);
	for (size_t i = 576; i < 2432; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0);
	free(a);
	xs_machine_free(m);
}

/*
 * An XRSTOR of `img` (the form its last save left: standard after XSAVE,
 * compacted after XSAVEC), then a store into it: the modified
 * optimisation's test bed.
 */
static void restore_then_poke(xs_machine *m, uint8_t *img, uint64_t rfbm, bool compacted)
{
	if (!compacted)
		et_st64(img, ET_XCOMP_BV, 0);
	memset(img + 528, 0, 48);
	assert_int_equal(xs_xrstor(m, img, 16384, rfbm, XS_REX_W), XS_EXC_NONE);
	memset(img, POISON, 512);
	memset(img + 576, POISON, 16384 - 576);
}

/*
 * §11.3, §4.2: XSAVEOPT right after an XRSTOR from the same address, CPL
 * and standard form skips every unmodified component, but always writes
 * MXCSR when RFBM[1] | RFBM[2].
 */
static void test_xsaveopt_modified_optimisation_skips_unmodified(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsave(m, a, 16384, 0xe7, XS_REX_W), XS_EXC_NONE);
	restore_then_poke(m, a, ET_ALL, false);
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_true(untouched(a, 0, 24));
	assert_int_equal(et_ld32(a, 24), 0x1fc0);
	assert_true(untouched(a, 32, 512));
	assert_true(untouched(a, 576, 2432));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0xe7);
	/* a component written since (or outside the XRSTOR's RFBM) is saved */
	xs_machine_wrote(m, XS_XFEATURE_MASK_OPMASK);
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(a[832], 0x5a);
	assert_true(untouched(a, 896, 2432));
	free(a);
	xs_machine_free(m);
}

/* §4.2: the modified optimisation needs the same linear address and CPL, and a standard-form XRSTOR. */
static void test_xsaveopt_modified_optimisation_needs_same_restore(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0), *b = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsave(m, a, 16384, 0xe7, XS_REX_W), XS_EXC_NONE);
	restore_then_poke(m, a, ET_ALL, false);
	assert_int_equal(xs_xsaveopt(m, b, 16384, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(b[576], 0x5a);		/* other address: saved */
	et_ctx(m)->cpl = 0;
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(a[576], 0x5a);		/* other CPL: saved */
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_xsavec(m, a, 16384, 0xe7, XS_REX_W), XS_EXC_NONE);
	restore_then_poke(m, a, ET_ALL, true);	/* compacted XRSTOR */
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(a[576], 0x5a);
	free(b);
	free(a);
	xs_machine_free(m);
}

/* §4.2 options: both optimisations off make XSAVEOPT write what XSAVE writes. */
static void test_xsaveopt_without_optimisations_writes_like_xsave(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = poisoned(0, 0), *b = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsaveopt(m, a, 16384, 0xe7, 0), XS_EXC_NONE);
	assert_true(untouched(a, 0, 24));	/* init optimisation: nothing in use */
	assert_true(untouched(a, 576, 2432));
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0), 0);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_MODIFIED_OPT, 0), 0);
	restore_then_poke(m, a, ET_ALL, false);
	assert_int_equal(xs_xsaveopt(m, a, 16384, 0xe7, 0), XS_EXC_NONE);
	assert_int_equal(xs_xsave(m, b, 16384, 0xe7, 0), XS_EXC_NONE);
	assert_memory_equal(a, b, 520);
	assert_memory_equal(a + 576, b + 576, 2432 - 576);
	free(b);
	free(a);
	xs_machine_free(m);
}

/* §11.4, §4.3: XSAVEC with XMM init but MXCSR != 1F80h saves SSE and sets XSTATE_BV[1]. */
static void test_xsavec_saves_sse_when_mxcsr_not_default(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	xs_machine_set_mxcsr(m, 0x1fc0);
	assert_int_equal(xs_xsavec(m, a, 16384, 0x3, 0), XS_EXC_NONE);
	assert_int_equal(et_ld32(a, 24), 0x1fc0);
	assert_int_equal(a[160], 0);
	assert_true(untouched(a, 0, 24));	/* x87 init: not written */
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x2);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | 0x3);
	free(a);
	xs_machine_free(m);
}

/* §11.5, §4.3: XSAVEC with RFBM = {AVX}: MXCSR never written; XCOMP_BV = 8000000000000004h. */
static void test_xsavec_avx_only_writes_no_mxcsr(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsavec(m, a, 16384, 0x4, 0), XS_EXC_NONE);
	assert_true(untouched(a, 0, 512));
	assert_int_equal(a[576], 0x5a);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x4);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), 0x8000000000000004ull);
	free(a);
	xs_machine_free(m);
}

/*
 * §11.6, §3: XSAVEC leaves header bytes 528-575 as they were; a compacted
 * XRSTOR of that area then faults on them.
 */
static void test_xsavec_leaves_reserved_header_so_xrstor_faults(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsavec(m, a, 16384, 0xe7, 0), XS_EXC_NONE);
	assert_true(untouched(a, 528, 576));
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_GP);
	memset(a + 528, 0, 48);
	assert_int_equal(xs_xrstor(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/* §4.3: XSAVEC with every requested component init writes only the two header words. */
static void test_xsavec_all_init_writes_only_header_words(void **state)
{
	xs_machine *m = et_machine(ZEN4, 3);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsavec(m, a, 16384, 0xe7, 0), XS_EXC_NONE);
	assert_true(untouched(a, 0, 512));
	assert_true(untouched(a, 528, 4096));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | 0xe7);
	free(a);
	xs_machine_free(m);
}

/* Emerald Rapids at CPL 0 with CET_U and CET_S in IA32_XSS. */
static xs_machine *cet_machine(void)
{
	xs_machine *m = et_machine(EMR, 0);

	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_CET_USER |
						  XS_XFEATURE_MASK_CET_KERNEL), XS_EXC_NONE);
	return m;
}

/*
 * §4.4: XSAVES saves supervisor components in the compacted format over
 * XCR0 | IA32_XSS; its modified optimisation needs XCOMP_BV = RFBM | bit
 * 63 exactly, and XSTATE_BV still comes from XINUSE.
 */
static void test_xsaves_supervisor_state_and_modified_optimisation(void **state)
{
	xs_machine *m = cet_machine();
	uint64_t rfbm = XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL;
	uint8_t *a = poisoned(0, 0);

	(void)state;
	et_st64(et_reg(m, XS_XFEATURE_CET_USER), 8, 0x7ff0);	/* PL3_SSP */
	et_st64(et_reg(m, XS_XFEATURE_CET_KERNEL), 0, 0x1000);	/* PL0_SSP */
	xs_machine_wrote(m, XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL);
	assert_int_equal(xs_xsaves(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, 576 + 8), 0x7ff0);
	assert_int_equal(et_ld64(a, 592), 0x1000);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), rfbm & ~XS_XFEATURE_MASK_FPSSE);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | rfbm);
	memset(a + 528, 0, 48);
	assert_int_equal(xs_xrstors(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	memset(a + 576, POISON, 40);
	assert_int_equal(xs_xsaves(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	assert_true(untouched(a, 576, 616));	/* unmodified: skipped */
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), rfbm & ~XS_XFEATURE_MASK_FPSSE);
	assert_int_equal(xs_xsaves(m, a, 16384, rfbm | XS_XFEATURE_MASK_YMM, 0), XS_EXC_NONE);
	assert_int_equal(a[832 + 8], 0xf0);	/* other RFBM: saved (CET_U after YMM) */
	free(a);
	xs_machine_free(m);
}

/* §4.4, §9: after saving, XSAVES clears IA32_RTIT_CTL.TraceEn; PT's reserved bytes are stored as 0. */
static void test_xsaves_clears_trace_en_and_zeroes_pt_reserved(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_PT), XS_EXC_NONE);
	et_reg(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR)[0] = 0x3;	/* TraceEn and another bit */
	xs_machine_wrote(m, XS_XFEATURE_MASK_PT);
	assert_int_equal(xs_xsaves(m, a, 16384, XS_XFEATURE_MASK_PT, 0), XS_EXC_NONE);
	assert_int_equal(a[576], 0x3);
	for (size_t i = 576 + 72; i < 576 + 128; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(et_reg(m, XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR)[0], 0x2);
	free(a);
	xs_machine_free(m);
}

/* §4.4: XSAVES stores only the first DEPTH LBR entries; the other bytes stay. */
static void test_xsaves_lbr_stores_depth_entries_only(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_LBR), XS_EXC_NONE);
	memset(et_reg(m, XS_XFEATURE_LBR), 0x11, et_len(m, XS_XFEATURE_LBR));
	et_st64(et_reg(m, XS_XFEATURE_LBR), 8, 8);	/* DEPTH = 8 */
	xs_machine_wrote(m, XS_XFEATURE_MASK_LBR);
	assert_int_equal(xs_xsaves(m, a, 16384, XS_XFEATURE_MASK_LBR, 0), XS_EXC_NONE);
	assert_int_equal(a[576 + 40 + 24 * 8 - 1], 0x11);
	assert_true(untouched(a, 576 + 40 + 24 * 8, 576 + 808));
	free(a);
	xs_machine_free(m);
}

/*
 * §11.18, §5.3: with XFD armed for TILEDATA, XSAVE writes its init image
 * and XSTATE_BV[18] = 0; XSAVEC writes nothing for it but keeps its slot.
 */
static void test_xfd_armed_component_saved_as_init(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = poisoned(0, 0);
	uint64_t amx = XS_XFEATURE_MASK_XTILE;
	size_t tiledata = xs_engine_offset(m, ET_CMP | amx | 3, XS_XFEATURE_XTILE_DATA);

	(void)state;
	et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x77);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_DATA), XS_EXC_NONE);
	assert_int_equal(xs_xsave(m, a, 16384, amx, 0), XS_EXC_NONE);
	assert_int_equal(a[2816], 0);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV) & amx, 0);
	memset(a, POISON, 16384);
	assert_int_equal(xs_xsavec(m, a, 16384, amx | 3, 0), XS_EXC_NONE);
	assert_int_equal(tiledata, 640);
	assert_true(untouched(a, tiledata, tiledata + 8192));
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | amx | 3);
	free(a);
	xs_machine_free(m);
}

/*
 * Bytes 0-511 and 576-`end` of an area as a save writes them for a
 * machine in its reset state (§7 init values: FCW 037Fh, MXCSR 1F80h,
 * MXCSR_MASK, zeros elsewhere), with 416-511 left as they were.
 */
static void assert_init_image(const xs_machine *m, const uint8_t *a, size_t end)
{
	assert_int_equal(et_ld32(a, 0) & 0xffff, 0x037f);
	for (size_t i = 2; i < 24; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(et_ld32(a, 24), 0x1f80);
	assert_int_equal(et_ld32(a, 28), xs_machine_trait(m, XS_TRAIT_MXCSR_MASK));
	for (size_t i = 32; i < 416; i++)
		assert_int_equal(a[i], 0);
	assert_true(untouched(a, 416, 512));
	for (size_t i = 576; i < end; i++)
		assert_int_equal(a[i], 0);
}

/*
 * SDM1 §13.6, §4.3: without the init optimisation XINUSE[i] is 1 for
 * every component, so XSAVEC writes every RFBM component although all are
 * init, and XSTATE_BV covers all of RFBM (Zen 4 compacted layout for E7h:
 * 2432 bytes, §9).
 */
static void test_xsavec_without_init_optimisation_writes_every_rfbm_component(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0), 0);
	assert_int_equal(xs_xsavec(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_init_image(m, a, 2432);
	assert_true(untouched(a, 2432, 4096));
	assert_true(untouched(a, 528, 576));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0xe7);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | 0xe7);
	/* RFBM decides: AVX only, and MXCSR does not travel without SSE (§4.3) */
	memset(a, POISON, 16384);
	assert_int_equal(xs_xsavec(m, a, 16384, 0x4, 0), XS_EXC_NONE);
	assert_true(untouched(a, 0, 512));
	for (size_t i = 576; i < 832; i++)
		assert_int_equal(a[i], 0);
	assert_true(untouched(a, 832, 2432));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x4);
	free(a);
	xs_machine_free(m);
}

/*
 * SDM1 §13.6, §4.4: XSAVES without the init optimisation writes every
 * RFBM component (CET_U at 576, CET_S at 592 after the legacy region) and
 * sets XSTATE_BV to RFBM; the modified optimisation still skips what an
 * XRSTORS of the same area left unchanged, XSTATE_BV still all of RFBM.
 */
static void test_xsaves_without_init_optimisation_writes_every_rfbm_component(void **state)
{
	xs_machine *m = cet_machine();
	uint64_t rfbm = XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL;
	uint8_t *a = poisoned(0, 0);

	(void)state;
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0), 0);
	assert_int_equal(xs_xsaves(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	assert_init_image(m, a, 576 + 16 + 24);
	assert_true(untouched(a, 616, 4096));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), rfbm);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), ET_CMP | rfbm);
	memset(a + 528, 0, 48);
	assert_int_equal(xs_xrstors(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	memset(a + 576, POISON, 40);
	assert_int_equal(xs_xsaves(m, a, 16384, rfbm, 0), XS_EXC_NONE);
	assert_true(untouched(a, 576, 616));	/* unmodified since the XRSTORS */
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), rfbm);
	free(a);
	xs_machine_free(m);
}

/*
 * SDM1 §13.6: with XINUSE all ones, XSAVE and XSAVEOPT report every RFBM
 * component in XSTATE_BV and XGETBV(1) returns XCR0 (§4.1, §4.2, §6).
 */
static void test_xsave_xsaveopt_and_xgetbv1_without_init_optimisation(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint8_t *a = poisoned(0x8000000000000000ull, 0);
	uint64_t v;

	(void)state;
	assert_int_equal(xs_xsetbv(m, 0, 0xe7), XS_EXC_NONE);
	et_ctx(m)->cpl = 3;
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v, 0);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0), 0);
	assert_int_equal(xs_xgetbv(m, 1, &v), XS_EXC_NONE);
	assert_int_equal(v, 0xe7);
	assert_int_equal(xs_xsave(m, a, 16384, 0x7, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0x8000000000000007ull);
	memset(a, POISON, 16384);
	et_st64(a, ET_XSTATE_BV, 0);
	assert_int_equal(xs_xsaveopt(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_init_image(m, a, 2432);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), 0xe7);
	free(a);
	xs_machine_free(m);
}

/*
 * §5.3 with the init optimisation off: an XFD-armed component is still
 * saved as init — XSTATE_BV[18] = 0, XSAVE writes its init image,
 * XSAVEC/XSAVES nothing — while TILECFG (init too) is written and reported.
 */
static void test_xfd_armed_component_stays_init_without_init_optimisation(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = poisoned(0, 0);
	uint64_t amx = XS_XFEATURE_MASK_XTILE;
	size_t cfg = xs_engine_offset(m, ET_CMP | amx | 3, XS_XFEATURE_XTILE_CFG);
	size_t data = xs_engine_offset(m, ET_CMP | amx | 3, XS_XFEATURE_XTILE_DATA);

	(void)state;
	et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x77);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XFD, XS_XFEATURE_MASK_XTILE_DATA), XS_EXC_NONE);
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_CET_USER), XS_EXC_NONE);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0), 0);
	assert_int_equal(xs_xsavec(m, a, 16384, amx | 3, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), XS_XFEATURE_MASK_XTILE_CFG | 3);
	for (size_t i = cfg; i < cfg + 64; i++)
		assert_int_equal(a[i], 0);
	assert_true(untouched(a, data, data + 8192));
	memset(a, POISON, 16384);
	assert_int_equal(xs_xsaves(m, a, 16384, amx | 3 | XS_XFEATURE_MASK_CET_USER, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), XS_XFEATURE_MASK_XTILE_CFG | XS_XFEATURE_MASK_CET_USER | 3);
	data = xs_engine_offset(m, ET_CMP | amx | 3 | XS_XFEATURE_MASK_CET_USER, XS_XFEATURE_XTILE_DATA);
	assert_int_equal(data, 704);	/* CET_U 576-591, TILECFG at 640 (aligned), TILEDATA 704 */
	assert_true(untouched(a, data, data + 8192));
	memset(a, POISON, 16384);
	assert_int_equal(xs_xsave(m, a, 16384, amx, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV) & amx, XS_XFEATURE_MASK_XTILE_CFG);
	assert_int_equal(a[2816], 0);
	assert_int_equal(a[2816 + 8191], 0);
	free(a);
	xs_machine_free(m);
}

/* §11.13, §2: outside 64-bit mode only XMM0-7 / YMM_H0-7 are saved; Hi16_ZMM never. */
static void test_outside_64bit_mode_saves_eight_registers(void **state)
{
	xs_machine *m = busy_zen4();
	uint8_t *a = poisoned(0, 0);

	(void)state;
	et_ctx(m)->long_mode = false;
	assert_int_equal(xs_xsave(m, a, 16384, 0xe7, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(a[160 + 127], 0x5a);
	assert_true(untouched(a, 160 + 128, 416));
	assert_int_equal(a[576 + 127], 0x5a);
	assert_true(untouched(a, 576 + 128, 832));
	assert_true(untouched(a, 896 + 256, 1408));
	assert_true(untouched(a, 1408, 2432));
	assert_int_equal(et_ld64(a, ET_XSTATE_BV) & XS_XFEATURE_MASK_Hi16_ZMM, 0);
	/* REX.W does not exist there: the 32-bit pointer form */
	assert_int_equal(et_ld32(a, 12), 0);
	free(a);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsave_avx_only_writes_mxcsr_not_x87_or_xmm),
		cmocka_unit_test(test_xsave_x87_only_leaves_mxcsr_and_reserved_bytes),
		cmocka_unit_test(test_xsave_writes_init_components),
		cmocka_unit_test(test_xsaveopt_modified_optimisation_skips_unmodified),
		cmocka_unit_test(test_xsaveopt_modified_optimisation_needs_same_restore),
		cmocka_unit_test(test_xsaveopt_without_optimisations_writes_like_xsave),
		cmocka_unit_test(test_xsavec_saves_sse_when_mxcsr_not_default),
		cmocka_unit_test(test_xsavec_avx_only_writes_no_mxcsr),
		cmocka_unit_test(test_xsavec_leaves_reserved_header_so_xrstor_faults),
		cmocka_unit_test(test_xsavec_all_init_writes_only_header_words),
		cmocka_unit_test(test_xsaves_supervisor_state_and_modified_optimisation),
		cmocka_unit_test(test_xsaves_clears_trace_en_and_zeroes_pt_reserved),
		cmocka_unit_test(test_xsaves_lbr_stores_depth_entries_only),
		cmocka_unit_test(test_xfd_armed_component_saved_as_init),
		cmocka_unit_test(test_xsavec_without_init_optimisation_writes_every_rfbm_component),
		cmocka_unit_test(test_xsaves_without_init_optimisation_writes_every_rfbm_component),
		cmocka_unit_test(test_xsave_xsaveopt_and_xgetbv1_without_init_optimisation),
		cmocka_unit_test(test_xfd_armed_component_stays_init_without_init_optimisation),
		cmocka_unit_test(test_outside_64bit_mode_saves_eight_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
