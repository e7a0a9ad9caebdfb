/* Unit tests: dnsxld/guard.c, the defences of the query path, through
 * dx_query_answer with a real config and store: the COOKIE of replies,
 * FORMERR for malformed ones, the QDCOUNT 0 ping, rate limiting (slip,
 * drop, BADCOOKIE, exemptions, TCP, classes) with the clock passed in. */
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
#include <sys/stat.h>
#include <unistd.h>

#include "dnsxld/cookie.h"
#include "dnsxld/ede.h"
#include "dnsxld/guard.h"
#include "dnsxld/query.h"
#include "dnsxld/rrl.h"
#include "dnsxld/wire.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"
#include "zones/secret.h"

#define NOW 1800000000u
#define SECRET "e5e973e5a6b2a43f48e7dc849e37bfcf"

static char g_dir[64];
static struct dx_conf *g_conf;
static struct dx_store *g_st;
static struct dx_txn *g_txn;
static struct dx_rrl *g_rrl;
static struct dx_guard_stats g_gst;
static uint64_t g_ms;
static uint8_t g_resp[65535];

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-guard-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    char path[128], key[128];
    snprintf(key, sizeof(key), "%s/cookie.key", g_dir);
    FILE *f = fopen(key, "w");
    assert_non_null(f);
    fputs(SECRET "\n", f);
    fclose(f);
    assert_int_equal(chmod(key, 0600), 0);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[server]\n"
          "database = db\n"
          "rate-limit = 5\n"
          "rate-limit-exempt = 10.0.0.0/8, 2001:db8:e::/48\n"
          "cookie-secret = cookie.key\n"
          "\n"
          "[zone bl.example.org]\n"
          "txt = Listed: $\n"
          "[list bl.example.org/x]\n"
          "code = 127.0.0.2\n"
          "[zone pol.example.org]\n"
          "blocked-clients = 198.51.100.0/24\n", f);
    fclose(f);
    char err[256] = "";
    int rc = dx_conf_load(path, &g_conf, err, sizeof(err));
    if (rc == 0)
        rc = dx_cookie_setup(g_conf, NULL, NOW, err, sizeof(err));
    if (rc)
        fprintf(stderr, "conf: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(g_conf->server.rate_limit_slip, 2);     /* the default */
    assert_int_equal(g_conf->server.rate_limit_burst, 0);
    assert_int_equal(dx_store_open(g_conf->server.database, 16u << 20, DX_STORE_CREATE, &g_st), 0);
    assert_int_equal(dx_txn_read(g_st, &g_txn), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dx_txn_abort(g_txn);
    dx_store_close(g_st);
    dx_conf_free(g_conf);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Every test starts with an empty table, zero counters, a fresh second. */
static int each(void **state)
{
    (void)state;
    dx_rrl_free(g_rrl);
    g_rrl = dx_rrl_new(10);
    assert_non_null(g_rrl);
    memset(&g_gst, 0, sizeof(g_gst));
    g_ms = 1000000;
    g_conf->server.rate_limit = 5;
    g_conf->server.rate_limit_slip = 2;
    return 0;
}

static int each_end(void **state)
{
    (void)state;
    dx_rrl_free(g_rrl);
    g_rrl = NULL;
    return 0;
}

/* --- queries and replies ------------------------------------------------- */

/* A query for name/qtype (qd = 0: no question) with an OPT when cookie_len
 * >= 0 holding a COOKIE of that many octets (cookie: the bytes, or 1..n). */
static size_t mkquery(uint8_t *b, const char *name, uint16_t qtype, int cookie_len,
                      const uint8_t *cookie)
{
    struct dx_bytes w;
    dx_bytes_writer(&w, b, 600);
    dx_put_u16(&w, 0x1234);
    dx_put_u16(&w, 0x0100);
    dx_put_u16(&w, name ? 1 : 0);
    dx_put_u16(&w, 0);
    dx_put_u16(&w, 0);
    dx_put_u16(&w, cookie_len >= 0 ? 1 : 0);
    if (name) {
        uint8_t wire[DX_NAME_MAX];
        size_t wl;
        assert_int_equal(dx_name_from_text(name, wire, &wl), 0);
        dx_put(&w, wire, wl);
        dx_put_u16(&w, qtype);
        dx_put_u16(&w, DX_C_IN);
    }
    if (cookie_len >= 0) {
        dx_put_u8(&w, 0);
        dx_put_u16(&w, DX_T_OPT);
        dx_put_u16(&w, 4096);
        dx_put_u32(&w, 0);
        dx_put_u16(&w, (uint16_t)(cookie_len > 0 ? 4 + cookie_len : 0));
        if (cookie_len > 0) {
            dx_put_u16(&w, DX_OPT_COOKIE);
            dx_put_u16(&w, (uint16_t)cookie_len);
            for (int i = 0; i < cookie_len; i++)
                dx_put_u8(&w, cookie ? cookie[i] : (uint8_t)(i + 1));
        }
    }
    assert_int_equal(w.err, 0);
    return w.pos;
}

struct rep {
    size_t len;                    /* 0: nothing sent */
    unsigned rcode;                /* the full rcode (OPT's upper bits included) */
    bool tc, aa;
    unsigned qd, an, ns, ar;
    bool opt;
    size_t cookie_len;             /* of the reply's COOKIE option */
    uint8_t cookie[40];
    size_t optlen;                 /* all options */
    bool ede;                      /* an EDE option */
};

static void skip_name(struct dx_bytes *r)
{
    uint8_t n[DX_NAME_MAX];
    size_t nl;
    assert_int_equal(dx_wire_get_name(r, n, &nl), 0);
}

static struct rep parse(size_t len)
{
    struct rep p;
    memset(&p, 0, sizeof(p));
    p.len = len;
    if (len == 0)
        return p;
    struct dx_bytes r;
    dx_bytes_reader(&r, g_resp, len);
    struct dx_hdr h;
    dx_hdr_get(&r, &h);
    p.rcode = h.flags & 0xfu;
    p.tc = (h.flags & 0x0200u) != 0;
    p.aa = (h.flags & 0x0400u) != 0;
    p.qd = h.qd, p.an = h.an, p.ns = h.ns, p.ar = h.ar;
    for (unsigned i = 0; i < h.qd; i++) {
        skip_name(&r);
        dx_skip(&r, 4);
    }
    for (unsigned i = 0; i < (unsigned)h.an + h.ns + h.ar; i++) {
        skip_name(&r);
        uint16_t type = dx_get_u16(&r);
        dx_get_u16(&r);
        uint32_t ttl = dx_get_u32(&r);
        uint16_t rdlen = dx_get_u16(&r);
        const uint8_t *rd = dx_get_ptr(&r, rdlen);
        assert_int_equal(r.err, 0);
        if (type != DX_T_OPT)
            continue;
        p.opt = true;
        p.rcode |= (ttl >> 24) << 4;
        p.optlen = rdlen;
        struct dx_bytes o;
        dx_bytes_reader(&o, rd, rdlen);
        while (dx_bytes_left(&o) > 0) {
            uint16_t code = dx_get_u16(&o), olen = dx_get_u16(&o);
            const uint8_t *od = dx_get_ptr(&o, olen);
            assert_int_equal(o.err, 0);
            if (code == DX_OPT_COOKIE) {
                assert_true(olen <= 40);
                p.cookie_len = olen;
                memcpy(p.cookie, od, olen);
            }
            if (code == DX_OPT_EDE)
                p.ede = true;
        }
    }
    assert_int_equal(r.pos, len);
    return p;
}

static struct sockaddr_in v4(const char *a)
{
    struct sockaddr_in s;
    memset(&s, 0, sizeof(s));
    s.sin_family = AF_INET;
    s.sin_port = htons(5353);
    assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
    return s;
}

static struct rep ask_tr(const uint8_t *q, size_t qlen, const void *peer, enum dx_transport tr)
{
    struct dx_qctx ctx = { .conf = g_conf, .txn = g_txn, .now = NOW, .mono_ms = g_ms,
                           .rrl = g_rrl, .st = &g_gst };
    return parse(dx_query_answer(&ctx, q, qlen, g_resp, sizeof(g_resp), tr,
                                 (const struct sockaddr *)peer));
}

static struct rep ask(const uint8_t *q, size_t qlen, const void *peer)
{
    return ask_tr(q, qlen, peer, DX_UDP);
}

#define LISTED "2.0.0.127.bl.example.org"     /* the RFC 5782 test point */
#define UNLISTED "3.0.0.127.bl.example.org"

/* The server cookie we make for client cookie 01..08 from ip at NOW. */
static void our_cookie(const struct sockaddr_in *peer, uint32_t ts, uint8_t out[24])
{
    uint8_t secret[16];
    assert_int_equal(dx_hex_decode(SECRET, 32, secret, 16), 0);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(i + 1);
    dx_cookie_make(secret, out, ts, (const uint8_t *)&peer->sin_addr, 4, out + 8);
}

/* --- cookies ---------------------------------------------------------------- */

static void test_reply_echoes_the_client_cookie_with_a_server_cookie(void **state)
{
    (void)state;
    uint8_t q[600], want[24];
    struct sockaddr_in p = v4("192.0.2.1");
    our_cookie(&p, NOW, want);
    struct rep r = ask(q, mkquery(q, LISTED, DX_T_TXT, 8, NULL), &p);
    assert_int_equal(r.rcode, DX_RC_NOERROR);
    assert_int_equal(r.an, 1);
    assert_int_equal(r.cookie_len, 24);
    assert_memory_equal(r.cookie, want, 24);
    /* that cookie sent back is valid: echoed as it came */
    r = ask(q, mkquery(q, LISTED, DX_T_TXT, 24, want), &p);
    assert_int_equal(r.cookie_len, 24);
    assert_memory_equal(r.cookie, want, 24);
    assert_int_equal(g_gst.cookie_bad, 0);
    /* from another address it is not ours: a new one, counted */
    struct sockaddr_in p2 = v4("192.0.2.2");
    uint8_t want2[24];
    our_cookie(&p2, NOW, want2);
    r = ask(q, mkquery(q, LISTED, DX_T_TXT, 24, want), &p2);
    assert_int_equal(r.rcode, DX_RC_NOERROR);            /* answered all the same */
    assert_int_equal(r.an, 1);
    assert_memory_equal(r.cookie, want2, 24);
    assert_int_equal(g_gst.cookie_bad, 1);
    /* over TCP and for errors too */
    r = ask_tr(q, mkquery(q, "other.example", DX_T_A, 8, NULL), &p, DX_TCP);
    assert_int_equal(r.rcode, DX_RC_REFUSED);
    assert_memory_equal(r.cookie, want, 24);
}

static void test_without_a_cookie_the_reply_has_no_option(void **state)
{
    (void)state;
    uint8_t q[600];
    struct sockaddr_in p = v4("192.0.2.1");
    struct rep r = ask(q, mkquery(q, LISTED, DX_T_A, 0, NULL), &p);
    assert_true(r.opt);
    assert_int_equal(r.optlen, 0);
}

static void test_malformed_cookies_are_formerr(void **state)
{
    (void)state;
    uint8_t q[600];
    struct sockaddr_in p = v4("192.0.2.1");
    g_conf->server.rate_limit = 0;       /* more FORMERRs than the error class allows */
    static const int bad[] = { 1, 7, 9, 15, 41, 60 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct rep r = ask(q, mkquery(q, LISTED, DX_T_A, bad[i], NULL), &p);
        assert_int_equal(r.rcode, DX_RC_FORMERR);
        assert_true(r.opt);
        assert_int_equal(r.cookie_len, 0);
        assert_int_equal(r.an, 0);
    }
    static const int good[] = { 8, 16, 24, 32, 40 };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct rep r = ask(q, mkquery(q, LISTED, DX_T_A, good[i], NULL), &p);
        assert_int_equal(r.rcode, DX_RC_NOERROR);
        assert_int_equal(r.cookie_len, 24);
    }
}

static void test_qdcount_zero_with_a_cookie_is_a_ping(void **state)
{
    (void)state;
    uint8_t q[600], want[24];
    struct sockaddr_in p = v4("192.0.2.1");
    our_cookie(&p, NOW, want);
    struct rep r = ask(q, mkquery(q, NULL, 0, 8, NULL), &p);
    assert_int_equal(r.rcode, DX_RC_NOERROR);
    assert_int_equal(r.qd, 0);
    assert_int_equal(r.an + r.ns, 0);
    assert_memory_equal(r.cookie, want, 24);
    /* without a cookie (with or without OPT) it stays FORMERR */
    r = ask(q, mkquery(q, NULL, 0, 0, NULL), &p);
    assert_int_equal(r.rcode, DX_RC_FORMERR);
    r = ask(q, mkquery(q, NULL, 0, -1, NULL), &p);
    assert_int_equal(r.rcode, DX_RC_FORMERR);
    assert_false(r.opt);
    /* with our server cookie: NOERROR, the cookie confirmed */
    r = ask(q, mkquery(q, NULL, 0, 24, want), &p);
    assert_int_equal(r.rcode, DX_RC_NOERROR);
    assert_memory_equal(r.cookie, want, 24);
}

/* RFC 7873 5.4: a ping whose server cookie is not ours SHALL get BADCOOKIE
 * (with a fresh cookie), so the client does not take a stale one for good. */
static void test_a_ping_with_a_bad_server_cookie_is_badcookie(void **state)
{
    (void)state;
    uint8_t q[600], want[24], bad[24];
    struct sockaddr_in p = v4("192.0.2.1");
    memset(bad, 0xab, sizeof(bad));
    struct rep r = ask(q, mkquery(q, NULL, 0, 24, bad), &p);
    assert_int_equal(r.rcode, DX_RC_BADCOOKIE);
    assert_int_equal(r.qd + r.an + r.ns, 0);
    assert_int_equal(r.cookie_len, 24);
    assert_memory_equal(r.cookie, bad, 8);              /* the client's part echoed */
    assert_false(r.ede);
    /* ours, from another address, or an hour and more old: BADCOOKIE too */
    our_cookie(&p, NOW, want);
    struct sockaddr_in p2 = v4("192.0.2.2");
    r = ask(q, mkquery(q, NULL, 0, 24, want), &p2);
    assert_int_equal(r.rcode, DX_RC_BADCOOKIE);
    our_cookie(&p, NOW - 3601, want);
    r = ask(q, mkquery(q, NULL, 0, 24, want), &p);
    assert_int_equal(r.rcode, DX_RC_BADCOOKIE);
    /* an EDNS version we do not do: BADVERS first */
    size_t qlen = mkquery(q, NULL, 0, 8, NULL);
    q[qlen - 4 - 8 - 2 - 4 + 1] = 1;                    /* the OPT TTL's version octet */
    r = ask(q, qlen, &p);
    assert_int_equal(r.rcode, DX_RC_BADVERS);
}

/* --- rate limiting ----------------------------------------------------------- */

struct tally { unsigned full, slipped, dropped, badcookie; };

/* n UDP queries from peer at the current clock. */
static struct tally flood(const char *name, uint16_t qtype, int cookie_len, const uint8_t *cookie,
                          const void *peer, unsigned n)
{
    struct tally t = { 0, 0, 0, 0 };
    uint8_t q[600];
    size_t qlen = mkquery(q, name, qtype, cookie_len, cookie);
    for (unsigned i = 0; i < n; i++) {
        struct rep r = ask(q, qlen, peer);
        if (r.len == 0) {
            t.dropped++;
        } else if (r.tc || r.rcode == DX_RC_BADCOOKIE) {
            assert_int_equal(r.an + r.ns, 0);            /* no records */
            assert_int_equal(r.qd, 1);                   /* the question, for the retry */
            assert_false(r.ede);                         /* nor the EDE of the answer */
            /* never longer than the query, but for our cookie's 16 octets
             * more than a client cookie sent alone */
            assert_true(r.len <= qlen + (cookie_len == 8 ? 16 : 0));
            if (cookie_len == 8)
                assert_int_equal(r.len, qlen + 16);
            if (r.rcode == DX_RC_BADCOOKIE) {            /* no TC: retry over UDP */
                assert_false(r.tc);
                assert_int_equal(r.cookie_len, 24);
                t.badcookie++;
            } else {
                assert_true(r.tc);
                assert_int_equal(r.cookie_len, 0);       /* none without a client cookie */
            }
            t.slipped++;
        } else {
            assert_true(r.an + r.ns > 0 || r.rcode != DX_RC_NOERROR);
            t.full++;
        }
    }
    return t;
}

static void test_over_the_limit_every_second_answer_slips(void **state)
{
    (void)state;
    struct sockaddr_in p = v4("192.0.2.1");
    struct tally t = flood(LISTED, DX_T_TXT, -1, NULL, &p, 25);
    assert_int_equal(t.full, 5);                 /* the burst: rate-limit answers at once */
    assert_int_equal(t.slipped, 10);
    assert_int_equal(t.dropped, 10);
    assert_int_equal(t.badcookie, 0);
    assert_int_equal(g_gst.limited, 20);
    assert_int_equal(g_gst.slipped, 10);
    assert_int_equal(g_gst.dropped, 10);
    /* the same /24 shares the budget; the next /24 has its own */
    struct sockaddr_in same = v4("192.0.2.200"), next = v4("192.0.3.1");
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &same, 4).full, 0);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &next, 6).full, 5);
    /* another class has its own budget: NXDOMAIN */
    assert_int_equal(flood(UNLISTED, DX_T_A, -1, NULL, &p, 6).full, 5);
    /* a second later: rate-limit more */
    g_ms += 1000;
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &p, 10).full, 5);
}

