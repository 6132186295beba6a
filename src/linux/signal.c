// SPDX-License-Identifier: MIT
/*
 * Signal frames (arch/x86/kernel/fpu/signal.c): the frame's XSAVE image
 * with its software-reserved bytes (copy_fpstate_to_sigframe,
 * save_xstate_epilog) and what sigreturn does with a frame user space may
 * have changed (__fpu_restore_sig, check_xstate_in_sigframe). For 64-bit
 * frames the kernel runs XRSTOR straight from user memory, so the
 * hardware's header and MXCSR checks decide, not validate_user_xstate_header.
 */
#include <errno.h>
#include <string.h>

#include "linux/linux.h"

unsigned xs_sigframe_fpstate_size(const xs_fpu *task)
{
	const xs_system *sys = task->sys;

	if (!sys->xsave)
		return sys->fxsr ? XS_FXSAVE_SIZE : sys->legacy_size;
	return task->fpstate->user_size + 4;	/* + FP_XSTATE_MAGIC2 */
}

/* save_xstate_epilog(): fx_sw_bytes, MAGIC2, and FP|SSE forced in XSTATE_BV. */
static void save_xstate_epilog(const xs_fpu *task, uint8_t *buf)
{
	const xs_fpstate *fps = task->fpstate;
	struct xs_fx_sw_bytes sw = { 0 };
	uint32_t magic2 = XS_FP_XSTATE_MAGIC2;
	uint64_t bv;

	sw.magic1 = XS_FP_XSTATE_MAGIC1;
	sw.extended_size = fps->user_size + 4;
	sw.xfeatures = fps->user_xfeatures;
	sw.xstate_size = fps->user_size;
	memcpy(buf + XS_SW_BYTES_OFFSET, &sw, sizeof(sw));
	memcpy(buf + fps->user_size, &magic2, 4);
	bv = xs_ld64(buf + XS_XSAVE_HDR_OFFSET) | XS_XFEATURE_MASK_FPSSE;
	memcpy(buf + XS_XSAVE_HDR_OFFSET, &bv, 8);
}

int xs_sigframe_save(const xs_fpu *task, void *out, size_t len)
{
	const xs_system *sys = task->sys;
	const xs_fpstate *fps = task->fpstate;
	uint8_t *buf = out;
	uint64_t rfbm = fps->user_xfeatures, bv;

	if (len < xs_sigframe_fpstate_size(task))
		return -ENOSPC;
	if (!sys->xsave) {
		/* copy_fpregs_to_sigframe(): FXSAVE straight to the frame, no header */
		memcpy(out, fps->regs, sys->fxsr ? XS_FXSAVE_SIZE : sys->legacy_size);
		return 0;
	}
	/*
	 * XSAVE with RFBM = user_xfeatures writes every requested component
	 * (init values where not in use) and XSTATE_BV = XINUSE & RFBM; the
	 * fpstate's XSTATE_BV stands for XINUSE. AMX is written only in use.
	 */
	if (sys->init_xfd)
		rfbm &= xs_fpstate_xstate_bv(fps) |
			(XS_XFEATURE_MASK_USER_SUPPORTED & ~XS_XFEATURE_MASK_XTILE);
	xs_copy_xstate_to_uabi(sys, fps, rfbm, task->pkru, XS_COPY_XSAVE, out, fps->user_size);
	memset(buf + XS_SW_BYTES_OFFSET, 0, XS_SW_BYTES_SIZE);
	/* update_pkru_in_sigframe(): PKRU always travels with the frame */
	if (xs_system_has(sys, XS_CPU_OSPKE) && (fps->user_xfeatures & XS_XFEATURE_MASK_PKRU)) {
		xs_pkru_write(sys, buf, task->pkru);
		bv = xs_ld64(buf + XS_XSAVE_HDR_OFFSET) | XS_XFEATURE_MASK_PKRU;
		memcpy(buf + XS_XSAVE_HDR_OFFSET, &bv, 8);
	}
	save_xstate_epilog(task, buf);
	return 0;
}

/* FXRSTOR's only value check: MXCSR against the CPU's mask. */
static bool mxcsr_faults(const xs_system *sys, const uint8_t *buf)
{
	return xs_ld32(buf + XS_LEG_MXCSR) & ~sys->mxcsr_feature_mask;
}

static enum xs_sigreturn fail(struct xs_verdict *v, const char *rule, const char *why)
{
	xs_verdict_set(v, -EFAULT, rule, "__fpu_restore_sig",
		       "%s: the restore fails, the FPU state is reset and the task gets SIGSEGV", why);
	return XS_SIGRETURN_FAIL;
}

static enum xs_sigreturn restore_fx_only(const xs_system *sys, const uint8_t *buf,
					 struct xs_verdict *v, const char *why)
{
	if (mxcsr_faults(sys, buf))
		return fail(v, "mxcsr.reserved", "FXRSTOR #GP: MXCSR has bits outside the MXCSR mask");
	xs_verdict_set(v, 0, "fx_only", "check_xstate_in_sigframe",
		       "%s: only the FXSAVE part (x87, SSE) is restored, the other components go to their init state",
		       why);
	return XS_SIGRETURN_FX_ONLY;
}

