// SPDX-License-Identifier: MIT
/*
 * Copies the compiler cannot inline (common.h says why), shared by the
 * engine's register moves and the UABI copies.
 */
#include "common/common.h"

__attribute__((noinline)) void xs_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

__attribute__((noinline)) void xs_zero(void *dst, size_t n)
{
	memset(dst, 0, n);
}
