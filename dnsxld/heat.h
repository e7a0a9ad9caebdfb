/* Heat (dnsxld(8) "Heat"): which entries answer queries. With `heat = yes`
 * a listed answer is sampled with probability heat-sample (a share that
 * divides 100; a per-worker random draw, so that no periodic query pattern
 * aliases with it; 100%: every one), and a sampled answer puts one sample
 * per list that listed it (the zone, the list, the key of the entry that
 * matched, the queries it counts for: 100 / the share it was taken at, the
 * batch's clock) into its worker's ring (ring.h: fixed size, no
 * allocation; a sample that does not fit is dropped and counted). A
 * background thread moves the samples out of the rings every
 * DX_HEAT_DRAIN_MS, sums them per entry, and writes the sums every
 * heat-interval seconds (and at stop)
 * in one write txn of the heat environment (zones/store.h: DATABASE/heat/,
 * which only dnsxld writes, so the thread never waits for an import); once
 * an hour it drops the records of entries that are gone (read in a read
 * txn of the store, which never waits either). A query never waits for any
 * of it. */
#ifndef DX_HEAT_H
#define DX_HEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsxld/resolve.h"
#include "dnsxld/ring.h"
#include "zones/store.h"

#define DX_HEAT_RING     (1u << 20)  /* bytes per worker: about 20000 samples */
#define DX_HEAT_DRAIN_MS 50
#define DX_HEAT_PRUNE_S  3600

struct dx_heatd;

/* Open (creating) the heat environment of the store in store_dir (st: the
 * store, for pruning) and start the thread, with a ring per worker, writing
 * every interval_s seconds. 0, or an error with err saying what failed. */
int dx_heatd_start(const char *store_dir, struct dx_store *st, unsigned n_workers,
                   uint64_t interval_s, struct dx_heatd **out, char *err, size_t errlen);

/* Worker i's ring. */
struct dx_ring *dx_heatd_ring(struct dx_heatd *h, unsigned i);

/* After the workers have stopped: drain, write what is left, stop the
 * thread, free everything. NULL ok. */
void dx_heatd_stop(struct dx_heatd *h);

struct dx_heatd_stats {
    uint64_t samples;        /* put into the rings */
    uint64_t dropped;        /* ... that did not fit */
    uint64_t written;        /* entry records written (one per entry and flush) */
    uint64_t errors;         /* flushes that failed (logged) */
    uint64_t pruned;         /* records of entries that were gone */
};
void dx_heatd_stats(const struct dx_heatd *h, struct dx_heatd_stats *out);

/* Is this listed answer sampled at percent (1..100)? rng: the worker's
 * xorshift64 state (a 0 state, which xorshift never leaves, is replaced). */
static inline bool dx_heat_pick(uint64_t *rng, uint32_t percent)
{
    if (percent >= 100)
        return true;
    uint64_t x = *rng ? *rng : 0x9e3779b97f4a7c15u;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *rng = x;
    return (x >> 32) * 100 < (uint64_t)percent << 32;
}

/* A sample's bytes: u8 zl, zone, u8 ll, list, u8 family, u8 plen, u8
 * key_len, key, u8 weight (the queries it counts for: 100 / heat-sample,
 * 1..100), then the u64 clock (host order: it never leaves the process). */
static inline void dx_heat_sample(struct dx_ring *r, const struct dx_resolved *res,
                                  uint8_t weight, uint64_t now)
{
    const char *zone = res->zone->name;
    size_t zl = strlen(zone);
    for (size_t i = 0; i < res->n; i++) {
        const struct dx_rhit *h = &res->hit[i];
        if (!h->key)
            continue;                   /* a test point: no entry */
        size_t ll = strlen(h->list);
        uint8_t *p = dx_ring_reserve(r, 6 + zl + ll + h->key_len + 8);
        if (!p)
            continue;                   /* counted dropped (each hit that does not fit) */
        p[0] = (uint8_t)zl;
        memcpy(p + 1, zone, zl);
        p += 1 + zl;
        p[0] = (uint8_t)ll;
        memcpy(p + 1, h->list, ll);
        p += 1 + ll;
        p[0] = h->family;
        p[1] = h->plen;
        p[2] = h->key_len;
        memcpy(p + 3, h->key, h->key_len);
        p[3 + h->key_len] = weight;
        memcpy(p + 4 + h->key_len, &now, 8);
        dx_ring_commit(r);
    }
}

#endif
