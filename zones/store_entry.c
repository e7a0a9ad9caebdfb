/* The store's entries (the truth) and their expiry records: put, get,
 * delete, scans by zone and list, and the expire sweep. A put or delete
 * also notes the zone as changed and keeps the derived indexes: the
 * domain index at once, the ip index's touched ranges for the commit. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

static int expiry_rec(struct dx_txn *t, uint64_t exp, const uint8_t *ek, size_t ekn, bool add)
{
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_expiry(kb, exp, ek, ekn);
    if (kn < 0)
        return kn;
    MDB_val key = { (size_t)kn, kb }, v = { 0, (void *)"" };
    int rc = add ? mdb_put(t->txn, t->st->expiry, &key, &v, 0)
                 : mdb_del(t->txn, t->st->expiry, &key, NULL);
    if (!add && rc == MDB_NOTFOUND)
        rc = 0;
    return dx__mdb(rc);
}

/* The write txn's entries cursor (opened on first use, closed at the end of
 * the txn). Puts and gets in key order through it stay on the current leaf
 * page. */
static int entries_cursor(struct dx_txn *w, MDB_cursor **out)
{
    if (!w->ecur) {
        int rc = mdb_cursor_open(w->txn, w->st->entries, &w->ecur);
        if (rc)
            return dx__mdb(rc);
    }
    *out = w->ecur;
    return 0;
}

/* Look up entries key kb: 0 and *v, MDB_NOTFOUND, or an LMDB error. In a
 * write txn through its cursor (cheap for keys in order). */
static int entry_raw_get(struct dx_txn *t, const uint8_t *kb, size_t kn, MDB_val *v)
{
    MDB_val key = { kn, (void *)kb };
    if (!t->write)
        return mdb_get(t->txn, t->st->entries, &key, v);
    MDB_cursor *c;
    int rc = entries_cursor(t, &c);
    if (rc)
        return rc;
    return mdb_cursor_get(c, &key, v, MDB_SET_KEY);
}

/* Write the encoded entry (w->vbuf) under kb. *old_exp = the expiry of the
 * entry it replaced (0: none, or no entry); *added: there was none. */
static int entry_raw_put(struct dx_txn *w, const uint8_t *kb, size_t kn, uint64_t *old_exp,
                         bool *added)
{
    *old_exp = 0;
    *added = true;
    MDB_cursor *c;
    int rc = entries_cursor(w, &c);
    if (rc)
        return rc;
    if (w->elast_n == 0) {
        MDB_val lk, lv;
        rc = mdb_cursor_get(c, &lk, &lv, MDB_LAST);
        if (rc == MDB_NOTFOUND) {
            w->elast_n = SIZE_MAX;
        } else if (rc) {
            return dx__mdb(rc);
        } else {
            if (lk.mv_size == 0 || lk.mv_size > sizeof(w->elast))
                return DX_EINVAL;
            memcpy(w->elast, lk.mv_data, lk.mv_size);
            w->elast_n = lk.mv_size;
        }
    }
    MDB_val key = { kn, (void *)kb }, v = { w->vbuf.pos, w->vbuf.wp };
    if (w->elast_n == SIZE_MAX || dx__key_cmp(kb, kn, w->elast, w->elast_n) > 0) {
        /* after every key of the database: append, no search */
        rc = mdb_cursor_put(c, &key, &v, MDB_APPEND);
        if (rc == 0) {
            memcpy(w->elast, kb, kn);
            w->elast_n = kn;
            return 0;
        }
        if (rc != MDB_KEYEXIST)
            return dx__mdb(rc);
        w->elast_n = 0;     /* stale bound: relearn next time, put normally */
        v.mv_size = w->vbuf.pos;
        v.mv_data = w->vbuf.wp;
    }
    rc = mdb_cursor_put(c, &key, &v, MDB_NOOVERWRITE);
    if (rc != MDB_KEYEXIST)
        return dx__mdb(rc);
    /* replacing: v is the old value */
    *added = false;
    struct dx_entry old;
    if (dx_sv_entry_get(v.mv_data, v.mv_size, &old) == 0)
        *old_exp = old.expires_at;
    v.mv_size = w->vbuf.pos;
    v.mv_data = w->vbuf.wp;
    return dx__mdb(mdb_cursor_put(c, &key, &v, 0));
}

