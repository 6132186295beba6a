// SPDX-License-Identifier: MIT
/*
 * Buffers of any CPU: where each component of one buffer sits, for the
 * buffer's CPU (xs_buffer_view) — what conversions, the decoder and core
 * files lay buffers out with.
 */
#include <errno.h>
#include <stdlib.h>

#include "fleet/fleet.h"

/* The CPU's own description of component nr (CPUID 0xD.nr). */
void xs_fleet_component(const xs_system *sys, unsigned nr, uint32_t *size, uint32_t *offset,
		       uint32_t *flags)
{
	uint32_t r[4];

	if (nr < 2) {
		*size = xs_component(nr)->fixed_size;
		*offset = xs_component(nr)->fixed_offset;
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
			return xs_diag_fail(d, -EINVAL, "XSTATE_BV bit %u: no such state component is known", nr);
		xs_fleet_component(sys, nr, &size, &off, &flags);
		if (!size)
			return xs_diag_fail(d, -EINVAL, "XSTATE_BV bit %u (%s): this CPU has no such component", nr,
					    xs_xfeature_info(nr)->short_name);
		if (flags & XS_LEAF_D_SUPERVISOR)
			return xs_diag_fail(d, -EINVAL, "XSTATE_BV bit %u (%s): a supervisor component cannot be in a standard-format buffer",
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
	uint32_t off, flags[XS_XFEATURE_MAX] = { 0 };
	uint64_t format = v->xcomp_bv & ~XS_XCOMP_BV_COMPACTED_FORMAT;

	if (!(v->xcomp_bv & XS_XCOMP_BV_COMPACTED_FORMAT))
		return xs_diag_fail(d, -EINVAL, "XCOMP_BV 0x%llx lacks bit 63: not a compacted-format buffer",
				    (unsigned long long)v->xcomp_bv);
	if (v->xstate_bv & ~(format | XS_XFEATURE_MASK_FPSSE))
		return xs_diag_fail(d, -EINVAL, "XSTATE_BV 0x%llx has components outside XCOMP_BV 0x%llx",
				    (unsigned long long)v->xstate_bv, (unsigned long long)v->xcomp_bv);
	v->present = v->xstate_bv;
	for (unsigned nr = 0; nr < 2; nr++)
		xs_fleet_component(sys, nr, &v->size[nr], &v->offset[nr], &flags[nr]);
	for (unsigned nr = 2; nr < 63; nr++) {
		if (!(format & XS_BIT(nr)))
			continue;
		if (nr >= XS_XFEATURE_MAX)
			return xs_diag_fail(d, -EINVAL, "XCOMP_BV bit %u: no such state component is known", nr);
		xs_fleet_component(sys, nr, &v->size[nr], &off, &flags[nr]);
		if (!v->size[nr])
			return xs_diag_fail(d, -EINVAL, "XCOMP_BV bit %u (%s): this CPU has no such component", nr,
					    xs_xfeature_info(nr)->short_name);
	}
	/* the compacted arithmetic of CPUID 0xD.1 EBX (common.h), over the buffer's CPU */
	v->len = xs_compacted_offsets_of(format, v->size, flags, v->offset);
	return 0;
}

int xs_buffer_view(const xs_system *sys, const void *buf, size_t len, bool fmt_forced,
		   enum xs_buf_format fmt, struct xs_buffer_view *view, struct xs_diag *diag)
{
	const uint8_t *b = buf;
	struct xs_buffer_view v;
	int ret;

	memset(&v, 0, sizeof(v));
	ret = xs_system_usable(sys);
	if (ret) {
		if (ret == -ENODEV)
			xs_diag_fail(diag, -EINVAL, "Linux does not boot on this CPU model: %s", sys->halt_reason);
		else
			xs_diag_fail(diag, -EINVAL, "Linux sizes its buffers below 576 bytes on this CPU model");
		return ret;
	}
	if (len < XS_XSAVE_LEGACY_AND_HDR)
		return xs_diag_fail(diag, -EINVAL, "%zu bytes: an XSAVE buffer has at least 576 (legacy area and header)", len);
	v.xstate_bv = xs_ld64(b + XS_HDR_XSTATE_BV);
	v.xcomp_bv = xs_ld64(b + XS_HDR_XCOMP_BV);
	v.format = fmt_forced ? fmt
		 : (v.xcomp_bv & XS_XCOMP_BV_COMPACTED_FORMAT) ? XS_BUF_COMPACTED : XS_BUF_STANDARD;
	v.len = XS_XSAVE_LEGACY_AND_HDR;
	ret = v.format == XS_BUF_COMPACTED ? view_compacted(sys, &v, diag) : view_standard(sys, &v, diag);
	if (ret)
		return ret;
	if (len < v.len)
		return xs_diag_fail(diag, -EINVAL, "%zu bytes: the header's components need %zu", len, v.len);
	*view = v;
	return 0;
}

/* ---- the view as programs hold it ----------------------------------------- */

struct xs_buffer_view *xs_buffer_view_new(void)
{
	return calloc(1, sizeof(struct xs_buffer_view));
}

void xs_buffer_view_free(struct xs_buffer_view *view)
{
	free(view);
}

enum xs_buf_format xs_view_format(const struct xs_buffer_view *view)
{
	return view->format;
}

uint64_t xs_view_xstate_bv(const struct xs_buffer_view *view)
{
	return view->xstate_bv;
}

uint64_t xs_view_xcomp_bv(const struct xs_buffer_view *view)
{
	return view->xcomp_bv;
}

uint64_t xs_view_present(const struct xs_buffer_view *view)
{
	return view->present;
}

size_t xs_view_len(const struct xs_buffer_view *view)
{
	return view->len;
}

bool xs_view_component(const struct xs_buffer_view *view, unsigned nr, unsigned *offset, unsigned *size)
{
	if (nr >= XS_XFEATURE_MAX || !(view->present & XS_BIT(nr)))
		return false;
	*offset = view->offset[nr];
	*size = view->size[nr];
	return true;
}
