// SPDX-License-Identifier: MIT
/*
 * xstate decode: one XSAVE buffer as a JSON document (header, kind-specific
 * fields, and every present component's registers decoded per xsave-isa.md
 * §1.1, §2 and §9), plus the text rendering of such documents.
 *
 * Bounds: every component is read only after checking offset + size
 * against the buffer length, and each decoder reads at most its
 * component's size (components smaller than their decoder needs are shown
 * as raw bytes instead).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "le.h"

#define MXCSR_OFFSET 24u
#define SW_RESERVED_OFFSET 464u
#define XMM_OFFSET 160u

/* ---- value helpers ----------------------------------------------------- */

static json_t *hexv(uint64_t v, unsigned digits)
{
	return json_sprintf("0x%0*llx", (int)digits, (unsigned long long)v);
}

/*
 * n bytes as hex. Registers are little-endian in memory, so `number`
 * prints them most significant byte first with 0x; raw byte dumps keep
 * memory order.
 */
static json_t *hex_bytes(const uint8_t *p, size_t n, bool number)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 3), *o = s;
	json_t *j;

	if (!s)
		return json_null();
	if (number) {
		*o++ = '0';
		*o++ = 'x';
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[number ? n - 1 - i : i];

		*o++ = digits[b >> 4];
		*o++ = digits[b & 15];
	}
	*o = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* Names of the set bits of v (names[i] for bit i, NULL: not shown), or "-". */
static json_t *bit_names(uint64_t v, const char *const *names, unsigned n)
{
	char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < sizeof(buf); i++)
		if (names[i] && (v & XS_BIT(i)))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "", names[i]);
	return json_string(buf[0] ? buf : "-");
}

static json_t *xfeature_names(uint64_t mask)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & XS_BIT(i)))
			continue;
		if (i < XS_XFEATURE_MAX)
			json_array_append_new(a, json_string(xs_xfeature_info(i)->short_name));
		else
			json_array_append_new(a, json_sprintf("bit%u", i));
	}
	return a;
}

/* ---- x87 (component 0, xsave-isa.md §2) ---------------------------------- */

static const char *const x87_exceptions[8] = { "IE", "DE", "ZE", "OE", "UE", "PE", "SF", "ES" };
static const char *const x87_masks[6] = { "IM", "DM", "ZM", "OM", "UM", "PM" };
static const char *const rounding[4] = { "nearest", "down", "up", "zero" };

static json_t *fcw_json(uint16_t fcw)
{
	static const char *const precision[4] = { "single", "reserved", "double", "extended" };

	return json_pack("{s:o, s:o, s:s, s:s}", "value", hexv(fcw, 4), "masks",
			 bit_names(fcw, x87_masks, 6), "pc", precision[(fcw >> 8) & 3], "rc",
			 rounding[(fcw >> 10) & 3]);
}

static json_t *fsw_json(uint16_t fsw)
{
	static const char *const cc[15] = { [8] = "C0", [9] = "C1", [10] = "C2", [14] = "C3" };

	return json_pack("{s:o, s:i, s:o, s:o, s:b}", "value", hexv(fsw, 4), "top", (fsw >> 11) & 7,
			 "exceptions", bit_names(fsw, x87_exceptions, 8), "cc", bit_names(fsw, cc, 15),
			 "busy", fsw >> 15);
}

