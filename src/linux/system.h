/* SPDX-License-Identifier: MIT */
/*
 * The system, as the kernel layer and the layers above it see it: what
 * fpu__init_system() leaves behind for one CPU model (init.c, xstate.c
 * fill it; system.c gives programs their view of it). Programs hold it
 * as the opaque xs_system of the public header.
 */
#ifndef XS_LINUX_SYSTEM_H
#define XS_LINUX_SYSTEM_H

#include "cpu/cpu.h"

#define XS_SYSTEM_LOG_SIZE 8192
#define XS_SYSTEM_MAX_NOTES 12
#define XS_BUFFER_SHAPES 4

/* The result of fpu__init_system() for one CPU model. */
struct xs_system {
	xs_cpu cpu;			/* the model (a copy) */
	struct xs_options opts;		/* as given, defaults filled in */
	uint32_t patches;		/* effective series patches */
	uint64_t cpu_features;		/* the kernel's view, after clearing */

	/*
	 * The kernel does not boot: the CPU lacks what an x86-64 kernel
	 * requires before it starts (FPU, FXSR, SSE, SSE2, LM: the boot code's
	 * cpucheck), or fpu__init_system_early_generic() gave up on a CPU
	 * whose FPU clearcpuid= removed (x86-64 has no math emulation).
	 * Nothing below is set; what needs a booted kernel returns -ENODEV.
	 */
	bool halted;
	char halt_reason[160];
	bool fpu;			/* X86_FEATURE_FPU */
	bool fxsr;
	bool xsave;			/* XSAVE in use (false on the disable path) */
	bool xsaves;
	bool compacted;			/* X86_FEATURE_XCOMPACTED */
	enum xs_format format;
	unsigned legacy_size;		/* 512 (FXSR), 112 (FSAVE), 108 (soft) */

	struct xs_fpu_state_config kernel;	/* fpu_kernel_cfg */
	struct xs_fpu_state_config user;	/* fpu_user_cfg */

	uint64_t user_supported;	/* XFEATURE_MASK_USER_SUPPORTED for this kernel */
	uint64_t supervisor_supported;	/* XFEATURE_MASK_SUPERVISOR_SUPPORTED for this kernel */
	uint64_t supervisor_guest;	/* the guest-only set (0 unless guest-only) */
	uint64_t init_xfd;		/* init_fpstate.xfd */
	uint64_t xcr0;			/* what the kernel writes to XCR0 */
	uint64_t xss;			/* what the kernel writes to IA32_XSS */
	uint32_t mxcsr_feature_mask;
	/* init_fpstate's legacy area as FXSAVE left it at boot (FCW, MXCSR, mask). */
	uint8_t init_fpstate_legacy[512];

	/* setup_xstate_cache(): -1 (0xffffffff) where not enabled. */
	uint32_t xstate_offsets[XS_XFEATURE_MAX];	/* standard format */
	uint32_t xstate_sizes[XS_XFEATURE_MAX];
	uint32_t xstate_flags[XS_XFEATURE_MAX];		/* CPUID 0xD.i ECX */
	uint32_t xstate_comp_offsets[XS_XFEATURE_MAX];	/* compacted, over kernel.max_features */
	unsigned uncompact_order[XS_XFEATURE_MAX];	/* standard-offset order */
	unsigned n_uncompact;

	/*
	 * The four shapes of kernel buffer the kernel makes (XCOMP_BV = default,
	 * default with the dynamic user features a task's first use enlarges
	 * it by, guest default, max features): offsets of every component, and
	 * whether each user component sits at its standard offset (then kernel
	 * <-> UABI copies are single memcpys). Derived at init; a cache for the
	 * UABI copies, found by XCOMP_BV in shape_xcomp_bv (side by side, so a
	 * lookup reads one cache line, not one per layout).
	 */
	uint64_t shape_xcomp_bv[XS_BUFFER_SHAPES];
	struct xs_buffer_layout {
		uint64_t xcomp_bv;
		unsigned offset[XS_XFEATURE_MAX];
		unsigned user_end;	/* end of the last user component */
		bool standard;		/* user part byte-for-byte the standard format */
		/*
		 * The UABI copies of a buffer of this shape whose x87, SSE and
		 * user components are all in use (uabi.c builds them with the
		 * layout): pieces in destination order, neighbours merged, so
		 * a copy runs no per-component logic. xfeatures 0: none.
		 */
		struct xs_copy_plan {
			uint64_t xfeatures;	/* the XSTATE_BV they are for */
			/*
			 * What the copy needs of the system, here so that it reads
			 * the plan alone: to UABI, software word 0 (the user XCR0);
			 * from UABI, the XSTATE_BV bits the kernel buffer keeps
			 * (XFEATURE_MASK_SUPERVISOR_ALL).
			 */
			uint64_t word;
			unsigned end;		/* where the pieces end in the destination */
			unsigned n;
			unsigned pkru_at, pkru_len;	/* PKRU's slot in the UABI buffer, the bytes the kernel writes */
			bool two_copies;	/* to UABI: the legacy area and at most one more copy, nothing else */
			bool wide;		/* runs with 32-byte moves (uabi.c, plan_is_wide()) */
			/* a zero-length piece after the last */
			struct xs_copy_piece {
				uint32_t dst, src, len;	/* src: an offset, or uabi.c's mark for zeros */
			} piece[2 * XS_XFEATURE_MAX + 2];
		} to_uabi, from_uabi;
	} layouts[XS_BUFFER_SHAPES];

	/* Signal frames: fpu__get_fpstate_size() and AT_MINSIGSTKSZ. */
	unsigned fpstate_sigframe_size;
	unsigned max_sigframe_size;

	bool disabled;			/* took the out_disable path */
	char log[XS_SYSTEM_LOG_SIZE];	/* what the kernel printed, one line per \n */
	/*
	 * What the CPU identification code (arch/x86/kernel/cpu/) printed
	 * about the features it cleared before fpu__init_system(): the
	 * clearcpuid= lines of cpu_parse_early_param() and the
	 * filter_cpuid_features() warning, one line per \n. Not "x86/fpu:"
	 * lines: dmesg has them elsewhere (the filter warning once per CPU).
	 */
	char cpu_log[1024];
	unsigned nnotes;
	char notes[XS_SYSTEM_MAX_NOTES][200];	/* model remarks (dump vs computation) */
	struct xs_system_info info;	/* the public view of the above, filled at the end of init */
};

/*
 * fpu__init_system() for `cpu` with `opts` (NULL: defaults). Returns 0, or
 * -EINVAL for invalid options or a CPUID 0xD component beyond
 * XS_XSTATE_COMPONENT_LIMIT (sys unchanged). A CPU the kernel cannot use
 * XSAVE on is not an error: sys->disabled / sys->xsave say what happened;
 * nor is one it cannot boot on at all (no FPU): sys->halted.
 */
int xs_system_init(xs_system *sys, const xs_cpu *cpu, const struct xs_options *opts);

#endif
