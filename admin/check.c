/* dnsxl-admin check: see admin/check.h. */
#include "admin/check.h"

#include "admin/print.h"
#include "zones/bytes.h"
#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lists file -------------------------------------------------------- */

/* CODE: A.B.C.D, A.B.C.D-E.F.G.H or A.B.C.D/N, in 127.0.0.0/8. */
static bool parse_code(const char *t, uint32_t *lo, uint32_t *hi)
{
    char a[32];
    const char *dash = strchr(t, '-');
    if (dash) {
        size_t n = (size_t)(dash - t);
        if (n >= sizeof(a))
            return false;
        memcpy(a, t, n);
        a[n] = 0;
        return dx_code_parse(a, 0, lo) == 0 && dx_code_parse(dash + 1, 0, hi) == 0 && *lo <= *hi;
    }
    struct dx_key k;
    if (dx_key_parse(t, &k) || k.family != DX_FAM_V4 || k.addr[0] != 127)
        return false;
    if (k.plen == 0)
        return false;
    *lo = dx_be32(k.addr);
    *hi = *lo | (k.plen >= 32 ? 0 : 0xffffffffu >> k.plen);
    return true;
}

int dx_check_lists_load(const char *path, struct dx_check_list **out, size_t *n, char *err,
                        size_t errlen)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    struct dx_check_list *v = NULL;
    size_t nv = 0;
    char line[4096];
    int ln = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = DX_EINVAL;
            snprintf(err, errlen, "%s:%d: line too long", path, ln);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
        if (!tok)
            continue;
        struct dx_check_list l;
        memset(&l, 0, sizeof(l));
        l.test = true;
        l.line = ln;
        uint8_t wire[256];
        if (dx_dnsq_wire(tok, wire) == 0 || strlen(tok) >= sizeof(l.zone)) {
            rc = DX_EINVAL;
            snprintf(err, errlen, "%s:%d: bad zone name '%s'", path, ln, tok);
            break;
        }
        snprintf(l.zone, sizeof(l.zone), "%s", tok);
        if (l.zone[strlen(l.zone) - 1] == '.')
            l.zone[strlen(l.zone) - 1] = 0;
        while (rc == 0 && (tok = strtok_r(NULL, " \t\r\n", &save))) {
            if (strcmp(tok, "allow") == 0) {
                l.allow = true;
            } else if (strcmp(tok, "domain") == 0) {
                l.domain = true;
            } else if (strcmp(tok, "notest") == 0) {
                l.test = false;
            } else if (tok[0] == '@') {
                if (dx_dnsq_server(tok + 1, &l.server)) {
                    rc = DX_EINVAL;
                    snprintf(err, errlen, "%s:%d: bad server '%s' (expected @IP, @IP:PORT or "
                             "@[IPv6]:PORT)", path, ln, tok + 1);
                }
                l.has_server = true;
            } else if (l.ncodes == DX_CHECK_CODES) {
                rc = DX_EINVAL;
                snprintf(err, errlen, "%s:%d: more than %d codes", path, ln, DX_CHECK_CODES);
            } else if (!parse_code(tok, &l.lo[l.ncodes], &l.hi[l.ncodes])) {
                rc = DX_EINVAL;
                snprintf(err, errlen, "%s:%d: bad code '%s' (an address, range A-B or CIDR in "
                         "127.0.0.0/8; or allow, domain, notest, @SERVER)", path, ln, tok);
            } else {
                l.ncodes++;
            }
        }
        if (rc)
            break;
        struct dx_check_list *nvv = realloc(v, (nv + 1) * sizeof(*nvv));
        if (!nvv) {
            rc = DX_ENOMEM;
            snprintf(err, errlen, "%s: out of memory", path);
            break;
        }
        v = nvv;
        v[nv++] = l;
    }
    if (rc == 0 && ferror(f)) {
        rc = -EIO;
        snprintf(err, errlen, "%s: read error", path);
    }
    if (rc == 0 && nv == 0) {
        rc = DX_EINVAL;
        snprintf(err, errlen, "%s:%d: no list in the file", path, ln);
    }
    fclose(f);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

/* ---- answers ---------------------------------------------------------------- */

static bool is_error_code(uint32_t a)
{
    return a == 0x7f000001u || a == 0x7f0001ffu || (a & 0xffffff00u) == 0x7fffff00u;
}

