/* The derived interval index of ip zones (zones/schema.h, "index"), as
 * written: the address ranges a write txn touched (dx__ip_touch) and their
 * recomputation at commit (dx__ip_commit). The lookups are in
 * store_iplookup.c.
 *
 * At commit, every touched address range of a zone/family is widened to the
 * index intervals straddling its ends, the index records inside are deleted,
 * and the region is recomputed from the entries overlapping it: a sweep over
 * the entries sorted by (start, plen) with a stack of open ranges (CIDR
 * ranges nest or are disjoint) yields the elementary intervals. A zone/family
 * with too many touched ranges is recomputed as one region covering the
 * whole address space.
 *
 * The sweep emits intervals in ascending key order and merges them with the
 * existing records of the region through one cursor (the "walk"): records
 * that no longer exist are deleted, identical ones are left alone (a bulk
 * re-import that changes 1% rewrites about 1% of the index), new ones are
 * put where the cursor already is, or appended (MDB_APPEND) when nothing in
 * the database follows them. Entries come out of the database sorted, so
 * the items are only sorted when several lists interleave.
 *
 * Keys name the zone by its id (zoneids): a zone without one has no index
 * record; the first record written gives it the next id. An interval of
 * one address whose only element is that address's entry is written in
 * the value's short form (form 1, zones/schema.h). dx__ip_rebuild, at the
 * open of a store of schema 1, rebuilds every zone. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

#define NO_TXT UINT32_MAX

struct item {
    dx_u128 start, end;
    uint64_t expires;
    uint32_t code;
    uint32_t txt;            /* offset into ictx.txt, NO_TXT = none */
    uint32_t list;           /* index into ictx.lists (sorted by name) */
    uint8_t plen, flags;
};

struct ictx {
    struct dx_txn *t;
    const char *zone;
    size_t zl;               /* strlen(zone) */
    uint16_t id;             /* the zone's id; 0: none yet (no index record) */
    uint8_t fam;
    size_t len;              /* address length */
    char **lists;
    size_t nlists;
    struct item *it;
    size_t n, cap;
    struct dx_bytes txt;
    struct item **stack;
    size_t sp, scap;
    struct dx_bytes val;
    MDB_cursor *ic;
    size_t *lnlen;           /* strlen(lists[i]) */
    uint8_t ipre[DX_SK_MAX]; /* an index key of zone/fam: the prefix walk_load matches */
    size_t ipre_n;
    /* the merge walk: the existing index record the sweep compares with */
    bool wvalid;             /* ic is on a record of this zone/fam with end <= whi */
    dx_u128 wend, whi;
    bool append;             /* no record after the region yet: MDB_APPEND works */
};

/* The index key of the interval of this zone/fam ending at a. */
static size_t ikey(const struct ictx *c, uint8_t *kb, dx_u128 a)
{
    return dx_sk_index_u128(kb, c->id, c->fam, a, c->len);
}

/* Give the zone the next id (ids are never removed: one more than the
 * number given so far) before its first index record. */
static int id_assign(struct ictx *c)
{
    MDB_stat ms;
    int rc = mdb_stat(c->t->txn, c->t->st->zoneids, &ms);
    if (rc)
        return dx__mdb(rc);
    if (ms.ms_entries >= UINT16_MAX)
        return DX_ERANGE;               /* 65535 zones have an ip index */
    uint8_t b[2];
    c->id = (uint16_t)(ms.ms_entries + 1);
    dx_set_be16(b, c->id);
    c->ipre_n = ikey(c, c->ipre, 0);
    MDB_val k = { c->zl + 1, (void *)c->zone }, v = { 2, b };
    return dx__mdb(mdb_put(c->t->txn, c->t->st->zoneids, &k, &v, MDB_NOOVERWRITE));
}

/* The index interval with the smallest end >= x: 1 and [*s,*e] if it
 * contains x, 0 if none does, or an error. */
