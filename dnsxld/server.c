/* Workers, UDP and TCP (see server.h).
 *
 * Layout: the main thread creates every socket (so that a bind error is
 * reported before anything runs, naming the address), initialises each
 * worker's loop and handles, then starts one thread per worker that only
 * runs its loop. From then on a worker's loop, handles, buffers and read
 * transaction are touched by that worker's thread alone; the main thread
 * talks to it through w->async (new config, stop) and the worker answers
 * through the server's ack_async on the main loop.
 *
 * Query path (no allocation): UDP datagrams land in a per-worker receive
 * buffer (UDP_CHUNKS slots of 64 KiB for recvmmsg), are answered into the
 * socket's outbox (UDP_CHUNKS replies) and leave with one sendmmsg per
 * recvmmsg batch, so a busy worker makes two system calls per batch, not
 * one per reply; a send that would block is counted as a drop. TCP connections own a read buffer
 * (allocated per connection, grown once for a large message); replies go
 * out with uv_try_write, and only a remainder the kernel did not take is
 * copied to the heap for uv_write.
 */
#include "dnsxld/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnsxld/log.h"
#include "dnsxld/query.h"
#include "zones/bytes.h"
#include "zones/clock.h"
#include "zones/err.h"

#define UDP_CHUNK      (64 * 1024)  /* libuv's recvmmsg slot (UV__UDP_DGRAM_MAXSIZE) */
#define UDP_CHUNKS     16           /* datagrams per recvmmsg call */
#define RESP_MAX       65535        /* largest DNS message */
#define TCP_BUF_INIT   2048         /* initial per-connection read buffer */
#define TCP_WQ_MAX     (256 * 1024) /* stop reading a connection with this much unsent output */
#define TCP_BACKLOG    511
#define WORKERS_MAX    1024
#define ERRLOG_EVERY   10           /* seconds between repeated error lines per worker */

struct worker;
struct dx_server;

#define UDP_OUT_MAX    4096         /* largest UDP reply: edns-size is at most 4096 */

struct udp_sock {
    uv_udp_t h;
    struct worker *w;
    /* replies to the current recvmmsg batch, sent together (udp_flush) */
    unsigned n_out;
    struct mmsghdr msg[UDP_CHUNKS];
    struct iovec iov[UDP_CHUNKS];
    struct sockaddr_storage to[UDP_CHUNKS];
    uint8_t out[UDP_CHUNKS][UDP_OUT_MAX];
};

struct tcp_listener {
    uv_tcp_t h;
    struct worker *w;
};

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    struct worker *w;
    struct conn *prev, *next;       /* worker's list, least recently active first */
    uint8_t *buf;                   /* received bytes not yet consumed: buf[0..len) */
    size_t len, cap;
    struct sockaddr_storage peer;
    unsigned open_handles;          /* initialised handles not yet closed; free at 0 */
    unsigned writes;                /* uv_write requests in flight */
    bool linked, closing, paused, eof;
};

struct wreq {                       /* a queued TCP write: the remainder uv_try_write left */
    uv_write_t req;
    struct conn *c;
    size_t len;
    uint8_t data[];
};

struct retired {                    /* a replaced config, freed once every worker acked gen */
    struct dx_conf *conf;
    uint64_t gen;
    struct retired *next;
};

struct worker {
    struct dx_server *srv;
    unsigned id;
    uv_loop_t loop;
    uv_async_t async;
    uv_prepare_t prepare;
    uv_thread_t thread;
    bool loop_ok, thread_ok;

    struct udp_sock *udp;           /* one per listen address */
    struct tcp_listener *tcp;
    int *udp_fd, *tcp_fd;           /* sockets not yet owned by a handle, else -1 */

    struct dx_txn *txn;             /* read txn: live between first query and prepare */
    bool txn_live;
    uint64_t now;

    const struct dx_conf *conf;     /* config in force (worker thread only) */
    pthread_mutex_t mu;             /* guards pending, pending_gen */
    bool mu_ok;
    struct dx_conf *pending;
    uint64_t pending_gen;
    _Atomic uint64_t acked_gen;
    atomic_bool stop;

    struct conn *lru_head, *lru_tail;
    size_t n_conns;

    uint8_t *rxbuf;                 /* UDP_CHUNKS * UDP_CHUNK */
    uint8_t *txbuf;                 /* 2 + RESP_MAX: TCP length prefix, then the message */

