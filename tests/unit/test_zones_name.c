/* Unit tests for zones/name.c (domain names and labels). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "zones/err.h"
#include "zones/name.h"

static void norm_ok(const char *in, const char *want)
{
    char out[DX_NAME_TEXT_MAX + 1];
    int n = dx_name_norm(in, strlen(in), out);
    if (n < 0 || strcmp(out, want) != 0)
        fail_msg("'%s' -> rc %d, want '%s'", in, n, want);
    assert_int_equal((size_t)n, strlen(want));
}

static void norm_bad(const char *in)
{
    char out[DX_NAME_TEXT_MAX + 1];
    int n = dx_name_norm(in, strlen(in), out);
    if (n != DX_EINVAL)
        fail_msg("'%s' should be refused (rc %d)", in, n);
}

static void test_name_norm_lowercases_and_drops_one_trailing_dot(void **state)
{
    (void)state;
    norm_ok("Spam.Example", "spam.example");
    norm_ok("spam.example.", "spam.example");
    norm_ok("a", "a");
    norm_ok("_dmarc.x-1.EXAMPLE", "_dmarc.x-1.example");
    norm_ok("0.1.2.example", "0.1.2.example");
    /* n bytes of the input only: the zone part of "ZONE/LIST" */
    char out[DX_NAME_TEXT_MAX + 1];
    assert_int_equal(dx_name_norm("Bl.Test/list", 7, out), 7);
    assert_string_equal(out, "bl.test");
}

static void test_name_norm_refuses_bad_labels_and_lengths(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", ".", "..", "a..b", ".a", "a.b..", "a b", "a\tb", "sp@m.example", "a/b", "*.a",
        "caf\xc3\xa9.example", "a\x01" "b", "-\x7f",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        norm_bad(bad[i]);
    /* labels 1..63, names 1..253 (a trailing dot not counted) */
    char name[300];
    memset(name, 'a', 63);
    strcpy(name + 63, ".example");
    norm_ok(name, name);
    memset(name, 'a', 64);
    strcpy(name + 64, ".example");
    norm_bad(name);
    for (int i = 0; i < 127; i++) {
        name[2 * i] = 'b';
        name[2 * i + 1] = '.';
    }
    name[253] = 0;                  /* 127 labels "b." ending in "b": 253 characters */
    assert_int_equal(name[252], 'b');
    norm_ok(name, name);
    name[253] = '.';
    name[254] = 0;
    char out[DX_NAME_TEXT_MAX + 1];
    assert_int_equal(dx_name_norm(name, 254, out), 253);   /* + the trailing dot */
    name[254] = 'b';
    name[255] = 0;
    norm_bad(name);                 /* 255 characters */
}

static void test_name_wire_is_labels_then_the_root(void **state)
{
    (void)state;
    uint8_t w[DX_NAME_TEXT_MAX + 2];
    unsigned labels = 99;
    assert_int_equal(dx_name_wire("bl.example", w, &labels), 12);
    assert_memory_equal(w, "\x02" "bl" "\x07" "example" "\x00", 12);
    assert_int_equal(labels, 2);
    assert_int_equal(dx_name_wire("a", w, &labels), 3);
    assert_memory_equal(w, "\x01" "a" "\x00", 3);
    assert_int_equal(labels, 1);
    /* the longest name: 255 bytes of wire */
    char name[DX_NAME_TEXT_MAX + 1];
    for (int i = 0; i < 127; i++) {
        name[2 * i] = 'b';
        name[2 * i + 1] = '.';
    }
    name[253] = 0;
    assert_int_equal(dx_name_wire(name, w, &labels), 255);
    assert_int_equal(labels, 127);
    assert_int_equal(w[254], 0);
}

static void test_label_norm_reads_one_label(void **state)
{
    (void)state;
    char out[DX_LABEL_MAX + 1];
    assert_int_equal(dx_label_norm("Traps", 5, out), 5);
    assert_string_equal(out, "traps");
    assert_int_equal(dx_label_norm("x_1-y", 5, out), 5);
    assert_string_equal(out, "x_1-y");
    assert_int_equal(dx_label_norm("", 0, out), DX_EINVAL);
    assert_int_equal(dx_label_norm("a.b", 3, out), DX_EINVAL);
    assert_int_equal(dx_label_norm("a/b", 3, out), DX_EINVAL);
    assert_int_equal(dx_label_norm("a b", 3, out), DX_EINVAL);
    char l[70];
    memset(l, 'L', sizeof(l));
    assert_int_equal(dx_label_norm(l, 63, out), 63);
    assert_int_equal(out[62], 'l');
    assert_int_equal(out[63], 0);
    assert_int_equal(dx_label_norm(l, 64, out), DX_EINVAL);
}

static void test_label_chars_are_letters_digits_hyphen_underscore(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        if (dx_label_char((unsigned char)c) != want)
            fail_msg("byte 0x%02x: %d", c, (int)dx_label_char((unsigned char)c));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_norm_lowercases_and_drops_one_trailing_dot),
        cmocka_unit_test(test_name_norm_refuses_bad_labels_and_lengths),
        cmocka_unit_test(test_name_wire_is_labels_then_the_root),
        cmocka_unit_test(test_label_norm_reads_one_label),
        cmocka_unit_test(test_label_chars_are_letters_digits_hyphen_underscore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
