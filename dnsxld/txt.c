/* TXT template expansion (txt.h). */
#include "dnsxld/txt.h"

#include <string.h>

static bool word_at(const char *p, const char *word, size_t *wl)
{
    size_t n = strlen(word);
    if (strncmp(p, word, n) != 0)
        return false;
    *wl = n;
    return true;
}

bool dx_txt_uses_reason(const char *tmpl)
{
    size_t wl;
    for (const char *p = tmpl; p && *p; p++) {
        if (*p != '$')
            continue;
        if (p[1] == '$') {
            p++;
            continue;
        }
        if (word_at(p + 1, "reason", &wl))
            return true;
    }
    return false;
}

static size_t append(char *out, size_t cap, size_t n, const char *s, size_t sl)
{
    if (n >= cap)
        return n;
    if (sl > cap - n)
        sl = cap - n;
    memcpy(out + n, s, sl);
    return n + sl;
}

size_t dx_txt_expand(const char *tmpl, const struct dx_txt_vars *v, char *out, size_t cap)
{
    size_t n = 0, wl;
    if (!tmpl)
        return 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p != '$') {
            n = append(out, cap, n, p, 1);
            continue;
        }
        const char *val;
        if (p[1] == '$') {
            val = "$";
            wl = 1;
        } else if (word_at(p + 1, "list", &wl)) {
            val = v->list;
        } else if (word_at(p + 1, "zone", &wl)) {
            val = v->zone;
        } else if (word_at(p + 1, "reason", &wl)) {
            val = v->reason;
        } else {
            val = v->subject;
            wl = 0;
        }
        if (val)
            n = append(out, cap, n, val, strlen(val));
        p += wl;
    }
    return n;
}
