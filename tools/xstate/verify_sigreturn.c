// SPDX-License-Identifier: MIT
/*
 * xstate verify --against sigreturn: the running kernel's rt_sigreturn on
 * signal frames that the handler rewrote. A case loads a random register
 * state (XRSTOR), raises SIGUSR1 on itself (delivered on an alternate stack
 * that ends at a guard page), lets the handler change its own frame — the
 * fx_sw_bytes sizes, magic numbers, feature mask, MAGIC2's place, the
 * header words, MXCSR, component data — and return; the hardware then
 * saves what the kernel restored (XSAVE). The same bytes go to the model
 * (xs_sigframe_check, with the frame's distance to the guard page as its
 * length): its outcome — extended state restored, FX only, or a failed
 * sigreturn (SIGSEGV) — must be the kernel's, and the engine, replaying the
 * restore it predicts (__restore_fpregs_from_user: XRSTOR of the frame's
 * sw.xfeatures & user_xfeatures, or FXRSTOR, the rest from the init state),
 * must reach the registers the hardware saved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <ucontext.h>
#include <unistd.h>

#include "le.h"
#include "verify_cpu.h"
#include "verify_sigreturn.h"
#include "xsave_layout.h"
#include "progress.h"

#define PAGE 4096u
#define ALTSTACK (64u * 1024u)
#define FRAME_MAX 32768u

enum mutation {
	M_NONE, M_MAGIC1, M_XSTATE_SIZE, M_EXTENDED_SIZE, M_SW_XFEATURES, M_MAGIC2, M_XSTATE_BV,
	M_HEADER, M_MXCSR, M_DATA, M_COUNT
};

static const char *const mutation_names[M_COUNT] = {
	"unchanged frame", "magic1", "xstate_size (and MAGIC2 moved)", "extended_size", "sw.xfeatures",
	"MAGIC2", "XSTATE_BV bit", "header reserved/XCOMP_BV byte", "MXCSR reserved bit", "component data",
};

/* What the handler does to its frame: kinds and the random words they use. */
struct frame_edit {
	unsigned kind[2], n;
	uint64_t w[6];
	unsigned user_size;
	uint64_t user_xfeatures;
	uint32_t mxcsr_mask;
};

/* Shared with the signal handlers (this is the tool, not the library). */
static struct {
	const struct frame_edit *edit;
	uint8_t *guard;			/* the first byte past the alternate stack */
	uint8_t frame[FRAME_MAX] __attribute__((aligned(64)));	/* the frame as the handler left it */
	size_t len;			/* buf_fx .. guard */
	bool seen;
} ctx;
static sigjmp_buf sigreturn_failed;

/* ---- the handler's edits -------------------------------------------------------- */

static void edit_xstate_size(const struct frame_edit *e, uint8_t *fp, size_t len, const uint64_t *w)
{
	const uint32_t choices[] = { XS_XSAVE_LEGACY_AND_HDR, XS_XSAVE_LEGACY_AND_HDR - 1, XS_FXSAVE_SIZE,
				     e->user_size - 64, e->user_size + 8, 1000,
				     (uint32_t)(w[0] % (e->user_size + 128)) };
	uint32_t size = choices[w[1] % (sizeof(choices) / sizeof(choices[0]))];

	xs_st32(fp + SW_BYTES_FIELD(xstate_size), size);
	if (w[2] % 4 && (size_t)size + 4 <= len)
		xs_st32(fp + size, XS_FP_XSTATE_MAGIC2);
	if (w[3] % 2 && size != e->user_size && (size_t)e->user_size + 4 <= len)
		xs_st32(fp + e->user_size, 0);
}

