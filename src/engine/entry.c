// SPDX-License-Identifier: MIT
/*
 * What every instruction checks before it touches memory (§2.1, §4, §5.3):
 * #UD, #NM and the alignment #GP/#AC, and the components a save must treat
 * as init. Below the instruction files, which all start here.
 */
#include "engine/engine.h"

/* A misaligned operand: #GP, or #AC where the CPU checks alignment first. */
static enum xs_exception misaligned(const xs_machine *m, uintptr_t addr, unsigned ac_align)
{
	if (ac_align && m->ctx.alignment_check && xs_cpl(m) == 3 && addr % ac_align)
		return XS_EXC_AC;
	return XS_EXC_GP;
}

/*
 * §4 "common to all": #UD when CPUID.1:ECX.XSAVE, the instruction's own
 * CPUID bit or CR4.OSXSAVE is 0; #NM when CR0.TS = 1 (CR0.EM does not
 * matter here); #GP for a linear address not 64-byte aligned — all before
 * any memory access.
 */
enum xs_exception xs_check_xsave_entry(const xs_machine *m, bool cpuid_bit, const void *buf)
{
	if (!m->cpu.xsave || !cpuid_bit || !m->ctx.cr4_osxsave)
		return XS_EXC_UD;
	if (m->ctx.cr0_ts)
		return XS_EXC_NM;
	if ((uintptr_t)buf % XS_XSAVE_ALIGNMENT)
		return misaligned(m, (uintptr_t)buf, m->impl.xsave_ac_align);
	return XS_EXC_NONE;
}

/* §2.1: #UD without FXSR or with CR0.EM (SDM 2007+), #NM on CR0.TS, 16-byte alignment. */
enum xs_exception xs_check_fx_entry(const xs_machine *m, const void *buf)
{
	if (!m->cpu.fxsr || m->ctx.cr0_em)
		return XS_EXC_UD;
	if (m->ctx.cr0_ts)
		return XS_EXC_NM;
	if ((uintptr_t)buf % 16)
		return misaligned(m, (uintptr_t)buf, m->impl.fx_ac_align);
	return XS_EXC_NONE;
}

uint64_t xs_save_as_init(const xs_machine *m)
{
	uint64_t armed = m->xcr0 & m->xfd;	/* §5.3 */

	return m->ctx.long_mode ? armed : armed | XS_XFEATURE_MASK_Hi16_ZMM;
}
