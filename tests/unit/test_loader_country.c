/* Unit tests: IP-to-country parser and the ISO 3166-1 table
 * (loader/fmt_country.c, loader/iso3166.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/fmt_country.h"
#include "loader/import.h"
#include "loader/iso3166.h"
#include "zones/err.h"
#include "zones/store.h"

struct fx {
    struct dx_imp_set s;
    char err[256];
    char dump[16384];
};

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    dx_imp_set_init(&f.s);
    assert_int_equal(dx_imp_add_file(&f.s, "delegated.txt"), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_imp_set_free(&f->s);
    return 0;
}

static int parse(struct fx *f, const char *text)
{
    f->err[0] = 0;
    return dx_fmt_country_parse(&f->s, 0, text, strlen(text), f->err, sizeof(f->err));
}

/* "LINE KEY A TXT" per record */
static const char *dump(struct fx *f)
{
    size_t n = 0;
    f->dump[0] = 0;
    for (size_t i = 0; i < f->s.n; i++) {
        const struct dx_imp_rec *r = &f->s.recs[i];
        struct dx_key k;
        char kt[DX_KEY_TEXT_MAX];
        dx_imp_key(&f->s, r, &k);
        assert_true(dx_key_format(&k, kt, sizeof(kt)) > 0);
        assert_int_equal(r->flags, 0);
        const char *t = dx_imp_txt(&f->s, r);
        assert_non_null(t);
        n += (size_t)snprintf(f->dump + n, sizeof(f->dump) - n, "%u %s %u.%u.%u.%u %s\n",
                              (unsigned)r->line, kt, r->code >> 24, (r->code >> 16) & 255,
                              (r->code >> 8) & 255, r->code & 255, t);
        assert_true(n < sizeof(f->dump));
    }
    return f->dump;
}

static void test_iso_table(void **state)
{
    (void)state;
    assert_int_equal(dx_iso3166_numeric("US"), 840);
    assert_int_equal(dx_iso3166_numeric("de"), 276);
    assert_int_equal(dx_iso3166_numeric("Pl"), 616);
    assert_int_equal(dx_iso3166_numeric("RU"), 643);
    assert_int_equal(dx_iso3166_numeric("GB"), 826);
    assert_int_equal(dx_iso3166_numeric("JP"), 392);
    assert_int_equal(dx_iso3166_numeric("BR"), 76);
    assert_int_equal(dx_iso3166_numeric("AD"), 20);   /* first */
    assert_int_equal(dx_iso3166_numeric("ZW"), 716);  /* last */
    assert_int_equal(dx_iso3166_numeric("SS"), 728);  /* South Sudan, 2011 */
    assert_int_equal(dx_iso3166_numeric("CW"), 531);  /* Curacao, 2010 */
    assert_int_equal(dx_iso3166_numeric("XK"), -1);   /* user-assigned */
    assert_int_equal(dx_iso3166_numeric("UK"), -1);   /* reserved, not assigned */
    assert_int_equal(dx_iso3166_numeric("EU"), -1);
    assert_int_equal(dx_iso3166_numeric("AN"), -1);   /* withdrawn 2010 */
    assert_int_equal(dx_iso3166_numeric("USA"), -1);
    assert_int_equal(dx_iso3166_numeric("U"), -1);
    assert_int_equal(dx_iso3166_numeric(""), -1);
    assert_int_equal(dx_iso3166_numeric("1S"), -1);
    assert_int_equal(dx_iso3166_numeric(NULL), -1);
    /* every one of the 249 assigned codes is found (the lookup is a binary
     * search: a table out of order would lose some), each with a numeric
     * code of its own */
    static bool seen[1000];
    int found = 0;
    for (char a = 'A'; a <= 'Z'; a++) {
        for (char b = 'A'; b <= 'Z'; b++) {
            char a2[3] = { a, b, 0 };
            int num = dx_iso3166_numeric(a2);
            if (num < 0)
                continue;
            assert_true(num > 0 && num < 1000);
            assert_false(seen[num]);
            seen[num] = true;
            found++;
        }
    }
    assert_int_equal(found, 249);
}

