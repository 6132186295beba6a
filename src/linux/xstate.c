// SPDX-License-Identifier: MIT
/*
 * fpu__init_system_xstate() and its helpers, as in
 * arch/x86/kernel/fpu/xstate.c: which components survive, their offsets and
 * sizes, the kernel and user configurations, the consistency checks and the
 * boot messages — computed from a CPU model instead of the live CPU.
 */
#include <stdarg.h>
#include <string.h>

#include "linux/linux.h"

static void cpuid_d(const xs_cpu *cpu, unsigned i, uint32_t r[4])
{
	xs_cpuid(cpu, 0xd, i, r);
}

/* ---- the cached layout (setup_xstate_cache) --------------------------- */

bool xs_xfeature_is_aligned64(const xs_system *sys, unsigned nr)
{
	return nr < XS_XFEATURE_MAX && xs_aligned64(sys, nr);
}

static bool xfeature_is_supervisor(const xs_system *sys, unsigned nr)
{
	return sys->xstate_flags[nr] & XS_LEAF_D_SUPERVISOR;
}

unsigned xs_xfeature_get_offset(const xs_system *sys, uint64_t xcomp_bv, unsigned nr)
{
	unsigned offs = XS_XSAVE_LEGACY_AND_HDR;

	if (nr >= XS_XFEATURE_MAX)
		return UINT32_MAX;
	if (!sys->compacted || nr <= XS_XFEATURE_SSE)
		return sys->xstate_offsets[nr];
	for (unsigned i = 2; i < XS_XFEATURE_MAX; i++) {
		if (!(xcomp_bv & XS_BIT(i)))
			continue;
		if (xs_xfeature_is_aligned64(sys, i))
			offs = XS_ALIGN(offs, 64u);
		if (i == nr)
			break;
		offs += sys->xstate_sizes[i];
	}
	return offs;
}

unsigned xs_xstate_calculate_size(const xs_system *sys, uint64_t xfeatures, bool compacted)
{
	unsigned topmost = xs_fls64(xfeatures & ~XS_XCOMP_BV_COMPACTED_FORMAT);

	if (topmost <= XS_XFEATURE_SSE + 1)
		return XS_XSAVE_LEGACY_AND_HDR;
	topmost--;
	if (topmost >= XS_XFEATURE_MAX)
		return 0;
	if (compacted)
		return xs_xfeature_get_offset(sys, xfeatures, topmost) + sys->xstate_sizes[topmost];
	/* Standard format: the last component in offset order (user ones only). */
	for (unsigned i = 0; i < sys->n_uncompact; i++)
		if (xfeatures & XS_BIT(sys->uncompact_order[i]))
			topmost = sys->uncompact_order[i];
	return sys->xstate_offsets[topmost] + sys->xstate_sizes[topmost];
}

/*
 * Offsets of a kernel buffer shape, and whether its user part is the
 * standard format byte for byte: every user component at its standard
 * offset with no gap before it, no supervisor component inside the user
 * part, and no absent user component whose standard place overlaps it.
 */
static void setup_buffer_layout(xs_system *sys, struct xs_buffer_layout *l, uint64_t features)
{
	uint64_t user = sys->user.max_features;
	unsigned size = xs_xstate_calculate_size(sys, features, sys->compacted);

	l->xcomp_bv = sys->compacted ? features | XS_XCOMP_BV_COMPACTED_FORMAT : 0;
	l->standard = true;
	l->user_end = XS_XSAVE_LEGACY_AND_HDR;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		if (i > XS_XFEATURE_SSE && !(features & XS_BIT(i))) {
			if ((user & XS_BIT(i)) && sys->xstate_offsets[i] < size)
				l->standard = false;
			continue;
		}
		l->offset[i] = xs_xfeature_get_offset(sys, l->xcomp_bv, i);
		if (i > XS_XFEATURE_SSE && (user & XS_BIT(i)) &&
		    l->offset[i] + sys->xstate_sizes[i] > l->user_end)
			l->user_end = l->offset[i] + sys->xstate_sizes[i];
		if ((user & XS_BIT(i)) && l->offset[i] != sys->xstate_offsets[i])
			l->standard = false;
	}
	for (unsigned i = 2, end = XS_XSAVE_LEGACY_AND_HDR; i < XS_XFEATURE_MAX; i++) {
		if (!(features & XS_BIT(i)))
			continue;
		/* supervisor state inside the user part, or a gap: not byte-identical */
		if (!(user & XS_BIT(i)) ? l->offset[i] < l->user_end : l->offset[i] != end)
			l->standard = false;
		if (user & XS_BIT(i))
			end = l->offset[i] + sys->xstate_sizes[i];
	}
	xs_uabi_plan_init(sys, l, features);
}

