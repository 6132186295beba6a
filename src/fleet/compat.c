// SPDX-License-Identifier: MIT
/*
 * Fleets: can a process (CRIU: ptrace and sigreturn) or a vCPU
 * (KVM_GET_XSAVE2 / KVM_SET_XSAVE) saved on host A be restored on host B?
 * (The pool baseline is baseline.c's.)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleet/fleet.h"

uint64_t xs_compat_features(const xs_system *sys, enum xs_compat_kind kind)
{
	if (!sys->xsave)
		return sys->user.legacy_features;
	return kind == XS_COMPAT_TASK ? sys->user.max_features : xs_kvm_supported_xcr0(sys);
}

static bool has_regset(const struct xs_component *c)
{
	return c->regset != NULL;
}

/*
 * Supervisor state that travels outside the xsave buffer: a vCPU's in
 * IA32_XSS and its MSRs (what KVM supports), a task's in the regsets of
 * its components (CET_U: NT_X86_SHSTK).
 */
uint64_t xs_fleet_outside_state(const xs_system *sys, enum xs_compat_kind kind)
{
	if (kind == XS_COMPAT_VCPU)
		return xs_kvm_supported_xss(sys);
	return sys->kernel.max_features & xs_components_where(has_regset);
}

void xs_fleet_layout_of(const xs_system *sys, unsigned nr, struct xs_component_layout *l)
{
	xs_fleet_component(sys, nr, &l->size, &l->offset, &l->flags);
	l->flags &= XS_LEAF_D_SUPERVISOR | XS_LEAF_D_ALIGNED64 | XS_LEAF_D_XFD;
}

bool xs_fleet_same_layout(const xs_system *a, const xs_system *b, unsigned nr)
{
	struct xs_component_layout la, lb;

	xs_fleet_layout_of(a, nr, &la);
	xs_fleet_layout_of(b, nr, &lb);
	return !memcmp(&la, &lb, sizeof(la));
}

static unsigned buffer_size(const xs_system *sys, enum xs_compat_kind kind)
{
	if (!sys->xsave)
		return XS_FXSAVE_SIZE;
	if (kind == XS_COMPAT_TASK)
		return sys->user.max_size;
	/* KVM_CAP_XSAVE2 for a VMM that was granted AMX (when there is AMX) */
	return xs_kvm_xsave2_size(sys, xs_kvm_supported_xcr0(sys));
}

