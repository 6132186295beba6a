// SPDX-License-Identifier: MIT
/*
 * User-ABI buffers with the kernel's verdicts: one test per refusal rule,
 * named with the kernel function it comes from; nothing changes on a
 * refusal; what the kernel writes (init values, the XCR0 word, fx_sw_bytes,
 * MAGIC2) and the KVM rules measured on the spec's Zen 4 machine.
 */
#include <errno.h>

#include "testutil.h"
#include "common/le.h"

static xs_system *zen4;	/* XCR0 0xe7, CET_U/CET_S in XSS, no PKU */
static xs_system *spr;	/* AMX, PKRU, PASID, CET */

static int setup(void **state)
{
	xs_cpu cpu;

	(void)state;
	xt_cpu_zen4_cet(&cpu);
	zen4 = xt_system_of(&cpu, NULL);
	xt_cpu_spr(&cpu);
	spr = xt_system_of(&cpu, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(zen4);
	free(spr);
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A valid ptrace buffer of the task, with some data in every user component. */
static uint8_t *valid_buffer(xs_fpu *fpu, size_t *len)
{
	const xs_system *sys = fpu->sys;
	size_t n = xs_ptrace_xstate_size(sys);
	uint8_t *b = calloc(1, n);

	assert_int_equal(xs_ptrace_getregset(fpu, b, n, len), 0);
	for (unsigned i = 0; i < 416; i++)
		if (i < 24 || i >= 32)
			b[i] = (uint8_t)(i * 7 + 3);
	/* only bytes of the task's user components: gaps read back as zero */
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (fpu->fpstate->user_xfeatures & XS_BIT(nr))
			for (unsigned i = 0; i < sys->xstate_sizes[nr]; i++)
				b[sys->xstate_offsets[nr] + i] = (uint8_t)(i * 13 + nr);
	/* struct pkru_state's padding: the kernel writes 0 there */
	if (fpu->fpstate->user_xfeatures & XS_XFEATURE_MASK_PKRU)
		memset(b + sys->xstate_offsets[XS_XFEATURE_PKRU] + 4, 0, 4);
	put64(b + 512, fpu->fpstate->user_xfeatures);
	put32(b + 24, 0x1f80);
	return b;
}

struct snapshot {
	xs_fpstate fps;
	uint8_t regs[16384];
	uint32_t pkru;
};

static void take(struct snapshot *s, const xs_fpu *f)
{
	s->fps = *f->fpstate;
	memcpy(s->regs, f->fpstate->regs, f->fpstate->size);
	s->pkru = f->pkru;
}

static void assert_unchanged(const struct snapshot *s, const xs_fpu *f)
{
	assert_memory_equal(&s->fps, f->fpstate, sizeof(s->fps));
	assert_memory_equal(s->regs, f->fpstate->regs, f->fpstate->size);
	assert_int_equal(s->pkru, f->pkru);
}

static void expect_set_refused(xs_fpu *fpu, const uint8_t *b, size_t len, int err, const char *rule,
			       const char *function)
{
	struct snapshot s;
	struct xs_verdict v;

	take(&s, fpu);
	assert_int_equal(xs_ptrace_setregset(fpu, b, len, &v), err);
	assert_int_equal(v.err, err);
	assert_string_equal(v.rule, rule);
	assert_string_equal(v.function, function);
	assert_unchanged(&s, fpu);
}

/* ---- validate_user_xstate_header() ---- */

static void test_validate_user_xstate_header_refuses_bits_outside_user_xfeatures(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, spr, NULL), 0);
	b = valid_buffer(&fpu, &n);
	/* supervisor (CET_U), not-yet-permitted dynamic (TILEDATA), unknown (20), bit 63 */
	static const unsigned bits[] = { 11, 12, 18, 20, 62, 63 };
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		put64(b + 512, fpu.fpstate->user_xfeatures | XS_BIT(bits[i]));
		expect_set_refused(&fpu, b, n, -EINVAL, "header.xstate_bv", "validate_user_xstate_header");
	}
	free(b);
	xs_fpu_destroy(&fpu);
}

static void test_validate_user_xstate_header_refuses_nonzero_xcomp_bv(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	put64(b + 520, XS_XCOMP_BV_COMPACTED_FORMAT | 0xe7);
	expect_set_refused(&fpu, b, n, -EINVAL, "header.xcomp_bv", "validate_user_xstate_header");
	free(b);
	xs_fpu_destroy(&fpu);
}

static void test_validate_user_xstate_header_refuses_any_reserved_byte(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	for (unsigned i = 528; i < 576; i++) {
		b[i] = 0x80;
		expect_set_refused(&fpu, b, n, -EINVAL, "header.reserved", "validate_user_xstate_header");
		b[i] = 0;
	}
	free(b);
	xs_fpu_destroy(&fpu);
}

/* ---- copy_uabi_to_xstate() MXCSR rule ---- */

static void test_copy_uabi_to_xstate_refuses_reserved_mxcsr_bits_with_fp_sse_or_ymm(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	put32(b + 24, 0x1f80 | (1u << 18));	/* outside any MXCSR mask */
	for (uint64_t bv = 1; bv <= 7; bv++) {
		put64(b + 512, bv);
		expect_set_refused(&fpu, b, n, -EINVAL, "mxcsr.reserved", "copy_uabi_to_xstate");
	}
	/* with none of FP/SSE/YMM the bad MXCSR is ignored (live machine) */
	put64(b + 512, 0xe0);
	assert_int_equal(xs_ptrace_setregset(&fpu, b, n, NULL), 0);
	free(b);
	xs_fpu_destroy(&fpu);
}

