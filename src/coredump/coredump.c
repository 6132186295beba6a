// SPDX-License-Identifier: MIT
/*
 * ELF core files: every thread's NT_X86_XSTATE note and the process's
 * NT_X86_XSAVE_LAYOUT, found by reading the ELF header, the program
 * headers and the note headers of the PT_NOTE segments — nothing else.
 * The bytes come through the caller's read function (coredump_fd.c for a
 * file descriptor); a small window keeps consecutive note headers in one
 * read, so memory stays a window plus one record per thread whatever the
 * core's size.
 *
 * Formats: ELF (gABI), the Linux note layout (4-byte aligned name and
 * descriptor), struct elf_prstatus (pr_pid after pr_info, pr_cursig,
 * pr_sigpend, pr_sighold) and struct x86_xfeat_component (uapi asm/elf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coredump/coredump.h"

#define WINDOW_SIZE 65536u
#define EI_NIDENT 16u
#define ELFCLASS32 1u
#define ELFCLASS64 2u
#define ELFDATA2LSB 1u
#define ET_CORE 4u
#define EM_386 3u
#define EM_X86_64 62u
#define PT_NOTE 4u
#define PN_XNUM 0xffffu
#define NOTE_HEADER 12u		/* n_namesz, n_descsz, n_type: 32-bit in both classes */
#define PRSTATUS_PID_OFFSET_64 32u
#define PRSTATUS_PID_OFFSET_32 24u
#define LAYOUT_RECORD 16u

struct xs_core {
	xs_core_read_fn read;
	void *ctx;
	uint64_t size;
	bool is64;
	unsigned pid_offset;
	struct xs_core_thread *threads;
	unsigned nthreads, cap;
	unsigned nlayout;
	bool has_layout;
	struct xs_xfeat_component layout[XS_CORE_LAYOUT_MAX];
	uint64_t win_off;
	size_t win_len;
	uint8_t win[WINDOW_SIZE];
};

/* ---- reading ---------------------------------------------------------------- */

static bool within(const struct xs_core *c, uint64_t off, uint64_t len)
{
	return off <= c->size && len <= c->size - off;
}

static int raw_read(const struct xs_core *c, void *buf, size_t len, uint64_t off, struct xs_diag *d)
{
	int ret = c->read(c->ctx, buf, len, off);

	if (ret)
		return xs_diag_fail(d, ret < 0 ? ret : -EIO, "reading %zu bytes at offset %llu: %s", len,
				    (unsigned long long)off, strerror(ret < 0 ? -ret : EIO));
	return 0;
}

/* len bytes at off (the caller checked they are in the file), through the window. */
static int core_read(struct xs_core *c, void *buf, size_t len, uint64_t off, struct xs_diag *d)
{
	int ret;

	if (!within(c, off, len))
		return xs_diag_fail(d, -EINVAL, "%zu bytes at offset %llu lie beyond the end of the file (%llu bytes)", len,
				    (unsigned long long)off, (unsigned long long)c->size);
	if (len > WINDOW_SIZE)
		return raw_read(c, buf, len, off, d);
	if (off < c->win_off || off + len > c->win_off + c->win_len) {
		size_t n = c->size - off < WINDOW_SIZE ? (size_t)(c->size - off) : WINDOW_SIZE;

		c->win_len = 0;
		if ((ret = raw_read(c, c->win, n, off, d)))
			return ret;
		c->win_off = off;
		c->win_len = n;
	}
	memcpy(buf, c->win + (off - c->win_off), len);
	return 0;
}

/* ---- the ELF header ------------------------------------------------------------ */

bool xs_core_is_core(const void *head, size_t len)
{
	const uint8_t *h = head;

	return len >= 18 && !memcmp(h, "\177ELF", 4) && xs_ld16(h + 16) == ET_CORE &&
	       (h[4] == ELFCLASS32 || h[4] == ELFCLASS64) && h[5] == ELFDATA2LSB;
}

struct ehdr {
	uint64_t phoff, shoff;
	unsigned phentsize, phnum;
};

