/* Unit tests of the store's environment and transactions
 * (zones/store_env.c): opening, schema, the index layout upgrade, damage,
 * modes, stale readers, map growth, snapshots, sticky errors, abort and
 * crash safety. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

#include "tests/unit/store_fixture.h"

static void test_a_failed_call_fails_the_whole_write_txn(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.1", 0, 0, 0, NULL), 0);
    struct dx_key bad = K("10.0.0.1");
    bad.plen = 24;                                  /* host bits set */
    struct dx_entry e = { 0 };
    assert_int_equal(dx_entry_put(w, "bl.test", "a", &bad, &e), DX_EINVAL);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.2", 0, 0, 0, NULL), DX_EINVAL);
    assert_int_equal(dx_txn_commit(w), DX_EINVAL);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "10.0.0.1", h), 0);
    struct dx_txn *r;
    uint32_t serial;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &serial), DX_ENOTFOUND);
    dx_txn_abort(r);
}

/* --- isolation and schema ---------------------------------------------- */

static void test_a_read_txn_keeps_its_snapshot_until_renewed(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/24", 0, 2, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key q = K("10.0.0.1");
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 2);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.1", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "10.0.0.0/8", 0, 4, 0, NULL), 0);
    commit_ok(w);

    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 2);
    dx_txn_reset(r);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(h[1].code, 4);
    /* renew without reset also takes a fresh snapshot */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "b", "10.0.0.0/8"), 0);
    commit_ok(w);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 2);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(dx_txn_commit(r), 0);
}

static void test_open_refuses_a_store_of_another_schema_version(void **state)
{
    struct fx *f = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    dx_store_close(f->st);
    f->st = NULL;
    /* reopen: same version is fine */
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &f->st), 0);
    dx_store_close(f->st);
    f->st = NULL;

    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, sub, 0, 0644), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    uint8_t ver[4] = { 0, 0, 0, DX_STORE_SCHEMA + 1 };
    MDB_val k = { 6, (void *)"schema" }, v = { 4, ver };
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    struct dx_store *st = (struct dx_store *)&st;
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &st), DX_ESCHEMA);
    assert_null(st);
    /* teardown needs a store to close */
    assert_int_equal(dx_store_open(f->dir, 0, DX_STORE_CREATE, &f->st), 0);
}

/* --- the index layout upgrade --------------------------------------------- */

static const char *const UQ[] = { "192.0.2.1", "192.0.2.7", "192.0.2.8", "192.0.2.200",
                                  "198.51.100.9", "203.0.113.5", "2001:db8::1", "2001:db8::2",
                                  "::ffff:192.0.2.1", "10.9.9.9" };
static const char *const UB[] = { "192.0.2.0/24", "192.0.2.128/25", "198.51.100.0/24",
                                  "203.0.113.0/24", "2001:db8::/32", "::ffff:192.0.2.0/120",
                                  "10.0.0.0/8" };

/* Every answer of the zones a.test, b.test to UQ and UB, as text. */
static char *answers(struct dx_store *st)
{
    char *out = NULL;
    size_t outn = 0;
    FILE *o = open_memstream(&out, &outn);
    assert_non_null(o);
    static const char *const zones[] = { "a.test", "b.test" };
    for (size_t z = 0; z < 2; z++) {
        for (size_t i = 0; i < sizeof(UQ) / sizeof(UQ[0]); i++) {
            struct dx_hit h[DX_HITS_MAX];
            int n = look(st, zones[z], UQ[i], h);
            fprintf(o, "%s %s %d:", zones[z], UQ[i], n);
            for (int j = 0; j < n; j++) {
                fprintf(o, " %s/%08x/%u/%u/%s/", h[j].list, h[j].code, h[j].plen, h[j].family,
                        h[j].txt ? h[j].txt : "-");
                for (size_t b = 0; b < h[j].key_len; b++)
                    fprintf(o, "%02x", h[j].key[b]);
            }
            fputc('\n', o);
        }
        for (size_t i = 0; i < sizeof(UB) / sizeof(UB[0]); i++)
            fprintf(o, "%s below %s %d\n", zones[z], UB[i], below(st, zones[z], UB[i]));
    }
    assert_int_equal(fclose(o), 0);
    return out;
}

