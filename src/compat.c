// SPDX-License-Identifier: MIT
/*
 * Fleets: can a process (CRIU: ptrace and sigreturn) or a vCPU
 * (KVM_GET_XSAVE2 / KVM_SET_XSAVE) saved on host A be restored on host B,
 * and what is the largest state every host of a pool accepts, with the
 * CPUID leaf 0xD a VMM should show its guests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

uint64_t xs_compat_features(const xs_system *sys, enum xs_compat_kind kind)
{
	if (!sys->xsave)
		return sys->user.legacy_features;
	return kind == XS_COMPAT_TASK ? sys->user.max_features : xs_kvm_supported_xcr0(sys);
}

/* Supervisor state that travels outside the xsave buffer. */
static uint64_t outside_state(const xs_system *sys, enum xs_compat_kind kind)
{
	if (kind == XS_COMPAT_VCPU)
		return xs_kvm_supported_xss(sys);
	return sys->kernel.max_features & XS_XFEATURE_MASK_CET_USER;
}

static void layout_of(const xs_system *sys, unsigned nr, struct xs_component_layout *l)
{
	uint32_t r[4];

	xs_cpuid(&sys->cpu, 0xd, nr, r);
	l->size = r[0];
	l->offset = r[1];
	l->flags = r[2] & 7;
}

static bool same_layout(const xs_system *a, const xs_system *b, unsigned nr)
{
	struct xs_component_layout la, lb;

	layout_of(a, nr, &la);
	layout_of(b, nr, &lb);
	return !memcmp(&la, &lb, sizeof(la));
}

static unsigned buffer_size(const xs_system *sys, enum xs_compat_kind kind)
{
	unsigned size;

	if (!sys->xsave)
		return XS_FXSAVE_SIZE;
	if (kind == XS_COMPAT_TASK)
		return sys->user.max_size;
	/* KVM_CAP_XSAVE2 for a VMM that was granted AMX (when there is AMX) */
	size = xs_hw_standard_size(&sys->cpu, xs_kvm_supported_xcr0(sys) & ~XS_XFEATURE_MASK_FPSSE);
	return size < 4096 ? 4096 : size;
}

static void cnote(struct xs_compat *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cnote(struct xs_compat *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nnotes >= XS_COMPAT_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[c->nnotes++], sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
}

static const char *names(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < XS_XFEATURE_MAX && n < size; i++)
		if (mask & XS_BIT(i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
					      xs_xfeature_info(i)->short_name);
	return buf;
}

/*
 * Does sigreturn on B read the frame's own xstate_size (before 6.15, and
 * again since the revert in 7.1 / 6.18.35) or B's user_size (6.15 ..
 * 6.18.34)? check_xstate_in_sigframe().
 */
static bool sigreturn_uses_frame_size(const xs_system *b)
{
	return !xs_kernel_has(b->opts.kernel, XS_K_SIGRETURN_MAGIC2) ||
	       xs_kernel_has(b->opts.kernel, XS_K_SIGRETURN_REVERT);
}

/* A frame written on A (xstate_size = A's user size) is fx-only on B. */
static bool sigreturn_loses_xstate(const xs_system *a, const xs_system *b)
{
	if (sigreturn_uses_frame_size(b))
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
		      sigreturn_uses_frame_size(b) ? "refuses an xstate_size above its own user size"
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
	c->missing_xss = outside_state(a, kind) & ~outside_state(b, kind);
	c->size_a = buffer_size(a, kind);
	c->size_b = buffer_size(b, kind);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((c->features_a & c->features_b & XS_BIT(nr)) && !same_layout(a, b, nr))
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

/* ---- pool baseline ----------------------------------------------------- */

/* The layout most hosts offering `nr` agree on; *which* gets their bitmap. */
static void common_layout(const xs_system *const *hosts, unsigned n, uint64_t offering, unsigned nr,
			  struct xs_component_layout *best, uint64_t *agree)
{
	unsigned best_count = 0;

	*agree = 0;
	for (unsigned i = 0; i < n; i++) {
		struct xs_component_layout li;
		uint64_t same = 0;
		unsigned count = 0;

		if (!(offering & XS_BIT(i)))
			continue;
		layout_of(hosts[i], nr, &li);
		for (unsigned j = 0; j < n; j++)
			if ((offering & XS_BIT(j)) && same_layout(hosts[i], hosts[j], nr)) {
				same |= XS_BIT(j);
				count++;
			}
		if (count > best_count) {
			best_count = count;
			*best = li;
			*agree = same;
		}
	}
}

static void baseline_components(const xs_system *const *hosts, unsigned n, enum xs_compat_kind kind,
				uint64_t all, struct xs_baseline *bl)
{
	uint64_t any = 0, every = ~0ull;

	for (unsigned i = 0; i < n; i++) {
		uint64_t f = xs_compat_features(hosts[i], kind) | outside_state(hosts[i], kind);

		any |= f;
		every &= f;
	}
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		uint64_t offering = 0, agree;

		if (!(any & XS_BIT(nr)))
			continue;
		for (unsigned i = 0; i < n; i++)
			if ((xs_compat_features(hosts[i], kind) | outside_state(hosts[i], kind)) & XS_BIT(nr))
				offering |= XS_BIT(i);
		if (nr < 2) {
			if (every & XS_BIT(nr))
				bl->xcr0 |= XS_BIT(nr);
			continue;
		}
		common_layout(hosts, n, offering, nr, &bl->layout[nr], &agree);
		if (agree != all) {
			bl->dropped |= XS_BIT(nr);
			bl->limiting[nr] = all & ~agree;
		} else if (xs_xfeature_info(nr)->supervisor) {
			bl->xss |= XS_BIT(nr);
		} else {
			bl->xcr0 |= XS_BIT(nr);
		}
	}
}

static void baseline_leaf_d(struct xs_baseline *bl)
{
	unsigned std = XS_XSAVE_LEGACY_AND_HDR, cmp = XS_XSAVE_LEGACY_AND_HDR;
	uint64_t m = bl->xcr0 | bl->xss;

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		const struct xs_component_layout *l = &bl->layout[nr];

		if (!(m & XS_BIT(nr)))
			continue;
		if (!(l->flags & 1) && l->offset + l->size > std)
			std = l->offset + l->size;
		if (l->flags & 2)
			cmp = XS_ALIGN(cmp, 64u);
		cmp += l->size;
		bl->leaf_d[nr] = (struct xs_cpuid_leaf){ 0xd, nr, l->size, l->offset, l->flags, 0 };
	}
	bl->standard_size = std;
	bl->compacted_size = cmp;
	bl->leaf_d[0] = (struct xs_cpuid_leaf){ 0xd, 0, (uint32_t)bl->xcr0, std, std, (uint32_t)(bl->xcr0 >> 32) };
	bl->leaf_d[1] = (struct xs_cpuid_leaf){ 0xd, 1, bl->d1_eax, cmp, (uint32_t)bl->xss, (uint32_t)(bl->xss >> 32) };
}

