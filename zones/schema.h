/* The store's schema: every LMDB key and value of the dnsxl store, and
 * their codecs. No other file builds or parses one; the store's files
 * (zones/store*.c) call the codecs below. Internal to zones/ and its tests.
 *
 * One environment (MDB_NOTLS | MDB_NORDAHEAD, 16 named dbs max, 1024 readers),
 * default comparator everywhere (memcmp, then shorter first), no DUPSORT.
 * Integers are big-endian, so byte order is numeric order. z = zone name
 * (1..255 bytes), l = list name (1..254: it is stored behind a one-byte
 * length that counts its NUL); both NUL-terminated inside keys. The store
 * does not fold case: callers pass conf's lowercase names. str = u16 n, then
 * n bytes; n = 0 is NULL, otherwise the bytes end with their NUL ("" is
 * n = 1: an entry's explicit "no TXT"; readers hand out pointers into the
 * map). Keys are at most 511 bytes.
 *
 * ktail(k), the key part of an entry:
 *   ip      fam (4|6), addr (4|16, host bits zero), plen (1)
 *   domain  'D', name (k.len bytes as dx_key holds it, lowercase; labels reversed:
 *           "spam.example" -> "example.spam"), wild (1: 1 = "*.name")
 *
 * meta     "schema" (6 bytes, no NUL)  -> u32 DX_STORE_SCHEMA (2); checked at open; a
 *                                         store of schema 1 (index keys z \0 fam end,
 *                                         no zoneids) has its index rebuilt at open
 * zones    z \0                        -> u32 SOA serial (every write txn that
 *                                         changes z: max(now, old + 1))
 * entries  z \0 l \0 ktail(k)          -> u32 flags, u32 code, u64 first_seen,
 *          (<= 503 bytes, so the          u64 last_seen, u64 expires_at, u32 hits,
 *          expiry key fits)               u32 relists, str source, str reason, str txt
 *          the truth; sorted by zone, list, then ktail (family, address, plen)
 * expiry   u64 expires_at, entries key -> ""   (expires_at > 0 only)
 * holds    entries key                 -> u64 until (0: an ended hold)
 * reports  entries key \0 reporter \0  -> u64 time of that reporter's last report
 *          (db added after schema 1 shipped: created at open if missing)
 * requests u64 id                      -> u8 status, u64 created, u64 decided,
 *          (removal requests of the       16 token bytes, str zone, str list, str key
 *          public page; db added after    (its text), str note, str contact, str client,
 *          schema 1 shipped)              str by, str decision
 * changes  z \0                        -> u64 unix time of the commit of the last
 *          (db added after schema 1       write txn that changed z (and bumped its
 *          shipped)                       serial); a zone without one: unknown
 * counts   z \0 l \0 (the entries      -> u64 entries of zone/list, kept by every
 *          prefix; db added after         write txn at its commit (a scrape reads one
 *          schema 1, filled from entries  record per list, never the entries)
 *          when it is created)
 * runs     command \0 target \0        -> u64 started, u64 finished, u8 exit status,
 *          (a loader command's last run   u64 added, u64 updated, u64 removed,
 *          per target; added after 1)     str message (its last error line, or NULL)
 * journal  z \0 u64 seq               -> u32 from serial, u32 to serial, u64 at (the
 *          (IXFR, RFC 1995: the records   commit's clock), u32 ndel, u32 nadd, then the
 *          a change of z removed and      ndel records removed and the nadd added, each
 *          added; db added after          u8 n, owner (wire, n bytes), u16 type, u32 ttl,
 *          schema 1; seq counts up per    u16 rdlen, rdata (uncompressed); a zone's
 *          zone)                          records chain (one's to is the next's from)
 * heat     its own environment DATABASE/heat/, written by dnsxld only (recording
 *          hits never waits for an import): meta "schema" -> u32 1 (as above);
 *          heat: entries key -> u64 answered queries, u64 last queried (unix s)
 * history  text(k) \0 u64 at, u32 seq  -> u8 action, u64 expires_at, str zone,
 *          text(k) = dx_key_format(k);    str list, str source, str reason
 *          seq orders records of one key text and second
 * zoneids  z \0                        -> u16 id (1..65535) of z in index keys: given
 *          (added with schema 2)          by the writer the first time z's index gets a
 *                                         record, never changed or reused
 * index    u16 id, fam, end(4|16)      -> u8 form 0: start(4|16), u16 nlists, then per
 *          derived (ip keys), rebuilt     list in name order: u8 n, l \0 (n bytes), u8
 *          for touched ranges at commit   chain, then the chain, most specific first:
 *          non-overlapping intervals      u8 flags, u8 plen, u32 code, u64 expires_at,
 *          keyed by their LAST address    addr(4|16), str txt; or form 1 (an interval of
 *          (id: zoneids)                  one address whose one list's chain is one entry
 *                                         of that address): u8 n, l \0, u8 flags, u8
 *                                         plen, u32 code, u64 expires_at, str txt
 *          lookup: one MDB_SET_RANGE(q), then start <= q; per list the first
 *          unexpired element decides (an exclusion: not listed)
 * dindex   z \0 ktail(k)               -> u8 n, name \0 (n bytes, NOT reversed),
 *          (domain keys; the entries      u16 nlists, then per list in name order:
 *          key without the list), kept    u8 n, l \0, u8 flags, u32 code,
 *          on every put/del               u64 expires_at, str txt
 *          order under one zone: "example.spam" \0, "example.spam" \1,
 *          "example.spam-..." , "example.spam." ... (names below): a wildcard
 *          is one get, the names below one MDB_SET_RANGE.
 * flags in index/dindex are the entry's low 8 bits (only DX_ENTRY_EXCLUDE = 1 exists).
 *
 * Codecs: key encoders write into a caller's buffer (DX_SK_MAX bytes) and
 * return the key's length, or DX_EINVAL for a bad name or key or one too
 * long for a key. Value encoders append to a growable struct dx_bytes (its
 * error: DX_ENOMEM, or DX_ERANGE for a string field too long); value
 * decoders return DX_EINVAL for a corrupt record. The readers of the query
 * path (index, dindex) are inline; the index's codecs are in
 * zones/schema_index.h.
 */
