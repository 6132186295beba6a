// SPDX-License-Identifier: MIT
/*
 * `xstate decode --kind core` on ELF cores built here byte by byte (with
 * <elf.h>, independently of the library's reader under test): threads in
 * NT_PRSTATUS order with their pids, the NT_X86_XSAVE_LAYOUT note taking
 * precedence over the CPU model, the CPU model used without it, and every
 * malformed core refused with exit 2 and the reason.
 */
#include <elf.h>
#include <stdio.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

#define NT_X86_XSTATE_TYPE 0x202u
#define NT_X86_XSAVE_LAYOUT_TYPE 0x205u

static char dir[] = "/tmp/xs-core-XXXXXX";
static xs_system *zen4;
static char zen4_path[512], spr_path[512];

static int setup(void **state)
{
	xs_cpu cpu;

	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	zen4 = xt_model(xt_cpu_zen4_cet, dir, "zen4.txt", zen4_path, sizeof(zen4_path));
	xt_cpu_spr(&cpu);
	snprintf(spr_path, sizeof(spr_path), "%s", xt_write_dump(&cpu, dir, "spr.txt"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(zen4);
	return xt_remove_dir(dir);
}

/* ---- a core file, byte by byte ------------------------------------------- */

/* Write a core made of these notes into the scratch directory. */
static const char *write_core(const char *name, const struct xt_core_spec *s)
{
	size_t len;
	uint8_t *img = xt_core_image(s, &len);
	const char *path = xt_write_file(dir, name, img, len);

	free(img);
	return path;
}

/* Two threads' ptrace buffers on the Zen 4 model: k2 = 0x2222 and 0x3333. */
static void two_buffers(uint8_t a[2432], uint8_t b[2432])
{
	xs_fpu fpu;
	uint64_t bv = XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_OPMASK, k2 = 0x2222;

	assert_int_equal(xs_fpu_init(&fpu, zen4, NULL), 0);
	assert_int_equal(xs_ptrace_getregset(&fpu, a, 2432, NULL), 0);
	xs_fpu_destroy(&fpu);
	memcpy(a + 512, &bv, 8);
	memcpy(a + 832 + 16, &k2, 8);
	memcpy(b, a, 2432);
	k2 = 0x3333;
	memcpy(b + 832 + 16, &k2, 8);
}

static void expect_in(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("'%s' is not in the output:\n%s", needle, out);
}

static void test_threads_follow_prstatus_and_the_layout_note_wins(void **state)
{
	uint8_t a[2432], b[2432], p1[336], p2[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE_TYPE, a, sizeof(a) },
		{ "CORE", NT_PRSTATUS, p2, sizeof(p2) }, { "LINUX", NT_X86_XSTATE_TYPE, b, sizeof(b) },
		{ "LINUX", NT_X86_XSAVE_LAYOUT_TYPE, xt_zen4_layout, sizeof(xt_zen4_layout) },
	};
	const struct xt_core_spec s = { .notes = notes, .nnotes = 5 };
	char args[1024], *out;

	(void)state;
	two_buffers(a, b);
	xt_prstatus(p1, 4242, false);
	xt_prstatus(p2, 4243, false);
	/* SPR puts the opmask at 1088: the note's 832 must win */
	snprintf(args, sizeof(args), "decode %s --kind core --cpuid %s", write_core("core2", &s), spr_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_in(out, "core file: 2 threads with NT_X86_XSTATE; layout from NT_X86_XSAVE_LAYOUT\n"
		       "NT_X86_XSAVE_LAYOUT: 2:576+256 5:832+64 6:896+512 7:1408+1024\n");
	expect_in(out, "=== thread 1, pid 4242 ===\n");
	expect_in(out, "=== thread 2, pid 4243 ===\n");
	expect_in(out, "component 5 avx512_opmask: offset 832, 64 bytes\n");
	expect_in(out, "  k2           0x0000000000002222\n");
	expect_in(out, "  k2           0x0000000000003333\n");
	expect_in(out, "  xcr0             0xe7\n");
	assert_true(strstr(out, "0x2222") < strstr(out, "pid 4243"));
	free(out);
}

static void test_json_lists_threads_with_pids_and_the_layout(void **state)
{
	uint8_t a[2432], b[2432], p1[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE_TYPE, a, sizeof(a) },
		{ "LINUX", NT_X86_XSAVE_LAYOUT_TYPE, xt_zen4_layout, sizeof(xt_zen4_layout) },
	};
	const struct xt_core_spec s = { .notes = notes, .nnotes = 3 };
	char args[1024], *out;
	json_t *doc, *t, *rec;

	(void)state;
	two_buffers(a, b);
	xt_prstatus(p1, 77, false);
	snprintf(args, sizeof(args), "decode %s --kind core --cpuid %s --format json", write_core("core1", &s), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "core");
	assert_string_equal(json_string_value(json_object_get(doc, "layout_source")), "NT_X86_XSAVE_LAYOUT");
	rec = json_array_get(json_object_get(doc, "xsave_layout"), 1);
	assert_int_equal(json_integer_value(json_object_get(rec, "type")), 5);
	assert_int_equal(json_integer_value(json_object_get(rec, "offset")), 832);
	t = json_array_get(json_object_get(doc, "threads"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "thread")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "pid")), 77);
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "xstate"), "xstate_bv")), "0x23");
	json_decref(doc);
	free(out);
}

