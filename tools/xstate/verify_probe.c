// SPDX-License-Identifier: MIT
/*
 * Live probes: before `verify` compares the engine with this CPU (or with
 * the kernel's sigreturn), small experiments measure the traits the
 * table only knows for the CPUs a session has met — the x87 pointer width
 * and when the pointers are loaded, FCS/FDS, MXCSR_MASK, XINUSE judged by
 * value, the modified optimisation and whether FXRSTOR ends it, the init
 * optimisation, #AC against #GP on misaligned operands — and the engine
 * runs with what they saw. Each probe is a short list of hardware steps
 * (xs_hw_run, faults caught by verify_cpu.c); what the outcomes mean is
 * the library's arithmetic (xs_trait_*_seen) or a comparison here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "verify_cpu.h"
#include "verify_probe.h"
#include "xsave_layout.h"

#define SCRATCH 16384u
#define REPEATS 5	/* the kernel may save and restore mid-probe: an outcome must survive */
#define X87_ONLY UINT64_C(1)
#define AVX_AND_BELOW UINT64_C(7)
#define UP_TO_AVX512 UINT64_C(0xff)	/* x87 .. Hi16_ZMM: no XFD, no PKRU */

struct probe {
	const struct xs_hw *hw;
	const xs_machine *m;	/* the engine as the table says: layout of this CPU */
	uint8_t *a, *b, *c;	/* SCRATCH bytes each, 64-byte aligned */
	struct vp_traits *p;
};

static void said(struct vp_traits *p, enum xs_trait t, const char *fmt, va_list ap)
{
	vsnprintf(p->how[t], sizeof(p->how[t]), fmt, ap);
}

__attribute__((format(printf, 4, 5)))
static void measured(struct vp_traits *p, enum xs_trait t, uint64_t value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	said(p, t, fmt, ap);
	va_end(ap);
	p->value[t] = value;
	p->measured |= 1u << t;
}

__attribute__((format(printf, 3, 4)))
static void unclear(struct vp_traits *p, enum xs_trait t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	said(p, t, fmt, ap);
	va_end(ap);
	p->unclear |= 1u << t;
}

static struct xs_hw_step step(uint32_t op, uint32_t flags, void *buf, uint64_t arg)
{
	return (struct xs_hw_step){ .op = op, .flags = flags, .buf = buf, .arg = arg };
}

/* Run steps; the exception of the one that faulted, XS_EXC_NONE, or -1 when the backend refused. */
static int run(const struct probe *q, struct xs_hw_step *s, unsigned n)
{
	enum xs_exception e;

	return vc_hw_run_caught(q->hw, s, n, &e) ? -1 : (int)e;
}

/* An XSAVE image of x87 state (XSTATE_BV = x87): FCW, FSW, FOP 123h, FIP, FDP; MXCSR 1F80h. */
static void x87_image(uint8_t *img, uint16_t fcw, uint16_t fsw, uint64_t fip, uint64_t fdp)
{
	memset(img, 0, 1024);
	xs_st16(img, fcw);
	xs_st16(img + 2, fsw);
	xs_st16(img + 6, 0x123);
	xs_st64(img + 8, fip);
	xs_st64(img + 16, fdp);
	xs_st32(img + FX_MXCSR, 0x1f80);
	xs_st64(img + HDR_XSTATE_BV, X87_ONLY);
}

/* Restore q->a with FXRSTOR or XRSTOR (x87 only), save into q->b the same way: 0, or -1. */
static int x87_round_trip(const struct probe *q, bool xsave, uint32_t flags)
{
	struct xs_hw_step s[2] = {
		step(xsave ? XS_HW_OP_XRSTOR : XS_HW_OP_FXRSTOR, flags, q->a, X87_ONLY),
		step(xsave ? XS_HW_OP_XSAVE : XS_HW_OP_FXSAVE, flags, q->b, X87_ONLY),
	};

	memset(q->b, 0, 1024);
	return run(q, s, 2) == XS_EXC_NONE ? 0 : -1;
}

