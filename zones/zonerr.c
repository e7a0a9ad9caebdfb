/* The zone as records (zones/zonerr.h): the copy of a zone's config, the
 * records of one answer, the apex, the domain walk and the driver. The
 * ip walk: zonerr_ip.c. */
#include "zones/zonerr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/bytes.h"
#include "zones/err.h"
#include "zones/name.h"
#include "zones/schema.h"
#include "zones/walk.h"

/* --- the zone's config, copied ---------------------------------------------------- */

static int list_cmp(const void *a, const void *b)
{
    return strcmp(((const struct dx_zrr_list *)a)->name, ((const struct dx_zrr_list *)b)->name);
}

void dx_zrr_zone_free(struct dx_zrr_zone *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->n_lists; i++) {
        free(z->lists[i].name);
        free(z->lists[i].txt);
    }
    free(z->lists);
    free(z->ns);
    free(z->ns_len);
    free(z->name);
    free(z->txt);
    free(z);
}

static size_t put_name(uint8_t *out, const char *name)
{
    unsigned labels;
    return dx_name_wire(name, out, &labels);
}

int dx_zrr_zone_new(const struct dx_zone_conf *c, struct dx_zrr_zone **out)
{
    *out = NULL;
    struct dx_zrr_zone *z = calloc(1, sizeof(*z));
    if (!z)
        return DX_ENOMEM;
    z->name = strdup(c->name);
    z->txt = c->txt ? strdup(c->txt) : NULL;
    z->lists = calloc(c->n_lists ? c->n_lists : 1, sizeof(*z->lists));
    z->ns = calloc(c->n_ns ? c->n_ns : 1, sizeof(*z->ns));
    z->ns_len = calloc(c->n_ns ? c->n_ns : 1, 1);
    if (!z->name || (c->txt && !z->txt) || !z->lists || !z->ns || !z->ns_len) {
        dx_zrr_zone_free(z);
        return DX_ENOMEM;
    }
    memcpy(z->wire, c->wire, c->wire_len);
    z->wire_len = c->wire_len;
    z->kind = c->kind;
    z->answer = c->answer;
    z->ttl = c->ttl;
    z->neg_ttl = c->ttl < c->soa.minimum ? c->ttl : c->soa.minimum;
    z->code_prefix = c->code_prefix;
    size_t n = put_name(z->soa_rdata, c->soa.mname);
    n += put_name(z->soa_rdata + n, c->soa.rname);
    dx_set_be32(z->soa_rdata + n, 0);
    dx_set_be32(z->soa_rdata + n + 4, c->soa.refresh);
    dx_set_be32(z->soa_rdata + n + 8, c->soa.retry);
    dx_set_be32(z->soa_rdata + n + 12, c->soa.expire);
    dx_set_be32(z->soa_rdata + n + 16, c->soa.minimum);
    z->soa_len = n + 20;
    for (size_t i = 0; i < c->n_ns; i++)
        z->ns_len[i] = (uint8_t)put_name(z->ns[i], c->ns[i]);
    z->n_ns = c->n_ns;
    for (size_t i = 0; i < c->n_lists; i++) {
        const struct dx_list_conf *l = &c->lists[i];
        const char *txt = l->txt ? l->txt : c->txt;
        z->lists[i].name = strdup(l->name);
        z->lists[i].txt = txt ? strdup(txt) : NULL;
        z->lists[i].code = l->code;
        z->n_lists++;
        if (!z->lists[i].name || (txt && !z->lists[i].txt)) {
            dx_zrr_zone_free(z);
            return DX_ENOMEM;
        }
    }
    if (z->n_lists) {
        const char *first = c->lists[0].name;
        qsort(z->lists, z->n_lists, sizeof(*z->lists), list_cmp);
        for (size_t i = 0; i < z->n_lists; i++)
            if (strcmp(z->lists[i].name, first) == 0)
                z->first_list = i;
    }
    *out = z;
    return 0;
}

/* --- records ------------------------------------------------------------------------ */

int dx__zw_rr(struct zw *w, const uint8_t *owner, size_t on, uint16_t type, uint32_t ttl,
              const uint8_t *rd, size_t rdlen)
{
    struct dx_rr rr = { owner, on, type, ttl, rd, rdlen };
    return w->cb(w->arg, &rr);
}

