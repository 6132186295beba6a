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
#include "verify_probe.h"

/* Buffers: three for the instructions under test, the clean image, the read-back. */
enum { SLOT_A, SLOT_B, SLOT_C, SLOT_CLEAN, SLOT_READBACK, NSLOTS };
#define TEST_SLOTS 3
#define MAX_STEPS 9
#define NOISE_SIZE 4096
#define VC_FRAME_MAX 16384u	/* the largest signal-frame register image kept */

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
	uint64_t restorable;	/* XRSTOR mask bits allowed (not XFD-armed ones) */
	size_t area;		/* the largest buffer any instruction needs */
	struct vslot slots[NSLOTS];
	uint8_t *noise;
	uint8_t *state;		/* the engine's registers at a fault (XSAVE image) */
	uint64_t seed;
	struct vp_traits probed;	/* the traits measured on this CPU, which the engine runs with */
	bool table_traits;		/* --traits table: nothing probed, the table's row */
	/* the CPU's registers at a fault, as the kernel wrote them into the signal frame */
	const uint8_t *frame;
	size_t frame_len;
	uint8_t *frame_copy;	/* VC_FRAME_MAX bytes: what the comparison may adjust */
};

/* Component nr's size on the engine's model (CPUID 0xD.nr EAX; 0 for x87, SSE and absent ones). */
static inline size_t vc_size(const struct verifier *v, unsigned nr)
{
	uint32_t size = 0;

	xs_machine_component_layout(v->reset, nr, &size, NULL, NULL);
	return size;
}

/* A case's first divergence (verify_compare.c). */
enum vc_div_kind {
	VC_DIV_EXCEPTION,	/* engine/cpu: enum xs_exception */
	VC_DIV_XINUSE,		/* XGETBV(1) after the step */
	VC_DIV_RESULT,		/* XGETBV's EDX:EAX */
	VC_DIV_BUFFER,		/* byte `off` of buffer `slot` after the run */
	VC_DIV_FRAME,		/* byte `off` of the registers at a fault */
};

struct vc_divergence {
	enum vc_div_kind kind;
	int step;		/* the step that differed, faulted or last wrote the buffer; -1: none */
	int slot;
	size_t off;
	uint64_t engine, cpu;
	char why[400];		/* the whole story, for people */
};

/*
 * The engine as this CPU, a new machine in *m: its CPUID, XCR0 as
 * XGETBV(0) gave it (XSETBV at CPL 0), then CPL 3, and the traits the
 * live probes measured (into *probed; vp_report() says which differ from
 * the table) — or, with
 * probed NULL, the table's traits alone (to judge an emulator by the CPU
 * it claims to be). Sets skip (and returns 0) when XCR0 has components
 * the engine does not model.
 */
int vc_engine_as_this_cpu(xs_machine **m, const xs_cpu *cpu, const struct xs_hw *hw,
			  struct vp_traits *probed, char *skip, size_t size);
/*
 * IA32_XFD = xfd, as the kernel writes it (WRMSR at CPL 0, the machine's
 * CPL kept): 0, or -EINVAL when this model has no XFD for those bits.
 */
int vc_arm_xfd(xs_machine *m, uint64_t xfd);
/*
 * xs_hw_run() with verify's fault handlers installed for the call: 0 and
 * the exception of the step that faulted (XS_EXC_NONE when none did), or
 * the backend's -errno.
 */
int vc_hw_run_caught(const struct xs_hw *hw, struct xs_hw_step *steps, unsigned n, enum xs_exception *exc);

/*
 * verify_cpu.c: a slot's region of `size` bytes, page-aligned, followed by
 * an inaccessible page; everything a verifier allocated, freed.
 */
int vc_map_slot(struct vslot *s, size_t size);
void vc_teardown(struct verifier *v);
/* verify_cpu.c: the engine's run of a case (into each slot's `after`). */
void vc_run_engine(struct verifier *v, struct vcase *c);

/*
 * verify_compare.c: the engine's run (steps' [0], slots' `after`, `state`)
 * against the CPU's (steps' [1], slots' `region`, `frame`). False and the
 * first divergence in *d when they differ.
 */
bool vc_compare(struct verifier *v, const struct vcase *c, struct vc_divergence *d);
void vc_describe_step(const struct verifier *v, const struct vstep *s, char *buf, size_t size);
const struct vstep *vc_last_writer(const struct verifier *v, const struct vcase *c, int slot, size_t off);

/*
 * verify_rerun.c: may a re-run forgive this divergence (a field that
 * follows XINUSE or XMODIFIED, which the kernel's own save and restore
 * mid-case can change)? At the end, the cases forgiven so go into the
 * result (rerun_agree) and, beyond VC_RERUN_SHARE_PERMILLE of the cases,
 * count as differing.
 */
#define VC_RERUN_SHARE_PERMILLE 5u
struct verify_result;
bool vc_rerun_may_forgive(const struct verifier *v, const struct vcase *c, const struct vc_divergence *d);
void vc_rerun_verdict(struct verify_result *r, unsigned long reruns);

/* verify_cpu_gen.c */
void vc_make_case(struct verifier *v, struct vcase *c);
uint8_t *vc_buf(const struct verifier *v, int slot);
size_t vc_len(const struct verifier *v, int slot);
/* Name byte `off` of a slot after `c` ran: "byte 42 (x87 ST0 +10)", "byte 936 (avx512_zmm_hi256 +40)". */
const char *vc_describe(const struct verifier *v, const struct vcase *c, int slot, size_t off,
			char *buf, size_t size);

#endif
