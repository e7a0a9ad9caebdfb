/* Unit tests: the plain list parser and the import record set (loader/import.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/import.h"
#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/store.h"

struct fx {
    struct dx_imp_set s;
    char err[256];
};

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    dx_imp_set_init(&f.s);
    assert_int_equal(dx_imp_add_file(&f.s, "a.txt"), 0);
    assert_int_equal(dx_imp_add_file(&f.s, "b.txt"), 1);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_imp_set_free(&f->s);
    return 0;
}

static int parse(struct fx *f, uint16_t file, const char *text, bool ip_zone)
{
    f->err[0] = 0;
    return dx_imp_parse_plain(&f->s, file, text, strlen(text), ip_zone, f->err, sizeof(f->err));
}

/* key text, flags and line of record i */
static void rec_is(struct fx *f, size_t i, const char *key, uint8_t flags, uint32_t line)
{
    assert_true(i < f->s.n);
    struct dx_key k;
    char buf[DX_KEY_TEXT_MAX];
    dx_imp_key(&f->s, &f->s.recs[i], &k);
    assert_true(dx_key_format(&k, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, key);
    assert_int_equal(f->s.recs[i].flags, flags);
    assert_int_equal(f->s.recs[i].line, line);
    assert_int_equal(f->s.recs[i].code, 0);
    assert_null(dx_imp_txt(&f->s, &f->s.recs[i]));
}

static void test_plain_ip_good(void **state)
{
    struct fx *f = *state;
    const char *in =
        "# a comment\n"                 /* 1 */
        "192.0.2.1\n"                   /* 2 */
        "\n"                            /* 3 */
        "   ; another comment\n"        /* 4 */
        "198.51.100.0/24\n"             /* 5 */
        "\t2001:db8::1   # trailing\n"  /* 6 */
        "2001:DB8:1::/48 ; trailing\n"  /* 7 */
        "!198.51.100.7\n"               /* 8 */
        "   \t  \n"                     /* 9 */
        "::ffff:192.0.2.9\n"            /* 10 */
        "203.0.113.0/24\n"              /* 11 */
        "192.0.2.200";                  /* 12: no final newline */
    assert_int_equal(parse(f, 0, in, true), 0);
    assert_int_equal(f->s.n, 8);
    rec_is(f, 0, "192.0.2.1", 0, 2);
    rec_is(f, 1, "198.51.100.0/24", 0, 5);
    rec_is(f, 2, "2001:db8::1", 0, 6);
    rec_is(f, 3, "2001:db8:1::/48", 0, 7);
    rec_is(f, 4, "198.51.100.7", DX_ENTRY_EXCLUDE, 8);
    rec_is(f, 5, "192.0.2.9", 0, 10);
    rec_is(f, 6, "203.0.113.0/24", 0, 11);
    rec_is(f, 7, "192.0.2.200", 0, 12);
    for (size_t i = 0; i < f->s.n; i++)
        assert_int_equal(f->s.recs[i].file, 0);
}

static void test_plain_crlf(void **state)
{
    struct fx *f = *state;
    const char *in = "# dos file\r\n192.0.2.1\r\n\r\n!192.0.2.2 # c\r\n192.0.2.3\r\n";
    assert_int_equal(parse(f, 1, in, true), 0);
    assert_int_equal(f->s.n, 3);
    rec_is(f, 0, "192.0.2.1", 0, 2);
    rec_is(f, 1, "192.0.2.2", DX_ENTRY_EXCLUDE, 4);
    rec_is(f, 2, "192.0.2.3", 0, 5);
    assert_int_equal(f->s.recs[2].file, 1);
}

static void test_plain_domain_good(void **state)
{
    struct fx *f = *state;
    const char *in =
        "spam.example\n"                /* 1 */
        "*.Phish.Example\n"             /* 2 */
        "!ok.spam.example\n"            /* 3 */
        "trailing-dot.example. # x\n"   /* 4 */
        "!*.fine.example\n"             /* 5 */
        "test\n";                       /* 6 */
    assert_int_equal(parse(f, 0, in, false), 0);
    assert_int_equal(f->s.n, 6);
    rec_is(f, 0, "spam.example", 0, 1);
    rec_is(f, 1, "*.phish.example", 0, 2);
    rec_is(f, 2, "ok.spam.example", DX_ENTRY_EXCLUDE, 3);
    rec_is(f, 3, "trailing-dot.example", 0, 4);
    rec_is(f, 4, "*.fine.example", DX_ENTRY_EXCLUDE, 5);
    rec_is(f, 5, "test", 0, 6);
}

static void test_plain_empty(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "", true), 0);
    assert_int_equal(parse(f, 0, "\n\n# only comments\n;\n", true), 0);
    assert_int_equal(f->s.n, 0);
}

/* Every bad-line case: error code, exact "FILE:LINE: " prefix, and nothing
 * appended from the bad line on. */
