/* SPDX-License-Identifier: MIT */
/*
 * xstate decode: an XSAVE buffer (or the xstate notes of an ELF core) as
 * registers. The library decodes (xs_decode_component, xs_core_*); this
 * builds a JSON document with stable keys from what it returns, and the
 * text output is a rendering of that same document, so both formats always
 * say the same thing.
 *
 * This file and decode_print.c (the document), decode_render.c (its
 * printing) and decode_core.c (core files) use only libxstate's public
 * header (and the byte helpers le.h), xfeature_names.c and jansson (no
 * cli.h), so the fuzz targets can link them directly.
 */
#ifndef XS_DECODE_H
#define XS_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "xstate.h"

/* What the buffer is; it decides the format and the extra fields shown. */
enum decode_kind {
	DECODE_AUTO,		/* format from XCOMP_BV bit 63 */
	DECODE_XSAVE,		/* standard */
	DECODE_XSAVEC,		/* compacted */
	DECODE_PTRACE,		/* standard + the XCR0 word at 464 */
	DECODE_SIGFRAME,	/* standard + fx_sw_bytes and MAGIC2 */
	DECODE_KVM,		/* standard + the XCR0 word at 464 */
	DECODE_CORE		/* an ELF core file */
};

/* Add the bytes of tile data (large) to the document. */
#define DECODE_TILE_BYTES 1u

/* "ptrace" -> DECODE_PTRACE; -1 for an unknown name. */
int decode_kind_parse(const char *name, enum decode_kind *kind);
const char *decode_kind_name(enum decode_kind kind);

/*
 * Lay out `buf` for the CPU of `sys` (xs_buffer_view with the format the
 * kind implies). -EINVAL with a message in diag.
 */
int decode_view(const xs_system *sys, enum decode_kind kind, const uint8_t *buf, size_t len,
		struct xs_buffer_view *view, struct xs_diag *diag);

/*
 * The document for one buffer: kind, format, length, xstate_bv, xcomp_bv,
 * kind-specific fields and `components` (every component XSTATE_BV marks
 * present, with its registers). `view` must describe `buf` (offsets and
 * sizes within `len`; the decoder checks again and never reads beyond).
 */
json_t *decode_buffer(const uint8_t *buf, size_t len, enum decode_kind kind,
		      const struct xs_buffer_view *view, unsigned flags);

/*
 * The document for an ELF core (the library's xs_core_*): every thread's
 * NT_X86_XSTATE decoded, laid out by the NT_X86_XSAVE_LAYOUT note when
 * there is one, else by `sys` (may be NULL: then the note is required).
 * 0, or a negative errno with a message. decode_core reads an image in
 * memory.
 */
int decode_core(const xs_system *sys, const uint8_t *file, size_t len, unsigned flags,
		json_t **doc, struct xs_diag *diag);
/* The same for a core already open (xs_core_open_fd). */
int decode_core_doc(const xs_system *sys, const xs_core *core, unsigned flags, json_t **doc,
		    struct xs_diag *diag);

/* Print a document from decode_buffer() or decode_core(); 0 or -EIO. */
int decode_render(FILE *f, const json_t *doc, bool as_json);

#endif
