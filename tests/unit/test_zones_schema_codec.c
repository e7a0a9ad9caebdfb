/* Unit tests of the store's key and value codecs (zones/schema.h and
 * zones/schema_index.h): round
 * trips, the length limits of names and keys, and what a decoder says about
 * a corrupt record. The bytes themselves are pinned by test_zones_schema.c
 * (the golden dump of a whole store); these tests are about the edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/key.h"
#include "zones/schema.h"
#include "zones/schema_index.h"

static struct dx_key K(const char *text)
{
    struct dx_key k;
    if (dx_key_parse(text, &k) != 0)
        fail_msg("bad key %s", text);
    return k;
}

/* A name of n bytes: "aaa...". */
static char *name_of(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'a', n);
    s[n] = 0;
    return s;
}

static void test_entry_key_splits_back_into_zone_list_and_key(void **state)
{
    (void)state;
    const char *keys[] = { "192.0.2.1", "198.51.100.0/24", "2001:db8::/32", "::1",
                           "spam.example", "*.wild.example", "a" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct dx_key k = K(keys[i]), back;
        uint8_t kb[DX_SK_MAX];
        int n = dx_sk_entry(kb, "bl.example", "traps", &k);
        assert_true(n > 0);
        const char *zone, *list;
        assert_int_equal(dx_sk_entry_split(kb, (size_t)n, &zone, &list, &back), 0);
        assert_string_equal(zone, "bl.example");
        assert_string_equal(list, "traps");
        assert_int_equal(back.family, k.family);
        assert_int_equal(back.len, k.len);
        assert_int_equal(back.plen, k.plen);
        assert_memory_equal(back.addr, k.addr, k.len);
    }
}

static void test_entry_key_stores_a_name_with_its_labels_reversed(void **state)
{
    (void)state;
    struct dx_key k = K("*.spam.example");
    uint8_t kb[DX_SK_MAX];
    int n = dx_sk_entry(kb, "z", "l", &k);
    static const uint8_t want[] = "z\0l\0Dexample.spam\1";
    assert_int_equal(n, sizeof(want) - 1);
    assert_memory_equal(kb, want, sizeof(want) - 1);
}

static void test_entry_key_refuses_bad_names_and_keys(void **state)
{
    (void)state;
    struct dx_key k = K("192.0.2.1");
    uint8_t kb[DX_SK_MAX];
    char *z255 = name_of(255), *z256 = name_of(256), *l254 = name_of(254), *l255 = name_of(255);
    assert_int_equal(dx_sk_entry(kb, "", "l", &k), DX_EINVAL);
    assert_int_equal(dx_sk_entry(kb, NULL, "l", &k), DX_EINVAL);
    assert_int_equal(dx_sk_entry(kb, "z", "", &k), DX_EINVAL);
    assert_int_equal(dx_sk_entry(kb, "z", "l", NULL), DX_EINVAL);
    assert_true(dx_sk_entry(kb, z255, "l", &k) > 0);
    assert_int_equal(dx_sk_entry(kb, z256, "l", &k), DX_EINVAL);
    assert_true(dx_sk_entry(kb, "z", l254, &k) > 0);
    assert_int_equal(dx_sk_entry(kb, "z", l255, &k), DX_EINVAL);
    /* host bits set, a bad family, a name with a NUL */
    struct dx_key bad = k;
    bad.plen = 24;
    assert_int_equal(dx_sk_entry(kb, "z", "l", &bad), DX_EINVAL);
    bad = k;
    bad.family = 5;
    assert_int_equal(dx_sk_entry(kb, "z", "l", &bad), DX_EINVAL);
    bad = K("spam.example");
    bad.addr[2] = 0;
    assert_int_equal(dx_sk_entry(kb, "z", "l", &bad), DX_EINVAL);
    free(z255);
    free(z256);
    free(l254);
    free(l255);
}

/* An entries key is at most DX_SK_ENTRY_MAX (503) bytes: its expiry key
 * (8 more) must still fit in LMDB's 511. */