/* ---- ptrace_regset() / xstateregs_set() sizes ---- */

static void test_ptrace_regset_refuses_iov_len_not_multiple_of_8(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	expect_set_refused(&fpu, b, n - 4, -EINVAL, "iov_len.multiple", "ptrace_regset");
	assert_int_equal(xs_ptrace_getregset(&fpu, b, 12, NULL), -EINVAL);
	free(b);
	xs_fpu_destroy(&fpu);
}

static void test_xstateregs_set_refuses_short_buffers_and_clamps_long_ones(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b, *big;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	assert_int_equal(n, 2432);
	expect_set_refused(&fpu, b, n - 8, -EFAULT, "iov_len.short", "xstateregs_set");
	big = calloc(1, n + 64);
	memcpy(big, b, n);
	memset(big + n, 0xff, 64);	/* beyond the regset: never read */
	assert_int_equal(xs_ptrace_setregset(&fpu, big, n + 64, NULL), 0);
	free(big);
	free(b);
	xs_fpu_destroy(&fpu);
}

static void test_ptrace_set_then_get_returns_what_was_set_with_xcr0_word(void **state)
{
	xs_fpu fpu;
	size_t n, got;
	uint8_t *b, *out;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, spr, NULL), 0);
	fpu.pkru = 0x55555554;
	b = valid_buffer(&fpu, &n);
	memset(b + 464, 0xee, 48);	/* sw_reserved is ignored on input */
	put32(b + spr->xstate_offsets[9], 0x12345678);
	assert_int_equal(xs_ptrace_setregset(&fpu, b, n, NULL), 0);
	assert_int_equal(fpu.pkru, 0x12345678);
	/* supervisor state survives in the kernel's XSTATE_BV */
	out = calloc(1, n);
	assert_int_equal(xs_ptrace_getregset(&fpu, out, n, &got), 0);
	assert_int_equal(got, n);
	assert_memory_equal(out, b, 464);
	assert_int_equal(xs_ld64(out + 464), spr->user.max_features);	/* XCR0 word */
	for (unsigned i = 472; i < 512; i++)
		assert_int_equal(out[i], 0);
	assert_memory_equal(out + 512, b + 512, n - 512);
	/* a clear PKRU bit puts PKRU into its init state (0), as XRSTOR would */
	put64(b + 512, fpu.fpstate->user_xfeatures & ~XS_XFEATURE_MASK_PKRU);
	assert_int_equal(xs_ptrace_setregset(&fpu, b, n, NULL), 0);
	assert_int_equal(fpu.pkru, 0);
	free(out);
	free(b);
	xs_fpu_destroy(&fpu);
}

static void test_get_of_a_fresh_task_holds_init_values(void **state)
{
	xs_fpu fpu;
	uint8_t out[2432];
	uint16_t fcw;
	uint32_t mxcsr;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	assert_int_equal(xs_ptrace_getregset(&fpu, out, sizeof(out), NULL), 0);
	memcpy(&fcw, out, 2);
	memcpy(&mxcsr, out + 24, 4);
	assert_int_equal(fcw, 0x37f);
	assert_int_equal(mxcsr, 0x1f80);
	assert_int_equal(xs_ld64(out + 512), 0);	/* XSTATE_BV: all init */
	for (unsigned i = 576; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
	xs_fpu_destroy(&fpu);
}

/* ---- signal frames: save_xstate_epilog(), __fpu_restore_sig() ---- */

static void test_sigframe_carries_fx_sw_bytes_and_magic2(void **state)
{
	xs_fpu fpu;
	uint8_t frame[4096] = { 0 };
	struct xs_fx_sw_bytes sw;
	uint32_t m2;
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	assert_int_equal(xs_sigframe_fpstate_size(&fpu), 2436);
	assert_int_equal(xs_sigframe_save(&fpu, frame, 100), -ENOSPC);
	assert_int_equal(xs_sigframe_save(&fpu, frame, sizeof(frame)), 0);
	memcpy(&sw, frame + 464, sizeof(sw));
	assert_int_equal(sw.magic1, XS_FP_XSTATE_MAGIC1);
	assert_int_equal(sw.extended_size, 2436);
	assert_int_equal(sw.xfeatures, 0xe7);
	assert_int_equal(sw.xstate_size, 2432);
	memcpy(&m2, frame + 2432, 4);
	assert_int_equal(m2, XS_FP_XSTATE_MAGIC2);
	assert_int_equal(xs_ld64(frame + 512) & 3, 3);	/* FP|SSE forced for legacy readers */
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_XSTATE);
	xs_fpu_destroy(&fpu);
}

static void test_sigreturn_without_magic1_or_magic2_restores_fx_only(void **state)
{
	xs_fpu fpu;
	uint8_t frame[4096] = { 0 };
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	xs_sigframe_save(&fpu, frame, sizeof(frame));
	frame[2432] ^= 1;
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FX_ONLY);
	assert_string_equal(v.function, "check_xstate_in_sigframe");
	frame[2432] ^= 1;
	frame[464] ^= 1;
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FX_ONLY);
	/* fx-only with a bad MXCSR: FXRSTOR faults */
	put32(frame + 24, 0xffffffff);
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FAIL);
	assert_int_equal(v.err, -EFAULT);
	xs_fpu_destroy(&fpu);
}

