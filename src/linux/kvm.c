// SPDX-License-Identifier: MIT
/*
 * What KVM does with XSAVE state (arch/x86/kvm/x86.c, x86.h, cpuid.c and
 * arch/x86/kernel/fpu/core.c): the XCR0/XSS it can offer, KVM_CAP_XSAVE2,
 * KVM_GET_XSAVE[2], KVM_SET_XSAVE, and KVM_SET_XCRS (its structure rules
 * and the XCR0 rules of __kvm_set_xcr).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux.h"

_Static_assert(sizeof(struct xs_kvm_xcrs) == 392, "struct kvm_xcrs is 392 bytes");

/*
 * KVM_SUPPORTED_XCR0 (user rows) or KVM_SUPPORTED_XSS (supervisor rows) of
 * this release: the component table's KVM column (AMX for guests came in
 * 5.17, CET in 6.18).
 */
static uint64_t kvm_supported(const xs_system *sys, bool supervisor)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < XS_XFEATURE_MAX; i++) {
		const struct xs_component *c = xs_component(i);

		if (c->info.supervisor == supervisor && xs_system_since(sys, c->kvm_since))
			mask |= XS_BIT(i);
	}
	return mask;
}

uint64_t xs_kvm_supported_xcr0(const xs_system *sys)
{
	return sys->xsave ? sys->xcr0 & kvm_supported(sys, false) : 0;
}

uint64_t xs_kvm_supported_xss(const xs_system *sys)
{
	uint64_t supported = kvm_supported(sys, true);
	uint64_t xss = sys->xsaves ? sys->xss & supported : 0;

	if (!xs_system_has(sys, XS_CPU_SHSTK) && !xs_system_has(sys, XS_CPU_IBT))
		xss = 0;
	/* KVM virtualises CET only with both user and supervisor state */
	return supported && xss == supported ? xss : 0;
}

/* kvm_get_filtered_xcr0(): AMX only with the process's guest permission. */
static uint64_t kvm_get_filtered_xcr0(const xs_fpu *vmm)
{
	uint64_t xcr0 = xs_kvm_supported_xcr0(vmm->sys);

	if (xcr0 & XS_XFEATURE_MASK_XTILE_DATA) {
		xcr0 &= vmm->guest_perm.state_perm;
		if (!(xcr0 & XS_XFEATURE_MASK_XTILE_DATA))
			xcr0 &= ~XS_XFEATURE_MASK_XTILE_CFG;
	}
	return xcr0;
}

unsigned xs_kvm_xsave2_size(const xs_system *sys, uint64_t xcr0)
{
	/* xstate_required_size(), standard format */
	unsigned size = xs_cpuid_standard_size(&sys->cpu, xcr0 & ~XS_XFEATURE_MASK_FPSSE);

	return size < XS_KVM_XSAVE_SIZE ? XS_KVM_XSAVE_SIZE : size;
}

unsigned xs_kvm_cap_xsave2(const xs_fpu *vmm)
{
	if (!xs_kernel_has(vmm->sys->opts.kernel, XS_K_KVM_XSAVE2))
		return 0;	/* no such capability before 5.17 */
	return xs_kvm_xsave2_size(vmm->sys, kvm_get_filtered_xcr0(vmm));
}

int xs_kvm_get_xsave(const xs_system *sys, const xs_fpu_guest *gfpu, uint64_t guest_xcr0,
		     uint32_t pkru, bool xsave2, void *out, size_t len)
{
	unsigned size = xsave2 ? gfpu->uabi_size : XS_KVM_XSAVE_SIZE;

	if (!xsave2 && gfpu->uabi_size > XS_KVM_XSAVE_SIZE)
		return -EINVAL;	/* AMX is on: only KVM_GET_XSAVE2 holds it */
	if (len < size)
		return -EFAULT;
	/* kvm_vcpu_ioctl_x86_get_xsave2(): the zeroed buffer goes out unfilled */
	if (gfpu->fpstate->is_confidential) {
		if (gfpu->has_protected_state)
			return -EINVAL;
		memset(out, 0, size);
		return 0;
	}
	if (!sys->xsave) {
		/*
		 * fpu_copy_guest_fpstate_to_uabi(): the FXSAVE image as it is
		 * (the XSTATE_BV-driven copy modes need an XSAVE header), and
		 * FP|SSE in the header to be "restorable on a XSAVE enabled host".
		 */
		uint64_t bv = XS_XFEATURE_MASK_FPSSE;

		memset(out, 0, size);
		memcpy(out, gfpu->fpstate->regs, XS_FXSAVE_SIZE);
		memcpy((uint8_t *)out + XS_XSAVE_HDR_OFFSET, &bv, 8);
		return 0;
	}
	xs_copy_xstate_to_uabi(sys, gfpu->fpstate, guest_xcr0 | XS_XFEATURE_MASK_FPSSE, pkru,
			       XS_COPY_XSAVE, out, size);
	return 0;
}

