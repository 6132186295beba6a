// SPDX-License-Identifier: MIT
/*
 * xstate decode: one XSAVE buffer as a JSON document (header, kind-specific
 * fields, and every present component's registers as the library decodes
 * them, xs_decode_component). decode_render.c prints such documents.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "xfeature_names.h"
#include "le.h"

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

/* ---- registers from the library ------------------------------------------- */

static json_t *val_json(const struct xs_val *v)
{
	json_t *a;

	switch (v->type) {
	case XS_VAL_HEX: return hexv(v->u, v->width);
	case XS_VAL_UINT: return json_integer((json_int_t)v->u);
	case XS_VAL_BOOL: return json_boolean(v->u);
	case XS_VAL_TEXT: return json_string(v->text);
	case XS_VAL_VECTOR: return hex_bytes(v->bytes, v->width, true);
	case XS_VAL_BYTES: return hex_bytes(v->bytes, v->width, false);
	case XS_VAL_LIST:
		a = json_array();
		for (unsigned i = 0; i < v->width && i < sizeof(v->list) / sizeof(v->list[0]); i++)
			json_array_append_new(a, json_integer(v->list[i]));
		return a;
	default: return json_null();
	}
}

static const struct xs_val *attr(const struct xs_reg *r, const char *key)
{
	for (unsigned i = 0; i < r->nattrs; i++)
		if (!strcmp(r->attrs[i].key, key))
			return &r->attrs[i].val;
	return NULL;
}

/* A tile: its bytes in JSON (DECODE_TILE_BYTES), else a short sentence. */
static json_t *tile_json(const struct xs_reg *r, unsigned flags)
{
	const struct xs_val *nonzero = attr(r, "nonzero"), *set = attr(r, "bytes_set");

	if (flags & DECODE_TILE_BYTES)
		return json_pack("{s:b, s:I, s:o}", "nonzero", nonzero && nonzero->u, "bytes_set",
				 (json_int_t)(set ? set->u : 0), "hex",
				 hex_bytes(r->value.bytes, r->value.width, false));
	if (set && set->u)
		return json_sprintf("non-zero (%llu of %u bytes set)", (unsigned long long)set->u, r->value.width);
	return json_string("all zero");
}

/* A register: its value, or {"value": …, attribute: …} when it has attributes. */
static json_t *reg_json(const struct xs_reg *r, unsigned flags)
{
	json_t *o;

	if (r->component == XS_XFEATURE_XTILE_DATA && r->value.type == XS_VAL_BYTES)
		return tile_json(r, flags);
	if (!r->nattrs)
		return val_json(&r->value);
	o = json_object();
	if (r->value.type != XS_VAL_NONE)
		json_object_set_new(o, "value", val_json(&r->value));
	for (unsigned i = 0; i < r->nattrs; i++)
		json_object_set_new(o, r->attrs[i].key, val_json(&r->attrs[i].val));
	return o;
}

struct regs_ctx {
	json_t *regs;
	unsigned flags;
};

static int add_reg(void *ctx, const struct xs_reg *r)
{
	struct regs_ctx *c = ctx;

	json_object_set_new(c->regs, r->name, reg_json(r, c->flags));
	return 0;
}

static json_t *component_json(const uint8_t *buf, size_t len, const struct xs_buffer_view *v, unsigned nr,
			      unsigned flags)
{
	struct regs_ctx c = { json_object(), flags };
	unsigned offset = 0, size = 0;

	xs_view_component(v, nr, &offset, &size);
	if (xs_decode_component(buf, len, v, nr, add_reg, &c) == -ERANGE)
		json_object_set_new(c.regs, "error", json_string("the component lies outside the buffer"));
	return json_pack("{s:i, s:s, s:I, s:I, s:o}", "index", (int)nr, "name", xs_xfeature_info(nr)->short_name,
			 "offset", (json_int_t)offset, "size", (json_int_t)size, "registers", c.regs);
}

/* ---- kind-specific fields -------------------------------------------------- */

/* Bytes 464..471 of ptrace and KVM buffers: the kernel's user XCR0. */
static json_t *xcr0_word_json(const uint8_t *b)
{
	uint64_t xcr0 = xs_ld64(b + XS_SW_BYTES_OFFSET);

	return json_pack("{s:o, s:o}", "xcr0", hexv(xcr0, 1), "xcr0_names", xfeature_names_json(xcr0));
}

/* struct _fpx_sw_bytes at 464 and FP_XSTATE_MAGIC2 after xstate_size. */
static json_t *sigframe_json(const uint8_t *b, size_t len)
{
	struct xs_fx_sw_bytes sw;
	bool magic2;

	memcpy(&sw, b + XS_SW_BYTES_OFFSET, sizeof(sw));
	magic2 = (size_t)sw.xstate_size + 4 <= len && xs_ld32(b + sw.xstate_size) == XS_FP_XSTATE_MAGIC2;
	return json_pack("{s:o, s:b, s:I, s:o, s:o, s:I, s:b}", "magic1", hexv(sw.magic1, 8), "magic1_ok",
			 sw.magic1 == XS_FP_XSTATE_MAGIC1, "extended_size", (json_int_t)sw.extended_size,
			 "xfeatures", hexv(sw.xfeatures, 1), "xfeatures_names", xfeature_names_json(sw.xfeatures),
			 "xstate_size", (json_int_t)sw.xstate_size, "magic2_present", magic2);
}

json_t *decode_buffer(const uint8_t *buf, size_t len, enum decode_kind kind,
		      const struct xs_buffer_view *view, unsigned flags)
{
	uint64_t xstate_bv = xs_view_xstate_bv(view), xcomp_bv = xs_view_xcomp_bv(view);
	json_t *doc, *comps = json_array();

	doc = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "kind", decode_kind_name(kind), "format",
			xs_view_format(view) == XS_BUF_COMPACTED ? "compacted" : "standard", "length", (json_int_t)len,
			"layout_size", (json_int_t)xs_view_len(view), "xstate_bv", hexv(xstate_bv, 1),
			"xstate_bv_names", xfeature_names_json(xstate_bv), "xcomp_bv", hexv(xcomp_bv, 1),
			"xcomp_bv_names", xfeature_names_json(xcomp_bv & ~XS_XCOMP_BV_COMPACTED_FORMAT));
	if ((kind == DECODE_PTRACE || kind == DECODE_KVM || kind == DECODE_CORE) && len >= XS_SW_BYTES_OFFSET + 8)
		json_object_set_new(doc, kind == DECODE_KVM ? "kvm" : "ptrace", xcr0_word_json(buf));
	if (kind == DECODE_SIGFRAME && len >= XS_FXSAVE_SIZE)
		json_object_set_new(doc, "sigframe", sigframe_json(buf, len));
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (xs_view_present(view) & XS_BIT(nr))
			json_array_append_new(comps, component_json(buf, len, view, nr, flags));
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