    uint64_t last_errlog;
    struct {
        uint64_t udp_q, udp_drop, udp_err, tcp_q, tcp_conns, tcp_evicted, txn_err;
    } st;
};

struct listen_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[INET6_ADDRSTRLEN + 16];
};

struct dx_server {
    uv_loop_t *main_loop;
    uv_async_t ack_async;
    bool ack_ok;
    struct dx_store *store;
    struct dx_conf *conf;           /* newest config (owned) */
    uint64_t gen;                   /* generation of conf */
    struct retired *retired;
    struct listen_addr *addrs;
    size_t n_addrs;
    struct worker *workers;
    unsigned n_workers;
};

/* ---------------------------------------------------------------------- */
/* listen addresses and sockets                                             */

int dx_listen_parse(const char *text, struct sockaddr_storage *ss, socklen_t *sslen)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port = NULL;
    size_t hlen;

    if (text == NULL)
        return DX_EINVAL;
    if (text[0] == '[') {
        const char *end = strchr(text, ']');
        if (end == NULL)
            return DX_EINVAL;
        hlen = (size_t)(end - text - 1);
        if (hlen == 0 || hlen >= sizeof(host))
            return DX_EINVAL;
        memcpy(host, text + 1, hlen);
        host[hlen] = '\0';
        if (end[1] == ':')
            port = end + 2;
        else if (end[1] != '\0')
            return DX_EINVAL;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon != NULL && strchr(text, ':') == colon) {  /* exactly one ':': v4:port */
            hlen = (size_t)(colon - text);
            port = colon + 1;
        } else {
            hlen = strlen(text);                            /* bare v4 or v6 */
        }
        if (hlen == 0 || hlen >= sizeof(host))
            return DX_EINVAL;
        memcpy(host, text, hlen);
        host[hlen] = '\0';
    }

    unsigned long p = 53;
    if (port != NULL) {
        char *e;
        if (*port < '0' || *port > '9')
            return DX_EINVAL;
        errno = 0;
        p = strtoul(port, &e, 10);
        if (errno != 0 || *e != '\0' || p > 65535)
            return DX_EINVAL;
    }

    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        if (text[0] == '[')
            return DX_EINVAL;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p);
        *sslen = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p);
        *sslen = sizeof(*s6);
        return 0;
    }
    return DX_EINVAL;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        snprintf(buf, cap, "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        snprintf(buf, cap, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
    }
}

static uint16_t addr_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void addr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* A bound socket with SO_REUSEPORT, or -errno with err set. */
static int make_socket(const struct listen_addr *a, int type, uint64_t rcvbuf, bool report,
                       char *err, size_t errlen)
{
    const char *proto = type == SOCK_DGRAM ? "udp" : "tcp";
    int one = 1;
    int fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create socket for %s (%s): %s", a->text, proto, strerror(e));
        return -e;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        (a->ss.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)) {
        int e = errno;
        snprintf(err, errlen, "cannot set socket options for %s (%s): %s", a->text, proto,
                 strerror(e));
        close(fd);
        return -e;
    }
    if (type == SOCK_DGRAM && rcvbuf > 0) {
        int want = rcvbuf > INT_MAX / 2 ? INT_MAX / 2 : (int)rcvbuf;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) != 0)
            (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
        int got = 0;
        socklen_t gl = sizeof(got);
        /* Linux reports twice the size asked for (bookkeeping overhead). */
        if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 && got / 2 < want && report)
            dx_log_warn("udp receive buffer of %s: asked for %d bytes, got %d "
                        "(raise net.core.rmem_max, or run as root)", a->text, want, got / 2);
    }
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot bind %s (%s): %s", a->text, proto, strerror(e));
        close(fd);
        return -e;
    }
    return fd;
}

/* Is the address free? SO_REUSEPORT would let us join another process's
 * socket group silently (same user), splitting the traffic with it; a plain
 * bind without SO_REUSEPORT fails if anyone holds the port. 0 or -errno. */
static int probe_free(const struct listen_addr *a, int type, char *err, size_t errlen)
{
    int one = 1;
    int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;                       /* make_socket reports it */
    if (type == SOCK_STREAM)            /* TIME_WAIT leftovers are fine; for UDP it
                                           would share the port with another socket */
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->ss.ss_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    int r = 0;
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        r = -errno;
        snprintf(err, errlen, "cannot bind %s (%s): %s", a->text,
                 type == SOCK_DGRAM ? "udp" : "tcp", strerror(-r));
    }
    close(fd);
    return r;
}

