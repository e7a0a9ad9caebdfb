/* Unit tests of the heat thread (dnsxld/heat.h) end to end: listed answers
 * of the query path put samples into a worker's ring, the thread sums them
 * per entry (one record per entry, the later query time kept) and writes
 * them into the heat environment beside the store (DATABASE/heat/), which
 * dnsxl-admin reads; what is left is written at stop, and a second run adds
 * to the counts; with heat-sample below 100% a share of the answers is
 * sampled and each sample counts for the rest. */
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
static struct sockaddr_in g_peer;
static uint64_t g_rng = 0x9e3779b97f4a7c15u;   /* the workers' sampling state, fixed here */

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
    strcpy(g_dir, "/tmp/dx-heat-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[server]\ndatabase = db\nheat = yes\n"
          "[zone bl.test]\n[list bl.test/traps]\ncode = 127.0.0.2\n"
          "[list bl.test/manual]\ncode = 127.0.0.4\n"
          "[zone dbl.test]\nkind = domain\n[list dbl.test/spam]\ncode = 127.0.1.2\n", f);
    fclose(f);
    if (dx_conf_load(path, &g_conf, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(dx_store_open(g_conf->server.database, 16u << 20, DX_STORE_CREATE, &g_st),
                     0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, 1000, &w), 0);
    put(w, "bl.test", "traps", "192.0.2.1");
    put(w, "bl.test", "manual", "192.0.2.0/24");
    put(w, "dbl.test", "spam", "*.spam.example");
    assert_int_equal(dx_txn_commit(w), 0);
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
    dx_store_close(g_st);
    dx_conf_free(g_conf);
    nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Ask name A at clock now with worker 1's heat ring r. */
static void ask(struct dx_ring *r, const char *name, uint64_t now)
{
    uint8_t q[DX_HDR_LEN + DX_NAME_MAX + 4], resp[4096];
    struct dx_msg m;
    size_t n = dns_question(name, DX_T_A, q, &m);
    assert_true(n > 0);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(g_st, &t), 0);
    struct dx_obs o;
    memset(&o, 0, sizeof(o));
    o.id = 1;
    o.heat = r;
    o.heat_rng = g_rng;
    struct dx_qctx qc = { .conf = g_conf, .txn = t, .now = now, .obs = &o };
    assert_true(dx_query_answer(&qc, q, n, resp, sizeof(resp), DX_UDP,
                                (const struct sockaddr *)&g_peer) >= DX_HDR_LEN);
    g_rng = o.heat_rng;
    dx_txn_abort(t);
}

static void heat_of(const char *zone, const char *list, const char *key, uint64_t *queries,
                    uint64_t *last)
{
    struct dx_heat *h;
    struct dx_key k;
    assert_int_equal(dx_key_parse(key, &k), 0);
    assert_int_equal(dx_heat_open(g_conf->server.database, 0, &h), 0);
    assert_int_equal(dx_heat_begin(h), 0);
    int rc = dx_heat_get(h, zone, list, &k, queries, last);
    if (rc == DX_ENOTFOUND)
        *queries = *last = 0;
    else
        assert_int_equal(rc, 0);
    dx_heat_end(h);
    dx_heat_close(h);
}

static void test_samples_are_summed_per_entry_and_written(void **state)
{
    (void)state;
    char err[256];
    struct dx_heatd *h;
    assert_int_equal(dx_heatd_start(g_conf->server.database, g_st, 2, 30, &h, err, sizeof(err)), 0);
    struct dx_ring *r = dx_heatd_ring(h, 1);
    assert_non_null(r);
    assert_null(dx_heatd_ring(h, 2));
    ask(r, "1.2.0.192.bl.test", 2000);          /* traps and manual (the /24) */
    ask(r, "1.2.0.192.bl.test", 2003);
    ask(r, "7.2.0.192.bl.test", 2001);          /* manual */
    ask(r, "9.9.9.10.bl.test", 2002);           /* not listed: no sample */
    ask(r, "2.0.0.127.bl.test", 2002);          /* the test point: no entry, no sample */
    ask(r, "a.spam.example.dbl.test", 2004);
    dx_heatd_stop(h);                           /* what is left is written now */

    uint64_t q, last;
    heat_of("bl.test", "traps", "192.0.2.1", &q, &last);
    assert_int_equal(q, 2);
    assert_int_equal(last, 2003);
    heat_of("bl.test", "manual", "192.0.2.0/24", &q, &last);
    assert_int_equal(q, 3);
    assert_int_equal(last, 2003);
    heat_of("dbl.test", "spam", "*.spam.example", &q, &last);
    assert_int_equal(q, 1);
    assert_int_equal(last, 2004);
    heat_of("bl.test", "traps", "10.9.9.9", &q, &last);
    assert_int_equal(q, 0);

    /* a second run adds to the counts, and keeps the later time */
    assert_int_equal(dx_heatd_start(g_conf->server.database, g_st, 1, 30, &h, err, sizeof(err)), 0);
    ask(dx_heatd_ring(h, 0), "1.2.0.192.bl.test", 1500);
    struct dx_heatd_stats hs;
    dx_heatd_stats(h, &hs);
    assert_int_equal(hs.samples, 2);
    assert_int_equal(hs.dropped, 0);
    dx_heatd_stop(h);
    heat_of("bl.test", "traps", "192.0.2.1", &q, &last);
    assert_int_equal(q, 3);
    assert_int_equal(last, 2003);
}

