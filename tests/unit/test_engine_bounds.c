// SPDX-License-Identifier: MIT
/*
 * The engine never reads or writes outside the buffer it is given: every
 * instruction runs on buffers of every length around the size it needs,
 * each allocated with exactly that length, so the sanitizer build catches
 * a single byte out of bounds. Below the size the instruction may touch
 * the result is the page-fault-like XS_EXC_PF, from that size on it
 * completes (xsave-isa.md §4 memory-access rule).
 */
#include "engine_util.h"

struct sweep {
	enum xs_insn insn;
	uint64_t rfbm;
	const uint8_t *image;	/* initial contents (a valid image for restores) */
	size_t need;
};

static void run_one(const xs_machine *m, const struct sweep *s, size_t len, xs_machine *scratch)
{
	uint8_t *buf = NULL;
	struct xs_insn_args a = { .insn = s->insn, .edx_eax = s->rfbm, .flags = XS_REX_W, .len = len };
	enum xs_exception e;

	assert_int_equal(posix_memalign((void **)&buf, 64, len ? len : 1), 0);
	memcpy(buf, s->image, len < s->need + 64 ? len : s->need + 64);
	xs_machine_copy(scratch, m);
	a.buf = buf;
	e = xs_execute(scratch, &a);
	if (e != (len < s->need ? XS_EXC_PF : XS_EXC_NONE))
		fail_msg("%s with %zu bytes (needs %zu): %s", xs_insn_name(s->insn, XS_REX_W), len, s->need,
			 xs_exception_name(e));
	free(buf);
}

/* Every length from 0 to need + 64 (every `stride`-th, and each one near `need`). */
static void sweep(const xs_machine *m, const struct sweep *s, size_t stride)
{
	xs_machine *scratch = xs_machine_dup(m);

	for (size_t len = 0; len <= s->need + 64; len++)
		if (len % stride == 0 || (len + 2 >= s->need && len <= s->need + 2))
			run_one(m, s, len, scratch);
	xs_machine_free(scratch);
}

/* Images of m's (dirty) state: standard, compacted, and XSAVES's. */
static void make_images(xs_machine *m, uint8_t *std, uint8_t *cmp, uint8_t *sup, size_t size)
{
	assert_int_equal(xs_xsave(m, std, size, ET_ALL, XS_REX_W), XS_EXC_NONE);
	assert_int_equal(xs_xsavec(m, cmp, size, ET_ALL, XS_REX_W), XS_EXC_NONE);
	if (xs_machine_cpu_info(m)->xsaves)
		assert_int_equal(xs_xsaves(m, sup, size, ET_ALL, XS_REX_W), XS_EXC_NONE);
}

/* What a compacted restore of `img` may touch: up to the end of the last component it loads. */
static size_t restore_reach(const xs_machine *m, const uint8_t *img)
{
	uint64_t xcomp = et_ld64(img, ET_XCOMP_BV);
	uint64_t load = et_ld64(img, ET_XSTATE_BV) & xcomp & ~(ET_CMP | 3);
	unsigned top;

	if (!load)
		return 576;
	top = 63 - (unsigned)__builtin_clzll(load);
	return xs_engine_offset(m, xcomp, top) + et_size(m, top);
}

static void sweep_all(xs_machine *m, size_t stride)
{
	size_t size = 16384;
	uint8_t *std = et_area(size + 64), *cmp = et_area(size + 64), *sup = et_area(size + 64);
	uint64_t xcr0 = xs_machine_xcr0(m), all = xs_machine_xcr0(m) | xs_machine_xss(m);
	size_t std_need = xs_engine_standard_size(m, xcr0), cmp_need = xs_engine_compacted_size(m, xcr0);
	struct sweep sweeps[] = {
		{ XS_INSN_FXSAVE, 0, std, 512 },
		{ XS_INSN_FXRSTOR, 0, std, 512 },
		{ XS_INSN_XSAVE, ET_ALL, std, std_need },
		{ XS_INSN_XSAVEOPT, ET_ALL, std, std_need },
		{ XS_INSN_XSAVEC, ET_ALL, cmp, cmp_need },
		{ XS_INSN_XRSTOR, ET_ALL, std, std_need },
		{ XS_INSN_XRSTOR, ET_ALL, cmp, 0 },
		{ XS_INSN_XSAVES, ET_ALL, sup, xs_engine_compacted_size(m, all) },
		{ XS_INSN_XRSTORS, ET_ALL, sup, 0 },
	};

	et_dirty_all(m, 0x5a);
	make_images(m, std, cmp, sup, size);
	sweeps[6].need = restore_reach(m, cmp);
	sweeps[8].need = restore_reach(m, sup);
	for (size_t i = 0; i < sizeof(sweeps) / sizeof(sweeps[0]); i++)
		if (xs_machine_cpu_info(m)->xsaves ||
		    (sweeps[i].insn != XS_INSN_XSAVES && sweeps[i].insn != XS_INSN_XRSTORS))
			sweep(m, &sweeps[i], stride);
	free(sup);
	free(cmp);
	free(std);
}

/* The AMD Zen 4 (AVX-512, PKRU, CET in IA32_XSS) at CPL 0: every length up to 2.5 KiB. */
static void test_short_buffers_zen4(void **state)
{
	xs_machine *m = et_machine("amd-zen4.instlat.txt", 0);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, xs_machine_cpu_info(m)->xss_supported), XS_EXC_NONE);
	sweep_all(m, 1);
	xs_machine_free(m);
}

/* Emerald Rapids (AMX: 11 KiB areas, aligned compacted components) at CPL 0. */
static void test_short_buffers_emerald_rapids(void **state)
{
	xs_machine *m = et_machine("intel-emerald-rapids.instlat.txt", 0);

	(void)state;
	assert_int_equal(xs_wrmsr(m, XS_MSR_IA32_XSS, XS_XFEATURE_MASK_CET_USER |
						  XS_XFEATURE_MASK_CET_KERNEL), XS_EXC_NONE);
	sweep_all(m, 7);
	xs_machine_free(m);
}

/* Haswell (no XSAVEC/XSAVES) and the synthetic APX model. */
static void test_short_buffers_haswell_and_apx(void **state)
{
	xs_machine *m = et_machine("intel-haswell.instlat.txt", 3);
	xs_cpu *cpu = xs_cpu_new();
	uint8_t *a = et_area(1024);
	struct sweep s = { XS_INSN_XSAVE, ET_ALL, a, 832 };

	(void)state;
	sweep(m, &s, 1);
	s.insn = XS_INSN_XRSTOR;
	sweep(m, &s, 1);
	xs_machine_free(m);
	et_cpu_apx(cpu);
	m = et_machine_of(cpu, 3);
	sweep_all(m, 1);
	xs_machine_free(m);
	xs_cpu_free(cpu);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_buffers_zen4),
		cmocka_unit_test(test_short_buffers_emerald_rapids),
		cmocka_unit_test(test_short_buffers_haswell_and_apx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
