/* Unit tests of the heat environment (zones/store_heat.c): created by the
 * writer beside the store, absent for a reader until then, records merged
 * (counts added, the later time kept), read per key and per zone/list,
 * pruned when their entry is gone, and never behind the store's writer
 * lock: a heat write completes while a store write txn is open. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

static struct dx_heat_rec rec(const char *zone, const char *list, const char *key, uint64_t q,
                              uint64_t last)
{
    struct dx_heat_rec r = { .zone = zone, .list = list, .key = K(key), .queries = q,
                             .last = last };
    return r;
}

static void test_heat_is_absent_until_dnsxld_writes_it(void **state)
{
    struct fx *f = *state;
    struct dx_heat *h;
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), 0, &h), DX_ENOSTORE);
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), DX_HEAT_WRITE, &h), 0);
    dx_heat_close(h);
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), 0, &h), 0);
    struct dx_heat_rec r = rec("bl.example", "traps", "192.0.2.1", 1, 1);
    assert_int_equal(dx_heat_add(h, &r, 1), DX_EINVAL);    /* a reader does not write */
    dx_heat_close(h);
}

struct got {
    char list[16][32], key[16][64];
    uint64_t q[16], last[16];
    size_t n;
};

static int got_cb(void *arg, const struct dx_heat_rec *r)
{
    struct got *g = arg;
    assert_true(g->n < 16);
    snprintf(g->list[g->n], 32, "%s", r->list);
    dx_key_format(&r->key, g->key[g->n], 64);
    g->q[g->n] = r->queries;
    g->last[g->n++] = r->last;
    return 0;
}

static void test_records_merge_and_read_back(void **state)
{
    struct fx *f = *state;
    struct dx_heat *h, *rd;
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), DX_HEAT_WRITE, &h), 0);
    struct dx_heat_rec a[] = {
        rec("bl.example", "traps", "192.0.2.1", 3, 100),
        rec("bl.example", "traps", "198.51.100.0/24", 1, 90),
        rec("bl.example", "manual", "192.0.2.1", 2, 95),
        rec("dbl.example", "spam", "*.spam.example", 4, 80),
    };
    assert_int_equal(dx_heat_add(h, a, 4), 0);
    struct dx_heat_rec b[] = {
        rec("bl.example", "traps", "192.0.2.1", 2, 50),     /* older time: 100 stays */
        rec("bl.example", "traps", "198.51.100.0/24", 5, 120),
    };
    assert_int_equal(dx_heat_add(h, b, 2), 0);

    assert_int_equal(dx_heat_open(dx_store_dir(f->st), 0, &rd), 0);
    assert_int_equal(dx_heat_begin(rd), 0);
    uint64_t q, last;
    struct dx_key k = K("192.0.2.1");
    assert_int_equal(dx_heat_get(rd, "bl.example", "traps", &k, &q, &last), 0);
    assert_int_equal(q, 5);
    assert_int_equal(last, 100);
    k = K("192.0.2.2");
    assert_int_equal(dx_heat_get(rd, "bl.example", "traps", &k, &q, &last), DX_ENOTFOUND);
    k = K("*.spam.example");
    assert_int_equal(dx_heat_get(rd, "dbl.example", "spam", &k, &q, &last), 0);
    assert_int_equal(q, 4);

    struct got g = { .n = 0 };
    assert_int_equal(dx_heat_foreach(rd, "bl.example", "traps", got_cb, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.key[0], "192.0.2.1");
    assert_string_equal(g.key[1], "198.51.100.0/24");
    assert_int_equal(g.q[1], 6);
    assert_int_equal(g.last[1], 120);
    g.n = 0;
    assert_int_equal(dx_heat_foreach(rd, "bl.example", NULL, got_cb, &g), 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.list[0], "manual");
    dx_heat_end(rd);
    dx_heat_close(rd);
    dx_heat_close(h);
}

static void test_prune_drops_the_records_of_deleted_entries(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *t;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.3", 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    struct dx_heat *h;
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), DX_HEAT_WRITE, &h), 0);
    struct dx_heat_rec a[] = {
        rec("bl.example", "traps", "192.0.2.1", 1, 1),
        rec("bl.example", "traps", "192.0.2.2", 1, 1),      /* no such entry */
        rec("bl.example", "traps", "192.0.2.3", 1, 1),
        rec("old.example", "gone", "192.0.2.4", 1, 1),      /* no such entry */
    };
    assert_int_equal(dx_heat_add(h, a, 4), 0);
    size_t removed = 0;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_heat_prune(h, t, &removed), 0);
    dx_txn_abort(t);
    assert_int_equal(removed, 2);
    assert_int_equal(dx_heat_begin(h), 0);
    struct got g = { .n = 0 };
    assert_int_equal(dx_heat_foreach(h, "bl.example", "traps", got_cb, &g), 0);
    dx_heat_end(h);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.key[0], "192.0.2.1");
    assert_string_equal(g.key[1], "192.0.2.3");
    dx_heat_close(h);
}

/* The store's writer lock is held (an import running): heat writes and
 * prunes go on. */
static void test_heat_never_waits_for_the_store_writer(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *t;
    struct dx_heat *h;
    assert_int_equal(dx_heat_open(dx_store_dir(f->st), DX_HEAT_WRITE, &h), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.example", "traps", "192.0.2.1", 0, 0, 0, NULL), 0);
    struct dx_heat_rec r = rec("bl.example", "traps", "192.0.2.1", 1, 7);
    assert_int_equal(dx_heat_add(h, &r, 1), 0);
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    size_t removed;
    assert_int_equal(dx_heat_prune(h, t, &removed), 0);  /* not committed: not there yet */
    assert_int_equal(removed, 1);
    dx_txn_abort(t);
    assert_int_equal(dx_txn_commit(w), 0);
    dx_heat_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_heat_is_absent_until_dnsxld_writes_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_records_merge_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune_drops_the_records_of_deleted_entries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_heat_never_waits_for_the_store_writer, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
