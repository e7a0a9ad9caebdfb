/* Unit tests for loader/feeds.c (dnsxl-loader traps and reports): runs on
 * the mail of tests/fixtures/mail/ into a temporary store, checked through
 * the store and the printed summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/feeds.h"
#include "zones/cli.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

#define MAIL "tests/fixtures/mail/"
#define BL "bl.example.org"

struct fx {
    char dir[64];
    char conf[128], db[128];
};

static const char CONF[] =
    "[server]\n"
    "database = db\n"
    "[loader]\n"
    "trusted-relays = 203.0.113.0/30\n"
    "protected = 198.51.100.16/28\n"
    "[zone " BL "]\n"
    "[list " BL "/traps]\n"
    "code = 127.0.0.2\n"
    "lifetime = 48h\n"
    "[list " BL "/reports]\n"
    "code = 127.0.0.3\n"
    "lifetime = 24h\n";

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/dx-feeds-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->conf, sizeof(f->conf), "%s/dnsxl.conf", f->dir);
    snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
    FILE *fp = fopen(f->conf, "w");
    assert_non_null(fp);
    fputs(CONF, fp);
    assert_int_equal(fclose(fp), 0);
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

/* dnsxl-loader CMD LIST PATH with f's config; its exit status, and what
 * it printed on stdout in out (free it). */
static int run(struct fx *f, const char *cmd, const char *list, const char *path, char **out)
{
    char *argv[] = { (char *)cmd, (char *)list, (char *)path, NULL };
    char file[128];
    snprintf(file, sizeof(file), "%s/stdout", f->dir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
    int ex = strcmp(cmd, "traps") == 0 ? dx_cmd_traps(f->conf, 3, argv)
                                       : dx_cmd_reports(f->conf, 3, argv);
    fflush(stdout);
    assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    *out = calloc(1, (size_t)n + 1);
    assert_non_null(*out);
    assert_int_equal(pread(fd, *out, (size_t)n, 0), n);
    close(fd);
    return ex;
}

/* Is addr listed in BL/list now? */
static bool listed(struct fx *f, const char *list, const char *addr)
{
    struct dx_store *st;
    int rc = dx_store_open(f->db, 1u << 24, 0, &st);
    if (rc == DX_ENOSTORE)
        return false;
    assert_int_equal(rc, 0);
    struct dx_txn *t;
    assert_int_equal(dx_txn_read(st, &t), 0);
    struct dx_key k;
    struct dx_entry e;
    assert_int_equal(dx_key_parse(addr, &k), 0);
    rc = dx_entry_get(t, BL, list, &k, &e);
    assert_true(rc == 0 || rc == DX_ENOTFOUND);
    dx_txn_abort(t);
    dx_store_close(st);
    return rc == 0;
}

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    assert_non_null(a);
    assert_non_null(b);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

static void test_traps_lists_the_clients_of_an_mbox_once(void **state)
{
    struct fx *f = *state;
    char *out;
    assert_int_equal(run(f, "traps", BL "/traps", MAIL "traps.mbox", &out), DX_EX_OK);
    assert_int_equal(strncmp(out, "traps " BL "/traps: 3 messages\n", 32), 0);
    assert_non_null(strstr(out, "  listed: 2\n"));
    assert_non_null(strstr(out, "  rejected by policy: 1\n"));   /* 198.51.100.20: protected */
    free(out);
    assert_true(listed(f, "traps", "192.0.2.10"));
    assert_true(listed(f, "traps", "203.0.113.30"));
    assert_false(listed(f, "traps", "198.51.100.20"));
    /* the same mail again: every message already counted */
    assert_int_equal(run(f, "traps", BL "/traps", MAIL "traps.mbox", &out), DX_EX_OK);
    assert_non_null(strstr(out, "  listed: 0\n"));
    assert_non_null(strstr(out, "  duplicates: 3\n"));
    free(out);
}

static void test_reports_skip_and_name_invalid_reports_of_a_directory(void **state)
{
    struct fx *f = *state;
    char dir[128], to[512], from[512];
    snprintf(dir, sizeof(dir), "%s/reports", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(to, sizeof(to), "%s/arf-abuse.eml", dir);
    copy_file(MAIL "arf-abuse.eml", to);
    DIR *d = opendir(MAIL "reports-bad");
    assert_non_null(d);
    size_t bad = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(from, sizeof(from), MAIL "reports-bad/%s", de->d_name);
        snprintf(to, sizeof(to), "%s/%s", dir, de->d_name);
        copy_file(from, to);
        bad++;
    }
    closedir(d);
    assert_true(bad >= 10);
    char *out;
    assert_int_equal(run(f, "reports", BL "/reports", dir, &out), DX_EX_PARTIAL);
    char want[64];
    snprintf(want, sizeof(want), "  invalid (skipped): %zu\n", bad);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "  listed: 1\n"));
    assert_non_null(strstr(out, "  skipped:\n"));
    assert_non_null(strstr(out, "/no-reporter.eml"));
    assert_non_null(strstr(out, "/binary.eml"));
    assert_null(strstr(out, "arf-abuse.eml"));
    free(out);
    assert_true(listed(f, "reports", "198.51.100.1"));
}

static void test_reports_one_invalid_file_is_bad_input_and_writes_nothing(void **state)
{
    struct fx *f = *state;
    char *out;
    assert_int_equal(run(f, "reports", BL "/reports", MAIL "not-arf.eml", &out), DX_EX_USAGE);
    assert_string_equal(out, "");                   /* no summary: nothing was done */
    free(out);
    assert_false(listed(f, "reports", "198.51.100.1"));
    /* no such file, and no such list */
    assert_int_equal(run(f, "reports", BL "/reports", MAIL "no-such.eml", &out), DX_EX_USAGE);
    free(out);
    assert_int_equal(run(f, "traps", BL "/nope", MAIL "traps.mbox", &out), DX_EX_USAGE);
    free(out);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_traps_lists_the_clients_of_an_mbox_once),
        T(test_reports_skip_and_name_invalid_reports_of_a_directory),
        T(test_reports_one_invalid_file_is_bad_input_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
