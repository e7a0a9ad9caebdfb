/* Zone transfers out (dnsxld/xfr.h): the request's checks on the worker,
 * the transfer on a thread of its own, the queue between them. */
#include "dnsxld/xfr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dnsxld/log.h"
#include "dnsxld/wire.h"
#include "dnsxld/xstats.h"
#include "zones/clock.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/journal.h"
#include "zones/key.h"

#define XFR_QUEUE 2                  /* messages queued or being written, at most */
#define RC_NOTAUTH 9

static atomic_int running;           /* transfers now, all workers */

struct dx_xfr {
    struct dx_store *st;
    struct dx_zrr_zone *zone;
    struct dx_xreq rq;
    struct dx_key_conf key;          /* a copy of the request's key; key.secret: owned */
    bool signed_;
    bool ixfr, has_serial;
    uint32_t serial;                 /* an IXFR's: the client's */
    uint64_t now, limit;             /* its start; the seconds it may run */
    bool overdue;                    /* it ran past them: the worker closed it */
    char peer[INET6_ADDRSTRLEN];

    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct dx_xfr_msg *head, *tail;  /* queued, not yet taken */
    unsigned out;                    /* queued + taken, not yet sent */
    bool cancel, done;
    void (*wake)(void *arg);
    void *wake_arg;
    bool counted, mu_ok;             /* counted in running; mu and cv initialised */
    /* results, for the log line */
    bool soa_only, incremental;      /* an IXFR answered from the journal: */
    size_t ndel, nadd;               /* ... its records removed and added */
    uint64_t bytes;
    unsigned msgs;
    int rc;
};

/* --- the request --------------------------------------------------------------------- */

bool dx_xfr_is_request(const uint8_t *msg, size_t len)
{
    if (len < DX_HDR_LEN || (msg[2] & 0xf8) != 0 || dx_be16(msg + 4) != 1)
        return false;                   /* QR 0, opcode QUERY, one question */
    size_t next;
    if (dx_name_unpack(msg, len, DX_HDR_LEN, NULL, NULL, &next) || next + 4 > len)
        return false;
    uint16_t t = dx_be16(msg + next);
    return t == DX_T_AXFR || t == DX_T_IXFR;
}

/* Are the wire names a and b (b lowercase) the same, case aside? */
static bool same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        uint8_t c = a[i] >= 'A' && a[i] <= 'Z' ? (uint8_t)(a[i] + 32) : a[i];
        if (c != b[i])
            return false;
    }
    return true;
}

/* The SOA serial in the authority section of an IXFR request (RFC 1995
 * 3): 1 and *serial, 0 for none, -1 for a SOA that is not the zone's (its
 * owner not the question's name, or its class not IN: FORMERR). */
static int ixfr_serial(const uint8_t *msg, size_t len, const struct dx_msg *m, uint32_t *serial)
{
    struct dx_bytes b;
    dx_bytes_reader(&b, msg, len);
    dx_skip(&b, DX_HDR_LEN);
    dx_wire_get_name(&b, NULL, NULL);
    dx_skip(&b, 4);
    for (unsigned i = 0; i < (unsigned)m->hdr.an + m->hdr.ns && !b.err; i++) {
        uint8_t owner[DX_NAME_MAX];
        size_t olen = 0;
        dx_wire_get_name(&b, owner, &olen);
        uint16_t type = dx_get_u16(&b), class = dx_get_u16(&b);
        dx_skip(&b, 4);
        size_t rdlen = dx_get_u16(&b), rd = b.pos;
        if (i >= m->hdr.an && type == DX_T_SOA && !b.err) {
            size_t mn, r;
            if (!same_name(owner, olen, m->q.name, m->q.name_len) || class != DX_C_IN)
                return -1;
            if (dx_name_unpack(msg, len, rd, NULL, NULL, &mn) ||
                dx_name_unpack(msg, len, mn, NULL, NULL, &r) || r + 4 > rd + rdlen)
                return 0;
            *serial = dx_be32(msg + r);
            return 1;
        }
        dx_skip(&b, rdlen);
    }
    return 0;
}