static void test_entry_key_leaves_room_for_the_expiry_prefix(void **state)
{
    (void)state;
    char *zone = name_of(255), *list = name_of(254 - 10);
    struct dx_key k = K("192.0.2.1");
    uint8_t kb[DX_SK_MAX], xb[DX_SK_MAX];
    /* 256 + 245 + 1 + 4 + 1 = 507: too long */
    assert_int_equal(dx_sk_entry(kb, zone, list, &k), DX_EINVAL);
    list[254 - 14] = 0;     /* 256 + 241 + 6 = 503: the longest */
    int n = dx_sk_entry(kb, zone, list, &k);
    assert_int_equal(n, DX_SK_ENTRY_MAX);
    int xn = dx_sk_expiry(xb, 1234, kb, (size_t)n);
    assert_int_equal(xn, DX_SK_MAX);
    uint64_t exp;
    size_t ekn;
    const uint8_t *ek = dx_sk_expiry_split(xb, (size_t)xn, &exp, &ekn);
    assert_non_null(ek);
    assert_int_equal(exp, 1234);
    assert_int_equal(ekn, (size_t)n);
    assert_memory_equal(ek, kb, (size_t)n);
    /* one byte more does not fit an expiry key */
    assert_int_equal(dx_sk_expiry(xb, 1, kb, DX_SK_ENTRY_MAX + 4), DX_EINVAL);
    assert_null(dx_sk_expiry_split(xb, 8, &exp, &ekn));
    free(zone);
    free(list);
}

static void test_entry_prefix_is_the_start_of_the_entry_keys(void **state)
{
    (void)state;
    struct dx_key k = K("192.0.2.0/24");
    uint8_t kb[DX_SK_MAX], pb[DX_SK_MAX];
    int n = dx_sk_entry(kb, "zone", "list", &k);
    int pz = dx_sk_entry_prefix(pb, "zone", NULL);
    assert_int_equal(pz, 5);
    assert_memory_equal(pb, kb, 5);
    int pl = dx_sk_entry_prefix(pb, "zone", "list");
    assert_int_equal(pl, 10);
    assert_memory_equal(pb, kb, 10);
    assert_true(n > pl);
    assert_int_equal(dx_sk_entry_prefix(pb, "", NULL), DX_EINVAL);
    assert_int_equal(dx_sk_entry_prefix(pb, "zone", ""), DX_EINVAL);
    /* the list of a key, and the first key after the list's keys */
    size_t ll;
    assert_int_equal(dx_sk_entry_list(kb, (size_t)n, 5, &ll), 0);
    assert_int_equal(ll, 4);
    assert_int_equal(dx_sk_entry_list(kb, 7, 5, &ll), DX_EINVAL);    /* no NUL */
    uint8_t nb[DX_SK_MAX];
    int nn = dx_sk_entry_next_list(nb, "zone", 4, "list", 4);
    assert_int_equal(nn, 10);
    assert_memory_equal(nb, "zone\0list\1", 10);
    assert_true(memcmp(kb, nb, 10) < 0);
}

static void test_entry_ip_keys_of_the_index_rebuild_match_the_entry_key(void **state)
{
    (void)state;
    struct dx_key k = K("2001:db8:1::/48");
    uint8_t kb[DX_SK_MAX], ib[DX_SK_MAX];
    int n = dx_sk_entry(kb, "z", "list", &k);
    struct dx_bytes b;
    dx_bytes_writer(&b, ib, sizeof(ib));
    dx_sk_entry_ip_prefix(&b, "z", 1, "list", 4, DX_FAM_V6);
    size_t pn = b.pos;
    dx_sk_entry_ip_at(&b, 16, dx_be_n(k.addr, 16), 48);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.pos, (size_t)n);
    assert_memory_equal(ib, kb, (size_t)n);
    dx_u128 a;
    uint8_t plen;
    assert_true(dx_sk_entry_ip_split(kb, (size_t)n, ib, pn, 16, &a, &plen));
    assert_true(a == dx_be_n(k.addr, 16));
    assert_int_equal(plen, 48);
    assert_false(dx_sk_entry_ip_split(kb, (size_t)n - 1, ib, pn, 16, &a, &plen));
    assert_false(dx_sk_entry_ip_split(kb, (size_t)n, ib, pn, 4, &a, &plen));
}

