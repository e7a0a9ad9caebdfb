/* The IXFR journal (zones/journal.h): every change the commit hook
 * journals, applied to the zone's records before it, gives the zone's
 * records after it (the whole zone walked at each serial's clock, the SOA
 * aside), over random changes of every shape (nested, non-aligned,
 * exclusions, names IPv4 and IPv6 share, the test points, IPv6, expiry);
 * the condensed difference between two serials does the same for a run
 * of changes; a change larger than the bound drops the journal; the bound
 * by size drops the oldest; the age bound; serials (RFC 1982). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

#include <lmdb.h>
#include <sys/types.h>

#include "zones/bytes.h"
#include "zones/conf.h"
#include "zones/journal.h"
#include "zones/schema.h"
#include "zones/zonerr.h"

/* --- a zone's records as a sorted set of journal bytes -------------------------------- */

struct set {
    char **r;                        /* each: u16 length, then the record's bytes */
    size_t n, cap;
};

static void set_add_bytes(struct set *s, const uint8_t *p, size_t n)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->r = realloc(s->r, s->cap * sizeof(*s->r));
        assert_non_null(s->r);
    }
    char *e = malloc(n + 2);
    assert_non_null(e);
    e[0] = (char)(n >> 8);
    e[1] = (char)n;
    memcpy(e + 2, p, n);
    s->r[s->n++] = e;
}

static size_t rec_len(const char *e)
{
    return (size_t)(uint8_t)e[0] << 8 | (uint8_t)e[1];
}

static int rec_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t xn = rec_len(x), yn = rec_len(y);
    int c = memcmp(x + 2, y + 2, xn < yn ? xn : yn);
    return c ? c : xn < yn ? -1 : xn > yn;
}

static int set_cb(void *arg, const struct dx_rr *rr)
{
    if (rr->type == DX_RR_SOA)
        return 0;
    uint8_t buf[70000];
    struct dx_bytes b;
    dx_bytes_writer(&b, buf, sizeof(buf));
    dx_sv_jrr_put(&b, rr->owner, rr->owner_len, rr->type, rr->ttl, rr->rdata, rr->rdlen);
    assert_int_equal(b.err, 0);
    set_add_bytes(arg, buf, b.pos);
    return 0;
}

static void set_sort(struct set *s)
{
    if (s->n)
        qsort(s->r, s->n, sizeof(*s->r), rec_cmp);
}

static void set_free(struct set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->r[i]);
    free(s->r);
    memset(s, 0, sizeof(*s));
}

static ssize_t set_find(const struct set *s, const char *e)
{
    char **hit = s->n ? bsearch(&e, s->r, s->n, sizeof(*s->r), rec_cmp) : NULL;
    return hit ? hit - s->r : -1;
}

/* --- the fixture: a config with journals, attached to the store ------------------------ */

static const char *CONF_TEXT =
    "[server]\ndatabase = /nonexistent\n"
    "[zone bl.test]\nkind = ip\nttl = 300\ntxt = L $list\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "[list bl.test/a]\ncode = 127.0.0.2\n"
    "[list bl.test/b]\ncode = 127.0.0.4\ntxt = B $list $zone\n"
    "[list bl.test/c]\ncode = 127.0.0.8\n"
    "[zone small.test]\nkind = ip\nixfr-journal = 2k\nixfr-journal-age = 1h\n"
    "[list small.test/a]\ncode = 127.0.0.2\n"
    "[zone off.test]\nkind = ip\nixfr-journal = 0\n"
    "[list off.test/a]\ncode = 127.0.0.2\n"
    "[zone dbl.test]\nkind = domain\ntxt = D $list $\n"
    "[list dbl.test/a]\ncode = 127.0.1.2\n"
    "[list dbl.test/b]\ncode = 127.0.1.4\n"
    "[list dbl.test/c]\ncode = 127.0.1.8\n";

struct jt {
    struct dx_conf *conf;
    struct dx_zrr_zone *zz;
};

