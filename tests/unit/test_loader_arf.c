/* Unit tests: ARF (RFC 5965) report parsing (loader/arf.c), against the
 * samples in tests/fixtures/mail/ (run from the repository root). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/arf.h"
#include "loader/mail.h"
#include "loader/received.h"
#include "zones/err.h"

#define FIX "tests/fixtures/mail/"

struct fx {
    char *buf;
    size_t len;
    struct dx_mail_msg m;
    struct dx_arf a;
    char err[256];
};

static int load(struct fx *f, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s (run from the repository root)", path);
    f->buf = malloc(1 << 20);
    assert_non_null(f->buf);
    f->len = fread(f->buf, 1, (1 << 20) - 1, fp);
    f->buf[f->len] = 0;
    fclose(fp);
    assert_int_equal(dx_mail_parse(&f->m, f->buf, f->len), 0);
    f->err[0] = 0;
    return dx_arf_parse(&f->m, &f->a, f->err, sizeof(f->err));
}

static int load_text(struct fx *f, const char *text)
{
    f->buf = strdup(text);
    f->len = strlen(text);
    assert_int_equal(dx_mail_parse(&f->m, f->buf, f->len), 0);
    f->err[0] = 0;
    return dx_arf_parse(&f->m, &f->a, f->err, sizeof(f->err));
}

static void done(struct fx *f)
{
    dx_arf_free(&f->a);
    dx_mail_free(&f->m);
    free(f->buf);
    memset(f, 0, sizeof(*f));
}

static void key_is(const struct dx_key *k, const char *want)
{
    char buf[DX_KEY_TEXT_MAX];
    assert_true(dx_key_format(k, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, want);
}

static void test_abuse(void **state)
{
    (void)state;
    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "arf-abuse.eml"), 0);
    assert_string_equal(f.a.feedback_type, "abuse");
    assert_string_equal(f.a.user_agent, "SomeGenerator/1.0");
    assert_string_equal(f.a.version, "1");
    assert_true(f.a.has_source_ip);
    key_is(&f.a.source_ip, "198.51.100.1");
    assert_int_equal(f.a.n_domains, 1);
    key_is(&f.a.domains[0], "example.net");
    assert_int_equal(f.a.n_bad_domains, 0);
    assert_string_equal(f.a.original_mail_from, "<somespammer@example.net>");
    assert_int_equal(f.a.n_rcpts, 1);
    assert_string_equal(f.a.original_rcpt_to[0], "<user@isp.example>");
    assert_string_equal(f.a.arrival_date, "Sun, 22 Nov 2026 08:00:00 +0000");
    assert_string_equal(f.a.reporting_mta, "mail.isp.example");
    assert_string_equal(f.a.reporter, "isp.example");   /* From:, lowercased */
    assert_non_null(f.a.orig);
    assert_false(f.a.orig_headers_only);
    /* the included message is a message of its own */
    struct dx_mail_msg o;
    assert_int_equal(dx_mail_parse(&o, f.a.orig, f.a.orig_len), 0);
    assert_string_equal(dx_mail_header(&o, "Subject", 0), "Earn money");
    assert_true(o.body_len > 0 && memcmp(o.body, "Spam Spam Spam", 14) == 0);
    dx_mail_free(&o);
    done(&f);
}

/* No Source-IP: the caller falls back to the Received chain of the
 * included headers (here a reporter's LMTP hop, then its MX's client). */
static void test_no_source_ip(void **state)
{
    (void)state;
    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "arf-no-source-ip.eml"), 0);
    assert_string_equal(f.a.feedback_type, "abuse");
    assert_false(f.a.has_source_ip);
    assert_int_equal(f.a.n_domains, 0);
    assert_string_equal(f.a.reporter, "reports.mailbox.example");
    assert_non_null(f.a.orig);
    assert_true(f.a.orig_headers_only);
    struct dx_mail_msg o;
    assert_int_equal(dx_mail_parse(&o, f.a.orig, f.a.orig_len), 0);
    const char *rc[8];
    size_t n = dx_mail_header_all(&o, "Received", rc, 8);
    assert_int_equal(n, 2);
    struct dx_key client;
    size_t hop;
    enum dx_rcvd_why why;
    assert_int_equal(dx_rcvd_client(rc, n, NULL, 0, &client, &hop, &why), 0);
    key_is(&client, "2001:db8:bad::7");
    assert_int_equal(hop, 1);
    dx_mail_free(&o);
    done(&f);
}

