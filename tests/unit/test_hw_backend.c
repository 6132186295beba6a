// SPDX-License-Identifier: MIT
/*
 * The hardware backend (src/hw/hw.c) without a CPU: a backend whose
 * xs_hw_init() found nothing refuses every instruction instead of executing
 * it (test_engine_hw.c runs them on the live CPU).
 */
#include <errno.h>

#include "engine_util.h"

/* The backend refuses what the CPU lacks instead of executing it. */
static void test_hw_backend_refuses_missing_instructions(void **state)
{
	struct xs_hw none = { 0 };
	uint8_t *a = et_area(4096);
	uint64_t v;
	struct xs_hw_step step = { .op = XS_HW_OP_XSAVEC, .buf = a, .arg = 3 };

	(void)state;
	assert_int_equal(xs_hw_xsave(&none, a, 3, 0), -EOPNOTSUPP);
	assert_int_equal(xs_hw_xsavec(&none, a, 3, 0), -EOPNOTSUPP);
	assert_int_equal(xs_hw_xrstor(&none, a, 3, 0), -EOPNOTSUPP);
	assert_int_equal(xs_hw_fxsave(&none, a, 0), -EOPNOTSUPP);
	assert_int_equal(xs_hw_xgetbv(&none, 0, &v), -EOPNOTSUPP);
	assert_int_equal(xs_hw_run(&none, &step, 1), -EOPNOTSUPP);
	none.xsave = true;
	none.xcr0 = 3;
	assert_int_equal(xs_hw_run(&none, &step, 1), -EOPNOTSUPP);	/* no XSAVEC */
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hw_backend_refuses_missing_instructions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
