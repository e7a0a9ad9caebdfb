/* The store's holds (delist --hold: an entry's relisting blocked until a
 * time) and abuse reporters (the distinct reporters of a key, each with
 * its last report time). */
#include <lmdb.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

int dx_hold_put(struct dx_txn *w, const char *zone, const char *list,
                const struct dx_key *k, uint64_t until)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0)
        return dx__fail(w, DX_EINVAL);
    uint8_t b[8];
    dx_sv_u64_put(b, until);
    MDB_val key = { (size_t)kn, kb }, v = { 8, b };
    return dx__fail(w, dx__mdb(mdb_put(w->txn, w->st->holds, &key, &v, 0)));
}

int dx_hold_get(struct dx_txn *t, const char *zone, const char *list,
                const struct dx_key *k, uint64_t *until)
{
    if (!t)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0)
        return DX_EINVAL;
    MDB_val key = { (size_t)kn, kb }, v;
    int rc = mdb_get(t->txn, t->st->holds, &key, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    return dx_sv_u64_get(v.mv_data, v.mv_size, until);
}

/* A reporter's last report before `before`. */
static bool report_older(const MDB_val *key, const MDB_val *v, uint64_t before)
{
    uint64_t at;
    return dx_sv_u64_get(v->mv_data, v->mv_size, &at) == 0 && at < before;
}

int dx_report_add(struct dx_txn *w, const char *zone, const char *list,
                  const struct dx_key *k, const char *reporter, uint64_t at)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_MAX];
    int pn = dx_sk_report_prefix(kb, zone, list, k);
    int kn = pn < 0 ? pn : dx_sk_report(kb, (size_t)pn, reporter);
    if (kn < 0)
        return dx__fail(w, DX_EINVAL);
    MDB_val key = { (size_t)kn, kb }, v;
    uint64_t last;
    int rc = mdb_get(w->txn, w->st->reports, &key, &v);
    if (rc == 0 && dx_sv_u64_get(v.mv_data, v.mv_size, &last) == 0 && last >= at)
        return 0;
    if (rc && rc != MDB_NOTFOUND)
        return dx__fail(w, dx__mdb(rc));
    uint8_t b[8];
    dx_sv_u64_put(b, at);
    v.mv_size = 8;
    v.mv_data = b;
    return dx__fail(w, dx__mdb(mdb_put(w->txn, w->st->reports, &key, &v, 0)));
}

int dx_report_count(struct dx_txn *t, const char *zone, const char *list,
                    const struct dx_key *k, uint64_t since, size_t *n)
{
    if (n)
        *n = 0;
    if (!t || !n)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    uint8_t kb[DX_SK_MAX];
    int pn = dx_sk_report_prefix(kb, zone, list, k);
    if (pn < 0)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->reports, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val key = { (size_t)pn, kb }, v;
    size_t cnt = 0;
    rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
    while (rc == 0) {
        int m = dx_sk_report_match(key.mv_data, key.mv_size, kb, (size_t)pn);
        if (m == 0)
            break;
        uint64_t last;
        if (m < 0 || dx_sv_u64_get(v.mv_data, v.mv_size, &last)) {
            rc = DX_EINVAL;
            break;
        }
        if (last >= since)
            cnt++;
        rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc == 0)
        *n = cnt;
    return dx__fail(t, dx__mdb(rc));
}

int dx_report_prune(struct dx_txn *w, uint64_t before, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    return dx__prune(w, w->st->reports, report_older, before, removed);
}
