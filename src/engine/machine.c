// SPDX-License-Identifier: MIT
/*
 * The machine: a CPU model taken from CPUID (leaf 0xD and feature bits),
 * its control registers after reset and the implementation choices of its
 * microarchitecture (the traits table); the library allocates it (64-byte
 * aligned) and copies it whole. Its accessors are machine_access.c's, the
 * entry checks every instruction makes first entry.c's, the dispatcher
 * xs_execute() execute.c's.
 */
#include <errno.h>
#include <stdlib.h>

#include "engine/engine.h"

static const char *const exception_names[] = {
	[XS_EXC_NONE] = "none", [XS_EXC_UD] = "#UD", [XS_EXC_NM] = "#NM",
	[XS_EXC_GP] = "#GP", [XS_EXC_AC] = "#AC", [XS_EXC_PF] = "#PF",
};

const char *xs_exception_name(enum xs_exception e)
{
	return (unsigned)e <= XS_EXC_PF ? exception_names[e] : "?";
}

static const char *const insn_names[XS_INSN_COUNT][2] = {
	[XS_INSN_FXSAVE] = { "FXSAVE", "FXSAVE64" },
	[XS_INSN_FXRSTOR] = { "FXRSTOR", "FXRSTOR64" },
	[XS_INSN_XSAVE] = { "XSAVE", "XSAVE64" },
	[XS_INSN_XSAVEOPT] = { "XSAVEOPT", "XSAVEOPT64" },
	[XS_INSN_XSAVEC] = { "XSAVEC", "XSAVEC64" },
	[XS_INSN_XSAVES] = { "XSAVES", "XSAVES64" },
	[XS_INSN_XRSTOR] = { "XRSTOR", "XRSTOR64" },
	[XS_INSN_XRSTORS] = { "XRSTORS", "XRSTORS64" },
	[XS_INSN_XGETBV] = { "XGETBV", "XGETBV" },
	[XS_INSN_XSETBV] = { "XSETBV", "XSETBV" },
};

const char *xs_insn_name(enum xs_insn insn, unsigned flags)
{
	return (unsigned)insn < XS_INSN_COUNT ? insn_names[insn][flags & XS_REX_W] : "?";
}

/* Components 0..19 from CPUID leaf 0xD; anything xs_regs cannot hold is left out. */
static void read_leaf_d(struct xs_engine_cpu_info *c, struct xs_engine_cpu *comp, const xs_cpu *cpu)
{
	uint32_t r[4];
	uint64_t all;

	xs_cpuid(cpu, 0xd, 0, r);
	c->xcr0_supported = ((uint64_t)r[3] << 32 | r[0]) | XS_XFEATURE_MASK_FPSSE;
	xs_cpuid(cpu, 0xd, 1, r);
	c->xss_supported = (uint64_t)r[3] << 32 | r[2];
	all = c->xcr0_supported | c->xss_supported;
	c->unmodelled = all & ~((UINT64_C(1) << XS_XFEATURE_MAX) - 1);
	for (uint64_t rest = all & XS_EXTENDED_MASK; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);

		xs_cpuid(cpu, 0xd, nr, r);
		if (!r[0] || r[0] > xs_regs_capacity(nr)) {
			c->unmodelled |= XS_BIT(nr);
			continue;
		}
		comp->size[nr] = r[0];
		comp->offset[nr] = r[1];
		comp->flags[nr] = r[2];
	}
	c->xcr0_supported &= ~c->unmodelled;
	c->xss_supported &= ~c->unmodelled;
}

/*
 * AMX tile palettes (CPUID 1Dh) for the TILECFG checks of §5.1. A model
 * with TILECFG but no leaf 1Dh (a short dump) gets the SDM's palette 1;
 * palettes beyond XS_TILE_PALETTES are left out (they count as
 * unsupported).
 */
