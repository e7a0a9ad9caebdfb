/* The metrics' HTTP server (http.h): a bounded reader of one request head
 * per connection, on the main loop. */
#include "dnsxld/http.h"
#include "dnsxld/log.h"
#include "zones/err.h"
#include "zones/listen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- the request head (RFC 9112 2-3, 5) ----------------------------------------- */

static bool tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the line at p (its length without CR LF or LF), or -1. */
static long line_len(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return -1;
    return (long)(nl - p) - (nl > p && nl[-1] == '\r');
}

int dx_http_request(const char *buf, size_t len, const char *path, bool *head)
{
    const char *end = NULL;
    for (size_t i = 0; i + 1 < len && !end; i++)   /* the blank line ends the head */
        if (buf[i] == '\n' && (buf[i + 1] == '\n' ||
                               (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
            end = buf + i + 1;
    if (!end)
        return len >= DX_HTTP_HEAD_MAX ? 413 : 0;
    if (end - buf > DX_HTTP_HEAD_MAX)
        return 413;
    for (const char *p = buf; p < end; p++)        /* no control byte but HTAB, CR, LF */
        if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') ||
            *p == 0x7f)
            return 400;
    /* request-line = method SP request-target SP HTTP-version */
    long n = line_len(buf, end);
    const char *sp1 = memchr(buf, ' ', (size_t)n), *le = buf + n;
    if (!sp1 || sp1 == buf)
        return 400;
    for (const char *p = buf; p < sp1; p++)
        if (!tchar(*p))
            return 400;
    const char *tgt = sp1 + 1, *sp2 = memchr(tgt, ' ', (size_t)(le - tgt));
    if (!sp2 || sp2 == tgt || *tgt != '/' || memchr(tgt, '\t', (size_t)(sp2 - tgt)))
        return 400;
    const char *ver = sp2 + 1;
    size_t vl = (size_t)(le - ver);
    if (vl != 8 || memcmp(ver, "HTTP/", 5) != 0 || ver[5] < '0' || ver[5] > '9' ||
        ver[6] != '.' || ver[7] < '0' || ver[7] > '9')
        return 400;
    if (ver[5] != '1')
        return 505;
    bool v11 = ver[7] != '0', host = false;
    /* header-field = field-name ":" OWS field-value OWS; no folding */
    for (const char *p = buf + n + 1 + (buf[n] == '\r'); p < end && *p != '\r' && *p != '\n';) {
        long hl = line_len(p, end);
        const char *colon = memchr(p, ':', (size_t)hl);
        if (!colon || colon == p)
            return 400;
        for (const char *q = p; q < colon; q++)
            if (!tchar(*q))
                return 400;
        if (colon - p == 4 && strncasecmp(p, "host", 4) == 0) {
            if (host)
                return 400;                        /* RFC 9112 3.2: one Host */
            host = true;
        }
        p += hl + 1 + (p[hl] == '\r');
    }
    if (v11 && !host)
        return 400;
    const char *qm = memchr(tgt, '?', (size_t)(sp2 - tgt));
    size_t pl = (size_t)((qm ? qm : sp2) - tgt);
    if (pl != strlen(path) || memcmp(tgt, path, pl) != 0)
        return 404;
    size_t ml = (size_t)(sp1 - buf);
    *head = ml == 4 && memcmp(buf, "HEAD", 4) == 0;
    if (!*head && !(ml == 3 && memcmp(buf, "GET", 3) == 0))
        return 405;
    return 200;
}

/* --- the server ------------------------------------------------------------------ */

struct conn;

struct dx_http {
    uv_tcp_t listener;
    bool listening;
    const char *path, *ctype;
    dx_http_fn fn;
    void *arg;
    struct conn *conns;              /* open connections */
    unsigned n_conns;
    bool stopping;
};

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t wr;
    uv_shutdown_t sd;
    struct dx_http *h;
    struct conn *prev, *next;
    unsigned open_handles;
    bool answered;
    struct sockaddr_storage peer;    /* its address (the port aside: same_peer) */
    char *out;                       /* the response being written */
    size_t len;
    char buf[DX_HTTP_HEAD_MAX + 1];
};

static void listener_closed(uv_handle_t *hd)
{
    struct dx_http *h = hd->data;
    h->listening = false;
    if (h->n_conns == 0)
        free(h);
}

static void conn_closed(uv_handle_t *hd)
{
    struct conn *c = hd->data;
    if (--c->open_handles > 0)
        return;
    struct dx_http *h = c->h;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->n_conns--;
    free(c->out);
    free(c);
    if (h->stopping && h->n_conns == 0 && !h->listening)
        free(h);
}

static void conn_close(struct conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
    if (!uv_is_closing((uv_handle_t *)&c->timer))
        uv_close((uv_handle_t *)&c->timer, conn_closed);
}

static void on_timeout(uv_timer_t *t);

/* After the response: the write side shut, what the client still sends is
 * read and dropped until it closes (or DX_HTTP_LINGER_MS), so that closing
 * with unread bytes does not reset the connection before the client has
 * read the response (RFC 9112 9.6). */
static void shut(uv_shutdown_t *req, int status)
{
    if (status != 0)
        conn_close(req->data);
}

static void written(uv_write_t *req, int status)
{
    struct conn *c = req->data;
    if (status == 0 && uv_shutdown(&c->sd, (uv_stream_t *)&c->tcp, shut) == 0) {
        uv_timer_start(&c->timer, on_timeout, DX_HTTP_LINGER_MS, 0);  /* the linger */
        return;
    }
    conn_close(c);
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    }
    return "Internal Server Error";
}

/* Send the response (body: malloc'd, taken; NULL: the reason as text);
 * close once it is out and the client has closed its side (shut). */
