/* Unit tests of zones/clock.c: the clock and the test hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "zones/clock.h"

static void test_now_starts_at_dnsxl_test_now(void **state)
{
    (void)state;
    /* the first call fixes the offset: the clock starts at the value */
    setenv("DNSXL_TEST_NOW", "1800000000", 1);
    uint64_t t = dx_now();
    assert_true(t >= 1800000000u && t < 1800000000u + 3600);
}

static void test_test_point_returns_unless_its_phase_is_set(void **state)
{
    (void)state;
    unsetenv("DNSXL_TEST_STOP");
    dx_test_point("import-write");
    setenv("DNSXL_TEST_STOP", "other-phase:/nonexistent/x", 1);
    dx_test_point("import-write");          /* another phase: returns */
    unsetenv("DNSXL_TEST_STOP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now_starts_at_dnsxl_test_now),
        cmocka_unit_test(test_test_point_returns_unless_its_phase_is_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