unsigned dx_server_workers(const struct dx_conf *conf)
{
    unsigned n = conf->server.workers;
    if (n == 0)
        n = uv_available_parallelism();
    if (n == 0)
        n = 1;
    if (n > WORKERS_MAX)
        n = WORKERS_MAX;
    return n;
}

/* ---------------------------------------------------------------------- */
/* batches                                                                  */

static uint64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

/* Log an error at most once per ERRLOG_EVERY seconds per worker. */
static bool errlog_ok(struct worker *w)
{
    uint64_t t = mono_s();
    if (w->last_errlog != 0 && t - w->last_errlog < ERRLOG_EVERY)
        return false;
    w->last_errlog = t;
    return true;
}

/* Renew the read txn for this batch if not done yet, or if a write has
 * committed since (libuv reads several recvmmsg batches per loop pass: a
 * query that arrives after an `add` returned must see it). */
static bool batch_begin(struct worker *w)
{
    if (w->txn_live) {
        if (!dx_txn_behind(w->txn))
            return true;
        dx_txn_reset(w->txn);
        w->txn_live = false;
    }
    int r = dx_txn_renew(w->txn);
    if (r != 0) {
        w->st.txn_err++;
        if (errlog_ok(w))
            dx_log_err("worker %u: cannot renew read transaction: %s", w->id, dx_strerror(r));
        return false;
    }
    w->txn_live = true;
    w->now = dx_now();                  /* DNSXL_TEST_NOW in tests (zones/clock.h) */
    return true;
}

static void udp_flush(struct udp_sock *u);

static void batch_end(uv_prepare_t *p)
{
    struct worker *w = p->data;
    for (size_t k = 0; k < w->srv->n_addrs; k++)
        udp_flush(&w->udp[k]);          /* nothing left behind before the loop sleeps */
    if (w->txn_live) {
        dx_txn_reset(w->txn);
        w->txn_live = false;
    }
}

/* Answer one message. When the read txn cannot be renewed the query is
 * still answered (SERVFAIL for our zones: query.c), never dropped. */
static size_t answer(struct worker *w, const uint8_t *req, size_t len, uint8_t *resp,
                     size_t cap, enum dx_transport tr, const struct sockaddr *peer)
{
    bool ok = batch_begin(w);
    struct dx_qctx q = { .conf = w->conf, .txn = ok ? w->txn : NULL, .now = w->now };
    return dx_query_answer(&q, req, len, resp, cap, tr, peer);
}

/* ---------------------------------------------------------------------- */
/* UDP                                                                      */

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct udp_sock *u = h->data;
    (void)suggested;
    buf->base = (char *)u->w->rxbuf;
    buf->len = (size_t)UDP_CHUNKS * UDP_CHUNK;
}

/* libuv 1.44 with UV_UDP_RECVMMSG: one call per datagram with
 * UV_UDP_MMSG_CHUNK (buf points into our buffer), then one with nread == 0,
 * addr == NULL and UV_UDP_MMSG_FREE. nread == 0 with addr == NULL also
 * means "nothing more to read"; with an address it is an empty datagram.
 * The buffer is static, so there is nothing to free in either case. */
/* Send the outbox with sendmmsg. A full socket buffer drops the rest (a
 * drop, as a blocked uv_udp_try_send would); any other error skips just the
 * reply it concerns. */
static void udp_flush(struct udp_sock *u)
{
    struct worker *w = u->w;
    unsigned done = 0;
    uv_os_fd_t fd;
    if (u->n_out == 0)
        return;
    if (uv_fileno((const uv_handle_t *)&u->h, &fd) != 0) {
        w->st.udp_err += u->n_out;
        u->n_out = 0;
        return;
    }
    while (done < u->n_out) {
        int r = sendmmsg(fd, u->msg + done, u->n_out - done, 0);
        if (r > 0) {
            done += (unsigned)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
            w->st.udp_drop += u->n_out - done;
            break;
        } else {
            w->st.udp_err++;
            if (errlog_ok(w))
                dx_log_warn("worker %u: udp send: %s", w->id, strerror(errno));
            done++;
        }
    }
    u->n_out = 0;
}

