/* Unit tests of the LMDB store (zones/store*.c) not yet in a file of their
 * own module (tests/unit/test_zones_store_*.c). */
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

/* --- basic entry operations -------------------------------------------- */

static void test_roundtrip(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct dx_key k = K("192.0.2.0/24");
    struct dx_entry e = { .flags = DX_ENTRY_EXCLUDE, .code = 0x7f000005, .first_seen = 11,
                          .last_seen = 22, .expires_at = 33 + NOW, .hits = 44, .relists = 55,
                          .source = "traps", .reason = "spam run", .txt = "see http://x/" };
    assert_int_equal(dx_entry_put(w, "bl.test", "spam", &k, &e), 0);
    struct dx_key k2 = K("*.spam.example");
    struct dx_entry e2 = { .code = 2 };
    assert_int_equal(dx_entry_put(w, "dbl.test", "spam", &k2, &e2), 0);
    commit_ok(w);

    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_entry g;
    assert_int_equal(dx_entry_get(r, "bl.test", "spam", &k, &g), 0);
    assert_int_equal(g.flags, DX_ENTRY_EXCLUDE);
    assert_int_equal(g.code, 0x7f000005);
    assert_int_equal(g.first_seen, 11);
    assert_int_equal(g.last_seen, 22);
    assert_int_equal(g.expires_at, 33 + NOW);
    assert_int_equal(g.hits, 44);
    assert_int_equal(g.relists, 55);
    assert_string_equal(g.source, "traps");
    assert_string_equal(g.reason, "spam run");
    assert_string_equal(g.txt, "see http://x/");
    assert_int_equal(dx_entry_get(r, "dbl.test", "spam", &k2, &g), 0);
    assert_int_equal(g.code, 2);
    assert_null(g.source);
    assert_null(g.reason);
    assert_null(g.txt);
    struct dx_key k3 = K("192.0.2.0/25");
    assert_int_equal(dx_entry_get(r, "bl.test", "spam", &k3, &g), DX_ENOTFOUND);
    assert_int_equal(dx_entry_get(r, "bl.test", "other", &k, &g), DX_ENOTFOUND);
    assert_int_equal(dx_entry_get(r, "bl2.test", "spam", &k, &g), DX_ENOTFOUND);
    struct dx_key k4 = K("spam.example");  /* exact != wildcard */
    assert_int_equal(dx_entry_get(r, "dbl.test", "spam", &k4, &g), DX_ENOTFOUND);
    assert_int_equal(dx_txn_commit(r), 0);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_entry_del(w, "bl.test", "spam", &k), 0);
    assert_int_equal(dx_entry_del(w, "bl.test", "spam", &k), DX_ENOTFOUND);
    /* DX_ENOTFOUND is a result, not a sticky failure */
    assert_int_equal(dx_entry_del(w, "dbl.test", "spam", &k2), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_entry_get(r, "bl.test", "spam", &k, &g), DX_ENOTFOUND);
    assert_int_equal(dx_entry_get(r, "dbl.test", "spam", &k2, &g), DX_ENOTFOUND);
    assert_int_equal(dx_txn_commit(r), 0);
}

static void test_sticky_error(void **state)
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

/* --- ip lookups -------------------------------------------------------- */

static void test_ipv6_and_mapped(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8::/32", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8:1::/48", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8:1::1", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "::/0", 0, 9, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.0/24", 0, 5, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1::1", h), 2);
    assert_int_equal(h[0].code, 4);
    assert_int_equal(h[0].plen, 128);
    assert_key(&h[0], "2001:db8:1::1");
    assert_string_equal(h[1].list, "b");
    assert_int_equal(h[1].plen, 0);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1::2", h), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", h), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:2::", h), 2);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "2001:db9::", h), 1);
    assert_string_equal(h[0].list, "b");
    assert_int_equal(look(f->st, "bl.test", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", h), 1);
    assert_int_equal(look(f->st, "bl.test", "::", h), 1);
    /* IPv4-mapped: answered from IPv4 data, not from ::/0 */
    assert_int_equal(look(f->st, "bl.test", "::ffff:192.0.2.9", h), 1);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 5);
    uint8_t raw[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9 };
    struct dx_key q;
    dx_key_from_addr(&q, raw, 16);
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 5);
    /* a raw mapped v6 key (not converted) is answered from IPv4 data too */
    struct dx_key q6 = { .family = DX_FAM_V6, .plen = 128, .len = 16 };
    memcpy(q6.addr, raw, 16);
    assert_int_equal(dx_lookup(r, "bl.test", &q6, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 5);
    dx_txn_abort(r);
}

