// SPDX-License-Identifier: MIT
/* Options of the model: the CET-S policy and what it means as a patch set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void xs_options_init(struct xs_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->cet_s = XS_CET_S_GUEST_ONLY;
	opts->kernel = XS_KERNEL_DEFAULT;
}

/* One word of the command line, [w, e). */
static uint64_t word_clears(const char *w, const char *e)
{
	static const struct { const char *param; enum xs_cpu_feature f; } flags[] = {
		{ "noxsave", XS_CPU_XSAVE }, { "noxsaves", XS_CPU_XSAVES },
		{ "noxsaveopt", XS_CPU_XSAVEOPT }, { "nopku", XS_CPU_PKU },
	};
	uint64_t clear = 0;
	char name[32];

	for (size_t i = 0; i < XS_ARRAY_SIZE(flags); i++)
		if ((size_t)(e - w) == strlen(flags[i].param) && !memcmp(w, flags[i].param, (size_t)(e - w)))
			clear |= XS_BIT(flags[i].f);
	if ((size_t)(e - w) < 11 || memcmp(w, "clearcpuid=", 11))
		return clear;
	for (const char *n = w + 11, *c; n < e; n = c + 1) {
		c = memchr(n, ',', (size_t)(e - n));
		if (!c)
			c = e;
		if ((size_t)(c - n) < sizeof(name)) {
			int f;

			memcpy(name, n, (size_t)(c - n));
			name[c - n] = '\0';
			f = xs_cpu_feature_by_name(name);
			if (f >= 0)
				clear |= XS_BIT(f);
		}
	}
	return clear;
}

uint64_t xs_cmdline_cleared_features(const char *cmdline)
{
	uint64_t clear = 0;

	for (const char *p = cmdline; p && *p;) {
		const char *e = p;

		while (*e && *e != ' ' && *e != '\n' && *e != '\t')
			e++;
		clear |= word_clears(p, e);
		p = *e ? e + 1 : e;
	}
	return clear;
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

int xs_policy_costs(const xs_cpu *cpu, const struct xs_options *base, struct xs_policy_cost out[3])
{
	static const enum xs_cet_s_policy order[3] = { XS_CET_S_OFF, XS_CET_S_GUEST_ONLY, XS_CET_S_ALL };
	xs_system *sys = malloc(sizeof(*sys));
	struct xs_options o;
	int ret = 0;

	if (!sys)
		return -ENOMEM;
	if (base)
		o = *base;
	else
		xs_options_init(&o);
	o.patches = 0;	/* each policy is its own patch set */
	for (int i = 0; i < 3 && !ret; i++) {
		o.cet_s = order[i];
		ret = xs_system_init(sys, cpu, &o);
		out[i] = (struct xs_policy_cost){ order[i], sys->kernel.default_size,
						  sys->kernel.guest_default_size };
	}
	free(sys);
	return ret;
}
