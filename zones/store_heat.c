/* Heat (zones/store.h): the answered queries and last query time of each
 * entry, in an environment of its own, DATABASE/heat/, beside the store's.
 * Only dnsxld writes it (dnsxld/heat.h), so its writer never waits for an
 * import: LMDB has one writer per environment, and an import holds the
 * store's for as long as it runs. The layout: zones/schema.h ("heat"). */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zones/err.h"
#include "zones/store_txn.h"

#define HEAT_MAP (1ULL << 30)          /* first map; doubled when full */
#define HEAT_SCHEMA 1u

struct dx_heat {
    MDB_env *env;
    MDB_dbi meta, heat;
    MDB_txn *rtxn;                     /* between dx_heat_begin and dx_heat_end */
    bool write;
};

static int heat_dbs(struct dx_heat *h, bool create)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(h->env, NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc)
        return rc;
    unsigned f = create ? MDB_CREATE : 0;
    if ((rc = mdb_dbi_open(txn, "meta", f, &h->meta)) == 0)
        rc = mdb_dbi_open(txn, "heat", f, &h->heat);
    MDB_val k, v;
    k.mv_data = (void *)dx_sk_meta_schema(&k.mv_size);
    uint32_t ver = 0;
    if (rc == 0)
        rc = mdb_get(txn, h->meta, &k, &v);
    if (rc == MDB_NOTFOUND && create) {
        uint8_t b[4];
        dx_sv_u32_put(b, HEAT_SCHEMA);
        v.mv_size = 4;
        v.mv_data = b;
        rc = mdb_put(txn, h->meta, &k, &v, 0);
    } else if (rc == 0 && (dx_sv_u32_get(v.mv_data, v.mv_size, &ver) || ver != HEAT_SCHEMA)) {
        rc = DX_ESCHEMA;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc == MDB_NOTFOUND ? DX_ENOSTORE : rc;
    }
    return mdb_txn_commit(txn);
}

int dx_heat_open(const char *store_dir, unsigned flags, struct dx_heat **out)
{
    *out = NULL;
    char dir[4200], data[4300];
    if (!store_dir || (size_t)snprintf(dir, sizeof(dir), "%s/heat", store_dir) >= sizeof(dir))
        return DX_EINVAL;
    snprintf(data, sizeof(data), "%s/data.mdb", dir);
    bool write = flags & DX_HEAT_WRITE;
    struct stat sb;
    if (write) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return -errno;
    } else if (stat(data, &sb) != 0) {
        return errno == ENOENT || errno == ENOTDIR ? DX_ENOSTORE : -errno;
    }
    struct dx_heat *h = calloc(1, sizeof(*h));
    if (!h)
        return DX_ENOMEM;
    h->write = write;
    int rc = mdb_env_create(&h->env);
    if (rc == 0 && (rc = mdb_env_set_maxdbs(h->env, 2)) == 0 &&
        (rc = mdb_env_set_mapsize(h->env, HEAT_MAP)) == 0)
        /* the writer does not sync each flush (heat is advisory: an OS crash
         * may lose the last flushes, never the store's data); it syncs at
         * close */
        rc = mdb_env_open(h->env, dir, MDB_NOTLS | MDB_NORDAHEAD |
                                           (write ? MDB_NOSYNC : MDB_RDONLY), 0600);
    if (rc == 0)
        rc = heat_dbs(h, write);
    if (rc) {
        if (h->env)
            mdb_env_close(h->env);
        free(h);
        return dx__mdb(rc);
    }
    *out = h;
    return 0;
}

void dx_heat_close(struct dx_heat *h)
{
    if (!h)
        return;
    dx_heat_end(h);
    if (h->write)
        mdb_env_sync(h->env, 1);
    mdb_env_close(h->env);
    free(h);
}

/* One record into the write txn: count added, the later time kept. */
static int heat_merge(MDB_txn *txn, MDB_dbi dbi, const struct dx_heat_rec *r)
{
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, r->zone, r->list, &r->key);
    if (kn < 0)
        return 0;                       /* not an entry's key: nothing to count */
    MDB_val k = { (size_t)kn, kb }, v;
    uint64_t q = 0, last = 0;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == 0 && dx_sv_heat_get(v.mv_data, v.mv_size, &q, &last))
        q = last = 0;                   /* a corrupt record starts again */
    else if (rc && rc != MDB_NOTFOUND)
        return rc;
    uint8_t b[16];
    dx_sv_heat_put(b, q + r->queries, r->last > last ? r->last : last);
    v.mv_size = 16;
    v.mv_data = b;
    return mdb_put(txn, dbi, &k, &v, 0);
}