static void edit(const struct frame_edit *e, unsigned kind, uint8_t *fp, size_t len, const uint64_t *w)
{
	static const unsigned bv_bits[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 18, 19, 62, 63 };
	uint32_t xsize = xs_ld32(fp + SW_BYTES_FIELD(xstate_size));
	uint32_t ext[] = { xsize + 4, xsize, xsize - 1, 0, UINT32_MAX };

	switch (kind) {
	case M_MAGIC1: xs_st32(fp + SW_BYTES_FIELD(magic1), (uint32_t)w[0]); break;
	case M_XSTATE_SIZE: edit_xstate_size(e, fp, len, w); break;
	case M_EXTENDED_SIZE: xs_st32(fp + SW_BYTES_FIELD(extended_size), ext[w[0] % 5]); break;
	case M_SW_XFEATURES:
		xs_st64(fp + SW_BYTES_FIELD(xfeatures), w[0] % 4 ? w[1] & e->user_xfeatures : w[1]);
		break;
	case M_MAGIC2:
		if ((size_t)e->user_size + 4 <= len)
			xs_st32(fp + e->user_size, (uint32_t)w[0]);
		break;
	case M_XSTATE_BV:
		xs_st64(fp + HDR_XSTATE_BV,
			xs_ld64(fp + HDR_XSTATE_BV) ^ XS_BIT(bv_bits[w[0] % (sizeof(bv_bits) / sizeof(bv_bits[0]))]));
		break;
	case M_HEADER:	/* XCOMP_BV or the reserved bytes */
		fp[HDR_XCOMP_BV + w[0] % (XS_XSAVE_LEGACY_AND_HDR - HDR_XCOMP_BV)] ^= (uint8_t)(1 + w[1] % 255);
		break;
	case M_MXCSR: {
		uint32_t bad = ~e->mxcsr_mask & (uint32_t)w[0];

		xs_st32(fp + FX_MXCSR, xs_ld32(fp + FX_MXCSR) | (bad ? bad : 1u << 31));
		break;
	}
	case M_DATA: fp[FX_ST0 + w[0] % (FX_PAD - FX_ST0)] ^= (uint8_t)(1 + w[1] % 255); break;
	default: break;
	}
}

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	const struct frame_edit *e = ctx.edit;

	(void)sig, (void)si;
	ctx.seen = true;
	ctx.len = fp && (size_t)(ctx.guard - fp) <= FRAME_MAX ? (size_t)(ctx.guard - fp) : 0;
	if (!ctx.len)
		return;
	for (unsigned i = 0; i < e->n; i++)
		edit(e, e->kind[i], fp, ctx.len, e->w + 3 * i);
	memcpy(ctx.frame, fp, ctx.len);
}

/* A failed rt_sigreturn: signal_fault() forces SIGSEGV with SI_KERNEL. */
static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	(void)ucv;
	if (si->si_code != SI_KERNEL) {
		signal(sig, SIG_DFL);	/* a real crash of this program */
		return;
	}
	siglongjmp(sigreturn_failed, 1);
}

/* ---- the two sides ------------------------------------------------------------------ */

struct sv {
	struct xs_hw hw;
	const xs_system *sys;		/* the running kernel's model */
	xs_fpu *task;			/* the model's view of this process */
	xs_machine *reset, *m;		/* the engine as this CPU, at CPL 3 */
	uint32_t mxcsr_mask;		/* the engine's (the probed one) */
	uint64_t mask;			/* what the cases load and save (user state, no PKRU) */
	size_t area;			/* the standard-format size of XCR0 */
	uint8_t *state, *hw_out, *engine_out, *scratch;
	uint8_t *init_image;		/* init_fpstate: every component init, MXCSR 1F80h */
	uint8_t *stack;
	struct vp_traits probed;	/* the traits measured on this CPU (the engine's) */
};

/* The task's fpstate: its sizes and features. */
static const struct xs_fpstate_info *task_state(const struct sv *v)
{
	return xs_fpstate_info(xs_fpu_fpstate(v->task));
}

/* Where the kernel puts component nr in a standard (UABI) image; 0 bytes where it does not enable it. */
static void standard_place(const xs_system *sys, unsigned nr, size_t *off, size_t *size)
{
	struct xs_component_info ci;

	*off = *size = 0;
	if (!xs_system_component(sys, nr, &ci) && ci.offset != UINT32_MAX)
		*off = ci.offset, *size = ci.size;
}

static void random_state(struct sv *v, uint64_t *seed, uint8_t *img)
{
	uint64_t bv = vu_next(seed) & v->mask;
	uint32_t mxcsr = (uint32_t)vu_next(seed) & v->mxcsr_mask;

	for (size_t i = 0; i < v->area; i += 8)
		xs_st64(img + i, vu_next(seed));
	img[4] = (uint8_t)vu_next(seed);	/* abridged tag word */
	img[5] = 0;
	xs_st32(img + FX_MXCSR, mxcsr);
	memset(img + FX_PAD, 0, XS_XSAVE_LEGACY_AND_HDR - FX_PAD);	/* padding, software bytes, header */
	xs_st64(img + HDR_XSTATE_BV, bv);	/* no PKRU: v->mask leaves it out */
}

