/* Atomic file replacement (zones/afile.h). */
#include "zones/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/err.h"

static int fail(char *err, size_t errlen, const char *path, int e)
{
    if (errlen)
        snprintf(err, errlen, "%s: %s", path, strerror(e));
    return -e;
}

int dx_afile_open(struct dx_afile *a, const char *path, mode_t mode, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    size_t n = strlen(path);
    a->path = strdup(path);
    a->tmp = malloc(n + 16);
    if (!a->path || !a->tmp) {
        dx_afile_abort(a);
        return fail(err, errlen, path, ENOMEM);
    }
    /* a dot name beside the target: rsync and shell globs pass over it */
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(a->tmp, n + 16, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        dx_afile_abort(a);
        return fail(err, errlen, path, e);
    }
    if (fchmod(fd, mode) != 0 || !(a->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        dx_afile_abort(a);
        return fail(err, errlen, path, e);
    }
    return 0;
}

int dx_afile_commit(struct dx_afile *a, char *err, size_t errlen)
{
    int e = 0;
    if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0)
        e = errno ? errno : EIO;
    if (fclose(a->f) != 0 && !e)
        e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0)
        e = errno;
    if (e) {
        int rc = fail(err, errlen, a->path, e);
        dx_afile_abort(a);
        return rc;
    }
    free(a->tmp);
    a->tmp = NULL;
    /* the rename itself to disk */
    char *d = strdup(a->path);
    if (d) {
        char *slash = strrchr(d, '/');
        const char *dir = slash ? (slash == d ? "/" : (*slash = 0, d)) : ".";
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(d);
    }
    free(a->path);
    a->path = NULL;
    return 0;
}

void dx_afile_abort(struct dx_afile *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof(*a));
}
