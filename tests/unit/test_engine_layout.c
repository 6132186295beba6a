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

#define EMR "intel-emerald-rapids.instlat.txt"
#define ZEN4 "amd-zen4.instlat.txt"

/*
 * §1.1, §11.7: on Emerald Rapids the compacted TILECFG follows the 8-byte
 * PKRU at the next multiple of 64 (2440 → 2496) and TILEDATA is aligned
 * too; XSAVEC writes them there.
 */
static void test_amx_compacted_components_are_64_byte_aligned(void **state)
{
	xs_machine *m = et_machine(EMR, 3);
	uint64_t xcomp = ET_CMP | m->xcr0;
	uint8_t *a = et_area(16384);

	(void)state;
	assert_int_equal(m->xcr0, 0x602e7);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_PKRU), 2432);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_XTILE_CFG), 2496);
	assert_int_equal(xs_engine_offset(m, xcomp, XS_XFEATURE_XTILE_DATA), 2560);
	assert_int_equal(xs_engine_compacted_size(m, m->xcr0), 10752);
	/* without PKRU TILECFG lands on 2432, already aligned */
	assert_int_equal(xs_engine_offset(m, xcomp & ~XS_XFEATURE_MASK_PKRU, XS_XFEATURE_XTILE_CFG), 2432);
	m->regs.tilecfg.palette_id = 1;
	et_dirty(m, XS_XFEATURE_XTILE_DATA, 0x3c);
	xs_machine_wrote(m, XS_XFEATURE_MASK_XTILE_CFG);
	assert_int_equal(xs_xsavec(m, a, 16384, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(a[2496], 1);
	assert_int_equal(a[2560], 0x3c);
	assert_int_equal(a[2560 + 8191], 0x3c);
	free(a);
	free(m);
}

/* §1.1: AMX's standard offsets come from CPUID (2752, 2816); the standard size is 11008. */
static void test_amx_standard_offsets_from_cpuid(void **state)
{
	xs_machine *m = et_machine(EMR, 3);

	(void)state;
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_XTILE_CFG), 2752);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_XTILE_DATA), 2816);
	assert_int_equal(xs_engine_standard_size(m, m->xcr0), 11008);
	free(m);
}

/*
 * §1.1: APX (component 19) sits at standard offset 960, below PKRU and
 * after AVX; the standard size is the furthest end (1088), and in the
 * compacted format it follows AVX at 832.
 */
static void test_apx_at_standard_offset_960(void **state)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_machine *m;
	uint8_t *a = et_area(4096);

	(void)state;
	et_cpu_apx(cpu);
	m = et_machine_of(cpu, 3);
	assert_int_equal(m->xcr0, 0x80007);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_APX), 960);
	assert_int_equal(xs_engine_standard_size(m, m->xcr0), 1088);
	assert_int_equal(xs_engine_offset(m, ET_CMP | m->xcr0, XS_XFEATURE_APX), 832);
	assert_int_equal(xs_engine_compacted_size(m, m->xcr0), 960);
	m->regs.apx[15] = 0x1122334455667788ull;
	xs_machine_wrote(m, XS_XFEATURE_MASK_APX);
	assert_int_equal(xs_xsave(m, a, 1088, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(et_ld64(a, 960 + 120), 0x1122334455667788ull);
	assert_int_equal(et_ld64(a, ET_XSTATE_BV), XS_XFEATURE_MASK_APX);
	assert_int_equal(xs_xsave(m, a, 1087, ET_ALL, 0), XS_EXC_PF);
	free(a);
	free(m);
	free(cpu);
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
	free(m);
}

/* §1.1: Zen 2 has a 64-byte PKRU at 832; the engine keeps all 64 bytes. */
static void test_zen2_pkru_is_64_bytes(void **state)
{
	xs_machine *m = et_machine("amd-zen2-rome.plain.txt", 3);
	uint8_t *a = et_area(4096);

	(void)state;
	assert_int_equal(m->cpu.size[XS_XFEATURE_PKRU], 64);
	assert_int_equal(xs_engine_offset(m, 0, XS_XFEATURE_PKRU), 832);
	memset(a + 832, 0x5c, 64);
	et_st32(a, 24, 0x1f80);
	et_st64(a, ET_XSTATE_BV, XS_XFEATURE_MASK_PKRU);
	assert_int_equal(xs_xrstor(m, a, 896, ET_ALL, 0), XS_EXC_NONE);
	assert_int_equal(m->regs.pkru.pkru, 0x5c5c5c5c);
	assert_int_equal(m->regs.pkru.unused[59], 0x5c);
	free(a);
	free(m);
}

/* §1.1: components the engine cannot hold (AMD LWP, bit 62) are left out of the model. */
static void test_unmodelled_components_are_not_enabled(void **state)
{
	xs_machine *m = et_machine("amd-bulldozer-interlagos.instlat.txt", 0);

	(void)state;
	assert_int_equal(m->cpu.unmodelled, XS_BIT(62));
	assert_int_equal(m->cpu.xcr0_supported, 0x7);
	assert_int_equal(xs_xsetbv(m, 0, XS_BIT(62) | 0x7), XS_EXC_GP);
	free(m);
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
		xs_machine *m;
		uint32_t r[4];
		xs_cpu *cpu;

		if (e->d_name[0] == '.' || !strstr(e->d_name, ".txt"))
			continue;
		cpu = malloc(sizeof(*cpu));
		xt_load_cpu(cpu, e->d_name);
		m = et_machine_of(cpu, 3);
		xs_cpuid(cpu, 0xd, 0, r);
		if (m->cpu.xsave && !m->cpu.unmodelled) {
			if (xs_engine_standard_size(m, m->cpu.xcr0_supported) != r[2])
				fail_msg("%s: engine %zu, CPUID 0xD.0 ECX %u", e->d_name,
					 xs_engine_standard_size(m, m->cpu.xcr0_supported), r[2]);
			checked++;
		}
		free(m);
		free(cpu);
	}
	closedir(d);
	assert_true(checked >= 20);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