int dx__zw_excluded(struct zw *w, const uint8_t *owner, size_t on)
{
    return dx__zw_rr(w, owner, on, DX_RR_CNAME, w->z->neg_ttl, w->excl, w->excl_len);
}

static const struct dx_zrr_list *find_list(const struct dx_zrr_zone *z, const char *name)
{
    struct dx_zrr_list key = { .name = (char *)name };
    return bsearch(&key, z->lists, z->n_lists, sizeof(key), list_cmp);
}

size_t dx__zw_listed(const struct zw *w, const struct dx_hit *hits, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += hits[i].list && find_list(w->z, hits[i].list);
    return m;
}

struct ahit {
    const struct dx_hit *h;          /* NULL: the test point's synthetic hit */
    const struct dx_zrr_list *l;     /* NULL: a zone without lists */
    uint32_t code;
    const char *tmpl;
};

/* `$` of a hit in a wildcard: the entry that decided it. */
static void hit_subject(const struct dx_hit *h, char *out, size_t cap)
{
    out[0] = 0;
    if (!h || !h->key)
        return;
    if (h->family == DX_FAM_DOMAIN) {
        size_t n = h->key_len < cap - 1 ? h->key_len : cap - 1;
        memcpy(out, h->key, n);
        out[n] = 0;
        return;
    }
    struct dx_key k;
    dx_hit_key(h, &k);
    if (dx_key_format(&k, out, cap) < 0)
        out[0] = 0;
}

static uint32_t rrset_ttl(const struct zw *w, const struct ahit *a, size_t n, bool txt)
{
    uint64_t ttl = w->z->ttl;
    for (size_t i = 0; i < n; i++) {
        if ((txt && !a[i].tmpl) || !a[i].h || !a[i].h->expires_at)
            continue;
        uint64_t e = a[i].h->expires_at, left = e > w->now ? e - w->now : 1;
        if (left < ttl)
            ttl = left;
    }
    return ttl > 0x7fffffffu ? 0x7fffffffu : (uint32_t)ttl;
}

static int put_a(struct zw *w, const uint8_t *owner, size_t on, uint32_t ttl, uint32_t code)
{
    uint8_t rd[4];
    dx_set_be32(rd, code);
    return dx__zw_rr(w, owner, on, DX_RR_A, ttl, rd, 4);
}

