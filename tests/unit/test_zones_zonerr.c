/* The zone as records (zones/zonerr.h): the records a secondary gets must
 * answer every address and name as dnsxld does. Each test fills a store,
 * walks the zone into memory, and answers queries from those records the
 * way a standard authoritative server does (RFC 1034 4.3.2 with RFC 4592
 * wildcards and RFC 6604 CNAME rcodes: the closest encloser, then its
 * wildcard), comparing with what the store says dnsxld answers (dx_lookup,
 * dx_lookup_below, dnsxld/resolve.c's rules): rcode, the A set and the TXT
 * set. Names that are not addresses below a name with a wildcard (a
 * prefix below a wildcard) are the documented difference and are not
 * compared. The RR bound of zonerr.h is checked on adversarial
 * mixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

#include <unistd.h>

#include "zones/bytes.h"
#include "zones/conf.h"
#include "zones/txt.h"
#include "zones/zonerr.h"

#define WNOW (T_NOW + 10)           /* the walk's and the lookups' clock */

/* --- the records, collected --------------------------------------------------------- */

struct rec {
    char owner[256];                /* relative to the zone, "" = apex */
    uint16_t type;
    uint32_t ttl;
    uint8_t rd[600];
    size_t rdlen;
};

struct coll {
    struct rec *r;
    size_t n, cap;
    size_t zwl;                     /* the zone's wire length */
    char **nodes;                   /* every owner and its ancestors, sorted, unique */
    size_t nn;
};

static void wire_text(const uint8_t *w, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n && w[i];) {
        size_t l = w[i++];
        if (o)
            out[o++] = '.';
        memcpy(out + o, w + i, l);
        o += l;
        i += l;
    }
    out[o] = 0;
}

static int collect_cb(void *arg, const struct dx_rr *rr)
{
    struct coll *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->r = realloc(c->r, c->cap * sizeof(*c->r));
        assert_non_null(c->r);
    }
    struct rec *r = &c->r[c->n++];
    assert_true(rr->owner_len >= c->zwl);
    wire_text(rr->owner, rr->owner_len - c->zwl, r->owner);
    r->type = rr->type;
    r->ttl = rr->ttl;
    assert_true(rr->rdlen <= sizeof(r->rd));
    memcpy(r->rd, rr->rdata, rr->rdlen);
    r->rdlen = rr->rdlen;
    return 0;
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rec *)a)->owner, ((const struct rec *)b)->owner);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void index_nodes(struct coll *c)
{
    qsort(c->r, c->n, sizeof(*c->r), rec_cmp);
    size_t cap = 0;
    for (size_t i = 0; i < c->n; i++)
        for (const char *p = c->r[i].owner; p; p = strchr(p, '.'), p = p ? p + 1 : NULL)
            cap++;
    c->nodes = malloc((cap + 1) * sizeof(char *));
    assert_non_null(c->nodes);
    c->nn = 0;
    for (size_t i = 0; i < c->n; i++)
        for (const char *p = c->r[i].owner; p; p = strchr(p, '.'), p = p ? p + 1 : NULL)
            c->nodes[c->nn++] = (char *)p;
    qsort(c->nodes, c->nn, sizeof(char *), str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < c->nn; i++)
        if (u == 0 || strcmp(c->nodes[u - 1], c->nodes[i]) != 0)
            c->nodes[u++] = c->nodes[i];
    c->nn = u;
}

static void coll_free(struct coll *c)
{
    free(c->r);
    free(c->nodes);
    memset(c, 0, sizeof(*c));
}

static bool node_exists(const struct coll *c, const char *name)
{
    return bsearch(&name, c->nodes, c->nn, sizeof(char *), str_cmp) != NULL;
}

/* --- answers ----------------------------------------------------------------------------- */

struct ans {
    int rcode;                      /* 0 NOERROR, 3 NXDOMAIN */
    uint32_t a[DX_HITS_MAX];
    size_t na;
    char txt[8][128];
    size_t nt;
    bool wild;                      /* the secondary used a wildcard */
};

static void ans_add_a(struct ans *x, uint32_t code)
{
    for (size_t i = 0; i < x->na; i++)
        if (x->a[i] == code)
            return;
    x->a[x->na++] = code;
}

static void ans_add_txt(struct ans *x, const char *t)
{
    for (size_t i = 0; i < x->nt; i++)
        if (strcmp(x->txt[i], t) == 0)
            return;
    if (x->nt < 8)
        snprintf(x->txt[x->nt++], sizeof(x->txt[0]), "%s", t);
}

