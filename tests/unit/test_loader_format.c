/* Unit tests: input formats (loader/format.c), the rbldnsd combined
 * dataset that dnsxl-admin export and dnsxl-loader publish write, read
 * into one list by import and sync. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/format.h"
#include "loader/import.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

struct fx {
    struct dx_imp_set s;
    char err[512];
    char dump[8192];
    int used;
};

static int setup(void **state)
{
    static struct fx f;
    *state = &f;
    return 0;
}

static int each(void **state)
{
    struct fx *f = *state;
    memset(f, 0, sizeof(*f));
    dx_imp_set_init(&f->s);
    assert_int_equal(dx_imp_add_file(&f->s, "bl.test.combined"), 0);
    return 0;
}

static int each_end(void **state)
{
    struct fx *f = *state;
    dx_imp_set_free(&f->s);
    return 0;
}

static int parse(struct fx *f, const char *text, int fmt, bool ip, const char *list)
{
    const struct dx_rbl_value lv = { .code = 0x7f000002u, .txt = NULL, .list = list };
    f->err[0] = 0;
    return dx_fmt_parse(&f->s, 0, text, strlen(text), fmt, ip, &lv, &f->used, f->err,
                        sizeof(f->err));
}

/* "LINE [!]KEY CODE TXT" per record */
static const char *dump(struct fx *f)
{
    size_t n = 0;
    f->dump[0] = 0;
    for (size_t i = 0; i < f->s.n; i++) {
        const struct dx_imp_rec *r = &f->s.recs[i];
        struct dx_key k;
        char kt[DX_KEY_TEXT_MAX];
        dx_imp_key(&f->s, r, &k);
        assert_true(dx_key_format(&k, kt, sizeof(kt)) > 0);
        const char *t = dx_imp_txt(&f->s, r);
        n += (size_t)snprintf(f->dump + n, sizeof(f->dump) - n, "%u %s%s %u %s\n",
                              (unsigned)r->line, (r->flags & DX_ENTRY_EXCLUDE) ? "!" : "", kt,
                              r->code & 255, t ? t : "-");
        assert_true(n < sizeof(f->dump));
    }
    return f->dump;
}

/* what dnsxl-admin export writes for a zone of two lists */
static const char ZONE2[] =
    "# zone bl.test for rbldnsd: ZONE:combined:FILE (dnsxl-admin(8), export)\n" /* 1 */
    "$DATASET ip4trie:spam @\n"                                                  /* 2 */
    ":127.0.0.2:\n"                                                              /* 3 */
    "10.0.0.0/24 :127.0.0.2:Listed in spam: r1 see $\n"                          /* 4 */
    "!10.0.0.7\n"                                                                /* 5 */
    "$DATASET ip6trie:spam @\n"                                                  /* 6 */
    ":127.0.0.2:\n"                                                              /* 7 */
    "2001:db8::/33 :127.0.0.2:v6 $\n"                                            /* 8 */
    "$DATASET ip4trie:manual @\n"                                                /* 9 */
    ":127.0.0.3:manual $\n"                                                      /* 10 */
    "10.0.0.5\n"                                                                 /* 11 */
    "10.0.1.0/25\n"                                                              /* 12 */
    "$DATASET ip4trie:test.point @\n"                                            /* 13 */
    ":127.0.0.2:Listed\n"                                                        /* 14 */
    "127.0.0.2\n";                                                               /* 15 */

static void test_names(void **state)
{
    (void)state;
    int fmt = 0;
    char err[200];
    assert_int_equal(dx_fmt_parse_name("combined", true, &fmt, err, sizeof(err)), 0);
    assert_int_equal(fmt, DX_FMT_COMBINED);
    assert_int_equal(dx_fmt_parse_name("combined", false, &fmt, err, sizeof(err)), 0);
    assert_string_equal(dx_fmt_name(DX_FMT_COMBINED), "combined");
    assert_int_equal(dx_fmt_parse_name("combine", true, &fmt, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "combined)"));
}

static void test_parts_of_the_list(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, ZONE2, DX_FMT_AUTO, true, "spam"), 0);
    assert_int_equal(f->used, DX_FMT_COMBINED);
    assert_string_equal(dump(f), "4 10.0.0.0/24 2 Listed in spam: r1 see $\n"
                                 "5 !10.0.0.7 0 -\n"
                                 "8 2001:db8::/33 2 v6 $\n");
}

