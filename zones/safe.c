/* See zones/safe.h. */
#include "zones/safe.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t dx_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A byte sequence a terminal may act on: C0 controls, DEL, and the C1
 * controls U+0080..U+009F (UTF-8 C2 80..C2 9F: CSI is C2 9B). */
static bool is_control(const unsigned char *p, size_t ul)
{
    return *p < 0x20 || *p == 0x7f || (ul == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

const char *dx_safe(const char *s, char *buf, size_t cap)
{
    if (!s)
        return "";
    const unsigned char *p = (const unsigned char *)s;
    for (size_t ul; *p; p += ul) {
        ul = *p >= 0x80 ? dx_utf8_len(p) : 1;
        if (ul == 0 || is_control(p, ul) || *p == '\\')
            break;
    }
    if (!*p || cap == 0)
        return s;
    size_t n = 0;
    for (p = (const unsigned char *)s; *p && n + 9 < cap;) {
        unsigned char c = *p;
        size_t ul = c >= 0x80 ? dx_utf8_len(p) : 1;
        if (c == '\n' || c == '\t' || c == '\r' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
            p++;
        } else if (ul == 0 || is_control(p, ul)) {
            /* invalid UTF-8 or a control: each byte as \xNN */
            size_t k = ul ? ul : 1;
            for (size_t i = 0; i < k; i++)
                n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", p[i]);
            p += k;
        } else {
            if (n + ul + 1 > cap)
                break;
            memcpy(buf + n, p, ul);
            n += ul;
            p += ul;
        }
    }
    buf[n] = 0;
    return buf;
}
