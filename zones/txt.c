/* TXT templates: expansion, worst-case length, checks (zones/txt.h). */
#include "zones/txt.h"
#include "zones/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum tok { T_TEXT, T_DOLLAR, T_SUBJECT, T_LIST, T_ZONE, T_REASON, T_UNKNOWN };

static bool name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

/* The token at p (p[0] != 0): its kind, and *len = the bytes it spans in
 * the template. For T_UNKNOWN the name is p[1 .. *len). One tokenizer for
 * expansion, the worst case and the checks. */
static enum tok next_tok(const char *p, size_t *len)
{
    if (*p != '$') {
        const char *d = strchr(p, '$');
        *len = d ? (size_t)(d - p) : strlen(p);
        return T_TEXT;
    }
    if (p[1] == '$') {
        *len = 2;
        return T_DOLLAR;
    }
    if (!name_start(p[1])) {
        *len = 1;
        return T_SUBJECT;
    }
    size_t n = 1;
    while (name_char(p[1 + n]))
        n++;
    *len = 1 + n;
    if (n == 4 && memcmp(p + 1, "list", 4) == 0)
        return T_LIST;
    if (n == 4 && memcmp(p + 1, "zone", 4) == 0)
        return T_ZONE;
    if (n == 6 && memcmp(p + 1, "reason", 6) == 0)
        return T_REASON;
    return T_UNKNOWN;
}

bool dx_txt_uses_reason(const char *tmpl)
{
    size_t len;
    for (const char *p = tmpl; p && *p; p += len)
        if (next_tok(p, &len) == T_REASON)
            return true;
    return false;
}

static size_t append(char *out, size_t cap, size_t n, const char *s, size_t sl)
{
    if (!s || n >= cap)
        return n;
    if (sl > cap - n)
        sl = cap - n;
    memcpy(out + n, s, sl);
    return n + sl;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

size_t dx_txt_expand(const char *tmpl, const struct dx_txt_vars *v, char *out, size_t cap)
{
    size_t n = 0, len;
    for (const char *p = tmpl; p && *p; p += len) {
        switch (next_tok(p, &len)) {
        case T_TEXT:    n = append(out, cap, n, p, len); break;
        case T_DOLLAR:  n = append(out, cap, n, "$", 1); break;
        case T_SUBJECT: n = append(out, cap, n, v->subject, slen(v->subject)); break;
        case T_LIST:    n = append(out, cap, n, v->list, slen(v->list)); break;
        case T_ZONE:    n = append(out, cap, n, v->zone, slen(v->zone)); break;
        case T_REASON:  n = append(out, cap, n, v->reason, slen(v->reason)); break;
        case T_UNKNOWN:                /* rbldnsd's reading: the subject, then the word */
            n = append(out, cap, n, v->subject, slen(v->subject));
            n = append(out, cap, n, p + 1, len - 1);
            break;
        }
    }
    return n;
}

size_t dx_txt_worst_len(const char *tmpl, size_t subject_max, size_t list_len, size_t zone_len)
{
    size_t n = 0, len;
    for (const char *p = tmpl; p && *p; p += len) {
        switch (next_tok(p, &len)) {
        case T_TEXT:    n += len; break;
        case T_DOLLAR:  n += 1; break;
        case T_SUBJECT: n += subject_max; break;
        case T_LIST:    n += list_len; break;
        case T_ZONE:    n += zone_len; break;
        case T_REASON:  n += DX_REASON_MAX; break;
        case T_UNKNOWN: n += subject_max + len - 1; break;
        }
    }
    return n;
}

/* First control character of s: its offset, or -1. */
static long find_ctl(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return (long)i;
    }
    return -1;
}

__attribute__((format(printf, 3, 4)))
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return DX_EINVAL;
}

int dx_txt_check(const char *tmpl, size_t subject_max, size_t list_len, size_t zone_len,
                 char *err, size_t errlen)
{
    if (!tmpl)
        return 0;
    long c = find_ctl(tmpl);
    if (c >= 0)
        return failf(err, errlen, "TXT contains a control character (0x%02x) at offset %ld",
                     (unsigned char)tmpl[c], c);
    size_t len;
    for (const char *p = tmpl; *p; p += len) {
        if (next_tok(p, &len) == T_UNKNOWN)
            return failf(err, errlen,
                         "TXT has an unknown variable '%.*s' at offset %zu "
                         "(known: $, $list, $zone, $reason, $$)",
                         (int)(len > 64 ? 64 : len), p, (size_t)(p - tmpl));
    }
    size_t w = dx_txt_worst_len(tmpl, subject_max, list_len, zone_len);
    if (w > DX_TXT_MAX)
        return failf(err, errlen,
                     "TXT can expand to %zu octets, more than %d "
                     "($ counts %zu, $list %zu, $zone %zu, $reason %d)",
                     w, DX_TXT_MAX, subject_max, list_len, zone_len, DX_REASON_MAX);
    return 0;
}

int dx_txt_check_reason(const char *reason, char *err, size_t errlen)
{
    if (!reason)
        return 0;
    long c = find_ctl(reason);
    if (c >= 0)
        return failf(err, errlen, "reason contains a control character (0x%02x) at offset %ld",
                     (unsigned char)reason[c], c);
    size_t n = strlen(reason);
    if (n > DX_REASON_MAX)
        return failf(err, errlen, "reason is %zu octets long, more than %d", n, DX_REASON_MAX);
    return 0;
}
