/* The IXFR journal (zones/journal.h): a change's difference, the commit
 * hook that journals it, and the condensed difference between serials. */
#include "zones/journal.h"

#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/schema.h"

void dx_jdiff_init(struct dx_jdiff *d)
{
    memset(d, 0, sizeof(*d));
    dx_bytes_growable(&d->del);
    dx_bytes_growable(&d->add);
}

void dx_jdiff_free(struct dx_jdiff *d)
{
    dx_bytes_free(&d->del);
    dx_bytes_free(&d->add);
    d->ndel = d->nadd = 0;
}

int dx_jdiff_foreach(const struct dx_bytes *b, dx_rr_cb cb, void *arg)
{
    struct dx_bytes r;
    dx_bytes_reader(&r, b->wp, b->pos);
    while (dx_bytes_left(&r) > 0) {
        struct dx_rr rr;
        int rc = dx_sv_jrr_get(&r, &rr.owner, &rr.owner_len, &rr.type, &rr.ttl, &rr.rdata,
                               &rr.rdlen);
        if (rc)
            return rc;
        if ((rc = cb(arg, &rr)) != 0)
            return rc;
    }
    return 0;
}

/* --- a set of records, sorted by their journal bytes ---------------------------------- */

struct rref {
    const uint8_t *p;                /* the record's bytes (schema.h dx_sv_jrr_put) */
    size_t n;
    uint32_t seq;                    /* dx_journal_diff: the change it came from */
    uint8_t add;                     /* ... and which side */
};

struct rset {
    struct dx_bytes b;
    size_t *off;                     /* record i: b from off[i] to off[i + 1] (or b.pos) */
    size_t n, cap;
    uint64_t max;
    struct rref *r;                  /* after rset_sort */
};

static int rset_add(void *arg, const struct dx_rr *rr)
{
    struct rset *s = arg;
    if (rr->type == DX_RR_SOA || rr->type == DX_RR_NS)
        return 0;                       /* the apex: not a change's (the SOA is the IXFR's) */
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        size_t *o = realloc(s->off, cap * sizeof(*o));
        if (!o)
            return DX_ENOMEM;
        s->off = o;
        s->cap = cap;
    }
    s->off[s->n++] = s->b.pos;
    dx_sv_jrr_put(&s->b, rr->owner, rr->owner_len, rr->type, rr->ttl, rr->rdata, rr->rdlen);
    if (s->b.err)
        return s->b.err;
    return s->b.pos > s->max ? DX_ERANGE : 0;
}

static int rref_cmp(const void *a, const void *b)
{
    const struct rref *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    if (c == 0 && x->n != y->n)
        c = x->n < y->n ? -1 : 1;
    if (c == 0 && x->seq != y->seq)
        c = x->seq < y->seq ? -1 : 1;
    if (c == 0 && x->add != y->add)
        c = x->add < y->add ? -1 : 1;
    return c;
}

/* Sort the records and drop repeats (a record seen by two walks). */
static int rset_sort(struct rset *s)
{
    s->r = malloc((s->n ? s->n : 1) * sizeof(*s->r));
    if (!s->r)
        return DX_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        size_t end = i + 1 < s->n ? s->off[i + 1] : s->b.pos;
        s->r[i] = (struct rref){ s->b.wp + s->off[i], end - s->off[i], 0, 0 };
    }
    qsort(s->r, s->n, sizeof(*s->r), rref_cmp);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (k == 0 || rref_cmp(&s->r[k - 1], &s->r[i]) != 0)
            s->r[k++] = s->r[i];
    s->n = k;
    return 0;
}

static void rset_free(struct rset *s)
{
    dx_bytes_free(&s->b);
    free(s->off);
    free(s->r);
}

/* --- a change's difference ------------------------------------------------------------- */

struct target {
    uint8_t fam;
    unsigned depth;
    dx_u128 addr;
};

struct targets {
    struct target *t;
    size_t n, cap;
};

static int target_add(struct targets *ts, uint8_t fam, unsigned depth, dx_u128 addr)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 16;
        struct target *n = realloc(ts->t, cap * sizeof(*n));
        if (!n)
            return DX_ENOMEM;
        ts->t = n;
        ts->cap = cap;
    }
    ts->t[ts->n++] = (struct target){ fam, depth, addr };
    return 0;
}

/* A touched range: the name-tree node that holds it (the deepest whose
 * block covers it). A family whose ranges the txn stopped counting (more
 * than DX__TOUCH_MAX, zones/store_txn.h) is a change too big to journal:
 * walking the whole zone twice to find so would double the cost of the
 * import that made it. A range holding 127.0.0.2 also changes the IPv6 test
 * point ::ffff:127.0.0.2, which dnsxld answers from the IPv4 data. */
