/* SPDX-License-Identifier: MIT */
/*
 * Processes, vCPU containers and fpstates as the kernel layer sees them
 * (core.c, perm.c build them; fpu_object.c gives programs their view).
 * Programs hold them as the opaque xs_fpu, xs_fpu_guest and xs_fpstate of
 * the public header.
 */
#ifndef XS_LINUX_FPSTATE_H
#define XS_LINUX_FPSTATE_H

#include "linux/system.h"

/* struct fpstate: a register image and what it is sized for. */
struct xs_fpstate {
	union {
		struct xs_fpstate_info info;
		struct {	/* the same members, by their own names */
			unsigned size, user_size;
			uint64_t xfeatures, user_xfeatures, xfd;
			bool is_valloc, is_guest, is_confidential, in_use;
		};
	};
	uint8_t *regs;			/* 64-byte aligned XSAVE image, `size` bytes */
};

/*
 * struct fpu of a process (its thread-group leader, where permissions
 * live), and the sigaltstack sizes of its threads.
 */
struct xs_fpu {
	const xs_system *sys;
	struct xs_allocator alloc;
	xs_fpstate *fpstate;		/* the active one */
	xs_fpstate *task_fpstate;	/* __task_fpstate while a guest one is active */
	xs_fpstate *first;		/* the task's original buffer (__fpstate) */
	struct xs_fpu_state_perm perm;
	struct xs_fpu_state_perm guest_perm;
	uint32_t pkru;			/* thread.pkru */
	unsigned nthreads;
	size_t sas_ss_size[XS_FPU_MAX_THREADS];	/* 0: no sigaltstack */
};

/* struct fpu_guest: the VMM's container for one vCPU (its permissions are the owner's guest_perm). */
struct xs_fpu_guest {
	union {
		struct xs_fpu_guest_info info;
		struct {	/* the same members, by their own names */
			uint64_t xfeatures, xfd_err;
			unsigned uabi_size;
		};
	};
	xs_fpstate *fpstate;
	/* KVM's flags for the VM and vCPU (false on a normal VM): */
	bool has_protected_state;	/* kvm->arch.has_protected_state (SEV-ES, SNP, TDX) */
	bool guest_state_protected;	/* vcpu->arch.guest_state_protected */
	struct xs_allocator alloc;	/* the owner's, which gave fpstate (xs_fpu_guest_free) */
};

/* A new process (fpstate_reset + fpu_flush_thread): -ENOMEM; xs_system_usable()'s errors. */
int xs_fpu_init(xs_fpu *fpu, const xs_system *sys, const struct xs_allocator *alloc);
void xs_fpu_destroy(xs_fpu *fpu);

#endif
