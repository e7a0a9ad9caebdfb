/* Unit tests: message sources, header parsing and MIME walking
 * (loader/mail.c). Fixtures in tests/fixtures/mail/ (run from the
 * repository root); Maildirs are built in a temp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/mail.h"
#include "tests/unit/mail_fixture.h"
#include "zones/err.h"

#define FIX "tests/fixtures/mail/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    char *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, (1 << 20) - 1, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* ---- collected messages ------------------------------------------------- */

struct got {
    size_t n, nerr;
    char names[16][512];
    char *msgs[16];
    size_t lens[16];
    char errnames[16][512];
    int errs[16];
    int stop_at;                  /* return 7 from the nth message (1-based), 0 = never */
};

static int on_msg(void *arg, const char *buf, size_t len, const char *name)
{
    struct got *g = arg;
    assert_true(g->n < 16);
    snprintf(g->names[g->n], sizeof(g->names[0]), "%s", name);
    g->msgs[g->n] = malloc(len + 1);
    memcpy(g->msgs[g->n], buf, len);
    g->msgs[g->n][len] = 0;
    g->lens[g->n] = len;
    g->n++;
    return (g->stop_at && (size_t)g->stop_at == g->n) ? 7 : 0;
}

static void on_err(void *arg, const char *name, int err, const char *reason)
{
    struct got *g = arg;
    assert_non_null(reason);
    assert_true(g->nerr < 16);
    snprintf(g->errnames[g->nerr], sizeof(g->errnames[0]), "%s", name);
    g->errs[g->nerr++] = err;
}

static const struct dx_mail_src_ops ops = { on_msg, on_err };

static void got_free(struct got *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->msgs[i]);
    memset(g, 0, sizeof(*g));
}

static void msgid_is(const char *msg, size_t len, const char *want)
{
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, msg, len), 0);
    char id[256];
    assert_int_equal(dx_mail_message_id(&m, id, sizeof(id)), (int)strlen(want));
    assert_string_equal(id, want);
    dx_mail_free(&m);
}

/* ---- headers ------------------------------------------------------------ */

