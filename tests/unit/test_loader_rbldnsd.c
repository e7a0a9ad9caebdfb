/* Unit tests: rbldnsd dataset parser (loader/fmt_rbldnsd.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/fmt_rbldnsd.h"
#include "loader/import.h"
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
    assert_int_equal(dx_imp_add_file(&f.s, "zone.rbl"), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_imp_set_free(&f->s);
    return 0;
}

static int parse_d(struct fx *f, const char *text, enum dx_rbl_type t, const struct dx_rbl_value *d)
{
    f->err[0] = 0;
    return dx_fmt_rbldnsd_parse(&f->s, 0, text, strlen(text), t, d, f->err, sizeof(f->err));
}

static int parse(struct fx *f, const char *text, enum dx_rbl_type t)
{
    return parse_d(f, text, t, NULL);
}

/* All records, one per line: "LINE [!]KEY CODE TXT", CODE/TXT "-" when the
 * list's, TXT in quotes. */
static const char *dump(struct fx *f)
{
    size_t n = 0;
    f->dump[0] = 0;
    for (size_t i = 0; i < f->s.n; i++) {
        const struct dx_imp_rec *r = &f->s.recs[i];
        struct dx_key k;
        char kt[DX_KEY_TEXT_MAX], code[20] = "-";
        dx_imp_key(&f->s, r, &k);
        assert_true(dx_key_format(&k, kt, sizeof(kt)) > 0);
        if (r->code)
            snprintf(code, sizeof(code), "%u.%u.%u.%u", r->code >> 24, (r->code >> 16) & 255,
                     (r->code >> 8) & 255, r->code & 255);
        const char *t = dx_imp_txt(&f->s, r);
        n += (size_t)snprintf(f->dump + n, sizeof(f->dump) - n, "%u %s%s %s %s%s%s\n",
                              (unsigned)r->line, (r->flags & DX_ENTRY_EXCLUDE) ? "!" : "", kt,
                              code, t ? "\"" : "", t ? t : "-", t ? "\"" : "");
        assert_true(n < sizeof(f->dump));
    }
    return f->dump;
}

static void test_type_names(void **state)
{
    (void)state;
    assert_int_equal(dx_rbl_type_parse("ip4set"), DX_RBL_IP4SET);
    assert_int_equal(dx_rbl_type_parse("IP4TSET"), DX_RBL_IP4TSET);
    assert_int_equal(dx_rbl_type_parse("ip4trie"), DX_RBL_IP4TRIE);
    assert_int_equal(dx_rbl_type_parse("ip6tset"), DX_RBL_IP6TSET);
    assert_int_equal(dx_rbl_type_parse("ip6trie"), DX_RBL_IP6TRIE);
    assert_int_equal(dx_rbl_type_parse("dnset"), DX_RBL_DNSET);
    assert_int_equal(dx_rbl_type_parse("generic"), DX_EINVAL);
    assert_int_equal(dx_rbl_type_parse("combined"), DX_EINVAL);
    assert_int_equal(dx_rbl_type_parse(""), DX_EINVAL);
    assert_string_equal(dx_rbl_type_name(DX_RBL_IP6TRIE), "ip6trie");
    assert_true(dx_rbl_type_is_ip(DX_RBL_IP4SET));
    assert_false(dx_rbl_type_is_ip(DX_RBL_DNSET));
}

static void test_detect(void **state)
{
    (void)state;
    const char *v4 = "# c\n$SOA 1h a b 0 1 2 3 4\n:127.0.0.2:x\n\n10.1.2.3\n2001:db8::1\n";
    const char *v6 = "; c\n:2:listed\n  !2001:db8::/32 :3:x\n10.1.2.3\n";
    assert_int_equal(dx_rbl_type_detect(v4, strlen(v4), true), DX_RBL_IP4SET);
    assert_int_equal(dx_rbl_type_detect(v6, strlen(v6), true), DX_RBL_IP6TRIE);
    assert_int_equal(dx_rbl_type_detect(v4, strlen(v4), false), DX_RBL_DNSET);
    assert_int_equal(dx_rbl_type_detect("", 0, true), DX_RBL_IP4SET);
    /* a value with colons after an IPv4 key does not make it IPv6 */
    const char *v4v = "10.0.0.1 :3:text\n";
    assert_int_equal(dx_rbl_type_detect(v4v, strlen(v4v), true), DX_RBL_IP4SET);
}