static void bad(struct fx *f, uint16_t file, const char *in, bool ip_zone, const char *prefix,
                const char *needle, size_t n_good)
{
    size_t before = f->s.n;
    assert_int_equal(parse(f, file, in, ip_zone), DX_EINVAL);
    if (strncmp(f->err, prefix, strlen(prefix)) != 0)
        fail_msg("error '%s' does not start with '%s'", f->err, prefix);
    if (!strstr(f->err, needle))
        fail_msg("error '%s' does not mention '%s'", f->err, needle);
    assert_int_equal(f->s.n - before, n_good);
}

static void test_plain_bad_lines(void **state)
{
    struct fx *f = *state;
    bad(f, 0, "192.0.2.1\n192.0.2.300\n", true, "a.txt:2: ", "bad key '192.0.2.300'", 1);
    bad(f, 0, "192.0.2.0/33\n", true, "a.txt:1: ", "bad key", 0);
    bad(f, 0, "# c\n\n192.0.2.1 spam source\n", true, "a.txt:3: ",
        "unexpected text after the key: 'spam source'", 0);
    bad(f, 0, "192.0.2.1 extra words\n", true, "a.txt:1: ", "--format ip4set", 0);
    bad(f, 0, "spam.example listed\n", false, "a.txt:1: ", "--format dnset", 0);
    /* a CIDR with host bits set: refused, with the network it may mean */
    bad(f, 0, "192.0.2.0/24\n192.0.2.65/26\n", true, "a.txt:2: ",
        "192.0.2.65/26 has host bits set: did you mean 192.0.2.64/26?", 1);
    bad(f, 0, "192.0.2.1/24\n", true, "a.txt:1: ",
        "192.0.2.1/24 has host bits set: did you mean 192.0.2.0/24?", 0);
    bad(f, 0, "!2001:db8::1/64\n", true, "a.txt:1: ",
        "2001:db8::1/64 has host bits set: did you mean 2001:db8::/64?", 0);
    bad(f, 1, "192.0.2.1\n!\n", true, "b.txt:2: ", "'!' without a key", 1);
    bad(f, 0, "192.0.2.1\r\n192.0.2.2\r\nspam.example\r\n", true, "a.txt:3: ",
        "domain name, but this is an ip zone", 2);
    bad(f, 0, "spam.example\n*.x.example\n192.0.2.1\n", false, "a.txt:3: ",
        "address, but this is a domain zone", 2);
    bad(f, 0, "1.2.3.4#comment\n", true, "a.txt:1: ", "bad key", 0);
    bad(f, 0, "\n\n\n\nfoo..example\n", false, "a.txt:5: ", "bad key", 0);
    bad(f, 0, "!!192.0.2.1\n", true, "a.txt:1: ", "bad key", 0);
    bad(f, 0, "/24\n", true, "a.txt:1: ", "bad key", 0);
    bad(f, 0, "2001:db8::/129\n", true, "a.txt:1: ", "bad key", 0);
    bad(f, 0, "sp am.example\n", false, "a.txt:1: ", "unexpected text", 0);
    bad(f, 0, "ok.example\nbad_char$.example\n", false, "a.txt:2: ", "bad key", 1);
    bad(f, 0, "192.0.2.1 192.0.2.2\n", true, "a.txt:1: ", "unexpected text", 0);

    char longkey[400];
    memset(longkey, 'a', sizeof(longkey) - 2);
    longkey[sizeof(longkey) - 2] = '\n';
    longkey[sizeof(longkey) - 1] = 0;
    bad(f, 0, longkey, false, "a.txt:1: ", "key too long", 0);

    /* a label longer than 63 octets */
    char longlabel[100];
    memset(longlabel, 'b', 64);
    strcpy(longlabel + 64, ".example\n");
    bad(f, 0, longlabel, false, "a.txt:1: ", "bad key", 0);

    /* a NUL byte inside the buffer */
    const char nul[] = "192.0.2.1\n192.0.2\0.2\n";
    size_t before = f->s.n;
    assert_int_equal(dx_imp_parse_plain(&f->s, 0, nul, sizeof(nul) - 1, true, f->err,
                                        sizeof(f->err)), DX_EINVAL);
    assert_non_null(strstr(f->err, "a.txt:2: NUL byte"));
    assert_int_equal(f->s.n - before, 1);
    /* control bytes in the echoed text are made visible */
    bad(f, 0, "192.0.2.1 \x1b[31mred\n", true, "a.txt:1: ", "'?[31mred'", 0);
}

/* A byte order mark, CR-only and mixed line ends: the same records, the
 * same line numbers as an editor shows. */
