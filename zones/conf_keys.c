/* The keys of the config file (dnsxl.conf(5)): one table per section kind.
 * Every key has a type, bounds and a default written as config text:
 * defaults go through the same setters as the file. Values are validated
 * here, once; the programs trust the result. The sections themselves, the
 * end of the file and the public API: zones/conf.c. */
#include "zones/conf_int.h"

#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/name.h"
#include "zones/txt.h"
#include "zones/window.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TTL_MAX      0x7fffffffu

_Static_assert(sizeof(enum dx_zone_kind) + sizeof(enum dx_answer_mode) == 2 * sizeof(int), "enums");

/* ---- key tables -------------------------------------------------------- */

struct keydef;
typedef int (*setter_fn)(struct parser *p, const struct keydef *kd, void *base, const char *val);

enum ktype {
    K_STRING,    /* char *, any non-empty text */
    K_PATH,      /* char *, made absolute against the file's directory */
    K_DURATION,  /* uint64_t seconds; forever allowed iff max == DX_FOREVER */
    K_SIZE,      /* uint64_t bytes */
    K_UINT,      /* uint32_t */
    K_CODE,      /* uint32_t IPv4 in 127.0.0.0/8, host order */
    K_CIDRS,     /* struct dx_acl, appended to; blanks/commas separate several */
    K_NAMES,     /* char ** + size_t count (off_n), appended to */
    K_ENUM,      /* enum (int-sized): index into enums[] */
    K_FN,        /* custom setter */
};

struct keydef {
    const char *name;
    enum ktype type;
    bool repeat;
    size_t off;                  /* field offset in the section's struct */
    size_t off_n;                /* K_NAMES: offset of the count */
    uint64_t min, max;
    const char *const *enums;    /* K_ENUM: NULL-terminated */
    setter_fn set;               /* K_FN */
    const char *def;             /* default as config text, or NULL */
};

static int set_listen(struct parser *, const struct keydef *, void *, const char *);
static int set_workers(struct parser *, const struct keydef *, void *, const char *);
static int set_ttl(struct parser *, const struct keydef *, void *, const char *);
static int set_soa(struct parser *, const struct keydef *, void *, const char *);
static int set_backscatter(struct parser *, const struct keydef *, void *, const char *);
static int set_percent(struct parser *, const struct keydef *, void *, const char *);
static int set_heat_sample(struct parser *, const struct keydef *, void *, const char *);
static int set_policy_code(struct parser *, const struct keydef *, void *, const char *);
static int set_policy_txt(struct parser *, const struct keydef *, void *, const char *);
static int set_chaos_text(struct parser *, const struct keydef *, void *, const char *);
static int set_web_listen(struct parser *, const struct keydef *, void *, const char *);
static int set_rate(struct parser *, const struct keydef *, void *, const char *);

static int set_allow_transfer(struct parser *p, const struct keydef *kd, void *base,
                              const char *val)
{
    return dx__conf_set_allow_transfer(p, kd->name, base, val);
}

static const char *const kind_names[] = { "ip", "domain", NULL };
static const char *const tsig_alg_names[] = { "hmac-sha256", "hmac-sha512", NULL };
static const char *const answer_names[] = { "separate", "bitmask", NULL };
static const char *const unknown_key_names[] = { "refused", "blocked", NULL };
static const char *const removal_names[] = { "none", "self", "review", NULL };
static const char *const yes_no_names[] = { "no", "yes", NULL };

#define CONF(f) offsetof(struct dx_conf, f)
#define ZONE(f) offsetof(struct dx_zone_conf, f)
#define LIST(f) offsetof(struct dx_list_conf, f)
#define MEG     (1024ull * 1024)

