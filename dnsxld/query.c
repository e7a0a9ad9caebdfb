/* Answering one DNS message (query.h): parse (wire.c) -> header checks,
 * FORMERR/NOTIMP/BADVERS/class -> resolve (resolve.c: zone, ACL, lookup,
 * everything the answer depends on) -> records (answer.c) -> header and
 * OPT. Everything lives on the stack or in the caller's buffers.
 *
 * Documented choices:
 * - Class CH: the server's identity and version (chaos.h). Other classes
 *   but IN and ANY: REFUSED. Class ANY is treated as IN.
 * - Extended errors (ede.h): the reply's OPT carries the EDE that
 *   resolve.c, chaos.c or the class check chose, when the query had EDNS.
 * - AXFR and IXFR: tcp.c hands transfer requests to xfr.c (xfr.h), and
 *   udp.c an IXFR (answered with the SOA alone), before they get here;
 *   what still arrives (AXFR over UDP) is REFUSED.
 * - A FORMERR reply carries no question; it carries our OPT when the query's
 *   one OPT was read before the error.
 * - NOTIMP echoes the opcode, and the question when it parsed.
 * - q->txn == NULL means the caller could not renew its read transaction:
 *   a question for one of our zones then gets SERVFAIL (never a dropped
 *   query); everything decided before the store (FORMERR, REFUSED...) is
 *   answered as usual.
 * - Defences (guard.h): the COOKIE of a query is checked after the parse and
 *   the reply always carries one when the query did; a message with QDCOUNT
 *   0 and a COOKIE is answered with our cookie, NOERROR, or BADCOOKIE when
 *   the server cookie it sent is not valid (RFC 7873 5.4); the rate limiter
 *   decides on the built reply: send, slip or drop. A slip has the question
 *   and no records nor EDE: BADCOOKIE with our cookie when the query had a
 *   client cookie (RFC 7873 5.2.3: the client retries over UDP with it),
 *   else TC=1 (it retries over TCP). So it is never longer than its query
 *   but for the 16 octets by which our cookie outgrows a client cookie
 *   sent alone.
 */
#include "dnsxld/query.h"
#include "dnsxld/answer.h"
#include "dnsxld/chaos.h"
#include "dnsxld/ede.h"
#include "dnsxld/guard.h"
#include "dnsxld/heat.h"
#include "dnsxld/resolve.h"
#include "dnsxld/stats.h"
#include "dnsxld/wire.h"
#include "zones/err.h"

#include <stddef.h>
#include <string.h>

struct reply {
    struct dx_qctx *q;
    const struct dx_msg *m;
    struct dx_bytes w;
    size_t limit;
    size_t after_q;                /* offset just past the question */
    enum dx_transport tr;
    bool aa, tc, opt;
    unsigned rcode;                /* full 12-bit rcode */
    uint16_t an, ns;
    uint16_t ede;                  /* RFC 8914 error in the OPT (ede.h), or DX_EDE_NONE */
    const char *ede_text;
    const struct dx_resolved *res; /* once resolved: the zone and hits, for the metrics */
    struct dx_guard g;             /* last: not zeroed (dx_guard_begin sets it) */
};

/* --- the pipeline ---------------------------------------------------------- */

/* The metrics and heat of one message (stats.h, heat.h); sent = false: the
 * rate limiter dropped the reply. */
static __attribute__((noinline)) void observe(const struct reply *r, bool sent)
{
    const struct dx_qctx *q = r->q;
    dx_stats_count(q->obs, q->conf, r->tr, r->m, r->res, r->rcode, r->tc, r->an, sent);
    if (sent && q->obs->heat && r->res && r->res->out == DX_OUT_LISTED && !r->res->policy &&
        !r->tc && dx_heat_pick(&q->obs->heat_rng, q->conf->server.heat_sample))
        dx_heat_sample(q->obs->heat, r->res, (uint8_t)(100 / q->conf->server.heat_sample),
                       q->now);
}

static size_t finish(struct reply *r)
{
    const struct dx_msg *m = r->m;
    enum dx_verdict v = dx_guard_rrl(r->q, &r->g, r->tr, r->rcode, r->an);
    if (v == DX_VERDICT_DROP) {
        if (r->q->obs)
            observe(r, false);
        return 0;
    }
    if (v == DX_VERDICT_SLIP) {         /* no records, no EDE: never more than the query */
        struct dx_bytes_mark qmark = { r->after_q };
        dx_bytes_rollback(&r->w, qmark);
        r->an = r->ns = 0;
        r->ede = DX_EDE_NONE;           /* it told of an answer that is not sent */
        if (r->g.optlen && r->opt) {    /* a cookie client retries over UDP with our cookie */
            r->rcode = DX_RC_BADCOOKIE;
            r->tc = false;
        } else {                        /* TC=1: the client retries over TCP */
            r->tc = true;
        }
    }
    dx_bytes_set_limit(&r->w, r->limit);
    struct dx_hdr h = {
        .id = m->hdr.id,
        .flags = (uint16_t)(0x8000u | DX_MSG_OPCODE(m) << 11 | (r->aa ? 0x0400u : 0) |
                            (r->tc ? 0x0200u : 0) | (DX_MSG_RD(m) ? 0x0100u : 0) |
                            (r->rcode & 0x0fu)),
        .qd = r->after_q > DX_HDR_LEN ? 1 : 0,
        .an = r->an,
        .ns = r->ns,
    };
    if (r->opt) {
        uint32_t size = r->q->conf->server.edns_size;
        if (size < 512)
            size = 512;
        if (size > 65535)
            size = 65535;
        size_t opt_at = r->w.pos;
        dx_opt_put_opts(&r->w, (uint16_t)size, r->rcode, m->opt_do, r->g.opt, r->g.optlen);
        if (r->ede != DX_EDE_NONE)
            dx_ede_put(&r->w, opt_at, r->ede, r->ede_text);
        h.ar = 1;
    }
    dx_hdr_patch(&r->w, &h);
    if (r->w.err)
        return 0;                   /* only if the caller's buffer is absurdly small */
    if (r->q->obs)
        observe(r, true);
    return r->w.pos;
}

