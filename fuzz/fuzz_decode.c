// SPDX-License-Identifier: MIT
/*
 * xs_buffer_view() and the `xstate decode` printer on arbitrary bytes, for
 * three fixed CPU models; with libelf also the ELF core reader.
 *
 * Input: byte 0 bits 0..1 pick the model, bits 2..4 the kind (auto, xsave,
 * xsavec, ptrace, sigframe, kvm, core), bit 5 asks for tile bytes; the rest
 * is the file.
 *
 * Invariants: a view that succeeds lies inside the buffer (every present
 * component's bytes, and the layout length) and agrees with the header;
 * a failed one says why; the document lists exactly the present
 * components, renders as text and as JSON, and the JSON parses again.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_models.h"

static void check_view(const struct xs_buffer_view *v, const uint8_t *buf, size_t len)
{
	uint64_t bv, comp, present = xs_view_present(v);
	size_t vlen = xs_view_len(v);
	unsigned off, size;

	memcpy(&bv, buf + XS_XSAVE_HDR_OFFSET, 8);
	memcpy(&comp, buf + XS_XSAVE_HDR_OFFSET + 8, 8);
	FZ_CHECK(xs_view_xstate_bv(v) == bv && xs_view_xcomp_bv(v) == comp,
		 "the view's header differs from the buffer's");
	FZ_CHECK(vlen >= XS_XSAVE_LEGACY_AND_HDR && vlen <= len, "layout of %zu bytes in %zu", vlen, len);
	FZ_CHECK(!(present >> XS_XFEATURE_MAX), "present 0x%llx", (unsigned long long)present);
	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++)
		if (present & XS_BIT(nr))
			FZ_CHECK(xs_view_component(v, nr, &off, &size) && off + (size_t)size <= vlen,
				 "component %u outside the layout", nr);
}

/* Renders `doc` into memory; returns the bytes (caller frees). */
static char *rendered(const json_t *doc, bool as_json, size_t *n)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, n);

	if (!f)
		abort();
	FZ_CHECK(!decode_render(f, doc, as_json), "%s rendering failed", as_json ? "JSON" : "text");
	fclose(f);
	return out;
}

/* Text and JSON renderings; the JSON must parse back to the document. */
static void render(const json_t *doc)
{
	size_t n;
	char *text = rendered(doc, false, &n);
	json_t *again;

	free(text);
	text = rendered(doc, true, &n);
	again = json_loadb(text, n, 0, NULL);
	FZ_CHECK(again && json_equal(again, doc), "the JSON output does not parse back to the document");
	json_decref(again);
	free(text);
}

static void fuzz_buffer(const xs_system *sys, enum decode_kind kind, unsigned flags, const uint8_t *buf,
			size_t len)
{
	struct xs_buffer_view *v = xs_buffer_view_new();
	struct xs_diag d = { 0 };
	json_t *doc;

	if (!v)
		abort();
	if (decode_view(sys, kind, buf, len, v, &d)) {
		FZ_CHECK(d.msg[0] && memchr(d.msg, '\0', sizeof(d.msg)), "a refused view without a message");
		xs_buffer_view_free(v);
		return;
	}
	check_view(v, buf, len);
	FZ_CHECK(kind == DECODE_AUTO || (xs_view_format(v) == XS_BUF_COMPACTED) == (kind == DECODE_XSAVEC),
		 "kind %d gave format %d", (int)kind, (int)xs_view_format(v));
	doc = decode_buffer(buf, len, kind, v, flags);
	FZ_CHECK(json_array_size(json_object_get(doc, "components")) ==
			 (size_t)__builtin_popcountll(xs_view_present(v)),
		 "the document does not list exactly the present components");
	render(doc);
	json_decref(doc);
	xs_buffer_view_free(v);
}

static void fuzz_core(const xs_system *sys, unsigned flags, const uint8_t *file, size_t len)
{
	struct xs_diag d = { 0 };
	json_t *doc = NULL;

	if (decode_core(sys, file, len, flags, &doc, &d)) {
		FZ_CHECK(d.msg[0] && !doc, "a refused core without a message, or with a document");
		return;
	}
	FZ_CHECK(json_array_size(json_object_get(doc, "threads")) > 0, "a core document without threads");
	render(doc);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const xs_system *sys;
	enum decode_kind kind;
	unsigned flags;

	if (!size)
		return 0;
	sys = fz_system(fz_pick(data[0] & 3));
	kind = (enum decode_kind)(((data[0] >> 2) & 7) % (DECODE_CORE + 1));
	flags = data[0] & 0x20 ? DECODE_TILE_BYTES : 0;
	if (kind == DECODE_CORE)
		fuzz_core(sys, flags, data + 1, size - 1);
	else
		fuzz_buffer(sys, kind, flags, data + 1, size - 1);
	return 0;
}
