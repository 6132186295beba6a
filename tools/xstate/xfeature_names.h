/* SPDX-License-Identifier: MIT */
/*
 * A mask of state components as their names, the one way every part of
 * the tool writes one (text lists, JSON arrays). Uses only libxstate and
 * jansson (no cli.h), so the decode printer and the fuzz targets share it.
 */
#ifndef XS_XFEATURE_NAMES_H
#define XS_XFEATURE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Component nr's short name ("avx"), or "bitN" for a bit Linux does not know. */
const char *xfeature_name(unsigned nr, char buf[16]);
/* "x87,sse,avx"; "-" for an empty mask. */
const char *xfeature_list(uint64_t mask, char *buf, size_t size);
/* ["x87", "sse", "avx"] */
json_t *xfeature_names_json(uint64_t mask);
/* [{"index": 0, "name": "x87"}, ...] */
json_t *xfeature_index_json(uint64_t mask);

#endif
