/* ARF (RFC 5965) report parsing (arf.h). */
#include "loader/arf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loader/received.h"
#include "zones/err.h"

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* "dns; mta.example.net" -> "mta.example.net" (type prefix removed). */
static const char *skip_type(const char *v)
{
    const char *semi = strchr(v, ';');
    if (!semi)
        return v;
    v = semi + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    return v;
}

/* Domain name text (len bytes) -> exact-name key. */
static bool domain_key(const char *s, size_t len, struct dx_key *k)
{
    char buf[DX_KEY_NAME_MAX + 2];
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    return dx_key_parse_for(buf, false, k) == 0 && k->plen == 0;
}

/* Domain of the (first) address in a From: value. */
static bool from_domain(const char *v, struct dx_key *k)
{
    const char *s = strchr(v, '<'), *e;
    if (s) {
        s++;
        e = strchr(s, '>');
        if (!e)
            return false;
    } else {
        s = v;
        e = v + strlen(v);
        const char *comma = memchr(s, ',', (size_t)(e - s));
        if (comma)
            e = comma;
        const char *paren = memchr(s, '(', (size_t)(e - s));
        if (paren)
            e = paren;
    }
    const char *at = NULL;
    for (const char *p = s; p < e; p++)
        if (*p == '@')
            at = p;
    if (!at)
        return false;
    return domain_key(at + 1, (size_t)(e - at - 1), k);
}

/* Append s to the string in buf[cap], truncating. */
static void append(char *buf, size_t cap, const char *s)
{
    size_t l = strlen(buf), n = strlen(s);
    if (l + 1 >= cap)
        return;
    if (n > cap - 1 - l)
        n = cap - 1 - l;
    memcpy(buf + l, s, n);
    buf[l + n] = 0;
}

struct parts {
    bool have_fb, have_orig;
    struct dx_mail_part top, fb, orig;
    char types[160];              /* "text/plain, message/rfc822": for messages */
};

/* The parts of the report itself (depth 1, RFC 5965 2): its
 * message/feedback-report and the reported message or its header. */
static int parts_cb(void *arg, const struct dx_mail_part *p)
{
    struct parts *ps = arg;
    if (p->depth == 0) {
        ps->top = *p;
        return 0;
    }
    if (p->depth != 1)
        return 0;
    if (ps->types[0])
        append(ps->types, sizeof(ps->types), ", ");
    append(ps->types, sizeof(ps->types), p->ct.type);
    append(ps->types, sizeof(ps->types), "/");
    append(ps->types, sizeof(ps->types), p->ct.subtype);
    if (!ps->have_fb && dx_mail_ctype_is(&p->ct, "message", "feedback-report")) {
        ps->fb = *p;
        ps->have_fb = true;
    } else if (!ps->have_orig && (dx_mail_ctype_is(&p->ct, "message", "rfc822") ||
                                  dx_mail_ctype_is(&p->ct, "text", "rfc822-headers"))) {
        ps->orig = *p;
        ps->have_orig = true;
    }
    return 0;
}

/* Not a mail message at all: empty, binary (a NUL in the header block), or
 * no header field. Sets err and returns true. */
static bool not_mail(const struct dx_mail_msg *m, char *err, size_t errlen)
{
    if (m->head_len == 0 && m->body_len == 0) {
        set_err(err, errlen, "%s", "empty: not a mail message");
        return true;
    }
    size_t probe = m->n ? 0 : (m->body_len < 1024 ? m->body_len : 1024);
    if (memchr(m->head, 0, m->head_len) || (probe && memchr(m->body, 0, probe))) {
        set_err(err, errlen, "%s", "binary data (NUL bytes): not a mail message");
        return true;
    }
    if (m->n == 0) {
        set_err(err, errlen, "%s", "no header fields: not a mail message");
        return true;
    }
    return false;
}

