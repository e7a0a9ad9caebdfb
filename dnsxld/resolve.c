/* Phase 1 of answering: zone, ACL, key, lookup, list config, test points,
 * empty non-terminals, reasons, serial (resolve.h). */
#include "dnsxld/resolve.h"
#include "dnsxld/ede.h"
#include "dnsxld/policy.h"
#include "zones/err.h"
#include "zones/txt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* --- zone and peer ----------------------------------------------------------- */

static const struct dx_zone_conf *find_zone(const struct dx_conf *conf,
                                            const struct dx_question *q)
{
    const struct dx_zone_conf *best = NULL;
    for (size_t i = 0; i < conf->n_zones; i++) {
        const struct dx_zone_conf *z = &conf->zones[i];
        if (z->labels > q->labels || (best && z->labels <= best->labels))
            continue;
        size_t off = q->lab_off[q->labels - z->labels];
        if (q->name_len - off == z->wire_len && memcmp(q->name + off, z->wire, z->wire_len) == 0)
            best = z;
    }
    return best;
}

static bool peer_allowed(const struct dx_zone_conf *z, const struct sockaddr *peer)
{
    if (!z->has_allow_query)
        return true;
    struct dx_key k;
    return dx_peer_key(peer, &k) && dx_acl_match(&z->allow_query, &k);
}

/* --- the key ------------------------------------------------------------------- */

static bool is_v4(const struct dx_key *k, uint32_t a)
{
    return k->family == DX_FAM_V4 && dx_be32(k->addr) == a;
}

static bool is_name(const struct dx_key *k, const char *s)
{
    return k->family == DX_FAM_DOMAIN && strcmp((const char *)k->addr, s) == 0;
}

/* --- empty non-terminals ------------------------------------------------------ */

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
static int prefix_exists(const struct dx_qctx *q, const struct dx_zone_conf *z,
                         const struct dx_key *p)
{
    static const uint8_t tp4[4] = { 127, 0, 0, 2 };
    static const uint8_t tp6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2 };
    if (prefix_eq(p->addr, p->family == DX_FAM_V4 ? tp4 : tp6, p->plen))
        return 1;
    return dx_lookup_below(q->txn, z->name, p, q->now);
}

/* Is the name below the apex, with nothing listed at it, an empty
 * non-terminal (resolve.h)? n = its labels below the apex; k = its domain
 * key, or NULL. 1, 0, or a store error. */