/* The data at owner name in the records: 1 if it has any. */
static int data_at(const struct coll *c, const char *name, struct ans *x)
{
    struct rec key;
    snprintf(key.owner, sizeof(key.owner), "%s", name);
    struct rec *r = bsearch(&key, c->r, c->n, sizeof(*c->r), rec_cmp);
    if (!r)
        return 0;
    while (r > c->r && strcmp(r[-1].owner, name) == 0)
        r--;
    for (; r < c->r + c->n && strcmp(r->owner, name) == 0; r++) {
        if (r->type == DX_RR_CNAME)
            x->rcode = 3;           /* to excluded.ZONE, which never exists */
        else if (r->type == DX_RR_A)
            ans_add_a(x, dx_be32(r->rd));
        else if (r->type == DX_RR_TXT) {
            char t[128];
            size_t o = 0;
            for (size_t i = 0; i < r->rdlen && o < sizeof(t) - 1;) {
                size_t l = r->rd[i++];
                for (size_t j = 0; j < l && o < sizeof(t) - 1; j++)
                    t[o++] = (char)r->rd[i + j];
                i += l;
            }
            t[o] = 0;
            ans_add_txt(x, t);
        }
    }
    return 1;
}

/* How a standard authoritative server answers A and TXT for name. */
static void secondary(const struct coll *c, const char *name, struct ans *x)
{
    memset(x, 0, sizeof(*x));
    if (data_at(c, name, x) || node_exists(c, name))
        return;                     /* the name, or an empty non-terminal */
    const char *ce = name;
    while (*ce && !node_exists(c, ce)) {
        const char *d = strchr(ce, '.');
        ce = d ? d + 1 : "";
    }
    char w[300];
    snprintf(w, sizeof(w), *ce ? "*.%s" : "*", ce);
    x->wild = true;
    if (!data_at(c, w, x))
        x->rcode = 3;
}

/* --- what dnsxld answers -------------------------------------------------------------------- */

struct zt {                         /* a zone under test */
    struct dx_conf *conf;
    const struct dx_zone_conf *z;
    struct dx_zrr_zone *zz;
    struct coll c;
};

static bool prefix_has(const uint8_t *p, const uint8_t *a, unsigned plen)
{
    for (unsigned i = 0; i < plen; i++)
        if (((p[i / 8] ^ a[i / 8]) >> (7 - i % 8)) & 1)
            return false;
    return true;
}

