/* TCP (worker.h): connections, per worker, in a list by last activity
 * (the least recently active is closed first when the worker is full, or
 * when a client holds too many), framing (RFC 1035 4.2.2), pipelining
 * (every complete message in the buffer is answered in order, RFC 7766
 * 6.2.1.1) and backpressure (a connection with too much unsent output is
 * not read until it drains). A connection owns its read buffer (allocated
 * at accept, grown once for a large message); replies go out with
 * uv_try_write, and only a remainder the kernel did not take is copied to
 * the heap for uv_write. A zone transfer request hands the connection to
 * dnsxld/xfr.c's thread: its messages are written as they come (no copy),
 * reading and answering stop until the last one is sent. */
#include "dnsxld/worker.h"
#include "dnsxld/xfr.h"

#include <stdlib.h>
#include <string.h>

#include "zones/bytes.h"

struct xfr_run {                    /* a transfer on a connection */
    uv_async_t wake;                /* the transfer's thread: a message, or the end */
    struct conn *c;
    struct dx_xfr *x;
    unsigned writes;                /* its messages being written */
    bool done;
};

struct xwreq {
    uv_write_t req;
    struct xfr_run *r;
    struct dx_xfr_msg *m;
};

static void conn_release(struct conn *c)
{
    if (--c->open_handles == 0) {
        free(c->buf);
        free(c);
    }
}

static void conn_closed(uv_handle_t *h)
{
    conn_release(h->data);
}

static void lru_unlink(struct conn *c)
{
    struct worker *w = c->w;
    if (!c->linked)
        return;
    if (c->prev != NULL) c->prev->next = c->next; else w->lru_head = c->next;
    if (c->next != NULL) c->next->prev = c->prev; else w->lru_tail = c->prev;
    c->prev = c->next = NULL;
    c->linked = false;
    dx_count_add(&w->n_conns, (uint64_t)-1);
}

static void lru_append(struct conn *c)
{
    struct worker *w = c->w;
    c->prev = w->lru_tail;
    c->next = NULL;
    if (w->lru_tail != NULL) w->lru_tail->next = c; else w->lru_head = c;
    w->lru_tail = c;
    c->linked = true;
    dx_count(&w->n_conns);
}

static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->xfr)
        dx_xfr_cancel(c->xfr->x);
    lru_unlink(c);
    uv_close((uv_handle_t *)&c->timer, conn_closed);
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void conn_idle(uv_timer_t *t)
{
    conn_close(t->data);
}

static void conn_touch(struct conn *c)
{
    uint64_t idle = c->w->conf->server.tcp_idle;
    if (idle == 0)
        idle = 1;                       /* 0 would close at once: treat as 1 s */
    if (idle > 86400)
        idle = 86400;
    uv_timer_start(&c->timer, conn_idle, idle * 1000, 0);
    if (c->linked && c->w->lru_tail != c) {  /* most recently active goes last */
        lru_unlink(c);
        lru_append(c);
    }
}

static void conn_process(struct conn *c);
static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void tcp_written(uv_write_t *req, int status)
{
    struct wreq *wr = (struct wreq *)req;
    struct conn *c = wr->c;
    free(wr);
    c->writes--;
    if (c->closing)
        return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->paused && c->tcp.write_queue_size <= TCP_WQ_MAX / 2) {
        c->paused = false;
        conn_process(c);
        if (!c->closing && !c->paused && !c->eof)
            if (uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, tcp_read) != 0)
                conn_close(c);
    }
    if (!c->closing && c->eof && c->writes == 0)
        conn_close(c);
}

static void conn_send(struct conn *c, const uint8_t *data, size_t len)
{
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
    int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (r >= 0 && (size_t)r == len)
        return;
    if (r < 0 && r != UV_EAGAIN) {
        conn_close(c);
        return;
    }
    size_t done = r > 0 ? (size_t)r : 0;
    struct wreq *wr = malloc(sizeof(*wr) + (len - done));
    if (wr == NULL) {
        conn_close(c);
        return;
    }
    wr->c = c;
    wr->len = len - done;
    memcpy(wr->data, data + done, wr->len);
    b = uv_buf_init((char *)wr->data, (unsigned)wr->len);
    if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, tcp_written) != 0) {
        free(wr);
        conn_close(c);
        return;
    }
    c->writes++;
}

/* Grow the read buffer to hold at least `need` bytes. */
static bool conn_reserve(struct conn *c, size_t need)
{
    if (need <= c->cap)
        return true;
    uint8_t *nb = realloc(c->buf, need);
    if (nb == NULL)
        return false;
    c->buf = nb;
    c->cap = need;
    return true;
}

