/* Unit tests of the store's lookup entry points (zones/store_lookup.c). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup_answers_ipv6_and_ipv4_mapped_from_ipv4_data,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
