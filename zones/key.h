/* Keys: what an entry lists. An IPv4 or IPv6 address or CIDR range, or a
 * domain name (exact, or a wildcard for all its subdomains).
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix >= 96) is converted to IPv4: the
 * store keeps one copy of IPv4 data and answers ::ffff:7f00:2 from it, as
 * rbldnsd does (STANDARDS.md 1.11).
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

/* Parse "192.0.2.1", "192.0.2.0/24", "2001:db8::/48", "::ffff:192.0.2.1",
 * "spam.example", "*.spam.example" (wildcard = all subdomains, not the name
 * itself), "spam.example." (trailing dot ignored). Host bits beyond the
 * prefix are cleared. Domain names are lowercased; labels 1..63 octets,
 * name <= 253. Returns 0 or DX_EINVAL. */
int dx_key_parse(const char *text, struct dx_key *k);

/* Like dx_key_parse, but only accepts what a zone kind allows:
 * ip_zone = addresses and CIDRs only, otherwise names only. */
int dx_key_parse_for(const char *text, bool ip_zone, struct dx_key *k);

/* Canonical text: "192.0.2.1" (a /32 has no suffix), "192.0.2.0/24",
 * "2001:db8::/48", "spam.example", "*.spam.example". Returns the length, or
 * DX_ERANGE if cap is too small (buf then holds a truncated string). */
int dx_key_format(const struct dx_key *k, char *buf, size_t cap);

/* Single address key (full prefix) from 4 or 16 network-order bytes. A
 * 16-byte IPv4-mapped address becomes IPv4. */
void dx_key_from_addr(struct dx_key *k, const uint8_t *addr, size_t len);

/* Does CIDR key `net` contain address/CIDR `k`? (same family, prefix match) */
bool dx_key_contains(const struct dx_key *net, const struct dx_key *k);

/* Is the single address `k` one that automated sources must never list
 * (private, loopback, link-local, CGNAT, multicast, reserved; INTERFACE.md)?
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
