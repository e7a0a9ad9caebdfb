/* The [check] thread (checkd.h), on admin/check.h's lists and verdicts and
 * admin/dnsq.h's stub queries. */
#include "dnsxld/checkd.h"

#include "admin/check.h"
#include "admin/dnsq.h"
#include "dnsxld/log.h"
#include "zones/clock.h"
#include "zones/err.h"
#include "zones/key.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dx_checkd {
    struct dx_check_list *lists;
    size_t n_lists;
    struct dx_key *addrs;
    size_t n_addrs;
    struct dx_dnsq_servers resolver;
    uint64_t interval_s, timeout_ms;
    struct dx_dnsq *q;                  /* n_addrs * n_lists, the thread's */
    struct dx_dnsq **qp;
    pthread_t thread;
    bool thread_ok;
    pthread_mutex_t mu;                 /* over what follows */
    pthread_cond_t cv;
    bool stop;
    struct dx_check_result *res;        /* n_addrs * n_lists */
    uint64_t last_run;
};

static bool asked(const struct dx_checkd *c, size_t li)
{
    return !c->lists[li].domain;        /* a domain list is not asked about addresses */
}

static bool stopping(struct dx_checkd *c)
{
    pthread_mutex_lock(&c->mu);
    bool s = c->stop;
    pthread_mutex_unlock(&c->mu);
    return s;
}

/* One round of queries; stop is looked at between batches (a batch waits
 * at most the timeout), and a round stopped keeps the last results. */
static void check_once(struct dx_checkd *c)
{
    size_t n = 0;
    for (size_t a = 0; a < c->n_addrs; a++)
        for (size_t l = 0; l < c->n_lists; l++) {
            struct dx_dnsq *q = &c->q[a * c->n_lists + l];
            memset(q, 0, sizeof(*q));
            q->state = DX_DNSQ_FAILED;
            if (!asked(c, l) || !dx_check_qname(&c->addrs[a], c->lists[l].zone, q))
                continue;
            q->state = DX_DNSQ_WAIT;
            q->srv = c->lists[l].has_server ? &c->lists[l].server : &c->resolver;
            c->qp[n++] = q;
        }
    for (size_t at = 0; at < n; at += 256) {  /* at most 256 sockets at once */
        if (stopping(c))
            return;
        if (dx_dnsq_run(c->qp + at, n - at < 256 ? n - at : 256, c->timeout_ms) != 0)
            dx_log_warn("check: cannot wait for the answers");
    }
    pthread_mutex_lock(&c->mu);
    for (size_t a = 0; a < c->n_addrs; a++)
        for (size_t l = 0; l < c->n_lists; l++) {
            size_t i = a * c->n_lists + l;
            const struct dx_dnsq *q = &c->q[i];
            struct dx_check_result *r = &c->res[i];
            if (!asked(c, l))
                continue;
            char why[300];
            int v = q->state == DX_DNSQ_ANSWERED
                        ? dx_check_answer(&c->lists[l], q->rcode, q->a, q->na, why, sizeof(why))
                        : DX_CHECK_ERROR;
            r->checked = true;
            r->listed = v == DX_CHECK_LISTED;
            r->error = v == DX_CHECK_ERROR;
        }
    c->last_run = dx_now();
    pthread_mutex_unlock(&c->mu);
}

