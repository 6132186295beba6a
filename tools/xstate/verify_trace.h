/* SPDX-License-Identifier: MIT */
/*
 * Traces of `xstate verify --against cpu`: recording one (--record FILE)
 * and replaying the engine on recorded ones (--against trace PATH...).
 */
#ifndef XS_VERIFY_TRACE_H
#define XS_VERIFY_TRACE_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "verify_cpu.h"
#include "verify_uabi.h"

struct vt_writer;
struct vg_groups;

struct verify_cpu_opts {
	FILE *record;			/* --record: where the trace goes (seekable or not) */
	struct vt_writer *trace;	/* verify_cpu_run()'s own */
	struct vg_groups *groups;	/* --keep-going: every differing case by rule */
	bool quiet;			/* --format json: nothing on stdout but the verdict */
	bool table_traits;		/* --traits table: no probes, the table's row for this CPUID */
};

/* --against cpu with options (verify_cpu() is this without any). */
int verify_cpu_run(unsigned long iterations, uint64_t seed, const struct verify_cpu_opts *o,
		   struct verify_result *r);

/* The recording side (verify_trace.c); -errno on failure. */
int vt_writer_open(struct vt_writer **w, FILE *f, const struct verifier *v, uint64_t seed);
int vt_write_case(struct vt_writer *w, const struct verifier *v, const struct vcase *c,
		  unsigned long index, uint64_t stream, bool agreed);
/* END, the end of the frame, flush; frees w. Returns `status` if non-zero, else its own. */
int vt_writer_close(struct vt_writer *w, unsigned long cases, int status);

/*
 * --against trace: replay every trace of `paths` (files, or directories of
 * *.xstrace). Adds each trace's object to `traces` (a JSON array, may be
 * NULL) and its line to stdout unless quiet. Returns 0, or XS_EXIT_USAGE
 * after printing why a trace cannot be read.
 */
int verify_trace(char *const *paths, int npaths, struct vg_groups *groups, json_t *traces, bool quiet,
		 struct verify_result *r);

#endif
