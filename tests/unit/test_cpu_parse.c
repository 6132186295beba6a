// SPDX-License-Identifier: MIT
/*
 * CPUID dump parsing: the three formats, CPU selection, the dump writer, and
 * one test per parser error (each message names FILE:LINE and what was
 * expected; the model is unchanged after an error).
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

static const char plain_dump[] =
	"# a comment line\n"
	"00000000 0 0000000d 68747541 444d4163 69746e65\n"
	"1 0 00b00f21 0 fed83203 178bfbff   # trailing comment\n"
	"0x7 0x0 00000001 f1bb03a9 18005f42 00000110\n"
	"\n"
	"d 0 000000e7 00000980 00000980 00000000\n"
	"d 1 00000007 00000980 00000000 00000000\n"
	"d 2 00000100 00000240 00000000 00000000\n";

static const char cpuid_r_dump[] =
	"CPU 0:\n"
	"   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
	"   0x00000001 0x00: eax=0x00b00f21 ebx=0x00000800 ecx=0xfed83203 edx=0x178bfbff\n"
	"   0x0000000d 0x00: eax=0x000000e7 ebx=0x00000980 ecx=0x00000980 edx=0x00000000\n"
	"CPU 1:\n"
	"   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
	"   0x00000001 0x00: eax=0x00b00f21 ebx=0x01000800 ecx=0xfed83203 edx=0x178bfbff\n"
	"   0x0000000d 0x00: eax=0x000000e7 ebx=0x00000980 ecx=0x00000980 edx=0x00000000\n";

static const char instlat_dump[] =
	"AuthenticAMD\tAMD Ryzen 9 7950X\n"
	"InstLatX64 header text that is not CPUID data\n"
	"CPU#000 AffMask: 0x0000000000000001\n"
	"CPUID 00000000: 00000010-68747541-444D4163-69746E65 [AuthenticAMD]\n"
	"CPUID 00000001: 00A60F12-00200800-7EF8320B-178BFBFF\n"
	"CPUID 0000000D: 00000207-00000988-00000988-00000000 [SL 00]\n"
	"CPUID 0000000D: 0000000F-00000348-00001800-00000000 [SL 01]\n"
	"CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]\n"
	"CPU#001 AffMask: 0x0000000000000002\n"
	"CPUID 00000000: 00000010-68747541-444D4163-69746E65 [AuthenticAMD]\n"
	"CPUID 00000001: 00A60F12-01200800-7EF8320B-178BFBFF\n"
	"CPUID 0000000D: 00000207-00000988-00000988-00000000 [SL 00]\n";

/* The header of AIDA64-made InstLatx64 dumps (e.g. amd-zen3.instlat.txt). */
static const char aida_dump[] =
	"------[ Versions ]------\n"
	"\n"
	"Program Version : AIDA64 Engineer v6.32.5600\n"
	"------[ CPU Info ]------\n"
	"CPUID Manufacturer: AuthenticAMD\n"
	"CPUID CPU Name    : AMD Ryzen 9 5900X 12-Core Processor\n"
	"CPUID Revision    : 00A20F10h\n"
	"------[ CPUID Registers / Logical CPU #0 ]------\n"
	"CPUID 00000000: 00000010-68747541-444D4163-69746E65 [AuthenticAMD]\n"
	"CPUID 00000001: 00A20F10-00180800-7ED8320B-178BFBFF\n"
	"CPUID 0000000D: 00000207-00000340-00000988-00000000 [SL 00] [x87]\n"
	"------[ CPUID Registers / Logical CPU #1 ]------\n"
	"CPUID 00000000: 00000010-68747541-444D4163-69746E65 [AuthenticAMD]\n"
	"CPUID 00000001: 00A20F10-01180800-7ED8320B-178BFBFF\n"
	"CPUID 0000000D: 00000207-00000340-00000988-00000000 [SL 00] [x87]\n";

static int parse(xs_cpu *cpu, const char *text, unsigned idx, struct xs_diag *d)
{
	return xs_cpu_parse(cpu, text, strlen(text), idx, "dump.txt", d);
}

static void expect_error_fwd(const char *text, const char *where, const char *what);

static void test_plain_format_reads_leaves_and_ignores_comments(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	uint32_t r[4];

	(void)state;
	assert_int_equal(parse(&cpu, plain_dump, 0, &d), 0);
	assert_int_equal(cpu.source, XS_CPU_SRC_PLAIN);
	assert_string_equal(cpu.vendor, "AuthenticAMD");
	assert_int_equal(cpu.family, 0x1a);
	assert_true(xs_cpuid(&cpu, 0xd, 2, r));
	assert_int_equal(r[0], 0x100);
	assert_int_equal(r[1], 0x240);
	assert_true(xs_cpu_has(&cpu, XS_CPU_AVX512F));
}

