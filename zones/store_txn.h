/* Internals of the store shared by its files (zones/store*.c): the store
 * and txn structs and the calls between the files. Not a public contract.
 *
 * Key and value layouts: zones/schema.h.
 *
 * Bulk writes (a sorted import of a million entries in one txn): a write
 * txn keeps one cursor per database it writes (entries, history), so puts
 * in key order stay on the leaf page of the previous put instead of
 * descending the tree again, and it appends (MDB_APPEND: full pages, no
 * search) while a key is greater than every key of the database. History
 * records (keyed by key text, so not in the order of the entries) are
 * buffered in the txn and written sorted when the txn reads history or
 * commits.
 */
#ifndef DX_STORE_TXN_H
#define DX_STORE_TXN_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zones/bytes.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/schema.h"
#include "zones/schema_index.h"
#include "zones/store.h"

/* A read txn's last record of one zone in a database keyed z \0 (zones,
 * zoneids), which a snapshot cannot change: zl = 0: none (cleared when the
 * txn leaves its snapshot). */
struct dx__zcache {
    size_t zl;
    char zone[DX_ZONE_MAX];
    uint32_t val;
    int rc;                          /* 0 (val) or DX_ENOTFOUND */
};

/* A write txn's touched ranges of a zone/family are recomputed region by
 * region while there are at most DX__TOUCH_FULL of them, or at most 1/16 of
 * the entries of the database (each region costs a few dozen page-local
 * lookups, a rebuild reads every entry); beyond that, or beyond
 * DX__TOUCH_MAX, the zone/family's index is rebuilt in one sweep. */
#define DX__TOUCH_FULL 1024
#define DX__TOUCH_MAX 131072

struct dx_store {
    MDB_env *env;
    MDB_dbi meta, zones, entries, index, dindex, expiry, holds, history, reports;
    MDB_dbi requests;                /* removal requests (zones/store_requests.c) */
    MDB_dbi changes, counts, runs;   /* last change per zone, entries per list, loader
                                        runs (zones/store_counts.c, store_runs.c) */
    MDB_dbi journal;                 /* IXFR journal (zones/store_journal.c) */
    MDB_dbi zoneids;                 /* the zones' ids in index keys (store_ipindex.c) */
    dx_commit_hook hook;             /* dx_store_set_commit_hook */
    void (*hook_free)(void *arg);
    void *hook_arg;
    char *dir;
    unsigned opened;                 /* DX_STORE_CREATED | DX_STORE_UPGRADED */
    int stale_readers;               /* reader slots of dead processes cleared at open */
    _Atomic int active;              /* txns of this process holding a snapshot */
    uint64_t hist_limit;             /* history pages beyond this: prune the oldest; 0 = none */
};

struct dx__range {
    dx_u128 lo, hi;
};

/* Address ranges of one zone/family touched by a write txn. */
struct dx__touch {
    char *zone;
    uint8_t fam;
    bool full;                       /* too many ranges: rebuild the whole index */
    struct dx__range *r;
    size_t n, cap;
};

struct dx_txn {
    struct dx_store *st;
    MDB_txn *txn;
    MDB_cursor *icur;                /* index cursor for dx_lookup (lazily opened) */
    MDB_cursor *dcur;                /* dindex cursor for dx_lookup_below (lazily opened) */
    MDB_cursor *ecur;                /* write txn: entries cursor (lazily opened) */
    MDB_cursor *hcur;                /* write txn: history cursor (lazily opened) */
    uint8_t elast[DX_SK_MAX + 1];  /* >= the last key of entries, if elast_n > 0 */
    size_t elast_n;                  /* 0 = unknown; SIZE_MAX = entries was empty */
    struct dx_bytes vbuf;            /* growable: scratch for encoding values */
    struct dx_bytes hpend;           /* growable: history records not yet written:
                                        u16 klen, u32 value offset in hval, key (no seq) */
    struct dx_bytes hval;            /* growable: their values: u16 vlen, value; a value
                                        equal to the previous one is stored once */
    size_t nhpend, hval_last;        /* hval_last: offset of the last value */
    bool write;
    bool hist_added;                 /* write txn: dx_history_add was called */
    bool active;                     /* holds a snapshot: false between reset and renew */
    /* read txn: the last zone's serial (dx_zone_serial: the negative answers
       of a batch read the zones database once) and index id (dx__zone_id)
       read in this snapshot (dx__zone_get) */
    struct dx__zcache serial_c, id_c;
    uint64_t now;                    /* write txn: the caller's clock (serials) */
    int err;                         /* sticky error of a write txn */
    struct dx__touch *touch;
    size_t ntouch, captouch;
    struct dx_bytes dtouch;          /* growable: the domain names this write txn
                                        touched: zone \0 name \0 each (the journal's) */
    size_t ndtouch;
    bool dtouch_full;                /* more than DX__TOUCH_MAX of them: not kept */
    char **zones;                    /* zones changed by this write txn */
    size_t nzones, capzones;
    struct dx__cdelta *cdelta;       /* entries added (+) and removed (-) per zone/list,
                                        written to counts at commit (store_counts.c) */
    size_t ncdelta, capcdelta, clast; /* clast: the delta used last (a put in order
                                        stays on one zone/list) */
};

