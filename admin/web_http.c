/* dnsxl-web's HTTP side (admin/web.h), on libmicrohttpd: a fixed table of
 * routes, GET/HEAD/POST only, request bodies of at most DX_WEB_BODY_MAX
 * bytes (a form: application/x-www-form-urlencoded, each field bounded),
 * headers within the connection's memory limit, idle connections closed
 * after a timeout, connections per client address bounded, lookups and
 * removal requests counted per client address (IPv6: its /64) in fixed
 * memory (zones/window.h), and the same security headers on every answer:
 * a Content-Security-Policy that allows only this site's own style sheet
 * and script, no framing, no sniffing, no referrer. */
#include "admin/web.h"

#include "zones/clock.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/listen.h"
#include "zones/window.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONN_MAX      256            /* connections at once */
#define CONN_PER_IP   16             /* ... from one address (no trusted proxy) */
#define CONN_TIMEOUT  10             /* seconds a connection may be idle */
#define CONN_MEMORY   (32 * 1024)    /* per connection: bounds the request line and headers */
#define THREADS       4
#define FIELD_MAX     (DX_WEB_NOTE_MAX * 6 + 16)   /* a field, as the form sends it decoded */

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'";

/* A POST in progress. */
struct post {
    struct MHD_PostProcessor *pp;
    size_t total;
    bool too_big, bad_field;
    char *field[8];                  /* q list note contact csrf challenge nonce */
    size_t flen[8];
};

