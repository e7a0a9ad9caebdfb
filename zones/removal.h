/* Removal on request: what a removal request does to a key in one list
 * (dnsxl.conf(5) `removal`, `removal-limit`, `removal-hold`), shared by
 * dnsxl-web (self-service removals, requests queued for review) and
 * dnsxl-admin approve.
 *
 * A removal deletes the key's own entry of the list, records a delisting
 * in its history with who acted (source "self-service", or the operator)
 * and holds the key for `removal-hold`, so the automated feeds do not list
 * it again at once (the holds of dnsxl-admin delist --hold). A key that
 * the list lists only through a wider entry (a range, a wildcard) is
 * carved out of it instead by an exclusion entry that ends with it; that
 * is an operator's decision: self-service never does it.
 */
#ifndef DX_REMOVAL_H
#define DX_REMOVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "zones/conf.h"
#include "zones/key.h"
#include "zones/store.h"

#define DX_SOURCE_SELF "self-service"   /* who acted, for a self-service removal */

/* The entry of list l that decides whether k (an address, a CIDR, a name)
 * is listed, as dnsxld decides it: k's own unexpired entry, else that of
 * each shorter prefix (an address, a CIDR) or of the wildcard of each
 * ancestor (a name: *.b.example, *.example for a.b.example). 0 with *ek
 * and *e (strings in the map; e may be an exclusion), DX_ENOTFOUND, or a
 * store error. */
int dx_deciding_entry(struct dx_txn *t, uint64_t now, const char *zone, const char *list,
                      const struct dx_key *k, struct dx_key *ek, struct dx_entry *e);

/* What a removal request for k in l does now. */
enum dx_removal_verdict {
    DX_RM_NOT_LISTED = 0,   /* l does not list k: nothing to remove */
    DX_RM_NOT_OFFERED,      /* removal = none */
    DX_RM_SELF,             /* self-service: removed at once */
    DX_RM_REVIEW,           /* removal = review: queued for an operator */
    DX_RM_REVIEW_LIMIT,     /* self-service, but removal-limit reached: review */
    DX_RM_REVIEW_WIDER,     /* self-service, but listed by a wider entry (*by): review */
};

/* The verdict for k (a single address or name) in l at now; *by (may be
 * NULL) = the entry that lists it; *used (may be NULL) = the self-service
 * removals of k in l within removal-limit's period. 0 or a store error. */
int dx_removal_verdict(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                       uint64_t now, int *verdict, struct dx_key *by, uint32_t *used);

/* The self-service removals of k in l recorded in its history since `since`. */
int dx_removal_count(struct dx_txn *t, const struct dx_list_conf *l, const struct dx_key *k,
                     uint64_t since, uint32_t *n);

/* Remove k from l in write txn w at now, acting as `source` with `reason`
 * (may be NULL) in the history: its own entry deleted and held for
 * l->removal_hold; or, with `carve` and k listed by a wider entry, an
 * exclusion for k that expires with that entry. *what (may be NULL): 1
 * deleted, 2 carved out, 0 not listed (nothing written). 0 or a store
 * error (sticky on w). */
int dx_removal_apply(struct dx_txn *w, const struct dx_list_conf *l, const struct dx_key *k,
                     const char *source, const char *reason, uint64_t now, bool carve,
                     int *what);

#endif
