// SPDX-License-Identifier: MIT
/*
 * What an experiment on a CPU says about a trait: the arithmetic of the
 * probes, apart from the probes themselves (those execute instructions
 * and catch faults, which the library leaves to its caller).
 */
#include "engine/engine.h"

unsigned xs_trait_ptr_bits_seen(const uint64_t *written, const uint64_t *read, unsigned n)
{
	for (unsigned bits = 32; bits <= 64; bits++) {
		unsigned i = 0;

		while (i < n && xs_pointer_bits(written[i], bits) == read[i])
			i++;
		if (i == n)
			return n ? bits : 0;
	}
	return 0;
}

/* Does alignment a (0: never #AC) predict every outcome? */
static bool ac_explains(size_t a, const size_t *off, const enum xs_exception *exc, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		bool ac = a && off[i] % a;

		if (exc[i] != (ac ? XS_EXC_AC : XS_EXC_GP))
			return false;
	}
	return true;
}

int xs_trait_ac_align_seen(const size_t *off, const enum xs_exception *exc, unsigned n)
{
	if (ac_explains(0, off, exc, n))
		return 0;
	for (size_t a = 2; a <= XS_XSAVE_ALIGNMENT; a *= 2)
		if (ac_explains(a, off, exc, n))
			return (int)a;
	return -1;
}