static void random_edit(struct sv *v, uint64_t *seed, struct frame_edit *e)
{
	memset(e, 0, sizeof(*e));
	e->n = vu_next(seed) % 6 ? 1 : 2;
	for (unsigned i = 0; i < e->n; i++)
		e->kind[i] = (unsigned)(vu_next(seed) % M_COUNT);
	for (unsigned i = 0; i < 6; i++)
		e->w[i] = vu_next(seed);
	e->user_size = task_state(v)->user_size;
	e->user_xfeatures = task_state(v)->user_xfeatures;
	e->mxcsr_mask = v->mxcsr_mask;
}

/* The kernel: 0 and the registers in v->hw_out, or 1 when sigreturn failed. */
static int run_kernel(struct sv *v, const struct frame_edit *e)
{
	static struct xs_hw_step steps[3];	/* static: survives the siglongjmp */
	static uint64_t args[3];

	args[0] = (uint64_t)getpid();
	args[1] = (uint64_t)syscall(SYS_gettid);
	args[2] = SIGUSR1;
	memset(steps, 0, sizeof(steps));
	steps[0] = (struct xs_hw_step){ .op = XS_HW_OP_XRSTOR, .flags = XS_REX_W, .buf = v->state, .arg = v->mask };
	steps[1] = (struct xs_hw_step){ .op = XS_HW_OP_SYSCALL, .buf = args, .arg = SYS_tgkill };
	steps[2] = (struct xs_hw_step){ .op = XS_HW_OP_XSAVE, .flags = XS_REX_W, .buf = v->hw_out, .arg = v->mask };
	memset(v->hw_out, 0, v->area);
	ctx.edit = e;
	ctx.seen = false;
	if (sigsetjmp(sigreturn_failed, 1))
		return 1;
	if (xs_hw_run(&v->hw, steps, 3))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * The engine replays the restore the model predicts
 * (__restore_fpregs_from_user): XRSTOR64 of the frame with RFBM = the
 * frame's sw.xfeatures & user_xfeatures, or FXRSTOR64 (x87 and SSE), then
 * the task's other user components from init_fpstate — after the frame,
 * and in the kernel's own format: its compacted XRSTOR[S] leaves MXCSR
 * alone unless SSE is initialised, a standard XRSTOR loads it (1F80h)
 * whenever SSE or AVX is. False when the engine faults.
 */
static bool run_engine(struct sv *v, enum xs_sigreturn r)
{
	uint64_t user = task_state(v)->user_xfeatures;
	uint64_t xrestore = r == XS_SIGRETURN_XSTATE ? xs_ld64(ctx.frame + SW_BYTES_FIELD(xfeatures)) & user
						     : XS_XFEATURE_MASK_FPSSE;
	struct xs_insn_args a = { .insn = r == XS_SIGRETURN_XSTATE ? XS_INSN_XRSTOR : XS_INSN_FXRSTOR,
				  .flags = XS_REX_W, .buf = v->scratch, .len = ctx.len, .edx_eax = xrestore };
	struct xs_insn_args init = { .insn = XS_INSN_XRSTOR, .flags = XS_REX_W, .buf = v->init_image,
				     .len = v->area, .edx_eax = user & ~xrestore };
	struct xs_insn_args s = { .insn = XS_INSN_XSAVE, .flags = XS_REX_W, .buf = v->engine_out,
				  .len = v->area, .edx_eax = v->mask };

	xs_machine_copy(v->m, v->reset);
	memcpy(v->scratch, ctx.frame, ctx.len);
	memset(v->engine_out, 0, v->area);
	return xs_execute(v->m, &a) == XS_EXC_NONE && xs_execute(v->m, &init) == XS_EXC_NONE &&
	       xs_execute(v->m, &s) == XS_EXC_NONE;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Component nr of a standard image in its init configuration (xsave-isa.md §7)? */
static bool saved_as_init(const xs_system *sys, const uint8_t *img, unsigned nr)
{
	size_t off, size;

	if (nr == XS_XFEATURE_FP)	/* FCW 037Fh, the rest of the x87 state 0 */
		return xs_ld16(img) == 0x037f && all_zero(img + 2, FX_MXCSR - 2) && all_zero(img + FX_ST0, FX_ST_SIZE);
	if (nr == XS_XFEATURE_SSE)	/* XMM0-15 0 (MXCSR is not part of it) */
		return all_zero(img + FX_XMM0, FX_XMM_SIZE);
	standard_place(sys, nr, &off, &size);
	return all_zero(img + off, size);
}

/*
 * XINUSE[i] = 1 says nothing (SDM1 §13.6): a save and restore by the kernel
 * or a hypervisor while the case runs may leave it set for a component in
 * its init configuration. Such bits of the hardware's XSTATE_BV are not a
 * difference; the data still is.
 */
static void forgive_init_in_use(const struct sv *v)
{
	uint64_t extra = xs_ld64(v->hw_out + HDR_XSTATE_BV) & ~xs_ld64(v->engine_out + HDR_XSTATE_BV);

	for (uint64_t rest = extra; rest; rest &= rest - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(rest);

		if (saved_as_init(v->sys, v->hw_out, nr))
			xs_st64(v->hw_out + HDR_XSTATE_BV, xs_ld64(v->hw_out + HDR_XSTATE_BV) & ~XS_BIT(nr));
	}
}

static const char *outcome_name(int failed, enum xs_sigreturn r)
{
	if (failed)
		return "sigreturn fails (SIGSEGV)";
	return r == XS_SIGRETURN_XSTATE ? "XSTATE restored" : r == XS_SIGRETURN_FX_ONLY ? "FX only" : "sigreturn fails (SIGSEGV)";
}

static void describe(const struct frame_edit *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", mutation_names[e->kind[0]], e->n > 1 ? " + " : "",
		 e->n > 1 ? mutation_names[e->kind[1]] : "");
}

static int one_case(struct sv *v, uint64_t *seed, struct verify_result *r)
{
	struct frame_edit e;
	struct xs_verdict verdict = { 0 };
	enum xs_sigreturn predicted;
	char what[96];
	size_t off;
	int failed;

	random_state(v, seed, v->state);
	random_edit(v, seed, &e);
	describe(&e, what, sizeof(what));
	failed = run_kernel(v, &e);
	if (failed < 0)
		return failed;
	if (!ctx.seen || !ctx.len) {
		vu_differ(r, "case %lu (%s): the handler did not see its frame", r->cases, what);
		return 0;
	}
	predicted = xs_sigframe_check(v->task, ctx.frame, ctx.len, &verdict);
	if (failed != (predicted == XS_SIGRETURN_FAIL)) {
		vu_differ(r, "case %lu (%s): kernel: %s; model: %s (%s)", r->cases, what,
			  failed ? "sigreturn fails (SIGSEGV)" : "restored", outcome_name(0, predicted), verdict.reason);
		return 0;
	}
	if (failed) {
		r->agree++;
		return 0;
	}
	if (!run_engine(v, predicted)) {
		vu_differ(r, "case %lu (%s): the model predicts %s, but the engine's restore faults", r->cases,
			  what, outcome_name(0, predicted));
		return 0;
	}
	forgive_init_in_use(v);
	off = vu_first_difference(v->hw_out, v->engine_out, v->area);
	if (off < v->area) {
		vu_differ(r, "case %lu (%s): the model predicts %s (%s); registers after sigreturn differ at byte %zu (%s): kernel 0x%02x, model 0x%02x",
			  r->cases, what, outcome_name(0, predicted), verdict.reason, off,
			  vu_component_at(v->sys, off), v->hw_out[off], v->engine_out[off]);
		return 0;
	}
	r->agree++;
	return 0;
}

/* ---- set-up ----------------------------------------------------------------------- */

/* The running release (uname) and the boot command line; the default where not modelled. */
static void live_options(struct xs_options *o)
{
	struct utsname u;
	FILE *f = fopen("/proc/cmdline", "r");
	char cmdline[4096] = "";

	xs_options_init(o);
	if (!uname(&u) && xs_kernel_parse_uname(u.release, &o->kernel))
		o->kernel = XS_KERNEL_DEFAULT;
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	cmdline[strcspn(cmdline, "\n")] = '\0';
	if (strlen(cmdline) < sizeof(o->cmdline))	/* read as the running release reads it */
		strcpy(o->cmdline, cmdline);
	else
		o->clear_features = xs_cmdline_cleared_features(cmdline);
}

static int engine_setup(struct sv *v, const xs_cpu *cpu, struct verify_result *r)
{
	int ret = vc_engine_as_this_cpu(&v->reset, cpu, &v->hw, &v->probed, r->skip, sizeof(r->skip));

	if (ret || r->skip[0])
		return ret;
	v->mxcsr_mask = (uint32_t)xs_machine_trait(v->reset, XS_TRAIT_MXCSR_MASK);
	v->m = xs_machine_dup(v->reset);	/* a case's machine: a copy of v->reset */
	return v->m ? 0 : -ENOMEM;
}

static int handlers(struct sv *v, struct sigaction old[2])
{
	stack_t ss = { .ss_sp = v->stack, .ss_size = ALTSTACK };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_usr1;
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, &old[0]))
		return -errno;
	sa.sa_sigaction = on_segv;
	return sigaction(SIGSEGV, &sa, &old[1]) ? -errno : 0;
}

