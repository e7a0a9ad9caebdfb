/* The records of an ip zone (zones/zonerr.h): one depth-first walk over
 * the name tree, both families at once where their names coincide, each
 * family's interval index read forward once (zones/walk.h).
 *
 * A node of depth k is required when an unexpired entry of depth >= k
 * overlaps it (a test point counts as one). The children of a node are
 * found by scanning its intervals from the family's position for one with
 * such an entry ("deep"); intervals without one are passed over. What the
 * entries containing a node answer (its wildcard, W) comes from any
 * interval inside it, keeping the entries no more specific than the node
 * (struct src: an interval's value and that bound). A child that is not
 * required in a family has its parent's W in that family (no entry of its
 * own depth covers it). */
#include "zones/zonerr_int.h"

#include <stdio.h>
#include <string.h>

#include "zones/err.h"
#include "zones/schema.h"
#include "zones/schema_index.h"
#include "zones/walk.h"

enum { M4 = 1, M6 = 2, MS = 3 };        /* a node's families: IPv4, IPv6, both */

struct fam {
    struct dx_ipwalk *w;
    uint8_t fam;
    size_t alen;
    unsigned g, maxd;                   /* bits per label; labels of an address */
    dx_u128 pos;                        /* the first address not walked yet */
    bool end;                           /* ... past the last one */
    dx_u128 tp[2];                      /* the test points, ascending */
};

struct src {                            /* W: an interval and the most specific prefix */
    const uint8_t *val;                 /* NULL: nothing covers */
    size_t vlen;
    unsigned maxplen;
    const uint8_t *endp;                /* the interval's last address (its key's) */
};

struct ipw {
    struct zw *w;
    struct fam f4, f6;
    char lab[33][4];                    /* the label of the current node at each depth */
    uint8_t labn[33];
};

static const dx_u128 MAPPED = (dx_u128)0xffff << 32;      /* ::ffff:0:0/96 */

/* --- an interval's chain ------------------------------------------------------------- */

/* Per list, the first unexpired element no more specific than s->maxplen
 * decides (an exclusion: not listed). *covered: some element decided. */
static int eval(struct ipw *x, const struct fam *f, const struct src *s, struct dx_hit *hits,
                size_t *nh, bool *covered)
{
    *nh = 0;
    *covered = false;
    if (!s->val)
        return 0;
    struct dx_ivalue iv;
    if (!dx_sv_index_open(&iv, s->val, s->vlen, s->endp, f->alen))
        return DX_EINVAL;
    const char *list;
    while ((list = dx_sv_index_list(&iv))) {
        struct dx_ielem e;
        while (dx_sv_index_elem(&iv, &e)) {
            if (e.plen > s->maxplen || (e.expires && e.expires <= x->w->now))
                continue;
            *covered = true;
            if (!(e.flags & DX_ENTRY_EXCLUDE) && *nh < DX_HITS_MAX)
                hits[(*nh)++] = (struct dx_hit){
                    .list = list, .code = e.code, .txt = e.txt, .expires_at = e.expires,
                    .plen = e.plen, .family = f->fam, .key = e.addr, .key_len = (uint8_t)f->alen,
                };
            break;
        }
    }
    return iv.b.err ? DX_EINVAL : 0;
}

/* Does the interval hold an unexpired entry of depth >= k1? */
static int deep(struct ipw *x, const struct fam *f, const struct dx_ipiv *iv, unsigned k1)
{
    struct dx_ivalue v;
    if (!dx_sv_index_open(&v, iv->val, iv->vlen, iv->endp, f->alen))
        return DX_EINVAL;
    unsigned above = f->g * (k1 - 1);
    while (dx_sv_index_list(&v)) {
        struct dx_ielem e;
        while (dx_sv_index_elem(&v, &e))
            if ((k1 == 1 || e.plen > above) && (!e.expires || e.expires > x->w->now))
                return 1;
    }
    return v.b.err ? DX_EINVAL : 0;
}

/* The next required child (depth k1) of the block [blo, bhi] from the
 * family's position: 1 with *at an address that makes it required and *s
 * its W, 0 for none, or an error. A test point before the next deep
 * interval comes first, so the walk never moves past it. */