/* The records of the databases index and zoneids as hex lines. */
static char *index_dump(MDB_txn *txn, MDB_dbi index, MDB_dbi zoneids)
{
    char *out = NULL;
    size_t outn = 0;
    FILE *o = open_memstream(&out, &outn);
    assert_non_null(o);
    MDB_dbi dbs[2] = { index, zoneids };
    for (size_t i = 0; i < 2; i++) {
        MDB_cursor *c;
        assert_int_equal(mdb_cursor_open(txn, dbs[i], &c), 0);
        MDB_val k, v;
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            fprintf(o, "%zu ", i);
            for (size_t b = 0; b < k.mv_size; b++)
                fprintf(o, "%02x", ((const uint8_t *)k.mv_data)[b]);
            fputc(' ', o);
            for (size_t b = 0; b < v.mv_size; b++)
                fprintf(o, "%02x", ((const uint8_t *)v.mv_data)[b]);
            fputc('\n', o);
        }
        mdb_cursor_close(c);
    }
    assert_int_equal(fclose(o), 0);
    return out;
}

/* A layout-2 index record back to layout 1 (zones/schema.h): the key z \0
 * fam end, the value start, u16 nlists, ... (form 0 without its form byte;
 * form 1 with its start, list count, chain length and address put back). */
static void to_layout1(const char *zone, const MDB_val *k, const MDB_val *v, uint8_t *kb,
                       MDB_val *ok, uint8_t *vb, MDB_val *ov)
{
    const uint8_t *key = k->mv_data, *val = v->mv_data;
    size_t zl = strlen(zone), alen = k->mv_size - 3, n = 0;
    memcpy(kb, zone, zl + 1);
    memcpy(kb + zl + 1, key + 2, 1 + alen);
    *ok = (MDB_val){ zl + 2 + alen, kb };
    if (val[0] == 0) {
        memcpy(vb, val + 1, v->mv_size - 1);
        *ov = (MDB_val){ v->mv_size - 1, vb };
        return;
    }
    assert_int_equal(val[0], 1);
    size_t ln = val[1];
    memcpy(vb, key + 3, alen);                     /* start = end */
    n = alen;
    vb[n++] = 0;
    vb[n++] = 1;                                   /* one list */
    memcpy(vb + n, val + 1, 1 + ln);               /* u8 n, l \0 */
    n += 1 + ln;
    vb[n++] = 1;                                   /* chain of one */
    memcpy(vb + n, val + 2 + ln, 14);              /* flags, plen, code, expires */
    n += 14;
    memcpy(vb + n, key + 3, alen);                 /* the element's address */
    n += alen;
    memcpy(vb + n, val + 16 + ln, v->mv_size - 16 - ln);   /* str txt */
    n += v->mv_size - 16 - ln;
    *ov = (MDB_val){ n, vb };
}

/* A store of schema 1 (index keys by zone name, no zoneids) is upgraded at
 * its next open, by a reader as well: the same answers, the same records
 * as a store written with schema 2, and writes go on. */