int dx__zw_answer(struct zw *w, const uint8_t *owner, size_t on, const struct dx_hit *hits,
                  size_t nh, const char *subject, bool synth, size_t *n)
{
    const struct dx_zrr_zone *z = w->z;
    struct ahit a[DX_HITS_MAX];
    size_t m = 0;
    for (size_t i = 0; i < nh && m < DX_HITS_MAX; i++) {
        const struct dx_zrr_list *l = hits[i].list ? find_list(z, hits[i].list) : NULL;
        if (!l)
            continue;                   /* a list no longer configured */
        a[m].h = &hits[i];
        a[m].l = l;
        a[m].code = hits[i].code ? hits[i].code : l->code;
        a[m].tmpl = hits[i].txt ? (hits[i].txt[0] ? hits[i].txt : NULL) : l->txt;
        m++;
    }
    if (m == 0 && synth) {
        const struct dx_zrr_list *l = z->n_lists ? &z->lists[z->first_list] : NULL;
        a[0] = (struct ahit){ NULL, l, l ? l->code : 0x7f000002u, l ? l->txt : z->txt };
        m = 1;
    }
    *n = m;
    if (m == 0)
        return 0;
    uint32_t ttl = rrset_ttl(w, a, m, false);
    int rc = 0;
    if (z->answer == DX_ANSWER_BITMASK) {
        uint32_t x = 0;
        for (size_t i = 0; i < m; i++)
            x |= a[i].code & 0xffu;
        rc = put_a(w, owner, on, ttl, z->code_prefix | x);
    } else {
        for (size_t i = 0; i < m && rc == 0; i++) {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                dup = a[j].code == a[i].code;
            if (!dup)
                rc = put_a(w, owner, on, ttl, a[i].code);
        }
    }
    ttl = rrset_ttl(w, a, m, true);
    size_t texts[DX_HITS_MAX][2];      /* offset and length in w->seen of each TXT written */
    size_t nt = 0;
    dx_bytes_reset(&w->seen);
    for (size_t i = 0; i < m && rc == 0; i++) {
        if (!a[i].tmpl)
            continue;
        const char *reason = NULL;
        if (a[i].h && dx_txt_uses_reason(a[i].tmpl)) {
            rc = dx_hit_reason(w->t, z->name, a[i].h, &reason);
            if (rc)
                break;
        }
        char subj[DX_KEY_TEXT_MAX];
        if (!subject)
            hit_subject(a[i].h, subj, sizeof(subj));
        struct dx_txt_vars v = { subject ? subject : subj, a[i].l ? a[i].l->name : "",
                                 z->name, reason };
        size_t tl = dx_txt_expand(a[i].tmpl, &v, w->text, sizeof(w->text));
        bool dup = false;
        for (size_t j = 0; j < nt && !dup; j++)
            dup = texts[j][1] == tl && memcmp(w->seen.wp + texts[j][0], w->text, tl) == 0;
        if (dup)
            continue;
        texts[nt][0] = w->seen.pos;
        texts[nt][1] = tl;
        nt++;
        dx_put(&w->seen, w->text, tl);
        if (w->seen.err)
            return DX_ENOMEM;
        size_t rl = 0, off = 0;
        do {
            size_t chunk = tl - off > 255 ? 255 : tl - off;
            w->rd[rl++] = (uint8_t)chunk;
            memcpy(w->rd + rl, w->text + off, chunk);
            rl += chunk;
            off += chunk;
        } while (off < tl);
        rc = dx__zw_rr(w, owner, on, DX_RR_TXT, ttl, w->rd, rl);
    }
    return rc;
}

size_t dx__zw_owner(const struct dx_zrr_zone *z, const char *name, size_t len, bool wild,
                    uint8_t out[256])
{
    size_t o = 0;
    if (wild) {
        out[o++] = 1;
        out[o++] = '*';
    }
    if (o + len + 1 + z->wire_len > 255)
        return 0;
    size_t s = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            out[o++] = (uint8_t)(i - s);
            memcpy(out + o, name + s, i - s);
            o += i - s;
            s = i + 1;
        }
    }
    memcpy(out + o, z->wire, z->wire_len);
    return o + z->wire_len;
}

/* --- the apex ------------------------------------------------------------------------- */

void dx_zrr_soa(const struct dx_zrr_zone *z, uint32_t serial, uint8_t *buf, struct dx_rr *rr)
{
    memcpy(buf, z->soa_rdata, z->soa_len);
    dx_set_be32(buf + z->soa_len - 20, serial);
    *rr = (struct dx_rr){ z->wire, z->wire_len, DX_RR_SOA, z->ttl, buf, z->soa_len };
}

int dx_zrr_serial(struct dx_txn *t, const struct dx_zrr_zone *z, uint32_t *serial)
{
    int rc = dx_zone_serial(t, z->name, serial);
    if (rc == DX_ENOTFOUND) {
        *serial = 1;
        return 0;
    }
    return rc;
}

/* --- domain zones ----------------------------------------------------------------------- */

/* The domain walk goes over the records in key order (name order with
 * the labels reversed). The names on the path of the current record are
 * a stack. A name's wildcard copy is written at the first live record at
 * or below it; since a label's own records and the records below it may
 * be apart in key order ("x\0", then "x-1\0", then "x.a\0"), a name met
 * again below its own records knows it was done from those records. */
struct dnode {
    size_t len;                      /* its reversed name is rk[0..len) */
    bool done;                       /* its wildcard was considered */
};

struct dw {
    struct zw *w;
    struct dx_dwalk *d;
    uint8_t rk[DX_SK_MAX];           /* the current record's reversed name */
    size_t rn;
    struct dnode st[DX_KEY_NAME_MAX / 2 + 2];
    size_t sp;
    bool test_done;
};