struct dx__cdelta {
    char *prefix;                    /* the counts key z \0 l \0 (malloc'd) */
    size_t n;
    int64_t delta;
};

/* LMDB return code -> dx error space (positive errno -> -errno). */
static inline int dx__mdb(int rc)
{
    return rc > 0 ? -rc : rc;
}

/* Record a failure on a write txn (sticky); returns rc. 0 and DX_ENOTFOUND
 * are results, not failures. */
static inline int dx__fail(struct dx_txn *t, int rc)
{
    if (rc != 0 && rc != DX_ENOTFOUND && t && t->write && t->err == 0)
        t->err = rc;
    return rc;
}

/* Key order of LMDB's default comparator: bytes, then length. */
static inline int dx__key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Remember that zone changed (its serial is bumped at commit): 0 or
 * DX_ENOMEM (store_txn.c). */
int dx__zone_changed(struct dx_txn *t, const char *zone);

/* Remember that t changed the domain key k of zone (its name, wildcard or
 * not): 0 or DX_ENOMEM (store_txn.c; the IXFR journal reads them). */
int dx__dom_touch(struct dx_txn *t, const char *zone, const struct dx_key *k);

/* Entry counts (store_counts.c): note that the txn added (+1) or removed
 * (-1) an entry of the zone/list whose counts key (z \0 l \0) is the first
 * pn bytes of the entries key ek; write the deltas at commit; fill the
 * counts database from the entries (a store that had none). Errors are
 * DX_ENOMEM or LMDB's. dx__counts_free releases the deltas (txn_free). */
int dx__count_delta(struct dx_txn *t, const uint8_t *ek, size_t kn, int64_t delta);
int dx__counts_commit(struct dx_txn *t);
int dx__counts_fill(MDB_txn *txn, MDB_dbi entries, MDB_dbi counts);
void dx__counts_free(struct dx_txn *t);

/* Delete every record of dbi that older() says is older than `before`
 * (one pass over the whole database); *removed = how many (may be NULL).
 * Errors are sticky on w (store_txn.c). */
int dx__prune(struct dx_txn *w, MDB_dbi dbi,
              bool (*older)(const MDB_val *key, const MDB_val *v, uint64_t before),
              uint64_t before, size_t *removed);

/* Write the history records buffered in w, sorted by key; then, with
 * a history limit, remove the oldest records beyond it (store_hist.c;
 * dx_txn_commit calls both). */
int dx__hist_flush(struct dx_txn *w);
int dx__hist_bound(struct dx_txn *w);

/* The domain index (store_dindex.c): rewrite the record of domain key k
 * in zone with list's element replaced by e (NULL: removed); dx_lookup and
 * dx_lookup_below for a name (zl = strlen(zone)). */
int dx__dindex_update(struct dx_txn *t, const char *zone, const char *list,
                      const struct dx_key *k, const struct dx_entry *e);
int dx__dindex_lookup(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                      uint64_t now, struct dx_hit *hits, size_t max);
int dx__dindex_below(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                     uint64_t now);

/* The ip index: record the range of ip key k in zone as touched by t, and
 * recompute the index for every range t touched, at commit, giving the
 * zone its id if it has none (store_ipindex.c); dx_lookup of an address
 * (len bytes of family fam) and dx_lookup_below of an ip prefix
 * (store_iplookup.c). */
int dx__ip_touch(struct dx_txn *t, const char *zone, const struct dx_key *k);
int dx__ip_commit(struct dx_txn *t);
/* The index of every zone rebuilt from the entries, into an empty index
 * and zoneids (a store of schema 1, at open: store_env.c). */
int dx__ip_rebuild(struct dx_store *st, MDB_txn *txn);
/* The id of zone (zl = strlen) in index keys (zoneids): 0, DX_ENOTFOUND
 * (none yet: the zone has no index record) or an error (store_iplookup.c). */
int dx__zone_id(struct dx_txn *t, const char *zone, size_t zl, uint16_t *id);
/* The record of zone (zl = strlen) in dbi decoded by get: 0 with *out,
 * DX_ENOTFOUND or an error; a read txn reads it once per snapshot (c; a
 * write txn always reads) (store_txn.c). */
int dx__zone_get(struct dx_txn *t, MDB_dbi dbi, struct dx__zcache *c, const char *zone,
                 size_t zl, int (*get)(const void *, size_t, uint32_t *), uint32_t *out);
int dx__ip_lookup(struct dx_txn *t, const char *zone, size_t zl, const uint8_t *addr,
                  size_t len, uint8_t fam, uint64_t now, struct dx_hit *hits, size_t max);
int dx__ip_below(struct dx_txn *t, const char *zone, size_t zl, const struct dx_key *q,
                 uint64_t now);

#endif
