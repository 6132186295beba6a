// SPDX-License-Identifier: MIT
/*
 * The kernel's verdict on a user buffer (struct xs_verdict): one home for
 * filling it, used by the UABI copies, ptrace, signal frames and KVM, and
 * the errno names it is shown with.
 */
#include <errno.h>

#include "linux/linux.h"

const char *xs_errno_name(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ E2BIG, "E2BIG" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ERANGE, "ERANGE" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < XS_ARRAY_SIZE(names); i++)
		if (names[i].e == err)
			return names[i].n;
	return "E?";
}

void xs_verdict_set(struct xs_verdict *v, int err, const char *rule, const char *function,
		    const char *fmt, ...)
{
	va_list ap;

	if (!v)
		return;
	v->err = err;
	v->rule = rule;
	v->function = function;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}
