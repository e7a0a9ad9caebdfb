/* Unit tests for loader/sync.c (dnsxl-loader sync): a temporary config and
 * store, the signed fixtures of tests/fixtures/minisign/, and a stand-in for
 * rsync (--rsync) that copies a local file the way rsync would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/feeds.h"
#include "zones/cli.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/store.h"

#define FIX "tests/fixtures/minisign/"

struct fx {
    char dir[64];
    char conf[128], db[128], rsync[128], fail_rsync[128], log[128], src[128];
    char fix[4096];                /* absolute path of FIX */
};

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/dx-sync-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_non_null(realpath(FIX, f->fix));
    snprintf(f->conf, sizeof(f->conf), "%s/dnsxl.conf", f->dir);
    snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
    snprintf(f->rsync, sizeof(f->rsync), "%s/rsync", f->dir);
    snprintf(f->fail_rsync, sizeof(f->fail_rsync), "%s/rsync-fails", f->dir);
    snprintf(f->log, sizeof(f->log), "%s/rsync.log", f->dir);
    snprintf(f->src, sizeof(f->src), "%s/src", f->dir);
    assert_int_equal(mkdir(f->src, 0700), 0);
    write_file(f->conf, "[server]\ndatabase = db\n[zone bl.test]\n[list bl.test/synced]\n"
                        "code = 127.0.0.7\n", 0600);
    /* rsync's last two arguments are SOURCE and CACHE/: copy one into the other */
    char script[512];
    snprintf(script, sizeof(script),
             "#!/bin/sh\necho \"$*\" >> %s\n"
             "n=$#; i=0\nfor a; do i=$((i + 1)); [ $i -eq $((n - 1)) ] && src=$a; "
             "[ $i -eq $n ] && dst=$a; done\nexec cp -- \"$src\" \"$dst\"\n", f->log);
    write_file(f->rsync, script, 0700);
    write_file(f->fail_rsync, "#!/bin/sh\nexit 5\n", 0700);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* dnsxl-loader sync ARGS... with f's config; returns the exit status. */
static int sync_(struct fx *f, const char *a1, const char *a2, const char *a3, const char *a4,
                 const char *a5, const char *a6)
{
    char *argv[8] = { "sync" };
    int argc = 1;
    const char *a[] = { a1, a2, a3, a4, a5, a6 };
    for (size_t i = 0; i < 6 && a[i]; i++)
        argv[argc++] = (char *)a[i];
    return dx_cmd_sync(f->conf, argc, argv);
}

/* Entries in bl.test/synced (0 when there is no store: sync creates the
 * cache directory under it before it fetches). */
static size_t entries(struct fx *f)
{
    struct dx_store *st;
    int rc = dx_store_open(f->db, 1u << 24, 0, &st);
    if (rc == DX_ENOSTORE)
        return 0;
    assert_int_equal(rc, 0);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(st, &t), 0);
    size_t n = 0;
    assert_int_equal(dx_entry_count(t, "bl.test", "synced", &n), 0);
    dx_txn_abort(t);
    dx_store_close(st);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return strdup("");
    char *buf = calloc(1, 8192);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 8191, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

static void test_sync_refuses_option_like_and_dot_sources_before_fetching(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "-e.x", "-host:zone.txt", "user@-host:zone.txt", "rsync://-host/zones/z.txt",
        "rsync://u@-host/zones/z.txt", "zones/", "zones/..", "zones/.hidden",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int ex = sync_(f, "--rsync", f->rsync, "--", "bl.test/synced", bad[i], NULL);
        if (ex != DX_EX_USAGE)
            fail_msg("'%s': exit %d, want 1", bad[i], ex);
    }
    char *log = slurp(f->log);
    assert_string_equal(log, "");               /* rsync never ran */
    free(log);
    assert_int_equal(access(f->db, F_OK), -1);  /* nor was a store created */
}