/* --- serials ------------------------------------------------------------ */

/* --- foreach / count ---------------------------------------------------- */

struct seen {
    char text[16][600];
    int n;
    int stop_at;
};

static int collect_cb(void *arg, const char *list, const struct dx_key *k,
                      const struct dx_entry *e)
{
    struct seen *s = arg;
    char kt[DX_KEY_TEXT_MAX];
    assert_true(dx_key_format(k, kt, sizeof(kt)) > 0);
    snprintf(s->text[s->n], sizeof(s->text[0]), "%s %s %u", list, kt, e->code);
    s->n++;
    return s->n == s->stop_at ? 7 : 0;
}

static void test_foreach_count(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "b", "10.0.0.2", 0, 1, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.9", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/24", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "10.0.0.1", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "ab", "1.2.3.4", 0, 5, 0, NULL), 0);
    assert_int_equal(put(w, "bl.tes", "a", "1.2.3.4", 0, 6, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test2", "a", "1.2.3.4", 0, 6, 0, NULL), 0);
    commit_ok(w);
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct seen s = { .stop_at = -1 };
    assert_int_equal(dx_entry_foreach(r, "bl.test", NULL, collect_cb, &s), 0);
    assert_int_equal(s.n, 5);
    assert_string_equal(s.text[0], "a 10.0.0.0/24 3");
    assert_string_equal(s.text[1], "a 10.0.0.9 2");
    assert_string_equal(s.text[2], "ab 1.2.3.4 5");
    assert_string_equal(s.text[3], "b 10.0.0.1 4");
    assert_string_equal(s.text[4], "b 10.0.0.2 1");
    memset(&s, 0, sizeof(s));
    s.stop_at = -1;
    assert_int_equal(dx_entry_foreach(r, "bl.test", "a", collect_cb, &s), 0);
    assert_int_equal(s.n, 2);
    memset(&s, 0, sizeof(s));
    s.stop_at = 2;
    assert_int_equal(dx_entry_foreach(r, "bl.test", NULL, collect_cb, &s), 7);
    assert_int_equal(s.n, 2);
    size_t n;
    assert_int_equal(dx_entry_count(r, "bl.test", NULL, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(dx_entry_count(r, "bl.test", "b", &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(dx_entry_count(r, "bl.test", "zz", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dx_entry_count(r, "nope", NULL, &n), 0);
    assert_int_equal(n, 0);
    dx_txn_abort(r);
}

/* --- expire ------------------------------------------------------------- */

static int expire_cb(void *arg, const char *zone, const char *list, const struct dx_key *k,
                     const struct dx_entry *e)
{
    struct seen *s = arg;
    char kt[DX_KEY_TEXT_MAX];
    assert_true(dx_key_format(k, kt, sizeof(kt)) > 0);
    snprintf(s->text[s->n], sizeof(s->text[0]), "%s %s %s %llu %s", zone, list, kt,
             (unsigned long long)e->expires_at, e->reason ? e->reason : "-");
    s->n++;
    return 0;
}

static void test_expire(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.1", 0, 0, 50, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.2", 0, 0, 100, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.3", 0, 0, 150, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.4", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/24", 0, 9, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "b", "x.example", 0, 0, 60, NULL), 0);
    /* replaced: its old expiry no longer applies */
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.5", 0, 0, 40, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.5", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.6", 0, 0, 30, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.6", 0, 0, 300, NULL), 0);
    commit_ok(w);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct seen s = { 0 };
    size_t removed = 99;
    assert_int_equal(dx_expire(w, 100, expire_cb, &s, &removed), 0);
    commit_ok(w);
    assert_int_equal(removed, 3);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "bl.test a 10.0.0.1 50 -");
    assert_string_equal(s.text[1], "dbl.test b x.example 60 -");
    assert_string_equal(s.text[2], "bl.test a 10.0.0.2 100 -");

    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    size_t n;
    assert_int_equal(dx_entry_count(r, "bl.test", NULL, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(dx_entry_count(r, "dbl.test", NULL, &n), 0);
    assert_int_equal(n, 0);
    struct dx_entry e;
    struct dx_key k = K("10.0.0.2");
    assert_int_equal(dx_entry_get(r, "bl.test", "a", &k, &e), DX_ENOTFOUND);
    /* the index follows: 10.0.0.2 now answers from the /24 */
    struct dx_hit h[DX_HITS_MAX];
    k = K("10.0.0.2");
    assert_int_equal(dx_lookup(r, "bl.test", &k, 10, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 9);
    assert_int_equal(h[0].plen, 24);
    dx_txn_abort(r);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(dx_expire(w, 100, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(dx_expire(w, 1000, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 2);
    commit_ok(w);
}

/* --- holds and history ------------------------------------------------- */

/* --- domains ------------------------------------------------------------ */

/* --- isolation and schema ---------------------------------------------- */

static void test_snapshot(void **state)
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

static void test_schema_mismatch(void **state)
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

/* --- bulk writes, history buffering, reporters, crash safety ------------ */

#define BULK_N 6000

struct bulk {
    uint32_t a[BULK_N];
    uint8_t plen[BULK_N];
    uint32_t code[BULK_N];
    bool present[BULK_N];
    bool deleted[BULK_N];    /* absent because deleted (not a duplicate key) */
};

/* The code of the most specific present entry covering q, 0 if none. */
static uint32_t bulk_expect(const struct bulk *b, uint32_t q, unsigned *plen)
{
    int best = -1;
    for (int i = 0; i < BULK_N; i++) {
        if (!b->present[i])
            continue;
        uint32_t m = b->plen[i] ? 0xffffffffu << (32 - b->plen[i]) : 0;
        if ((q & m) == b->a[i] && (best < 0 || b->plen[best] < b->plen[i]))
            best = i;
    }
    if (best < 0)
        return 0;
    *plen = b->plen[best];
    return b->code[best];
}

static void bulk_verify(struct dx_store *st, const char *zone, const struct bulk *b)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(st, &r), 0);
    for (int i = 0; i < BULK_N; i++) {
        uint32_t end = b->plen[i] >= 32 ? b->a[i]
                     : b->a[i] | (b->plen[i] ? 0xffffffffu >> b->plen[i] : 0xffffffffu);
        uint32_t qs[4] = { b->a[i], end, b->a[i] - 1, end + 1 };
        for (int j = 0; j < 4; j++) {
            struct dx_key q = v4(qs[j], 32);
            struct dx_hit h[DX_HITS_MAX];
            int n = dx_lookup(r, zone, &q, NOW, h, DX_HITS_MAX);
            unsigned plen = 0;
            uint32_t code = bulk_expect(b, qs[j], &plen);
            if (code == 0) {
                if (n != 0)
                    fail_msg("%08x: %d hits, expected none", qs[j], n);
                continue;
            }
            if (n != 1)
                fail_msg("%08x: %d hits, expected 1", qs[j], n);
            assert_string_equal(h[0].list, "big");
            assert_int_equal(h[0].code, code);
            assert_int_equal(h[0].plen, plen);
        }
    }
    dx_txn_abort(r);
}

static void bulk_put_all(struct dx_store *st, const char *zone, struct bulk *b, bool hist)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(st, T_NOW, &w), 0);
    for (int i = 0; i < BULK_N; i++) {
        if (!b->present[i])
            continue;
        struct dx_key k = v4(b->a[i], b->plen[i]);
        struct dx_entry e = { .code = b->code[i], .source = "import" };
        assert_int_equal(dx_entry_put(w, zone, "big", &k, &e), 0);
        if (hist) {
            struct dx_hist h = { .at = NOW, .action = DX_HIST_LIST, .zone = zone };
            assert_int_equal(dx_history_add(w, &k, &h), 0);
        }
    }
    commit_ok(w);
}

/* The bulk import pattern (puts in key order, more than the touch limit,
 * one txn): into an empty store (append), into a zone that sorts before
 * another (no append), re-put unchanged, then change and delete a few. */
static void test_bulk_sorted(void **state)
{
    struct fx *f = *state;
    struct bulk *b = calloc(1, sizeof(*b));
    assert_non_null(b);
    uint64_t rng = 0x243f6a8885a308d3ull;
    uint32_t a = 0x0a000000u;
    for (int i = 0; i < BULK_N; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        a += 1 + (uint32_t)(rng % 300);
        b->plen[i] = rng % 50 == 0 ? (uint8_t)(20 + rng % 5) : 32;
        b->a[i] = v4(a, b->plen[i]).addr[0] << 24 | v4(a, b->plen[i]).addr[1] << 16 |
                  v4(a, b->plen[i]).addr[2] << 8 | v4(a, b->plen[i]).addr[3];
        b->code[i] = 1000 + (uint32_t)i;
        b->present[i] = true;
    }
    /* keys must be unique: drop a range equal to an earlier one */
    for (int i = 1; i < BULK_N; i++)
        for (int j = i - 1; j >= 0 && b->a[j] + (1u << 13) > b->a[i]; j--)
            if (b->present[j] && b->a[i] == b->a[j] && b->plen[i] == b->plen[j])
                b->present[i] = false;
    bulk_put_all(f->st, "m.test", b, true);       /* empty store: appends */
    bulk_verify(f->st, "m.test", b);
    /* a zone after it and a list before it: later puts are not at the tail */
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "z.test", "x", "10.0.0.1", 0, 7, 0, NULL), 0);
    assert_int_equal(put(w, "a.test", "x", "10.0.0.1", 0, 7, 0, NULL), 0);
    commit_ok(w);
    bulk_put_all(f->st, "b.test", b, false);      /* middle of the database */
    bulk_verify(f->st, "b.test", b);
    bulk_put_all(f->st, "b.test", b, false);      /* unchanged */
    bulk_verify(f->st, "b.test", b);
    /* change 1 in 50, delete 1 in 70, in one txn */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < BULK_N; i++) {
        if (!b->present[i])
            continue;
        struct dx_key k = v4(b->a[i], b->plen[i]);
        if (i % 70 == 3) {
            assert_int_equal(dx_entry_del(w, "b.test", "big", &k), 0);
            b->present[i] = false;
            b->deleted[i] = true;
        } else if (i % 50 == 1) {
            b->code[i] += 100000;
            struct dx_entry e = { .code = b->code[i], .source = "import" };
            assert_int_equal(dx_entry_put(w, "b.test", "big", &k, &e), 0);
        }
    }
    commit_ok(w);
    bulk_verify(f->st, "b.test", b);
    /* many touched ranges (> DX__TOUCH_FULL) but few against the size of
     * the database: recomputed region by region, not rebuilt */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (uint32_t i = 0; i < 30000; i++) {
        struct dx_key k = v4(0x20000000u + i * 3, 32);
        struct dx_entry e = { .code = 1 };
        assert_int_equal(dx_entry_put(w, "f.test", "fill", &k, &e), 0);
    }
    commit_ok(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    int touched = 0;
    for (int i = 0; i < BULK_N; i++) {
        struct dx_key k = v4(b->a[i], b->plen[i]);
        if (i % 5 == 2 && b->present[i]) {
            b->code[i] += 7;
            struct dx_entry e = { .code = b->code[i], .source = "import" };
            assert_int_equal(dx_entry_put(w, "b.test", "big", &k, &e), 0);
            touched++;
        } else if (i % 97 == 4 && b->present[i]) {
            assert_int_equal(dx_entry_del(w, "b.test", "big", &k), 0);
            b->present[i] = false;
            b->deleted[i] = true;
            touched++;
        } else if (i % 2 == 1 && b->deleted[i]) {
            struct dx_entry e = { .code = b->code[i], .source = "import" };
            assert_int_equal(dx_entry_put(w, "b.test", "big", &k, &e), 0);
            b->present[i] = true;                  /* a deleted one comes back */
            b->deleted[i] = false;
            touched++;
        }
    }
    assert_true(touched > 1100);
    commit_ok(w);
    bulk_verify(f->st, "b.test", b);
    /* the other zones are untouched */
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "z.test", "10.0.0.1", h), 1);
    assert_int_equal(look(f->st, "a.test", "10.0.0.1", h), 1);
    size_t n;
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_entry_count(r, "z.test", NULL, &n), 0);
    assert_int_equal(n, 1);
    int hn = 0;
    struct dx_key k0 = v4(b->a[0], b->plen[0]);
    assert_int_equal(dx_history_foreach(r, &k0, hist_count_cb, &hn), 0);
    assert_int_equal(hn, 1);
    dx_txn_abort(r);
    free(b);
}

