/* Unit tests: dnsxld/resolve.c (phase 1 of answering: the outcome, the
 * hits with their list config, reasons, subject and serial) on a real
 * store and config in a temp directory. */
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
#include <unistd.h>

#include "dnsxld/resolve.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"

#define T_NOW 1800000000u       /* the write txn's clock: the zones' serial */

static char g_dir[64];
static struct dx_conf *g_conf;
static struct dx_store *g_st;
static struct dx_txn *g_rtxn;
static uint64_t g_now = T_NOW + 50;
static struct sockaddr_in g_peer;

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "[zone bl.example.org]\n"
    "txt = zone $ $list: $reason\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "txt = trap $\n"
    "[list bl.example.org/manual]\n"
    "code = 127.0.0.4\n"
    "[list bl.example.org/reports]\n"
    "code = 127.0.0.3\n"
    "[zone acl.example.org]\n"
    "allow-query = 10.0.0.0/8\n"
    "[list acl.example.org/x]\n"
    "code = 127.0.0.2\n"
    "[zone bare.example.org]\n"
    "txt = bare $\n"
    "[zone dbl.example.org]\n"
    "kind = domain\n"
    "txt = Domain $: $reason\n"
    "[list dbl.example.org/spam]\n"
    "code = 127.0.1.2\n";

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key,
                const char *reason, uint64_t expires, uint32_t code, const char *txt)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    e.first_seen = e.last_seen = T_NOW;
    e.expires_at = expires;
    e.code = code;
    e.reason = reason;
    e.txt = txt;
    e.source = "admin";
    assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-resolve-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    char path[128], err[256] = "";
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(conf_text, f);
    fclose(f);
    int rc = dx_conf_load(path, &g_conf, err, sizeof(err));
    if (rc)
        fprintf(stderr, "conf: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(dx_store_open(g_conf->server.database, 16u << 20, DX_STORE_CREATE, &g_st), 0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, T_NOW, &w), 0);
    put(w, "bl.example.org", "traps", "192.0.2.99", "trap reason", 0, 0, NULL);
    put(w, "bl.example.org", "manual", "192.0.2.99", "by hand", g_now + 100, 0, NULL);
    put(w, "bl.example.org", "reports", "192.0.2.99", NULL, 0, 0x7f000009, "own $");
    put(w, "bl.example.org", "traps", "192.0.2.0/24", "the /24", 0, 0, NULL);
    put(w, "bl.example.org", "manual", "198.51.100.7", NULL, 0, 0, "");
    put(w, "bl.example.org", "gone", "198.51.100.1", "unconfigured list", 0, 0, NULL);
    put(w, "bl.example.org", "Manual", "198.51.100.2", "stored in another case", 0, 0, NULL);
    put(w, "bl.example.org", "traps", "127.0.0.1", "never", 0, 0, NULL);
    put(w, "bl.example.org", "manual", "2001:db8::1", "v6", 0, 0, NULL);
    put(w, "acl.example.org", "x", "192.0.2.99", NULL, 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "spam.example", "spammy", 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "*.wild.example", "wild", 0, 0, NULL);
    put(w, "dbl.example.org", "spam", "invalid", "never", 0, 0, NULL);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_read(g_st, &g_rtxn), 0);
    memset(&g_peer, 0, sizeof(g_peer));
    g_peer.sin_family = AF_INET;
    g_peer.sin_addr.s_addr = htonl(0x0a000001);   /* 10.0.0.1 */
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

/* Resolve "name qtype" from g_peer with the snapshot (or none). */
static void resolve_txn(const char *name, uint16_t qtype, struct dx_txn *txn,
                        struct dx_resolved *r)
{
    uint8_t b[DX_HDR_LEN + DX_NAME_MAX + 4];
    struct dx_msg m;
    assert_true(dns_question(name, qtype, b, &m) > 0);
    struct dx_qctx q = { .conf = g_conf, .txn = txn, .now = g_now };
    memset(r, 0xa5, sizeof(*r));        /* nothing relies on a zeroed result */
    dx_resolve(&q, &m.q, (const struct sockaddr *)&g_peer, r);
}

static void resolve(const char *name, uint16_t qtype, struct dx_resolved *r)
{
    resolve_txn(name, qtype, g_rtxn, r);
}