size_t dx_query_answer(struct dx_qctx *q, const uint8_t *req, size_t len,
                       uint8_t *resp, size_t cap, enum dx_transport tr,
                       const struct sockaddr *peer)
{
    if (!q || !q->conf || !req || !resp || cap < DX_HDR_LEN)
        return 0;
    struct dx_msg m;
    int prc = dx_msg_parse(req, len, &m);
    if (prc == DX_ESHORT || DX_MSG_QR(&m))
        return 0;

    struct reply r;
    memset(&r, 0, offsetof(struct reply, g));
    r.q = q;
    r.m = &m;
    r.tr = tr;
    r.ede = DX_EDE_NONE;
    dx_guard_begin(q, &m, peer, &r.g);
    r.opt = m.has_opt && !m.opt_bad;
    if (tr == DX_TCP) {
        r.limit = 65535;
    } else if (m.has_opt) {
        uint32_t own = q->conf->server.edns_size;
        r.limit = m.opt_payload < own ? m.opt_payload : own;
        if (r.limit < 512)
            r.limit = 512;
    } else {
        r.limit = 512;
    }
    if (r.limit > cap)
        r.limit = cap;
    dx_bytes_writer(&r.w, resp, r.limit);
    dx_put_zero(&r.w, DX_HDR_LEN);  /* the header, written by finish() */

    bool echo_q;
    if (DX_MSG_OPCODE(&m) != 0) {
        r.rcode = DX_RC_NOTIMP;
        echo_q = m.has_q;
    } else if (prc != 0 || !m.has_q) {
        if (prc == 0 && m.hdr.qd == 0 && m.cookie_len != 0 && r.opt) {
            r.after_q = r.w.pos;        /* RFC 7873 5.4: a cookie "ping" */
            if (m.opt_version > 0)
                r.rcode = DX_RC_BADVERS;
            else if (m.cookie_len > 8 && !r.g.cookie_ok)
                r.rcode = DX_RC_BADCOOKIE;  /* its server cookie is not (no longer) ours */
            return finish(&r);
        }
        r.rcode = DX_RC_FORMERR;
        echo_q = false;
    } else {
        echo_q = true;
    }
    if (echo_q) {
        dx_put(&r.w, m.q.orig, m.q.name_len);   /* as asked, case kept */
        dx_put_u16(&r.w, m.q.qtype);
        dx_put_u16(&r.w, m.q.qclass);
        if (r.w.err)
            return 0;
    }
    r.after_q = r.w.pos;
    if (r.opt) {
        size_t opt = DX_OPT_LEN + r.g.optlen;
        dx_bytes_set_limit(&r.w, r.limit >= r.w.pos + opt ? r.limit - opt : r.w.pos);
    }
    if (r.rcode)
        return finish(&r);

    if (m.opt_version > 0) {
        r.rcode = DX_RC_BADVERS;
        return finish(&r);
    }
    if (m.q.qclass == DX_C_CH) {     /* the server's identity (chaos.h) */
        struct dx_chaos_out co;
        dx_chaos_answer(q->conf, &m.q, &r.w, &co);
        r.rcode = co.rcode;
        r.aa = co.aa;
        r.tc = co.tc;
        r.an = co.an;
        r.ede = co.ede;
        r.ede_text = co.ede_text;
        return finish(&r);
    }
    if (m.q.qclass != DX_C_IN && m.q.qclass != DX_C_ANY) {
        r.rcode = DX_RC_REFUSED;
        r.ede = DX_EDE_NOT_AUTHORITATIVE;
        return finish(&r);
    }
    struct dx_resolved res;         /* not zeroed: dx_resolve sets what it uses */
    dx_resolve(q, &m.q, peer, &res);
    r.res = &res;
    r.ede = res.ede;
    r.ede_text = res.ede_text;
    struct dx_answer_out o;
    dx_answer_write(&r.w, dx_bytes_mark(&r.w), &m.q, &res, &o);
    r.rcode = o.rcode;
    r.aa = o.aa;
    r.tc = o.tc;
    r.an = o.an;
    r.ns = o.ns;
    return finish(&r);
}