int dx__tcp_frame(const uint8_t *buf, size_t len, size_t *mlen)
{
    if (len < 2)
        return 0;
    *mlen = dx_be16(buf);
    if (*mlen == 0)
        return -1;
    return len - 2 >= *mlen;
}

/* --- zone transfers (dnsxld/xfr.h) ------------------------------------------------- */

static void xfr_closed(uv_handle_t *h)
{
    struct xfr_run *r = h->data;
    struct conn *c = r->c;
    free(r);
    conn_release(c);
}

static void xfr_pump(struct xfr_run *r);

static void xfr_written(uv_write_t *req, int status)
{
    struct xwreq *wr = (struct xwreq *)req;
    struct xfr_run *r = wr->r;
    struct conn *c = r->c;
    dx_xfr_sent(r->x, wr->m);
    free(wr);
    r->writes--;
    c->writes--;
    if (status < 0 || dx_xfr_overdue(r->x, dx_now()))  /* a whole transfer's bound (xfr.h) */
        conn_close(c);
    else if (!c->closing)
        conn_touch(c);
    xfr_pump(r);
}

/* Write what the transfer queued; after its last message, go on with the
 * connection (the messages that came meanwhile). */
static void xfr_pump(struct xfr_run *r)
{
    struct conn *c = r->c;
    struct dx_xfr_msg *m;
    bool done = false;
    while ((m = dx_xfr_next(r->x, &done)) != NULL) {
        struct xwreq *wr = c->closing ? NULL : malloc(sizeof(*wr));
        uv_buf_t b = uv_buf_init((char *)m->data, (unsigned)m->len);
        if (!wr || uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, xfr_written) != 0) {
            free(wr);
            dx_xfr_sent(r->x, m);
            conn_close(c);
            continue;
        }
        wr->r = r;
        wr->m = m;
        r->writes++;
        c->writes++;
    }
    if (!done || r->writes > 0 || r->done)
        return;
    r->done = true;
    dx_xfr_free(r->x);                  /* the thread has ended: joined at once */
    r->x = NULL;
    c->xfr = NULL;
    uv_close((uv_handle_t *)&r->wake, xfr_closed);
    if (c->closing)
        return;
    if (uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, tcp_read) != 0)
        conn_close(c);
    else
        conn_process(c);
}

static void xfr_wake(uv_async_t *a)
{
    xfr_pump(a->data);
}

static void xfr_wake_from_thread(void *arg)
{
    struct xfr_run *r = arg;
    uv_async_send(&r->wake);
}

/* A transfer request: one reply (a refusal), or the transfer. */
static void xfr_begin(struct conn *c, const uint8_t *msg, size_t len)
{
    struct worker *w = c->w;
    dx_count(&w->st.tcp_q);
    conn_touch(c);
    size_t n;
    struct dx_xfr *x;
    dx_xfr_request(w->conf, w->srv->store, (const struct sockaddr *)&c->peer, msg, len,
                   dx_now(), w->txbuf + 2, RESP_MAX, &n, &x);
    if (!x) {
        if (n > 0) {
            dx_set_be16(w->txbuf, (uint16_t)n);
            conn_send(c, w->txbuf, n + 2);
        }
        return;
    }
    struct xfr_run *r = calloc(1, sizeof(*r));
    if (!r || uv_async_init(&w->loop, &r->wake, xfr_wake) != 0) {
        free(r);
        dx_xfr_free(x);
        conn_close(c);
        return;
    }
    r->wake.data = r;
    r->c = c;
    r->x = x;
    c->open_handles++;
    c->xfr = r;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (dx_xfr_start(x, xfr_wake_from_thread, r) != 0) {
        r->done = true;
        dx_xfr_free(x);
        r->x = NULL;
        c->xfr = NULL;
        uv_close((uv_handle_t *)&r->wake, xfr_closed);
        conn_close(c);
    }
}

/* Answer every complete message in the buffer, in order (pipelining),
 * unless too much output is queued: then stop reading until it drains. */
