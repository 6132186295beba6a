// SPDX-License-Identifier: MIT
/*
 * A fixture test runs as if on a machine whose CPU cannot be read.
 *
 * tests/CMakeLists.txt links every test program, and the tests' copy of
 * the xstate tool (tests/xstate, the installed tool's objects; the
 * installed tool itself has no such hook), with
 * -Wl,--wrap=xs_cpu_from_host,--wrap=xs_hw_init.
 * Where CTest runs a test labelled fixture it sets XS_TEST_LABEL=fixture,
 * and then both fail with -EPERM ("cannot read the live CPU: Operation not
 * permitted"): a fixture test that reads the live CPU, itself or through
 * the tool, fails on every machine instead of passing only on some. With
 * any other label, or outside CTest, they are the library's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xstate.h"

int __real_xs_cpu_from_host(xs_cpu *cpu);
int __real_xs_hw_init(struct xs_hw *hw);
int __wrap_xs_cpu_from_host(xs_cpu *cpu);
int __wrap_xs_hw_init(struct xs_hw *hw);

static int fixture_test(void)
{
	const char *label = getenv("XS_TEST_LABEL");

	return label && !strcmp(label, "fixture");
}

int __wrap_xs_cpu_from_host(xs_cpu *cpu)
{
	return fixture_test() ? -EPERM : __real_xs_cpu_from_host(cpu);
}

int __wrap_xs_hw_init(struct xs_hw *hw)
{
	if (fixture_test()) {
		memset(hw, 0, sizeof(*hw));	/* no instruction usable */
		return -EPERM;
	}
	return __real_xs_hw_init(hw);
}