static int next_child(struct ipw *x, struct fam *f, dx_u128 blo, dx_u128 bhi, unsigned k1,
                      dx_u128 *at, struct src *s)
{
    if (f->end)
        return 0;
    dx_u128 a = f->pos > blo ? f->pos : blo, limit = bhi;
    if (a > bhi)
        return 0;
    int ti = -1;
    for (int i = 0; i < 2 && ti < 0; i++)
        if (f->tp[i] >= a && f->tp[i] <= bhi)
            ti = i;
    bool scan = true;
    if (ti >= 0) {
        if (f->tp[ti] == a)
            scan = false;
        else
            limit = f->tp[ti] - 1;
    }
    struct dx_ipiv iv;
    while (scan && a <= limit) {
        int rc = dx_ipwalk_seek(f->w, a, &iv);
        if (rc < 0)
            return rc;
        if (rc == 0 || iv.start > limit)
            break;
        if (iv.start > a)
            a = iv.start;
        int d = deep(x, f, &iv, k1);
        if (d < 0)
            return d;
        if (d) {
            *at = a;
            *s = (struct src){ iv.val, iv.vlen, f->g * k1, iv.endp };
            return 1;
        }
        if (iv.end >= limit)
            break;
        a = iv.end + 1;
    }
    if (ti < 0)
        return 0;
    *at = f->tp[ti];
    int rc = dx_ipwalk_seek(f->w, *at, &iv);
    if (rc < 0)
        return rc;
    *s = rc == 1 && iv.start <= *at ? (struct src){ iv.val, iv.vlen, f->g * k1, iv.endp }
                                    : (struct src){ NULL, 0, 0, NULL };
    return 1;
}

/* --- names and records ------------------------------------------------------------------ */

static dx_u128 block_hi(const struct fam *f, dx_u128 lo, unsigned k)
{
    return lo | dx_hostmask(f->g * k, f->alen);
}

/* The label of address a at depth k in family f. */
static unsigned label_of(const struct fam *f, dx_u128 a, unsigned k)
{
    return (unsigned)(a >> (f->alen * 8 - f->g * k)) & ((1u << f->g) - 1);
}

static void set_label(struct ipw *x, unsigned k, unsigned v, bool hex)
{
    x->labn[k] = (uint8_t)snprintf(x->lab[k], sizeof(x->lab[k]), hex ? "%x" : "%u", v);
}

/* The owner of the node at depth k (wild: its wildcard): 0 when too long. */
static size_t owner(const struct ipw *x, unsigned k, bool wild, uint8_t out[256])
{
    const struct dx_zrr_zone *z = x->w->z;
    size_t o = 0;
    if (wild) {
        out[o++] = 1;
        out[o++] = '*';
    }
    for (unsigned d = k; d >= 1; d--) {
        if (o + 1 + x->labn[d] + z->wire_len > 255)
            return 0;
        out[o++] = x->labn[d];
        memcpy(out + o, x->lab[d], x->labn[d]);
        o += x->labn[d];
    }
    memcpy(out + o, z->wire, z->wire_len);
    return o + z->wire_len;
}

/* The answer s gives at the node (an address: subject is its text; a
 * wildcard: NULL). *n: the lists answered; *covered as eval. */
static int answer(struct ipw *x, const struct fam *f, const struct src *s, unsigned k,
                  const char *subject, size_t *n, bool *covered)
{
    struct dx_hit hits[DX_HITS_MAX];
    size_t nh;
    *n = 0;
    int rc = eval(x, f, s, hits, &nh, covered);
    if (rc || nh == 0)
        return rc;
    uint8_t o[256];
    size_t on = owner(x, k, !subject, o);
    if (!on)
        return 0;
    return dx__zw_answer(x->w, o, on, hits, nh, subject, false, n);
}

/* The RFC 5782 test point 127.0.0.2 (::ffff:7f00:2): the store's answer
 * for 127.0.0.2, else the zone's first list. */
static int test_point(struct ipw *x, unsigned k, size_t *n)
{
    struct dx_key q;
    static const uint8_t tp[4] = { 127, 0, 0, 2 };
    dx_key_from_addr(&q, tp, 4);
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(x->w->t, x->w->z->name, &q, x->w->now, hits, DX_HITS_MAX);
    if (nh < 0)
        return nh;
    uint8_t o[256];
    size_t on = owner(x, k, false, o);
    *n = 0;
    return on ? dx__zw_answer(x->w, o, on, hits, (size_t)nh, "127.0.0.2", true, n) : 0;
}

static int excluded(struct ipw *x, unsigned k, bool wild)
{
    uint8_t o[256];
    size_t on = owner(x, k, wild, o);
    return on ? dx__zw_excluded(x->w, o, on) : 0;
}

/* --- the walk ------------------------------------------------------------------------------ */

static int visit(struct ipw *x, unsigned mode, unsigned k, dx_u128 lo4, dx_u128 lo6,
                 struct src s4, struct src s6, bool *exists);

