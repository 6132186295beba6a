// SPDX-License-Identifier: MIT
/*
 * The library's ELF core reader (xs_core_*) and register decoder
 * (xs_decode_*) on cores built here byte by byte from the gABI and the
 * Linux note formats (<elf.h>, independently of the reader): threads in
 * NT_PRSTATUS order with their pids in both ELF classes, notes of other
 * owners and types skipped, more than 65534 segments (PN_XNUM), the
 * layout note against the CPU model, malformed cores refused with the
 * reason, and a sparse core larger than 4 GiB read with bounded memory —
 * in the library and through `xstate decode`.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "common/le.h"

static char dir[] = "/tmp/xs-coredump-XXXXXX";
static xs_system *zen4, *zen3;

static int setup(void **state)
{
	xs_cpu cpu;

	(void)state;
	if (xt_scratch_dir(dir))
		return -1;
	xt_cpu_zen4_cet(&cpu);
	zen4 = xt_system_of(&cpu, NULL);
	xt_cpu_zen3(&cpu);
	zen3 = xt_system_of(&cpu, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(zen4);
	free(zen3);
	return xt_remove_dir(dir);
}

/* ---- cores, byte by byte ------------------------------------------------------ */

/* A Zen 4 ptrace buffer: XSTATE_BV x87|SSE|opmask, XCR0 word 0xe7, k2 = k2v, XMM5 = bytes 0x50.. */
static void buffer(uint8_t b[2432], uint64_t k2v)
{
	memset(b, 0, 2432);
	xs_st16(b, 0x37f);
	xs_st32(b + 24, 0x1f80);
	for (unsigned i = 0; i < 16; i++)
		b[160 + 5 * 16 + i] = (uint8_t)(0x50 + i);
	xs_st64(b + 464, 0xe7);
	xs_st64(b + 512, XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_OPMASK);
	xs_st64(b + 832 + 16, k2v);
}

static xs_core *open_image(const uint8_t *img, size_t len, struct xs_diag *d)
{
	xs_core *core = NULL;

	if (xs_core_open_memory(&core, img, len, d))
		fail_msg("xs_core_open_memory: %s", d->msg);
	return core;
}

static uint64_t reg_hex(const uint8_t *buf, size_t len, const struct xs_buffer_view *v, const char *name)
{
	struct xs_reg r;

	if (xs_decode_register(buf, len, v, name, &r))
		fail_msg("no register %s", name);
	assert_int_equal(r.value.type, XS_VAL_HEX);
	return r.value.u;
}

/* ---- threads, notes, layouts ---------------------------------------------------- */

static void test_threads_follow_prstatus_with_their_pids(void **state)
{
	uint8_t a[2432], b[2432], p1[336], p2[336], other[37] = { 0 };
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "CORE", NT_PRPSINFO, other, sizeof(other) },
		{ "LINUX", NT_X86_XSTATE, a, sizeof(a) }, { "GNU", NT_X86_XSTATE, other, sizeof(other) },
		{ "CORE", NT_PRSTATUS, p2, sizeof(p2) }, { "LINUX", 0x204, other, 8 },
		{ "LINUX", NT_X86_XSTATE, b, sizeof(b) },
		{ "LINUX", XS_NT_X86_XSAVE_LAYOUT, xt_zen4_layout, sizeof(xt_zen4_layout) },
	};
	const struct xt_core_spec s = { .notes = notes, .nnotes = 8 };
	const struct xs_xfeat_component *recs;
	struct xs_diag d = { 0 };
	struct xs_buffer_view v;
	uint8_t got[2432];
	size_t len;
	uint8_t *img;
	xs_core *core;

	(void)state;
	buffer(a, 0x2222);
	buffer(b, 0x3333);
	xt_prstatus(p1, 4242, false);
	xt_prstatus(p2, 4243, false);
	img = xt_core_image(&s, &len);
	core = open_image(img, len, &d);
	assert_int_equal(xs_core_nthreads(core), 2);
	assert_int_equal(xs_core_thread(core, 0)->index, 1);
	assert_true(xs_core_thread(core, 0)->has_pid);
	assert_int_equal(xs_core_thread(core, 0)->pid, 4242);
	assert_int_equal(xs_core_thread(core, 1)->pid, 4243);
	assert_int_equal(xs_core_thread(core, 1)->xstate_size, 2432);
	assert_null(xs_core_thread(core, 2));
	assert_int_equal(xs_core_layout(core, &recs), 4);
	assert_int_equal(recs[3].type, 7);
	assert_int_equal(recs[3].offset, 1408);
	assert_int_equal(xs_core_read_xstate(core, 1, got, sizeof(got), &d), 0);
	assert_memory_equal(got, b, sizeof(b));
	/* the note lays it out: no CPU model needed */
	assert_int_equal(xs_core_view(core, NULL, got, sizeof(got), &v, &d), 0);
	assert_int_equal(v.offset[XS_XFEATURE_OPMASK], 832);
	assert_int_equal(reg_hex(got, sizeof(got), &v, "k2"), 0x3333);
	assert_int_equal(xs_core_read_xstate(core, 0, got, 100, &d), -ENOSPC);
	assert_int_equal(xs_core_read_xstate(core, 5, got, sizeof(got), &d), -ENOENT);
	xs_core_close(core);
	free(img);
}

