#include "zones/dur.h"
#include "zones/err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The digits at *p (at least one) into *v, *p moved past them. */
static int digits(const char **p, uint64_t *v)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return DX_EINVAL;
    uint64_t x = 0;
    while (isdigit((unsigned char)*s)) {
        if (x > UINT64_MAX / 10 - 10)
            return DX_EINVAL;
        x = x * 10 + (uint64_t)(*s++ - '0');
    }
    *p = s;
    *v = x;
    return 0;
}

int dx_uint_parse(const char *s, uint64_t max, uint64_t *v)
{
    uint64_t x;
    if (!s || digits(&s, &x) || *s || x > max)
        return DX_EINVAL;
    *v = x;
    return 0;
}

static int unit_mult(char c, uint64_t *m)
{
    switch (c) {
    case 's': *m = 1; return 0;
    case 'm': *m = 60; return 0;
    case 'h': *m = 3600; return 0;
    case 'd': *m = 86400; return 0;
    case 'w': *m = 7 * 86400; return 0;
    }
    return DX_EINVAL;
}

int dx_dur_parse(const char *s, uint64_t *secs)
{
    if (!s || !*s)
        return DX_EINVAL;
    if (strcasecmp(s, "forever") == 0 || strcasecmp(s, "never") == 0) {
        *secs = DX_FOREVER;
        return 0;
    }
    uint64_t total = 0;
    const char *p = s;
    int units = 0;
    while (*p) {
        uint64_t v;
        if (digits(&p, &v))
            return DX_EINVAL;
        uint64_t m = 1;
        if (*p) {
            if (unit_mult((char)tolower((unsigned char)*p), &m))
                return DX_EINVAL;
            p++;
            units++;
        } else if (units) {
            return DX_EINVAL; /* "1d5" (and "0d5"): trailing number without unit */
        }
        if (v > (UINT64_MAX / 2 - total) / m)
            return DX_EINVAL;
        total += v * m;
    }
    *secs = total;
    return 0;
}

int dx_dur_parse_lifetime(const char *s, uint64_t *secs)
{
    uint64_t v;
    if (dx_dur_parse(s, &v) || v == 0)
        return DX_EINVAL;
    *secs = v;
    return 0;
}

void dx_dur_format(uint64_t secs, char *buf, size_t cap)
{
    if (secs == DX_FOREVER) {
        snprintf(buf, cap, "forever");
        return;
    }
    if (secs == 0) {
        snprintf(buf, cap, "0s");
        return;
    }
    static const struct { char u; uint64_t m; } units[] = {
        { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
    };
    size_t off = 0;
    if (cap)
        buf[0] = 0;
    for (size_t i = 0; i < 4 && secs; i++) {
        uint64_t v = secs / units[i].m;
        if (!v)
            continue;
        secs -= v * units[i].m;
        int n = snprintf(buf + off, off < cap ? cap - off : 0, "%llu%c",
                         (unsigned long long)v, units[i].u);
        if (n > 0)
            off += (size_t)n;
    }
}

int dx_size_parse(const char *s, uint64_t *bytes)
{
    uint64_t v;
    if (!s || digits(&s, &v))
        return DX_EINVAL;
    uint64_t m = 1;
    switch (tolower((unsigned char)*s)) {
    case 0: break;
    case 'k': m = 1024ull; s++; break;
    case 'm': m = 1024ull * 1024; s++; break;
    case 'g': m = 1024ull * 1024 * 1024; s++; break;
    default: return DX_EINVAL;
    }
    if (*s == 'b' || *s == 'B')
        s++;
    if (*s || v > UINT64_MAX / m)
        return DX_EINVAL;
    *bytes = v * m;
    return 0;
}
