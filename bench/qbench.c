/* qbench: the query path in one process, for instruction counts.
 *
 *   qbench seed DIR [ENTRIES]      write DIR/dnsxl.conf and a seeded store in DIR/db
 *   qbench run DIR CLASS [N]       answer N (20000) queries of CLASS with dx_query_answer
 *   qbench classes                 list the classes
 *
 * bench/callgrind.sh runs `seed` natively, then each class under
 * `valgrind --tool=callgrind --toggle-collect=dx_query_answer` and prints
 * instructions per query (bench/README.md). Everything is deterministic: a
 * fixed PRNG seed, a fixed clock, the same queries in the same order, so the
 * counts move only when the code does.
 *
 * The store (ENTRIES = 100000 by default) holds, in the ip zone
 * bl.example.org: 90% IPv4 /32s and 1% /24s (first octets 1..126, in the
 * lists traps, reports and manual), 5% IPv6 /128s in 2001:db8::/32, and one
 * address (192.0.2.1) listed in all 12 lists of big.example.org, whose long
 * TXTs do not fit in 512 bytes; in the domain zone dbl.example.org 3% names
 * and 1% wildcards. `run` checks every reply (rcode, answer count, TC)
 * outside the measured function and exits 1 at the first one that is not
 * what its class says, so a class always measures what its name says.
 *
 * With DEFENCE=1 in the environment `run` measures the defences on (at a
 * rate under the limit): rate-limit = 1000000 with dnsxld's table (every
 * answer goes through the limiter, none is limited: qbench's clock stands
 * still and 20000 is under the burst), and every query carries an OPT
 * (payload 512, so tc_512 still truncates) with a client COOKIE: each reply
 * gets a new server cookie, the costliest case.
 *
 * With OBS=metrics[,heat][,tap] `run` answers through observed_answer, the
 * per-query part of dnsxld's worker_answer (dnsxld/worker.h): the counters
 * of the metrics and one clock read per query (metrics), a heat sample per
 * listing of HEAT_SAMPLE percent of the listed answers (heat; default
 * 100), a dnstap record of TAP_SAMPLE percent of the queries (tap; default
 * 1). The rings are emptied after each query outside the
 * function, as dnsxld's threads do. callgrind.sh with
 * COLLECT=observed_answer counts it (OBS unset: the same function, all off).
 */
#include <alloca.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnsxld/cookie.h"
#include "dnsxld/dnstap.h"
#include "dnsxld/guard.h"
#include "dnsxld/heat.h"
#include "dnsxld/query.h"
#include "dnsxld/ring.h"
#include "dnsxld/rrl.h"
#include "dnsxld/stats.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

#define T 1800000000u            /* the clock of the writes and of every answer */
#define SEED 0x20261204u
#define BIG_LISTS 12

static const char *const classes[] = {
    "a_listed",      /* A, a listed v4 /32: NOERROR, 1 A */
    "a_nxdomain",    /* A, an unlisted v4 address: NXDOMAIN + SOA */
    "txt_reason",    /* TXT, a /32 of list reports: the zone's template with $reason */
    "ent_prefix",    /* A, the 3-label prefix of a listed /24: NOERROR NODATA (RFC 8020) */
    "v6_listed",     /* A, a listed v6 /128 (32 nibble labels) */
    "domain_exact",  /* A, a listed name */
    "domain_wild",   /* A, a name below a listed wildcard */
    "apex_soa",      /* SOA at the apex */
    "tc_512",        /* TXT of 12 long records without EDNS: TC */
    "mix",           /* the queries of all the classes above, interleaved */
};
#define N_CLASSES (sizeof(classes) / sizeof(classes[0]))

/* --- deterministic data --------------------------------------------------- */

static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

struct data {
    size_t n4, n24, n6, ndom, nwild;
    uint32_t *v4;                /* /32s; v4[i] is in list i % 3 (traps, reports, manual) */
    uint32_t *v24;               /* /24 networks (low byte 0) */
    uint8_t (*v6)[16];
    unsigned *dom, *wild;        /* name numbers: "dN.example", "*.wN.example" */
};

