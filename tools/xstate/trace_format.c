// SPDX-License-Identifier: MIT
/*
 * The trace codec (docs/traces.md): a 16-byte header, then one zstd frame
 * holding length-prefixed records — INFO, CPUI, TRAI, NOIS, CASE..., END.
 * Reading checks every length and every value before it is used: a
 * corrupt or truncated trace is an error naming the record, the field and
 * what was expected, never a crash.
 *
 * A case's buffers are mostly random bytes, so they are stored as delta
 * operations against bytes the reader can rebuild: the initial buffers
 * against the splitmix64 stream the generator drew them from (the stream
 * is part of the format, not of the generator: a generator that draws
 * otherwise only makes the trace bigger), the CPU's buffers after the run
 * against the initial ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "trace_format.h"

/* ---- traits ------------------------------------------------------------- */

/*
 * TRAI's names, in the order a trace lists them (the order the engine's
 * fields had when the format was made), and the largest value each
 * takes: 1 for a flag. MXCSR_MASK is INFO's (mxcsr_mask=).
 */
const struct vt_trait vt_traits[] = {
	{ XS_TRAIT_XINUSE_BY_VALUE, 1 },
	{ XS_TRAIT_X87_PTRS_NEED_EXCEPTION, 1 },
	{ XS_TRAIT_X87_PTR_BITS, UINT32_MAX },
	{ XS_TRAIT_FCS_FDS_ZERO, 1 },
	{ XS_TRAIT_FX_AC_ALIGN, UINT32_MAX },
	{ XS_TRAIT_XSAVE_AC_ALIGN, UINT32_MAX },
	{ XS_TRAIT_FXRSTOR_SETS_XMODIFIED, 1 },
	{ XS_TRAIT_INIT_OPT, 1 },
	{ XS_TRAIT_MODIFIED_OPT, 1 },
};
const unsigned vt_ntraits = sizeof(vt_traits) / sizeof(vt_traits[0]);
_Static_assert(sizeof(vt_traits) / sizeof(vt_traits[0]) <= VT_TRAITS_MAX,
	       "struct vt_header holds VT_TRAITS_MAX traits");

const char *vt_trait_name(unsigned i)
{
	return xs_trait_name(vt_traits[i].trait);
}

/* Every trait of the library once, MXCSR_MASK aside: a trait added to enum xs_trait must be named here. */
const char *vt_traits_gap(void)
{
	static const char *const what = "the engine has a trait the trace format does not name "
					"(tools/xstate/trace_format.c, vt_traits)";
	uint64_t seen = 0, all = ((UINT64_C(1) << XS_TRAIT_COUNT) - 1) & ~(UINT64_C(1) << XS_TRAIT_MXCSR_MASK);

	for (unsigned i = 0; i < vt_ntraits; i++) {
		unsigned t = vt_traits[i].trait;

		if (t >= XS_TRAIT_COUNT || t == XS_TRAIT_MXCSR_MASK || seen & UINT64_C(1) << t)
			return "vt_traits names a trait twice, MXCSR_MASK, or one the library does not know";
		seen |= UINT64_C(1) << t;
	}
	return seen == all ? NULL : what;
}

/* ---- writing ------------------------------------------------------------ */

void vt_put(struct vt_buf *b, const void *p, size_t n)
{
	if (b->failed || !n)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *q;

		while (cap < b->len + n)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->failed = true;
			return;
		}
		b->p = q, b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void vt_put_u8(struct vt_buf *b, uint8_t v)
{
	vt_put(b, &v, 1);
}

void vt_put_u32(struct vt_buf *b, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	vt_put(b, le, 4);
}

void vt_put_u64(struct vt_buf *b, uint64_t v)
{
	vt_put_u32(b, (uint32_t)v);
	vt_put_u32(b, (uint32_t)(v >> 32));
}