/* i386 cores: 32-bit headers, pr_pid at 24; and PN_XNUM in both classes. */
static void test_32_bit_cores_and_extended_segment_counts(void **state)
{
	uint8_t a[2432], p1[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, 144 }, { "LINUX", NT_X86_XSTATE, a, sizeof(a) },
	};
	struct xt_core_spec s = { .elf32 = true, .notes = notes, .nnotes = 2 };
	struct xs_diag d = { 0 };
	size_t len;
	uint8_t *img;
	xs_core *core;

	(void)state;
	buffer(a, 1);
	xt_prstatus(p1, 777, true);
	for (int xnum = 0; xnum < 2; xnum++) {
		for (int elf32 = 0; elf32 < 2; elf32++) {
			s.elf32 = elf32;
			s.xnum = xnum;
			xt_prstatus(p1, 777, elf32);
			img = xt_core_image(&s, &len);
			assert_true(xs_core_is_core(img, len));
			core = open_image(img, len, &d);
			assert_int_equal(xs_core_nthreads(core), 1);
			assert_int_equal(xs_core_thread(core, 0)->pid, 777);
			xs_core_close(core);
			free(img);
		}
	}
}

/* Without the layout note the CPU model lays the buffer out, if it can have written it. */
static void test_the_cpu_model_must_enable_the_cores_xcr0(void **state)
{
	uint8_t a[2432], p1[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE, a, sizeof(a) },
	};
	const struct xt_core_spec s = { .notes = notes, .nnotes = 2 };
	struct xs_diag d = { 0 };
	struct xs_buffer_view v;
	size_t len;
	uint8_t *img;
	xs_core *core;

	(void)state;
	buffer(a, 0x77);
	xt_prstatus(p1, 1, false);
	img = xt_core_image(&s, &len);
	core = open_image(img, len, &d);
	assert_int_equal(xs_core_layout(core, &(const struct xs_xfeat_component *){ NULL }), 0);
	assert_int_equal(xs_core_view(core, NULL, a, sizeof(a), &v, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "no NT_X86_XSAVE_LAYOUT note and no CPU model"));
	assert_int_equal(xs_core_view(core, zen4, a, sizeof(a), &v, &d), 0);
	assert_int_equal(reg_hex(a, sizeof(a), &v, "k2"), 0x77);
	/* Zen 3 has no AVX-512: it did not write XCR0 0xe7, and nothing is guessed */
	assert_int_equal(xs_core_view(core, zen3, a, sizeof(a), &v, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "XCR0 is 0xe7: the CPU model does not enable avx512_opmask,avx512_zmm_hi256,avx512_hi16_zmm"));
	xs_core_close(core);
	free(img);
}

static void expect_refused(const struct xt_core_spec *s, size_t cut, const char *needle)
{
	struct xs_diag d = { 0 };
	xs_core *core = NULL;
	size_t len;
	uint8_t *img = xt_core_image(s, &len);

	assert_int_equal(xs_core_open_memory(&core, img, len - cut, &d), -EINVAL);
	assert_null(core);
	if (!strstr(d.msg, needle))
		fail_msg("wanted '%s', got '%s'", needle, d.msg);
	free(img);
}