static void jt_open(struct jt *t, struct fx *f, const char *zone)
{
    char path[128], err[512];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(CONF_TEXT, fp);
    fclose(fp);
    if (dx_conf_load(path, &t->conf, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(dx_zrr_zone_new(dx_conf_zone(t->conf, zone), &t->zz), 0);
    assert_int_equal(dx_journal_attach(f->st, t->conf), 0);
}

static void jt_close(struct jt *t)
{
    dx_zrr_zone_free(t->zz);
    dx_conf_free(t->conf);
}

/* The whole zone, as transfers walk it. */
static void walk(struct fx *f, const struct jt *t, struct set *s, uint32_t *serial)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zrr_walk(r, t->zz, DX_XFR_CLOCK, set_cb, s), 0);
    assert_int_equal(dx_zrr_serial(r, t->zz, serial), 0);
    dx_txn_abort(r);
    set_sort(s);
}

/* A record's owner, type and TTL, for a failure's message. */
static const char *rec_text(const char *e)
{
    static char out[600];
    const uint8_t *p = (const uint8_t *)e + 2;
    size_t n = p[0], o = 0;
    const uint8_t *w = p + 1;
    for (size_t i = 0; i < n && w[i];) {
        size_t l = w[i++];
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s.", (int)l, (const char *)w + i);
        i += l;
    }
    const uint8_t *q = p + 1 + n;
    snprintf(out + o, sizeof(out) - o, " type %u ttl %u", dx_be16(q), dx_be32(q + 2));
    return out;
}

/* Apply a difference to a copy of before; compare with after. */
struct apply {
    struct set *s;
    bool *gone;
    int bad;
};

static int del_cb(void *arg, const struct dx_rr *rr)
{
    struct apply *a = arg;
    struct set one = { 0 };
    set_cb(&one, rr);
    ssize_t i = set_find(a->s, one.r[0]);
    if (i < 0 || a->gone[i]) {
        if (a->bad++ < 5)
            print_error("removes a record the zone does not hold: %s\n", rec_text(one.r[0]));
    } else {
        a->gone[i] = true;
    }
    set_free(&one);
    return 0;
}

static int add_cb(void *arg, const struct dx_rr *rr)
{
    return set_cb(arg, rr);
}

static void check_diff(const struct set *before, const struct dx_jdiff *d,
                       const struct set *after)
{
    struct set cur = { 0 };
    struct apply a = { .s = (struct set *)before, .gone = calloc(before->n + 1, 1) };
    assert_int_equal(dx_jdiff_foreach(&d->del, del_cb, &a), 0);
    for (size_t i = 0; i < before->n; i++)
        if (!a.gone[i])
            set_add_bytes(&cur, (const uint8_t *)before->r[i] + 2, rec_len(before->r[i]));
    assert_int_equal(dx_jdiff_foreach(&d->add, add_cb, &cur), 0);
    set_sort(&cur);
    size_t i = 0, j = 0;
    while (i < cur.n || j < after->n) {
        int c = i == cur.n ? 1 : j == after->n ? -1 : rec_cmp(&cur.r[i], &after->r[j]);
        if (c != 0 && a.bad++ < 10)
            print_error("%s %s\n", c < 0 ? "extra" : "missing",
                        rec_text(c < 0 ? cur.r[i] : after->r[j]));
        i += c <= 0;
        j += c >= 0;
    }
    free(a.gone);
    set_free(&cur);
    assert_int_equal(a.bad, 0);
}

/* The journal's last change of zone as a dx_jdiff (its from/to in *h). */
struct last {
    struct dx_jhead h;
    struct dx_jdiff d;
    int n;
};

static int last_cb(void *arg, const uint8_t *v, size_t n)
{
    struct last *l = arg;
    struct dx_bytes r;
    dx_bytes_reader(&r, v, n);
    assert_int_equal(dx_sv_jhead_get(&r, &l->h), 0);
    dx_jdiff_free(&l->d);
    dx_jdiff_init(&l->d);
    for (uint32_t i = 0; i < l->h.ndel + l->h.nadd; i++) {
        size_t at = r.pos;
        struct dx_rr rr;
        assert_int_equal(dx_sv_jrr_get(&r, &rr.owner, &rr.owner_len, &rr.type, &rr.ttl,
                                       &rr.rdata, &rr.rdlen), 0);
        dx_put(i < l->h.ndel ? &l->d.del : &l->d.add, v + at, r.pos - at);
    }
    l->n++;
    return 0;
}

