/* Unit tests of what the query path counts (dnsxld/stats.h, the observe
 * hook of dnsxld/query.c) and of the sums by name (dnsxld/stats.c), through
 * dx_query_answer against a real store: queries by zone, transport and
 * type, responses by rcode, truncated, NODATA, listed responses by list
 * (not test points nor policy answers), "." for names of no zone of ours,
 * a rate-limiter drop; heat samples of listed answers; the latency buckets;
 * and the counts of a replaced config kept by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsxld/heat.h"
#include "dnsxld/query.h"
#include "dnsxld/stats.h"
#include "dnsxld/wire.h"
#include "tests/unit/dns_fixture.h"
#include "zones/err.h"

static char g_dir[64];
static struct dx_conf *g_conf;
static struct dx_store *g_st;
static struct dx_txn *g_rtxn;
static struct dx_obs g_obs;
static struct sockaddr_in g_peer;

static struct dx_conf *load(const char *text)
{
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct dx_conf *c = NULL;
    if (dx_conf_load(path, &c, err, sizeof(err)))
        fail_msg("%s", err);
    return c;
}

static const char conf_text[] =
    "[server]\ndatabase = db\n"
    "[zone bl.test]\ntxt = Listed $\n[list bl.test/traps]\ncode = 127.0.0.2\n"
    "[list bl.test/manual]\ncode = 127.0.0.4\n"
    "[zone dbl.test]\nkind = domain\n[list dbl.test/spam]\ncode = 127.0.1.2\n"
    "[zone pol.test]\nblocked-clients = 127.0.0.0/8\n[list pol.test/x]\ncode = 127.0.0.2\n";

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    struct dx_entry e = { .source = "admin" };
    assert_int_equal(dx_entry_put(w, zone, list, &k, &e), 0);
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-stats-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    g_conf = load(conf_text);
    assert_int_equal(dx_stats_attach(g_conf, 2), 0);
    assert_int_equal(dx_store_open(g_conf->server.database, 16u << 20, DX_STORE_CREATE, &g_st),
                     0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, 1000, &w), 0);
    put(w, "bl.test", "traps", "192.0.2.1");
    put(w, "bl.test", "manual", "192.0.2.0/24");
    put(w, "dbl.test", "spam", "*.spam.example");
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_read(g_st, &g_rtxn), 0);
    memset(&g_obs, 0, sizeof(g_obs));
    g_obs.id = 1;
    g_peer.sin_family = AF_INET;
    g_peer.sin_port = htons(5353);
    g_peer.sin_addr.s_addr = htonl(0x7f000001);
    return 0;
}

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    return remove(p);
}

static int teardown(void **state)
{
    (void)state;
    dx_txn_abort(g_rtxn);
    dx_store_close(g_st);
    dx_conf_free(g_conf);
    nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Ask name/qtype over tr (UDP: no EDNS, 512 bytes); the reply's rcode. */
static unsigned ask(const char *name, uint16_t qtype, enum dx_transport tr)
{
    uint8_t q[DX_HDR_LEN + DX_NAME_MAX + 4], resp[65535];
    struct dx_msg m;
    size_t n = dns_question(name, qtype, q, &m);
    assert_true(n > 0);
    struct dx_qctx qc = { .conf = g_conf, .txn = g_rtxn, .now = 1000, .obs = &g_obs };
    size_t rn = dx_query_answer(&qc, q, n, resp, sizeof(resp), tr,
                                (const struct sockaddr *)&g_peer);
    assert_true(rn >= DX_HDR_LEN);
    return resp[3] & 0x0f;
}

/* The counter k of zone zi in worker 1's row. */
static uint64_t zc(size_t zi, size_t k)
{
    const struct dx_cstats *cs = g_conf->stats;
    return cs->rows[cs->row + cs->zoff[zi] + k];
}

