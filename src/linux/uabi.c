// SPDX-License-Identifier: MIT
/*
 * Kernel buffer <-> user ABI (standard format), as xstate.c does it:
 * __copy_xstate_to_uabi_buf() and copy_uabi_to_xstate() with
 * validate_user_xstate_header() and the MXCSR check.
 */
#include <errno.h>
#include <string.h>

#include "common/wide.h"
#include "linux/linux.h"


/*
 * XFEATURE_MASK_SUPERVISOR_ALL of this kernel. Static inline for this
 * file's hot paths: the library is built position-independent, so a call
 * to the exported function stays a call.
 */
static inline uint64_t supervisor_all(const xs_system *sys)
{
	return sys->supervisor_supported | XS_XFEATURE_MASK_INDEPENDENT |
	       XS_XFEATURE_MASK_SUPERVISOR_UNSUPPORTED;
}

uint64_t xs_supervisor_all(const xs_system *sys)
{
	return supervisor_all(sys);
}

/*
 * The offsets of a buffer whose XCOMP_BV is none of the system's shapes:
 * xfeature_get_offset() for every component of it, in one pass into
 * `scratch`.
 */
static const struct xs_buffer_layout *scratch_layout(const xs_system *sys, const xs_fpstate *fps,
						     struct xs_buffer_layout *scratch)
{
	uint64_t m = xs_hdr_word(fps->regs, 1) & (XS_BIT(XS_XFEATURE_MAX) - 1) & ~XS_XFEATURE_MASK_FPSSE;
	unsigned offs = XS_XSAVE_LEGACY_AND_HDR;

	scratch->standard = false;
	scratch->offset[0] = 0;
	scratch->offset[1] = XS_LEG_XMM;
	for (; m; m &= m - 1) {	/* set bits only, ascending */
		unsigned nr = (unsigned)__builtin_ctzll(m);

		if (xs_aligned64(sys, nr))
			offs = XS_ALIGN(offs, 64u);
		scratch->offset[nr] = offs;
		offs += sys->xstate_sizes[nr];
	}
	return scratch;
}

/* The fpstate's layout if it is one of the system's precomputed shapes, else NULL. */
static inline const struct xs_buffer_layout *layout_of(const xs_system *sys, uint64_t xcomp_bv)
{
	_Static_assert(XS_BUFFER_SHAPES == 4, "one test per shape");
	/* each a pointer of its own (no index to multiply: one register fewer) */
	if (sys->shape_xcomp_bv[0] == xcomp_bv)
		return &sys->layouts[0];
	if (sys->shape_xcomp_bv[1] == xcomp_bv)
		return &sys->layouts[1];
	if (sys->shape_xcomp_bv[2] == xcomp_bv)
		return &sys->layouts[2];
	if (sys->shape_xcomp_bv[3] == xcomp_bv)
		return &sys->layouts[3];
	return NULL;
}

static inline const struct xs_buffer_layout *kernel_layout_known(const xs_system *sys, const xs_fpstate *fps)
{
	return layout_of(sys, xs_hdr_word(fps->regs, 1));
}

/* Offsets of every component in the fpstate's own buffer: its shape's, or computed into `scratch`. */
static const struct xs_buffer_layout *kernel_layout(const xs_system *sys, const xs_fpstate *fps,
						    struct xs_buffer_layout *scratch)
{
	const struct xs_buffer_layout *l = kernel_layout_known(sys, fps);

	return l ? l : scratch_layout(sys, fps, scratch);
}

/*
 * A copy plan: segments (source, destination offset, length; NULL source
 * means zeroes) merged where both sides continue each other, so a buffer
 * whose layout matches the fpstate's is moved with a few large memcpys.
 */
struct plan {
	struct seg {
		const uint8_t *src;
		size_t dst, len;
	} s[2 * XS_XFEATURE_MAX + 8];
	unsigned n;
};

static void plan_add(struct plan *p, const uint8_t *src, size_t dst, size_t len)
{
	struct seg *l = p->n ? &p->s[p->n - 1] : NULL;

	if (!len)
		return;
	if (l && l->dst + l->len == dst && (src ? l->src && l->src + l->len == src : !l->src)) {
		l->len += len;
		return;
	}
	p->s[p->n++] = (struct seg){ src, dst, len };
}

/* Out of line for the same reason as xs_zero(). */
__attribute__((noinline)) static void plan_run(const struct plan *p, uint8_t *out, size_t len)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct seg *sg = &p->s[i];
		size_t n;

		if (sg->dst >= len)
			break;
		n = sg->len < len - sg->dst ? sg->len : len - sg->dst;
		if (sg->src)
			memcpy(out + sg->dst, sg->src, n);
		else
			memset(out + sg->dst, 0, n);
	}
}

/*
 * Copies emitted in destination order and run as soon as they stop
 * continuing each other: the plan without its array, for one pass over a
 * compacted buffer's XCOMP_BV (no layout table to build first).
 */
struct run {
	const uint8_t *src;	/* NULL: zeroes */
	size_t dst, len;
};

static inline void run_flush(const struct run *r, uint8_t *out)
{
	if (!r->len)
		return;
	if (r->src)
		memcpy(out + r->dst, r->src, r->len);
	else
		xs_zero(out + r->dst, r->len);
}

static inline void run_add(struct run *r, uint8_t *out, const uint8_t *src, size_t dst, size_t len)
{
	if (r->dst + r->len == dst && (src ? r->src && r->src + r->len == src : !r->src)) {
		r->len += len;
		return;
	}
	run_flush(r, out);
	*r = (struct run){ src, dst, len };
}

/* ---- copy plans, built once per kernel buffer shape ------------------------ */

/* xs_copy_piece.src: zeros instead of an offset. */
#define PIECE_ZERO UINT32_MAX

