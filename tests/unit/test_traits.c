// SPDX-License-Identifier: MIT
/*
 * The microarchitecture traits table (src/engine/traits.c): which row a
 * CPU gets from its vendor, family and model — Zen 3, Zen 4 and Zen 5 by
 * the model ranges Linux's bsp_init_amd() gives X86_FEATURE_ZEN3/4/5 —
 * the values the machine then runs with, and that every value of every
 * fixture's row names where it comes from. Fixtures only: nothing here
 * reads the live CPU.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>

#include "engine_util.h"
#include "engine/machine.h"	/* a trait reaches the field the engine reads */

/* A CPU's row of the table, read through xs_traits_row() and xs_traits_value(). */
struct row {
	const char *row;
	struct xs_trait_value v[XS_TRAIT_COUNT];
};

static void row_of(const xs_cpu *cpu, struct row *t)
{
	t->row = xs_traits_row(cpu);
	for (unsigned i = 0; i < XS_TRAIT_COUNT; i++)
		assert_int_equal(xs_traits_value(cpu, (enum xs_trait)i, &t->v[i]), 0);
}

static void traits_of(const char *fixture, struct row *t)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));

	assert_non_null(cpu);
	xt_load_cpu(cpu, fixture);
	row_of(cpu, t);
	free(cpu);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The pointer width CPUID does not report: 48 on Zen 3, 57 on Zen 4 and Zen 5, 64 by the SDM. */
static void test_pointer_width_by_microarchitecture(void **state)
{
	static const struct {
		const char *fixture, *row;
		unsigned bits;
		enum xs_provenance p;
	} cases[] = {
		{ "amd-zen3-milan.instlat.txt", "AMD Zen 3", 48, XS_PROVENANCE_MEASURED },	/* 19h/01h */
		{ "amd-zen3.instlat.txt", "AMD Zen 3", 48, XS_PROVENANCE_MEASURED },		/* 19h/21h */
		{ "amd-zen3-vm.cpuid-r.txt", "AMD Zen 3", 48, XS_PROVENANCE_MEASURED },
		{ "amd-zen4.instlat.txt", "AMD Zen 4", 57, XS_PROVENANCE_MEASURED },		/* 19h/11h */
		{ "amd-zen4-vm.cpuid-r.txt", "AMD Zen 4", 57, XS_PROVENANCE_MEASURED },
		{ "amd-zen5-turin.instlat.txt", "AMD Zen 5", 57, XS_PROVENANCE_MEASURED },	/* 1Ah/02h */
		{ "amd-zen5-strix-point.instlat.txt", "AMD Zen 5", 57, XS_PROVENANCE_MEASURED },	/* 1Ah/24h */
		{ "amd-zen5-granite-ridge.instlat.txt", "AMD Zen 5", 57, XS_PROVENANCE_MEASURED },	/* 1Ah/44h */
		{ "amd-zen2-rome.plain.txt", "AMD and Hygon", 48, XS_PROVENANCE_ASSUMED },	/* 17h */
		{ "hygon-dhyana.instlat.txt", "AMD and Hygon", 48, XS_PROVENANCE_ASSUMED },
		{ "intel-sapphire-rapids-ws.instlat.txt", "Intel", 64, XS_PROVENANCE_DOCUMENTED },
		{ "intel-haswell.instlat.txt", "Intel", 64, XS_PROVENANCE_DOCUMENTED },
		{ "zhaoxin-kx-6000.instlat.txt", "Zhaoxin, Centaur", 64, XS_PROVENANCE_ASSUMED },
		{ "centaur-cns.instlat.txt", "Zhaoxin, Centaur", 64, XS_PROVENANCE_ASSUMED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct row t;

		traits_of(cases[i].fixture, &t);
		if (!starts_with(t.row, cases[i].row))
			fail_msg("%s: row '%s', expected '%s…'", cases[i].fixture, t.row, cases[i].row);
		assert_int_equal(t.v[XS_TRAIT_X87_PTR_BITS].value, cases[i].bits);
		assert_int_equal(t.v[XS_TRAIT_X87_PTR_BITS].provenance, cases[i].p);
	}
}

/*
 * AMD: the pointers need a pending exception (APM Vol. 4 FXSAVE; measured
 * on Zen 3, 4, 5), AC rules measured; Intel: the SDM's — saved
 * unconditionally, the #AC widths assumed from Bochs.
 */
static void test_vendor_rules_and_their_provenance(void **state)
{
	struct row zen3, intel;

	(void)state;
	traits_of("amd-zen3-milan.instlat.txt", &zen3);
	traits_of("intel-emerald-rapids.instlat.txt", &intel);
	assert_int_equal(zen3.v[XS_TRAIT_X87_PTRS_NEED_EXCEPTION].value, 1);
	assert_int_equal(zen3.v[XS_TRAIT_FX_AC_ALIGN].value, 4);
	assert_int_equal(zen3.v[XS_TRAIT_XSAVE_AC_ALIGN].value, 0);
	assert_int_equal(zen3.v[XS_TRAIT_MXCSR_MASK].value, 0x2ffff);
	assert_int_equal(zen3.v[XS_TRAIT_XINUSE_BY_VALUE].provenance, XS_PROVENANCE_MEASURED);
	assert_int_equal(intel.v[XS_TRAIT_X87_PTRS_NEED_EXCEPTION].value, 0);
	assert_int_equal(intel.v[XS_TRAIT_X87_PTRS_NEED_EXCEPTION].provenance, XS_PROVENANCE_DOCUMENTED);
	assert_int_equal(intel.v[XS_TRAIT_MXCSR_MASK].value, 0xffff);
	assert_int_equal(intel.v[XS_TRAIT_XSAVE_AC_ALIGN].provenance, XS_PROVENANCE_ASSUMED);
	assert_int_equal(intel.v[XS_TRAIT_XINUSE_BY_VALUE].provenance, XS_PROVENANCE_ASSUMED);
	/* no Intel value is measured: none has been */
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++)
		assert_int_not_equal(intel.v[t].provenance, XS_PROVENANCE_MEASURED);
}

