/* Unit tests for dnsxld/policy.c through dx_query_answer: blocked clients,
 * query-limit per address (IPv6 /64), query keys (good, unknown,
 * disabled, over quota; names below a key answered as without it), the
 * EDE of each, counters handed on by a reload; and the REFUSED EDEs of
 * resolve.c and query.c. A real store and config in a temp directory; the
 * clock and the peer are parameters. */
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

#include "dnsxld/ede.h"
#include "dnsxld/policy.h"
#include "dnsxld/query.h"
#include "dnsxld/wire.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"
#include "zones/qkeys.h"

#define T0 1800000000u              /* a multiple of 3600 */
#define KEY "abcdefgh12345678"
#define KEY2 "quota0000001"
#define KEYD "disabled0001"

static char g_dir[64];
static struct dx_store *g_st;
static struct dx_txn *g_rtxn;
static struct dx_conf *g_conf;
static struct dx_policy_stats g_pst;

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "[zone bl.example.org]\n"
    "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
    "txt = Listed: $\n"
    "blocked-clients = 127.0.0.66, 2001:db8:bad::/48\n"
    "query-limit = %s\n"
    "query-keys = keys.txt\n"
    "[list bl.example.org/manual]\n"
    "code = 127.0.0.4\n"
    "[zone bm.example.org]\n"
    "answer = bitmask\n"
    "blocked-clients = 127.0.0.66\n"
    "blocked-code = 127.255.255.1\n"        /* bitmask: codes with no bit of a list */
    "query-limit = 2/1h\n"
    "limit-code = 127.255.255.16\n"
    "[list bm.example.org/a]\n"
    "code = 127.0.0.2\n"
    "[list bm.example.org/b]\n"
    "code = 127.0.0.4\n"
    "[list bm.example.org/c]\n"
    "code = 127.0.0.8\n"
    "[zone blk.example.org]\n"
    "query-keys = keys.txt\n"
    "unknown-key = blocked\n"
    "blocked-code = 127.255.255.250\n"
    "[zone dbl.example.org]\n"
    "kind = domain\n"
    "query-keys = keys.txt\n"
    "[list dbl.example.org/d]\n"
    "code = 127.0.1.2\n"
    "[zone acl.example.org]\n"
    "allow-query = 10.0.0.0/8\n"
    "[zone plain.example.org]\n"
    "txt = Listed: $\n"
    "[list plain.example.org/x]\n"
    "code = 127.0.0.2\n";

static struct dx_conf *load_conf(const char *limit, const char *keys)
{
    char path[128], err[512] = "";
    snprintf(path, sizeof(path), "%s/keys.txt", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(keys, f);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, conf_text, limit);
    fclose(f);
    struct dx_conf *c = NULL;
    int rc = dx_conf_load(path, &c, err, sizeof(err));
    if (rc)
        fail_msg("conf: %s", err);
    return c;
}

static const char keys_text[] =
    KEY " cust1\n" KEY2 " cust2 2/1h\n" KEYD " gone disabled\n";

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    e.first_seen = e.last_seen = T0;
    e.source = "admin";
    assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-policy-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    g_conf = load_conf("3/1h", keys_text);
    char err[256];
    assert_int_equal(dx_policy_attach(g_conf, NULL, err, sizeof(err)), 0);
    assert_int_equal(dx_store_open(g_conf->server.database, 64u << 20, DX_STORE_CREATE, &g_st), 0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, T0, &w), 0);
    put(w, "bl.example.org", "manual", "192.0.2.99");
    put(w, "bl.example.org", "manual", "2001:db8::1");
    put(w, "plain.example.org", "x", "192.0.2.99");
    put(w, "plain.example.org", "x", "2001:db8::1");
    put(w, "bm.example.org", "a", "192.0.2.1");
    put(w, "bm.example.org", "b", "192.0.2.1");
    put(w, "dbl.example.org", "d", "spam.example");
    put(w, "dbl.example.org", "d", "spam.ex4mple");       /* a digit, but too short for a key */
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_read(g_st, &g_rtxn), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dx_txn_abort(g_rtxn);
    dx_store_close(g_st);
    dx_conf_free(g_conf);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* --- queries and replies --------------------------------------------------- */

