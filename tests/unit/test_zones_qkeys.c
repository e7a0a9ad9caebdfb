/* Unit tests for zones/qkeys.c: the query-keys file (good files, every
 * bad line with FILE:LINE, a key never shown in full in a message, the
 * private-file check), the lookup, and the states a reload shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/err.h"
#include "zones/qkeys.h"

#define K1 "abcdefgh12345678abcdefgh12"       /* DQS-like: 26 letters and digits */
#define K2 "zz9zz9zz9zz9"
#define K3 "onlyletterskey"

static int from_text(const char *text, struct dx_qkeys **t, char *err, size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    int rc = dx_qkeys_read(f, "keys.txt", t, err, errlen);
    fclose(f);
    return rc;
}

static const struct dx_qkey *find(const struct dx_qkeys *t, const char *label)
{
    return dx_qkeys_find(t, (const uint8_t *)label, strlen(label));
}

static void test_a_good_file_loads_and_finds_its_keys(void **state)
{
    (void)state;
    const char *text =
        "\xef\xbb\xbf# query keys\r\n"
        "\n"
        "   # indented comment\n"
        K1 " customer-1 100000/1d\r\n"
        "ZZ9ZZ9ZZ9ZZ9\tCust_2.example\n"
        "  " K3 "   old  disabled   \n"
        "key0000000000000003 quota 5/60";             /* no final line end */
    struct dx_qkeys *t = NULL;
    char err[256] = "";
    assert_int_equal(from_text(text, &t, err, sizeof(err)), 0);
    assert_non_null(t);
    assert_int_equal(t->n, 4);
    const struct dx_qkey *k = find(t, K1);
    assert_non_null(k);
    assert_string_equal(k->name, "customer-1");
    assert_int_equal(k->quota, 100000);
    assert_int_equal(k->period, 86400);
    assert_int_equal(k->line, 4);
    assert_false(k->disabled);
    assert_non_null(k->st);
    k = find(t, K2);                           /* stored lowercase, as questions are */
    assert_non_null(k);
    assert_string_equal(k->name, "Cust_2.example");
    assert_int_equal(k->quota, 0);             /* no quota */
    k = find(t, K3);
    assert_non_null(k);
    assert_true(k->disabled);
    assert_int_equal(find(t, "key0000000000000003")->period, 60);
    assert_null(find(t, "abcdefgh12345678abcdefgh13"));
    assert_null(find(t, "abcdefgh12345678abcdefgh1"));   /* a prefix is no key */
    assert_null(find(t, "ZZ9ZZ9ZZ9ZZ9"));                /* labels come lowercase */
    assert_null(dx_qkeys_find(t, (const uint8_t *)"", 0));
    assert_ptr_equal(dx_qkeys_by_name(t, "old"), find(t, K3));
    assert_null(dx_qkeys_by_name(t, "nobody"));
    /* sorted by name */
    for (size_t i = 1; i < t->n; i++)
        assert_true(strcmp(t->keys[i - 1].name, t->keys[i].name) < 0);
    dx_qkeys_free(t);

    assert_int_equal(from_text("", &t, err, sizeof(err)), 0);   /* no keys at all */
    assert_int_equal(t->n, 0);
    assert_null(find(t, K1));
    dx_qkeys_free(t);
    dx_qkeys_free(NULL);
}