static void test_slip_settings(void **state)
{
    (void)state;
    struct sockaddr_in p = v4("192.0.2.1");
    g_conf->server.rate_limit_slip = 0;          /* drop them all */
    struct tally t = flood(LISTED, DX_T_TXT, -1, NULL, &p, 15);
    assert_int_equal(t.full, 5);
    assert_int_equal(t.dropped, 10);
    g_conf->server.rate_limit_slip = 1;          /* truncate them all */
    t = flood(LISTED, DX_T_TXT, -1, NULL, &p, 10);
    assert_int_equal(t.slipped, 10);
    g_conf->server.rate_limit_slip = 3;
    t = flood(LISTED, DX_T_TXT, -1, NULL, &p, 30);
    assert_int_equal(t.slipped, 10);
    assert_int_equal(t.dropped, 20);
}

static void test_a_limited_cookie_client_gets_badcookie(void **state)
{
    (void)state;
    struct sockaddr_in p = v4("192.0.2.1");
    uint8_t want[24];
    our_cookie(&p, NOW, want);
    /* a client cookie alone, or a server cookie that is not ours: limited
     * like any other; its slips are BADCOOKIE with our cookie, without TC
     * (RFC 7873 5.2.3: the client retries over UDP with it) */
    struct tally t = flood(LISTED, DX_T_TXT, 8, NULL, &p, 15);
    assert_int_equal(t.full, 5);
    assert_int_equal(t.slipped, 5);
    assert_int_equal(t.badcookie, 5);
    uint8_t forged[24];
    memcpy(forged, want, 24);
    forged[23] ^= 1;
    t = flood(LISTED, DX_T_TXT, 24, forged, &p, 10);
    assert_int_equal(t.badcookie, 5);
    /* the client retries with the cookie it was given: valid, never limited */
    t = flood(LISTED, DX_T_TXT, 24, want, &p, 100);
    assert_int_equal(t.full, 100);
    /* nor over TCP, where nothing is limited */
    uint8_t q[600];
    size_t qlen = mkquery(q, LISTED, DX_T_TXT, -1, NULL);
    for (int i = 0; i < 50; i++)
        assert_int_equal(ask_tr(q, qlen, &p, DX_TCP).an, 1);
}