static void test_plain_bom_and_line_ends(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "\xef\xbb\xbf" "192.0.2.1\n192.0.2.2\n", true), 0);
    assert_int_equal(f->s.n, 2);
    rec_is(f, 0, "192.0.2.1", 0, 1);
    rec_is(f, 1, "192.0.2.2", 0, 2);
    /* old Mac: CR only; mixed CR, LF, CRLF; a lone CR before a CRLF is an empty line */
    assert_int_equal(parse(f, 1, "# mac\r192.0.2.3\r\r!192.0.2.4 # x\r192.0.2.5", true), 0);
    assert_int_equal(parse(f, 1, "192.0.2.6\r\n192.0.2.7\r192.0.2.8\n\r\r\n192.0.2.9", true), 0);
    assert_int_equal(f->s.n, 9);
    rec_is(f, 2, "192.0.2.3", 0, 2);
    rec_is(f, 3, "192.0.2.4", DX_ENTRY_EXCLUDE, 4);
    rec_is(f, 4, "192.0.2.5", 0, 5);
    rec_is(f, 5, "192.0.2.6", 0, 1);
    rec_is(f, 6, "192.0.2.7", 0, 2);
    rec_is(f, 7, "192.0.2.8", 0, 3);
    rec_is(f, 8, "192.0.2.9", 0, 6);
    /* errors name the line an editor shows */
    bad(f, 0, "\xef\xbb\xbf" "192.0.2.1\r192.0.2.300\r", true, "a.txt:2: ", "bad key", 1);
    bad(f, 0, "192.0.2.1\r\r\r192.0.2.256\n", true, "a.txt:4: ", "bad key '192.0.2.256'", 1);
    /* a BOM only counts at the very start */
    bad(f, 0, "192.0.2.1\n\xef\xbb\xbf" "192.0.2.2\n", true, "a.txt:2: ", "bad key", 1);
    /* UTF-16: said so */
    const char u16[] = "\xff\xfe" "1\0" "\n\0";
    assert_int_equal(dx_imp_parse_plain(&f->s, 0, u16, sizeof(u16) - 1, true, f->err,
                                        sizeof(f->err)), DX_EINVAL);
    assert_non_null(strstr(f->err, "a.txt:1: NUL byte in line (UTF-16"));
}

static void test_lines_iterator(void **state)
{
    (void)state;
    static const struct { const char *in; const char *want; } cases[] = {
        { "", "" },
        { "a", "[a]" },
        { "a\n", "[a]" },
        { "a\r\n\r\nb", "[a][][b]" },
        { "a\rb\r", "[a][b]" },
        { "\r\r", "[][]" },
        { "\xef\xbb\xbf", "" },
        { "\xef\xbb\xbf\n", "[]" },
        { "\xef\xbbx", "[\xef\xbbx]" },
        { "a\r\r\nb\n\rc", "[a][][b][][c]" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dx_imp_lines it;
        char got[64] = "";
        const char *l;
        size_t n;
        uint32_t count = 0;
        dx_imp_lines_init(&it, cases[i].in, strlen(cases[i].in));
        while (dx_imp_lines_next(&it, &l, &n)) {
            strcat(got, "[");
            strncat(got, l, n);
            strcat(got, "]");
            assert_int_equal(it.line, ++count);
        }
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: lines %s, want %s", i, got, cases[i].want);
    }
}

static void test_sort_dedup_contains(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "192.0.2.9\n192.0.2.1\n2001:db8::1\n!192.0.2.5\n192.0.2.0/24\n",
                           true), 0);
    /* b.txt lists 192.0.2.5 again, without '!': the later occurrence wins */
    assert_int_equal(parse(f, 1, "192.0.2.5\n192.0.2.1\n", true), 0);
    assert_int_equal(f->s.n, 7);
    dx_imp_sort(&f->s);
    assert_true(f->s.sorted);
    assert_int_equal(f->s.n, 5);
    rec_is(f, 0, "192.0.2.0/24", 0, 5);
    rec_is(f, 1, "192.0.2.1", 0, 2);
    assert_int_equal(f->s.recs[1].file, 1);
    rec_is(f, 2, "192.0.2.5", 0, 1);
    assert_int_equal(f->s.recs[2].file, 1);
    rec_is(f, 3, "192.0.2.9", 0, 1);
    rec_is(f, 4, "2001:db8::1", 0, 3);

    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.9", &k), 0);
    assert_true(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("192.0.2.0/24", &k), 0);
    assert_true(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("192.0.2.0/25", &k), 0);
    assert_false(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("192.0.2.0", &k), 0);
    assert_false(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("2001:db8::1", &k), 0);
    assert_true(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("2001:db8::2", &k), 0);
    assert_false(dx_imp_contains(&f->s, &k));
}

static void test_sort_domains(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "b.example\n*.b.example\na.example\nb.example\n", false), 0);
    dx_imp_sort(&f->s);
    assert_int_equal(f->s.n, 3);
    struct dx_key k;
    assert_int_equal(dx_key_parse("*.b.example", &k), 0);
    assert_true(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("b.example", &k), 0);
    assert_true(dx_imp_contains(&f->s, &k));
    assert_int_equal(dx_key_parse("c.example", &k), 0);
    assert_false(dx_imp_contains(&f->s, &k));
}

/* Keys sharing long prefixes (v6 /128s in one /64, names with a common
 * start, several prefix lengths of one address): after sorting every key
 * is found by binary search, and no duplicates remain. */
