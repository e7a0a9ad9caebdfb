/* The zone as records: the DNS resource records a standard secondary
 * (NSD, Knot, BIND) needs to answer every address and name query of a zone
 * as dnsxld does. One streaming walk over one read txn, a callback per RR;
 * memory does not grow with the zone (the walk keeps one path of the
 * name tree: at most 33 nodes). AXFR (dnsxld/xfr.c) and dnsxl-admin
 * export --format zone (zones/export.c) send what it hands out; IXFR
 * journals compare it.
 *
 * What it emits (dnsxld(8), "ZONE TRANSFERS"), at the clock `now`:
 *   - the apex SOA (serial from the store, 1 if never written) and NS;
 *   - ip zones, from the interval index (the flattened answer per address
 *     range: lists combined, the most specific entry of each list, expired
 *     entries skipped, exclusions applied), per family, in address order.
 *     The names are the octets (IPv4, 1..4 labels) or nibbles (IPv6,
 *     1..32 labels) of a prefix, as queries spell them. An entry E of
 *     prefix length p is published at the depth D = ceil(p/8) (IPv4) or
 *     ceil(p/4) (IPv6), at least 1: a full-length entry is a name, an
 *     aligned one the wildcard *.PREFIX, one that is not aligned the
 *     2^(8D-p) (2^(4D-p)) aligned blocks of depth D it covers. A node of
 *     the name tree exists when an unexpired entry of depth >= its depth
 *     overlaps it (exclusions and lists no longer configured included:
 *     dnsxld's empty non-terminals). At every node that exists:
 *       * an address (depth 4 / 32) gets its answer: the A (one per
 *         distinct code; one ORed A in a bitmask zone) and TXT records of
 *         every list listing it;
 *       * a prefix gets the wildcard *.PREFIX with what the entries
 *         containing the prefix answer (the copy below a wildcard that
 *         keeps the rest of that subtree listed once a more specific name
 *         exists there);
 *       * a node that must exist but has nothing to say (an exclusion, an
 *         entry of a list no longer configured) answers "not listed":
 *         NAME CNAME excluded.ZONE for an address, *.PREFIX CNAME
 *         excluded.ZONE for a prefix (excluded.ZONE never exists: the
 *         secondary answers NXDOMAIN, RFC 6604).
 *     Where IPv4 and IPv6 names coincide (labels that are all one digit,
 *     depth <= 4: 2.0.0.1 is 1.0.0.2 and 2001::/16), a node whose IPv4 and
 *     IPv6 wildcards differ keeps the IPv4 one and makes its 16 nibble
 *     children exist, each with its own (IPv6) wildcard or, for the ten
 *     digits, the same treatment one level down, so no IPv6 query falls
 *     into an IPv4 wildcard (and no IPv4 query into an IPv6 one).
 *     RFC 5782 test points: 2.0.0.127 (and ::ffff:7f00:2) always listed
 *     (the store's answer, else the zone's first list), 1.0.0.127 (and
 *     ::ffff:7f00:1) CNAME excluded.ZONE. Inside ::ffff:0:0/96 nothing
 *     else: dnsxld answers those from the IPv4 data, a secondary NXDOMAIN.
 *   - domain zones, from the domain index, in name order: every name with
 *     an unexpired record gets dnsxld's answer for it (its own entries and
 *     its ancestors' wildcards, per list the nearest); every name that
 *     exists (a record at or below it) gets *.NAME with what a name below
 *     it without records of its own answers, when that lists something;
 *     exclusions answer "not listed" as above. TEST is listed, INVALID
 *     never. The CNAME target is excluded.ZONE, or excluded-N.ZONE for the
 *     first N the zone has no record at or below.
 *   TTL: the zone's ttl, capped by the remaining lifetime of the entries
 *   of an RRset at `now` (the TTL dnsxld would answer then; an entry that
 *   expires reaches the secondaries when dnsxl-loader expire removes it,
 *   which changes the serial); CNAMEs have the NXDOMAIN TTL (min(ttl, SOA
 *   minimum)). TXT `$`: the address at an address; in a wildcard the
 *   entry that decided it, as dnsxl-admin writes it (192.0.2.0/24,
 *   2001:db8::/32), or for a domain zone the name its wildcard lists
 *   below (spam.example for *.spam.example).
 *
 * The bound (tests/unit/test_zones_zonerr.c checks it on adversarial
 * mixes): every tree node has at most two owners (NAME, *.NAME), each with
 * at most 2L RRs (L configured lists: an A and a TXT each) or one CNAME.
 * The tree nodes are the aligned blocks of the entries (<= 128 per IPv4
 * entry, <= 8 per IPv6 entry; 256 / 16 for a /0) and their ancestors (<= 3
 * / <= 31 per entry, shared by its blocks), for a domain entry its name and
 * its ancestors, plus, once per zone, the test points and their ancestors
 * (<= 38) and the nodes where IPv4 and IPv6 names coincide (<= 17,776).
 *
 * Owners are absolute wire names (lowercase); rdata is uncompressed
 * (names in CNAME, NS and SOA rdata may be compressed by a writer). */
