/* Keys: what an entry lists. An IPv4 or IPv6 address or CIDR range, or a
 * domain name (exact, or a wildcard for all its subdomains).
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix >= 96) is converted to IPv4: the
 * store keeps one copy of IPv4 data and answers ::ffff:7f00:2 from it, as
 * rbldnsd does (a documented choice: README, "DNS behaviour").
 */
#ifndef DX_KEY_H
#define DX_KEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum dx_family {
    DX_FAM_V4     = 4,
    DX_FAM_V6     = 6,
    DX_FAM_DOMAIN = 'D',
};

#define DX_KEY_NAME_MAX 253        /* longest domain name text, no trailing dot */
#define DX_KEY_TEXT_MAX 264        /* enough for any formatted key, NUL included */

struct dx_key {
    uint8_t family;                /* DX_FAM_* */
    uint8_t plen;                  /* v4: 0..32, v6: 0..128; domain: 1 = wildcard, 0 = exact */
    uint8_t len;                   /* v4: 4, v6: 16, domain: name length */
    uint8_t addr[DX_KEY_NAME_MAX + 1]; /* v4/v6: network order, host bits zero;
                                          domain: lowercase name, no trailing dot, NUL-terminated */
};

/* Parse one address, without a prefix: a dotted quad "192.0.2.1" or IPv6
 * text "2001:db8::1" (RFC 4291 section 2.2, an embedded dotted quad
 * included), exactly as inet_pton(3) reads them: no leading zeros in a
 * quad, no names, no blanks. fam: DX_FAM_V4 or DX_FAM_V6 to accept only
 * that family, 0 for either. Writes 4 or 16 network-order bytes to out
 * (an IPv4-mapped IPv6 address stays IPv6) and returns the family;
 * DX_EINVAL for anything else. The one address parser of the programs. */
int dx_addr_parse(const char *text, unsigned fam, uint8_t out[16]);

/* Parse "192.0.2.1", "192.0.2.0/24", "2001:db8::/48", "::ffff:192.0.2.1",
 * "spam.example", "*.spam.example" (wildcard = all subdomains, not the name
 * itself), "spam.example." (trailing dot ignored). Domain names are
 * lowercased; labels 1..63 octets, name <= 253.
 *
 * Strict about CIDRs: a prefix with host bits set beyond its length
 * ("192.0.2.1/24", "192.0.2.65/26") is refused, as rbldnsd refuses it: the
 * writer may have meant the address or the network. Returns 0; DX_ERANGE
 * for host bits set, with *k holding the network (host bits cleared), so
 * the caller can say "did you mean 192.0.2.0/24?" (dx_key_hostbits_msg);
 * DX_EINVAL for anything else that is not a key. */
int dx_key_parse(const char *text, struct dx_key *k);

/* The lenient form: host bits beyond the prefix are cleared silently.
 * Only for text that has always been read that way and must keep loading:
 * the CIDR lists of dnsxl.conf (allow-query, trusted-relays, protected),
 * where a config that loaded before must not stop dnsxld from starting.
 * Operator commands and data files use the strict dx_key_parse. */
int dx_key_parse_masked(const char *text, struct dx_key *k);

/* Like dx_key_parse (strict, DX_ERANGE for host bits set), but only accepts
 * what a zone kind allows: ip_zone = addresses and CIDRs only, otherwise
 * names only (DX_EINVAL). */
int dx_key_parse_for(const char *text, bool ip_zone, struct dx_key *k);

/* The message for a key dx_key_parse refused with DX_ERANGE: "TEXT has
 * host bits set: did you mean NET?" (net = the key it returned). */
void dx_key_hostbits_msg(const char *text, const struct dx_key *net, char *buf, size_t cap);

/* Is the address key k a wider range than the operator bound allows: an
 * IPv4 prefix shorter than shortest4, an IPv6 prefix shorter than
 * shortest6 ([loader] shortest-prefix, shortest-prefix6)? Names: false. */
bool dx_key_too_wide(const struct dx_key *k, unsigned shortest4, unsigned shortest6);

/* Canonical text: "192.0.2.1" (a /32 has no suffix), "192.0.2.0/24",
 * "2001:db8::/48", "spam.example", "*.spam.example". Returns the length, or
 * DX_ERANGE if cap is too small (buf then holds a truncated string). */
int dx_key_format(const struct dx_key *k, char *buf, size_t cap);

/* Single address key (full prefix) from 4 or 16 network-order bytes. A
 * 16-byte IPv4-mapped address becomes IPv4. */
void dx_key_from_addr(struct dx_key *k, const uint8_t *addr, size_t len);

/* Keys from the labels of a DNS query name below a zone's apex (RFC 5782
 * section 2.1, 2.4): name is the name in wire form, lowercase (as
 * dnsxld/wire.c reads a question), lab_off[i] the offset of its label i (0
 * = the leftmost), n the number of labels below the apex.
 *
 * dx_key_from_labels, the key asked for:
 *   ip zone (domain false): 4 labels of decimal 0..255 without leading
 *   zeros, "d.c.b.a" -> a.b.c.d; or 32 labels of one hex digit, the
 *   nibbles least significant first -> the IPv6 address (IPv4-mapped ->
 *   IPv4, as dx_key_from_addr);
 *   domain zone: the labels joined with dots -> a name key (labels of
 *   label characters only, zones/name.h, so a "*" label is no key; at
 *   most DX_KEY_NAME_MAX characters).
 * Returns false when the labels are no key of that zone kind.
 *
 * dx_key_prefixes_from_labels, the address prefixes fewer labels name (an
 * empty non-terminal of an ip zone: "0.0.127" above "2.0.0.127"): n < 4
 * decimal labels -> the IPv4 prefix of 8n bits, then n < 32 hex-digit
 * labels -> the IPv6 prefix of 4n bits (never mapped to IPv4). Writes them
 * to out in that order and returns how many (0..2). */
bool dx_key_from_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n, bool domain,
                        struct dx_key *k);
unsigned dx_key_prefixes_from_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n,
                                     struct dx_key out[2]);

/* The prefix of length plen (<= k->plen) that contains the address key k:
 * k->plen = plen, host bits cleared. Names are left as they are. */
void dx_key_widen(struct dx_key *k, unsigned plen);

/* The next wider key that could cover what k covers, in place: the prefix
 * one bit shorter, or for a name the wildcard of its parent ("a.b.example"
 * and "*.a.b.example" -> "*.b.example"). false at the top (/0, a TLD). */
bool dx_key_up(struct dx_key *k);

/* Does CIDR key `net` contain address/CIDR `k`? (same family, prefix match) */
bool dx_key_contains(const struct dx_key *net, const struct dx_key *k);

/* Is the single address `k` one that automated sources must never list
 * (private, loopback, link-local, CGNAT, multicast, reserved; the list is in dnsxl.conf(5))?
 * Checks the whole range for a CIDR key: true if it overlaps any of them. */
bool dx_key_is_special(const struct dx_key *k);

/* Is `k` exactly 127.0.0.1 (or a range containing it)? Never listable. */
bool dx_key_is_localhost(const struct dx_key *k);

/* Split the inclusive address range [lo, hi] (same family, 4 or 16 bytes)
 * into the minimal list of CIDR keys, calling cb for each in ascending order.
 * Stops and returns cb's value if non-zero; returns 0 when done, DX_EINVAL
 * if lo > hi or lengths differ. */
int dx_key_range_to_cidrs(const uint8_t *lo, const uint8_t *hi, size_t len,
                          int (*cb)(void *arg, const struct dx_key *k), void *arg);

#endif
