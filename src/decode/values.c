// SPDX-License-Identifier: MIT
/*
 * What the component decoders fill registers with: values, registers and
 * their attributes, the hand-over to the caller, and a component's bytes
 * when the view has them. The lowest file of the decode layer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"

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

int dec_emit_hex(const struct xs_decoder *d, unsigned nr, const char *name, uint64_t v, unsigned digits)
{
	struct xs_reg r;

	dec_reg(&r, nr, "%s", name);
	val_hex(&r.value, v, digits);
	return dec_emit(d, &r);
}

int dec_emit_vectors(const struct xs_decoder *d, unsigned nr, const char *name, unsigned first,
		     const uint8_t *p, unsigned count, unsigned width)
{
	struct xs_reg r;
	int ret;

	for (unsigned i = 0; i < count; i++) {
		dec_reg(&r, nr, "%s%u", name, first + i);
		val_vector(&r.value, p + (size_t)width * i, width);
		if ((ret = dec_emit(d, &r)))
			return ret;
	}
	return 0;
}

bool dec_in_buffer(const struct xs_decoder *d, unsigned nr)
{
	const struct xs_buffer_view *v = d->view;

	return v->offset[nr] <= d->len && v->size[nr] <= d->len - v->offset[nr];
}

const uint8_t *dec_part(const struct xs_decoder *d, unsigned nr, unsigned need)
{
	const struct xs_buffer_view *v = d->view;

	if (!(v->present & XS_BIT(nr)) || !dec_in_buffer(d, nr) || v->size[nr] < need)
		return NULL;
	return d->buf + v->offset[nr];
}