#ifndef DX_SCHEMA_H
#define DX_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zones/bytes.h"
#include "zones/key.h"
#include "zones/store.h"

#define DX_SK_MAX       511             /* LMDB's default max key size */
#define DX_SK_ENTRY_MAX (DX_SK_MAX - 8)   /* an entries key leaves room for the expiry prefix */
#define DX_ZONE_MAX     255             /* longest zone name */
#define DX_LIST_MAX     (UINT8_MAX - 1) /* longest list name: stored with its NUL behind a u8 length */

/* --- names, keys, addresses --------------------------------------------------- */

/* The address length of an ip family (4 | 6): 4 or 16; 0 for anything else. */
static inline size_t dx_fam_len(uint8_t fam)
{
    return fam == DX_FAM_V4 ? 4 : fam == DX_FAM_V6 ? 16 : 0;
}

/* The largest address of len (4 or 16) bytes. */
static inline dx_u128 dx_addr_max(size_t len)
{
    return len == 4 ? (dx_u128)0xffffffffu : ~(dx_u128)0;
}

/* The host bits of a /plen of len-byte addresses. */
static inline dx_u128 dx_hostmask(unsigned plen, size_t len)
{
    unsigned bits = (unsigned)len * 8;
    if (plen == 0)
        return dx_addr_max(len);
    if (plen >= bits)
        return 0;
    return ((dx_u128)1 << (bits - plen)) - 1;
}

/* The labels of name[0..len) reversed into out[0..len): "a.b.c" -> "c.b.a". */
static inline void dx_rev_labels(const uint8_t *name, size_t len, uint8_t *out)
{
    size_t o = 0, end = len;
    while (end > 0) {
        size_t s = end;
        while (s > 0 && name[s - 1] != '.')
            s--;
        memcpy(out + o, name + s, end - s);
        o += end - s;
        if (s > 0)
            out[o++] = '.';
        end = s > 0 ? s - 1 : 0;
    }
}

/* 0, or DX_EINVAL: a zone name is 1..DX_ZONE_MAX bytes, a list name
 * 1..DX_LIST_MAX. */
static inline int dx_sk_check_zone(const char *zone)
{
    return zone && *zone && strlen(zone) <= DX_ZONE_MAX ? 0 : DX_EINVAL;
}

static inline int dx_sk_check_list(const char *list)
{
    return list && *list && strlen(list) <= DX_LIST_MAX ? 0 : DX_EINVAL;
}

/* 0, or DX_EINVAL: a key is an ip key of its family's length without host
 * bits beyond plen, or a name of 1..DX_KEY_NAME_MAX bytes without a NUL
 * (plen 0 or 1). */
int dx_sk_check_key(const struct dx_key *k);

/* --- string fields -------------------------------------------------------------- */

