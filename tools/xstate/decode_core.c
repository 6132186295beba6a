// SPDX-License-Identifier: MIT
/*
 * xstate decode --kind core: the extended state of every thread of an ELF
 * core file. Linux writes, per thread, NT_PRSTATUS ("CORE") followed by
 * its other regsets, among them NT_X86_XSTATE ("LINUX", the ptrace
 * buffer); once per process it adds NT_X86_XSAVE_LAYOUT ("LINUX", records
 * {type, size, offset, flags} for each extended component; xstate.c
 * dump_xsave_layout_desc), which lets a reader lay the buffers out without
 * knowing the CPU that wrote them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

static int core_error(struct xs_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int core_error(struct xs_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		d->line = 0;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#ifdef XS_HAVE_LIBELF

#include <gelf.h>
#include <libelf.h>

#define NT_PRSTATUS_TYPE 1u
#define NT_X86_XSTATE_TYPE 0x202u
#define NT_X86_XSAVE_LAYOUT_TYPE 0x205u
#define LAYOUT_RECORD_SIZE 16u	/* struct x86_xfeat_component */

/* pr_pid in struct elf_prstatus: after pr_info, pr_cursig, pr_sigpend, pr_sighold. */
#define PRSTATUS_PID_OFFSET_64 32u
#define PRSTATUS_PID_OFFSET_32 24u

struct note {
	uint32_t type;
	bool linux_owner, core_owner;
	const uint8_t *desc;
	size_t size;
};

struct core {
	const xs_system *sys;
	unsigned flags;
	size_t pid_offset;
	struct note *notes;
	size_t nnotes, cap;
	const struct note *layout;	/* NT_X86_XSAVE_LAYOUT, or NULL */
	struct xs_diag *diag;
};

static bool owner_is(const uint8_t *name, size_t namesz, const char *owner)
{
	return namesz == strlen(owner) + 1 && !memcmp(name, owner, namesz);
}

static int add_note(struct core *c, const GElf_Nhdr *nh, const uint8_t *name, const uint8_t *desc)
{
	if (c->nnotes == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct note *n = realloc(c->notes, cap * sizeof(*n));

		if (!n)
			return core_error(c->diag, "out of memory reading the notes");
		c->notes = n;
		c->cap = cap;
	}
	c->notes[c->nnotes++] = (struct note){ nh->n_type, owner_is(name, nh->n_namesz, "LINUX"),
					       owner_is(name, nh->n_namesz, "CORE"), desc, nh->n_descsz };
	return 0;
}

/* Every note of one PT_NOTE segment (libelf bounds each note by the segment). */
static int read_segment(Elf *e, struct core *c, const GElf_Phdr *ph, size_t file_len, size_t idx)
{
	Elf_Data *data;
	GElf_Nhdr nh;
	size_t off = 0, next, name_off, desc_off;

	if (ph->p_offset > file_len || ph->p_filesz > file_len - ph->p_offset)
		return core_error(c->diag, "PT_NOTE segment %zu (offset %llu, %llu bytes) goes beyond the end of the file (%zu bytes)",
				  idx, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz, file_len);
	data = elf_getdata_rawchunk(e, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!data)
		return core_error(c->diag, "PT_NOTE segment %zu cannot be read: %s", idx, elf_errmsg(-1));
	while (off < data->d_size && (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const uint8_t *base = data->d_buf;

		/* belt and braces: the note must lie inside the segment's bytes */
		if (name_off + nh.n_namesz > data->d_size || desc_off + nh.n_descsz > data->d_size)
			return core_error(c->diag, "a note in PT_NOTE segment %zu runs past the segment", idx);
		if (add_note(c, &nh, base + name_off, base + desc_off))
			return -ENOMEM;
		off = next;
	}
	return 0;
}

static int read_notes(Elf *e, struct core *c, size_t file_len)
{
	GElf_Phdr ph;
	size_t n;
	int ret;

	if (elf_getphdrnum(e, &n))
		return core_error(c->diag, "the program headers cannot be read: %s", elf_errmsg(-1));
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(e, (int)i, &ph))
			return core_error(c->diag, "program header %zu cannot be read: %s", i, elf_errmsg(-1));
		if (ph.p_type == PT_NOTE && (ret = read_segment(e, c, &ph, file_len, i)))
			return ret;
	}
	return 0;
}

