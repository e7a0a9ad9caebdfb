/* Building the answer for a question inside one of our zones: the apex
 * (SOA, NS, ANY, else NODATA), below the apex (the key from the labels, the
 * store lookup, RFC 5782 test points, A/TXT/ANY, NXDOMAIN/NODATA with the
 * SOA), truncation by rollback. It reads the store (the lookup, the
 * reason of a `$reason` TXT, the SOA serial) and writes the answer and
 * authority records; the header and the OPT record are the caller's
 * (query.c).
 *
 * Documented choices (README "DNS behaviour", dnsxld(8)):
 * - Below the apex of an ip zone an address is exactly 4 decimal labels
 *   (0..255, no leading zeros) or exactly 32 hex nibbles (RFC 5782 2.1,
 *   2.4). A name that is not listed answers NXDOMAIN unless it is an empty
 *   non-terminal, which answers NOERROR with no data and the SOA (RFC 8020
 *   2, RFC 9156: a resolver minimising its queries asks the ancestors of
 *   a listed name first, and may deny everything below an NXDOMAIN):
 *     * 1..3 decimal labels name an IPv4 prefix ("2.0.192" = 192.0.2.0/24),
 *       1..31 single-hex-digit labels an IPv6 prefix (the 4 labels of
 *       "1.0.0.2" are both the address 2.0.0.1 and 2001::/16); the name
 *       exists when some unexpired entry of the zone, in any list,
 *       exclusions included, overlaps the prefix (dx_lookup_below; for
 *       IPv6 the part inside ::ffff:0:0/96 is looked up in the IPv4 data),
 *       or when the prefix holds the RFC 5782 test point 127.0.0.2 /
 *       ::ffff:7f00:2, which always exists; either reading suffices;
 *     * in a domain zone a name exists when an unexpired record lies
 *       below it, or a name below it is listed by a wildcard of one of
 *       its ancestors;
 *     * everything else (5+ labels that are not nibbles, bad octets, 33+
 *       labels, characters no key can hold) is NXDOMAIN. The same over
 *       UDP and TCP, with the NXDOMAIN TTL (RFC 2308).
 *   An entry of a list that is no longer configured still makes its
 *   ancestors exist (harmless: NODATA denies nothing below it).
 * - IPv4-mapped IPv6 queries (::ffff:a.b.c.d) are answered from IPv4 data
 *   (dx_key_from_addr converts them); `$` is then the IPv4 text.
 * - Identical A values from several lists are answered once: an RRset
 *   holds no duplicate records (RFC 2181 5). TXT texts are per list, and
 *   likewise identical expanded texts are answered once.
 * - ANY for a listed name gives the A and TXT RRsets (RFC 8482 allows it).
 * - Domain zones: the labels under the zone, joined, are the name looked up;
 *   a name with characters no key can hold is NXDOMAIN.
 * - TXT texts are at most DX_TXT_MAX (4096) octets after expansion: the
 *   config loader and the CLIs refuse a template or own TXT that could
 *   expand to more (zones/txt.h), so nothing is cut in normal operation.
 *   The expansion buffer stays a defensive bound: an entry written by an
 *   older version with a longer text (or a reason longer than
 *   DX_REASON_MAX) is cut at DX_TXT_MAX.
 * - Per-entry values (imports, country data, dnsxl-admin add --code/--txt)
 *   override the list's: an own code replaces the list's A, an own TXT
 *   replaces the list's/zone's template, and an own TXT of "" (rbldnsd's
 *   `1.2.3.4 :3:`) means no TXT for that hit: a TXT query that finds no
 *   text is NODATA.
 * - Bitmask zones answer one A: the first three octets every list code of
 *   the zone shares (the config refuses codes that differ there, or share
 *   bits in the last octet), and the OR of the last octets of the hits'
 *   codes. An own code contributes its last octet only (the CLIs refuse
 *   own codes with other first octets; an older store may hold one).
 */
#include "dnsxld/answer.h"
#include "zones/err.h"
#include "zones/txt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

struct item {
    uint32_t code;
    const char *tmpl;              /* TXT template or NULL */
    const char *list;              /* list name */
    uint64_t expires;
    const struct dx_hit *hit;      /* the store's hit; NULL for a synthetic test point */
};

/* --- records ------------------------------------------------------------ */

/* Names in answers are compressed without searching: every name we write
 * is either the question name (at DX_HDR_LEN), the zone apex (a suffix of
 * the question name) or a configured name whose shared suffix with the zone
 * name is also a suffix of the question (struct dx_wname). */

/* Offset in the message of the question's suffix of `labels` labels. */
static uint16_t qsuffix(const struct dx_answer *r, unsigned labels)
{
    return (uint16_t)(DX_HDR_LEN + r->qn->lab_off[r->qn->labels - labels]);
}