void vt_put_varint(struct vt_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		vt_put_u8(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	vt_put_u8(b, (uint8_t)v);
}

void vt_put_record(struct vt_buf *b, uint32_t type, const void *payload, size_t n)
{
	vt_put_u32(b, type);
	vt_put_u32(b, (uint32_t)n);
	vt_put(b, payload, n);
}

void vt_stream(uint64_t state, uint32_t words, uint8_t *out)
{
	for (uint32_t i = 0; i < words; i++) {
		uint64_t z = (state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (unsigned k = 0; k < 8; k++)
			out[8 * i + k] = (uint8_t)(z >> 8 * k);
	}
}

/* ---- delta operations ---------------------------------------------------- */

enum { DELTA_SAME, DELTA_COPY, DELTA_LITERAL, DELTA_FILL };
#define HASH_BITS 15
#define INDEX_STEP 4
#define HASH_WINDOW 6
#define NEAR_BEHIND 16
#define NEAR_AHEAD 48

struct vt_matcher {
	const uint8_t *ref;
	size_t reflen;
	uint32_t table[1u << HASH_BITS];	/* position + 1 of a window with that hash; 0 none */
};

static uint32_t hash6(const uint8_t *p)
{
	uint64_t x = 0;

	memcpy(&x, p, HASH_WINDOW);
	return (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> (64 - HASH_BITS));
}

struct vt_matcher *vt_matcher_new(void)
{
	return calloc(1, sizeof(struct vt_matcher));
}

void vt_matcher_free(struct vt_matcher *m)
{
	free(m);
}

void vt_matcher_index(struct vt_matcher *m, const uint8_t *ref, size_t reflen)
{
	memset(m->table, 0, sizeof(m->table));
	m->ref = ref;
	m->reflen = reflen;
	/* every INDEX_STEP-th position: a match is found a few bytes in and extended backwards */
	for (size_t i = 0; i + HASH_WINDOW <= reflen && i < UINT32_MAX - 1; i += INDEX_STEP)
		m->table[hash6(ref + i)] = (uint32_t)(i + 1);
}

static size_t run_same(const struct vt_matcher *m, const uint8_t *t, size_t n, size_t at)
{
	size_t k = 0;

	while (k < n && at + k < m->reflen && t[k] == m->ref[at + k])
		k++;
	return k;
}

static size_t run_fill(const uint8_t *t, size_t n)
{
	size_t k = 1;

	while (k < n && t[k] == t[0])
		k++;
	return k;
}

static void put_op(struct vt_buf *b, unsigned kind, size_t len)
{
	vt_put_varint(b, (uint64_t)len << 2 | kind);
}

static void flush_literal(struct vt_buf *b, const uint8_t *t, size_t from, size_t to)
{
	if (to > from) {
		put_op(b, DELTA_LITERAL, to - from);
		vt_put(b, t + from, to - from);
	}
}

/* The zigzag varint of a COPY: where it reads, relative to where the last SAME or COPY ended. */
static void put_distance(struct vt_buf *b, size_t src, size_t cursor)
{
	vt_put_varint(b, src >= cursor ? (uint64_t)(src - cursor) << 1 : (uint64_t)(cursor - src) << 1 | 1);
}

/*
 * The longest match just around the cursor: the generator draws its
 * bytes in stream order, so a field made of a few bytes of the next word
 * (a 16-bit exponent, the low 7 bytes of a significand) is found there.
 */
static size_t near_match(const struct vt_matcher *m, const uint8_t *t, size_t n, size_t cursor,
			 size_t *src)
{
	size_t best = 0, lo = cursor > NEAR_BEHIND ? cursor - NEAR_BEHIND : 0;

	for (size_t at = lo; at < cursor + NEAR_AHEAD && at < m->reflen; at++) {
		size_t len = run_same(m, t, n, at);

		if (len > best)
			best = len, *src = at;
	}
	return best;
}

/*
 * Greedy: at each byte the longest of SAME, FILL and COPY that pays (a
 * COPY far from the cursor needs 8 bytes, one near it 3), else a literal.
 */
void vt_delta_encode(struct vt_buf *b, struct vt_matcher *m, const uint8_t *t, size_t n, size_t own)
{
	size_t i = 0, lit = 0, cursor = own;

	while (i < n) {
		size_t same = own + i < m->reflen ? run_same(m, t + i, n - i, own + i) : 0;
		size_t fill = run_fill(t + i, n - i), copy = 0, back = 0, src = 0, near, near_src = 0;
		unsigned kind = DELTA_SAME;
		size_t len = same;

		if (n - i >= HASH_WINDOW && m->table[hash6(t + i)]) {
			src = m->table[hash6(t + i)] - 1;
			copy = run_same(m, t + i, n - i, src);
			/* the pending literal bytes before it may belong to the match */
			while (copy >= 8 && i - back > lit && src > back && t[i - back - 1] == m->ref[src - back - 1])
				back++;
		}
		if (copy + back < 8)
			copy = back = 0;
		near = same >= 8 || copy >= 16 ? 0 : near_match(m, t + i, n - i, cursor, &near_src);
		if (near >= 3 && near >= copy + back)
			copy = near, src = near_src, back = 0;
		if (fill >= 4 && fill > len)
			kind = DELTA_FILL, len = fill;
		if (copy + back > len + 1) {
			kind = DELTA_COPY, len = copy + back;
			i -= back, src -= back;
		}
		if (len < 3) {
			i++;
			continue;
		}
		flush_literal(b, t, lit, i);
		put_op(b, kind, len);
		if (kind == DELTA_COPY)
			put_distance(b, src, cursor);
		if (kind == DELTA_FILL)
			vt_put_u8(b, t[i]);
		if (kind == DELTA_SAME)
			cursor = own + i + len;
		if (kind == DELTA_COPY)
			cursor = src + len;
		i += len;
		lit = i;
	}
	flush_literal(b, t, lit, n);
}

/* ---- reading -------------------------------------------------------------- */

#define RECORD_MAX (16u << 20)

struct reader {
	const char *name;
	char *err;
	size_t errsize;
	unsigned long record;	/* 1-based */
	uint32_t type;
	unsigned long cases;
	int step;		/* the step being read, -1: none */
	const uint8_t *p;	/* the record's payload */
	size_t len, at;
};

static const char *type_name(uint32_t type, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(type >> 8 * i);

		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = 0;
	return buf;
}

/* "NAME: record N (TYPE, case K): field: message" */
static int fail(struct reader *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct reader *r, const char *field, const char *fmt, ...)
{
	char type[5], where[96] = "", step[24] = "", msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->record && r->type == VT_REC_CASE)
		snprintf(where, sizeof(where), "record %lu (CASE, case %lu): ", r->record, r->cases);
	else if (r->record)
		snprintf(where, sizeof(where), "record %lu (%s): ", r->record, type_name(r->type, type));
	if (r->record && r->type == VT_REC_CASE && r->step >= 0)
		snprintf(step, sizeof(step), "step %d ", r->step);
	snprintf(r->err, r->errsize, "%s: %s%s%s%s%s", r->name, where, step, field ? field : "",
		 field ? ": " : "", msg);
	return -EINVAL;
}

static int need(struct reader *r, const char *field, size_t n)
{
	if (r->len - r->at < n)
		return fail(r, field, "truncated: expected %zu byte(s) at payload offset %zu, the %zu-byte payload ends",
			    n, r->at, r->len);
	return 0;
}

static int get_u8(struct reader *r, const char *field, uint8_t *v)
{
	int ret = need(r, field, 1);

	if (!ret)
		*v = r->p[r->at++];
	return ret;
}

/* The little-endian word at p, whatever the host's byte order (vt_put_u32's inverse). */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int get_u32(struct reader *r, const char *field, uint32_t *v)
{
	int ret = need(r, field, 4);

	if (ret)
		return ret;
	*v = le32(r->p + r->at);
	r->at += 4;
	return 0;
}

static int get_u64(struct reader *r, const char *field, uint64_t *v)
{
	uint32_t lo, hi;
	int ret = get_u32(r, field, &lo);

	if (!ret && !(ret = get_u32(r, field, &hi)))
		*v = (uint64_t)hi << 32 | lo;
	return ret;
}

static int get_varint(struct reader *r, const char *field, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t byte;
		int ret = get_u8(r, field, &byte);

		if (ret)
			return ret;
		if (shift == 63 && byte > 1)
			break;
		*v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return 0;
	}
	return fail(r, field, "a varint longer than 64 bits at payload offset %zu", r->at);
}

