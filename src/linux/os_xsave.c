// SPDX-License-Identifier: MIT
/*
 * os_xsave() and os_xrstor() (arch/x86/kernel/fpu/xstate.h) on the software
 * engine: the kernel's way of saving a task's or vCPU's registers into its
 * fpstate, with the instruction the kernel picks for this system.
 *
 * This is where the series' "xstate_bv[12] == xcomp_bv[12] == 1" for guests
 * comes from: the RFBM is fpstate->xfeatures, so XSAVES writes CET_S (and
 * sets its XSTATE_BV bit when the registers are in use) only into fpstates
 * sized for it — a guest's under the guest-only policy, never a task's.
 */
#include <errno.h>

#include "linux/linux.h"

/* XSTATE_XSAVE: XSAVES > XSAVEC (5.19+, decided at init) > XSAVEOPT > XSAVE. */
static enum xs_insn os_save_insn(const xs_system *sys)
{
	if (sys->xsaves)
		return XS_INSN_XSAVES;
	if (sys->compacted)
		return XS_INSN_XSAVEC;
	if (xs_system_has(sys, XS_CPU_XSAVEOPT))
		return XS_INSN_XSAVEOPT;
	return XS_INSN_XSAVE;
}

int xs_machine_setup_kernel(xs_machine *m, const xs_system *sys)
{
	if (!sys->xsave)
		return -EOPNOTSUPP;
	xs_machine_context(m)->cpl = 0;
	xs_machine_context(m)->cr4_osxsave = true;
	if (xs_xsetbv(m, 0, sys->xcr0) != XS_EXC_NONE)
		return -EINVAL;
	if (sys->xsaves && xs_wrmsr(m, XS_MSR_IA32_XSS, sys->xss) != XS_EXC_NONE)
		return -EINVAL;
	return 0;
}

/*
 * Saving runs with the fpstate's own IA32_XFD (xfd_update_state() keeps
 * them in sync), so a component still armed in XFD is not written.
 */
static enum xs_exception os_set_xfd(xs_machine *m, const xs_fpstate *fps)
{
	if (!xs_machine_cpu_info(m)->xfd)
		return XS_EXC_NONE;
	return xs_wrmsr(m, XS_MSR_IA32_XFD, fps->xfd);
}

enum xs_exception xs_os_xsave(xs_machine *m, const xs_system *sys, xs_fpstate *fps,
			      struct xs_diag *diag)
{
	struct xs_insn_args a = { .insn = os_save_insn(sys), .flags = XS_REX_W, .buf = fps->regs,
				  .len = fps->size, .edx_eax = fps->xfeatures };
	enum xs_exception e = os_set_xfd(m, fps);

	/* the WARN_ON_FPU the series' last patch adds, as a diagnostic */
	xs_fpstate_guest_only_warning(sys, fps, diag);
	return e != XS_EXC_NONE ? e : xs_execute(m, &a);
}

/*
 * XSTATE_XRESTORE: XRSTORS when the kernel uses XSAVES, else XRSTOR. The
 * RFBM is `mask & max_features`, not the fpstate's xfeatures
 * (restore_fpregs_from_fpstate()): a component the previous owner used but
 * this fpstate lacks must go back to its init state — so restoring a task
 * after a vCPU clears CET_S.
 */
enum xs_exception xs_os_xrstor(xs_machine *m, const xs_system *sys, const xs_fpstate *fps,
			       uint64_t mask)
{
	struct xs_insn_args a = { .insn = sys->xsaves ? XS_INSN_XRSTORS : XS_INSN_XRSTOR,
				  .flags = XS_REX_W, .buf = fps->regs, .len = fps->size,
				  .edx_eax = mask & sys->kernel.max_features };
	enum xs_exception e = os_set_xfd(m, fps);

	return e != XS_EXC_NONE ? e : xs_execute(m, &a);
}
