/* Output helpers for dnsxl-admin. See admin/print.h. */
#include "admin/print.h"

#include "zones/safe.h"

#include <string.h>
#include <time.h>

void dx_print_time(uint64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
        strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%llu", (unsigned long long)t);
}

void dx_print_expiry(uint64_t expires_at, char *buf, size_t cap)
{
    if (expires_at == 0)
        snprintf(buf, cap, "never");
    else
        dx_print_time(expires_at, buf, cap);
}

void dx_print_widen(const char *const *cols, int *widths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(cols[i] ? cols[i] : "-");
        if (l > (size_t)widths[i])
            widths[i] = l > 1000 ? 1000 : (int)l;
    }
}

void dx_print_row(FILE *f, const char *const *cols, const int *widths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *c = cols[i] ? cols[i] : "-";
        if (i + 1 < n)
            fprintf(f, "%-*s  ", widths[i], c);
        else
            fprintf(f, "%s\n", c);
    }
}

const char *dx_print_safe(const char *s, char *buf, size_t cap)
{
    return !s || !*s ? "-" : dx_safe(s, buf, cap);
}

void dx_json_escape(FILE *f, const char *str)
{
    if (!str) {
        fputs("null", f);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    putc('"', f);
    while (*s) {
        /* a run of printable ASCII needing no escape goes out in one write */
        const unsigned char *run = s;
        while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
            s++;
        if (s > run)
            fwrite(run, 1, (size_t)(s - run), f);
        if (!*s)
            break;
        unsigned char c = *s;
        switch (c) {
        case '"':  fputs("\\\"", f); s++; continue;
        case '\\': fputs("\\\\", f); s++; continue;
        case '\n': fputs("\\n", f); s++; continue;
        case '\r': fputs("\\r", f); s++; continue;
        case '\t': fputs("\\t", f); s++; continue;
        case '\b': fputs("\\b", f); s++; continue;
        case '\f': fputs("\\f", f); s++; continue;
        }
        if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            s++;
            continue;
        }
        size_t n = dx_utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            s++;
            continue;
        }
        fwrite(s, 1, n, f);
        s += n;
    }
    putc('"', f);
}

void dx_json_init(struct dx_json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
}

static void sep(struct dx_json *j, const char *key)
{
    if (j->depth > 0 && j->depth <= DX_JSON_DEPTH) {
        if (j->has_item[j->depth - 1])
            putc(',', j->f);
        j->has_item[j->depth - 1] = true;
    }
    if (key) {
        dx_json_escape(j->f, key);
        putc(':', j->f);
    }
}

static void open_(struct dx_json *j, const char *key, char c)
{
    sep(j, key);
    putc(c, j->f);
    if (j->depth < DX_JSON_DEPTH)
        j->has_item[j->depth] = false;
    j->depth++;
}

static void close_(struct dx_json *j, char c)
{
    putc(c, j->f);
    if (j->depth > 0)
        j->depth--;
    if (j->depth == 0)
        putc('\n', j->f);
}

void dx_json_obj_begin(struct dx_json *j, const char *key) { open_(j, key, '{'); }
void dx_json_obj_end(struct dx_json *j)                   { close_(j, '}'); }
void dx_json_arr_begin(struct dx_json *j, const char *key) { open_(j, key, '['); }
void dx_json_arr_end(struct dx_json *j)                   { close_(j, ']'); }

void dx_json_str(struct dx_json *j, const char *key, const char *val)
{
    sep(j, key);
    dx_json_escape(j->f, val);
}

void dx_json_u64(struct dx_json *j, const char *key, uint64_t val)
{
    sep(j, key);
    fprintf(j->f, "%llu", (unsigned long long)val);
}

void dx_json_bool(struct dx_json *j, const char *key, bool val)
{
    sep(j, key);
    fputs(val ? "true" : "false", j->f);
}

void dx_json_null(struct dx_json *j, const char *key)
{
    sep(j, key);
    fputs("null", j->f);
}

void dx_json_time(struct dx_json *j, const char *key, uint64_t t)
{
    if (t == 0) {
        dx_json_null(j, key);
        return;
    }
    char buf[32];
    dx_print_time(t, buf, sizeof(buf));
    dx_json_str(j, key, buf);
}
