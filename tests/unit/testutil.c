// SPDX-License-Identifier: MIT
#include <elf.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

const char *xt_data_path(const char *rel, char *buf, size_t size)
{
	const char *root = getenv("XS_TEST_DATA");

	snprintf(buf, size, "%s/%s", root ? root : "tests/data", rel);
	return buf;
}

void xt_load_cpu(xs_cpu *cpu, const char *name)
{
	char rel[512], path[1024];
	struct xs_diag diag = { 0 };
	int ret;

	snprintf(rel, sizeof(rel), "cpuid/%s", name);
	ret = xs_cpu_from_file(cpu, xt_data_path(rel, path, sizeof(path)), 0, &diag);
	if (ret)
		fail_msg("loading %s: %s", path, diag.msg);
}

xs_system *xt_system(const char *fixture, const struct xs_options *opts)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));

	assert_non_null(cpu);
	assert_non_null(sys);
	xt_load_cpu(cpu, fixture);
	assert_int_equal(xs_system_init(sys, cpu, opts), 0);
	free(cpu);
	return sys;
}

char *xt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int xt_run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	int status;

	assert_non_null(p);
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, p);
		n += r;
	} while (r);
	buf[n] = '\0';
	status = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

const char *xt_xstate_bin(void)
{
	static char cmd[4096];
	const char *b = getenv("XSTATE_BIN"), *emu = getenv("XS_EMULATOR");

	snprintf(cmd, sizeof(cmd), "%s%s%s", emu ? emu : "", emu && *emu ? " " : "", b ? b : "./xstate");
	return cmd;
}

/* ---- honest skips (testutil.h) ------------------------------------------- */

static struct {
	unsigned tests, skipped, failed;
	bool hooked;
} tally;

/* LeakSanitizer's check runs after ours at exit; _exit() would skip it. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

static void leave(int status)
{
	fflush(NULL);
	if (__lsan_do_leak_check)
		__lsan_do_leak_check();
	_exit(status);
}

static void report_skips(void)
{
	const char *label = getenv("XS_TEST_LABEL"), *only = getenv("XT_TESTS");
	unsigned passed = tally.tests - tally.skipped;

	if (!tally.tests && only && *only) {
		printf("FAILED: XT_TESTS=\"%s\" matches no test of this program\n", only);
		leave(1);
	}
	if (!tally.skipped || tally.failed)
		return;
	if (label && !strcmp(label, "fixture")) {
		printf("FAILED: %u of %u tests skipped in a program labelled fixture: a fixture test "
		       "reads no live oracle, so none can be missing (tests/CMakeLists.txt says how to label)\n",
		       tally.skipped, tally.tests);
		leave(1);
	}
	printf("SKIPPED: %u of %u tests skipped (reasons above), %u ran and passed: "
	       "CTest reports the program as skipped, not passed\n", tally.skipped, tally.tests, passed);
	leave(XT_EXIT_SKIP);
}

void xt_skip_at(const char *file, int line)
{
	tally.skipped++;
	_skip(file, line);
	abort();	/* _skip() leaves the test through longjmp */
}

/* Does `name` match one of the space-separated globs in `globs`? */
static bool matches_any(const char *name, const char *globs)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", globs);
	for (char *g = strtok_r(buf, " ", &save); g; g = strtok_r(NULL, " ", &save))
		if (!fnmatch(g, name, 0))
			return true;
	return false;
}

/* The tests this CTest test runs: XT_TESTS and XT_EXCLUDE (testutil.h). */
static size_t select_tests(const struct CMUnitTest *tests, size_t n, struct CMUnitTest *out)
{
	const char *only = getenv("XT_TESTS"), *except = getenv("XT_EXCLUDE");
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (only && *only && !matches_any(tests[i].name, only))
			continue;
		if (except && *except && matches_any(tests[i].name, except))
			continue;
		out[k++] = tests[i];
	}
	return k;
}