static int set_xsave_without_xsave(const xs_system *sys, xs_fpu_guest *gfpu, const uint8_t *buf,
				   struct xs_verdict *v)
{
	uint64_t bv;
	uint32_t mxcsr;

	bv = xs_ld64(buf + XS_HDR_XSTATE_BV);
	mxcsr = xs_ld32(buf + XS_LEG_MXCSR);
	if (bv & ~XS_XFEATURE_MASK_FPSSE) {
		xs_verdict_set(v, -EINVAL, "kvm.fx_only", "fpu_copy_uabi_to_guest_fpstate",
			       "the host has no XSAVE: XSTATE_BV may only hold x87 and SSE");
		return -EINVAL;
	}
	if (mxcsr & ~sys->mxcsr_feature_mask) {
		xs_verdict_set(v, -EINVAL, "mxcsr.reserved", "fpu_copy_uabi_to_guest_fpstate",
			       "MXCSR 0x%08x sets bits outside the MXCSR mask 0x%08x", mxcsr,
			       sys->mxcsr_feature_mask);
		return -EINVAL;
	}
	memcpy(gfpu->fpstate->regs, buf, XS_FXSAVE_SIZE);
	xs_verdict_set(v, 0, "accepted", "fpu_copy_uabi_to_guest_fpstate", "accepted");
	return 0;
}

int xs_kvm_set_xsave(const xs_system *sys, xs_fpu_guest *gfpu, const void *buf, size_t len,
		     uint32_t *pkru, struct xs_verdict *v)
{
	const uint8_t *b = buf;
	uint64_t bv, supported = xs_kvm_supported_xcr0(sys);

	/* kvm_arch_vcpu_ioctl(): memdup_user(argp, guest_fpu.uabi_size) */
	if (len < gfpu->uabi_size) {
		xs_verdict_set(v, -EFAULT, "length", "kvm_arch_vcpu_ioctl",
			       "KVM reads %u bytes (the vCPU's uabi_size); %zu given", gfpu->uabi_size, len);
		return -EFAULT;
	}
	if (gfpu->fpstate->is_confidential) {
		if (gfpu->has_protected_state) {
			xs_verdict_set(v, -EINVAL, "confidential", "kvm_vcpu_ioctl_x86_set_xsave",
				       "the guest's state is confidential and the VM has protected state");
			return -EINVAL;
		}
		xs_verdict_set(v, 0, "confidential.ignored", "kvm_vcpu_ioctl_x86_set_xsave",
			       "the guest's state is confidential: KVM ignores the buffer and returns 0");
		return 0;
	}
	if (!sys->xsave)
		return set_xsave_without_xsave(sys, gfpu, b, v);
	memcpy(&bv, b + XS_XSAVE_HDR_OFFSET, 8);
	if (bv & ~supported) {
		xs_verdict_set(v, -EINVAL, "kvm.supported_xcr0", "fpu_copy_uabi_to_guest_fpstate",
			       "XSTATE_BV 0x%llx has bits 0x%llx KVM does not support on this host (supported XCR0 0x%llx)",
			       (unsigned long long)bv, (unsigned long long)(bv & ~supported),
			       (unsigned long long)supported);
		return -EINVAL;
	}
	/* a clear PKRU bit leaves the vCPU's PKRU alone (NULL pointer) */
	return xs_copy_uabi_to_xstate(sys, gfpu->fpstate, buf, gfpu->uabi_size,
				      bv & XS_XFEATURE_MASK_PKRU ? pkru : NULL, v);
}

static int xcr_fail(struct xs_verdict *v, const char *rule, const char *why, uint64_t xcr0)
{
	xs_verdict_set(v, -EINVAL, rule, "__kvm_set_xcr", "XCR0 0x%llx: %s",
		       (unsigned long long)xcr0, why);
	return -EINVAL;
}

/* __kvm_set_xcr(vcpu, XCR_XFEATURE_ENABLED_MASK, xcr0): its checks in order. */
static int kvm_set_xcr(const xs_system *sys, uint64_t guest_supported_xcr0, uint64_t xcr0,
		       struct xs_verdict *v)
{
	uint64_t valid = (guest_supported_xcr0 ? guest_supported_xcr0 : xs_kvm_supported_xcr0(sys)) |
			 XS_XFEATURE_MASK_FP;
	uint64_t mpx = xcr0 & (XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR);
	uint64_t avx512 = xcr0 & XS_XFEATURE_MASK_AVX512, amx = xcr0 & XS_XFEATURE_MASK_XTILE;

