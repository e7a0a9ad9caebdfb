/* NOTIFY (dnsxld/notify.h): the targets, the poll of the serials, the
 * messages, their retries and the responses. */
#include "dnsxld/notify.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "dnsxld/log.h"
#include "dnsxld/tsig.h"
#include "dnsxld/wire.h"
#include "dnsxld/xstats.h"
#include "zones/bytes.h"
#include "zones/clock.h"
#include "zones/err.h"
#include "zones/key.h"

#define OP_NOTIFY 4
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 30000
#define MSG_MAX 1024

struct target {
    struct dx_notifier *n;
    const char *zone;                /* the config's */
    uint8_t zwire[256];
    size_t zwire_len;
    struct sockaddr_storage sa;
    socklen_t salen;
    char text[INET6_ADDRSTRLEN + 8];
    const struct dx_key_conf *key;   /* the config's; NULL: unsigned */
    bool have_acked, have_gaveup, inflight;
    uint32_t acked, gaveup, sent;    /* serials: acknowledged, given up, in flight */
    uint16_t id;
    unsigned tries;
    uint64_t backoff;                /* ms */
    uint8_t mac[DX_TSIG_MAC_MAX];
    size_t mac_len;
    uint8_t msg[MSG_MAX];
    size_t msg_len;
    uv_timer_t retry;
    uint64_t sent_at;                /* uv_now of the first send, for the log */
};

struct dx_notifier {
    uv_loop_t *loop;
    struct dx_store *st;
    struct dx_txn *txn;              /* renewed per poll, reset between */
    const struct dx_conf *conf;
    struct target **t;
    size_t n;
    uv_timer_t poll;
    uv_udp_t u4, u6;
    bool has4, has6, stopping;
    unsigned open;                   /* handles not yet closed */
    uint8_t rbuf[65536];
};

static void closed(uv_handle_t *h)
{
    struct dx_notifier *n = h->data;
    if (--n->open == 0) {
        dx_txn_abort(n->txn);
        free(n->t);
        free(n);
    }
}

static void target_closed(uv_handle_t *h)
{
    struct target *t = h->data;
    struct dx_notifier *n = t->n;
    free(t);
    closed((uv_handle_t *)&n->poll);
}

static void target_close(struct target *t)
{
    uv_timer_stop(&t->retry);
    t->retry.data = t;
    uv_close((uv_handle_t *)&t->retry, target_closed);
}

/* --- sending ---------------------------------------------------------------------- */

static void send_msg(struct target *t)
{
    struct dx_notifier *n = t->n;
    uv_udp_t *u = t->sa.ss_family == AF_INET6 ? &n->u6 : &n->u4;
    if ((u == &n->u6 && !n->has6) || (u == &n->u4 && !n->has4))
        return;
    uv_buf_t b = uv_buf_init((char *)t->msg, (unsigned)t->msg_len);
    int rc = uv_udp_try_send(u, &b, 1, (const struct sockaddr *)&t->sa);
    if (rc < 0)
        dx_log_debug("NOTIFY %s to %s: %s", t->zone, t->text, uv_strerror(rc));
}

static void on_retry(uv_timer_t *h);

/* A new NOTIFY of serial s: the message, its first send, its timer. */
static void notify(struct target *t, uint32_t s)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, t->msg, sizeof(t->msg));
    t->id = (uint16_t)randombytes_uniform(65536);
    struct dx_hdr h = { .id = t->id, .flags = OP_NOTIFY << 11 | 0x0400, .qd = 1 };
    dx_put_zero(&b, DX_HDR_LEN);
    dx_hdr_patch(&b, &h);
    dx_put(&b, t->zwire, t->zwire_len);
    dx_put_u16(&b, DX_T_SOA);
    dx_put_u16(&b, 1);
    t->mac_len = 0;
    if (t->key && b.err == 0)
        dx_tsig_sign(&b, t->key, NULL, 0, false, dx_now(), 0, NULL, 0, t->mac, &t->mac_len);
    if (b.err) {
        dx_log_warn("NOTIFY %s to %s: cannot write the message: %s", t->zone, t->text,
                    dx_strerror(b.err));
        return;
    }
    t->msg_len = b.pos;
    t->sent = s;
    t->inflight = true;
    t->tries = 1;
    t->backoff = RETRY_FIRST_MS;
    t->sent_at = uv_now(t->n->loop);
    dx_log_debug("NOTIFY %s serial %u to %s", t->zone, s, t->text);
    send_msg(t);
    uv_timer_start(&t->retry, on_retry, t->backoff, 0);
}