static void read_tile_palettes(const struct xs_engine_cpu_info *c, struct xs_engine_cpu *comp,
			       const xs_cpu *cpu)
{
	uint32_t r[4];

	if (!(c->xcr0_supported & XS_XFEATURE_MASK_XTILE_CFG))
		return;
	if (!xs_cpuid(cpu, 0x1d, 0, r) || !r[0]) {
		comp->tile_max_palette = 1;
		comp->tile_palette[1] = (struct xs_tile_palette){ 8, 64, 16 };
		return;
	}
	comp->tile_max_palette = r[0] < XS_TILE_PALETTES ? r[0] : XS_TILE_PALETTES;
	for (unsigned id = 1; id <= comp->tile_max_palette; id++) {
		uint16_t names;

		xs_cpuid(cpu, 0x1d, id, r);
		names = (uint16_t)(r[1] >> 16);
		comp->tile_palette[id] = (struct xs_tile_palette){
			.max_names = names < 8 ? names : 8,	/* the image has room for 8 */
			.bytes_per_row = (uint16_t)r[1],
			.max_rows = (uint16_t)r[2],
		};
	}
}

/* m->cpu and m->comp, on a zeroed machine. */
static void read_cpu(xs_machine *m, const xs_cpu *cpu)
{
	struct xs_engine_cpu_info *c = &m->cpu;
	uint32_t r[4];

	c->fxsr = xs_cpu_has(cpu, XS_CPU_FXSR);
	c->xsave = xs_cpu_has(cpu, XS_CPU_XSAVE);
	c->long_mode = xs_cpu_has(cpu, XS_CPU_LM);
	c->linear_bits = 48;
	if (xs_cpuid(cpu, 0x80000008, 0, r) && ((r[0] >> 8) & 0xff))
		c->linear_bits = (r[0] >> 8) & 0xff;
	if (!c->xsave)
		return;
	c->xsaveopt = xs_cpu_has(cpu, XS_CPU_XSAVEOPT);
	c->xsavec = xs_cpu_has(cpu, XS_CPU_XSAVEC);
	c->xgetbv1 = xs_cpu_has(cpu, XS_CPU_XGETBV1);
	c->xsaves = xs_cpu_has(cpu, XS_CPU_XSAVES);
	c->xfd = xs_cpu_has(cpu, XS_CPU_XFD);
	read_leaf_d(c, &m->comp, cpu);
	read_tile_palettes(c, &m->comp, cpu);
}

/*
 * The implementation's choices where the manuals allow several (§2, §4.5,
 * §8) and MXCSR_MASK: the traits table's row for this CPU (traits.c).
 */
static void apply_traits(xs_machine *m, const xs_cpu *cpu)
{
	struct xs_traits t;

	xs_traits_of(cpu, &t);
	for (unsigned i = 0; i < XS_TRAIT_COUNT; i++)
		xs_machine_set_trait(m, (enum xs_trait)i, t.v[i].value);	/* the table's values are valid */
}

/* The processor after reset (xs_machine_new), on zeroed memory. */
static void reset(xs_machine *m, const xs_cpu *cpu)
{
	read_cpu(m, cpu);
	apply_traits(m, cpu);
	m->ctx.long_mode = m->cpu.long_mode;
	m->ctx.cr4_osfxsr = m->cpu.fxsr;
	m->ctx.cr4_osxsave = m->cpu.xsave;
	m->xcr0 = XS_XFEATURE_MASK_FP;		/* reset value (§6) */
	m->xmodified = ~UINT64_C(0);
	m->regs.mxcsr = XS_MXCSR_DEFAULT;
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (nr < 2 || m->comp.size[nr])
			xs_init_component(m, nr);
}

/* 64-byte aligned (the registers come first): aligned_alloc wants a multiple of the alignment. */
#define MACHINE_BYTES XS_ALIGN(sizeof(xs_machine), 64)

int xs_machine_new(xs_machine **out, const xs_cpu *cpu)
{
	xs_machine *m;

	*out = NULL;
	if (!xs_cpu_has(cpu, XS_CPU_FPU))
		return -EINVAL;
	if (!(m = aligned_alloc(64, MACHINE_BYTES)))
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	reset(m, cpu);
	*out = m;
	return 0;
}

xs_machine *xs_machine_dup(const xs_machine *m)
{
	xs_machine *copy = aligned_alloc(64, MACHINE_BYTES);

	if (copy)
		xs_machine_copy(copy, m);
	return copy;
}

void xs_machine_free(xs_machine *m)
{
	free(m);
}

/* The plans hold offsets, never pointers: the copy's are valid for it (they describe the same model). */
void xs_machine_copy(xs_machine *dst, const xs_machine *src)
{
	memcpy(dst, src, sizeof(*dst));
}
