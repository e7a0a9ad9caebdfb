/* The dnsxl store: one LMDB environment shared by dnsxld (reads), dnsxl-admin
 * and dnsxl-loader (writes).
 *
 * The named databases and the layout of every key and value (entries, the
 * truth; index and dindex, derived from them; expiry, holds, reports,
 * history, zones, meta) are described in zones/schema.h, which holds their
 * codecs.
 *
 * Write transactions record which address ranges of which zones they touched;
 * dx_txn_commit() recomputes the index for exactly those ranges (or rebuilds
 * a zone's index in one sorted sweep when a transaction touched many) and
 * bumps the serial of every changed zone, all inside the same transaction.
 *
 * Memory rule (as LMDB's): strings and pointers returned by reads point into
 * the memory map and are valid only until the next write in the same txn,
 * or the end/reset of the txn.
 *
 * Inside a write txn, dx_lookup sees the index as of the txn's start: the
 * index follows the entries at commit. Keys with host bits set beyond their
 * prefix are rejected (DX_EINVAL); dx_key_parse clears them. DX_ENOTFOUND is
 * an answer, not a sticky error.
 *
 * Threads: a dx_txn belongs to one thread at a time. The environment is
 * opened with MDB_NOTLS, so a worker thread may keep a read txn and
 * reset/renew it per batch.
 */
#ifndef DX_STORE_H
#define DX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/key.h"

#define DX_STORE_SCHEMA 2
/* Schema 1 had the ip index keyed by zone name (zones/schema.h): its index
 * is rebuilt at open. A build of schema 1 refuses a store of schema 2
 * (DX_ESCHEMA), so that it never reads an index it does not know. */
#define DX_STORE_SCHEMA_UPGRADE 1

struct dx_store;
struct dx_txn;

#define DX_STORE_MAP_DEFAULT (16ULL << 30)   /* map-size default: address space, not disk */

/* dx_store_open flags */
#define DX_STORE_CREATE 0x1u   /* create the directory (0700), files (0600) and schema if missing */

/* Open the environment in `dir`. Never waits for a writer: the databases
 * are opened in a read txn; a write txn is begun only when part of the
 * schema is missing (a new store, with DX_STORE_CREATE, or databases a
 * newer version added: dx_store_opened says which, so the program can say
 * so). Clears the reader slots of dead processes (mdb_reader_check).
 * map_size 0 = DX_STORE_MAP_DEFAULT. Returns 0 or:
 *   DX_ENOSTORE  no store in dir and no DX_STORE_CREATE
 *   DX_ETRUNC    data.mdb is shorter than the store records (a bad copy)
 *   DX_ESCHEMA   written by an incompatible version
 *   an LMDB code (MDB_INVALID, MDB_VERSION_MISMATCH...) or -errno.
 * dx_strerror and dx_store_hint explain each. */
int dx_store_open(const char *dir, uint64_t map_size, unsigned flags, struct dx_store **out);
void dx_store_close(struct dx_store *st);

#define DX_STORE_CREATED  0x1u  /* dx_store_open created a new, empty store */
#define DX_STORE_UPGRADED 0x2u  /* ... added databases missing from an older store, or
                                   rebuilt an ip index of an older layout */
unsigned dx_store_opened(const struct dx_store *st);

/* Reader slots of dead processes that dx_store_open cleared. */
int dx_store_stale_readers(const struct dx_store *st);

/* Clear the reader slots of dead processes now (a long-running reader calls
 * this from time to time). *cleared = how many (may be NULL). */
int dx_store_check_readers(struct dx_store *st, int *cleared);

/* Double the map (a write txn that failed with MDB_MAP_FULL can then be run
 * again). No txn of this process may hold a snapshot: DX_EINVAL otherwise. */
int dx_store_grow(struct dx_store *st);

/* Is err the store's "the map is full" (MDB_MAP_FULL)? */
bool dx_store_map_full(int err);

