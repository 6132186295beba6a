// SPDX-License-Identifier: MIT
/*
 * Moving a buffer saved on CPU A to CPU B's layout for migration
 * (xs_convert_buffer) with a report of what B cannot hold, and into B's
 * user-ABI containers (xs_convert_container). Where each component of a
 * buffer sits is view.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet.h"

/* ---- conversion ------------------------------------------------------------ */

static void note(struct xs_compat_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct xs_compat_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xs_notes_vadd((char *)r->notes, sizeof(r->notes[0]), XS_ARRAY_SIZE(r->notes), &r->nnotes, fmt, ap);
	va_end(ap);
}

/* Components B can hold in the requested format. */
static uint64_t target_set(const xs_system *b, enum xs_buf_format fmt)
{
	return fmt == XS_BUF_STANDARD ? b->user.max_features : b->kernel.max_features;
}

/* Fill the report; returns the mask of components that would lose data. */
static uint64_t compare_layouts(const xs_system *a, const struct xs_buffer_view *va,
				const uint8_t *in, const xs_system *b, uint64_t target,
				struct xs_compat_report *rep)
{
	uint64_t lossy = 0;
	uint32_t sb, ob, fb;

	rep->in_use = va->present;
	rep->missing = va->present & ~target;
	rep->xcr0_a = a->xcr0;
	rep->xcr0_b = b->xcr0;
	rep->xss_a = a->xss;
	rep->xss_b = b->xss;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		if (!(va->present & target & XS_BIT(nr)))
			continue;
		xs_fleet_component(b, nr, &sb, &ob, &fb);
		if (va->format == XS_BUF_STANDARD && ob != va->offset[nr] && !(fb & XS_LEAF_D_SUPERVISOR))
			rep->moved |= XS_BIT(nr);
		if (sb == va->size[nr])
			continue;
		rep->resized |= XS_BIT(nr);
		if (sb < va->size[nr] && !xs_all_zero(in + va->offset[nr] + sb, va->size[nr] - sb)) {
			lossy |= XS_BIT(nr);
			note(rep, "%s: %u bytes on A, %u on B, and bytes %u..%u hold data",
			     xs_xfeature_info(nr)->short_name, va->size[nr], sb, sb, va->size[nr] - 1);
		}
	}
	return lossy;
}

static bool mxcsr_lossy(const xs_system *b, const uint8_t *in, uint64_t in_use,
			struct xs_compat_report *rep)
{
	uint32_t mxcsr = xs_ld32(in + XS_LEG_MXCSR);

	if (!(in_use & (XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_YMM)) || !(mxcsr & ~b->mxcsr_feature_mask))
		return false;
	note(rep, "MXCSR 0x%08x has bits 0x%08x outside B's MXCSR mask 0x%08x", mxcsr,
	     mxcsr & ~b->mxcsr_feature_mask, b->mxcsr_feature_mask);
	return true;
}

static void write_buffer(const xs_system *b, const struct xs_buffer_view *va, const uint8_t *in,
			 enum xs_buf_format fmt, uint64_t keep, uint64_t target, bool clear_mxcsr,
			 uint8_t *out, size_t size)
{
	uint64_t xcomp = fmt == XS_BUF_COMPACTED ? target | XS_XCOMP_BV_COMPACTED_FORMAT : 0;
	uint32_t sb, ob, fb;

	memset(out, 0, size);
	memcpy(out, in, XS_LEG_PAD);	/* x87, MXCSR, XMM */
	if (clear_mxcsr)
		xs_st32(out + XS_LEG_MXCSR, xs_ld32(out + XS_LEG_MXCSR) & b->mxcsr_feature_mask);
	if (fmt == XS_BUF_STANDARD)
		xs_st64(out + XS_SW_BYTES_OFFSET, b->user.max_features);	/* the ptrace XCR0 word */
	xs_st64(out + XS_HDR_XSTATE_BV, keep);
	xs_st64(out + XS_HDR_XCOMP_BV, xcomp);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		if (!(keep & XS_BIT(nr)))
			continue;
		xs_fleet_component(b, nr, &sb, &ob, &fb);
		if (fmt == XS_BUF_COMPACTED)
			ob = xs_xfeature_get_offset(b, xcomp, nr);
		memcpy(out + ob, in + va->offset[nr], sb < va->size[nr] ? sb : va->size[nr]);
	}
}

