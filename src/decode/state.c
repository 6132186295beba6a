// SPDX-License-Identifier: MIT
/*
 * The non-vector state as registers: MPX (components 3, 4), PKRU (9),
 * PASID (10), CET user and supervisor (11, 12), AMX tile configuration
 * and data (17, 18) and the APX registers R16..R31 (19) — field layouts
 * of xsave-isa.md §1.1 and §9.
 */
#include <ctype.h>
#include <stdio.h>

#include "decode/decode.h"

int dec_bndregs(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	struct xs_reg r;
	int ret;

	(void)size;
	/* as stored: the upper bound is kept in one's complement form */
	for (unsigned i = 0; i < 4; i++) {
		dec_reg(&r, nr, "bnd%u", i);
		val_hex(dec_attr(&r, "lower"), xs_ld64(p + 16 * i), 16);
		val_hex(dec_attr(&r, "upper"), xs_ld64(p + 16 * i + 8), 16);
		if ((ret = dec_emit(d, &r)))
			return ret;
	}
	return 0;
}

int dec_bndcsr(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	static const char *const cfg[2] = { "EN", "BNDPRESERVE" };
	uint64_t bndcfgu = xs_ld64(p);
	struct xs_reg r;
	int ret;

	(void)size;
	dec_reg(&r, nr, "bndcfgu");
	val_hex(&r.value, bndcfgu, 16);
	val_bits(dec_attr(&r, "bits"), bndcfgu, cfg, 2);
	val_hex(dec_attr(&r, "base"), bndcfgu & ~UINT64_C(0xfff), 16);
	if ((ret = dec_emit(d, &r)))
		return ret;
	return dec_emit_hex(d, nr, "bndstatus", xs_ld64(p + 8), 16);
}

/* The protection keys whose bit `which` (0: AD, 1: WD) is set in PKRU. */
static void pkru_keys(struct xs_val *v, uint32_t pkru, unsigned which)
{
	v->type = XS_VAL_LIST;
	v->width = 0;
	for (unsigned key = 0; key < 16; key++)
		if (pkru & (1u << (2 * key + which)))
			v->list[v->width++] = (uint16_t)key;
}

int dec_pkru(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	uint32_t pkru = xs_ld32(p);
	struct xs_reg r;
	int ret;

	(void)size;
	if ((ret = dec_emit_hex(d, nr, "pkru", pkru, 8)))
		return ret;
	dec_reg(&r, nr, "access_disabled");
	pkru_keys(&r.value, pkru, 0);
	if ((ret = dec_emit(d, &r)))
		return ret;
	dec_reg(&r, nr, "write_disabled");
	pkru_keys(&r.value, pkru, 1);
	return dec_emit(d, &r);
}

/* An MSR's register name: the SDM's name in lower case ("ia32_pl0_ssp"). */
static const char *msr_reg_name(const struct xs_component_msr *msr, char *buf, size_t size)
{
	size_t i = 0;

	for (; msr->name[i] && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)msr->name[i]);
	buf[i] = '\0';
	return buf;
}

/* The component's MSRs of its row (PASID: IA32_PASID; CET_S: IA32_PL0..2_SSP), 8 bytes each. */
static int emit_msrs(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned first)
{
	const struct xs_component *c = xs_component(nr);
	char name[sizeof(((struct xs_reg *)0)->name)];
	int ret;

	for (unsigned i = first; i < xs_component_nmsrs(c); i++)
		if ((ret = dec_emit_hex(d, nr, msr_reg_name(&c->msrs[i], name, sizeof(name)), xs_ld64(p + 8 * i),
					16)))
			return ret;
	return 0;
}

int dec_msrs(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	(void)size;
	return emit_msrs(d, nr, p, 0);
}

/* IA32_U_CET with its bits, then IA32_PL3_SSP: the row's two MSRs. */
int dec_cet_u(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	static const char *const bits[12] = { "SH_STK_EN", "WR_SHSTK_EN", "ENDBR_EN", "LEG_IW_EN",
					      "NO_TRACK_EN", "SUPPRESS_DIS", NULL, NULL, NULL, NULL,
					      "SUPPRESS", "TRACKER" };
	uint64_t cet = xs_ld64(p);
	char name[sizeof(((struct xs_reg *)0)->name)];
	struct xs_reg r;
	int ret;

	(void)size;
	dec_reg(&r, nr, "%s", msr_reg_name(&xs_component(nr)->msrs[0], name, sizeof(name)));
	val_hex(&r.value, cet, 16);
	val_bits(dec_attr(&r, "bits"), cet, bits, 12);
	val_hex(dec_attr(&r, "legacy_bitmap"), cet & ~UINT64_C(0xfff), 16);
	if ((ret = dec_emit(d, &r)))
		return ret;
	return emit_msrs(d, nr, p, 1);
}

/* Eight numbers of TILECFG, 1 or 2 bytes each (one per tile). */
static int emit_tile_list(const struct xs_decoder *d, const char *name, const uint8_t *p, unsigned width)
{
	struct xs_reg r;

	dec_reg(&r, XS_XFEATURE_XTILE_CFG, "%s", name);
	r.value.type = XS_VAL_LIST;
	r.value.width = 8;
	for (unsigned n = 0; n < 8; n++)
		r.value.list[n] = width == 2 ? xs_ld16(p + 2 * n) : p[n];
	return dec_emit(d, &r);
}

static int emit_uint(const struct xs_decoder *d, unsigned nr, const char *name, uint64_t v)
{
	struct xs_reg r;

	dec_reg(&r, nr, "%s", name);
	val_uint(&r.value, v);
	return dec_emit(d, &r);
}

/* TILECFG: palette, start_row, then colsb[8] at 16 and rows[8] at 48. */
int dec_tilecfg(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	int ret;

	(void)size;
	if ((ret = emit_uint(d, nr, "palette", p[0])) ||
	    (ret = emit_uint(d, nr, "start_row", p[1])) ||
	    (ret = emit_tile_list(d, "colsb", p + 16, 2)))
		return ret;
	return emit_tile_list(d, "rows", p + 48, 1);
}

/* TMM0..7, 1 KiB each: the bytes, whether any is set and how many. */
int dec_tiledata(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	struct xs_reg r;
	int ret;

	for (unsigned t = 0; t < size / 1024; t++) {
		const uint8_t *tile = p + 1024u * t;
		unsigned set = 0;

		for (unsigned i = 0; i < 1024; i++)
			set += tile[i] != 0;
		dec_reg(&r, nr, "tmm%u", t);
		val_bytes(&r.value, tile, 1024);
		val_bool(dec_attr(&r, "nonzero"), set != 0);
		val_uint(dec_attr(&r, "bytes_set"), set);
		if ((ret = dec_emit(d, &r)))
			return ret;
	}
	return 0;
}

int dec_apx(const struct xs_decoder *d, unsigned nr, const uint8_t *p, unsigned size)
{
	char name[8];
	int ret;

	(void)size;
	for (unsigned i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "r%u", 16 + i);
		if ((ret = dec_emit_hex(d, nr, name, xs_ld64(p + 8 * i), 16)))
			return ret;
	}
	return 0;
}