static void test_domains(void **state)
{
    (void)state;
    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "arf-domain.eml"), 0);
    assert_string_equal(f.a.feedback_type, "fraud");
    assert_true(f.a.has_source_ip);
    key_is(&f.a.source_ip, "2001:db8:1:2::99");
    assert_int_equal(f.a.n_domains, 2);
    key_is(&f.a.domains[0], "phish.example");
    key_is(&f.a.domains[1], "login-bank.example");
    assert_int_equal(f.a.n_bad_domains, 1);
    assert_int_equal(f.a.n_rcpts, 2);
    assert_string_equal(f.a.original_rcpt_to[1], "b@cert.example");
    assert_string_equal(f.a.reporter, "cert.example");
    /* base64 message/rfc822, decoded */
    assert_non_null(f.a.orig_decoded);
    assert_ptr_equal(f.a.orig, f.a.orig_decoded);
    struct dx_mail_msg o;
    assert_int_equal(dx_mail_parse(&o, f.a.orig, f.a.orig_len), 0);
    assert_string_equal(dx_mail_header(&o, "From", 0), "security@phish.example");
    dx_mail_free(&o);
    done(&f);
}

static void test_not_arf(void **state)
{
    (void)state;
    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "not-arf.eml"), DX_EINVAL);
    assert_non_null(strstr(f.err, "not an ARF report"));
    assert_non_null(strstr(f.err, "text/plain"));
    done(&f);

    /* a DSN is a multipart/report, but not a feedback report */
    assert_int_equal(load(&f, FIX "bounce.eml"), DX_EINVAL);
    assert_non_null(strstr(f.err, "delivery-status"));
    done(&f);

    assert_int_equal(load_text(&f, "Subject: x\n\nno content type\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "absent"));
    done(&f);

    /* the right type, but no feedback-report part */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nhi\n--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "no message/feedback-report part"));
    done(&f);

    /* a feedback-report part without Feedback-Type */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: message/feedback-report\n\nVersion: 1\n--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "Feedback-Type"));
    done(&f);

    /* a Source-IP that is not an address */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nSource-IP: mail.example.net\n--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "Source-IP"));
    done(&f);

    /* minimal valid: reporter from Reporting-MTA when From: has no address,
     * Source-IP with a comment, no original message */
    assert_int_equal(load_text(&f,
        "From: nobody\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: Abuse\nReporting-MTA: dns; MTA.Reporter.example\n"
        "Source-IP: 192.0.2.77 (mail.example.net)\n--b--\n"), 0);
    assert_string_equal(f.a.feedback_type, "abuse");
    assert_string_equal(f.a.reporter, "mta.reporter.example");
    key_is(&f.a.source_ip, "192.0.2.77");
    assert_null(f.a.orig);
    done(&f);
}

/* One fixture per kind of file that is no valid report: each is refused
 * with its own reason. */
static void test_bad_files(void **state)
{
    (void)state;
    static const struct {
        const char *file, *why;
    } bad[] = {
        { "bad-boundary.eml", "bad MIME boundary: \"----=_Part_4711_1795860000001\" delimits no part" },
        { "dsn.eml", "report-type is \"delivery-status\" (a bounce)" },
        { "plain-complaint.eml", "Content-Type is text/plain, not multipart/report" },
        { "forwarded-spam.eml", "Content-Type is multipart/mixed, not multipart/report" },
        { "no-feedback-type.eml", "no Feedback-Type field" },
        { "bad-source-ip.eml", "bad Source-IP: 198.51.100.256" },
        { "truncated.eml", "truncated: the closing MIME boundary \"------=_Part_4711_1795860000000--\" is missing" },
        { "empty.eml", "empty: not a mail message" },
        { "binary.eml", "binary data (NUL bytes): not a mail message" },
        { "wrong-part-type.eml",
          "no message/feedback-report part (parts: text/plain, text/plain, message/rfc822)" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), FIX "reports-bad/%s", bad[i].file);
        struct fx f = { 0 };
        int rc = load(&f, path);
        if (rc != DX_EINVAL || !strstr(f.err, bad[i].why))
            fail_msg("%s: rc %d, err '%s'", bad[i].file, rc, f.err);
        done(&f);
    }
    /* valid ARF, but no address anywhere: no Source-IP, no Received in the
     * included header */
    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "reports-bad/no-ip.eml"), 0);
    struct dx_key k;
    char err[256];
    assert_int_equal(dx_arf_source(&f.a, &k, err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "no address: no Source-IP, and in the reported message: "
                             "no Received headers");
    done(&f);
    /* valid ARF, but nobody to count it for */
    assert_int_equal(load(&f, FIX "reports-bad/no-reporter.eml"), 0);
    assert_string_equal(f.a.reporter, "");
    done(&f);
}

