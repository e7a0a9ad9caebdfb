/* Unit tests for zones/code.c (answer codes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "zones/code.h"
#include "zones/err.h"

static void test_code_parse_reads_a_dotted_quad_or_the_short_form(void **state)
{
    (void)state;
    uint32_t c = 0;
    assert_int_equal(dx_code_parse("127.0.0.2", 0, &c), 0);
    assert_int_equal(c, 0x7f000002u);
    assert_int_equal(dx_code_parse("10.1.2.3", 0, &c), 0);      /* any address parses */
    assert_int_equal(c, 0x0a010203u);
    assert_int_equal(dx_code_parse("0.0.0.0", 0, &c), 0);
    assert_int_equal(c, 0);
    /* the short form only when asked: "N" = 127.0.0.N, leading zeros allowed */
    c = 1234;
    assert_int_equal(dx_code_parse("3", 0, &c), DX_EINVAL);
    assert_int_equal(c, 1234);
    assert_int_equal(dx_code_parse("3", DX_CODE_SHORT, &c), 0);
    assert_int_equal(c, 0x7f000003u);
    assert_int_equal(dx_code_parse("010", DX_CODE_SHORT, &c), 0);
    assert_int_equal(c, 0x7f00000au);
    assert_int_equal(dx_code_parse("255", DX_CODE_SHORT, &c), 0);
    assert_int_equal(c, 0x7f0000ffu);
    assert_int_equal(dx_code_parse("127.0.0.4", DX_CODE_SHORT, &c), 0);
    assert_int_equal(c, 0x7f000004u);
    c = 1234;
    static const char *const bad[] = {
        "", "256", "0255", "-1", "+3", "127.0.0", "127.0.0.02", "127.0.0.256", "::1",
        "127.0.0.2 ", "localhost", "0x7f000002",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (dx_code_parse(bad[i], DX_CODE_SHORT, &c) != DX_EINVAL)
            fail_msg("'%s' should be refused", bad[i]);
        assert_int_equal(c, 1234);
    }
}

static void test_code_reserved_keeps_answers_clients_misread(void **state)
{
    (void)state;
    assert_null(dx_code_reserved(0x7f000002u));
    assert_null(dx_code_reserved(0x7f000000u));
    assert_null(dx_code_reserved(0x7ffffeffu));
    assert_null(dx_code_reserved(0x7f010001u));
    assert_string_equal(dx_code_reserved(0x0a000002u), "is outside 127.0.0.0/8");
    assert_string_equal(dx_code_reserved(0x80000002u), "is outside 127.0.0.0/8");
    assert_non_null(strstr(dx_code_reserved(0x7f000001u), "is reserved: RFC 5782 clients read"));
    assert_non_null(strstr(dx_code_reserved(0x7fffff00u), "reserved for error answers"));
    assert_non_null(strstr(dx_code_reserved(0x7fffffffu), "reserved for error answers"));
    assert_true(dx_code_in_range(0x7f000001u));
    assert_true(dx_code_in_range(0x7fffffffu));
    assert_false(dx_code_in_range(0x7e000002u));
    assert_false(dx_code_in_range(0x80000000u));
}

static void test_code_text_is_the_dotted_quad(void **state)
{
    (void)state;
    char buf[DX_CODE_TEXT_MAX];
    assert_string_equal(dx_code_text(0x7f000002u, buf), "127.0.0.2");
    assert_string_equal(dx_code_text(0xffffffffu, buf), "255.255.255.255");
    assert_string_equal(dx_code_text(0, buf), "0.0.0.0");
    /* the text parses back */
    uint32_t c;
    assert_int_equal(dx_code_parse(dx_code_text(0x7f0a0b0cu, buf), 0, &c), 0);
    assert_int_equal(c, 0x7f0a0b0cu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_parse_reads_a_dotted_quad_or_the_short_form),
        cmocka_unit_test(test_code_reserved_keeps_answers_clients_misread),
        cmocka_unit_test(test_code_text_is_the_dotted_quad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