/* FCS/FDS follow CPUID.7.0:EBX[13]: 1 on Haswell, 0 on Sandy Bridge (SDM1 §8.1.8). */
static void test_fcs_fds_follow_cpuid(void **state)
{
	struct row hsw, snb;

	(void)state;
	traits_of("intel-haswell.instlat.txt", &hsw);
	traits_of("intel-sandy-bridge.plain.txt", &snb);
	assert_int_equal(hsw.v[XS_TRAIT_FCS_FDS_ZERO].value, 1);
	assert_int_equal(snb.v[XS_TRAIT_FCS_FDS_ZERO].value, 0);
}

/* A Zen 3 model number outside Zen 3's ranges is not Zen 3: 19h/10h is Zen 4. */
static void test_model_ranges_decide(void **state)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	struct row t;
	uint32_t r[4];

	(void)state;
	assert_non_null(cpu);
	xt_load_cpu(cpu, "amd-zen3-milan.instlat.txt");
	assert_true(xs_cpuid(cpu, 1, 0, r));
	/* family 19h (base F, extended 0Ah), model 10h (extended 1, base 0) */
	xs_cpu_set_leaf(cpu, 1, 0, (r[0] & ~0x000f00f0u) | 0x00010000u, r[1], r[2], r[3]);
	xs_cpu_finish(cpu);
	assert_int_equal(cpu->model, 0x10);
	row_of(cpu, &t);
	assert_true(starts_with(t.row, "AMD Zen 4"));
	assert_int_equal(t.v[XS_TRAIT_X87_PTR_BITS].value, 57);
	/* no such trait: refused */
	assert_int_equal(xs_traits_value(cpu, XS_TRAIT_COUNT, &t.v[0]), -EINVAL);
	free(cpu);
}

