/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka tests. */
#ifndef XS_TESTUTIL_H
#define XS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xstate.h"
/*
 * The library's internal definitions (src/ is on the tests' include path):
 * unit tests of internals read and set the objects' fields directly.
 */
#include "fleet/fleet.h"

/* Absolute path of a file under tests/data (XS_TEST_DATA). */
const char *xt_data_path(const char *rel, char *buf, size_t size);
/* Load tests/data/cpuid/<name> (any format); fails the test on error. */
void xt_load_cpu(xs_cpu *cpu, const char *name);
/* Heap-allocated system for a fixture with default options (or opts). */
xs_system *xt_system(const char *fixture, const struct xs_options *opts);
/* Read a whole file; NULL when missing. Caller frees. */
char *xt_read_file(const char *path, size_t *len);
/* Run a shell command, capture stdout (caller frees), return exit status. */
int xt_run(const char *cmd, char **out);
/* `xstate info --format json` output carries sys's numbers under its stable keys. */
void xt_assert_info_json(const char *json, const xs_system *sys);
/* The command that runs the built tool: XSTATE_BIN, behind XS_EMULATOR
 * ("qemu-x86_64 -cpu Nehalem") where CTest runs the test under an emulator. */
const char *xt_xstate_bin(void);

/*
 * Honest skips. cmocka's skip() leaves the exit status 0, so CTest would
 * count a program whose tests all skipped as passed. Every test program
 * includes this header, so skip() and cmocka_run_group_tests[_name]() below
 * count what ran and what skipped, and at exit (README "Tests"):
 *   - a test failed:                    the status cmocka gives (Failed);
 *   - every test ran and passed:        0 (Passed);
 *   - a test skipped, none failed:      XT_EXIT_SKIP, which CTest reports as
 *     Skipped -- even where other tests of the program ran: CTest has no
 *     "partly run", and a program that did not check all it promises is
 *     never reported as passed (the last line says how many ran);
 *   - a skip in a program labelled fixture (XS_TEST_LABEL=fixture): 1.
 *     A fixture test has no live oracle that could be missing.
 * A live program whose tests need different oracles says which tests need
 * which with lines `xs-test-oracle: NAME GLOB...` beside its label
 * (tests/CMakeLists.txt): CTest then runs it once per oracle, as
 * PROGRAM_NAME with XT_TESTS="GLOB..." and as PROGRAM with the rest
 * (XT_EXCLUDE), so a missing oracle skips only the tests that need it.
 * main() must return the group result.
 */
#define XT_EXIT_SKIP 77
__attribute__((noreturn)) void xt_skip_at(const char *file, int line);
int xt_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
		 CMFixtureFunction setup, CMFixtureFunction teardown);
