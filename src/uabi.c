// SPDX-License-Identifier: MIT
/*
 * Kernel buffer <-> user ABI (standard format), as xstate.c does it:
 * __copy_xstate_to_uabi_buf() and copy_uabi_to_xstate() with
 * validate_user_xstate_header() and the MXCSR check.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

#define MXCSR_OFFSET 24u
#define XMM_OFFSET 160u
#define XMM_SIZE 256u
#define SW_RESERVED_OFFSET 464u

const char *xs_errno_name(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ E2BIG, "E2BIG" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ERANGE, "ERANGE" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < XS_ARRAY_SIZE(names); i++)
		if (names[i].e == err)
			return names[i].n;
	return "E?";
}

void xs_verdict_set(struct xs_verdict *v, int err, const char *rule, const char *function,
		    const char *fmt, ...)
{
	va_list ap;

	if (!v)
		return;
	v->err = err;
	v->rule = rule;
	v->function = function;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* XFEATURE_MASK_SUPERVISOR_ALL of this kernel. */
uint64_t xs_supervisor_all(const xs_system *sys)
{
	return sys->supervisor_supported | XS_XFEATURE_MASK_INDEPENDENT |
	       XS_XFEATURE_MASK_SUPERVISOR_UNSUPPORTED;
}

/* Where component nr sits in the fpstate's own buffer (kernel format). */
static unsigned kernel_offset(const xs_system *sys, const xs_fpstate *fps, unsigned nr)
{
	return xs_xfeature_get_offset(sys, xs_fpstate_xcomp_bv(fps), nr);
}

/* ---- kernel -> UABI --------------------------------------------------- */

struct membuf {
	uint8_t *p;
	size_t left;
};

static void membuf_write(struct membuf *m, const void *src, size_t n)
{
	if (n > m->left)
		n = m->left;
	if (src)
		memcpy(m->p, src, n);
	else
		memset(m->p, 0, n);
	m->p += n;
	m->left -= n;
}

/* init_fpstate's legacy area (what FXSAVE left there at boot). */
static void init_legacy(const xs_system *sys, uint8_t legacy[XS_FXSAVE_SIZE])
{
	uint16_t fcw = 0x037f;
	uint32_t mxcsr = 0x1f80;

	memset(legacy, 0, XS_FXSAVE_SIZE);
	memcpy(legacy, &fcw, 2);
	memcpy(legacy + MXCSR_OFFSET, &mxcsr, 4);
	memcpy(legacy + MXCSR_OFFSET + 4, &sys->mxcsr_feature_mask, 4);
}

void xs_copy_xstate_to_uabi(const xs_system *sys, const xs_fpstate *fps, uint64_t mask,
			    uint32_t pkru, enum xs_copy_mode mode, void *out, size_t len)
{
	struct membuf to = { out, len };
	uint8_t init[XS_FXSAVE_SIZE], hdr[XS_XSAVE_HDR_SIZE] = { 0 }, sw[48] = { 0 };
	const uint8_t *x = fps->regs;
	uint64_t xfeatures = xs_fpstate_xstate_bv(fps);
	unsigned zerofrom = XS_XSAVE_LEGACY_AND_HDR;

	init_legacy(sys, init);
	xfeatures &= mode == XS_COPY_FP ? XS_XFEATURE_MASK_FP
		   : mode == XS_COPY_FX ? XS_XFEATURE_MASK_FPSSE
		   : fps->user_xfeatures & mask;
	membuf_write(&to, xfeatures & XS_XFEATURE_MASK_FP ? x : init, MXCSR_OFFSET);
	/* MXCSR belongs to SSE, but YMM needs it too */
	membuf_write(&to, xfeatures & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM) ? x + MXCSR_OFFSET
										    : init + MXCSR_OFFSET, 8);
	membuf_write(&to, xfeatures & XS_XFEATURE_MASK_FP ? x + 32 : init + 32, 128);
	membuf_write(&to, xfeatures & XS_XFEATURE_MASK_SSE ? x + XMM_OFFSET : init + XMM_OFFSET, XMM_SIZE);
	if (mode == XS_COPY_XSAVE) {
		membuf_write(&to, NULL, SW_RESERVED_OFFSET - (XMM_OFFSET + XMM_SIZE));
		/* xstate_fx_sw_bytes: word 0 is the user XCR0 (update_regset_xstate_info) */
		memcpy(sw, &sys->user.max_features, 8);
		membuf_write(&to, sw, sizeof(sw));
		memcpy(hdr, &xfeatures, 8);
		membuf_write(&to, hdr, sizeof(hdr));
		for (unsigned k = 0; k < sys->n_uncompact; k++) {
			unsigned nr = sys->uncompact_order[k];
			unsigned off = sys->xstate_offsets[nr], size = sys->xstate_sizes[nr];

			if (!(xfeatures & XS_BIT(nr)))
				continue;
			if (zerofrom < off)
				membuf_write(&to, NULL, off - zerofrom);
			if (nr == XS_XFEATURE_PKRU) {
				/* PKRU may be stale in the buffer: the given value wins */
				uint8_t pk[8] = { 0 };

				memcpy(pk, &pkru, 4);
				membuf_write(&to, pk, 8);
			} else {
				membuf_write(&to, x + kernel_offset(sys, fps, nr), size);
			}
			zerofrom = off + size;
		}
	}
	membuf_write(&to, NULL, to.left);
}

/* ---- UABI -> kernel --------------------------------------------------- */

/* validate_user_xstate_header() */
static int validate_user_xstate_header(const xs_fpstate *fps, const uint8_t *hdr,
				       struct xs_verdict *v)
{
	uint64_t xfeatures = get64(hdr), xcomp_bv = get64(hdr + 8), bad;