static json_t *ftw_json(uint8_t ftw)
{
	static const char *const regs[8] = { "R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7" };

	return json_pack("{s:o, s:o}", "value", hexv(ftw, 2), "nonempty", bit_names(ftw, regs, 8));
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

/* The decimal value of an 80-bit register, or what kind of non-number it is. */
static void ext80_text(uint64_t mant, uint16_t se, char *out, size_t size)
{
	unsigned exp = se & 0x7fff;
	bool neg = se >> 15, integer = mant >> 63;
	uint64_t frac = mant & ~XS_BIT(63);
	long double v;

	if (exp == 0x7fff) {
		snprintf(out, size, "%s", !integer ? "invalid (pseudo-NaN/infinity)"
					 : !frac ? (neg ? "-inf" : "inf")
					 : (frac >> 62) ? "qnan" : "snan");
		return;
	}
	if (exp && !integer) {
		snprintf(out, size, "invalid (unnormal)");
		return;
	}
	/* significand * 2^(exp - bias - 63); exponent 0 scales like 1 (denormals) */
	v = ldexpl((long double)mant, (int)(exp ? exp : 1) - 16383 - 63);
	snprintf(out, size, "%.19Lg", neg ? -v : v);
}

static json_t *st_json(const uint8_t *slot, unsigned phys, bool nonempty)
{
	uint64_t mant = xs_ld64(slot);
	uint16_t se = xs_ld16(slot + 8);
	char val[64], reg[4];

	ext80_text(mant, se, val, sizeof(val));
	snprintf(reg, sizeof(reg), "R%u", phys);
	return json_pack("{s:s, s:s, s:s, s:o}", "value", val, "tag", x87_tag(nonempty, mant, se & 0x7fff),
			 "phys", reg, "raw", hex_bytes(slot, 10, true));
}

static void dec_x87(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	uint16_t fsw = xs_ld16(p + 2);
	uint8_t ftw = p[4];
	unsigned top = (fsw >> 11) & 7;

	(void)b;
	(void)size;
	json_object_set_new(r, "fcw", fcw_json(xs_ld16(p)));
	json_object_set_new(r, "fsw", fsw_json(fsw));
	json_object_set_new(r, "ftw", ftw_json(ftw));
	json_object_set_new(r, "fop", hexv(xs_ld16(p + 6) & 0x7ff, 3));
	json_object_set_new(r, "fip", hexv(xs_ld64(p + 8), 16));
	json_object_set_new(r, "fdp", hexv(xs_ld64(p + 16), 16));
	/* slot k holds ST(k) = physical register (TOP + k) mod 8; tags are physical */
	for (unsigned k = 0; k < 8; k++) {
		unsigned phys = (top + k) & 7;
		char name[8];

		snprintf(name, sizeof(name), "st%u", k);
		json_object_set_new(r, name, st_json(p + 32 + 16 * k, phys, ftw & (1u << phys)));
	}
}

/* ---- SSE, AVX, AVX-512 (components 1, 2, 5, 6, 7) ------------------------ */

static json_t *mxcsr_json(uint32_t m)
{
	static const char *const flags[6] = { "IE", "DE", "ZE", "OE", "UE", "PE" };

	return json_pack("{s:o, s:o, s:o, s:s, s:b, s:b}", "value", hexv(m, 8), "flags",
			 bit_names(m, flags, 6), "masks", bit_names(m >> 7, x87_masks, 6), "rc",
			 rounding[(m >> 13) & 3], "daz", (int)((m >> 6) & 1), "fz", (int)((m >> 15) & 1));
}

/* `count` registers of `width` bytes: name0 .. name(count-1), starting at `first`. */
static void wide_regs(json_t *r, const char *name, unsigned first, const uint8_t *p, unsigned count,
		      unsigned width)
{
	char key[24];

	for (unsigned i = 0; i < count; i++) {
		snprintf(key, sizeof(key), "%s%u", name, first + i);
		json_object_set_new(r, key, hex_bytes(p + (size_t)width * i, width, true));
	}
}

static void dec_sse(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	(void)size;
	/* MXCSR lives in the legacy area, outside the XMM bytes */
	json_object_set_new(r, "mxcsr", mxcsr_json(xs_ld32(b + MXCSR_OFFSET)));
	json_object_set_new(r, "mxcsr_mask", hexv(xs_ld32(b + MXCSR_OFFSET + 4), 8));
	wide_regs(r, "xmm", 0, p, 16, 16);
}

/*
 * Where the lower parts of a vector register live, when their components
 * are present: NULL otherwise (then only the component's own part shows).
 */
struct vec_parts {
	const uint8_t *xmm, *ymmh;
};

static void combined_regs(json_t *r, const char *name, const uint8_t *const lower[], const unsigned lw[],
			  unsigned nlower, const uint8_t *own, unsigned own_width)
{
	uint8_t v[64];
	char key[24];

	for (unsigned i = 0; i < 16; i++) {
		unsigned n = 0;

		for (unsigned k = 0; k < nlower; k++) {
			memcpy(v + n, lower[k] + (size_t)lw[k] * i, lw[k]);
			n += lw[k];
		}
		memcpy(v + n, own + (size_t)own_width * i, own_width);
		snprintf(key, sizeof(key), "%s%u", name, i);
		json_object_set_new(r, key, hex_bytes(v, n + own_width, true));
	}
}

static void dec_ymm(const struct vec_parts *vp, const uint8_t *p, json_t *r)
{
	const uint8_t *lower[1] = { vp->xmm };
	static const unsigned lw[1] = { 16 };

	if (vp->xmm)
		combined_regs(r, "ymm", lower, lw, 1, p, 16);
	else
		wide_regs(r, "ymm_hi128_", 0, p, 16, 16);
}

static void dec_zmm_hi256(const struct vec_parts *vp, const uint8_t *p, json_t *r)
{
	const uint8_t *lower[2] = { vp->xmm, vp->ymmh };
	static const unsigned lw[2] = { 16, 16 };

	if (vp->xmm && vp->ymmh)
		combined_regs(r, "zmm", lower, lw, 2, p, 32);
	else
		wide_regs(r, "zmm_hi256_", 0, p, 16, 32);
}

static void dec_opmask(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	char key[8];

	(void)b;
	(void)size;
	for (unsigned i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		json_object_set_new(r, key, hexv(xs_ld64(p + 8 * i), 16));
	}
}

static void dec_hi16_zmm(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	(void)b;
	(void)size;
	wide_regs(r, "zmm", 16, p, 16, 64);
}

/* ---- MPX, PKRU, PASID, CET (components 3, 4, 9, 10, 11, 12) -------------- */

static void dec_bndregs(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	char key[8];

	(void)b;
	(void)size;
	/* as stored: the upper bound is kept in one's complement form */
	for (unsigned i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "bnd%u", i);
		json_object_set_new(r, key, json_pack("{s:o, s:o}", "lower", hexv(xs_ld64(p + 16 * i), 16),
						      "upper", hexv(xs_ld64(p + 16 * i + 8), 16)));
	}
}

