// SPDX-License-Identifier: MIT
/*
 * Permissions and dynamic features, as arch/x86/kernel/fpu/xstate.c has
 * them: fpu_xstate_prctl() (the ARCH_*_XCOMP_* options),
 * xstate_request_perm(), validate_sigaltstack(), __xfd_enable_feature() and
 * fpstate_realloc(); and sigaltstack_size_valid() from
 * arch/x86/kernel/signal.c.
 */
#include <errno.h>
#include <string.h>

#include "linux/linux.h"

/*
 * xstate_prctl_req[]: facilities needing a request, by their highest
 * component — the dynamic rows (AMX: TILEDATA).
 */
static uint64_t xstate_prctl_req(unsigned long idx)
{
	return idx < XS_XFEATURE_MAX && xs_component((unsigned)idx)->info.dynamic ? XS_BIT(idx) : 0;
}

static struct xs_fpu_state_perm *group_perm(xs_fpu *fpu, bool guest)
{
	return guest ? &fpu->guest_perm : &fpu->perm;
}

/*
 * validate_sigaltstack(): the enlarged frame must fit every thread's
 * alternate stack. get_sigframe_size() is based on the user max size.
 */
static int validate_sigaltstack(const xs_fpu *fpu, unsigned usize)
{
	size_t framesize = fpu->sys->max_sigframe_size - fpu->sys->user.max_size + usize;

	for (unsigned t = 0; t < fpu->nthreads; t++)
		if (fpu->sas_ss_size[t] && fpu->sas_ss_size[t] < framesize)
			return -ENOSPC;
	return 0;
}

/* The kernel's __xstate_request_perm(): size and store a new permission. */
static int xstate_store_perm(xs_fpu *fpu, uint64_t permitted, uint64_t requested, bool guest)
{
	const xs_system *sys = fpu->sys;
	struct xs_fpu_state_perm *perm = group_perm(fpu, guest);
	uint64_t mask = permitted | requested;
	unsigned ksize, usize;
	int ret;

	if ((permitted & requested) == requested)
		return 0;
	/* 5.18 (781c64bfcb73) sized host requests with the supervisor states */
	if (!(sys->patches & XS_PATCH_PRESERVE_PERM) && !guest &&
	    xs_kernel_has(sys->opts.kernel, XS_K_PERM_KEEPS_USER))
		mask |= sys->kernel.max_features & sys->supervisor_supported;
	ksize = xs_xstate_calculate_size(sys, mask, sys->compacted);
	usize = xs_xstate_calculate_size(sys, mask & XS_XFEATURE_MASK_USER_SUPPORTED, false);
	if (!guest) {
		ret = validate_sigaltstack(fpu, usize);
		if (ret)
			return ret;
	}
	/*
	 * Before "Always preserve non-user xfeatures/flags in __state_perm"
	 * the stored mask was the user part only: supervisor bits vanished.
	 */
	if (!(sys->patches & XS_PATCH_PRESERVE_PERM))
		mask &= XS_XFEATURE_MASK_USER_SUPPORTED;
	/* 5.16 and 5.17 stored only what was requested (fixed by 063452fd94d1) */
	if (!xs_kernel_has(sys->opts.kernel, XS_K_PERM_KEEPS_USER))
		mask = requested;
	perm->state_perm = mask;
	perm->state_size = ksize;
	perm->user_state_size = usize;
	return 0;
}

static int xstate_request_perm(xs_fpu *fpu, unsigned long idx, bool guest)
{
	uint64_t requested, permitted;

	if (idx >= XS_XFEATURE_MAX)
		return -EINVAL;
	requested = xstate_prctl_req(idx);
	if (!requested)
		return -EOPNOTSUPP;
	if ((fpu->sys->user.max_features & requested) != requested)
		return -EOPNOTSUPP;
	permitted = group_perm(fpu, guest)->state_perm;
	if ((permitted & requested) == requested)
		return 0;
	/* The first vCPU allocation locks the guest permissions. */
	if (guest && (permitted & XS_FPU_GUEST_PERM_LOCKED))
		return -EBUSY;
	return xstate_store_perm(fpu, permitted, requested, guest);
}

static long put_user(uint64_t v, uint64_t *uptr)
{
	if (!uptr)
		return -EFAULT;
	*uptr = v;
	return 0;
}

/* Options this release knows (do_arch_prctl_common(): -EINVAL otherwise). */
static bool prctl_known(const xs_system *sys, int option)
{
	if (option == XS_ARCH_GET_XCOMP_GUEST_PERM || option == XS_ARCH_REQ_XCOMP_GUEST_PERM)
		return xs_kernel_has(sys->opts.kernel, XS_K_GUEST_PRCTL);
	return xs_kernel_has(sys->opts.kernel, XS_K_XCOMP_PRCTL);
}

