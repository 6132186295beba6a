// SPDX-License-Identifier: MIT
/*
 * Layouts on CPUs other than this one (xsave-isa.md §1, §4.3, §9, §11.7):
 * AMX's 64-byte aligned compacted components, APX at standard offset 960,
 * Zen 4 with CET, Zen 2's 64-byte PKRU, and every fixture's standard size
 * against its own CPUID.
 */
#include <dirent.h>
#include <stdio.h>

#include "engine_util.h"
#include "engine/machine.h"	/* XCR0 written into the machine, past XSETBV */

#define EMR "intel-emerald-rapids.instlat.txt"
#define ZEN4 "amd-zen4.instlat.txt"
#define HASWELL "intel-haswell.instlat.txt"

/*
 * §1.1, §11.7: on Emerald Rapids the compacted TILECFG follows the 8-byte
 * PKRU at the next multiple of 64 (2440 → 2496) and TILEDATA is aligned
 * too; XSAVEC writes them there.
 */
static void test_amx_compacted_components_are_64_byte_aligned(void **state)
{
	xs_machine *m = et_machine(EMR, 3);
	uint64_t xcomp = ET_CMP | xs_machine_xcr0(m);
	uint8_t *a = et_area(16384);

	(void)state;
	assert_int_equal(xs_machine_xcr0(m), 0x602e7);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_PKRU), 2432);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_XTILE_CFG), 2496);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_XTILE_DATA), 2560);
	assert_int_equal(xs_engine_compacted_size(m, xs_machine_xcr0(m)), 10752);
	/* without PKRU TILECFG lands on 2432, already aligned */
	assert_int_equal(xs_engine_offset(m, xcomp & ~XS_XFEATURE_MASK_PKRU, XS_XFEATURE_XTILE_CFG), 2432);
	et_tilecfg(m)->palette_id = 1;
	et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x3c);
	xs_machine_wrote(m, XS_XFEATURE_MASK_XTILE_CFG);
	assert_int_equal(xs_xsavec(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(a[2496], 1);
	assert_int_equal(a[2560], 0x3c);
	assert_int_equal(a[2560 + 8191], 0x3c);
	free(a);
	xs_machine_free(m);
}

/* §1.1: AMX's standard offsets come from CPUID (2752, 2816); the standard size is 11008. */
static void test_amx_standard_offsets_from_cpuid(void **state)
{
	xs_machine *m = et_machine(EMR, 3);

	(void)state;
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_XTILE_CFG), 2752);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_XTILE_DATA), 2816);
	assert_int_equal(xs_engine_standard_size(m, xs_machine_xcr0(m)), 11008);
	xs_machine_free(m);
}

/*
 * §1.1: APX (component 19) sits at standard offset 960, below PKRU and
 * after AVX; the standard size is the furthest end (1088), and in the
 * compacted format it follows AVX at 832.
 */
static void test_apx_at_standard_offset_960(void **state)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_machine *m;
	uint8_t *a = et_area(4096);

	(void)state;
	et_cpu_apx(cpu);
	m = et_machine_of(cpu, 3);
	assert_int_equal(xs_machine_xcr0(m), 0x80007);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_APX), 960);
	assert_int_equal(xs_engine_standard_size(m, xs_machine_xcr0(m)), 1088);
	assert_int_equal(xs_engine_offset(m, ET_CMP | xs_machine_xcr0(m), XS_XFEATURE_APX), 832);
	assert_int_equal(xs_engine_compacted_size(m, xs_machine_xcr0(m)), 960);
	et_st64(et_reg(m, XS_XFEATURE_APX), 8 * 15, 0x1122334455667788ull);	/* R31 */
	xs_machine_wrote(m, XS_XFEATURE_MASK_APX);
	assert_int_equal(xs_xsave(m, a, 1088, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, 960 + 120), 0x1122334455667788ull);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), XS_XFEATURE_MASK_APX);
	assert_int_equal(xs_xsave(m, a, 1087, ET_ALL, 0), XS_EXC_PF);
	free(a);
	xs_machine_free(m);
	xs_cpu_free(cpu);
}

/* §9: Zen 4 with XCR0 = E7h and XSS = CET_U | CET_S: CET_U at 2432, CET_S at 2448, 2472 in all. */
static void test_zen4_compacted_layout_with_cet(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0);
	uint64_t all = 0xe7 | XS_XFEATURE_MASK_CET_USER | XS_XFEATURE_MASK_CET_KERNEL;

	(void)state;
	assert_int_equal(xs_engine_offset(m, ET_CMP | all, XS_XFEATURE_ZMM_Hi256), 896);
	assert_int_equal(xs_engine_offset(m, ET_CMP | all, XS_XFEATURE_Hi16_ZMM), 1408);
	assert_int_equal(xs_engine_offset(m, ET_CMP | all, XS_XFEATURE_CET_USER), 2432);
	assert_int_equal(xs_engine_offset(m, ET_CMP | all, XS_XFEATURE_CET_KERNEL), 2448);
	assert_int_equal(xs_engine_compacted_size(m, all), 2472);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_CET_USER), 0);	/* no standard place */
	xs_machine_free(m);
}