static int read_fields(struct dx_arf *a, const char *text, size_t len, char *err,
                       size_t errlen)
{
    /* some reporters start the part body with a blank line */
    while (len && (*text == '\r' || *text == '\n')) {
        text++;
        len--;
    }
    struct dx_mail_msg f;
    if (dx_mail_parse(&f, text, len) < 0) {
        set_err(err, errlen, "%s", "out of memory");
        return DX_ENOMEM;
    }
    int rc = 0;
    const char *v = dx_mail_header(&f, "Feedback-Type", 0);
    if (!v || !*v) {
        set_err(err, errlen, "%s", "not an ARF report: no Feedback-Type field");
        rc = DX_EINVAL;
        goto out;
    }
    size_t n = 0;
    for (; v[n] && v[n] != ' ' && v[n] != '\t' && v[n] != ';' && n + 1 < sizeof(a->feedback_type); n++)
        a->feedback_type[n] = (char)((v[n] >= 'A' && v[n] <= 'Z') ? v[n] + 32 : v[n]);
    a->feedback_type[n] = 0;
    if ((v = dx_mail_header(&f, "User-Agent", 0)))
        copy_text(a->user_agent, sizeof(a->user_agent), v);
    if ((v = dx_mail_header(&f, "Version", 0)))
        copy_text(a->version, sizeof(a->version), v);
    if ((v = dx_mail_header(&f, "Original-Mail-From", 0)))
        copy_text(a->original_mail_from, sizeof(a->original_mail_from), v);
    if ((v = dx_mail_header(&f, "Arrival-Date", 0)))
        copy_text(a->arrival_date, sizeof(a->arrival_date), v);
    if ((v = dx_mail_header(&f, "Reporting-MTA", 0)))
        copy_text(a->reporting_mta, sizeof(a->reporting_mta), skip_type(v));
    for (size_t i = 0; (v = dx_mail_header(&f, "Original-Rcpt-To", i)); i++)
        if (a->n_rcpts < DX_ARF_MAX_RCPTS)
            copy_text(a->original_rcpt_to[a->n_rcpts++], DX_ARF_TEXT_MAX, v);
    for (size_t i = 0; (v = dx_mail_header(&f, "Reported-Domain", i)); i++) {
        struct dx_key k;
        if (a->n_domains < DX_ARF_MAX_DOMAINS && domain_key(v, strlen(v), &k))
            a->domains[a->n_domains++] = k;
        else
            a->n_bad_domains++;
    }
    if ((v = dx_mail_header(&f, "Source-IP", 0))) {
        size_t l = strlen(v);
        /* allow a trailing comment: "192.0.2.1 (mail.example.net)" */
        const char *sp = strpbrk(v, " \t(");
        if (sp)
            l = (size_t)(sp - v);
        if (dx_rcvd_parse_addr(v, l, &a->source_ip) != 0) {
            set_err(err, errlen, "bad Source-IP: %.200s", v);
            rc = DX_EINVAL;
            goto out;
        }
        a->has_source_ip = true;
    }
out:
    dx_mail_free(&f);
    return rc;
}

