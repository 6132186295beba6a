// SPDX-License-Identifier: MIT
/*
 * What each CET-S policy costs on one CPU: the series' three cases side by
 * side, three kernel systems built from the same CPU and options. Above
 * the kernel layer, which it drives as a user would.
 */
#include <errno.h>
#include <stdlib.h>

#include "fleet/fleet.h"

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
