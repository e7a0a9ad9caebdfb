/* libFuzzer target: what dnsxl-web does itself with a request's data
 * (libmicrohttpd parses the HTTP and decodes the form): the form token
 * and proof-of-work checks of admin/web_guard.c, and the escaping of
 * request text into the pages (dx_web_html, dx_web_url, admin/web_page.c).
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c)
 *
 * The input is fields separated by newlines: session id, target, token,
 * challenge, nonce, then the clock offset (decimal, seconds). Besides the
 * sanitizers it checks: a token or challenge of the input is accepted only
 * when it is the 48/64 hex digits of one made for that session and target
 * (dx_web_csrf_make, dx_web_pow_make); the ones made here are accepted
 * from the clock on for their lifetime (and a minute of skew before),
 * refused after it and for another session or target; a challenge's
 * solution is accepted once; the escaped HTML holds no & < > " ' but as
 * entities and is valid UTF-8; the URL encoding is unreserved characters
 * and %XX only and decodes back to the text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/web.h"
#include "zones/safe.h"

#define NOW 1800000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dx_conf wconf;
static struct dx_web *w;

static void setup(void)
{
    w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    wconf.web.pow_bits = 2;                     /* a solution within a few tries */
    w->conf = &wconf;
    for (size_t i = 0; i < sizeof(w->key); i++)
        w->key[i] = (uint8_t)(i * 7 + 1);
    pthread_mutex_init(&w->lock, NULL);
}

static char *escaped(void (*fn)(FILE *, const char *), const char *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    fn(f, s);
    if (fclose(f) != 0)
        abort();
    return buf;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_escapes(const char *s)
{
    size_t n;
    char *h = escaped(dx_web_html, s, &n);
    for (size_t i = 0; i < n; i++) {
        if (strchr("<>\"'", h[i]))
            abort();
        if (h[i] == '&' && !memchr(h + i, ';', n - i < 8 ? n - i : 8))
            abort();                            /* & only as an entity */
        unsigned char c = (unsigned char)h[i];
        if (c >= 0x80) {
            size_t u = dx_utf8_len((const unsigned char *)h + i);
            if (u == 0 || i + u > n)
                abort();
            i += u - 1;
        } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            abort();
        }
    }
    free(h);
    char *u = escaped(dx_web_url, s, &n);
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        char c = u[i];
        if (c == '%') {
            int a = i + 2 < n ? hexval(u[i + 1]) : -1, b = i + 2 < n ? hexval(u[i + 2]) : -1;
            if (a < 0 || b < 0 || s[j] != (char)(a << 4 | b))
                abort();
            i += 2;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || strchr("-._~", c)) || s[j] != c) {
            abort();
        }
    }
    if (s[j] != 0)
        abort();
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!w)
        setup();
    memset(w->replay, 0, sizeof(w->replay));    /* each input on its own (the table fills:
                                                 * then it refuses, as it should) */
    char *buf = malloc(size + 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = 0;
    char *f[6] = { "", "", "", "", "", "" };
    char *p = buf;
    for (int i = 0; i < 6 && p; i++) {
        f[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = 0;
    }
    const char *sid = f[0], *target = f[1], *token = f[2], *challenge = f[3], *nonce = f[4];
    uint64_t off = strtoull(f[5], NULL, 10) % (3 * DX_WEB_POW_AGE);
    uint64_t now = NOW + off;

    /* the input's token and challenge */
    bool ok = dx_web_csrf_check(w, sid, target, token, now);
    if (ok) {
        char want[65];
        uint64_t ts = 0;
        for (int i = 0; i < 16; i++)
            ts = ts << 4 | (uint64_t)(token[i] <= '9' ? token[i] - '0' : (token[i] | 0x20) - 'a' + 10);
        dx_web_csrf_make(w, sid, target, ts, want);
        if (strcasecmp(want, token) != 0)
            abort();
    }
    const char *why = dx_web_pow_check(w, target, challenge, nonce, now);
    if (!why && (strlen(challenge) != 64 || !dx_web_pow_check(w, target, challenge, nonce, now)))
        abort();                                /* used once */

    /* the ones made here */
    char tok[65], ch[81];
    uint64_t made = NOW + (size ? data[0] : 0);
    dx_web_csrf_make(w, sid, target, made, tok);
    if (*sid) {
        if (!dx_web_csrf_check(w, sid, target, tok, made) ||
            !dx_web_csrf_check(w, sid, target, tok, made + DX_WEB_TOKEN_AGE) ||
            !dx_web_csrf_check(w, sid, target, tok, made - 60))
            abort();
    }
    if (dx_web_csrf_check(w, sid, target, tok, made + DX_WEB_TOKEN_AGE + 1) ||
        dx_web_csrf_check(w, sid, target, tok, made - 61))
        abort();
    size_t tl = strlen(target);
    char *other = malloc(tl + 2);
    if (!other)
        abort();
    memcpy(other, target, tl);
    other[tl] = 'x';
    other[tl + 1] = 0;
    if (dx_web_csrf_check(w, sid, other, tok, made))
        abort();
    dx_web_pow_make(w, target, made, ch);
    if (dx_web_pow_check(w, other, ch, "1", made) == NULL)
        abort();
    char text[100];
    for (unsigned n = 0; n < 4096; n++) {       /* solve it: 2 bits */
        char num[16];
        snprintf(num, sizeof(num), "%u", n);
        snprintf(text, sizeof(text), "%s:%s", ch, num);
        if (dx_web_pow_zeros(text) >= wconf.web.pow_bits) {
            if (dx_web_pow_check(w, target, ch, num, made) != NULL ||
                dx_web_pow_check(w, target, ch, num, made) == NULL)
                abort();                        /* accepted, then never again */
            break;
        }
    }
    free(other);

    for (int i = 0; i < 6; i++)
        check_escapes(f[i]);
    free(buf);
    return 0;
}