long xs_arch_prctl(xs_fpu *fpu, int option, unsigned long arg2, uint64_t *uptr)
{
	const xs_system *sys = fpu->sys;

	if (!prctl_known(sys, option))
		return -EINVAL;
	switch (option) {
	case XS_ARCH_GET_XCOMP_SUPP:
		return put_user(sys->user.max_features | sys->user.legacy_features, uptr);
	case XS_ARCH_GET_XCOMP_PERM:
		return put_user(fpu->perm.state_perm & XS_XFEATURE_MASK_USER_SUPPORTED, uptr);
	case XS_ARCH_GET_XCOMP_GUEST_PERM:
		return put_user(fpu->guest_perm.state_perm & XS_XFEATURE_MASK_USER_SUPPORTED, uptr);
	case XS_ARCH_REQ_XCOMP_GUEST_PERM:
		return xstate_request_perm(fpu, arg2, true);
	case XS_ARCH_REQ_XCOMP_PERM:
		return xstate_request_perm(fpu, arg2, false);
	default:
		return -EINVAL;
	}
}

/*
 * sigaltstack(): do_sigaltstack()'s MINSIGSTKSZ floor, then
 * sigaltstack_size_valid(): only checked when dynamic features exist (or
 * strict_sas_size); a too-small stack is refused when strict or once the
 * process may use AMX tile data.
 */
int xs_sigaltstack(xs_fpu *fpu, unsigned thread, size_t size)
{
	const xs_system *sys = fpu->sys;
	bool dynamic = sys->init_xfd != 0;
	size_t fsize;

	if (thread >= XS_FPU_MAX_THREADS)
		return -EINVAL;
	/* do_sigaltstack(): never smaller than MINSIGSTKSZ (2048 on x86) */
	if (size && size < 2048)
		return -ENOMEM;
	if (size && xs_kernel_has(sys->opts.kernel, XS_K_SIGALTSTACK_CHECK) &&
	    (dynamic || sys->opts.strict_sas_size)) {
		fsize = sys->max_sigframe_size - sys->fpstate_sigframe_size + fpu->perm.user_state_size;
		if (size <= fsize && (sys->opts.strict_sas_size ||
				      (fpu->perm.state_perm & XS_XFEATURE_MASK_XTILE_DATA)))
			return -ENOMEM;
	}
	fpu->sas_ss_size[thread] = size;
	if (thread >= fpu->nthreads)
		fpu->nthreads = thread + 1;
	return 0;
}

/* ---- dynamic features ------------------------------------------------------ */

/*
 * fpstate_realloc(): a zeroed buffer of the permitted size. The kernel
 * copies nothing — the live state is in the registers — so the new image
 * holds only the legacy init values and the header.
 */
static int fpstate_realloc(xs_fpu *fpu, uint64_t xfeatures, unsigned ksize, unsigned usize,
			   xs_fpu_guest *gfpu)
{
	xs_fpstate *cur = gfpu ? gfpu->fpstate : fpu->fpstate;
	xs_fpstate *nfps = xs_fpstate_alloc(&fpu->alloc, ksize);
	bool in_use = fpu->fpstate == cur;

	if (!nfps)
		return -ENOMEM;
	nfps->user_size = usize;
	nfps->is_valloc = true;
	if (gfpu) {
		nfps->is_guest = true;
		nfps->is_confidential = cur->is_confidential;
		nfps->in_use = cur->in_use;
		gfpu->xfeatures |= xfeatures;
		gfpu->uabi_size = usize;
	}
	nfps->xfeatures = cur->xfeatures | xfeatures;
	nfps->user_xfeatures = cur->user_xfeatures | xfeatures;
	nfps->xfd = cur->xfd & ~xfeatures;
	xs_xstate_init_xcomp_bv(fpu->sys, nfps, nfps->xfeatures);
	if (gfpu) {
		gfpu->fpstate = nfps;
		if (in_use)
			fpu->fpstate = nfps;
	} else {
		fpu->fpstate = nfps;
	}
	if (cur->is_valloc)
		xs_fpstate_free(&fpu->alloc, cur);
	return 0;
}

/* The kernel's __xfd_enable_feature(): the host's (gfpu NULL) or a vCPU's first use. */
static int xfd_enable_feature(xs_fpu *fpu, uint64_t xfd_err, xs_fpu_guest *gfpu)
{
	uint64_t xfd_event = xfd_err & XS_XFEATURE_MASK_USER_DYNAMIC;
	struct xs_fpu_state_perm *perm = group_perm(fpu, gfpu != NULL);

	if (!xfd_event)
		return 0;	/* the host path logs "XFD: Invalid xfd error" */
	if ((perm->state_perm & xfd_event) != xfd_event)
		return -EPERM;
	if (fpstate_realloc(fpu, xfd_event, perm->state_size, perm->user_state_size, gfpu))
		return -EFAULT;
	return 0;
}

int xs_xfd_enable_feature(xs_fpu *fpu, uint64_t xfd_err)
{
	return xfd_enable_feature(fpu, xfd_err, NULL);
}

int xs_fpu_enable_guest_xfd_features(xs_fpu *owner, xs_fpu_guest *gfpu, uint64_t xfeatures)
{
	xfeatures &= ~gfpu->xfeatures;
	if (!xfeatures)
		return 0;
	return xfd_enable_feature(owner, xfeatures, gfpu);
}
