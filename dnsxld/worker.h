/* Internal to the network side of dnsxld (server.h): the structures shared
 * by server.c (sockets, start, reload, stop), worker.c (a worker's loop),
 * udp.c and tcp.c (the two transports), and the per-query helpers every
 * transport calls. Nothing outside those four files and server_stats.c
 * (the counters summed for the metrics) includes this.
 *
 * Threads: the main thread creates every socket and initialises each
 * worker's loop and handles (server.c, worker.c), then starts one thread
 * per worker that only runs its loop. From then on a worker's loop,
 * handles, buffers and read transaction are touched by that worker's
 * thread alone; the main thread talks to it through w->async (new config,
 * stop) and the worker answers through the server's ack_async on the main
 * loop.
 *
 * Query path (no allocation): udp.c reads a batch with recvmmsg when the
 * socket is readable (a uv_poll_t), answers into the socket's outbox and
 * flushes it with sendmmsg; tcp.c answers into the worker's txbuf. Both
 * call worker_answer() below, which renews the read transaction on the
 * first query of a batch (worker.c resets it before the loop sleeps).
 *
 * The helpers are static inline so that the module graph stays a DAG:
 * udp.c and tcp.c need nothing from worker.c, worker.c starts them.
 */
#ifndef DX_WORKER_H
#define DX_WORKER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <uv.h>

#include "dnsxld/dnstap.h"
#include "dnsxld/guard.h"
#include "dnsxld/log.h"
#include "dnsxld/policy.h"
#include "dnsxld/query.h"
#include "dnsxld/server.h"
#include "dnsxld/stats.h"
#include "zones/clock.h"
#include "zones/err.h"

#define UDP_CHUNK      (64 * 1024)  /* receive slot: the largest UDP datagram */
#define UDP_CHUNKS     64           /* datagrams per recvmmsg/sendmmsg call */
#define UDP_ROUNDS     8            /* recvmmsg calls per wakeup at most (then TCP, timers) */
#define UDP_OUT_MAX    4096         /* largest UDP reply: edns-size is at most 4096 */
#define RESP_MAX       65535        /* largest DNS message */
#define TCP_BUF_INIT   2048         /* initial per-connection read buffer */
#define TCP_WQ_MAX     (256 * 1024) /* stop reading a connection with this much unsent output */
#define TCP_BACKLOG    511
#define WORKERS_MAX    1024
#define ERRLOG_EVERY   10           /* seconds between repeated error lines per worker */

struct worker;
struct dx_server;
struct dx_stats_base;

struct udp_sock {
    uv_poll_t h;                    /* readable: udp.c reads with recvmmsg itself */
    struct worker *w;
    int fd;                         /* w->udp_fd[k]: closed by the server after the loop */
    /* one recvmmsg batch: datagram i in w->rxbuf + i * UDP_CHUNK from from[i] */
    struct mmsghdr rmsg[UDP_CHUNKS];
    struct iovec riov[UDP_CHUNKS];
    struct sockaddr_storage from[UDP_CHUNKS];
    /* replies to the current batch, sent together (dx__udp_flush) to from[] */
    unsigned n_out;
    struct mmsghdr msg[UDP_CHUNKS];
    struct iovec iov[UDP_CHUNKS];
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
    struct xfr_run *xfr;            /* a zone transfer being sent (tcp.c): nothing else is
                                       read or answered meanwhile */
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
    int *udp_fd, *tcp_fd;           /* sockets not yet owned by a handle, else -1; a UDP
                                       socket stays here (its uv_poll_t does not own it) */

    struct dx_txn *txn;             /* read txn: live between first query and prepare */
    bool txn_live;
    bool txn_fresh;                 /* during a UDP batch: the live txn was checked against
                                       the last commit after recvmmsg returned (udp.c) */
    uint64_t now;
    uint64_t mono_ms;               /* the rate limiter's clock, taken with now */

    const struct dx_conf *conf;     /* config in force (worker thread only) */
    pthread_mutex_t mu;             /* guards pending, pending_gen */
    bool mu_ok;
    struct dx_conf *pending;
    uint64_t pending_gen;
    _Atomic uint64_t acked_gen;
    atomic_bool stop;

    struct conn *lru_head, *lru_tail;
    uint64_t n_conns;               /* read by the metrics: dx_count_add */

    uint8_t *rxbuf;                 /* UDP_CHUNKS * UDP_CHUNK */
    uint8_t *txbuf;                 /* 2 + RESP_MAX: TCP length prefix, then the message */

    uint64_t last_errlog;
    struct {
        uint64_t udp_q, udp_drop, udp_err, tcp_q, tcp_conns, tcp_evicted, txn_err;
    } st;
    struct dx_guard_stats gst;      /* rate limiting and cookies (guard.h) */
    struct dx_policy_stats pst;     /* usage-policy answers (policy.h) */
    struct dx_obs *obs;             /* metrics, heat, dnstap (stats.h); NULL: all off */
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
    struct dx_rrl *rrl;             /* the rate-limit table all workers share (rrl.h) */
    struct dx_stats_base *base;     /* counts of the configs freed so far (server_stats.c) */
    uint64_t started;               /* unix seconds */
};