static void test_delegated(void **state)
{
    struct fx *f = *state;
    const char *in =
        "# RIPE NCC style header comment\n"                               /* 1 */
        "2|ripencc|1700000000|123456|19830705|20240101|+0100\n"           /* 2: version */
        "ripencc|*|asn|*|40000|summary\n"                                 /* 3 */
        "ripencc|*|ipv4|*|80000|summary\n"                                /* 4 */
        "ripencc|*|ipv6|*|30000|summary\n"                                /* 5 */
        "ripencc|PL|asn|5617|1|19950124|allocated\n"                      /* 6: asn */
        "ripencc|PL|ipv4|192.0.2.0|256|20000101|allocated\n"              /* 7 */
        "ripencc|DE|ipv4|198.51.100.0|1536|20000101|assigned\n"           /* 8: 1024+512 */
        "ripencc||ipv4|203.0.113.0|256||available\n"                      /* 9: no country */
        "ripencc|ZZ|ipv4|203.0.113.0|256|20000101|reserved\n"             /* 10 */
        "ripencc|EU|ipv4|100.64.0.0|1024|20000101|allocated\n"            /* 11: region */
        "ripencc|GB|ipv6|2001:db8::|32|20000101|allocated|abc-123\n"      /* 12: extended */
        "ripencc|us|ipv6|2001:db8:8000::|33|20000101|allocated\r\n"       /* 13: CRLF */
        "ripencc|UK|ipv4|192.0.2.128|1|20000101|allocated";               /* 14: UK = GB */
    assert_int_equal(parse(f, in), 0);
    assert_string_equal(dump(f),
        "7 192.0.2.0/24 127.0.2.104 pl\n"
        "8 198.51.100.0/22 127.0.1.20 de\n"
        "8 198.51.104.0/23 127.0.1.20 de\n"
        "12 2001:db8::/32 127.0.3.58 gb\n"
        "13 2001:db8:8000::/33 127.0.3.72 us\n"
        "14 192.0.2.128 127.0.3.58 gb\n");
}

static void test_delegated_odd_counts(void **state)
{
    struct fx *f = *state;
    /* ARIN and LACNIC have counts like 768 or 3072 at odd starts */
    assert_int_equal(parse(f, "arin|BR|ipv4|192.0.2.64|192|20000101|allocated\n"), 0);
    assert_string_equal(dump(f),
        "1 192.0.2.64/26 127.0.0.76 br\n"
        "1 192.0.2.128/25 127.0.0.76 br\n");
}

static void test_csv(void **state)
{
    struct fx *f = *state;
    const char *in =
        "start,end,cc\n"                                        /* 1: header */
        "192.0.2.0,192.0.2.255,JP\n"                            /* 2 */
        "\"198.51.100.10\",\"198.51.100.13\",\"ru\"\n"          /* 3: quotes */
        "2001:db8::,2001:db8::ffff:ffff,US\n"                   /* 4 */
        " 203.0.113.0 , 203.0.113.127 , DE , Germany\n"         /* 5: extra field */
        "3221225984,3221226239,PL\n"                            /* 6: 192.0.2.0-255 as integers */
        "# comment\n"                                           /* 7 */
        "\n"                                                    /* 8 */
        "10.0.0.0,10.0.0.255,ZZ\n"                              /* 9: skipped */
        "\"1.0.0.0\",\"1.0.0.255\",\"AU\",\"Australia, \"\"quoted\"\"\"\n"; /* 10 */
    assert_int_equal(parse(f, in), 0);
    assert_string_equal(dump(f),
        "2 192.0.2.0/24 127.0.1.136 jp\n"
        "3 198.51.100.10/31 127.0.2.131 ru\n"
        "3 198.51.100.12/31 127.0.2.131 ru\n"
        "4 2001:db8::/96 127.0.3.72 us\n"
        "5 203.0.113.0/25 127.0.1.20 de\n"
        "6 192.0.2.0/24 127.0.2.104 pl\n"
        "10 1.0.0.0/24 127.0.0.36 au\n");
}

/* A UTF-8 byte order mark before a CSV header or a delegated-stats version
 * line is skipped (not read as part of the first field); CR-only line ends
 * are line ends. */
static void test_bom_and_cr_line_ends(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, "\xef\xbb\xbf" "start,end,cc\r192.0.2.0,192.0.2.255,JP\r"
                              "198.51.100.0,198.51.100.255,DE"), 0);
    assert_int_equal(parse(f, "\xef\xbb\xbf" "2|ripencc|1700000000|1|19830705|20240101|+0100\r"
                              "ripencc|PL|ipv4|203.0.113.0|256|20000101|allocated\r\n"
                              "ripencc|PL|ipv6|2001:db8::|32|20000101|allocated\r"), 0);
    /* the first CSV line right after the BOM is a data line, not a header to skip */
    assert_int_equal(parse(f, "\xef\xbb\xbf" "10.0.0.0,10.0.0.255,AU\n"), 0);
    assert_string_equal(dump(f),
        "2 192.0.2.0/24 127.0.1.136 jp\n"
        "3 198.51.100.0/24 127.0.1.20 de\n"
        "2 203.0.113.0/24 127.0.2.104 pl\n"
        "3 2001:db8::/32 127.0.2.104 pl\n"
        "1 10.0.0.0/24 127.0.0.36 au\n");
}