static void test_cpuid_r_format_selects_cpu_by_block(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	uint32_t r[4];

	(void)state;
	assert_int_equal(xs_cpu_count(cpuid_r_dump, strlen(cpuid_r_dump), "x", &d), 2);
	assert_int_equal(parse(&cpu, cpuid_r_dump, 1, &d), 0);
	assert_int_equal(cpu.source, XS_CPU_SRC_CPUID_R);
	xs_cpuid(&cpu, 1, 0, r);
	assert_int_equal(r[1], 0x01000800);	/* CPU 1's APIC id */
	assert_int_equal(parse(&cpu, cpuid_r_dump, 0, &d), 0);
	xs_cpuid(&cpu, 1, 0, r);
	assert_int_equal(r[1], 0x00000800);
}

static void test_instlat_format_takes_subleaf_from_sl_bracket(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	uint32_t r[4];

	(void)state;
	assert_int_equal(parse(&cpu, instlat_dump, 0, &d), 0);
	assert_int_equal(cpu.source, XS_CPU_SRC_INSTLAT);
	assert_true(xs_cpuid(&cpu, 0xd, 1, r));
	assert_int_equal(r[2], 0x1800);
	assert_true(xs_cpuid(&cpu, 0xd, 2, r));
	assert_int_equal(r[1], 0x240);
	/* a line without [SL nn] (and a bracketed remark) is sub-leaf 0 */
	assert_true(xs_cpuid(&cpu, 0, 0, r));
	assert_int_equal(r[0], 0x10);
	assert_int_equal(xs_cpu_count(instlat_dump, strlen(instlat_dump), "x", &d), 2);
}

static void test_aida64_headers_are_text_and_logical_cpu_headers_split_cpus(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	uint32_t r[4];

	(void)state;
	assert_int_equal(xs_cpu_count(aida_dump, strlen(aida_dump), "x", &d), 2);
	assert_int_equal(parse(&cpu, aida_dump, 1, &d), 0);
	xs_cpuid(&cpu, 1, 0, r);
	assert_int_equal(r[1], 0x01180800);
	assert_true(xs_cpuid(&cpu, 0xd, 0, r));
	assert_int_equal(r[0], 0x207);
	/* a broken leaf line still is one */
	expect_error_fwd("CPUID 0000000D 00000207-00000340-00000988-00000000\n", "dump.txt:1: ", "expected ':'");
}

static void test_cpuid_ignores_subleaf_for_leaves_without_subleaves(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	uint32_t r[4];

	(void)state;
	assert_int_equal(parse(&cpu, plain_dump, 0, &d), 0);
	assert_true(xs_cpuid(&cpu, 1, 7, r));
	assert_int_equal(r[0], 0x00b00f21);
	/* leaf 0xd has sub-leaves: a missing one reads as zeros */
	assert_false(xs_cpuid(&cpu, 0xd, 9, r));
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
}

static void roundtrip(enum xs_dump_format fmt)
{
	xs_cpu a, b;
	struct xs_diag d;
	char buf[8192];

	assert_int_equal(parse(&a, instlat_dump, 0, &d), 0);
	assert_true(xs_cpu_dump(&a, fmt, buf, sizeof(buf)) < sizeof(buf));
	assert_int_equal(parse(&b, buf, 0, &d), 0);
	assert_int_equal(a.nleaves, b.nleaves);
	assert_memory_equal(a.leaves, b.leaves, a.nleaves * sizeof(a.leaves[0]));
}

static void test_dump_writer_round_trips_every_format(void **state)
{
	(void)state;
	roundtrip(XS_DUMP_PLAIN);
	roundtrip(XS_DUMP_CPUID_R);
	roundtrip(XS_DUMP_INSTLAT);
}

/* Every error: status, FILE:LINE prefix, the expectation, model unchanged. */
static void expect_error(const char *text, unsigned idx, int err, const char *where, const char *what)
{
	xs_cpu cpu, before;
	struct xs_diag d = { 0 };

	xs_cpu_init(&cpu);
	xs_cpu_set_leaf(&cpu, 0x42, 0, 1, 2, 3, 4);
	before = cpu;
	assert_int_equal(parse(&cpu, text, idx, &d), err);
	if (!strstr(d.msg, where) || !strstr(d.msg, what))
		fail_msg("message '%s' lacks '%s' or '%s'", d.msg, where, what);
	assert_memory_equal(&cpu, &before, sizeof(cpu));
}

