/* The pages and the JSON API of dnsxl-web (admin/web.h). Every value from
 * the store, the config or the request is written through dx_web_html
 * (or the JSON writer of admin/print.h); what the operator marks private
 * is never read into a page: entry sources and reporters never, reasons
 * of lists with public-reason = no never, a requester's note and contact
 * only on the status page of the token holder. */
#include "admin/web.h"

#include "admin/print.h"
#include "zones/clock.h"
#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/removal.h"
#include "zones/safe.h"
#include "zones/txt.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- escaping ----------------------------------------------------------------- */

void dx_web_html(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        unsigned char c = *s;
        switch (c) {
        case '&': fputs("&amp;", f); s++; continue;
        case '<': fputs("&lt;", f); s++; continue;
        case '>': fputs("&gt;", f); s++; continue;
        case '"': fputs("&quot;", f); s++; continue;
        case '\'': fputs("&#39;", f); s++; continue;
        }
        if (c < 0x20 || c == 0x7f) {
            fputs("\xef\xbf\xbd", f);       /* U+FFFD */
            s++;
            continue;
        }
        size_t n = c < 0x80 ? 1 : dx_utf8_len(s);
        /* C1 controls (U+0080..U+009F) are no text either */
        if (n == 0 || (n == 2 && c == 0xc2 && s[1] < 0xa0)) {
            fputs("\xef\xbf\xbd", f);
            s += n ? n : 1;
            continue;
        }
        fwrite(s, 1, n, f);
        s += n;
    }
}

void dx_web_url(FILE *f, const char *str)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *s = (const unsigned char *)(str ? str : ""); *s; s++) {
        unsigned char c = *s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c && strchr("-._~", c)))
            fputc(c, f);
        else
            fprintf(f, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
}

/* ---- the frame of every page ---------------------------------------------------- */

struct page {
    FILE *f;
    char *buf;
    size_t len;
};

static bool page_open(struct page *p)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    return p->f != NULL;
}

static void head(struct page *p, const struct dx_web *w, const char *sub)
{
    FILE *f = p->f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    if (sub) {
        dx_web_html(f, sub);
        fputs(" \xe2\x80\x93 ", f);
    }
    dx_web_html(f, w->conf->web.title);
    fputs("</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head><body>\n"
          "<header><h1><a href=\"/\">", f);
    dx_web_html(f, w->conf->web.title);
    fputs("</a></h1></header>\n<main>\n", f);
}

static void lookup_form(FILE *f, const char *q)
{
    fputs("<form class=\"lookup\" method=\"get\" action=\"/\" role=\"search\">\n"
          "<input type=\"text\" name=\"q\" aria-label=\"IP address or domain\" "
          "placeholder=\"IP address or domain\" maxlength=\"253\" value=\"", f);
    dx_web_html(f, q);
    fputs("\" autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\">\n"
          "<button type=\"submit\">Look up</button>\n</form>\n", f);
}

static void finish_page(struct page *p, const struct dx_web *w, struct dx_web_resp *out,
                        int status)
{
    FILE *f = p->f;
    fputs("</main>\n<footer>", f);
    if (w->conf->web.contact) {
        fputs("Questions about a listing: <strong>", f);
        dx_web_html(f, w->conf->web.contact);
        fputs("</strong>. ", f);
    }
    fputs("Lookups work without JavaScript; <a href=\"/api/v1/lookup?q=192.0.2.1\">"
          "/api/v1/lookup?q=</a> answers the same in JSON.</footer>\n</body></html>\n", f);
    if (fclose(p->f) != 0 || !p->buf) {
        free(p->buf);
        out->status = 500;
        out->body = NULL;
        out->len = 0;
        return;
    }
    out->status = status;
    out->type = "text/html; charset=utf-8";
    out->body = p->buf;
    out->len = p->len;
}

void dx_web_page_error(struct dx_web *w, int status, const char *msg, bool json,
                       struct dx_web_resp *out)
{
    struct page p;
    memset(out, 0, sizeof(*out));
    if (!page_open(&p)) {
        out->status = 500;
        return;
    }
    if (json) {
        struct dx_json j;
        dx_json_init(&j, p.f);
        dx_json_obj_begin(&j, NULL);
        dx_json_str(&j, "error", msg);
        dx_json_obj_end(&j);
        fclose(p.f);
        out->status = status;
        out->type = "application/json; charset=utf-8";
        out->body = p.buf;
        out->len = p.len;
        return;
    }
    head(&p, w, "Error");
    fputs("<div class=\"card error\"><p>", p.f);
    dx_web_html(p.f, msg);
    fputs("</p></div>\n", p.f);
    lookup_form(p.f, NULL);
    finish_page(&p, w, out, status);
}