static void test_other_list_defaults_start_afresh(void **state)
{
    struct fx *f = *state;
    /* manual's default line differs from the list value given: copied in */
    assert_int_equal(parse(f, ZONE2, DX_FMT_COMBINED, true, "manual"), 0);
    assert_string_equal(dump(f), "11 10.0.0.5 3 manual $\n"
                                 "12 10.0.1.0/25 3 manual $\n");
}

static void test_one_list_under_another_name(void **state)
{
    struct fx *f = *state;
    /* a list's export (and the test point part) into a list named otherwise */
    const char *one = "$DATASET ip4trie:spam @\n"
                      "10.0.0.1\n"
                      "$DATASET ip4trie:test.point @\n"
                      "127.0.0.2\n"
                      "$DATASET ip6trie:spam\n"
                      "2001:db8::1\n";
    assert_int_equal(parse(f, one, DX_FMT_AUTO, true, "mirror"), 0);
    assert_string_equal(dump(f), "2 10.0.0.1 0 -\n6 2001:db8::1 0 -\n");
    /* several lists, none of this name */
    assert_int_equal(parse(f, ZONE2, DX_FMT_AUTO, true, "mirror"), DX_EINVAL);
    assert_string_equal(f->err, "bl.test.combined: combined dataset: no $DATASET part for list"
                                " 'mirror' (its parts name several lists)");
}

static void test_domain_parts(void **state)
{
    struct fx *f = *state;
    const char *d = "# a domain zone\n"
                    "$DATASET dnset:dom @\n"
                    ":127.0.0.4:dom $\n"
                    "*.spam.example\n"
                    "!ok.spam.example\n";
    assert_int_equal(parse(f, d, DX_FMT_AUTO, false, "dom"), 0);
    assert_string_equal(dump(f), "4 *.spam.example 4 dom $\n5 !ok.spam.example 0 -\n");
}

static void test_bad_combined(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, "10.0.0.1\n$DATASET ip4trie:spam @\n", DX_FMT_COMBINED, true,
                           "spam"), DX_EINVAL);
    assert_string_equal(f->err, "bl.test.combined:1: combined dataset: a line before the first"
                                " $DATASET");
    assert_int_equal(parse(f, "$DATASET generic:spam @\n", DX_FMT_AUTO, true, "spam"),
                     DX_EINVAL);
    assert_non_null(strstr(f->err, "bl.test.combined:1: $DATASET: unknown dataset type"));
    assert_int_equal(parse(f, "$DATASET dnset:spam @\n", DX_FMT_AUTO, true, "spam"), DX_EINVAL);
    assert_non_null(strstr(f->err, "does not fit a zone of kind ip"));
    assert_int_equal(parse(f, "\n$DATASET ip4trie:spam sub\n", DX_FMT_AUTO, true, "spam"),
                     DX_EINVAL);
    assert_non_null(strstr(f->err, ":2: $DATASET: parts for a subzone"));
    assert_int_equal(parse(f, "$DATASET ip4trie:spam @ @\n", DX_FMT_AUTO, true, "spam"),
                     DX_EINVAL);
    /* an error inside a part names the file's own line */
    assert_int_equal(parse(f, "$DATASET ip4trie:manual @\n10.0.0.1\n$DATASET ip4trie:spam @\n"
                              ":127.0.0.2:\n10.0.0.300\n", DX_FMT_AUTO, true, "spam"),
                     DX_EINVAL);
    assert_non_null(strstr(f->err, "bl.test.combined:5: "));
    /* a combined file given as another type: that reader refuses $DATASET */
    dx_imp_set_free(&f->s);
    dx_imp_set_init(&f->s);
    assert_int_equal(dx_imp_add_file(&f->s, "bl.test.combined"), 0);
    assert_int_equal(parse(f, ZONE2, DX_RBL_IP4TRIE, true, "spam"), DX_EINVAL);
    assert_non_null(strstr(f->err, "$DATASET"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names, each, each_end),
        cmocka_unit_test_setup_teardown(test_parts_of_the_list, each, each_end),
        cmocka_unit_test_setup_teardown(test_other_list_defaults_start_afresh, each, each_end),
        cmocka_unit_test_setup_teardown(test_one_list_under_another_name, each, each_end),
        cmocka_unit_test_setup_teardown(test_domain_parts, each, each_end),
        cmocka_unit_test_setup_teardown(test_bad_combined, each, each_end),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