static void test_bad_lines_name_file_and_line_and_never_the_whole_key(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } bad[] = {
        { K1 "\n", "keys.txt:1: expected KEY NAME [QUOTA/PERIOD | disabled], got 1 field" },
        { "# c\n" K1 " a 1/1d extra\n", "keys.txt:2: expected KEY NAME [QUOTA/PERIOD | disabled], "
                                       "got more than 3 fields" },
        { "short12 a\n", "keys.txt:1: bad key of name 'a' (7 characters): a key is 8 to 63" },
        { "abcdefgh-12345 a\n", "keys.txt:1: bad key of name 'a' (14 characters)" },
        { "abcd\xc3\xa9" "fgh12345 a\n", "keys.txt:1: bad key of name 'a'" },
        { "a123456789012345678901234567890123456789012345678901234567890123 a\n",
          "keys.txt:1: bad key of name 'a' (64 characters)" },
        { "short12 na/me\n", "keys.txt:1: bad key #" },       /* no good name: a fingerprint */
        { K1 " na/me\n", "keys.txt:1: bad name 'na/me': a name is 1 to 63 letters" },
        { K1 " n 0/1d\n", "keys.txt:1: bad quota '0/1d'" },
        { K1 " n 10\n", "keys.txt:1: bad quota '10'" },
        { K1 " n 10/forever\n", "keys.txt:1: bad quota '10/forever'" },
        { K1 " n Disabled\n", "keys.txt:1: bad quota 'Disabled'" },
        { K1 " a\n" K2 " b\n\n" K1 " c\n", "keys.txt:4: duplicate key of name 'c' (first on line "
                                          "1, name 'a')" },
        { K1 " a\nABCDEFGH12345678ABCDEFGH12 c\n", "keys.txt:2: duplicate key of name 'c'" },
        { K1 " same\n" K2 " other\n" K3 " same\n", "keys.txt:3: duplicate name 'same' (first on "
                                                 "line 1)" },
        { K1 " a\nx\0y b\n", "keys.txt:2: a NUL byte in the line" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *text = bad[i].text;
        size_t len = strlen(text);
        if (strstr(bad[i].msg, "NUL"))
            len += 1 + strlen(text + len + 1);   /* the text runs past its NUL */
        FILE *f = fmemopen((void *)text, len, "r");
        assert_non_null(f);
        struct dx_qkeys *t = (struct dx_qkeys *)1;
        char err[256] = "";
        int rc = dx_qkeys_read(f, "keys.txt", &t, err, sizeof(err));
        fclose(f);
        if (rc != DX_EINVAL || t != NULL || strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("case %zu: rc %d, message '%s', want '%s...'", i, rc, err, bad[i].msg);
        /* no part of a key: not even its first characters */
        if (strstr(err, "abcd") || strstr(err, "ABCD") || strstr(err, "shor") ||
            strstr(err, "a123"))
            fail_msg("case %zu: the message shows a key: '%s'", i, err);
    }
}

static void test_only_a_private_file_is_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/dx-qkeys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/keys.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(K1 " c1 10/1h\n", f);
    fclose(f);
    struct dx_qkeys *t = NULL;
    char err[512] = "";
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(dx_qkeys_load(path, &t, err, sizeof(err)), DX_EINVAL);
    assert_null(t);
    assert_non_null(strstr(err, "open to others (mode 0644; chmod 640"));
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(dx_qkeys_load(path, &t, err, sizeof(err)), 0);
    assert_string_equal(t->path, path);
    assert_non_null(find(t, K1));
    dx_qkeys_free(t);
    unlink(path);
    assert_int_equal(dx_qkeys_load(path, &t, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(dx_qkeys_load(dir, &t, err, sizeof(err)), DX_EINVAL);   /* a directory */
    assert_non_null(strstr(err, "not a regular file"));
    rmdir(dir);
}

static void test_a_reload_carries_states_over_by_name(void **state)
{
    (void)state;
    char err[256];
    struct dx_qkeys *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(from_text(K1 " c1 5/1h\n" K2 " c2 5/1h\n" K3 " c3\n", &a, err, sizeof(err)), 0);
    const struct dx_qkey *k1 = find(a, K1), *k2 = find(a, K2);
    for (int i = 0; i < 3; i++) {
        dx_win_add(&k1->st->win, 1800000000, 3600);
        dx_win_add(&k2->st->win, 1800000000, 3600);
        atomic_fetch_add(&k1->st->queries, 1);
    }
    /* the next file: c1 keeps its quota under a new key (rotation), c2 gets
     * a new period, c3 is gone, c4 is new */
    assert_int_equal(from_text("newkey123456 c1 5/1h\n" K2 " c2 5/1d\nfresh0000001 c4\n", &b, err,
                               sizeof(err)), 0);
    dx_qkeys_share(b, a);
    const struct dx_qkey *n1 = find(b, "newkey123456"), *n2 = find(b, K2);
    assert_ptr_equal(n1->st, k1->st);
    assert_int_equal(dx_win_count(&n1->st->win, 1800000000, 3600), 3);
    assert_int_equal(atomic_load(&n1->st->queries), 3);
    assert_ptr_equal(n2->st, k2->st);
    assert_int_equal(dx_win_count(&n2->st->win, 1800000000, 86400), 0);   /* afresh */
    assert_int_equal(n2->st->period, 86400);
    assert_int_equal(find(b, "fresh0000001")->st->refs, 1);
    dx_qkeys_share(b, NULL);
    /* the old table goes (as a retired config does), the states stay */
    dx_qkeys_free(a);
    assert_int_equal(n1->st->refs, 1);
    assert_int_equal(dx_win_add(&n1->st->win, 1800000000, 3600), 4);
    /* and again: sharing twice is harmless */
    assert_int_equal(from_text("newkey123456 c1 5/1h\n", &c, err, sizeof(err)), 0);
    dx_qkeys_share(c, b);
    dx_qkeys_share(c, b);
    assert_int_equal(find(c, "newkey123456")->st->refs, 2);
    dx_qkeys_free(b);
    assert_int_equal(dx_win_count(&find(c, "newkey123456")->st->win, 1800000000, 3600), 4);
    dx_qkeys_free(c);
}

static void test_key_syntax_and_shown_prefix(void **state)
{
    (void)state;
    bool d = false;
    assert_true(dx_qkey_syntax((const uint8_t *)"abcdefgh", 8, &d));
    assert_false(d);
    assert_true(dx_qkey_syntax((const uint8_t *)"abcdefg1", 8, &d));
    assert_true(d);
    assert_false(dx_qkey_syntax((const uint8_t *)"abcdefg", 7, NULL));
    assert_false(dx_qkey_syntax((const uint8_t *)"Abcdefgh", 8, NULL));   /* labels are lowercase */
    assert_false(dx_qkey_syntax((const uint8_t *)"abcd-fgh", 8, NULL));
    assert_false(dx_qkey_syntax((const uint8_t *)"255", 3, NULL));        /* no address label */
    /* fingerprints: "#" and 8 hex digits, the same for the same key */
    char a[DX_QKEY_FP_LEN], b[DX_QKEY_FP_LEN], c[DX_QKEY_FP_LEN];
    dx_qkey_fingerprint(K1, strlen(K1), a);
    dx_qkey_fingerprint(K1, strlen(K1), b);
    dx_qkey_fingerprint(K2, strlen(K2), c);
    assert_int_equal(strlen(a), 9);
    assert_int_equal(a[0], '#');
    assert_int_equal(strspn(a + 1, "0123456789abcdef"), 8);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_file_loads_and_finds_its_keys),
        cmocka_unit_test(test_bad_lines_name_file_and_line_and_never_the_whole_key),
        cmocka_unit_test(test_only_a_private_file_is_read),
        cmocka_unit_test(test_a_reload_carries_states_over_by_name),
        cmocka_unit_test(test_key_syntax_and_shown_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