/* FIP/FDP patterns restored with IE unmasked and pending, by FXRSTOR64 and XRSTOR64. */
static void probe_ptr_bits(const struct probe *q)
{
	static const uint64_t pat[] = { 0x00ab800000001000ull, 0x5555555555555555ull,
					0xaaaaaaaaaaaaaaaaull, 0x0100000000001000ull };
	uint64_t w[16], r[16];
	unsigned n = 0, bits;

	for (int xsave = 0; xsave < 2; xsave++)
		for (unsigned i = 0; i < 4; i++) {
			x87_image(q->a, 0x037e, 0x0001, pat[i], ~pat[i]);
			if (x87_round_trip(q, xsave, XS_REX_W))
				return unclear(q->p, XS_TRAIT_X87_PTR_BITS, "the round trip faulted");
			w[n] = pat[i], r[n++] = xs_ld64(q->b + 8);
			w[n] = ~pat[i], r[n++] = xs_ld64(q->b + 16);
		}
	bits = xs_trait_ptr_bits_seen(w, r, n);
	if (!bits)
		return unclear(q->p, XS_TRAIT_X87_PTR_BITS, "FIP 0x%016llx read back 0x%016llx: no width fits",
			       (unsigned long long)w[0], (unsigned long long)r[0]);
	measured(q->p, XS_TRAIT_X87_PTR_BITS, bits,
		 "FIP 0x%016llx restored with an unmasked exception pending reads back 0x%016llx",
		 (unsigned long long)w[0], (unsigned long long)r[0]);
}

/* Pointers restored with IE flagged but masked (nothing pending): loaded, or 0? */
static void probe_ptrs_need_exception(const struct probe *q)
{
	int seen = -1;

	for (int xsave = 0; xsave < 2; xsave++) {
		int zero, kept;

		x87_image(q->a, 0x037f, 0x0001, 0x1000, 0x2000);
		if (x87_round_trip(q, xsave, XS_REX_W))
			return unclear(q->p, XS_TRAIT_X87_PTRS_NEED_EXCEPTION, "the round trip faulted");
		zero = !xs_ld16(q->b + 6) && !xs_ld64(q->b + 8) && !xs_ld64(q->b + 16);
		kept = xs_ld16(q->b + 6) == 0x123 && xs_ld64(q->b + 8) == 0x1000 && xs_ld64(q->b + 16) == 0x2000;
		if (zero == kept || (seen >= 0 && seen != zero))
			return unclear(q->p, XS_TRAIT_X87_PTRS_NEED_EXCEPTION,
				       "FOP/FIP/FDP 0x123/0x1000/0x2000 read back 0x%x/0x%llx/0x%llx",
				       xs_ld16(q->b + 6), (unsigned long long)xs_ld64(q->b + 8),
				       (unsigned long long)xs_ld64(q->b + 16));
		seen = zero;
	}
	measured(q->p, XS_TRAIT_X87_PTRS_NEED_EXCEPTION, (uint64_t)seen,
		 seen ? "FOP/FIP/FDP restored without a pending exception read back 0 (FXRSTOR64, XRSTOR64)"
		      : "FOP/FIP/FDP restored without a pending exception read back as written");
}

/*
 * The 32-bit form with FCS 1234h and FDS 5678h (an exception pending):
 * kept, or 0? A preemption in between zeroes them too (the kernel's
 * XSAVES64/XRSTORS64 have no selectors): one run that keeps them decides.
 */
static void probe_fcs_fds(const struct probe *q)
{
	uint16_t fcs = 0, fds = 0;

	for (int i = 0; i < REPEATS; i++) {
		x87_image(q->a, 0x037e, 0x0001, 0x0000123400001000ull, 0x0000567800002000ull);
		if (x87_round_trip(q, false, 0))
			return unclear(q->p, XS_TRAIT_FCS_FDS_ZERO, "the round trip faulted");
		fcs = xs_ld16(q->b + FX_FCS), fds = xs_ld16(q->b + FX_FDS);
		if (fcs == 0x1234 && fds == 0x5678)
			return measured(q->p, XS_TRAIT_FCS_FDS_ZERO, 0, "FCS/FDS 0x1234/0x5678 kept by FXRSTOR/FXSAVE");
	}
	if (!fcs && !fds)
		return measured(q->p, XS_TRAIT_FCS_FDS_ZERO, 1, "FCS/FDS 0x1234/0x5678 read back 0");
	unclear(q->p, XS_TRAIT_FCS_FDS_ZERO, "FCS/FDS 0x1234/0x5678 read back 0x%x/0x%x", fcs, fds);
}