int dx_arf_parse(const struct dx_mail_msg *m, struct dx_arf *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    if (err && errlen)
        err[0] = 0;
    if (not_mail(m, err, errlen))
        return DX_EINVAL;
    struct dx_mail_ctype ct;
    const char *ctv = dx_mail_header(m, "Content-Type", 0);
    if (dx_mail_content_type(ctv, &ct) < 0) {
        set_err(err, errlen, "not an ARF report: unreadable Content-Type \"%.100s\"", ctv);
        return DX_EINVAL;
    }
    if (!dx_mail_ctype_is(&ct, "multipart", "report")) {
        char what[2 * DX_MAIL_TOKEN_MAX + 2];
        snprintf(what, sizeof(what), "%s/%s", ct.type, ct.subtype);
        set_err(err, errlen, "not an ARF report: Content-Type is %s, not multipart/report",
                ctv ? what : "absent");
        return DX_EINVAL;
    }
    if (strcmp(ct.report_type, "feedback-report") != 0) {
        set_err(err, errlen,
                strcmp(ct.report_type, "delivery-status") == 0
                    ? "not an ARF report: report-type is \"%.100s\" (a bounce), not feedback-report"
                    : "not an ARF report: report-type is \"%.100s\", not feedback-report",
                ct.report_type);
        return DX_EINVAL;
    }
    struct parts ps;
    memset(&ps, 0, sizeof(ps));
    int rc = dx_mail_walk(m, parts_cb, &ps);
    if (rc < 0) {
        set_err(err, errlen, "%s", "out of memory");
        return rc;
    }
    switch (dx_mail_multipart_check(&ps.top)) {
    case DX_MAIL_MP_OK:
        break;
    case DX_MAIL_MP_NO_BOUNDARY:
        set_err(err, errlen, "%s", "bad MIME structure: multipart/report without a boundary");
        return DX_EINVAL;
    case DX_MAIL_MP_NO_PARTS:
        set_err(err, errlen, "bad MIME boundary: \"%.100s\" delimits no part of the body",
                ct.boundary);
        return DX_EINVAL;
    case DX_MAIL_MP_UNCLOSED:
        set_err(err, errlen, "truncated: the closing MIME boundary \"--%.100s--\" is missing",
                ct.boundary);
        return DX_EINVAL;
    }
    if (!ps.have_fb) {
        if (err && errlen)
            snprintf(err, errlen, "not an ARF report: no message/feedback-report part (parts: %s)",
                     ps.types);
        return DX_EINVAL;
    }
    char *fb;
    size_t fbl;
    rc = dx_mail_part_decode(&ps.fb, &fb, &fbl);
    if (rc < 0) {
        set_err(err, errlen, "feedback-report part: %s",
                rc == DX_EINVAL ? "unknown Content-Transfer-Encoding" : "out of memory");
        return rc;
    }
    rc = read_fields(a, fb, fbl, err, errlen);
    free(fb);
    if (rc < 0)
        return rc;

    struct dx_key k;
    const char *from = dx_mail_header(m, "From", 0);
    if (from && from_domain(from, &k))
        copy_text(a->reporter, sizeof(a->reporter), (const char *)k.addr);
    else if (a->reporting_mta[0] && domain_key(a->reporting_mta, strlen(a->reporting_mta), &k))
        copy_text(a->reporter, sizeof(a->reporter), (const char *)k.addr);

    if (ps.have_orig) {
        a->orig_headers_only = dx_mail_ctype_is(&ps.orig.ct, "text", "rfc822-headers");
        const char *enc = ps.orig.encoding;
        if (strcmp(enc, "base64") == 0 || strcmp(enc, "quoted-printable") == 0) {
            size_t l;
            rc = dx_mail_part_decode(&ps.orig, &a->orig_decoded, &l);
            if (rc < 0) {
                set_err(err, errlen, "%s", "out of memory");
                return rc;
            }
            a->orig = a->orig_decoded;
            a->orig_len = l;
        } else {
            a->orig = ps.orig.body;
            a->orig_len = ps.orig.body_len;
        }
    }
    return 0;
}

bool dx_arf_lists(const char *feedback_type)
{
    return strcmp(feedback_type, "abuse") == 0 || strcmp(feedback_type, "fraud") == 0 ||
           strcmp(feedback_type, "virus") == 0;
}

int dx_arf_source(const struct dx_arf *a, struct dx_key *k, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (a->has_source_ip) {
        *k = a->source_ip;
        return 0;
    }
    if (!a->orig) {
        set_err(err, errlen, "%s", "no address: no Source-IP and no reported message");
        return DX_EINVAL;
    }
    struct dx_mail_msg o;
    if (dx_mail_parse(&o, a->orig, a->orig_len) < 0) {
        set_err(err, errlen, "%s", "out of memory");
        return DX_ENOMEM;
    }
    const char *vals[DX_ARF_MAX_RCVD];
    size_t n = dx_mail_header_all(&o, "Received", vals, DX_ARF_MAX_RCVD);
    if (n > DX_ARF_MAX_RCVD)
        n = DX_ARF_MAX_RCVD;
    size_t hop;
    enum dx_rcvd_why why = DX_RCVD_EMPTY;
    int rc = dx_rcvd_client(vals, n, NULL, 0, k, &hop, &why);
    dx_mail_free(&o);
    if (rc) {
        set_err(err, errlen, "no address: no Source-IP, and in the reported message: %s",
                dx_rcvd_why_str(why));
        return DX_EINVAL;
    }
    return 0;
}

void dx_arf_free(struct dx_arf *a)
{
    free(a->orig_decoded);
    a->orig_decoded = NULL;
    a->orig = NULL;
    a->orig_len = 0;
}