static void test_sort_mixed_prefixes(void **state)
{
    struct fx *f = *state;
    char buf[64];
    static const char *const fixed[] = {
        "ab.example", "abc.example", "abcdefgh.example", "abcdefgi.example", "a.example",
        "*.abcdefgh.example", "abcdefgh.example",
    };
    srand(7);
    for (int i = 0; i < 3000; i++) {
        struct dx_key k;
        switch (i % 3) {
        case 0:
            snprintf(buf, sizeof(buf), "2001:db8::%x:%x", rand() % 8, rand() % 4096);
            break;
        case 1:
            snprintf(buf, sizeof(buf), "192.0.%d.0/%d", rand() % 4, 22 + rand() % 11);
            break;
        default:
            snprintf(buf, sizeof(buf), "%s", fixed[rand() % 7]);
            break;
        }
        assert_int_equal(dx_key_parse_masked(buf, &k), 0);
        assert_int_equal(dx_imp_add(&f->s, &k, 0, 0, NULL, 0, (uint32_t)i + 1), 0);
    }
    struct dx_imp_set copy = f->s;   /* the unsorted keys, to look up afterwards */
    copy.recs = malloc(f->s.n * sizeof(*copy.recs));
    assert_non_null(copy.recs);
    memcpy(copy.recs, f->s.recs, f->s.n * sizeof(*copy.recs));
    dx_imp_sort(&f->s);
    assert_true(f->s.n < copy.n);
    for (size_t i = 0; i < copy.n; i++) {
        struct dx_key k;
        dx_imp_key(&f->s, &copy.recs[i], &k);
        if (!dx_imp_contains(&f->s, &k)) {
            dx_key_format(&k, buf, sizeof(buf));
            fail_msg("%s not found after sort", buf);
        }
    }
    for (size_t i = 1; i < f->s.n; i++) {
        struct dx_key a, b;
        dx_imp_key(&f->s, &f->s.recs[i - 1], &a);
        dx_imp_key(&f->s, &f->s.recs[i], &b);
        assert_false(a.family == b.family && a.plen == b.plen && a.len == b.len &&
                     memcmp(a.addr, b.addr, a.len) == 0);
    }
    free(copy.recs);
}

static void test_check_localhost(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "192.0.2.1\n!127.0.0.1\n127.0.0.2\n", true), 0);
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), 0);
    assert_int_equal(parse(f, 1, "# x\n127.0.0.0/8\n", true), 0);
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), DX_EREFUSED);
    assert_non_null(strstr(f->err, "b.txt:2: "));
    assert_non_null(strstr(f->err, "RFC 5782"));
}

static void test_check_invalid_name(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "test\n!invalid\n*.invalid\n", false), 0);
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), 0);
    assert_int_equal(parse(f, 1, "spam.example\n\nINVALID.\n", false), 0);
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), DX_EREFUSED);
    assert_non_null(strstr(f->err, "b.txt:3: "));
    assert_non_null(strstr(f->err, "RFC 5782"));
}

static void test_check_localhost_mapped(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, 0, "\n::ffff:127.0.0.1\n", true), 0);
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), DX_EREFUSED);
    assert_non_null(strstr(f->err, "a.txt:2: "));
}

/* Entries wider than the operator bounds need --force (exclusions too:
 * !0.0.0.0/0 would carve the whole list out). */
static void test_check_shortest_prefix(void **state)
{
    struct fx *f = *state;
    const struct dx_imp_policy pol = { .shortest4 = 8, .shortest6 = 16 };
    const struct dx_imp_policy force = { .shortest4 = 8, .shortest6 = 16, .force = true };
    assert_int_equal(parse(f, 0, "10.0.0.0/8\n2001::/16\nspam\n", true), DX_EINVAL);
    assert_int_equal(parse(f, 0, "10.0.0.0/8\n2001::/16\n192.0.2.1\n", true), 0);
    assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), 0);
    /* forced: 0 or, for a range holding 127.0.0.1, still refused */
    static const struct { const char *in; const char *msg; int forced; } cases[] = {
        { "\n128.0.0.0/1\n", "b.txt:2: 128.0.0.0/1 is wider than /8 (shortest-prefix in [loader]);"
                              " --force imports it", 0 },
        /* 0.0.0.0/0 holds 127.0.0.1: the RFC 5782 rule speaks first, and --force
         * does not lift it */
        { "0.0.0.0/0\n", "b.txt:1: 0.0.0.0/0: 127.0.0.1 must never be listed", DX_EREFUSED },
        { "10.0.0.0/7\n", "b.txt:1: 10.0.0.0/7 is wider than /8", 0 },
        { "::/0\n", "b.txt:1: ::/0 is wider than /16 (shortest-prefix6 in [loader])", 0 },
        { "2000::/15\n", "b.txt:1: 2000::/15 is wider than /16", 0 },
        { "!0.0.0.0/0\n", "b.txt:1: !0.0.0.0/0 is wider than /8", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dx_imp_set_free(&f->s);
        dx_imp_set_init(&f->s);
        assert_int_equal(dx_imp_add_file(&f->s, "a.txt"), 0);
        assert_int_equal(dx_imp_add_file(&f->s, "b.txt"), 1);
        assert_int_equal(parse(f, 1, cases[i].in, true), 0);
        assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), DX_EREFUSED);
        if (strncmp(f->err, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].in, f->err, cases[i].msg);
        assert_int_equal(dx_imp_check(&f->s, &force, f->err, sizeof(f->err)), cases[i].forced);
        assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), cases[i].forced);
    }
    /* --force does not lift the RFC 5782 rule */
    assert_int_equal(parse(f, 0, "127.0.0.1\n", true), 0);
    assert_int_equal(dx_imp_check(&f->s, &force, f->err, sizeof(f->err)), DX_EREFUSED);
}

