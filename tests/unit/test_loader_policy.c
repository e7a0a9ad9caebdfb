/* Unit tests: listing policy for traps and reports (loader/policy.h), on a
 * real temporary store and a real config file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/policy.h"
#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/store.h"

#define T0 1800000000ull   /* a fixed "now" */

struct fx {
    char dir[64];
    struct dx_conf *conf;
    struct dx_store *st;
    struct dx_txn *w;
    struct dx_list_conf *traps, *reports, *fixed;
};

static const char CONF[] =
    "[server]\n"
    "listen = 127.0.0.1:5353\n"
    "database = db\n"
    "[loader]\n"
    "trusted-relays = 203.0.113.0/30\n"
    "protected = 198.51.100.0/24\n"
    "protected = 2001:db8:dead::/48\n"
    "never-list-zone = wl.example.org\n"
    "[zone bl.example.org]\n"
    "kind = ip\n"
    "[list bl.example.org/traps]\n"
    "code = 127.0.0.2\n"
    "lifetime = 100\n"
    "escalation = 2\n"
    "max-lifetime = 350\n"
    "[list bl.example.org/reports]\n"
    "code = 127.0.0.3\n"
    "lifetime = 1000\n"
    "threshold = 2\n"
    "window = 500\n"
    "[list bl.example.org/fixed]\n"
    "code = 127.0.0.4\n"
    "lifetime = forever\n"
    "[zone wl.example.org]\n"
    "kind = ip\n"
    "[list wl.example.org/good]\n"
    "code = 127.0.0.2\n";

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/dx-policy-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/dnsxl.conf", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(CONF, fp);
    fclose(fp);
    int rc = dx_conf_load(path, &f->conf, err, sizeof(err));
    if (rc)
        fail_msg("config: %s", err);
    struct dx_zone_conf *z;
    assert_int_equal(dx_conf_target(f->conf, "bl.example.org/traps", false, &z, &f->traps, err,
                                    sizeof(err)), 0);
    assert_int_equal(dx_conf_target(f->conf, "bl.example.org/reports", false, &z, &f->reports,
                                    err, sizeof(err)), 0);
    assert_int_equal(dx_conf_target(f->conf, "bl.example.org/fixed", false, &z, &f->fixed, err,
                                    sizeof(err)), 0);
    assert_int_equal(dx_store_open(f->conf->server.database, 64ull << 20, DX_STORE_CREATE, &f->st), 0);
    assert_int_equal(dx_txn_write(f->st, T0, &f->w), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_txn_abort(f->w);
    dx_store_close(f->st);
    dx_conf_free(f->conf);
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static struct dx_key K(const char *s)
{
    struct dx_key k;
    if (dx_key_parse(s, &k) != 0)
        fail_msg("bad key %s", s);
    return k;
}

static enum dx_pol_outcome hit(struct fx *f, struct dx_list_conf *l, const char *key, uint64_t now,
                               const char **why)
{
    struct dx_key k = K(key);
    enum dx_pol_outcome out = 0;
    assert_int_equal(dx_pol_hit(f->conf, f->w, l, &k, "traps", "test hit", now, &out, why), 0);
    return out;
}

static enum dx_pol_outcome report(struct fx *f, const char *key, const char *who, uint64_t now)
{
    struct dx_key k = K(key);
    enum dx_pol_outcome out = 0;
    assert_int_equal(dx_pol_report(f->conf, f->w, f->reports, &k, who, "abuse report", now,
                                   &out, NULL), 0);
    return out;
}

static bool listed(struct fx *f, struct dx_list_conf *l, const char *key, struct dx_entry *e)
{
    struct dx_key k = K(key);
    struct dx_entry tmp;
    int rc = dx_entry_get(f->w, l->zone->name, l->name, &k, e ? e : &tmp);
    assert_true(rc == 0 || rc == DX_ENOTFOUND);
    return rc == 0;
}

struct hist_count {
    int action;
    const char *needle;
    int n;
    uint64_t last_expires;
};

static int hist_cb(void *arg, const struct dx_hist *h)
{
    struct hist_count *c = arg;
    if (h->action == c->action && (!c->needle || (h->reason && strstr(h->reason, c->needle)))) {
        c->n++;
        c->last_expires = h->expires_at;
    }
    return 0;
}

static int history_count(struct fx *f, const char *key, int action, const char *needle)
{
    struct dx_key k = K(key);
    struct hist_count c = { .action = action, .needle = needle };
    int rc = dx_history_foreach(f->w, &k, hist_cb, &c);
    assert_true(rc == 0 || rc == DX_ENOTFOUND);
    return c.n;
}

/* Commit the current txn and start a new one (lookups see committed data). */
static void recommit(struct fx *f)
{
    assert_int_equal(dx_txn_commit(f->w), 0);
    f->w = NULL;
    assert_int_equal(dx_txn_write(f->st, T0, &f->w), 0);
}

/* --- never list ------------------------------------------------------------------ */

static void test_never_special_ranges(void **state)
{
    struct fx *f = *state;
    static const char *const special[] = {
        "0.1.2.3", "10.1.2.3", "100.64.0.1", "100.127.255.254", "127.0.0.2", "127.255.0.1",
        "169.254.10.10", "172.16.0.1", "172.31.255.254", "192.168.1.1", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255", "::", "::1", "fc00::1",
        "fd12:3456::1", "fe80::1", "ff02::1",
    };
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        const char *why = NULL;
        assert_int_equal(hit(f, f->traps, special[i], T0, &why), DX_POL_REJECTED);
        assert_string_equal(why, "private or reserved address");
        assert_false(listed(f, f->traps, special[i], NULL));
        assert_int_equal(history_count(f, special[i], DX_HIST_REJECT, "private or reserved"), 1);
        assert_int_equal(history_count(f, special[i], DX_HIST_LIST, NULL), 0);
    }
    /* the neighbours of those ranges, and documentation ranges, are listable */
    static const char *const ok[] = { "11.0.0.1", "100.63.255.255", "100.128.0.1",
                                      "172.32.0.1", "192.0.2.1", "2001:db8::1", "fbff::1" };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(hit(f, f->traps, ok[i], T0, NULL), DX_POL_LISTED);
        assert_true(listed(f, f->traps, ok[i], NULL));
    }
}