static struct sockaddr_storage peer4(const char *a)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, a, &s->sin_addr), 1);
    return ss;
}

static struct sockaddr_storage peer6(const char *a)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, a, &s->sin6_addr), 1);
    return ss;
}

struct ans {
    unsigned rcode;
    bool aa;
    unsigned an, ns;
    uint32_t a[8];
    unsigned na;
    char txt[4][512];
    unsigned ntxt;
    int ede;                        /* -1: none */
    char ede_text[128];
    bool opt;
};

/* Ask name/qtype (class qclass, with EDNS or not) from peer at now. */
static struct ans ask_full(const struct dx_conf *c, const char *name, uint16_t qtype,
                           uint16_t qclass, bool edns, const struct sockaddr_storage *peer,
                           uint64_t now)
{
    uint8_t q[600], resp[4096];
    size_t nl;
    memset(q, 0, 12);
    q[0] = 0x12;
    q[1] = 0x34;
    q[2] = 0x01;
    q[5] = 1;
    assert_int_equal(dx_name_from_text(name, q + 12, &nl), 0);
    size_t n = 12 + nl;
    q[n++] = (uint8_t)(qtype >> 8);
    q[n++] = (uint8_t)qtype;
    q[n++] = (uint8_t)(qclass >> 8);
    q[n++] = (uint8_t)qclass;
    if (edns) {
        q[11] = 1;
        const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
        memcpy(q + n, opt, sizeof(opt));
        n += sizeof(opt);
    }
    struct dx_qctx qc = { .conf = c, .txn = g_rtxn, .now = now, .pst = &g_pst };
    size_t len = dx_query_answer(&qc, q, n, resp, sizeof(resp), DX_UDP,
                                 (const struct sockaddr *)peer);
    assert_true(len >= 12);
    struct ans a;
    memset(&a, 0, sizeof(a));
    a.ede = -1;
    struct dx_bytes r;
    dx_bytes_reader(&r, resp, len);
    dx_skip(&r, 2);
    uint16_t flags = dx_get_u16(&r);
    a.rcode = flags & 0xf;
    a.aa = flags & 0x0400;
    uint16_t qd = dx_get_u16(&r);
    a.an = dx_get_u16(&r);
    a.ns = dx_get_u16(&r);
    uint16_t ar = dx_get_u16(&r);
    uint8_t nm[DX_NAME_MAX];
    size_t nml;
    for (unsigned i = 0; i < qd; i++) {
        assert_int_equal(dx_wire_get_name(&r, nm, &nml), 0);
        dx_skip(&r, 4);
    }
    for (unsigned i = 0; i < a.an + a.ns + ar; i++) {
        assert_int_equal(dx_wire_get_name(&r, nm, &nml), 0);
        uint16_t type = dx_get_u16(&r);
        dx_skip(&r, 6);
        uint16_t rdlen = dx_get_u16(&r);
        const uint8_t *rd = dx_get_ptr(&r, rdlen);
        assert_int_equal(r.err, 0);
        if (i < a.an && type == DX_T_A && a.na < 8)
            a.a[a.na++] = dx_be32(rd);
        if (i < a.an && type == DX_T_TXT && a.ntxt < 4) {
            size_t o = 0, t = 0;
            while (o < rdlen) {
                size_t l = rd[o++];
                memcpy(a.txt[a.ntxt] + t, rd + o, l);
                t += l;
                o += l;
            }
            a.txt[a.ntxt++][t] = 0;
        }
        if (type == DX_T_OPT) {
            a.opt = true;
            struct dx_bytes o;
            dx_bytes_reader(&o, rd, rdlen);
            while (dx_bytes_left(&o)) {
                uint16_t code = dx_get_u16(&o), ol = dx_get_u16(&o);
                const uint8_t *od = dx_get_ptr(&o, ol);
                assert_int_equal(o.err, 0);
                if (code == DX_OPT_EDE) {
                    assert_true(ol >= 2);
                    a.ede = dx_be16(od);
                    memcpy(a.ede_text, od + 2, ol - 2);
                    a.ede_text[ol - 2] = 0;
                }
            }
        }
    }
    assert_int_equal(r.pos, len);
    return a;
}

