// SPDX-License-Identifier: MIT
/*
 * xstate verify --against kvm: KVM_SET_XSAVE with random and malformed
 * buffers, and KVM_SET_XCRS with random XCR0 values, on a vCPU whose CPUID
 * is KVM's supported CPUID; verdicts must match the model, and after an
 * accepted KVM_SET_XSAVE, KVM_GET_XSAVE must return what the model
 * predicts. Skipped without /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "verify_uabi.h"

#define NCPUID 256

struct vm {
	int kvm, vm, vcpu;
	xs_fpu vmm;
	xs_fpu_guest gfpu;
	uint64_t guest_xcr0;
	uint32_t pkru;
};

/* The vCPU gets all of KVM's supported CPUID, so all supported XCR0 bits. */
static int set_supported_cpuid(struct vm *m)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NCPUID * sizeof(c->entries[0]));
	int ret = 0;

	if (!c)
		return -ENOMEM;
	c->nent = NCPUID;
	if (ioctl(m->kvm, KVM_GET_SUPPORTED_CPUID, c) || ioctl(m->vcpu, KVM_SET_CPUID2, c))
		ret = -errno;
	free(c);
	return ret;
}

static int open_vm(struct vm *m, struct verify_result *r)
{
	m->vm = m->vcpu = -1;
	m->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (m->kvm < 0) {
		snprintf(r->skip, sizeof(r->skip), "no /dev/kvm (%s)", strerror(errno));
		return -ENODEV;
	}
	m->vm = ioctl(m->kvm, KVM_CREATE_VM, 0);
	if (m->vm >= 0)
		m->vcpu = ioctl(m->vm, KVM_CREATE_VCPU, 0);
	if (m->vm < 0 || m->vcpu < 0 || set_supported_cpuid(m)) {
		snprintf(r->skip, sizeof(r->skip), "cannot create a KVM vCPU (%s)", strerror(errno));
		return -ENODEV;
	}
	return 0;
}

static void close_vm(struct vm *m)
{
	if (m->vcpu >= 0)
		close(m->vcpu);
	if (m->vm >= 0)
		close(m->vm);
	if (m->kvm >= 0)
		close(m->kvm);
}

static long kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static long model_set(const xs_system *sys, struct vm *m, const uint8_t *buf)
{
	return xs_kvm_set_xsave(sys, &m->gfpu, buf, m->gfpu.uabi_size, &m->pkru, NULL);
}

static bool xsave_case(const xs_system *sys, struct vm *m, uint64_t *seed, struct kvm_xsave *kbuf,
		       uint8_t *mout, struct verify_result *r)
{
	uint8_t *b = (uint8_t *)kbuf->region;
	size_t len;
	const char *what = vu_make_case(seed, sys, xs_kvm_supported_xcr0(sys), b, 4096, &len);
	long k = kvm_ioctl(m->vcpu, KVM_SET_XSAVE, kbuf), mo = model_set(sys, m, b);
	size_t off;

	/* KVM reads a fixed struct: length mutations do not apply */
	if (k != mo) {
		if (r->differ++ == 0)
			snprintf(r->first, sizeof(r->first), "case %lu (%s): KVM_SET_XSAVE: kernel %ld, model %ld",
				 r->cases, what, k, mo);
		return false;
	}
	if (k)
		return true;
	if (kvm_ioctl(m->vcpu, KVM_GET_XSAVE, kbuf) ||
	    xs_kvm_get_xsave(sys, &m->gfpu, m->guest_xcr0, m->pkru, false, mout, 4096))
		return false;
	off = vu_first_difference(b, mout, 4096);
	if (off < 4096) {
		if (r->differ++ == 0)
			snprintf(r->first, sizeof(r->first),
				 "case %lu (%s): KVM_GET_XSAVE after an accepted set differs at byte %zu (%s): kernel 0x%02x, model 0x%02x",
				 r->cases, what, off, vu_component_at(sys, off), b[off], mout[off]);
		return false;
	}
	return true;
}

static bool xcr_case(const xs_system *sys, struct vm *m, uint64_t *seed, struct verify_result *r)
{
	struct kvm_xcrs x = { .nr_xcrs = 1 };
	uint64_t v = vu_next(seed);
	long k, mo;

	/* mostly plausible values around the supported set, some wild ones */
	if (v & 1)
		v = (v >> 1) & (m->guest_xcr0 | 0x1ff);
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = v;
	k = kvm_ioctl(m->vcpu, KVM_SET_XCRS, &x);
	mo = xs_kvm_set_xcr0(sys, m->guest_xcr0, v, NULL);
	if (k == mo)
		return true;
	if (r->differ++ == 0)
		snprintf(r->first, sizeof(r->first), "case %lu: KVM_SET_XCRS XCR0 0x%llx: kernel %ld, model %ld",
			 r->cases, (unsigned long long)v, k, mo);
	return false;
}

int verify_kvm(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	struct kvm_xsave *kbuf = calloc(1, sizeof(*kbuf));
	uint8_t *mout = malloc(4096);
	struct vm m = { 0 };
	int ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!cpu || !sys || !kbuf || !mout || xs_cpu_from_host(cpu) || xs_system_init(sys, cpu, NULL))
		goto out;
	ret = open_vm(&m, r);
	if (ret)
		goto out_vm;
	ret = -ENOMEM;
	if (xs_fpu_init(&m.vmm, sys, NULL) || xs_fpu_alloc_guest_fpstate(&m.vmm, &m.gfpu))
		goto out_vm;
	/* KVM_GET_SUPPORTED_CPUID hides AMX without guest permission */
	m.guest_xcr0 = xs_kvm_supported_xcr0(sys);
	if (!(m.vmm.guest_perm.state_perm & XS_XFEATURE_MASK_XTILE_DATA))
		m.guest_xcr0 &= ~XS_XFEATURE_MASK_XTILE;
	/* start the model from the vCPU's reset state */
	ret = (int)kvm_ioctl(m.vcpu, KVM_GET_XSAVE, kbuf);
	if (!ret && model_set(sys, &m, (uint8_t *)kbuf->region))
		ret = -EIO;
	for (; !ret && r->cases < iterations; r->cases++)
		r->agree += (vu_next(&seed) % 4) ? xsave_case(sys, &m, &seed, kbuf, mout, r)
						 : xcr_case(sys, &m, &seed, r);
	xs_fpu_free_guest_fpstate(&m.vmm, &m.gfpu);
	xs_fpu_destroy(&m.vmm);
out_vm:
	close_vm(&m);
out:
	free(cpu);
	free(sys);
	free(kbuf);
	free(mout);
	return ret;
}