static void test_sigreturn_xrstor_faults_follow_the_hardware_not_ptrace(void **state)
{
	xs_fpu fpu;
	uint8_t frame[4096] = { 0 };
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	xs_sigframe_save(&fpu, frame, sizeof(frame));
	/* reserved header bytes 24..63: ptrace says EINVAL, XRSTOR ignores them */
	frame[540] = 1;
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_XSTATE);
	frame[540] = 0;
	frame[530] = 1;	/* bytes 8..23 are checked by XRSTOR */
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FAIL);
	assert_string_equal(v.rule, "header.xcomp_bv");
	frame[530] = 0;
	put64(frame + 512, 0xe7 | XS_BIT(9));	/* outside XCR0 */
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FAIL);
	assert_string_equal(v.rule, "header.xstate_bv");
	put64(frame + 512, 0xe7);
	put32(frame + 24, 0x1f80 | (1u << 20));
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_FAIL);
	assert_string_equal(v.rule, "mxcsr.reserved");
	/* an MXCSR that XRSTOR does not load (sw.xfeatures without SSE/YMM) is fine */
	put64(frame + 464 + 8, 0x1);
	assert_int_equal(xs_sigframe_check(&fpu, frame, sizeof(frame), &v), XS_SIGRETURN_XSTATE);
	xs_fpu_destroy(&fpu);
}

/* ---- KVM ---- */

/* linux-xstate.md, live Zen 4: KVM_SET_XCRS accepts 0x1, 0x3, 0x7, 0xe7 only. */
static void test_kvm_set_xcrs_accepts_what_the_live_machine_accepted(void **state)
{
	static const uint64_t ok[] = { 0x1, 0x3, 0x7, 0xe7 };
	static const uint64_t bad[] = { 0x0, 0x2, 0x5, 0x27, 0x67, 0xa7, 0xc7, 0x207, 0x807, 0x1007 };
	struct xs_verdict v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(xs_kvm_set_xcr0(zen4, 0, ok[i], &v), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xs_kvm_set_xcr0(zen4, 0, bad[i], &v), -EINVAL);
		assert_string_equal(v.function, "__kvm_set_xcr");
	}
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0, 0x5, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.avx_needs_sse");
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0, 0x67, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.avx512_all");
	assert_int_equal(xs_kvm_set_xcr0(spr, 0, 0x200e7, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.amx_pair");
}

static void test_kvm_supported_xss_is_cet_only_with_both_cet_states(void **state)
{
	struct xs_options o;
	xs_cpu cpu;
	xs_system *off;

	(void)state;
	assert_int_equal(xs_kvm_supported_xss(zen4), 0x1800);
	xs_options_init(&o);
	o.cet_s = XS_CET_S_OFF;	/* no CET-S in the host XSS: KVM drops CET */
	xt_cpu_zen4_cet(&cpu);
	off = xt_system_of(&cpu, &o);
	assert_int_equal(xs_kvm_supported_xss(off), 0);
	free(off);
}

static void test_kvm_cap_xsave2_grows_with_the_guest_amx_permission(void **state)
{
	xs_fpu vmm;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, spr, NULL), 0);
	assert_int_equal(xs_kvm_cap_xsave2(&vmm), 4096);
	assert_int_equal(xs_arch_prctl(&vmm, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_kvm_cap_xsave2(&vmm), 11008);
	xs_fpu_destroy(&vmm);
}

static void test_kvm_set_xsave_refuses_bits_kvm_does_not_support(void **state)
{
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t buf[4096] = { 0 };
	struct xs_verdict v;
	uint32_t pkru = 0x77;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, spr, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	assert_int_equal(xs_kvm_get_xsave(spr, &g, 0x602e7, pkru, false, buf, sizeof(buf)), 0);
	assert_int_equal(xs_ld64(buf + 464), spr->user.max_features);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, sizeof(buf), &pkru, &v), 0);
	assert_int_equal(pkru, 0x77);	/* PKRU bit clear: the vCPU keeps its PKRU */
	put64(buf + 512, XS_XFEATURE_MASK_CET_USER | 3);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, sizeof(buf), &pkru, &v), -EINVAL);
	assert_string_equal(v.rule, "kvm.supported_xcr0");
	/* TILEDATA is supported by KVM but not yet enabled in this vCPU */
	put64(buf + 512, XS_XFEATURE_MASK_XTILE | 3);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, sizeof(buf), &pkru, &v), -EINVAL);
	assert_string_equal(v.rule, "header.xstate_bv");
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, 4000, &pkru, &v), -EFAULT);
	put64(buf + 512, XS_XFEATURE_MASK_PKRU | 3);
	put32(buf + spr->xstate_offsets[9], 0x1234);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, sizeof(buf), &pkru, &v), 0);
	assert_int_equal(pkru, 0x1234);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
}

