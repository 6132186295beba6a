// SPDX-License-Identifier: MIT
/*
 * The machine seen from outside: xs_machine is opaque in the public
 * header, and these read and write its parts (machine.h has the fields).
 * The instructions never come through here.
 */
#include "engine/engine.h"

struct xs_exec_context *xs_machine_context(xs_machine *m)
{
	return &m->ctx;
}

const struct xs_engine_cpu_info *xs_machine_cpu_info(const xs_machine *m)
{
	return &m->cpu;
}

/* A component 2..19 the machine holds: its CPUID 0xD size is not 0 (read_leaf_d). */
static bool holds(const xs_machine *m, unsigned nr)
{
	return nr >= 2 && nr < XS_XFEATURE_MAX && m->comp.size[nr];
}

bool xs_machine_component_layout(const xs_machine *m, unsigned nr, uint32_t *size, uint32_t *offset,
				 uint32_t *flags)
{
	if (!holds(m, nr))
		return false;
	if (size)
		*size = m->comp.size[nr];
	if (offset)
		*offset = m->comp.offset[nr];
	if (flags)
		*flags = m->comp.flags[nr];
	return true;
}

struct xs_x87 *xs_machine_x87(xs_machine *m)
{
	return &m->regs.x87;
}

uint32_t xs_machine_mxcsr(const xs_machine *m)
{
	return m->regs.mxcsr;
}

void xs_machine_set_mxcsr(xs_machine *m, uint32_t mxcsr)
{
	m->regs.mxcsr = mxcsr;
}

uint8_t *xs_machine_component(xs_machine *m, unsigned nr, size_t *len)
{
	size_t n = 0;
	uint8_t *p = NULL;

	if (nr == XS_XFEATURE_SSE) {
		p = &m->regs.xmm[0][0];
		n = sizeof(m->regs.xmm);
	} else if (holds(m, nr)) {
		p = xs_regs_component(&m->regs, nr);
		n = m->comp.size[nr];
	}
	if (len)
		*len = n;
	return p;
}

uint64_t xs_machine_xcr0(const xs_machine *m)
{
	return m->xcr0;
}

uint64_t xs_machine_xss(const xs_machine *m)
{
	return m->xss;
}

uint64_t xs_machine_xfd(const xs_machine *m)
{
	return m->xfd;
}

uint64_t xs_machine_xfd_err(const xs_machine *m)
{
	return m->xfd_err;
}

uint64_t xs_machine_xmodified(const xs_machine *m)
{
	return m->xmodified;
}

void xs_machine_xrstor_info(const xs_machine *m, struct xs_xrstor_info *out)
{
	*out = m->xrstor_info;
}
