// SPDX-License-Identifier: MIT
/*
 * The user-ABI entry points on arbitrary bytes, for three fixed CPU models:
 * xs_ptrace_setregset, xs_sigframe_check, xs_kvm_set_xsave, xs_kvm_set_xcr0.
 *
 * Input: byte 0 bits 0..1 pick the model, bits 2..3 the entry point, bit 4
 * permits (and enables) AMX tile data first; the rest is the buffer (for
 * XCR0: guest_supported_xcr0 and xcr0 as two little-endian u64).
 *
 * Invariants: the verdict's err equals the return value; a refused set
 * changes nothing (fpstate bytes and fields, PKRU); an accepted set comes
 * back unchanged from the matching get, the get's buffer is accepted again,
 * and a signal frame of the new state passes sigreturn; a sigreturn verdict
 * agrees with the frame's magic numbers.
 */
#include "fuzz_models.h"
#include "fuzz_uabi_checks.h"

enum op { OP_PTRACE, OP_SIGFRAME, OP_KVM, OP_XCR0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const xs_system *sys;
	bool amx;

	if (!size)
		return 0;
	sys = fz_system(fz_pick(data[0] & 3));
	amx = data[0] & 0x10;
	switch ((enum op)((data[0] >> 2) & 3)) {
	case OP_PTRACE: fuzz_ptrace(sys, amx, data + 1, size - 1); break;
	case OP_SIGFRAME: fuzz_sigframe(sys, amx, data + 1, size - 1); break;
	case OP_KVM: fuzz_kvm(sys, amx, data + 1, size - 1); break;
	default: fuzz_xcr0(sys, data + 1, size - 1); break;
	}
	return 0;
}
