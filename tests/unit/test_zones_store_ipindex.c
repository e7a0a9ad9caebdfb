/* Unit tests of the ip index (zones/store_ipindex.c, which builds it at
 * commit, and zones/store_iplookup.c, which reads it), through dx_lookup
 * and dx_lookup_below on ip zones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "tests/unit/store_fixture.h"

static void test_lookup_answers_the_most_specific_covering_entry(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/16", 0, 2, 0, "wide"), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.1.0/24", 0, 3, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "10.0.1.5", h), 1);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 3);
    assert_int_equal(h[0].plen, 24);
    assert_null(h[0].txt);
    assert_key(&h[0], "10.0.1.0");
    assert_int_equal(look(f->st, "bl.test", "10.0.2.5", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(h[0].plen, 16);
    assert_string_equal(h[0].txt, "wide");
    assert_key(&h[0], "10.0.0.0");
    assert_int_equal(look(f->st, "bl.test", "10.0.0.255", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.0.255.255", h), 1);
    assert_int_equal(look(f->st, "bl.test", "10.1.0.0", h), 0);
    assert_int_equal(look(f->st, "bl.test", "9.255.255.255", h), 0);
    assert_int_equal(look(f->st, "other.test", "10.0.1.5", h), 0);
}

static void test_lookup_answers_every_list_in_name_order(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "zeta", "198.51.100.0/24", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "alpha", "198.51.100.7", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "mid", "198.0.0.0/8", 0, 3, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "198.51.100.7", h), 3);
    assert_string_equal(h[0].list, "alpha");
    assert_int_equal(h[0].code, 2);
    assert_int_equal(h[0].plen, 32);
    assert_string_equal(h[1].list, "mid");
    assert_int_equal(h[1].code, 3);
    assert_string_equal(h[2].list, "zeta");
    assert_int_equal(h[2].code, 4);
    assert_int_equal(look(f->st, "bl.test", "198.51.100.8", h), 2);
    assert_string_equal(h[0].list, "mid");
    assert_string_equal(h[1].list, "zeta");
    assert_int_equal(look(f->st, "bl.test", "198.1.1.1", h), 1);
    /* max limits the number written */
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key q = K("198.51.100.7");
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW, h, 1), 1);
    assert_string_equal(h[0].list, "alpha");
    dx_txn_abort(r);
}

static void test_exclusion_hides_its_range_from_a_wider_entry(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/8", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.1.0.0/16", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "10.1.0.0/16", 0, 5, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "10.1.2.3", h), 1);
    assert_string_equal(h[0].list, "b");
    assert_int_equal(look(f->st, "bl.test", "10.1.0.0", h), 1);
    assert_int_equal(look(f->st, "bl.test", "10.1.255.255", h), 1);
    assert_int_equal(look(f->st, "bl.test", "10.0.255.255", h), 1);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.2.0.0", h), 1);
    assert_string_equal(h[0].list, "a");
    assert_int_equal(look(f->st, "bl.test", "10.0.0.0", h), 1);
    assert_int_equal(look(f->st, "bl.test", "10.255.255.255", h), 1);
    assert_int_equal(look(f->st, "bl.test", "11.0.0.0", h), 0);
}

static void test_expired_entry_lets_the_next_wider_one_answer(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/24", 0, 2, NOW + 100, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.9", 0, 3, NOW - 1, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.10", 0, 4, NOW, NULL), 0);  /* expired at now */
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.11", 0, 5, NOW + 1, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.9.0.0/16", 0, 6, NOW - 5, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.9.0.1", 0, 7, NOW - 5, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "10.0.0.9", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(h[0].plen, 24);
    assert_int_equal(h[0].expires_at, NOW + 100);
    assert_int_equal(look(f->st, "bl.test", "10.0.0.10", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.0.0.11", h), 1);
    assert_int_equal(h[0].code, 5);
    assert_int_equal(h[0].expires_at, NOW + 1);
    /* expired only: not listed */
    assert_int_equal(look(f->st, "bl.test", "10.9.0.1", h), 0);
    assert_int_equal(look(f->st, "bl.test", "10.9.3.3", h), 0);
    /* a later time: the /24 too is gone */
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key q = K("10.0.0.11");
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW + 100, h, DX_HITS_MAX), 0);
    assert_int_equal(dx_lookup(r, "bl.test", &q, NOW - 100, h, DX_HITS_MAX), 1);
    assert_int_equal(h[0].code, 5);
    dx_txn_abort(r);
}