static void dnsxld(struct dx_store *st, const struct zt *t, const char *name, struct ans *x)
{
    memset(x, 0, sizeof(*x));
    const struct dx_zone_conf *z = t->z;
    uint8_t wire[300], lab[130];
    size_t o = 0;
    unsigned n = 0;
    for (const char *p = name; *p;) {
        const char *d = strchr(p, '.');
        size_t l = d ? (size_t)(d - p) : strlen(p);
        lab[n++] = (uint8_t)o;
        wire[o++] = (uint8_t)l;
        memcpy(wire + o, p, l);
        o += l;
        p += l + (d ? 1 : 0);
    }
    lab[n] = (uint8_t)o;
    wire[o] = 0;
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(st, &r), 0);
    struct dx_key k;
    bool dom = z->kind == DX_ZONE_DOMAIN;
    bool ok = dx_key_from_labels(wire, lab, n, dom, &k);
    static const uint8_t lh[4] = { 127, 0, 0, 1 }, tp[4] = { 127, 0, 0, 2 };
    bool never = ok && ((!dom && k.family == DX_FAM_V4 && memcmp(k.addr, lh, 4) == 0) ||
                        (dom && strcmp((char *)k.addr, "invalid") == 0));
    if (ok && !never) {
        struct dx_hit h[DX_HITS_MAX];
        int nh = dx_lookup(r, z->name, &k, WNOW, h, DX_HITS_MAX);
        assert_true(nh >= 0);
        uint32_t bits = 0;
        size_t listed = 0;
        char subj[DX_KEY_TEXT_MAX];
        dx_key_format(&k, subj, sizeof(subj));
        for (int i = 0; i < nh; i++) {
            const struct dx_list_conf *l = dx_conf_list(z, h[i].list);
            if (!l)
                continue;
            listed++;
            uint32_t code = h[i].code ? h[i].code : l->code;
            bits |= code & 0xff;
            if (z->answer != DX_ANSWER_BITMASK)
                ans_add_a(x, code);
            const char *tm = h[i].txt ? (h[i].txt[0] ? h[i].txt : NULL) : l->txt ? l->txt : z->txt;
            if (tm) {
                char out[DX_TXT_MAX];
                struct dx_txt_vars v = { subj, l->name, z->name, NULL };
                size_t tl = dx_txt_expand(tm, &v, out, sizeof(out) - 1);
                out[tl] = 0;
                ans_add_txt(x, out);
            }
        }
        bool is_tp = (!dom && k.family == DX_FAM_V4 && memcmp(k.addr, tp, 4) == 0) ||
                     (dom && strcmp((char *)k.addr, "test") == 0);
        if (!listed && is_tp) {
            listed = 1;
            const struct dx_list_conf *l = &z->lists[0];
            bits |= l->code & 0xff;
            if (z->answer != DX_ANSWER_BITMASK)
                ans_add_a(x, l->code);
            const char *tm = l->txt ? l->txt : z->txt;
            if (tm) {
                char out[DX_TXT_MAX];
                struct dx_txt_vars v = { subj, l->name, z->name, NULL };
                size_t tl = dx_txt_expand(tm, &v, out, sizeof(out) - 1);
                out[tl] = 0;
                ans_add_txt(x, out);
            }
        }
        if (listed && z->answer == DX_ANSWER_BITMASK)
            ans_add_a(x, z->code_prefix | bits);
        if (listed) {
            dx_txn_abort(r);
            return;
        }
    }
    int ex = 0;
    if (dom) {
        ex = ok ? dx_lookup_below(r, z->name, &k, WNOW) : 0;
    } else {
        struct dx_key p[2];
        unsigned np = dx_key_prefixes_from_labels(wire, lab, n, p);
        static const uint8_t tp6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2 };
        for (unsigned i = 0; i < np && !ex; i++)
            ex = prefix_has(p[i].addr, p[i].family == DX_FAM_V4 ? tp : tp6, p[i].plen) ||
                 dx_lookup_below(r, z->name, &p[i], WNOW);
    }
    assert_true(ex >= 0);
    x->rcode = ex ? 0 : 3;
    dx_txn_abort(r);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int txt_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool ans_eq(struct ans *a, struct ans *b)
{
    qsort(a->a, a->na, sizeof(uint32_t), u32_cmp);
    qsort(b->a, b->na, sizeof(uint32_t), u32_cmp);
    qsort(a->txt, a->nt, sizeof(a->txt[0]), txt_cmp);
    qsort(b->txt, b->nt, sizeof(b->txt[0]), txt_cmp);
    if (a->rcode != b->rcode || a->na != b->na || a->nt != b->nt)
        return false;
    for (size_t i = 0; i < a->na; i++)
        if (a->a[i] != b->a[i])
            return false;
    for (size_t i = 0; i < a->nt; i++)
        if (strcmp(a->txt[i], b->txt[i]) != 0)
            return false;
    return true;
}

static void ans_print(const char *who, const struct ans *a)
{
    fprintf(stderr, "  %s: rcode %d%s A", who, a->rcode, a->wild ? " (wildcard)" : "");
    for (size_t i = 0; i < a->na; i++)
        fprintf(stderr, " %u.%u.%u.%u", a->a[i] >> 24, (a->a[i] >> 16) & 255,
                (a->a[i] >> 8) & 255, a->a[i] & 255);
    for (size_t i = 0; i < a->nt; i++)
        fprintf(stderr, " \"%s\"", a->txt[i]);
    fputc('\n', stderr);
}

/* Is name below a name that has a wildcard? */
static bool below_wild(const struct coll *c, const char *name)
{
    for (const char *p = strchr(name, '.');; p = strchr(p + 1, '.')) {
        struct rec key;
        snprintf(key.owner, sizeof(key.owner), p ? "*.%.250s" : "*", p ? p + 1 : "");
        if (bsearch(&key, c->r, c->n, sizeof(*c->r), rec_cmp))
            return true;
        if (!p)
            return false;
    }
}

/* Compare one name; addresses (and every name of a domain zone) always,
 * other names unless the secondary answered them from a wildcard. */
static int check(struct dx_store *st, struct zt *t, const char *name, bool address)
{
    struct ans want, got;
    dnsxld(st, t, name, &want);
    secondary(&t->c, name, &got);
    if (!address && (got.wild || below_wild(&t->c, name)))
        return 0;
    if (ans_eq(&want, &got))
        return 0;
    fprintf(stderr, "mismatch for %s.%s\n", name, t->z->name);
    ans_print("dnsxld", &want);
    ans_print("records", &got);
    return 1;
}

