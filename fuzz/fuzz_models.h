/* SPDX-License-Identifier: MIT */
/*
 * Fixed CPU models for the fuzz targets: the numbers of the synthetic
 * models in tests/unit/testutil.c (Zen 4 with CET, Sapphire Rapids, an AVX2
 * client with MPX), rebuilt here so the targets do not link test code.
 */
#ifndef XS_FUZZ_MODELS_H
#define XS_FUZZ_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "xstate.h"

enum fz_model { FZ_ZEN4, FZ_SPR, FZ_CLIENT, FZ_NMODELS };

/* The CPUID leaves of a model. */
void fz_cpu(xs_cpu *cpu, enum fz_model m);
/*
 * The kernel's view of a model (default options), built on first use and
 * kept for the life of the process: system init per input would dominate
 * the run time. Read-only for callers.
 */
const xs_system *fz_system(enum fz_model m);
/* A model chosen by an input byte. */
enum fz_model fz_pick(uint8_t b);

/* Allocations the sanitizers see exactly: a copy of data[0..len). */
uint8_t *fz_dup(const uint8_t *data, size_t len);

/* A failed invariant: print and abort (libFuzzer records the input). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define FZ_CHECK(cond, ...)                 \
	do {                                \
		if (!(cond))                \
			fz_fail(__VA_ARGS__); \
	} while (0)

#endif