int xt_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
		 CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct CMUnitTest *chosen = calloc(n ? n : 1, sizeof(*chosen));
	size_t k;
	int failed;

	assert_non_null(chosen);
	if (!tally.hooked && atexit(report_skips) == 0)
		tally.hooked = true;
	k = select_tests(tests, n, chosen);
	tally.tests += (unsigned)k;
	failed = k ? _cmocka_run_group_tests(name, chosen, k, setup, teardown) : 0;
	free(chosen);
	if (failed)
		tally.failed += (unsigned)failed;
	return failed;
}

static unsigned synth_standard_size(const struct xt_synth *s)
{
	unsigned size = 576;

	for (unsigned i = 0; i < s->ncomps; i++)
		if (!(s->comps[i].ecx & 1) && s->comps[i].offset + s->comps[i].size > size)
			size = s->comps[i].offset + s->comps[i].size;
	return size;
}

static unsigned synth_compacted_size(const struct xt_synth *s)
{
	unsigned size = 576;

	/* comps are listed in ascending component order */
	for (unsigned i = 0; i < s->ncomps; i++) {
		if (s->comps[i].ecx & 2)
			size = (size + 63) & ~63u;
		size += s->comps[i].size;
	}
	return size;
}

void xt_cpu_synth(xs_cpu *cpu, const struct xt_synth *s)
{
	uint32_t v[3];
	uint64_t xcr0 = 3, xss = 0;

	xs_cpu_init(cpu);
	memcpy(v, s->vendor, 12);
	xs_cpu_set_leaf(cpu, 0, 0, 0xd, v[0], v[2], v[1]);
	xs_cpu_set_leaf(cpu, 1, 0, s->leaf1_eax, 0, s->leaf1_ecx, s->leaf1_edx);
	xs_cpu_set_leaf(cpu, 7, 0, 1, s->leaf7_ebx, s->leaf7_ecx, s->leaf7_edx);
	xs_cpu_set_leaf(cpu, 7, 1, 0, 0, 0, s->leaf7_1_edx);
	/* 64-bit CPUs: 0x80000001 EDX.LM, which an x86-64 kernel requires */
	xs_cpu_set_leaf(cpu, 0x80000000, 0, 0x80000001, 0, 0, 0);
	xs_cpu_set_leaf(cpu, 0x80000001, 0, 0, 0, 0, 1u << 29);
	for (unsigned i = 0; i < s->ncomps; i++) {
		const struct xt_comp *c = &s->comps[i];

		xs_cpu_set_leaf(cpu, 0xd, c->nr, c->size, c->offset, c->ecx, 0);
		if (c->ecx & 1)
			xss |= 1ull << c->nr;
		else
			xcr0 |= 1ull << c->nr;
	}
	xs_cpu_set_leaf(cpu, 0xd, 0, (uint32_t)xcr0, synth_standard_size(s), synth_standard_size(s),
			(uint32_t)(xcr0 >> 32));
	xs_cpu_set_leaf(cpu, 0xd, 1, s->d1_eax, synth_compacted_size(s), (uint32_t)xss,
			(uint32_t)(xss >> 32));
	if (s->tiles) {
		xs_cpu_set_leaf(cpu, 0x1d, 0, 1, 0, 0, 0);
		xs_cpu_set_leaf(cpu, 0x1d, 1, 0x4002000, 0x40 | (s->tiles << 16), 16, 0);
		xs_cpu_set_leaf(cpu, 0, 0, 0x1d, v[0], v[2], v[1]);
	}
	xs_cpu_finish(cpu);
}

void xt_cpu_zen4_cet(xs_cpu *cpu)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
		{ 11, 16, 0, 1 }, { 12, 24, 0, 1 },
	};
	const struct xt_synth s = {
		.vendor = "AuthenticAMD", .leaf1_eax = 0x00a10f11, /* family 19h */
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ebx = XT_L7_EBX_AVX512F,
		.leaf7_ecx = XT_L7_ECX_SHSTK,
		.d1_eax = XT_D1_XSAVEOPT | XT_D1_XSAVEC | XT_D1_XGETBV1 | XT_D1_XSAVES,
		.comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]),
	};

	xt_cpu_synth(cpu, &s);
}

