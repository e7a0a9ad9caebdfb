/* IP-to-country data: RIR delegated-stats and CSV (see loader/fmt_country.h). */
#include "loader/fmt_country.h"

#include "loader/iso3166.h"
#include "zones/bytes.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

struct cctx {
    struct dx_imp_set *s;
    uint16_t file;
    uint32_t line;
    char *err;
    size_t errlen;
    bool csv_seen;                /* a CSV line was seen (header only first) */
    /* the record being added */
    uint32_t code;
    char txt[3];
};

static int fail(struct cctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dx_imp_verrf(c->s, c->file, c->line, c->err, c->errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* A field for a message (loader/import.h). */
static const char *show(char *out, size_t cap, const char *t)
{
    return dx_imp_show(out, cap, t, strlen(t));
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static char *trim(char *p)
{
    while (is_blank(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_blank(p[n - 1]))
        p[--n] = 0;
    return p;
}

static bool all_digits(const char *p)
{
    if (!*p)
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* Decimal without sign, <= max, at most 20 digits. */
static bool parse_u64(const char *p, uint64_t max, uint64_t *v)
{
    return strlen(p) <= 20 && dx_uint_parse(p, max, v) == 0;
}

/* Country field -> c->code / c->txt. 1 = use, 0 = skip (no country), or
 * DX_EINVAL. */
static int country(struct cctx *c, const char *cc)
{
    char sh[40];
    if (!*cc)
        return 0;
    char up[3];
    if (strlen(cc) != 2)
        return fail(c, "unknown country code '%s'", show(sh, sizeof(sh), cc));
    for (int i = 0; i < 2; i++) {
        char ch = cc[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        up[i] = ch;
    }
    up[2] = 0;
    /* regional blocks and "unknown": no country to answer */
    if (!strcmp(up, "ZZ") || !strcmp(up, "EU") || !strcmp(up, "AP"))
        return 0;
    if (!strcmp(up, "UK"))
        memcpy(up, "GB", 2);
    int num = dx_iso3166_numeric(up);
    if (num < 0)
        return fail(c, "unknown country code '%s'", show(sh, sizeof(sh), cc));
    c->code = DX_COUNTRY_CODE(num);
    c->txt[0] = (char)(up[0] - 'A' + 'a');
    c->txt[1] = (char)(up[1] - 'A' + 'a');
    c->txt[2] = 0;
    return 1;
}

static int add_key(void *arg, const struct dx_key *k)
{
    struct cctx *c = arg;
    int rc = dx_imp_add(c->s, k, 0, c->code, c->txt, c->file, c->line);
    if (rc && c->err && c->errlen)
        snprintf(c->err, c->errlen, "%s:%u: %s",
                 c->file < c->s->n_files ? c->s->files[c->file] : "?", (unsigned)c->line,
                 dx_strerror(rc));
    return rc;
}

/* Split line p at sep into at most MAX_FIELDS fields (the last one keeps
 * the rest). CSV fields may be double-quoted ("" = a quote inside). The
 * fields are trimmed. Returns the count, or -1 for a bad quote. */
static int split(char *p, char sep, char **f)
{
    int n = 0;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (sep == ',' && *p == '"') {
            char *out = ++p;
            f[n++] = out;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            while (is_blank(*p))
                p++;
            char *next = *p == sep ? p + 1 : NULL;
            if (*p && *p != sep)
                return -1;
            *out = 0;
            if (!next)
                return n;
            if (n == MAX_FIELDS)
                return n;
            p = next;
            continue;
        }
        f[n++] = p;
        char *e = strchr(p, sep);
        if (!e || n == MAX_FIELDS) {
            f[n - 1] = trim(p);
            return n;
        }
        *e = 0;
        f[n - 1] = trim(p);
        p = e + 1;
    }
}

static int rir_line(struct cctx *c, char *line)
{
    char *f[MAX_FIELDS], sh[80];
    int n = split(line, '|', f);
    if (f[0][0] >= '0' && f[0][0] <= '9')
        return 0;                  /* version line: "2|ripencc|20240101|..." */
    if (n >= 6 && !strcmp(f[5], "summary"))
        return 0;                  /* registry|*|type|*|count|summary */
    if (n < 7)
        return fail(c, "expected registry|cc|type|start|value|date|status");
    if (!strcmp(f[2], "asn"))
        return 0;
    bool v4 = !strcmp(f[2], "ipv4"), v6 = !strcmp(f[2], "ipv6");
    if (!v4 && !v6)
        return fail(c, "unknown record type '%s'", show(sh, sizeof(sh), f[2]));
    if (!strcmp(f[6], "available") || !strcmp(f[6], "reserved"))
        return 0;
    int rc = country(c, f[1]);
    if (rc <= 0)
        return rc;
    if (v4) {
        uint8_t a[16];
        uint64_t count;
        if (dx_addr_parse(f[3], DX_FAM_V4, a) < 0)
            return fail(c, "bad IPv4 start '%s'", show(sh, sizeof(sh), f[3]));
        if (!parse_u64(f[4], 1ull << 32, &count) || count == 0)
            return fail(c, "bad IPv4 address count '%s'", show(sh, sizeof(sh), f[4]));
        uint64_t lo = dx_be32(a), hi = lo + count - 1;
        if (hi > UINT32_MAX)
            return fail(c, "%s + %llu addresses runs past 255.255.255.255", f[3],
                        (unsigned long long)count);
        uint8_t l[4], h[4];
        dx_set_be32(l, (uint32_t)lo);
        dx_set_be32(h, (uint32_t)hi);
        return dx_key_range_to_cidrs(l, h, 4, add_key, c);
    }
    uint64_t plen;
    uint8_t a6[16];
    if (dx_addr_parse(f[3], DX_FAM_V6, a6) < 0)
        return fail(c, "bad IPv6 start '%s'", show(sh, sizeof(sh), f[3]));
    if (!parse_u64(f[4], 128, &plen))
        return fail(c, "bad IPv6 prefix length '%s'", show(sh, sizeof(sh), f[4]));
    struct dx_key net;
    dx_key_from_addr(&net, a6, 16);
    if (net.family == DX_FAM_V4 && plen < 96)  /* ::ffff:a.b.c.d/n: the IPv4 part */
        return fail(c, "IPv4-mapped prefix shorter than /96");
    /* the start must be the network of its prefix, as in every RIR file:
     * anything else is a damaged file, not a range to guess at */
    char text[80];
    snprintf(text, sizeof(text), "%s/%u", f[3], (unsigned)plen);
    int krc = dx_key_parse(text, &net);
    if (krc == DX_ERANGE) {
        char msg[200];
        dx_key_hostbits_msg(show(sh, sizeof(sh), text), &net, msg, sizeof(msg));
        return fail(c, "%s", msg);
    }
    if (krc != 0)
        return fail(c, "bad IPv6 start '%s'", show(sh, sizeof(sh), f[3]));
    return add_key(c, &net);
}

/* An address field of CSV: dotted IPv4, IPv6, or a decimal IPv4 integer.
 * Returns the length (4 or 16), 0 if not an address. */
static size_t csv_addr(const char *t, uint8_t *out)
{
    uint64_t v;
    if (all_digits(t)) {
        if (!parse_u64(t, UINT32_MAX, &v))
            return 0;
        dx_set_be32(out, (uint32_t)v);
        return 4;
    }
    int fam = dx_addr_parse(t, 0, out);
    return fam == DX_FAM_V4 ? 4 : fam == DX_FAM_V6 ? 16 : 0;
}

static int csv_line(struct cctx *c, char *line)
{
    char *f[MAX_FIELDS], sh[80];
    int n = split(line, ',', f);
    bool first = !c->csv_seen;
    c->csv_seen = true;
    if (n < 0)
        return fail(c, "unbalanced double quote");
    uint8_t lo[16], hi[16];
    size_t ll = csv_addr(f[0], lo);
    /* a header line ("start,end,cc", "ip_start,...") is skipped; a first
     * line whose start is merely a bad address is still an error */
    if (!ll && first && f[0][strspn(f[0], "0123456789abcdefABCDEF:.")])
        return 0;
    if (n < 3)
        return fail(c, "expected start,end,cc");
    if (!ll)
        return fail(c, "bad start address '%s'", show(sh, sizeof(sh), f[0]));
    size_t hl = csv_addr(f[1], hi);
    if (!hl)
        return fail(c, "bad end address '%s'", show(sh, sizeof(sh), f[1]));
    if (hl != ll)
        return fail(c, "start and end are of different address families");
    if (memcmp(lo, hi, ll) > 0)
        return fail(c, "end address before the start");
    int rc = country(c, f[2]);
    if (rc <= 0)
        return rc;
    return dx_key_range_to_cidrs(lo, hi, ll, add_key, c);
}

int dx_fmt_country_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                         char *err, size_t errlen)
{
    struct cctx c = { .s = s, .file = file, .err = err, .errlen = errlen };
    char *lb = NULL;
    size_t lcap = 0;
    int rc = 0;
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (!rc && dx_imp_lines_next(&it, &q, &ll)) {
        c.line = it.line;
        if (memchr(q, 0, ll)) {
            rc = fail(&c, DX_IMP_NUL_MSG);
            break;
        }
        while (ll > 0 && is_blank(q[ll - 1]))
            ll--;
        while (ll > 0 && is_blank(*q)) {
            q++;
            ll--;
        }
        if (ll == 0 || *q == '#')
            continue;
        if (ll + 1 > lcap) {
            size_t ncap = lcap ? lcap : 256;
            while (ncap < ll + 1)
                ncap *= 2;
            char *nb = realloc(lb, ncap);
            if (!nb) {
                rc = DX_ENOMEM;
                snprintf(err, errlen, "%s:%u: %s", file < s->n_files ? s->files[file] : "?",
                         (unsigned)c.line, dx_strerror(rc));
                break;
            }
            lb = nb;
            lcap = ncap;
        }
        memcpy(lb, q, ll);
        lb[ll] = 0;
        rc = memchr(lb, '|', ll) ? rir_line(&c, lb) : csv_line(&c, lb);
    }
    free(lb);
    return rc;
}