/* Append a piece; a copy that continues the last one on both sides extends it. */
static void piece_add(struct xs_copy_plan *p, uint32_t dst, uint32_t src, uint32_t len)
{
	struct xs_copy_piece *l = p->n ? &p->piece[p->n - 1] : NULL;

	if (!len)
		return;
	if (l && src != PIECE_ZERO && l->src != PIECE_ZERO && l->dst + l->len == dst && l->src + l->len == src) {
		l->len += len;
		return;
	}
	p->piece[p->n++] = (struct xs_copy_piece){ dst, src, len };
}

/*
 * Kernel -> UABI (XSAVE mode, a buffer that holds every component): what
 * xs_copy_xstate_to_uabi() writes when every component of `user` is in
 * use. The legacy area (bytes 416..575 are written apart: padding,
 * software words, header), then the components in standard-offset order
 * with zeros in the gaps. A buffer whose user part is the standard format
 * (l->standard) is copied as it is; PKRU is no piece (the copy goes around
 * its slot): the given value's bytes (pkru_at, pkru_len) are written apart,
 * the rest of the slot left alone, as the component walk does. The pieces
 * never fill the array: a zero-length piece ends them (to_uabi_wide()).
 */
static void plan_to_uabi(const xs_system *sys, struct xs_buffer_layout *l, uint64_t user)
{
	struct xs_copy_plan *p = &l->to_uabi;
	unsigned end = XS_XSAVE_LEGACY_AND_HDR;

	piece_add(p, 0, 0, XS_LEG_PAD);
	if (l->standard) {
		unsigned user_end = l->user_end > end ? l->user_end : end;

		/* the copy around PKRU's slot */
		if (p->pkru_len) {
			if (p->pkru_at < end || p->pkru_at + p->pkru_len > user_end)
				goto none;
			piece_add(p, end, end, p->pkru_at - end);
			end = p->pkru_at + p->pkru_len;
		}
		piece_add(p, end, end, user_end - end);
		end = user_end;
	}
	for (unsigned k = 0; k < sys->n_uncompact && !l->standard; k++) {
		unsigned nr = sys->uncompact_order[k];
		unsigned o = sys->xstate_offsets[nr], size = sys->xstate_sizes[nr];

		if (!(user & XS_BIT(nr)))
			continue;
		/* overlapping components (a hypervisor's zero sub-leaf): the order would matter */
		if (o < end)
			goto none;
		if (o > end)
			piece_add(p, end, PIECE_ZERO, o - end);
		if (nr != XS_XFEATURE_PKRU)	/* its slot: pkru_at */
			piece_add(p, o, l->offset[nr], size);
		if (o + size > end)
			end = o + size;
	}
	p->end = end;
	p->two_copies = p->n <= 2 && p->piece[p->n - 1].src != PIECE_ZERO && !p->pkru_len;
	return;
none:	/* no plan: every copy takes the general path */
	memset(p, 0, sizeof(*p));
}

/*
 * UABI -> kernel, what load_uabi() copies when the header has x87, SSE
 * and every user component of the shape: each component from its
 * standard offset to its place in the kernel buffer, in component order.
 */
static void plan_from_uabi(const xs_system *sys, struct xs_buffer_layout *l, uint64_t user)
{
	struct xs_copy_plan *p = &l->from_uabi;

	for (uint64_t m = user; m; m &= m - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(m);
		unsigned dst = l->offset[nr], size = sys->xstate_sizes[nr];

		piece_add(p, dst, sys->xstate_offsets[nr], size);
		if (dst + size > p->end)
			p->end = dst + size;
	}
}

/*
 * What to_uabi_wide() / from_uabi_wide() run: the legacy area up to its
 * padding first (x87 and SSE: in every plan), every copy and zero piece 8
 * bytes or more, the zero-length piece after the last, PKRU's slot (if
 * any) the 8 bytes of struct pkru_state.
 */
static bool plan_is_wide(const struct xs_copy_plan *p)
{
	if (p->n >= XS_ARRAY_SIZE(p->piece) || (p->pkru_len && p->pkru_len != 8) || !p->n ||
	    p->piece[0].dst || p->piece[0].src || p->piece[0].len != XS_LEG_PAD)
		return false;
	for (unsigned i = 0; i < p->n; i++)
		if (p->piece[i].len < 8)
			return false;
	return true;
}

void xs_uabi_plan_init(const xs_system *sys, struct xs_buffer_layout *l, uint64_t features)
{
	uint64_t user = (features & sys->user.max_features) | XS_XFEATURE_MASK_FPSSE;

	memset(&l->to_uabi, 0, sizeof(l->to_uabi));
	memset(&l->from_uabi, 0, sizeof(l->from_uabi));
	l->to_uabi.xfeatures = l->from_uabi.xfeatures = user;
	l->to_uabi.word = sys->user.max_features;
	l->from_uabi.word = supervisor_all(sys);
	if (user & XS_XFEATURE_MASK_PKRU) {
		l->to_uabi.pkru_at = l->from_uabi.pkru_at = sys->xstate_offsets[XS_XFEATURE_PKRU];
		l->to_uabi.pkru_len = l->from_uabi.pkru_len = xs_pkru_bytes(sys);
	}
	plan_to_uabi(sys, l, user);
	plan_from_uabi(sys, l, user);
	l->to_uabi.wide = plan_is_wide(&l->to_uabi);
	l->from_uabi.wide = plan_is_wide(&l->from_uabi);
}

/* ---- kernel -> UABI --------------------------------------------------- */

/* The legacy area: each piece from the fpstate if in use, else from init_fpstate. */
static void plan_legacy(struct plan *p, const xs_system *sys, const uint8_t *x, uint64_t xfeatures)
{
	const uint8_t *init = sys->init_fpstate_legacy;
	bool fp = xfeatures & XS_XFEATURE_MASK_FP;

	plan_add(p, fp ? x : init, 0, XS_LEG_MXCSR);
	/* MXCSR belongs to SSE, but YMM needs it too */
	plan_add(p, (xfeatures & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM) ? x : init) + XS_LEG_MXCSR,
		 XS_LEG_MXCSR, 8);
	plan_add(p, (fp ? x : init) + 32, 32, 128);
	plan_add(p, (xfeatures & XS_XFEATURE_MASK_SSE ? x : init) + XS_LEG_XMM, XS_LEG_XMM, XS_LEG_XMM_SIZE);
}