void xt_cpu_spr(xs_cpu *cpu)
{
	/* xsave-isa.md §1.1 "Real CPUID dumps": Sapphire Rapids sub-leaves. */
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 5, 64, 1088, 0 }, { 6, 512, 1152, 0 }, { 7, 1024, 1664, 0 },
		{ 8, 128, 0, 1 }, { 9, 8, 2688, 0 }, { 10, 8, 0, 1 }, { 11, 16, 0, 1 },
		{ 12, 24, 0, 1 }, { 14, 48, 0, 1 }, { 15, 808, 0, 1 }, { 17, 64, 2752, 2 },
		{ 18, 8192, 2816, 6 },
	};
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000806f8,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ebx = XT_L7_EBX_AVX512F,
		.leaf7_ecx = XT_L7_ECX_PKU | XT_L7_ECX_OSPKE | XT_L7_ECX_SHSTK | XT_L7_ECX_ENQCMD,
		.leaf7_edx = XT_L7_EDX_AMX_TILE | XT_L7_EDX_ARCH_LBR,
		.d1_eax = 0x1f, .comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]), .tiles = 8,
	};

	xt_cpu_synth(cpu, &s);
}

xs_system *xt_system_of(const xs_cpu *cpu, const struct xs_options *opts)
{
	xs_system *sys = malloc(sizeof(*sys));

	assert_non_null(sys);
	assert_int_equal(xs_system_init(sys, cpu, opts), 0);
	return sys;
}

void xt_cpu_avx2_client(xs_cpu *cpu)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 3, 64, 960, 0 }, { 4, 64, 1024, 0 }, { 8, 128, 0, 1 },
	};
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x000506e3,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ebx = XT_L7_EBX_MPX, .d1_eax = 0xf,
		.comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]),
	};

	xt_cpu_synth(cpu, &s);
}

void xt_cpu_zen3(xs_cpu *cpu)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 9, 8, 832, 0 }, { 11, 16, 0, 1 }, { 12, 24, 0, 1 },
	};
	const struct xt_synth s = {
		.vendor = "AuthenticAMD", .leaf1_eax = 0x00a20f10,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ecx = XT_L7_ECX_PKU | XT_L7_ECX_SHSTK,
		.d1_eax = 0xf, .comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]),
	};

	xt_cpu_synth(cpu, &s);
}

const char *xt_write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

const char *xt_write_dump(const xs_cpu *cpu, const char *dir, const char *name)
{
	static char path[512];	/* its own: a test may hold it across xt_write_file() */
	char *buf = malloc(65536);

	assert_non_null(buf);
	xs_cpu_dump(cpu, XS_DUMP_PLAIN, buf, 65536);
	snprintf(path, sizeof(path), "%s", xt_write_file(dir, name, buf, strlen(buf)));
	free(buf);
	return path;
}

xs_system *xt_model(void (*model)(xs_cpu *cpu), const char *dir, const char *name, char *path, size_t size)
{
	xs_cpu cpu;

	model(&cpu);
	snprintf(path, size, "%s", xt_write_dump(&cpu, dir, name));
	return xt_system_of(&cpu, NULL);
}

int xt_scratch_dir(char *tmpl)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

int xt_remove_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- ELF core files --------------------------------------------------------- */

