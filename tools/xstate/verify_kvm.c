// SPDX-License-Identifier: MIT
/*
 * xstate verify --against kvm: on two vCPUs — one given all of KVM's
 * supported CPUID, one whose CPUID 0xD.0 allows only x87/SSE/AVX in XCR0 —
 * KVM_SET_XSAVE with random and malformed buffers (components outside the
 * guest's XCR0 or KVM's support, bad headers and MXCSR, and buffers that
 * end before the struct does: they lie against an unmapped page, so a short
 * length is a real fault), KVM_GET_XSAVE2 into memory of varying size, and
 * KVM_SET_XCRS with random and malformed structures (nr_xcrs, flags, other
 * XCRs, several XCR0 entries). Verdicts must match the model; after every
 * set, KVM_GET_XSAVE / KVM_GET_XCRS must return what the model predicts
 * (after a refusal: what was there before). KVM_CHECK_EXTENSION
 * (KVM_CAP_XSAVE2) must equal the model's size. Skipped without /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "verify_uabi.h"
#include "progress.h"

#define NCPUID 256
#define NVCPU 2
#define PAGE 4096u

_Static_assert(sizeof(struct kvm_xcrs) == sizeof(struct xs_kvm_xcrs), "struct kvm_xcrs layout");

struct vcpu {
	int fd;
	xs_fpu_guest *gfpu;
	uint64_t guest_xcr0;	/* guest_supported_xcr0 from its CPUID */
	uint64_t xcr0;		/* what the model says XCR0 is */
	uint32_t pkru;
	const char *name;
};

struct vm {
	int kvm, vm;
	xs_fpu *vmm;
	struct vcpu cpu[NVCPU];
	unsigned size;		/* KVM_CAP_XSAVE2 */
	/* `span` bytes of memory followed by an unmapped page */
	uint8_t *map, *end;
	size_t span;
	uint8_t *stage, *kout, *mout;
};

/*
 * vCPU 0 gets all of KVM's supported CPUID, so all supported XCR0 bits;
 * vCPU 1 the same with CPUID 0xD.0 EAX/EDX cut to `xcr0`.
 */
static int set_cpuid(struct vm *m, int fd, uint64_t xcr0)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NCPUID * sizeof(c->entries[0]));
	int ret = 0;

	if (!c)
		return -ENOMEM;
	c->nent = NCPUID;
	if (ioctl(m->kvm, KVM_GET_SUPPORTED_CPUID, c)) {
		ret = -errno;
		goto out;
	}
	for (unsigned i = 0; xcr0 && i < c->nent; i++) {
		if (c->entries[i].function == 0xd && c->entries[i].index == 0) {
			c->entries[i].eax &= (uint32_t)xcr0;
			c->entries[i].edx &= (uint32_t)(xcr0 >> 32);
		}
	}
	if (ioctl(fd, KVM_SET_CPUID2, c))
		ret = -errno;
out:
	free(c);
	return ret;
}

/*
 * guest_supported_xcr0 as KVM derives it from the CPUID the vCPU holds
 * (KVM_GET_CPUID2 0xD.0 EAX/EDX & KVM's supported XCR0). A host may keep
 * its own CPUID (this PVM host ignores the cut), so the model is given
 * what the vCPU really has.
 */
static uint64_t vcpu_cpuid_xcr0(int fd, uint64_t supported)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NCPUID * sizeof(c->entries[0]));
	uint64_t xcr0 = 0;

	if (!c)
		return 0;
	c->nent = NCPUID;
	if (!ioctl(fd, KVM_GET_CPUID2, c))
		for (unsigned i = 0; i < c->nent; i++)
			if (c->entries[i].function == 0xd && c->entries[i].index == 0)
				xcr0 = (c->entries[i].eax | (uint64_t)c->entries[i].edx << 32) & supported;
	free(c);
	return xcr0;
}

static int open_vm(struct vm *m, struct verify_result *r)
{
	m->vm = -1;
	for (unsigned i = 0; i < NVCPU; i++)
		m->cpu[i].fd = -1;
	m->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (m->kvm < 0) {
		snprintf(r->skip, sizeof(r->skip), "%s%s", errno == ENOENT ? "no /dev/kvm" : "/dev/kvm: ", errno == ENOENT ? "" : strerror(errno));
		return -ENODEV;
	}
	m->vm = ioctl(m->kvm, KVM_CREATE_VM, 0);
	for (unsigned i = 0; m->vm >= 0 && i < NVCPU; i++) {
		m->cpu[i].fd = ioctl(m->vm, KVM_CREATE_VCPU, i);
		if (m->cpu[i].fd < 0 || set_cpuid(m, m->cpu[i].fd, i ? 0x7 : 0)) {
			snprintf(r->skip, sizeof(r->skip), "cannot create a KVM vCPU (%s)", strerror(errno));
			return -ENODEV;
		}
	}
	if (m->vm < 0) {
		snprintf(r->skip, sizeof(r->skip), "cannot create a KVM VM (%s)", strerror(errno));
		return -ENODEV;
	}
	return 0;
}

