/* Received header parsing and the trusted-relay walk (received.h). */
#include "loader/received.h"

#include <string.h>
#include <strings.h>

#include "zones/err.h"

#define MAX_COMMENTS 8

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool prefix_ci(const char *s, size_t len, const char *p)
{
    size_t pl = strlen(p);
    return len >= pl && strncasecmp(s, p, pl) == 0;
}

static bool equal_ci(const char *s, size_t len, const char *p)
{
    return strlen(p) == len && strncasecmp(s, p, len) == 0;
}

int dx_rcvd_parse_addr(const char *text, size_t len, struct dx_key *k)
{
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        text++;
        len -= 2;
    }
    if (prefix_ci(text, len, "IPv6:")) {
        text += 5;
        len -= 5;
    }
    char buf[64];
    if (len == 0 || len >= sizeof(buf))
        return DX_EINVAL;
    memcpy(buf, text, len);
    buf[len] = 0;
    uint8_t a[16];
    int fam = dx_addr_parse(buf, 0, a);
    if (fam < 0)
        return DX_EINVAL;
    dx_key_from_addr(k, a, fam == DX_FAM_V4 ? 4 : 16);
    return 0;
}

/* ---- tokens ------------------------------------------------------------- */

enum tok { T_END, T_WORD, T_COMMENT };

struct span {
    const char *s;
    size_t len;
};

/* Next token at *pp: a word (up to a blank, '(' or ';'; with to_space, up
 * to a blank only), or a comment (its inner text, nested comments included;
 * an unterminated one runs to the end). ';' starts the date: T_END.
 *
 * The word after "from" is read with to_space: it is the client's HELO,
 * which the sender chooses; a HELO such as "x(y[192.0.2.1])" must stay one
 * word and never become a comment that looks like the MTA's own. */
static enum tok next_tok(const char **pp, struct span *t, bool to_space)
{
    const char *p = *pp;
    while (is_space(*p))
        p++;
    if (!*p || (*p == ';' && !to_space)) {
        *pp = p;
        return T_END;
    }
    if (*p == '(' && !to_space) {
        int depth = 1;
        const char *s = ++p;
        while (*p) {
            if (*p == '\\' && p[1]) {
                p += 2;
                continue;
            }
            if (*p == '(')
                depth++;
            else if (*p == ')' && --depth == 0)
                break;
            p++;
        }
        t->s = s;
        t->len = (size_t)(p - s);
        *pp = *p ? p + 1 : p;
        return T_COMMENT;
    }
    const char *s = p;
    while (*p && !is_space(*p) && (to_space || (*p != '(' && *p != ';')))
        p++;
    t->s = s;
    t->len = (size_t)(p - s);
    *pp = p;
    return T_WORD;
}

enum clause { C_NONE, C_FROM, C_BY, C_VIA, C_WITH, C_ID, C_FOR };

static enum clause keyword(const struct span *t)
{
    static const char *const kw[] = { "from", "by", "via", "with", "id", "for" };
    for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
        if (equal_ci(t->s, t->len, kw[i]))
            return (enum clause)(i + 1);
    return C_NONE;
}

static void copy_name(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, s, len);
    dst[len] = 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)dst[i] < 32)
            dst[i] = '?';
}

/* ---- from-clause analysis ----------------------------------------------- */

/* A qmail-style "(HELO name)" / "(EHLO name)" comment: the sender's text. */
static bool helo_comment(const struct span *c)
{
    const char *s = c->s, *e = c->s + c->len;
    while (s < e && is_space(*s))
        s++;
    return e - s > 4 && (strncasecmp(s, "helo", 4) == 0 || strncasecmp(s, "ehlo", 4) == 0) &&
           is_space(s[4]);
}

/* Whether p lies in the value of an Exim "helo=" or "ident=" item of the
 * comment starting at s: the word holding p (back to a blank) starts with
 * that key. Both values are the sender's text ("helo=x[192.0.2.1]",
 * "ident=[192.0.2.1]"), and they follow the MTA's own literal. */
static bool sender_value(const char *s, const char *p)
{
    const char *w = p;
    while (w > s && !is_space(w[-1]))
        w--;
    size_t len = (size_t)(p - w);
    return prefix_ci(w, len, "helo=") || prefix_ci(w, len, "ident=");
}

