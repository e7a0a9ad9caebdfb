/* Unit tests: dnsxld/cookie.c (RFC 7873 cookies, RFC 9018 server cookies):
 * the known-answer vectors of RFC 9018 Appendix A, the time window, the
 * renewal, rotation through dx_cookie_setup, the option lengths the parser
 * accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsxld/cookie.h"
#include "dnsxld/wire.h"
#include "zones/err.h"
#include "zones/secret.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
    assert_int_equal(dx_hex_decode(s, strlen(s), out, n), 0);
}

static size_t ip_of(const char *text, uint8_t ip[16])
{
    if (inet_pton(AF_INET, text, ip) == 1)
        return 4;
    assert_int_equal(inet_pton(AF_INET6, text, ip), 1);
    return 16;
}

static struct dx_cookie_keys keys(const char *cur, const char *prev, uint64_t prev_until)
{
    struct dx_cookie_keys k;
    memset(&k, 0, sizeof(k));
    hex(cur, k.cur, 16);
    if (prev) {
        hex(prev, k.prev, 16);
        k.has_prev = true;
        k.prev_until = prev_until;
    }
    return k;
}

/* Check the query cookie qhex from ip at now; the state, and the reply's
 * cookie must be rhex. */
static void check(const struct dx_cookie_keys *k, const char *qhex, const char *ip_text,
                  uint64_t now, enum dx_cookie_state want, const char *rhex)
{
    uint8_t q[40], ip[16], reply[DX_COOKIE_REPLY], want_reply[DX_COOKIE_REPLY];
    size_t qlen = strlen(qhex) / 2;
    hex(qhex, q, qlen);
    size_t iplen = ip_of(ip_text, ip);
    assert_int_equal(dx_cookie_check(k, q, qlen, ip, iplen, now, reply), want);
    if (rhex) {
        hex(rhex, want_reply, sizeof(want_reply));
        assert_memory_equal(reply, want_reply, sizeof(reply));
    }
}

#define S1 "e5e973e5a6b2a43f48e7dc849e37bfcf"
#define S_OLD "dd3bdf9344b678b185a6f5cb60fca715"
#define S_NEW "445536bcd2513298075a5d379663c962"

/* RFC 9018 A.1 - A.4, as a server makes them */
static void test_rfc9018_vectors_make(void **state)
{
    (void)state;
    static const struct {
        const char *secret, *cc, *ip;
        uint32_t ts;
        const char *sc;
    } v[] = {
        { S1, "2464c4abcf10c957", "198.51.100.100", 1559731985, "010000005cf79f111f8130c3eee29480" },
        { S1, "2464c4abcf10c957", "198.51.100.100", 1559734385, "010000005cf7a871d4a564a1442aca77" },
        { S1, "fc93fc62807ddb86", "203.0.113.203", 1559734700, "010000005cf7a9acf73a7810aca2381e" },
        { S_NEW, "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961,
          "010000005cf7c609a6bb79d16625507a" },
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t secret[16], cc[8], ip[16], want[16], got[16];
        hex(v[i].secret, secret, 16);
        hex(v[i].cc, cc, 8);
        hex(v[i].sc, want, 16);
        size_t iplen = ip_of(v[i].ip, ip);
        dx_cookie_make(secret, cc, v[i].ts, ip, iplen, got);
        assert_memory_equal(got, want, 16);
    }
}

