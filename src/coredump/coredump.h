/* SPDX-License-Identifier: MIT */
/*
 * The core-file layer (src/coredump/), the top of the library: each
 * thread's xstate from an ELF core (coredump.c) and the edge that reads a
 * core from a file descriptor (coredump_fd.c). Lays buffers out with the
 * fleet layer's buffer views.
 */
#ifndef XS_COREDUMP_H
#define XS_COREDUMP_H

#include "fleet/fleet.h"

#endif