/* Own TXT and codes (rbldnsd per-entry values) obey the list's rules: no
 * control character is ever served, nor a reserved code. */
static void test_check_own_values(void **state)
{
    struct fx *f = *state;
    struct dx_zone_conf z = { .name = "bl.example.org", .kind = DX_ZONE_IP,
                              .answer = DX_ANSWER_SEPARATE, .code_prefix = 0x7f000000u };
    struct dx_list_conf l = { .name = "feed", .target = "bl.example.org/feed", .zone = &z,
                              .code = 0x7f000002u };
    const struct dx_imp_policy pol = { .shortest4 = 8, .shortest6 = 16, .list = &l };
    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.1", &k), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0x7f000003u, "fine $ text", 0, 1), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0x7f000003u, "", 0, 2), 0);   /* "no TXT" */
    assert_int_equal(dx_imp_add(&f->s, &k, DX_ENTRY_EXCLUDE, 0, "ign\x01ored", 0, 3), 0);
    assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0, "back\bspace", 1, 7), 0);
    assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), DX_EINVAL);
    assert_string_equal(f->err, "b.txt:7: TXT contains a control character (0x08) at offset 4");
    /* without the list (country data, tests): not checked */
    assert_int_equal(dx_imp_check(&f->s, NULL, f->err, sizeof(f->err)), 0);

    dx_imp_set_free(&f->s);
    dx_imp_set_init(&f->s);
    assert_int_equal(dx_imp_add_file(&f->s, "a.txt"), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0x7f000001u, NULL, 0, 4), 0);
    assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), DX_EINVAL);
    if (strncmp(f->err, "a.txt:4: code 127.0.0.1 is reserved", 35) != 0)
        fail_msg("got '%s'", f->err);

    char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    dx_imp_set_free(&f->s);
    dx_imp_set_init(&f->s);
    assert_int_equal(dx_imp_add_file(&f->s, "a.txt"), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0, big, 0, 9), 0);
    assert_int_equal(dx_imp_check(&f->s, &pol, f->err, sizeof(f->err)), DX_EINVAL);
    if (!strstr(f->err, "a.txt:9: TXT can expand to 4999 octets, more than 4096"))
        fail_msg("got '%s'", f->err);
}

