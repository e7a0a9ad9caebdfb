/* Unit tests of the domain index (zones/store_dindex.c), through
 * dx_lookup and dx_lookup_below on domain zones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

static void test_domain_lookup_per_list_takes_the_name_then_the_nearest_wildcard(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "dbl.test", "a", "spam.example", 0, 2, 0, "exact"), 0);
    assert_int_equal(put(w, "dbl.test", "a", "*.spam.example", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "good.spam.example", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "old.spam.example", 0, 8, NOW - 1, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "b", "*.example", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "0first", "b.a.spam.example", 0, 5, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "dbl.test", "spam.example", h), 2);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 2);
    assert_int_equal(h[0].plen, 0);
    assert_string_equal(h[0].txt, "exact");
    assert_key(&h[0], "spam.example");
    assert_string_equal(h[1].list, "b");
    assert_int_equal(h[1].code, 4);
    assert_int_equal(h[1].plen, 1);
    assert_key(&h[1], "example");

    assert_int_equal(look(f->st, "dbl.test", "a.spam.example", h), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(h[0].plen, 1);
    assert_key(&h[0], "spam.example");
    assert_int_equal(look(f->st, "dbl.test", "b.a.spam.example", h), 3);
    assert_string_equal(h[0].list, "0first");
    assert_int_equal(h[0].plen, 0);
    assert_string_equal(h[1].list, "a");
    assert_int_equal(h[1].code, 3);
    assert_string_equal(h[2].list, "b");
    /* exclusion: the name itself only */
    assert_int_equal(look(f->st, "dbl.test", "good.spam.example", h), 1);
    assert_string_equal(h[0].list, "b");
    assert_int_equal(look(f->st, "dbl.test", "x.good.spam.example", h), 2);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 3);
    /* expired exact falls back to the wildcard */
    assert_int_equal(look(f->st, "dbl.test", "old.spam.example", h), 2);
    assert_int_equal(h[0].code, 3);
    /* a wildcard never matches its own name */
    assert_int_equal(look(f->st, "dbl.test", "example", h), 0);
    assert_int_equal(look(f->st, "dbl.test", "other.test", h), 0);
    assert_int_equal(look(f->st, "dbl.test", "xspam.example", h), 1);
    assert_string_equal(h[0].list, "b");

    /* delete and replace keep the per-list values right */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "dbl.test", "a", "*.spam.example"), 0);
    assert_int_equal(put(w, "dbl.test", "b", "spam.example", 0, 6, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "spam.example", 0, 7, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "dbl.test", "a.spam.example", h), 1);
    assert_string_equal(h[0].list, "b");
    assert_int_equal(h[0].code, 4);
    assert_int_equal(look(f->st, "dbl.test", "spam.example", h), 2);
    assert_int_equal(h[0].code, 7);
    assert_int_equal(h[1].code, 6);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "dbl.test", "a", "spam.example"), 0);
    assert_int_equal(del(w, "dbl.test", "b", "spam.example"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "dbl.test", "spam.example", h), 1);
    assert_int_equal(h[0].code, 4);
    assert_int_equal(h[0].plen, 1);
}

static void test_lookup_below_a_name_finds_names_and_wildcards_under_it(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "dbl.test", "a", "spam.example", 0, 0, 0, NULL), 0);
    /* sorts between "example.spam" \1 and "example.spam." ('-' < '.') */
    assert_int_equal(put(w, "dbl.test", "a", "spam-x.example", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "*.wild.example", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "ok.wild.example", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "x.y.deep.example", 0, 0, NOW, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "b", "*.exc.example", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    /* list a lists below top.example, but not below mid.top.example;
     * list b excludes below mid2.top.example, which leaves a's wildcard */
    assert_int_equal(put(w, "dbl.test", "a", "*.top.example", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "*.mid.top.example", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "b", "*.mid2.top.example", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    commit_ok(w);

    assert_int_equal(below(f->st, "dbl.test", "example"), 1);
    assert_int_equal(below(f->st, "dbl.test", "spam.example"), 0);    /* the name itself only */
    assert_int_equal(below(f->st, "dbl.test", "spam-x.example"), 0);
    assert_int_equal(below(f->st, "dbl.test", "spam"), 0);
    assert_int_equal(below(f->st, "dbl.test", "org"), 0);
    assert_int_equal(below(f->st, "dbl.test", "wild.example"), 1);    /* *.wild.example */
    /* excluded under a wildcard: x.ok.wild.example is listed by it */
    assert_int_equal(below(f->st, "dbl.test", "ok.wild.example"), 1);
    /* only an expired record below */
    assert_int_equal(below(f->st, "dbl.test", "deep.example"), 0);
    assert_int_equal(below(f->st, "dbl.test", "y.deep.example"), 0);
    assert_int_equal(below_at(f->st, "dbl.test", "deep.example", NOW - 1), 1);
    assert_int_equal(below_at(f->st, "dbl.test", "y.deep.example", NOW - 1), 1);
    /* an excluded wildcard is a record (exc.example exists), but lists
     * nothing below z.exc.example */
    assert_int_equal(below(f->st, "dbl.test", "exc.example"), 1);
    assert_int_equal(below(f->st, "dbl.test", "z.exc.example"), 0);
    /* the nearest wildcard decides, per list */
    assert_int_equal(below(f->st, "dbl.test", "n.top.example"), 1);
    assert_int_equal(below(f->st, "dbl.test", "n.mid.top.example"), 0);
    assert_int_equal(below(f->st, "dbl.test", "n.mid2.top.example"), 1);
    assert_int_equal(below(f->st, "other.test", "example"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_domain_lookup_per_list_takes_the_name_then_the_nearest_wildcard,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_below_a_name_finds_names_and_wildcards_under_it,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