static int journal_last(struct fx *f, const char *zone, struct last *l)
{
    struct dx_txn *r;
    memset(l, 0, sizeof(*l));
    dx_jdiff_init(&l->d);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_journal_foreach(r, zone, last_cb, l), 0);
    dx_txn_abort(r);
    return l->n;
}

/* --- random changes ----------------------------------------------------------------- */

static uint32_t rnd_state = 1;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static const char *const LISTS[] = { "a", "b", "c" };

/* Addresses from a few small neighbourhoods, so changes meet: 10.1/16,
 * names IPv4 and IPv6 share (1.2.3.x, 1.2/16), 127/8 (the test points),
 * 2001:db8:ab::/48, and ::1:2:3 (shared names again, in IPv6). */
static struct dx_key rnd_key(void)
{
    struct dx_key k;
    unsigned r = rnd() % 6;
    if (r < 4) {
        static const uint32_t base[4] = { 0x0a010000u, 0x01020300u, 0x7f000000u, 0x01020000u };
        static const unsigned blen[4] = { 16, 24, 24, 16 };
        unsigned plen = blen[r] + rnd() % (33 - blen[r]);
        if (rnd() % 3 == 0)
            plen = 32;
        if (rnd() % 8 == 0)
            plen = 8 + rnd() % 8;       /* wide: covers the others */
        uint32_t a = base[r] | (rnd() & (0xffffffffu >> blen[r]));
        uint8_t b[4];
        dx_set_be32(b, a);
        dx_key_from_addr(&k, b, 4);
        k.plen = (uint8_t)plen;
        for (unsigned i = plen; i < 32; i++)
            k.addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
        return k;
    }
    uint8_t a[16] = { 0 };
    if (r == 4) {
        static const uint8_t b6[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xab };
        memcpy(a, b6, 6);
        for (unsigned i = 6; i < 16; i++)
            a[i] = (uint8_t)(rnd() % 3);
    } else {
        a[0] = 0x12;
        a[1] = (uint8_t)(0x30 + rnd() % 2);
        a[2] = (uint8_t)(rnd() % 2);
        a[15] = (uint8_t)rnd();
    }
    dx_key_from_addr(&k, a, 16);
    unsigned plen = 16 + rnd() % 113;
    if (rnd() % 2)
        plen = 128;
    k.plen = (uint8_t)plen;
    for (unsigned i = plen; i < 128; i++)
        k.addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
    return k;
}

static void rnd_change(struct fx *f, const char *zone, uint64_t now, unsigned n)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, now, &w), 0);
    for (unsigned i = 0; i < n; i++) {
        struct dx_key k = rnd_key();
        const char *list = LISTS[rnd() % 3];
        if (rnd() % 3 == 0) {
            int rc = dx_entry_del(w, zone, list, &k);
            assert_true(rc == 0 || rc == DX_ENOTFOUND);
            continue;
        }
        unsigned x = rnd() % 10;
        struct dx_entry e = { .flags = x == 0 ? DX_ENTRY_EXCLUDE : 0,
                              .code = x == 1 ? 0x7f000010u : 0,
                              .expires_at = x == 2 ? now + 100 + rnd() % 100 : 0,
                              .txt = x == 3 ? "own $" : NULL, .source = "admin" };
        assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
    }
    commit_ok(w);
}

static void test_each_change_gives_the_next_zone(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "bl.test");
    uint64_t now = T_NOW;
    rnd_change(f, "bl.test", now, 20);   /* the first write: no journal yet */
    struct set before = { 0 };
    uint32_t serial;
    walk(f, &t, &before, &serial);
    for (unsigned round = 1; round <= 120; round++) {
        rnd_state = round * 7919u;
        now += 1 + rnd() % 3;
        rnd_change(f, "bl.test", now, 1 + rnd() % (round % 10 == 0 ? 40 : 4));
        struct set after = { 0 };
        uint32_t s2;
        walk(f, &t, &after, &s2);
        struct last l;
        assert_true(journal_last(f, "bl.test", &l) > 0);
        if (s2 == serial) {             /* nothing changed (deletes of nothing) */
            dx_jdiff_free(&l.d);
            dx_jdiff_init(&l.d);
            check_diff(&before, &l.d, &after);
            dx_jdiff_free(&l.d);
            set_free(&after);
            continue;
        }
        assert_int_equal(l.h.from, serial);
        assert_int_equal(l.h.to, s2);
        check_diff(&before, &l.d, &after);
        dx_jdiff_free(&l.d);
        set_free(&before);
        before = after;
        serial = s2;
    }
    set_free(&before);
    jt_close(&t);
}

