/* The messages of a transfer response (dnsxld/xfr.h): header, question in
 * the first, records with names compressed within each message (a table
 * of the suffixes written so far, checked against the message before a
 * pointer is taken), OPT, TSIG. */
#include "dnsxld/xfr.h"

#include <stdlib.h>
#include <string.h>

#include "dnsxld/wire.h"
#include "zones/err.h"

#define CSLOTS   4096                /* suffixes remembered per message */
#define CHAIN    8                   /* pointers a name may take to read: decoders limit
                                        chains (dnspython to 16) */
#define RESERVE  (DX_OPT_LEN + DX_TSIG_RR_MAX)

struct cslot {
    uint32_t h;
    uint16_t off, len;               /* off 0: empty */
    uint8_t chain;                   /* pointers from there to the name's end */
};

struct dx_xout {
    struct dx_xreq rq;
    const struct dx_key_conf *key;
    uint64_t (*clock)(void);         /* read as each message is signed */
    int (*emit)(void *arg, struct dx_xfr_msg *m);
    void *arg;
    struct dx_xfr_msg *m;            /* the message being written */
    struct dx_bytes b;
    uint16_t an;
    unsigned sent;                   /* messages handed to emit */
    uint8_t mac[DX_TSIG_MAC_MAX];    /* the last MAC: the next message chains on it */
    size_t mac_len;
    struct cslot t[CSLOTS];
};

/* --- names -------------------------------------------------------------------------- */

static uint32_t label_hash(const uint8_t *l, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ l[i]) * 16777619u;
    return (h ^ (uint32_t)n) * 16777619u;
}

/* Write the wire name w[0..len) (uncompressed, lowercase) compressed
 * against the suffixes already in the message. */
static void put_name(struct dx_xout *o, const uint8_t *w, size_t len)
{
    size_t lab[DX_LABELS_MAX];
    unsigned n = 0;
    for (size_t i = 0; i < len && w[i] && n < DX_LABELS_MAX; i += (size_t)w[i] + 1)
        lab[n++] = i;
    uint32_t h[DX_LABELS_MAX + 1];
    h[n] = 2166136261u;
    for (unsigned i = n; i-- > 0;)
        h[i] = label_hash(w + lab[i], (size_t)w[lab[i]] + 1, h[i + 1]);
    unsigned hit = n;                /* the first label of the longest suffix found */
    uint16_t hoff = 0;
    uint8_t chain = 0;
    for (unsigned i = 0; i < n && hit == n; i++) {
        uint16_t sl = (uint16_t)(len - lab[i]);
        for (unsigned p = 0; p < 8; p++) {
            const struct cslot *s = &o->t[(h[i] + p) & (CSLOTS - 1)];
            if (!s->off)
                break;
            if (s->h != h[i] || s->len != sl || s->chain >= CHAIN)
                continue;
            uint8_t tmp[DX_NAME_MAX];
            size_t tl;
            if (dx_name_unpack(o->b.wp, o->b.pos, s->off, tmp, &tl, NULL) == 0 && tl == sl &&
                memcmp(tmp, w + lab[i], sl) == 0) {
                hit = i;
                hoff = s->off;
                chain = (uint8_t)(s->chain + 1);
                break;
            }
        }
    }
    for (unsigned i = 0; i < hit; i++) {
        size_t at = o->b.pos;
        dx_put(&o->b, w + lab[i], (size_t)w[lab[i]] + 1);
        if (at >= 0x3fff || o->b.err)
            continue;
        for (unsigned p = 0; p < 8; p++) {
            struct cslot *s = &o->t[(h[i] + p) & (CSLOTS - 1)];
            if (!s->off) {
                *s = (struct cslot){ h[i], (uint16_t)at, (uint16_t)(len - lab[i]),
                                     hit < n ? chain : 0 };
                break;
            }
        }
    }
    if (hit < n)
        dx_put_u16(&o->b, (uint16_t)(0xc000u | hoff));
    else
        dx_put_u8(&o->b, 0);
}

static size_t wire_len(const uint8_t *w)
{
    size_t i = 0;
    while (w[i])
        i += (size_t)w[i] + 1;
    return i + 1;
}

