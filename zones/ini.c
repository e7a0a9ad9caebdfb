#include "zones/ini.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dx_ini_open(struct dx_ini *r, FILE *f)
{
    memset(r, 0, sizeof(*r));
    r->f = f;
}

void dx_ini_close(struct dx_ini *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim blanks at both ends of s[0..n) in place; returns the new start. */
static char *trim(char *s, size_t n)
{
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    s[n] = 0;
    while (is_blank(*s))
        s++;
    return s;
}

enum dx_ini_kind dx_ini_next(struct dx_ini *r, char **a, char **b)
{
    *a = *b = NULL;
    for (;;) {
        errno = 0;
        ssize_t got = getline(&r->buf, &r->cap, r->f);
        if (got < 0) {
            if (ferror(r->f)) {
                r->err = errno ? -errno : -EIO;
                *a = strerror(-r->err);
                return DX_INI_ERROR;
            }
            return DX_INI_EOF;
        }
        r->line++;
        size_t n = (size_t)got;
        if (memchr(r->buf, 0, n)) {
            *a = "NUL byte in line";
            return DX_INI_ERROR;
        }
        char *s = r->buf;
        /* inline comment: ';' preceded by a blank */
        for (size_t i = 1; i < n; i++) {
            if (s[i] == ';' && is_blank(s[i - 1])) {
                n = i;
                break;
            }
        }
        s = trim(s, n);
        if (*s == 0 || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            size_t len = strlen(s);
            if (s[len - 1] != ']') {
                *a = "section header without closing ']'";
                return DX_INI_ERROR;
            }
            s = trim(s + 1, len - 2);
            if (*s == 0) {
                *a = "empty section header";
                return DX_INI_ERROR;
            }
            char *sp = s;
            while (*sp && !is_blank(*sp))
                sp++;
            char *rest = sp;
            if (*sp) {
                *sp = 0;
                rest = sp + 1;
                while (is_blank(*rest))
                    rest++;
            }
            *a = s;
            *b = rest;
            return DX_INI_SECTION;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            *a = "expected 'key = value' or '[section]'";
            return DX_INI_ERROR;
        }
        *eq = 0;
        char *key = trim(s, (size_t)(eq - s));
        if (*key == 0) {
            *a = "missing key before '='";
            return DX_INI_ERROR;
        }
        char *val = eq + 1;
        *a = key;
        *b = trim(val, strlen(val));
        return DX_INI_KEY;
    }
}