/*
 * The shapes fpstate_alloc_init() and fpstate_realloc() give buffers: a
 * task's (default features, and with the dynamic user features its first
 * use of them adds: AMX tile data), a vCPU's (guest default, and max
 * features once it has them too).
 */
static void setup_buffer_layouts(xs_system *sys)
{
	uint64_t dynamic = sys->kernel.max_features & XS_XFEATURE_MASK_USER_DYNAMIC;
	const uint64_t shapes[XS_BUFFER_SHAPES] = {
		sys->kernel.default_features,
		sys->kernel.default_features | dynamic,
		sys->kernel.guest_default_features,
		sys->kernel.max_features,
	};

	for (unsigned i = 0; i < XS_BUFFER_SHAPES; i++) {
		setup_buffer_layout(sys, &sys->layouts[i], shapes[i]);
		sys->shape_xcomp_bv[i] = sys->layouts[i].xcomp_bv;
	}
}

static void setup_xstate_cache(xs_system *sys)
{
	uint32_t r[4];
	unsigned n = 0;

	/* FP up to xmm_space, SSE xmm_space: their fixed places in the legacy area */
	for (unsigned i = XS_XFEATURE_FP; i <= XS_XFEATURE_SSE; i++) {
		sys->xstate_offsets[i] = xs_component(i)->fixed_offset;
		sys->xstate_sizes[i] = xs_component(i)->fixed_size;
	}
	for (unsigned i = 2; i < XS_XFEATURE_MAX; i++) {
		if (!(sys->kernel.max_features & XS_BIT(i)))
			continue;
		cpuid_d(&sys->cpu, i, r);
		sys->xstate_sizes[i] = r[0];
		sys->xstate_flags[i] = r[2];
		if (xfeature_is_supervisor(sys, i))
			continue;	/* EBX is not an offset for supervisor states */
		sys->xstate_offsets[i] = r[1];
		sys->uncompact_order[n++] = i;
	}
	/* Sort by standard offset: APX reuses the MPX area below PKRU. */
	for (unsigned a = 1; a < n; a++)
		for (unsigned b = a; b > 0 && sys->xstate_offsets[sys->uncompact_order[b - 1]] >
						      sys->xstate_offsets[sys->uncompact_order[b]]; b--) {
			unsigned t = sys->uncompact_order[b];

			sys->uncompact_order[b] = sys->uncompact_order[b - 1];
			sys->uncompact_order[b - 1] = t;
		}
	sys->n_uncompact = n;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
		if (i <= XS_XFEATURE_SSE || (sys->kernel.max_features & XS_BIT(i)))
			sys->xstate_comp_offsets[i] = xs_xfeature_get_offset(sys, sys->kernel.max_features, i);
}

/* ---- consistency checks (paranoid_xstate_size_valid) ------------------- */