const uint32_t xt_zen4_layout[4][4] = {
	{ 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
};

/* One note's bytes: the header (namesz, descsz, type), the name and the descriptor, each padded to 4. */
static size_t note_size(const struct xt_note *n)
{
	return 3 * sizeof(uint32_t) + XT_ALIGN4(strlen(n->owner) + 1) + XT_ALIGN4(n->size);
}

/* One note, laid out as note_size() counts it. */
static size_t put_note(uint8_t *out, const struct xt_note *n)
{
	uint32_t h[3] = { (uint32_t)strlen(n->owner) + 1, (uint32_t)n->size, n->type };
	size_t at = sizeof(h);

	memcpy(out, h, sizeof(h));
	memcpy(out + at, n->owner, h[0]);
	at += XT_ALIGN4(h[0]);
	memcpy(out + at, n->desc, n->size);
	return at + XT_ALIGN4(n->size);
}

static void core_headers32(const struct xt_core_spec *s, uint8_t *img, size_t notes_at, size_t at)
{
	size_t eh = sizeof(Elf32_Ehdr), ph = sizeof(Elf32_Phdr), sh = sizeof(Elf32_Shdr);
	Elf32_Ehdr e = { .e_type = s->e_type ? s->e_type : ET_CORE, .e_machine = s->e_machine ? s->e_machine : EM_386,
			 .e_version = EV_CURRENT, .e_phoff = (Elf32_Off)eh, .e_ehsize = (Elf32_Half)eh,
			 .e_phentsize = (Elf32_Half)ph, .e_phnum = (Elf32_Half)(s->xnum ? PN_XNUM : 1),
			 .e_shoff = s->xnum ? (Elf32_Off)(eh + ph) : 0, .e_shentsize = (Elf32_Half)sh,
			 .e_shnum = s->xnum ? 1 : 0 };
	Elf32_Phdr p = { .p_type = PT_NOTE, .p_offset = (Elf32_Off)notes_at,
			 .p_filesz = (Elf32_Word)(at - notes_at + s->extra_filesz), .p_align = 4 };
	Elf32_Shdr z = { .sh_info = 1 };

	memcpy(e.e_ident, img, EI_NIDENT);
	memcpy(img, &e, sizeof(e));
	memcpy(img + eh, &p, sizeof(p));
	if (s->xnum)
		memcpy(img + eh + ph, &z, sizeof(z));
}

static void core_headers64(const struct xt_core_spec *s, uint8_t *img, unsigned nph, size_t notes_at, size_t at)
{
	size_t eh = sizeof(Elf64_Ehdr), ph = sizeof(Elf64_Phdr), sh = sizeof(Elf64_Shdr);
	Elf64_Ehdr e = { .e_type = s->e_type ? s->e_type : ET_CORE,
			 .e_machine = s->e_machine ? s->e_machine : EM_X86_64, .e_version = EV_CURRENT,
			 .e_phoff = eh, .e_ehsize = (Elf64_Half)eh, .e_phentsize = (Elf64_Half)ph,
			 .e_phnum = (Elf64_Half)(s->xnum ? PN_XNUM : nph), .e_shoff = s->xnum ? eh + nph * ph : 0,
			 .e_shentsize = (Elf64_Half)sh, .e_shnum = s->xnum ? 1 : 0 };
	Elf64_Phdr p = { .p_type = PT_NOTE, .p_offset = notes_at, .p_filesz = at - notes_at + s->extra_filesz,
			 .p_align = 4 };
	Elf64_Phdr load = { .p_type = PT_LOAD, .p_offset = s->load_offset, .p_filesz = s->load_size,
			    .p_memsz = s->load_size, .p_vaddr = 0x400000, .p_align = 4096 };
	Elf64_Shdr z = { .sh_info = nph };

	memcpy(e.e_ident, img, EI_NIDENT);
	memcpy(img, &e, sizeof(e));
	memcpy(img + eh, &p, sizeof(p));
	if (s->load_offset)
		memcpy(img + eh + ph, &load, sizeof(load));
	if (s->xnum)
		memcpy(img + eh + nph * ph, &z, sizeof(z));
}

uint8_t *xt_core_image(const struct xt_core_spec *s, size_t *len)
{
	size_t eh = s->elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	size_t ph = s->elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	size_t sh = s->elf32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
	unsigned nph = s->load_offset && !s->elf32 ? 2 : 1;
	size_t notes_at = eh + nph * ph + (s->xnum ? sh : 0), at = notes_at, total = notes_at;
	uint8_t *img;

	for (unsigned i = 0; i < s->nnotes; i++)
		total += note_size(&s->notes[i]);
	img = calloc(1, total);
	assert_non_null(img);
	for (unsigned i = 0; i < s->nnotes; i++)
		at += put_note(img + at, &s->notes[i]);
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = s->elf32 ? ELFCLASS32 : ELFCLASS64;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	if (s->elf32)
		core_headers32(s, img, notes_at, at);
	else
		core_headers64(s, img, nph, notes_at, at);
	*len = at;
	return img;
}

void xt_prstatus(uint8_t desc[336], uint32_t pid, bool elf32)
{
	memset(desc, 0, 336);
	memcpy(desc + (elf32 ? 24 : 32), &pid, 4);
}

void xt_cpu_skx(xs_cpu *cpu)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 3, 64, 960, 0 }, { 4, 64, 1024, 0 }, { 5, 64, 1088, 0 },
		{ 6, 512, 1152, 0 }, { 7, 1024, 1664, 0 }, { 8, 128, 0, 1 }, { 9, 8, 2688, 0 },
	};
	const struct xt_synth s = {
		.vendor = "GenuineIntel", .leaf1_eax = 0x00050654,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ebx = XT_L7_EBX_MPX | XT_L7_EBX_AVX512F,
		.leaf7_ecx = XT_L7_ECX_PKU | XT_L7_ECX_OSPKE, .d1_eax = 0xf,
		.comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]),
	};

	xt_cpu_synth(cpu, &s);
}

