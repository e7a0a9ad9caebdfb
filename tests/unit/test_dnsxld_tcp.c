/* Unit tests: dnsxld/tcp.c (framing, pipelining, a garbage frame) on a
 * server started in-process on a loopback port (server_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/server_fixture.h"
#include "dnsxld/worker.h"

static void test_frame_needs_the_prefix_and_the_whole_message(void **state)
{
    (void)state;
    const uint8_t b[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x01 };
    size_t mlen = 99;
    assert_int_equal(dx__tcp_frame(b, 0, &mlen), 0);
    assert_int_equal(dx__tcp_frame(b, 1, &mlen), 0);
    assert_int_equal(mlen, 99);                     /* no length without the prefix */
    assert_int_equal(dx__tcp_frame(b, 2, &mlen), 0);
    assert_int_equal(mlen, 3);                      /* known once the prefix is there */
    assert_int_equal(dx__tcp_frame(b, 4, &mlen), 0);
    assert_int_equal(dx__tcp_frame(b, 5, &mlen), 1);
    assert_int_equal(mlen, 3);
    assert_int_equal(dx__tcp_frame(b, sizeof(b), &mlen), 1);   /* the next one starts after */
    assert_int_equal(dx__tcp_frame(b + 5, 2, &mlen), 0);
    assert_int_equal(mlen, 1);

    const uint8_t big[2] = { 0xff, 0xff };
    assert_int_equal(dx__tcp_frame(big, 2, &mlen), 0);
    assert_int_equal(mlen, 65535);
}

static void test_frame_of_length_zero_is_garbage(void **state)
{
    (void)state;
    const uint8_t b[] = { 0x00, 0x00, 0x00, 0x05 };
    size_t mlen = 99;
    assert_int_equal(dx__tcp_frame(b, 2, &mlen), -1);
    assert_int_equal(dx__tcp_frame(b, sizeof(b), &mlen), -1);
}

static int setup(void **state)
{
    (void)state;
    char err[256] = "";
    if (fx_setup() != 0)
        return -1;
    int rc = fx_start(err, sizeof(err));
    if (rc)
        fprintf(stderr, "start: %s\n", err);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    return fx_teardown();
}

/* Append one framed query to b at *n. */
static void framed(uint8_t *b, size_t *n, uint16_t id, const char *rev)
{
    size_t l = fx_query(b + *n + 2, 512, id, rev);
    assert_true(l > 0);
    dx_set_be16(b + *n, (uint16_t)l);
    *n += 2 + l;
}

static void test_pipelined_queries_are_answered_in_order(void **state)
{
    (void)state;
    int s = fx_client(SOCK_STREAM);
    assert_true(s >= 0);
    uint8_t b[4096];
    size_t n = 0;
    framed(b, &n, 1, "99.2.0.192");
    framed(b, &n, 2, "98.2.0.192");
    framed(b, &n, 3, "99.2.0.192");
    size_t third = n;
    framed(b, &n, 4, "99.2.0.192");
    /* three whole messages and the first byte of a fourth in one write,
     * then the rest of the fourth one byte at a time */
    assert_int_equal(send(s, b, third + 1, 0), (ssize_t)(third + 1));
    struct fx_reply r;
    for (uint16_t id = 1; id <= 3; id++) {
        assert_int_equal(fx_tcp_reply(s, &r), 0);
        assert_int_equal(r.id, id);
        assert_int_equal(r.rcode, id == 2 ? 3 : 0);   /* 192.0.2.98: NXDOMAIN */
        assert_int_equal(r.a, id == 2 ? 0 : 0x7f000002u);
    }
    for (size_t i = third + 1; i < n; i++)
        assert_int_equal(send(s, b + i, 1, 0), 1);
    assert_int_equal(fx_tcp_reply(s, &r), 0);
    assert_int_equal(r.id, 4);
    assert_int_equal(r.a, 0x7f000002u);
    close(s);
}

static void test_zero_length_frame_closes_the_connection(void **state)
{
    (void)state;
    int s = fx_client(SOCK_STREAM);
    assert_true(s >= 0);
    uint8_t b[1024];
    size_t n = 0;
    framed(b, &n, 7, "99.2.0.192");
    b[n++] = 0;
    b[n++] = 0;
    assert_int_equal(send(s, b, n, 0), (ssize_t)n);
    struct fx_reply r;
    assert_int_equal(fx_tcp_reply(s, &r), 0);       /* what came before is answered */
    assert_int_equal(r.id, 7);
    uint8_t x;
    assert_int_equal(recv(s, &x, 1, 0), 0);         /* then EOF (not the deadline) */
    close(s);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_frame_needs_the_prefix_and_the_whole_message),
        cmocka_unit_test(test_frame_of_length_zero_is_garbage),
    };
    const struct CMUnitTest live[] = {
        cmocka_unit_test(test_pipelined_queries_are_answered_in_order),
        cmocka_unit_test(test_zero_length_frame_closes_the_connection),
    };
    int rc = cmocka_run_group_tests(pure, NULL, NULL);
    return rc | cmocka_run_group_tests(live, setup, teardown);
}