/* Past the block of depth k at lo in family f. */
static void advance(struct fam *f, dx_u128 lo, unsigned k)
{
    dx_u128 hi = block_hi(f, lo, k);
    if (hi == dx_addr_max(f->alen))
        f->end = true;
    else if (f->pos <= hi)
        f->pos = hi + 1;
}

/* The children of a node of one family (mode M4 or M6). */
static int fam_children(struct ipw *x, struct fam *f, unsigned mode, unsigned k, dx_u128 lo,
                        bool *any)
{
    dx_u128 hi = block_hi(f, lo, k), a;
    struct src s;
    int rc;
    while ((rc = next_child(x, f, lo, hi, k + 1, &a, &s)) == 1) {
        dx_u128 c = a & ~dx_hostmask(f->g * (k + 1), f->alen);
        set_label(x, k + 1, label_of(f, a, k + 1), mode == M6);
        struct src none = { NULL, 0, 0, NULL };
        bool e;
        rc = visit(x, mode, k + 1, mode == M4 ? c : 0, mode == M6 ? c : 0,
                   mode == M4 ? s : none, mode == M6 ? s : none, &e);
        if (rc)
            return rc;
        *any |= e;
        advance(f, c, k + 1);
    }
    return rc;
}

/* The children of a node both families share (its labels all one digit;
 * k <= 3; k = 0 is the apex): the ten digits (shared), then IPv4's
 * 10..255, then IPv6's a..f, so both walks move forward. forced: the
 * node's IPv4 and IPv6 wildcards differ, so all 16 nibbles must exist. */
static int shared_children(struct ipw *x, unsigned k, dx_u128 lo4, dx_u128 lo6,
                           const struct src *s4, const struct src *s6, bool forced, bool *any)
{
    struct fam *f4 = &x->f4, *f6 = &x->f6;
    dx_u128 hi4 = block_hi(f4, lo4, k), hi6 = block_hi(f6, lo6, k), a4 = 0, a6 = 0;
    struct src c4, c6;
    int h4 = next_child(x, f4, lo4, hi4, k + 1, &a4, &c4);
    int h6 = h4 < 0 ? 0 : next_child(x, f6, lo6, hi6, k + 1, &a6, &c6);
    if (h4 < 0 || h6 < 0)
        return h4 < 0 ? h4 : h6;
    unsigned sh4 = 32 - 8 * (k + 1), sh6 = 128 - 4 * (k + 1);
    bool e;
    int rc;
    for (unsigned d = 0; d < 16; d++) {
        if (d == 10) {                  /* IPv4 only: 10..255 */
            while (h4 == 1) {
                dx_u128 c = a4 & ~dx_hostmask(8 * (k + 1), 4);
                set_label(x, k + 1, label_of(f4, a4, k + 1), false);
                struct src none = { NULL, 0, 0, NULL };
                if ((rc = visit(x, M4, k + 1, c, 0, c4, none, &e)) != 0)
                    return rc;
                *any |= e;
                advance(f4, c, k + 1);
                if ((h4 = next_child(x, f4, lo4, hi4, k + 1, &a4, &c4)) < 0)
                    return h4;
            }
        }
        bool r4 = d < 10 && h4 == 1 && label_of(f4, a4, k + 1) == d;
        bool r6 = h6 == 1 && label_of(f6, a6, k + 1) == d;
        if (!r4 && !r6 && !forced)
            continue;
        set_label(x, k + 1, d, d >= 10);
        dx_u128 l6 = lo6 | (dx_u128)d << sh6;
        if (d < 10) {
            dx_u128 l4 = lo4 | (dx_u128)d << sh4;
            rc = visit(x, MS, k + 1, l4, l6, r4 ? c4 : *s4, r6 ? c6 : *s6, &e);
            advance(f4, l4, k + 1);
        } else {
            struct src none = { NULL, 0, 0, NULL };
            rc = visit(x, M6, k + 1, 0, l6, none, r6 ? c6 : *s6, &e);
        }
        if (rc)
            return rc;
        *any |= e;
        advance(f6, l6, k + 1);
        if (r4 && (h4 = next_child(x, f4, lo4, hi4, k + 1, &a4, &c4)) < 0)
            return h4;
        if (r6 && (h6 = next_child(x, f6, lo6, hi6, k + 1, &a6, &c6)) < 0)
            return h6;
    }
    return 0;
}

/* Move family f to address lo, forgetting where its walk was. */
static void rewind_to(struct fam *f, dx_u128 lo)
{
    dx_ipwalk_rewind(f->w);
    f->pos = lo;
    f->end = false;
}