static const struct keydef server_keys[] = {
    { "listen", K_FN, true, 0, 0, 0, 0, NULL, set_listen, "127.0.0.1:53" },
    { "database", K_PATH, false, CONF(server.database), 0, 0, 0, NULL, NULL, "/var/lib/dnsxl" },
    { "workers", K_FN, false, 0, 0, 0, 0, NULL, set_workers, "auto" },
    { "map-size", K_SIZE, false, CONF(server.map_size), 0, MEG, UINT64_MAX, NULL, NULL, "16G" },
    { "udp-rcvbuf", K_SIZE, false, CONF(server.udp_rcvbuf), 0, 0, INT_MAX, NULL, NULL, "8M" },
    { "edns-size", K_UINT, false, CONF(server.edns_size), 0, 512, 4096, NULL, NULL, "1232" },
    { "tcp-idle-timeout", K_DURATION, false, CONF(server.tcp_idle), 0, 1, 86400, NULL, NULL, "10" },
    { "tcp-clients", K_UINT, false, CONF(server.tcp_clients), 0, 1, 65535, NULL, NULL, "256" },
    { "tcp-per-client", K_UINT, false, CONF(server.tcp_per_client), 0, 1, 65535, NULL, NULL,
      "16" },
    { "rate-limit", K_UINT, false, CONF(server.rate_limit), 0, 0, 1000000, NULL, NULL, "0" },
    { "rate-limit-burst", K_UINT, false, CONF(server.rate_limit_burst), 0, 0, 1000000, NULL, NULL,
      "0" },
    { "rate-limit-slip", K_UINT, false, CONF(server.rate_limit_slip), 0, 0, 10, NULL, NULL, "2" },
    { "rate-limit-exempt", K_CIDRS, true, CONF(server.rate_limit_exempt), 0, 0, 0, NULL, NULL,
      NULL },
    { "cookie-secret", K_PATH, false, CONF(server.cookie_secret), 0, 0, 0, NULL, NULL, NULL },
    { "user", K_STRING, false, CONF(server.user), 0, 0, 0, NULL, NULL, NULL },
    { "identity", K_FN, false, CONF(server.identity), 0, 0, 255, NULL, set_chaos_text, NULL },
    { "version", K_FN, false, CONF(server.version), 0, 0, 255, NULL, set_chaos_text, NULL },
    { "metrics", K_FN, false, CONF(server.metrics), 0, 0, 0, NULL, set_web_listen, NULL },
    { "heat", K_ENUM, false, CONF(server.heat), 0, 0, 0, yes_no_names, NULL, "no" },
    { "heat-sample", K_FN, false, CONF(server.heat_sample), 0, 1, 100, NULL, set_heat_sample,
      "100%" },
    { "heat-interval", K_DURATION, false, CONF(server.heat_interval), 0, 1, 3600, NULL, NULL,
      "30" },
    { "dnstap", K_STRING, false, CONF(server.dnstap), 0, 0, 0, NULL, NULL, NULL },
    { "dnstap-sample", K_FN, false, CONF(server.tap_sample), 0, 1, 100, NULL, set_percent, "100%" },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct keydef loader_keys[] = {
    { "trusted-relays", K_CIDRS, true, CONF(loader.trusted_relays), 0, 0, 0, NULL, NULL, NULL },
    { "protected", K_CIDRS, true, CONF(loader.protected_nets), 0, 0, 0, NULL, NULL, NULL },
    { "never-list-zone", K_NAMES, true, CONF(loader.never_list_zones),
      CONF(loader.n_never_list_zones), 0, 0, NULL, NULL, NULL },
    { "history", K_DURATION, false, CONF(loader.history), 0, 1, DX_FOREVER, NULL, NULL, "365d" },
    { "history-size", K_SIZE, false, CONF(loader.history_size), 0, 0, UINT64_MAX, NULL, NULL,
      "1G" },
    /* operator safety (dnsxl-loader import/sync, dnsxl-admin add; --force overrides) */
    { "shortest-prefix", K_UINT, false, CONF(loader.shortest_prefix), 0, 0, 32, NULL, NULL, "8" },
    { "shortest-prefix6", K_UINT, false, CONF(loader.shortest_prefix6), 0, 0, 128, NULL, NULL,
      "16" },
    { "replace-max-delete", K_FN, false, CONF(loader.replace_max_delete), 0, 0, 100, NULL,
      set_percent, "50%" },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* [check]: our own addresses, checked by dnsxld against a lists file (dnsxld(8) "Metrics") */
static const struct keydef check_keys[] = {
    { "address", K_CIDRS, true, CONF(check.addresses), 0, 0, 0, NULL, NULL, NULL },
    { "lists", K_PATH, false, CONF(check.lists), 0, 0, 0, NULL, NULL, NULL },
    { "server", K_STRING, false, CONF(check.server), 0, 0, 0, NULL, NULL, NULL },
    { "interval", K_DURATION, false, CONF(check.interval), 0, 1, 86400, NULL, NULL, "300" },
    { "timeout", K_DURATION, false, CONF(check.timeout), 0, 1, 60, NULL, NULL, "5" },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* [web]: dnsxl-web(8), the public lookup and removal page */
static const struct keydef web_keys[] = {
    { "listen", K_FN, false, CONF(web.listen), 0, 0, 0, NULL, set_web_listen, "127.0.0.1:8080" },
    { "title", K_FN, false, CONF(web.title), 0, 0, 1024, NULL, set_chaos_text, "DNSxL lookup" },
    { "contact", K_FN, false, CONF(web.contact), 0, 0, 1024, NULL, set_chaos_text, NULL },
    { "trusted-proxy", K_CIDRS, true, CONF(web.trusted_proxy), 0, 0, 0, NULL, NULL, NULL },
    { "request-limit", K_FN, false, CONF(web.request_limit), CONF(web.request_period), 1, 0,
      NULL, set_rate, "5/1h" },
    { "lookup-limit", K_FN, false, CONF(web.lookup_limit), CONF(web.lookup_period), 0, 0, NULL,
      set_rate, "3600/1h" },
    { "proof-of-work", K_UINT, false, CONF(web.pow_bits), 0, 0, 28, NULL, NULL, "20" },
    { "secret", K_PATH, false, CONF(web.secret), 0, 0, 0, NULL, NULL, NULL },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct keydef zone_keys[] = {
    { "kind", K_ENUM, false, ZONE(kind), 0, 0, 0, kind_names, NULL, "ip" },
    { "ttl", K_FN, false, 0, 0, 0, 0, NULL, set_ttl, "300" },
    { "soa", K_FN, false, 0, 0, 0, 0, NULL, set_soa, NULL },     /* default from the name */
    { "ns", K_NAMES, true, ZONE(ns), ZONE(n_ns), 0, 0, NULL, NULL, NULL }, /* default soa.mname */
    { "txt", K_STRING, false, ZONE(txt), 0, 0, 0, NULL, NULL, NULL },
    { "answer", K_ENUM, false, ZONE(answer), 0, 0, 0, answer_names, NULL, "separate" },
    { "allow-query", K_CIDRS, true, ZONE(allow_query), 0, 0, 0, NULL, NULL, NULL },
    { "allow-transfer", K_FN, true, 0, 0, 0, 0, NULL, set_allow_transfer, NULL },
    { "notify", K_FN, true, 0, 0, 0, 0, NULL, set_allow_transfer, NULL },   /* conf_xfr.c */
    { "ixfr-journal", K_SIZE, false, ZONE(ixfr_journal), 0, 0, UINT64_MAX, NULL, NULL, "64M" },
    { "ixfr-journal-age", K_DURATION, false, ZONE(ixfr_journal_age), 0, 60, DX_FOREVER, NULL,
      NULL, "7d" },
    /* usage policy: the answers live in 127.255.255.0/24 (Spamhaus' codes by default) */
    { "blocked-clients", K_CIDRS, true, ZONE(blocked_clients), 0, 0, 0, NULL, NULL, NULL },
    { "blocked-code", K_FN, false, ZONE(blocked_code), 0, 0, 0, NULL, set_policy_code,
      "127.255.255.254" },
    { "blocked-txt", K_FN, false, ZONE(blocked_txt), 0, 0, 0, NULL, set_policy_txt,
      "Blocked: $zone does not serve queries from $ (a public or open resolver?)" },
    { "query-limit", K_FN, false, ZONE(query_limit), ZONE(query_period), 1, 0, NULL, set_rate,
      NULL },
    { "limit-code", K_FN, false, ZONE(limit_code), 0, 0, 0, NULL, set_policy_code,
      "127.255.255.255" },
    { "limit-txt", K_FN, false, ZONE(limit_txt), 0, 0, 0, NULL, set_policy_txt,
      "Query limit exceeded for $ at $zone" },
    { "query-keys", K_PATH, false, ZONE(query_keys), 0, 0, 0, NULL, NULL, NULL },
    { "unknown-key", K_ENUM, false, ZONE(unknown_key), 0, 0, 0, unknown_key_names, NULL,
      "refused" },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define KEY(f) offsetof(struct dx_key_conf, f)
static const struct keydef key_keys[] = {
    { "algorithm", K_ENUM, false, KEY(alg), 0, 0, 0, tsig_alg_names, NULL, "hmac-sha256" },
    { "secret", K_STRING, false, KEY(secret_b64), 0, 0, 0, NULL, NULL, NULL },
    { "secret-file", K_PATH, false, KEY(secret_file), 0, 0, 0, NULL, NULL, NULL },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct keydef list_keys[] = {
    { "code", K_CODE, false, LIST(code), 0, 0, 0, NULL, NULL, "127.0.0.2" },
    { "lifetime", K_DURATION, false, LIST(lifetime), 0, 1, DX_FOREVER, NULL, NULL, "forever" },
    { "txt", K_STRING, false, LIST(txt), 0, 0, 0, NULL, NULL, NULL },
    { "escalation", K_UINT, false, LIST(escalation), 0, 1, 1000, NULL, NULL, "1" },
    { "max-lifetime", K_DURATION, false, LIST(max_lifetime), 0, 1, DX_FOREVER, NULL, NULL, "forever" },
    { "backscatter", K_FN, false, 0, 0, 0, 0, NULL, set_backscatter, NULL },
    { "threshold", K_UINT, false, LIST(threshold), 0, 1, 1000000, NULL, NULL, "1" },
    { "window", K_DURATION, false, LIST(window), 0, 1, DX_FOREVER, NULL, NULL, "7d" },
    /* removal requests on the public page (dnsxl-web(8)) */
    { "removal", K_ENUM, false, LIST(removal), 0, 0, 0, removal_names, NULL, "none" },
    { "removal-limit", K_FN, false, LIST(removal_limit), LIST(removal_period), 1, 0, NULL,
      set_rate, "1/30d" },
    { "removal-hold", K_DURATION, false, LIST(removal_hold), 0, 1, DX_FOREVER, NULL, NULL,
      "1d" },
    { "public-reason", K_ENUM, false, LIST(public_reason), 0, 0, 0, yes_no_names, NULL, "yes" },
    { "description", K_FN, false, LIST(description), 0, 0, 1024, NULL, set_chaos_text, NULL },
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* ---- small helpers ----------------------------------------------------- */

static char *name_dup(const char *in)
{
    char buf[DX_NAME_TEXT_MAX + 1];
    if (dx__conf_name(in, buf))
        return NULL;
    return strdup(buf);
}

static void *field(void *base, size_t off) { return (char *)base + off; }

/* The string field of kd becomes a copy of val. */
static int keep_str(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    char *t = strdup(val), **f = field(base, kd->off);
    if (!t)
        return nomem(p);
    free(*f);
    *f = t;
    return 0;
}

/* ---- setters ----------------------------------------------------------- */

static int set_listen(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_conf *c = base;
    struct dx_listen l;
    char why[1024];
    if (dx_listen_from_text(val, &l, why, sizeof(why)))
        return fail(p, p->line, "%s: %s", kd->name, why);
    for (size_t i = 0; i < p->n_la; i++) {
        if (dx_listen_same(&p->la[i].l, &l))
            return fail(p, p->line, "%s: '%s' is the address and port of line %d again",
                        kd->name, val, p->la[i].line);
    }
    struct listen_addr *nla = realloc(p->la, (p->n_la + 1) * sizeof(*nla));
    if (!nla)
        return nomem(p);
    p->la = nla;
    nla[p->n_la].l = l;
    nla[p->n_la].line = p->line;
    p->n_la++;
    char *s = strdup(val);
    if (!s || dx__conf_push(&c->server.listen, &c->server.n_listen, s))
        return nomem(p);
    return 0;
}

static int set_workers(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_conf *c = base;
    uint64_t v;
    if (strcasecmp(val, "auto") == 0) {
        c->server.workers = 0;
        return 0;
    }
    if (dx_uint_parse(val, 1024, &v) || v < 1)
        return fail(p, p->line, "%s: bad value '%s' (expected auto or 1..1024)", kd->name, val);
    c->server.workers = (unsigned)v;
    return 0;
}

static int set_ttl(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_zone_conf *z = base;
    uint64_t v;
    if (dx_dur_parse(val, &v) || v == DX_FOREVER)
        return fail(p, p->line, "%s: bad TTL '%s' (expected seconds or a duration)", kd->name, val);
    z->ttl = v > TTL_MAX ? TTL_MAX : (uint32_t)v;
    return 0;
}

static int set_soa(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_zone_conf *z = base;
    static const char *const what[6] = { "mname", "rname", "refresh", "retry", "expire", "minimum" };
    char *copy = strdup(val);
    if (!copy)
        return nomem(p);
    char *tok[7], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == 7)
            break;
        tok[n++] = t;
    }
    int rc = 0;
    char mname[DX_NAME_TEXT_MAX + 1], rname[DX_NAME_TEXT_MAX + 1];
    uint32_t num[4];
    if (n != 6) {
        rc = fail(p, p->line, "%s: expected 6 fields (mname rname refresh retry expire minimum), got %s%d",
                  kd->name, n > 6 ? "more than " : "", n > 6 ? 6 : n);
        goto out;
    }
    if (dx__conf_name(tok[0], mname) || dx__conf_name(tok[1], rname)) {
        int i = dx__conf_name(tok[0], mname) ? 0 : 1;
        rc = fail(p, p->line, "%s: bad %s '%s'", kd->name, what[i], tok[i]);
        goto out;
    }
    for (int i = 0; i < 4; i++) {
        uint64_t v;
        if (dx_dur_parse(tok[2 + i], &v) || v > UINT32_MAX) {
            rc = fail(p, p->line, "%s: bad %s '%s' (expected seconds or a duration)",
                      kd->name, what[2 + i], tok[2 + i]);
            goto out;
        }
        num[i] = (uint32_t)v;
    }
    char *m = strdup(mname), *r = strdup(rname);
    if (!m || !r) {
        free(m);
        free(r);
        rc = nomem(p);
        goto out;
    }
    free(z->soa.mname);
    free(z->soa.rname);
    z->soa.mname = m;
    z->soa.rname = r;
    z->soa.refresh = num[0];
    z->soa.retry = num[1];
    z->soa.expire = num[2];
    z->soa.minimum = num[3];
out:
    free(copy);
    return rc;
}

static int set_backscatter(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_list_conf *l = base;
    char zone[DX_NAME_TEXT_MAX + 1], list[DX_LABEL_MAX + 1];
    if (dx__conf_target(val, zone, list))
        return fail(p, p->line, "%s: bad target '%s' (expected ZONE/LIST)", kd->name, val);
    size_t n = strlen(zone) + 1 + strlen(list) + 1;
    char *t = malloc(n);
    if (!t)
        return nomem(p);
    snprintf(t, n, "%s/%s", zone, list);
    l->backscatter = t;
    p->pl[p->cur].backscatter_line = p->line;
    return 0;
}

/* A share in percent, kd->min..kd->max, into a uint32_t; heat-sample's
 * divides 100, so that each sample counts a whole number of queries
 * (dnsxld/heat.h). */
static int set_percent(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    return dx__conf_percent(p, kd->name, val, kd->min, kd->max, false, field(base, kd->off));
}

static int set_heat_sample(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    return dx__conf_percent(p, kd->name, val, kd->min, kd->max, true, field(base, kd->off));
}

/* blocked-code, limit-code: an answer of 127.255.255.0/24, which no list
 * code can be (dx_code_reserved), so mail software never reads it as a
 * listing. */
static int set_policy_code(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    uint32_t code;
    if (dx_code_parse(val, 0, &code))
        return fail(p, p->line, "%s: bad IPv4 address '%s'", kd->name, val);
    if ((code & 0xffffff00u) != 0x7fffff00u)
        return fail(p, p->line, "%s: '%s' is outside 127.255.255.0/24: a policy answer must be "
                    "an error code, which no listing can answer", kd->name, val);
    *(uint32_t *)field(base, kd->off) = code;
    return 0;
}

/* blocked-txt, limit-txt: templates whose `$` is the client's address. */
static int set_policy_txt(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_zone_conf *z = base;
    char msg[256];
    if (dx_txt_check(val, DX_TXT_SUBJECT_IP_MAX, 0, strlen(z->name), msg, sizeof(msg)))
        return fail(p, p->line, "%s: %s", kd->name, msg);
    return keep_str(p, kd, base, val);
}

/* identity, version: one TXT string (at most 255 octets); title, contact,
 * description: text of the public page (1024): at most kd->max octets, no
 * control character. */
static int set_chaos_text(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    size_t n = strlen(val);
    if (n > kd->max)
        return fail(p, p->line, "%s: %zu octets, more than %s%llu%s", kd->name, n,
                    kd->max == 255 ? "the " : "", (unsigned long long)kd->max,
                    kd->max == 255 ? " of a TXT string" : "");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
            return fail(p, p->line, "%s: a control character (0x%02x) at offset %zu", kd->name,
                        (unsigned char)val[i], i);
    return keep_str(p, kd, base, val);
}

/* [web] listen: one HTTP address, the form of [server] listen. */
static int set_web_listen(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    struct dx_listen l;
    char why[1024];
    if (dx_listen_from_text(val, &l, why, sizeof(why)))
        return fail(p, p->line, "%s: %s", kd->name, why);
    return keep_str(p, kd, base, val);
}

/* query-limit, request-limit, lookup-limit, removal-limit: N/PERIOD
 * (zones/window.h) into the u32 at off and the u64 at off_n; "none" = 0
 * where kd->min is 0. */
static int set_rate(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    uint32_t n = 0;
    uint64_t period = 0;
    if (!(kd->min == 0 && strcasecmp(val, "none") == 0) && dx_rate_parse(val, &n, &period))
        return fail(p, p->line, "%s: bad limit '%s' (expected N/PERIOD such as 300000/1d: N "
                    "1..%u, PERIOD 1s..366d%s)", kd->name, val, DX_WIN_MAX,
                    kd->min == 0 ? "; or none" : "");
    *(uint32_t *)field(base, kd->off) = n;
    *(uint64_t *)field(base, kd->off_n) = period;
    return 0;
}

/* ---- generic key handling ---------------------------------------------- */

static int set_value(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    void *f = field(base, kd->off);
    uint64_t v;
    switch (kd->type) {
    case K_STRING:
        return keep_str(p, kd, base, val);
    case K_PATH: {
        char *s;
        if (val[0] == '/') {
            s = strdup(val);
        } else {
            const char *rel = val;
            while (rel[0] == '.' && rel[1] == '/')
                rel += 2;
            size_t n = strlen(p->c->dir) + 1 + strlen(rel) + 1;
            s = malloc(n);
            if (s)
                snprintf(s, n, "%s%s%s", p->c->dir,
                         strcmp(p->c->dir, "/") == 0 ? "" : "/", rel);
        }
        if (!s)
            return nomem(p);
        free(*(char **)f);
        *(char **)f = s;
        return 0;
    }
    case K_DURATION:
        if (dx_dur_parse(val, &v) || (v == DX_FOREVER && kd->max != DX_FOREVER))
            return fail(p, p->line, "%s: bad duration '%s'", kd->name, val);
        if (v != DX_FOREVER && (v < kd->min || v > kd->max)) {
            if (kd->max == DX_FOREVER)
                return fail(p, p->line, "%s: duration '%s' must be at least %llus", kd->name,
                            val, (unsigned long long)kd->min);
            return fail(p, p->line, "%s: duration '%s' out of range (%llus..%llus)", kd->name,
                        val, (unsigned long long)kd->min, (unsigned long long)kd->max);
        }
        *(uint64_t *)f = v;
        return 0;
    case K_SIZE:
        if (dx_size_parse(val, &v))
            return fail(p, p->line, "%s: bad size '%s' (e.g. 65536, 512k, 8M, 4G)", kd->name, val);
        if (v < kd->min || v > kd->max)
            return fail(p, p->line, "%s: size '%s' out of range (%llu..%llu bytes)", kd->name,
                        val, (unsigned long long)kd->min, (unsigned long long)kd->max);
        *(uint64_t *)f = v;
        return 0;
    case K_UINT:
        if (dx_uint_parse(val, kd->max, &v) || v < kd->min)
            return fail(p, p->line, "%s: bad value '%s' (expected an integer %llu..%llu)",
                        kd->name, val, (unsigned long long)kd->min, (unsigned long long)kd->max);
        *(uint32_t *)f = (uint32_t)v;
        return 0;
    case K_CODE: {
        uint32_t code;
        if (dx_code_parse(val, 0, &code))
            return fail(p, p->line, "%s: bad IPv4 address '%s'", kd->name, val);
        const char *why = dx_code_reserved(code);
        if (why)
            return fail(p, p->line, "%s: '%s' %s", kd->name, val, why);
        *(uint32_t *)f = code;
        return 0;
    }
    case K_CIDRS:
    case K_NAMES: {
        char *copy = strdup(val);
        if (!copy)
            return nomem(p);
        int rc = 0;
        char *save = NULL;
        for (char *t = strtok_r(copy, " \t,", &save); t && !rc; t = strtok_r(NULL, " \t,", &save)) {
            if (kd->type == K_CIDRS) {
                struct dx_key k;
                if (dx_key_parse_masked(t, &k) || k.family == DX_FAM_DOMAIN) {
                    rc = fail(p, p->line, "%s: bad address or CIDR '%s'", kd->name, t);
                    break;
                }
                struct dx_acl *acl = f;
                struct dx_key *nn = realloc(acl->nets, (acl->n + 1) * sizeof(*nn));
                if (!nn) {
                    rc = nomem(p);
                    break;
                }
                nn[acl->n++] = k;
                acl->nets = nn;
            } else {
                char *s = name_dup(t);
                if (!s) {
                    rc = fail(p, p->line, "%s: bad domain name '%s'", kd->name, t);
                    break;
                }
                if (dx__conf_push((char ***)f, (size_t *)field(base, kd->off_n), s))
                    rc = nomem(p);
            }
        }
        free(copy);
        return rc;
    }
    case K_ENUM:
        for (int i = 0; kd->enums[i]; i++) {
            if (strcasecmp(val, kd->enums[i]) == 0) {
                *(int *)f = i;
                return 0;
            }
        }
    {
        char names[128] = "";
        for (int i = 0, u = 0; kd->enums[i] && u < (int)sizeof(names); i++)
            u += snprintf(names + u, sizeof(names) - (size_t)u, "%s%s",
                          !i ? "" : kd->enums[i + 1] ? ", " : " or ", kd->enums[i]);
        return fail(p, p->line, "%s: bad value '%s' (expected %s)", kd->name, val, names);
    }
    case K_FN:
        return kd->set(p, kd, base, val);
    }
    return fail(p, p->line, "%s: internal error", kd->name);
}

/* Apply the defaults of every key not seen; `line` names the section. */
static int apply_defaults(struct parser *p, const struct keydef *tab, void *base, uint64_t seen, int line)
{
    int saved = p->line;
    p->line = line;
    for (size_t i = 0; tab[i].name; i++) {
        if ((seen >> i) & 1 || !tab[i].def)
            continue;
        int rc = set_value(p, &tab[i], base, tab[i].def);
        if (rc) {
            p->line = saved;
            return rc;
        }
    }
    p->line = saved;
    return 0;
}

/* ---- keys of the current section ---------------------------------------- */

static const struct keydef *section_table(enum section s)
{
    switch (s) {
    case SEC_SERVER: return server_keys;
    case SEC_LOADER: return loader_keys;
    case SEC_ZONE:   return zone_keys;
    case SEC_LIST:   return list_keys;
    case SEC_KEY:    return key_keys;
    case SEC_WEB:    return web_keys;
    case SEC_CHECK:  return check_keys;
    default:         return NULL;
    }
}

static void *section_base(struct parser *p)
{
    switch (p->sec) {
    case SEC_SERVER:
    case SEC_LOADER:
    case SEC_WEB:
    case SEC_CHECK:  return p->c;
    case SEC_ZONE:   return &p->c->zones[p->cur];
    case SEC_LIST:   return &p->pl[p->cur].l;
    case SEC_KEY:    return &p->c->keys[p->cur];
    default:         return NULL;
    }
}

int dx__conf_defaults(struct parser *p, enum section sec, void *base, uint64_t seen, int line)
{
    return apply_defaults(p, section_table(sec), base, seen, line);
}

static const char *section_label(enum section s)
{
    switch (s) {
    case SEC_SERVER: return "[server]";
    case SEC_LOADER: return "[loader]";
    case SEC_ZONE:   return "[zone]";
    case SEC_LIST:   return "[list]";
    case SEC_KEY:    return "[key]";
    case SEC_WEB:    return "[web]";
    case SEC_CHECK:  return "[check]";
    default:         return "";
    }
}

/* Remember where the keys that later checks name were written (nlz: the
 * number of never-list-zone names before this key). */
static int note_lines(struct parser *p, const struct keydef *kd, size_t nlz)
{
    if (p->sec == SEC_ZONE && strcmp(kd->name, "txt") == 0) {
        p->c->zones[p->cur].txt_line = p->line;
    } else if (p->sec == SEC_LIST && strcmp(kd->name, "txt") == 0) {
        p->pl[p->cur].l.txt_line = p->line;
    } else if (p->sec == SEC_LIST && strcmp(kd->name, "code") == 0) {
        p->pl[p->cur].l.code_line = p->line;
    } else if (p->sec == SEC_ZONE && strcmp(kd->name, "blocked-code") == 0) {
        p->c->zones[p->cur].blocked_code_line = p->line;
    } else if (p->sec == SEC_ZONE && strcmp(kd->name, "limit-code") == 0) {
        p->c->zones[p->cur].limit_code_line = p->line;
    } else if (p->sec == SEC_LOADER && strcmp(kd->name, "never-list-zone") == 0) {
        size_t n = p->c->loader.n_never_list_zones;
        int *nl = realloc(p->nlz_line, (n ? n : 1) * sizeof(*nl));
        if (!nl)
            return nomem(p);
        p->nlz_line = nl;
        for (size_t i = nlz; i < n; i++)
            nl[i] = p->line;
    }
    return 0;
}

int dx__conf_key(struct parser *p, const char *key, const char *val)
{
    if (p->sec == SEC_NONE)
        return fail(p, p->line, "key '%s' outside of any section", key);
    const struct keydef *tab = section_table(p->sec);
    size_t i;
    for (i = 0; tab[i].name; i++)
        if (strcasecmp(tab[i].name, key) == 0)
            break;
    if (!tab[i].name)
        return fail(p, p->line, "unknown key '%s' in %s", key, section_label(p->sec));
    const struct keydef *kd = &tab[i];
    uint64_t *seen = p->sec == SEC_SERVER ? &p->server_seen
                   : p->sec == SEC_LOADER ? &p->loader_seen
                   : p->sec == SEC_WEB ? &p->web_seen
                   : p->sec == SEC_CHECK ? &p->check_seen : &p->seen;
    if (!kd->repeat && ((*seen >> i) & 1))
        return fail(p, p->line, "%s: duplicate key (not repeatable)", kd->name);
    if (!*val)
        return fail(p, p->line, "%s: missing value", kd->name);
    *seen |= (uint64_t)1 << i;
    struct dx_conf *c = p->c;
    size_t nlz = c->loader.n_never_list_zones;
    int rc = set_value(p, kd, section_base(p), val);
    if (rc)
        return rc;
    return note_lines(p, kd, nlz);
}

