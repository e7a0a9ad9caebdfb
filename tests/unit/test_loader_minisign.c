/* Unit tests: minisign verification, secret keys and signing
 * (loader/minisign.c) against keys and signatures made by the real
 * minisign tool (tests/fixtures/minisign/, see its README; run from the
 * repository root). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "loader/minisign.h"
#include "zones/err.h"

#define FIX "tests/fixtures/minisign/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    char *b = malloc(65536);
    assert_non_null(b);
    *len = fread(b, 1, 65535, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

struct fx {
    struct dx_minisign_pk pk, other;
    char *data, *tampered, *sig, *legacy;
    size_t dlen, tlen, slen, llen;
    char err[512];
};

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(dx_minisign_pk_load(FIX "test.pub", &f.pk, f.err, sizeof(f.err)), 0);
    assert_int_equal(dx_minisign_pk_load(FIX "other.pub", &f.other, f.err, sizeof(f.err)), 0);
    f.data = slurp(FIX "zone.txt", &f.dlen);
    f.tampered = slurp(FIX "zone-tampered.txt", &f.tlen);
    f.sig = slurp(FIX "zone.txt.minisig", &f.slen);
    f.legacy = slurp(FIX "zone.txt.legacy.minisig", &f.llen);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    free(f->data);
    free(f->tampered);
    free(f->sig);
    free(f->legacy);
    return 0;
}

static int verify(struct fx *f, const struct dx_minisign_pk *pk, const char *data, size_t dlen,
                  const char *sig, size_t slen)
{
    f->err[0] = 0;
    return dx_minisign_verify(pk, (const uint8_t *)data, dlen, sig, slen, NULL, 0, f->err,
                              sizeof(f->err));
}

static void test_both_forms_verify(void **state)
{
    struct fx *f = *state;
    char tc[64];
    assert_int_equal(dx_minisign_verify(&f->pk, (const uint8_t *)f->data, f->dlen, f->sig,
                                        f->slen, tc, sizeof(tc), f->err, sizeof(f->err)), 0);
    assert_string_equal(tc, "test zone, prehashed");
    assert_int_equal(dx_minisign_verify(&f->pk, (const uint8_t *)f->data, f->dlen, f->legacy,
                                        f->llen, tc, sizeof(tc), f->err, sizeof(f->err)), 0);
    assert_string_equal(tc, "test zone, legacy");
    /* the two files really are the two algorithms */
    assert_non_null(strstr(f->sig, "\nRUT"));      /* base64 of "ED" */
    assert_non_null(strstr(f->legacy, "\nRWT"));   /* base64 of "Ed" */
    /* truncated trusted comment copy */
    assert_int_equal(dx_minisign_verify(&f->pk, (const uint8_t *)f->data, f->dlen, f->sig,
                                        f->slen, tc, 5, f->err, sizeof(f->err)), 0);
    assert_string_equal(tc, "test");
    /* the file API, default .minisig name and an explicit one */
    assert_int_equal(dx_minisign_verify_file(FIX "test.pub", FIX "zone.txt", NULL, f->err,
                                             sizeof(f->err)), 0);
    assert_int_equal(dx_minisign_verify_file(FIX "test.pub", FIX "zone.txt",
                                             FIX "zone.txt.legacy.minisig", f->err,
                                             sizeof(f->err)), 0);
}

static void test_tampered_data(void **state)
{
    struct fx *f = *state;
    assert_int_equal(verify(f, &f->pk, f->tampered, f->tlen, f->sig, f->slen), DX_EREFUSED);
    assert_string_equal(f->err, "signature does not match the data");
    assert_int_equal(verify(f, &f->pk, f->tampered, f->tlen, f->legacy, f->llen), DX_EREFUSED);
    assert_int_equal(dx_minisign_verify_file(FIX "test.pub", FIX "zone-tampered.txt",
                                             FIX "zone.txt.minisig", f->err, sizeof(f->err)),
                     DX_EREFUSED);
    /* one byte shorter */
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen - 1, f->sig, f->slen), DX_EREFUSED);
}