/* ---- the lookup: one model for the page and the API --------------------------- */

struct row {
    const struct dx_zone_conf *z;
    const struct dx_list_conf *l;
    bool listed, excluded;
    struct dx_key by;            /* the entry that lists (or excludes) the key */
    struct dx_entry e;           /* strings in the map of the txn */
    int verdict;                 /* dx_removal_verdict, when listed */
};

#define ROWS_MAX 256

/* Parse the query: one address or one name (no range, no wildcard). */
static const char *parse_query(const char *q, struct dx_key *k)
{
    if (!q || !*q)
        return "enter an IP address or a domain name";
    if (strlen(q) > DX_KEY_NAME_MAX)
        return "that is too long for an address or a domain name";
    if (dx_key_parse(q, k))
        return "that is not an IP address or a domain name";
    if (k->family == DX_FAM_DOMAIN ? k->plen != 0 : k->plen != k->len * 8)
        return "enter one address or one domain name, not a range or a wildcard";
    return NULL;
}

/* Every list of every zone of k's kind: listed or not, by which entry. */
static int build_rows(struct dx_web *w, struct dx_txn *t, const struct dx_key *k, uint64_t now,
                      struct row *rows, size_t *nrows)
{
    size_t n = 0;
    bool domain = k->family == DX_FAM_DOMAIN;
    for (size_t zi = 0; zi < w->conf->n_zones; zi++) {
        const struct dx_zone_conf *z = &w->conf->zones[zi];
        if ((z->kind == DX_ZONE_DOMAIN) != domain)
            continue;
        for (size_t li = 0; li < z->n_lists && n < ROWS_MAX; li++) {
            struct row *r = &rows[n++];
            memset(r, 0, sizeof(*r));
            r->z = z;
            r->l = &z->lists[li];
            int rc = dx_deciding_entry(t, now, z->name, r->l->name, k, &r->by, &r->e);
            if (rc == DX_ENOTFOUND)
                continue;
            if (rc)
                return rc;
            if (r->e.flags & DX_ENTRY_EXCLUDE) {
                r->excluded = true;
                continue;
            }
            r->listed = true;
            if ((rc = dx_removal_verdict(t, r->l, k, now, &r->verdict, NULL, NULL)))
                return rc;
        }
    }
    *nrows = n;
    return 0;
}

static const char *removal_word(int removal)
{
    return removal == DX_REMOVAL_SELF ? "self" : removal == DX_REMOVAL_REVIEW ? "review" : "none";
}

/* Who acted, as the public may see it: never the source itself. */
static const char *actor(const char *source)
{
    if (!source)
        return "automatic";
    if (strcmp(source, DX_SOURCE_SELF) == 0)
        return "self-service";
    if (strncmp(source, "admin", 5) == 0)
        return "operator";
    if (strcmp(source, "web") == 0)
        return "requester";
    return "automatic";
}

struct hist_ctx {
    struct dx_web *w;
    FILE *f;
    struct dx_json *j;
    size_t n;
};

static const struct dx_list_conf *hist_list(const struct dx_web *w, const struct dx_hist *h)
{
    const struct dx_zone_conf *z = h->zone ? dx_conf_zone(w->conf, h->zone) : NULL;
    return z && h->list ? dx_conf_list(z, h->list) : NULL;
}

static const char *hist_text(int action)
{
    switch (action) {
    case DX_HIST_LIST:    return "Listed";
    case DX_HIST_RELIST:  return "Listed again";
    case DX_HIST_UPDATE:  return "Seen again (listing extended)";
    case DX_HIST_DELIST:  return "Removed";
    case DX_HIST_EXPIRE:  return "Expired";
    case DX_HIST_HOLD:    return "Relisting held back";
    case DX_HIST_REJECT:  return "Not listed (policy)";
    case DX_HIST_REQUEST: return "Removal requested";
    case DX_HIST_DENY:    return "Removal request denied";
    }
    return "Changed";
}

