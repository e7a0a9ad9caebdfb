/* Unit tests of what a scrape reads without scanning the store
 * (zones/store_counts.c, zones/store_runs.c): entry counts kept by the
 * writers (puts, replaces, deletes, expiry, aborted txns, a store from
 * before counts), entries expired and not swept, the time of each zone's
 * last change, the map's use, and the loader's run records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>

#include "store_fixture.h"

struct seen {
    char zone[64], list[64];
    uint64_t n;
};

struct seen_set {
    struct seen s[16];
    size_t n;
};

static int collect(void *arg, const char *zone, const char *list, uint64_t n)
{
    struct seen_set *ss = arg;
    assert_true(ss->n < 16);
    snprintf(ss->s[ss->n].zone, 64, "%s", zone);
    snprintf(ss->s[ss->n].list, 64, "%s", list);
    ss->s[ss->n++].n = n;
    return 0;
}

static uint64_t count(struct dx_store *st, const char *zone, const char *list)
{
    struct dx_txn *t;
    uint64_t n = 99;
    assert_int_equal(dx_txn_read(st, &t), 0);
    assert_int_equal(dx_count_get(t, zone, list, &n), 0);
    dx_txn_abort(t);
    return n;
}

static void test_counts_follow_puts_replaces_and_deletes(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(count(f->st, "bl.example", "traps"), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.2", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 0, "again"), 0);
    assert_int_equal(put(w, "bl.example", "manual", "198.51.100.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.example", "spam", "*.spam.example", 0, 0, 0, NULL), 0);
    uint64_t n;
    assert_int_equal(dx_count_get(w, "bl.example", "traps", &n), 0);    /* its own puts */
    assert_int_equal(n, 2);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(count(f->st, "bl.example", "traps"), 2);
    assert_int_equal(count(f->st, "bl.example", "manual"), 1);
    assert_int_equal(count(f->st, "dbl.example", "spam"), 1);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.example", "traps", "192.0.2.1"), 0);
    assert_int_equal(del(w, "bl.example", "traps", "192.0.2.9"), DX_ENOTFOUND);
    assert_int_equal(del(w, "bl.example", "manual", "198.51.100.0/24"), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(count(f->st, "bl.example", "traps"), 1);
    assert_int_equal(count(f->st, "bl.example", "manual"), 0);

    /* an aborted txn changes nothing */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.3", 0, 0, 0, NULL), 0);
    dx_txn_abort(w);
    assert_int_equal(count(f->st, "bl.example", "traps"), 1);

    /* every zone/list with entries, in key order; an emptied list is gone */
    struct dx_txn *t;
    struct seen_set ss = { .n = 0 };
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_count_foreach(t, collect, &ss), 0);
    dx_txn_abort(t);
    assert_int_equal(ss.n, 2);
    assert_string_equal(ss.s[0].zone, "bl.example");
    assert_string_equal(ss.s[0].list, "traps");
    assert_int_equal(ss.s[0].n, 1);
    assert_string_equal(ss.s[1].zone, "dbl.example");
    assert_int_equal(ss.s[1].n, 1);
}

static void test_a_bulk_put_counts_exactly(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (unsigned i = 0; i < 5000; i++) {
        char k[32];
        snprintf(k, sizeof(k), "10.%u.%u.0/24", i / 256, i % 256);
        assert_int_equal(put(w, "bl.example", i % 3 ? "a" : "b", k, 0, 0, 0, NULL), 0);
    }
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(count(f->st, "bl.example", "a"), 3333);
    assert_int_equal(count(f->st, "bl.example", "b"), 1667);
}

static void test_expired_entries_are_counted_until_swept(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 100, NULL), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.2", 0, 0, 200, NULL), 0);
    assert_int_equal(put(w, "bl.example", "manual", "192.0.2.3", 0, 0, 150, NULL), 0);
    assert_int_equal(put(w, "bl.example", "manual", "192.0.2.4", 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    struct dx_txn *t;
    struct seen_set ss = { .n = 0 };
    bool more = true;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_expired_count(t, 160, 100, collect, &ss, &more), 0);
    assert_false(more);
    assert_int_equal(ss.n, 2);
    uint64_t traps = 0, manual = 0;
    for (size_t i = 0; i < ss.n; i++)
        *(strcmp(ss.s[i].list, "traps") == 0 ? &traps : &manual) = ss.s[i].n;
    assert_int_equal(traps, 1);
    assert_int_equal(manual, 1);
    /* a bound on the records read: the counts are then a lower bound */
    ss.n = 0;
    assert_int_equal(dx_expired_count(t, 1000, 2, collect, &ss, &more), 0);
    assert_true(more);
    dx_txn_abort(t);

    /* the sweep removes them, and the counts follow */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    size_t removed;
    assert_int_equal(dx_expire(w, 160, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 2);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(count(f->st, "bl.example", "traps"), 1);
    assert_int_equal(count(f->st, "bl.example", "manual"), 1);
    ss.n = 0;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_expired_count(t, 160, 100, collect, &ss, &more), 0);
    dx_txn_abort(t);
    assert_int_equal(ss.n, 0);
}