static void xstate_dump_leaves(xs_system *sys, bool *dumped)
{
	uint32_t r[4];

	if (*dumped)
		return;
	*dumped = true;
	for (unsigned i = 0; i < XS_XFEATURE_MAX + 10; i++) {
		cpuid_d(&sys->cpu, i, r);
		/* Sub-leaves 0/1 EBX follow the XCR0/XSS the kernel just wrote. */
		if (i == 0)
			r[1] = xs_cpuid_standard_size(&sys->cpu, sys->xcr0);
		else if (i == 1 && (r[0] & 0xa))
			r[1] = xs_cpuid_compacted_size(&sys->cpu, sys->xcr0 | (sys->xsaves ? sys->xss : 0));
		xs_printk(sys, "CPUID[%02x, %02x]: eax=%08x ebx=%08x ecx=%08x edx=%08x\n", 0xd, i, r[0],
			  r[1], r[2], r[3]);
	}
}

/* WARN_ONCE(): the kernel prints a "cut here" banner, the message, a backtrace. */
static void warn(xs_system *sys, const char *msg)
{
	/* before 6.2 the consistency warnings did not say what was wrong */
	if (!xs_kernel_has(sys->opts.kernel, XS_K_WARN_TEXTS) && !strncmp(msg, "XSAVE consistency", 17))
		msg = "XSAVE consistency problem, dumping leaves";
	xs_printk(sys, "------------[ cut here ]------------\n%s\n", msg);
	xs_printk(sys, "WARNING: arch/x86/kernel/fpu/xstate.c (backtrace not modelled)\n");
}

/* check_xtile_data_against_struct(): pr_err only, the result is ignored. */
static void check_xtile_data(xs_system *sys, unsigned size, bool *dumped)
{
	uint32_t r[4], max_palid;
	unsigned max_tile = 0;

	xs_cpuid(&sys->cpu, 0x1d, 0, r);
	max_palid = r[0];
	for (uint32_t palid = 1; palid <= max_palid && palid < 64; palid++) {
		unsigned tile_size, max;

		xs_cpuid(&sys->cpu, 0x1d, palid, r);
		tile_size = r[0] >> 16;
		max = r[1] >> 16;
		if (tile_size != 1024) {
			xs_printk(sys, "XFEATURE_XTILE_DATA: struct is 1024 bytes, cpu xtile %u bytes\n",
				  tile_size);
			xstate_dump_leaves(sys, dumped);
			return;
		}
		if (max > max_tile)
			max_tile = max;
	}
	if (size != 1024u * max_tile) {
		xs_printk(sys, "XFEATURE_XTILE_DATA: calculated size is %u bytes, cpu state %u bytes\n",
			  1024u * max_tile, size);
		xstate_dump_leaves(sys, dumped);
	}
}

/* check_xstate_against_struct(): false only for a component without a struct. */
static bool check_xstate_against_struct(xs_system *sys, unsigned nr, bool *dumped)
{
	const struct xs_xfeature_info *x = xs_xfeature_info(nr);
	unsigned sz = sys->xstate_sizes[nr];
	char msg[160];

	if (nr == XS_XFEATURE_XTILE_DATA) {
		check_xtile_data(sys, sz, dumped);
		return true;
	}
	if (!x->struct_size) {
		snprintf(msg, sizeof(msg), "XSAVE consistency problem: No structure for xstate: %u", nr);
		warn(sys, msg);
		xstate_dump_leaves(sys, dumped);
		return false;
	}
	if (sz != x->struct_size) {
		/* One WARN_ONCE per component (XCHECK_SZ expands per case). */
		snprintf(msg, sizeof(msg), "[%s]: struct is %u bytes, cpu state %u bytes",
			 x->description, x->struct_size, sz);
		warn(sys, msg);
		xstate_dump_leaves(sys, dumped);
	}
	return true;
}

/*
 * Failures disable XSAVE since 5.16 ("x86/fpu/xstate: Cleanup size
 * calculations"); before they were warnings only.
 */
static bool paranoid_failed(const xs_system *sys)
{
	return !xs_kernel_has(sys->opts.kernel, XS_K_SIZE_CHECKS_DISABLE);
}