const char *dx_store_dir(const struct dx_store *st);   /* as given to dx_store_open */
uint64_t dx_store_map_size(const struct dx_store *st); /* the current map size, bytes */

/* --- transactions ------------------------------------------------------ */

struct dx_txn;

/* Run by dx_txn_commit inside the write txn w for every zone whose serial
 * it changes (old: the serial before, had_old false for a zone never
 * written), after the index follows the entries and before the serial is
 * written: the IXFR journal's (zones/journal.h). A non-zero return aborts
 * the commit with that error. */
typedef int (*dx_commit_hook)(void *arg, struct dx_txn *w, const char *zone, bool had_old,
                              uint32_t old, uint32_t serial);

/* Set the store's commit hook (NULL: none); dx_store_close calls
 * free_arg(arg) (may be NULL). Replaces (and frees) an earlier one. */
void dx_store_set_commit_hook(struct dx_store *st, dx_commit_hook fn, void (*free_arg)(void *),
                              void *arg);

/* The serial that follows old at the clock now (unix seconds): now when
 * it is later than old in RFC 1982 serial arithmetic, else old + 1. */
uint32_t dx_serial_next(uint32_t old, uint32_t now);

/* The txn's clock (dx_txn_write's now; a read txn: 0). */
uint64_t dx_txn_now(const struct dx_txn *t);

/* The store of a txn. */
struct dx_store *dx_txn_store(const struct dx_txn *t);

int  dx_txn_read(struct dx_store *st, struct dx_txn **out);
void dx_txn_reset(struct dx_txn *t);          /* read txn: drop the snapshot, keep the handle */
int  dx_txn_renew(struct dx_txn *t);          /* read txn: take a fresh snapshot */
/* Read txn: has a write txn committed since its snapshot was taken? A few
 * loads from the meta pages, no lock: cheap enough to ask per query. */
bool dx_txn_behind(const struct dx_txn *t);
/* Write txn; blocks while another writer runs. `now` (unix seconds) is the
 * txn's clock: the SOA serial of every zone it changes becomes now, or the
 * old serial + 1 if now is not later in RFC 1982 serial arithmetic (so a
 * serial never goes back, and after a wrap it follows the clock again). Before it begins, the map is doubled
 * when more than 3/4 of it is in use and no txn of this process holds a
 * snapshot (MDB_MAP_FULL is then rare; dx_store_hint says what to raise). */
int  dx_txn_write(struct dx_store *st, uint64_t now, struct dx_txn **out);

/* Write txn: update the index for everything touched, bump serials, commit.
 * If any earlier call on this txn failed (sticky error), aborts instead and
 * returns that error. Read txn: just ends it. Frees t in every case. */
int  dx_txn_commit(struct dx_txn *t);
void dx_txn_abort(struct dx_txn *t);          /* frees t; NULL ok */

/* --- lookups (the query path: no allocation) --------------------------- */

struct dx_hit {
    const char *list;       /* list name (NUL-terminated, in the map) */
    uint32_t code;          /* the entry's own A value (host order), 0 = the list's code */
    const char *txt;        /* the entry's own TXT, or NULL = the list's/zone's template */
    uint64_t expires_at;    /* unix seconds, 0 = never */
    uint8_t plen;           /* prefix length of the entry that matched; domain: 1 = wildcard */
    uint8_t family;         /* of that entry's key: DX_FAM_V4 (also for an IPv4-mapped
                               query), DX_FAM_V6 or DX_FAM_DOMAIN */
    const uint8_t *key;     /* entry address (network order, masked to plen) or
                               domain name (lowercase, not reversed), in the map */
    uint8_t key_len;
};

#define DX_HITS_MAX 64

/* Which lists of `zone` list `q`, with exclusions applied and entries
 * expired at `now` treated as absent (a wider unexpired entry of the same
 * list then applies). q: a single address (plen 32/128) for ip zones, a
 * name (plen 0) for domain zones: an exact entry for the name wins over a
 * wildcard of its nearest ancestor, and so on up. Hits are in list-name
 * order. Returns the number of hits written (<= max), or a negative error. */