static void test_the_last_change_is_recorded_with_the_serial(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *t;
    uint64_t at;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_zone_changed_at(t, "bl.example", &at), DX_ENOTFOUND);
    dx_txn_abort(t);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW + 50, &w), 0);
    assert_int_equal(put(w, "dbl.example", "spam", "spam.example", 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_zone_changed_at(t, "bl.example", &at), 0);
    assert_int_equal(at, T_NOW);
    assert_int_equal(dx_zone_changed_at(t, "dbl.example", &at), 0);
    assert_int_equal(at, T_NOW + 50);
    uint64_t map, file, used;
    assert_int_equal(dx_store_usage(f->st, &map, &file, &used), 0);
    assert_true(map >= (1ULL << 30));
    assert_true(used > 0 && used <= file);
    dx_txn_abort(t);
}

/* A store written before the counts database existed: the first open
 * counts its entries once. */
static void test_a_store_without_counts_is_counted_at_open(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (unsigned i = 0; i < 300; i++) {
        char k[32];
        snprintf(k, sizeof(k), "192.0.%u.%u", i / 200, i % 200);
        assert_int_equal(put(w, "bl.example", i < 100 ? "manual" : "traps", k, 0, 0, 0, NULL),
                         0);
    }
    assert_int_equal(put(w, "dbl.example", "spam", "spam.example", 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    char dir[256];
    snprintf(dir, sizeof(dir), "%s", dx_store_dir(f->st));
    dx_store_close(f->st);
    f->st = NULL;

    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_set_mapsize(env, 1ULL << 30), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "counts", 0, &dbi), 0);
    assert_int_equal(mdb_drop(txn, dbi, 1), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    assert_int_equal(dx_store_open(dir, 1ULL << 30, 0, &f->st), 0);
    assert_true(dx_store_opened(f->st) & DX_STORE_UPGRADED);
    assert_int_equal(count(f->st, "bl.example", "manual"), 100);
    assert_int_equal(count(f->st, "bl.example", "traps"), 200);
    assert_int_equal(count(f->st, "dbl.example", "spam"), 1);
}

struct runs_seen {
    struct dx_run r[4];
    char cmd[4][32], target[4][64], msg[4][64];
    size_t n;
};

static int run_cb(void *arg, const struct dx_run *r)
{
    struct runs_seen *rs = arg;
    assert_true(rs->n < 4);
    rs->r[rs->n] = *r;
    snprintf(rs->cmd[rs->n], 32, "%s", r->command);
    snprintf(rs->target[rs->n], 64, "%s", r->target);
    snprintf(rs->msg[rs->n], 64, "%s", r->message ? r->message : "(none)");
    rs->n++;
    return 0;
}

static void test_a_run_record_is_replaced_per_command_and_target(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *t;
    struct dx_run a = { .command = "traps", .target = "bl.example/traps", .started = 10,
                        .finished = 12, .added = 5 };
    struct dx_run b = { .command = "expire", .target = "", .started = 20, .finished = 21,
                        .status = 2, .message = "disk full" };
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_run_put(w, &a), 0);
    assert_int_equal(dx_run_put(w, &b), 0);
    struct dx_run bad = { .command = "", .target = "" };
    assert_int_equal(dx_run_put(w, &bad), DX_EINVAL);
    dx_txn_abort(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_run_put(w, &a), 0);
    assert_int_equal(dx_run_put(w, &b), 0);
    a.started = 30;
    a.finished = 31;
    a.added = 0;
    a.updated = 7;
    assert_int_equal(dx_run_put(w, &a), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    struct runs_seen rs = { .n = 0 };
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_run_foreach(t, run_cb, &rs), 0);
    dx_txn_abort(t);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.cmd[0], "expire");
    assert_string_equal(rs.target[0], "");
    assert_int_equal(rs.r[0].status, 2);
    assert_string_equal(rs.msg[0], "disk full");
    assert_string_equal(rs.cmd[1], "traps");
    assert_string_equal(rs.target[1], "bl.example/traps");
    assert_int_equal(rs.r[1].started, 30);
    assert_int_equal(rs.r[1].finished, 31);
    assert_int_equal(rs.r[1].added, 0);
    assert_int_equal(rs.r[1].updated, 7);
    assert_string_equal(rs.msg[1], "(none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_follow_puts_replaces_and_deletes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_bulk_put_counts_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_entries_are_counted_until_swept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_last_change_is_recorded_with_the_serial, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_store_without_counts_is_counted_at_open, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_run_record_is_replaced_per_command_and_target,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
