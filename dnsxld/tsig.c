/* TSIG (dnsxld/tsig.h): finding, verifying and writing the TSIG RR. */
#include "dnsxld/tsig.h"

#include <sodium.h>
#include <string.h>

#include "dnsxld/wire.h"
#include "zones/err.h"

#define T_TSIG  250
#define C_ANY   255

static const uint8_t ALG_NAME[2][13] = {
    { 11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0 },
    { 11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '5', '1', '2', 0 },
};

size_t dx_tsig_mac_size(int alg)
{
    return alg == DX_TSIG_HMAC_SHA512 ? crypto_auth_hmacsha512_BYTES
                                      : crypto_auth_hmacsha256_BYTES;
}

/* --- HMAC of either algorithm ------------------------------------------------------- */

struct hmac {
    int alg;
    union {
        crypto_auth_hmacsha256_state s256;
        crypto_auth_hmacsha512_state s512;
    } u;
};

static void h_init(struct hmac *h, const struct dx_key_conf *k)
{
    h->alg = k->alg;
    if (k->alg == DX_TSIG_HMAC_SHA512)
        crypto_auth_hmacsha512_init(&h->u.s512, k->secret, k->secret_len);
    else
        crypto_auth_hmacsha256_init(&h->u.s256, k->secret, k->secret_len);
}

static void h_update(struct hmac *h, const void *p, size_t n)
{
    if (h->alg == DX_TSIG_HMAC_SHA512)
        crypto_auth_hmacsha512_update(&h->u.s512, p, n);
    else
        crypto_auth_hmacsha256_update(&h->u.s256, p, n);
}

static void h_u16(struct hmac *h, uint16_t v)
{
    uint8_t b[2];
    dx_set_be16(b, v);
    h_update(h, b, 2);
}

static void h_u48(struct hmac *h, uint64_t v)
{
    uint8_t b[6];
    dx_set_be16(b, (uint16_t)(v >> 32));
    dx_set_be32(b + 2, (uint32_t)v);
    h_update(h, b, 6);
}

/* A name in canonical form (lowercase). */
static void h_name(struct hmac *h, const uint8_t *w, size_t n)
{
    uint8_t lc[256];
    for (size_t i = 0; i < n && i < sizeof(lc); i++)
        lc[i] = w[i] >= 'A' && w[i] <= 'Z' ? (uint8_t)(w[i] + 32) : w[i];
    h_update(h, lc, n);
}

static size_t h_final(struct hmac *h, uint8_t *out)
{
    if (h->alg == DX_TSIG_HMAC_SHA512) {
        crypto_auth_hmacsha512_final(&h->u.s512, out);
        sodium_memzero(&h->u.s512, sizeof(h->u.s512));
        return crypto_auth_hmacsha512_BYTES;
    }
    crypto_auth_hmacsha256_final(&h->u.s256, out);
    sodium_memzero(&h->u.s256, sizeof(h->u.s256));
    return crypto_auth_hmacsha256_BYTES;
}

/* The TSIG variables and the message a MAC covers (RFC 8945 4.3). */
struct cover {
    const uint8_t *prior;
    size_t prior_len;
    bool timers_only;
    const uint8_t *msg;              /* the message without its TSIG */
    size_t len;
    uint16_t id, arcount;            /* the header as signed: original ID, TSIG not counted */
    const uint8_t *name, *alg;
    size_t name_len, alg_len;
    uint64_t time_signed;
    uint16_t fudge, error;
    const uint8_t *other;
    size_t other_len;
};

static size_t mac_of(const struct dx_key_conf *k, const struct cover *c, uint8_t *out)
{
    struct hmac h;
    h_init(&h, k);
    if (c->prior) {
        h_u16(&h, (uint16_t)c->prior_len);
        h_update(&h, c->prior, c->prior_len);
    }
    uint8_t hdr[DX_HDR_LEN];
    memcpy(hdr, c->msg, DX_HDR_LEN);
    dx_set_be16(hdr, c->id);
    dx_set_be16(hdr + 10, c->arcount);
    h_update(&h, hdr, DX_HDR_LEN);
    h_update(&h, c->msg + DX_HDR_LEN, c->len - DX_HDR_LEN);
    if (!c->timers_only) {
        h_name(&h, c->name, c->name_len);
        h_u16(&h, C_ANY);
        h_u16(&h, 0);                   /* TTL 0 */
        h_u16(&h, 0);
        h_name(&h, c->alg, c->alg_len);
    }
    h_u48(&h, c->time_signed);
    h_u16(&h, c->fudge);
    if (!c->timers_only) {
        h_u16(&h, c->error);
        h_u16(&h, (uint16_t)c->other_len);
        h_update(&h, c->other, c->other_len);
    }
    return h_final(&h, out);
}