/*
 * XCR0 takes some components only together (XSETBV #GP otherwise): the
 * three AVX-512 ones, with YMM under them; MPX's two; AMX's two. A group
 * one host cannot take whole is left out whole, limited by that host.
 */
static void keep_groups_whole(struct xs_baseline *bl)
{
	static const uint64_t groups[][2] = {	/* { group, what it needs besides } */
		{ XS_XFEATURE_MASK_AVX512, XS_XFEATURE_MASK_YMM },
		{ XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR, 0 },
		{ XS_XFEATURE_MASK_XTILE, 0 },
	};

	for (size_t g = 0; g < XS_ARRAY_SIZE(groups); g++) {
		uint64_t group = groups[g][0], need = group | groups[g][1], limiting = 0;

		if (!(bl->xcr0 & group) || (bl->xcr0 & need) == need)
			continue;
		for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
			if (need & bl->dropped & XS_BIT(nr))
				limiting |= bl->limiting[nr];
		for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
			if (group & bl->xcr0 & XS_BIT(nr))
				bl->limiting[nr] = limiting;
		bl->dropped |= group & bl->xcr0;
		bl->xcr0 &= ~group;
	}
}

/*
 * A host's CPUID 0xD.1 EAX (XSAVEOPT, XSAVEC, XGETBV1, XSAVES, XFD) as
 * `kind` sees it. A vCPU gets only what the host's kernel kept (KVM
 * derives its CPUID from the kernel's capabilities: an erratum's or
 * clearcpuid='s XSAVES is gone for guests too); a process reads the CPU's
 * own bits. Nothing without XSAVE in use.
 */
static uint32_t host_d1_eax(const xs_system *sys, enum xs_compat_kind kind)
{
	static const enum xs_cpu_feature d1[] = { XS_CPU_XSAVEOPT, XS_CPU_XSAVEC, XS_CPU_XGETBV1,
						   XS_CPU_XSAVES, XS_CPU_XFD };
	uint32_t r[4];

	if (!sys->xsave)
		return 0;
	xs_cpuid(&sys->cpu, 0xd, 1, r);
	for (unsigned b = 0; kind == XS_COMPAT_VCPU && b < XS_ARRAY_SIZE(d1); b++)
		if (!(sys->cpu_features & XS_BIT(d1[b])))
			r[0] &= ~(1u << b);
	return r[0] & 0x1f;
}

int xs_baseline(const xs_system *const *hosts, unsigned n, enum xs_compat_kind kind,
		struct xs_baseline *bl)
{
	uint64_t all = n >= 64 ? ~0ull : XS_BIT(n) - 1;

	if (!n || n > 64)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (hosts[i]->halted)
			return -ENODEV;
	memset(bl, 0, sizeof(*bl));
	for (unsigned i = 0; i < n; i++)
		if (!hosts[i]->xsave)
			bl->no_xsave |= XS_BIT(i);
	bl->d1_eax = 0x1f;
	for (unsigned i = 0; i < n; i++)
		bl->d1_eax &= host_d1_eax(hosts[i], kind);
	baseline_components(hosts, n, kind, all, bl);
	keep_groups_whole(bl);
	/* without XSAVES everywhere there is nothing to put supervisor state in */
	if (!(bl->d1_eax & 8)) {
		for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
			if (!(bl->xss & XS_BIT(nr)))
				continue;
			for (unsigned i = 0; i < n; i++)
				if (!(host_d1_eax(hosts[i], kind) & 8))
					bl->limiting[nr] |= XS_BIT(i);
		}
		bl->dropped |= bl->xss;
		bl->xss = 0;
	}
	baseline_leaf_d(bl);
	if (bl->no_xsave) {
		/* no XSAVE for guests: no leaf 0xD, FXSAVE's buffer */
		memset(bl->leaf_d, 0, sizeof(bl->leaf_d));
		bl->standard_size = bl->compacted_size = XS_FXSAVE_SIZE;
	}
	return 0;
}
