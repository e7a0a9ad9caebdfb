/* Unit tests for zones/txt.c: TXT template expansion, the worst-case
 * length, and the checks the config loader and the CLIs apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/txt.h"

static const struct dx_txt_vars V = { "192.0.2.1", "traps", "bl.example.org", "spam run" };

static void expect_exp(const char *tmpl, const char *want)
{
    char out[512];
    size_t n = dx_txt_expand(tmpl, &V, out, sizeof(out));
    out[n] = 0;
    if (strcmp(out, want) != 0)
        fail_msg("'%s' expanded to '%s', expected '%s'", tmpl, out, want);
}

static void test_expand_fills_the_variables(void **state)
{
    (void)state;
    expect_exp("Listed in $list: $reason - https://example.org/lookup?q=$",
               "Listed in traps: spam run - https://example.org/lookup?q=192.0.2.1");
    expect_exp("$zone", "bl.example.org");
    expect_exp("$$ $$$ $", "$ $192.0.2.1 192.0.2.1");
    expect_exp("q=$&z=$zone.", "q=192.0.2.1&z=bl.example.org.");
    expect_exp("($list)", "(traps)");
    expect_exp("$1", "192.0.2.11");                 /* a digit does not start a name */
    expect_exp("", "");
    expect_exp("no variables", "no variables");
    /* an unknown name (only from an older store): the subject, then the word */
    expect_exp("$listing", "192.0.2.1listing");
    expect_exp("$foo bar", "192.0.2.1foo bar");
    /* NULL values are empty */
    struct dx_txt_vars nv = { "x", NULL, NULL, NULL };
    char out[64];
    size_t n = dx_txt_expand("[$list|$zone|$reason]", &nv, out, sizeof(out));
    assert_int_equal(n, 4);
    assert_memory_equal(out, "[||]", 4);
    assert_int_equal(dx_txt_expand(NULL, &V, out, sizeof(out)), 0);
    /* the output is cut at cap */
    n = dx_txt_expand("abc $ def", &V, out, 6);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "abc 19", 6);
}

static void test_uses_reason_finds_the_reason_variable(void **state)
{
    (void)state;
    assert_true(dx_txt_uses_reason("x $reason"));
    assert_false(dx_txt_uses_reason("x $$reason"));
    assert_false(dx_txt_uses_reason("x $reasons"));
    assert_false(dx_txt_uses_reason("x $ $list"));
    assert_false(dx_txt_uses_reason(NULL));
}

static void test_worst_len_bounds_every_expansion(void **state)
{
    (void)state;
    assert_int_equal(dx_txt_worst_len("abc", 39, 5, 14), 3);
    assert_int_equal(dx_txt_worst_len("$", 39, 5, 14), 39);
    assert_int_equal(dx_txt_worst_len("$$", 39, 5, 14), 1);
    assert_int_equal(dx_txt_worst_len("$list $zone", 39, 5, 14), 5 + 1 + 14);
    assert_int_equal(dx_txt_worst_len("$reason", 39, 5, 14), DX_REASON_MAX);
    assert_int_equal(dx_txt_worst_len("$ $", 253, 0, 0), 2 * 253 + 1);
    assert_int_equal(dx_txt_worst_len(NULL, 39, 5, 14), 0);
}

static void want_check(const char *tmpl, size_t subj, size_t ll, size_t zl, const char *needle)
{
    char err[256] = "";
    int rc = dx_txt_check(tmpl, subj, ll, zl, err, sizeof(err));
    if (!needle) {
        if (rc)
            fail_msg("'%.60s' refused: %s", tmpl, err);
        return;
    }
    if (rc != DX_EINVAL)
        fail_msg("'%.60s' accepted, expected '%s'", tmpl, needle);
    if (!strstr(err, needle))
        fail_msg("expected '%s' in '%s'", needle, err);
}

