// SPDX-License-Identifier: MIT
/* xs-test-label: live */
/* xs-test-oracle: xsavec test_hw_xsavec_* */
/* xs-test-oracle: xsaveopt test_hw_xsaveopt_* */
/*
 * The live CPU as oracle (DESIGN.md): the same step lists run on the
 * engine, configured from this CPU, and through the hardware backend, on
 * the same buffers; bytes and XGETBV(1) must agree. Each test skips where
 * the CPU lacks what it needs. The exhaustive version is `xstate verify
 * --against cpu`. (test_hw_backend.c: what the backend refuses, no CPU needed.)
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include "engine_util.h"

#define AREA 16384
enum { BUF_CLEAN, BUF_STATE, BUF_OUT, BUF_READBACK, NBUF };

struct live {
	struct xs_hw hw;
	xs_machine *m;
	uint8_t *buf[NBUF], *init[NBUF], *engine[NBUF];
	uint64_t seed;
};

static uint64_t next(struct live *l)
{
	uint64_t z = (l->seed += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct live *live_setup(void)
{
	struct live *l = calloc(1, sizeof(*l));
	xs_cpu *cpu = xs_cpu_new();
	uint8_t fx[512] __attribute__((aligned(16)));
	uint32_t mxcsr_mask;

	assert_non_null(l);
	if (xs_hw_init(&l->hw) || !l->hw.xsave) {
		xs_cpu_free(cpu);
		free(l);
		return NULL;
	}
	assert_int_equal(xs_cpu_from_host(cpu), 0);
	l->m = et_machine_of(cpu, 0);
	assert_int_equal(xs_xsetbv(l->m, 0, l->hw.xcr0), XS_EXC_NONE);
	et_ctx(l->m)->cpl = 3;
	assert_int_equal(xs_hw_fxsave(&l->hw, fx, 0), 0);
	mxcsr_mask = et_ld32(fx, 28) ? et_ld32(fx, 28) : 0xffbf;
	assert_int_equal(xs_machine_set_trait(l->m, XS_TRAIT_MXCSR_MASK, mxcsr_mask), 0);
	for (int b = 0; b < NBUF; b++) {
		l->buf[b] = et_area(AREA);
		l->init[b] = et_area(AREA);
		l->engine[b] = et_area(AREA);
	}
	et_st32(l->init[BUF_CLEAN], 24, 0x1f80);
	xs_cpu_free(cpu);
	return l;
}

static void live_free(struct live *l)
{
	for (int b = 0; b < NBUF; b++) {
		free(l->buf[b]);
		free(l->init[b]);
		free(l->engine[b]);
	}
	xs_machine_free(l->m);
	free(l);
}

/* A random valid state in the standard format (PKRU never: it guards our own memory). */
static void random_state(struct live *l, uint8_t *img)
{
	uint64_t bv = next(l) & l->hw.xcr0 & ~XS_XFEATURE_MASK_PKRU;
	size_t size = xs_engine_standard_size(l->m, l->hw.xcr0);

	for (size_t i = 0; i < size; i += 8)
		et_st64(img, i, next(l));
	et_st32(img, 24, (uint32_t)next(l) & (uint32_t)xs_machine_trait(l->m, XS_TRAIT_MXCSR_MASK));
	img[0] = 0x7f, img[1] = 0x03;	/* exceptions masked */
	memset(img + 512, 0, 64);
	et_st64(img, ET_XSTATE_BV, bv);
	if (l->hw.xcr0 & XS_XFEATURE_MASK_PKRU)
		memset(img + xs_engine_offset(l->m, 0, XS_XFEATURE_PKRU), 0, 8);
}

struct op {
	enum xs_insn insn;
	int buf;
	uint64_t rfbm;
	unsigned flags;
};

static const uint32_t hw_op[] = {
	[XS_INSN_FXSAVE] = XS_HW_OP_FXSAVE, [XS_INSN_FXRSTOR] = XS_HW_OP_FXRSTOR,
	[XS_INSN_XSAVE] = XS_HW_OP_XSAVE, [XS_INSN_XSAVEOPT] = XS_HW_OP_XSAVEOPT,
	[XS_INSN_XSAVEC] = XS_HW_OP_XSAVEC, [XS_INSN_XRSTOR] = XS_HW_OP_XRSTOR,
	[XS_INSN_XGETBV] = XS_HW_OP_XGETBV,
};