/* n bytes into out from delta operations against ref. */
static int get_delta(struct reader *r, const char *field, uint8_t *out, size_t n, const uint8_t *ref,
		     size_t reflen, size_t own)
{
	size_t i = 0, cursor = own;
	uint64_t h, dist, src;
	uint8_t byte;
	int ret;

	while (i < n) {
		size_t len;

		if ((ret = get_varint(r, field, &h)))
			return ret;
		len = (size_t)(h >> 2);
		if (!len || len > n - i)
			return fail(r, field, "an operation of %llu byte(s) at image byte %zu, expected 1..%zu",
				    (unsigned long long)(h >> 2), i, n - i);
		switch (h & 3) {
		case DELTA_SAME:
			if (own + i > reflen || len > reflen - own - i)
				return fail(r, field, "SAME at image byte %zu reads past the %zu-byte reference", i,
					    reflen);
			memcpy(out + i, ref + own + i, len);
			cursor = own + i + len;
			break;
		case DELTA_COPY:
			if ((ret = get_varint(r, field, &dist)))
				return ret;
			src = dist & 1 ? cursor - (dist >> 1) : cursor + (dist >> 1);
			if ((dist & 1 ? (dist >> 1) > cursor : (dist >> 1) > reflen) || src > reflen ||
			    len > reflen - src)
				return fail(r, field, "COPY of %zu byte(s) at image byte %zu from outside the %zu-byte reference",
					    len, i, reflen);
			memcpy(out + i, ref + src, len);
			cursor = (size_t)src + len;
			break;
		case DELTA_LITERAL:
			if ((ret = need(r, field, len)))
				return ret;
			memcpy(out + i, r->p + r->at, len);
			r->at += len;
			break;
		default:
			if ((ret = get_u8(r, field, &byte)))
				return ret;
			memset(out + i, byte, len);
			break;
		}
		i += len;
	}
	return 0;
}