static void test_entry_value_round_trip(void **state)
{
    (void)state;
    struct dx_entry e = { .flags = DX_ENTRY_EXCLUDE, .code = 0x7f000002, .first_seen = 1,
                          .last_seen = 2, .expires_at = 3, .hits = 4, .relists = 5,
                          .source = "admin", .reason = NULL, .txt = "" }, back;
    struct dx_bytes b;
    dx_bytes_growable(&b);
    dx_sv_entry_put(&b, &e);
    assert_int_equal(b.err, 0);
    assert_int_equal(dx_sv_entry_get(b.wp, b.pos, &back), 0);
    assert_int_equal(back.flags, e.flags);
    assert_int_equal(back.code, e.code);
    assert_int_equal(back.first_seen, 1);
    assert_int_equal(back.last_seen, 2);
    assert_int_equal(back.expires_at, 3);
    assert_int_equal(back.hits, 4);
    assert_int_equal(back.relists, 5);
    assert_string_equal(back.source, "admin");
    assert_null(back.reason);
    assert_string_equal(back.txt, "");        /* "" (no TXT) is not NULL */
    /* cut short anywhere: corrupt */
    for (size_t n = 0; n < b.pos; n++)
        assert_int_equal(dx_sv_entry_get(b.wp, n, &back), DX_EINVAL);
    /* a string without its NUL: corrupt */
    b.wp[b.pos - 1] = 'x';
    assert_int_equal(dx_sv_entry_get(b.wp, b.pos, &back), DX_EINVAL);
    dx_bytes_free(&b);
}

static void test_string_field_too_long_is_an_error_of_the_writer(void **state)
{
    (void)state;
    char *s = name_of(65534), *t = name_of(65535);
    struct dx_bytes b;
    dx_bytes_growable(&b);
    dx_sv_put_str(&b, s);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.pos, 2 + 65535);
    dx_sv_put_str(&b, t);
    assert_int_equal(b.err, DX_ERANGE);
    dx_bytes_free(&b);
    free(s);
    free(t);
}

static void test_scalar_values_have_exactly_their_size(void **state)
{
    (void)state;
    uint8_t b8[9] = { 0 }, b4[5] = { 0 };
    uint64_t v64;
    uint32_t v32;
    dx_sv_u64_put(b8, 0x0102030405060708ull);
    assert_int_equal(dx_sv_u64_get(b8, 8, &v64), 0);
    assert_true(v64 == 0x0102030405060708ull);
    assert_int_equal(dx_sv_u64_get(b8, 7, &v64), DX_EINVAL);
    assert_int_equal(dx_sv_u64_get(b8, 9, &v64), DX_EINVAL);
    dx_sv_u32_put(b4, 0xa0b0c0d0u);
    assert_int_equal(dx_sv_u32_get(b4, 4, &v32), 0);
    assert_int_equal(v32, 0xa0b0c0d0u);
    assert_int_equal(dx_sv_u32_get(b4, 5, &v32), DX_EINVAL);
}

