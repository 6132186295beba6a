// SPDX-License-Identifier: MIT
/*
 * Processes, vCPU containers and fpstates as programs hold them:
 * allocated by the library and read through accessors, so that their
 * layout is the library's business. The library itself uses the structs.
 */
#include <errno.h>
#include <stdlib.h>

#include "linux/linux.h"

/* The info structs and the members the library uses by name are one memory (a union). */
#define SAME_MEMBER(type, m) \
	_Static_assert(offsetof(type, m) == offsetof(type, info.m) && \
		       sizeof(((type *)0)->m) == sizeof(((type *)0)->info.m), #type "." #m)
SAME_MEMBER(xs_fpstate, size);
SAME_MEMBER(xs_fpstate, user_size);
SAME_MEMBER(xs_fpstate, xfeatures);
SAME_MEMBER(xs_fpstate, user_xfeatures);
SAME_MEMBER(xs_fpstate, xfd);
SAME_MEMBER(xs_fpstate, is_valloc);
SAME_MEMBER(xs_fpstate, is_guest);
SAME_MEMBER(xs_fpstate, is_confidential);
SAME_MEMBER(xs_fpstate, in_use);
SAME_MEMBER(xs_fpu_guest, xfeatures);
SAME_MEMBER(xs_fpu_guest, xfd_err);
SAME_MEMBER(xs_fpu_guest, uabi_size);

int xs_fpu_new(xs_fpu **out, const xs_system *sys, const struct xs_allocator *alloc)
{
	xs_fpu *fpu = malloc(sizeof(*fpu));
	int ret;

	if (!fpu)
		return -ENOMEM;
	ret = xs_fpu_init(fpu, sys, alloc);
	if (ret) {
		free(fpu);
		return ret;
	}
	*out = fpu;
	return 0;
}

void xs_fpu_free(xs_fpu *fpu)
{
	if (!fpu)
		return;
	xs_fpu_destroy(fpu);
	free(fpu);
}

xs_fpstate *xs_fpu_fpstate(const xs_fpu *fpu)
{
	return fpu->fpstate;
}

const struct xs_fpu_state_perm *xs_fpu_perm(const xs_fpu *fpu, bool guest)
{
	return guest ? &fpu->guest_perm : &fpu->perm;
}

uint32_t xs_fpu_pkru(const xs_fpu *fpu)
{
	return fpu->pkru;
}

void xs_fpu_set_pkru(xs_fpu *fpu, uint32_t pkru)
{
	fpu->pkru = pkru;
}

xs_fpu_guest *xs_fpu_guest_new(void)
{
	return calloc(1, sizeof(xs_fpu_guest));
}

void xs_fpu_guest_free(xs_fpu_guest *gfpu)
{
	if (!gfpu)
		return;
	if (gfpu->fpstate && !gfpu->fpstate->in_use)
		xs_fpstate_free(&gfpu->alloc, gfpu->fpstate);
	free(gfpu);
}

xs_fpstate *xs_fpu_guest_fpstate(const xs_fpu_guest *gfpu)
{
	return gfpu->fpstate;
}

const struct xs_fpu_guest_info *xs_fpu_guest_info(const xs_fpu_guest *gfpu)
{
	return &gfpu->info;
}

void xs_fpu_guest_set_protected(xs_fpu_guest *gfpu, bool has_protected_state, bool guest_state_protected)
{
	gfpu->has_protected_state = has_protected_state;
	gfpu->guest_state_protected = guest_state_protected;
}

const struct xs_fpstate_info *xs_fpstate_info(const xs_fpstate *fps)
{
	return &fps->info;
}

uint8_t *xs_fpstate_regs(xs_fpstate *fps)
{
	return fps->regs;
}

void xs_fpstate_set_confidential(xs_fpstate *fps, bool confidential)
{
	fps->is_confidential = confidential;
}
