/* The config file parser (zones/conf.h, man/dnsxl.conf.5): the load
 * driver, the sections, the end of the file and the public API. The keys,
 * their setters and defaults: zones/conf_keys.c.
 *
 * Lists may name a zone defined later in the file: they are collected
 * apart and attached to their zones at the end, when every zone is known.
 */
#include "zones/conf_int.h"

#include "zones/code.h"
#include "zones/err.h"
#include "zones/ini.h"
#include "zones/key.h"
#include "zones/name.h"
#include "zones/qkeys.h"
#include "zones/txt.h"
#include "zones/window.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "/etc/dnsxl/dnsxl.conf"

/* ---- sections ---------------------------------------------------------- */

static int zone_wnames(struct parser *p, struct dx_zone_conf *z);

static int close_zone(struct parser *p, struct dx_zone_conf *z)
{
    int rc = dx__conf_defaults(p, SEC_ZONE, z, p->seen, z->line);
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
        if (!s || dx__conf_push(&z->ns, &z->n_ns, s))
            return nomem(p);
    }
    z->has_allow_query = z->allow_query.n > 0;
    z->has_policy = z->blocked_clients.n > 0 || z->query_limit > 0 || z->query_keys;
    return zone_wnames(p, z);
}

/* Wire form of a (normalized) name and the labels it shares with z's name. */
static int make_wname(const char *text, const struct dx_zone_conf *z, struct dx_wname *out)
{
    char buf[DX_NAME_TEXT_MAX + 1];
    unsigned nl;
    if (dx__conf_name(text, buf))
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
        rc = dx__conf_defaults(p, SEC_LIST, &p->pl[p->cur].l, p->seen,
                               p->pl[p->cur].l.line);
    else if (p->sec == SEC_KEY) {
        struct dx_key_conf *k = &p->c->keys[p->cur];
        rc = dx__conf_defaults(p, SEC_KEY, k, p->seen, k->line);
        if (!rc)
            rc = dx__conf_key_close(p, k);
    }
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
    if (strcasecmp(kw, "server") == 0 || strcasecmp(kw, "loader") == 0 ||
        strcasecmp(kw, "web") == 0 || strcasecmp(kw, "check") == 0) {
        if (*arg)
            return fail(p, p->line, "section [%s] takes no name", kw);
        p->sec = strcasecmp(kw, "server") == 0 ? SEC_SERVER
               : strcasecmp(kw, "loader") == 0 ? SEC_LOADER
               : strcasecmp(kw, "web") == 0 ? SEC_WEB : SEC_CHECK;
        return 0;
    }
    if (strcasecmp(kw, "zone") == 0) {
        char name[DX_NAME_TEXT_MAX + 1];
        uint8_t wire[DX_NAME_TEXT_MAX + 2];
        unsigned labels;
        if (!*arg)
            return fail(p, p->line, "section [zone] needs a zone name: [zone NAME]");
        if (dx__conf_name(arg, name))
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
    if (strcasecmp(kw, "key") == 0)
        return dx__conf_key_open(p, arg);
    if (strcasecmp(kw, "list") == 0) {
        char zone[DX_NAME_TEXT_MAX + 1], list[DX_LABEL_MAX + 1];
        if (!*arg)
            return fail(p, p->line, "section [list] needs a target: [list ZONE/LIST]");
        if (dx__conf_target(arg, zone, list))
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
    return fail(p, p->line, "unknown section [%s] (expected server, loader, web, check, zone NAME, list ZONE/LIST or key NAME)",
                kw);
}

/* ---- end of file: resolve lists ---------------------------------------- */

static void free_list_fields(struct dx_list_conf *l)
{
    free(l->name);
    free(l->target);
    free(l->txt);
    free(l->backscatter);
    free(l->description);
}

/* Line of a list's code key, else of its header (the default code). */
static int code_line(const struct dx_list_conf *l)
{
    return l->code_line ? l->code_line : l->line;
}

static int by_name(const void *a, const void *b)
{
    const struct dx_list_conf *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* What only a complete zone tells: its lists by name, its code prefix, the
 * bitmask rules, and the worst-case length of its TXT templates. */
static int check_zone(struct parser *p, struct dx_zone_conf *z)
{
    if (z->n_lists) {
        z->lists_by_name = malloc(z->n_lists * sizeof(*z->lists_by_name));
        if (!z->lists_by_name)
            return nomem(p);
        for (size_t i = 0; i < z->n_lists; i++)
            z->lists_by_name[i] = &z->lists[i];
        qsort(z->lists_by_name, z->n_lists, sizeof(*z->lists_by_name), by_name);
    }
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
        int rc = dx__conf_policy_bits(p, z);
        if (rc)
            return rc;
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
    rc = dx__conf_defaults(p, SEC_SERVER, p->c, p->server_seen, 0);
    if (!rc)
        rc = dx__conf_defaults(p, SEC_LOADER, p->c, p->loader_seen, 0);
    if (!rc)
        rc = dx__conf_defaults(p, SEC_WEB, p->c, p->web_seen, 0);
    if (!rc)
        rc = dx__conf_defaults(p, SEC_CHECK, p->c, p->check_seen, 0);
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
    return dx__conf_xfr_finish(p);
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
        rc = k == DX_INI_SECTION ? open_section(&p, a, b) : dx__conf_key(&p, a, b);
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
    free(c->server.rate_limit_exempt.nets);
    free(c->server.cookie_secret);
    free(c->server.user);
    free(c->server.identity);
    free(c->server.version);
    free(c->server.metrics);
    free(c->server.dnstap);
    free(c->stats);
    free(c->loader.trusted_relays.nets);
    free(c->loader.protected_nets.nets);
    free_strs(c->loader.never_list_zones, c->loader.n_never_list_zones);
    free(c->web.listen);
    free(c->web.title);
    free(c->web.contact);
    free(c->web.trusted_proxy.nets);
    free(c->web.secret);
    free(c->check.addresses.nets);
    free(c->check.lists);
    free(c->check.server);
    for (size_t i = 0; i < c->n_zones; i++) {
        struct dx_zone_conf *z = &c->zones[i];
        free(z->name);
        free(z->soa.mname);
        free(z->soa.rname);
        free_strs(z->ns, z->n_ns);
        free(z->ns_w);
        free(z->txt);
        free(z->allow_query.nets);
        free(z->blocked_clients.nets);
        free(z->blocked_txt);
        free(z->limit_txt);
        free(z->query_keys);
        dx_qkeys_free(z->qkeys);
        dx_sketch_release(z->limit_sketch);
        for (size_t j = 0; j < z->n_lists; j++)
            free_list_fields(&z->lists[j]);
        free(z->lists);
        free(z->lists_by_name);
    }
    dx__conf_xfr_free(c);
    free(c->zones);
    sodium_memzero(&c->server.cookie, sizeof(c->server.cookie));   /* no secret left in free memory */
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