/* The conversion into B's plain layout, for the components of `target`. */
static int convert_image(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
			 enum xs_buf_format out_fmt, uint64_t target, bool force, void *out,
			 size_t out_len, size_t *written, struct xs_compat_report *rep,
			 struct xs_diag *diag)
{
	struct xs_buffer_view va;
	uint64_t lossy, keep;
	bool bad_mxcsr;
	size_t size;
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = xs_buffer_view(a, in, in_len, false, XS_BUF_STANDARD, &va, diag);
	if (ret)
		return ret;
	if (!b->xsave)
		return xs_diag_fail(diag, -EINVAL, "CPU B does not use XSAVE: there is no layout to convert to");
	if (xs_system_usable(b))
		return xs_diag_fail(diag, -EINVAL, "CPU B: Linux sizes its buffers below 576 bytes on this CPU model");
	lossy = compare_layouts(a, &va, in, b, target, rep);
	bad_mxcsr = mxcsr_lossy(b, in, va.present, rep);
	size = out_fmt == XS_BUF_STANDARD ? b->user.max_size
					  : xs_xstate_calculate_size(b, target, true);
	rep->size_a = va.format == XS_BUF_STANDARD ? a->user.max_size : (unsigned)va.len;
	rep->size_b = (unsigned)size;
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (rep->missing & XS_BIT(nr))
			note(rep, "%s is in use on A; B %s", xs_xfeature_info(nr)->short_name,
			     b->kernel.max_features & XS_BIT(nr) ? "keeps it only in kernel (compacted) buffers"
								 : "does not have it");
	if ((rep->missing || lossy || bad_mxcsr) && !force)
		return -EOPNOTSUPP;
	/* forced: missing components go; shrunk ones are cut to B's size */
	rep->dropped = rep->missing;
	if (written)
		*written = size;
	if (out_len < size)
		return -ENOSPC;
	keep = va.present & target;
	write_buffer(b, &va, in, out_fmt, keep, target, bad_mxcsr, out, size);
	return 0;
}

int xs_convert_buffer(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
		      enum xs_buf_format out_fmt, bool force, void *out, size_t out_len,
		      size_t *written, struct xs_compat_report *rep, struct xs_diag *diag)
{
	return convert_image(a, in, in_len, b, out_fmt, target_set(b, out_fmt), force, out, out_len,
			     written, rep, diag);
}

/* ---- containers ------------------------------------------------------------ */

const char *xs_container_name(enum xs_container kind)
{
	static const char *const names[] = { "ptrace", "xsave", "sigframe", "kvm" };

	return (unsigned)kind < XS_ARRAY_SIZE(names) ? names[kind] : "?";
}

enum xs_container xs_container_detect(const xs_system *sys, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (len >= XS_XSAVE_LEGACY_AND_HDR && xs_ld32(b + XS_SW_BYTES_OFFSET) == XS_FP_XSTATE_MAGIC1) {
		uint32_t xstate_size = xs_ld32(b + XS_SW_BYTES_OFFSET + offsetof(struct xs_fx_sw_bytes, xstate_size));

		if (xstate_size >= XS_XSAVE_LEGACY_AND_HDR && (size_t)xstate_size + 4 <= len &&
		    xs_ld32(b + xstate_size) == XS_FP_XSTATE_MAGIC2)
			return XS_CONTAINER_SIGFRAME;
	}
	/* sizeof(struct kvm_xsave), or a KVM_GET_XSAVE2 buffer larger than the regset */
	if (sys->xsave && len != sys->user.max_size &&
	    (len == XS_KVM_XSAVE_SIZE || (len > XS_KVM_XSAVE_SIZE && len > sys->user.max_size)))
		return XS_CONTAINER_KVM;
	return XS_CONTAINER_PTRACE;
}

/* What B can carry in the container (KVM: only what KVM_SET_XSAVE takes). */
static uint64_t container_target(const xs_system *b, enum xs_container kind, enum xs_buf_format fmt)
{
	if (kind == XS_CONTAINER_KVM)
		return b->user.max_features & (xs_kvm_supported_xcr0(b) | XS_XFEATURE_MASK_FPSSE);
	return target_set(b, fmt);
}

/*
 * A task of B holding the converted state (dynamic components permitted
 * and enabled as its first use would), framed by copy_fpstate_to_sigframe.
 */
static int frame_on_b(const xs_system *b, const uint8_t *img, size_t size, uint8_t **res,
		      size_t *res_len, struct xs_diag *d)
{
	uint64_t dyn = xs_ld64(img + XS_XSAVE_HDR_OFFSET) & XS_XFEATURE_MASK_USER_DYNAMIC;
	struct xs_verdict v;
	xs_fpu t;
	int ret;

	if (xs_fpu_init(&t, b, NULL))
		return -ENOMEM;
	for (ret = 0; dyn && !ret; dyn &= dyn - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(dyn);

		ret = (int)xs_arch_prctl(&t, XS_ARCH_REQ_XCOMP_PERM, nr, NULL);
		if (!ret)
			ret = xs_xfd_enable_feature(&t, XS_BIT(nr));
	}
	if (!ret)
		ret = xs_ptrace_setregset(&t, img, size, &v);
	if (ret) {
		ret = xs_diag_fail(d, -EINVAL, "B's kernel refuses the converted state: %s (%s)",
				   v.reason, v.function);
	} else {
		*res_len = xs_sigframe_fpstate_size(&t);
		*res = calloc(1, *res_len);
		ret = *res ? xs_sigframe_save(&t, *res, *res_len) : -ENOMEM;
	}
	xs_fpu_destroy(&t);
	return ret;
}