/* §1.1: Zen 2 has a 64-byte PKRU at 832; the engine keeps all 64 bytes. */
static void test_zen2_pkru_is_64_bytes(void **state)
{
	xs_machine *m = et_machine("amd-zen2-rome.plain.txt", 3);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_int_equal(et_size(m, XS_XFEATURE_PKRU), 64);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_PKRU), 832);
	memset(a + 832, 0x5c, 64);
	et_st32(a, 24, 0x1f80);
	et_st64(a, ET_XSTATE_BV, XS_XFEATURE_MASK_PKRU);
	assert_int_equal(xs_xrstor(m, a, 896, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_ld32(et_reg(m, XS_XFEATURE_PKRU), 0), 0x5c5c5c5c);
	assert_int_equal(et_reg(m, XS_XFEATURE_PKRU)[63], 0x5c);
	free(a);
	xs_machine_free(m);
}

/* §1.1: components the engine cannot hold (AMD LWP, bit 62) are left out of the model. */
static void test_unmodelled_components_are_not_enabled(void **state)
{
	xs_machine *m = et_machine("amd-bulldozer-interlagos.instlat.txt", 0);

	(void)state;
	assert_int_equal(xs_machine_cpu_info(m)->unmodelled, XS_BIT(62));
	assert_int_equal(xs_machine_cpu_info(m)->xcr0_supported, 0x7);
	assert_int_equal(xs_xsetbv(m, 0, XS_BIT(62) | 0x7), XS_EXC_GP);
	xs_machine_free(m);
}

/*
 * §1.2: CPUID 0Dh.0 ECX is the standard size with every supported XCR0
 * bit on — the engine's layout must agree on every fixture it models fully.
 */
static void test_standard_size_matches_cpuid_on_every_fixture(void **state)
{
	char path[1024];
	DIR *d = opendir(xt_data_path("cpuid", path, sizeof(path)));
	struct dirent *e;
	unsigned checked = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		const struct xs_engine_cpu_info *c;
		xs_machine *m;
		uint32_t r[4];
		xs_cpu *cpu;

		if (e->d_name[0] == '.' || !strstr(e->d_name, ".txt"))
			continue;
		cpu = xs_cpu_new();
		xt_load_cpu(cpu, e->d_name);
		m = et_machine_of(cpu, 3);
		c = xs_machine_cpu_info(m);
		/* no leaf 0xD in the dump (leaf 0 stops below it, as QEMU's Nehalem): no oracle */
		if (xs_cpuid(cpu, 0xd, 0, r) && c->xsave && !c->unmodelled) {
			if (xs_engine_standard_size(m, c->xcr0_supported) != r[2])
				fail_msg("%s: engine %zu, CPUID 0xD.0 ECX %u", e->d_name,
					 xs_engine_standard_size(m, c->xcr0_supported), r[2]);
			checked++;
		}
		xs_machine_free(m);
		xs_cpu_free(cpu);
	}
	closedir(d);
	assert_true(checked >= 20);
}

/* The compacted offset of component nr for XCOMP_BV `format` (§1.1), from CPUID sizes and alignment. */
static size_t compacted_offset(const xs_machine *m, uint64_t format, unsigned nr)
{
	size_t at = 576;

	for (unsigned i = 2; i < nr; i++) {
		if (!(format & XS_BIT(i)))
			continue;
		if (et_flags(m, i) & 2)
			at = (at + 63) & ~(size_t)63;
		at += et_size(m, i);
	}
	return et_flags(m, nr) & 2 ? (at + 63) & ~(size_t)63 : at;
}

/* Component nr's first and last byte hold `pattern` at `at` in area a. */
static void assert_component_at(const xs_machine *m, const uint8_t *a, size_t at, unsigned nr, unsigned pattern)
{
	assert_int_equal(a[at], pattern);
	assert_int_equal(a[at + et_size(m, nr) - 1], pattern);
}

/*
 * The engine keeps a few layouts per machine (struct xs_engine_plans);
 * with more formats in use than it keeps, every XSAVEC and XSAVE still
 * puts each component where CPUID says (0Dh.i EBX; sizes and 64-byte
 * alignment for the compacted form, §1.1), and XRSTOR of the compacted
 * image loads each from there — on a second pass too, after the first
 * layouts were evicted.
 */
