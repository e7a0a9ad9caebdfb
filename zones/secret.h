/* Secrets kept in files (dnsxl.conf(5): cookie-secret, and any other key
 * that names a file holding a secret): the one check that such a file is
 * private, and the one reader of it.
 *
 * A secret file must be a regular file that others may not read, write or
 * execute, and that its group may read at most (mode 0600, 0400, 0640 or
 * 0440): one that they can is refused, not read, whatever it holds. The
 * group may read it so that root can own it and the daemon's group read it
 * (root:dnsxl 0640): dnsxld reads these files again, as its user, on every
 * SIGHUP. */
#ifndef DX_SECRET_H
#define DX_SECRET_H

#include <stddef.h>

/* Open the secret file at path for reading, after the check above: 0 with
 * *fd set (the caller closes it); DX_EINVAL with err = "PATH: open to
 * others (mode 0644; chmod 640 PATH, or 600)", "PATH: writable by its group
 * (mode 0660; ...)" or "PATH: not a regular file"; or -errno with err =
 * "PATH: strerror". dx_secret_read, and the
 * readers of longer secret files (zones/qkeys.h), start here. */
int dx_secret_open(const char *path, int *fd, char *err, size_t errlen);

/* Read the secret file at path into buf (capacity cap, NUL-terminated),
 * leading and trailing blanks and newlines removed; *len = its length.
 * Returns 0; DX_EINVAL with err as dx_secret_open's, "PATH: empty" or
 * "PATH: longer than N bytes"; or -errno with err = "PATH: strerror". */
int dx_secret_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                   size_t errlen);

/* Hex text (exactly 2 * n digits, either case) into out[n]: 0 or DX_EINVAL. */
int dx_hex_decode(const char *text, size_t textlen, unsigned char *out, size_t n);

#endif