static int hist_cb(void *arg, const struct dx_hist *h)
{
    struct hist_ctx *hc = arg;
    const struct dx_list_conf *l = hist_list(hc->w, h);
    if (!l)
        return 0;               /* a list no longer configured: not shown */
    const char *reason = l->public_reason ? h->reason : NULL;
    char at[32];
    dx_print_time(h->at, at, sizeof(at));
    hc->n++;
    if (hc->j) {
        dx_json_obj_begin(hc->j, NULL);
        dx_json_time(hc->j, "at", h->at);
        dx_json_str(hc->j, "action", dx_hist_action_name(h->action));
        dx_json_str(hc->j, "zone", l->zone->name);
        dx_json_str(hc->j, "list", l->name);
        dx_json_str(hc->j, "by", actor(h->source));
        dx_json_str(hc->j, "reason", reason);
        dx_json_obj_end(hc->j);
        return 0;
    }
    FILE *f = hc->f;
    fputs("<li><span class=\"mute\">", f);
    dx_web_html(f, at);
    fputs("</span><br>", f);
    dx_web_html(f, hist_text(h->action));
    fputs(" \xe2\x80\x93 ", f);
    dx_web_html(f, l->target);
    if (h->action == DX_HIST_DELIST || h->action == DX_HIST_DENY) {
        fputs(" (", f);
        dx_web_html(f, actor(h->source));
        fputs(")", f);
    }
    if (reason && *reason) {
        fputs(": ", f);
        dx_web_html(f, reason);
    }
    fputs("</li>\n", f);
    return 0;
}

/* The key's history, then that of each wider entry listing it. */
static int history(struct dx_web *w, struct dx_txn *t, const struct dx_key *k,
                   const struct row *rows, size_t n, FILE *f, struct dx_json *j, size_t *count)
{
    struct hist_ctx hc = { .w = w, .f = f, .j = j };
    int rc = dx_history_foreach(t, k, hist_cb, &hc);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!rows[i].listed && !rows[i].excluded)
            continue;
        char a[DX_KEY_TEXT_MAX], b[DX_KEY_TEXT_MAX];
        dx_key_format(k, a, sizeof(a));
        dx_key_format(&rows[i].by, b, sizeof(b));
        bool seen = strcmp(a, b) == 0;
        for (size_t m = 0; m < i && !seen; m++) {
            char c[DX_KEY_TEXT_MAX];
            dx_key_format(&rows[m].by, c, sizeof(c));
            seen = (rows[m].listed || rows[m].excluded) && strcmp(b, c) == 0;
        }
        if (!seen)
            rc = dx_history_foreach(t, &rows[i].by, hist_cb, &hc);
    }
    *count = hc.n;
    return rc;
}

static void when(FILE *f, uint64_t t, const char *none)
{
    char b[32];
    if (t == 0) {
        dx_web_html(f, none);
        return;
    }
    dx_print_time(t, b, sizeof(b));
    dx_web_html(f, b);
}

