// SPDX-License-Identifier: MIT
/*
 * xstate verify --against cpu: every case runs twice on the same buffers
 * (same linear addresses, so XRSTOR_INFO means the same thing) — on the
 * engine configured from this CPU (CPUID, XCR0 from XGETBV(0), MXCSR_MASK
 * from FXSAVE) and on the CPU through the hardware backend — and then
 * compares, step by step, which exception each instruction raised,
 * XGETBV(1) after each step and XGETBV's results, every byte of every
 * buffer, and at a fault the registers the kernel wrote into the signal
 * frame against the engine's unchanged registers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "verify_cpu.h"
#include "verify_groups.h"
#include "verify_trace.h"
#include "verify_uabi.h"
#include "xsave_layout.h"
#include "le.h"
#include "progress.h"

#define PAGE 4096u
#define HW_RERUNS 2

/* What the signal handler saw: the fault and the registers in the signal frame. */
static sigjmp_buf fault_jump;
static volatile int fault_sig, fault_code;
static uint8_t fault_frame[VC_FRAME_MAX] __attribute__((aligned(64)));
static volatile size_t fault_frame_len;

void vc_fault_entry(int sig, siginfo_t *si, void *ucv);
void vc_on_fault(int sig, siginfo_t *si, void *ucv);

/*
 * The handler's first instructions clear EFLAGS.AC: an XS_HW_AC step may
 * fault with it set, the kernel keeps it for the handler, and compiled
 * code (sanitizer prologues) makes unaligned accesses that would raise
 * #AC again, forever.
 */
__asm__(".text\n"
	".globl vc_fault_entry\n"
	".type vc_fault_entry, @function\n"
	"vc_fault_entry:\n\t"
	"pushfq\n\t"
	"andl $0xfffbffff, (%rsp)\n\t"
	"popfq\n\t"
	"jmp vc_on_fault\n\t"
	".size vc_fault_entry, . - vc_fault_entry\n");

void vc_on_fault(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t magic = 0, size = 0;

	fault_sig = sig;
	fault_code = si->si_code;
	fault_frame_len = 0;
	if (fp) {
		memcpy(&magic, fp + SW_BYTES_FIELD(magic1), 4);
		memcpy(&size, fp + SW_BYTES_FIELD(xstate_size), 4);
		if (magic == XS_FP_XSTATE_MAGIC1 && size <= VC_FRAME_MAX) {
			memcpy(fault_frame, fp, size);
			fault_frame_len = size;
		}
	}
	siglongjmp(fault_jump, 1);
}

static enum xs_exception classify(int sig, int code)
{
	switch (sig) {
	case SIGILL: return XS_EXC_UD;
	case SIGBUS: return XS_EXC_AC;
	case SIGSEGV: return code == SI_KERNEL ? XS_EXC_GP : XS_EXC_PF;
	default: return XS_EXC_NONE;
	}
}

/* ---- setup ------------------------------------------------------------------ */

int vc_map_slot(struct vslot *s, size_t size)
{
	s->region_size = size;
	s->region = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->region == MAP_FAILED) {
		s->region = NULL;
		return -errno;
	}
	if (mprotect(s->region + size, PAGE, PROT_NONE))
		return -errno;
	s->init = calloc(1, size);
	s->after = calloc(1, size);
	return s->init && s->after ? 0 : -ENOMEM;
}

int vc_engine_as_this_cpu(xs_machine **mp, const xs_cpu *cpu, const struct xs_hw *hw,
			  struct vp_traits *probed, char *skip, size_t size)
{
	int ret = xs_machine_new(mp, cpu);
	xs_machine *m = *mp;

	if (ret)
		return ret;
	if (xs_machine_cpu_info(m)->unmodelled & hw->xcr0) {
		snprintf(skip, size, "XCR0 0x%llx has components the engine does not model",
			 (unsigned long long)hw->xcr0);
		return 0;
	}
	if (xs_xsetbv(m, 0, hw->xcr0) != XS_EXC_NONE)
		return -EINVAL;
	xs_machine_context(m)->cpl = 3;
	return probed ? vp_probe_and_apply(m, cpu, hw, probed) : 0;
}

int vc_arm_xfd(xs_machine *m, uint64_t xfd)
{
	struct xs_exec_context *ctx = xs_machine_context(m);
	unsigned cpl = ctx->cpl;
	enum xs_exception e;

	ctx->cpl = 0;
	e = xs_wrmsr(m, XS_MSR_IA32_XFD, xfd);
	ctx->cpl = cpl;
	return e == XS_EXC_NONE ? 0 : -EINVAL;
}

