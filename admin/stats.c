/* dnsxl-admin stats and the heat of entries: see admin/stats.h. */
#include "admin/stats.h"

#include "admin/print.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/listen.h"
#include "zones/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define METRICS_MAX   (64u << 20)       /* a scrape read at most */
#define METRICS_MS    5000
#define EXPIRED_SCAN  100000            /* as the metrics: expiry records read at most */

/* --- heat ---------------------------------------------------------------------- */

struct dx_heat *dx_adm_heat_open(const struct dx_conf *conf)
{
    struct dx_heat *h = NULL;
    int rc = dx_heat_open(conf->server.database, 0, &h);
    if (rc == 0 && (rc = dx_heat_begin(h)) != 0) {
        dx_heat_close(h);
        h = NULL;
    }
    if (rc && rc != DX_ENOSTORE)
        dx_cli_err("note: cannot read the heat in %s/heat: %s (queries shown as 0)",
                   conf->server.database, dx_strerror(rc));
    return rc ? NULL : h;
}

void dx_adm_heat_close(struct dx_heat *h)
{
    if (!h)
        return;
    dx_heat_end(h);
    dx_heat_close(h);
}

void dx_adm_heat_get(struct dx_heat *h, const char *zone, const char *list,
                     const struct dx_key *k, uint64_t *queries, uint64_t *last)
{
    *queries = *last = 0;
    if (h && dx_heat_get(h, zone, list, k, queries, last) != 0)
        *queries = *last = 0;
}

/* --- the metrics endpoint -------------------------------------------------------- */

static int wait_fd(int fd, short ev, int ms)
{
    struct pollfd p = { .fd = fd, .events = ev };
    int n;
    while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
        ;
    return n;
}

int dx_adm_metrics_fetch(const char *listen_text, int timeout_ms, char **body, char *err,
                         size_t errlen)
{
    *body = NULL;
    struct dx_listen l;
    if (dx_listen_from_text(listen_text, &l, err, errlen) != 0)
        return -1;
    static const uint8_t zero[16];
    if (memcmp(l.addr, zero, 16) == 0) {        /* 0.0.0.0 / [::]: ask on loopback */
        if (l.family == DX_FAM_V4) {
            l.addr[0] = 127;
            l.addr[3] = 1;
        } else {
            l.addr[15] = 1;
        }
    }
    struct sockaddr_storage ss;
    socklen_t sl = dx_listen_sockaddr(&l, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    const char *why = NULL;
    int e = 0;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
        e = errno;
        why = "connect";
    } else if (wait_fd(fd, POLLOUT, timeout_ms) <= 0) {
        why = "connect: no answer";
    } else {
        socklen_t el = sizeof(e);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
        static const char req[] = "GET /metrics HTTP/1.0\r\nHost: dnsxld\r\n\r\n";
        if (e)
            why = "connect";
        else if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1))
            e = errno, why = "send";
    }
    while (!why) {                      /* read to the end (Connection: close) */
        if (n + 65536 + 1 > cap) {
            char *nb = n + 65536 + 1 > METRICS_MAX ? NULL : realloc(buf, cap ? cap * 2 : 131072);
            if (!nb) {
                why = "the reply is too large";
                break;
            }
            buf = nb;
            cap = cap ? cap * 2 : 131072;
        }
        if (wait_fd(fd, POLLIN, timeout_ms) <= 0) {
            why = "no answer";
            break;
        }
        ssize_t k = recv(fd, buf + n, cap - n - 1, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k < 0) {
            e = errno;
            why = "recv";
        } else if (k == 0) {
            break;
        } else {
            n += (size_t)k;
        }
    }
    close(fd);
    if (!why) {
        buf[n] = 0;
        char *sep = strstr(buf, "\r\n\r\n");
        if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0 || !sep) {
            why = "not a 200 response";
        } else {
            memmove(buf, sep + 4, n - (size_t)(sep + 4 - buf) + 1);
            *body = buf;
            return 0;
        }
    }
    free(buf);
    snprintf(err, errlen, "%s%s%s", why, e ? ": " : "", e ? strerror(e) : "");
    return -1;
}