/* ---- INFO and TRAITS: "key=value" lines ---- */

static int parse_number(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* Calls fn for each line; a line without '=' or with a NUL is an error. */
static int each_pair(struct reader *r, int (*fn)(struct reader *r, void *ctx, char *key, char *value),
		     void *ctx)
{
	char line[512];
	size_t at = 0;

	if (memchr(r->p, 0, r->len))
		return fail(r, NULL, "a NUL byte in the text, expected key=value lines");
	while (at < r->len) {
		const uint8_t *nl = memchr(r->p + at, '\n', r->len - at);
		size_t n = nl ? (size_t)(nl - r->p) - at : r->len - at;
		char *eq;
		int ret;

		if (n >= sizeof(line))
			return fail(r, NULL, "a line of %zu bytes at payload offset %zu, expected under %zu", n,
				    at, sizeof(line));
		memcpy(line, r->p + at, n);
		line[n] = 0;
		at += n + 1;
		if (!n)
			continue;
		if (!(eq = strchr(line, '=')))
			return fail(r, NULL, "line '%s': expected key=value", line);
		*eq = 0;
		if ((ret = fn(r, ctx, line, eq + 1)))
			return ret;
	}
	return 0;
}

struct info_ctx {
	struct vt_header *h;
	unsigned seen;
};

static const char *const info_required[] = { "seed", "xcr0", "xfd", "mxcsr_mask", "xgetbv1", "area",
					     "region" };
#define NREQUIRED (sizeof(info_required) / sizeof(info_required[0]))

static void copy_text(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s);
}

static int info_pair(struct reader *r, void *ctxv, char *key, char *value)
{
	struct info_ctx *ctx = ctxv;
	struct vt_header *h = ctx->h;
	uint64_t v;
	unsigned i;

	if (!strcmp(key, "tool"))
		return copy_text(h->tool, sizeof(h->tool), value), 0;
	if (!strcmp(key, "kernel"))
		return copy_text(h->kernel, sizeof(h->kernel), value), 0;
	if (!strcmp(key, "microcode"))
		return copy_text(h->microcode, sizeof(h->microcode), value), 0;
	for (i = 0; i < NREQUIRED && strcmp(key, info_required[i]); i++)
		;
	if (i == NREQUIRED)
		return 0;	/* informational keys of later versions */
	if (ctx->seen & 1u << i)
		return fail(r, key, "given twice");
	ctx->seen |= 1u << i;
	if (parse_number(value, &v))
		return fail(r, key, "'%s': expected a number", value);
	switch (i) {
	case 0: h->seed = v; return 0;
	case 1: h->xcr0 = v; return 0;
	case 2: h->xfd = v; return 0;
	case 3:
		if (v > UINT32_MAX)
			return fail(r, key, "0x%llx: expected a 32-bit mask", (unsigned long long)v);
		h->mxcsr_mask = (uint32_t)v;
		return 0;
	case 4:
		if (v > 1)
			return fail(r, key, "%llu: expected 0 or 1", (unsigned long long)v);
		h->xgetbv1 = v;
		return 0;
	case 5:
		if (v < XS_XSAVE_LEGACY_AND_HDR || v > VT_REGION_MAX)
			return fail(r, key, "%llu: expected %u..%u", (unsigned long long)v, XS_XSAVE_LEGACY_AND_HDR,
				    VT_REGION_MAX);
		h->area = (uint32_t)v;
		return 0;
	default:
		if (!v || v > VT_REGION_MAX || v % 4096)
			return fail(r, key, "%llu: expected a multiple of 4096 up to %u", (unsigned long long)v,
				    VT_REGION_MAX);
		h->region = (uint32_t)v;
		return 0;
	}
}

static int read_info(struct reader *r, struct vt_header *h)
{
	struct info_ctx ctx = { .h = h };
	int ret = each_pair(r, info_pair, &ctx);

	if (ret)
		return ret;
	for (unsigned i = 0; i < NREQUIRED; i++)
		if (!(ctx.seen & 1u << i))
			return fail(r, info_required[i], "missing, expected %s=NUMBER", info_required[i]);
	if (h->region < h->area)
		return fail(r, "region", "%u bytes, smaller than area (%u)", h->region, h->area);
	return 0;
}