/* --- messages ------------------------------------------------------------------------- */

static void hdr(struct dx_bytes *b, const struct dx_xreq *rq, bool aa, unsigned rcode,
                uint16_t qd)
{
    uint16_t flags = (uint16_t)(0x8000u | (rq->flags & 0x7900u) | (aa ? 0x0400u : 0) |
                                (rcode & 0xfu));
    dx_put_u16(b, rq->id);
    dx_put_u16(b, flags);
    dx_put_u16(b, qd);
    dx_put_zero(b, 6);
}

static int begin(struct dx_xout *o)
{
    o->m = malloc(sizeof(*o->m));
    if (!o->m)
        return DX_ENOMEM;
    memset(o->t, 0, sizeof(o->t));
    dx_bytes_writer(&o->b, o->m->data + 2, DX_XFR_MSG_MAX);
    dx_bytes_set_limit(&o->b, DX_XFR_MSG_MAX - RESERVE);
    hdr(&o->b, &o->rq, true, 0, o->sent == 0);
    if (o->sent == 0) {                 /* the question, in the first message only */
        dx_put(&o->b, o->rq.qname, o->rq.qname_len);
        dx_put_u16(&o->b, o->rq.qtype);
        dx_put_u16(&o->b, o->rq.qclass);
    }
    o->an = 0;
    return o->b.err;
}

/* Counts, OPT, TSIG, framing; then emit. */
static int finish(struct dx_xout *o, unsigned rcode)
{
    struct dx_bytes *b = &o->b;
    dx_bytes_set_limit(b, DX_XFR_MSG_MAX);
    dx_patch_u16(b, 2, (uint16_t)(dx_be16(b->wp + 2) | (rcode & 0xfu)));
    dx_patch_u16(b, 6, o->an);
    if (o->rq.opt) {
        dx_opt_put(b, o->rq.opt_size, rcode, false);
        dx_patch_u16(b, 10, 1);
    }
    if (o->key) {
        bool first = o->sent == 0;
        dx_tsig_sign(b, o->key, first ? o->rq.tsig.mac : o->mac,
                     first ? o->rq.tsig.mac_len : o->mac_len, !first, o->clock(), 0, NULL, 0,
                     o->mac, &o->mac_len);
    }
    if (b->err) {
        free(o->m);
        o->m = NULL;
        return b->err;
    }
    dx_set_be16(o->m->data, (uint16_t)b->pos);
    o->m->len = b->pos + 2;
    o->m->next = NULL;
    struct dx_xfr_msg *m = o->m;
    o->m = NULL;
    o->sent++;
    return o->emit(o->arg, m);
}

/* One RR at the cursor: 0, or DX_ERANGE (rolled back: it does not fit). */
static int put_rr(struct dx_xout *o, const struct dx_rr *rr)
{
    struct dx_bytes *b = &o->b;
    struct dx_bytes_mark mk = dx_bytes_mark(b);
    put_name(o, rr->owner, rr->owner_len);
    dx_put_u16(b, rr->type);
    dx_put_u16(b, DX_C_IN);
    dx_put_u32(b, rr->ttl);
    size_t at = b->pos;
    dx_put_u16(b, 0);
    const uint8_t *d = rr->rdata;
    switch (rr->type) {
    case DX_RR_NS:
    case DX_RR_CNAME:
        put_name(o, d, rr->rdlen);
        break;
    case DX_RR_SOA: {
        size_t m = wire_len(d), r = wire_len(d + m);
        put_name(o, d, m);
        put_name(o, d + m, r);
        dx_put(b, d + m + r, 20);
        break;
    }
    default:
        dx_put(b, d, rr->rdlen);
    }
    if (!b->err)
        dx_patch_u16(b, at, (uint16_t)(b->pos - at - 2));
    if (b->err) {
        dx_bytes_rollback(b, mk);
        return DX_ERANGE;
    }
    o->an++;
    return 0;
}

