/* Removal on request (zones/removal.h). */
#include "zones/removal.h"

#include <string.h>

#include "zones/dur.h"
#include "zones/err.h"

int dx_deciding_entry(struct dx_txn *t, uint64_t now, const char *zone, const char *list,
                      const struct dx_key *k, struct dx_key *ek, struct dx_entry *e)
{
    struct dx_key cand = *k;
    do {
        int rc = dx_entry_get(t, zone, list, &cand, e);
        if (rc == 0 && (e->expires_at == 0 || e->expires_at > now)) {
            *ek = cand;
            return 0;
        }
        if (rc && rc != DX_ENOTFOUND)
            return rc;
    } while (dx_key_up(&cand));
    return DX_ENOTFOUND;
}

static bool same_key(const struct dx_key *a, const struct dx_key *b)
{
    return a->family == b->family && a->plen == b->plen && a->len == b->len &&
           memcmp(a->addr, b->addr, a->len) == 0;
}

struct count_ctx {
    const struct dx_list_conf *l;
    uint64_t since;
    uint32_t n;
};

static int count_cb(void *arg, const struct dx_hist *h)
{
    struct count_ctx *c = arg;
    if (h->action == DX_HIST_DELIST && h->at >= c->since && h->source && h->zone && h->list &&
        strcmp(h->source, DX_SOURCE_SELF) == 0 && strcmp(h->zone, c->l->zone->name) == 0 &&
        strcmp(h->list, c->l->name) == 0 && c->n < UINT32_MAX)
        c->n++;
    return 0;
}

int dx_removal_count(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                     uint64_t since, uint32_t *n)
{
    struct count_ctx c = { .l = l, .since = since };
    int rc = dx_history_foreach(t, k, count_cb, &c);
    *n = c.n;
    return rc;
}

int dx_removal_verdict(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                       uint64_t now, int *verdict, struct dx_key *by, uint32_t *used)
{
    *verdict = DX_RM_NOT_LISTED;
    if (used)
        *used = 0;
    struct dx_key ek;
    struct dx_entry e;
    int rc = dx_deciding_entry(t, now, l->zone->name, l->name, k, &ek, &e);
    if (rc == DX_ENOTFOUND || (rc == 0 && (e.flags & DX_ENTRY_EXCLUDE)))
        return 0;
    if (rc)
        return rc;
    if (by)
        *by = ek;
    if (l->removal == DX_REMOVAL_NONE) {
        *verdict = DX_RM_NOT_OFFERED;
        return 0;
    }
    if (l->removal == DX_REMOVAL_REVIEW) {
        *verdict = DX_RM_REVIEW;
        return 0;
    }
    if (!same_key(&ek, k)) {
        *verdict = DX_RM_REVIEW_WIDER;
        return 0;
    }
    uint32_t n = 0;
    uint64_t since = now > l->removal_period ? now - l->removal_period : 0;
    if ((rc = dx_removal_count(t, l, k, since, &n)))
        return rc;
    if (used)
        *used = n;
    *verdict = n < l->removal_limit ? DX_RM_SELF : DX_RM_REVIEW_LIMIT;
    return 0;
}

int dx_removal_apply(struct dx_txn *w, const struct dx_list_conf *l, const struct dx_key *k,
                     const char *source, const char *reason, uint64_t now, bool carve,
                     int *what)
{
    const char *zone = l->zone->name;
    if (what)
        *what = 0;
    struct dx_key ek;
    struct dx_entry e;
    int rc = dx_deciding_entry(w, now, zone, l->name, k, &ek, &e);
    if (rc == DX_ENOTFOUND || (rc == 0 && (e.flags & DX_ENTRY_EXCLUDE)))
        return 0;
    if (rc)
        return rc;
    if (same_key(&ek, k)) {
        struct dx_hist h = { .at = now, .action = DX_HIST_DELIST, .zone = zone,
                             .list = l->name, .source = source, .reason = reason };
        uint64_t hold = l->removal_hold;
        uint64_t until = hold == DX_FOREVER || now + hold < now ? UINT64_MAX : now + hold;
        if ((rc = dx_history_add(w, k, &h)) || (rc = dx_entry_del(w, zone, l->name, k)) ||
            (rc = dx_hold_put(w, zone, l->name, k, until)))
            return rc;
        if (what)
            *what = 1;
        return 0;
    }
    if (!carve)
        return 0;
    /* listed by a range or a wildcard: an exclusion for k alone, ending
     * with the entry it is carved out of */
    struct dx_entry x = { .flags = DX_ENTRY_EXCLUDE, .first_seen = now, .last_seen = now,
                          .expires_at = e.expires_at, .hits = 1, .source = source,
                          .reason = reason };
    struct dx_hist h = { .at = now, .action = DX_HIST_DELIST, .zone = zone, .list = l->name,
                         .source = source, .reason = reason };
    if ((rc = dx_entry_put(w, zone, l->name, k, &x)) || (rc = dx_history_add(w, k, &h)))
        return rc;
    if (what)
        *what = 2;
    return 0;
}
