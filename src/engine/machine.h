/* SPDX-License-Identifier: MIT */
/*
 * The machine inside (src/engine/): what xs_machine holds. The public
 * header declares it opaque and gives accessors (machine.c); the engine's
 * files, the kernel on the engine and the unit tests of the engine's
 * internals read the fields here. Whatever grows with the model — a
 * component (XS_XFEATURE_MAX), a trait, a tile palette — lives here, so no
 * public size depends on it.
 */
#ifndef XS_ENGINE_MACHINE_H
#define XS_ENGINE_MACHINE_H

#include "common/common.h"

/* Tile palettes the engine keeps (CPUID 1Dh may enumerate more: those count as unsupported). */
#define XS_TILE_PALETTES 7

/*
 * What the engine takes from a CPU model besides struct
 * xs_engine_cpu_info: CPUID 0xD.i per component and the AMX tile
 * palettes.
 */
struct xs_engine_cpu {
	uint32_t size[XS_XFEATURE_MAX];		/* 0xD.i EAX (0: not modelled) */
	uint32_t offset[XS_XFEATURE_MAX];	/* 0xD.i EBX: standard-format offset */
	uint32_t flags[XS_XFEATURE_MAX];	/* 0xD.i ECX: 1 supervisor, 2 aligned, 4 XFD */
	/*
	 * AMX tile palettes 1..tile_max_palette (CPUID 1Dh.0 EAX; sub-leaf n:
	 * EBX[31:16] max_names, EBX[15:0] bytes_per_row, ECX[15:0] max_rows),
	 * what a TILECFG image is checked against (§5.1). Without leaf 1Dh an
	 * AMX CPU gets the SDM's palette 1 (8 tiles, 64 bytes, 16 rows).
	 */
	unsigned tile_max_palette;
	struct xs_tile_palette {
		uint16_t max_names, bytes_per_row, max_rows;
	} tile_palette[XS_TILE_PALETTES + 1];
};

/*
 * What the manuals leave to the implementation. xs_machine_new() fills it
 * from the traits table (src/engine/traits.c: vendor, family, model), where
 * every value names its provenance — measured on which machine and when,
 * the manual's section, or assumed; xs_machine_set_trait() changes one
 * (verify runs the engine with the values probed on the CPU at hand). One
 * field per enum xs_trait but MXCSR_MASK (the machine's mxcsr_mask).
 */
struct xs_engine_impl {
	/*
	 * XINUSE[i] = "component i differs from its init configuration",
	 * evaluated on the values (XRSTOR of init data with XSTATE_BV set
	 * leaves XINUSE 0) instead of "1 once loaded from memory" (SDM1
	 * §13.6 allows both). XINUSE[1] covers XMM only; MXCSR is reported
	 * separately by XGETBV(1). Trait xinuse_by_value.
	 */
	bool xinuse_by_value;
	/*
	 * x87 FIP/FDP/FOP are loaded only when the image has an unmasked
	 * exception pending ((FSW & ~FCW & 3Fh) != 0) and become 0 otherwise
	 * (a masked flag or ES alone is not enough). Trait
	 * x87_ptrs_need_exception.
	 */
	bool x87_ptrs_need_exception;
	/* FIP/FDP bits kept by a 64-bit restore, sign-extended from the top
	 * (64 = all). CPUID does not tell: 48 on Zen 3, 57 on Zen 4 and Zen 5,
	 * all with 48 linear-address bits in CPUID. Trait x87_ptr_bits. */
	unsigned x87_ptr_bits;
	/* FCS/FDS always 0 (CPUID.7.0:EBX[13] "FCS/FDS deprecated"). */
	bool fcs_fds_zero;
	/*
	 * With alignment checking on (CPL 3, CR0.AM, EFLAGS.AC), a misaligned
	 * operand whose address is not a multiple of this raises #AC instead
	 * of #GP; 0 = never #AC. Traits fx_ac_align (FXSAVE/FXRSTOR) and
	 * xsave_ac_align (the XSAVE family).
	 */
	unsigned fx_ac_align, xsave_ac_align;
	/*
	 * FXRSTOR ends the modified optimisation for every component (it sets
	 * all of XMODIFIED), not only for x87/SSE (the SDM lets XMODIFIED[i]
	 * be 1 without a change). Trait fxrstor_sets_xmodified.
	 */
	bool fxrstor_sets_xmodified;
	/*
	 * The init optimisation (§4.2-§4.5, SDM1 §13.6). Off: a processor
	 * without it, whose XINUSE[i] is 1 for every component — XSAVEOPT,
	 * XSAVEC and XSAVES write every RFBM component's data, XSTATE_BV of
	 * every save covers all of RFBM and XGETBV(1) returns XCR0. XFD-armed
	 * components (§5.3), and Hi16_ZMM outside 64-bit mode, stay init.
	 */
	bool init_opt;
	/* XSAVEOPT/XSAVES skip components unmodified since the XRSTOR[S]
	 * recorded in XRSTOR_INFO (§4.2, §4.4). */
	bool modified_opt;
};

/*
 * The layout plans (layout.c): for a format mask, where each component
 * lives and which components move as one copy (contiguous both in the
 * buffer and in xs_regs). Derived from the CPU model alone (fixed once the
 * machine is built) and built on first use, so a save or restore is a
 * short list of copies; a new machine starts with none, and a copy of the
 * machine (xs_machine_copy, a memcpy) keeps them valid: they hold offsets,
 * never pointers.
 */
#define XS_ENGINE_PLANS 8
struct xs_engine_plans {
	unsigned n, next, last;
	struct xs_engine_plan {
		uint64_t key;			/* RFBM (standard) or XCOMP_BV, bit 63 set (compacted) */
		uint64_t ext;			/* its components 2..19 */
		uint32_t size;			/* bytes of that format */
		uint32_t off[XS_XFEATURE_MAX];	/* where each component of `ext` lives */
		unsigned nruns;
		struct xs_engine_run {
			uint64_t comps;		/* the components it covers */
			uint32_t at, regs, len;	/* buffer offset, xs_regs offset, bytes */
		} runs[XS_XFEATURE_MAX];
	} plan[XS_ENGINE_PLANS];
};

/*
 * A processor: its model, control state and registers. The registers come
 * first, so that their alignment inside the machine never depends on the
 * other members; xs_machine_new() allocates it 64-byte aligned for the
 * engine's fastest copies.
 */
struct xs_machine {
	xs_regs regs;
	struct xs_engine_cpu_info cpu;	/* what xs_machine_cpu_info() returns */
	struct xs_engine_cpu comp;	/* CPUID 0xD.i and 1Dh */
	struct xs_engine_impl impl;
	struct xs_exec_context ctx;
	uint64_t xcr0;			/* XSETBV (reset: 1) */
	uint64_t xss;			/* IA32_XSS */
	uint64_t xfd, xfd_err;		/* IA32_XFD, IA32_XFD_ERR */
	uint64_t xinuse;		/* read with xs_machine_xinuse() (may be stale by value) */
	uint64_t xinuse_stale;		/* components whose XINUSE is evaluated on demand */
	uint64_t xmodified;		/* XMODIFIED */
	struct xs_xrstor_info xrstor_info;
	uint32_t mxcsr_mask;		/* the CPU's writable MXCSR bits */
	struct xs_engine_plans plans;
};

#endif