static const char *const field_names[] = { "q", "list", "note", "contact", "csrf", "challenge",
                                            "nonce", NULL };

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    struct post *ps = cls;
    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding, (void)off;
    for (int i = 0; field_names[i]; i++) {
        if (strcmp(key, field_names[i]) != 0)
            continue;
        if (ps->flen[i] + size > FIELD_MAX) {
            ps->too_big = true;
            return MHD_NO;
        }
        char *n = realloc(ps->field[i], ps->flen[i] + size + 1);
        if (!n) {
            ps->bad_field = true;
            return MHD_NO;
        }
        memcpy(n + ps->flen[i], data, size);
        ps->flen[i] += size;
        n[ps->flen[i]] = 0;
        ps->field[i] = n;
        return MHD_YES;
    }
    return MHD_YES;                  /* fields we do not know are ignored */
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    struct post *ps = *con_cls;
    if (!ps)
        return;
    if (ps->pp)
        MHD_destroy_post_processor(ps->pp);
    for (int i = 0; i < 8; i++)
        free(ps->field[i]);
    free(ps);
    *con_cls = NULL;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct dx_web_resp *r, bool cache)
{
    if (!r->body) {
        static const char oops[] = "internal error\n";
        r->status = 500;
        r->type = "text/plain; charset=utf-8";
        r->body = strdup(oops);
        r->len = r->body ? sizeof(oops) - 1 : 0;
    }
    struct MHD_Response *resp =
        r->body ? MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE)
                : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "text/plain");
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", cache ? "public, max-age=3600" : "no-store");
    if (r->cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->cookie);
    if (r->retry_after) {
        char ra[24];
        snprintf(ra, sizeof(ra), "%u", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_static(struct MHD_Connection *c, const char *text, const char *type)
{
    struct dx_web_resp r = { .status = 200, .type = type, .body = strdup(text),
                             .len = strlen(text) };
    return send_resp(c, &r, true);
}

static enum MHD_Result send_error(struct dx_web *w, struct MHD_Connection *c, int status,
                                  const char *msg, bool json, unsigned retry)
{
    struct dx_web_resp r;
    dx_web_page_error(w, status, msg, json, &r);
    r.retry_after = retry;
    return send_resp(c, &r, false);
}

/* The client's address: the peer, or, when the peer is a trusted proxy,
 * the last address of X-Forwarded-For that is no trusted proxy (the ones
 * before it were written by the client and prove nothing). */
static void client_of(struct dx_web *w, struct MHD_Connection *c, struct dx_key *k, char *text,
                      size_t cap, bool *secure)
{
    memset(k, 0, sizeof(*k));
    *secure = false;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
                                                                 MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        dx_key_from_addr(k, (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr, 4);
    else if (sa && sa->sa_family == AF_INET6)
        dx_key_from_addr(k, (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    const struct dx_acl *proxies = &w->conf->web.trusted_proxy;
    if (k->len && dx_acl_match(proxies, k)) {
        const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
        *secure = proto && strcasecmp(proto, "https") == 0;
        const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", xff ? xff : "");
        for (char *end = buf + strlen(buf); end > buf;) {
            char *comma = end;
            while (comma > buf && comma[-1] != ',')
                comma--;
            char *a = comma;
            *end = 0;
            while (*a == ' ' || *a == '\t')
                a++;
            for (char *z = a + strlen(a); z > a && (z[-1] == ' ' || z[-1] == '\t');)
                *--z = 0;
            uint8_t raw[16];
            int fam = dx_addr_parse(a, 0, raw);
            if (fam <= 0)
                break;               /* garbage: keep what we have */
            dx_key_from_addr(k, raw, fam == DX_FAM_V4 ? 4 : 16);
            if (!dx_acl_match(proxies, k))
                break;
            end = comma > buf ? comma - 1 : buf;
        }
    }
    if (dx_key_format(k, text, cap) < 0)
        snprintf(text, cap, "unknown");
}

/* Over the client's limit (a sketch of counts per address, IPv6 /64)? */
static bool over(struct dx_sketch *s, uint32_t limit, const struct dx_key *client, uint64_t now)
{
    if (!s || limit == 0)
        return false;
    size_t len = client->family == DX_FAM_V6 ? 8 : client->len;
    return dx_sketch_add(s, client->addr, len, now) > limit;
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct dx_web *w = cls;
    (void)version;
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool api = strncmp(url, "/api/", 5) == 0;
    if (!post && !get)
        return send_error(w, c, 405, "only GET, HEAD and POST are served", api, 0);
    if (post) {
        struct post *ps = *con_cls;
        if (!ps) {
            if (strcmp(url, "/remove") != 0)
                return send_error(w, c, 405, "nothing here takes a POST", api, 0);
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
            uint64_t clen = 0;
            if (cl && (dx_uint_parse(cl, UINT64_MAX, &clen) || clen > DX_WEB_BODY_MAX))
                return send_error(w, c, 413, "the request is too large", false, 0);
            ps = calloc(1, sizeof(*ps));
            if (!ps)
                return MHD_NO;
            *con_cls = ps;
            ps->pp = MHD_create_post_processor(c, 1024, post_iter, ps);
            if (!ps->pp)
                return send_error(w, c, 415, "the form must be sent as "
                                  "application/x-www-form-urlencoded", false, 0);
            return MHD_YES;
        }
        if (*upload_size) {
            size_t n = *upload_size;
            *upload_size = 0;
            ps->total += n;
            if (ps->too_big || ps->bad_field)
                return MHD_YES;      /* the answer is queued after the body */
            if (ps->total > DX_WEB_BODY_MAX) {
                ps->too_big = true;
                return MHD_YES;
            }
            if (MHD_post_process(ps->pp, upload, n) != MHD_YES && !ps->too_big)
                ps->bad_field = true;
            return MHD_YES;
        }
        if (ps->too_big)
            return send_error(w, c, 413, "the request is too large", false, 0);
        if (ps->bad_field)
            return send_error(w, c, 400, "a field of the form is too long or malformed", false,
                              0);
    } else if (*con_cls == NULL && *upload_size) {
        return send_error(w, c, 400, "a GET has no body", api, 0);
    }

    struct dx_web_req r;
    memset(&r, 0, sizeof(r));
    struct dx_key client;
    client_of(w, c, &client, r.client, sizeof(r.client), &r.secure);
    r.sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "dnsxl_sid");
    uint64_t now = dx_now();
    struct dx_web_resp resp;

    if (get && strcmp(url, "/static/style.css") == 0)
        return send_static(c, dx_web_css, "text/css; charset=utf-8");
    if (get && strcmp(url, "/static/pow.js") == 0)
        return send_static(c, dx_web_pow_js, "text/javascript; charset=utf-8");
    if (get && (strcmp(url, "/") == 0 || strcmp(url, "/api/v1/lookup") == 0)) {
        r.q = arg(c, "q");
        if (r.q && *r.q && over(w->lookups, w->conf->web.lookup_limit, &client, now))
            return send_error(w, c, 429, "too many lookups from your address; try again later",
                              api, (unsigned)w->conf->web.lookup_period);
        if (api)
            dx_web_api_lookup(w, &r, &resp);
        else
            dx_web_page_lookup(w, &r, &resp);
        return send_resp(c, &resp, false);
    }
    if (get && strcmp(url, "/remove") == 0) {
        r.q = arg(c, "q");
        r.list = arg(c, "list");
        dx_web_page_remove_form(w, &r, &resp);
        return send_resp(c, &resp, false);
    }
    if (get && strcmp(url, "/request") == 0) {
        r.id = arg(c, "id");
        r.token = arg(c, "t");
        dx_web_page_status(w, &r, &resp);
        return send_resp(c, &resp, false);
    }
    if (post) {
        struct post *ps = *con_cls;
        if (over(w->requests, w->conf->web.request_limit, &client, now))
            return send_error(w, c, 429, "too many removal requests from your address; try "
                              "again later", false, (unsigned)w->conf->web.request_period);
        const char **dst[] = { &r.q, &r.list, &r.note, &r.contact, &r.csrf, &r.challenge,
                               &r.nonce };
        for (int i = 0; i < 7; i++)
            *dst[i] = ps->field[i];
        dx_web_page_remove(w, &r, &resp);
        return send_resp(c, &resp, false);
    }
    return send_error(w, c, 404, "there is no such page", api, 0);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("dnsxl-web: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int dx_web_serve(struct dx_web *w, volatile int *stop)
{
    struct dx_listen l;
    char why[256];
    if (dx_listen_from_text(w->conf->web.listen, &l, why, sizeof(why))) {
        fprintf(stderr, "dnsxl-web: [web] listen: %s\n", why);
        return 1;
    }
    struct sockaddr_storage ss;
    dx_listen_sockaddr(&l, &ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (l.family == DX_FAM_V6)
        flags |= MHD_USE_IPv6;
    unsigned per_ip = w->conf->web.trusted_proxy.n ? 0 : CONN_PER_IP;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, l.port, NULL, NULL, handle, w,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, w,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, completed, w,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "dnsxl-web: cannot listen on %s (in use, or not an address of this "
                "host?)\n", w->conf->web.listen);
        return 1;
    }
    fprintf(stderr, "dnsxl-web: serving http://%s/\n", w->conf->web.listen);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    while (!*stop) {
        int sig;
        if (sigwait(&set, &sig) == 0)
            *stop = 1;
    }
    MHD_stop_daemon(d);
    fprintf(stderr, "dnsxl-web: stopped\n");
    return 0;
}
