/* rbldnsd dataset files (see loader/fmt_rbldnsd.h). */
#include "loader/fmt_rbldnsd.h"

#include "zones/bytes.h"
#include "zones/code.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"
#include "zones/txt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the template after rbldnsd's $n / $= expansion; the checks of zones/txt.h
 * (dx_imp_check) then bound it with dnsxl's variables expanded too */
#define TXT_MAX DX_TXT_MAX

/* ---- types ---------------------------------------------------------------- */

static const struct {
    const char *name;
    enum dx_rbl_type type;
} types[] = {
    { "ip4set", DX_RBL_IP4SET },   { "ip4trie", DX_RBL_IP4TRIE }, { "ip4tset", DX_RBL_IP4TSET },
    { "ip6tset", DX_RBL_IP6TSET }, { "ip6trie", DX_RBL_IP6TRIE }, { "dnset", DX_RBL_DNSET },
};

int dx_rbl_type_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(name, types[i].name) == 0)
            return (int)types[i].type;
    return DX_EINVAL;
}

const char *dx_rbl_type_name(enum dx_rbl_type t)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].type == t)
            return types[i].name;
    return "?";
}

bool dx_rbl_type_is_ip(enum dx_rbl_type t)
{
    return t != DX_RBL_DNSET;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

enum dx_rbl_type dx_rbl_type_detect(const char *buf, size_t len, bool ip_zone)
{
    if (!ip_zone)
        return DX_RBL_DNSET;
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (dx_imp_lines_next(&it, &q, &ll)) {
        const char *le = q + ll;
        while (q < le && is_blank(*q))
            q++;
        if (q == le || *q == '#' || *q == ';' || *q == '$' || *q == ':')
            continue;
        if (*q == '!')
            q++;
        /* "10.0.0.1:3:text" (a value glued to an IPv4 key) stays ip4set */
        while (q < le && !is_blank(*q) && *q != '#' && *q != ';' && *q != '.') {
            if (*q == ':')
                return DX_RBL_IP6TRIE;
            q++;
        }
        return DX_RBL_IP4SET;
    }
    return DX_RBL_IP4SET;
}

/* ---- parser state ----------------------------------------------------------- */

struct ctx {
    struct dx_imp_set *s;
    uint16_t file;
    uint32_t line;
    enum dx_rbl_type type;
    const struct dx_rbl_value *defaults;
    char *err;
    size_t errlen;
    /* the default value in effect (a `:A:TXT` line) */
    bool have_def;
    uint32_t def_code;            /* 0 = the list's */
    char *def_txt;                /* raw template; NULL = the list's, "" = no TXT */
    char *vars[10];               /* $0..$9 */
    char *base;                   /* $= */
    uint64_t maxrange4;           /* 0 = no limit */
    /* scratch */
    char txt[TXT_MAX + 1];
    size_t txt_len;
    bool txt_over;
};

/* err = "FILE:LINE: message"; returns DX_EINVAL. */
static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dx_imp_verrf(c->s, c->file, c->line, c->err, c->errlen, fmt, ap);
    va_end(ap);
    return rc;
}

static int fail_rc(struct ctx *c, int rc)
{
    if (c->err && c->errlen)
        snprintf(c->err, c->errlen, "%s:%u: %s",
                 c->file < c->s->n_files ? c->s->files[c->file] : "?", (unsigned)c->line,
                 dx_strerror(rc));
    return rc;
}


/* "FILE:LINE: 'T' has host bits set: did you mean NET?" */
static int fail_hostbits(struct ctx *c, const char *t, size_t n, const struct dx_key *net)
{
    char sh[80], msg[200];
    dx_key_hostbits_msg(dx_imp_show(sh, sizeof(sh), t, n), net, msg, sizeof(msg));
    return fail(c, "%s", msg);
}

