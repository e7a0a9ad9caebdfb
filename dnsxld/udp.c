/* UDP (worker.h): datagrams land in the worker's receive buffer
 * (UDP_CHUNKS slots of 64 KiB for recvmmsg), are answered into the
 * socket's outbox (UDP_CHUNKS replies) and leave with one sendmmsg per
 * recvmmsg batch, so a busy worker makes two system calls per batch, not
 * one per reply; a send that would block is counted as a drop. */
#include "dnsxld/worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct udp_sock *u = h->data;
    (void)suggested;
    buf->base = (char *)u->w->rxbuf;
    buf->len = (size_t)UDP_CHUNKS * UDP_CHUNK;
}

/* Send the outbox with sendmmsg. A full socket buffer drops the rest (a
 * drop, as a blocked uv_udp_try_send would); any other error skips just the
 * reply it concerns. */
void dx__udp_flush(struct udp_sock *u)
{
    struct worker *w = u->w;
    unsigned done = 0;
    uv_os_fd_t fd;
    if (w->obs)                         /* the next batch's first query reads the clock */
        w->obs->lat_last = 0;
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

/* libuv 1.44 with UV_UDP_RECVMMSG: one call per datagram with
 * UV_UDP_MMSG_CHUNK (buf points into our buffer), then one with nread == 0,
 * addr == NULL and UV_UDP_MMSG_FREE. nread == 0 with addr == NULL also
 * means "nothing more to read"; with an address it is an empty datagram.
 * The buffer is static, so there is nothing to free in either case. */
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
        dx__udp_flush(u);               /* the end of a recvmmsg batch */
        return;
    }
    if (flags & UV_UDP_PARTIAL) {       /* cannot happen with 64 KiB slots */
        w->st.udp_drop++;
        return;
    }
    w->st.udp_q++;
    unsigned i = u->n_out;
    size_t n = worker_answer(w, (const uint8_t *)buf->base, (size_t)nread, u->out[i],
                             UDP_OUT_MAX, DX_UDP, addr);
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
        dx__udp_flush(u);
}

int dx__udp_start(struct worker *w, size_t k, char *err, size_t errlen)
{
    struct udp_sock *u = &w->udp[k];
    int r;
    u->w = w;
    if ((r = uv_udp_init_ex(&w->loop, &u->h, AF_UNSPEC | UV_UDP_RECVMMSG)) != 0)
        goto fail;
    u->h.data = u;
    if ((r = uv_udp_open(&u->h, w->udp_fd[k])) != 0)
        goto fail;
    w->udp_fd[k] = -1;
    if ((r = uv_udp_recv_start(&u->h, udp_alloc, udp_recv)) != 0)
        goto fail;
    if (w->id == 0 && !uv_udp_using_recvmmsg(&u->h))
        dx_log_debug("recvmmsg not available: one datagram per read");
    return 0;
fail:
    snprintf(err, errlen, "cannot listen on %s (udp): %s", w->srv->addrs[k].text,
             uv_strerror(r));
    return r;
}
