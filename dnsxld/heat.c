/* The heat thread (heat.h): rings -> sums per entry -> the heat
 * environment. */
#include "dnsxld/heat.h"
#include "dnsxld/log.h"
#include "zones/clock.h"
#include "zones/err.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARENA_MAX (64u << 20)          /* sums held before an early flush */

struct sum {                            /* one entry's samples since the last flush */
    size_t off;                         /* its sample bytes (without the clock) in the arena */
    size_t len;
    uint64_t count, last;               /* queries (each sample: its weight) */
    uint64_t hash;
};

struct dx_heatd {
    struct dx_heat *env;
    struct dx_store *st;
    unsigned n;
    struct dx_ring **rings;
    uint64_t interval_s;                /* heat-interval */
    pthread_t thread;
    bool thread_ok;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;                          /* under mu */
    uint8_t *arena;                     /* sample bytes of the sums */
    size_t alen, acap;
    struct sum *sums;                   /* one per entry: the samples merged as they come */
    size_t nsums, capsums;
    uint32_t *slots;                    /* hash table of sums: index + 1, 0 = empty */
    size_t nslots;                      /* a power of two, at least 2 * nsums */
    _Atomic uint64_t written, errors, pruned;
};

static int by_bytes(const void *a, const void *b, void *arena)
{
    const struct sum *x = a, *y = b;
    const uint8_t *ar = arena;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(ar + x->off, ar + y->off, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static uint64_t hash_of(const uint8_t *p, size_t len)
{
    uint64_t x = 0xcbf29ce484222325u;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        x = (x ^ p[i]) * 0x100000001b3u;
    return x;
}

static bool slots_grow(struct dx_heatd *h)
{
    size_t n = h->nslots ? h->nslots * 2 : 4096;
    uint32_t *ns = calloc(n, sizeof(*ns));
    if (!ns)
        return false;
    for (size_t i = 0; i < h->nsums; i++) {
        size_t j = (size_t)h->sums[i].hash & (n - 1);
        while (ns[j])
            j = (j + 1) & (n - 1);
        ns[j] = (uint32_t)(i + 1);
    }
    free(h->slots);
    h->slots = ns;
    h->nslots = n;
    return true;
}

/* Count one sample of weight queries: into its entry's sum, or a new one. */
static bool sum_add(struct dx_heatd *h, const uint8_t *p, size_t len, uint64_t weight,
                    uint64_t at)
{
    if ((h->nsums + 1) * 2 > h->nslots && !slots_grow(h))
        return false;
    uint64_t hv = hash_of(p, len);
    size_t j = (size_t)hv & (h->nslots - 1);
    for (; h->slots[j]; j = (j + 1) & (h->nslots - 1)) {
        struct sum *s = &h->sums[h->slots[j] - 1];
        if (s->hash == hv && s->len == len && memcmp(h->arena + s->off, p, len) == 0) {
            s->count += weight;
            if (at > s->last)
                s->last = at;
            return true;
        }
    }
    if (h->alen + len > h->acap) {
        size_t cap = h->acap ? h->acap * 2 : 65536;
        while (cap < h->alen + len)
            cap *= 2;
        uint8_t *na = realloc(h->arena, cap);
        if (!na)
            return false;
        h->arena = na;
        h->acap = cap;
    }
    if (h->nsums == h->capsums) {
        size_t cap = h->capsums ? h->capsums * 2 : 1024;
        struct sum *ns = realloc(h->sums, cap * sizeof(*ns));
        if (!ns)
            return false;
        h->sums = ns;
        h->capsums = cap;
    }
    memcpy(h->arena + h->alen, p, len);
    h->sums[h->nsums++] = (struct sum){ h->alen, len, weight, at, hv };
    h->slots[j] = (uint32_t)h->nsums;
    h->alen += len;
    return true;
}

/* Move every sample out of the rings into the sums. */
static void drain(struct dx_heatd *h)
{
    for (unsigned i = 0; i < h->n; i++) {
        const uint8_t *p;
        size_t n;
        while ((p = dx_ring_peek(h->rings[i], &n)) != NULL) {
            if (n > 9 && p[n - 9] >= 1 && p[n - 9] <= 100) {
                uint64_t at;
                memcpy(&at, p + n - 8, 8);
                if (!sum_add(h, p, n - 9, p[n - 9], at)) {
                    dx_log_warn("heat: out of memory: samples dropped");
                    return;
                }
            }
            dx_ring_pop(h->rings[i]);
        }
    }
}

/* A sample's bytes back to a record; false for one that is not (never
 * written so: the ring's bytes are our own). Strings go to names. */
static bool to_rec(const uint8_t *p, size_t n, char *names, struct dx_heat_rec *r)
{
    size_t zl = n ? p[0] : 0, ll;
    if (n < 1 + zl + 1)
        return false;
    ll = p[1 + zl];
    if (n < 2 + zl + ll + 3)
        return false;
    const uint8_t *k = p + 2 + zl + ll;
    if (n != 2 + zl + ll + 3 + (size_t)k[2])
        return false;
    memcpy(names, p + 1, zl);
    names[zl] = 0;
    memcpy(names + zl + 1, p + 2 + zl, ll);
    names[zl + 1 + ll] = 0;
    r->zone = names;
    r->list = names + zl + 1;
    struct dx_hit hit = { .family = k[0], .plen = k[1], .key_len = k[2], .key = k + 3 };
    dx_hit_key(&hit, &r->key);
    return true;
}

static void flush(struct dx_heatd *h)
{
    if (h->nsums == 0)
        return;
    qsort_r(h->sums, h->nsums, sizeof(*h->sums), by_bytes, h->arena);
    size_t m = 0;                       /* merge equal neighbours into sums[0..m) */
    for (size_t i = 0; i < h->nsums; i++) {
        if (m && by_bytes(&h->sums[m - 1], &h->sums[i], h->arena) == 0) {
            h->sums[m - 1].count += h->sums[i].count;
            if (h->sums[i].last > h->sums[m - 1].last)
                h->sums[m - 1].last = h->sums[i].last;
        } else {
            h->sums[m++] = h->sums[i];
        }
    }
    struct dx_heat_rec *recs = malloc(m * sizeof(*recs));
    char *names = malloc(h->alen + 2 * m);      /* each sum's zone and list, NUL-ended */
    size_t nr = 0, used = 0;
    if (recs && names) {
        for (size_t i = 0; i < m; i++) {
            if (!to_rec(h->arena + h->sums[i].off, h->sums[i].len, names + used, &recs[nr]))
                continue;
            used += strlen(recs[nr].zone) + strlen(recs[nr].list) + 2;
            recs[nr].queries = h->sums[i].count;
            recs[nr].last = h->sums[i].last;
            nr++;
        }
        int rc = dx_heat_add(h->env, recs, nr);
        if (rc) {
            atomic_fetch_add(&h->errors, 1);
            dx_log_warn("heat: cannot write %zu records: %s", nr, dx_strerror(rc));
        } else {
            atomic_fetch_add(&h->written, nr);
        }
    } else {
        atomic_fetch_add(&h->errors, 1);
        dx_log_warn("heat: out of memory: %zu records not written", m);
    }
    free(recs);
    free(names);
    h->nsums = 0;
    h->alen = 0;
    if (h->slots)
        memset(h->slots, 0, h->nslots * sizeof(*h->slots));
}

static void prune(struct dx_heatd *h)
{
    struct dx_txn *t;
    size_t removed = 0;
    int rc = dx_txn_read(h->st, &t);
    if (rc == 0) {
        rc = dx_heat_prune(h->env, t, &removed);
        dx_txn_abort(t);
    }
    if (rc)
        dx_log_warn("heat: pruning the records of deleted entries: %s", dx_strerror(rc));
    else
        atomic_fetch_add(&h->pruned, removed);
}

static void *heat_main(void *arg)
{
    struct dx_heatd *h = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    time_t next_flush = now.tv_sec + (time_t)h->interval_s, next_prune = now.tv_sec + 60;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct timespec until = now;
        until.tv_nsec += DX_HEAT_DRAIN_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->cv, &h->mu, &until);
        if (h->stop)
            break;
        pthread_mutex_unlock(&h->mu);
        drain(h);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec >= next_flush || h->alen > ARENA_MAX) {
            flush(h);
            next_flush = now.tv_sec + (time_t)h->interval_s;
        }
        if (now.tv_sec >= next_prune) {
            prune(h);
            next_prune = now.tv_sec + DX_HEAT_PRUNE_S;
        }
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    drain(h);
    flush(h);
    return NULL;
}