/* The last usable bracketed literal in comment c: not one in a "helo=" or
 * "ident=" value (Exim), and none in a "(HELO x)" comment (qmail). The last, because what
 * comes before it in "(ident@rdns [ip])" is ident and DNS data, not the
 * MTA's. Sets *before to the word preceding it within the comment (the
 * rdns). */
static bool comment_bracket(const struct span *c, struct dx_key *ip, struct span *before)
{
    const char *s = c->s, *e = c->s + c->len;
    if (helo_comment(c))
        return false;
    bool found = false;
    for (const char *p = s; p < e; p++) {
        if (*p != '[')
            continue;
        const char *q = memchr(p, ']', (size_t)(e - p));
        if (!q)
            break;
        struct dx_key k;
        if (sender_value(s, p) || dx_rcvd_parse_addr(p, (size_t)(q - p + 1), &k) != 0) {
            p = q;
            continue;
        }
        *ip = k;
        found = true;
        /* the word before the bracket: rdns, maybe with "ident@" */
        const char *we = p;
        while (we > s && is_space(we[-1]))
            we--;
        const char *ws = we;
        while (ws > s && !is_space(ws[-1]) && ws[-1] != '(')
            ws--;
        const char *at = memchr(ws, '@', (size_t)(we - ws));
        if (at)
            ws = at + 1;
        before->s = ws;
        before->len = (size_t)(we - ws);
        p = q;
    }
    return found;
}

/* A comment that is exactly an address ("192.0.2.1", "ident@192.0.2.1"). */
static bool comment_bare(const struct span *c, struct dx_key *ip)
{
    const char *s = c->s, *e = c->s + c->len;
    while (s < e && is_space(*s))
        s++;
    while (e > s && is_space(e[-1]))
        e--;
    const char *at = NULL;
    for (const char *p = s; p < e; p++)
        if (*p == '@')
            at = p;
    if (at)
        s = at + 1;
    return dx_rcvd_parse_addr(s, (size_t)(e - s), ip) == 0;
}

/* HELO name given in a comment: "helo=X" anywhere, or "HELO X" / "EHLO X"
 * at its start. */
static bool comment_helo(const struct span *c, struct span *h)
{
    const char *s = c->s, *e = c->s + c->len;
    const char *v = NULL;
    for (const char *p = s; p + 5 <= e; p++)
        if (strncasecmp(p, "helo=", 5) == 0 && (p == s || is_space(p[-1]))) {
            v = p + 5;
            break;
        }
    if (!v) {
        while (s < e && is_space(*s))
            s++;
        if (e - s > 5 && (strncasecmp(s, "helo", 4) == 0 || strncasecmp(s, "ehlo", 4) == 0) &&
            is_space(s[4]))
            v = s + 5;
    }
    if (!v)
        return false;
    while (v < e && is_space(*v))
        v++;
    const char *w = v;
    while (w < e && !is_space(*w))
        w++;
    h->s = v;
    h->len = (size_t)(w - v);
    return true;
}

/* A word ending in an address literal written by the receiving MTA:
 * "[192.0.2.1]", "[2001:db8::1]", "[192.0.2.1]:54321" (Exim, F-Secure) or,
 * with named, "unknown[192.0.2.1]", "host.example[192.0.2.1]:54321" (the
 * name is the rdns: F-Secure, old Postfix). The literal is the word's last
 * '[' ... ']', followed by nothing or ":PORT"; a name holds no brackets or
 * parentheses (a HELO such as "a(b[192.0.2.1])" is no such word). Sets
 * *name to the text before the '['. */
static bool word_literal(const struct span *w, bool named, struct dx_key *ip, struct span *name)
{
    const char *s = w->s, *e = w->s + w->len, *o = NULL;
    for (const char *p = s; p < e; p++)
        if (*p == '[')
            o = p;
    if (!o || (o == s) == named)
        return false;
    for (const char *p = s; p < o; p++)
        if (*p == ']' || *p == '(' || *p == ')')
            return false;
    const char *c = memchr(o, ']', (size_t)(e - o));
    if (!c || dx_rcvd_parse_addr(o, (size_t)(c + 1 - o), ip) != 0)
        return false;
    const char *t = c + 1;
    if (t < e) {
        if (*t != ':' || t + 1 == e)
            return false;
        for (t++; t < e; t++)
            if (*t < '0' || *t > '9')
                return false;
    }
    name->s = s;
    name->len = (size_t)(o - s);
    return true;
}