static void test_never_localhost(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "127.0.0.1", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "127.0.0.1");
    assert_false(listed(f, f->traps, "127.0.0.1", NULL));
    /* even for a list the operator fills by hand */
    assert_int_equal(hit(f, f->fixed, "127.0.0.1", T0, &why), DX_POL_REJECTED);
    assert_int_equal(history_count(f, "127.0.0.1", DX_HIST_REJECT, "never list"), 2);
}

static void test_never_protected(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "198.51.100.77", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "protected network");
    assert_int_equal(hit(f, f->traps, "2001:db8:dead:1::25", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "protected network");
    assert_false(listed(f, f->traps, "198.51.100.77", NULL));
    assert_int_equal(history_count(f, "198.51.100.77", DX_HIST_REJECT, "protected"), 1);
    /* just outside */
    assert_int_equal(hit(f, f->traps, "198.51.101.1", T0, NULL), DX_POL_LISTED);
    assert_int_equal(hit(f, f->traps, "2001:db8:deae::1", T0, NULL), DX_POL_LISTED);
}

static void test_never_list_zone(void **state)
{
    struct fx *f = *state;
    struct dx_key net = K("192.0.2.128/25");
    struct dx_entry e = { .first_seen = T0, .last_seen = T0, .source = "admin" };
    assert_int_equal(dx_entry_put(f->w, "wl.example.org", "good", &net, &e), 0);
    struct dx_key brief = K("192.0.2.7");
    e.expires_at = T0 + 50;              /* allow-listed only until T0 + 50 */
    assert_int_equal(dx_entry_put(f->w, "wl.example.org", "good", &brief, &e), 0);
    recommit(f);
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "192.0.2.200", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "listed in a never-list zone");
    assert_false(listed(f, f->traps, "192.0.2.200", NULL));
    assert_int_equal(hit(f, f->traps, "192.0.2.7", T0, &why), DX_POL_REJECTED);
    /* outside the allow-listed range, and after the allow-listing expired */
    assert_int_equal(hit(f, f->traps, "192.0.2.127", T0, NULL), DX_POL_LISTED);
    assert_int_equal(hit(f, f->traps, "192.0.2.7", T0 + 51, NULL), DX_POL_LISTED);
}