static int check_header(struct xs_core *c, struct ehdr *e, struct xs_diag *d)
{
	uint8_t h[64] = { 0 };
	unsigned type, machine;
	int ret;

	if (c->size < 52 || (ret = core_read(c, h, c->size < 64 ? 52 : 64, 0, d)) ||
	    memcmp(h, "\177ELF", 4))
		return c->size < 52 ? xs_diag_fail(d, -EINVAL, "not an ELF file (%llu bytes)", (unsigned long long)c->size)
				    : ret ? ret : xs_diag_fail(d, -EINVAL, "not an ELF file");
	if (h[4] != ELFCLASS32 && h[4] != ELFCLASS64)
		return xs_diag_fail(d, -EINVAL, "ELF class %u: neither 32- nor 64-bit", h[4]);
	type = xs_ld16(h + 16);
	machine = xs_ld16(h + 18);
	if (type != ET_CORE)
		return xs_diag_fail(d, -EINVAL, "an ELF file, but not a core dump (e_type %u)", type);
	if (machine != EM_X86_64 && machine != EM_386)
		return xs_diag_fail(d, -EINVAL, "a core dump for machine %u, not x86", machine);
	if (h[5] != ELFDATA2LSB)
		return xs_diag_fail(d, -EINVAL, "a big-endian core dump: x86 cores are little-endian");
	c->is64 = h[4] == ELFCLASS64;
	if (c->is64 && c->size < 64)
		return xs_diag_fail(d, -EINVAL, "a 64-bit ELF header needs 64 bytes, the file has %llu",
				    (unsigned long long)c->size);
	c->pid_offset = c->is64 ? PRSTATUS_PID_OFFSET_64 : PRSTATUS_PID_OFFSET_32;
	e->phoff = c->is64 ? xs_ld64(h + 32) : xs_ld32(h + 28);
	e->shoff = c->is64 ? xs_ld64(h + 40) : xs_ld32(h + 32);
	e->phentsize = xs_ld16(h + (c->is64 ? 54 : 42));
	e->phnum = xs_ld16(h + (c->is64 ? 56 : 44));
	if (e->phentsize < (c->is64 ? 56u : 32u))
		return xs_diag_fail(d, -EINVAL, "e_phentsize %u is smaller than a program header (%u bytes)", e->phentsize,
				    c->is64 ? 56u : 32u);
	return 0;
}

/* More than 65534 segments: the count is in section header 0's sh_info (gABI). */
static int extended_phnum(struct xs_core *c, struct ehdr *e, struct xs_diag *d)
{
	uint8_t info[4];
	uint64_t at = e->shoff + (c->is64 ? 44 : 28);
	int ret;

	if (e->phnum != PN_XNUM)
		return 0;
	if (!e->shoff || !within(c, at, 4))
		return xs_diag_fail(d, -EINVAL, "e_phnum is PN_XNUM but section header 0 (offset %llu) is not in the file",
				    (unsigned long long)e->shoff);
	if ((ret = core_read(c, info, 4, at, d)))
		return ret;
	e->phnum = xs_ld32(info);
	return 0;
}

/* ---- notes ------------------------------------------------------------------------ */

static int add_thread(struct xs_core *c, const struct xs_core_thread *t, struct xs_diag *d)
{
	if (c->nthreads == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 16;
		struct xs_core_thread *n = realloc(c->threads, cap * sizeof(*n));

		if (!n)
			return xs_diag_fail(d, -ENOMEM, "out of memory for %u threads", c->nthreads);
		c->threads = n;
		c->cap = cap;
	}
	c->threads[c->nthreads++] = *t;
	return 0;
}

static int read_layout(struct xs_core *c, uint64_t off, uint32_t size, struct xs_diag *d)
{
	uint8_t rec[LAYOUT_RECORD];
	int ret;

	if (size % LAYOUT_RECORD)
		return xs_diag_fail(d, -EINVAL, "the NT_X86_XSAVE_LAYOUT note has %u bytes, not a multiple of %u", size,
				    LAYOUT_RECORD);
	if (size / LAYOUT_RECORD > XS_CORE_LAYOUT_MAX)
		return xs_diag_fail(d, -EINVAL, "the NT_X86_XSAVE_LAYOUT note has %u records; there are at most %u components",
				    size / LAYOUT_RECORD, XS_CORE_LAYOUT_MAX);
	c->nlayout = size / LAYOUT_RECORD;
	c->has_layout = true;
	for (unsigned i = 0; i < c->nlayout; i++) {
		if ((ret = core_read(c, rec, sizeof(rec), off + (uint64_t)i * LAYOUT_RECORD, d)))
			return ret;
		c->layout[i] = (struct xs_xfeat_component){ xs_ld32(rec), xs_ld32(rec + 4), xs_ld32(rec + 8),
							    xs_ld32(rec + 12) };
	}
	return 0;
}

