/* SPDX-License-Identifier: MIT */
/* Library-internal helpers shared between source files. */
#ifndef XS_INTERNAL_H
#define XS_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "xstate.h"

#define XS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XS_ALIGN(x, a) (((x) + (a) - 1) & ~((a) - 1))

/* Hot-path views of the system and an fpstate's header (no calls). */
static inline bool xs_aligned64(const xs_system *sys, unsigned nr)
{
	return sys->xstate_flags[nr] & 2u;
}

static inline uint64_t xs_hdr_word(const uint8_t *regs, unsigned word)
{
	uint64_t v;

	__builtin_memcpy(&v, regs + XS_XSAVE_HDR_OFFSET + 8 * word, 8);
	return v;
}

/* cpufeature.c: do_clear_cpu_cap() with a release's cpuid_deps[]. */
uint64_t xs_clear_cpu_caps_at(uint64_t features, uint64_t clear, uint32_t release);
/* identify_cpu() as far as fpu__init_system() cares: sets sys->cpu_features. */
void xs_identify_cpu(xs_system *sys);

/* cmdline.c: what cpu_parse_early_param() and nopku leave behind. */
struct xs_cmdline_effect {
	uint64_t clear;		/* setup_clear_cpu_cap() calls, before dependencies */
	bool pku_disabled;	/* nopku: setup_pku() leaves CR4.PKE and OSPKE clear */
};
/* Read sys->opts.cmdline as sys->opts.kernel does; messages to sys->cpu_log. */
void xs_cpu_parse_early_param(xs_system *sys, struct xs_cmdline_effect *e);

/* kernel.c: the CET-S series patches a release carries. */
uint32_t xs_release_patches(uint32_t release);

/* xstate.c: printk into sys->log, and model notes. */
void xs_printk(xs_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_note(xs_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* xstate.c: fpu__init_system_xstate() */
void xs_fpu__init_system_xstate(xs_system *sys);

/* Hardware's own size answers for a component mask (CPUID 0xD.0/1 EBX). */
unsigned xs_hw_standard_size(const xs_cpu *cpu, uint64_t mask);
/*
 * The bytes of PKRU's slot the kernel writes: 8 (struct pkru_state), or
 * fewer when a hypervisor gives the component fewer (a zero sub-leaf).
 */
static inline unsigned xs_pkru_bytes(const xs_system *sys)
{
	unsigned size = sys->xstate_sizes[XS_XFEATURE_PKRU];

	return size < 8 ? size : 8;
}
/* PKRU into its slot (struct pkru_state: the 32-bit value, then zeros), the bytes the slot has. */
static inline void xs_pkru_write(const xs_system *sys, uint8_t *buf, uint32_t pkru)
{
	uint8_t pk[8] = { 0 };

	memcpy(pk, &pkru, 4);
	memcpy(buf + sys->xstate_offsets[XS_XFEATURE_PKRU], pk, xs_pkru_bytes(sys));
}
/* PKRU from its slot in a standard-format buffer: the bytes the slot has of the 32-bit value. */
static inline uint32_t xs_pkru_read(const xs_system *sys, const uint8_t *buf)
{
	unsigned n = xs_pkru_bytes(sys);
	uint32_t v = 0;

	memcpy(&v, buf + sys->xstate_offsets[XS_XFEATURE_PKRU], n < 4 ? n : 4);
	return v;
}
/* CPUID 0xD sub-leaf beyond XS_XSTATE_COMPONENT_LIMIT? (why: the message) */
bool xs_xsave_leaf_too_large(uint32_t subleaf, const uint32_t r[4], char *why, size_t size);
/* The first CPUID 0xD sub-leaf no real CPU would give (see cpu.c), or 0. */
unsigned xs_cpu_bad_xsave_leaf(const xs_cpu *cpu, char *why, size_t size);
unsigned xs_hw_compacted_size(const xs_cpu *cpu, uint64_t mask);

/* fpstate.c */
xs_fpstate *xs_fpstate_alloc(const struct xs_allocator *a, unsigned size);
void xs_fpstate_free(const struct xs_allocator *a, xs_fpstate *fps);
void xs_xstate_init_xcomp_bv(const xs_system *sys, xs_fpstate *fps, uint64_t mask);
/* fpu_flush_thread(): init_fpstate's legacy area and header into fps. */
void xs_fpstate_copy_init(const xs_system *sys, xs_fpstate *fps);

/* uabi.c */
/* The copy plans of a kernel buffer shape whose components are `features` (xs_buffer_layout). */
void xs_uabi_plan_init(const xs_system *sys, struct xs_buffer_layout *l, uint64_t features);
void xs_verdict_set(struct xs_verdict *v, int err, const char *rule, const char *function,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
uint64_t xs_supervisor_all(const xs_system *sys);

#endif