static void test_never_excluded_by_list(void **state)
{
    struct fx *f = *state;
    struct dx_key k = K("192.0.2.33");
    struct dx_entry e = { .flags = DX_ENTRY_EXCLUDE, .first_seen = T0, .source = "admin" };
    assert_int_equal(dx_entry_put(f->w, "bl.example.org", "traps", &k, &e), 0);
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "192.0.2.33", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "excluded by the list");
    struct dx_entry got;
    assert_true(listed(f, f->traps, "192.0.2.33", &got));
    assert_true(got.flags & DX_ENTRY_EXCLUDE);   /* the exclusion stays */
}

/* An exclusion of a range carves out every address in it (as queries see
 * it): an automated /32 listing inside must not be made. A more specific
 * listing inside the range, or an expired exclusion, does not carve out. */
static void test_never_excluded_range(void **state)
{
    struct fx *f = *state;
    struct dx_key net = K("192.0.2.64/26");
    struct dx_entry e = { .flags = DX_ENTRY_EXCLUDE, .first_seen = T0, .source = "admin" };
    assert_int_equal(dx_entry_put(f->w, "bl.example.org", "traps", &net, &e), 0);
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "192.0.2.70", T0, &why), DX_POL_REJECTED);
    assert_string_equal(why, "excluded by the list");
    assert_false(listed(f, f->traps, "192.0.2.70", NULL));
    /* outside the range: listed */
    assert_int_equal(hit(f, f->traps, "192.0.2.130", T0, NULL), DX_POL_LISTED);
    /* IPv6 likewise */
    struct dx_key six = K("2001:db8:e::/48");
    assert_int_equal(dx_entry_put(f->w, "bl.example.org", "traps", &six, &e), 0);
    assert_int_equal(hit(f, f->traps, "2001:db8:e::25", T0, &why), DX_POL_REJECTED);
    /* an expired exclusion carves out nothing */
    struct dx_key old = K("192.0.2.192/27");
    struct dx_entry ex = e;
    ex.expires_at = T0 - 1;
    assert_int_equal(dx_entry_put(f->w, "bl.example.org", "traps", &old, &ex), 0);
    assert_int_equal(hit(f, f->traps, "192.0.2.200", T0, NULL), DX_POL_LISTED);
}

/* --- holds ---------------------------------------------------------------------- */

static void test_hold_blocks_then_ends(void **state)
{
    struct fx *f = *state;
    assert_int_equal(hit(f, f->traps, "192.0.2.50", T0, NULL), DX_POL_LISTED);
    struct dx_key k = K("192.0.2.50");
    /* delist --hold 1000 */
    assert_int_equal(dx_entry_del(f->w, "bl.example.org", "traps", &k), 0);
    assert_int_equal(dx_hold_put(f->w, "bl.example.org", "traps", &k, T0 + 1000), 0);
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "192.0.2.50", T0 + 10, &why), DX_POL_HELD);
    assert_int_equal(hit(f, f->traps, "192.0.2.50", T0 + 999, &why), DX_POL_HELD);
    assert_false(listed(f, f->traps, "192.0.2.50", NULL));
    assert_int_equal(history_count(f, "192.0.2.50", DX_HIST_HOLD, NULL), 2);
    /* the hold is per list */
    assert_int_equal(hit(f, f->fixed, "192.0.2.50", T0 + 10, NULL), DX_POL_LISTED);
    /* after the hold: relisted (second episode: escalated lifetime 200) */
    assert_int_equal(hit(f, f->traps, "192.0.2.50", T0 + 1000, NULL), DX_POL_RELISTED);
    struct dx_entry e;
    assert_true(listed(f, f->traps, "192.0.2.50", &e));
    assert_int_equal(e.expires_at, T0 + 1000 + 200);
    assert_int_equal(history_count(f, "192.0.2.50", DX_HIST_RELIST, NULL), 1);
    /* a forever hold (UINT64_MAX) never ends */
    assert_int_equal(dx_hold_put(f->w, "bl.example.org", "traps", &k, UINT64_MAX), 0);
    assert_int_equal(dx_entry_del(f->w, "bl.example.org", "traps", &k), 0);
    assert_int_equal(hit(f, f->traps, "192.0.2.50", UINT64_MAX - 1, NULL), DX_POL_HELD);
}

