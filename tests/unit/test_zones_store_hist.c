/* Unit tests of the store's history (zones/store_hist.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>

#include "tests/unit/store_fixture.h"

struct hseen {
    char text[16][120];
    int n;
};

static int hist_cb(void *arg, const struct dx_hist *h)
{
    struct hseen *s = arg;
    snprintf(s->text[s->n], sizeof(s->text[0]), "%llu %s %s %s %s %s %llu",
             (unsigned long long)h->at, dx_hist_action_name(h->action),
             h->zone ? h->zone : "-", h->list ? h->list : "-", h->source ? h->source : "-",
             h->reason ? h->reason : "-", (unsigned long long)h->expires_at);
    s->n++;
    return 0;
}

/* History bounded by size: a write txn adding history beyond the limit
 * removes the oldest records (whole seconds), keeping the newest. */
static int count_hist(void *arg, const struct dx_hist *h)
{
    (*(size_t *)arg)++;
    return 0;
}

static void test_history_of_a_key_is_read_oldest_first_and_pruned_by_age(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    struct dx_key k = K("192.0.2.1"), k24 = K("192.0.2.0/24"), kd = K("*.spam.example");
    struct dx_hist h1 = { .at = 200, .action = DX_HIST_DELIST, .zone = "bl.test", .list = "a",
                          .source = "admin", .reason = "fixed" };
    struct dx_hist h2 = { .at = 100, .action = DX_HIST_LIST, .zone = "bl.test", .list = "a",
                          .source = "traps", .expires_at = 999 };
    struct dx_hist h3 = { .at = 100, .action = DX_HIST_UPDATE, .expires_at = 1999 };
    struct dx_hist h4 = { .at = 150, .action = DX_HIST_EXPIRE };
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_history_add(w, &k, &h1), 0);
    assert_int_equal(dx_history_add(w, &k, &h2), 0);
    assert_int_equal(dx_history_add(w, &k24, &h4), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_history_add(w, &k, &h3), 0);   /* same at: after h2 */
    assert_int_equal(dx_history_add(w, &kd, &h4), 0);
    commit_ok(w);

    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct hseen s = { 0 };
    assert_int_equal(dx_history_foreach(r, &k, hist_cb, &s), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "100 list bl.test a traps - 999");
    assert_string_equal(s.text[1], "100 update - - - - 1999");
    assert_string_equal(s.text[2], "200 delist bl.test a admin fixed 0");
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &k24, hist_cb, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "150 expire - - - - 0");
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &kd, hist_cb, &s), 0);
    assert_int_equal(s.n, 1);
    dx_txn_abort(r);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    size_t removed;
    assert_int_equal(dx_history_prune(w, 150, &removed), 0);
    assert_int_equal(removed, 2);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &k, hist_cb, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "200 delist bl.test a admin fixed 0");
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &k24, hist_cb, &s), 0);
    assert_int_equal(s.n, 1);
    dx_txn_abort(r);

    assert_string_equal(dx_hist_action_name(DX_HIST_LIST), "list");
    assert_string_equal(dx_hist_action_name(DX_HIST_RELIST), "relist");
    assert_string_equal(dx_hist_action_name(DX_HIST_UPDATE), "update");
    assert_string_equal(dx_hist_action_name(DX_HIST_DELIST), "delist");
    assert_string_equal(dx_hist_action_name(DX_HIST_EXPIRE), "expire");
    assert_string_equal(dx_hist_action_name(DX_HIST_HOLD), "hold");
    assert_string_equal(dx_hist_action_name(DX_HIST_REJECT), "reject");
}

/* History records are buffered in the txn and written sorted: they are
 * visible to history reads in the same txn, records with the same key and
 * time keep the order they were added in (also after records stored by an
 * earlier txn), and an abort drops them. */
static void test_history_buffered_in_a_txn_reads_as_if_written_at_once(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    struct dx_key k = K("198.51.100.7"), k2 = K("198.51.100.70");
    struct dx_hist a = { .at = 500, .action = DX_HIST_LIST, .zone = "z", .list = "l" };
    struct dx_hist b = { .at = 500, .action = DX_HIST_UPDATE, .expires_at = 7 };
    struct dx_hist c = { .at = 500, .action = DX_HIST_DELIST, .reason = "r" };
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_history_add(w, &k2, &c), 0);
    assert_int_equal(dx_history_add(w, &k, &a), 0);
    assert_int_equal(dx_history_add(w, &k, &b), 0);
    struct hseen s = { 0 };
    assert_int_equal(dx_history_foreach(w, &k, hist_cb, &s), 0);  /* same txn */
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "500 list z l - - 0");
    assert_string_equal(s.text[1], "500 update - - - - 7");
    assert_int_equal(dx_history_add(w, &k, &c), 0);   /* after a flush */
    commit_ok(w);
    /* aborted: no trace */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(dx_history_add(w, &k, &a), 0);
    dx_txn_abort(w);
    /* a later txn, same key and time: after the stored ones */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_history_add(w, &k, &b), 0);
    assert_int_equal(dx_history_add(w, &k, &a), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &k, hist_cb, &s), 0);
    assert_int_equal(s.n, 5);
    assert_string_equal(s.text[0], "500 list z l - - 0");
    assert_string_equal(s.text[1], "500 update - - - - 7");
    assert_string_equal(s.text[2], "500 delist - - - r 0");
    assert_string_equal(s.text[3], "500 update - - - - 7");
    assert_string_equal(s.text[4], "500 list z l - - 0");
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_history_foreach(r, &k2, hist_cb, &s), 0);
    assert_int_equal(s.n, 1);
    dx_txn_abort(r);
}

