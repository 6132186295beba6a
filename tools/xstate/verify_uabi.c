// SPDX-License-Identifier: MIT
/*
 * Random and deliberately malformed standard-format buffers for the
 * ptrace and KVM verifiers: a valid state (random values, random init-ness
 * per component), then zero to two mutations from the kernel's refusal
 * rules (XSTATE_BV bits it must refuse, XCOMP_BV, reserved header bytes,
 * MXCSR reserved bits, sizes) and from what it must ignore (software
 * bytes, padding, gaps).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verify_uabi.h"
#include "xsave_layout.h"
#include "le.h"

uint64_t vu_next(uint64_t *s)
{
	/* splitmix64: deterministic for a seed, good enough for test cases */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(uint64_t *s, unsigned n)
{
	return (unsigned)(vu_next(s) % n);
}

static void fill_random(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = vu_next(s);

		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

/* setup_xstate_cache()'s numbers for component nr (standard offset UINT32_MAX: none). */
static struct xs_component_info component(const xs_system *sys, unsigned nr)
{
	struct xs_component_info ci = { UINT32_MAX, 0, 0, UINT32_MAX };

	xs_system_component(sys, nr, &ci);
	return ci;
}

/* A state the kernel accepts: components in `allowed`, valid MXCSR. */
static void valid_state(uint64_t *s, const xs_system *sys, uint64_t allowed, uint8_t *b, size_t size)
{
	uint32_t mxcsr_mask = xs_system_info(sys)->mxcsr_feature_mask;
	uint64_t bv = (vu_next(s) & allowed) | (below(s, 2) ? XS_XFEATURE_MASK_FPSSE & allowed : 0);
	uint32_t mxcsr = (uint32_t)vu_next(s) & mxcsr_mask;

	memset(b, 0, size);
	fill_random(s, b, FX_PAD);
	b[5] = 0;			/* reserved byte of the abridged tag word */
	xs_st32(b + FX_MXCSR, mxcsr);
	/* MXCSR_MASK is never validated: the kernel stores what it is given */
	if (below(s, 2))
		xs_st32(b + FX_MXCSR_MASK, mxcsr_mask);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		struct xs_component_info c = component(sys, nr);

		if ((bv & XS_BIT(nr)) && c.offset + (size_t)c.size <= size)
			fill_random(s, b + c.offset, c.size);
	}
	if (bv & XS_XFEATURE_MASK_PKRU)
		memset(b + component(sys, XS_XFEATURE_PKRU).offset + 4, 0, 4);
	xs_st64(b + HDR_XSTATE_BV, bv);
}

static const char *mutate(uint64_t *s, const xs_system *sys, uint8_t *b, size_t size, size_t cap,
			  size_t *len)
{
	uint64_t bv;
	uint32_t mxcsr;

	static const unsigned refused_bits[] = { 8, 10, 11, 12, 15, 17, 18, 19, 20, 40, 62, 63 };

	switch (below(s, 11)) {
	case 0:	/* a component the task may not load: supervisor, unknown, AMX, bit 63 */
		bv = xs_ld64(b + HDR_XSTATE_BV) |
		     XS_BIT(refused_bits[below(s, sizeof(refused_bits) / sizeof(refused_bits[0]))]);
		xs_st64(b + HDR_XSTATE_BV, bv);
		return "XSTATE_BV bit outside user_xfeatures";
	case 1:
		xs_st64(b + HDR_XCOMP_BV, vu_next(s) | (below(s, 2) ? XS_XCOMP_BV_COMPACTED_FORMAT : 0));
		return "non-zero XCOMP_BV";
	case 2:
		b[HDR_RESERVED + below(s, HDR_RESERVED_SIZE)] = (uint8_t)(1 + below(s, 255));
		return "reserved header byte";
	case 3:
		mxcsr = xs_ld32(b + FX_MXCSR) | 1u << (16 + below(s, 16));
		xs_st32(b + FX_MXCSR, mxcsr);
		return "MXCSR reserved bit";
	case 4:
		*len = size - 1 - below(s, 7);
		return "iov_len not a multiple of 8";
	case 5:
		*len = (size - 8 * (1 + below(s, 64))) & ~(size_t)7;
		return "buffer shorter than the regset";
	case 6:
		fill_random(s, b + XS_SW_BYTES_OFFSET, XS_SW_BYTES_SIZE);
		return "garbage in sw_reserved (ignored)";
	case 7:
		fill_random(s, b + FX_PAD, XS_SW_BYTES_OFFSET - FX_PAD);
		return "garbage in the legacy padding (ignored)";
	case 8:
		xs_st64(b + HDR_XSTATE_BV, 0);
		return "everything in its init state";
	case 9:
		if (cap < size + 8)
			return "none";
		/* mostly whole elements: the kernel clamps iov_len to the regset */
		*len = size + 8 * (1 + below(s, (unsigned)((cap - size) / 8)));
		if (!below(s, 4))
			*len -= 1 + below(s, 7);
		fill_random(s, b + size, cap - size);
		return "buffer longer than the regset (clamped)";
	default:
		(void)sys;
		return "none";
	}
}

const char *vu_make_case(uint64_t *seed, const xs_system *sys, uint64_t allowed, uint8_t *buf,
			 size_t size, size_t cap, size_t *len)
{
	const char *what = "valid";
	unsigned n = below(seed, 3);

	*len = size;
	valid_state(seed, sys, allowed, buf, size);
	memset(buf + size, 0, cap - size);
	for (unsigned i = 0; i < n; i++)
		what = mutate(seed, sys, buf, size, cap, len);
	return what;
}

void vu_differ(struct verify_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->differ++)
		return;
	va_start(ap, fmt);
	vsnprintf(r->first, sizeof(r->first), fmt, ap);
	va_end(ap);
}

size_t vu_first_difference(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return n;
}

const char *vu_component_at(const xs_system *sys, size_t off)
{
	if (off >= FX_MXCSR && off < FX_ST0)
		return "MXCSR";
	if (off < FX_XMM0)
		return "x87";
	if (off < FX_PAD)
		return "SSE";
	if (off < XS_XSAVE_HDR_OFFSET)
		return "software-reserved bytes";
	if (off < XS_XSAVE_LEGACY_AND_HDR)
		return "XSAVE header";
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		struct xs_component_info c = component(sys, nr);

		if (c.offset != UINT32_MAX && off >= c.offset && off < c.offset + (size_t)c.size)
			return xs_xfeature_info(nr)->short_name;
	}
	return "gap";
}