static bool paranoid_xstate_size_valid(xs_system *sys, unsigned kernel_size)
{
	bool dumped = false;
	unsigned size;
	char msg[160];

	for (unsigned i = 2; i < XS_XFEATURE_MAX; i++) {
		if (!(sys->kernel.max_features & XS_BIT(i)))
			continue;
		if (!check_xstate_against_struct(sys, i, &dumped))
			return paranoid_failed(sys);
		if (!sys->xsaves && xfeature_is_supervisor(sys, i)) {
			snprintf(msg, sizeof(msg),
				 "XSAVE consistency problem: Got supervisor feature %u, but XSAVES not advertised", i);
			warn(sys, msg);
			xstate_dump_leaves(sys, &dumped);
			return paranoid_failed(sys);
		}
	}
	size = xs_xstate_calculate_size(sys, sys->kernel.max_features, sys->compacted);
	if (size != kernel_size) {
		snprintf(msg, sizeof(msg), "XSAVE consistency problem: size %u != kernel_size %u", size,
			 kernel_size);
		warn(sys, msg);
		xstate_dump_leaves(sys, &dumped);
		return paranoid_failed(sys);
	}
	return true;
}

/* ---- sizes (init_xstate_size) ------------------------------------------ */

static uint64_t xfeatures_mask_independent(const xs_system *sys)
{
	uint64_t m = sys->kernel.independent_features;

	if (!xs_system_has(sys, XS_CPU_ARCH_LBR))
		m &= ~XS_XFEATURE_MASK_LBR;
	return m;
}

static bool init_xstate_size(xs_system *sys)
{
	/* CPUID answers with XCR0 = user max and XSS without independent states. */
	unsigned user_size = xs_cpuid_standard_size(&sys->cpu, sys->xcr0);
	unsigned kernel_size = sys->compacted
		? xs_cpuid_compacted_size(&sys->cpu, sys->xcr0 | (sys->xss & ~xfeatures_mask_independent(sys)))
		: user_size;
	struct xs_fpu_state_config *k = &sys->kernel, *u = &sys->user;

	if (!paranoid_xstate_size_valid(sys, kernel_size))
		return false;
	k->max_size = kernel_size;
	u->max_size = user_size;
	k->default_size = xs_xstate_calculate_size(sys, k->default_features, sys->compacted);
	u->default_size = xs_xstate_calculate_size(sys, u->default_features, false);
	k->guest_default_size = xs_xstate_calculate_size(sys, k->guest_default_features, sys->compacted);
	u->guest_default_size = xs_xstate_calculate_size(sys, u->guest_default_features, false);
	return true;
}

/* ---- the supported masks of this kernel -------------------------------- */

/* xsave_cpuid_features[i] of this kernel: the feature name, or NULL (never kept). */
static const char *cpuid_gate(const xs_system *sys, unsigned i)
{
	const struct xs_component *c = xs_component(i);

	/*
	 * The row says from which release on its gate holds and what it was
	 * before: CET_KERNEL had none before the series (never kept); PKRU
	 * was gated on PKU until "x86/fpu/xstate: Fix PKRU covert channel"
	 * (6.6), so with nopku it stayed in XCR0.
	 */
	return xs_system_since(sys, c->gate_since) ? c->info.cpuid_feature : c->gate_before;
}

static bool system_has_named(const xs_system *sys, const char *name)
{
	int f = name ? xs_cpu_feature_by_name(name) : -1;

	return f >= 0 && xs_system_has(sys, (enum xs_cpu_feature)f);
}

static bool cpuid_gate_ok(const xs_system *sys, unsigned i)
{
	return system_has_named(sys, cpuid_gate(sys, i));
}

/*
 * XFEATURE_MASK_USER_SUPPORTED and _SUPERVISOR_SUPPORTED of this kernel:
 * the rows Linux supports by this release; the guest-only set (the
 * guest-only rows) once the series introduced it.
 */