static void test_delete_restores_what_the_entry_covered(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.0.0.0/8", 0, 2, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.1.0.0/16", 0, 3, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.2.0.0/16", 0, 4, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.3.0.0/16", 0, 5, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "10.2.3.0/24", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    commit_ok(w);
    struct dx_hit h[DX_HITS_MAX];
    assert_int_equal(look(f->st, "bl.test", "10.2.3.4", h), 0);
    assert_int_equal(look(f->st, "bl.test", "10.2.4.4", h), 1);
    assert_int_equal(h[0].code, 4);

    /* delete the middle range: its addresses answer from the /8 again,
     * the neighbours keep their own answers */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "10.2.0.0/16"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "10.2.4.4", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.2.0.0", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.2.255.255", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(look(f->st, "bl.test", "10.2.3.4", h), 0);   /* exclusion stays */
    assert_int_equal(look(f->st, "bl.test", "10.1.255.255", h), 1);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "10.3.0.0", h), 1);
    assert_int_equal(h[0].code, 5);

    /* delete the exclusion and the /8 */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "10.2.3.0/24"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "10.2.3.4", h), 1);
    assert_int_equal(h[0].code, 2);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "10.0.0.0/8"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "10.2.3.4", h), 0);
    assert_int_equal(look(f->st, "bl.test", "10.0.0.0", h), 0);
    assert_int_equal(look(f->st, "bl.test", "10.1.0.0", h), 1);
    assert_int_equal(h[0].code, 3);
    assert_int_equal(look(f->st, "bl.test", "10.3.255.255", h), 1);
    assert_int_equal(h[0].code, 5);
    assert_int_equal(look(f->st, "bl.test", "10.4.0.0", h), 0);
}

/* Ranges at both ends of the address space, /0 entries, exclusions at the
 * edges, expiry of a covering range, and deleting the last entry. */
