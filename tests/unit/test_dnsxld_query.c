/* Unit tests: dnsxld/query.c (dx_query_answer) against a real store in a
 * temp directory and a real config loaded with dx_conf_load. Replies are
 * parsed back with the wire reader and checked field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnsxld/query.h"
#include "dnsxld/wire.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"

#define T_NOW g_now          /* write txns use the answers' clock */

/* --- fixture ----------------------------------------------------------- */

static char g_dir[64];
static struct dx_conf *g_conf;
static struct dx_store *g_st;
static struct dx_txn *g_rtxn;
static uint64_t g_now;
static struct sockaddr_in g_peer;

static char long_txt[301];
static char g_huge_txt[5001];

static const char conf_head[] =
    "[server]\n"
    "database = db\n"
    "edns-size = 1232\n"
    "\n"
    "[zone bl.example.org]\n"
    "kind = ip\n"
    "ttl = 300\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "ns = ns1.example.org.\n"
    "ns = ns2.bl.example.org.\n"
    "txt = Listed in $list: $reason - https://example.org/q?ip=$ $$\n"
    "\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "txt = Trap hit $\n"
    "\n"
    "[list bl.example.org/reports]\n"
    "code = 127.0.0.3\n"
    "\n"
    "[list bl.example.org/manual]\n"
    "code = 127.0.0.4\n"
    "\n"
    "[zone sub.bl.example.org]\n"
    "kind = domain\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 60\n"
    "\n"
    "[list sub.bl.example.org/x]\n"
    "code = 127.0.0.5\n"
    "\n"
    "[zone acl.example.org]\n"
    "allow-query = 10.0.0.0/8\n"
    "\n"
    "[list acl.example.org/x]\n"
    "code = 127.0.0.2\n"
    "\n"
    "[zone bm.example.org]\n"
    "answer = bitmask\n"
    "\n"
    "[list bm.example.org/a]\n"
    "code = 127.0.0.2\n"
    "[list bm.example.org/b]\n"
    "code = 127.0.0.4\n"
    "[list bm.example.org/c]\n"
    "code = 127.0.0.8\n"
    "\n"
    "[zone bm2.example.org]\n"
    "answer = bitmask\n"
    "\n"
    "[list bm2.example.org/p]\n"
    "code = 127.0.1.4\n"
    "[list bm2.example.org/q]\n"
    "code = 127.0.1.8\n"
    "\n"
    "[zone dbl.example.org]\n"
    "kind = domain\n"
    "ttl = 600\n"
    "txt = Domain $ in $zone ($reason)\n"
    "\n"
    "[list dbl.example.org/spam]\n"
    "code = 127.0.1.2\n"
    "\n"
    "[zone empty.example.org]\n"
    "txt = Test $\n"
    "\n"
    "[zone big.example.org]\n";

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key,
                const char *reason, uint64_t expires, uint32_t code, const char *txt)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    e.first_seen = e.last_seen = g_now;
    e.expires_at = expires;
    e.code = code;
    e.reason = reason;
    e.txt = txt;
    e.source = "admin";
    assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
}

static void put_excl(struct dx_txn *w, const char *zone, const char *list, const char *key)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    e.flags = DX_ENTRY_EXCLUDE;
    e.first_seen = e.last_seen = g_now;
    e.source = "admin";
    assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
}

static int setup(void **state)
{
    (void)state;
    g_now = 1800000000u;     /* a fixed clock: no answer here depends on the real time */
    strcpy(g_dir, "/tmp/dx-query-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    memset(long_txt, 'x', 300);
    memcpy(long_txt, "$list:", 6);
    long_txt[300] = 0;
    memset(g_huge_txt, 'h', 5000);
    g_huge_txt[5000] = 0;

    char path[128];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(conf_head, f);
    for (int i = 0; i < 12; i++)
        fprintf(f, "[list big.example.org/l%02d]\ncode = 127.0.0.%d\ntxt = %s\n\n", i, 10 + i,
                long_txt);
    fclose(f);
    char err[256] = "";
    int rc = dx_conf_load(path, &g_conf, err, sizeof(err));
    if (rc)
        fprintf(stderr, "conf: %s\n", err);
    assert_int_equal(rc, 0);

    assert_int_equal(dx_store_open(g_conf->server.database, 64u << 20, DX_STORE_CREATE, &g_st), 0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, T_NOW, &w), 0);
    put(w, "bl.example.org", "traps", "192.0.2.99", "trap hit", 0, 0, NULL);
    put(w, "bl.example.org", "manual", "192.0.2.99", "by hand", 0, 0, NULL);
    put(w, "bl.example.org", "reports", "192.0.2.128/25", "reported", g_now + 100, 0, NULL);
    put(w, "bl.example.org", "traps", "192.0.2.150", "trap", 0, 0, NULL);
    put(w, "bl.example.org", "traps", "127.0.0.1", "never", 0, 0, NULL);
    put(w, "bl.example.org", "manual", "2001:db8::1", "v6 by hand", 0, 0, NULL);
    put(w, "bl.example.org", "traps", "198.51.100.7", "own", 0, 0x7f000009, "own text $");
    put(w, "bl.example.org", "traps", "203.0.113.5", "expired", g_now - 10, 0, NULL);
    put(w, "bl.example.org", "gone", "203.0.113.6", "unconfigured list", 0, 0, NULL);
    put(w, "acl.example.org", "x", "192.0.2.99", NULL, 0, 0, NULL);
    put(w, "bm.example.org", "a", "192.0.2.1", NULL, 0, 0, NULL);
    put(w, "bm.example.org", "b", "192.0.2.1", NULL, 0, 0, NULL);
    put(w, "bm.example.org", "c", "192.0.2.1", NULL, 0, 0, NULL);
    put(w, "bm.example.org", "c", "192.0.2.2", NULL, 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "spam.example", "spammy", 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "*.wild.example", "wild", 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "invalid", "never", 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "x.invalid", "below invalid", 0, 0, NULL);
    put_excl(w, "dbl.example.org", "spam", "ok.wild.example");
    put(w, "bl.example.org", "traps", "198.18.0.1", "expired", g_now - 10, 0, NULL);
    put_excl(w, "bl.example.org", "manual", "198.19.0.0/16");
    put(w, "bm2.example.org", "p", "192.0.2.1", NULL, 0, 0, NULL);
    put(w, "bm2.example.org", "q", "192.0.2.1", NULL, 0, 0, NULL);
    put(w, "bm2.example.org", "q", "192.0.2.2", NULL, 0, 0, NULL);
    /* own codes an older version let in: other first octets than the zone's */
    put(w, "bm2.example.org", "p", "192.0.2.3", NULL, 0, 0x7f000010, NULL);
    put(w, "bm2.example.org", "q", "192.0.2.3", NULL, 0, 0x7f020201, NULL);
    /* an own TXT longer than the entry points allow (an older store) */
    put(w, "bl.example.org", "manual", "192.0.2.51", NULL, 0, 0, g_huge_txt);
    for (int i = 0; i < 12; i++) {
        char l[16];
        snprintf(l, sizeof(l), "l%02d", i);
        put(w, "big.example.org", l, "192.0.2.1", NULL, 0, 0, NULL);
    }
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_read(g_st, &g_rtxn), 0);

    memset(&g_peer, 0, sizeof(g_peer));
    g_peer.sin_family = AF_INET;
    g_peer.sin_addr.s_addr = htonl(0xc0000201);   /* 192.0.2.1 */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_rtxn)
        dx_txn_abort(g_rtxn);
    if (g_st)
        dx_store_close(g_st);
    if (g_conf)
        dx_conf_free(g_conf);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        return -1;
    return 0;
}

/* --- query building ---------------------------------------------------- */

struct qopt {
    uint16_t flags;        /* header bytes 2-3 (default 0x0100: RD) */
    uint16_t qclass;       /* 0 = IN */
    int edns;              /* 0 = no OPT, else payload size */
    uint8_t version;
    bool dobit;
};

static size_t mkquery(uint8_t *b, const char *name, uint16_t qtype, const struct qopt *o)
{
    struct qopt def = { 0x0100, 1, 0, 0, false };
    if (!o)
        o = &def;
    memset(b, 0, 12);
    b[0] = 0xbe;
    b[1] = 0xef;
    b[2] = (uint8_t)(o->flags >> 8);
    b[3] = (uint8_t)o->flags;
    b[5] = 1;
    size_t nl;
    assert_int_equal(dx_name_from_text(name, b + 12, &nl), 0);
    size_t n = 12 + nl;
    uint16_t qc = o->qclass ? o->qclass : 1;
    b[n++] = (uint8_t)(qtype >> 8);
    b[n++] = (uint8_t)qtype;
    b[n++] = (uint8_t)(qc >> 8);
    b[n++] = (uint8_t)qc;
    if (o->edns) {
        b[11] = 1;
        const uint8_t opt[11] = { 0, 0, 41, (uint8_t)(o->edns >> 8), (uint8_t)o->edns, 0,
                                  o->version, (uint8_t)(o->dobit ? 0x80 : 0), 0, 0, 0 };
        memcpy(b + n, opt, 11);
        n += 11;
    }
    return n;
}

