/* The config parser's error reporting and small helpers, shared by the
 * section code (zones/conf.c), the key tables (zones/conf_keys.c) and the
 * transfer keys (zones/conf_xfr.c); a leaf of the three. */
#include "zones/conf_int.h"

#include "zones/err.h"
#include "zones/name.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

int dx__conf_fail(struct parser *p, int line, const char *fmt, ...)
{
    if (p->errlen) {
        int n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, line);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return DX_EINVAL;
}

int dx__conf_nomem(struct parser *p)
{
    if (p->errlen)
        snprintf(p->err, p->errlen, "%s: out of memory", p->file);
    return DX_ENOMEM;
}

/* ---- small helpers ----------------------------------------------------- */

int dx__conf_name(const char *in, char *out)
{
    return dx_name_norm(in, strlen(in), out) < 0 ? DX_EINVAL : 0;
}

int dx__conf_target(const char *t, char *zone, char *list)
{
    const char *slash = strchr(t, '/');
    if (!slash || dx_name_norm(t, (size_t)(slash - t), zone) < 0 ||
        dx_label_norm(slash + 1, strlen(slash + 1), list) < 0)
        return DX_EINVAL;
    return 0;
}

int dx__conf_push(char ***arr, size_t *n, char *s)
{
    char **na = realloc(*arr, (*n + 1) * sizeof(*na));
    if (!na) {
        free(s);
        return DX_ENOMEM;
    }
    na[(*n)++] = s;
    *arr = na;
    return 0;
}