/* A label's value in a sample's labels ({k="v",...}, escapes undone), or
 * false. */
static bool label(const char *p, const char *end, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    while (p < end) {
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq + 1 >= end || eq[1] != '"')
            return false;
        bool match = (size_t)(eq - p) == kl && memcmp(p, key, kl) == 0;
        size_t j = 0;
        const char *q = eq + 2;
        for (; q < end && *q != '"'; q++) {
            char ch = *q;
            if (ch == '\\' && q + 1 < end) {
                ch = *++q == 'n' ? '\n' : *q;
            }
            if (match && j + 1 < cap)
                out[j++] = ch;
        }
        if (match) {
            out[j] = 0;
            return true;
        }
        p = q + 1;
        if (p < end && *p == ',')
            p++;
    }
    return false;
}

/* The sum of the samples of family `name` whose zone (and list, when not
 * NULL) label is the one given; false when there is none. */
static bool live_sum(const char *body, const char *name, const char *zone, const char *list,
                     uint64_t *sum)
{
    size_t nl = strlen(name);
    bool any = false;
    *sum = 0;
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, nl) != 0 || p[nl] != '{')
            continue;
        const char *close = strstr(p + nl, "} ");
        const char *eol = strchr(p, '\n');
        if (!close || (eol && close > eol))
            continue;
        char zb[1024], lb[1024];
        if (!label(p + nl + 1, close, "zone", zb, sizeof(zb)) || strcmp(zb, zone) != 0)
            continue;
        if (list && (!label(p + nl + 1, close, "list", lb, sizeof(lb)) || strcmp(lb, list) != 0))
            continue;
        char vb[24];
        size_t vl = strcspn(close + 2, " \n");
        uint64_t v;
        if (vl >= sizeof(vb))
            continue;
        memcpy(vb, close + 2, vl);
        vb[vl] = 0;
        if (dx_uint_parse(vb, UINT64_MAX, &v) != 0)
            continue;                   /* not a counter's integer */
        *sum += v;
        any = true;
    }
    return any;
}

/* --- the command ------------------------------------------------------------------ */

struct lrow {                           /* a configured list's figures */
    const struct dx_zone_conf *z;
    const struct dx_list_conf *l;
    uint64_t entries, expired, heat_q, heat_last;
};

struct heat_sum {
    uint64_t q, last;
};

static int heat_cb(void *arg, const struct dx_heat_rec *r)
{
    struct heat_sum *s = arg;
    s->q += r->queries;
    if (r->last > s->last)
        s->last = r->last;
    return 0;
}

struct exp_ctx {
    struct lrow *rows;
    size_t n;
};

static int expired_cb(void *arg, const char *zone, const char *list, uint64_t n)
{
    struct exp_ctx *x = arg;
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->rows[i].z->name, zone) == 0 && strcmp(x->rows[i].l->name, list) == 0)
            x->rows[i].expired += n;
    return 0;
}

#define RUN_COLS 8

struct run_ctx {
    struct dx_json *j;
    int pass;
    int w[RUN_COLS];
    size_t n;
};

static int run_cb(void *arg, const struct dx_run *r)
{
    struct run_ctx *rc = arg;
    char fin[32], st[8], a[24], u[24], d[24], tb[1024], mb[1024];
    dx_print_time(r->finished, fin, sizeof(fin));
    rc->n++;
    if (rc->j) {
        dx_json_obj_begin(rc->j, NULL);
        dx_json_str(rc->j, "command", r->command);
        dx_json_str(rc->j, "target", r->target);
        dx_json_time(rc->j, "started", r->started);
        dx_json_time(rc->j, "finished", r->finished);
        dx_json_u64(rc->j, "status", r->status);
        dx_json_u64(rc->j, "added", r->added);
        dx_json_u64(rc->j, "updated", r->updated);
        dx_json_u64(rc->j, "removed", r->removed);
        dx_json_str(rc->j, "message", r->message);
        dx_json_obj_end(rc->j);
        return 0;
    }
    snprintf(st, sizeof(st), "%u", (unsigned)r->status);
    snprintf(a, sizeof(a), "%llu", (unsigned long long)r->added);
    snprintf(u, sizeof(u), "%llu", (unsigned long long)r->updated);
    snprintf(d, sizeof(d), "%llu", (unsigned long long)r->removed);
    const char *cols[RUN_COLS] = {
        r->command, *r->target ? dx_print_safe(r->target, tb, sizeof(tb)) : "-", fin, st, a, u,
        d, r->message ? dx_print_safe(r->message, mb, sizeof(mb)) : "-",
    };
    if (rc->pass == 0)
        dx_print_widen(cols, rc->w, RUN_COLS);
    else
        dx_print_row(stdout, cols, rc->w, RUN_COLS);
    return 0;
}