static void test_many_records(void **state)
{
    struct fx *f = *state;
    /* grows the record array and arena several times; keys survive */
    char line[64];
    static char buf[20000 * 20];
    size_t n = 0;
    for (unsigned i = 0; i < 20000; i++) {
        int l = snprintf(line, sizeof(line), "10.%u.%u.%u\n", i >> 16, (i >> 8) & 255, i & 255);
        memcpy(buf + n, line, (size_t)l);
        n += (size_t)l;
    }
    buf[n] = 0;
    assert_int_equal(dx_imp_parse_plain(&f->s, 0, buf, n, true, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->s.n, 20000);
    rec_is(f, 19999, "10.0.78.31", 0, 20000);
    dx_imp_sort(&f->s);
    assert_int_equal(f->s.n, 20000);
    rec_is(f, 0, "10.0.0.0", 0, 1);
}

static void test_add_with_txt(void **state)
{
    struct fx *f = *state;
    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.0/24", &k), 0);
    assert_int_equal(dx_imp_add(&f->s, &k, 0, 0x7f000348, "US", 1, 9), 0);
    assert_int_equal(f->s.n, 1);
    assert_string_equal(dx_imp_txt(&f->s, &f->s.recs[0]), "US");
    assert_int_equal(f->s.recs[0].code, 0x7f000348);
    assert_int_equal(f->s.recs[0].line, 9);
}

/* ---- dx_imp_write against a real store in a temp directory ---------------- */

struct wfx {
    char dir[64];
    struct dx_store *st;
    struct dx_imp_set s;
    char err[256];
};

static int wsetup(void **state)
{
    static struct wfx w;
    memset(&w, 0, sizeof(w));
    strcpy(w.dir, "/tmp/dx-test-import-XXXXXX");
    assert_non_null(mkdtemp(w.dir));
    assert_int_equal(dx_store_open(w.dir, 64u << 20, DX_STORE_CREATE, &w.st), 0);
    dx_imp_set_init(&w.s);
    assert_int_equal(dx_imp_add_file(&w.s, "feed.txt"), 0);
    *state = &w;
    return 0;
}

static int wteardown(void **state)
{
    struct wfx *w = *state;
    dx_imp_set_free(&w->s);
    dx_store_close(w->st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void write_set(struct wfx *w, bool replace, uint64_t now, uint64_t life,
                      const char *reason, struct dx_imp_stats *stats);

/* Parse text as the set (replacing what was there), then write it in one txn. */
static void import(struct wfx *w, const char *text, bool replace, uint64_t now, uint64_t life,
                   const char *reason, struct dx_imp_stats *stats)
{
    dx_imp_set_free(&w->s);
    dx_imp_set_init(&w->s);
    assert_int_equal(dx_imp_add_file(&w->s, "feed.txt"), 0);
    assert_int_equal(dx_imp_parse_plain(&w->s, 0, text, strlen(text), true, w->err,
                                        sizeof(w->err)), 0);
    write_set(w, replace, now, life, reason, stats);
}

/* Sort the set and write it in one txn. */
static void write_set(struct wfx *w, bool replace, uint64_t now, uint64_t life,
                      const char *reason, struct dx_imp_stats *stats)
{
    dx_imp_sort(&w->s);
    struct dx_txn *t;
    assert_int_equal(dx_txn_write(w->st, now, &t), 0);
    struct dx_imp_opts o = { .zone = "bl.example.org", .list = "feed", .now = now,
                             .lifetime = life, .reason = reason, .source = "import",
                             .replace = replace, .max_delete = 100 };
    assert_int_equal(dx_imp_write(t, &w->s, &o, stats), 0);
    assert_int_equal(dx_txn_commit(t), 0);
}

/* Parse text and run dx_imp_write with max_delete / dry_run in txn t
 * (write or read); returns its result. */
static int try_write(struct wfx *w, struct dx_txn *t, const char *text, unsigned max_delete,
                     bool dry_run, struct dx_imp_stats *st)
{
    dx_imp_set_free(&w->s);
    dx_imp_set_init(&w->s);
    assert_int_equal(dx_imp_add_file(&w->s, "feed.txt"), 0);
    assert_int_equal(dx_imp_parse_plain(&w->s, 0, text, strlen(text), true, w->err,
                                        sizeof(w->err)), 0);
    dx_imp_sort(&w->s);
    struct dx_imp_opts o = { .zone = "bl.example.org", .list = "feed", .now = 5000,
                             .lifetime = DX_FOREVER, .source = "import", .replace = true,
                             .max_delete = max_delete, .dry_run = dry_run };
    return dx_imp_write(t, &w->s, &o, st);
}

static int collect_keys(void *arg, const char *list, const struct dx_key *k,
                        const struct dx_entry *e)
{
    char *out = arg;
    char buf[DX_KEY_TEXT_MAX];
    dx_key_format(k, buf, sizeof(buf));
    strcat(out, buf);
    strcat(out, (e->flags & DX_ENTRY_EXCLUDE) ? "! " : " ");
    assert_string_equal(list, "feed");
    return 0;
}

static void list_is(struct wfx *w, const char *expect)
{
    static char got[4096];
    got[0] = 0;
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(w->st, &t), 0);
    assert_int_equal(dx_entry_foreach(t, "bl.example.org", "feed", collect_keys, got), 0);
    dx_txn_abort(t);
    assert_string_equal(got, expect);
}

static void entry_of(struct wfx *w, const char *key, struct dx_entry *e, char *reason, size_t cap)
{
    struct dx_key k;
    struct dx_txn *t;
    assert_int_equal(dx_key_parse(key, &k), 0);
    assert_int_equal(dx_txn_read(w->st, &t), 0);
    assert_int_equal(dx_entry_get(t, "bl.example.org", "feed", &k, e), 0);
    snprintf(reason, cap, "%s", e->reason ? e->reason : "");
    assert_string_equal(e->source, "import");
    e->source = e->reason = e->txt = NULL;
    dx_txn_abort(t);
}

static int hist_cb(void *arg, const struct dx_hist *h)
{
    char *out = arg;
    strcat(out, dx_hist_action_name(h->action));
    strcat(out, " ");
    return 0;
}

static void history_is(struct wfx *w, const char *key, const char *expect)
{
    char got[256] = "";
    struct dx_key k;
    struct dx_txn *t;
    assert_int_equal(dx_key_parse(key, &k), 0);
    assert_int_equal(dx_txn_read(w->st, &t), 0);
    assert_int_equal(dx_history_foreach(t, &k, hist_cb, got), 0);
    dx_txn_abort(t);
    assert_string_equal(got, expect);
}

static void test_write_add_unchanged_update(void **state)
{
    struct wfx *w = *state;
    struct dx_imp_stats st;
    import(w, "192.0.2.9\n192.0.2.0/24\n!192.0.2.7\n192.0.2.9\n", false, 1000, DX_FOREVER,
           "feed A", &st);
    assert_int_equal(st.total, 3);
    assert_int_equal(st.added, 3);
    assert_int_equal(st.updated + st.unchanged + st.deleted, 0);
    list_is(w, "192.0.2.0/24 192.0.2.7! 192.0.2.9 ");
    struct dx_entry e;
    char reason[64];
    entry_of(w, "192.0.2.9", &e, reason, sizeof(reason));
    assert_string_equal(reason, "feed A");
    assert_int_equal(e.first_seen, 1000);
    assert_int_equal(e.expires_at, 0);
    /* the first load of an empty list is its baseline: no history per entry */
    history_is(w, "192.0.2.9", "");

    /* the same again, later: nothing rewritten, first_seen kept */
    import(w, "192.0.2.9\n192.0.2.0/24\n!192.0.2.7\n", false, 2000, DX_FOREVER, "feed A", &st);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(st.added + st.updated + st.deleted, 0);
    entry_of(w, "192.0.2.9", &e, reason, sizeof(reason));
    assert_int_equal(e.last_seen, 1000);
    history_is(w, "192.0.2.9", "");

    /* a lifetime now: every entry is updated, first_seen still kept */
    import(w, "192.0.2.9\n198.51.100.1\n", false, 3000, 3600, "feed B", &st);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.deleted, 0);
    entry_of(w, "192.0.2.9", &e, reason, sizeof(reason));
    assert_int_equal(e.first_seen, 1000);
    assert_int_equal(e.last_seen, 3000);
    assert_int_equal(e.expires_at, 3000 + 3600);
    assert_string_equal(reason, "feed B");
    /* without --replace nothing is removed */
    list_is(w, "192.0.2.0/24 192.0.2.7! 192.0.2.9 198.51.100.1 ");
}

static void test_write_replace(void **state)
{
    struct wfx *w = *state;
    struct dx_imp_stats st;
    import(w, "192.0.2.1\n192.0.2.2\n192.0.2.3\n2001:db8::/32\n", false, 1000, DX_FOREVER, NULL,
           &st);
    assert_int_equal(st.added, 4);
    import(w, "192.0.2.2\n!192.0.2.3\n203.0.113.0/24\n", true, 2000, DX_FOREVER, NULL, &st);
    assert_int_equal(st.total, 3);
    assert_int_equal(st.added, 1);       /* 203.0.113.0/24 */
    assert_int_equal(st.updated, 1);     /* 192.0.2.3 became an exclusion */
    assert_int_equal(st.unchanged, 1);   /* 192.0.2.2 */
    assert_int_equal(st.deleted, 2);     /* 192.0.2.1, 2001:db8::/32 */
    list_is(w, "192.0.2.2 192.0.2.3! 203.0.113.0/24 ");
    history_is(w, "192.0.2.1", "delist ");
    history_is(w, "2001:db8::/32", "delist ");
    history_is(w, "192.0.2.2", "");
    history_is(w, "203.0.113.0/24", "list ");   /* added to a list that had entries */

    /* replace with an empty set empties the list (with no delete limit) */
    import(w, "# nothing\n", true, 3000, DX_FOREVER, NULL, &st);
    assert_int_equal(st.deleted, 3);
    list_is(w, "");
}

/* A replace that would delete more than max_delete percent of the list is
 * refused with nothing written, and the stats say what it would have done. */
static void test_write_replace_guard(void **state)
{
    struct wfx *w = *state;
    struct dx_imp_stats st;
    import(w, "192.0.2.1\n192.0.2.2\n192.0.2.3\n192.0.2.4\n", false, 1000, DX_FOREVER, NULL,
           &st);
    struct dx_txn *t;
    /* an empty file (a failed download): 4 of 4 = 100% > 50% */
    assert_int_equal(dx_txn_write(w->st, 2000, &t), 0);
    assert_int_equal(try_write(w, t, "", 50, false, &st), DX_EREFUSED);
    assert_int_equal(st.existing, 4);
    assert_int_equal(st.deleted, 4);
    assert_int_equal(st.added + st.updated + st.unchanged, 0);
    assert_int_equal(dx_txn_commit(t), 0);     /* nothing was written: commits nothing */
    list_is(w, "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 ");
    history_is(w, "192.0.2.1", "");

    /* 3 of 4 deleted (75%), one added, one kept */
    assert_int_equal(dx_txn_write(w->st, 2000, &t), 0);
    assert_int_equal(try_write(w, t, "192.0.2.4\n192.0.2.9\n", 50, false, &st), DX_EREFUSED);
    assert_int_equal(st.deleted, 3);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.unchanged, 1);
    char msg[512];
    dx_imp_refused_msg(&st, "bl.example.org/feed", 50, msg, sizeof(msg));
    if (!strstr(msg, "refusing to replace bl.example.org/feed: it would delete 3 of its 4 "
                     "entries (75%), more than replace-max-delete = 50% in [loader] allows "
                     "(and add 1, update 0, keep 1). Nothing was written") ||
        !strstr(msg, "--force"))
        fail_msg("message: %s", msg);
    dx_txn_abort(t);
    list_is(w, "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 ");

    /* exactly the share (2 of 4 = 50%) passes */
    assert_int_equal(dx_txn_write(w->st, 2000, &t), 0);
    assert_int_equal(try_write(w, t, "192.0.2.3\n192.0.2.4\n", 50, false, &st), 0);
    assert_int_equal(st.deleted, 2);
    assert_int_equal(dx_txn_commit(t), 0);
    list_is(w, "192.0.2.3 192.0.2.4 ");

    /* 0% allows no deletion at all; 100% any */
    assert_int_equal(dx_txn_write(w->st, 2000, &t), 0);
    assert_int_equal(try_write(w, t, "192.0.2.3\n", 0, false, &st), DX_EREFUSED);
    assert_int_equal(try_write(w, t, "192.0.2.3\n192.0.2.4\n192.0.2.5\n", 0, false, &st), 0);
    assert_int_equal(try_write(w, t, "", 100, false, &st), 0);
    assert_int_equal(dx_txn_commit(t), 0);
    list_is(w, "");
    /* an empty list: nothing to delete, any share passes */
    assert_int_equal(dx_txn_write(w->st, 2000, &t), 0);
    assert_int_equal(try_write(w, t, "192.0.2.7\n", 0, false, &st), 0);
    assert_int_equal(dx_txn_commit(t), 0);
    list_is(w, "192.0.2.7 ");
}