static void test_wrong_key(void **state)
{
    struct fx *f = *state;
    assert_int_equal(verify(f, &f->other, f->data, f->dlen, f->sig, f->slen), DX_EREFUSED);
    assert_non_null(strstr(f->err, "another key"));
    /* same key id, different key bytes: the signature itself fails */
    struct dx_minisign_pk k = f->other;
    memcpy(k.keyid, f->pk.keyid, sizeof(k.keyid));
    assert_int_equal(verify(f, &k, f->data, f->dlen, f->sig, f->slen), DX_EREFUSED);
    assert_string_equal(f->err, "signature does not match the data");
    assert_int_equal(dx_minisign_verify_file(FIX "other.pub", FIX "zone.txt", NULL, f->err,
                                             sizeof(f->err)), DX_EREFUSED);
}

static void test_tampered_comment(void **state)
{
    struct fx *f = *state;
    char *s = strdup(f->sig);
    char *p = strstr(s, "prehashed");
    assert_non_null(p);
    memcpy(p, "PREHASHED", 9);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, s, strlen(s)), DX_EREFUSED);
    assert_string_equal(f->err, "trusted comment signature does not match");
    free(s);
    /* the untrusted comment is not signed: changing it is fine */
    s = strdup(f->sig);
    p = strstr(s, "signature from");
    assert_non_null(p);
    memcpy(p, "SIGNATURE FROM", 14);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, s, strlen(s)), 0);
    free(s);
}

static void test_crlf(void **state)
{
    struct fx *f = *state;
    char buf[1024];
    size_t o = 0;
    for (size_t i = 0; i < f->slen; i++) {
        if (f->sig[i] == '\n')
            buf[o++] = '\r';
        buf[o++] = f->sig[i];
    }
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, o), 0);
}

