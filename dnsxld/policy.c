/* The usage policy of a zone (policy.h). */
#include "dnsxld/policy.h"
#include "dnsxld/counter.h"
#include "dnsxld/ede.h"
#include "dnsxld/log.h"
#include "zones/err.h"
#include "zones/qkeys.h"
#include "zones/window.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

bool dx_peer_key(const struct sockaddr *peer, struct dx_key *k)
{
    if (!peer)
        return false;
    if (peer->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)peer;
        dx_key_from_addr(k, (const uint8_t *)&s->sin_addr, 4);
    } else if (peer->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)peer;
        dx_key_from_addr(k, s->sin6_addr.s6_addr, 16);
    } else {
        return false;
    }
    return true;
}

/* --- answers ------------------------------------------------------------- */

/* A policy answer: A code, TXT tmpl with `$` = the client, NODATA for the
 * other types; EDE 18 with why. */
static bool answer(const struct dx_question *qn, const struct dx_key *client, uint32_t code,
                   const char *tmpl, const char *why, struct dx_resolved *r)
{
    uint16_t qt = qn->qtype;
    r->ede = DX_EDE_PROHIBITED;
    r->ede_text = why;
    if (qt != DX_T_A && qt != DX_T_TXT && qt != DX_T_ANY) {
        r->out = DX_OUT_NODATA;
        return true;
    }
    r->out = DX_OUT_LISTED;
    r->policy = true;
    r->n = 1;
    struct dx_rhit *h = &r->hit[0];
    h->code = code;
    h->tmpl = tmpl;
    h->list = "";
    h->reason = NULL;
    h->expires = 0;
    if (qt != DX_T_A) {
        r->subj[0] = 0;
        if (client && !inet_ntop(client->family == DX_FAM_V4 ? AF_INET : AF_INET6, client->addr,
                                 r->subj, sizeof(r->subj)))
            r->subj[0] = 0;
        r->subject = r->subj;
    }
    return true;
}

static bool refuse(const char *why, struct dx_resolved *r)
{
    r->out = DX_OUT_REFUSED;
    r->ede = DX_EDE_PROHIBITED;
    r->ede_text = why;
    return true;
}

/* --- the query path ---------------------------------------------------------- */

static const char WHY_BLOCKED[] = "blocked by the usage policy of the zone";
static const char WHY_LIMIT[] = "query limit exceeded";
static const char WHY_QUOTA[] = "query key quota exceeded";
static const char WHY_KEY[] = "unknown or disabled query key";

/* The label right under the apex, when it could be a key: 1 with r
 * decided or *apex moved past a good key, 0 when it is no key. */
static int keyed(const struct dx_qctx *q, const struct dx_zone_conf *z,
                 const struct dx_question *qn, unsigned n, const struct dx_key *client,
                 unsigned *apex, struct dx_resolved *r, bool *decided)
{
    size_t off = qn->lab_off[n - 1];
    const uint8_t *lab = qn->name + off + 1;
    size_t len = qn->name[off];
    bool digit;
    if (!dx_qkey_syntax(lab, len, &digit))
        return 0;
    const struct dx_qkey *k = dx_qkeys_find(z->qkeys, lab, len);
    if (k && !k->disabled) {
        *apex = z->labels + 1;
        if (n == 1) {                   /* <KEY>.<zone>: names exist below it */
            r->out = DX_OUT_NODATA;
            *decided = true;
            return 1;
        }
        atomic_fetch_add_explicit(&k->st->queries, 1, memory_order_relaxed);
        if (k->quota && dx_win_add(&k->st->win, q->now, k->period) > k->quota) {
            atomic_fetch_add_explicit(&k->st->over, 1, memory_order_relaxed);
            *decided = answer(qn, client, z->limit_code, z->limit_txt, WHY_QUOTA, r);
        }
        return 1;
    }
    /* in a domain zone a label without a digit may be a top-level domain */
    if (!k && z->kind == DX_ZONE_DOMAIN && !digit)
        return 0;
    if (k)
        atomic_fetch_add_explicit(&k->st->refused, 1, memory_order_relaxed);
    else if (q->pst)
        dx_count(&q->pst->key_unknown);
    if (z->unknown_key == DX_UNKNOWN_KEY_BLOCKED)
        *decided = answer(qn, client, z->blocked_code, z->blocked_txt, WHY_KEY, r);
    else
        *decided = refuse(WHY_KEY, r);
    return 1;
}