static void on_retry(uv_timer_t *h)
{
    struct target *t = h->data;
    if (!t->inflight)
        return;
    if (t->tries >= NOTIFY_TRIES) {
        dx_log_warn("NOTIFY %s serial %u to %s: no acknowledgement after %u tries, giving up "
                    "until the next serial", t->zone, t->sent, t->text, t->tries);
        dx_xstats_notify(t->zone, DX_NR_GAVE_UP);
        t->inflight = false;
        t->have_gaveup = true;
        t->gaveup = t->sent;
        return;
    }
    t->tries++;
    t->backoff = t->backoff * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : t->backoff * 2;
    send_msg(t);
    uv_timer_start(&t->retry, on_retry, t->backoff, 0);
}

/* --- the serials ---------------------------------------------------------------------- */

static void on_poll(uv_timer_t *h)
{
    struct dx_notifier *n = h->data;
    if (n->n == 0)
        return;
    if (!n->txn) {
        if (dx_txn_read(n->st, &n->txn) != 0)
            return;
    } else if (dx_txn_renew(n->txn) != 0) {
        return;
    }
    const char *zone = NULL;
    uint32_t s = 0;
    bool have = false;
    for (size_t i = 0; i < n->n; i++) {
        struct target *t = n->t[i];
        if (!zone || strcmp(zone, t->zone) != 0) {
            zone = t->zone;
            have = dx_zone_serial(n->txn, zone, &s) == 0;
        }
        if (!have || t->inflight || (t->have_acked && t->acked == s) ||
            (t->have_gaveup && t->gaveup == s))
            continue;
        notify(t, s);
    }
    dx_txn_reset(n->txn);
}

/* --- responses ----------------------------------------------------------------------- */

static bool same_peer(const struct target *t, const struct sockaddr *sa)
{
    if (sa->sa_family != t->sa.ss_family)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)sa, *b = (const void *)&t->sa;
        return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *a = (const void *)sa, *b = (const void *)&t->sa;
    return a->sin6_port == b->sin6_port &&
           memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

enum dx_notify_resp dx_notify_response(const uint8_t *m, size_t len, uint16_t id,
                                       const uint8_t *zwire, size_t zwire_len,
                                       const struct dx_conf *conf, const struct dx_key_conf *key,
                                       const uint8_t *mac, size_t mac_len, uint64_t now,
                                       unsigned *rcode, enum dx_tsig_result *tres)
{
    *rcode = 0;
    *tres = DX_TSIG_NONE;
    if (len < DX_HDR_LEN)
        return DX_NOTIFY_OTHER;
    uint16_t flags = dx_be16(m + 2);
    if (dx_be16(m) != id || !(flags & 0x8000) || ((flags >> 11) & 0xf) != OP_NOTIFY ||
        dx_be16(m + 4) != 1)
        return DX_NOTIFY_OTHER;
    uint8_t qn[256];
    size_t qn_len, next;
    if (dx_name_unpack(m, len, DX_HDR_LEN, qn, &qn_len, &next) || next + 4 > len ||
        qn_len != zwire_len || dx_be16(m + next) != DX_T_SOA || dx_be16(m + next + 2) != DX_C_IN)
        return DX_NOTIFY_OTHER;
    for (size_t i = 0; i < qn_len; i++) {
        uint8_t a = qn[i], b = zwire[i];     /* label lengths are < 64: never letters */
        if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
            return DX_NOTIFY_OTHER;
    }
    if (key) {
        struct dx_tsig ts;
        *tres = dx_tsig_verify(m, len, conf, mac, mac_len, false, now, &ts);
        if (*tres != DX_TSIG_OK || ts.key != key)
            return DX_NOTIFY_BADTSIG;
    }
    *rcode = flags & 0xf;
    return *rcode == DX_RC_NOERROR ? DX_NOTIFY_ACK : DX_NOTIFY_RCODE;
}

