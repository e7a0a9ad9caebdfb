/* Unit tests of the store's entries and expiry records
 * (zones/store_entry.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "tests/unit/store_fixture.h"

#define BULK_N 6000

struct seen {
    char text[16][600];
    int n;
    int stop_at;
};

struct bulk {
    uint32_t a[BULK_N];
    uint8_t plen[BULK_N];
    uint32_t code[BULK_N];
    bool present[BULK_N];
    bool deleted[BULK_N];    /* absent because deleted (not a duplicate key) */
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

static void test_entry_put_then_get_returns_every_field(void **state)
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

static void test_foreach_and_count_visit_a_zone_or_one_list_in_key_order(void **state)
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

static void test_expire_removes_the_entries_due_and_calls_back_first(void **state)
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

/* Re-putting an entry with a different expiry moves its expiry record;
 * with the same expiry keeps exactly one. */
static void test_reput_moves_the_entry_to_its_new_expiry_time(void **state)
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

/* The bulk import pattern (puts in key order, more than the touch limit,
 * one txn): into an empty store (append), into a zone that sorts before
 * another (no append), re-put unchanged, then change and delete a few. */
static void test_bulk_puts_in_key_order_read_back_as_written(void **state)
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

/* Read-modify-write in one txn: the entry read by dx_entry_get points into
 * the map, and its strings are handed straight back to dx_entry_put. The
 * put must take what it needs (the domain index's TXT) before its own
 * writes move that record's bytes. */
static void test_reput_of_an_entry_read_in_the_same_txn_keeps_its_strings(void **state)
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

/* A list name's length is stored in one byte in the index and dindex
 * values: a 255-character name (256 with its NUL) used to be accepted and
 * written as length 0, which made every lookup in the zone fail (corrupt
 * record). The store now refuses names it cannot encode; 254 still works. */
static void test_list_name_of_254_bytes_is_the_longest(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_entry_put_then_get_returns_every_field,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_and_count_visit_a_zone_or_one_list_in_key_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire_removes_the_entries_due_and_calls_back_first,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reput_moves_the_entry_to_its_new_expiry_time,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_puts_in_key_order_read_back_as_written,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reput_of_an_entry_read_in_the_same_txn_keeps_its_strings,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_name_of_254_bytes_is_the_longest,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