static void expect_error_fwd(const char *text, const char *where, const char *what)
{
	expect_error(text, 0, -EINVAL, where, what);
}

static void test_cpuid_r_error_register_value_cut_off_at_the_end_of_the_line(void **state)
{
	(void)state;
	expect_error("CPU 0:\n   0x00000000 0x00: eax=\n", 0, -EINVAL, "dump.txt:2: ",
		     "expected a hexadecimal eax value, found the end of the line");
}

/* XS_CPU_MAX_LEAVES distinct leaves fit; one more is refused at its line. */
static void test_error_too_many_leaves_for_one_cpu(void **state)
{
	size_t size = (XS_CPU_MAX_LEAVES + 2) * 64, n = 0;
	char *text = malloc(size), where[32];

	(void)state;
	assert_non_null(text);
	n += (size_t)snprintf(text + n, size - n, "0 0 1 68747541 444d4163 69746e65\n");
	for (unsigned i = 1; i <= XS_CPU_MAX_LEAVES; i++)
		n += (size_t)snprintf(text + n, size - n, "40000000 %x 0 0 0 0\n", i);
	snprintf(where, sizeof(where), "dump.txt:%u: ", XS_CPU_MAX_LEAVES + 1);
	expect_error(text, 0, -EINVAL, where, "too many CPUID leaves for one CPU (at most 640)");
	free(text);
}

/* No CPU has a component near 1 MiB; such sizes would overflow the sums. */
static void test_error_component_size_or_offset_beyond_the_limit(void **state)
{
	(void)state;
	expect_error("0 0 d 68747541 444d4163 69746e65\n1 0 0 0 4000000 0\nd 9 fffffffc 8 0 0\n", 0,
		     -EINVAL, "dump.txt:3: ",
		     "sub-leaf 9: expected a component size (EAX) and offset (EBX) of at most 0x100000 bytes, got 0xfffffffc and 0x8");
	expect_error("0 0 d 68747541 444d4163 69746e65\nd 12 8 100001 0 0\n", 0, -EINVAL, "dump.txt:2: ",
		     "got 0x8 and 0x100001");
}

/*
 * CPUID 0xD sub-leaves no real CPU gives, refused for the whole dump (the
 * kernel would trust them to place components): a supervisor flag that
 * contradicts sub-leaf 0/1, a user component inside the legacy area and
 * header, two user components that overlap. A hypervisor's all-zero
 * sub-leaf (size 0) stays allowed: real VMs do that (amd-jaguar-kabini-hyperv).
 */
static void test_error_xsave_leaves_no_cpu_gives(void **state)
{
	static const char head[] = "0 0 d 68747541 444d4163 69746e65\n1 0 0 0 4000000 0\nd 0 e7 0 0 0\n"
				   "d 1 f 0 1800 0\nd 2 100 240 0 0\n";
	char text[1024];
	xs_cpu cpu;
	struct xs_diag d = { 0 };

	(void)state;
	snprintf(text, sizeof(text), "%sd 5 40 340 1 0\n", head);
	expect_error(text, 0, -EINVAL, "dump.txt: ",
		     "sub-leaf 5: ECX bit 0 says supervisor state, but sub-leaf 0 lists component 5 as user (XCR0) state");
	snprintf(text, sizeof(text), "%sd b 10 0 0 0\n", head);
	expect_error(text, 0, -EINVAL, "dump.txt: ",
		     "sub-leaf 11: ECX bit 0 says user state, but sub-leaf 1 lists component 11 as supervisor (IA32_XSS) state");
	snprintf(text, sizeof(text), "%sd 5 40 200 0 0\n", head);
	expect_error(text, 0, -EINVAL, "dump.txt: ", "user component 5 of 64 bytes at offset 512 would overlap the legacy area and header");
	snprintf(text, sizeof(text), "%sd 5 40 300 0 0\n", head);
	expect_error(text, 0, -EINVAL, "dump.txt: ",
		     "sub-leaf 5: user component 5 (bytes 768..831) overlaps component 2 (bytes 576..831)");
	/* MPX BNDCSR (4) is user state whatever the dump says (SDM1 §13.1) */
	expect_error("0 0 d 68747541 444d4163 69746e65\n1 0 0 0 4000000 0\nd 0 f 0 0 0\nd 1 f 0 10 0\n"
		     "d 4 40 0 1 0\n", 0, -EINVAL, "dump.txt: ",
		     "sub-leaf 1: the architecture defines component 4 (mpx_bndcsr) as user state, but sub-leaf 1 lists it as supervisor (IA32_XSS) state");
	snprintf(text, sizeof(text), "%sd 5 0 0 0 0\n", head);
	assert_int_equal(parse(&cpu, text, 0, &d), 0);
}