struct zrow {
    uint32_t serial;
    bool has_serial;
    uint64_t changed;
};

/* Read everything in one read txn. 0 or an exit status (said). */
static int gather(const struct dx_conf *conf, struct dx_txn *t, struct dx_heat *h, uint64_t now,
                  struct zrow *zr, struct lrow *rows, size_t nrows)
{
    size_t k = 0;
    for (size_t i = 0; i < conf->n_zones; i++) {
        const struct dx_zone_conf *z = &conf->zones[i];
        int rc = dx_zone_serial(t, z->name, &zr[i].serial);
        zr[i].has_serial = rc == 0;
        if (rc && rc != DX_ENOTFOUND)
            return dx_cli_store_err(NULL, z->name, rc);
        rc = dx_zone_changed_at(t, z->name, &zr[i].changed);
        if (rc == DX_ENOTFOUND)
            zr[i].changed = 0;
        else if (rc)
            return dx_cli_store_err(NULL, z->name, rc);
        for (size_t j = 0; j < z->n_lists; j++, k++) {
            rows[k] = (struct lrow){ .z = z, .l = &z->lists[j] };
            if ((rc = dx_count_get(t, z->name, z->lists[j].name, &rows[k].entries)))
                return dx_cli_store_err(NULL, z->lists[j].target, rc);
            struct heat_sum s = { 0, 0 };
            if (h && (rc = dx_heat_foreach(h, z->name, z->lists[j].name, heat_cb, &s))) {
                dx_cli_err("note: cannot read the heat of %s: %s", z->lists[j].target,
                           dx_strerror(rc));
                s.q = s.last = 0;
            }
            rows[k].heat_q = s.q;
            rows[k].heat_last = s.last;
        }
    }
    struct exp_ctx x = { rows, nrows };
    bool more = false;
    int rc = dx_expired_count(t, now, EXPIRED_SCAN, expired_cb, &x, &more);
    if (rc)
        return dx_cli_store_err(NULL, "expired entries", rc);
    if (more)
        dx_cli_err("note: more than %u entries expired and not swept: the EXPIRED counts are a"
                   " lower bound (dnsxl-loader expire removes them)", EXPIRED_SCAN);
    return DX_EX_OK;
}

static void u64s(uint64_t v, bool known, char *buf, size_t cap)
{
    if (known)
        snprintf(buf, cap, "%llu", (unsigned long long)v);
    else
        snprintf(buf, cap, "-");
}

