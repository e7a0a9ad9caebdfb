/* What the query path counts for the metrics (dnsxld(8) "Metrics"), and the
 * per-worker state of everything observed (counters, latency, heat and
 * dnstap samples: struct dx_obs).
 *
 * No lock and no shared cache line is written per query: each worker
 * counts in its own row. The counters by zone live in a block per config
 * (struct dx_cstats, dx_conf.stats: one row per worker, each row 64-byte
 * aligned; in a row, each zone's counters, then the catch-all "." for
 * messages of no zone of ours), so a worker counts in the config it
 * answers with; when a reload retires a config, its counts are folded by
 * zone and list name into the server's totals (server_stats.c) before it is
 * freed, and a scrape adds the totals, the config in force and those not
 * yet freed: every counter only grows, across reloads.
 *
 * The counters are 64-bit words written by one thread with a relaxed
 * atomic load and store (dx_count, counter.h) and read by the scraper with
 * relaxed atomic loads (dx_stat_read): no data race, no locked instruction,
 * and a count read a little late is only a little low.
 */
#ifndef DX_STATS_H
#define DX_STATS_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsxld/query.h"
#include "dnsxld/counter.h"
#include "dnsxld/resolve.h"
#include "dnsxld/wire.h"
#include "zones/conf.h"

struct dx_ring;

/* Query types counted on their own; the rest is "other". */
enum { DX_QT_A, DX_QT_AAAA, DX_QT_TXT, DX_QT_ANY, DX_QT_SOA, DX_QT_NS, DX_QT_OTHER, DX_QT_N };
/* Response codes counted on their own; the rest is "other". */
enum { DX_RCC_NOERROR, DX_RCC_FORMERR, DX_RCC_SERVFAIL, DX_RCC_NXDOMAIN, DX_RCC_NOTIMP,
       DX_RCC_REFUSED, DX_RCC_BADVERS, DX_RCC_BADCOOKIE, DX_RCC_OTHER, DX_RCC_N };

/* A zone's counters in a row: u64 offsets from the zone's start. */
#define DX_ZC_Q(tr, qt) ((size_t)(tr) * DX_QT_N + (size_t)(qt))   /* queries */
#define DX_ZC_RC(rc)    (2 * DX_QT_N + (size_t)(rc))               /* answers sent */
#define DX_ZC_TC        (2 * DX_QT_N + DX_RCC_N)                   /* ... truncated */
#define DX_ZC_DROP      (DX_ZC_TC + 1)                             /* not answered (RRL) */
#define DX_ZC_NODATA    (DX_ZC_TC + 2)                             /* NOERROR, no answer */
#define DX_ZC_LIST(j)   (DX_ZC_TC + 3 + (size_t)(j))               /* listed by list j */
#define DX_ZC_FIXED     DX_ZC_LIST(0)

struct dx_cstats {
    const struct dx_zone_conf *zones;  /* the config's zones (index = zone - zones) */
    size_t n_zones;                    /* zone n_zones is the catch-all "." */
    unsigned n_workers;
    size_t row;                        /* u64s per worker row (a multiple of 8) */
    const size_t *zoff;                /* n_zones + 1 offsets into a row */
    uint64_t *rows;                    /* n_workers rows */
};

/* Latency buckets, upper bounds in nanoseconds; one more for +Inf. */
#define DX_LAT_N 12
extern const uint64_t dx_lat_bounds_ns[DX_LAT_N];

/* A worker's observation state (64-byte aligned, its own lines). */
struct dx_obs {
    alignas(64) unsigned id;           /* the worker: its row in each config's counters */
    bool timing;                       /* metrics on: latency measured */
    uint32_t tap_acc;                  /* dnstap sampling: percent accumulated */
    uint64_t lat_last;                 /* ns: end of the previous query of this receive batch;
                                          0 = none (the next query reads the clock first) */
    uint64_t lat[DX_LAT_N + 1];        /* queries by latency bucket */
    uint64_t lat_sum_ns;
    struct dx_ring *heat;              /* heat samples (heat.h), or NULL */
    uint64_t heat_rng;                 /* heat sampling: the xorshift64 state (never 0) */
    struct dx_ring *tap;               /* dnstap records (dnstap.h), or NULL */
};

/* Give conf a counters block for n_workers (when the metrics are on).
 * 0 or DX_ENOMEM. */
