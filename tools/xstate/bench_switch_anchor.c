// SPDX-License-Identifier: MIT
/*
 * The anchor of `xstate bench switch`: a real context switch on the live
 * kernel, in the manner of will-it-scale's context_switch1 — two processes
 * on one CPU passing a byte back and forth through two pipes. Each round
 * trip is two switches (to the other process and back), so ns per switch
 * is elapsed / (2 * round trips). It is printed beside the model to show
 * how much of a whole switch the xstate save and restore are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_switch.h"
#include "progress.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Pin this process to the CPU it runs on (the child inherits it): with
 * both on one CPU every wake-up is a switch, not a cross-CPU wake-up.
 * Returns the CPU, or -1 when the affinity cannot be set.
 */
static int pin_here(cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (sched_getaffinity(0, sizeof(*saved), saved) || cpu < 0 || !CPU_ISSET(cpu, saved))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? -1 : cpu;
}

/* The child: echo every byte until the parent closes its end. */
static _Noreturn void echo(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

/* One round: ns per switch, or -1 when a pipe fails. */
static double ping_pong(int out, int in, unsigned long trips)
{
	uint64_t t0 = now_ns();
	char c = 'x';

	for (unsigned long i = 0; i < trips; i++)
		if (write(out, &c, 1) != 1 || read(in, &c, 1) != 1)
			return -1;
	return (double)(now_ns() - t0) / (2.0 * (double)trips);
}

static void absent(struct sw_anchor *a, const char *what)
{
	a->available = false;
	snprintf(a->why_absent, sizeof(a->why_absent), "%s: %s", what, strerror(errno));
}

static void close_pipes(int up[2], int down[2])
{
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* Fork the echoing child and time the rounds; the pipes are set up. */
static void run_child(struct sw_bench *b, int up[2], int down[2])
{
	struct sw_anchor *a = &b->anc;
	pid_t pid = fork_dying_with_parent();

	if (pid < 0) {
		absent(a, "fork");
		close_pipes(up, down);
		return;
	}
	if (pid == 0) {
		close(up[1]);
		close(down[0]);
		echo(up[0], down[1]);
	}
	close(up[0]);
	close(down[1]);
	for (unsigned r = 0; r < b->rounds && a->available; r++) {
		a->ns[r] = ping_pong(up[1], down[0], a->round_trips);
		if (a->ns[r] < 0)
			absent(a, "pipe");
	}
	close(up[1]);	/* the child reads end-of-file and exits */
	close(down[0]);
	waitpid(pid, NULL, 0);
}

void sw_anchor_run(struct sw_bench *b)
{
	struct sw_anchor *a = &b->anc;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	cpu_set_t saved;
	int up[2], down[2];

	a->round_trips = b->switches / 2 ? b->switches / 2 : 1;
	a->ns = calloc(b->rounds, sizeof(*a->ns));
	if (!a->ns || pipe(up)) {
		absent(a, a->ns ? "pipe" : "memory");
		return;
	}
	if (pipe(down)) {
		absent(a, "pipe");
		close(up[0]);
		close(up[1]);
		return;
	}
	a->available = true;
	a->cpu = pin_here(&saved);
	a->pinned = a->cpu >= 0;
	sigaction(SIGPIPE, &ign, &old);	/* a dead child is an error, not our death */
	run_child(b, up, down);
	sigaction(SIGPIPE, &old, NULL);
	if (a->pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
}