static bool has_year(const char *s)
{
	for (; *s; s++)
		if (s[0] == '2' && s[1] == '0' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9')
			return true;
	return false;
}

/*
 * Every fixture's row: every value is one the engine takes, the machine
 * runs with exactly the row's values, every source is said, a measured
 * one names its date and an assumed one says so.
 */
static void check_fixture(const char *name)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_machine *m = NULL;
	struct row t;

	assert_non_null(cpu);
	xt_load_cpu(cpu, name);
	row_of(cpu, &t);
	assert_non_null(t.row);
	if (xs_machine_new(&m, cpu) == 0)
		for (unsigned i = 0; i < XS_TRAIT_COUNT; i++) {
			const struct xs_trait_value *v = &t.v[i];

			if (xs_machine_trait(m, (enum xs_trait)i) != v->value)
				fail_msg("%s: %s runs with 0x%llx, the row says 0x%llx", name,
					 xs_trait_name((enum xs_trait)i),
					 (unsigned long long)xs_machine_trait(m, (enum xs_trait)i),
					 (unsigned long long)v->value);
			assert_int_equal(xs_machine_set_trait(m, (enum xs_trait)i, v->value), 0);
			assert_non_null(v->source);
			assert_true(strlen(v->source) > 10);
			if (v->provenance == XS_PROVENANCE_MEASURED && !has_year(v->source))
				fail_msg("%s: measured %s without a date: %s", name, xs_trait_name((enum xs_trait)i),
					 v->source);
			if (v->provenance == XS_PROVENANCE_ASSUMED && !strstr(v->source, "assumed"))
				fail_msg("%s: assumed %s not flagged: %s", name, xs_trait_name((enum xs_trait)i),
					 v->source);
		}
	xs_machine_free(m);
	free(cpu);
}

static void test_every_fixture_row_is_valid_and_sourced(void **state)
{
	char dir[4096];
	struct dirent **names;
	int n, checked = 0;

	(void)state;
	n = scandir(xt_data_path("cpuid", dir, sizeof(dir)), &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 4 && !strcmp(names[i]->d_name + len - 4, ".txt") && strcmp(names[i]->d_name, "README.md")) {
			check_fixture(names[i]->d_name);
			checked++;
		}
		free(names[i]);
	}
	free(names);
	assert_true(checked >= 40);
}

/* Names round-trip; values the engine cannot model are refused and change nothing. */
static void test_names_and_refused_values(void **state)
{
	xs_machine *m = et_machine("amd-zen4.instlat.txt", 3);
	static const struct {
		enum xs_trait t;
		uint64_t bad;
	} refused[] = {
		{ XS_TRAIT_X87_PTR_BITS, 31 }, { XS_TRAIT_X87_PTR_BITS, 65 },
		{ XS_TRAIT_X87_PTRS_NEED_EXCEPTION, 2 }, { XS_TRAIT_FX_AC_ALIGN, 3 },
		{ XS_TRAIT_FX_AC_ALIGN, 32 }, { XS_TRAIT_XSAVE_AC_ALIGN, 128 },
		{ XS_TRAIT_MXCSR_MASK, 0xff00 }, { XS_TRAIT_MXCSR_MASK, UINT64_C(1) << 32 },
		{ XS_TRAIT_COUNT, 0 },
	};

	(void)state;
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++) {
		assert_non_null(xs_trait_name((enum xs_trait)t));
		assert_non_null(xs_trait_description((enum xs_trait)t));
		assert_int_equal(xs_trait_by_name(xs_trait_name((enum xs_trait)t)), (int)t);
	}
	assert_int_equal(xs_trait_by_name("x87_ptr_width"), -1);
	assert_null(xs_trait_name(XS_TRAIT_COUNT));
	assert_string_equal(xs_provenance_name(XS_PROVENANCE_ASSUMED), "assumed");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		uint64_t before = xs_machine_trait(m, refused[i].t);

		assert_int_equal(xs_machine_set_trait(m, refused[i].t, refused[i].bad), -EINVAL);
		assert_int_equal(xs_machine_trait(m, refused[i].t), before);
	}
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_X87_PTR_BITS, 48), 0);
	assert_int_equal(m->impl.x87_ptr_bits, 48);
	assert_int_equal(xs_machine_set_trait(m, XS_TRAIT_MXCSR_MASK, 0xffbf), 0);
	assert_int_equal(m->mxcsr_mask, 0xffbf);
	xs_machine_free(m);
}