static int configure_engine(struct verifier *v, struct verify_result *r)
{
	xs_cpu *cpu = xs_cpu_new();
	int ret = cpu ? xs_cpu_from_host(cpu) : -ENOMEM;

	if (!ret)
		ret = vc_engine_as_this_cpu(&v->reset, cpu, &v->hw, v->table_traits ? NULL : &v->probed,
					    r->skip, sizeof(r->skip));
	xs_cpu_free(cpu);
	return ret;
}

/*
 * XFD (§5.3): Linux arms it for AMX TILEDATA until the process asks for
 * permission; with permission, the first use disarms it for good. Ask and
 * use it once; without permission the engine models the armed component
 * and restores never request it.
 */
static void settle_xfd(struct verifier *v)
{
	uint64_t dynamic = 0;
	uint32_t flags;

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (v->xcr0 & XS_BIT(nr) && xs_machine_component_layout(v->reset, nr, NULL, NULL, &flags) &&
		    flags & 4u)
			dynamic |= XS_BIT(nr);
	if (!dynamic)
		return;
	for (uint64_t rest = dynamic; rest; rest &= rest - 1)
		if (syscall(SYS_arch_prctl, XS_ARCH_REQ_XCOMP_PERM, (unsigned long)__builtin_ctzll(rest))) {
			vc_arm_xfd(v->reset, dynamic);
			v->restorable &= ~dynamic;
			return;
		}
	memset(v->state, 0, v->area);
	xs_st64(v->state + HDR_XSTATE_BV, dynamic);
	xs_hw_xrstor(&v->hw, v->state, dynamic, XS_REX_W);	/* first use: the kernel disarms XFD */
	xs_hw_reset(&v->hw);
}

static int setup(struct verifier *v, uint64_t seed, struct verify_result *r)
{
	size_t region;
	int ret = xs_hw_init(&v->hw);

	if (ret == -ENODEV || (!ret && !v->hw.xsave)) {
		snprintf(r->skip, sizeof(r->skip), "this CPU has no XSAVE (or the OS has not enabled it)");
		return 0;
	}
	v->seed = seed;
	v->xcr0 = v->hw.xcr0;
	v->restorable = ~UINT64_C(0);	/* PKRU too: verify_cpu_gen.c keeps key 0 accessible */
	ret = configure_engine(v, r);
	if (ret || r->skip[0])
		return ret;
	if (!(v->m = xs_machine_dup(v->reset)))	/* a case's machine: a copy of v->reset */
		return -ENOMEM;
	v->area = xs_engine_standard_size(v->reset, v->xcr0);
	if (xs_engine_compacted_size(v->reset, v->xcr0) > v->area)
		v->area = xs_engine_compacted_size(v->reset, v->xcr0);
	v->area = (v->area + 63) & ~(size_t)63;
	v->state = aligned_alloc(64, v->area);
	v->noise = malloc(NOISE_SIZE);
	v->frame_copy = malloc(VC_FRAME_MAX);
	if (!v->state || !v->noise || !v->frame_copy)
		return -ENOMEM;
	for (size_t i = 0; i < NOISE_SIZE; i++)
		v->noise[i] = (uint8_t)vu_next(&v->seed);
	region = (v->area + 128 + PAGE - 1) & ~(size_t)(PAGE - 1);
	for (int s = 0; s < NSLOTS; s++)
		if ((ret = vc_map_slot(&v->slots[s], region)))
			return ret;
	memset(v->slots[SLOT_CLEAN].init, 0, region);
	xs_st32(v->slots[SLOT_CLEAN].init + FX_MXCSR, 0x1f80);
	settle_xfd(v);
	return 0;
}

void vc_teardown(struct verifier *v)
{
	for (int s = 0; s < NSLOTS; s++) {
		if (v->slots[s].region)
			munmap(v->slots[s].region, v->slots[s].region_size + PAGE);
		free(v->slots[s].init);
		free(v->slots[s].after);
	}
	xs_machine_free(v->reset);
	xs_machine_free(v->m);
	free(v->state);
	free(v->noise);
	free(v->frame_copy);
}

/* ---- the two runs --------------------------------------------------------- */

static void load_buffers(struct verifier *v)
{
	for (int s = 0; s < NSLOTS; s++)
		memcpy(v->slots[s].region, v->slots[s].init, v->slots[s].region_size);
}