static void test_queries_and_responses_are_counted_by_zone(void **state)
{
    (void)state;
    assert_int_equal(ask("1.2.0.192.bl.test", DX_T_A, DX_UDP), DX_RC_NOERROR);   /* 2 lists */
    assert_int_equal(ask("5.2.0.192.bl.test", DX_T_TXT, DX_UDP), DX_RC_NOERROR); /* manual */
    assert_int_equal(ask("5.2.0.192.bl.test", DX_T_AAAA, DX_TCP), DX_RC_NOERROR); /* NODATA */
    assert_int_equal(ask("1.1.1.10.bl.test", DX_T_A, DX_UDP), DX_RC_NXDOMAIN);
    assert_int_equal(ask("2.0.0.127.bl.test", DX_T_A, DX_UDP), DX_RC_NOERROR);   /* test point */
    assert_int_equal(ask("bl.test", DX_T_SOA, DX_TCP), DX_RC_NOERROR);
    assert_int_equal(ask("a.spam.example.dbl.test", DX_T_A, DX_UDP), DX_RC_NOERROR);
    assert_int_equal(ask("www.example.com", DX_T_A, DX_UDP), DX_RC_REFUSED);
    assert_int_equal(ask("2.0.2.192.pol.test", DX_T_A, DX_UDP), DX_RC_NOERROR);  /* blocked */

    size_t bl = 0, dbl = 1, pol = 2, none = 3;
    assert_int_equal(zc(bl, DX_ZC_Q(DX_UDP, DX_QT_A)), 3);
    assert_int_equal(zc(bl, DX_ZC_Q(DX_UDP, DX_QT_TXT)), 1);
    assert_int_equal(zc(bl, DX_ZC_Q(DX_TCP, DX_QT_AAAA)), 1);
    assert_int_equal(zc(bl, DX_ZC_Q(DX_TCP, DX_QT_SOA)), 1);
    assert_int_equal(zc(bl, DX_ZC_RC(DX_RCC_NOERROR)), 5);
    assert_int_equal(zc(bl, DX_ZC_RC(DX_RCC_NXDOMAIN)), 1);
    assert_int_equal(zc(bl, DX_ZC_NODATA), 1);
    /* traps is list 0, manual list 1: the test point counts for neither */
    assert_int_equal(zc(bl, DX_ZC_LIST(0)), 1);
    assert_int_equal(zc(bl, DX_ZC_LIST(1)), 2);
    assert_int_equal(zc(dbl, DX_ZC_LIST(0)), 1);
    assert_int_equal(zc(pol, DX_ZC_RC(DX_RCC_NOERROR)), 1);
    assert_int_equal(zc(pol, DX_ZC_LIST(0)), 0);         /* a policy answer is no listing */
    assert_int_equal(zc(none, DX_ZC_Q(DX_UDP, DX_QT_A)), 1);
    assert_int_equal(zc(none, DX_ZC_RC(DX_RCC_REFUSED)), 1);
    /* worker 0's row is untouched */
    const struct dx_cstats *cs = g_conf->stats;
    for (size_t k = 0; k < cs->row; k++)
        assert_int_equal(cs->rows[k], 0);
}

static void test_a_truncated_listing_is_not_a_listed_response(void **state)
{
    (void)state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, 1000, &w), 0);
    static char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.77", &k), 0);
    struct dx_entry e = { .source = "admin", .txt = big };
    assert_int_equal(dx_entry_put(w, "bl.test", "traps", &k, &e), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    assert_int_equal(dx_txn_renew(g_rtxn), 0);
    assert_int_equal(ask("77.2.0.192.bl.test", DX_T_TXT, DX_UDP), DX_RC_NOERROR);
    assert_int_equal(zc(0, DX_ZC_TC), 1);
    assert_int_equal(zc(0, DX_ZC_LIST(0)), 0);
    assert_int_equal(ask("77.2.0.192.bl.test", DX_T_TXT, DX_TCP), DX_RC_NOERROR);
    assert_int_equal(zc(0, DX_ZC_LIST(0)), 1);
}

