/* minisign signatures (minisign.h): verification, secret keys, signing. */
#include "loader/minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "zones/err.h"

#define UNTRUSTED "untrusted comment:"
#define TRUSTED   "trusted comment: "
#define SIG_FILE_MAX 65536

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

struct line {
    const char *s;
    size_t len;
};

/* Split text into up to max lines (CR of CRLF removed). Returns the count. */
static size_t split_lines(const char *text, size_t len, struct line *l, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len && n < max) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        size_t le = e;
        if (le > i && text[le - 1] == '\r')
            le--;
        l[n].s = text + i;
        l[n].len = le - i;
        n++;
        i = nl ? e + 1 : len;
    }
    return n;
}

static bool starts(const struct line *l, const char *p)
{
    size_t pl = strlen(p);
    return l->len >= pl && memcmp(l->s, p, pl) == 0;
}

/* Decode a whole base64 line to exactly want bytes. */
static bool b64_exact(const struct line *l, uint8_t *out, size_t want)
{
    size_t len = l->len, bl = 0;
    while (len && (l->s[len - 1] == ' ' || l->s[len - 1] == '\t'))
        len--;
    const char *end = NULL;
    uint8_t tmp[256];
    if (want > sizeof(tmp) || len == 0)
        return false;
    if (sodium_base642bin(tmp, sizeof(tmp), l->s, len, NULL, &bl, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    if (end != l->s + len || bl != want)
        return false;
    memcpy(out, tmp, want);
    return true;
}

int dx_minisign_pk_parse(const char *text, size_t len, struct dx_minisign_pk *pk,
                         char *err, size_t errlen)
{
    struct line l[8];
    size_t n = split_lines(text, len, l, 8), i = 0;
    while (i < n && (l[i].len == 0 || starts(&l[i], UNTRUSTED)))
        i++;
    if (i == n) {
        set_err(err, errlen, "no public key line");
        return DX_EINVAL;
    }
    uint8_t raw[42];
    if (!b64_exact(&l[i], raw, sizeof(raw))) {
        set_err(err, errlen, "public key is not base64 of 42 bytes");
        return DX_EINVAL;
    }
    if (raw[0] != 'E' || raw[1] != 'd') {
        set_err(err, errlen, "unsupported public key algorithm (want Ed)");
        return DX_EINVAL;
    }
    memcpy(pk->keyid, raw + 2, DX_MINISIGN_KEYID_LEN);
    memcpy(pk->pk, raw + 10, 32);
    return 0;
}

/* Read a file of at most max bytes into a malloc'd buffer. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *outlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
        close(fd);
        return S_ISREG(sb.st_mode) ? DX_ERANGE : DX_EINVAL;
    }
    size_t sz = (size_t)sb.st_size, n = 0;
    uint8_t *b = malloc(sz + 1);
    if (!b) {
        close(fd);
        return DX_ENOMEM;
    }
    while (n < sz) {
        ssize_t r = read(fd, b + n, sz - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = -errno;
            free(b);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = 0;
    *out = b;
    *outlen = n;
    return 0;
}

static void file_err(char *err, size_t errlen, const char *path, int rc, const char *what)
{
    if (!err || !errlen)
        return;
    const char *why = rc == DX_ERANGE ? "file too large" :
                      rc == DX_EINVAL ? "not a regular file" :
                      rc == DX_ENOMEM ? "out of memory" : strerror(-rc);
    snprintf(err, errlen, "%s: %s%s", path, what, why);
}

int dx_minisign_pk_load(const char *path, struct dx_minisign_pk *pk, char *err, size_t errlen)
{
    uint8_t *b;
    size_t bl;
    int rc = read_file(path, 4096, &b, &bl);
    if (rc < 0) {
        file_err(err, errlen, path, rc, "");
        return rc;
    }
    char why[256];
    rc = dx_minisign_pk_parse((const char *)b, bl, pk, why, sizeof(why));
    free(b);
    if (rc < 0 && err && errlen)
        snprintf(err, errlen, "%s: %s", path, why);
    return rc;
}

int dx_minisign_verify(const struct dx_minisign_pk *pk, const uint8_t *data, size_t len,
                       const char *sig, size_t siglen, char *tcomment, size_t tcap,
                       char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        set_err(err, errlen, "libsodium cannot be initialised");
        return DX_ENOMEM;
    }
    struct line l[4];
    size_t n = split_lines(sig, siglen, l, 4);
    if (n < 1 || !starts(&l[0], UNTRUSTED)) {
        set_err(err, errlen, "malformed signature: no untrusted comment line");
        return DX_EINVAL;
    }
    uint8_t raw[74];
    if (n < 2 || !b64_exact(&l[1], raw, sizeof(raw))) {
        set_err(err, errlen, "malformed signature: second line is not base64 of 74 bytes");
        return DX_EINVAL;
    }
    bool prehashed;
    if (raw[0] == 'E' && raw[1] == 'd')
        prehashed = false;
    else if (raw[0] == 'E' && raw[1] == 'D')
        prehashed = true;
    else {
        set_err(err, errlen, "malformed signature: unknown algorithm (want Ed or ED)");
        return DX_EINVAL;
    }
    if (n < 3 || !starts(&l[2], TRUSTED)) {
        set_err(err, errlen, "malformed signature: no trusted comment line");
        return DX_EINVAL;
    }
    uint8_t gsig[64];
    if (n < 4 || !b64_exact(&l[3], gsig, sizeof(gsig))) {
        set_err(err, errlen, "malformed signature: global signature is not base64 of 64 bytes");
        return DX_EINVAL;
    }
    if (memcmp(raw + 2, pk->keyid, DX_MINISIGN_KEYID_LEN) != 0) {
        set_err(err, errlen, "signed by another key (key id differs)");
        return DX_EREFUSED;
    }
    const uint8_t *s = raw + 10;
    int ok;
    if (prehashed) {
        uint8_t h[crypto_generichash_BYTES_MAX];
        if (crypto_generichash(h, sizeof(h), data, len, NULL, 0) != 0) {
            set_err(err, errlen, "hashing failed");
            return DX_ENOMEM;
        }
        ok = crypto_sign_verify_detached(s, h, sizeof(h), pk->pk) == 0;
    } else {
        ok = crypto_sign_verify_detached(s, data, len, pk->pk) == 0;
    }
    if (!ok) {
        set_err(err, errlen, "signature does not match the data");
        return DX_EREFUSED;
    }
    const char *tc = l[2].s + strlen(TRUSTED);
    size_t tcl = l[2].len - strlen(TRUSTED);
    uint8_t *gm = malloc(64 + tcl + 1);
    if (!gm) {
        set_err(err, errlen, "out of memory");
        return DX_ENOMEM;
    }
    memcpy(gm, s, 64);
    memcpy(gm + 64, tc, tcl);
    ok = crypto_sign_verify_detached(gsig, gm, 64 + tcl, pk->pk) == 0;
    free(gm);
    if (!ok) {
        set_err(err, errlen, "trusted comment signature does not match");
        return DX_EREFUSED;
    }
    if (tcomment && tcap) {
        size_t c = tcl < tcap - 1 ? tcl : tcap - 1;
        memcpy(tcomment, tc, c);
        tcomment[c] = 0;
    }
    return 0;
}

int dx_minisign_verify_file(const char *pubkey_path, const char *data_path,
                            const char *sig_path, char *err, size_t errlen)
{
    struct dx_minisign_pk pk;
    int rc = dx_minisign_pk_load(pubkey_path, &pk, err, errlen);
    if (rc < 0)
        return rc;
    char spath[4096];
    if (!sig_path) {
        if ((size_t)snprintf(spath, sizeof(spath), "%s.minisig", data_path) >= sizeof(spath)) {
            if (err && errlen)
                snprintf(err, errlen, "%s: path too long", data_path);
            return DX_ERANGE;
        }
        sig_path = spath;
    }
    uint8_t *sig, *data;
    size_t sl, dl;
    rc = read_file(sig_path, SIG_FILE_MAX, &sig, &sl);
    if (rc < 0) {
        file_err(err, errlen, sig_path, rc, "cannot read signature: ");
        return rc;
    }
    rc = read_file(data_path, SIZE_MAX - 1, &data, &dl);
    if (rc < 0) {
        free(sig);
        file_err(err, errlen, data_path, rc, "");
        return rc;
    }
    char why[256];
    rc = dx_minisign_verify(&pk, data, dl, (const char *)sig, sl, NULL, 0, why, sizeof(why));
    free(sig);
    free(data);
    if (rc < 0 && err && errlen)
        snprintf(err, errlen, "%s: %s", sig_path, why);
    return rc;
}

/* --- secret keys and signing -------------------------------------------------------- */

#define SK_BLOB 158                  /* sig_alg, kdf_alg, chk_alg, salt, ops, mem, keynum_sk */

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v * 256 + p[i];
    return v;
}

int dx_minisign_sk_load(const char *path, const char *(*password)(void *arg), void *arg,
                        struct dx_minisign_sk *sk, char *err, size_t errlen)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = read_file(path, 4096, &text, &len);
    if (rc) {
        file_err(err, errlen, path, rc, "secret key");
        return rc;
    }
    struct line l[8];
    size_t n = split_lines((const char *)text, len, l, 8), i = 0;
    while (i < n && (l[i].len == 0 || starts(&l[i], UNTRUSTED)))
        i++;
    uint8_t b[SK_BLOB];
    rc = DX_EINVAL;
    if (i == n || !b64_exact(&l[i], b, sizeof(b))) {
        snprintf(err, errlen, "%s: not a minisign secret key (base64 of %d bytes)", path,
                 SK_BLOB);
    } else if (memcmp(b, "Ed", 2) != 0 || memcmp(b + 4, "B2", 2) != 0 ||
               (memcmp(b + 2, "Sc", 2) != 0 && memcmp(b + 2, "\0\0", 2) != 0)) {
        snprintf(err, errlen, "%s: unsupported minisign secret key (want Ed, scrypt or none, "
                 "BLAKE2b)", path);
    } else {
        rc = 0;
    }
    sodium_memzero(text, len);
    free(text);
    uint8_t *keynum = b + 54;            /* key id (8), secret key (64), checksum (32) */
    if (rc == 0 && memcmp(b + 2, "Sc", 2) == 0) {
        const char *pw = password ? password(arg) : NULL;
        uint8_t stream[104];
        if (!pw) {
            snprintf(err, errlen, "%s: the key is encrypted: give its password", path);
            rc = DX_EREFUSED;
        } else if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream), pw, strlen(pw),
                                                       b + 6, le64(b + 38),
                                                       (size_t)le64(b + 46)) != 0) {
            snprintf(err, errlen, "%s: scrypt: out of memory (the key's limits)", path);
            rc = DX_ENOMEM;
        } else {
            for (size_t k = 0; k < sizeof(stream); k++)
                keynum[k] ^= stream[k];
        }
        sodium_memzero(stream, sizeof(stream));
    }
    if (rc == 0 && memcmp(b + 2, "Sc", 2) == 0) {
        /* the checksum tells a wrong password (minisign -W leaves it zero
         * and does not check it: neither do we for such a key) */
        uint8_t in[74], chk[32];
        memcpy(in, b, 2);
        memcpy(in + 2, keynum, 72);
        crypto_generichash(chk, sizeof(chk), in, sizeof(in), NULL, 0);
        if (sodium_memcmp(chk, keynum + 72, 32) != 0) {
            snprintf(err, errlen, "%s: wrong password, or a damaged key (checksum)", path);
            rc = DX_EREFUSED;
        }
        sodium_memzero(in, sizeof(in));
    }
    if (rc == 0) {
        /* a damaged key: its second half is the public key of its seed */
        uint8_t pk[32], again[64];
        crypto_sign_seed_keypair(pk, again, keynum + 8);
        if (sodium_memcmp(again, keynum + 8, 64) != 0) {
            snprintf(err, errlen, "%s: a damaged secret key (its public half does not match)",
                     path);
            rc = DX_EINVAL;
        }
        sodium_memzero(again, sizeof(again));
        memcpy(sk->keyid, keynum, DX_MINISIGN_KEYID_LEN);
        memcpy(sk->sk, keynum + 8, 64);
    }
    sodium_memzero(b, sizeof(b));
    return rc;
}

