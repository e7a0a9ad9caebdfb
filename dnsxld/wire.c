/* DNS wire format: names, header, message parsing (wire.h). */
#include "dnsxld/wire.h"
#include "dnsxld/cookie.h"
#include "zones/err.h"

#include <string.h>

/* --- names -------------------------------------------------------------- */

int dx_name_unpack(const uint8_t *pkt, size_t pktlen, size_t off,
                   uint8_t *out, size_t *outlen, size_t *next)
{
    size_t n = 0;             /* octets written to out */
    size_t pos = off;
    size_t run_start = off;   /* start of the current run of labels */
    bool jumped = false;
    size_t after = 0;

    for (;;) {
        if (pos >= pktlen)
            return DX_EINVAL;
        uint8_t c = pkt[pos];
        if ((c & 0xc0) == 0xc0) {
            if (pos + 1 >= pktlen)
                return DX_EINVAL;
            size_t target = dx_be16(pkt + pos) & 0x3fffu;
            /* strictly backwards from the run we are in: the targets then
             * strictly decrease, so no loop is possible */
            if (target >= run_start)
                return DX_EINVAL;
            if (!jumped) {
                after = pos + 2;
                jumped = true;
            }
            pos = run_start = target;
            continue;
        }
        if (c & 0xc0)               /* 0x40, 0x80: extended/reserved label types */
            return DX_EINVAL;
        if (n + 1 + c > DX_NAME_MAX)
            return DX_EINVAL;
        if (c > pktlen - pos - 1)
            return DX_EINVAL;
        if (out)
            memcpy(out + n, pkt + pos, (size_t)c + 1);
        n += (size_t)c + 1;
        pos += (size_t)c + 1;
        if (c == 0)
            break;
    }
    if (outlen)
        *outlen = n;
    if (next)
        *next = jumped ? after : pos;
    return 0;
}

int dx_wire_get_name(struct dx_bytes *b, uint8_t *out, size_t *outlen)
{
    if (b->err)
        return b->err;
    size_t next;
    if (dx_name_unpack(b->rp, b->len, b->pos, out, outlen, &next))
        return dx_bytes_fail(b, DX_EINVAL);
    b->pos = next;
    return 0;
}