static void test_sync_imports_a_verified_file_and_records_its_hash(void **state)
{
    struct fx *f = *state;
    char data[4200], pub[4200], state_file[256];
    snprintf(data, sizeof(data), "%s/zone.txt", f->fix);
    snprintf(pub, sizeof(pub), "%s/test.pub", f->fix);
    assert_int_equal(sync_(f, "--rsync", f->rsync, "--pubkey", pub, "bl.test/synced", data),
                     DX_EX_OK);
    assert_int_equal(entries(f), 3);
    /* the file and its signature were fetched into the list's cache */
    char *log = slurp(f->log);
    assert_non_null(strstr(log, "-t --checksum --timeout=60 -- "));
    assert_non_null(strstr(log, "zone.txt.minisig"));
    assert_non_null(strstr(log, "/db/sync-cache/bl.test/synced/"));
    free(log);
    snprintf(state_file, sizeof(state_file), "%s/sync-cache/bl.test/synced/.synced", f->db);
    char *st = slurp(state_file);
    assert_int_equal(strncmp(st, "sha256 ", 7), 0);
    assert_int_equal(strcspn(st + 7, "\n"), 64);
    assert_non_null(strstr(st, "\nsource "));
    free(st);
    /* the same file again: unchanged, nothing written (the recorded hash) */
    struct stat before, after;
    assert_int_equal(stat(state_file, &before), 0);
    assert_int_equal(sync_(f, "--rsync", f->rsync, "--pubkey", pub, "bl.test/synced", data),
                     DX_EX_OK);
    assert_int_equal(stat(state_file, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);  /* not written again (write + rename) */
    assert_int_equal(entries(f), 3);
}

static void test_sync_refuses_a_bad_signature_and_writes_nothing(void **state)
{
    struct fx *f = *state;
    char data[4200], sig[4200], pub[4200], other[4200], copy[256], copysig[256];
    snprintf(data, sizeof(data), "%s/zone-tampered.txt", f->fix);
    snprintf(sig, sizeof(sig), "%s/zone.txt.minisig", f->fix);
    snprintf(pub, sizeof(pub), "%s/test.pub", f->fix);
    snprintf(other, sizeof(other), "%s/other.pub", f->fix);
    /* zone.txt's signature next to the tampered data */
    snprintf(copy, sizeof(copy), "%s/zone.txt", f->src);
    snprintf(copysig, sizeof(copysig), "%s/zone.txt.minisig", f->src);
    char *t = slurp(data), *s = slurp(sig);
    write_file(copy, t, 0600);
    write_file(copysig, s, 0600);
    free(t);
    free(s);
    assert_int_equal(sync_(f, "--rsync", f->rsync, "--pubkey", pub, "bl.test/synced", copy),
                     DX_EX_USAGE);
    assert_int_equal(entries(f), 0);
    /* the right data, the wrong key */
    snprintf(data, sizeof(data), "%s/zone.txt", f->fix);
    assert_int_equal(sync_(f, "--rsync", f->rsync, "--pubkey", other, "bl.test/synced", data),
                     DX_EX_USAGE);
    assert_int_equal(entries(f), 0);
    /* no signature to fetch: refused as unsigned */
    unlink(copysig);
    assert_int_equal(sync_(f, "--rsync", f->rsync, "--pubkey", pub, "bl.test/synced", copy),
                     DX_EX_USAGE);
    assert_int_equal(entries(f), 0);
}

static void test_sync_reports_a_failed_fetch_as_a_system_error(void **state)
{
    struct fx *f = *state;
    char data[4200], missing[256];
    snprintf(data, sizeof(data), "%s/zone.txt", f->fix);
    assert_int_equal(sync_(f, "--rsync", f->fail_rsync, "bl.test/synced", data, NULL, NULL),
                     DX_EX_STORE);
    snprintf(missing, sizeof(missing), "%s/no-such-rsync", f->dir);
    assert_int_equal(sync_(f, "--rsync", missing, "bl.test/synced", data, NULL, NULL),
                     DX_EX_STORE);
    assert_int_equal(entries(f), 0);
    /* without a key no signature is needed */
    assert_int_equal(sync_(f, "--rsync", f->rsync, "bl.test/synced", data, NULL, NULL), DX_EX_OK);
    assert_int_equal(entries(f), 3);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_sync_refuses_option_like_and_dot_sources_before_fetching),
        T(test_sync_imports_a_verified_file_and_records_its_hash),
        T(test_sync_refuses_a_bad_signature_and_writes_nothing),
        T(test_sync_reports_a_failed_fetch_as_a_system_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
