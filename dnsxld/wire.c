/* DNS wire format: cursor, names, message parsing (wire.h). */
#include "dnsxld/wire.h"
#include "zones/err.h"

#include <string.h>

/* --- cursor ------------------------------------------------------------- */

void dx_wire_init_read(struct dx_wire *w, const uint8_t *buf, size_t len)
{
    memset(w, 0, sizeof(*w));
    w->rbuf = buf;
    w->len = len;
}

void dx_wire_init_write(struct dx_wire *w, uint8_t *buf, size_t limit)
{
    memset(w, 0, sizeof(*w));
    w->wbuf = buf;
    w->rbuf = buf;
    w->len = limit;
}

void dx_wire_set_limit(struct dx_wire *w, size_t limit)
{
    w->len = limit;
    if (w->pos > limit && !w->err)
        w->err = DX_ERANGE;
}

static bool take(struct dx_wire *w, size_t n)
{
    if (w->err)
        return false;
    if (w->pos > w->len || n > w->len - w->pos) {
        w->err = DX_ERANGE;
        return false;
    }
    return true;
}

uint8_t dx_wire_u8(struct dx_wire *w)
{
    if (!take(w, 1))
        return 0;
    return w->rbuf[w->pos++];
}

uint16_t dx_wire_u16(struct dx_wire *w)
{
    if (!take(w, 2))
        return 0;
    const uint8_t *p = w->rbuf + w->pos;
    w->pos += 2;
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t dx_wire_u32(struct dx_wire *w)
{
    if (!take(w, 4))
        return 0;
    const uint8_t *p = w->rbuf + w->pos;
    w->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const uint8_t *dx_wire_bytes(struct dx_wire *w, size_t n)
{
    if (!take(w, n))
        return NULL;
    const uint8_t *p = w->rbuf + w->pos;
    w->pos += n;
    return p;
}

void dx_wire_skip(struct dx_wire *w, size_t n)
{
    if (take(w, n))
        w->pos += n;
}

void dx_wire_put_bytes(struct dx_wire *w, const void *p, size_t n)
{
    if (!w->wbuf) {
        if (!w->err)
            w->err = DX_EINVAL;
        return;
    }
    if (!take(w, n))
        return;
    if (n)
        memcpy(w->wbuf + w->pos, p, n);
    w->pos += n;
}

void dx_wire_put_u8(struct dx_wire *w, uint8_t v)
{
    dx_wire_put_bytes(w, &v, 1);
}

void dx_wire_put_u16(struct dx_wire *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    dx_wire_put_bytes(w, b, 2);
}

void dx_wire_put_u32(struct dx_wire *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    dx_wire_put_bytes(w, b, 4);
}

void dx_wire_patch_u16(struct dx_wire *w, size_t at, uint16_t v)
{
    if (w->err || !w->wbuf || at > w->pos || w->pos - at < 2)
        return;
    w->wbuf[at] = (uint8_t)(v >> 8);
    w->wbuf[at + 1] = (uint8_t)v;
}

struct dx_wire_mark dx_wire_mark(const struct dx_wire *w)
{
    struct dx_wire_mark m = { w->pos };
    return m;
}

void dx_wire_rollback(struct dx_wire *w, struct dx_wire_mark m)
{
    w->pos = m.pos;
    w->err = 0;
}

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
            size_t target = (size_t)(c & 0x3f) << 8 | pkt[pos + 1];
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

int dx_wire_get_name(struct dx_wire *w, uint8_t *out, size_t *outlen)
{
    if (w->err)
        return w->err;
    size_t next;
    if (w->pos > w->len || dx_name_unpack(w->rbuf, w->len, w->pos, out, outlen, &next)) {
        w->err = DX_EINVAL;
        return DX_EINVAL;
    }
    w->pos = next;
    return 0;
}

int dx_name_from_text(const char *text, uint8_t *out, size_t *outlen)
{
    size_t tl = strlen(text), n = 0, i = 0;
    if (tl > 0 && text[tl - 1] == '.')
        tl--;
    if (tl > 0 && text[tl - 1] == '.')      /* "a.." */
        return DX_EINVAL;
    while (i < tl) {
        size_t j = i;
        while (j < tl && text[j] != '.')
            j++;
        size_t l = j - i;
        if (l == 0 || l > DX_LABEL_MAX || n + 1 + l + 1 > DX_NAME_MAX)
            return DX_EINVAL;
        out[n++] = (uint8_t)l;
        memcpy(out + n, text + i, l);
        n += l;
        i = j + 1;
    }
    out[n++] = 0;
    *outlen = n;
    return 0;
}

static uint8_t lc(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool dx_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lc(a[i]) != lc(b[i]))   /* length octets are < 64: lc leaves them alone */
            return false;
    return true;
}

/* --- messages ----------------------------------------------------------- */

static int parse_question(struct dx_wire *r, struct dx_question *q)
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
    q->qtype = dx_wire_u16(r);
    q->qclass = dx_wire_u16(r);
    return r->err ? DX_EINVAL : 0;
}

/* Skip (validating) one resource record; OPT records are examined. */
static int walk_rr(struct dx_wire *r, struct dx_msg *m, bool additional)
{
    uint8_t name[DX_NAME_MAX];
    size_t nlen;
    if (dx_wire_get_name(r, name, &nlen))
        return DX_EINVAL;
    uint16_t type = dx_wire_u16(r);
    uint16_t cls = dx_wire_u16(r);
    uint32_t ttl = dx_wire_u32(r);
    uint16_t rdlen = dx_wire_u16(r);
    const uint8_t *rd = dx_wire_bytes(r, rdlen);
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
    struct dx_wire o;
    dx_wire_init_read(&o, rd, rdlen);
    while (dx_wire_avail(&o) > 0) {
        (void)dx_wire_u16(&o);
        uint16_t olen = dx_wire_u16(&o);
        dx_wire_skip(&o, olen);
        if (o.err)
            return DX_EINVAL;
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
    if (len < DX_HDR_LEN)
        return DX_ERANGE;
    struct dx_wire r;
    dx_wire_init_read(&r, buf, len);
    m->id = dx_wire_u16(&r);
    m->flags = dx_wire_u16(&r);
    m->qdcount = dx_wire_u16(&r);
    m->ancount = dx_wire_u16(&r);
    m->nscount = dx_wire_u16(&r);
    m->arcount = dx_wire_u16(&r);

    for (unsigned i = 0; i < m->qdcount; i++) {
        if (i == 0) {
            if (parse_question(&r, &m->q))
                return DX_EINVAL;
            m->has_q = m->qdcount == 1;
        } else {
            uint8_t name[DX_NAME_MAX];
            size_t nl;
            if (dx_wire_get_name(&r, name, &nl))
                return DX_EINVAL;
            dx_wire_skip(&r, 4);
            if (r.err)
                return DX_EINVAL;
        }
    }
    unsigned nrr = (unsigned)m->ancount + m->nscount;
    for (unsigned i = 0; i < nrr; i++)
        if (walk_rr(&r, m, false))
            return DX_EINVAL;
    for (unsigned i = 0; i < m->arcount; i++)
        if (walk_rr(&r, m, true))
            return DX_EINVAL;
    if (r.pos != len)
        return DX_EINVAL;        /* trailing garbage */
    return 0;
}