static void test_malformed_cores_are_refused_with_the_reason(void **state)
{
	static uint8_t big[XS_CORE_XSTATE_MAX + 4];
	uint8_t a[2432], p1[336], layout[16 * 65] = { 0 };
	struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE, a, sizeof(a) },
		{ "LINUX", XS_NT_X86_XSAVE_LAYOUT, layout, sizeof(layout) },
	};
	struct xt_core_spec s = { .notes = notes, .nnotes = 2 };
	struct xs_diag d = { 0 };
	xs_core *core = NULL;

	(void)state;
	buffer(a, 1);
	xt_prstatus(p1, 1, false);
	expect_refused(&s, 100, "PT_NOTE segment 0 (offset 120, 2808 bytes) goes beyond the end of the file");
	s.nnotes = 1;
	expect_refused(&s, 0, "no NT_X86_XSTATE (0x202) note");
	s.nnotes = 3;
	expect_refused(&s, 0, "the NT_X86_XSAVE_LAYOUT note has 65 records");
	notes[2].size = 20;
	expect_refused(&s, 0, "the NT_X86_XSAVE_LAYOUT note has 20 bytes, not a multiple of 16");
	{
		/* one NT_X86_XSTATE note (at 120) larger than any XSAVE buffer, then its headers broken */
		const struct xt_note huge = { "LINUX", NT_X86_XSTATE, big, sizeof(big) };
		const struct xt_core_spec one = { .notes = &huge, .nnotes = 1 };
		size_t len;
		uint8_t *img = xt_core_image(&one, &len);
		Elf64_Ehdr e;
		uint32_t h[3];

		memcpy(&e, img, sizeof(e));
		memcpy(h, img + 120, sizeof(h));
		assert_int_equal(xs_core_open_memory(&core, img, len, &d), -EINVAL);
		assert_non_null(strstr(d.msg, "thread 0: the NT_X86_XSTATE note has 1048580 bytes, more than any XSAVE buffer"));
		/* a descriptor claiming more than its segment holds */
		h[1] = 0x7fffffff;
		memcpy(img + 120, h, sizeof(h));
		assert_int_equal(xs_core_open_memory(&core, img, len, &d), -EINVAL);
		assert_non_null(strstr(d.msg, "runs past PT_NOTE segment 0"));
		/* the program headers beyond the end */
		e.e_phoff = len;
		memcpy(img, &e, sizeof(e));
		assert_int_equal(xs_core_open_memory(&core, img, len, &d), -EINVAL);
		assert_non_null(strstr(d.msg, "program headers at offset"));
		/* an executable */
		e.e_type = ET_EXEC;
		memcpy(img, &e, sizeof(e));
		assert_false(xs_core_is_core(img, len));
		assert_int_equal(xs_core_open_memory(&core, img, len, &d), -EINVAL);
		assert_string_equal(d.msg, "an ELF file, but not a core dump (e_type 2)");
		assert_int_equal(xs_core_open_memory(&core, img, 20, &d), -EINVAL);
		assert_string_equal(d.msg, "not an ELF file (20 bytes)");
		free(img);
	}
}

/* ---- registers ------------------------------------------------------------------ */

static int count_reg(void *ctx, const struct xs_reg *r)
{
	(void)r;
	++*(unsigned *)ctx;
	return 0;
}

/*
 * xs_decode_register copies: a YMM register assembled in the decoder's
 * storage points into the copy's storage. A component outside the buffer
 * is -ERANGE and does not hide the others.
 */
static void test_register_lookup_and_bounds(void **state)
{
	uint8_t a[2432];
	struct xs_buffer_view v;
	struct xs_diag d = { 0 };
	struct xs_reg r;
	unsigned n = 0;

	(void)state;
	buffer(a, 5);
	xs_st64(a + 512, XS_XFEATURE_MASK_FPSSE | XS_XFEATURE_MASK_YMM | XS_XFEATURE_MASK_OPMASK);
	for (unsigned i = 0; i < 16; i++)
		a[576 + 5 * 16 + i] = (uint8_t)(0xa0 + i);	/* YMM5 high half */
	assert_int_equal(xs_buffer_view(zen4, a, sizeof(a), true, XS_BUF_STANDARD, &v, &d), 0);
	assert_int_equal(xs_decode_register(a, sizeof(a), &v, "ymm5", &r), 0);
	assert_int_equal(r.value.type, XS_VAL_VECTOR);
	assert_int_equal(r.value.width, 32);
	assert_ptr_equal(r.value.bytes, r.storage);
	assert_int_equal(r.storage[0], 0x50);
	assert_int_equal(r.storage[31], 0xaf);
	assert_int_equal(xs_decode_register(a, sizeof(a), &v, "mxcsr", &r), 0);
	assert_int_equal(r.value.u, 0x1f80);
	assert_string_equal(r.attrs[2].key, "rc");
	assert_string_equal(r.attrs[2].val.text, "nearest");
	assert_int_equal(xs_decode_register(a, sizeof(a), &v, "zmm5", &r), -ENOENT);
	/* 16 XMM + MXCSR and its mask, 14 x87, 16 YMM, 8 opmasks */
	assert_int_equal(xs_decode_registers(a, sizeof(a), &v, count_reg, &n), 0);
	assert_int_equal(n, 18 + 14 + 16 + 8);
	assert_int_equal(xs_decode_component(a, sizeof(a), &v, XS_XFEATURE_PKRU, count_reg, &n), -ENOENT);
	v.offset[XS_XFEATURE_OPMASK] = 2400;
	n = 0;
	assert_int_equal(xs_decode_registers(a, sizeof(a), &v, count_reg, &n), -ERANGE);
	assert_int_equal(n, 18 + 14 + 16);
}