static int trait_pair(struct reader *r, void *ctxv, char *key, char *value)
{
	struct vt_header *h = ctxv;
	uint64_t v;
	unsigned i;

	for (i = 0; i < vt_ntraits && strcmp(key, vt_trait_name(i)); i++)
		;
	if (i == vt_ntraits)
		return fail(r, key, "a trait this build does not know (a newer trace?)");
	if (h->traits_recorded & UINT64_C(1) << i)
		return fail(r, key, "given twice");
	if (parse_number(value, &v) || v > vt_traits[i].max)
		return fail(r, key, "'%s': expected %s", value,
			    vt_traits[i].max == 1 ? "0 or 1" : "an unsigned number that fits the field");
	h->traits[i] = v;
	h->traits_recorded |= UINT64_C(1) << i;
	return 0;
}

static int read_cpuid(struct reader *r, struct vt_header *h)
{
	struct xs_diag diag = { 0 };
	char label[96];
	int ret;

	snprintf(label, sizeof(label), "%s record %lu (CPUID)", r->name, r->record);
	ret = xs_cpu_parse(h->cpu, (const char *)r->p, r->len, 0, label, &diag);
	if (ret) {
		snprintf(r->err, r->errsize, "%s", diag.msg[0] ? diag.msg : "the CPUID dump does not parse");
		return -EINVAL;
	}
	if (!xs_cpu_has(h->cpu, XS_CPU_FPU))
		return fail(r, NULL, "a CPU without an FPU: the engine has nothing to replay");
	return 0;
}

/* ---- CASE ---- */

static const uint8_t vectors[] = { 6, 7, 13, 14, 17 };	/* #UD #NM #GP #PF #AC */

static bool known_vector(uint8_t v)
{
	if (v == VT_NONE)
		return true;
	for (size_t i = 0; i < sizeof(vectors); i++)
		if (v == vectors[i])
			return true;
	return false;
}

/* XGETBV and XSETBV take no memory operand (others may lack one: they fault before memory). */
static bool no_operand(uint8_t op)
{
	return op == VT_OP_XGETBV || op == VT_OP_XSETBV;
}

static int read_step(struct reader *r, const struct vt_header *h, const struct vt_case *c,
		     struct vt_step *s)
{
	uint8_t ran, pad[2];
	int ret;

	if ((ret = get_u8(r, "op", &s->op)) || (ret = get_u8(r, "flags", &s->flags)) ||
	    (ret = get_u8(r, "slot", &s->slot)) || (ret = get_u8(r, "vector", &s->vector)) ||
	    (ret = get_u8(r, "ran", &ran)) || (ret = get_u8(r, "prefix", &s->prefix)) ||
	    (ret = get_u8(r, "padding", &pad[0])) || (ret = get_u8(r, "padding", &pad[1])) ||
	    (ret = get_u64(r, "arg", &s->arg)) || (ret = get_u32(r, "poke_at", &s->poke_at)) ||
	    (ret = get_u32(r, "poke_from", &s->poke_from)) ||
	    (ret = get_u64(r, "xinuse", &s->xinuse)) || (ret = get_u64(r, "result", &s->result)))
		return ret;
	if (ran > 1)
		return fail(r, "ran", "%u: expected 0 or 1", ran);
	if (pad[0] || pad[1])
		return fail(r, "padding", "expected zeros");
	s->ran = ran;
	if (!s->op || s->op >= VT_OP_COUNT || s->op == VT_OP_RESERVED)
		return fail(r, "op", "%u: expected 1..8 or 10..12", s->op);
	if (s->flags & ~(VT_FLAG_REX_W | VT_FLAG_AC))
		return fail(r, "flags", "0x%x: expected bits 0 (REX.W) and 1 (EFLAGS.AC) only", s->flags);
	if (s->prefix && s->prefix != 0xf0 && s->prefix != 0x66 && s->prefix != 0xf2 && s->prefix != 0xf3)
		return fail(r, "prefix", "0x%02x: expected 0 (none), 0xf0, 0x66, 0xf2 or 0xf3", s->prefix);
	if (no_operand(s->op) ? s->slot != VT_NONE
			      : s->slot >= VT_SLOTS && (s->slot != VT_NONE || s->op == VT_OP_POKE))
		return fail(r, "slot", "%u: expected %s", s->slot,
			    no_operand(s->op) ? "255 (none) for XGETBV and XSETBV"
			    : s->op == VT_OP_POKE ? "0..4 for a store" : "0..4 or 255 (none)");
	if (!known_vector(s->vector))
		return fail(r, "vector", "%u: expected 6, 7, 13, 14, 17 or 255 (none)", s->vector);
	if (s->op != VT_OP_POKE)
		return 0;
	if (s->poke_at > h->region - c->start[s->slot] ||
	    s->arg > h->region - c->start[s->slot] - s->poke_at)
		return fail(r, "poke", "%llu byte(s) at +%u overrun the %u-byte buffer",
			    (unsigned long long)s->arg, s->poke_at, h->region - c->start[s->slot]);
	if (s->poke_from > h->noise_len || s->arg > h->noise_len - s->poke_from)
		return fail(r, "poke", "%llu byte(s) from noise +%u overrun the %u-byte noise",
			    (unsigned long long)s->arg, s->poke_from, h->noise_len);
	return 0;
}

