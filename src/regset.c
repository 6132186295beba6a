// SPDX-License-Identifier: MIT
/*
 * The NT_X86_XSTATE regset (arch/x86/kernel/fpu/regset.c xstateregs_get()
 * and xstateregs_set(), with the generic ptrace_regset() iov rules of
 * kernel/ptrace.c): n = user.max_size / 8 elements of 8 bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

unsigned xs_ptrace_xstate_size(const xs_system *sys)
{
	return sys->xsave ? sys->user.max_size : 0;
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
	return xs_uabi_validate(sys, tracee->fpstate, buf, size, v);
}

int xs_ptrace_setregset(xs_fpu *tracee, const void *buf, size_t iov_len, struct xs_verdict *v)
{
	int ret = check_setregset(tracee, buf, iov_len, v);

	if (ret)
		return ret;
	/* bytes 464..511 (sw_reserved) and the padding are ignored on input */
	return xs_copy_uabi_to_xstate(tracee->sys, tracee->fpstate, buf,
				      xs_ptrace_xstate_size(tracee->sys), &tracee->pkru, v);
}