static void test_open_rebuilds_an_index_of_the_old_layout(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "a.test", "l1", "192.0.2.0/24", 0, 0x7f000002, 0, NULL), 0);
    assert_int_equal(put(w, "a.test", "l1", "192.0.2.7", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "a.test", "l2", "192.0.2.8", 0, 0x7f000003, 0, "own"), 0);
    assert_int_equal(put(w, "a.test", "l2", "198.51.100.9", 0, 0, 0, ""), 0);
    assert_int_equal(put(w, "a.test", "l1", "2001:db8::1", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "a.test", "l1", "2001:db8::/48", 0, 0x7f000004, 0, NULL), 0);
    assert_int_equal(put(w, "b.test", "x", "203.0.113.5", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "b.test", "x", "192.0.2.200", 0, 0, NOW - 1, NULL), 0);
    assert_int_equal(put(w, "d.test", "x", "spam.example", 0, 0, 0, NULL), 0);
    commit_ok(w);
    char *want = answers(f->st);
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    dx_store_close(f->st);
    f->st = NULL;

    /* write the index back in layout 1 */
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta, index, zoneids;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, sub, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    assert_int_equal(mdb_dbi_open(txn, "index", 0, &index), 0);
    assert_int_equal(mdb_dbi_open(txn, "zoneids", 0, &zoneids), 0);
    char *want_db = index_dump(txn, index, zoneids);
    const char *zone_of[3] = { NULL, NULL, NULL };  /* by id: the ids are 1 and 2 */
    MDB_cursor *c;
    MDB_val k, v;
    assert_int_equal(mdb_cursor_open(txn, zoneids, &c), 0);
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        uint16_t id = (uint16_t)(((const uint8_t *)v.mv_data)[0] << 8 |
                                 ((const uint8_t *)v.mv_data)[1]);
        assert_true(v.mv_size == 2 && id >= 1 && id <= 2);
        zone_of[id] = strcmp(k.mv_data, "a.test") == 0 ? "a.test" : "b.test";
    }
    mdb_cursor_close(c);
    assert_string_equal(zone_of[1], "a.test");
    assert_string_equal(zone_of[2], "b.test");
    MDB_val ok[64], ov[64];
    static uint8_t kbs[64][64], vbs[64][256];
    size_t n = 0;
    assert_int_equal(mdb_cursor_open(txn, index, &c), 0);
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
        assert_true(n < 64);
        uint16_t id = (uint16_t)(((const uint8_t *)k.mv_data)[0] << 8 |
                                 ((const uint8_t *)k.mv_data)[1]);
        to_layout1(zone_of[id], &k, &v, kbs[n], &ok[n], vbs[n], &ov[n]);
    }
    mdb_cursor_close(c);
    assert_true(n > 8);
    assert_int_equal(mdb_drop(txn, index, 0), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mdb_put(txn, index, &ok[i], &ov[i], 0), 0);
    assert_int_equal(mdb_drop(txn, zoneids, 1), 0);
    uint8_t ver1[4] = { 0, 0, 0, DX_STORE_SCHEMA_UPGRADE };
    k = (MDB_val){ 6, (void *)"schema" };
    v = (MDB_val){ 4, ver1 };
    assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    /* a reader's open upgrades it: the same answers and records */
    assert_int_equal(dx_store_open(sub, 0, 0, &f->st), 0);
    assert_int_equal(dx_store_opened(f->st), DX_STORE_UPGRADED);
    char *got = answers(f->st);
    assert_string_equal(got, want);
    free(got);
    dx_store_close(f->st);
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, sub, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "index", 0, &index), 0);
    assert_int_equal(mdb_dbi_open(txn, "zoneids", 0, &zoneids), 0);
    got = index_dump(txn, index, zoneids);
    assert_string_equal(got, want_db);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    k = (MDB_val){ 6, (void *)"schema" };
    assert_int_equal(mdb_get(txn, meta, &k, &v), 0);
    assert_true(v.mv_size == 4 && ((const uint8_t *)v.mv_data)[3] == DX_STORE_SCHEMA);
    free(got);
    free(want_db);
    mdb_txn_abort(txn);
    mdb_env_close(env);

    /* once only; writes go on */
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &f->st), 0);
    assert_int_equal(dx_store_opened(f->st), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "a.test", "l1", "192.0.2.7"), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "a.test", "192.0.2.7", h), 1);
    assert_string_equal(h[0].list, "l1");
    free(want);
}

/* --- abort and crash safety --------------------------------------------- */

/* Everything a write txn did is gone after dx_txn_abort: entries, index,
 * serial, history, holds, reports. */
