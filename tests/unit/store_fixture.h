/* Test helpers (header-only, static inline) for the store's unit tests
 * (tests/unit/test_zones_store_*.c): a fresh store per test in a temporary
 * directory (setup/teardown, f->st), keys from text, entry put/del, a
 * lookup whose hits are copied out of the map, and commit checks.
 * Include after cmocka.h. */
#ifndef DX_STORE_FIXTURE_H
#define DX_STORE_FIXTURE_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

#define T_NOW 1800000000u   /* the clock of every write txn here */
#define NOW 1000000u        /* the clock of look() */

struct fx {
    char dir[64];
    struct dx_store *st;
};

static inline int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/dx-store-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);   /* exercises mkdir -p */
    assert_int_equal(dx_store_open(sub, 1ULL << 30, DX_STORE_CREATE, &f->st), 0);
    *state = f;
    return 0;
}

static inline int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(p);
}

static inline int teardown(void **state)
{
    struct fx *f = *state;
    dx_store_close(f->st);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static inline struct dx_key K(const char *text)
{
    struct dx_key k;
    int rc = dx_key_parse(text, &k);
    if (rc != 0)
        fail_msg("bad key %s", text);
    return k;
}

static inline int put(struct dx_txn *w, const char *zone, const char *list, const char *key,
               uint32_t flags, uint32_t code, uint64_t exp, const char *txt)
{
    struct dx_key k = K(key);
    struct dx_entry e = { .flags = flags, .code = code, .first_seen = 1, .last_seen = 2,
                          .expires_at = exp, .txt = txt, .source = "admin" };
    return dx_entry_put(w, zone, list, &k, &e);
}

static inline int del(struct dx_txn *w, const char *zone, const char *list, const char *key)
{
    struct dx_key k = K(key);
    return dx_entry_del(w, zone, list, &k);
}

/* Lookup of a single address or name. */
static inline int look(struct dx_store *st, const char *zone, const char *q, struct dx_hit *h)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(st, &r), 0);
    struct dx_key k = K(q);
    int n = dx_lookup(r, zone, &k, NOW, h, DX_HITS_MAX);
    /* strings point into the map: copy what the tests compare */
    static char lists[DX_HITS_MAX][64];
    static char txts[DX_HITS_MAX][64];
    static uint8_t keys[DX_HITS_MAX][256];
    for (int i = 0; i < n; i++) {
        snprintf(lists[i], sizeof(lists[i]), "%s", h[i].list);
        h[i].list = lists[i];
        if (h[i].txt) {
            snprintf(txts[i], sizeof(txts[i]), "%s", h[i].txt);
            h[i].txt = txts[i];
        }
        memcpy(keys[i], h[i].key, h[i].key_len);
        h[i].key = keys[i];
    }
    assert_int_equal(dx_txn_commit(r), 0);
    return n;
}

static inline void assert_key(const struct dx_hit *h, const char *text)
{
    struct dx_key k = K(text);
    assert_int_equal(h->key_len, k.len);
    assert_memory_equal(h->key, k.addr, k.len);
}

static inline void commit_ok(struct dx_txn *w)
{
    assert_int_equal(dx_txn_commit(w), 0);
}

/* An IPv4 key from a host-order address (host bits beyond plen cleared). */
static inline struct dx_key v4(uint32_t a, unsigned plen)
{
    struct dx_key k;
    memset(&k, 0, sizeof(k));
    k.family = DX_FAM_V4;
    k.len = 4;
    k.plen = (uint8_t)plen;
    if (plen < 32)
        a &= plen ? ~(0xffffffffu >> plen) : 0;
    k.addr[0] = (uint8_t)(a >> 24);
    k.addr[1] = (uint8_t)(a >> 16);
    k.addr[2] = (uint8_t)(a >> 8);
    k.addr[3] = (uint8_t)a;
    return k;
}

/* A dx_history_foreach callback counting the records into an int. */
static inline int hist_count_cb(void *arg, const struct dx_hist *h)
{
    (void)h;
    (*(int *)arg)++;
    return 0;
}

/* dx_lookup_below of a prefix or name at `now`. */
/* dx_lookup_below of the key text q in a fresh read txn, at now / NOW. */
static inline int below_at(struct dx_store *st, const char *zone, const char *q, uint64_t now)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(st, &r), 0);
    struct dx_key k = K(q);
    int rc = dx_lookup_below(r, zone, &k, now);
    assert_int_equal(dx_txn_commit(r), 0);
    return rc;
}

static inline int below(struct dx_store *st, const char *zone, const char *q)
{
    return below_at(st, zone, q, NOW);
}

#endif
