/* The query path's entry points to the store (zones/store.h, "lookups"):
 * dx_lookup and dx_lookup_below check their arguments and dispatch by
 * family to the ip index (store_iplookup.c) or the domain index
 * (store_dindex.c); dx_zone_serial reads the zones database; a hit back
 * to its entry's key and reason. */
#include <lmdb.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

int dx_zone_serial(struct dx_txn *t, const char *zone, uint32_t *serial)
{
    if (!t || dx_sk_check_zone(zone))
        return DX_EINVAL;
    return dx__zone_get(t, t->st->zones, &t->serial_c, zone, strlen(zone), dx_sv_u32_get,
                        serial);
}

int dx_lookup(struct dx_txn *t, const char *zone, const struct dx_key *q, uint64_t now,
              struct dx_hit *hits, size_t max)
{
    if (!t || !q || !zone || !*zone || (!hits && max))
        return DX_EINVAL;
    if (t->err)
        return t->err;
    size_t zl = strlen(zone);
    if (q->family == DX_FAM_DOMAIN)
        return dx__dindex_lookup(t, zone, zl, q, now, hits, max);
    static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (q->family == DX_FAM_V4 && q->len == 4)
        return dx__ip_lookup(t, zone, zl, q->addr, 4, DX_FAM_V4, now, hits, max);
    if (q->family == DX_FAM_V6 && q->len == 16) {
        if (memcmp(q->addr, v4mapped, 12) == 0)
            return dx__ip_lookup(t, zone, zl, q->addr + 12, 4, DX_FAM_V4, now, hits, max);
        return dx__ip_lookup(t, zone, zl, q->addr, 16, DX_FAM_V6, now, hits, max);
    }
    return DX_EINVAL;
}

int dx_lookup_below(struct dx_txn *t, const char *zone, const struct dx_key *q, uint64_t now)
{
    if (!t || !q || !zone || !*zone || dx_sk_check_zone(zone))
        return DX_EINVAL;
    if (t->err)
        return t->err;
    size_t zl = strlen(zone);
    if (q->family == DX_FAM_DOMAIN)
        return dx__dindex_below(t, zone, zl, q, now);
    return dx__ip_below(t, zone, zl, q, now);
}

void dx_hit_key(const struct dx_hit *h, struct dx_key *k)
{
    memset(k, 0, sizeof(*k));
    size_t n = h->key_len, max = h->family == DX_FAM_DOMAIN ? DX_KEY_NAME_MAX : 16;
    if (n > max)
        n = max;            /* not from the store: dx_entry_get refuses the key */
    k->family = h->family;
    k->len = (uint8_t)n;
    k->plen = h->plen;
    if (h->key)
        memcpy(k->addr, h->key, n);
}

int dx_hit_reason(struct dx_txn *t, const char *zone, const struct dx_hit *h,
                  const char **reason)
{
    *reason = NULL;
    if (!h || !h->key)
        return 0;
    size_t len = h->family == DX_FAM_DOMAIN ? h->key_len : dx_fam_len(h->family);
    if (len == 0 || h->key_len != len || len > DX_KEY_NAME_MAX)
        return 0;           /* not an entry's key */
    struct dx_key k;
    dx_hit_key(h, &k);
    struct dx_entry e;
    int rc = dx_entry_get(t, zone, h->list, &k, &e);
    if (rc == DX_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    *reason = e.reason;
    return 0;
}
