/* SPDX-License-Identifier: MIT */
/*
 * Byte moves in 32-byte AVX loads and stores, for copies of a few hundred
 * bytes whose cost beyond a memcpy is what they add in stores and
 * instructions (src/linux/uabi.c's planned copies): no call to the C
 * library per piece, no 16-byte moves, moves that may overlap at a piece's
 * end instead of loops over what is left. Every function carries
 * target("avx"): call them only where xs_host_has_avx() said yes.
 * Empty asm statements keep the compiler from turning the loops back into
 * memcpy/memset calls; they emit no instruction.
 */
#ifndef XS_COMMON_WIDE_H
#define XS_COMMON_WIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/le.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define XS_HAVE_WIDE 1
#define WIDE __attribute__((target("avx")))

/* The host's CPUID as libgcc recorded it before main (read only). */
static inline bool xs_host_has_avx(void)
{
	return __builtin_cpu_supports("avx");
}

/* An empty asm that may change i: the compiler can no longer see a loop of stores as memset. */
#define OPAQUE(i) __asm__("" : "+r"(i))

WIDE static inline __m256i ld32(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

WIDE static inline void st32(uint8_t *p, __m256i v)
{
	_mm256_storeu_si256((__m256i *)(void *)p, v);
}

WIDE static inline __m128i ld16(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

WIDE static inline void st16(uint8_t *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)p, v);
}

/*
 * Keeps the compiler from turning a copy loop back into a call to memcpy:
 * the values pass through an empty asm (no instruction), so the loop is no
 * longer a plain copy, and its indexing stays as written.
 */
#define KEEP4(a, b, c, d) __asm__("" : "+x"(a), "+x"(b), "+x"(c), "+x"(d))
#define KEEP1(a) __asm__("" : "+x"(a))

/* 128 bytes: four loads, then four stores (as the C library's loop). */
WIDE static inline void copy128(uint8_t *d, const uint8_t *s)
{
	__m256i a = ld32(s), b = ld32(s + 32), c = ld32(s + 64), e = ld32(s + 96);

	KEEP4(a, b, c, e);
	st32(d, a);
	st32(d + 32, b);
	st32(d + 64, c);
	st32(d + 96, e);
}

/*
 * n >= 8 bytes between buffers that do not overlap, in moves that may
 * overlap at the end (rather than a loop for what is left): 128 at a time
 * and the last 128 again from n - 128; 2 or 4 of 32 under 128; 2 of 16 or
 * 8 under 32. The sizes components have (64, 128, 256, 512, 1024, 8192 and
 * their sums) waste no store or a few.
 */
WIDE static inline void copy_wide(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n >= 128) {
		uint8_t *dl = d + n - 128;
		const uint8_t *sl = s + n - 128;

		for (; d < dl; d += 128, s += 128)
			copy128(d, s);
		copy128(dl, sl);
	} else if (n > 64) {
		__m256i a = ld32(s), b = ld32(s + 32), c = ld32(s + n - 64), e = ld32(s + n - 32);

		st32(d, a);
		st32(d + 32, b);
		st32(d + n - 64, c);
		st32(d + n - 32, e);
	} else if (n >= 32) {
		__m256i a = ld32(s), b = ld32(s + n - 32);

		st32(d, a);
		st32(d + n - 32, b);
	} else if (n >= 16) {
		__m128i a = ld16(s), b = ld16(s + n - 16);

		st16(d, a);
		st16(d + n - 16, b);
	} else {
		uint64_t a = xs_ld64(s), b = xs_ld64(s + n - 8);

		xs_st64(d, a);
		xs_st64(d + n - 8, b);
	}
}

/* The legacy area up to its padding (416 bytes: every plan's first piece), in 13 moves. */
WIDE static inline void copy_legacy(uint8_t *d, const uint8_t *s)
{
	copy128(d, s);
	copy128(d + 128, s + 128);
	copy128(d + 256, s + 256);
	st32(d + 384, ld32(s + 384));
}

/* n >= 8 zero bytes, in the moves of copy_wide(). */
WIDE static inline void zero_wide(uint8_t *d, size_t n)
{
	const __m256i z = _mm256_setzero_si256();

	if (n >= 128) {
		uint8_t *dl = d + n - 128;

		for (; d < dl; d += 128) {
			__m256i v = z;

			KEEP1(v);	/* not zeros to the compiler: no memset call */
			st32(d, v);
			st32(d + 32, v);
			st32(d + 64, v);
			st32(d + 96, v);
		}
		st32(dl, z);
		st32(dl + 32, z);
		st32(dl + 64, z);
		st32(dl + 96, z);
	} else if (n > 64) {
		st32(d, z);
		st32(d + 32, z);
		st32(d + n - 64, z);
		st32(d + n - 32, z);
	} else if (n >= 32) {
		st32(d, z);
		st32(d + n - 32, z);
	} else if (n >= 16) {
		st16(d, _mm_setzero_si128());
		st16(d + n - 16, _mm_setzero_si128());
	} else {
		xs_st64(d, 0);
		xs_st64(d + n - 8, 0);
	}
}

#endif /* __x86_64__ && __GNUC__ */

#endif
