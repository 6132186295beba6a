/* SPDX-License-Identifier: MIT */
/*
 * Private to the register decoder (src/decode*.c): the walk's context and
 * the helpers the per-component decoders fill registers with.
 */
#ifndef XS_DECODE_IMPL_H
#define XS_DECODE_IMPL_H

#include "xstate.h"

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

void val_hex(struct xs_val *v, uint64_t u, unsigned digits);
void val_uint(struct xs_val *v, uint64_t u);
void val_bool(struct xs_val *v, bool b);
void val_text(struct xs_val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void val_vector(struct xs_val *v, const uint8_t *bytes, unsigned width);
void val_bytes(struct xs_val *v, const uint8_t *bytes, unsigned width);
/* Names of the set bits of u (names[i] for bit i; NULL: not shown), or "-". */
void val_bits(struct xs_val *v, uint64_t u, const char *const *names, unsigned n);

/* The bytes of component nr when the view has at least `need` of them in the buffer. */
const uint8_t *dec_part(const struct xs_decoder *d, unsigned nr, unsigned need);

/* Per component: p = its bytes, size = its size (>= the decoder's minimum). */
int dec_x87(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_sse(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_ymm(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_opmask(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_zmm_hi256(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_hi16_zmm(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_bndregs(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_bndcsr(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_pkru(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_pasid(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_cet_u(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_cet_s(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_tilecfg(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_tiledata(const struct xs_decoder *d, const uint8_t *p, unsigned size);
int dec_apx(const struct xs_decoder *d, const uint8_t *p, unsigned size);

#endif