static void test_every_format_lands_at_its_cpuid_offsets_however_many_are_in_use(void **state)
{
	static const uint64_t rfbms[] = { 0x602e7, 0x7, 0x3, 0x4, 0xe0, 0x20, 0x40, 0x80,
					  0x60004, 0x40007, 0x602e0, 0x84, 0x400a7 };
	const uint64_t not_patterned = XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_PKRU | XS_XFEATURE_MASK_XTILE_CFG;
	xs_machine *m = et_machine(EMR, 0), *back = et_machine(EMR, 0);
	uint8_t *a = et_area(16384), *b = et_area(16384);

	(void)state;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (xs_machine_xcr0(m) & ~not_patterned & XS_BIT(nr))
			et_dirty(m, nr, (uint8_t)(0x40 + nr));
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < sizeof(rfbms) / sizeof(rfbms[0]); i++) {
			uint64_t rfbm = rfbms[i], ext = rfbm & ~not_patterned;

			memset(a, 0xee, 16384);
			assert_int_equal(xs_xsavec(m, a, 16384, rfbm, XS_REX_W), XS_EXC_NONE);
			assert_int_equal(et_ld64(a, ET_XCOMP_BV), rfbm | ET_CMP);
			for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
				if (ext & XS_BIT(nr))
					assert_component_at(m, a, compacted_offset(m, rfbm, nr), nr, 0x40 + nr);
			/*
			 * Back through XRSTOR of the compacted image (its reserved
			 * header bytes zero, §3), out through the standard form.
			 */
			memset(a + 528, 0, 48);
			assert_int_equal(xs_xrstor(back, a, 16384, rfbm, XS_REX_W), XS_EXC_NONE);
			memset(b, 0xee, 16384);
			assert_int_equal(xs_xsave(back, b, 16384, rfbm, XS_REX_W), XS_EXC_NONE);
			for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
				if (ext & XS_BIT(nr))
					assert_component_at(m, b, et_offset(m, nr), nr, 0x40 + nr);
		}
	}
	free(a);
	free(b);
	xs_machine_free(back);
	xs_machine_free(m);
}

/*
 * RFBM is EDX:EAX & XCR0 (§4): a save after XCR0 changed — by XSETBV or
 * written into the machine — uses the new mask's layout, not one the
 * engine built for the old XCR0: XCOMP_BV, and #PF exactly below the new
 * compacted size.
 */
static void test_a_save_after_xcr0_changed_uses_the_new_layout(void **state)
{
	xs_machine *m = et_machine(EMR, 0);
	uint8_t *a = et_area(16384);

	(void)state;
	assert_int_equal(xs_xsavec(m, a, 10752, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_xsavec(m, a, 10751, ET_ALL, XS_REX_W), XS_EXC_PF);
	assert_int_equal(xs_xsetbv(m, 0, 0x7), XS_EXC_NONE);
	assert_int_equal(xs_xsavec(m, a, 832, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), 0x7 | ET_CMP);
	assert_int_equal(xs_xsavec(m, a, 831, ET_ALL, XS_REX_W), XS_EXC_PF);
	m->xcr0 = 0x2e7;	/* AVX-512 and PKRU: compacted 2432 + 8, PKRU's standard offset 2688 */
	assert_int_equal(xs_xsavec(m, a, 2440, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, ET_XCOMP_BV), 0x2e7 | ET_CMP);
	assert_int_equal(xs_xsavec(m, a, 2439, ET_ALL, XS_REX_W), XS_EXC_PF);
	assert_int_equal(xs_xsave(m, a, 2695, ET_ALL, XS_REX_W), XS_EXC_PF);
	assert_int_equal(xs_xsave(m, a, 2696, ET_ALL, XS_REX_W), XS_EXC_NONE);
	free(a);
	xs_machine_free(m);
}

/*
 * A machine is a plain value: a copy (xs_machine_copy) saves its own
 * registers, not the original's, though the copy took the layouts the
 * original had built.
 */
static void test_a_copied_machine_saves_its_own_registers(void **state)
{
	xs_machine *m = et_machine(ZEN4, 0), *copy = et_machine(HASWELL, 3);
	uint8_t *a = et_area(4096), *b = et_area(4096);

	(void)state;
	assert_non_null(copy);
	et_dirty_all(m, 0x11);
	assert_int_equal(xs_xsave(m, a, 4096, ET_ALL, XS_REX_W), XS_EXC_NONE);
	xs_machine_copy(copy, m);
	et_dirty_all(copy, 0x22);
	assert_int_equal(xs_xsave(copy, b, 4096, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_xsave(m, a, 4096, ET_ALL, XS_REX_W), XS_EXC_NONE);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (xs_machine_xcr0(m) & XS_BIT(nr) && nr != XS_XFEATURE_PKRU) {
			assert_component_at(m, a, et_offset(m, nr), nr, 0x11);
			assert_component_at(m, b, et_offset(m, nr), nr, 0x22);
		}
	free(a);
	free(b);
	xs_machine_free(copy);
	xs_machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amx_compacted_components_are_64_byte_aligned),
		cmocka_unit_test(test_amx_standard_offsets_from_cpuid),
		cmocka_unit_test(test_apx_at_standard_offset_960),
		cmocka_unit_test(test_zen4_compacted_layout_with_cet),
		cmocka_unit_test(test_zen2_pkru_is_64_bytes),
		cmocka_unit_test(test_unmodelled_components_are_not_enabled),
		cmocka_unit_test(test_standard_size_matches_cpuid_on_every_fixture),
		cmocka_unit_test(test_every_format_lands_at_its_cpuid_offsets_however_many_are_in_use),
		cmocka_unit_test(test_a_save_after_xcr0_changed_uses_the_new_layout),
		cmocka_unit_test(test_a_copied_machine_saves_its_own_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
