/* The journal database (zones/journal.h, layout in zones/schema.h): a
 * zone's records in seq order, appended, bounded, dropped, read; and the
 * address ranges a write txn touched. The one file of the journal that
 * touches LMDB. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/journal.h"
#include "zones/store_txn.h"

/* The key prefix z \0 of zone into kb: its length, or 0 for a bad zone. */
static size_t prefix(uint8_t kb[DX_SK_MAX], const char *zone)
{
    int n = dx_sk_journal(kb, zone, 0);
    return n < 0 ? 0 : (size_t)n - 8;
}

/* Position c on the zone's first record: 1 and k/v, 0 for none, or an error. */
static int first(MDB_cursor *c, const uint8_t *pre, size_t pn, MDB_val *k, MDB_val *v)
{
    uint8_t kb[DX_SK_MAX];
    memcpy(kb, pre, pn);
    memset(kb + pn, 0, 8);
    k->mv_size = pn + 8;
    k->mv_data = kb;
    uint64_t seq;
    int rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return dx__mdb(rc);
    return dx_sk_journal_seq(k->mv_data, k->mv_size, pre, pn, &seq) ? 1 : 0;
}

int dx_journal_foreach(struct dx_txn *t, const char *zone,
                       int (*cb)(void *arg, const uint8_t *v, size_t n), void *arg)
{
    uint8_t pre[DX_SK_MAX];
    size_t pn = prefix(pre, zone);
    if (!t || !pn)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->journal, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val k, v;
    uint64_t seq;
    rc = first(c, pre, pn, &k, &v);
    while (rc == 1) {
        if ((rc = cb(arg, v.mv_data, v.mv_size)) != 0)
            break;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        rc = rc == MDB_NOTFOUND ? 0 : rc ? dx__mdb(rc)
             : dx_sk_journal_seq(k.mv_data, k.mv_size, pre, pn, &seq);
    }
    mdb_cursor_close(c);
    return rc;
}

/* Delete the zone's records from the first while keep() says no. */
static int trim(struct dx_txn *w, const char *zone, uint64_t max_bytes, uint64_t before,
                bool all)
{
    uint8_t pre[DX_SK_MAX];
    size_t pn = prefix(pre, zone);
    if (!pn)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, w->st->journal, &c);
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    MDB_val k, v;
    uint64_t total = 0, seq;
    if (!all) {                         /* the zone's bytes */
        rc = first(c, pre, pn, &k, &v);
        while (rc == 1) {
            total += v.mv_size;
            rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            rc = rc == MDB_NOTFOUND ? 0 : rc ? dx__mdb(rc)
                 : dx_sk_journal_seq(k.mv_data, k.mv_size, pre, pn, &seq);
        }
    }
    if (rc == 0)
        rc = first(c, pre, pn, &k, &v);
    while (rc == 1) {
        struct dx_bytes r;
        struct dx_jhead h;
        dx_bytes_reader(&r, v.mv_data, v.mv_size);
        bool old = dx_sv_jhead_get(&r, &h) != 0 || h.at < before;
        if (!all && !old && total <= max_bytes)
            break;
        total -= v.mv_size;
        if ((rc = mdb_cursor_del(c, 0)) != 0) {
            rc = dx__mdb(rc);
            break;
        }
        rc = first(c, pre, pn, &k, &v);
    }
    mdb_cursor_close(c);
    return dx__fail(w, rc < 0 ? rc : 0);
}

int dx_journal_drop(struct dx_txn *w, const char *zone)
{
    return trim(w, zone, 0, 0, true);
}

int dx_journal_append(struct dx_txn *w, const char *zone, const void *val, size_t n,
                      uint64_t max_bytes, uint64_t before)
{
    uint8_t pre[DX_SK_MAX], kb[DX_SK_MAX];
    size_t pn = prefix(pre, zone);
    if (!w || !w->write || !pn)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, w->st->journal, &c);
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    /* the next seq: one more than the zone's last (the key after its last) */
    memcpy(kb, pre, pn);
    memset(kb + pn, 0xff, 8);
    MDB_val k = { pn + 8, kb }, v;
    uint64_t seq = 0, next = 1;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(c, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    if (rc == 0 && dx_sk_journal_seq(k.mv_data, k.mv_size, pre, pn, &seq))
        next = seq + 1;
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return dx__fail(w, dx__mdb(rc));
    dx_sk_journal(kb, zone, next);
    k.mv_size = pn + 8;
    k.mv_data = kb;
    v.mv_size = n;
    v.mv_data = (void *)val;
    rc = mdb_put(w->txn, w->st->journal, &k, &v, 0);
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    return trim(w, zone, max_bytes, before, false);
}

int dx_txn_touched(struct dx_txn *w, const char *zone,
                   int (*cb)(void *arg, uint8_t fam, bool full, dx_u128 lo, dx_u128 hi),
                   void *arg)
{
    for (size_t i = 0; w && i < w->ntouch; i++) {
        const struct dx__touch *g = &w->touch[i];
        if (strcmp(g->zone, zone) != 0)
            continue;
        int rc = 0;
        if (g->full)
            rc = cb(arg, g->fam, true, 0, dx_addr_max(dx_fam_len(g->fam)));
        for (size_t j = 0; rc == 0 && !g->full && j < g->n; j++)
            rc = cb(arg, g->fam, false, g->r[j].lo, g->r[j].hi);
        if (rc)
            return rc;
    }
    return 0;
}

int dx_txn_touched_names(struct dx_txn *w, const char *zone,
                         int (*cb)(void *arg, bool full, const char *name, size_t len),
                         void *arg)
{
    if (!w)
        return 0;
    if (w->dtouch_full)
        return cb(arg, true, "", 0);
    struct dx_bytes r;
    dx_bytes_reader(&r, w->dtouch.wp, w->dtouch.pos);
    while (dx_bytes_left(&r) > 0) {
        const char *z = (const char *)r.rp + r.pos;
        size_t zl = strnlen(z, dx_bytes_left(&r));
        dx_skip(&r, zl + 1);
        const char *name = (const char *)r.rp + r.pos;
        size_t nl = strnlen(name, dx_bytes_left(&r));
        dx_skip(&r, nl + 1);
        if (r.err)
            return DX_EINVAL;
        int rc = strcmp(z, zone) == 0 ? cb(arg, false, name, nl) : 0;
        if (rc)
            return rc;
    }
    return 0;
}
