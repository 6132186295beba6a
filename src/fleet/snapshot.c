// SPDX-License-Identifier: MIT
/*
 * vCPU snapshot plans: everything a VMM must save beside the xsave buffer
 * so a vCPU resumes intact — XCR0, IA32_XSS, the MSRs of the supervisor
 * components — and which of them a guest of a given kernel release uses.
 * The guest is modelled by booting that release on the CPU KVM shows it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet.h"

/* The vCPU's CPUID: the host's, limited to what KVM offers. */
static void guest_cpu(const xs_system *host, xs_cpu *cpu)
{
	uint64_t xcr0 = xs_kvm_supported_xcr0(host), xss = xs_kvm_supported_xss(host);
	uint32_t r[4];

	*cpu = host->cpu;
	xs_cpuid(cpu, 0xd, 0, r);
	xs_cpu_set_leaf(cpu, 0xd, 0, r[0] & (uint32_t)xcr0, r[1], r[2], r[3] & (uint32_t)(xcr0 >> 32));
	xs_cpuid(cpu, 0xd, 1, r);
	xs_cpu_set_leaf(cpu, 0xd, 1, r[0], r[1], r[2] & (uint32_t)xss, r[3] & (uint32_t)(xss >> 32));
	for (unsigned i = 2; i < 63; i++)
		if (!((xcr0 | xss) & XS_BIT(i)) && xs_cpuid(cpu, 0xd, i, r))
			xs_cpu_set_leaf(cpu, 0xd, i, 0, 0, 0, 0);
	if (!xss) {	/* no CET virtualisation: no shadow stacks or IBT for the guest */
		xs_cpuid(cpu, 7, 0, r);
		xs_cpu_set_leaf(cpu, 7, 0, r[0], r[1], r[2] & ~(1u << 7), r[3] & ~(1u << 20));
	}
}