static int setup(struct sv *v, const xs_system *sys, struct verify_result *r)
{
	const struct xs_system_info *si = xs_system_info(sys);
	xs_cpu *cpu = xs_cpu_new();
	int ret = cpu ? xs_cpu_from_host(cpu) : -ENOMEM;

	v->sys = sys;
	if (!ret && (ret = xs_hw_init(&v->hw)) == -ENODEV)
		ret = 0, v->hw.xsave = false;
	if (!ret && (!v->hw.xsave || !si->xsave))
		snprintf(r->skip, sizeof(r->skip), "this CPU or kernel does not use XSAVE");
	if (!ret && !r->skip[0])
		ret = engine_setup(v, cpu, r);
	xs_cpu_free(cpu);
	if (ret || r->skip[0])
		return ret;
	if ((ret = xs_fpu_new(&v->task, sys, NULL)))
		return ret;
	/* PKRU would lock this process out of its own memory; dynamic state needs permission */
	v->mask = task_state(v)->user_xfeatures & v->hw.xcr0 & ~XS_XFEATURE_MASK_PKRU;
	v->area = (si->user.max_size + 63) & ~(size_t)63;
	v->state = aligned_alloc(64, v->area);
	v->hw_out = aligned_alloc(64, v->area);
	v->engine_out = aligned_alloc(64, v->area);
	v->scratch = aligned_alloc(64, FRAME_MAX);
	v->init_image = aligned_alloc(64, v->area);
	if (v->init_image) {
		memset(v->init_image, 0, v->area);
		xs_st32(v->init_image + FX_MXCSR, 0x1f80);
		if (si->compacted)
			xs_st64(v->init_image + HDR_XCOMP_BV, XS_XCOMP_BV_COMPACTED_FORMAT | v->hw.xcr0);
	}
	v->stack = mmap(NULL, ALTSTACK + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->stack == MAP_FAILED) {
		v->stack = NULL;
		return -errno;
	}
	if (mprotect(v->stack + ALTSTACK, PAGE, PROT_NONE))
		return -errno;
	ctx.guard = v->stack + ALTSTACK;
	return v->state && v->hw_out && v->engine_out && v->scratch && v->init_image ? 0 : -ENOMEM;
}