/* Names from a few labels, nested, wildcards (the key *.name), near the
 * test points and the CNAME targets. */
static struct dx_key rnd_name(void)
{
    static const char *const lab[] = { "a", "b", "spam", "x-1", "mail", "test", "invalid",
                                       "excluded", "c" };
    char text[128];
    size_t o = 0;
    unsigned depth = 1 + rnd() % 3;
    bool wild = rnd() % 4 == 0;
    if (wild)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "*.");
    for (unsigned i = 0; i < depth; i++) {
        unsigned r = rnd() % 40;
        const char *l = r < 36 ? lab[r % 5 + (r % 9 == 8 ? 4 : 0)] : lab[5 + r % 4];
        o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%s", i ? "." : "", l);
    }
    if (rnd() % 2)
        o += (size_t)snprintf(text + o, sizeof(text) - o, ".example");
    struct dx_key k;
    if (dx_key_parse(text, &k) != 0)
        fail_msg("bad name %s", text);
    return k;
}

static void rnd_dchange(struct fx *f, uint64_t now, unsigned n)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, now, &w), 0);
    for (unsigned i = 0; i < n; i++) {
        struct dx_key k = rnd_name();
        const char *list = LISTS[rnd() % 3];
        if (rnd() % 3 == 0) {
            int rc = dx_entry_del(w, "dbl.test", list, &k);
            assert_true(rc == 0 || rc == DX_ENOTFOUND);
            continue;
        }
        unsigned x = rnd() % 8;
        struct dx_entry e = { .flags = x == 0 ? DX_ENTRY_EXCLUDE : 0,
                              .code = x == 1 ? 0x7f000110u : 0,
                              .txt = x == 2 ? "own $" : NULL, .source = "admin" };
        assert_int_equal(dx_entry_put(w, "dbl.test", list, &k, &e), 0);
    }
    commit_ok(w);
}

/* The same for a domain zone: names, wildcards, exclusions, names below
 * them, TEST and INVALID; a change at or below a name with "excluded" in
 * it (the CNAME target) drops the journal. */
static void test_domain_changes_give_the_next_zone(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "dbl.test");
    uint64_t now = T_NOW;
    rnd_state = 4242;
    rnd_dchange(f, now, 20);
    struct set before = { 0 };
    uint32_t serial;
    walk(f, &t, &before, &serial);
    unsigned checked = 0, dropped = 0;
    for (unsigned round = 1; round <= 150; round++) {
        rnd_state = round * 104729u;
        rnd_dchange(f, ++now, 1 + rnd() % (round % 10 == 0 ? 20 : 3));
        struct set after = { 0 };
        uint32_t s2;
        walk(f, &t, &after, &s2);
        struct last l;
        int n = journal_last(f, "dbl.test", &l);
        if (s2 != serial && (n == 0 || l.h.to != s2)) {
            dropped++;                  /* an excluded* name: dropped */
        } else if (s2 != serial) {
            assert_int_equal(l.h.from, serial);
            check_diff(&before, &l.d, &after);
            checked++;
        }
        dx_jdiff_free(&l.d);
        set_free(&before);
        before = after;
        serial = s2;
    }
    print_message("domain: %u changes checked, %u dropped\n", checked, dropped);
    assert_true(checked > 80);
    assert_true(dropped > 0);
    set_free(&before);
    jt_close(&t);
}

static void test_the_condensed_difference_spans_changes(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "bl.test");
    uint64_t now = T_NOW;
    rnd_state = 99;
    rnd_change(f, "bl.test", now, 30);
    struct set first = { 0 }, last = { 0 };
    uint32_t s0, s1;
    walk(f, &t, &first, &s0);
    for (unsigned round = 0; round < 30; round++)
        rnd_change(f, "bl.test", now += 5, 1 + rnd() % 5);
    walk(f, &t, &last, &s1);
    struct dx_txn *r;
    struct dx_jdiff d;
    dx_jdiff_init(&d);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_journal_diff(r, "bl.test", s0, s1, &d), 1);
    check_diff(&first, &d, &last);
    dx_jdiff_free(&d);
    dx_jdiff_init(&d);
    /* a serial the journal never had, or not the zone's serial now */
    assert_int_equal(dx_journal_diff(r, "bl.test", s0 - 1000, s1, &d), 0);
    assert_int_equal(dx_journal_diff(r, "bl.test", s0, s1 + 1, &d), 0);
    dx_txn_abort(r);
    dx_jdiff_free(&d);
    set_free(&first);
    set_free(&last);
    jt_close(&t);
}

