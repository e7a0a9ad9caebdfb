/* Answering one DNS message: the whole pipeline between the socket and the
 * reply bytes. socket -> dx_query_answer() -> send.
 *
 *   parse (wire.c: header, question, OPT; FORMERR/NOTIMP/drop decided here)
 *   -> BADVERS, class (query.c)
 *   -> resolve (resolve.h: the zone, the longest suffix among configured
 *      zones, else REFUSED; allow-query, else REFUSED; the store lookup,
 *      RFC 5782 test points, empty non-terminals, reasons, SOA serial;
 *      a store error is SERVFAIL)
 *   -> records (answer.h: A/TXT/ANY/SOA/NS, NXDOMAIN/NODATA + SOA, TC)
 *   -> header and OPT (query.c)
 * with the defences around it (guard.h: the query's COOKIE checked after
 * the parse; rate limiting once the reply is built, UDP only).
 *
 * No allocation: everything works in the caller's buffers.
 */
#ifndef DX_QUERY_H
#define DX_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zones/conf.h"
#include "zones/store.h"

struct dx_rrl;
struct dx_guard_stats;
struct dx_policy_stats;
struct dx_obs;

struct dx_qctx {
    const struct dx_conf *conf;  /* the config in force for this worker */
    struct dx_txn *txn;          /* read txn, already renewed by the caller for this batch */
    uint64_t now;                /* unix seconds, taken once per batch */
    uint64_t mono_ms;            /* monotonic milliseconds, same batch: the rate limiter's clock */
    struct dx_rrl *rrl;          /* the shared rate-limit table (rrl.h); NULL: no limiting */
    struct dx_guard_stats *st;   /* this worker's defence counters (guard.h); NULL: no limiting */
    struct dx_policy_stats *pst; /* this worker's usage-policy counters (policy.h); NULL: none */
    struct dx_obs *obs;          /* this worker's metrics and heat state (stats.h); NULL: the
                                    metrics, heat and dnstap are all off */
};

enum dx_transport { DX_UDP = 0, DX_TCP = 1 };

/* Answer the message req[0..len) received from `peer` over `tr` into
 * resp (capacity cap: at least 65535 for TCP, 65535 is fine for UDP too; the
 * UDP size limit comes from the query's EDNS payload, 512 without EDNS).
 * Returns the reply length, or 0 when nothing must be sent (unparseable
 * header, QR=1). Never fails otherwise: store errors become SERVFAIL. */
size_t dx_query_answer(struct dx_qctx *q, const uint8_t *req, size_t len,
                       uint8_t *resp, size_t cap, enum dx_transport tr,
                       const struct sockaddr *peer);

#endif
