/* Internal to the zone as records (zones/zonerr.h): what zonerr.c (the
 * zone copy, the records of an answer, the domain walk, the driver) and
 * zonerr_ip.c (the ip walk) share. Nothing else includes it. */
#ifndef DX_ZONERR_INT_H
#define DX_ZONERR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"
#include "zones/key.h"
#include "zones/store.h"
#include "zones/txt.h"
#include "zones/zonerr.h"

/* One walk: the caller's txn, zone, clock and callback, the CNAME target
 * of "not listed", and scratch for the records it builds. */
struct zw {
    struct dx_txn *t;
    const struct dx_zrr_zone *z;
    uint64_t now;
    dx_rr_cb cb;
    void *arg;
    uint8_t excl[256];               /* excluded.ZONE (wire) */
    size_t excl_len;
    char text[DX_TXT_MAX];
    struct dx_bytes seen;            /* the TXT texts of the answer being written */
    uint8_t rd[DX_TXT_MAX + DX_TXT_MAX / 255 + 2];
    unsigned udepth;                 /* dx_zrr_walk_under: the node's depth, 0 = all */
    uint8_t ufam;                    /* ... its family and an address inside it */
    dx_u128 uaddr;
};

/* Hand one RR to the callback. */
int dx__zw_rr(struct zw *w, const uint8_t *owner, size_t on, uint16_t type, uint32_t ttl,
              const uint8_t *rd, size_t rdlen);

/* The records of an answer at owner: the hits of dx_lookup (or the ip
 * walk's, in that form) whose list is configured, as A and TXT RRs
 * (answer.c's rules: one A per distinct code or one ORed A in a bitmask
 * zone, one TXT per distinct text, the TTL capped by the hits' expiry).
 * subject: `$` for every hit (an address or name); NULL: each hit's own
 * entry (a wildcard). synth: with no configured hit, answer as the RFC
 * 5782 test point (the zone's first list). *n = the configured hits
 * answered (0: nothing written). 0 or an error. */
int dx__zw_answer(struct zw *w, const uint8_t *owner, size_t on, const struct dx_hit *hits,
                  size_t nh, const char *subject, bool synth, size_t *n);

/* How many of hits[0..n) are of configured lists (what an answer would use). */
size_t dx__zw_listed(const struct zw *w, const struct dx_hit *hits, size_t n);

/* owner CNAME excluded.ZONE, with the NXDOMAIN TTL. */
int dx__zw_excluded(struct zw *w, const uint8_t *owner, size_t on);

/* The records after the apex of an ip zone (zonerr_ip.c), of a domain
 * zone (zonerr.c). */
int dx__zw_ip(struct zw *w);
int dx__zw_domain(struct zw *w);

/* dx_zrr_walk_name's walk (zonerr.c). */
int dx__zw_domain_under(struct zw *w, const char *name, size_t len);

/* The wire name of a (normalized) name below the zone, "*." first when
 * wild: its length, 0 when it is too long for a DNS name. */
size_t dx__zw_owner(const struct dx_zrr_zone *z, const char *name, size_t len, bool wild,
                    uint8_t out[256]);

#endif
