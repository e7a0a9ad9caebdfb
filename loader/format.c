#include "loader/format.h"

#include "zones/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dx_fmt_parse_name(const char *name, bool ip_zone, int *fmt, char *err, size_t errlen)
{
    if (!name || strcmp(name, "auto") == 0) {
        *fmt = DX_FMT_AUTO;
        return 0;
    }
    if (strcmp(name, "plain") == 0) {
        *fmt = DX_FMT_PLAIN;
        return 0;
    }
    if (strcmp(name, "combined") == 0) {
        *fmt = DX_FMT_COMBINED;
        return 0;
    }
    int t = dx_rbl_type_parse(name);
    if (t < 0) {
        snprintf(err, errlen, "unknown --format '%s' (auto, plain, ip4set, ip4trie, ip4tset,"
                              " ip6tset, ip6trie, dnset, combined)", name);
        return DX_EINVAL;
    }
    if (dx_rbl_type_is_ip((enum dx_rbl_type)t) != ip_zone) {
        snprintf(err, errlen, "--format %s does not fit a zone of kind %s", name,
                 ip_zone ? "ip" : "domain");
        return DX_EINVAL;
    }
    *fmt = t;
    return 0;
}

static bool is_blank_ch(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Could the data line [q, le) (blanks skipped, not a comment) be a plain
 * list line? Plain holds one key (optionally '!'), then only a comment. */
static bool plain_line(const char *q, const char *le, bool ip_zone)
{
    if (q < le && *q == '!')
        q++;
    const char *k = q;
    while (q < le && !is_blank_ch(*q))
        q++;
    size_t kl = (size_t)(q - k);
    while (q < le && is_blank_ch(*q))
        q++;
    if (q < le && *q == ':')
        return false;               /* a value after the key: rbldnsd */
    /* other text after the key ("192.0.2.1 spam run"): no sign of rbldnsd,
     * whose bare-TXT form it would be; the plain parser refuses the line */
    if (kl == 0)
        return true;
    if (!ip_zone)
        return k[0] != '.';         /* ".name" = name and its subdomains: rbldnsd */
    if (memchr(k, ':', kl))
        return true;                /* IPv6: plain and rbldnsd agree */
    if (memchr(k, '-', kl))
        return false;               /* a range */
    if (memchr(k, '/', kl))
        return true;
    unsigned dots = 0;
    for (size_t i = 0; i < kl; i++)
        dots += k[i] == '.';
    return dots == 3;               /* fewer: a short form such as 10.1 */
}

bool dx_fmt_looks_rbldnsd(const char *buf, size_t len, bool ip_zone)
{
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (dx_imp_lines_next(&it, &q, &ll)) {
        const char *le = q + ll;
        while (q < le && is_blank_ch(*q))
            q++;
        if (q == le || *q == '#' || *q == ';')
            continue;
        if (*q == '$' || (*q == ':' && (q + 1 == le || q[1] != ':')))
            return true;
        if (!plain_line(q, le, ip_zone))
            return true;
    }
    return false;
}

const char *dx_fmt_name(int fmt)
{
    return fmt == DX_FMT_PLAIN      ? "plain"
           : fmt == DX_FMT_AUTO     ? "auto"
           : fmt == DX_FMT_COMBINED ? "combined"
                                    : dx_rbl_type_name((enum dx_rbl_type)fmt);
}

/* ---- rbldnsd combined datasets ---------------------------------------------- */

#define DATASET_KW "$DATASET"

/* The first word after blanks of [q, le): *w, its length. */
static size_t word(const char **q, const char *le)
{
    while (*q < le && is_blank_ch(**q))
        (*q)++;
    size_t n = 0;
    while (*q + n < le && !is_blank_ch((*q)[n]) && (*q)[n] != '#' && (*q)[n] != ';')
        n++;
    return n;
}

/* A part of a combined dataset: its type and name (may be empty). */
struct part {
    int type;
    const char *name;
    size_t name_len;
};

/* Is [q, le) (blanks skipped) a $DATASET line? */
static bool dataset_line(const char *q, const char *le)
{
    size_t n = word(&q, le);
    return n == sizeof(DATASET_KW) - 1 && strncasecmp(q, DATASET_KW, n) == 0;
}

/* Parse "$DATASET TYPE[:NAME] [@]" (a part for the zone itself). 0 or
 * DX_EINVAL with err set. */
static int dataset_parse(const struct dx_imp_set *s, uint16_t file, uint32_t line,
                         const char *q, const char *le, bool ip_zone, struct part *p,
                         char *err, size_t errlen)
{
    q += word(&q, le);
    const char *t = q;
    size_t n = word(&t, le);
    const char *colon = memchr(t, ':', n);
    char type[16] = "";
    size_t tl = colon ? (size_t)(colon - t) : n;
    if (tl < sizeof(type))
        memcpy(type, t, tl), type[tl] = '\0';
    p->type = dx_rbl_type_parse(type);
    p->name = colon ? colon + 1 : t + n;
    p->name_len = colon ? n - tl - 1 : 0;
    if (p->type < 0)
        return dx_imp_errf(s, file, line, err, errlen, "$DATASET: unknown dataset type '%.*s'"
                           " (ip4set, ip4trie, ip4tset, ip6tset, ip6trie, dnset)",
                           (int)(tl > 32 ? 32 : tl), t);
    if (dx_rbl_type_is_ip((enum dx_rbl_type)p->type) != ip_zone)
        return dx_imp_errf(s, file, line, err, errlen, "$DATASET: a %s part does not fit a zone"
                           " of kind %s", type, ip_zone ? "ip" : "domain");
    const char *z = t + n;
    size_t zn = word(&z, le);
    if (zn && !(zn == 1 && z[0] == '@'))
        return dx_imp_errf(s, file, line, err, errlen, "$DATASET: parts for a subzone are not"
                           " supported (only @, the zone itself)");
    z += zn;
    if (word(&z, le))
        return dx_imp_errf(s, file, line, err, errlen, "$DATASET: one subzone only (@)");
    return 0;
}

/* The part name export writes for the RFC 5782 test point (never taken:
 * dnsxld answers the test points itself) */
#define TEST_POINT_PART "test.point"

static bool name_is(const struct part *p, const char *name, size_t n)
{
    return p->name_len == n && strncmp(p->name, name, n) == 0;
}

/* A combined dataset (format.h): the parts named as the list, or when none
 * is and every part but the test point's names one list, that one. Each
 * part is parsed by the rbldnsd reader on a copy of buf in which every
 * other line is blanked, so line numbers stay the file's. */
static int combined_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                          bool ip_zone, const struct dx_rbl_value *lv, char *err, size_t errlen)
{
    const char *want = lv && lv->list ? lv->list : "";
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    struct part p, other = { 0, NULL, 0 };
    bool found = false, several = false;
    size_t parts = 0;
    dx_imp_lines_init(&it, buf, len);
    while (dx_imp_lines_next(&it, &q, &ll)) {
        const char *le = q + ll, *d = q;
        if (word(&d, le) == 0)
            continue;                        /* blank or a comment */
        if (!dataset_line(q, le)) {
            if (parts == 0)
                return dx_imp_errf(s, file, it.line, err, errlen, "combined dataset: a line"
                                   " before the first $DATASET");
            continue;
        }
        int rc = dataset_parse(s, file, it.line, q, le, ip_zone, &p, err, errlen);
        if (rc)
            return rc;
        parts++;
        if (name_is(&p, want, strlen(want)))
            found = true;
        else if (!name_is(&p, TEST_POINT_PART, sizeof(TEST_POINT_PART) - 1)) {
            if (other.name && !name_is(&p, other.name, other.name_len))
                several = true;
            other = p;
        }
    }
    if (!found && (several || !other.name)) {
        snprintf(err, errlen, "%s: combined dataset: no $DATASET part for list '%s'%s",
                 s->files[file], want, several ? " (its parts name several lists)" : "");
        return DX_EINVAL;
    }
    const char *pick = found ? want : other.name;
    size_t pick_len = found ? strlen(want) : other.name_len;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return DX_ENOMEM;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < parts; k++) {
        memcpy(copy, buf, len);
        size_t cur = 0;
        bool take = false;
        int type = 0;
        dx_imp_lines_init(&it, copy, len);
        while (dx_imp_lines_next(&it, &q, &ll)) {
            if (dataset_line(q, q + ll)) {
                dataset_parse(s, file, it.line, q, q + ll, ip_zone, &p, err, errlen);
                take = ++cur == k + 1 && name_is(&p, pick, pick_len);
                type = take ? p.type : type;
                memset((char *)q, ' ', ll);
            } else if (!take) {
                memset((char *)q, ' ', ll);
            }
        }
        if (type)
            rc = dx_fmt_rbldnsd_parse(s, file, copy, len, (enum dx_rbl_type)type, lv, err,
                                      errlen);
    }
    free(copy);
    return rc;
}

static bool looks_combined(const char *buf, size_t len)
{
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (dx_imp_lines_next(&it, &q, &ll)) {
        const char *d = q;
        if (word(&d, q + ll))
            return dataset_line(q, q + ll);
    }
    return false;
}

int dx_fmt_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len, int fmt,
                 bool ip_zone, const struct dx_rbl_value *list_value, int *used, char *err,
                 size_t errlen)
{
    if (fmt == DX_FMT_AUTO)
        fmt = looks_combined(buf, len)               ? DX_FMT_COMBINED
              : dx_fmt_looks_rbldnsd(buf, len, ip_zone) ? (int)dx_rbl_type_detect(buf, len, ip_zone)
                                                        : DX_FMT_PLAIN;
    if (used)
        *used = fmt;
    if (fmt == DX_FMT_PLAIN)
        return dx_imp_parse_plain(s, file, buf, len, ip_zone, err, errlen);
    if (fmt == DX_FMT_COMBINED)
        return combined_parse(s, file, buf, len, ip_zone, list_value, err, errlen);
    return dx_fmt_rbldnsd_parse(s, file, buf, len, (enum dx_rbl_type)fmt, list_value, err,
                                errlen);
}
