/* Unit tests of the store's lookup entry points (zones/store_lookup.c):
 * the dispatch by family, and a hit back to its entry (dx_hit_key,
 * dx_hit_reason). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

static void test_lookup_answers_ipv6_and_ipv4_mapped_from_ipv4_data(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8::/32", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8:1::/48", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8:1::1", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "::/0", 0, 9, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.0/24", 0, 5, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1::1", h), 2);
    assert_int_equal(h[0].code, 4);
    assert_int_equal(h[0].plen, 128);
    assert_key(&h[0], "2001:db8:1::1");
    assert_string_equal(h[1].list, "b");
    assert_int_equal(h[1].plen, 0);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1::2", h), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", h), 2);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "2001:db8:2::", h), 2);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "2001:db9::", h), 1);
    assert_string_equal(h[0].list, "b");
    assert_int_equal(look(f->st, "bl.test", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", h), 1);
    assert_int_equal(look(f->st, "bl.test", "::", h), 1);
    /* IPv4-mapped: answered from IPv4 data, not from ::/0 */
    assert_int_equal(look(f->st, "bl.test", "::ffff:192.0.2.9", h), 1);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 5);
    uint8_t raw[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9 };
    struct dx_key q;
    dx_key_from_addr(&q, raw, 16);
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 5);
    /* a raw mapped v6 key (not converted) is answered from IPv4 data too */
    struct dx_key q6 = { .family = DX_FAM_V6, .plen = 128, .len = 16 };
    memcpy(q6.addr, raw, 16);
    assert_int_equal(dx_lookup(r, "bl.test", &q6, NOW, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 5);
    dx_txn_abort(r);
}

/* Every hit says the family of its entry's key: an IPv4-mapped query is
 * answered from IPv4 data, so its hits are IPv4. */
static void test_hits_carry_the_family_of_their_entry(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.0/24", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8::/32", 0, 3, 0, NULL), 0);
    /* names of 4 and 16 bytes: the length does not tell the family */
    assert_int_equal(put(w, "dbl.test", "a", "a.bc", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "dbl.test", "a", "*.abcdefghij.kl", 0, 5, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "192.0.2.1", h), 1);
    assert_int_equal(h[0].family, DX_FAM_V4);
    assert_int_equal(look(f->st, "bl.test", "::ffff:192.0.2.1", h), 1);
    assert_int_equal(h[0].family, DX_FAM_V4);
    assert_int_equal(look(f->st, "bl.test", "2001:db8::1", h), 1);
    assert_int_equal(h[0].family, DX_FAM_V6);
    assert_int_equal(look(f->st, "dbl.test", "a.bc", h), 1);
    assert_int_equal(h[0].family, DX_FAM_DOMAIN);
    assert_int_equal(h[0].key_len, 4);
    assert_int_equal(look(f->st, "dbl.test", "x.abcdefghij.kl", h), 1);
    assert_int_equal(h[0].family, DX_FAM_DOMAIN);
    assert_int_equal(h[0].key_len, 13);
}

/* dx_hit_key gives back the key the entry was put under. */
static void test_hit_key_is_the_key_of_the_entry(void **state)
{
    struct fx *f = *state;
    const char *keys[] = { "198.51.100.0/24", "192.0.2.7", "2001:db8:1::/48",
                           "spam.example", "*.wild.example" };
    const char *qs[] = { "198.51.100.9", "192.0.2.7", "2001:db8:1::5", "spam.example",
                         "a.b.wild.example" };
    const char *zones[] = { "bl.test", "bl.test", "bl.test", "dbl.test", "dbl.test" };
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(put(w, zones[i], "l", keys[i], 0, 0, 0, NULL), 0);
    commit_ok(w);
    for (int i = 0; i < 5; i++) {
        struct dx_hit h[DX_HITS_MAX];
        assert_int_equal(look(f->st, zones[i], qs[i], h), 1);
        struct dx_key k, want = K(keys[i]);
        dx_hit_key(&h[0], &k);
        assert_int_equal(k.family, want.family);
        assert_int_equal(k.len, want.len);
        assert_int_equal(k.plen, want.plen);
        assert_memory_equal(k.addr, want.addr, sizeof(k.addr));
    }
}

/* dx_hit_reason: the entry's reason; NULL for an entry without one, one
 * deleted since the hit, and a hit that is not the store's. */
static void test_hit_reason_reads_the_entry_behind_the_hit(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct dx_key k = K("192.0.2.0/24"), kn = K("192.0.2.9"), kd = K("*.spam.example");
    struct dx_entry e = { .reason = "spam run", .source = "admin" };
    struct dx_entry none = { .source = "admin" };
    assert_int_equal(dx_entry_put(w, "bl.test", "a", &k, &e), 0);
    assert_int_equal(dx_entry_put(w, "bl.test", "b", &kn, &none), 0);
    assert_int_equal(dx_entry_put(w, "dbl.test", "a", &kd, &e), 0);
    commit_ok(w);
    struct dx_txn *r;
    struct dx_hit h[DX_HITS_MAX];
    const char *reason = "x";
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key q = K("192.0.2.9");
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, DX_HITS_MAX), 2);
    assert_int_equal(dx_hit_reason(r, "bl.test", &h[0], &reason), 0);
    assert_string_equal(reason, "spam run");
    assert_int_equal(dx_hit_reason(r, "bl.test", &h[1], &reason), 0);
    assert_null(reason);
    q = K("x.spam.example");
    assert_int_equal(dx_lookup(r, "dbl.test", &q, NOW, h, DX_HITS_MAX), 1);
    reason = NULL;
    assert_int_equal(dx_hit_reason(r, "dbl.test", &h[0], &reason), 0);
    assert_string_equal(reason, "spam run");
    struct dx_hit synthetic = { .list = "a", .code = 0x7f000002 };
    reason = "x";
    assert_int_equal(dx_hit_reason(r, "bl.test", &synthetic, &reason), 0);
    assert_null(reason);
    dx_txn_abort(r);
    /* in a write txn the index is as of its start: the hit outlives the
     * entry it came from */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    q = K("192.0.2.9");
    assert_int_equal(dx_lookup(w, "bl.test", &q, NOW, h, DX_HITS_MAX), 2);
    assert_int_equal(dx_entry_del(w, "bl.test", "a", &k), 0);
    reason = "x";
    assert_int_equal(dx_hit_reason(w, "bl.test", &h[0], &reason), 0);
    assert_null(reason);
    dx_txn_abort(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup_answers_ipv6_and_ipv4_mapped_from_ipv4_data,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_hits_carry_the_family_of_their_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hit_key_is_the_key_of_the_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hit_reason_reads_the_entry_behind_the_hit, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