int dx_check_answer(const struct dx_check_list *l, int rcode, const uint32_t *a, size_t na,
                    char *why, size_t cap)
{
    why[0] = 0;
    if (rcode == 3)
        return DX_CHECK_CLEAN;          /* NXDOMAIN */
    static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                          "NOTIMP", "REFUSED" };
    if (rcode != 0) {
        if (rcode < 6)
            snprintf(why, cap, "answered %s", rcodes[rcode]);
        else
            snprintf(why, cap, "answered rcode %d", rcode);
        return DX_CHECK_ERROR;
    }
    if (na == 0)
        return DX_CHECK_CLEAN;          /* NODATA: not listed */
    for (size_t i = 0; i < na; i++) {
        char t[DX_CODE_TEXT_MAX];
        dx_code_text(a[i], t);
        if (is_error_code(a[i])) {
            snprintf(why, cap, "answered %s: an error code, not a listing (a blocked or "
                     "public resolver, or too many queries?)", t);
            return DX_CHECK_ERROR;
        }
        if ((a[i] & 0xff000000u) != 0x7f000000u) {
            snprintf(why, cap, "answered %s, outside 127.0.0.0/8: not a DNSxL answer", t);
            return DX_CHECK_ERROR;
        }
        bool known = l->ncodes == 0;
        for (size_t c = 0; c < l->ncodes && !known; c++)
            known = a[i] >= l->lo[c] && a[i] <= l->hi[c];
        if (!known) {
            snprintf(why, cap, "answered %s, not one of the list's codes", t);
            return DX_CHECK_ERROR;
        }
    }
    return DX_CHECK_LISTED;
}

/* ---- the command ------------------------------------------------------------ */

/* One (key, list) to ask; test points are asked with key NULL. */
struct ask {
    const struct dx_check_list *l;
    size_t key;                  /* index into the keys, or SIZE_MAX: a test point */
    int want;                    /* test point: DX_CHECK_LISTED or DX_CHECK_CLEAN */
    struct dx_dnsq q;
};

bool dx_check_qname(const struct dx_key *k, const char *zone, struct dx_dnsq *q)
{
    char text[600];
    size_t o = 0;
    if (k->family == DX_FAM_V4) {
        o = (size_t)snprintf(text, sizeof(text), "%u.%u.%u.%u", k->addr[3], k->addr[2],
                             k->addr[1], k->addr[0]);
    } else if (k->family == DX_FAM_V6) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 15; i >= 0; i--) {
            text[o++] = hex[k->addr[i] & 0xf];
            text[o++] = '.';
            text[o++] = hex[k->addr[i] >> 4];
            text[o++] = i ? '.' : 0;
        }
        o--;
    } else {
        o = (size_t)snprintf(text, sizeof(text), "%s", (const char *)k->addr);
    }
    snprintf(text + o, sizeof(text) - o, ".%s", zone);
    q->qname_len = dx_dnsq_wire(text, q->qname);
    return q->qname_len > 0;
}

struct result {
    int verdict;
    char why[300];
    uint32_t a[DX_DNSQ_A_MAX];
    size_t na;
};

/* The verdict of one finished query (a test point's or a key's). */
static void judge(const struct ask *k, uint64_t timeout_ms, struct result *r)
{
    r->na = 0;
    r->why[0] = 0;
    if (k->q.state == DX_DNSQ_TIMEOUT) {
        r->verdict = DX_CHECK_ERROR;
        snprintf(r->why, sizeof(r->why), "no answer within %llu s",
                 (unsigned long long)(timeout_ms / 1000));
        return;
    }
    if (k->q.state != DX_DNSQ_ANSWERED) {
        r->verdict = DX_CHECK_ERROR;
        snprintf(r->why, sizeof(r->why), "cannot send the query: %s",
                 k->q.err ? strerror(-k->q.err) : "no server");
        return;
    }
    r->verdict = dx_check_answer(k->l, k->q.rcode, k->q.a, k->q.na, r->why, sizeof(r->why));
    r->na = k->q.na;
    memcpy(r->a, k->q.a, k->q.na * sizeof(uint32_t));
}