static bool same_txt(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* ---- TXT templates ------------------------------------------------------------ */

static void txt_put(struct ctx *c, const char *p, size_t n)
{
    if (n > TXT_MAX - c->txt_len) {
        c->txt_over = true;
        n = TXT_MAX - c->txt_len;
    }
    memcpy(c->txt + c->txt_len, p, n);
    c->txt_len += n;
    c->txt[c->txt_len] = 0;
}

/* Append src to the scratch TXT with $n variables expanded; `$$` and `$`
 * are kept for dnsxld. In the base template (entry != NULL) `$=` is the
 * entry's own text, itself expanded. */
static void txt_expand(struct ctx *c, const char *src, const char *entry)
{
    for (const char *p = src; *p; p++) {
        if (*p != '$') {
            const char *q = strchr(p, '$');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            txt_put(c, p, n);
            p += n - 1;
            continue;
        }
        if (p[1] == '$') {
            txt_put(c, "$$", 2);
            p++;
        } else if (p[1] >= '0' && p[1] <= '9') {
            /* a variable's own text is not expanded again (no recursion) */
            const char *v = c->vars[p[1] - '0'];
            if (v)
                txt_put(c, v, strlen(v));
            p++;
        } else if (p[1] == '=' && entry) {
            txt_expand(c, entry, NULL);
            p++;
        } else {
            txt_put(c, "$", 1);
        }
    }
}

/* Final template for raw text t (NULL = the list's, "" = no TXT), in
 * c->txt; returns NULL for "the list's", or c->txt. DX_EINVAL if too long. */
static int txt_final(struct ctx *c, const char *t, const char **out)
{
    c->txt_len = 0;
    c->txt[0] = 0;
    c->txt_over = false;
    *out = NULL;
    if (t && !*t) {
        *out = c->txt;             /* explicitly no TXT */
        return 0;
    }
    if (c->base) {
        if (t && t[0] == '=')
            txt_expand(c, t + 1, NULL);
        else
            txt_expand(c, c->base, t ? t : "$");
    } else if (t) {
        txt_expand(c, t, NULL);
    } else {
        return 0;
    }
    if (c->txt_over)
        return fail(c, "TXT template longer than %d bytes after expansion", TXT_MAX);
    *out = c->txt;
    return 0;
}

/* ---- values ------------------------------------------------------------------ */

/* A value: "127.0.0.3", or "3" for 127.0.0.3. */
static int parse_a(struct ctx *c, const char *p, size_t n, uint32_t *code)
{
    char t[32], sh[40];
    if (n == 0 || n >= sizeof(t))
        return fail(c, "bad A value '%s'", dx_imp_show(sh, sizeof(sh), p, n));
    memcpy(t, p, n);
    t[n] = 0;
    uint32_t v;
    if (dx_code_parse(t, DX_CODE_SHORT, &v) || v == 0)
        return fail(c, "bad A value '%s'", dx_imp_show(sh, sizeof(sh), p, n));
    *code = v;
    return 0;
}

/* A value part v (starting with ':' for A[:TXT], else TXT only), relative
 * to (in_code, in_txt). *txt points into v (which is modified) or is in_txt. */
static int parse_value(struct ctx *c, char *v, uint32_t in_code, const char *in_txt,
                       uint32_t *code, const char **txt)
{
    *code = in_code;
    *txt = in_txt;
    if (*v != ':') {
        *txt = v;                  /* TXT only */
        return 0;
    }
    char *a = ++v;
    while (*v && *v != ':' && !is_blank(*v))
        v++;
    size_t an = (size_t)(v - a);
    while (is_blank(*v))
        v++;
    if (*v && *v != ':' && *v != '#' && *v != ';') {
        char sh[40];
        return fail(c, "unexpected text after the A value: '%s'", dx_imp_show(sh, sizeof(sh), v, strlen(v)));
    }
    if (an) {
        int rc = parse_a(c, a, an, code);
        if (rc)
            return rc;
    }
    if (*v == ':') {
        v++;
        while (is_blank(*v))
            v++;
        *txt = v;                  /* "" = no TXT */
    }
    return 0;
}

/* ---- specials ($SOA, $TTL, ...) ---------------------------------------------- */

static int special(struct ctx *c, char *p, bool strict)
{
    char *kw = p;
    while (*p && !is_blank(*p))
        p++;
    size_t kn = (size_t)(p - kw);
    while (is_blank(*p))
        p++;
    char *v = p;                   /* trailing blanks already trimmed */
    char sh[40];
#define KW(w) (kn == sizeof(w) - 1 && strncasecmp(kw, w, kn) == 0)
    if (kn == 1 && kw[0] >= '0' && kw[0] <= '9') {
        char **slot = &c->vars[kw[0] - '0'];
        free(*slot);
        if (!(*slot = strdup(v)))
            return fail_rc(c, DX_ENOMEM);
        return 0;
    }
    if (kn == 1 && kw[0] == '=') {
        free(c->base);
        if (!(c->base = strdup(v)))
            return fail_rc(c, DX_ENOMEM);
        return 0;
    }
    if (KW("SOA") || KW("NS") || KW("TIMESTAMP")) {
        if (!*v)
            return fail(c, "$%s without a value", dx_imp_show(sh, sizeof(sh), kw, kn));
        return 0;
    }
    if (KW("TTL")) {
        uint64_t secs;
        if (dx_dur_parse(v, &secs) != 0 || secs > UINT32_MAX)
            return fail(c, "bad $TTL '%s'", dx_imp_show(sh, sizeof(sh), v, strlen(v)));
        return 0;
    }
    if (KW("MAXRANGE4")) {
        uint64_t n = 0;
        char *e;
        if (v[0] == '/' && v[1] >= '0' && v[1] <= '9') {
            unsigned long bits = strtoul(v + 1, &e, 10);
            if (*e || bits > 32)
                return fail(c, "bad $MAXRANGE4 '%s'", dx_imp_show(sh, sizeof(sh), v, strlen(v)));
            n = 1ull << (32 - bits);
        } else if (v[0] >= '1' && v[0] <= '9') {
            unsigned long long x = strtoull(v, &e, 10);
            if (*e || x > (1ull << 32))
                return fail(c, "bad $MAXRANGE4 '%s'", dx_imp_show(sh, sizeof(sh), v, strlen(v)));
            n = x;
        } else {
            return fail(c, "bad $MAXRANGE4 '%s'", dx_imp_show(sh, sizeof(sh), v, strlen(v)));
        }
        /* may be lowered, never raised (rbldnsd(8)) */
        if (!c->maxrange4 || n < c->maxrange4)
            c->maxrange4 = n;
        return 0;
    }
    if (KW("DATASET"))
        return fail(c, "$DATASET: rbldnsd 'combined' datasets are not supported; "
                       "import each dataset into its own list");
#undef KW
    if (!strict)
        return 0;                  /* "#$..." / ";$..." with an unknown word: a comment */
    /* rbldnsd warns and ignores an unknown special: we reject the file */
    return fail(c, "unknown special '$%s'", dx_imp_show(sh, sizeof(sh), kw, kn));
}

/* ---- keys --------------------------------------------------------------------- */

/* 1..4 dotted decimal octets; returns the count, 0 if bad. */
static int ip4_octets(const char *p, size_t n, uint8_t o[4])
{
    int k = 0;
    size_t i = 0;
    memset(o, 0, 4);
    while (i < n) {
        if (k == 4)
            return 0;
        unsigned v = 0;
        size_t d = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (unsigned)(p[i] - '0');
            if (++d > 3)
                return 0;
            i++;
        }
        if (d == 0 || v > 255)
            return 0;
        o[k++] = (uint8_t)v;
        if (i < n) {
            if (p[i] != '.' || i + 1 == n)
                return 0;
            i++;
        }
    }
    return k;
}