/* The same exchanges as the server's check sees them. */
static void test_rfc9018_vectors_check(void **state)
{
    (void)state;
    struct dx_cookie_keys k = keys(S1, NULL, 0);
    /* A.1: a client cookie alone gets a new server cookie */
    check(&k, "2464c4abcf10c957", "198.51.100.100", 1559731985, DX_COOKIE_CLIENT_ONLY,
          "2464c4abcf10c957010000005cf79f111f8130c3eee29480");
    /* A.2: 40 minutes later it is valid, and renewed */
    check(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100", 1559734385,
          DX_COOKIE_RENEWED, "2464c4abcf10c957010000005cf7a871d4a564a1442aca77");
    /* A.3: reserved octets set by another server of the anycast set are part
     * of the hash; that cookie is 1 h 52 min old here, past our hour, so it
     * is not accepted, and the reply carries the new one of the RFC */
    check(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203", 1559734700,
          DX_COOKIE_BAD, "fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e");
    /* ... within the hour the same bytes are valid, and echoed
     * as they came: the hash covers the reserved octets too */
    check(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203",
          1559727985 + 60, DX_COOKIE_VALID, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5");
    /* A.4: made with the previous secret, 144 s ago, after the rotation: valid,
     * and the reply's cookie is made with the new secret */
    struct dx_cookie_keys rolled = keys(S_NEW, S_OLD, 1559741961 + 10);
    check(&rolled, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
          "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, DX_COOKIE_RENEWED,
          "22681ab97d52c298010000005cf7c609a6bb79d16625507a");
    /* the old secret is no longer accepted once its hour after the rotation is over */
    rolled.prev_until = 1559741961;
    check(&rolled, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
          "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, DX_COOKIE_BAD,
          "22681ab97d52c298010000005cf7c609a6bb79d16625507a");
}

static void fresh(const struct dx_cookie_keys *k, const char *cc, const char *ip, uint32_t ts,
                  char out[2 * DX_COOKIE_REPLY + 1])
{
    uint8_t c[8], a[16], sc[16];
    hex(cc, c, 8);
    size_t n = ip_of(ip, a);
    dx_cookie_make(k->cur, c, ts, a, n, sc);
    snprintf(out, 17, "%s", cc);
    for (int i = 0; i < 16; i++)
        snprintf(out + 16 + 2 * i, 3, "%02x", sc[i]);
}

static void test_time_window_and_renewal(void **state)
{
    (void)state;
    struct dx_cookie_keys k = keys(S1, NULL, 0);
    const uint32_t t = 1800000000u;
    char q[2 * DX_COOKIE_REPLY + 1];
    fresh(&k, "0102030405060708", "192.0.2.1", t, q);
    check(&k, q, "192.0.2.1", t, DX_COOKIE_VALID, q);               /* echoed as it came */
    check(&k, q, "192.0.2.1", t + 1799, DX_COOKIE_VALID, q);
    check(&k, q, "192.0.2.1", t + 1800, DX_COOKIE_RENEWED, NULL);   /* half an hour: re-issued */
    check(&k, q, "192.0.2.1", t + 3600, DX_COOKIE_RENEWED, NULL);   /* the last second it holds */
    check(&k, q, "192.0.2.1", t + 3601, DX_COOKIE_BAD, NULL);
    check(&k, q, "192.0.2.1", t - 300, DX_COOKIE_VALID, q);         /* 5 min ahead of our clock */
    check(&k, q, "192.0.2.1", t - 301, DX_COOKIE_BAD, NULL);
    /* another address, another client cookie, a flipped bit: not ours */
    check(&k, q, "192.0.2.2", t, DX_COOKIE_BAD, NULL);
    q[0] = '1';
    check(&k, q, "192.0.2.1", t, DX_COOKIE_BAD, NULL);
    q[0] = '0';
    q[47] = q[47] == '0' ? '1' : '0';
    check(&k, q, "192.0.2.1", t, DX_COOKIE_BAD, NULL);
    /* the 32-bit timestamp wraps: serial number arithmetic */
    fresh(&k, "0102030405060708", "192.0.2.1", 0xfffffff0u, q);
    check(&k, q, "192.0.2.1", UINT64_C(0x100000000) + 100, DX_COOKIE_VALID, q);
}

static void test_server_cookies_not_ours_are_bad(void **state)
{
    (void)state;
    struct dx_cookie_keys k = keys(S1, NULL, 0);
    /* 8 octets of server cookie (RFC 7873 allows 8..32): never one of ours */
    check(&k, "01020304050607081112131415161718", "192.0.2.1", 1800000000, DX_COOKIE_BAD, NULL);
    /* version 2 */
    char q[2 * DX_COOKIE_REPLY + 1];
    fresh(&k, "0102030405060708", "192.0.2.1", 1800000000, q);
    q[17] = '2';
    check(&k, q, "192.0.2.1", 1800000000, DX_COOKIE_BAD, NULL);
    /* whatever came, the reply has the client cookie and a new server cookie */
    uint8_t qb[40] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ip[4] = { 192, 0, 2, 1 }, r[DX_COOKIE_REPLY];
    assert_int_equal(dx_cookie_check(&k, qb, 40, ip, 4, 1800000000, r), DX_COOKIE_BAD);
    assert_memory_equal(r, qb, 8);
    assert_int_equal(r[8], 1);
    assert_int_equal(dx_be32(r + 12), 1800000000u);
}

static void test_option_lengths(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 64; n++)
        assert_int_equal(dx_cookie_len_ok(n) != 0, n == 8 || (n >= 16 && n <= 40));
}

