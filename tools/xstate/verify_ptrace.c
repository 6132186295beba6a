// SPDX-License-Identifier: MIT
/*
 * xstate verify --against ptrace: PTRACE_SETREGSET(NT_X86_XSTATE) on a
 * stopped child with random and malformed buffers (iov_len shorter,
 * longer, not a multiple of 8); the kernel's verdict must equal the
 * model's; after an accepted set PTRACE_GETREGSET must return exactly what
 * the model predicts, after a refused one exactly what it returned before
 * (nothing changes). Some cases are PTRACE_GETREGSET with odd iov_len.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "verify_uabi.h"
#include "progress.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

struct tracee {
	pid_t pid;
	const xs_system *sys;	/* the running kernel's model */
	xs_fpu *model;		/* the tracee as the model sees it */
	size_t size;		/* the regset: n * 8 bytes */
	size_t cap;		/* bytes of each buffer: longer iov_lens fit */
	uint8_t *prev;		/* what PTRACE_GETREGSET returned last */
};

#define SLACK 64

static long kernel_set(pid_t pid, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov) ? -errno : 0;
}

static long kernel_get(pid_t pid, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov) ? -errno : (long)iov.iov_len;
}

/* A child that sits stopped while we poke at its registers. */
static int start_tracee(struct tracee *t, struct verify_result *r)
{
	int status;

	t->pid = fork_dying_with_parent();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_SEIZE, t->pid, NULL, NULL) || ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL)) {
		snprintf(r->skip, sizeof(r->skip), "ptrace is not permitted here (%s)", strerror(errno));
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		return -EPERM;
	}
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFSTOPPED(status))
		return -ECHILD;
	return 0;
}

static void stop_tracee(struct tracee *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
}

/* Make the model's view of the tracee equal the kernel's. */
static int sync_model(struct tracee *t)
{
	if (kernel_get(t->pid, t->prev, t->size) != (long)t->size)
		return -EIO;
	/* what the kernel reported is loadable by definition */
	return xs_ptrace_setregset(t->model, t->prev, t->size, NULL) ? -EIO : 0;
}

static bool differs(struct tracee *t, struct verify_result *r, const char *what, const char *op,
		    const uint8_t *k, const uint8_t *m, size_t n, const char *kname, const char *mname)
{
	size_t off = vu_first_difference(k, m, n);

	if (off == n)
		return false;
	vu_differ(r, "case %lu (%s): %s differs at byte %zu (%s): %s 0x%02x, %s 0x%02x", r->cases, what, op,
		  off, vu_component_at(t->sys, off), kname, k[off], mname, m[off]);
	sync_model(t);
	return true;
}

/* A SETREGSET case; true when the kernel and the model agree. */
static bool set_case(struct tracee *t, const xs_system *sys, uint64_t *seed, uint8_t *buf,
		     uint8_t *kout, uint8_t *mout, struct verify_result *r)
{
	size_t len;
	uint64_t user = xs_fpstate_info(xs_fpu_fpstate(t->model))->user_xfeatures;
	const char *what = vu_make_case(seed, sys, user, buf, t->size, t->cap, &len);
	long k = kernel_set(t->pid, buf, len), m = xs_ptrace_setregset(t->model, buf, len, NULL), g;

	if (k != m) {
		vu_differ(r, "case %lu (%s, iov_len %zu): PTRACE_SETREGSET result: kernel %ld, model %ld", r->cases,
			  what, len, k, m);
		sync_model(t);
		return false;
	}
	g = kernel_get(t->pid, kout, t->size);
	if (g != (long)t->size) {
		vu_differ(r, "case %lu (%s): PTRACE_GETREGSET after the set failed: %ld", r->cases, what, g);
		sync_model(t);
		return false;
	}
	if (k) {
		/* refused: the tracee must hold what it held before */
		return !differs(t, r, what, "PTRACE_GETREGSET after a refused set", kout, t->prev, t->size,
				"after", "before");
	}
	if (xs_ptrace_getregset(t->model, mout, t->size, NULL)) {
		vu_differ(r, "case %lu (%s): the model's PTRACE_GETREGSET failed", r->cases, what);
		sync_model(t);
		return false;
	}
	if (differs(t, r, what, "PTRACE_GETREGSET after an accepted set", kout, mout, t->size, "kernel",
		    "model"))
		return false;
	memcpy(t->prev, kout, t->size);
	return true;
}

/* A GETREGSET case with an iov_len around the regset size. */
static bool get_case(struct tracee *t, uint64_t *seed, uint8_t *kout, uint8_t *mout,
		     struct verify_result *r)
{
	uint64_t x = vu_next(seed);
	size_t len = t->size - SLACK + (size_t)(x % (2 * SLACK + 1)), copied = 0;
	long k, m;

	if ((x >> 32) % 4)
		len &= ~(size_t)7;	/* mostly whole elements */
	if (!((x >> 40) % 16))
		len = (size_t)((x >> 44) % t->size) & ~(size_t)7;	/* well short, or 0 */
	memset(kout, 0xa5, t->cap);
	memset(mout, 0xa5, t->cap);
	k = kernel_get(t->pid, kout, len);
	m = xs_ptrace_getregset(t->model, mout, len, &copied);
	if (!m)
		m = (long)copied;
	if (k != m) {
		vu_differ(r, "case %lu: PTRACE_GETREGSET with iov_len %zu: kernel %ld, model %ld", r->cases, len, k,
			  m);
		return false;
	}
	return !differs(t, r, "odd iov_len", "PTRACE_GETREGSET", kout, mout, t->cap, "kernel", "model");
}

int verify_ptrace(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_system *sys = NULL;
	struct tracee t = { 0 };
	uint8_t *buf = NULL, *kout = NULL, *mout = NULL;
	int ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!cpu || xs_cpu_from_host(cpu) || xs_system_new(&sys, cpu, NULL))
		goto out;
	t.sys = sys;
	if (!xs_system_info(sys)->xsave) {
		snprintf(r->skip, sizeof(r->skip), "the kernel does not use XSAVE on this CPU");
		ret = -ENODEV;
		goto out;
	}
	t.size = xs_ptrace_xstate_size(sys);
	t.cap = t.size + SLACK;
	buf = malloc(t.cap);
	kout = malloc(t.cap);
	mout = malloc(t.cap);
	t.prev = malloc(t.size);
	if (!buf || !kout || !mout || !t.prev || xs_fpu_new(&t.model, sys, NULL))
		goto out;
	ret = start_tracee(&t, r);
	if (ret)
		goto out_model;
	ret = sync_model(&t);
	for (; !ret && r->cases < iterations; r->cases++, progress_tick(r->cases))
		r->agree += vu_next(&seed) % 8 ? set_case(&t, sys, &seed, buf, kout, mout, r)
					       : get_case(&t, &seed, kout, mout, r);
	stop_tracee(&t);
out_model:
	xs_fpu_free(t.model);
out:
	free(buf);
	free(kout);
	free(mout);
	free(t.prev);
	xs_cpu_free(cpu);
	xs_system_free(sys);
	return ret;
}
