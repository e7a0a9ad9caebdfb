/* Unit tests for zones/key.c (addresses and keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "zones/err.h"
#include "zones/key.h"

/* Parse text, format it back, compare with want (NULL: must be rejected). */
static void roundtrip(const char *text, const char *want)
{
    struct dx_key k;
    int rc = dx_key_parse(text, &k);
    if (!want) {
        if (rc != DX_EINVAL)
            fail_msg("'%s' should be rejected, got rc %d", text, rc);
        return;
    }
    if (rc != 0)
        fail_msg("'%s' rejected (%d)", text, rc);
    char buf[DX_KEY_TEXT_MAX];
    int n = dx_key_format(&k, buf, sizeof(buf));
    if (n < 0 || strcmp(buf, want) != 0)
        fail_msg("'%s' formats as '%s' (%d), want '%s'", text, buf, n, want);
    assert_int_equal((size_t)n, strlen(want));
    /* the canonical form parses to the identical key */
    struct dx_key k2;
    assert_int_equal(dx_key_parse(buf, &k2), 0);
    assert_int_equal(k2.family, k.family);
    assert_int_equal(k2.plen, k.plen);
    assert_int_equal(k2.len, k.len);
    assert_memory_equal(k2.addr, k.addr, k.family == DX_FAM_DOMAIN ? k.len + 1u : k.len);
}

/* text has host bits set: refused with DX_ERANGE, the key returned is net */
static void hostbits(const char *text, const char *net)
{
    struct dx_key k;
    int rc = dx_key_parse(text, &k);
    if (rc != DX_ERANGE)
        fail_msg("'%s' has host bits set: want DX_ERANGE, got rc %d", text, rc);
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(&k, buf, sizeof(buf));
    if (strcmp(buf, net) != 0)
        fail_msg("'%s': network '%s', want '%s'", text, buf, net);
}

static void test_key_parse_reads_ipv4_addresses_and_cidrs(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.1", &k), 0);
    assert_int_equal(k.family, DX_FAM_V4);
    assert_int_equal(k.len, 4);
    assert_int_equal(k.plen, 32);
    assert_memory_equal(k.addr, "\xc0\x00\x02\x01", 4);

    /* host bits set: refused (DX_ERANGE), *k = the network for "did you mean" */
    assert_int_equal(dx_key_parse("192.0.2.77/24", &k), DX_ERANGE);
    assert_int_equal(k.plen, 24);
    assert_memory_equal(k.addr, "\xc0\x00\x02\x00", 4);
    assert_int_equal(dx_key_parse("10.255.255.255/9", &k), DX_ERANGE);
    assert_memory_equal(k.addr, "\x0a\x80\x00\x00", 4);
    assert_int_equal(dx_key_parse("255.255.255.255/0", &k), DX_ERANGE);
    assert_int_equal(k.plen, 0);
    assert_memory_equal(k.addr, "\0\0\0\0", 4);
    assert_int_equal(dx_key_parse("192.0.2.65/26", &k), DX_ERANGE);
    assert_int_equal(dx_key_parse("192.0.2.64/26", &k), 0);
    assert_int_equal(dx_key_parse("192.0.2.1/31", &k), DX_ERANGE);
    assert_int_equal(dx_key_parse("192.0.2.1/32", &k), 0);
    /* the lenient form clears them */
    assert_int_equal(dx_key_parse_masked("192.0.2.77/24", &k), 0);
    assert_int_equal(k.plen, 24);
    assert_memory_equal(k.addr, "\xc0\x00\x02\x00", 4);
    assert_int_equal(dx_key_parse_masked("192.0.2/24", &k), DX_EINVAL);

    roundtrip("192.0.2.1", "192.0.2.1");
    roundtrip("192.0.2.1/32", "192.0.2.1");
    hostbits("192.0.2.99/24", "192.0.2.0/24");
    hostbits("198.51.100.255/31", "198.51.100.254/31");
    roundtrip("198.51.100.254/31", "198.51.100.254/31");
    roundtrip("0.0.0.0/0", "0.0.0.0/0");
    roundtrip("192.0.2.1/33", NULL);
    roundtrip("192.0.2.1/", NULL);
    roundtrip("192.0.2.1/-1", NULL);
    roundtrip("192.0.2.1/0024", NULL);
    roundtrip("192.0.2.0/024", "192.0.2.0/24");   /* a prefix length of up to 3 digits */
    roundtrip("192.0.2.0/+24", NULL);
    roundtrip("192.0.2.0/ 24", NULL);
    roundtrip("192.0.2/24", NULL);
    roundtrip("192.0.2.256", NULL);
    roundtrip("1.2.3.4.5", NULL);
    roundtrip("", NULL);
    assert_int_equal(dx_key_parse(NULL, &k), DX_EINVAL);
}