static void cnote(struct xs_compat *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cnote(struct xs_compat *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_notes_vadd((char *)c->notes, sizeof(c->notes[0]), XS_COMPAT_MAX_NOTES, &c->nnotes, fmt, ap);
	va_end(ap);
}

static const char *names(uint64_t mask, char *buf, size_t size)
{
	return xs_component_names(mask, ", ", buf, size);
}

/*
 * A frame written on A (xstate_size = A's user size) is fx-only on B: B's
 * sigreturn reads the frame's own xstate_size (before 6.15, and again
 * since the revert in 7.1 / 6.18.35) or its own user_size (6.15 ..
 * 6.18.34) — signal.c's rule.
 */
static bool sigreturn_loses_xstate(const xs_system *a, const xs_system *b)
{
	if (xs_sigreturn_uses_frame_size(b->opts.kernel))
		return a->user.default_size > b->user.default_size;
	return a->user.default_size != b->user.default_size;
}

static void task_notes(const xs_system *a, const xs_system *b, struct xs_compat *c)
{
	char n[160];

	if (c->missing)
		cnote(c, "processes on A may use %s; PTRACE_SETREGSET on B refuses them (validate_user_xstate_header: EINVAL)",
		      names(c->missing, n, sizeof(n)));
	if (!b->xsave && a->xsave)
		cnote(c, "B does not use XSAVE: NT_X86_XSTATE gives ENODEV there, only NT_PRXFPREG (x87, SSE) restores");
	if (c->features_a & c->features_b & XS_XFEATURE_MASK_XTILE_DATA)
		cnote(c, "AMX: the restorer must call arch_prctl(ARCH_REQ_XCOMP_PERM, 18) on B before setting the registers");
	if (a->xsave && b->xsave && sigreturn_loses_xstate(a, b))
		cnote(c, "signal frames on the stack put FP_XSTATE_MAGIC2 at byte %u (A's user size); sigreturn on B (Linux %s) %s and falls back to an FX-only restore: interrupted handlers lose their extended state",
		      a->user.default_size, xs_kernel_name(b->opts.kernel, n, sizeof(n)),
		      xs_sigreturn_uses_frame_size(b->opts.kernel) ? "refuses an xstate_size above its own user size"
						   : "looks for it after its own user size");
	else if (c->moved)
		cnote(c, "signal frames keep A's offsets while B's differ for %s: sigreturn on B would load them from the wrong place",
		      names(c->moved, n, sizeof(n)));
	if (c->missing_xss)
		cnote(c, "shadow-stack state (CET_U: NT_X86_SHSTK, ARCH_SHSTK_*) cannot be restored on B");
}

static void vcpu_notes(const xs_system *a, const xs_system *b, struct xs_compat *c)
{
	char n[160];

	if (c->missing)
		cnote(c, "a guest on A may enable %s; B refuses them in KVM_SET_XSAVE (fpu_copy_uabi_to_guest_fpstate: EINVAL) and in KVM_SET_XCRS",
		      names(c->missing, n, sizeof(n)));
	if (c->size_a > 4096 || c->size_b > 4096)
		cnote(c, "KVM_CAP_XSAVE2 is %u bytes on A and %u on B: use KVM_GET_XSAVE2, KVM_GET_XSAVE (4096 bytes) fails with EINVAL once AMX is on",
		      c->size_a, c->size_b);
	if (c->moved)
		cnote(c, "the guest's CPUID 0xD gives different offsets for %s on A and B: give guests a pool baseline (xstate baseline)",
		      names(c->moved, n, sizeof(n)));
	if (xs_kvm_supported_xss(a))
		cnote(c, "the guest's supervisor state %s travels outside the xsave buffer: IA32_XSS and the CET MSRs (KVM_GET/SET_MSRS)",
		      names(xs_kvm_supported_xss(a), n, sizeof(n)));
	if (c->missing_xss)
		cnote(c, "B's KVM does not virtualise %s (IA32_XSS 0x%llx): a guest using CET cannot resume there",
		      names(c->missing_xss, n, sizeof(n)), (unsigned long long)xs_kvm_supported_xss(b));
}

void xs_compat_check(const xs_system *a, const xs_system *b, enum xs_compat_kind kind,
		     struct xs_compat *c)
{
	memset(c, 0, sizeof(*c));
	if (a->halted || b->halted) {
		cnote(c, "Linux does not boot on %s: %s; there is nothing to save or restore",
		      a->halted ? "A" : "B", a->halted ? a->halt_reason : b->halt_reason);
		return;
	}
	c->features_a = xs_compat_features(a, kind);
	c->features_b = xs_compat_features(b, kind);
	c->missing = c->features_a & ~c->features_b;
	c->missing_xss = xs_fleet_outside_state(a, kind) & ~xs_fleet_outside_state(b, kind);
	c->size_a = buffer_size(a, kind);
	c->size_b = buffer_size(b, kind);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((c->features_a & c->features_b & XS_BIT(nr)) && !xs_fleet_same_layout(a, b, nr))
			c->moved |= XS_BIT(nr);
	if (c->moved || c->size_a != c->size_b)
		cnote(c, "the buffer is %u bytes on A and %u on B%s: rewrite it with xstate convert", c->size_a,
		      c->size_b, c->moved ? ", with other offsets" : "");
	if (kind == XS_COMPAT_TASK)
		task_notes(a, b, c);
	else
		vcpu_notes(a, b, c);
	c->compatible = !c->missing && !c->missing_xss;
}