static void test_headers(void **state)
{
    (void)state;
    const char *t =
        "From mailer Sun Nov 22 10:00:00 2026\n"        /* not a header: skipped */
        "Received: from a (a [192.0.2.1])\n"
        "\tby b with ESMTP;\n"
        "   Sun, 22 Nov 2026\r\n"
        "received:   second  \n"
        "X-Empty:\n"
        "Subject: =?utf-8?q?hi?=\n"
        "garbage line without colon\n"
        " continuation of nothing\n"
        "Message-ID:\n"
        "  <abc @example.org> (comment)\n"
        "Return-Path: <>\n"
        "\r\n"
        "Body: not a header\n";
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, t, strlen(t)), 0);
    assert_int_equal(m.n, 6);
    assert_false(m.truncated);
    assert_string_equal(dx_mail_header(&m, "RECEIVED", 0),
                        "from a (a [192.0.2.1])\tby b with ESMTP;   Sun, 22 Nov 2026");
    assert_string_equal(dx_mail_header(&m, "Received", 1), "second");
    assert_null(dx_mail_header(&m, "Received", 2));
    assert_string_equal(dx_mail_header(&m, "x-empty", 0), "");
    assert_null(dx_mail_header(&m, "Body", 0));
    assert_string_equal(m.body, "Body: not a header\n");
    assert_int_equal(m.body_len, strlen("Body: not a header\n"));
    const char *all[1];
    assert_int_equal(dx_mail_header_all(&m, "received", all, 1), 2);
    assert_string_equal(all[0], dx_mail_header(&m, "Received", 0));

    char buf[64];
    assert_int_equal(dx_mail_message_id(&m, buf, sizeof(buf)), 15);
    assert_string_equal(buf, "abc@example.org");
    assert_int_equal(dx_mail_message_id(&m, buf, 5), DX_ERANGE);
    assert_int_equal(dx_mail_return_path(&m, buf, sizeof(buf)), 0);
    assert_true(dx_mail_is_bounce(&m));
    dx_mail_free(&m);

    /* no blank line: all headers, empty body; NUL bytes become spaces */
    const char nul[] = "A: x\0y\nB: z";
    assert_int_equal(dx_mail_parse(&m, nul, sizeof(nul) - 1), 0);
    assert_string_equal(dx_mail_header(&m, "a", 0), "x y");
    assert_string_equal(dx_mail_header(&m, "b", 0), "z");
    assert_int_equal(m.body_len, 0);
    assert_int_equal(dx_mail_message_id(&m, buf, sizeof(buf)), DX_ENOTFOUND);
    assert_int_equal(dx_mail_return_path(&m, buf, sizeof(buf)), DX_ENOTFOUND);
    assert_false(dx_mail_is_bounce(&m));
    dx_mail_free(&m);

    /* empty input */
    assert_int_equal(dx_mail_parse(&m, "", 0), 0);
    assert_int_equal(m.n, 0);
    dx_mail_free(&m);

    /* bounded: the header buffer is not NUL-terminated */
    char nt[6] = { 'X', ':', ' ', 'a', 'b', 'c' };
    assert_int_equal(dx_mail_parse(&m, nt, 5), 0);
    assert_string_equal(dx_mail_header(&m, "x", 0), "ab");
    dx_mail_free(&m);

    /* return path with an address */
    const char *rp = "Return-Path: <bounce+x@list.example>\n\n";
    assert_int_equal(dx_mail_parse(&m, rp, strlen(rp)), 0);
    assert_int_equal(dx_mail_return_path(&m, buf, sizeof(buf)), 21);
    assert_string_equal(buf, "bounce+x@list.example");
    assert_false(dx_mail_is_bounce(&m));
    dx_mail_free(&m);
}

static void test_header_limit(void **state)
{
    (void)state;
    size_t n = DX_MAIL_MAX_HEADERS + 10;
    char *b = malloc(n * 16 + 16);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(b + o, "H%zu: %zu\n", i, i);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, b, o), 0);
    assert_int_equal(m.n, DX_MAIL_MAX_HEADERS);
    assert_true(m.truncated);
    assert_string_equal(dx_mail_header(&m, "H0", 0), "0");
    assert_null(dx_mail_header(&m, "H1030", 0));
    dx_mail_free(&m);
    free(b);
}

/* ---- MIME --------------------------------------------------------------- */

static void test_content_type(void **state)
{
    (void)state;
    struct dx_mail_ctype ct;
    assert_int_equal(dx_mail_content_type(
        "Multipart/Report (c) ; Report-Type=\"Feedback-Report\"; boundary=\"a b\\\"c\"", &ct), 0);
    assert_string_equal(ct.type, "multipart");
    assert_string_equal(ct.subtype, "report");
    assert_string_equal(ct.report_type, "feedback-report");
    assert_string_equal(ct.boundary, "a b\"c");
    assert_true(dx_mail_ctype_is(&ct, "multipart", "report"));
    assert_int_equal(dx_mail_content_type("text/plain; charset=utf-8;", &ct), 0);
    assert_string_equal(ct.boundary, "");
    assert_int_equal(dx_mail_content_type(NULL, &ct), 0);
    assert_true(dx_mail_ctype_is(&ct, "text", "plain"));
    assert_int_equal(dx_mail_content_type("garbage", &ct), DX_EINVAL);
    assert_true(dx_mail_ctype_is(&ct, "text", "plain"));
    assert_int_equal(dx_mail_content_type("multipart/mixed; boundary=\"unterminated", &ct),
                     DX_EINVAL);
    char big[400];
    snprintf(big, sizeof(big), "multipart/mixed; boundary=%0300d", 1);
    assert_int_equal(dx_mail_content_type(big, &ct), DX_EINVAL);
}