void dx_web_page_lookup(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out)
{
    memset(out, 0, sizeof(*out));
    struct page p;
    if (!page_open(&p)) {
        out->status = 500;
        return;
    }
    FILE *f = p.f;
    head(&p, w, r->q && *r->q ? r->q : NULL);
    fputs("<p>Look up an IP address (IPv4 or IPv6) or a domain name in the lists of ", f);
    dx_web_html(f, w->conf->web.title);
    fputs(".</p>\n", f);
    lookup_form(f, r->q);
    if (!r->q || !*r->q) {
        finish_page(&p, w, out, 200);
        return;
    }
    struct dx_key k;
    const char *bad = parse_query(r->q, &k);
    if (bad) {
        fputs("<div class=\"card error\"><p>", f);
        dx_web_html(f, bad);
        fputs(".</p></div>\n", f);
        finish_page(&p, w, out, 400);
        return;
    }
    struct dx_txn *t;
    int rc = dx_txn_read(w->st, &t);
    if (rc) {
        fclose(f);
        free(p.buf);
        dx_web_page_error(w, 503, "the lists cannot be read just now; try again later", false,
                          out);
        return;
    }
    uint64_t now = dx_now();
    static __thread struct row rows[ROWS_MAX];
    size_t n = 0, listed = 0;
    rc = build_rows(w, t, &k, now, rows, &n);
    char kt[DX_KEY_TEXT_MAX];
    dx_key_format(&k, kt, sizeof(kt));
    for (size_t i = 0; i < n; i++)
        listed += rows[i].listed;
    fputs("<section class=\"card\">\n<p class=\"summary\">", f);
    dx_web_html(f, kt);
    if (listed)
        fprintf(f, " is <span class=\"badge listed\">listed</span> in %zu of %zu list%s.", listed,
                n, n == 1 ? "" : "s");
    else
        fprintf(f, " is <span class=\"badge clean\">not listed</span> in any of the %zu list%s.",
                n, n == 1 ? "" : "s");
    fputs("</p>\n<table>\n<thead><tr><th>List</th><th>Status</th><th>Why</th><th>Since</th>"
          "<th>Expires</th><th>Removal</th></tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct row *x = &rows[i];
        char by[DX_KEY_TEXT_MAX];
        dx_key_format(&x->by, by, sizeof(by));
        bool wider = (x->listed || x->excluded) && strcmp(by, kt) != 0;
        fputs("<tr><td data-h=\"List\"><strong>", f);
        dx_web_html(f, x->l->target);
        fputs("</strong>", f);
        if (x->l->description) {
            fputs("<br><span class=\"mute\">", f);
            dx_web_html(f, x->l->description);
            fputs("</span>", f);
        }
        fputs("</td><td data-h=\"Status\">", f);
        if (x->listed)
            fputs("<span class=\"badge listed\">listed</span>", f);
        else if (x->excluded)
            fputs("<span class=\"badge excluded\">not listed (excepted)</span>", f);
        else
            fputs("<span class=\"badge clean\">not listed</span>", f);
        fputs("</td><td data-h=\"Why\">", f);
        if (x->listed || x->excluded) {
            if (wider) {
                fputs(x->listed ? "Listed as part of " : "Excepted from the listing of ", f);
                dx_web_html(f, by);
                fputs(". ", f);
            } else if (x->excluded) {
                fputs("Excepted from a wider listing of the list.", f);
            }
            if (x->l->public_reason && x->e.reason && *x->e.reason && x->listed)
                dx_web_html(f, x->e.reason);
            else if (x->listed && !x->l->public_reason)
                fputs("<span class=\"mute\">(the reason is not published)</span>", f);
        }
        fputs("</td><td data-h=\"Since\">", f);
        if (x->listed)
            when(f, x->e.first_seen, "");
        fputs("</td><td data-h=\"Expires\">", f);
        if (x->listed)
            when(f, x->e.expires_at, "until removed");
        fputs("</td><td data-h=\"Removal\">", f);
        if (x->listed && x->verdict != DX_RM_NOT_OFFERED) {
            fputs("<a href=\"/remove?q=", f);
            dx_web_url(f, kt);
            fputs("&amp;list=", f);
            dx_web_url(f, x->l->target);
            fputs("\">Request removal</a><br><span class=\"mute\">", f);
            dx_web_html(f, x->verdict == DX_RM_SELF ? "immediate (self-service)"
                                                    : "reviewed by the operator");
            fputs("</span>", f);
        } else if (x->listed) {
            fputs("<span class=\"mute\">not offered here", f);
            if (w->conf->web.contact) {
                fputs("; contact ", f);
                dx_web_html(f, w->conf->web.contact);
            }
            fputs("</span>", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n<section class=\"card\"><h2>History</h2>\n"
          "<ol class=\"timeline\">\n", f);
    size_t hn = 0;
    if (rc == 0)
        rc = history(w, t, &k, rows, n, f, NULL, &hn);
    if (hn == 0)
        fputs("<li>Nothing recorded.</li>\n", f);
    fputs("</ol></section>\n", f);
    dx_txn_abort(t);
    if (rc) {
        fclose(f);
        free(p.buf);
        dx_web_page_error(w, 503, "the lists cannot be read just now; try again later", false,
                          out);
        return;
    }
    finish_page(&p, w, out, 200);
}

void dx_web_api_lookup(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out)
{
    memset(out, 0, sizeof(*out));
    struct dx_key k;
    const char *bad = parse_query(r->q, &k);
    if (bad) {
        dx_web_page_error(w, 400, bad, true, out);
        return;
    }
    struct dx_txn *t;
    if (dx_txn_read(w->st, &t)) {
        dx_web_page_error(w, 503, "the lists cannot be read just now", true, out);
        return;
    }
    struct page p;
    if (!page_open(&p)) {
        dx_txn_abort(t);
        out->status = 500;
        return;
    }
    uint64_t now = dx_now();
    static __thread struct row rows[ROWS_MAX];
    size_t n = 0, listed = 0;
    int rc = build_rows(w, t, &k, now, rows, &n);
    char kt[DX_KEY_TEXT_MAX];
    dx_key_format(&k, kt, sizeof(kt));
    for (size_t i = 0; i < n; i++)
        listed += rows[i].listed;
    struct dx_json j;
    dx_json_init(&j, p.f);
    dx_json_obj_begin(&j, NULL);
    dx_json_str(&j, "query", kt);
    dx_json_bool(&j, "listed", listed > 0);
    dx_json_arr_begin(&j, "lists");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct row *x = &rows[i];
        char by[DX_KEY_TEXT_MAX], code[DX_CODE_TEXT_MAX];
        dx_key_format(&x->by, by, sizeof(by));
        dx_code_text(x->e.code ? x->e.code : x->l->code, code);
        dx_json_obj_begin(&j, NULL);
        dx_json_str(&j, "zone", x->z->name);
        dx_json_str(&j, "list", x->l->name);
        dx_json_bool(&j, "listed", x->listed);
        dx_json_bool(&j, "excluded", x->excluded);
        dx_json_str(&j, "entry", x->listed || x->excluded ? by : NULL);
        dx_json_str(&j, "code", x->listed ? code : NULL);
        dx_json_str(&j, "reason", x->listed && x->l->public_reason ? x->e.reason : NULL);
        dx_json_time(&j, "since", x->listed ? x->e.first_seen : 0);
        dx_json_time(&j, "expires", x->listed ? x->e.expires_at : 0);
        dx_json_str(&j, "removal", removal_word(x->l->removal));
        dx_json_obj_end(&j);
    }
    dx_json_arr_end(&j);
    dx_json_arr_begin(&j, "history");
    size_t hn;
    if (rc == 0)
        rc = history(w, t, &k, rows, n, NULL, &j, &hn);
    dx_json_arr_end(&j);
    dx_json_obj_end(&j);
    dx_txn_abort(t);
    if (fclose(p.f) != 0 || rc) {
        free(p.buf);
        dx_web_page_error(w, 503, "the lists cannot be read just now", true, out);
        return;
    }
    out->status = 200;
    out->type = "application/json; charset=utf-8";
    out->body = p.buf;
    out->len = p.len;
}

/* ---- removal ------------------------------------------------------------------- */

/* The list and key of a removal form or post; NULL and *why if bad. */
static const struct dx_list_conf *removal_target(struct dx_web *w, const struct dx_web_req *r,
                                                 struct dx_key *k, const char **why)
{
    if ((*why = parse_query(r->q, k)))
        return NULL;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    char err[300];
    if (!r->list || dx_conf_target(w->conf, r->list, false, &z, &l, err, sizeof(err))) {
        *why = "unknown list";
        return NULL;
    }
    if ((z->kind == DX_ZONE_DOMAIN) != (k->family == DX_FAM_DOMAIN)) {
        *why = "that list does not list this kind of key";
        return NULL;
    }
    return l;
}

static void target_text(const struct dx_list_conf *l, const struct dx_key *k, char *out,
                        size_t cap)
{
    char kt[DX_KEY_TEXT_MAX];
    dx_key_format(k, kt, sizeof(kt));
    snprintf(out, cap, "%s %s", kt, l->target);
}

static void hidden(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    dx_web_html(f, value);
    fputs("\">\n", f);
}

void dx_web_page_remove_form(struct dx_web *w, const struct dx_web_req *r,
                             struct dx_web_resp *out)
{
    memset(out, 0, sizeof(*out));
    struct dx_key k;
    const char *why;
    const struct dx_list_conf *l = removal_target(w, r, &k, &why);
    if (!l) {
        dx_web_page_error(w, 400, why, false, out);
        return;
    }
    struct dx_txn *t;
    if (dx_txn_read(w->st, &t)) {
        dx_web_page_error(w, 503, "the lists cannot be read just now; try again later", false,
                          out);
        return;
    }
    uint64_t now = dx_now();
    int verdict;
    uint32_t used = 0;
    int rc = dx_removal_verdict(t, l, &k, now, &verdict, NULL, &used);
    dx_txn_abort(t);
    if (rc) {
        dx_web_page_error(w, 503, "the lists cannot be read just now; try again later", false,
                          out);
        return;
    }
    char kt[DX_KEY_TEXT_MAX], tt[600];
    dx_key_format(&k, kt, sizeof(kt));
    if (verdict == DX_RM_NOT_LISTED || verdict == DX_RM_NOT_OFFERED) {
        dx_web_page_error(w, verdict == DX_RM_NOT_LISTED ? 404 : 403,
                          verdict == DX_RM_NOT_LISTED ? "that list does not list it: there is "
                          "nothing to remove" : "this list takes no removal requests here",
                          false, out);
        return;
    }
    /* the session: a random cookie, set here when the browser has none */
    char sid[33];
    if (r->sid && strlen(r->sid) == 32 && strspn(r->sid, "0123456789abcdef") == 32) {
        snprintf(sid, sizeof(sid), "%s", r->sid);
    } else {
        uint8_t raw[16];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(sid, sizeof(sid), raw, sizeof(raw));
        snprintf(out->cookie, sizeof(out->cookie),
                 "dnsxl_sid=%s; Path=/; HttpOnly; SameSite=Strict%s", sid,
                 r->secure ? "; Secure" : "");
    }
    target_text(l, &k, tt, sizeof(tt));
    char csrf[65], challenge[81];
    dx_web_csrf_make(w, sid, tt, now, csrf);
    dx_web_pow_make(w, tt, now, challenge);
    unsigned bits = w->conf->web.pow_bits;
    struct page p;
    char cookie[sizeof(out->cookie)];
    memcpy(cookie, out->cookie, sizeof(cookie));
    if (!page_open(&p)) {
        out->status = 500;
        return;
    }
    FILE *f = p.f;
    head(&p, w, "Removal request");
    fputs("<section class=\"card\">\n<h2>Remove ", f);
    dx_web_html(f, kt);
    fputs(" from ", f);
    dx_web_html(f, l->target);
    fputs("</h2>\n<p class=\"notice\">", f);
    char hold[32];
    dx_dur_format(l->removal_hold, hold, sizeof(hold));
    if (verdict == DX_RM_SELF) {
        fputs("This removes the listing <strong>at once</strong>. The list does not list it "
              "again automatically for ", f);
        dx_web_html(f, hold);
        fputs("; after that, new evidence lists it again. Fix the cause first. ", f);
        fprintf(f, "Self-service removal is possible %u time%s per key in ",
                l->removal_limit, l->removal_limit == 1 ? "" : "s");
        char per[32];
        dx_dur_format(l->removal_period, per, sizeof(per));
        dx_web_html(f, per);
        fputs(".", f);
    } else {
        fputs("The list's operator reviews this request", f);
        if (verdict == DX_RM_REVIEW_LIMIT)
            fputs(" (the self-service removals of this key are used up for now)", f);
        else if (verdict == DX_RM_REVIEW_WIDER)
            fputs(" (it is listed as part of a wider entry)", f);
        fputs(". You get a ticket to follow it; say what you fixed and how to reach you.", f);
    }
    fputs("</p>\n<form id=\"removal\" method=\"post\" action=\"/remove\" data-challenge=\"", f);
    dx_web_html(f, challenge);
    fprintf(f, "\" data-bits=\"%u\">\n", bits);
    hidden(f, "q", kt);
    hidden(f, "list", l->target);
    hidden(f, "csrf", csrf);
    hidden(f, "challenge", challenge);
    fprintf(f, "<label for=\"note\">What was wrong, and what did you fix?%s</label>\n"
               "<textarea id=\"note\" name=\"note\" maxlength=\"%d\"></textarea>\n"
               "<label for=\"contact\">Your e-mail address%s</label>\n"
               "<input type=\"email\" id=\"contact\" name=\"contact\" maxlength=\"%d\">\n",
            verdict == DX_RM_SELF ? " (optional)" : "", DX_WEB_NOTE_MAX,
            verdict == DX_RM_SELF ? " (optional)" : " (for questions about the request)",
            DX_WEB_CONTACT_MAX);
    fputs("<label for=\"nonce\">Proof of work</label>\n"
          "<input type=\"text\" id=\"nonce\" name=\"nonce\" inputmode=\"numeric\" "
          "maxlength=\"20\" autocomplete=\"off\">\n"
          "<p id=\"pow-status\" class=\"mute\">Your browser computes this number when "
          "JavaScript is on (a second or so).</p>\n<noscript><div class=\"notice\">\n"
          "<p>Without JavaScript, compute the number yourself (it keeps automated abuse "
          "expensive; no outside service is involved) and paste it above:</p>\n<pre>", f);
    fprintf(f, "python3 -c 'import hashlib,itertools as i;c=\"");
    dx_web_html(f, challenge);
    fprintf(f, "\";b=%u;print(next(n for n in i.count() if int.from_bytes(hashlib.sha256("
               "f\"{c}:{n}\".encode()).digest(),\"big\")>>(256-b)==0))'</pre>\n</div></noscript>\n",
            bits);
    fputs("<p><button type=\"submit\" id=\"send\">Send the request</button></p>\n</form>\n"
          "</section>\n<script src=\"/static/pow.js\"></script>\n", f);
    finish_page(&p, w, out, 200);
    memcpy(out->cookie, cookie, sizeof(cookie));
}

/* A note or contact as the request keeps it: blanks for line breaks and
 * tabs, no other control character, at most max octets. NULL when bad. */
static const char *clean_field(const char *in, size_t max, char *buf)
{
    size_t n = in ? strlen(in) : 0;
    if (n > max)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
        else if (c < 0x20 || c == 0x7f)
            return NULL;
        buf[i] = (char)c;
    }
    buf[n] = 0;
    return buf;
}