/*
 * The fast path for a buffer whose user part is already the standard format:
 * one copy, then what the kernel writes differently — init values for the
 * legacy parts and components not in use, the software words and header,
 * the given PKRU.
 */
static void copy_standard_layout(const xs_system *sys, const xs_fpstate *fps,
				 const struct xs_buffer_layout *l, uint64_t xfeatures, uint32_t pkru,
				 uint8_t *out, size_t len)
{
	const uint8_t *init = sys->init_fpstate_legacy;
	size_t n = l->user_end < len ? l->user_end : len;
	uint64_t absent = fps->user_xfeatures & ~xfeatures & ~XS_XFEATURE_MASK_FPSSE;

	memcpy(out, fps->regs, n);
	if (n < len)
		xs_zero(out + n, len - n);
	if (!(xfeatures & XS_XFEATURE_MASK_FP)) {
		memcpy(out, init, XS_LEG_MXCSR);
		memcpy(out + 32, init + 32, 128);
	}
	if (!(xfeatures & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)))
		memcpy(out + XS_LEG_MXCSR, init + XS_LEG_MXCSR, 8);
	if (!(xfeatures & XS_XFEATURE_MASK_SSE))
		xs_zero(out + XS_LEG_XMM, XS_LEG_XMM_SIZE);
	xs_zero(out + XS_LEG_PAD, XS_XSAVE_LEGACY_AND_HDR - XS_LEG_PAD);
	memcpy(out + XS_SW_BYTES_OFFSET, &sys->user.max_features, 8);
	memcpy(out + XS_XSAVE_HDR_OFFSET, &xfeatures, 8);
	for (; absent; absent &= absent - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(absent);

		if (sys->xstate_offsets[nr] < n)
			xs_zero(out + sys->xstate_offsets[nr], sys->xstate_sizes[nr]);
	}
	if (xfeatures & XS_XFEATURE_MASK_PKRU)
		xs_pkru_write(sys, out, pkru);
}

/*
 * XSAVE mode from a compacted buffer with x87 and SSE in use, into a
 * buffer that holds every standard offset: one pass over XCOMP_BV in
 * component order, computing compacted offsets as it goes, each byte
 * written once, in ascending order, contiguous pieces as one copy, small
 * stores (software words, header, PKRU) written directly and never after
 * a large copy of the same call: a store behind a `rep movsb` waits for
 * all of it, and a stack buffer copied out right after being built misses
 * store forwarding. The standard offsets must rise with the component
 * number (all but APX layouts); false when they do not, and the caller
 * takes the general path.
 */
static bool copy_compacted_in_order(const xs_system *sys, const xs_fpstate *fps, uint64_t xfeatures,
				    uint32_t pkru, uint8_t *out, size_t len)
{
	const uint8_t *x = fps->regs;
	uint64_t m = xs_hdr_word(x, 1) & (XS_BIT(XS_XFEATURE_MAX) - 1) & ~XS_XFEATURE_MASK_FPSSE;
	size_t offs = XS_XSAVE_LEGACY_AND_HDR, end = XS_XSAVE_LEGACY_AND_HDR;
	struct run r = { NULL, XS_XSAVE_LEGACY_AND_HDR, 0 };

	/* the legacy area, then bytes 416..575, before anything large */
	memcpy(out, x, XS_LEG_PAD);
	/* stores only: a stack copy read back would miss store forwarding */
	xs_zero(out + XS_LEG_PAD, XS_XSAVE_LEGACY_AND_HDR - XS_LEG_PAD);
	xs_st64(out + XS_SW_BYTES_OFFSET, sys->user.max_features);
	xs_st64(out + XS_XSAVE_HDR_OFFSET, xfeatures);
	for (; m; m &= m - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(m);
		size_t size = sys->xstate_sizes[nr], o = sys->xstate_offsets[nr];

		if (xs_aligned64(sys, nr))
			offs = XS_ALIGN(offs, 64u);
		if (xfeatures & XS_BIT(nr)) {
			if (o < end)
				return false;
			if (o > end)
				run_add(&r, out, NULL, end, o - end);
			if (nr == XS_XFEATURE_PKRU) {
				/* PKRU may be stale in the buffer: the given value wins */
				run_flush(&r, out);
				xs_pkru_write(sys, out, pkru);
				r = (struct run){ NULL, o + size, 0 };
			} else {
				run_add(&r, out, x + offs, o, size);
			}
			end = o + size;
		}
		offs += size;
	}
	if (end < len)
		run_add(&r, out, NULL, end, len - end);
	run_flush(&r, out);
	return true;
}

/*
 * The plan (xs_uabi_plan_init) that covers this copy, or NULL: a known
 * shape, x87, SSE and all its user components in use and asked for, and
 * a buffer that holds them all. The XSTATE_BV the copy writes is then the
 * plan's.
 */
static inline const struct xs_copy_plan *to_uabi_plan(const xs_system *sys, const xs_fpstate *fps,
						      uint64_t mask, enum xs_copy_mode mode, size_t len)
{
	const struct xs_buffer_layout *l;
	const struct xs_copy_plan *p;
	uint64_t bv, xcomp_bv;

	if (mode != XS_COPY_XSAVE)
		return NULL;
	/* both header words first: the buffer's address is then free for other use */
	bv = xs_hdr_word(fps->regs, 0) & mask;
	xcomp_bv = xs_hdr_word(fps->regs, 1);
	if (!(l = layout_of(sys, xcomp_bv)))
		return NULL;
	p = &l->to_uabi;
	if (fps->user_xfeatures != p->xfeatures || (bv & p->xfeatures) != p->xfeatures || len < p->end)
		return NULL;
	return p;
}

