// SPDX-License-Identifier: MIT
/*
 * xstate baseline --emit rr: the `rr record` options that make a trace
 * replay on every host of the pool. rr masks what its tracees read from
 * CPUID (RecordSession.cc, DisableCPUIDFeatures::amend_cpuid_data):
 * --disable-cpuid-features ECX,EDX clears bits of leaf 1,
 * --disable-cpuid-features-ext EBX,ECX,EDX of leaf 7.0 and
 * --disable-cpuid-features-xsave EAX of leaf 0xD.1 -- the complement of
 * the levelled CPU, as `rr cpufeatures` prints the complement of one
 * machine's. It cannot change XCR0: at replay rr compares the trace's XCR0
 * with the host's and the layout of every component both have
 * (ReplaySession.cc, check_xsave_compatibility). Hosts whose XCR0 is not
 * the pool's are named with the clearcpuid= that makes it so.
 */
#include "baseline_emit.h"

/* clearcpuid= names of the features that gate the components in `extra`. */
static void clearcpuid_names(uint64_t extra, char *buf, size_t size)
{
	unsigned n;
	const struct xs_level_bit *bits = xs_level_bits(&n);
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++)
		if ((bits[i].gates & extra) && bits[i].feature >= 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
						xs_cpu_feature_name((enum xs_cpu_feature)bits[i].feature));
}

/* Hosts whose XCR0 differs from the pool's: rr's replay check would trip. */
static int xcr0_notes(const struct emit_pool *p)
{
	const struct xs_baseline_info *bl = xs_baseline_info(p->bl);
	char have[160], want[160], fix[160];
	int ret = XS_EXIT_OK;

	for (unsigned i = 0; i < p->n; i++) {
		const struct xs_system_info *host = xs_system_info(p->hosts[i]);
		uint64_t xcr0 = host->xsave ? host->xcr0 : 0;

		if (bl->no_xsave || xcr0 == bl->xcr0)
			continue;
		clearcpuid_names(xcr0 & ~bl->xcr0, fix, sizeof(fix));
		cli_warn("baseline --emit rr: %s runs with XCR0 %#llx (%s), the pool %#llx (%s): rr cannot mask XCR0, and a replay there "
			 "warns \"Trace XCR0 value ... != our XCR0\" (and stops where a component's layout differs); boot it with clearcpuid=%s",
			 p->names[i], (unsigned long long)xcr0, xfeature_list(xcr0, have, sizeof(have)),
			 (unsigned long long)bl->xcr0, xfeature_list(bl->xcr0, want, sizeof(want)), fix);
		ret = XS_EXIT_FALSE;
	}
	return ret;
}

int emit_rr(const struct emit_pool *p)
{
	uint32_t l1[4], l7[4], d1[4];

	xs_cpuid(p->cpu, 1, 0, l1);
	xs_cpuid(p->cpu, 7, 0, l7);
	xs_cpuid(p->cpu, 0xd, 1, d1);
	printf("--disable-cpuid-features 0x%x,0x%x --disable-cpuid-features-ext 0x%x,0x%x,0x%x "
	       "--disable-cpuid-features-xsave 0x%x\n",
	       ~l1[2], ~l1[3], ~l7[1], ~l7[2], ~l7[3], ~d1[0]);
	return xcr0_notes(p);
}