static void *check_main(void *arg)
{
    struct dx_checkd *c = arg;
    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        pthread_mutex_unlock(&c->mu);
        check_once(c);
        pthread_mutex_lock(&c->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)c->interval_s;
        while (!c->stop && pthread_cond_timedwait(&c->cv, &c->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void checkd_free(struct dx_checkd *c)
{
    free(c->lists);
    free(c->addrs);
    free(c->q);
    free(c->qp);
    free(c->res);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Everything but the thread: 0 with *out, or an error with err. */
static int setup(const struct dx_conf *conf, struct dx_checkd **out, char *err, size_t errlen)
{
    *out = NULL;
    struct dx_checkd *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "check: out of memory");
        return DX_ENOMEM;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t ca;              /* the waits' deadlines are CLOCK_MONOTONIC */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    c->interval_s = conf->check.interval;
    c->timeout_ms = conf->check.timeout * 1000;
    const char *path = conf->check.lists ? conf->check.lists : DX_CHECK_LISTS;
    char why[512];
    int rc = dx_check_lists_load(path, &c->lists, &c->n_lists, why, sizeof(why));
    if (rc) {
        snprintf(err, errlen, "check: %s", why);
        checkd_free(c);
        return rc == DX_ENOMEM ? rc : DX_EINVAL;
    }
    if (conf->check.server ? dx_dnsq_server(conf->check.server, &c->resolver) != 0
                           : dx_dnsq_resolv_conf("/etc/resolv.conf", &c->resolver) != 0) {
        snprintf(err, errlen, conf->check.server ? "check: bad server '%s' (IP[:PORT])"
                                                 : "check: no nameserver in /etc/resolv.conf%s",
                 conf->check.server ? conf->check.server : "");
        checkd_free(c);
        return DX_EINVAL;
    }
    c->n_addrs = conf->check.addresses.n;
    c->addrs = calloc(c->n_addrs, sizeof(*c->addrs));
    size_t nq = c->n_addrs * c->n_lists;
    c->q = calloc(nq + 1, sizeof(*c->q));
    c->qp = calloc(nq + 1, sizeof(*c->qp));
    c->res = calloc(nq + 1, sizeof(*c->res));
    if (!c->addrs || !c->q || !c->qp || !c->res) {
        snprintf(err, errlen, "check: out of memory");
        checkd_free(c);
        return DX_ENOMEM;
    }
    for (size_t a = 0; a < c->n_addrs; a++) {
        const struct dx_key *k = &conf->check.addresses.nets[a];
        if (k->plen != k->len * 8) {
            char t[64];
            dx_key_format(k, t, sizeof(t));
            snprintf(err, errlen, "check: address = %s is a range (an address is checked)", t);
            checkd_free(c);
            return DX_EINVAL;
        }
        c->addrs[a] = *k;
        for (size_t l = 0; l < c->n_lists; l++) {
            struct dx_check_result *r = &c->res[a * c->n_lists + l];
            dx_key_format(k, r->address, sizeof(r->address));
            snprintf(r->list, sizeof(r->list), "%s", c->lists[l].zone);
        }
    }
    *out = c;
    return 0;
}

int dx_checkd_verify(const struct dx_conf *conf, char *err, size_t errlen)
{
    struct dx_checkd *c;
    int rc = setup(conf, &c, err, errlen);
    if (rc == 0)
        checkd_free(c);
    return rc;
}

int dx_checkd_start(const struct dx_conf *conf, struct dx_checkd **out, char *err,
                    size_t errlen)
{
    struct dx_checkd *c;
    int rc = setup(conf, &c, err, errlen);
    if (rc)
        return rc;
    const char *path = conf->check.lists ? conf->check.lists : DX_CHECK_LISTS;
    sigset_t all, old;                  /* signals go to the main loop */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&c->thread, NULL, check_main, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        snprintf(err, errlen, "check: cannot start a thread: %s", strerror(rc));
        checkd_free(c);
        return -rc;
    }
    c->thread_ok = true;
    dx_log_info("check: %zu address%s in %zu list%s of %s every %llus", c->n_addrs,
                c->n_addrs == 1 ? "" : "es", c->n_lists, c->n_lists == 1 ? "" : "s", path,
                (unsigned long long)c->interval_s);
    *out = c;
    return 0;
}

void dx_checkd_stop(struct dx_checkd *c)
{
    if (!c)
        return;
    if (c->thread_ok) {
        pthread_mutex_lock(&c->mu);
        c->stop = true;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
    }
    checkd_free(c);
}

struct dx_check_result *dx_checkd_results(struct dx_checkd *c, size_t *n, uint64_t *last_run)
{
    *n = 0;
    *last_run = 0;
    size_t all = c ? c->n_addrs * c->n_lists : 0;
    struct dx_check_result *out = all ? malloc(all * sizeof(*out)) : NULL;
    if (!out)
        return NULL;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < all; i++)
        if (asked(c, i % c->n_lists))
            out[(*n)++] = c->res[i];
    *last_run = c->last_run;
    pthread_mutex_unlock(&c->mu);
    return out;
}