/* rbldnsd(8): every way to write 127.0.0.0/24 and 127.16.0.0/12 (here in
 * 10/8), plus short prefixes. */
static void test_ip4set_forms(void **state)
{
    struct fx *f = *state;
    const char *in =
        "10.0.0.0/24\n"                 /* 1 */
        "10.0.0\n"                      /* 2 */
        "10/24\n"                       /* 3 */
        "10-10.0.0\n"                   /* 4 */
        "10.0.0.0-10.0.0.255\n"         /* 5 */
        "10.16.0.0-10.31.255.255\n"     /* 6 */
        "10.16.0-10.31.255\n"           /* 7 */
        "10.16-10.31\n"                 /* 8 */
        "10.16-31\n"                    /* 9 */
        "10.16.0.0/12\n"                /* 10 */
        "10.16.0/12\n"                  /* 11 */
        "10.16/12\n"                    /* 12 */
        "10\n"                          /* 13 */
        "10.1\n"                        /* 14 */
        "10.1.2\n"                      /* 15 */
        "10.1.2.3\n"                    /* 16 */
        "10.1.2.3/32\n"                 /* 17 */
        "10.1.2.0/24\n";                /* 18 */
    assert_int_equal(parse(f, in, DX_RBL_IP4SET), 0);
    assert_string_equal(dump(f),
        "1 10.0.0.0/24 - -\n"
        "2 10.0.0.0/24 - -\n"
        "3 10.0.0.0/24 - -\n"
        "4 10.0.0.0/24 - -\n"
        "5 10.0.0.0/24 - -\n"
        "6 10.16.0.0/12 - -\n"
        "7 10.16.0.0/12 - -\n"
        "8 10.16.0.0/12 - -\n"
        "9 10.16.0.0/12 - -\n"
        "10 10.16.0.0/12 - -\n"
        "11 10.16.0.0/12 - -\n"
        "12 10.16.0.0/12 - -\n"
        "13 10.0.0.0/8 - -\n"
        "14 10.1.0.0/16 - -\n"
        "15 10.1.2.0/24 - -\n"
        "16 10.1.2.3 - -\n"
        "17 10.1.2.3 - -\n"
        "18 10.1.2.0/24 - -\n");
}

static void test_ip4set_ranges_split(void **state)
{
    struct fx *f = *state;
    const char *in =
        "10.0.0.1-255\n"                /* 1: suffix form, not a CIDR */
        "192.0.2.10-192.0.2.13\n"       /* 2 */
        "10.16.0-31\n"                  /* 3: = 10.16.0.0-10.16.31.255 */
        "!192.0.2.12-13\n";             /* 4: exclusion range */
    assert_int_equal(parse(f, in, DX_RBL_IP4SET), 0);
    assert_string_equal(dump(f),
        "1 10.0.0.1 - -\n"
        "1 10.0.0.2/31 - -\n"
        "1 10.0.0.4/30 - -\n"
        "1 10.0.0.8/29 - -\n"
        "1 10.0.0.16/28 - -\n"
        "1 10.0.0.32/27 - -\n"
        "1 10.0.0.64/26 - -\n"
        "1 10.0.0.128/25 - -\n"
        "2 192.0.2.10/31 - -\n"
        "2 192.0.2.12/31 - -\n"
        "3 10.16.0.0/19 - -\n"
        "4 !192.0.2.12/31 - -\n");
}

/* The man page's "Resulting A values and TXT templates" example. */
static const char *values_in =
    "# default A value and TXT template\n"           /* 1 */
    ":127.0.0.2:IP address $ is listed\n"            /* 2 */
    "192.0.2.4\n"                                    /* 3: default A and TXT */
    "192.0.2.5 :5\n"                                 /* 4: own A, default TXT */
    "192.0.2.6 :6:\n"                                /* 5: own A, no TXT */
    "192.0.2.7 IP address $ running an open relay\n" /* 6: default A, own TXT */
    "192.0.2.8 :127.0.0.8:Own text  \n"              /* 7 */
    "192.0.2.9 ; a comment, default value\n"         /* 8 */
    "192.0.2.10:10:glued\n"                          /* 9: value right after the key */
    "!192.0.2.11 :11:ignored\n"                      /* 10: exclusion value ignored */
    ":3:Other $\n"                                   /* 11: new default */
    "192.0.2.12\n"                                   /* 12 */
    "192.0.2.13 :4\n";                               /* 13 */