/* ---- a sparse core larger than 4 GiB ---------------------------------------------- */

#define SPARSE_SIZE (UINT64_C(5) << 30)

static const char *write_sparse_core(void)
{
	static char path[600];
	uint8_t a[2432], p1[336];
	const struct xt_note notes[] = {
		{ "CORE", NT_PRSTATUS, p1, sizeof(p1) }, { "LINUX", NT_X86_XSTATE, a, sizeof(a) },
		{ "LINUX", XS_NT_X86_XSAVE_LAYOUT, xt_zen4_layout, sizeof(xt_zen4_layout) },
	};
	/* a memory segment at 4.5 GiB, beyond any 32-bit offset, ending at the end of the file */
	const struct xt_core_spec s = { .notes = notes, .nnotes = 3, .load_offset = UINT64_C(9) << 29,
				.load_size = SPARSE_SIZE - (UINT64_C(9) << 29) };
	size_t len;
	uint8_t *img;
	int fd;

	buffer(a, UINT64_C(0x0123456789abcdef));
	xt_prstatus(p1, 31337, false);
	img = xt_core_image(&s, &len);
	snprintf(path, sizeof(path), "%s/sparse.core", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	/* the last byte is real: the file is SPARSE_SIZE long, almost all of it a hole */
	assert_int_equal(pwrite(fd, "\x42", 1, SPARSE_SIZE - 1), 1);
	assert_int_equal(close(fd), 0);
	free(img);
	return path;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static void test_a_sparse_core_over_4_gib_is_read_with_bounded_memory(void **state)
{
	const char *path = write_sparse_core();
	struct xs_diag d = { 0 };
	struct xs_buffer_view v;
	long before = max_rss_kib();
	uint8_t got[2432];
	xs_core *core;
	int fd = open(path, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	if (xs_core_open_fd(&core, fd, &d))
		fail_msg("xs_core_open_fd: %s", d.msg);
	assert_int_equal(xs_core_nthreads(core), 1);
	assert_int_equal(xs_core_thread(core, 0)->pid, 31337);
	assert_int_equal(xs_core_read_xstate(core, 0, got, sizeof(got), &d), 0);
	assert_int_equal(xs_core_view(core, NULL, got, sizeof(got), &v, &d), 0);
	assert_int_equal(reg_hex(got, sizeof(got), &v, "k2"), UINT64_C(0x0123456789abcdef));
	xs_core_close(core);
	close(fd);
	/* reading a 5 GiB core grew this process by less than 8 MiB */
	assert_true(max_rss_kib() - before < 8 * 1024);
}

/* `xstate decode CORE`: the register, and the tool's peak memory (wait4). */
static void test_xstate_decode_reads_the_sparse_core_in_bounded_memory(void **state)
{
	const char *path = write_sparse_core();
	char cmd[2048], outpath[700], *out;
	struct rusage ru;
	int status;
	size_t n;
	pid_t pid;

	(void)state;
	snprintf(outpath, sizeof(outpath), "%s/sparse.out", dir);
	/* xt_xstate_bin() puts the emulator (XS_EMULATOR) in front where there is one */
	snprintf(cmd, sizeof(cmd), "exec %s decode %s > %s 2>&1", xt_xstate_bin(), path, outpath);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	out = xt_read_file(outpath, &n);
	assert_non_null(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s: status 0x%x, output:\n%s", cmd, status, out);
	if (!strstr(out, "=== thread 1, pid 31337 ===") || !strstr(out, "  k2           0x0123456789abcdef\n"))
		fail_msg("the decoded core lacks thread 1 or k2:\n%s", out);
	/* a 5 GiB core in less than 64 MiB (qemu-user and ASan included) */
	if (ru.ru_maxrss >= 64 * 1024)
		fail_msg("xstate decode of a %llu-byte core peaked at %ld KiB", (unsigned long long)SPARSE_SIZE,
			 ru.ru_maxrss);
	print_message("xstate decode of a %llu-byte sparse core: peak RSS %ld KiB\n",
		      (unsigned long long)SPARSE_SIZE, ru.ru_maxrss);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_follow_prstatus_with_their_pids),
		cmocka_unit_test(test_32_bit_cores_and_extended_segment_counts),
		cmocka_unit_test(test_the_cpu_model_must_enable_the_cores_xcr0),
		cmocka_unit_test(test_malformed_cores_are_refused_with_the_reason),
		cmocka_unit_test(test_register_lookup_and_bounds),
		cmocka_unit_test(test_a_sparse_core_over_4_gib_is_read_with_bounded_memory),
		cmocka_unit_test(test_xstate_decode_reads_the_sparse_core_in_bounded_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