/* A dry run counts in a read txn and writes nothing. */
static void test_write_dry_run(void **state)
{
    struct wfx *w = *state;
    struct dx_imp_stats st;
    import(w, "192.0.2.1\n192.0.2.2\n192.0.2.3\n", false, 1000, DX_FOREVER, NULL, &st);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(w->st, &t), 0);
    assert_int_equal(try_write(w, t, "192.0.2.1\n!192.0.2.2\n192.0.2.8\n192.0.2.9\n", 100, true,
                               &st), 0);
    assert_int_equal(st.total, 4);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.unchanged, 1);
    assert_int_equal(st.deleted, 1);
    assert_int_equal(st.existing, 3);
    /* the replace it previews would be refused: said, still nothing written */
    assert_int_equal(try_write(w, t, "", 50, true, &st), DX_EREFUSED);
    assert_int_equal(st.deleted, 3);
    dx_txn_abort(t);
    list_is(w, "192.0.2.1 192.0.2.2 192.0.2.3 ");
}

/* Own code/TXT (as rbldnsd and country files give them): a change in
 * either rewrites the entry; NULL TXT ("the list's") and "" ("none") differ. */
static void set_one(struct wfx *w, uint32_t code, const char *txt)
{
    dx_imp_set_free(&w->s);
    dx_imp_set_init(&w->s);
    assert_int_equal(dx_imp_add_file(&w->s, "feed.txt"), 0);
    struct dx_key k;
    assert_int_equal(dx_key_parse("192.0.2.0/24", &k), 0);
    assert_int_equal(dx_imp_add(&w->s, &k, 0, code, txt, 0, 1), 0);
}

