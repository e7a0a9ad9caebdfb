#include "zones/key.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/name.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const uint8_t v4mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

static void mask_bits(uint8_t *a, size_t len, unsigned plen)
{
    for (size_t i = 0; i < len; i++) {
        unsigned bit = (unsigned)i * 8;
        if (bit >= plen)
            a[i] = 0;
        else if (plen - bit < 8)
            a[i] &= (uint8_t)(0xff << (8 - (plen - bit)));
    }
}

_Static_assert(DX_KEY_NAME_MAX == DX_NAME_TEXT_MAX, "a key holds any name");

/* A name key: "*." (a wildcard: the names below), then a name (zones/name.h). */
static int parse_name(const char *text, struct dx_key *k)
{
    k->family = DX_FAM_DOMAIN;
    k->plen = 0;
    if (text[0] == '*' && text[1] == '.') {
        k->plen = 1;
        text += 2;
    }
    int n = dx_name_norm(text, strlen(text), (char *)k->addr);
    if (n < 0)
        return DX_EINVAL;
    k->len = (uint8_t)n;
    return 0;
}

int dx_addr_parse(const char *text, unsigned fam, uint8_t out[16])
{
    if (!text)
        return DX_EINVAL;
    if ((fam == 0 || fam == DX_FAM_V4) && inet_pton(AF_INET, text, out) == 1)
        return DX_FAM_V4;
    if ((fam == 0 || fam == DX_FAM_V6) && inet_pton(AF_INET6, text, out) == 1)
        return DX_FAM_V6;
    return DX_EINVAL;
}

static int parse_ip(const char *text, struct dx_key *k)
{
    char buf[INET6_ADDRSTRLEN + 8];
    size_t n = strlen(text);
    if (n >= sizeof(buf))
        return DX_EINVAL;
    memcpy(buf, text, n + 1);
    int64_t plen = -1;
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = 0;
        uint64_t v;
        if (strlen(slash + 1) > 3 || dx_uint_parse(slash + 1, 999, &v))
            return DX_EINVAL;
        plen = (int64_t)v;
    }
    memset(k, 0, sizeof(*k));
    int fam = dx_addr_parse(buf, 0, k->addr);
    if (fam == DX_FAM_V4) {
        if (plen > 32)
            return DX_EINVAL;
        k->family = DX_FAM_V4;
        k->len = 4;
        k->plen = (uint8_t)(plen < 0 ? 32 : plen);
    } else if (fam == DX_FAM_V6) {
        if (plen > 128)
            return DX_EINVAL;
        k->family = DX_FAM_V6;
        k->len = 16;
        k->plen = (uint8_t)(plen < 0 ? 128 : plen);
        if (k->plen >= 96 && memcmp(k->addr, v4mapped, 12) == 0) {
            memmove(k->addr, k->addr + 12, 4);
            memset(k->addr + 4, 0, 12);
            k->family = DX_FAM_V4;
            k->len = 4;
            k->plen = (uint8_t)(k->plen - 96);
        }
    } else {
        return DX_EINVAL;
    }
    uint8_t a[16];
    memcpy(a, k->addr, k->len);
    mask_bits(k->addr, k->len, k->plen);
    return memcmp(a, k->addr, k->len) == 0 ? 0 : DX_ERANGE;
}

static bool looks_ip(const char *text)
{
    if (strchr(text, ':'))
        return true;
    /* dotted quad (possibly with /len): only digits, dots and slash */
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.' && *p != '/')
            return false;
    return *text != 0;
}

int dx_key_parse(const char *text, struct dx_key *k)
{
    if (!text)
        return DX_EINVAL;
    if (looks_ip(text))
        return parse_ip(text, k);
    memset(k, 0, sizeof(*k));
    return parse_name(text, k);
}

int dx_key_parse_masked(const char *text, struct dx_key *k)
{
    int rc = dx_key_parse(text, k);
    return rc == DX_ERANGE ? 0 : rc;
}

int dx_key_parse_for(const char *text, bool ip_zone, struct dx_key *k)
{
    int rc = dx_key_parse(text, k);
    if (rc && rc != DX_ERANGE)
        return rc;
    if (ip_zone != (k->family != DX_FAM_DOMAIN))
        return DX_EINVAL;
    return rc;
}

void dx_key_hostbits_msg(const char *text, const struct dx_key *net, char *buf, size_t cap)
{
    char nt[DX_KEY_TEXT_MAX];
    dx_key_format(net, nt, sizeof(nt));
    snprintf(buf, cap, "%s has host bits set: did you mean %s?", text, nt);
}

bool dx_key_too_wide(const struct dx_key *k, unsigned shortest4, unsigned shortest6)
{
    if (k->family == DX_FAM_V4)
        return k->plen < shortest4;
    if (k->family == DX_FAM_V6)
        return k->plen < shortest6;
    return false;
}

