/* What a scrape reads from the store without scanning it (zones/store.h,
 * "observability"): the entries of every zone/list (the counts database,
 * kept by every write txn: the txn collects +1/-1 per zone/list as it puts
 * and deletes, and writes the sums at its commit), the entries expired but
 * not yet swept (the expiry database up to now), the time of each zone's
 * last change (the changes database, written with its serial) and the map's
 * use. Layouts: zones/schema.h. */
#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zones/err.h"
#include "zones/store_txn.h"

/* --- the deltas of a write txn ------------------------------------------------ */

int dx__count_delta(struct dx_txn *t, const uint8_t *ek, size_t kn, int64_t delta)
{
    size_t pn = dx_sk_count_of_entry(ek, kn);
    if (pn == 0)
        return DX_EINVAL;
    /* puts come in key order: the last zone/list is almost always this one */
    if (t->clast < t->ncdelta) {
        struct dx__cdelta *d = &t->cdelta[t->clast];
        if (d->n == pn && memcmp(d->prefix, ek, pn) == 0) {
            d->delta += delta;
            return 0;
        }
    }
    for (size_t i = 0; i < t->ncdelta; i++) {
        struct dx__cdelta *d = &t->cdelta[i];
        if (d->n == pn && memcmp(d->prefix, ek, pn) == 0) {
            d->delta += delta;
            t->clast = i;
            return 0;
        }
    }
    if (t->ncdelta == t->capcdelta) {
        size_t cap = t->capcdelta ? t->capcdelta * 2 : 4;
        struct dx__cdelta *nd = realloc(t->cdelta, cap * sizeof(*nd));
        if (!nd)
            return DX_ENOMEM;
        t->cdelta = nd;
        t->capcdelta = cap;
    }
    char *p = malloc(pn);
    if (!p)
        return DX_ENOMEM;
    memcpy(p, ek, pn);
    t->cdelta[t->ncdelta] = (struct dx__cdelta){ p, pn, delta };
    t->clast = t->ncdelta++;
    return 0;
}

void dx__counts_free(struct dx_txn *t)
{
    for (size_t i = 0; i < t->ncdelta; i++)
        free(t->cdelta[i].prefix);
    free(t->cdelta);
    t->cdelta = NULL;
    t->ncdelta = t->capcdelta = t->clast = 0;
}

/* The stored count of key[0..n): 0 and *v (0 when absent), or an LMDB error. */
static int count_read(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t n, uint64_t *v)
{
    MDB_val k = { n, (void *)key }, val;
    *v = 0;
    int rc = mdb_get(txn, dbi, &k, &val);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    return dx_sv_u64_get(val.mv_data, val.mv_size, v) ? DX_EINVAL : 0;
}

static int count_write(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t n, uint64_t v)
{
    MDB_val k = { n, (void *)key };
    if (v == 0) {
        int rc = mdb_del(txn, dbi, &k, NULL);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    uint8_t b[8];
    dx_sv_u64_put(b, v);
    MDB_val val = { 8, b };
    return mdb_put(txn, dbi, &k, &val, 0);
}

/* old + delta, never below 0 (a count can only be wrong if the store was
 * edited behind the API) */
static uint64_t count_apply(uint64_t old, int64_t delta)
{
    if (delta < 0 && (uint64_t)-delta > old)
        return 0;
    return old + (uint64_t)delta;
}

int dx__counts_commit(struct dx_txn *t)
{
    for (size_t i = 0; i < t->ncdelta; i++) {
        const struct dx__cdelta *d = &t->cdelta[i];
        if (d->delta == 0)
            continue;
        uint64_t v;
        int rc = count_read(t->txn, t->st->counts, d->prefix, d->n, &v);
        if (rc == 0)
            rc = count_write(t->txn, t->st->counts, d->prefix, d->n, count_apply(v, d->delta));
        if (rc)
            return dx__mdb(rc);
    }
    return 0;
}

int dx__counts_fill(MDB_txn *txn, MDB_dbi entries, MDB_dbi counts)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, entries, &c);
    if (rc)
        return rc;
    uint8_t cur[DX_SK_MAX];
    size_t cn = 0;
    uint64_t n = 0;
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        size_t pn = dx_sk_count_of_entry(k.mv_data, k.mv_size);
        if (pn == 0 || pn > sizeof(cur)) {
            rc = DX_EINVAL;
            break;
        }
        if (pn != cn || memcmp(cur, k.mv_data, pn) != 0) {     /* the next zone/list */
            if (cn && (rc = count_write(txn, counts, cur, cn, n)) != 0)
                break;
            memcpy(cur, k.mv_data, pn);
            cn = pn;
            n = 0;
        }
        n++;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = cn ? count_write(txn, counts, cur, cn, n) : 0;
    return rc;
}

