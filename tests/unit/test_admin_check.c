/* Unit tests for dnsxl-admin check's pieces: the DNS stub's messages
 * (admin/dnsq.c: the query built, replies parsed and refused) and the
 * lists file and answer codes (admin/check.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/check.h"
#include "admin/dnsq.h"
#include "zones/err.h"

static void test_a_query_is_built_as_rfc_1035_says(void **state)
{
    (void)state;
    uint8_t q[256], m[300];
    size_t ql = dx_dnsq_wire("2.0.0.127.BL.Example.org.", q);
    assert_int_equal(ql, 26);
    size_t n = dx_dnsq_build(m, sizeof(m), 0x1234, q, ql);
    static const uint8_t head[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(n, 12 + 26 + 4);
    assert_memory_equal(m, head, 12);
    assert_memory_equal(m + 12, "\0012\0010\0010\003127\002bl\007example\003org\000", 26);
    assert_memory_equal(m + 38, "\000\001\000\001", 4);
    assert_int_equal(dx_dnsq_build(m, 20, 1, q, ql), 0);          /* does not fit */
    assert_int_equal(dx_dnsq_wire("a..b", q), 0);
    assert_int_equal(dx_dnsq_wire("", q), 0);
}

/* A reply to id for "1.2.0.192.bl.test" with the answers given (raw RRs). */
static size_t reply(uint8_t *m, uint16_t id, uint16_t flags, const uint8_t *rrs, size_t rrn,
                    uint16_t an)
{
    uint8_t q[256];
    size_t ql = dx_dnsq_wire("1.2.0.192.bl.test", q);
    size_t n = dx_dnsq_build(m, 600, id, q, ql);
    m[2] = (uint8_t)(flags >> 8);
    m[3] = (uint8_t)flags;
    m[6] = (uint8_t)(an >> 8);
    m[7] = (uint8_t)an;
    if (rrn)
        memcpy(m + n, rrs, rrn);
    return n + rrn;
}

static void test_replies_are_read_and_strangers_refused(void **state)
{
    (void)state;
    uint8_t q[256], m[600];
    size_t ql = dx_dnsq_wire("1.2.0.192.bl.test", q);
    /* two A records, the first with a pointer to the question, one TXT */
    static const uint8_t rrs[] = {
        0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 127, 0, 0, 2,
        0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 0x2c, 0, 3, 2, 'h', 'i',
        0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 127, 0, 0, 4,
    };
    size_t n = reply(m, 7, 0x8180, rrs, sizeof(rrs), 3);
    int rcode = -1;
    uint32_t a[4];
    size_t na = 9;
    assert_int_equal(dx_dnsq_parse(m, n, 7, q, ql, &rcode, a, 4, &na), 0);
    assert_int_equal(rcode, 0);
    assert_int_equal(na, 2);
    assert_int_equal(a[0], 0x7f000002u);
    assert_int_equal(a[1], 0x7f000004u);
    assert_int_equal(dx_dnsq_parse(m, n, 8, q, ql, &rcode, a, 4, &na), DX_EINVAL);    /* id */
    uint8_t other[256];
    size_t ol = dx_dnsq_wire("1.2.0.192.bl.tesu", other);
    assert_int_equal(dx_dnsq_parse(m, n, 7, other, ol, &rcode, a, 4, &na), DX_EINVAL);
    for (size_t cut = 0; cut < n; cut++)        /* truncated anywhere: refused, never read past */
        assert_int_equal(dx_dnsq_parse(m, cut, 7, q, ql, &rcode, a, 4, &na), DX_EINVAL);
    n = reply(m, 7, 0x0100, NULL, 0, 0);        /* a query, not a reply */
    assert_int_equal(dx_dnsq_parse(m, n, 7, q, ql, &rcode, a, 4, &na), DX_EINVAL);
    n = reply(m, 7, 0x8183, NULL, 0, 0);        /* NXDOMAIN */
    assert_int_equal(dx_dnsq_parse(m, n, 7, q, ql, &rcode, a, 4, &na), 0);
    assert_int_equal(rcode, 3);
    assert_int_equal(na, 0);
    /* a compression loop: a pointer to itself */
    static const uint8_t loop[] = { 0xc0, 35, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 127, 0, 0, 2 };
    n = reply(m, 7, 0x8180, loop, sizeof(loop), 1);
    assert_int_equal(dx_dnsq_parse(m, n, 7, q, ql, &rcode, a, 4, &na), DX_EINVAL);
}