int dx_key_format(const struct dx_key *k, char *buf, size_t cap)
{
    char tmp[DX_KEY_TEXT_MAX];
    int n;
    if (k->family == DX_FAM_DOMAIN) {
        n = snprintf(tmp, sizeof(tmp), "%s%.*s", k->plen ? "*." : "", (int)k->len,
                     (const char *)k->addr);
    } else {
        char a[INET6_ADDRSTRLEN];
        inet_ntop(k->family == DX_FAM_V4 ? AF_INET : AF_INET6, k->addr, a, sizeof(a));
        unsigned full = k->family == DX_FAM_V4 ? 32 : 128;
        if (k->plen == full)
            n = snprintf(tmp, sizeof(tmp), "%s", a);
        else
            n = snprintf(tmp, sizeof(tmp), "%s/%u", a, k->plen);
    }
    if (cap > 0)
        snprintf(buf, cap, "%s", tmp);
    return (size_t)n >= cap ? DX_ERANGE : n;
}

void dx_key_from_addr(struct dx_key *k, const uint8_t *addr, size_t len)
{
    memset(k, 0, sizeof(*k));
    if (len == 16 && memcmp(addr, v4mapped, 12) == 0) {
        addr += 12;
        len = 4;
    }
    memcpy(k->addr, addr, len);
    k->len = (uint8_t)len;
    k->family = len == 4 ? DX_FAM_V4 : DX_FAM_V6;
    k->plen = (uint8_t)(len * 8);
}

/* Labels 0..n-1, n <= 4, as the first n octets of an IPv4 address (label
 * n-1, next to the apex, is the first): decimal 0..255 without leading
 * zeros. addr (4 bytes) is zeroed first. */
static bool v4_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n, uint8_t *addr)
{
    memset(addr, 0, 4);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *l = name + lab_off[i];
        unsigned ll = l[0], v = 0;
        if (ll < 1 || ll > 3 || (ll > 1 && l[1] == '0'))
            return false;
        for (unsigned j = 1; j <= ll; j++) {
            if (l[j] < '0' || l[j] > '9')
                return false;
            v = v * 10 + (unsigned)(l[j] - '0');
        }
        if (v > 255)
            return false;
        addr[n - 1 - i] = (uint8_t)v;
    }
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The same for n <= 32 labels of one hex digit: the first n nibbles of an
 * IPv6 address. addr (16 bytes) is zeroed first. */
static bool v6_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n, uint8_t *addr)
{
    memset(addr, 0, 16);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *l = name + lab_off[i];
        int v;
        unsigned nib = n - 1 - i;   /* 0 = the most significant nibble */
        if (l[0] != 1 || (v = hexval(l[1])) < 0)
            return false;
        addr[nib / 2] |= (uint8_t)(nib % 2 ? v : v << 4);
    }
    return true;
}

static bool name_from_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n,
                             struct dx_key *k)
{
    memset(k, 0, sizeof(*k));
    k->family = DX_FAM_DOMAIN;
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *l = name + lab_off[i];
        if (i && len < DX_KEY_NAME_MAX)
            k->addr[len++] = '.';
        for (unsigned j = 1; j <= l[0]; j++) {
            if (!dx_label_char(l[j]) || len >= DX_KEY_NAME_MAX)
                return false;
            k->addr[len++] = l[j];
        }
    }
    if (len == 0)
        return false;
    k->addr[len] = 0;
    k->len = (uint8_t)len;
    return true;
}

bool dx_key_from_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n, bool domain,
                        struct dx_key *k)
{
    if (domain)
        return name_from_labels(name, lab_off, n, k);
    uint8_t addr[16];
    if (n == 4 && v4_labels(name, lab_off, 4, addr)) {
        dx_key_from_addr(k, addr, 4);
        return true;
    }
    if (n == 32 && v6_labels(name, lab_off, 32, addr)) {
        dx_key_from_addr(k, addr, 16);
        return true;
    }
    return false;
}

unsigned dx_key_prefixes_from_labels(const uint8_t *name, const uint8_t *lab_off, unsigned n,
                                     struct dx_key out[2])
{
    unsigned c = 0;
    uint8_t addr[16];
    if (n < 4 && v4_labels(name, lab_off, n, addr)) {
        memset(&out[c], 0, sizeof(out[c]));
        out[c].family = DX_FAM_V4;
        out[c].len = 4;
        out[c].plen = (uint8_t)(8 * n);
        memcpy(out[c].addr, addr, 4);
        c++;
    }
    if (n < 32 && v6_labels(name, lab_off, n, addr)) {
        memset(&out[c], 0, sizeof(out[c]));
        out[c].family = DX_FAM_V6;
        out[c].len = 16;
        out[c].plen = (uint8_t)(4 * n);
        memcpy(out[c].addr, addr, 16);
        c++;
    }
    return c;
}

void dx_key_widen(struct dx_key *k, unsigned plen)
{
    if (k->family == DX_FAM_DOMAIN || plen > k->plen)
        return;
    mask_bits(k->addr, k->len, plen);
    k->plen = (uint8_t)plen;
}

