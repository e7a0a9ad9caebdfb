/* Walks over the derived indexes in key order (zones/walk.h): the ip
 * index forward, one family of one zone; the domain index of one zone by
 * key. One cursor each, opened in the caller's read txn. */
#include <lmdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"
#include "zones/walk.h"

struct dx_ipwalk {
    MDB_cursor *c;
    size_t alen;
    uint8_t kb[DX_SK_MAX];           /* an index key of zone/fam: the prefix, then an address */
    size_t kn;                       /* its length (prefix + alen) */
    bool have, eof;
    struct dx_ipiv cur;
};

int dx_ipwalk_open(struct dx_txn *t, const char *zone, uint8_t fam, struct dx_ipwalk **out)
{
    *out = NULL;
    size_t alen = dx_fam_len(fam);
    if (!t || dx_sk_check_zone(zone) || !alen)
        return DX_EINVAL;
    struct dx_ipwalk *w = calloc(1, sizeof(*w));
    if (!w)
        return DX_ENOMEM;
    w->alen = alen;
    uint16_t id = 0;                 /* none: 0, which no zone has (no interval) */
    int rc = dx__zone_id(t, zone, strlen(zone), &id);
    w->kn = dx_sk_index_u128(w->kb, id, fam, 0, alen);
    if (rc == 0 || rc == DX_ENOTFOUND)
        rc = mdb_cursor_open(t->txn, t->st->index, &w->c);
    if (rc) {
        free(w);
        return dx__mdb(rc);
    }
    *out = w;
    return 0;
}

void dx_ipwalk_close(struct dx_ipwalk *w)
{
    if (!w)
        return;
    mdb_cursor_close(w->c);
    free(w);
}

/* The interval at the cursor after a get that returned rc. */
static int ip_load(struct dx_ipwalk *w, int rc, const MDB_val *k, const MDB_val *v)
{
    w->have = false;
    if (rc == MDB_NOTFOUND) {
        w->eof = true;
        return 0;
    }
    if (rc)
        return dx__mdb(rc);
    const uint8_t *end = dx_sk_index_end(k->mv_data, k->mv_size, w->kb, w->kn, w->alen);
    if (!end) {
        w->eof = true;                  /* past this zone/family */
        return 0;
    }
    struct dx_ivalue iv;
    const uint8_t *start = dx_sv_index_open(&iv, v->mv_data, v->mv_size, end, w->alen);
    if (!start || iv.b.err)
        return DX_EINVAL;
    w->cur.start = dx_be_n(start, w->alen);
    w->cur.end = dx_be_n(end, w->alen);
    w->cur.val = v->mv_data;
    w->cur.vlen = v->mv_size;
    w->cur.endp = end;
    if (w->cur.start > w->cur.end)
        return DX_EINVAL;
    w->have = true;
    return 1;
}

int dx_ipwalk_seek(struct dx_ipwalk *w, dx_u128 addr, struct dx_ipiv *iv)
{
    MDB_val k, v;
    int rc;
    if (w->have && w->cur.end >= addr) {
        *iv = w->cur;
        return 1;
    }
    if (w->eof)
        return 0;
    if (w->have) {                      /* the next interval is the likely one */
        rc = ip_load(w, mdb_cursor_get(w->c, &k, &v, MDB_NEXT), &k, &v);
        if (rc <= 0)
            return rc;
        if (w->cur.end >= addr) {
            *iv = w->cur;
            return 1;
        }
    }
    dx_set_be_n(w->kb + w->kn - w->alen, w->alen, addr);
    k.mv_size = w->kn;
    k.mv_data = w->kb;
    rc = ip_load(w, mdb_cursor_get(w->c, &k, &v, MDB_SET_RANGE), &k, &v);
    if (rc == 1)
        *iv = w->cur;
    return rc;
}

void dx_ipwalk_rewind(struct dx_ipwalk *w)
{
    w->have = w->eof = false;
}

/* --- the domain index ------------------------------------------------------------ */

struct dx_dwalk {
    MDB_cursor *c;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint8_t kb[DX_SK_MAX];
    size_t pn;                       /* the zone's prefix z \0 'D' */
};

int dx_dwalk_open(struct dx_txn *t, const char *zone, struct dx_dwalk **out)
{
    *out = NULL;
    if (!t || dx_sk_check_zone(zone))
        return DX_EINVAL;
    struct dx_dwalk *w = calloc(1, sizeof(*w));
    if (!w)
        return DX_ENOMEM;
    size_t zl = strlen(zone);
    memcpy(w->kb, zone, zl);
    w->kb[zl] = 0;
    w->kb[zl + 1] = DX_FAM_DOMAIN;
    w->pn = zl + 2;
    w->txn = t->txn;
    w->dbi = t->st->dindex;
    int rc = mdb_cursor_open(t->txn, t->st->dindex, &w->c);
    if (rc) {
        free(w);
        return dx__mdb(rc);
    }
    *out = w;
    return 0;
}

void dx_dwalk_close(struct dx_dwalk *w)
{
    if (!w)
        return;
    mdb_cursor_close(w->c);
    free(w);
}

/* The record at the cursor after a get that returned rc. */
static int d_load(struct dx_dwalk *w, int rc, const MDB_val *k, const MDB_val *v,
                  struct dx_drec *r)
{
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return dx__mdb(rc);
    r->key = dx_sk_dindex_tail(k->mv_data, k->mv_size, w->kb, w->pn, &r->keyn);
    if (!r->key)
        return 0;                       /* past the zone's records */
    r->val = v->mv_data;
    r->vlen = v->mv_size;
    return 1;
}

int dx_dwalk_get(struct dx_dwalk *w, const uint8_t *key, size_t n, struct dx_drec *r)
{
    if (w->pn + n > DX_SK_MAX)
        return DX_EINVAL;
    memcpy(w->kb + w->pn, key, n);
    MDB_val k = { w->pn + n, w->kb }, v;
    return d_load(w, mdb_get(w->txn, w->dbi, &k, &v), &k, &v, r);   /* the walk stays */
}

int dx_dwalk_seek(struct dx_dwalk *w, const uint8_t *key, size_t n, struct dx_drec *r)
{
    if (w->pn + n > DX_SK_MAX)
        return DX_EINVAL;
    memcpy(w->kb + w->pn, key, n);
    MDB_val k = { w->pn + n, w->kb }, v;
    return d_load(w, mdb_cursor_get(w->c, &k, &v, MDB_SET_RANGE), &k, &v, r);
}

int dx_dwalk_next(struct dx_dwalk *w, struct dx_drec *r)
{
    MDB_val k, v;
    return d_load(w, mdb_cursor_get(w->c, &k, &v, MDB_NEXT), &k, &v, r);
}
