// SPDX-License-Identifier: MIT
/*
 * The user-ABI entry points under fuzzing, for any CPU model: each
 * function runs one entry point on a buffer and checks its invariants
 * (see fuzz_uabi_checks.h). Shared by fuzz_uabi (fixed models) and
 * fuzz_model (models parsed from the input).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_models.h"
#include "fuzz_uabi_checks.h"
#include "linux/linux.h"	/* what the kernel keeps: the fpstate's fields */

/* ---- "a refused call changes nothing" ------------------------------------ */

struct snapshot {
	xs_fpstate fields;
	uint8_t *regs;
	uint32_t pkru;
};

static void take(struct snapshot *s, const xs_fpstate *fps, uint32_t pkru)
{
	s->fields = *fps;
	s->regs = fz_dup(fps->regs, fps->size);
	s->pkru = pkru;
}

static void same_as(struct snapshot *s, const xs_fpstate *fps, uint32_t pkru, const char *what)
{
	FZ_CHECK(!memcmp(&s->fields, fps, sizeof(*fps)), "%s: refused, but the fpstate fields changed", what);
	FZ_CHECK(!memcmp(s->regs, fps->regs, fps->size), "%s: refused, but the register image changed", what);
	FZ_CHECK(s->pkru == pkru, "%s: refused, but PKRU changed", what);
	free(s->regs);
}

/* ---- "what was set comes back" ------------------------------------------- */

/* Every component the header selected reads back as it was given. */
static void check_components(const xs_system *sys, const uint8_t *in, const uint8_t *out, uint64_t bv)
{
	FZ_CHECK(xs_ld64(out + 512) == bv, "XSTATE_BV 0x%llx came back as 0x%llx", (unsigned long long)bv,
		 (unsigned long long)xs_ld64(out + 512));
	FZ_CHECK(xs_ld64(out + 464) == sys->user.max_features, "the XCR0 word is wrong");
	if (bv & XS_XFEATURE_MASK_FP)
		FZ_CHECK(!memcmp(out, in, 24) && !memcmp(out + 32, in + 32, 128), "x87 changed");
	if (bv & (XS_XFEATURE_MASK_SSE | XS_XFEATURE_MASK_YMM))
		FZ_CHECK(!memcmp(out + 24, in + 24, 8), "MXCSR changed");
	if (bv & XS_XFEATURE_MASK_SSE)
		FZ_CHECK(!memcmp(out + 160, in + 160, 256), "XMM changed");
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		unsigned off = sys->xstate_offsets[nr];

		if (!(bv & XS_BIT(nr)) || !sys->xstate_sizes[nr])
			continue;	/* a zero sub-leaf (hypervisors give them) has no bytes */
		if (nr == XS_XFEATURE_PKRU) {	/* the 32-bit value, then zeros (struct pkru_state's pad) */
			unsigned size = sys->xstate_sizes[nr], head = size < 4 ? size : 4;

			FZ_CHECK(!memcmp(out + off, in + off, head), "PKRU changed");
			for (unsigned i = head; i < size && i < 8; i++)
				FZ_CHECK(!out[off + i], "PKRU's padding is not zero");
		} else {
			FZ_CHECK(!memcmp(out + off, in + off, sys->xstate_sizes[nr]), "component %u changed", nr);
		}
	}
}

/* A frame of the task's current state is what sigreturn restores fully. */
static void check_own_sigframe(const xs_fpu *fpu)
{
	unsigned size = xs_sigframe_fpstate_size(fpu);
	uint8_t *frame = malloc(size);
	struct xs_verdict v = { 0 };

	if (!frame)
		abort();
	FZ_CHECK(!xs_sigframe_save(fpu, frame, size), "sigframe save failed");
	FZ_CHECK(xs_sigframe_check(fpu, frame, size, &v) == XS_SIGRETURN_XSTATE,
		 "the task's own signal frame is not restored: %s", v.reason);
	free(frame);
}

static void permit_amx(xs_fpu *fpu, bool guest)
{
	/* refusals are fine: only SPR has AMX */
	if (xs_arch_prctl(fpu, guest ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM,
			  XS_XFEATURE_XTILE_DATA, NULL) == 0 && !guest)
		xs_xfd_enable_feature(fpu, XS_XFEATURE_MASK_XTILE_DATA);
}

/* ---- entry points -------------------------------------------------------------- */

void fuzz_ptrace(const xs_system *sys, bool amx, const uint8_t *buf, size_t len)
{
	struct xs_verdict v = { 0 };
	struct snapshot s;
	unsigned size = xs_ptrace_xstate_size(sys);
	uint8_t *out = malloc(size);
	xs_fpu fpu;
	int ret;

	if (!out || xs_fpu_init(&fpu, sys, NULL))
		abort();
	if (amx)
		permit_amx(&fpu, false);
	take(&s, fpu.fpstate, fpu.pkru);
	ret = xs_ptrace_setregset(&fpu, buf, len, &v);
	FZ_CHECK(ret == v.err, "ptrace: returned %d, verdict %d", ret, v.err);
	if (ret) {
		same_as(&s, fpu.fpstate, fpu.pkru, "ptrace");
	} else {
		free(s.regs);
		FZ_CHECK(!xs_ptrace_getregset(&fpu, out, size, NULL), "get after set failed");
		check_components(sys, buf, out, xs_ld64(buf + 512));
		FZ_CHECK(!xs_ptrace_setregset(&fpu, out, size, &v), "the get's own buffer is refused: %s", v.reason);
		check_own_sigframe(&fpu);
	}
	xs_fpu_destroy(&fpu);
	free(out);
}

