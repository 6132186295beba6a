// SPDX-License-Identifier: MIT
/*
 * Any XSAVE buffer as named registers: the walk over a buffer view and the
 * decoder of each component (x87.c, vector.c, state.c; which one is the
 * component table's) — the top of the decode layer. The value helpers the
 * decoders share are values.c's.
 *
 * Bounds: a component is decoded only when offset + size lie inside the
 * buffer and its size reaches what its decoder reads; smaller or unknown
 * ones are given as their raw bytes.
 */
#include <errno.h>
#include <string.h>

#include "decode/decode.h"

/* ---- the walk --------------------------------------------------------------- */

/*
 * The decoder of each kind; which kind a component has, and the bytes it
 * reads (xsave-isa.md §1.1, §2, §9), are its row's (decoder, decode_min).
 */
static int (*const decoders[XS_DEC_COUNT])(const struct xs_decoder *d, unsigned nr, const uint8_t *p,
					    unsigned size) = {
	[XS_DEC_X87] = dec_x87,
	[XS_DEC_SSE] = dec_sse,
	[XS_DEC_YMM] = dec_ymm,
	[XS_DEC_BNDREGS] = dec_bndregs,
	[XS_DEC_BNDCSR] = dec_bndcsr,
	[XS_DEC_OPMASK] = dec_opmask,
	[XS_DEC_ZMM_HI256] = dec_zmm_hi256,
	[XS_DEC_HI16_ZMM] = dec_hi16_zmm,
	[XS_DEC_PKRU] = dec_pkru,
	[XS_DEC_MSRS] = dec_msrs,
	[XS_DEC_CET_U] = dec_cet_u,
	[XS_DEC_TILECFG] = dec_tilecfg,
	[XS_DEC_TILEDATA] = dec_tiledata,
	[XS_DEC_APX] = dec_apx,
};

static int decode_one(const struct xs_decoder *d, unsigned nr)
{
	const struct xs_buffer_view *v = d->view;
	const struct xs_component *c;
	const uint8_t *p;
	struct xs_reg r;

	if (nr >= XS_XFEATURE_MAX || !(v->present & XS_BIT(nr)))
		return -ENOENT;
	if (!dec_in_buffer(d, nr))
		return -ERANGE;
	/* SSE reads MXCSR from the legacy area too */
	if (nr == XS_XFEATURE_SSE && d->len < XS_FXSAVE_SIZE)
		return -ERANGE;
	p = d->buf + v->offset[nr];
	c = xs_component(nr);
	if (decoders[c->decoder] && v->size[nr] >= c->decode_min)
		return decoders[c->decoder](d, nr, p, v->size[nr]);
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
