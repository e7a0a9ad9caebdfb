/* The config parser's error reporting and small helpers, shared by the
 * section code (zones/conf.c), the key tables (zones/conf_keys.c) and the
 * transfer keys (zones/conf_xfr.c); a leaf of the three. */
#include "zones/conf_int.h"

#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/name.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

/* One policy code of bitmask zone z, in use or not, against its lists. */
static int policy_bits(struct parser *p, const struct dx_zone_conf *z, const char *key,
                       bool used, uint32_t code, int line)
{
    for (size_t i = 0; used && i < z->n_lists; i++) {
        const struct dx_list_conf *l = &z->lists[i];
        unsigned both = code & l->code & 0xffu;
        if (both == 0)
            continue;
        char a[DX_CODE_TEXT_MAX], b[DX_CODE_TEXT_MAX];
        dx_code_text(code, a);
        dx_code_text(l->code, b);
        return dx__conf_fail(p, line ? line : z->line,
                             "%s%s %s shares the bits 0x%02x of its last octet with code %s of "
                             "list '%s' (line %d): in bitmask zone '%s' a client testing that "
                             "list's bit would read it as a listing; %s a %s whose last octet "
                             "uses only bits no list uses, such as 127.255.255.1",
                             line ? "" : "the default ", key, a, both, b, l->name,
                             l->code_line ? l->code_line : l->line, z->name, line ? "use" : "set",
                             key);
    }
    return 0;
}

int dx__conf_policy_bits(struct parser *p, const struct dx_zone_conf *z)
{
    bool blocked = z->blocked_clients.n > 0 ||
                   (z->query_keys && z->unknown_key == DX_UNKNOWN_KEY_BLOCKED);
    bool limit = z->query_limit > 0 || z->query_keys;
    int rc = policy_bits(p, z, "blocked-code", blocked, z->blocked_code, z->blocked_code_line);
    return rc ? rc : policy_bits(p, z, "limit-code", limit, z->limit_code, z->limit_code_line);
}

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

int dx__conf_percent(struct parser *p, const char *name, const char *val, uint64_t min,
                     uint64_t max, bool divides_100, uint32_t *out)
{
    char num[32];
    size_t n = strlen(val);
    if (n > 0 && val[n - 1] == '%')
        n--;
    uint64_t v = 0;
    bool ok = n > 0 && n < sizeof(num);
    if (ok) {
        memcpy(num, val, n);
        num[n] = 0;
        ok = dx_uint_parse(num, max, &v) == 0 && v >= min;
    }
    if (!ok)
        return dx__conf_fail(p, p->line, "%s: bad value '%s' (a share such as 50%%, %llu..%llu)",
                             name, val, (unsigned long long)min, (unsigned long long)max);
    if (divides_100 && 100 % v != 0)
        return dx__conf_fail(p, p->line, "%s: bad value '%s' (a share that divides 100: 1, 2, 4, "
                             "5, 10, 20, 25, 50 or 100%%)", name, val);
    *out = (uint32_t)v;
    return 0;
}