/* u16 n, then n bytes; n = 0 is NULL, otherwise the bytes end with their
 * NUL. A string longer than 65534 bytes sets DX_ERANGE. */
static inline void dx_sv_put_str(struct dx_bytes *b, const char *s)
{
    if (!s)
        dx_put_u16(b, 0);
    else
        dx_put_lp16(b, s, strlen(s) + 1);
}

/* The string field at the cursor: NULL if absent (n = 0) or once err is
 * set; one without its NUL sets DX_EINVAL. */
static inline const char *dx_sv_get_str(struct dx_bytes *r)
{
    size_t n;
    const uint8_t *p = dx_get_lp16(r, &n);
    if (!p || n == 0)
        return NULL;
    if (p[n - 1] != 0) {
        dx_bytes_fail(r, DX_EINVAL);
        return NULL;
    }
    return (const char *)p;
}

/* --- entries, expiry, holds, reports ----------------------------------------- */

/* The entries key of k in zone/list (at most DX_SK_ENTRY_MAX bytes). */
int dx_sk_entry(uint8_t out[DX_SK_MAX], const char *zone, const char *list,
                const struct dx_key *k);

/* The prefix of the entries keys of zone (list NULL) or of zone/list. */
int dx_sk_entry_prefix(uint8_t out[DX_SK_MAX], const char *zone, const char *list);

/* An entries key back to zone, list (pointing into p) and key: 0 or DX_EINVAL. */
int dx_sk_entry_split(const uint8_t *p, size_t n, const char **zone, const char **list,
                      struct dx_key *k);

/* The ip entries of one zone/list/family, for the index rebuild: the
 * prefix z \0 l \0 fam (zl, ll: the names' lengths without NUL), then per
 * key addr (alen bytes) and plen. Too long for a key: b's DX_ERANGE. */
void dx_sk_entry_ip_prefix(struct dx_bytes *b, const char *zone, size_t zl, const char *list,
                           size_t ll, uint8_t fam);
void dx_sk_entry_ip_at(struct dx_bytes *b, size_t alen, dx_u128 addr, uint8_t plen);

/* Is key[0..n) an ip entries key under prefix[0..pn) with an alen-byte
 * address? Then *addr and *plen are its address and prefix length. */
static inline bool dx_sk_entry_ip_split(const uint8_t *key, size_t n, const uint8_t *prefix,
                                        size_t pn, size_t alen, dx_u128 *addr, uint8_t *plen)
{
    if (n != pn + alen + 1 || memcmp(key, prefix, pn) != 0)
        return false;
    *addr = dx_be_n(key + pn, alen);
    *plen = key[pn + alen];
    return true;
}

/* The list name of an entries key under a zone prefix of pn bytes (z \0):
 * *ll = its length (no NUL). 0 or DX_EINVAL. */
int dx_sk_entry_list(const uint8_t *key, size_t n, size_t pn, size_t *ll);

/* The smallest key after every entries key of zone/list: z \0 l \1. */
int dx_sk_entry_next_list(uint8_t out[DX_SK_MAX], const char *zone, size_t zl,
                          const char *list, size_t ll);

/* The expiry key of the entries key ek[0..ekn) expiring at exp: u64 exp,
 * then the entries key; the value is empty. */
int dx_sk_expiry(uint8_t out[DX_SK_MAX], uint64_t exp, const uint8_t *ek, size_t ekn);

/* An expiry key back to exp and the entries key inside it (*ekn bytes);
 * NULL if it is not one (9..DX_SK_MAX bytes). */
static inline const uint8_t *dx_sk_expiry_split(const uint8_t *p, size_t n, uint64_t *exp,
                                                size_t *ekn)
{
    if (n <= 8 || n > DX_SK_MAX)
        return NULL;
    *exp = dx_be64(p);
    *ekn = n - 8;
    return p + 8;
}

/* The entry value. */
void dx_sv_entry_put(struct dx_bytes *b, const struct dx_entry *e);
int dx_sv_entry_get(const uint8_t *p, size_t n, struct dx_entry *e);

/* A u32 / u64 value (serials, the schema version; hold ends, report
 * times): get is 0 or DX_EINVAL (not 4 / 8 bytes). */
static inline void dx_sv_u32_put(uint8_t out[4], uint32_t v)
{
    dx_set_be32(out, v);
}

static inline int dx_sv_u32_get(const void *p, size_t n, uint32_t *v)
{
    if (n != 4)
        return DX_EINVAL;
    *v = dx_be32(p);
    return 0;
}

