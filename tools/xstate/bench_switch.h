/* SPDX-License-Identifier: MIT */
/*
 * xstate bench switch: the CET supervisor state series' context-switch
 * experiment on the model. Three cases (CET-S off, guest-only, all), each
 * a set of tasks with fpstates laid out as that kernel would; a switch
 * saves the outgoing task's registers and restores the incoming one's, on
 * the CPU itself (user mode) and on the software engine (as the kernel at
 * CPL 0). An anchor measures a real context switch on the live kernel.
 *
 *   bench_switch.c         options, the rounds, statistics and verdicts
 *   bench_switch_model.c   tasks, machines and the switch loops
 *   bench_switch_anchor.c  the pipe ping-pong on the live kernel
 *   bench_switch_out.c     text and JSON
 */
#ifndef XS_BENCH_SWITCH_H
#define XS_BENCH_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* The series' three cases (policies off, guest-only, all): case 1, 2, 3. */
#define SW_CASES 3
/*
 * What is measured: the three cases, and on the engine a fourth variant,
 * case 3 with CET-S in its init configuration ("case 3i": every fpstate has
 * room for CET-S, as under policy all, but the tasks never use kernel
 * shadow stacks, so XSAVES's init optimisation leaves it out). Case 3
 * itself has CET-S holding data in every task.
 */
#define SW_VARIANTS 4
#define SW_CASE3_INIT 3
/* Comparisons with case 1: case 2, case 3, case 3i. */
#define SW_PAIRS (SW_VARIANTS - 1)
/* Switches per case in one slice of a round (the grain of the interleaving). */
#define SW_SLICE 2000
#define SW_STR(x) SW_STR_(x)	/* SW_STR(SW_SLICE): "2000", for --help */
#define SW_STR_(x) #x

/* Where a switch runs. */
enum sw_backend {
	SW_HW,		 /* XSAVEC/XRSTOR on this CPU, user mode */
	SW_ENGINE,	 /* the engine as the kernel drives it, optimisations on */
	SW_ENGINE_NOOPT, /* the same with impl.init_opt and impl.modified_opt off */
	SW_BACKENDS
};

/*
 * min / median / max over the rounds, spread = (max - min) / median, and
 * iqr = (Q3 - Q1) / median: the noise measure, which one slow round (a
 * neighbour on the machine) does not move.
 */
struct sw_stats {
	double min, median, max, spread, iqr;
};

/* Quartiles of the per-round ratios case k / case 1 (the rounds are paired). */
struct sw_ratio {
	double median, q1, q3, min, max;
};

/* One case (a CET-S policy, and for case 3i the registers' state) on one backend. */
struct sw_case {
	enum xs_cet_s_policy policy;
	bool cet_init;		/* case 3i: the CET-S registers stay in their init configuration */
	bool cet_saved;		/* after set-up: task 0's XSTATE_BV[12] (CET-S saved as in use) */
	const xs_system *sys;
	xs_fpu **tasks;		/* the tasks' fpus */
	xs_fpstate **fps;	/* their fpstates (xs_fpu_fpstate), what is switched */
	uint8_t **regs;		/* the fpstates' images (xs_fpstate_regs) */
	unsigned cur;		/* the task on the CPU */
	xs_machine *m;		/* engine backends: the processor */
	uint64_t mask;		/* hardware: the EDX:EAX of XSAVEC and XRSTOR */
	double *ns;		/* ns per switch, per round */
	struct sw_stats st;
};

struct sw_backend_run {
	const char *name;	/* "hardware", "engine", "engine_noopt" */
	bool available;
	unsigned nvariants;	/* 3 on the hardware (no CET-S in user mode), 4 on the engine */
	char why_absent[256];
	const char *save, *restore;	/* instruction names */
	char note[1024];	/* what the rows mean on this CPU */
	struct sw_case cases[SW_VARIANTS];
	struct sw_ratio ratio[SW_PAIRS];	/* case k / case 1, k = 2, 3, 3i: per-round ratios */
	double delta[SW_PAIRS];	/* (ratio - 1) x case 1's median: the ratio in ns per switch */
	bool within[SW_PAIRS];	/* the verdicts (sw_noise_rule) */
};

struct sw_anchor {
	bool available;
	char why_absent[256];
	bool pinned;
	int cpu;		/* where both processes ran, -1 when not pinned */
	unsigned long round_trips;	/* per round */
	double *ns;		/* ns per switch, per round */
	struct sw_stats st;
};

struct sw_bench {
	/* options */
	const char *cpuid;
	unsigned cpu_index;
	unsigned ntasks;
	unsigned long switches;	/* per case per round (in slices of SW_SLICE) */
	unsigned rounds;
	bool anchor;
	enum xs_out_format fmt;
	/* the model */
	xs_cpu *cpu;
	char cpu_name[4200];
	bool live;		/* the model is the CPU this runs on */
	xs_system *sys[SW_CASES];
	struct xs_hw hw;
	struct sw_backend_run be[SW_BACKENDS];
	struct sw_anchor anc;
};

/* The policies of the variants: case 1, 2, 3 in the series' order, then case 3i. */
extern const enum xs_cet_s_policy sw_case_policy[SW_VARIANTS];
/* "1", "2", "3", "3i" and the JSON keys "case1" … "case3_init". */
extern const char *const sw_case_label[SW_VARIANTS];
extern const char *const sw_case_key[SW_VARIANTS];

/* xstate bench switch: options, run (bench_switch.c). */
extern const struct cli_command cli_cmd_bench_switch;

/* bench_switch_model.c: tasks and machines of every case; 0 or -ENOMEM. */
int sw_model_setup(struct sw_bench *b);
void sw_model_free(struct sw_bench *b);
/* `n` switches of one case on one backend: ns per switch, or < 0 on a fault. */
double sw_model_run(struct sw_bench *b, enum sw_backend be, unsigned c, unsigned long n);
/*
 * Does this engine's XSAVES write CET-S in its init configuration when
 * impl.init_opt is off (on the model of case 3)? 1 yes, 0 no, < 0 when it
 * cannot tell (no XSAVES or no CET-S).
 */
int sw_noopt_writes_init(const struct sw_bench *b);

/* bench_switch_anchor.c: the rounds of the pipe ping-pong (fills b->anc). */
void sw_anchor_run(struct sw_bench *b);

/* bench_switch_out.c */
void sw_print_text(const struct sw_bench *b);
int sw_print_json(const struct sw_bench *b);
/* The rule behind within[]: one sentence, printed with the results. */
extern const char sw_noise_rule[];

#endif
