/* Unit tests for zones/conf_xfr.c: [key] sections (TSIG keys),
 * allow-transfer and notify lines of dnsxl.conf(5), and the IXFR journal's
 * bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/conf.h"
#include "zones/err.h"
#include "zones/key.h"

struct fx {
    char dir[64], path[128], secret[128];
    char err[1024];
    struct dx_conf *c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/dx-confx-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/dnsxl.conf", f->dir);
    snprintf(f->secret, sizeof(f->secret), "%s/xfr.key", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dx_conf_free(f->c);
    unlink(f->path);
    unlink(f->secret);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int load(struct fx *f, const char *text)
{
    dx_conf_free(f->c);
    f->c = NULL;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    f->err[0] = 0;
    return dx_conf_load(f->path, &f->c, f->err, sizeof(f->err));
}

static void expect_error(struct fx *f, const char *text, int line, const char *needle)
{
    assert_int_equal(load(f, text), DX_EINVAL);
    char prefix[200];
    snprintf(prefix, sizeof(prefix), "%s:%d: ", f->path, line);
    if (strncmp(f->err, prefix, strlen(prefix)) != 0 || !strstr(f->err, needle))
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, f->err);
}

#define ZONE "[zone bl.test]\n"

static void test_keys_and_allow_transfer(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f,
        "[key xfr-key]\nalgorithm = hmac-sha512\nsecret = c2VjcmV0\n"
        "[key Other.Key.]\nsecret = YWJj ZGVm\n"
        ZONE "allow-transfer = 192.0.2.53 key xfr-key\nallow-transfer = 2001:db8::/32\n"
        "allow-transfer = 198.51.100.0/24 key other.key\n"), 0);
    const struct dx_conf *c = f->c;
    assert_int_equal(c->n_keys, 2);
    assert_string_equal(c->keys[0].name, "xfr-key");
    assert_int_equal(c->keys[0].alg, DX_TSIG_HMAC_SHA512);
    assert_int_equal(c->keys[0].secret_len, 6);
    assert_memory_equal(c->keys[0].secret, "secret", 6);
    assert_int_equal(c->keys[1].alg, DX_TSIG_HMAC_SHA256);      /* the default */
    assert_string_equal(c->keys[1].name, "other.key");
    assert_int_equal(c->keys[1].secret_len, 6);                 /* blanks in base64 pass */
    static const uint8_t w[] = { 5, 'o', 't', 'h', 'e', 'r', 3, 'k', 'e', 'y', 0 };
    assert_int_equal(c->keys[1].wire_len, sizeof(w));
    assert_memory_equal(c->keys[1].wire, w, sizeof(w));
    static const uint8_t upper[] = { 5, 'O', 'T', 'H', 'E', 'R', 3, 'K', 'e', 'Y', 0 };
    assert_ptr_equal(dx_conf_key(c, upper, sizeof(upper)), &c->keys[1]);
    assert_null(dx_conf_key(c, upper, 7));
    const struct dx_zone_conf *z = &c->zones[0];
    assert_int_equal(z->n_allow_transfer, 3);
    assert_ptr_equal(z->allow_transfer[0].key, &c->keys[0]);
    assert_int_equal(z->allow_transfer[0].net.plen, 32);
    assert_null(z->allow_transfer[1].key);
    assert_int_equal(z->allow_transfer[1].net.family, 6);
    assert_ptr_equal(z->allow_transfer[2].key, &c->keys[1]);
    /* no allow-transfer: none */
    assert_int_equal(load(f, ZONE), 0);
    assert_int_equal(f->c->zones[0].n_allow_transfer, 0);
    assert_int_equal(f->c->n_keys, 0);
}

static void test_secret_file(void **state)
{
    struct fx *f = *state;
    FILE *fp = fopen(f->secret, "w");
    fputs("  c2VjcmV0LWZpbGU=\n", fp);
    fclose(fp);
    char text[512];
    snprintf(text, sizeof(text), "[key k]\nsecret-file = %s\n" ZONE
             "allow-transfer = 127.0.0.1 key k\n", f->secret);
    chmod(f->secret, 0600);
    assert_int_equal(load(f, text), 0);
    assert_int_equal(f->c->keys[0].secret_len, 11);
    assert_memory_equal(f->c->keys[0].secret, "secret-file", 11);
    chmod(f->secret, 0604);
    expect_error(f, text, 1, "open to others");
    chmod(f->secret, 0600);
    unlink(f->secret);
    expect_error(f, text, 1, "No such file");
}

