// SPDX-License-Identifier: MIT
/*
 * The NT_X86_XSTATE regset (arch/x86/kernel/fpu/regset.c xstateregs_get()
 * and xstateregs_set(), with the generic ptrace_regset() iov rules of
 * kernel/ptrace.c): n = user.max_size / 8 elements of 8 bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux.h"

/* update_regset_xstate_info(): n = size / sizeof(u64) elements of 8 bytes. */
unsigned xs_ptrace_xstate_size(const xs_system *sys)
{
	return sys->xsave ? sys->user.max_size / 8 * 8 : 0;
}

int xs_ptrace_getregset(const xs_fpu *tracee, void *out, size_t iov_len, size_t *copied)
{
	const xs_system *sys = tracee->sys;
	unsigned size = xs_ptrace_xstate_size(sys);
	uint8_t *full;

	if (iov_len % 8)
		return -EINVAL;	/* ptrace_regset(): iov_len % regset->size */
	if (!sys->xsave)
		return -ENODEV;
	full = malloc(size);
	if (!full)
		return -ENOMEM;
	xs_copy_xstate_to_uabi(sys, tracee->fpstate, tracee->fpstate->user_xfeatures, tracee->pkru,
			       XS_COPY_XSAVE, full, size);
	if (iov_len > size)
		iov_len = size;
	memcpy(out, full, iov_len);
	free(full);
	if (copied)
		*copied = iov_len;
	return 0;
}

/* The checks PTRACE_SETREGSET applies before the tracee changes. */
static int check_setregset(const xs_fpu *tracee, const void *buf, size_t iov_len,
			   struct xs_verdict *v)
{
	const xs_system *sys = tracee->sys;
	unsigned size = xs_ptrace_xstate_size(sys);

	if (iov_len % 8) {
		xs_verdict_set(v, -EINVAL, "iov_len.multiple", "ptrace_regset",
			       "iov_len %zu is not a multiple of the regset element size 8", iov_len);
		return -EINVAL;
	}
	if (!sys->xsave) {
		xs_verdict_set(v, -ENODEV, "no_xsave", "xstateregs_set", "the kernel does not use XSAVE");
		return -ENODEV;
	}
	/* longer buffers are clamped to the regset size; shorter ones refused */
	if (iov_len < size) {
		xs_verdict_set(v, -EFAULT, "iov_len.short", "xstateregs_set",
			       "%zu bytes given; a whole standard-format buffer of %u bytes is needed",
			       iov_len, size);
		return -EFAULT;
	}
	/* only a CPUID with a size that is no multiple of 8 gets here */
	if (size != sys->user.max_size) {
		xs_verdict_set(v, -EFAULT, "iov_len.regset", "xstateregs_set",
			       "the regset holds %u bytes, less than the %u-byte user size: no set can succeed",
			       size, sys->user.max_size);
		return -EFAULT;
	}
	return xs_uabi_validate(sys, tracee->fpstate, buf, size, v);
}

/*
 * Before 5.14 ("x86/fpu: Sanitize xstateregs_set()") reserved MXCSR bits
 * were silently cleared, and a refused header reset the tracee's FPU state.
 */
static int setregset_before_5_14(xs_fpu *tracee, const void *buf, size_t size, uint32_t *pkru,
				 struct xs_verdict *v)
{
	const xs_system *sys = tracee->sys;
	uint8_t *copy = malloc(size);
	uint32_t mxcsr;
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, size);
	mxcsr = xs_ld32(copy + XS_LEG_MXCSR) & sys->mxcsr_feature_mask;
	xs_st32(copy + XS_LEG_MXCSR, mxcsr);
	ret = xs_copy_uabi_to_xstate(sys, tracee->fpstate, copy, size, pkru, v);
	if (ret == -EINVAL) {
		xs_fpstate_copy_init(sys, tracee->fpstate);
		tracee->pkru = 0;
	}
	free(copy);
	return ret;
}

int xs_ptrace_setregset(xs_fpu *tracee, const void *buf, size_t iov_len, struct xs_verdict *v)
{
	const xs_system *sys = tracee->sys;
	size_t size = xs_ptrace_xstate_size(sys);
	uint32_t ignored = tracee->pkru;
	/* PKRU written through ptrace takes effect since 6.2 */
	uint32_t *pkru = xs_kernel_has(sys->opts.kernel, XS_K_PTRACE_PKRU) ? &tracee->pkru : &ignored;
	int ret;

	if (!xs_kernel_has(sys->opts.kernel, XS_K_SIGFRAME_SIZE)) {
		if (iov_len % 8 || !sys->xsave || iov_len < size)
			return check_setregset(tracee, buf, iov_len, v);
		return setregset_before_5_14(tracee, buf, size, pkru, v);
	}
	ret = check_setregset(tracee, buf, iov_len, v);
	if (ret)
		return ret;
	/* bytes 464..511 (sw_reserved) and the padding are ignored on input */
	return xs_copy_uabi_to_xstate(sys, tracee->fpstate, buf, size, pkru, v);
}