/* Scratch buffers of one trace's reading. */
struct scratch {
	uint8_t *stream, *inputs;
	size_t stream_cap;
};

static int read_case(struct reader *r, const struct vt_header *h, struct vt_case *c, struct scratch *s)
{
	static const char *const init_names[] = { "initial buffer 0", "initial buffer 1", "initial buffer 2",
						  "initial buffer 3", "initial buffer 4" };
	static const char *const after_names[] = { "cpu buffer 0", "cpu buffer 1", "cpu buffer 2",
						   "cpu buffer 3", "cpu buffer 4" };
	uint8_t verdict, nsteps;
	size_t at = 0;
	int ret;

	if ((ret = get_u64(r, "index", &c->index)) || (ret = get_u64(r, "stream", &c->stream)) ||
	    (ret = get_u32(r, "stream_words", &c->stream_words)) || (ret = get_u8(r, "verdict", &verdict)) ||
	    (ret = get_u8(r, "nsteps", &nsteps)))
		return ret;
	if (c->stream_words > VT_STREAM_MAX)
		return fail(r, "stream_words", "%u: expected at most %u", c->stream_words, VT_STREAM_MAX);
	if (verdict > 1)
		return fail(r, "verdict", "%u: expected 0 (differed) or 1 (agreed)", verdict);
	if (!nsteps || nsteps > VT_MAX_STEPS)
		return fail(r, "nsteps", "%u: expected 1..%u", nsteps, VT_MAX_STEPS);
	c->agreed = verdict;
	c->nsteps = nsteps;
	for (int i = 0; i < VT_SLOTS; i++) {
		if ((ret = get_u32(r, "start", &c->start[i])))
			return ret;
		if (c->start[i] > h->region)
			return fail(r, "start", "buffer %d at +%u: expected at most the region size %u", i,
				    c->start[i], h->region);
	}
	for (unsigned i = 0; i < c->nsteps; i++) {
		r->step = (int)i;
		if ((ret = read_step(r, h, c, &c->steps[i])))
			return ret;
	}
	r->step = -1;
	if ((size_t)c->stream_words * 8 > s->stream_cap) {
		uint8_t *p = realloc(s->stream, (size_t)c->stream_words * 8);

		if (!p)
			return -ENOMEM;
		s->stream = p, s->stream_cap = (size_t)c->stream_words * 8;
	}
	vt_stream(c->stream, c->stream_words, s->stream);
	for (int i = 0; i < VT_SLOTS; i++) {
		size_t n = h->region - c->start[i];

		if ((ret = get_delta(r, init_names[i], c->init[i], n, s->stream, (size_t)c->stream_words * 8, 0)))
			return ret;
		memcpy(s->inputs + at, c->init[i], n);
		at += n;
	}
	memcpy(s->inputs + at, h->noise, h->noise_len);
	for (int i = 0, own = 0; i < VT_SLOTS; own += (int)(h->region - c->start[i]), i++)
		if ((ret = get_delta(r, after_names[i], c->after[i], h->region - c->start[i], s->inputs,
				     at + h->noise_len, (size_t)own)))
			return ret;
	if ((ret = get_u32(r, "frame_len", &c->frame_len)))
		return ret;
	if (c->frame_len > VT_FRAME_MAX)
		return fail(r, "frame_len", "%u: expected at most %u", c->frame_len, VT_FRAME_MAX);
	if ((ret = get_delta(r, "frame", c->frame, c->frame_len, s->inputs, at + h->noise_len, 0)))
		return ret;
	if (r->at != r->len)
		return fail(r, NULL, "%zu byte(s) after the frame, expected the record to end", r->len - r->at);
	return 0;
}

