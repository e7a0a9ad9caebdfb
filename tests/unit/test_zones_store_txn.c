/* Unit tests of a write txn's bookkeeping (zones/store_txn.c): the zones
 * it changed get their serials bumped at commit, once each; a read txn's
 * serial is its snapshot's; the generic prune removes exactly the records
 * older than its bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

static void test_a_commit_bumps_the_serial_of_each_zone_it_changed(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    uint32_t s1, s2, s3;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s1), DX_ENOTFOUND);
    dx_txn_abort(r);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.1", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s1), 0);
    assert_int_equal(dx_zone_serial(r, "dbl.test", &s2), DX_ENOTFOUND);
    assert_int_equal(dx_txn_commit(r), 0);
    assert_int_equal(s1, T_NOW);                  /* the txn's clock */

    /* a changing commit bumps, even within the same second */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "10.0.0.1"), 0);
    assert_int_equal(put(w, "dbl.test", "a", "x.example", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s2), 0);
    assert_int_equal(dx_zone_serial(r, "dbl.test", &s3), 0);
    dx_txn_abort(r);
    assert_int_equal(s2, s1 + 1);
    assert_int_equal(s3, T_NOW);

    /* a read txn and a write txn that changes nothing do not bump */
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_txn_commit(r), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct dx_key k = K("10.0.0.1");
    assert_int_equal(dx_hold_put(w, "bl.test", "a", &k, 5), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.2", 0, 0, 0, NULL), 0);
    dx_txn_abort(w);                              /* aborted: no bump */
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s3), 0);
    dx_txn_abort(r);
    assert_int_equal(s3, s2);
}

/* A read txn reads a zone's serial once per snapshot (store_lookup.c): the
 * same answer within the snapshot whatever commits meanwhile, the new one
 * after a renew, each zone its own when several are asked in turn. */
static void test_a_read_txn_sees_its_snapshot_serial_and_the_new_one_after_renew(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    uint32_t s1 = 0, s2 = 0, s = 0;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.1", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s1), 0);
    assert_int_equal(dx_zone_serial(r, "dbl.test", &s), DX_ENOTFOUND);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);   /* bumps bl.test, creates dbl.test */
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.2", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "x.example", 0, 0, 0, NULL), 0);
    commit_ok(w);
    for (int i = 0; i < 2; i++) {                   /* the snapshot's, asked in turn */
        assert_int_equal(dx_zone_serial(r, "bl.test", &s), 0);
        assert_int_equal(s, s1);
        assert_int_equal(dx_zone_serial(r, "dbl.test", &s), DX_ENOTFOUND);
    }
    assert_int_equal(dx_zone_serial(r, "bl.test", &s), 0);
    dx_txn_reset(r);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s2), 0);
    assert_int_equal(s2, s1 + 1);
    assert_int_equal(dx_zone_serial(r, "dbl.test", &s), 0);
    assert_int_equal(s, T_NOW);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s), 0);
    assert_int_equal(s, s2);
    assert_int_equal(dx_zone_serial(r, "bl.tes", &s), DX_ENOTFOUND);   /* a prefix is not it */

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);   /* renew without a reset first */
    assert_int_equal(del(w, "bl.test", "a", "10.0.0.2"), 0);
    commit_ok(w);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s), 0);
    assert_int_equal(s, s2);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &s), 0);
    assert_int_equal(s, s2 + 1);
    dx_txn_abort(r);
}

static uint32_t serial_of(struct dx_store *st, const char *zone)
{
    struct dx_txn *r;
    uint32_t s = 0;
    assert_int_equal(dx_txn_read(st, &r), 0);
    assert_int_equal(dx_zone_serial(r, zone, &s), 0);
    dx_txn_abort(r);
    return s;
}

/* More zones than the txn's first allocation holds, each changed several
 * times: every one is bumped, once per commit. */
static void test_a_txn_changing_many_zones_bumps_each_once(void **state)
{
    struct fx *f = *state;
    char zone[32];
    struct dx_txn *w;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
        for (int rep = 0; rep < 3; rep++) {
            for (int z = 0; z < 11; z++) {
                snprintf(zone, sizeof(zone), "z%d.test", z);
                char key[32];
                snprintf(key, sizeof(key), "10.0.%d.%d", round, rep);
                assert_int_equal(put(w, zone, "l", key, 0, 0, 0, NULL), 0);
            }
        }
        commit_ok(w);
        for (int z = 0; z < 11; z++) {
            snprintf(zone, sizeof(zone), "z%d.test", z);
            assert_int_equal(serial_of(f->st, zone), T_NOW + (uint32_t)round);
        }
    }
}

/* dx__prune through dx_report_prune: one pass over the whole database,
 * every record before the bound removed (of every zone and key), the
 * others kept. */
static void test_prune_removes_exactly_the_records_before_the_bound(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    size_t removed = 99, n;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_prune(w, 1000, &removed), 0);
    assert_int_equal(removed, 0);
    const char *keys[] = { "192.0.2.1", "192.0.2.2", "2001:db8::1" };
    for (int i = 0; i < 3; i++) {
        struct dx_key k = K(keys[i]);
        assert_int_equal(dx_report_add(w, i == 2 ? "b.test" : "a.test", "r", &k, "x.example",
                                       100 + 100 * (uint64_t)i), 0);
        assert_int_equal(dx_report_add(w, i == 2 ? "b.test" : "a.test", "r", &k, "y.example",
                                       150 + 100 * (uint64_t)i), 0);
    }
    commit_ok(w);
    /* times: 100 150 | 200 250 | 300 350 */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_prune(w, 200, &removed), 0);
    assert_int_equal(removed, 2);
    assert_int_equal(dx_report_prune(w, 200, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(dx_report_prune(w, 301, &removed), 0);
    assert_int_equal(removed, 3);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &w), 0);
    struct dx_key k = K("2001:db8::1");
    assert_int_equal(dx_report_count(w, "b.test", "r", &k, 0, &n), 0);
    assert_int_equal(n, 1);
    k = K("192.0.2.2");
    assert_int_equal(dx_report_count(w, "a.test", "r", &k, 0, &n), 0);
    assert_int_equal(n, 0);
    dx_txn_abort(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_commit_bumps_the_serial_of_each_zone_it_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_txn_changing_many_zones_bumps_each_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_read_txn_sees_its_snapshot_serial_and_the_new_one_after_renew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune_removes_exactly_the_records_before_the_bound,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
