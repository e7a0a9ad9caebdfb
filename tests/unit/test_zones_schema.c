/* Unit tests of the store's on-disk layout: every key and value byte.
 *
 * test_store_bytes_match_the_recorded_layout writes a fixed set of records
 * through the public store API (zones/store.h) with a fixed clock, closes
 * the store, then reads the directory with plain LMDB calls and dumps every
 * database as "db key-hex value-hex" lines, compared with the dump recorded
 * below. A change to any stored byte (a key layout, a value field, the
 * derived indexes, serials, history seqs) fails it: the store's schema
 * version (DX_STORE_SCHEMA) promises that a store written by one build is
 * read by the next.
 *
 * The expected dump was generated once from commit 3775342 (the layout of
 * schema 1 as shipped) and pasted in; on a mismatch the test prints the
 * first differing line and the whole actual dump. Never regenerate it to
 * make a refactoring pass: a difference is a format change. The one change
 * so far: schema 2 (the ip index keyed by zone id; a store of schema 1 has
 * its index rebuilt at open), whose meta, zoneids and index lines were
 * converted from the recorded schema-1 lines by its rules (zones/schema.h),
 * not copied from a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zones/err.h"
#include "zones/journal.h"
#include "zones/key.h"
#include "zones/schema.h"
#include "zones/store.h"

#define T 1800000000u       /* the clock of every write here */

static struct dx_key K(const char *text)
{
    struct dx_key k;
    if (dx_key_parse(text, &k) != 0)
        fail_msg("bad key %s", text);
    return k;
}

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key,
                const struct dx_entry *e)
{
    struct dx_key k = K(key);
    assert_int_equal(dx_entry_put(w, zone, list, &k, e), 0);
}

static void hist(struct dx_txn *w, const char *key, uint64_t at, uint8_t action,
                 const char *zone, const char *list, const char *source, const char *reason,
                 uint64_t expires)
{
    struct dx_key k = K(key);
    struct dx_hist h = { .at = at, .action = action, .zone = zone, .list = list,
                         .source = source, .reason = reason, .expires_at = expires };
    assert_int_equal(dx_history_add(w, &k, &h), 0);
}