static void test_report_keys_are_the_entry_key_then_one_reporter(void **state)
{
    (void)state;
    struct dx_key k = K("192.0.2.7");
    uint8_t pb[DX_SK_MAX], kb[DX_SK_MAX], eb[DX_SK_MAX];
    int en = dx_sk_entry(eb, "z", "l", &k);
    int pn = dx_sk_report_prefix(pb, "z", "l", &k);
    assert_int_equal(pn, en + 1);
    assert_memory_equal(pb, eb, (size_t)en);
    assert_int_equal(pb[en], 0);
    memcpy(kb, pb, (size_t)pn);
    int n = dx_sk_report(kb, (size_t)pn, "example.net");
    assert_int_equal(n, pn + 12);
    assert_string_equal((const char *)kb + pn, "example.net");
    assert_int_equal(dx_sk_report_match(kb, (size_t)n, pb, (size_t)pn), 1);
    assert_int_equal(dx_sk_report(kb, (size_t)pn, ""), DX_EINVAL);
    assert_int_equal(dx_sk_report(kb, (size_t)pn, NULL), DX_EINVAL);
    /* another key's reports, an empty reporter: not ours; two NULs: corrupt */
    assert_int_equal(dx_sk_report_match(kb, (size_t)pn + 1, pb, (size_t)pn), 0);
    kb[0] = 'y';
    assert_int_equal(dx_sk_report_match(kb, (size_t)n, pb, (size_t)pn), 0);
    kb[0] = 'z';
    kb[pn + 3] = 0;
    assert_int_equal(dx_sk_report_match(kb, (size_t)n, pb, (size_t)pn), DX_EINVAL);
    kb[pn + 3] = 'm';
    kb[n - 1] = 'x';
    assert_int_equal(dx_sk_report_match(kb, (size_t)n, pb, (size_t)pn), DX_EINVAL);
    /* a reporter as long as a key allows, and one byte more */
    char *r = name_of((size_t)(DX_SK_MAX - pn - 1));
    assert_int_equal(dx_sk_report(kb, (size_t)pn, r), DX_SK_MAX);
    free(r);
    r = name_of((size_t)(DX_SK_MAX - pn));
    assert_int_equal(dx_sk_report(kb, (size_t)pn, r), DX_EINVAL);
    free(r);
}

static void test_index_key_ends_with_the_last_address(void **state)
{
    (void)state;
    uint8_t kb[DX_SK_MAX], kb2[DX_SK_MAX];
    static const uint8_t a[4] = { 192, 0, 2, 255 };
    size_t kn = dx_sk_index(kb, 0x0102, DX_FAM_V4, a, 4);
    assert_int_equal(kn, 7);
    assert_memory_equal(kb, "\1\2\4\xc0\0\2\xff", 7);
    assert_int_equal(dx_sk_index_u128(kb2, 0x0102, DX_FAM_V4, 0xc00002ffu, 4), 7);
    assert_memory_equal(kb, kb2, 7);
    /* another interval of the zone/family: its end; another family or zone: none */
    dx_sk_index_u128(kb2, 0x0102, DX_FAM_V4, 7, 4);
    assert_ptr_equal(dx_sk_index_end(kb2, 7, kb, kn, 4), kb2 + 3);
    assert_int_equal(dx_sk_index_u128(kb2, 0x0102, DX_FAM_V6, 7, 16), 19);
    assert_null(dx_sk_index_end(kb2, 19, kb, kn, 4));
    dx_sk_index_u128(kb2, 0x0103, DX_FAM_V4, 7, 4);
    assert_null(dx_sk_index_end(kb2, 7, kb, kn, 4));
    dx_sk_index_u128(kb2, 0x0202, DX_FAM_V4, 7, 4);
    assert_null(dx_sk_index_end(kb2, 7, kb, kn, 4));
}

static void test_zoneid_value_is_two_bytes_not_zero(void **state)
{
    (void)state;
    uint16_t id = 9;
    assert_int_equal(dx_sv_zoneid_get("\1\2", 2, &id), 0);
    assert_int_equal(id, 0x0102);
    assert_int_equal(dx_sv_zoneid_get("\0\0", 2, &id), DX_EINVAL);
    assert_int_equal(dx_sv_zoneid_get("\1\2\3", 3, &id), DX_EINVAL);
    assert_int_equal(dx_sv_zoneid_get("\1", 1, &id), DX_EINVAL);
    assert_int_equal(id, 0x0102);
}