static void setup_supported_masks(xs_system *sys)
{
	sys->user_supported = sys->supervisor_supported = sys->supervisor_guest = 0;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_component *c = xs_component(i);

		if (!xs_system_since(sys, c->linux_since))
			continue;
		if (c->info.supervisor)
			sys->supervisor_supported |= XS_BIT(i);
		else
			sys->user_supported |= XS_BIT(i);
		if (c->info.guest_only && (sys->patches & XS_PATCH_GUEST_ONLY_SET))
			sys->supervisor_guest |= XS_BIT(i);
	}
}

/* Step 11 of fpu__init_system_xstate(): host and guest defaults. */
static void setup_default_features(xs_system *sys)
{
	struct xs_fpu_state_config *k = &sys->kernel, *u = &sys->user;
	uint64_t host_default_mask = ~(XS_XFEATURE_MASK_USER_DYNAMIC | sys->supervisor_guest);
	uint64_t guest_default_mask = ~XS_XFEATURE_MASK_USER_DYNAMIC;

	k->default_features = k->max_features & host_default_mask;
	u->default_features = u->max_features & host_default_mask;
	/* Before "differentiate default features", guests used the host defaults. */
	if (sys->patches & XS_PATCH_GUEST_DEFAULTS)
		k->guest_default_features = k->max_features & guest_default_mask;
	else
		k->guest_default_features = k->default_features;
	u->guest_default_features = u->default_features;
}

/* ---- fpu__init_system_xstate ------------------------------------------- */

/* sizeof(init_fpstate.regs): the host default size must fit it. */
#define INIT_FPSTATE_SIZE 4096u

/* The message has changed twice (6.1, 6.16). */
static void print_buffer_too_small(xs_system *sys)
{
	uint32_t k = sys->opts.kernel;

	if (!xs_kernel_has(k, XS_K_INIT_FPSTATE_MSG))
		xs_printk(sys, "x86/fpu: xstate buffer too small (%u < %u), disabling xsave\n", INIT_FPSTATE_SIZE,
			  sys->kernel.default_size);
	else if (!xs_kernel_has(k, XS_K_DISABLE_LOG))
		xs_printk(sys, "x86/fpu: init_fpstate buffer too small (%u < %u), disabling XSAVE\n", INIT_FPSTATE_SIZE,
			  sys->kernel.default_size);
	else
		xs_printk(sys, "x86/fpu: init_fpstate buffer too small (%u < %u)\n", INIT_FPSTATE_SIZE,
			  sys->kernel.default_size);
}

static void disable_system_xstate(xs_system *sys)
{
	if (xs_kernel_has(sys->opts.kernel, XS_K_DISABLE_LOG))
		xs_printk(sys, "x86/fpu: XSAVE disabled\n");
	sys->disabled = true;
	sys->xsave = false;
	sys->kernel.max_features = 0;
	sys->kernel.max_size = sys->kernel.default_size = sys->legacy_size;
	sys->kernel.guest_default_size = sys->legacy_size;
	sys->user.max_size = sys->user.default_size = sys->legacy_size;
	sys->user.guest_default_size = sys->legacy_size;
	sys->init_xfd = 0;
	/* The kernel leaves the user and guest feature masks as computed. */
}

/* xfeature_names[nr] of the modelled kernel: the row's first name whose release condition holds. */
static const char *boot_name(const xs_system *sys, unsigned nr)
{
	const struct xs_boot_name *n = xs_component(nr)->boot_names;

	while (!xs_system_since(sys, n->since))
		n++;
	return n->text;
}

static void print_xstate_features(xs_system *sys)
{
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
		if (sys->kernel.max_features & XS_BIT(i))
			xs_printk(sys, "x86/fpu: Supporting XSAVE feature 0x%03llx: '%s'\n",
				  (unsigned long long)XS_BIT(i), boot_name(sys, i));
}

static void print_xstate_offset_size(xs_system *sys)
{
	for (unsigned i = 2; i < XS_XFEATURE_MAX; i++)
		if (sys->kernel.max_features & XS_BIT(i))
			xs_printk(sys, "x86/fpu: xstate_offset[%u]: %4u, xstate_sizes[%u]: %4u\n", i,
				  xs_xfeature_get_offset(sys, sys->kernel.max_features, i), i,
				  sys->xstate_sizes[i]);
}