/* --- reply parsing ----------------------------------------------------- */

struct rr {
    uint8_t name[DX_NAME_MAX];
    size_t nlen;
    size_t off;            /* offset of the owner in the reply */
    uint16_t type, cls;
    uint32_t ttl;
    size_t rdoff;
    uint16_t rdlen;
};

struct reply {
    const uint8_t *buf;
    size_t len;
    uint16_t id, flags, qd, an, ns, ar;
    unsigned rcode;
    uint8_t qname[DX_NAME_MAX];
    size_t qlen;
    uint16_t qtype, qclass;
    struct rr rr[64];
    size_t nrr;
};

#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080

static void parse_reply(const uint8_t *b, size_t len, struct reply *p)
{
    memset(p, 0, sizeof(*p));
    p->buf = b;
    p->len = len;
    struct dx_bytes w;
    dx_bytes_reader(&w, b, len);
    p->id = dx_get_u16(&w);
    p->flags = dx_get_u16(&w);
    p->qd = dx_get_u16(&w);
    p->an = dx_get_u16(&w);
    p->ns = dx_get_u16(&w);
    p->ar = dx_get_u16(&w);
    p->rcode = p->flags & 0xf;
    assert_true(p->flags & 0x8000);               /* QR */
    assert_false(p->flags & F_RA);                /* RA = 0 */
    assert_true(p->qd <= 1);
    if (p->qd) {
        assert_int_equal(dx_wire_get_name(&w, p->qname, &p->qlen), 0);
        p->qtype = dx_get_u16(&w);
        p->qclass = dx_get_u16(&w);
    }
    size_t total = (size_t)p->an + p->ns + p->ar;
    assert_true(total <= 64);
    for (size_t i = 0; i < total; i++) {
        struct rr *r = &p->rr[i];
        r->off = w.pos;
        assert_int_equal(dx_wire_get_name(&w, r->name, &r->nlen), 0);
        r->type = dx_get_u16(&w);
        r->cls = dx_get_u16(&w);
        r->ttl = dx_get_u32(&w);
        r->rdlen = dx_get_u16(&w);
        r->rdoff = w.pos;
        dx_skip(&w, r->rdlen);
        assert_int_equal(w.err, 0);
        if (r->type == DX_T_OPT) {
            assert_int_equal(i, total - 1);       /* OPT last, one of them */
        }
    }
    p->nrr = total;
    assert_int_equal(w.err, 0);
    assert_int_equal(w.pos, len);                 /* nothing trailing */
}

static size_t ask(const uint8_t *q, size_t qlen, uint8_t *resp, enum dx_transport tr,
                  const struct sockaddr *peer)
{
    struct dx_qctx ctx = { .conf = g_conf, .txn = g_rtxn, .now = g_now };
    return dx_query_answer(&ctx, q, qlen, resp, 65535, tr, peer);
}

static uint8_t g_resp[65535];

static void query(const char *name, uint16_t qtype, const struct qopt *o, enum dx_transport tr,
                  struct reply *p)
{
    uint8_t q[512];
    size_t ql = mkquery(q, name, qtype, o);
    size_t n = ask(q, ql, g_resp, tr, (const struct sockaddr *)&g_peer);
    assert_true(n >= 12);
    parse_reply(g_resp, n, p);
    assert_int_equal(p->id, 0xbeef);
    /* question echoed byte for byte */
    if (p->qd) {
        assert_int_equal(p->qlen, ql - 16 - (o && o->edns ? 11 : 0));
        assert_memory_equal(g_resp + 12, q + 12, p->qlen + 4);
    }
}

