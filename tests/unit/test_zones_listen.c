/* Unit tests for zones/listen.c (the listen address text form). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "zones/err.h"
#include "zones/key.h"
#include "zones/listen.h"

static void parses(const char *text, uint8_t fam, const char *addr, uint16_t port)
{
    struct dx_listen l;
    char why[256] = "x";
    if (dx_listen_from_text(text, &l, why, sizeof(why)) != 0)
        fail_msg("'%s' refused: %s", text, why);
    assert_string_equal(why, "");
    assert_int_equal(l.family, fam);
    assert_int_equal(l.port, port);
    uint8_t want[16] = { 0 };
    assert_int_equal(inet_pton(fam == DX_FAM_V4 ? AF_INET : AF_INET6, addr, want), 1);
    assert_memory_equal(l.addr, want, 16);
}

static void refused(const char *text, const char *why_want)
{
    struct dx_listen l;
    memset(&l, 0x5a, sizeof(l));
    struct dx_listen before = l;
    char why[256] = "";
    if (dx_listen_from_text(text, &l, why, sizeof(why)) != DX_EINVAL)
        fail_msg("'%s' should be refused", text);
    if (strcmp(why, why_want) != 0)
        fail_msg("'%s': got '%s', want '%s'", text, why, why_want);
    assert_memory_equal(&l, &before, sizeof(l));      /* untouched */
}

static void test_listen_reads_ipv4_and_bracketed_ipv6_with_a_port(void **state)
{
    (void)state;
    parses("127.0.0.1:53", DX_FAM_V4, "127.0.0.1", 53);
    parses("0.0.0.0:65535", DX_FAM_V4, "0.0.0.0", 65535);
    parses("192.0.2.1:053", DX_FAM_V4, "192.0.2.1", 53);            /* leading zeros in the port */
    parses("[::1]:5353", DX_FAM_V6, "::1", 5353);
    parses("[2001:db8::53]:1", DX_FAM_V6, "2001:db8::53", 1);
    parses("[::ffff:192.0.2.1]:53", DX_FAM_V6, "::ffff:192.0.2.1", 53);  /* stays IPv6 */
}

static void test_listen_refuses_what_dnsxl_conf_does_not_define(void **state)
{
    (void)state;
    refused("127.0.0.1", "bad address '127.0.0.1' (expected IPv4:PORT or [IPv6]:PORT)");
    refused("::1", "bad address '::1' (expected IPv4:PORT or [IPv6]:PORT)");
    refused("::1:53", "bad address '::1:53' (expected IPv4:PORT or [IPv6]:PORT)");
    refused("[::1]", "bad address '[::1]' (expected [IPv6]:PORT)");
    refused("[::1]53", "bad address '[::1]53' (expected [IPv6]:PORT)");
    refused("[::1:53", "bad address '[::1:53' (expected [IPv6]:PORT)");
    refused("[127.0.0.1]:53", "bad address '127.0.0.1' in '[127.0.0.1]:53'");
    refused("localhost:53", "bad address 'localhost' in 'localhost:53'");
    refused("127.0.0.01:53", "bad address '127.0.0.01' in '127.0.0.01:53'");
    refused(":53", "bad address '' in ':53'");
    refused("127.0.0.1:0", "bad port '0' in '127.0.0.1:0' (1..65535)");
    refused("127.0.0.1:65536", "bad port '65536' in '127.0.0.1:65536' (1..65535)");
    refused("127.0.0.1:", "bad port '' in '127.0.0.1:' (1..65535)");
    refused("127.0.0.1:+53", "bad port '+53' in '127.0.0.1:+53' (1..65535)");
    refused("127.0.0.1:53 ", "bad port '53 ' in '127.0.0.1:53 ' (1..65535)");
    refused("[::1]:domain", "bad port 'domain' in '[::1]:domain' (1..65535)");
    /* an address longer than any address text */
    refused("[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:53",
            "bad address '[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:53' (expected [IPv6]:PORT)");
}

static void test_listen_same_compares_family_address_and_port(void **state)
{
    (void)state;
    struct dx_listen a, b;
    char why[128];
    assert_int_equal(dx_listen_from_text("[::1]:53", &a, why, sizeof(why)), 0);
    assert_int_equal(dx_listen_from_text("[0:0::1]:053", &b, why, sizeof(why)), 0);
    assert_true(dx_listen_same(&a, &b));
    assert_int_equal(dx_listen_from_text("[::1]:54", &b, why, sizeof(why)), 0);
    assert_false(dx_listen_same(&a, &b));
    assert_int_equal(dx_listen_from_text("0.0.0.0:53", &a, why, sizeof(why)), 0);
    assert_int_equal(dx_listen_from_text("[::]:53", &b, why, sizeof(why)), 0);
    assert_false(dx_listen_same(&a, &b));       /* all zero bytes, other family */
}

static void test_listen_sockaddr_is_what_bind_takes(void **state)
{
    (void)state;
    struct dx_listen l;
    struct sockaddr_storage ss;
    char why[128];
    assert_int_equal(dx_listen_from_text("192.0.2.1:5353", &l, why, sizeof(why)), 0);
    assert_int_equal(dx_listen_sockaddr(&l, &ss), sizeof(struct sockaddr_in));
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
    assert_int_equal(s4->sin_family, AF_INET);
    assert_int_equal(ntohs(s4->sin_port), 5353);
    assert_int_equal(ntohl(s4->sin_addr.s_addr), 0xc0000201u);
    assert_int_equal(dx_listen_from_text("[2001:db8::1]:53", &l, why, sizeof(why)), 0);
    assert_int_equal(dx_listen_sockaddr(&l, &ss), sizeof(struct sockaddr_in6));
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
    assert_int_equal(s6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(s6->sin6_port), 53);
    assert_memory_equal(&s6->sin6_addr, l.addr, 16);
    assert_int_equal(s6->sin6_flowinfo, 0);
    assert_int_equal(s6->sin6_scope_id, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_reads_ipv4_and_bracketed_ipv6_with_a_port),
        cmocka_unit_test(test_listen_refuses_what_dnsxl_conf_does_not_define),
        cmocka_unit_test(test_listen_same_compares_family_address_and_port),
        cmocka_unit_test(test_listen_sockaddr_is_what_bind_takes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
