/* The defences of the query path (dnsxld(8) "Rate limiting", "DNS
 * cookies"), between the parse and the send of query.c:
 *
 *   dx_guard_begin  after the parse: the query's COOKIE checked (cookie.h)
 *                   and the reply's COOKIE option built;
 *   dx_guard_rrl    once the reply is built: send it, "slip" it (the
 *                   question alone, no records, no EDE: BADCOOKIE with our
 *                   cookie when the query had a client cookie, else TC=1),
 *                   or drop it (rrl.h).
 *
 * Not limited: TCP, rate-limit = 0, rate-limit-exempt networks, and UDP
 * queries with a valid server cookie (the address is then proven). Every
 * rate-limit-slip-th limited answer of a worker slips, the rest are dropped.
 * Counted per worker in struct dx_guard_stats. No allocation.
 */
#ifndef DX_GUARD_H
#define DX_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsxld/cookie.h"
#include "dnsxld/query.h"
#include "dnsxld/wire.h"

/* A worker's counters (summed by the server when it stops). */
struct dx_guard_stats {
    uint64_t limited;              /* answers over the rate limit */
    uint64_t slipped;              /* ... of them sent truncated (or BADCOOKIE) */
    uint64_t dropped;              /* ... of them not sent */
    uint64_t cookie_bad;           /* queries with a server cookie we did not accept */
};

struct dx_guard {
    const struct sockaddr *peer;   /* NULL: unknown (no cookie, no limit) */
    bool cookie_ok;                /* a valid server cookie: not rate limited */
    uint8_t optlen;                /* 0: the reply carries no COOKIE */
    uint8_t opt[4 + DX_COOKIE_REPLY]; /* the reply's COOKIE option: code, length, data */
};

/* The slow paths of the two below (guard.c). */
void dx__guard_cookie(const struct dx_qctx *q, const struct dx_msg *m, struct dx_guard *g);

enum dx_verdict { DX_VERDICT_SEND, DX_VERDICT_SLIP, DX_VERDICT_DROP };

enum dx_verdict dx__guard_limit(const struct dx_qctx *q, const struct dx_guard *g,
                                unsigned rcode, unsigned an);

/* The query m from peer has parsed (its header at least): check its
 * cookie at q->now and build the reply's COOKIE into g. */
static inline void dx_guard_begin(const struct dx_qctx *q, const struct dx_msg *m,
                                  const struct sockaddr *peer, struct dx_guard *g)
{
    g->peer = peer;
    g->cookie_ok = false;
    g->optlen = 0;
    if (m->cookie_len != 0 && !m->opt_bad)
        dx__guard_cookie(q, m, g);
}

/* The reply (rcode, an answer records) to a query that came over tr is
 * built: what to do with it. Counts in q->st. */
static inline enum dx_verdict dx_guard_rrl(const struct dx_qctx *q, const struct dx_guard *g,
                                           enum dx_transport tr, unsigned rcode, unsigned an)
{
    if (tr != DX_UDP || q->conf->server.rate_limit == 0 || g->cookie_ok)
        return DX_VERDICT_SEND;
    return dx__guard_limit(q, g, rcode, an);
}

#endif
