// SPDX-License-Identifier: MIT
/*
 * The system as programs hold it: allocated by the library, so that a new
 * state component (a longer per-component cache) changes no program, and
 * read through accessors. The library itself reads the struct directly.
 */
#include <errno.h>
#include <stdlib.h>

#include "linux/linux.h"

int xs_system_new(xs_system **out, const xs_cpu *cpu, const struct xs_options *opts)
{
	xs_system *sys = malloc(sizeof(*sys));
	int ret;

	if (!sys)
		return -ENOMEM;
	ret = xs_system_init(sys, cpu, opts);
	if (ret) {
		free(sys);
		return ret;
	}
	*out = sys;
	return 0;
}

void xs_system_free(xs_system *sys)
{
	free(sys);
}

const xs_cpu *xs_system_cpu(const xs_system *sys)
{
	return &sys->cpu;
}

const struct xs_options *xs_system_options(const xs_system *sys)
{
	return &sys->opts;
}

const struct xs_system_info *xs_system_info(const xs_system *sys)
{
	return &sys->info;
}

int xs_system_component(const xs_system *sys, unsigned nr, struct xs_component_info *out)
{
	if (nr >= XS_XFEATURE_MAX)
		return -ENOENT;
	out->offset = sys->xstate_offsets[nr];
	out->size = sys->xstate_sizes[nr];
	out->flags = sys->xstate_flags[nr];
	out->comp_offset = sys->xstate_comp_offsets[nr];
	return 0;
}

unsigned xs_system_uncompact_order(const xs_system *sys, unsigned *order, unsigned max)
{
	for (unsigned i = 0; i < sys->n_uncompact && i < max; i++)
		order[i] = sys->uncompact_order[i];
	return sys->n_uncompact;
}

const char *xs_system_log(const xs_system *sys)
{
	return sys->log;
}

const char *xs_system_cpu_log(const xs_system *sys)
{
	return sys->cpu_log;
}

unsigned xs_system_nnotes(const xs_system *sys)
{
	return sys->nnotes;
}

const char *xs_system_note(const xs_system *sys, unsigned i)
{
	return i < sys->nnotes ? sys->notes[i] : NULL;
}