static struct ans ask(const char *name, uint16_t qtype, const char *from)
{
    struct sockaddr_storage p = strchr(from, ':') ? peer6(from) : peer4(from);
    return ask_full(g_conf, name, qtype, DX_C_IN, true, &p, T0 + 100);
}

/* --- blocked clients --------------------------------------------------------- */

static void test_blocked_clients_get_the_blocked_code_for_every_name(void **state)
{
    (void)state;
    g_pst.blocked = 0;
    /* listed, unlisted, the test point, an empty non-terminal: all the code */
    static const char *const names[] = {
        "99.2.0.192.bl.example.org", "1.1.1.1.bl.example.org", "2.0.0.127.bl.example.org",
        "2.0.192.bl.example.org", "not.a.key.bl.example.org",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct ans a = ask(names[i], DX_T_A, "127.0.0.66");
        assert_int_equal(a.rcode, DX_RC_NOERROR);
        assert_true(a.aa);
        assert_int_equal(a.na, 1);
        assert_int_equal(a.a[0], 0x7ffffffeu);
        assert_int_equal(a.ede, DX_EDE_PROHIBITED);
        assert_string_equal(a.ede_text, "blocked by the usage policy of the zone");
    }
    assert_int_equal(g_pst.blocked, 5);
    struct ans a = ask("1.1.1.1.bl.example.org", DX_T_TXT, "127.0.0.66");
    assert_int_equal(a.ntxt, 1);
    assert_string_equal(a.txt[0], "Blocked: bl.example.org does not serve queries from "
                                  "127.0.0.66 (a public or open resolver?)");
    a = ask("1.1.1.1.bl.example.org", DX_T_ANY, "127.0.0.66");
    assert_int_equal(a.na, 1);
    assert_int_equal(a.ntxt, 1);
    a = ask("1.1.1.1.bl.example.org", DX_T_AAAA, "127.0.0.66");   /* other types: NODATA */
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.an, 0);
    assert_int_equal(a.ns, 1);
    /* IPv6 networks too, with `$` the client */
    a = ask("99.2.0.192.bl.example.org", DX_T_TXT, "2001:db8:bad::53");
    assert_non_null(strstr(a.txt[0], "queries from 2001:db8:bad::53"));
    /* the apex is answered as always */
    a = ask("bl.example.org", DX_T_SOA, "127.0.0.66");
    assert_int_equal(a.an, 1);
    assert_int_equal(a.ede, -1);
    /* other clients, other zones: unaffected */
    a = ask("99.2.0.192.bl.example.org", DX_T_A, "127.0.0.67");
    assert_int_equal(a.a[0], 0x7f000004u);
    assert_int_equal(a.ede, -1);
    a = ask("1.1.1.1.bl.example.org", DX_T_A, "127.0.0.67");
    assert_int_equal(a.rcode, DX_RC_NXDOMAIN);
    a = ask("99.2.0.192.plain.example.org", DX_T_A, "127.0.0.66");
    assert_int_equal(a.a[0], 0x7f000002u);
    /* without EDNS no EDE, the same answer */
    struct sockaddr_storage p = peer4("127.0.0.66");
    a = ask_full(g_conf, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, false, &p, T0);
    assert_false(a.opt);
    assert_int_equal(a.a[0], 0x7ffffffeu);
}

/* A bitmask zone: a client that tests each list's bit (SpamAssassin's
 * check_rbl_sub with a mask, rspamd's returnbits) never reads a policy
 * answer as a listing, and still reads the listings of the others. */