static void put_ptr(struct dx_answer *r, uint16_t off)
{
    dx_put_u16(r->w, (uint16_t)(0xc000u | off));
}

static void put_wname(struct dx_answer *r, const struct dx_wname *n)
{
    dx_put(r->w, n->wire, n->prefix);
    if (n->common)
        put_ptr(r, qsuffix(r, n->common));
}

/* Owner (a pointer), type, class IN, ttl, rdlength placeholder; returns the
 * rdlength offset. */
static size_t rr_begin(struct dx_answer *r, uint16_t owner, uint16_t type, uint32_t ttl)
{
    put_ptr(r, owner);
    dx_put_u16(r->w, type);
    dx_put_u16(r->w, DX_C_IN);
    dx_put_u32(r->w, ttl);
    size_t at = r->w->pos;
    dx_put_u16(r->w, 0);
    return at;
}

static void rr_end(struct dx_answer *r, size_t at)
{
    if (r->w->err)
        return;
    dx_patch_u16(r->w, at, (uint16_t)(r->w->pos - at - 2));
}

static int put_soa(struct dx_answer *r, uint32_t ttl)
{
    const struct dx_zone_conf *z = r->zone;
    uint32_t serial = 1;
    int rc = dx_zone_serial(r->q->txn, z->name, &serial);
    if (rc == DX_ENOTFOUND)
        serial = 1;
    else if (rc)
        return rc;
    size_t at = rr_begin(r, qsuffix(r, z->labels), DX_T_SOA, ttl);
    put_wname(r, &z->soa_mname_w);
    put_wname(r, &z->soa_rname_w);
    dx_put_u32(r->w, serial);
    dx_put_u32(r->w, z->soa.refresh);
    dx_put_u32(r->w, z->soa.retry);
    dx_put_u32(r->w, z->soa.expire);
    dx_put_u32(r->w, z->soa.minimum);
    rr_end(r, at);
    return 0;
}

static void put_ns(struct dx_answer *r, uint32_t ttl, uint16_t *count)
{
    const struct dx_zone_conf *z = r->zone;
    for (size_t i = 0; i < z->n_ns; i++) {
        size_t at = rr_begin(r, qsuffix(r, z->labels), DX_T_NS, ttl);
        put_wname(r, &z->ns_w[i]);
        rr_end(r, at);
        (*count)++;
    }
}

static uint32_t neg_ttl(const struct dx_zone_conf *z)
{
    return z->ttl < z->soa.minimum ? z->ttl : z->soa.minimum;
}

/* --- sections with truncation --------------------------------------------- */

/* After a failed answer section: back to just the question, TC. */
static void truncate_answer(struct dx_answer *r)
{
    dx_bytes_rollback(r->w, r->qmark);
    r->an = 0;
    r->ns = 0;
    r->tc = true;
}

/* A store error while building: SERVFAIL with just the question. */
static void servfail(struct dx_answer *r)
{
    dx_bytes_rollback(r->w, r->qmark);
    r->an = 0;
    r->ns = 0;
    r->tc = false;
    r->aa = false;
    r->rcode = DX_RC_SERVFAIL;
}

/* Negative answer (NXDOMAIN or NODATA): the SOA in authority. */
static void negative(struct dx_answer *r, unsigned rcode)
{
    r->rcode = rcode;
    struct dx_bytes_mark mk = dx_bytes_mark(r->w);
    int rc = put_soa(r, neg_ttl(r->zone));
    if (rc) {
        servfail(r);
        return;
    }
    if (r->w->err) {
        dx_bytes_rollback(r->w, mk);
        r->tc = true;
        return;
    }
    r->ns = 1;
}

static void answer_apex(struct dx_answer *r)
{
    uint16_t qt = r->qn->qtype;
    uint32_t ttl = r->zone->ttl;
    if (qt != DX_T_SOA && qt != DX_T_NS && qt != DX_T_ANY) {
        negative(r, DX_RC_NOERROR);
        return;
    }
    if (qt == DX_T_SOA || qt == DX_T_ANY) {
        if (put_soa(r, ttl)) {
            servfail(r);
            return;
        }
        r->an++;
    }
    if (qt == DX_T_NS || qt == DX_T_ANY)
        put_ns(r, ttl, &r->an);
    if (r->w->err)
        truncate_answer(r);
    else if (r->an == 0)            /* NS asked, none configured */
        negative(r, DX_RC_NOERROR);
}

/* --- below the apex: the queried key (zones/key.h reads the labels) ------ */

static bool is_v4(const struct dx_key *k, uint32_t a)
{
    return k->family == DX_FAM_V4 && dx_be32(k->addr) == a;
}

static bool is_name(const struct dx_key *k, const char *s)
{
    return k->family == DX_FAM_DOMAIN && strcmp((const char *)k->addr, s) == 0;
}