static void test_an_aborted_txn_leaves_no_trace(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    commit_ok(w);
    uint32_t serial0;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, "bl.test", &serial0), 0);
    dx_txn_abort(r);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (uint32_t i = 0; i < 3000; i++) {
        struct dx_key k = v4(0xc6330000u + i, 32);
        struct dx_entry e = { .code = 9, .expires_at = NOW + 5 };
        assert_int_equal(dx_entry_put(w, "bl.test", "a", &k, &e), 0);
        struct dx_hist h = { .at = NOW, .action = DX_HIST_LIST };
        assert_int_equal(dx_history_add(w, &k, &h), 0);
    }
    struct dx_key k1 = K("192.0.2.1");
    assert_int_equal(dx_entry_del(w, "bl.test", "a", &k1), 0);
    assert_int_equal(dx_hold_put(w, "bl.test", "a", &k1, NOW + 100), 0);
    assert_int_equal(dx_report_add(w, "bl.test", "a", &k1, "rep", NOW), 0);
    assert_int_equal(put(w, "new.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    dx_txn_abort(w);

    assert_int_equal(dx_txn_read(f->st, &r), 0);
    size_t n;
    assert_int_equal(dx_entry_count(r, "bl.test", NULL, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dx_entry_count(r, "new.test", NULL, &n), 0);
    assert_int_equal(n, 0);
    uint32_t serial;
    assert_int_equal(dx_zone_serial(r, "bl.test", &serial), 0);
    assert_int_equal(serial, serial0);
    assert_int_equal(dx_zone_serial(r, "new.test", &serial), DX_ENOTFOUND);
    uint64_t until;
    assert_int_equal(dx_hold_get(r, "bl.test", "a", &k1, &until), DX_ENOTFOUND);
    assert_int_equal(dx_report_count(r, "bl.test", "a", &k1, 0, &n), 0);
    assert_int_equal(n, 0);
    int hn = 0;
    struct dx_key k2 = v4(0xc6330000u + 7, 32);
    assert_int_equal(dx_history_foreach(r, &k2, hist_count_cb, &hn), 0);
    assert_int_equal(hn, 0);
    struct dx_hit h[DX_HITS_MAX];
    struct dx_key q = v4(0xc6330000u + 7, 32);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &k1, NOW, h, DX_HITS_MAX), 1);
    dx_txn_abort(r);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    size_t removed;
    assert_int_equal(dx_expire(w, NOW + 10, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 0);       /* no expiry records left behind */
    dx_txn_abort(w);
}

/* A process killed in the middle of a big write txn (SIGKILL, or _exit
 * without commit) leaves the committed data readable and the store
 * writable. */
static void crash_child(const char *dir, bool kill_self)
{
    struct dx_store *st;
    if (dx_store_open(dir, 1ULL << 30, DX_STORE_CREATE, &st) != 0)
        _exit(3);
    struct dx_txn *w;
    if (dx_txn_write(st, T_NOW, &w) != 0)
        _exit(4);
    for (uint32_t i = 0; i < 100000; i++) {
        struct dx_key k = v4(0x0b000000u + i * 7, 32);
        struct dx_entry e = { .code = 77 };
        if (dx_entry_put(w, "bl.test", "a", &k, &e) != 0)
            _exit(5);
        struct dx_hist h = { .at = NOW, .action = DX_HIST_LIST };
        if (dx_history_add(w, &k, &h) != 0)
            _exit(6);
    }
    struct dx_key k1 = K("192.0.2.1");
    if (dx_entry_del(w, "bl.test", "a", &k1) != 0)
        _exit(7);
    if (kill_self)
        raise(SIGKILL);
    _exit(0);
}

static void test_a_writer_killed_mid_txn_leaves_the_last_commit(void **state)
{
    struct fx *f = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    struct dx_txn *w, *r;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "11.0.0.0/8", 0, 6, 0, NULL), 0);
    commit_ok(w);
    for (int round = 0; round < 2; round++) {
        /* the child opens its own environment (LMDB forbids using one
         * across fork) */
        dx_store_close(f->st);
        f->st = NULL;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            crash_child(sub, round == 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (round == 0) {
            assert_true(WIFSIGNALED(status));
            assert_int_equal(WTERMSIG(status), SIGKILL);
        } else {
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(dx_store_open(sub, 1ULL << 30, DX_STORE_CREATE, &f->st), 0);
        assert_int_equal(dx_txn_read(f->st, &r), 0);
        size_t n;
        assert_int_equal(dx_entry_count(r, "bl.test", "a", &n), 0);
        assert_int_equal(n, 2);
        dx_txn_abort(r);
        struct dx_hit h[DX_HITS_MAX];
        assert_int_equal(look(f->st, "bl.test", "192.0.2.1", h), 1);
        assert_int_equal(h[0].code, 5);
        assert_int_equal(look(f->st, "bl.test", "11.0.0.7", h), 1);
        assert_int_equal(h[0].code, 6);
        /* a later write txn works (the dead writer's lock is released) */
        assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
        assert_int_equal(put(w, "bl.test", "a", "11.0.0.7", 0, 8 + (uint32_t)round, 0, NULL), 0);
        commit_ok(w);
        assert_int_equal(look(f->st, "bl.test", "11.0.0.7", h), 1);
        assert_int_equal(h[0].code, 8 + round);
        assert_int_equal(look(f->st, "bl.test", "11.0.0.14", h), 1);
        assert_int_equal(h[0].code, 6);
        assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
        assert_int_equal(del(w, "bl.test", "a", "11.0.0.7"), 0);
        commit_ok(w);
    }
}

/* --- opening: who may create, never waiting, modes, damage ---------------- */

/* Only a writer creates a store: a mistyped path is an error, and nothing
 * is created there. */
static void test_open_without_create_refuses_a_missing_store(void **state)
{
    struct fx *f = *state;
    char sub[160];
    snprintf(sub, sizeof(sub), "%s/typo/db", f->dir);
    struct dx_store *st = (struct dx_store *)1;
    assert_int_equal(dx_store_open(sub, 0, 0, &st), DX_ENOSTORE);
    assert_null(st);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), -1);              /* nothing created */
    /* an existing directory without a store is not a store either */
    char d2[160];
    snprintf(d2, sizeof(d2), "%s/empty", f->dir);
    assert_int_equal(mkdir(d2, 0700), 0);
    assert_int_equal(dx_store_open(d2, 0, 0, &st), DX_ENOSTORE);
    snprintf(sub, sizeof(sub), "%s/empty/data.mdb", f->dir);
    assert_int_equal(stat(sub, &sb), -1);
    /* the writer creates it, owner-only, and says so */
    assert_int_equal(dx_store_open(d2, 0, DX_STORE_CREATE, &st), 0);
    assert_int_equal(dx_store_opened(st), DX_STORE_CREATED);
    dx_store_close(st);
    assert_int_equal(stat(d2, &sb), 0);
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* now anyone opens it, and nothing is created again */
    assert_int_equal(dx_store_open(d2, 0, 0, &st), 0);
    assert_int_equal(dx_store_opened(st), 0);
    dx_store_close(st);
}