static void test_index_covers_the_edges_of_the_address_space(void **state)
{
    struct fx *f = *state;
    struct dx_hit h[DX_HITS_MAX];
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "0.0.0.0/0", 0, 0, 0, "all"), 0);
    assert_int_equal(put(w, "bl.test", "a", "0.0.0.0/32", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "255.255.255.255", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "255.255.255.0/24", 0, 0, NOW - 1, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "255.255.255.128/25", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "::/0", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "::/128", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                         DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "0.0.0.0", h), 0);
    assert_int_equal(look(f->st, "bl.test", "0.0.0.1", h), 1);
    assert_int_equal(look(f->st, "bl.test", "255.255.255.255", h), 1);   /* b's /25 */
    assert_string_equal(h[0].list, "b");
    assert_int_equal(look(f->st, "bl.test", "255.255.255.254", h), 2);
    assert_int_equal(look(f->st, "bl.test", "255.255.255.127", h), 1);   /* b's /24 expired */
    assert_string_equal(h[0].list, "a");
    assert_int_equal(h[0].plen, 0);
    assert_int_equal(look(f->st, "bl.test", "::", h), 0);
    assert_int_equal(look(f->st, "bl.test", "::2", h), 1);
    assert_int_equal(look(f->st, "bl.test", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", h), 0);
    assert_int_equal(look(f->st, "bl.test", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", h), 1);

    /* the /0 goes: the exclusions and b's entries remain */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "0.0.0.0/0"), 0);
    assert_int_equal(del(w, "bl.test", "a", "::/0"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "0.0.0.1", h), 0);
    assert_int_equal(look(f->st, "bl.test", "128.0.0.1", h), 0);
    assert_int_equal(look(f->st, "bl.test", "255.255.255.200", h), 1);
    assert_int_equal(look(f->st, "bl.test", "::2", h), 0);

    /* deleting the last entries of the zone leaves no index behind */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(del(w, "bl.test", "a", "0.0.0.0/32"), 0);
    assert_int_equal(del(w, "bl.test", "a", "255.255.255.255"), 0);
    assert_int_equal(del(w, "bl.test", "b", "255.255.255.0/24"), 0);
    assert_int_equal(del(w, "bl.test", "b", "255.255.255.128/25"), 0);
    assert_int_equal(del(w, "bl.test", "a", "::/128"), 0);
    assert_int_equal(del(w, "bl.test", "a", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
    commit_ok(w);
    assert_int_equal(look(f->st, "bl.test", "255.255.255.200", h), 0);
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    size_t n = 1;
    assert_int_equal(dx_entry_count(r, "bl.test", NULL, &n), 0);
    assert_int_equal(n, 0);
    dx_txn_abort(r);
}

static void test_lookup_below_a_prefix_finds_entries_overlapping_it(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(put(w, "bl.test", "a", "192.0.2.99", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "10.0.0.0/8", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "c", "198.51.100.0/24", DX_ENTRY_EXCLUDE, 0, 0, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "203.0.113.5", 0, 0, NOW - 1, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "203.0.113.9", 0, 0, NOW, NULL), 0);
    assert_int_equal(put(w, "bl.test", "b", "203.0.114.0/24", 0, 0, NOW + 100, NULL), 0);
    assert_int_equal(put(w, "bl.test", "a", "2001:db8:1::/48", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "v6.test", "a", "2001:db8::1", 0, 0, 0, NULL), 0);
    commit_ok(w);

    /* an entry inside the prefix, or one covering it */
    assert_int_equal(below(f->st, "bl.test", "192.0.2.0/24"), 1);
    assert_int_equal(below(f->st, "bl.test", "192.0.0.0/16"), 1);
    assert_int_equal(below(f->st, "bl.test", "192.0.0.0/8"), 1);
    assert_int_equal(below(f->st, "bl.test", "0.0.0.0/0"), 1);
    assert_int_equal(below(f->st, "bl.test", "10.1.0.0/16"), 1);
    assert_int_equal(below(f->st, "bl.test", "10.1.2.0/24"), 1);
    assert_int_equal(below(f->st, "bl.test", "192.0.2.99/32"), 1);
    /* nothing there */
    assert_int_equal(below(f->st, "bl.test", "192.0.3.0/24"), 0);
    assert_int_equal(below(f->st, "bl.test", "192.0.2.0/26"), 0);   /* .99 is in the next /26 */
    assert_int_equal(below(f->st, "bl.test", "191.0.0.0/8"), 0);
    assert_int_equal(below(f->st, "bl.test", "11.0.0.0/8"), 0);
    assert_int_equal(below(f->st, "bl.test", "255.0.0.0/8"), 0);    /* past the last interval */
    assert_int_equal(below(f->st, "other.test", "0.0.0.0/0"), 0);   /* another zone */
    /* an exclusion alone is an entry: a name of its own */
    assert_int_equal(below(f->st, "bl.test", "198.51.100.0/24"), 1);
    assert_int_equal(below(f->st, "bl.test", "198.51.0.0/16"), 1);
    /* expired entries are absent, to the second; the walk steps past them */
    assert_int_equal(below(f->st, "bl.test", "203.0.113.0/24"), 0);
    assert_int_equal(below_at(f->st, "bl.test", "203.0.113.0/24", NOW - 1), 1);
    assert_int_equal(below(f->st, "bl.test", "203.0.0.0/16"), 1);  /* 203.0.114.0/24 */
    assert_int_equal(below_at(f->st, "bl.test", "203.0.0.0/16", NOW + 100), 0);

    /* IPv6 */
    assert_int_equal(below(f->st, "bl.test", "2001:db8::/32"), 1);
    assert_int_equal(below(f->st, "bl.test", "2000::/4"), 1);
    assert_int_equal(below(f->st, "bl.test", "2001:db8:1:2::/64"), 1);
    assert_int_equal(below(f->st, "bl.test", "2001:db8:2::/48"), 0);
    assert_int_equal(below(f->st, "bl.test", "3000::/4"), 0);
    /* the IPv4-mapped part of a prefix is IPv4 data */
    assert_int_equal(below(f->st, "bl.test", "::ffff:0:0/96"), 1);
    assert_int_equal(below(f->st, "bl.test", "::ffff:192.0.0.0/112"), 1);
    assert_int_equal(below(f->st, "bl.test", "::ffff:192.0.2.0/120"), 1);
    assert_int_equal(below(f->st, "bl.test", "::ffff:192.0.3.0/120"), 0);
    assert_int_equal(below(f->st, "bl.test", "::/16"), 1);
    assert_int_equal(below(f->st, "bl.test", "::/96"), 0);          /* below ::ffff:0:0 */
    assert_int_equal(below(f->st, "v6.test", "::/16"), 0);          /* no IPv4 data */
    assert_int_equal(below(f->st, "v6.test", "2001:db8::/126"), 1);

    /* bad arguments */
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    struct dx_key k = K("192.0.2.0/24");
    assert_int_equal(dx_lookup_below(NULL, "bl.test", &k, NOW), DX_EINVAL);
    assert_int_equal(dx_lookup_below(r, "", &k, NOW), DX_EINVAL);
    assert_int_equal(dx_lookup_below(r, NULL, &k, NOW), DX_EINVAL);
    assert_int_equal(dx_lookup_below(r, "bl.test", NULL, NOW), DX_EINVAL);
    k.addr[3] = 1;                                /* host bits set */
    assert_int_equal(dx_lookup_below(r, "bl.test", &k, NOW), DX_EINVAL);
    k = K("192.0.2.0/24");
    k.family = 9;
    assert_int_equal(dx_lookup_below(r, "bl.test", &k, NOW), DX_EINVAL);
    /* a renewed read txn keeps working (its cursors are renewed) */
    dx_txn_reset(r);
    assert_int_equal(dx_txn_renew(r), 0);
    k = K("192.0.2.0/24");
    assert_int_equal(dx_lookup_below(r, "bl.test", &k, NOW), 1);
    k = K("example");
    assert_int_equal(dx_lookup_below(r, "dbl.test", &k, NOW), 0);
    dx_txn_reset(r);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(dx_lookup_below(r, "dbl.test", &k, NOW), 0);
    assert_int_equal(dx_txn_commit(r), 0);
}

/* --- randomized differential test --------------------------------------- */

typedef unsigned __int128 u128;

#define NLISTS 3
#define RMAX 6000

static const char *const rlists[NLISTS] = { "la", "lb", "lc" };

struct rent {
    uint8_t fam;
    uint8_t plen;
    bool present;
    int list;
    u128 addr;
    uint32_t flags, code;
    uint64_t exp;
    char txt[16];
};

struct model {
    struct rent e[RMAX];
    int n;
    uint64_t rng;
};

static uint64_t rnd(struct model *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng;
}

static unsigned fbits(uint8_t fam)
{
    return fam == DX_FAM_V4 ? 32 : 128;
}

static u128 hmask(uint8_t fam, unsigned plen)
{
    unsigned bits = fbits(fam);
    if (plen == 0)
        return fam == DX_FAM_V4 ? (u128)0xffffffffu : ~(u128)0;
    if (plen >= bits)
        return 0;
    return ((u128)1 << (bits - plen)) - 1;
}

static void to_key(uint8_t fam, u128 a, unsigned plen, struct dx_key *k)
{
    memset(k, 0, sizeof(*k));
    k->family = fam;
    k->len = fam == DX_FAM_V4 ? 4 : 16;
    k->plen = (uint8_t)plen;
    for (int i = k->len; i-- > 0;) {
        k->addr[i] = (uint8_t)a;
        a >>= 8;
    }
}

static u128 rand_addr(struct model *m, uint8_t fam)
{
    if (fam == DX_FAM_V4)
        return 0x0a000000u | (rnd(m) & 0xffff);
    u128 base = (u128)0x20010db8u << 96;
    return base | ((u128)(rnd(m) & 0xffff) << 80) | (rnd(m) & 0xff);
}

static unsigned rand_plen(struct model *m, uint8_t fam)
{
    if (rnd(m) % 100 < 40)
        return fbits(fam);
    return fam == DX_FAM_V4 ? 8 + rnd(m) % 25 : 24 + rnd(m) % 105;
}

/* Put a random entry (or a new version of an existing key). */
static void rput(struct model *m, struct dx_txn *w, uint8_t fam, u128 a, unsigned plen, int list)
{
    a &= ~hmask(fam, plen);
    int idx = -1;
    for (int i = 0; i < m->n; i++)
        if (m->e[i].fam == fam && m->e[i].plen == plen && m->e[i].list == list &&
            m->e[i].addr == a) {
            idx = i;
            break;
        }
    if (idx < 0) {
        assert_true(m->n < RMAX);
        idx = m->n++;
    }
    struct rent *r = &m->e[idx];
    r->fam = fam;
    r->plen = (uint8_t)plen;
    r->list = list;
    r->addr = a;
    r->present = true;
    r->flags = rnd(m) % 100 < 15 ? DX_ENTRY_EXCLUDE : 0;
    r->code = (uint32_t)rnd(m);
    unsigned x = rnd(m) % 100;
    r->exp = x < 15 ? NOW - 10 : x < 30 ? NOW + 500 : x < 40 ? NOW : 0;
    if (rnd(m) % 100 < 30)
        snprintf(r->txt, sizeof(r->txt), "t%d", idx);
    else
        r->txt[0] = 0;
    struct dx_key k;
    to_key(fam, a, plen, &k);
    struct dx_entry e = { .flags = r->flags, .code = r->code, .expires_at = r->exp,
                          .txt = r->txt[0] ? r->txt : NULL };
    assert_int_equal(dx_entry_put(w, "bl.test", rlists[list], &k, &e), 0);
}

static void rput_random(struct model *m, struct dx_txn *w)
{
    uint8_t fam = rnd(m) % 4 == 0 ? DX_FAM_V6 : DX_FAM_V4;
    rput(m, w, fam, rand_addr(m, fam), rand_plen(m, fam), (int)(rnd(m) % NLISTS));
}

static void rdel_random(struct model *m, struct dx_txn *w)
{
    for (int tries = 0; tries < 50; tries++) {
        struct rent *r = &m->e[rnd(m) % (uint64_t)m->n];
        if (!r->present)
            continue;
        struct dx_key k;
        to_key(r->fam, r->addr, r->plen, &k);
        assert_int_equal(dx_entry_del(w, "bl.test", rlists[r->list], &k), 0);
        r->present = false;
        return;
    }
}

static void check_query(struct model *m, struct dx_txn *r, uint8_t fam, u128 q)
{
    int best[NLISTS] = { -1, -1, -1 };
    for (int i = 0; i < m->n; i++) {
        const struct rent *e = &m->e[i];
        if (!e->present || e->fam != fam || (q & ~hmask(fam, e->plen)) != e->addr)
            continue;
        if (e->exp != 0 && e->exp <= NOW)
            continue;
        if (best[e->list] < 0 || m->e[best[e->list]].plen < e->plen)
            best[e->list] = i;
    }
    struct dx_key k;
    to_key(fam, q, fbits(fam), &k);
    struct dx_hit h[DX_HITS_MAX];
    int n = dx_lookup(r, "bl.test", &k, NOW, h, DX_HITS_MAX);
    int j = 0;
    for (int l = 0; l < NLISTS; l++) {
        if (best[l] < 0 || (m->e[best[l]].flags & DX_ENTRY_EXCLUDE))
            continue;
        const struct rent *e = &m->e[best[l]];
        if (j >= n) {
            char t[DX_KEY_TEXT_MAX];
            dx_key_format(&k, t, sizeof(t));
            fail_msg("%s: list %s missing (n=%d)", t, rlists[l], n);
        }
        assert_string_equal(h[j].list, rlists[l]);
        assert_int_equal(h[j].code, e->code);
        assert_int_equal(h[j].plen, e->plen);
        assert_int_equal(h[j].expires_at, e->exp);
        struct dx_key ek;
        to_key(fam, e->addr, e->plen, &ek);
        assert_int_equal(h[j].key_len, ek.len);
        assert_memory_equal(h[j].key, ek.addr, ek.len);
        if (e->txt[0])
            assert_string_equal(h[j].txt, e->txt);
        else
            assert_null(h[j].txt);
        j++;
    }
    if (n != j) {
        char t[DX_KEY_TEXT_MAX];
        dx_key_format(&k, t, sizeof(t));
        fail_msg("%s: %d hits, expected %d", t, n, j);
    }
}

static void check_entry_edges(struct model *m, struct dx_txn *r, const struct rent *e)
{
    u128 end = e->addr | hmask(e->fam, e->plen);
    check_query(m, r, e->fam, e->addr);
    check_query(m, r, e->fam, end);
    if (e->addr > 0)
        check_query(m, r, e->fam, e->addr - 1);
    if (end != hmask(e->fam, 0))
        check_query(m, r, e->fam, end + 1);
}

/* Full: the edges of every entry ever written and 1000 random addresses.
 * Partial: the edges of entries [from, m->n) and of `extra` (touched),
 * plus samples. */
static void verify_some(struct model *m, struct dx_store *st, bool full, const int *extra,
                        int nextra)
{
    struct dx_txn *r;
    assert_int_equal(dx_txn_read(st, &r), 0);
    if (full) {
        for (int i = 0; i < m->n; i++)
            check_entry_edges(m, r, &m->e[i]);
    } else {
        for (int i = 0; i < nextra; i++)
            check_entry_edges(m, r, &m->e[extra[i]]);
        for (int i = 0; i < 60; i++)
            check_entry_edges(m, r, &m->e[rnd(m) % (uint64_t)m->n]);
    }
    for (int i = 0; i < (full ? 1000 : 150); i++) {
        uint8_t fam = i % 3 == 0 ? DX_FAM_V6 : DX_FAM_V4;
        check_query(m, r, fam, rand_addr(m, fam));
    }
    dx_txn_abort(r);
}

static void verify(struct model *m, struct dx_store *st)
{
    verify_some(m, st, true, NULL, 0);
}

/* Small txns (1-3 changes of mostly long prefixes, or deletions of any
 * entry): the index is updated region by region, not rebuilt. */
static void small_rounds(struct model *m, struct dx_store *st, int rounds)
{
    for (int round = 0; round < rounds; round++) {
        struct dx_txn *w;
        int touched[4], nt = 0;
        assert_int_equal(dx_txn_write(st, T_NOW, &w), 0);
        int ops = 1 + (int)(rnd(m) % 3);
        for (int i = 0; i < ops; i++) {
            if (rnd(m) % 2) {
                uint8_t fam = rnd(m) % 3 == 0 ? DX_FAM_V6 : DX_FAM_V4;
                unsigned bits = fbits(fam);
                unsigned plen = bits - (unsigned)(rnd(m) % (bits == 32 ? 13 : 50));
                int before = m->n;
                rput(m, w, fam, rand_addr(m, fam), plen, (int)(rnd(m) % NLISTS));
                touched[nt++] = m->n > before ? m->n - 1 : -1;
                if (touched[nt - 1] < 0)
                    nt--;
            } else {
                for (int tries = 0; tries < 50; tries++) {
                    int idx = (int)(rnd(m) % (uint64_t)m->n);
                    struct rent *e = &m->e[idx];
                    if (!e->present)
                        continue;
                    struct dx_key k;
                    to_key(e->fam, e->addr, e->plen, &k);
                    assert_int_equal(dx_entry_del(w, "bl.test", rlists[e->list], &k), 0);
                    e->present = false;
                    touched[nt++] = idx;
                    break;
                }
            }
        }
        commit_ok(w);
        verify_some(m, st, false, touched, nt);
    }
}

static void test_index_matches_a_model_under_random_puts_and_deletes(void **state)
{
    struct fx *f = *state;
    struct model *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->rng = 0x9e3779b97f4a7c15ull;
    struct dx_txn *w;
    /* big txns: puts, replacements and deletions */
    for (int round = 0; round < 4; round++) {
        assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
        for (int i = 0; i < 80; i++)
            rput_random(m, w);
        for (int i = 0; i < 15 && m->n > 0; i++)
            rdel_random(m, w);
        for (int i = 0; i < 10; i++) {   /* new versions of existing keys */
            struct rent *e = &m->e[rnd(m) % (uint64_t)m->n];
            rput(m, w, e->fam, e->addr, e->plen, e->list);
        }
        commit_ok(w);
        verify(m, f->st);
    }
    small_rounds(m, f->st, 60);
    verify(m, f->st);
    /* bulk: more touched ranges than the threshold -> whole rebuild of
     * both families */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < 1100; i++)
        rput(m, w, DX_FAM_V4, rand_addr(m, DX_FAM_V4), 32, (int)(rnd(m) % NLISTS));
    for (int i = 0; i < 1100; i++)
        rput(m, w, DX_FAM_V6, rand_addr(m, DX_FAM_V6), 128, (int)(rnd(m) % NLISTS));
    for (int i = 0; i < 40; i++)
        rput_random(m, w);
    for (int i = 0; i < 30; i++)
        rdel_random(m, w);
    commit_ok(w);
    verify(m, f->st);
    /* small changes again on top of a rebuilt index */
    small_rounds(m, f->st, 40);
    verify(m, f->st);
    free(m);
}

/* One dx_lookup in r of the address q in zone: its number of hits. */
static int look_in(struct dx_txn *r, const char *zone, const char *q)
{
    struct dx_hit h[DX_HITS_MAX];
    struct dx_key k = K(q);
    return dx_lookup(r, zone, &k, NOW, h, DX_HITS_MAX);
}

/* Index keys name a zone by its id (zoneids), given at the commit of its
 * first index record and read once per snapshot (store_iplookup.c): a read
 * txn from before the id answers nothing for the zone until renewed; zones
 * asked in turn each get their own; a prefix of a zone name is not it. */
static void test_a_read_txn_reads_zone_ids_of_its_snapshot(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w, *r;
    assert_int_equal(dx_txn_read(f->st, &r), 0);
    assert_int_equal(look_in(r, "a.test", "192.0.2.1"), 0);
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);   /* a.test: id 1 */
    assert_int_equal(put(w, "a.test", "l", "192.0.2.1", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(look_in(r, "a.test", "192.0.2.1"), 0);   /* the snapshot's: none */
    assert_int_equal(below_at(f->st, "a.test", "192.0.2.0/24", NOW), 1);
    dx_txn_reset(r);
    assert_int_equal(dx_txn_renew(r), 0);
    assert_int_equal(look_in(r, "a.test", "192.0.2.1"), 1);

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);   /* b.test: id 2 */
    assert_int_equal(put(w, "b.test", "l", "192.0.2.2", 0, 0, 0, NULL), 0);
    assert_int_equal(put(w, "a.tes", "l", "192.0.2.3", 0, 0, 0, NULL), 0);
    commit_ok(w);
    assert_int_equal(dx_txn_renew(r), 0);                  /* without a reset first */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(look_in(r, "a.test", "192.0.2.1"), 1);
        assert_int_equal(look_in(r, "a.test", "192.0.2.2"), 0);
        assert_int_equal(look_in(r, "b.test", "192.0.2.2"), 1);
        assert_int_equal(look_in(r, "b.test", "192.0.2.1"), 0);
        assert_int_equal(look_in(r, "a.tes", "192.0.2.1"), 0);
        assert_int_equal(look_in(r, "a.tes", "192.0.2.3"), 1);
        assert_int_equal(look_in(r, "c.test", "192.0.2.1"), 0);
    }
    struct dx_key k = K("192.0.2.0/24");
    assert_int_equal(dx_lookup_below(r, "b.test", &k, NOW), 1);
    assert_int_equal(dx_lookup_below(r, "c.test", &k, NOW), 0);
    dx_txn_abort(r);
    /* in a write txn: the ids as of its start */
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    assert_int_equal(look_in(w, "b.test", "192.0.2.2"), 1);
    assert_int_equal(look_in(w, "c.test", "192.0.2.2"), 0);
    dx_txn_abort(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup_answers_the_most_specific_covering_entry,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_answers_every_list_in_name_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_exclusion_hides_its_range_from_a_wider_entry,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_entry_lets_the_next_wider_one_answer,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_restores_what_the_entry_covered,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_matches_a_model_under_random_puts_and_deletes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_covers_the_edges_of_the_address_space,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_below_a_prefix_finds_entries_overlapping_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_read_txn_reads_zone_ids_of_its_snapshot, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