/* An x86 core, in the byte order of x86. */
static int check_header(Elf *e, struct core *c)
{
	GElf_Ehdr eh;

	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return core_error(c->diag, "not an ELF file");
	if (eh.e_type != ET_CORE)
		return core_error(c->diag, "an ELF file, but not a core dump (e_type %u)", eh.e_type);
	if (eh.e_machine != EM_X86_64 && eh.e_machine != EM_386)
		return core_error(c->diag, "a core dump for machine %u, not x86", eh.e_machine);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return core_error(c->diag, "a big-endian core dump: x86 cores are little-endian");
	c->pid_offset = eh.e_ident[EI_CLASS] == ELFCLASS64 ? PRSTATUS_PID_OFFSET_64 : PRSTATUS_PID_OFFSET_32;
	return 0;
}

/* ---- the layout note ---------------------------------------------------- */

static uint32_t rec32(const struct note *n, size_t rec, unsigned field)
{
	uint32_t v;

	memcpy(&v, n->desc + rec * LAYOUT_RECORD_SIZE + 4 * field, 4);
	return v;
}

static json_t *layout_json(const struct note *n)
{
	json_t *a = json_array();

	for (size_t r = 0; r < n->size / LAYOUT_RECORD_SIZE; r++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:I, s:I}", "type", (json_int_t)rec32(n, r, 0),
						   "size", (json_int_t)rec32(n, r, 1), "offset",
						   (json_int_t)rec32(n, r, 2), "flags", (json_int_t)rec32(n, r, 3)));
	return a;
}

/* Offset and size of component nr from the layout records; false if absent. */
static bool layout_find(const struct note *n, unsigned nr, unsigned *offset, unsigned *size)
{
	for (size_t r = 0; r < n->size / LAYOUT_RECORD_SIZE; r++) {
		if (rec32(n, r, 0) != nr)
			continue;
		*size = rec32(n, r, 1);
		*offset = rec32(n, r, 2);
		return true;
	}
	return false;
}

/* What xs_buffer_view() does for a standard buffer, with the note's offsets. */
static int layout_view(const struct core *c, unsigned thread, const struct note *x,
		       struct xs_buffer_view *v)
{
	unsigned off, size;

	memset(v, 0, sizeof(*v));
	v->format = XS_BUF_STANDARD;
	memcpy(&v->xstate_bv, x->desc + XS_XSAVE_HDR_OFFSET, 8);
	memcpy(&v->xcomp_bv, x->desc + XS_XSAVE_HDR_OFFSET + 8, 8);
	if (v->xcomp_bv)
		return core_error(c->diag, "thread %u: XCOMP_BV is 0x%llx; NT_X86_XSTATE holds a standard-format buffer",
				  thread, (unsigned long long)v->xcomp_bv);
	v->present = v->xstate_bv;
	v->len = XS_XSAVE_LEGACY_AND_HDR;
	v->size[XS_XFEATURE_FP] = 160;
	v->offset[XS_XFEATURE_SSE] = 160;
	v->size[XS_XFEATURE_SSE] = 256;
	for (unsigned nr = 2; nr < 64; nr++) {
		if (!(v->xstate_bv & XS_BIT(nr)))
			continue;
		if (nr >= XS_XFEATURE_MAX || !layout_find(c->layout, nr, &off, &size))
			return core_error(c->diag, "thread %u: XSTATE_BV bit %u has no record in NT_X86_XSAVE_LAYOUT",
					  thread, nr);
		if (off > x->size || size > x->size - off)
			return core_error(c->diag, "thread %u: component %u (offset %u, %u bytes) lies beyond the %zu-byte NT_X86_XSTATE note",
					  thread, nr, off, size, x->size);
		v->offset[nr] = off;
		v->size[nr] = size;
		if (off + (size_t)size > v->len)
			v->len = off + (size_t)size;
	}
	return 0;
}

/* ---- threads ----------------------------------------------------------------- */

