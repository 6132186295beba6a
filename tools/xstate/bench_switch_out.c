// SPDX-License-Identifier: MIT
/* xstate bench switch: the results as text (for people) and JSON (stable keys). */
#include <string.h>
#include <sys/utsname.h>

#include "bench_switch.h"

const char sw_noise_rule[] =
	"every round measures the cases back to back (interleaved slices), so each round gives a ratio "
	"case k / case 1 in which load from the rest of the machine cancels; the ratio shown is the "
	"median of those per-round ratios, and it is within noise when the interquartile range "
	"[Q1, Q3] of the per-round ratios contains 1 (fewer than three rounds in four agree on a "
	"direction), else outside noise; the per-case IQR (Q3 - Q1) / median of ns per switch over the "
	"rounds shows the round-to-round noise beside it";

static const char *const case_titles[SW_VARIANTS] = {
	"no CET-S (before the series)", "CET-S in guest fpstates only (the default since Linux 6.18)",
	"CET-S in every task's fpstate, its registers holding data (every task uses kernel shadow stacks)",
	("CET-S in every task's fpstate, its registers in their init configuration (no kernel shadow "
	 "stacks: XSAVES's init optimisation skips it; engine rows only)")
};

/* What an RFBM is on a backend: the hardware's mask, or the fpstate's xfeatures. */
static uint64_t case_rfbm(enum sw_backend be, const struct sw_case *c)
{
	return be == SW_HW ? c->mask : xs_system_info(c->sys)->kernel.default_features;
}

static const char *verdict(bool within)
{
	return within ? "within noise" : "outside noise";
}

static const char *kernel_release(struct utsname *u)
{
	return uname(u) ? "unknown" : u->release;
}

/* ---- text ----------------------------------------------------------------------- */