static uint32_t rd_u32(const struct reply *p, const struct rr *r)
{
    const uint8_t *d = p->buf + r->rdoff;
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* TXT rdata joined into out; returns number of strings */
static int txt_text(const struct reply *p, const struct rr *r, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    int ns = 0;
    const uint8_t *d = p->buf + r->rdoff;
    while (i < r->rdlen) {
        size_t l = d[i++];
        assert_true(i + l <= r->rdlen);
        assert_true(o + l < cap);
        memcpy(out + o, d + i, l);
        o += l;
        i += l;
        ns++;
    }
    out[o] = 0;
    return ns;
}

static bool has_a(const struct reply *p, uint32_t code)
{
    for (size_t i = 0; i < p->an; i++)
        if (p->rr[i].type == DX_T_A && p->rr[i].rdlen == 4 && rd_u32(p, &p->rr[i]) == code)
            return true;
    return false;
}

static bool name_is(const uint8_t *w, size_t wl, const char *text)
{
    uint8_t t[DX_NAME_MAX];
    size_t tl;
    assert_int_equal(dx_name_from_text(text, t, &tl), 0);
    return dx_name_equal(w, wl, t, tl);
}

/* the SOA record at p->rr[i]: check owner and fields */
static void check_soa(const struct reply *p, const struct rr *r, const char *zone,
                      uint32_t ttl, uint32_t minimum)
{
    assert_int_equal(r->type, DX_T_SOA);
    assert_int_equal(r->cls, DX_C_IN);
    assert_int_equal(r->ttl, ttl);
    assert_true(name_is(r->name, r->nlen, zone));
    struct dx_bytes w;
    dx_bytes_reader(&w, p->buf, r->rdoff + r->rdlen);
    w.pos = r->rdoff;
    uint8_t nm[DX_NAME_MAX];
    size_t nl;
    assert_int_equal(dx_wire_get_name(&w, nm, &nl), 0);
    assert_true(name_is(nm, nl, "ns1.example.org"));
    assert_int_equal(dx_wire_get_name(&w, nm, &nl), 0);
    assert_true(name_is(nm, nl, "hostmaster.example.org"));
    uint32_t serial = dx_get_u32(&w);
    uint32_t want = 0;
    int rc = dx_zone_serial(g_rtxn, zone, &want);
    assert_int_equal(serial, rc == DX_ENOTFOUND ? 1 : want);
    assert_int_equal(dx_get_u32(&w), 3600);
    assert_int_equal(dx_get_u32(&w), 600);
    assert_int_equal(dx_get_u32(&w), 604800);
    assert_int_equal(dx_get_u32(&w), minimum);
    assert_int_equal(w.err, 0);
    assert_int_equal(w.pos, r->rdoff + r->rdlen);
}

/* --- tests --------------------------------------------------------------- */

static void test_listed_address_answers_each_list_code(void **state)
{
    (void)state;
    struct reply p;
    query("99.2.0.192.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOERROR);
    assert_true(p.flags & F_AA);
    assert_true(p.flags & F_RD);
    assert_false(p.flags & F_TC);
    assert_int_equal(p.an, 2);
    assert_int_equal(p.ns, 0);
    assert_int_equal(p.ar, 0);
    assert_true(has_a(&p, 0x7f000002));
    assert_true(has_a(&p, 0x7f000004));
    for (int i = 0; i < 2; i++) {
        assert_int_equal(p.rr[i].ttl, 300);
        assert_int_equal(p.rr[i].cls, DX_C_IN);
        /* owner compressed to the question name */
        assert_memory_equal(p.buf + p.rr[i].off, "\xc0\x0c", 2);
        assert_true(dx_name_equal(p.rr[i].name, p.rr[i].nlen, p.qname, p.qlen));
    }
    /* RD clear is echoed clear */
    struct qopt o = { 0, 1, 0, 0, false };
    query("99.2.0.192.bl.example.org", DX_T_A, &o, DX_UDP, &p);
    assert_false(p.flags & F_RD);
    assert_int_equal(p.an, 2);
}

static void test_listed_address_answers_the_expanded_texts(void **state)
{
    (void)state;
    struct reply p;
    char t[1024];
    query("99.2.0.192.bl.example.org", DX_T_TXT, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    bool seen_manual = false, seen_traps = false;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(p.rr[i].type, DX_T_TXT);
        assert_int_equal(txt_text(&p, &p.rr[i], t, sizeof(t)), 1);
        if (strcmp(t, "Listed in manual: by hand - https://example.org/q?ip=192.0.2.99 $") == 0)
            seen_manual = true;
        else if (strcmp(t, "Trap hit 192.0.2.99") == 0)
            seen_traps = true;
        else
            fail_msg("unexpected TXT '%s'", t);
    }
    assert_true(seen_manual && seen_traps);

    /* own code and own txt of an entry */
    query("7.100.51.198.bl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 2);
    assert_true(has_a(&p, 0x7f000009));
    assert_int_equal(p.rr[1].type, DX_T_TXT);
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "own text 198.51.100.7");
}

static void test_any_answers_the_a_and_txt_rrsets(void **state)
{
    (void)state;
    struct reply p;
    query("99.2.0.192.bl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 4);
    int na = 0, nt = 0;
    for (int i = 0; i < 4; i++) {
        na += p.rr[i].type == DX_T_A;
        nt += p.rr[i].type == DX_T_TXT;
    }
    assert_int_equal(na, 2);
    assert_int_equal(nt, 2);
}

static void test_unlisted_name_is_nxdomain_with_the_soa(void **state)
{
    (void)state;
    struct reply p;
    query("1.2.0.193.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    assert_true(p.flags & F_AA);
    assert_int_equal(p.an, 0);
    assert_int_equal(p.ns, 1);
    check_soa(&p, &p.rr[0], "bl.example.org", 120, 120);  /* min(ttl 300, minimum 120) */
    /* SOA owner: pointer into the question name at the apex (12 + 4 labels) */
    size_t apex = 12 + 2 + 2 + 2 + 4;
    uint8_t ptr[2] = { 0xc0, (uint8_t)apex };
    assert_memory_equal(p.buf + p.rr[0].off, ptr, 2);
    /* expired entry */
    query("5.113.0.203.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* entry of a list no longer configured */
    query("6.113.0.203.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* leading zero, 5 labels, out of range octet, a non-nibble label */
    const char *bad[] = { "099.2.0.192.bl.example.org", "1.99.2.0.192.bl.example.org",
                          "256.2.0.192.bl.example.org", "x.2.0.192.bl.example.org" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        query(bad[i], DX_T_A, NULL, DX_UDP, &p);
        assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
        assert_int_equal(p.ns, 1);
    }
}

static void test_listed_name_without_the_type_is_nodata(void **state)
{
    (void)state;
    struct reply p;
    const uint16_t types[] = { DX_T_AAAA, 15 /* MX */, 257 /* CAA */, 65280, DX_T_NS };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        query("99.2.0.192.bl.example.org", types[i], NULL, DX_UDP, &p);
        assert_int_equal(p.rcode, DX_RC_NOERROR);
        assert_true(p.flags & F_AA);
        assert_int_equal(p.an, 0);
        assert_int_equal(p.ns, 1);
        check_soa(&p, &p.rr[0], "bl.example.org", 120, 120);
    }
    /* TXT for a listing without any template: NODATA */
    query("2.2.0.192.bm.example.org", DX_T_TXT, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOERROR);
    assert_int_equal(p.an, 0);
    assert_int_equal(p.ns, 1);
}

static void test_apex_answers_soa_ns_and_any(void **state)
{
    (void)state;
    struct reply p;
    query("bl.example.org", DX_T_SOA, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_true(p.flags & F_AA);
    assert_int_equal(p.an, 1);
    check_soa(&p, &p.rr[0], "bl.example.org", 300, 120);
    assert_memory_equal(p.buf + p.rr[0].off, "\xc0\x0c", 2);

    query("BL.example.org", DX_T_NS, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 2);
    assert_int_equal(p.rr[0].type, DX_T_NS);
    uint8_t nm[DX_NAME_MAX];
    size_t nl;
    assert_int_equal(dx_name_unpack(p.buf, p.len, p.rr[0].rdoff, nm, &nl, NULL), 0);
    assert_true(name_is(nm, nl, "ns1.example.org"));
    assert_int_equal(dx_name_unpack(p.buf, p.len, p.rr[1].rdoff, nm, &nl, NULL), 0);
    assert_true(name_is(nm, nl, "ns2.bl.example.org"));
    /* ns2.bl.example.org is compressed against the apex (the question) */
    assert_int_equal(p.rr[1].rdlen, 6);
    assert_memory_equal(p.buf + p.rr[1].rdoff, "\x03" "ns2" "\xc0\x0c", 6);

    query("bl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 3);
    assert_int_equal(p.rr[0].type, DX_T_SOA);
    assert_int_equal(p.rr[1].type, DX_T_NS);

    query("bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 0);
    assert_int_equal(p.ns, 1);
    check_soa(&p, &p.rr[0], "bl.example.org", 120, 120);

    /* longest suffix: the sub zone has its own apex */
    query("sub.bl.example.org", DX_T_SOA, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    check_soa(&p, &p.rr[0], "sub.bl.example.org", 300, 60);
    query("foo.sub.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    check_soa(&p, &p.rr[0], "sub.bl.example.org", 60, 60);
}

static void test_other_zones_classes_and_peers_are_refused(void **state)
{
    (void)state;
    struct reply p;
    query("99.2.0.192.example.com", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_REFUSED);
    assert_false(p.flags & F_AA);
    assert_int_equal(p.qd, 1);
    assert_int_equal(p.an + p.ns + p.ar, 0);
    query("example.org", DX_T_SOA, NULL, DX_UDP, &p);   /* parent of our zones */
    assert_int_equal(p.rcode, DX_RC_REFUSED);
    query("xbl.example.org", DX_T_SOA, NULL, DX_UDP, &p); /* not a label boundary */
    assert_int_equal(p.rcode, DX_RC_REFUSED);

    /* CHAOS */
    struct qopt ch = { 0, DX_C_CH, 0, 0, false };
    query("version.bind", DX_T_TXT, &ch, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_REFUSED);
    query("99.2.0.192.bl.example.org", DX_T_TXT, &ch, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_REFUSED);
    /* class ANY is treated like IN */
    struct qopt any = { 0, DX_C_ANY, 0, 0, false };
    query("99.2.0.192.bl.example.org", DX_T_A, &any, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);

    /* ACL: 192.0.2.1 is not in 10/8 */
    query("99.2.0.192.acl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_REFUSED);
    assert_false(p.flags & F_AA);
    uint8_t q[512], r[512];
    size_t ql = mkquery(q, "99.2.0.192.acl.example.org", DX_T_A, NULL);
    struct sockaddr_in in4 = g_peer;
    in4.sin_addr.s_addr = htonl(0x0a010203);
    size_t n = ask(q, ql, r, DX_UDP, (const struct sockaddr *)&in4);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 1);
    struct sockaddr_in6 in6;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr), 1);
    n = ask(q, ql, r, DX_UDP, (const struct sockaddr *)&in6);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 1);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", &in6.sin6_addr), 1);
    n = ask(q, ql, r, DX_UDP, (const struct sockaddr *)&in6);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, DX_RC_REFUSED);
}

static void expect_formerr(const uint8_t *q, size_t ql, bool with_opt)
{
    uint8_t r[512];
    struct reply p;
    size_t n = ask(q, ql, r, DX_UDP, (const struct sockaddr *)&g_peer);
    assert_true(n >= 12);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, DX_RC_FORMERR);
    assert_int_equal(p.id, (q[0] << 8) | q[1]);
    assert_int_equal(p.qd, 0);
    assert_int_equal(p.an + p.ns, 0);
    assert_int_equal(p.ar, with_opt ? 1 : 0);
    assert_false(p.flags & F_AA);
}

static void test_malformed_queries_are_formerr_or_dropped(void **state)
{
    (void)state;
    uint8_t q[600], r[600];
    size_t ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    /* drops */
    assert_int_equal(ask(q, 11, r, DX_UDP, NULL), 0);
    assert_int_equal(ask(q, 0, r, DX_UDP, NULL), 0);
    q[2] |= 0x80;                                   /* QR=1 */
    assert_int_equal(ask(q, ql, r, DX_UDP, NULL), 0);
    q[2] &= 0x7f;
    /* QDCOUNT 0 and 2 */
    q[5] = 0;
    expect_formerr(q, 12, false);
    q[5] = 2;
    expect_formerr(q, ql, false);
    memcpy(q + ql, "\xc0\x0c\x00\x01\x00\x01", 6);
    expect_formerr(q, ql + 6, false);
    q[5] = 1;
    /* trailing garbage, truncated question */
    q[ql] = 0;
    expect_formerr(q, ql + 1, false);
    expect_formerr(q, ql - 1, false);
    expect_formerr(q, 13, false);
    /* pointer loop, forward pointer, 0x40/0x80 labels, 64-octet label */
    static const char *const names[] = {
        "\xc0\x0c",                                 /* to itself */
        "\x01" "a" "\xc0\x0c",                      /* into its own run */
        "\xc0\x20",                                 /* forward, out of range */
        "\x41" "a" "\x00",
        "\x81" "a" "\x00",
    };
    const size_t nlen[] = { 2, 4, 2, 3, 3 };
    for (size_t i = 0; i < 5; i++) {
        memcpy(q + 12, names[i], nlen[i]);
        memcpy(q + 12 + nlen[i], "\x00\x01\x00\x01", 4);
        expect_formerr(q, 12 + nlen[i] + 4, false);
    }
    size_t n = 12;
    q[n++] = 64;
    memset(q + n, 'a', 64);
    n += 64;
    q[n++] = 0;
    memcpy(q + n, "\x00\x01\x00\x01", 4);
    expect_formerr(q, n + 4, false);
    /* 256-octet name: 4 x 63-octet labels */
    n = 12;
    for (int i = 0; i < 4; i++) {
        q[n++] = 63;
        memset(q + n, 'b', 63);
        n += 63;
    }
    q[n++] = 0;
    memcpy(q + n, "\x00\x01\x00\x01", 4);
    expect_formerr(q, n + 4, false);

    /* two OPTs; OPT owner not root; OPT in the answer section */
    struct qopt e = { 0, 1, 1232, 0, false };
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    memcpy(q + ql, q + ql - 11, 11);
    q[11] = 2;
    expect_formerr(q, ql + 11, false);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    q[11] = 1;
    memcpy(q + ql, "\x01" "x" "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 13);
    expect_formerr(q, ql + 13, false);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[7] = 1;
    q[11] = 0;
    expect_formerr(q, ql, false);
    /* a valid OPT followed by a truncated record: FORMERR with our OPT */
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[11] = 2;
    memcpy(q + ql, "\x00\x00\x01\x00", 4);
    expect_formerr(q, ql + 4, true);
    /* one OPT whose option overruns its rdata: FORMERR with our OPT
     * (RFC 6891 7: "the response MUST include an OPT record") */
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[ql - 1] = 4;
    memcpy(q + ql, "\xfe\x01\x00\x05", 4);
    expect_formerr(q, ql + 4, true);
    /* an ANSWER record in a query is skipped */
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    q[7] = 1;
    memcpy(q + ql, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x02", 16);
    n = ask(q, ql + 16, r, DX_UDP, NULL);
    struct reply p;
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
}

static void test_other_opcodes_are_notimp(void **state)
{
    (void)state;
    struct reply p;
    struct qopt o = { 4u << 11 | 0x0100, 1, 0, 0, false };   /* NOTIFY */
    query("bl.example.org", DX_T_SOA, &o, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOTIMP);
    assert_int_equal((p.flags >> 11) & 0xf, 4);
    assert_true(p.flags & F_RD);
    assert_int_equal(p.qd, 1);
    assert_int_equal(p.an + p.ns + p.ar, 0);
    assert_false(p.flags & F_AA);
    struct qopt o2 = { 2u << 11, 1, 1232, 0, false };         /* STATUS, with EDNS */
    query("bl.example.org", DX_T_SOA, &o2, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOTIMP);
    assert_int_equal((p.flags >> 11) & 0xf, 2);
    assert_int_equal(p.ar, 1);
}

static void test_edns_opt_is_echoed_with_our_size_and_badvers(void **state)
{
    (void)state;
    struct reply p;
    struct qopt o = { 0, 1, 4096, 0, true };
    query("99.2.0.192.bl.example.org", DX_T_A, &o, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_int_equal(p.ar, 1);
    const struct rr *opt = &p.rr[2];
    assert_int_equal(opt->type, DX_T_OPT);
    assert_int_equal(opt->nlen, 1);
    assert_int_equal(opt->cls, 1232);              /* our payload size */
    assert_int_equal(opt->ttl, 0x8000);            /* rcode 0, version 0, DO */
    assert_int_equal(opt->rdlen, 0);
    o.dobit = false;
    query("99.2.0.192.bl.example.org", DX_T_A, &o, DX_UDP, &p);
    assert_int_equal(p.rr[2].ttl, 0);
    /* OPT also on negative answers, after the SOA */
    query("1.1.1.1.bl.example.org", DX_T_A, &o, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    assert_int_equal(p.ns, 1);
    assert_int_equal(p.ar, 1);
    assert_int_equal(p.rr[1].type, DX_T_OPT);
    /* BADVERS */
    struct qopt v = { 0, 1, 1232, 1, true };
    query("99.2.0.192.bl.example.org", DX_T_A, &v, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);                  /* low bits of 16 */
    assert_int_equal(p.an + p.ns, 0);
    assert_int_equal(p.ar, 1);
    assert_int_equal(p.rr[0].type, DX_T_OPT);
    assert_int_equal(p.rr[0].ttl >> 24, 1);        /* upper bits: 16 >> 4 */
    assert_int_equal((p.rr[0].ttl >> 16) & 0xff, 0);
    assert_true(p.rr[0].ttl & 0x8000);
    assert_false(p.flags & F_AA);
    /* unknown option ignored */
    uint8_t q[512], r[2048];
    struct qopt e = { 0, 1, 1232, 0, false };
    size_t ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[ql - 1] = 6;
    memcpy(q + ql, "\xfd\xe9\x00\x02" "hi", 6);
    size_t n = ask(q, ql + 6, r, DX_UDP, NULL);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_int_equal(p.ar, 1);
    assert_int_equal(p.rr[2].rdlen, 0);
}

static void test_answer_over_the_size_limit_is_truncated(void **state)
{
    (void)state;
    struct reply p;
    char t[2048];
    /* 12 TXT of 300+ octets: no EDNS -> 512 limit */
    query("1.2.0.192.big.example.org", DX_T_TXT, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_true(p.flags & F_TC);
    assert_true(p.flags & F_AA);
    assert_int_equal(p.an + p.ns + p.ar, 0);
    assert_true(p.len <= 512);
    /* EDNS 4096 asked, ours is 1232: still too big */
    struct qopt o = { 0, 1, 4096, 0, false };
    query("1.2.0.192.big.example.org", DX_T_TXT, &o, DX_UDP, &p);
    assert_true(p.flags & F_TC);
    assert_int_equal(p.an, 0);
    assert_int_equal(p.ar, 1);
    assert_true(p.len <= 1232);
    /* the A RRset fits */
    query("1.2.0.192.big.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_false(p.flags & F_TC);
    assert_int_equal(p.an, 12);
    for (uint32_t i = 0; i < 12; i++)
        assert_true(has_a(&p, 0x7f00000a + i));
    /* TCP: everything, no TC; long texts split into 255 + rest */
    query("1.2.0.192.big.example.org", DX_T_ANY, NULL, DX_TCP, &p);
    assert_false(p.flags & F_TC);
    assert_int_equal(p.an, 24);
    assert_true(p.len > 512 * 6);
    for (int i = 12; i < 24; i++) {
        assert_int_equal(p.rr[i].type, DX_T_TXT);
        assert_int_equal(p.buf[p.rr[i].rdoff], 255);
        assert_int_equal(txt_text(&p, &p.rr[i], t, sizeof(t)), 2);
        assert_int_equal(strlen(t), 298);           /* "$list:" became "lNN:" */
        assert_memory_equal(t, "l", 1);
    }
}

static void test_rfc5782_test_points(void **state)
{
    (void)state;
    struct reply p;
    char t[512];
    /* 127.0.0.2: always listed, as the first list (traps) */
    query("2.0.0.127.bl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_true(has_a(&p, 0x7f000002));
    assert_int_equal(p.rr[1].type, DX_T_TXT);
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "Trap hit 127.0.0.2");
    /* 127.0.0.1: never, although the store has it */
    query("1.0.0.127.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* ::ffff:7f00:2 and ::ffff:7f00:1 */
    query("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_true(has_a(&p, 0x7f000002));
    query("1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* a zone without lists: 127.0.0.2 with the zone's TXT */
    query("2.0.0.127.empty.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 2);
    assert_true(has_a(&p, 0x7f000002));
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "Test 127.0.0.2");
    /* domain zones: TEST listed, INVALID never (though stored) */
    query("TEST.dbl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_true(has_a(&p, 0x7f000102));
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "Domain test in dbl.example.org ()");
    query("invalid.dbl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOERROR);     /* x.invalid is listed: NODATA */
    assert_int_equal(p.an, 0);
}

static void test_ttl_is_capped_by_the_entry_expiry(void **state)
{
    (void)state;
    struct reply p;
    query("130.2.0.192.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f000003));
    assert_int_equal(p.rr[0].ttl, 100);            /* g_now + 100 */
    /* 192.0.2.150 is listed by traps (never expires) and reports (the
     * /25, 100 s left): the whole RRset gets 100 */
    query("150.2.0.192.bl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(p.rr[i].ttl, 100);
    /* one second before expiry: TTL 1 */
    uint8_t q[512], r[512];
    size_t ql = mkquery(q, "130.2.0.192.bl.example.org", DX_T_A, NULL);
    struct dx_qctx ctx = { .conf = g_conf, .txn = g_rtxn, .now = g_now + 99 };
    size_t n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
    parse_reply(r, n, &p);
    assert_int_equal(p.an, 1);
    assert_int_equal(p.rr[0].ttl, 1);
    ctx.now = g_now + 100;                          /* expired */
    n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
}

static void test_question_is_echoed_in_its_case(void **state)
{
    (void)state;
    struct reply p;
    query("99.2.0.192.Bl.ExAmPlE.oRg", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_memory_equal(p.buf + 12 + 11, "\x02" "Bl" "\x07" "ExAmPlE" "\x03" "oRg", 15);
    query("1.1.1.1.bL.EXAMPLE.ORG", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    assert_memory_equal(p.buf + 12 + 8, "\x02" "bL" "\x07" "EXAMPLE", 11);
}

static void test_bitmask_zone_ors_the_codes(void **state)
{
    (void)state;
    struct reply p;
    query("1.2.0.192.bm.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f00000e));           /* 2 | 4 | 8 */
    query("2.2.0.192.bm.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f000008));
    query("3.2.0.192.bm.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* the first three octets are the list codes', 127.0.1 */
    query("1.2.0.192.bm2.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f00010c));           /* 127.0.1.(4 | 8) */
    query("2.2.0.192.bm2.example.org", DX_T_ANY, NULL, DX_TCP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f000108));
    /* own codes with other first octets add their last octet only */
    query("3.2.0.192.bm2.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f000111));           /* 127.0.1.(16 | 1) */
    /* the test point answers as the first list */
    query("2.0.0.127.bm2.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    assert_true(has_a(&p, 0x7f000104));
}

/* Empty non-terminals (RFC 8020 2): NOERROR, no answer, the SOA with the
 * negative TTL, over UDP and TCP; NXDOMAIN where nothing is below. */
static void expect_neg(const char *name, unsigned rcode, const char *zone, uint32_t ttl)
{
    struct reply p;
    const uint16_t types[] = { DX_T_A, DX_T_TXT, DX_T_AAAA, DX_T_ANY };
    for (int tr = 0; tr < 2; tr++) {
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            query(name, types[i], NULL, tr ? DX_TCP : DX_UDP, &p);
            if (p.rcode != rcode)
                fail_msg("%s type %u over %s: rcode %u, expected %u", name, types[i],
                         tr ? "TCP" : "UDP", p.rcode, rcode);
            assert_true(p.flags & F_AA);
            assert_int_equal(p.an, 0);
            assert_int_equal(p.ns, 1);
            assert_int_equal(p.rr[0].type, DX_T_SOA);
            assert_int_equal(p.rr[0].ttl, ttl);    /* RFC 2308: the NXDOMAIN TTL too */
            assert_true(name_is(p.rr[0].name, p.rr[0].nlen, zone));
        }
    }
}

static void test_empty_non_terminals_are_nodata(void **state)
{
    (void)state;
    const char *ents[] = {
        /* the RFC 5782 test point's ancestors, in every ip zone */
        "0.0.127.bl.example.org", "0.127.bl.example.org", "127.bl.example.org",
        "0.0.127.empty.example.org",
        "0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.empty.example.org",
        "f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.empty.example.org",
        /* 192.0.2.99 and 192.0.2.128/25 */
        "2.0.192.bl.example.org", "0.192.bl.example.org", "192.bl.example.org",
        /* 2001:db8::1 (and 2001::/16: four labels are also an IPv4 address) */
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
        "8.b.d.0.1.0.0.2.bl.example.org", "1.0.0.2.bl.example.org", "2.bl.example.org",
        /* ::ffff:192.0.2.0/120 is IPv4 data */
        "2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
        /* an entry of a list that is no longer configured still counts */
        "113.0.203.bl.example.org",
        /* 198.19.0.0/16, covering the /24 */
        "5.19.198.bl.example.org",
    };
    for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
        expect_neg(ents[i], DX_RC_NOERROR, strstr(ents[i], "empty.") ? "empty.example.org"
                                                                     : "bl.example.org",
                   strstr(ents[i], "empty.") ? 300 : 120);
    const char *dents[] = { "example.dbl.example.org", "wild.example.dbl.example.org",
                            "ok.wild.example.dbl.example.org", "invalid.dbl.example.org" };
    for (size_t i = 0; i < sizeof(dents) / sizeof(dents[0]); i++)
        expect_neg(dents[i], DX_RC_NOERROR, "dbl.example.org", 300);
    const char *nx[] = {
        "18.198.bl.example.org",               /* only an expired entry there */
        "3.2.1.bl.example.org", "1.bl.example.org", "10.bl.example.org",
        "099.2.0.bl.example.org", "256.2.0.bl.example.org",
        "1.99.2.0.192.bl.example.org",          /* 5 labels, not nibbles */
        /* ::ffff:193.0.0.0/116 (193.0.0.0/20), 2001:f000::/20: nothing */
        "0.0.0.1.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
        "f.1.0.0.2.bl.example.org",
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.0.bl.example.org",
        "1.0.0.127.bl.example.org",             /* never listed, nothing below */
        "2.0.0.127.sub.bl.example.org",         /* a domain zone: a name */
    };
    for (size_t i = 0; i < sizeof(nx) / sizeof(nx[0]); i++)
        expect_neg(nx[i], DX_RC_NXDOMAIN,
                   strstr(nx[i], "sub.") ? "sub.bl.example.org" : "bl.example.org",
                   strstr(nx[i], "sub.") ? 60 : 120);
    expect_neg("spam.example.example.dbl.example.org", DX_RC_NXDOMAIN, "dbl.example.org", 300);
    expect_neg("x.spam.example.dbl.example.org", DX_RC_NXDOMAIN, "dbl.example.org", 300);
}

/* An own TXT longer than the entry points allow (an older store) is cut
 * at DX_TXT_MAX, the only case where an answer cuts a text. */
static void test_txt_cut_only_for_old_entries(void **state)
{
    (void)state;
    struct reply p;
    char t[8192];
    query("51.2.0.192.bl.example.org", DX_T_TXT, NULL, DX_TCP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 1);
    txt_text(&p, &p.rr[0], t, sizeof(t));
    assert_int_equal(strlen(t), 4096);
}

static void test_domain_zone_answers_names_and_wildcards(void **state)
{
    (void)state;
    struct reply p;
    char t[512];
    query("Spam.Example.dbl.example.org", DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_true(has_a(&p, 0x7f000102));
    assert_int_equal(p.rr[0].ttl, 600);
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "Domain spam.example in dbl.example.org (spammy)");
    query("x.spam.example.dbl.example.org", DX_T_A, NULL, DX_UDP, &p);  /* exact only */
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    query("a.b.wild.example.dbl.example.org", DX_T_TXT, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 1);
    txt_text(&p, &p.rr[0], t, sizeof(t));
    assert_string_equal(t, "Domain a.b.wild.example in dbl.example.org (wild)");
    query("wild.example.dbl.example.org", DX_T_A, NULL, DX_UDP, &p);    /* subdomains only */
    assert_int_equal(p.rcode, DX_RC_NOERROR);                         /* ... so it exists */
    assert_int_equal(p.an, 0);
    query("other.example.dbl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    assert_int_equal(p.ns, 1);
    /* IP-looking names in a domain zone are names */
    query("99.2.0.192.dbl.example.org", DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
}

static void test_v6_nibble_and_mapped_queries(void **state)
{
    (void)state;
    struct reply p;
    char t[512];
    /* 2001:db8::1 */
    const char *v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org";
    query(v6, DX_T_ANY, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    assert_true(has_a(&p, 0x7f000004));
    txt_text(&p, &p.rr[1], t, sizeof(t));
    assert_string_equal(t, "Listed in manual: v6 by hand - https://example.org/q?ip=2001:db8::1 $");
    /* upper-case nibbles match too */
    query("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.an, 1);
    /* 31 nibbles: an empty non-terminal above 2001:db8::1; a 2-char
     * label, a non-hex nibble: NXDOMAIN */
    query("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NOERROR);
    assert_int_equal(p.an, 0);
    assert_int_equal(p.ns, 1);
    query("10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    query("g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
          DX_T_A, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    /* v4-mapped: ::ffff:192.0.2.99 answers from IPv4 data, $ = the IPv4 text */
    query("3.6.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
          DX_T_TXT, NULL, DX_UDP, &p);
    assert_int_equal(p.rcode, 0);
    assert_int_equal(p.an, 2);
    bool seen = false;
    for (int i = 0; i < 2; i++) {
        txt_text(&p, &p.rr[i], t, sizeof(t));
        seen |= strcmp(t, "Trap hit 192.0.2.99") == 0;
    }
    assert_true(seen);
}

static void test_small_caller_buffer_still_gets_a_valid_reply(void **state)
{
    (void)state;
    /* a caller buffer smaller than the UDP limit still yields a valid reply */
    uint8_t q[512], r[64];
    size_t ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_TXT, NULL);
    struct dx_qctx ctx = { .conf = g_conf, .txn = g_rtxn, .now = g_now };
    size_t n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
    struct reply p;
    parse_reply(r, n, &p);
    assert_true(p.flags & F_TC);
    assert_int_equal(p.an, 0);
    assert_int_equal(dx_query_answer(&ctx, q, ql, r, 11, DX_UDP, NULL), 0);
    /* only the authority SOA does not fit: TC, NXDOMAIN kept */
    ql = mkquery(q, "1.1.1.1.bl.example.org", DX_T_A, NULL);
    n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
    parse_reply(r, n, &p);
    assert_int_equal(p.rcode, DX_RC_NXDOMAIN);
    assert_true(p.flags & F_TC);
    assert_int_equal(p.ns, 0);
}

static void test_store_error_is_servfail(void **state)
{
    (void)state;
    /* a read txn whose snapshot was dropped: every store read fails */
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(g_st, &t), 0);
    dx_txn_reset(t);
    struct dx_qctx ctx = { .conf = g_conf, .txn = t, .now = g_now };
    uint8_t q[512], r[512];
    struct reply p;
    const char *names[] = { "99.2.0.192.bl.example.org", "1.1.1.1.bl.example.org",
                            "bl.example.org", "2.0.192.bl.example.org",
                            "example.dbl.example.org" };
    for (int i = 0; i < 5; i++) {
        size_t ql = mkquery(q, names[i], i == 2 ? DX_T_SOA : DX_T_A, NULL);
        size_t n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
        parse_reply(r, n, &p);
        assert_int_equal(p.rcode, DX_RC_SERVFAIL);
        assert_false(p.flags & F_AA);
        assert_int_equal(p.qd, 1);
        assert_int_equal(p.an + p.ns + p.ar, 0);
    }
    dx_txn_abort(t);
}

static void test_no_snapshot_is_servfail_for_our_zones(void **state)
{
    (void)state;
    /* the server could not renew its read txn (txn NULL): a question for one
     * of our zones gets SERVFAIL, never a dropped query; the rest is answered
     * as usual (REFUSED outside our zones, FORMERR, EDNS kept) */
    struct dx_qctx ctx = { .conf = g_conf, .txn = NULL, .now = g_now };
    uint8_t q[512], r[512];
    struct reply p;
    const char *names[] = { "99.2.0.192.bl.example.org", "2.0.0.127.bl.example.org",
                            "bl.example.org", "example.com" };
    const struct qopt edns = { .edns = 1232 };
    for (int i = 0; i < 4; i++) {
        size_t ql = mkquery(q, names[i], i == 2 ? DX_T_NS : DX_T_A, &edns);
        size_t n = dx_query_answer(&ctx, q, ql, r, sizeof(r), DX_UDP, NULL);
        assert_true(n >= 12);
        parse_reply(r, n, &p);
        assert_int_equal(p.rcode, i == 3 ? DX_RC_REFUSED : DX_RC_SERVFAIL);
        assert_false(p.flags & F_AA);
        assert_int_equal(p.qd, 1);
        assert_int_equal(p.an + p.ns, 0);
        assert_int_equal(p.ar, 1);                /* our OPT */
    }
}

/* --- golden replies ------------------------------------------------------ */

/* Every reply byte of a fixed set of queries (the fuzz seed corpus
 * tests/fuzz/corpus/query/ plus the cases of the tests above: A, TXT, ANY,
 * SOA, NS, NXDOMAIN, NODATA, empty non-terminals, v6, domains, wildcards,
 * bitmask, EDNS, TC at 512, FORMERR, NOTIMP, REFUSED, BADVERS, SERVFAIL)
 * against this file's store and config at the fixed clock, compared with
 * tests/fixtures/golden/replies.hex: one line per query, "label transport
 * query-hex reply-hex" ("-" = no reply). The checks above say what matters
 * in a reply; this one says that nothing else changed (record order, name
 * compression, TTLs, padding of nothing). DNSXL_GOLDEN_WRITE=1 rewrites the
 * file from the current code: only when an answer is meant to change, and
 * the diff of the file then shows exactly which replies did. */

#define GOLDEN_FILE "tests/fixtures/golden/replies.hex"
#define GOLDEN_MAX 160

enum { P_DEFAULT, P_ACL4, P_ACL_MAPPED, P_V6, P_NONE };     /* peers */
enum { C_TXN, C_NO_TXN, C_RESET_TXN };                      /* read txn states */

struct golden {
    char label[40];
    uint8_t q[600];
    size_t qlen;
    enum dx_transport tr;
    int peer;
    int ctx;
    size_t cap;
};

static struct golden g_cases[GOLDEN_MAX];
static size_t g_ncases;

static struct golden *gadd(const char *label, const uint8_t *q, size_t qlen)
{
    assert_true(g_ncases < GOLDEN_MAX);
    assert_true(qlen <= sizeof(g_cases[0].q));
    struct golden *c = &g_cases[g_ncases++];
    memset(c, 0, sizeof(*c));
    assert_true(strlen(label) < sizeof(c->label));
    strcpy(c->label, label);
    memcpy(c->q, q, qlen);
    c->qlen = qlen;
    c->tr = DX_UDP;
    c->cap = 65535;
    return c;
}

static struct golden *gq(const char *label, const char *name, uint16_t qtype,
                         const struct qopt *o)
{
    uint8_t q[600];
    size_t n = mkquery(q, name, qtype, o);
    return gadd(label, q, n);
}

static void golden_corpus(void)
{
    static const char *const seeds[] = {
        "a_listed", "acl", "any_listed", "apex_ns_case", "apex_soa", "badvers",
        "bitmask", "chaos", "compressed_answer", "domain_wild", "notify", "nxdomain",
        "refused", "testpoint", "txt_listed_edns", "v6_txt",
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char path[128], label[40];
        snprintf(path, sizeof(path), "tests/fuzz/corpus/query/%s", seeds[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s (run from the repository root)", path);
        uint8_t q[600];
        size_t n = fread(q, 1, sizeof(q), f);
        fclose(f);
        snprintf(label, sizeof(label), "corpus_%s", seeds[i]);
        gadd(label, q, n);
        snprintf(label, sizeof(label), "corpus_%s_tcp", seeds[i]);
        gadd(label, q, n)->tr = DX_TCP;
    }
}

static void golden_named(void)
{
    const struct qopt nord = { 0, 1, 0, 0, false };
    const struct qopt ch = { 0, DX_C_CH, 0, 0, false };
    const struct qopt cany = { 0, DX_C_ANY, 0, 0, false };
    const struct qopt notify = { 4u << 11 | 0x0100, 1, 0, 0, false };
    const struct qopt status = { 2u << 11, 1, 1232, 0, false };
    const struct qopt e4096do = { 0, 1, 4096, 0, true };
    const struct qopt e4096 = { 0, 1, 4096, 0, false };
    const struct qopt e1232 = { 0, 1, 1232, 0, false };
    const struct qopt badvers = { 0, 1, 1232, 1, true };
    const char *v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org";

    gq("a_listed", "99.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("a_listed_rd_clear", "99.2.0.192.bl.example.org", DX_T_A, &nord);
    gq("txt_listed", "99.2.0.192.bl.example.org", DX_T_TXT, NULL);
    gq("any_listed", "99.2.0.192.bl.example.org", DX_T_ANY, NULL);
    gq("any_own_code_txt", "7.100.51.198.bl.example.org", DX_T_ANY, NULL);
    gq("nx", "1.2.0.193.bl.example.org", DX_T_A, NULL);
    gq("nx_expired", "5.113.0.203.bl.example.org", DX_T_A, NULL);
    gq("nx_unconfigured_list", "6.113.0.203.bl.example.org", DX_T_TXT, NULL);
    gq("nx_leading_zero", "099.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("nx_five_labels", "1.99.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("nx_octet_range", "256.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("nx_not_a_number", "x.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("nodata_aaaa", "99.2.0.192.bl.example.org", DX_T_AAAA, NULL);
    gq("nodata_mx", "99.2.0.192.bl.example.org", 15, NULL);
    gq("nodata_caa", "99.2.0.192.bl.example.org", 257, NULL);
    gq("nodata_private_type", "99.2.0.192.bl.example.org", 65280, NULL);
    gq("nodata_ns_below_apex", "99.2.0.192.bl.example.org", DX_T_NS, NULL);
    gq("nodata_txt_without_template", "2.2.0.192.bm.example.org", DX_T_TXT, NULL);
    gq("apex_soa", "bl.example.org", DX_T_SOA, NULL);
    gq("apex_ns", "BL.example.org", DX_T_NS, NULL);
    gq("apex_any", "bl.example.org", DX_T_ANY, NULL);
    gq("apex_a", "bl.example.org", DX_T_A, NULL);
    gq("apex_ns_without_ns", "dbl.example.org", DX_T_NS, NULL);
    gq("sub_apex_soa", "sub.bl.example.org", DX_T_SOA, NULL);
    gq("sub_nx", "foo.sub.bl.example.org", DX_T_A, NULL);
    gq("refused_other_zone", "99.2.0.192.example.com", DX_T_A, NULL);
    gq("refused_parent", "example.org", DX_T_SOA, NULL);
    gq("refused_not_a_label", "xbl.example.org", DX_T_SOA, NULL);
    gq("refused_axfr", "bl.example.org", DX_T_AXFR, NULL);
    gq("refused_ixfr", "bl.example.org", DX_T_IXFR, NULL);
    gq("refused_chaos", "version.bind", DX_T_TXT, &ch);
    gq("refused_chaos_in_zone", "99.2.0.192.bl.example.org", DX_T_TXT, &ch);
    gq("class_any", "99.2.0.192.bl.example.org", DX_T_A, &cany);
    gq("acl_refused", "99.2.0.192.acl.example.org", DX_T_A, NULL);
    gq("acl_v4", "99.2.0.192.acl.example.org", DX_T_A, NULL)->peer = P_ACL4;
    gq("acl_mapped", "99.2.0.192.acl.example.org", DX_T_A, NULL)->peer = P_ACL_MAPPED;
    gq("acl_v6_refused", "99.2.0.192.acl.example.org", DX_T_A, NULL)->peer = P_V6;
    gq("notimp_notify", "bl.example.org", DX_T_SOA, &notify);
    gq("notimp_status_edns", "bl.example.org", DX_T_SOA, &status);
    gq("edns_do", "99.2.0.192.bl.example.org", DX_T_A, &e4096do);
    gq("edns", "99.2.0.192.bl.example.org", DX_T_A, &e4096);
    gq("edns_nx", "1.1.1.1.bl.example.org", DX_T_A, &e4096);
    gq("edns_badvers", "99.2.0.192.bl.example.org", DX_T_A, &badvers);
    gq("tc_txt_512", "1.2.0.192.big.example.org", DX_T_TXT, NULL);
    gq("tc_txt_edns", "1.2.0.192.big.example.org", DX_T_TXT, &e4096);
    gq("big_a", "1.2.0.192.big.example.org", DX_T_A, NULL);
    gq("big_any_tcp", "1.2.0.192.big.example.org", DX_T_ANY, NULL)->tr = DX_TCP;
    gq("big_any_edns", "1.2.0.192.big.example.org", DX_T_ANY, &e1232);
    gq("testpoint_any", "2.0.0.127.bl.example.org", DX_T_ANY, NULL);
    gq("testpoint_localhost", "1.0.0.127.bl.example.org", DX_T_A, NULL);
    gq("testpoint_mapped",
       "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
       DX_T_A, NULL);
    gq("testpoint_mapped_localhost",
       "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
       DX_T_A, NULL);
    gq("testpoint_zone_without_lists", "2.0.0.127.empty.example.org", DX_T_ANY, NULL);
    gq("testpoint_domain", "TEST.dbl.example.org", DX_T_ANY, NULL);
    gq("domain_invalid_ent", "invalid.dbl.example.org", DX_T_A, NULL);
    gq("ttl_expiry", "130.2.0.192.bl.example.org", DX_T_A, NULL);
    gq("ttl_rrset_min", "150.2.0.192.bl.example.org", DX_T_ANY, NULL);
    gq("case_preserved", "99.2.0.192.Bl.ExAmPlE.oRg", DX_T_ANY, NULL);
    gq("case_preserved_nx", "1.1.1.1.bL.EXAMPLE.ORG", DX_T_A, NULL);
    gq("bitmask", "1.2.0.192.bm.example.org", DX_T_A, NULL);
    gq("bitmask_one", "2.2.0.192.bm.example.org", DX_T_ANY, NULL);
    gq("bitmask_nx", "3.2.0.192.bm.example.org", DX_T_A, NULL);
    gq("bitmask_prefix", "1.2.0.192.bm2.example.org", DX_T_A, NULL);
    gq("bitmask_tcp", "2.2.0.192.bm2.example.org", DX_T_ANY, NULL)->tr = DX_TCP;
    gq("bitmask_own_codes", "3.2.0.192.bm2.example.org", DX_T_A, NULL);
    gq("bitmask_testpoint", "2.0.0.127.bm2.example.org", DX_T_A, NULL);
    gq("ent_v4", "2.0.192.bl.example.org", DX_T_A, NULL);
    gq("ent_v4_tcp", "192.bl.example.org", DX_T_TXT, NULL)->tr = DX_TCP;
    gq("ent_testpoint", "0.0.127.bl.example.org", DX_T_ANY, NULL);
    gq("ent_v6", "8.b.d.0.1.0.0.2.bl.example.org", DX_T_A, NULL);
    gq("ent_mapped",
       "2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
       DX_T_AAAA, NULL);
    gq("ent_unconfigured_list", "113.0.203.bl.example.org", DX_T_A, NULL);
    gq("ent_exclusion_cover", "5.19.198.bl.example.org", DX_T_A, NULL);
    gq("ent_domain", "example.dbl.example.org", DX_T_A, NULL);
    gq("ent_domain_wild", "wild.example.dbl.example.org", DX_T_ANY, NULL);
    gq("ent_domain_excluded", "ok.wild.example.dbl.example.org", DX_T_TXT, NULL);
    gq("nx_only_expired", "18.198.bl.example.org", DX_T_A, NULL);
    gq("nx_v6_nothing", "f.1.0.0.2.bl.example.org", DX_T_A, NULL);
    gq("nx_domain_zone_ip_name", "2.0.0.127.sub.bl.example.org", DX_T_A, NULL);
    gq("nx_domain_below_exact", "x.spam.example.dbl.example.org", DX_T_A, NULL);
    gq("txt_cut_old_entry", "51.2.0.192.bl.example.org", DX_T_TXT, NULL)->tr = DX_TCP;
    gq("domain_any", "Spam.Example.dbl.example.org", DX_T_ANY, NULL);
    gq("domain_wildcard_txt", "a.b.wild.example.dbl.example.org", DX_T_TXT, NULL);
    gq("domain_ip_like_name", "99.2.0.192.dbl.example.org", DX_T_A, NULL);
    gq("domain_other", "other.example.dbl.example.org", DX_T_A, &e1232);
    gq("v6_any", v6, DX_T_ANY, NULL);
    gq("v6_upper_nibbles",
       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.bl.example.org",
       DX_T_A, NULL);
    gq("v6_ent_31_nibbles",
       "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
       DX_T_A, NULL);
    gq("v6_two_char_label",
       "10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
       DX_T_A, NULL);
    gq("v6_mapped_txt",
       "3.6.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.org",
       DX_T_TXT, NULL);
    gq("small_buffer_txt", "99.2.0.192.bl.example.org", DX_T_TXT, NULL)->cap = 64;
    gq("small_buffer_nx", "1.1.1.1.bl.example.org", DX_T_A, NULL)->cap = 64;
    gq("no_txn", "99.2.0.192.bl.example.org", DX_T_A, &e1232)->ctx = C_NO_TXN;
    gq("no_txn_apex_ns", "bl.example.org", DX_T_NS, &e1232)->ctx = C_NO_TXN;
    gq("no_txn_refused", "example.com", DX_T_A, &e1232)->ctx = C_NO_TXN;
    gq("servfail_a", "99.2.0.192.bl.example.org", DX_T_A, NULL)->ctx = C_RESET_TXN;
    gq("servfail_soa", "bl.example.org", DX_T_SOA, NULL)->ctx = C_RESET_TXN;
    gq("servfail_ent", "2.0.192.bl.example.org", DX_T_A, NULL)->ctx = C_RESET_TXN;
    gq("servfail_domain", "example.dbl.example.org", DX_T_A, NULL)->ctx = C_RESET_TXN;
}

static void golden_raw(void)
{
    uint8_t q[600];
    const struct qopt e = { 0, 1, 1232, 0, false };
    size_t ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    gadd("drop_short", q, 11);
    q[2] |= 0x80;
    gadd("drop_qr", q, ql);
    q[2] &= 0x7f;
    q[5] = 0;
    gadd("formerr_qdcount_0", q, 12);
    q[5] = 2;
    gadd("formerr_qdcount_2", q, ql);
    q[5] = 1;
    q[ql] = 0;
    gadd("formerr_trailing_byte", q, ql + 1);
    gadd("formerr_truncated_question", q, ql - 1);
    static const char *const names[] = {
        "\xc0\x0c", "\x01" "a" "\xc0\x0c", "\xc0\x20", "\x41" "a" "\x00", "\x81" "a" "\x00",
    };
    static const char *const labels[] = {
        "formerr_pointer_to_itself", "formerr_pointer_into_own_run",
        "formerr_forward_pointer", "formerr_label_type_0x40", "formerr_label_type_0x80",
    };
    const size_t nlen[] = { 2, 4, 2, 3, 3 };
    for (size_t i = 0; i < 5; i++) {
        memcpy(q + 12, names[i], nlen[i]);
        memcpy(q + 12 + nlen[i], "\x00\x01\x00\x01", 4);
        gadd(labels[i], q, 12 + nlen[i] + 4);
    }
    size_t n = 12;
    q[n++] = 64;
    memset(q + n, 'a', 64);
    n += 64;
    q[n++] = 0;
    memcpy(q + n, "\x00\x01\x00\x01", 4);
    gadd("formerr_label_64", q, n + 4);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    memcpy(q + ql, q + ql - 11, 11);
    q[11] = 2;
    gadd("formerr_two_opts", q, ql + 11);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    q[11] = 1;
    memcpy(q + ql, "\x01" "x" "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 13);
    gadd("formerr_opt_not_at_root", q, ql + 13);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[7] = 1;
    q[11] = 0;
    gadd("formerr_opt_in_answer", q, ql);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[11] = 2;
    memcpy(q + ql, "\x00\x00\x01\x00", 4);
    gadd("formerr_after_opt_with_opt", q, ql + 4);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[ql - 1] = 4;
    memcpy(q + ql, "\xfe\x01\x00\x05", 4);
    gadd("formerr_option_overrun_with_opt", q, ql + 4);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, &e);
    q[ql - 1] = 6;
    memcpy(q + ql, "\xfd\xe9\x00\x02" "hi", 6);
    gadd("edns_unknown_option", q, ql + 6);
    ql = mkquery(q, "99.2.0.192.bl.example.org", DX_T_A, NULL);
    q[7] = 1;
    memcpy(q + ql, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x02", 16);
    gadd("answer_record_in_query_skipped", q, ql + 16);
}

static size_t golden_answer(const struct golden *c, uint8_t *resp)
{
    struct sockaddr_in in4 = g_peer;
    struct sockaddr_in6 in6;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    const struct sockaddr *peer = (const struct sockaddr *)&g_peer;
    switch (c->peer) {
    case P_ACL4:
        in4.sin_addr.s_addr = htonl(0x0a010203);
        peer = (const struct sockaddr *)&in4;
        break;
    case P_ACL_MAPPED:
        assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr), 1);
        peer = (const struct sockaddr *)&in6;
        break;
    case P_V6:
        assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", &in6.sin6_addr), 1);
        peer = (const struct sockaddr *)&in6;
        break;
    case P_NONE:
        peer = NULL;
        break;
    }
    struct dx_txn *reset = NULL;
    struct dx_qctx ctx = { .conf = g_conf, .txn = g_rtxn, .now = g_now };
    if (c->ctx == C_NO_TXN) {
        ctx.txn = NULL;
    } else if (c->ctx == C_RESET_TXN) {
        assert_int_equal(dx_txn_read(g_st, &reset), 0);
        dx_txn_reset(reset);
        ctx.txn = reset;
    }
    size_t n = dx_query_answer(&ctx, c->q, c->qlen, resp, c->cap, c->tr, peer);
    if (reset)
        dx_txn_abort(reset);
    return n;
}

static void hex_put(FILE *f, const uint8_t *p, size_t n)
{
    if (n == 0)
        fputc('-', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

/* "label transport query-hex reply-hex" for case c into a malloc'd string */
static char *golden_line(const struct golden *c)
{
    char *s = NULL;
    size_t sn = 0;
    FILE *f = open_memstream(&s, &sn);
    assert_non_null(f);
    fprintf(f, "%s %s ", c->label, c->tr == DX_TCP ? "tcp" : "udp");
    hex_put(f, c->q, c->qlen);
    fputc(' ', f);
    size_t n = golden_answer(c, g_resp);
    hex_put(f, g_resp, n);
    assert_int_equal(fclose(f), 0);
    return s;
}

static void test_replies_match_the_recorded_bytes(void **state)
{
    (void)state;
    g_ncases = 0;
    golden_corpus();
    golden_named();
    golden_raw();
    const char *w = getenv("DNSXL_GOLDEN_WRITE");
    if (w && strcmp(w, "1") == 0) {
        FILE *f = fopen(GOLDEN_FILE ".tmp", "w");
        assert_non_null(f);
        fprintf(f, "# dnsxld replies: tests/unit/test_dnsxld_query.c, "
                   "test_replies_match_the_recorded_bytes\n"
                   "# label transport query-hex reply-hex (- = no reply)\n");
        for (size_t i = 0; i < g_ncases; i++) {
            char *line = golden_line(&g_cases[i]);
            fprintf(f, "%s\n", line);
            free(line);
        }
        assert_int_equal(fclose(f), 0);
        assert_int_equal(rename(GOLDEN_FILE ".tmp", GOLDEN_FILE), 0);
        fprintf(stderr, "wrote %zu replies to %s\n", g_ncases, GOLDEN_FILE);
        return;
    }
    FILE *f = fopen(GOLDEN_FILE, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", GOLDEN_FILE);
    char *rec = NULL;
    size_t reccap = 0, i = 0, bad = 0;
    ssize_t len;
    while ((len = getline(&rec, &reccap, f)) >= 0) {
        if (len > 0 && rec[len - 1] == '\n')
            rec[--len] = 0;
        if (rec[0] == '#' || rec[0] == 0)
            continue;
        if (i >= g_ncases) {
            fprintf(stderr, "%s: a recorded reply with no query here: %.60s\n", GOLDEN_FILE,
                    rec);
            bad++;
            continue;
        }
        char *got = golden_line(&g_cases[i]);
        if (strcmp(got, rec) != 0) {
            fprintf(stderr, "%s differs from %s:\n  recorded %s\n  now      %s\n",
                    g_cases[i].label, GOLDEN_FILE, rec, got);
            bad++;
        }
        free(got);
        i++;
    }
    free(rec);
    fclose(f);
    if (i < g_ncases) {
        fprintf(stderr, "%zu queries have no recorded reply in %s (first: %s)\n",
                g_ncases - i, GOLDEN_FILE, g_cases[i].label);
        bad++;
    }
    if (bad)
        fail_msg("%zu of %zu replies differ from %s", bad, g_ncases, GOLDEN_FILE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listed_address_answers_each_list_code),
        cmocka_unit_test(test_listed_address_answers_the_expanded_texts),
        cmocka_unit_test(test_any_answers_the_a_and_txt_rrsets),
        cmocka_unit_test(test_unlisted_name_is_nxdomain_with_the_soa),
        cmocka_unit_test(test_listed_name_without_the_type_is_nodata),
        cmocka_unit_test(test_apex_answers_soa_ns_and_any),
        cmocka_unit_test(test_other_zones_classes_and_peers_are_refused),
        cmocka_unit_test(test_malformed_queries_are_formerr_or_dropped),
        cmocka_unit_test(test_other_opcodes_are_notimp),
        cmocka_unit_test(test_edns_opt_is_echoed_with_our_size_and_badvers),
        cmocka_unit_test(test_answer_over_the_size_limit_is_truncated),
        cmocka_unit_test(test_rfc5782_test_points),
        cmocka_unit_test(test_ttl_is_capped_by_the_entry_expiry),
        cmocka_unit_test(test_question_is_echoed_in_its_case),
        cmocka_unit_test(test_bitmask_zone_ors_the_codes),
        cmocka_unit_test(test_empty_non_terminals_are_nodata),
        cmocka_unit_test(test_txt_cut_only_for_old_entries),
        cmocka_unit_test(test_domain_zone_answers_names_and_wildcards),
        cmocka_unit_test(test_v6_nibble_and_mapped_queries),
        cmocka_unit_test(test_small_caller_buffer_still_gets_a_valid_reply),
        cmocka_unit_test(test_store_error_is_servfail),
        cmocka_unit_test(test_no_snapshot_is_servfail_for_our_zones),
        cmocka_unit_test(test_replies_match_the_recorded_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
