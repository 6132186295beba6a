// SPDX-License-Identifier: MIT
/*
 * Rule groups for --keep-going. A differing case is classified by its
 * first divergence only (what follows it is usually its consequence):
 *
 *   exception          "XSAVE (EFLAGS.AC): exception: engine #GP, cpu #AC"
 *   XINUSE             "XRSTOR64: XGETBV(1) after it: cpu sets x87,sse"
 *   XGETBV result      "XGETBV ECX=1: result"
 *   register contents  "FXRSTOR64: x87/sse FIP", "XRSTOR: avx"
 *   anything else      "XSAVEOPT64: header XSTATE_BV", "XRSTOR #GP: signal frame header XSTATE_BV"
 *
 * Register contents differ in a buffer a save wrote, in the read-back or
 * in the signal frame at a fault, but between the restore that loaded the
 * component and the save only XSAVE-family instructions ran: the value
 * is that restore's doing, and the group is named after it. Header
 * fields and layout are the writer's (the save's, the kernel's).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "verify_groups.h"

struct group {
	char rule[320];
	unsigned long count;
	struct vg_example example;
	char file[256];
	char why[400];
};

struct vg_groups {
	struct group *g;
	size_t n, cap;
};

struct vg_groups *vg_new(void)
{
	return calloc(1, sizeof(struct vg_groups));
}

void vg_free(struct vg_groups *g)
{
	if (g)
		free(g->g);
	free(g);
}

static const char *step_name(const struct vstep *s)
{
	return s->insn == STEP_POKE ? "a store" : xs_insn_name((enum xs_insn)s->insn, s->flags);
}

static void xinuse_rule(const struct vc_divergence *d, char *buf, size_t size)
{
	uint64_t set = d->cpu & ~d->engine, clear = d->engine & ~d->cpu;
	char s[96], c[96];

	xfeature_list(set, s, sizeof(s));
	xfeature_list(clear, c, sizeof(c));
	if (snprintf(buf, size, "XGETBV(1) after it: %s%s%s%s%s", set ? "cpu sets " : "", set ? s : "",
		     set && clear ? "; " : "", clear ? "cpu clears " : "", clear ? c : "") >= (int)size)
		return;	/* a rule name cut short still groups alike */
}

/*
 * The field of a byte, from vc_describe()'s "byte 42 (x87 ST0 +10)": the
 * part in parentheses without the offset into a register or component;
 * the eight ST and sixteen XMM registers count as one field each.
 */
static void field_of(const struct verifier *v, const struct vcase *c, int slot, size_t off, char *buf,
		     size_t size)
{
	char text[96], *open, *close, *plus;

	vc_describe(v, c, slot, off, text, sizeof(text));
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open) {
		snprintf(buf, size, "%s", text);
		return;
	}
	*close = 0;
	open++;
	if ((plus = strstr(open, " +")))
		*plus = 0;
	if (!strncmp(open, "x87 ST", 6) && plus && strtoul(plus + 2, NULL, 10) >= 10)
		open = "x87 ST slots' unused bytes 10-15";
	else if (!strncmp(open, "x87 ST", 6))
		open = "x87 ST registers";
	else if (!strncmp(open, "sse XMM", 7))
		open = "sse XMM registers";
	snprintf(buf, size, "%s", open);
}

/*
 * The component of a field named by field_of(): 0 for the x87 fields and
 * registers, 1 for MXCSR and XMM, i for component i; -1 for the header,
 * the software area and bytes outside every component.
 */
static int field_component(const char *field)
{
	if (!strcmp(field, "x87/sse MXCSR_MASK") || !strcmp(field, "x87/sse reserved") ||
	    strstr(field, "unused"))
		return -1;	/* what the save writes, not a register */
	if (!strcmp(field, "x87/sse MXCSR") || !strncmp(field, "sse ", 4))
		return 1;
	if (!strncmp(field, "x87", 3))
		return 0;
	for (unsigned nr = 2; nr < XS_XFEATURE_MAX; nr++)
		if (!strcmp(field, xs_xfeature_info(nr)->short_name))
			return (int)nr;
	return -1;
}

