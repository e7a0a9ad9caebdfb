/* The usage policy of a zone, in the zone's own terms (dnsxl.conf(5)
 * blocked-clients, query-limit, query-keys; dnsxld(8) "Usage policy"):
 * answers in 127.255.255.0/24, which no list code can be, so mail
 * software never reads them as a listing; in a bitmask zone the config
 * also refuses a code in use with a bit of a list code in its last octet
 * (zones/conf.h), so a client testing bits does not either.
 *
 * For a question below the apex of a zone with has_policy, resolve.c asks
 * dx_policy_apply first:
 *   - query keys: when the label right under the apex could be a key
 *     (zones/qkeys.h: 8 to 63 letters and digits; in a domain zone only a
 *     key of the file or one holding a digit, since no top-level domain
 *     has one), the name is <...>.<KEY>.<zone>: a known key answers the
 *     rest as the zone without keys would (<KEY>.<zone> itself, like any
 *     name with names below it, is NOERROR without data; the names below
 *     are resolved with the key's label left out), counted against the
 *     key's quota (over it: limit-code); an unknown or disabled key is
 *     REFUSED, or answered blocked-code with `unknown-key = blocked`;
 *   - other questions (no key): from a `blocked-clients` network, the
 *     blocked-code; over `query-limit` (per client address, IPv6 /64), the
 *     limit-code. Key queries are governed by their key alone.
 * A policy answer is an A record of the code, a TXT of blocked-txt or
 * limit-txt (`$` = the client's address), both for ANY, and NOERROR
 * without data for other types, for every name below the apex (listed,
 * unlisted, test points), with the zone's TTL and EDE 18 (ede.h). The
 * apex is answered as always. Every query counts towards its limit, those
 * answered limit-code too.
 *
 * Counters: query-limit in a count-min sketch per zone, a quota window
 * per key name (zones/window.h: the error bounds), both shared by every
 * worker through atomics and handed on by a reload (dx_policy_attach), so
 * they survive a SIGHUP; a restart starts them all at 0. The numbers of
 * policy answers are per worker (struct dx_policy_stats), those of each
 * key in its state; dnsxld logs both when it stops (dx_policy_report).
 * The query path allocates nothing.
 */
#ifndef DX_POLICY_H
#define DX_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsxld/query.h"
#include "dnsxld/resolve.h"
#include "zones/conf.h"
#include "zones/key.h"

/* A worker's policy counters. */
struct dx_policy_stats {
    uint64_t blocked;            /* answered blocked-code: a blocked-clients network */
    uint64_t limited;            /* answered limit-code: over query-limit */
    uint64_t key_unknown;        /* an unknown key: REFUSED or blocked-code */
};

/* The address key of a peer (IPv4-mapped IPv6 as IPv4); false for no
 * address (peer NULL or another family). */
bool dx_peer_key(const struct sockaddr *peer, struct dx_key *k);

/* Apply z's policy (z->has_policy) to the question qn from peer (after the
 * zone, allow-query and the snapshot). true: decided, r holds the answer
 * (DX_OUT_LISTED with one hit and r->policy, DX_OUT_NODATA or
 * DX_OUT_REFUSED, r->ede set); false: answer as usual below *apex labels
 * (z->labels, or one more for <KEY>.<zone>). */
bool dx_policy_apply(const struct dx_qctx *q, const struct dx_zone_conf *z,
                     const struct dx_question *qn, const struct sockaddr *peer, unsigned *apex,
                     struct dx_resolved *r);

/* Before a config is handed to the workers (main thread): read the
 * query-keys file of each zone (zones/qkeys.h: FILE:LINE messages) and
 * set up its counters, taking over those of old (the config in force,
 * NULL at start) for the same key names and, for query-limit, the same
 * zone and period. 0, or an error with err (nothing of old is changed). */
int dx_policy_attach(struct dx_conf *c, const struct dx_conf *old, char *err, size_t errlen);

/* Log what the policy answered (sum: the workers' counters) and each key
 * of c with queries: "query key NAME (ZONE): N queries, M over quota, D
 * while disabled". Nothing without a zone with a policy. */
void dx_policy_report(const struct dx_conf *c, const struct dx_policy_stats *sum);

#endif