/* The slips of answers with an EDE (REFUSED: 20; a policy answer: 18 and
 * its text) carry none, so they stay within the bound of flood(). */
static void test_slips_carry_no_ede(void **state)
{
    (void)state;
    g_conf->server.rate_limit_slip = 1;
    struct sockaddr_in p = v4("198.51.100.7");
    uint8_t q[600];
    struct rep r = ask(q, mkquery(q, "1.2.0.192.pol.example.org", DX_T_TXT, 0, NULL), &p);
    assert_true(r.ede);                                  /* a full answer has it */
    static const int cookie[] = { 0, 8 };
    for (size_t i = 0; i < 2; i++) {
        struct tally t = flood("1.2.0.192.pol.example.org", DX_T_TXT, cookie[i], NULL, &p, 10);
        assert_int_equal(t.slipped, i == 0 ? 6 : 10);
        t = flood("other.example", DX_T_TXT, cookie[i], NULL, &p, 10);
        assert_int_equal(t.slipped, i == 0 ? 5 : 10);
    }
}

static void test_exempt_networks_and_rate_limit_zero_are_not_limited(void **state)
{
    (void)state;
    struct sockaddr_in e = v4("10.1.2.3");
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e, 50).full, 50);
    struct sockaddr_in6 e6;
    memset(&e6, 0, sizeof(e6));
    e6.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, "2001:db8:e::53", &e6.sin6_addr), 1);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e6, 50).full, 50);
    /* an IPv6 /56 that is not exempt */
    assert_int_equal(inet_pton(AF_INET6, "2001:db8:f:1::53", &e6.sin6_addr), 1);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e6, 50).full, 5);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8:f:1:ffff::1", &e6.sin6_addr), 1);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e6, 5).full, 0);
    /* an IPv4-mapped address is its IPv4 network (should V6ONLY ever be off),
     * not one /56 for every IPv4 client */
    assert_int_equal(inet_pton(AF_INET6, "::ffff:10.9.9.9", &e6.sin6_addr), 1);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e6, 20).full, 20);      /* exempt */
    assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.77", &e6.sin6_addr), 1);
    struct sockaddr_in v = v4("192.0.2.78");
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e6, 3).full, 3);
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &v, 5).full, 2);         /* one /24 */
    g_conf->server.rate_limit = 0;
    struct sockaddr_in p = v4("192.0.2.1");
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &p, 200).full, 200);
    assert_int_equal(g_gst.limited, 45 + 5 + 3);
}

