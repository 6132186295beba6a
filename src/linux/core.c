// SPDX-License-Identifier: MIT
/*
 * Task and guest fpstates as arch/x86/kernel/fpu/core.c builds them:
 * fpstate_reset(), fpstate_init_user(), fpu_flush_thread(),
 * fpu_alloc_guest_fpstate(), fpu_swap_kvm_fpstate(), and the v4 warning
 * when a normal fpstate carries a guest-only component.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux.h"

/* ---- memory ------------------------------------------------------------- */

static void *default_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return aligned_alloc(64, XS_ALIGN(size, (size_t)64));
}

static void default_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

#define FPSTATE_HDR XS_ALIGN(sizeof(xs_fpstate), (size_t)64)

/* vzalloc(ksize + ALIGN(offsetof(struct fpstate, regs), 64)) */
xs_fpstate *xs_fpstate_alloc(const struct xs_allocator *a, unsigned size)
{
	uint8_t *mem = a->alloc(a->ctx, FPSTATE_HDR + size);
	xs_fpstate *fps = (xs_fpstate *)mem;

	if (!mem)
		return NULL;
	if ((uintptr_t)mem % 64) {	/* XSAVE images must be 64-byte aligned */
		a->free(a->ctx, mem);
		return NULL;
	}
	memset(mem, 0, FPSTATE_HDR + size);
	fps->regs = mem + FPSTATE_HDR;
	fps->size = size;
	return fps;
}

void xs_fpstate_free(const struct xs_allocator *a, xs_fpstate *fps)
{
	if (fps)
		a->free(a->ctx, fps);
}

/* ---- the in-buffer header ---------------------------------------------- */

uint64_t xs_fpstate_xstate_bv(const xs_fpstate *fps)
{
	return fps->size >= XS_XSAVE_LEGACY_AND_HDR ? xs_hdr_word(fps->regs, 0) : 0;
}

uint64_t xs_fpstate_xcomp_bv(const xs_fpstate *fps)
{
	return fps->size >= XS_XSAVE_LEGACY_AND_HDR ? xs_hdr_word(fps->regs, 1) : 0;
}

/* xstate_init_xcomp_bv(): the compacted format records what has space. */
void xs_xstate_init_xcomp_bv(const xs_system *sys, xs_fpstate *fps, uint64_t mask)
{
	if (sys->compacted && fps->size >= XS_XSAVE_LEGACY_AND_HDR)
		xs_st64(fps->regs + XS_HDR_XCOMP_BV, mask | XS_XCOMP_BV_COMPACTED_FORMAT);
}

/* fpstate_init_user(): the non-zero legacy init values. */
static void fpstate_init_user(const xs_system *sys, xs_fpstate *fps)
{
	if (sys->xsave)
		xs_xstate_init_xcomp_bv(sys, fps, fps->xfeatures);
	if (sys->fxsr) {
		xs_st16(fps->regs + XS_LEG_FCW, XS_FCW_DEFAULT);
		xs_st32(fps->regs + XS_LEG_MXCSR, XS_MXCSR_DEFAULT);
	} else {
		/* fpstate_init_fstate(): cwd, swd, twd, fos with the upper halves set */
		static const uint32_t fsave[7] = { 0xffff037f, 0xffff0000, 0xffffffff, 0, 0,
						    0, 0xffff0000 };
		memcpy(fps->regs, fsave, sizeof(fsave));
	}
}

/*
 * init_fpstate as setup_init_fpu_buf() leaves it: XSTATE_BV 0, XCOMP_BV
 * from the host defaults, and FXSAVE's legacy image (FCW, MXCSR and the
 * CPU's MXCSR_MASK). fpu_flush_thread() copies its first 576 bytes.
 */
void xs_fpstate_copy_init(const xs_system *sys, xs_fpstate *fps)
{
	unsigned n = sys->xsave ? XS_XSAVE_LEGACY_AND_HDR : fps->size;

	memset(fps->regs, 0, n < fps->size ? n : fps->size);
	fpstate_init_user(sys, fps);
	if (sys->xsave)
		xs_xstate_init_xcomp_bv(sys, fps, sys->kernel.default_features);
	if (sys->fxsr)
		xs_st32(fps->regs + XS_LEG_MXCSR_MASK, sys->mxcsr_feature_mask);
}

/* ---- resetting ----------------------------------------------------------- */

/* __fpstate_reset(): sizes and feature sets, guest or host. */
static void fpstate_reset_sizes(const xs_system *sys, xs_fpstate *fps, uint64_t xfd)
{
	bool guest_defaults = fps->is_guest && (sys->patches & XS_PATCH_GUEST_FPSTATE_DEFAULTS);

	if (guest_defaults) {
		fps->size = sys->kernel.guest_default_size;
		fps->xfeatures = sys->kernel.guest_default_features;
	} else {
		fps->size = sys->kernel.default_size;
		fps->xfeatures = sys->kernel.default_features;
	}
	/* user features and sizes are the same for guests and hosts */
	fps->user_size = sys->user.default_size;
	fps->user_xfeatures = sys->user.default_features;
	fps->xfd = xfd;
}

static void perm_set(struct xs_fpu_state_perm *p, uint64_t features, unsigned size,
		     unsigned user_size)
{
	p->state_perm = features;
	p->state_size = size;
	p->user_state_size = user_size;
}