/* Re-putting an entry with a different expiry moves its expiry record;
 * with the same expiry keeps exactly one. */
static void test_put_expiry_records(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 0, NOW + 10, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 0, NOW + 10, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.2", 0, 0, NOW + 10, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.2", 0, 0, NOW + 20, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.3", 0, 0, NOW + 10, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.3", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    size_t removed;
    assert_int_equal(dx_expire(w, NOW + 15, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 1);                      /* .1 only */
    assert_int_equal(dx_expire(w, NOW + 25, NULL, NULL, &removed), 0);
    assert_int_equal(removed, 1);                      /* .2 */
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "192.0.2.3", h), 1);
    assert_int_equal(look(f->st, "bl.test", "192.0.2.2", h), 0);
}

/* Everything a write txn did is gone after dx_txn_abort: entries, index,
 * serial, history, holds, reports. */
static void test_abort_no_trace(void **state)
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

static void test_crash_mid_txn(void **state)
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

/* --- review: edge cases ------------------------------------------------- */

/* A list name's length is stored in one byte in the index and dindex
 * values: a 255-character name (256 with its NUL) used to be accepted and
 * written as length 0, which made every lookup in the zone fail (corrupt
 * record). The store now refuses names it cannot encode; 254 still works. */
static void test_review_list_name_limit(void **state)
{
    struct fx *f = *state;
    char l255[256], l254[255];
    memset(l255, 'a', 255);
    l255[255] = 0;
    memset(l254, 'b', 254);
    l254[254] = 0;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", l255, "192.0.2.0/24", 0, 0, 0, NULL), DX_EINVAL);
    dx_txn_abort(w);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "dbl.test", l255, "spam.example", 0, 0, 0, NULL), DX_EINVAL);
    dx_txn_abort(w);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", l254, "192.0.2.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "z", "192.0.2.7", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", l254, "spam.example", 0, 0, 0, NULL), 0);
    commit_ok(w);
    struct dx_txn *r;
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key q = K("192.0.2.7");
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 2);
    assert_string_equal(h[0].list, l254);
    assert_string_equal(h[1].list, "z");
    q = K("spam.example");
    assert_int_equal(dx_lookup(r, "dbl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_string_equal(h[0].list, l254);
    size_t n = 0;
    assert_int_equal(dx_entry_count(r, "bl.test", l255, &n), DX_EINVAL);
    dx_txn_abort(r);
}

/* Read-modify-write in one txn: the entry read by dx_entry_get points into
 * the map, and its strings are handed straight back to dx_entry_put. The
 * put must take what it needs (the domain index's TXT) before its own
 * writes move that record's bytes. */
static void test_review_reput_map_strings(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "dbl.test", "a", "aaa.example", 0, 0, 0, "text-of-aaa"), 0);
    assert_int_equal(put(w, "dbl.test", "a", "bbb.example", 0, 0, 0, "text-of-bbb"), 0);
    assert_int_equal(put(w, "dbl.test", "a", "ccc.example", 0, 0, 0, "text-of-ccc"), 0);
    struct dx_key k = K("aaa.example");
    struct dx_entry e;
    assert_int_equal(dx_entry_get(w, "dbl.test", "a", &k, &e), 0);
    e.reason = "a reason long enough to change the size of the record by a lot";
    e.hits++;
    assert_int_equal(dx_entry_put(w, "dbl.test", "a", &k, &e), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "dbl.test", "aaa.example", h), 1);
    assert_non_null(h[0].txt);
    assert_string_equal(h[0].txt, "text-of-aaa");
    assert_int_equal(look(f->st, "dbl.test", "bbb.example", h), 1);
    assert_string_equal(h[0].txt, "text-of-bbb");
}

