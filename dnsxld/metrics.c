/* The Prometheus exposition (metrics.h). */
#include "dnsxld/metrics.h"
#include "dnsxld/stats.h"
#include "dnsxld/xstats.h"
#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/err.h"
#include "zones/qkeys.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
    char *p;
    size_t n, cap;
    bool err;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !o->err; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            o->err = true;
            return;
        }
        if ((size_t)k < o->cap - o->n) {
            o->n += (size_t)k;
            return;
        }
        size_t cap = o->cap * 2;
        while (cap - o->n <= (size_t)k)
            cap *= 2;
        char *np = realloc(o->p, cap);
        if (!np) {
            o->err = true;
            return;
        }
        o->p = np;
        o->cap = cap;
    }
}

/* A label value (zone, list and key names are config text: escaped all the
 * same, as the format asks: backslash, double quote, newline). */
static const char *lv(const char *s, char *buf, size_t cap)
{
    size_t j = 0;
    for (; s && *s && j + 3 < cap; s++) {
        if (*s == '\\' || *s == '"' || *s == '\n') {
            buf[j++] = '\\';
            buf[j++] = *s == '\n' ? 'n' : *s;
        } else {
            buf[j++] = *s;
        }
    }
    buf[j] = 0;
    return buf;
}

static void meta(struct out *o, const char *name, const char *type, const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct out *o, const char *name, const char *type, const char *help,
                uint64_t v)
{
    meta(o, name, type, help);
    put(o, "%s %llu\n", name, (unsigned long long)v);
}

static const char *const qt_names[DX_QT_N] = { "A", "AAAA", "TXT", "ANY", "SOA", "NS", "other" };
static const char *const rc_names[DX_RCC_N] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                "NOTIMP", "REFUSED", "BADVERS", "BADCOOKIE",
                                                "other" };

/* --- the counters of the query path -------------------------------------------- */

static void zone_counters(struct out *o, const struct dx_stats_base *b)
{
    char zb[1024], lb[1024];
    meta(o, "dnsxl_queries_total", "counter",
         "DNS queries answered or dropped by the rate limiter, each once (not messages "
         "shorter than a header, responses, or zone transfers), by zone (\".\": none of ours "
         "or no question), transport and query type.");
    for (size_t i = 0; i < b->n; i++)
        for (int tr = 0; tr < 2; tr++)
            for (int qt = 0; qt < DX_QT_N; qt++)
                put(o, "dnsxl_queries_total{zone=\"%s\",transport=\"%s\",qtype=\"%s\"} %llu\n",
                    lv(b->z[i].name, zb, sizeof(zb)), tr ? "tcp" : "udp", qt_names[qt],
                    (unsigned long long)b->z[i].c[DX_ZC_Q(tr, qt)]);
    meta(o, "dnsxl_responses_total", "counter", "Responses sent, by zone and rcode.");
    for (size_t i = 0; i < b->n; i++)
        for (int rc = 0; rc < DX_RCC_N; rc++)
            put(o, "dnsxl_responses_total{zone=\"%s\",rcode=\"%s\"} %llu\n",
                lv(b->z[i].name, zb, sizeof(zb)), rc_names[rc],
                (unsigned long long)b->z[i].c[DX_ZC_RC(rc)]);
    static const struct { const char *name, *help; size_t k; } per_zone[] = {
        { "dnsxl_truncated_responses_total", "Responses sent with TC=1 (too large for UDP, "
          "or slipped by the rate limiter), by zone.", DX_ZC_TC },
        { "dnsxl_nodata_responses_total", "NOERROR responses without an answer, by zone.",
          DX_ZC_NODATA },
        { "dnsxl_dropped_responses_total", "Queries not answered (dropped by the rate "
          "limiter), by zone.", DX_ZC_DROP },
    };
    for (size_t k = 0; k < sizeof(per_zone) / sizeof(per_zone[0]); k++) {
        meta(o, per_zone[k].name, "counter", per_zone[k].help);
        for (size_t i = 0; i < b->n; i++)
            put(o, "%s{zone=\"%s\"} %llu\n", per_zone[k].name, lv(b->z[i].name, zb, sizeof(zb)),
                (unsigned long long)b->z[i].c[per_zone[k].k]);
    }
    meta(o, "dnsxl_listed_responses_total", "counter",
         "Responses that listed the name, by zone and the list that listed it.");
    for (size_t i = 0; i < b->n; i++)
        for (size_t j = 0; j < b->z[i].n_lists; j++)
            put(o, "dnsxl_listed_responses_total{zone=\"%s\",list=\"%s\"} %llu\n",
                lv(b->z[i].name, zb, sizeof(zb)), lv(b->z[i].lists[j].name, lb, sizeof(lb)),
                (unsigned long long)b->z[i].lists[j].n);
}