static inline void dx_sv_u64_put(uint8_t out[8], uint64_t v)
{
    dx_set_be64(out, v);
}

static inline int dx_sv_u64_get(const void *p, size_t n, uint64_t *v)
{
    if (n != 8)
        return DX_EINVAL;
    *v = dx_be64(p);
    return 0;
}

/* The zoneids value (a zone's id in index keys, 1..65535): get is 0 or
 * DX_EINVAL (not 2 bytes, or 0). */
static inline int dx_sv_zoneid_get(const void *p, size_t n, uint16_t *id)
{
    if (n != 2 || dx_be16(p) == 0)
        return DX_EINVAL;
    *id = dx_be16(p);
    return 0;
}

/* The reports keys of k in zone/list start with its entries key and a
 * NUL (the prefix); the reporter (non-empty) and its NUL follow. */
int dx_sk_report_prefix(uint8_t out[DX_SK_MAX], const char *zone, const char *list,
                        const struct dx_key *k);
int dx_sk_report(uint8_t out[DX_SK_MAX], size_t pn, const char *reporter);

/* Is key[0..n) a reporter's key under prefix[0..pn)? 1 yes, 0 not under
 * it (past the prefix's keys), DX_EINVAL for one that is not one reporter
 * and its NUL. */
int dx_sk_report_match(const uint8_t *key, size_t n, const uint8_t *prefix, size_t pn);

/* --- requests ---------------------------------------------------------------- */

/* The requests key of id (8 bytes); a key back to its id (false: not 8
 * bytes). */
static inline size_t dx_sk_request(uint8_t out[8], uint64_t id)
{
    dx_set_be64(out, id);
    return 8;
}

static inline bool dx_sk_request_id(const void *p, size_t n, uint64_t *id)
{
    return dx_sv_u64_get(p, n, id) == 0;
}

/* The request value; get: DX_EINVAL for a corrupt record (id not set). */
void dx_sv_request_put(struct dx_bytes *b, const struct dx_request *r);
int dx_sv_request_get(const void *p, size_t n, struct dx_request *r);

/* --- dindex: the domain records (kept on every put and delete) --------------- */

/* The dindex key of name[0..len) (a dx_key's name) in zone: z \0 and the
 * key part of its entries keys. dx_sk_dindex_below writes the prefix of
 * the keys of the names below it ("example.spam." in the order above).
 * Both write zl + 3 + len bytes: the caller checks that they fit in
 * DX_SK_MAX. */
static inline size_t dx_sk_dindex(uint8_t *out, const char *zone, size_t zl,
                                  const uint8_t *name, size_t len, bool wild)
{
    memcpy(out, zone, zl);
    out[zl] = 0;
    out[zl + 1] = DX_FAM_DOMAIN;
    dx_rev_labels(name, len, out + zl + 2);
    out[zl + 2 + len] = wild ? 1 : 0;
    return zl + 3 + len;
}

/* The prefix of the dindex keys of the names below name: z \0 'D',
 * reversed name, '.'. */
static inline size_t dx_sk_dindex_below(uint8_t *out, const char *zone, size_t zl,
                                        const uint8_t *name, size_t len)
{
    size_t n = dx_sk_dindex(out, zone, zl, name, len, false);
    out[n - 1] = '.';
    return n;
}

/* Is key[0..n) a dindex key under the prefix pre[0..pn) (z \0 'D')? Then
 * the part after it (the reversed name and the wild byte, *tn bytes). */
static inline const uint8_t *dx_sk_dindex_tail(const void *key, size_t n, const uint8_t *pre,
                                               size_t pn, size_t *tn)
{
    if (n <= pn + 1 || memcmp(key, pre, pn) != 0)
        return NULL;
    *tn = n - pn;
    return (const uint8_t *)key + pn;
}

/* Reading a dindex value (the layout: above): dx_sv_dindex_open, then
 * dx_sv_dindex_elem per list; a corrupt value ends the loop with v->b.err
 * set. */
struct dx_delem {
    const char *list;
    uint8_t flags;
    uint32_t code;
    uint64_t expires;
    const char *txt;         /* NULL: none */
    const uint8_t *raw;      /* the element's bytes in the value */
    size_t raw_len;
};

struct dx_dvalue {
    struct dx_bytes b;
    uint16_t left;           /* elements not yet read */
};