/* What zero pieces up to 256 bytes are copied from (copy_piece). */
static const uint8_t zeros[256];

/*
 * A piece's copy. The sizes components usually have (64: AVX-512 opmask,
 * TILECFG; 128: MPX, APX, the MPX gap; 256: AVX) spelled out as
 * constants, which the compiler copies with a few vector moves where a
 * call would cost as much as the copy; anything else through the C
 * library (xs_copy: a size the compiler cannot bound).
 */
static inline void copy_piece(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	switch (len) {
	case 64: memcpy(dst, src, 64); break;
	case 128: memcpy(dst, src, 128); break;
	case 256: memcpy(dst, src, 256); break;
	default: xs_copy(dst, src, len); break;
	}
}

/* One piece of a kernel -> UABI plan. */
static inline void to_uabi_piece(const struct xs_copy_piece *c, const uint8_t *x, uint8_t *out)
{
	if (c->src != PIECE_ZERO)
		copy_piece(out + c->dst, x + c->src, c->len);
	else if (c->len <= sizeof(zeros) && !(c->len & 63))
		copy_piece(out + c->dst, zeros, c->len);
	else
		xs_zero(out + c->dst, c->len);
}

typedef uint8_t xs_v16 __attribute__((vector_size(16)));

static inline void put_zero16(uint8_t *p)
{
	const xs_v16 z = { 0 };

	memcpy(p, &z, sizeof(z));
}

/*
 * Bytes 416..575 of a UABI buffer: zeros but for the user XCR0 (software
 * word 0, at 464) and XSTATE_BV (512). Plain 16- and 8-byte stores: a
 * memset of this size becomes `rep stosq` (slow to start), a template
 * would add a load per store.
 */
static inline void put_uabi_words(uint8_t *out, uint64_t user_xcr0, uint64_t xfeatures)
{
	uint8_t *p = out + XS_LEG_PAD;

	put_zero16(p);
	put_zero16(p + 16);
	put_zero16(p + 32);
	xs_st64(p + (XS_SW_BYTES_OFFSET - XS_LEG_XMM - XS_LEG_XMM_SIZE), user_xcr0);
	xs_st64(p + 56, 0);
	put_zero16(p + 64);
	put_zero16(p + 80);
	xs_st64(p + (XS_XSAVE_HDR_OFFSET - XS_LEG_XMM - XS_LEG_XMM_SIZE), xfeatures);
	xs_st64(p + 104, 0);
	put_zero16(p + 112);
	put_zero16(p + 128);
	put_zero16(p + 144);
}

/* ---- planned copies with 32-byte moves ---------------------------------- */

/*
 * Where the host has AVX the plans run as straight 32-byte loads and
 * stores. A copy of a few hundred bytes is bound by its stores (one a
 * cycle on the CPUs measured, 16 bytes or 32) and, when the core is
 * shared, by its instructions; what it costs beyond a memcpy of the buffer
 * is what it adds to either. Hence: no call to the C library per piece
 * (its size dispatch, the overlapping head and tail stores of each call),
 * no 16-byte moves (SSE: twice the stores), no push, spill or argument on
 * the stack (each a store): leaf functions of at most six arguments,
 * entered by a tail call, that read the plan (what they need of the system
 * is copied into it) and move every piece with moves that may overlap at
 * its end rather than loops over what is left. The host's CPUID is
 * libgcc's record (filled before main, only read here); with AVX or
 * without, the same bytes are written. The moves: common/wide.h.
 */
#ifdef XS_HAVE_WIDE
#define UABI_WIDE 1

_Static_assert(XS_LEG_PAD == 3 * 128 + 32 && XS_SW_BYTES_OFFSET == XS_LEG_PAD + 48 &&
		       XS_XSAVE_HDR_OFFSET == XS_LEG_PAD + 96 && XS_XSAVE_LEGACY_AND_HDR == XS_LEG_PAD + 160,
	       "copy_legacy(); bytes 416..575 are five 32-byte stores");

static void to_uabi_xsave(const xs_system *sys, const xs_fpstate *fps, uint64_t mask, uint32_t pkru,
			  uint8_t *out, size_t len);

/* Zeros from `end` to `len` (any count). */
WIDE static inline void zero_tail(uint8_t *out, size_t end, size_t len)
{
	if (len - end >= 8) {
		zero_wide(out + end, len - end);
		return;
	}
	for (; end < len; end++) {
		out[end] = 0;
		OPAQUE(end);
	}
}

/*
 * xs_copy_xstate_to_uabi() in XSAVE mode on a host with AVX, for a plan
 * that allows it (plan->wide): zeros after the plan's end, bytes 416..575
 * (put_uabi_words() in five stores), PKRU, then the pieces; the bytes
 * run_to_uabi() and the two-copy path write (no piece overlaps another or
 * PKRU's slot, so the order is free). Anything else as without AVX.
 */
WIDE __attribute__((noinline)) static void to_uabi_wide(const xs_system *sys, const xs_fpstate *fps,
							uint64_t mask, uint32_t pkru, uint8_t *out, size_t len)
{
	const struct xs_copy_plan *p = to_uabi_plan(sys, fps, mask, XS_COPY_XSAVE, len);
	const __m256i z = _mm256_setzero_si256();
	const uint8_t *x;

	if (!p || !p->wide) {
		to_uabi_xsave(sys, fps, mask, pkru, out, len);
		return;
	}
	/* fps->regs read again: kept from the checks it would hold a register all along */
	OPAQUE(fps);
	x = fps->regs;
	if (p->end < len)
		zero_tail(out, p->end, len);
	st32(out + XS_LEG_PAD, z);
	st32(out + XS_LEG_PAD + 32, _mm256_set_epi64x(0, (long long)p->word, 0, 0));	/* 464: word 0 */
	st32(out + XS_LEG_PAD + 64, z);
	st32(out + XS_LEG_PAD + 96, _mm256_set_epi64x(0, 0, 0, (long long)p->xfeatures));	/* 512 */
	st32(out + XS_LEG_PAD + 128, z);
	if (p->pkru_len)	/* 8 bytes (plan_is_wide()): the value, then zeros */
		xs_st64(out + p->pkru_at, pkru);
	copy_legacy(out, x);	/* the first piece (plan_is_wide()) */
	for (const struct xs_copy_piece *c = p->piece + 1; c->len; c++) {
		if (c->src != PIECE_ZERO)
			copy_wide(out + c->dst, x + c->src, c->len);
		else
			zero_wide(out + c->dst, c->len);
	}
}