int dx_adm_check(const struct dx_cli_cmd *m, int argc, char **argv)
{
    static const struct option lo[] = {
        { "lists", required_argument, NULL, 'l' },  { "server", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'j' },
        { "config", required_argument, NULL, 'c' },  { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *lists = DX_CHECK_LISTS, *server = NULL;
    uint64_t timeout = 5;
    bool json = false;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'l': lists = optarg; break;
        case 's': server = optarg; break;
        case 'j': json = true; break;
        case 'c': break;            /* check reads no config */
        case 'h': dx_cli_cmd_usage(m, false); return DX_EX_OK;
        case 't':
            if (dx_dur_parse(optarg, &timeout) || timeout < 1 || timeout > 60) {
                dx_cli_err("check: bad --timeout '%s' (1s..60s)", optarg);
                return DX_EX_STORE;
            }
            break;
        default:
            dx_cli_err("check: unknown option or missing argument: %s", argv[optind - 1]);
            dx_cli_cmd_usage(m, true);
            return DX_EX_STORE;
        }
    }
    int nkeys = argc - optind;
    if (nkeys < 1) {
        dx_cli_err("check: missing arguments (an address or a domain)");
        dx_cli_cmd_usage(m, true);
        return DX_EX_STORE;
    }
    struct dx_key *keys = calloc((size_t)nkeys, sizeof(*keys));
    if (!keys)
        return DX_EX_STORE;
    int ex = DX_EX_OK;
    for (int i = 0; i < nkeys && ex == DX_EX_OK; i++) {
        struct dx_key *k = &keys[i];
        const char *t = argv[optind + i];
        if (dx_key_parse(t, k) || (k->family == DX_FAM_DOMAIN ? k->plen != 0 : k->plen != k->len * 8)) {
            dx_cli_err("check: bad key '%s' (an address or a domain name, no range or wildcard)", t);
            ex = DX_EX_STORE;
        }
    }
    struct dx_dnsq_servers resolver;
    if (ex == DX_EX_OK && server && dx_dnsq_server(server, &resolver)) {
        dx_cli_err("check: bad --server '%s' (IP, IP:PORT or [IPv6]:PORT)", server);
        ex = DX_EX_STORE;
    } else if (ex == DX_EX_OK && !server && dx_dnsq_resolv_conf("/etc/resolv.conf", &resolver)) {
        dx_cli_err("check: /etc/resolv.conf: %s", strerror(errno));
        ex = DX_EX_STORE;
    }
    struct dx_check_list *ls = NULL;
    size_t nl = 0;
    char err[600];
    if (ex == DX_EX_OK && dx_check_lists_load(lists, &ls, &nl, err, sizeof(err))) {
        dx_cli_err("check: %s", err);
        ex = DX_EX_STORE;
    }
    if (ex) {
        free(keys);
        return ex;
    }
    /* every (key, list) of the same kind, and each list's test points */
    size_t cap = nl * 2 + (size_t)nkeys * nl, na = 0;
    struct ask *asks = calloc(cap ? cap : 1, sizeof(*asks));
    if (!asks) {
        free(keys);
        free(ls);
        return DX_EX_STORE;
    }
    for (size_t li = 0; li < nl; li++) {
        const struct dx_check_list *l = &ls[li];
        const struct dx_dnsq_servers *srv = l->has_server ? &l->server : &resolver;
        if (l->test) {
            for (int t = 0; t < 2; t++) {
                struct dx_key tk;
                dx_key_parse(l->domain ? (t ? "invalid" : "test") : (t ? "127.0.0.1" : "127.0.0.2"),
                             &tk);
                struct ask *a = &asks[na];
                a->l = l;
                a->key = SIZE_MAX;
                a->want = t ? DX_CHECK_CLEAN : DX_CHECK_LISTED;
                a->q.srv = srv;
                if (dx_check_qname(&tk, l->zone, &a->q))
                    na++;
            }
        }
        for (int i = 0; i < nkeys; i++) {
            if ((keys[i].family == DX_FAM_DOMAIN) != l->domain)
                continue;
            struct ask *a = &asks[na];
            a->l = l;
            a->key = (size_t)i;
            a->q.srv = srv;
            if (dx_check_qname(&keys[i], l->zone, &a->q))
                na++;
        }
    }
    uint64_t timeout_ms = timeout * 1000;
    struct dx_dnsq *qp[256];
    for (size_t at = 0; at < na; at += 256) {       /* at most 256 sockets at once */
        size_t n = na - at < 256 ? na - at : 256;
        for (size_t i = 0; i < n; i++)
            qp[i] = &asks[at + i].q;
        int rc = dx_dnsq_run(qp, n, timeout_ms);
        if (rc) {
            dx_cli_err("check: poll: %s", strerror(-rc));
            ex = DX_EX_STORE;
        }
    }
    /* each list's health from its test points */
    char (*broken)[400] = calloc(nl ? nl : 1, sizeof(*broken));
    bool listed = false, failed = false;
    struct dx_json j;
    dx_json_init(&j, stdout);
    if (json)
        dx_json_arr_begin(&j, NULL);
    for (size_t i = 0; broken && i < na; i++) {
        if (asks[i].key != SIZE_MAX)
            continue;
        struct result r;
        judge(&asks[i], timeout_ms, &r);
        size_t li = (size_t)(asks[i].l - ls);
        if (broken[li][0] || r.verdict == asks[i].want)
            continue;
        bool domain = asks[i].l->domain;
        const char *tp = asks[i].want == DX_CHECK_LISTED ? (domain ? "TEST" : "127.0.0.2")
                                                         : (domain ? "INVALID" : "127.0.0.1");
        if (r.verdict == DX_CHECK_ERROR)
            snprintf(broken[li], sizeof(broken[li]), "the test point %s: %s", tp, r.why);
        else
            snprintf(broken[li], sizeof(broken[li]), "the test point %s is %slisted (RFC 5782 "
                     "section 5): the list does not work from here", tp,
                     r.verdict == DX_CHECK_LISTED ? "" : "not ");
    }
    for (int ki = 0; broken && ki < nkeys; ki++) {
        char kt[DX_KEY_TEXT_MAX];
        dx_key_format(&keys[ki], kt, sizeof(kt));
        if (!json && nkeys > 1)
            printf("%s:\n", kt);
        for (size_t i = 0; i < na; i++) {
            if (asks[i].key != (size_t)ki)
                continue;
            const struct dx_check_list *l = asks[i].l;
            struct result r;
            judge(&asks[i], timeout_ms, &r);
            size_t li = (size_t)(l - ls);
            if (broken[li][0]) {
                r.verdict = DX_CHECK_ERROR;
                snprintf(r.why, sizeof(r.why), "%s", broken[li]);
                r.na = 0;
            }
            if (r.verdict == DX_CHECK_LISTED && !l->allow)
                listed = true;
            if (r.verdict == DX_CHECK_ERROR)
                failed = true;
            const char *status = r.verdict == DX_CHECK_ERROR ? "not working"
                               : r.verdict == DX_CHECK_LISTED ? (l->allow ? "allowed" : "listed")
                               : (l->allow ? "not allow-listed" : "not listed");
            char codes[DX_DNSQ_A_MAX * 17 + 1] = "";
            size_t co = 0;
            for (size_t c = 0; c < r.na && r.verdict == DX_CHECK_LISTED; c++) {
                char t[DX_CODE_TEXT_MAX];
                co += (size_t)snprintf(codes + co, sizeof(codes) - co, " %s",
                                       dx_code_text(r.a[c], t));
            }
            if (json) {
                dx_json_obj_begin(&j, NULL);
                dx_json_str(&j, "key", kt);
                dx_json_str(&j, "zone", l->zone);
                dx_json_str(&j, "kind", l->allow ? "allow" : "block");
                dx_json_str(&j, "status", status);
                dx_json_arr_begin(&j, "codes");
                for (size_t c = 0; c < r.na && r.verdict == DX_CHECK_LISTED; c++) {
                    char t[DX_CODE_TEXT_MAX];
                    dx_json_str(&j, NULL, dx_code_text(r.a[c], t));
                }
                dx_json_arr_end(&j);
                dx_json_str(&j, "error", r.verdict == DX_CHECK_ERROR ? r.why : NULL);
                dx_json_obj_end(&j);
            } else {
                char head[sizeof(l->zone) + sizeof(codes)];
                snprintf(head, sizeof(head), "%s%s", l->zone, codes);
                printf("%s%-40s  %s%s%s\n", nkeys > 1 ? "  " : "", head, status,
                       r.verdict == DX_CHECK_ERROR ? ": " : "",
                       r.verdict == DX_CHECK_ERROR ? r.why : "");
            }
        }
    }
    if (json)
        dx_json_arr_end(&j);
    if (!broken)
        ex = DX_EX_STORE;
    free(broken);
    free(asks);
    free(ls);
    free(keys);
    if (ex)
        return ex;
    return listed ? 1 : failed ? 2 : 0;
}