int dx_lookup(struct dx_txn *t, const char *zone, const struct dx_key *q, uint64_t now,
              struct dx_hit *hits, size_t max);

/* Does the name q names exist below it, for empty non-terminals (RFC 8020
 * 2: a name with nothing of its own but names below it must not answer
 * NXDOMAIN)? Expired entries (at `now`) are absent; an exclusion counts as
 * an entry (it is a name of its own), whatever list it is in.
 *   ip prefix q (family 4|6, plen < the address length; the name
 *   "2.0.192.<zone>" is 192.0.2.0/24): 1 if an unexpired entry's range
 *   overlaps the prefix (one covering the whole prefix included). One
 *   MDB_SET_RANGE on the interval index, stepping MDB_NEXT only past
 *   intervals whose entries have all expired. For IPv6, the part of the
 *   prefix inside ::ffff:0:0/96 is looked up in the IPv4 data (a second
 *   seek), as dx_lookup answers IPv4-mapped addresses.
 *   domain name q (plen 0): 1 if an unexpired record lies strictly below
 *   it (x.q, *.q, *.x.q: one get and one MDB_SET_RANGE on the domain
 *   index), or if a name below q is listed by a wildcard of one of q's
 *   ancestors (which happens when q itself is excluded under it: a get
 *   per ancestor label).
 * A full-length ip q asks whether an entry covers that address.
 * Returns 1, 0, or a negative error: DX_EINVAL (NULL or bad arguments, a
 * key with host bits set, a name too long for a key, a corrupt record),
 * t's sticky error, or an LMDB error. No allocation (the txn's cursors are
 * opened once and kept). */
int dx_lookup_below(struct dx_txn *t, const char *zone, const struct dx_key *q, uint64_t now);

/* The key of the entry behind a hit of dx_lookup (a wildcard hit: the
 * "*.name" key), as dx_entry_get takes it. */
void dx_hit_key(const struct dx_hit *h, struct dx_key *k);

/* The reason of the entry behind a hit of dx_lookup in zone: 0 and
 * *reason (NULL when the entry has none, no longer exists, or h is not a
 * store hit: key NULL), or a store error (as dx_entry_get's). One entry
 * read; *reason points into the map. */
int dx_hit_reason(struct dx_txn *t, const char *zone, const struct dx_hit *h,
                  const char **reason);

/* SOA serial of the zone, DX_ENOTFOUND if nothing was ever written to it. */
int dx_zone_serial(struct dx_txn *t, const char *zone, uint32_t *serial);

/* --- entries ----------------------------------------------------------- */

#define DX_ENTRY_EXCLUDE 0x01u

struct dx_entry {
    uint32_t flags;          /* DX_ENTRY_* */
    uint32_t code;           /* own A value (host order), 0 = the list's */
    uint64_t first_seen;     /* unix seconds */
    uint64_t last_seen;
    uint64_t expires_at;     /* 0 = never */
    uint32_t hits;           /* times seen (traps, reports) */
    uint32_t relists;        /* times listed again after a delisting/expiry (escalation) */
    const char *source;      /* "admin", "import", "traps", "reports", "sync", "country"; may be NULL */
    const char *reason;      /* may be NULL */
    const char *txt;         /* own TXT, or NULL */
};

/* Insert or replace an entry. Returns 0 or an error (sticky on the txn).
 * Zone names are 1..255 bytes, list names 1..254 (DX_EINVAL otherwise).
 * e's strings may come from dx_entry_get in the same txn. */
int dx_entry_put(struct dx_txn *w, const char *zone, const char *list,
                 const struct dx_key *k, const struct dx_entry *e);

/* Read one entry (exact key). 0 or DX_ENOTFOUND. Strings point into the map. */
int dx_entry_get(struct dx_txn *t, const char *zone, const char *list,
                 const struct dx_key *k, struct dx_entry *out);