static void heatd_free(struct dx_heatd *h)
{
    for (unsigned i = 0; h->rings && i < h->n; i++)
        dx_ring_free(h->rings[i]);
    free(h->rings);
    dx_heat_close(h->env);
    free(h->arena);
    free(h->sums);
    free(h->slots);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

int dx_heatd_start(const char *store_dir, struct dx_store *st, unsigned n_workers,
                   uint64_t interval_s, struct dx_heatd **out, char *err, size_t errlen)
{
    *out = NULL;
    struct dx_heatd *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(err, errlen, "heat: out of memory");
        return DX_ENOMEM;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t ca;              /* the waits' deadlines are CLOCK_MONOTONIC */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    h->st = st;
    h->n = n_workers;
    h->interval_s = interval_s ? interval_s : 1;
    int rc = dx_heat_open(store_dir, DX_HEAT_WRITE, &h->env);
    if (rc) {
        snprintf(err, errlen, "heat: cannot open %s/heat: %s", store_dir, dx_strerror(rc));
        heatd_free(h);
        return rc;
    }
    h->rings = calloc(n_workers, sizeof(*h->rings));
    for (unsigned i = 0; h->rings && i < n_workers; i++)
        if (!(h->rings[i] = dx_ring_new(DX_HEAT_RING)))
            break;
    if (!h->rings || (n_workers && !h->rings[n_workers - 1])) {
        snprintf(err, errlen, "heat: out of memory");
        heatd_free(h);
        return DX_ENOMEM;
    }
    /* the thread runs with every signal blocked: signals go to the main loop */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&h->thread, NULL, heat_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        snprintf(err, errlen, "heat: cannot start a thread: %s", strerror(rc));
        heatd_free(h);
        return -rc;
    }
    h->thread_ok = true;
    *out = h;
    return 0;
}

struct dx_ring *dx_heatd_ring(struct dx_heatd *h, unsigned i)
{
    return h && i < h->n ? h->rings[i] : NULL;
}

void dx_heatd_stop(struct dx_heatd *h)
{
    if (!h)
        return;
    if (h->thread_ok) {
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
    }
    heatd_free(h);
}

void dx_heatd_stats(const struct dx_heatd *h, struct dx_heatd_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!h)
        return;
    for (unsigned i = 0; i < h->n; i++) {
        out->samples += dx_ring_puts(h->rings[i]);
        out->dropped += dx_ring_drops(h->rings[i]);
    }
    out->written = atomic_load(&h->written);
    out->errors = atomic_load(&h->errors);
    out->pruned = atomic_load(&h->pruned);
}