/* --- set-up ------------------------------------------------------------------------------------ */

static const char *CONF_TEXT =
    "[server]\ndatabase = /nonexistent\n"
    "[zone bl.test]\nkind = ip\nttl = 300\ntxt = L $list\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "[list bl.test/a]\ncode = 127.0.0.2\n"
    "[list bl.test/b]\ncode = 127.0.0.4\ntxt = B $list $zone\n"
    "[list bl.test/c]\ncode = 127.0.0.8\n"
    "[zone mask.test]\nkind = ip\nanswer = bitmask\n"
    "[list mask.test/a]\ncode = 127.0.0.2\n"
    "[list mask.test/b]\ncode = 127.0.0.4\n"
    "[zone dbl.test]\nkind = domain\ntxt = D $list\n"
    "[list dbl.test/d]\ncode = 127.0.1.2\n"
    "[list dbl.test/e]\ncode = 127.0.1.4\n";

static void zt_open(struct zt *t, struct fx *f, const char *zone)
{
    memset(t, 0, sizeof(*t));
    char path[128], err[512];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(CONF_TEXT, fp);
    fclose(fp);
    assert_int_equal(dx_conf_load(path, &t->conf, err, sizeof(err)), 0);
    t->z = dx_conf_zone(t->conf, zone);
    assert_non_null(t->z);
    assert_int_equal(dx_zrr_zone_new(t->z, &t->zz), 0);
}

static void zt_walk(struct zt *t, struct fx *f)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    coll_free(&t->c);
    t->c.zwl = t->zz->wire_len;
    assert_int_equal(dx_zrr_walk(r, t->zz, WNOW, collect_cb, &t->c), 0);
    dx_txn_abort(r);
    index_nodes(&t->c);
}

static void zt_close(struct zt *t)
{
    coll_free(&t->c);
    dx_zrr_zone_free(t->zz);
    dx_conf_free(t->conf);
}

static void rev4(uint32_t a, char *out)
{
    sprintf(out, "%u.%u.%u.%u", a & 255, (a >> 8) & 255, (a >> 16) & 255, a >> 24);
}