static void udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                     const struct sockaddr *addr, unsigned flags)
{
    struct udp_sock *u = h->data;
    struct worker *w = u->w;

    if (nread < 0) {
        w->st.udp_err++;
        if (errlog_ok(w))
            dx_log_warn("worker %u: udp receive: %s", w->id, uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || addr == NULL || (flags & UV_UDP_MMSG_FREE)) {
        udp_flush(u);                   /* the end of a recvmmsg batch */
        return;
    }
    if (flags & UV_UDP_PARTIAL) {       /* cannot happen with 64 KiB slots */
        w->st.udp_drop++;
        return;
    }
    w->st.udp_q++;
    unsigned i = u->n_out;
    size_t n = answer(w, (const uint8_t *)buf->base, (size_t)nread, u->out[i], UDP_OUT_MAX,
                      DX_UDP, addr);
    if (n > 0) {
        socklen_t alen = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                     : sizeof(struct sockaddr_in);
        memcpy(&u->to[i], addr, alen);
        u->iov[i].iov_base = u->out[i];
        u->iov[i].iov_len = n;
        memset(&u->msg[i], 0, sizeof(u->msg[i]));
        u->msg[i].msg_hdr.msg_name = &u->to[i];
        u->msg[i].msg_hdr.msg_namelen = alen;
        u->msg[i].msg_hdr.msg_iov = &u->iov[i];
        u->msg[i].msg_hdr.msg_iovlen = 1;
        u->n_out++;
    }
    /* without recvmmsg every datagram is its own batch */
    if (u->n_out == UDP_CHUNKS || !(flags & UV_UDP_MMSG_CHUNK))
        udp_flush(u);
}

/* ---------------------------------------------------------------------- */
/* TCP                                                                      */

static void conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open_handles == 0) {
        free(c->buf);
        free(c);
    }
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
    w->n_conns--;
}

static void lru_append(struct conn *c)
{
    struct worker *w = c->w;
    c->prev = w->lru_tail;
    c->next = NULL;
    if (w->lru_tail != NULL) w->lru_tail->next = c; else w->lru_head = c;
    w->lru_tail = c;
    c->linked = true;
    w->n_conns++;
}

static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
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

/* Answer every complete message in the buffer, in order (pipelining),
 * unless too much output is queued: then stop reading until it drains. */