int dx_stats_attach(struct dx_conf *conf, unsigned n_workers);

/* Counts summed by zone and list name (main thread): the totals of the
 * configs freed so far, and a scrape's result. */
struct dx_zsum_list {
    char *name;
    uint64_t n;                        /* listed answers */
};

struct dx_zsum {
    char *name;                        /* "." for messages of no zone of ours */
    uint64_t c[DX_ZC_FIXED];           /* DX_ZC_Q .. DX_ZC_NODATA, summed */
    struct dx_zsum_list *lists;
    size_t n_lists;
};

struct dx_stats_base {
    struct dx_zsum *z;
    size_t n;
};

/* Add the counters of conf (every worker's row) into b, by name; copy src
 * into an empty dst; free what b holds (b itself stays). 0 or DX_ENOMEM. */
int dx_stats_add_conf(struct dx_stats_base *b, const struct dx_conf *conf);
int dx_stats_copy(struct dx_stats_base *dst, const struct dx_stats_base *src);
void dx_stats_clear(struct dx_stats_base *b);

static inline uint64_t dx_stat_read(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint64_t dx_obs_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void dx_obs_latency(struct dx_obs *o, uint64_t ns)
{
    unsigned b = 0;
    while (b < DX_LAT_N && ns > dx_lat_bounds_ns[b])
        b++;
    dx_count(&o->lat[b]);
    dx_count_add(&o->lat_sum_ns, ns);
}

static inline unsigned dx_stats_qtype(const struct dx_msg *m)
{
    if (!m->has_q)
        return DX_QT_OTHER;
    switch (m->q.qtype) {
    case DX_T_A:    return DX_QT_A;
    case DX_T_AAAA: return DX_QT_AAAA;
    case DX_T_TXT:  return DX_QT_TXT;
    case DX_T_ANY:  return DX_QT_ANY;
    case DX_T_SOA:  return DX_QT_SOA;
    case DX_T_NS:   return DX_QT_NS;
    }
    return DX_QT_OTHER;
}

static inline unsigned dx_stats_rcode(unsigned rcode)
{
    switch (rcode) {
    case DX_RC_NOERROR:   return DX_RCC_NOERROR;
    case DX_RC_FORMERR:   return DX_RCC_FORMERR;
    case DX_RC_SERVFAIL:  return DX_RCC_SERVFAIL;
    case DX_RC_NXDOMAIN:  return DX_RCC_NXDOMAIN;
    case DX_RC_NOTIMP:    return DX_RCC_NOTIMP;
    case DX_RC_REFUSED:   return DX_RCC_REFUSED;
    case DX_RC_BADVERS:   return DX_RCC_BADVERS;
    case DX_RC_BADCOOKIE: return DX_RCC_BADCOOKIE;
    }
    return DX_RCC_OTHER;
}

/* Count one message answered (sent = false: dropped by the rate limiter)
 * in conf's counters for worker o->id: its zone (res, NULL before the
 * zone was known: "."), transport, type, rcode, TC, and the lists of a
 * listing. */
static inline void dx_stats_count(const struct dx_obs *o, const struct dx_conf *conf,
                                  enum dx_transport tr, const struct dx_msg *m,
                                  const struct dx_resolved *res, unsigned rcode, bool tc,
                                  uint16_t an, bool sent)
{
    const struct dx_cstats *cs = conf->stats;
    if (!cs)
        return;
    size_t zi = res && res->zone ? (size_t)(res->zone - cs->zones) : cs->n_zones;
    uint64_t *z = cs->rows + (size_t)o->id * cs->row + cs->zoff[zi];
    dx_count(&z[DX_ZC_Q(tr, dx_stats_qtype(m))]);
    if (!sent) {
        dx_count(&z[DX_ZC_DROP]);
        return;
    }
    dx_count(&z[DX_ZC_RC(dx_stats_rcode(rcode))]);
    if (tc)
        dx_count(&z[DX_ZC_TC]);
    if (!res)
        return;
    if (rcode == DX_RC_NOERROR && an == 0)
        dx_count(&z[DX_ZC_NODATA]);
    if (res->out == DX_OUT_LISTED && !res->policy && !tc)
        for (size_t i = 0; i < res->n; i++)
            if (res->hit[i].li != DX_LI_NONE)
                dx_count(&z[DX_ZC_LIST(res->hit[i].li)]);
}

#endif