/*
 * A vCPU of B given the converted state by KVM_SET_XSAVE and read back
 * with KVM_GET_XSAVE(2): 4096 bytes, or KVM_CAP_XSAVE2 once AMX is on.
 */
static int kvm_on_b(const xs_system *b, const uint8_t *img, size_t size, uint8_t **res,
		    size_t *res_len, struct xs_diag *d)
{
	uint64_t dyn = xs_ld64(img + XS_XSAVE_HDR_OFFSET) & XS_XFEATURE_MASK_USER_DYNAMIC;
	uint64_t guest_xcr0 = xs_kvm_supported_xcr0(b);
	struct xs_verdict v = { 0 };
	uint8_t *in = NULL;
	xs_fpu vmm;
	xs_fpu_guest g = { 0 };
	uint32_t pkru = 0;
	int ret;

	if (xs_fpu_init(&vmm, b, NULL))
		return -ENOMEM;
	for (ret = 0; dyn && !ret; dyn &= dyn - 1)
		ret = (int)xs_arch_prctl(&vmm, XS_ARCH_REQ_XCOMP_GUEST_PERM,
					 (unsigned long)__builtin_ctzll(dyn), NULL);
	if (!(vmm.guest_perm.state_perm & XS_XFEATURE_MASK_XTILE_DATA))
		guest_xcr0 &= ~XS_XFEATURE_MASK_XTILE;	/* kvm_get_filtered_xcr0() */
	if (!ret)
		ret = xs_fpu_alloc_guest_fpstate(&vmm, &g);
	dyn = xs_ld64(img + XS_XSAVE_HDR_OFFSET) & XS_XFEATURE_MASK_USER_DYNAMIC;
	if (!ret && dyn)
		ret = xs_fpu_enable_guest_xfd_features(&vmm, &g, dyn);
	if (!ret) {
		in = calloc(1, g.uabi_size > size ? g.uabi_size : size);
		ret = in ? 0 : -ENOMEM;
	}
	if (!ret) {
		memcpy(in, img, size);
		ret = xs_kvm_set_xsave(b, &g, in, g.uabi_size > size ? g.uabi_size : size, &pkru, &v);
		if (ret)
			ret = xs_diag_fail(d, -EINVAL, "B's KVM refuses the converted state: %s (%s)",
					   v.reason, v.function);
	}
	if (!ret) {
		*res_len = g.uabi_size;
		*res = calloc(1, *res_len);
		ret = !*res ? -ENOMEM
			    : xs_kvm_get_xsave(b, &g, guest_xcr0, pkru, g.uabi_size > XS_KVM_XSAVE_SIZE, *res,
					       *res_len);
	}
	free(in);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
	return ret;
}

int xs_convert_container(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
			 enum xs_container kind, enum xs_buf_format out_fmt, bool force, void *out,
			 size_t out_len, size_t *written, struct xs_compat_report *rep,
			 struct xs_diag *diag)
{
	uint64_t target = container_target(b, kind, out_fmt);
	uint8_t *img = NULL, *res = NULL;
	size_t size = 0, res_len = 0;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (out_fmt == XS_BUF_COMPACTED && kind != XS_CONTAINER_XSAVE)
		return xs_diag_fail(diag, -EINVAL,
				    "a %s buffer is always in the standard format; only --kind xsave can be compacted",
				    xs_container_name(kind));
	if ((unsigned)kind > XS_CONTAINER_KVM)
		return xs_diag_fail(diag, -EINVAL, "unknown container %d", (int)kind);
	ret = convert_image(a, in, in_len, b, out_fmt, target, force, NULL, 0, &size, rep, diag);
	if (ret != -ENOSPC)
		return ret;
	img = malloc(size);
	if (!img)
		return -ENOMEM;
	ret = convert_image(a, in, in_len, b, out_fmt, target, force, img, size, &size, rep, diag);
	if (ret)
		goto out;
	switch (kind) {
	case XS_CONTAINER_XSAVE:
		if (out_fmt == XS_BUF_STANDARD)
			memset(img + XS_SW_BYTES_OFFSET, 0, XS_SW_BYTES_SIZE);	/* XSAVE does not write them */
		res = img, res_len = size, img = NULL;
		break;
	case XS_CONTAINER_PTRACE:
		res = img, res_len = size, img = NULL;
		break;
	case XS_CONTAINER_SIGFRAME:
		ret = frame_on_b(b, img, size, &res, &res_len, diag);
		break;
	case XS_CONTAINER_KVM:
		ret = kvm_on_b(b, img, size, &res, &res_len, diag);
		break;
	}
	if (ret)
		goto out;
	rep->size_b = (unsigned)res_len;
	if (written)
		*written = res_len;
	if (out_len < res_len) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(out, res, res_len);
out:
	free(img);
	free(res);
	return ret;
}