static void test_check_refuses_unknown_variables_long_and_control_text(void **state)
{
    (void)state;
    want_check("Listed in $list: $reason - https://example.org/lookup?q=$", 39, 5, 14, NULL);
    want_check("", 39, 5, 14, NULL);
    want_check(NULL, 39, 5, 14, NULL);
    want_check("tab\tinside", 39, 5, 14, "control character (0x09) at offset 3");
    want_check("bell\a", 39, 5, 14, "control character (0x07) at offset 4");
    want_check("del\x7f", 39, 5, 14, "control character (0x7f) at offset 3");
    want_check("bytes \xc3\xa9 are fine", 39, 5, 14, NULL);
    want_check("see $url", 39, 5, 14,
                 "unknown variable '$url' at offset 4 (known: $, $list, $zone, $reason, $$)");
    want_check("$listing", 39, 5, 14, "unknown variable '$listing' at offset 0");
    want_check("$List", 39, 5, 14, "unknown variable '$List'");
    want_check("$$url is text", 39, 5, 14, NULL);
    want_check("q=$1", 39, 5, 14, NULL);

    /* the limit, with each variable at its worst */
    char *t = malloc(DX_TXT_MAX + 2);
    assert_non_null(t);
    memset(t, 'x', DX_TXT_MAX);
    t[DX_TXT_MAX] = 0;
    want_check(t, 39, 5, 14, NULL);                           /* exactly 4096 */
    t[DX_TXT_MAX] = 'x';
    t[DX_TXT_MAX + 1] = 0;
    want_check(t, 39, 5, 14, "TXT can expand to 4097 octets, more than 4096");
    /* 4096 - 39 literal octets and `$`: fits an ip zone, not a domain zone */
    memset(t, 'y', DX_TXT_MAX);
    t[DX_TXT_MAX - 39] = '$';
    t[DX_TXT_MAX - 38] = 0;
    want_check(t, 39, 5, 14, NULL);
    want_check(t, 253, 5, 14, "TXT can expand to 4310 octets, more than 4096 ($ counts 253");
    /* $reason counts DX_REASON_MAX */
    memset(t, 'z', DX_TXT_MAX);
    strcpy(t + DX_TXT_MAX - DX_REASON_MAX, "$reason");
    want_check(t, 39, 5, 14, NULL);
    t[DX_TXT_MAX - DX_REASON_MAX] = 'z';
    strcpy(t + DX_TXT_MAX - DX_REASON_MAX + 1, "$reason");
    want_check(t, 39, 5, 14, "$reason 1024)");
    free(t);
    /* $list and $zone count their actual lengths */
    want_check("$list", 39, 4097, 14, "TXT can expand to 4097 octets");
    want_check("$zone", 39, 5, 4097, "TXT can expand to 4097 octets");
    /* tiny error buffers are safe */
    char small[8];
    assert_int_equal(dx_txt_check("$nope", 39, 5, 14, small, sizeof(small)), DX_EINVAL);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(dx_txt_check("$nope", 39, 5, 14, NULL, 0), DX_EINVAL);
}

static void test_check_reason_refuses_what_a_txt_cannot_carry(void **state)
{
    (void)state;
    char err[128];
    assert_int_equal(dx_txt_check_reason(NULL, err, sizeof(err)), 0);
    assert_int_equal(dx_txt_check_reason("", err, sizeof(err)), 0);
    assert_int_equal(dx_txt_check_reason("spam run, see ticket #42", err, sizeof(err)), 0);
    assert_int_equal(dx_txt_check_reason("back\bspace", err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "reason contains a control character (0x08) at offset 4");
    assert_int_equal(dx_txt_check_reason("line\nbreak", err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "reason contains a control character (0x0a) at offset 4");
    char *r = malloc(DX_REASON_MAX + 2);
    assert_non_null(r);
    memset(r, 'r', DX_REASON_MAX);
    r[DX_REASON_MAX] = 0;
    assert_int_equal(dx_txt_check_reason(r, err, sizeof(err)), 0);
    r[DX_REASON_MAX] = 'r';
    r[DX_REASON_MAX + 1] = 0;
    assert_int_equal(dx_txt_check_reason(r, err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "reason is 1025 octets long, more than 1024");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_fills_the_variables),
        cmocka_unit_test(test_uses_reason_finds_the_reason_variable),
        cmocka_unit_test(test_worst_len_bounds_every_expansion),
        cmocka_unit_test(test_check_refuses_unknown_variables_long_and_control_text),
        cmocka_unit_test(test_check_reason_refuses_what_a_txt_cannot_carry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
