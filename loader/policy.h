/* Listing policy for automated sources (dnsxl-loader traps and reports):
 * the one place that decides what a hit on a key does to a list.
 *
 * Decision for (list, key, now), in this order:
 *   1. never list (history "reject" with the reason): an address that cannot
 *      be a mail client (dx_key_is_special: private, loopback, link-local,
 *      CGNAT, multicast, reserved), 127.0.0.1, a key inside [loader]
 *      protected, a key that a never-list-zone lists right now, a key the
 *      list carves out with an exclusion entry (for an address: the most
 *      specific unexpired entry of the list covering it is an exclusion);
 *   2. a held key (delist --hold, hold until > now; for an address, a hold
 *      on a range holding it counts too): history "hold";
 *   3. listed and unexpired: extended (history "update"): hits + 1,
 *      last_seen = now, expires_at = now + its lifetime (never shortened);
 *   4. otherwise listed: "list" the first time, "relist" when the key's
 *      history shows n earlier listing episodes in this zone/list; the
 *      lifetime is lifetime * escalation^n, capped at max-lifetime, counted
 *      from now (the last hit).
 * Reports first pass a threshold: the reporter is recorded and the key is
 * only listed once `threshold` distinct reporters reported it within
 * `window` (history "reject" with "below threshold" otherwise).
 *
 * Every function works inside the caller's write txn (one txn per batch);
 * nothing commits here. Strings are copied before writing, so callers may
 * pass pointers into the map.
 */
#ifndef DX_LOADER_POLICY_H
#define DX_LOADER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/conf.h"
#include "zones/key.h"

struct dx_txn;

enum dx_pol_outcome {
    DX_POL_LISTED = 1,       /* newly listed (history "list") */
    DX_POL_RELISTED,         /* listed again, escalated lifetime (history "relist") */
    DX_POL_EXTENDED,         /* already listed: lifetime extended (history "update") */
    DX_POL_REJECTED,         /* never-list policy (history "reject") */
    DX_POL_HELD,             /* a hold blocks automated listing (history "hold") */
    DX_POL_PENDING,          /* report recorded, threshold not reached yet */
    DX_POL_DUPLICATE,        /* this evidence (message) was already counted */
};

/* Never-list check alone (no write). Returns 0 when k may be listed in
 * zone/list; DX_EREFUSED with *why = a static reason ("private or reserved
 * address", "127.0.0.1", "protected network", "listed in never-list zone",
 * "excluded by the list") otherwise; or a store error. why may be NULL. */
int dx_pol_never(const struct dx_conf *conf, struct dx_txn *t, const struct dx_list_conf *l,
                 const struct dx_key *k, uint64_t now, const char **why);

/* Lifetime of the (n+1)-th listing episode: lifetime * escalation^n, capped
 * at max_lifetime, DX_FOREVER stays DX_FOREVER. Never overflows. */
uint64_t dx_pol_lifetime(const struct dx_list_conf *l, uint32_t n);

/* Number of earlier listing episodes of k in zone/list ("list" and "relist"
 * records in its history), or a negative error. */
int dx_pol_episodes(struct dx_txn *t, const struct dx_key *k, const char *zone,
                    const char *list, uint32_t *n);

/* Has evidence `tag` (e.g. "message <id@host>") already been recorded for k
 * in zone/list? Looks for a history record of zone/list whose reason
 * contains tag. 1 = yes, 0 = no, or a negative error. */
int dx_pol_seen(struct dx_txn *t, const struct dx_key *k, const char *zone, const char *list,
                const char *tag);

/* Apply one hit: the decision above (without a threshold), written in w
 * (entry and one history record). source: "traps" / "reports"; reason: the
 * entry's and history's reason (may be NULL). *out = the outcome; *why (may
 * be NULL) = the never-list reason for DX_POL_REJECTED, else NULL. Returns 0
 * or a store error (sticky on w). */
int dx_pol_hit(const struct dx_conf *conf, struct dx_txn *w, const struct dx_list_conf *l,
               const struct dx_key *k, const char *source, const char *reason, uint64_t now,
               enum dx_pol_outcome *out, const char **why);

/* A report by `reporter` (a domain, 1..253 chars; else DX_EINVAL, nothing
 * written): never-list and hold checks first (so refused keys collect no
 * reports), then the reporter is recorded (dx_report_add) and the hit
 * applied only if at least l->threshold distinct reporters reported k within
 * l->window before now, this one included (dx_report_count); otherwise
 * history "reject" with "below threshold (N of M reporters)" and
 * DX_POL_PENDING. History reasons start "report by REPORTER". Returns 0 or a
 * store error. */
int dx_pol_report(const struct dx_conf *conf, struct dx_txn *w, const struct dx_list_conf *l,
                  const struct dx_key *k, const char *reporter, const char *reason,
                  uint64_t now, enum dx_pol_outcome *out, const char **why);

#endif