/* XRSTOR (standard form) from the frame: SDM header and MXCSR #GP rules. */
static enum xs_sigreturn restore_xstate(const xs_system *sys, const uint8_t *buf, uint64_t rfbm,
					struct xs_verdict *v)
{
	uint64_t bv = xs_ld64(buf + XS_XSAVE_HDR_OFFSET);

	if (bv & ~sys->xcr0)
		return fail(v, "header.xstate_bv", "XRSTOR #GP: XSTATE_BV has bits outside XCR0");
	for (unsigned i = XS_HDR_XCOMP_BV; i < XS_HDR_RESERVED + 8; i++)
		if (buf[i])
			return fail(v, "header.xcomp_bv", "XRSTOR #GP: header bytes 8..23 (XCOMP_BV and the first reserved word) must be 0");
	if ((rfbm & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)) && mxcsr_faults(sys, buf))
		return fail(v, "mxcsr.reserved", "XRSTOR #GP: MXCSR has bits outside the MXCSR mask");
	xs_verdict_set(v, 0, "accepted", "__fpu_restore_sig",
		       "XRSTOR of components 0x%llx; the task's other user components go to their init state",
		       (unsigned long long)(rfbm & bv));
	return XS_SIGRETURN_XSTATE;
}

/*
 * The frame describes itself: its xstate_size must lie between the legacy
 * area plus header and both the task's user_size and the frame's
 * extended_size, and MAGIC2 follows it. So it was before 6.15, and so it
 * is again since the revert (mainline 7.1, stable 6.18.35) of "x86/fpu:
 * Refine and simplify the magic number check during signal return" —
 * measured on 6.18.44: MAGIC2 moved to a smaller xstate_size restores the
 * extended state, MAGIC2 only after user_size does not.
 */
static enum xs_sigreturn check_frame_sizes(const xs_fpu *task, const uint8_t *b, size_t len,
						 const struct xs_fx_sw_bytes *sw, struct xs_verdict *v)
{
	const xs_system *sys = task->sys;
	const xs_fpstate *fps = task->fpstate;

	if (sw->xstate_size < XS_XSAVE_LEGACY_AND_HDR || sw->xstate_size > fps->user_size ||
	    sw->xstate_size > sw->extended_size)
		return restore_fx_only(sys, b, v, "fx_sw_bytes.xstate_size is out of range");
	if (len < (size_t)sw->xstate_size + 4)
		return fail(v, "length", "the frame ends before FP_XSTATE_MAGIC2");
	if (xs_ld32(b + sw->xstate_size) != XS_FP_XSTATE_MAGIC2)
		return restore_fx_only(sys, b, v, "FP_XSTATE_MAGIC2 is missing after xstate_size");
	return restore_xstate(sys, b, sw->xfeatures & fps->user_xfeatures, v);
}

bool xs_sigreturn_uses_frame_size(uint32_t release)
{
	return !xs_kernel_has(release, XS_K_SIGRETURN_MAGIC2) || xs_kernel_has(release, XS_K_SIGRETURN_REVERT);
}

enum xs_sigreturn xs_sigframe_check(const xs_fpu *task, const void *buf, size_t len,
				    struct xs_verdict *v)
{
	const xs_system *sys = task->sys;
	const xs_fpstate *fps = task->fpstate;
	const uint8_t *b = buf;
	struct xs_fx_sw_bytes sw;

	if (!sys->xsave) {
		if (len < XS_FXSAVE_SIZE)
			return fail(v, "length", "the frame is shorter than the 512-byte FXSAVE image");
		return restore_fx_only(sys, b, v, "no XSAVE");
	}
	if (len < XS_FXSAVE_SIZE)
		return fail(v, "length", "the frame is shorter than the 512-byte FXSAVE image");
	memcpy(&sw, b + XS_SW_BYTES_OFFSET, sizeof(sw));
	if (sw.magic1 != XS_FP_XSTATE_MAGIC1)
		return restore_fx_only(sys, b, v, "fx_sw_bytes.magic1 is not FP_XSTATE_MAGIC1");
	if (xs_sigreturn_uses_frame_size(sys->opts.kernel))
		return check_frame_sizes(task, b, len, &sw, v);
	/* 6.15 .. 6.18.34: MAGIC2 after the *current* user_size, not sw.xstate_size */
	if (len < (size_t)fps->user_size + 4)
		return fail(v, "length", "the frame ends before FP_XSTATE_MAGIC2");
	if (xs_ld32(b + fps->user_size) != XS_FP_XSTATE_MAGIC2)
		return restore_fx_only(sys, b, v, "FP_XSTATE_MAGIC2 is missing after the XSAVE image");
	return restore_xstate(sys, b, sw.xfeatures & fps->user_xfeatures, v);
}