static bool peer_key(const struct sockaddr *peer, struct dx_key *k, char *text)
{
    text[0] = 0;
    if (peer && peer->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)peer;
        dx_key_from_addr(k, (const uint8_t *)&s->sin_addr, 4);
    } else if (peer && peer->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)peer;
        dx_key_from_addr(k, s->sin6_addr.s6_addr, 16);
    } else {
        return false;
    }
    dx_key_format(k, text, INET6_ADDRSTRLEN);
    return true;
}

/* The allow-transfer line that lets peer in with the request's key (NULL
 * when it is unsigned): true if there is one. */
static bool allowed(const struct dx_zone_conf *z, const struct dx_key *peer,
                    const struct dx_key_conf *key)
{
    for (size_t i = 0; i < z->n_allow_transfer; i++) {
        const struct dx_xfr_acl *a = &z->allow_transfer[i];
        if (dx_key_contains(&a->net, peer) && (!a->key || a->key == key))
            return true;
    }
    return false;
}

static const struct dx_zone_conf *zone_named(const struct dx_conf *conf, const uint8_t *qname,
                                             size_t len)
{
    for (size_t i = 0; i < conf->n_zones; i++)
        if (conf->zones[i].wire_len == len && memcmp(conf->zones[i].wire, qname, len) == 0)
            return &conf->zones[i];
    return NULL;
}

/* The current SOA of zone z alone (dx_xfr_udp). */
static size_t soa_alone(const struct dx_zone_conf *z, struct dx_txn *txn,
                        const struct dx_xreq *rq, const struct dx_key_conf *key, uint64_t now,
                        uint8_t *resp, size_t cap)
{
    uint32_t serial = 1;
    int rc = txn ? dx_zone_serial(txn, z->name, &serial) : DX_EINVAL;
    if (rc && rc != DX_ENOTFOUND)
        return dx_xout_error(rq, DX_RC_SERVFAIL, key, now, resp, cap);
    if (rc)
        serial = 1;                     /* nothing written yet (zones/zonerr.h) */
    uint8_t rd[520];
    size_t n = 0;
    memcpy(rd, z->soa_mname_w.wire, z->soa_mname_w.len);
    n += z->soa_mname_w.len;
    memcpy(rd + n, z->soa_rname_w.wire, z->soa_rname_w.len);
    n += z->soa_rname_w.len;
    dx_set_be32(rd + n, serial);
    dx_set_be32(rd + n + 4, z->soa.refresh);
    dx_set_be32(rd + n + 8, z->soa.retry);
    dx_set_be32(rd + n + 12, z->soa.expire);
    dx_set_be32(rd + n + 16, z->soa.minimum);
    struct dx_rr rr = { z->wire, z->wire_len, DX_RR_SOA, z->ttl, rd, n + 20 };
    return dx_xout_one(rq, &rr, key, now, resp, cap);
}

/* A transfer request over TCP (udp_txn unused), or an IXFR over UDP (udp:
 * the same checks, then the SOA alone, nothing logged). */