/* An exempt network is checked before the table: it never takes a slot, so
 * it cannot push a limited network out (which would start it afresh). A
 * table of one set of two slots: a limited network, the exempt one, a third. */
static void test_exempt_networks_take_no_slot(void **state)
{
    (void)state;
    dx_rrl_free(g_rrl);
    g_rrl = dx_rrl_new(1);
    assert_non_null(g_rrl);
    struct sockaddr_in a = v4("192.0.2.1"), e = v4("10.1.2.3"), b = v4("198.51.100.1");
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &a, 6).full, 5);     /* a: limited */
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &e, 50).full, 50);   /* exempt */
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &b, 1).full, 1);     /* the idle slot */
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &a, 3).full, 0);     /* a: still limited */
}

static void test_errors_are_a_class_of_their_own(void **state)
{
    (void)state;
    struct sockaddr_in p = v4("192.0.2.1");
    struct tally t = flood("other.example", DX_T_A, -1, NULL, &p, 20);   /* REFUSED */
    assert_int_equal(t.full + t.slipped + t.dropped, 20);
    assert_int_equal(g_gst.limited, 15);
    /* positive answers are still there */
    assert_int_equal(flood(LISTED, DX_T_TXT, -1, NULL, &p, 5).full, 5);
    /* FORMERR counts as an error: the bucket REFUSED emptied */
    uint8_t q[600];
    struct rep r = ask(q, mkquery(q, LISTED, DX_T_A, 3, NULL), &p);
    assert_true(r.len == 0 || r.tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reply_echoes_the_client_cookie_with_a_server_cookie,
                                        each, each_end),
        cmocka_unit_test_setup_teardown(test_without_a_cookie_the_reply_has_no_option, each,
                                        each_end),
        cmocka_unit_test_setup_teardown(test_malformed_cookies_are_formerr, each, each_end),
        cmocka_unit_test_setup_teardown(test_qdcount_zero_with_a_cookie_is_a_ping, each, each_end),
        cmocka_unit_test_setup_teardown(test_a_ping_with_a_bad_server_cookie_is_badcookie, each,
                                        each_end),
        cmocka_unit_test_setup_teardown(test_over_the_limit_every_second_answer_slips, each,
                                        each_end),
        cmocka_unit_test_setup_teardown(test_slip_settings, each, each_end),
        cmocka_unit_test_setup_teardown(test_a_limited_cookie_client_gets_badcookie, each,
                                        each_end),
        cmocka_unit_test_setup_teardown(test_slips_carry_no_ede, each, each_end),
        cmocka_unit_test_setup_teardown(test_exempt_networks_and_rate_limit_zero_are_not_limited,
                                        each, each_end),
        cmocka_unit_test_setup_teardown(test_exempt_networks_take_no_slot, each, each_end),
        cmocka_unit_test_setup_teardown(test_errors_are_a_class_of_their_own, each, each_end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