struct pending_ctx {
    const char *zone, *list, *key;
    uint64_t id, created;
    size_t open;
};

static int pending_cb(void *arg, const struct dx_request *rq)
{
    struct pending_ctx *pc = arg;
    if (rq->status != DX_REQ_PENDING)
        return 0;
    pc->open++;
    if (strcmp(rq->zone, pc->zone) == 0 && strcmp(rq->list, pc->list) == 0 &&
        strcmp(rq->key, pc->key) == 0) {
        pc->id = rq->id;
        pc->created = rq->created;
    }
    return 0;
}

#define PENDING_MAX 10000            /* open requests at most: the queue stays reviewable */

void dx_web_page_remove(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out)
{
    memset(out, 0, sizeof(*out));
    struct dx_key k;
    const char *why;
    const struct dx_list_conf *l = removal_target(w, r, &k, &why);
    if (!l) {
        dx_web_page_error(w, 400, why, false, out);
        return;
    }
    uint64_t now = dx_now();
    char tt[600], kt[DX_KEY_TEXT_MAX];
    target_text(l, &k, tt, sizeof(tt));
    dx_key_format(&k, kt, sizeof(kt));
    if (!dx_web_csrf_check(w, r->sid, tt, r->csrf, now)) {
        dx_web_page_error(w, 403, "the form's token does not match this browser session (or "
                          "has expired): open the removal form again from the lookup page",
                          false, out);
        return;
    }
    char note[DX_WEB_NOTE_MAX + 1], contact[DX_WEB_CONTACT_MAX + 1];
    const char *nt = clean_field(r->note, DX_WEB_NOTE_MAX, note);
    const char *ct = clean_field(r->contact, DX_WEB_CONTACT_MAX, contact);
    if (!nt || !ct) {
        dx_web_page_error(w, 400, "the note or the address is too long or holds control "
                          "characters", false, out);
        return;
    }
    if ((why = dx_web_pow_check(w, tt, r->challenge, r->nonce, now))) {
        dx_web_page_error(w, 403, why, false, out);
        return;
    }
    struct dx_txn *t;
    if (dx_txn_write(w->st, now, &t)) {
        dx_web_page_error(w, 503, "the lists cannot be written just now; try again later",
                          false, out);
        return;
    }
    int verdict, rc = dx_removal_verdict(t, l, &k, now, &verdict, NULL, NULL);
    int what = 0;
    struct dx_request rq = { .status = DX_REQ_PENDING, .created = now, .zone = l->zone->name,
                             .list = l->name, .key = kt, .note = *nt ? nt : NULL,
                             .contact = *ct ? ct : NULL, .client = r->client };
    struct pending_ctx pc = { .zone = l->zone->name, .list = l->name, .key = kt };
    if (rc == 0 && verdict == DX_RM_SELF) {
        rc = dx_removal_apply(t, l, &k, DX_SOURCE_SELF, "self-service removal request", now,
                              false, &what);
    } else if (rc == 0 && verdict >= DX_RM_REVIEW) {
        rc = dx_request_foreach(t, pending_cb, &pc);
        if (rc == 0 && pc.id == 0 && pc.open < PENDING_MAX) {
            randombytes_buf(rq.token, sizeof(rq.token));
            rc = dx_request_add(t, &rq);
            char rs[64];
            snprintf(rs, sizeof(rs), "removal request %llu", (unsigned long long)rq.id);
            struct dx_hist h = { .at = now, .action = DX_HIST_REQUEST, .zone = l->zone->name,
                                 .list = l->name, .source = "web", .reason = rs };
            if (rc == 0)
                rc = dx_history_add(t, &k, &h);
        }
    }
    if (rc == 0 && (what || rq.id))
        rc = dx_txn_commit(t);
    else
        dx_txn_abort(t);
    if (rc) {
        dx_web_page_error(w, 503, "the request could not be recorded; try again later", false,
                          out);
        return;
    }
    if (verdict == DX_RM_NOT_LISTED || verdict == DX_RM_NOT_OFFERED ||
        (verdict == DX_RM_SELF && !what)) {
        dx_web_page_error(w, 409, verdict != DX_RM_NOT_OFFERED ? "it is not listed there (any "
                          "more): nothing to remove" : "this list takes no removal requests "
                          "here", false, out);
        return;
    }
    if (verdict >= DX_RM_REVIEW && !rq.id) {
        dx_web_page_error(w, 409, pc.id ? "a removal request for it is already waiting for "
                          "review; its ticket was given to whoever sent it" : "too many "
                          "requests are waiting for review; try again later", false, out);
        return;
    }
    fprintf(stderr, "dnsxl-web: %s %s in %s for %s\n", what ? "removed" : "queued request",
            kt, l->target, r->client);
    struct page p;
    if (!page_open(&p)) {
        out->status = 500;
        return;
    }
    FILE *f = p.f;
    head(&p, w, what ? "Removed" : "Request received");
    fputs("<section class=\"card\">\n", f);
    if (what) {
        fputs("<h2>Removed</h2>\n<p>", f);
        dx_web_html(f, kt);
        fputs(" is no longer listed in ", f);
        dx_web_html(f, l->target);
        fputs(". DNS answers say so from now on; resolvers may keep an old answer for up to "
              "the zone's TTL.</p>\n", f);
    } else {
        char tok[2 * DX_REQ_TOKEN + 1];
        sodium_bin2hex(tok, sizeof(tok), rq.token, sizeof(rq.token));
        fprintf(f, "<h2>Ticket %llu</h2>\n<p>Your request to remove ", (unsigned long long)rq.id);
        dx_web_html(f, kt);
        fputs(" from ", f);
        dx_web_html(f, l->target);
        fprintf(f, " waits for review. Keep this link to follow it: <a id=\"ticket\" "
                   "href=\"/request?id=%llu&amp;t=%s\">ticket %llu</a>.</p>\n",
                (unsigned long long)rq.id, tok, (unsigned long long)rq.id);
    }
    fputs("<p><a href=\"/?q=", f);
    dx_web_url(f, kt);
    fputs("\">Look it up again</a></p>\n</section>\n", f);
    finish_page(&p, w, out, 200);
}