bool dx_key_up(struct dx_key *k)
{
    if (k->family != DX_FAM_DOMAIN) {
        if (k->plen == 0)
            return false;
        dx_key_widen(k, k->plen - 1u);
        return true;
    }
    const char *dot = strchr((const char *)k->addr, '.');
    if (!dot)
        return false;
    size_t n = strlen(dot + 1);
    memmove(k->addr, dot + 1, n + 1);
    k->len = (uint8_t)n;
    k->plen = 1;
    return true;
}

bool dx_key_contains(const struct dx_key *net, const struct dx_key *k)
{
    if (net->family != k->family || net->family == DX_FAM_DOMAIN || net->plen > k->plen)
        return false;
    uint8_t a[16];
    memcpy(a, k->addr, k->len);
    mask_bits(a, k->len, net->plen);
    return memcmp(a, net->addr, k->len) == 0;
}

static bool overlaps(const struct dx_key *a, const struct dx_key *b)
{
    return dx_key_contains(a, b) || dx_key_contains(b, a);
}

bool dx_key_is_special(const struct dx_key *k)
{
    static const struct { uint8_t len, plen, addr[16]; } nets[] = {
        { 4, 8,  { 0 } },                 /* 0.0.0.0/8 */
        { 4, 8,  { 10 } },                /* 10.0.0.0/8 */
        { 4, 10, { 100, 64 } },           /* 100.64.0.0/10 */
        { 4, 8,  { 127 } },               /* 127.0.0.0/8 */
        { 4, 16, { 169, 254 } },          /* 169.254.0.0/16 */
        { 4, 12, { 172, 16 } },           /* 172.16.0.0/12 */
        { 4, 16, { 192, 168 } },          /* 192.168.0.0/16 */
        { 4, 4,  { 224 } },               /* 224.0.0.0/4 */
        { 4, 4,  { 240 } },               /* 240.0.0.0/4 */
        { 16, 128, { 0 } },               /* ::/128 */
        { 16, 128, { [15] = 1 } },        /* ::1/128 */
        { 16, 7,  { 0xfc } },             /* fc00::/7 */
        { 16, 10, { 0xfe, 0x80 } },       /* fe80::/10 */
        { 16, 8,  { 0xff } },             /* ff00::/8 */
    };
    for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
        struct dx_key net = { .family = nets[i].len == 4 ? DX_FAM_V4 : DX_FAM_V6,
                              .plen = nets[i].plen, .len = nets[i].len };
        memcpy(net.addr, nets[i].addr, nets[i].len);
        if (overlaps(&net, k))
            return true;
    }
    return false;
}

bool dx_key_is_localhost(const struct dx_key *k)
{
    static const uint8_t lh[4] = { 127, 0, 0, 1 };
    struct dx_key one;
    dx_key_from_addr(&one, lh, 4);
    return dx_key_contains(k, &one);
}

static void add_one(uint8_t *a, size_t len)
{
    for (size_t i = len; i-- > 0;)
        if (++a[i] != 0)
            break;
}

int dx_key_range_to_cidrs(const uint8_t *lo, const uint8_t *hi, size_t len,
                          int (*cb)(void *arg, const struct dx_key *k), void *arg)
{
    if ((len != 4 && len != 16) || memcmp(lo, hi, len) > 0)
        return DX_EINVAL;
    uint8_t cur[16];
    memcpy(cur, lo, len);
    unsigned bits = (unsigned)len * 8;
    for (;;) {
        /* largest prefix p such that cur is aligned to p and cur+size-1 <= hi */
        unsigned p = bits;
        while (p > 0) {
            unsigned q = p - 1;                 /* try a block one bit larger */
            uint8_t m[16], end[16];
            memcpy(m, cur, len);
            mask_bits(m, len, q);
            if (memcmp(m, cur, len) != 0)
                break;                          /* not aligned */
            memcpy(end, cur, len);
            for (unsigned b = q; b < bits; b++)
                end[b / 8] |= (uint8_t)(0x80 >> (b % 8));
            if (memcmp(end, hi, len) > 0)
                break;                          /* too big */
            p = q;
        }
        struct dx_key k;
        memset(&k, 0, sizeof(k));
        k.family = len == 4 ? DX_FAM_V4 : DX_FAM_V6;
        k.len = (uint8_t)len;
        k.plen = (uint8_t)p;
        memcpy(k.addr, cur, len);
        int rc = cb(arg, &k);
        if (rc)
            return rc;
        uint8_t last[16];
        memcpy(last, cur, len);
        for (unsigned b = p; b < bits; b++)
            last[b / 8] |= (uint8_t)(0x80 >> (b % 8));
        if (memcmp(last, hi, len) >= 0)
            return 0;
        memcpy(cur, last, len);
        add_one(cur, len);
    }
}
