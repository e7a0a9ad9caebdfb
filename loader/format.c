#include "loader/format.h"

#include "zones/err.h"

#include <stdio.h>
#include <string.h>

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
    int t = dx_rbl_type_parse(name);
    if (t < 0) {
        snprintf(err, errlen, "unknown --format '%s' (auto, plain, ip4set, ip4trie, ip4tset,"
                              " ip6tset, ip6trie, dnset)", name);
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
    return fmt == DX_FMT_PLAIN ? "plain" : fmt == DX_FMT_AUTO ? "auto"
                                         : dx_rbl_type_name((enum dx_rbl_type)fmt);
}

int dx_fmt_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len, int fmt,
                 bool ip_zone, const struct dx_rbl_value *list_value, int *used, char *err,
                 size_t errlen)
{
    if (fmt == DX_FMT_AUTO)
        fmt = dx_fmt_looks_rbldnsd(buf, len, ip_zone) ? (int)dx_rbl_type_detect(buf, len, ip_zone)
                                                      : DX_FMT_PLAIN;
    if (used)
        *used = fmt;
    if (fmt == DX_FMT_PLAIN)
        return dx_imp_parse_plain(s, file, buf, len, ip_zone, err, errlen);
    return dx_fmt_rbldnsd_parse(s, file, buf, len, (enum dx_rbl_type)fmt, list_value, err,
                                errlen);
}