static void test_bitmask_policy_answers_set_no_list_bit(void **state)
{
    (void)state;
    static const uint32_t bit[] = { 2, 4, 8 };  /* lists a, b, c */
    static const char *const names[] = { "1.2.0.192.bm.example.org", "2.2.0.192.bm.example.org",
                                         "2.0.0.127.bm.example.org" };
    struct ans a;
    for (size_t j = 0; j < 3; j++) {            /* listed, unlisted, the test point */
        a = ask(names[j], DX_T_A, "127.0.0.66");
        assert_int_equal(a.na, 1);
        assert_int_equal(a.a[0], 0x7fffff01u);   /* blocked-code as configured */
        for (size_t k = 0; k < 3; k++)
            assert_int_equal(a.a[0] & bit[k], 0);
    }
    /* query-limit 2/1h: two answered as listed, then the limit-code */
    a = ask(names[0], DX_T_A, "127.0.0.70");
    assert_int_equal(a.a[0], 0x7f000006u);       /* lists a and b */
    a = ask(names[2], DX_T_A, "127.0.0.70");
    assert_int_equal(a.a[0], 0x7f000002u);       /* the test point (RFC 5782) */
    for (size_t j = 0; j < 3; j++) {
        a = ask(names[j], DX_T_A, "127.0.0.70");
        assert_int_equal(a.na, 1);
        assert_int_equal(a.a[0], 0x7fffff10u);
        for (size_t k = 0; k < 3; k++)
            assert_int_equal(a.a[0] & bit[k], 0);
    }
    a = ask(names[0], DX_T_A, "127.0.0.71");     /* another client: listed in a and b */
    assert_int_equal(a.a[0], 0x7f000006u);
}

/* --- query-limit ---------------------------------------------------------------- */

static void test_over_the_query_limit_a_client_gets_the_limit_code(void **state)
{
    (void)state;
    g_pst.limited = 0;
    /* 3/1h: three answers, then the limit code, for any name below the apex */
    for (int i = 0; i < 3; i++)
        assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "127.0.0.10").a[0], 0x7f000004u);
    struct ans a = ask("1.1.1.1.bl.example.org", DX_T_A, "127.0.0.10");
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.a[0], 0x7fffffffu);
    assert_int_equal(a.ede, DX_EDE_PROHIBITED);
    assert_string_equal(a.ede_text, "query limit exceeded");
    a = ask("99.2.0.192.bl.example.org", DX_T_TXT, "127.0.0.10");
    assert_string_equal(a.txt[0], "Query limit exceeded for 127.0.0.10 at bl.example.org");
    assert_int_equal(g_pst.limited, 2);
    assert_int_equal(ask("bl.example.org", DX_T_SOA, "127.0.0.10").an, 1);  /* the apex */
    /* another address is counted apart */
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "127.0.0.11").a[0], 0x7f000004u);
    /* IPv6: one count per /64 */
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "2001:db8:1:2::1").a[0], 0x7f000004u);
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "2001:db8:1:2::2").a[0], 0x7f000004u);
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "2001:db8:1:2:ffff::3").a[0],
                     0x7f000004u);
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "2001:db8:1:2::4").a[0], 0x7fffffffu);
    assert_int_equal(ask("99.2.0.192.bl.example.org", DX_T_A, "2001:db8:1:3::1").a[0], 0x7f000004u);
    /* the window slides: two hours on, the client is answered again */
    struct sockaddr_storage p = peer4("127.0.0.10");
    a = ask_full(g_conf, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, true, &p, T0 + 7300);
    assert_int_equal(a.a[0], 0x7f000004u);
}