/* --- opening: who may create, never waiting, modes, damage ---------------- */

/* Only a writer creates a store: a mistyped path is an error, and nothing
 * is created there. */
static void test_open_missing_no_create(void **state)
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

static void test_open_modes(void **state)
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
static void test_open_never_waits_for_writer(void **state)
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
static void test_open_truncated(void **state)
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

static void test_open_clears_stale_readers(void **state)
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
static void test_map_grows(void **state)
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

/* LMDB's codes are named, with what to do. */
static void test_lmdb_errors_named(void **state)
{
    (void)state;
    assert_non_null(strstr(dx_strerror(MDB_MAP_FULL), "MDB_MAP_FULL"));
    assert_non_null(strstr(dx_strerror(MDB_CORRUPTED), "MDB_CORRUPTED"));
    assert_non_null(strstr(dx_strerror(MDB_VERSION_MISMATCH), "MDB_VERSION_MISMATCH"));
    assert_non_null(strstr(dx_strerror(MDB_INVALID), "MDB_INVALID"));
    assert_non_null(strstr(dx_store_hint(MDB_MAP_FULL), "map-size"));
    assert_non_null(strstr(dx_store_hint(-ENOSPC), "disk"));
    assert_string_equal(dx_strerror(-ENOENT), strerror(ENOENT));
}

/* --- dx_lookup_below: empty non-terminals (RFC 8020 2) -------------------- */

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
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sticky_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_and_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_expiry_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_mid_txn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_review_list_name_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_review_reput_map_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_missing_no_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_never_waits_for_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_clears_stale_readers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lmdb_errors_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_keeps_the_directory_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_txn_knows_it_is_behind, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