static void test_kvm_get_xsave_is_einval_once_amx_is_enabled(void **state)
{
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t *buf = calloc(1, 11008);

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, spr, NULL), 0);
	assert_int_equal(xs_arch_prctl(&vmm, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&vmm, &g, XS_XFEATURE_MASK_XTILE_DATA), 0);
	assert_int_equal(xs_kvm_get_xsave(spr, &g, 0x602e7, 0, false, buf, 4096), -EINVAL);
	assert_int_equal(xs_kvm_get_xsave(spr, &g, 0x602e7, 0, true, buf, 11008), 0);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
	free(buf);
}

static void test_kvm_guest_supervisor_state_survives_set_xsave(void **state)
{
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t buf[4096] = { 0 };
	uint64_t bv = XS_XFEATURE_MASK_CET_KERNEL | XS_XFEATURE_MASK_CET_USER;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, zen4, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	/* as if XSAVES had recorded the guest's CET state */
	put64(g.fpstate->regs + 512, bv);
	put64(buf + 512, 0x7);
	put32(buf + 24, 0x1f80);
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, buf, sizeof(buf), NULL, NULL), 0);
	assert_int_equal(xs_fpstate_xstate_bv(g.fpstate), bv | 0x7);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
}

/* ---- KVM refusal rules, one per rule (x86.c, core.c) ---- */

/* __kvm_set_xcr(): "if (!(xcr0 & XFEATURE_MASK_FP)) return 1" */
static void test___kvm_set_xcr_refuses_xcr0_without_x87(void **state)
{
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0, 0xe6, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.x87");
	assert_string_equal(v.function, "__kvm_set_xcr");
}

/* __kvm_set_xcr(): xcr0 & ~(guest_supported_xcr0 | FP) */
static void test___kvm_set_xcr_refuses_bits_outside_guest_supported_xcr0(void **state)
{
	struct xs_verdict v;

	(void)state;
	/* the guest's CPUID allows x87/SSE/AVX only */
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0x7, 0xe7, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.unsupported");
	assert_string_equal(v.function, "__kvm_set_xcr");
	/* PKRU: Zen 4 here has no PKU, so KVM cannot offer it */
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0, 0x207, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.unsupported");
	/* x87 is valid even when the guest's CPUID has no XSAVE */
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0x2, 0x1, &v), 0);
}

/* __kvm_set_xcr(): (!(xcr0 & BNDREGS)) != (!(xcr0 & BNDCSR)) */
static void test___kvm_set_xcr_refuses_one_mpx_component_without_the_other(void **state)
{
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0x1f, 0xf, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.mpx_pair");
	assert_string_equal(v.function, "__kvm_set_xcr");
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0x1f, 0x17, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.mpx_pair");
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0x1f, 0x1f, &v), 0);
}

/* __kvm_set_xcr(): AVX-512 bits with YMM clear */
static void test___kvm_set_xcr_refuses_avx512_without_avx(void **state)
{
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_kvm_set_xcr0(zen4, 0, 0xe3, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.avx512_needs_avx");
	assert_string_equal(v.function, "__kvm_set_xcr");
}

/* kvm_vcpu_ioctl_x86_set_xcrs(): "if (!boot_cpu_has(X86_FEATURE_XSAVE)) return -EINVAL" */
static void test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_a_host_without_xsave(void **state)
{
	xs_system *nox = xt_system("no-xsave.instlat.txt", NULL);
	struct xs_kvm_xcrs x = { .nr_xcrs = 1, .xcrs = { { 0, 0, 0x1 } } };
	struct xs_verdict v;
	uint64_t xcr0 = 0x1;

	(void)state;
	assert_false(nox->xsave);
	assert_int_equal(xs_kvm_set_xcr0(nox, 0, 0x1, &v), -EINVAL);
	assert_string_equal(v.rule, "kvm.no_xsave");
	assert_string_equal(v.function, "kvm_vcpu_ioctl_x86_set_xcrs");
	assert_int_equal(xs_kvm_set_xcrs(nox, NULL, 0, &x, &xcr0, &v), -EINVAL);
	assert_string_equal(v.rule, "kvm.no_xsave");
	/* even with nothing to set */
	x.nr_xcrs = 0;
	assert_int_equal(xs_kvm_set_xcrs(nox, NULL, 0, &x, &xcr0, &v), -EINVAL);
	free(nox);
}

/* kvm_vcpu_ioctl_x86_set_xcrs(): nr_xcrs > KVM_MAX_XCRS || flags */
static void test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_too_many_entries_and_any_flag(void **state)
{
	struct xs_kvm_xcrs x = { .nr_xcrs = XS_KVM_MAX_XCRS + 1, .xcrs = { { 0, 0, 0x7 } } };
	struct xs_verdict v;
	uint64_t xcr0 = 0x1;

	(void)state;
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), -EINVAL);
	assert_string_equal(v.rule, "xcrs.nr_xcrs");
	assert_string_equal(v.function, "kvm_vcpu_ioctl_x86_set_xcrs");
	x.nr_xcrs = 0xffffffffu;
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), -EINVAL);
	x.nr_xcrs = XS_KVM_MAX_XCRS;	/* the limit itself is fine */
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), 0);
	assert_int_equal(xcr0, 0x7);
	xcr0 = 0x1;
	x.nr_xcrs = 1;
	x.flags = 1;
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), -EINVAL);
	assert_string_equal(v.rule, "xcrs.flags");
	x.flags = 0x80000000u;
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), -EINVAL);
	assert_int_equal(xcr0, 0x1);	/* nothing changes on a refusal */
}

