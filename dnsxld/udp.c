/* UDP (worker.h): the loop tells us when the socket is readable (a
 * uv_poll_t); we read up to UDP_CHUNKS datagrams with one recvmmsg into
 * the worker's receive buffer (UDP_CHUNKS slots of 64 KiB), answer them
 * into the socket's outbox and send the replies with one sendmmsg, so a
 * busy worker makes two system calls per batch, not two per reply. A batch
 * shorter than UDP_CHUNKS has emptied the socket's queue: back to the loop
 * without the recvmmsg that would only say EAGAIN (the poll is level
 * triggered, so what arrived meanwhile wakes it at once); a full one is
 * followed by another, UDP_ROUNDS at most before TCP and timers get their
 * turn. A send that would block is counted as a drop. */
#include "dnsxld/worker.h"
#include "dnsxld/xfr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Send the outbox with sendmmsg. A full socket buffer drops the rest (a
 * drop, as a blocked send would); any other error skips just the reply it
 * concerns. */
void dx__udp_flush(struct udp_sock *u)
{
    struct worker *w = u->w;
    unsigned done = 0;
    if (w->obs)                         /* the next batch's first query reads the clock */
        w->obs->lat_last = 0;
    while (done < u->n_out) {
        int r = sendmmsg(u->fd, u->msg + done, u->n_out - done, 0);
        if (r > 0) {
            done += (unsigned)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
            dx_count_add(&w->st.udp_drop, u->n_out - done);
            break;
        } else {
            dx_count(&w->st.udp_err);
            if (errlog_ok(w))
                dx_log_warn("worker %u: udp send: %s", w->id, strerror(errno));
            done++;
        }
    }
    u->n_out = 0;
}

/* Answer datagram i of the batch into the outbox. */
static void udp_answer(struct udp_sock *u, unsigned i)
{
    struct worker *w = u->w;
    const struct msghdr *h = &u->rmsg[i].msg_hdr;
    size_t len = u->rmsg[i].msg_len;
    if (len == 0)                       /* an empty datagram: nothing to answer */
        return;
    if (h->msg_flags & MSG_TRUNC) {     /* cannot happen with 64 KiB slots */
        dx_count(&w->st.udp_drop);
        return;
    }
    dx_count(&w->st.udp_q);
    const struct sockaddr *peer = (const struct sockaddr *)&u->from[i];
    unsigned o = u->n_out;
    const uint8_t *req = w->rxbuf + (size_t)i * UDP_CHUNK;
    size_t n;
    struct dx_txn *t = batch_begin(w) ? w->txn : NULL;   /* and w->now */
    if (!dx_xfr_udp(w->conf, t, peer, req, len, w->now, u->out[o], UDP_OUT_MAX, &n))
        /* not an IXFR (that gets the SOA alone: dnsxld/xfr.h) */
        n = worker_answer(w, req, len, u->out[o], UDP_OUT_MAX, DX_UDP, peer);
    if (n == 0)
        return;
    u->iov[o].iov_base = u->out[o];
    u->iov[o].iov_len = n;
    memset(&u->msg[o], 0, sizeof(u->msg[o]));
    u->msg[o].msg_hdr.msg_name = &u->from[i];
    u->msg[o].msg_hdr.msg_namelen = h->msg_namelen;
    u->msg[o].msg_hdr.msg_iov = &u->iov[o];
    u->msg[o].msg_hdr.msg_iovlen = 1;
    u->n_out++;
}

static void udp_readable(uv_poll_t *p, int status, int events)
{
    struct udp_sock *u = p->data;
    struct worker *w = u->w;
    (void)events;
    if (status < 0) {
        dx_count(&w->st.udp_err);
        if (errlog_ok(w))
            dx_log_warn("worker %u: udp receive: %s", w->id, uv_strerror(status));
        return;
    }
    for (unsigned round = 0; round < UDP_ROUNDS; round++) {
        for (unsigned i = 0; i < UDP_CHUNKS; i++) {
            u->rmsg[i].msg_hdr.msg_namelen = sizeof(u->from[i]);
            u->rmsg[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(u->fd, u->rmsg, UDP_CHUNKS, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                dx_count(&w->st.udp_err);
                if (errlog_ok(w))
                    dx_log_warn("worker %u: udp receive: %s", w->id, strerror(errno));
            }
            return;
        }
        if (w->txn_live && dx_txn_behind(w->txn)) {   /* a write committed: a new snapshot */
            dx_txn_reset(w->txn);
            w->txn_live = false;
        }
        w->txn_fresh = true;            /* batch_begin: no check per query */
        for (unsigned i = 0; i < (unsigned)n; i++)
            udp_answer(u, i);
        w->txn_fresh = false;
        dx__udp_flush(u);               /* before the next recvmmsg reuses rxbuf and from[] */
        if (n < UDP_CHUNKS)
            return;
    }
}

int dx__udp_start(struct worker *w, size_t k, char *err, size_t errlen)
{
    struct udp_sock *u = &w->udp[k];
    int r;
    u->w = w;
    u->fd = w->udp_fd[k];               /* stays in udp_fd: the server closes it (workers_free) */
    for (unsigned i = 0; i < UDP_CHUNKS; i++) {
        u->riov[i].iov_base = w->rxbuf + (size_t)i * UDP_CHUNK;
        u->riov[i].iov_len = UDP_CHUNK;
        memset(&u->rmsg[i], 0, sizeof(u->rmsg[i]));
        u->rmsg[i].msg_hdr.msg_name = &u->from[i];
        u->rmsg[i].msg_hdr.msg_iov = &u->riov[i];
        u->rmsg[i].msg_hdr.msg_iovlen = 1;
    }
    if ((r = uv_poll_init(&w->loop, &u->h, u->fd)) != 0)   /* makes the socket non-blocking */
        goto fail;
    u->h.data = u;
    if ((r = uv_poll_start(&u->h, UV_READABLE, udp_readable)) != 0)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "cannot listen on %s (udp): %s", w->srv->addrs[k].text,
             uv_strerror(r));
    return r;
}
