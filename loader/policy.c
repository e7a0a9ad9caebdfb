/* Listing policy for traps and reports (see policy.h). */
#include "loader/policy.h"

#include "zones/dur.h"
#include "zones/err.h"
#include "zones/store.h"

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>
#include <string.h>

/* --- never list ------------------------------------------------------------ */

static int listed_in_zone(struct dx_txn *t, const struct dx_zone_conf *z, const struct dx_key *k,
                          uint64_t now, bool *listed)
{
    *listed = false;
    bool ip = k->family == DX_FAM_V4 || k->family == DX_FAM_V6;
    if (ip != (z->kind == DX_ZONE_IP))
        return 0;                       /* a name is never in an ip zone, and vice versa */
    struct dx_key q = *k;
    if (k->family == DX_FAM_DOMAIN)
        q.plen = 0;
    struct dx_hit hits[DX_HITS_MAX];
    int n = dx_lookup(t, z->name, &q, now, hits, DX_HITS_MAX);
    if (n == DX_ENOTFOUND)
        return 0;
    if (n < 0)
        return n;
    *listed = n > 0;
    return 0;
}

/* The address key k cut to its first plen bits (plen <= k->plen). */
static struct dx_key prefix(const struct dx_key *k, int plen)
{
    struct dx_key q = *k;
    q.plen = (uint8_t)plen;
    for (int b = plen; b < q.len * 8; b++)
        q.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
    return q;
}

/* Whether list l carves k out: for a name, an exclusion entry of that name;
 * for an address, the most specific unexpired entry of l that covers k (k
 * itself, then each shorter prefix) is an exclusion, as a query sees it.
 * An "--exclude 192.0.2.0/24" thus keeps automated /32 listings out of the
 * whole range, not only off the key 192.0.2.0/24 itself. */
