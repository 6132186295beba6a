/* SPDX-License-Identifier: MIT */
/*
 * The trace format (*.xstrace, docs/traces.md): what a CPU did on the
 * cases of `xstate verify --against cpu`, recorded with the CPU's CPUID,
 * the engine's traits and every case's inputs, so that the engine can be
 * replayed against that CPU anywhere. This file is the codec only: bytes
 * in, bytes out, no I/O; verify_trace.c writes and replays traces.
 */
#ifndef XS_TRACE_FORMAT_H
#define XS_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xstate.h"

#define VT_MAGIC "XSTRACE\x1a"
#define VT_VERSION 1u
#define VT_COMPRESSION_ZSTD 1u
#define VT_HEADER_SIZE 16u

/* Record types: four ASCII characters, stored as a little-endian u32. */
#define VT_FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define VT_REC_INFO VT_FOURCC('I', 'N', 'F', 'O')
#define VT_REC_CPUID VT_FOURCC('C', 'P', 'U', 'I')
#define VT_REC_TRAITS VT_FOURCC('T', 'R', 'A', 'I')
#define VT_REC_NOISE VT_FOURCC('N', 'O', 'I', 'S')
#define VT_REC_CASE VT_FOURCC('C', 'A', 'S', 'E')
#define VT_REC_END VT_FOURCC('E', 'N', 'D', ' ')

#define VT_SLOTS 5		/* buffers A, B, C, the clean image, the read-back */
#define VT_MAX_STEPS 16
#define VT_REGION_MAX (1u << 20)
#define VT_NOISE_MAX 65536u
#define VT_FRAME_MAX 65536u
#define VT_STREAM_MAX (1u << 20)	/* words of the reference stream of one case */
#define VT_NONE 0xffu		/* no slot (XGETBV), no exception */
#define VT_TRAITS_MAX 64	/* TRAI names at most this many (a bit each in traits_recorded) */

/* Step operations: the numbering of xs_hw_op (9, a system call, is not a step of a trace). */
enum vt_op {
	VT_OP_FXSAVE = 1, VT_OP_FXRSTOR, VT_OP_XSAVE, VT_OP_XSAVEOPT, VT_OP_XSAVEC, VT_OP_XRSTOR,
	VT_OP_XGETBV, VT_OP_POKE, VT_OP_RESERVED, VT_OP_XSAVES, VT_OP_XRSTORS, VT_OP_XSETBV, VT_OP_COUNT
};
#define VT_FLAG_REX_W 1u
#define VT_FLAG_AC 2u
#define VT_STEP_SIZE 40u

struct vt_step {
	uint8_t op, flags, slot;	/* slot: 0..4 or VT_NONE */
	uint8_t vector;			/* the CPU's exception vector, VT_NONE */
	bool ran;			/* the CPU reached the step (completed or faulted) */
	uint8_t prefix;			/* a legacy prefix byte before the opcode (F0, 66, F2, F3), 0 none */
	uint64_t arg;			/* EDX:EAX; XGETBV's ECX; a POKE's byte count */
	uint32_t poke_at, poke_from;	/* POKE: offset in the buffer, in the noise */
	uint64_t xinuse, result;	/* the CPU's XGETBV(1) after the step; XGETBV's EDX:EAX */
};

/* Everything before the first case. */
struct vt_header {
	uint32_t version;
	/* INFO */
	char tool[64], kernel[128], microcode[32];
	uint64_t seed, xcr0, xfd;
	uint32_t mxcsr_mask;
	bool xgetbv1;
	uint32_t area, region;
	/* CPUID, TRAITS, NOISE */
	xs_cpu *cpu;
	uint64_t traits[VT_TRAITS_MAX];	/* vt_traits[i]'s value */
	uint64_t traits_recorded;	/* bit i: vt_traits[i] was in the trace */
	uint8_t noise[VT_NOISE_MAX];
	uint32_t noise_len;
};

struct vt_case {
	uint64_t index, stream;
	uint32_t stream_words;
	bool agreed;			/* the live run's verdict */
	unsigned nsteps;
	uint32_t start[VT_SLOTS];
	struct vt_step steps[VT_MAX_STEPS];
	uint8_t *init[VT_SLOTS];	/* region - start bytes each (the reader's buffers) */
	uint8_t *after[VT_SLOTS];
	uint8_t *frame;
	uint32_t frame_len;
};

/* ---- traits: every enum xs_trait but MXCSR_MASK (INFO's), by name ---- */
struct vt_trait {
	enum xs_trait trait;
	uint64_t max;			/* the largest value: 1 for a flag */
};
extern const struct vt_trait vt_traits[];
extern const unsigned vt_ntraits;
/* vt_traits[i]'s name in a TRAI record: the library's (xs_trait_name). */
const char *vt_trait_name(unsigned i);
/* NULL when vt_traits names every trait of the library but MXCSR_MASK once; else what is wrong. */
const char *vt_traits_gap(void);

/* ---- building a trace ---- */
struct vt_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;			/* out of memory: every later put is dropped */
};
void vt_put(struct vt_buf *b, const void *p, size_t n);
void vt_put_u8(struct vt_buf *b, uint8_t v);
void vt_put_u32(struct vt_buf *b, uint32_t v);
void vt_put_u64(struct vt_buf *b, uint64_t v);
void vt_put_varint(struct vt_buf *b, uint64_t v);
/* A record: type, payload length, payload. */
void vt_put_record(struct vt_buf *b, uint32_t type, const void *payload, size_t n);

/* The reference stream of a case: `words` splitmix64 outputs from `state`, little-endian. */
void vt_stream(uint64_t state, uint32_t words, uint8_t *out);

/*
 * `target` (n bytes) as delta operations against `ref` (reflen bytes);
 * `own` is where the target's own earlier contents sit in ref (SAME).
 */
struct vt_matcher;
struct vt_matcher *vt_matcher_new(void);
void vt_matcher_free(struct vt_matcher *m);
void vt_matcher_index(struct vt_matcher *m, const uint8_t *ref, size_t reflen);
void vt_delta_encode(struct vt_buf *b, struct vt_matcher *m, const uint8_t *target, size_t n,
		     size_t own);

/* ---- reading a trace ---- */
struct vt_reader_ops {
	/* Once, before the first case (the header is complete). */
	int (*header)(void *ctx, const struct vt_header *h);
	int (*one_case)(void *ctx, const struct vt_header *h, const struct vt_case *c);
};

/*
 * Check and decode a whole trace file held in memory. `name` is only used
 * in messages; a record is at most 16 MiB. Returns 0,
 * -EINVAL with err = "NAME: record N (TYPE): field: what was expected",
 * -ENOMEM, or what a callback returned (non-zero stops the reading).
 */
int vt_read(const uint8_t *data, size_t len, const char *name, const struct vt_reader_ops *ops,
	    void *ctx, char *err, size_t errsize);

#endif