static void server_counters(struct out *o, const struct dx_server_counts *c)
{
    static const struct { const char *name, *help; size_t off; } tab[] = {
#define C(f) offsetof(struct dx_server_counts, f)
        { "dnsxl_udp_send_dropped_total", "UDP responses not sent: the socket buffer was full.",
          C(udp_drop) },
        { "dnsxl_udp_errors_total", "UDP receive and send errors.", C(udp_err) },
        { "dnsxl_tcp_connections_accepted_total", "TCP connections accepted.", C(tcp_conns) },
        { "dnsxl_tcp_connections_closed_by_limit_total", "TCP connections closed to make room "
          "(tcp-clients, tcp-per-client).", C(tcp_evicted) },
        { "dnsxl_store_errors_total", "Queries answered SERVFAIL: the store's snapshot could "
          "not be renewed.", C(txn_err) },
        { "dnsxl_rrl_limited_total", "UDP responses over the rate limit.", C(rrl_limited) },
        { "dnsxl_rrl_slipped_total", "Rate-limited responses sent truncated (or BADCOOKIE).",
          C(rrl_slipped) },
        { "dnsxl_rrl_dropped_total", "Rate-limited responses not sent.", C(rrl_dropped) },
        { "dnsxl_cookies_bad_total", "Queries with a server cookie that was not accepted.",
          C(cookie_bad) },
#undef C
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        one(o, tab[i].name, "counter", tab[i].help,
            *(const uint64_t *)((const char *)c + tab[i].off));
    one(o, "dnsxl_tcp_connections_open", "gauge", "TCP connections open.", c->tcp_open);
    meta(o, "dnsxl_policy_responses_total", "counter",
         "Usage-policy answers: to blocked clients, over query-limit, to unknown query keys.");
    put(o, "dnsxl_policy_responses_total{action=\"blocked\"} %llu\n"
           "dnsxl_policy_responses_total{action=\"limited\"} %llu\n"
           "dnsxl_policy_responses_total{action=\"unknown_key\"} %llu\n",
        (unsigned long long)c->pol_blocked, (unsigned long long)c->pol_limited,
        (unsigned long long)c->pol_key_unknown);
    meta(o, "dnsxl_query_duration_seconds", "histogram",
         "Time to handle a query, from its receipt (or the previous query of its batch) to "
         "its response.");
    uint64_t cum = 0;
    for (size_t b = 0; b <= DX_LAT_N; b++) {
        cum += c->lat[b];
        if (b < DX_LAT_N)
            put(o, "dnsxl_query_duration_seconds_bucket{le=\"%g\"} %llu\n",
                (double)dx_lat_bounds_ns[b] / 1e9, (unsigned long long)cum);
        else
            put(o, "dnsxl_query_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)cum);
    }
    put(o, "dnsxl_query_duration_seconds_sum %.9f\ndnsxl_query_duration_seconds_count %llu\n",
        (double)c->lat_sum_ns / 1e9, (unsigned long long)cum);
}

static void qkey_counters(struct out *o, const struct dx_conf *conf)
{
    static const struct { const char *name, *help; } tab[] = {
        { "dnsxl_query_key_queries_total", "Queries with a query key, by zone and key name." },
        { "dnsxl_query_key_over_quota_total", "Queries with a query key over its quota, by "
          "zone and key name." },
        { "dnsxl_query_key_disabled_total", "Queries with a disabled key." },
    };
    char zb[1024], kb[512];
    for (int k = 0; k < 3; k++) {
        meta(o, tab[k].name, "counter", tab[k].help);
        for (size_t i = 0; conf && i < conf->n_zones; i++) {
            const struct dx_qkeys *t = conf->zones[i].qkeys;
            for (size_t j = 0; t && j < t->n; j++) {
                const struct dx_qkey_state *s = t->keys[j].st;
                uint64_t v = atomic_load(k == 0 ? &s->queries : k == 1 ? &s->over : &s->refused);
                put(o, "%s{zone=\"%s\",key=\"%s\"} %llu\n", tab[k].name,
                    lv(conf->zones[i].name, zb, sizeof(zb)), lv(t->keys[j].name, kb, sizeof(kb)),
                    (unsigned long long)v);
            }
        }
    }
}

static void side_counters(struct out *o, const struct dx_metrics *m)
{
    struct dx_heatd_stats h;
    struct dx_tap_stats t;
    dx_heatd_stats(m->heat, &h);
    dx_tap_stats(m->tap, &t);
    one(o, "dnsxl_heat_samples_total", "counter", "Heat samples taken (one per list of a "
        "sampled listed response: all of them at heat-sample 100%).", h.samples);
    one(o, "dnsxl_heat_samples_dropped_total", "counter", "Heat samples dropped: the worker's "
        "ring was full.", h.dropped);
    one(o, "dnsxl_heat_records_written_total", "counter", "Entry records written to the heat "
        "database.", h.written);
    one(o, "dnsxl_heat_write_errors_total", "counter", "Heat writes that failed.", h.errors);
    one(o, "dnsxl_dnstap_queries_total", "counter", "Queries sampled for dnstap.", t.queries);
    meta(o, "dnsxl_dnstap_dropped_total", "counter", "dnstap records dropped: queries (each with "
         "its reply) that did not fit in the worker's ring (ring), messages refused by "
         "libfstrm's full queue (output).");
    put(o, "dnsxl_dnstap_dropped_total{stage=\"ring\"} %llu\n"
           "dnsxl_dnstap_dropped_total{stage=\"output\"} %llu\n",
        (unsigned long long)t.dropped, (unsigned long long)t.out_dropped);
    one(o, "dnsxl_dnstap_frames_total", "counter", "dnstap messages handed to libfstrm (not "
        "necessarily written: it drops them uncounted while a unix reader is away).", t.frames);
}

/* transfers and NOTIFYs by zone (xstats.h) */
static void xfr_line(void *arg, const struct dx_xstats_zone *z)
{
    char zb[1024];
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < DX_XR_N; k++)
            put(arg, "dnsxl_zone_transfers_total{zone=\"%s\",type=\"%s\",result=\"%s\"} %llu\n",
                lv(z->name, zb, sizeof(zb)), t ? "ixfr" : "axfr", dx_xres_names[k],
                (unsigned long long)z->xfr[t][k]);
}

static void notify_line(void *arg, const struct dx_xstats_zone *z)
{
    char zb[1024];
    for (int k = 0; k < DX_NR_N; k++)
        put(arg, "dnsxl_notify_sent_total{zone=\"%s\",result=\"%s\"} %llu\n",
            lv(z->name, zb, sizeof(zb)), dx_nres_names[k], (unsigned long long)z->notify[k]);
}

static void xfr_counters(struct out *o)
{
    meta(o, "dnsxl_zone_transfers_total", "counter", "Zone transfer requests over TCP by zone, "
         "type and result: ok (sent whole), refused (not allowed), formerr, busy (too many at "
         "once), timeout (ran too long), error (the connection failed).");
    dx_xstats_each(xfr_line, o);
    meta(o, "dnsxl_notify_sent_total", "counter", "NOTIFYs sent by zone and result: "
         "acknowledged, rcode (a response with an error rcode: sent again), gave_up (no "
         "acknowledgement after the last try).");
    dx_xstats_each(notify_line, o);
}

/* [check]: our own addresses in other lists (checkd.h) */
static void check_gauges(struct out *o, const struct dx_metrics *m)
{
    if (!m->check)
        return;
    size_t n = 0;
    uint64_t last = 0;
    struct dx_check_result *r = dx_checkd_results(m->check, &n, &last);
    char ab[128], lb[512];
    meta(o, "dnsxl_check_listed", "gauge", "1 when the list lists the address ([check]), 0 "
         "when not or not yet known.");
    for (size_t i = 0; i < n; i++)
        put(o, "dnsxl_check_listed{address=\"%s\",list=\"%s\"} %d\n",
            lv(r[i].address, ab, sizeof(ab)), lv(r[i].list, lb, sizeof(lb)),
            r[i].checked && r[i].listed);
    meta(o, "dnsxl_check_error", "gauge", "1 when the list could not be asked about the "
         "address, or answered an error code, at the last check.");
    for (size_t i = 0; i < n; i++)
        put(o, "dnsxl_check_error{address=\"%s\",list=\"%s\"} %d\n",
            lv(r[i].address, ab, sizeof(ab)), lv(r[i].list, lb, sizeof(lb)),
            r[i].checked && r[i].error);
    one(o, "dnsxl_check_last_run_timestamp_seconds", "gauge", "When the last [check] ended, "
        "unix time (0: none yet).", last);
    free(r);
}

/* --- the store's figures, one read txn ------------------------------------------ */

struct gauge_ctx {
    struct out *o;
    const char *name;
};

static int count_line(void *arg, const char *zone, const char *list, uint64_t n)
{
    struct gauge_ctx *g = arg;
    char zb[1024], lb[1024];
    put(g->o, "%s{zone=\"%s\",list=\"%s\"} %llu\n", g->name, lv(zone, zb, sizeof(zb)),
        lv(list, lb, sizeof(lb)), (unsigned long long)n);
    return 0;
}

static int run_lines(void *arg, const struct dx_run *r)
{
    struct out *o = arg;
    char cb[256], tb[1024];
    const char *c = lv(r->command, cb, sizeof(cb)), *t = lv(r->target, tb, sizeof(tb));
    put(o, "dnsxl_loader_last_run_timestamp_seconds{command=\"%s\",target=\"%s\"} %llu\n"
           "dnsxl_loader_last_run_duration_seconds{command=\"%s\",target=\"%s\"} %llu\n"
           "dnsxl_loader_last_run_exit_status{command=\"%s\",target=\"%s\"} %u\n"
           "dnsxl_loader_last_run_entries{command=\"%s\",target=\"%s\",change=\"added\"} %llu\n"
           "dnsxl_loader_last_run_entries{command=\"%s\",target=\"%s\",change=\"updated\"} %llu\n"
           "dnsxl_loader_last_run_entries{command=\"%s\",target=\"%s\",change=\"removed\"} %llu\n",
        c, t, (unsigned long long)r->finished, c, t,
        (unsigned long long)(r->finished > r->started ? r->finished - r->started : 0), c, t,
        (unsigned)r->status, c, t, (unsigned long long)r->added, c, t,
        (unsigned long long)r->updated, c, t, (unsigned long long)r->removed);
    return 0;
}

static int store_gauges(struct out *o, const struct dx_metrics *m, const struct dx_conf *conf,
                        uint64_t now)
{
    struct dx_txn *t;
    int rc = dx_txn_read(m->st, &t);
    if (rc)
        return rc;
    struct out tmp = { malloc(4096), 0, 4096, false };   /* all or nothing */
    if (!tmp.p) {
        dx_txn_abort(t);
        return DX_ENOMEM;
    }
    struct gauge_ctx g = { &tmp, "dnsxl_store_entries" };
    meta(&tmp, "dnsxl_store_entries", "gauge",
         "Entries in the store, by zone and list (expired ones until a sweep removes them).");
    rc = dx_count_foreach(t, count_line, &g);
    bool more = false;
    if (rc == 0) {
        meta(&tmp, "dnsxl_store_expired_entries", "gauge",
             "Entries expired and not yet removed by dnsxl-loader expire, by zone and list.");
        g.name = "dnsxl_store_expired_entries";
        rc = dx_expired_count(t, now, DX_EXPIRED_SCAN, count_line, &g, &more);
    }
    if (rc == 0) {
        one(&tmp, "dnsxl_store_expired_scan_truncated", "gauge", "1 when there were more than "
            "10000 expired entries to count: the counts above are then a lower bound.", more);
        char zb[1024];
        meta(&tmp, "dnsxl_zone_serial", "gauge", "The SOA serial of each configured zone.");
        for (size_t i = 0; i < conf->n_zones && rc == 0; i++) {
            uint32_t serial = 1;
            rc = dx_zone_serial(t, conf->zones[i].name, &serial);
            if (rc == DX_ENOTFOUND)
                rc = 0, serial = 1;
            put(&tmp, "dnsxl_zone_serial{zone=\"%s\"} %u\n",
                lv(conf->zones[i].name, zb, sizeof(zb)), serial);
        }
        meta(&tmp, "dnsxl_zone_last_change_timestamp_seconds", "gauge",
             "When the zone last changed (its serial with it), unix time.");
        for (size_t i = 0; i < conf->n_zones && rc == 0; i++) {
            uint64_t at = 0;
            rc = dx_zone_changed_at(t, conf->zones[i].name, &at);
            if (rc == DX_ENOTFOUND) {
                rc = 0;
                continue;
            }
            put(&tmp, "dnsxl_zone_last_change_timestamp_seconds{zone=\"%s\"} %llu\n",
                lv(conf->zones[i].name, zb, sizeof(zb)), (unsigned long long)at);
        }
    }
    if (rc == 0) {
        static const char *const runs[][2] = {
            { "dnsxl_loader_last_run_timestamp_seconds", "When each loader command last ended "
              "for each target, unix time." },
            { "dnsxl_loader_last_run_duration_seconds", "How long that run took." },
            { "dnsxl_loader_last_run_exit_status", "Its exit status (0 done, 1 bad input, 2 "
              "store or system error, 3 some inputs skipped)." },
            { "dnsxl_loader_last_run_entries", "Entries it added, updated and removed." },
        };
        for (size_t i = 0; i < 4; i++)         /* the families first, then the samples */
            put(&tmp, "# HELP %s %s\n# TYPE %s gauge\n", runs[i][0], runs[i][1], runs[i][0]);
        struct out lines = { malloc(1024), 0, 1024, false };
        rc = lines.p ? dx_run_foreach(t, run_lines, &lines) : DX_ENOMEM;
        /* one family's samples must be together: sort the lines by name */
        for (size_t f = 0; f < 4 && rc == 0; f++) {
            size_t nl = strlen(runs[f][0]);
            for (char *p = lines.p, *e = lines.p + lines.n; p && p < e;) {
                char *nlp = memchr(p, '\n', (size_t)(e - p));
                size_t ln = (size_t)(nlp - p) + 1;
                if (strncmp(p, runs[f][0], nl) == 0 && p[nl] == '{')
                    put(&tmp, "%.*s", (int)ln, p);
                p += ln;
            }
        }
        free(lines.p);
    }
    uint64_t map = 0, file = 0, used = 0;
    if (rc == 0 && (rc = dx_store_usage(m->st, &map, &file, &used)) == 0) {
        one(&tmp, "dnsxl_store_file_size_bytes", "gauge", "The store's data file.", file);
        one(&tmp, "dnsxl_store_used_bytes", "gauge", "Bytes of the data file in use.", used);
        one(&tmp, "dnsxl_store_map_size_bytes", "gauge", "The address space dnsxld maps for "
            "the store (writers grow their own map as the store grows).", map);
    }
    dx_txn_abort(t);
    if (rc == 0 && !tmp.err)
        put(o, "%.*s", (int)tmp.n, tmp.p);
    free(tmp.p);
    return rc ? rc : tmp.err ? DX_ENOMEM : 0;
}

int dx_metrics_render(const struct dx_metrics *m, uint64_t now, char **body, size_t *len)
{
    struct out o = { malloc(65536), 0, 65536, false };
    if (!o.p)
        return DX_ENOMEM;
    const struct dx_conf *conf = dx_server_conf(m->srv);
    struct dx_server_counts c;
    dx_server_counts(m->srv, &c);
    meta(&o, "dnsxl_build_info", "gauge", "The version of dnsxld.");
    put(&o, "dnsxl_build_info{version=\"%s\"} 1\n", DNSXL_VERSION);
    one(&o, "dnsxl_start_time_seconds", "gauge", "When dnsxld started, unix time.", c.started);
    one(&o, "dnsxl_workers", "gauge", "Worker threads.", c.workers);
    struct dx_stats_base zs = { NULL, 0 };
    if (dx_server_zone_sums(m->srv, &zs) != 0)
        o.err = true;
    zone_counters(&o, &zs);
    dx_stats_clear(&zs);
    server_counters(&o, &c);
    qkey_counters(&o, conf);
    side_counters(&o, m);
    xfr_counters(&o);
    check_gauges(&o, m);
    int rc = conf ? store_gauges(&o, m, conf, now) : DX_EINVAL;
    one(&o, "dnsxl_store_up", "gauge", "1 when this scrape could read the store.", rc == 0);
    if (o.err) {
        free(o.p);
        return DX_ENOMEM;
    }
    *body = o.p;
    *len = o.n;
    return 0;
}

int dx_metrics_http(void *arg, char **body, size_t *len)
{
    return dx_metrics_render(arg, dx_now(), body, len);
}