/* Two lists, the second with a chain of two; every field read back. */
static void index_value(struct dx_bytes *b)
{
    static const uint8_t n1[16] = { 0x20, 0x01, 0x0d, 0xb8 }, n2[16] = { 0x20, 0x01 };
    dx_bytes_growable(b);
    size_t at = dx_sv_index_begin(b, (dx_u128)0x20010db8 << 96, 16);
    dx_sv_index_list_put(b, "a", 1, 1);
    struct dx_ielem e1 = { .flags = 0, .plen = 32, .code = 0x7f000002, .expires = 0,
                           .addr = n1, .txt = "t" };
    dx_sv_index_elem_put(b, &e1, 16);
    dx_sv_index_list_put(b, "bb", 2, 2);
    struct dx_ielem e2 = { .flags = DX_ENTRY_EXCLUDE, .plen = 32, .code = 0, .expires = 99,
                           .addr = n1, .txt = NULL };
    struct dx_ielem e3 = { .flags = 0, .plen = 16, .code = 7, .expires = 5, .addr = n2,
                           .txt = "" };
    dx_sv_index_elem_put(b, &e2, 16);
    dx_sv_index_elem_put(b, &e3, 16);
    dx_sv_index_end(b, at, 2);
    assert_int_equal(b->err, 0);
}

static const uint8_t END[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff };   /* the key's end */

static void test_index_value_round_trip(void **state)
{
    (void)state;
    struct dx_bytes b;
    index_value(&b);
    struct dx_ivalue v;
    struct dx_ielem e = { 0 };
    const uint8_t *start = dx_sv_index_open(&v, b.wp, b.pos, END, 16);
    assert_non_null(start);
    assert_true(dx_be_n(start, 16) == (dx_u128)0x20010db8 << 96);
    assert_string_equal(dx_sv_index_list(&v), "a");
    assert_true(dx_sv_index_elem(&v, &e));
    assert_int_equal(e.plen, 32);
    assert_int_equal(e.code, 0x7f000002);
    assert_string_equal(e.txt, "t");
    assert_int_equal(e.addr[3], 0xb8);
    assert_false(dx_sv_index_elem(&v, &e));
    assert_string_equal(dx_sv_index_list(&v), "bb");
    assert_true(dx_sv_index_elem(&v, &e));
    assert_int_equal(e.flags, DX_ENTRY_EXCLUDE);
    assert_int_equal(e.expires, 99);
    assert_null(e.txt);
    assert_true(dx_sv_index_elem(&v, &e));
    assert_int_equal(e.plen, 16);
    assert_int_equal(e.code, 7);
    assert_string_equal(e.txt, "");
    assert_false(dx_sv_index_elem(&v, &e));
    assert_null(dx_sv_index_list(&v));
    assert_int_equal(v.b.err, 0);
    /* a list left unread is skipped */
    dx_sv_index_open(&v, b.wp, b.pos, END, 16);
    assert_string_equal(dx_sv_index_list(&v), "a");
    assert_string_equal(dx_sv_index_list(&v), "bb");
    assert_true(dx_sv_index_elem(&v, &e));
    assert_null(dx_sv_index_list(&v));
    assert_int_equal(v.b.err, 0);
    dx_bytes_free(&b);
}

static void test_index_value_cut_short_or_unterminated_is_corrupt(void **state)
{
    (void)state;
    struct dx_bytes b;
    index_value(&b);
    struct dx_ivalue v;
    for (size_t n = 0; n < 1 + 16 + 2; n++)   /* form, start, nlists */
        assert_null(dx_sv_index_open(&v, b.wp, n, END, 16));
    for (size_t n = 1 + 16 + 2; n < b.pos; n++) {
        assert_non_null(dx_sv_index_open(&v, b.wp, n, END, 16));
        while (dx_sv_index_list(&v))
            ;
        assert_int_not_equal(v.b.err, 0);
    }
    b.wp[1 + 16 + 2 + 1 + 1] = 'x';    /* the NUL of list "a" */
    dx_sv_index_open(&v, b.wp, b.pos, END, 16);
    assert_null(dx_sv_index_list(&v));
    assert_int_equal(v.b.err, DX_EINVAL);
    b.wp[0] = 2;                        /* a form that does not exist */
    assert_null(dx_sv_index_open(&v, b.wp, b.pos, END, 16));
    dx_bytes_free(&b);
}