/*
 * Reading the pointer width off a probe: Zen 3's readback of
 * 0x00ab800000001000 (0xffff800000001000, measured) is 48 bits; 57- and
 * 64-bit keepers are told apart by the other patterns; a CPU that
 * zero-extended would fit no width.
 */
static void test_pointer_width_read_off_a_probe(void **state)
{
	static const uint64_t w[] = { 0x00ab800000001000ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
				      0x0100000000001000ull };
	static const uint64_t zen3[] = { 0xffff800000001000ull, 0x0000555555555555ull, 0xffffaaaaaaaaaaaaull,
					 0x0000000000001000ull };
	static const uint64_t zen4[] = { 0x00ab800000001000ull, 0xff55555555555555ull, 0x00aaaaaaaaaaaaaaull,
					 0xff00000000001000ull };
	static const uint64_t zext48[] = { 0x0000800000001000ull, 0x0000555555555555ull, 0x0000aaaaaaaaaaaaull,
					   0x0000000000001000ull };

	(void)state;
	assert_int_equal(xs_trait_ptr_bits_seen(w, zen3, 4), 48);
	assert_int_equal(xs_trait_ptr_bits_seen(w, zen4, 4), 57);
	assert_int_equal(xs_trait_ptr_bits_seen(w, w, 4), 64);
	assert_int_equal(xs_trait_ptr_bits_seen(w, zext48, 4), 0);
	assert_int_equal(xs_trait_ptr_bits_seen(w, zen3, 0), 0);
}

/* Reading the #AC alignment off a probe: Zen 3/4 FXSAVE gives 4, their XSAVE 0. */
static void test_ac_alignment_read_off_a_probe(void **state)
{
	static const size_t off[] = { 1, 2, 3, 4, 8, 12 };
	const enum xs_exception ac = XS_EXC_AC, gp = XS_EXC_GP;
	const enum xs_exception fx_zen[] = { ac, ac, ac, gp, gp, gp };
	const enum xs_exception all_gp[] = { gp, gp, gp, gp, gp, gp };
	const enum xs_exception all_ac[] = { ac, ac, ac, ac, ac, ac };
	const enum xs_exception odd_only[] = { ac, gp, ac, gp, gp, gp };
	const enum xs_exception nonsense[] = { gp, ac, ac, ac, gp, gp };
	const enum xs_exception no_fault[] = { ac, ac, ac, XS_EXC_NONE, gp, gp };

	(void)state;
	assert_int_equal(xs_trait_ac_align_seen(off, fx_zen, 6), 4);
	assert_int_equal(xs_trait_ac_align_seen(off, all_gp, 6), 0);
	assert_int_equal(xs_trait_ac_align_seen(off, all_ac, 6), 16);
	assert_int_equal(xs_trait_ac_align_seen(off, odd_only, 6), 2);
	assert_int_equal(xs_trait_ac_align_seen(off, nonsense, 6), -1);
	assert_int_equal(xs_trait_ac_align_seen(off, no_fault, 6), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointer_width_by_microarchitecture),
		cmocka_unit_test(test_vendor_rules_and_their_provenance),
		cmocka_unit_test(test_fcs_fds_follow_cpuid),
		cmocka_unit_test(test_model_ranges_decide),
		cmocka_unit_test(test_every_fixture_row_is_valid_and_sourced),
		cmocka_unit_test(test_names_and_refused_values),
		cmocka_unit_test(test_pointer_width_read_off_a_probe),
		cmocka_unit_test(test_ac_alignment_read_off_a_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
