// SPDX-License-Identifier: MIT
/*
 * The context-switch model's accounting (bytes per task and per vCPU under
 * each CET-S policy) equals the sizes of the fpstates the fpstate layer
 * builds, for every CPU fixture and the spec's synthetic models. No timing.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/* Allocate a task and a vCPU under each policy and compare with the accounting. */
static void check_cpu(const xs_cpu *cpu, const char *name)
{
	struct xs_policy_cost pc[3];
	struct xs_options o;

	assert_int_equal(xs_policy_costs(cpu, NULL, pc), 0);
	for (int i = 0; i < 3; i++) {
		xs_system *sys;
		xs_fpu fpu;
		xs_fpu_guest g;

		xs_options_init(&o);
		o.cet_s = pc[i].policy;
		sys = xt_system_of(cpu, &o);
		assert_int_equal(xs_fpu_init(&fpu, sys, NULL), 0);
		assert_int_equal(xs_fpu_alloc_guest_fpstate(&fpu, &g), 0);
		if (fpu.fpstate->size != pc[i].task_bytes || g.fpstate->size != pc[i].vcpu_bytes)
			fail_msg("%s, policy %s: task %u vs %u, vCPU %u vs %u", name,
				 xs_cet_s_policy_name(pc[i].policy), fpu.fpstate->size, pc[i].task_bytes,
				 g.fpstate->size, pc[i].vcpu_bytes);
		xs_fpu_free_guest_fpstate(&fpu, &g);
		xs_fpu_destroy(&fpu);
		free(sys);
	}
	/* CET-S can only make fpstates bigger */
	assert_true(pc[0].task_bytes <= pc[2].task_bytes);
	assert_true(pc[1].task_bytes == pc[0].task_bytes);
	assert_true(pc[1].vcpu_bytes == pc[2].vcpu_bytes);
}

static void test_accounting_matches_the_fpstates_of_the_synthetic_models(void **state)
{
	void (*const models[])(xs_cpu *) = { xt_cpu_zen4_cet, xt_cpu_spr, xt_cpu_skx, xt_cpu_zen3,
					     xt_cpu_avx2_client };
	struct xs_policy_cost pc[3];
	xs_cpu cpu;

	(void)state;
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		models[i](&cpu);
		check_cpu(&cpu, "synthetic");
	}
	/* the series' claim on the Zen 4 of the spec: 24 bytes per task */
	xt_cpu_zen4_cet(&cpu);
	assert_int_equal(xs_policy_costs(&cpu, NULL, pc), 0);
	assert_int_equal(pc[2].task_bytes - pc[1].task_bytes, 24);
}

static void test_accounting_matches_the_fpstates_of_every_fixture(void **state)
{
	char dir[1024], rel[512];
	struct dirent **names;
	unsigned checked = 0;
	int n;
	xs_cpu cpu;

	(void)state;
	n = scandir(xt_data_path("cpuid", dir, sizeof(dir)), &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t len = strlen(f);

		if (len > 4 && !strcmp(f + len - 4, ".txt")) {
			snprintf(rel, sizeof(rel), "%s", f);
			xt_load_cpu(&cpu, rel);
			check_cpu(&cpu, f);
			checked++;
		}
		free(names[i]);
	}
	free(names);
	print_message("%u fixtures checked\n", checked);
	assert_true(checked >= 40);	/* the corpus is part of the repository */
}

/* The bytes of `key` ("task.size@all") under its policy; false for other keys. */
static bool cost_of(const struct xs_policy_cost pc[3], const char *key, unsigned *bytes)
{
	const char *at = strchr(key, '@');
	size_t klen = at ? (size_t)(at - key) : strlen(key);
	enum xs_cet_s_policy p = XS_CET_S_GUEST_ONLY;
	bool task = klen == 9 && !strncmp(key, "task.size", 9);

	if (!task && !(klen == 10 && !strncmp(key, "guest.size", 10)))
		return false;
	if (at)
		assert_int_equal(xs_cet_s_policy_parse(at + 1, &p), 0);
	for (int i = 0; i < 3; i++)
		if (pc[i].policy == p)
			*bytes = task ? pc[i].task_bytes : pc[i].vcpu_bytes;
	return true;
}

/*
 * Against the hand-computed numbers: every "task.size" / "guest.size" of
 * tests/data/expect (each with its source in a comment there) is what the
 * accounting charges a task / a vCPU under that policy.
 */