/* Remove one entry (exact key). 0 or DX_ENOTFOUND. */
int dx_entry_del(struct dx_txn *w, const char *zone, const char *list, const struct dx_key *k);

typedef int (*dx_entry_cb)(void *arg, const char *list, const struct dx_key *k,
                           const struct dx_entry *e);

/* Visit the entries of zone/list (list NULL = every list of the zone), in
 * list order then key order. Stops at the first non-zero return of cb and
 * returns it; 0 when done. cb must not write to the store. */
int dx_entry_foreach(struct dx_txn *t, const char *zone, const char *list,
                     dx_entry_cb cb, void *arg);

/* Number of entries in zone/list (list NULL = the whole zone). */
int dx_entry_count(struct dx_txn *t, const char *zone, const char *list, size_t *n);

/* Remove every entry whose expires_at is in (0, now], calling cb (may be
 * NULL) before each removal (e.g. to write history). *removed = count. A
 * non-zero return of cb stops the sweep and is returned (not sticky); what
 * was removed before stays removed in the txn. */
typedef int (*dx_zentry_cb)(void *arg, const char *zone, const char *list,
                            const struct dx_key *k, const struct dx_entry *e);
int dx_expire(struct dx_txn *w, uint64_t now, dx_zentry_cb cb, void *arg, size_t *removed);

/* --- holds (delist --hold) --------------------------------------------- */

int dx_hold_put(struct dx_txn *w, const char *zone, const char *list,
                const struct dx_key *k, uint64_t until);
/* 0 and *until, or DX_ENOTFOUND. Holds that ended are reported as they are;
 * the caller compares with now. */
int dx_hold_get(struct dx_txn *t, const char *zone, const char *list,
                const struct dx_key *k, uint64_t *until);

/* --- history ----------------------------------------------------------- */

enum dx_hist_action {
    DX_HIST_LIST = 1,       /* newly listed */
    DX_HIST_RELIST,         /* listed again after a delisting or expiry */
    DX_HIST_UPDATE,         /* seen again while listed (lifetime extended) */
    DX_HIST_DELIST,         /* removed by an operator */
    DX_HIST_EXPIRE,         /* removed by dnsxl-loader expire */
    DX_HIST_HOLD,           /* automated relisting blocked by a hold */
    DX_HIST_REJECT,         /* automated listing refused by policy (never-list) */
    DX_HIST_REQUEST,        /* a removal request queued for review (dnsxl-web) */
    DX_HIST_DENY,           /* a removal request denied by an operator */
};

struct dx_hist {
    uint64_t at;            /* unix seconds */
    uint8_t action;         /* dx_hist_action */
    const char *zone, *list, *source, *reason;  /* may be NULL */
    uint64_t expires_at;    /* of the entry after the action, 0 = never/none */
};

const char *dx_hist_action_name(int action); /* "list", "relist", ... */

int dx_history_add(struct dx_txn *w, const struct dx_key *k, const struct dx_hist *h);

/* Visit the history of exactly key k, oldest first. Same stop rule as
 * dx_entry_foreach. (A write txn buffers the records it adds, up to 64 MiB,
 * and writes them sorted at commit or before it reads history itself; the
 * result is the same as writing each at once.) */
int dx_history_foreach(struct dx_txn *t, const struct dx_key *k,
                       int (*cb)(void *arg, const struct dx_hist *h), void *arg);

/* Bound the history by size: a write txn that adds history to a history
 * database larger than `bytes` (pages in use) removes the oldest records at
 * its commit, down to about 90% of it. 0 = no bound (the default). */
void dx_store_set_history_limit(struct dx_store *st, uint64_t bytes);

/* Remove history records older than `before`. */
int dx_history_prune(struct dx_txn *w, uint64_t before, size_t *removed);

/* --- reporters (abuse reports: N distinct reporters within a window) ---- */