static int excluded(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                    uint64_t now, bool *ex)
{
    *ex = false;
    struct dx_entry e;
    if (k->family == DX_FAM_DOMAIN) {
        int rc = dx_entry_get(t, l->zone->name, l->name, k, &e);
        if (rc && rc != DX_ENOTFOUND)
            return rc;
        *ex = rc == 0 && (e.flags & DX_ENTRY_EXCLUDE);
        return 0;
    }
    for (int plen = k->plen; plen >= 0; plen--) {
        struct dx_key q = prefix(k, plen);
        int rc = dx_entry_get(t, l->zone->name, l->name, &q, &e);
        if (rc == DX_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        if (e.expires_at != 0 && e.expires_at <= now)
            continue;
        *ex = (e.flags & DX_ENTRY_EXCLUDE) != 0;
        return 0;
    }
    return 0;
}

int dx_pol_never(const struct dx_conf *conf, struct dx_txn *t, const struct dx_list_conf *l,
                 const struct dx_key *k, uint64_t now, const char **why)
{
    const char *w = NULL;
    bool ip = k->family == DX_FAM_V4 || k->family == DX_FAM_V6;
    if (ip && dx_key_is_localhost(k))
        w = "127.0.0.1";
    else if (ip && dx_key_is_special(k))
        w = "private or reserved address";
    else if (ip && dx_acl_match(&conf->loader.protected_nets, k))
        w = "protected network";
    if (!w) {
        for (size_t i = 0; i < conf->loader.n_never_list_zones && !w; i++) {
            const struct dx_zone_conf *z = dx_conf_zone(conf, conf->loader.never_list_zones[i]);
            if (!z)
                continue;               /* validated by dx_conf_load; nothing to consult */
            bool listed;
            int rc = listed_in_zone(t, z, k, now, &listed);
            if (rc)
                return rc;
            if (listed)
                w = "listed in a never-list zone";
        }
    }
    if (!w) {
        bool ex;
        int rc = excluded(t, l, k, now, &ex);
        if (rc)
            return rc;
        if (ex)
            w = "excluded by the list";
    }
    if (why)
        *why = w;
    return w ? DX_EREFUSED : 0;
}

/* --- lifetimes and history ---------------------------------------------------- */

uint64_t dx_pol_lifetime(const struct dx_list_conf *l, uint32_t n)
{
    uint64_t lt = l->lifetime;
    uint64_t cap = l->max_lifetime ? l->max_lifetime : DX_FOREVER;
    if (lt == DX_FOREVER)
        return DX_FOREVER;
    uint32_t esc = l->escalation ? l->escalation : 1;
    for (uint32_t i = 0; i < n && esc > 1 && lt < cap; i++) {
        if (lt > UINT64_MAX / esc) {
            lt = cap;
            break;
        }
        lt *= esc;
    }
    if (cap != DX_FOREVER && lt > cap && l->lifetime <= cap)
        lt = cap;
    return lt;
}

struct hist_scan {
    const char *zone, *list;
    /* episodes */
    uint32_t episodes;
    /* seen */
    const char *tag;
    bool seen;
};

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int episodes_cb(void *arg, const struct dx_hist *h)
{
    struct hist_scan *s = arg;
    if ((h->action == DX_HIST_LIST || h->action == DX_HIST_RELIST) && same(h->zone, s->zone) &&
        same(h->list, s->list))
        s->episodes++;
    return 0;
}

int dx_pol_episodes(struct dx_txn *t, const struct dx_key *k, const char *zone,
                    const char *list, uint32_t *n)
{
    struct hist_scan s = { .zone = zone, .list = list };
    int rc = dx_history_foreach(t, k, episodes_cb, &s);
    if (rc == DX_ENOTFOUND)
        rc = 0;
    *n = s.episodes;
    return rc;
}

static int seen_cb(void *arg, const struct dx_hist *h)
{
    struct hist_scan *s = arg;
    if (same(h->zone, s->zone) && same(h->list, s->list) && h->reason &&
        strstr(h->reason, s->tag)) {
        s->seen = true;
        return 1;
    }
    return 0;
}

int dx_pol_seen(struct dx_txn *t, const struct dx_key *k, const char *zone, const char *list,
                const char *tag)
{
    struct hist_scan s = { .zone = zone, .list = list, .tag = tag };
    int rc = dx_history_foreach(t, k, seen_cb, &s);
    if (rc < 0 && rc != DX_ENOTFOUND)
        return rc;
    return s.seen ? 1 : 0;
}

/* --- writing ------------------------------------------------------------------ */

static int history(struct dx_txn *w, const struct dx_key *k, const struct dx_list_conf *l,
                   int action, const char *source, const char *reason, uint64_t now,
                   uint64_t expires_at)
{
    struct dx_hist h = { .at = now, .action = (uint8_t)action, .zone = l->zone->name,
                         .list = l->name, .source = source, .reason = reason,
                         .expires_at = expires_at };
    return dx_history_add(w, k, &h);
}

static uint64_t expiry(uint64_t now, uint64_t lifetime)
{
    if (lifetime == DX_FOREVER)
        return 0;
    if (lifetime > UINT64_MAX - 1 - now)
        return UINT64_MAX - 1;
    return now + lifetime;
}

/* Whether a hold that has not ended covers k in list l: a hold on k, or
 * for an address on any range holding it ("delist 192.0.2.0/24 --hold 7d"
 * keeps traps from listing 192.0.2.5 meanwhile). */
static int held_now(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                    uint64_t now, bool *held)
{
    *held = false;
    int min = k->family == DX_FAM_DOMAIN ? k->plen : 0;
    for (int plen = k->plen; plen >= min; plen--) {
        struct dx_key q = k->family == DX_FAM_DOMAIN ? *k : prefix(k, plen);
        uint64_t until = 0;
        int rc = dx_hold_get(t, l->zone->name, l->name, &q, &until);
        if (rc == DX_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        if (until > now) {
            *held = true;
            return 0;
        }
    }
    return 0;
}

/* Checks 1 and 2 of policy.h: 0 = go on, 1 = decided (*out set, history written). */
static int refuse(const struct dx_conf *conf, struct dx_txn *w, const struct dx_list_conf *l,
                  const struct dx_key *k, const char *source, const char *reason, uint64_t now,
                  enum dx_pol_outcome *out, const char **why)
{
    const char *w_why = NULL;
    int rc = dx_pol_never(conf, w, l, k, now, &w_why);
    if (rc == DX_EREFUSED) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "never list: %s%s%s", w_why, reason ? "; " : "",
                 reason ? reason : "");
        if ((rc = history(w, k, l, DX_HIST_REJECT, source, buf, now, 0)))
            return rc;
        *out = DX_POL_REJECTED;
        if (why)
            *why = w_why;
        return 1;
    }
    if (rc)
        return rc;
    bool held;
    if ((rc = held_now(w, l, k, now, &held)))
        return rc;
    if (held) {
        if ((rc = history(w, k, l, DX_HIST_HOLD, source, reason, now, 0)))
            return rc;
        *out = DX_POL_HELD;
        if (why)
            *why = "held";
        return 1;
    }
    return 0;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Checks 3 and 4 of policy.h. */
static int list_or_extend(struct dx_txn *w, const struct dx_list_conf *l, const struct dx_key *k,
                          const char *source, const char *reason, uint64_t now,
                          enum dx_pol_outcome *out)
{
    const char *zone = l->zone->name;
    struct dx_entry e;
    int rc = dx_entry_get(w, zone, l->name, k, &e);
    if (rc && rc != DX_ENOTFOUND)
        return rc;
    bool exists = rc == 0;
    if (exists && (e.expires_at == 0 || e.expires_at > now)) {
        /* listed: extend from the last hit, never shorten */
        char src[64], rsn[1024], txt[4096];
        copy(src, sizeof(src), e.source);
        copy(rsn, sizeof(rsn), e.reason);
        copy(txt, sizeof(txt), e.txt);
        struct dx_entry n = e;
        n.source = src[0] ? src : source;
        n.reason = rsn[0] ? rsn : reason;
        n.txt = e.txt ? txt : NULL;
        n.last_seen = now;
        n.hits = e.hits == UINT32_MAX ? e.hits : e.hits + 1;
        if (e.expires_at != 0) {
            uint64_t x = expiry(now, dx_pol_lifetime(l, e.relists));
            if (x == 0 || x > e.expires_at)
                n.expires_at = x;
        }
        if ((rc = dx_entry_put(w, zone, l->name, k, &n)))
            return rc;
        *out = DX_POL_EXTENDED;
        return history(w, k, l, DX_HIST_UPDATE, source, reason, now, n.expires_at);
    }
    uint32_t eps;
    if ((rc = dx_pol_episodes(w, k, zone, l->name, &eps)))
        return rc;
    if (exists && eps == 0)
        eps = 1;                        /* an expired entry is an episode, history or not */
    struct dx_entry n = {
        .first_seen = exists ? e.first_seen : now,
        .last_seen = now,
        .expires_at = expiry(now, dx_pol_lifetime(l, eps)),
        .hits = exists && e.hits < UINT32_MAX ? e.hits + 1 : 1,
        .relists = eps,
        .source = source,
        .reason = reason,
    };
    if ((rc = dx_entry_put(w, zone, l->name, k, &n)))
        return rc;
    *out = eps ? DX_POL_RELISTED : DX_POL_LISTED;
    return history(w, k, l, eps ? DX_HIST_RELIST : DX_HIST_LIST, source, reason, now,
                   n.expires_at);
}

int dx_pol_hit(const struct dx_conf *conf, struct dx_txn *w, const struct dx_list_conf *l,
               const struct dx_key *k, const char *source, const char *reason, uint64_t now,
               enum dx_pol_outcome *out, const char **why)
{
    if (why)
        *why = NULL;
    int rc = refuse(conf, w, l, k, source, reason, now, out, why);
    if (rc)
        return rc > 0 ? 0 : rc;
    return list_or_extend(w, l, k, source, reason, now, out);
}

/* --- reports ---------------------------------------------------------------------- */

/* The reporter name as stored by dx_report_add: itself, or "sha256:HEX" of it
 * when zone, list, key and name would not fit in one store key. */
static const char *reporter_key(const struct dx_list_conf *l, const struct dx_key *k,
                                const char *reporter, char *buf, size_t cap)
{
    size_t klen = k->family == DX_FAM_DOMAIN ? (size_t)k->len + 2 : 18;
    size_t need = strlen(l->zone->name) + strlen(l->name) + klen + strlen(reporter) + 8;
    if (need <= 480)
        return reporter;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)reporter, strlen(reporter));
    char hex[2 * sizeof(h) + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(buf, cap, "sha256:%s", hex);
    return buf;
}