/* Steps 3..10: which components the kernel keeps. */
static bool compute_max_features(xs_system *sys)
{
	struct xs_fpu_state_config *k = &sys->kernel;
	uint32_t r[4];

	cpuid_d(&sys->cpu, 0, r);
	k->max_features = r[0] | ((uint64_t)r[3] << 32);
	cpuid_d(&sys->cpu, 1, r);
	k->max_features |= r[2] | ((uint64_t)r[3] << 32);

	if ((k->max_features & XS_XFEATURE_MASK_FPSSE) != XS_XFEATURE_MASK_FPSSE) {
		xs_printk(sys, "x86/fpu: FP/SSE not present amongst the CPU's xstate features: 0x%llx.\n",
			  (unsigned long long)k->max_features);
		return false;
	}
	if (xs_kernel_has(sys->opts.kernel, XS_K_APX) && (k->max_features & XS_XFEATURE_MASK_APX) &&
	    (k->max_features & (XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR))) {
		xs_printk(sys, "x86/fpu: Both APX/MPX present in the CPU's xstate features: 0x%llx.\n",
			  (unsigned long long)k->max_features);
		return false;
	}
	/* Taken before the CPUID gate: LBR has none but stays independent. */
	k->independent_features = k->max_features & XS_XFEATURE_MASK_INDEPENDENT;
	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++)
		if (!cpuid_gate_ok(sys, i))
			k->max_features &= ~XS_BIT(i);
	if (!xs_system_has(sys, XS_CPU_XFD))
		k->max_features &= ~XS_XFEATURE_MASK_USER_DYNAMIC;
	/* before 5.19 supervisor bits stayed without XSAVES (and failed the checks) */
	if (!sys->xsaves && xs_kernel_has(sys->opts.kernel, XS_K_XCOMPACTED))
		k->max_features &= sys->user_supported;
	else
		k->max_features &= sys->user_supported | sys->supervisor_supported;
	sys->user.max_features = k->max_features & sys->user_supported;
	return true;
}

/* The kernel's fpu__init_system_xstate(). */
void xs_fpu_init_system_xstate(xs_system *sys)
{
	uint64_t xfeatures;

	/* unreachable on x86-64: fpu__init_system_early_generic() halted first */
	if (!xs_system_has(sys, XS_CPU_FPU)) {
		xs_printk(sys, "x86/fpu: No FPU detected\n");
		return;
	}
	if (!xs_system_has(sys, XS_CPU_XSAVE)) {
		xs_printk(sys, "x86/fpu: x87 FPU will use %s\n", sys->fxsr ? "FXSAVE" : "FSAVE");
		return;
	}
	sys->xsave = true;
	sys->xsaves = xs_system_has(sys, XS_CPU_XSAVES);
	setup_supported_masks(sys);
	if (!compute_max_features(sys))
		goto out_disable;
	setup_default_features(sys);
	xfeatures = sys->kernel.max_features;
	sys->init_xfd = sys->user.max_features & XS_XFEATURE_MASK_USER_DYNAMIC;
	/* X86_FEATURE_XCOMPACTED (5.19): XSAVEC alone gives the compacted format */
	sys->compacted = sys->xsaves ||
			 (xs_system_has(sys, XS_CPU_XSAVEC) && xs_kernel_has(sys->opts.kernel, XS_K_XCOMPACTED));

	/* fpu__init_cpu_xstate(): XCR0 and IA32_XSS. */
	sys->xcr0 = sys->user.max_features;
	if (sys->xsaves)
		sys->xss = (sys->kernel.max_features & sys->supervisor_supported) |
			   xfeatures_mask_independent(sys);
	setup_xstate_cache(sys);
	if (!init_xstate_size(sys))
		goto out_disable;
	if (sys->kernel.default_size > INIT_FPSTATE_SIZE) {
		print_buffer_too_small(sys);
		goto out_disable;
	}
	setup_buffer_layouts(sys);
	print_xstate_features(sys);
	/*
	 * The paranoia check of "x86/fpu: Make xfeatures_mask_all
	 * __ro_after_init" (5.14); its ", disabling XSAVE" went with "Log XSAVE
	 * disablement consistently" (6.16). Nothing in the model changes the
	 * mask during init, so it never fires.
	 */
	if (xs_kernel_has(sys->opts.kernel, XS_K_XFEATURES_PARANOIA) && xfeatures != sys->kernel.max_features) {
		xs_printk(sys, "x86/fpu: xfeatures modified from 0x%016llx to 0x%016llx during init%s\n",
			  (unsigned long long)xfeatures, (unsigned long long)sys->kernel.max_features,
			  xs_kernel_has(sys->opts.kernel, XS_K_DISABLE_LOG) ? "" : ", disabling XSAVE");
		goto out_disable;
	}
	print_xstate_offset_size(sys);
	xs_printk(sys, "x86/fpu: Enabled xstate features 0x%llx, context size is %u bytes, using '%s' format.\n",
		  (unsigned long long)sys->kernel.max_features, sys->kernel.max_size,
		  sys->compacted ? "compacted" : "standard");
	sys->format = sys->compacted ? XS_FORMAT_COMPACTED : XS_FORMAT_STANDARD;
	return;

out_disable:
	disable_system_xstate(sys);
}