#endif

/* Every piece of the plan, and PKRU in its slot. */
__attribute__((noinline)) static void run_to_uabi(const xs_system *sys, const struct xs_copy_plan *p,
						  const uint8_t *x, uint32_t pkru, uint8_t *out)
{
	for (const struct xs_copy_piece *c = p->piece; c < p->piece + p->n; c++)
		to_uabi_piece(c, x, out);
	if (p->pkru_len)
		xs_pkru_write(sys, out, pkru);
}

/*
 * Every other copy: component by component (out of line, so that the
 * planned copy above stays a short function).
 */
__attribute__((noinline)) static void copy_to_uabi_general(const xs_system *sys, const xs_fpstate *fps,
							   uint64_t mask, uint32_t pkru,
							   enum xs_copy_mode mode, void *out, size_t len)
{
	struct plan p;	/* only n is initialised: the segments are written as added */
	struct xs_buffer_layout scratch;
	const struct xs_buffer_layout *l;
	/* bytes 416..575: padding (zero), the software words (word 0: the user XCR0), the header */
	uint8_t words[XS_XSAVE_LEGACY_AND_HDR - XS_LEG_PAD], pk[8] = { 0 };
	const uint8_t *x = fps->regs;
	uint64_t xfeatures = xs_hdr_word(x, 0);
	unsigned zerofrom = XS_LEG_PAD, k = 0;

	p.n = 0;
	xfeatures &= mode == XS_COPY_FP ? XS_XFEATURE_MASK_FP
		   : mode == XS_COPY_FX ? XS_XFEATURE_MASK_FPSSE
		   : fps->user_xfeatures & mask;
	l = kernel_layout_known(sys, fps);
	if (mode == XS_COPY_XSAVE && !(l && l->standard) &&
	    (xfeatures & XS_XFEATURE_MASK_FPSSE) == XS_XFEATURE_MASK_FPSSE && len >= sys->user.max_size &&
	    (xs_hdr_word(x, 1) & XS_XCOMP_BV_COMPACTED_FORMAT) &&
	    copy_compacted_in_order(sys, fps, xfeatures, pkru, out, len))
		return;
	if (!l)
		l = scratch_layout(sys, fps, &scratch);
	if (mode == XS_COPY_XSAVE && l->standard && len >= XS_XSAVE_LEGACY_AND_HDR) {
		copy_standard_layout(sys, fps, l, xfeatures, pkru, out, len);
		return;
	}
	if (mode != XS_COPY_XSAVE) {
		plan_legacy(&p, sys, x, xfeatures);
	} else if ((xfeatures & XS_XFEATURE_MASK_FPSSE) == XS_XFEATURE_MASK_FPSSE) {
		/*
		 * The legacy area and the components the kernel buffer holds at
		 * their standard offsets right after the header (YMM in every
		 * compacted layout) go as one copy; bytes 416..575 are then
		 * overwritten by the next segment.
		 */
		unsigned end = XS_XSAVE_LEGACY_AND_HDR;

		for (; k < sys->n_uncompact; k++) {
			unsigned nr = sys->uncompact_order[k];

			if (!(xfeatures & XS_BIT(nr)) || nr == XS_XFEATURE_PKRU || sys->xstate_offsets[nr] != end ||
			    l->offset[nr] != end)
				break;
			end += sys->xstate_sizes[nr];
		}
		plan_add(&p, x, 0, end);
		zerofrom = end;
	} else {
		plan_legacy(&p, sys, x, xfeatures);
	}
	if (mode == XS_COPY_XSAVE) {
		xs_zero(words, sizeof(words));
		memcpy(words + (XS_SW_BYTES_OFFSET - XS_LEG_XMM - XS_LEG_XMM_SIZE), &sys->user.max_features, 8);
		memcpy(words + (XS_XSAVE_HDR_OFFSET - XS_LEG_XMM - XS_LEG_XMM_SIZE), &xfeatures, 8);
		p.s[p.n++] = (struct seg){ words, XS_LEG_PAD, sizeof(words) };
		if (zerofrom < XS_XSAVE_LEGACY_AND_HDR)
			zerofrom = XS_XSAVE_LEGACY_AND_HDR;
		memcpy(pk, &pkru, 4);
		for (; k < sys->n_uncompact; k++) {
			unsigned nr = sys->uncompact_order[k];
			unsigned o = sys->xstate_offsets[nr], size = sys->xstate_sizes[nr];

			if (!(xfeatures & XS_BIT(nr)))
				continue;
			if (zerofrom < o)
				plan_add(&p, NULL, zerofrom, o - zerofrom);
			/* PKRU may be stale in the buffer: the given value wins */
			plan_add(&p, nr == XS_XFEATURE_PKRU ? pk : x + l->offset[nr], o,
				 nr == XS_XFEATURE_PKRU ? xs_pkru_bytes(sys) : size);
			/* never backwards: a hypervisor may answer a sub-leaf with zeros */
			if (o + size > zerofrom)
				zerofrom = o + size;
		}
	}
	if (zerofrom < len)
		plan_add(&p, NULL, zerofrom, len - zerofrom);
	plan_run(&p, out, len);
}

/*
 * A plan without AVX. Most often (a buffer whose user part is the standard
 * format) it is at most two copies, the legacy area and every component at
 * once: those inline, since the bookkeeping of a loop around the calls
 * costs as much as copying a hundred bytes here.
 */
