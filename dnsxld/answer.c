/* Phase 2 of answering: the records of a resolved question (answer.h).
 * The apex (SOA, NS, ANY), listed names (A, TXT, ANY), NXDOMAIN/NODATA
 * with the SOA, truncation by rollback. Writes records only; the header
 * and the OPT record are the caller's (query.c).
 *
 * Documented choices (README "DNS behaviour", dnsxld(8)):
 * - Identical A values from several lists are answered once: an RRset
 *   holds no duplicate records (RFC 2181 5). TXT texts are per list, and
 *   likewise identical expanded texts are answered once.
 * - ANY for a listed name gives the A and TXT RRsets (RFC 8482 allows it).
 * - TXT texts are at most DX_TXT_MAX (4096) octets after expansion: the
 *   config loader and the CLIs refuse a template or own TXT that could
 *   expand to more (zones/txt.h), so nothing is cut in normal operation.
 *   The expansion buffer stays a defensive bound: an entry written by an
 *   older version with a longer text (or a reason longer than
 *   DX_REASON_MAX) is cut at DX_TXT_MAX.
 * - Bitmask zones answer one A: the first three octets every list code of
 *   the zone shares (the config refuses codes that differ there, or share
 *   bits in the last octet), and the OR of the last octets of the hits'
 *   codes. An own code contributes its last octet only (the CLIs refuse
 *   own codes with other first octets; an older store may hold one).
 */
#include "dnsxld/answer.h"
#include "zones/txt.h"

#include <string.h>

/* The writer and what is known while writing. */
struct ans {
    struct dx_bytes *w;
    struct dx_bytes_mark qmark;
    const struct dx_question *qn;
    const struct dx_resolved *r;
    const struct dx_zone_conf *zone;
    struct dx_answer_out *o;
};

/* --- records ------------------------------------------------------------ */

/* Names in answers are compressed without searching: every name we write
 * is either the question name (at DX_HDR_LEN), the zone apex (a suffix of
 * the question name) or a configured name whose shared suffix with the zone
 * name is also a suffix of the question (struct dx_wname). */

/* Offset in the message of the question's suffix of `labels` labels. */
static uint16_t qsuffix(const struct ans *a, unsigned labels)
{
    return (uint16_t)(DX_HDR_LEN + a->qn->lab_off[a->qn->labels - labels]);
}

static void put_ptr(struct ans *a, uint16_t off)
{
    dx_put_u16(a->w, (uint16_t)(0xc000u | off));
}

static void put_wname(struct ans *a, const struct dx_wname *n)
{
    dx_put(a->w, n->wire, n->prefix);
    if (n->common)
        put_ptr(a, qsuffix(a, n->common));
}

/* Owner (a pointer), type, class IN, ttl, rdlength placeholder; returns the
 * rdlength offset. */
static size_t rr_begin(struct ans *a, uint16_t owner, uint16_t type, uint32_t ttl)
{
    put_ptr(a, owner);
    dx_put_u16(a->w, type);
    dx_put_u16(a->w, DX_C_IN);
    dx_put_u32(a->w, ttl);
    size_t at = a->w->pos;
    dx_put_u16(a->w, 0);
    return at;
}

static void rr_end(struct ans *a, size_t at)
{
    if (a->w->err)
        return;
    dx_patch_u16(a->w, at, (uint16_t)(a->w->pos - at - 2));
}

static void put_soa(struct ans *a, uint32_t ttl)
{
    const struct dx_zone_conf *z = a->zone;
    size_t at = rr_begin(a, qsuffix(a, z->labels), DX_T_SOA, ttl);
    put_wname(a, &z->soa_mname_w);
    put_wname(a, &z->soa_rname_w);
    dx_put_u32(a->w, a->r->serial);
    dx_put_u32(a->w, z->soa.refresh);
    dx_put_u32(a->w, z->soa.retry);
    dx_put_u32(a->w, z->soa.expire);
    dx_put_u32(a->w, z->soa.minimum);
    rr_end(a, at);
}

static void put_ns(struct ans *a, uint32_t ttl)
{
    const struct dx_zone_conf *z = a->zone;
    for (size_t i = 0; i < z->n_ns; i++) {
        size_t at = rr_begin(a, qsuffix(a, z->labels), DX_T_NS, ttl);
        put_wname(a, &z->ns_w[i]);
        rr_end(a, at);
        a->o->an++;
    }
}

static uint32_t neg_ttl(const struct dx_zone_conf *z)
{
    return z->ttl < z->soa.minimum ? z->ttl : z->soa.minimum;
}

/* --- sections with truncation --------------------------------------------- */

/* After a failed answer section: back to just the question, TC. */
static void truncate_answer(struct ans *a)
{
    dx_bytes_rollback(a->w, a->qmark);
    a->o->an = 0;
    a->o->ns = 0;
    a->o->tc = true;
}

/* Negative answer (NXDOMAIN or NODATA): the SOA in authority. */
static void negative(struct ans *a, unsigned rcode)
{
    a->o->rcode = rcode;
    struct dx_bytes_mark mk = dx_bytes_mark(a->w);
    put_soa(a, neg_ttl(a->zone));
    if (a->w->err) {
        dx_bytes_rollback(a->w, mk);
        a->o->tc = true;
        return;
    }
    a->o->ns = 1;
}