static void set_rdns(struct dx_rcvd *r, const char *s, size_t len)
{
    while (len && s[len - 1] == '.')
        len--;
    if (len == 0 || equal_ci(s, len, "unknown") || equal_ci(s, len, "<unknown>"))
        return;
    struct dx_key k;
    if (dx_rcvd_parse_addr(s, len, &k) == 0)
        return;  /* an address is not a name */
    copy_name(r->rdns, sizeof(r->rdns), s, len);
}

int dx_rcvd_parse(const char *value, struct dx_rcvd *r)
{
    memset(r, 0, sizeof(*r));
    struct span from = { NULL, 0 }, stray = { NULL, 0 }, comments[MAX_COMMENTS];
    size_t ncom = 0;
    bool has_by = false;
    enum clause cur = C_NONE;
    bool want_value = false;
    const char *p = value;
    struct span t;
    enum tok k;
    while ((k = next_tok(&p, &t, want_value && cur == C_FROM)) != T_END) {
        if (k == T_COMMENT) {
            if (cur == C_FROM && !want_value && ncom < MAX_COMMENTS)
                comments[ncom++] = t;
            continue;
        }
        if (want_value) {
            want_value = false;
            if (cur == C_FROM)
                from = t;
            else if (cur == C_BY)
                copy_name(r->by, sizeof(r->by), t.s, t.len);
            else if (cur == C_WITH)
                copy_name(r->with, sizeof(r->with), t.s, t.len);
            continue;
        }
        enum clause c = keyword(&t);
        if (c == C_NONE) {
            /* stray word: belongs to the current clause; in the from
             * clause, the first literal one may be the client: Exim 3,
             * MDaemon "from host [192.0.2.1] by ..." */
            if (cur == C_FROM && !stray.s && t.len && t.s[0] == '[')
                stray = t;
            continue;
        }
        if (c == C_FROM && r->has_from) {
            cur = C_NONE;  /* a second from clause is never ours to read */
            continue;
        }
        cur = c;
        want_value = true;
        if (c == C_FROM)
            r->has_from = true;
        if (c == C_BY)
            has_by = true;
    }
    if (!r->has_from && !has_by)
        return DX_EINVAL;
    if (!r->has_from)
        return 0;
    if (from.s)
        copy_name(r->from, sizeof(r->from), from.s, from.len);

    /* client IP, best first (received.h) */
    struct span rdns = { NULL, 0 }, name;
    bool from_is_literal = from.s && from.len >= 2 && from.s[0] == '[';
    bool from_named = false;        /* "from unknown[ip]": the name is the rdns */
    for (size_t i = 0; i < ncom && !r->has_ip; i++)
        if (comment_bracket(&comments[i], &r->ip, &rdns))
            r->has_ip = true;
    if (!r->has_ip && from.s && word_literal(&from, !from_is_literal, &r->ip, &name)) {
        r->has_ip = true;
        if (!from_is_literal) {
            from_named = true;
            rdns = name;
        }
    }
    if (!r->has_ip && stray.s && word_literal(&stray, false, &r->ip, &name))
        r->has_ip = true;
    for (size_t i = ncom; i-- > 0 && !r->has_ip;)  /* the last: the HELO comes first */
        if (comment_bare(&comments[i], &r->ip))
            r->has_ip = true;
    if (!r->has_ip && from.s && dx_rcvd_parse_addr(from.s, from.len, &r->ip) == 0)
        r->has_ip = true;

    /* helo / rdns (informational) */
    struct span helo = { NULL, 0 };
    bool explicit_helo = false;
    for (size_t i = 0; i < ncom && !explicit_helo; i++)
        explicit_helo = comment_helo(&comments[i], &helo);
    if (explicit_helo) {
        copy_name(r->helo, sizeof(r->helo), helo.s, helo.len);
        if (rdns.s && rdns.len)
            set_rdns(r, rdns.s, rdns.len);
        else if (from.s && !from_is_literal)
            set_rdns(r, from.s, from.len);  /* Exim, qmail: "from rdns (... helo=x)" */
    } else {
        if (from.s && !from_named)
            copy_name(r->helo, sizeof(r->helo), from.s, from.len);
        if (rdns.s && rdns.len)
            set_rdns(r, rdns.s, rdns.len);
    }
    return 0;
}