struct seen {
    int n;
    char types[32][2 * DX_MAIL_TOKEN_MAX + 2];
    int depth[32];
};

static int seen_cb(void *arg, const struct dx_mail_part *p)
{
    struct seen *s = arg;
    if (s->n < 32) {
        snprintf(s->types[s->n], sizeof(s->types[0]), "%s/%s", p->ct.type, p->ct.subtype);
        s->depth[s->n] = p->depth;
    }
    s->n++;
    return 0;
}

static void test_walk(void **state)
{
    (void)state;
    const char *t =
        "Content-Type: multipart/mixed; boundary=outer\r\n"
        "\r\n"
        "preamble\r\n"
        "--outer\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "hello\r\n"
        "--outer\r\n"
        "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
        "\r\n"
        "--inner\r\n"
        "\r\n"
        "default text\r\n"
        "--inner  \r\n"
        "Content-Type: text/html\r\n"
        "Content-Transfer-Encoding: Quoted-Printable\r\n"
        "\r\n"
        "<p>a=3Db=\r\n"
        "c</p>\r\n"
        "--inner--\r\n"
        "--outer\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "Content-Type: multipart/mixed; boundary=outer\r\n"
        "\r\n"
        "--outer--\r\n"
        "--outer--\r\n"
        "epilogue --outer\r\n";
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, t, strlen(t)), 0);
    struct seen s = { 0 };
    assert_int_equal(dx_mail_walk(&m, seen_cb, &s), 0);
    assert_int_equal(s.n, 6);
    assert_string_equal(s.types[0], "multipart/mixed");
    assert_int_equal(s.depth[0], 0);
    assert_string_equal(s.types[1], "text/plain");
    assert_string_equal(s.types[2], "multipart/alternative");
    assert_string_equal(s.types[3], "text/plain");
    assert_int_equal(s.depth[3], 2);
    assert_string_equal(s.types[4], "text/html");
    assert_string_equal(s.types[5], "message/rfc822");
    assert_int_equal(s.depth[5], 1);

    struct dx_mail_part p;
    assert_int_equal(mail_find_part(&m, "text", "html", &p), 0);
    assert_string_equal(p.encoding, "quoted-printable");
    char *d;
    size_t dl;
    assert_int_equal(dx_mail_part_decode(&p, &d, &dl), 0);
    assert_string_equal(d, "<p>a=bc</p>");
    assert_int_equal(dl, 11);
    free(d);
    assert_int_equal(mail_find_part(&m, "text", "plain", &p), 0);
    assert_int_equal(p.body_len, 5);
    assert_memory_equal(p.body, "hello", 5);
    assert_int_equal(mail_find_part(&m, "message", "rfc822", &p), 0);
    assert_true(p.body_len > 0 && memcmp(p.body, "Content-Type", 12) == 0);
    assert_int_equal(mail_find_part(&m, "image", "png", &p), DX_ENOTFOUND);
    dx_mail_free(&m);

    /* base64 */
    p.body = "aGVs\r\nbG8g\nd29y bGQ=\r\n";
    p.body_len = strlen(p.body);
    strcpy(p.encoding, "base64");
    assert_int_equal(dx_mail_part_decode(&p, &d, &dl), 0);
    assert_string_equal(d, "hello world");
    free(d);
    strcpy(p.encoding, "x-uuencode");
    assert_int_equal(dx_mail_part_decode(&p, &d, &dl), DX_EINVAL);
}

static enum dx_mail_mp mp_of(const char *text)
{
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, text, strlen(text)), 0);
    struct dx_mail_part top;
    memset(&top, 0, sizeof(top));
    assert_int_equal(mail_find_part(&m, "multipart", "report", &top) == 0 ||
                     mail_find_part(&m, "text", "plain", &top) == 0, 1);
    dx_mail_free(&m);
    return dx_mail_multipart_check(&top);
}

