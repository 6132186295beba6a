/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka tests. */
#ifndef XS_TESTUTIL_H
#define XS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "xstate.h"

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
/* Path of the built xstate tool (XSTATE_BIN). */
const char *xt_xstate_bin(void);

#endif