/* One note: what it is decides what is read of it. */
struct note {
	uint32_t namesz, descsz, type;
	char name[8];		/* the owner when it is that short, else "" */
	uint64_t desc;		/* file offset of the descriptor */
};

static bool owner_is(const struct note *n, const char *owner)
{
	return n->namesz == strlen(owner) + 1 && !strcmp(n->name, owner);
}

static int use_note(struct xs_core *c, const struct note *n, struct xs_core_thread *cur, struct xs_diag *d)
{
	uint8_t pid[4];
	int ret;

	if (owner_is(n, "CORE") && n->type == XS_NT_PRSTATUS) {
		*cur = (struct xs_core_thread){ .index = cur->index + 1 };
		if (n->descsz >= c->pid_offset + 4) {
			if ((ret = core_read(c, pid, 4, n->desc + c->pid_offset, d)))
				return ret;
			cur->has_pid = true;
			cur->pid = xs_ld32(pid);
		}
		return 0;
	}
	if (!owner_is(n, "LINUX"))
		return 0;
	if (n->type == XS_NT_X86_XSAVE_LAYOUT)
		return read_layout(c, n->desc, n->descsz, d);
	if (n->type != XS_NT_X86_XSTATE)
		return 0;
	if (n->descsz > XS_CORE_XSTATE_MAX)
		return xs_diag_fail(d, -EINVAL, "thread %u: the NT_X86_XSTATE note has %u bytes, more than any XSAVE buffer (%u)",
				    cur->index, n->descsz, XS_CORE_XSTATE_MAX);
	cur->xstate_offset = n->desc;
	cur->xstate_size = n->descsz;
	return add_thread(c, cur, d);
}

/* Every note of the segment [off, off + len). */
static int walk_notes(struct xs_core *c, unsigned seg, uint64_t off, uint64_t len, unsigned align,
		      struct xs_core_thread *cur, struct xs_diag *d)
{
	uint64_t at = off, end = off + len;
	uint8_t h[NOTE_HEADER];
	struct note n;
	int ret;

	while (end - at >= NOTE_HEADER) {
		if ((ret = core_read(c, h, NOTE_HEADER, at, d)))
			return ret;
		n = (struct note){ xs_ld32(h), xs_ld32(h + 4), xs_ld32(h + 8), "", 0 };
		n.desc = XS_ALIGN(at + NOTE_HEADER + n.namesz, (uint64_t)align);
		if (n.desc > end || n.descsz > end - n.desc)
			return xs_diag_fail(d, -EINVAL, "a note at offset %llu (name %u bytes, descriptor %u) runs past PT_NOTE segment %u",
					    (unsigned long long)at, n.namesz, n.descsz, seg);
		if (n.namesz && n.namesz <= sizeof(n.name) &&
		    (ret = core_read(c, n.name, n.namesz, at + NOTE_HEADER, d)))
			return ret;
		n.name[sizeof(n.name) - 1] = '\0';
		if ((ret = use_note(c, &n, cur, d)))
			return ret;
		at = XS_ALIGN(n.desc + n.descsz, (uint64_t)align);
		if (at > end)
			break;
	}
	return 0;
}

/* Program header i: every PT_NOTE segment's notes. */
static int read_segment(struct xs_core *c, const struct ehdr *e, unsigned i, struct xs_core_thread *cur,
			struct xs_diag *d)
{
	uint8_t ph[56];
	uint64_t off, filesz, align;
	int ret;

