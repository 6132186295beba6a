/* SPDX-License-Identifier: MIT */
/*
 * The component table: everything the library knows about one XSAVE state
 * component, in one row (src/common/components.c) — the kernel's names and
 * boot-log strings per release, its CPUID gate, from which release Linux
 * and KVM support it, the architecture's fixed places and XCR0 groups, its
 * image in the engine's register file and init value, the MSRs and regset
 * that hold it outside a buffer, and how the decoder shows it. Every other
 * file derives what it needs from the row; what stays per component
 * elsewhere is a rule of the kernel or the architecture, not a fact about
 * the component (docs/architecture.md, "Adding a state component").
 */
#ifndef XS_COMMON_COMPONENTS_H
#define XS_COMMON_COMPONENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "xstate.h"
#include "common/regs.h"

/*
 * A row's release conditions: an enum xs_kchange (the change from which
 * on it holds, as xs_kernel_has() reads it — XS_K_CET_KERNEL standing for
 * the series patch of that name), or one of these two.
 */
#define XS_SINCE_ALWAYS ((short)XS_K_COUNT)		/* every modelled release */
#define XS_SINCE_NEVER ((short)(XS_K_COUNT + 1))	/* none */

/* How the register decoder (src/decode/) shows a component's bytes. */
enum xs_decoder_kind {
	XS_DEC_BYTES = 0,	/* no decoder: the raw bytes */
	XS_DEC_X87,
	XS_DEC_SSE,
	XS_DEC_YMM,
	XS_DEC_BNDREGS,
	XS_DEC_BNDCSR,
	XS_DEC_OPMASK,
	XS_DEC_ZMM_HI256,
	XS_DEC_HI16_ZMM,
	XS_DEC_PKRU,
	XS_DEC_MSRS,		/* one 64-bit register per MSR of the row, named after it */
	XS_DEC_CET_U,
	XS_DEC_TILECFG,
	XS_DEC_TILEDATA,
	XS_DEC_APX,
	XS_DEC_COUNT
};

/* One boot-log description and the release condition from which on the kernel prints it. */
struct xs_boot_name {
	short since;
	const char *text;
};

/* An MSR holding (part of) the component's state when it is not in an XSAVE buffer. */
struct xs_component_msr {
	const char *name;	/* the SDM's name, "IA32_PL0_SSP" (the decoder shows it in lower case) */
	uint32_t index;
	const char *note;	/* for a VMM saving it (snapshot plans) */
};

#define XS_COMPONENT_MAX_MSRS 3

struct xs_component {
	/*
	 * What xs_xfeature_info() returns: kernel and short names, the
	 * newest boot-log description (boot_names[0]), user/supervisor
	 * (architectural), guest-only, dynamic, the CPUID feature the kernel
	 * gates it on (xsave_cpuid_features[]) and its struct size
	 * (check_xstate_against_struct()).
	 */
	struct xs_xfeature_info info;
	/* xfeature_names[] per release, newest first; the first condition that holds wins */
	struct xs_boot_name boot_names[3];

	/* ---- Linux ---- */
	/* in XFEATURE_MASK_USER_SUPPORTED / _SUPERVISOR_SUPPORTED from this release on */
	short linux_since;
	/* the CPUID gate is info.cpuid_feature from gate_since on, gate_before before (NULL: never kept) */
	short gate_since;
	const char *gate_before;
	bool independent;	/* XFEATURE_MASK_INDEPENDENT: saved apart from task fpstates */
	bool unsupported;	/* XFEATURE_MASK_SUPERVISOR_UNSUPPORTED */
	/* KVM_SUPPORTED_XCR0 (user) or KVM_SUPPORTED_XSS (supervisor) from this release on */
	short kvm_since;
	/* a task's state beside the buffer: its own ptrace regset (NULL: none) */
	const char *regset;
	struct xs_component_msr msrs[XS_COMPONENT_MAX_MSRS];

	/* ---- the architecture ---- */
	/* components 0 and 1: their place in the legacy area (both formats) */
	unsigned short fixed_offset, fixed_size;
	/* XCR0 takes the components of xcr0_group only together, and only with xcr0_needs (§6) */
	uint64_t xcr0_group, xcr0_needs;

	/* ---- the engine (components 2..19) ---- */
	unsigned short regs_offset, regs_capacity;	/* its image inside xs_regs */
	uint64_t init_word;	/* the first 8 bytes of its init configuration (§7); the rest is zero */
	unsigned char vreg_bytes;	/* bytes per vector register (register-indexed components) */
	bool long_mode_only;	/* no bytes at all outside 64-bit mode (§2) */

	/* ---- the decoder ---- */
	unsigned char decoder;		/* enum xs_decoder_kind */
	unsigned short decode_min;	/* the bytes it reads */
};

/* The table itself (components.c), for xs_component() on hot paths. */
extern const struct xs_component xs_component_table[XS_XFEATURE_MAX];

/* The row of component nr; NULL for nr >= XS_XFEATURE_MAX. */
static inline const struct xs_component *xs_component(unsigned nr)
{
	return nr < XS_XFEATURE_MAX ? &xs_component_table[nr] : NULL;
}
/* The components whose row satisfies `has`. */
uint64_t xs_components_where(bool (*has)(const struct xs_component *c));
/* The MSRs of a row in use (names set). */
unsigned xs_component_nmsrs(const struct xs_component *c);

#endif
