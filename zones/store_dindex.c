/* The domain index of domain zones (zones/schema.h, "dindex"): one record
 * per name and wildcard with every list's element, kept by every put and
 * delete of a domain entry; the lookups of a name (the exact name, then
 * the wildcards of its ancestors, nearest first per list) and of what lies
 * below a name. */
#include <lmdb.h>
#include <stdbool.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

/* Rewrite the dindex value of k in zone: list's element replaced by e
 * (e NULL: removed). */
int dx__dindex_update(struct dx_txn *t, const char *zone, const char *list,
                      const struct dx_key *k, const struct dx_entry *e)
{
    uint8_t kb[DX_SK_MAX];
    size_t zl = strlen(zone);
    MDB_val key = { dx_sk_dindex(kb, zone, zl, k->addr, k->len, k->plen != 0), kb }, v;
    int rc = dx__dom_touch(t, zone, k);
    if (rc)
        return rc;
    rc = mdb_get(t->txn, t->st->dindex, &key, &v);
    if (rc && rc != MDB_NOTFOUND)
        return dx__mdb(rc);
    struct dx_dvalue old = { .left = 0 };
    size_t oldlen;
    if (rc == 0 && !dx_sv_dindex_open(&old, v.mv_data, v.mv_size, &oldlen))
        return DX_EINVAL;
    /* the old value's elements, list's replaced by e (in list order) */
    struct dx_bytes b;
    dx_bytes_growable(&b);
    size_t count_at = dx_sv_dindex_head(&b, k->addr, k->len);
    uint16_t nnew = 0;
    bool done = e == NULL;
    struct dx_delem de;
    while (dx_sv_dindex_elem(&old, &de)) {
        int cmp = strcmp(de.list, list);
        if (cmp >= 0 && !done) {
            dx_sv_dindex_elem_put(&b, list, e);
            nnew++;
            done = true;
        }
        if (cmp == 0)
            continue;
        dx_put(&b, de.raw, de.raw_len);
        nnew++;
    }
    if (!done) {
        dx_sv_dindex_elem_put(&b, list, e);
        nnew++;
    }
    dx_sv_dindex_end(&b, count_at, nnew);
    if (b.err || old.b.err) {
        dx_bytes_free(&b);
        return old.b.err ? DX_EINVAL : DX_ENOMEM;
    }
    if (nnew == 0) {
        rc = mdb_del(t->txn, t->st->dindex, &key, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    } else {
        v.mv_size = b.pos;
        v.mv_data = b.wp;
        rc = mdb_put(t->txn, t->st->dindex, &key, &v, 0);
    }
    dx_bytes_free(&b);
    return dx__mdb(rc);
}

static bool list_seen(const char *const *seen, size_t n, const char *l)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(seen[i], l) == 0)
            return true;
    return false;
}

#define DX__DSEEN_MAX 256

int dx__dindex_lookup(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                      uint64_t now, struct dx_hit *hits, size_t max)
{
    uint8_t kb[DX_SK_MAX];
    if (zl + 3 + q->len > DX_SK_MAX || q->len == 0 || q->len > DX_KEY_NAME_MAX)
        return DX_EINVAL;
    const char *seen[DX__DSEEN_MAX];
    size_t nseen = 0, nh = 0;
    /* candidates: the exact name, then wildcards of its strict ancestors */
    size_t off = 0;
    bool wild = false;
    for (;;) {
        const uint8_t *name = q->addr + off;
        size_t len = q->len - off;
        MDB_val key = { dx_sk_dindex(kb, zone, zl, name, len, wild), kb }, v;
        int rc = mdb_get(t->txn, t->st->dindex, &key, &v);
        if (rc && rc != MDB_NOTFOUND)
            return dx__mdb(rc);
        if (rc == 0) {
            struct dx_dvalue dv;
            size_t elen;
            const uint8_t *ename = dx_sv_dindex_open(&dv, v.mv_data, v.mv_size, &elen);
            if (!ename)
                return DX_EINVAL;
            struct dx_delem e;
            while (dx_sv_dindex_elem(&dv, &e)) {
                if (e.expires != 0 && e.expires <= now)
                    continue;
                if (list_seen(seen, nseen, e.list))
                    continue;
                if (nseen < DX__DSEEN_MAX)
                    seen[nseen++] = e.list;
                if (e.flags & DX_ENTRY_EXCLUDE)
                    continue;
                if (nh < max) {
                    hits[nh].list = e.list;
                    hits[nh].code = e.code;
                    hits[nh].txt = e.txt;
                    hits[nh].expires_at = e.expires;
                    hits[nh].plen = wild ? 1 : 0;
                    hits[nh].family = DX_FAM_DOMAIN;
                    hits[nh].key = ename;
                    hits[nh].key_len = (uint8_t)elen;
                    nh++;
                }
            }
            if (dv.b.err)
                return DX_EINVAL;
        }
        /* next: the wildcard of the parent */
        const uint8_t *dot = memchr(q->addr + off, '.', q->len - off);
        if (!dot)
            break;
        off = (size_t)(dot - q->addr) + 1;
        wild = true;
    }
    /* sort by list name (insertion sort: few hits) */
    for (size_t i = 1; i < nh; i++) {
        struct dx_hit h = hits[i];
        size_t j = i;
        while (j > 0 && strcmp(hits[j - 1].list, h.list) > 0) {
            hits[j] = hits[j - 1];
            j--;
        }
        hits[j] = h;
    }
    return (int)nh;
}

