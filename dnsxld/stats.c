/* The counters' blocks and their sums by name (stats.h). */
#include "dnsxld/stats.h"
#include "zones/err.h"

#include <stdlib.h>
#include <string.h>

/* upper bounds of the latency buckets: 2 us .. 10 ms */
const uint64_t dx_lat_bounds_ns[DX_LAT_N] = {
    2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000,
    10000000,
};

int dx_stats_attach(struct dx_conf *conf, unsigned n_workers)
{
    size_t nz = conf->n_zones, row = 0;
    for (size_t i = 0; i <= nz; i++)
        row += DX_ZC_FIXED + (i < nz ? conf->zones[i].n_lists : 0);
    row = (row + 7) & ~(size_t)7;       /* each worker's row on lines of its own */
    size_t head = (sizeof(struct dx_cstats) + (nz + 1) * sizeof(size_t) + 63) & ~(size_t)63;
    size_t bytes = head + (size_t)n_workers * row * sizeof(uint64_t);
    uint8_t *blk = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!blk)
        return DX_ENOMEM;
    memset(blk, 0, bytes);
    struct dx_cstats *cs = (struct dx_cstats *)blk;
    size_t *zoff = (size_t *)(blk + sizeof(*cs));
    size_t off = 0;
    for (size_t i = 0; i <= nz; i++) {
        zoff[i] = off;
        off += DX_ZC_FIXED + (i < nz ? conf->zones[i].n_lists : 0);
    }
    cs->zones = conf->zones;
    cs->n_zones = nz;
    cs->n_workers = n_workers;
    cs->row = row;
    cs->zoff = zoff;
    cs->rows = (uint64_t *)(blk + head);
    free(conf->stats);
    conf->stats = cs;
    return 0;
}

static struct dx_zsum *zone_of(struct dx_stats_base *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->z[i].name, name) == 0)
            return &b->z[i];
    struct dx_zsum *nz = realloc(b->z, (b->n + 1) * sizeof(*nz));
    if (!nz)
        return NULL;
    b->z = nz;
    struct dx_zsum *z = &b->z[b->n];
    memset(z, 0, sizeof(*z));
    if (!(z->name = strdup(name)))
        return NULL;
    b->n++;
    return z;
}

static struct dx_zsum_list *list_of(struct dx_zsum *z, const char *name)
{
    for (size_t i = 0; i < z->n_lists; i++)
        if (strcmp(z->lists[i].name, name) == 0)
            return &z->lists[i];
    struct dx_zsum_list *nl = realloc(z->lists, (z->n_lists + 1) * sizeof(*nl));
    if (!nl)
        return NULL;
    z->lists = nl;
    struct dx_zsum_list *l = &z->lists[z->n_lists];
    if (!(l->name = strdup(name)))
        return NULL;
    l->n = 0;
    z->n_lists++;
    return l;
}

int dx_stats_add_conf(struct dx_stats_base *b, const struct dx_conf *conf)
{
    const struct dx_cstats *cs = conf->stats;
    if (!cs)
        return 0;
    for (size_t i = 0; i <= cs->n_zones; i++) {
        const struct dx_zone_conf *zc = i < cs->n_zones ? &conf->zones[i] : NULL;
        struct dx_zsum *z = zone_of(b, zc ? zc->name : ".");
        if (!z)
            return DX_ENOMEM;
        for (unsigned w = 0; w < cs->n_workers; w++) {
            const uint64_t *row = cs->rows + (size_t)w * cs->row + cs->zoff[i];
            for (size_t k = 0; k < DX_ZC_FIXED; k++)
                z->c[k] += dx_stat_read(&row[k]);
        }
        for (size_t j = 0; zc && j < zc->n_lists; j++) {
            struct dx_zsum_list *l = list_of(z, zc->lists[j].name);
            if (!l)
                return DX_ENOMEM;
            for (unsigned w = 0; w < cs->n_workers; w++)
                l->n += dx_stat_read(cs->rows + (size_t)w * cs->row + cs->zoff[i] +
                                     DX_ZC_LIST(j));
        }
    }
    return 0;
}

int dx_stats_copy(struct dx_stats_base *dst, const struct dx_stats_base *src)
{
    for (size_t i = 0; i < src->n; i++) {
        struct dx_zsum *z = zone_of(dst, src->z[i].name);
        if (!z)
            return DX_ENOMEM;
        memcpy(z->c, src->z[i].c, sizeof(z->c));
        for (size_t j = 0; j < src->z[i].n_lists; j++) {
            struct dx_zsum_list *l = list_of(z, src->z[i].lists[j].name);
            if (!l)
                return DX_ENOMEM;
            l->n = src->z[i].lists[j].n;
        }
    }
    return 0;
}

void dx_stats_clear(struct dx_stats_base *b)
{
    for (size_t i = 0; i < b->n; i++) {
        for (size_t j = 0; j < b->z[i].n_lists; j++)
            free(b->z[i].lists[j].name);
        free(b->z[i].lists);
        free(b->z[i].name);
    }
    free(b->z);
    b->z = NULL;
    b->n = 0;
}
