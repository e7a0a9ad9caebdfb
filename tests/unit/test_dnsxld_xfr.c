/* Zone transfers out (dnsxld/xfr.h): the messages of a response
 * (xfr_out.c) and the request's checks (xfr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsxld/tsig.h"
#include "dnsxld/wire.h"
#include "dnsxld/xfr.h"
#include "zones/bytes.h"

#define T 1700000000u

static const char SECRET[] = "secret-key-for-the-tests-1234567890";

struct fx {
    struct dx_key_conf key;
    struct dx_conf conf;
};

static void key_init(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->key.alg = DX_TSIG_HMAC_SHA256;
    f->key.secret = (uint8_t *)SECRET;
    f->key.secret_len = strlen(SECRET);
    static const uint8_t name[] = "\7xfr-key";
    memcpy(f->key.wire, name, sizeof(name));
    f->key.wire_len = sizeof(name);
    f->conf.keys = &f->key;
    f->conf.n_keys = 1;
}

/* --- every message signed at its own time ---------------------------------------------- */

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
    return fake_now;
}

#define MSGS_MAX 16
struct got {
    struct dx_xfr_msg *m[MSGS_MAX];
    uint64_t at[MSGS_MAX];           /* the clock when it was built */
    size_t n;
};

static int collect(void *arg, struct dx_xfr_msg *m)
{
    struct got *g = arg;
    assert_true(g->n < MSGS_MAX);
    g->at[g->n] = fake_now;
    g->m[g->n++] = m;
    fake_now += 1000;                /* a slow client: the next one is built 1000 s later */
    return 0;
}

static void test_each_message_is_signed_at_its_own_time(void **state)
{
    (void)state;
    struct fx f;
    key_init(&f);
    struct dx_xreq rq = { .id = 0x1234, .qtype = DX_T_AXFR, .qclass = DX_C_IN,
                          .tres = DX_TSIG_OK };
    static const uint8_t zone[] = "\2bl\4test";
    memcpy(rq.qname, zone, sizeof(zone));
    rq.qname_len = sizeof(zone);
    rq.tsig.key = &f.key;
    rq.tsig.mac_len = 32;
    memset(rq.tsig.mac, 0x5a, 32);

    struct got g = { .n = 0 };
    fake_now = T;
    struct dx_xout *o;
    assert_int_equal(dx_xout_new(&rq, &f.key, fake_clock, collect, &g, &o), 0);
    for (unsigned i = 0; i < 8000; i++) {   /* about 3000 fit a message */
        uint8_t owner[32], rd[4] = { 127, 0, 0, 2 };
        int n = snprintf((char *)owner + 1, sizeof(owner) - 1, "%u", i);
        owner[0] = (uint8_t)n;
        memcpy(owner + 1 + n, zone, sizeof(zone));
        struct dx_rr rr = { owner, (size_t)n + 1 + sizeof(zone), DX_RR_A, 300, rd, 4 };
        assert_int_equal(dx_xout_rr(o, &rr), 0);
    }
    assert_int_equal(dx_xout_end(o, 0), 0);
    dx_xout_free(o);
    assert_true(g.n >= 3);

    /* each verifies at the time it was built, on the MAC before it (RFC 8945
     * 5.3.1): signed with the transfer's first time, the later ones would be
     * BADTIME there */
    const uint8_t *prior = rq.tsig.mac;
    size_t prior_len = rq.tsig.mac_len;
    struct dx_tsig t[MSGS_MAX];
    for (size_t i = 0; i < g.n; i++) {
        assert_int_equal(g.at[i], T + 1000 * i);
        assert_int_equal(dx_tsig_verify(g.m[i]->data + 2, g.m[i]->len - 2, &f.conf, prior,
                                        prior_len, i > 0, g.at[i], &t[i]), DX_TSIG_OK);
        assert_int_equal(t[i].time_signed, g.at[i]);
        prior = t[i].mac;
        prior_len = t[i].mac_len;
    }
    for (size_t i = 0; i < g.n; i++)
        free(g.m[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_message_is_signed_at_its_own_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