void dx_web_page_status(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t id = 0;
    uint8_t tok[DX_REQ_TOKEN];
    if (!r->id || dx_uint_parse(r->id, UINT64_MAX, &id) || !r->token ||
        strlen(r->token) != 2 * DX_REQ_TOKEN ||
        sodium_hex2bin(tok, sizeof(tok), r->token, 2 * DX_REQ_TOKEN, NULL, NULL, NULL)) {
        dx_web_page_error(w, 404, "no such ticket", false, out);
        return;
    }
    struct dx_txn *t;
    if (dx_txn_read(w->st, &t)) {
        dx_web_page_error(w, 503, "the requests cannot be read just now", false, out);
        return;
    }
    struct dx_request rq;
    int rc = dx_request_get(t, id, &rq);
    if (rc || sodium_memcmp(rq.token, tok, sizeof(tok)) != 0) {
        dx_txn_abort(t);
        dx_web_page_error(w, 404, "no such ticket", false, out);
        return;
    }
    struct page p;
    if (!page_open(&p)) {
        dx_txn_abort(t);
        out->status = 500;
        return;
    }
    FILE *f = p.f;
    head(&p, w, "Ticket");
    fprintf(f, "<section class=\"card\">\n<h2>Ticket %llu</h2>\n<table><tbody>\n",
            (unsigned long long)rq.id);
    fputs("<tr><th>Status</th><td id=\"status\">", f);
    dx_web_html(f, dx_request_status_name(rq.status));
    fputs("</td></tr>\n<tr><th>Removal of</th><td>", f);
    dx_web_html(f, rq.key);
    fputs(" from ", f);
    dx_web_html(f, rq.zone);
    fputs("/", f);
    dx_web_html(f, rq.list);
    fputs("</td></tr>\n<tr><th>Sent</th><td>", f);
    when(f, rq.created, "");
    fputs("</td></tr>\n", f);
    if (rq.status != DX_REQ_PENDING) {
        fputs("<tr><th>Decided</th><td>", f);
        when(f, rq.decided, "");
        fputs("</td></tr>\n", f);
    }
    if (rq.decision) {
        fputs("<tr><th>The operator's note</th><td>", f);
        dx_web_html(f, rq.decision);
        fputs("</td></tr>\n", f);
    }
    if (rq.note) {
        fputs("<tr><th>Your note</th><td>", f);
        dx_web_html(f, rq.note);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<p><a href=\"/?q=", f);
    dx_web_url(f, rq.key);
    fputs("\">Look it up</a></p>\n</section>\n", f);
    dx_txn_abort(t);
    finish_page(&p, w, out, 200);
}
