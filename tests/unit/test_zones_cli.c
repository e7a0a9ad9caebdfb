/* Unit tests of the programs' shared edge (zones/cli.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zones/cli.h"

static void test_safe_passes_plain_text(void **state)
{
    (void)state;
    char buf[64];
    const char *s = "listed: 192.0.2.1 caf\xc3\xa9";      /* UTF-8 passes */
    assert_ptr_equal(dx_safe(s, buf, sizeof(buf)), s);
    assert_string_equal(dx_safe(NULL, buf, sizeof(buf)), "");
}

static void test_safe_escapes_controls(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(dx_safe("a\x1b[31mred", buf, sizeof(buf)), "a\\x1b[31mred");
    assert_string_equal(dx_safe("bell\a\x7f", buf, sizeof(buf)), "bell\\x07\\x7f");
    assert_string_equal(dx_safe("l1\nl2\tx\r", buf, sizeof(buf)), "l1\\nl2\\tx\\r");
    /* C1 CSI (U+009B) acts like ESC [ on many terminals */
    assert_string_equal(dx_safe("x\xc2\x9b" "31m", buf, sizeof(buf)), "x\\xc2\\x9b31m");
    /* a backslash is escaped, so what is shown is unambiguous */
    assert_string_equal(dx_safe("a\\x1b", buf, sizeof(buf)), "a\\\\x1b");
    /* invalid UTF-8 byte by byte */
    assert_string_equal(dx_safe("\xff\xc3", buf, sizeof(buf)), "\\xff\\xc3");
}

static void test_safe_truncates_within_cap(void **state)
{
    (void)state;
    char buf[16];
    const char *r = dx_safe("\x01\x01\x01\x01\x01\x01\x01\x01", buf, sizeof(buf));
    assert_true(strlen(r) < sizeof(buf));
    assert_int_equal(strncmp(r, "\\x01", 4), 0);
}

static void test_now_test_hook(void **state)
{
    (void)state;
    /* the first call fixes the offset: the clock starts at the value */
    setenv("DNSXL_TEST_NOW", "1800000000", 1);
    uint64_t t = dx_now();
    assert_true(t >= 1800000000u && t < 1800000000u + 3600);
}

static void test_test_point_without_hook_returns(void **state)
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
        cmocka_unit_test(test_safe_passes_plain_text),
        cmocka_unit_test(test_safe_escapes_controls),
        cmocka_unit_test(test_safe_truncates_within_cap),
        cmocka_unit_test(test_now_test_hook),
        cmocka_unit_test(test_test_point_without_hook_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