static int request(const struct dx_conf *conf, struct dx_store *st, bool udp,
                   struct dx_txn *udp_txn, const struct sockaddr *peer, const uint8_t *msg,
                   size_t len, uint64_t now, uint8_t *resp, size_t cap, size_t *resp_len,
                   struct dx_xfr **out)
{
    *out = NULL;
    *resp_len = 0;
    struct dx_msg m;
    int prc = dx_msg_parse(msg, len, &m);
    if (prc == DX_ESHORT || !m.has_q)
        return 0;                       /* nothing to answer with */
    if (udp) {                          /* the client's UDP size (RFC 6891 6.2.3) */
        size_t lim = m.has_opt && !m.opt_bad && m.opt_payload > 512 ? m.opt_payload : 512;
        cap = lim < cap ? lim : cap;
    }
    struct dx_xreq rq = { .id = m.hdr.id, .flags = m.hdr.flags, .qtype = m.q.qtype,
                          .qclass = m.q.qclass, .opt = m.has_opt && !m.opt_bad,
                          .opt_size = (uint16_t)(conf->server.edns_size < 512 ? 512
                                                 : conf->server.edns_size) };
    memcpy(rq.qname, m.q.orig, m.q.name_len);
    rq.qname_len = m.q.name_len;
    char who[INET6_ADDRSTRLEN];
    struct dx_key pk;
    bool have_peer = peer_key(peer, &pk, who);
    rq.tres = prc ? DX_TSIG_FORMERR : dx_tsig_verify(msg, len, conf, NULL, 0, false, now, &rq.tsig);
    const char *type = m.q.qtype == DX_T_AXFR ? "AXFR" : "IXFR";
    const struct dx_zone_conf *z = zone_named(conf, m.q.name, m.q.name_len);
    uint32_t serial = 0;
    int has_serial = m.q.qtype == DX_T_IXFR ? ixfr_serial(msg, len, &m, &serial) : 0;
    unsigned rcode = 0;
    const char *why = NULL;
    if (rq.tres == DX_TSIG_FORMERR) {
        rcode = DX_RC_FORMERR;
        why = "malformed (TSIG)";
    } else if (rq.tres != DX_TSIG_OK && rq.tres != DX_TSIG_NONE) {
        rcode = RC_NOTAUTH;
        why = rq.tres == DX_TSIG_BADKEY ? "TSIG BADKEY" : rq.tres == DX_TSIG_BADSIG ? "TSIG BADSIG"
            : rq.tres == DX_TSIG_BADTIME ? "TSIG BADTIME" : "TSIG BADTRUNC";
    } else if (!z) {
        rcode = RC_NOTAUTH;
        why = "not a zone of ours";
    } else if (m.q.qclass != DX_C_IN) {
        rcode = DX_RC_REFUSED;
        why = "class not IN";
    } else if (has_serial < 0) {
        rcode = DX_RC_FORMERR;
        why = "malformed (the authority's SOA is not the zone's)";
    } else if (!have_peer ||
               !allowed(z, &pk, rq.tres == DX_TSIG_OK ? rq.tsig.key : NULL)) {
        rcode = DX_RC_REFUSED;
        why = "not in allow-transfer";
    } else if (!udp && atomic_fetch_add(&running, 1) >= DX_XFR_MAX) {
        atomic_fetch_sub(&running, 1);
        rcode = DX_RC_SERVFAIL;
        why = "too many transfers at once";
    }
    const struct dx_key_conf *key = rq.tres == DX_TSIG_OK ? rq.tsig.key : NULL;
    if (why) {
        if (!udp)
            dx_log_info("%s %s from %s refused: %s", type, z ? z->name : "(unknown zone)", who,
                        why);
        dx_xstats_refused(udp ? NULL : z, m.q.qtype == DX_T_IXFR, rcode);
        *resp_len = dx_xout_error(&rq, rcode, key, now, resp, cap);
        return 0;
    }
    if (udp) {
        *resp_len = soa_alone(z, udp_txn, &rq, key, now, resp, cap);
        return 0;
    }
    struct dx_xfr *x = calloc(1, sizeof(*x));
    int rc = x ? dx_zrr_zone_new(z, &x->zone) : DX_ENOMEM;
    if (rc == 0 && key) {
        x->key = *key;
        x->key.name = NULL;
        x->key.secret_b64 = x->key.secret_file = NULL;
        x->key.secret = malloc(key->secret_len);
        if (x->key.secret)
            memcpy(x->key.secret, key->secret, key->secret_len);
        else
            rc = DX_ENOMEM;
        x->signed_ = true;
    }
    if (rc) {
        atomic_fetch_sub(&running, 1);
        dx_xfr_free(x);                 /* not counted, no thread */
        rq.tres = key ? DX_TSIG_OK : DX_TSIG_NONE;
        *resp_len = dx_xout_error(&rq, DX_RC_SERVFAIL, key, now, resp, cap);
        return 0;
    }
    x->st = st;
    x->rq = rq;
    x->now = now;
    x->limit = DX_XFR_TIME_MAX;
    const char *e = getenv("DNSXL_TEST_XFR_TIME");   /* a test hook (xfr.h) */
    if (e)
        dx_uint_parse(e, UINT32_MAX, &x->limit);     /* unchanged when not a number */
    x->ixfr = m.q.qtype == DX_T_IXFR;
    x->has_serial = has_serial == 1;
    x->serial = serial;
    memcpy(x->peer, who, sizeof(who));
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    x->counted = x->mu_ok = true;
    *out = x;
    return 0;
}

