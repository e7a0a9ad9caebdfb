/* Secret files (secret.h). */
#include "zones/secret.h"
#include "zones/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sys_fail(const char *path, int e, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", path, strerror(e));
    return -e;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int dx_secret_open(const char *path, int *fdp, char *err, size_t errlen)
{
    *fdp = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return sys_fail(path, errno, err, errlen);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sys_fail(path, e, err, errlen);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file", path);
        return DX_EINVAL;
    }
    if (st.st_mode & 037) {             /* others: nothing; the group: read at most */
        close(fd);
        snprintf(err, errlen, "%s: %s (mode %04o; chmod 640 %s, or 600)", path,
                 st.st_mode & 007 ? "open to others" : "writable by its group",
                 (unsigned)(st.st_mode & 07777), path);
        return DX_EINVAL;
    }
    *fdp = fd;
    return 0;
}

int dx_secret_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                   size_t errlen)
{
    *len = 0;
    if (cap == 0)
        return DX_EINVAL;
    buf[0] = 0;
    int fd;
    int rc = dx_secret_open(path, &fd, err, errlen);
    if (rc)
        return rc;
    size_t n = 0;
    for (;;) {
        if (n == cap - 1) {             /* full: one more byte says it is too long */
            char c;
            ssize_t r = read(fd, &c, 1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r != 0) {
                close(fd);
                if (r < 0)
                    return sys_fail(path, errno, err, errlen);
                snprintf(err, errlen, "%s: longer than %zu bytes", path, cap - 1);
                return DX_EINVAL;
            }
            break;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return sys_fail(path, e, err, errlen);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    size_t a = 0;
    while (a < n && blank(buf[a]))
        a++;
    while (n > a && blank(buf[n - 1]))
        n--;
    memmove(buf, buf + a, n - a);
    n -= a;
    buf[n] = 0;
    if (n == 0) {
        snprintf(err, errlen, "%s: empty", path);
        return DX_EINVAL;
    }
    *len = n;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int dx_hex_decode(const char *text, size_t textlen, unsigned char *out, size_t n)
{
    if (textlen != 2 * n)
        return DX_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return DX_EINVAL;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}