static uint32_t zone_serial(struct fx *f, const char *zone)
{
    struct dx_txn *r;
    uint32_t s = 0;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_zone_serial(r, zone, &s), 0);
    dx_txn_abort(r);
    return s;
}

static int diff_from(struct fx *f, const char *zone, uint32_t from)
{
    struct dx_txn *r;
    struct dx_jdiff d;
    dx_jdiff_init(&d);
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    uint32_t to;
    assert_int_equal(dx_zone_serial(r, zone, &to), 0);
    int rc = dx_journal_diff(r, zone, from, to, &d);
    dx_txn_abort(r);
    dx_jdiff_free(&d);
    return rc;
}

static void put_one(struct fx *f, const char *zone, uint64_t now, const char *key)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, now, &w), 0);
    assert_int_equal(put(w, zone, "a", key, 0, 0, 0, NULL), 0);
    commit_ok(w);
}

/* small.test keeps 2 KiB of journal: a change of more drops it (the next
 * IXFR is a whole zone), small ones are kept until the bytes pass 2 KiB,
 * then the oldest go; changes older than an hour go; off.test keeps none. */
static void test_the_bounds(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "small.test");
    uint64_t now = T_NOW;
    put_one(f, "small.test", now, "10.0.0.1");
    uint32_t s0 = zone_serial(f, "small.test");
    put_one(f, "small.test", ++now, "10.0.0.2");
    uint32_t s1 = zone_serial(f, "small.test");
    assert_int_equal(diff_from(f, "small.test", s0), 1);
    /* a big change: 200 /32s, more than 2 KiB of records */
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, ++now, &w), 0);
    for (unsigned i = 0; i < 200; i++) {
        char k[32];
        snprintf(k, sizeof(k), "10.0.%u.%u", 1 + i / 200, i % 200);
        assert_int_equal(put(w, "small.test", "a", k, 0, 0, 0, NULL), 0);
    }
    commit_ok(w);
    struct last l;
    assert_int_equal(journal_last(f, "small.test", &l), 0);
    dx_jdiff_free(&l.d);
    assert_int_equal(diff_from(f, "small.test", s0), 0);
    assert_int_equal(diff_from(f, "small.test", s1), 0);
    /* small changes: kept, the oldest dropped beyond 2 KiB */
    uint32_t first = zone_serial(f, "small.test");
    for (unsigned i = 0; i < 40; i++) {
        char k[32];
        snprintf(k, sizeof(k), "10.9.0.%u", i);
        put_one(f, "small.test", ++now, k);
    }
    assert_int_equal(diff_from(f, "small.test", first), 0);
    int kept = journal_last(f, "small.test", &l);
    dx_jdiff_free(&l.d);
    assert_true(kept > 3 && kept < 40);
    /* the age: an hour later, one change leaves only itself */
    now += 3601;
    uint32_t before = zone_serial(f, "small.test");
    put_one(f, "small.test", now, "10.9.1.1");
    assert_int_equal(journal_last(f, "small.test", &l), 1);
    assert_int_equal(l.h.from, before);
    dx_jdiff_free(&l.d);
    /* off.test: no journal */
    put_one(f, "off.test", now, "10.0.0.1");
    put_one(f, "off.test", now + 1, "10.0.0.2");
    assert_int_equal(journal_last(f, "off.test", &l), 0);
    dx_jdiff_free(&l.d);
    jt_close(&t);
}

/* A change of more ranges than the store counts (131,072: it then
 * rebuilds the family's index) drops the journal without walking the
 * zone: secondaries take the whole zone once, and the journal starts
 * again with the next change. */
