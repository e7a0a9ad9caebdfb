#include "zones/ini.h"

#include <errno.h>
#include <stdio.h>
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
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    s[n] = 0;
    while (is_blank(*s))
        s++;
    return s;
}

/* Read one line into r->buf (NUL-terminated, the line end removed): a line
 * ends at "\n", "\r\n" or a "\r" alone (old Mac files). Returns its
 * length, -1 at the end of input, or -2 after a read error or when out of
 * memory (r->err set). */
static ssize_t read_line(struct dx_ini *r)
{
    size_t n = 0;
    int c;
    for (;;) {
        c = getc(r->f);
        if (c == EOF) {
            if (ferror(r->f)) {
                r->err = errno ? -errno : -EIO;
                return -2;
            }
            if (n == 0)
                return -1;
            break;
        }
        if (c == '\n')
            break;
        if (c == '\r') {
            int d = getc(r->f);
            if (d != '\n' && d != EOF)
                ungetc(d, r->f);
            break;
        }
        if (n + 2 > r->cap) {
            size_t nc = r->cap ? r->cap * 2 : 256;
            char *nb = realloc(r->buf, nc);
            if (!nb) {
                r->err = -ENOMEM;
                return -2;
            }
            r->buf = nb;
            r->cap = nc;
        }
        r->buf[n++] = (char)c;
    }
    if (!r->buf) {                /* an empty last line before EOF: "" */
        r->buf = malloc(1);
        if (!r->buf) {
            r->err = -ENOMEM;
            return -2;
        }
        r->cap = 1;
    }
    r->buf[n] = 0;
    return (ssize_t)n;
}

/* The first control byte (other than tab) of s: its offset, or -1. */
static long find_ctl(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return (long)i;
    }
    return -1;
}

enum dx_ini_kind dx_ini_next(struct dx_ini *r, char **a, char **b)
{
    *a = *b = NULL;
    for (;;) {
        errno = 0;
        ssize_t got = read_line(r);
        if (got == -2) {
            *a = strerror(-r->err);
            return DX_INI_ERROR;
        }
        if (got < 0)
            return DX_INI_EOF;
        r->line++;
        size_t n = (size_t)got;
        if (memchr(r->buf, 0, n)) {
            *a = "NUL byte in line";
            return DX_INI_ERROR;
        }
        /* a UTF-8 byte order mark at the start of the file is dropped */
        if (r->line == 1 && n >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0) {
            memmove(r->buf, r->buf + 3, n - 3 + 1);
            n -= 3;
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
        long ctl = find_ctl(s);
        if (ctl >= 0) {
            snprintf(r->msg, sizeof(r->msg),
                     "control character 0x%02x at column %ld (only tab is allowed)",
                     (unsigned char)s[ctl], (long)(s - r->buf) + ctl + 1);
            *a = r->msg;
            return DX_INI_ERROR;
        }
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