static void close_vm(struct vm *m)
{
	for (unsigned i = 0; i < NVCPU; i++)
		if (m->cpu[i].fd >= 0)
			close(m->cpu[i].fd);
	if (m->vm >= 0)
		close(m->vm);
	if (m->kvm >= 0)
		close(m->kvm);
}

static long kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* `len` bytes of memory that end where the unmapped page begins. */
static uint8_t *at_end(struct vm *m, size_t len)
{
	return m->end - len;
}

static int map_buffers(struct vm *m, size_t need)
{
	m->span = (need + PAGE - 1) / PAGE * PAGE;
	m->map = mmap(NULL, m->span + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->map == MAP_FAILED)
		return -errno;
	m->end = m->map + m->span;
	if (mprotect(m->end, PAGE, PROT_NONE))
		return -errno;
	m->stage = calloc(1, m->span);
	m->kout = calloc(1, m->span);
	m->mout = calloc(1, m->span);
	return m->stage && m->kout && m->mout ? 0 : -ENOMEM;
}

static void unmap_buffers(struct vm *m)
{
	if (m->map && m->map != MAP_FAILED)
		munmap(m->map, m->span + PAGE);
	free(m->stage);
	free(m->kout);
	free(m->mout);
}

/* KVM_GET_XSAVE on both sides into kout/mout; false (a differ) if either fails. */
static bool get_both(const xs_system *sys, struct vm *m, struct vcpu *c, const char *what,
		     struct verify_result *r)
{
	long k = kvm_ioctl(c->fd, KVM_GET_XSAVE, m->kout);
	long mo = xs_kvm_get_xsave(sys, c->gfpu, c->guest_xcr0, c->pkru, false, m->mout, PAGE);

	if (k || mo) {
		vu_differ(r, "case %lu (%s, %s): KVM_GET_XSAVE failed: kernel %ld, model %ld", r->cases, what,
			  c->name, k, mo);
		return false;
	}
	return true;
}

static bool compare(const xs_system *sys, const uint8_t *k, const uint8_t *mo, size_t n,
		    const char *op, const char *what, const struct vcpu *c, struct verify_result *r)
{
	size_t off = vu_first_difference(k, mo, n);

	if (off == n)
		return true;
	vu_differ(r, "case %lu (%s, %s): %s differs at byte %zu (%s): kernel 0x%02x, model 0x%02x", r->cases,
		  what, c->name, op, off, vu_component_at(sys, off), k[off], mo[off]);
	return false;
}

/* Put the model back in step with the vCPU after a divergence. */
static void resync(const xs_system *sys, struct vm *m, struct vcpu *c)
{
	struct kvm_xcrs x = { 0 };

	if (!kvm_ioctl(c->fd, KVM_GET_XSAVE, m->kout))
		xs_kvm_set_xsave(sys, c->gfpu, m->kout, PAGE, &c->pkru, NULL);
	if (!kvm_ioctl(c->fd, KVM_GET_XCRS, &x) && x.nr_xcrs)
		c->xcr0 = x.xcrs[0].value;
}

static bool xsave_case(const xs_system *sys, struct vm *m, struct vcpu *c, uint64_t *seed,
		       struct verify_result *r)
{
	size_t len, cap = m->span, n;
	/* the components KVM supports: the restricted vCPU takes them too */
	const char *what = vu_make_case(seed, sys, xs_kvm_supported_xcr0(sys), m->stage, PAGE, cap, &len);
	uint8_t *arg = at_end(m, len);
	long k, mo;

	memcpy(arg, m->stage, len);
	k = kvm_ioctl(c->fd, KVM_SET_XSAVE, arg);
	mo = xs_kvm_set_xsave(sys, c->gfpu, m->stage, len, &c->pkru, NULL);
	if (k != mo) {
		vu_differ(r, "case %lu (%s, %s, %zu bytes): KVM_SET_XSAVE: kernel %ld, model %ld", r->cases, what,
			  c->name, len, k, mo);
		resync(sys, m, c);
		return false;
	}
	if (!get_both(sys, m, c, what, r)) {
		resync(sys, m, c);
		return false;
	}
	n = PAGE;
	if (!compare(sys, m->kout, m->mout, n, k ? "KVM_GET_XSAVE after a refused set"
						 : "KVM_GET_XSAVE after an accepted set",
		     what, c, r)) {
		resync(sys, m, c);
		return false;
	}
	return true;
}