#undef skip
#define skip() xt_skip_at(__FILE__, __LINE__)
#undef cmocka_run_group_tests
#define cmocka_run_group_tests(tests, setup, teardown) \
	xt_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
	xt_run_group(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

/* ---- synthetic CPU models built from numbers in the spec files ---------- */

struct xt_comp {
	unsigned nr, size, offset, ecx;	/* CPUID 0xD.nr EAX, EBX, ECX */
};

struct xt_synth {
	const char *vendor;		/* "GenuineIntel" / "AuthenticAMD" */
	uint32_t leaf1_eax;		/* family/model/stepping */
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx, leaf7_1_edx;
	uint32_t d1_eax;		/* XSAVEOPT/XSAVEC/XGETBV1/XSAVES/XFD */
	const struct xt_comp *comps;	/* components 2.. (0 and 1 are implied) */
	unsigned ncomps;
	uint32_t tiles;			/* CPUID 0x1D palette 1 max tiles (0: no leaf) */
};

/* Feature bits used by the synthetic models. */
#define XT_L1_EDX_BASE 0x07808001u	/* FPU, CMOV-ish, FXSR, SSE, SSE2 */
#define XT_L1_ECX_XSAVE (1u << 26)
#define XT_L1_ECX_OSXSAVE (1u << 27)
#define XT_L1_ECX_AVX (1u << 28)
#define XT_L7_EBX_MPX (1u << 14)
#define XT_L7_EBX_AVX512F (1u << 16)
#define XT_L7_ECX_PKU (1u << 3)
#define XT_L7_ECX_OSPKE (1u << 4)
#define XT_L7_ECX_SHSTK (1u << 7)
#define XT_L7_ECX_ENQCMD (1u << 29)
#define XT_L7_EDX_ARCH_LBR (1u << 19)
#define XT_L7_EDX_AMX_TILE (1u << 24)
#define XT_L71_EDX_APX (1u << 21)
#define XT_D1_XSAVEOPT 1u
#define XT_D1_XSAVEC 2u
#define XT_D1_XGETBV1 4u
#define XT_D1_XSAVES 8u
#define XT_D1_XFD 16u

/* Build the model; CPUID 0xD.0/0xD.1 EBX/ECX get the sizes for "all on". */
void xt_cpu_synth(xs_cpu *cpu, const struct xt_synth *s);
/* The AMD Zen 4 VM of linux-xstate.md "Confirmed on a live machine":
 * XCR0 0xe7, XSS CET_U|CET_S, offsets 2:576 5:832 6:896 7:1408 11:2432 12:2448. */
void xt_cpu_zen4_cet(xs_cpu *cpu);
/* Intel Sapphire Rapids numbers from xsave-isa.md §1.1 (AMX, PKRU, PASID, CET, LBR). */
void xt_cpu_spr(xs_cpu *cpu);
/* A system from a synthetic model (heap). */
xs_system *xt_system_of(const xs_cpu *cpu, const struct xs_options *opts);
/* Intel AVX2 client (Skylake layout of xsave-isa.md §1.1: YMM 576, MPX 960/1024;
 * XSAVEC/XSAVES; PT in XSS). */
void xt_cpu_avx2_client(xs_cpu *cpu);
/* AMD Zen 3 (xsave-isa.md §8: PKRU 8 bytes at 832; CET_U/CET_S in XSS). */
void xt_cpu_zen3(xs_cpu *cpu);
/* Write a model as a plain dump into dir/name; returns the path (static buffer). */
const char *xt_write_dump(const xs_cpu *cpu, const char *dir, const char *name);
/*
 * A synthetic model's system (heap, default options), its dump written to
 * dir/name and the path copied into path[size] — a fixture in one line.
 */
xs_system *xt_model(void (*model)(xs_cpu *cpu), const char *dir, const char *name, char *path, size_t size);
/* Write len bytes into dir/name (fails the test on error); returns the path (static buffer). */
const char *xt_write_file(const char *dir, const char *name, const void *buf, size_t len);
/* A scratch directory from a mkdtemp() template ("/tmp/xs-x-XXXXXX", rewritten): 0 or -1. */
int xt_scratch_dir(char *tmpl);
/* Remove a scratch directory and what it holds: 0 or -1. */
int xt_remove_dir(const char *dir);

/* ---- ELF core files, byte by byte (<elf.h> and the Linux note layout) ---- */

/* Note names and descriptors are padded to 4 bytes. */
#define XT_ALIGN4(x) (((x) + 3) & ~(size_t)3)

struct xt_note {
	const char *owner;	/* "CORE", "LINUX" */
	uint32_t type;
	const void *desc;
	size_t size;
};

struct xt_core_spec {
	bool elf32;
	bool xnum;		/* e_phnum = PN_XNUM, the count in section 0's sh_info */
	uint64_t load_offset;	/* a PT_LOAD segment there (0: none; 64-bit only) */
	uint64_t load_size;
	uint16_t e_type;	/* 0: ET_CORE */
	uint16_t e_machine;	/* 0: EM_386 or EM_X86_64 by class */
	size_t extra_filesz;	/* PT_NOTE claims this many bytes more than there are */
	const struct xt_note *notes;
	unsigned nnotes;
};

/* The image of a core (caller frees); *len its length without the sparse part. */
uint8_t *xt_core_image(const struct xt_core_spec *s, size_t *len);
/* NT_PRSTATUS with only pr_pid set (offset 32 in x86-64's, 24 in i386's). */
void xt_prstatus(uint8_t desc[336], uint32_t pid, bool elf32);
/* Zen 4's NT_X86_XSAVE_LAYOUT records {type, size, offset, flags} (linux-xstate.md, live machine). */
extern const uint32_t xt_zen4_layout[4][4];
/* Intel AVX-512 server with MPX and PKU (Skylake-SP layout, xsave-isa.md §1.1). */
void xt_cpu_skx(xs_cpu *cpu);
/* Run `xstate ARGS` (stderr folded in when merge_stderr); returns the exit status. */
int xt_tool(const char *args, char **out, bool merge_stderr);
/* AMD Zen 4 with PKU and shadow stacks (PKRU 8 bytes at 2432; CET_U, CET_S). */
void xt_cpu_zen4_pku(xs_cpu *cpu);
/* A system for a model under a kernel release. */
xs_system *xt_system_at(const xs_cpu *cpu, uint32_t release);

/* ---- the running kernel as an oracle ------------------------------------- */

/*
 * The running kernel's release from uname ("6.18.44-fc-v1098" gives
 * XS_KERNEL_STABLE(6, 18, 44)), or 0 when the model lacks it.
 */
uint32_t xt_live_release(char *name, size_t size);
/* CPU features the boot command line cleared (clearcpuid=, noxsave, …). */
uint64_t xt_cmdline_cleared_features(void);
/* Does the boot command line fit xs_options.cmdline (XS_CMDLINE_MAX)? */
bool xt_cmdline_fits(void);
/* The options that model the running kernel: its release and command line (false: not modelled). */
bool xt_live_options(struct xs_options *o);

#endif