	if ((ret = core_read(c, ph, c->is64 ? 56 : 32, e->phoff + (uint64_t)i * e->phentsize, d)))
		return ret;
	if (xs_ld32(ph) != PT_NOTE)
		return 0;
	off = c->is64 ? xs_ld64(ph + 8) : xs_ld32(ph + 4);
	filesz = c->is64 ? xs_ld64(ph + 32) : xs_ld32(ph + 16);
	align = c->is64 ? xs_ld64(ph + 48) : xs_ld32(ph + 28);
	if (!within(c, off, filesz))
		return xs_diag_fail(d, -EINVAL, "PT_NOTE segment %u (offset %llu, %llu bytes) goes beyond the end of the file (%llu bytes)",
				    i, (unsigned long long)off, (unsigned long long)filesz, (unsigned long long)c->size);
	/* Linux pads notes to 4 bytes in both classes; 8 only where the segment says so */
	return walk_notes(c, i, off, filesz, align == 8 ? 8 : 4, cur, d);
}

static int read_notes(struct xs_core *c, struct xs_diag *d)
{
	struct xs_core_thread cur = { 0 };
	struct ehdr e = { 0 };	/* gcc -O2 cannot see that check_header() fills it on success */
	int ret;

	if ((ret = check_header(c, &e, d)) || (ret = extended_phnum(c, &e, d)))
		return ret;
	if (!within(c, e.phoff, (uint64_t)e.phnum * e.phentsize))
		return xs_diag_fail(d, -EINVAL, "the %u program headers at offset %llu go beyond the end of the file (%llu bytes)",
				    e.phnum, (unsigned long long)e.phoff, (unsigned long long)c->size);
	for (unsigned i = 0; i < e.phnum; i++)
		if ((ret = read_segment(c, &e, i, &cur, d)))
			return ret;
	if (!c->nthreads)
		return xs_diag_fail(d, -EINVAL, "no NT_X86_XSTATE (0x202) note: the core holds no extended state");
	return 0;
}

/* ---- the public calls --------------------------------------------------------------- */

int xs_core_open(xs_core **core, uint64_t size, xs_core_read_fn read, void *ctx, struct xs_diag *diag)
{
	struct xs_core *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return xs_diag_fail(diag, -ENOMEM, "out of memory");
	c->read = read;
	c->ctx = ctx;
	c->size = size;
	ret = read_notes(c, diag);
	if (ret) {
		xs_core_close(c);
		return ret;
	}
	*core = c;
	return 0;
}

static int memory_read(void *ctx, void *buf, size_t len, uint64_t offset)
{
	memcpy(buf, (const uint8_t *)ctx + offset, len);
	return 0;
}

int xs_core_open_memory(xs_core **core, const void *image, size_t len, struct xs_diag *diag)
{
	return xs_core_open(core, len, memory_read, (void *)(uintptr_t)image, diag);
}

void xs_core_close(xs_core *core)
{
	if (!core)
		return;
	free(core->threads);
	free(core);
}

unsigned xs_core_nthreads(const xs_core *core)
{
	return core->nthreads;
}

const struct xs_core_thread *xs_core_thread(const xs_core *core, unsigned i)
{
	return i < core->nthreads ? &core->threads[i] : NULL;
}

unsigned xs_core_layout(const xs_core *core, const struct xs_xfeat_component **recs)
{
	*recs = core->has_layout ? core->layout : NULL;
	return core->has_layout ? core->nlayout : 0;
}

int xs_core_read_xstate(const xs_core *core, unsigned i, void *buf, size_t len, struct xs_diag *diag)
{
	const struct xs_core_thread *t = xs_core_thread(core, i);

	if (!t)
		return xs_diag_fail(diag, -ENOENT, "the core has %u threads with NT_X86_XSTATE, not %u", core->nthreads, i + 1);
	if (len < t->xstate_size)
		return xs_diag_fail(diag, -ENOSPC, "thread %u: NT_X86_XSTATE has %u bytes, the buffer %zu", t->index,
				    t->xstate_size, len);
	return raw_read(core, buf, t->xstate_size, t->xstate_offset, diag);
}

/* ---- layouts ------------------------------------------------------------------------ */