/* FXSAVE's bytes 28-31 (0 means 0000FFBFh, SDM1 §11.6.6). */
static void probe_mxcsr_mask(const struct probe *q)
{
	struct xs_hw_step s = step(XS_HW_OP_FXSAVE, 0, q->b, 0);
	uint32_t mask;

	if (run(q, &s, 1) != XS_EXC_NONE)
		return unclear(q->p, XS_TRAIT_MXCSR_MASK, "FXSAVE faulted");
	mask = xs_ld32(q->b + FX_MXCSR_MASK);
	measured(q->p, XS_TRAIT_MXCSR_MASK, mask ? mask : 0xffbf, "FXSAVE stores MXCSR_MASK 0x%08x", mask);
}

/* The components of mask with their init values in q->a (standard form, XSTATE_BV = bv). */
static void init_image(const struct probe *q, uint8_t *img, uint64_t bv)
{
	memset(img, 0, xs_engine_standard_size(q->m, UP_TO_AVX512));
	xs_st16(img, 0x037f);
	xs_st32(img + FX_MXCSR, 0x1f80);
	xs_st64(img + HDR_XSTATE_BV, bv);
}

/* XGETBV(1) after XRSTOR of init values with XSTATE_BV set: the bits a re-run still shows. */
static void probe_xinuse_by_value(const struct probe *q)
{
	uint64_t mask = q->hw->xcr0 & UP_TO_AVX512, left = mask;

	if (!q->hw->xgetbv1)
		return;
	for (int i = 0; i < REPEATS; i++) {
		struct xs_hw_step s = step(XS_HW_OP_XRSTOR, XS_REX_W, q->a, mask);

		init_image(q, q->a, mask);
		if (run(q, &s, 1) != XS_EXC_NONE)
			return unclear(q->p, XS_TRAIT_XINUSE_BY_VALUE, "XRSTOR faulted");
		left &= s.xinuse;
	}
	if (left && left != mask)
		return unclear(q->p, XS_TRAIT_XINUSE_BY_VALUE,
			       "XINUSE 0x%llx after loading init values of 0x%llx: by value for some only",
			       (unsigned long long)left, (unsigned long long)mask);
	measured(q->p, XS_TRAIT_XINUSE_BY_VALUE, !left, "XGETBV(1) is 0x%llx after XRSTOR of init values of 0x%llx",
		 (unsigned long long)left, (unsigned long long)mask);
}

/*
 * XRSTOR from q->b (AVX in use), a store of 0xEE over its AVX bytes,
 * optionally FXRSTOR, then XSAVEOPT to q->b: are the 0xEE bytes still
 * there (AVX skipped as unmodified)?
 */
static int avx_skipped(const struct probe *q, bool fxrstor)
{
	uint32_t at = 0, size = 0;
	struct xs_hw_step s[4];
	unsigned n = 0;

	if (!xs_machine_component_layout(q->m, XS_XFEATURE_YMM, &size, &at, NULL))
		return -1;

	init_image(q, q->b, AVX_AND_BELOW);
	memset(q->b + at, 0x11, size);
	memset(q->c, 0xee, size);
	memcpy(q->a, q->b, XS_FXSAVE_SIZE);	/* FXRSTOR's image: the same legacy area */
	s[n++] = step(XS_HW_OP_XRSTOR, XS_REX_W, q->b, AVX_AND_BELOW);
	s[n] = step(XS_HW_OP_POKE, 0, q->b + at, size);
	s[n++].src = q->c;
	if (fxrstor)
		s[n++] = step(XS_HW_OP_FXRSTOR, XS_REX_W, q->a, 0);
	s[n++] = step(XS_HW_OP_XSAVEOPT, XS_REX_W, q->b, AVX_AND_BELOW);
	if (run(q, s, n) != XS_EXC_NONE)
		return -1;
	return !memcmp(q->b + at, q->c, size);
}

/*
 * The modified optimisation shows as AVX skipped without an FXRSTOR in
 * between (once in REPEATS: a preemption rewrites it); with one in
 * between, a skip at any try says FXRSTOR left XMODIFIED[2] alone.
 */