static void test_plain_error_too_few_fields(void **state)
{
	(void)state;
	expect_error("0 0 d 68747541 444d4163\n", 0, -EINVAL, "dump.txt:1: ", "found 5 fields");
}

static void test_plain_error_non_hex_field(void **state)
{
	(void)state;
	expect_error("0 0 0000000d 6874zz41 444d4163 69746e65\n", 0, -EINVAL, "dump.txt:1: ",
		     "ebx is not hexadecimal");
}

static void test_plain_error_field_wider_than_32_bits(void **state)
{
	(void)state;
	expect_error("0 0 0000000d 168747541 444d4163 69746e65\n", 0, -EINVAL, "dump.txt:1: ",
		     "more than 8 hexadecimal digits");
}

static void test_plain_error_trailing_text(void **state)
{
	(void)state;
	expect_error("# c\n0 0 d 68747541 444d4163 69746e65 77\n", 0, -EINVAL, "dump.txt:2: ",
		     "unexpected text after");
}

static void test_cpuid_r_error_missing_register(void **state)
{
	(void)state;
	expect_error("CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 edx=0x1\n", 0, -EINVAL,
		     "dump.txt:2: ", "expected 'ecx='");
}

static void test_cpuid_r_error_missing_colon(void **state)
{
	(void)state;
	expect_error("CPU 0:\n   0x00000000 0x00 eax=0x0000000d ebx=0x0 ecx=0x0 edx=0x0\n", 0,
		     -EINVAL, "dump.txt:2: ", "expected ':'");
}

static void test_cpuid_r_error_bad_register_value(void **state)
{
	(void)state;
	expect_error("CPU 0:\n   0x00000000 0x00: eax=0xq ebx=0x0 ecx=0x0 edx=0x0\n", 0, -EINVAL,
		     "dump.txt:2: ", "expected a hexadecimal eax value, found '0xq'");
}

/* An old dump listing leaf 0xD's sub-leaves without [SL nn]: refused, not collapsed. */
static void test_instlat_error_subleaves_without_sl_marks(void **state)
{
	(void)state;
	expect_error("CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\n"
		     "CPUID 0000000D: 00000007-00000340-00000340-00000000\n"
		     "CPUID 0000000D: 00000001-00000000-00000000-00000000\n",
		     0, -EINVAL, "dump.txt:3: ", "leaf 0000000D repeated without a sub-leaf");
}

/* Leaf 2 (and other leaves without sub-leaves) may repeat: the first wins. */
static void test_instlat_repeated_leaf_2_keeps_the_first(void **state)
{
	xs_cpu cpu;
	struct xs_diag d = { 0 };
	uint32_t r[4];

	(void)state;
	assert_int_equal(parse(&cpu, "CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\n"
				     "CPUID 00000001: 00000F41-00000800-00000000-078BFBFF\n"
				     "CPUID 00000002: 00000001-00000002-00000003-00000004\n"
				     "CPUID 00000002: 00000009-00000009-00000009-00000009\n", 0, &d), 0);
	assert_true(xs_cpuid(&cpu, 2, 0, r));
	assert_int_equal(r[0], 1);
}

static void test_instlat_error_missing_dash(void **state)
{
	(void)state;
	expect_error("CPUID 00000000: 0000000D 756E6547-6C65746E-49656E69\n", 0, -EINVAL,
		     "dump.txt:1: ", "expected '-'");
}

static void test_instlat_error_bad_subleaf(void **state)
{
	(void)state;
	expect_error("header\nCPUID 0000000D: 00000207-00000988-00000988-00000000 [SL zz]\n", 0,
		     -EINVAL, "dump.txt:2: ", "sub-leaf in [SL nn]");
}

static void test_instlat_error_trailing_garbage(void **state)
{
	(void)state;
	expect_error("CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69 junk\n", 0, -EINVAL,
		     "dump.txt:1: ", "expected '[SL nn]' or end of line");
}

static void test_error_empty_dump(void **state)
{
	(void)state;
	expect_error("# nothing here\n\n", 0, -EINVAL, "dump.txt: ", "found none");
}

static void test_error_binary_data(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;
	static const char bin[] = "0 0 1 2 3 4\n\0\1\2";

	(void)state;
	assert_int_equal(xs_cpu_parse(&cpu, bin, sizeof(bin), 0, "b.bin", &d), -EINVAL);
	assert_non_null(strstr(d.msg, "b.bin: expected a text CPUID dump"));
}

