// SPDX-License-Identifier: MIT
/*
 * The control state of the XSAVE feature set (§6, §5.3): XGETBV, XSETBV
 * and the MSRs IA32_XSS, IA32_XFD and IA32_XFD_ERR. Changing XCR0 or the
 * MSRs never changes a register: a component whose XCR0 bit is cleared
 * keeps its state (§6).
 */
#include <stddef.h>

#include "engine/engine.h"

static bool is_supervisor(const struct xs_component *c)
{
	return c->info.supervisor;
}

/* IA32_XSS-only components (the table's supervisor rows) and bit 63: never valid in XCR0 (§6). */
static uint64_t supervisor_bits(void)
{
	return xs_components_where(is_supervisor) | XS_BIT(63);
}

/*
 * XGETBV (§6): ECX 0 reads XCR0; ECX 1 (with CPUID 0Dh.1 EAX[2]) reads
 * XCR0 & XINUSE, where bit 1 is also set while MXCSR != 1F80h (SDM1 §13.6;
 * live CPU). Any other ECX is #GP. Usable at any CPL, in real-address and
 * in virtual-8086 mode.
 */
enum xs_exception xs_xgetbv(xs_machine *m, uint32_t ecx, uint64_t *edx_eax)
{
	uint64_t inuse;

	if (!m->cpu.xsave || !m->ctx.cr4_osxsave)
		return XS_EXC_UD;
	if (ecx == 0) {
		*edx_eax = m->xcr0;
		return XS_EXC_NONE;
	}
	if (ecx != 1 || !m->cpu.xgetbv1)
		return XS_EXC_GP;
	inuse = xs_machine_xinuse(m);
	if (m->regs.mxcsr != XS_MXCSR_DEFAULT)
		inuse |= XS_XFEATURE_MASK_SSE;
	*edx_eax = m->xcr0 & inuse;
	return XS_EXC_NONE;
}

/*
 * The XCR0 value rules of §6 (SDM1 §13.3): only supported user bits, x87
 * always, and each component with its group and what it needs (the
 * table: AVX needs SSE, AVX-512 all three together and with SSE + AVX,
 * MPX and AMX in pairs).
 */
static bool xcr0_valid(const xs_machine *m, uint64_t v)
{
	if (v & ~m->cpu.xcr0_supported || v & supervisor_bits())
		return false;
	if (!(v & XS_XFEATURE_MASK_FP))
		return false;
	for (uint64_t rest = v; rest; rest &= rest - 1) {
		const struct xs_component *c = xs_component(xs_lowest(rest));

		if ((v & c->xcr0_group) != c->xcr0_group || (v & c->xcr0_needs) != c->xcr0_needs)
			return false;
	}
	return true;
}

/*
 * XSETBV (§6): #UD as XGETBV; #GP at CPL > 0 (so always in virtual-8086
 * mode; real-address mode is CPL 0), for ECX != 0 and for an invalid value.
 */
enum xs_exception xs_xsetbv(xs_machine *m, uint32_t ecx, uint64_t edx_eax)
{
	if (!m->cpu.xsave || !m->ctx.cr4_osxsave)
		return XS_EXC_UD;
	if (xs_cpl(m) || ecx != 0 || !xcr0_valid(m, edx_eax))
		return XS_EXC_GP;
	m->xcr0 = edx_eax;
	return XS_EXC_NONE;
}

/* Components XFD can disable: CPUID 0Dh.i ECX[2] (§5.3). */
static uint64_t xfd_capable(const xs_machine *m)
{
	uint64_t mask = 0;

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (m->comp.flags[nr] & XS_LEAF_D_XFD)
			mask |= XS_BIT(nr);
	return mask;
}

/*
 * Where the MSR lives in xs_machine and which bits may be set; false when
 * this CPU has no such MSR. IA32_XSS takes only enumerated supervisor
 * bits; IA32_XFD[_ERR] only XFD-capable components.
 */
static bool msr_info(const xs_machine *m, uint32_t msr, size_t *field, uint64_t *writable)
{
	switch (msr) {
	case XS_MSR_IA32_XSS:
		*field = offsetof(xs_machine, xss);
		*writable = m->cpu.xss_supported & supervisor_bits() & ~XS_BIT(63);
		return m->cpu.xsaves;
	case XS_MSR_IA32_XFD:
	case XS_MSR_IA32_XFD_ERR:
		*field = msr == XS_MSR_IA32_XFD ? offsetof(xs_machine, xfd) : offsetof(xs_machine, xfd_err);
		*writable = xfd_capable(m);
		return m->cpu.xfd;
	default:
		return false;
	}
}

enum xs_exception xs_rdmsr(const xs_machine *m, uint32_t msr, uint64_t *value)
{
	uint64_t writable;
	size_t field;

	if (xs_cpl(m) || !msr_info(m, msr, &field, &writable))
		return XS_EXC_GP;
	memcpy(value, (const uint8_t *)m + field, sizeof(*value));
	return XS_EXC_NONE;
}

/* WRMSR: #GP at CPL > 0, for an absent MSR and for bits the CPU does not support (§6, §5.3). */
enum xs_exception xs_wrmsr(xs_machine *m, uint32_t msr, uint64_t value)
{
	uint64_t writable;
	size_t field;

	if (xs_cpl(m) || !msr_info(m, msr, &field, &writable) || value & ~writable)
		return XS_EXC_GP;
	memcpy((uint8_t *)m + field, &value, sizeof(value));
	return XS_EXC_NONE;
}