static void conn_process(struct conn *c)
{
    struct worker *w = c->w;
    size_t off = 0;

    while (!c->closing && !c->xfr) {
        size_t mlen;
        int f = dx__tcp_frame(c->buf + off, c->len - off, &mlen);
        if (f < 0) {
            conn_close(c);
            return;
        }
        if (f == 0)
            break;
        if (c->tcp.write_queue_size > TCP_WQ_MAX) {
            if (!c->paused) {
                c->paused = true;
                uv_read_stop((uv_stream_t *)&c->tcp);
            }
            break;
        }
        if (dx_xfr_is_request(c->buf + off + 2, mlen)) {
            xfr_begin(c, c->buf + off + 2, mlen);
            off += 2 + mlen;
            continue;
        }
        dx_count(&w->st.tcp_q);
        conn_touch(c);
        size_t n = worker_answer(w, c->buf + off + 2, mlen, w->txbuf + 2, RESP_MAX, DX_TCP,
                                 (const struct sockaddr *)&c->peer);
        if (n > 0) {
            dx_set_be16(w->txbuf, (uint16_t)n);
            conn_send(c, w->txbuf, n + 2);
        }
        off += 2 + mlen;
    }
    if (c->closing)
        return;
    if (off > 0) {
        memmove(c->buf, c->buf + off, c->len - off);
        c->len -= off;
    }
    size_t mlen;
    if (dx__tcp_frame(c->buf, c->len, &mlen) == 0 && c->len >= 2 &&
        !conn_reserve(c, 2 + mlen))     /* a partial message: make room for all of it */
        conn_close(c);
}

static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = h->data;
    (void)suggested;
    if (c->len < c->cap && !c->closing) {
        buf->base = (char *)c->buf + c->len;
        buf->len = c->cap - c->len;
    } else {
        buf->base = NULL;               /* read_cb gets UV_ENOBUFS */
        buf->len = 0;
    }
}

static void tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    (void)buf;
    if (c->closing)
        return;
    if (nread < 0) {
        if (nread == UV_EOF && c->writes > 0) {
            /* the client half-closed: finish sending, then close */
            c->eof = true;
            uv_read_stop(s);
            return;
        }
        conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    c->len += (size_t)nread;
    conn_process(c);
}

/* Same client address (the port aside)? */
static bool same_client(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
    return false;
}

static void tcp_accept(uv_stream_t *server, int status)
{
    struct tcp_listener *l = server->data;
    struct worker *w = l->w;

    if (status < 0) {
        if (errlog_ok(w))
            dx_log_warn("worker %u: tcp accept: %s", w->id, uv_strerror(status));
        return;
    }
    struct conn *c = calloc(1, sizeof(*c));
    uint8_t *b = malloc(TCP_BUF_INIT);
    if (c == NULL || b == NULL) {
        free(c);
        free(b);
        if (errlog_ok(w))
            dx_log_err("worker %u: tcp accept: out of memory", w->id);
        return;
    }
    c->w = w;
    c->buf = b;
    c->cap = TCP_BUF_INIT;
    uv_tcp_init(&w->loop, &c->tcp);     /* no socket is created: cannot fail */
    uv_timer_init(&w->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->open_handles = 2;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    int plen = sizeof(c->peer);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &plen) != 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    dx_count(&w->st.tcp_conns);
    lru_append(c);
    /* A client holds at most tcp-per-client of this worker's connections
     * (RFC 7766 6.2.3; its connections are spread over the workers by
     * SO_REUSEPORT): past that, its own least recently active one here
     * makes room, so a client that opens many only ever closes its own. */
    size_t mine = 0;
    struct conn *oldest = NULL;
    for (struct conn *o = w->lru_head; o != NULL; o = o->next)
        if (same_client(&o->peer, &c->peer) && mine++ == 0)
            oldest = o;
    if (mine > w->conf->server.tcp_per_client && oldest != c) {
        dx_count(&w->st.tcp_evicted);
        conn_close(oldest);
    }
    /* Full: the least recently active connection makes room (maybe this one,
     * when tcp-clients is 0). */
    while (w->n_conns > w->conf->server.tcp_clients && w->lru_head != NULL) {
        struct conn *old = w->lru_head;
        dx_count(&w->st.tcp_evicted);
        conn_close(old);
        if (old == c)
            return;
    }
    if (uv_read_start((uv_stream_t *)&c->tcp, tcp_alloc, tcp_read) != 0) {
        conn_close(c);
        return;
    }
    conn_touch(c);
}

int dx__tcp_start(struct worker *w, size_t k, char *err, size_t errlen)
{
    struct tcp_listener *l = &w->tcp[k];
    int r;
    l->w = w;
    if ((r = uv_tcp_init(&w->loop, &l->h)) != 0)
        goto fail;
    l->h.data = l;
    if ((r = uv_tcp_open(&l->h, w->tcp_fd[k])) != 0)
        goto fail;
    w->tcp_fd[k] = -1;
    if ((r = uv_listen((uv_stream_t *)&l->h, TCP_BACKLOG, tcp_accept)) != 0)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "cannot listen on %s (tcp): %s", w->srv->addrs[k].text,
             uv_strerror(r));
    return r;
}

void dx__conn_close_all(struct worker *w)
{
    while (w->lru_head != NULL)
        conn_close(w->lru_head);
}
