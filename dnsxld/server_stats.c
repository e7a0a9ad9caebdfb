/* What the metrics read from the network side (server.h, "what the
 * metrics read"): the workers' observation state, their counters summed,
 * and the counters by zone of every config, those freed so far included
 * (a config's counts are folded into the server's totals just before a
 * reload frees it: dx__stats_fold). */
#include "dnsxld/server.h"
#include "dnsxld/stats.h"
#include "dnsxld/worker.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

unsigned dx_server_workers(const struct dx_server *s)
{
    return s->n_workers;
}

int dx_server_observe(struct dx_server *s, bool timing, struct dx_ring *const *heat,
                      struct dx_ring *const *tap)
{
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        struct dx_obs *o = w->obs ? w->obs : aligned_alloc(64, sizeof(*o));
        if (!o)
            return DX_ENOMEM;
        memset(o, 0, sizeof(*o));
        o->id = i;
        o->timing = timing;
        o->heat = heat ? heat[i] : NULL;
        do
            randombytes_buf(&o->heat_rng, sizeof(o->heat_rng));
        while (o->heat_rng == 0);
        o->tap = tap ? tap[i] : NULL;
        w->obs = o;
    }
    if (!s->base && !(s->base = calloc(1, sizeof(*s->base))))
        return DX_ENOMEM;
    return 0;
}

static uint64_t rd(const uint64_t *p)
{
    return dx_stat_read(p);
}

void dx_server_counts(const struct dx_server *s, struct dx_server_counts *out)
{
    memset(out, 0, sizeof(*out));
    out->workers = s->n_workers;
    out->started = s->started;
    for (unsigned i = 0; i < s->n_workers; i++) {
        const struct worker *w = &s->workers[i];
        out->udp_q += rd(&w->st.udp_q);
        out->udp_drop += rd(&w->st.udp_drop);
        out->udp_err += rd(&w->st.udp_err);
        out->tcp_q += rd(&w->st.tcp_q);
        out->tcp_conns += rd(&w->st.tcp_conns);
        out->tcp_evicted += rd(&w->st.tcp_evicted);
        out->txn_err += rd(&w->st.txn_err);
        out->tcp_open += __atomic_load_n(&w->n_conns, __ATOMIC_RELAXED);
        out->rrl_limited += rd(&w->gst.limited);
        out->rrl_slipped += rd(&w->gst.slipped);
        out->rrl_dropped += rd(&w->gst.dropped);
        out->cookie_bad += rd(&w->gst.cookie_bad);
        out->pol_blocked += rd(&w->pst.blocked);
        out->pol_limited += rd(&w->pst.limited);
        out->pol_key_unknown += rd(&w->pst.key_unknown);
        if (w->obs) {
            for (size_t b = 0; b <= DX_LAT_N; b++)
                out->lat[b] += rd(&w->obs->lat[b]);
            out->lat_sum_ns += rd(&w->obs->lat_sum_ns);
        }
    }
}

int dx_server_zone_sums(const struct dx_server *s, struct dx_stats_base *out)
{
    int rc = s->base ? dx_stats_copy(out, s->base) : 0;
    if (rc == 0 && s->conf)
        rc = dx_stats_add_conf(out, s->conf);
    for (const struct retired *r = s->retired; r && rc == 0; r = r->next)
        rc = dx_stats_add_conf(out, r->conf);
    return rc;
}

void dx__stats_fold(struct dx_server *s, const struct dx_conf *conf)
{
    if (s->base && conf->stats && dx_stats_add_conf(s->base, conf) != 0)
        dx_log_warn("metrics: out of memory: the counts of a replaced config are lost");
}

void dx__stats_free(struct dx_server *s)
{
    if (s->base) {
        dx_stats_clear(s->base);
        free(s->base);
        s->base = NULL;
    }
}
