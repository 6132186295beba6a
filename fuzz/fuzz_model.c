// SPDX-License-Identifier: MIT
/*
 * A CPU model parsed from the input, then the kernel's init and the
 * user-ABI entry points on it: the path from an untrusted CPUID dump to
 * every size and offset the validators and conversions trust.
 *
 * Input: byte 0 picks the work (bits 0..1: ptrace, sigframe, KVM, convert
 * to and from a fixed model; bit 2: AMX first; bits 3..4: CET-S policy;
 * bit 5: kernel 6.6 instead of 6.18 (5.18 with bit 7); bit 6: the buffer
 * starts with a kernel command line, up to its first NUL, that the release
 * reads before its FPU set-up: clearcpuid=, noxsave...), bytes 1..2 the
 * dump's length n (little-endian), then n bytes of dump text, then the
 * buffer.
 *
 * Invariants: a refused dump says where (a message); an accepted model
 * has sizes that hold every component it enables (standard offsets inside
 * user.max_size, compacted ones inside kernel.max_size, defaults no larger
 * than the maxima) and a boot log; the entry points keep the invariants of
 * fuzz_uabi_checks.h on it; a conversion returns a documented error or
 * writes exactly what it sized.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_models.h"
#include "fuzz_uabi_checks.h"
#include "linux/linux.h"	/* the model's own invariants: its fields */

static void check_sizes(const xs_system *sys)
{
	const struct xs_fpu_state_config *k = &sys->kernel, *u = &sys->user;

	FZ_CHECK(sys->log[0], "a model without boot lines");
	if (!sys->xsave)
		return;
	FZ_CHECK(k->default_size <= k->max_size && k->guest_default_size <= k->max_size &&
			 u->default_size <= u->max_size && u->max_size >= XS_XSAVE_LEGACY_AND_HDR,
		 "sizes out of order: kernel %u/%u/%u user %u/%u", k->max_size, k->default_size,
		 k->guest_default_size, u->max_size, u->default_size);
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++) {
		if (!(k->max_features & XS_BIT(nr)))
			continue;
		if (u->max_features & XS_BIT(nr))
			FZ_CHECK((uint64_t)sys->xstate_offsets[nr] + sys->xstate_sizes[nr] <= u->max_size,
				 "component %u (%u+%u) outside the %u-byte user buffer", nr, sys->xstate_offsets[nr],
				 sys->xstate_sizes[nr], u->max_size);
		if (sys->compacted)
			FZ_CHECK((uint64_t)sys->xstate_comp_offsets[nr] + sys->xstate_sizes[nr] <= k->max_size,
				 "component %u (%u+%u) outside the %u-byte kernel buffer", nr,
				 sys->xstate_comp_offsets[nr], sys->xstate_sizes[nr], k->max_size);
	}
}

/* A conversion either refuses with a documented error or fills what it sized. */
static void convert_one(const xs_system *a, const xs_system *b, const uint8_t *buf, size_t len)
{
	struct xs_compat_report rep;
	struct xs_diag d = { 0 };
	size_t need = 0, written = 0;
	uint8_t *out;
	int ret = xs_convert_buffer(a, buf, len, b, XS_BUF_STANDARD, true, NULL, 0, &need, &rep, &d);

	FZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP || ret == -ENOSPC || ret == -ENODEV,
		 "sizing call returned %d", ret);
	if (ret != -ENOSPC)
		return;
	out = malloc(need);
	if (!out)
		abort();
	ret = xs_convert_buffer(a, buf, len, b, XS_BUF_STANDARD, true, out, need, &written, &rep, &d);
	FZ_CHECK(!ret && written == need, "conversion into %zu bytes: %d, wrote %zu", need, ret, written);
	free(out);
}

static void work(const xs_system *sys, uint8_t op, const uint8_t *buf, size_t len)
{
	bool amx = op & 4;

	switch (op & 3) {
	case 0: fuzz_ptrace(sys, amx, buf, len); break;
	case 1: fuzz_sigframe(sys, amx, buf, len); break;
	case 2: fuzz_kvm(sys, amx, buf, len); break;
	default:
		convert_one(sys, fz_system(FZ_SPR), buf, len);
		convert_one(fz_system(FZ_ZEN4), sys, buf, len);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xs_cet_s_policy policies[4] = { XS_CET_S_GUEST_ONLY, XS_CET_S_OFF, XS_CET_S_ALL,
							 XS_CET_S_GUEST_ONLY };
	struct xs_diag d = { 0 };
	struct xs_options o;
	xs_cpu *cpu;
	xs_system *sys;
	const uint8_t *rest;
	size_t n, left;

	if (size < 3)
		return 0;
	n = (size_t)data[1] | (size_t)data[2] << 8;
	if (n > size - 3)
		n = size - 3;
	cpu = malloc(sizeof(*cpu));
	sys = malloc(sizeof(*sys));
	if (!cpu || !sys)
		abort();
	if (xs_cpu_parse(cpu, (const char *)data + 3, n, 0, "dump", &d)) {
		FZ_CHECK(d.msg[0] && !strncmp(d.msg, "dump:", 5), "a refused dump without 'dump:LINE:': '%s'", d.msg);
		goto out;
	}
	xs_options_init(&o);
	o.cet_s = policies[(data[0] >> 3) & 3];
	if (data[0] & 0x20)
		o.kernel = data[0] & 0x80 ? XS_KERNEL(5, 18) : XS_KERNEL(6, 6);
	rest = data + 3 + n;
	left = size - 3 - n;
	if (data[0] & 0x40) {
		size_t len = strnlen((const char *)rest, left < sizeof(o.cmdline) - 1 ? left : sizeof(o.cmdline) - 1);

		memcpy(o.cmdline, rest, len);
		o.cmdline[len] = '\0';
		rest += len, left -= len;
	}
	if (xs_system_init(sys, cpu, &o) || xs_system_usable(sys))
		goto out;	/* refused, halted, or sizes below the legacy area (no tasks exist) */
	check_sizes(sys);
	work(sys, data[0], rest, left);
out:
	free(cpu);
	free(sys);
	return 0;
}