static void test_error_missing_leaf_0(void **state)
{
	(void)state;
	expect_error("1 0 00b00f21 0 fed83203 178bfbff\n", 0, -EINVAL, "dump.txt: ",
		     "expected CPUID leaf 0");
}

static void test_error_missing_leaf_1(void **state)
{
	(void)state;
	expect_error("0 0 0000000d 68747541 444d4163 69746e65\n", 0, -EINVAL, "dump.txt: ",
		     "expected CPUID leaf 1");
}

static void test_error_xsave_without_leaf_d(void **state)
{
	(void)state;
	expect_error("0 0 0000000d 68747541 444d4163 69746e65\n1 0 00b00f21 0 04000000 178bfbff\n", 0,
		     -EINVAL, "dump.txt: ", "expected CPUID leaf 0xd sub-leaf 0");
}

static void test_error_cpu_index_out_of_range(void **state)
{
	(void)state;
	expect_error(cpuid_r_dump, 2, -ENOENT, "dump.txt: ", "CPU 2 requested, but the dump describes 2 CPUs");
}

static void test_error_on_later_cpu_line_fails_whole_dump(void **state)
{
	char text[2048];

	(void)state;
	/* a malformed line in CPU 1 fails the dump even when CPU 0 is asked for */
	snprintf(text, sizeof(text), "%s   0x00000007 0x00: eax=oops\n", cpuid_r_dump);
	expect_error(text, 0, -EINVAL, "dump.txt:9: ", "expected a hexadecimal eax value, found 'oops'");
}

static void test_file_error_names_the_path(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;

	(void)state;
	assert_int_equal(xs_cpu_from_file(&cpu, "/nonexistent/dump.txt", 0, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "/nonexistent/dump.txt"));
}

static void test_crlf_line_endings_are_accepted(void **state)
{
	xs_cpu cpu;
	struct xs_diag d;

	(void)state;
	assert_int_equal(parse(&cpu, "0 0 d 68747541 444d4163 69746e65\r\n1 0 6f2 0 0 178bfbff\r\n", 0, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_format_reads_leaves_and_ignores_comments),
		cmocka_unit_test(test_cpuid_r_format_selects_cpu_by_block),
		cmocka_unit_test(test_instlat_format_takes_subleaf_from_sl_bracket),
		cmocka_unit_test(test_aida64_headers_are_text_and_logical_cpu_headers_split_cpus),
		cmocka_unit_test(test_cpuid_ignores_subleaf_for_leaves_without_subleaves),
		cmocka_unit_test(test_dump_writer_round_trips_every_format),
		cmocka_unit_test(test_cpuid_r_error_register_value_cut_off_at_the_end_of_the_line),
		cmocka_unit_test(test_error_too_many_leaves_for_one_cpu),
		cmocka_unit_test(test_error_component_size_or_offset_beyond_the_limit),
		cmocka_unit_test(test_error_xsave_leaves_no_cpu_gives),
		cmocka_unit_test(test_plain_error_too_few_fields),
		cmocka_unit_test(test_plain_error_non_hex_field),
		cmocka_unit_test(test_plain_error_field_wider_than_32_bits),
		cmocka_unit_test(test_plain_error_trailing_text),
		cmocka_unit_test(test_cpuid_r_error_missing_register),
		cmocka_unit_test(test_cpuid_r_error_missing_colon),
		cmocka_unit_test(test_cpuid_r_error_bad_register_value),
		cmocka_unit_test(test_instlat_error_subleaves_without_sl_marks),
		cmocka_unit_test(test_instlat_repeated_leaf_2_keeps_the_first),
		cmocka_unit_test(test_instlat_error_missing_dash),
		cmocka_unit_test(test_instlat_error_bad_subleaf),
		cmocka_unit_test(test_instlat_error_trailing_garbage),
		cmocka_unit_test(test_error_empty_dump),
		cmocka_unit_test(test_error_binary_data),
		cmocka_unit_test(test_error_missing_leaf_0),
		cmocka_unit_test(test_error_missing_leaf_1),
		cmocka_unit_test(test_error_xsave_without_leaf_d),
		cmocka_unit_test(test_error_cpu_index_out_of_range),
		cmocka_unit_test(test_error_on_later_cpu_line_fails_whole_dump),
		cmocka_unit_test(test_file_error_names_the_path),
		cmocka_unit_test(test_crlf_line_endings_are_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
