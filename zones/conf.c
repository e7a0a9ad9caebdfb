/* The config file parser (zones/conf.h, man/dnsxl.conf.5).
 *
 * One table of keys per section kind. Every key has a type, bounds and a
 * default written as config text: defaults go through the same parser as
 * the file. Values are validated here, once; the programs trust the result.
 *
 * Lists may name a zone defined later in the file: they are collected
 * apart and attached to their zones at the end, when every zone is known.
 */
#include "zones/conf.h"
#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/ini.h"
#include "zones/key.h"
#include "zones/listen.h"
#include "zones/name.h"
#include "zones/txt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "/etc/dnsxl/dnsxl.conf"
#define TTL_MAX      0x7fffffffu

_Static_assert(sizeof(enum dx_zone_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum dx_answer_mode) == sizeof(int), "enum size");

/* ---- parser state ------------------------------------------------------ */

enum section { SEC_NONE, SEC_SERVER, SEC_LOADER, SEC_ZONE, SEC_LIST };

struct pend_list {               /* a [list] before its zone is resolved */
    struct dx_list_conf l;
    char *zone;                  /* normalized zone name */
    int backscatter_line;
};

struct listen_addr {             /* a `listen` value, parsed, for the duplicate check */
    struct dx_listen l;
    int line;
};

struct parser {
    const char *file;
    int line;
    char *err;
    size_t errlen;
    struct dx_conf *c;
    struct pend_list *pl;
    size_t n_pl;
    enum section sec;
    size_t cur;                  /* index of the current zone or pending list */
    uint64_t seen;               /* keys seen in the current [zone]/[list] */
    uint64_t server_seen, loader_seen;
    struct listen_addr *la;      /* the listen values so far */
    size_t n_la;
    int *nlz_line;               /* line of each never-list-zone name */
};

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

static const char *const kind_names[] = { "ip", "domain", NULL };
static const char *const answer_names[] = { "separate", "bitmask", NULL };

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