static void test_a_reload_keeps_the_counts(void **state)
{
    (void)state;
    char err[512];
    struct sockaddr_storage p = peer4("127.0.0.20");
    for (int i = 0; i < 3; i++)
        ask_full(g_conf, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, true, &p, T0);
    /* the same config again (SIGHUP): the client stays over the limit */
    struct dx_conf *nc = load_conf("3/1h", keys_text);
    assert_int_equal(dx_policy_attach(nc, g_conf, err, sizeof(err)), 0);
    assert_ptr_equal(nc->zones[0].limit_sketch, g_conf->zones[0].limit_sketch);
    assert_int_equal(ask_full(nc, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, true, &p, T0).a[0],
                     0x7fffffffu);
    /* a higher limit applies to the same counts */
    struct dx_conf *nc2 = load_conf("10/1h", keys_text);
    assert_int_equal(dx_policy_attach(nc2, nc, err, sizeof(err)), 0);
    assert_int_equal(ask_full(nc2, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, true, &p, T0).a[0],
                     0x7f000004u);
    dx_conf_free(nc);                    /* retired: the counts stay with nc2 */
    /* another period starts afresh */
    struct dx_conf *nc3 = load_conf("3/1d", keys_text);
    assert_int_equal(dx_policy_attach(nc3, nc2, err, sizeof(err)), 0);
    assert_ptr_not_equal(nc3->zones[0].limit_sketch, nc2->zones[0].limit_sketch);
    assert_int_equal(ask_full(nc3, "99.2.0.192.bl.example.org", DX_T_A, DX_C_IN, true, &p, T0).a[0],
                     0x7f000004u);
    dx_conf_free(nc2);
    dx_conf_free(nc3);
    /* a bad keys file fails the reload with FILE:LINE, the old config stays */
    struct dx_conf *bad = load_conf("3/1h", KEY " a\n" KEY " b\n");
    assert_int_equal(dx_policy_attach(bad, g_conf, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "/keys.txt:2: duplicate key of name 'b' (first on line 1"));
    assert_null(strstr(err, "abcd"));
    assert_null(strstr(err, KEY));
    dx_conf_free(bad);
    dx_conf_free(load_conf("3/1h", keys_text));   /* the file back for the other tests */
}

/* --- query keys ---------------------------------------------------------------------- */

static void test_a_good_key_answers_as_the_zone_without_keys(void **state)
{
    (void)state;
    /* every name below <KEY>.<zone> gets what the same name below the zone
     * gets (a client under no limit: 127.0.0.30 and .31 count apart) */
    static const char *const names[] = {
        "99.2.0.192", "1.1.1.1", "2.0.0.127", "1.0.0.127", "2.0.192", "192", "0.0.127",
        "x.2.0.192", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2",
        "8.b.d.0.1.0.0.2",
    };
    static const uint16_t types[] = { DX_T_A, DX_T_TXT, DX_T_ANY, DX_T_AAAA, DX_T_SOA };
    char plain[300], keyed[300];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
            snprintf(plain, sizeof(plain), "%s.plain.example.org", names[i]);
            snprintf(keyed, sizeof(keyed), "%s." KEY ".bl.example.org", names[i]);
            struct sockaddr_storage p = peer4("127.0.0.30");
            struct ans a = ask_full(g_conf, plain, types[t], DX_C_IN, true, &p, T0);
            struct ans b = ask(keyed, types[t], "127.0.0.66");    /* a blocked client too */
            if (a.rcode != b.rcode || a.an != b.an || a.ns != b.ns || a.na != b.na)
                fail_msg("%s type %u: plain rcode %u an %u ns %u, keyed rcode %u an %u ns %u",
                         names[i], types[t], a.rcode, a.an, a.ns, b.rcode, b.an, b.ns);
            for (unsigned j = 0; j < a.na; j++)
                assert_int_equal(a.a[j] == 0x7f000002u ? 0x7f000004u : a.a[j], b.a[j]);
        }
    }
    /* <KEY>.<zone> itself: a name with names below it, no data, the SOA */
    struct ans a = ask(KEY ".bl.example.org", DX_T_A, "127.0.0.30");
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.an, 0);
    assert_int_equal(a.ns, 1);
    a = ask(KEY ".bl.example.org", DX_T_SOA, "127.0.0.30");
    assert_int_equal(a.an, 0);                  /* no zone cut there */
    /* a key in upper case is the same key (DNS names have no case) */
    a = ask("99.2.0.192.ABCDEFGH12345678.bl.example.org", DX_T_A, "127.0.0.30");
    assert_int_equal(a.a[0], 0x7f000004u);
    const struct dx_qkey *k = dx_qkeys_by_name(g_conf->zones[0].qkeys, "cust1");
    assert_true(atomic_load(&k->st->queries) >= 50);
}