static void test_key_parse_reads_ipv6_addresses_and_cidrs(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("2001:db8::1", &k), 0);
    assert_int_equal(k.family, DX_FAM_V6);
    assert_int_equal(k.len, 16);
    assert_int_equal(k.plen, 128);
    assert_memory_equal(k.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

    assert_int_equal(dx_key_parse("2001:db8:abcd:ef01::ffff/33", &k), DX_ERANGE);
    assert_int_equal(k.plen, 33);
    assert_memory_equal(k.addr, "\x20\x01\x0d\xb8\x80\0\0\0\0\0\0\0\0\0\0\0", 16);
    assert_int_equal(dx_key_parse("2001:db8:8000::/33", &k), 0);
    assert_int_equal(dx_key_parse("2001:db8::1/64", &k), DX_ERANGE);
    assert_int_equal(dx_key_parse("::1/0", &k), DX_ERANGE);

    roundtrip("2001:DB8::1", "2001:db8::1");
    hostbits("2001:db8:1:2:3:4:5:6/48", "2001:db8:1::/48");
    roundtrip("2001:db8:1::/48", "2001:db8:1::/48");
    roundtrip("::/0", "::/0");
    roundtrip("::1", "::1");
    roundtrip("::", "::");
    roundtrip("2001:db8::/129", NULL);
    roundtrip("2001:db8:::1", NULL);
    roundtrip("fe80::1%eth0", NULL);
    roundtrip("2001:db8::g", NULL);
}

static void test_key_parse_turns_ipv4_mapped_ipv6_into_ipv4(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("::ffff:192.0.2.1", &k), 0);
    assert_int_equal(k.family, DX_FAM_V4);
    assert_int_equal(k.len, 4);
    assert_int_equal(k.plen, 32);
    assert_memory_equal(k.addr, "\xc0\x00\x02\x01", 4);
    assert_int_equal(dx_key_parse("::ffff:7f00:2", &k), 0);
    assert_int_equal(k.family, DX_FAM_V4);
    assert_memory_equal(k.addr, "\x7f\0\0\x02", 4);
    roundtrip("::ffff:192.0.2.0/120", "192.0.2.0/24");
    hostbits("::ffff:192.0.2.77/120", "192.0.2.0/24");      /* host bits of the IPv4 part */
    roundtrip("::FFFF:0.0.0.0/96", "0.0.0.0/0");
    hostbits("::FFFF:198.51.100.1/96", "0.0.0.0/0");
    /* shorter than /96: stays IPv6 */
    assert_int_equal(dx_key_parse("::fffe:0:0/95", &k), 0);
    assert_int_equal(k.family, DX_FAM_V6);
    assert_int_equal(dx_key_parse("::ffff:192.0.2.1/95", &k), DX_ERANGE);
    assert_int_equal(k.family, DX_FAM_V6);
    /* not mapped */
    assert_int_equal(dx_key_parse("::192.0.2.1", &k), 0);
    assert_int_equal(k.family, DX_FAM_V6);
    assert_int_equal(dx_key_parse("64:ff9b::192.0.2.1", &k), 0);
    assert_int_equal(k.family, DX_FAM_V6);

    /* dx_key_from_addr */
    uint8_t a16[16];
    assert_int_equal(inet_pton(AF_INET6, "::ffff:203.0.113.9", a16), 1);
    dx_key_from_addr(&k, a16, 16);
    assert_int_equal(k.family, DX_FAM_V4);
    assert_int_equal(k.len, 4);
    assert_int_equal(k.plen, 32);
    assert_memory_equal(k.addr, "\xcb\x00\x71\x09", 4);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::9", a16), 1);
    dx_key_from_addr(&k, a16, 16);
    assert_int_equal(k.family, DX_FAM_V6);
    assert_int_equal(k.plen, 128);
    assert_memory_equal(k.addr, a16, 16);
    dx_key_from_addr(&k, (const uint8_t *)"\x01\x02\x03\x04", 4);
    assert_int_equal(k.family, DX_FAM_V4);
    assert_int_equal(k.plen, 32);
}