static void test_many_entries_in_one_flush(void **state)
{
    (void)state;
    /* more entries than the sums' first table: it grows, nothing is lost */
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(g_st, 1000, &w), 0);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "10.1.%d.%d", i / 250, i % 250 + 1);
        put(w, "bl.test", "traps", key);
    }
    assert_int_equal(dx_txn_commit(w), 0);
    char err[256];
    struct dx_heatd *h;
    assert_int_equal(dx_heatd_start(g_conf->server.database, g_st, 1, 30, &h, err, sizeof(err)), 0);
    char name[64];
    for (int rep = 0; rep < 2; rep++)
        for (int i = 0; i < 5000; i++) {
            snprintf(name, sizeof(name), "%d.%d.1.10.bl.test", i % 250 + 1, i / 250);
            ask(dx_heatd_ring(h, 0), name, 3000 + (uint64_t)rep);
        }
    dx_heatd_stop(h);
    uint64_t q, last;
    for (int i = 0; i < 5000; i += 499) {
        snprintf(key, sizeof(key), "10.1.%d.%d", i / 250, i % 250 + 1);
        heat_of("bl.test", "traps", key, &q, &last);
        assert_int_equal(q, 2);
        assert_int_equal(last, 3001);
    }
}

/* heat-sample: a share of the listed answers, each sample counting for
 * 100/share queries; no periodic pattern decides which (a random draw). */
static void test_sampled_answers_count_for_the_answers_not_sampled(void **state)
{
    (void)state;
    uint64_t rng = 1, picked = 0, alt = 0;
    for (int i = 0; i < 100000; i++) {
        bool p = dx_heat_pick(&rng, 10);
        picked += p;
        alt += p && i % 2;                      /* odd and even answers alike */
    }
    assert_in_range(picked, 9000, 11000);
    assert_in_range(alt, picked / 2 - 500, picked / 2 + 500);
    for (int i = 0; i < 1000; i++)
        assert_true(dx_heat_pick(&rng, 100));

    g_conf->server.heat_sample = 10;
    char err[256];
    struct dx_heatd *h;
    assert_int_equal(dx_heatd_start(g_conf->server.database, g_st, 1, 30, &h, err, sizeof(err)),
                     0);
    for (int i = 0; i < 2000; i++)
        ask(dx_heatd_ring(h, 0), "9.2.0.192.bl.test", 4000 + (uint64_t)i);   /* manual's /24 */
    struct dx_heatd_stats hs;
    dx_heatd_stats(h, &hs);
    dx_heatd_stop(h);
    g_conf->server.heat_sample = 100;
    assert_in_range(hs.samples, 100, 300);
    uint64_t q, last;
    heat_of("bl.test", "manual", "192.0.2.0/24", &q, &last);
    assert_int_equal(q, hs.samples * 10);       /* each sample: 10 queries */
    assert_in_range(last, 4000, 5999);          /* the last one sampled */

    /* samples taken at different shares (a reload between them) add their
     * weights: one at 100% and one at 10% are 11 queries */
    assert_int_equal(dx_heatd_start(g_conf->server.database, g_st, 1, 30, &h, err, sizeof(err)),
                     0);
    static const uint8_t key[4] = { 192, 0, 2, 1 };
    struct dx_resolved res = { .zone = &g_conf->zones[0], .out = DX_OUT_LISTED, .n = 1 };
    res.hit[0] = (struct dx_rhit){ .list = "traps", .key = key, .key_len = 4, .plen = 32,
                                   .family = 4 };
    dx_heat_sample(dx_heatd_ring(h, 0), &res, 1, 6000);
    dx_heat_sample(dx_heatd_ring(h, 0), &res, 10, 6001);
    dx_heatd_stop(h);
    heat_of("bl.test", "traps", "192.0.2.1", &q, &last);
    assert_int_equal(q, 11);
    assert_int_equal(last, 6001);

    /* a zero state (xorshift would stay at 0 and pick every answer) */
    rng = 0;
    picked = 0;
    for (int i = 0; i < 1000; i++)
        picked += dx_heat_pick(&rng, 10);
    assert_in_range(picked, 50, 150);
}

static void test_a_missing_heat_is_enostore_for_readers(void **state)
{
    (void)state;
    struct dx_heat *h = NULL;
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/nothing", g_dir);
    assert_int_equal(dx_heat_open(dir, 0, &h), DX_ENOSTORE);
}

/* A response whose hits do not fit in the ring counts every one dropped,
 * not only the first. */
static void test_every_hit_that_does_not_fit_is_counted_dropped(void **state)
{
    (void)state;
    struct dx_ring *r = dx_ring_new(4096);
    assert_non_null(r);
    while (dx_ring_reserve(r, 1))        /* fill it up: less than 16 bytes left */
        dx_ring_commit(r);
    uint64_t before = dx_ring_drops(r);
    static const uint8_t key[4] = { 192, 0, 2, 1 };
    struct dx_resolved res = { .zone = &g_conf->zones[0], .out = DX_OUT_LISTED, .n = 3 };
    for (size_t i = 0; i < res.n; i++)
        res.hit[i] = (struct dx_rhit){ .list = i ? "manual" : "traps", .li = (uint16_t)i,
                                       .key = key, .key_len = 4, .plen = 32,
                                       .family = 4 };
    dx_heat_sample(r, &res, 100, 1000);
    assert_int_equal(dx_ring_drops(r) - before, 3);
    dx_ring_free(r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_samples_are_summed_per_entry_and_written),
        T(test_many_entries_in_one_flush),
        T(test_sampled_answers_count_for_the_answers_not_sampled),
        T(test_a_missing_heat_is_enostore_for_readers),
        T(test_every_hit_that_does_not_fit_is_counted_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