/* History keys are the key text as dx_key_format writes it (the store
 * formats IPv4 itself): records written under that text by the previous
 * version are found. */
static void test_history_is_keyed_by_the_key_text(void **state)
{
    struct fx *f = *state;
    static const char *const keys[] = {
        "0.0.0.0/0", "1.2.3.4", "255.255.255.255", "10.0.0.0/8", "192.0.2.0/24",
        "100.64.0.0/10", "9.99.199.0/31", "2001:db8::1", "2001:db8::/32", "spam.example",
        "*.spam.example",
    };
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
    assert_int_equal(mdb_dbi_open(txn, "history", 0, &dbi), 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct dx_key k = K(keys[i]);
        uint8_t kb[DX_KEY_TEXT_MAX + 16];
        int n = dx_key_format(&k, (char *)kb, DX_KEY_TEXT_MAX);
        assert_true(n > 0);
        memset(kb + n + 1, 0, 12);
        kb[n + 1 + 7] = 42;                     /* at = 42, seq 0 */
        uint8_t val[] = { DX_HIST_LIST, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        MDB_val key = { (size_t)n + 13, kb }, v = { sizeof(val), val };
        assert_int_equal(mdb_put(txn, dbi, &key, &v, 0), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &f->st), 0);

    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct dx_key k = K(keys[i]);
        struct dx_hist h = { .at = 42, .action = DX_HIST_UPDATE };
        assert_int_equal(dx_history_add(w, &k, &h), 0);
    }
    commit_ok(w);
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct dx_key k = K(keys[i]);
        struct hseen s = { 0 };
        assert_int_equal(dx_history_foreach(r, &k, hist_cb, &s), 0);
        if (s.n != 2)
            fail_msg("%s: %d records", keys[i], s.n);
        assert_string_equal(s.text[0], "42 list - - - - 0");
        assert_string_equal(s.text[1], "42 update - - - - 0");
    }
    dx_txn_abort(r);
}

static void test_history_over_its_size_limit_loses_the_oldest_records(void **state)
{
    struct fx *f = *state;
    dx_store_set_history_limit(f->st, 256u << 10);       /* 256 KiB */
    struct dx_txn *w;
    for (uint64_t round = 0; round < 40; round++) {
        assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
        for (uint32_t i = 0; i < 500; i++) {
            struct dx_key k = v4(0x0a000000u + i, 32);
            struct dx_hist h = { .at = 1000 + round, .action = DX_HIST_LIST, .zone = "bl.test",
                                 .list = "a", .source = "test", .reason = "bounded history" };
            assert_int_equal(dx_history_add(w, &k, &h), 0);
        }
        commit_ok(w);
    }
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key k0 = v4(0x0a000000u, 32);
    size_t n = 0;
    assert_int_equal(dx_history_foreach(r, &k0, count_hist, &n), 0);
    /* 40 records for this key were written; the bound keeps only the
     * newest rounds, and at least the last one */
    assert_true(n >= 1 && n < 40);
    dx_txn_abort(r);
    /* the newest round is there in full, the oldest is gone */
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key k499 = v4(0x0a000000u + 499, 32);
    size_t m = 0;
    assert_int_equal(dx_history_foreach(r, &k499, count_hist, &m), 0);
    assert_int_equal(m, n);
    dx_txn_abort(r);
    /* without a bound nothing is removed */
    dx_store_set_history_limit(f->st, 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (uint32_t i = 0; i < 2000; i++) {
        struct dx_key k = v4(0x0b000000u + i, 32);
        struct dx_hist h = { .at = 5000, .action = DX_HIST_LIST, .reason = "unbounded" };
        assert_int_equal(dx_history_add(w, &k, &h), 0);
    }
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    m = 0;
    assert_int_equal(dx_history_foreach(r, &k0, count_hist, &m), 0);
    assert_int_equal(m, n);
    dx_txn_abort(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_history_of_a_key_is_read_oldest_first_and_pruned_by_age,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_buffered_in_a_txn_reads_as_if_written_at_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_is_keyed_by_the_key_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_over_its_size_limit_loses_the_oldest_records,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