static void test_servers_from_text_and_resolv_conf(void **state)
{
    (void)state;
    struct dx_dnsq_servers s;
    assert_int_equal(dx_dnsq_server("192.0.2.53", &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(ntohs(((struct sockaddr_in *)&s.ss[0])->sin_port), 53);
    assert_int_equal(dx_dnsq_server("[::1]:5353", &s), 0);
    assert_int_equal(s.ss[0].ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&s.ss[0])->sin6_port), 5353);
    assert_int_equal(dx_dnsq_server("127.0.0.1:0", &s), DX_EINVAL);
    assert_int_equal(dx_dnsq_server("ns.example", &s), DX_EINVAL);
    char path[] = "/tmp/dx-resolv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\nsearch example\nnameserver 192.0.2.1\nnameserver fe80::1%eth0\n"
          "nameserver bogus\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n", f);
    fclose(f);
    assert_int_equal(dx_dnsq_resolv_conf(path, &s), 0);
    assert_int_equal(s.n, 3);                   /* MAXNS */
    assert_int_equal(s.ss[1].ss_family, AF_INET6);
    f = fopen(path, "w");
    fputs("options ndots:2\n", f);
    fclose(f);
    assert_int_equal(dx_dnsq_resolv_conf(path, &s), 0);
    assert_int_equal(s.n, 1);                   /* none: 127.0.0.1 */
    assert_int_equal(ntohl(((struct sockaddr_in *)&s.ss[0])->sin_addr.s_addr), 0x7f000001u);
    unlink(path);
}

static void lists_error(const char *text, const char *needle)
{
    char path[] = "/tmp/dx-lists-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    struct dx_check_list *l;
    size_t n;
    char err[600];
    assert_int_equal(dx_check_lists_load(path, &l, &n, err, sizeof(err)), DX_EINVAL);
    if (!strstr(err, needle) || strncmp(err, path, strlen(path)) != 0)
        fail_msg("expected '%s' in '%s'", needle, err);
    unlink(path);
}

static void test_the_lists_file_and_what_answers_mean(void **state)
{
    (void)state;
    char path[] = "/tmp/dx-lists-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("# lists\n\nzen.example 127.0.0.2-127.0.0.11  # ZEN-like\n"
          "dbl.example. domain notest 127.0.1.0/24 @[::1]:5353\n"
          "wl.example allow\n", f);
    fclose(f);
    struct dx_check_list *l;
    size_t n;
    char err[600], why[300];
    assert_int_equal(dx_check_lists_load(path, &l, &n, err, sizeof(err)), 0);
    unlink(path);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].zone, "zen.example");
    assert_int_equal(l[0].line, 3);
    assert_int_equal(l[0].ncodes, 1);
    assert_true(l[0].test && !l[0].allow && !l[0].domain && !l[0].has_server);
    assert_string_equal(l[1].zone, "dbl.example");
    assert_true(l[1].domain && !l[1].test && l[1].has_server);
    assert_int_equal(l[1].lo[0], 0x7f000100u);
    assert_int_equal(l[1].hi[0], 0x7f0001ffu);
    assert_true(l[2].allow);
    uint32_t a[2] = { 0x7f000004u, 0x7f00000au };
    assert_int_equal(dx_check_answer(&l[0], 0, a, 2, why, sizeof(why)), DX_CHECK_LISTED);
    assert_int_equal(dx_check_answer(&l[0], 3, NULL, 0, why, sizeof(why)), DX_CHECK_CLEAN);
    assert_int_equal(dx_check_answer(&l[0], 0, NULL, 0, why, sizeof(why)), DX_CHECK_CLEAN);
    assert_int_equal(dx_check_answer(&l[0], 2, NULL, 0, why, sizeof(why)), DX_CHECK_ERROR);
    assert_string_equal(why, "answered SERVFAIL");
    uint32_t e[] = { 0x7fffffffu, 0x7f0001ffu, 0x7f000001u, 0x0a000001u, 0x7f00000cu };
    for (size_t i = 0; i < 5; i++)      /* error codes, outside 127/8, outside the codes */
        assert_int_equal(dx_check_answer(&l[0], 0, &e[i], 1, why, sizeof(why)), DX_CHECK_ERROR);
    assert_non_null(strstr(why, "127.0.0.12, not one of the list's codes"));
    assert_int_equal(dx_check_answer(&l[1], 0, &e[1], 1, why, sizeof(why)), DX_CHECK_ERROR);
    uint32_t w = 0x7f000303u;           /* no codes: any 127/8 answer but the errors */
    assert_int_equal(dx_check_answer(&l[2], 0, &w, 1, why, sizeof(why)), DX_CHECK_LISTED);
    free(l);
    lists_error("ok.example\nbad..zone\n", ":2: bad zone name 'bad..zone'");
    lists_error("x.example 127.0.0.9-127.0.0.2\n", ":1: bad code '127.0.0.9-127.0.0.2'");
    lists_error("x.example 127.0.0.1/33\n", ":1: bad code");
    lists_error("x.example @nowhere\n", ":1: bad server 'nowhere'");
    lists_error("# nothing\n", ":1: no list in the file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_query_is_built_as_rfc_1035_says),
        cmocka_unit_test(test_replies_are_read_and_strangers_refused),
        cmocka_unit_test(test_servers_from_text_and_resolv_conf),
        cmocka_unit_test(test_the_lists_file_and_what_answers_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