static void respond(struct conn *c, int status, char *body, size_t blen, bool head)
{
    c->answered = true;
    uv_timer_start(&c->timer, on_timeout, DX_HTTP_TIMEOUT_MS, 0);   /* the write's bound */
    char text[64];
    if (!body) {
        blen = (size_t)snprintf(text, sizeof(text), "%s\n", reason(status));
    }
    char hdr[256];
    int hn = snprintf(hdr, sizeof(hdr),
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: close\r\n\r\n",
                      status, reason(status), status == 200 ? c->h->ctype : "text/plain",
                      blen, status == 405 ? "Allow: GET, HEAD\r\n" : "");
    size_t total = (size_t)hn + (head ? 0 : blen);
    c->out = malloc(total);
    if (!c->out) {
        free(body);
        conn_close(c);
        return;
    }
    memcpy(c->out, hdr, (size_t)hn);
    if (!head)
        memcpy(c->out + hn, body ? body : text, blen);
    free(body);
    c->len = total;
    uv_buf_t b = uv_buf_init(c->out, (unsigned)total);
    c->wr.data = c;
    c->sd.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, written) != 0)
        conn_close(c);
}

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = hd->data;
    (void)suggested;
    if (c->answered) {                  /* read and dropped (shut) */
        buf->base = c->buf;
        buf->len = sizeof(c->buf);
        return;
    }
    buf->base = c->buf + c->len;
    buf->len = sizeof(c->buf) - c->len;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    (void)buf;
    if (c->answered) {
        if (nread < 0)                  /* the client is done: close */
            conn_close(c);
        return;
    }
    if (nread < 0) {                    /* EOF or an error before a whole head */
        conn_close(c);
        return;
    }
    c->len += (size_t)nread;
    bool head = false;
    int st = dx_http_request(c->buf, c->len, c->h->path, &head);
    if (st == 0)
        return;
    if (st != 200) {
        respond(c, st, NULL, 0, false);
        return;
    }
    char *body = NULL;
    size_t blen = 0;
    if (c->h->fn(c->h->arg, &body, &blen) != 0) {
        free(body);
        respond(c, 500, NULL, 0, head);
        return;
    }
    respond(c, 200, body, blen, head);
}

static void on_timeout(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (c->answered)
        conn_close(c);                  /* lingered long enough */
    else
        respond(c, 408, NULL, 0, false);
}

static bool same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                      &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return false;
}

/* Room for the new connection c (the newest, first in the list): false if
 * its address holds DX_HTTP_PEER_CONNS open connections already; else, with
 * DX_HTTP_CONNS open, the oldest that has not sent a whole request head is
 * closed (an idle connection cannot keep a scrape out); if every one is
 * being answered, false. */
static bool make_room(struct dx_http *h, struct conn *c, bool *peer_full)
{
    unsigned open = 0, same = 0;
    struct conn *idle = NULL;
    for (struct conn *o = c->next; o; o = o->next) {
        if (uv_is_closing((uv_handle_t *)&o->tcp))
            continue;
        open++;
        if (same_peer(&o->peer, &c->peer))
            same++;
        if (!o->answered)
            idle = o;                   /* the list runs newest to oldest */
    }
    *peer_full = same >= DX_HTTP_PEER_CONNS;
    if (*peer_full)
        return false;
    if (open < DX_HTTP_CONNS)
        return true;
    if (!idle)
        return false;
    conn_close(idle);
    return true;
}

static void on_conn(uv_stream_t *srv, int status)
{
    struct dx_http *h = srv->data;
    if (status < 0)
        return;
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        return;                         /* the connection waits in the backlog */
    c->h = h;
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->n_conns++;
    int plen = sizeof(c->peer);
    bool peer_full = false;
    if (uv_accept(srv, (uv_stream_t *)&c->tcp) != 0 ||
        uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &plen) != 0 ||
        (!make_room(h, c, &peer_full) && !peer_full)) {
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_timeout, DX_HTTP_TIMEOUT_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        conn_close(c);
    else if (peer_full)
        respond(c, 503, NULL, 0, false);
}

int dx_http_start(uv_loop_t *loop, const char *listen_text, const char *path,
                  const char *content_type, dx_http_fn fn, void *arg, struct dx_http **out,
                  char *err, size_t errlen)
{
    *out = NULL;
    struct dx_listen l;
    char why[256];
    if (dx_listen_from_text(listen_text, &l, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "metrics: %s", why);
        return DX_EINVAL;
    }
    struct sockaddr_storage ss;
    dx_listen_sockaddr(&l, &ss);
    struct dx_http *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(err, errlen, "metrics: out of memory");
        return DX_ENOMEM;
    }
    h->path = path;
    h->ctype = content_type;
    h->fn = fn;
    h->arg = arg;
    int r = uv_tcp_init(loop, &h->listener);
    if (r) {
        free(h);
        snprintf(err, errlen, "metrics: %s", uv_strerror(r));
        return r;
    }
    h->listener.data = h;
    h->listening = true;
    if ((r = uv_tcp_bind(&h->listener, (const struct sockaddr *)&ss,
                         ss.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0)) != 0 ||
        (r = uv_listen((uv_stream_t *)&h->listener, 64, on_conn)) != 0) {
        snprintf(err, errlen, "metrics: cannot listen on %s (tcp): %s", listen_text,
                 uv_strerror(r));
        h->stopping = true;
        uv_close((uv_handle_t *)&h->listener, listener_closed);
        return r;
    }
    dx_log_info("metrics on http://%s%s", listen_text, path);
    *out = h;
    return 0;
}

void dx_http_stop(struct dx_http *h)
{
    if (!h)
        return;
    h->stopping = true;
    for (struct conn *c = h->conns; c; c = c->next)
        conn_close(c);
    uv_close((uv_handle_t *)&h->listener, listener_closed);
}
