// SPDX-License-Identifier: MIT
/*
 * xstate decode's output: a document of decode_buffer() or decode_core()
 * as JSON, or as text that says the same (every register a line, each
 * component under its header).
 */
#include <errno.h>
#include <string.h>

#include "decode.h"

static void render_value(FILE *f, const json_t *v);

static void render_object(FILE *f, const json_t *o)
{
	json_t *lead = json_object_get(o, "value"), *v;
	const char *key, *sep = "";

	/* {"value": x, "k": y} reads as "x  k=y" */
	if (lead) {
		render_value(f, lead);
		sep = "  ";
	}
	json_object_foreach((json_t *)o, key, v) {
		if (v == lead)
			continue;
		fprintf(f, "%s%s=", sep, key);
		render_value(f, v);
		sep = " ";
	}
}

static void render_value(FILE *f, const json_t *v)
{
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING: fputs(json_string_value(v), f); break;
	case JSON_INTEGER: fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_TRUE: fputs("yes", f); break;
	case JSON_FALSE: fputs("no", f); break;
	case JSON_OBJECT: render_object(f, v); break;
	case JSON_ARRAY:
		if (!json_array_size(v))
			fputc('-', f);
		json_array_foreach(v, i, e) {
			if (i)
				fputc(',', f);
			render_value(f, e);
		}
		break;
	default: fputc('-', f); break;
	}
}

/* A mask with its component names: "0x7 (x87,sse,avx)". */
static void render_mask(FILE *f, const char *label, const json_t *doc, const char *key,
			const char *names_key)
{
	fprintf(f, "%-11s %s (", label, json_string_value(json_object_get(doc, key)));
	render_value(f, json_object_get(doc, names_key));
	fputs(")\n", f);
}

static void render_fields(FILE *f, const char *title, const json_t *o)
{
	const char *key;
	json_t *v;

	if (!o)
		return;
	fprintf(f, "%s:\n", title);
	json_object_foreach((json_t *)o, key, v) {
		fprintf(f, "  %-16s ", key);
		render_value(f, v);
		fputc('\n', f);
	}
}

static void render_buffer(FILE *f, const json_t *doc)
{
	size_t i;
	json_t *c, *regs, *v;
	const char *key;

	fprintf(f, "%-11s %s, %s format\n", "kind:", json_string_value(json_object_get(doc, "kind")),
		json_string_value(json_object_get(doc, "format")));
	fprintf(f, "%-11s %" JSON_INTEGER_FORMAT " bytes (the layout needs %" JSON_INTEGER_FORMAT ")\n",
		"length:", json_integer_value(json_object_get(doc, "length")),
		json_integer_value(json_object_get(doc, "layout_size")));
	render_mask(f, "XSTATE_BV:", doc, "xstate_bv", "xstate_bv_names");
	render_mask(f, "XCOMP_BV:", doc, "xcomp_bv", "xcomp_bv_names");
	render_fields(f, "ptrace sw_reserved (bytes 464..511)", json_object_get(doc, "ptrace"));
	render_fields(f, "KVM sw_reserved (bytes 464..511)", json_object_get(doc, "kvm"));
	render_fields(f, "signal frame fx_sw_bytes", json_object_get(doc, "sigframe"));
	json_array_foreach(json_object_get(doc, "components"), i, c) {
		fprintf(f, "\ncomponent %" JSON_INTEGER_FORMAT " %s: offset %" JSON_INTEGER_FORMAT
			   ", %" JSON_INTEGER_FORMAT " bytes\n",
			json_integer_value(json_object_get(c, "index")),
			json_string_value(json_object_get(c, "name")),
			json_integer_value(json_object_get(c, "offset")),
			json_integer_value(json_object_get(c, "size")));
		regs = json_object_get(c, "registers");
		json_object_foreach(regs, key, v) {
			fprintf(f, "  %-12s ", key);
			render_value(f, v);
			fputc('\n', f);
		}
	}
}

static void render_core(FILE *f, const json_t *doc)
{
	const json_t *threads = json_object_get(doc, "threads"), *layout = json_object_get(doc, "xsave_layout");
	size_t i;
	json_t *t, *rec;

	fprintf(f, "core file: %zu thread%s with NT_X86_XSTATE; layout from %s\n", json_array_size(threads),
		json_array_size(threads) == 1 ? "" : "s",
		json_string_value(json_object_get(doc, "layout_source")));
	if (json_is_array(layout)) {
		fputs("NT_X86_XSAVE_LAYOUT:", f);
		json_array_foreach(layout, i, rec)
			fprintf(f, " %" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT "+%" JSON_INTEGER_FORMAT,
				json_integer_value(json_object_get(rec, "type")),
				json_integer_value(json_object_get(rec, "offset")),
				json_integer_value(json_object_get(rec, "size")));
		fputc('\n', f);
	}
	json_array_foreach(threads, i, t) {
		fprintf(f, "\n=== thread %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(t, "thread")));
		if (json_is_integer(json_object_get(t, "pid")))
			fprintf(f, ", pid %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(t, "pid")));
		fputs(" ===\n", f);
		render_buffer(f, json_object_get(t, "xstate"));
	}
}

int decode_render(FILE *f, const json_t *doc, bool as_json)
{
	if (as_json) {
		if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
			return -EIO;
		fputc('\n', f);
	} else if (!strcmp(json_string_value(json_object_get(doc, "kind")), "core")) {
		render_core(f, doc);
	} else {
		render_buffer(f, doc);
	}
	return ferror(f) ? -EIO : 0;
}