static int live_val(const struct dw *x, const uint8_t *v, size_t n)
{
    struct dx_dvalue dv;
    struct dx_delem e;
    size_t len;
    if (!dx_sv_dindex_open(&dv, v, n, &len))
        return DX_EINVAL;
    while (dx_sv_dindex_elem(&dv, &e))
        if (e.expires == 0 || e.expires > x->w->now)
            return 1;
    return dv.b.err ? DX_EINVAL : 0;
}

/* Is the record of the reversed name k[0..n) + wild live? 1, 0 or an error. */
static int d_live(struct dw *x, const uint8_t *k, size_t n, uint8_t wild)
{
    uint8_t kb[DX_SK_MAX];
    if (n + 1 > sizeof(kb))
        return 0;
    memcpy(kb, k, n);
    kb[n] = wild;
    struct dx_drec r;
    int rc = dx_dwalk_get(x->d, kb, n + 1, &r);
    return rc <= 0 ? rc : live_val(x, r.val, r.vlen);
}

/* The answer at name (wild: *.name) as dnsxld gives it: dx_lookup of the
 * name, or of a name below it without records ("*.name": no key holds
 * a '*' label, so only the wildcards of name and its ancestors match). */
static int d_answer(struct dw *x, const char *name, size_t len, bool wild, bool synth, size_t *n)
{
    struct zw *w = x->w;
    uint8_t owner[256];
    size_t on = dx__zw_owner(w->z, name, len, wild, owner);
    *n = 0;
    if (!on || len + 2 > DX_KEY_NAME_MAX)
        return 0;
    struct dx_key q = { .family = DX_FAM_DOMAIN };
    size_t o = 0;
    if (wild) {
        q.addr[o++] = '*';
        q.addr[o++] = '.';
    }
    memcpy(q.addr + o, name, len);
    q.addr[o + len] = 0;
    q.len = (uint8_t)(o + len);
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(w->t, w->z->name, &q, w->now, hits, DX_HITS_MAX);
    if (nh < 0)
        return nh;
    return dx__zw_answer(w, owner, on, hits, (size_t)nh, wild ? NULL : name, synth, n);
}

/* How many configured lists list name (wild: *.name), writing nothing. */
static int d_answer_count(struct dw *x, const char *name, size_t len, bool wild, size_t *n)
{
    *n = 0;
    if (len + 2 > DX_KEY_NAME_MAX)
        return 0;
    struct dx_key q = { .family = DX_FAM_DOMAIN };
    size_t o = 0;
    if (wild) {
        q.addr[o++] = '*';
        q.addr[o++] = '.';
    }
    memcpy(q.addr + o, name, len);
    q.addr[o + len] = 0;
    q.len = (uint8_t)(o + len);
    struct dx_hit hits[DX_HITS_MAX];
    int nh = dx_lookup(x->w->t, x->w->z->name, &q, x->w->now, hits, DX_HITS_MAX);
    if (nh < 0)
        return nh;
    *n = dx__zw_listed(x->w, hits, (size_t)nh);
    return 0;
}

/* The name of the reversed name rk[0..n) into out (NUL-terminated). */
static void d_name(const struct dw *x, size_t n, char *out)
{
    dx_rev_labels(x->rk, n, (uint8_t *)out);
    out[n] = 0;
}

/* A record at the current name: the names on its path not done yet (each
 * gets its answer, when something lists it, and its wildcard), then the
 * "not listed" of an exclusion. */