static int thread_json(const struct core *c, const struct note *x, unsigned thread, const struct note *prstatus,
		       json_t *threads)
{
	struct xs_buffer_view v;
	struct xs_diag d = { 0 };
	uint32_t pid;
	json_t *t;
	int ret;

	if (x->size < XS_XSAVE_LEGACY_AND_HDR)
		return core_error(c->diag, "thread %u: the NT_X86_XSTATE note has %zu bytes; an XSAVE buffer has at least 576",
				  thread, x->size);
	if (c->layout)
		ret = layout_view(c, thread, x, &v);
	else if ((ret = decode_view(c->sys, DECODE_PTRACE, x->desc, x->size, &v, &d)))
		core_error(c->diag, "thread %u: %.400s", thread, d.msg);
	if (ret)
		return ret;
	t = json_pack("{s:i}", "thread", (int)thread);
	if (prstatus && prstatus->size >= c->pid_offset + 4) {
		memcpy(&pid, prstatus->desc + c->pid_offset, 4);
		json_object_set_new(t, "pid", json_integer(pid));
	} else {
		json_object_set_new(t, "pid", json_null());
	}
	json_object_set_new(t, "xstate", decode_buffer(x->desc, x->size, DECODE_CORE, &v, c->flags));
	json_array_append_new(threads, t);
	return 0;
}

/* Each NT_X86_XSTATE belongs to the thread whose NT_PRSTATUS came last. */
static int threads_json(const struct core *c, json_t *threads)
{
	const struct note *prstatus = NULL;
	unsigned thread = 0;
	int ret;

	for (size_t i = 0; i < c->nnotes; i++) {
		const struct note *n = &c->notes[i];

		if (n->core_owner && n->type == NT_PRSTATUS_TYPE) {
			prstatus = n;
			thread++;
		} else if (n->linux_owner && n->type == NT_X86_XSTATE_TYPE &&
			   (ret = thread_json(c, n, thread, prstatus, threads))) {
			return ret;
		}
	}
	if (!json_array_size(threads))
		return core_error(c->diag, "no NT_X86_XSTATE (0x202) note: the core holds no extended state");
	return 0;
}

static int find_layout(struct core *c)
{
	for (size_t i = 0; i < c->nnotes; i++) {
		const struct note *n = &c->notes[i];

		if (!n->linux_owner || n->type != NT_X86_XSAVE_LAYOUT_TYPE)
			continue;
		if (n->size % LAYOUT_RECORD_SIZE)
			return core_error(c->diag, "the NT_X86_XSAVE_LAYOUT note has %zu bytes, not a multiple of %u",
					  n->size, LAYOUT_RECORD_SIZE);
		c->layout = n;
	}
	if (!c->layout && !c->sys)
		return core_error(c->diag, "no NT_X86_XSAVE_LAYOUT note and no CPU model to lay the buffers out");
	return 0;
}

static json_t *core_doc(const struct core *c, json_t *threads)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "kind", "core", "layout_source",
			 c->layout ? "NT_X86_XSAVE_LAYOUT" : "CPU model", "xsave_layout",
			 c->layout ? layout_json(c->layout) : json_null(), "threads", threads);
}

int decode_core(const xs_system *sys, const uint8_t *file, size_t len, unsigned flags,
		json_t **doc, struct xs_diag *diag)
{
	struct core c = { .sys = sys, .flags = flags, .diag = diag };
	/* libelf may convert the image in place: give it a private copy */
	char *image = malloc(len ? len : 1);
	json_t *threads = json_array();
	Elf *e = NULL;
	int ret;

	if (!image || !threads) {
		ret = core_error(diag, "out of memory");
		goto out;
	}
	memcpy(image, file, len);
	elf_version(EV_CURRENT);
	e = elf_memory(image, len);
	ret = e ? check_header(e, &c) : core_error(diag, "not an ELF file: %s", elf_errmsg(-1));
	if (!ret)
		ret = read_notes(e, &c, len);
	if (!ret)
		ret = find_layout(&c);
	if (!ret)
		ret = threads_json(&c, threads);
	if (!ret) {
		*doc = core_doc(&c, threads);
		threads = NULL;
	}
out:
	json_decref(threads);
	if (e)
		elf_end(e);
	free(c.notes);
	free(image);
	return ret;
}

#else /* !XS_HAVE_LIBELF */

int decode_core(const xs_system *sys, const uint8_t *file, size_t len, unsigned flags,
		json_t **doc, struct xs_diag *diag)
{
	(void)sys;
	(void)file;
	(void)len;
	(void)flags;
	(void)doc;
	core_error(diag, "--kind core needs libelf, and this xstate was built without it "
			 "(install libelf-dev and rebuild)");
	return -EOPNOTSUPP;
}

#endif