#ifndef DX_ZONERR_H
#define DX_ZONERR_H

#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"
#include "zones/conf.h"
#include "zones/store.h"

/* What the records of a zone depend on in its config: a copy, so a walk
 * does not depend on the config's lifetime (dnsxld reloads). */
struct dx_zrr_list {
    char *name;
    uint32_t code;
    char *txt;                   /* the list's template, else the zone's; NULL: none */
};

struct dx_zrr_zone {
    char *name;                  /* "bl.example.org" */
    uint8_t wire[256];           /* its wire form (lowercase) */
    size_t wire_len;
    enum dx_zone_kind kind;
    enum dx_answer_mode answer;
    uint32_t ttl, neg_ttl;       /* answer TTL; NXDOMAIN TTL min(ttl, soa minimum) */
    uint32_t code_prefix;        /* bitmask zones: the codes' first three octets */
    uint8_t soa_rdata[520];      /* mname, rname (wire), then a serial placeholder and
                                    refresh, retry, expire, minimum */
    size_t soa_len;
    uint8_t (*ns)[256];          /* NS names in wire form */
    uint8_t *ns_len;
    size_t n_ns;
    struct dx_zrr_list *lists;   /* sorted by name (the order of dx_lookup's hits) */
    size_t n_lists;
    size_t first_list;           /* index in lists of the zone's first list in file order
                                    (the RFC 5782 test point's) */
    char *txt;                   /* the zone's template (a test point without lists) */
};

/* Copy what the records need from z: 0 or DX_ENOMEM. */
int dx_zrr_zone_new(const struct dx_zone_conf *z, struct dx_zrr_zone **out);
void dx_zrr_zone_free(struct dx_zrr_zone *z);

struct dx_rr {
    const uint8_t *owner;        /* absolute wire name, lowercase */
    size_t owner_len;
    uint16_t type;               /* 1 A, 2 NS, 5 CNAME, 6 SOA, 16 TXT */
    uint32_t ttl;
    const uint8_t *rdata;        /* uncompressed */
    size_t rdlen;
};

/* A callback per RR; a non-zero return stops the walk and is returned. */
typedef int (*dx_rr_cb)(void *arg, const struct dx_rr *rr);

enum { DX_RR_A = 1, DX_RR_NS = 2, DX_RR_CNAME = 5, DX_RR_SOA = 6, DX_RR_TXT = 16 };

/* The apex SOA with this serial (for the last record of a transfer):
 * *rr points into buf (at least 540 bytes). */
void dx_zrr_soa(const struct dx_zrr_zone *z, uint32_t serial, uint8_t *buf, struct dx_rr *rr);

/* The zone's serial in t: the store's, 1 if nothing was ever written. */
int dx_zrr_serial(struct dx_txn *t, const struct dx_zrr_zone *z, uint32_t *serial);

/* The same for domain zone z and the domain name name[0..len) (lowercase,
 * no trailing dot, as dx_key holds it; an entry *.name is name's): the
 * records at and below the name and the own records of the names above it
 * that exist. Not the records that depend on the whole zone: the CNAME
 * target excluded.ZONE changes when a name at or below "excluded" comes or
 * goes (the journal takes those as too big). DX_EINVAL for an ip zone. */
int dx_zrr_walk_name(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now,
                     const char *name, size_t len, dx_rr_cb cb, void *arg);

/* The clock of zone transfers (dnsxld/xfr.c), the IXFR journal
 * (zones/journal.h) and export --format zone: 0, before every expiry, so
 * an entry counts until an expiry sweep removes it (a change of its own)
 * and TTLs are the zone's: the records of one serial never depend on when
 * they are walked. */
#define DX_XFR_CLOCK 0

/* Every record of z in t's snapshot at `now`, the SOA first (with the
 * serial dx_zrr_serial gives), then NS, then the data (above). Returns 0,
 * cb's non-zero return, or a store error (DX_ENOMEM, DX_EINVAL for a
 * corrupt record, an LMDB error). cb must not write to the store. */
int dx_zrr_walk(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now, dx_rr_cb cb,
                void *arg);

/* The records of ip zone z at and below one node of its name tree, and
 * the records of the nodes on the way to it (their own: the rest of the
 * tree is not walked), without the apex's SOA and NS: what a change inside
 * the node can change (an entry's records depend on the entries overlapping
 * its node; the nodes above it only on whether it exists). The node is the
 * one of depth `depth` (labels below the apex; 0: the whole zone) that
 * holds address addr of family fam (DX_FAM_V4 | DX_FAM_V6). The cost is
 * that of the node's records, plus a few index seeks per depth. Returns as
 * dx_zrr_walk; DX_EINVAL for a domain zone or a bad depth or family. */
int dx_zrr_walk_under(struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now, uint8_t fam,
                      dx_u128 addr, unsigned depth, dx_rr_cb cb, void *arg);

#endif