int dx_pol_report(const struct dx_conf *conf, struct dx_txn *w, const struct dx_list_conf *l,
                  const struct dx_key *k, const char *reporter, const char *reason,
                  uint64_t now, enum dx_pol_outcome *out, const char **why)
{
    if (why)
        *why = NULL;
    if (!reporter || !reporter[0] || strlen(reporter) > DX_KEY_NAME_MAX)
        return DX_EINVAL;
    char full[1200];
    snprintf(full, sizeof(full), "report by %s%s%s", reporter, reason ? "; " : "",
             reason ? reason : "");
    int rc = refuse(conf, w, l, k, "reports", full, now, out, why);
    if (rc)
        return rc > 0 ? 0 : rc;

    /* record the reporter, then count distinct reporters within the window */
    char rbuf[80];
    const char *rk = reporter_key(l, k, reporter, rbuf, sizeof(rbuf));
    if ((rc = dx_report_add(w, l->zone->name, l->name, k, rk, now)))
        return rc;
    uint64_t since = l->window == DX_FOREVER || l->window >= now ? 0 : now - l->window;
    size_t n = 0;
    if ((rc = dx_report_count(w, l->zone->name, l->name, k, since, &n)))
        return rc;
    uint32_t need = l->threshold ? l->threshold : 1;
    if (n < need) {
        char buf[1400];
        snprintf(buf, sizeof(buf), "%s; below threshold (%zu of %u reporters)", full, n, need);
        if ((rc = history(w, k, l, DX_HIST_REJECT, "reports", buf, now, 0)))
            return rc;
        *out = DX_POL_PENDING;
        return 0;
    }
    return list_or_extend(w, l, k, "reports", full, now, out);
}