static int touched(void *arg, uint8_t fam, bool full, dx_u128 lo, dx_u128 hi)
{
    struct targets *ts = arg;
    if (full)
        return DX_ERANGE;               /* too many ranges for the store to keep: too big */
    size_t alen = dx_fam_len(fam);
    unsigned bits = (unsigned)alen * 8, g = fam == DX_FAM_V4 ? 8 : 4, cpl = 0;
    dx_u128 x = lo ^ hi;
    while (cpl < bits && !((x >> (bits - 1 - cpl)) & 1))
        cpl++;
    unsigned depth = full ? 0 : cpl / g;
    dx_u128 addr = lo & ~dx_hostmask(depth * g, alen);
    int rc = target_add(ts, fam, depth, addr);
    if (rc == 0 && fam == DX_FAM_V4 && lo <= 0x7f000002u && hi >= 0x7f000002u)
        rc = target_add(ts, DX_FAM_V6, 32, (dx_u128)0xffff7f000002u);
    return rc;
}

static int target_cmp(const void *a, const void *b)
{
    const struct target *x = a, *y = b;
    if (x->fam != y->fam)
        return x->fam < y->fam ? -1 : 1;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int walk_targets(struct dx_txn *t, uint64_t at, const struct dx_zrr_zone *z,
                        const struct targets *ts, struct rset *s)
{
    for (size_t i = 0; i < ts->n; i++) {
        int rc = dx_zrr_walk_under(t, z, at, ts->t[i].fam, ts->t[i].addr, ts->t[i].depth,
                                   rset_add, s);
        if (rc)
            return rc;
        if (ts->t[i].depth == 0)
            break;                      /* the whole zone: every other target is in it */
    }
    return rset_sort(s);
}

/* --- domain zones: the names touched ------------------------------------------------- */

struct names {
    struct dx_bytes b;               /* name \0 each */
    size_t n;
};

static int name_touched(void *arg, bool full, const char *name, size_t len)
{
    struct names *ns = arg;
    /* too many to keep, or a name at or below excluded*: every CNAME's
     * target may change with it (zonerr.h) */
    (void)len;
    if (full || strstr(name, "excluded") != NULL)
        return DX_ERANGE;
    dx_put(&ns->b, name, len + 1);
    ns->n++;
    return ns->b.err;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int walk_names(struct dx_txn *t, uint64_t at, const struct dx_zrr_zone *z,
                      const char *const *v, size_t n, struct rset *s)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = v[i] ? dx_zrr_walk_name(t, z, at, v[i], strlen(v[i]), rset_add, s)
                  : dx_zrr_walk(t, z, at, rset_add, s);
    return rc ? rc : rset_sort(s);
}

/* The sorted, distinct names of a domain change (NULL: the whole zone,
 * after a read txn `after`): *v (free it and *buf). */
static int domain_names(struct dx_txn *after, const struct dx_zrr_zone *z, struct names *ns,
                        const char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    dx_bytes_growable(&ns->b);
    int rc = dx_txn_now(after) ? dx_txn_touched_names(after, z->name, name_touched, ns) : 0;
    if (rc)
        return rc;
    size_t cnt = dx_txn_now(after) ? ns->n : 1;
    const char **a = calloc(cnt ? cnt : 1, sizeof(*a));
    if (!a)
        return DX_ENOMEM;
    const char *p = (const char *)ns->b.wp;
    for (size_t i = 0; dx_txn_now(after) && i < cnt; i++) {
        a[i] = p;
        p += strlen(p) + 1;
    }
    qsort(a, dx_txn_now(after) ? cnt : 0, sizeof(*a), name_cmp);
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++)
        if (k == 0 || !a[i] || !a[k - 1] || strcmp(a[k - 1], a[i]) != 0)
            a[k++] = a[i];
    *v = a;
    *n = k;
    return 0;
}

static int diff_sets(struct rset *o, struct rset *n, struct dx_jdiff *d)
{
    size_t i = 0, j = 0;
    int rc = 0;
    while (rc == 0 && (i < o->n || j < n->n)) {
        int c = i == o->n ? 1 : j == n->n ? -1 : rref_cmp(&o->r[i], &n->r[j]);
        if (c < 0) {
            dx_put(&d->del, o->r[i].p, o->r[i].n);
            d->ndel++;
            i++;
        } else if (c > 0) {
            dx_put(&d->add, n->r[j].p, n->r[j].n);
            d->nadd++;
            j++;
        } else {
            i++;
            j++;
        }
        rc = d->del.err ? d->del.err : d->add.err;
    }
    return rc;
}

