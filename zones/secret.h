/* Secrets kept in files (dnsxl.conf(5): cookie-secret, and any other key
 * that names a file holding a secret): the one check that such a file is
 * private, and the one reader of it.
 *
 * A secret file must be a regular file that neither its group nor others
 * may read, write or execute (mode 0600 or 0400): one that they can is
 * refused, not read, whatever it holds. */
#ifndef DX_SECRET_H
#define DX_SECRET_H

#include <stddef.h>

/* Open the secret file at path for reading, after the check above: 0 with
 * *fd set (the caller closes it); DX_EINVAL with err = "PATH: readable by
 * group or others (mode 0644; chmod 600 PATH)" or "PATH: not a regular
 * file"; or -errno with err = "PATH: strerror". dx_secret_read, and the
 * readers of longer secret files (zones/qkeys.h), start here. */
int dx_secret_open(const char *path, int *fd, char *err, size_t errlen);

/* Read the secret file at path into buf (capacity cap, NUL-terminated),
 * leading and trailing blanks and newlines removed; *len = its length.
 * Returns 0; DX_EINVAL with err = "PATH: readable by group or others (mode
 * 0644; chmod 600 PATH)", "PATH: not a regular file", "PATH: empty" or
 * "PATH: longer than N bytes"; or -errno with err = "PATH: strerror". */
int dx_secret_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                   size_t errlen);

/* Hex text (exactly 2 * n digits, either case) into out[n]: 0 or DX_EINVAL. */
int dx_hex_decode(const char *text, size_t textlen, unsigned char *out, size_t n);

#endif