static void test_values_compact(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, values_in, DX_RBL_IP4SET), 0);
    assert_string_equal(dump(f),
        "3 192.0.2.4 - -\n"
        "4 192.0.2.5 127.0.0.5 \"IP address $ is listed\"\n"
        "5 192.0.2.6 127.0.0.6 \"\"\n"
        "6 192.0.2.7 127.0.0.2 \"IP address $ running an open relay\"\n"
        "7 192.0.2.8 127.0.0.8 \"Own text\"\n"
        "8 192.0.2.9 - -\n"
        "9 192.0.2.10 127.0.0.10 \"glued\"\n"
        "10 !192.0.2.11 - -\n"
        "12 192.0.2.12 - -\n"
        "13 192.0.2.13 127.0.0.4 \"Other $\"\n");
}

static void test_values_applied(void **state)
{
    struct fx *f = *state;
    /* the list's own value equals the second default: entries under it
     * stay compact, those under the first get it copied in */
    struct dx_rbl_value lv = { 0x7f000003u, "Other $", NULL };
    assert_int_equal(parse_d(f, values_in, DX_RBL_IP4SET, &lv), 0);
    assert_string_equal(dump(f),
        "3 192.0.2.4 127.0.0.2 \"IP address $ is listed\"\n"
        "4 192.0.2.5 127.0.0.5 \"IP address $ is listed\"\n"
        "5 192.0.2.6 127.0.0.6 \"\"\n"
        "6 192.0.2.7 127.0.0.2 \"IP address $ running an open relay\"\n"
        "7 192.0.2.8 127.0.0.8 \"Own text\"\n"
        "8 192.0.2.9 127.0.0.2 \"IP address $ is listed\"\n"
        "9 192.0.2.10 127.0.0.10 \"glued\"\n"
        "10 !192.0.2.11 - -\n"
        "12 192.0.2.12 - -\n"
        "13 192.0.2.13 127.0.0.4 \"Other $\"\n");
}

/* A default line `:A` has no TXT (rbldnsd answers A only after it), while
 * an entry's `:A` keeps the default TXT in effect. */
static void test_default_a_only(void **state)
{
    struct fx *f = *state;
    struct dx_rbl_value lv = { 0x7f000002u, NULL, NULL };
    assert_int_equal(parse_d(f, ":127.0.0.2:Listed $\n192.0.2.1\n:7\n192.0.2.2\n"
                                "192.0.2.3 :8\n", DX_RBL_IP4SET, &lv), 0);
    assert_string_equal(dump(f),
        "2 192.0.2.1 127.0.0.2 \"Listed $\"\n"
        "4 192.0.2.2 127.0.0.7 \"\"\n"
        "5 192.0.2.3 127.0.0.8 \"\"\n");
}

static void test_values_before_default(void **state)
{
    struct fx *f = *state;
    struct dx_rbl_value always = { 0, NULL, NULL };
    const char *in =
        "192.0.2.1\n"          /* 1: no default yet: the list's value */
        "192.0.2.2 :7\n"       /* 2: own A, the list's TXT */
        "192.0.2.3 text\n"     /* 3: the list's A, own TXT */
        ":::only text\n"       /* 4: empty A (kept), TXT ":only text" */
        "192.0.2.4\n";         /* 5 */
    assert_int_equal(parse_d(f, in, DX_RBL_IP4SET, &always), 0);
    assert_string_equal(dump(f),
        "1 192.0.2.1 - -\n"
        "2 192.0.2.2 127.0.0.7 -\n"
        "3 192.0.2.3 - \"text\"\n"
        "5 192.0.2.4 - \":only text\"\n");
}