static void test_key_parse_reads_names_and_wildcards(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("Spam.EXAMPLE.", &k), 0);
    assert_int_equal(k.family, DX_FAM_DOMAIN);
    assert_int_equal(k.plen, 0);
    assert_int_equal(k.len, 12);
    assert_string_equal((const char *)k.addr, "spam.example");
    assert_int_equal(dx_key_parse("*.Spam.Example", &k), 0);
    assert_int_equal(k.plen, 1);
    assert_string_equal((const char *)k.addr, "spam.example");

    roundtrip("spam.example", "spam.example");
    roundtrip("SPAM.example.", "spam.example");
    roundtrip("*.spam.example", "*.spam.example");
    roundtrip("*.SPAM.example.", "*.spam.example");
    roundtrip("xn--bcher-kva.example", "xn--bcher-kva.example");
    roundtrip("_dmarc.example", "_dmarc.example");
    roundtrip("test", "test");
    /* rejections */
    roundtrip("spam..example", NULL);
    roundtrip(".spam.example", NULL);
    roundtrip("spam.example..", NULL);
    roundtrip(".", NULL);
    roundtrip("*", NULL);
    roundtrip("*.", NULL);
    roundtrip("a.*.example", NULL);
    roundtrip("**.example", NULL);
    roundtrip("sp am.example", NULL);
    roundtrip("spam!.example", NULL);
    roundtrip("sp/am.example", NULL);
    roundtrip("spam.ex\xc3\xa9mple", NULL);

    char label[80], name[300];
    memset(label, 'a', 63);
    label[63] = 0;
    snprintf(name, sizeof(name), "%s.example", label);
    assert_int_equal(dx_key_parse(name, &k), 0);
    memset(label, 'a', 64);
    label[64] = 0;
    snprintf(name, sizeof(name), "%s.example", label);
    assert_int_equal(dx_key_parse(name, &k), DX_EINVAL);

    /* 253 characters is the longest name; 254 is too long */
    char lab63[64];
    memset(lab63, 'b', 63);
    lab63[63] = 0;
    snprintf(name, sizeof(name), "%s.%s.%s.%.61s", lab63, lab63, lab63, lab63);
    assert_int_equal(strlen(name), 253);
    assert_int_equal(dx_key_parse(name, &k), 0);
    assert_int_equal(k.len, 253);
    char buf[DX_KEY_TEXT_MAX];
    assert_int_equal(dx_key_format(&k, buf, sizeof(buf)), 253);
    assert_string_equal(buf, name);
    char wild[320];
    snprintf(wild, sizeof(wild), "*.%s.", name);
    assert_int_equal(dx_key_parse(wild, &k), 0);
    assert_int_equal(dx_key_format(&k, buf, sizeof(buf)), 255);
    snprintf(name, sizeof(name), "%s.%s.%s.%.62s", lab63, lab63, lab63, lab63);
    assert_int_equal(strlen(name), 254);
    assert_int_equal(dx_key_parse(name, &k), DX_EINVAL);
    /* a trailing dot does not count */
    snprintf(name, sizeof(name), "%s.%s.%s.%.61s.", lab63, lab63, lab63, lab63);
    assert_int_equal(dx_key_parse(name, &k), 0);
}

static void test_key_parse_for_takes_only_what_the_zone_kind_holds(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse_for("192.0.2.1", true, &k), 0);
    assert_int_equal(dx_key_parse_for("2001:db8::/32", true, &k), 0);
    assert_int_equal(dx_key_parse_for("spam.example", true, &k), DX_EINVAL);
    assert_int_equal(dx_key_parse_for("spam.example", false, &k), 0);
    assert_int_equal(dx_key_parse_for("*.spam.example", false, &k), 0);
    assert_int_equal(dx_key_parse_for("192.0.2.1", false, &k), DX_EINVAL);
    assert_int_equal(dx_key_parse_for("bad..name", false, &k), DX_EINVAL);
}

