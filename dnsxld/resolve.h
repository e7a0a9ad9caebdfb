/* Phase 1 of answering a question (query.h): everything the answer depends
 * on, decided before a record is written. The zone (the longest suffix
 * among the configured zones), allow-query, the key the labels name
 * (zones/key.h), the store lookup and the list config of each hit, the RFC
 * 5782 test points, empty non-terminals, the reasons a TXT template needs,
 * the SOA serial when an SOA will be written. A store error here is
 * SERVFAIL before anything is written. Phase 2 (answer.h) writes the
 * records from the result alone.
 *
 * Documented choices (README "DNS behaviour", dnsxld(8)):
 * - Below the apex of an ip zone an address is exactly 4 decimal labels
 *   (0..255, no leading zeros) or exactly 32 hex nibbles (RFC 5782 2.1,
 *   2.4). A name that is not listed answers NXDOMAIN unless it is an empty
 *   non-terminal, which answers NOERROR with no data and the SOA (RFC 8020
 *   2, RFC 9156: a resolver minimising its queries asks the ancestors of
 *   a listed name first, and may deny everything below an NXDOMAIN):
 *     * 1..3 decimal labels name an IPv4 prefix ("2.0.192" = 192.0.2.0/24),
 *       1..31 single-hex-digit labels an IPv6 prefix (the 4 labels of
 *       "1.0.0.2" are both the address 2.0.0.1 and 2001::/16); the name
 *       exists when some unexpired entry of the zone, in any list,
 *       exclusions included, overlaps the prefix (dx_lookup_below; for
 *       IPv6 the part inside ::ffff:0:0/96 is looked up in the IPv4 data),
 *       or when the prefix holds the RFC 5782 test point 127.0.0.2 /
 *       ::ffff:7f00:2, which always exists; either reading suffices;
 *     * in a domain zone a name exists when an unexpired record lies
 *       below it, or a name below it is listed by a wildcard of one of
 *       its ancestors;
 *     * everything else (5+ labels that are not nibbles, bad octets, 33+
 *       labels, characters no key can hold) is NXDOMAIN. The same over
 *       UDP and TCP, with the NXDOMAIN TTL (RFC 2308).
 *   An entry of a list that is no longer configured still makes its
 *   ancestors exist (harmless: NODATA denies nothing below it), but
 *   lists nothing.
 * - IPv4-mapped IPv6 queries (::ffff:a.b.c.d) are answered from IPv4 data
 *   (dx_key_from_addr converts them); `$` is then the IPv4 text.
 * - Domain zones: the labels under the zone, joined, are the name looked up;
 *   a name with characters no key can hold is NXDOMAIN.
 * - Per-entry values (imports, country data, dnsxl-admin add --code/--txt)
 *   override the list's: an own code replaces the list's A, an own TXT
 *   replaces the list's/zone's template, and an own TXT of "" (rbldnsd's
 *   `1.2.3.4 :3:`) means no TXT for that hit: a TXT query that finds no
 *   text is NODATA.
 */
#ifndef DX_RESOLVE_H
#define DX_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsxld/query.h"
#include "dnsxld/wire.h"
#include "zones/conf.h"
#include "zones/key.h"
#include "zones/store.h"

enum dx_outcome {
    DX_OUT_REFUSED,    /* no zone of ours, allow-query refuses the peer, AXFR/IXFR */
    DX_OUT_SERVFAIL,   /* no snapshot (q->txn == NULL), or a store error */
    DX_OUT_APEX,       /* SOA, ANY, or NS with name servers, at the apex */
    DX_OUT_LISTED,     /* below the apex, listed, and the asked type has data */
    DX_OUT_NODATA,     /* the name exists without the asked type: the apex, an
                          empty non-terminal, listed without that type */
    DX_OUT_NXDOMAIN,
};

/* One list's listing, ready to write. */
struct dx_rhit {
    uint32_t code;           /* the entry's own code, else the list's */
    const char *tmpl;        /* TXT template: the entry's own, else the list's,
                                else the zone's; NULL = no TXT for this hit */
    const char *list;        /* for $list ("" for the test point of a zone without lists) */
    const char *reason;      /* for $reason: set only when a TXT will use it; NULL = "" */
    uint64_t expires;        /* unix seconds, 0 = never: caps the TTL */
    /* for the metrics and heat (stats.h, heat.h): set only when the query's
     * dx_qctx has obs; not in a policy answer */
    uint16_t li;             /* the list's index in the zone's lists; DX_LI_NONE: a test point */
    uint8_t key_len, plen, family;     /* the entry that matched (dx_hit's key) */
    const uint8_t *key;      /* ... in the map; NULL: a test point */
};

#define DX_LI_NONE UINT16_MAX

struct dx_resolved {
    enum dx_outcome out;
    const struct dx_zone_conf *zone;   /* NULL when REFUSED for a name in none of our zones */
    bool policy;                       /* a usage-policy answer (policy.h): hit[0]'s code is
                                          answered as it is, in a bitmask zone too */
    uint16_t ede;                      /* the RFC 8914 error for the reply (ede.h), or DX_EDE_NONE */
    const char *ede_text;              /* its EXTRA-TEXT, or NULL */
    uint64_t now;
    uint32_t serial;                   /* the SOA serial: set iff an SOA will be written
                                          (APEX but NS, NODATA, NXDOMAIN); 1 when the
                                          zone was never written to */
    const char *subject;               /* `$`: set iff LISTED for TXT or ANY */
    char subj[DX_KEY_TEXT_MAX];
    size_t n;                          /* hits, in list-name order; n > 0 iff LISTED */
    struct dx_rhit hit[DX_HITS_MAX];   /* hit[0..n) only: the rest is not initialised */
};

/* Resolve the validated question qn (class IN or ANY) from peer (NULL:
 * unknown, refused by any allow-query) with q's config, snapshot and clock,
 * a zone's usage policy first (policy.h). Never fails: a store error is
 * DX_OUT_SERVFAIL. No allocation. REFUSED carries EDE 20 (not our zone)
 * or 18 (allow-query, a transfer, a query key). */
void dx_resolve(const struct dx_qctx *q, const struct dx_question *qn,
                const struct sockaddr *peer, struct dx_resolved *r);

#endif