/* delist RANGE --hold: no automated listing of an address inside it until
 * the hold ends (v4 and v6); a range hold that ended holds nothing. */
static void test_hold_on_a_range(void **state)
{
    struct fx *f = *state;
    struct dx_key net = K("192.0.2.96/28"), six = K("2001:db8:40::/48");
    assert_int_equal(dx_hold_put(f->w, "bl.example.org", "traps", &net, T0 + 1000), 0);
    assert_int_equal(dx_hold_put(f->w, "bl.example.org", "traps", &six, T0 + 1000), 0);
    const char *why = NULL;
    assert_int_equal(hit(f, f->traps, "192.0.2.100", T0, &why), DX_POL_HELD);
    assert_string_equal(why, "held");
    assert_false(listed(f, f->traps, "192.0.2.100", NULL));
    assert_int_equal(hit(f, f->traps, "2001:db8:40::9", T0, NULL), DX_POL_HELD);
    assert_int_equal(hit(f, f->traps, "192.0.2.112", T0, NULL), DX_POL_LISTED);  /* outside */
    assert_int_equal(hit(f, f->traps, "192.0.2.101", T0 + 1000, NULL), DX_POL_LISTED);
}

/* --- lifetimes -------------------------------------------------------------------- */

static void test_lifetime_from_last_hit(void **state)
{
    struct fx *f = *state;
    struct dx_entry e;
    assert_int_equal(hit(f, f->traps, "192.0.2.60", T0, NULL), DX_POL_LISTED);
    assert_true(listed(f, f->traps, "192.0.2.60", &e));
    assert_int_equal(e.expires_at, T0 + 100);
    assert_int_equal(e.hits, 1);
    assert_int_equal(e.first_seen, T0);
    assert_string_equal(e.source, "traps");
    assert_int_equal(hit(f, f->traps, "192.0.2.60", T0 + 60, NULL), DX_POL_EXTENDED);
    assert_true(listed(f, f->traps, "192.0.2.60", &e));
    assert_int_equal(e.expires_at, T0 + 160);
    assert_int_equal(e.hits, 2);
    assert_int_equal(e.first_seen, T0);
    assert_int_equal(e.last_seen, T0 + 60);
    assert_int_equal(history_count(f, "192.0.2.60", DX_HIST_UPDATE, NULL), 1);
    assert_int_equal(history_count(f, "192.0.2.60", DX_HIST_LIST, NULL), 1);
    /* a forever entry stays forever when hit */
    assert_int_equal(hit(f, f->fixed, "192.0.2.60", T0, NULL), DX_POL_LISTED);
    assert_int_equal(hit(f, f->fixed, "192.0.2.60", T0 + 5, NULL), DX_POL_EXTENDED);
    assert_true(listed(f, f->fixed, "192.0.2.60", &e));
    assert_int_equal(e.expires_at, 0);
    /* a longer operator listing is never shortened by a hit */
    struct dx_key k = K("192.0.2.61");
    struct dx_entry op = { .first_seen = T0, .last_seen = T0, .expires_at = T0 + 100000,
                           .source = "admin", .reason = "operator" };
    assert_int_equal(dx_entry_put(f->w, "bl.example.org", "traps", &k, &op), 0);
    assert_int_equal(hit(f, f->traps, "192.0.2.61", T0 + 1, NULL), DX_POL_EXTENDED);
    assert_true(listed(f, f->traps, "192.0.2.61", &e));
    assert_int_equal(e.expires_at, T0 + 100000);
    assert_string_equal(e.reason, "operator");
    assert_int_equal(e.hits, 1);
}