/* RFC 2046 5.1.1 delimiters: parts, then the closing one. */
static void test_multipart_check(void **state)
{
    (void)state;
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=b\n\n"
                           "preamble\n--b\n\none\n--b \n\ntwo\n--b--\nepilogue\n"), DX_MAIL_MP_OK);
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=b\r\n\r\n"
                           "--b\r\n\r\none\r\n--b--\r\n"), DX_MAIL_MP_OK);
    assert_int_equal(mp_of("Content-Type: multipart/report\n\n--b\n\none\n--b--\n"),
                     DX_MAIL_MP_NO_BOUNDARY);
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=c\n\n--b\n\none\n--b--\n"),
                     DX_MAIL_MP_NO_PARTS);
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=b\n\n--b--\n"),
                     DX_MAIL_MP_NO_PARTS);
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=b\n\n--b\n\none\n"),
                     DX_MAIL_MP_UNCLOSED);
    /* a delimiter must be the whole line: "--bx" is not "--b" */
    assert_int_equal(mp_of("Content-Type: multipart/report; boundary=b\n\n--bx\n\none\n--b--\n"),
                     DX_MAIL_MP_NO_PARTS);
    assert_int_equal(mp_of("Content-Type: text/plain\n\n--b\n"), DX_MAIL_MP_OK);
}

static void test_walk_limits(void **state)
{
    (void)state;
    /* nesting deeper than DX_MAIL_MAX_DEPTH, and a missing closing delimiter */
    char t[8192];
    size_t o = 0;
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(t + o, sizeof(t) - o,
                              "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    o += (size_t)snprintf(t + o, sizeof(t) - o, "Content-Type: text/plain\n\nleaf\n");
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, t, o), 0);
    struct seen s = { 0 };
    assert_int_equal(dx_mail_walk(&m, seen_cb, &s), 0);
    assert_int_equal(s.n, DX_MAIL_MAX_DEPTH + 1);
    assert_int_equal(s.depth[DX_MAIL_MAX_DEPTH], DX_MAIL_MAX_DEPTH);
    dx_mail_free(&m);

    /* many parts: capped */
    char *big = malloc(1 << 16);
    o = (size_t)sprintf(big, "Content-Type: multipart/mixed; boundary=x\n\n");
    for (int i = 0; i < 1000; i++)
        o += (size_t)sprintf(big + o, "--x\n\n%d\n", i);
    assert_int_equal(dx_mail_parse(&m, big, o), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(dx_mail_walk(&m, seen_cb, &s), 0);
    assert_int_equal(s.n, DX_MAIL_MAX_PARTS);
    dx_mail_free(&m);
    free(big);
}

static void test_bounce(void **state)
{
    (void)state;
    size_t len;
    char *b = slurp(FIX "bounce.eml", &len);
    struct dx_mail_msg m;
    assert_int_equal(dx_mail_parse(&m, b, len), 0);
    assert_true(dx_mail_is_bounce(&m));
    char rp[64];
    assert_int_equal(dx_mail_return_path(&m, rp, sizeof(rp)), 0);
    struct dx_mail_part p;
    assert_int_equal(mail_find_part(&m, "message", "delivery-status", &p), 0);
    assert_true(p.body_len > 0 && memcmp(p.body, "Reporting-MTA", 13) == 0);
    dx_mail_free(&m);

    /* the same report with a real Return-Path is still a bounce (the DSN) */
    char *b2 = malloc(len + 64);
    strcpy(b2, "Return-Path: <postmaster@victim.example>\n");
    memcpy(b2 + strlen(b2), b + strlen("Return-Path: <>\n"), len - strlen("Return-Path: <>\n") + 1);
    assert_int_equal(dx_mail_parse(&m, b2, strlen(b2)), 0);
    assert_int_equal(dx_mail_return_path(&m, rp, sizeof(rp)), 25);
    assert_true(dx_mail_is_bounce(&m));
    dx_mail_free(&m);
    free(b2);
    free(b);

    /* a normal trap message is not */
    b = slurp(FIX "received-postfix.eml", &len);
    assert_int_equal(dx_mail_parse(&m, b, len), 0);
    assert_false(dx_mail_is_bounce(&m));
    dx_mail_free(&m);
    free(b);
}