static const char *const lists[] = { "traps", "reports", "manual" };

/* The same entries for the same ENTRIES, every time. */
static void gen(struct data *d, size_t entries)
{
    rng = SEED;
    d->n24 = entries / 100;
    d->n6 = entries * 5 / 100;
    d->ndom = entries * 3 / 100;
    d->nwild = entries / 100;
    d->n4 = entries - d->n24 - d->n6 - d->ndom - d->nwild;
    d->v4 = calloc(d->n4 ? d->n4 : 1, sizeof(*d->v4));
    d->v24 = calloc(d->n24 ? d->n24 : 1, sizeof(*d->v24));
    d->v6 = calloc(d->n6 ? d->n6 : 1, sizeof(*d->v6));
    d->dom = calloc(d->ndom ? d->ndom : 1, sizeof(*d->dom));
    d->wild = calloc(d->nwild ? d->nwild : 1, sizeof(*d->wild));
    if (!d->v4 || !d->v24 || !d->v6 || !d->dom || !d->wild) {
        fprintf(stderr, "qbench: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < d->n4; i++) {
        uint32_t a = rnd();
        d->v4[i] = (1u + a % 126u) << 24 | (a & 0x00ffffffu);   /* 1.x.x.x .. 126.x.x.x */
        if ((d->v4[i] & 0xff) == 0)
            d->v4[i] |= 1;
    }
    for (size_t i = 0; i < d->n24; i++) {
        uint32_t a = rnd();
        d->v24[i] = ((1u + a % 126u) << 24 | (a & 0x00ffff00u));
    }
    for (size_t i = 0; i < d->n6; i++) {
        uint8_t *p = d->v6[i];
        memset(p, 0, 16);
        p[0] = 0x20, p[1] = 0x01, p[2] = 0x0d, p[3] = 0xb8;
        for (int j = 4; j < 16; j += 4) {
            uint32_t a = rnd();
            memcpy(p + j, &a, 4);
        }
    }
    for (size_t i = 0; i < d->ndom; i++)
        d->dom[i] = (unsigned)i * 7u + 1u;
    for (size_t i = 0; i < d->nwild; i++)
        d->wild[i] = (unsigned)i * 11u + 3u;
}

static void data_free(struct data *d)
{
    free(d->v4);
    free(d->v24);
    free(d->v6);
    free(d->dom);
    free(d->wild);
}

static const char conf_fmt[] =
    "[server]\n"
    "database = db\n"
    "map-size = 1G\n"
    "edns-size = 1232\n"
    "\n"
    "[zone bl.example.org]\n"
    "ttl = 300\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "ns = ns1.example.org.\n"
    "ns = ns2.example.org.\n"
    "txt = Listed in $list: $reason - https://example.org/q?ip=$\n"
    "\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "txt = Trap hit $\n"
    "[list bl.example.org/reports]\n"
    "code = 127.0.0.3\n"
    "[list bl.example.org/manual]\n"
    "code = 127.0.0.4\n"
    "txt = Listed by hand: https://example.org/q?ip=$\n"
    "\n"
    "[zone dbl.example.org]\n"
    "kind = domain\n"
    "txt = Domain $ listed: $reason\n"
    "[list dbl.example.org/spam]\n"
    "code = 127.0.1.2\n"
    "\n"
    "[zone big.example.org]\n";

static void write_conf(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(conf_fmt, f);
    for (int i = 0; i < BIG_LISTS; i++) {
        fprintf(f, "[list big.example.org/l%02d]\ncode = 127.0.0.%d\ntxt = ", i, 10 + i);
        for (int j = 0; j < 6; j++)
            fputs("A long text for a long record, to overflow 512 bytes. ", f);
        fputs("$\n", f);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static struct dx_conf *load_conf(const char *dir)
{
    char path[4096], err[512] = "";
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    struct dx_conf *c;
    if (dx_conf_load(path, &c, err, sizeof(err)) != 0) {
        fprintf(stderr, "qbench: %s\n", err);
        exit(2);
    }
    return c;
}

static void die_store(const char *what, int rc)
{
    fprintf(stderr, "qbench: %s: %s\n", what, dx_strerror(rc));
    exit(2);
}

static void put(struct dx_txn *w, const char *zone, const char *list, const struct dx_key *k)
{
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    e.first_seen = e.last_seen = T;
    e.source = "import";
    e.reason = "seen at a spam trap";
    int rc = dx_entry_put(w, zone, list, k, &e);
    if (rc)
        die_store("put", rc);
}

static void key_text(struct dx_key *k, const char *text)
{
    if (dx_key_parse(text, k) != 0) {
        fprintf(stderr, "qbench: bad key %s\n", text);
        exit(2);
    }
}

static int cmd_seed(const char *dir, size_t entries)
{
    struct data d;
    gen(&d, entries);
    write_conf(dir);
    struct dx_conf *conf = load_conf(dir);
    struct dx_store *st;
    int rc = dx_store_open(conf->server.database, conf->server.map_size, DX_STORE_CREATE, &st);
    if (rc)
        die_store(conf->server.database, rc);
    struct dx_txn *w;
    if ((rc = dx_txn_write(st, T, &w)) != 0)
        die_store("write txn", rc);
    struct dx_key k;
    uint8_t a[4];
    for (size_t i = 0; i < d.n4; i++) {
        a[0] = (uint8_t)(d.v4[i] >> 24), a[1] = (uint8_t)(d.v4[i] >> 16);
        a[2] = (uint8_t)(d.v4[i] >> 8), a[3] = (uint8_t)d.v4[i];
        dx_key_from_addr(&k, a, 4);
        put(w, "bl.example.org", lists[i % 3], &k);
    }
    for (size_t i = 0; i < d.n24; i++) {
        a[0] = (uint8_t)(d.v24[i] >> 24), a[1] = (uint8_t)(d.v24[i] >> 16);
        a[2] = (uint8_t)(d.v24[i] >> 8), a[3] = 0;
        dx_key_from_addr(&k, a, 4);
        dx_key_widen(&k, 24);
        put(w, "bl.example.org", "manual", &k);
    }
    for (size_t i = 0; i < d.n6; i++) {
        dx_key_from_addr(&k, d.v6[i], 16);
        put(w, "bl.example.org", lists[i % 3], &k);
    }
    char t[64];
    for (size_t i = 0; i < d.ndom; i++) {
        snprintf(t, sizeof(t), "d%u.example", d.dom[i]);
        key_text(&k, t);
        put(w, "dbl.example.org", "spam", &k);
    }
    for (size_t i = 0; i < d.nwild; i++) {
        snprintf(t, sizeof(t), "*.w%u.example", d.wild[i]);
        key_text(&k, t);
        put(w, "dbl.example.org", "spam", &k);
    }
    key_text(&k, "192.0.2.1");
    for (int i = 0; i < BIG_LISTS; i++) {
        snprintf(t, sizeof(t), "l%02d", i);
        put(w, "big.example.org", t, &k);
    }
    if ((rc = dx_txn_commit(w)) != 0)
        die_store("commit", rc);
    dx_store_close(st);
    dx_conf_free(conf);
    printf("qbench: seeded %s/db: %zu v4 /32, %zu v4 /24, %zu v6, %zu names, %zu wildcards\n",
           dir, d.n4, d.n24, d.n6, d.ndom, d.nwild);
    data_free(&d);
    return 0;
}

/* --- queries ----------------------------------------------------------------- */

struct query {
    uint8_t b[300];
    size_t n;
    unsigned rcode;              /* what the reply must say */
    int an;                      /* answer records; -1 = any */
    bool tc;
};

/* Text name to a query message (no escapes; the names here are plain). */
static void mkq(struct query *q, const char *name, uint16_t qtype, unsigned rcode, int an,
                bool tc)
{
    static uint16_t id;
    uint8_t *b = q->b;
    memset(b, 0, 12);
    id++;
    b[0] = (uint8_t)(id >> 8), b[1] = (uint8_t)id;
    b[2] = 0x01;                 /* RD */
    b[5] = 1;
    size_t n = 12;
    for (const char *p = name; *p;) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        b[n++] = (uint8_t)l;
        memcpy(b + n, p, l);
        n += l;
        p += l + (dot ? 1 : 0);
    }
    b[n++] = 0;
    b[n++] = (uint8_t)(qtype >> 8), b[n++] = (uint8_t)qtype;
    b[n++] = 0, b[n++] = 1;
    if (getenv("DEFENCE") && strcmp(getenv("DEFENCE"), "1") == 0) {
        static const uint8_t opt[] = { 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 12,
                                       0, 10, 0, 8, 'q', 'b', 'e', 'n', 'c', 'h', 0, 1 };
        memcpy(b + n, opt, sizeof(opt));
        n += sizeof(opt);
        b[11] = 1;               /* ARCOUNT */
    }
    q->n = n;
    q->rcode = rcode;
    q->an = an;
    q->tc = tc;
}

static void v4_name(char *out, size_t cap, uint32_t a, int labels, const char *zone)
{
    if (labels == 4)
        snprintf(out, cap, "%u.%u.%u.%u.%s", a & 0xff, a >> 8 & 0xff, a >> 16 & 0xff, a >> 24,
                 zone);
    else
        snprintf(out, cap, "%u.%u.%u.%s", a >> 8 & 0xff, a >> 16 & 0xff, a >> 24, zone);
}

/* The i-th query of class c (0 <= c < N_CLASSES - 1). */
static void class_query(const struct data *d, size_t c, size_t i, struct query *q)
{
    char name[300];
    switch (c) {
    case 0:
        v4_name(name, sizeof(name), d->v4[i % d->n4], 4, "bl.example.org");
        mkq(q, name, 1, 0, 1, false);
        break;
    case 1: {
        uint32_t a = (128u + (uint32_t)i % 64u) << 24 | ((uint32_t)i * 2654435761u & 0xffffff);
        v4_name(name, sizeof(name), a, 4, "bl.example.org");
        mkq(q, name, 1, 3, 0, false);
        break;
    }
    case 2: {
        size_t n = (d->n4 + 1) / 3;             /* v4[3j + 1] is in reports */
        size_t j = 3 * (i % (n ? n : 1)) + 1;
        v4_name(name, sizeof(name), d->v4[j % d->n4], 4, "bl.example.org");
        mkq(q, name, 16, 0, 1, false);
        break;
    }
    case 3:
        v4_name(name, sizeof(name), d->v24[i % d->n24], 3, "bl.example.org");
        mkq(q, name, 1, 0, 0, false);
        break;
    case 4: {
        const uint8_t *a = d->v6[i % d->n6];
        size_t o = 0;
        for (int j = 15; j >= 0; j--)
            o += (size_t)snprintf(name + o, sizeof(name) - o, "%x.%x.", a[j] & 0xf, a[j] >> 4);
        snprintf(name + o, sizeof(name) - o, "bl.example.org");
        mkq(q, name, 1, 0, 1, false);
        break;
    }
    case 5:
        snprintf(name, sizeof(name), "d%u.example.dbl.example.org", d->dom[i % d->ndom]);
        mkq(q, name, 1, 0, 1, false);
        break;
    case 6:
        snprintf(name, sizeof(name), "x%zu.w%u.example.dbl.example.org", i % 97,
                 d->wild[i % d->nwild]);
        mkq(q, name, 1, 0, 1, false);
        break;
    case 7:
        mkq(q, "bl.example.org", 6, 0, 1, false);
        break;
    default:
        mkq(q, "1.2.0.192.big.example.org", 16, 0, 0, true);
        break;
    }
}

static int check(const struct query *q, const uint8_t *r, size_t n, size_t i, const char *cls)
{
    unsigned rcode = n >= 12 ? r[3] & 0xfu : 99;
    int an = n >= 12 ? r[6] << 8 | r[7] : -1;
    bool tc = n >= 12 && (r[2] & 0x02);
    if (n < 12 || rcode != q->rcode || (q->an >= 0 && an < q->an) || (q->an == 0 && an != 0) ||
        tc != q->tc) {
        fprintf(stderr, "qbench: %s query %zu: rcode %u, %d answers, tc %d; expected rcode %u, "
                        "%d answers, tc %d\n", cls, i, rcode, an, tc, q->rcode, q->an, q->tc);
        return 1;
    }
    return 0;
}

/* worker_answer's observation (dnsxld/worker.h), without the worker */
static __attribute__((noinline)) size_t observed_answer(struct dx_qctx *q, const uint8_t *req,
                                                        size_t len, uint8_t *resp, size_t cap,
                                                        const struct sockaddr *peer)
{
    struct dx_obs *o = q->obs;
    if (!o)
        return dx_query_answer(q, req, len, resp, cap, DX_UDP, peer);
    uint64_t t0 = 0, t1 = 0;
    if (o->timing)
        t0 = o->lat_last ? o->lat_last : dx_obs_clock();
    size_t n = dx_query_answer(q, req, len, resp, cap, DX_UDP, peer);
    if (o->timing) {
        t1 = dx_obs_clock();
        o->lat_last = t1;
        dx_obs_latency(o, t1 - t0);
    }
    if (o->tap)
        dx_tap_put(o, q->conf, DX_UDP, peer, req, len, resp, n, t1 - t0);
    return n;
}

static void drain(struct dx_ring *r)
{
    size_t n;
    while (r && dx_ring_peek(r, &n))
        dx_ring_pop(r);
}

static __attribute__((noinline)) int answer_all(struct dx_qctx *ctx, const struct query *qs,
                                                size_t n, const char *cls)
{
    struct sockaddr_in peer;
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_INET;
    peer.sin_addr.s_addr = htonl(0xc6336401);   /* 198.51.100.1 */
    static uint8_t resp[65536] __attribute__((aligned(4096)));
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        size_t len = observed_answer(ctx, qs[i].b, qs[i].n, resp, sizeof(resp),
                                     (const struct sockaddr *)&peer);
        bad = check(&qs[i], resp, len, i, cls);
        if (ctx->obs) {
            drain(ctx->obs->heat);
            drain(ctx->obs->tap);
        }
    }
    return bad;
}

static int cmd_run(const char *dir, const char *cls, size_t n)
{
    size_t c = 0;
    while (c < N_CLASSES && strcmp(classes[c], cls) != 0)
        c++;
    if (c == N_CLASSES) {
        fprintf(stderr, "qbench: unknown class %s (qbench classes)\n", cls);
        return 1;
    }
    struct dx_conf *conf = load_conf(dir);
    size_t entries = 0;
    FILE *f = NULL;
    char path[4096];
    snprintf(path, sizeof(path), "%s/entries", dir);
    if ((f = fopen(path, "r")) == NULL || fscanf(f, "%zu", &entries) != 1) {
        fprintf(stderr, "qbench: %s: run qbench seed first\n", path);
        return 1;
    }
    fclose(f);
    struct data d;
    gen(&d, entries);
    size_t qsize = ((n ? n : 1) * sizeof(struct query) + 4095) & ~(size_t)4095;
    struct query *qs = aligned_alloc(4096, qsize);    /* page-aligned: see answer_all */
    if (qs)
        memset(qs, 0, qsize);
    if (!qs) {
        fprintf(stderr, "qbench: out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < n; i++)
        class_query(&d, c == N_CLASSES - 1 ? i % (N_CLASSES - 1) : c, i, &qs[i]);

    struct dx_store *st;
    int rc = dx_store_open(conf->server.database, conf->server.map_size, 0, &st);
    if (rc)
        die_store(conf->server.database, rc);
    struct dx_txn *t;
    if ((rc = dx_txn_read(st, &t)) != 0)
        die_store("read txn", rc);
    struct dx_qctx ctx = { .conf = conf, .txn = t, .now = T };
    struct dx_guard_stats gst = { 0, 0, 0, 0 };
    if (getenv("DEFENCE") && strcmp(getenv("DEFENCE"), "1") == 0) {
        char err[256];
        conf->server.rate_limit = 1000000;
        ctx.rrl = dx_rrl_new(DX_RRL_ORDER);
        ctx.st = &gst;
        ctx.mono_ms = 1000;
        if (!ctx.rrl || dx_cookie_setup(conf, NULL, T, err, sizeof(err)) != 0) {
            fprintf(stderr, "qbench: cannot set up the defences\n");
            return 2;
        }
    }
    const char *obs = getenv("OBS");
    if (obs && *obs) {
        struct dx_obs *o = aligned_alloc(64, sizeof(*o));
        if (!o || dx_stats_attach(conf, 1) != 0) {
            fprintf(stderr, "qbench: out of memory\n");
            return 2;
        }
        memset(o, 0, sizeof(*o));
        o->timing = strstr(obs, "metrics") != NULL;
        if (strstr(obs, "heat")) {
            o->heat = dx_ring_new(DX_HEAT_RING);
            o->heat_rng = 0x9e3779b97f4a7c15u;          /* fixed: the counts repeat */
            conf->server.heat_sample = getenv("HEAT_SAMPLE") ? (uint32_t)atoi(getenv("HEAT_SAMPLE"))
                                                             : 100;
        }
        if (strstr(obs, "tap")) {
            o->tap = dx_ring_new(DX_TAP_RING);
            conf->server.tap_sample = getenv("TAP_SAMPLE") ? (uint32_t)atoi(getenv("TAP_SAMPLE")) : 1;
        }
        ctx.obs = o;
    }
    /* The same stack addresses modulo a page whatever the size of the
     * environment and argv above main: glibc's string functions take
     * alignment-dependent paths, so otherwise the counts move with them. */
    volatile char *pad = alloca(((uintptr_t)__builtin_frame_address(0) & 4095) + 1);
    pad[0] = 0;
    int bad = answer_all(&ctx, qs, n, cls);
    if (gst.limited) {
        fprintf(stderr, "qbench: %llu answers rate limited\n", (unsigned long long)gst.limited);
        bad = 1;
    }
    if (ctx.obs) {
        dx_ring_free(ctx.obs->heat);
        dx_ring_free(ctx.obs->tap);
        free(ctx.obs);
    }
    dx_rrl_free(ctx.rrl);
    dx_txn_abort(t);
    dx_store_close(st);
    dx_conf_free(conf);
    free(qs);
    data_free(&d);
    if (!bad)
        printf("qbench: %s: %zu queries answered as expected\n", cls, n);
    return bad;
}

/* The heap at the same addresses modulo a page in every build: malloc
 * starts at the program break, just past the binary's data, whose size
 * changes with the code. Before the first malloc. */
static void align_heap(void)
{
    uintptr_t brk = (uintptr_t)sbrk(0);
    if (brk != (uintptr_t)-1 && (brk & 4095))
        (void)sbrk((intptr_t)(4096 - (brk & 4095)));
}

int main(int argc, char **argv)
{
    align_heap();
    if (argc >= 3 && strcmp(argv[1], "seed") == 0) {
        size_t entries = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
        if (entries < 1000) {
            fprintf(stderr, "qbench: ENTRIES must be at least 1000\n");
            return 1;
        }
        int rc = cmd_seed(argv[2], entries);
        char path[4096];
        snprintf(path, sizeof(path), "%s/entries", argv[2]);
        FILE *f = fopen(path, "w");
        if (!f || fprintf(f, "%zu\n", entries) < 0 || fclose(f) != 0) {
            perror(path);
            return 2;
        }
        return rc;
    }
    if (argc >= 4 && strcmp(argv[1], "run") == 0)
        return cmd_run(argv[2], argv[3], argc > 4 ? strtoul(argv[4], NULL, 10) : 20000);
    if (argc == 2 && strcmp(argv[1], "classes") == 0) {
        for (size_t i = 0; i < N_CLASSES; i++)
            printf("%s\n", classes[i]);
        return 0;
    }
    fprintf(stderr, "usage: qbench seed DIR [ENTRIES] | qbench run DIR CLASS [N] | qbench classes\n");
    return 1;
}