/*
 * How often the CPU side of a case is re-run before a difference counts
 * (as HW_RERUNS in tools/xstate/verify_cpu.c).
 */
#define HW_RERUNS 2

/*
 * One run of the steps on the CPU, on fresh copies of the buffers; true
 * when every step completed and XGETBV(1), XGETBV's result and every
 * buffer agree with the engine's run (`want`, l->engine). Otherwise `why`
 * says where they first differ.
 */
static bool cpu_agrees(struct live *l, const struct xs_hw_step *want, unsigned n, char *why,
		       size_t size)
{
	struct xs_hw_step hw[8];

	for (int b = 0; b < NBUF; b++)
		memcpy(l->buf[b], l->init[b], AREA);
	memcpy(hw, want, n * sizeof(*hw));
	assert_int_equal(xs_hw_run(&l->hw, hw, n), 0);
	for (unsigned i = 0; i < n; i++) {
		if (hw[i].done != 1) {
			snprintf(why, size, "step %u did not complete", i);
			return false;
		}
		if (hw[i].xinuse != want[i].xinuse || hw[i].result != want[i].result) {
			snprintf(why, size, "step %u: XGETBV(1) engine 0x%llx cpu 0x%llx, result engine 0x%llx cpu 0x%llx",
				 i, (unsigned long long)want[i].xinuse, (unsigned long long)hw[i].xinuse,
				 (unsigned long long)want[i].result, (unsigned long long)hw[i].result);
			return false;
		}
	}
	for (int b = 0; b < NBUF; b++)
		for (size_t at = 0; at < AREA; at++)
			if (l->engine[b][at] != l->buf[b][at]) {
				snprintf(why, size, "buffer %d byte %zu: engine 0x%02x cpu 0x%02x", b, at,
					 l->engine[b][at], l->buf[b][at]);
				return false;
			}
	return true;
}

/*
 * Clean load, state load from BUF_STATE, the ops, XSAVE64 of everything
 * into BUF_READBACK — on the engine, then on the CPU; every buffer and
 * every XGETBV(1) must agree. The kernel (or the hypervisor under a VM)
 * may save and restore the registers between two steps: that can set
 * XINUSE[i] of an init component (SDM1 §13.6: XINUSE[i] = 1 says nothing)
 * and ends the modified optimisation (XRSTOR_INFO changes). Only a re-run
 * tells that apart from a divergence, so the CPU side runs again, up to
 * HW_RERUNS times; a difference that persists fails.
 */
static void run_both(struct live *l, const struct op *ops, unsigned nops)
{
	struct op all[8] = { { XS_INSN_XRSTOR, BUF_CLEAN, ET_ALL, XS_REX_W },
			     { XS_INSN_XRSTOR, BUF_STATE, ET_ALL, XS_REX_W } };
	struct xs_hw_step steps[8];
	xs_machine *m = xs_machine_dup(l->m);
	char why[200] = "";
	unsigned n = 0;

	assert_non_null(m);
	memcpy(all + 2, ops, nops * sizeof(*ops));
	all[2 + nops] = (struct op){ XS_INSN_XSAVE, BUF_READBACK, ET_ALL, XS_REX_W };
	n = nops + 3;
	for (int b = 0; b < NBUF; b++)
		memcpy(l->buf[b], l->init[b], AREA);
	for (unsigned i = 0; i < n; i++) {
		struct xs_insn_args a = { .insn = all[i].insn, .flags = all[i].flags, .buf = l->buf[all[i].buf],
					  .len = AREA, .edx_eax = all[i].rfbm, .ecx = (uint32_t)all[i].rfbm };

		assert_int_equal(xs_execute(m, &a), XS_EXC_NONE);
		steps[i] = (struct xs_hw_step){ .op = hw_op[all[i].insn], .flags = all[i].flags,
						.buf = a.buf, .arg = all[i].rfbm };
		steps[i].result = a.result;
		steps[i].xinuse = 0;
		if (l->hw.xgetbv1)
			assert_int_equal(xs_xgetbv(m, 1, &steps[i].xinuse), XS_EXC_NONE);
	}
	xs_machine_free(m);
	for (int b = 0; b < NBUF; b++)
		memcpy(l->engine[b], l->buf[b], AREA);
	for (int attempt = 0; attempt <= HW_RERUNS; attempt++)
		if (cpu_agrees(l, steps, n, why, sizeof(why)))
			return;
	fail_msg("engine and CPU differ in %u runs: %s", HW_RERUNS + 1, why);
}