/* Expire the entry at `when` the way dnsxl-loader expire does (with history). */
static int expire_cb(void *arg, const char *zone, const char *list, const struct dx_key *k,
                     const struct dx_entry *e)
{
    struct fx *f = arg;
    char z[256], l[256];
    snprintf(z, sizeof(z), "%s", zone);
    snprintf(l, sizeof(l), "%s", list);
    struct dx_hist h = { .at = e->expires_at, .action = DX_HIST_EXPIRE, .zone = z, .list = l };
    return dx_history_add(f->w, k, &h);
}

static void test_escalation_and_cap(void **state)
{
    struct fx *f = *state;
    assert_int_equal(dx_pol_lifetime(f->traps, 0), 100);
    assert_int_equal(dx_pol_lifetime(f->traps, 1), 200);
    assert_int_equal(dx_pol_lifetime(f->traps, 2), 350);
    assert_int_equal(dx_pol_lifetime(f->traps, 60), 350);
    assert_int_equal(dx_pol_lifetime(f->traps, UINT32_MAX), 350);
    assert_true(dx_pol_lifetime(f->fixed, 5) == DX_FOREVER);
    assert_int_equal(dx_pol_lifetime(f->reports, 9), 1000);   /* escalation 1 = none */
    struct dx_list_conf big = *f->traps;
    big.lifetime = UINT64_MAX / 3;
    big.max_lifetime = DX_FOREVER;
    assert_true(dx_pol_lifetime(&big, 8) >= UINT64_MAX / 3);  /* no overflow wrap */

    uint64_t now = T0;
    static const uint64_t want[] = { 100, 200, 350, 350 };
    for (size_t i = 0; i < 4; i++) {
        enum dx_pol_outcome o = hit(f, f->traps, "192.0.2.70", now, NULL);
        assert_int_equal(o, i == 0 ? DX_POL_LISTED : DX_POL_RELISTED);
        struct dx_entry e;
        assert_true(listed(f, f->traps, "192.0.2.70", &e));
        assert_int_equal(e.expires_at, now + want[i]);
        assert_int_equal(e.relists, i);
        now = e.expires_at;
        size_t removed = 0;
        assert_int_equal(dx_expire(f->w, now, expire_cb, f, &removed), 0);
        assert_int_equal(removed, 1);
        assert_false(listed(f, f->traps, "192.0.2.70", NULL));
        now += 5;
    }
    uint32_t n;
    struct dx_key k = K("192.0.2.70");
    assert_int_equal(dx_pol_episodes(f->w, &k, "bl.example.org", "traps", &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(dx_pol_episodes(f->w, &k, "bl.example.org", "fixed", &n), 0);
    assert_int_equal(n, 0);

    /* an expired entry not yet swept counts as an episode too */
    assert_int_equal(hit(f, f->traps, "192.0.2.71", T0, NULL), DX_POL_LISTED);
    assert_int_equal(hit(f, f->traps, "192.0.2.71", T0 + 100, NULL), DX_POL_RELISTED);
    struct dx_entry e;
    assert_true(listed(f, f->traps, "192.0.2.71", &e));
    assert_int_equal(e.expires_at, T0 + 100 + 200);
    assert_int_equal(e.hits, 2);
    assert_int_equal(e.first_seen, T0);
}

/* --- reports ------------------------------------------------------------------------- */

static void test_threshold_within_window(void **state)
{
    struct fx *f = *state;
    assert_int_equal(report(f, "192.0.2.80", "isp-a.example", T0), DX_POL_PENDING);
    assert_false(listed(f, f->reports, "192.0.2.80", NULL));
    /* the same reporter again: still one distinct reporter */
    assert_int_equal(report(f, "192.0.2.80", "isp-a.example", T0 + 10), DX_POL_PENDING);
    assert_int_equal(history_count(f, "192.0.2.80", DX_HIST_REJECT, "below threshold (1 of 2"),
                     2);
    /* a second reporter inside the window: listed */
    assert_int_equal(report(f, "192.0.2.80", "isp-b.example", T0 + 20), DX_POL_LISTED);
    struct dx_entry e;
    assert_true(listed(f, f->reports, "192.0.2.80", &e));
    assert_int_equal(e.expires_at, T0 + 20 + 1000);
    assert_string_equal(e.source, "reports");
    /* once listed, one more report extends */
    assert_int_equal(report(f, "192.0.2.80", "isp-c.example", T0 + 30), DX_POL_EXTENDED);

    /* reports outside the window do not count */
    assert_int_equal(report(f, "192.0.2.81", "isp-a.example", T0), DX_POL_PENDING);
    assert_int_equal(report(f, "192.0.2.81", "isp-b.example", T0 + 501), DX_POL_PENDING);
    assert_false(listed(f, f->reports, "192.0.2.81", NULL));
    assert_int_equal(report(f, "192.0.2.81", "isp-c.example", T0 + 600), DX_POL_LISTED);

    /* never-list keys collect no reports at all */
    struct dx_key k = K("10.0.0.1");
    enum dx_pol_outcome out;
    const char *why;
    assert_int_equal(dx_pol_report(f->conf, f->w, f->reports, &k, "isp-a.example", NULL, T0,
                                   &out, &why), 0);
    assert_int_equal(out, DX_POL_REJECTED);
    assert_int_equal(dx_pol_report(f->conf, f->w, f->reports, &k, "isp-b.example", NULL, T0,
                                   &out, &why), 0);
    assert_int_equal(out, DX_POL_REJECTED);
    assert_false(listed(f, f->reports, "10.0.0.1", NULL));
    /* no reporter: refused before anything is written */
    k = K("192.0.2.82");
    assert_int_equal(dx_pol_report(f->conf, f->w, f->reports, &k, "", NULL, T0, &out, &why),
                     DX_EINVAL);
    size_t n = 9;
    assert_int_equal(dx_report_count(f->w, "bl.example.org", "reports", &k, 0, &n), 0);
    assert_int_equal(n, 0);
    /* the reporters are in the store's reporter records */
    k = K("192.0.2.80");
    assert_int_equal(dx_report_count(f->w, "bl.example.org", "reports", &k, T0, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(dx_report_count(f->w, "bl.example.org", "reports", &k, T0 + 11, &n), 0);
    assert_int_equal(n, 2);
}

static void test_seen_and_commit(void **state)
{
    struct fx *f = *state;
    struct dx_key k = K("192.0.2.90");
    enum dx_pol_outcome out;
    assert_int_equal(dx_pol_seen(f->w, &k, "bl.example.org", "traps", "message <a@b>"), 0);
    assert_int_equal(dx_pol_hit(f->conf, f->w, f->traps, &k, "traps",
                                "spam trap hit, message <a@b>", T0, &out, NULL), 0);
    assert_int_equal(out, DX_POL_LISTED);
    assert_int_equal(dx_pol_seen(f->w, &k, "bl.example.org", "traps", "message <a@b>"), 1);
    assert_int_equal(dx_pol_seen(f->w, &k, "bl.example.org", "traps", "message <xa@b>"), 0);
    assert_int_equal(dx_pol_seen(f->w, &k, "bl.example.org", "reports", "message <a@b>"), 0);
    recommit(f);
    /* after commit the listing answers lookups, and the evidence is still seen */
    struct dx_hit hits[4];
    assert_int_equal(dx_lookup(f->w, "bl.example.org", &k, T0 + 1, hits, 4), 1);
    assert_string_equal(hits[0].list, "traps");
    assert_int_equal(hits[0].expires_at, T0 + 100);
    assert_int_equal(dx_lookup(f->w, "bl.example.org", &k, T0 + 100, hits, 4), 0);
    assert_int_equal(dx_pol_seen(f->w, &k, "bl.example.org", "traps", "message <a@b>"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_never_special_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_localhost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_list_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_excluded_by_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_excluded_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_blocks_then_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_on_a_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifetime_from_last_hit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalation_and_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threshold_within_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seen_and_commit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
