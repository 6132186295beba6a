/* SPDX-License-Identifier: MIT */
/*
 * libxstate — the Linux x86 extended-state (XSAVE) model.
 *
 * Given a CPU's CPUID data, libxstate says what Linux (>= 6.18 by default)
 * and the hardware do with the XSAVE state components: which are enabled,
 * every buffer size and offset, what each XSAVE-family instruction writes
 * or faults on, and whether a ptrace / signal-frame / KVM buffer is accepted.
 *
 * The objects, in the order data flows (docs/architecture.md has the
 * source layers behind them):
 *   features  (static)      the component table (names, masks, gates)
 *   cpu       xs_cpu        raw CPUID leaves from the host, a file or a string
 *   system    xs_system     the kernel's fpu__init_system_xstate() result
 *   fpstate   xs_fpstate…   task / guest containers and permissions
 *   uabi      —             ptrace / signal frame / KVM buffers
 *   engine    xs_machine    XSAVE-family instructions in software
 *   fleets    xs_baseline   conversions, compatibility, pool baselines, snapshots
 *   registers xs_reg, xs_core  any buffer, and ELF cores, as named registers
 *
 * The objects are opaque: the library allocates them (xs_cpu_new(),
 * xs_system_new(), …, each freed by its xs_*_free()) and programs read them
 * through accessors, so that the model can grow (a state component, a
 * trait) without changing any structure a program was built with; what a
 * program allocates itself has a fixed size (docs/architecture.md, "ABI").
 *
 * Conventions: functions return 0 or a negative errno (the kernel's value
 * where the kernel defines one); nothing is modified when a call fails; the
 * library keeps no global mutable state and does no I/O except in the
 * explicitly named edges (xs_cpu_from_host, xs_cpu_from_file,
 * xs_core_open_fd).
 */
#ifndef XSTATE_H
#define XSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * XS_API marks the library's interface: every function declared here, and
 * nothing else, is exported by libxstate.so, which is built with
 * -fvisibility=hidden and XS_BUILDING_LIBRARY (the tests check the two
 * lists agree). For programs using the library it is empty.
 */
#if defined(XS_BUILDING_LIBRARY) && defined(__GNUC__)
#define XS_API __attribute__((visibility("default")))
#else
#define XS_API
#endif

/*
 * The library's version (docs/architecture.md, "ABI"). The major is the
 * soname, libxstate.so.MAJOR, and rises with any incompatible change; the
 * minor rises with additions. CMakeLists.txt's project() VERSION is the
 * same (the abi_baseline test checks both, and abi/libxstate.abi).
 */
#define XS_VERSION_MAJOR 1
#define XS_VERSION_MINOR 0
#define XS_VERSION_PATCH 0
#define XS_VERSION_STRING "1.0.0"

/* ====================================================================== */
/* Diagnostics                                                            */
/* ====================================================================== */

/*
 * Filled by parsers and validators. `msg` is complete and printable, in the
 * form "FILE:LINE: what was expected" for parse errors.
 */
struct xs_diag {
	unsigned line;		/* 1-based line of the error, 0 if none */
	char msg[512];
};

/*
 * diag (when given) gets the message, line 0; returns err — for programs
 * that report their own errors the way the library does.
 */
XS_API int xs_diag_fail(struct xs_diag *diag, int err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* ====================================================================== */
/* Features: the component table (src/common/components.c)              */
/* ====================================================================== */

/* Component numbers, named as in the kernel's enum xfeature. */
enum xs_xfeature {
	XS_XFEATURE_FP = 0,
	XS_XFEATURE_SSE = 1,
	XS_XFEATURE_YMM = 2,
	XS_XFEATURE_BNDREGS = 3,
	XS_XFEATURE_BNDCSR = 4,
	XS_XFEATURE_OPMASK = 5,
	XS_XFEATURE_ZMM_Hi256 = 6,
	XS_XFEATURE_Hi16_ZMM = 7,
	XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR = 8,
	XS_XFEATURE_PKRU = 9,
	XS_XFEATURE_PASID = 10,
	XS_XFEATURE_CET_USER = 11,
	XS_XFEATURE_CET_KERNEL = 12,
	XS_XFEATURE_RSRVD_COMP_13 = 13,
	XS_XFEATURE_RSRVD_COMP_14 = 14,
	XS_XFEATURE_LBR = 15,
	XS_XFEATURE_RSRVD_COMP_16 = 16,
	XS_XFEATURE_XTILE_CFG = 17,
	XS_XFEATURE_XTILE_DATA = 18,
	XS_XFEATURE_APX = 19,
	XS_XFEATURE_MAX = 20
};

#define XS_BIT(nr) (UINT64_C(1) << (nr))

#define XS_XFEATURE_MASK_FP XS_BIT(XS_XFEATURE_FP)
#define XS_XFEATURE_MASK_SSE XS_BIT(XS_XFEATURE_SSE)
#define XS_XFEATURE_MASK_YMM XS_BIT(XS_XFEATURE_YMM)
#define XS_XFEATURE_MASK_BNDREGS XS_BIT(XS_XFEATURE_BNDREGS)
#define XS_XFEATURE_MASK_BNDCSR XS_BIT(XS_XFEATURE_BNDCSR)
#define XS_XFEATURE_MASK_OPMASK XS_BIT(XS_XFEATURE_OPMASK)
#define XS_XFEATURE_MASK_ZMM_Hi256 XS_BIT(XS_XFEATURE_ZMM_Hi256)
#define XS_XFEATURE_MASK_Hi16_ZMM XS_BIT(XS_XFEATURE_Hi16_ZMM)
#define XS_XFEATURE_MASK_PT XS_BIT(XS_XFEATURE_PT_UNIMPLEMENTED_SO_FAR)
#define XS_XFEATURE_MASK_PKRU XS_BIT(XS_XFEATURE_PKRU)
#define XS_XFEATURE_MASK_PASID XS_BIT(XS_XFEATURE_PASID)
#define XS_XFEATURE_MASK_CET_USER XS_BIT(XS_XFEATURE_CET_USER)
#define XS_XFEATURE_MASK_CET_KERNEL XS_BIT(XS_XFEATURE_CET_KERNEL)
#define XS_XFEATURE_MASK_LBR XS_BIT(XS_XFEATURE_LBR)
#define XS_XFEATURE_MASK_XTILE_CFG XS_BIT(XS_XFEATURE_XTILE_CFG)
#define XS_XFEATURE_MASK_XTILE_DATA XS_BIT(XS_XFEATURE_XTILE_DATA)
#define XS_XFEATURE_MASK_APX XS_BIT(XS_XFEATURE_APX)

#define XS_XFEATURE_MASK_FPSSE (XS_XFEATURE_MASK_FP | XS_XFEATURE_MASK_SSE)
#define XS_XFEATURE_MASK_AVX512 \
	(XS_XFEATURE_MASK_OPMASK | XS_XFEATURE_MASK_ZMM_Hi256 | XS_XFEATURE_MASK_Hi16_ZMM)
#define XS_XFEATURE_MASK_XTILE (XS_XFEATURE_MASK_XTILE_DATA | XS_XFEATURE_MASK_XTILE_CFG)
/* User components the kernel supports (x86-64 build). */
#define XS_XFEATURE_MASK_USER_SUPPORTED                                           \
	(XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_AVX512 | \
	 XS_XFEATURE_MASK_PKRU | XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR | \
	 XS_XFEATURE_MASK_XTILE | XS_XFEATURE_MASK_APX)
#define XS_XFEATURE_MASK_USER_RESTORE (XS_XFEATURE_MASK_USER_SUPPORTED & ~XS_XFEATURE_MASK_PKRU)
#define XS_XFEATURE_MASK_USER_DYNAMIC XS_XFEATURE_MASK_XTILE_DATA
/*
 * The guest-only supervisor set, named as in v4 of the CET supervisor state
 * series (merged as XFEATURE_MASK_GUEST_SUPERVISOR). Under the "guest-only"
 * policy it is CET_KERNEL; xs_system_info()->supervisor_guest holds the
 * effective value for a given policy.
 */
#define XS_XFEATURE_MASK_SUPERVISOR_GUEST XS_XFEATURE_MASK_CET_KERNEL
#define XS_XFEATURE_MASK_INDEPENDENT XS_XFEATURE_MASK_LBR
#define XS_XFEATURE_MASK_SUPERVISOR_UNSUPPORTED XS_XFEATURE_MASK_PT
#define XS_XCOMP_BV_COMPACTED_FORMAT XS_BIT(63)
/* Software flag in guest_perm.state_perm once a vCPU exists (BIT(63)). */
#define XS_FPU_GUEST_PERM_LOCKED XS_BIT(63)

/* Fixed layout constants (asm/fpu/xstate.h). */
#define XS_FXSAVE_SIZE 512u
#define XS_XSAVE_HDR_OFFSET 512u
#define XS_XSAVE_HDR_SIZE 64u
#define XS_XSAVE_LEGACY_AND_HDR 576u
#define XS_XSAVE_ALIGNMENT 64u

/* What the kernel's table knows about one component. */
struct xs_xfeature_info {
	unsigned nr;
	const char *kernel_name;	/* "XFEATURE_CET_KERNEL" */
	const char *short_name;		/* "cet_s": used on command lines */
	const char *description;	/* the exact dmesg string */
	bool supervisor;		/* managed through IA32_XSS */
	bool guest_only;		/* CET_KERNEL under the guest-only policy */
	bool dynamic;			/* needs a permission request (XFD) */
	const char *cpuid_feature;	/* gate, e.g. "shstk"; NULL: never kept */
	unsigned struct_size;		/* the kernel's C struct size; 0: none */
};

/* Table entry for nr < XS_XFEATURE_MAX, NULL otherwise. */
XS_API const struct xs_xfeature_info *xs_xfeature_info(unsigned nr);
/* The kernel's dmesg description (its xfeature_names[], clamped to 20). */
XS_API const char *xs_xfeature_description(unsigned nr);
/* Component number for a short or kernel name ("avx512_opmask", "XFEATURE_PKRU"), or -1. */
XS_API int xs_xfeature_by_name(const char *name);

/* ====================================================================== */
/* CPU: raw CPUID data (src/cpu/; edges cpu_host.c, cpu_file.c)          */
/* ====================================================================== */

struct xs_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t eax, ebx, ecx, edx;
};

/*
 * The largest size or offset a CPUID 0xD sub-leaf 2..62 may give. Real
 * components are at most 8 KiB (AMX TILEDATA); the bound keeps every sum
 * of sizes and offsets far from 32-bit overflow. Dumps beyond it are
 * refused as malformed.
 */
#define XS_XSTATE_COMPONENT_LIMIT 0x100000u

enum xs_cpu_source {
	XS_CPU_SRC_NONE = 0,
	XS_CPU_SRC_HOST,	/* the CPUID instruction */
	XS_CPU_SRC_CPUID_R,	/* Debian `cpuid -r` */
	XS_CPU_SRC_INSTLAT,	/* InstLatx64 dump */
	XS_CPU_SRC_PLAIN	/* "leaf subleaf eax ebx ecx edx" */
};

/* A CPU model: its CPUID leaves, sorted by (leaf, subleaf). */
typedef struct xs_cpu xs_cpu;

/* CPU features the model consults, named as in /proc/cpuinfo. */
enum xs_cpu_feature {
	XS_CPU_FPU,
	XS_CPU_FXSR,
	XS_CPU_XMM,		/* "sse" */
	XS_CPU_XMM2,		/* "sse2" */
	XS_CPU_XSAVE,
	XS_CPU_OSXSAVE,
	XS_CPU_AVX,
	XS_CPU_AVX2,
	XS_CPU_MPX,
	XS_CPU_AVX512F,
	XS_CPU_INTEL_PT,
	XS_CPU_PKU,
	XS_CPU_OSPKE,
	XS_CPU_ENQCMD,
	XS_CPU_SHSTK,
	XS_CPU_IBT,
	XS_CPU_ARCH_LBR,
	XS_CPU_AMX_TILE,
	XS_CPU_APX,
	XS_CPU_XSAVEOPT,
	XS_CPU_XSAVEC,
	XS_CPU_XGETBV1,
	XS_CPU_XSAVES,
	XS_CPU_XFD,
	XS_CPU_LM,
	XS_CPU_HYPERVISOR,
	XS_CPU_MISALIGNSSE,
	XS_CPU_XSAVEERPTR,
	XS_CPU_FDP_EXCPTN_ONLY,
	XS_CPU_ZERO_FCS_FDS,
	XS_CPU_LWP,
	XS_CPU_FEATURE_COUNT
};