int dx_entry_put(struct dx_txn *w, const char *zone, const char *list,
                 const struct dx_key *k, const struct dx_entry *e)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0 || !e)
        return dx__fail(w, DX_EINVAL);
    dx_bytes_reset(&w->vbuf);
    dx_sv_entry_put(&w->vbuf, e);
    if (w->vbuf.err)
        return dx__fail(w, DX_ENOMEM);
    /* e's strings may point into the map (read-modify-write): the writes
     * below may move those bytes, so the domain index takes its copy from
     * the encoded value */
    struct dx_entry enc;
    if (dx_sv_entry_get(w->vbuf.wp, w->vbuf.pos, &enc))
        return dx__fail(w, DX_EINVAL);
    uint64_t old_exp;
    bool added;
    int rc = entry_raw_put(w, kb, (size_t)kn, &old_exp, &added);
    if (rc == 0 && added)
        rc = dx__count_delta(w, kb, (size_t)kn, 1);
    if (rc == 0 && old_exp && old_exp != e->expires_at)
        rc = expiry_rec(w, old_exp, kb, (size_t)kn, false);
    if (rc == 0 && e->expires_at && old_exp != e->expires_at)
        rc = expiry_rec(w, e->expires_at, kb, (size_t)kn, true);
    if (rc == 0)
        rc = dx__zone_changed(w, zone);
    if (rc == 0)
        rc = k->family == DX_FAM_DOMAIN ? dx__dindex_update(w, zone, list, k, &enc)
                                        : dx__ip_touch(w, zone, k);
    return dx__fail(w, rc);
}

int dx_entry_get(struct dx_txn *t, const char *zone, const char *list,
                 const struct dx_key *k, struct dx_entry *out)
{
    if (!t)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0)
        return DX_EINVAL;
    MDB_val v;
    int rc = entry_raw_get(t, kb, (size_t)kn, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    return dx__fail(t, dx_sv_entry_get(v.mv_data, v.mv_size, out));
}

/* Delete the entry with entries key kb (already validated). */
static int entry_del_raw(struct dx_txn *w, const uint8_t *kb, size_t kn)
{
    const char *zone, *list;
    struct dx_key k;
    if (dx_sk_entry_split(kb, kn, &zone, &list, &k))
        return DX_EINVAL;
    MDB_val v;
    int rc = entry_raw_get(w, kb, kn, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__mdb(rc);
    struct dx_entry old;
    uint64_t old_exp = 0;
    if (dx_sv_entry_get(v.mv_data, v.mv_size, &old) == 0)
        old_exp = old.expires_at;
    /* the cursor is on the entry */
    rc = dx__mdb(mdb_cursor_del(w->ecur, 0));
    if (rc == 0)
        rc = dx__count_delta(w, kb, kn, -1);
    if (rc == 0 && old_exp)
        rc = expiry_rec(w, old_exp, kb, kn, false);
    if (rc == 0)
        rc = dx__zone_changed(w, zone);
    if (rc == 0)
        rc = k.family == DX_FAM_DOMAIN ? dx__dindex_update(w, zone, list, &k, NULL)
                                       : dx__ip_touch(w, zone, &k);
    return rc;
}

int dx_entry_del(struct dx_txn *w, const char *zone, const char *list, const struct dx_key *k)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0)
        return dx__fail(w, DX_EINVAL);
    return dx__fail(w, entry_del_raw(w, kb, (size_t)kn));
}