/* KVM_GET_XSAVE2 into memory of size-64 .. size+64 bytes ending at the unmapped page. */
static bool get2_case(const xs_system *sys, struct vm *m, struct vcpu *c, uint64_t *seed,
		      struct verify_result *r)
{
	uint64_t x = vu_next(seed);
	size_t size = xs_fpu_guest_info(c->gfpu)->uabi_size, len = size - 64 + (size_t)(x % 129);
	uint8_t *arg = at_end(m, len);
	long k, mo;

	k = kvm_ioctl(c->fd, KVM_GET_XSAVE2, arg);
	mo = xs_kvm_get_xsave(sys, c->gfpu, c->guest_xcr0, c->pkru, true, m->mout, len);
	if (k != mo) {
		vu_differ(r, "case %lu (KVM_GET_XSAVE2 into %zu bytes, %s): kernel %ld, model %ld", r->cases, len,
			  c->name, k, mo);
		return false;
	}
	return k || compare(sys, arg, m->mout, size, "KVM_GET_XSAVE2", "varying length", c, r);
}

/* A KVM_SET_XCRS structure: mostly one XCR0 entry, sometimes malformed. */
static const char *make_xcrs(uint64_t *seed, const struct vcpu *c, struct kvm_xcrs *x)
{
	uint64_t sel = vu_next(seed);
	const char *what = "one XCR0 entry";

	memset(x, 0, sizeof(*x));
	x->nr_xcrs = 1;
	switch (sel % 8) {
	case 0:
		x->nr_xcrs = (uint32_t)((sel >> 8) % 20);
		what = "random nr_xcrs (0..19)";
		break;
	case 1:
		x->flags = 1u << ((sel >> 8) % 32);
		what = "flags set";
		break;
	case 2:
		x->nr_xcrs = 1 + (uint32_t)((sel >> 8) % 16);
		what = "several entries, various XCRs";
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < KVM_MAX_XCRS; i++) {
		uint64_t v = vu_next(seed), t = vu_next(seed);

		/* values KVM should take, plausible ones around them, some wild ones */
		static const uint64_t good[] = { 0x1, 0x3, 0x7, 0xe7, 0x1f, 0x207, 0x2e7, 0x602e7, 0x600e7 };

		if (v % 4 == 0)
			v = good[(v >> 2) % (sizeof(good) / sizeof(good[0]))] & (c->guest_xcr0 | 1);
		else if (v % 4 != 3)
			v = (v >> 2) & (c->guest_xcr0 | 0x1ff);
		x->xcrs[i].value = v;
		x->xcrs[i].xcr = (sel % 8 == 2 && t % 3) ? (t % 2 ? 1 : (uint32_t)(t >> 32)) : 0;
		if (!(t % 16))
			x->xcrs[i].reserved = (uint32_t)(t >> 8);
	}
	if (sel % 8 == 3)
		x->padding[(sel >> 8) % 16] = vu_next(seed);	/* padding: never read */
	return what;
}

static bool xcr_case(const xs_system *sys, struct vm *m, struct vcpu *c, uint64_t *seed,
		     struct verify_result *r)
{
	struct kvm_xcrs x, got = { 0 };
	struct xs_kvm_xcrs mx;
	const char *what = make_xcrs(seed, c, &x);
	long k, mo, g;

	(void)m;
	memcpy(&mx, &x, sizeof(mx));
	k = kvm_ioctl(c->fd, KVM_SET_XCRS, &x);
	mo = xs_kvm_set_xcrs(sys, c->gfpu, c->guest_xcr0, &mx, &c->xcr0, NULL);
	if (k != mo) {
		vu_differ(r, "case %lu (%s, %s): KVM_SET_XCRS nr_xcrs %u flags 0x%x xcrs[0] {%u, 0x%llx}: kernel %ld, model %ld",
			  r->cases, what, c->name, x.nr_xcrs, x.flags, x.xcrs[0].xcr,
			  (unsigned long long)x.xcrs[0].value, k, mo);
		resync(sys, m, c);
		return false;
	}
	g = kvm_ioctl(c->fd, KVM_GET_XCRS, &got);
	if (g || got.nr_xcrs != 1 || got.xcrs[0].xcr != 0 || got.xcrs[0].value != c->xcr0) {
		vu_differ(r, "case %lu (%s, %s): KVM_GET_XCRS after a %s set: %ld, nr_xcrs %u, XCR0 0x%llx; model XCR0 0x%llx",
			  r->cases, what, c->name, k ? "refused" : "accepted", g, got.nr_xcrs,
			  (unsigned long long)got.xcrs[0].value, (unsigned long long)c->xcr0);
		resync(sys, m, c);
		return false;
	}
	return true;
}