/*
 * A CPU model is library-allocated: xs_cpu_new() gives an empty one (NULL
 * when out of memory), xs_cpu_dup() a copy, xs_cpu_free() releases it
 * (NULL is fine). xs_cpu_init() empties one again.
 */
XS_API xs_cpu *xs_cpu_new(void);
XS_API xs_cpu *xs_cpu_dup(const xs_cpu *cpu);
XS_API void xs_cpu_free(xs_cpu *cpu);
/* Empty model. */
XS_API void xs_cpu_init(xs_cpu *cpu);
/* What xs_cpu_finish() derived: "GenuineIntel", the brand string (trimmed), display family/model/stepping. */
XS_API const char *xs_cpu_vendor(const xs_cpu *cpu);
XS_API const char *xs_cpu_brand(const xs_cpu *cpu);
XS_API unsigned xs_cpu_family(const xs_cpu *cpu);
XS_API unsigned xs_cpu_model(const xs_cpu *cpu);
XS_API unsigned xs_cpu_stepping(const xs_cpu *cpu);
/* Where the leaves came from. */
XS_API enum xs_cpu_source xs_cpu_source(const xs_cpu *cpu);
/* The leaves, sorted by (leaf, subleaf): their number, and the i-th (NULL past the end). */
XS_API unsigned xs_cpu_nleaves(const xs_cpu *cpu);
XS_API const struct xs_cpuid_leaf *xs_cpu_leaf(const xs_cpu *cpu, unsigned i);
/* Add or replace one leaf; -ENOSPC when full. Keeps the table sorted. */
XS_API int xs_cpu_set_leaf(xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx,
			   uint32_t ecx, uint32_t edx);
/* Recompute vendor/brand/family/model/stepping after set_leaf calls. */
XS_API void xs_cpu_finish(xs_cpu *cpu);
/*
 * CPUID as the model's CPU answers it: out[0..3] = eax, ebx, ecx, edx.
 * Returns true when the dump holds the leaf; false and zeros otherwise.
 * Leaves without sub-leaves ignore `subleaf`, as the instruction does.
 */
