// SPDX-License-Identifier: MIT
/*
 * The tasks and processors of `xstate bench switch`, and the switch loops.
 *
 * Every case has its own tasks (xs_fpu_init under that case's policy, so
 * each fpstate has the kernel's size and XCOMP_BV) and, on the engine, its
 * own processor: XCR0 and IA32_XSS as the kernel sets them, CPL 0. A task's
 * registers hold data in every component the model fills (nothing is
 * skipped for being in its init configuration), the CET-S registers
 * included, so CET-S is "in use" wherever an fpstate has room for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_switch.h"

/* Components given data in every task; PKRU gets Linux's default value. */
#define FILLED                                                                                 \
	(XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_AVX512 |                \
	 XS_XFEATURE_MASK_PKRU | XS_XFEATURE_MASK_APX | XS_XFEATURE_MASK_CET_KERNEL)
#define INIT_PKRU 0x55555554u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fill(void *p, size_t n, unsigned seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
}

/* Canonical and 4-byte aligned: what XRSTORS accepts in an SSP MSR. */
static uint64_t ssp(unsigned seed, unsigned level)
{
	return UINT64_C(0x00007ffd00000000) + (uint64_t)seed * 0x1000u + level * 8u;
}

/* Task `seed`'s registers in every filled component this machine has. */
static void fill_task_regs(xs_machine *m, unsigned seed)
{
	uint64_t have = XS_XFEATURE_MASK_SSE;

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (m->cpu.size[nr])
			have |= XS_BIT(nr);
	have &= FILLED;
	fill(m->regs.xmm, sizeof(m->regs.xmm), seed);
	fill(m->regs.ymm_hi128, sizeof(m->regs.ymm_hi128), seed + 1);
	fill(m->regs.opmask, sizeof(m->regs.opmask), seed + 2);
	fill(m->regs.zmm_hi256, sizeof(m->regs.zmm_hi256), seed + 3);
	fill(m->regs.hi16_zmm, sizeof(m->regs.hi16_zmm), seed + 4);
	fill(m->regs.apx, sizeof(m->regs.apx), seed + 5);
	m->regs.pkru.pkru = INIT_PKRU;
	m->regs.cet_s.pl0_ssp = ssp(seed, 0);
	m->regs.cet_s.pl1_ssp = ssp(seed, 1);
	m->regs.cet_s.pl2_ssp = ssp(seed, 2);
	xs_machine_wrote(m, have);
}

/* ---- the tasks ------------------------------------------------------------ */

static void free_tasks(struct sw_case *c, unsigned n)
{
	for (unsigned t = 0; c->tasks && t < n; t++)
		if (c->tasks[t].sys)
			xs_fpu_destroy(&c->tasks[t]);
	free(c->tasks);
	c->tasks = NULL;
}

static int alloc_tasks(struct sw_bench *b, struct sw_case *c)
{
	c->tasks = calloc(b->ntasks, sizeof(*c->tasks));
	c->ns = calloc(b->rounds, sizeof(*c->ns));
	if (!c->tasks || !c->ns)
		return -ENOMEM;
	for (unsigned t = 0; t < b->ntasks; t++)
		if (xs_fpu_init(&c->tasks[t], c->sys, NULL))
			return -ENOMEM;
	return 0;
}

/* ---- the engine: the kernel's os_xsave()/os_xrstor() at CPL 0 ------------ */

static int engine_setup(struct sw_bench *b, enum sw_backend be, struct sw_case *c)
{
	c->m = malloc(sizeof(*c->m));
	if (!c->m || xs_machine_init(c->m, b->cpu) || xs_machine_setup_kernel(c->m, c->sys))
		return -EINVAL;
	if (be == SW_ENGINE_NOOPT)
		c->m->impl.init_opt = c->m->impl.modified_opt = false;
	for (unsigned t = 0; t < b->ntasks; t++) {
		fill_task_regs(c->m, t + 1);
		if (xs_os_xsave(c->m, c->sys, c->tasks[t].fpstate, NULL) != XS_EXC_NONE)
			return -EIO;
	}
	c->cur = 0;
	return xs_os_xrstor(c->m, c->sys, c->tasks[0].fpstate, ~UINT64_C(0)) ? -EIO : 0;
}

/*
 * Between its restore and its next save the task runs: it writes XMM0,
 * as any libc string function would, so the modified optimisation of
 * XSAVES still has that component to save.
 */
