/* The zone as records (zones/zonerr.h): the driver. The apex, then the
 * ip walk (zonerr_ip.c) or the domain walk (zonerr.c). */
#include "zones/zonerr_int.h"

#include <stdlib.h>

#include "zones/err.h"

int dx_zrr_walk(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now, dx_rr_cb cb,
                void *arg)
{
    struct zw *w = calloc(1, sizeof(*w));
    if (!w)
        return DX_ENOMEM;
    *w = (struct zw){ .t = t, .z = z, .now = now, .cb = cb, .arg = arg };
    dx_bytes_growable(&w->seen);
    uint32_t serial;
    int rc = dx_zrr_serial(t, z, &serial);
    if (rc == 0) {
        uint8_t soa[540];
        struct dx_rr rr;
        dx_zrr_soa(z, serial, soa, &rr);
        rc = cb(arg, &rr);
    }
    for (size_t i = 0; rc == 0 && i < z->n_ns; i++)
        rc = dx__zw_rr(w, z->wire, z->wire_len, DX_RR_NS, z->ttl, z->ns[i], z->ns_len[i]);
    if (rc == 0 && z->kind == DX_ZONE_DOMAIN) {
        rc = dx__zw_domain(w);
    } else if (rc == 0) {
        w->excl_len = dx__zw_owner(z, "excluded", 8, false, w->excl);
        rc = w->excl_len ? dx__zw_ip(w) : DX_EINVAL;
    }
    dx_bytes_free(&w->seen);
    free(w);
    return rc;
}

int dx_zrr_walk_under(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now, uint8_t fam,
                      dx_u128 addr, unsigned depth, dx_rr_cb cb, void *arg)
{
    if (!t || !z || z->kind == DX_ZONE_DOMAIN || (fam != DX_FAM_V4 && fam != DX_FAM_V6) ||
        depth > (fam == DX_FAM_V4 ? 4u : 32u))
        return DX_EINVAL;
    struct zw *w = calloc(1, sizeof(*w));
    if (!w)
        return DX_ENOMEM;
    *w = (struct zw){ .t = t, .z = z, .now = now, .cb = cb, .arg = arg, .udepth = depth,
                      .ufam = fam, .uaddr = addr };
    dx_bytes_growable(&w->seen);
    w->excl_len = dx__zw_owner(z, "excluded", 8, false, w->excl);
    int rc = w->excl_len ? dx__zw_ip(w) : DX_EINVAL;
    dx_bytes_free(&w->seen);
    free(w);
    return rc;
}

int dx_zrr_walk_name(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now,
                     const char *name, size_t len, dx_rr_cb cb, void *arg)
{
    if (!t || !z || z->kind != DX_ZONE_DOMAIN)
        return DX_EINVAL;
    struct zw *w = calloc(1, sizeof(*w));
    if (!w)
        return DX_ENOMEM;
    *w = (struct zw){ .t = t, .z = z, .now = now, .cb = cb, .arg = arg };
    dx_bytes_growable(&w->seen);
    int rc = dx__zw_domain_under(w, name, len);
    dx_bytes_free(&w->seen);
    free(w);
    return rc;
}