static void rev6(const uint8_t a[16], unsigned nibbles, char *out)
{
    size_t o = 0;
    for (unsigned i = nibbles; i-- > 0;) {
        unsigned nb = (a[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        o += (size_t)sprintf(out + o, "%s%x", o ? "." : "", nb);
    }
    out[o] = 0;
}

static unsigned nlabels(const char *name)
{
    unsigned n = *name ? 1 : 0;
    for (; *name; name++)
        n += *name == '.';
    return n;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* --- tests --------------------------------------------------------------------------------------- */

/* A small zone with every case by hand: /32s, an aligned and a non-aligned
 * CIDR, an exclusion inside a range, an address two lists list, a /24
 * whose labels are IPv6 nibbles too, IPv6 prefixes with an exclusion, the
 * test points. */
static void test_ip_by_hand(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "198.51.100.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "198.51.100.7", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "198.51.100.9", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "203.0.112.0/20", 0, 0x7f00000a, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "1.2.3.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "2001:db8::/32", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "2001:db8::1", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "c", "2001:db8:1::/48", 0, 0, 0, "own $list"), 0);
    assert_int_equal(put(w, "bl.test", "c", "2001:db8:2::/48", 0, 0, 0, "own $"), 0);
    commit_ok(w);
    struct zt t;
    zt_open(&t, f, "bl.test");
    zt_walk(&t, f);
    static const char *const names[] = {
        "1.2.0.192", "2.2.0.192", "0.100.51.198", "7.100.51.198", "9.100.51.198",
        "10.100.51.198", "5.5.112.0.203", "5.5.127.0.203", "5.5.128.0.203", "5.3.2.1",
        "12.3.2.1", "2.0.0.127", "1.0.0.127", "3.0.0.127", "1.1.1.1", "2.0.192", "100.51.198",
        "0.127", "3.2.1",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        bad += check(f->st, &t, names[i], nlabels(names[i]) == 4);
    /* IPv6 around the prefixes, and addresses below the /24 of 1.2.3 */
    static const char *const v6[] = {
        "2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8:1::5", "2001:db8:3::",
        "2001:db9::", "2002::", "1230::1", "123a::", "1234:5678::", "::ffff:7f00:2",
        "::ffff:7f00:1", "::1",
    };
    for (size_t i = 0; i < sizeof(v6) / sizeof(*v6); i++) {
        struct dx_key k = K(v6[i]);
        uint8_t a[16];
        if (k.family == DX_FAM_V4) {
            memset(a, 0, 10);
            a[10] = a[11] = 0xff;
            memcpy(a + 12, k.addr, 4);
        } else {
            memcpy(a, k.addr, 16);
        }
        char n[80];
        rev6(a, 32, n);
        bad += check(f->st, &t, n, true);
    }
    assert_int_equal(bad, 0);
    /* TXT `$` in a wildcard: the entry that decided it */
    struct ans a;
    secondary(&t.c, "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.8.b.d.0.1.0.0.2", &a);
    assert_true(a.wild);
    bool found = false;
    for (size_t i = 0; i < a.nt; i++)
        found |= strcmp(a.txt[i], "own 2001:db8:2::/48") == 0;
    assert_true(found);
    zt_close(&t);
}

/* --- random mixes ---------------------------------------------------------------------------- */

struct gen {
    size_t n_entries;
    unsigned long nodes_bound;      /* sum over entries of blocks + ancestors */
    char (*q)[80];                  /* names to ask */
    bool *addr;
    size_t nq, capq;
};

static void ask(struct gen *g, const char *name, bool address)
{
    if (g->nq == g->capq) {
        g->capq = g->capq ? 2 * g->capq : 4096;
        g->q = realloc(g->q, g->capq * sizeof(*g->q));
        g->addr = realloc(g->addr, g->capq * sizeof(*g->addr));
        assert_non_null(g->q);
        assert_non_null(g->addr);
    }
    snprintf(g->q[g->nq], sizeof(g->q[0]), "%s", name);
    g->addr[g->nq++] = address;
}

static void ask4(struct gen *g, uint32_t a)
{
    char n[32];
    rev4(a, n);
    ask(g, n, true);
    for (const char *p = strchr(n, '.'); p; p = strchr(p + 1, '.'))
        ask(g, p + 1, false);           /* the prefixes above it */
}

static void ask6(struct gen *g, const uint8_t a[16])
{
    char n[80];
    rev6(a, 32, n);
    ask(g, n, true);
    unsigned k = 1 + rnd() % 31;
    rev6(a, k, n);
    ask(g, n, false);
}

/* The bound's count for an entry of prefix length plen (g bits a label,
 * maxd labels an address): its aligned blocks and their ancestors. */
static unsigned long entry_nodes(unsigned plen, unsigned g)
{
    unsigned d = plen == 0 ? 1 : (plen + g - 1) / g;
    return (1ul << (g * d - plen)) + (d - 1);
}

static const char *const LISTS[] = { "a", "b", "c" };

static uint64_t rnd_exp(void)
{
    unsigned r = rnd() % 10;
    return r == 0 ? T_NOW - 5 : r == 1 ? WNOW + 50 + rnd() % 500 : 0;
}

/* n IPv4 entries of random prefix length in base/blen, nested and
 * overlapping, with exclusions, own codes and expiry. */
static void gen4(struct gen *g, struct dx_txn *w, const char *zone, uint32_t base,
                 unsigned blen, size_t n, unsigned minplen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned plen = minplen + rnd() % (33 - minplen);
        if (rnd() % 3 == 0)
            plen = 32;
        uint32_t a = base | (rnd() & (blen ? 0xffffffffu >> blen : 0xffffffffu));
        struct dx_key k = v4(a, plen);
        uint32_t flags = rnd() % 7 == 0 ? DX_ENTRY_EXCLUDE : 0;
        uint32_t code = rnd() % 5 == 0 ? 0x7f000010u + rnd() % 4 : 0;
        struct dx_entry e = { .flags = flags, .code = code, .expires_at = rnd_exp(),
                              .source = "admin" };
        assert_int_equal(dx_entry_put(w, zone, LISTS[rnd() % 3], &k, &e), 0);
        g->n_entries++;
        g->nodes_bound += entry_nodes(plen, 8);
        uint32_t lo = dx_be32(k.addr);
        uint32_t hi = lo | (uint32_t)(0xffffffffull >> plen); /* plen 0..32 */
        ask4(g, lo - 1);
        ask4(g, lo);
        ask4(g, hi);
        ask4(g, hi + 1);
        ask4(g, lo + rnd() % (hi - lo + 1u ? hi - lo + 1u : 1));
    }
}

static void gen6(struct gen *g, struct dx_txn *w, const char *zone, const uint8_t base[16],
                 unsigned blen, size_t n, unsigned minplen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned plen = minplen + rnd() % (129 - minplen);
        if (rnd() % 3 == 0)
            plen = 128;
        struct dx_key k = { .family = DX_FAM_V6, .len = 16, .plen = (uint8_t)plen };
        for (unsigned b = 0; b < 16; b++)
            k.addr[b] = (uint8_t)rnd();
        /* the base's first blen bits, then the host bits cleared */
        for (unsigned b = 0; b < 128; b++) {
            uint8_t m = (uint8_t)(0x80 >> (b % 8));
            if (b >= plen)
                k.addr[b / 8] &= (uint8_t)~m;
            else if (b < blen)
                k.addr[b / 8] = (uint8_t)((k.addr[b / 8] & ~m) | (base[b / 8] & m));
        }
        uint32_t flags = rnd() % 7 == 0 ? DX_ENTRY_EXCLUDE : 0;
        struct dx_entry e = { .flags = flags, .expires_at = rnd_exp(), .source = "admin" };
        int prc = dx_entry_put(w, zone, LISTS[rnd() % 3], &k, &e);
        if (prc) {
            char kt[DX_KEY_TEXT_MAX];
            dx_key_format(&k, kt, sizeof(kt));
            fail_msg("put %s: %d", kt, prc);
        }
        g->n_entries++;
        g->nodes_bound += entry_nodes(plen, 4);
        uint8_t q[16];
        memcpy(q, k.addr, 16);
        ask6(g, q);                     /* the first address */
        for (unsigned b = plen; b < 128; b++)
            q[b / 8] |= (uint8_t)(0x80 >> (b % 8));
        ask6(g, q);                     /* the last */
        for (int b = 15; b >= 0 && ++q[b] == 0; b--)
            ;
        ask6(g, q);                     /* the one after */
        memcpy(q, k.addr, 16);
        for (unsigned b = plen; b < 128; b++)
            if (rnd() & 1)
                q[b / 8] |= (uint8_t)(0x80 >> (b % 8));
        ask6(g, q);                     /* one inside */
    }
}

