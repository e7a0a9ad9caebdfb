/* Unit tests for zones/window.c: the sliding-window counter (its error
 * bound, as window.h states it, against the true count of simulated
 * schedules), the limit it gives, saturation, rates, and the count-min
 * sketch (never under, the overcount bound, no lost update across
 * threads). The clock is a parameter: every time here is passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/window.h"

#define T0 1800000000ull            /* a multiple of 60 and 3600 */

static const uint8_t KEY16[16] = "0123456789abcdef";

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_a_steady_rate_is_counted_exactly(void **state)
{
    (void)state;
    /* 10 queries a second, period 60 s: from the second window on the
     * estimate is the true count of the last 60 s, 600, to the rounding */
    struct dx_win w = { 0 };
    uint64_t p = 60, start = T0 - T0 % p;
    uint32_t est = 0;
    for (uint64_t t = start; t < start + 5 * p; t++)
        for (int i = 0; i < 10; i++)
            est = dx_win_add(&w, t, p);
    assert_in_range(est, 599, 601);
    assert_in_range(dx_win_count(&w, start + 5 * p - 1, p), 599, 601);
}

static void test_windows_move_on_and_empty(void **state)
{
    (void)state;
    struct dx_win w = { 0 };
    uint64_t p = 100, s = T0 - T0 % p;
    for (int i = 0; i < 50; i++)
        dx_win_add(&w, s + 99, p);                  /* 50 at the end of a window */
    assert_int_equal(dx_win_count(&w, s + 99, p), 50);
    assert_int_equal(dx_win_count(&w, s + 100, p), 49);   /* next window: 99/100 of prev */
    assert_int_equal(dx_win_count(&w, s + 149, p), 25);   /* half of prev */
    assert_int_equal(dx_win_count(&w, s + 199, p), 0);    /* its last second: none of prev */
    assert_int_equal(dx_win_count(&w, s + 200, p), 0);    /* two windows on: empty */
    assert_int_equal(dx_win_add(&w, s + 350, p), 1);      /* ... and counting afresh */
    /* a clock stepping back by more than DX_WIN_AHEAD windows starts afresh
     * as well; by fewer, it counts in the counter's window (below) */
    assert_int_equal(dx_win_add(&w, s + 350 - (DX_WIN_AHEAD + 1) * p, p), 1);
}

/* The schedule of a worker whose batch clock is one second behind (limit
 * 10 per 60 s): 10 queries at t+30, 10 at t+60 (one answered), one at t+59
 * from the lagging worker after another moved the counter on, 10 more at
 * t+60. Once lost, the counts let 22 through in 30 s; counted in the
 * counter's window, 11, within N per window and 2N per period. */
static void test_a_lagging_clock_loses_no_counts(void **state)
{
    (void)state;
    const uint64_t p = 60, t = T0 - T0 % p - p;
    const uint32_t n = 10;
    struct dx_win w = { 0 };
    struct dx_sketch *sk = dx_sketch_new(p, KEY16);
    assert_non_null(sk);
    static const uint64_t when[] = { 30, 60, 59, 60 };
    static const int count[] = { 10, 10, 1, 10 };
    unsigned answered = 0, sk_answered = 0, k = 7;
    for (size_t i = 0; i < 4; i++)
        for (int j = 0; j < count[i]; j++) {
            answered += dx_win_add(&w, t + when[i], p) <= n;
            sk_answered += dx_sketch_add(sk, &k, sizeof(k), t + when[i]) <= n;
        }
    assert_int_equal(answered, 11);
    assert_int_equal(sk_answered, 11);
    /* the current window holds every query counted in it */
    assert_int_equal(dx_win_count(&w, t + 60, p), 21 + 10 * 59 / 60);
    assert_int_equal(dx_sketch_count(sk, &k, sizeof(k), t + 60), 21 + 10 * 59 / 60);
    /* workers a second apart, taking turns across the boundary: nothing lost */
    struct dx_win v = { 0 };
    for (int i = 0; i < 1000; i++)
        dx_win_add(&v, t + 59 + (uint64_t)(i % 2), p);
    assert_int_equal(dx_win_count(&v, t + 60, p), 999);   /* all but the very first */
    dx_sketch_release(sk);
}