/* Everything a store holds, through the public API only. */
static void write_fixture(const char *dir)
{
    struct dx_store *st;
    assert_int_equal(dx_store_open(dir, 64u << 20, DX_STORE_CREATE, &st), 0);
    struct dx_txn *w;
    assert_int_equal(dx_txn_write(st, T, &w), 0);

    /* ip zone: a v4 /32 with every field set, a v4 /24 with an explicit
     * "no TXT" (""), an exclusion inside it, a v6 /48 and a v6 /128 with
     * expiry, an IPv4-mapped address (stored as IPv4) */
    struct dx_entry full = { .flags = 0, .code = 0x7f00000a, .first_seen = T - 86400,
                             .last_seen = T - 60, .expires_at = T + 3600, .hits = 7,
                             .relists = 2, .source = "traps", .reason = "trap hit",
                             .txt = "own text $" };
    put(w, "bl.example.org", "traps", "192.0.2.99", &full);
    struct dx_entry net = { .first_seen = T, .last_seen = T, .source = "admin",
                            .reason = "by hand", .txt = "" };
    put(w, "bl.example.org", "manual", "198.51.100.0/24", &net);
    struct dx_entry excl = { .flags = DX_ENTRY_EXCLUDE, .first_seen = T, .last_seen = T,
                             .source = "admin" };
    put(w, "bl.example.org", "manual", "198.51.100.128/25", &excl);
    struct dx_entry v6 = { .first_seen = T, .last_seen = T, .expires_at = T + 7200,
                           .hits = 3, .source = "reports", .reason = "reported" };
    put(w, "bl.example.org", "reports", "2001:db8:1::/48", &v6);
    struct dx_entry v6h = { .code = 0x7f000003, .first_seen = T, .last_seen = T,
                            .expires_at = T + 60, .source = "import" };
    put(w, "bl.example.org", "reports", "2001:db8:1::7", &v6h);
    struct dx_entry mapped = { .first_seen = T, .last_seen = T, .source = "sync" };
    put(w, "bl.example.org", "traps", "::ffff:203.0.113.7", &mapped);

    /* domain zone: exact, wildcard, an exclusion under the wildcard, the
     * same name in a second list */
    struct dx_entry dom = { .code = 0x7f000102, .first_seen = T, .last_seen = T,
                            .source = "admin", .reason = "spammy", .txt = "dom $" };
    put(w, "dbl.example.org", "spam", "spam.example", &dom);
    struct dx_entry wild = { .first_seen = T, .last_seen = T, .expires_at = T + 100,
                             .source = "admin", .reason = "wild" };
    put(w, "dbl.example.org", "spam", "*.wild.example", &wild);
    put(w, "dbl.example.org", "spam", "ok.wild.example", &excl);
    struct dx_entry ab = { .first_seen = T, .last_seen = T, .source = "reports" };
    put(w, "dbl.example.org", "abuse", "spam.example", &ab);

    /* a hold, an ended hold */
    struct dx_key k = K("192.0.2.100");
    assert_int_equal(dx_hold_put(w, "bl.example.org", "traps", &k, T + 86400), 0);
    k = K("spam.example");
    assert_int_equal(dx_hold_put(w, "dbl.example.org", "spam", &k, 0), 0);

    /* history: two records of one key in one second (seq 0, 1), a CIDR,
     * a v6 key and a wildcard (formatted key texts) */
    hist(w, "192.0.2.99", T, DX_HIST_LIST, "bl.example.org", "traps", "traps", "trap hit",
         T + 3600);
    hist(w, "192.0.2.99", T, DX_HIST_UPDATE, "bl.example.org", "traps", "traps", NULL,
         T + 3600);
    hist(w, "198.51.100.0/24", T - 5, DX_HIST_LIST, "bl.example.org", "manual", "admin",
         "by hand", 0);
    hist(w, "2001:db8:1::/48", T, DX_HIST_LIST, "bl.example.org", "reports", "reports",
         "reported", T + 7200);
    hist(w, "*.wild.example", T, DX_HIST_LIST, "dbl.example.org", "spam", NULL, NULL, 0);

    /* reports: two reporters of one key */
    k = K("2001:db8:1::/48");
    assert_int_equal(dx_report_add(w, "bl.example.org", "reports", &k, "a.example", T - 30), 0);
    assert_int_equal(dx_report_add(w, "bl.example.org", "reports", &k, "192.0.2.7", T - 20), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    /* a second txn at the same clock: the ip zone's serial goes to T + 1,
     * the history of 192.0.2.99 at T continues with seq 2, a deletion and
     * an added /32 recompute the index */
    assert_int_equal(dx_txn_write(st, T, &w), 0);
    hist(w, "192.0.2.99", T, DX_HIST_DELIST, "bl.example.org", "traps", "admin", "gone", 0);
    k = K("2001:db8:1::7");
    assert_int_equal(dx_entry_del(w, "bl.example.org", "reports", &k), 0);
    struct dx_entry late = { .first_seen = T, .last_seen = T, .expires_at = T + 30,
                             .source = "admin" };
    put(w, "bl.example.org", "manual", "198.51.100.200", &late);
    assert_int_equal(dx_txn_commit(w), 0);

    /* requests (added after schema 1 shipped): one pending, one decided */
    assert_int_equal(dx_txn_write(st, T, &w), 0);
    struct dx_request rq = { .status = DX_REQ_PENDING, .created = T, .zone = "bl.example.org",
                             .list = "traps", .key = "192.0.2.99", .note = "fixed",
                             .contact = "a@b.example", .client = "198.51.100.7" };
    memset(rq.token, 0x5a, sizeof(rq.token));
    assert_int_equal(dx_request_add(w, &rq), 0);
    rq.status = DX_REQ_DENIED;
    rq.decided = T + 1;
    rq.by = "admin:op";
    rq.decision = "no";
    rq.note = rq.contact = rq.client = NULL;
    assert_int_equal(dx_request_add(w, &rq), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    /* runs (added after schema 1 shipped): a good import and a failed
     * expire; changes and counts come from the txns above */
    assert_int_equal(dx_txn_write(st, T, &w), 0);
    struct dx_run run = { .command = "import", .target = "bl.example.org/manual",
                          .started = T - 2, .finished = T, .added = 3, .updated = 1,
                          .removed = 2 };
    assert_int_equal(dx_run_put(w, &run), 0);
    struct dx_run bad = { .command = "expire", .target = "", .started = T, .finished = T + 1,
                          .status = 2, .message = "no space" };
    assert_int_equal(dx_run_put(w, &bad), 0);
    assert_int_equal(dx_txn_commit(w), 0);

    /* journal (added after schema 1 shipped): one change of a zone, an A
     * record removed and a TXT added (2.0.192.bl.example.org) */
    assert_int_equal(dx_txn_write(st, T, &w), 0);
    uint8_t jb[256];
    struct dx_bytes b;
    dx_bytes_writer(&b, jb, sizeof(jb));
    struct dx_jhead jh = { .from = T, .to = T + 1, .at = T + 1, .ndel = 1, .nadd = 1 };
    dx_sv_jhead_put(&b, &jh);
    static const uint8_t owner[] = "\x01" "2" "\x01" "0" "\x03" "192" "\x02" "bl"
                                   "\x07" "example" "\x03" "org";
    static const uint8_t a[4] = { 127, 0, 0, 2 }, txt[] = "\x04" "spam";
    dx_sv_jrr_put(&b, owner, sizeof(owner), 1, 300, a, 4);
    dx_sv_jrr_put(&b, owner, sizeof(owner), 16, 300, txt, 5);
    assert_int_equal(b.err, 0);
    assert_int_equal(dx_journal_append(w, "bl.example.org", jb, b.pos, 1u << 20, 0), 0);
    assert_int_equal(dx_txn_commit(w), 0);
    dx_store_close(st);
}

static void hex(FILE *f, const MDB_val *v)
{
    const uint8_t *p = v->mv_data;
    for (size_t i = 0; i < v->mv_size; i++)
        fprintf(f, "%02x", p[i]);
}

/* Every database of the store at dir as "db key value" lines, in key order;
 * the main database (the names of the others) as "main key" lines. */
static char *dump(const char *dir)
{
    static const char *const dbs[] = { "meta", "zones", "entries", "index", "dindex",
                                       "expiry", "holds", "history", "reports", "requests",
                                       "changes", "counts", "runs", "journal", "zoneids" };
    char *out = NULL;
    size_t outn = 0;
    FILE *f = open_memstream(&out, &outn);
    assert_non_null(f);
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    for (size_t i = 0; i <= sizeof(dbs) / sizeof(dbs[0]); i++) {
        const char *name = i ? dbs[i - 1] : NULL;
        MDB_dbi dbi;
        if (mdb_dbi_open(txn, name, 0, &dbi) != 0)
            fail_msg("no database %s", name ? name : "(main)");
        MDB_cursor *c;
        assert_int_equal(mdb_cursor_open(txn, dbi, &c), 0);
        MDB_val k, v;
        int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
        while (rc == 0) {
            fputs(name ? name : "main", f);
            fputc(' ', f);
            hex(f, &k);
            if (name) {                  /* main's values are LMDB's own records */
                fputc(' ', f);
                hex(f, &v);
            }
            fputc('\n', f);
            rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        assert_int_equal(rc, MDB_NOTFOUND);
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    assert_int_equal(fclose(f), 0);
    return out;
}

/* Recorded from commit 3775342; meta "schema", zoneids and index: schema 2. */
static const char *const expected[] = {
    "main 6368616e676573",
    "main 636f756e7473",
    "main 64696e646578",
    "main 656e7472696573",
    "main 657870697279",
    "main 686973746f7279",
    "main 686f6c6473",
    "main 696e646578",
    "main 6a6f75726e616c",
    "main 6d657461",
    "main 7265706f727473",
    "main 7265717565737473",
    "main 72756e73",
    "main 7a6f6e65696473",
    "main 7a6f6e6573",
    "meta 736368656d61 00000002",
    "zones 626c2e6578616d706c652e6f726700 6b49d201",
    "zones 64626c2e6578616d706c652e6f726700 6b49d200",
    "entries 626c2e6578616d706c652e6f7267006d616e75616c0004c633640018 0000000000000000000000006b49d200000000006b49d20000000000000000000000000000000000000661646d696e00000862792068616e6400000100",
    "entries 626c2e6578616d706c652e6f7267006d616e75616c0004c633648019 0000000100000000000000006b49d200000000006b49d20000000000000000000000000000000000000661646d696e0000000000",
    "entries 626c2e6578616d706c652e6f7267006d616e75616c0004c63364c820 0000000000000000000000006b49d200000000006b49d200000000006b49d21e0000000000000000000661646d696e0000000000",
    "entries 626c2e6578616d706c652e6f7267007265706f727473000620010db800010000000000000000000030 0000000000000000000000006b49d200000000006b49d200000000006b49ee20000000030000000000087265706f7274730000097265706f72746564000000",
    "entries 626c2e6578616d706c652e6f72670074726170730004c000026320 000000007f00000a000000006b488080000000006b49d1c4000000006b49e010000000070000000200067472617073000009747261702068697400000b6f776e2074657874202400",
    "entries 626c2e6578616d706c652e6f72670074726170730004cb00710720 0000000000000000000000006b49d200000000006b49d20000000000000000000000000000000000000573796e630000000000",
    "entries 64626c2e6578616d706c652e6f726700616275736500446578616d706c652e7370616d00 0000000000000000000000006b49d200000000006b49d2000000000000000000000000000000000000087265706f7274730000000000",
    "entries 64626c2e6578616d706c652e6f7267007370616d00446578616d706c652e7370616d00 000000007f000102000000006b49d200000000006b49d20000000000000000000000000000000000000661646d696e0000077370616d6d79000006646f6d202400",
    "entries 64626c2e6578616d706c652e6f7267007370616d00446578616d706c652e77696c6401 0000000000000000000000006b49d200000000006b49d200000000006b49d2640000000000000000000661646d696e00000577696c64000000",
    "entries 64626c2e6578616d706c652e6f7267007370616d00446578616d706c652e77696c642e6f6b00 0000000100000000000000006b49d200000000006b49d20000000000000000000000000000000000000661646d696e0000000000",
    "index 000104c0000263 010674726170730000207f00000a000000006b49e010000b6f776e2074657874202400",
    "index 000104c633647f 00c63364000001076d616e75616c00010018000000000000000000000000c6336400000100",
    "index 000104c63364c7 00c63364800001076d616e75616c00020119000000000000000000000000c633648000000018000000000000000000000000c6336400000100",
    "index 000104c63364c8 00c63364c80001076d616e75616c0003002000000000000000006b49d21ec63364c800000119000000000000000000000000c633648000000018000000000000000000000000c6336400000100",
    "index 000104c63364ff 00c63364c90001076d616e75616c00020119000000000000000000000000c633648000000018000000000000000000000000c6336400000100",
    "index 000104cb007107 010674726170730000200000000000000000000000000000",
    "index 00010620010db8000100000000000000000006 0020010db80001000000000000000000000001087265706f7274730001003000000000000000006b49ee2020010db80001000000000000000000000000",
    "index 00010620010db8000100000000000000000007 0020010db80001000000000000000000070001087265706f7274730001003000000000000000006b49ee2020010db80001000000000000000000000000",
    "index 00010620010db80001ffffffffffffffffffff 0020010db80001000000000000000000080001087265706f7274730001003000000000000000006b49ee2020010db80001000000000000000000000000",
    "dindex 64626c2e6578616d706c652e6f726700446578616d706c652e7370616d00 0d7370616d2e6578616d706c6500000206616275736500000000000000000000000000000000057370616d00007f00010200000000000000000006646f6d202400",
    "dindex 64626c2e6578616d706c652e6f726700446578616d706c652e77696c6401 0d77696c642e6578616d706c65000001057370616d000000000000000000006b49d2640000",
    "dindex 64626c2e6578616d706c652e6f726700446578616d706c652e77696c642e6f6b00 106f6b2e77696c642e6578616d706c65000001057370616d00010000000000000000000000000000",
    "expiry 000000006b49d21e626c2e6578616d706c652e6f7267006d616e75616c0004c63364c820 ",
    "expiry 000000006b49d26464626c2e6578616d706c652e6f7267007370616d00446578616d706c652e77696c6401 ",
    "expiry 000000006b49e010626c2e6578616d706c652e6f72670074726170730004c000026320 ",
    "expiry 000000006b49ee20626c2e6578616d706c652e6f7267007265706f727473000620010db800010000000000000000000030 ",
    "holds 626c2e6578616d706c652e6f72670074726170730004c000026420 000000006b4b2380",
    "holds 64626c2e6578616d706c652e6f7267007370616d00446578616d706c652e7370616d00 0000000000000000",
    "history 2a2e77696c642e6578616d706c6500000000006b49d20000000000 010000000000000000001064626c2e6578616d706c652e6f72670000057370616d0000000000",
    "history 3139322e302e322e393900000000006b49d20000000000 01000000006b49e010000f626c2e6578616d706c652e6f726700000674726170730000067472617073000009747261702068697400",
    "history 3139322e302e322e393900000000006b49d20000000001 03000000006b49e010000f626c2e6578616d706c652e6f726700000674726170730000067472617073000000",
    "history 3139322e302e322e393900000000006b49d20000000002 040000000000000000000f626c2e6578616d706c652e6f7267000006747261707300000661646d696e000005676f6e6500",
    "history 3139382e35312e3130302e302f323400000000006b49d1fb00000000 010000000000000000000f626c2e6578616d706c652e6f72670000076d616e75616c00000661646d696e00000862792068616e6400",
    "history 323030313a6462383a313a3a2f343800000000006b49d20000000000 01000000006b49ee20000f626c2e6578616d706c652e6f72670000087265706f7274730000087265706f7274730000097265706f7274656400",
    "reports 626c2e6578616d706c652e6f7267007265706f727473000620010db800010000000000000000000030003139322e302e322e3700 000000006b49d1ec",
    "reports 626c2e6578616d706c652e6f7267007265706f727473000620010db80001000000000000000000003000612e6578616d706c6500 000000006b49d1e2",
    /* requests: added after schema 1 shipped */
    "requests 0000000000000001 01000000006b49d20000000000000000005a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a000f626c2e6578616d706c652e6f7267000006747261707300000b3139322e302e322e3939000006666978656400000c6140622e6578616d706c6500000d3139382e35312e3130302e370000000000",
    "requests 0000000000000002 03000000006b49d200000000006b49d2015a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a000f626c2e6578616d706c652e6f7267000006747261707300000b3139322e302e322e393900000000000000000961646d696e3a6f700000036e6f00",
    /* changes, counts, runs: added after schema 1 shipped */
    "changes 626c2e6578616d706c652e6f726700 000000006b49d200",
    "changes 64626c2e6578616d706c652e6f726700 000000006b49d200",
    "counts 626c2e6578616d706c652e6f7267006d616e75616c00 0000000000000003",
    "counts 626c2e6578616d706c652e6f7267007265706f72747300 0000000000000001",
    "counts 626c2e6578616d706c652e6f726700747261707300 0000000000000002",
    "counts 64626c2e6578616d706c652e6f726700616275736500 0000000000000001",
    "counts 64626c2e6578616d706c652e6f7267007370616d00 0000000000000003",
    "runs 6578706972650000 000000006b49d200000000006b49d2010200000000000000000000000000000000000000000000000000096e6f20737061636500",
    "runs 696d706f727400626c2e6578616d706c652e6f72672f6d616e75616c00 000000006b49d1fe000000006b49d200000000000000000003000000000000000100000000000000020000",
    /* journal: added after schema 1 shipped */
    "journal 626c2e6578616d706c652e6f7267000000000000000001 6b49d2006b49d201000000006b49d201000000010000000118013201300331393202626c076578616d706c65036f72670000010000012c00047f00000218013201300331393202626c076578616d706c65036f72670000100000012c0005047370616d",
    "zoneids 626c2e6578616d706c652e6f726700 0001",
};

static void print_actual(const char *got)
{
    fprintf(stderr, "actual dump (as C strings):\n");
    for (const char *p = got; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "    \"%.*s\",\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(p);
}

static void test_store_bytes_match_the_recorded_layout(void **state)
{
    (void)state;
    char dir[64];
    strcpy(dir, "/tmp/dx-schema-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char db[96];
    snprintf(db, sizeof(db), "%s/db", dir);
    write_fixture(db);
    char *got = dump(db);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

    size_t n = sizeof(expected) / sizeof(expected[0]);
    const char *p = got;
    size_t line = 0;
    bool same = true;
    for (; line < n && *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len != strlen(expected[line]) || memcmp(p, expected[line], len) != 0) {
            fprintf(stderr, "line %zu differs:\n  expected %s\n  actual   %.*s\n", line + 1,
                    expected[line], (int)len, p);
            same = false;
            break;
        }
        p += len + (nl ? 1 : 0);
    }
    if (same && (line != n || *p)) {
        fprintf(stderr, "%s lines after line %zu\n", line < n ? "missing" : "extra", line);
        same = false;
    }
    if (!same)
        print_actual(got);
    free(got);
    assert_true(same);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_bytes_match_the_recorded_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
