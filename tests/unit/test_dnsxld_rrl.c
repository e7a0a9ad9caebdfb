/* Unit tests: dnsxld/rrl.c, the rate-limit table, with the clock passed
 * in: rates, burst, networks and classes, collisions in small tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dnsxld/rrl.h"
#include "dnsxld/wire.h"

static const uint8_t A[4] = { 192, 0, 2, 1 };
static const uint8_t A2[4] = { 192, 0, 2, 254 };        /* same /24 */
static const uint8_t B[4] = { 192, 0, 3, 1 };           /* the next /24 */

/* How many of n answers at time t (ms) get through. */
static unsigned allowed(struct dx_rrl *t, const uint8_t *ip, size_t len, enum dx_rrl_class c,
                        uint32_t rate, uint32_t burst, uint64_t ms, unsigned n)
{
    unsigned ok = 0;
    for (unsigned i = 0; i < n; i++)
        ok += dx_rrl_allow(t, ip, len, c, rate, burst, ms);
    return ok;
}

static void test_burst_then_the_rate(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(10);
    assert_non_null(t);
    uint64_t ms = 5000;
    /* burst 0 = the rate: 20 at once, then nothing until time passes */
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, ms, 100), 20);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, ms + 49, 10), 0);
    /* one answer every 50 ms */
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, ms + 50, 10), 1);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, ms + 1050, 100), 20);
    /* a flood at every millisecond for 10 s, after a second of rest: the
     * burst the rest refilled, then one every 50 ms */
    unsigned ok = 0;
    for (uint64_t m = ms + 2050; m < ms + 12050; m++)
        ok += allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, m, 2);
    assert_int_equal(ok, 20 + 9999 / 50);
    /* idle long enough, the full burst again, and never more than it */
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 20, 0, ms + 60000, 100), 20);
    dx_rrl_free(t);
}

static void test_burst_is_its_own_setting(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(10);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 10, 3, 1000, 50), 3);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 10, 3, 1100, 50), 1);
    assert_int_equal(allowed(t, B, 4, DX_RRL_POSITIVE, 10, 50, 1000, 100), 50);
    /* those 50 are paid for until 6 s: with a burst of 1 nothing before */
    assert_int_equal(allowed(t, B, 4, DX_RRL_POSITIVE, 10, 1, 5999, 5), 0);
    assert_int_equal(allowed(t, B, 4, DX_RRL_POSITIVE, 10, 1, 6000, 5), 1);
    /* a million a second (the largest rate): one every microsecond */
    assert_int_equal(allowed(t, A2, 4, DX_RRL_ERROR, 1000000, 1, 9000, 5), 1);
    dx_rrl_free(t);
}

static void test_rate_zero_never_limits(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(4);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 0, 0, 1000, 1000), 1000);
    dx_rrl_free(t);
}

static void test_a_network_is_a_slash24_or_a_slash56(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(10);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 5, 0, 1000, 3), 3);
    assert_int_equal(allowed(t, A2, 4, DX_RRL_POSITIVE, 5, 0, 1000, 10), 2);   /* shares A's */
    assert_int_equal(allowed(t, B, 4, DX_RRL_POSITIVE, 5, 0, 1000, 10), 5);    /* its own */
    uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x02, 0xff, 9, 9, 9, 9, 9, 9, 9, 9 };
    uint8_t v6b[16], v6c[16];
    memcpy(v6b, v6a, 16);
    memcpy(v6c, v6a, 16);
    v6b[7] = 0x00;                  /* same /56: byte 7 is past it */
    v6b[15] = 1;
    v6c[6] = 0x03;                  /* another /56 */
    assert_int_equal(allowed(t, v6a, 16, DX_RRL_NXDOMAIN, 5, 0, 1000, 3), 3);
    assert_int_equal(allowed(t, v6b, 16, DX_RRL_NXDOMAIN, 5, 0, 1000, 10), 2);
    assert_int_equal(allowed(t, v6c, 16, DX_RRL_NXDOMAIN, 5, 0, 1000, 10), 5);
    /* an IPv4 /24 and an IPv6 /56 with the same first octets are not one network */
    uint8_t v6d[16] = { 192, 0, 3, 0 };
    assert_int_equal(allowed(t, v6d, 16, DX_RRL_POSITIVE, 5, 0, 1000, 10), 5);
    dx_rrl_free(t);
}

static void test_each_response_class_has_its_own_budget(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(10);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 4, 0, 1000, 10), 4);
    assert_int_equal(allowed(t, A, 4, DX_RRL_NXDOMAIN, 4, 0, 1000, 10), 4);
    assert_int_equal(allowed(t, A, 4, DX_RRL_NODATA, 4, 0, 1000, 10), 4);
    assert_int_equal(allowed(t, A, 4, DX_RRL_ERROR, 4, 0, 1000, 10), 4);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 4, 0, 1000, 10), 0);
    dx_rrl_free(t);
}