static void test_counts_saturate(void **state)
{
    (void)state;
    struct dx_win w = { 0 };
    w.v = (uint64_t)(T0 / 10 & ((1u << 22) - 1)) << 42 | (DX_WIN_MAX - 1);
    assert_int_equal(dx_win_add(&w, T0, 10), DX_WIN_MAX);
    assert_int_equal(dx_win_add(&w, T0, 10), DX_WIN_MAX);   /* stays */
    /* the next window: prev saturated, cur counts from 0 */
    assert_int_equal(dx_win_add(&w, T0 + 10, 10), 1 + DX_WIN_MAX / 10 * 9);
}

/* Queries of times[0..n) (non-decreasing) at times in [from, to). */
static size_t count_in(const uint64_t *times, size_t n, uint64_t from, uint64_t to)
{
    size_t c = 0;
    for (size_t i = n; i-- > 0 && times[i] >= from;)
        c += times[i] < to;
    return c;
}

/* The bound of window.h on random schedules: queries at random seconds
 * (bursts and quiet stretches), the true count of the last period and
 * prev taken from the schedule itself; at every query
 *   -prev * (e + 1) / P - 1 < est - true <= prev * (P - 1 - e) / P. */
static void test_the_estimate_error_stays_within_the_stated_bound(void **state)
{
    (void)state;
    const uint64_t periods[] = { 1, 7, 60, 3600 };
    enum { N = 10000 };
    static uint64_t times[N];
    for (size_t pi = 0; pi < sizeof(periods) / sizeof(periods[0]); pi++) {
        uint64_t p = periods[pi];
        struct dx_win w = { 0 };
        uint64_t t = T0 + rnd() % p;
        size_t n = 0;
        double worst_over = 0, worst_under = 0;
        while (n < N) {
            uint64_t r = rnd() % 100;
            t += r < 70 ? 0 : r < 95 ? rnd() % (p + 1) : rnd() % (3 * p + 1);
            int burst = 1 + (int)(rnd() % 20);
            for (int b = 0; b < burst && n < N; b++) {
                times[n++] = t;
                uint32_t est = dx_win_add(&w, t, p);
                uint64_t ws = t - t % p;
                double truth = (double)count_in(times, n, t + 1 - p, t + 1);  /* (t - p, t] */
                double prev = (double)count_in(times, n, ws - p, ws);
                double e = (double)(t % p), d = (double)est - truth;
                double up = prev * ((double)p - 1 - e) / (double)p;
                double down = -prev * (e + 1) / (double)p - 1;
                if (d > up + 1e-9 || d <= down + 1e-9)
                    fail_msg("period %llu, t %llu: est %u, true %.0f, prev %.0f, e %.0f: "
                             "outside (%.2f, %.2f]", (unsigned long long)p,
                             (unsigned long long)t, est, truth, prev, e, down, up);
                if (d > worst_over)
                    worst_over = d;
                if (d < worst_under)
                    worst_under = d;
            }
        }
        print_message("period %llu: worst over %.0f, worst under %.0f\n", (unsigned long long)p,
                      worst_over, worst_under);
    }
}

/* As a limit: answer while the estimate (this query included) is at most
 * N, count every query. At most N answered per fixed window, at most 2N
 * in any period, and a steady rate of N per period always answered. */
