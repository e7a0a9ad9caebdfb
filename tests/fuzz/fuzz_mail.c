/* libFuzzer target: the mail parsers of dnsxl-loader (loader/mail.c,
 * loader/received.c, loader/arf.c) on arbitrary bytes.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *       tests/fuzz/fuzz_mail.c loader/mail.c loader/received.c loader/arf.c \
 *       zones/key.c zones/err.c -o fuzz_mail
 *   ./fuzz_mail -max_total_time=60 tests/fuzz/corpus/mail
 *
 * Each input is read as an mbox (every message parsed), and as one message:
 * headers, Message-ID, Return-Path, bounce check, the MIME walk with part
 * decoding and the multipart delimiter check, the Received chain (with a
 * few trusted relays), each Received value alone, and ARF: the report
 * checks (a refusal always carries a reason), the Feedback-Type decision,
 * the report's address and the included message's Received chain. The
 * input is copied into an exact-size heap buffer with no NUL, so any read
 * past the end is caught. Besides the sanitizers it checks a few
 * invariants: walk depths are bounded, a found client is a v4/v6 address.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/arf.h"
#include "loader/mail.h"
#include "tests/unit/mail_fixture.h"
#include "loader/received.h"
#include "zones/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dx_key relays[3];
static int relays_ready;

static void init_relays(void)
{
    if (relays_ready)
        return;
    if (dx_key_parse("203.0.113.0/28", &relays[0]) || dx_key_parse("2001:db8:ffff::/48", &relays[1]) ||
        dx_key_parse("2002:a05::/32", &relays[2]))
        abort();
    relays_ready = 1;
}

static int part_cb(void *arg, const struct dx_mail_part *p)
{
    (void)arg;
    if (p->depth < 0 || p->depth > DX_MAIL_MAX_DEPTH)
        abort();
    char *d;
    size_t dl;
    if (dx_mail_part_decode(p, &d, &dl) == 0) {
        if (dl > p->body_len)
            abort();
        free(d);
    }
    return 0;
}

static void chain(const struct dx_mail_msg *m)
{
    const char *rc[64];
    size_t n = dx_mail_header_all(m, "Received", rc, 64);
    if (n > 64)
        n = 64;
    for (size_t i = 0; i < n; i++) {
        struct dx_rcvd r;
        if (dx_rcvd_parse(rc[i], &r) == 0 && r.has_ip &&
            r.ip.family != DX_FAM_V4 && r.ip.family != DX_FAM_V6)
            abort();
    }
    struct dx_key client;
    size_t hop;
    enum dx_rcvd_why why;
    if (dx_rcvd_client(rc, n, relays, 3, &client, &hop, &why) == 0) {
        if (hop >= n || why != DX_RCVD_FOUND ||
            (client.family != DX_FAM_V4 && client.family != DX_FAM_V6))
            abort();
    }
}

static void one_message(const char *buf, size_t len)
{
    struct dx_mail_msg m;
    if (dx_mail_parse(&m, buf, len) != 0)
        return;
    if (m.body < buf || m.body + m.body_len > buf + len)
        abort();
    char tmp[512];
    dx_mail_message_id(&m, tmp, sizeof(tmp));
    dx_mail_return_path(&m, tmp, sizeof(tmp));
    dx_mail_is_bounce(&m);
    dx_mail_walk(&m, part_cb, NULL);
    struct dx_mail_part top;
    if (mail_find_part(&m, "multipart", "report", &top) == 0 &&
        dx_mail_multipart_check(&top) > DX_MAIL_MP_UNCLOSED)
        abort();
    chain(&m);
    struct dx_arf a;
    char err[256];
    if (dx_arf_parse(&m, &a, err, sizeof(err)) == 0) {
        if (memchr(err, 0, sizeof(err)) == NULL)
            abort();
        dx_arf_lists(a.feedback_type);
        struct dx_key k;
        if (dx_arf_source(&a, &k, err, sizeof(err)) == 0 &&
            k.family != DX_FAM_V4 && k.family != DX_FAM_V6)
            abort();
        if (a.orig) {
            struct dx_mail_msg o;
            if (dx_mail_parse(&o, a.orig, a.orig_len) == 0) {
                chain(&o);
                dx_mail_free(&o);
            }
        }
    } else if (!err[0] || memchr(err, 0, sizeof(err)) == NULL) {
        abort();  /* every refusal says why */
    }
    dx_arf_free(&a);
    dx_mail_free(&m);
}

static int mbox_cb(void *arg, const char *buf, size_t len, const char *name)
{
    (void)arg;
    (void)name;
    /* exact-size copy: the message buffer is not NUL-terminated */
    char *c = malloc(len ? len : 1);
    if (!c)
        return 0;
    memcpy(c, buf, len);
    one_message(c, len);
    free(c);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_relays();
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    one_message(buf, size);
    static const struct dx_mail_src_ops ops = { mbox_cb, NULL };
    struct dx_mail_stats st = { 0, 0 };
    dx_mail_split_mbox(buf, size, "fuzz", &ops, NULL, &st);
    /* the whole input as one Received value */
    char *v = malloc(size + 1);
    if (v) {
        memcpy(v, data, size);
        v[size] = 0;
        struct dx_rcvd r;
        dx_rcvd_parse(v, &r);
        struct dx_key k;
        dx_rcvd_parse_addr(v, size, &k);
        free(v);
    }
    free(buf);
    return 0;
}