void fuzz_sigframe(const xs_system *sys, bool amx, const uint8_t *buf, size_t len)
{
	struct xs_verdict v = { 0 };
	enum xs_sigreturn r;
	xs_fpu fpu;
	unsigned user_size;

	if (xs_fpu_init(&fpu, sys, NULL))
		abort();
	if (amx)
		permit_amx(&fpu, false);
	user_size = fpu.fpstate->user_size;
	r = xs_sigframe_check(&fpu, buf, len, &v);
	FZ_CHECK(r == XS_SIGRETURN_XSTATE || r == XS_SIGRETURN_FX_ONLY || r == XS_SIGRETURN_FAIL, "outcome %d", r);
	FZ_CHECK((r == XS_SIGRETURN_FAIL) == (v.err == -EFAULT) && (r == XS_SIGRETURN_FAIL || !v.err),
		 "outcome %d with err %d", r, v.err);
	/* 6.18 (the revert): MAGIC2 follows the frame's own xstate_size */
	if (r == XS_SIGRETURN_XSTATE) {
		uint32_t xsize = xs_ld32(buf + 480);

		FZ_CHECK(sys->xsave && xs_ld32(buf + 464) == XS_FP_XSTATE_MAGIC1 && xsize >= 576 &&
				 xsize <= user_size && xsize <= xs_ld32(buf + 468) && len >= (size_t)xsize + 4 &&
				 xs_ld32(buf + xsize) == XS_FP_XSTATE_MAGIC2,
			 "XRSTOR of a frame without both magics or with a bad xstate_size");
	}
	xs_fpu_destroy(&fpu);
}

void fuzz_kvm(const xs_system *sys, bool amx, const uint8_t *buf, size_t len)
{
	struct xs_verdict v = { 0 };
	struct snapshot s;
	xs_fpu fpu;
	xs_fpu_guest g;
	uint32_t pkru = 0x55555554, given;
	uint8_t *out;
	int ret;

	if (xs_fpu_init(&fpu, sys, NULL))
		abort();
	if (amx)
		permit_amx(&fpu, true);
	if (xs_fpu_alloc_guest_fpstate(&fpu, &g))
		abort();
	if (amx)
		xs_fpu_enable_guest_xfd_features(&fpu, &g, XS_XFEATURE_MASK_XTILE_DATA);
	take(&s, g.fpstate, pkru);
	ret = xs_kvm_set_xsave(sys, &g, buf, len, &pkru, &v);
	FZ_CHECK(ret == v.err, "kvm: returned %d, verdict %d", ret, v.err);
	if (ret) {
		same_as(&s, g.fpstate, pkru, "KVM_SET_XSAVE");
	} else {
		free(s.regs);
		/* PKRU from its slot: the bytes it has (none for a zero sub-leaf) of the value */
		given = s.pkru;
		if (xs_ld64(buf + 512) & XS_XFEATURE_MASK_PKRU) {
			unsigned n = sys->xstate_sizes[XS_XFEATURE_PKRU];

			given = 0;
			memcpy(&given, buf + sys->xstate_offsets[XS_XFEATURE_PKRU], n < 4 ? n : 4);
		}
		FZ_CHECK(pkru == given, "vCPU PKRU 0x%x, expected 0x%x", pkru, given);
		out = malloc(g.uabi_size);
		if (!out)
			abort();
		FZ_CHECK(!xs_kvm_get_xsave(sys, &g, xs_kvm_supported_xcr0(sys), pkru, true, out, g.uabi_size),
			 "KVM_GET_XSAVE2 after a set failed");
		if (sys->xsave)
			check_components(sys, buf, out, xs_ld64(buf + 512));
		else	/* fpu_copy_guest_fpstate_to_uabi(): the FXSAVE image, "restorable on an XSAVE host" */
			FZ_CHECK(!memcmp(out, buf, 512) && xs_ld64(out + 512) == XS_XFEATURE_MASK_FPSSE,
				 "a host without XSAVE did not give back the FXSAVE image with XSTATE_BV = FP|SSE");
		FZ_CHECK(!xs_kvm_set_xsave(sys, &g, out, g.uabi_size, &pkru, &v), "the get's own buffer is refused: %s",
			 v.reason);
		free(out);
	}
	xs_fpu_free_guest_fpstate(&fpu, &g);
	xs_fpu_destroy(&fpu);
}

void fuzz_xcr0(const xs_system *sys, const uint8_t *buf, size_t len)
{
	struct xs_verdict v = { 0 };
	uint64_t gsx, xcr0, valid;
	int ret;

	if (len < 16)
		return;
	gsx = xs_ld64(buf);
	xcr0 = xs_ld64(buf + 8);
	ret = xs_kvm_set_xcr0(sys, gsx, xcr0, &v);
	FZ_CHECK((ret == 0 || ret == -EINVAL) && ret == v.err, "XCR0: returned %d, verdict %d", ret, v.err);
	valid = (gsx ? gsx : xs_kvm_supported_xcr0(sys)) | XS_XFEATURE_MASK_FP;
	if (!ret)
		FZ_CHECK((xcr0 & XS_XFEATURE_MASK_FP) && !(xcr0 & ~valid) &&
			 (!(xcr0 & XS_XFEATURE_MASK_YMM) || (xcr0 & XS_XFEATURE_MASK_SSE)),
			 "XCR0 0x%llx accepted", (unsigned long long)xcr0);
}