static void test_as_a_limit_it_answers_at_most_2n_per_period(void **state)
{
    (void)state;
    const uint32_t n = 100;
    const uint64_t p = 60;
    enum { Q = 60000 };
    static uint64_t ans[Q];
    size_t na = 0;
    struct dx_win w = { 0 };
    uint64_t t = T0;
    for (int i = 0; i < Q; i++) {
        t += rnd() % 8 == 0 ? rnd() % 30 : 0;         /* bursts of many queries per second */
        if (dx_win_add(&w, t, p) <= n)
            ans[na++] = t;
    }
    /* per fixed window, and per sliding period */
    for (size_t i = 0, j = 0, k = 0; i < na; i++) {
        while (ans[j] + p <= ans[i])
            j++;
        assert_true(i - j + 1 <= 2 * n);
        while (ans[k] < ans[i] - ans[i] % p)
            k++;
        assert_true(i - k + 1 <= n);
    }
    /* steady: 120 per 60 s, 2 queries every second, never limited */
    struct dx_win s = { 0 };
    for (uint64_t u = T0; u < T0 + 20 * p; u++)
        for (int i = 0; i < 2; i++)
            assert_true(dx_win_add(&s, u, p) <= 120);
}

static void test_rates_parse_and_print(void **state)
{
    (void)state;
    uint32_t n;
    uint64_t p;
    assert_int_equal(dx_rate_parse("300000/1d", &n, &p), 0);
    assert_int_equal(n, 300000);
    assert_int_equal(p, 86400);
    assert_int_equal(dx_rate_parse("1/1", &n, &p), 0);
    assert_int_equal(p, 1);
    assert_int_equal(dx_rate_parse("2097151/366d", &n, &p), 0);
    char buf[48];
    dx_rate_format(300000, 86400, buf, sizeof(buf));
    assert_string_equal(buf, "300000/1d");
    static const char *const bad[] = {
        "", "/", "100", "100/", "/1d", "0/1d", "2097152/1d", "100/0", "100/forever", "100/367d",
        "-1/1d", "1 /1d", "1/ 1d", "100/1x", "1/1d/1d", "99999999999999999999999/1d",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 7;
        if (dx_rate_parse(bad[i], &n, &p) != DX_EINVAL)
            fail_msg("'%s' should be refused", bad[i]);
        assert_int_equal(n, 7);
    }
    assert_int_equal(dx_rate_parse(NULL, &n, &p), DX_EINVAL);
}


static void test_a_sketch_never_undercounts_and_keeps_keys_apart(void **state)
{
    (void)state;
    struct dx_sketch *s = dx_sketch_new(3600, KEY16);
    assert_non_null(s);
    assert_int_equal(dx_sketch_period(s), 3600);
    uint64_t t = T0 - T0 % 3600 + 10;
    /* key i counted i % 50 + 1 times */
    for (uint32_t i = 0; i < 5000; i++)
        for (uint32_t j = 0; j <= i % 50; j++)
            dx_sketch_add(s, &i, sizeof(i), t);
    unsigned exact = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t e = dx_sketch_count(s, &i, sizeof(i), t);
        assert_true(e >= i % 50 + 1);
        exact += e == i % 50 + 1;
    }
    assert_true(exact >= 4950);                     /* 127,500 counted: collisions are rare */
    uint32_t absent = 123456789;
    assert_true(dx_sketch_count(s, &absent, sizeof(absent), t) <= 50);
    dx_sketch_release(dx_sketch_ref(s));            /* two holders, one left */
    assert_int_equal(dx_sketch_count(s, &(uint32_t){ 7 }, 4, t), 8);
    dx_sketch_release(s);
    dx_sketch_release(NULL);
}

/* window.h: the overcount exceeds e / W of all queries with probability at
 * most 2e^-ROWS per key. 200,000 keys counted once each, then 2000 keys
 * never counted are asked: an overcount above e/W * 200000 = 8.3 for at
 * most 4% of them (none here: conservative update keeps them near 1). */
static void test_a_sketch_overcounts_within_the_stated_bound(void **state)
{
    (void)state;
    struct dx_sketch *s = dx_sketch_new(60, NULL);       /* a random key, as dnsxld's */
    assert_non_null(s);
    uint64_t t = T0;
    for (uint32_t i = 0; i < 200000; i++)
        dx_sketch_add(s, &i, sizeof(i), t);
    double bound = 2.718281828 / DX_SKETCH_WIDTH * 200000;
    unsigned over = 0, worst = 0;
    for (uint32_t i = 1000000; i < 1002000; i++) {
        uint32_t e = dx_sketch_count(s, &i, sizeof(i), t);
        over += e > bound;
        if (e > worst)
            worst = e;
    }
    print_message("overcount above %.1f: %u of 2000 (worst %u)\n", bound, over, worst);
    assert_true(over <= 80);
    dx_sketch_release(s);
}

