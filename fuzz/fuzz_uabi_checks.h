/* SPDX-License-Identifier: MIT */
/*
 * One user-ABI entry point on a buffer, with its invariants: the verdict's
 * err equals the return value; a refused set changes nothing (fpstate bytes
 * and fields, PKRU); an accepted set comes back unchanged from the matching
 * get, the get's buffer is accepted again, and a signal frame of the new
 * state passes sigreturn; a sigreturn verdict agrees with the frame's magic
 * numbers and sizes. `amx` permits (and enables) AMX tile data first.
 */
#ifndef XS_FUZZ_UABI_CHECKS_H
#define XS_FUZZ_UABI_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xstate.h"

void fuzz_ptrace(const xs_system *sys, bool amx, const uint8_t *buf, size_t len);
void fuzz_sigframe(const xs_system *sys, bool amx, const uint8_t *buf, size_t len);
void fuzz_kvm(const xs_system *sys, bool amx, const uint8_t *buf, size_t len);
/* buf: guest_supported_xcr0 and xcr0 as two little-endian u64. */
void fuzz_xcr0(const xs_system *sys, const uint8_t *buf, size_t len);

#endif