/* Form 1: one list, one element, its address the key's end (not stored). */
static void test_index_single_form_round_trip_and_corrupt(void **state)
{
    (void)state;
    static const uint8_t end[4] = { 192, 0, 2, 7 };
    struct dx_bytes b;
    dx_bytes_growable(&b);
    struct dx_ielem in = { .flags = DX_ENTRY_EXCLUDE, .plen = 32, .code = 0x7f000002,
                           .expires = 42, .addr = NULL, .txt = "t" };
    dx_sv_index_single_put(&b, "bb", 2, &in);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.pos, 1 + 1 + 3 + 14 + 2 + 2);
    assert_memory_equal(b.wp, "\1\3bb\0\1\x20\x7f\0\0\2\0\0\0\0\0\0\0\x2a\0\2t\0", b.pos);
    struct dx_ivalue v;
    struct dx_ielem e = { 0 };
    assert_ptr_equal(dx_sv_index_open(&v, b.wp, b.pos, end, 4), end);
    assert_string_equal(dx_sv_index_list(&v), "bb");
    assert_true(dx_sv_index_elem(&v, &e));
    assert_int_equal(e.flags, DX_ENTRY_EXCLUDE);
    assert_int_equal(e.plen, 32);
    assert_int_equal(e.code, 0x7f000002);
    assert_int_equal(e.expires, 42);
    assert_ptr_equal(e.addr, end);
    assert_string_equal(e.txt, "t");
    assert_false(dx_sv_index_elem(&v, &e));
    assert_null(dx_sv_index_list(&v));
    assert_int_equal(v.b.err, 0);
    for (size_t n = 1; n < b.pos; n++) {
        dx_sv_index_open(&v, b.wp, n, end, 4);
        while (dx_sv_index_list(&v))
            while (dx_sv_index_elem(&v, &e))
                ;
        assert_int_not_equal(v.b.err, 0);
    }
    dx_bytes_free(&b);
}

static int key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : an < bn ? -1 : an > bn;
}

/* The order the domain lookups rely on, under one zone: the name, its
 * wildcard, unrelated names with a longer last label, then the names
 * below (LMDB's default comparator: memcmp, then shorter first). */
static void test_dindex_keys_sort_the_name_its_wildcard_then_the_names_below(void **state)
{
    (void)state;
    uint8_t a[DX_SK_MAX], b[DX_SK_MAX], p[DX_SK_MAX];
    const uint8_t *q = (const uint8_t *)"spam.example";
    size_t an = dx_sk_dindex(a, "z", 1, q, 12, false);
    assert_int_equal(an, 1 + 3 + 12);
    assert_memory_equal(a, "z\0Dexample.spam\0", an);
    size_t bn = dx_sk_dindex(b, "z", 1, q, 12, true);
    assert_true(key_cmp(a, an, b, bn) < 0);
    size_t pn = dx_sk_dindex_below(p, "z", 1, q, 12);
    assert_memory_equal(p, "z\0Dexample.spam.", pn);
    assert_true(key_cmp(b, bn, p, pn) < 0);
    uint8_t c[DX_SK_MAX];
    size_t cn = dx_sk_dindex(c, "z", 1, (const uint8_t *)"spam-x.example", 14, false);
    assert_true(key_cmp(b, bn, c, cn) < 0 && key_cmp(c, cn, p, pn) < 0);
    cn = dx_sk_dindex(c, "z", 1, (const uint8_t *)"a.spam.example", 14, true);
    assert_true(key_cmp(p, pn, c, cn) < 0 && memcmp(c, p, pn) == 0);
    /* the dindex key is z \0 then the key part of the entries key */
    struct dx_key k = K("*.spam.example");
    uint8_t e[DX_SK_MAX];
    int en = dx_sk_entry(e, "z", "l", &k);
    assert_int_equal((size_t)en - 4, bn - 2);
    assert_memory_equal(e + 4, b + 2, bn - 2);
}