static void print_text(const struct dx_conf *conf, struct dx_store *st, struct dx_txn *t,
                       const struct zrow *zr, const struct lrow *rows, size_t nrows,
                       const char *live, int *rc_out)
{
    uint64_t map = 0, file = 0, used = 0;
    if (dx_store_usage(st, &map, &file, &used) == 0)
        printf("store %s: %llu bytes in use of a %llu-byte file (map %llu MiB)\n",
               conf->server.database, (unsigned long long)used, (unsigned long long)file,
               (unsigned long long)(map >> 20));
    if (conf->server.metrics)
        printf("live counters: %s (metrics = %s)\n", live ? "from dnsxld" : "not available",
               conf->server.metrics);
    static const char *const zh[4] = { "ZONE", "SERIAL", "LAST-CHANGE", "QUERIES" };
    int zw[4] = { 0 };
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            dx_print_row(stdout, zh, zw, 4);
        else
            dx_print_widen(zh, zw, 4);
        for (size_t i = 0; i < conf->n_zones; i++) {
            char sb[16], cb[32], qb[24];
            uint64_t q = 0;
            bool has_q = live && live_sum(live, "dnsxl_queries_total", conf->zones[i].name, NULL,
                                          &q);
            snprintf(sb, sizeof(sb), "%u", zr[i].serial);
            if (zr[i].changed)
                dx_print_time(zr[i].changed, cb, sizeof(cb));
            else
                snprintf(cb, sizeof(cb), "-");
            u64s(q, has_q || live, qb, sizeof(qb));
            const char *cols[4] = { conf->zones[i].name, zr[i].has_serial ? sb : "-", cb, qb };
            if (pass)
                dx_print_row(stdout, cols, zw, 4);
            else
                dx_print_widen(cols, zw, 4);
        }
    }
    putchar('\n');
    static const char *const lh[6] = { "LIST", "ENTRIES", "EXPIRED", "LISTED-ANSWERS",
                                       "HEAT-QUERIES", "LAST-QUERIED" };
    int lw[6] = { 0 };
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            dx_print_row(stdout, lh, lw, 6);
        else
            dx_print_widen(lh, lw, 6);
        for (size_t i = 0; i < nrows; i++) {
            const struct lrow *r = &rows[i];
            char eb[24], xb[24], ab[24], hb[24], tb[32];
            uint64_t a = 0;
            bool has_a = live && live_sum(live, "dnsxl_listed_responses_total", r->z->name,
                                          r->l->name, &a);
            u64s(r->entries, true, eb, sizeof(eb));
            u64s(r->expired, true, xb, sizeof(xb));
            u64s(a, has_a || live, ab, sizeof(ab));
            u64s(r->heat_q, true, hb, sizeof(hb));
            if (r->heat_last)
                dx_print_time(r->heat_last, tb, sizeof(tb));
            else
                snprintf(tb, sizeof(tb), "-");
            const char *cols[6] = { r->l->target, eb, xb, ab, hb, tb };
            if (pass)
                dx_print_row(stdout, cols, lw, 6);
            else
                dx_print_widen(cols, lw, 6);
        }
    }
    putchar('\n');
    static const char *const rh[RUN_COLS] = { "COMMAND", "TARGET", "FINISHED", "STATUS", "ADDED",
                                              "UPDATED", "REMOVED", "MESSAGE" };
    struct run_ctx rc = { 0 };
    dx_print_widen(rh, rc.w, RUN_COLS);
    int e = dx_run_foreach(t, run_cb, &rc);
    if (e == 0 && rc.n == 0) {
        printf("no loader runs recorded\n");
    } else if (e == 0) {
        rc.pass = 1;
        dx_print_row(stdout, rh, rc.w, RUN_COLS);
        e = dx_run_foreach(t, run_cb, &rc);
    }
    *rc_out = e;
}

