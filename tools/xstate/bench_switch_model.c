// SPDX-License-Identifier: MIT
/*
 * The tasks and processors of `xstate bench switch`, and the switch loops.
 *
 * Every case has its own tasks (xs_fpu_init under that case's policy, so
 * each fpstate has the kernel's size and XCOMP_BV) and, on the engine, its
 * own processor: XCR0 and IA32_XSS as the kernel sets them, CPL 0. A task's
 * registers hold data in every component the model fills (nothing is
 * skipped for being in its init configuration). The CET-S registers hold
 * data too (so CET-S is "in use" wherever an fpstate has room for it),
 * except in case 3i: there they stay in their init configuration, as in a
 * task that never uses kernel shadow stacks, and XSAVES's init
 * optimisation leaves CET-S out of the image (XSTATE_BV[12] = 0).
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

/*
 * Task `seed`'s registers in every filled component this machine has;
 * with `cet_init` the CET-S registers are left as they are (init).
 */
static void fill_task_regs(xs_machine *m, unsigned seed, bool cet_init)
{
	/* the vector and APX registers, each with its own pattern */
	static const unsigned patterned[] = { XS_XFEATURE_SSE, XS_XFEATURE_YMM, XS_XFEATURE_OPMASK,
					      XS_XFEATURE_ZMM_Hi256, XS_XFEATURE_Hi16_ZMM, XS_XFEATURE_APX };
	uint64_t have = 0;
	uint32_t pkru = INIT_PKRU;
	uint8_t *p;
	size_t len;

	for (unsigned nr = 1; nr < XS_XFEATURE_MAX; nr++)
		if (xs_machine_component(m, nr, NULL))
			have |= XS_BIT(nr);
	have &= FILLED;
	if (cet_init)
		have &= ~XS_XFEATURE_MASK_CET_KERNEL;
	for (unsigned i = 0; i < sizeof(patterned) / sizeof(patterned[0]); i++)
		if ((p = xs_machine_component(m, patterned[i], &len)))
			fill(p, len, seed + i);
	if ((p = xs_machine_component(m, XS_XFEATURE_PKRU, NULL)))
		memcpy(p, &pkru, sizeof(pkru));
	if (!cet_init && (p = xs_machine_component(m, XS_XFEATURE_CET_KERNEL, NULL))) {
		uint64_t pl_ssp[3] = { ssp(seed, 0), ssp(seed, 1), ssp(seed, 2) };	/* PL0..PL2_SSP */

		memcpy(p, pl_ssp, sizeof(pl_ssp));
	}
	xs_machine_wrote(m, have);
}

/* A processor without the init and the modified optimisations (traits init_opt, modified_opt). */
static void optimisations_off(xs_machine *m)
{
	xs_machine_set_trait(m, XS_TRAIT_INIT_OPT, 0);
	xs_machine_set_trait(m, XS_TRAIT_MODIFIED_OPT, 0);
}

/* XSTATE_BV of an image (the header's first word). */
static uint64_t xstate_bv(const void *regs)
{
	uint64_t bv;

	memcpy(&bv, (const uint8_t *)regs + XS_XSAVE_HDR_OFFSET, sizeof(bv));
	return bv;
}

/* ---- the tasks ------------------------------------------------------------ */

static void free_tasks(struct sw_case *c, unsigned n)
{
	for (unsigned t = 0; c->tasks && t < n; t++)
		xs_fpu_free(c->tasks[t]);
	free(c->tasks);
	free(c->fps);
	free(c->regs);
	c->tasks = NULL;
	c->fps = NULL;
	c->regs = NULL;
}

static int alloc_tasks(struct sw_bench *b, struct sw_case *c)
{
	c->tasks = calloc(b->ntasks, sizeof(*c->tasks));
	c->fps = calloc(b->ntasks, sizeof(*c->fps));
	c->regs = calloc(b->ntasks, sizeof(*c->regs));
	c->ns = calloc(b->rounds, sizeof(*c->ns));
	if (!c->tasks || !c->fps || !c->regs || !c->ns)
		return -ENOMEM;
	for (unsigned t = 0; t < b->ntasks; t++) {
		if (xs_fpu_new(&c->tasks[t], c->sys, NULL))
			return -ENOMEM;
		c->fps[t] = xs_fpu_fpstate(c->tasks[t]);	/* no task here ever reallocates it */
		c->regs[t] = xs_fpstate_regs(c->fps[t]);
	}
	return 0;
}

/* ---- the engine: the kernel's os_xsave()/os_xrstor() at CPL 0 ------------ */

static int engine_setup(struct sw_bench *b, enum sw_backend be, struct sw_case *c)
{
	int ret = xs_machine_new(&c->m, b->cpu);

	if (ret)
		return ret;
	if (xs_machine_setup_kernel(c->m, c->sys))
		return -EINVAL;
	if (be == SW_ENGINE_NOOPT)
		optimisations_off(c->m);
	for (unsigned t = 0; t < b->ntasks; t++) {
		fill_task_regs(c->m, t + 1, c->cet_init);
		if (xs_os_xsave(c->m, c->sys, c->fps[t], NULL) != XS_EXC_NONE)
			return -EIO;
	}
	c->cet_saved = xstate_bv(c->regs[0]) & XS_XFEATURE_MASK_CET_KERNEL;
	c->cur = 0;
	return xs_os_xrstor(c->m, c->sys, c->fps[0], ~UINT64_C(0)) ? -EIO : 0;
}