struct emit {
    struct ctx *c;
    uint8_t flags;
    uint32_t code;
    const char *txt;
};

static int emit_key(void *arg, const struct dx_key *k)
{
    struct emit *e = arg;
    int rc = dx_imp_add(e->c->s, k, e->flags, e->code, e->txt, e->c->file, e->c->line);
    return rc ? fail_rc(e->c, rc) : 0;
}

/* IPv4 key of ip4set/ip4trie/ip4tset: prefix, CIDR, range. */
static int key_ip4(struct ctx *c, const char *t, size_t n, struct emit *e)
{
    char sh[80];
    const char *dash = memchr(t, '-', n), *slash = memchr(t, '/', n);
    uint8_t lo[4], hi[4];
    uint32_t a, b;
    if (c->type == DX_RBL_IP4TSET && (dash || slash))
        return fail(c, "ip4tset entries are single addresses: '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    if (dash && slash)
        goto bad;
    if (dash) {
        if (c->type != DX_RBL_IP4SET)
            return fail(c, "%s accepts no ranges: '%s'", dx_rbl_type_name(c->type),
                        dx_imp_show(sh, sizeof(sh), t, n));
        int kl = ip4_octets(t, (size_t)(dash - t), lo);
        int kh = ip4_octets(dash + 1, n - (size_t)(dash - t) - 1, hi);
        if (!kl || !kh)
            goto bad;
        if (kh == 1 && kl > 1) {
            /* "127.16-31": the last boundary is the last given octet of the first */
            uint8_t x = hi[0];
            memcpy(hi, lo, 4);
            hi[kl - 1] = x;
            kh = kl;
        }
        for (int i = kh; i < 4; i++)
            hi[i] = 255;
        a = dx_be32(lo);
        b = dx_be32(hi);
        if (a > b)
            return fail(c, "range end before its start: '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    } else {
        size_t an = slash ? (size_t)(slash - t) : n;
        int k = ip4_octets(t, an, lo);
        if (!k)
            goto bad;
        unsigned bits = 8u * (unsigned)k;
        if (slash) {
            const char *q = slash + 1;
            size_t qn = n - an - 1;
            if (qn == 0 || qn > 2 || strspn(q, "0123456789") < qn)
                goto bad;
            bits = (unsigned)(q[0] - '0');
            if (qn == 2)
                bits = bits * 10 + (unsigned)(q[1] - '0');
            if (bits > 32)
                goto bad;
        }
        if (c->type == DX_RBL_IP4TSET && k != 4)
            return fail(c, "ip4tset entries are single addresses: '%s'", dx_imp_show(sh, sizeof(sh), t, n));
        a = dx_be32(lo);
        uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
        if (a & ~mask) {
            /* "192.0.2.65/26": rbldnsd refuses it too; the writer may have
             * meant the address or the network */
            struct dx_key net = { .family = DX_FAM_V4, .len = 4, .plen = (uint8_t)bits };
            dx_set_be32(net.addr, a & mask);
            return fail_hostbits(c, t, n, &net);
        }
        b = a | ~mask;
    }
    if (c->maxrange4 && (uint64_t)b - a + 1 > c->maxrange4)
        /* rbldnsd logs a warning and skips the entry: we reject the file */
        return fail(c, "'%s' is wider than $MAXRANGE4 (%llu addresses)", dx_imp_show(sh, sizeof(sh), t, n),
                    (unsigned long long)c->maxrange4);
    uint8_t l[4], h[4];
    dx_set_be32(l, a);
    dx_set_be32(h, b);
    return dx_key_range_to_cidrs(l, h, 4, emit_key, e);
bad:
    return fail(c, "bad IPv4 entry '%s'", dx_imp_show(sh, sizeof(sh), t, n));
}

/* Are p[0..n) 1..8 colon-separated hex words of 1..4 digits, no "::"?
 * Returns the word count, 0 if not. */
static int ip6_words(const char *p, size_t n)
{
    int k = 0;
    size_t i = 0;
    if (n == 0)
        return 0;
    while (i < n) {
        size_t d = 0;
        while (i < n && p[i] && strchr("0123456789abcdefABCDEF", p[i])) {
            i++;
            d++;
        }
        if (d == 0 || d > 4 || ++k > 8)
            return 0;
        if (i < n) {
            if (p[i] != ':' || i + 1 == n)
                return 0;
            i++;
        }
    }
    return k;
}

static int key_ip6(struct ctx *c, const char *t, size_t n, bool exclude, struct emit *e)
{
    char sh[80], text[DX_KEY_TEXT_MAX + 8];
    if (n >= DX_KEY_TEXT_MAX)
        return fail(c, "entry too long: '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    if (!memchr(t, ':', n))
        return fail(c, "'%s' is not an IPv6 address", dx_imp_show(sh, sizeof(sh), t, n));
    const char *slash = memchr(t, '/', n);
    size_t an = slash ? (size_t)(slash - t) : n;
    int words = ip6_words(t, an);
    struct dx_key k;
    if (c->type == DX_RBL_IP6TSET && !exclude) {
        /* listing entries are /64s written as four words */
        if (words != 4 || slash) {
            memcpy(text, t, n);
            text[n] = 0;
            int rc = dx_key_parse(text, &k);
            if (rc == DX_ERANGE)
                return fail_hostbits(c, t, n, &k);
            if (rc != 0 || k.family != DX_FAM_V6 || k.plen != 64)
                return fail(c, "ip6tset entries are /64 prefixes written as four words: '%s'",
                            dx_imp_show(sh, sizeof(sh), t, n));
            return emit_key(e, &k);
        }
    }
    if (words > 0 && words < 8) {
        /* trailing :0 words left out: "2001:db8:c000/36"; no prefix length
         * = 16 bits per word given ("2001:21ab:def7:4242" = /64) */
        memcpy(text, t, an);
        memcpy(text + an, "::", 2);
        size_t m = an + 2;
        if (slash) {
            memcpy(text + m, slash, n - an);
            m += n - an;
        } else {
            m += (size_t)snprintf(text + m, sizeof(text) - m, "/%d", 16 * words);
        }
        text[m] = 0;
    } else {
        memcpy(text, t, n);
        text[n] = 0;
    }
    if (slash && (n - an < 2 || n - an > 4 || strspn(slash + 1, "0123456789") < n - an - 1))
        return fail(c, "bad IPv6 entry '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    int rc = dx_key_parse(text, &k);
    if (rc == DX_ERANGE && k.family != DX_FAM_DOMAIN)
        return fail_hostbits(c, t, n, &k);
    if (rc != 0 || k.family == DX_FAM_DOMAIN)
        return fail(c, "bad IPv6 entry '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    if (c->type == DX_RBL_IP6TSET && k.family == DX_FAM_V6 && k.plen != 128 && k.plen != 64)
        return fail(c, "ip6tset exclusions are single addresses or /64s: '%s'",
                    dx_imp_show(sh, sizeof(sh), t, n));
    return emit_key(e, &k);
}

static int key_name(struct ctx *c, const char *t, size_t n, struct emit *e)
{
    char sh[80], text[DX_KEY_TEXT_MAX + 2];
    bool both = n > 1 && t[0] == '.';
    if (n >= DX_KEY_TEXT_MAX)
        return fail(c, "entry too long: '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    if (both) {
        /* ".name" = the name and all its subdomains: two records */
        memcpy(text, t + 1, n - 1);
        text[n - 1] = 0;
    } else {
        memcpy(text, t, n);
        text[n] = 0;
    }
    struct dx_key k;
    if (dx_key_parse_for(text, false, &k) != 0)
        return fail(c, "bad domain name '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    if (both && k.plen)
        return fail(c, "bad domain name '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    int rc = emit_key(e, &k);
    if (rc || !both)
        return rc;
    text[0] = '*';
    text[1] = '.';
    memcpy(text + 2, t + 1, n - 1);
    text[n + 1] = 0;
    if (dx_key_parse_for(text, false, &k) != 0)
        return fail(c, "bad domain name '%s'", dx_imp_show(sh, sizeof(sh), t, n));
    return emit_key(e, &k);
}

/* ---- lines ----------------------------------------------------------------------- */

static int default_line(struct ctx *c, char *v)
{
    uint32_t code;
    const char *txt;
    /* a default line `:A` has no TXT (as rbldnsd reads it), unlike an
     * entry's `:A`, which keeps the default TXT in effect */
    int rc = parse_value(c, v, c->have_def ? c->def_code : 0, "", &code, &txt);
    if (rc)
        return rc;
    char *nt = NULL;
    if (txt && !(nt = strdup(txt)))
        return fail_rc(c, DX_ENOMEM);
    free(c->def_txt);
    c->def_txt = nt;
    c->def_code = code;
    c->have_def = true;
    return 0;
}

static int entry_line(struct ctx *c, char *p)
{
    struct emit e = { c, 0, 0, NULL };
    if (*p == '!') {
        e.flags = DX_ENTRY_EXCLUDE;
        p++;
    }
    bool v6 = c->type == DX_RBL_IP6TRIE || c->type == DX_RBL_IP6TSET;
    char *t = p;
    while (*p && !is_blank(*p) && *p != '#' && *p != ';' && (v6 || *p != ':'))
        p++;
    size_t tn = (size_t)(p - t);
    if (tn == 0)
        return fail(c, e.flags ? "'!' without an entry" : "missing entry before the value");
    while (is_blank(*p))
        p++;
    bool own = *p && *p != '#' && *p != ';';
    if (own && !e.flags) {
        if (c->type == DX_RBL_IP4TSET || c->type == DX_RBL_IP6TSET)
            /* rbldnsd ignores the rest of the line here: we reject it */
            return fail(c, "%s entries take no value of their own (use a ':A:TXT' line)",
                        dx_rbl_type_name(c->type));
        uint32_t code;
        const char *raw;
        int rc = parse_value(c, p, c->have_def ? c->def_code : 0,
                             c->have_def ? c->def_txt : NULL, &code, &raw);
        if (rc)
            return rc;
        if ((rc = txt_final(c, raw, &e.txt)))
            return rc;
        e.code = code;
    } else if (!e.flags && c->defaults && c->have_def) {
        const char *txt;
        int rc = txt_final(c, c->def_txt, &txt);
        if (rc)
            return rc;
        if (c->def_code != c->defaults->code || !same_txt(txt, c->defaults->txt)) {
            e.code = c->def_code;
            e.txt = txt;
        }
    }
    /* an exclusion's value is ignored (rbldnsd(8)) */
    switch (c->type) {
    case DX_RBL_IP4SET:
    case DX_RBL_IP4TRIE:
    case DX_RBL_IP4TSET:
        return key_ip4(c, t, tn, &e);
    case DX_RBL_IP6TSET:
    case DX_RBL_IP6TRIE:
        return key_ip6(c, t, tn, e.flags != 0, &e);
    case DX_RBL_DNSET:
        return key_name(c, t, tn, &e);
    }
    return fail(c, "unknown dataset type");
}

/* In ip6 datasets a line starting with "::" is an entry when its first
 * word is an IPv6 address or CIDR ("::1", "::ffff:0:0/96", as in the
 * rbldnsd(8) example), else a default value line with an empty A. */
static bool v6_entry(const struct ctx *c, const char *p)
{
    if (c->type != DX_RBL_IP6TRIE && c->type != DX_RBL_IP6TSET)
        return false;
    char t[64];
    size_t n = strcspn(p, " \t#;/");
    if (n >= sizeof(t))
        return false;
    memcpy(t, p, n);
    t[n] = 0;
    uint8_t a[16];
    return dx_addr_parse(t, DX_FAM_V6, a) == DX_FAM_V6;
}

static int parse_line(struct ctx *c, char *p)
{
    while (is_blank(*p))
        p++;
    if (!*p)
        return 0;
    if (p[0] == '$')
        return special(c, p + 1, true);
    if ((p[0] == '#' || p[0] == ';' || p[0] == ':') && p[1] == '$')
        return special(c, p + 2, p[0] == ':');
    if (p[0] == '#' || p[0] == ';')
        return 0;
    if (p[0] == ':' && !(p[1] == ':' && v6_entry(c, p)))
        return default_line(c, p);
    return entry_line(c, p);
}

int dx_fmt_rbldnsd_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                         enum dx_rbl_type type, const struct dx_rbl_value *defaults,
                         char *err, size_t errlen)
{
    struct ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", file < s->n_files ? s->files[file] : "?",
                     dx_strerror(DX_ENOMEM));
        return DX_ENOMEM;
    }
    c->s = s;
    c->file = file;
    c->type = type;
    c->defaults = defaults;
    c->err = err;
    c->errlen = errlen;
    int rc = 0;
    if (dx_rbl_type_name(type)[0] == '?')
        rc = fail(c, "unknown dataset type %d", (int)type);
    char *lb = NULL;
    size_t lcap = 0;
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (!rc && dx_imp_lines_next(&it, &q, &ll)) {
        c->line = it.line;
        if (memchr(q, 0, ll)) {
            rc = fail(c, DX_IMP_NUL_MSG);
            break;
        }
        while (ll > 0 && is_blank(q[ll - 1]))
            ll--;
        if (ll + 1 > lcap) {
            size_t ncap = lcap ? lcap : 256;
            while (ncap < ll + 1)
                ncap *= 2;
            char *nb = realloc(lb, ncap);
            if (!nb) {
                rc = fail_rc(c, DX_ENOMEM);
                break;
            }
            lb = nb;
            lcap = ncap;
        }
        memcpy(lb, q, ll);
        lb[ll] = 0;
        rc = parse_line(c, lb);
    }
    free(lb);
    free(c->def_txt);
    free(c->base);
    for (int i = 0; i < 10; i++)
        free(c->vars[i]);
    free(c);
    return rc;
}