/* ---- records ---- */

struct state {
	struct vt_header *h;
	struct vt_case c;
	struct scratch s;
	unsigned have;		/* bits: INFO, CPUI, TRAI, NOIS seen */
	bool started, ended;
	const struct vt_reader_ops *ops;
	void *ctx;
};

enum { HAVE_INFO = 1, HAVE_CPUID = 2, HAVE_TRAITS = 4, HAVE_NOISE = 8, HAVE_ALL = 15 };

static int alloc_case(struct state *st)
{
	size_t region = st->h->region;

	for (int i = 0; i < VT_SLOTS; i++) {
		st->c.init[i] = malloc(region);
		st->c.after[i] = malloc(region);
		if (!st->c.init[i] || !st->c.after[i])
			return -ENOMEM;
	}
	st->c.frame = malloc(VT_FRAME_MAX);
	st->s.inputs = malloc(VT_SLOTS * region + VT_NOISE_MAX);
	return st->c.frame && st->s.inputs ? 0 : -ENOMEM;
}

static void free_state(struct state *st)
{
	for (int i = 0; i < VT_SLOTS; i++) {
		free(st->c.init[i]);
		free(st->c.after[i]);
	}
	free(st->c.frame);
	free(st->s.inputs);
	free(st->s.stream);
	if (st->h)
		xs_cpu_free(st->h->cpu);
	free(st->h);
}

static int once(struct reader *r, struct state *st, unsigned bit)
{
	if (st->have & bit)
		return fail(r, NULL, "a second record of this type, expected one per trace");
	if (st->started)
		return fail(r, NULL, "after the first CASE, expected INFO, CPUI, TRAI and NOIS before it");
	if (bit != HAVE_INFO && !(st->have & HAVE_INFO))
		return fail(r, NULL, "before INFO, expected INFO as the first record");
	st->have |= bit;
	return 0;
}

static int begin_cases(struct reader *r, struct state *st)
{
	static const char *const names[] = { "INFO", "CPUI", "TRAI", "NOIS" };
	int ret;

	for (unsigned i = 0; i < 4; i++)
		if (!(st->have & 1u << i))
			return fail(r, NULL, "a CASE before any %s record, expected INFO, CPUI, TRAI and NOIS first",
				    names[i]);
	st->started = true;
	if ((ret = alloc_case(st)))
		return ret;
	return st->ops->header ? st->ops->header(st->ctx, st->h) : 0;
}

static int one_record(struct reader *r, struct state *st)
{
	char type[5];
	uint64_t count;
	int ret;

	if (st->ended)
		return fail(r, NULL, "a record after END, expected the body to end");
	switch (r->type) {
	case VT_REC_INFO:
		if (st->have)
			return fail(r, NULL, "INFO after other records, expected it first and once");
		st->have = HAVE_INFO;
		return read_info(r, st->h);
	case VT_REC_CPUID:
		return (ret = once(r, st, HAVE_CPUID)) ? ret : read_cpuid(r, st->h);
	case VT_REC_TRAITS:
		return (ret = once(r, st, HAVE_TRAITS)) ? ret : each_pair(r, trait_pair, st->h);
	case VT_REC_NOISE:
		if ((ret = once(r, st, HAVE_NOISE)))
			return ret;
		if (r->len > VT_NOISE_MAX)
			return fail(r, NULL, "%zu bytes of noise, expected at most %u", r->len, VT_NOISE_MAX);
		memcpy(st->h->noise, r->p, r->len);
		st->h->noise_len = (uint32_t)r->len;
		return 0;
	case VT_REC_CASE:
		r->cases++;
		if (!st->started && (ret = begin_cases(r, st)))
			return ret;
		if ((ret = read_case(r, st->h, &st->c, &st->s)))
			return ret;
		return st->ops->one_case ? st->ops->one_case(st->ctx, st->h, &st->c) : 0;
	case VT_REC_END:
		if ((ret = get_u64(r, "case count", &count)))
			return ret;
		if (count != r->cases)
			return fail(r, "case count", "%llu, but the trace holds %lu CASE record(s)",
				    (unsigned long long)count, r->cases);
		if (r->at != r->len)
			return fail(r, NULL, "%zu byte(s) after the case count", r->len - r->at);
		if (!st->started && (ret = begin_cases(r, st)))
			return ret;
		st->ended = true;
		return 0;
	default:
		return fail(r, NULL, "unknown type 0x%08x ('%s'), expected INFO, CPUI, TRAI, NOIS, CASE or END",
			    r->type, type_name(r->type, type));
	}
}