static void task_runs(xs_machine *m, unsigned long i)
{
	m->regs.xmm[0][0] = (uint8_t)i;
	xs_machine_wrote(m, XS_XFEATURE_MASK_SSE);
}

static double engine_run(struct sw_bench *b, struct sw_case *c, unsigned long n)
{
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < n; i++) {
		unsigned next = c->cur + 1 == b->ntasks ? 0 : c->cur + 1;

		if (xs_os_xsave(c->m, c->sys, c->tasks[c->cur].fpstate, NULL) != XS_EXC_NONE ||
		    xs_os_xrstor(c->m, c->sys, c->tasks[next].fpstate, ~UINT64_C(0)) != XS_EXC_NONE)
			return -1;
		task_runs(c->m, i);
		c->cur = next;
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* ---- the hardware: XSAVEC/XRSTOR of the user components, CPL 3 ---------- */

/*
 * The images the CPU starts from are written by the engine (XSAVEC on a
 * machine of this very CPU), so every task's state is known and valid.
 * PKRU stays out of the mask: loading another value would change which
 * pages this process may touch.
 */
static int hw_setup(struct sw_bench *b, struct sw_case *c)
{
	xs_machine *m = malloc(sizeof(*m));
	const xs_fpstate *fps = c->tasks[0].fpstate;
	int ret = -EINVAL;

	if (!m)
		return -ENOMEM;
	c->mask = fps->xfeatures & b->hw.xcr0 & XS_XFEATURE_MASK_USER_SUPPORTED & ~XS_XFEATURE_MASK_PKRU;
	if (!xs_machine_init(m, b->cpu) && xs_xsetbv(m, 0, b->hw.xcr0) == XS_EXC_NONE &&
	    xs_engine_compacted_size(m, c->mask) <= fps->size) {
		ret = 0;
		for (unsigned t = 0; t < b->ntasks && !ret; t++) {
			fill_task_regs(m, t + 1);
			fps = c->tasks[t].fpstate;
			ret = xs_xsavec(m, fps->regs, fps->size, c->mask, XS_REX_W) ? -EIO : 0;
		}
	}
	free(m);
	c->cur = 0;
	return ret;
}

static double hw_run(struct sw_bench *b, struct sw_case *c, unsigned long n)
{
	const struct xs_hw *hw = &b->hw;
	uint64_t t0;

	/*
	 * The registers are the task's again (xs_hw_reset cleared them after
	 * the last run); saving them unreloaded would turn its image to init.
	 */
	xs_hw_xrstor(hw, c->tasks[c->cur].fpstate->regs, c->mask, XS_REX_W);
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		unsigned next = c->cur + 1 == b->ntasks ? 0 : c->cur + 1;

		xs_hw_xsavec(hw, c->tasks[c->cur].fpstate->regs, c->mask, XS_REX_W);
		xs_hw_xrstor(hw, c->tasks[next].fpstate->regs, c->mask, XS_REX_W);
		c->cur = next;
	}
	t0 = now_ns() - t0;
	xs_hw_xsavec(hw, c->tasks[c->cur].fpstate->regs, c->mask, XS_REX_W);
	xs_hw_reset(hw);	/* a clean MXCSR, x87 and vector state for our own code */
	return (double)t0 / (double)n;
}

/* ---- the cases --------------------------------------------------------------- */

int sw_model_setup(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		struct sw_backend_run *r = &b->be[be];

		for (unsigned i = 0; i < SW_CASES && r->available; i++) {
			struct sw_case *c = &r->cases[i];
			int ret = alloc_tasks(b, c);
			if (!ret)
				ret = be == SW_HW ? hw_setup(b, c) : engine_setup(b, be, c);
			if (ret == -ENOMEM)
				return ret;
			if (ret) {
				r->available = false;
				snprintf(r->why_absent, sizeof(r->why_absent),
					 "the %s could not be set up for case %u (%s): a bug in the model",
					 be == SW_HW ? "task images" : "engine", i + 1, xs_errno_name(ret));
			}
		}
	}
	return 0;
}

void sw_model_free(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		for (unsigned i = 0; i < SW_CASES; i++) {
			struct sw_case *c = &b->be[be].cases[i];

			free_tasks(c, b->ntasks);
			free(c->m);
			free(c->ns);
			c->m = NULL;
			c->ns = NULL;
		}
	}
}

double sw_model_run(struct sw_bench *b, enum sw_backend be, unsigned c, unsigned long n)
{
	struct sw_case *sc = &b->be[be].cases[c];

	return be == SW_HW ? hw_run(b, sc, n) : engine_run(b, sc, n);
}