int dx_xout_new(const struct dx_xreq *rq, const struct dx_key_conf *key, uint64_t (*clock)(void),
                int (*emit)(void *arg, struct dx_xfr_msg *m), void *arg, struct dx_xout **out)
{
    struct dx_xout *o = calloc(1, sizeof(*o));
    if (!o)
        return DX_ENOMEM;
    o->rq = *rq;
    o->key = key;
    o->clock = clock;
    o->emit = emit;
    o->arg = arg;
    *out = o;
    return 0;
}

int dx_xout_rr(struct dx_xout *o, const struct dx_rr *rr)
{
    int rc;
    if (!o->m && (rc = begin(o)) != 0)
        return rc;
    if (put_rr(o, rr) == 0)
        return 0;
    if (o->an == 0)
        return DX_ERANGE;               /* cannot happen: every record fits a message */
    if ((rc = finish(o, 0)) != 0 || (rc = begin(o)) != 0)
        return rc;
    return put_rr(o, rr);
}

int dx_xout_end(struct dx_xout *o, unsigned rcode)
{
    int rc;
    if (!o->m && (rc = begin(o)) != 0)
        return rc;
    return finish(o, rcode);
}

void dx_xout_free(struct dx_xout *o)
{
    if (!o)
        return;
    free(o->m);
    free(o);
}

/* One message: the question, rr (NULL: none; AA with it) or TC (tc), the
 * OPT and the TSIG (dx_xout_error). */
static size_t one(const struct dx_xreq *rq, unsigned rcode, const struct dx_rr *rr, bool tc,
                  const struct dx_key_conf *key, uint64_t now, uint8_t *buf, size_t cap)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, cap);
    hdr(&b, rq, rr != NULL, rcode, 1);
    if (tc)
        dx_patch_u16(&b, 2, (uint16_t)(dx_be16(buf + 2) | 0x0200u));
    dx_put(&b, rq->qname, rq->qname_len);
    dx_put_u16(&b, rq->qtype);
    dx_put_u16(&b, rq->qclass);
    if (rr) {
        dx_put(&b, rr->owner, rr->owner_len);
        dx_put_u16(&b, rr->type);
        dx_put_u16(&b, DX_C_IN);
        dx_put_u32(&b, rr->ttl);
        dx_put_u16(&b, (uint16_t)rr->rdlen);
        dx_put(&b, rr->rdata, rr->rdlen);
        dx_patch_u16(&b, 6, 1);
    }
    if (rq->opt) {
        dx_opt_put(&b, rq->opt_size, rcode, false);
        dx_patch_u16(&b, 10, 1);
    }
    const struct dx_tsig *t = &rq->tsig;
    switch (rq->tres) {
    case DX_TSIG_BADKEY:
    case DX_TSIG_BADSIG:
        dx_tsig_unsigned(&b, t, (uint16_t)rq->tres);
        break;
    case DX_TSIG_BADTIME: {
        uint8_t other[6];
        dx_set_be16(other, (uint16_t)(now >> 32));
        dx_set_be32(other + 2, (uint32_t)now);
        dx_tsig_sign(&b, t->key, t->mac, t->mac_len, false, t->time_signed, DX_TSIG_BADTIME,
                     other, 6, NULL, NULL);
        break;
    }
    case DX_TSIG_BADTRUNC:
        dx_tsig_sign(&b, t->key, t->mac, t->mac_len, false, now, DX_TSIG_BADTRUNC, NULL, 0,
                     NULL, NULL);
        break;
    case DX_TSIG_OK:
        if (key)
            dx_tsig_sign(&b, key, t->mac, t->mac_len, false, now, 0, NULL, 0, NULL, NULL);
        break;
    default:
        break;
    }
    return b.err ? 0 : b.pos;
}

size_t dx_xout_error(const struct dx_xreq *rq, unsigned rcode, const struct dx_key_conf *key,
                     uint64_t now, uint8_t *buf, size_t cap)
{
    return one(rq, rcode, NULL, false, key, now, buf, cap);
}

size_t dx_xout_one(const struct dx_xreq *rq, const struct dx_rr *rr,
                   const struct dx_key_conf *key, uint64_t now, uint8_t *buf, size_t cap)
{
    size_t n = one(rq, 0, rr, false, key, now, buf, cap);
    return n ? n : one(rq, 0, NULL, true, key, now, buf, cap);
}