static void test_listed_hits_carry_their_list_config_in_list_name_order(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("99.2.0.192.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_string_equal(r.zone->name, "bl.example.org");
    assert_int_equal(r.n, 3);
    /* manual, reports, traps: the name order of the store's hits */
    assert_string_equal(r.hit[0].list, "manual");
    assert_int_equal(r.hit[0].code, 0x7f000004u);
    assert_string_equal(r.hit[0].tmpl, "zone $ $list: $reason");   /* the zone's */
    assert_int_equal(r.hit[0].expires, g_now + 100);
    assert_string_equal(r.hit[1].list, "reports");
    assert_int_equal(r.hit[1].code, 0x7f000009u);                  /* its own */
    assert_string_equal(r.hit[1].tmpl, "own $");
    assert_string_equal(r.hit[2].list, "traps");
    assert_int_equal(r.hit[2].code, 0x7f000002u);
    assert_string_equal(r.hit[2].tmpl, "trap $");                  /* the list's */
    assert_int_equal(r.hit[2].expires, 0);
    assert_null(r.subject);                                        /* A: no `$` */
}

static void test_reason_is_fetched_only_for_a_txt_that_uses_it(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("99.2.0.192.bl.example.org", DX_T_A, &r);
    for (size_t i = 0; i < r.n; i++)
        assert_null(r.hit[i].reason);
    resolve("99.2.0.192.bl.example.org", DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.hit[0].reason, "by hand");   /* the zone's template uses it */
    assert_null(r.hit[1].reason);                      /* "own $" does not */
    assert_null(r.hit[2].reason);                      /* "trap $" does not */
    assert_string_equal(r.subject, "192.0.2.99");
    resolve("99.2.0.192.bl.example.org", DX_T_ANY, &r);
    assert_string_equal(r.hit[0].reason, "by hand");
    assert_string_equal(r.subject, "192.0.2.99");
}

static void test_serial_is_read_only_when_an_soa_is_written(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("99.2.0.192.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.serial, 1);                     /* not read */
    resolve("98.113.0.203.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
    assert_int_equal(r.serial, T_NOW);
    assert_int_equal(r.n, 0);
    resolve("bl.example.org", DX_T_SOA, &r);
    assert_int_equal(r.out, DX_OUT_APEX);
    assert_int_equal(r.serial, T_NOW);
    resolve("bl.example.org", DX_T_NS, &r);            /* NS records only */
    assert_int_equal(r.out, DX_OUT_APEX);
    assert_int_equal(r.serial, 1);
    resolve("bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("bare.example.org", DX_T_SOA, &r);         /* never written to */
    assert_int_equal(r.out, DX_OUT_APEX);
    assert_int_equal(r.serial, 1);
}

static void test_listed_without_the_asked_type_is_nodata(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("99.2.0.192.bl.example.org", DX_T_AAAA, &r);
    assert_int_equal(r.out, DX_OUT_NODATA);
    assert_null(r.subject);
    /* an own TXT of "" is no TXT: the only hit, so TXT is NODATA, A listed */
    resolve("7.100.51.198.bl.example.org", DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("7.100.51.198.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.hit[0].list, "manual");
    assert_null(r.hit[0].tmpl);
    /* with a hit that has a text, TXT is listed and the other one skipped there */
    resolve("99.2.0.192.bl.example.org", DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
}

static void test_a_list_no_longer_configured_lists_nothing(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("1.100.51.198.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
    /* but its entry still makes the ancestors exist */
    resolve("100.51.198.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NODATA);
}

static void test_a_list_stored_in_another_case_finds_its_config(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("2.100.51.198.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.hit[0].list, "manual");      /* the config's name */
    assert_int_equal(r.hit[0].code, 0x7f000004u);
}

static void test_test_points(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("2.0.0.127.bl.example.org", DX_T_TXT, &r);     /* RFC 5782 5: always listed */
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.hit[0].list, "traps");           /* the first list in the file */
    assert_int_equal(r.hit[0].code, 0x7f000002u);
    assert_string_equal(r.hit[0].tmpl, "trap $");
    assert_null(r.hit[0].reason);
    assert_string_equal(r.subject, "127.0.0.2");
    resolve("1.0.0.127.bl.example.org", DX_T_A, &r);       /* never listed, though stored */
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
    resolve("0.0.127.bl.example.org", DX_T_A, &r);         /* holds the test point */
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("2.0.0.127.bare.example.org", DX_T_A, &r);     /* a zone without lists */
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.hit[0].code, 0x7f000002u);
    assert_string_equal(r.hit[0].list, "");
    assert_string_equal(r.hit[0].tmpl, "bare $");
    resolve("test.dbl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_int_equal(r.hit[0].code, 0x7f000102u);
    resolve("invalid.dbl.example.org", DX_T_A, &r);        /* stored, never listed */
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
}

static void test_empty_non_terminals_are_nodata(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("2.0.192.bl.example.org", DX_T_A, &r);         /* 192.0.2.0/24 */
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("0.192.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("3.0.192.bl.example.org", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
    resolve("8.b.d.0.1.0.0.2.bl.example.org", DX_T_A, &r); /* 2001:db8::/32 */
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("example.dbl.example.org", DX_T_A, &r);        /* spam.example below */
    assert_int_equal(r.out, DX_OUT_NODATA);
    resolve("x.y.bl.example.org", DX_T_A, &r);             /* no key, no prefix */
    assert_int_equal(r.out, DX_OUT_NXDOMAIN);
}

static void test_v6_and_domain_keys(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.org",
            DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_string_equal(r.hit[0].list, "manual");
    assert_string_equal(r.hit[0].reason, "v6");
    assert_string_equal(r.subject, "2001:db8::1");
    resolve("spam.example.dbl.example.org", DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_string_equal(r.hit[0].reason, "spammy");
    assert_string_equal(r.subject, "spam.example");
    resolve("a.wild.example.dbl.example.org", DX_T_TXT, &r);
    assert_int_equal(r.out, DX_OUT_LISTED);
    assert_string_equal(r.hit[0].reason, "wild");
    assert_string_equal(r.subject, "a.wild.example");
    resolve("wild.example.dbl.example.org", DX_T_A, &r);   /* the wildcard's parent: ENT */
    assert_int_equal(r.out, DX_OUT_NODATA);
}

static void test_refused_and_servfail(void **state)
{
    (void)state;
    struct dx_resolved r;
    resolve("99.2.0.192.example.com", DX_T_A, &r);
    assert_int_equal(r.out, DX_OUT_REFUSED);
    assert_null(r.zone);
    resolve("bl.example.org", DX_T_AXFR, &r);
    assert_int_equal(r.out, DX_OUT_REFUSED);
    resolve("99.2.0.192.acl.example.org", DX_T_A, &r);     /* 10.0.0.1 is allowed */
    assert_int_equal(r.out, DX_OUT_LISTED);
    g_peer.sin_addr.s_addr = htonl(0xc0000201);
    resolve("99.2.0.192.acl.example.org", DX_T_A, &r);
    g_peer.sin_addr.s_addr = htonl(0x0a000001);
    assert_int_equal(r.out, DX_OUT_REFUSED);
    resolve_txn("99.2.0.192.bl.example.org", DX_T_A, NULL, &r);   /* no snapshot */
    assert_int_equal(r.out, DX_OUT_SERVFAIL);
    assert_int_equal(r.n, 0);
    resolve_txn("example.org", DX_T_A, NULL, &r);          /* REFUSED comes first */
    assert_int_equal(r.out, DX_OUT_REFUSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listed_hits_carry_their_list_config_in_list_name_order),
        cmocka_unit_test(test_reason_is_fetched_only_for_a_txt_that_uses_it),
        cmocka_unit_test(test_serial_is_read_only_when_an_soa_is_written),
        cmocka_unit_test(test_listed_without_the_asked_type_is_nodata),
        cmocka_unit_test(test_a_list_no_longer_configured_lists_nothing),
        cmocka_unit_test(test_a_list_stored_in_another_case_finds_its_config),
        cmocka_unit_test(test_test_points),
        cmocka_unit_test(test_empty_non_terminals_are_nodata),
        cmocka_unit_test(test_v6_and_domain_keys),
        cmocka_unit_test(test_refused_and_servfail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