int dx_minisign_sign_fd(const struct dx_minisign_sk *sk, int fd, const char *tcomment,
                        char *out, size_t cap, size_t *outlen, char *err, size_t errlen)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES_MAX);
    uint8_t buf[65536];
    if (lseek(fd, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -errno;
    }
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            snprintf(err, errlen, "%s", strerror(e));
            return -e;
        }
        if (r == 0)
            break;
        crypto_generichash_update(&h, buf, (size_t)r);
    }
    uint8_t hash[crypto_generichash_BYTES_MAX], sig[2 + 8 + 64], gsig[64];
    crypto_generichash_final(&h, hash, sizeof(hash));
    memcpy(sig, "ED", 2);                /* prehashed, as minisign signs since 0.8 */
    memcpy(sig + 2, sk->keyid, 8);
    crypto_sign_detached(sig + 10, NULL, hash, sizeof(hash), sk->sk);
    size_t tl = strlen(tcomment);
    uint8_t *g = malloc(64 + tl);
    if (!g)
        return DX_ENOMEM;
    memcpy(g, sig + 10, 64);
    memcpy(g + 64, tcomment, tl);
    crypto_sign_detached(gsig, NULL, g, 64 + tl, sk->sk);
    free(g);
    char s64[sodium_base64_ENCODED_LEN(sizeof(sig), sodium_base64_VARIANT_ORIGINAL)];
    char g64[sodium_base64_ENCODED_LEN(sizeof(gsig), sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(s64, sizeof(s64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(g64, sizeof(g64), gsig, sizeof(gsig), sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(out, cap, "%s signature from dnsxl-loader publish\n%s\n%s%s\n%s\n",
                     UNTRUSTED, s64, TRUSTED, tcomment, g64);
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errlen, "trusted comment too long");
        return DX_ERANGE;
    }
    *outlen = (size_t)n;
    return 0;
}
