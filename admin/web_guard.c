/* Form tokens and proof of work of dnsxl-web (admin/web.h).
 *
 * CSRF: a removal form carries hex(ts || HMAC-SHA256(key, "csrf" sid ts
 * target)[0..16)), where sid is a random session cookie (HttpOnly,
 * SameSite=Strict) and target names the key and list of the form. A
 * cross-site post carries no cookie, or a token for another session.
 *
 * Proof of work (hashcash): the challenge is hex(ts || 8 random bytes ||
 * HMAC(key, "pow" ts rand target)[0..16)); the client finds a decimal
 * nonce such that SHA-256("CHALLENGE:NONCE") starts with [web]
 * proof-of-work zero bits (2^bits hashes on average: about a second in a
 * browser at 20). A solved challenge is remembered until it expires, so it
 * buys one request. */
#include "admin/web.h"

#include "zones/bytes.h"
#include "zones/secret.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void mac(const struct dx_web *w, const char *what, const uint8_t *a, size_t an,
                const char *b, const char *c, uint8_t out[16])
{
    crypto_auth_hmacsha256_state st;
    uint8_t full[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, w->key, sizeof(w->key));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)what, strlen(what) + 1);
    crypto_auth_hmacsha256_update(&st, a, an);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)(b ? b : ""), strlen(b ? b : "") + 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)(c ? c : ""), strlen(c ? c : "") + 1);
    crypto_auth_hmacsha256_final(&st, full);
    memcpy(out, full, 16);
}

static bool fresh(uint64_t ts, uint64_t now, uint64_t age)
{
    /* a minute of clock skew between threads: a time ahead of now is
     * fresh up to then (now - ts would wrap) */
    return ts <= now + 60 && (ts >= now || now - ts <= age);
}

void dx_web_csrf_make(const struct dx_web *w, const char *sid, const char *target, uint64_t now,
                      char *out)
{
    uint8_t raw[24];
    dx_set_be64(raw, now);
    mac(w, "csrf", raw, 8, sid, target, raw + 8);
    sodium_bin2hex(out, 49, raw, sizeof(raw));
}

bool dx_web_csrf_check(const struct dx_web *w, const char *sid, const char *target,
                       const char *token, uint64_t now)
{
    uint8_t raw[24], want[16];
    if (!sid || !*sid || !token || strlen(token) != 48 ||
        dx_hex_decode(token, 48, raw, sizeof(raw)))
        return false;
    if (!fresh(dx_be64(raw), now, DX_WEB_TOKEN_AGE))
        return false;
    mac(w, "csrf", raw, 8, sid, target, want);
    return sodium_memcmp(want, raw + 8, 16) == 0;
}

void dx_web_pow_make(const struct dx_web *w, const char *target, uint64_t now, char *out)
{
    uint8_t raw[32];
    dx_set_be64(raw, now);
    randombytes_buf(raw + 8, 8);
    mac(w, "pow", raw, 16, target, NULL, raw + 16);
    sodium_bin2hex(out, 65, raw, sizeof(raw));
}

unsigned dx_web_pow_zeros(const char *text)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const uint8_t *)text, strlen(text));
    unsigned z = 0;
    for (size_t i = 0; i < sizeof(h); i++) {
        if (h[i] == 0) {
            z += 8;
            continue;
        }
        for (uint8_t b = 0x80; b && !(h[i] & b); b >>= 1)
            z++;
        break;
    }
    return z;
}

const char *dx_web_pow_check(struct dx_web *w, const char *target, const char *challenge,
                             const char *nonce, uint64_t now)
{
    uint8_t raw[32], want[16];
    if (!challenge || strlen(challenge) != 64 || dx_hex_decode(challenge, 64, raw, sizeof(raw)))
        return "the form's challenge is missing or damaged: load the form again";
    mac(w, "pow", raw, 16, target, NULL, want);
    if (sodium_memcmp(want, raw + 16, 16) != 0)
        return "the form's challenge is not ours or not for this request: load the form again";
    uint64_t ts = dx_be64(raw);
    if (!fresh(ts, now, DX_WEB_POW_AGE))
        return "the form has expired: load it again";
    size_t nl = nonce ? strlen(nonce) : 0;
    if (nl == 0 || nl > 20 || strspn(nonce, "0123456789") != nl)
        return "the proof of work is missing: let the page's script finish, or run the "
               "command the page shows and paste its number";
    char text[100];
    snprintf(text, sizeof(text), "%s:%s", challenge, nonce);
    if (dx_web_pow_zeros(text) < w->conf->web.pow_bits)
        return "the proof of work does not solve the challenge";
    /* used once: remember it until it expires (fixed memory; when every
     * slot near it is taken by a live challenge, refuse rather than forget) */
    const char *why = "too many requests at once: try again in a few minutes";
    pthread_mutex_lock(&w->lock);
    size_t h = (size_t)dx_be32(raw + 8) % DX_WEB_REPLAY, free_slot = SIZE_MAX;
    for (size_t i = 0; i < 32; i++) {
        size_t s = (h + i) % DX_WEB_REPLAY;
        if (w->replay[s].until > now && memcmp(w->replay[s].id, raw + 8, 8) == 0) {
            why = "this form was sent already: load it again for another request";
            free_slot = SIZE_MAX;
            break;
        }
        if (w->replay[s].until <= now && free_slot == SIZE_MAX)
            free_slot = s;
    }
    if (free_slot != SIZE_MAX) {
        memcpy(w->replay[free_slot].id, raw + 8, 8);
        w->replay[free_slot].until = ts + DX_WEB_POW_AGE + 60;
        why = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    return why;
}