	bad = xfeatures & ~fps->user_xfeatures;
	if (bad) {
		xs_verdict_set(v, -EINVAL, "header.xstate_bv", "validate_user_xstate_header",
			       "XSTATE_BV 0x%llx has bits 0x%llx outside the task's user_xfeatures 0x%llx (unknown, supervisor, disabled or not-yet-permitted components)",
			       (unsigned long long)xfeatures, (unsigned long long)bad,
			       (unsigned long long)fps->user_xfeatures);
		return -EINVAL;
	}
	if (xcomp_bv) {
		xs_verdict_set(v, -EINVAL, "header.xcomp_bv", "validate_user_xstate_header",
			       "XCOMP_BV is 0x%llx: user buffers must use the standard (non-compacted) format",
			       (unsigned long long)xcomp_bv);
		return -EINVAL;
	}
	for (unsigned i = 16; i < XS_XSAVE_HDR_SIZE; i++) {
		if (hdr[i]) {
			xs_verdict_set(v, -EINVAL, "header.reserved", "validate_user_xstate_header",
				       "reserved header byte %u (buffer offset %u) is 0x%02x, must be 0",
				       i - 16, XS_XSAVE_HDR_OFFSET + i, hdr[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The MXCSR check of copy_uabi_to_xstate(): only when FP, SSE or YMM are loaded. */
static int check_mxcsr(const xs_system *sys, const uint8_t *buf, uint64_t xfeatures,
		       struct xs_verdict *v)
{
	uint32_t mxcsr = get32(buf + MXCSR_OFFSET);

	if (!(xfeatures & (XS_XFEATURE_MASK_FP | XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)))
		return 0;
	if (mxcsr & ~sys->mxcsr_feature_mask) {
		xs_verdict_set(v, -EINVAL, "mxcsr.reserved", "copy_uabi_to_xstate",
			       "MXCSR 0x%08x sets bits 0x%08x outside the MXCSR mask 0x%08x", mxcsr,
			       mxcsr & ~sys->mxcsr_feature_mask, sys->mxcsr_feature_mask);
		return -EINVAL;
	}
	return 0;
}

/* The bytes the kernel reads for the header's components must exist. */
static int check_length(const xs_system *sys, size_t len, uint64_t xfeatures, struct xs_verdict *v)
{
	size_t need = XS_XSAVE_LEGACY_AND_HDR;

	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if ((xfeatures & XS_BIT(nr)) && sys->xstate_offsets[nr] + (size_t)sys->xstate_sizes[nr] > need)
			need = sys->xstate_offsets[nr] + (size_t)sys->xstate_sizes[nr];
	if (len < need) {
		xs_verdict_set(v, -EFAULT, "length", "copy_uabi_to_xstate",
			       "the buffer has %zu bytes; its header selects components up to byte %zu",
			       len, need);
		return -EFAULT;
	}
	return 0;
}

int xs_uabi_validate(const xs_system *sys, const xs_fpstate *fps, const void *buf, size_t len,
		     struct xs_verdict *v)
{
	const uint8_t *b = buf;
	int ret;

	if (len < XS_XSAVE_LEGACY_AND_HDR) {
		xs_verdict_set(v, -EFAULT, "length", "copy_uabi_to_xstate",
			       "the buffer has %zu bytes; the legacy area and header need 576", len);
		return -EFAULT;
	}
	ret = validate_user_xstate_header(fps, b + XS_XSAVE_HDR_OFFSET, v);
	if (!ret)
		ret = check_mxcsr(sys, b, get64(b + XS_XSAVE_HDR_OFFSET), v);
	if (!ret)
		ret = check_length(sys, len, get64(b + XS_XSAVE_HDR_OFFSET), v);
	if (!ret)
		xs_verdict_set(v, 0, "accepted", "copy_uabi_to_xstate", "accepted");
	return ret;
}

/* Load the validated buffer into the fpstate. */
static void load_uabi(const xs_system *sys, xs_fpstate *fps, const uint8_t *b, uint32_t *pkru)
{
	uint64_t xfeatures = get64(b + XS_XSAVE_HDR_OFFSET), bv;
	uint8_t *x = fps->regs;

	/* SSE and YMM need MXCSR even when FP is not loaded */
	if ((xfeatures & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)) && !(xfeatures & XS_XFEATURE_MASK_FP))
		memcpy(x + MXCSR_OFFSET, b + MXCSR_OFFSET, 8);
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(xfeatures & XS_BIT(nr)))
			continue;
		memcpy(x + kernel_offset(sys, fps, nr), b + sys->xstate_offsets[nr], sys->xstate_sizes[nr]);
	}
	if (xfeatures & XS_XFEATURE_MASK_PKRU)
		*pkru = get32(b + sys->xstate_offsets[XS_XFEATURE_PKRU]);
	else if (pkru)
		*pkru = 0;	/* emulates XRSTOR putting PKRU into its init state */
	bv = (xs_fpstate_xstate_bv(fps) & xs_supervisor_all(sys)) | xfeatures;
	memcpy(x + XS_XSAVE_HDR_OFFSET, &bv, 8);
}

int xs_copy_uabi_to_xstate(const xs_system *sys, xs_fpstate *fps, const void *buf, size_t len,
			   uint32_t *pkru, struct xs_verdict *v)
{
	uint32_t dummy;
	int ret = xs_uabi_validate(sys, fps, buf, len, v);

	if (ret)
		return ret;
	/* KVM passes NULL: the PKRU component (if any) goes to the vCPU only */
	if (!pkru && (get64((const uint8_t *)buf + XS_XSAVE_HDR_OFFSET) & XS_XFEATURE_MASK_PKRU))
		pkru = &dummy;
	load_uabi(sys, fps, buf, pkru);
	return 0;
}