static int domain_change(struct dx_txn *before, uint64_t before_at, struct dx_txn *after,
                         uint64_t after_at, const struct dx_zrr_zone *z, uint64_t max,
                         struct dx_jdiff *d)
{
    struct names ns = { 0 };
    const char **v = NULL;
    size_t nv = 0;
    int rc = domain_names(after, z, &ns, &v, &nv);
    struct rset o = { .max = max }, n = { .max = max };
    dx_bytes_growable(&o.b);
    dx_bytes_growable(&n.b);
    if (rc == 0)
        rc = walk_names(before, before_at, z, v, nv, &o);
    if (rc == 0)
        rc = walk_names(after, after_at, z, v, nv, &n);
    if (rc == 0)
        rc = diff_sets(&o, &n, d);
    rset_free(&o);
    rset_free(&n);
    free(v);
    dx_bytes_free(&ns.b);
    return rc;
}

int dx_journal_change(struct dx_txn *before, uint64_t before_at, struct dx_txn *after,
                      uint64_t after_at, const struct dx_zrr_zone *z, uint64_t max,
                      struct dx_jdiff *d)
{
    if (z->kind == DX_ZONE_DOMAIN)
        return domain_change(before, before_at, after, after_at, z, max, d);
    struct targets ts = { 0 };
    int rc = dx_txn_now(after) ? dx_txn_touched(after, z->name, touched, &ts)
                               : target_add(&ts, DX_FAM_V4, 0, 0);
    if (rc == 0 && ts.n > 1) {
        qsort(ts.t, ts.n, sizeof(*ts.t), target_cmp);
        size_t k = 0;
        for (size_t i = 0; i < ts.n; i++) {
            if (ts.t[i].depth == 0) {   /* the whole zone */
                ts.t[0] = ts.t[i];
                k = 1;
                break;
            }
            if (k == 0 || target_cmp(&ts.t[k - 1], &ts.t[i]) != 0)
                ts.t[k++] = ts.t[i];
        }
        ts.n = k;
    }
    struct rset o = { .max = max }, n = { .max = max };
    dx_bytes_growable(&o.b);
    dx_bytes_growable(&n.b);
    if (rc == 0)
        rc = walk_targets(before, before_at, z, &ts, &o);
    if (rc == 0)
        rc = walk_targets(after, after_at, z, &ts, &n);
    if (rc == 0)
        rc = diff_sets(&o, &n, d);
    rset_free(&o);
    rset_free(&n);
    free(ts.t);
    return rc;
}

/* --- the commit hook ------------------------------------------------------------------- */

struct jzone {
    struct dx_zrr_zone *z;
    uint64_t max, age;
};

struct jctx {
    struct jzone *z;
    size_t n;
};

static void jctx_free(void *arg)
{
    struct jctx *c = arg;
    for (size_t i = 0; c && i < c->n; i++)
        dx_zrr_zone_free(c->z[i].z);
    if (c)
        free(c->z);
    free(c);
}

/* Errors that only mean "no difference this time": drop the journal. */
static bool soft(int rc)
{
    return rc == DX_ERANGE || rc == DX_ENOMEM || rc == DX_ENOTFOUND;
}

static int hook(void *arg, struct dx_txn *w, const char *zone, bool had_old, uint32_t old,
                uint32_t serial)
{
    struct jctx *c = arg;
    const struct jzone *jz = NULL;
    for (size_t i = 0; i < c->n && !jz; i++)
        if (strcmp(c->z[i].z->name, zone) == 0)
            jz = &c->z[i];
    if (!jz || !had_old)
        return dx_journal_drop(w, zone);
    uint64_t now = dx_txn_now(w);
    struct dx_txn *r = NULL;
    struct dx_jdiff d;
    dx_jdiff_init(&d);
    int rc = dx_txn_read(dx_txn_store(w), &r);
    if (rc == 0)
        rc = dx_journal_change(r, DX_XFR_CLOCK, w, DX_XFR_CLOCK, jz->z, jz->max, &d);
    dx_txn_abort(r);
    struct dx_bytes v;
    dx_bytes_growable(&v);
    if (rc == 0) {
        struct dx_jhead h = { old, serial, now, (uint32_t)d.ndel, (uint32_t)d.nadd };
        dx_sv_jhead_put(&v, &h);
        dx_put(&v, d.del.wp, d.del.pos);
        dx_put(&v, d.add.wp, d.add.pos);
        rc = v.err ? v.err : v.pos > jz->max ? DX_ERANGE : 0;
    }
    dx_jdiff_free(&d);
    if (rc == 0)
        rc = dx_journal_append(w, zone, v.wp, v.pos, jz->max,
                               now > jz->age ? now - jz->age : 0);
    else if (soft(rc))
        rc = dx_journal_drop(w, zone);
    dx_bytes_free(&v);
    return rc;
}