/*
 * Between its restore and its next save the task runs: it writes XMM0,
 * as any libc string function would, so the modified optimisation of
 * XSAVES still has that component to save.
 */
static void task_runs(uint8_t *xmm, xs_machine *m, unsigned long i)
{
	xmm[0] = (uint8_t)i;
	xs_machine_wrote(m, XS_XFEATURE_MASK_SSE);
}

static double engine_run(struct sw_bench *b, struct sw_case *c, unsigned long n)
{
	uint8_t *xmm = xs_machine_component(c->m, XS_XFEATURE_SSE, NULL);
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < n; i++) {
		unsigned next = c->cur + 1 == b->ntasks ? 0 : c->cur + 1;

		if (xs_os_xsave(c->m, c->sys, c->fps[c->cur], NULL) != XS_EXC_NONE ||
		    xs_os_xrstor(c->m, c->sys, c->fps[next], ~UINT64_C(0)) != XS_EXC_NONE)
			return -1;
		task_runs(xmm, c->m, i);
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
	xs_machine *m;
	const struct xs_fpstate_info *fps = xs_fpstate_info(c->fps[0]);
	int ret = xs_machine_new(&m, b->cpu);

	if (ret)
		return ret;
	ret = -EINVAL;
	c->mask = fps->xfeatures & b->hw.xcr0 & XS_XFEATURE_MASK_USER_SUPPORTED & ~XS_XFEATURE_MASK_PKRU;
	if (xs_xsetbv(m, 0, b->hw.xcr0) == XS_EXC_NONE &&
	    xs_engine_compacted_size(m, c->mask) <= fps->size) {
		ret = 0;
		for (unsigned t = 0; t < b->ntasks && !ret; t++) {
			fill_task_regs(m, t + 1, c->cet_init);
			fps = xs_fpstate_info(c->fps[t]);
			ret = xs_xsavec(m, c->regs[t], fps->size, c->mask, XS_REX_W) ? -EIO : 0;
		}
	}
	xs_machine_free(m);
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
	xs_hw_xrstor(hw, c->regs[c->cur], c->mask, XS_REX_W);
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		unsigned next = c->cur + 1 == b->ntasks ? 0 : c->cur + 1;

		xs_hw_xsavec(hw, c->regs[c->cur], c->mask, XS_REX_W);
		xs_hw_xrstor(hw, c->regs[next], c->mask, XS_REX_W);
		c->cur = next;
	}
	t0 = now_ns() - t0;
	xs_hw_xsavec(hw, c->regs[c->cur], c->mask, XS_REX_W);
	xs_hw_reset(hw);	/* a clean MXCSR, x87 and vector state for our own code */
	return (double)t0 / (double)n;
}

/* ---- the cases --------------------------------------------------------------- */

int sw_model_setup(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		struct sw_backend_run *r = &b->be[be];

		for (unsigned i = 0; i < r->nvariants && r->available; i++) {
			struct sw_case *c = &r->cases[i];
			int ret = alloc_tasks(b, c);
			if (!ret)
				ret = be == SW_HW ? hw_setup(b, c) : engine_setup(b, be, c);
			if (ret == -ENOMEM)
				return ret;
			if (ret) {
				r->available = false;
				snprintf(r->why_absent, sizeof(r->why_absent),
					 "the %s could not be set up for case %s (%s): a bug in the model",
					 be == SW_HW ? "task images" : "engine", sw_case_label[i],
					 xs_errno_name(ret));
			}
		}
	}
	return 0;
}

void sw_model_free(struct sw_bench *b)
{
	for (int be = 0; be < SW_BACKENDS; be++) {
		for (unsigned i = 0; i < SW_VARIANTS; i++) {
			struct sw_case *c = &b->be[be].cases[i];

			free_tasks(c, b->ntasks);
			xs_machine_free(c->m);
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

/*
 * A probe of the engine itself rather than an assumption about it: XSAVES
 * of CET-S in its init configuration into an image whose CET-S bytes are
 * a pattern, on a processor of case 3 with both optimisations off.
 */
int sw_noopt_writes_init(const struct sw_bench *b)
{
	const xs_system *sys = b->sys[SW_CASES - 1];
	const struct xs_system_info *si = xs_system_info(sys);
	uint64_t rfbm = si->kernel.default_features;
	xs_machine *m = NULL;
	uint8_t *img = aligned_alloc(64, 65536);
	int ret = -1;

	if (img && si->xsaves && rfbm & XS_XFEATURE_MASK_CET_KERNEL && !xs_machine_new(&m, b->cpu) &&
	    !xs_machine_setup_kernel(m, sys)) {
		size_t off = xs_engine_offset(m, rfbm | XS_XCOMP_BV_COMPACTED_FORMAT, XS_XFEATURE_CET_KERNEL);
		uint8_t pattern[24];

		optimisations_off(m);
		memset(img, 0, 65536);
		memset(img + off, 0xa5, sizeof(pattern));
		memset(pattern, 0xa5, sizeof(pattern));
		if (off && off + sizeof(pattern) <= 65536 &&
		    xs_xsaves(m, img, 65536, rfbm, XS_REX_W) == XS_EXC_NONE)
			ret = memcmp(img + off, pattern, sizeof(pattern)) != 0 ||
			      (xstate_bv(img) & XS_XFEATURE_MASK_CET_KERNEL) != 0;
	}
	free(img);
	xs_machine_free(m);
	return ret;
}