XS_API bool xs_cpuid(const xs_cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Raw CPUID feature bit (before anything the kernel clears). */
XS_API bool xs_cpu_has(const xs_cpu *cpu, enum xs_cpu_feature f);
/* All raw features as a mask over enum xs_cpu_feature. */
XS_API uint64_t xs_cpu_features(const xs_cpu *cpu);
XS_API const char *xs_cpu_feature_name(enum xs_cpu_feature f);
/* Feature number for a /proc/cpuinfo name ("xsaves", "avx512f"), or -1. */
XS_API int xs_cpu_feature_by_name(const char *name);

/*
 * Parse a dump held in memory. The format (cpuid -r, InstLatx64, plain) is
 * detected. `cpu_index` selects the CPU in multi-CPU dumps (cpuid -r blocks
 * "CPU N:", InstLatx64 thread headers); `filename` is only used in messages.
 * Returns 0, -EINVAL (diag says FILE:LINE: what was expected) or -ENOENT
 * (no such CPU index). `cpu` is unchanged on failure. A CPUID 0xD
 * component larger than XS_XSTATE_COMPONENT_LIMIT is malformed input.
 */
XS_API int xs_cpu_parse(xs_cpu *cpu, const char *text, size_t len, unsigned cpu_index,
			const char *filename, struct xs_diag *diag);
/* Number of CPUs a dump describes (at least 1 for a valid dump). */
XS_API int xs_cpu_count(const char *text, size_t len, const char *filename, struct xs_diag *diag);
/* Edge: read and parse a file. -errno for I/O errors (diag says why). */
XS_API int xs_cpu_from_file(xs_cpu *cpu, const char *path, unsigned cpu_index, struct xs_diag *diag);
/* Edge: the CPU this code runs on (CPUID instruction). -ENODEV off x86. */
XS_API int xs_cpu_from_host(xs_cpu *cpu);

enum xs_dump_format { XS_DUMP_PLAIN, XS_DUMP_CPUID_R, XS_DUMP_INSTLAT };
/*
 * Write the model as text in one of the three formats (snprintf-style:
 * returns the length it needs, writes at most `size` bytes with a NUL).
 */
XS_API size_t xs_cpu_dump(const xs_cpu *cpu, enum xs_dump_format fmt, char *buf, size_t size);

/* ====================================================================== */
/* System: the kernel's xstate init (src/linux/init.c, xstate.c,         */
/* releases.c)                                                            */
/* ====================================================================== */

/*
 * The CET supervisor state (component 12) policy — the three cases the
 * series measured.
 */
enum xs_cet_s_policy {
	XS_CET_S_GUEST_ONLY = 0,	/* Linux >= 6.18: guest (vCPU) fpstates only */
	XS_CET_S_OFF,			/* no CET-S at all (before the series) */
	XS_CET_S_ALL			/* CET-S in every task's fpstate */
};

/*
 * The eight changes of the CET supervisor state series (v4 order). A kernel
 * configuration is a set of these; the policies map to sets:
 *   off = PRESERVE_PERM | DROP_GUEST_PERM (the two fixes, no CET-S),
 *   all = patches 1..6, guest-only = all eight.
 * A modelled release (xs_options.kernel) has the patches mainline merged:
 * the first two from 6.16, patches 3..7 from 6.17 — never patch 8, whose
 * warning did not reach mainline; it stays an explicit series option
 * (xs_options.patches).
 */
enum xs_series_patch {
	XS_PATCH_PRESERVE_PERM = 1u << 0,	/* always preserve non-user xfeatures/flags in __state_perm */
	XS_PATCH_DROP_GUEST_PERM = 1u << 1,	/* drop @perm from the guest pseudo FPU container */
	XS_PATCH_CET_KERNEL = 1u << 2,		/* add the CET supervisor xfeature */
	XS_PATCH_GUEST_DEFAULTS = 1u << 3,	/* differentiate default features for host and guest FPUs */
	XS_PATCH_GUEST_PERM_DEFAULTS = 1u << 4, /* initialise guest FPU permissions from guest defaults */
	XS_PATCH_GUEST_FPSTATE_DEFAULTS = 1u << 5, /* initialise guest fpstate and container from guest defaults */
	XS_PATCH_GUEST_ONLY_SET = 1u << 6,	/* introduce the guest-only supervisor xfeature set */
	XS_PATCH_WARN_GUEST_ONLY = 1u << 7,	/* warn on guest-only states in a normal fpstate (v4 only) */
	XS_PATCH_ALL = 0xffu
};

/*
 * Encode a kernel release for xs_options.kernel. XS_KERNEL(6, 18) is the
 * 6.18 series as its newest stable release behaves (every stable backport
 * the change table records); XS_KERNEL_STABLE(6, 18, 34) is one stable
 * release (bits 16..31 hold the sublevel + 1). A change-table row uses
 * XS_KERNEL() for a mainline change (first in x.y.0) and XS_KERNEL_STABLE()
 * for one that reached the modelled series only through a stable release.
 */
#define XS_KERNEL(major, minor) (((uint32_t)(major) << 8) | (uint32_t)(minor))
#define XS_KERNEL_STABLE(major, minor, sub) (XS_KERNEL(major, minor) | ((uint32_t)(sub) + 1u) << 16)
/* The series of a release: XS_KERNEL(major, minor). */
#define XS_KERNEL_SERIES(release) ((uint32_t)(release) & 0xffffu)
#define XS_KERNEL_DEFAULT XS_KERNEL(6, 18)
#define XS_KERNEL_OLDEST XS_KERNEL(5, 10)

/*
 * Behaviour changes of the kernel's xstate code, each introduced by one
 * release (src/linux/releases.c keeps them in one table with the commit
 * subjects).
 */
enum xs_kchange {
	XS_K_PASID,		/* 5.18: ENQCMD re-enabled, PASID state kept */
	XS_K_WARN_TEXTS,	/* 6.2: "XSAVE consistency problem: <what>" */
	XS_K_AMX,		/* 5.16: AMX TILECFG/TILEDATA, XFD, dynamic features */
	XS_K_XCOMP_PRCTL,	/* 5.16: ARCH_GET_XCOMP_SUPP/PERM, ARCH_REQ_XCOMP_PERM */
	XS_K_SIZE_CHECKS_DISABLE, /* 5.16: a failed size check disables XSAVE */
	XS_K_SIGALTSTACK_CHECK,	/* 5.16: sigaltstack size validated for AMX */
	XS_K_GUEST_PRCTL,	/* 5.17: ARCH_*_XCOMP_GUEST_PERM */
	XS_K_KVM_XSAVE2,	/* 5.17: KVM_CAP_XSAVE2, AMX for guests */
	XS_K_PERM_KEEPS_USER,	/* 5.18: requests keep earlier user permissions */
	XS_K_KERNEL_IBT,	/* 5.18: kernel IBT writes IA32_S_CET (beside xstate) */
	XS_K_XCOMPACTED,	/* 5.19: XSAVEC alone gives the compacted format */
	XS_K_KVM_UABI_4096,	/* 5.19: vCPU uabi_size starts at 4096 */
	XS_K_INIT_FPSTATE_MSG,	/* 6.1: "init_fpstate buffer too small" */
	XS_K_PTRACE_PKRU,	/* 6.2: PKRU written through ptrace */
	XS_K_ERRATUM_1386,	/* 6.3: no XSAVES on AMD family 17h */
	XS_K_CET_USER,		/* 6.6: CET user state (shadow stacks) */
	XS_K_SIGRETURN_MAGIC2,	/* 6.15: MAGIC2 after user_size, no size checks */
	XS_K_GUEST_KERNEL_SIZE,	/* 6.15: vCPU fpstate sized from kernel defaults */
	XS_K_APX,		/* 6.16: APX, offset-ordered standard layout */
	XS_K_DISABLE_LOG,	/* 6.16: "x86/fpu: XSAVE disabled" */
	XS_K_PRESERVE_PERM,	/* 6.16: series patch 1 */
	XS_K_DROP_GUEST_PERM,	/* 6.16: series patch 2 */
	XS_K_CET_KERNEL,	/* 6.17: the CET supervisor state series */
	XS_K_KVM_CET,		/* 6.18: KVM virtualises CET (XSS) */
	XS_K_SIGFRAME_SIZE,	/* 5.14: AT_MINSIGSTKSZ, ptrace set sanitised */
	XS_K_SIGRETURN_REVERT,	/* 6.18.35 (mainline 7.1): the 6.15 MAGIC2 change reverted */
	XS_K_XFEATURES_PARANOIA, /* 5.14: "xfeatures modified ... during init" disables XSAVE */
	XS_K_CLEARCPUID_NAMES,	/* 5.19: clearcpuid= takes /proc/cpuinfo names and taints */
	XS_K_PKRU_OSPKE,	/* 6.6: PKRU gated on OSPKE, so nopku drops it */
	XS_K_CLEARCPUID_WARN,	/* 6.15: clearcpuid= warns once per flag and about the taint */
	XS_K_COUNT
};

/* One row of the change table. */
struct xs_kchange_info {
	enum xs_kchange change;
	uint32_t release;		/* first release with the change (XS_KERNEL or _STABLE) */
	const char *area;
	const char *behaviour;		/* before -> after, briefly */
	const char *subject;		/* commit subject(s), verbatim */
	const char *commit;		/* commit id where known, "" otherwise */
};

/* The table, in release order; *n gets its length. */
XS_API const struct xs_kchange_info *xs_kchanges(unsigned *n);
/* Does `release` (XS_KERNEL or XS_KERNEL_STABLE) have `change`? */
XS_API bool xs_kernel_has(uint32_t release, enum xs_kchange change);
/*
 * Parse "6.18" into XS_KERNEL(6, 18) and "5.10.13" into XS_KERNEL_STABLE(5,
 * 10, 13); -EINVAL unless the series is 5.10..5.19 or 6.0..6.18.
 */
XS_API int xs_kernel_parse(const char *s, uint32_t *out);
/* "6.18" or "6.18.34" (buf of 16 bytes is enough). */
XS_API const char *xs_kernel_name(uint32_t release, char *buf, size_t size);
/*
 * A running kernel's uname -r ("6.18.44-fc-v1098", "6.12.0-rc5"): its
 * leading version, parsed as xs_kernel_parse() does; -EINVAL otherwise.
 */
XS_API int xs_kernel_parse_uname(const char *release, uint32_t *out);
/* Is this one of the modelled releases? */
XS_API bool xs_kernel_valid(uint32_t release);

#define XS_CMDLINE_MAX 1024

struct xs_options {
	enum xs_cet_s_policy cet_s;
	/* Kernel release whose behaviour to model; 0 means XS_KERNEL_DEFAULT. */
	uint32_t kernel;
	/*
	 * Series patches applied; 0 means "derive from cet_s". Tests set it to
	 * isolate one change.
	 */
	uint32_t patches;
	/* CPU features cleared like clearcpuid= (mask over enum xs_cpu_feature);
	 * dependent features are cleared with them, as the kernel does. */
	uint64_t clear_features;
	/* CONFIG_IA32_EMULATION (distribution kernels: yes). Affects the
	 * signal frame size and AT_MINSIGSTKSZ. */
	bool no_ia32_emulation;
	/* strict_sas_size / CONFIG_STRICT_SIGALTSTACK_SIZE: sigaltstack() checks
	 * the size even without dynamic features. */
	bool strict_sas_size;
	/*
	 * A kernel command line (the text of /proc/cmdline; "" for none), read
	 * as the modelled release reads it before the FPU is set up: noxsave,
	 * noxsaveopt, noxsaves, nopku and clearcpuid= (bit numbers in every
	 * release, /proc/cpuinfo names from 5.19). What it clears joins
	 * clear_features; what the kernel prints about it goes to
	 * xs_system_cpu_log(). Must be NUL-terminated within the array.
	 */
	char cmdline[XS_CMDLINE_MAX];
};

/* Defaults: guest-only, Linux 6.18, nothing cleared, no command line, IA32 emulation on. */
XS_API void xs_options_init(struct xs_options *opts);
/*
 * The CPU features a kernel command line (the text of /proc/cmdline)
 * clears, read as Linux 6.18 reads it (xs_options.cmdline reads it as the
 * modelled release does): noxsave, noxsaveopt, noxsaves, clearcpuid=
 * numbers and /proc/cpuinfo names, and nopku as XS_CPU_OSPKE (the kernel
 * keeps PKU and does not enable protection keys). Flags the model does
 * not know are ignored, as the kernel ignores unknown names.
 */
XS_API uint64_t xs_cmdline_cleared_features(const char *cmdline);
/* Parse "off" / "guest-only" / "all"; -EINVAL otherwise. */
XS_API int xs_cet_s_policy_parse(const char *s, enum xs_cet_s_policy *out);
XS_API const char *xs_cet_s_policy_name(enum xs_cet_s_policy p);
/* Patch set a policy stands for (see enum xs_series_patch). */
XS_API uint32_t xs_cet_s_policy_patches(enum xs_cet_s_policy p);

/* Bytes of a new task's and a new vCPU's fpstate under one policy. */
struct xs_policy_cost {
	enum xs_cet_s_policy policy;
	unsigned task_bytes;	/* kernel.default_size */
	unsigned vcpu_bytes;	/* kernel.guest_default_size */
};

/*
 * The three policies in the series' order (off, guest-only, all) for a CPU
 * with otherwise `base` options (NULL: defaults). -EINVAL for bad options.
 */
XS_API int xs_policy_costs(const xs_cpu *cpu, const struct xs_options *base, struct xs_policy_cost out[3]);

/* The kernel's struct fpu_state_config (v4 layout, with guest defaults). */
struct xs_fpu_state_config {
	unsigned max_size;
	unsigned default_size;
	unsigned guest_default_size;
	uint64_t max_features;
	uint64_t default_features;
	uint64_t guest_default_features;
	uint64_t legacy_features;	/* user config only */
	uint64_t independent_features;	/* kernel config only */
};

enum xs_format { XS_FORMAT_NONE = 0, XS_FORMAT_STANDARD, XS_FORMAT_COMPACTED };


/*
 * What fpu__init_system() decided, everything of a fixed size. The library
 * owns it (xs_system_info() points into the system): new members go at
 * the end, so programs built against an older header keep working.
 */
struct xs_system_info {
	uint32_t patches;		/* effective series patches */
	uint64_t cpu_features;		/* the kernel's view, after clearing (enum xs_cpu_feature bits) */
	/*
	 * The kernel does not boot: the CPU lacks what an x86-64 kernel
	 * requires before it starts (FPU, FXSR, SSE, SSE2, LM: the boot code's
	 * cpucheck), or fpu__init_system_early_generic() gave up on a CPU
	 * whose FPU clearcpuid= removed (x86-64 has no math emulation).
	 * Nothing below is set; what needs a booted kernel returns -ENODEV.
	 */
	bool halted;
	const char *halt_reason;	/* why ("" unless halted) */
	bool fpu;			/* X86_FEATURE_FPU */
	bool fxsr;
	bool xsave;			/* XSAVE in use (false on the disable path) */
	bool xsaves;
	bool compacted;			/* X86_FEATURE_XCOMPACTED */
	bool disabled;			/* took the out_disable path */
	enum xs_format format;
	unsigned legacy_size;		/* 512 (FXSR), 112 (FSAVE), 108 (soft) */
	struct xs_fpu_state_config kernel;	/* fpu_kernel_cfg */
	struct xs_fpu_state_config user;	/* fpu_user_cfg */
	/* The merged kernel's guest_default_cfg (same numbers as kernel.guest_default_*). */
	unsigned guest_default_size;
	uint64_t guest_default_features;
	uint64_t user_supported;	/* XFEATURE_MASK_USER_SUPPORTED for this kernel */
	uint64_t supervisor_supported;	/* XFEATURE_MASK_SUPERVISOR_SUPPORTED for this kernel */
	uint64_t supervisor_guest;	/* the guest-only set (0 unless guest-only) */
	uint64_t init_xfd;		/* init_fpstate.xfd */
	uint64_t xcr0;			/* what the kernel writes to XCR0 */
	uint64_t xss;			/* what the kernel writes to IA32_XSS */
	uint32_t mxcsr_feature_mask;
	/* Signal frames: fpu__get_fpstate_size() and AT_MINSIGSTKSZ. */
	unsigned fpstate_sigframe_size;
	unsigned max_sigframe_size;
	/* init_fpstate's legacy area as FXSAVE left it at boot (FCW, MXCSR, mask): 512 bytes. */
	const uint8_t *init_fpstate_legacy;
};

/* The result of fpu__init_system() for one CPU model. */
typedef struct xs_system xs_system;

/*
 * A system is library-allocated. xs_system_new() runs fpu__init_system()
 * for `cpu` with `opts` (NULL: defaults) and stores the result in *out:
 * 0; -ENOMEM; -EINVAL for invalid options or a CPUID 0xD component beyond
 * XS_XSTATE_COMPONENT_LIMIT (nothing allocated on failure). A CPU the
 * kernel cannot use XSAVE on is not an error (info->disabled, info->xsave
 * say what happened), nor is one it cannot boot on at all (info->halted).
 * xs_system_free() releases it (NULL is fine).
 */
XS_API int xs_system_new(xs_system **out, const xs_cpu *cpu, const struct xs_options *opts);
XS_API void xs_system_free(xs_system *sys);
/* The CPU model (the system's own copy) and the options, defaults filled in. */
XS_API const xs_cpu *xs_system_cpu(const xs_system *sys);
XS_API const struct xs_options *xs_system_options(const xs_system *sys);

XS_API const struct xs_system_info *xs_system_info(const xs_system *sys);

/*
 * setup_xstate_cache() for one component: 0xffffffff where the kernel does
 * not enable it (flags 0); a supervisor component has no standard offset.
 */
struct xs_component_info {
	uint32_t offset;		/* standard format */
	uint32_t size;
	uint32_t flags;			/* CPUID 0xD.nr ECX */
	uint32_t comp_offset;		/* compacted, over kernel.max_features */
};
/* 0, or -ENOENT for nr >= XS_XFEATURE_MAX. */
XS_API int xs_system_component(const xs_system *sys, unsigned nr, struct xs_component_info *out);
/*
 * The enabled components in standard-offset order (the kernel's
 * xfeature_uncompact_order[]): at most `max` into order[]; returns how
 * many there are.
 */
XS_API unsigned xs_system_uncompact_order(const xs_system *sys, unsigned *order, unsigned max);
/* What the kernel printed: its x86/fpu lines, one per \n. */
XS_API const char *xs_system_log(const xs_system *sys);
/*
 * What the CPU identification code (arch/x86/kernel/cpu/) printed about
 * the features it cleared before fpu__init_system(): the clearcpuid=
 * lines of cpu_parse_early_param() and the filter_cpuid_features()
 * warning, one line per \n ("" for none).
 */
XS_API const char *xs_system_cpu_log(const xs_system *sys);
/* The model's remarks (the dump against the computation): how many, and the i-th (NULL past the end). */
XS_API unsigned xs_system_nnotes(const xs_system *sys);
XS_API const char *xs_system_note(const xs_system *sys, unsigned i);

/*
 * Can tasks and vCPUs exist on this model? 0; -ENODEV when the boot
 * halted; -ERANGE when the kernel's own size arithmetic gave a buffer
 * smaller than the 576-byte legacy area and header (a CPUID 0xD sub-leaf
 * that gives the topmost component no bytes, as a hypervisor may: the
 * kernel would then write past its buffers). xs_fpu_new() refuses both.
 */
XS_API int xs_system_usable(const xs_system *sys);

/* xstate_calculate_size(): bytes for `mask` in either format. */
XS_API unsigned xs_xstate_calculate_size(const xs_system *sys, uint64_t mask, bool compacted);
/* xfeature_get_offset(): offset of `nr` in a buffer with this xcomp_bv. */
XS_API unsigned xs_xfeature_get_offset(const xs_system *sys, uint64_t xcomp_bv, unsigned nr);
/* Is the component aligned to 64 bytes in the compacted format? */
XS_API bool xs_xfeature_is_aligned64(const xs_system *sys, unsigned nr);

/* Components the CPU enumerates in CPUID 0xD.0 EDX:EAX | 0xD.1 EDX:ECX. */
XS_API uint64_t xs_cpu_xfeatures(const xs_cpu *cpu);
/*
 * Why the kernel does not keep component `nr`: returns true and leaves
 * `why` empty when it is in kernel.max_features; false with a sentence in
 * `why` otherwise ("needs CPU feature 'shstk'", "supervisor state needs
 * XSAVES", …).
 */
XS_API bool xs_xfeature_status(const xs_system *sys, unsigned nr, char *why, size_t size);

/* The kernel's feature tests, after clearcpuid and quirks. */
XS_API bool xs_system_has(const xs_system *sys, enum xs_cpu_feature f);


/* ====================================================================== */
/* fpstate, fpu, fpu_guest and permissions (src/linux/core.c, perm.c)    */
/* ====================================================================== */

/*
 * Memory for fpstates. alloc() returns `size` bytes aligned to 64, or NULL;
 * the library zeroes them (vzalloc semantics). NULL allocator: malloc.
 */
struct xs_allocator {
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	void *ctx;
};

/*
 * What struct fpstate says about its register image. The library owns it
 * (xs_fpstate_info() points into the fpstate, so it follows every
 * change): new members go at the end.
 */
struct xs_fpstate_info {
	unsigned size;			/* bytes of the image (kernel format) */
	unsigned user_size;		/* UABI (standard format) size */
	uint64_t xfeatures;		/* what the buffer is sized for; XSAVE RFBM */
	uint64_t user_xfeatures;	/* what UABI buffers may carry */
	uint64_t xfd;			/* IA32_XFD while this fpstate is active */
	bool is_valloc;			/* reallocated (not the task's first buffer) */
	bool is_guest;			/* a KVM vCPU's fpstate */
	bool is_confidential;		/* a confidential guest's (SEV-ES, SNP, TDX): KVM cannot read it */
	bool in_use;			/* a guest fpstate swapped in as the active one */
};

/* struct fpstate: a register image and what it is sized for (made by the kernel calls below). */
typedef struct xs_fpstate xs_fpstate;

XS_API const struct xs_fpstate_info *xs_fpstate_info(const xs_fpstate *fps);
/* The XSAVE image: 64-byte aligned, info->size bytes. */
XS_API uint8_t *xs_fpstate_regs(xs_fpstate *fps);
/* Mark a guest's fpstate confidential, as KVM does for SEV-ES, SNP and TDX vCPUs. */
XS_API void xs_fpstate_set_confidential(xs_fpstate *fps, bool confidential);

/* struct fpu_state_perm */
struct xs_fpu_state_perm {
	uint64_t state_perm;		/* user AND supervisor components (+ flags) */
	unsigned state_size;		/* kernel buffer size for state_perm */
	unsigned user_state_size;	/* UABI size for its user part */
};

#define XS_FPU_MAX_THREADS 8

/*
 * struct fpu of a process (its thread-group leader, where permissions
 * live), and the sigaltstack sizes of its threads.
 */
typedef struct xs_fpu xs_fpu;

/*
 * struct fpu_guest: the VMM's container for one vCPU. It has no
 * permission of its own: guest permissions are the owning process's
 * guest_perm ("x86/fpu: Drop @perm from guest pseudo FPU container").
 */
typedef struct xs_fpu_guest xs_fpu_guest;
/* What the container says (library-owned, like struct xs_fpstate_info). */
struct xs_fpu_guest_info {
	uint64_t xfeatures;		/* enabled for the vCPU */
	uint64_t xfd_err;
	unsigned uabi_size;		/* KVM_GET_XSAVE2 / KVM_SET_XSAVE size */
};

/* arch_prctl options (asm/prctl.h). */
#define XS_ARCH_GET_XCOMP_SUPP 0x1021
#define XS_ARCH_GET_XCOMP_PERM 0x1022
#define XS_ARCH_REQ_XCOMP_PERM 0x1023
#define XS_ARCH_GET_XCOMP_GUEST_PERM 0x1024
#define XS_ARCH_REQ_XCOMP_GUEST_PERM 0x1025


/*
 * A new process (fpstate_reset + fpu_flush_thread) on `sys`, which must
 * outlive it; its fpstates come from `alloc` (NULL: malloc). 0 and *out;
 * -ENOMEM; xs_system_usable()'s errors (nothing allocated on failure).
 * xs_fpu_free() releases it and its fpstates (NULL is fine).
 */
XS_API int xs_fpu_new(xs_fpu **out, const xs_system *sys, const struct xs_allocator *alloc);
XS_API void xs_fpu_free(xs_fpu *fpu);
/* The active fpstate (a vCPU's while xs_fpu_swap_kvm_fpstate() has entered it). */
XS_API xs_fpstate *xs_fpu_fpstate(const xs_fpu *fpu);
/* The process's permissions: its own (struct fpu's perm), or its vCPUs' (guest_perm). */
XS_API const struct xs_fpu_state_perm *xs_fpu_perm(const xs_fpu *fpu, bool guest);
/* thread.pkru: the PKRU value the task's UABI buffers carry. */
XS_API uint32_t xs_fpu_pkru(const xs_fpu *fpu);
XS_API void xs_fpu_set_pkru(xs_fpu *fpu, uint32_t pkru);

/*
 * A VMM's container for one vCPU, empty until xs_fpu_alloc_guest_fpstate().
 * xs_fpu_guest_new(): NULL when out of memory. xs_fpu_guest_free() also
 * frees an fpstate it still holds, unless that is in use (NULL is fine).
 */
XS_API xs_fpu_guest *xs_fpu_guest_new(void);
XS_API void xs_fpu_guest_free(xs_fpu_guest *gfpu);
XS_API xs_fpstate *xs_fpu_guest_fpstate(const xs_fpu_guest *gfpu);
XS_API const struct xs_fpu_guest_info *xs_fpu_guest_info(const xs_fpu_guest *gfpu);
/*
 * KVM's flags for the VM (kvm->arch.has_protected_state: SEV-ES, SNP, TDX)
 * and the vCPU (vcpu->arch.guest_state_protected); false on a normal VM.
 */
XS_API void xs_fpu_guest_set_protected(xs_fpu_guest *gfpu, bool has_protected_state,
				       bool guest_state_protected);

/* XSTATE_BV / XCOMP_BV from an fpstate's in-buffer header. */
XS_API uint64_t xs_fpstate_xstate_bv(const xs_fpstate *fps);
XS_API uint64_t xs_fpstate_xcomp_bv(const xs_fpstate *fps);

/*
 * arch_prctl(option, arg2) for the xstate options: GET options store into
 * *uptr (NULL: -EFAULT, like a bad user pointer); REQ options take the
 * component number in arg2. Returns 0 or the kernel's -errno; refusals
 * change nothing.
 */
XS_API long xs_arch_prctl(xs_fpu *fpu, int option, unsigned long arg2, uint64_t *uptr);

/*
 * sigaltstack() for thread `thread` (0..XS_FPU_MAX_THREADS-1) of the
 * process: 0, or -ENOMEM when the kernel finds the stack too small for the
 * permitted state (sigaltstack_size_valid). size 0 disables the stack.
 */
XS_API int xs_sigaltstack(xs_fpu *fpu, unsigned thread, size_t size);

/*
 * First use of a dynamic feature (#NM with IA32_XFD_ERR = xfd_err):
 * 0 (fpstate enlarged), -EPERM (not permitted: SIGILL), -EFAULT (no
 * memory: SIGSEGV). __xfd_enable_feature().
 */
XS_API int xs_xfd_enable_feature(xs_fpu *fpu, uint64_t xfd_err);

/*
 * A vCPU's fpstate (fpu_alloc_guest_fpstate): sized from the guest
 * defaults, locks the owner's guest permissions. 0 or -ENOMEM.
 */
XS_API int xs_fpu_alloc_guest_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu);
/* fpu_free_guest_fpstate; refused (returns -EBUSY) while it is in use. */
XS_API int xs_fpu_free_guest_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu);
/* fpu_enable_guest_xfd_features: 0, -EPERM, -EFAULT. */
XS_API int xs_fpu_enable_guest_xfd_features(xs_fpu *owner, xs_fpu_guest *gfpu, uint64_t xfeatures);
/* fpu_swap_kvm_fpstate: make the guest's fpstate the active one (enter) or not. */
XS_API int xs_fpu_swap_kvm_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu, bool enter);