/* Is a child of depth k1 in [lo, hi] of f required, outside [xlo, xhi]
 * (the path's child; xlo > xhi: none)? 1, 0 or an error. */
static int other_child(struct ipw *x, struct fam *f, dx_u128 lo, dx_u128 hi, unsigned k1,
                       dx_u128 xlo, dx_u128 xhi)
{
    dx_u128 a;
    struct src s;
    rewind_to(f, lo);
    int rc = next_child(x, f, lo, hi, k1, &a, &s);
    if (rc != 1 || xlo > xhi || a < xlo || a > xhi)
        return rc;
    if (xhi >= hi)
        return 0;
    rewind_to(f, xhi + 1);
    return next_child(x, f, lo, hi, k1, &a, &s);
}

/* dx_zrr_walk_under, above the node: of the children of a node of depth k
 * (mode, blocks lo4/lo6, wildcards s4/s6, forced as shared_children) visit
 * only the one on the way to the node, as the whole walk would (if it
 * would), and set *any as the whole walk would (some child exists). */
static int path_children(struct ipw *x, unsigned mode, unsigned k, dx_u128 lo4, dx_u128 lo6,
                         const struct src *s4, const struct src *s6, bool forced, bool *any)
{
    struct fam *f4 = &x->f4, *f6 = &x->f6;
    const struct fam *ft = x->w->ufam == DX_FAM_V4 ? f4 : f6;
    unsigned L = label_of(ft, x->w->uaddr, k + 1);
    unsigned cm = mode;
    if (mode == MS && k <= 3)
        cm = L < 10 ? MS : x->w->ufam == DX_FAM_V4 ? M4 : M6;
    else if (mode == MS)
        cm = M6;
    dx_u128 c4 = 0, c6 = 0, h4 = 0, h6 = 0;
    if (cm & M4) {
        c4 = lo4 | (dx_u128)L << (32 - 8 * (k + 1));
        h4 = block_hi(f4, c4, k + 1);
    }
    if (cm & M6) {
        c6 = lo6 | (dx_u128)L << (128 - 4 * (k + 1));
        h6 = block_hi(f6, c6, k + 1);
    }
    struct src r4s = { NULL, 0, 0, NULL }, r6s = { NULL, 0, 0, NULL };
    dx_u128 a;
    int r4 = 0, r6 = 0;
    if (cm & M4) {
        rewind_to(f4, c4);
        r4 = next_child(x, f4, c4, h4, k + 1, &a, &r4s);
    }
    if (r4 >= 0 && (cm & M6)) {
        rewind_to(f6, c6);
        r6 = next_child(x, f6, c6, h6, k + 1, &a, &r6s);
    }
    if (r4 < 0 || r6 < 0)
        return r4 < 0 ? r4 : r6;
    bool shared = mode == MS && k <= 3;
    bool visited = r4 || r6 || (shared && forced && cm != M4);
    *any = visited || (shared && forced);
    /* the other children, for *any */
    if (!*any && (mode & M4) && k < 4) {
        int o = other_child(x, f4, lo4, block_hi(f4, lo4, k), k + 1, (cm & M4) ? c4 : 1,
                            (cm & M4) ? h4 : 0);
        if (o < 0)
            return o;
        *any = o;
    }
    if (!*any && (mode & M6)) {
        int o = other_child(x, f6, lo6, block_hi(f6, lo6, k), k + 1, (cm & M6) ? c6 : 1,
                            (cm & M6) ? h6 : 0);
        if (o < 0)
            return o;
        *any = o;
    }
    if (!visited)
        return 0;
    if (cm & M4)
        rewind_to(f4, c4);
    if (cm & M6)
        rewind_to(f6, c6);
    set_label(x, k + 1, L, cm == M6);
    struct src none = { NULL, 0, 0, NULL };
    struct src v4 = cm == M4 ? r4s : cm == MS ? (r4 ? r4s : *s4) : none;
    struct src v6 = cm == M4 ? none : shared ? (r6 ? r6s : *s6) : r6s;
    bool e;
    return visit(x, cm, k + 1, c4, c6, v4, v6, &e);
}

/* A node of depth k >= 1: its records after those of its children, or
 * "not listed" if it must exist and has nothing of its own. */
