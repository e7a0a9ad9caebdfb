/* Unit tests of zones/safe.c: text from outside made safe for a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "zones/safe.h"

static void test_safe_returns_plain_text_itself(void **state)
{
    (void)state;
    char buf[64];
    const char *s = "listed: 192.0.2.1 caf\xc3\xa9";      /* UTF-8 passes */
    assert_ptr_equal(dx_safe(s, buf, sizeof(buf)), s);
    assert_string_equal(dx_safe(NULL, buf, sizeof(buf)), "");
}

static void test_safe_escapes_controls_backslash_and_bad_utf8(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe_returns_plain_text_itself),
        cmocka_unit_test(test_safe_escapes_controls_backslash_and_bad_utf8),
        cmocka_unit_test(test_safe_truncates_within_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