static void test_malformed(void **state)
{
    struct fx *f = *state;
    const char *lines[4];
    char *s = strdup(f->sig);
    char *save = NULL;
    lines[0] = strtok_r(s, "\n", &save);
    for (int i = 1; i < 4; i++)
        lines[i] = strtok_r(NULL, "\n", &save);
    char buf[1024];
#define SIG(a, b, c, d) snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n", a, b, c, d)

    SIG("no comment", lines[1], lines[2], lines[3]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_non_null(strstr(f->err, "untrusted comment"));

    SIG(lines[0], "AAAA", lines[2], lines[3]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_non_null(strstr(f->err, "74 bytes"));

    SIG(lines[0], "!!not base64!!", lines[2], lines[3]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);

    SIG(lines[0], lines[1], "comment: x", lines[3]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_non_null(strstr(f->err, "trusted comment"));

    SIG(lines[0], lines[1], lines[2], "AAAA");
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_non_null(strstr(f->err, "global signature"));

    snprintf(buf, sizeof(buf), "%s\n%s\n", lines[0], lines[1]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, "", 0), DX_EINVAL);

    /* unknown algorithm: "Ex" + 72 bytes */
    uint8_t raw[74] = { 'E', 'x' };
    char b64[128];
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
    SIG(lines[0], b64, lines[2], lines[3]);
    assert_int_equal(verify(f, &f->pk, f->data, f->dlen, buf, strlen(buf)), DX_EINVAL);
    assert_non_null(strstr(f->err, "algorithm"));
    free(s);
#undef SIG

    /* public keys */
    struct dx_minisign_pk pk;
    const char *pkline = "RWTO3KqC0AKNGSTiSieAAStYf8HUDfqBujqlymufwh01lTI+3NMdx23L";
    assert_int_equal(dx_minisign_pk_parse(pkline, strlen(pkline), &pk, f->err, sizeof(f->err)), 0);
    assert_memory_equal(&pk, &f->pk, sizeof(pk));
    assert_int_equal(dx_minisign_pk_parse("untrusted comment: x\n", 21, &pk, f->err,
                                          sizeof(f->err)), DX_EINVAL);
    assert_non_null(strstr(f->err, "no public key"));
    assert_int_equal(dx_minisign_pk_parse("RWTO3KqC0AKN", 12, &pk, f->err, sizeof(f->err)),
                     DX_EINVAL);
    assert_non_null(strstr(f->err, "42 bytes"));
    /* a signature line is not a key */
    assert_int_equal(dx_minisign_pk_parse(lines[1] ? lines[1] : "", 0, &pk, f->err,
                                          sizeof(f->err)), DX_EINVAL);
    assert_int_equal(dx_minisign_pk_load("/nonexistent/key.pub", &pk, f->err, sizeof(f->err)),
                     -ENOENT);
    assert_non_null(strstr(f->err, "/nonexistent/key.pub"));
    assert_int_equal(dx_minisign_pk_load(FIX "zone.txt.minisig", &pk, f->err, sizeof(f->err)),
                     DX_EINVAL);
    /* missing signature file */
    assert_int_equal(dx_minisign_verify_file(FIX "test.pub", FIX "zone-tampered.txt", NULL,
                                             f->err, sizeof(f->err)), -ENOENT);
    assert_non_null(strstr(f->err, "zone-tampered.txt.minisig"));
}

/* --- secret keys and signing ------------------------------------------------ */

static const char *give(void *arg)
{
    return arg;
}

/* Sign zone.txt with sk and comment tc; the lines of the result must be
 * those of minisign's own signature file `want` but the untrusted comment
 * (Ed25519 is deterministic), and verify with pubkey. */
static void sign_like_minisign(struct fx *f, const struct dx_minisign_sk *sk, const char *tc,
                               const char *want, const char *pub)
{
    int fd = open(FIX "zone.txt", O_RDONLY);
    assert_true(fd >= 0);
    char out[1024];
    size_t n = 0;
    assert_int_equal(dx_minisign_sign_fd(sk, fd, tc, out, sizeof(out), &n, f->err,
                                         sizeof(f->err)), 0);
    /* read from the start whatever the offset */
    size_t n2 = 0;
    char out2[1024];
    assert_int_equal(dx_minisign_sign_fd(sk, fd, tc, out2, sizeof(out2), &n2, f->err,
                                         sizeof(f->err)), 0);
    close(fd);
    assert_int_equal(n, strlen(out));
    assert_string_equal(out, out2);
    size_t wl;
    char *w = slurp(want, &wl);
    assert_string_equal(strchr(out, '\n'), strchr(w, '\n'));
    struct dx_minisign_pk pk;
    assert_int_equal(dx_minisign_pk_load(pub, &pk, f->err, sizeof(f->err)), 0);
    char got[128];
    assert_int_equal(dx_minisign_verify(&pk, (const uint8_t *)f->data, f->dlen, out, n, got,
                                        sizeof(got), f->err, sizeof(f->err)), 0);
    assert_string_equal(got, tc);
    free(w);
}

static void test_sign_unencrypted_key(void **state)
{
    struct fx *f = *state;
    struct dx_minisign_sk sk;
    /* minisign -W: no password asked, whatever the callback says */
    assert_int_equal(dx_minisign_sk_load(FIX "sign.key", NULL, NULL, &sk, f->err,
                                         sizeof(f->err)), 0);
    sign_like_minisign(f, &sk, "signed by sign.key", FIX "zone.txt.sign.minisig",
                       FIX "sign.pub");
    assert_int_equal(dx_minisign_sk_load(FIX "sign.key", give, "any", &sk, f->err,
                                         sizeof(f->err)), 0);
}

static void test_sign_encrypted_key(void **state)
{
    struct fx *f = *state;
    struct dx_minisign_sk sk;
    assert_int_equal(dx_minisign_sk_load(FIX "enc.key", give, "test password", &sk, f->err,
                                         sizeof(f->err)), 0);
    sign_like_minisign(f, &sk, "signed by enc.key", FIX "zone.txt.enc.minisig", FIX "enc.pub");
    /* no password, a wrong one */
    assert_int_equal(dx_minisign_sk_load(FIX "enc.key", NULL, NULL, &sk, f->err,
                                         sizeof(f->err)), DX_EREFUSED);
    assert_non_null(strstr(f->err, "encrypted"));
    assert_int_equal(dx_minisign_sk_load(FIX "enc.key", give, NULL, &sk, f->err,
                                         sizeof(f->err)), DX_EREFUSED);
    assert_int_equal(dx_minisign_sk_load(FIX "enc.key", give, "test passwore", &sk, f->err,
                                         sizeof(f->err)), DX_EREFUSED);
    assert_non_null(strstr(f->err, "wrong password"));
    assert_non_null(strstr(f->err, FIX "enc.key"));
}

/* Write text to a temporary key file and load it. */
static int load_text(struct fx *f, const char *text, struct dx_minisign_sk *sk)
{
    char path[] = "/tmp/dx-test-minisign-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = dx_minisign_sk_load(path, give, "test password", sk, f->err, sizeof(f->err));
    unlink(path);
    return rc;
}

static void test_bad_secret_keys(void **state)
{
    struct fx *f = *state;
    struct dx_minisign_sk sk;
    size_t kl;
    char *key = slurp(FIX "sign.key", &kl);
    char *b64 = strchr(key, '\n') + 1;
    uint8_t raw[158];
    size_t rl;
    assert_int_equal(sodium_base642bin(raw, sizeof(raw), b64, strcspn(b64, "\r\n"), NULL, &rl,
                                       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    assert_int_equal(rl, sizeof(raw));
    char text[512], enc[256];
#define KEY(r)                                                                              \
    (sodium_bin2base64(enc, sizeof(enc), r, sizeof(r), sodium_base64_VARIANT_ORIGINAL),     \
     snprintf(text, sizeof(text), "untrusted comment: x\n%s\n", enc), load_text(f, text, &sk))
    assert_int_equal(KEY(raw), 0);
    /* a flipped bit of the secret key (unencrypted: no checksum) */
    uint8_t bad[158];
    memcpy(bad, raw, sizeof(bad));
    bad[54 + 8 + 3] ^= 1;
    assert_int_equal(KEY(bad), DX_EINVAL);
    assert_non_null(strstr(f->err, "damaged"));
    /* other algorithms */
    memcpy(bad, raw, sizeof(bad));
    bad[1] = 'x';
    assert_int_equal(KEY(bad), DX_EINVAL);
    assert_non_null(strstr(f->err, "unsupported"));
    memcpy(bad, raw, sizeof(bad));
    memcpy(bad + 2, "Ar", 2);
    assert_int_equal(KEY(bad), DX_EINVAL);
#undef KEY
    /* not a key at all */
    assert_int_equal(load_text(f, "untrusted comment: x\nAAAA\n", &sk), DX_EINVAL);
    assert_non_null(strstr(f->err, "not a minisign secret key"));
    assert_int_equal(load_text(f, "", &sk), DX_EINVAL);
    assert_int_equal(dx_minisign_sk_load(FIX "sign.pub", NULL, NULL, &sk, f->err,
                                         sizeof(f->err)), DX_EINVAL);
    assert_int_equal(dx_minisign_sk_load("/nonexistent/x.key", NULL, NULL, &sk, f->err,
                                         sizeof(f->err)), -ENOENT);
    assert_non_null(strstr(f->err, "/nonexistent/x.key"));
    /* a trusted comment that does not fit */
    assert_int_equal(dx_minisign_sk_load(FIX "sign.key", NULL, NULL, &sk, f->err,
                                         sizeof(f->err)), 0);
    int fd = open(FIX "zone.txt", O_RDONLY);
    char small[200];
    size_t n;
    assert_int_equal(dx_minisign_sign_fd(&sk, fd, "x", small, sizeof(small), &n, f->err,
                                         sizeof(f->err)), DX_ERANGE);
    close(fd);
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_forms_verify),
        cmocka_unit_test(test_tampered_data),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_tampered_comment),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_sign_unencrypted_key),
        cmocka_unit_test(test_sign_encrypted_key),
        cmocka_unit_test(test_bad_secret_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