/* Ask every name; count the owners and RRs against the bound. */
static void run(struct fx *f, struct zt *t, struct gen *g, unsigned long extra_nodes)
{
    zt_walk(t, f);
    int bad = 0;
    for (size_t i = 0; i < g->nq && bad < 20; i++)
        bad += check(f->st, t, g->q[i], g->addr[i]);
    assert_int_equal(bad, 0);
    size_t owners = 0;
    for (size_t i = 0; i < t->c.n; i++)
        owners += i == 0 || strcmp(t->c.r[i].owner, t->c.r[i - 1].owner) != 0;
    unsigned long bound = 2 * (g->nodes_bound + 38 + extra_nodes) + 1;
    if (owners > bound || t->c.n > 1 + t->zz->n_ns + owners * 2 * t->zz->n_lists)
        fail_msg("%zu entries: %zu owners, %zu RRs; bound %lu owners, %zu RRs", g->n_entries,
                 owners, t->c.n, bound, 1 + t->zz->n_ns + owners * 2 * t->zz->n_lists);
    free(g->q);
    free(g->addr);
}

/* Nested, overlapping and non-aligned IPv4 and IPv6 prefixes of every
 * length with exclusions and expiry, away from the names both families
 * share: every address answers as dnsxld, and the records stay within
 * 2 owners per block and ancestor of each entry (zonerr.h). */
static void test_ip_random(void **state)
{
    struct fx *f = *state;
    static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xab };
    for (unsigned seed = 1; seed <= 3; seed++) {
        rnd_state = seed;
        struct gen g = { 0 };
        struct dx_txn *w;
        assert_int_equal(dx_txn_write(f->st, T_NOW + seed, &w), 0);
        gen4(&g, w, "bl.test", 0x0a000000u, 14, 300, 8);     /* 10.0.0.0/14, /8 and longer */
        gen4(&g, w, "bl.test", 0xc6336400u, 22, 100, 20);    /* 198.51.100.0/22 */
        gen6(&g, w, "bl.test", b6, 40, 150, 32);
        commit_ok(w);
        struct zt t;
        zt_open(&t, f, "bl.test");
        run(f, &t, &g, 0);
        zt_close(&t);
    }
}

/* The worst shapes for the bound: /25s (128 names each), /9s and /17s
 * (128 wildcards), a chain /8 > /16 > /24 > /32 with an exclusion at each
 * level, /32s spread under one /8 (each makes 3 ancestors carry copies),
 * IPv6 /128s under a /32 (31 ancestors) and /125s. */