static void test_open_creates_owner_only_directories_and_files(void **state)
{
    struct fx *f = *state;
    mode_t old = umask(022);
    char sub[160], path[200];
    snprintf(sub, sizeof(sub), "%s/m/n", f->dir);
    struct dx_store *st;
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &st), 0);
    dx_store_close(st);
    umask(old);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/m", f->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/data.mdb", sub);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(path, sizeof(path), "%s/lock.mdb", sub);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

/* Opening the store while another process holds the write txn (a running
 * import) returns at once, and reads the last committed data. The child
 * holds the writer lock until the parent is done; if the open waited for the
 * writer, the alarm would end the test. */
static void test_open_never_waits_for_a_writer(void **state)
{
    struct fx *f = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    commit_ok(w);
    dx_store_close(f->st);
    f->st = NULL;
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct dx_store *st;
        struct dx_txn *cw;
        if (dx_store_open(sub, 1ULL << 30, 0, &st) || dx_txn_write(st, T_NOW, &cw))
            _exit(3);
        char c = 'w';
        if (write(up[1], &c, 1) != 1)
            _exit(4);
        if (read(down[0], &c, 1) != 1)      /* hold the writer lock until told */
            _exit(5);
        dx_txn_abort(cw);
        dx_store_close(st);
        _exit(0);
    }
    char c;
    assert_int_equal(read(up[0], &c, 1), 1);
    alarm(60);
    struct dx_store *st;
    assert_int_equal(dx_store_open(sub, 1ULL << 30, 0, &st), 0);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(st, "bl.test", "192.0.2.1", h), 1);
    dx_store_close(st);
    alarm(0);
    assert_int_equal(write(down[1], "x", 1), 1);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(up[0]); close(up[1]); close(down[0]); close(down[1]);
    assert_int_equal(dx_store_open(sub, 1ULL << 30, 0, &f->st), 0);
}

/* A data.mdb cut short (a bad copy, a full disk during a copy) is refused
 * at open instead of a SIGBUS at the first read past its end. */
static void test_open_refuses_a_truncated_data_file(void **state)
{
    struct fx *f = *state;
    char sub[128], path[160];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    snprintf(path, sizeof(path), "%s/data.mdb", sub);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (uint32_t i = 0; i < 20000; i++) {
        struct dx_key k = v4(0x0b000000u + i * 7, 32);
        struct dx_entry e = { .code = 77, .reason = "a reason to take some room" };
        assert_int_equal(dx_entry_put(w, "bl.test", "a", &k, &e), 0);
    }
    commit_ok(w);
    dx_store_close(f->st);
    f->st = NULL;
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 1 << 20);
    assert_int_equal(truncate(path, sb.st_size / 2), 0);
    struct dx_store *st = NULL;
    assert_int_equal(dx_store_open(sub, 1ULL << 30, 0, &st), DX_ETRUNC);
    assert_int_equal(dx_store_open(sub, 1ULL << 30, DX_STORE_CREATE, &st), DX_ETRUNC);
    assert_null(st);
    assert_non_null(strstr(dx_store_hint(DX_ETRUNC), "restore"));
}

/* The reader slot of a process killed inside a read txn stays in the lock
 * file while another process keeps the store open (dnsxld does), and its
 * snapshot pins every page written since: the next open clears it, and so
 * does dx_store_check_readers. (The first process to open a store resets
 * the reader table anyway, so this parent keeps its environment open.) */
