/* Unit tests: zones/secret.c, secret files and hex. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/err.h"
#include "zones/secret.h"

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/dx-secret-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static const char *file(const char *name, const char *text, mode_t mode)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static void test_a_private_file_is_read_and_trimmed(void **state)
{
    (void)state;
    char buf[64], err[256];
    size_t n;
    assert_int_equal(dx_secret_read(file("a", " \tsecret text\r\n\n", 0600), buf, sizeof(buf), &n,
                                     err, sizeof(err)), 0);
    assert_string_equal(buf, "secret text");
    assert_int_equal(n, 11);
    assert_int_equal(dx_secret_read(file("b", "x", 0400), buf, sizeof(buf), &n, err,
                                     sizeof(err)), 0);
    assert_string_equal(buf, "x");
}

/* Others get nothing, the group may read at most (root:dnsxl 0640, so the
 * daemon reads it again as its user on SIGHUP). */
static void test_files_others_may_read_are_refused(void **state)
{
    (void)state;
    char buf[64], err[256];
    size_t n;
    static const mode_t modes[] = { 0644, 0604, 0601, 0602, 0666, 0660, 0620, 0610, 0670 };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        const char *p = file("open", "secret", modes[i]);
        assert_int_equal(dx_secret_read(p, buf, sizeof(buf), &n, err, sizeof(err)), DX_EINVAL);
        assert_non_null(strstr(err, modes[i] & 007 ? ": open to others (mode 0"
                                                   : ": writable by its group (mode 0"));
        assert_non_null(strstr(err, "chmod 640"));
        assert_non_null(strstr(err, p));
        assert_string_equal(buf, "");               /* nothing of it read */
    }
    static const mode_t fine[] = { 0600, 0400, 0640, 0440, 0700 };
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        const char *p = file("ok", "secret", fine[i]);
        assert_int_equal(dx_secret_read(p, buf, sizeof(buf), &n, err, sizeof(err)), 0);
        assert_string_equal(buf, "secret");
    }
}

static void test_other_bad_files(void **state)
{
    (void)state;
    char buf[8], err[256];
    size_t n;
    assert_int_equal(dx_secret_read(file("e", " \n", 0600), buf, sizeof(buf), &n, err,
                                     sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, ": empty"));
    assert_int_equal(dx_secret_read(file("l", "12345678", 0600), buf, sizeof(buf), &n, err,
                                     sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "longer than 7 bytes"));
    assert_int_equal(dx_secret_read(file("l7", "1234567", 0600), buf, sizeof(buf), &n, err,
                                     sizeof(err)), 0);
    assert_int_equal(dx_secret_read(g_dir, buf, sizeof(buf), &n, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "not a regular file"));
    char missing[128];
    snprintf(missing, sizeof(missing), "%s/missing", g_dir);
    assert_true(dx_secret_read(missing, buf, sizeof(buf), &n, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "No such file or directory"));
}

static void test_hex(void **state)
{
    (void)state;
    unsigned char out[4];
    assert_int_equal(dx_hex_decode("00aBcDfF", 8, out, 4), 0);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0xab);
    assert_int_equal(out[2], 0xcd);
    assert_int_equal(out[3], 0xff);
    assert_int_equal(dx_hex_decode("00abcdf", 7, out, 4), DX_EINVAL);
    assert_int_equal(dx_hex_decode("00abcdfff", 9, out, 4), DX_EINVAL);
    assert_int_equal(dx_hex_decode("00abcdfg", 8, out, 4), DX_EINVAL);
    assert_int_equal(dx_hex_decode("00 bcdff", 8, out, 4), DX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_private_file_is_read_and_trimmed),
        cmocka_unit_test(test_files_others_may_read_are_refused),
        cmocka_unit_test(test_other_bad_files),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
