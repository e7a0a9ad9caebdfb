/* Unit tests for dnsxl-web's escaping (admin/web_page.c) and its form
 * tokens and proof of work (admin/web_guard.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/web.h"

static char *html(const char *s, void (*fn)(FILE *, const char *))
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fn(f, s);
    fclose(f);
    return buf;
}

static void test_html_escapes_markup_quotes_controls_and_bad_utf8(void **state)
{
    (void)state;
    char *o = html("<script>alert('x')</script> \"a\" & b", dx_web_html);
    assert_string_equal(o, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;a&quot; &amp; b");
    free(o);
    o = html("a\x01\x1b[31m\x7f" "b\xc2\x9b" "c\xff" "d\xc3\xa9", dx_web_html);
    /* C0, ESC, DEL, the C1 CSI and an invalid byte: U+FFFD each; é kept */
    assert_string_equal(o, "a\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd" "b\xef\xbf\xbd"
                           "c\xef\xbf\xbd" "d\xc3\xa9");
    free(o);
    o = html(NULL, dx_web_html);
    assert_string_equal(o, "");
    free(o);
    o = html("192.0.2.1 bl.example.org/x&y=\"1\"", dx_web_url);
    assert_string_equal(o, "192.0.2.1%20bl.example.org%2Fx%26y%3D%221%22");
    free(o);
}

static void test_tokens_bind_session_target_and_time(void **state)
{
    (void)state;
    struct dx_conf conf;
    memset(&conf, 0, sizeof(conf));
    conf.web.pow_bits = 8;
    static struct dx_web w;
    memset(&w, 0, sizeof(w));
    w.conf = &conf;
    pthread_mutex_init(&w.lock, NULL);
    randombytes_buf(w.key, sizeof(w.key));
    char tok[65];
    uint64_t now = 1800000000;
    dx_web_csrf_make(&w, "sid1", "192.0.2.1 bl.test/a", now, tok);
    assert_int_equal(strlen(tok), 48);
    assert_true(dx_web_csrf_check(&w, "sid1", "192.0.2.1 bl.test/a", tok, now + 60));
    assert_false(dx_web_csrf_check(&w, "sid2", "192.0.2.1 bl.test/a", tok, now));
    assert_false(dx_web_csrf_check(&w, "sid1", "192.0.2.2 bl.test/a", tok, now));
    assert_false(dx_web_csrf_check(&w, "sid1", "192.0.2.1 bl.test/a", tok, now + DX_WEB_TOKEN_AGE + 1));
    assert_false(dx_web_csrf_check(&w, NULL, "192.0.2.1 bl.test/a", tok, now));
    assert_false(dx_web_csrf_check(&w, "sid1", "192.0.2.1 bl.test/a", "zz", now));
    tok[47] = tok[47] == '0' ? '1' : '0';
    assert_false(dx_web_csrf_check(&w, "sid1", "192.0.2.1 bl.test/a", tok, now));

    char ch[81], text[120], nonce[24];
    dx_web_pow_make(&w, "t", now, ch);
    assert_int_equal(strlen(ch), 64);
    unsigned n = 0;
    for (;; n++) {
        snprintf(text, sizeof(text), "%s:%u", ch, n);
        if (dx_web_pow_zeros(text) >= 8)
            break;
    }
    snprintf(nonce, sizeof(nonce), "%u", n);
    char bad[24];
    snprintf(bad, sizeof(bad), "%u", n == 0 ? 1 : n - 1);
    snprintf(text, sizeof(text), "%s:%s", ch, bad);
    if (dx_web_pow_zeros(text) < 8)
        assert_non_null(dx_web_pow_check(&w, "t", ch, bad, now));       /* no solution */
    assert_non_null(dx_web_pow_check(&w, "other", ch, nonce, now));     /* another target */
    assert_non_null(dx_web_pow_check(&w, "t", ch, nonce, now + DX_WEB_POW_AGE + 1));
    assert_non_null(dx_web_pow_check(&w, "t", ch, "", now));
    assert_non_null(dx_web_pow_check(&w, "t", ch, "12a", now));
    assert_null(dx_web_pow_check(&w, "t", ch, nonce, now));
    const char *again = dx_web_pow_check(&w, "t", ch, nonce, now);      /* used once */
    assert_non_null(again);
    assert_non_null(strstr(again, "sent already"));
    /* SHA-256("abc") = ba7816bf...: no leading zero bit; of "" e3b0c442: none either */
    assert_int_equal(dx_web_pow_zeros("abc"), 0);
}

/* A token or challenge made by a thread whose clock is up to a minute
 * ahead (the skew web_guard.c allows) is fresh, not taken for one made
 * 2^64 - 60 seconds ago; more than a minute ahead it is refused. */
static void test_tokens_from_a_minute_ahead_are_fresh(void **state)
{
    (void)state;
    static struct dx_conf conf;
    conf.web.pow_bits = 0;
    static struct dx_web w;
    memset(&w, 0, sizeof(w));
    w.conf = &conf;
    pthread_mutex_init(&w.lock, NULL);
    randombytes_buf(w.key, sizeof(w.key));
    uint64_t now = 1800000000;
    char tok[65], ch[81];
    dx_web_csrf_make(&w, "sid1", "t", now + 60, tok);
    assert_true(dx_web_csrf_check(&w, "sid1", "t", tok, now));
    dx_web_csrf_make(&w, "sid1", "t", now + 1, tok);
    assert_true(dx_web_csrf_check(&w, "sid1", "t", tok, now));
    dx_web_csrf_make(&w, "sid1", "t", now + 61, tok);
    assert_false(dx_web_csrf_check(&w, "sid1", "t", tok, now));
    dx_web_pow_make(&w, "t", now + 60, ch);
    assert_null(dx_web_pow_check(&w, "t", ch, "1", now));
    dx_web_pow_make(&w, "t", now + 61, ch);
    assert_non_null(dx_web_pow_check(&w, "t", ch, "1", now));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes_markup_quotes_controls_and_bad_utf8),
        cmocka_unit_test(test_tokens_bind_session_target_and_time),
        cmocka_unit_test(test_tokens_from_a_minute_ahead_are_fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