int dx_xfr_request(const struct dx_conf *conf, struct dx_store *st, const struct sockaddr *peer,
                   const uint8_t *msg, size_t len, uint64_t now, uint8_t *resp, size_t cap,
                   size_t *resp_len, struct dx_xfr **out)
{
    return request(conf, st, false, NULL, peer, msg, len, now, resp, cap, resp_len, out);
}

bool dx_xfr_udp(const struct dx_conf *conf, struct dx_txn *txn, const struct sockaddr *peer,
                const uint8_t *msg, size_t len, uint64_t now, uint8_t *resp, size_t cap,
                size_t *resp_len)
{
    /* cheap, for every query: QR 0, opcode QUERY, one question, its name
     * uncompressed, type IXFR */
    if (len < DX_HDR_LEN + 5 || (msg[2] & 0xf8) != 0 || dx_be16(msg + 4) != 1)
        return false;
    size_t p = DX_HDR_LEN;
    while (p < len && msg[p] != 0 && msg[p] < 64)
        p += (size_t)msg[p] + 1;
    if (p + 3 > len || msg[p] != 0 || dx_be16(msg + p + 1) != DX_T_IXFR)
        return false;
    struct dx_xfr *x;
    request(conf, NULL, true, txn, peer, msg, len, now, resp, cap, resp_len, &x);
    return *resp_len > 0;               /* else the query path answers it (FORMERR ...) */
}

/* --- the transfer's thread --------------------------------------------------------------- */

/* The queue: add a message, wait while it is full. */
static int emit(void *arg, struct dx_xfr_msg *m)
{
    struct dx_xfr *x = arg;
    pthread_mutex_lock(&x->mu);
    while (x->out >= XFR_QUEUE && !x->cancel)
        pthread_cond_wait(&x->cv, &x->mu);
    bool cancel = x->cancel;
    if (!cancel) {
        if (x->tail)
            x->tail->next = m;
        else
            x->head = m;
        x->tail = m;
        x->out++;
        x->msgs++;
        x->bytes += m->len;
    }
    pthread_mutex_unlock(&x->mu);
    if (cancel) {
        free(m);
        return DX_EREFUSED;
    }
    x->wake(x->wake_arg);
    return 0;
}

static int put(void *arg, const struct dx_rr *rr)
{
    struct dx_xout *o = arg;
    return dx_xout_rr(o, rr);
}

/* RFC 1982: is a at or after b? */
static bool serial_ge(uint32_t a, uint32_t b)
{
    return a == b || (uint32_t)(a - b) < 0x80000000u;
}

/* The condensed difference from the client's serial (RFC 1995 4): our
 * SOA, the client's SOA, the records removed, our SOA, the records added,
 * our SOA. */
static int incremental(struct dx_xfr *x, struct dx_xout *o, const struct dx_rr *soa,
                       const struct dx_jdiff *d)
{
    uint8_t old[540];
    struct dx_rr orr;
    dx_zrr_soa(x->zone, x->serial, old, &orr);
    int rc = dx_xout_rr(o, soa);
    if (rc == 0)
        rc = dx_xout_rr(o, &orr);
    if (rc == 0)
        rc = dx_jdiff_foreach(&d->del, put, o);
    if (rc == 0)
        rc = dx_xout_rr(o, soa);
    if (rc == 0)
        rc = dx_jdiff_foreach(&d->add, put, o);
    if (rc == 0)
        rc = dx_xout_rr(o, soa);
    x->incremental = true;
    x->ndel = d->ndel;
    x->nadd = d->nadd;
    return rc;
}