/* kvm_vcpu_ioctl_x86_set_xcrs(): "Only support XCR0 currently" — the first XCR0 entry decides */
static void test_kvm_vcpu_ioctl_x86_set_xcrs_skips_other_xcrs_and_uses_the_first_xcr0(void **state)
{
	struct xs_kvm_xcrs x = { 0 };
	struct xs_verdict v;
	uint64_t xcr0 = 0x1;

	(void)state;
	/* no entry at all, or only other XCRs (even with wild values): 0, XCR0 kept */
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), 0);
	assert_string_equal(v.rule, "xcrs.no_xcr0");
	x.nr_xcrs = 3;
	x.xcrs[0] = (struct xs_kvm_xcr){ 1, 0, 0 };
	x.xcrs[1] = (struct xs_kvm_xcr){ 0xffffffffu, 7, ~0ull };
	x.xcrs[2] = (struct xs_kvm_xcr){ 2, 0, 0x2 };
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), 0);
	assert_int_equal(xcr0, 0x1);
	/* an XCR0 entry past nr_xcrs is not read */
	x.xcrs[3] = (struct xs_kvm_xcr){ 0, 0, 0x0 };
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), 0);
	/* the first XCR0 entry is applied, later ones are not looked at */
	x.nr_xcrs = 5;
	x.xcrs[3] = (struct xs_kvm_xcr){ 0, 0xdead, 0x7 };	/* reserved is not checked */
	x.xcrs[4] = (struct xs_kvm_xcr){ 0, 0, 0x0 };
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), 0);
	assert_int_equal(xcr0, 0x7);
	x.xcrs[3].value = 0x5;	/* the first one refused: -EINVAL, a later valid one does not help */
	x.xcrs[4].value = 0xe7;
	assert_int_equal(xs_kvm_set_xcrs(zen4, NULL, 0, &x, &xcr0, &v), -EINVAL);
	assert_string_equal(v.rule, "xcr0.avx_needs_sse");
	assert_string_equal(v.function, "__kvm_set_xcr");
	assert_int_equal(xcr0, 0x7);
}

/* kvm_vcpu_ioctl_x86_set_xcrs(): has_protected_state && guest_state_protected */
static void test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_a_protected_vcpu(void **state)
{
	xs_fpu_guest g = { 0 };
	struct xs_kvm_xcrs x = { .nr_xcrs = 1, .xcrs = { { 0, 0, 0x7 } } };
	struct xs_verdict v;
	uint64_t xcr0 = 0x1;

	(void)state;
	g.has_protected_state = true;	/* a SEV-ES VM before its VMSA is encrypted */
	assert_int_equal(xs_kvm_set_xcrs(zen4, &g, 0, &x, &xcr0, &v), 0);
	assert_int_equal(xcr0, 0x7);
	g.guest_state_protected = true;
	assert_int_equal(xs_kvm_set_xcrs(zen4, &g, 0, &x, &xcr0, &v), -EINVAL);
	assert_string_equal(v.rule, "protected");
	assert_string_equal(v.function, "kvm_vcpu_ioctl_x86_set_xcrs");
}

struct guest_snapshot {
	xs_fpstate fps;
	uint8_t regs[16384];
	uint32_t pkru;
};

static void take_guest(struct guest_snapshot *s, const xs_fpu_guest *g, uint32_t pkru)
{
	s->fps = *g->fpstate;
	memcpy(s->regs, g->fpstate->regs, g->fpstate->size);
	s->pkru = pkru;
}

static void assert_guest_unchanged(const struct guest_snapshot *s, const xs_fpu_guest *g, uint32_t pkru)
{
	assert_memory_equal(&s->fps, g->fpstate, sizeof(s->fps));
	assert_memory_equal(s->regs, g->fpstate->regs, g->fpstate->size);
	assert_int_equal(s->pkru, pkru);
}

/* fpu_copy_uabi_to_guest_fpstate(): without host XSAVE only x87/SSE may be in XSTATE_BV */
static void test_fpu_copy_uabi_to_guest_fpstate_without_xsave_takes_fx_state_only(void **state)
{
	xs_system *nox = xt_system("no-xsave.instlat.txt", NULL);
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t buf[4096] = { 0 };
	struct guest_snapshot s;
	struct xs_verdict v;
	uint32_t pkru = 0x55;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, nox, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	put32(buf + 24, 0x1f80);
	put64(buf + 512, 0x7);
	take_guest(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(nox, &g, buf, sizeof(buf), &pkru, &v), -EINVAL);
	assert_string_equal(v.rule, "kvm.fx_only");
	assert_string_equal(v.function, "fpu_copy_uabi_to_guest_fpstate");
	assert_guest_unchanged(&s, &g, pkru);
	put64(buf + 512, 0x3);
	buf[160] = 0xab;
	assert_int_equal(xs_kvm_set_xsave(nox, &g, buf, sizeof(buf), &pkru, &v), 0);
	assert_int_equal(g.fpstate->regs[160], 0xab);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
	free(nox);
}