/* Conservative update: a query counts only in its key's smallest counters,
 * so the keys that share counters inflate one another less. 200,000 keys
 * once each (3 queries per counter on average): without it about 18% of
 * them are estimated exactly, with it about 46%. */
static void test_conservative_update_overcounts_less(void **state)
{
    (void)state;
    struct dx_sketch *s = dx_sketch_new(60, KEY16);
    assert_non_null(s);
    for (uint32_t i = 0; i < 200000; i++)
        dx_sketch_add(s, &i, sizeof(i), T0);
    unsigned exact = 0;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 200000; i++) {
        uint32_t e = dx_sketch_count(s, &i, sizeof(i), T0);
        assert_true(e >= 1);                        /* never under */
        exact += e == 1;
        sum += e;
    }
    print_message("exact: %u of 200000, mean %.2f\n", exact, sum / 200000.0);
    assert_true(exact >= 80000);
    assert_true(sum <= 340000);
    dx_sketch_release(s);
}

struct thr {
    struct dx_win *w;
    struct dx_sketch *s;
};

static void *adder(void *arg)
{
    struct thr *a = arg;
    uint32_t k = 42;
    for (int i = 0; i < 100000; i++) {
        dx_win_add(a->w, T0, 86400);
        dx_sketch_add(a->s, &k, sizeof(k), T0);
    }
    return NULL;
}

/* Many keys at once from 4 threads (sharing counters and stripes): with
 * conservative update and races, no key is ever under its count. */
static void *many(void *arg)
{
    struct dx_sketch *s = arg;
    for (int n = 0; n < 20; n++)
        for (uint32_t k = 0; k < 20000; k++)
            dx_sketch_add(s, &k, sizeof(k), T0);
    return NULL;
}

static void test_no_key_is_undercounted_across_threads(void **state)
{
    (void)state;
    struct dx_sketch *s = dx_sketch_new(86400, KEY16);
    assert_non_null(s);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, many, s), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (uint32_t k = 0; k < 20000; k++)
        assert_true(dx_sketch_count(s, &k, sizeof(k), T0) >= 80);
    dx_sketch_release(s);
}

static void test_no_count_is_lost_across_threads(void **state)
{
    (void)state;
    struct dx_win w = { 0 };
    struct dx_sketch *s = dx_sketch_new(86400, KEY16);
    assert_non_null(s);
    pthread_t th[4];
    struct thr a = { &w, s };
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, adder, &a), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(dx_win_count(&w, T0, 86400), 400000);
    /* the sketch: none lost; a query that overlaps another of its key's
     * stripe counts in full, so some count twice */
    uint32_t n = dx_sketch_count(s, &(uint32_t){ 42 }, 4, T0);
    print_message("sketch: %u for 400000\n", n);
    assert_in_range(n, 400000, 800000);
    dx_sketch_release(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_steady_rate_is_counted_exactly),
        cmocka_unit_test(test_windows_move_on_and_empty),
        cmocka_unit_test(test_a_lagging_clock_loses_no_counts),
        cmocka_unit_test(test_counts_saturate),
        cmocka_unit_test(test_the_estimate_error_stays_within_the_stated_bound),
        cmocka_unit_test(test_as_a_limit_it_answers_at_most_2n_per_period),
        cmocka_unit_test(test_rates_parse_and_print),
        cmocka_unit_test(test_a_sketch_never_undercounts_and_keeps_keys_apart),
        cmocka_unit_test(test_a_sketch_overcounts_within_the_stated_bound),
        cmocka_unit_test(test_conservative_update_overcounts_less),
        cmocka_unit_test(test_no_count_is_lost_across_threads),
        cmocka_unit_test(test_no_key_is_undercounted_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