int dx_journal_attach(struct dx_store *st, const struct dx_conf *conf)
{
    struct jctx *c = calloc(1, sizeof(*c));
    if (!c || !(c->z = calloc(conf->n_zones ? conf->n_zones : 1, sizeof(*c->z)))) {
        free(c);
        return DX_ENOMEM;
    }
    for (size_t i = 0; i < conf->n_zones; i++) {
        const struct dx_zone_conf *zc = &conf->zones[i];
        if (zc->ixfr_journal == 0)
            continue;
        struct jzone *jz = &c->z[c->n];
        if (dx_zrr_zone_new(zc, &jz->z)) {
            jctx_free(c);
            return DX_ENOMEM;
        }
        jz->max = zc->ixfr_journal;
        jz->age = zc->ixfr_journal_age;
        c->n++;
    }
    dx_store_set_commit_hook(st, hook, jctx_free, c);
    return 0;
}

/* --- the condensed difference ---------------------------------------------------------- */

struct chain {
    uint32_t from, cur;
    bool started, broken;
    uint32_t seq;
    struct rref *ops;
    size_t n, cap;
    int err;
};

static int chain_op(struct chain *ch, struct dx_bytes *r, uint8_t add)
{
    size_t at = r->pos;
    struct dx_rr rr;
    if (dx_sv_jrr_get(r, &rr.owner, &rr.owner_len, &rr.type, &rr.ttl, &rr.rdata, &rr.rdlen))
        return DX_EINVAL;
    if (ch->n == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 256;
        struct rref *o = realloc(ch->ops, cap * sizeof(*o));
        if (!o)
            return DX_ENOMEM;
        ch->ops = o;
        ch->cap = cap;
    }
    ch->ops[ch->n++] = (struct rref){ r->rp + at, r->pos - at, ch->seq, add };
    return 0;
}

static int chain_cb(void *arg, const uint8_t *v, size_t n)
{
    struct chain *ch = arg;
    struct dx_bytes r;
    struct dx_jhead h;
    dx_bytes_reader(&r, v, n);
    if (dx_sv_jhead_get(&r, &h))
        return DX_EINVAL;
    if (!ch->started) {
        if (h.from != ch->from)
            return 0;
        ch->started = true;
    } else if (h.from != ch->cur) {
        ch->broken = true;              /* a change the journal does not hold */
        return 1;
    }
    ch->cur = h.to;
    ch->seq++;
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < h.ndel; i++)
        rc = chain_op(ch, &r, 0);
    for (uint32_t i = 0; rc == 0 && i < h.nadd; i++)
        rc = chain_op(ch, &r, 1);
    return rc;
}

int dx_journal_diff(struct dx_txn *t, const char *zone, uint32_t from, uint32_t to,
                    struct dx_jdiff *d)
{
    struct chain ch = { .from = from };
    int rc = dx_journal_foreach(t, zone, chain_cb, &ch);
    if (rc < 0 || ch.broken || !ch.started || ch.cur != to) {
        free(ch.ops);
        return rc < 0 ? rc : 0;
    }
    /* per record, in change order: in the zone at `from` when its first
     * operation removes it, in the zone at `to` when its last one adds it */
    if (ch.n)
        qsort(ch.ops, ch.n, sizeof(*ch.ops), rref_cmp);
    for (size_t i = 0, j; i < ch.n; i = j) {
        for (j = i + 1; j < ch.n && ch.ops[j].n == ch.ops[i].n &&
                        memcmp(ch.ops[j].p, ch.ops[i].p, ch.ops[i].n) == 0;
             j++)
            ;
        bool was = !ch.ops[i].add, is = ch.ops[j - 1].add;
        if (was && !is) {
            dx_put(&d->del, ch.ops[i].p, ch.ops[i].n);
            d->ndel++;
        } else if (!was && is) {
            dx_put(&d->add, ch.ops[i].p, ch.ops[i].n);
            d->nadd++;
        }
    }
    free(ch.ops);
    rc = d->del.err ? d->del.err : d->add.err;
    return rc ? rc : 1;
}