static int iv_find(struct ictx *c, dx_u128 x, dx_u128 *s, dx_u128 *e)
{
    uint8_t kb[DX_SK_MAX];
    size_t kn = ikey(c, kb, x);
    MDB_val key = { kn, kb }, v;
    int rc = mdb_cursor_get(c->ic, &key, &v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return dx__mdb(rc);
    const uint8_t *end = dx_sk_index_end(key.mv_data, key.mv_size, kb, kn, c->len);
    if (!end)
        return 0;
    struct dx_ivalue iv;
    const uint8_t *start = dx_sv_index_open(&iv, v.mv_data, v.mv_size, end, c->len);
    if (!start)
        return DX_EINVAL;
    *e = dx_be_n(end, c->len);
    *s = dx_be_n(start, c->len);
    return *s <= x ? 1 : 0;
}

/* Load the walk state from a cursor get that returned rc. */
static int walk_load(struct ictx *c, int rc, const MDB_val *key)
{
    c->wvalid = false;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return dx__mdb(rc);
    const uint8_t *end = dx_sk_index_end(key->mv_data, key->mv_size, c->ipre, c->ipre_n, c->len);
    if (!end)
        return 0;
    dx_u128 e = dx_be_n(end, c->len);
    if (e > c->whi)
        return 0;
    c->wvalid = true;
    c->wend = e;
    return 0;
}

/* Position the walk on the first index record with end >= x. */
static int walk_seek(struct ictx *c, dx_u128 x)
{
    uint8_t kb[DX_SK_MAX];
    MDB_val key = { ikey(c, kb, x), kb }, v;
    return walk_load(c, mdb_cursor_get(c->ic, &key, &v, MDB_SET_RANGE), &key);
}

/* Position the walk after the record that ends at x. */
static int walk_after(struct ictx *c, dx_u128 x)
{
    if (x >= c->whi) {
        c->wvalid = false;
        return 0;
    }
    return walk_seek(c, x + 1);
}

/* Delete the walk's records that end before x (all of them: x = whi + 1
 * is not representable at the top, so `all` says so). */
static int walk_delete(struct ictx *c, dx_u128 x, bool all)
{
    while (c->wvalid && (all || c->wend < x)) {
        dx_u128 e = c->wend;
        int rc = mdb_cursor_del(c->ic, 0);
        if (rc)
            return dx__mdb(rc);
        rc = walk_after(c, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int push_item(struct ictx *c, uint32_t list, dx_u128 start, uint8_t plen,
                     const MDB_val *v)
{
    struct dx_entry e;
    if (dx_sv_entry_get(v->mv_data, v->mv_size, &e))
        return DX_EINVAL;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct item *n = realloc(c->it, cap * sizeof(*n));
        if (!n)
            return DX_ENOMEM;
        c->it = n;
        c->cap = cap;
    }
    struct item *it = &c->it[c->n++];
    it->start = start;
    it->end = start | dx_hostmask(plen, c->len);
    it->plen = plen;
    it->flags = (uint8_t)e.flags;
    it->code = e.code;
    it->expires = e.expires_at;
    it->list = list;
    it->txt = NO_TXT;
    if (e.txt) {
        if (c->txt.pos >= NO_TXT)
            return DX_ENOMEM;
        it->txt = (uint32_t)c->txt.pos;
        dx_put(&c->txt, e.txt, strlen(e.txt) + 1);
        if (c->txt.err)
            return DX_ENOMEM;
    }
    return 0;
}

/* Collect the entries of every list overlapping [lo, hi]: those starting
 * inside, and the ancestors of lo. */
static int collect(struct ictx *c, dx_u128 lo, dx_u128 hi)
{
    MDB_cursor *ec;
    int rc = mdb_cursor_open(c->t->txn, c->t->st->entries, &ec);
    if (rc)
        return dx__mdb(rc);
    uint8_t kb[DX_SK_MAX];
    for (size_t li = 0; li < c->nlists && rc == 0; li++) {
        struct dx_bytes k;
        dx_bytes_writer(&k, kb, sizeof(kb));
        dx_sk_entry_ip_prefix(&k, c->zone, c->zl, c->lists[li], strlen(c->lists[li]), c->fam);
        size_t pn = k.pos;
        struct dx_bytes_mark at = dx_bytes_mark(&k);
        /* entries starting in [lo, hi] */
        dx_sk_entry_ip_at(&k, c->len, lo, 0);
        if (k.err)
            continue;                   /* no key of this list fits */
        MDB_val key = { k.pos, kb }, v;
        rc = mdb_cursor_get(ec, &key, &v, MDB_SET_RANGE);
        while (rc == 0) {
            dx_u128 a;
            uint8_t plen;
            if (!dx_sk_entry_ip_split(key.mv_data, key.mv_size, kb, pn, c->len, &a, &plen) ||
                a > hi)
                break;
            rc = push_item(c, (uint32_t)li, a, plen, &v);
            if (rc == 0)
                rc = mdb_cursor_get(ec, &key, &v, MDB_NEXT);
        }
        if (rc == MDB_NOTFOUND)
            rc = 0;
        /* ancestors of lo */
        unsigned bits = (unsigned)c->len * 8;
        for (unsigned p = 0; p < bits && rc == 0; p++) {
            dx_u128 a = lo & ~dx_hostmask(p, c->len);
            if (a == lo)
                continue;
            dx_bytes_rollback(&k, at);
            dx_sk_entry_ip_at(&k, c->len, a, (uint8_t)p);
            key.mv_size = k.pos;
            key.mv_data = kb;
            rc = mdb_get(c->t->txn, c->t->st->entries, &key, &v);
            if (rc == 0)
                rc = push_item(c, (uint32_t)li, a, (uint8_t)p, &v);
            else if (rc == MDB_NOTFOUND)
                rc = 0;
        }
    }
    mdb_cursor_close(ec);
    return dx__mdb(rc);
}

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->plen != y->plen)
        return x->plen < y->plen ? -1 : 1;
    return x->list < y->list ? -1 : x->list > y->list;
}

static int emit_put(struct ictx *c, dx_u128 b);

/* Write the index record for [a, b] (clipped to [lo, hi]) from the stack. */
static int emit(struct ictx *c, dx_u128 a, dx_u128 b, dx_u128 lo, dx_u128 hi)
{
    if (a < lo)
        a = lo;
    if (b > hi)
        b = hi;
    if (a > b || c->sp == 0)
        return 0;
    struct dx_bytes *v = &c->val;
    dx_bytes_reset(v);
    const struct item *one = c->stack[0];
    if (c->sp == 1 && one->plen == c->len * 8) {
        /* [a, a] and its own entry alone: form 1 */
        struct dx_ielem e = {
            .flags = one->flags, .plen = one->plen, .code = one->code,
            .expires = one->expires,
            .txt = one->txt == NO_TXT ? NULL : (const char *)c->txt.wp + one->txt,
        };
        dx_sv_index_single_put(v, c->lists[one->list], c->lnlen[one->list], &e);
        return emit_put(c, b);
    }
    size_t count_at = dx_sv_index_begin(v, a, c->len);
    unsigned nl = 0;
    for (size_t li = 0; li < c->nlists; li++) {
        size_t chain = 0;
        for (size_t i = c->sp; i-- > 0;)
            chain += c->stack[i]->list == li;
        if (chain == 0)
            continue;
        if (chain > UINT8_MAX)
            return DX_ERANGE;
        dx_sv_index_list_put(v, c->lists[li], c->lnlen[li], (uint8_t)chain);
        for (size_t i = c->sp; i-- > 0;) {
            const struct item *it = c->stack[i];
            if (it->list != li)
                continue;
            uint8_t addr[16];
            dx_set_be_n(addr, c->len, it->start);
            struct dx_ielem e = {
                .flags = it->flags, .plen = it->plen, .code = it->code, .expires = it->expires,
                .addr = addr,
                .txt = it->txt == NO_TXT ? NULL : (const char *)c->txt.wp + it->txt,
            };
            dx_sv_index_elem_put(v, &e, c->len);
        }
        nl++;
    }
    dx_sv_index_end(v, count_at, (uint16_t)nl);
    return emit_put(c, b);
}

/* Write the value in c->val as the record of the interval ending at b:
 * merge with the existing records (drop those ending before b, keep an
 * identical record, write a new or changed one). */
static int emit_put(struct ictx *c, dx_u128 b)
{
    struct dx_bytes *v = &c->val;
    if (v->err)
        return DX_ENOMEM;
    int rc = c->id ? 0 : id_assign(c);
    if (rc == 0)
        rc = walk_delete(c, b, false);
    if (rc)
        return rc;
    uint8_t kb[DX_SK_MAX];
    MDB_val key = { ikey(c, kb, b), kb }, val;
    if (c->wvalid && c->wend == b) {
        rc = mdb_cursor_get(c->ic, &key, &val, MDB_GET_CURRENT);
        if (rc)
            return dx__mdb(rc);
        if (val.mv_size == v->pos && memcmp(val.mv_data, v->wp, v->pos) == 0) {
            rc = mdb_cursor_get(c->ic, &key, &val, MDB_NEXT);
            return walk_load(c, rc, &key);
        }
    }
    key.mv_size = ikey(c, kb, b);
    key.mv_data = kb;
    val.mv_size = v->pos;
    val.mv_data = v->wp;
    if (!c->wvalid && c->append) {
        /* nothing of the region left after b: append if nothing at all is */
        rc = mdb_cursor_put(c->ic, &key, &val, MDB_APPEND);
        if (rc != MDB_KEYEXIST)
            return dx__mdb(rc);
        c->append = false;
        key.mv_size = ikey(c, kb, b);
        key.mv_data = kb;
        val.mv_size = v->pos;
        val.mv_data = v->wp;
    }
    rc = mdb_cursor_put(c->ic, &key, &val, 0);
    if (rc)
        return dx__mdb(rc);
    return c->wvalid ? walk_after(c, b) : 0;
}

static int stack_push(struct ictx *c, struct item *it)
{
    if (c->sp == c->scap) {
        size_t cap = c->scap ? c->scap * 2 : 64;
        struct item **s = realloc(c->stack, cap * sizeof(*s));
        if (!s)
            return DX_ENOMEM;
        c->stack = s;
        c->scap = cap;
    }
    c->stack[c->sp++] = it;
    return 0;
}

static int sweep(struct ictx *c, dx_u128 lo, dx_u128 hi);

/* Recompute the index over [lo, hi] (widened first unless whole). */
static int region(struct ictx *c, dx_u128 lo, dx_u128 hi, bool widen)
{
    int rc;
    if (widen) {
        dx_u128 s, e;
        rc = iv_find(c, lo, &s, &e);
        if (rc < 0)
            return rc;
        if (rc == 1 && s < lo)
            lo = s;
        rc = iv_find(c, hi, &s, &e);
        if (rc < 0)
            return rc;
        if (rc == 1 && e > hi)
            hi = e;
    }
    c->whi = hi;
    rc = walk_seek(c, lo);
    if (rc)
        return rc;
    c->n = 0;
    dx_bytes_reset(&c->txt);
    c->sp = 0;
    if (!widen && c->cap == 0) {
        /* whole address space: room for every entry of the database at
         * once (untouched room costs nothing), no regrowing copies */
        MDB_stat ms;
        if (mdb_stat(c->t->txn, c->t->st->entries, &ms) == 0 && ms.ms_entries > 256 &&
            ms.ms_entries < ((size_t)1 << 28)) {
            c->it = malloc(ms.ms_entries * sizeof(*c->it));
            if (c->it)
                c->cap = ms.ms_entries;
        }
    }
    rc = collect(c, lo, hi);
    if (rc == 0)
        rc = sweep(c, lo, hi);
    if (rc == 0)
        rc = walk_delete(c, 0, true);   /* records past the last interval */
    return rc;
}

/* The sweep over the collected items: emit the elementary intervals of
 * [lo, hi] in ascending order. */
static int sweep(struct ictx *c, dx_u128 lo, dx_u128 hi)
{
    int rc;
    if (c->n == 0)
        return 0;
    /* one list's entries come sorted from the database: sort only if not */
    for (size_t i = 1; i < c->n; i++) {
        if (item_cmp(&c->it[i - 1], &c->it[i]) > 0) {
            qsort(c->it, c->n, sizeof(*c->it), item_cmp);
            break;
        }
    }
    dx_u128 pos = lo;
    for (size_t i = 0; i < c->n; i++) {
        struct item *it = &c->it[i];
        while (c->sp > 0 && c->stack[c->sp - 1]->end < it->start) {
            dx_u128 end = c->stack[c->sp - 1]->end;
            if (pos <= end) {
                rc = emit(c, pos, end, lo, hi);
                if (rc)
                    return rc;
                pos = end + 1;  /* end < it->start: no overflow */
            }
            c->sp--;
        }
        if (c->sp > 0 && pos < it->start) {
            rc = emit(c, pos, it->start - 1, lo, hi);
            if (rc)
                return rc;
        }
        if (pos < it->start)
            pos = it->start;
        rc = stack_push(c, it);
        if (rc)
            return rc;
    }
    bool done = false;
    while (c->sp > 0 && !done) {
        dx_u128 end = c->stack[c->sp - 1]->end;
        if (pos <= end) {
            rc = emit(c, pos, end, lo, hi);
            if (rc)
                return rc;
            if (end == dx_addr_max(c->len) || end >= hi)
                done = true;
            else
                pos = end + 1;
        }
        c->sp--;
    }
    return 0;
}

/* The names of the lists of the zone (sorted), from the entries keys. */
static int zone_lists(struct ictx *c)
{
    MDB_cursor *ec;
    int rc = mdb_cursor_open(c->t->txn, c->t->st->entries, &ec);
    if (rc)
        return dx__mdb(rc);
    uint8_t kb[DX_SK_MAX];
    int pl = dx_sk_entry_prefix(kb, c->zone, NULL);
    if (pl < 0) {
        mdb_cursor_close(ec);
        return pl;
    }
    size_t pn = (size_t)pl;
    MDB_val key = { pn, kb }, v;
    rc = mdb_cursor_get(ec, &key, &v, MDB_SET_RANGE);
    while (rc == 0) {
        const uint8_t *k = key.mv_data;
        if (key.mv_size <= pn || memcmp(k, kb, pn) != 0)
            break;
        size_t ll;
        int nk = -1;
        /* the next list's keys start at zone \0 list \1 */
        if (dx_sk_entry_list(k, key.mv_size, pn, &ll) == 0)
            nk = dx_sk_entry_next_list(kb, c->zone, c->zl, (const char *)k + pn, ll);
        if (nk < 0) {
            rc = DX_EINVAL;
            break;
        }
        char *name = strndup((const char *)k + pn, ll);
        char **n = realloc(c->lists, (c->nlists + 1) * sizeof(*n));
        if (!name || !n) {
            free(name);
            if (n)
                c->lists = n;
            rc = DX_ENOMEM;
            break;
        }
        c->lists = n;
        c->lists[c->nlists++] = name;
        key.mv_size = (size_t)nk;
        key.mv_data = kb;
        rc = mdb_cursor_get(ec, &key, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(ec);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    return dx__mdb(rc);
}

static int range_cmp(const void *a, const void *b)
{
    const struct dx__range *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return 0;
}

static int group_commit(struct dx_txn *t, struct dx__touch *g)
{
    struct ictx c;
    memset(&c, 0, sizeof(c));
    c.t = t;
    c.zone = g->zone;
    c.zl = strlen(g->zone);
    c.fam = g->fam;
    c.len = dx_fam_len(g->fam);
    int rc = dx__zone_id(t, c.zone, c.zl, &c.id);  /* DX_ENOTFOUND: c.id 0, none yet */
    if (rc && rc != DX_ENOTFOUND)
        return rc;
    c.ipre_n = ikey(&c, c.ipre, 0);
    rc = dx__mdb(mdb_cursor_open(t->txn, t->st->index, &c.ic));
    if (rc)
        return rc;
    c.append = true;
    dx_bytes_growable(&c.txt);
    dx_bytes_growable(&c.val);
    rc = zone_lists(&c);
    if (rc == 0 && c.nlists > 0) {
        c.lnlen = malloc(c.nlists * sizeof(*c.lnlen));
        if (!c.lnlen)
            rc = DX_ENOMEM;
        for (size_t i = 0; rc == 0 && i < c.nlists; i++)
            c.lnlen[i] = strlen(c.lists[i]);
    }
    bool full = g->full;
    if (!full && g->n > DX__TOUCH_FULL) {
        MDB_stat ms;
        rc = dx__mdb(mdb_stat(t->txn, t->st->entries, &ms));
        full = rc == 0 && g->n > ms.ms_entries / 16;
    }
    if (rc == 0 && full) {
        rc = region(&c, 0, dx_addr_max(c.len), false);
    } else if (rc == 0 && g->n > 0) {
        qsort(g->r, g->n, sizeof(*g->r), range_cmp);
        struct dx__range cur = g->r[0];
        for (size_t i = 1; i <= g->n && rc == 0; i++) {
            if (i < g->n && g->r[i].lo <= cur.hi) {
                if (g->r[i].hi > cur.hi)
                    cur.hi = g->r[i].hi;
                continue;
            }
            rc = region(&c, cur.lo, cur.hi, true);
            if (i < g->n)
                cur = g->r[i];
        }
    }
    mdb_cursor_close(c.ic);
    for (size_t i = 0; i < c.nlists; i++)
        free(c.lists[i]);
    free(c.lists);
    free(c.lnlen);
    free(c.it);
    free(c.stack);
    dx_bytes_free(&c.txt);
    dx_bytes_free(&c.val);
    return rc;
}

int dx__ip_commit(struct dx_txn *t)
{
    for (size_t i = 0; i < t->ntouch; i++) {
        int rc = group_commit(t, &t->touch[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int dx__ip_rebuild(struct dx_store *st, MDB_txn *txn)
{
    struct dx_txn t = { .st = st, .txn = txn, .write = true };
    int rc = mdb_drop(txn, st->index, 0);
    if (rc == 0)
        rc = mdb_drop(txn, st->zoneids, 0);
    MDB_cursor *zc;
    if (rc == 0)
        rc = mdb_cursor_open(txn, st->zones, &zc);
    if (rc)
        return dx__mdb(rc);
    /* every zone with entries has a serial (zones) */
    MDB_val k, v;
    int mrc = mdb_cursor_get(zc, &k, &v, MDB_FIRST);
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(zc, &k, &v, MDB_NEXT)) {
        char *zone = strndup(k.mv_data, k.mv_size);
        if (!zone || strlen(zone) + 1 != k.mv_size) {
            rc = zone ? DX_EINVAL : DX_ENOMEM;
            free(zone);
            break;
        }
        static const uint8_t fams[] = { DX_FAM_V4, DX_FAM_V6 };
        for (size_t i = 0; i < 2 && rc == 0; i++) {
            struct dx__touch g = { .zone = zone, .fam = fams[i], .full = true };
            rc = group_commit(&t, &g);
        }
        free(zone);
    }
    mdb_cursor_close(zc);
    return rc ? rc : mrc == MDB_NOTFOUND ? 0 : dx__mdb(mrc);
}

/* Record the address range of ip key k in zone as touched. */
int dx__ip_touch(struct dx_txn *t, const char *zone, const struct dx_key *k)
{
    struct dx__touch *g = NULL;
    for (size_t i = t->ntouch; i-- > 0;) {
        if (t->touch[i].fam == k->family && strcmp(t->touch[i].zone, zone) == 0) {
            g = &t->touch[i];
            break;
        }
    }
    if (!g) {
        if (t->ntouch == t->captouch) {
            size_t cap = t->captouch ? t->captouch * 2 : 4;
            struct dx__touch *n = realloc(t->touch, cap * sizeof(*n));
            if (!n)
                return DX_ENOMEM;
            t->touch = n;
            t->captouch = cap;
        }
        g = &t->touch[t->ntouch];
        memset(g, 0, sizeof(*g));
        g->zone = strdup(zone);
        if (!g->zone)
            return DX_ENOMEM;
        g->fam = k->family;
        t->ntouch++;
    }
    if (g->full)
        return 0;
    if (g->n == DX__TOUCH_MAX) {
        g->full = true;
        free(g->r);
        g->r = NULL;
        g->n = g->cap = 0;
        return 0;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct dx__range *r = realloc(g->r, cap * sizeof(*r));
        if (!r)
            return DX_ENOMEM;
        g->r = r;
        g->cap = cap;
    }
    dx_u128 lo = dx_be_n(k->addr, k->len);
    g->r[g->n].lo = lo;
    g->r[g->n].hi = lo | dx_hostmask(k->plen, k->len);
    g->n++;
    return 0;
}
