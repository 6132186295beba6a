/* SPDX-License-Identifier: MIT */
/*
 * Progress of long runs (verify, bench switch) on standard error, and
 * children that do not outlive the tool.
 *
 * Progress shows only when standard error is a terminal, --quiet was not
 * given, and the run has lasted about a second: then one line, redrawn a
 * few times a second — "LABEL: DONE/TOTAL (P%), RATE/s, about S s left" —
 * and erased at the end, so pipes and logs never see it.
 */
#ifndef XS_PROGRESS_H
#define XS_PROGRESS_H

#include <stdbool.h>
#include <sys/types.h>

/* --quiet: never show progress. */
void progress_quiet(bool quiet);
/* A run of `total` steps begins; the format names it ("verify --against %s"). */
void progress_start(unsigned long long total, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `done` steps are complete (cheap: call it every step). */
void progress_tick(unsigned long long done);
/* The run is over: erase the line. */
void progress_end(void);

/*
 * fork(), and in the child PR_SET_PDEATHSIG: SIGKILL, so that a child
 * (a ptrace tracee, a benchmark task) dies with the tool, however the tool
 * ends — SIGTERM, SIGINT, SIGHUP or SIGKILL. Returns what fork() returns.
 */
pid_t fork_dying_with_parent(void);

#endif
