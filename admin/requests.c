/* dnsxl-admin requests, approve, deny: see admin/requests.h. An approval
 * removes the key as zones/removal.h says (its own entry delisted and
 * held, or carved out of a wider entry), a denial keeps it listed; both
 * are recorded in the request and in the key's history with the
 * operator's name ("admin:NAME": --by, else $SUDO_USER, else the login
 * name), and the requester sees the decision on the status page. */
#include "admin/requests.h"

#include "admin/print.h"
#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/removal.h"
#include "zones/store.h"
#include "zones/txt.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct run {
    struct dx_conf *conf;
    struct dx_store *st;
    struct dx_txn *txn;
};

static int finish(struct run *r, int ex)
{
    dx_txn_abort(r->txn);
    if (r->st)
        dx_store_close(r->st);
    dx_conf_free(r->conf);
    return ex;
}

struct ropts {
    bool json, all;
    const char *reason, *by;
    const char *arg;
};

/* -c, --json, --all, --reason, --by as `allowed` (a string of the short
 * codes: j a r b) permits; one positional argument when `want_arg`. */
static int parse(const struct dx_cli_cmd *m, const char **conf_opt, int argc, char **argv,
                 const char *allowed, bool want_arg, struct ropts *o)
{
    static const struct option lo[] = {
        { "json", no_argument, NULL, 'j' },     { "all", no_argument, NULL, 'a' },
        { "reason", required_argument, NULL, 'r' }, { "by", required_argument, NULL, 'b' },
        { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof(*o));
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
        if (ch == 'h')
            return dx_cli_cmd_usage(m, false), -1;
        if (ch == 'c') {
            *conf_opt = optarg;
            continue;
        }
        if (ch == '?' || !strchr(allowed, ch)) {
            dx_cli_err("%s: unknown option or missing argument: %s", m->name, argv[optind - 1]);
            return dx_cli_cmd_usage(m, true);
        }
        if (ch == 'j')
            o->json = true;
        else if (ch == 'a')
            o->all = true;
        else if (ch == 'r')
            o->reason = optarg;
        else
            o->by = optarg;
    }
    int n = argc - optind;
    if (n != (want_arg ? 1 : 0)) {
        dx_cli_err("%s: %s arguments", m->name, n < (want_arg ? 1 : 0) ? "missing" : "too many");
        return dx_cli_cmd_usage(m, true);
    }
    o->arg = want_arg ? argv[optind] : NULL;
    char why[200];
    if (o->reason && dx_txt_check_reason(o->reason, why, sizeof(why))) {
        dx_cli_err("bad --reason: %s", why);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

/* ---- requests ------------------------------------------------------------ */

struct list_ctx {
    struct dx_json *j;
    bool all;
    int pass;
    int w[8];
    size_t n;
};

static int list_cb(void *arg, const struct dx_request *r)
{
    struct list_ctx *lc = arg;
    if (!lc->all && r->status != DX_REQ_PENDING)
        return 0;
    lc->n++;
    char created[32], decided[32], id[24];
    dx_print_time(r->created, created, sizeof(created));
    dx_print_time(r->decided, decided, sizeof(decided));
    snprintf(id, sizeof(id), "%llu", (unsigned long long)r->id);
    if (lc->j) {
        struct dx_json *j = lc->j;
        dx_json_obj_begin(j, NULL);
        dx_json_u64(j, "id", r->id);
        dx_json_str(j, "status", dx_request_status_name(r->status));
        dx_json_str(j, "zone", r->zone);
        dx_json_str(j, "list", r->list);
        dx_json_str(j, "key", r->key);
        dx_json_time(j, "created", r->created);
        dx_json_str(j, "note", r->note);
        dx_json_str(j, "contact", r->contact);
        dx_json_str(j, "client", r->client);
        dx_json_time(j, "decided", r->decided);
        dx_json_str(j, "by", r->by);
        dx_json_str(j, "decision", r->decision);
        dx_json_obj_end(j);
        return 0;
    }
    char zb[300], lb[300], kb[600], cb[600], ib[200], nb[4200], target[700];
    snprintf(target, sizeof(target), "%s/%s", dx_print_safe(r->zone, zb, sizeof(zb)),
             dx_print_safe(r->list, lb, sizeof(lb)));
    const char *cols[8] = {
        id, dx_request_status_name(r->status), created, target,
        dx_print_safe(r->key, kb, sizeof(kb)), dx_print_safe(r->contact, cb, sizeof(cb)),
        dx_print_safe(r->client, ib, sizeof(ib)), dx_print_safe(r->note, nb, sizeof(nb)),
    };
    if (lc->pass == 0)
        dx_print_widen(cols, lc->w, 8);
    else
        dx_print_row(stdout, cols, lc->w, 8);
    return 0;
}

int dx_adm_requests(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                    char **argv)
{
    struct ropts o;
    int ex = parse(m, conf_opt, argc, argv, "ja", false, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    struct run r = { 0 };
    (void)now;
    if ((ex = dx_cli_conf(*conf_opt, &r.conf)) || (ex = dx_cli_store(r.conf, false, &r.st)) ||
        (ex = dx_cli_begin(r.st, false, 0, &r.txn)))
        return finish(&r, ex);
    static const char *const head[8] = { "ID", "STATUS", "CREATED", "LIST", "KEY", "CONTACT",
                                         "CLIENT", "NOTE" };
    struct dx_json j;
    struct list_ctx lc = { .all = o.all };
    int rc;
    if (o.json) {
        dx_json_init(&j, stdout);
        lc.j = &j;
        dx_json_arr_begin(&j, NULL);
        rc = dx_request_foreach(r.txn, list_cb, &lc);
        dx_json_arr_end(&j);
    } else {
        dx_print_widen(head, lc.w, 8);
        rc = dx_request_foreach(r.txn, list_cb, &lc);
        if (rc == 0 && lc.n) {
            lc.pass = 1;
            dx_print_row(stdout, head, lc.w, 8);
            rc = dx_request_foreach(r.txn, list_cb, &lc);
        } else if (rc == 0) {
            printf("no %srequests\n", o.all ? "" : "pending ");
        }
    }
    if (rc)
        ex = dx_cli_store_err(r.st, "requests", rc);
    return finish(&r, ex);
}

/* ---- approve, deny ---------------------------------------------------------- */

/* "admin:NAME": --by, else $SUDO_USER, else the login name of the uid. */
static void operator_source(const char *by, char *out, size_t cap)
{
    const char *name = by && *by ? by : getenv("SUDO_USER");
    if (!name || !*name) {
        struct passwd *pw = getpwuid(getuid());
        name = pw && pw->pw_name ? pw->pw_name : NULL;
    }
    if (name)
        snprintf(out, cap, "admin:%s", name);
    else
        snprintf(out, cap, "admin:uid %u", (unsigned)getuid());
}

/* Open for a decision on request ID: the config, the store, a write txn
 * and the pending request (*rq, strings in the map). */
static int open_request(struct run *r, const char *conf_opt, uint64_t now, const char *idtext,
                        struct dx_request *rq)
{
    uint64_t id;
    if (dx_uint_parse(idtext, UINT64_MAX, &id) || id == 0) {
        dx_cli_err("bad request id '%s' (the number dnsxl-admin requests shows)", idtext);
        return DX_EX_USAGE;
    }
    int ex;
    if ((ex = dx_cli_conf(conf_opt, &r->conf)) || (ex = dx_cli_store(r->conf, false, &r->st)) ||
        (ex = dx_cli_begin(r->st, true, now, &r->txn)))
        return ex;
    int rc = dx_request_get(r->txn, id, rq);
    if (rc == DX_ENOTFOUND) {
        dx_cli_err("no request %llu", (unsigned long long)id);
        return DX_EX_USAGE;
    }
    if (rc)
        return dx_cli_store_err(r->st, "requests", rc);
    if (rq->status != DX_REQ_PENDING) {
        char by[300];
        dx_cli_err("request %llu is already %s (by %s)", (unsigned long long)id,
                   dx_request_status_name(rq->status), dx_print_safe(rq->by, by, sizeof(by)));
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

/* The request's list and key, as the config and the zone kind read them. */
static int request_target(const struct run *r, const struct dx_request *rq,
                          const struct dx_list_conf **l, struct dx_key *k)
{
    struct dx_zone_conf *z = dx_conf_zone(r->conf, rq->zone);
    *l = z ? dx_conf_list(z, rq->list) : NULL;
    if (!*l) {
        dx_cli_err("request %llu names %s/%s, which the config no longer has",
                   (unsigned long long)rq->id, rq->zone, rq->list);
        return DX_EX_USAGE;
    }
    if (dx_key_parse_for(rq->key, z->kind == DX_ZONE_IP, k)) {
        dx_cli_err("request %llu: bad key '%s' for zone %s", (unsigned long long)rq->id,
                   rq->key, z->name);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

int dx_adm_approve(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                   char **argv)
{
    struct ropts o;
    int ex = parse(m, conf_opt, argc, argv, "rb", true, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    struct run r = { 0 };
    struct dx_request rq;
    const struct dx_list_conf *l;
    struct dx_key k;
    if ((ex = open_request(&r, *conf_opt, now, o.arg, &rq)) ||
        (ex = request_target(&r, &rq, &l, &k)))
        return finish(&r, ex);
    /* the request's strings point into the map: keep copies across the writes */
    char *zone = strdup(rq.zone), *list = strdup(rq.list), *key = strdup(rq.key);
    char *note = rq.note ? strdup(rq.note) : NULL, *contact = rq.contact ? strdup(rq.contact) : NULL;
    char *client = rq.client ? strdup(rq.client) : NULL;
    int rc = 0;
    if (!zone || !list || !key || (rq.note && !note) || (rq.contact && !contact) ||
        (rq.client && !client))
        rc = DX_ENOMEM;
    rq.zone = zone, rq.list = list, rq.key = key, rq.note = note, rq.contact = contact;
    rq.client = client;
    char source[300], why[DX_REASON_MAX + 64], kt[DX_KEY_TEXT_MAX];
    operator_source(o.by, source, sizeof(source));
    snprintf(why, sizeof(why), "removal request %llu%s%s", (unsigned long long)rq.id,
             o.reason ? ": " : "", o.reason ? o.reason : "");
    dx_key_format(&k, kt, sizeof(kt));
    int what = 0;
    if (rc == 0)
        rc = dx_removal_apply(r.txn, l, &k, source, why, now, true, &what);
    if (rc == 0) {
        rq.status = DX_REQ_APPROVED;
        rq.decided = now;
        rq.by = source;
        rq.decision = o.reason;
        rc = dx_request_put(r.txn, &rq);
    }
    free(zone), free(list), free(key), free(note), free(contact), free(client);
    if (rc)
        return finish(&r, dx_cli_store_err(r.st, "approve", rc));
    if ((ex = dx_cli_commit(r.st, &r.txn)))
        return finish(&r, ex);
    char tb[32];
    uint64_t until = l->removal_hold == DX_FOREVER || now + l->removal_hold < now
                         ? 0 : now + l->removal_hold;
    dx_print_time(until, tb, sizeof(tb));
    printf("approved request %llu: ", (unsigned long long)rq.id);
    if (what == 1)
        printf("delisted %s from %s, held %s%s\n", kt, l->target, until ? "until " : "forever",
               until ? tb : "");
    else if (what == 2)
        printf("carved %s out of the wider entry listing it in %s (an exclusion)\n", kt,
               l->target);
    else
        printf("%s is no longer listed in %s: nothing to remove\n", kt, l->target);
    return finish(&r, DX_EX_OK);
}

int dx_adm_deny(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                char **argv)
{
    struct ropts o;
    int ex = parse(m, conf_opt, argc, argv, "rb", true, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if (!o.reason || !*o.reason) {
        dx_cli_err("deny: --reason TEXT is required (the requester sees it)");
        return dx_cli_cmd_usage(m, true);
    }
    struct run r = { 0 };
    struct dx_request rq;
    const struct dx_list_conf *l;
    struct dx_key k;
    if ((ex = open_request(&r, *conf_opt, now, o.arg, &rq)) ||
        (ex = request_target(&r, &rq, &l, &k)))
        return finish(&r, ex);
    char source[300], kt[DX_KEY_TEXT_MAX];
    operator_source(o.by, source, sizeof(source));
    dx_key_format(&k, kt, sizeof(kt));
    struct dx_hist h = { .at = now, .action = DX_HIST_DENY, .zone = l->zone->name,
                         .list = l->name, .source = source, .reason = o.reason };
    uint64_t id = rq.id;
    int rc = dx_history_add(r.txn, &k, &h);
    if (rc == 0 && (rc = dx_request_get(r.txn, id, &rq)) == 0) {   /* after the write */
        rq.status = DX_REQ_DENIED;
        rq.decided = now;
        rq.by = source;
        rq.decision = o.reason;
        rc = dx_request_put(r.txn, &rq);
    }
    if (rc)
        return finish(&r, dx_cli_store_err(r.st, "deny", rc));
    if ((ex = dx_cli_commit(r.st, &r.txn)))
        return finish(&r, ex);
    printf("denied request %llu for %s in %s\n", (unsigned long long)id, kt,
           l->target);
    return finish(&r, DX_EX_OK);
}