/* --- reading ------------------------------------------------------------------- */

int dx_count_get(struct dx_txn *t, const char *zone, const char *list, uint64_t *n)
{
    uint8_t pre[DX_SK_MAX];
    int pl = dx_sk_entry_prefix(pre, zone, list);
    *n = 0;
    if (!t || !list || pl < 0)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    int rc = count_read(t->txn, t->st->counts, pre, (size_t)pl, n);
    if (rc)
        return dx__mdb(rc);
    for (size_t i = 0; i < t->ncdelta; i++)     /* a write txn: its own changes */
        if (t->cdelta[i].n == (size_t)pl && memcmp(t->cdelta[i].prefix, pre, (size_t)pl) == 0)
            *n = count_apply(*n, t->cdelta[i].delta);
    return 0;
}

int dx_count_foreach(struct dx_txn *t, dx_count_cb cb, void *arg)
{
    if (!t || t->write || !cb)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->counts, &c);
    if (rc)
        return dx__mdb(rc);
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        const char *zone, *list;
        uint64_t n;
        if (dx_sk_count_split(k.mv_data, k.mv_size, &zone, &list) ||
            dx_sv_u64_get(v.mv_data, v.mv_size, &n)) {
            rc = DX_EINVAL;
            break;
        }
        int r = cb(arg, zone, list, n);
        if (r) {
            mdb_cursor_close(c);
            return r;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : dx__mdb(rc);
}

/* Expired records come in expiry order, not zone order: the counts are
 * summed per zone/list in a small table before the callbacks. */
struct xcount {
    uint8_t key[DX_SK_MAX];
    size_t n;
    uint64_t count;
};

int dx_expired_count(struct dx_txn *t, uint64_t now, size_t max, dx_count_cb cb, void *arg,
                     bool *more)
{
    *more = false;
    if (!t || t->write || !cb)
        return DX_EINVAL;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->expiry, &c);
    if (rc)
        return dx__mdb(rc);
    struct xcount *tab = NULL;
    size_t nt = 0, cap = 0, seen = 0;
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        uint64_t exp;
        size_t ekn;
        const uint8_t *ek = dx_sk_expiry_split(k.mv_data, k.mv_size, &exp, &ekn);
        if (!ek) {
            rc = DX_EINVAL;
            break;
        }
        if (exp == 0 || exp > now)
            break;
        if (seen++ == max) {
            *more = true;
            break;
        }
        size_t pn = dx_sk_count_of_entry(ek, ekn);
        if (pn == 0) {
            rc = DX_EINVAL;
            break;
        }
        size_t i = 0;
        while (i < nt && (tab[i].n != pn || memcmp(tab[i].key, ek, pn) != 0))
            i++;
        if (i == nt) {
            if (nt == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                struct xcount *nx = realloc(tab, ncap * sizeof(*nx));
                if (!nx) {
                    rc = DX_ENOMEM;
                    break;
                }
                tab = nx;
                cap = ncap;
            }
            memcpy(tab[nt].key, ek, pn);
            tab[nt].n = pn;
            tab[nt++].count = 0;
        }
        tab[i].count++;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    for (size_t i = 0; i < nt && rc == 0; i++) {
        const char *zone, *list;
        rc = dx_sk_count_split(tab[i].key, tab[i].n, &zone, &list);
        if (rc == 0)
            rc = cb(arg, zone, list, tab[i].count);
    }
    free(tab);
    return rc > 0 ? dx__mdb(rc) : rc;
}

/* --- zones, the map ------------------------------------------------------------ */

int dx_zone_changed_at(struct dx_txn *t, const char *zone, uint64_t *at)
{
    if (!t || dx_sk_check_zone(zone))
        return DX_EINVAL;
    MDB_val k = { dx_sk_zone(zone), (void *)zone }, v;
    int rc = mdb_get(t->txn, t->st->changes, &k, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__mdb(rc);
    return dx_sv_u64_get(v.mv_data, v.mv_size, at);
}

int dx_store_usage(struct dx_store *st, uint64_t *map_size, uint64_t *file_size, uint64_t *used)
{
    MDB_envinfo info;
    MDB_stat ms;
    int fd;
    struct stat sb;
    int rc = mdb_env_info(st->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(st->env, &ms);
    if (rc == 0)
        rc = mdb_env_get_fd(st->env, &fd);
    if (rc)
        return dx__mdb(rc);
    if (fstat(fd, &sb) != 0)
        return -errno;
    *map_size = info.me_mapsize;
    *file_size = (uint64_t)sb.st_size;
    *used = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
    return 0;
}