static void test_dindex_value_round_trip_and_raw_copy(void **state)
{
    (void)state;
    struct dx_bytes b, c;
    dx_bytes_growable(&b);
    size_t at = dx_sv_dindex_head(&b, (const uint8_t *)"spam.example", 12);
    struct dx_entry e1 = { .flags = 0, .code = 0x7f000002, .expires_at = 0, .txt = "t" };
    struct dx_entry e2 = { .flags = DX_ENTRY_EXCLUDE, .code = 0, .expires_at = 9, .txt = NULL };
    dx_sv_dindex_elem_put(&b, "abuse", &e1);
    dx_sv_dindex_elem_put(&b, "spam", &e2);
    dx_sv_dindex_end(&b, at, 2);
    assert_int_equal(b.err, 0);
    struct dx_dvalue v;
    struct dx_delem d = { 0 };
    size_t len = 0;
    const uint8_t *name = dx_sv_dindex_open(&v, b.wp, b.pos, &len);
    assert_int_equal(len, 12);
    assert_memory_equal(name, "spam.example", 13);
    /* copy the elements raw into a second value: the same bytes */
    dx_bytes_growable(&c);
    size_t cat = dx_sv_dindex_head(&c, name, len);
    assert_true(dx_sv_dindex_elem(&v, &d));
    assert_string_equal(d.list, "abuse");
    assert_int_equal(d.code, 0x7f000002);
    assert_string_equal(d.txt, "t");
    dx_put(&c, d.raw, d.raw_len);
    assert_true(dx_sv_dindex_elem(&v, &d));
    assert_string_equal(d.list, "spam");
    assert_int_equal(d.flags, DX_ENTRY_EXCLUDE);
    assert_int_equal(d.expires, 9);
    assert_null(d.txt);
    dx_put(&c, d.raw, d.raw_len);
    assert_false(dx_sv_dindex_elem(&v, &d));
    assert_int_equal(v.b.err, 0);
    dx_sv_dindex_end(&c, cat, 2);
    assert_int_equal(c.pos, b.pos);
    assert_memory_equal(c.wp, b.wp, b.pos);
    /* cut short anywhere, or a name of no bytes: corrupt */
    for (size_t n = 0; n < b.pos; n++) {
        if (dx_sv_dindex_open(&v, b.wp, n, &len))
            while (dx_sv_dindex_elem(&v, &d))
                ;
        assert_int_not_equal(v.b.err, 0);
    }
    static const uint8_t empty[] = { 1, 0, 0, 0 };
    assert_null(dx_sv_dindex_open(&v, empty, sizeof(empty), &len));
    dx_bytes_free(&b);
    dx_bytes_free(&c);
}

/* The history key text of an IPv4 key is written without snprintf: it
 * must be dx_key_format's text exactly. */
static void test_history_prefix_is_the_key_text(void **state)
{
    (void)state;
    const char *keys[] = { "0.0.0.0/0", "1.2.3.4", "10.0.0.0/8", "192.0.2.0/24", "255.255.255.255",
                           "100.64.0.0/10", "9.99.100.0/30", "2001:db8::/32", "*.spam.example" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct dx_key k = K(keys[i]);
        uint8_t kb[DX_SK_HIST_MAX];
        char text[DX_KEY_TEXT_MAX];
        int n = dx_sk_hist_prefix(kb, &k);
        int tn = dx_key_format(&k, text, sizeof(text));
        assert_int_equal(n, tn + 1);
        assert_memory_equal(kb, text, (size_t)n);
    }
    struct dx_key bad = K("192.0.2.0/24");
    bad.plen = 23;
    bad.addr[2] = 3;
    uint8_t kb[DX_SK_HIST_MAX];
    assert_int_equal(dx_sk_hist_prefix(kb, &bad), DX_EINVAL);
}