int xt_tool(const char *args, char **out, bool merge_stderr)
{
	size_t n = strlen(xt_xstate_bin()) + strlen(args) + 32;
	char *cmd = malloc(n);
	int st;

	assert_non_null(cmd);
	snprintf(cmd, n, "%s %s%s", xt_xstate_bin(), args, merge_stderr ? " 2>&1" : " 2>/dev/null");
	st = xt_run(cmd, out);
	free(cmd);
	return st;
}

void xt_cpu_zen4_pku(xs_cpu *cpu)
{
	static const struct xt_comp comps[] = {
		{ 2, 256, 576, 0 }, { 5, 64, 832, 0 }, { 6, 512, 896, 0 }, { 7, 1024, 1408, 0 },
		{ 9, 8, 2432, 0 }, { 11, 16, 0, 1 }, { 12, 24, 0, 1 },
	};
	const struct xt_synth s = {
		.vendor = "AuthenticAMD", .leaf1_eax = 0x00a70f41,
		.leaf1_ecx = XT_L1_ECX_XSAVE | XT_L1_ECX_OSXSAVE | XT_L1_ECX_AVX,
		.leaf1_edx = XT_L1_EDX_BASE, .leaf7_ebx = XT_L7_EBX_AVX512F,
		.leaf7_ecx = XT_L7_ECX_PKU | XT_L7_ECX_SHSTK,
		.d1_eax = XT_D1_XSAVEOPT | XT_D1_XSAVEC | XT_D1_XGETBV1 | XT_D1_XSAVES,
		.comps = comps, .ncomps = sizeof(comps) / sizeof(comps[0]),
	};

	xt_cpu_synth(cpu, &s);
}

xs_system *xt_system_at(const xs_cpu *cpu, uint32_t release)
{
	struct xs_options o;

	xs_options_init(&o);
	o.kernel = release;
	return xt_system_of(cpu, &o);
}

uint32_t xt_live_release(char *name, size_t size)
{
	struct utsname u;
	uint32_t release;

	if (uname(&u))
		return 0;
	if (xs_kernel_parse_uname(u.release, &release)) {
		if (name)
			snprintf(name, size, "%s", u.release);
		return 0;
	}
	if (name)
		xs_kernel_name(release, name, size);
	return release;
}

