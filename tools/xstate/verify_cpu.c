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
#include "verify_uabi.h"
#include "le.h"

#define PAGE 4096u
#define FRAME_MAX 16384u
#define HW_RERUNS 2

/* What the signal handler saw: the fault and the registers in the signal frame. */
static sigjmp_buf fault_jump;
static volatile int fault_sig, fault_code;
static uint8_t fault_frame[FRAME_MAX] __attribute__((aligned(64)));
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
		memcpy(&magic, fp + 464, 4);
		memcpy(&size, fp + 464 + 16, 4);
		if (magic == XS_FP_XSTATE_MAGIC1 && size <= FRAME_MAX) {
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

static int map_slot(struct vslot *s, size_t size)
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

int vc_engine_as_this_cpu(xs_machine *m, const xs_cpu *cpu, const struct xs_hw *hw, char *skip,
			  size_t size)
{
	uint8_t fx[512] __attribute__((aligned(64)));
	uint32_t mask;
	int ret = xs_machine_init(m, cpu);

	if (ret)
		return ret;
	if (m->cpu.unmodelled & hw->xcr0) {
		snprintf(skip, size, "XCR0 0x%llx has components the engine does not model",
			 (unsigned long long)hw->xcr0);
		return 0;
	}
	if (xs_xsetbv(m, 0, hw->xcr0) != XS_EXC_NONE)
		return -EINVAL;
	m->ctx.cpl = 3;
	xs_hw_fxsave(hw, fx, 0);
	memcpy(&mask, fx + 28, 4);
	m->mxcsr_mask = mask ? mask : 0xffbf;
	return 0;
}

static int configure_engine(struct verifier *v, struct verify_result *r)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	int ret = cpu ? xs_cpu_from_host(cpu) : -ENOMEM;

	if (!ret)
		ret = vc_engine_as_this_cpu(v->reset, cpu, &v->hw, r->skip, sizeof(r->skip));
	free(cpu);
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

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (v->xcr0 & XS_BIT(nr) && v->reset->cpu.flags[nr] & 4u)
			dynamic |= XS_BIT(nr);
	if (!dynamic)
		return;
	for (uint64_t rest = dynamic; rest; rest &= rest - 1)
		if (syscall(SYS_arch_prctl, XS_ARCH_REQ_XCOMP_PERM, (unsigned long)__builtin_ctzll(rest))) {
			v->reset->xfd = dynamic;
			v->restorable &= ~dynamic;
			return;
		}
	memset(v->state, 0, v->area);
	memcpy(v->state + 512, &dynamic, 8);
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
	v->restorable = ~XS_XFEATURE_MASK_PKRU;	/* a random PKRU would fault our own accesses */
	v->reset = malloc(sizeof(*v->reset));
	v->m = malloc(sizeof(*v->m));
	if (!v->reset || !v->m)
		return -ENOMEM;
	ret = configure_engine(v, r);
	if (ret || r->skip[0])
		return ret;
	v->area = xs_engine_standard_size(v->reset, v->xcr0);
	if (xs_engine_compacted_size(v->reset, v->xcr0) > v->area)
		v->area = xs_engine_compacted_size(v->reset, v->xcr0);
	v->area = (v->area + 63) & ~(size_t)63;
	v->state = aligned_alloc(64, v->area);
	v->noise = malloc(NOISE_SIZE);
	if (!v->state || !v->noise)
		return -ENOMEM;
	for (size_t i = 0; i < NOISE_SIZE; i++)
		v->noise[i] = (uint8_t)vu_next(&v->seed);
	region = (v->area + 128 + PAGE - 1) & ~(size_t)(PAGE - 1);
	for (int s = 0; s < NSLOTS; s++)
		if ((ret = map_slot(&v->slots[s], region)))
			return ret;
	memset(v->slots[SLOT_CLEAN].init, 0, region);
	v->slots[SLOT_CLEAN].init[24] = 0x80, v->slots[SLOT_CLEAN].init[25] = 0x1f;	/* MXCSR */
	settle_xfd(v);
	return 0;
}

static void teardown(struct verifier *v)
{
	for (int s = 0; s < NSLOTS; s++) {
		if (v->slots[s].region)
			munmap(v->slots[s].region, v->slots[s].region_size + PAGE);
		free(v->slots[s].init);
		free(v->slots[s].after);
	}
	free(v->reset);
	free(v->m);
	free(v->state);
	free(v->noise);
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
		.edx_eax = s->arg, .ecx = (uint32_t)s->arg,
	};
	enum xs_exception e;

	if (s->insn == STEP_POKE) {
		memcpy(vc_buf(v, s->slot) + s->poke_at, v->noise + s->poke_from, s->arg);
		return XS_EXC_NONE;
	}
	if (s->slot >= 0) {
		a.buf = vc_buf(v, s->slot);
		a.len = vc_len(v, s->slot);
	}
	v->m->ctx.alignment_check = (s->flags & XS_HW_AC) != 0;
	e = xs_execute(v->m, &a);
	v->m->ctx.alignment_check = false;
	s->result[0] = a.result;
	return e;
}