static void dec_bndcsr(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	static const char *const cfg[2] = { "EN", "BNDPRESERVE" };
	uint64_t bndcfgu = xs_ld64(p);

	(void)b;
	(void)size;
	json_object_set_new(r, "bndcfgu", json_pack("{s:o, s:o, s:o}", "value", hexv(bndcfgu, 16), "bits",
						    bit_names(bndcfgu, cfg, 2), "base",
						    hexv(bndcfgu & ~UINT64_C(0xfff), 16)));
	json_object_set_new(r, "bndstatus", hexv(xs_ld64(p + 8), 16));
}

static void dec_pkru(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	uint32_t pkru = xs_ld32(p);
	json_t *ad = json_array(), *wd = json_array();

	(void)b;
	(void)size;
	/* key i: AD is bit 2i, WD bit 2i+1 */
	for (unsigned key = 0; key < 16; key++) {
		if (pkru & (1u << (2 * key)))
			json_array_append_new(ad, json_integer(key));
		if (pkru & (1u << (2 * key + 1)))
			json_array_append_new(wd, json_integer(key));
	}
	json_object_set_new(r, "pkru", hexv(pkru, 8));
	json_object_set_new(r, "access_disabled", ad);
	json_object_set_new(r, "write_disabled", wd);
}

static void dec_pasid(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	(void)b;
	(void)size;
	json_object_set_new(r, "ia32_pasid", hexv(xs_ld64(p), 16));
}