static void response(struct dx_notifier *n, const uint8_t *m, size_t len,
                     const struct sockaddr *sa)
{
    if (len < DX_HDR_LEN)
        return;
    uint16_t id = dx_be16(m);
    struct target *t = NULL;
    for (size_t i = 0; i < n->n && !t; i++)
        if (n->t[i]->inflight && n->t[i]->id == id && same_peer(n->t[i], sa))
            t = n->t[i];
    if (!t)
        return;
    unsigned rcode;
    enum dx_tsig_result r;
    switch (dx_notify_response(m, len, t->id, t->zwire, t->zwire_len, n->conf, t->key, t->mac,
                               t->mac_len, dx_now(), &rcode, &r)) {
    case DX_NOTIFY_OTHER:
        return;
    case DX_NOTIFY_BADTSIG:
        dx_log_warn("NOTIFY %s to %s: a response whose TSIG does not verify (%s): ignored",
                    t->zone, t->text, r == DX_TSIG_NONE ? "unsigned" : "bad signature");
        return;
    case DX_NOTIFY_RCODE:
        dx_log_warn("NOTIFY %s serial %u to %s: answered rcode %u", t->zone, t->sent, t->text,
                    rcode);
        dx_xstats_notify(t->zone, DX_NR_RCODE);
        return;                         /* sent again until the tries run out */
    case DX_NOTIFY_ACK:
        break;
    }
    uv_timer_stop(&t->retry);
    dx_xstats_notify(t->zone, DX_NR_ACKNOWLEDGED);
    t->inflight = false;
    t->have_acked = true;
    t->acked = t->sent;
    dx_log_info("NOTIFY %s serial %u to %s: acknowledged (%u %s, %llu ms)", t->zone, t->sent,
                t->text, t->tries, t->tries == 1 ? "try" : "tries",
                (unsigned long long)(uv_now(n->loop) - t->sent_at));
}

static void on_alloc(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
    struct dx_notifier *n = h->data;
    (void)want;
    *buf = uv_buf_init((char *)n->rbuf, sizeof(n->rbuf));
}

static void on_recv(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *sa,
                    unsigned flags)
{
    (void)flags;
    if (nread > 0 && sa)
        response(u->data, (const uint8_t *)buf->base, (size_t)nread, sa);
}

/* --- targets ------------------------------------------------------------------------- */

static int target_cmp(const void *a, const void *b)
{
    const struct target *x = *(struct target *const *)a, *y = *(struct target *const *)b;
    return strcmp(x->zone, y->zone);
}

/* conf's targets into n->t (sorted by zone), keeping what old[0..nold)
 * knew of the same zone and address. */