static uint8_t lc(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* --- header and OPT ------------------------------------------------------ */

void dx_hdr_get(struct dx_bytes *b, struct dx_hdr *h)
{
    h->id = dx_get_u16(b);
    h->flags = dx_get_u16(b);
    h->qd = dx_get_u16(b);
    h->an = dx_get_u16(b);
    h->ns = dx_get_u16(b);
    h->ar = dx_get_u16(b);
}

void dx_hdr_patch(struct dx_bytes *b, const struct dx_hdr *h)
{
    dx_patch_u16(b, 0, h->id);
    dx_patch_u16(b, 2, h->flags);
    dx_patch_u16(b, 4, h->qd);
    dx_patch_u16(b, 6, h->an);
    dx_patch_u16(b, 8, h->ns);
    dx_patch_u16(b, 10, h->ar);
}

/* The OPT TTL field (RFC 6891 6.1.3): extended RCODE (the upper 8 of 12
 * bits), version, the DO bit, zero. */
static uint32_t opt_ttl(unsigned rcode, uint8_t version, bool do_bit)
{
    uint32_t ttl = (uint32_t)((rcode >> 4) & 0xffu) << 24;
    ttl |= (uint32_t)version << 16;
    return do_bit ? ttl | 0x8000u : ttl;
}

void dx_opt_put_opts(struct dx_bytes *b, uint16_t payload, unsigned rcode, bool do_bit,
                     const uint8_t *opts, size_t optlen)
{
    dx_put_u8(b, 0);                    /* owner: the root */
    dx_put_u16(b, DX_T_OPT);
    dx_put_u16(b, payload);
    dx_put_u32(b, opt_ttl(rcode, 0, do_bit));
    dx_put_u16(b, (uint16_t)optlen);
    if (optlen > 0)
        dx_put(b, opts, optlen);
}

void dx_opt_put(struct dx_bytes *b, uint16_t payload, unsigned rcode, bool do_bit)
{
    dx_opt_put_opts(b, payload, rcode, do_bit, NULL, 0);
}

/* --- messages ----------------------------------------------------------- */

static int parse_question(struct dx_bytes *r, struct dx_question *q)
{
    size_t len;
    if (dx_wire_get_name(r, q->orig, &len))
        return DX_EINVAL;
    q->name_len = len;
    unsigned nl = 0;
    for (size_t i = 0; i < len; i += (size_t)q->orig[i] + 1) {
        q->lab_off[nl] = (uint8_t)i;
        if (q->orig[i] == 0)
            break;
        nl++;
    }
    q->labels = nl;
    for (size_t i = 0; i < len; i++)
        q->name[i] = lc(q->orig[i]);
    q->qtype = dx_get_u16(r);
    q->qclass = dx_get_u16(r);
    return r->err ? DX_EINVAL : 0;
}

/* Skip (validating) one resource record; OPT records are examined. */
static int walk_rr(struct dx_bytes *r, struct dx_msg *m, bool additional)
{
    uint8_t name[DX_NAME_MAX];
    size_t nlen;
    if (dx_wire_get_name(r, name, &nlen))
        return DX_EINVAL;
    uint16_t type = dx_get_u16(r);
    uint16_t cls = dx_get_u16(r);
    uint32_t ttl = dx_get_u32(r);
    uint16_t rdlen = dx_get_u16(r);
    const uint8_t *rd = dx_get_ptr(r, rdlen);
    if (r->err)
        return DX_EINVAL;
    if (type != DX_T_OPT)
        return 0;
    if (!additional || m->has_opt || nlen != 1) {
        m->has_opt = false;
        m->opt_bad = true;
        return DX_EINVAL;
    }
    /* The one OPT, at the root: it counts as read even when its options are
     * malformed, since that FORMERR must carry an OPT (RFC 6891 7). */
    m->has_opt = true;
    m->opt_payload = cls;
    m->opt_version = (uint8_t)(ttl >> 16);
    m->opt_do = (ttl & 0x8000u) != 0;
    /* options: code(2) length(2) data; all must fit exactly */
    struct dx_bytes o;
    dx_bytes_reader(&o, rd, rdlen);
    while (dx_bytes_left(&o) > 0) {
        uint16_t code = dx_get_u16(&o);
        uint16_t olen = dx_get_u16(&o);
        const uint8_t *od = dx_get_ptr(&o, olen);
        if (o.err)
            return DX_EINVAL;
        if (code == DX_OPT_COOKIE) {    /* RFC 7873 5.2.2: a malformed one is FORMERR */
            if (m->cookie_len != 0 || !dx_cookie_len_ok(olen))
                return DX_EINVAL;
            memcpy(m->cookie, od, olen);
            m->cookie_len = (uint8_t)olen;
        }
    }
    return 0;
}

int dx_msg_parse(const uint8_t *buf, size_t len, struct dx_msg *m)
{
    m->has_q = false;
    m->has_opt = false;
    m->opt_bad = false;
    m->opt_payload = 0;
    m->opt_version = 0;
    m->opt_do = false;
    m->cookie_len = 0;
    if (len < DX_HDR_LEN)
        return DX_ESHORT;
    struct dx_bytes r;
    dx_bytes_reader(&r, buf, len);
    dx_hdr_get(&r, &m->hdr);

    for (unsigned i = 0; i < m->hdr.qd; i++) {
        if (i == 0) {
            if (parse_question(&r, &m->q))
                return DX_EINVAL;
            m->has_q = m->hdr.qd == 1;
        } else {
            uint8_t name[DX_NAME_MAX];
            size_t nl;
            if (dx_wire_get_name(&r, name, &nl))
                return DX_EINVAL;
            dx_skip(&r, 4);
            if (r.err)
                return DX_EINVAL;
        }
    }
    unsigned nrr = (unsigned)m->hdr.an + m->hdr.ns;
    for (unsigned i = 0; i < nrr; i++)
        if (walk_rr(&r, m, false))
            return DX_EINVAL;
    for (unsigned i = 0; i < m->hdr.ar; i++)
        if (walk_rr(&r, m, true))
            return DX_EINVAL;
    if (r.pos != len)
        return DX_EINVAL;        /* trailing garbage */
    return 0;
}