/*
 * "x86/fpu/xstate: Warn if guest-only supervisor states are detected in
 * normal fpstate": true (and a message in diag) when a non-guest fpstate
 * is sized for a guest-only component — what os_xsave() warns about. Only
 * under the series model with XS_PATCH_WARN_GUEST_ONLY in
 * xs_options.patches: v4's patch 8 never reached mainline, so no modelled
 * release warns.
 */
XS_API bool xs_fpstate_guest_only_warning(const xs_system *sys, const xs_fpstate *fps,
					  struct xs_diag *diag);


/* ====================================================================== */
/* User-ABI buffers: ptrace, signal frames, KVM (src/linux/uabi.c,        */
/* regset.c, signal.c, kvm.c; src/fleet/view.c, convert.c)                */
/* ====================================================================== */

/*
 * The kernel's verdict on a user buffer: err 0 (accepted) or the -errno the
 * kernel returns; `rule` is a stable identifier, `function` the kernel
 * function applying it, `reason` a sentence for people.
 */
struct xs_verdict {
	int err;
	const char *rule;
	const char *function;
	char reason[256];
};

/* "EINVAL" for -EINVAL (or EINVAL), "0" for 0, "E?" for unknown. */
XS_API const char *xs_errno_name(int err);

/* __copy_xstate_to_uabi_buf() copy modes. */
enum xs_copy_mode { XS_COPY_FP, XS_COPY_FX, XS_COPY_XSAVE };

/*
 * Kernel fpstate -> standard-format UABI buffer of `len` bytes (zero-filled
 * beyond what is written): the legacy area and components in the mask come
 * from the fpstate where XSTATE_BV says so, from init_fpstate otherwise;
 * PKRU is taken from `pkru`. Bytes 464..511 carry the XCR0 word.
 */
XS_API void xs_copy_xstate_to_uabi(const xs_system *sys, const xs_fpstate *fps, uint64_t mask,
				   uint32_t pkru, enum xs_copy_mode mode, void *out, size_t len);

/*
 * Standard-format UABI buffer -> kernel fpstate (copy_uabi_to_xstate):
 * header and MXCSR validation with the kernel's errno; on success the user
 * components are loaded, supervisor state is kept, and *pkru is updated
 * (bit 9 set: the buffer's value; clear: 0; pkru NULL: unchanged, as KVM).
 * -EFAULT when `len` cannot hold what the header selects.
 */
XS_API int xs_copy_uabi_to_xstate(const xs_system *sys, xs_fpstate *fps, const void *buf, size_t len,
				  uint32_t *pkru, struct xs_verdict *v);

/*
 * The checks of copy_uabi_to_xstate() alone (header, MXCSR, length) for a
 * buffer destined for `fps`: 0 or the kernel's -errno; nothing changes.
 */
XS_API int xs_uabi_validate(const xs_system *sys, const xs_fpstate *fps, const void *buf, size_t len,
			    struct xs_verdict *v);

/* ---- ptrace (NT_X86_XSTATE, regset.c) ---- */

/* Regset size: user.max_size (n = size / 8 elements of 8 bytes). */
XS_API unsigned xs_ptrace_xstate_size(const xs_system *sys);
/*
 * PTRACE_GETREGSET: fills min(iov_len, size) bytes; -EINVAL unless iov_len
 * is a multiple of 8; -ENODEV without XSAVE. *copied gets the length.
 */
XS_API int xs_ptrace_getregset(const xs_fpu *tracee, void *out, size_t iov_len, size_t *copied);
/* PTRACE_SETREGSET with the kernel's checks; the tracee changes only on success. */
XS_API int xs_ptrace_setregset(xs_fpu *tracee, const void *buf, size_t iov_len, struct xs_verdict *v);

/* ---- signal frames (signal.c) ---- */

#define XS_FP_XSTATE_MAGIC1 0x46505853u
#define XS_FP_XSTATE_MAGIC2 0x46505845u

/*
 * Bytes 464..511 of the legacy area are reserved for software: struct
 * _fpx_sw_bytes in a signal frame, the user XCR0 word (its first 8 bytes)
 * in a ptrace regset and in a core file's NT_X86_XSTATE.
 */
#define XS_SW_BYTES_OFFSET 464u
#define XS_SW_BYTES_SIZE 48u

/* struct _fpx_sw_bytes at XS_SW_BYTES_OFFSET of the frame's fpstate. */
struct xs_fx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

/* How sigreturn would treat a frame. */
enum xs_sigreturn {
	XS_SIGRETURN_XSTATE,	/* XRSTOR of the frame's components */
	XS_SIGRETURN_FX_ONLY,	/* magic missing: only the FXSAVE part (FP, SSE) */
	XS_SIGRETURN_FAIL	/* the restore faults: state reset, SIGSEGV */
};

/*
 * Bytes the fpstate part of a 64-bit signal frame takes for this task
 * (user_size + 4 with XSAVE; fpu__alloc_mathframe) — the frame buffer
 * starts 64-byte aligned below the stack pointer.
 */