static void dec_cet_u(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	static const char *const bits[12] = { "SH_STK_EN", "WR_SHSTK_EN", "ENDBR_EN", "LEG_IW_EN",
					      "NO_TRACK_EN", "SUPPRESS_DIS", NULL, NULL, NULL, NULL,
					      "SUPPRESS", "TRACKER" };
	uint64_t cet = xs_ld64(p);

	(void)b;
	(void)size;
	json_object_set_new(r, "ia32_u_cet", json_pack("{s:o, s:o, s:o}", "value", hexv(cet, 16), "bits",
						       bit_names(cet, bits, 12), "legacy_bitmap",
						       hexv(cet & ~UINT64_C(0xfff), 16)));
	json_object_set_new(r, "ia32_pl3_ssp", hexv(xs_ld64(p + 8), 16));
}

static void dec_cet_s(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	(void)b;
	(void)size;
	json_object_set_new(r, "ia32_pl0_ssp", hexv(xs_ld64(p), 16));
	json_object_set_new(r, "ia32_pl1_ssp", hexv(xs_ld64(p + 8), 16));
	json_object_set_new(r, "ia32_pl2_ssp", hexv(xs_ld64(p + 16), 16));
}

/* ---- AMX and APX (components 17, 18, 19) -------------------------------- */

static void dec_tilecfg(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	json_t *colsb = json_array(), *rows = json_array();

	(void)b;
	(void)size;
	for (unsigned n = 0; n < 8; n++) {
		json_array_append_new(colsb, json_integer(xs_ld16(p + 16 + 2 * n)));
		json_array_append_new(rows, json_integer(p[48 + n]));
	}
	json_object_set_new(r, "palette", json_integer(p[0]));
	json_object_set_new(r, "start_row", json_integer(p[1]));
	json_object_set_new(r, "colsb", colsb);
	json_object_set_new(r, "rows", rows);
}

static void dec_tiledata(const uint8_t *p, unsigned size, bool bytes, json_t *r)
{
	char key[16];

	for (unsigned t = 0; t < size / 1024; t++) {
		const uint8_t *tile = p + 1024u * t;
		unsigned set = 0;

		for (unsigned i = 0; i < 1024; i++)
			set += tile[i] != 0;
		snprintf(key, sizeof(key), "tmm%u", t);
		if (bytes)
			json_object_set_new(r, key, json_pack("{s:b, s:i, s:o}", "nonzero", set != 0, "bytes_set",
							      (int)set, "hex", hex_bytes(tile, 1024, false)));
		else if (set)
			json_object_set_new(r, key, json_sprintf("non-zero (%u of 1024 bytes set)", set));
		else
			json_object_set_new(r, key, json_string("all zero"));
	}
}

static void dec_apx(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r)
{
	char key[8];

	(void)b;
	(void)size;
	for (unsigned i = 0; i < 16; i++) {
		snprintf(key, sizeof(key), "r%u", 16 + i);
		json_object_set_new(r, key, hexv(xs_ld64(p + 8 * i), 16));
	}
}

/* ---- one component --------------------------------------------------------- */

typedef void (*simple_decoder)(const uint8_t *b, const uint8_t *p, unsigned size, json_t *r);

/* Decoders that need nothing but their own bytes (and the legacy area). */
static const struct {
	simple_decoder fn;
	unsigned min_size;
} simple[XS_XFEATURE_MAX] = {
	[XS_XFEATURE_FP] = { dec_x87, 160 },
	[XS_XFEATURE_SSE] = { dec_sse, 256 },
	[XS_XFEATURE_BNDREGS] = { dec_bndregs, 64 },
	[XS_XFEATURE_BNDCSR] = { dec_bndcsr, 16 },
	[XS_XFEATURE_OPMASK] = { dec_opmask, 64 },
	[XS_XFEATURE_Hi16_ZMM] = { dec_hi16_zmm, 1024 },
	[XS_XFEATURE_PKRU] = { dec_pkru, 4 },
	[XS_XFEATURE_PASID] = { dec_pasid, 8 },
	[XS_XFEATURE_CET_USER] = { dec_cet_u, 16 },
	[XS_XFEATURE_CET_KERNEL] = { dec_cet_s, 24 },
	[XS_XFEATURE_XTILE_CFG] = { dec_tilecfg, 64 },
	[XS_XFEATURE_APX] = { dec_apx, 128 },
};