static int targets_build(struct dx_notifier *n, const struct dx_conf *conf,
                         struct target **old, size_t nold)
{
    size_t count = 0;
    for (size_t i = 0; i < conf->n_zones; i++)
        count += conf->zones[i].n_notify;
    struct target **v = calloc(count ? count : 1, sizeof(*v));
    if (!v)
        return DX_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < conf->n_zones; i++) {
        const struct dx_zone_conf *z = &conf->zones[i];
        for (size_t j = 0; j < z->n_notify; j++) {
            const struct dx_notify_conf *c = &z->notify[j];
            struct target *t = calloc(1, sizeof(*t));
            if (!t) {
                for (size_t x = 0; x < k; x++)
                    target_close(v[x]);
                free(v);
                return DX_ENOMEM;
            }
            t->n = n;
            t->zone = z->name;
            memcpy(t->zwire, z->wire, z->wire_len);
            t->zwire_len = z->wire_len;
            t->key = c->key;
            char a[INET6_ADDRSTRLEN];
            if (c->family == DX_FAM_V4) {
                struct sockaddr_in *s = (struct sockaddr_in *)&t->sa;
                s->sin_family = AF_INET;
                s->sin_port = htons(c->port);
                memcpy(&s->sin_addr, c->addr, 4);
                t->salen = sizeof(*s);
                inet_ntop(AF_INET, c->addr, a, sizeof(a));
                snprintf(t->text, sizeof(t->text), "%s:%u", a, c->port);
            } else {
                struct sockaddr_in6 *s = (struct sockaddr_in6 *)&t->sa;
                s->sin6_family = AF_INET6;
                s->sin6_port = htons(c->port);
                memcpy(&s->sin6_addr, c->addr, 16);
                t->salen = sizeof(*s);
                inet_ntop(AF_INET6, c->addr, a, sizeof(a));
                snprintf(t->text, sizeof(t->text), "[%s]:%u", a, c->port);
            }
            for (size_t x = 0; x < nold; x++) {
                const struct target *o = old[x];
                if (strcmp(o->zone, t->zone) == 0 && o->salen == t->salen &&
                    memcmp(&o->sa, &t->sa, t->salen) == 0) {
                    t->have_acked = o->have_acked;  /* one in flight: sent again */
                    t->acked = o->acked;
                    t->have_gaveup = o->have_gaveup;
                    t->gaveup = o->gaveup;
                }
            }
            uv_timer_init(n->loop, &t->retry);
            t->retry.data = t;
            n->open++;
            v[k++] = t;
        }
    }
    qsort(v, k, sizeof(*v), target_cmp);
    n->t = v;
    n->n = k;
    return 0;
}

static void udp_open(struct dx_notifier *n, uv_udp_t *u, bool v6, bool *ok)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (v6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        s->sin6_family = AF_INET6;
        s->sin6_addr = in6addr_any;
    } else {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        s->sin_family = AF_INET;
        s->sin_addr.s_addr = htonl(INADDR_ANY);
    }
    uv_udp_init(n->loop, u);
    u->data = n;
    n->open++;
    int rc = uv_udp_bind(u, (const struct sockaddr *)&ss, v6 ? UV_UDP_IPV6ONLY : 0);
    if (rc == 0)
        rc = uv_udp_recv_start(u, on_alloc, on_recv);
    *ok = rc == 0;
    if (rc)
        dx_log_warn("NOTIFY: no IPv%d socket: %s", v6 ? 6 : 4, uv_strerror(rc));
}

int dx_notify_start(uv_loop_t *loop, struct dx_store *st, const struct dx_conf *conf,
                    struct dx_notifier **out)
{
    struct dx_notifier *n = calloc(1, sizeof(*n));
    if (!n)
        return DX_ENOMEM;
    n->loop = loop;
    n->st = st;
    n->conf = conf;
    uv_timer_init(loop, &n->poll);
    n->poll.data = n;
    n->open = 1;
    udp_open(n, &n->u4, false, &n->has4);
    udp_open(n, &n->u6, true, &n->has6);
    int rc = targets_build(n, conf, NULL, 0);
    if (rc) {
        dx_notify_stop(n);
        return rc;
    }
    uv_timer_start(&n->poll, on_poll, 0, NOTIFY_POLL_MS);
    *out = n;
    return 0;
}

void dx_notify_reload(struct dx_notifier *n, const struct dx_conf *conf)
{
    if (!n || n->stopping)
        return;
    struct target **old = n->t;
    size_t nold = n->n;
    n->conf = conf;
    if (targets_build(n, conf, old, nold) != 0) {
        dx_log_err("NOTIFY: out of memory: no NOTIFY until the next reload");
        n->t = NULL;
        n->n = 0;
    }
    for (size_t i = 0; i < nold; i++)
        target_close(old[i]);
    free(old);
}

void dx_notify_stop(struct dx_notifier *n)
{
    if (!n || n->stopping)
        return;
    n->stopping = true;
    for (size_t i = 0; i < n->n; i++)
        target_close(n->t[i]);
    n->n = 0;
    uv_timer_stop(&n->poll);
    uv_close((uv_handle_t *)&n->poll, closed);
    if (n->has4)
        uv_udp_recv_stop(&n->u4);
    if (n->has6)
        uv_udp_recv_stop(&n->u6);
    uv_close((uv_handle_t *)&n->u4, closed);
    uv_close((uv_handle_t *)&n->u6, closed);
}