/* The name (*len bytes, NUL not counted), or NULL (a corrupt value). */
static inline const uint8_t *dx_sv_dindex_open(struct dx_dvalue *v, const void *p, size_t n,
                                               size_t *len)
{
    dx_bytes_reader(&v->b, p, n);
    size_t nn;
    const uint8_t *name = dx_get_lp8(&v->b, &nn);
    v->left = dx_get_u16(&v->b);
    if (v->b.err || nn < 2) {
        dx_bytes_fail(&v->b, DX_EINVAL);
        v->left = 0;
        return NULL;
    }
    *len = nn - 1;
    return name;
}

/* The next list's element, false after the last one. */
static inline bool dx_sv_dindex_elem(struct dx_dvalue *v, struct dx_delem *e)
{
    if (v->left == 0 || v->b.err)
        return false;
    v->left--;
    size_t start = v->b.pos, n;
    const uint8_t *name = dx_get_lp8(&v->b, &n);
    const uint8_t *p = dx_get_ptr(&v->b, 13);   /* the fixed-size fields */
    e->txt = dx_sv_get_str(&v->b);
    if (v->b.err || n == 0 || name[n - 1] != 0) {
        dx_bytes_fail(&v->b, DX_EINVAL);
        return false;
    }
    e->list = (const char *)name;
    e->flags = p[0];
    e->code = dx_be32(p + 1);
    e->expires = dx_be64(p + 5);
    e->raw = v->b.rp + start;
    e->raw_len = v->b.pos - start;
    return true;
}

/* Writing one: head (returns where the list count goes), per list
 * elem_put or the raw bytes of an element read, end with the count. */
size_t dx_sv_dindex_head(struct dx_bytes *b, const uint8_t *name, size_t len);
void dx_sv_dindex_elem_put(struct dx_bytes *b, const char *list, const struct dx_entry *e);
void dx_sv_dindex_end(struct dx_bytes *b, size_t count_at, uint16_t nlists);

/* --- meta, zones ---------------------------------------------------------------- */

/* The meta key of the schema version (its value: a u32). */
static inline const uint8_t *dx_sk_meta_schema(size_t *n)
{
    *n = 6;
    return (const uint8_t *)"schema";
}


/* The zones key of a zone is its name and NUL: the zone string itself, of
 * this length (its value: the serial, a u32). */
static inline size_t dx_sk_zone(const char *zone)
{
    return strlen(zone) + 1;
}

/* --- history ------------------------------------------------------------------- */

/* The longest history key: text \0, at, seq (above). */
#define DX_SK_HIST_MAX (DX_KEY_TEXT_MAX + 12)

/* The prefix of the history keys of k: its text and NUL; the length or an
 * error (DX_EINVAL for a bad key). */
int dx_sk_hist_prefix(uint8_t out[DX_SK_HIST_MAX], const struct dx_key *k);

/* After the prefix (pn bytes) in kb: at, then seq (after pn + 8). The new
 * length. */
static inline size_t dx_sk_hist_put_at(uint8_t *kb, size_t pn, uint64_t at)
{
    dx_set_be64(kb + pn, at);
    return pn + 8;
}

static inline size_t dx_sk_hist_put_seq(uint8_t *kb, size_t kn, uint32_t seq)
{
    dx_set_be32(kb + kn, seq);
    return kn + 4;
}

/* Is key[0..n) a history key with the prefix (text \0) prefix[0..pn)? */
static inline bool dx_sk_hist_of(const void *key, size_t n, const uint8_t *prefix, size_t pn)
{
    return n == pn + 12 && memcmp(key, prefix, pn) == 0;
}

/* Is key[0..n) a history key with the text and time of kb[0..kn) (a
 * prefix and its at)? Then *seq is its seq. */
static inline bool dx_sk_hist_same(const void *key, size_t n, const uint8_t *kb, size_t kn,
                                   uint32_t *seq)
{
    if (n != kn + 4 || memcmp(key, kb, kn) != 0)
        return false;
    *seq = dx_be32((const uint8_t *)key + kn);
    return true;
}

/* The time of a history key (false: too short to be one). */
static inline bool dx_sk_hist_at(const void *key, size_t n, uint64_t *at)
{
    if (n < 13)
        return false;
    *at = dx_be64((const uint8_t *)key + n - 12);
    return true;
}

/* The history value; get takes the record's time from its key. */
void dx_sv_hist_put(struct dx_bytes *b, const struct dx_hist *h);
int dx_sv_hist_get(const void *key, size_t n, const void *v, size_t vn, struct dx_hist *h);

/* --- changes, counts, runs (dbs added after schema 1 shipped), heat ---------- */