static void test_errors(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *in, *err;
    } cases[] = {
        { "ripencc|XX|ipv4|192.0.2.0|256|20000101|allocated\n",
          "delegated.txt:1: unknown country code 'XX'" },
        { "\n192.0.2.0,192.0.2.255,QQ\n", "delegated.txt:2: unknown country code 'QQ'" },
        { "192.0.2.0,192.0.2.255,USA\n", "delegated.txt:1: unknown country code 'USA'" },
        { "start,end,cc\n192.0.2.0,192.0.2.255,US\nx,y,US\n",
          "delegated.txt:3: bad start address 'x'" },
        { "192.0.2.0,192.0.3,US\n", "delegated.txt:1: bad end address '192.0.3'" },
        { "192.0.2,192.0.2.255,US\n", "delegated.txt:1: bad start address '192.0.2'" },
        { "ip_start,ip_end,country\n1.2.3,1.2.3.4,US\n",
          "delegated.txt:2: bad start address '1.2.3'" },
        { "192.0.2.9,192.0.2.1,US\n", "delegated.txt:1: end address before the start" },
        { "192.0.2.0,2001:db8::,US\n",
          "delegated.txt:1: start and end are of different address families" },
        { "192.0.2.0,192.0.2.255\n", "delegated.txt:1: expected start,end,cc" },
        { "\"192.0.2.0,192.0.2.255,US\n", "delegated.txt:1: unbalanced double quote" },
        { "ripencc|PL|ipv4|192.0.2.0|0|20000101|allocated\n",
          "delegated.txt:1: bad IPv4 address count '0'" },
        { "#\nripencc|PL|ipv4|255.255.255.0|512|20000101|allocated\n",
          "delegated.txt:2: 255.255.255.0 + 512 addresses runs past 255.255.255.255" },
        { "ripencc|PL|ipv4|192.0.2|256|20000101|allocated\n",
          "delegated.txt:1: bad IPv4 start '192.0.2'" },
        { "ripencc|PL|ipv6|2001:db8::|129|20000101|allocated\n",
          "delegated.txt:1: bad IPv6 prefix length '129'" },
        { "ripencc|PL|ipv6|2001:zz::|32|20000101|allocated\n",
          "delegated.txt:1: bad IPv6 start '2001:zz::'" },
        { "ripencc|PL|ipv5|1|1|20000101|allocated\n", "delegated.txt:1: unknown record type 'ipv5'" },
        { "ripencc|PL|ipv4|192.0.2.0\n",
          "delegated.txt:1: expected registry|cc|type|start|value|date|status" },
        /* an IPv6 start that is not the network of its prefix: a damaged file */
        { "ripencc|PL|ipv6|2001:db8::1|32|20000101|allocated\n",
          "delegated.txt:1: 2001:db8::1/32 has host bits set: did you mean 2001:db8::/32?" },
        { "ripencc|PL|ipv6|::ffff:192.0.2.1|120|20000101|allocated\n",
          "delegated.txt:1: ::ffff:192.0.2.1/120 has host bits set: did you mean 192.0.2.0/24?" },
        { "ripencc|PL|ipv6|::ffff:192.0.2.0|95|20000101|allocated\n",
          "delegated.txt:1: IPv4-mapped prefix shorter than /96" },
        /* CR-only line ends, a byte order mark: lines as an editor shows them */
        { "192.0.2.0,192.0.2.255,US\r192.0.2.0,192.0.2.255,QQ\r",
          "delegated.txt:2: unknown country code 'QQ'" },
        { "\xef\xbb\xbf" "start,end,cc\r\nx,y,US\r\n", "delegated.txt:2: bad start address 'x'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(f, cases[i].in), DX_EINVAL);
        assert_string_equal(f->err, cases[i].err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_table),
        cmocka_unit_test_setup_teardown(test_delegated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegated_odd_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bom_and_cr_line_ends, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