struct decode_ctx {
	const uint8_t *buf;
	size_t len;
	const struct xs_buffer_view *view;
	unsigned flags;
};

static bool in_buffer(const struct decode_ctx *c, unsigned nr)
{
	return c->view->offset[nr] <= c->len && c->view->size[nr] <= c->len - c->view->offset[nr];
}

/* The bytes of component nr when it is present with at least `need` bytes. */
static const uint8_t *part(const struct decode_ctx *c, unsigned nr, unsigned need)
{
	const struct xs_buffer_view *v = c->view;

	if (!(v->present & XS_BIT(nr)) || !in_buffer(c, nr) || v->size[nr] < need)
		return NULL;
	return c->buf + v->offset[nr];
}

/* Registers of component nr; false when it has no decoder for this size. */
static bool decode_registers(const struct decode_ctx *c, unsigned nr, json_t *r)
{
	const uint8_t *p = c->buf + c->view->offset[nr];
	unsigned size = c->view->size[nr];
	struct vec_parts vp = { part(c, XS_XFEATURE_SSE, 256), part(c, XS_XFEATURE_YMM, 256) };

	if (simple[nr].fn && size >= simple[nr].min_size) {
		simple[nr].fn(c->buf, p, size, r);
		return true;
	}
	if (nr == XS_XFEATURE_YMM && size >= 256) {
		dec_ymm(&vp, p, r);
		return true;
	}
	if (nr == XS_XFEATURE_ZMM_Hi256 && size >= 512) {
		dec_zmm_hi256(&vp, p, r);
		return true;
	}
	if (nr == XS_XFEATURE_XTILE_DATA && size >= 1024) {
		dec_tiledata(p, size, c->flags & DECODE_TILE_BYTES, r);
		return true;
	}
	return false;
}

static json_t *component_json(const struct decode_ctx *c, unsigned nr)
{
	const struct xs_buffer_view *v = c->view;
	json_t *regs = json_object();

	if (!in_buffer(c, nr))
		json_object_set_new(regs, "error", json_string("the component lies outside the buffer"));
	else if (!decode_registers(c, nr, regs))
		json_object_set_new(regs, "bytes", hex_bytes(c->buf + v->offset[nr], v->size[nr], false));
	return json_pack("{s:i, s:s, s:I, s:I, s:o}", "index", (int)nr, "name", xs_xfeature_info(nr)->short_name,
			 "offset", (json_int_t)v->offset[nr], "size", (json_int_t)v->size[nr], "registers", regs);
}

/* ---- kind-specific fields -------------------------------------------------- */

/* Bytes 464..471 of ptrace and KVM buffers: the kernel's user XCR0. */
static json_t *xcr0_word_json(const uint8_t *b)
{
	uint64_t xcr0 = xs_ld64(b + SW_RESERVED_OFFSET);

	return json_pack("{s:o, s:o}", "xcr0", hexv(xcr0, 1), "xcr0_names", xfeature_names(xcr0));
}

/* struct _fpx_sw_bytes at 464 and FP_XSTATE_MAGIC2 after xstate_size. */
static json_t *sigframe_json(const uint8_t *b, size_t len)
{
	struct xs_fx_sw_bytes sw;
	bool magic2;

	memcpy(&sw, b + SW_RESERVED_OFFSET, sizeof(sw));
	magic2 = (size_t)sw.xstate_size + 4 <= len && xs_ld32(b + sw.xstate_size) == XS_FP_XSTATE_MAGIC2;
	return json_pack("{s:o, s:b, s:I, s:o, s:o, s:I, s:b}", "magic1", hexv(sw.magic1, 8), "magic1_ok",
			 sw.magic1 == XS_FP_XSTATE_MAGIC1, "extended_size", (json_int_t)sw.extended_size,
			 "xfeatures", hexv(sw.xfeatures, 1), "xfeatures_names", xfeature_names(sw.xfeatures),
			 "xstate_size", (json_int_t)sw.xstate_size, "magic2_present", magic2);
}