static void test_without_the_layout_note_the_cpu_model_lays_it_out(void **state)
{
	uint8_t a[2432], b[2432], p1[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE_TYPE, a, sizeof(a) },
	};
	const struct xt_core_spec s = { .notes = notes, .nnotes = 2 };
	char args[1024], *out;

	(void)state;
	two_buffers(a, b);
	xt_prstatus(p1, 5, false);
	snprintf(args, sizeof(args), "decode %s --kind core --cpuid %s", write_core("core0", &s), zen4_path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_in(out, "layout from CPU model\n\n=== thread 1, pid 5 ===\n");
	expect_in(out, "  k2           0x0000000000002222\n");
	free(out);
}

static void expect_core_error(const char *name, const struct xt_core_spec *s, const char *needle)
{
	char args[1024], *out;
	int st;

	snprintf(args, sizeof(args), "decode %s --kind core --cpuid %s", write_core(name, s), zen4_path);
	st = xt_tool(args, &out, true);
	if (st != 2 || strncmp(out, "xstate: ", 8) || !strstr(out, needle))
		fail_msg("%s: status %d, output '%s' (wanted 2 and '%s')", name, st, out, needle);
	free(out);
}

static void test_malformed_cores_are_refused_with_the_reason(void **state)
{
	uint8_t a[2432], b[2432], p1[336];
	uint32_t short_layout[3][4], far_layout[4][4];
	struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE_TYPE, a, sizeof(a) },
		{ "LINUX", NT_X86_XSAVE_LAYOUT_TYPE, short_layout, sizeof(short_layout) },
	};
	struct xt_core_spec s = { .e_type = ET_EXEC, .notes = notes, .nnotes = 2 };
	uint64_t bv = 0xe7;

	(void)state;
	two_buffers(a, b);
	xt_prstatus(p1, 9, false);
	expect_core_error("exec", &s, "an ELF file, but not a core dump (e_type 2)");
	s.e_type = ET_CORE;
	s.e_machine = EM_AARCH64;
	expect_core_error("arm", &s, "a core dump for machine 183, not x86");
	s.e_machine = EM_X86_64;
	s.nnotes = 1;
	expect_core_error("noxstate", &s, "no NT_X86_XSTATE (0x202) note");
	s.nnotes = 2;
	s.extra_filesz = 4096;
	expect_core_error("cut", &s, "goes beyond the end of the file");
	s.extra_filesz = 0;
	/* the layout must describe every component the header marks present */
	memcpy(a + 512, &bv, 8);
	memcpy(short_layout, xt_zen4_layout, sizeof(short_layout));
	s.nnotes = 3;
	expect_core_error("nolayout", &s, "thread 1: XSTATE_BV bit 7 has no record in NT_X86_XSAVE_LAYOUT");
	memcpy(far_layout, xt_zen4_layout, sizeof(far_layout));
	far_layout[3][1] = 4096;
	notes[2].desc = far_layout;
	notes[2].size = sizeof(far_layout);
	expect_core_error("far", &s, "component 7 (offset 1408, 4096 bytes) lies beyond the 2432-byte NT_X86_XSTATE note");
	notes[2].size = 20;
	expect_core_error("odd", &s, "the NT_X86_XSAVE_LAYOUT note has 20 bytes, not a multiple of 16");
	notes[1].size = 100;
	s.nnotes = 2;
	expect_core_error("tiny", &s, "thread 1: the NT_X86_XSTATE note has 100 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_follow_prstatus_and_the_layout_note_wins),
		cmocka_unit_test(test_json_lists_threads_with_pids_and_the_layout),
		cmocka_unit_test(test_without_the_layout_note_the_cpu_model_lays_it_out),
		cmocka_unit_test(test_malformed_cores_are_refused_with_the_reason),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
