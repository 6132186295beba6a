/* SPDX-License-Identifier: MIT */
/*
 * Little-endian loads and stores of buffer fields at any alignment: XSAVE
 * images are byte arrays (x86 is little-endian, memcpy keeps UBSan happy).
 * Shared by the library, the tool, the fuzz targets and the tests.
 */
#ifndef XS_LE_H
#define XS_LE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t xs_ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t xs_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t xs_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void xs_st16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }
static inline void xs_st32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static inline void xs_st64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

#endif