/* Records out of the decompressed bytes in buf[0..len): how many bytes they used. */
static int parse_records(struct reader *r, struct state *st, const uint8_t *buf, size_t len,
			 size_t *used)
{
	size_t at = 0;
	int ret;

	while (len - at >= 8) {
		uint32_t type = le32(buf + at), n = le32(buf + at + 4);

		r->record++;
		r->type = type;
		if (n > RECORD_MAX)
			return fail(r, "length", "%u bytes, expected at most %u", n, RECORD_MAX);
		if (len - at - 8 < n) {
			r->record--;	/* not complete yet */
			break;
		}
		r->p = buf + at + 8;
		r->len = n;
		r->at = 0;
		if ((ret = one_record(r, st)))
			return ret;
		at += 8 + (size_t)n;
	}
	*used = at;
	return 0;
}

static int check_header(struct reader *r, const uint8_t *data, size_t len)
{
	uint32_t version, compression;

	if (len < VT_HEADER_SIZE)
		return fail(r, "header", "truncated: %zu byte(s), expected %u", len, VT_HEADER_SIZE);
	if (memcmp(data, VT_MAGIC, 8))
		return fail(r, "header", "not a trace: expected the magic \"XSTRACE\\x1a\" at byte 0");
	version = le32(data + 8);
	compression = le32(data + 12);
	if (version != VT_VERSION)
		return fail(r, "header", "format version %u, expected %u", version, VT_VERSION);
	if (compression != VT_COMPRESSION_ZSTD)
		return fail(r, "header", "compression %u, expected %u (zstd)", compression, VT_COMPRESSION_ZSTD);
	return 0;
}

/* The body, one zstd frame, decompressed piecewise: a record is parsed as soon as it is whole. */
static int read_body(struct reader *r, struct state *st, const uint8_t *data, size_t len)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer in = { data, len, 0 };
	uint8_t *buf = NULL;
	size_t cap = 0, have = 0, zret = 1, used = 0;
	unsigned long records;
	int ret = z ? 0 : -ENOMEM;

	while (!ret) {
		ZSTD_outBuffer out;
		uint8_t *p;

		/* parse_records() leaves less than one record (<= RECORD_MAX + 8 bytes) behind */
		if (cap - have < (1u << 16)) {
			if (!(p = realloc(buf, cap + (1u << 17)))) {
				ret = -ENOMEM;
				break;
			}
			buf = p, cap += 1u << 17;
		}
		out = (ZSTD_outBuffer){ buf + have, cap - have, 0 };
		zret = ZSTD_decompressStream(z, &out, &in);
		if (ZSTD_isError(zret)) {
			records = r->record;
			r->record = 0;
			ret = fail(r, "compressed body", "zstd: %s (after %lu whole record(s))",
				   ZSTD_getErrorName(zret), records);
			break;
		}
		have += out.pos;
		if ((ret = parse_records(r, st, buf, have, &used)))
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (!zret || (in.pos == in.size && out.pos < out.size))
			break;	/* the frame is complete, or it needs input the file lacks */
	}
	ZSTD_freeDStream(z);
	free(buf);
	if (ret)
		return ret;
	r->type = 0;
	records = r->record;
	r->record = 0;
	if (zret)
		return fail(r, NULL, "truncated: the compressed body ends inside its zstd frame, after %lu whole record(s)",
			    records);
	if (in.pos < in.size)
		return fail(r, NULL, "%zu byte(s) after the compressed body, expected the file to end",
			    in.size - in.pos);
	if (have)
		return fail(r, NULL, "truncated: %zu byte(s) of an incomplete record after record %lu", have,
			    records);
	if (!st->ended)
		return fail(r, NULL, "truncated: no END record after record %lu (%lu case(s))", records,
			    r->cases);
	return 0;
}

int vt_read(const uint8_t *data, size_t len, const char *name, const struct vt_reader_ops *ops,
	    void *ctx, char *err, size_t errsize)
{
	struct reader r = { .name = name, .err = err, .errsize = errsize, .step = -1 };
	struct state st = { .ops = ops, .ctx = ctx };
	int ret = check_header(&r, data, len);

	if (ret)
		return ret;
	st.h = calloc(1, sizeof(*st.h));
	if (st.h)
		st.h->cpu = xs_cpu_new();
	if (!st.h || !st.h->cpu) {
		free_state(&st);
		return -ENOMEM;
	}
	st.h->version = VT_VERSION;
	ret = read_body(&r, &st, data + VT_HEADER_SIZE, len - VT_HEADER_SIZE);
	free_state(&st);
	return ret;
}