static inline void to_uabi_narrow(const struct xs_copy_plan *p, const xs_fpstate *fps, const xs_system *sys,
				  uint32_t pkru, size_t len, uint8_t *out)
{
	const uint8_t *x = fps->regs;

	put_uabi_words(out, p->word, p->xfeatures);
	if (p->end < len)
		xs_zero(out + p->end, len - p->end);
	if (!p->two_copies) {
		run_to_uabi(sys, p, x, pkru, out);
		return;
	}
	if (p->n == 2)
		memcpy(out + p->piece[1].dst, x + p->piece[1].src, p->piece[1].len);
	memcpy(out + p->piece[0].dst, x + p->piece[0].src, p->piece[0].len);
}

/* The shape's plan where one covers the copy, else the general path. */
__attribute__((noinline)) static void to_uabi_planned(const xs_system *sys, const xs_fpstate *fps, uint64_t mask,
						      uint32_t pkru, enum xs_copy_mode mode, void *out,
						      size_t len)
{
	const struct xs_copy_plan *p = to_uabi_plan(sys, fps, mask, mode, len);

	if (!p) {
		copy_to_uabi_general(sys, fps, mask, pkru, mode, out, len);
		return;
	}
	to_uabi_narrow(p, fps, sys, pkru, len, out);
}

#ifdef UABI_WIDE
/* to_uabi_wide()'s way out: six arguments in, seven out. */
__attribute__((noinline)) static void to_uabi_xsave(const xs_system *sys, const xs_fpstate *fps, uint64_t mask,
						    uint32_t pkru, uint8_t *out, size_t len)
{
	to_uabi_planned(sys, fps, mask, pkru, XS_COPY_XSAVE, out, len);
}
#endif

/*
 * Only tail calls from here, with at most the arguments it was given: the
 * caller's registers stay where they are, nothing is pushed.
 */
void xs_copy_xstate_to_uabi(const xs_system *sys, const xs_fpstate *fps, uint64_t mask,
			    uint32_t pkru, enum xs_copy_mode mode, void *out, size_t len)
{
#ifdef UABI_WIDE
	if (mode == XS_COPY_XSAVE && xs_host_has_avx()) {
		to_uabi_wide(sys, fps, mask, pkru, out, len);
		return;
	}
#endif
	to_uabi_planned(sys, fps, mask, pkru, mode, out, len);
}

/* ---- UABI -> kernel --------------------------------------------------- */

/* validate_user_xstate_header() */
static int validate_user_xstate_header(const xs_fpstate *fps, const uint8_t *hdr,
				       struct xs_verdict *v)
{
	uint64_t xfeatures = xs_ld64(hdr), xcomp_bv = xs_ld64(hdr + 8), bad;

