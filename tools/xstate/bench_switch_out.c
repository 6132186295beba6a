// SPDX-License-Identifier: MIT
/* xstate bench switch: the results as text (for people) and JSON (stable keys). */
#include <string.h>
#include <sys/utsname.h>

#include "bench_switch.h"

const char sw_noise_rule[] =
	"a ratio of medians is within noise when |ratio - 1| <= max(IQR of case 1, IQR of the other "
	"case), where a case's IQR is (Q3 - Q1) / median of its ns per switch over the rounds (one slow "
	"round does not move it; the spread (max - min) / median is printed beside it)";

static const char *const case_titles[SW_CASES] = {
	"no CET-S (before the series)", "CET-S in guest fpstates only (the default)",
	"CET-S in every task's fpstate"
};

/* What an RFBM is on a backend: the hardware's mask, or the fpstate's xfeatures. */
static uint64_t case_rfbm(enum sw_backend be, const struct sw_case *c)
{
	return be == SW_HW ? c->mask : c->sys->kernel.default_features;
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
	printf("%-13s %u    %-11s %10u  %-10s %-21s %8.1f %8.1f %8.1f %6.1f%% %6.1f%%\n", i ? "" : r->name,
	       i + 1, xs_cet_s_policy_name(c->policy), c->sys->kernel.default_size,
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
	for (unsigned i = 0; i < SW_CASES; i++)
		print_case_row(be, r, i);
	for (unsigned k = 0; k < 2; k++) {
		double noise = r->cases[0].st.iqr > r->cases[k + 1].st.iqr ? r->cases[0].st.iqr
									     : r->cases[k + 1].st.iqr;

		printf("%-13s case%u/case1 %.3f  |r-1| %.3f %s %.3f  %-13s", "", k + 2,
		       r->ratio[k], r->ratio[k] > 1 ? r->ratio[k] - 1 : 1 - r->ratio[k],
		       r->within[k] ? "<=" : ">", noise, verdict(r->within[k]));
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
	printf(", %lu round trips per round\n%-13s ns per switch: min %.1f, median %.1f, max %.1f, spread %.1f%%\n",
	       a->round_trips, "", a->st.min, a->st.median, a->st.max, 100 * a->st.spread);
}

void sw_print_text(const struct sw_bench *b)
{
	printf("xstate bench switch: %s\n", b->cpu_name);
	printf("model: Linux %u.%u, %u tasks per case, %lu switches per case per round, %u rounds "
	       "(case order rotated every round)\n",
	       b->sys[0]->opts.kernel >> 8, b->sys[0]->opts.kernel & 0xff, b->ntasks, b->switches, b->rounds);
	for (unsigned i = 0; i < SW_CASES; i++)
		printf("case %u, %-11s %s\n", i + 1, xs_cet_s_policy_name(sw_case_policy[i]), case_titles[i]);
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

static json_t *case_json(const struct sw_bench *b, enum sw_backend be, const struct sw_backend_run *r,
			 unsigned i)
{
	const struct sw_case *c = &r->cases[i];
	json_t *o = json_object();

	json_object_set_new(o, "policy", json_string(xs_cet_s_policy_name(c->policy)));
	json_object_set_new(o, "bytes_per_task", json_integer(c->sys->kernel.default_size));
	json_object_set_new(o, "xfeatures", json_hex(c->sys->kernel.default_features));
	json_object_set_new(o, "rfbm", json_or_null(r->available, json_hex(case_rfbm(be, c))));
	json_object_set_new(o, "ns_per_switch",
			    r->available ? stats_json(&c->st, c->ns, b->rounds) : json_null());
	return o;
}

enum pair { PAIR_RATIO, PAIR_DELTA, PAIR_VERDICT };

/* {"case2_case1": …, "case3_case1": …}: ratios, differences or verdicts. */
static json_t *pair_json(const struct sw_backend_run *r, enum pair what)
{
	json_t *o = json_object();
	static const char *const keys[2] = { "case2_case1", "case3_case1" };

	for (unsigned k = 0; k < 2; k++)
		json_object_set_new(o, keys[k], what == PAIR_VERDICT ? json_string(verdict(r->within[k]))
						: json_real(what == PAIR_RATIO ? r->ratio[k] : r->delta[k]));
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
	for (unsigned i = 0; i < SW_CASES; i++) {
		char key[8];

		snprintf(key, sizeof(key), "case%u", i + 1);
		json_object_set_new(cases, key, case_json(b, be, r, i));
	}
	json_object_set_new(o, "cases", cases);
	json_object_set_new(o, "ratios", pair_json(r, PAIR_RATIO));
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

	snprintf(kernel, sizeof(kernel), "%u.%u", b->sys[0]->opts.kernel >> 8, b->sys[0]->opts.kernel & 0xff);
	json_object_set_new(o, "cpu", json_string(b->cpu_name));
	json_object_set_new(o, "live", json_boolean(b->live));
	json_object_set_new(o, "kernel", json_string(kernel));
	json_object_set_new(o, "tasks", json_integer(b->ntasks));
	json_object_set_new(o, "switches", json_integer((json_int_t)b->switches));
	json_object_set_new(o, "rounds", json_integer(b->rounds));
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