static void answer_apex(struct ans *a)
{
    uint16_t qt = a->qn->qtype;
    uint32_t ttl = a->zone->ttl;
    if (qt == DX_T_SOA || qt == DX_T_ANY) {
        put_soa(a, ttl);
        a->o->an++;
    }
    if (qt == DX_T_NS || qt == DX_T_ANY)
        put_ns(a, ttl);
    if (a->w->err)
        truncate_answer(a);
}

/* --- listed answers ------------------------------------------------------ */

static uint32_t rrset_ttl(const struct ans *a, bool txt_only)
{
    const struct dx_resolved *r = a->r;
    uint64_t ttl = a->zone->ttl;
    bool capped = false;
    for (size_t i = 0; i < r->n; i++) {
        const struct dx_rhit *h = &r->hit[i];
        if (txt_only && !h->tmpl)
            continue;
        if (!h->expires)
            continue;
        uint64_t left = h->expires > r->now ? h->expires - r->now : 1;
        if (left < ttl) {
            ttl = left;
            capped = true;
        }
    }
    if (capped && ttl < 1)
        ttl = 1;
    if (ttl > 0x7fffffffu)
        ttl = 0x7fffffffu;
    return (uint32_t)ttl;
}

static void put_a(struct ans *a, uint32_t ttl, uint32_t code)
{
    size_t at = rr_begin(a, DX_HDR_LEN, DX_T_A, ttl);
    dx_put_u32(a->w, code);
    rr_end(a, at);
    a->o->an++;
}

static void put_a_rrset(struct ans *a)
{
    const struct dx_resolved *r = a->r;
    uint32_t ttl = rrset_ttl(a, false);
    if (a->zone->answer == DX_ANSWER_BITMASK && !r->policy) {  /* policy: the code, no list bit */
        uint32_t x = 0;
        for (size_t i = 0; i < r->n; i++)
            x |= r->hit[i].code & 0xffu;
        put_a(a, ttl, a->zone->code_prefix | x);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = r->hit[j].code == r->hit[i].code;
        if (!dup)
            put_a(a, ttl, r->hit[i].code);
    }
}

/* Is the rdata just written at w[at+2 .. pos) equal to an earlier one? */
static bool txt_dup(const struct ans *a, const size_t *rd, size_t nrd, size_t at)
{
    const uint8_t *b = a->w->wp;
    size_t len = a->w->pos - at - 2;
    for (size_t j = 0; j < nrd; j++) {
        size_t olen = dx_be16(b + rd[j]);
        if (olen == len && memcmp(b + rd[j] + 2, b + at + 2, len) == 0)
            return true;
    }
    return false;
}

/* TXT RRs, identical texts once (RFC 2181 5: an RRset has no duplicate
 * records; two lists may expand to the same text). Stops at the first
 * that does not fit (the caller truncates). */
static void put_txt_rrset(struct ans *a)
{
    const struct dx_resolved *r = a->r;
    uint32_t ttl = rrset_ttl(a, true);
    char text[DX_TXT_MAX];          /* what the entry points allow; see the top */
    size_t rd[DX_HITS_MAX];         /* rdlength offsets of the TXT RRs written */
    size_t nrd = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct dx_rhit *h = &r->hit[i];
        if (!h->tmpl)
            continue;
        struct dx_txt_vars v = { r->subject, h->list, a->zone->name, h->reason };
        size_t tl = dx_txt_expand(h->tmpl, &v, text, sizeof(text));
        struct dx_bytes_mark mk = dx_bytes_mark(a->w);
        size_t at = rr_begin(a, DX_HDR_LEN, DX_T_TXT, ttl);
        size_t off = 0;
        do {
            size_t chunk = tl - off > 255 ? 255 : tl - off;
            dx_put_u8(a->w, (uint8_t)chunk);
            dx_put(a->w, text + off, chunk);
            off += chunk;
        } while (off < tl);
        rr_end(a, at);
        if (a->w->err)
            return;
        if (txt_dup(a, rd, nrd, at)) {
            dx_bytes_rollback(a->w, mk);
            continue;
        }
        if (nrd < DX_HITS_MAX)
            rd[nrd++] = at;
        a->o->an++;
    }
}

static void answer_listed(struct ans *a)
{
    uint16_t qt = a->qn->qtype;
    if (qt == DX_T_A || qt == DX_T_ANY)
        put_a_rrset(a);
    if (qt == DX_T_TXT || qt == DX_T_ANY)
        put_txt_rrset(a);
    if (a->w->err)
        truncate_answer(a);
}

void dx_answer_write(struct dx_bytes *w, struct dx_bytes_mark qmark, const struct dx_question *qn,
                     const struct dx_resolved *r, struct dx_answer_out *o)
{
    struct ans a = { w, qmark, qn, r, r->zone, o };
    o->rcode = DX_RC_NOERROR;
    o->aa = true;
    o->tc = false;
    o->an = 0;
    o->ns = 0;
    switch (r->out) {
    case DX_OUT_REFUSED:
        o->rcode = DX_RC_REFUSED;
        o->aa = false;
        break;
    case DX_OUT_SERVFAIL:
        o->rcode = DX_RC_SERVFAIL;
        o->aa = false;
        break;
    case DX_OUT_APEX:
        answer_apex(&a);
        break;
    case DX_OUT_LISTED:
        answer_listed(&a);
        break;
    case DX_OUT_NODATA:
        negative(&a, DX_RC_NOERROR);
        break;
    case DX_OUT_NXDOMAIN:
        negative(&a, DX_RC_NXDOMAIN);
        break;
    }
}