static void test_the_class_of_a_reply(void **state)
{
    (void)state;
    assert_int_equal(dx_rrl_class_of(DX_RC_NOERROR, 1), DX_RRL_POSITIVE);
    assert_int_equal(dx_rrl_class_of(DX_RC_NOERROR, 0), DX_RRL_NODATA);
    assert_int_equal(dx_rrl_class_of(DX_RC_NXDOMAIN, 0), DX_RRL_NXDOMAIN);
    assert_int_equal(dx_rrl_class_of(DX_RC_REFUSED, 0), DX_RRL_ERROR);
    assert_int_equal(dx_rrl_class_of(DX_RC_FORMERR, 0), DX_RRL_ERROR);
    assert_int_equal(dx_rrl_class_of(DX_RC_SERVFAIL, 0), DX_RRL_ERROR);
    assert_int_equal(dx_rrl_class_of(DX_RC_BADVERS, 0), DX_RRL_ERROR);
}

/* A table of one set (two slots): every network collides. Two networks
 * keep their own buckets; a third evicts the one least ahead, and an
 * evicted network starts afresh (a collision lets answers through, it
 * never limits a network that did not ask). */
static void test_collisions_in_a_table_of_two_slots(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(1);
    assert_non_null(t);
    uint8_t key[16] = { 1, 2, 3 };
    dx_rrl_set_key(t, key);
    uint8_t n[3][4] = { { 10, 0, 1, 1 }, { 10, 0, 2, 1 }, { 10, 0, 3, 1 } };
    assert_int_equal(allowed(t, n[0], 4, DX_RRL_POSITIVE, 10, 0, 1000, 4), 4);
    assert_int_equal(allowed(t, n[1], 4, DX_RRL_POSITIVE, 10, 0, 1000, 10), 10);
    /* both in the set: each limited on its own budget */
    assert_int_equal(allowed(t, n[0], 4, DX_RRL_POSITIVE, 10, 0, 1000, 10), 6);
    assert_int_equal(allowed(t, n[1], 4, DX_RRL_POSITIVE, 10, 0, 1000, 10), 0);
    /* a third: it takes a slot and gets its burst; n[0] and n[1] were both
     * 1 s ahead: the first slot goes, and with it n[0]'s state */
    assert_int_equal(allowed(t, n[2], 4, DX_RRL_POSITIVE, 10, 0, 1000, 20), 10);
    assert_int_equal(allowed(t, n[1], 4, DX_RRL_POSITIVE, 10, 0, 1000, 10), 0);
    assert_int_equal(allowed(t, n[0], 4, DX_RRL_POSITIVE, 10, 0, 1000, 20), 10);
    /* 10 s later every bucket has drained: whoever asks gets the full burst */
    for (int i = 0; i < 3; i++)
        assert_int_equal(allowed(t, n[i], 4, DX_RRL_POSITIVE, 10, 0, 11000, 20), 10);
    dx_rrl_free(t);
}

/* Many networks in a small table: memory stays what it is, and a network
 * that finds no room of its own gets its burst all the same. (A fixed key:
 * with a random one, two of these 4096 networks may meet in a set with the
 * same 16-bit tag, about once in eight runs here, and then share a bucket,
 * as rrl.h says; in dnsxld's table of 2^17 sets that takes two networks in
 * 2^33 pairs.) */
static void test_more_networks_than_slots_never_starve_one(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(4);       /* 16 slots */
    static const uint8_t key[16] = { 0x5a, 0x17, 0x02, 0x9c };
    dx_rrl_set_key(t, key);
    uint8_t ip[4] = { 10, 0, 0, 1 };
    for (unsigned i = 0; i < 4096; i++) {
        ip[1] = (uint8_t)(i >> 8);
        ip[2] = (uint8_t)i;
        assert_int_equal(allowed(t, ip, 4, DX_RRL_NXDOMAIN, 3, 0, 1000 + i, 3), 3);
    }
    dx_rrl_free(t);
}

static void test_the_clock_wraps_without_a_wrong_decision(void **state)
{
    (void)state;
    struct dx_rrl *t = dx_rrl_new(6);
    /* 2^48 us: the slot's time field wraps here */
    uint64_t wrap_ms = (UINT64_C(1) << 48) / 1000;
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 10, 0, wrap_ms - 500, 10), 10);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 10, 0, wrap_ms - 500, 10), 0);
    assert_int_equal(allowed(t, A, 4, DX_RRL_POSITIVE, 10, 0, wrap_ms + 600, 20), 10);
    dx_rrl_free(t);
}

static void test_bad_orders_are_refused(void **state)
{
    (void)state;
    assert_null(dx_rrl_new(0));
    assert_null(dx_rrl_new(31));
    dx_rrl_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_the_rate),
        cmocka_unit_test(test_burst_is_its_own_setting),
        cmocka_unit_test(test_rate_zero_never_limits),
        cmocka_unit_test(test_a_network_is_a_slash24_or_a_slash56),
        cmocka_unit_test(test_each_response_class_has_its_own_budget),
        cmocka_unit_test(test_the_class_of_a_reply),
        cmocka_unit_test(test_collisions_in_a_table_of_two_slots),
        cmocka_unit_test(test_more_networks_than_slots_never_starve_one),
        cmocka_unit_test(test_the_clock_wraps_without_a_wrong_decision),
        cmocka_unit_test(test_bad_orders_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