static void test_specials(void **state)
{
    struct fx *f = *state;
    const char *in =
        "$SOA 1h ns1.ex.com admin.ex.com 0 2h 2h 1w 1h\n"   /* 1 */
        "$SOA 2h ignored.ex.com x 0 1 1 1 1\n"               /* 2: only the first */
        "#$NS 1w ns1.ex.com ns2.ex.com\n"                    /* 3: '#$' form */
        ";$NS 1w ignored\n"                                  /* 4 */
        "$TTL 35m\n"                                         /* 5 */
        "$TIMESTAMP 2024:01:02 +1d\n"                        /* 6 */
        "#$Id: zone,v 1.2 2004/01/01 $\n"                    /* 7: a comment */
        "$1 See http://www.example.com/bl\n"                 /* 8 */
        "$2 for details\n"                                   /* 9 */
        "192.0.2.2  $1/spammer/$ $2\n"                       /* 10 */
        "192.0.2.4  This spammer wants some $$$$.  $1/$\n"   /* 11 */
        "$= See http://www.example.com/bl?$= ($) for details\n" /* 12 */
        "192.0.2.12 r123\n"                                  /* 13 */
        "192.0.2.13 :3\n"                                    /* 14 */
        "192.0.2.14    =See other blocklists for details about $\n"; /* 15 */
    /* $SOA, $NS, $TTL and $TIMESTAMP are read (test_errors: their bad
     * forms) and change no entry */
    assert_int_equal(parse(f, in, DX_RBL_IP4SET), 0);
    assert_string_equal(dump(f),
        "10 192.0.2.2 - \"See http://www.example.com/bl/spammer/$ for details\"\n"
        "11 192.0.2.4 - \"This spammer wants some $$$$.  See http://www.example.com/bl/$\"\n"
        "13 192.0.2.12 - \"See http://www.example.com/bl?r123 ($) for details\"\n"
        "14 192.0.2.13 127.0.0.3 \"See http://www.example.com/bl?$ ($) for details\"\n"
        "15 192.0.2.14 - \"See other blocklists for details about $\"\n");
}