uint64_t xt_cmdline_cleared_features(void)
{
	char *cmd = xt_read_file("/proc/cmdline", NULL);
	uint64_t clear = xs_cmdline_cleared_features(cmd);

	free(cmd);
	return clear;
}

bool xt_cmdline_fits(void)
{
	char *cmd = xt_read_file("/proc/cmdline", NULL);
	bool fits = cmd && strcspn(cmd, "\n") < XS_CMDLINE_MAX;

	free(cmd);
	return fits;
}

bool xt_live_options(struct xs_options *o)
{
	char *cmd = xt_read_file("/proc/cmdline", NULL);

	xs_options_init(o);
	o->kernel = xt_live_release(NULL, 0);
	if (cmd) {
		cmd[strcspn(cmd, "\n")] = '\0';
		if (strlen(cmd) < sizeof(o->cmdline))	/* read as the running release reads it */
			strcpy(o->cmdline, cmd);
		else
			o->clear_features = xs_cmdline_cleared_features(cmd);
	}
	free(cmd);
	return o->kernel != 0;
}

/* ---- `xstate info --format json` against the library --------------------- */

static const char *hex(uint64_t v, char *buf)
{
	sprintf(buf, "0x%llx", (unsigned long long)v);
	return buf;
}

void xt_assert_info_json(const char *text, const xs_system *sys)
{
	json_t *root, *k, *u, *feats;
	json_error_t err;
	char buf[32];

	root = json_loads(text, 0, &err);
	if (!root)
		fail_msg("not JSON (%s): %s", err.text, text);
	k = json_object_get(root, "kernel");
	u = json_object_get(root, "user");
	assert_string_equal(json_string_value(json_object_get(root, "format")),
			    sys->format == XS_FORMAT_COMPACTED ? "compacted"
			    : sys->format == XS_FORMAT_STANDARD ? "standard" : "legacy");
	assert_string_equal(json_string_value(json_object_get(k, "max_features")), hex(sys->kernel.max_features, buf));
	assert_string_equal(json_string_value(json_object_get(k, "default_features")), hex(sys->kernel.default_features, buf));
	assert_string_equal(json_string_value(json_object_get(k, "guest_default_features")), hex(sys->kernel.guest_default_features, buf));
	assert_string_equal(json_string_value(json_object_get(k, "independent_features")), hex(sys->kernel.independent_features, buf));
	assert_int_equal(json_integer_value(json_object_get(k, "max_size")), sys->kernel.max_size);
	assert_int_equal(json_integer_value(json_object_get(k, "default_size")), sys->kernel.default_size);
	assert_int_equal(json_integer_value(json_object_get(k, "guest_default_size")), sys->kernel.guest_default_size);
	assert_string_equal(json_string_value(json_object_get(u, "max_features")), hex(sys->user.max_features, buf));
	assert_string_equal(json_string_value(json_object_get(u, "default_features")), hex(sys->user.default_features, buf));
	assert_int_equal(json_integer_value(json_object_get(u, "max_size")), sys->user.max_size);
	assert_int_equal(json_integer_value(json_object_get(u, "default_size")), sys->user.default_size);
	feats = json_object_get(root, "features");
	assert_true(json_is_array(feats));
	for (size_t i = 0; i < json_array_size(feats); i++) {
		json_t *f = json_array_get(feats, i);
		unsigned nr = (unsigned)json_integer_value(json_object_get(f, "index"));

		assert_string_equal(json_string_value(json_object_get(f, "description")), xs_xfeature_description(nr));
		assert_int_equal(json_integer_value(json_object_get(f, "size")), sys->xstate_sizes[nr]);
		assert_true(json_is_boolean(json_object_get(f, "supervisor")));
		assert_true(json_is_boolean(json_object_get(f, "aligned")));
		assert_non_null(json_object_get(f, "offset_standard"));
		assert_non_null(json_object_get(f, "offset_compacted"));
		assert_non_null(json_object_get(f, "name"));
	}
	json_decref(root);
}