/* The engine's registers as XSAVE64 writes them (for a fault's comparison). */
static void engine_state(struct verifier *v)
{
	memset(v->state, 0, v->area);
	xs_xsave(v->m, v->state, v->area, v->xcr0, XS_REX_W);
}

static void run_engine(struct verifier *v, struct vcase *c)
{
	load_buffers(v);
	memcpy(v->m, v->reset, sizeof(*v->m));
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
	if (!sigsetjmp(fault_jump, 1))
		ret = xs_hw_run(&v->hw, hs, c->nsteps);
	if (ret)
		return ret;
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

/* ---- comparing -------------------------------------------------------------- */

static void describe_step(const struct verifier *v, const struct vstep *s, char *buf, size_t size)
{
	const char *name = xs_insn_name((enum xs_insn)s->insn, s->flags);

	if (s->insn == STEP_POKE)
		snprintf(buf, size, "a store of %llu bytes into buffer %d at +%zu",
			 (unsigned long long)s->arg, s->slot, s->poke_at);
	else if (s->slot < 0)
		snprintf(buf, size, "%s ECX=0x%llx", name, (unsigned long long)s->arg);
	else
		snprintf(buf, size, "%s%s RFBM=0x%llx buffer %d at +%zu (%zu bytes)", name,
			 s->flags & XS_HW_AC ? " (EFLAGS.AC)" : "",
			 (unsigned long long)(s->arg & v->xcr0), s->slot, v->slots[s->slot].start,
			 vc_len(v, s->slot));
}

/* The step that faulted on either side, or NULL. */
static const struct vstep *faulted(const struct vcase *c)
{
	for (unsigned i = 0; i < c->nsteps; i++)
		if (c->steps[i].exc[0] || c->steps[i].exc[1])
			return &c->steps[i];
	return NULL;
}

static bool compare_steps(const struct verifier *v, const struct vcase *c, char *why, size_t size)
{
	char what[160];

	for (unsigned i = 0; i < c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];

		describe_step(v, s, what, sizeof(what));
		if (s->exc[0] != s->exc[1]) {
			snprintf(why, size, "step %u %s: engine %s, cpu %s", i, what,
				 xs_exception_name(s->exc[0]), xs_exception_name(s->exc[1]));
			return false;
		}
		if (s->exc[0] || !s->ran[0])
			return true;
		if (s->xinuse[0] != s->xinuse[1] || s->result[0] != s->result[1]) {
			snprintf(why, size, "step %u %s: XGETBV%s engine 0x%llx, cpu 0x%llx", i, what,
				 s->xinuse[0] != s->xinuse[1] ? "(1) after it" : " result",
				 (unsigned long long)(s->xinuse[0] != s->xinuse[1] ? s->xinuse[0] : s->result[0]),
				 (unsigned long long)(s->xinuse[0] != s->xinuse[1] ? s->xinuse[1] : s->result[1]));
			return false;
		}
	}
	return true;
}

/* The step that last wrote a slot before the end (for the report). */
static const struct vstep *last_writer(const struct vcase *c, int slot)
{
	const struct vstep *w = NULL;

	for (unsigned i = 0; i < c->nsteps; i++)
		if (c->steps[i].slot == slot && c->steps[i].ran[0] && !c->steps[i].exc[0])
			w = &c->steps[i];
	return w;
}

static bool compare_buffers(const struct verifier *v, const struct vcase *c, char *why, size_t size)
{
	const struct vstep *f = faulted(c);
	char what[160], where[96];

	for (int slot = 0; slot < NSLOTS; slot++) {
		const struct vslot *s = &v->slots[slot];
		size_t n = s->region_size - s->start;
		size_t off = vu_first_difference(s->after + s->start, s->region + s->start, n);
		const struct vstep *w;

		/* a #PF may leave a partly written buffer: the architecture does not fix it */
		if (off >= n || (f && f->exc[1] == XS_EXC_PF && f->slot == slot))
			continue;
		w = last_writer(c, slot);
		if (w)
			describe_step(v, w, what, sizeof(what));
		snprintf(why, size, "buffer %d after %s: %s: engine 0x%02x, cpu 0x%02x", slot,
			 w ? what : "the case", vc_describe(v, c, slot, off, where, sizeof(where)),
			 s->after[s->start + off], s->region[s->start + off]);
		return false;
	}
	return true;
}