static void test_maxrange(void **state)
{
    struct fx *f = *state;
    const char *in =
        "$MAXRANGE4 /24\n"     /* 1 */
        "192.0.2.0/24\n"       /* 2 */
        "$MAXRANGE4 65536\n"   /* 3: cannot be raised */
        "198.51.100.0/23\n";   /* 4 */
    assert_int_equal(parse(f, in, DX_RBL_IP4SET), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:4: '198.51.100.0/23' is wider than $MAXRANGE4 (256 addresses)");
}

static void test_ip4tset_ip4trie(void **state)
{
    struct fx *f = *state;
    const char *in = ":127.0.0.4:Listed $\n192.0.2.1\n!192.0.2.2\n192.0.2.3 # c\n";
    assert_int_equal(parse(f, in, DX_RBL_IP4TSET), 0);
    assert_string_equal(dump(f), "2 192.0.2.1 - -\n3 !192.0.2.2 - -\n4 192.0.2.3 - -\n");
    assert_int_equal(parse(f, "192.0.2.1\n192.0.2.0/24\n", DX_RBL_IP4TSET), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:2: ip4tset entries are single addresses: '192.0.2.0/24'");
    assert_int_equal(parse(f, "\n10.1.2\n", DX_RBL_IP4TSET), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:2: ip4tset entries are single addresses: '10.1.2'");
    assert_int_equal(parse(f, "192.0.2.9 :3:own\n", DX_RBL_IP4TSET), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:1: ip4tset entries take no value of their own (use a ':A:TXT' line)");
    f->s.n = 0;
    assert_int_equal(parse(f, "10.16/12 :5:x\n", DX_RBL_IP4TRIE), 0);
    assert_string_equal(dump(f), "1 10.16.0.0/12 127.0.0.5 \"x\"\n");
    assert_int_equal(parse(f, "#\n10.0.0.1-10.0.0.5\n", DX_RBL_IP4TRIE), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:2: ip4trie accepts no ranges: '10.0.0.1-10.0.0.5'");
}

/* rbldnsd(8) ip6trie example. */
static void test_ip6trie(void **state)
{
    struct fx *f = *state;
    const char *in =
        "# Default A and TXT template valuse\n"                 /* 1 */
        ":127.0.1.2: Listed, see http://example.com/lookup?$\n" /* 2 */
        "\n"                                                    /* 3 */
        "2001:21ab:c000/36\n"                                   /* 4 */
        "2001:21ab:def7:4242 :127.0.1.3: This one smells funny\n" /* 5 */
        "2605:6001:42::/52\n"                                   /* 6 */
        "::1\t\t       # localhost\n"                          /* 7 */
        "!2605:6001:42::bead   # exclusion\n"                   /* 8 */
        "2001:db8:1:2:3:4:5:6\n"                                /* 9 */
        "2001:DB8::/32 own text\n"                              /* 10 */
        "2001:db8:a:b:c:d:e::/112\n";                           /* 11 */
    assert_int_equal(parse(f, in, DX_RBL_IP6TRIE), 0);
    assert_string_equal(dump(f),
        "4 2001:21ab:c000::/36 - -\n"
        "5 2001:21ab:def7:4242::/64 127.0.1.3 \"This one smells funny\"\n"
        "6 2605:6001:42::/52 - -\n"
        "7 ::1 - -\n"
        "8 !2605:6001:42::bead - -\n"
        "9 2001:db8:1:2:3:4:5:6 - -\n"
        "10 2001:db8::/32 127.0.1.2 \"own text\"\n"
        "11 2001:db8:a:b:c:d:e:0/112 - -\n");
}

static void test_ip6trie_key_forms(void **state)
{
    struct fx *f = *state;
    assert_int_equal(parse(f, "2001:db8::/32\n2001:db8::1\n192.0.2.1\n", DX_RBL_IP6TRIE), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:3: '192.0.2.1' is not an IPv6 address");
    assert_int_equal(parse(f, "2001:db8:/32\n", DX_RBL_IP6TRIE), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:1: bad IPv6 entry '2001:db8:/32'");
    assert_int_equal(parse(f, "\n\n2001:db8::/129\n", DX_RBL_IP6TRIE), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:3: bad IPv6 entry '2001:db8::/129'");
    assert_int_equal(parse(f, "20011:db8\n", DX_RBL_IP6TRIE), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:1: bad IPv6 entry '20011:db8'");
    /* "::1" is an entry, "::text" a default line with an empty A */
    f->s.n = 0;
    struct dx_rbl_value always = { 0, NULL, NULL };
    assert_int_equal(parse_d(f, "::Default text\n::1\n::/0 :5\n", DX_RBL_IP6TRIE, &always), 0);
    assert_string_equal(dump(f), "2 ::1 - \"Default text\"\n3 ::/0 127.0.0.5 \"Default text\"\n");
}

static void test_ip6tset(void **state)
{
    struct fx *f = *state;
    const char *in =
        ":2:Listed\n"                                   /* 1 */
        "2001:20fe:23:41ed\n"                           /* 2 */
        "abac:adab:ad00:42f\n"                          /* 3 */
        "!abac:adab:ad00:42f:face:0f:a:beef\n"          /* 4 */
        "!abac:adab:ad00:42f::2\n"                      /* 5 */
        "2001:db8:0:1::/64\n";                          /* 6: a /64 written with :: */
    assert_int_equal(parse(f, in, DX_RBL_IP6TSET), 0);
    assert_string_equal(dump(f),
        "2 2001:20fe:23:41ed::/64 - -\n"
        "3 abac:adab:ad00:42f::/64 - -\n"
        "4 !abac:adab:ad00:42f:face:f:a:beef - -\n"
        "5 !abac:adab:ad00:42f::2 - -\n"
        "6 2001:db8:0:1::/64 - -\n");
    assert_int_equal(parse(f, "2001:db8::1\n", DX_RBL_IP6TSET), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:1: ip6tset entries are /64 prefixes written as four words: '2001:db8::1'");
    assert_int_equal(parse(f, "\n2001:db8:1\n", DX_RBL_IP6TSET), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:2: ip6tset entries are /64 prefixes written as four words: '2001:db8:1'");
    assert_int_equal(parse(f, "2001:db8:1:2 :3:x\n", DX_RBL_IP6TSET), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:1: ip6tset entries take no value of their own (use a ':A:TXT' line)");
}

static void test_dnset(void **state)
{
    struct fx *f = *state;
    const char *in =
        ":127.0.1.2:Domain $ listed\n"      /* 1 */
        "Example.COM\n"                     /* 2: exact, lowercased */
        "*.wild.example\n"                  /* 3: subdomains only */
        ".both.example :127.0.1.4:phish\n"  /* 4: the name and its subdomains */
        "!good.wild.example\n"              /* 5 */
        "!.ok.both.example\n"               /* 6: two exclusions */
        "trailing.example.\n";              /* 7 */
    assert_int_equal(parse(f, in, DX_RBL_DNSET), 0);
    assert_string_equal(dump(f),
        "2 example.com - -\n"
        "3 *.wild.example - -\n"
        "4 both.example 127.0.1.4 \"phish\"\n"
        "4 *.both.example 127.0.1.4 \"phish\"\n"
        "5 !good.wild.example - -\n"
        "6 !ok.both.example - -\n"
        "6 !*.ok.both.example - -\n"
        "7 trailing.example - -\n");
    assert_int_equal(parse(f, "ok.example\nbad..example\n", DX_RBL_DNSET), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:2: bad domain name 'bad..example'");
    assert_int_equal(parse(f, ".*.x.example\n", DX_RBL_DNSET), DX_EINVAL);
    assert_string_equal(f->err, "zone.rbl:1: bad domain name '.*.x.example'");
}

/* Every error names its line. */
static void test_errors(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *in;
        enum dx_rbl_type t;
        const char *err;
    } cases[] = {
        { "192.0.2.1\n192.0.2.256\n", DX_RBL_IP4SET, "zone.rbl:2: bad IPv4 entry '192.0.2.256'" },
        { "1.2.3.4.5\n", DX_RBL_IP4SET, "zone.rbl:1: bad IPv4 entry '1.2.3.4.5'" },
        { "# x\n\n10.0.0.\n", DX_RBL_IP4SET, "zone.rbl:3: bad IPv4 entry '10.0.0.'" },
        { "10.0.0.0/33\n", DX_RBL_IP4SET, "zone.rbl:1: bad IPv4 entry '10.0.0.0/33'" },
        { "10.0.0.0/\n", DX_RBL_IP4SET, "zone.rbl:1: bad IPv4 entry '10.0.0.0/'" },
        { "10.0.0.9-10.0.0.1\n", DX_RBL_IP4SET, "zone.rbl:1: range end before its start: '10.0.0.9-10.0.0.1'" },
        { "10.0.0.1-10.0.0.0/24\n", DX_RBL_IP4SET, "zone.rbl:1: bad IPv4 entry '10.0.0.1-10.0.0.0/24'" },
        { "spam.example\n", DX_RBL_IP4SET, "zone.rbl:1: bad IPv4 entry 'spam.example'" },
        { "\r\n192.0.2.1 :999:x\r\n", DX_RBL_IP4SET, "zone.rbl:2: bad A value '999'" },
        { "192.0.2.1 :0.0.0.0:x\n", DX_RBL_IP4SET, "zone.rbl:1: bad A value '0.0.0.0'" },
        { ":127.0.0.x:text\n", DX_RBL_IP4SET, "zone.rbl:1: bad A value '127.0.0.x'" },
        { "192.0.2.1 :2 junk\n", DX_RBL_IP4SET, "zone.rbl:1: unexpected text after the A value: 'junk'" },
        { "!\n", DX_RBL_IP4SET, "zone.rbl:1: '!' without an entry" },
        { "10.0.0.1\n$FOO bar\n", DX_RBL_IP4SET, "zone.rbl:2: unknown special '$FOO'" },
        { ":$BAR\n", DX_RBL_IP4SET, "zone.rbl:1: unknown special '$BAR'" },
        { "$TTL soon\n", DX_RBL_IP4SET, "zone.rbl:1: bad $TTL 'soon'" },
        { "$SOA\n", DX_RBL_IP4SET, "zone.rbl:1: $SOA without a value" },
        { "$MAXRANGE4 /40\n", DX_RBL_IP4SET, "zone.rbl:1: bad $MAXRANGE4 '/40'" },
        { "$DATASET ip4set:x @\n", DX_RBL_IP4SET,
          "zone.rbl:1: $DATASET: rbldnsd 'combined' datasets are not supported; "
          "import each dataset into its own list" },
        { "a.example\n1.2.3.4\n", DX_RBL_DNSET, "zone.rbl:2: bad domain name '1.2.3.4'" },
        /* host bits set: refused, as rbldnsd refuses them */
        { "10.0.0.0/8\n192.0.2.65/26\n", DX_RBL_IP4SET,
          "zone.rbl:2: 192.0.2.65/26 has host bits set: did you mean 192.0.2.64/26?" },
        { "192.0.2.1/24 :3:x\n", DX_RBL_IP4SET,
          "zone.rbl:1: 192.0.2.1/24 has host bits set: did you mean 192.0.2.0/24?" },
        { "!10.1.2.77/24\n", DX_RBL_IP4TRIE,
          "zone.rbl:1: 10.1.2.77/24 has host bits set: did you mean 10.1.2.0/24?" },
        { "10.1.2/16\n", DX_RBL_IP4SET,
          "zone.rbl:1: 10.1.2/16 has host bits set: did you mean 10.1.0.0/16?" },
        { "2001:db8::1/64\n", DX_RBL_IP6TRIE,
          "zone.rbl:1: 2001:db8::1/64 has host bits set: did you mean 2001:db8::/64?" },
        { "2001:db8:c001/36\n", DX_RBL_IP6TRIE,
          "zone.rbl:1: 2001:db8:c001/36 has host bits set: did you mean 2001:db8:c000::/36?" },
        { "2001:db8:1:2::1/64\n", DX_RBL_IP6TSET,
          "zone.rbl:1: 2001:db8:1:2::1/64 has host bits set: did you mean 2001:db8:1:2::/64?" },
        /* CR-only line ends count lines as an editor does */
        { "192.0.2.1\r192.0.2.2\r192.0.2.256\r", DX_RBL_IP4SET,
          "zone.rbl:3: bad IPv4 entry '192.0.2.256'" },
        { "\xef\xbb\xbf" "$TTL 1h\nbad\n", DX_RBL_IP4SET, "zone.rbl:2: bad IPv4 entry 'bad'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(f, cases[i].in, cases[i].t), DX_EINVAL);
        assert_string_equal(f->err, cases[i].err);
    }
    char nul[] = "192.0.2.1\n192.0\0.2.2\n";
    f->err[0] = 0;
    assert_int_equal(dx_fmt_rbldnsd_parse(&f->s, 0, nul, sizeof(nul) - 1, DX_RBL_IP4SET, NULL,
                                          f->err, sizeof(f->err)), DX_EINVAL);
    assert_string_equal(f->err,
                        "zone.rbl:2: NUL byte in line (UTF-16 text? data files are ASCII or UTF-8)");
}

/* A UTF-8 byte order mark is skipped; CR-only and mixed line ends are
 * lines; format detection reads the same lines. */
static void test_bom_and_cr_line_ends(void **state)
{
    struct fx *f = *state;
    const char *in = "\xef\xbb\xbf" ":127.0.0.3:Listed $\r2001:db8:1::1\r\r2001:db8::/32 :4:\r\n";
    assert_int_equal(parse(f, in, DX_RBL_IP6TRIE), 0);
    assert_string_equal(dump(f), "2 2001:db8:1::1 - -\n4 2001:db8::/32 127.0.0.4 \"\"\n");
    const char *v6 = "\xef\xbb\xbf" "# c\r2001:db8::1\r";
    assert_int_equal(dx_rbl_type_detect(v6, strlen(v6), true), DX_RBL_IP6TRIE);
    const char *v4 = "\xef\xbb\xbf" "10.0.0.1\r2001:db8::1\r";
    assert_int_equal(dx_rbl_type_detect(v4, strlen(v4), true), DX_RBL_IP4SET);
}

static void test_crlf_and_last_line(void **state)
{
    struct fx *f = *state;
    const char *in = ":2:text with CR\r\n192.0.2.1 own\r\n192.0.2.2";
    struct dx_rbl_value lv = { 0x7f000002u, NULL, NULL };
    assert_int_equal(parse_d(f, in, DX_RBL_IP4SET, &lv), 0);
    assert_string_equal(dump(f),
        "2 192.0.2.1 127.0.0.2 \"own\"\n"
        "3 192.0.2.2 127.0.0.2 \"text with CR\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_detect),
        cmocka_unit_test_setup_teardown(test_ip4set_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip4set_ranges_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_compact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_a_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_before_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_specials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maxrange, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip4tset_ip4trie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6trie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6trie_key_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6tset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dnset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf_and_last_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bom_and_cr_line_ends, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
