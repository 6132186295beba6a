/* SPDX-License-Identifier: MIT */
/* Shared pieces of the ptrace and KVM verifiers. */
#ifndef XS_VERIFY_UABI_H
#define XS_VERIFY_UABI_H

#include <stddef.h>
#include <stdint.h>

#include "xstate.h"

/* Outcome of a verifier run. */
struct verify_result {
	unsigned long cases, agree, differ;
	unsigned long rerun_agree;	/* cpu: cases agreeing only on a re-run (in agree within the share) */
	char first[512];	/* the first divergence, for people */
	char skip[160];		/* set when the oracle is unavailable */
};

uint64_t vu_next(uint64_t *seed);
/*
 * A test buffer of `size` bytes (the regset or struct size) in `cap` >=
 * size bytes of memory: a valid state over `allowed`, then up to two
 * mutations; *len is the length to pass (up to cap: longer than size is
 * one of the mutations, with garbage past size). Returns what was done.
 */
const char *vu_make_case(uint64_t *seed, const xs_system *sys, uint64_t allowed, uint8_t *buf,
			 size_t size, size_t cap, size_t *len);
/* Count one case as differing; the first one's message is kept in r->first. */
void vu_differ(struct verify_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t vu_first_difference(const uint8_t *a, const uint8_t *b, size_t n);
/* Which component a standard-format offset belongs to. */
const char *vu_component_at(const xs_system *sys, size_t off);

/* The live oracles (0 when run, whatever the agreement; -errno on setup failure). */
int verify_ptrace(unsigned long iterations, uint64_t seed, struct verify_result *r);
int verify_kvm(unsigned long iterations, uint64_t seed, struct verify_result *r);
int verify_cpu(unsigned long iterations, uint64_t seed, struct verify_result *r);

#endif