static int d_record(struct dw *x, uint8_t wild, bool live)
{
    int rc;
    char name[DX_KEY_NAME_MAX + 1];
    size_t n;
    for (size_t i = 0; live && i < x->sp; i++) {
        if (x->st[i].done)
            continue;
        x->st[i].done = true;
        size_t len = x->st[i].len;
        d_name(x, len, name);
        bool test = strcmp(name, "test") == 0;
        x->test_done |= test;
        if (strcmp(name, "invalid") != 0 &&
            (rc = d_answer(x, name, len, false, test, &n)) != 0)
            return rc;
        if ((rc = d_answer(x, name, len, true, false, &n)) != 0)
            return rc;
    }
    if (!live)
        return 0;
    d_name(x, x->rn, name);
    uint8_t owner[256];
    if (wild) {                         /* an exclusion's wildcard: NXDOMAIN below */
        if ((rc = d_answer_count(x, name, x->rn, true, &n)) != 0 || n)
            return rc;
        size_t on = dx__zw_owner(x->w->z, name, x->rn, true, owner);
        return on ? dx__zw_excluded(x->w, owner, on) : 0;
    }
    n = 0;
    if (strcmp(name, "invalid") != 0 && (rc = d_answer_count(x, name, x->rn, false, &n)) != 0)
        return rc;
    if (n || strcmp(name, "test") == 0)
        return 0;
    /* not listed: NXDOMAIN, unless something exists below it (then the
     * records below, or its wildcard, make it an empty non-terminal) */
    struct dx_key q = { .family = DX_FAM_DOMAIN, .len = (uint8_t)x->rn };
    memcpy(q.addr, name, x->rn + 1);
    int below = dx_lookup_below(x->w->t, x->w->z->name, &q, x->w->now);
    if (below)
        return below < 0 ? below : 0;
    size_t on = dx__zw_owner(x->w->z, name, x->rn, false, owner);
    return on ? dx__zw_excluded(x->w, owner, on) : 0;
}

/* Make the stack the path of the reversed name k[0..n) (the record's
 * name last). */
static int d_path(struct dw *x, const uint8_t *k, size_t n)
{
    /* keep the names that are the same labels of the new name */
    size_t keep = 0;
    while (keep < x->sp) {
        size_t l = x->st[keep].len;
        if (l > n || memcmp(x->rk, k, l) != 0 || (l < n && k[l] != '.'))
            break;
        keep++;
    }
    x->sp = keep;
    memcpy(x->rk, k, n);
    x->rn = n;
    size_t from = keep ? x->st[keep - 1].len + 1 : 0;
    for (size_t i = from; i <= n; i++) {
        if (i < n && k[i] != '.')
            continue;
        if (x->sp == sizeof(x->st) / sizeof(x->st[0]))
            return DX_EINVAL;
        struct dnode *d = &x->st[x->sp++];
        d->len = i;
        d->done = false;
        if (i < n) {                    /* an ancestor met below its own records */
            int a = d_live(x, k, i, 0), b = a < 0 ? a : d_live(x, k, i, 1);
            if (a < 0 || b < 0)
                return a < 0 ? a : b;
            d->done = a || b;
        }
    }
    return 0;
}

/* excluded, excluded-2, ...: the first that no record of the zone is at or below. */
static int d_target(struct dw *x)
{
    struct zw *w = x->w;
    for (unsigned i = 1; i < 1000; i++) {
        char lab[32];
        int n = i == 1 ? snprintf(lab, sizeof(lab), "excluded")
                       : snprintf(lab, sizeof(lab), "excluded-%u", i);
        uint8_t k[40];
        memcpy(k, lab, (size_t)n);
        struct dx_drec r;
        int used = 0;
        for (uint8_t f = 0; f < 2 && !used; f++) {
            k[n] = f;
            used = dx_dwalk_get(x->d, k, (size_t)n + 1, &r);
        }
        if (!used) {
            k[n] = '.';
            used = dx_dwalk_seek(x->d, k, (size_t)n + 1, &r);
            if (used == 1)
                used = r.keyn > (size_t)n && memcmp(r.key, k, (size_t)n + 1) == 0;
        }
        if (used < 0)
            return used;
        if (!used) {
            w->excl_len = dx__zw_owner(w->z, lab, (size_t)n, false, w->excl);
            return w->excl_len ? 0 : DX_EINVAL;
        }
    }
    return DX_EINVAL;
}

int dx__zw_domain(struct zw *w)
{
    struct dw *x = calloc(1, sizeof(*x));
    if (!x)
        return DX_ENOMEM;
    x->w = w;
    int rc = dx_dwalk_open(w->t, w->z->name, &x->d);
    if (rc == 0)
        rc = d_target(x);
    struct dx_drec r;
    if (rc == 0)
        rc = dx_dwalk_seek(x->d, (const uint8_t *)"", 0, &r);
    while (rc == 1) {
        int live = live_val(x, r.val, r.vlen);
        rc = live < 0 ? live : d_path(x, r.key, r.keyn - 1);
        if (rc == 0)
            rc = d_record(x, r.key[r.keyn - 1], live);
        if (rc == 0)
            rc = dx_dwalk_next(x->d, &r);
    }
    if (rc == 0 && !x->test_done) {     /* TEST is always listed */
        size_t n;
        rc = d_answer(x, "test", 4, false, true, &n);
    }
    dx_dwalk_close(x->d);
    free(x);
    return rc;
}

