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

int cli_init_system(xs_system **out, const xs_cpu *cpu, const char *path, const struct xs_options *o)
{
	const char *name = path ? path : "live";
	const struct xs_system_info *info;
	xs_system *sys;
	int ret = xs_system_new(&sys, cpu, o);

	if (ret == -ENOMEM)
		return cli_error("out of memory");
	if (ret)
		return cli_error("%s: the kernel release or options are not modelled", name);
	info = xs_system_info(sys);
	switch (xs_system_usable(sys)) {
	case -ENODEV:
		ret = cli_error("%s: Linux does not boot on this CPU model: %s", name, info->halt_reason);
		break;
	case -ERANGE:
		ret = cli_error("%s: Linux would size its buffers below the 576-byte legacy area and header on this CPU model (user %u, kernel %u bytes): a CPUID 0xD sub-leaf gives a component no bytes",
				name, info->user.default_size, info->kernel.default_size);
		break;
	default:
		*out = sys;
		return 0;
	}
	xs_system_free(sys);
	return ret;
}

int cli_load_system(xs_system **out, const char *path, unsigned cpu_index, const struct xs_options *o)
{
	xs_cpu *cpu = xs_cpu_new();
	int ret = cpu ? cli_load_cpu(cpu, path, cpu_index) : cli_error("out of memory");

	if (!ret)
		ret = cli_init_system(out, cpu, path, o);
	xs_cpu_free(cpu);
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
	h->sys = NULL;
	h->cpu = xs_cpu_new();
	return h->cpu ? 0 : cli_error("out of memory");
}

void cli_free_host(struct cli_host *h)
{
	xs_cpu_free(h->cpu);
	xs_system_free(h->sys);
}

int cli_load_host(struct cli_host *h, const struct cli_model *m)
{
	int ret = cli_alloc_host(h);

	if (!ret)
		ret = cli_load_cpu(h->cpu, m->cpuid, m->cpu);
	return ret ? ret : cli_init_system(&h->sys, h->cpu, m->cpuid, &m->opts);
}