static pid_t reader_killed(const char *dir)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct dx_store *st;
        struct dx_txn *r;
        if (dx_store_open(dir, 1ULL << 30, 0, &st) || dx_txn_read(st, &r))
            _exit(3);
        raise(SIGKILL);
        _exit(4);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    return pid;
}

static void test_open_clears_the_reader_slots_of_dead_processes(void **state)
{
    struct fx *f = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    reader_killed(sub);
    int n = -1;
    assert_int_equal(dx_store_check_readers(f->st, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dx_store_check_readers(f->st, &n), 0);
    assert_int_equal(n, 0);
    /* at open: another process opens and finds the stale slot */
    reader_killed(sub);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct dx_store *st;
        if (dx_store_open(sub, 1ULL << 30, 0, &st))
            _exit(99);
        _exit(dx_store_stale_readers(st));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
}

/* A writer doubles a map that is more than 3/4 full before a write txn, so
 * a store outgrows a small map-size without MDB_MAP_FULL. */
static void test_a_write_past_the_map_grows_it(void **state)
{
    struct fx *f = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/small", f->dir);
    struct dx_store *st;
    assert_int_equal(dx_store_open(sub, 1u << 20, DX_STORE_CREATE, &st), 0);
    uint64_t map0 = dx_store_map_size(st);
    assert_int_equal(map0, 1u << 20);
    uint32_t next = 0;
    for (int round = 0; round < 12; round++) {
        struct dx_txn *w;
        assert_int_equal(dx_txn_write(st, T_NOW, &w), 0);
        for (int i = 0; i < 500; i++, next++) {
            struct dx_key k = v4(0x0b000000u + next * 3, 32);
            struct dx_entry e = { .code = 77, .reason = "filling the map" };
            assert_int_equal(dx_entry_put(w, "bl.test", "a", &k, &e), 0);
        }
        commit_ok(w);
    }
    assert_true(dx_store_map_size(st) > map0);
    struct dx_txn *r;
    size_t n;
    assert_int_equal(dx_txn_read(st, &r), 0);
    assert_int_equal(dx_entry_count(r, "bl.test", "a", &n), 0);
    assert_int_equal(n, next);
    dx_txn_abort(r);
    dx_store_close(st);
}

/* root working on a store directory owned by the service user leaves files
 * that user can open (dnsxld runs as it). */
static void test_root_keeps_the_directory_owner(void **state)
{
    struct fx *f = *state;
    if (geteuid() != 0)
        skip();                 /* only root can create files for another user */
    char sub[160], path[200];
    snprintf(sub, sizeof(sub), "%s/svc", f->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(chown(sub, 65534, 65534), 0);
    struct dx_store *st;
    assert_int_equal(dx_store_open(sub, 0, DX_STORE_CREATE, &st), 0);
    dx_store_close(st);
    struct stat sb;
    snprintf(path, sizeof(path), "%s/data.mdb", sub);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_uid, 65534);
    snprintf(path, sizeof(path), "%s/lock.mdb", sub);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_uid, 65534);
}

/* A read txn knows when a write committed after its snapshot (dnsxld
 * renews then, so a query after an `add` sees it). */
static void test_read_txn_knows_it_is_behind(void **state)
{
    struct fx *f = *state;
    struct dx_txn *r, *w;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_false(dx_txn_behind(r));
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 5, 0, NULL), 0);
    assert_false(dx_txn_behind(r));               /* not committed yet */
    commit_ok(w);
    assert_true(dx_txn_behind(r));
    struct dx_hit h[DX_HITS_MAX];
    struct dx_key q = K("192.0.2.1");
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 0);   /* old snapshot */
    assert_int_equal(dx_txn_renew(r), 0);
    assert_false(dx_txn_behind(r));
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    dx_txn_reset(r);
    assert_false(dx_txn_behind(r));               /* no snapshot: nothing to be behind */
    dx_txn_abort(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_failed_call_fails_the_whole_write_txn,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_read_txn_keeps_its_snapshot_until_renewed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_a_store_of_another_schema_version,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_aborted_txn_leaves_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_writer_killed_mid_txn_leaves_the_last_commit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_without_create_refuses_a_missing_store,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_creates_owner_only_directories_and_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_never_waits_for_a_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_a_truncated_data_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_clears_the_reader_slots_of_dead_processes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_write_past_the_map_grows_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_keeps_the_directory_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_txn_knows_it_is_behind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_rebuilds_an_index_of_the_old_layout, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