/* Is there a live record at or below the reversed name k[0..n)? 1, 0 or
 * an error. */
static int d_exists(struct dw *x, const uint8_t *k, size_t n)
{
    int rc = d_live(x, k, n, 0);
    if (rc == 0)
        rc = d_live(x, k, n, 1);
    if (rc != 0 || n + 1 > DX_SK_MAX - 1)
        return rc;
    uint8_t kb[DX_SK_MAX];
    memcpy(kb, k, n);
    kb[n] = '.';
    struct dx_drec r;
    rc = dx_dwalk_seek(x->d, kb, n + 1, &r);
    while (rc == 1 && r.keyn > n + 1 && memcmp(r.key, kb, n + 1) == 0) {
        int live = live_val(x, r.val, r.vlen);
        if (live != 0)
            return live;
        rc = dx_dwalk_next(x->d, &r);
    }
    return rc < 0 ? rc : 0;
}

/* One record of the walk (as the loop of dx__zw_domain). */
static int d_one(struct dw *x, const struct dx_drec *r)
{
    int live = live_val(x, r->val, r->vlen);
    int rc = live < 0 ? live : d_path(x, r->key, r->keyn - 1);
    return rc ? rc : d_record(x, r->key[r->keyn - 1], live);
}

int dx__zw_domain_under(struct zw *w, const char *name, size_t len)
{
    if (len == 0 || len > DX_KEY_NAME_MAX)
        return DX_EINVAL;
    struct dw *x = calloc(1, sizeof(*x));
    if (!x)
        return DX_ENOMEM;
    x->w = w;
    uint8_t rk[DX_SK_MAX];
    dx_rev_labels((const uint8_t *)name, len, rk);
    int rc = dx_dwalk_open(w->t, w->z->name, &x->d);
    if (rc == 0)
        rc = d_target(x);
    /* the names above it: their own records (whose "not listed" depends
     * on what is below them) and, when something lives at or below them,
     * their answer and wildcard; repeats of a record are the caller's to
     * drop */
    char an[DX_KEY_NAME_MAX + 1];
    size_t n;
    struct dx_drec r;
    uint8_t kb[DX_SK_MAX];
    for (size_t i = 0; rc == 0 && i <= len; i++) {
        if (i < len && rk[i] != '.')
            continue;
        memcpy(kb, rk, i);
        for (uint8_t wild = 0; rc == 0 && wild < 2; wild++) {
            kb[i] = wild;
            int got = dx_dwalk_get(x->d, kb, i + 1, &r);
            rc = got < 0 ? got : got ? d_one(x, &r) : 0;
        }
        if (rc || i == len)
            break;
        int e = d_exists(x, rk, i);
        if (e < 0) {
            rc = e;
            break;
        }
        dx_rev_labels(rk, i, (uint8_t *)an);
        an[i] = 0;
        bool test = strcmp(an, "test") == 0;
        if ((e || test) && strcmp(an, "invalid") != 0)
            rc = d_answer(x, an, i, false, test, &n);
        if (rc == 0 && e)
            rc = d_answer(x, an, i, true, false, &n);
    }
    /* then the records below it, as the whole walk */
    memcpy(kb, rk, len);
    kb[len] = '.';
    if (rc == 0)
        rc = dx_dwalk_seek(x->d, kb, len + 1, &r);
    while (rc == 1 && r.keyn > len + 1 && memcmp(r.key, kb, len + 1) == 0) {
        rc = d_one(x, &r);
        if (rc == 0)
            rc = dx_dwalk_next(x->d, &r);
    }
    if (rc == 1)
        rc = 0;
    /* TEST is always listed */
    if (rc == 0 && (len == 4 || (len > 4 && rk[4] == '.')) && memcmp(rk, "test", 4) == 0)
        rc = d_answer(x, "test", 4, false, true, &n);
    dx_dwalk_close(x->d);
    free(x);
    return rc;
}