static void *run(void *arg)
{
    struct dx_xfr *x = arg;
    struct dx_txn *t = NULL;
    struct dx_xout *o = NULL;
    const struct dx_key_conf *key = x->signed_ ? &x->key : NULL;
    int rc = dx_xout_new(&x->rq, key, dx_now, emit, x, &o);
    if (rc == 0)
        rc = dx_txn_read(x->st, &t);
    uint32_t serial = 0;
    if (rc == 0)
        rc = dx_zrr_serial(t, x->zone, &serial);
    uint8_t soa[540];
    struct dx_rr rr;
    struct dx_jdiff d;
    dx_jdiff_init(&d);
    if (rc == 0) {
        dx_zrr_soa(x->zone, serial, soa, &rr);
        int inc = 0;
        if (x->has_serial && serial_ge(x->serial, serial)) {
            rc = dx_xout_rr(o, &rr);    /* up to date: our SOA alone (RFC 1995 2) */
            x->soa_only = true;
        } else if (x->has_serial &&
                   (inc = dx_journal_diff(t, x->zone->name, x->serial, serial, &d)) == 1) {
            rc = incremental(x, o, &rr, &d);
        } else if (inc < 0) {
            rc = inc;
        } else {
            rc = dx_zrr_walk(t, x->zone, DX_XFR_CLOCK, put, o);
            if (rc == 0)
                rc = dx_xout_rr(o, &rr);     /* SOA last */
        }
    }
    dx_jdiff_free(&d);
    if (rc == 0)
        rc = dx_xout_end(o, 0);
    else if (o && rc != DX_EREFUSED)
        dx_xout_end(o, DX_RC_SERVFAIL);      /* a failed transfer ends SERVFAIL */
    dx_txn_abort(t);
    dx_xout_free(o);
    pthread_mutex_lock(&x->mu);
    x->done = true;
    x->rc = rc;
    pthread_mutex_unlock(&x->mu);
    x->wake(x->wake_arg);
    return NULL;
}

int dx_xfr_start(struct dx_xfr *x, void (*wake)(void *arg), void *arg)
{
    x->wake = wake;
    x->wake_arg = arg;
    int rc = pthread_create(&x->thread, NULL, run, x);
    if (rc)
        return -rc;
    x->started = true;
    return 0;
}

struct dx_xfr_msg *dx_xfr_next(struct dx_xfr *x, bool *done)
{
    pthread_mutex_lock(&x->mu);
    struct dx_xfr_msg *m = x->head;
    if (m) {
        x->head = m->next;
        if (!x->head)
            x->tail = NULL;
    }
    *done = x->done && !x->head;
    pthread_mutex_unlock(&x->mu);
    return m;
}

void dx_xfr_sent(struct dx_xfr *x, struct dx_xfr_msg *m)
{
    free(m);
    pthread_mutex_lock(&x->mu);
    x->out--;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

bool dx_xfr_overdue(struct dx_xfr *x, uint64_t now)
{
    if (now >= x->now && now - x->now >= x->limit)
        x->overdue = true;
    return x->overdue;
}

void dx_xfr_cancel(struct dx_xfr *x)
{
    pthread_mutex_lock(&x->mu);
    x->cancel = true;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

void dx_xfr_free(struct dx_xfr *x)
{
    if (!x)
        return;
    if (x->started) {
        pthread_join(x->thread, NULL);
        dx_xstats_ended(x->zone->name, x->ixfr, x->rc, x->overdue);
        const char *type = x->ixfr ? "IXFR" : "AXFR";
        if (x->rc == 0 && x->incremental)
            dx_log_info("%s %s to %s (incremental from serial %u: %zu records removed, %zu "
                        "added): %u messages, %llu bytes", type, x->zone->name, x->peer,
                        x->serial, x->ndel, x->nadd, x->msgs, (unsigned long long)x->bytes);
        else if (x->rc == 0)
            dx_log_info("%s %s to %s%s: %u messages, %llu bytes", type, x->zone->name,
                        x->peer, x->soa_only ? " (up to date: SOA only)"
                                 : x->ixfr ? " (the whole zone)" : "", x->msgs,
                        (unsigned long long)x->bytes);
        else if (x->overdue)
            dx_log_warn("%s %s to %s ended: still running after %llu s (the client reads too "
                        "slowly): connection closed", type, x->zone->name, x->peer,
                        (unsigned long long)x->limit);
        else
            dx_log_warn("%s %s to %s ended: %s", type, x->zone->name, x->peer,
                        x->rc == DX_EREFUSED ? "connection closed" : dx_strerror(x->rc));
    }
    if (x->counted)
        atomic_fetch_sub(&running, 1);
    if (x->mu_ok) {
        pthread_cond_destroy(&x->cv);
        pthread_mutex_destroy(&x->mu);
    }
    for (struct dx_xfr_msg *m = x->head, *n; m; m = n) {
        n = m->next;
        free(m);
    }
    if (x->key.secret) {
        sodium_memzero(x->key.secret, x->key.secret_len);
        free(x->key.secret);
    }
    dx_zrr_zone_free(x->zone);
    free(x);
}