/* ---- why a component is not kept ---------------------------------------- */

static bool gate_reason(const xs_system *sys, unsigned nr, char *why, size_t size)
{
	const struct xs_component *c = xs_component(nr);

	if (c->gate_since == XS_K_CET_KERNEL && !xs_system_since(sys, c->gate_since)) {
		snprintf(why, size, "not supported before the CET supervisor state series (--cet-s off)");
		return true;
	}
	if (c->independent) {
		snprintf(why, size, "independent: saved in its own buffer, never in task fpstates");
		return true;
	}
	if (!c->info.cpuid_feature || !((sys->user_supported | sys->supervisor_supported) & XS_BIT(nr))) {
		snprintf(why, size, "not supported by Linux");
		return true;
	}
	if (!cpuid_gate_ok(sys, nr)) {
		/* PKRU: OSPKE from 6.6; without PKU there is no OSPKE either */
		bool ospke = nr == XS_XFEATURE_PKRU && xs_system_has(sys, XS_CPU_PKU);

		snprintf(why, size, "needs CPU feature '%s'%s",
			 nr == XS_XFEATURE_PKRU ? (ospke ? "ospke" : "pku") : c->info.cpuid_feature,
			 ospke ? " (nopku: protection keys not enabled)" : "");
		return true;
	}
	return false;
}

bool xs_xfeature_status(const xs_system *sys, unsigned nr, char *why, size_t size)
{
	if (size)
		why[0] = '\0';
	if (nr >= XS_XFEATURE_MAX) {
		snprintf(why, size, "not known to Linux");
		return false;
	}
	if (sys->kernel.max_features & XS_BIT(nr))
		return true;
	if (!sys->xsave) {
		snprintf(why, size, sys->disabled ? "XSAVE disabled" : "no XSAVE");
		return false;
	}
	if (!(xs_cpu_xfeatures(&sys->cpu) & XS_BIT(nr)))
		snprintf(why, size, "not enumerated by the CPU");
	else if (gate_reason(sys, nr, why, size))
		;
	else if (xs_component(nr)->info.dynamic && !xs_system_has(sys, XS_CPU_XFD))
		snprintf(why, size, "dynamic: needs CPU feature 'xfd'");
	else if (xs_component(nr)->info.supervisor && !sys->xsaves)
		snprintf(why, size, "supervisor state needs XSAVES");
	else
		snprintf(why, size, "not supported by Linux");
	return false;
}