/* Prefix scan of entries for zone[/list]. */
static int entry_scan(struct dx_txn *t, const char *zone, const char *list,
                      dx_entry_cb cb, void *arg, size_t *count)
{
    uint8_t pre[DX_SK_MAX];
    int pl = dx_sk_entry_prefix(pre, zone, list);
    if (!t || pl < 0)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    size_t pn = (size_t)pl;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->entries, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val key = { pn, pre }, v;
    size_t n = 0;
    bool cbret = false;
    rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
    while (rc == 0) {
        if (key.mv_size < pn || memcmp(key.mv_data, pre, pn) != 0)
            break;
        if (cb) {
            const char *z, *l;
            struct dx_key k;
            struct dx_entry e;
            if (dx_sk_entry_split(key.mv_data, key.mv_size, &z, &l, &k) ||
                dx_sv_entry_get(v.mv_data, v.mv_size, &e)) {
                rc = DX_EINVAL;
                break;
            }
            rc = cb(arg, l, &k, &e);
            if (rc) {
                cbret = true;
                break;
            }
        }
        n++;
        rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (count)
        *count = n;
    if (cbret)                          /* callback's own value: not sticky */
        return rc;
    return dx__fail(t, dx__mdb(rc));
}

int dx_entry_foreach(struct dx_txn *t, const char *zone, const char *list,
                     dx_entry_cb cb, void *arg)
{
    if (!cb)
        return DX_EINVAL;
    return entry_scan(t, zone, list, cb, arg, NULL);
}

int dx_entry_count(struct dx_txn *t, const char *zone, const char *list, size_t *n)
{
    *n = 0;
    return entry_scan(t, zone, list, NULL, NULL, n);
}

int dx_expire(struct dx_txn *w, uint64_t now, dx_zentry_cb cb, void *arg, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    size_t n = 0;
    for (;;) {
        MDB_cursor *c;
        int rc = mdb_cursor_open(w->txn, w->st->expiry, &c);
        if (rc)
            return dx__fail(w, dx__mdb(rc));
        MDB_val key, v;
        rc = mdb_cursor_get(c, &key, &v, MDB_FIRST);
        uint8_t kb[DX_SK_MAX];
        size_t kn = 0, ekn = 0;
        uint64_t exp = 0;
        const uint8_t *ek = NULL;
        if (rc == 0 && key.mv_size <= sizeof(kb)) {
            kn = key.mv_size;
            memcpy(kb, key.mv_data, kn);
            ek = dx_sk_expiry_split(kb, kn, &exp, &ekn);
        }
        mdb_cursor_close(c);
        if (rc == MDB_NOTFOUND)
            break;
        if (rc)
            return dx__fail(w, dx__mdb(rc));
        if (!ek)
            return dx__fail(w, DX_EINVAL);
        if (exp == 0 || exp > now)
            break;
        MDB_val ekey = { ekn, (void *)ek };
        rc = mdb_get(w->txn, w->st->entries, &ekey, &v);
        if (rc == MDB_NOTFOUND) {
            /* stale expiry record: drop it */
            MDB_val xk = { kn, kb };
            rc = mdb_del(w->txn, w->st->expiry, &xk, NULL);
            if (rc)
                return dx__fail(w, dx__mdb(rc));
            continue;
        }
        if (rc)
            return dx__fail(w, dx__mdb(rc));
        if (cb) {
            /* copy the entry: the callback may write (history) */
            struct dx_entry e;
            if (dx_sv_entry_get(v.mv_data, v.mv_size, &e))
                return dx__fail(w, DX_EINVAL);
            uint8_t *copy = malloc(v.mv_size + 1);
            if (!copy)
                return dx__fail(w, DX_ENOMEM);
            memcpy(copy, v.mv_data, v.mv_size);
            dx_sv_entry_get(copy, v.mv_size, &e);
            const char *zone, *list;
            struct dx_key k;
            if (dx_sk_entry_split(ek, ekn, &zone, &list, &k)) {
                free(copy);
                return dx__fail(w, DX_EINVAL);
            }
            rc = cb(arg, zone, list, &k, &e);
            free(copy);
            if (rc) {
                if (removed)
                    *removed = n;
                return rc;
            }
        }
        rc = entry_del_raw(w, ek, ekn);
        if (rc == 0) {
            /* entry_del_raw removed the expiry record of the entry's current
             * expiry; if it differed (corrupt), remove this one too. */
            MDB_val xk = { kn, kb };
            int r2 = mdb_del(w->txn, w->st->expiry, &xk, NULL);
            if (r2 && r2 != MDB_NOTFOUND)
                rc = dx__mdb(r2);
        }
        if (rc)
            return dx__fail(w, rc);
        n++;
    }
    if (removed)
        *removed = n;
    return 0;
}