	bad = xfeatures & ~fps->user_xfeatures;
	if (bad) {
		xs_verdict_set(v, -EINVAL, "header.xstate_bv", "validate_user_xstate_header",
			       "XSTATE_BV 0x%llx has bits 0x%llx outside the task's user_xfeatures 0x%llx (unknown, supervisor, disabled or not-yet-permitted components)",
			       (unsigned long long)xfeatures, (unsigned long long)bad,
			       (unsigned long long)fps->user_xfeatures);
		return -EINVAL;
	}
	if (xcomp_bv) {
		xs_verdict_set(v, -EINVAL, "header.xcomp_bv", "validate_user_xstate_header",
			       "XCOMP_BV is 0x%llx: user buffers must use the standard (non-compacted) format",
			       (unsigned long long)xcomp_bv);
		return -EINVAL;
	}
	/* the 48 reserved bytes: six words at once, bytes only to report */
	if (xs_ld64(hdr + 16) | xs_ld64(hdr + 24) | xs_ld64(hdr + 32) | xs_ld64(hdr + 40) | xs_ld64(hdr + 48) |
	    xs_ld64(hdr + 56)) {
		for (unsigned i = 16; i < XS_XSAVE_HDR_SIZE; i++) {
			if (hdr[i]) {
				xs_verdict_set(v, -EINVAL, "header.reserved", "validate_user_xstate_header",
					       "reserved header byte %u (buffer offset %u) is 0x%02x, must be 0",
					       i - 16, XS_XSAVE_HDR_OFFSET + i, hdr[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The MXCSR check of copy_uabi_to_xstate(): only when FP, SSE or YMM are loaded. */
static int check_mxcsr(const xs_system *sys, const uint8_t *buf, uint64_t xfeatures,
		       struct xs_verdict *v)
{
	uint32_t mxcsr = xs_ld32(buf + XS_LEG_MXCSR);

	if (!(xfeatures & (XS_XFEATURE_MASK_FP | XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)))
		return 0;
	if (mxcsr & ~sys->mxcsr_feature_mask) {
		xs_verdict_set(v, -EINVAL, "mxcsr.reserved", "copy_uabi_to_xstate",
			       "MXCSR 0x%08x sets bits 0x%08x outside the MXCSR mask 0x%08x", mxcsr,
			       mxcsr & ~sys->mxcsr_feature_mask, sys->mxcsr_feature_mask);
		return -EINVAL;
	}
	return 0;
}

/* The bytes the kernel reads for the header's components must exist. */
static int check_length(const xs_system *sys, size_t len, uint64_t xfeatures, struct xs_verdict *v)
{
	size_t need;

	if (len >= sys->user.max_size)
		return 0;	/* every user component fits */
	need = xs_standard_size_of(xfeatures & XS_MODELLED_MASK, sys->xstate_offsets, sys->xstate_sizes);
	if (len < need) {
		xs_verdict_set(v, -EFAULT, "length", "copy_uabi_to_xstate",
			       "the buffer has %zu bytes; its header selects components up to byte %zu",
			       len, need);
		return -EFAULT;
	}
	return 0;
}

int xs_uabi_validate(const xs_system *sys, const xs_fpstate *fps, const void *buf, size_t len,
		     struct xs_verdict *v)
{
	const uint8_t *b = buf;
	int ret;

	if (len < XS_XSAVE_LEGACY_AND_HDR) {
		xs_verdict_set(v, -EFAULT, "length", "copy_uabi_to_xstate",
			       "the buffer has %zu bytes; the legacy area and header need 576", len);
		return -EFAULT;
	}
	ret = validate_user_xstate_header(fps, b + XS_XSAVE_HDR_OFFSET, v);
	if (!ret)
		ret = check_mxcsr(sys, b, xs_ld64(b + XS_XSAVE_HDR_OFFSET), v);
	if (!ret)
		ret = check_length(sys, len, xs_ld64(b + XS_XSAVE_HDR_OFFSET), v);
	if (!ret && v)
		xs_verdict_set(v, 0, "accepted", "copy_uabi_to_xstate", "accepted");
	return ret;
}

/*
 * The components of a validated buffer into a compacted fpstate: one pass
 * over XCOMP_BV, compacted offsets computed as it goes (they always rise).
 */
static void load_compacted(const xs_system *sys, xs_fpstate *fps, const uint8_t *b, uint64_t xfeatures)
{
	uint8_t *x = fps->regs;
	uint64_t m = xs_hdr_word(x, 1) & (XS_BIT(XS_XFEATURE_MAX) - 1) & ~XS_XFEATURE_MASK_FPSSE;
	size_t offs = XS_XSAVE_LEGACY_AND_HDR;
	struct run r = { NULL, 0, 0 };

	if (xfeatures & XS_XFEATURE_MASK_FP)
		run_add(&r, x, b, 0, sys->xstate_sizes[XS_XFEATURE_FP]);
	if (xfeatures & XS_XFEATURE_MASK_SSE)
		run_add(&r, x, b + XS_LEG_XMM, XS_LEG_XMM, sys->xstate_sizes[XS_XFEATURE_SSE]);
	/* nothing to place past the last component loaded */
	if (xfeatures & ~XS_XFEATURE_MASK_FPSSE)
		m &= (XS_BIT(63 - __builtin_clzll(xfeatures)) << 1) - 1;
	else
		m = 0;
	for (; m; m &= m - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(m);

		if (xs_aligned64(sys, nr))
			offs = XS_ALIGN(offs, 64u);
		if (xfeatures & XS_BIT(nr))
			run_add(&r, x, b + sys->xstate_offsets[nr], offs, sys->xstate_sizes[nr]);
		offs += sys->xstate_sizes[nr];
	}
	run_flush(&r, x);
}

/* Components of a validated buffer into the fpstate, one by one (any header). */
static void load_components(const xs_system *sys, xs_fpstate *fps, const uint8_t *b, uint64_t xfeatures)
{
	struct xs_buffer_layout scratch;
	const struct xs_buffer_layout *l;
	uint8_t *x = fps->regs;
	struct plan p;

	p.n = 0;
	/* SSE and YMM need MXCSR even when FP is not loaded */
	if ((xfeatures & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM)) && !(xfeatures & XS_XFEATURE_MASK_FP))
		memcpy(x + XS_LEG_MXCSR, b + XS_LEG_MXCSR, 8);
	if (xs_hdr_word(x, 1) & XS_XCOMP_BV_COMPACTED_FORMAT) {
		load_compacted(sys, fps, b, xfeatures);
		return;
	}
	l = kernel_layout(sys, fps, &scratch);
	for (uint64_t m = xfeatures; m; m &= m - 1) {
		unsigned nr = (unsigned)__builtin_ctzll(m);

		plan_add(&p, b + sys->xstate_offsets[nr], l->offset[nr], sys->xstate_sizes[nr]);
	}
	plan_run(&p, x, fps->size);
}

/* Load the validated buffer into the fpstate. */
static void load_uabi(const xs_system *sys, xs_fpstate *fps, const uint8_t *b, uint32_t *pkru)
{
	uint64_t xfeatures = xs_ld64(b + XS_XSAVE_HDR_OFFSET), bv;
	uint8_t *x = fps->regs;

	load_components(sys, fps, b, xfeatures);
	if (xfeatures & XS_XFEATURE_MASK_PKRU)
		*pkru = xs_pkru_read(sys, b);
	else if (pkru)
		*pkru = 0;	/* emulates XRSTOR putting PKRU into its init state */
	bv = (xs_hdr_word(x, 0) & xs_supervisor_all(sys)) | xfeatures;
	memcpy(x + XS_XSAVE_HDR_OFFSET, &bv, 8);
}

/*
 * The plan that covers this buffer, or NULL: a known shape, a header with
 * x87, SSE and every user component of it, and nothing xs_uabi_validate()
 * would refuse (the same checks, for this one header: the task may have
 * those components, XCOMP_BV and the reserved bytes are zero, MXCSR fits
 * the mask, the buffer holds them all).
 */
static inline const struct xs_copy_plan *from_uabi_plan(const xs_system *sys, const xs_fpstate *fps,
							const uint8_t *b, size_t len)
{
	const struct xs_buffer_layout *l;
	const struct xs_copy_plan *p;
	const uint8_t *hdr = b + XS_XSAVE_HDR_OFFSET;

	if (len < sys->user.max_size || !(l = kernel_layout_known(sys, fps)))
		return NULL;
	p = &l->from_uabi;
	if (xs_ld64(hdr) != p->xfeatures || p->xfeatures & ~fps->user_xfeatures || p->end > fps->size)
		return NULL;
	if (xs_ld64(hdr + 8) | xs_ld64(hdr + 16) | xs_ld64(hdr + 24) | xs_ld64(hdr + 32) | xs_ld64(hdr + 40) |
	    xs_ld64(hdr + 48) | xs_ld64(hdr + 56))
		return NULL;
	return xs_ld32(b + XS_LEG_MXCSR) & ~sys->mxcsr_feature_mask ? NULL : p;
}

/* The plan's copies, then PKRU and XSTATE_BV as load_uabi() does them. */
__attribute__((noinline)) static void run_from_uabi(const xs_system *sys, const struct xs_copy_plan *p,
						    uint8_t *x, const uint8_t *b, uint32_t *pkru)
{
	for (const struct xs_copy_piece *c = p->piece; c < p->piece + p->n; c++)
		memcpy(x + c->dst, b + c->src, c->len);
	if (p->xfeatures & XS_XFEATURE_MASK_PKRU) {
		if (pkru)
			*pkru = xs_pkru_read(sys, b);
	} else if (pkru) {
		*pkru = 0;
	}
	xs_st64(x + XS_XSAVE_HDR_OFFSET, (xs_hdr_word(x, 0) & p->word) | p->xfeatures);
}

/* A plan without AVX: two copies inline (the usual shape), as to_uabi_narrow() does. */
static inline int from_uabi_narrow(const xs_system *sys, const struct xs_copy_plan *p, uint8_t *x,
				   const uint8_t *b, uint32_t *pkru)
{
	if (p->n > 2 || !pkru || p->xfeatures & XS_XFEATURE_MASK_PKRU) {
		run_from_uabi(sys, p, x, b, pkru);
		return 0;
	}
	*pkru = 0;	/* no PKRU in the buffer: its init value, as XRSTOR would load */
	xs_st64(x + XS_XSAVE_HDR_OFFSET, (xs_hdr_word(x, 0) & p->word) | p->xfeatures);
	if (p->n == 2)
		memcpy(x + p->piece[1].dst, b + p->piece[1].src, p->piece[1].len);
	memcpy(x + p->piece[0].dst, b + p->piece[0].src, p->piece[0].len);
	return 0;
}

/* Validation, then the load component by component (any buffer). */
__attribute__((noinline)) static int copy_from_uabi_general(const xs_system *sys, xs_fpstate *fps,
							    const void *buf, size_t len, uint32_t *pkru,
							    struct xs_verdict *v)
{
	uint32_t dummy;
	int ret = xs_uabi_validate(sys, fps, buf, len, v);

	if (ret)
		return ret;
	/* KVM passes NULL: the PKRU component (if any) goes to the vCPU only */
	if (!pkru && (xs_ld64((const uint8_t *)buf + XS_XSAVE_HDR_OFFSET) & XS_XFEATURE_MASK_PKRU))
		pkru = &dummy;
	load_uabi(sys, fps, buf, pkru);
	return 0;
}

/*
 * An accepted buffer with every component (no verdict asked for): the
 * shape's plan; anything else the general path.
 */
__attribute__((noinline)) static int from_uabi_planned(const xs_system *sys, xs_fpstate *fps, const void *buf,
							size_t len, uint32_t *pkru, struct xs_verdict *v)
{
	const struct xs_copy_plan *p = v ? NULL : from_uabi_plan(sys, fps, buf, len);

	if (!p)
		return copy_from_uabi_general(sys, fps, buf, len, pkru, v);
	return from_uabi_narrow(sys, p, fps->regs, buf, pkru);
}

#ifdef UABI_WIDE
/*
 * xs_copy_uabi_to_xstate() without a verdict on a host with AVX, for a plan
 * that allows it (plan->wide): PKRU and XSTATE_BV as load_uabi() does them
 * (run_from_uabi(); first: the header is in no piece's way), then the
 * copies. Anything else as without AVX.
 */
WIDE __attribute__((noinline)) static int from_uabi_wide(const xs_system *sys, xs_fpstate *fps, const void *buf,
							 size_t len, uint32_t *pkru)
{
	const struct xs_buffer_layout *l;
	const struct xs_copy_plan *p;
	const uint8_t *b = buf;
	uint8_t *x;
	__m256i h0, h1;

	/* from_uabi_plan()'s checks, in its order; XCOMP_BV and the reserved bytes in two tests of 32 */
	if (len < sys->user.max_size || !(l = kernel_layout_known(sys, fps)))
		goto other;
	p = &l->from_uabi;
	h0 = ld32(b + XS_XSAVE_HDR_OFFSET);
	h1 = ld32(b + XS_XSAVE_HDR_OFFSET + 32);
	if (xs_ld64(b + XS_XSAVE_HDR_OFFSET) != p->xfeatures || !_mm256_testz_si256(h0, _mm256_set_epi64x(-1, -1, -1, 0)) ||
	    !_mm256_testz_si256(h1, h1) || p->xfeatures & ~fps->user_xfeatures || p->end > fps->size || !p->wide ||
	    xs_ld32(b + XS_LEG_MXCSR) & ~sys->mxcsr_feature_mask)
		goto other;
	OPAQUE(fps);	/* fps->regs read again, as in to_uabi_wide() */
	x = fps->regs;
	/* no PKRU in the buffer: 0, its init value, as XRSTOR would load */
	if (pkru)
		*pkru = p->pkru_len ? xs_ld32(b + p->pkru_at) : 0;
	xs_st64(x + XS_XSAVE_HDR_OFFSET, (xs_hdr_word(x, 0) & p->word) | p->xfeatures);
	copy_legacy(x, b);	/* the first piece (plan_is_wide()) */
	for (const struct xs_copy_piece *c = p->piece + 1; c->len; c++)
		copy_wide(x + c->dst, b + c->src, c->len);
	return 0;
other:
	return from_uabi_planned(sys, fps, buf, len, pkru, NULL);
}
#endif

/* Only tail calls from here, as in xs_copy_xstate_to_uabi(). */
int xs_copy_uabi_to_xstate(const xs_system *sys, xs_fpstate *fps, const void *buf, size_t len,
			   uint32_t *pkru, struct xs_verdict *v)
{
#ifdef UABI_WIDE
	if (!v && xs_host_has_avx())
		return from_uabi_wide(sys, fps, buf, len, pkru);
#endif
	return from_uabi_planned(sys, fps, buf, len, pkru, v);
}