	if (!(xcr0 & XS_XFEATURE_MASK_FP))
		return xcr_fail(v, "xcr0.x87", "x87 (bit 0) must be set", xcr0);
	if ((xcr0 & XS_XFEATURE_MASK_YMM) && !(xcr0 & XS_XFEATURE_MASK_SSE))
		return xcr_fail(v, "xcr0.avx_needs_sse", "AVX needs SSE", xcr0);
	if (xcr0 & ~valid)
		return xcr_fail(v, "xcr0.unsupported", "bits outside the guest's supported XCR0", xcr0);
	if (mpx && mpx != (XS_XFEATURE_MASK_BNDREGS | XS_XFEATURE_MASK_BNDCSR))
		return xcr_fail(v, "xcr0.mpx_pair", "BNDREGS and BNDCSR go together", xcr0);
	if (avx512 && !(xcr0 & XS_XFEATURE_MASK_YMM))
		return xcr_fail(v, "xcr0.avx512_needs_avx", "AVX-512 needs AVX", xcr0);
	if (avx512 && avx512 != XS_XFEATURE_MASK_AVX512)
		return xcr_fail(v, "xcr0.avx512_all", "opmask, ZMM_Hi256 and Hi16_ZMM go together", xcr0);
	if (amx && amx != XS_XFEATURE_MASK_XTILE)
		return xcr_fail(v, "xcr0.amx_pair", "TILECFG and TILEDATA go together", xcr0);
	xs_verdict_set(v, 0, "accepted", "__kvm_set_xcr", "accepted");
	return 0;
}

static int no_xsave(const xs_system *sys, struct xs_verdict *v)
{
	if (sys->xsave)
		return 0;
	xs_verdict_set(v, -EINVAL, "kvm.no_xsave", "kvm_vcpu_ioctl_x86_set_xcrs",
		       "the host has no XSAVE: KVM_SET_XCRS is refused");
	return -EINVAL;
}

int xs_kvm_set_xcr0(const xs_system *sys, uint64_t guest_supported_xcr0, uint64_t xcr0,
		    struct xs_verdict *v)
{
	int ret = no_xsave(sys, v);

	return ret ? ret : kvm_set_xcr(sys, guest_supported_xcr0, xcr0, v);
}

int xs_kvm_set_xcrs(const xs_system *sys, const xs_fpu_guest *gfpu, uint64_t guest_supported_xcr0,
		    const struct xs_kvm_xcrs *xcrs, uint64_t *xcr0, struct xs_verdict *v)
{
	int ret;

	if (gfpu && gfpu->has_protected_state && gfpu->guest_state_protected) {
		xs_verdict_set(v, -EINVAL, "protected", "kvm_vcpu_ioctl_x86_set_xcrs",
			       "the vCPU's state is protected (SEV-ES, SNP, TDX)");
		return -EINVAL;
	}
	ret = no_xsave(sys, v);
	if (ret)
		return ret;
	if (xcrs->nr_xcrs > XS_KVM_MAX_XCRS) {
		xs_verdict_set(v, -EINVAL, "xcrs.nr_xcrs", "kvm_vcpu_ioctl_x86_set_xcrs",
			       "nr_xcrs %u is above KVM_MAX_XCRS (%u)", xcrs->nr_xcrs, XS_KVM_MAX_XCRS);
		return -EINVAL;
	}
	if (xcrs->flags) {
		xs_verdict_set(v, -EINVAL, "xcrs.flags", "kvm_vcpu_ioctl_x86_set_xcrs",
			       "flags 0x%x: no flag is defined, it must be 0", xcrs->flags);
		return -EINVAL;
	}
	/* "Only support XCR0 currently": other entries are skipped, the first XCR0 one decides */
	for (unsigned i = 0; i < xcrs->nr_xcrs; i++) {
		if (xcrs->xcrs[i].xcr != 0)
			continue;
		ret = kvm_set_xcr(sys, guest_supported_xcr0, xcrs->xcrs[i].value, v);
		if (!ret && xcr0)
			*xcr0 = xcrs->xcrs[i].value;
		return ret;
	}
	xs_verdict_set(v, 0, "xcrs.no_xcr0", "kvm_vcpu_ioctl_x86_set_xcrs",
		       "no entry for XCR0 among the %u: nothing is set", xcrs->nr_xcrs);
	return 0;
}
