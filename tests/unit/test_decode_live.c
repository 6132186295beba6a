// SPDX-License-Identifier: MIT
/* xs-test-label: live */
/* xs-test-oracle: core test_real_core_dump_* */
/*
 * `xstate decode` against the live kernel: a child loads XMM3 and ST(0)
 * with known values, then (a) stops under ptrace so we can take its real
 * PTRACE_GETREGSET(NT_X86_XSTATE) buffer, or (b) dies with a core dump,
 * whose NT_X86_XSTATE note we decode. The decoder must print the values
 * the child set. Skips cleanly where ptrace, XSAVE or core dumps are not
 * available (core_pattern piping to a handler, cores not written).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

static char dir[] = "/tmp/xs-live-XXXXXX";
static const uint8_t xmm3_value[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f };
#define XMM3_TEXT "  xmm3         0x0ff0eeddccbbaa998877665544332211\n"
#define ST0_TEXT "  st0          1  tag=valid"

static int setup(void **state)
{
	(void)state;
	return xt_scratch_dir(dir);
}

static int teardown(void **state)
{
	(void)state;
	return xt_remove_dir(dir);
}

/*
 * Load XMM3 and push 1.0 on the x87 stack, then trap in the same asm block
 * so no library code can touch the registers first: int3 (SIGTRAP, a
 * ptrace stop) or ud2 (SIGILL, a core dump).
 */
static void __attribute__((noreturn)) set_registers_and_trap(bool core)
{
#if defined(__x86_64__)
	if (core)
		__asm__ volatile("movdqu (%0), %%xmm3\n\tfld1\n\tud2\n\t" : : "r"(xmm3_value) : "xmm3", "memory");
	else
		__asm__ volatile("movdqu (%0), %%xmm3\n\tfld1\n\tint3\n\t" : : "r"(xmm3_value) : "xmm3", "memory");
#endif
	_exit(3);
}

static bool live_xsave(void)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	bool ok = cpu && sys && !xs_cpu_from_host(cpu) && !xs_system_init(sys, cpu, NULL) && sys->xsave;

	free(cpu);
	free(sys);
	return ok;
}

/* Fork a child running `body` on an x86-64 machine whose kernel uses XSAVE. */
static pid_t start_child(void (*body)(void))
{
	pid_t pid;

#if !defined(__x86_64__)
	skip();
#endif
	if (!live_xsave())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		body();
	return pid;
}

static void expect_in(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("'%s' is not in the output:\n%s", needle, out);
}

static void __attribute__((noreturn)) stop_under_ptrace(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		_exit(4);
	set_registers_and_trap(false);
}

/* The child's NT_X86_XSTATE at its int3 stop, written to dir/live.ptrace. */
static bool take_regset(pid_t pid, char *path, size_t size)
{
	uint8_t buf[16384];
	struct iovec iov = { buf, sizeof(buf) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov))
		return false;
	snprintf(path, size, "%s", xt_write_file(dir, "live.ptrace", buf, iov.iov_len));
	return true;
}

static void test_live_ptrace_buffer_shows_what_the_child_set(void **state)
{
	char path[600], args[700], *out;
	bool got;
	pid_t pid;
	int status;

	(void)state;
	pid = start_child(stop_under_ptrace);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSTOPPED(status))
		skip();	/* ptrace is not permitted here */
	got = take_regset(pid, path, sizeof(path));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_true(got);
	snprintf(args, sizeof(args), "decode %s --kind ptrace", path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	expect_in(out, XMM3_TEXT);
	expect_in(out, ST0_TEXT);
	expect_in(out, "  fsw          0x3800  top=7");
	free(out);
}

/* Where the kernel writes cores, if we can find them: NULL to skip. */
static const char *core_skip_reason(void)
{
	char *pattern = xt_read_file("/proc/sys/kernel/core_pattern", NULL);
	const char *why = NULL;

	if (!pattern)
		why = "cannot read core_pattern";
	else if (pattern[0] == '|')
		why = "core_pattern pipes cores to a handler";
	else if (pattern[0] == '/')
		why = "core_pattern writes cores to a fixed directory";
	free(pattern);
	return why;
}

/* The first file named core* the kernel left in dir. */
static bool find_core(char *path, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while (!found && (e = readdir(d)))
		if (!strncmp(e->d_name, "core", 4)) {
			snprintf(path, size, "%s/%s", dir, e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

static void __attribute__((noreturn)) crash_with_core(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	/* cmocka catches SIGILL in the test process; the child must not */
	signal(SIGILL, SIG_DFL);
	if (chdir(dir) || setrlimit(RLIMIT_CORE, &unlimited) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(4);
	set_registers_and_trap(true);
}

static void test_real_core_dump_shows_what_the_child_set(void **state)
{
	char path[600], args[700], pidline[64], *out;
	const char *why = core_skip_reason();
	pid_t pid;
	int status;

	(void)state;
	if (why) {
		print_message("skipped: %s\n", why);
		skip();
	}
	pid = start_child(crash_with_core);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	if (!WCOREDUMP(status) || !find_core(path, sizeof(path))) {
		print_message("skipped: the kernel wrote no core file\n");
		skip();
	}
	snprintf(args, sizeof(args), "decode %s --kind core", path);
	assert_int_equal(xt_tool(args, &out, true), 0);
	snprintf(pidline, sizeof(pidline), "=== thread 1, pid %d ===\n", (int)pid);
	expect_in(out, pidline);
	expect_in(out, XMM3_TEXT);
	expect_in(out, ST0_TEXT);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_ptrace_buffer_shows_what_the_child_set),
		cmocka_unit_test(test_real_core_dump_shows_what_the_child_set),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