XS_API unsigned xs_sigframe_fpstate_size(const xs_fpu *task);
/*
 * copy_fpstate_to_sigframe(): the frame image of the task's current state
 * (taken from its fpstate), with fx_sw_bytes and MAGIC2. -ENOSPC if `len`
 * is smaller than xs_sigframe_fpstate_size().
 */
XS_API int xs_sigframe_save(const xs_fpu *task, void *out, size_t len);
/*
 * What sigreturn does with a (possibly user-modified) 64-bit frame:
 * returns the outcome and explains it in *v (v->err is -EFAULT for
 * XS_SIGRETURN_FAIL, 0 otherwise).
 */
XS_API enum xs_sigreturn xs_sigframe_check(const xs_fpu *task, const void *buf, size_t len,
					   struct xs_verdict *v);

/* ---- KVM (kvm.c) ---- */

/* Components KVM can give a guest in XCR0 (KVM_SUPPORTED_XCR0 & host XCR0). */
XS_API uint64_t xs_kvm_supported_xcr0(const xs_system *sys);
/* IA32_XSS bits KVM supports (CET_USER|CET_KERNEL when both are enabled). */
XS_API uint64_t xs_kvm_supported_xss(const xs_system *sys);
/* KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) for a VMM process (its guest_perm). */
XS_API unsigned xs_kvm_cap_xsave2(const xs_fpu *vmm);
/*
 * KVM_GET_XSAVE (xsave2 false: -EINVAL when uabi_size > 4096) or
 * KVM_GET_XSAVE2 into `len` bytes (must be at least the required size:
 * 4096, or uabi_size; else -EFAULT). guest_xcr0 is the vCPU's
 * guest_supported_xcr0. A confidential fpstate gives -EINVAL when the VM
 * has protected state (`out` untouched), else 0 and a zeroed buffer.
 */
XS_API int xs_kvm_get_xsave(const xs_system *sys, const xs_fpu_guest *gfpu, uint64_t guest_xcr0,
			    uint32_t pkru, bool xsave2, void *out, size_t len);
/*
 * KVM_SET_XSAVE: the kernel's checks, then the guest fpstate is loaded.
 * KVM reads uabi_size bytes (-EFAULT if `len` is shorter); a confidential
 * fpstate makes it -EINVAL with protected state, else 0 with nothing loaded.
 */
XS_API int xs_kvm_set_xsave(const xs_system *sys, xs_fpu_guest *gfpu, const void *buf, size_t len,
			    uint32_t *pkru, struct xs_verdict *v);
/*
 * One XCR0 value as KVM_SET_XCRS applies it: kvm_vcpu_ioctl_x86_set_xcrs's
 * no-XSAVE check, then __kvm_set_xcr: 0 or -EINVAL with the rule.
 * guest_supported_xcr0 0 stands for KVM's supported XCR0 (a vCPU given
 * KVM_GET_SUPPORTED_CPUID); the kernel's own 0 would allow x87 only.
 */
XS_API int xs_kvm_set_xcr0(const xs_system *sys, uint64_t guest_supported_xcr0, uint64_t xcr0,
			   struct xs_verdict *v);

#define XS_KVM_MAX_XCRS 16
/* struct kvm_xcrs (uapi asm/kvm.h), 392 bytes. */
struct xs_kvm_xcr {
	uint32_t xcr;
	uint32_t reserved;
	uint64_t value;
};
struct xs_kvm_xcrs {
	uint32_t nr_xcrs;
	uint32_t flags;
	struct xs_kvm_xcr xcrs[XS_KVM_MAX_XCRS];
	uint64_t padding[16];
};
/*
 * KVM_SET_XCRS (kvm_vcpu_ioctl_x86_set_xcrs): -EINVAL for a protected
 * vCPU (gfpu flags; gfpu may be NULL), a host without XSAVE, nr_xcrs > 16
 * or flags != 0; entries for other XCRs are skipped, the first XCR0 entry
 * goes through __kvm_set_xcr (-EINVAL on refusal) and into *xcr0; no XCR0
 * entry: 0 and *xcr0 unchanged.
 */
XS_API int xs_kvm_set_xcrs(const xs_system *sys, const xs_fpu_guest *gfpu, uint64_t guest_supported_xcr0,
			   const struct xs_kvm_xcrs *xcrs, uint64_t *xcr0, struct xs_verdict *v);


/* ---- buffers of any CPU: views and cross-CPU conversion (convert.c) ---- */

enum xs_buf_format {
	XS_BUF_STANDARD,	/* XSAVE / ptrace / signal frame / KVM layout */
	XS_BUF_COMPACTED	/* XSAVEC / XSAVES layout (XCOMP_BV[63] = 1) */
};

/* Where each component of one buffer lives, for the buffer's CPU. */
struct xs_buffer_view;

/*
 * Lay out a buffer of `sys`'s CPU: the header decides the format (XCOMP_BV
 * bit 63) unless `fmt` is forced (fmt_forced). -EINVAL with a message when
 * the buffer is too short, its header names components the CPU does not
 * have, or the header contradicts the format; -ENODEV on a halted model.
 */
XS_API int xs_buffer_view(const xs_system *sys, const void *buf, size_t len, bool fmt_forced,
			  enum xs_buf_format fmt, struct xs_buffer_view *view, struct xs_diag *diag);
/*
 * A view is library-allocated (its per-component arrays grow with the
 * model): xs_buffer_view_new() gives an empty one (NULL when out of
 * memory) for xs_buffer_view() or xs_core_view() to fill;
 * xs_buffer_view_free() releases it (NULL is fine).
 */
XS_API struct xs_buffer_view *xs_buffer_view_new(void);
XS_API void xs_buffer_view_free(struct xs_buffer_view *view);
XS_API enum xs_buf_format xs_view_format(const struct xs_buffer_view *view);
/* The buffer's header words. */
XS_API uint64_t xs_view_xstate_bv(const struct xs_buffer_view *view);
XS_API uint64_t xs_view_xcomp_bv(const struct xs_buffer_view *view);
/* Components with their own bytes in the buffer. */
XS_API uint64_t xs_view_present(const struct xs_buffer_view *view);
/* Bytes the layout needs. */
XS_API size_t xs_view_len(const struct xs_buffer_view *view);
/* Where component nr's bytes are: true with *offset and *size when it is present, false otherwise. */
XS_API bool xs_view_component(const struct xs_buffer_view *view, unsigned nr, unsigned *offset,
			      unsigned *size);

/* What moving a buffer from CPU A to CPU B keeps, loses and changes. */
struct xs_compat_report {
	uint64_t in_use;		/* components with data in A's buffer */
	uint64_t missing;		/* in use on A, B lacks them */
	uint64_t dropped;		/* missing ones removed because forced */
	uint64_t resized;		/* same component, other size on B */
	uint64_t moved;			/* standard offset differs between A and B */
	unsigned size_a, size_b;	/* buffer sizes in the two layouts */
	uint64_t xcr0_a, xcr0_b, xss_a, xss_b;
	unsigned nnotes;
	char notes[8][200];
};

/*
 * Rewrite a buffer from A's layout to B's, in `out_fmt`. Components B
 * lacks, data beyond B's (smaller) size of a component, and MXCSR bits
 * outside B's mask make it refuse with -EOPNOTSUPP unless `force`: then
 * missing components are dropped (rep->dropped), shrunk ones cut to B's
 * size (rep->resized) and MXCSR masked. `rep` is filled either way; -EINVAL for a malformed input
 * (diag), -ENOSPC if `out` is too small (*written tells the size needed).
 */
XS_API int xs_convert_buffer(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
			     enum xs_buf_format out_fmt, bool force, void *out, size_t out_len,
			     size_t *written, struct xs_compat_report *rep, struct xs_diag *diag);

/* The user-ABI container a buffer travels in. */
enum xs_container {
	XS_CONTAINER_PTRACE,	/* NT_X86_XSTATE: user.max_size, XCR0 word at 464 */
	XS_CONTAINER_XSAVE,	/* a plain XSAVE image: software bytes zero */
	XS_CONTAINER_SIGFRAME,	/* a signal frame's fpstate: fx_sw_bytes, MAGIC2 */
	XS_CONTAINER_KVM	/* struct kvm_xsave (4096) or KVM_GET_XSAVE2's size */
};

/* "ptrace", "xsave", "sigframe", "kvm". */
XS_API const char *xs_container_name(enum xs_container kind);
/*
 * Which container `buf` looks like on `sys`: a signal frame when
 * fx_sw_bytes.magic1 and MAGIC2 after xstate_size are there, KVM for 4096
 * bytes (or more than the regset), otherwise ptrace.
 */
XS_API enum xs_container xs_container_detect(const xs_system *sys, const void *buf, size_t len);
/*
 * xs_convert_buffer() and then B's container around the result, as B's
 * kernel writes it: the signal frame of a B task holding the state
 * (copy_fpstate_to_sigframe: B's sizes in fx_sw_bytes, MAGIC2 after B's
 * user_size), the KVM_GET_XSAVE[2] buffer of a B vCPU given it by
 * KVM_SET_XSAVE (4096 bytes, or KVM_CAP_XSAVE2 with AMX; only components
 * KVM supports), the ptrace regset (B's XCR0 word), or a bare XSAVE image.
 * Dynamic components in use are permitted and enabled on B as a task or
 * VMM would. Compacted output only for XS_CONTAINER_XSAVE (-EINVAL else).
 * Errors as xs_convert_buffer; -EINVAL (diag) if B's kernel refuses the
 * converted state.
 */
XS_API int xs_convert_container(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
				enum xs_container kind, enum xs_buf_format out_fmt, bool force, void *out,
				size_t out_len, size_t *written, struct xs_compat_report *rep,
				struct xs_diag *diag);


/* ====================================================================== */
/* Registers: any XSAVE buffer as named registers (src/decode/)          */
/* ====================================================================== */

/* How one value reads. */
enum xs_val_type {
	XS_VAL_NONE = 0,	/* no value of its own (bnd0 is its attributes) */
	XS_VAL_HEX,		/* u, in hex with at least `width` digits */
	XS_VAL_UINT,		/* u, a number or count */
	XS_VAL_BOOL,		/* u is 0 or 1 */
	XS_VAL_TEXT,		/* text: a decimal x87 value, names of set bits, … */
	XS_VAL_VECTOR,		/* bytes: a little-endian register of `width` bytes */
	XS_VAL_BYTES,		/* bytes: `width` bytes in memory order (no register) */
	XS_VAL_LIST		/* list[0..width): small numbers (protection keys, tile rows) */
};

struct xs_val {
	enum xs_val_type type;
	unsigned width;
	uint64_t u;
	const uint8_t *bytes;
	uint16_t list[16];
	char text[96];
};

#define XS_REG_MAX_ATTRS 6

/*
 * One register (or field) of a component: "st0", "xmm3", "ymm15", "k1",
 * "pkru", "tmm0", … with its value and named attributes that explain it
 * ("masks", "rc", "tag", …). Components without a decoder give one
 * register "bytes" (XS_VAL_BYTES). `bytes` pointers refer to the decoded
 * buffer or to `storage` (YMM/ZMM assembled from their parts): a reg is
 * valid while the buffer is (xs_decode_register fixes up its copy).
 */
struct xs_reg {
	unsigned component;
	char name[16];
	struct xs_val value;
	unsigned nattrs;
	struct xs_reg_attr {
		const char *key;
		struct xs_val val;
	} attrs[XS_REG_MAX_ATTRS];
	uint8_t storage[64];
};

/* Called once per register; a non-zero return stops the walk and is returned. */
typedef int (*xs_reg_fn)(void *ctx, const struct xs_reg *reg);

/*
 * The registers of component nr of a buffer laid out by `view` (from
 * xs_buffer_view() or xs_core_view()), in architectural order. The
 * decoder reads only [buf, buf + len) and at most the component's bytes
 * (plus MXCSR for SSE and the lower parts YMM/ZMM are made of). Returns
 * 0; -ENOENT when the view has no bytes for nr; -ERANGE when they lie
 * outside the buffer; or what `fn` returned.
 */
XS_API int xs_decode_component(const void *buf, size_t len, const struct xs_buffer_view *view, unsigned nr,
			       xs_reg_fn fn, void *ctx);
