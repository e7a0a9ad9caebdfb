/* Unit tests of the store's holds and reporters (zones/store_holds.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>

#include "tests/unit/store_fixture.h"

static void test_hold_put_then_get_keeps_the_last_until_per_list(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    struct dx_key k = K("192.0.2.1"), k2 = K("192.0.2.2");
    uint64_t until;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_hold_put(w, "bl.test", "a", &k, 12345), 0);
    assert_int_equal(dx_hold_put(w, "bl.test", "b", &k, 777), 0);
    assert_int_equal(dx_hold_put(w, "bl.test", "b", &k, 778), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_hold_get(r, "bl.test", "a", &k, &until), 0);
    assert_int_equal(until, 12345);
    assert_int_equal(dx_hold_get(r, "bl.test", "b", &k, &until), 0);
    assert_int_equal(until, 778);
    assert_int_equal(dx_hold_get(r, "bl.test", "a", &k2, &until), DX_ENOTFOUND);
    assert_int_equal(dx_hold_get(r, "other", "a", &k, &until), DX_ENOTFOUND);
    dx_txn_abort(r);
}

static void test_reports_count_distinct_reporters_since_a_time_and_prune(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    struct dx_key k = K("192.0.2.9"), k2 = K("192.0.2.0/24"), kd = K("spam.example");
    size_t n = 99;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_count(w, "bl.test", "rep", &k, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "a.example", 100), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "b.example", 200), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "c.example", 300), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "a.example", 250), 0); /* later */
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "b.example", 50), 0);  /* older */
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k2, "d.example", 300), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "other", &k, "d.example", 300), 0);
    assert_int_equal(dx_report_add(w, "dom.test", "rep", &kd, "a.example", 300), 0);
    assert_int_equal(dx_report_count(w, "bl.test", "rep", &k, 0, &n), 0);
    assert_int_equal(n, 3);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k, 200, &n), 0);
    assert_int_equal(n, 3);                 /* a 250, b 200, c 300 */
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k, 201, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k, 301, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k2, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dx_report_count(r, "bl.test", "other", &k, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dx_report_count(r, "dom.test", "rep", &kd, 0, &n), 0);
    assert_int_equal(n, 1);
    struct dx_key kn = K("192.0.2.10");
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &kn, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dx_report_count(r, "bl.test", "", &k, 0, &n), DX_EINVAL);
    dx_txn_abort(r);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    size_t removed = 99;
    assert_int_equal(dx_report_prune(w, 250, &removed), 0);
    assert_int_equal(removed, 1);           /* b (200) */
    assert_int_equal(dx_report_count(w, "bl.test", "rep", &k, 0, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(dx_report_prune(w, 301, &removed), 0);
    assert_int_equal(removed, 5);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k, 0, &n), 0);
    assert_int_equal(n, 0);
    dx_txn_abort(r);

    /* bad input is a sticky error of the write txn */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "", 1), DX_EINVAL);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, "x", 1), DX_EINVAL);
    assert_int_equal(dx_txn_commit(w), DX_EINVAL);
    char big[600];
    memset(big, 'r', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "rep", &k, big, 1), DX_EINVAL);
    dx_txn_abort(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_report_count(r, "bl.test", "rep", &k, 0, &n), 0);
    assert_int_equal(n, 0);
    dx_txn_abort(r);
}

/* A store written before `reports` existed opens (the DB is created) and
 * keeps its data. */
static void test_reports_db_is_added_to_a_store_from_before_it(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    commit_ok(w);
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    dx_store_close(f->st);
    f->st = NULL;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, sub, 0, 0644), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "reports", 0, &dbi), 0);
    assert_int_equal(mdb_drop(txn, dbi, 1), 0);           /* as schema 1 had it */
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "reports", 0, &dbi), MDB_NOTFOUND);
    mdb_txn_abort(txn);
    mdb_env_close(env);

    /* a reader may add what a newer schema has (and says so), and does not
     * need to be the one allowed to create stores */
    assert_int_equal(dx_store_open(sub, 0, 0, &f->st), 0);
    assert_int_equal(dx_store_opened(f->st), DX_STORE_UPGRADED);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "192.0.2.1", h), 1);
    struct dx_key k = K("192.0.2.1");
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "a", &k, "r1", 10), 0);
    commit_ok(w);
    struct dx_txn *r;
    size_t n;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_report_count(r, "bl.test", "a", &k, 0, &n), 0);
    assert_int_equal(n, 1);
    dx_txn_abort(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hold_put_then_get_keeps_the_last_until_per_list,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_count_distinct_reporters_since_a_time_and_prune,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_db_is_added_to_a_store_from_before_it,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