static const struct xs_xfeat_component *layout_find(const xs_core *c, unsigned nr)
{
	for (unsigned i = 0; i < c->nlayout; i++)
		if (c->layout[i].type == nr)
			return &c->layout[i];
	return NULL;
}

/* What xs_buffer_view() does for a standard buffer, with the note's offsets. */
static int layout_view(const xs_core *c, const uint8_t *x, size_t len, struct xs_buffer_view *v,
		       struct xs_diag *d)
{
	const struct xs_xfeat_component *rec;

	memset(v, 0, sizeof(*v));
	v->format = XS_BUF_STANDARD;
	v->xstate_bv = xs_ld64(x + XS_HDR_XSTATE_BV);
	v->xcomp_bv = xs_ld64(x + XS_HDR_XCOMP_BV);
	if (v->xcomp_bv)
		return xs_diag_fail(d, -EINVAL, "XCOMP_BV is 0x%llx; NT_X86_XSTATE holds a standard-format buffer",
				    (unsigned long long)v->xcomp_bv);
	v->present = v->xstate_bv;
	v->len = XS_XSAVE_LEGACY_AND_HDR;
	for (unsigned nr = XS_XFEATURE_FP; nr <= XS_XFEATURE_SSE; nr++) {
		v->offset[nr] = xs_component(nr)->fixed_offset;
		v->size[nr] = xs_component(nr)->fixed_size;
	}
	for (unsigned nr = 2; nr < 64; nr++) {
		if (!(v->xstate_bv & XS_BIT(nr)))
			continue;
		if (!(rec = layout_find(c, nr)))
			return xs_diag_fail(d, -EINVAL, "XSTATE_BV bit %u has no record in NT_X86_XSAVE_LAYOUT", nr);
		if (nr >= XS_XFEATURE_MAX)
			return xs_diag_fail(d, -EINVAL, "XSTATE_BV bit %u: component %u is beyond those this library knows", nr, nr);
		if (rec->offset < XS_XSAVE_LEGACY_AND_HDR)
			return xs_diag_fail(d, -EINVAL, "component %u at offset %u overlaps the legacy area and header", nr,
					    rec->offset);
		if (rec->offset > len || rec->size > len - rec->offset)
			return xs_diag_fail(d, -EINVAL, "component %u (offset %u, %u bytes) lies beyond the %zu-byte NT_X86_XSTATE note",
					    nr, rec->offset, rec->size, len);
		v->offset[nr] = rec->offset;
		v->size[nr] = rec->size;
		if (rec->offset + (size_t)rec->size > v->len)
			v->len = rec->offset + (size_t)rec->size;
	}
	return 0;
}

int xs_core_view(const xs_core *core, const xs_system *sys, const void *xstate, size_t len,
		 struct xs_buffer_view *view, struct xs_diag *diag)
{
	uint64_t xcr0, extra;
	char names[160];

	if (len < XS_XSAVE_LEGACY_AND_HDR)
		return xs_diag_fail(diag, -EINVAL, "the NT_X86_XSTATE note has %zu bytes; an XSAVE buffer has at least %u", len,
				    XS_XSAVE_LEGACY_AND_HDR);
	if (core->has_layout)
		return layout_view(core, xstate, len, view, diag);
	if (!sys)
		return xs_diag_fail(diag, -EINVAL, "no NT_X86_XSAVE_LAYOUT note and no CPU model to lay the buffers out");
	/* the writer's XCR0 (ptrace's sw_reserved word): the model must be able to have written it */
	xcr0 = xs_ld64((const uint8_t *)xstate + XS_SW_BYTES_OFFSET);
	extra = sys->halted ? 0 : xcr0 & ~sys->user.max_features;
	if (extra) {
		xs_component_names(extra, ",", names, sizeof(names));
		return xs_diag_fail(diag, -EINVAL, "the core's XCR0 is 0x%llx: the CPU model does not enable %s (its user features are 0x%llx), so it is not the CPU that wrote the core and cannot lay it out",
				    (unsigned long long)xcr0, names, (unsigned long long)sys->user.max_features);
	}
	return xs_buffer_view(sys, xstate, len, true, XS_BUF_STANDARD, view, diag);
}