/* kvm_arch_vcpu_ioctl(KVM_SET_XSAVE): memdup_user(argp, guest_fpu.uabi_size) faults */
static void test_kvm_arch_vcpu_ioctl_set_xsave_refuses_buffers_shorter_than_uabi_size(void **state)
{
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t *buf = calloc(1, 11008);
	struct guest_snapshot s;
	struct xs_verdict v;
	uint32_t pkru = 0x55;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, spr, NULL), 0);
	assert_int_equal(xs_arch_prctl(&vmm, XS_ARCH_REQ_XCOMP_GUEST_PERM, 18, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	put32(buf + 24, 0x1f80);
	put64(buf + 512, 0x3);
	take_guest(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, 4095, &pkru, &v), -EFAULT);
	assert_string_equal(v.rule, "length");
	assert_string_equal(v.function, "kvm_arch_vcpu_ioctl");
	assert_guest_unchanged(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, 4096, &pkru, &v), 0);
	/* with AMX enabled the vCPU's uabi_size is 11008: a struct kvm_xsave is short */
	assert_int_equal(xs_fpu_enable_guest_xfd_features(&vmm, &g, XS_XFEATURE_MASK_XTILE_DATA), 0);
	assert_int_equal(g.uabi_size, 11008);
	take_guest(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, 4096, &pkru, &v), -EFAULT);
	assert_string_equal(v.rule, "length");
	assert_guest_unchanged(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(spr, &g, buf, 11008, &pkru, &v), 0);
	/* KVM_GET_XSAVE2 into too little memory: copy_to_user faults */
	assert_int_equal(xs_kvm_get_xsave(spr, &g, 0x602e7, 0, true, buf, 11000), -EFAULT);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
	free(buf);
}

/*
 * kvm_vcpu_ioctl_x86_set_xsave() / kvm_vcpu_ioctl_x86_get_xsave2():
 * "if (fpstate_is_confidential(...)) return has_protected_state ? -EINVAL : 0"
 */
static void test_kvm_vcpu_ioctl_x86_set_xsave_confidential_is_einval_only_with_protected_state(void **state)
{
	xs_fpu vmm;
	xs_fpu_guest g;
	uint8_t buf[4096], out[4096];
	struct guest_snapshot s;
	struct xs_verdict v;
	uint32_t pkru = 0x55;

	(void)state;
	assert_int_equal(xs_fpu_init(&vmm, zen4, NULL), 0);
	assert_int_equal(xs_fpu_alloc_guest_fpstate(&vmm, &g), 0);
	memset(buf, 0, sizeof(buf));
	put32(buf + 24, 0x1f80);
	put64(buf + 512, 0x7);
	memset(buf + 576, 0x5a, 256);
	g.fpstate->is_confidential = true;
	/* not a protected-state VM: 0, and the buffer is ignored */
	take_guest(&s, &g, pkru);
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, buf, sizeof(buf), &pkru, &v), 0);
	assert_string_equal(v.rule, "confidential.ignored");
	assert_string_equal(v.function, "kvm_vcpu_ioctl_x86_set_xsave");
	assert_guest_unchanged(&s, &g, pkru);
	/* even a buffer KVM would refuse */
	put64(buf + 520, 1);
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, buf, sizeof(buf), &pkru, &v), 0);
	assert_guest_unchanged(&s, &g, pkru);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(xs_kvm_get_xsave(zen4, &g, 0xe7, pkru, false, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);	/* the kzalloc'ed buffer, unfilled */
	/* a protected-state VM (TDX): -EINVAL both ways, nothing written */
	g.has_protected_state = true;
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, buf, sizeof(buf), &pkru, &v), -EINVAL);
	assert_string_equal(v.rule, "confidential");
	assert_string_equal(v.function, "kvm_vcpu_ioctl_x86_set_xsave");
	assert_guest_unchanged(&s, &g, pkru);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(xs_kvm_get_xsave(zen4, &g, 0xe7, pkru, false, out, sizeof(out)), -EINVAL);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(out[sizeof(out) - 1], 0xee);
	/* the length check (memdup_user) comes first */
	assert_int_equal(xs_kvm_set_xsave(zen4, &g, buf, 100, &pkru, &v), -EFAULT);
	xs_fpu_free_guest_fpstate(&vmm, &g);
	xs_fpu_destroy(&vmm);
}

/* ---- no XSAVE, and the length rules of the UABI entry points ---- */

/* xstateregs_set() / xstateregs_get(): "if (!cpu_feature_enabled(X86_FEATURE_XSAVE)) return -ENODEV" */
static void test_xstateregs_set_and_get_are_enodev_without_xsave(void **state)
{
	xs_system *nox = xt_system("no-xsave.instlat.txt", NULL);
	xs_fpu fpu;
	uint8_t buf[1024] = { 0 };

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, nox, NULL), 0);
	assert_int_equal(xs_ptrace_xstate_size(nox), 0);
	expect_set_refused(&fpu, buf, sizeof(buf), -ENODEV, "no_xsave", "xstateregs_set");
	expect_set_refused(&fpu, buf, 0, -ENODEV, "no_xsave", "xstateregs_set");
	assert_int_equal(xs_ptrace_getregset(&fpu, buf, sizeof(buf), NULL), -ENODEV);
	xs_fpu_destroy(&fpu);
	free(nox);
}

