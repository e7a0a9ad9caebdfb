/* Unit tests for zones/removal.c: what a removal request does (self,
 * review, none; the self-service limit; keys listed by a wider entry) and
 * what a removal writes (delisting, history, hold, exclusion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "tests/unit/store_fixture.h"
#include "zones/conf.h"
#include "zones/removal.h"

#define DAY 86400u

static struct dx_conf *conf_of(const char *dir)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[zone bl.test]\n"
          "[list bl.test/self]\nremoval = self\nremoval-limit = 2/30d\nremoval-hold = 2d\n"
          "[list bl.test/review]\nremoval = review\n"
          "[list bl.test/none]\n"
          "[zone dbl.test]\nkind = domain\n[list dbl.test/d]\nremoval = self\n", f);
    assert_int_equal(fclose(f), 0);
    struct dx_conf *c;
    char err[256];
    if (dx_conf_load(path, &c, err, sizeof(err)))
        fail_msg("%s", err);
    unlink(path);
    return c;
}

static void list_it(struct fx *f, const char *list, const char *key, uint64_t now)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, now, &w), 0);
    const char *zone = strchr(key, ':') || strspn(key, "0123456789./") == strlen(key)
                           ? "bl.test" : "dbl.test";
    assert_int_equal(put(w, zone, list, key, 0, 0, 0, NULL), 0);
    assert_int_equal(dx_txn_commit(w), 0);
}

static int verdict(struct fx *f, const struct dx_list_conf *l, const char *key, uint64_t now,
                   uint32_t *used)
{
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    struct dx_key k = K(key);
    int v = -1;
    assert_int_equal(dx_removal_verdict(t, l, &k, now, &v, NULL, used), 0);
    dx_txn_abort(t);
    return v;
}

static int apply(struct fx *f, const struct dx_list_conf *l, const char *key, uint64_t now,
                 bool carve)
{
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, now, &w), 0);
    struct dx_key k = K(key);
    int what = -1;
    assert_int_equal(dx_removal_apply(w, l, &k, DX_SOURCE_SELF, "fixed", now, carve, &what), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    return what;
}

static void test_self_service_removes_holds_and_counts_up_to_the_limit(void **state)
{
    struct fx *f = *state;
    struct dx_conf *c = conf_of(f->dir);
    const struct dx_list_conf *self = dx_conf_list(dx_conf_zone(c, "bl.test"), "self");
    uint64_t now = T_NOW;
    uint32_t used = 9;
    assert_int_equal(verdict(f, self, "192.0.2.1", now, &used), DX_RM_NOT_LISTED);
    for (int i = 0; i < 2; i++) {
        list_it(f, "self", "192.0.2.1", now);
        assert_int_equal(verdict(f, self, "192.0.2.1", now, &used), DX_RM_SELF);
        assert_int_equal(used, (uint32_t)i);
        assert_int_equal(apply(f, self, "192.0.2.1", now, false), 1);
        struct dx_txn *t;
        assert_int_equal(dx_txn_read(f->st, &t), 0);
        struct dx_key k = K("192.0.2.1");
        struct dx_hit hits[4];
        assert_int_equal(dx_lookup(t, "bl.test", &k, now, hits, 4), 0);   /* gone from DNS */
        uint64_t until = 0;
        assert_int_equal(dx_hold_get(t, "bl.test", "self", &k, &until), 0);
        assert_int_equal(until, now + 2 * DAY);
        uint32_t n = 0;
        assert_int_equal(dx_removal_count(t, self, &k, 0, &n), 0);
        assert_int_equal(n, (uint32_t)i + 1);
        dx_txn_abort(t);
        now += DAY;
    }
    /* the third time within 30 days goes to review */
    list_it(f, "self", "192.0.2.1", now);
    assert_int_equal(verdict(f, self, "192.0.2.1", now, &used), DX_RM_REVIEW_LIMIT);
    assert_int_equal(used, 2);
    /* the first one leaves the period after 30 days: one used */
    assert_int_equal(verdict(f, self, "192.0.2.1", T_NOW + 30 * DAY + 1, &used), DX_RM_SELF);
    assert_int_equal(used, 1);
    dx_conf_free(c);
}

static void test_review_none_and_wider_entries(void **state)
{
    struct fx *f = *state;
    struct dx_conf *c = conf_of(f->dir);
    const struct dx_zone_conf *z = dx_conf_zone(c, "bl.test");
    list_it(f, "review", "192.0.2.7", T_NOW);
    list_it(f, "none", "192.0.2.7", T_NOW);
    list_it(f, "self", "198.51.100.0/24", T_NOW);
    assert_int_equal(verdict(f, dx_conf_list(z, "review"), "192.0.2.7", T_NOW, NULL),
                     DX_RM_REVIEW);
    assert_int_equal(verdict(f, dx_conf_list(z, "none"), "192.0.2.7", T_NOW, NULL),
                     DX_RM_NOT_OFFERED);
    const struct dx_list_conf *self = dx_conf_list(z, "self");
    assert_int_equal(verdict(f, self, "198.51.100.9", T_NOW, NULL), DX_RM_REVIEW_WIDER);
    /* without carve nothing is written; with it, an exclusion for the address */
    assert_int_equal(apply(f, self, "198.51.100.9", T_NOW, false), 0);
    assert_int_equal(verdict(f, self, "198.51.100.9", T_NOW, NULL), DX_RM_REVIEW_WIDER);
    assert_int_equal(apply(f, self, "198.51.100.9", T_NOW, true), 2);
    assert_int_equal(verdict(f, self, "198.51.100.9", T_NOW, NULL), DX_RM_NOT_LISTED);
    assert_int_equal(verdict(f, self, "198.51.100.10", T_NOW, NULL), DX_RM_REVIEW_WIDER);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    struct dx_key k = K("198.51.100.9");
    struct dx_hit hits[4];
    assert_int_equal(dx_lookup(t, "bl.test", &k, T_NOW, hits, 4), 0);
    k = K("198.51.100.10");
    assert_int_equal(dx_lookup(t, "bl.test", &k, T_NOW, hits, 4), 1);
    dx_txn_abort(t);
    /* a wildcard lists a name below it: review as well */
    const struct dx_list_conf *d = dx_conf_list(dx_conf_zone(c, "dbl.test"), "d");
    list_it(f, "d", "*.spam.example", T_NOW);
    list_it(f, "d", "own.example", T_NOW);
    assert_int_equal(verdict(f, d, "a.spam.example", T_NOW, NULL), DX_RM_REVIEW_WIDER);
    assert_int_equal(verdict(f, d, "own.example", T_NOW, NULL), DX_RM_SELF);
    assert_int_equal(apply(f, d, "own.example", T_NOW, false), 1);
    assert_int_equal(verdict(f, d, "own.example", T_NOW, NULL), DX_RM_NOT_LISTED);
    dx_conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_self_service_removes_holds_and_counts_up_to_the_limit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_review_none_and_wider_entries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