static void test_bad_keys(void **state)
{
    struct fx *f = *state;
    expect_error(f, "[key]\nsecret = YQ==\n", 1, "needs a key name");
    expect_error(f, "[key a..b]\nsecret = YQ==\n", 1, "bad key name");
    expect_error(f, "[key k]\n", 1, "needs secret = BASE64 or secret-file = PATH");
    expect_error(f, "[key k]\nsecret = YQ==\nsecret-file = /x\n", 1, "one of them");
    expect_error(f, "[key k]\nsecret = not*base64\n", 1, "not base64");
    expect_error(f, "[key k]\nalgorithm = hmac-md5\nsecret = YQ==\n", 2,
                 "expected hmac-sha256 or hmac-sha512");
    expect_error(f, "[key k]\nsecret = YQ==\n[key K.]\nsecret = YQ==\n", 3,
                 "duplicate key 'k' (first defined on line 1)");
    expect_error(f, "[key k]\nsecret = YQ==\nfudge = 3\n", 3, "unknown key 'fudge' in [key]");
}

static void test_bad_allow_transfer(void **state)
{
    struct fx *f = *state;
    expect_error(f, ZONE "allow-transfer = 192.0.2.1 key nokey\n", 2,
                 "unknown key 'nokey' (no [key nokey])");
    expect_error(f, ZONE "allow-transfer = 192.0.2.1/24\n", 2, "bad address or CIDR");
    expect_error(f, ZONE "allow-transfer = example.org\n", 2, "bad address or CIDR");
    expect_error(f, ZONE "allow-transfer = 192.0.2.1 key\n", 2, "expected ADDRESS[/LEN] [key NAME]");
    expect_error(f, ZONE "allow-transfer = 192.0.2.1 tsig k\n", 2, "expected ADDRESS");
    expect_error(f, ZONE "allow-transfer = 192.0.2.1 key k extra\n", 2, "expected ADDRESS");
}

static void test_notify_and_the_journal(void **state)
{
    struct fx *f = *state;
    assert_int_equal(load(f,
        "[key k]\nsecret = c2VjcmV0\n"
        ZONE "notify = 192.0.2.53\nnotify = 192.0.2.54:5353 key k\nnotify = 2001:db8::1\n"
        "notify = [2001:db8::2]:53535 key k\nixfr-journal = 2M\nixfr-journal-age = 1h\n"
        "[zone other.test]\n"), 0);
    const struct dx_zone_conf *z = &f->c->zones[0];
    assert_int_equal(z->n_notify, 4);
    assert_int_equal(z->notify[0].family, DX_FAM_V4);
    assert_int_equal(z->notify[0].port, 53);
    assert_null(z->notify[0].key);
    static const uint8_t a0[4] = { 192, 0, 2, 53 };
    assert_memory_equal(z->notify[0].addr, a0, 4);
    assert_int_equal(z->notify[1].port, 5353);
    assert_ptr_equal(z->notify[1].key, &f->c->keys[0]);
    assert_int_equal(z->notify[2].family, DX_FAM_V6);
    assert_int_equal(z->notify[2].port, 53);
    assert_int_equal(z->notify[3].family, DX_FAM_V6);
    assert_int_equal(z->notify[3].port, 53535);
    assert_int_equal(z->notify[3].addr[15], 2);
    assert_int_equal(z->ixfr_journal, 2u << 20);
    assert_int_equal(z->ixfr_journal_age, 3600);
    const struct dx_zone_conf *o = &f->c->zones[1];       /* the defaults */
    assert_int_equal(o->n_notify, 0);
    assert_int_equal(o->ixfr_journal, 64u << 20);
    assert_int_equal(o->ixfr_journal_age, 7 * 86400);
    expect_error(f, ZONE "notify = 192.0.2.1 key nokey\n", 2,
                 "notify: unknown key 'nokey' (no [key nokey])");
    expect_error(f, ZONE "notify = ns1.example.org\n", 2, "notify: ");
    expect_error(f, ZONE "notify = 192.0.2.1:0\n", 2, "bad port");
    expect_error(f, ZONE "notify = 192.0.2.1/24\n", 2, "notify: ");
    expect_error(f, ZONE "notify = 192.0.2.1 key\n", 2, "expected ADDRESS[:PORT] [key NAME]");
    expect_error(f, ZONE "ixfr-journal-age = 10s\n", 2, "ixfr-journal-age");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_and_allow_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_allow_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_and_the_journal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
