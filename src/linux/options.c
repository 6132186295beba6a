// SPDX-License-Identifier: MIT
/*
 * Options of the model: the CET-S policy and what it means as a patch set
 * (the kernel command line is cmdline.c's).
 */
#include <errno.h>
#include <string.h>

#include "linux/linux.h"

void xs_options_init(struct xs_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->cet_s = XS_CET_S_GUEST_ONLY;
	opts->kernel = XS_KERNEL_DEFAULT;
}

static const char *const policy_names[] = {
	[XS_CET_S_GUEST_ONLY] = "guest-only",
	[XS_CET_S_OFF] = "off",
	[XS_CET_S_ALL] = "all",
};

int xs_cet_s_policy_parse(const char *s, enum xs_cet_s_policy *out)
{
	for (unsigned i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
		if (s && !strcmp(s, policy_names[i])) {
			*out = (enum xs_cet_s_policy)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *xs_cet_s_policy_name(enum xs_cet_s_policy p)
{
	return (unsigned)p < sizeof(policy_names) / sizeof(policy_names[0]) ? policy_names[p] : "?";
}

uint32_t xs_cet_s_policy_patches(enum xs_cet_s_policy p)
{
	/* The two fixes at the head of the series are independent of CET-S. */
	const uint32_t fixes = XS_PATCH_PRESERVE_PERM | XS_PATCH_DROP_GUEST_PERM;

	switch (p) {
	case XS_CET_S_OFF:
		return fixes;
	case XS_CET_S_ALL:
		/* Case 3: CET-S is a normal supervisor feature of every fpstate. */
		return fixes | XS_PATCH_CET_KERNEL | XS_PATCH_GUEST_DEFAULTS |
		       XS_PATCH_GUEST_PERM_DEFAULTS | XS_PATCH_GUEST_FPSTATE_DEFAULTS;
	default:
		return XS_PATCH_ALL;
	}
}