/* --- empty non-terminals ------------------------------------------------ */

/* Do the first plen bits of a and b agree? (Inline: dx_key_contains here
 * costs an ent_prefix query about 2% more instructions.) */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
    unsigned bytes = plen / 8, bits = plen % 8;
    if (memcmp(a, b, bytes) != 0)
        return false;
    return bits == 0 || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

/* Does the prefix p exist: does it hold the RFC 5782 test point, or an
 * entry of the zone? 1, 0, or a store error. */
static int prefix_exists(struct dx_answer *r, const struct dx_key *p)
{
    static const uint8_t tp4[4] = { 127, 0, 0, 2 };
    static const uint8_t tp6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2 };
    if (prefix_eq(p->addr, p->family == DX_FAM_V4 ? tp4 : tp6, p->plen))
        return 1;
    return dx_lookup_below(r->q->txn, r->zone->name, p, r->q->now);
}

/* Is the name below the apex, with nothing listed at it, an empty
 * non-terminal (see the top)? n = its labels below the apex, key_ok =
 * r->key holds its domain key. 1, 0, or a store error. */
static int name_exists(struct dx_answer *r, unsigned n, bool key_ok)
{
    if (r->zone->kind == DX_ZONE_DOMAIN)
        return key_ok ? dx_lookup_below(r->q->txn, r->zone->name, &r->key, r->q->now) : 0;
    struct dx_key p[2];
    unsigned np = dx_key_prefixes_from_labels(r->qn->name, r->qn->lab_off, n, p);
    for (unsigned i = 0; i < np; i++) {
        int rc = prefix_exists(r, &p[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- listed answers ------------------------------------------------------ */

static uint32_t rrset_ttl(const struct dx_answer *r, const struct item *it, size_t n, bool txt_only)
{
    uint64_t ttl = r->zone->ttl;
    bool capped = false;
    for (size_t i = 0; i < n; i++) {
        if (txt_only && !it[i].tmpl)
            continue;
        if (!it[i].expires)
            continue;
        uint64_t left = it[i].expires > r->q->now ? it[i].expires - r->q->now : 1;
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

static void put_a(struct dx_answer *r, uint32_t ttl, uint32_t code)
{
    size_t at = rr_begin(r, DX_HDR_LEN, DX_T_A, ttl);
    dx_put_u32(r->w, code);
    rr_end(r, at);
    r->an++;
}

static void put_a_rrset(struct dx_answer *r, const struct item *it, size_t n)
{
    uint32_t ttl = rrset_ttl(r, it, n, false);
    if (r->zone->answer == DX_ANSWER_BITMASK) {
        uint32_t x = 0;
        for (size_t i = 0; i < n; i++)
            x |= it[i].code & 0xffu;
        put_a(r, ttl, r->zone->code_prefix | x);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = it[j].code == it[i].code;
        if (!dup)
            put_a(r, ttl, it[i].code);
    }
}

/* Is the rdata just written at w[at+2 .. pos) equal to an earlier one? */
static bool txt_dup(const struct dx_answer *r, const size_t *rd, size_t nrd, size_t at)
{
    const uint8_t *b = r->w->wp;
    size_t len = r->w->pos - at - 2;
    for (size_t j = 0; j < nrd; j++) {
        size_t olen = dx_be16(b + rd[j]);
        if (olen == len && memcmp(b + rd[j] + 2, b + at + 2, len) == 0)
            return true;
    }
    return false;
}

/* TXT RRs, identical texts once (RFC 2181 5: an RRset has no duplicate
 * records; two lists may expand to the same text). Returns 0 or a store
 * error. */
static int put_txt_rrset(struct dx_answer *r, const struct item *it, size_t n)
{
    uint32_t ttl = rrset_ttl(r, it, n, true);
    /* the subject's text (`$`), made only here: A queries never need it */
    if (r->key.family == DX_FAM_DOMAIN)
        memcpy(r->subject, r->key.addr, (size_t)r->key.len + 1);
    else if (!inet_ntop(r->key.family == DX_FAM_V4 ? AF_INET : AF_INET6, r->key.addr,
                        r->subject, sizeof(r->subject)))
        r->subject[0] = 0;
    char text[DX_TXT_MAX];          /* what the entry points allow; see the top */
    size_t rd[DX_HITS_MAX];         /* rdlength offsets of the TXT RRs written */
    size_t nrd = 0;
    for (size_t i = 0; i < n; i++) {
        if (!it[i].tmpl)
            continue;
        struct dx_txt_vars v = { r->subject, it[i].list, r->zone->name, NULL };
        if (dx_txt_uses_reason(it[i].tmpl)) {
            int rc = dx_hit_reason(r->q->txn, r->zone->name, it[i].hit, &v.reason);
            if (rc)
                return rc;
        }
        size_t tl = dx_txt_expand(it[i].tmpl, &v, text, sizeof(text));
        struct dx_bytes_mark mk = dx_bytes_mark(r->w);
        size_t at = rr_begin(r, DX_HDR_LEN, DX_T_TXT, ttl);
        size_t off = 0;
        do {
            size_t chunk = tl - off > 255 ? 255 : tl - off;
            dx_put_u8(r->w, (uint8_t)chunk);
            dx_put(r->w, text + off, chunk);
            off += chunk;
        } while (off < tl);
        rr_end(r, at);
        if (r->w->err)
            return 0;               /* the caller truncates */
        if (txt_dup(r, rd, nrd, at)) {
            dx_bytes_rollback(r->w, mk);
            continue;
        }
        if (nrd < DX_HITS_MAX)
            rd[nrd++] = at;
        r->an++;
    }
    return 0;
}

static void answer_listed(struct dx_answer *r, const struct item *it, size_t n)
{
    uint16_t qt = r->qn->qtype;
    bool any_txt = false;
    for (size_t i = 0; i < n; i++)
        any_txt |= it[i].tmpl != NULL;
    if (qt != DX_T_A && qt != DX_T_ANY && !(qt == DX_T_TXT && any_txt)) {
        negative(r, DX_RC_NOERROR);
        return;
    }
    if (qt == DX_T_A || qt == DX_T_ANY)
        put_a_rrset(r, it, n);
    if (qt == DX_T_TXT || qt == DX_T_ANY) {
        if (put_txt_rrset(r, it, n)) {
            servfail(r);
            return;
        }
    }
    if (r->w->err)
        truncate_answer(r);
}

/* Look the key up and answer it: true when answered (listed, or SERVFAIL),
 * false with nothing written when nothing lists it. */
static bool answer_key(struct dx_answer *r)
{
    const struct dx_zone_conf *z = r->zone;
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(r->q->txn, z->name, &r->key, r->q->now, hits, DX_HITS_MAX);
    if (nh < 0) {
        servfail(r);
        return true;
    }
    struct item items[DX_HITS_MAX];
    size_t ni = 0;
    for (int i = 0; i < nh && i < DX_HITS_MAX; i++) {
        const struct dx_list_conf *lc = hits[i].list ? dx_conf_list(z, hits[i].list) : NULL;
        if (!lc)
            continue;               /* list no longer configured */
        struct item *it = &items[ni++];
        it->code = hits[i].code ? hits[i].code : lc->code;
        /* an own TXT of "" means "no TXT" (rbldnsd's `1.2.3.4 :3:`) */
        if (hits[i].txt)
            it->tmpl = hits[i].txt[0] ? hits[i].txt : NULL;
        else
            it->tmpl = lc->txt ? lc->txt : z->txt;
        it->list = lc->name;
        it->expires = hits[i].expires_at;
        it->hit = &hits[i];
    }
    /* RFC 5782 5: 127.0.0.2 (::ffff:7f00:2) and TEST are always listed */
    if (ni == 0 && (is_v4(&r->key, 0x7f000002u) || is_name(&r->key, "test"))) {
        struct item *it = &items[ni++];
        memset(it, 0, sizeof(*it));
        if (z->n_lists > 0) {
            it->code = z->lists[0].code;
            it->tmpl = z->lists[0].txt ? z->lists[0].txt : z->txt;
            it->list = z->lists[0].name;
        } else {
            it->code = 0x7f000002u;
            it->tmpl = z->txt;
            it->list = "";
        }
    }
    if (ni == 0)
        return false;
    answer_listed(r, items, ni);
    return true;
}

static void answer_below(struct dx_answer *r)
{
    const struct dx_zone_conf *z = r->zone;
    const struct dx_question *q = r->qn;
    unsigned n = q->labels - z->labels;
    bool ok = dx_key_from_labels(q->name, q->lab_off, n, z->kind == DX_ZONE_DOMAIN, &r->key);
    /* RFC 5782 5: 127.0.0.1 (and ::ffff:7f00:1, which became it) and
     * INVALID are never listed, whatever the store says */
    if (ok && !is_v4(&r->key, 0x7f000001u) && !is_name(&r->key, "invalid") && answer_key(r))
        return;
    /* not listed: NXDOMAIN, unless an empty non-terminal */
    int ex = name_exists(r, n, ok && z->kind == DX_ZONE_DOMAIN);
    if (ex < 0)
        servfail(r);
    else
        negative(r, ex ? DX_RC_NOERROR : DX_RC_NXDOMAIN);
}

void dx_answer_build(struct dx_answer *r)
{
    r->aa = true;
    if (r->qn->labels == r->zone->labels)
        answer_apex(r);
    else
        answer_below(r);
}