static struct xs_snapshot_item *add(struct xs_snapshot_plan *p, const char *what, const char *how,
				    uint32_t msr, uint64_t value, bool used, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static struct xs_snapshot_item *add(struct xs_snapshot_plan *p, const char *what, const char *how,
				    uint32_t msr, uint64_t value, bool used, const char *fmt, ...)
{
	struct xs_snapshot_item *it = &p->items[p->nitems];
	va_list ap;

	if (p->nitems >= XS_SNAPSHOT_MAX_ITEMS)
		return NULL;
	p->nitems++;
	*it = (struct xs_snapshot_item){ what, how, msr, value, used, "" };
	va_start(ap, fmt);
	vsnprintf(it->note, sizeof(it->note), fmt, ap);
	va_end(ap);
	return it;
}

static void buffer_items(const xs_system *host, struct xs_snapshot_plan *p)
{
	xs_fpu vmm;
	unsigned size, amx_size;

	if (xs_fpu_init(&vmm, host, NULL))
		return;
	size = xs_kvm_cap_xsave2(&vmm);
	xs_arch_prctl(&vmm, XS_ARCH_REQ_XCOMP_GUEST_PERM, XS_XFEATURE_XTILE_DATA, NULL);
	amx_size = xs_kvm_cap_xsave2(&vmm);
	xs_fpu_destroy(&vmm);
	if (!size)
		add(p, "xsave buffer", "KVM_GET_XSAVE / KVM_SET_XSAVE", 0, XS_KVM_XSAVE_SIZE, true,
		    "%u bytes (struct kvm_xsave); this kernel has no KVM_CAP_XSAVE2", XS_KVM_XSAVE_SIZE);
	else
		add(p, "xsave buffer", "KVM_GET_XSAVE2 / KVM_SET_XSAVE", 0, amx_size, true,
		    "KVM_CAP_XSAVE2: %u bytes, %u once the VMM has ARCH_REQ_XCOMP_GUEST_PERM for AMX",
		    size, amx_size);
	add(p, "XCR0", "KVM_GET_XCRS / KVM_SET_XCRS", 0, p->guest_xcr0, true,
	    "the guest's XCR0 (KVM may offer 0x%llx); XSTATE_BV in the buffer is checked against it",
	    (unsigned long long)xs_kvm_supported_xcr0(host));
}

static void xss_items(const xs_system *host, const xs_system *guest, struct xs_snapshot_plan *p)
{
	uint64_t offer = xs_kvm_supported_xss(host);
	bool ibt = xs_system_has(guest, XS_CPU_IBT) && xs_kernel_has(p->guest_kernel, XS_K_KERNEL_IBT);

	if (!offer) {
		add(p, "IA32_XSS", "KVM_GET_MSRS / KVM_SET_MSRS", XS_MSR_IA32_XSS, 0, false,
		    "KVM on this host offers no supervisor states: the guest's IA32_XSS stays 0");
		return;
	}
	if (p->guest_xss)
		add(p, "IA32_XSS", "KVM_GET_MSRS / KVM_SET_MSRS", XS_MSR_IA32_XSS, p->guest_xss, true,
		    "the guest sets 0x%llx; restored without it, the guest's XRSTORS of its own CET state faults",
		    (unsigned long long)p->guest_xss);
	else
		add(p, "IA32_XSS", "KVM_GET_MSRS / KVM_SET_MSRS", XS_MSR_IA32_XSS, 0, false,
		    "this guest leaves it 0 although KVM offers 0x%llx: save it anyway, a newer guest kernel sets it",
		    (unsigned long long)offer);
	/* the MSRs of each component KVM offers (the component table's), used where the guest enables it */
	for (uint64_t rest = offer; rest; rest &= rest - 1) {
		unsigned nr = xs_lowest(rest);
		const struct xs_component *c = xs_component(nr);

		for (unsigned i = 0; i < xs_component_nmsrs(c); i++)
			add(p, c->msrs[i].name, "KVM_GET_MSRS / KVM_SET_MSRS", c->msrs[i].index, 0,
			    p->guest_xss & XS_BIT(nr), "%s", c->msrs[i].note);
	}
	add(p, "IA32_S_CET", "KVM_GET_MSRS / KVM_SET_MSRS", 0x6a2, 0, ibt,
	    "supervisor CET control, in no XSAVE component: %s",
	    ibt ? "the guest kernel (>= 5.18, IBT on this CPU) enables IBT for itself here"
		: "unused by this guest (its kernel enables IBT only from 5.18, and only on CPUs with IBT)");
	add(p, "IA32_INT_SSP_TAB", "KVM_GET_MSRS / KVM_SET_MSRS", 0x6a8, 0, false,
	    "interrupt SSP table: not in any XSAVE component");
}

int xs_snapshot_plan(const xs_system *host, uint32_t guest_kernel, struct xs_snapshot_plan *p)
{
	struct xs_options o;
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *guest = malloc(sizeof(*guest));
	int ret = host->halted ? -ENODEV : -ENOMEM;

	if (host->halted || !cpu || !guest)
		goto out;
	memset(p, 0, sizeof(*p));
	xs_options_init(&o);
	o.kernel = guest_kernel;
	guest_cpu(host, cpu);
	ret = xs_system_init(guest, cpu, &o);
	if (ret)
		goto out;
	p->guest_kernel = guest_kernel;
	p->guest_xcr0 = guest->xcr0;
	p->guest_xss = guest->xss;
	buffer_items(host, p);
	xss_items(host, guest, p);
	if (xs_kvm_supported_xcr0(host) & XS_XFEATURE_MASK_XTILE_DATA) {
		add(p, "IA32_XFD", "KVM_GET_MSRS / KVM_SET_MSRS", XS_MSR_IA32_XFD, 0, guest->init_xfd != 0,
		    "AMX first-use trapping (guest kernels >= 5.16 arm it for every task)");
		add(p, "IA32_XFD_ERR", "KVM_GET_MSRS / KVM_SET_MSRS", XS_MSR_IA32_XFD_ERR, 0, guest->init_xfd != 0,
		    "pending XFD fault information");
	}
	if (p->guest_xcr0 & XS_XFEATURE_MASK_PKRU)
		add(p, "PKRU", "inside the xsave buffer (component 9)", 0, 0, true,
		    "KVM fills it from the vCPU's PKRU, not from the guest fpstate");
out:
	free(cpu);
	free(guest);
	return ret;
}
