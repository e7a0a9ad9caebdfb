/* DNS cookies (RFC 7873) with the interoperable server cookies of RFC 9018:
 *
 *   server cookie = version 1 | reserved (3 octets, 0 when we make one) |
 *                   timestamp (unix seconds, 32 bits) |
 *                   SipHash-2-4(secret; client cookie | version | reserved |
 *                               timestamp | client IP)   (8 octets)
 *
 * with libsodium's crypto_shorthash (SipHash-2-4, a 16-octet key) and the
 * client's address as 4 or 16 octets. A server cookie is accepted from one
 * hour before our clock to five minutes after it (RFC 9018 4.3, timestamps
 * compared in serial number arithmetic), made with the current secret or,
 * for an hour after a rotation, the previous one; a reply echoes it as it
 * came while it is younger than half an hour and made with the current
 * secret, and carries a new one otherwise (re-issued).
 *
 * The secret: `cookie-secret = FILE` (32 hex digits, a file only its owner
 * may read: zones/secret.h), or a random one per start. SIGHUP re-reads the
 * file; a secret other than the current one is a rotation. Without a file a
 * reload keeps the random secret, so the cookies handed out stay valid.
 *
 * Nothing here allocates; dx_cookie_check runs on the query path.
 */
#ifndef DX_COOKIE_H
#define DX_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "zones/conf.h"

#define DX_OPT_COOKIE       10     /* EDNS option code (RFC 7873 4) */
#define DX_COOKIE_CLIENT    8      /* client cookie octets */
#define DX_COOKIE_SERVER    16     /* our server cookies (RFC 9018) */
#define DX_COOKIE_MAX       40     /* client + the longest server cookie (32) */
#define DX_COOKIE_REPLY     (DX_COOKIE_CLIENT + DX_COOKIE_SERVER)
#define DX_COOKIE_LIFETIME  3600   /* a server cookie is accepted this long after its timestamp */
#define DX_COOKIE_SKEW      300    /* ... and this long before it */
#define DX_COOKIE_RENEW     1800   /* one this old is re-issued */
#define DX_COOKIE_ROTATION  3600   /* the previous secret is accepted this long after a rotation */

/* A well-formed COOKIE option: 8 octets, or 16 to 40 (RFC 7873 5.2.2:
 * any other length is FORMERR). */
static inline int dx_cookie_len_ok(size_t len)
{
    return len == DX_COOKIE_CLIENT || (len >= 16 && len <= DX_COOKIE_MAX);
}

/* What the COOKIE option of a query shows. */
enum dx_cookie_state {
    DX_COOKIE_CLIENT_ONLY, /* a client cookie alone (RFC 7873 5.2.3) */
    DX_COOKIE_BAD,         /* a server cookie we did not make for this client and
                              client cookie, or out of its time window (5.2.4) */
    DX_COOKIE_VALID,       /* ours and current: echoed as it came (5.2.5) */
    DX_COOKIE_RENEWED,     /* ours, but half an hour old or made with the previous
                              secret: valid, and the reply carries a new one */
};

/* Our server cookie for client cookie cc from the address ip (4 or 16
 * octets) at timestamp ts, with the 16-octet secret: out[16]. */
void dx_cookie_make(const uint8_t secret[16], const uint8_t cc[DX_COOKIE_CLIENT], uint32_t ts,
                    const uint8_t *ip, size_t iplen, uint8_t out[DX_COOKIE_SERVER]);

/* Check the COOKIE option opt[0..len) of a query (dx_cookie_len_ok) from ip
 * at unix time now against the secrets k, and write the COOKIE of the reply
 * (the client cookie, then the server cookie: echoed or new) into reply. */
enum dx_cookie_state dx_cookie_check(const struct dx_cookie_keys *k, const uint8_t *opt,
                                     size_t len, const uint8_t *ip, size_t iplen, uint64_t now,
                                     uint8_t reply[DX_COOKIE_REPLY]);

/* Set nc->server.cookie: the secret of nc->server.cookie_secret, or without
 * that file old's current secret (a reload), or a random one (old NULL: the
 * start). A secret other than old's current one is a rotation: old's
 * becomes the previous one, accepted until now + DX_COOKIE_ROTATION; else
 * old's previous one stays as it was. Returns 0, or DX_EINVAL / -errno with
 * err = "FILE: why" (not private, not 32 hex digits, unreadable). Main
 * thread only (start, SIGHUP, dnsxld -t). */
int dx_cookie_setup(struct dx_conf *nc, const struct dx_conf *old, uint64_t now, char *err,
                    size_t errlen);

#endif