static void test_listed_answers_put_heat_samples(void **state)
{
    (void)state;
    struct dx_ring *r = dx_ring_new(1 << 16);
    g_obs.heat = r;
    ask("1.2.0.192.bl.test", DX_T_A, DX_UDP);      /* traps 192.0.2.1, manual 192.0.2.0/24 */
    ask("2.0.0.127.bl.test", DX_T_A, DX_UDP);      /* a test point: no entry, no sample */
    ask("9.9.9.9.bl.test", DX_T_A, DX_UDP);        /* not listed */
    ask("2.0.2.192.pol.test", DX_T_A, DX_UDP);     /* a policy answer */
    g_obs.heat = NULL;
    const char *want[] = { "manual", "traps" };      /* hits in list-name order */
    for (int i = 0; i < 2; i++) {
        size_t n;
        const uint8_t *p = dx_ring_peek(r, &n);
        assert_non_null(p);
        assert_int_equal(p[0], 7);
        assert_memory_equal(p + 1, "bl.test", 7);
        size_t ll = p[8];
        assert_int_equal(ll, strlen(want[i]));
        assert_memory_equal(p + 9, want[i], ll);
        const uint8_t *k = p + 9 + ll;
        assert_int_equal(k[0], DX_FAM_V4);
        assert_int_equal(k[1], i == 0 ? 24 : 32);
        assert_int_equal(k[2], 4);
        assert_int_equal(k[3 + 4], 1);                 /* its weight at heat-sample = 100% */
        uint64_t at;
        memcpy(&at, k + 3 + 4 + 1, 8);
        assert_int_equal(at, 1000);
        dx_ring_pop(r);
    }
    size_t n;
    assert_null(dx_ring_peek(r, &n));
    dx_ring_free(r);
}

static void test_latency_falls_into_its_bucket(void **state)
{
    (void)state;
    struct dx_obs o;
    memset(&o, 0, sizeof(o));
    dx_obs_latency(&o, 1500);                      /* <= 2 us */
    dx_obs_latency(&o, 2000);                      /* the bound is inclusive */
    dx_obs_latency(&o, 2001);
    dx_obs_latency(&o, 10000000);                  /* 10 ms: the last bound */
    dx_obs_latency(&o, 10000001);                  /* +Inf */
    assert_int_equal(o.lat[0], 2);
    assert_int_equal(o.lat[1], 1);
    assert_int_equal(o.lat[DX_LAT_N - 1], 1);
    assert_int_equal(o.lat[DX_LAT_N], 1);
    assert_int_equal(o.lat_sum_ns, 1500 + 2000 + 2001 + 10000000 + 10000001);
}

static void test_the_counts_of_a_replaced_config_are_kept_by_name(void **state)
{
    (void)state;
    ask("1.2.0.192.bl.test", DX_T_A, DX_UDP);
    ask("a.spam.example.dbl.test", DX_T_A, DX_UDP);
    struct dx_stats_base base = { NULL, 0 };
    assert_int_equal(dx_stats_add_conf(&base, g_conf), 0);
    /* the new config: dbl.test gone, bl.test's lists in another order, a new list */
    struct dx_conf *nc = load("[server]\ndatabase = db\n[zone bl.test]\n"
                              "[list bl.test/manual]\ncode = 127.0.0.4\n"
                              "[list bl.test/traps]\ncode = 127.0.0.2\n"
                              "[list bl.test/extra]\ncode = 127.0.0.8\n");
    assert_int_equal(dx_stats_attach(nc, 2), 0);
    struct dx_conf *old = g_conf;
    g_conf = nc;
    ask("1.2.0.192.bl.test", DX_T_A, DX_UDP);
    struct dx_stats_base now = { NULL, 0 };
    assert_int_equal(dx_stats_copy(&now, &base), 0);
    assert_int_equal(dx_stats_add_conf(&now, nc), 0);
    g_conf = old;
    dx_conf_free(nc);
    const struct dx_zsum *bl = NULL, *dbl = NULL;
    for (size_t i = 0; i < now.n; i++) {
        if (strcmp(now.z[i].name, "bl.test") == 0)
            bl = &now.z[i];
        if (strcmp(now.z[i].name, "dbl.test") == 0)
            dbl = &now.z[i];
    }
    assert_non_null(bl);
    assert_non_null(dbl);
    assert_int_equal(bl->c[DX_ZC_Q(DX_UDP, DX_QT_A)], 2);
    assert_int_equal(dbl->c[DX_ZC_Q(DX_UDP, DX_QT_A)], 1);
    for (size_t j = 0; j < bl->n_lists; j++) {
        uint64_t want = strcmp(bl->lists[j].name, "extra") == 0 ? 0 : 2;
        assert_int_equal(bl->lists[j].n, want);
    }
    assert_int_equal(bl->n_lists, 3);
    dx_stats_clear(&base);
    dx_stats_clear(&now);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_queries_and_responses_are_counted_by_zone),
        T(test_a_truncated_listing_is_not_a_listed_response),
        T(test_listed_answers_put_heat_samples),
        cmocka_unit_test(test_latency_falls_into_its_bucket),
        T(test_the_counts_of_a_replaced_config_are_kept_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