/* copy_uabi_to_xstate(): the legacy area and header must be readable */
static void test_copy_uabi_to_xstate_refuses_buffers_without_the_header(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;
	struct snapshot s;
	struct xs_verdict v;

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	put64(b + 512, 0x3);
	take(&s, &fpu);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, 575, &fpu.pkru, &v), -EFAULT);
	assert_string_equal(v.rule, "length");
	assert_string_equal(v.function, "copy_uabi_to_xstate");
	assert_int_equal(xs_uabi_validate(zen4, fpu.fpstate, b, 0, &v), -EFAULT);
	assert_unchanged(&s, &fpu);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, 576, &fpu.pkru, &v), 0);
	xs_fpu_destroy(&fpu);
	free(b);
}

/* copy_uabi_to_xstate(): copy_from_buffer() of a selected component past the end faults */
static void test_copy_uabi_to_xstate_refuses_components_past_the_end(void **state)
{
	xs_fpu fpu;
	size_t n;
	uint8_t *b;
	struct snapshot s;
	struct xs_verdict v;
	unsigned hi16_end = zen4->xstate_offsets[7] + zen4->xstate_sizes[7];

	(void)state;
	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	b = valid_buffer(&fpu, &n);
	assert_int_equal(n, hi16_end);
	take(&s, &fpu);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, hi16_end - 1, &fpu.pkru, &v), -EFAULT);
	assert_string_equal(v.rule, "length");
	assert_string_equal(v.function, "copy_uabi_to_xstate");
	assert_unchanged(&s, &fpu);
	/* without Hi16_ZMM in XSTATE_BV the buffer may end after ZMM_Hi256 */
	put64(b + 512, 0x67);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, zen4->xstate_offsets[7], &fpu.pkru, &v), 0);
	put64(b + 512, 0x7);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, zen4->xstate_offsets[5] - 1, &fpu.pkru, &v),
			 -EFAULT);
	assert_int_equal(xs_copy_uabi_to_xstate(zen4, fpu.fpstate, b, zen4->xstate_offsets[5], &fpu.pkru, &v), 0);
	xs_fpu_destroy(&fpu);
	free(b);
}

/*
 * __copy_xstate_to_uabi_buf(): the one-pass copy from a compacted buffer
 * (a buffer holding every standard offset) and the general one (a shorter
 * buffer) write the same bytes; and what a set loads comes back by a get.
 */
static void test_copy_xstate_to_uabi_paths_agree_on_compacted_layouts(void **state)
{
	const xs_system *systems[] = { spr, zen4 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned s = 0; s < 2; s++) {
		const xs_system *sys = systems[s];
		xs_fpu fpu;
		size_t n = xs_ptrace_xstate_size(sys), len;
		uint8_t *b, *full = calloc(1, n), *part = calloc(1, n);

		assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
		if (sys->user.max_features & XS_XFEATURE_MASK_XTILE_DATA) {
			assert_int_equal(xs_arch_prctl(&fpu, XS_ARCH_REQ_XCOMP_PERM, 18, NULL), 0);
			assert_int_equal(xs_xfd_enable_feature(&fpu, XS_XFEATURE_MASK_XTILE_DATA), 0);
		}
		b = valid_buffer(&fpu, &len);
		for (unsigned i = 0; i < 200; i++) {
			uint64_t bv;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			bv = (seed >> 17) & fpu.fpstate->user_xfeatures;
			if (i % 3)
				bv |= XS_XFEATURE_MASK_FPSSE;	/* the one-pass case */
			put64(b + 512, bv);
			assert_int_equal(xs_ptrace_setregset(&fpu, b, n, NULL), 0);
			xs_copy_xstate_to_uabi(sys, fpu.fpstate, fpu.fpstate->user_xfeatures, fpu.pkru, XS_COPY_XSAVE,
					       full, n);
			xs_copy_xstate_to_uabi(sys, fpu.fpstate, fpu.fpstate->user_xfeatures, fpu.pkru, XS_COPY_XSAVE,
					       part, n - 8);
			assert_memory_equal(full, part, n - 8);
			assert_int_equal(xs_ld64(full + 512), bv);
			for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
				if (bv & XS_BIT(nr))
					assert_memory_equal(full + sys->xstate_offsets[nr], b + sys->xstate_offsets[nr],
							    sys->xstate_sizes[nr]);
			if (bv & XS_XFEATURE_MASK_SSE)
				assert_memory_equal(full + 160, b + 160, 256);
		}
		xs_fpu_destroy(&fpu);
		free(b);
		free(full);
		free(part);
	}
}

/*
 * copy_uabi_to_xstate() without a verdict (the fast way in, a buffer with
 * every component) refuses what validate_user_xstate_header() and the
 * MXCSR and length checks refuse, changing nothing; what it accepts
 * loads the bytes the same call with a verdict (component by component)
 * loads, PKRU included.
 */