/*
 * XSTATE_BV bits the frame has and the engine lacks, for components whose
 * bytes in the frame are their init configuration (all zeros for i >= 2):
 * XINUSE[i] = 1 says nothing (SDM1 §13.6), and a save/restore between
 * the fault and the frame may set it. Seen on Zen 4 under KVM, which
 * intercepts every #AC: the frame of an FXSAVE #AC has XSTATE_BV[2] = 1
 * with YMM_Hi128 all zero whenever ZMM_Hi256 is in use. Any other bit
 * stays a divergence.
 */
static uint64_t init_but_in_use(const struct verifier *v, uint64_t engine_bv, uint64_t frame_bv)
{
	uint64_t extra = frame_bv & ~engine_bv & ~XS_XFEATURE_MASK_FPSSE, ok = 0;

	for (uint64_t rest = extra; rest; rest &= rest - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(rest);
		size_t at = xs_engine_offset(v->reset, 0, nr), size = v->reset->cpu.size[nr];
		size_t i = 0;

		while (i < size && !fault_frame[at + i])
			i++;
		if (at && at + size <= fault_frame_len && i == size)
			ok |= XS_BIT(nr);
	}
	return ok;
}

/*
 * At a fault other than #PF the CPU changed nothing: the registers the
 * kernel saved with XSAVE64 into the signal frame must be the engine's.
 * Bytes 416-511 (the kernel's software area) and the header's reserved
 * part are not register state; neither are XSTATE_BV[1:0], which the
 * kernel sets in every frame, nor in-use bits of init components.
 */
static bool compare_fault_state(struct verifier *v, const struct vcase *c, char *why,
				size_t size)
{
	const struct vstep *f = faulted(c);
	size_t n = xs_engine_standard_size(v->reset, v->xcr0);
	static const size_t ranges[][2] = { { 0, 416 }, { 512, 520 }, { 576, SIZE_MAX } };
	char where[96], what[160];

	if (!f || f->exc[1] == XS_EXC_PF || fault_frame_len < n)
		return true;
	/* Linux sets XSTATE_BV[1:0] in every signal frame (save_xstate_epilog) */
	fault_frame[512] |= 3;
	v->state[512] |= 3;
	xs_st64(fault_frame + 512, xs_ld64(fault_frame + 512) &
		~init_but_in_use(v, xs_ld64(v->state + 512), xs_ld64(fault_frame + 512)));
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		size_t lo = ranges[i][0], hi = ranges[i][1] < n ? ranges[i][1] : n;
		size_t off = lo + vu_first_difference(v->state + lo, fault_frame + lo, hi - lo);

		if (off < hi) {
			describe_step(v, f, what, sizeof(what));
			snprintf(why, size, "registers at the %s fault of %s: %s: engine 0x%02x, cpu 0x%02x",
				 xs_exception_name(f->exc[1]), what,
				 vc_describe(v, c, SLOT_READBACK, off, where, sizeof(where)),
				 v->state[off], fault_frame[off]);
			return false;
		}
	}
	return true;
}

static bool compare(struct verifier *v, const struct vcase *c, char *why, size_t size)
{
	return compare_steps(v, c, why, size) && compare_buffers(v, c, why, size) &&
	       compare_fault_state(v, c, why, size);
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

/*
 * One case; a divergence is re-run on the CPU (same inputs) up to twice:
 * a preemption between two steps can legitimately change XMODIFIED and
 * XRSTOR_INFO (the kernel's own XRSTOR), which only a re-run tells apart.
 */
static int one_case(struct verifier *v, unsigned long n, uint64_t seed, struct verify_result *r,
		    unsigned long *reruns)
{
	struct vcase c;
	char why[400];
	int ret;

	vc_make_case(v, &c);
	run_engine(v, &c);
	for (int attempt = 0; attempt <= HW_RERUNS; attempt++) {
		if ((ret = run_cpu(v, &c)))
			return ret;
		if (compare(v, &c, why, sizeof(why))) {
			r->agree++;
			*reruns += attempt > 0;
			return 0;
		}
	}
	if (!r->differ++)
		snprintf(r->first, sizeof(r->first), "case %lu of seed %llu: %s", n,
			 (unsigned long long)seed, why);
	return 0;
}

int verify_cpu(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	struct verifier v;
	struct sigaction old[3];
	unsigned long reruns = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&v, 0, sizeof(v));
	ret = setup(&v, seed, r);
	if (!ret && !r->skip[0] && !(ret = install_handlers(old))) {
		for (unsigned long n = 0; n < iterations && !ret; n++, r->cases++)
			ret = one_case(&v, n, seed, r, &reruns);
		restore_handlers(old);
		if (reruns)
			printf("%lu case(s) agreed only when re-run on the CPU (the kernel saved and restored the registers mid-case)\n",
			       reruns);
	}
	teardown(&v);
	return ret;
}
