/* Unit tests: dnsxld/server.c, worker.c and udp.c through the public API
 * (server.h) on a server started in-process on a loopback port
 * (server_fixture.h): UDP answers, a bind error naming the address, a
 * reload reaching the workers, stop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/server_fixture.h"

static int setup(void **state)
{
    (void)state;
    return fx_setup();
}

static int teardown(void **state)
{
    (void)state;
    return fx_teardown();
}

/* One UDP query on socket s, its reply in *r: 0, or -1. */
static int udp_ask(int s, uint16_t id, const char *rev, struct fx_reply *r)
{
    uint8_t q[512], resp[4096];
    size_t n = fx_query(q, sizeof(q), id, rev);
    if (n == 0 || send(s, q, n, 0) != (ssize_t)n)
        return -1;
    ssize_t got = recv(s, resp, sizeof(resp), 0);
    return got > 0 ? fx_parse(resp, (size_t)got, r) : -1;
}

static void test_udp_queries_are_answered_from_the_store(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(fx_start(err, sizeof(err)), 0);
    int s = fx_client(SOCK_DGRAM);
    assert_true(s >= 0);
    struct fx_reply r;
    for (uint16_t id = 1; id <= 20; id++) {
        assert_int_equal(udp_ask(s, id, id % 2 ? "99.2.0.192" : "98.2.0.192", &r), 0);
        assert_int_equal(r.id, id);
        assert_int_equal(r.rcode, id % 2 ? 0 : 3);
        assert_int_equal(r.a, id % 2 ? 0x7f000002u : 0);
    }
    /* a burst sent before reading: one socket, one worker, every reply */
    uint8_t q[512], resp[4096];
    for (uint16_t id = 100; id < 150; id++) {
        size_t n = fx_query(q, sizeof(q), id, "99.2.0.192");
        assert_int_equal(send(s, q, n, 0), (ssize_t)n);
    }
    unsigned seen = 0;
    for (int i = 0; i < 50; i++) {
        ssize_t got = recv(s, resp, sizeof(resp), 0);
        assert_true(got > 0);
        assert_int_equal(fx_parse(resp, (size_t)got, &r), 0);
        assert_in_range(r.id, 100, 149);
        assert_int_equal(r.a, 0x7f000002u);
        seen++;
    }
    assert_int_equal(seen, 50);
    close(s);
    fx_stop();
}

static void test_bind_error_names_the_address(void **state)
{
    (void)state;
    /* someone else holds the UDP port (without SO_REUSEPORT) */
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(g_fx.port);
    int hold = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(hold >= 0);
    assert_int_equal(bind(hold, (struct sockaddr *)&a, sizeof(a)), 0);
    char err[256] = "", want[64];
    int rc = fx_start(err, sizeof(err));
    assert_int_equal(rc, -EADDRINUSE);
    assert_null(g_fx.srv);
    snprintf(want, sizeof(want), "cannot bind 127.0.0.1:%u (udp): ", (unsigned)g_fx.port);
    assert_non_null(strstr(err, want));
    close(hold);
    /* once it is free, the server starts */
    assert_int_equal(fx_start(err, sizeof(err)), 0);
    fx_stop();
}

static void test_reload_reaches_the_workers(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(fx_start(err, sizeof(err)), 0);
    int s = fx_client(SOCK_DGRAM);
    assert_true(s >= 0);
    struct fx_reply r;
    assert_int_equal(udp_ask(s, 1, "99.2.0.192", &r), 0);
    assert_int_equal(r.a, 0x7f000002u);
    struct dx_conf *c = fx_conf("127.0.0.5");
    assert_non_null(c);
    dx_server_reload(g_fx.srv, c);
    assert_ptr_equal(dx_server_conf(g_fx.srv), c);
    /* the worker switches between batches: ask until it has (a deadline,
     * not a sleep), running the main loop for the acknowledgements */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint16_t id = 2;; id++) {
        uv_run(&g_fx.loop, UV_RUN_NOWAIT);
        assert_int_equal(udp_ask(s, id, "99.2.0.192", &r), 0);
        if (r.a == 0x7f000005u)
            break;
        assert_int_equal(r.a, 0x7f000002u);
        clock_gettime(CLOCK_MONOTONIC, &t);
        assert_true(t.tv_sec - t0.tv_sec < FX_DEADLINE);
    }
    close(s);
    fx_stop();                          /* frees both configs (ASan: no leak) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_queries_are_answered_from_the_store, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bind_error_names_the_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_reaches_the_workers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