static void test_history_key_time_and_seq_read_back(void **state)
{
    (void)state;
    struct dx_key k = K("192.0.2.1");
    uint8_t kb[DX_SK_HIST_MAX], pre[DX_SK_HIST_MAX];
    int pn = dx_sk_hist_prefix(kb, &k);
    memcpy(pre, kb, (size_t)pn);
    size_t kn = dx_sk_hist_put_at(kb, (size_t)pn, 1800000000u);
    size_t n = dx_sk_hist_put_seq(kb, kn, 7);
    assert_int_equal(n, (size_t)pn + 12);
    uint64_t at;
    uint32_t seq;
    assert_true(dx_sk_hist_at(kb, n, &at));
    assert_true(at == 1800000000u);
    assert_true(dx_sk_hist_of(kb, n, pre, (size_t)pn));
    assert_false(dx_sk_hist_of(kb, n - 1, pre, (size_t)pn));
    assert_true(dx_sk_hist_same(kb, n, kb, kn, &seq));
    assert_int_equal(seq, 7);
    assert_false(dx_sk_hist_same(kb, n - 1, kb, kn, &seq));
    assert_false(dx_sk_hist_at(kb, 12, &at));
    /* a history value back, with the time of its key */
    struct dx_hist h = { .at = 1, .action = DX_HIST_DELIST, .zone = "z", .list = NULL,
                         .source = "admin", .reason = "r", .expires_at = 42 }, back;
    struct dx_bytes b;
    dx_bytes_growable(&b);
    dx_sv_hist_put(&b, &h);
    assert_int_equal(dx_sv_hist_get(kb, n, b.wp, b.pos, &back), 0);
    assert_true(back.at == 1800000000u);
    assert_int_equal(back.action, DX_HIST_DELIST);
    assert_true(back.expires_at == 42);
    assert_string_equal(back.zone, "z");
    assert_null(back.list);
    assert_string_equal(back.source, "admin");
    assert_string_equal(back.reason, "r");
    assert_int_equal(dx_sv_hist_get(kb, n, b.wp, b.pos - 1, &back), DX_EINVAL);
    assert_int_equal(dx_sv_hist_get(kb, 12, b.wp, b.pos, &back), DX_EINVAL);
    dx_bytes_free(&b);
}

static void test_meta_and_zones_keys(void **state)
{
    (void)state;
    size_t n;
    const uint8_t *k = dx_sk_meta_schema(&n);
    assert_int_equal(n, 6);
    assert_memory_equal(k, "schema", 6);
    assert_int_equal(dx_sk_zone("bl.example"), 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_key_splits_back_into_zone_list_and_key),
        cmocka_unit_test(test_entry_key_stores_a_name_with_its_labels_reversed),
        cmocka_unit_test(test_entry_key_refuses_bad_names_and_keys),
        cmocka_unit_test(test_entry_key_leaves_room_for_the_expiry_prefix),
        cmocka_unit_test(test_entry_prefix_is_the_start_of_the_entry_keys),
        cmocka_unit_test(test_entry_ip_keys_of_the_index_rebuild_match_the_entry_key),
        cmocka_unit_test(test_entry_value_round_trip),
        cmocka_unit_test(test_string_field_too_long_is_an_error_of_the_writer),
        cmocka_unit_test(test_scalar_values_have_exactly_their_size),
        cmocka_unit_test(test_report_keys_are_the_entry_key_then_one_reporter),
        cmocka_unit_test(test_index_key_ends_with_the_last_address),
        cmocka_unit_test(test_index_value_round_trip),
        cmocka_unit_test(test_index_value_cut_short_or_unterminated_is_corrupt),
        cmocka_unit_test(test_index_single_form_round_trip_and_corrupt),
        cmocka_unit_test(test_zoneid_value_is_two_bytes_not_zero),
        cmocka_unit_test(test_dindex_keys_sort_the_name_its_wildcard_then_the_names_below),
        cmocka_unit_test(test_dindex_value_round_trip_and_raw_copy),
        cmocka_unit_test(test_history_prefix_is_the_key_text),
        cmocka_unit_test(test_history_key_time_and_seq_read_back),
        cmocka_unit_test(test_meta_and_zones_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
