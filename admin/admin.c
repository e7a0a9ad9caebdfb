/* dnsxl-admin: the operator's command line (dnsxl-admin(8)).
 *
 *   dnsxl-admin [-c CONF] COMMAND ARGS...
 *
 * A command table maps names to handlers; each handler parses its own
 * options with getopt_long, uses the store API and prints through
 * admin/print.c. Handlers return an exit status of zones/cli.h (0 done, 1
 * bad usage or input or refused, 2 store or system error); the store,
 * config and any open transaction are released on one path in main().
 *
 * Keys are parsed strictly (a CIDR with host bits set is refused with the
 * network it may mean), entries wider than [loader] shortest-prefix /
 * shortest-prefix6 need --force, reasons and own TXT/codes pass the checks
 * of zones/txt.h and zones/conf.h, and every text from the store is printed
 * with its control bytes escaped (dx_print_safe).
 */
#include "admin/check.h"
#include "admin/print.h"
#include "admin/requests.h"
#include "admin/stats.h"

#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/code.h"
#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/export.h"
#include "zones/key.h"
#include "zones/listkind.h"
#include "zones/removal.h"
#include "zones/store.h"
#include "zones/txt.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "dnsxl-admin"


struct ctx {
    const char *conf_opt;        /* -c, or NULL */
    struct dx_conf *conf;
    struct dx_store *st;
    struct dx_txn *txn;          /* open transaction, aborted on the cleanup path */
    uint64_t now;
};

static const struct dx_cli_cmd *find_cmd(const char *name);

/* ---- setup (zones/cli.h) -------------------------------------------------- */

/* Config, then the store, for a command that reads (a command that writes
 * opens it with write = true: it may create the store). */
static int setup(struct ctx *c)
{
    int ex = dx_cli_conf(c->conf_opt, &c->conf);
    if (ex == DX_EX_OK)
        ex = dx_cli_store(c->conf, false, &c->st);
    return ex;
}