static void test_accounting_matches_the_hand_written_fpstate_sizes(void **state)
{
	char dir[1024], path[2048], fixture[256], key[64];
	struct dirent **names;
	unsigned checked = 0;
	int n;

	(void)state;
	n = scandir(xt_data_path("expect", dir, sizeof(dir)), &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		struct xs_policy_cost pc[3];
		char *text, *save = NULL;
		xs_cpu cpu;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		if (!strstr(path, ".expect") || !(text = xt_read_file(path, NULL)))
			continue;
		for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
			unsigned want, got = 0;

			if (sscanf(ln, "fixture = %255s", fixture) == 1) {
				xt_load_cpu(&cpu, fixture);
				assert_int_equal(xs_policy_costs(&cpu, NULL, pc), 0);
			} else if (sscanf(ln, "%63s = %u", key, &want) == 2 && cost_of(pc, key, &got)) {
				if (got != want)
					fail_msg("%s: %s: the accounting says %u, the hand-written number is %u",
						 path, key, got, want);
				checked++;
			}
		}
		free(text);
	}
	free(names);
	print_message("%u hand-written task/vCPU sizes agree\n", checked);
	assert_true(checked >= 8);
}

static json_int_t policy_bytes(json_t *row, const char *kind, const char *policy)
{
	return json_integer_value(json_object_get(json_object_get(row, kind), policy));
}

/*
 * `xstate bench memory` prints the accounting of the Zen 4 of
 * linux-xstate.md (XCR0 0xe7, CET_U 16 bytes at 2432, CET_S 24 bytes at
 * 2448): a task 2448 bytes under off and guest-only and 2472 under all; a
 * vCPU 2448 under off and 2472 otherwise; 24 bytes saved per task. In a
 * directory a bad dump is reported and skipped (exit 1); a single bad file
 * is bad input (exit 2, no table).
 */
static void test_bench_memory_command_prints_the_hand_computed_zen4_costs(void **state)
{
	char dir[] = "/tmp/xs-memory-XXXXXX", args[1024], bad[512], *out;
	json_t *j, *row;
	FILE *f;
	xs_cpu cpu;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xt_cpu_zen4_cet(&cpu);
	xt_write_dump(&cpu, dir, "zen4.txt");
	snprintf(bad, sizeof(bad), "%s/broken.txt", dir);
	assert_non_null(f = fopen(bad, "w"));
	fputs("0000000d 0 zz\n", f);
	fclose(f);

	snprintf(args, sizeof(args), "bench memory --cpuid %s --format json", dir);
	assert_int_equal(xt_tool(args, &out, false), 1);
	j = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 1);
	row = json_array_get(j, 0);
	assert_non_null(strstr(json_string_value(json_object_get(row, "cpu")), "zen4.txt"));
	assert_int_equal(policy_bytes(row, "task_bytes", "off"), 2448);
	assert_int_equal(policy_bytes(row, "task_bytes", "guest-only"), 2448);
	assert_int_equal(policy_bytes(row, "task_bytes", "all"), 2472);
	assert_int_equal(policy_bytes(row, "vcpu_bytes", "off"), 2448);
	assert_int_equal(policy_bytes(row, "vcpu_bytes", "guest-only"), 2472);
	assert_int_equal(policy_bytes(row, "vcpu_bytes", "all"), 2472);
	assert_int_equal(json_integer_value(json_object_get(row, "saving_per_task")), 24);
	json_decref(j);

	snprintf(args, sizeof(args), "bench memory --cpuid %s", dir);
	assert_int_equal(xt_tool(args, &out, true), 1);
	assert_non_null(strstr(out, "broken.txt:1:"));
	free(out);

	snprintf(args, sizeof(args), "bench memory --cpuid %s --format json", bad);
	assert_int_equal(xt_tool(args, &out, false), 2);
	assert_string_equal(out, "");
	free(out);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	assert_int_equal(system(args), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounting_matches_the_fpstates_of_the_synthetic_models),
		cmocka_unit_test(test_accounting_matches_the_fpstates_of_every_fixture),
		cmocka_unit_test(test_accounting_matches_the_hand_written_fpstate_sizes),
		cmocka_unit_test(test_bench_memory_command_prints_the_hand_computed_zen4_costs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
