/* A txn's bookkeeping shared by the store's files: a read snapshot's
 * records per zone (dx__zone_get), a write txn's zones it changed (their
 * serials are bumped at commit), the domain names it touched, and the
 * generic prune. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

int dx__zone_get(struct dx_txn *t, MDB_dbi dbi, struct dx__zcache *c, const char *zone,
                 size_t zl, int (*get)(const void *, size_t, uint32_t *), uint32_t *out)
{
    /* a write txn changes serials and gives ids at commit: it always reads */
    if (!t->write && c->zl == zl && memcmp(c->zone, zone, zl) == 0) {
        if (c->rc == 0)
            *out = c->val;
        return c->rc;
    }
    if (zl > DX_ZONE_MAX)
        return DX_EINVAL;
    MDB_val k = { zl + 1, (void *)zone }, v;   /* the key z \0 (dx_sk_zone) */
    int rc = mdb_get(t->txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        rc = DX_ENOTFOUND;
    else if (rc)
        return dx__mdb(rc);
    else if ((rc = get(v.mv_data, v.mv_size, out)) != 0)
        return rc;
    if (!t->write && t->active) {
        memcpy(c->zone, zone, zl);
        c->zl = zl;
        c->val = rc == 0 ? *out : 0;
        c->rc = rc;
    }
    return rc;
}

int dx__zone_changed(struct dx_txn *t, const char *zone)
{
    for (size_t i = t->nzones; i-- > 0;)
        if (strcmp(t->zones[i], zone) == 0)
            return 0;
    if (t->nzones == t->capzones) {
        size_t cap = t->capzones ? t->capzones * 2 : 4;
        char **z = realloc(t->zones, cap * sizeof(*z));
        if (!z)
            return DX_ENOMEM;
        t->zones = z;
        t->capzones = cap;
    }
    char *s = strdup(zone);
    if (!s)
        return DX_ENOMEM;
    t->zones[t->nzones++] = s;
    return 0;
}

int dx__dom_touch(struct dx_txn *t, const char *zone, const struct dx_key *k)
{
    if (t->dtouch_full)
        return 0;
    if (t->ndtouch == DX__TOUCH_MAX) {
        t->dtouch_full = true;
        dx_bytes_free(&t->dtouch);
        return 0;
    }
    if (!t->dtouch.grow)
        dx_bytes_growable(&t->dtouch);
    dx_put(&t->dtouch, zone, strlen(zone) + 1);
    dx_put(&t->dtouch, k->addr, k->len);
    dx_put_u8(&t->dtouch, 0);
    t->ndtouch++;
    return t->dtouch.err ? DX_ENOMEM : 0;
}

int dx__prune(struct dx_txn *w, MDB_dbi dbi,
              bool (*older)(const MDB_val *key, const MDB_val *v, uint64_t before),
              uint64_t before, size_t *removed)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, dbi, &c);
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    size_t n = 0;
    MDB_val key, v;
    uint8_t kb[DX_SK_MAX + 1];
    rc = mdb_cursor_get(c, &key, &v, MDB_FIRST);
    while (rc == 0) {
        if (key.mv_size > DX_SK_MAX || !older(&key, &v, before)) {
            rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
            continue;
        }
        size_t kn = key.mv_size;
        memcpy(kb, key.mv_data, kn);
        rc = mdb_cursor_del(c, 0);
        if (rc)
            break;
        n++;
        key.mv_size = kn;
        key.mv_data = kb;
        rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (removed)
        *removed = n;
    return dx__fail(w, dx__mdb(rc));
}
