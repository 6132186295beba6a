/* SPDX-License-Identifier: MIT */
/*
 * --keep-going: every differing case of `verify --against cpu|trace` put
 * into a rule group by its first divergence — the instruction and what
 * differs (exception vector, XINUSE bits, XGETBV result, header field,
 * component and field) — with one case of each group to reproduce it.
 */
#ifndef XS_VERIFY_GROUPS_H
#define XS_VERIFY_GROUPS_H

#include <stdio.h>

#include <jansson.h>

#include "verify_cpu.h"
#include "verify_uabi.h"

/* Where a case comes from: case `index` of a live run of `seed`, or of trace `file`. */
struct vg_example {
	const char *file;
	uint64_t seed;
	unsigned long index;
};

struct vg_groups;
struct vg_groups *vg_new(void);
void vg_free(struct vg_groups *g);

/* The rule a divergence belongs to: "XRSTOR64: XINUSE x87", "XSAVE64: x87 FIP". */
void vg_rule(const struct verifier *v, const struct vcase *c, const struct vc_divergence *d, char *buf,
	     size_t size);
/*
 * Count a differing case: r->differ, r->first for the first one, and its
 * group when g is not NULL. 0 or -ENOMEM.
 */
int vg_differ(struct verify_result *r, struct vg_groups *g, const struct verifier *v,
	      const struct vcase *c, const struct vc_divergence *d, const struct vg_example *ex);

/*
 * The cases that agreed only on a re-run, when there are more of them than
 * a kernel's own saves explain (vc_rerun_verdict counts them as differing):
 * one group, without an example (each agreed in the end). 0 or -ENOMEM.
 */
int vg_add_reruns(struct vg_groups *g, unsigned long count);

/* The table, largest group first; the JSON array of {"rule", "count", "example"}. */
void vg_print(const struct vg_groups *g, FILE *f);
json_t *vg_json(const struct vg_groups *g);

#endif