static void test_unknown_disabled_and_over_quota_keys(void **state)
{
    (void)state;
    uint64_t unknown = g_pst.key_unknown;
    struct ans a = ask("99.2.0.192.abcdefgh12345679.bl.example.org", DX_T_A, "127.0.0.40");
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_false(a.aa);
    assert_int_equal(a.an + a.ns, 0);
    assert_int_equal(a.ede, DX_EDE_PROHIBITED);
    assert_string_equal(a.ede_text, "unknown or disabled query key");
    assert_int_equal(g_pst.key_unknown, unknown + 1);
    a = ask("zzzzzzzzzzzz.bl.example.org", DX_T_A, "127.0.0.40");      /* even at the key's apex */
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    a = ask("99.2.0.192." KEYD ".bl.example.org", DX_T_A, "127.0.0.40");
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_int_equal(atomic_load(&dx_qkeys_by_name(g_conf->zones[0].qkeys, "gone")->st->refused), 1);
    /* short labels are no key: answered as before */
    assert_int_equal(ask("99.2.0.192.abc.bl.example.org", DX_T_A, "127.0.0.41").rcode,
                     DX_RC_NXDOMAIN);
    /* unknown-key = blocked: the blocked code instead */
    a = ask("99.2.0.192.abcdefgh12345679.blk.example.org", DX_T_A, "127.0.0.40");
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.a[0], 0x7ffffffau);
    assert_string_equal(a.ede_text, "unknown or disabled query key");
    /* a quota of 2/1h: the third query below the key gets the limit code */
    assert_int_equal(ask("99.2.0.192." KEY2 ".bl.example.org", DX_T_A, "127.0.0.42").a[0],
                     0x7f000004u);
    assert_int_equal(ask("1.1.1.1." KEY2 ".bl.example.org", DX_T_A, "127.0.0.43").rcode,
                     DX_RC_NXDOMAIN);
    a = ask("99.2.0.192." KEY2 ".bl.example.org", DX_T_A, "127.0.0.44");
    assert_int_equal(a.a[0], 0x7fffffffu);
    assert_string_equal(a.ede_text, "query key quota exceeded");
    const struct dx_qkey *k = dx_qkeys_by_name(g_conf->zones[0].qkeys, "cust2");
    assert_int_equal(atomic_load(&k->st->queries), 3);
    assert_int_equal(atomic_load(&k->st->over), 1);
    /* a reload keeps the key's count (by its name) */
    char err[256];
    struct dx_conf *nc = load_conf("3/1h", keys_text);
    assert_int_equal(dx_policy_attach(nc, g_conf, err, sizeof(err)), 0);
    struct sockaddr_storage p = peer4("127.0.0.45");
    a = ask_full(nc, "99.2.0.192." KEY2 ".bl.example.org", DX_T_A, DX_C_IN, true, &p, T0 + 100);
    assert_int_equal(a.a[0], 0x7fffffffu);
    dx_conf_free(nc);
}