/* ---- the walk ----------------------------------------------------------- */

static bool is_loopback(const struct dx_key *k)
{
    static const uint8_t v6lo[16] = { [15] = 1 };
    if (k->family == DX_FAM_V4)
        return k->addr[0] == 127;
    return k->family == DX_FAM_V6 && memcmp(k->addr, v6lo, 16) == 0;
}

static bool trusted(const struct dx_key *ip, const struct dx_key *relays, size_t n)
{
    if (is_loopback(ip))
        return true;
    for (size_t i = 0; i < n; i++)
        if (relays[i].family == ip->family && dx_key_contains(&relays[i], ip))
            return true;
    return false;
}

static bool internal_hop(const struct dx_rcvd *r)
{
    if (prefix_ci(r->with, strlen(r->with), "LMTP"))
        return true;
    if (r->has_from && (strcasecmp(r->from, "localhost") == 0 ||
                        strcasecmp(r->from, "localhost.localdomain") == 0))
        return true;
    /* a provider's internal hop: no from clause, the receiving host named
     * by its address (Gmail "by 2002:a05:6a10:...:b0:... with SMTP id").
     * RFC 5321 4.4 requires the from clause for mail received over SMTP
     * from a client; a local submission names the host ("by mx.example.org
     * (Postfix, from userid 1000)"). */
    struct dx_key by;
    if (!r->has_from && r->by[0] && dx_rcvd_parse_addr(r->by, strlen(r->by), &by) == 0)
        return true;
    return false;
}

/* qmail's own trace line: "(qmail 12345 invoked from network); date" or
 * "(qmail 123 invoked by uid 89); date", written by the same host as the
 * header below it. */
static bool qmail_invoked(const char *v)
{
    while (is_space(*v))
        v++;
    if (strncasecmp(v, "(qmail ", 7) != 0)
        return false;
    const char *e = strchr(v, ')');
    if (!e)
        return false;
    for (const char *p = v; p + 8 <= e; p++)
        if (strncasecmp(p, " invoked", 8) == 0)
            return true;
    return false;
}

int dx_rcvd_client(const char *const *hdrs, size_t n, const struct dx_key *relays,
                   size_t nrelays, struct dx_key *client, size_t *hop, enum dx_rcvd_why *why)
{
    enum dx_rcvd_why w = n ? DX_RCVD_ALL_TRUSTED : DX_RCVD_EMPTY;
    int rc = DX_ENOTFOUND;
    size_t i;
    for (i = 0; i < n; i++) {
        struct dx_rcvd r;
        if (hdrs[i] && qmail_invoked(hdrs[i]))
            continue;
        if (!hdrs[i] || dx_rcvd_parse(hdrs[i], &r) < 0) {
            w = DX_RCVD_BAD_HEADER;
            rc = DX_EINVAL;
            break;
        }
        if (r.has_ip) {
            if (trusted(&r.ip, relays, nrelays))
                continue;  /* the next header was written by that relay */
            *client = r.ip;
            w = DX_RCVD_FOUND;
            rc = 0;
            break;
        }
        if (internal_hop(&r))
            continue;
        w = DX_RCVD_NO_IP;
        rc = DX_EINVAL;
        break;
    }
    if (hop)
        *hop = i;
    if (why)
        *why = w;
    return rc;
}

const char *dx_rcvd_why_str(enum dx_rcvd_why why)
{
    switch (why) {
    case DX_RCVD_FOUND: return "client found";
    case DX_RCVD_EMPTY: return "no Received headers";
    case DX_RCVD_ALL_TRUSTED: return "every Received hop is a trusted relay";
    case DX_RCVD_NO_IP: return "a Received hop does not name the client address";
    case DX_RCVD_BAD_HEADER: return "a Received header cannot be parsed";
    }
    return "unknown";
}
