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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abuse),
        cmocka_unit_test(test_no_source_ip),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_not_arf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