/* Record that `reporter` (non-empty, e.g. the reporting domain or address)
 * reported k for zone/list at `at`. Keeps the latest time per reporter: an
 * older `at` than the stored one changes nothing. 0 or an error (sticky);
 * DX_EINVAL for a bad name, key or reporter, or one too long for a key. */
int dx_report_add(struct dx_txn *w, const char *zone, const char *list,
                  const struct dx_key *k, const char *reporter, uint64_t at);

/* *n = the number of distinct reporters of k in zone/list whose last report
 * is at or after `since`. 0 or an error. */
int dx_report_count(struct dx_txn *t, const char *zone, const char *list,
                    const struct dx_key *k, uint64_t since, size_t *n);

/* Remove every reporter record whose last report is before `before` (of
 * every zone, list and key). *removed = count (may be NULL). */
int dx_report_prune(struct dx_txn *w, uint64_t before, size_t *removed);

/* --- removal requests (dnsxl-web(8), dnsxl-admin requests/approve/deny) -- */

/* A request to remove a key from one list, queued for an operator's review.
 * Ids count up from 1 (one more than the largest); the token is the
 * requester's proof for the status page (random, set by the caller). The
 * strings of a request read from the store point into the map. */
enum dx_req_status { DX_REQ_PENDING = 1, DX_REQ_APPROVED, DX_REQ_DENIED };

#define DX_REQ_TOKEN 16

struct dx_request {
    uint64_t id;
    uint8_t status;             /* dx_req_status */
    uint64_t created, decided;  /* unix seconds; decided 0 while pending */
    uint8_t token[DX_REQ_TOKEN];
    const char *zone, *list;    /* the list it asks to be removed from */
    const char *key;            /* the key's text (dx_key_format) */
    const char *note, *contact; /* the requester's words and address (private); may be NULL */
    const char *client;         /* the requester's IP address (private); may be NULL */
    const char *by;             /* the operator who decided; NULL while pending */
    const char *decision;       /* the operator's reason (a denial's); may be NULL */
};

const char *dx_request_status_name(int status);  /* "pending", "approved", "denied" */

/* Add r as a new request: r->id becomes its id. 0 or an error (sticky);
 * DX_EINVAL for a missing zone, list or key or a bad status. */
int dx_request_add(struct dx_txn *w, struct dx_request *r);

/* Request id: 0 and *out (strings in the map), DX_ENOTFOUND, or an error. */
int dx_request_get(struct dx_txn *t, uint64_t id, struct dx_request *out);

/* Replace request r->id (a decision): 0, DX_ENOTFOUND, or an error. r's
 * strings may come from dx_request_get in the same txn. */
int dx_request_put(struct dx_txn *w, const struct dx_request *r);

/* Visit every request, oldest (lowest id) first; the stop rule of
 * dx_entry_foreach. */
int dx_request_foreach(struct dx_txn *t, int (*cb)(void *arg, const struct dx_request *r),
                       void *arg);

/* --- observability: entry counts, last changes, loader runs, heat -------- */

/* Entries of zone/list (every entry, expired or not, until an expire sweep
 * removes it): kept exactly by every write txn at its commit, so reading
 * one costs one record, whatever the list's size. A write txn sees its own
 * puts and deletes. 0 and *n (0 for a list never written), or an error. */
int dx_count_get(struct dx_txn *t, const char *zone, const char *list, uint64_t *n);

/* Visit the counts of every zone/list with entries (zone, then list order);
 * the stop rule of dx_entry_foreach. In a read txn only. */
typedef int (*dx_count_cb)(void *arg, const char *zone, const char *list, uint64_t n);
int dx_count_foreach(struct dx_txn *t, dx_count_cb cb, void *arg);

/* The entries expired at `now` that no sweep has removed yet, per zone/list
 * (cb once per zone/list with its count, in no particular order): read from
 * the expiry database up to now, at most `max` records (*more = true when
 * there were more: the counts are then a lower bound). In a read txn only. */