static void probe_modified_opt(const struct probe *q)
{
	int plain = 0, after_fxrstor = 0;

	if (!q->hw->xsaveopt || !(q->hw->xcr0 & XS_XFEATURE_MASK_YMM))
		return;
	for (int i = 0; i < REPEATS; i++) {
		int p = avx_skipped(q, false), f = avx_skipped(q, true);

		if (p < 0 || f < 0)
			return unclear(q->p, XS_TRAIT_MODIFIED_OPT, "a step faulted");
		plain |= p, after_fxrstor |= f;
	}
	measured(q->p, XS_TRAIT_MODIFIED_OPT, (uint64_t)plain,
		 plain ? "XSAVEOPT to the last XRSTOR's buffer skipped unmodified AVX"
		       : "XSAVEOPT to the last XRSTOR's buffer rewrote AVX at every try");
	if (plain)
		measured(q->p, XS_TRAIT_FXRSTOR_SETS_XMODIFIED, (uint64_t)!after_fxrstor,
			 after_fxrstor ? "after XRSTOR, FXRSTOR, XSAVEOPT still skipped AVX"
				       : "after XRSTOR, FXRSTOR, XSAVEOPT rewrote AVX at every try");
}

/* XSAVE's XSTATE_BV after XRSTOR initialised everything: 0 with the init optimisation. */
static void probe_init_opt(const struct probe *q)
{
	uint64_t mask = q->hw->xcr0 & UP_TO_AVX512, left = mask;

	for (int i = 0; i < REPEATS; i++) {
		struct xs_hw_step s[2] = { step(XS_HW_OP_XRSTOR, XS_REX_W, q->a, mask),
					   step(XS_HW_OP_XSAVE, XS_REX_W, q->b, mask) };

		init_image(q, q->a, 0);
		memset(q->b, 0, xs_engine_standard_size(q->m, mask));
		if (run(q, s, 2) != XS_EXC_NONE)
			return unclear(q->p, XS_TRAIT_INIT_OPT, "a step faulted");
		left &= xs_ld64(q->b + HDR_XSTATE_BV);
	}
	if (left && left != mask)
		return unclear(q->p, XS_TRAIT_INIT_OPT, "XSTATE_BV 0x%llx after initialising 0x%llx",
			       (unsigned long long)left, (unsigned long long)mask);
	measured(q->p, XS_TRAIT_INIT_OPT, !left, "XSAVE after initialising 0x%llx stores XSTATE_BV 0x%llx",
		 (unsigned long long)mask, (unsigned long long)left);
}

/* One instruction with EFLAGS.AC at each offset from an aligned address: its #AC alignment, or -1. */
static int ac_align_of(const struct probe *q, uint32_t op, const size_t *off, unsigned n)
{
	enum xs_exception exc[16];

	for (unsigned i = 0; i < n; i++) {
		struct xs_hw_step s = step(op, XS_HW_AC, q->c + off[i], X87_ONLY);
		int e = run(q, &s, 1);

		if (e < 0)
			return -1;
		exc[i] = (enum xs_exception)e;
	}
	return xs_trait_ac_align_seen(off, exc, n);
}

static const char *op_name(uint32_t op)
{
	static const char *const names[] = {
		[XS_HW_OP_FXSAVE] = "FXSAVE", [XS_HW_OP_FXRSTOR] = "FXRSTOR", [XS_HW_OP_XSAVE] = "XSAVE",
		[XS_HW_OP_XSAVEOPT] = "XSAVEOPT", [XS_HW_OP_XSAVEC] = "XSAVEC", [XS_HW_OP_XRSTOR] = "XRSTOR",
	};

	return op < sizeof(names) / sizeof(names[0]) && names[op] ? names[op] : "?";
}

/* The same alignment from every instruction of a family (ops), or unclear. */
static void probe_ac(const struct probe *q, enum xs_trait t, const uint32_t *ops, unsigned nops,
		     const size_t *off, unsigned noff)
{
	int align[4];

	for (unsigned i = 0; i < nops; i++) {
		align[i] = ac_align_of(q, ops[i], off, noff);
		if (align[i] < 0 || align[i] != align[0])
			return unclear(q->p, t, "with EFLAGS.AC, %s gives #AC below %d bytes, %s below %d (-1: no rule)",
				       op_name(ops[0]), align[0], op_name(ops[i]), align[i]);
	}
	measured(q->p, t, (uint64_t)align[0],
		 align[0] ? "with EFLAGS.AC, #AC below %d-byte alignment, #GP above" : "with EFLAGS.AC, #GP at every offset (%d)",
		 align[0]);
}