static enum xs_exception engine_step(struct verifier *v, struct vstep *s)
{
	struct xs_insn_args a = {
		.insn = (enum xs_insn)s->insn, .flags = s->flags & XS_REX_W,
		.prefixes = (s->flags & XS_HW_PREFIX_MASK) >> 8,
		.edx_eax = s->arg, .ecx = s->insn == XS_INSN_XSETBV ? 0 : (uint32_t)s->arg,
	};
	struct xs_exec_context *ctx = xs_machine_context(v->m);
	enum xs_exception e;

	if (s->insn == STEP_POKE) {
		memcpy(vc_buf(v, s->slot) + s->poke_at, v->noise + s->poke_from, s->arg);
		return XS_EXC_NONE;
	}
	if (s->slot >= 0) {
		a.buf = vc_buf(v, s->slot);
		a.len = vc_len(v, s->slot);
	}
	ctx->alignment_check = (s->flags & XS_HW_AC) != 0;
	e = xs_execute(v->m, &a);
	ctx->alignment_check = false;
	s->result[0] = a.result;
	return e;
}

/* The engine's registers as XSAVE64 writes them (for a fault's comparison). */
static void engine_state(struct verifier *v)
{
	memset(v->state, 0, v->area);
	xs_xsave(v->m, v->state, v->area, v->xcr0, XS_REX_W);
}

void vc_run_engine(struct verifier *v, struct vcase *c)
{
	load_buffers(v);
	xs_machine_copy(v->m, v->reset);
	for (unsigned i = 0; i < c->nsteps; i++) {
		struct vstep *s = &c->steps[i];

		s->ran[0] = true;
		s->exc[0] = engine_step(v, s);
		if (s->exc[0]) {
			engine_state(v);
			break;
		}
		if (v->hw.xgetbv1)
			xs_xgetbv(v->m, 1, &s->xinuse[0]);
	}
	for (int s = 0; s < NSLOTS; s++)
		memcpy(v->slots[s].after, v->slots[s].region, v->slots[s].region_size);
}

static const uint32_t hw_ops[] = {
	[XS_INSN_FXSAVE] = XS_HW_OP_FXSAVE, [XS_INSN_FXRSTOR] = XS_HW_OP_FXRSTOR,
	[XS_INSN_XSAVE] = XS_HW_OP_XSAVE, [XS_INSN_XSAVEOPT] = XS_HW_OP_XSAVEOPT,
	[XS_INSN_XSAVEC] = XS_HW_OP_XSAVEC, [XS_INSN_XRSTOR] = XS_HW_OP_XRSTOR,
	[XS_INSN_XGETBV] = XS_HW_OP_XGETBV, [STEP_POKE] = XS_HW_OP_POKE,
	[XS_INSN_XSAVES] = XS_HW_OP_XSAVES, [XS_INSN_XRSTORS] = XS_HW_OP_XRSTORS,
	[XS_INSN_XSETBV] = XS_HW_OP_XSETBV,
};

static void to_hw_step(const struct verifier *v, const struct vstep *s, struct xs_hw_step *h)
{
	memset(h, 0, sizeof(*h));
	h->op = hw_ops[s->insn];
	h->flags = s->flags;
	h->arg = s->arg;
	if (s->slot >= 0)
		h->buf = vc_buf(v, s->slot);
	if (s->insn == STEP_POKE) {
		h->buf = vc_buf(v, s->slot) + s->poke_at;
		h->src = v->noise + s->poke_from;
	}
}

/* 0, or -errno when the backend refuses the case. */
static int run_cpu(struct verifier *v, struct vcase *c)
{
	static struct xs_hw_step hs[MAX_STEPS];	/* static: survives the siglongjmp */
	volatile int ret = 0;

	for (unsigned i = 0; i < c->nsteps; i++) {
		to_hw_step(v, &c->steps[i], &hs[i]);
		c->steps[i].ran[1] = false;
		c->steps[i].exc[1] = XS_EXC_NONE;
		c->steps[i].xinuse[1] = c->steps[i].result[1] = 0;
	}
	load_buffers(v);
	fault_sig = 0;
	fault_frame_len = 0;
	if (!sigsetjmp(fault_jump, 1))
		ret = xs_hw_run(&v->hw, hs, c->nsteps);
	if (ret)
		return ret;
	v->frame = fault_frame;
	v->frame_len = fault_frame_len;
	for (unsigned i = 0; i < c->nsteps; i++) {
		struct vstep *s = &c->steps[i];

		s->ran[1] = true;	/* completed, or the one that faulted */
		s->exc[1] = hs[i].done ? XS_EXC_NONE : classify(fault_sig, fault_code);
		s->xinuse[1] = hs[i].xinuse;
		s->result[1] = hs[i].result;
		if (!hs[i].done)
			break;
	}
	return 0;
}

