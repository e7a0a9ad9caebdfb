/* Query logs in dnstap (dnsxld(8) "Query logs"), the format Knot, BIND,
 * unbound and NSD write: each logged query is an AUTH_QUERY message and,
 * when it was answered, an AUTH_RESPONSE, both carrying the client's
 * address and port, the transport, the times and the DNS message itself
 * (dnstap.proto, vendored from the dnstap project: CC0, public domain).
 *
 *   dnstap = unix:/run/dnstap.sock     an fstrm reader's socket (fstrm_capture,
 *                                      a collector; reconnected when it restarts)
 *   dnstap = /var/log/dnsxl.dnstap     a file (fstrm framing; replaced at start)
 *   dnstap-sample = 1%                 the share of queries logged (default 100%)
 *
 * The query path copies a sampled query, its reply and their metadata
 * into its worker's ring (ring.h: fixed size, no allocation) and never
 * waits: a record that does not fit is dropped and counted. A thread turns
 * records into dnstap frames (protobuf-c) for libfstrm's I/O thread, which
 * writes them out; a frame its full queue refuses is dropped and counted
 * too. Sampling is a per-worker accumulator: with 1%, every 100th query of
 * each worker. */
#ifndef DX_DNSTAP_H
#define DX_DNSTAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dnsxld/query.h"
#include "dnsxld/ring.h"
#include "dnsxld/stats.h"
#include "zones/conf.h"

#define DX_TAP_RING (4u << 20)         /* bytes per worker */

struct dx_tap;

/* The output conf's dnstap names: 0 with path (absolute: a relative one is
 * relative to the config's directory) and *unix_sock, or DX_EINVAL with
 * err ("dnstap: 'unix:' names no path"). dnsxld -t checks it. */
int dx_tap_target(const struct dx_conf *conf, char *path, size_t cap, bool *unix_sock,
                  char *err, size_t errlen);

/* Open the output and start the threads, with a ring per worker. 0, or an
 * error with err naming the output. */
int dx_tap_start(const struct dx_conf *conf, unsigned n_workers, struct dx_tap **out,
                 char *err, size_t errlen);
struct dx_ring *dx_tap_ring(struct dx_tap *t, unsigned i);
/* After the workers have stopped: send what is left, flush, close. NULL ok. */
void dx_tap_stop(struct dx_tap *t);

struct dx_tap_stats {
    uint64_t queries;        /* sampled queries put into the rings */
    uint64_t dropped;        /* ... that did not fit */
    uint64_t frames;         /* dnstap messages handed to the output */
    uint64_t out_dropped;    /* ... refused by its full queue */
};
void dx_tap_stats(const struct dx_tap *t, struct dx_tap_stats *out);

/* A ring record: this header, the query's bytes, the reply's. */
struct dx_tap_rec {
    uint8_t tr;              /* enum dx_transport */
    uint8_t family;          /* AF_INET, AF_INET6 */
    uint16_t port;           /* the client's, host order */
    uint8_t addr[16];
    uint64_t rsec;           /* the reply's time, unix (CLOCK_REALTIME) */
    uint32_t rnsec;
    uint32_t dur_ns;         /* the query's handling: its time is the reply's less this */
    uint16_t qlen, rlen;     /* rlen 0: not answered */
    uint32_t pad;
};

/* The query path: put one query and its reply (n = 0: none) into o->tap
 * when the sampler picks it. */
static inline void dx_tap_put(struct dx_obs *o, const struct dx_conf *conf,
                              enum dx_transport tr, const struct sockaddr *peer,
                              const uint8_t *req, size_t len, const uint8_t *resp, size_t n,
                              uint64_t dur_ns)
{
    o->tap_acc += conf->server.tap_sample;
    if (o->tap_acc < 100)
        return;
    o->tap_acc -= 100;
    if (!peer || (peer->sa_family != AF_INET && peer->sa_family != AF_INET6) ||
        len > UINT16_MAX || n > UINT16_MAX)
        return;
    uint8_t *p = dx_ring_reserve(o->tap, sizeof(struct dx_tap_rec) + len + n);
    if (!p)
        return;
    struct dx_tap_rec h;
    memset(&h, 0, sizeof(h));
    h.tr = (uint8_t)tr;
    h.family = (uint8_t)peer->sa_family;
    if (peer->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)peer;
        memcpy(h.addr, &s4->sin_addr, 4);
        h.port = ntohs(s4->sin_port);
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)peer;
        memcpy(h.addr, &s6->sin6_addr, 16);
        h.port = ntohs(s6->sin6_port);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h.rsec = (uint64_t)ts.tv_sec;
    h.rnsec = (uint32_t)ts.tv_nsec;
    h.dur_ns = dur_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)dur_ns;
    h.qlen = (uint16_t)len;
    h.rlen = (uint16_t)n;
    memcpy(p, &h, sizeof(h));
    memcpy(p + sizeof(h), req, len);
    if (n)
        memcpy(p + sizeof(h) + len, resp, n);
    dx_ring_commit(o->tap);
}

/* The dnstap frames of one record (for the thread and the unit tests):
 * packed Dnstap messages into buf (cap bytes), the query's at *qn bytes,
 * then the response's (*rn, 0 when not answered). 0, or DX_ERANGE when
 * they do not fit. identity/version may be NULL. */
int dx_tap_frames(const struct dx_tap_rec *h, const uint8_t *q, const uint8_t *r,
                  const char *identity, const char *version, uint8_t *buf, size_t cap,
                  size_t *qn, size_t *rn);

#endif
