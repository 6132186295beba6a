// SPDX-License-Identifier: MIT
/*
 * Capture a real NT_X86_XSTATE buffer from the running kernel: a child loads
 * recognisable values into x87, XMM0 and YMM1 and stops; the parent reads its
 * xstate with PTRACE_GETREGSET and writes exactly what the kernel returned.
 * Used to make tests/data/buffers/ and the README examples:
 *   cc -O2 scripts/capture-ptrace-xstate.c -o /tmp/capture && /tmp/capture OUT
 */
#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(void)
{
	static const double pi = 3.14159265358979323846, e = 2.71828182845904523536;
	static const unsigned char xmm0[16] = "libxstate xmm0!";

	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	__asm__ volatile("fldl %0\n\tfldl %1\n\tmovdqu %2, %%xmm0\n\t"
			 "vpcmpeqd %%ymm1, %%ymm1, %%ymm1"
			 : : "m"(pi), "m"(e), "m"(xmm0) : "xmm0", "xmm1", "st", "st(1)");
	raise(SIGSTOP);
	_exit(0);
}

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct iovec iov = { buf, sizeof(buf) };
	FILE *out;
	pid_t pid;
	int st;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT\n", argv[0]);
		return 2;
	}
	pid = fork();
	if (pid == 0)
		child();
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov)) {
		perror("capture");
		return 1;
	}
	kill(pid, SIGKILL);
	out = fopen(argv[1], "wb");
	if (!out || fwrite(buf, 1, iov.iov_len, out) != iov.iov_len || fclose(out)) {
		perror(argv[1]);
		return 1;
	}
	printf("%s: %zu bytes\n", argv[1], iov.iov_len);
	return 0;
}
