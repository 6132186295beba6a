// SPDX-License-Identifier: MIT
/*
 * Buffers of any CPU: where each component sits (xs_buffer_view), and
 * moving a buffer saved on CPU A to CPU B's layout for migration
 * (xs_convert_buffer) with a report of what B cannot hold.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "le.h"

static int view_error(struct xs_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int view_error(struct xs_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		d->line = 0;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The CPU's own description of component nr (CPUID 0xD.nr). */
static void component(const xs_system *sys, unsigned nr, uint32_t *size, uint32_t *offset,
		      uint32_t *flags)
{
	uint32_t r[4];

	if (nr < 2) {
		*size = nr ? 256 : 160;
		*offset = nr ? 160 : 0;
		*flags = 0;
		return;
	}
	xs_cpuid(&sys->cpu, 0xd, nr, r);
	*size = r[0];
	*offset = r[1];
	*flags = r[2];
}

static int view_standard(const xs_system *sys, struct xs_buffer_view *v, struct xs_diag *d)
{
	uint32_t size, off, flags;

	v->present = v->xstate_bv;
	for (unsigned nr = 0; nr < 64; nr++) {
		if (!(v->xstate_bv & XS_BIT(nr)))
			continue;
		if (nr >= XS_XFEATURE_MAX)
			return view_error(d, "XSTATE_BV bit %u: no such state component is known", nr);
		component(sys, nr, &size, &off, &flags);
		if (!size)
			return view_error(d, "XSTATE_BV bit %u (%s): this CPU has no such component", nr,
					  xs_xfeature_info(nr)->short_name);
		if (flags & 1)
			return view_error(d, "XSTATE_BV bit %u (%s): a supervisor component cannot be in a standard-format buffer",
					  nr, xs_xfeature_info(nr)->short_name);
		v->offset[nr] = off;
		v->size[nr] = size;
		if (off + (size_t)size > v->len)
			v->len = off + (size_t)size;
	}
	return 0;
}

static int view_compacted(const xs_system *sys, struct xs_buffer_view *v, struct xs_diag *d)
{
	unsigned offs = XS_XSAVE_LEGACY_AND_HDR;
	uint32_t size, off, flags;
	uint64_t format = v->xcomp_bv & ~XS_XCOMP_BV_COMPACTED_FORMAT;

	if (!(v->xcomp_bv & XS_XCOMP_BV_COMPACTED_FORMAT))
		return view_error(d, "XCOMP_BV 0x%llx lacks bit 63: not a compacted-format buffer",
				  (unsigned long long)v->xcomp_bv);
	if (v->xstate_bv & ~(format | XS_XFEATURE_MASK_FPSSE))
		return view_error(d, "XSTATE_BV 0x%llx has components outside XCOMP_BV 0x%llx",
				  (unsigned long long)v->xstate_bv, (unsigned long long)v->xcomp_bv);
	v->present = v->xstate_bv;
	for (unsigned nr = 0; nr < 2; nr++) {
		component(sys, nr, &v->size[nr], &v->offset[nr], &flags);
	}
	for (unsigned nr = 2; nr < 63; nr++) {
		if (!(format & XS_BIT(nr)))
			continue;
		if (nr >= XS_XFEATURE_MAX)
			return view_error(d, "XCOMP_BV bit %u: no such state component is known", nr);
		component(sys, nr, &size, &off, &flags);
		if (!size)
			return view_error(d, "XCOMP_BV bit %u (%s): this CPU has no such component", nr,
					  xs_xfeature_info(nr)->short_name);
		if (flags & 2)
			offs = XS_ALIGN(offs, 64u);
		v->offset[nr] = offs;
		v->size[nr] = size;
		offs += size;
	}
	v->len = offs;
	return 0;
}

int xs_buffer_view(const xs_system *sys, const void *buf, size_t len, bool fmt_forced,
		   enum xs_buf_format fmt, struct xs_buffer_view *view, struct xs_diag *diag)
{
	const uint8_t *b = buf;
	struct xs_buffer_view v;
	int ret;

	memset(&v, 0, sizeof(v));
	if (sys->halted) {
		view_error(diag, "Linux does not boot on this CPU model (no FPU)");
		return -ENODEV;
	}
	if (len < XS_XSAVE_LEGACY_AND_HDR)
		return view_error(diag, "%zu bytes: an XSAVE buffer has at least 576 (legacy area and header)", len);
	v.xstate_bv = xs_ld64(b + XS_XSAVE_HDR_OFFSET);
	v.xcomp_bv = xs_ld64(b + XS_XSAVE_HDR_OFFSET + 8);
	v.format = fmt_forced ? fmt
		 : (v.xcomp_bv & XS_XCOMP_BV_COMPACTED_FORMAT) ? XS_BUF_COMPACTED : XS_BUF_STANDARD;
	v.len = XS_XSAVE_LEGACY_AND_HDR;
	ret = v.format == XS_BUF_COMPACTED ? view_compacted(sys, &v, diag) : view_standard(sys, &v, diag);
	if (ret)
		return ret;
	if (len < v.len)
		return view_error(diag, "%zu bytes: the header's components need %zu", len, v.len);
	*view = v;
	return 0;
}

/* ---- conversion ------------------------------------------------------------ */

static void note(struct xs_compat_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct xs_compat_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes >= XS_ARRAY_SIZE(r->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
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
		component(b, nr, &sb, &ob, &fb);
		if (va->format == XS_BUF_STANDARD && ob != va->offset[nr] && !(fb & 1))
			rep->moved |= XS_BIT(nr);
		if (sb == va->size[nr])
			continue;
		rep->resized |= XS_BIT(nr);
		if (sb < va->size[nr] && !all_zero(in + va->offset[nr] + sb, va->size[nr] - sb)) {
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
	uint32_t mxcsr;

	memcpy(&mxcsr, in + 24, 4);
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
	memcpy(out, in, 416);	/* x87, MXCSR, XMM */
	if (clear_mxcsr) {
		uint32_t mxcsr;

		memcpy(&mxcsr, out + 24, 4);
		mxcsr &= b->mxcsr_feature_mask;
		memcpy(out + 24, &mxcsr, 4);
	}
	if (fmt == XS_BUF_STANDARD)
		xs_st64(out + 464, b->user.max_features);	/* the ptrace XCR0 word */
	xs_st64(out + XS_XSAVE_HDR_OFFSET, keep);
	xs_st64(out + XS_XSAVE_HDR_OFFSET + 8, xcomp);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		if (!(keep & XS_BIT(nr)))
			continue;
		component(b, nr, &sb, &ob, &fb);
		if (fmt == XS_BUF_COMPACTED)
			ob = xs_xfeature_get_offset(b, xcomp, nr);
		memcpy(out + ob, in + va->offset[nr], sb < va->size[nr] ? sb : va->size[nr]);
	}
}

int xs_convert_buffer(const xs_system *a, const void *in, size_t in_len, const xs_system *b,
		      enum xs_buf_format out_fmt, bool force, void *out, size_t out_len,
		      size_t *written, struct xs_compat_report *rep, struct xs_diag *diag)
{
	struct xs_buffer_view va;
	uint64_t target = target_set(b, out_fmt), lossy, keep;
	bool bad_mxcsr;
	size_t size;
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = xs_buffer_view(a, in, in_len, false, XS_BUF_STANDARD, &va, diag);
	if (ret)
		return ret;
	if (!b->xsave)
		return view_error(diag, "CPU B does not use XSAVE: there is no layout to convert to");
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
