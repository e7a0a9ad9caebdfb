/* Unit tests of dnsxld/ring.c: records in order, wrap-around, a full ring
 * drops and counts instead of blocking, records too large, and a writer
 * and a reader on two threads (every record that was not dropped arrives
 * whole and in order). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "dnsxld/ring.h"

static void put(struct dx_ring *r, const char *s)
{
    char *p = dx_ring_reserve(r, strlen(s));
    assert_non_null(p);
    memcpy(p, s, strlen(s));
    dx_ring_commit(r);
}

static void expect(struct dx_ring *r, const char *s)
{
    size_t n;
    const char *p = dx_ring_peek(r, &n);
    assert_non_null(p);
    assert_int_equal(n, strlen(s));
    assert_memory_equal(p, s, n);
    dx_ring_pop(r);
}

static void test_records_come_out_in_order(void **state)
{
    (void)state;
    struct dx_ring *r = dx_ring_new(100);
    assert_non_null(r);
    assert_int_equal(r->cap, 4096);
    size_t n;
    assert_null(dx_ring_peek(r, &n));
    put(r, "one");
    put(r, "");
    put(r, "three");
    /* reserved but not committed: invisible */
    assert_non_null(dx_ring_reserve(r, 10));
    expect(r, "one");
    expect(r, "");
    expect(r, "three");
    assert_null(dx_ring_peek(r, &n));
    assert_int_equal(dx_ring_puts(r), 3);
    assert_int_equal(dx_ring_drops(r), 0);
    dx_ring_free(r);
}

static void test_a_full_ring_drops_and_counts(void **state)
{
    (void)state;
    struct dx_ring *r = dx_ring_new(4096);
    char rec[1000];
    memset(rec, 'x', sizeof(rec));
    rec[sizeof(rec) - 1] = 0;
    int put_ok = 0;
    for (int i = 0; i < 10; i++) {
        char *p = dx_ring_reserve(r, 999);
        if (p) {
            memcpy(p, rec, 999);
            dx_ring_commit(r);
            put_ok++;
        }
    }
    assert_int_equal(put_ok, 4);          /* 4 x (8 + 1000) fit in 4096 */
    assert_int_equal(dx_ring_drops(r), 6);
    assert_null(dx_ring_reserve(r, 2049)); /* more than half the ring: never fits */
    assert_int_equal(dx_ring_drops(r), 7);
    /* the reader frees room: writing goes on, wrapping around */
    for (int round = 0; round < 20; round++) {
        size_t n;
        assert_non_null(dx_ring_peek(r, &n));
        assert_int_equal(n, 999);
        dx_ring_pop(r);
        char *p = dx_ring_reserve(r, 999);
        assert_non_null(p);
        memset(p, 'a' + round % 26, 999);
        dx_ring_commit(r);
    }
    for (int k = 16; k < 20; k++) {
        size_t n;
        const char *p = dx_ring_peek(r, &n);
        assert_non_null(p);
        assert_int_equal(p[0], 'a' + k % 26);
        assert_int_equal(p[998], 'a' + k % 26);
        dx_ring_pop(r);
    }
    dx_ring_free(r);
}

#define N_RECS 200000

static void *writer(void *arg)
{
    struct dx_ring *r = arg;
    for (uint32_t i = 0; i < N_RECS; i++) {
        size_t n = 4 + i % 61;            /* odd sizes: every wrap position */
        uint8_t *p = dx_ring_reserve(r, n);
        if (!p)
            continue;
        memcpy(p, &i, 4);
        memset(p + 4, (int)(i & 0xff), n - 4);
        dx_ring_commit(r);
    }
    return NULL;
}

static void test_a_writer_and_a_reader_on_two_threads(void **state)
{
    (void)state;
    struct dx_ring *r = dx_ring_new(8192);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, r), 0);
    uint64_t got = 0;
    int64_t last = -1;
    bool done = false;
    while (!done) {
        size_t n;
        const uint8_t *p = dx_ring_peek(r, &n);
        if (!p) {
            done = dx_ring_puts(r) + dx_ring_drops(r) == N_RECS && !dx_ring_peek(r, &n);
            continue;
        }
        uint32_t i;
        memcpy(&i, p, 4);
        assert_true((int64_t)i > last);   /* in order, none twice */
        assert_int_equal(n, 4 + i % 61);
        for (size_t k = 4; k < n; k++)
            assert_int_equal(p[k], i & 0xff);
        last = i;
        got++;
        dx_ring_pop(r);
    }
    pthread_join(t, NULL);
    assert_int_equal(got, dx_ring_puts(r));
    assert_int_equal(got + dx_ring_drops(r), N_RECS);
    dx_ring_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_come_out_in_order),
        cmocka_unit_test(test_a_full_ring_drops_and_counts),
        cmocka_unit_test(test_a_writer_and_a_reader_on_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
