// SPDX-License-Identifier: MIT
/*
 * The CPU model and the kernel system a command runs on: the live CPU or a
 * dump (cli_read_cpu), Linux's boot on it refused where it halts, and the
 * permission requests of --request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_init_system(xs_system *sys, const xs_cpu *cpu, const char *path, const struct xs_options *o)
{
	const char *name = path ? path : "live";

	if (xs_system_init(sys, cpu, o))
		return cli_error("%s: the kernel release or options are not modelled", name);
	switch (xs_system_usable(sys)) {
	case -ENODEV:
		return cli_error("%s: Linux does not boot on this CPU model: %s", name, sys->halt_reason);
	case -ERANGE:
		return cli_error("%s: Linux would size its buffers below the 576-byte legacy area and header on this CPU model (user %u, kernel %u bytes): a CPUID 0xD sub-leaf gives a component no bytes",
				 name, sys->user.default_size, sys->kernel.default_size);
	default:
		return 0;
	}
}

int cli_load_system(xs_system *sys, const char *path, unsigned cpu_index, const struct xs_options *o)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	int ret = cpu ? cli_load_cpu(cpu, path, cpu_index) : cli_error("out of memory");

	if (!ret)
		ret = cli_init_system(sys, cpu, path, o);
	free(cpu);
	return ret;
}

int cli_load_cpu(xs_cpu *cpu, const char *path, unsigned cpu_index)
{
	struct xs_diag diag = { 0 };
	int ret;

	if (!path || !strcmp(path, "live")) {
		if (cpu_index)
			return cli_error("--cpu %u: the live CPU is always CPU 0", cpu_index);
		ret = xs_cpu_from_host(cpu);
		if (ret)
			return cli_error("cannot read the live CPU: %s", strerror(-ret));
		return 0;
	}
	if (cli_read_cpu(cpu, path, cpu_index, &diag))
		return cli_error("%s", diag.msg);
	return 0;
}

static const char *refusal_reason(unsigned nr, long r)
{
	if (r == -EOPNOTSUPP)
		return xs_xfeature_info(nr)->dynamic ? "the CPU or the kernel does not offer it"
						     : "not a dynamic (XFD) component; only those need a request";
	return strerror((int)-r);
}

int cli_permit(xs_fpu *fpu, uint64_t request, bool guest)
{
	int option = guest ? XS_ARCH_REQ_XCOMP_GUEST_PERM : XS_ARCH_REQ_XCOMP_PERM;
	long r;

	for (unsigned nr = 0; nr < XS_XFEATURE_MAX; nr++) {
		if (!(request & XS_BIT(nr)))
			continue;
		r = xs_arch_prctl(fpu, option, nr, NULL);
		if (r)
			return cli_error("--request %s: %s(%u) fails with %s: %s", xs_xfeature_info(nr)->short_name,
					 guest ? "ARCH_REQ_XCOMP_GUEST_PERM" : "ARCH_REQ_XCOMP_PERM", nr,
					 xs_errno_name((int)r), refusal_reason(nr, r));
	}
	/* a task's first use enlarges it; a vCPU is enabled once it exists */
	r = !guest && (request & XS_XFEATURE_MASK_USER_DYNAMIC)
		    ? xs_xfd_enable_feature(fpu, request & XS_XFEATURE_MASK_USER_DYNAMIC) : 0;
	if (r)
		return cli_error("first use of the requested components fails: %s", xs_errno_name((int)r));
	return 0;
}

int cli_alloc_host(struct cli_host *h)
{
	h->cpu = malloc(sizeof(*h->cpu));
	h->sys = malloc(sizeof(*h->sys));
	return h->cpu && h->sys ? 0 : cli_error("out of memory");
}

void cli_free_host(struct cli_host *h)
{
	free(h->cpu);
	free(h->sys);
}

int cli_load_host(struct cli_host *h, const struct cli_model *m)
{
	int ret = cli_alloc_host(h);

	if (!ret)
		ret = cli_load_cpu(h->cpu, m->cpuid, m->cpu);
	return ret ? ret : cli_init_system(h->sys, h->cpu, m->cpuid, &m->opts);
}
