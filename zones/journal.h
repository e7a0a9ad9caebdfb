/* The IXFR journal (RFC 1995): per zone and serial change, the resource
 * records (zones/zonerr.h) the change removed and added, written in the
 * write txn of the change itself, so every writer's change is in it (add,
 * delist, imports, expiry sweeps, traps: whatever commits a serial).
 *
 * The records of a serial are the zone as records at the clock
 * DX_XFR_CLOCK: the store's entries as they are, expiry left to the sweep
 * that removes them (dnsxl-loader expire, a change of its own), the TTL
 * the zone's. So one serial is always one zone, whenever it is walked,
 * which a difference needs; dnsxld's transfers (AXFR and IXFR) walk at the
 * same clock. A change's difference is computed from the address ranges
 * the txn touched: for each, the records at and below the name-tree node
 * holding it and on the way to it (dx_zrr_walk_under), in the state before
 * (a read txn opened at the commit, which still sees it) and after (the
 * write txn), sorted and compared. The cost follows the change, not the
 * zone; a change whose records (either side) pass the journal's bound,
 * or that touched more than 131,072 ranges of a family (the store stops
 * counting them, zones/store_txn.h), drops the zone's journal instead
 * (secondaries then take the whole zone).
 *
 * Bounds (dnsxl.conf(5) ixfr-journal, ixfr-journal-age): a zone's journal
 * keeps at most that many bytes, its oldest changes dropped first, and no
 * change older than the age.
 *
 * Domain zones: the same over the names the txn touched (the records at
 * and below each name and the own records of the names above it,
 * dx_zrr_walk_name); a change of a name with "excluded" in it drops the
 * journal (the CNAME target excluded.ZONE may move with it).
 *
 * Layout: zones/schema.h "journal". */
#ifndef DX_JOURNAL_H
#define DX_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"
#include "zones/conf.h"
#include "zones/store.h"
#include "zones/zonerr.h"

/* Journal the changes of conf's zones in st's write txns from now on (a
 * commit hook: dx_store_set_commit_hook). 0 or DX_ENOMEM. */
int dx_journal_attach(struct dx_store *st, const struct dx_conf *conf);

/* The difference of z between serials: the records to remove and to add,
 * each a sequence of journal records (schema.h dx_sv_jrr_*). */
struct dx_jdiff {
    struct dx_bytes del, add;        /* growable */
    size_t ndel, nadd;
};

void dx_jdiff_init(struct dx_jdiff *d);
void dx_jdiff_free(struct dx_jdiff *d);

/* Hand each record of b (del or add of a dx_jdiff) to cb. 0, cb's
 * non-zero return, or DX_EINVAL for a corrupt record. */
int dx_jdiff_foreach(const struct dx_bytes *b, dx_rr_cb cb, void *arg);

/* The condensed difference of zone from serial `from` to `to` (the zone's
 * serial now), the changes of the journal between them made into one
 * (RFC 1995 4): 1 and *d (initialised by the caller) when the journal holds
 * every change from `from` to `to`, 0 when it does not (take the whole
 * zone), or an error. */
int dx_journal_diff(struct dx_txn *t, const char *zone, uint32_t from, uint32_t to,
                    struct dx_jdiff *d);

/* The difference a change makes (what the commit hook journals; tests
 * call it): the records of z in `before` at before_at and in `after` at
 * after_at, over the address ranges or names `after` touched (a write
 * txn; a read txn: the whole zone), into *d. At most max bytes of records either
 * side: DX_ERANGE beyond. 0 or an error. */
int dx_journal_change(struct dx_txn *before, uint64_t before_at, struct dx_txn *after,
                      uint64_t after_at, const struct dx_zrr_zone *z, uint64_t max,
                      struct dx_jdiff *d);

/* --- the database (zones/store_journal.c) ---------------------------------------- */

/* Visit the zone's journal values oldest first (cb's non-zero return
 * stops and is returned). */
int dx_journal_foreach(struct dx_txn *t, const char *zone,
                       int (*cb)(void *arg, const uint8_t *v, size_t n), void *arg);

/* Append one value (schema.h: head and records) to the zone's journal,
 * then drop its oldest values while it holds more than max_bytes or the
 * oldest is from before `before` (unix seconds). */
int dx_journal_append(struct dx_txn *w, const char *zone, const void *val, size_t n,
                      uint64_t max_bytes, uint64_t before);

/* Remove the zone's journal. */
int dx_journal_drop(struct dx_txn *w, const char *zone);

/* The address ranges of zone that write txn w touched: cb per range
 * (full: the family's whole space); cb's non-zero return stops. */
int dx_txn_touched(struct dx_txn *w, const char *zone,
                   int (*cb)(void *arg, uint8_t fam, bool full, dx_u128 lo, dx_u128 hi),
                   void *arg);

/* The domain names of zone that write txn w touched (wildcard entries by
 * their name): cb per name, or once with full (too many to keep). */
int dx_txn_touched_names(struct dx_txn *w, const char *zone,
                         int (*cb)(void *arg, bool full, const char *name, size_t len),
                         void *arg);

#endif