/* §4.1: XSAVE of a random state, both forms, random RFBMs. */
static void test_hw_xsave_matches_engine(void **state)
{
	struct live *l = live_setup();

	(void)state;
	if (!l)
		skip();
	for (unsigned i = 0; i < 200; i++) {
		struct op op = { XS_INSN_XSAVE, BUF_OUT, next(l), (unsigned)next(l) & XS_REX_W };

		random_state(l, l->init[BUF_STATE]);
		memset(l->init[BUF_OUT], 0xee, AREA);
		run_both(l, &op, 1);
	}
	live_free(l);
}

/* §4.3: XSAVEC (where the CPU has it). */
static void test_hw_xsavec_matches_engine(void **state)
{
	struct live *l = live_setup();

	(void)state;
	if (!l || !l->hw.xsavec) {
		if (l)
			live_free(l);
		skip();
	}
	for (unsigned i = 0; i < 200; i++) {
		struct op op = { XS_INSN_XSAVEC, BUF_OUT, next(l), XS_REX_W };

		random_state(l, l->init[BUF_STATE]);
		memset(l->init[BUF_OUT], 0xee, AREA);
		run_both(l, &op, 1);
	}
	live_free(l);
}

/* §4.2: XSAVEOPT into the area just restored, after changing its bytes (modified optimisation). */
static void test_hw_xsaveopt_optimisations_match_engine(void **state)
{
	struct live *l = live_setup();

	(void)state;
	if (!l || !l->hw.xsaveopt) {
		if (l)
			live_free(l);
		skip();
	}
	for (unsigned i = 0; i < 100; i++) {
		struct op ops[2] = { { XS_INSN_XSAVEOPT, BUF_STATE, next(l), XS_REX_W },
				     { XS_INSN_XSAVEOPT, BUF_OUT, next(l), 0 } };

		random_state(l, l->init[BUF_STATE]);
		memset(l->init[BUF_OUT], 0xee, AREA);
		run_both(l, ops, 2);
	}
	live_free(l);
}

/* §2.1, §6: FXSAVE/FXRSTOR round trips and XGETBV 0 and 1. */
static void test_hw_fxsave_fxrstor_and_xgetbv_match_engine(void **state)
{
	struct live *l = live_setup();

	(void)state;
	if (!l)
		skip();
	for (unsigned i = 0; i < 100; i++) {
		/* XGETBV's "buffer" is not used; its RFBM field is ECX */
		struct op ops[4] = { { XS_INSN_FXSAVE, BUF_OUT, 0, (unsigned)next(l) & XS_REX_W },
				     { XS_INSN_XGETBV, BUF_OUT, 0, 0 },
				     { XS_INSN_FXRSTOR, BUF_STATE, 0, XS_REX_W },
				     { XS_INSN_XGETBV, BUF_OUT, l->hw.xgetbv1 ? 1 : 0, 0 } };

		random_state(l, l->init[BUF_STATE]);
		memset(l->init[BUF_OUT], 0xee, AREA);
		run_both(l, ops, 4);
	}
	live_free(l);
}

/* ---- exceptions user mode can reach ---------------------------------------- */

static sigjmp_buf fault_jump;
static volatile int fault_sig, fault_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	siglongjmp(fault_jump, 1);
}

