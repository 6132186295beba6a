// SPDX-License-Identifier: MIT
/*
 * Any XSAVE buffer as named registers: the walk over a buffer view, the
 * decoder of each component (decode_x87.c, decode_vector.c,
 * decode_state.c) and the value helpers they share.
 *
 * Bounds: a component is decoded only when offset + size lie inside the
 * buffer and its size reaches what its decoder reads; smaller or unknown
 * ones are given as their raw bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode_impl.h"

/* ---- values ----------------------------------------------------------------- */

void val_hex(struct xs_val *v, uint64_t u, unsigned digits)
{
	v->type = XS_VAL_HEX;
	v->u = u;
	v->width = digits;
}

void val_uint(struct xs_val *v, uint64_t u)
{
	v->type = XS_VAL_UINT;
	v->u = u;
}

void val_bool(struct xs_val *v, bool b)
{
	v->type = XS_VAL_BOOL;
	v->u = b;
}

void val_text(struct xs_val *v, const char *fmt, ...)
{
	va_list ap;

	v->type = XS_VAL_TEXT;
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
}

void val_vector(struct xs_val *v, const uint8_t *bytes, unsigned width)
{
	v->type = XS_VAL_VECTOR;
	v->bytes = bytes;
	v->width = width;
}

void val_bytes(struct xs_val *v, const uint8_t *bytes, unsigned width)
{
	v->type = XS_VAL_BYTES;
	v->bytes = bytes;
	v->width = width;
}

void val_bits(struct xs_val *v, uint64_t u, const char *const *names, unsigned n)
{
	size_t len = 0;

	v->type = XS_VAL_TEXT;
	v->text[0] = '\0';
	for (unsigned i = 0; i < n && len < sizeof(v->text); i++)
		if (names[i] && (u & XS_BIT(i)))
			len += (size_t)snprintf(v->text + len, sizeof(v->text) - len, "%s%s", len ? "," : "",
						names[i]);
	if (!v->text[0])
		snprintf(v->text, sizeof(v->text), "-");
}

/* ---- registers -------------------------------------------------------------- */

void dec_reg(struct xs_reg *r, unsigned nr, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->component = nr;
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
}

struct xs_val *dec_attr(struct xs_reg *r, const char *key)
{
	struct xs_reg_attr *a = &r->attrs[r->nattrs < XS_REG_MAX_ATTRS ? r->nattrs++ : XS_REG_MAX_ATTRS - 1];

	a->key = key;
	return &a->val;
}

int dec_emit(const struct xs_decoder *d, const struct xs_reg *r)
{
	return d->fn(d->ctx, r);
}

static bool in_buffer(const struct xs_decoder *d, unsigned nr)
{
	const struct xs_buffer_view *v = d->view;

	return v->offset[nr] <= d->len && v->size[nr] <= d->len - v->offset[nr];
}

const uint8_t *dec_part(const struct xs_decoder *d, unsigned nr, unsigned need)
{
	const struct xs_buffer_view *v = d->view;

	if (!(v->present & XS_BIT(nr)) || !in_buffer(d, nr) || v->size[nr] < need)
		return NULL;
	return d->buf + v->offset[nr];
}

/* ---- the walk --------------------------------------------------------------- */

/* Each decoder and the bytes it reads (xsave-isa.md §1.1, §2, §9). */
static const struct {
	int (*fn)(const struct xs_decoder *d, const uint8_t *p, unsigned size);
	unsigned min_size;
} decoders[XS_XFEATURE_MAX] = {
	[XS_XFEATURE_FP] = { dec_x87, 160 },
	[XS_XFEATURE_SSE] = { dec_sse, 256 },
	[XS_XFEATURE_YMM] = { dec_ymm, 256 },
	[XS_XFEATURE_BNDREGS] = { dec_bndregs, 64 },
	[XS_XFEATURE_BNDCSR] = { dec_bndcsr, 16 },
	[XS_XFEATURE_OPMASK] = { dec_opmask, 64 },
	[XS_XFEATURE_ZMM_Hi256] = { dec_zmm_hi256, 512 },
	[XS_XFEATURE_Hi16_ZMM] = { dec_hi16_zmm, 1024 },
	[XS_XFEATURE_PKRU] = { dec_pkru, 4 },
	[XS_XFEATURE_PASID] = { dec_pasid, 8 },
	[XS_XFEATURE_CET_USER] = { dec_cet_u, 16 },
	[XS_XFEATURE_CET_KERNEL] = { dec_cet_s, 24 },
	[XS_XFEATURE_XTILE_CFG] = { dec_tilecfg, 64 },
	[XS_XFEATURE_XTILE_DATA] = { dec_tiledata, 1024 },
	[XS_XFEATURE_APX] = { dec_apx, 128 },
};

static int decode_one(const struct xs_decoder *d, unsigned nr)
{
	const struct xs_buffer_view *v = d->view;
	const uint8_t *p;
	struct xs_reg r;

	if (nr >= XS_XFEATURE_MAX || !(v->present & XS_BIT(nr)))
		return -ENOENT;
	if (!in_buffer(d, nr))
		return -ERANGE;
	/* SSE reads MXCSR from the legacy area too */
	if (nr == XS_XFEATURE_SSE && d->len < XS_FXSAVE_SIZE)
		return -ERANGE;
	p = d->buf + v->offset[nr];
	if (decoders[nr].fn && v->size[nr] >= decoders[nr].min_size)
		return decoders[nr].fn(d, p, v->size[nr]);
	dec_reg(&r, nr, "bytes");
	val_bytes(&r.value, p, v->size[nr]);
	return dec_emit(d, &r);
}

int xs_decode_component(const void *buf, size_t len, const struct xs_buffer_view *view, unsigned nr,
			xs_reg_fn fn, void *ctx)
{
	const struct xs_decoder d = { buf, len, view, fn, ctx };

	return decode_one(&d, nr);
}

int xs_decode_registers(const void *buf, size_t len, const struct xs_buffer_view *view, xs_reg_fn fn,
			void *ctx)
{
	const struct xs_decoder d = { buf, len, view, fn, ctx };
	int ret, outside = 0;

	/* a component outside the buffer does not hide the others */
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(view->present & XS_BIT(nr)))
			continue;
		ret = decode_one(&d, nr);
		if (ret == -ERANGE)
			outside = ret;
		else if (ret)
			return ret;
	}
	return outside;
}

/* ---- one register by name ---------------------------------------------------- */

struct find {
	const char *name;
	struct xs_reg *out;
};

/* Re-point a value that refers to the decoder's register storage at the copy's. */
static void fix_bytes(struct xs_val *v, const struct xs_reg *from, struct xs_reg *to)
{
	if (v->bytes >= from->storage && v->bytes < from->storage + sizeof(from->storage))
		v->bytes = to->storage + (v->bytes - from->storage);
}

static int find_one(void *ctx, const struct xs_reg *r)
{
	struct find *f = ctx;

	if (strcmp(r->name, f->name))
		return 0;
	*f->out = *r;
	fix_bytes(&f->out->value, r, f->out);
	for (unsigned i = 0; i < r->nattrs; i++)
		fix_bytes(&f->out->attrs[i].val, r, f->out);
	return 1;
}

int xs_decode_register(const void *buf, size_t len, const struct xs_buffer_view *view, const char *name,
		       struct xs_reg *out)
{
	struct find f = { name, out };

	return xs_decode_registers(buf, len, view, find_one, &f) == 1 ? 0 : -ENOENT;
}
