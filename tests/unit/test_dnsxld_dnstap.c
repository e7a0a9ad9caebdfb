/* Unit tests of dnstap (dnsxld/dnstap.h): the query path's record in a ring
 * (sampling, the client's address and port, both messages), the Dnstap
 * frames of a record (AUTH_QUERY with the query, AUTH_RESPONSE with the
 * reply, times, transport), decoded back with protobuf-c, and the output's
 * name (unix:PATH, a file relative to the config). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsxld/dnstap.h"
#include "dnsxld/ring.h"
#include "zones/err.h"

#include "dnstap.pb-c.h"

static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                 1, 'a', 0, 0, 1, 0, 1 };
static const uint8_t reply[] = { 0x12, 0x34, 0x85, 0x03, 0, 1, 0, 0, 0, 0, 0, 0,
                                 1, 'a', 0, 0, 1, 0, 1 };

static void test_the_query_path_puts_a_sampled_record(void **state)
{
    (void)state;
    struct dx_conf conf;
    memset(&conf, 0, sizeof(conf));
    conf.server.tap_sample = 25;
    struct dx_obs o;
    memset(&o, 0, sizeof(o));
    o.tap = dx_ring_new(1 << 16);
    assert_non_null(o.tap);
    struct sockaddr_in6 p6;
    memset(&p6, 0, sizeof(p6));
    p6.sin6_family = AF_INET6;
    p6.sin6_port = htons(40000);
    inet_pton(AF_INET6, "2001:db8::5", &p6.sin6_addr);
    for (int i = 0; i < 8; i++)                 /* 25%: 2 of 8 */
        dx_tap_put(&o, &conf, DX_TCP, (const struct sockaddr *)&p6, query, sizeof(query), reply,
                   sizeof(reply), 1000);
    assert_int_equal(dx_ring_puts(o.tap), 2);
    size_t n;
    const uint8_t *p = dx_ring_peek(o.tap, &n);
    assert_non_null(p);
    struct dx_tap_rec h;
    assert_int_equal(n, sizeof(h) + sizeof(query) + sizeof(reply));
    memcpy(&h, p, sizeof(h));
    assert_int_equal(h.tr, DX_TCP);
    assert_int_equal(h.family, AF_INET6);
    assert_int_equal(h.port, 40000);
    assert_memory_equal(h.addr, &p6.sin6_addr, 16);
    assert_int_equal(h.qlen, sizeof(query));
    assert_int_equal(h.rlen, sizeof(reply));
    assert_int_equal(h.dur_ns, 1000);
    assert_memory_equal(p + sizeof(h), query, sizeof(query));
    assert_memory_equal(p + sizeof(h) + sizeof(query), reply, sizeof(reply));
    /* a peer of no address family dnstap knows: nothing */
    struct sockaddr un = { .sa_family = AF_UNIX };
    conf.server.tap_sample = 100;
    dx_tap_put(&o, &conf, DX_UDP, &un, query, sizeof(query), reply, sizeof(reply), 0);
    assert_int_equal(dx_ring_puts(o.tap), 2);
    dx_ring_free(o.tap);
}

static void test_frames_decode_as_auth_query_and_response(void **state)
{
    (void)state;
    struct dx_tap_rec h;
    memset(&h, 0, sizeof(h));
    h.tr = DX_UDP;
    h.family = AF_INET;
    h.port = 5353;
    uint8_t a4[4] = { 192, 0, 2, 7 };
    memcpy(h.addr, a4, 4);
    h.rsec = 1800000000;
    h.rnsec = 500;
    h.dur_ns = 1000;                            /* the query came 1 us before */
    h.qlen = sizeof(query);
    h.rlen = sizeof(reply);
    uint8_t buf[4096];
    size_t qn, rn;
    assert_int_equal(dx_tap_frames(&h, query, reply, "ns1", "dnsxld test", buf, sizeof(buf),
                                   &qn, &rn), 0);
    assert_true(qn > 0 && rn > 0);

    Dnstap__Dnstap *d = dnstap__dnstap__unpack(NULL, qn, buf);
    assert_non_null(d);
    assert_int_equal(d->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
    assert_true(d->has_identity && d->identity.len == 3 && memcmp(d->identity.data, "ns1", 3) == 0);
    assert_true(d->has_version);
    Dnstap__Message *m = d->message;
    assert_int_equal(m->type, DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
    assert_int_equal(m->socket_family, DNSTAP__SOCKET_FAMILY__INET);
    assert_int_equal(m->socket_protocol, DNSTAP__SOCKET_PROTOCOL__UDP);
    assert_int_equal(m->query_address.len, 4);
    assert_memory_equal(m->query_address.data, a4, 4);
    assert_int_equal(m->query_port, 5353);
    assert_true(m->has_query_message && !m->has_response_message);
    assert_int_equal(m->query_message.len, sizeof(query));
    assert_memory_equal(m->query_message.data, query, sizeof(query));
    assert_int_equal(m->query_time_sec, 1799999999);
    assert_int_equal(m->query_time_nsec, 999999500);
    dnstap__dnstap__free_unpacked(d, NULL);

    d = dnstap__dnstap__unpack(NULL, rn, buf + qn);
    assert_non_null(d);
    m = d->message;
    assert_int_equal(m->type, DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
    assert_true(m->has_response_message && !m->has_query_message);
    assert_memory_equal(m->response_message.data, reply, sizeof(reply));
    assert_int_equal(m->response_time_sec, 1800000000);
    assert_int_equal(m->response_time_nsec, 500);
    assert_int_equal(m->query_time_sec, 1799999999);
    dnstap__dnstap__free_unpacked(d, NULL);

    /* not answered: the query alone; too small a buffer: DX_ERANGE */
    h.rlen = 0;
    assert_int_equal(dx_tap_frames(&h, query, NULL, NULL, NULL, buf, sizeof(buf), &qn, &rn), 0);
    assert_int_equal(rn, 0);
    assert_int_equal(dx_tap_frames(&h, query, NULL, NULL, NULL, buf, 10, &qn, &rn), DX_ERANGE);
}

static void test_output_names(void **state)
{
    (void)state;
    struct dx_conf conf;
    memset(&conf, 0, sizeof(conf));
    char path[4096], err[256];
    bool unix_sock;
    conf.dir = "/etc/dnsxl";
    conf.server.dnstap = "unix:/run/dnstap.sock";
    assert_int_equal(dx_tap_target(&conf, path, sizeof(path), &unix_sock, err, sizeof(err)), 0);
    assert_true(unix_sock);
    assert_string_equal(path, "/run/dnstap.sock");
    conf.server.dnstap = "log/q.dnstap";
    assert_int_equal(dx_tap_target(&conf, path, sizeof(path), &unix_sock, err, sizeof(err)), 0);
    assert_false(unix_sock);
    assert_string_equal(path, "/etc/dnsxl/log/q.dnstap");
    conf.server.dnstap = "unix:";
    assert_int_equal(dx_tap_target(&conf, path, sizeof(path), &unix_sock, err, sizeof(err)),
                     DX_EINVAL);
    assert_non_null(strstr(err, "names no path"));
    char longp[200] = "unix:/";
    memset(longp + 6, 'x', 150);
    longp[156] = 0;
    conf.server.dnstap = longp;                 /* over sun_path */
    assert_int_equal(dx_tap_target(&conf, path, sizeof(path), &unix_sock, err, sizeof(err)),
                     DX_EINVAL);
    assert_non_null(strstr(err, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_query_path_puts_a_sampled_record),
        cmocka_unit_test(test_frames_decode_as_auth_query_and_response),
        cmocka_unit_test(test_output_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