static void teardown(struct sv *v)
{
	stack_t off = { .ss_flags = SS_DISABLE };

	sigaltstack(&off, NULL);
	xs_fpu_free(v->task);
	if (v->stack)
		munmap(v->stack, ALTSTACK + PAGE);
	xs_machine_free(v->reset);
	xs_machine_free(v->m);
	free(v->state);
	free(v->hw_out);
	free(v->engine_out);
	free(v->scratch);
	free(v->init_image);
}

int verify_sigreturn(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	struct xs_options o;
	xs_cpu *cpu = xs_cpu_new();
	xs_system *sys = NULL;
	struct sigaction old[2];
	struct sv v;
	char kname[16];
	int ret = cpu ? 0 : -ENOMEM;

	memset(r, 0, sizeof(*r));
	memset(&v, 0, sizeof(v));
	live_options(&o);
	if (!ret && (ret = xs_cpu_from_host(cpu)) == 0)
		ret = xs_system_new(&sys, cpu, &o);
	if (!ret)
		ret = setup(&v, sys, r);
	if (!ret && !r->skip[0] && !(ret = handlers(&v, old))) {
		vp_report(&v.probed, stdout);
		printf("model: Linux %s (the running kernel), %u-byte user state, features 0x%llx\n",
		       xs_kernel_name(o.kernel, kname, sizeof(kname)), xs_system_info(sys)->user.default_size,
		       (unsigned long long)task_state(&v)->user_xfeatures);
		for (; !ret && r->cases < iterations; r->cases++, progress_tick(r->cases))
			ret = one_case(&v, &seed, r);
		sigaction(SIGUSR1, &old[0], NULL);
		sigaction(SIGSEGV, &old[1], NULL);
		xs_hw_reset(&v.hw);
	}
	teardown(&v);
	xs_cpu_free(cpu);
	xs_system_free(sys);
	return ret;
}