/*
 * Every present component's registers, components in index order; one
 * outside the buffer is skipped and makes the result -ERANGE.
 */
XS_API int xs_decode_registers(const void *buf, size_t len, const struct xs_buffer_view *view, xs_reg_fn fn,
			       void *ctx);
/* One register by name ("xmm0", "ymm3", "zmm17", "k2", "st0", "mxcsr"): 0 or -ENOENT. */
XS_API int xs_decode_register(const void *buf, size_t len, const struct xs_buffer_view *view,
			      const char *name, struct xs_reg *out);


/* ====================================================================== */
/* ELF core files: each thread's xstate (src/coredump/; edge             */
/* coredump_fd.c)                                                         */
/* ====================================================================== */

/*
 * A core is read only where it must be: the ELF header, the program
 * headers and the PT_NOTE segments (note headers and the few descriptors
 * used), never its memory segments, so a core of any size costs a few
 * kilobytes per thread. Linux writes, per thread, NT_PRSTATUS ("CORE")
 * and then NT_X86_XSTATE ("LINUX", the ptrace regset); from 6.12 once per
 * process NT_X86_XSAVE_LAYOUT ("LINUX"), the standard-format offset and
 * size of every extended component (uapi asm/elf.h).
 */
#define XS_NT_PRSTATUS 1u
#define XS_NT_X86_XSTATE 0x202u
#define XS_NT_X86_XSAVE_LAYOUT 0x205u
/* An NT_X86_XSTATE note beyond this is malformed (AMX buffers are 11 KiB). */
#define XS_CORE_XSTATE_MAX (1u << 20)
#define XS_CORE_LAYOUT_MAX 64u

/* struct x86_xfeat_component: one record of NT_X86_XSAVE_LAYOUT. */
struct xs_xfeat_component {
	uint32_t type, size, offset, flags;
};

/* One NT_X86_XSTATE note and the thread it belongs to. */
struct xs_core_thread {
	unsigned index;		/* 1.. in NT_PRSTATUS order (0: before any NT_PRSTATUS) */
	bool has_pid;
	uint32_t pid;		/* pr_pid of that NT_PRSTATUS */
	uint64_t xstate_offset;	/* file offset of the note's descriptor */
	uint32_t xstate_size;	/* its bytes */
};

/*
 * Reads `len` bytes at `offset` (always within the size given to
 * xs_core_open) into buf: 0 or a negative errno.
 */
typedef int (*xs_core_read_fn)(void *ctx, void *buf, size_t len, uint64_t offset);

typedef struct xs_core xs_core;

/*
 * Open an x86 ELF core (32- or 64-bit, little-endian, ET_CORE) of `size`
 * bytes through `read`: checks the header, walks every PT_NOTE segment
 * and records the threads' NT_X86_XSTATE notes and the layout note. 0;
 * -EINVAL with the reason in diag (not a core, a note or segment beyond
 * the file, no NT_X86_XSTATE, …); -ENOMEM; or read's error. No I/O of its
 * own: `read` and `ctx` stay in use until xs_core_close().
 */
XS_API int xs_core_open(xs_core **core, uint64_t size, xs_core_read_fn read, void *ctx, struct xs_diag *diag);
/* The same for a core image in memory (kept, not copied). */
XS_API int xs_core_open_memory(xs_core **core, const void *image, size_t len, struct xs_diag *diag);
/*
 * Edge: the core open on file descriptor fd (pread; the size from fstat,
 * so a regular file). fd stays the caller's, open until xs_core_close().
 */
XS_API int xs_core_open_fd(xs_core **core, int fd, struct xs_diag *diag);
XS_API void xs_core_close(xs_core *core);
/* Do these first bytes of a file start an ELF core (\x7fELF, e_type ET_CORE)? */
XS_API bool xs_core_is_core(const void *head, size_t len);

/* Number of NT_X86_XSTATE notes (one per thread), and the i-th (NULL past the end). */
XS_API unsigned xs_core_nthreads(const xs_core *core);
XS_API const struct xs_core_thread *xs_core_thread(const xs_core *core, unsigned i);
/* The NT_X86_XSAVE_LAYOUT records (*recs), or 0 when the core has none. */
XS_API unsigned xs_core_layout(const xs_core *core, const struct xs_xfeat_component **recs);
/* Thread i's NT_X86_XSTATE bytes into buf (len >= its xstate_size). */
XS_API int xs_core_read_xstate(const xs_core *core, unsigned i, void *buf, size_t len, struct xs_diag *diag);
/*
 * Where the components of one thread's NT_X86_XSTATE bytes lie: from the
 * core's layout note when it has one (every XSTATE_BV component needs a
 * record inside the note); otherwise from `sys`, the CPU that wrote the
 * core, whose user features must include the core's XCR0 word (bytes
 * 464..471). Nothing is inferred from sizes. -EINVAL (diag) when neither
 * says, or the bytes contradict them.
 */
XS_API int xs_core_view(const xs_core *core, const xs_system *sys, const void *xstate, size_t len,
			struct xs_buffer_view *view, struct xs_diag *diag);


/* ====================================================================== */
/* Fleets: compatibility between hosts, pool baselines (src/fleet/)      */
/* ====================================================================== */

enum xs_compat_kind {
	XS_COMPAT_TASK,		/* a process: ptrace/sigreturn restore (CRIU) */
	XS_COMPAT_VCPU		/* a vCPU: KVM_GET_XSAVE2 on A, KVM_SET_XSAVE on B */
};

#define XS_COMPAT_MAX_NOTES 16

/* Can state saved on host A be restored on host B? */
struct xs_compat {
	bool compatible;
	uint64_t missing;	/* components A may put in the buffer that B refuses */
	uint64_t missing_xss;	/* supervisor state travelling outside the buffer that B lacks */
	uint64_t moved;		/* standard offsets differ: the buffer must be converted */
	unsigned size_a, size_b;	/* buffer sizes (regset size / KVM_CAP_XSAVE2) */
	uint64_t features_a, features_b;	/* what each side may put / accepts */
	unsigned nnotes;
	char notes[XS_COMPAT_MAX_NOTES][240];
};

/* Compare two hosts (each a system: CPU model + kernel options). */
XS_API void xs_compat_check(const xs_system *a, const xs_system *b, enum xs_compat_kind kind,
			    struct xs_compat *out);

/* What a host offers for one kind of state: user XCR0 (task) or KVM's (vCPU). */
XS_API uint64_t xs_compat_features(const xs_system *sys, enum xs_compat_kind kind);

/* One component as CPUID 0xD describes it on a host. */
struct xs_component_layout {
	uint32_t size, offset, flags;
};

/* The common denominator of a pool of hosts (library-owned: new members go at the end). */
struct xs_baseline_info {
	uint64_t xcr0;		/* components every host offers with the same layout */
	uint64_t xss;		/* supervisor components (vCPUs: IA32_XSS) likewise */
	uint32_t d1_eax;	/* CPUID 0xD.1 EAX bits every host has */
	uint64_t dropped;	/* offered by some host but not in the baseline */
	/*
	 * Hosts (bit i = host i) whose kernel does not use XSAVE. When any
	 * does, guests get no XSAVE: leaf 0xD is all zeros, d1_eax 0 and the
	 * sizes are FXSAVE's 512 bytes.
	 */
	uint64_t no_xsave;
	unsigned standard_size, compacted_size;	/* what CPUID 0xD.0/1 EBX give guests */
};

/* A pool's baseline: the info above, and per component its layout and the hosts that limit it. */
typedef struct xs_baseline xs_baseline;

/*
 * Baseline of `n` hosts (n <= 64), library-allocated into *out: 0; -EINVAL
 * for n == 0 or n > 64; -ENODEV if a host is halted; -ENOMEM.
 * Architectural groups stay whole (AVX-512's three components and YMM
 * under them, MPX's two, AMX's two); for vCPUs, 0xD.1 EAX keeps only what
 * every host's kernel (hence KVM) keeps. xs_baseline_free() releases it
 * (NULL is fine).
 */
XS_API int xs_baseline_new(xs_baseline **out, const xs_system *const *hosts, unsigned n,
			   enum xs_compat_kind kind);
XS_API void xs_baseline_free(xs_baseline *bl);
XS_API const struct xs_baseline_info *xs_baseline_info(const xs_baseline *bl);
/* For a dropped component, the hosts (bit i = host i) that limit it; 0 otherwise. */
XS_API uint64_t xs_baseline_limiting(const xs_baseline *bl, unsigned nr);
/*
 * Component nr (2..) as the hosts that agree on it lay it out (CPUID
 * 0xD.nr): true for one in the baseline or dropped from it, false otherwise.
 */
XS_API bool xs_baseline_layout(const xs_baseline *bl, unsigned nr, struct xs_component_layout *out);
/* CPUID 0xD.subleaf to show guests: true for sub-leaves 0..XS_XFEATURE_MAX-1 (zeros where none). */
XS_API bool xs_baseline_leaf_d(const xs_baseline *bl, unsigned subleaf, struct xs_cpuid_leaf *out);

/* ---- the levelled CPU of a pool (src/fleet/baseline_cpu.c) ---- */

/*
 * A CPUID feature bit that decides, or depends on, the xsave state a guest
 * (or a process) sees: the bits a VMM must pin to level a pool.
 */
struct xs_level_bit {
	uint32_t leaf, subleaf;
	unsigned reg;		/* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	unsigned bit;
	/* QEMU's and libvirt's name; NULL where QEMU 7.2 and libvirt 9.0 have none */
	const char *vmm_name;
	uint64_t gates;		/* the state components it enables; 0 for a dependent */
	int needs;		/* index of the entry it depends on; -1 for XSAVE */
	int feature;		/* enum xs_cpu_feature, or -1 */
	bool os_bit;		/* set by the guest OS through CR4, not by a VMM (OSXSAVE, OSPKE) */
	bool newer_vmm;		/* named only by releases after QEMU 7.2 / libvirt 9.0 */
};

/* The table of those bits, in CPUID order; *n gets its length. */
XS_API const struct xs_level_bit *xs_level_bits(unsigned *n);

/*
 * The CPU a VMM should show guests on every host of the pool `bl` was
 * computed for (same hosts, same order): leaves 0, 1, 7, 0xD, 0x1D/0x1E
 * (AMX), 0x80000000/1/8. Feature flags are those of every host (and of
 * every host's kernel); a bit that gates a component the baseline left out
 * is cleared with every bit that depends on it; OSXSAVE and OSPKE are set
 * as a Linux guest sets CR4; leaf 0xD is xs_baseline_leaf_d()'s. Vendor and signature
 * are host 0's. -EINVAL / -ENODEV as xs_baseline_new().
 */
XS_API int xs_baseline_cpu(const xs_system *const *hosts, unsigned n, const xs_baseline *bl,
			   xs_cpu *out);


/* ---- vCPU snapshot plans (src/fleet/snapshot.c) ---- */

#define XS_SNAPSHOT_MAX_ITEMS 24

/* One thing a VMM must save and restore for a vCPU besides the xsave buffer. */
struct xs_snapshot_item {
	const char *what;	/* "IA32_XSS", "KVM_GET_XSAVE2 buffer", … */
	const char *how;	/* the ioctl or MSR index */
	uint32_t msr;		/* MSR number, 0 if not an MSR */
	uint64_t value;		/* size in bytes, or the guest's register value */
	bool used_by_guest;	/* a guest of that kernel version relies on it */
	char note[160];
};

struct xs_snapshot_plan {
	uint32_t guest_kernel;
	uint64_t guest_xcr0, guest_xss;	/* what that guest kernel enables */
	unsigned nitems;
	struct xs_snapshot_item items[XS_SNAPSHOT_MAX_ITEMS];
};

/*
 * The vCPU's CPU as KVM on `host` presents it (XCR0, XSS and CET limited to
 * what KVM supports), booted with guest kernel `guest_kernel`; and the
 * list of state beside the xsave buffer. -EINVAL for an unknown release,
 * -ENODEV for a halted host.
 */
