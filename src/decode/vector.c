// SPDX-License-Identifier: MIT
/*
 * The vector state as registers: YMM (component 2), the AVX-512 opmasks
 * (5), ZMM0..15's upper halves (6) and ZMM16..31 (7). A YMM or ZMM
 * register is shown whole when the components holding its lower parts are
 * present too; otherwise only the component's own part, under its own
 * name (ymm_hi128_N, zmm_hi256_N).
 */
#include <string.h>

#include "decode/decode.h"

/*
 * Register i of 16 assembled from its parts, lowest first: parts[k] holds
 * widths[k] bytes per register. The bytes go to the register's storage.
 */
static int combined_regs(const struct xs_decoder *d, unsigned nr, const char *name,
			 const uint8_t *const parts[], const unsigned widths[], unsigned nparts)
{
	struct xs_reg r;
	int ret;

	for (unsigned i = 0; i < 16; i++) {
		unsigned n = 0;

		dec_reg(&r, nr, "%s%u", name, i);
		for (unsigned k = 0; k < nparts; k++) {
			memcpy(r.storage + n, parts[k] + (size_t)widths[k] * i, widths[k]);
			n += widths[k];
		}
		val_vector(&r.value, r.storage, n);
		if ((ret = dec_emit(d, &r)))
			return ret;
	}
	return 0;
}

int dec_ymm(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	const uint8_t *parts[2] = { dec_part(d, XS_XFEATURE_SSE, 256), p };
	static const unsigned widths[2] = { 16, 16 };

	(void)size;
	if (!parts[0])
		return dec_emit_vectors(d, nr, "ymm_hi128_", 0, p, 16, 16);
	return combined_regs(d, nr, "ymm", parts, widths, 2);
}

int dec_zmm_hi256(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	const uint8_t *parts[3] = { dec_part(d, XS_XFEATURE_SSE, 256), dec_part(d, XS_XFEATURE_YMM, 256), p };
	static const unsigned widths[3] = { 16, 16, 32 };

	(void)size;
	if (!parts[0] || !parts[1])
		return dec_emit_vectors(d, nr, "zmm_hi256_", 0, p, 16, 32);
	return combined_regs(d, nr, "zmm", parts, widths, 3);
}

int dec_hi16_zmm(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	(void)size;
	return dec_emit_vectors(d, nr, "zmm", 16, p, 16, 64);
}

int dec_opmask(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	struct xs_reg r;
	int ret;

	(void)size;
	for (unsigned i = 0; i < 8; i++) {
		dec_reg(&r, nr, "k%u", i);
		val_hex(&r.value, xs_ld64(p + 8 * i), 16);
		if ((ret = dec_emit(d, &r)))
			return ret;
	}
	return 0;
}