static int visit(struct ipw *x, unsigned mode, unsigned k, dx_u128 lo4, dx_u128 lo6,
                 struct src s4, struct src s6, bool *exists)
{
    struct fam *f4 = &x->f4, *f6 = &x->f6;
    const struct src none = { NULL, 0, 0, NULL };
    if ((mode & M6) && lo6 >= MAPPED && block_hi(f6, lo6, k) <= (MAPPED | 0xffffffffu))
        s6 = none;                      /* dnsxld answers these from the IPv4 data */
    bool addr = ((mode & M4) && k == 4) || ((mode & M6) && k == 32);
    int tp = 0;                         /* 1: never listed, 2: always listed */
    if ((mode & M4) && k == 4)
        tp = lo4 == 0x7f000001u ? 1 : lo4 == 0x7f000002u ? 2 : 0;
    else if ((mode & M6) && k == 32)
        tp = lo6 == (MAPPED | 0x7f000001u) ? 1 : lo6 == (MAPPED | 0x7f000002u) ? 2 : 0;
    size_t n = 0, nw = 0;
    bool cov = false, cov6 = false;
    int rc = 0;
    if (addr && tp == 2) {
        rc = test_point(x, k, &n);
    } else if (addr && tp == 0) {
        char subj[DX_KEY_TEXT_MAX];
        struct dx_key key;
        uint8_t a[16];
        const struct fam *f = k == 4 ? f4 : f6;
        dx_set_be_n(a, f->alen, k == 4 ? lo4 : lo6);
        dx_key_from_addr(&key, a, f->alen);
        if (dx_key_format(&key, subj, sizeof(subj)) < 0)
            subj[0] = 0;
        rc = answer(x, f, k == 4 ? &s4 : &s6, k, subj, &n, &cov);
    }
    /* the wildcard: IPv4's where IPv4 names go below, else IPv6's */
    bool w4 = (mode & M4) && k < 4;
    if (rc == 0 && (w4 || ((mode & M6) && k < 32)))
        rc = answer(x, w4 ? f4 : f6, w4 ? &s4 : &s6, k, NULL, &nw, &cov);
    bool forced = false;
    if (rc == 0 && mode == MS && k <= 3) {
        struct dx_hit hits[DX_HITS_MAX];
        size_t nh;
        rc = eval(x, f6, &s6, hits, &nh, &cov6);
        forced = nw > 0 || dx__zw_listed(x->w, hits, nh) > 0;
    } else if (rc == 0 && mode == MS) {
        struct dx_hit hits[DX_HITS_MAX];
        size_t nh;
        rc = eval(x, f6, &s6, hits, &nh, &cov6);
    }
    if (rc)
        return rc;
    bool any = false;
    if (k < x->w->udepth)
        rc = path_children(x, mode, k, lo4, lo6, &s4, &s6, forced, &any);
    else if (mode == MS && k <= 3)
        rc = shared_children(x, k, lo4, lo6, &s4, &s6, forced, &any);
    else if (mode == MS)
        rc = fam_children(x, f6, M6, k, lo6, &any);
    else if (mode == M4 && k < 4)
        rc = fam_children(x, f4, M4, k, lo4, &any);
    else if (mode == M6 && k < 32)
        rc = fam_children(x, f6, M6, k, lo6, &any);
    if (rc)
        return rc;
    if (tp == 1)
        rc = excluded(x, k, false);
    else if (!n && !nw && !any)         /* an exclusion, or a list no longer configured */
        rc = excluded(x, k, !addr || (mode == MS && cov6));
    *exists = true;
    return rc;
}

static void fam_init(struct fam *f, uint8_t fam)
{
    memset(f, 0, sizeof(*f));
    f->fam = fam;
    f->alen = dx_fam_len(fam);
    f->g = fam == DX_FAM_V4 ? 8 : 4;
    f->maxd = fam == DX_FAM_V4 ? 4 : 32;
    f->tp[0] = (fam == DX_FAM_V4 ? 0 : MAPPED) | 0x7f000001u;
    f->tp[1] = f->tp[0] + 1;
}

int dx__zw_ip(struct zw *w)
{
    struct ipw *x = calloc(1, sizeof(*x));
    if (!x)
        return DX_ENOMEM;
    x->w = w;
    fam_init(&x->f4, DX_FAM_V4);
    fam_init(&x->f6, DX_FAM_V6);
    int rc = dx_ipwalk_open(w->t, w->z->name, DX_FAM_V4, &x->f4.w);
    if (rc == 0)
        rc = dx_ipwalk_open(w->t, w->z->name, DX_FAM_V6, &x->f6.w);
    bool any = false;
    const struct src none = { NULL, 0, 0, NULL };
    if (rc == 0 && w->udepth > 0)
        rc = path_children(x, MS, 0, 0, 0, &none, &none, false, &any);
    else if (rc == 0)
        rc = shared_children(x, 0, 0, 0, &none, &none, false, &any);
    dx_ipwalk_close(x->f4.w);
    dx_ipwalk_close(x->f6.w);
    free(x);
    return rc;
}
