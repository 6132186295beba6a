// SPDX-License-Identifier: MIT
/*
 * One instruction by its arguments (struct xs_insn_args): the top of the
 * engine, above every instruction file, for tables of cases and the
 * kernel's os_xsave().
 */
#include "engine/engine.h"

#define LEGACY_PREFIXES (XS_PREFIX_LOCK | XS_PREFIX_66 | XS_PREFIX_F2 | XS_PREFIX_F3)

/*
 * A LOCK, 66, F2 or F3 prefix is #UD for every instruction here (§2.1,
 * §4, §6; live Zen 4, FXSAVE/FXRSTOR included), ahead of #NM and of
 * XSETBV's CPL #GP: checked before anything else.
 */
enum xs_exception xs_execute(xs_machine *m, struct xs_insn_args *a)
{
	if (a->prefixes & LEGACY_PREFIXES)
		return XS_EXC_UD;
	switch (a->insn) {
	case XS_INSN_FXSAVE: return xs_fxsave(m, a->buf, a->len, a->flags);
	case XS_INSN_FXRSTOR: return xs_fxrstor(m, a->buf, a->len, a->flags);
	case XS_INSN_XSAVE: return xs_xsave(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XSAVEOPT: return xs_xsaveopt(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XSAVEC: return xs_xsavec(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XSAVES: return xs_xsaves(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XRSTOR: return xs_xrstor(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XRSTORS: return xs_xrstors(m, a->buf, a->len, a->edx_eax, a->flags);
	case XS_INSN_XGETBV: return xs_xgetbv(m, a->ecx, &a->result);
	case XS_INSN_XSETBV: return xs_xsetbv(m, a->ecx, a->edx_eax);
	default: return XS_EXC_UD;
	}
}