/* ---- the driver -------------------------------------------------------------- */

static int install_handlers(struct sigaction old[3])
{
	static const int sigs[3] = { SIGSEGV, SIGBUS, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vc_fault_entry;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		if (sigaction(sigs[i], &sa, &old[i]))
			return -errno;
	return 0;
}

static void restore_handlers(const struct sigaction old[3])
{
	sigaction(SIGSEGV, &old[0], NULL);
	sigaction(SIGBUS, &old[1], NULL);
	sigaction(SIGILL, &old[2], NULL);
}

int vc_hw_run_caught(const struct xs_hw *hw, struct xs_hw_step *steps, unsigned n, enum xs_exception *exc)
{
	struct sigaction old[3];
	volatile int ret = install_handlers(old);

	*exc = XS_EXC_NONE;
	if (ret)
		return ret;
	fault_sig = 0;
	if (!sigsetjmp(fault_jump, 1))
		ret = xs_hw_run(hw, steps, n);
	else
		*exc = classify(fault_sig, fault_code);
	restore_handlers(old);
	return ret;
}

/*
 * One case; a divergence is re-run on the CPU (same inputs) up to twice:
 * a preemption between two steps can legitimately change XMODIFIED and
 * XRSTOR_INFO (the kernel's own XRSTOR), which only a re-run tells apart.
 * With --record the case goes into the trace as the CPU ran it last.
 */
static int one_case(struct verifier *v, unsigned long n, uint64_t seed,
		    const struct verify_cpu_opts *o, struct verify_result *r, unsigned long *reruns)
{
	struct vcase c;
	struct vc_divergence d;
	uint64_t stream = v->seed;	/* where the case's random bytes begin (a trace rebuilds them) */
	unsigned attempt = 0;
	bool agree;
	int ret;

	vc_make_case(v, &c);
	vc_run_engine(v, &c);
	do {
		if ((ret = run_cpu(v, &c)))
			return ret;
		agree = vc_compare(v, &c, &d);
	} while (!agree && vc_rerun_may_forgive(v, &c, &d) && attempt++ < HW_RERUNS);
	if (o->trace && (ret = vt_write_case(o->trace, v, &c, n, stream, agree)))
		return ret;
	if (agree) {
		r->agree++;
		*reruns += attempt > 0;
		return 0;
	}
	return vg_differ(r, o->groups, v, &c, &d, &(struct vg_example){ .seed = seed, .index = n });
}

int verify_cpu_run(unsigned long iterations, uint64_t seed, const struct verify_cpu_opts *opts,
		   struct verify_result *r)
{
	struct verify_cpu_opts o = opts ? *opts : (struct verify_cpu_opts){ 0 };
	struct verifier v;
	struct sigaction old[3];
	unsigned long reruns = 0, differ;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&v, 0, sizeof(v));
	v.table_traits = o.table_traits;
	ret = setup(&v, seed, r);
	if (!ret && !r->skip[0] && o.record)
		ret = vt_writer_open(&o.trace, o.record, &v, seed);
	if (!ret && !r->skip[0] && !(ret = install_handlers(old))) {
		if (!o.quiet && o.table_traits)
			printf("traits: the table's row for this CPUID, not probed (--traits table)\n");
		else if (!o.quiet)
			vp_report(&v.probed, stdout);
		for (unsigned long n = 0; n < iterations && !ret; n++, r->cases++, progress_tick(r->cases))
			ret = one_case(&v, n, seed, &o, r, &reruns);
		restore_handlers(old);
		if (reruns && !o.quiet)
			printf("%lu case(s) agreed only when re-run on the CPU (the kernel saved and restored the registers mid-case: only fields its round trip changes, at most %u.%u%% of the cases)\n",
			       reruns, VC_RERUN_SHARE_PERMILLE / 10, VC_RERUN_SHARE_PERMILLE % 10);
		differ = r->differ;
		vc_rerun_verdict(r, reruns);
		if (o.groups && r->differ > differ)	/* beyond the share: each one differs */
			ret = vg_add_reruns(o.groups, r->differ - differ);
	}
	if (o.trace)
		ret = vt_writer_close(o.trace, r->cases, ret);	/* the trace's first error, or ret */
	vc_teardown(&v);
	return ret;
}

int verify_cpu(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	return verify_cpu_run(iterations, seed, NULL, r);
}