static void print_json(const struct dx_conf *conf, struct dx_store *st, struct dx_txn *t,
                       const struct zrow *zr, const struct lrow *rows, size_t nrows,
                       const char *live, int *rc_out)
{
    struct dx_json j;
    dx_json_init(&j, stdout);
    dx_json_obj_begin(&j, NULL);
    uint64_t map = 0, file = 0, used = 0;
    dx_json_obj_begin(&j, "store");
    dx_json_str(&j, "database", conf->server.database);
    if (dx_store_usage(st, &map, &file, &used) == 0) {
        dx_json_u64(&j, "file_bytes", file);
        dx_json_u64(&j, "used_bytes", used);
        dx_json_u64(&j, "map_bytes", map);
    }
    dx_json_obj_end(&j);
    dx_json_str(&j, "metrics", conf->server.metrics);
    dx_json_bool(&j, "live", live != NULL);
    dx_json_arr_begin(&j, "zones");
    size_t k = 0;
    for (size_t i = 0; i < conf->n_zones; i++) {
        const struct dx_zone_conf *z = &conf->zones[i];
        dx_json_obj_begin(&j, NULL);
        dx_json_str(&j, "zone", z->name);
        if (zr[i].has_serial)
            dx_json_u64(&j, "serial", zr[i].serial);
        else
            dx_json_null(&j, "serial");
        if (zr[i].changed)
            dx_json_time(&j, "last_change", zr[i].changed);
        else
            dx_json_null(&j, "last_change");
        uint64_t q = 0;
        live_sum(live ? live : "", "dnsxl_queries_total", z->name, NULL, &q);
        if (live)
            dx_json_u64(&j, "queries", q);
        else
            dx_json_null(&j, "queries");
        dx_json_arr_begin(&j, "lists");
        for (size_t jj = 0; jj < z->n_lists && k < nrows; jj++, k++) {
            const struct lrow *r = &rows[k];
            dx_json_obj_begin(&j, NULL);
            dx_json_str(&j, "list", r->l->name);
            dx_json_u64(&j, "entries", r->entries);
            dx_json_u64(&j, "expired", r->expired);
            uint64_t a = 0;
            live_sum(live ? live : "", "dnsxl_listed_responses_total", z->name, r->l->name, &a);
            if (live)
                dx_json_u64(&j, "listed_answers", a);
            else
                dx_json_null(&j, "listed_answers");
            dx_json_u64(&j, "heat_queries", r->heat_q);
            if (r->heat_last)
                dx_json_time(&j, "last_queried", r->heat_last);
            else
                dx_json_null(&j, "last_queried");
            dx_json_obj_end(&j);
        }
        dx_json_arr_end(&j);
        dx_json_obj_end(&j);
    }
    dx_json_arr_end(&j);
    dx_json_arr_begin(&j, "runs");
    struct run_ctx rc = { .j = &j };
    *rc_out = dx_run_foreach(t, run_cb, &rc);
    dx_json_arr_end(&j);
    dx_json_obj_end(&j);
}

int dx_adm_stats(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                 char **argv)
{
    static const struct option lo[] = {
        { "json", no_argument, NULL, 'j' }, { "config", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    bool json = false;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
        if (ch == 'h')
            return dx_cli_cmd_usage(m, false);
        if (ch == 'c')
            *conf_opt = optarg;
        else if (ch == 'j')
            json = true;
        else {
            dx_cli_err("%s: unknown option or missing argument: %s", m->name, argv[optind - 1]);
            return dx_cli_cmd_usage(m, true);
        }
    }
    if (optind != argc) {
        dx_cli_err("%s: no arguments expected", m->name);
        return dx_cli_cmd_usage(m, true);
    }
    struct dx_conf *conf = NULL;
    struct dx_store *st = NULL;
    struct dx_txn *t = NULL;
    struct dx_heat *h = NULL;
    struct zrow *zr = NULL;
    struct lrow *rows = NULL;
    char *live = NULL;
    int ex = dx_cli_conf(*conf_opt, &conf);
    if (ex)
        return ex;
    size_t nrows = 0;
    for (size_t i = 0; i < conf->n_zones; i++)
        nrows += conf->zones[i].n_lists;
    zr = calloc(conf->n_zones + 1, sizeof(*zr));
    rows = calloc(nrows + 1, sizeof(*rows));
    if (!zr || !rows) {
        dx_cli_err("out of memory");
        ex = DX_EX_STORE;
        goto out;
    }
    if ((ex = dx_cli_store(conf, false, &st)) || (ex = dx_cli_begin(st, false, now, &t)))
        goto out;
    h = dx_adm_heat_open(conf);
    if ((ex = gather(conf, t, h, now, zr, rows, nrows)))
        goto out;
    if (conf->server.metrics) {
        char err[256];
        if (dx_adm_metrics_fetch(conf->server.metrics, METRICS_MS, &live, err, sizeof(err)))
            dx_cli_err("note: no live counters: http://%s/metrics: %s (is dnsxld running?)",
                       conf->server.metrics, err);
    }
    int rc = 0;
    if (json)
        print_json(conf, st, t, zr, rows, nrows, live, &rc);
    else
        print_text(conf, st, t, zr, rows, nrows, live, &rc);
    if (rc)
        ex = dx_cli_store_err(NULL, "loader runs", rc);
out:
    free(live);
    free(zr);
    free(rows);
    dx_adm_heat_close(h);
    dx_txn_abort(t);
    if (st)
        dx_store_close(st);
    dx_conf_free(conf);
    return ex;
}