/* One step on the CPU with SIGILL/SIGSEGV caught: the exception it raised. */
static enum xs_exception cpu_exception(struct live *l, struct xs_hw_step *s)
{
	static const int sigs[] = { SIGILL, SIGSEGV, SIGBUS };
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER }, old[3];
	volatile enum xs_exception e = XS_EXC_NONE;

	for (int i = 0; i < 3; i++)
		assert_int_equal(sigaction(sigs[i], &sa, &old[i]), 0);
	if (!sigsetjmp(fault_jump, 1))
		assert_int_equal(xs_hw_run(&l->hw, s, 1), 0);
	else
		e = fault_sig == SIGILL ? XS_EXC_UD : fault_sig == SIGBUS ? XS_EXC_AC
		    : fault_code == SI_KERNEL ? XS_EXC_GP : XS_EXC_PF;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return e;
}

/*
 * §2.1, §4, §6 at CPL 3: every instruction behind a LOCK, 66, F2 or F3
 * prefix is #UD (but 66 + XSAVEOPT is CLWB and F3 + XSAVE PTWRITE, other
 * instructions); XSAVES and XRSTORS are #GP (#UD without them), XSETBV
 * #GP. The backend's prefixed and CPL 0 steps against the engine.
 */
static void test_hw_user_mode_exceptions_match_engine(void **state)
{
	static const enum xs_insn insns[] = { XS_INSN_FXSAVE, XS_INSN_FXRSTOR, XS_INSN_XSAVE, XS_INSN_XSAVEOPT,
					      XS_INSN_XSAVEC, XS_INSN_XRSTOR, XS_INSN_XGETBV };
	static const uint32_t cpl0_op[] = { [XS_INSN_XSAVES] = XS_HW_OP_XSAVES,
					    [XS_INSN_XRSTORS] = XS_HW_OP_XRSTORS, [XS_INSN_XSETBV] = XS_HW_OP_XSETBV };
	struct live *l = live_setup();
	unsigned checked = 0;

	(void)state;
	if (!l)
		skip();
	et_st32(l->buf[BUF_STATE], 24, 0x1f80);
	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		for (unsigned prefix = XS_PREFIX_LOCK; prefix <= XS_PREFIX_F3; prefix <<= 1) {
			struct xs_insn_args a = { .insn = insns[i], .prefixes = prefix, .buf = l->buf[BUF_STATE],
						  .len = AREA, .edx_eax = 3 };
			struct xs_hw_step s = { .op = hw_op[insns[i]], .flags = XS_HW_PREFIX(prefix),
						.buf = l->buf[BUF_STATE], .arg = 3 };

			if ((prefix == XS_PREFIX_66 && insns[i] == XS_INSN_XSAVEOPT) ||
			    (prefix == XS_PREFIX_F3 && insns[i] == XS_INSN_XSAVE) ||
			    (insns[i] == XS_INSN_XSAVEOPT && !l->hw.xsaveopt) ||
			    (insns[i] == XS_INSN_XSAVEC && !l->hw.xsavec))
				continue;
			assert_int_equal(xs_execute(l->m, &a), XS_EXC_UD);
			if (cpu_exception(l, &s) != XS_EXC_UD)
				fail_msg("%s behind prefix %u: the CPU did not raise #UD", xs_insn_name(insns[i], 0), prefix);
			checked++;
		}
	for (enum xs_insn insn = XS_INSN_XSAVES; insn <= XS_INSN_XSETBV; insn++) {
		struct xs_insn_args a = { .insn = insn, .buf = l->buf[BUF_STATE], .len = AREA, .edx_eax = 3 };
		struct xs_hw_step s = { .op = cpl0_op[insn], .buf = l->buf[BUF_STATE], .arg = 3 };
		enum xs_exception engine;

		if (insn != XS_INSN_XSAVES && insn != XS_INSN_XRSTORS && insn != XS_INSN_XSETBV)
			continue;
		engine = xs_execute(l->m, &a);
		assert_int_equal(cpu_exception(l, &s), engine);
		assert_int_not_equal(engine, XS_EXC_NONE);
		checked++;
	}
	assert_true(checked >= 20);
	live_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hw_xsave_matches_engine),
		cmocka_unit_test(test_hw_xsavec_matches_engine),
		cmocka_unit_test(test_hw_xsaveopt_optimisations_match_engine),
		cmocka_unit_test(test_hw_fxsave_fxrstor_and_xgetbv_match_engine),
		cmocka_unit_test(test_hw_user_mode_exceptions_match_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
