/* Unit tests of the metrics' HTTP request reader (dnsxld/http.c,
 * dx_http_request): what it answers for each kind of request head, and
 * when it waits for more. The server around it: test_metrics.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsxld/http.h"

static int st(const char *req)
{
    bool head = false;
    return dx_http_request(req, strlen(req), "/metrics", &head);
}

static void test_a_get_of_the_resource_is_200(void **state)
{
    (void)state;
    bool head = true;
    const char *r = "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
    assert_int_equal(dx_http_request(r, strlen(r), "/metrics", &head), 200);
    assert_false(head);
    r = "HEAD /metrics?x=1 HTTP/1.0\r\n\r\n";
    assert_int_equal(dx_http_request(r, strlen(r), "/metrics", &head), 200);
    assert_true(head);
    assert_int_equal(st("GET /metrics HTTP/1.1\nHost: a\n\n"), 200);     /* bare LF */
    assert_int_equal(st("GET /metrics HTTP/1.1\r\nHost:\r\nUser-Agent: Prometheus/2.42\r\n"
                        "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"), 200);
}

static void test_an_incomplete_head_waits_until_the_limit(void **state)
{
    (void)state;
    assert_int_equal(st(""), 0);
    assert_int_equal(st("GET /metrics HTTP/1.1\r\nHost: x\r\n"), 0);
    assert_int_equal(st("GET /metr"), 0);
    char *big = malloc(DX_HTTP_HEAD_MAX + 64);
    strcpy(big, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ");
    size_t n = strlen(big);
    memset(big + n, 'a', DX_HTTP_HEAD_MAX + 10 - n);
    big[DX_HTTP_HEAD_MAX + 10] = 0;
    assert_int_equal(st(big), 413);                     /* never ends within the limit */
    strcpy(big + DX_HTTP_HEAD_MAX + 10, "\r\n\r\n");
    assert_int_equal(st(big), 413);                     /* ends, beyond the limit */
    free(big);
}

static void test_other_paths_methods_and_versions(void **state)
{
    (void)state;
    assert_int_equal(st("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_int_equal(st("GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_int_equal(st("GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_int_equal(st("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 405);
    assert_int_equal(st("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
    assert_int_equal(st("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
    assert_int_equal(st("GET /metrics HTTP/0.9\r\n\r\n"), 505);
}

static void test_malformed_heads_are_400(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "GET /metrics\r\n\r\n",                              /* no version */
        "GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n",         /* two spaces */
        "GET metrics HTTP/1.1\r\nHost: x\r\n\r\n",           /* not a path */
        "GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n",  /* absolute form */
        "G(T /metrics HTTP/1.1\r\nHost: x\r\n\r\n",          /* not a token */
        " GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /metrics HTTP/1.1 \r\nHost: x\r\n\r\n",
        "GET /metrics HTTP/1.x\r\nHost: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n\r\n",                     /* 1.1 without Host */
        "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n",           /* no colon */
        "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",         /* space before the colon */
        "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n",
        "GET /met\x01rics HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: x\x7f\r\n\r\n",
        "\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (st(bad[i]) != 400)
            fail_msg("%zu: %d for '%s'", i, st(bad[i]), bad[i]);
    }
    /* a NUL byte inside the head */
    char nul[] = "GET /metrics HTTP/1.1\r\nHost: x\0y\r\n\r\n";
    bool head;
    assert_int_equal(dx_http_request(nul, sizeof(nul) - 1, "/metrics", &head), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_get_of_the_resource_is_200),
        cmocka_unit_test(test_an_incomplete_head_waits_until_the_limit),
        cmocka_unit_test(test_other_paths_methods_and_versions),
        cmocka_unit_test(test_malformed_heads_are_400),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