static int setup_vcpus(const xs_system *sys, struct vm *m)
{
	uint64_t supported = xs_kvm_supported_xcr0(sys);

	/* KVM_GET_SUPPORTED_CPUID hides AMX without guest permission */
	if (!(xs_fpu_perm(m->vmm, true)->state_perm & XS_XFEATURE_MASK_XTILE_DATA))
		supported &= ~XS_XFEATURE_MASK_XTILE;
	for (unsigned i = 0; i < NVCPU; i++) {
		struct vcpu *c = &m->cpu[i];
		struct kvm_xcrs x = { 0 };

		c->name = i ? "vCPU whose CPUID limits XCR0 to 0x7" : "vCPU with KVM's supported CPUID";
		c->guest_xcr0 = i ? vcpu_cpuid_xcr0(c->fd, supported) : supported;
		/* no 0xD.0 at all: KVM allows x87 only (0 means "KVM's supported" to the model) */
		if (!c->guest_xcr0)
			c->guest_xcr0 = XS_XFEATURE_MASK_FP;
		if (!(c->gfpu = xs_fpu_guest_new()) || xs_fpu_alloc_guest_fpstate(m->vmm, c->gfpu))
			return -ENOMEM;
		/* start the model from the vCPU's reset state */
		if (kvm_ioctl(c->fd, KVM_GET_XSAVE, m->kout) ||
		    xs_kvm_set_xsave(sys, c->gfpu, m->kout, PAGE, &c->pkru, NULL))
			return -EIO;
		if (kvm_ioctl(c->fd, KVM_GET_XCRS, &x) || x.nr_xcrs != 1)
			return -EIO;
		c->xcr0 = x.xcrs[0].value;
	}
	return 0;
}

int verify_kvm(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_system *sys = NULL;
	struct vm m;
	int ret = -ENOMEM, cap;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	m.kvm = m.vm = -1;
	for (unsigned i = 0; i < NVCPU; i++)
		m.cpu[i].fd = -1;
	if (!cpu || xs_cpu_from_host(cpu) || xs_system_new(&sys, cpu, NULL))
		goto out;
	ret = open_vm(&m, r);
	if (ret)
		goto out_vm;
	ret = -ENOMEM;
	if (xs_fpu_new(&m.vmm, sys, NULL))
		goto out_vm;
	m.size = xs_kvm_cap_xsave2(m.vmm);
	ret = map_buffers(&m, (m.size > PAGE ? m.size : PAGE) + 64);
	if (!ret)
		ret = setup_vcpus(sys, &m);
	/* case 0: the size KVM_GET_XSAVE2 needs */
	cap = ioctl(m.vm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (!ret && iterations) {
		r->cases++;
		if (cap == (int)m.size)
			r->agree++;
		else
			vu_differ(r, "case 0: KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2): kernel %d, model %u", cap, m.size);
	}
	for (; !ret && r->cases < iterations; r->cases++, progress_tick(r->cases)) {
		uint64_t pick = vu_next(&seed);
		struct vcpu *c = &m.cpu[(pick >> 8) % NVCPU];

		switch (pick % 8) {
		case 0:
		case 1:
			r->agree += xcr_case(sys, &m, c, &seed, r);
			break;
		case 2:
			r->agree += get2_case(sys, &m, c, &seed, r);
			break;
		default:
			r->agree += xsave_case(sys, &m, c, &seed, r);
		}
	}
	for (unsigned i = 0; i < NVCPU; i++) {
		if (m.cpu[i].gfpu)
			xs_fpu_free_guest_fpstate(m.vmm, m.cpu[i].gfpu);
		xs_fpu_guest_free(m.cpu[i].gfpu);
	}
	xs_fpu_free(m.vmm);
out_vm:
	close_vm(&m);
	unmap_buffers(&m);
out:
	xs_cpu_free(cpu);
	xs_system_free(sys);
	return ret;
}
