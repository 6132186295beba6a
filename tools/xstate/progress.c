// SPDX-License-Identifier: MIT
/* Progress lines on a terminal, and children that die with the tool (progress.h). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define SHOW_AFTER 1.0		/* seconds before the first line */
#define REDRAW_EVERY 0.25	/* seconds between lines */

/* One run at a time; the tool's own state (the library keeps none). */
static struct {
	bool quiet, active, shown;
	unsigned long long total;
	char label[64];
	double start, last;
} run;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char erase[] = "\r\033[K";

/* A signal that ends the tool must not leave half a progress line behind. */
static void on_fatal_signal(int sig)
{
	if (run.shown)
		(void)!write(STDERR_FILENO, erase, sizeof(erase) - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_fatal_signals(bool on)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_fatal_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* leave alone a signal someone chose to ignore (nohup) */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void progress_quiet(bool quiet)
{
	run.quiet = quiet;
}

void progress_start(unsigned long long total, const char *fmt, ...)
{
	va_list ap;

	run.active = !run.quiet && isatty(STDERR_FILENO);
	run.shown = false;
	run.total = total;
	va_start(ap, fmt);
	vsnprintf(run.label, sizeof(run.label), fmt, ap);
	va_end(ap);
	run.start = run.last = now();
	if (run.active)
		catch_fatal_signals(true);
}

void progress_tick(unsigned long long done)
{
	double t, rate;

	if (!run.active)
		return;
	t = now();
	if (t - run.start < SHOW_AFTER || t - run.last < REDRAW_EVERY)
		return;
	run.last = t;
	run.shown = true;
	rate = done / (t - run.start);
	fprintf(stderr, "%s%s: %llu/%llu (%.1f%%), %.0f/s", erase, run.label, done, run.total,
		run.total ? 100.0 * (double)done / (double)run.total : 0.0, rate);
	if (rate > 0 && done < run.total)
		fprintf(stderr, ", about %.0f s left", (double)(run.total - done) / rate);
	fflush(stderr);
}

void progress_end(void)
{
	if (run.shown) {
		fputs(erase, stderr);
		fflush(stderr);
	}
	if (run.active)
		catch_fatal_signals(false);
	run.active = run.shown = false;
}

pid_t fork_dying_with_parent(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* the parent may have died before the line above: then nobody would kill us */
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}