static void conn_process(struct conn *c)
{
    struct worker *w = c->w;
    size_t off = 0;

    while (!c->closing) {
        size_t avail = c->len - off;
        if (avail < 2)
            break;
        size_t mlen = dx_be16(c->buf + off);
        if (mlen == 0) {                /* no DNS message is empty: garbage */
            conn_close(c);
            return;
        }
        if (avail - 2 < mlen)
            break;
        if (c->tcp.write_queue_size > TCP_WQ_MAX) {
            if (!c->paused) {
                c->paused = true;
                uv_read_stop((uv_stream_t *)&c->tcp);
            }
            break;
        }
        w->st.tcp_q++;
        conn_touch(c);
        size_t n = answer(w, c->buf + off + 2, mlen, w->txbuf + 2, RESP_MAX, DX_TCP,
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
    if (c->len >= 2) {                  /* a partial message: make room for all of it */
        size_t need = 2 + (size_t)dx_be16(c->buf);
        if (!conn_reserve(c, need))
            conn_close(c);
    }
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
    w->st.tcp_conns++;
    lru_append(c);
    /* One client holds at most tcp-per-client connections (RFC 7766 6.2.3):
     * past that, its own least recently active one makes room, so a client
     * that opens many only ever closes its own. */
    size_t mine = 0;
    struct conn *oldest = NULL;
    for (struct conn *o = w->lru_head; o != NULL; o = o->next)
        if (same_client(&o->peer, &c->peer) && mine++ == 0)
            oldest = o;
    if (mine > w->conf->server.tcp_per_client && oldest != c) {
        w->st.tcp_evicted++;
        conn_close(oldest);
    }
    /* Full: the least recently active connection makes room (maybe this one,
     * when tcp-clients is 0). */
    while (w->n_conns > w->conf->server.tcp_clients && w->lru_head != NULL) {
        struct conn *old = w->lru_head;
        w->st.tcp_evicted++;
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

/* ---------------------------------------------------------------------- */
/* worker control                                                           */

static void walk_close(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Close every handle of the loop (worker thread, or main before start). */
static void worker_close_all(struct worker *w)
{
    while (w->lru_head != NULL)
        conn_close(w->lru_head);
    uv_walk(&w->loop, walk_close, NULL);
}

static void worker_async(uv_async_t *a)
{
    struct worker *w = a->data;
    struct dx_conf *nc;
    uint64_t gen;

    pthread_mutex_lock(&w->mu);
    nc = w->pending;
    gen = w->pending_gen;
    w->pending = NULL;
    pthread_mutex_unlock(&w->mu);
    if (nc != NULL) {
        w->conf = nc;
        atomic_store(&w->acked_gen, gen);
        uv_async_send(&w->srv->ack_async);
    }
    if (atomic_load(&w->stop))
        worker_close_all(w);
}

static void worker_main(void *arg)
{
    struct worker *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
    if (w->txn_live) {
        dx_txn_reset(w->txn);
        w->txn_live = false;
    }
    int r = uv_loop_close(&w->loop);
    if (r != 0)
        dx_log_err("worker %u: loop close: %s", w->id, uv_strerror(r));
    else
        w->loop_ok = false;
}

/* Free the configs every worker has moved past. */
static void server_collect(struct dx_server *s)
{
    uint64_t min = UINT64_MAX;
    for (unsigned i = 0; i < s->n_workers; i++) {
        uint64_t g = atomic_load(&s->workers[i].acked_gen);
        if (g < min)
            min = g;
    }
    struct retired **pp = &s->retired;
    while (*pp != NULL) {
        struct retired *r = *pp;
        if (r->gen <= min) {
            *pp = r->next;
            dx_conf_free(r->conf);
            free(r);
        } else {
            pp = &r->next;
        }
    }
}

static void server_acked(uv_async_t *a)
{
    server_collect(a->data);
}

/* Stop every worker, whatever state it is in: threads joined, loops closed. */
static void workers_join(struct dx_server *s)
{
    if (s->workers == NULL)
        return;
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        if (w->thread_ok) {
            atomic_store(&w->stop, true);
            uv_async_send(&w->async);
        }
    }
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        if (w->thread_ok) {
            uv_thread_join(&w->thread);
            w->thread_ok = false;
        }
        if (w->loop_ok) {               /* never started, or failed to close */
            worker_close_all(w);
            uv_run(&w->loop, UV_RUN_DEFAULT);
            if (uv_loop_close(&w->loop) == 0)
                w->loop_ok = false;
        }
    }
}

/* Free every worker (after workers_join). */
static void workers_free(struct dx_server *s)
{
    if (s->workers == NULL)
        return;
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        if (w->txn != NULL) {
            if (w->txn_live)
                dx_txn_reset(w->txn);
            dx_txn_abort(w->txn);
        }
        for (size_t k = 0; k < s->n_addrs; k++) {
            if (w->udp_fd != NULL && w->udp_fd[k] >= 0)
                close(w->udp_fd[k]);
            if (w->tcp_fd != NULL && w->tcp_fd[k] >= 0)
                close(w->tcp_fd[k]);
        }
        if (w->mu_ok)
            pthread_mutex_destroy(&w->mu);
        /* w->pending, if any, is s->conf or a retired config: not freed here */
        free(w->udp);
        free(w->tcp);
        free(w->udp_fd);
        free(w->tcp_fd);
        free(w->rxbuf);
        free(w->txbuf);
    }
    free(s->workers);
    s->workers = NULL;
}

static void server_free(struct dx_server *s)
{
    while (s->retired != NULL) {
        struct retired *r = s->retired;
        s->retired = r->next;
        dx_conf_free(r->conf);
        free(r);
    }
    free(s->addrs);
    free(s);
}

/* Set up worker i's loop and handles on already created sockets. */
static int worker_init(struct dx_server *s, struct worker *w, char *err, size_t errlen)
{
    int r;

    w->rxbuf = malloc((size_t)UDP_CHUNKS * UDP_CHUNK);
    w->txbuf = malloc(2 + RESP_MAX);
    w->udp = calloc(s->n_addrs, sizeof(*w->udp));
    w->tcp = calloc(s->n_addrs, sizeof(*w->tcp));
    if (w->rxbuf == NULL || w->txbuf == NULL || w->udp == NULL || w->tcp == NULL) {
        snprintf(err, errlen, "out of memory");
        return DX_ENOMEM;
    }
    r = dx_txn_read(s->store, &w->txn);
    if (r != 0) {
        w->txn = NULL;
        snprintf(err, errlen, "cannot open a read transaction: %s", dx_strerror(r));
        return r;
    }
    dx_txn_reset(w->txn);

    if ((r = uv_loop_init(&w->loop)) != 0)
        goto uverr;
    w->loop_ok = true;
    if ((r = uv_async_init(&w->loop, &w->async, worker_async)) != 0)
        goto uverr;
    w->async.data = w;
    uv_prepare_init(&w->loop, &w->prepare);
    w->prepare.data = w;
    uv_prepare_start(&w->prepare, batch_end);

    for (size_t k = 0; k < s->n_addrs; k++) {
        struct udp_sock *u = &w->udp[k];
        struct tcp_listener *l = &w->tcp[k];
        const char *what = "udp";
        u->w = w;
        l->w = w;
        if ((r = uv_udp_init_ex(&w->loop, &u->h, AF_UNSPEC | UV_UDP_RECVMMSG)) != 0)
            goto sockerr;
        u->h.data = u;
        if ((r = uv_udp_open(&u->h, w->udp_fd[k])) != 0)
            goto sockerr;
        w->udp_fd[k] = -1;
        if ((r = uv_udp_recv_start(&u->h, udp_alloc, udp_recv)) != 0)
            goto sockerr;
        if (w->id == 0 && !uv_udp_using_recvmmsg(&u->h))
            dx_log_debug("recvmmsg not available: one datagram per read");

        what = "tcp";
        if ((r = uv_tcp_init(&w->loop, &l->h)) != 0)
            goto sockerr;
        l->h.data = l;
        if ((r = uv_tcp_open(&l->h, w->tcp_fd[k])) != 0)
            goto sockerr;
        w->tcp_fd[k] = -1;
        if ((r = uv_listen((uv_stream_t *)&l->h, TCP_BACKLOG, tcp_accept)) != 0)
            goto sockerr;
        continue;
sockerr:
        snprintf(err, errlen, "cannot listen on %s (%s): %s", s->addrs[k].text, what,
                 uv_strerror(r));
        return r;
    }
    return 0;
uverr:
    snprintf(err, errlen, "event loop: %s", uv_strerror(r));
    return r;
}

int dx_server_start(uv_loop_t *main_loop, struct dx_conf *conf, struct dx_store *st,
                    struct dx_server **out, char *err, size_t errlen)
{
    int r = 0;
    struct dx_server *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return DX_ENOMEM;
    }
    s->main_loop = main_loop;
    s->store = st;
    s->n_workers = dx_server_workers(conf);
    s->n_addrs = conf->server.n_listen;
    if (s->n_addrs == 0) {
        snprintf(err, errlen, "no listen address configured");
        free(s);
        return DX_EINVAL;
    }
    s->addrs = calloc(s->n_addrs, sizeof(*s->addrs));
    s->workers = calloc(s->n_workers, sizeof(*s->workers));
    if (s->addrs == NULL || s->workers == NULL) {
        snprintf(err, errlen, "out of memory");
        r = DX_ENOMEM;
        goto fail;
    }
    for (size_t k = 0; k < s->n_addrs; k++) {
        struct listen_addr *a = &s->addrs[k];
        if (dx_listen_parse(conf->server.listen[k], &a->ss, &a->len) != 0) {
            snprintf(err, errlen, "bad listen address '%s'", conf->server.listen[k]);
            r = DX_EINVAL;
            goto fail;
        }
        addr_text(&a->ss, a->text, sizeof(a->text));
    }
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        w->srv = s;
        w->id = i;
        w->conf = conf;
        w->udp_fd = malloc(s->n_addrs * sizeof(int));
        w->tcp_fd = malloc(s->n_addrs * sizeof(int));
        if (w->udp_fd == NULL || w->tcp_fd == NULL) {
            snprintf(err, errlen, "out of memory");
            r = DX_ENOMEM;
            goto fail;
        }
        for (size_t k = 0; k < s->n_addrs; k++)
            w->udp_fd[k] = w->tcp_fd[k] = -1;
        if (pthread_mutex_init(&w->mu, NULL) != 0) {
            snprintf(err, errlen, "cannot create a mutex");
            r = DX_ENOMEM;
            goto fail;
        }
        w->mu_ok = true;
    }

    /* Sockets: every worker gets its own UDP and TCP socket per address. With
     * port 0 the first socket picks the port and the others share it. */
    for (size_t k = 0; k < s->n_addrs; k++) {
        struct listen_addr *a = &s->addrs[k];
        if (addr_port(&a->ss) != 0 &&
            ((r = probe_free(a, SOCK_DGRAM, err, errlen)) != 0 ||
             (r = probe_free(a, SOCK_STREAM, err, errlen)) != 0))
            goto fail;
        for (unsigned i = 0; i < s->n_workers; i++) {
            struct worker *w = &s->workers[i];
            int fd = make_socket(a, SOCK_DGRAM, conf->server.udp_rcvbuf, i == 0, err, errlen);
            if (fd < 0) {
                r = fd;
                goto fail;
            }
            w->udp_fd[k] = fd;
            if (addr_port(&a->ss) == 0) {
                struct sockaddr_storage got;
                socklen_t gl = sizeof(got);
                if (getsockname(fd, (struct sockaddr *)&got, &gl) != 0) {
                    r = -errno;
                    snprintf(err, errlen, "getsockname %s: %s", a->text, strerror(-r));
                    goto fail;
                }
                addr_set_port(&a->ss, addr_port(&got));
                addr_text(&a->ss, a->text, sizeof(a->text));
            }
            fd = make_socket(a, SOCK_STREAM, 0, false, err, errlen);
            if (fd < 0) {
                r = fd;
                goto fail;
            }
            w->tcp_fd[k] = fd;
        }
    }

    for (unsigned i = 0; i < s->n_workers; i++) {
        r = worker_init(s, &s->workers[i], err, errlen);
        if (r != 0)
            goto fail;
    }

    /* Threads run with every signal blocked: signals go to the main loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        r = uv_thread_create(&w->thread, worker_main, w);
        if (r != 0) {
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            snprintf(err, errlen, "cannot start worker thread: %s", uv_strerror(r));
            goto fail;
        }
        w->thread_ok = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    r = uv_async_init(main_loop, &s->ack_async, server_acked);
    if (r != 0) {
        snprintf(err, errlen, "event loop: %s", uv_strerror(r));
        goto fail;
    }
    s->ack_async.data = s;
    s->ack_ok = true;
    s->conf = conf;

    for (size_t k = 0; k < s->n_addrs; k++)
        dx_log_info("listening on %s (udp, tcp), %u worker%s", s->addrs[k].text, s->n_workers,
                    s->n_workers == 1 ? "" : "s");
    *out = s;
    return 0;

fail:
    workers_join(s);
    workers_free(s);
    server_free(s);
    return r != 0 ? r : DX_EINVAL;
}

const struct dx_conf *dx_server_conf(const struct dx_server *s)
{
    return s->conf;
}

void dx_server_reload(struct dx_server *s, struct dx_conf *conf)
{
    struct retired *r = malloc(sizeof(*r));
    if (r == NULL) {
        dx_log_err("reload: out of memory, keeping the old config");
        dx_conf_free(conf);
        return;
    }
    s->gen++;
    r->conf = s->conf;
    r->gen = s->gen;
    r->next = s->retired;
    s->retired = r;
    s->conf = conf;
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        pthread_mutex_lock(&w->mu);
        w->pending = conf;
        w->pending_gen = s->gen;
        pthread_mutex_unlock(&w->mu);
        uv_async_send(&w->async);
    }
}

static void server_closed(uv_handle_t *h)
{
    server_free(h->data);
}

void dx_server_stop(struct dx_server *s)
{
    workers_join(s);
    /* the workers are joined: their counters are ours to read */
    uint64_t uq = 0, ud = 0, ue = 0, tq = 0, tc = 0, te = 0, xe = 0;
    for (unsigned i = 0; i < s->n_workers; i++) {
        const struct worker *w = &s->workers[i];
        uq += w->st.udp_q;
        ud += w->st.udp_drop;
        ue += w->st.udp_err;
        tq += w->st.tcp_q;
        tc += w->st.tcp_conns;
        te += w->st.tcp_evicted;
        xe += w->st.txn_err;
    }
    dx_log_info("served %llu udp queries (%llu dropped, %llu errors), %llu tcp queries "
                "on %llu connections (%llu evicted), %llu store errors",
                (unsigned long long)uq, (unsigned long long)ud, (unsigned long long)ue,
                (unsigned long long)tq, (unsigned long long)tc, (unsigned long long)te,
                (unsigned long long)xe);
    workers_free(s);
    dx_conf_free(s->conf);
    s->conf = NULL;
    uv_close((uv_handle_t *)&s->ack_async, server_closed);
}
