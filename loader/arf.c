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

struct parts {
    bool have_fb, have_orig;
    struct dx_mail_part fb, orig;
};

static int parts_cb(void *arg, const struct dx_mail_part *p)
{
    struct parts *ps = arg;
    if (p->depth == 0)
        return 0;
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
    struct dx_mail_ctype ct;
    const char *ctv = dx_mail_header(m, "Content-Type", 0);
    if (dx_mail_content_type(ctv, &ct) < 0 || !dx_mail_ctype_is(&ct, "multipart", "report")) {
        char what[2 * DX_MAIL_TOKEN_MAX + 2];
        snprintf(what, sizeof(what), "%s/%s", ct.type, ct.subtype);
        set_err(err, errlen, "not an ARF report: Content-Type is %s, not multipart/report",
                ctv ? what : "absent");
        return DX_EINVAL;
    }
    if (strcmp(ct.report_type, "feedback-report") != 0) {
        set_err(err, errlen, "not an ARF report: report-type is \"%s\", not feedback-report",
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
    if (!ps.have_fb) {
        set_err(err, errlen, "%s", "not an ARF report: no message/feedback-report part");
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

void dx_arf_free(struct dx_arf *a)
{
    free(a->orig_decoded);
    a->orig_decoded = NULL;
    a->orig = NULL;
    a->orig_len = 0;
}
