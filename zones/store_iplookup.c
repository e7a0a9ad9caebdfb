/* The lookups in the ip index (zones/schema.h, "index"): the lists of an
 * address (dx__ip_lookup, for dx_lookup) and whether an unexpired entry
 * overlaps a prefix (dx__ip_below, for dx_lookup_below). One
 * MDB_SET_RANGE each; the index value is read in place. The zone's id in
 * the keys (zoneids, dx__zone_id) is read once per snapshot. */
#include <lmdb.h>
#include <stdbool.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

static int id_get(const void *p, size_t n, uint32_t *v)
{
    uint16_t id;
    int rc = dx_sv_zoneid_get(p, n, &id);
    *v = rc ? 0 : id;
    return rc;
}

int dx__zone_id(struct dx_txn *t, const char *zone, size_t zl, uint16_t *id)
{
    uint32_t v = 0;
    int rc = dx__zone_get(t, t->st->zoneids, &t->id_c, zone, zl, id_get, &v);
    *id = (uint16_t)v;
    return rc;
}

/* The index cursor of t and the id of zone: 0, DX_ENOTFOUND (no index
 * record of the zone) or an error. */
static int ip_open(struct dx_txn *t, const char *zone, size_t zl, uint16_t *id)
{
    if (!t->icur) {
        int rc = mdb_cursor_open(t->txn, t->st->index, &t->icur);
        if (rc)
            return dx__mdb(rc);
    }
    return dx__zone_id(t, zone, zl, id);
}

/* Per list, the first unexpired element of the chain of the interval
 * holding addr decides; an exclusion there: not listed. */
int dx__ip_lookup(struct dx_txn *t, const char *zone, size_t zl, const uint8_t *addr,
                  size_t len, uint8_t fam, uint64_t now, struct dx_hit *hits, size_t max)
{
    uint16_t id;
    int rc = ip_open(t, zone, zl, &id);
    if (rc)
        return rc == DX_ENOTFOUND ? 0 : rc;
    uint8_t kb[DX_SK_MAX];
    size_t kn = dx_sk_index(kb, id, fam, addr, len);
    MDB_val key = { kn, kb }, v;
    rc = mdb_cursor_get(t->icur, &key, &v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return dx__mdb(rc);
    const uint8_t *end = dx_sk_index_end(key.mv_data, key.mv_size, kb, kn, len);
    if (!end)
        return 0;
    struct dx_ivalue iv;
    const uint8_t *start = dx_sv_index_open(&iv, v.mv_data, v.mv_size, end, len);
    if (!start)
        return DX_EINVAL;
    if (memcmp(start, addr, len) > 0)
        return 0;
    size_t nh = 0;
    const char *list;
    while ((list = dx_sv_index_list(&iv))) {
        /* the first unexpired element of the chain decides */
        struct dx_ielem e;
        while (dx_sv_index_elem(&iv, &e)) {
            if (e.expires != 0 && e.expires <= now)
                continue;
            if (!(e.flags & DX_ENTRY_EXCLUDE) && nh < max) {
                hits[nh].list = list;
                hits[nh].code = e.code;
                hits[nh].txt = e.txt;
                hits[nh].expires_at = e.expires;
                hits[nh].plen = e.plen;
                hits[nh].family = fam;
                hits[nh].key = e.addr;
                hits[nh].key_len = (uint8_t)len;
                nh++;
            }
            break;
        }
    }
    if (iv.b.err)
        return DX_EINVAL;
    return (int)nh;
}

/* Does an interval of the ip index of zone/fam that overlaps [lo, hi]
 * hold an unexpired chain element (of any list; an exclusion counts)?
 * One MDB_SET_RANGE to the first interval ending at or after lo, then
 * MDB_NEXT only past intervals whose elements have all expired. */
static int ip_range_used(struct dx_txn *t, const char *zone, size_t zl, uint8_t fam,
                         dx_u128 lo, dx_u128 hi, uint64_t now)
{
    size_t len = dx_fam_len(fam);
    uint16_t id;
    int rc = ip_open(t, zone, zl, &id);
    if (rc)
        return rc == DX_ENOTFOUND ? 0 : rc;
    uint8_t kb[DX_SK_MAX];
    size_t kn = dx_sk_index_u128(kb, id, fam, lo, len);
    MDB_val key = { kn, kb }, v;
    rc = mdb_cursor_get(t->icur, &key, &v, MDB_SET_RANGE);
    for (; rc == 0; rc = mdb_cursor_get(t->icur, &key, &v, MDB_NEXT)) {
        const uint8_t *end = dx_sk_index_end(key.mv_data, key.mv_size, kb, kn, len);
        if (!end)
            return 0;                     /* past this zone/family */
        struct dx_ivalue iv;
        const uint8_t *start = dx_sv_index_open(&iv, v.mv_data, v.mv_size, end, len);
        if (!start)
            return DX_EINVAL;
        if (dx_be_n(start, len) > hi)
            return 0;                     /* the first interval after the range */
        while (dx_sv_index_list(&iv)) {
            struct dx_ielem e;
            while (dx_sv_index_elem(&iv, &e))
                if (e.expires == 0 || e.expires > now)
                    return 1;
        }
        if (iv.b.err)
            return DX_EINVAL;
    }
    return rc == MDB_NOTFOUND ? 0 : dx__mdb(rc);
}

/* dx_lookup_below for an ip prefix q (see zones/store.h). */
int dx__ip_below(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                 uint64_t now)
{
    size_t len = dx_fam_len(q->family);
    if (!len || q->len != len || q->plen > len * 8)
        return DX_EINVAL;
    dx_u128 lo = dx_be_n(q->addr, len), mask = dx_hostmask(q->plen, len);
    if (lo & mask)
        return DX_EINVAL;
    dx_u128 hi = lo | mask;
    int rc = ip_range_used(t, zone, zl, q->family, lo, hi, now);
    if (rc || q->family != DX_FAM_V6)
        return rc;
    /* the part of the prefix inside ::ffff:0:0/96 is IPv4 data */
    const dx_u128 mlo = (dx_u128)0xffff << 32, mhi = mlo | 0xffffffffu;
    if (hi < mlo || lo > mhi)
        return 0;
    return ip_range_used(t, zone, zl, DX_FAM_V4, (lo > mlo ? lo : mlo) & 0xffffffffu,
                         (hi < mhi ? hi : mhi) & 0xffffffffu, now);
}
