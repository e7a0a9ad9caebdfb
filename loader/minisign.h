/* minisign signatures (Ed25519, libsodium): verification for dnsxl-loader
 * sync, signing for dnsxl-loader publish. No store, no config, no network.
 *
 * Formats (as the minisign tool writes them):
 *   public key file:   "untrusted comment: ..." line, then base64 of
 *                      "Ed" | key id (8) | Ed25519 public key (32)
 *   signature (.minisig):
 *                      "untrusted comment: ..." line,
 *                      base64 of alg (2) | key id (8) | signature (64), where
 *                      alg "Ed" (legacy) signs the data itself and "ED"
 *                      (prehashed, the default since 0.8) signs
 *                      BLAKE2b-512(data);
 *                      "trusted comment: TEXT" line,
 *                      base64 of the global signature (64) over
 *                      signature (64) | TEXT.
 *   secret key file:   "untrusted comment: ..." line, then base64 of
 *                      "Ed" | kdf "Sc" (scrypt) or 0 0 (none: minisign -W) |
 *                      "B2" | salt (32) | opslimit (8, LE) | memlimit (8, LE) |
 *                      key id (8) | secret key (64) | checksum (32), the last
 *                      104 bytes XORed with scrypt(password, salt, limits)
 *                      when encrypted; the checksum is BLAKE2b-256 of "Ed",
 *                      key id and secret key (it tells a wrong password;
 *                      minisign -W leaves it zero). Either form: the secret
 *                      key's second half must be the public key of its
 *                      first (else the key is damaged).
 * Line ends may be LF or CRLF.
 */
#ifndef DX_LOADER_MINISIGN_H
#define DX_LOADER_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#define DX_MINISIGN_KEYID_LEN 8
#define DX_MINISIGN_COMMENT_MAX 1024   /* trusted comment text kept */

struct dx_minisign_pk {
    uint8_t keyid[DX_MINISIGN_KEYID_LEN]; /* as stored in the files (little endian) */
    uint8_t pk[32];
};

/* Parse a public key from text[0..len): a whole .pub file (comment line +
 * key line), or just the base64 key line (what "minisign -P" takes).
 * Returns 0 or DX_EINVAL with err = reason. */
int dx_minisign_pk_parse(const char *text, size_t len, struct dx_minisign_pk *pk,
                         char *err, size_t errlen);

/* Load a public key file (at most 4 KiB). Returns 0, -errno or DX_EINVAL,
 * with err = "FILE: reason". */
int dx_minisign_pk_load(const char *path, struct dx_minisign_pk *pk, char *err, size_t errlen);

/* Verify the .minisig text sig[0..siglen) for data[0..len) with key pk:
 * the key ids match, the (legacy or prehashed) signature over the data
 * verifies, and the global signature over the trusted comment verifies.
 * On success, if tcomment is not NULL, the trusted comment text is copied
 * into tcomment[0..tcap) (truncated, NUL-terminated).
 * Returns 0; DX_EINVAL for a malformed signature (err says what);
 * DX_EREFUSED when the key id differs ("signed by another key") or a
 * signature does not verify ("signature does not match the data",
 * "trusted comment signature does not match"); DX_ENOMEM. */
int dx_minisign_verify(const struct dx_minisign_pk *pk, const uint8_t *data, size_t len,
                       const char *sig, size_t siglen, char *tcomment, size_t tcap,
                       char *err, size_t errlen);

/* Convenience for sync: load the key file, read data_path and
 * data_path.minisig (or sig_path if not NULL), verify. Returns as above,
 * plus -errno for unreadable files; err names the file. */
int dx_minisign_verify_file(const char *pubkey_path, const char *data_path,
                            const char *sig_path, char *err, size_t errlen);

struct dx_minisign_sk {
    uint8_t keyid[DX_MINISIGN_KEYID_LEN];
    uint8_t sk[64];                   /* Ed25519 secret key (libsodium's form) */
};

/* Load a secret key file (either form). password(arg) gives the password
 * of an encrypted key (NULL: none to give). Returns 0; DX_EINVAL (not a
 * key), DX_EREFUSED (encrypted and no password, or a wrong one), -errno,
 * DX_ENOMEM; err says which, naming the file. Wipe sk after use. */
int dx_minisign_sk_load(const char *path, const char *(*password)(void *arg), void *arg,
                        struct dx_minisign_sk *sk, char *err, size_t errlen);

/* Sign the whole file open at fd (read from its start; BLAKE2b-512
 * prehashed, "ED") with trusted comment tcomment: the .minisig text into
 * out[0..*outlen) (cap bytes). 0, -errno, DX_ERANGE or DX_ENOMEM. */
int dx_minisign_sign_fd(const struct dx_minisign_sk *sk, int fd, const char *tcomment,
                        char *out, size_t cap, size_t *outlen, char *err, size_t errlen);

#endif
