/* A file replaced atomically: written to a temporary file in the same
 * directory, flushed to disk (fsync), then renamed over the target and the
 * directory synced, so a reader (rsync, rbldnsd, a secondary loading a
 * zone file) sees the old file or the new one, never half of one; a
 * failure leaves the old file as it was and no temporary behind. Used by
 * dnsxl-admin export -o and dnsxl-loader publish. */
#ifndef DX_AFILE_H
#define DX_AFILE_H

#include <stdio.h>
#include <sys/types.h>

struct dx_afile {
    FILE *f;                     /* write the new content here */
    char *path, *tmp;
};

/* Start replacing path (the new file gets mode `mode`): 0, or -errno with
 * err = "PATH: reason". */
int dx_afile_open(struct dx_afile *a, const char *path, mode_t mode, char *err, size_t errlen);

/* Flush, sync, rename over path, sync the directory: 0, or -errno with
 * err = "PATH: reason" (the temporary is removed, the old file kept). */
int dx_afile_commit(struct dx_afile *a, char *err, size_t errlen);

/* Give up: remove the temporary. NULL f ok (nothing open). */
void dx_afile_abort(struct dx_afile *a);

#endif