int dx_heat_add(struct dx_heat *h, const struct dx_heat_rec *recs, size_t n)
{
    if (!h || !h->write)
        return DX_EINVAL;
    for (int tries = 0; tries < 8; tries++) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(h->env, NULL, 0, &txn);
        if (rc)
            return dx__mdb(rc);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = heat_merge(txn, h->heat, &recs[i]);
        if (rc == 0)
            return dx__mdb(mdb_txn_commit(txn));
        mdb_txn_abort(txn);
        if (rc != MDB_MAP_FULL)
            return dx__mdb(rc);
        /* only this thread uses the environment: no snapshot is held */
        MDB_envinfo info;
        if ((rc = mdb_env_info(h->env, &info)) != 0 ||
            (rc = mdb_env_set_mapsize(h->env, info.me_mapsize * 2)) != 0)
            return dx__mdb(rc);
    }
    return dx__mdb(MDB_MAP_FULL);
}

int dx_heat_prune(struct dx_heat *h, struct dx_txn *t, size_t *removed)
{
    *removed = 0;
    if (!h || !h->write || !t)
        return DX_EINVAL;
    MDB_txn *txn;
    MDB_cursor *c;
    int rc = mdb_txn_begin(h->env, NULL, 0, &txn);
    if (rc)
        return dx__mdb(rc);
    if ((rc = mdb_cursor_open(txn, h->heat, &c)) != 0) {
        mdb_txn_abort(txn);
        return dx__mdb(rc);
    }
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        const char *zone, *list;
        struct dx_key key;
        struct dx_entry e;
        int gone = dx_sk_entry_split(k.mv_data, k.mv_size, &zone, &list, &key) != 0;
        if (!gone) {
            int g = dx_entry_get(t, zone, list, &key, &e);
            if (g && g != DX_ENOTFOUND) {
                rc = g;
                break;
            }
            gone = g == DX_ENOTFOUND;
        }
        if (gone) {
            if ((rc = mdb_cursor_del(c, 0)) != 0)
                break;
            (*removed)++;
            rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
            if (rc == MDB_NOTFOUND || rc == EINVAL)      /* deleted the last one */
                break;
            if (rc == 0)
                continue;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND || rc == EINVAL)
        rc = 0;
    if (rc) {
        mdb_txn_abort(txn);
        *removed = 0;
        return rc > 0 ? dx__mdb(rc) : rc;
    }
    return dx__mdb(mdb_txn_commit(txn));
}

int dx_heat_begin(struct dx_heat *h)
{
    if (!h)
        return DX_EINVAL;
    dx_heat_end(h);
    int rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &h->rtxn);
    if (rc == MDB_MAP_RESIZED) {        /* dnsxld grew the map: adopt its size */
        if ((rc = mdb_env_set_mapsize(h->env, 0)) == 0)
            rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &h->rtxn);
    }
    if (rc)
        h->rtxn = NULL;
    return dx__mdb(rc);
}

void dx_heat_end(struct dx_heat *h)
{
    if (h && h->rtxn) {
        mdb_txn_abort(h->rtxn);
        h->rtxn = NULL;
    }
}

int dx_heat_get(struct dx_heat *h, const char *zone, const char *list, const struct dx_key *k,
                uint64_t *queries, uint64_t *last)
{
    if (!h || !h->rtxn)
        return DX_EINVAL;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_entry(kb, zone, list, k);
    if (kn < 0)
        return DX_EINVAL;
    MDB_val key = { (size_t)kn, kb }, v;
    int rc = mdb_get(h->rtxn, h->heat, &key, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__mdb(rc);
    return dx_sv_heat_get(v.mv_data, v.mv_size, queries, last);
}

int dx_heat_foreach(struct dx_heat *h, const char *zone, const char *list,
                    int (*cb)(void *arg, const struct dx_heat_rec *r), void *arg)
{
    uint8_t pre[DX_SK_MAX];
    int pl = dx_sk_entry_prefix(pre, zone, list);
    if (!h || !h->rtxn || !cb || pl < 0)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(h->rtxn, h->heat, &c);
    if (rc)
        return dx__mdb(rc);
    MDB_val k = { (size_t)pl, pre }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= (size_t)pl && memcmp(k.mv_data, pre, (size_t)pl) == 0) {
        struct dx_heat_rec r;
        if (dx_sk_entry_split(k.mv_data, k.mv_size, &r.zone, &r.list, &r.key) ||
            dx_sv_heat_get(v.mv_data, v.mv_size, &r.queries, &r.last)) {
            rc = DX_EINVAL;
            break;
        }
        int cr = cb(arg, &r);
        if (cr) {
            mdb_cursor_close(c);
            return cr;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc > 0 ? dx__mdb(rc) : rc;
}