/* --- verify ----------------------------------------------------------------------------- */

static bool name_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20))
            return false;
    return true;
}

/* Read the TSIG RR whose rdata is msg[rd..rd+rdlen): 0 or DX_EINVAL. */
static int read_rdata(const uint8_t *msg, size_t len, size_t rd, size_t rdlen, struct dx_tsig *t,
                      const uint8_t **other, size_t *other_len)
{
    size_t next;
    if (dx_name_unpack(msg, rd + rdlen, rd, t->alg, &t->alg_len, &next))
        return DX_EINVAL;
    struct dx_bytes b;
    dx_bytes_reader(&b, msg, rd + rdlen);
    dx_skip(&b, next);
    uint64_t hi = dx_get_u16(&b);
    t->time_signed = hi << 32 | dx_get_u32(&b);
    t->fudge = dx_get_u16(&b);
    size_t ml = dx_get_u16(&b);
    const uint8_t *mac = dx_get_ptr(&b, ml);
    t->orig_id = dx_get_u16(&b);
    t->error = dx_get_u16(&b);
    *other_len = dx_get_u16(&b);
    *other = dx_get_ptr(&b, *other_len);
    if (b.err || b.pos != rd + rdlen || ml > DX_TSIG_MAC_MAX)
        return DX_EINVAL;
    memcpy(t->mac, mac, ml);
    t->mac_len = ml;
    (void)len;
    return 0;
}

enum dx_tsig_result dx_tsig_verify(const uint8_t *msg, size_t len, const struct dx_conf *conf,
                                   const uint8_t *prior, size_t prior_len, bool timers_only,
                                   uint64_t now, struct dx_tsig *t)
{
    memset(t, 0, sizeof(*t));
    struct dx_bytes b;
    dx_bytes_reader(&b, msg, len);
    struct dx_hdr h;
    dx_hdr_get(&b, &h);
    if (b.err)
        return DX_TSIG_FORMERR;
    for (unsigned i = 0; i < h.qd; i++) {
        dx_wire_get_name(&b, NULL, NULL);
        dx_skip(&b, 4);
    }
    unsigned total = (unsigned)h.an + h.ns + h.ar;
    const uint8_t *other = NULL;
    size_t other_len = 0;
    bool found = false;
    for (unsigned i = 0; i < total && !b.err; i++) {
        size_t start = b.pos, nl;
        uint8_t name[DX_NAME_MAX];
        dx_wire_get_name(&b, name, &nl);
        uint16_t type = dx_get_u16(&b), cls = dx_get_u16(&b);
        uint32_t ttl = dx_get_u32(&b);
        size_t rdlen = dx_get_u16(&b), rd = b.pos;
        dx_skip(&b, rdlen);
        if (b.err || type != T_TSIG)
            continue;
        /* the last record of the additional section, once, class ANY, TTL 0 */
        if (i != total - 1 || h.ar == 0 || cls != C_ANY || ttl != 0 ||
            read_rdata(msg, len, rd, rdlen, t, &other, &other_len))
            return DX_TSIG_FORMERR;
        memcpy(t->name, name, nl);
        t->name_len = nl;
        t->at = start;
        found = true;
    }
    if (b.err || b.pos != len)
        return DX_TSIG_FORMERR;
    if (!found)
        return DX_TSIG_NONE;
    t->key = dx_conf_key(conf, t->name, t->name_len);
    if (t->key && !name_eq(t->alg, t->alg_len, ALG_NAME[t->key->alg], sizeof(ALG_NAME[0])))
        t->key = NULL;                  /* the key under another algorithm */
    if (!t->key)
        return DX_TSIG_BADKEY;
    size_t full = dx_tsig_mac_size(t->key->alg), least = full / 2 > 10 ? full / 2 : 10;
    if (t->mac_len > full || t->mac_len < least)
        return DX_TSIG_FORMERR;
    struct cover c = {
        .prior = prior, .prior_len = prior_len, .timers_only = timers_only, .msg = msg,
        .len = t->at, .id = t->orig_id, .arcount = (uint16_t)(h.ar - 1), .name = t->name,
        .name_len = t->name_len, .alg = t->alg, .alg_len = t->alg_len,
        .time_signed = t->time_signed, .fudge = t->fudge, .error = t->error, .other = other,
        .other_len = other_len,
    };
    uint8_t mac[DX_TSIG_MAC_MAX];
    mac_of(t->key, &c, mac);
    int diff = sodium_memcmp(mac, t->mac, t->mac_len);
    sodium_memzero(mac, sizeof(mac));
    if (diff != 0)
        return DX_TSIG_BADSIG;
    /* the time after the MAC (RFC 8945 5.2.3) */
    uint64_t d = now > t->time_signed ? now - t->time_signed : t->time_signed - now;
    if (d > t->fudge)
        return DX_TSIG_BADTIME;
    if (t->mac_len < full)
        return DX_TSIG_BADTRUNC;
    return DX_TSIG_OK;
}

