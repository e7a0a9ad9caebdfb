/* Unit tests for admin/print.c (dnsxl-admin's output: times, rows, safe
 * text, JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/print.h"

/* What fn wrote to a FILE, as a string (free it). */
#define CAPTURE(out, stmts)                                                     \
    do {                                                                        \
        char *buf_ = NULL;                                                      \
        size_t len_ = 0;                                                        \
        FILE *f = open_memstream(&buf_, &len_);                                 \
        assert_non_null(f);                                                     \
        stmts;                                                                  \
        assert_int_equal(fclose(f), 0);                                         \
        (out) = buf_;                                                           \
    } while (0)

static void test_print_time_is_iso8601_utc_and_never_for_no_expiry(void **state)
{
    (void)state;
    char buf[32];
    dx_print_time(1800000000u, buf, sizeof(buf));
    assert_string_equal(buf, "2027-01-15T08:00:00Z");
    dx_print_time(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    dx_print_expiry(0, buf, sizeof(buf));
    assert_string_equal(buf, "never");
    dx_print_expiry(1800000000u, buf, sizeof(buf));
    assert_string_equal(buf, "2027-01-15T08:00:00Z");
    /* a time gmtime cannot show is printed as the number */
    dx_print_time((uint64_t)1 << 62, buf, sizeof(buf));
    assert_string_equal(buf, "4611686018427387904");
}

static void test_print_row_pads_columns_and_shows_null_as_a_dash(void **state)
{
    (void)state;
    const char *h[3] = { "KEY", "CODE", "REASON" };
    const char *r[3] = { "192.0.2.1", NULL, "spam run" };
    int w[3] = { 0, 0, 0 };
    dx_print_widen(h, w, 3);
    dx_print_widen(r, w, 3);
    assert_int_equal(w[0], 9);
    assert_int_equal(w[1], 4);
    assert_int_equal(w[2], 8);
    char *out;
    CAPTURE(out, { dx_print_row(f, h, w, 3); dx_print_row(f, r, w, 3); });
    assert_string_equal(out, "KEY        CODE  REASON\n"
                             "192.0.2.1  -     spam run\n");
    free(out);
}

static void test_print_safe_escapes_controls_and_shows_empty_as_a_dash(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(dx_print_safe(NULL, buf, sizeof(buf)), "-");
    assert_string_equal(dx_print_safe("", buf, sizeof(buf)), "-");
    const char *plain = "listed: caf\xc3\xa9";
    assert_ptr_equal(dx_print_safe(plain, buf, sizeof(buf)), plain);
    assert_string_equal(dx_print_safe("a\x1b[2Jb\n", buf, sizeof(buf)), "a\\x1b[2Jb\\n");
}

static void test_json_escape_always_writes_valid_json(void **state)
{
    (void)state;
    char *out;
    CAPTURE(out, {
        dx_json_escape(f, "plain");
        putc(' ', f);
        dx_json_escape(f, "q\"b\\n\nr\rt\tb\bf\f");
        putc(' ', f);
        dx_json_escape(f, "c\x01" "d\x7f");
        putc(' ', f);
        dx_json_escape(f, "caf\xc3\xa9 \xff\xc3");
        putc(' ', f);
        dx_json_escape(f, NULL);
    });
    assert_string_equal(out, "\"plain\" \"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f\" \"c\\u0001d\\u007f\" "
                             "\"caf\xc3\xa9 \\ufffd\\ufffd\" null");
    free(out);
}

static void test_json_writer_places_commas_and_ends_with_a_newline(void **state)
{
    (void)state;
    char *out;
    CAPTURE(out, {
        struct dx_json j;
        dx_json_init(&j, f);
        dx_json_obj_begin(&j, NULL);
        dx_json_str(&j, "key", "192.0.2.1");
        dx_json_u64(&j, "hits", 3);
        dx_json_bool(&j, "exclude", false);
        dx_json_null(&j, "reason");
        dx_json_time(&j, "expires", 0);
        dx_json_time(&j, "first", 1800000000u);
        dx_json_arr_begin(&j, "lists");
        dx_json_str(&j, NULL, "traps");
        dx_json_obj_begin(&j, NULL);
        dx_json_obj_end(&j);
        dx_json_str(&j, NULL, NULL);
        dx_json_arr_end(&j);
        dx_json_obj_end(&j);
    });
    assert_string_equal(out, "{\"key\":\"192.0.2.1\",\"hits\":3,\"exclude\":false,\"reason\":null,"
                             "\"expires\":null,\"first\":\"2027-01-15T08:00:00Z\","
                             "\"lists\":[\"traps\",{},null]}\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_time_is_iso8601_utc_and_never_for_no_expiry),
        cmocka_unit_test(test_print_row_pads_columns_and_shows_null_as_a_dash),
        cmocka_unit_test(test_print_safe_escapes_controls_and_shows_empty_as_a_dash),
        cmocka_unit_test(test_json_escape_always_writes_valid_json),
        cmocka_unit_test(test_json_writer_places_commas_and_ends_with_a_newline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
