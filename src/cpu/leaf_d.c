// SPDX-License-Identifier: MIT
/*
 * CPUID leaf 0xD of a CPU model: the components it enumerates, the buffer
 * sizes its sub-leaves give for a mask (the arithmetic the hardware does
 * for CPUID 0xD.0/1 EBX), and what no real CPU answers there.
 */
#include "cpu/cpu.h"

uint64_t xs_cpu_xfeatures(const xs_cpu *cpu)
{
	uint32_t r[4];
	uint64_t m;

	xs_cpuid(cpu, 0xd, 0, r);
	m = r[0] | ((uint64_t)r[3] << 32);
	xs_cpuid(cpu, 0xd, 1, r);
	return m | r[2] | ((uint64_t)r[3] << 32);
}

/* Sub-leaves 2..62 of `mask`: sizes, offsets and flags (zeros where the dump has none). */
static void read_leaf_d(const xs_cpu *cpu, uint64_t mask, uint32_t size[64], uint32_t offset[64],
			uint32_t flags[64])
{
	uint32_t r[4];

	for (uint64_t rest = mask & (XS_BIT(63) - 1) & ~XS_XFEATURE_MASK_FPSSE; rest; rest &= rest - 1) {
		unsigned i = xs_lowest(rest);

		xs_cpuid(cpu, 0xd, i, r);
		size[i] = r[0];
		offset[i] = r[1];
		flags[i] = r[2];
	}
}

/*
 * CPUID.0xD.0:EBX for XCR0 = mask: the standard-format size, over the
 * user components of the mask (EBX is no offset for supervisor ones).
 */
unsigned xs_cpuid_standard_size(const xs_cpu *cpu, uint64_t mask)
{
	uint32_t size[64], offset[64], flags[64];
	uint64_t user = 0;

	mask &= (XS_BIT(63) - 1) & ~XS_XFEATURE_MASK_FPSSE;
	read_leaf_d(cpu, mask, size, offset, flags);
	for (uint64_t rest = mask; rest; rest &= rest - 1)
		if (!(flags[xs_lowest(rest)] & XS_LEAF_D_SUPERVISOR))
			user |= XS_BIT(xs_lowest(rest));
	return (unsigned)xs_standard_size_of(user, offset, size);
}

/* CPUID.0xD.1:EBX for XCR0 | IA32_XSS = mask: the compacted-format size. */
unsigned xs_cpuid_compacted_size(const xs_cpu *cpu, uint64_t mask)
{
	uint32_t size[64], offset[64], flags[64];

	mask &= (XS_BIT(63) - 1) & ~XS_XFEATURE_MASK_FPSSE;
	read_leaf_d(cpu, mask, size, offset, flags);
	return (unsigned)xs_compacted_offsets_of(mask, size, flags, NULL);
}

/*
 * What no real CPU does in CPUID 0xD, and the model cannot follow: a
 * component size or offset beyond XS_XSTATE_COMPONENT_LIMIT (the sums
 * would overflow), a user component placed inside the legacy area and
 * header or over another one (a hypervisor's all-zero answer, size 0, is
 * real and allowed), a known component listed in the wrong one of XCR0
 * (sub-leaf 0) and IA32_XSS (sub-leaf 1) for what the SDM defines it to
 * be, or an ECX bit 0 (supervisor) that disagrees with that list — the
 * kernel trusts the flag to decide whether EBX is a standard offset.
 */
bool xs_xsave_leaf_too_large(uint32_t subleaf, const uint32_t r[4], char *why, size_t size)
{
	if (subleaf < 2 || subleaf > 62 ||
	    (r[0] <= XS_XSTATE_COMPONENT_LIMIT && r[1] <= XS_XSTATE_COMPONENT_LIMIT))
		return false;
	snprintf(why, size, "leaf 0000000D sub-leaf %u: expected a component size (EAX) and offset (EBX) of at most 0x%x bytes, got 0x%x and 0x%x",
		 subleaf, XS_XSTATE_COMPONENT_LIMIT, r[0], r[1]);
	return true;
}

/*
 * Two user components (in XCR0, with a size) whose standard-format bytes
 * overlap. APX takes the MPX components' place (960): a CPU enumerating
 * both is one the kernel itself refuses ("Both APX/MPX present"), so that
 * pair is left to it.
 */
static bool apx_over_mpx(unsigned i, unsigned j)
{
	return (i == XS_XFEATURE_BNDREGS || i == XS_XFEATURE_BNDCSR) && j == XS_XFEATURE_APX;
}

static unsigned overlapping_user_leaf(const xs_cpu *cpu, uint64_t user, char *why, size_t size)
{
	uint32_t a[4], b[4];

	for (unsigned i = 2; i <= 62; i++) {
		if (!(user & XS_BIT(i)) || !xs_cpuid(cpu, 0xd, i, a) || !a[0])
			continue;
		for (unsigned j = i + 1; j <= 62; j++) {
			if (!(user & XS_BIT(j)) || !xs_cpuid(cpu, 0xd, j, b) || !b[0])
				continue;
			if (!apx_over_mpx(i, j) && (uint64_t)a[1] < (uint64_t)b[1] + b[0] &&
			    (uint64_t)b[1] < (uint64_t)a[1] + a[0]) {
				snprintf(why, size, "leaf 0000000D sub-leaf %u: user component %u (bytes %u..%u) overlaps component %u (bytes %u..%u)",
					 j, j, b[1], b[1] + b[0] - 1, i, a[1], a[1] + a[0] - 1);
				return j;
			}
		}
	}
	return 0;
}

unsigned xs_cpu_bad_xsave_leaf(const xs_cpu *cpu, char *why, size_t size)
{
	uint64_t user, super;
	uint32_t r[4];

	if (!xs_cpuid(cpu, 0xd, 0, r))
		return 0;
	user = (uint64_t)r[3] << 32 | r[0];
	super = xs_cpuid(cpu, 0xd, 1, r) ? (uint64_t)r[3] << 32 | r[2] : 0;
	for (unsigned i = 2; i <= 62; i++) {
		bool listed = (user | super) & XS_BIT(i), as_user = user & XS_BIT(i);

		if (!xs_cpuid(cpu, 0xd, i, r))
			continue;
		if (xs_xsave_leaf_too_large(i, r, why, size))
			return i;
		if (as_user && r[0] && r[1] < XS_XSAVE_LEGACY_AND_HDR) {
			snprintf(why, size, "leaf 0000000D sub-leaf %u: user component %u of %u bytes at offset %u would overlap the legacy area and header (bytes 0..575)",
				 i, i, r[0], r[1]);
			return i;
		}
		if (listed && i < XS_XFEATURE_MAX && xs_xfeature_info(i)->supervisor == as_user) {
			snprintf(why, size, "leaf 0000000D sub-leaf %u: the architecture defines component %u (%s) as %s state, but sub-leaf %u lists it as %s state",
				 as_user ? 0 : 1, i, xs_xfeature_info(i)->short_name,
				 as_user ? "supervisor" : "user", as_user ? 0 : 1, as_user ? "user (XCR0)" : "supervisor (IA32_XSS)");
			return as_user ? 0 : 1;
		}
		if (listed && (r[2] & 1) == as_user) {
			snprintf(why, size, "leaf 0000000D sub-leaf %u: ECX bit 0 says %s state, but sub-leaf %u lists component %u as %s state",
				 i, r[2] & 1 ? "supervisor" : "user", as_user ? 0 : 1, i,
				 as_user ? "user (XCR0)" : "supervisor (IA32_XSS)");
			return i;
		}
	}
	return overlapping_user_leaf(cpu, user, why, size);
}
