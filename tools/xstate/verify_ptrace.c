// SPDX-License-Identifier: MIT
/*
 * xstate verify --against ptrace: PTRACE_SETREGSET(NT_X86_XSTATE) on a
 * stopped child with random and malformed buffers; the kernel's verdict
 * must equal the model's, and after an accepted set, PTRACE_GETREGSET must
 * return exactly what the model predicts.
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

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

struct tracee {
	pid_t pid;
	xs_fpu model;
	size_t size;
};

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

	t->pid = fork();
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
static int sync_model(struct tracee *t, uint8_t *buf)
{
	if (kernel_get(t->pid, buf, t->size) != (long)t->size)
		return -EIO;
	/* what the kernel reported is loadable by definition */
	return xs_ptrace_setregset(&t->model, buf, t->size, NULL) ? -EIO : 0;
}

static void record_difference(struct verify_result *r, unsigned long n, const char *what,
			      const char *fmt, long a, long b)
{
	if (r->differ++ == 0)
		snprintf(r->first, sizeof(r->first), "case %lu (%s): %s: kernel %ld, model %ld", n, what,
			 fmt, a, b);
}

/* One case; true when the kernel and the model agree. */
static bool run_case(struct tracee *t, const xs_system *sys, uint64_t *seed, uint8_t *buf,
		     uint8_t *kout, uint8_t *mout, struct verify_result *r)
{
	size_t len;
	const char *what = vu_make_case(seed, sys, t->model.fpstate->user_xfeatures, buf, t->size, &len);
	long k = kernel_set(t->pid, buf, len), m = xs_ptrace_setregset(&t->model, buf, len, NULL);
	size_t off;

	if (k != m) {
		record_difference(r, r->cases, what, "PTRACE_SETREGSET result", k, m);
		sync_model(t, buf);
		return false;
	}
	if (k)
		return true;
	if (kernel_get(t->pid, kout, t->size) != (long)t->size ||
	    xs_ptrace_getregset(&t->model, mout, t->size, NULL)) {
		record_difference(r, r->cases, what, "PTRACE_GETREGSET failed", 0, 0);
		return false;
	}
	off = vu_first_difference(kout, mout, t->size);
	if (off < t->size) {
		if (r->differ++ == 0)
			snprintf(r->first, sizeof(r->first),
				 "case %lu (%s): PTRACE_GETREGSET after an accepted set differs at byte %zu (%s): kernel 0x%02x, model 0x%02x",
				 r->cases, what, off, vu_component_at(sys, off), kout[off], mout[off]);
		sync_model(t, buf);
		return false;
	}
	return true;
}

int verify_ptrace(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	xs_cpu *cpu = malloc(sizeof(*cpu));
	xs_system *sys = malloc(sizeof(*sys));
	struct tracee t = { 0 };
	uint8_t *buf = NULL, *kout = NULL, *mout = NULL;
	int ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!cpu || !sys || xs_cpu_from_host(cpu) || xs_system_init(sys, cpu, NULL))
		goto out;
	if (!sys->xsave) {
		snprintf(r->skip, sizeof(r->skip), "the kernel does not use XSAVE on this CPU");
		ret = -ENODEV;
		goto out;
	}
	t.size = xs_ptrace_xstate_size(sys);
	buf = malloc(t.size + 64);
	kout = malloc(t.size);
	mout = malloc(t.size);
	if (!buf || !kout || !mout || xs_fpu_init(&t.model, sys, NULL))
		goto out;
	ret = start_tracee(&t, r);
	if (ret)
		goto out_model;
	ret = sync_model(&t, buf);
	for (; !ret && r->cases < iterations; r->cases++)
		r->agree += run_case(&t, sys, &seed, buf, kout, mout, r);
	stop_tracee(&t);
out_model:
	xs_fpu_destroy(&t.model);
out:
	free(buf);
	free(kout);
	free(mout);
	free(cpu);
	free(sys);
	return ret;
}
