/* DNS cookies, RFC 7873 and RFC 9018 (cookie.h). */
#include "dnsxld/cookie.h"
#include "zones/bytes.h"
#include "zones/err.h"
#include "zones/secret.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

_Static_assert(crypto_shorthash_KEYBYTES == 16, "SipHash-2-4 takes a 16-octet key");
_Static_assert(crypto_shorthash_BYTES == 8, "SipHash-2-4 gives 8 octets");

#define VERSION 1

/* The hash of RFC 9018 4.4 over the first 8 octets of a server cookie (the
 * version, reserved and timestamp as they are in it). */
static void cookie_hash(const uint8_t secret[16], const uint8_t cc[DX_COOKIE_CLIENT],
                        const uint8_t head[8], const uint8_t *ip, size_t iplen, uint8_t out[8])
{
    uint8_t in[DX_COOKIE_CLIENT + 8 + 16];
    memcpy(in, cc, DX_COOKIE_CLIENT);
    memcpy(in + DX_COOKIE_CLIENT, head, 8);
    memcpy(in + DX_COOKIE_CLIENT + 8, ip, iplen);
    crypto_shorthash(out, in, DX_COOKIE_CLIENT + 8 + iplen, secret);
}

void dx_cookie_make(const uint8_t secret[16], const uint8_t cc[DX_COOKIE_CLIENT], uint32_t ts,
                    const uint8_t *ip, size_t iplen, uint8_t out[DX_COOKIE_SERVER])
{
    memset(out, 0, 4);
    out[0] = VERSION;
    dx_set_be32(out + 4, ts);
    cookie_hash(secret, cc, out, ip, iplen, out + 8);
}

/* Was the server cookie sc made with secret for this client? */
static bool made_with(const uint8_t secret[16], const uint8_t *cc, const uint8_t *sc,
                      const uint8_t *ip, size_t iplen)
{
    uint8_t h[8];
    cookie_hash(secret, cc, sc, ip, iplen, h);
    return sodium_memcmp(h, sc + 8, 8) == 0;
}

enum dx_cookie_state dx_cookie_check(const struct dx_cookie_keys *k, const uint8_t *opt,
                                     size_t len, const uint8_t *ip, size_t iplen, uint64_t now,
                                     uint8_t reply[DX_COOKIE_REPLY])
{
    const uint8_t *sc = opt + DX_COOKIE_CLIENT;
    enum dx_cookie_state st = DX_COOKIE_CLIENT_ONLY;
    memcpy(reply, opt, DX_COOKIE_CLIENT);
    if (len > DX_COOKIE_CLIENT) {
        st = DX_COOKIE_BAD;
        /* serial number arithmetic on the 32-bit timestamp (RFC 9018 4.3) */
        int32_t age = (int32_t)((uint32_t)now - dx_be32(sc + 4));
        if (len == DX_COOKIE_REPLY && sc[0] == VERSION && age >= -DX_COOKIE_SKEW &&
            age <= DX_COOKIE_LIFETIME) {
            if (made_with(k->cur, opt, sc, ip, iplen))
                st = age >= DX_COOKIE_RENEW ? DX_COOKIE_RENEWED : DX_COOKIE_VALID;
            else if (k->has_prev && now < k->prev_until && made_with(k->prev, opt, sc, ip, iplen))
                st = DX_COOKIE_RENEWED;
        }
    }
    if (st == DX_COOKIE_VALID)
        memcpy(reply + DX_COOKIE_CLIENT, sc, DX_COOKIE_SERVER);
    else
        dx_cookie_make(k->cur, opt, (uint32_t)now, ip, iplen, reply + DX_COOKIE_CLIENT);
    return st;
}

int dx_cookie_setup(struct dx_conf *nc, const struct dx_conf *old, uint64_t now, char *err,
                    size_t errlen)
{
    struct dx_cookie_keys k;
    memset(&k, 0, sizeof(k));
    if (sodium_init() < 0) {
        snprintf(err, errlen, "cannot initialise libsodium");
        return DX_ENOMEM;
    }
    const char *path = nc->server.cookie_secret;
    if (path != NULL) {
        char text[256];
        size_t n;
        int r = dx_secret_read(path, text, sizeof(text), &n, err, errlen);
        if (r != 0)
            return r;
        r = dx_hex_decode(text, n, k.cur, sizeof(k.cur));
        sodium_memzero(text, sizeof(text));
        if (r != 0) {
            snprintf(err, errlen, "%s: not a cookie secret (expected 32 hex digits)", path);
            return DX_EINVAL;
        }
    } else if (old != NULL) {
        memcpy(k.cur, old->server.cookie.cur, sizeof(k.cur));
    } else {
        randombytes_buf(k.cur, sizeof(k.cur));
    }
    if (old != NULL) {
        const struct dx_cookie_keys *o = &old->server.cookie;
        if (sodium_memcmp(k.cur, o->cur, sizeof(k.cur)) != 0) {
            memcpy(k.prev, o->cur, sizeof(k.prev));
            k.has_prev = true;
            k.prev_until = now + DX_COOKIE_ROTATION;
        } else {
            memcpy(k.prev, o->prev, sizeof(k.prev));
            k.has_prev = o->has_prev;
            k.prev_until = o->prev_until;
        }
    }
    nc->server.cookie = k;
    sodium_memzero(&k, sizeof(k));
    return 0;
}