/* --- sign --------------------------------------------------------------------------------- */

static void put_u48(struct dx_bytes *b, uint64_t v)
{
    dx_put_u16(b, (uint16_t)(v >> 32));
    dx_put_u32(b, (uint32_t)v);
}

/* The TSIG RR: owner, type, class, TTL, rdata with this MAC. */
static void put_rr(struct dx_bytes *b, const uint8_t *name, size_t nl, const uint8_t *alg,
                   size_t al, uint64_t ts, uint16_t fudge, const uint8_t *mac, size_t ml,
                   uint16_t id, uint16_t error, const uint8_t *other, size_t ol)
{
    dx_put(b, name, nl);
    dx_put_u16(b, T_TSIG);
    dx_put_u16(b, C_ANY);
    dx_put_u32(b, 0);
    dx_put_u16(b, (uint16_t)(al + 16 + ml + ol));
    dx_put(b, alg, al);
    put_u48(b, ts);
    dx_put_u16(b, fudge);
    dx_put_u16(b, (uint16_t)ml);
    dx_put(b, mac, ml);
    dx_put_u16(b, id);
    dx_put_u16(b, error);
    dx_put_u16(b, (uint16_t)ol);
    dx_put(b, other, ol);
}

static int count_it(struct dx_bytes *b)
{
    if (b->err)
        return b->err;
    dx_patch_u16(b, 10, (uint16_t)(dx_be16(b->wp + 10) + 1));
    return b->err;
}

int dx_tsig_sign(struct dx_bytes *b, const struct dx_key_conf *key, const uint8_t *prior,
                 size_t prior_len, bool timers_only, uint64_t time_signed, uint16_t error,
                 const uint8_t *other, size_t other_len, uint8_t *mac, size_t *mac_len)
{
    if (b->err || b->pos < DX_HDR_LEN)
        return b->err ? b->err : DX_EINVAL;
    struct cover c = {
        .prior = prior, .prior_len = prior_len, .timers_only = timers_only, .msg = b->wp,
        .len = b->pos, .id = dx_be16(b->wp), .arcount = dx_be16(b->wp + 10), .name = key->wire,
        .name_len = key->wire_len, .alg = ALG_NAME[key->alg], .alg_len = sizeof(ALG_NAME[0]),
        .time_signed = time_signed, .fudge = DX_TSIG_FUDGE, .error = error, .other = other,
        .other_len = other_len,
    };
    uint8_t m[DX_TSIG_MAC_MAX];
    size_t ml = mac_of(key, &c, m);
    put_rr(b, key->wire, key->wire_len, c.alg, c.alg_len, time_signed, DX_TSIG_FUDGE, m, ml,
           c.id, error, other, other_len);
    if (mac)
        memcpy(mac, m, ml);
    if (mac_len)
        *mac_len = ml;
    sodium_memzero(m, sizeof(m));
    return count_it(b);
}

int dx_tsig_unsigned(struct dx_bytes *b, const struct dx_tsig *t, uint16_t error)
{
    if (b->err || b->pos < DX_HDR_LEN)
        return b->err ? b->err : DX_EINVAL;
    put_rr(b, t->name, t->name_len, t->alg, t->alg_len, t->time_signed, DX_TSIG_FUDGE, NULL, 0,
           dx_be16(b->wp), error, NULL, 0);
    return count_it(b);
}