/* ---- sources ------------------------------------------------------------ */

static void test_mbox(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct dx_mail_stats st;
    char err[256];
    assert_int_equal(dx_mail_read_source(FIX "traps.mbox", &ops, &g, &st, err, sizeof(err)), 0);
    assert_int_equal(g.n, 3);
    assert_int_equal(st.messages, 3);
    assert_int_equal(st.errors, 0);
    assert_string_equal(g.names[0], FIX "traps.mbox:1");
    assert_string_equal(g.names[2], FIX "traps.mbox:3");
    msgid_is(g.msgs[0], g.lens[0], "mbox-1@bulk.example");
    msgid_is(g.msgs[1], g.lens[1], "mbox-2@bulk.example");
    msgid_is(g.msgs[2], g.lens[2], "mbox-3@bulk.example");
    /* no "From " separator line inside; the separating blank line dropped */
    assert_true(strncmp(g.msgs[0], "Return-Path:", 12) == 0);
    assert_true(g.lens[0] > 15);
    assert_string_equal(g.msgs[0] + g.lens[0] - 15, "First message.\n");
    assert_string_equal(g.msgs[2] + g.lens[2] - 15, "Third message.\n");
    assert_null(strstr(g.msgs[0], "From other"));
    assert_int_equal(g.msgs[0][g.lens[0] - 1], '\n');
    assert_false(g.lens[0] >= 2 && g.msgs[0][g.lens[0] - 2] == '\n');
    /* >From unquoted, one level */
    assert_non_null(strstr(g.msgs[1], "\nFrom the desk of the director\n"));
    assert_non_null(strstr(g.msgs[1], "\n>From nested quoting\n"));
    assert_non_null(strstr(g.msgs[1], "\nFrom inside a paragraph"));
    assert_null(strstr(g.msgs[1], ">From the desk"));
    got_free(&g);

    /* the callback stops the walk */
    g.stop_at = 2;
    assert_int_equal(dx_mail_read_source(FIX "traps.mbox", &ops, &g, &st, err, sizeof(err)), 7);
    assert_int_equal(g.n, 2);
    got_free(&g);

    /* CRLF mbox, text before the first From line ignored */
    const char *crlf = "junk\r\n\r\nFrom a\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b\r\nSubject: 2\r\n\r\ny\r\n";
    memset(&st, 0, sizeof(st));
    assert_int_equal(dx_mail_split_mbox(crlf, strlen(crlf), "m", &ops, &g, &st), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.msgs[0], "Subject: 1\r\n\r\nx\r\n");
    assert_string_equal(g.msgs[1], "Subject: 2\r\n\r\ny\r\n");
    assert_string_equal(g.names[1], "m:2");
    got_free(&g);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_maildir(void **state)
{
    (void)state;
    char dir[] = "/tmp/dx-maildir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512], q[512];
    struct got g = { 0 };
    struct dx_mail_stats st;
    char err[512];

    /* neither new/ nor cur/: not a Maildir */
    assert_int_equal(dx_mail_read_source(dir, &ops, &g, &st, err, sizeof(err)), DX_EINVAL);
    assert_non_null(strstr(err, "not a Maildir"));

    snprintf(p, sizeof(p), "%s/new", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/cur", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/tmp", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/new/1700000001.M1.host", dir);
    write_file(p, "Message-ID: <n1@x>\n\nnew one\n");
    snprintf(p, sizeof(p), "%s/new/1700000002.M2.host", dir);
    write_file(p, "Message-ID: <n2@x>\n\nnew two\n");
    snprintf(p, sizeof(p), "%s/cur/1700000000.M0.host:2,S", dir);
    write_file(p, "Message-ID: <c0@x>\n\ncur\n");
    snprintf(p, sizeof(p), "%s/tmp/1700000003.M3.host", dir);
    write_file(p, "Message-ID: <t3@x>\n\nnot delivered yet\n");
    snprintf(p, sizeof(p), "%s/new/.hidden", dir);
    write_file(p, "Message-ID: <hidden@x>\n\n");
    /* unreadable entries: a dangling symlink and a subdirectory */
    snprintf(p, sizeof(p), "%s/new/1700000001.M5.dangling", dir);
    assert_int_equal(symlink("/nonexistent/dx-test", p), 0);
    snprintf(q, sizeof(q), "%s/cur/1700000009.M9.subdir", dir);
    assert_int_equal(mkdir(q, 0700), 0);

    assert_int_equal(dx_mail_read_source(dir, &ops, &g, &st, err, sizeof(err)), 0);
    assert_int_equal(st.messages, 3);
    assert_int_equal(st.errors, 2);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.nerr, 2);
    msgid_is(g.msgs[0], g.lens[0], "n1@x");
    msgid_is(g.msgs[1], g.lens[1], "n2@x");
    msgid_is(g.msgs[2], g.lens[2], "c0@x");
    snprintf(q, sizeof(q), "%s/new/1700000001.M1.host", dir);
    assert_string_equal(g.names[0], q);
    assert_non_null(strstr(g.errnames[0], "M5.dangling"));
    assert_int_equal(g.errs[0], -ENOENT);
    assert_non_null(strstr(g.errnames[1], "M9.subdir"));
    assert_int_equal(g.errs[1], DX_EINVAL);
    got_free(&g);

    /* no error callback: still counted */
    struct dx_mail_src_ops quiet = { on_msg, NULL };
    assert_int_equal(dx_mail_read_source(dir, &quiet, &g, &st, err, sizeof(err)), 0);
    assert_int_equal(st.errors, 2);
    got_free(&g);

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_file_and_stdin(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct dx_mail_stats st;
    char err[256];
    /* a single .eml file */
    assert_int_equal(dx_mail_read_source(FIX "received-postfix.eml", &ops, &g, &st, err,
                                         sizeof(err)), 0);
    assert_int_equal(g.n, 1);
    msgid_is(g.msgs[0], g.lens[0], "postfix@bulk.example");
    got_free(&g);

    assert_int_equal(dx_mail_read_source("/nonexistent/dx", &ops, &g, &st, err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/dx"));
    assert_int_equal(dx_mail_read_source("/dev/null", &ops, &g, &st, err, sizeof(err)),
                     DX_EINVAL);

    /* an empty file is one empty message (as an empty Maildir file is) */
    char tmpl[] = "/tmp/dx-mail-empty-XXXXXX";
    int efd = mkstemp(tmpl);
    assert_true(efd >= 0);
    close(efd);
    assert_int_equal(dx_mail_read_source(tmpl, &ops, &g, &st, err, sizeof(err)), 0);
    unlink(tmpl);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.lens[0], 0);
    assert_string_equal(g.names[0], tmpl);
    assert_int_equal(st.messages, 1);
    got_free(&g);

    /* "-": stdin */
    int saved = dup(0);
    int fd = open(FIX "bounce.eml", O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    int rc = dx_mail_read_source("-", &ops, &g, &st, err, sizeof(err));
    dup2(saved, 0);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.names[0], "-");
    msgid_is(g.msgs[0], g.lens[0], "bounce-1@mail.victim.example");
    got_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_multipart_check),
        cmocka_unit_test(test_walk_limits),
        cmocka_unit_test(test_bounce),
        cmocka_unit_test(test_mbox),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_file_and_stdin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