/*
 * The restore that loaded component nr last before step `before` (engine
 * side): between it and the save nothing but XSAVE-family instructions
 * ran, so a register's value is that restore's doing.
 */
static const struct vstep *loaded_by(const struct verifier *v, const struct vcase *c, int before,
				     int nr)
{
	const struct vstep *w = NULL;

	for (int i = 0; i < before && i < (int)c->nsteps; i++) {
		const struct vstep *s = &c->steps[i];

		if (!s->ran[0] || s->exc[0])
			continue;
		if ((s->insn == XS_INSN_FXRSTOR && nr <= 1) ||
		    (s->insn == XS_INSN_XRSTOR && s->arg & v->xcr0 & XS_BIT(nr)))
			w = s;
	}
	return w;
}

/*
 * Did save s write component nr by a rule of its own rather than as one of
 * RFBM (MXCSR with RFBM[2] alone, SDM1 §13.7)? Then the save answers for it.
 */
static bool outside_rfbm(const struct verifier *v, const struct vstep *s, int nr)
{
	switch (s->insn) {
	case XS_INSN_XSAVE: case XS_INSN_XSAVEOPT: case XS_INSN_XSAVEC: case XS_INSN_XSAVES:
		return !(s->arg & v->xcr0 & XS_BIT(nr));
	default:
		return false;
	}
}

/*
 * A byte of a buffer or of the fault frame: register contents go to the
 * restore that loaded them, anything else to the writer.
 */
static void byte_rule(const struct verifier *v, const struct vcase *c, const struct vc_divergence *d,
		      char *buf, size_t size)
{
	const struct vstep *s = d->step >= 0 ? &c->steps[d->step] : NULL;
	const struct vstep *w;
	char field[96];
	int nr;

	field_of(v, c, d->slot, d->off, field, sizeof(field));
	nr = field_component(field);
	w = nr >= 0 && !(d->kind == VC_DIV_BUFFER && s && outside_rfbm(v, s, nr))
		    ? loaded_by(v, c, s ? d->step : (int)c->nsteps, nr) : NULL;
	if (w)
		snprintf(buf, size, "%s: %s", step_name(w), field);
	else if (d->kind == VC_DIV_FRAME)
		snprintf(buf, size, "%s %s: signal frame %s", step_name(s), xs_exception_name(s->exc[1]), field);
	else
		snprintf(buf, size, "%s: %s", s ? step_name(s) : "the case", field);
}

void vg_rule(const struct verifier *v, const struct vcase *c, const struct vc_divergence *d, char *buf,
	     size_t size)
{
	const struct vstep *s = d->step >= 0 ? &c->steps[d->step] : NULL;
	char what[256];

	switch (d->kind) {
	case VC_DIV_EXCEPTION:
		snprintf(buf, size, "%s%s%s: exception: engine %s, cpu %s", step_name(s),
			 s->flags & XS_HW_PREFIX_MASK ? " (legacy prefix)" : "",
			 s->flags & XS_HW_AC ? " (EFLAGS.AC)" : "",
			 xs_exception_name((enum xs_exception)d->engine), xs_exception_name((enum xs_exception)d->cpu));
		return;
	case VC_DIV_XINUSE:
		xinuse_rule(d, what, sizeof(what));
		snprintf(buf, size, "%s: %s", step_name(s), what);
		return;
	case VC_DIV_RESULT:
		snprintf(buf, size, "XGETBV %s: result",
			 s->arg == 0 ? "ECX=0" : s->arg == 1 ? "ECX=1" : "ECX>1");
		return;
	default:
		byte_rule(v, c, d, buf, size);
		return;
	}
}

/* A group's example, its file name pointing into the group as it is now. */
static struct vg_example example_of(const struct group *p)
{
	struct vg_example ex = p->example;