static int name_exists(const struct dx_qctx *q, const struct dx_zone_conf *z,
                       const struct dx_question *qn, unsigned n, const struct dx_key *k)
{
    if (z->kind == DX_ZONE_DOMAIN)
        return k ? dx_lookup_below(q->txn, z->name, k, q->now) : 0;
    struct dx_key p[2];
    unsigned np = dx_key_prefixes_from_labels(qn->name, qn->lab_off, n, p);
    for (unsigned i = 0; i < np; i++) {
        int rc = prefix_exists(q, z, &p[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- listed -------------------------------------------------------------------- */

/* The configured list of a hit's list name: a merge join with the zone's
 * lists in name order (hits come in list-name order, strcmp), *j the
 * position reached; a name that does not match falls back to dx_conf_list
 * (a list name stored in another case). NULL: no longer configured. */
static const struct dx_list_conf *hit_list(const struct dx_zone_conf *z, const char *list,
                                           size_t *j)
{
    for (; *j < z->n_lists; (*j)++) {
        int c = strcmp(z->lists_by_name[*j]->name, list);
        if (c == 0)
            return z->lists_by_name[*j];
        if (c > 0)
            break;
    }
    return dx_conf_list(z, list);
}

/* Look k up and attach the list config to every hit: r->n hits, or a store
 * error. Reasons are fetched when the question's type writes TXT. */
static int listed(const struct dx_qctx *q, const struct dx_zone_conf *z, uint16_t qtype,
                  const struct dx_key *k, struct dx_resolved *r)
{
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(q->txn, z->name, k, q->now, hits, DX_HITS_MAX);
    if (nh < 0)
        return nh;
    bool want_txt = qtype == DX_T_TXT || qtype == DX_T_ANY;
    size_t n = 0, j = 0;
    for (int i = 0; i < nh && i < DX_HITS_MAX; i++) {
        const struct dx_hit *h = &hits[i];
        const struct dx_list_conf *lc = h->list ? hit_list(z, h->list, &j) : NULL;
        if (!lc)
            continue;                   /* list no longer configured */
        struct dx_rhit *rh = &r->hit[n++];
        rh->code = h->code ? h->code : lc->code;
        if (h->txt)                     /* an own TXT of "" means "no TXT" */
            rh->tmpl = h->txt[0] ? h->txt : NULL;
        else
            rh->tmpl = lc->txt ? lc->txt : z->txt;
        rh->list = lc->name;
        rh->expires = h->expires_at;
        rh->reason = NULL;
        if (q->obs) {                   /* for the metrics and heat only */
            rh->li = (uint16_t)(lc - z->lists);
            rh->key = h->key;
            rh->key_len = h->key_len;
            rh->plen = h->plen;
            rh->family = h->family;
        }
        if (want_txt && rh->tmpl && dx_txt_uses_reason(rh->tmpl)) {
            int rc = dx_hit_reason(q->txn, z->name, h, &rh->reason);
            if (rc)
                return rc;
        }
    }
    /* RFC 5782 5: 127.0.0.2 (::ffff:7f00:2) and TEST are always listed */
    if (n == 0 && (is_v4(k, 0x7f000002u) || is_name(k, "test"))) {
        struct dx_rhit *rh = &r->hit[n++];
        if (z->n_lists > 0) {
            rh->code = z->lists[0].code;
            rh->tmpl = z->lists[0].txt ? z->lists[0].txt : z->txt;
            rh->list = z->lists[0].name;
        } else {
            rh->code = 0x7f000002u;
            rh->tmpl = z->txt;
            rh->list = "";
        }
        rh->reason = NULL;
        rh->expires = 0;
        rh->li = DX_LI_NONE;
        rh->key = NULL;
    }
    r->n = n;
    return 0;
}

/* The subject's text for `$`. */
static void make_subject(const struct dx_key *k, struct dx_resolved *r)
{
    if (k->family == DX_FAM_DOMAIN)
        memcpy(r->subj, k->addr, (size_t)k->len + 1);
    else if (!inet_ntop(k->family == DX_FAM_V4 ? AF_INET : AF_INET6, k->addr, r->subj,
                        sizeof(r->subj)))
        r->subj[0] = 0;
    r->subject = r->subj;
}

/* Below the apex, n labels below it: LISTED, NODATA or NXDOMAIN, or a
 * store error. */
static int below(const struct dx_qctx *q, const struct dx_zone_conf *z,
                 const struct dx_question *qn, unsigned n, struct dx_resolved *r)
{
    struct dx_key k;
    bool ok = dx_key_from_labels(qn->name, qn->lab_off, n, z->kind == DX_ZONE_DOMAIN, &k);
    /* RFC 5782 5: 127.0.0.1 (and ::ffff:7f00:1, which became it) and
     * INVALID are never listed, whatever the store says */
    if (ok && !is_v4(&k, 0x7f000001u) && !is_name(&k, "invalid")) {
        int rc = listed(q, z, qn->qtype, &k, r);
        if (rc)
            return rc;
        if (r->n > 0) {
            uint16_t qt = qn->qtype;
            bool any_txt = false;
            for (size_t i = 0; i < r->n; i++)
                any_txt |= r->hit[i].tmpl != NULL;
            if (qt == DX_T_A || qt == DX_T_ANY || (qt == DX_T_TXT && any_txt)) {
                r->out = DX_OUT_LISTED;
                if (qt != DX_T_A)
                    make_subject(&k, r);
            } else {
                r->out = DX_OUT_NODATA;
            }
            return 0;
        }
    }
    /* not listed: NXDOMAIN, unless an empty non-terminal */
    int ex = name_exists(q, z, qn, n, ok && z->kind == DX_ZONE_DOMAIN ? &k : NULL);
    if (ex < 0)
        return ex;
    r->out = ex ? DX_OUT_NODATA : DX_OUT_NXDOMAIN;
    return 0;
}

void dx_resolve(const struct dx_qctx *q, const struct dx_question *qn,
                const struct sockaddr *peer, struct dx_resolved *r)
{
    r->n = 0;
    r->subject = NULL;
    r->serial = 1;
    r->now = q->now;
    r->policy = false;
    r->ede = DX_EDE_NONE;
    r->ede_text = NULL;
    r->zone = find_zone(q->conf, qn);
    const struct dx_zone_conf *z = r->zone;
    if (!z) {
        r->out = DX_OUT_REFUSED;
        r->ede = DX_EDE_NOT_AUTHORITATIVE;
        return;
    }
    if (!peer_allowed(z, peer) || qn->qtype == DX_T_AXFR || qn->qtype == DX_T_IXFR) {
        r->out = DX_OUT_REFUSED;
        r->ede = DX_EDE_PROHIBITED;
        return;
    }
    if (!q->txn) {                      /* the caller could not open a snapshot */
        r->out = DX_OUT_SERVFAIL;
        return;
    }
    unsigned apex = z->labels;          /* one more below a query key (policy.h) */
    if (z->has_policy && dx_policy_apply(q, z, qn, peer, &apex, r)) {
        if (r->out == DX_OUT_REFUSED)
            return;
    } else if (qn->labels == z->labels) {
        uint16_t qt = qn->qtype;
        if (qt == DX_T_SOA || qt == DX_T_ANY || (qt == DX_T_NS && z->n_ns > 0))
            r->out = DX_OUT_APEX;
        else
            r->out = DX_OUT_NODATA;     /* NS asked, none configured, too */
    } else if (below(q, z, qn, qn->labels - apex, r) != 0) {
        r->out = DX_OUT_SERVFAIL;
        r->n = 0;
        return;
    }
    bool soa = r->out == DX_OUT_NODATA || r->out == DX_OUT_NXDOMAIN ||
               (r->out == DX_OUT_APEX && qn->qtype != DX_T_NS);
    if (soa) {
        int rc = dx_zone_serial(q->txn, z->name, &r->serial);
        if (rc == DX_ENOTFOUND) {
            r->serial = 1;
        } else if (rc) {
            r->out = DX_OUT_SERVFAIL;
            r->n = 0;
        }
    }
}
