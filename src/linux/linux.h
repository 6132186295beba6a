/* SPDX-License-Identifier: MIT */
/*
 * The kernel layer (src/linux/): one file per kernel source file, with the
 * kernel's names — what Linux makes of a CPU model (xs_system), its task
 * and vCPU fpstates, permissions and user-ABI buffers. Above src/common/,
 * src/cpu/ and src/engine/ (os_xsave.c drives the engine as the kernel
 * drives the CPU).
 */
#ifndef XS_LINUX_H
#define XS_LINUX_H

#include "cpu/cpu.h"
#include "linux/system.h"
#include "linux/fpstate.h"

/* sizeof(struct kvm_xsave) (uapi asm/kvm.h): KVM_GET/SET_XSAVE's buffer. */
#define XS_KVM_XSAVE_SIZE 4096u

/* ---- printk.c: what the kernel prints, and the model's notes ------------------ */

/* printk into sys->log (one line per \n). */
void xs_printk(xs_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The CPU identification code's messages (sys->cpu_log). */
void xs_cpu_printk(xs_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A remark of the model (the dump against the computation), into sys->notes. */
void xs_note(xs_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- releases.c: the release table --------------------------------------------- */

/* The CET-S series patches a release carries. */
uint32_t xs_release_patches(uint32_t release);
/*
 * Does the modelled kernel have `change`? xs_kernel_has() for its release,
 * except XS_K_CET_KERNEL, which is the series patch of that name (a
 * release has it; the CET-S policy "off" takes it away). Component-table
 * conditions (XS_SINCE_ALWAYS / XS_SINCE_NEVER too) go through here.
 */
bool xs_system_since(const xs_system *sys, short since);

/* ---- cpuid_deps.c, cmdline.c, cpufeature.c: the kernel's view of the CPU ------- */

/* do_clear_cpu_cap() with a release's cpuid_deps[]. */
uint64_t xs_clear_cpu_caps_at(uint64_t features, uint64_t clear, uint32_t release);

/* cmdline.c: what cpu_parse_early_param() and nopku leave behind. */
struct xs_cmdline_effect {
	uint64_t clear;		/* setup_clear_cpu_cap() calls, before dependencies */
	bool pku_disabled;	/* nopku: setup_pku() leaves CR4.PKE and OSPKE clear */
};
/* Read sys->opts.cmdline as sys->opts.kernel does; messages to sys->cpu_log. */
void xs_cpu_parse_early_param(xs_system *sys, struct xs_cmdline_effect *e);

/* cpufeature.c: identify_cpu() as far as fpu__init_system() cares: sets sys->cpu_features. */
void xs_identify_cpu(xs_system *sys);

/* ---- xstate.c: fpu__init_system_xstate() ----------------------------------------- */

void xs_fpu_init_system_xstate(xs_system *sys);	/* the kernel's fpu__init_system_xstate() */

/* Is component nr aligned to 64 bytes in the compacted format? Hot-path form (no call). */
static inline bool xs_aligned64(const xs_system *sys, unsigned nr)
{
	return sys->xstate_flags[nr] & XS_LEAF_D_ALIGNED64;
}

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

/* ---- core.c: fpstates (arch/x86/kernel/fpu/core.c) -------------------------------- */

xs_fpstate *xs_fpstate_alloc(const struct xs_allocator *a, unsigned size);
void xs_fpstate_free(const struct xs_allocator *a, xs_fpstate *fps);
/* xstate_init_xcomp_bv(): the compacted format records what has space. */
void xs_xstate_init_xcomp_bv(const xs_system *sys, xs_fpstate *fps, uint64_t mask);
/* fpu_flush_thread(): init_fpstate's legacy area and header into fps. */
void xs_fpstate_copy_init(const xs_system *sys, xs_fpstate *fps);

/* ---- verdict.c: the kernel's verdict on a user buffer ------------------------------ */

void xs_verdict_set(struct xs_verdict *v, int err, const char *rule, const char *function,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- uabi.c: kernel buffers <-> the user ABI ---------------------------------------- */

/* The copy plans of a kernel buffer shape whose components are `features` (xs_buffer_layout). */
void xs_uabi_plan_init(const xs_system *sys, struct xs_buffer_layout *l, uint64_t features);
/* XFEATURE_MASK_SUPERVISOR_ALL of this kernel. */
uint64_t xs_supervisor_all(const xs_system *sys);

/* ---- signal.c -------------------------------------------------------------------- */

/*
 * check_xstate_in_sigframe(): does sigreturn on this kernel take the
 * frame's own fx_sw_bytes.xstate_size (and find MAGIC2 after it), or the
 * task's user_size (6.15 .. 6.18.34)? The one home of that rule.
 */
bool xs_sigreturn_uses_frame_size(uint32_t release);

/* ---- kvm.c ---------------------------------------------------------------------- */

/* KVM_CAP_XSAVE2 for guest XCR0 `xcr0`: xstate_required_size(), never below struct kvm_xsave. */
unsigned xs_kvm_xsave2_size(const xs_system *sys, uint64_t xcr0);

#endif