	ex.file = p->file[0] ? p->file : NULL;
	return ex;
}

static void describe_example(const struct vg_example *ex, char *buf, size_t size)
{
	if (ex->index == ULONG_MAX)
		snprintf(buf, size, "no single case");
	else if (ex->file)
		snprintf(buf, size, "%s case %lu", ex->file, ex->index);
	else
		snprintf(buf, size, "case %lu of seed %llu", ex->index, (unsigned long long)ex->seed);
}

static struct group *find_or_add(struct vg_groups *g, const char *rule)
{
	struct group *p;

	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->g[i].rule, rule))
			return &g->g[i];
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;

		if (!(p = realloc(g->g, cap * sizeof(*p))))
			return NULL;
		g->g = p, g->cap = cap;
	}
	p = &g->g[g->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->rule, sizeof(p->rule), "%s", rule);
	return p;
}

int vg_differ(struct verify_result *r, struct vg_groups *g, const struct verifier *v,
	      const struct vcase *c, const struct vc_divergence *d, const struct vg_example *ex)
{
	char where[320], rule[320];
	struct group *p;

	if (!r->differ++) {
		describe_example(ex, where, sizeof(where));
		if (snprintf(r->first, sizeof(r->first), "%s: %s", where, d->why) >= (int)sizeof(r->first))
			r->first[sizeof(r->first) - 2] = '~';	/* cut short */
	}
	if (!g)
		return 0;
	vg_rule(v, c, d, rule, sizeof(rule));
	if (!(p = find_or_add(g, rule)))
		return -ENOMEM;
	if (!p->count++) {
		p->example = *ex;
		p->example.file = NULL;	/* a copy in p->file: the array moves as it grows */
		snprintf(p->file, sizeof(p->file), "%s", ex->file ? ex->file : "");
		snprintf(p->why, sizeof(p->why), "%s", d->why);
	}
	return 0;
}

int vg_add_reruns(struct vg_groups *g, unsigned long count)
{
	struct group *p = find_or_add(g, "agreed only on a re-run, beyond the share a kernel explains");

	if (!p)
		return -ENOMEM;
	p->count += count;
	p->example.index = ULONG_MAX;	/* none */
	snprintf(p->why, sizeof(p->why), "%lu case(s) agreed with the engine only when run again on the CPU",
		 count);
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->rule, y->rule);
}

static void sort_groups(const struct vg_groups *g)
{
	if (g->n)
		qsort(g->g, g->n, sizeof(*g->g), by_count);
}

void vg_print(const struct vg_groups *g, FILE *f)
{
	char where[320];

	if (!g->n)
		return;
	sort_groups(g);
	fprintf(f, "%zu rule group(s), by the first divergence of each differing case:\n", g->n);
	fprintf(f, "%9s  %s\n", "cases", "rule [example]");
	for (size_t i = 0; i < g->n; i++) {
		struct vg_example ex = example_of(&g->g[i]);

		describe_example(&ex, where, sizeof(where));
		fprintf(f, "%9lu  %s [%s]\n", g->g[i].count, g->g[i].rule, where);
	}
}

json_t *vg_json(const struct vg_groups *g)
{
	json_t *a = json_array();

	sort_groups(g);
	for (size_t i = 0; a && i < g->n; i++) {
		const struct group *p = &g->g[i];
		json_t *ex = json_object();

		if (p->file[0])
			cli_json_set_path(ex, "file", p->file);
		else
			json_object_set_new(ex, "seed", p->example.seed <= INT64_MAX
								? json_integer((json_int_t)p->example.seed)
								: json_hex(p->example.seed));
		if (p->example.index != ULONG_MAX)
			json_object_set_new(ex, "case", json_integer((json_int_t)p->example.index));
		json_object_set_new(ex, "divergence", json_string(p->why));
		json_array_append_new(a, json_pack("{s:s,s:I,s:o}", "rule", p->rule, "count",
						   (json_int_t)p->count, "example", ex));
	}
	return a;
}
