/* Unit tests: atomic file replacement (zones/afile.c), as dnsxl-admin
 * export -o and dnsxl-loader publish use it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/afile.h"

struct fx {
    char dir[64], path[128];
    char err[512];
};

static int each(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    snprintf(f.dir, sizeof(f.dir), "/tmp/dx-test-afile-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    snprintf(f.path, sizeof(f.path), "%s/zone.combined", f.dir);
    *state = &f;
    return 0;
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int each_end(void **state)
{
    struct fx *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    return 0;
}

static void put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *get(const char *path)
{
    static char buf[256];
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

static void test_replace(void **state)
{
    struct fx *f = *state;
    put(f->path, "old\n");
    struct dx_afile a;
    assert_int_equal(dx_afile_open(&a, f->path, 0644, f->err, sizeof(f->err)), 0);
    fputs("new\n", a.f);
    /* until the commit, readers see the old file; the new one is a dot file beside it */
    assert_string_equal(get(f->path), "old\n");
    assert_int_equal(entries(f->dir), 2);
    assert_non_null(strstr(a.tmp, "/.zone.combined."));
    assert_int_equal(dx_afile_commit(&a, f->err, sizeof(f->err)), 0);
    assert_string_equal(get(f->path), "new\n");
    assert_int_equal(entries(f->dir), 1);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    dx_afile_abort(&a);                  /* after a commit: nothing to do */
    assert_string_equal(get(f->path), "new\n");
    /* a new file, another mode */
    char p2[200];
    snprintf(p2, sizeof(p2), "%s/fresh", f->dir);
    assert_int_equal(dx_afile_open(&a, p2, 0600, f->err, sizeof(f->err)), 0);
    fputs("x", a.f);
    assert_int_equal(dx_afile_commit(&a, f->err, sizeof(f->err)), 0);
    assert_int_equal(stat(p2, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_abort_keeps_the_old_file(void **state)
{
    struct fx *f = *state;
    put(f->path, "old\n");
    struct dx_afile a;
    assert_int_equal(dx_afile_open(&a, f->path, 0644, f->err, sizeof(f->err)), 0);
    fputs("half of a new fi", a.f);
    dx_afile_abort(&a);
    assert_string_equal(get(f->path), "old\n");
    assert_int_equal(entries(f->dir), 1);
    dx_afile_abort(&a);                  /* twice: harmless */
}

static void test_errors(void **state)
{
    struct fx *f = *state;
    struct dx_afile a;
    char p[200];
    snprintf(p, sizeof(p), "%s/no/such/dir/file", f->dir);
    assert_int_equal(dx_afile_open(&a, p, 0644, f->err, sizeof(f->err)), -ENOENT);
    assert_non_null(strstr(f->err, p));
    assert_null(a.f);
    /* the rename fails (a directory is in the way): the directory stays,
     * no temporary is left */
    snprintf(p, sizeof(p), "%s/taken", f->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(dx_afile_open(&a, p, 0644, f->err, sizeof(f->err)), 0);
    fputs("data", a.f);
    assert_true(dx_afile_commit(&a, f->err, sizeof(f->err)) < 0);
    assert_non_null(strstr(f->err, p));
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(entries(f->dir), 1);
    dx_afile_abort(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replace, each, each_end),
        cmocka_unit_test_setup_teardown(test_abort_keeps_the_old_file, each, each_end),
        cmocka_unit_test_setup_teardown(test_errors, each, each_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