/* --- per query ------------------------------------------------------------ */

static inline uint64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

static inline uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Log an error at most once per ERRLOG_EVERY seconds per worker. */
static inline bool errlog_ok(struct worker *w)
{
    uint64_t t = mono_s();
    if (w->last_errlog != 0 && t - w->last_errlog < ERRLOG_EVERY)
        return false;
    w->last_errlog = t;
    return true;
}

/* Renew the read txn for this batch if not done yet, or if a write has
 * committed since (udp.c reads several recvmmsg batches per loop pass: a
 * query that arrives after an `add` returned must see it). A UDP batch
 * checks once, after its recvmmsg returned (every datagram in it arrived
 * before that check), not per query: txn_fresh. */
static inline bool batch_begin(struct worker *w)
{
    if (w->txn_live) {
        if (w->txn_fresh || !dx_txn_behind(w->txn))
            return true;
        dx_txn_reset(w->txn);
        w->txn_live = false;
    }
    int r = dx_txn_renew(w->txn);
    if (r != 0) {
        dx_count(&w->st.txn_err);
        if (errlog_ok(w))
            dx_log_err("worker %u: cannot renew read transaction: %s", w->id, dx_strerror(r));
        return false;
    }
    w->txn_live = true;
    w->now = dx_now();                  /* DNSXL_TEST_NOW in tests (zones/clock.h) */
    w->mono_ms = mono_ms();
    return true;
}

/* Answer one message. When the read txn cannot be renewed the query is
 * still answered (SERVFAIL for our zones: query.c), never dropped. */
static inline size_t worker_answer(struct worker *w, const uint8_t *req, size_t len,
                                   uint8_t *resp, size_t cap, enum dx_transport tr,
                                   const struct sockaddr *peer)
{
    bool ok = batch_begin(w);
    struct dx_obs *o = w->obs;
    struct dx_qctx q = { .conf = w->conf, .txn = ok ? w->txn : NULL, .now = w->now,
                         .mono_ms = w->mono_ms, .rrl = w->srv->rrl, .st = &w->gst,
                         .pst = &w->pst, .obs = o };
    if (!o)
        return dx_query_answer(&q, req, len, resp, cap, tr, peer);
    /* one clock read per query: the end of the previous query of this UDP
     * receive batch is this one's start (reset by dx__udp_flush) */
    uint64_t t0 = 0, t1 = 0;
    if (o->timing)
        t0 = o->lat_last ? o->lat_last : dx_obs_clock();
    size_t n = dx_query_answer(&q, req, len, resp, cap, tr, peer);
    if (o->timing) {
        t1 = dx_obs_clock();
        o->lat_last = tr == DX_UDP ? t1 : 0;
        dx_obs_latency(o, t1 - t0);
    }
    if (o->tap)
        dx_tap_put(o, q.conf, tr, peer, req, len, resp, n, t1 - t0);
    return n;
}

/* --- udp.c ------------------------------------------------------------------ */

/* Start receiving on w->udp_fd[k] (the handle owns it from then on). 0, or
 * a libuv error with err naming the address. */
int dx__udp_start(struct worker *w, size_t k, char *err, size_t errlen);
/* Send the socket's outbox (the replies to one recvmmsg batch). */
void dx__udp_flush(struct udp_sock *u);

/* --- tcp.c ------------------------------------------------------------------ */

/* Listen on w->tcp_fd[k] (the handle owns it from then on). 0, or a libuv
 * error with err naming the address. */
int dx__tcp_start(struct worker *w, size_t k, char *err, size_t errlen);
/* Close every connection of the worker. */
void dx__conn_close_all(struct worker *w);
/* The first DNS message framed in buf[0..len) (RFC 1035 4.2.2: a two-byte
 * length, then the message): 1 with *mlen = its length when all of it is
 * there; 0 when more bytes are needed (*mlen = the length once the prefix
 * is there); -1 for a zero length (no DNS message is empty: garbage). */
int dx__tcp_frame(const uint8_t *buf, size_t len, size_t *mlen);

/* --- server_stats.c --------------------------------------------------------- */

/* Add a config's counters to the server's totals before it is freed; free
 * the totals (server_free). */
void dx__stats_fold(struct dx_server *s, const struct dx_conf *conf);
void dx__stats_free(struct dx_server *s);

/* --- worker.c --------------------------------------------------------------- */

/* Set up worker w's loop and handles on its already created sockets. 0, or
 * an error with err saying what failed. */
int dx__worker_init(struct dx_server *s, struct worker *w, char *err, size_t errlen);
/* A worker thread: run the loop until stopped, then close it. */
void dx__worker_main(void *arg);
/* Close every handle of the loop (worker thread, or main before start). */
void dx__worker_close_all(struct worker *w);

#endif