/* fpstate_reset(): the permissions of a new process. */
static void fpu_perm_reset(xs_fpu *fpu)
{
	const xs_system *sys = fpu->sys;

	perm_set(&fpu->perm, sys->kernel.default_features, sys->kernel.default_size,
		 sys->user.default_size);
	if (sys->patches & XS_PATCH_GUEST_PERM_DEFAULTS)
		perm_set(&fpu->guest_perm, sys->kernel.guest_default_features,
			 sys->kernel.guest_default_size, sys->user.guest_default_size);
	else
		fpu->guest_perm = fpu->perm;	/* "Same defaults for guests" */
}

int xs_fpu_init(xs_fpu *fpu, const xs_system *sys, const struct xs_allocator *alloc)
{
	static const struct xs_allocator malloc_allocator = { default_alloc, default_free, NULL };
	xs_fpstate *fps;
	int ret = xs_system_usable(sys);

	memset(fpu, 0, sizeof(*fpu));
	if (ret)
		return ret;
	fpu->sys = sys;
	fpu->alloc = alloc ? *alloc : malloc_allocator;
	fps = xs_fpstate_alloc(&fpu->alloc, sys->kernel.default_size);
	if (!fps)
		return -ENOMEM;
	fpstate_reset_sizes(sys, fps, sys->init_xfd);
	xs_fpstate_copy_init(sys, fps);
	fpu->fpstate = fpu->first = fps;
	fpu->nthreads = 1;
	fpu_perm_reset(fpu);
	return 0;
}

void xs_fpu_destroy(xs_fpu *fpu)
{
	if (fpu->task_fpstate && fpu->task_fpstate != fpu->first)
		xs_fpstate_free(&fpu->alloc, fpu->task_fpstate);
	if (fpu->fpstate && fpu->fpstate != fpu->first && !fpu->fpstate->is_guest)
		xs_fpstate_free(&fpu->alloc, fpu->fpstate);
	xs_fpstate_free(&fpu->alloc, fpu->first);
	memset(fpu, 0, sizeof(*fpu));
}

/* ---- guest fpstates -------------------------------------------------------- */

/* fpu_lock_guest_permissions(): the first vCPU freezes guest permissions. */
static void fpu_lock_guest_permissions(xs_fpu *owner)
{
	owner->guest_perm.state_perm |= XS_FPU_GUEST_PERM_LOCKED;
}

int xs_fpu_alloc_guest_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu)
{
	const xs_system *sys = owner->sys;
	bool guest_defaults = sys->patches & XS_PATCH_GUEST_FPSTATE_DEFAULTS;
	unsigned size = guest_defaults ? sys->kernel.guest_default_size : sys->kernel.default_size;
	xs_fpstate *fps = xs_fpstate_alloc(&owner->alloc, size);

	if (!fps)
		return -ENOMEM;
	fps->is_valloc = fps->is_guest = true;
	fpstate_reset_sizes(sys, fps, 0);	/* XFD's architectural RESET value */
	fpstate_init_user(sys, fps);

	memset(gfpu, 0, sizeof(*gfpu));
	gfpu->fpstate = fps;
	gfpu->alloc = owner->alloc;
	gfpu->xfeatures = guest_defaults ? sys->kernel.guest_default_features
					 : sys->kernel.default_features;
	/* before 6.15 the container took the user defaults (dda366083e5f) */
	if (!xs_kernel_has(sys->opts.kernel, XS_K_GUEST_KERNEL_SIZE))
		gfpu->xfeatures = sys->user.default_features;
	/* sizeof(struct kvm_xsave), unless the default user size is larger;
	 * 5.17/5.18 started from the user default size */
	gfpu->uabi_size = XS_KVM_XSAVE_SIZE;
	if (!xs_kernel_has(sys->opts.kernel, XS_K_KVM_UABI_4096) ||
	    sys->user.default_size > gfpu->uabi_size)
		gfpu->uabi_size = sys->user.default_size;
	fpu_lock_guest_permissions(owner);
	return 0;
}

int xs_fpu_free_guest_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu)
{
	xs_fpstate *fps = gfpu->fpstate;

	if (!fps)
		return 0;
	if (!fps->is_valloc || !fps->is_guest || fps->in_use)
		return -EBUSY;	/* the kernel WARNs and refuses */
	xs_fpstate_free(&owner->alloc, fps);
	gfpu->fpstate = NULL;
	return 0;
}

int xs_fpu_swap_kvm_fpstate(xs_fpu *owner, xs_fpu_guest *gfpu, bool enter)
{
	xs_fpstate *guest = gfpu->fpstate;

	if (!guest)
		return -EINVAL;
	if (enter) {
		if (guest->in_use)
			return -EBUSY;
		owner->task_fpstate = owner->fpstate;
		owner->fpstate = guest;
		guest->in_use = true;
	} else {
		if (!guest->in_use || owner->fpstate != guest)
			return -EINVAL;
		owner->fpstate = owner->task_fpstate;
		owner->task_fpstate = NULL;
		guest->in_use = false;
	}
	return 0;
}

bool xs_fpstate_guest_only_warning(const xs_system *sys, const xs_fpstate *fps,
				   struct xs_diag *diag)
{
	uint64_t bad = fps->xfeatures & sys->supervisor_guest;

	if (!(sys->patches & XS_PATCH_WARN_GUEST_ONLY) || fps->is_guest || !bad)
		return false;
	if (diag) {
		char names[128];

		names[0] = '\0';
		for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
			if (bad & XS_BIT(i))
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", xs_xfeature_info(i)->kernel_name);
		xs_diag_fail(diag, 0,
			     "WARNING: guest-only supervisor state %s (mask 0x%llx) in a non-guest fpstate (xfeatures 0x%llx): os_xsave() would WARN",
			     names, (unsigned long long)bad, (unsigned long long)fps->xfeatures);
	}
	return true;
}