XS_API int xs_snapshot_plan(const xs_system *host, uint32_t guest_kernel, struct xs_snapshot_plan *plan);

/* ====================================================================== */
/* Engine: XSAVE-family instructions in software (src/engine/)            */
/* ====================================================================== */

/*
 * An exact software model of FXSAVE/FXRSTOR, XSAVE, XSAVEOPT, XSAVEC,
 * XSAVES, XRSTOR, XRSTORS, XGETBV and XSETBV (xsave-isa.md §2-§7). An
 * instruction either completes or returns the exception the CPU raises and
 * changes nothing (registers, machine state, buffer). The buffer is given
 * as pointer + length: the pointer value is the linear address (alignment,
 * XRSTOR_INFO) and an access beyond `len` is XS_EXC_PF. The engine never
 * reads or writes outside [buf, buf + len).
 */

/* What an instruction raised. */
enum xs_exception {
	XS_EXC_NONE = 0,
	XS_EXC_UD,		/* #UD: instruction absent or disabled */
	XS_EXC_NM,		/* #NM: CR0.TS, or an XFD-armed component */
	XS_EXC_GP,		/* #GP(0) */
	XS_EXC_AC,		/* #AC(0): misaligned with alignment checking on */
	XS_EXC_PF		/* an access outside the buffer the caller gave */
};

/* "#GP", "#PF", … ("none" for XS_EXC_NONE). */
XS_API const char *xs_exception_name(enum xs_exception e);

/* The instructions, for tables and xs_execute(). */
enum xs_insn {
	XS_INSN_FXSAVE,
	XS_INSN_FXRSTOR,
	XS_INSN_XSAVE,
	XS_INSN_XSAVEOPT,
	XS_INSN_XSAVEC,
	XS_INSN_XSAVES,
	XS_INSN_XRSTOR,
	XS_INSN_XRSTORS,
	XS_INSN_XGETBV,
	XS_INSN_XSETBV,
	XS_INSN_COUNT
};

/* Instruction flags. */
#define XS_REX_W 1u	/* the "64" forms (XSAVE64, FXRSTOR64, …): 64-bit FIP/FDP (§2) */

/*
 * Legacy prefixes on the encoding (struct xs_insn_args.prefixes). Every
 * instruction here is #UD with any of them (§2.1, §4, §6; live Zen 4 for
 * FXSAVE/FXRSTOR too, where the SDM marks them NP). 66 with XSAVEOPT's
 * encoding is CLWB, another instruction: as XSAVEOPT it is #UD.
 */
#define XS_PREFIX_LOCK 1u	/* F0 */
#define XS_PREFIX_66 2u
#define XS_PREFIX_F2 4u
#define XS_PREFIX_F3 8u

/* "XSAVEC64" for (XS_INSN_XSAVEC, XS_REX_W); "?" for an unknown value. */
XS_API const char *xs_insn_name(enum xs_insn insn, unsigned flags);

/* x87 FPU state (component 0; §2). */
struct xs_x87 {
	uint16_t fcw;
	uint16_t fsw;		/* TOP in bits 13:11 */
	uint16_t ftw;		/* full tag word: 2 bits per physical register R0..R7 */
	uint16_t fop;		/* last opcode, 11 bits */
	uint16_t fcs, fds;	/* selectors of the 32-bit forms */
	uint64_t fip, fdp;	/* last instruction / data pointer */
	uint8_t r[8][10];	/* physical registers R0..R7 (ST(i) = R[(TOP + i) & 7]), 80-bit */
};

/* AMX tile configuration (component 17), the LDTILECFG image. */
struct xs_tilecfg {
	uint8_t palette_id;
	uint8_t start_row;
	uint8_t reserved0[14];
	uint16_t colsb[8];	/* bytes per row of tile n */
	uint8_t reserved1[16];
	uint8_t rows[8];
	uint8_t reserved2[8];
};

/*
 * What the engine took from the CPU model (CPUID feature bits, leaf 0xD).
 * Inside the machine (xs_machine_cpu_info()): new members go at the end.
 */
struct xs_engine_cpu_info {
	bool fxsr, xsave, xsaveopt, xsavec, xgetbv1, xsaves, xfd, long_mode;
	uint64_t xcr0_supported;	/* 0xD.0 EDX:EAX, modelled components only */
	uint64_t xss_supported;		/* 0xD.1 EDX:ECX, likewise */
	uint64_t unmodelled;		/* enumerated, but beyond the register file (bit >= 20 or too big) */
	unsigned linear_bits;		/* canonical width (0x80000008 EAX[15:8]; 48 if absent) */
};

/*
 * The execution context the exceptions depend on. Inside the machine
 * (xs_machine_context()): new members go at the end.
 */
struct xs_exec_context {
	unsigned cpl;			/* 0..3 */
	bool long_mode;			/* 64-bit mode: XMM8-15, Hi16_ZMM, REX.W forms */
	bool cr0_ts;			/* #NM */
	bool cr0_em;			/* FXSAVE/FXRSTOR #UD */
	bool cr4_osfxsr;		/* off: FXSAVE/FXRSTOR skip XMM (Intel, §2.1) */
	bool cr4_osxsave;		/* off: the XSAVE family is #UD */
	bool alignment_check;		/* CR0.AM = 1 and EFLAGS.AC = 1 (counts at CPL 3) */
	bool v86;			/* virtual-8086 mode: CPL 3 whatever `cpl` says (§6) */
	bool vmx_non_root;		/* part of XRSTOR_INFO */
	bool vmx_xsaves_off;		/* non-root, "enable XSAVES/XRSTORS" = 0: they #UD (§4) */
};

/* ⟨CPL, VMX non-root, linear address, XCOMP_BV⟩ of the last XRSTOR[S]. */
struct xs_xrstor_info {
	bool valid;
	unsigned cpl;
	bool vmx_non_root;
	uint64_t laddr;
	uint64_t xcomp_bv;
};

/*
 * A processor: its model, control state, registers (components 0..19, in
 * a register file sized for the largest implementation of each), the
 * implementation choices of its microarchitecture and the engine's layout
 * plans. Opaque: a new component or trait changes no size a caller sees.
 */
typedef struct xs_machine xs_machine;

/*
 * A processor of model `cpu` after reset, in *out (64-byte aligned, for
 * the engine's fastest copies): every component in its init
 * configuration, MXCSR 1F80h, XCR0 = 1, IA32_XSS = IA32_XFD = 0, XINUSE 0,
 * XMODIFIED all ones, no XRSTOR_INFO; CPL 0, 64-bit mode when the CPU has
 * it, CR4.OSFXSR and CR4.OSXSAVE set when the CPU has FXSR / XSAVE. The
 * implementation choices and MXCSR_MASK are the traits table's row for
 * the CPU. 0; -EINVAL for a CPU without an FPU, -ENOMEM (nothing
 * allocated on failure).
 */
XS_API int xs_machine_new(xs_machine **out, const xs_cpu *cpu);
/* NULL is fine. */
XS_API void xs_machine_free(xs_machine *m);
/*
 * dst becomes src: model, registers, control state, traits (one memcpy;
 * both from xs_machine_new(), of any models — dst takes src's).
 */
XS_API void xs_machine_copy(xs_machine *dst, const xs_machine *src);
/* A new machine equal to m (xs_machine_copy() into a fresh one); NULL when out of memory. */
XS_API xs_machine *xs_machine_dup(const xs_machine *m);

/* CPL, modes and the CR0/CR4 bits: write them freely between instructions. */
XS_API struct xs_exec_context *xs_machine_context(xs_machine *m);
XS_API const struct xs_engine_cpu_info *xs_machine_cpu_info(const xs_machine *m);
/*
 * CPUID 0xD.nr of the model (EAX size, EBX standard offset, ECX flags;
 * any pointer may be NULL) for a component 2..19 the machine holds; false
 * for the others (x87 and SSE live in the legacy region: xs_engine_offset()).
 */
XS_API bool xs_machine_component_layout(const xs_machine *m, unsigned nr, uint32_t *size, uint32_t *offset,
					uint32_t *flags);

/*
 * The registers. After writing any of them directly (as an ordinary
 * instruction would), call xs_machine_wrote() with the components
 * written: XINUSE and XMODIFIED follow.
 */
XS_API struct xs_x87 *xs_machine_x87(xs_machine *m);
XS_API uint32_t xs_machine_mxcsr(const xs_machine *m);
/* As LDMXCSR would, without its #GP: keep to the bits of xs_machine_trait(m, XS_TRAIT_MXCSR_MASK). */
XS_API void xs_machine_set_mxcsr(xs_machine *m, uint32_t mxcsr);
/*
 * Component nr's registers as its XSAVE image (standard-format bytes: the
 * SDM's layout, struct xs_tilecfg for 17), *len bytes (len may be NULL):
 * component 1 gives XMM0..15 (256 bytes), 2..19 CPUID 0xD.nr EAX bytes.
 * NULL for x87 (xs_machine_x87()) and for a component the machine lacks.
 */
XS_API uint8_t *xs_machine_component(xs_machine *m, unsigned nr, size_t *len);

/*
 * XCR0, IA32_XSS, IA32_XFD, IA32_XFD_ERR; XMODIFIED: bit i set once component
 * i may differ from what the last XRSTOR[S] loaded (§4.2; all ones at reset).
 */
XS_API uint64_t xs_machine_xcr0(const xs_machine *m);
XS_API uint64_t xs_machine_xss(const xs_machine *m);
XS_API uint64_t xs_machine_xfd(const xs_machine *m);
XS_API uint64_t xs_machine_xfd_err(const xs_machine *m);
XS_API uint64_t xs_machine_xmodified(const xs_machine *m);
/* The XRSTOR_INFO the modified optimisation compares with (§4.2). */
XS_API void xs_machine_xrstor_info(const xs_machine *m, struct xs_xrstor_info *out);

/* ---- microarchitecture traits (src/engine/traits.c) ---- */

/*
 * Behaviours CPUID does not report (or reports only in part), from one
 * table keyed by vendor and family/model ranges. docs/traits.md shows
 * the table; `xstate info --format json` lists a CPU's row as "traits".
 */
enum xs_trait {
	XS_TRAIT_X87_PTR_BITS,		/* FIP/FDP bits a 64-bit FXRSTOR/XRSTOR keeps */
	XS_TRAIT_X87_PTRS_NEED_EXCEPTION, /* 1: FIP/FDP/FOP loaded only with an unmasked exception pending */
	XS_TRAIT_FCS_FDS_ZERO,		/* 1: FCS/FDS stored as 0 */
	XS_TRAIT_MXCSR_MASK,		/* MXCSR_MASK: the writable MXCSR bits */
	XS_TRAIT_XINUSE_BY_VALUE,	/* 1: XRSTOR of init values leaves XINUSE 0 */
	XS_TRAIT_FXRSTOR_SETS_XMODIFIED, /* 1: FXRSTOR sets all of XMODIFIED */
	XS_TRAIT_FX_AC_ALIGN,		/* FXSAVE/FXRSTOR: #AC below this alignment (0: never) */
	XS_TRAIT_XSAVE_AC_ALIGN,	/* the XSAVE family: likewise */
	XS_TRAIT_INIT_OPT,		/* 1: the init optimisation */
	XS_TRAIT_MODIFIED_OPT,		/* 1: the modified optimisation */
	XS_TRAIT_COUNT
};

enum xs_provenance {
	XS_PROVENANCE_MEASURED,		/* seen on a real CPU: the source names it and the date */
	XS_PROVENANCE_DOCUMENTED,	/* a manual's section says so */
	XS_PROVENANCE_ASSUMED,		/* neither: a guess, flagged as one */
};

struct xs_trait_value {
	uint64_t value;
	enum xs_provenance provenance;
	const char *source;		/* static text: the machine and date, the section, or why */
};


/*
 * The table's row for this CPU's vendor, family and model ("AMD Zen 3
 * (family 19h, models 00h-0Fh 20h-5Fh)"; a default row ends the table, so
 * every CPU has one), and trait t of that row, its value resolved against
 * the CPU's CPUID where the row says so: 0, or -EINVAL for an unknown trait.
 */