bool dx_policy_apply(const struct dx_qctx *q, const struct dx_zone_conf *z,
                     const struct dx_question *qn, const struct sockaddr *peer, unsigned *apex,
                     struct dx_resolved *r)
{
    unsigned n = qn->labels - z->labels;
    if (n == 0)
        return false;                   /* the apex: as always */
    struct dx_key client;
    bool have = dx_peer_key(peer, &client);
    if (z->query_keys) {
        bool decided = false;
        if (keyed(q, z, qn, n, have ? &client : NULL, apex, r, &decided))
            return decided;
    }
    if (!have)
        return false;
    if (z->blocked_clients.n > 0 && dx_acl_match(&z->blocked_clients, &client)) {
        if (q->pst)
            dx_count(&q->pst->blocked);
        return answer(qn, &client, z->blocked_code, z->blocked_txt, WHY_BLOCKED, r);
    }
    if (z->query_limit > 0 && z->limit_sketch) {
        uint8_t kb[1 + 8];              /* the family, then the address (IPv6: its /64) */
        size_t kl = client.family == DX_FAM_V4 ? 4 : 8;
        kb[0] = client.family;
        memcpy(kb + 1, client.addr, kl);
        if (dx_sketch_add(z->limit_sketch, kb, 1 + kl, q->now) > z->query_limit) {
            if (q->pst)
                dx_count(&q->pst->limited);
            return answer(qn, &client, z->limit_code, z->limit_txt, WHY_LIMIT, r);
        }
    }
    return false;
}

/* --- set-up and report (main thread) --------------------------------------- */

/* In a domain zone a key without a digit could spell a top-level domain,
 * and would then take every name under it for the key's (keyed()). */
static void warn_tld_keys(const struct dx_zone_conf *z)
{
    for (size_t i = 0; z->kind == DX_ZONE_DOMAIN && i < z->qkeys->n; i++) {
        const struct dx_qkey *k = &z->qkeys->keys[i];
        bool digit = false;
        dx_qkey_syntax((const uint8_t *)k->key, k->key_len, &digit);
        if (!digit)
            dx_log_warn("zone %s: query key of name '%s' (%s:%d) has no digit: should it spell "
                        "a top-level domain, every name under that domain is taken for the "
                        "key's (give the keys of a domain zone a digit)", z->name, k->name,
                        z->query_keys, k->line);
    }
}

int dx_policy_attach(struct dx_conf *c, const struct dx_conf *old, char *err, size_t errlen)
{
    /* everything that can fail first: old is changed only once all is read */
    for (size_t i = 0; i < c->n_zones; i++) {
        struct dx_zone_conf *z = &c->zones[i];
        const struct dx_zone_conf *oz = old ? dx_conf_zone(old, z->name) : NULL;
        if (z->query_keys && !z->qkeys) {
            int rc = dx_qkeys_load(z->query_keys, &z->qkeys, err, errlen);
            if (rc)
                return rc;
            warn_tld_keys(z);
        }
        if (z->query_limit > 0 && !z->limit_sketch) {
            if (oz && oz->limit_sketch && dx_sketch_period(oz->limit_sketch) == z->query_period)
                z->limit_sketch = dx_sketch_ref(oz->limit_sketch);
            else
                z->limit_sketch = dx_sketch_new(z->query_period, NULL);
            if (!z->limit_sketch) {
                snprintf(err, errlen, "zone %s: query-limit: out of memory", z->name);
                return DX_ENOMEM;
            }
        }
    }
    for (size_t i = 0; i < c->n_zones; i++) {
        struct dx_zone_conf *z = &c->zones[i];
        const struct dx_zone_conf *oz = old ? dx_conf_zone(old, z->name) : NULL;
        if (z->qkeys && oz && oz->qkeys)
            dx_qkeys_share(z->qkeys, oz->qkeys);
    }
    return 0;
}

void dx_policy_report(const struct dx_conf *c, const struct dx_policy_stats *sum)
{
    bool any = false;
    for (size_t i = 0; i < c->n_zones; i++)
        any |= c->zones[i].has_policy;
    if (!any)
        return;
    dx_log_info("usage policy: %llu answers blocked-code to blocked clients, %llu limit-code "
                "over query-limit, %llu unknown query keys",
                (unsigned long long)sum->blocked, (unsigned long long)sum->limited,
                (unsigned long long)sum->key_unknown);
    for (size_t i = 0; i < c->n_zones; i++) {
        const struct dx_qkeys *t = c->zones[i].qkeys;
        for (size_t j = 0; t && j < t->n; j++) {
            const struct dx_qkey_state *st = t->keys[j].st;
            uint64_t nq = atomic_load(&st->queries), no = atomic_load(&st->over),
                     nd = atomic_load(&st->refused);
            if (nq + nd == 0)
                continue;
            dx_log_info("query key %s (%s): %llu queries, %llu over quota, %llu while disabled",
                        t->keys[j].name, c->zones[i].name, (unsigned long long)nq,
                        (unsigned long long)no, (unsigned long long)nd);
        }
    }
}
