/* A worker (worker.h): its loop, the batch boundary (the read transaction
 * is reset before the loop sleeps, after the UDP outboxes are flushed),
 * config switches and stop requests from the main thread. */
#include "dnsxld/worker.h"

#include <stdio.h>
#include <stdlib.h>

static void batch_end(uv_prepare_t *p)
{
    struct worker *w = p->data;
    for (size_t k = 0; k < w->srv->n_addrs; k++)  /* nothing left behind before the loop sleeps */
        dx__udp_flush(&w->udp[k]);
    if (w->txn_live) {
        dx_txn_reset(w->txn);
        w->txn_live = false;
    }
}

static void walk_close(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void dx__worker_close_all(struct worker *w)
{
    dx__conn_close_all(w);
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
        dx__worker_close_all(w);
}

void dx__worker_main(void *arg)
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

int dx__worker_init(struct dx_server *s, struct worker *w, char *err, size_t errlen)
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

    for (size_t k = 0; k < s->n_addrs; k++)
        if ((r = dx__udp_start(w, k, err, errlen)) != 0 ||
            (r = dx__tcp_start(w, k, err, errlen)) != 0)
            return r;
    return 0;
uverr:
    snprintf(err, errlen, "event loop: %s", uv_strerror(r));
    return r;
}