json_t *decode_buffer(const uint8_t *buf, size_t len, enum decode_kind kind,
		      const struct xs_buffer_view *view, unsigned flags)
{
	struct decode_ctx c = { buf, len, view, flags };
	json_t *doc, *comps = json_array();

	doc = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "kind", decode_kind_name(kind), "format",
			view->format == XS_BUF_COMPACTED ? "compacted" : "standard", "length", (json_int_t)len,
			"layout_size", (json_int_t)view->len, "xstate_bv", hexv(view->xstate_bv, 1),
			"xstate_bv_names", xfeature_names(view->xstate_bv), "xcomp_bv", hexv(view->xcomp_bv, 1),
			"xcomp_bv_names", xfeature_names(view->xcomp_bv & ~XS_XCOMP_BV_COMPACTED_FORMAT));
	if ((kind == DECODE_PTRACE || kind == DECODE_KVM || kind == DECODE_CORE) && len >= 472)
		json_object_set_new(doc, kind == DECODE_KVM ? "kvm" : "ptrace", xcr0_word_json(buf));
	if (kind == DECODE_SIGFRAME && len >= XS_FXSAVE_SIZE)
		json_object_set_new(doc, "sigframe", sigframe_json(buf, len));
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (view->present & XS_BIT(nr))
			json_array_append_new(comps, component_json(&c, nr));
	json_object_set_new(doc, "components", comps);
	return doc;
}

/* ---- kinds and views ----------------------------------------------------- */

static const char *const kind_names[] = {
	[DECODE_AUTO] = "auto", [DECODE_XSAVE] = "xsave", [DECODE_XSAVEC] = "xsavec",
	[DECODE_PTRACE] = "ptrace", [DECODE_SIGFRAME] = "sigframe", [DECODE_KVM] = "kvm",
	[DECODE_CORE] = "core",
};

int decode_kind_parse(const char *name, enum decode_kind *kind)
{
	for (unsigned k = DECODE_XSAVE; k <= DECODE_CORE; k++)
		if (!strcmp(name, kind_names[k])) {
			*kind = (enum decode_kind)k;
			return 0;
		}
	return -1;
}

const char *decode_kind_name(enum decode_kind kind)
{
	return (unsigned)kind <= DECODE_CORE ? kind_names[kind] : "?";
}

int decode_view(const xs_system *sys, enum decode_kind kind, const uint8_t *buf, size_t len,
		struct xs_buffer_view *view, struct xs_diag *diag)
{
	/* only XSAVEC/XSAVES write the compacted format; user ABIs are standard */
	bool forced = kind != DECODE_AUTO;
	enum xs_buf_format fmt = kind == DECODE_XSAVEC ? XS_BUF_COMPACTED : XS_BUF_STANDARD;

	return xs_buffer_view(sys, buf, len, forced, fmt, view, diag);
}

/* ---- text rendering ---------------------------------------------------------- */

static void render_value(FILE *f, const json_t *v);

static void render_object(FILE *f, const json_t *o)
{
	json_t *lead = json_object_get(o, "value"), *v;
	const char *key, *sep = "";

	/* {"value": x, "k": y} reads as "x  k=y" */
	if (lead) {
		render_value(f, lead);
		sep = "  ";
	}
	json_object_foreach((json_t *)o, key, v) {
		if (v == lead)
			continue;
		fprintf(f, "%s%s=", sep, key);
		render_value(f, v);
		sep = " ";
	}
}

static void render_value(FILE *f, const json_t *v)
{
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING: fputs(json_string_value(v), f); break;
	case JSON_INTEGER: fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_TRUE: fputs("yes", f); break;
	case JSON_FALSE: fputs("no", f); break;
	case JSON_OBJECT: render_object(f, v); break;
	case JSON_ARRAY:
		if (!json_array_size(v))
			fputc('-', f);
		json_array_foreach(v, i, e) {
			if (i)
				fputc(',', f);
			render_value(f, e);
		}
		break;
	default: fputc('-', f); break;
	}
}

