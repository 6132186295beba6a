// SPDX-License-Identifier: MIT
/*
 * Component 0 (x87, xsave-isa.md §2) and component 1 (SSE: MXCSR and
 * XMM0..15) as registers.
 */
#include <stdio.h>

#include "decode/decode.h"

static const char *const x87_exceptions[8] = { "IE", "DE", "ZE", "OE", "UE", "PE", "SF", "ES" };
static const char *const x87_masks[6] = { "IM", "DM", "ZM", "OM", "UM", "PM" };
static const char *const rounding[4] = { "nearest", "down", "up", "zero" };

static int emit_fcw(const struct xs_decoder *d, uint16_t fcw)
{
	static const char *const precision[4] = { "single", "reserved", "double", "extended" };
	struct xs_reg r;

	dec_reg(&r, XS_XFEATURE_FP, "fcw");
	val_hex(&r.value, fcw, 4);
	val_bits(dec_attr(&r, "masks"), fcw, x87_masks, 6);
	val_text(dec_attr(&r, "pc"), "%s", precision[(fcw >> 8) & 3]);
	val_text(dec_attr(&r, "rc"), "%s", rounding[(fcw >> 10) & 3]);
	return dec_emit(d, &r);
}

static int emit_fsw(const struct xs_decoder *d, uint16_t fsw)
{
	static const char *const cc[15] = { [8] = "C0", [9] = "C1", [10] = "C2", [14] = "C3" };
	struct xs_reg r;

	dec_reg(&r, XS_XFEATURE_FP, "fsw");
	val_hex(&r.value, fsw, 4);
	val_uint(dec_attr(&r, "top"), (fsw >> 11) & 7);
	val_bits(dec_attr(&r, "exceptions"), fsw, x87_exceptions, 8);
	val_bits(dec_attr(&r, "cc"), fsw, cc, 15);
	val_bool(dec_attr(&r, "busy"), fsw >> 15);
	return dec_emit(d, &r);
}

static int emit_ftw(const struct xs_decoder *d, uint8_t ftw)
{
	static const char *const regs[8] = { "R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7" };
	struct xs_reg r;

	/* the abridged tag word of the XSAVE image: one "non-empty" bit per physical register */
	dec_reg(&r, XS_XFEATURE_FP, "ftw");
	val_hex(&r.value, ftw, 2);
	val_bits(dec_attr(&r, "nonempty"), ftw, regs, 8);
	return dec_emit(d, &r);
}

/* The tag a full tag word would hold (FXRSTOR's rule, xsave-isa.md §2). */
static const char *x87_tag(bool nonempty, uint64_t mant, unsigned exp)
{
	if (!nonempty)
		return "empty";
	if (!exp && !mant)
		return "zero";
	if (!exp || exp == 0x7fff || !(mant >> 63))
		return "special";
	return "valid";
}

/*
 * mant * 2^e in long double by doubling and halving: exact wherever the
 * result is representable (every finite 80-bit value is, on x86), and no
 * libm for the library's users.
 */
static long double scale2(uint64_t mant, int e)
{
	long double v = (long double)mant;

	for (; e > 0; e--)
		v *= 2;
	for (; e < 0; e++)
		v /= 2;
	return v;
}

/* The decimal value of an 80-bit register, or what kind of non-number it is. */
static void ext80_text(struct xs_val *out, uint64_t mant, uint16_t se)
{
	unsigned exp = se & 0x7fff;
	bool neg = se >> 15, integer = mant >> 63;
	uint64_t frac = mant & ~XS_BIT(63);
	long double v;

	if (exp == 0x7fff) {
		val_text(out, "%s", !integer ? "invalid (pseudo-NaN/infinity)"
				    : !frac ? (neg ? "-inf" : "inf")
				    : (frac >> 62) ? "qnan" : "snan");
		return;
	}
	if (exp && !integer) {
		val_text(out, "invalid (unnormal)");
		return;
	}
	/* significand * 2^(exp - bias - 63); exponent 0 scales like 1 (denormals) */
	v = scale2(mant, (int)(exp ? exp : 1) - 16383 - 63);
	val_text(out, "%.19Lg", neg ? -v : v);
}

static int emit_st(const struct xs_decoder *d, unsigned k, const uint8_t *slot, unsigned phys, bool nonempty)
{
	uint64_t mant = xs_ld64(slot);
	uint16_t se = xs_ld16(slot + 8);
	struct xs_reg r;

	dec_reg(&r, XS_XFEATURE_FP, "st%u", k);
	ext80_text(&r.value, mant, se);
	val_text(dec_attr(&r, "tag"), "%s", x87_tag(nonempty, mant, se & 0x7fff));
	val_text(dec_attr(&r, "phys"), "R%u", phys);
	val_vector(dec_attr(&r, "raw"), slot, 10);
	return dec_emit(d, &r);
}

int dec_x87(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	uint16_t fsw = xs_ld16(p + XS_LEG_FSW);
	uint8_t ftw = p[XS_LEG_FTW];
	unsigned top = (fsw >> 11) & 7;
	int ret;

	(void)size;
	if ((ret = emit_fcw(d, xs_ld16(p + XS_LEG_FCW))) || (ret = emit_fsw(d, fsw)) ||
	    (ret = emit_ftw(d, ftw)) ||
	    (ret = dec_emit_hex(d, nr, "fop", xs_ld16(p + XS_LEG_FOP) & 0x7ff, 3)) ||
	    (ret = dec_emit_hex(d, nr, "fip", xs_ld64(p + XS_LEG_FIP), 16)) ||
	    (ret = dec_emit_hex(d, nr, "fdp", xs_ld64(p + XS_LEG_FDP), 16)))
		return ret;
	/* slot k holds ST(k) = physical register (TOP + k) mod 8; tags are physical */
	for (unsigned k = 0; k < 8; k++) {
		unsigned phys = (top + k) & 7;

		if ((ret = emit_st(d, k, p + XS_LEG_ST + 16 * k, phys, ftw & (1u << phys))))
			return ret;
	}
	return 0;
}

static int emit_mxcsr(const struct xs_decoder *d, uint32_t m)
{
	static const char *const flags[6] = { "IE", "DE", "ZE", "OE", "UE", "PE" };
	struct xs_reg r;

	dec_reg(&r, XS_XFEATURE_SSE, "mxcsr");
	val_hex(&r.value, m, 8);
	val_bits(dec_attr(&r, "flags"), m, flags, 6);
	val_bits(dec_attr(&r, "masks"), m >> 7, x87_masks, 6);
	val_text(dec_attr(&r, "rc"), "%s", rounding[(m >> 13) & 3]);
	val_bool(dec_attr(&r, "daz"), (m >> 6) & 1);
	val_bool(dec_attr(&r, "fz"), (m >> 15) & 1);
	return dec_emit(d, &r);
}

int dec_sse(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	int ret;

	(void)size;
	/* MXCSR and its mask live in the legacy area, outside the XMM bytes */
	if ((ret = emit_mxcsr(d, xs_ld32(d->buf + XS_LEG_MXCSR))) ||
	    (ret = dec_emit_hex(d, nr, "mxcsr_mask", xs_ld32(d->buf + XS_LEG_MXCSR_MASK), 8)))
		return ret;
	return dec_emit_vectors(d, nr, "xmm", 0, p, 16, 16);
}
