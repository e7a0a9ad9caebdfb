/* Unit tests for zones/store_requests.c: the removal requests of the
 * public page (add, get, decide, visit) and the history actions that
 * record them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/store_fixture.h"

static struct dx_request req(const char *key, const char *note)
{
    struct dx_request r = { .status = DX_REQ_PENDING, .created = T_NOW, .zone = "bl.example.org",
                            .list = "traps", .key = key, .note = note,
                            .contact = "postmaster@example.net", .client = "198.51.100.7" };
    memset(r.token, 0xa5, sizeof(r.token));
    return r;
}

static void test_ids_count_up_and_requests_read_back(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct dx_request a = req("192.0.2.1", "fixed our relay"), b = req("192.0.2.2", NULL);
    assert_int_equal(dx_request_add(w, &a), 0);
    assert_int_equal(dx_request_add(w, &b), 0);
    assert_int_equal(a.id, 1);
    assert_int_equal(b.id, 2);
    assert_int_equal(dx_txn_commit(w), 0);

    struct dx_txn *t;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    struct dx_request g;
    assert_int_equal(dx_request_get(t, 1, &g), 0);
    assert_int_equal(g.id, 1);
    assert_int_equal(g.status, DX_REQ_PENDING);
    assert_int_equal(g.created, T_NOW);
    assert_int_equal(g.decided, 0);
    assert_memory_equal(g.token, a.token, DX_REQ_TOKEN);
    assert_string_equal(g.zone, "bl.example.org");
    assert_string_equal(g.list, "traps");
    assert_string_equal(g.key, "192.0.2.1");
    assert_string_equal(g.note, "fixed our relay");
    assert_string_equal(g.contact, "postmaster@example.net");
    assert_string_equal(g.client, "198.51.100.7");
    assert_null(g.by);
    assert_null(g.decision);
    assert_int_equal(dx_request_get(t, 2, &g), 0);
    assert_null(g.note);
    assert_int_equal(dx_request_get(t, 3, &g), DX_ENOTFOUND);
    assert_int_equal(dx_request_get(t, 0, &g), DX_ENOTFOUND);
    assert_int_equal(dx_txn_commit(t), 0);
}

static int collect(void *arg, const struct dx_request *r)
{
    uint64_t *ids = arg;
    ids[ids[0] + 1] = r->id;
    ids[0]++;
    return r->id == 3 ? 42 : 0;     /* stop at 3 */
}

static void test_a_decision_replaces_the_request_and_visits_go_in_id_order(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < 4; i++) {
        struct dx_request r = req("192.0.2.9", "n");
        assert_int_equal(dx_request_add(w, &r), 0);
    }
    struct dx_request g;
    assert_int_equal(dx_request_get(w, 2, &g), 0);
    g.status = DX_REQ_DENIED;
    g.decided = T_NOW + 60;
    g.by = "admin:alice";
    g.decision = "still sending <spam>";
    assert_int_equal(dx_request_put(w, &g), 0);     /* g's strings point into the old value */
    struct dx_request missing = req("192.0.2.9", NULL);
    missing.id = 99;
    assert_int_equal(dx_request_put(w, &missing), DX_ENOTFOUND);
    struct dx_request bad = req("192.0.2.9", NULL);
    bad.status = 7;
    assert_int_equal(dx_request_add(w, &bad), DX_EINVAL);
    assert_int_equal(dx_txn_commit(w), DX_EINVAL);  /* sticky: nothing written */

    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    for (int i = 0; i < 4; i++) {
        struct dx_request r = req("192.0.2.9", "n");
        assert_int_equal(dx_request_add(w, &r), 0);
    }
    assert_int_equal(dx_request_get(w, 2, &g), 0);
    g.status = DX_REQ_DENIED;
    g.decided = T_NOW + 60;
    g.by = "admin:alice";
    g.decision = "still sending <spam>";
    assert_int_equal(dx_request_put(w, &g), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    struct dx_txn *t;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    assert_int_equal(dx_request_get(t, 2, &g), 0);
    assert_int_equal(g.status, DX_REQ_DENIED);
    assert_int_equal(g.decided, T_NOW + 60);
    assert_string_equal(g.by, "admin:alice");
    assert_string_equal(g.decision, "still sending <spam>");
    assert_string_equal(g.note, "n");               /* the rest kept */
    uint64_t ids[8] = { 0 };
    assert_int_equal(dx_request_foreach(t, collect, ids), 42);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 1);
    assert_int_equal(ids[2], 2);
    assert_int_equal(ids[3], 3);
    assert_int_equal(dx_txn_commit(t), 0);
    assert_string_equal(dx_request_status_name(DX_REQ_PENDING), "pending");
    assert_string_equal(dx_request_status_name(DX_REQ_APPROVED), "approved");
    assert_string_equal(dx_request_status_name(DX_REQ_DENIED), "denied");
    assert_string_equal(dx_hist_action_name(DX_HIST_REQUEST), "request");
    assert_string_equal(dx_hist_action_name(DX_HIST_DENY), "deny");
}

static void test_a_request_needs_a_zone_a_list_and_a_key(void **state)
{
    struct fx *f = *state;
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(f->st, T_NOW, &w), 0);
    struct dx_request r = req("192.0.2.1", NULL);
    r.key = "";
    assert_int_equal(dx_request_add(w, &r), DX_EINVAL);
    dx_txn_abort(w);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(f->st, &t), 0);
    uint64_t ids[8] = { 0 };
    assert_int_equal(dx_request_foreach(t, collect, ids), 0);
    assert_int_equal(ids[0], 0);
    dx_txn_abort(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids_count_up_and_requests_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_decision_replaces_the_request_and_visits_go_in_id_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_request_needs_a_zone_a_list_and_a_key, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