/* Walk the per-list elements of a dindex value. For each unexpired one:
 * with `seen` (the nearest-first walk), skip lists already decided and
 * record the list; return 1 for a listing (an exclusion only decides).
 * Without `seen`, return 1 for any unexpired element. 0 = none, or
 * DX_EINVAL for a corrupt value. */
static int dvalue_used(const MDB_val *v, uint64_t now, const char **seen, size_t *nseen)
{
    struct dx_dvalue dv;
    struct dx_delem e;
    size_t len;
    if (!dx_sv_dindex_open(&dv, v->mv_data, v->mv_size, &len))
        return DX_EINVAL;
    while (dx_sv_dindex_elem(&dv, &e)) {
        if (e.expires != 0 && e.expires <= now)
            continue;
        if (!seen)
            return 1;
        if (list_seen(seen, *nseen, e.list))
            continue;
        if (*nseen < DX__DSEEN_MAX)
            seen[(*nseen)++] = e.list;
        if (!(e.flags & DX_ENTRY_EXCLUDE))
            return 1;
    }
    return dv.b.err ? DX_EINVAL : 0;
}

/* Is something listed or recorded strictly below the name q? (See
 * dx_lookup_below.) The wildcard *.q is one get, the names below q one
 * MDB_SET_RANGE (the order of dindex keys: zones/schema.h). */
int dx__dindex_below(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                     uint64_t now)
{
    uint8_t kb[DX_SK_MAX];
    if (zl + 4 + q->len > DX_SK_MAX || q->len == 0 || q->len > DX_KEY_NAME_MAX)
        return DX_EINVAL;
    /* *.q */
    MDB_val key = { dx_sk_dindex(kb, zone, zl, q->addr, q->len, true), kb }, v;
    int rc = mdb_get(t->txn, t->st->dindex, &key, &v);
    if (rc && rc != MDB_NOTFOUND)
        return dx__mdb(rc);
    if (rc == 0 && (rc = dvalue_used(&v, now, NULL, NULL)) != 0)
        return rc;
    /* names below q */
    if (!t->dcur) {
        rc = mdb_cursor_open(t->txn, t->st->dindex, &t->dcur);
        if (rc)
            return dx__mdb(rc);
    }
    size_t pn = dx_sk_dindex_below(kb, zone, zl, q->addr, q->len);
    key.mv_size = pn;
    key.mv_data = kb;
    rc = mdb_cursor_get(t->dcur, &key, &v, MDB_SET_RANGE);
    for (; rc == 0; rc = mdb_cursor_get(t->dcur, &key, &v, MDB_NEXT)) {
        if (key.mv_size <= pn || memcmp(key.mv_data, kb, pn) != 0)
            break;
        int u = dvalue_used(&v, now, NULL, NULL);
        if (u)
            return u;
    }
    if (rc && rc != MDB_NOTFOUND)
        return dx__mdb(rc);
    /* a name below q that has no record of its own is listed by the
     * wildcards of q's ancestors, nearest first per list, as dx_lookup
     * decides (this matters when q itself is excluded under a wildcard) */
    const char *seen[DX__DSEEN_MAX];
    size_t nseen = 0;
    for (const uint8_t *dot = memchr(q->addr, '.', q->len); dot;
         dot = memchr(dot + 1, '.', q->len - (size_t)(dot + 1 - q->addr))) {
        const uint8_t *name = dot + 1;
        size_t len = q->len - (size_t)(name - q->addr);
        key.mv_size = dx_sk_dindex(kb, zone, zl, name, len, true);
        key.mv_data = kb;
        rc = mdb_get(t->txn, t->st->dindex, &key, &v);
        if (rc == MDB_NOTFOUND)
            continue;
        if (rc)
            return dx__mdb(rc);
        int u = dvalue_used(&v, now, seen, &nseen);
        if (u)
            return u;
    }
    return 0;
}