/* Structure checks on small reports. */
static void test_bad_structure(void **state)
{
    (void)state;
    struct fx f = { 0 };
    static const char fb[] = "--b\nContent-Type: message/feedback-report\n\n"
                             "Feedback-Type: abuse\nSource-IP: 192.0.2.1\n";
    char t[1024];
    /* no boundary parameter */
    assert_int_equal(load_text(&f, "Content-Type: multipart/report; report-type=feedback-report\n\n"
                                   "--b\n\nx\n--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "without a boundary"));
    done(&f);
    /* the closing delimiter only: no part */
    assert_int_equal(load_text(&f, "Content-Type: multipart/report; report-type=feedback-report; "
                                   "boundary=b\n\n--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "bad MIME boundary"));
    done(&f);
    /* complete, and cut short */
    snprintf(t, sizeof(t), "From: a@r.example\nContent-Type: multipart/report; "
             "report-type=feedback-report; boundary=b\n\n%s--b--\n", fb);
    assert_int_equal(load_text(&f, t), 0);
    done(&f);
    snprintf(t, sizeof(t), "From: a@r.example\nContent-Type: multipart/report; "
             "report-type=feedback-report; boundary=b\n\n%s", fb);
    assert_int_equal(load_text(&f, t), DX_EINVAL);
    assert_non_null(strstr(f.err, "truncated"));
    done(&f);
    /* a feedback-report part nested deeper than the report's own parts */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
        "--c\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n--c--\n"
        "--b--\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "no message/feedback-report part (parts: multipart/mixed)"));
    done(&f);
    /* a Content-Type that cannot be read; headers only, no blank line */
    assert_int_equal(load_text(&f, "Content-Type: multipart/\n\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "unreadable Content-Type \"multipart/\""));
    done(&f);
    assert_int_equal(load_text(&f, "\n\nbody only\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "no header fields"));
    done(&f);
    assert_int_equal(load_text(&f, "\n"), DX_EINVAL);
    assert_non_null(strstr(f.err, "empty"));
    done(&f);
}

/* Which Feedback-Types list (RFC 5965 7.3, RFC 6430, RFC 6591). */
static void test_feedback_types(void **state)
{
    (void)state;
    assert_true(dx_arf_lists("abuse"));
    assert_true(dx_arf_lists("fraud"));
    assert_true(dx_arf_lists("virus"));
    assert_false(dx_arf_lists("not-spam"));
    assert_false(dx_arf_lists("auth-failure"));
    assert_false(dx_arf_lists("other"));
    assert_false(dx_arf_lists("opt-out"));
    assert_false(dx_arf_lists(""));
    assert_false(dx_arf_lists("Abuse"));      /* dx_arf_parse lowercases */

    struct fx f = { 0 };
    assert_int_equal(load(&f, FIX "arf-not-spam.eml"), 0);
    assert_string_equal(f.a.feedback_type, "not-spam");
    assert_false(dx_arf_lists(f.a.feedback_type));
    key_is(&f.a.source_ip, "198.51.100.74");
    done(&f);
    assert_int_equal(load(&f, FIX "arf-auth-failure.eml"), 0);
    assert_string_equal(f.a.feedback_type, "auth-failure");
    assert_false(dx_arf_lists(f.a.feedback_type));
    assert_true(f.a.orig_headers_only);
    done(&f);
    assert_int_equal(load(&f, FIX "arf-virus.eml"), 0);   /* CRLF line ends */
    assert_string_equal(f.a.feedback_type, "virus");
    assert_true(dx_arf_lists(f.a.feedback_type));
    assert_string_equal(f.a.reporter, "isp-b.example");
    done(&f);
}

/* The address of a report: Source-IP first, else the reported message. */
static void test_source(void **state)
{
    (void)state;
    struct fx f = { 0 };
    struct dx_key k;
    char err[256];
    assert_int_equal(load(&f, FIX "arf-abuse.eml"), 0);
    assert_int_equal(dx_arf_source(&f.a, &k, err, sizeof(err)), 0);
    key_is(&k, "198.51.100.1");
    done(&f);
    assert_int_equal(load(&f, FIX "arf-no-source-ip.eml"), 0);
    assert_int_equal(dx_arf_source(&f.a, &k, err, sizeof(err)), 0);
    key_is(&k, "2001:db8:bad::7");
    done(&f);
    /* no Source-IP and no reported message */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n--b--\n"), 0);
    assert_int_equal(dx_arf_source(&f.a, &k, err, sizeof(err)), DX_EINVAL);
    assert_string_equal(err, "no address: no Source-IP and no reported message");
    done(&f);
    /* the reported message's only hop is loopback: nothing to list */
    assert_int_equal(load_text(&f,
        "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
        "--b\nContent-Type: text/rfc822-headers\n\n"
        "Received: from localhost (localhost [127.0.0.1]) by mx.r.example with ESMTP\n"
        "--b--\n"), 0);
    assert_int_equal(dx_arf_source(&f.a, &k, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "every Received hop is a trusted relay"));
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abuse),
        cmocka_unit_test(test_no_source_ip),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_not_arf),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_structure),
        cmocka_unit_test(test_feedback_types),
        cmocka_unit_test(test_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