static void test_a_huge_change_drops_the_journal(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "bl.test");
    put_one(f, "bl.test", T_NOW, "10.0.0.1");
    uint32_t s0 = zone_serial(f, "bl.test");
    put_one(f, "bl.test", T_NOW + 1, "10.0.0.2");
    uint32_t s1 = zone_serial(f, "bl.test");
    assert_int_equal(diff_from(f, "bl.test", s0), 1);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW + 2, &w), 0);
    for (uint32_t i = 0; i < 131073; i++) {
        uint8_t a[4];
        struct dx_key k;
        dx_set_be32(a, 0x0b000000u + i);
        dx_key_from_addr(&k, a, 4);
        struct dx_entry e = { .source = "import" };
        assert_int_equal(dx_entry_put(w, "bl.test", "a", &k, &e), 0);
    }
    commit_ok(w);
    struct last l;
    assert_int_equal(journal_last(f, "bl.test", &l), 0);
    dx_jdiff_free(&l.d);
    assert_int_equal(diff_from(f, "bl.test", s1), 0);
    uint32_t s2 = zone_serial(f, "bl.test");
    put_one(f, "bl.test", T_NOW + 3, "10.0.0.3");
    assert_int_equal(diff_from(f, "bl.test", s2), 1);
    jt_close(&t);
}

/* A change of entries that makes no record change (seen again) is a
 * serial with an empty difference: the chain goes on. */
static void test_a_change_without_record_changes(void **state)
{
    struct fx *f = *state;
    struct jt t;
    jt_open(&t, f, "bl.test");
    put_one(f, "bl.test", T_NOW, "192.0.2.1");
    uint32_t s0 = zone_serial(f, "bl.test");
    put_one(f, "bl.test", T_NOW + 1, "192.0.2.1");
    struct last l;
    assert_int_equal(journal_last(f, "bl.test", &l), 1);
    assert_int_equal(l.h.ndel + l.h.nadd, 0);
    dx_jdiff_free(&l.d);
    assert_int_equal(diff_from(f, "bl.test", s0), 1);
    jt_close(&t);
}

/* RFC 1982: the next serial is the clock when that is later, else +1;
 * never back, also across the wrap; a store written again from scratch
 * (a rebuild) starts at the clock, after every serial of the old one that
 * followed the clock. */
static void test_serials(void **state)
{
    (void)state;
    assert_int_equal(dx_serial_next(100, 200), 200);
    assert_int_equal(dx_serial_next(200, 200), 201);
    assert_int_equal(dx_serial_next(300, 200), 301);
    assert_int_equal(dx_serial_next(0xfffffff0u, 5), 5);          /* 5 is after, wrapped */
    assert_int_equal(dx_serial_next(0xffffffffu, 0xffffffffu), 0);
    assert_int_equal(dx_serial_next(5, 0x80000005u), 6);            /* undefined: +1 */
    struct fx *f = *state;
    put_one(f, "bl.test", T_NOW, "192.0.2.1");
    put_one(f, "bl.test", T_NOW, "192.0.2.2");
    assert_int_equal(zone_serial(f, "bl.test"), T_NOW + 1);
    put_one(f, "bl.test", T_NOW - 50, "192.0.2.3");    /* the clock went back */
    assert_int_equal(zone_serial(f, "bl.test"), T_NOW + 2);
}

/* A store from before the journal (no "journal" database) gets it at open
 * and journals from then on. */
static void test_an_old_store_gets_the_journal(void **state)
{
    struct fx *f = *state;
    put_one(f, "bl.test", T_NOW, "192.0.2.1");
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/db/x", f->dir);
    dx_store_close(f->st);
    f->st = NULL;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, sub, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
    assert_int_equal(mdb_drop(txn, dbi, 1), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "journal", 0, &dbi), MDB_NOTFOUND);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    assert_int_equal(dx_store_open(sub, 1ULL << 30, DX_STORE_CREATE, &f->st), 0);
    assert_true(dx_store_opened(f->st) & DX_STORE_UPGRADED);
    struct jt t;
    jt_open(&t, f, "bl.test");
    uint32_t s0 = zone_serial(f, "bl.test");
    put_one(f, "bl.test", T_NOW + 1, "192.0.2.2");
    assert_int_equal(diff_from(f, "bl.test", s0), 1);
    jt_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_change_gives_the_next_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_condensed_difference_spans_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_domain_changes_give_the_next_zone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_huge_change_drops_the_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_change_without_record_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_old_store_gets_the_journal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