int dx_expired_count(struct dx_txn *t, uint64_t now, size_t max, dx_count_cb cb, void *arg,
                     bool *more);

/* The unix time of the commit of the last write txn that changed the zone
 * (its serial with it): 0 and *at, or DX_ENOTFOUND (never changed, or only
 * before the store recorded it). */
int dx_zone_changed_at(struct dx_txn *t, const char *zone, uint64_t *at);

/* The map as this process has it (dnsxld maps far more than the writers'
 * map: dnsxld(8)), the data file's size, and the bytes of it in use (the
 * pages up to the last one written). 0 or an error. */
int dx_store_usage(struct dx_store *st, uint64_t *map_size, uint64_t *file_size,
                   uint64_t *used);

/* A loader command's last run for one target (dnsxl-loader(8): written when
 * the command ends; what `dnsxl-admin stats` and the metrics show). */
struct dx_run {
    const char *command;        /* "import", "traps", "expire"... */
    const char *target;         /* "ZONE/LIST", or "" for a command of no list */
    uint64_t started, finished; /* unix seconds */
    uint8_t status;             /* its exit status (zones/cli.h): 0 done */
    uint64_t added, updated, removed;
    const char *message;        /* its last error message, or NULL */
};

/* Replace the run record of r->command and r->target. 0 or an error
 * (sticky); DX_EINVAL for no command or one too long for a key. */
int dx_run_put(struct dx_txn *w, const struct dx_run *r);

/* Visit every run record (command, then target order); the stop rule of
 * dx_entry_foreach; strings point into the map. */
int dx_run_foreach(struct dx_txn *t, int (*cb)(void *arg, const struct dx_run *r), void *arg);

/* Heat: per entry, the answered queries it matched and when it was last
 * queried. Its own small environment in DATABASE/heat/ that only dnsxld
 * writes (a heat write never waits for an import, which holds the store's
 * one writer lock); the CLIs read it beside the store. Records are keyed
 * by the entry (zone, list, key): a query answered by a wider entry counts
 * for that entry. */
struct dx_heat;

#define DX_HEAT_WRITE 0x1u      /* dnsxld: create DATABASE/heat/ if missing, and write */

/* Open the heat of the store in store_dir. Without DX_HEAT_WRITE a missing
 * heat environment is DX_ENOSTORE (heat was never recorded). 0, or an LMDB
 * error / -errno / DX_ESCHEMA. */
int dx_heat_open(const char *store_dir, unsigned flags, struct dx_heat **out);
void dx_heat_close(struct dx_heat *h);

struct dx_heat_rec {
    const char *zone, *list;
    struct dx_key key;          /* the entry's key */
    uint64_t queries;           /* added to the record's count */
    uint64_t last;              /* the record keeps the later of its own and this */
};

/* Add n records in one write txn of the heat environment. 0 or an error
 * (nothing written). */
int dx_heat_add(struct dx_heat *h, const struct dx_heat_rec *recs, size_t n);

/* Remove the records of entries that no longer exist in the store (read in
 * t, a read txn of the store, which never waits): *removed = how many. */
int dx_heat_prune(struct dx_heat *h, struct dx_txn *t, size_t *removed);

/* A read snapshot of the heat for many lookups: begin, get/foreach, end.
 * get: 0 with *queries and *last, or DX_ENOTFOUND (never queried). */
int dx_heat_begin(struct dx_heat *h);
int dx_heat_get(struct dx_heat *h, const char *zone, const char *list, const struct dx_key *k,
                uint64_t *queries, uint64_t *last);
/* Visit the records of zone/list (list NULL: the whole zone) in key order. */
int dx_heat_foreach(struct dx_heat *h, const char *zone, const char *list,
                    int (*cb)(void *arg, const struct dx_heat_rec *r), void *arg);
void dx_heat_end(struct dx_heat *h);

#endif
