// SPDX-License-Identifier: MIT
/* xstate verify --against cpu: placeholder until the engine lands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verify_uabi.h"

int verify_cpu(unsigned long iterations, uint64_t seed, struct verify_result *r)
{
	(void)iterations;
	(void)seed;
	memset(r, 0, sizeof(*r));
	return -ENOSYS;
}