static void probe_ac_alignment(const struct probe *q)
{
	static const size_t fx_off[] = { 1, 2, 3, 4, 5, 6, 7, 8, 12 };
	static const size_t xs_off[] = { 1, 2, 3, 4, 8, 16, 32, 48 };
	static const uint32_t fx_ops[] = { XS_HW_OP_FXSAVE, XS_HW_OP_FXRSTOR };
	uint32_t xs_ops[4] = { XS_HW_OP_XSAVE, XS_HW_OP_XRSTOR };
	unsigned n = 2;

	if (q->hw->xsaveopt)
		xs_ops[n++] = XS_HW_OP_XSAVEOPT;
	if (q->hw->xsavec)
		xs_ops[n++] = XS_HW_OP_XSAVEC;
	probe_ac(q, XS_TRAIT_FX_AC_ALIGN, fx_ops, 2, fx_off, sizeof(fx_off) / sizeof(fx_off[0]));
	probe_ac(q, XS_TRAIT_XSAVE_AC_ALIGN, xs_ops, n, xs_off, sizeof(xs_off) / sizeof(xs_off[0]));
}

/* The measured values into the engine; one the engine cannot model is unclear. */
static void apply(xs_machine *m, struct vp_traits *p)
{
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++)
		if (p->measured & (1u << t) && xs_machine_set_trait(m, (enum xs_trait)t, p->value[t])) {
			p->measured &= ~(1u << t);
			p->unclear |= 1u << t;
		}
}

int vp_probe_and_apply(xs_machine *m, const xs_cpu *cpu, const struct xs_hw *hw, struct vp_traits *p)
{
	struct probe q = { .hw = hw, .m = m, .p = p };
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->row = xs_traits_row(cpu);
	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++)
		xs_traits_value(cpu, (enum xs_trait)t, &p->table[t]);
	if (!hw->fxsr || !hw->xsave)
		return 0;
	q.a = aligned_alloc(64, SCRATCH);
	q.b = aligned_alloc(64, SCRATCH);
	q.c = aligned_alloc(64, SCRATCH);
	if (!q.a || !q.b || !q.c || xs_engine_standard_size(m, UP_TO_AVX512) > SCRATCH / 2) {
		ret = q.a && q.b && q.c ? -E2BIG : -ENOMEM;
	} else {
		probe_ptr_bits(&q);
		probe_ptrs_need_exception(&q);
		probe_fcs_fds(&q);
		probe_mxcsr_mask(&q);
		probe_xinuse_by_value(&q);
		probe_modified_opt(&q);
		probe_init_opt(&q);
		probe_ac_alignment(&q);
		apply(m, p);
	}
	free(q.a);
	free(q.b);
	free(q.c);
	return ret;
}

static const char *show(enum xs_trait t, uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, t == XS_TRAIT_MXCSR_MASK ? "0x%llx" : "%llu", (unsigned long long)v);
	return buf;
}

unsigned vp_report(const struct vp_traits *p, FILE *f)
{
	unsigned lines = 0, n = 0, differ = 0;
	char a[24], b[24];

	for (unsigned t = 0; t < XS_TRAIT_COUNT; t++) {
		const struct xs_trait_value *row = &p->table[t];
		const char *name = xs_trait_name((enum xs_trait)t);

		if (p->unclear & (1u << t)) {
			fprintf(f, "trait %s: the probe is unclear (%s) — using the table's %s (%s)\n", name,
				p->how[t], show(t, row->value, a, sizeof(a)), xs_provenance_name(row->provenance));
			lines++;
		}
		if (!(p->measured & (1u << t)))
			continue;
		n++;
		if (p->value[t] == row->value)
			continue;
		fprintf(f, "trait %s: table %s (%s, %s), measured %s (%s) — using measured\n", name,
			show(t, row->value, a, sizeof(a)), xs_provenance_name(row->provenance), p->row,
			show(t, p->value[t], b, sizeof(b)), p->how[t]);
		lines++, differ++;
	}
	fprintf(f, "traits: %u of %u measured on this CPU, %u differ from the table's row \"%s\"; the engine runs with the measured values\n",
		n, XS_TRAIT_COUNT, differ, p->row);
	return lines;
}