static void test_keys_in_a_domain_zone(void **state)
{
    (void)state;
    struct ans a = ask("spam.example." KEY ".dbl.example.org", DX_T_A, "127.0.0.50");
    assert_int_equal(a.a[0], 0x7f000102u);
    a = ask("example." KEY ".dbl.example.org", DX_T_A, "127.0.0.50");   /* an ENT, as without */
    assert_int_equal(a.rcode, DX_RC_NOERROR);
    assert_int_equal(a.an, 0);
    /* a label with a digit is a key: unknown, refused */
    a = ask("spam.example.abcdefgh12345679.dbl.example.org", DX_T_A, "127.0.0.50");
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    /* letters only may be a top-level domain: the name as it is */
    a = ask("spam.longtopleveldomain.dbl.example.org", DX_T_A, "127.0.0.50");
    assert_int_equal(a.rcode, DX_RC_NXDOMAIN);
    a = ask("spam.example.dbl.example.org", DX_T_A, "127.0.0.50");
    assert_int_equal(a.a[0], 0x7f000102u);
    /* ... and a label too short for a key anyway */
    a = ask("spam.ex4mple.dbl.example.org", DX_T_A, "127.0.0.50");
    assert_int_equal(a.a[0], 0x7f000102u);
}

/* --- refusals and their EDE -------------------------------------------------------- */

static void test_refusals_say_why(void **state)
{
    (void)state;
    struct ans a = ask("example.com", DX_T_A, "127.0.0.60");
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_int_equal(a.ede, DX_EDE_NOT_AUTHORITATIVE);
    a = ask("1.0.0.10.acl.example.org", DX_T_A, "127.0.0.60");
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_int_equal(a.ede, DX_EDE_PROHIBITED);
    a = ask("plain.example.org", DX_T_AXFR, "127.0.0.60");
    assert_int_equal(a.ede, DX_EDE_PROHIBITED);
    struct sockaddr_storage p = peer4("127.0.0.60");
    a = ask_full(g_conf, "plain.example.org", DX_T_SOA, 4 /* HS */, true, &p, T0);
    assert_int_equal(a.rcode, DX_RC_REFUSED);
    assert_int_equal(a.ede, DX_EDE_NOT_AUTHORITATIVE);
    a = ask_full(g_conf, "example.com", DX_T_A, DX_C_IN, false, &p, T0);
    assert_false(a.opt);                        /* no EDNS, no EDE */
    /* answers that are no refusal carry none */
    a = ask("99.2.0.192.plain.example.org", DX_T_A, "127.0.0.60");
    assert_int_equal(a.ede, -1);
}

/* An EDE that does not fit is left out: the reply stays whole. */
static void test_an_ede_that_does_not_fit_is_left_out(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct dx_bytes w;
    dx_bytes_writer(&w, buf, sizeof(buf));
    dx_put_zero(&w, 40);
    size_t at = w.pos;
    dx_opt_put(&w, 1232, 0, false);
    dx_ede_put(&w, at, DX_EDE_PROHIBITED, "a text far too long for the rest of this buffer");
    assert_int_equal(w.err, 0);
    assert_int_equal(w.pos, at + 11);           /* the OPT alone */
    assert_int_equal(dx_be16(buf + at + 9), 0);
    dx_ede_put(&w, at, DX_EDE_NOT_AUTHORITATIVE, NULL);
    assert_int_equal(w.pos, at + 17);
    assert_int_equal(dx_be16(buf + at + 9), 6);
    assert_int_equal(dx_be16(buf + at + 11), DX_OPT_EDE);
    assert_int_equal(dx_be16(buf + at + 13), 2);
    assert_int_equal(dx_be16(buf + at + 15), 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocked_clients_get_the_blocked_code_for_every_name),
        cmocka_unit_test(test_bitmask_policy_answers_set_no_list_bit),
        cmocka_unit_test(test_over_the_query_limit_a_client_gets_the_limit_code),
        cmocka_unit_test(test_a_reload_keeps_the_counts),
        cmocka_unit_test(test_a_good_key_answers_as_the_zone_without_keys),
        cmocka_unit_test(test_unknown_disabled_and_over_quota_keys),
        cmocka_unit_test(test_keys_in_a_domain_zone),
        cmocka_unit_test(test_refusals_say_why),
        cmocka_unit_test(test_an_ede_that_does_not_fit_is_left_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