/* A mask with its component names: "0x7 (x87,sse,avx)". */
static void render_mask(FILE *f, const char *label, const json_t *doc, const char *key,
			const char *names_key)
{
	fprintf(f, "%-11s %s (", label, json_string_value(json_object_get(doc, key)));
	render_value(f, json_object_get(doc, names_key));
	fputs(")\n", f);
}

static void render_fields(FILE *f, const char *title, const json_t *o)
{
	const char *key;
	json_t *v;

	if (!o)
		return;
	fprintf(f, "%s:\n", title);
	json_object_foreach((json_t *)o, key, v) {
		fprintf(f, "  %-16s ", key);
		render_value(f, v);
		fputc('\n', f);
	}
}

static void render_buffer(FILE *f, const json_t *doc)
{
	size_t i;
	json_t *c, *regs, *v;
	const char *key;

	fprintf(f, "%-11s %s, %s format\n", "kind:", json_string_value(json_object_get(doc, "kind")),
		json_string_value(json_object_get(doc, "format")));
	fprintf(f, "%-11s %" JSON_INTEGER_FORMAT " bytes (the layout needs %" JSON_INTEGER_FORMAT ")\n",
		"length:", json_integer_value(json_object_get(doc, "length")),
		json_integer_value(json_object_get(doc, "layout_size")));
	render_mask(f, "XSTATE_BV:", doc, "xstate_bv", "xstate_bv_names");
	render_mask(f, "XCOMP_BV:", doc, "xcomp_bv", "xcomp_bv_names");
	render_fields(f, "ptrace sw_reserved (bytes 464..511)", json_object_get(doc, "ptrace"));
	render_fields(f, "KVM sw_reserved (bytes 464..511)", json_object_get(doc, "kvm"));
	render_fields(f, "signal frame fx_sw_bytes", json_object_get(doc, "sigframe"));
	json_array_foreach(json_object_get(doc, "components"), i, c) {
		fprintf(f, "\ncomponent %" JSON_INTEGER_FORMAT " %s: offset %" JSON_INTEGER_FORMAT
			   ", %" JSON_INTEGER_FORMAT " bytes\n",
			json_integer_value(json_object_get(c, "index")),
			json_string_value(json_object_get(c, "name")),
			json_integer_value(json_object_get(c, "offset")),
			json_integer_value(json_object_get(c, "size")));
		regs = json_object_get(c, "registers");
		json_object_foreach(regs, key, v) {
			fprintf(f, "  %-12s ", key);
			render_value(f, v);
			fputc('\n', f);
		}
	}
}

static void render_core(FILE *f, const json_t *doc)
{
	const json_t *threads = json_object_get(doc, "threads"), *layout = json_object_get(doc, "xsave_layout");
	size_t i;
	json_t *t, *rec;

	fprintf(f, "core file: %zu thread%s with NT_X86_XSTATE; layout from %s\n", json_array_size(threads),
		json_array_size(threads) == 1 ? "" : "s",
		json_string_value(json_object_get(doc, "layout_source")));
	if (json_is_array(layout)) {
		fputs("NT_X86_XSAVE_LAYOUT:", f);
		json_array_foreach(layout, i, rec)
			fprintf(f, " %" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT "+%" JSON_INTEGER_FORMAT,
				json_integer_value(json_object_get(rec, "type")),
				json_integer_value(json_object_get(rec, "offset")),
				json_integer_value(json_object_get(rec, "size")));
		fputc('\n', f);
	}
	json_array_foreach(threads, i, t) {
		fprintf(f, "\n=== thread %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(t, "thread")));
		if (json_is_integer(json_object_get(t, "pid")))
			fprintf(f, ", pid %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(t, "pid")));
		fputs(" ===\n", f);
		render_buffer(f, json_object_get(t, "xstate"));
	}
}

int decode_render(FILE *f, const json_t *doc, bool as_json)
{
	if (as_json) {
		if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
			return -EIO;
		fputc('\n', f);
	} else if (!strcmp(json_string_value(json_object_get(doc, "kind")), "core")) {
		render_core(f, doc);
	} else {
		render_buffer(f, doc);
	}
	return ferror(f) ? -EIO : 0;
}