XS_API const char *xs_traits_row(const xs_cpu *cpu);
XS_API int xs_traits_value(const xs_cpu *cpu, enum xs_trait t, struct xs_trait_value *out);
/* "x87_ptr_bits", …; NULL for an unknown trait. */
XS_API const char *xs_trait_name(enum xs_trait t);
/* enum xs_trait for a name, or -1. */
XS_API int xs_trait_by_name(const char *name);
/* What the trait means, in one line. */
XS_API const char *xs_trait_description(enum xs_trait t);
/* "measured", "documented", "assumed". */
XS_API const char *xs_provenance_name(enum xs_provenance p);
/* The value the machine runs with. */
XS_API uint64_t xs_machine_trait(const xs_machine *m, enum xs_trait t);
/*
 * Run the machine with another value (a probe's): 0, or -EINVAL for a
 * value the engine cannot model (x87_ptr_bits outside 32..64, a flag
 * other than 0/1, an alignment not 0 or a power of two up to the
 * operand's, an MXCSR_MASK without the bits of FFBFh or above bit 31).
 */
XS_API int xs_machine_set_trait(xs_machine *m, enum xs_trait t, uint64_t value);
/*
 * Reading a trait off an experiment (src/engine/trait_probe.c; the
 * experiments are the caller's — `xstate verify` runs them on the CPU at
 * hand). The pointer width that explains every read[i] as what a 64-bit
 * restore kept of written[i] (the low bits, sign-extended from the top
 * one kept): 32..64, the smallest that explains them; 0 when none does.
 */
XS_API unsigned xs_trait_ptr_bits_seen(const uint64_t *written, const uint64_t *read, unsigned n);
/*
 * The #AC alignment that explains what misaligned operands raised with
 * alignment checking on: exc[i] at offset off[i] from an aligned address.
 * The smallest power of two a > 1 such that exactly the offsets that are
 * not multiples of a gave #AC and the others #GP; 0 when all gave #GP;
 * -1 when no alignment explains them (or one raised something else).
 */
XS_API int xs_trait_ac_align_seen(const size_t *off, const enum xs_exception *exc, unsigned n);

/* Component i in its init configuration? (§7; x87/SSE: XMM only.) */
XS_API bool xs_component_is_init(const xs_machine *m, unsigned nr);
/*
 * XINUSE over every component (bit 1: XMM only, as XSAVE's XSTATE_BV);
 * all ones with the init_opt trait off.
 */
XS_API uint64_t xs_machine_xinuse(xs_machine *m);
/*
 * After writing registers directly (xs_machine_x87(), xs_machine_component(),
 * xs_machine_set_mxcsr(): as an ordinary instruction would): XMODIFIED and
 * XINUSE of the components in `mask` follow.
 */
XS_API void xs_machine_wrote(xs_machine *m, uint64_t mask);

/*
 * Buffer sizes and offsets on this model: standard format for `mask`
 * (>= 576), compacted format for `mask` (>= 576), and component nr's offset
 * in a buffer with this XCOMP_BV (standard when bit 63 is clear; 0 when
 * the component has no place there).
 */
XS_API size_t xs_engine_standard_size(const xs_machine *m, uint64_t mask);
XS_API size_t xs_engine_compacted_size(const xs_machine *m, uint64_t mask);
XS_API size_t xs_engine_offset(const xs_machine *m, uint64_t xcomp_bv, unsigned nr);

/* The instructions. `edx_eax` is the instruction's EDX:EAX mask. */
XS_API enum xs_exception xs_fxsave(xs_machine *m, void *buf, size_t len, unsigned flags);
XS_API enum xs_exception xs_fxrstor(xs_machine *m, const void *buf, size_t len, unsigned flags);
XS_API enum xs_exception xs_xsave(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags);
XS_API enum xs_exception xs_xsaveopt(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags);
XS_API enum xs_exception xs_xsavec(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags);
XS_API enum xs_exception xs_xsaves(xs_machine *m, void *buf, size_t len, uint64_t edx_eax, unsigned flags);
XS_API enum xs_exception xs_xrstor(xs_machine *m, const void *buf, size_t len, uint64_t edx_eax,
				   unsigned flags);
XS_API enum xs_exception xs_xrstors(xs_machine *m, const void *buf, size_t len, uint64_t edx_eax,
				    unsigned flags);
/* ECX 0: XCR0; ECX 1: XCR0 & XINUSE (bit 1 also when MXCSR != 1F80h). */
XS_API enum xs_exception xs_xgetbv(xs_machine *m, uint32_t ecx, uint64_t *edx_eax);
XS_API enum xs_exception xs_xsetbv(xs_machine *m, uint32_t ecx, uint64_t edx_eax);

/* MSRs of the XSAVE feature set. */
#define XS_MSR_IA32_XFD 0x1c4u
#define XS_MSR_IA32_XFD_ERR 0x1c5u
#define XS_MSR_IA32_XSS 0xda0u
/* RDMSR / WRMSR of those three: #GP at CPL > 0, for absent MSRs and bad values. */
XS_API enum xs_exception xs_rdmsr(const xs_machine *m, uint32_t msr, uint64_t *value);
XS_API enum xs_exception xs_wrmsr(xs_machine *m, uint32_t msr, uint64_t value);

/* One instruction with its operands, for tables of cases. */
struct xs_insn_args {
	enum xs_insn insn;
	unsigned flags;		/* XS_REX_W */
	unsigned prefixes;	/* XS_PREFIX_*: any of them is #UD */
	void *buf;		/* memory operand (restores only read it) */
	size_t len;
	uint64_t edx_eax;	/* RFBM request; XSETBV value */
	uint32_t ecx;		/* XGETBV / XSETBV */
	uint64_t result;	/* XGETBV: EDX:EAX */
};
/* One instruction by its arguments; a LOCK/66/F2/F3 prefix makes it #UD first. */
XS_API enum xs_exception xs_execute(xs_machine *m, struct xs_insn_args *a);

/* ---- the kernel on the engine (src/linux/os_xsave.c) ---- */

/*
 * fpu__init_cpu_xstate(): CPL 0, CR4.OSXSAVE, XCR0 = info->xcr0 and, when
 * the kernel uses XSAVES, IA32_XSS = info->xss (xs_system_info()).
 * -EOPNOTSUPP without XSAVE, -EINVAL when the machine refuses the values (a
 * machine of another CPU).
 */
XS_API int xs_machine_setup_kernel(xs_machine *m, const xs_system *sys);
/*
 * os_xsave(): save into fps with RFBM = its xfeatures (xs_fpstate_info())
 * using the kernel's instruction (XSAVES > XSAVEC > XSAVEOPT > XSAVE) and
 * IA32_XFD = its xfd.
 * diag (may be NULL) gets the guest-only warning when it applies.
 */
XS_API enum xs_exception xs_os_xsave(xs_machine *m, const xs_system *sys, xs_fpstate *fps,
				     struct xs_diag *diag);
/*
 * restore_fpregs_from_fpstate(): XRSTORS (or XRSTOR) with RFBM = mask &
 * kernel max_features; components outside fps's XCOMP_BV go to init.
 */
XS_API enum xs_exception xs_os_xrstor(xs_machine *m, const xs_system *sys, const xs_fpstate *fps,
				      uint64_t mask);

/* ---- the hardware backend (src/hw/hw.c): these instructions on this CPU ---- */

/*
 * What this CPU offers in user mode (CPUID and CR4.OSXSAVE as seen through
 * CPUID.1:ECX[27]), read once by xs_hw_init(). The functions below return
 * -EOPNOTSUPP when the CPU lacks the instruction. Faults are not handled:
 * the caller installs SIGSEGV/SIGILL/SIGBUS handlers if it provokes them.
 * Restores leave the loaded state in the registers; MXCSR and the x87
 * control word are callee-saved in the ABI, so load a sane state again
 * before doing floating point (xs_hw_reset()).
 */
struct xs_hw {
	bool fxsr, xsave, xsaveopt, xsavec, xgetbv1, xsaves;
	uint64_t xcr0;			/* XGETBV(0) at init */
	uint32_t standard_size;		/* CPUID 0xD.0 EBX for that XCR0 */
};

/* 0, or -ENODEV when this is not an x86 CPU. */
XS_API int xs_hw_init(struct xs_hw *hw);
XS_API int xs_hw_fxsave(const struct xs_hw *hw, void *buf, unsigned flags);
XS_API int xs_hw_fxrstor(const struct xs_hw *hw, const void *buf, unsigned flags);
XS_API int xs_hw_xsave(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags);
XS_API int xs_hw_xsaveopt(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags);
XS_API int xs_hw_xsavec(const struct xs_hw *hw, void *buf, uint64_t edx_eax, unsigned flags);
XS_API int xs_hw_xrstor(const struct xs_hw *hw, const void *buf, uint64_t edx_eax, unsigned flags);
XS_API int xs_hw_xgetbv(const struct xs_hw *hw, uint32_t ecx, uint64_t *edx_eax);
/* Every component to its init configuration, MXCSR 1F80h. */
XS_API int xs_hw_reset(const struct xs_hw *hw);

/* One step of xs_hw_run(). */
enum xs_hw_op {
	XS_HW_OP_FXSAVE = 1, XS_HW_OP_FXRSTOR, XS_HW_OP_XSAVE, XS_HW_OP_XSAVEOPT,
	XS_HW_OP_XSAVEC, XS_HW_OP_XRSTOR, XS_HW_OP_XGETBV,
	XS_HW_OP_POKE,		/* copy arg bytes from src to buf (rep movsb: no vector registers) */
	/*
	 * SYSCALL number arg with RDI, RSI, RDX = ((uint64_t *)buf)[0..2];
	 * result = RAX. For the signal oracles: a signal raised here is
	 * delivered, and returned from, between two steps.
	 */
	XS_HW_OP_SYSCALL,
	/*
	 * CPL 0 instructions (XSETBV: ECX = 0, EDX:EAX = arg): at CPL 3 they
	 * fault — #GP, or #UD where the CPU lacks them — for the caller's
	 * handler: the user-mode exceptions the verifier compares.
	 */
	XS_HW_OP_XSAVES, XS_HW_OP_XRSTORS, XS_HW_OP_XSETBV
};
/*
 * Step flag: EFLAGS.AC = 1 around the instruction. If it faults, the
 * handler starts with AC still set: its very first instructions must clear
 * it (compiled code may make unaligned accesses).
 */
#define XS_HW_AC 2u
/*
 * Step flag: the instruction encoded behind one legacy prefix (XS_PREFIX_*
 * shifted left by 8; at most one, not with XS_REX_W; FXSAVE..XRSTOR,
 * XGETBV, XSAVES, XRSTORS, XSETBV) — the #UD cases of §2.1/§4/§6. 66 with
 * XSAVEOPT's encoding runs CLWB, F3 with XSAVE's PTWRITE where the CPU has it.
 */
#define XS_HW_PREFIX(p) ((uint32_t)(p) << 8)
#define XS_HW_PREFIX_MASK XS_HW_PREFIX(0xfu)
struct xs_hw_step {
	uint32_t op;		/* enum xs_hw_op */
	uint32_t flags;		/* XS_REX_W, XS_HW_AC, XS_HW_PREFIX() */
	void *buf;
	const void *src;
	uint64_t arg;		/* EDX:EAX; XGETBV: ECX; POKE: bytes */
	uint64_t result;	/* out: XGETBV value, SYSCALL's RAX */
	uint64_t xinuse;	/* out: XGETBV(1) right after the step (0 without XGETBV1) */
	uint64_t done;		/* out: 1 once the step completed */
};

/*
 * Run the steps back to back in one asm block — no compiler-generated code
 * between them can touch a vector register and change XINUSE or XMODIFIED —
 * then reset the state (xs_hw_reset). A faulting step leaves done = 0 (the
 * caller's signal handler takes over; the state is then the handler's).
 * -EOPNOTSUPP (nothing run) when a step needs what the CPU lacks.
 */
XS_API int xs_hw_run(const struct xs_hw *hw, struct xs_hw_step *steps, unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* XSTATE_H */
