// SPDX-License-Identifier: MIT
/*
 * xstate decode of an ELF core: the library reads the core (xs_core_*:
 * headers and notes only) and lays each thread's NT_X86_XSTATE out; this
 * makes the document, one entry per thread, each decoded like any buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"

static json_t *layout_json(const xs_core *core)
{
	const struct xs_xfeat_component *r;
	unsigned n = xs_core_layout(core, &r);
	json_t *a;

	if (!r)
		return json_null();
	a = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:I, s:I}", "type", (json_int_t)r[i].type, "size",
						   (json_int_t)r[i].size, "offset", (json_int_t)r[i].offset, "flags",
						   (json_int_t)r[i].flags));
	return a;
}

/* Thread i's entry: {thread, pid, xstate}. */
static int thread_json(const xs_system *sys, const xs_core *core, unsigned i, unsigned flags, json_t **out,
		       struct xs_diag *diag)
{
	const struct xs_core_thread *t = xs_core_thread(core, i);
	uint8_t *buf = malloc(t->xstate_size ? t->xstate_size : 1);
	struct xs_buffer_view *v = xs_buffer_view_new();
	struct xs_diag d = { 0 };
	int ret = buf && v ? 0 : xs_diag_fail(&d, -ENOMEM, "out of memory");

	if (!ret)
		ret = xs_core_read_xstate(core, i, buf, t->xstate_size, &d);
	if (!ret)
		ret = xs_core_view(core, sys, buf, t->xstate_size, v, &d);
	if (!ret)
		*out = json_pack("{s:i, s:o, s:o}", "thread", (int)t->index, "pid",
				 t->has_pid ? json_integer(t->pid) : json_null(), "xstate",
				 decode_buffer(buf, t->xstate_size, DECODE_CORE, v, flags));
	free(buf);
	xs_buffer_view_free(v);
	return ret ? xs_diag_fail(diag, ret, "thread %u: %.400s", t->index, d.msg) : 0;
}

int decode_core_doc(const xs_system *sys, const xs_core *core, unsigned flags, json_t **doc,
		    struct xs_diag *diag)
{
	const struct xs_xfeat_component *recs;
	bool has_layout = xs_core_layout(core, &recs) || recs;
	json_t *threads, *t;
	int ret = 0;

	if (!has_layout && !sys)
		return xs_diag_fail(diag, -EINVAL, "no NT_X86_XSAVE_LAYOUT note and no CPU model to lay the buffers out");
	threads = json_array();
	for (unsigned i = 0; !ret && i < xs_core_nthreads(core); i++)
		if (!(ret = thread_json(sys, core, i, flags, &t, diag)))
			json_array_append_new(threads, t);
	if (ret) {
		json_decref(threads);
		return ret;
	}
	*doc = json_pack("{s:s, s:s, s:o, s:o}", "kind", "core", "layout_source",
			 has_layout ? "NT_X86_XSAVE_LAYOUT" : "CPU model", "xsave_layout", layout_json(core), "threads",
			 threads);
	return 0;
}

int decode_core(const xs_system *sys, const uint8_t *file, size_t len, unsigned flags,
		json_t **doc, struct xs_diag *diag)
{
	xs_core *core;
	int ret = xs_core_open_memory(&core, file, len, diag);

	if (ret)
		return ret;
	ret = decode_core_doc(sys, core, flags, doc, diag);
	xs_core_close(core);
	return ret;
}