static const struct keydef zone_keys[] = {
    { "kind", K_ENUM, false, ZONE(kind), 0, 0, 0, kind_names, NULL, "ip" },
    { "ttl", K_FN, false, 0, 0, 0, 0, NULL, set_ttl, "300" },
    { "soa", K_FN, false, 0, 0, 0, 0, NULL, set_soa, NULL },     /* default from the name */
    { "ns", K_NAMES, true, ZONE(ns), ZONE(n_ns), 0, 0, NULL, NULL, NULL }, /* default soa.mname */
    { "txt", K_STRING, false, ZONE(txt), 0, 0, 0, NULL, NULL, NULL },
    { "answer", K_ENUM, false, ZONE(answer), 0, 0, 0, answer_names, NULL, "separate" },
    { "allow-query", K_CIDRS, true, ZONE(allow_query), 0, 0, 0, NULL, NULL, NULL },
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
    { NULL, 0, false, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, int line, const char *fmt, ...)
{
    if (p->errlen) {
        int n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, line);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return DX_EINVAL;
}

static int nomem(struct parser *p)
{
    if (p->errlen)
        snprintf(p->err, p->errlen, "%s: out of memory", p->file);
    return DX_ENOMEM;
}

/* ---- small helpers ----------------------------------------------------- */

/* Normalize a domain name (zones/name.h) into out (DX_NAME_TEXT_MAX + 1 bytes). */
static int norm_name(const char *in, char *out)
{
    return dx_name_norm(in, strlen(in), out) < 0 ? DX_EINVAL : 0;
}

static char *name_dup(const char *in)
{
    char buf[DX_NAME_TEXT_MAX + 1];
    if (norm_name(in, buf))
        return NULL;
    return strdup(buf);
}

/* "ZONE/LIST" -> normalized zone in zone[] (DX_NAME_TEXT_MAX + 1 bytes), list in
 * list[] (DX_LABEL_MAX + 1 bytes, lowercase). */
static int split_target(const char *t, char *zone, char *list)
{
    const char *slash = strchr(t, '/');
    if (!slash || dx_name_norm(t, (size_t)(slash - t), zone) < 0 ||
        dx_label_norm(slash + 1, strlen(slash + 1), list) < 0)
        return DX_EINVAL;
    return 0;
}

static int push_str(char ***arr, size_t *n, char *s)
{
    char **na = realloc(*arr, (*n + 1) * sizeof(*na));
    if (!na) {
        free(s);
        return DX_ENOMEM;
    }
    na[(*n)++] = s;
    *arr = na;
    return 0;
}

static void *field(void *base, size_t off)
{
    return (char *)base + off;
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
    if (!s || push_str(&c->server.listen, &c->server.n_listen, s))
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
    if (norm_name(tok[0], mname) || norm_name(tok[1], rname)) {
        int i = norm_name(tok[0], mname) ? 0 : 1;
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
    if (split_target(val, zone, list))
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

/* "50%" or "50": a share in percent, kd->min..kd->max, into a uint32_t. */
static int set_percent(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    char num[32];
    size_t n = strlen(val);
    if (n > 0 && val[n - 1] == '%')
        n--;
    uint64_t v = 0;
    bool ok = n > 0 && n < sizeof(num);
    if (ok) {
        memcpy(num, val, n);
        num[n] = 0;
        ok = dx_uint_parse(num, kd->max, &v) == 0 && v >= kd->min;
    }
    if (!ok)
        return fail(p, p->line, "%s: bad value '%s' (a share such as 50%%, %llu..%llu)", kd->name,
                    val, (unsigned long long)kd->min, (unsigned long long)kd->max);
    *(uint32_t *)field(base, kd->off) = (uint32_t)v;
    return 0;
}

/* ---- generic key handling ---------------------------------------------- */

static int set_value(struct parser *p, const struct keydef *kd, void *base, const char *val)
{
    void *f = field(base, kd->off);
    uint64_t v;
    switch (kd->type) {
    case K_STRING: {
        char *s = strdup(val);
        if (!s)
            return nomem(p);
        *(char **)f = s;
        return 0;
    }
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
                if (push_str((char ***)f, (size_t *)field(base, kd->off_n), s))
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
        return fail(p, p->line, "%s: bad value '%s' (expected %s%s%s)", kd->name, val,
                    kd->enums[0], kd->enums[1] ? " or " : "", kd->enums[1] ? kd->enums[1] : "");
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

/* ---- sections ---------------------------------------------------------- */

static const struct keydef *section_table(enum section s)
{
    switch (s) {
    case SEC_SERVER: return server_keys;
    case SEC_LOADER: return loader_keys;
    case SEC_ZONE:   return zone_keys;
    case SEC_LIST:   return list_keys;
    default:         return NULL;
    }
}

static void *section_base(struct parser *p)
{
    switch (p->sec) {
    case SEC_SERVER:
    case SEC_LOADER: return p->c;
    case SEC_ZONE:   return &p->c->zones[p->cur];
    case SEC_LIST:   return &p->pl[p->cur].l;
    default:         return NULL;
    }
}

static int zone_wnames(struct parser *p, struct dx_zone_conf *z);

static int close_zone(struct parser *p, struct dx_zone_conf *z)
{
    int rc = apply_defaults(p, zone_keys, z, p->seen, z->line);
    if (rc)
        return rc;
    if (!z->soa.mname) {
        size_t n = strlen(z->name) + 16;
        z->soa.mname = malloc(n);
        z->soa.rname = malloc(n);
        if (!z->soa.mname || !z->soa.rname)
            return nomem(p);
        /* "ns." / "hostmaster." + a name of <= 253 may exceed 253: then the
         * operator must write soa explicitly */
        snprintf(z->soa.mname, n, "ns.%s", z->name);
        snprintf(z->soa.rname, n, "hostmaster.%s", z->name);
        if (strlen(z->soa.rname) > DX_NAME_TEXT_MAX || strlen(z->soa.mname) > DX_NAME_TEXT_MAX)
            return fail(p, z->line, "zone '%s': name too long for the default soa; set soa",
                        z->name);
        z->soa.refresh = 3600;
        z->soa.retry = 600;
        z->soa.expire = 604800;
        z->soa.minimum = 300;
    }
    if (z->n_ns == 0) {
        char *s = strdup(z->soa.mname);
        if (!s || push_str(&z->ns, &z->n_ns, s))
            return nomem(p);
    }
    z->has_allow_query = z->allow_query.n > 0;
    return zone_wnames(p, z);
}

/* Wire form of a (normalized) name and the labels it shares with z's name. */
static int make_wname(const char *text, const struct dx_zone_conf *z, struct dx_wname *out)
{
    char buf[DX_NAME_TEXT_MAX + 1];
    unsigned nl;
    if (norm_name(text, buf))
        return DX_EINVAL;
    size_t wl = dx_name_wire(buf, out->wire, &nl);
    out->len = (uint8_t)wl;
    size_t no[128], zo[128];
    unsigned nn = 0, zn = 0;
    for (size_t i = 0; out->wire[i] && nn < 128; i += (size_t)out->wire[i] + 1)
        no[nn++] = i;
    for (size_t i = 0; z->wire[i] && zn < 128; i += (size_t)z->wire[i] + 1)
        zo[zn++] = i;
    unsigned c = 0;
    while (c < nn && c < zn) {
        size_t a = no[nn - 1 - c], b = zo[zn - 1 - c];
        if (wl - a != z->wire_len - b || memcmp(out->wire + a, z->wire + b, wl - a) != 0)
            break;
        c++;
    }
    out->common = (uint8_t)c;
    out->prefix = (uint8_t)(c ? no[nn - c] : wl);
    return 0;
}

static int zone_wnames(struct parser *p, struct dx_zone_conf *z)
{
    z->ns_w = calloc(z->n_ns, sizeof(*z->ns_w));
    if (!z->ns_w)
        return nomem(p);
    int rc = make_wname(z->soa.mname, z, &z->soa_mname_w);
    if (!rc)
        rc = make_wname(z->soa.rname, z, &z->soa_rname_w);
    for (size_t i = 0; !rc && i < z->n_ns; i++)
        rc = make_wname(z->ns[i], z, &z->ns_w[i]);
    if (rc)
        return fail(p, z->line, "zone '%s': bad soa or ns name", z->name);
    return 0;
}

static int close_section(struct parser *p)
{
    int rc = 0;
    if (p->sec == SEC_ZONE)
        rc = close_zone(p, &p->c->zones[p->cur]);
    else if (p->sec == SEC_LIST)
        rc = apply_defaults(p, list_keys, &p->pl[p->cur].l, p->seen, p->pl[p->cur].l.line);
    p->sec = SEC_NONE;
    p->seen = 0;
    return rc;
}

static ssize_t find_zone(const struct dx_conf *c, const char *norm)
{
    for (size_t i = 0; i < c->n_zones; i++)
        if (strcmp(c->zones[i].name, norm) == 0)
            return (ssize_t)i;
    return -1;
}

static int open_section(struct parser *p, const char *kw, const char *arg)
{
    int rc = close_section(p);
    if (rc)
        return rc;
    if (strcasecmp(kw, "server") == 0 || strcasecmp(kw, "loader") == 0) {
        if (*arg)
            return fail(p, p->line, "section [%s] takes no name", kw);
        p->sec = strcasecmp(kw, "server") == 0 ? SEC_SERVER : SEC_LOADER;
        return 0;
    }
    if (strcasecmp(kw, "zone") == 0) {
        char name[DX_NAME_TEXT_MAX + 1];
        uint8_t wire[DX_NAME_TEXT_MAX + 2];
        unsigned labels;
        if (!*arg)
            return fail(p, p->line, "section [zone] needs a zone name: [zone NAME]");
        if (norm_name(arg, name))
            return fail(p, p->line, "bad zone name '%s'", arg);
        size_t wl = dx_name_wire(name, wire, &labels);
        ssize_t dup = find_zone(p->c, name);
        if (dup >= 0)
            return fail(p, p->line, "duplicate zone '%s' (first defined on line %d)", name,
                        p->c->zones[dup].line);
        struct dx_zone_conf *nz = realloc(p->c->zones, (p->c->n_zones + 1) * sizeof(*nz));
        if (!nz)
            return nomem(p);
        p->c->zones = nz;
        struct dx_zone_conf *z = &nz[p->c->n_zones];
        memset(z, 0, sizeof(*z));
        z->name = strdup(name);
        if (!z->name)
            return nomem(p);
        p->c->n_zones++;
        memcpy(z->wire, wire, wl);
        z->wire_len = wl;
        z->labels = labels;
        z->line = p->line;
        p->sec = SEC_ZONE;
        p->cur = p->c->n_zones - 1;
        return 0;
    }
    if (strcasecmp(kw, "list") == 0) {
        char zone[DX_NAME_TEXT_MAX + 1], list[DX_LABEL_MAX + 1];
        if (!*arg)
            return fail(p, p->line, "section [list] needs a target: [list ZONE/LIST]");
        if (split_target(arg, zone, list))
            return fail(p, p->line, "bad list target '%s' (expected ZONE/LIST)", arg);
        for (size_t i = 0; i < p->n_pl; i++)
            if (strcmp(p->pl[i].zone, zone) == 0 && strcmp(p->pl[i].l.name, list) == 0)
                return fail(p, p->line, "duplicate list '%s/%s' (first defined on line %d)",
                            zone, list, p->pl[i].l.line);
        struct pend_list *np = realloc(p->pl, (p->n_pl + 1) * sizeof(*np));
        if (!np)
            return nomem(p);
        p->pl = np;
        struct pend_list *e = &np[p->n_pl];
        memset(e, 0, sizeof(*e));
        size_t tn = strlen(zone) + 1 + strlen(list) + 1;
        e->zone = strdup(zone);
        e->l.name = strdup(list);
        e->l.target = malloc(tn);
        p->n_pl++;
        if (!e->zone || !e->l.name || !e->l.target)
            return nomem(p);
        snprintf(e->l.target, tn, "%s/%s", zone, list);
        e->l.line = p->line;
        p->sec = SEC_LIST;
        p->cur = p->n_pl - 1;
        return 0;
    }
    return fail(p, p->line, "unknown section [%s] (expected server, loader, zone NAME or list ZONE/LIST)",
                kw);
}

static const char *section_label(enum section s)
{
    switch (s) {
    case SEC_SERVER: return "[server]";
    case SEC_LOADER: return "[loader]";
    case SEC_ZONE:   return "[zone]";
    case SEC_LIST:   return "[list]";
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

static int handle_key(struct parser *p, const char *key, const char *val)
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
                   : p->sec == SEC_LOADER ? &p->loader_seen : &p->seen;
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

/* ---- end of file: resolve lists ---------------------------------------- */

static void free_list_fields(struct dx_list_conf *l)
{
    free(l->name);
    free(l->target);
    free(l->txt);
    free(l->backscatter);
}

/* Line of a list's code key, else of its header (the default code). */
static int code_line(const struct dx_list_conf *l)
{
    return l->code_line ? l->code_line : l->line;
}

/* What only a complete zone tells: its code prefix, the bitmask rules, and
 * the worst-case length of its TXT templates. */
static int check_zone(struct parser *p, struct dx_zone_conf *z)
{
    z->code_prefix = z->n_lists ? z->lists[0].code & 0xffffff00u : 0x7f000000u;
    if (z->answer == DX_ANSWER_BITMASK) {
        for (size_t i = 0; i < z->n_lists; i++) {
            const struct dx_list_conf *l = &z->lists[i];
            char a[DX_CODE_TEXT_MAX], b[DX_CODE_TEXT_MAX];
            dx_code_text(l->code, a);
            if ((l->code & 0xffffff00u) != z->code_prefix) {
                dx_code_text(z->lists[0].code, b);
                return fail(p, code_line(l),
                            "code: %s of list '%s' differs from %s of list '%s' (line %d) in "
                            "the first three octets: a bitmask zone answers one prefix",
                            a, l->name, b, z->lists[0].name, code_line(&z->lists[0]));
            }
            if ((l->code & 0xffu) == 0)
                return fail(p, code_line(l),
                            "code: %s of list '%s' sets no bit in its last octet "
                            "(bitmask zone '%s')", a, l->name, z->name);
            for (size_t j = 0; j < i; j++) {
                const struct dx_list_conf *o = &z->lists[j];
                if ((o->code & l->code & 0xffu) == 0)
                    continue;
                dx_code_text(o->code, b);
                return fail(p, code_line(l),
                            "code: %s of list '%s' shares bits with %s of list '%s' (line %d): "
                            "in a bitmask zone each list needs bits of its own",
                            a, l->name, b, o->name, code_line(o));
            }
        }
    }
    size_t subj = z->kind == DX_ZONE_DOMAIN ? DX_TXT_SUBJECT_DOMAIN_MAX : DX_TXT_SUBJECT_IP_MAX;
    size_t zl = strlen(z->name), longest = 0;
    char msg[256];
    for (size_t i = 0; i < z->n_lists; i++) {
        const struct dx_list_conf *l = &z->lists[i];
        size_t ll = strlen(l->name);
        if (ll > longest)
            longest = ll;
        if (l->txt && dx_txt_check(l->txt, subj, ll, zl, msg, sizeof(msg)))
            return fail(p, l->txt_line, "txt: %s", msg);
    }
    /* the zone's template serves every list without its own */
    if (z->txt && dx_txt_check(z->txt, subj, longest, zl, msg, sizeof(msg)))
        return fail(p, z->txt_line, "txt: %s", msg);
    return 0;
}

static int finish(struct parser *p)
{
    int rc = close_section(p);
    if (rc)
        return rc;
    rc = apply_defaults(p, server_keys, p->c, p->server_seen, 0);
    if (!rc)
        rc = apply_defaults(p, loader_keys, p->c, p->loader_seen, 0);
    if (rc)
        return rc;
    struct dx_conf *c = p->c;
    /* every list's zone exists; every backscatter target exists */
    for (size_t i = 0; i < p->n_pl; i++) {
        if (find_zone(c, p->pl[i].zone) < 0)
            return fail(p, p->pl[i].l.line, "list '%s': zone '%s' is not defined (no [zone %s])",
                        p->pl[i].l.target, p->pl[i].zone, p->pl[i].zone);
    }
    for (size_t i = 0; i < p->n_pl; i++) {
        const char *bs = p->pl[i].l.backscatter;
        if (!bs)
            continue;
        size_t j;
        for (j = 0; j < p->n_pl; j++)
            if (strcmp(p->pl[j].l.target, bs) == 0)
                break;
        if (j == p->n_pl)
            return fail(p, p->pl[i].backscatter_line, "backscatter: unknown list '%s' (no [list %s])",
                        bs, bs);
    }
    /* attach lists to zones, in file order */
    for (size_t zi = 0; zi < c->n_zones; zi++) {
        struct dx_zone_conf *z = &c->zones[zi];
        size_t n = 0;
        for (size_t i = 0; i < p->n_pl; i++)
            n += p->pl[i].zone && strcmp(p->pl[i].zone, z->name) == 0;
        if (n == 0)
            continue;
        z->lists = calloc(n, sizeof(*z->lists));
        if (!z->lists)
            return nomem(p);
        for (size_t i = 0; i < p->n_pl; i++) {
            if (!p->pl[i].zone || strcmp(p->pl[i].zone, z->name) != 0)
                continue;
            z->lists[z->n_lists] = p->pl[i].l;
            z->lists[z->n_lists].zone = z;
            z->n_lists++;
            memset(&p->pl[i].l, 0, sizeof(p->pl[i].l));   /* moved */
            free(p->pl[i].zone);
            p->pl[i].zone = NULL;
        }
    }
    /* a never-list-zone that names no zone would protect nothing */
    for (size_t i = 0; i < c->loader.n_never_list_zones; i++) {
        const char *nz = c->loader.never_list_zones[i];
        if (find_zone(c, nz) < 0)
            return fail(p, p->nlz_line[i],
                        "never-list-zone: '%s' is not a configured zone (no [zone %s]): "
                        "nothing would be protected", nz, nz);
    }
    for (size_t zi = 0; zi < c->n_zones; zi++) {
        rc = check_zone(p, &c->zones[zi]);
        if (rc)
            return rc;
    }
    return 0;
}

static void free_pending(struct parser *p)
{
    for (size_t i = 0; i < p->n_pl; i++) {
        free_list_fields(&p->pl[i].l);
        free(p->pl[i].zone);
    }
    free(p->pl);
    p->pl = NULL;
    p->n_pl = 0;
    free(p->la);
    p->la = NULL;
    free(p->nlz_line);
    p->nlz_line = NULL;
}

/* Absolute directory of path. */
static char *dir_of(const char *path, int *err)
{
    char *d = strdup(path);
    if (!d) {
        *err = DX_ENOMEM;
        return NULL;
    }
    char *slash = strrchr(d, '/');
    if (!slash) {
        free(d);
        d = strdup(".");
    } else if (slash == d) {
        d[1] = 0;
    } else {
        *slash = 0;
    }
    if (!d) {
        *err = DX_ENOMEM;
        return NULL;
    }
    char *abs = realpath(d, NULL);
    free(d);
    if (!abs)
        *err = -errno;
    return abs;
}

/* ---- public API -------------------------------------------------------- */

const char *dx_conf_default_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("DNSXL_CONF");
    if (env && *env)
        return env;
    return DEFAULT_PATH;
}

int dx_conf_load(const char *path, struct dx_conf **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (!path || !*path) {
        if (errlen)
            snprintf(err, errlen, "(no config file): empty path");
        return DX_EINVAL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    struct parser p = { .file = path, .err = err, .errlen = errlen };
    int rc = 0;
    p.c = calloc(1, sizeof(*p.c));
    if (!p.c) {
        fclose(f);
        return nomem(&p);
    }
    p.c->path = strdup(path);
    if (!p.c->path) {
        rc = nomem(&p);
        goto done;
    }
    p.c->dir = dir_of(path, &rc);
    if (!p.c->dir) {
        if (rc == DX_ENOMEM)
            nomem(&p);
        else if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        goto done;
    }

    struct dx_ini r;
    dx_ini_open(&r, f);
    for (;;) {
        char *a, *b;
        enum dx_ini_kind k = dx_ini_next(&r, &a, &b);
        p.line = r.line;
        if (k == DX_INI_EOF)
            break;
        if (k == DX_INI_ERROR) {
            if (r.err) {
                if (errlen)
                    snprintf(err, errlen, "%s: %s", path, a);
                rc = r.err;
            } else {
                rc = fail(&p, p.line, "%s", a);
            }
            break;
        }
        rc = k == DX_INI_SECTION ? open_section(&p, a, b) : handle_key(&p, a, b);
        if (rc)
            break;
    }
    dx_ini_close(&r);
    if (!rc)
        rc = finish(&p);
done:
    fclose(f);
    free_pending(&p);
    if (rc) {
        dx_conf_free(p.c);
        return rc;
    }
    *out = p.c;
    return 0;
}

static void free_strs(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

void dx_conf_free(struct dx_conf *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->dir);
    free_strs(c->server.listen, c->server.n_listen);
    free(c->server.database);
    free(c->loader.trusted_relays.nets);
    free(c->loader.protected_nets.nets);
    free_strs(c->loader.never_list_zones, c->loader.n_never_list_zones);
    for (size_t i = 0; i < c->n_zones; i++) {
        struct dx_zone_conf *z = &c->zones[i];
        free(z->name);
        free(z->soa.mname);
        free(z->soa.rname);
        free_strs(z->ns, z->n_ns);
        free(z->ns_w);
        free(z->txt);
        free(z->allow_query.nets);
        for (size_t j = 0; j < z->n_lists; j++)
            free_list_fields(&z->lists[j]);
        free(z->lists);
    }
    free(c->zones);
    free(c);
}

/* Compare a user-written zone name (any case, optional trailing dot). */
static bool zone_name_eq(const char *norm, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '.')
        n--;
    return strlen(norm) == n && strncasecmp(norm, s, n) == 0;
}

static struct dx_zone_conf *zone_n(const struct dx_conf *conf, const char *name, size_t n)
{
    if (!conf || !name)
        return NULL;
    for (size_t i = 0; i < conf->n_zones; i++)
        if (zone_name_eq(conf->zones[i].name, name, n))
            return &conf->zones[i];
    return NULL;
}

struct dx_zone_conf *dx_conf_zone(const struct dx_conf *conf, const char *name)
{
    return name ? zone_n(conf, name, strlen(name)) : NULL;
}

struct dx_list_conf *dx_conf_list(const struct dx_zone_conf *zone, const char *name)
{
    if (!zone || !name)
        return NULL;
    for (size_t i = 0; i < zone->n_lists; i++)
        if (strcasecmp(zone->lists[i].name, name) == 0)
            return &zone->lists[i];
    return NULL;
}

int dx_conf_target(const struct dx_conf *conf, const char *target, bool allow_zone,
                   struct dx_zone_conf **zone, struct dx_list_conf **list,
                   char *err, size_t errlen)
{
    if (zone)
        *zone = NULL;
    if (list)
        *list = NULL;
    if (!target || !*target) {
        if (errlen)
            snprintf(err, errlen, "%s", allow_zone ? "ZONE or ZONE/LIST required"
                                                   : "ZONE/LIST required");
        return DX_EINVAL;
    }
    const char *slash = strchr(target, '/');
    if (!slash && !allow_zone) {
        if (errlen)
            snprintf(err, errlen, "ZONE/LIST required, not '%s'", target);
        return DX_EINVAL;
    }
    size_t zl = slash ? (size_t)(slash - target) : strlen(target);
    if (zl == 0 || (slash && (slash[1] == 0 || strchr(slash + 1, '/')))) {
        if (errlen)
            snprintf(err, errlen, "bad target '%s' (expected ZONE/LIST%s)", target,
                     allow_zone ? " or ZONE" : "");
        return DX_EINVAL;
    }
    struct dx_zone_conf *z = zone_n(conf, target, zl);
    if (!z) {
        if (errlen)
            snprintf(err, errlen, "unknown zone '%.*s'", (int)zl, target);
        return DX_ENOTFOUND;
    }
    struct dx_list_conf *l = NULL;
    if (slash) {
        l = dx_conf_list(z, slash + 1);
        if (!l) {
            if (errlen)
                snprintf(err, errlen, "unknown list '%s' in zone '%s'", slash + 1, z->name);
            return DX_ENOTFOUND;
        }
    }
    if (zone)
        *zone = z;
    if (list)
        *list = l;
    return 0;
}

bool dx_acl_match(const struct dx_acl *acl, const struct dx_key *k)
{
    if (!acl || !k)
        return false;
    for (size_t i = 0; i < acl->n; i++)
        if (dx_key_contains(&acl->nets[i], k))
            return true;
    return false;
}

int dx_conf_check_code(const struct dx_zone_conf *z, uint32_t code, char *err, size_t errlen)
{
    char a[DX_CODE_TEXT_MAX];
    dx_code_text(code, a);
    const char *why = dx_code_reserved(code);
    if (why) {
        if (errlen)
            snprintf(err, errlen, "code %s %s", a, why);
        return DX_EINVAL;
    }
    if (z && z->answer == DX_ANSWER_BITMASK) {
        if ((code & 0xffffff00u) != z->code_prefix) {
            char pf[DX_CODE_TEXT_MAX];
            *strrchr(dx_code_text(z->code_prefix, pf), '.') = 0;     /* the first three octets */
            if (errlen)
                snprintf(err, errlen, "code %s does not share %s with the list codes of "
                         "bitmask zone '%s'", a, pf, z->name);
            return DX_EINVAL;
        }
        if ((code & 0xffu) == 0) {
            if (errlen)
                snprintf(err, errlen, "code %s sets no bit in its last octet (bitmask zone '%s')",
                         a, z->name);
            return DX_EINVAL;
        }
    }
    return 0;
}

int dx_conf_check_txt(const struct dx_list_conf *l, const char *txt, char *err, size_t errlen)
{
    if (!l || !l->zone) {
        if (errlen)
            snprintf(err, errlen, "no list to check the TXT for");
        return DX_EINVAL;
    }
    const struct dx_zone_conf *z = l->zone;
    size_t subj = z->kind == DX_ZONE_DOMAIN ? DX_TXT_SUBJECT_DOMAIN_MAX : DX_TXT_SUBJECT_IP_MAX;
    return dx_txt_check(txt, subj, strlen(l->name), strlen(z->name), err, errlen);
}