static void test_hostbits_message_offers_the_network(void **state)
{
    (void)state;
    struct dx_key k;
    char msg[200];
    assert_int_equal(dx_key_parse("192.0.2.1/24", &k), DX_ERANGE);
    dx_key_hostbits_msg("192.0.2.1/24", &k, msg, sizeof(msg));
    assert_string_equal(msg, "192.0.2.1/24 has host bits set: did you mean 192.0.2.0/24?");
    assert_int_equal(dx_key_parse("2001:db8::1/32", &k), DX_ERANGE);
    dx_key_hostbits_msg("2001:db8::1/32", &k, msg, sizeof(msg));
    assert_string_equal(msg, "2001:db8::1/32 has host bits set: did you mean 2001:db8::/32?");
    /* parse_for: the zone kind is checked first, host bits then */
    assert_int_equal(dx_key_parse_for("192.0.2.65/26", true, &k), DX_ERANGE);
    assert_int_equal(k.plen, 26);
    assert_memory_equal(k.addr, "\xc0\x00\x02\x40", 4);
    assert_int_equal(dx_key_parse_for("192.0.2.65/26", false, &k), DX_EINVAL);
    assert_int_equal(dx_key_parse_for("192.0.2.64/26", true, &k), 0);
}

static void test_widen_shortens_the_prefix_and_clears_host_bits(void **state)
{
    (void)state;
    struct dx_key k;
    char buf[DX_KEY_TEXT_MAX];
    assert_int_equal(dx_key_parse("192.0.2.77", &k), 0);
    dx_key_widen(&k, 26);
    dx_key_format(&k, buf, sizeof(buf));
    assert_string_equal(buf, "192.0.2.64/26");
    dx_key_widen(&k, 30);                       /* never narrower */
    assert_int_equal(k.plen, 26);
    dx_key_widen(&k, 0);
    dx_key_format(&k, buf, sizeof(buf));
    assert_string_equal(buf, "0.0.0.0/0");
    assert_int_equal(dx_key_parse("2001:db8:ffff::1", &k), 0);
    dx_key_widen(&k, 33);
    dx_key_format(&k, buf, sizeof(buf));
    assert_string_equal(buf, "2001:db8:8000::/33");
    assert_int_equal(dx_key_parse("a.example", &k), 0);
    dx_key_widen(&k, 0);
    dx_key_format(&k, buf, sizeof(buf));
    assert_string_equal(buf, "a.example");
}

static void test_too_wide_compares_with_the_shortest_prefix(void **state)
{
    (void)state;
    struct dx_key k;
    static const struct { const char *key; bool wide; } cases[] = {
        { "0.0.0.0/0", true }, { "::/0", true }, { "10.0.0.0/7", true }, { "10.0.0.0/8", false },
        { "192.0.2.1", false }, { "2000::/15", true }, { "2001::/16", false },
        { "2001:db8::/32", false }, { "spam.example", false }, { "*.example", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dx_key_parse(cases[i].key, &k), 0);
        if (dx_key_too_wide(&k, 8, 16) != cases[i].wide)
            fail_msg("%s: too wide should be %d", cases[i].key, cases[i].wide);
    }
    /* bounds of 0: nothing is too wide */
    assert_int_equal(dx_key_parse("0.0.0.0/0", &k), 0);
    assert_false(dx_key_too_wide(&k, 0, 0));
    assert_true(dx_key_too_wide(&k, 1, 0));
}

static void test_format_into_a_small_buffer_says_so(void **state)
{
    (void)state;
    struct dx_key k;
    char buf[8];
    assert_int_equal(dx_key_parse("192.0.2.0/24", &k), 0);
    assert_int_equal(dx_key_format(&k, buf, sizeof(buf)), DX_ERANGE);
    assert_string_equal(buf, "192.0.2");
    char exact[13];
    assert_int_equal(dx_key_format(&k, exact, sizeof(exact)), 12);
    assert_string_equal(exact, "192.0.2.0/24");
    assert_int_equal(dx_key_format(&k, exact, 12), DX_ERANGE);
}

static bool contains(const char *net, const char *key)
{
    struct dx_key n, k;
    assert_int_equal(dx_key_parse(net, &n), 0);
    assert_int_equal(dx_key_parse(key, &k), 0);
    return dx_key_contains(&n, &k);
}