static void test_bound_worst_shapes(void **state)
{
    struct fx *f = *state;
    struct gen g = { 0 };
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    static const struct { const char *key, *list; uint32_t flags; unsigned plen, gl; } e[] = {
        { "20.0.0.0/25", "a", 0, 25, 8 }, { "20.0.1.0/25", "b", 0, 25, 8 },
        { "20.0.1.128/25", "a", DX_ENTRY_EXCLUDE, 25, 8 }, { "30.0.0.0/9", "a", 0, 9, 8 },
        { "30.128.0.0/9", "b", 0, 9, 8 }, { "40.0.0.0/17", "c", 0, 17, 8 },
        { "50.0.0.0/8", "a", 0, 8, 8 }, { "50.1.0.0/16", "a", DX_ENTRY_EXCLUDE, 16, 8 },
        { "50.1.2.0/24", "a", 0, 24, 8 }, { "50.1.2.3", "a", DX_ENTRY_EXCLUDE, 32, 8 },
        { "50.1.2.4", "b", 0, 32, 8 }, { "a000::/32", "a", 0, 32, 4 },
        { "a000::1", "b", 0, 128, 4 }, { "a000::ff:1", "a", DX_ENTRY_EXCLUDE, 128, 4 },
        { "a000:1::/125", "c", 0, 125, 4 }, { "b000::/13", "a", 0, 13, 4 },
    };
    for (size_t i = 0; i < sizeof(e) / sizeof(*e); i++) {
        assert_int_equal(put(w, "bl.test", e[i].list, e[i].key, e[i].flags, 0, 0, NULL), 0);
        g.n_entries++;
        g.nodes_bound += entry_nodes(e[i].plen, e[i].gl);
        struct dx_key k = K(e[i].key);
        if (k.family == DX_FAM_V4) {
            ask4(&g, dx_be32(k.addr));
            ask4(&g, dx_be32(k.addr) + 1);
            ask4(&g, dx_be32(k.addr) - 1);
        } else {
            ask6(&g, k.addr);
        }
    }
    for (unsigned i = 0; i < 200; i++) {            /* /32s under the /8 */
        uint32_t a = 0x32000000u | (rnd() & 0xffffff);
        struct dx_key k = v4(a, 32);
        struct dx_entry en = { .source = "admin" };
        assert_int_equal(dx_entry_put(w, "bl.test", LISTS[i % 3], &k, &en), 0);
        g.n_entries++;
        g.nodes_bound += entry_nodes(32, 8);
        ask4(&g, a);
        ask4(&g, a ^ 1);
    }
    commit_ok(w);
    struct zt t;
    zt_open(&t, f, "bl.test");
    run(f, &t, &g, 0);
    zt_close(&t);
}

/* Where IPv4 and IPv6 names coincide (labels of one digit): an IPv4 /8,
 * /16 and /24 there and IPv6 data below the same names. No IPv6 address
 * falls into an IPv4 wildcard nor the reverse; the names this takes stay
 * within the zone-wide constant of zonerr.h. */
static void test_ip_shared_names(void **state)
{
    struct fx *f = *state;
    rnd_state = 99;
    struct gen g = { 0 };
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "2.0.0.0/8", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "1.2.0.0/16", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "c", "3.4.5.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2.0.0.1", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "4000::/12", 0, 0, 0, NULL), 0);
    g.n_entries = 5;
    g.nodes_bound = entry_nodes(8, 8) + entry_nodes(16, 8) + entry_nodes(24, 8) + 4 +
                    entry_nodes(12, 4);
    static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
    gen6(&g, w, "bl.test", b6, 32, 60, 32);
    static const uint8_t s6[16] = { 0x20, 0x00 };
    gen6(&g, w, "bl.test", s6, 8, 40, 16);
    commit_ok(w);
    for (unsigned i = 0; i < 400; i++) {
        ask4(&g, 0x02000000u | (rnd() & 0xffffff));
        ask4(&g, 0x01020000u | (rnd() & 0xffff));
        ask4(&g, (rnd() % 10) << 24 | (rnd() % 10) << 16 | (rnd() % 10) << 8 | rnd() % 10);
        uint8_t a[16];
        for (unsigned b = 0; b < 16; b++)
            a[b] = (uint8_t)rnd();
        a[0] = (uint8_t)((rnd() % 5) << 4 | (a[0] & 15));
        ask6(&g, a);
        a[0] = 0x12;                   /* below 1.2 */
        ask6(&g, a);
        a[0] = 0x34;
        a[1] = 0x50 | (a[1] & 15);     /* below 3.4.5 */
        ask6(&g, a);
    }
    struct zt t;
    zt_open(&t, f, "bl.test");
    run(f, &t, &g, 17776);
    zt_close(&t);
}