/* The counts key of zone/list is the entries prefix (dx_sk_entry_prefix);
 * a counts key back to its zone and list (pointing into p): 0 or DX_EINVAL. */
int dx_sk_count_split(const uint8_t *p, size_t n, const char **zone, const char **list);

/* The length of the counts key (z \0 l \0) at the start of the entries key
 * ek[0..kn), or 0 if it is not one. */
size_t dx_sk_count_of_entry(const uint8_t *ek, size_t kn);

/* The runs key: command \0 target \0 (target "" for a command of no list):
 * its length, or DX_EINVAL (no command, or too long for a key). */
int dx_sk_run(uint8_t out[DX_SK_MAX], const char *command, const char *target);

/* The run value; get fills r from the key and value (its strings point into
 * them): DX_EINVAL for a corrupt record. */
void dx_sv_run_put(struct dx_bytes *b, const struct dx_run *r);
int dx_sv_run_get(const void *key, size_t kn, const void *p, size_t n, struct dx_run *r);

/* --- journal (IXFR) ---------------------------------------------------------- */

/* The journal key z \0 u64 seq: its length, or DX_EINVAL. */
static inline int dx_sk_journal(uint8_t out[DX_SK_MAX], const char *zone, uint64_t seq)
{
    size_t zl = strlen(zone);
    if (dx_sk_check_zone(zone))
        return DX_EINVAL;
    memcpy(out, zone, zl + 1);
    dx_set_be64(out + zl + 1, seq);
    return (int)(zl + 9);
}

/* The seq of journal key k[0..n) of the zone whose key prefix (z \0) is
 * pre[0..pn): true and *seq, false for a key of another zone. */
static inline bool dx_sk_journal_seq(const void *k, size_t n, const uint8_t *pre, size_t pn,
                                     uint64_t *seq)
{
    if (n != pn + 8 || memcmp(k, pre, pn) != 0)
        return false;
    *seq = dx_be64((const uint8_t *)k + pn);
    return true;
}

struct dx_jhead {                /* a journal value's head */
    uint32_t from, to;
    uint64_t at;
    uint32_t ndel, nadd;
};

#define DX_JHEAD_LEN 24

static inline void dx_sv_jhead_put(struct dx_bytes *b, const struct dx_jhead *h)
{
    dx_put_u32(b, h->from);
    dx_put_u32(b, h->to);
    dx_put_u64(b, h->at);
    dx_put_u32(b, h->ndel);
    dx_put_u32(b, h->nadd);
}

/* Read the head from r (a reader over the value): 0, or DX_EINVAL. */
static inline int dx_sv_jhead_get(struct dx_bytes *r, struct dx_jhead *h)
{
    h->from = dx_get_u32(r);
    h->to = dx_get_u32(r);
    h->at = dx_get_u64(r);
    h->ndel = dx_get_u32(r);
    h->nadd = dx_get_u32(r);
    return r->err ? DX_EINVAL : 0;
}

/* One record of a journal value (its owner at most 255 bytes, rdata 65535). */
static inline void dx_sv_jrr_put(struct dx_bytes *b, const uint8_t *owner, size_t on,
                                 uint16_t type, uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
    dx_put_lp8(b, owner, on);
    dx_put_u16(b, type);
    dx_put_u32(b, ttl);
    dx_put_lp16(b, rd, rdlen);
}

/* The next record from r: 0 (pointers into the value), or DX_EINVAL. */
static inline int dx_sv_jrr_get(struct dx_bytes *r, const uint8_t **owner, size_t *on,
                                uint16_t *type, uint32_t *ttl, const uint8_t **rd, size_t *rdlen)
{
    *owner = dx_get_lp8(r, on);
    *type = dx_get_u16(r);
    *ttl = dx_get_u32(r);
    *rd = dx_get_lp16(r, rdlen);
    return r->err || *on == 0 ? DX_EINVAL : 0;
}

/* The heat value: u64 queries, u64 last queried; get: DX_EINVAL if not 16 bytes. */
static inline void dx_sv_heat_put(uint8_t out[16], uint64_t queries, uint64_t last)
{
    dx_set_be64(out, queries);
    dx_set_be64(out + 8, last);
}

static inline int dx_sv_heat_get(const void *p, size_t n, uint64_t *queries, uint64_t *last)
{
    if (n != 16)
        return DX_EINVAL;
    *queries = dx_be64(p);
    *last = dx_be64((const uint8_t *)p + 8);
    return 0;
}

#endif
