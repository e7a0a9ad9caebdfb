/* Sockets, start, reload and stop of the network side (server.h); the
 * structures, threads and query path are described in worker.h, a
 * worker's loop is worker.c's, the transports udp.c's and tcp.c's.
 *
 * The main thread creates every socket (so that a bind error is reported
 * before anything runs, naming the address), initialises each worker's
 * loop and handles (dx__worker_init), then starts one thread per worker.
 * A reload hands the new config to every worker; the old one is freed once
 * every worker has acknowledged the switch (server_collect).
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
#include <unistd.h>

#include "dnsxld/rrl.h"
#include "dnsxld/worker.h"
#include "zones/listen.h"

/* ---------------------------------------------------------------------- */
/* sockets (listen addresses: zones/listen.h)                               */

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

/* The worker count of conf (0 = one per available CPU). */
static unsigned server_workers(const struct dx_conf *conf)
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
/* workers and configs                                                      */

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
            dx__stats_fold(s, r->conf);         /* its counts stay in the metrics */
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
            dx__worker_close_all(w);
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
        free(w->obs);
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
    dx_rrl_free(s->rrl);
    dx__stats_free(s);
    free(s);
}

int dx_server_bind(struct dx_conf *conf, struct dx_server **out, char *err, size_t errlen)
{
    int r = 0;
    struct dx_server *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return DX_ENOMEM;
    }
    s->n_workers = server_workers(conf);
    s->n_addrs = conf->server.n_listen;
    if (s->n_addrs == 0) {
        snprintf(err, errlen, "no listen address configured");
        free(s);
        return DX_EINVAL;
    }
    s->addrs = calloc(s->n_addrs, sizeof(*s->addrs));
    s->workers = calloc(s->n_workers, sizeof(*s->workers));
    s->rrl = dx_rrl_new(DX_RRL_ORDER);  /* always: a reload may turn rate-limit on */
    if (s->addrs == NULL || s->workers == NULL || s->rrl == NULL) {
        snprintf(err, errlen, "out of memory");
        r = DX_ENOMEM;
        goto fail;
    }
    for (size_t k = 0; k < s->n_addrs; k++) {
        struct listen_addr *a = &s->addrs[k];
        struct dx_listen l;
        char why[160];
        if (dx_listen_from_text(conf->server.listen[k], &l, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "listen: %s", why);   /* conf has checked it already */
            r = DX_EINVAL;
            goto fail;
        }
        a->len = dx_listen_sockaddr(&l, &a->ss);
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

    /* Sockets: every worker gets its own UDP and TCP socket per address. */
    for (size_t k = 0; k < s->n_addrs; k++) {
        struct listen_addr *a = &s->addrs[k];
        if ((r = probe_free(a, SOCK_DGRAM, err, errlen)) != 0 ||
            (r = probe_free(a, SOCK_STREAM, err, errlen)) != 0)
            goto fail;
        for (unsigned i = 0; i < s->n_workers; i++) {
            struct worker *w = &s->workers[i];
            int fd = make_socket(a, SOCK_DGRAM, conf->server.udp_rcvbuf, i == 0, err, errlen);
            if (fd < 0) {
                r = fd;
                goto fail;
            }
            w->udp_fd[k] = fd;
            fd = make_socket(a, SOCK_STREAM, 0, false, err, errlen);
            if (fd < 0) {
                r = fd;
                goto fail;
            }
            w->tcp_fd[k] = fd;
        }
    }
    s->conf = conf;                     /* not owned until dx_server_run succeeds */
    *out = s;
    return 0;

fail:
    dx_server_unbind(s);
    return r != 0 ? r : DX_EINVAL;
}

void dx_server_unbind(struct dx_server *s)
{
    workers_join(s);
    workers_free(s);
    server_free(s);
}

int dx_server_run(struct dx_server *s, uv_loop_t *main_loop, struct dx_store *st, char *err,
                  size_t errlen)
{
    int r = 0;
    struct dx_conf *conf = s->conf;
    s->conf = NULL;
    s->main_loop = main_loop;
    s->store = st;
    for (unsigned i = 0; i < s->n_workers; i++) {
        r = dx__worker_init(s, &s->workers[i], err, errlen);
        if (r != 0)
            goto fail;
    }

    /* Threads run with every signal blocked: signals go to the main loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (unsigned i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        r = uv_thread_create(&w->thread, dx__worker_main, w);
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
    s->started = dx_now();

    for (size_t k = 0; k < s->n_addrs; k++)
        dx_log_info("listening on %s (udp, tcp), %u worker%s", s->addrs[k].text, s->n_workers,
                    s->n_workers == 1 ? "" : "s");
    return 0;

fail:
    dx_server_unbind(s);
    return r != 0 ? r : DX_EINVAL;
}

int dx_server_start(uv_loop_t *main_loop, struct dx_conf *conf, struct dx_store *st,
                    struct dx_server **out, char *err, size_t errlen)
{
    int r = dx_server_bind(conf, out, err, errlen);
    if (r == 0 && (r = dx_server_run(*out, main_loop, st, err, errlen)) != 0)
        *out = NULL;
    return r;
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
    struct dx_guard_stats g = { 0, 0, 0, 0 };
    struct dx_policy_stats ps = { 0, 0, 0 };
    for (unsigned i = 0; i < s->n_workers; i++) {
        const struct worker *w = &s->workers[i];
        uq += w->st.udp_q;
        ud += w->st.udp_drop;
        ue += w->st.udp_err;
        tq += w->st.tcp_q;
        tc += w->st.tcp_conns;
        te += w->st.tcp_evicted;
        xe += w->st.txn_err;
        g.limited += w->gst.limited;
        g.slipped += w->gst.slipped;
        g.dropped += w->gst.dropped;
        g.cookie_bad += w->gst.cookie_bad;
        ps.blocked += w->pst.blocked;
        ps.limited += w->pst.limited;
        ps.key_unknown += w->pst.key_unknown;
    }
    dx_log_info("served %llu udp queries (%llu dropped, %llu errors), %llu tcp queries "
                "on %llu connections (%llu evicted), %llu store errors",
                (unsigned long long)uq, (unsigned long long)ud, (unsigned long long)ue,
                (unsigned long long)tq, (unsigned long long)tc, (unsigned long long)te,
                (unsigned long long)xe);
    dx_log_info("rate limited %llu udp answers (%llu slipped, %llu dropped), %llu bad server "
                "cookies", (unsigned long long)g.limited, (unsigned long long)g.slipped,
                (unsigned long long)g.dropped, (unsigned long long)g.cookie_bad);
    dx_policy_report(s->conf, &ps);
    workers_free(s);
    dx_conf_free(s->conf);
    s->conf = NULL;
    uv_close((uv_handle_t *)&s->ack_async, server_closed);
}