/* A query with one OPT holding the given options. */
static size_t query_with_opts(uint8_t *b, size_t cap, const uint8_t *opts, size_t optlen)
{
    struct dx_bytes w;
    dx_bytes_writer(&w, b, cap);
    static const uint8_t hdr[12] = { 0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
    dx_put(&w, hdr, 12);
    static const uint8_t qn[] = { 1, 'x', 0, 0, 1, 0, 1 };
    dx_put(&w, qn, sizeof(qn));
    dx_put_u8(&w, 0);
    dx_put_u16(&w, DX_T_OPT);
    dx_put_u16(&w, 1232);
    dx_put_u32(&w, 0);
    dx_put_u16(&w, (uint16_t)optlen);
    dx_put(&w, opts, optlen);
    assert_int_equal(w.err, 0);
    return w.pos;
}

static void test_parser_takes_well_formed_cookies_only(void **state)
{
    (void)state;
    uint8_t b[200], opts[60];
    struct dx_msg m;
    for (size_t n = 0; n <= 44; n++) {
        dx_set_be16(opts, DX_OPT_COOKIE);
        dx_set_be16(opts + 2, (uint16_t)n);
        for (size_t i = 0; i < n; i++)
            opts[4 + i] = (uint8_t)(i + 1);
        size_t len = query_with_opts(b, sizeof(b), opts, 4 + n);
        int rc = dx_msg_parse(b, len, &m);
        if (n == 8 || (n >= 16 && n <= 40)) {
            assert_int_equal(rc, 0);
            assert_int_equal(m.cookie_len, n);
            assert_memory_equal(m.cookie, opts + 4, n);
        } else {
            assert_int_equal(rc, DX_EINVAL);            /* FORMERR, with an OPT */
            assert_true(m.has_opt);
            assert_int_equal(m.cookie_len, 0);
        }
    }
    /* two COOKIE options: FORMERR; another option around one: fine */
    uint8_t two[24] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(dx_msg_parse(b, query_with_opts(b, sizeof(b), two, 24), &m), DX_EINVAL);
    uint8_t other[20] = { 0, 8, 0, 4, 0, 1, 0, 0, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(dx_msg_parse(b, query_with_opts(b, sizeof(b), other, 20), &m), 0);
    assert_int_equal(m.cookie_len, 8);
    /* no OPT options at all: no cookie */
    assert_int_equal(dx_msg_parse(b, query_with_opts(b, sizeof(b), NULL, 0), &m), 0);
    assert_int_equal(m.cookie_len, 0);
}

/* --- dx_cookie_setup: the secret file, reloads, rotation ------------------ */

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-cookie-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static char *secret_file(const char *name, const char *text, mode_t mode)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static void conf_with(struct dx_conf *c, const char *path)
{
    memset(c, 0, sizeof(*c));
    c->server.cookie_secret = (char *)path;
}

static void test_setup_reads_and_rotates_the_secret(void **state)
{
    (void)state;
    char err[256];
    struct dx_conf a, b, c, d;
    uint8_t s1[16], s_new[16];
    hex(S1, s1, 16);
    hex(S_NEW, s_new, 16);

    conf_with(&a, secret_file("k", S1 "\n", 0600));
    assert_int_equal(dx_cookie_setup(&a, NULL, 1000, err, sizeof(err)), 0);
    assert_memory_equal(a.server.cookie.cur, s1, 16);
    assert_false(a.server.cookie.has_prev);

    /* the same secret again (a SIGHUP without a change): no rotation */
    conf_with(&b, secret_file("k", "  " S1 "  \n", 0400));
    assert_int_equal(dx_cookie_setup(&b, &a, 2000, err, sizeof(err)), 0);
    assert_memory_equal(b.server.cookie.cur, s1, 16);
    assert_false(b.server.cookie.has_prev);

    /* a new secret: rotated, the old one accepted for an hour */
    conf_with(&c, secret_file("k", S_NEW, 0600));
    assert_int_equal(dx_cookie_setup(&c, &b, 3000, err, sizeof(err)), 0);
    assert_memory_equal(c.server.cookie.cur, s_new, 16);
    assert_true(c.server.cookie.has_prev);
    assert_memory_equal(c.server.cookie.prev, s1, 16);
    assert_int_equal(c.server.cookie.prev_until, 3000 + DX_COOKIE_ROTATION);

    /* reloaded again unchanged: the rotation's hour goes on, not restarted */
    conf_with(&d, secret_file("k", S_NEW, 0600));
    assert_int_equal(dx_cookie_setup(&d, &c, 3500, err, sizeof(err)), 0);
    assert_true(d.server.cookie.has_prev);
    assert_int_equal(d.server.cookie.prev_until, 3000 + DX_COOKIE_ROTATION);
}

static void test_without_a_file_the_random_secret_survives_reloads(void **state)
{
    (void)state;
    char err[256];
    struct dx_conf a, b, c;
    conf_with(&a, NULL);
    conf_with(&b, NULL);
    conf_with(&c, NULL);
    assert_int_equal(dx_cookie_setup(&a, NULL, 1000, err, sizeof(err)), 0);
    assert_int_equal(dx_cookie_setup(&b, NULL, 1000, err, sizeof(err)), 0);
    assert_memory_not_equal(a.server.cookie.cur, b.server.cookie.cur, 16);  /* random per start */
    assert_int_equal(dx_cookie_setup(&c, &a, 2000, err, sizeof(err)), 0);
    assert_memory_equal(c.server.cookie.cur, a.server.cookie.cur, 16);
    assert_false(c.server.cookie.has_prev);
}

static void test_bad_secret_files_are_refused(void **state)
{
    (void)state;
    char err[512];
    struct dx_conf a, old;
    conf_with(&old, NULL);
    assert_int_equal(dx_cookie_setup(&old, NULL, 1000, err, sizeof(err)), 0);

    conf_with(&a, secret_file("open", S1, 0644));
    assert_int_equal(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "open to others"));
    assert_non_null(strstr(err, "/open"));
    conf_with(&a, secret_file("group", S1, 0660));
    assert_int_equal(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "writable by its group"));

    static const char *const bad[] = { "e5e973e5a6b2a43f48e7dc849e37bfc", S1 "0", "xyz", S1 " " S1,
                                       "e5e973e5a6b2a43f48e7dc849e37bfcg" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        conf_with(&a, secret_file("bad", bad[i], 0600));
        assert_int_equal(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)), DX_EINVAL);
        assert_non_null(strstr(err, "expected 32 hex digits"));
    }
    conf_with(&a, secret_file("empty", "\n", 0600));
    assert_int_equal(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "empty"));

    char missing[128];
    snprintf(missing, sizeof(missing), "%s/none", g_dir);
    conf_with(&a, missing);
    assert_true(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "No such file"));
    conf_with(&a, g_dir);                    /* a directory */
    assert_int_equal(dx_cookie_setup(&a, &old, 1000, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc9018_vectors_make),
        cmocka_unit_test(test_rfc9018_vectors_check),
        cmocka_unit_test(test_time_window_and_renewal),
        cmocka_unit_test(test_server_cookies_not_ours_are_bad),
        cmocka_unit_test(test_option_lengths),
        cmocka_unit_test(test_parser_takes_well_formed_cookies_only),
        cmocka_unit_test(test_setup_reads_and_rotates_the_secret),
        cmocka_unit_test(test_without_a_file_the_random_secret_survives_reloads),
        cmocka_unit_test(test_bad_secret_files_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