/* A bitmask zone answers one ORed A, as dnsxld. */
static void test_ip_bitmask(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "mask.test", "a", "192.0.2.0/24", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "mask.test", "b", "192.0.2.5", 0, 0, 0, NULL), 0);
    commit_ok(w);
    struct zt t;
    zt_open(&t, f, "mask.test");
    zt_walk(&t, f);
    assert_int_equal(check(f->st, &t, "5.2.0.192", true), 0);
    assert_int_equal(check(f->st, &t, "6.2.0.192", true), 0);
    struct ans a;
    secondary(&t.c, "5.2.0.192", &a);
    assert_int_equal(a.na, 1);
    assert_int_equal(a.a[0], 0x7f000006u);
    zt_close(&t);
}

/* TTL: the zone's, capped by what is left of the entries at the walk's
 * clock; NXDOMAIN TTL on the CNAMEs of "not listed". */
static void test_ttl(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.1", 0, 0, WNOW + 100, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "192.0.2.1", 0, 0, WNOW + 50, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.2", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    commit_ok(w);
    struct zt t;
    zt_open(&t, f, "bl.test");
    zt_walk(&t, f);
    unsigned seen = 0;
    for (size_t i = 0; i < t.c.n; i++) {
        const struct rec *r = &t.c.r[i];
        if (strcmp(r->owner, "1.2.0.192") == 0) {
            assert_int_equal(r->ttl, 50);
            seen++;
        } else if (strcmp(r->owner, "2.2.0.192") == 0) {
            assert_int_equal(r->type, DX_RR_CNAME);
            assert_int_equal(r->ttl, 120);
            seen++;
        } else if (r->type == DX_RR_SOA) {
            assert_int_equal(r->ttl, 300);
            assert_string_equal(r->owner, "");
            assert_true(i == 0);
        }
    }
    assert_int_equal(seen, 5);      /* two A (one per code), two TXT, the CNAME */
    zt_close(&t);
}

/* Domain zones: wildcards, exclusions under them, names below wildcards
 * with records of their own, lists of different depths, expiry, TEST
 * and INVALID. */
static void test_domain_random(void **state)
{
    struct fx *f = *state;
    static const char *const labs[] = { "a", "b", "x-1", "x", "spam", "invalid", "test" };
    static const char *const dl[] = { "d", "e" };
    for (unsigned seed = 1; seed <= 3; seed++) {
        rnd_state = 1000 + seed;
        struct gen g = { 0 };
        struct dx_txn *w;
        assert_int_equal(dx_txn_write(f->st, T_NOW + seed, &w), 0);
        for (unsigned i = 0; i < 120; i++) {
            char name[128];
            size_t o = 0;
            unsigned depth = 1 + rnd() % 4;
            for (unsigned d = 0; d < depth; d++)
                o += (size_t)sprintf(name + o, "%s%s", d ? "." : "", labs[rnd() % 5]);
            bool wild = rnd() % 3 == 0;
            char key[140];
            snprintf(key, sizeof(key), "%s%s", wild ? "*." : "", name);
            struct dx_key k = K(key);
            uint32_t flags = rnd() % 6 == 0 ? DX_ENTRY_EXCLUDE : 0;
            struct dx_entry e = { .flags = flags, .code = rnd() % 6 == 0 ? 0x7f000120u : 0,
                                  .expires_at = rnd_exp(), .source = "admin" };
            assert_int_equal(dx_entry_put(w, "dbl.test", dl[rnd() % 2], &k, &e), 0);
            g.n_entries++;
            g.nodes_bound += depth + 1;
            char q[160];
            ask(&g, name, true);
            snprintf(q, sizeof(q), "%s.%s", labs[rnd() % 7], name);
            ask(&g, q, true);
            snprintf(q, sizeof(q), "%s.%s.%s", labs[rnd() % 7], labs[rnd() % 7], name);
            ask(&g, q, true);
            const char *dot = strchr(name, '.');
            if (dot)
                ask(&g, dot + 1, true);
        }
        commit_ok(w);
        ask(&g, "test", true);
        ask(&g, "invalid", true);
        ask(&g, "excluded", true);
        struct zt t;
        zt_open(&t, f, "dbl.test");
        run(f, &t, &g, 0);
        zt_close(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ip_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound_worst_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_shared_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_bitmask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domain_random, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
