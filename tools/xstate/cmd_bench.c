// SPDX-License-Identifier: MIT
/*
 * xstate bench memory|switch: the CET-S series' experiment. `memory` is
 * the accounting (bytes per task and per vCPU under each policy); `switch`
 * measures context switches (bench_switch.c).
 */
#include <stdlib.h>
#include <string.h>

#include "bench_switch.h"
#include "cli.h"

struct mem_row {
	char name[4096];
	struct xs_policy_cost pc[3];
	char no_tasks[200];	/* why this CPU has no fpstates (no x86-64 boot), or "" */
};

static json_t *row_json(const struct mem_row *r)
{
	static const char *const names[3] = { "off", "guest-only", "all" };
	json_t *o = json_object(), *t = json_object(), *v = json_object();

	cli_json_set_path(o, "cpu", r->name);
	if (r->no_tasks[0]) {
		json_object_set_new(o, "task_bytes", json_null());
		json_object_set_new(o, "vcpu_bytes", json_null());
		json_object_set_new(o, "saving_per_task", json_null());
		json_object_set_new(o, "no_fpstates", json_string(r->no_tasks));
		json_decref(t);
		json_decref(v);
		return o;
	}
	for (int i = 0; i < 3; i++) {
		json_object_set_new(t, names[i], json_integer(r->pc[i].task_bytes));
		json_object_set_new(v, names[i], json_integer(r->pc[i].vcpu_bytes));
	}
	json_object_set_new(o, "task_bytes", t);
	json_object_set_new(o, "vcpu_bytes", v);
	json_object_set_new(o, "saving_per_task",
			    json_integer((json_int_t)r->pc[2].task_bytes - (json_int_t)r->pc[1].task_bytes));
	return o;
}

/* Text rows name the dump file: a corpus table stays readable. */
static void row_text(const struct mem_row *r)
{
	const char *base = strrchr(r->name, '/');

	if (r->no_tasks[0]) {
		printf("%-40.40s no fpstates: %s\n", base ? base + 1 : r->name, r->no_tasks);
		return;
	}
	printf("%-40.40s %6u %6u %6u | %6u %6u %6u | %5d\n", base ? base + 1 : r->name, r->pc[0].task_bytes,
	       r->pc[1].task_bytes, r->pc[2].task_bytes, r->pc[0].vcpu_bytes, r->pc[1].vcpu_bytes,
	       r->pc[2].vcpu_bytes, (int)r->pc[2].task_bytes - (int)r->pc[1].task_bytes);
}

/* Why no task or vCPU fpstate exists on this CPU ("" when they do). */
static void no_fpstates(const xs_cpu *cpu, char *why, size_t size)
{
	xs_system *sys;

	if (xs_system_new(&sys, cpu, NULL))
		return;
	if (xs_system_usable(sys))
		snprintf(why, size, "%s", xs_system_info(sys)->halted ? xs_system_info(sys)->halt_reason
									 : "buffer sizes below 576 bytes");
	xs_system_free(sys);
}

static bool mem_row_of(const char *path, struct mem_row *r)
{
	xs_cpu *cpu = xs_cpu_new();
	bool ok;

	if (!cpu)
		return false;
	ok = !cli_load_cpu(cpu, path, 0);
	if (ok)
		ok = !xs_policy_costs(cpu, NULL, r->pc);
	r->no_tasks[0] = '\0';
	if (ok)
		no_fpstates(cpu, r->no_tasks, sizeof(r->no_tasks));
	snprintf(r->name, sizeof(r->name), "%s", path ? path : "live");
	xs_cpu_free(cpu);
	return ok;
}

struct memory_args {
	const char *cpuid;
	enum xs_out_format fmt;
};

static const struct cli_opt memory_options[] = {
	{ .name = "cpuid", .store = cli_string, CLI_FIELD(struct memory_args, cpuid), .arg = "FILE|DIR|-" },
	{ CLI_FORMAT(struct memory_args, fmt, cli_text_json), .arg = "text|json" },
	{ 0 }
};

static int bench_memory(void *args, int argc, char **argv)
{
	const struct memory_args *a = args;
	char **names = NULL;
	unsigned n = 1;
	json_t *arr;
	struct mem_row r;
	int bad = 0, ret = 0;

	(void)argc;
	(void)argv;
	if (cli_is_directory(a->cpuid))
		ret = cli_list_dumps(a->cpuid, &names, &n);
	/* one CPU that cannot be read is bad input: no table at all */
	if (!ret && !names && !mem_row_of(a->cpuid, &r))
		ret = XS_EXIT_USAGE;
	if (ret)
		return ret;
	arr = json_array();
	if (a->fmt == OUT_TEXT)
		printf("%-40s %20s | %20s | %s\n%-40s %6s %6s %6s | %6s %6s %6s |\n", "CPU", "bytes per task",
		       "bytes per vCPU", "saved", "", "off", "guest", "all", "off", "guest", "all");
	for (unsigned i = 0; i < n; i++) {
		if (names && !mem_row_of(names[i], &r))
			bad++;
		else if (a->fmt == OUT_JSON)
			json_array_append_new(arr, row_json(&r));
		else
			row_text(&r);
	}
	cli_free_paths(names);
	if (a->fmt == OUT_JSON)
		cli_print_json(arr);
	else
		json_decref(arr);
	return bad ? XS_EXIT_FALSE : XS_EXIT_OK;
}

/* No texts of its own: its help is bench's. */
static const struct cli_command bench_memory_cmd = {
	.name = "memory",
	.opts = memory_options, .args_size = sizeof(struct memory_args), .run = bench_memory,
};

static const struct cli_command *const benchmarks[] = { &bench_memory_cmd, &cli_cmd_bench_switch, NULL };

const struct cli_command cli_cmd_bench = {
	.name = "bench", .summary = "the CET-S series' experiment: memory per policy, context switches",
	.subcommands = benchmarks, .subcommand_noun = "benchmark",
	.about = "memory: bytes of a task's and a vCPU's fpstate under each CET-S policy (off,\n"
		 "        guest-only, all) and what a non-vCPU task saves under guest-only\n"
		 "        compared with all, for one CPU or every dump of a directory.\n"
		 "switch: the series' context-switch experiment: ns per switch of tasks under\n"
		 "        each policy, on this CPU and on the software engine, beside a real\n"
		 "        switch on the live kernel (see xstate bench switch --help).\n",
};
