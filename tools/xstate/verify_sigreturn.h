/* SPDX-License-Identifier: MIT */
/* xstate verify --against sigreturn (verify_sigreturn.c). */
#ifndef XS_VERIFY_SIGRETURN_H
#define XS_VERIFY_SIGRETURN_H

#include "verify_uabi.h"

int verify_sigreturn(unsigned long iterations, uint64_t seed, struct verify_result *r);

#endif