/* A long sentence over several lines, each starting at column `indent`. */
static void print_wrapped(const char *label, const char *text, int indent)
{
	int col = printf("  %-*s", indent - 2, label);

	while (*text) {
		size_t word = strcspn(text, " ");

		if (col > indent && col + (int)word > 100) {
			col = printf("\n%*s", indent, "") - 1;
		} else if (col > indent) {
			col += printf(" ");
		}
		col += printf("%.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	printf("\n");
}

static void print_case_row(enum sw_backend be, const struct sw_backend_run *r, unsigned i)
{
	const struct sw_case *c = &r->cases[i];
	char rfbm[24], insns[40] = "";

	if (i == 0)
		snprintf(insns, sizeof(insns), "%s/%s", r->save, r->restore);
	printf("%-13s %-4s %-11s %10u  %-10s %-21s %8.1f %8.1f %8.1f %6.1f%% %6.1f%%\n", i ? "" : r->name,
	       sw_case_label[i], xs_cet_s_policy_name(c->policy), xs_system_info(c->sys)->kernel.default_size,
	       cli_hex(case_rfbm(be, c), rfbm), insns, c->st.min, c->st.median, c->st.max,
	       100 * c->st.spread, 100 * c->st.iqr);
}

/* "+27.6 ns/switch (0.39% of the anchor's)": the difference beside a real switch. */
static void print_delta(const struct sw_bench *b, double delta)
{
	printf("  %+.1f ns/switch", delta);
	if (b->anc.available && b->anc.st.median > 0)
		printf(" (%+.2f%% of the anchor's)", 100 * delta / b->anc.st.median);
	printf("\n");
}

static void print_backend(const struct sw_bench *b, enum sw_backend be)
{
	const struct sw_backend_run *r = &b->be[be];

	if (!r->available) {
		printf("%-13s absent: %s\n", r->name, r->why_absent);
		return;
	}
	for (unsigned i = 0; i < r->nvariants; i++)
		print_case_row(be, r, i);
	for (unsigned k = 0; k + 1 < r->nvariants; k++) {
		char name[24];

		snprintf(name, sizeof(name), "case%s/case1", sw_case_label[k + 1]);
		printf("%-13s %-12s %.3f  per-round IQR [%.3f, %.3f]  %-13s", "", name, r->ratio[k].median,
		       r->ratio[k].q1, r->ratio[k].q3, verdict(r->within[k]));
		print_delta(b, r->delta[k]);
	}
}

static void print_anchor(const struct sw_bench *b)
{
	const struct sw_anchor *a = &b->anc;
	struct utsname u;

	if (!a->available) {
		printf("%-13s absent: %s\n", "anchor", a->why_absent);
		return;
	}
	printf("%-13s pipe ping-pong on the live kernel (Linux %s), 2 processes ", "anchor", kernel_release(&u));
	if (a->pinned)
		printf("pinned to CPU %d", a->cpu);
	else
		printf("not pinned (affinity refused: cross-CPU wake-ups, not switches)");
	printf(", %lu round trips per round\n%-13s ns per switch: min %.1f, median %.1f, max %.1f, spread %.1f%%, "
	       "IQR %.1f%%\n",
	       a->round_trips, "", a->st.min, a->st.median, a->st.max, 100 * a->st.spread, 100 * a->st.iqr);
}

void sw_print_text(const struct sw_bench *b)
{
	char kname[16];

	printf("xstate bench switch: %s\n", b->cpu_name);
	printf("model: Linux %s, %u tasks per case, %lu switches per case per round in slices of %d, "
	       "%u rounds (case order rotated every slice and round)\n",
	       xs_kernel_name(xs_system_options(b->sys[0])->kernel, kname, sizeof(kname)), b->ntasks,
	       b->switches, SW_SLICE, b->rounds);
	for (unsigned i = 0; i < SW_VARIANTS; i++) {
		char label[40];

		snprintf(label, sizeof(label), "case %s, %s", sw_case_label[i],
			 xs_cet_s_policy_name(sw_case_policy[i]));
		print_wrapped(label, case_titles[i], 22);
	}
	printf("\n%-13s %-4s %-11s %10s  %-10s %-21s %8s %8s %8s %7s %7s\n", "backend", "case", "policy",
	       "bytes/task", "RFBM", "save/restore", "min ns", "median", "max", "spread", "IQR");
	for (int be = 0; be < SW_BACKENDS; be++)
		print_backend(b, (enum sw_backend)be);
	printf("\n");
	print_anchor(b);
	printf("\nnotes:\n");
	for (int be = 0; be < SW_BACKENDS; be++)
		if (b->be[be].available)
			print_wrapped(b->be[be].name, b->be[be].note, 16);
	print_wrapped("noise rule", sw_noise_rule, 16);
}

/* ---- JSON ------------------------------------------------------------------------- */

static json_t *json_or_null(bool cond, json_t *v)
{
	if (cond)
		return v;
	json_decref(v);
	return json_null();
}

static json_t *stats_json(const struct sw_stats *st, const double *ns, unsigned rounds)
{
	json_t *o = json_object(), *arr = json_array();

	for (unsigned r = 0; r < rounds; r++)
		json_array_append_new(arr, json_real(ns[r]));
	json_object_set_new(o, "min", json_real(st->min));
	json_object_set_new(o, "median", json_real(st->median));
	json_object_set_new(o, "max", json_real(st->max));
	json_object_set_new(o, "spread", json_real(st->spread));
	json_object_set_new(o, "iqr", json_real(st->iqr));
	json_object_set_new(o, "rounds", arr);
	return o;
}

/* What the CET-S registers of a case's tasks hold: "data", "init", or null (no room, or user mode). */
static json_t *cet_state_json(enum sw_backend be, const struct sw_case *c)
{
	if (be == SW_HW || !(xs_system_info(c->sys)->kernel.default_features & XS_XFEATURE_MASK_CET_KERNEL))
		return json_null();
	return json_string(c->cet_init ? "init" : "data");
}

static json_t *case_json(const struct sw_bench *b, enum sw_backend be, const struct sw_backend_run *r,
			 unsigned i)
{
	const struct sw_case *c = &r->cases[i];
	json_t *o = json_object();

	json_object_set_new(o, "title", json_string(case_titles[i]));
	json_object_set_new(o, "policy", json_string(xs_cet_s_policy_name(c->policy)));
	json_object_set_new(o, "cet_s_registers", cet_state_json(be, c));
	json_object_set_new(o, "cet_s_saved",
			    be == SW_HW || !r->available ? json_null() : json_boolean(c->cet_saved));
	json_object_set_new(o, "bytes_per_task", json_integer(xs_system_info(c->sys)->kernel.default_size));
	json_object_set_new(o, "xfeatures", json_hex(xs_system_info(c->sys)->kernel.default_features));
	json_object_set_new(o, "rfbm", json_or_null(r->available, json_hex(case_rfbm(be, c))));
	json_object_set_new(o, "ns_per_switch",
			    r->available ? stats_json(&c->st, c->ns, b->rounds) : json_null());
	return o;
}

enum pair { PAIR_RATIO, PAIR_QUARTILES, PAIR_DELTA, PAIR_VERDICT };

static json_t *quartiles_json(const struct sw_ratio *q)
{
	json_t *o = json_object();

	json_object_set_new(o, "min", json_real(q->min));
	json_object_set_new(o, "q1", json_real(q->q1));
	json_object_set_new(o, "median", json_real(q->median));
	json_object_set_new(o, "q3", json_real(q->q3));
	json_object_set_new(o, "max", json_real(q->max));
	return o;
}

/* {"case2_case1": …, "case3_case1": …, "case3_init_case1": …}: one kind of comparison. */
static json_t *pair_json(const struct sw_backend_run *r, enum pair what)
{
	json_t *o = json_object();

	for (unsigned k = 0; k + 1 < r->nvariants; k++) {
		char key[32];
		json_t *v;

		snprintf(key, sizeof(key), "%s_case1", sw_case_key[k + 1]);
		if (what == PAIR_VERDICT)
			v = json_string(verdict(r->within[k]));
		else if (what == PAIR_QUARTILES)
			v = quartiles_json(&r->ratio[k]);
		else
			v = json_real(what == PAIR_RATIO ? r->ratio[k].median : r->delta[k]);
		json_object_set_new(o, key, v);
	}
	return json_or_null(r->available, o);
}

static json_t *backend_json(const struct sw_bench *b, enum sw_backend be)
{
	const struct sw_backend_run *r = &b->be[be];
	json_t *o = json_object(), *cases = json_object();

	json_object_set_new(o, "available", json_boolean(r->available));
	json_object_set_new(o, "why_absent", json_or_null(!r->available, json_string(r->why_absent)));
	json_object_set_new(o, "save", json_or_null(r->available, json_string(r->save)));
	json_object_set_new(o, "restore", json_or_null(r->available, json_string(r->restore)));
	json_object_set_new(o, "note", json_string(r->note));
	for (unsigned i = 0; i < r->nvariants; i++)
		json_object_set_new(cases, sw_case_key[i], case_json(b, be, r, i));
	json_object_set_new(o, "cases", cases);
	json_object_set_new(o, "ratios", pair_json(r, PAIR_RATIO));
	json_object_set_new(o, "ratio_quartiles", pair_json(r, PAIR_QUARTILES));
	json_object_set_new(o, "delta_ns", pair_json(r, PAIR_DELTA));
	json_object_set_new(o, "verdict", pair_json(r, PAIR_VERDICT));
	return o;
}

static json_t *anchor_json(const struct sw_bench *b)
{
	const struct sw_anchor *a = &b->anc;
	json_t *o = json_object();
	struct utsname u;

	json_object_set_new(o, "available", json_boolean(a->available));
	json_object_set_new(o, "why_absent", json_or_null(!a->available, json_string(a->why_absent)));
	json_object_set_new(o, "kernel_release", json_string(kernel_release(&u)));
	json_object_set_new(o, "pinned", json_boolean(a->pinned));
	json_object_set_new(o, "cpu", a->pinned ? json_integer(a->cpu) : json_null());
	json_object_set_new(o, "round_trips", json_integer((json_int_t)a->round_trips));
	json_object_set_new(o, "ns_per_switch",
			    a->available ? stats_json(&a->st, a->ns, b->rounds) : json_null());
	return o;
}

int sw_print_json(const struct sw_bench *b)
{
	json_t *o = json_object(), *backends = json_object();
	char kernel[16];
	int ret;

	xs_kernel_name(xs_system_options(b->sys[0])->kernel, kernel, sizeof(kernel));
	json_object_set_new(o, "cpu", json_string(b->cpu_name));
	json_object_set_new(o, "live", json_boolean(b->live));
	json_object_set_new(o, "kernel", json_string(kernel));
	json_object_set_new(o, "tasks", json_integer(b->ntasks));
	json_object_set_new(o, "switches", json_integer((json_int_t)b->switches));
	json_object_set_new(o, "rounds", json_integer(b->rounds));
	json_object_set_new(o, "slice", json_integer(SW_SLICE));
	json_object_set_new(o, "noise_rule", json_string(sw_noise_rule));
	for (int be = 0; be < SW_BACKENDS; be++)
		json_object_set_new(backends, b->be[be].name, backend_json(b, (enum sw_backend)be));
	json_object_set_new(o, "backends", backends);
	json_object_set_new(o, "anchor", anchor_json(b));
	/* six significant digits: ns to 0.1 or better, ratios to 1e-5 */
	ret = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
	json_decref(o);
	return ret ? XS_EXIT_FALSE : XS_EXIT_OK;
}