static void test_copy_uabi_to_xstate_without_a_verdict_refuses_and_loads_as_with_one(void **state)
{
	const xs_system *systems[] = { spr, zen4 };

	(void)state;
	for (unsigned s = 0; s < 2; s++) {
		const xs_system *sys = systems[s];
		xs_fpu a, b;
		struct xs_verdict v;
		struct snapshot snap;
		size_t len;
		uint8_t *buf;
		uint32_t pa = 1, pb = 2;
		/* one bad byte each: XCOMP_BV, a reserved header byte, MXCSR bit 31 */
		static const unsigned bad_at[] = { 520, 575, 27 };

		assert_int_equal(xs_fpu_init(&a, sys, NULL), 0);
		assert_int_equal(xs_fpu_init(&b, sys, NULL), 0);
		buf = valid_buffer(&a, &len);
		for (unsigned i = 0; i < sizeof(bad_at) / sizeof(bad_at[0]); i++) {
			buf[bad_at[i]] ^= 0x80;
			take(&snap, &a);
			assert_int_equal(xs_copy_uabi_to_xstate(sys, a.fpstate, buf, len, &a.pkru, NULL), -EINVAL);
			assert_unchanged(&snap, &a);
			buf[bad_at[i]] ^= 0x80;
		}
		take(&snap, &a);
		/* one byte short of the last component the header selects */
		assert_int_equal(xs_copy_uabi_to_xstate(sys, a.fpstate, buf, a.fpstate->user_size - 1, &a.pkru, NULL),
				 -EFAULT);
		assert_unchanged(&snap, &a);
		assert_int_equal(xs_copy_uabi_to_xstate(sys, a.fpstate, buf, len, &pa, NULL), 0);
		assert_int_equal(xs_copy_uabi_to_xstate(sys, b.fpstate, buf, len, &pb, &v), 0);
		assert_int_equal(pa, pb);
		assert_int_equal(a.fpstate->size, b.fpstate->size);
		assert_memory_equal(a.fpstate->regs, b.fpstate->regs, a.fpstate->size);
		xs_fpu_destroy(&a);
		xs_fpu_destroy(&b);
		free(buf);
	}
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(xs_errno_name(-EINVAL), "EINVAL");
	assert_string_equal(xs_errno_name(EFAULT), "EFAULT");
	assert_string_equal(xs_errno_name(-ENOSPC), "ENOSPC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_user_xstate_header_refuses_bits_outside_user_xfeatures),
		cmocka_unit_test(test_validate_user_xstate_header_refuses_nonzero_xcomp_bv),
		cmocka_unit_test(test_validate_user_xstate_header_refuses_any_reserved_byte),
		cmocka_unit_test(test_copy_uabi_to_xstate_refuses_reserved_mxcsr_bits_with_fp_sse_or_ymm),
		cmocka_unit_test(test_ptrace_regset_refuses_iov_len_not_multiple_of_8),
		cmocka_unit_test(test_xstateregs_set_refuses_short_buffers_and_clamps_long_ones),
		cmocka_unit_test(test_ptrace_set_then_get_returns_what_was_set_with_xcr0_word),
		cmocka_unit_test(test_get_of_a_fresh_task_holds_init_values),
		cmocka_unit_test(test_sigframe_carries_fx_sw_bytes_and_magic2),
		cmocka_unit_test(test_sigreturn_without_magic1_or_magic2_restores_fx_only),
		cmocka_unit_test(test_sigreturn_xrstor_faults_follow_the_hardware_not_ptrace),
		cmocka_unit_test(test_kvm_set_xcrs_accepts_what_the_live_machine_accepted),
		cmocka_unit_test(test_kvm_supported_xss_is_cet_only_with_both_cet_states),
		cmocka_unit_test(test_kvm_cap_xsave2_grows_with_the_guest_amx_permission),
		cmocka_unit_test(test_kvm_set_xsave_refuses_bits_kvm_does_not_support),
		cmocka_unit_test(test_kvm_get_xsave_is_einval_once_amx_is_enabled),
		cmocka_unit_test(test_kvm_guest_supervisor_state_survives_set_xsave),
		cmocka_unit_test(test___kvm_set_xcr_refuses_xcr0_without_x87),
		cmocka_unit_test(test___kvm_set_xcr_refuses_bits_outside_guest_supported_xcr0),
		cmocka_unit_test(test___kvm_set_xcr_refuses_one_mpx_component_without_the_other),
		cmocka_unit_test(test___kvm_set_xcr_refuses_avx512_without_avx),
		cmocka_unit_test(test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_a_host_without_xsave),
		cmocka_unit_test(test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_too_many_entries_and_any_flag),
		cmocka_unit_test(test_kvm_vcpu_ioctl_x86_set_xcrs_skips_other_xcrs_and_uses_the_first_xcr0),
		cmocka_unit_test(test_kvm_vcpu_ioctl_x86_set_xcrs_refuses_a_protected_vcpu),
		cmocka_unit_test(test_fpu_copy_uabi_to_guest_fpstate_without_xsave_takes_fx_state_only),
		cmocka_unit_test(test_kvm_arch_vcpu_ioctl_set_xsave_refuses_buffers_shorter_than_uabi_size),
		cmocka_unit_test(test_kvm_vcpu_ioctl_x86_set_xsave_confidential_is_einval_only_with_protected_state),
		cmocka_unit_test(test_xstateregs_set_and_get_are_enodev_without_xsave),
		cmocka_unit_test(test_copy_uabi_to_xstate_refuses_buffers_without_the_header),
		cmocka_unit_test(test_copy_uabi_to_xstate_refuses_components_past_the_end),
		cmocka_unit_test(test_copy_xstate_to_uabi_paths_agree_on_compacted_layouts),
		cmocka_unit_test(test_copy_uabi_to_xstate_without_a_verdict_refuses_and_loads_as_with_one),
		cmocka_unit_test(test_errno_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
