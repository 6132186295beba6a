/* SPDX-License-Identifier: MIT */
/*
 * The decode layer (src/decode/): any XSAVE buffer as named registers.
 * The walk's context, the helpers the per-component decoders fill
 * registers with (values.c) and the decoders (x87.c, vector.c, state.c),
 * which component has which being the component table's. Uses only
 * src/common/.
 */
#ifndef XS_DECODE_H
#define XS_DECODE_H

#include "common/common.h"

struct xs_decoder {
	const uint8_t *buf;
	size_t len;
	const struct xs_buffer_view *view;
	xs_reg_fn fn;
	void *ctx;
};

/* A fresh register of component nr named by the format. */
void dec_reg(struct xs_reg *r, unsigned nr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The next attribute slot, named key. */
struct xs_val *dec_attr(struct xs_reg *r, const char *key);
/* Hand a register to the caller's function. */
int dec_emit(const struct xs_decoder *d, const struct xs_reg *r);
/* A register of component nr holding one hex number of `digits` digits, handed over. */
int dec_emit_hex(const struct xs_decoder *d, unsigned nr, const char *name, uint64_t v, unsigned digits);
/* `count` vector registers of `width` bytes each from p, named name<first>.., handed over. */
int dec_emit_vectors(const struct xs_decoder *d, unsigned nr, const char *name, unsigned first,
		     const uint8_t *p, unsigned count, unsigned width);

void val_hex(struct xs_val *v, uint64_t u, unsigned digits);
void val_uint(struct xs_val *v, uint64_t u);
void val_bool(struct xs_val *v, bool b);
void val_text(struct xs_val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void val_vector(struct xs_val *v, const uint8_t *bytes, unsigned width);
void val_bytes(struct xs_val *v, const uint8_t *bytes, unsigned width);
/* Names of the set bits of u (names[i] for bit i; NULL: not shown), or "-". */
void val_bits(struct xs_val *v, uint64_t u, const char *const *names, unsigned n);

/* Does the view's component nr lie inside the buffer? */
bool dec_in_buffer(const struct xs_decoder *d, unsigned nr);
/* The bytes of component nr when the view has at least `need` of them in the buffer. */
const uint8_t *dec_part(const struct xs_decoder *d, unsigned nr, unsigned need);

/* Per decoder kind: p = the component's bytes, size = its size (>= the row's decode_min). */
int dec_x87(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_sse(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_ymm(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_opmask(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_zmm_hi256(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_hi16_zmm(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_bndregs(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_bndcsr(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_pkru(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
/* One 64-bit register per MSR of the component's row (PASID, CET_S), named after it. */
int dec_msrs(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_cet_u(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_tilecfg(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_tiledata(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);
int dec_apx(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size);

#endif