static void test_contains_is_a_prefix_match_of_one_family(void **state)
{
    (void)state;
    assert_true(contains("192.0.2.0/24", "192.0.2.255"));
    assert_true(contains("192.0.2.0/24", "192.0.2.128/25"));
    assert_true(contains("192.0.2.0/24", "192.0.2.0/24"));
    assert_false(contains("192.0.2.0/24", "192.0.2.0/23"));
    assert_false(contains("192.0.2.0/24", "192.0.3.0"));
    assert_true(contains("0.0.0.0/0", "203.0.113.1"));
    assert_true(contains("192.0.2.1", "192.0.2.1"));
    assert_false(contains("192.0.2.1", "192.0.2.2"));
    assert_true(contains("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(contains("2001:db8::/32", "2001:db9::1"));
    assert_false(contains("::/0", "192.0.2.1"));         /* families differ */
    assert_false(contains("0.0.0.0/0", "2001:db8::1"));
    assert_true(contains("192.0.2.0/24", "::ffff:192.0.2.9")); /* mapped = v4 */
    assert_false(contains("spam.example", "spam.example"));    /* not CIDRs */
    assert_false(contains("*.spam.example", "a.spam.example"));
}

static bool special(const char *text)
{
    struct dx_key k;
    if (dx_key_parse(text, &k))
        fail_msg("cannot parse %s", text);
    return dx_key_is_special(&k);
}

static void test_special_covers_every_range_never_listed(void **state)
{
    (void)state;
    /* each never-list range of dnsxl.conf(5): first, last address and the range itself */
    static const char *const ranges[][3] = {
        { "0.0.0.0/8", "0.0.0.0", "0.255.255.255" },
        { "10.0.0.0/8", "10.0.0.0", "10.255.255.255" },
        { "100.64.0.0/10", "100.64.0.0", "100.127.255.255" },
        { "127.0.0.0/8", "127.0.0.1", "127.255.255.255" },
        { "169.254.0.0/16", "169.254.0.0", "169.254.255.255" },
        { "172.16.0.0/12", "172.16.0.0", "172.31.255.255" },
        { "192.168.0.0/16", "192.168.0.0", "192.168.255.255" },
        { "224.0.0.0/4", "224.0.0.0", "239.255.255.255" },
        { "240.0.0.0/4", "240.0.0.0", "255.255.255.255" },
        { "::/128", "::", "::" },
        { "::1/128", "::1", "::1" },
        { "fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "ff00::/8", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        for (size_t j = 0; j < 3; j++)
            if (!special(ranges[i][j]))
                fail_msg("%s should be special", ranges[i][j]);
    /* just outside */
    static const char *const outside[] = {
        "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
        "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0",
        "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
        "223.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.1", "8.8.8.8",
        "::2", "2001:db8::1", "2a00:1450::1", "fbff:ffff::1", "fe00::", "fec0::1",
        "feff::1", "192.0.2.0/24", "2001:db8::/32",
    };
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
        if (special(outside[i]))
            fail_msg("%s should not be special", outside[i]);
    /* ranges overlapping a special one */
    assert_true(special("0.0.0.0/0"));
    assert_true(special("8.0.0.0/6"));          /* contains 10/8 */
    assert_true(special("172.0.0.0/8"));        /* contains 172.16/12 */
    assert_true(special("::/0"));
    assert_true(special("::/127"));             /* contains :: and ::1 */
    assert_true(special("::ffff:10.1.1.1"));    /* mapped */
    assert_false(special("spam.example"));
}

static void test_localhost_is_127_0_0_1_or_a_range_holding_it(void **state)
{
    (void)state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("127.0.0.1", &k), 0);
    assert_true(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("::ffff:127.0.0.1", &k), 0);
    assert_true(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("127.0.0.0/8", &k), 0);
    assert_true(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("0.0.0.0/0", &k), 0);
    assert_true(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("127.0.0.2", &k), 0);
    assert_false(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("127.0.0.2/31", &k), 0);
    assert_false(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("::1", &k), 0);
    assert_false(dx_key_is_localhost(&k));
    assert_int_equal(dx_key_parse("localhost", &k), 0);
    assert_false(dx_key_is_localhost(&k));
}

struct collect {
    char out[16][DX_KEY_TEXT_MAX];
    size_t n;
    size_t stop_after;
};

static int collect_cb(void *arg, const struct dx_key *k)
{
    struct collect *c = arg;
    if (c->n >= 16)
        return -1;
    dx_key_format(k, c->out[c->n], sizeof(c->out[0]));
    c->n++;
    if (c->stop_after && c->n == c->stop_after)
        return 42;
    return 0;
}

static void range(int af, const char *lo, const char *hi, struct collect *c, int want_rc)
{
    uint8_t a[16], b[16];
    size_t len = af == AF_INET ? 4 : 16;
    assert_int_equal(inet_pton(af, lo, a), 1);
    assert_int_equal(inet_pton(af, hi, b), 1);
    assert_int_equal(dx_key_range_to_cidrs(a, b, len, collect_cb, c), want_rc);
}

static void expect_cidrs(const struct collect *c, const char *const *want, size_t n)
{
    if (c->n != n)
        fail_msg("got %zu CIDRs, want %zu (first '%s')", c->n, n, c->n ? c->out[0] : "");
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c->out[i], want[i]);
}

static void test_range_to_cidrs_gives_the_fewest_cidrs_in_order(void **state)
{
    (void)state;
    struct collect c = { .n = 0 };
    range(AF_INET, "10.0.0.1", "10.0.0.6", &c, 0);
    static const char *const w1[] = { "10.0.0.1", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6" };
    expect_cidrs(&c, w1, 4);

    memset(&c, 0, sizeof(c));
    range(AF_INET, "0.0.0.0", "255.255.255.255", &c, 0);
    static const char *const w2[] = { "0.0.0.0/0" };
    expect_cidrs(&c, w2, 1);

    memset(&c, 0, sizeof(c));
    range(AF_INET, "192.0.2.7", "192.0.2.7", &c, 0);
    static const char *const w3[] = { "192.0.2.7" };
    expect_cidrs(&c, w3, 1);

    memset(&c, 0, sizeof(c));
    range(AF_INET, "192.0.2.0", "192.0.3.255", &c, 0);
    static const char *const w4[] = { "192.0.2.0/23" };
    expect_cidrs(&c, w4, 1);

    memset(&c, 0, sizeof(c));
    range(AF_INET, "255.255.255.254", "255.255.255.255", &c, 0);
    static const char *const w5[] = { "255.255.255.254/31" };
    expect_cidrs(&c, w5, 1);

    memset(&c, 0, sizeof(c));
    c.stop_after = 32;           /* 0.0.0.0/1, 128.0.0.0/2, ... 255.255.255.254/32 */
    range(AF_INET, "0.0.0.0", "255.255.255.254", &c, -1);   /* collector is full at 16 */
    assert_int_equal(c.n, 16);
    assert_string_equal(c.out[0], "0.0.0.0/1");
    assert_string_equal(c.out[1], "128.0.0.0/2");
    assert_string_equal(c.out[15], "255.254.0.0/16");

    memset(&c, 0, sizeof(c));
    range(AF_INET6, "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", &c, 0);
    static const char *const w6[] = { "2001:db8::/64" };
    expect_cidrs(&c, w6, 1);

    memset(&c, 0, sizeof(c));
    range(AF_INET6, "2001:db8::1", "2001:db8::4", &c, 0);
    static const char *const w7[] = { "2001:db8::1", "2001:db8::2/127", "2001:db8::4" };
    expect_cidrs(&c, w7, 3);

    memset(&c, 0, sizeof(c));
    range(AF_INET6, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &c, 0);
    static const char *const w8[] = { "::/0" };
    expect_cidrs(&c, w8, 1);

    /* callback's non-zero value stops the walk */
    memset(&c, 0, sizeof(c));
    c.stop_after = 2;
    range(AF_INET, "10.0.0.1", "10.0.0.6", &c, 42);
    assert_int_equal(c.n, 2);

    /* lo > hi, bad length */
    memset(&c, 0, sizeof(c));
    range(AF_INET, "10.0.0.6", "10.0.0.1", &c, DX_EINVAL);
    assert_int_equal(c.n, 0);
    assert_int_equal(dx_key_range_to_cidrs((const uint8_t *)"abcdefgh", (const uint8_t *)"abcdefgh", 8,
                                           collect_cb, &c), DX_EINVAL);
}

/* ---- keys from the labels of a query name ---------------------------- */

struct qname {
    uint8_t wire[256];
    uint8_t off[128];
    unsigned n;
};

/* "2.0.0.127" (the labels below the apex) in wire form, with label offsets. */
static void qname(const char *text, struct qname *q)
{
    size_t w = 0;
    q->n = 0;
    for (const char *p = text; *p;) {
        size_t l = strcspn(p, ".");
        q->off[q->n++] = (uint8_t)w;
        q->wire[w++] = (uint8_t)l;
        memcpy(q->wire + w, p, l);
        w += l;
        p += l;
        if (*p)
            p++;
    }
    q->off[q->n] = (uint8_t)w;
    q->wire[w] = 0;
}

static void label_key(const char *labels, bool domain, const char *want)
{
    struct qname q;
    struct dx_key k;
    qname(labels, &q);
    bool ok = dx_key_from_labels(q.wire, q.off, q.n, domain, &k);
    if (!want) {
        if (ok)
            fail_msg("'%s' should be no key", labels);
        return;
    }
    if (!ok)
        fail_msg("'%s' is no key, want %s", labels, want);
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(&k, buf, sizeof(buf));
    if (strcmp(buf, want) != 0)
        fail_msg("'%s' -> '%s', want '%s'", labels, buf, want);
}

static void test_key_from_labels_reads_reversed_addresses_and_names(void **state)
{
    (void)state;
    label_key("2.0.0.127", false, "127.0.0.2");
    label_key("1.2.0.192", false, "192.0.2.1");
    label_key("255.255.255.255", false, "255.255.255.255");
    label_key("0.0.0.0", false, "0.0.0.0");
    label_key("02.0.0.127", false, NULL);             /* leading zero */
    label_key("256.0.0.127", false, NULL);
    label_key("2.0.127", false, NULL);                /* 3 labels: a prefix, no key */
    label_key("1.2.3.4.5", false, NULL);
    label_key("a.0.0.127", false, NULL);
    label_key("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", false, NULL); /* 28 */
    label_key("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", false,
              "2001:db8::1");
    label_key("f.e.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", false,
              "2001:db8::ef");
    label_key("F.e.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", false, NULL);
    /* IPv4-mapped: the IPv4 key */
    label_key("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", false,
              "127.0.0.2");
    label_key("spam.example", true, "spam.example");
    label_key("a-b._x.0", true, "a-b._x.0");
    label_key("2.0.0.127", true, "2.0.0.127");        /* a domain zone: a name */
    label_key("*.example", true, NULL);               /* a literal '*' label */
    label_key("sp@m.example", true, NULL);
    /* at most 253 characters */
    char name[300];
    for (int i = 0; i < 127; i++) {
        name[2 * i] = 'b';
        name[2 * i + 1] = '.';
    }
    name[253] = 0;
    label_key(name, true, name);
    name[253] = 'c';
    name[254] = 0;
    label_key(name, true, NULL);
}

static void test_key_prefixes_from_labels_name_the_ranges_above_a_key(void **state)
{
    (void)state;
    struct qname q;
    struct dx_key k[2];
    char buf[DX_KEY_TEXT_MAX];
    qname("0.0.127", &q);           /* both an IPv4 /24 and an IPv6 /12 */
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 1);
    dx_key_format(&k[0], buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.0/24");
    qname("1.2", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 2);
    dx_key_format(&k[0], buf, sizeof(buf));
    assert_string_equal(buf, "2.1.0.0/16");
    dx_key_format(&k[1], buf, sizeof(buf));
    assert_string_equal(buf, "2100::/8");
    qname("8.b.d.0.1.0.0.2", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 1);
    assert_int_equal(k[0].family, DX_FAM_V6);
    dx_key_format(&k[0], buf, sizeof(buf));
    assert_string_equal(buf, "2001:db8::/32");
    /* 24 nibbles of ::ffff:0:0/96 stay an IPv6 prefix */
    qname("f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 1);
    assert_int_equal(k[0].family, DX_FAM_V6);
    assert_int_equal(k[0].plen, 96);
    /* 4 decimal labels are a key, not a prefix; names are neither */
    qname("1.2.3.4", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 1);   /* IPv6 /16 */
    assert_int_equal(k[0].family, DX_FAM_V6);
    qname("10.2.3", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 1);
    assert_int_equal(k[0].family, DX_FAM_V4);
    qname("spam.example", &q);
    assert_int_equal(dx_key_prefixes_from_labels(q.wire, q.off, q.n, k), 0);
}

/* ---- addresses (dx_addr_parse) ------------------------------------------ */

static void test_addr_parse_reads_one_address_of_the_family_asked(void **state)
{
    (void)state;
    uint8_t a[16];
    static const uint8_t v4[4] = { 192, 0, 2, 1 };
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
    assert_int_equal(dx_addr_parse("192.0.2.1", 0, a), DX_FAM_V4);
    assert_memory_equal(a, v4, 4);
    assert_int_equal(dx_addr_parse("192.0.2.1", DX_FAM_V4, a), DX_FAM_V4);
    assert_int_equal(dx_addr_parse("2001:db8::1", 0, a), DX_FAM_V6);
    assert_memory_equal(a, v6, 16);
    assert_int_equal(dx_addr_parse("2001:DB8:0::1", DX_FAM_V6, a), DX_FAM_V6);
    assert_memory_equal(a, v6, 16);
    /* a mapped address stays IPv6 (dx_key_parse maps it) */
    assert_int_equal(dx_addr_parse("::ffff:192.0.2.1", 0, a), DX_FAM_V6);
    assert_memory_equal(a, mapped, 16);
    /* only the family asked */
    assert_int_equal(dx_addr_parse("192.0.2.1", DX_FAM_V6, a), DX_EINVAL);
    assert_int_equal(dx_addr_parse("::1", DX_FAM_V4, a), DX_EINVAL);
    /* one address, as inet_pton reads it: no prefix, leading zeros, names, blanks */
    static const char *const bad[] = {
        "", "192.0.2.1/32", "192.0.2.01", "192.0.2", "192.0.2.256", "1.2.3.4.5", " 192.0.2.1",
        "192.0.2.1 ", "localhost", "[::1]", "::1::", "2001:db8::/32", "::1%lo", "0x7f.0.0.1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (dx_addr_parse(bad[i], 0, a) != DX_EINVAL)
            fail_msg("'%s' should be refused", bad[i]);
    assert_int_equal(dx_addr_parse(NULL, 0, a), DX_EINVAL);
}

/* dx_key_up walks from a key to every wider key that could cover it, as
 * dnsxld's most-specific-entry rule does: prefixes one bit shorter down
 * to /0, the wildcards of a name's ancestors up to the TLD. */
static void expect_up(const char *from, const char *const *want, size_t n)
{
    struct dx_key k;
    assert_int_equal(dx_key_parse(from, &k), 0);
    for (size_t i = 0; i < n; i++) {
        if (!dx_key_up(&k))
            fail_msg("%s: stopped after %zu steps, want %s", from, i, want[i]);
        char buf[DX_KEY_TEXT_MAX];
        assert_true(dx_key_format(&k, buf, sizeof(buf)) > 0);
        if (strcmp(buf, want[i]) != 0)
            fail_msg("%s: step %zu is %s, want %s", from, i + 1, buf, want[i]);
    }
}

static void test_up_widens_by_one_bit_or_one_label(void **state)
{
    (void)state;
    static const char *const v4[] = { "192.0.2.0/31", "192.0.2.0/30", "192.0.2.0/29" };
    expect_up("192.0.2.1", v4, 3);
    static const char *const name[] = { "*.b.example", "*.example" };
    expect_up("a.b.example", name, 2);
    expect_up("*.a.b.example", name, 2);
    struct dx_key k;
    assert_int_equal(dx_key_parse("0.0.0.0/1", &k), 0);
    assert_true(dx_key_up(&k));
    assert_int_equal(k.plen, 0);
    assert_false(dx_key_up(&k));                 /* /0: the top */
    assert_int_equal(dx_key_parse("example", &k), 0);
    assert_false(dx_key_up(&k));                 /* a TLD: no parent wildcard */
    assert_int_equal(dx_key_parse("2001:db8::/33", &k), 0);
    assert_true(dx_key_up(&k));
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(&k, buf, sizeof(buf));
    assert_string_equal(buf, "2001:db8::/32");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_parse_reads_ipv4_addresses_and_cidrs),
        cmocka_unit_test(test_key_parse_reads_ipv6_addresses_and_cidrs),
        cmocka_unit_test(test_key_parse_turns_ipv4_mapped_ipv6_into_ipv4),
        cmocka_unit_test(test_key_parse_reads_names_and_wildcards),
        cmocka_unit_test(test_key_parse_for_takes_only_what_the_zone_kind_holds),
        cmocka_unit_test(test_hostbits_message_offers_the_network),
        cmocka_unit_test(test_too_wide_compares_with_the_shortest_prefix),
        cmocka_unit_test(test_widen_shortens_the_prefix_and_clears_host_bits),
        cmocka_unit_test(test_up_widens_by_one_bit_or_one_label),
        cmocka_unit_test(test_format_into_a_small_buffer_says_so),
        cmocka_unit_test(test_contains_is_a_prefix_match_of_one_family),
        cmocka_unit_test(test_special_covers_every_range_never_listed),
        cmocka_unit_test(test_localhost_is_127_0_0_1_or_a_range_holding_it),
        cmocka_unit_test(test_range_to_cidrs_gives_the_fewest_cidrs_in_order),
        cmocka_unit_test(test_addr_parse_reads_one_address_of_the_family_asked),
        cmocka_unit_test(test_key_from_labels_reads_reversed_addresses_and_names),
        cmocka_unit_test(test_key_prefixes_from_labels_name_the_ranges_above_a_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
