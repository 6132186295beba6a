/* SPDX-License-Identifier: MIT */
/*
 * xstate verify --against cpu: the cases (verify_cpu_gen.c) and the runs
 * on the engine and on this CPU (verify_cpu.c).
 */
#ifndef XS_VERIFY_CPU_H
#define XS_VERIFY_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xstate.h"

/* Buffers: three for the instructions under test, the clean image, the read-back. */
enum { SLOT_A, SLOT_B, SLOT_C, SLOT_CLEAN, SLOT_READBACK, NSLOTS };
#define TEST_SLOTS 3
#define MAX_STEPS 9
#define NOISE_SIZE 4096

/* An mmap'd region followed by a PROT_NONE page: the buffer ends where the guard begins. */
struct vslot {
	uint8_t *region;
	size_t region_size;
	size_t start;		/* this case's buffer: region + start .. the guard */
	uint8_t *init;		/* the region's contents before a run */
	uint8_t *after;		/* the region's contents after the engine's run */
};

enum { STEP_POKE = XS_INSN_COUNT };	/* besides the enum xs_insn values */

struct vstep {
	unsigned insn;		/* enum xs_insn, or STEP_POKE */
	unsigned flags;		/* XS_REX_W, XS_HW_AC */
	int slot;		/* -1 for XGETBV */
	uint64_t arg;		/* EDX:EAX, XGETBV's ECX, POKE's byte count */
	size_t poke_at;		/* POKE: offset in the buffer; source offset in the noise */
	size_t poke_from;
	/* outcomes */
	enum xs_exception exc[2];	/* [0] engine, [1] CPU */
	uint64_t xinuse[2], result[2];
	bool ran[2];
};

struct vcase {
	unsigned nsteps;
	struct vstep steps[MAX_STEPS];
};

struct verifier {
	struct xs_hw hw;
	xs_machine *reset;	/* the engine as configured from this CPU */
	xs_machine *m;		/* the engine during a case */
	uint64_t xcr0;
	uint64_t restorable;	/* XRSTOR mask bits allowed (no PKRU: it would lock us out) */
	size_t area;		/* the largest buffer any instruction needs */
	struct vslot slots[NSLOTS];
	uint8_t *noise;
	uint8_t *state;		/* the engine's registers at a fault (XSAVE image) */
	uint64_t seed;
};

/*
 * The engine as this CPU: its CPUID, XCR0 as XGETBV(0) gave it (XSETBV at
 * CPL 0), then CPL 3, MXCSR_MASK from a real FXSAVE. Sets skip (and returns
 * 0) when XCR0 has components the engine does not model.
 */
int vc_engine_as_this_cpu(xs_machine *m, const xs_cpu *cpu, const struct xs_hw *hw, char *skip,
			  size_t size);

/* verify_cpu_gen.c */
void vc_make_case(struct verifier *v, struct vcase *c);
uint8_t *vc_buf(const struct verifier *v, int slot);
size_t vc_len(const struct verifier *v, int slot);
/* Name byte `off` of a slot after `c` ran: "byte 42 (x87 ST0 +10)", "byte 936 (avx512_zmm_hi256 +40)". */
const char *vc_describe(const struct verifier *v, const struct vcase *c, int slot, size_t off,
			char *buf, size_t size);

#endif