static void own_values_are(struct wfx *w, uint32_t code, const char *txt)
{
    struct dx_key k;
    struct dx_txn *t;
    struct dx_entry e;
    assert_int_equal(dx_key_parse("192.0.2.0/24", &k), 0);
    assert_int_equal(dx_txn_read(w->st, &t), 0);
    assert_int_equal(dx_entry_get(t, "bl.example.org", "feed", &k, &e), 0);
    assert_int_equal(e.code, code);
    if (txt)
        assert_string_equal(e.txt, txt);
    else
        assert_null(e.txt);
    dx_txn_abort(t);
}

static void test_write_own_values(void **state)
{
    struct wfx *w = *state;
    struct dx_imp_stats st;
    set_one(w, 0x7f000348, "us");
    write_set(w, false, 1000, DX_FOREVER, NULL, &st);
    assert_int_equal(st.added, 1);
    own_values_are(w, 0x7f000348, "us");

    set_one(w, 0x7f000348, "us");
    write_set(w, false, 1001, DX_FOREVER, NULL, &st);
    assert_int_equal(st.unchanged, 1);

    set_one(w, 0x7f000348, "");
    write_set(w, false, 1002, DX_FOREVER, NULL, &st);
    assert_int_equal(st.updated, 1);
    own_values_are(w, 0x7f000348, "");

    set_one(w, 0x7f000348, NULL);
    write_set(w, false, 1003, DX_FOREVER, NULL, &st);
    assert_int_equal(st.updated, 1);
    own_values_are(w, 0x7f000348, NULL);

    set_one(w, 0x7f000001, NULL);
    write_set(w, false, 1004, DX_FOREVER, NULL, &st);
    assert_int_equal(st.updated, 1);
    own_values_are(w, 0x7f000001, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_ip_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_domain_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_bom_and_line_ends, setup, teardown),
        cmocka_unit_test(test_lines_iterator),
        cmocka_unit_test_setup_teardown(test_sort_dedup_contains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sort_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sort_mixed_prefixes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_localhost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_localhost_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_invalid_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_shortest_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_own_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_with_txt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_add_unchanged_update, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_write_replace, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_write_replace_guard, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_write_dry_run, wsetup, wteardown),
        cmocka_unit_test_setup_teardown(test_write_own_values, wsetup, wteardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
