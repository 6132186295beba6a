// SPDX-License-Identifier: MIT
/*
 * CPUID dump parsers. Three text formats are recognised:
 *
 *   cpuid -r   "CPU 0:" then "   0x0000000d 0x01: eax=0x0000000f ebx=… ecx=… edx=…"
 *   InstLatx64 "CPUID 0000000D: 00000207-00000988-00000988-00000000 [SL 00]",
 *              free-text header lines, "CPU#001 …" starting another thread
 *   plain      "leaf subleaf eax ebx ecx edx" in hex, '#' comments
 *
 * Every malformed line is reported as "FILE:LINE: expected …". The parser
 * builds into a scratch model and copies it out only on success.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"

enum dump_kind { KIND_PLAIN, KIND_CPUID_R, KIND_INSTLAT };

struct line {
	const char *p, *end;	/* [p, end) without the newline */
	unsigned no;
};

struct parser {
	const char *text, *end;
	const char *next;
	unsigned lineno;
	const char *filename;
	struct xs_diag *diag;
};

static void diag_set(struct xs_diag *diag, const char *filename, unsigned line,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void diag_set(struct xs_diag *diag, const char *filename, unsigned line,
		     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!diag)
		return;
	diag->line = line;
	if (line)
		n = snprintf(diag->msg, sizeof(diag->msg), "%s:%u: ", filename, line);
	else
		n = snprintf(diag->msg, sizeof(diag->msg), "%s: ", filename);
	if (n < 0 || (size_t)n >= sizeof(diag->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(diag->msg + n, sizeof(diag->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool next_line(struct parser *ps, struct line *ln)
{
	const char *p = ps->next, *e;

	if (p >= ps->end)
		return false;
	e = memchr(p, '\n', (size_t)(ps->end - p));
	if (!e)
		e = ps->end;
	ps->next = e < ps->end ? e + 1 : e;
	ln->p = p;
	ln->end = e;
	if (ln->end > ln->p && ln->end[-1] == '\r')
		ln->end--;
	ln->no = ++ps->lineno;
	return true;
}

static void skip_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

static bool blank(const struct line *ln)
{
	const char *p = ln->p;

	skip_ws(&p, ln->end);
	return p == ln->end;
}

static bool starts_with(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/*
 * Read a hexadecimal number of at most 8 digits (an optional 0x prefix is
 * allowed). Returns the number of digits read, or -1 for more than 8.
 */
static int read_hex32(const char **p, const char *end, uint32_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (s < end && isxdigit((unsigned char)*s)) {
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*s) ? *s - '0'
								   : (tolower((unsigned char)*s) - 'a' + 10));
		if (++n > 8)
			return -1;
		s++;
	}
	if (n)
		*p = s;
	*out = (uint32_t)v;
	return n;
}

/* A printable, bounded copy of a line for error messages. */
static const char *excerpt(const struct line *ln, char *buf, size_t size)
{
	size_t n = (size_t)(ln->end - ln->p);

	if (n > size - 4) {
		n = size - 4;
		memcpy(buf + n, "...", 4);
	} else {
		buf[n] = '\0';
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)ln->p[i]) ? ln->p[i] : '?';
	return buf;
}

static bool contains(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; (size_t)(end - p) >= n; p++)
		if (!memcmp(p, s, n))
			return true;
	return false;
}

/* ---- format detection ------------------------------------------------ */

/*
 * "CPUID 0000000D: …" is a leaf line; AIDA64-made dumps also have header
 * lines such as "CPUID Manufacturer: AuthenticAMD" — text, not data. A leaf
 * line is "CPUID " and a hexadecimal token (the rest is then checked).
 */
static bool is_instlat_leaf(const struct line *ln)
{
	const char *p = ln->p + strlen("CPUID ");
	const char *t = p;

	if (!starts_with(ln->p, ln->end, "CPUID "))
		return false;
	while (t < ln->end && isxdigit((unsigned char)*t))
		t++;
	return t > p && (t == ln->end || *t == ':' || *t == ' ' || *t == '\t');
}

/* "CPU#001 AffMask: …" or "------[ CPUID Registers / Logical CPU #1 ]------" */
static bool is_instlat_cpu(const struct line *ln)
{
	return starts_with(ln->p, ln->end, "CPU#") ||
	       (starts_with(ln->p, ln->end, "------[") && contains(ln->p, ln->end, "Logical CPU #"));
}

/* "CPU 0:" (or "CPU:" from cpuid -1 -r). */
static bool is_cpuid_r_cpu(const struct line *ln)
{
	const char *p = ln->p;

	skip_ws(&p, ln->end);
	if (!starts_with(p, ln->end, "CPU"))
		return false;
	p += 3;
	if (p < ln->end && *p == ' ') {
		p++;
		if (p >= ln->end || !isdigit((unsigned char)*p))
			return false;
		while (p < ln->end && isdigit((unsigned char)*p))
			p++;
	}
	return p < ln->end && *p == ':';
}

static bool is_cpuid_r_leaf(const struct line *ln)
{
	const char *p = ln->p;

	skip_ws(&p, ln->end);
	return starts_with(p, ln->end, "0x") && contains(p, ln->end, "eax=");
}

static enum dump_kind detect(const char *text, size_t len)
{
	struct parser ps = { text, text + len, text, 0, "", NULL };
	struct line ln;
	bool cpuid_r = false;

	while (next_line(&ps, &ln)) {
		if (is_instlat_leaf(&ln))
			return KIND_INSTLAT;
		if (is_cpuid_r_cpu(&ln) || is_cpuid_r_leaf(&ln))
			cpuid_r = true;
	}
	return cpuid_r ? KIND_CPUID_R : KIND_PLAIN;
}

/* ---- line parsers ------------------------------------------------------ */

struct leafval {
	uint32_t leaf, subleaf, r[4];
	bool unmarked;		/* InstLatx64 line without "[SL nn]" */
};

static const char *const plain_fields[6] = { "leaf", "subleaf", "eax", "ebx", "ecx", "edx" };

/* One hexadecimal field; on error fills diag and returns false. */
static bool field_hex(struct parser *ps, const struct line *ln, const char **p, const char *what,
		      uint32_t *out)
{
	const char *start = *p;
	int n = read_hex32(p, ln->end, out);
	char tok[40];
	size_t len = 0;

	if (n > 0)
		return true;
	while (start + len < ln->end && !isspace((unsigned char)start[len]) && len < sizeof(tok) - 1)
		len++;
	memcpy(tok, start, len);
	tok[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (!isprint((unsigned char)tok[i]))
			tok[i] = '?';
	if (n < 0)
		diag_set(ps->diag, ps->filename, ln->no,
			 "%s '%s' has more than 8 hexadecimal digits (CPUID registers are 32 bits)",
			 what, tok);
	else if (len)
		diag_set(ps->diag, ps->filename, ln->no, "expected a hexadecimal %s, found '%s'", what,
			 tok);
	else
		diag_set(ps->diag, ps->filename, ln->no,
			 "expected a hexadecimal %s, found the end of the line", what);
	return false;
}

static bool literal(struct parser *ps, const struct line *ln, const char **p, const char *lit,
		    const char *shape)
{
	char buf[96];

	if (starts_with(*p, ln->end, lit)) {
		*p += strlen(lit);
		return true;
	}
	diag_set(ps->diag, ps->filename, ln->no, "expected '%s' in %s, got '%s'", lit, shape,
		 excerpt(ln, buf, sizeof(buf)));
	return false;
}

static bool line_end(struct parser *ps, const struct line *ln, const char *p, const char *shape)
{
	char buf[96];

	skip_ws(&p, ln->end);
	if (p == ln->end)
		return true;
	diag_set(ps->diag, ps->filename, ln->no, "unexpected text after %s: '%s'", shape,
		 excerpt(&(struct line){ p, ln->end, ln->no }, buf, sizeof(buf)));
	return false;
}

#define PLAIN_SHAPE "'leaf subleaf eax ebx ecx edx' (6 hexadecimal fields)"

static bool parse_plain(struct parser *ps, const struct line *ln, struct leafval *v)
{
	const char *p = ln->p, *end = ln->end;
	const char *hash = memchr(p, '#', (size_t)(end - p));
	struct line body = { p, hash ? hash : end, ln->no };
	uint32_t f[6];
	unsigned n = 0;

	while (n < 6) {
		skip_ws(&p, body.end);
		if (p == body.end)
			break;
		if (!field_hex(ps, &body, &p, plain_fields[n], &f[n]))
			return false;
		if (p < body.end && *p != ' ' && *p != '\t') {
			char buf[96];

			diag_set(ps->diag, ps->filename, ln->no,
				 "expected %s, found '%s' (%s is not hexadecimal)", PLAIN_SHAPE,
				 excerpt(ln, buf, sizeof(buf)), plain_fields[n]);
			return false;
		}
		n++;
	}
	if (n < 6) {
		diag_set(ps->diag, ps->filename, ln->no, "expected %s, found %u field%s", PLAIN_SHAPE,
			 n, n == 1 ? "" : "s");
		return false;
	}
	if (!line_end(ps, &body, p, PLAIN_SHAPE))
		return false;
	*v = (struct leafval){ f[0], f[1], { f[2], f[3], f[4], f[5] }, false };
	return true;
}

#define CPUID_R_SHAPE "a 'cpuid -r' line '0xLEAF 0xSUB: eax=0x… ebx=0x… ecx=0x… edx=0x…'"

static bool parse_cpuid_r(struct parser *ps, const struct line *ln, struct leafval *v)
{
	static const char *const regs[4] = { "eax=", "ebx=", "ecx=", "edx=" };
	static const char *const values[4] = { "eax value", "ebx value", "ecx value", "edx value" };
	const char *p = ln->p;

	skip_ws(&p, ln->end);
	if (!field_hex(ps, ln, &p, "leaf", &v->leaf))
		return false;
	skip_ws(&p, ln->end);
	if (!field_hex(ps, ln, &p, "subleaf", &v->subleaf))
		return false;
	if (!literal(ps, ln, &p, ":", CPUID_R_SHAPE))
		return false;
	for (unsigned i = 0; i < 4; i++) {
		skip_ws(&p, ln->end);
		if (!literal(ps, ln, &p, regs[i], CPUID_R_SHAPE) ||
		    !field_hex(ps, ln, &p, values[i], &v->r[i]))
			return false;
	}
	return line_end(ps, ln, p, CPUID_R_SHAPE);
}

#define INSTLAT_SHAPE "an InstLatx64 line 'CPUID LLLLLLLL: AAAAAAAA-BBBBBBBB-CCCCCCCC-DDDDDDDD [SL nn]'"

/* Trailing "[SL nn]" gives the sub-leaf; any other bracket is a remark. */
static bool parse_instlat_tail(struct parser *ps, const struct line *ln, const char *p,
			       uint32_t *subleaf, bool *unmarked)
{
	*subleaf = 0;
	*unmarked = true;
	skip_ws(&p, ln->end);
	if (p == ln->end)
		return true;
	if (*p != '[') {
		char buf[96];

		diag_set(ps->diag, ps->filename, ln->no,
			 "unexpected text after the four registers: '%s' (expected '[SL nn]' or end of line)",
			 excerpt(&(struct line){ p, ln->end, ln->no }, buf, sizeof(buf)));
		return false;
	}
	if (starts_with(p, ln->end, "[SL ")) {
		p += 4;
		*unmarked = false;
		if (!field_hex(ps, ln, &p, "sub-leaf in [SL nn]", subleaf))
			return false;
		return literal(ps, ln, &p, "]", INSTLAT_SHAPE);
	}
	return true;
}

static bool parse_instlat(struct parser *ps, const struct line *ln, struct leafval *v)
{
	static const char *const regs[4] = { "eax", "ebx", "ecx", "edx" };
	const char *p = ln->p + strlen("CPUID ");

	if (!field_hex(ps, ln, &p, "leaf", &v->leaf) || !literal(ps, ln, &p, ":", INSTLAT_SHAPE))
		return false;
	for (unsigned i = 0; i < 4; i++) {
		if (i == 0)
			skip_ws(&p, ln->end);
		else if (!literal(ps, ln, &p, "-", INSTLAT_SHAPE))
			return false;
		if (!field_hex(ps, ln, &p, regs[i], &v->r[i]))
			return false;
	}
	return parse_instlat_tail(ps, ln, p, &v->subleaf, &v->unmarked);
}

/* ---- driver -------------------------------------------------------------- */

struct walk {
	enum dump_kind kind;
	int ordinal;		/* current CPU block, -1 before the first */
	unsigned want;
	xs_cpu *out;		/* NULL: only count */
	unsigned leaves_in_want;
};

static bool is_comment(const struct line *ln)
{
	const char *p = ln->p;

	skip_ws(&p, ln->end);
	return p < ln->end && *p == '#';
}

/*
 * Old InstLatx64 dumps list the sub-leaves of a leaf without "[SL nn]". For
 * the leaves the model reads (7, 0xD, 0x1D) the sub-leaf of such a repeat is
 * unknown, and keeping only the first would silently lose components.
 */
static bool unmarked_subleaf(struct parser *ps, const struct line *ln, const struct leafval *v,
			     const uint32_t old[4])
{
	if (!v->unmarked || (v->leaf != 0x7 && v->leaf != 0xd && v->leaf != 0x1d) ||
	    !memcmp(old, v->r, sizeof(v->r)))
		return false;
	diag_set(ps->diag, ps->filename, ln->no,
		 "leaf %08X repeated without a sub-leaf: expected '[SL nn]' after the registers",
		 v->leaf);
	return true;
}

/* CPUID 0xD.2..62: EAX is the component's size, EBX its standard offset. */
static bool component_too_large(struct parser *ps, const struct line *ln, const struct leafval *v)
{
	char why[200];

	if (v->leaf != 0xd || !xs_xsave_leaf_too_large(v->subleaf, v->r, why, sizeof(why)))
		return false;
	diag_set(ps->diag, ps->filename, ln->no, "%s", why);
	return true;
}

/* Classify one line; returns false on a parse error. */
static bool walk_line(struct parser *ps, struct walk *w, const struct line *ln)
{
	struct leafval v = { 0 };
	bool ok;

	if (blank(ln) || is_comment(ln))
		return true;
	switch (w->kind) {
	case KIND_INSTLAT:
		if (is_instlat_cpu(ln)) {
			w->ordinal++;
			return true;
		}
		if (!is_instlat_leaf(ln))
			return true;	/* free-text header of the dump */
		ok = parse_instlat(ps, ln, &v);
		break;
	case KIND_CPUID_R:
		if (is_cpuid_r_cpu(ln)) {
			w->ordinal++;
			return true;
		}
		ok = parse_cpuid_r(ps, ln, &v);
		break;
	default:
		ok = parse_plain(ps, ln, &v);
		break;
	}
	if (!ok || component_too_large(ps, ln, &v))
		return false;
	if (w->ordinal < 0)
		w->ordinal = 0;
	if (w->out && (unsigned)w->ordinal == w->want) {
		uint32_t old[4];

		/* The first value of a repeated leaf wins (dumps repeat leaf 2). */
		if (xs_cpuid(w->out, v.leaf, v.subleaf, old))
			return !unmarked_subleaf(ps, ln, &v, old);
		if (xs_cpu_set_leaf(w->out, v.leaf, v.subleaf, v.r[0], v.r[1], v.r[2], v.r[3])) {
			diag_set(ps->diag, ps->filename, ln->no,
				 "too many CPUID leaves for one CPU (at most %u)", XS_CPU_MAX_LEAVES);
			return false;
		}
		w->leaves_in_want++;
	}
	return true;
}

/*
 * Debian's `cpuid` without -r decodes the leaves into prose ("vendor_id =
 * \"AuthenticAMD\"", "version information (1/eax):"): the raw values are
 * gone, so such a listing is refused with the way to get raw ones.
 */
static bool is_cpuid_listing(const char *text, size_t len)
{
	struct parser ps = { text, text + len, text, 0, "", NULL };
	struct line ln;

	while (next_line(&ps, &ln)) {
		const char *p = ln.p;

		skip_ws(&p, ln.end);
		if (starts_with(p, ln.end, "vendor_id = \"") || starts_with(p, ln.end, "version information (1/eax):"))
			return true;
	}
	return false;
}

static int walk_dump(const char *text, size_t len, const char *filename, struct xs_diag *diag,
		     struct walk *w)
{
	struct parser ps = { text, text + len, text, 0, filename ? filename : "<input>", diag };
	struct line ln;

	w->kind = detect(text, len);
	w->ordinal = -1;
	if (memchr(text, '\0', len)) {
		diag_set(diag, ps.filename, 0, "expected a text CPUID dump, found binary data (NUL bytes)");
		return -EINVAL;
	}
	if (is_cpuid_listing(text, len)) {
		diag_set(diag, ps.filename, 0,
			 "a human-readable `cpuid` listing, without the raw register values: capture the dump with `cpuid -r` (or `xstate cpuid`)");
		return -EINVAL;
	}
	while (next_line(&ps, &ln))
		if (!walk_line(&ps, w, &ln))
			return -EINVAL;
	if (w->ordinal < 0) {
		diag_set(diag, ps.filename, 0,
			 "expected CPUID leaves (cpuid -r, InstLatx64 or 'leaf subleaf eax ebx ecx edx' lines), found none");
		return -EINVAL;
	}
	return 0;
}

int xs_cpu_count(const char *text, size_t len, const char *filename, struct xs_diag *diag)
{
	struct walk w = { 0 };
	int ret = walk_dump(text, len, filename, diag, &w);

	return ret ? ret : w.ordinal + 1;
}

/* A dump is useful only with the leaves the model reads. */
static int check_complete(const xs_cpu *cpu, const char *filename, struct xs_diag *diag)
{
	uint32_t r[4];
	char why[200];

	if (!xs_cpuid(cpu, 0, 0, r)) {
		diag_set(diag, filename, 0, "expected CPUID leaf 0 (vendor, highest leaf) in the dump");
		return -EINVAL;
	}
	if (r[0] >= 1 && !xs_cpuid(cpu, 1, 0, r)) {
		diag_set(diag, filename, 0, "expected CPUID leaf 1 (feature flags) in the dump");
		return -EINVAL;
	}
	/*
	 * Leaf 0xD exists only where leaf 0 says so: below it the kernel
	 * clears XSAVE itself (filter_cpuid_features()), as for QEMU's
	 * "-cpu Nehalem,+xsave" (maximum basic leaf 0xB).
	 */
	xs_cpuid(cpu, 0, 0, r);
	if (r[0] >= 0xd && xs_cpu_has(cpu, XS_CPU_XSAVE) && !xs_cpuid(cpu, 0xd, 0, r)) {
		diag_set(diag, filename, 0,
			 "CPUID.1:ECX.XSAVE is set and leaf 0 gives a maximum basic leaf of 0xd or more, so expected CPUID leaf 0xd sub-leaf 0 in the dump");
		return -EINVAL;
	}
	if (xs_cpu_bad_xsave_leaf(cpu, why, sizeof(why))) {
		diag_set(diag, filename, 0, "%s", why);
		return -EINVAL;
	}
	return 0;
}

int xs_cpu_parse(xs_cpu *cpu, const char *text, size_t len, unsigned cpu_index,
		 const char *filename, struct xs_diag *diag)
{
	static const enum xs_cpu_source sources[] = { XS_CPU_SRC_PLAIN, XS_CPU_SRC_CPUID_R,
						      XS_CPU_SRC_INSTLAT };
	xs_cpu *tmp = malloc(sizeof(*tmp));
	struct walk w = { 0 };
	const char *name = filename ? filename : "<input>";
	int ret;

	if (!tmp)
		return -ENOMEM;
	xs_cpu_init(tmp);
	w.out = tmp;
	w.want = cpu_index;
	ret = walk_dump(text, len, name, diag, &w);
	if (!ret && cpu_index > (unsigned)w.ordinal) {
		diag_set(diag, name, 0, "CPU %u requested, but the dump describes %d CPU%s (0..%d)",
			 cpu_index, w.ordinal + 1, w.ordinal ? "s" : "", w.ordinal);
		ret = -ENOENT;
	}
	if (!ret)
		ret = check_complete(tmp, name, diag);
	if (!ret) {
		tmp->source = sources[w.kind];
		xs_cpu_finish(tmp);
		*cpu = *tmp;
	}
	free(tmp);
	return ret;
}