static int target(struct ctx *c, const char *text, bool allow_zone, struct dx_zone_conf **z,
                  struct dx_list_conf **l)
{
    char err[256];
    int rc = dx_conf_target(c->conf, text, allow_zone, z, l, err, sizeof(err));
    if (rc) {
        dx_cli_err("%s", err[0] ? err : dx_strerror(rc));
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

/* The message for a KEY argument that dx_key_parse refused with rc. */
static int bad_key(const char *text, int rc, const struct dx_key *k, const char *expect)
{
    if (rc == DX_ERANGE) {
        char msg[DX_KEY_TEXT_MAX * 2 + 64];
        dx_key_hostbits_msg(text, k, msg, sizeof(msg));
        dx_cli_err("%s", msg);
    } else {
        dx_cli_err("bad key '%s' (%s)", text, expect);
    }
    return DX_EX_USAGE;
}

static int parse_key_for(const char *text, const struct dx_zone_conf *z, struct dx_key *k)
{
    bool ip = z->kind == DX_ZONE_IP;
    int rc = dx_key_parse_for(text, ip, k);
    if (rc == DX_ERANGE)
        return bad_key(text, rc, k, NULL);
    if (rc != 0) {
        dx_cli_err("bad key '%s' for zone %s (kind %s: %s)", text, z->name, ip ? "ip" : "domain",
                   ip ? "an address or CIDR" : "a name or *.name");
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

static void fmt_key(const struct dx_key *k, char *buf, size_t cap)
{
    dx_key_format(k, buf, cap);
}

/* Is k wider than [loader] shortest-prefix / shortest-prefix6 allows without --force? */
static int check_width(const struct ctx *c, const struct dx_key *k, bool force)
{
    const struct dx_conf *conf = c->conf;
    if (force || !dx_key_too_wide(k, conf->loader.shortest_prefix, conf->loader.shortest_prefix6))
        return DX_EX_OK;
    char kt[DX_KEY_TEXT_MAX];
    fmt_key(k, kt, sizeof(kt));
    bool v4 = k->family == DX_FAM_V4;
    dx_cli_err("%s is wider than /%u (shortest-prefix%s in [loader]); --force lists it", kt,
               v4 ? conf->loader.shortest_prefix : conf->loader.shortest_prefix6, v4 ? "" : "6");
    return DX_EX_USAGE;
}

/* --reason TEXT: no control character, at most DX_REASON_MAX octets. */
static int check_reason(const char *reason)
{
    char why[200];
    if (dx_txt_check_reason(reason, why, sizeof(why))) {
        dx_cli_err("bad --reason: %s", why);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

/* ---- usage and option parsing ------------------------------------------ */

static const struct dx_cli_cmd cmds[];

/* Options every command accepts besides its own. */
enum { OPT_JSON = 1000, OPT_LIFETIME, OPT_REASON, OPT_CODE, OPT_TXT, OPT_EXCLUDE, OPT_HOLD,
       OPT_FORCE, OPT_FORMAT, OPT_SORT };

struct opts {
    bool json, exclude, help, force;
    const char *lifetime, *reason, *code, *txt, *hold, *format, *output, *sort;
    int nargs;
    char **args;
};

/* Parse argv (argv[0] = the command name) with the options allowed in
 * `allowed` (a list of OPT_* ending with 0). Returns DX_EX_OK or DX_EX_USAGE
 * (message printed). Positional arguments end up in o->args. */
static int parse_opts(struct ctx *c, const struct dx_cli_cmd *m, int argc, char **argv,
                      const int *allowed, int min_args, int max_args, struct opts *o)
{
    static const struct option all[] = {
        { "json",     no_argument,       NULL, OPT_JSON },
        { "lifetime", required_argument, NULL, OPT_LIFETIME },
        { "reason",   required_argument, NULL, OPT_REASON },
        { "code",     required_argument, NULL, OPT_CODE },
        { "txt",      required_argument, NULL, OPT_TXT },
        { "exclude",  no_argument,       NULL, OPT_EXCLUDE },
        { "hold",     required_argument, NULL, OPT_HOLD },
        { "force",    no_argument,       NULL, OPT_FORCE },
        { "format",   required_argument, NULL, OPT_FORMAT },
        { "output",   required_argument, NULL, 'o' },
        { "sort",     required_argument, NULL, OPT_SORT },
        { "config",   required_argument, NULL, 'c' },
        { "help",     no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof(*o));
    optind = 0;                  /* GNU: full re-initialisation */
    opterr = 0;
    for (;;) {
        int li = -1;
        int ch = getopt_long(argc, argv, "c:ho:", all, &li);
        if (ch == -1)
            break;
        bool ok = ch == 'c' || ch == 'h';
        for (const int *a = allowed; *a && !ok; a++)
            ok = *a == ch;
        if (ch == '?' || ch == ':') {
            if (optopt > 0 && optopt < 128)
                dx_cli_err("%s: unknown option or missing argument: -%c", m->name, optopt);
            else
                dx_cli_err("%s: unknown option or missing argument: %s", m->name, argv[optind - 1]);
            return dx_cli_cmd_usage(m, true);
        }
        if (!ok) {
            dx_cli_err("%s: --%s is not an option of this command", m->name,
                       li >= 0 ? all[li].name : "?");
            return dx_cli_cmd_usage(m, true);
        }
        switch (ch) {
        case 'c':          c->conf_opt = optarg; break;
        case 'h':          o->help = true; break;
        case OPT_JSON:     o->json = true; break;
        case OPT_SORT:     o->sort = optarg; break;
        case OPT_LIFETIME: o->lifetime = optarg; break;
        case OPT_REASON:   o->reason = optarg; break;
        case OPT_CODE:     o->code = optarg; break;
        case OPT_TXT:      o->txt = optarg; break;
        case OPT_EXCLUDE:  o->exclude = true; break;
        case OPT_HOLD:     o->hold = optarg; break;
        case OPT_FORCE:    o->force = true; break;
        case OPT_FORMAT:   o->format = optarg; break;
        case 'o':          o->output = optarg; break;
        }
    }
    if (o->help)
        return dx_cli_cmd_usage(m, false), -1;
    o->nargs = argc - optind;
    o->args = argv + optind;
    if (o->nargs < min_args || o->nargs > max_args) {
        dx_cli_err("%s: %s arguments", m->name, o->nargs < min_args ? "missing" : "too many");
        return dx_cli_cmd_usage(m, true);
    }
    return DX_EX_OK;
}

static int parse_dur(const char *opt, const char *text, uint64_t *secs)
{
    if (dx_dur_parse_lifetime(text, secs)) {
        dx_cli_err("bad %s '%s' (" DX_DUR_FORMS ")", opt, text);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

static uint64_t until_of(uint64_t now, uint64_t dur)
{
    if (dur == DX_FOREVER || now + dur < now)
        return 0;
    return now + dur;
}

/* ---- zones -------------------------------------------------------------- */

static int cmd_zones(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_JSON, 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("zones"), argc, argv, allowed, 0, 0, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if ((ex = setup(c)) || (ex = dx_cli_begin(c->st, false, c->now, &c->txn)))
        return ex;

    struct dx_json j;
    dx_json_init(&j, stdout);
    if (o.json)
        dx_json_arr_begin(&j, NULL);
    for (size_t zi = 0; zi < c->conf->n_zones; zi++) {
        const struct dx_zone_conf *z = &c->conf->zones[zi];
        uint32_t serial = 0;
        int rc = dx_zone_serial(c->txn, z->name, &serial);
        bool has_serial = rc == 0;
        if (rc && rc != DX_ENOTFOUND)
            return dx_cli_store_err(NULL, z->name, rc);
        size_t total = 0;
        if ((rc = dx_entry_count(c->txn, z->name, NULL, &total)))
            return dx_cli_store_err(NULL, z->name, rc);
        const char *kind = z->kind == DX_ZONE_IP ? "ip" : "domain";
        char sbuf[16];
        snprintf(sbuf, sizeof(sbuf), "%u", serial);
        if (o.json) {
            dx_json_obj_begin(&j, NULL);
            dx_json_str(&j, "zone", z->name);
            dx_json_str(&j, "kind", kind);
            if (has_serial)
                dx_json_u64(&j, "serial", serial);
            else
                dx_json_null(&j, "serial");
            dx_json_u64(&j, "entries", total);
            dx_json_arr_begin(&j, "lists");
        } else {
            printf("%s  kind %s  serial %s  entries %zu\n", z->name, kind,
                   has_serial ? sbuf : "-", total);
        }
        /* each list's entries and kind (one scan), then widths for the rows */
        struct dx_list_census cens[z->n_lists ? z->n_lists : 1];
        for (size_t li = 0; li < z->n_lists; li++)
            if ((rc = dx_list_census(c->txn, z->name, z->lists[li].name, &cens[li])))
                return dx_cli_store_err(NULL, z->lists[li].target, rc);
        int w[5] = { 0, 0, 0, 0, 0 };
        for (int pass = 0; pass < 2; pass++) {
            for (size_t li = 0; li < z->n_lists; li++) {
                const struct dx_list_conf *l = &z->lists[li];
                const struct dx_list_census cen = cens[li];
                size_t n = cen.entries;
                char code[DX_CODE_TEXT_MAX], life[32], cnt[32], lifetxt[48], codetxt[24];
                char kindtxt[24];
                snprintf(kindtxt, sizeof(kindtxt), "kind %s", dx_list_kind(&cen));
                dx_code_text(l->code, code);
                dx_dur_format(l->lifetime, life, sizeof(life));
                snprintf(cnt, sizeof(cnt), "entries %zu", n);
                snprintf(lifetxt, sizeof(lifetxt), "lifetime %s", life);
                snprintf(codetxt, sizeof(codetxt), "code %s", code);
                if (o.json) {
                    if (pass == 0)
                        continue;
                    dx_json_obj_begin(&j, NULL);
                    dx_json_str(&j, "list", l->name);
                    dx_json_str(&j, "target", l->target);
                    dx_json_str(&j, "code", code);
                    dx_json_str(&j, "lifetime", life);
                    if (l->lifetime == DX_FOREVER)
                        dx_json_null(&j, "lifetime_seconds");
                    else
                        dx_json_u64(&j, "lifetime_seconds", l->lifetime);
                    dx_json_u64(&j, "entries", n);
                    dx_json_str(&j, "kind", dx_list_kind(&cen));
                    dx_json_obj_end(&j);
                    continue;
                }
                const char *cols[5] = { l->name, codetxt, lifetxt, cnt, kindtxt };
                if (pass == 0) {
                    dx_print_widen(cols, w, 5);
                } else {
                    fputs("  ", stdout);
                    dx_print_row(stdout, cols, w, 5);
                }
            }
        }
        if (o.json) {
            dx_json_arr_end(&j);
            dx_json_obj_end(&j);
        }
    }
    if (o.json)
        dx_json_arr_end(&j);
    return DX_EX_OK;
}

/* ---- add ---------------------------------------------------------------- */

static int cmd_add(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_LIFETIME, OPT_REASON, OPT_CODE, OPT_TXT, OPT_EXCLUDE,
                                   OPT_FORCE, 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("add"), argc, argv, allowed, 2, 2, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    uint64_t lifetime = 0;
    if (o.lifetime && (ex = parse_dur("--lifetime", o.lifetime, &lifetime)))
        return ex;
    uint32_t code = 0;
    if (o.code && dx_code_parse(o.code, 0, &code)) {
        dx_cli_err("bad --code '%s' (an IPv4 address in 127.0.0.0/8)", o.code);
        return DX_EX_USAGE;
    }
    if ((ex = check_reason(o.reason)) || (ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    struct dx_key k;
    if ((ex = target(c, o.args[0], false, &z, &l)) || (ex = parse_key_for(o.args[1], z, &k)))
        return ex;
    /* own values obey the rules the config's obey (reserved codes, bitmask
     * zones; TXT: no control character, known variables, DX_TXT_MAX) */
    char why[300];
    if (o.code && dx_conf_check_code(z, code, why, sizeof(why))) {
        if (!dx_code_in_range(code) || !o.force) {
            dx_cli_err("bad --code: %s%s", why, dx_code_in_range(code) ? "; --force uses it anyway"
                                                                  " (to see how clients treat it)"
                                                                : "");
            return DX_EX_USAGE;
        }
    }
    if (o.txt && dx_conf_check_txt(l, o.txt, why, sizeof(why))) {
        dx_cli_err("bad --txt: %s", why);
        return DX_EX_USAGE;
    }
    char kt[DX_KEY_TEXT_MAX];
    fmt_key(&k, kt, sizeof(kt));
    if (!o.exclude && k.family == DX_FAM_V4 && dx_key_is_localhost(&k)) {
        dx_cli_err("refusing to list %s: 127.0.0.1 must never be listed (RFC 5782 test point)", kt);
        return DX_EX_USAGE;
    }
    if (!o.exclude && k.family == DX_FAM_DOMAIN && k.plen == 0 &&
        strcmp((const char *)k.addr, "invalid") == 0) {
        dx_cli_err("refusing to list %s: INVALID must never be listed (RFC 5782 test point)", kt);
        return DX_EX_USAGE;
    }
    if ((ex = check_width(c, &k, o.force)))
        return ex;
    if (!o.lifetime)
        lifetime = l->lifetime;
    if ((ex = dx_cli_store(c->conf, true, &c->st)) ||
        (ex = dx_cli_begin(c->st, true, c->now, &c->txn)))
        return ex;

    uint64_t expires = until_of(c->now, lifetime);
    struct dx_entry e = {
        .flags = o.exclude ? DX_ENTRY_EXCLUDE : 0, .code = code, .first_seen = c->now,
        .last_seen = c->now, .expires_at = expires, .hits = 1, .source = "admin",
        .reason = o.reason, .txt = o.txt,
    };
    struct dx_entry old;
    int action = DX_HIST_LIST;
    int rc = dx_entry_get(c->txn, z->name, l->name, &k, &old);
    /* options not given keep the old entry's reason, own code and own TXT
     * (copied: map pointers die at the next write) */
    char *keep_reason = NULL, *keep_txt = NULL;
    if (rc == 0) {
        e.first_seen = old.first_seen;
        e.hits = old.hits < UINT32_MAX ? old.hits + 1 : old.hits;
        e.relists = old.relists;
        action = DX_HIST_UPDATE;
        if (!o.code)
            e.code = old.code;
        if (!o.reason && old.reason && !(e.reason = keep_reason = strdup(old.reason)))
            rc = DX_ENOMEM;
        if (!o.txt && old.txt && !(e.txt = keep_txt = strdup(old.txt)))
            rc = DX_ENOMEM;
        if (rc) {
            free(keep_reason);
            free(keep_txt);
            return dx_cli_store_err(NULL, "add", rc);
        }
    } else if (rc != DX_ENOTFOUND) {
        return dx_cli_store_err(NULL, l->target, rc);
    }
    rc = dx_entry_put(c->txn, z->name, l->name, &k, &e);
    if (rc == 0) {
        struct dx_hist h = { .at = c->now, .action = (uint8_t)action, .zone = z->name,
                             .list = l->name, .source = "admin", .reason = e.reason,
                             .expires_at = expires };
        rc = dx_history_add(c->txn, &k, &h);
    }
    free(keep_reason);
    free(keep_txt);
    if (rc)
        return dx_cli_store_err(NULL, l->target, rc);
    /* the operator's word ends a hold on this key (no dx_hold_del in the
     * store API: a hold that ended at 0 is an ended hold) */
    uint64_t until = 0;
    bool held = false;
    rc = dx_hold_get(c->txn, z->name, l->name, &k, &until);
    if (rc == 0 && until > c->now) {
        held = true;
        if ((rc = dx_hold_put(c->txn, z->name, l->name, &k, 0)))
            return dx_cli_store_err(NULL, "hold", rc);
    } else if (rc && rc != DX_ENOTFOUND) {
        return dx_cli_store_err(NULL, "hold", rc);
    }
    if ((ex = dx_cli_commit(c->st, &c->txn)))
        return ex;
    char tb[32];
    dx_print_expiry(expires, tb, sizeof(tb));
    char notes[64] = "";
    snprintf(notes, sizeof(notes), "%s%s%s", o.exclude ? ", exclusion" : "",
             action == DX_HIST_UPDATE ? ", updated" : "", held ? ", hold cleared" : "");
    printf("listed %s in %s until %s", kt, l->target, expires ? tb : "forever");
    if (notes[0])
        printf(" (%s)", notes + 2);
    putchar('\n');
    return DX_EX_OK;
}

/* ---- delist ------------------------------------------------------------- */

/* A key that stays listed in list li after a delist: by which entry. */
struct cover {
    const struct dx_list_conf *l;
    struct dx_key by;
};

static int cmd_delist(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_HOLD, OPT_REASON, 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("delist"), argc, argv, allowed, 2, 2, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    uint64_t hold = 0;
    if (o.hold && (ex = parse_dur("--hold", o.hold, &hold)))
        return ex;
    if ((ex = check_reason(o.reason)) || (ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    struct dx_key k;
    if ((ex = target(c, o.args[0], true, &z, &l)) || (ex = parse_key_for(o.args[1], z, &k)))
        return ex;
    char kt[DX_KEY_TEXT_MAX];
    fmt_key(&k, kt, sizeof(kt));
    if ((ex = dx_cli_store(c->conf, true, &c->st)) ||
        (ex = dx_cli_begin(c->st, true, c->now, &c->txn)))
        return ex;
    uint64_t until = hold == DX_FOREVER ? UINT64_MAX : c->now + hold;

    size_t first = l ? (size_t)(l - z->lists) : 0, last = l ? first + 1 : z->n_lists;
    bool removed[last > first ? last - first : 1];
    size_t n_removed = 0;
    for (size_t i = first; i < last; i++) {
        const struct dx_list_conf *li = &z->lists[i];
        struct dx_entry e;
        removed[i - first] = false;
        int rc = dx_entry_get(c->txn, z->name, li->name, &k, &e);
        if (rc == 0) {
            struct dx_hist h = { .at = c->now, .action = DX_HIST_DELIST, .zone = z->name,
                                 .list = li->name, .source = "admin", .reason = o.reason };
            if ((rc = dx_history_add(c->txn, &k, &h)) ||
                (rc = dx_entry_del(c->txn, z->name, li->name, &k)))
                return dx_cli_store_err(NULL, li->target, rc);
            removed[i - first] = true;
            n_removed++;
        } else if (rc != DX_ENOTFOUND) {
            return dx_cli_store_err(NULL, li->target, rc);
        }
        if (o.hold && (rc = dx_hold_put(c->txn, z->name, li->name, &k, until)))
            return dx_cli_store_err(NULL, "hold", rc);
    }

    /* What still lists the key once its own entries are gone: a wider range
     * or a wildcard of a list (dnsxld answers from it), in the target and in
     * the zone's other lists. Read in this txn, which sees its own deletes. */
    struct cover cov[z->n_lists ? z->n_lists : 1];
    size_t n_cov = 0, n_cov_target = 0;
    for (size_t i = 0; i < z->n_lists; i++) {
        struct dx_key ek;
        struct dx_entry e;
        int rc = dx_deciding_entry(c->txn, c->now, z->name, z->lists[i].name, &k, &ek, &e);
        if (rc == DX_ENOTFOUND || (rc == 0 && (e.flags & DX_ENTRY_EXCLUDE)))
            continue;
        if (rc)
            return dx_cli_store_err(NULL, z->lists[i].target, rc);
        cov[n_cov].l = &z->lists[i];
        cov[n_cov++].by = ek;
        n_cov_target += i >= first && i < last;
    }
    if (n_removed == 0 && !o.hold) {
        /* nothing to delist: say why DNS may still list it, and how to stop it */
        if (n_cov_target == 0) {
            dx_cli_err("%s is not listed in %s", kt, o.args[0]);
            for (size_t i = 0; i < n_cov; i++) {
                char bt[DX_KEY_TEXT_MAX];
                fmt_key(&cov[i].by, bt, sizeof(bt));
                if (strcmp(bt, kt) == 0)
                    dx_cli_err("note: it is listed in %s (an entry of its own there)",
                               cov[i].l->target);
                else
                    dx_cli_err("note: it is listed in %s by %s", cov[i].l->target, bt);
            }
            return DX_EX_USAGE;
        }
        for (size_t i = 0; i < n_cov; i++) {
            char bt[DX_KEY_TEXT_MAX];
            fmt_key(&cov[i].by, bt, sizeof(bt));
            size_t li = (size_t)(cov[i].l - z->lists);
            if (li < first || li >= last) {
                if (strcmp(bt, kt) == 0)
                    dx_cli_err("note: it is also listed in %s (an entry of its own there)",
                               cov[i].l->target);
                else
                    dx_cli_err("note: it is also listed in %s by %s", cov[i].l->target, bt);
                continue;
            }
            dx_cli_err("%s has no entry of its own in %s, but is listed there by %s; nothing was"
                       " delisted. To stop listing %s alone, carve it out: dnsxl-admin add %s %s"
                       " --exclude (or delist %s to drop the whole %s)", kt, cov[i].l->target, bt,
                       kt, cov[i].l->target, kt, bt, k.family == DX_FAM_DOMAIN ? "wildcard"
                                                                           : "range");
        }
        return DX_EX_USAGE;
    }
    if ((ex = dx_cli_commit(c->st, &c->txn)))
        return ex;
    char tb[32];
    dx_print_time(until, tb, sizeof(tb));
    for (size_t i = first; i < last; i++) {
        if (removed[i - first])
            printf("delisted %s from %s\n", kt, z->lists[i].target);
        if (o.hold)
            printf("held %s in %s %s%s\n", kt, z->lists[i].target,
                   hold == DX_FOREVER ? "forever" : "until ", hold == DX_FOREVER ? "" : tb);
    }
    if (n_removed == 0)
        printf("%s was not listed in %s\n", kt, o.args[0]);
    /* a covering range or wildcard still lists it: say so, and how to stop it */
    for (size_t i = 0; i < n_cov; i++) {
        char bt[DX_KEY_TEXT_MAX];
        fmt_key(&cov[i].by, bt, sizeof(bt));
        if (strcmp(bt, kt) == 0)    /* its own entry in a list outside the target */
            printf("note: %s is still listed in %s (an entry of its own there)\n", kt,
                   cov[i].l->target);
        else
            printf("note: %s is still listed in %s by %s; to stop that, carve it out:"
                   " dnsxl-admin add %s %s --exclude\n", kt, cov[i].l->target, bt,
                   cov[i].l->target, kt);
    }
    return DX_EX_OK;
}

/* ---- stats (admin/stats.c) ------------------------------------------------ */

static int cmd_stats(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    return dx_adm_stats(find_cmd("stats"), &c->conf_opt, c->now, argc, argv);
}

/* ---- list --------------------------------------------------------------- */

#define LIST_COLS 12

struct hot {                     /* list --sort hits: an entry and its queries */
    const char *list;            /* the zone's list config's name */
    struct dx_key key;
    uint64_t queries;
};

struct list_ctx {
    const struct dx_zone_conf *z;
    struct dx_json *j;           /* JSON output, or NULL for text */
    int pass;                    /* text: 0 = measure, 1 = print */
    int w[LIST_COLS];
    size_t n;
    struct dx_heat *heat;        /* queries and last query per entry, or NULL */
    struct hot *hot;             /* --sort hits: collected, then printed in order */
    size_t n_hot, cap_hot;
    bool collect, oom;
};

static int hot_cmp(const void *a, const void *b)
{
    const struct hot *x = a, *y = b;
    return x->queries != y->queries ? (x->queries < y->queries ? 1 : -1) : 0;
}

static int list_cb(void *arg, const char *list, const struct dx_key *k, const struct dx_entry *e)
{
    struct list_ctx *lc = arg;
    uint64_t queries, lastq;
    dx_adm_heat_get(lc->heat, lc->z->name, list, k, &queries, &lastq);
    if (lc->collect) {           /* --sort hits: the key now, the row once sorted */
        if (lc->n_hot == lc->cap_hot) {
            size_t cap = lc->cap_hot ? lc->cap_hot * 2 : 1024;
            struct hot *nh = realloc(lc->hot, cap * sizeof(*nh));
            if (!nh) {
                lc->oom = true;
                return 1;
            }
            lc->hot = nh;
            lc->cap_hot = cap;
        }
        const struct dx_list_conf *l = dx_conf_list(lc->z, list);
        if (l)
            lc->hot[lc->n_hot++] = (struct hot){ l->name, *k, queries };
        return 0;
    }
    char kt[DX_KEY_TEXT_MAX], code[DX_CODE_TEXT_MAX], first[32], lastb[32], exp[32], hits[16];
    char qb[24], lq[32];
    snprintf(qb, sizeof(qb), "%llu", (unsigned long long)queries);
    if (lastq)
        dx_print_time(lastq, lq, sizeof(lq));
    else
        snprintf(lq, sizeof(lq), "-");
    fmt_key(k, kt, sizeof(kt));
    if (e->code)
        dx_code_text(e->code, code);
    dx_print_time(e->first_seen, first, sizeof(first));
    dx_print_time(e->last_seen, lastb, sizeof(lastb));
    dx_print_expiry(e->expires_at, exp, sizeof(exp));
    snprintf(hits, sizeof(hits), "%u", e->hits);
    lc->n++;
    if (lc->j) {
        struct dx_json *j = lc->j;
        dx_json_obj_begin(j, NULL);
        dx_json_str(j, "zone", lc->z->name);
        dx_json_str(j, "list", list);
        dx_json_str(j, "key", kt);
        dx_json_bool(j, "exclude", (e->flags & DX_ENTRY_EXCLUDE) != 0);
        dx_json_str(j, "code", e->code ? code : NULL);
        dx_json_str(j, "txt", e->txt);
        dx_json_str(j, "reason", e->reason);
        dx_json_str(j, "source", e->source);
        dx_json_time(j, "first_seen", e->first_seen);
        dx_json_time(j, "last_seen", e->last_seen);
        dx_json_u64(j, "hits", e->hits);
        dx_json_u64(j, "queries", queries);
        if (lastq)
            dx_json_time(j, "last_queried", lastq);
        else
            dx_json_null(j, "last_queried");
        dx_json_time(j, "expires", e->expires_at);
        dx_json_obj_end(j);
        return 0;
    }
    char sb[128], rb[1024], lb[1024];
    const char *cols[LIST_COLS] = {
        dx_print_safe(list, lb, sizeof(lb)), kt, e->code ? code : "-",
        (e->flags & DX_ENTRY_EXCLUDE) ? "exclude" : "-",
        first, lastb, hits, qb, lq, exp, dx_print_safe(e->source, sb, sizeof(sb)),
        dx_print_safe(e->reason, rb, sizeof(rb)),
    };
    if (lc->pass == 0)
        dx_print_widen(cols, lc->w, LIST_COLS);
    else
        dx_print_row(stdout, cols, lc->w, LIST_COLS);
    return 0;
}

/* list --sort hits: every entry's key and queries, sorted (most first, then
 * in key order: the sort is stable), then each row read again in the same
 * read txn and printed as list_cb does. */
static int list_hot(struct ctx *c, struct list_ctx *lc, const struct dx_list_conf *l, bool json,
                    const char *const *head)
{
    const struct dx_zone_conf *z = lc->z;
    lc->collect = true;
    int rc = dx_entry_foreach(c->txn, z->name, l ? l->name : NULL, list_cb, lc);
    lc->collect = false;
    if (rc)
        return rc;
    if (lc->n_hot > 1) {
        /* entries come in key order; a merge sort by queries keeps it among equals */
        struct hot *tmp = malloc(lc->n_hot * sizeof(*tmp));
        if (!tmp) {
            lc->oom = true;
            return DX_ENOMEM;
        }
        for (size_t w = 1; w < lc->n_hot; w *= 2) {
            for (size_t lo = 0; lo < lc->n_hot; lo += 2 * w) {
                size_t mid = lo + w < lc->n_hot ? lo + w : lc->n_hot;
                size_t hi = lo + 2 * w < lc->n_hot ? lo + 2 * w : lc->n_hot, a = lo, b = mid, k = lo;
                while (a < mid || b < hi)
                    tmp[k++] = (b >= hi || (a < mid && hot_cmp(&lc->hot[a], &lc->hot[b]) <= 0))
                                   ? lc->hot[a++] : lc->hot[b++];
            }
            memcpy(lc->hot, tmp, lc->n_hot * sizeof(*tmp));
        }
        free(tmp);
    }
    struct dx_json j;
    if (json) {
        dx_json_init(&j, stdout);
        lc->j = &j;
        dx_json_arr_begin(&j, NULL);
    } else {
        dx_print_widen(head, lc->w, LIST_COLS);
    }
    for (int pass = json ? 1 : 0; pass < 2 && rc == 0; pass++) {
        lc->pass = pass;
        if (pass == 1 && !json && lc->n_hot > 0)
            dx_print_row(stdout, head, lc->w, LIST_COLS);
        for (size_t i = 0; i < lc->n_hot && rc == 0; i++) {
            struct dx_entry e;
            rc = dx_entry_get(c->txn, z->name, lc->hot[i].list, &lc->hot[i].key, &e);
            if (rc == 0)
                rc = list_cb(lc, lc->hot[i].list, &lc->hot[i].key, &e);
        }
    }
    if (json)
        dx_json_arr_end(&j);
    else if (rc == 0 && lc->n_hot == 0)
        printf("no entries in %s\n", l ? l->target : z->name);
    return rc;
}

static int cmd_list(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_JSON, OPT_SORT, 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("list"), argc, argv, allowed, 1, 1, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if (o.sort && strcmp(o.sort, "hits") != 0 && strcmp(o.sort, "key") != 0) {
        dx_cli_err("list: bad --sort '%s' (hits or key)", o.sort);
        return DX_EX_USAGE;
    }
    if ((ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    if ((ex = target(c, o.args[0], true, &z, &l)))
        return ex;
    if ((ex = dx_cli_store(c->conf, false, &c->st)) ||
        (ex = dx_cli_begin(c->st, false, c->now, &c->txn)))
        return ex;
    dx_test_point("list-read");
    struct dx_json j;
    struct list_ctx lc = { .z = z, .heat = dx_adm_heat_open(c->conf) };
    static const char *const head[LIST_COLS] = {
        "LIST", "KEY", "CODE", "FLAGS", "FIRST-SEEN", "LAST-SEEN", "HITS", "QUERIES",
        "LAST-QUERIED", "EXPIRES", "SOURCE", "REASON",
    };
    int rc;
    if (o.sort && strcmp(o.sort, "hits") == 0) {
        rc = list_hot(c, &lc, l, o.json, head);
    } else if (o.json) {
        dx_json_init(&j, stdout);
        lc.j = &j;
        dx_json_arr_begin(&j, NULL);
        rc = dx_entry_foreach(c->txn, z->name, l ? l->name : NULL, list_cb, &lc);
        dx_json_arr_end(&j);
    } else {
        dx_print_widen(head, lc.w, LIST_COLS);
        rc = dx_entry_foreach(c->txn, z->name, l ? l->name : NULL, list_cb, &lc);
        if (rc == 0 && lc.n > 0) {
            lc.pass = 1;
            dx_print_row(stdout, head, lc.w, LIST_COLS);
            rc = dx_entry_foreach(c->txn, z->name, l ? l->name : NULL, list_cb, &lc);
        } else if (rc == 0) {
            printf("no entries in %s\n", o.args[0]);
        }
    }
    free(lc.hot);
    dx_adm_heat_close(lc.heat);
    if (rc && lc.oom) {
        dx_cli_err("out of memory");
        return DX_EX_STORE;
    }
    if (rc)
        return dx_cli_store_err(NULL, o.args[0], rc);
    return DX_EX_OK;
}

/* ---- show --------------------------------------------------------------- */

struct hist_ctx {
    struct dx_json *j;
    const char *key;
    size_t n;
};

static int hist_cb(void *arg, const struct dx_hist *h)
{
    struct hist_ctx *hc = arg;
    char at[32], exp[32];
    dx_print_time(h->at, at, sizeof(at));
    dx_print_expiry(h->expires_at, exp, sizeof(exp));
    const char *act = dx_hist_action_name(h->action);
    hc->n++;
    if (hc->j) {
        dx_json_obj_begin(hc->j, NULL);
        dx_json_str(hc->j, "key", hc->key);
        dx_json_time(hc->j, "at", h->at);
        dx_json_str(hc->j, "action", act);
        dx_json_str(hc->j, "zone", h->zone);
        dx_json_str(hc->j, "list", h->list);
        dx_json_str(hc->j, "source", h->source);
        dx_json_str(hc->j, "reason", h->reason);
        dx_json_time(hc->j, "expires", h->expires_at);
        dx_json_obj_end(hc->j);
        return 0;
    }
    char sb[128], rb[1024], zb[1024], lb[1024];
    printf("  %s  %-7s %s/%s  source %s", at, act ? act : "?",
           dx_print_safe(h->zone, zb, sizeof(zb)), dx_print_safe(h->list, lb, sizeof(lb)),
           dx_print_safe(h->source, sb, sizeof(sb)));
    if (h->action == DX_HIST_LIST || h->action == DX_HIST_RELIST || h->action == DX_HIST_UPDATE)
        printf("  expires %s", exp);
    if (h->reason && *h->reason)
        printf("  reason: %s", dx_print_safe(h->reason, rb, sizeof(rb)));
    putchar('\n');
    return 0;
}

struct found {
    const struct dx_zone_conf *z;
    const struct dx_list_conf *l;
    struct dx_key key;           /* the matching entry's key */
    struct dx_entry e;           /* strings in the map: valid while the read txn lives */
};

#define SHOW_MAX 256

static int cmd_show(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_JSON, 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("show"), argc, argv, allowed, 1, 1, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    struct dx_key k;
    int krc = dx_key_parse(o.args[0], &k);
    if (krc)
        return bad_key(o.args[0], krc, &k, "an address, CIDR, name or *.name");
    if ((ex = setup(c)) || (ex = dx_cli_begin(c->st, false, c->now, &c->txn)))
        return ex;
    char kt[DX_KEY_TEXT_MAX];
    fmt_key(&k, kt, sizeof(kt));
    bool domain = k.family == DX_FAM_DOMAIN;
    bool single = domain ? k.plen == 0 : k.plen == k.len * 8;

    static struct found found[SHOW_MAX];
    size_t nf = 0;
    for (size_t zi = 0; zi < c->conf->n_zones && nf < SHOW_MAX; zi++) {
        const struct dx_zone_conf *z = &c->conf->zones[zi];
        if ((z->kind == DX_ZONE_DOMAIN) != domain)
            continue;
        if (single) {
            struct dx_hit hits[DX_HITS_MAX];
            int n = dx_lookup(c->txn, z->name, &k, c->now, hits, DX_HITS_MAX);
            if (n < 0)
                return dx_cli_store_err(NULL, z->name, n);
            for (int i = 0; i < n && nf < SHOW_MAX; i++) {
                struct found *f = &found[nf];
                f->z = z;
                f->l = dx_conf_list(z, hits[i].list);
                dx_hit_key(&hits[i], &f->key);
                if (!f->l)
                    continue;    /* list in the store but no longer configured */
                int rc = dx_entry_get(c->txn, z->name, f->l->name, &f->key, &f->e);
                if (rc == DX_ENOTFOUND) {
                    memset(&f->e, 0, sizeof(f->e));
                    f->e.code = hits[i].code;
                    f->e.expires_at = hits[i].expires_at;
                } else if (rc) {
                    return dx_cli_store_err(NULL, z->name, rc);
                }
                nf++;
            }
        } else {
            for (size_t li = 0; li < z->n_lists && nf < SHOW_MAX; li++) {
                struct found *f = &found[nf];
                int rc = dx_entry_get(c->txn, z->name, z->lists[li].name, &k, &f->e);
                if (rc == DX_ENOTFOUND)
                    continue;
                if (rc)
                    return dx_cli_store_err(NULL, z->name, rc);
                if (f->e.expires_at && f->e.expires_at <= c->now)
                    continue;    /* expired: absent, as for queries */
                f->z = z;
                f->l = &z->lists[li];
                f->key = k;
                nf++;
            }
        }
    }

    /* Lists that do not list the key because an exclusion carves it out:
     * which exclusion, and what it carves it out of. */
    static struct found xs[SHOW_MAX];
    static struct dx_key carved[SHOW_MAX];
    static bool has_carved[SHOW_MAX];
    size_t nx = 0;
    for (size_t zi = 0; zi < c->conf->n_zones && nx < SHOW_MAX; zi++) {
        const struct dx_zone_conf *z = &c->conf->zones[zi];
        if ((z->kind == DX_ZONE_DOMAIN) != domain)
            continue;
        for (size_t li = 0; li < z->n_lists && nx < SHOW_MAX; li++) {
            bool listed = false;
            for (size_t i = 0; i < nf && !listed; i++)
                listed = found[i].z == z && found[i].l == &z->lists[li];
            if (listed)
                continue;
            struct found *x = &xs[nx];
            int rc = dx_deciding_entry(c->txn, c->now, z->name, z->lists[li].name, &k, &x->key,
                                    &x->e);
            if (rc == DX_ENOTFOUND || (rc == 0 && !(x->e.flags & DX_ENTRY_EXCLUDE)))
                continue;
            if (rc)
                return dx_cli_store_err(NULL, z->name, rc);
            x->z = z;
            x->l = &z->lists[li];
            /* the entry it carves the key out of: the next one up */
            struct dx_key up = x->key, ek;
            struct dx_entry ue;
            has_carved[nx] = false;
            if (dx_key_up(&up)) {
                rc = dx_deciding_entry(c->txn, c->now, z->name, x->l->name, &up, &ek, &ue);
                if (rc && rc != DX_ENOTFOUND)
                    return dx_cli_store_err(NULL, z->name, rc);
                if (rc == 0 && !(ue.flags & DX_ENTRY_EXCLUDE)) {
                    carved[nx] = ek;
                    has_carved[nx] = true;
                }
            }
            /* the exclusion's strings point into the map: fine, this txn only reads */
            nx++;
        }
    }

    /* the heat of each listing's entry (dnsxld's heat = yes) */
    static uint64_t fq[SHOW_MAX], fl[SHOW_MAX];
    struct dx_heat *heat = dx_adm_heat_open(c->conf);
    for (size_t i = 0; i < nf; i++)
        dx_adm_heat_get(heat, found[i].z->name, found[i].l->name, &found[i].key, &fq[i], &fl[i]);
    dx_adm_heat_close(heat);

    struct dx_json j;
    dx_json_init(&j, stdout);
    if (o.json) {
        dx_json_obj_begin(&j, NULL);
        dx_json_str(&j, "key", kt);
        dx_json_bool(&j, "listed", nf > 0);
        dx_json_arr_begin(&j, "exclusions");
        for (size_t i = 0; i < nx; i++) {
            char et[DX_KEY_TEXT_MAX], ct[DX_KEY_TEXT_MAX];
            fmt_key(&xs[i].key, et, sizeof(et));
            if (has_carved[i])
                fmt_key(&carved[i], ct, sizeof(ct));
            dx_json_obj_begin(&j, NULL);
            dx_json_str(&j, "zone", xs[i].z->name);
            dx_json_str(&j, "list", xs[i].l->name);
            dx_json_str(&j, "entry", et);
            dx_json_str(&j, "carved_from", has_carved[i] ? ct : NULL);
            dx_json_str(&j, "reason", xs[i].e.reason);
            dx_json_str(&j, "source", xs[i].e.source);
            dx_json_time(&j, "expires", xs[i].e.expires_at);
            dx_json_obj_end(&j);
        }
        dx_json_arr_end(&j);
        dx_json_arr_begin(&j, "listings");
    } else {
        if (nf == 0)
            printf("%s is not listed in any zone\n", kt);
        if (nx > 0)
            printf("%s is excluded from:\n", kt);
        for (size_t i = 0; i < nx; i++) {
            char et[DX_KEY_TEXT_MAX], ct[DX_KEY_TEXT_MAX], rb[1024], sb[128], exp[32];
            fmt_key(&xs[i].key, et, sizeof(et));
            if (has_carved[i])
                fmt_key(&carved[i], ct, sizeof(ct));
            dx_print_expiry(xs[i].e.expires_at, exp, sizeof(exp));
            printf("  %s by the exclusion %s%s%s\n", xs[i].l->target, et,
                   has_carved[i] ? ", carved out of " : "", has_carved[i] ? ct : "");
            printf("    reason: %s  source: %s  expires %s\n",
                   dx_print_safe(xs[i].e.reason, rb, sizeof(rb)),
                   dx_print_safe(xs[i].e.source, sb, sizeof(sb)), exp);
        }
        if (nf > 0)
            printf("%s is listed in:\n", kt);
    }
    for (size_t i = 0; i < nf; i++) {
        const struct found *f = &found[i];
        char et[DX_KEY_TEXT_MAX], code[DX_CODE_TEXT_MAX], first[32], lastb[32], exp[32];
        fmt_key(&f->key, et, sizeof(et));
        dx_code_text(f->e.code ? f->e.code : f->l->code, code);
        dx_print_time(f->e.first_seen, first, sizeof(first));
        dx_print_time(f->e.last_seen, lastb, sizeof(lastb));
        dx_print_expiry(f->e.expires_at, exp, sizeof(exp));
        bool excl = (f->e.flags & DX_ENTRY_EXCLUDE) != 0;
        if (o.json) {
            dx_json_obj_begin(&j, NULL);
            dx_json_str(&j, "zone", f->z->name);
            dx_json_str(&j, "list", f->l->name);
            dx_json_str(&j, "entry", et);
            dx_json_bool(&j, "exclude", excl);
            dx_json_str(&j, "code", code);
            dx_json_str(&j, "txt", f->e.txt);
            dx_json_str(&j, "reason", f->e.reason);
            dx_json_str(&j, "source", f->e.source);
            dx_json_time(&j, "first_seen", f->e.first_seen);
            dx_json_time(&j, "last_seen", f->e.last_seen);
            dx_json_u64(&j, "hits", f->e.hits);
            dx_json_u64(&j, "queries", fq[i]);
            if (fl[i])
                dx_json_time(&j, "last_queried", fl[i]);
            else
                dx_json_null(&j, "last_queried");
            dx_json_time(&j, "expires", f->e.expires_at);
            dx_json_obj_end(&j);
            continue;
        }
        printf("  %s (%s)%s%s%s\n", f->l->target, code, strcmp(et, kt) ? " by entry " : "",
               strcmp(et, kt) ? et : "", excl ? " (exclusion: carved out)" : "");
        char sb[128], rb[1024], tb[1024];
        printf("    reason: %s  source: %s\n", dx_print_safe(f->e.reason, rb, sizeof(rb)),
               dx_print_safe(f->e.source, sb, sizeof(sb)));
        if (f->e.txt)
            printf("    txt: %s\n", dx_print_safe(f->e.txt, tb, sizeof(tb)));
        printf("    first seen %s  last seen %s  hits %u  expires %s\n", first, lastb, f->e.hits,
               exp);
        char lq[32];
        if (fl[i])
            dx_print_time(fl[i], lq, sizeof(lq));
        printf("    queries %llu  last queried %s\n", (unsigned long long)fq[i],
               fl[i] ? lq : "never");
    }
    if (o.json) {
        dx_json_arr_end(&j);
        dx_json_arr_begin(&j, "holds");
    }
    /* Active holds (delist --hold) on exactly this key. */
    for (size_t zi = 0; zi < c->conf->n_zones; zi++) {
        const struct dx_zone_conf *z = &c->conf->zones[zi];
        if ((z->kind == DX_ZONE_DOMAIN) != domain)
            continue;
        for (size_t li = 0; li < z->n_lists; li++) {
            uint64_t until = 0;
            int rc = dx_hold_get(c->txn, z->name, z->lists[li].name, &k, &until);
            if (rc == DX_ENOTFOUND || (rc == 0 && until <= c->now))
                continue;
            if (rc)
                return dx_cli_store_err(NULL, "hold", rc);
            char ut[32];
            dx_print_time(until, ut, sizeof(ut));
            bool forever = until == UINT64_MAX;
            if (o.json) {
                dx_json_obj_begin(&j, NULL);
                dx_json_str(&j, "zone", z->name);
                dx_json_str(&j, "list", z->lists[li].name);
                if (forever)
                    dx_json_null(&j, "until");
                else
                    dx_json_str(&j, "until", ut);
                dx_json_obj_end(&j);
            } else {
                printf("held in %s %s%s (automated relisting blocked)\n", z->lists[li].target,
                       forever ? "forever" : "until ", forever ? "" : ut);
            }
        }
    }
    if (o.json) {
        dx_json_arr_end(&j);
        dx_json_arr_begin(&j, "history");
    }

    /* History of the key itself, then of each distinct covering entry. */
    struct dx_key keys[1 + SHOW_MAX];
    size_t nk = 0;
    keys[nk++] = k;
    for (size_t i = 0; i < nf; i++) {
        bool seen = false;
        for (size_t m = 0; m < nk && !seen; m++)
            seen = keys[m].family == found[i].key.family && keys[m].plen == found[i].key.plen &&
                   keys[m].len == found[i].key.len &&
                   memcmp(keys[m].addr, found[i].key.addr, keys[m].len) == 0;
        if (!seen)
            keys[nk++] = found[i].key;
    }
    for (size_t m = 0; m < nk; m++) {
        char ht[DX_KEY_TEXT_MAX];
        fmt_key(&keys[m], ht, sizeof(ht));
        struct hist_ctx hc = { .j = o.json ? &j : NULL, .key = ht };
        if (!o.json)
            printf("history of %s:\n", ht);
        int rc = dx_history_foreach(c->txn, &keys[m], hist_cb, &hc);
        if (rc)
            return dx_cli_store_err(NULL, "history", rc);
        if (!o.json && hc.n == 0)
            printf("  (none)\n");
    }
    if (o.json) {
        dx_json_arr_end(&j);
        dx_json_obj_end(&j);
    }
    return DX_EX_OK;
}

/* ---- export ------------------------------------------------------------- */

static int cmd_export(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const int allowed[] = { OPT_FORMAT, 'o', 0 };
    struct opts o;
    int ex = parse_opts(c, find_cmd("export"), argc, argv, allowed, 1, 1, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    enum dx_export_format fmt = DX_EXPORT_RBLDNSD;
    if (o.format && strcmp(o.format, "zone") == 0) {
        fmt = DX_EXPORT_ZONE;
    } else if (o.format && strcmp(o.format, "rbldnsd") != 0) {
        dx_cli_err("export: bad --format '%s' (rbldnsd or zone)", o.format);
        return dx_cli_cmd_usage(find_cmd("export"), true);
    }
    if ((ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    if ((ex = target(c, o.args[0], true, &z, &l)))
        return ex;
    if (l && fmt == DX_EXPORT_ZONE) {
        dx_cli_err("export: --format zone writes the whole zone, as AXFR sends it: "
                   "give ZONE, not ZONE/LIST");
        return DX_EX_USAGE;
    }
    if ((ex = dx_cli_store(c->conf, false, &c->st)) ||
        (ex = dx_cli_begin(c->st, false, c->now, &c->txn)))
        return ex;
    char err[4400];
    int rc = dx_export_write(c->txn, z, l, fmt, c->now, o.output, stdout, err, sizeof(err));
    if (rc == DX_EINVAL) {
        dx_cli_err("export: %s", err);
        return DX_EX_USAGE;
    }
    if (rc && err[0]) {
        dx_cli_err("export: %s", err);
        return DX_EX_STORE;
    }
    if (rc)
        return dx_cli_store_err(c->st, o.args[0], rc);
    return DX_EX_OK;
}

/* ---- requests, approve, deny (admin/requests.c), check (admin/check.c) --- */

static int cmd_requests(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    return dx_adm_requests(find_cmd("requests"), &c->conf_opt, c->now, argc, argv);
}

static int cmd_approve(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    return dx_adm_approve(find_cmd("approve"), &c->conf_opt, c->now, argc, argv);
}

static int cmd_deny(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    return dx_adm_deny(find_cmd("deny"), &c->conf_opt, c->now, argc, argv);
}

static int cmd_check(void *ctx, int argc, char **argv)
{
    (void)ctx;
    return dx_adm_check(find_cmd("check"), argc, argv);
}

/* ---- the command table and main ---------------------------------------- */

static const struct dx_cli_cmd cmds[] = {
    { "zones",  cmd_zones,  "[--json]",
      "zones and lists with kind, SOA serial, code, lifetime and entry counts; a list's kind"
      " is country (every entry from dnsxl-loader country), listing or empty" },
    { "add",    cmd_add,
      "ZONE/LIST KEY [--lifetime DUR] [--reason TEXT] [--code A.B.C.D] [--txt TEXT] [--exclude]"
      " [--force]",
      "list KEY (or with --exclude carve it out of a wider range); --force allows a range"
      " wider than [loader] shortest-prefix/shortest-prefix6 and a reserved --code in"
      " 127.0.0.0/8" },
    { "delist", cmd_delist, "ZONE[/LIST] KEY [--hold DUR] [--reason TEXT]",
      "remove KEY's own entry; --hold stops automated relisting for DUR. A KEY listed only by"
      " a wider range is not delisted: the message names the range and the add --exclude"
      " that carves KEY out" },
    { "list",   cmd_list,   "ZONE[/LIST] [--sort hits|key] [--json]",
      "entries with reason, source, first/last seen, hits, the queries they answered and when"
      " last (dnsxld's heat = yes), and expiry; --sort hits: most queried first" },
    { "stats",  cmd_stats,  "[--json]",
      "per zone and list: entries, expired, serial, last change, queries (heat); each loader"
      " command's last run; the store's size; with [server] metrics, dnsxld's live counters" },
    { "export", cmd_export, "ZONE[/LIST] [--format rbldnsd|zone] [-o FILE]",
      "the data for mirrors: an rbldnsd combined dataset (rbldnsd serves it as"
      " ZONE:combined:FILE), or the master file AXFR sends (whole zones only); -o replaces"
      " FILE atomically, else stdout" },
    { "show",   cmd_show,   "KEY [--json]",
      "every zone/list that lists KEY, why, and its history; the exclusions that carve it"
      " out" },
    { "requests", cmd_requests, "[--json] [--all]",
      "removal requests of the public page (dnsxl-web) waiting for review; --all: decided"
      " ones too" },
    { "approve", cmd_approve, "ID [--reason TEXT] [--by NAME]",
      "approve removal request ID: the key's own entry delisted and held for removal-hold,"
      " or carved out of the wider entry that lists it" },
    { "deny",   cmd_deny,   "ID --reason TEXT [--by NAME]",
      "deny removal request ID; the requester sees the reason on the status page" },
    { "check",  cmd_check,
      "KEY... [--lists FILE] [--server IP[:PORT]] [--timeout DUR] [--json]",
      "is KEY (an address or a domain) listed in the DNSxLs of FILE (default " DX_CHECK_LISTS
      ")? One line per list: ZONE [CODE...]. Exit 0 listed nowhere, 1 listed somewhere, 2"
      " some list could not be checked" },
    { NULL, NULL, NULL, NULL },
};

static const struct dx_cli_cmd *find_cmd(const char *name)
{
    for (const struct dx_cli_cmd *m = cmds; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

int main(int argc, char **argv)
{
    struct ctx c;
    memset(&c, 0, sizeof(c));
    dx_cli_set_prog(PROG);
    c.now = dx_now();
    int ex = dx_cli_run(argc, argv, cmds, &c.conf_opt, &c);

    /* the one cleanup path */
    dx_txn_abort(c.txn);         /* NULL ok; a read txn open after a command ends here */
    if (c.st)
        dx_store_close(c.st);
    if (c.conf)
        dx_conf_free(c.conf);
    return dx_cli_finish(ex);
}
