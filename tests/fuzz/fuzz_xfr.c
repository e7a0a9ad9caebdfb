/* libFuzzer target: zone transfer requests over TCP as a worker dispatches
 * them (dnsxld/tcp.c: dx_xfr_is_request, then dx_xfr_request, else
 * dx_query_answer), with [key]s and allow-transfer lines with and without
 * keys, on a small store in a temp directory; and dx_tsig_verify
 * (dnsxld/tsig.h) on the input as a request and as a message of a chain.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c)
 *
 * A transfer that the checks let through is freed unstarted (its thread is
 * not fuzzed: dnsxld/xfr.h). The first byte picks the case: with bit 0 the
 * rest is the request as is; else it drives a request built here (zone,
 * AXFR or IXFR with the authority SOA serial of the input, class, an OPT,
 * signed with one of the keys, the other or none, at the clock or off by
 * more than the fudge), then one byte of it may be changed. Bits 1-2 pick
 * the peer: 127.0.0.1 (allowed unsigned in x.example.org), 10.1.2.3
 * (allowed with key k1), ::1 (allowed with key k2.example in
 * y.example.org) or 192.0.2.1 (allowed nowhere). Besides the sanitizers it
 * checks: a reply parses, answers the request's ID with QR set and no
 * records but a TSIG and OPT; a transfer is let through only for an exact
 * zone name, class IN, a TSIG that verifies or none, and a peer and key of
 * an allow-transfer line; a reply to a request whose TSIG verified is
 * signed, and its TSIG verifies on the request's MAC; the same request
 * over UDP (dx_xfr_udp, else dx_query_answer, as dnsxld/udp.c) gets no
 * data but an IXFR's SOA alone, and that only where it is allowed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dnsxld/guard.h"
#include "dnsxld/log.h"
#include "dnsxld/policy.h"
#include "dnsxld/query.h"
#include "dnsxld/rrl.h"
#include "dnsxld/tsig.h"
#include "dnsxld/wire.h"
#include "dnsxld/xfr.h"
#include "zones/bytes.h"

#define T_NOW 1800000000u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dx_conf *conf;
static struct dx_store *st;
static struct dx_txn *rtxn;
static uint64_t now;
static struct dx_guard_stats gst;
static struct dx_policy_stats pst;
static const struct dx_key_conf *k1, *k2;

static const char conf_text[] =
    "[server]\n"
    "database = db\n"
    "[key k1]\n"
    "secret = c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==\n"
    "[key k2.example]\n"
    "algorithm = hmac-sha512\n"
    "secret = YW5vdGhlci1zZWNyZXQ=\n"
    "[zone x.example.org]\n"
    "allow-transfer = 127.0.0.1\n"
    "allow-transfer = 10.0.0.0/8 key k1\n"
    "[list x.example.org/a]\n"
    "code = 127.0.0.2\n"
    "[zone y.example.org]\n"
    "kind = domain\n"
    "allow-transfer = ::1 key k2.example\n"
    "allow-transfer = 10.0.0.0/8 key k1\n"
    "ixfr-journal = 1M\n"
    "[list y.example.org/b]\n"
    "code = 127.0.1.2\n"
    "[zone z.example.org]\n";

static char dir[] = "/tmp/dx-fuzz-xfr-XXXXXX";

static void cleanup(void)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void put(struct dx_txn *w, const char *zone, const char *list, const char *key)
{
    struct dx_key k;
    struct dx_entry e;
    if (dx_key_parse(key, &k))
        abort();
    memset(&e, 0, sizeof(e));
    e.reason = "fuzz";
    if (dx_entry_put(w, zone, list, &k, &e))
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[128], err[256];
    now = (uint64_t)time(NULL);
    dx_log_init("fuzz_xfr", DX_LOG_ERR);
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/dnsxl.conf", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(conf_text, f);
    fclose(f);
    if (dx_conf_load(path, &conf, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    k1 = &conf->keys[0];
    k2 = &conf->keys[1];
    if (dx_store_open(conf->server.database, 64u << 20, DX_STORE_CREATE, &st))
        abort();
    for (int i = 0; i < 2; i++) {                /* two writes: a journal for IXFR */
        struct dx_txn *w;
        if (dx_txn_write(st, T_NOW + (uint64_t)i, &w))
            abort();
        put(w, "x.example.org", "a", i ? "192.0.2.7" : "192.0.2.0/24");
        put(w, "y.example.org", "b", i ? "*.spam.example" : "spam.example");
        if (dx_txn_commit(w))
            abort();
    }
    if (dx_txn_read(st, &rtxn))
        abort();
    return 0;
}

static const char *const zones[] = { "\1x\7example\3org", "\1y\7EXAMPLE\3org",
                                     "\1z\7example\3org", "\1w\1x\7example\3org",
                                     "\7example\3org" };

/* A request from the input: the mode byte m, the rest in d[0..n). */
static size_t build(uint8_t m, const uint8_t *d, size_t n, uint8_t *out, size_t cap,
                    uint8_t *mac, size_t *mac_len)
{
    uint8_t p[8] = { 0 };
    memcpy(p, d, n < 8 ? n : 8);
    struct dx_bytes b;
    dx_bytes_writer(&b, out, cap);
    bool ixfr = p[2] & 1, opt = p[2] & 2;
    struct dx_hdr h = { .id = (uint16_t)(p[0] << 8 | p[1]), .flags = p[2] & 4 ? 0x0100 : 0,
                        .qd = 1, .ns = ixfr && (p[2] & 8), .ar = opt };
    dx_put_zero(&b, DX_HDR_LEN);
    dx_hdr_patch(&b, &h);
    const char *z = zones[p[3] % 5];
    dx_put(&b, z, strlen(z) + 1);
    dx_put_u16(&b, ixfr ? DX_T_IXFR : DX_T_AXFR);
    dx_put_u16(&b, p[2] & 16 ? 3 : DX_C_IN);
    if (h.ns) {                                   /* the client's SOA: its serial */
        dx_put_u16(&b, 0xc00c);
        dx_put_u16(&b, DX_T_SOA);
        dx_put_u16(&b, DX_C_IN);
        dx_put_u32(&b, 0);
        dx_put_u16(&b, 22);
        dx_put_u16(&b, 0xc00c);
        dx_put_u16(&b, 0xc00c);
        dx_put(&b, p + 4, 4);                     /* serial */
        dx_put_zero(&b, 16);
    }
    if (opt) {
        dx_put_u8(&b, 0);
        dx_put_u16(&b, 41);
        dx_put_u16(&b, 4096);
        dx_put_u32(&b, 0);
        dx_put_u16(&b, 0);
    }
    *mac_len = 0;
    const struct dx_key_conf *key = (m >> 3) % 3 == 1 ? k1 : (m >> 3) % 3 == 2 ? k2 : NULL;
    uint64_t t = m & 0x40 ? now - DX_TSIG_FUDGE - 1 - p[7] : now;
    if (key && dx_tsig_sign(&b, key, NULL, 0, false, t, 0, NULL, 0, mac, mac_len))
        return 0;
    if (b.err)
        abort();
    if ((m & 0x80) && n >= 10) {                  /* one byte changed */
        size_t at = (size_t)(d[8] << 8 | d[9]) % b.pos;
        out[at] ^= d[n - 1] ? d[n - 1] : 0x20;
    }
    return b.pos;
}

static void check_reply(const uint8_t *q, size_t qlen, const uint8_t *r, size_t n,
                        enum dx_tsig_result qres, const struct dx_tsig *qt)
{
    struct dx_msg pm;
    if (n < DX_HDR_LEN || dx_msg_parse(r, n, &pm) != 0)
        abort();
    if (r[0] != q[0] || r[1] != q[1] || !(r[2] & 0x80))
        abort();
    if (dx_be16(r + 6) != 0 || dx_be16(r + 8) != 0)
        abort();                                  /* an error reply: no zone data */
    (void)qlen;
    if (qres != DX_TSIG_OK)
        return;
    /* signed on the request's MAC with its key */
    struct dx_tsig t;
    enum dx_tsig_result v = dx_tsig_verify(r, n, conf, qt->mac, qt->mac_len, false, now, &t);
    if (v != DX_TSIG_OK || t.key != qt->key)
        abort();
}

/* The question names zone z exactly (the name is read lowercase). */
static bool same(const struct dx_question *q, const struct dx_zone_conf *z)
{
    return q->name_len == z->wire_len && memcmp(q->name, z->wire, z->wire_len) == 0;
}

/* The config's allow-transfer lines for peer pi and key (NULL: unsigned). */
static bool allowed(const struct dx_question *q, const struct dx_key_conf *key, unsigned pi)
{
    return (same(q, &conf->zones[0]) && (pi == 0 || (pi == 1 && key == k1))) ||
           (same(q, &conf->zones[1]) && ((pi == 2 && key == k2) || (pi == 1 && key == k1)));
}

static uint8_t resp[65535];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t m = data[0];
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    uint8_t built[1024], mac[DX_TSIG_MAC_MAX];
    size_t mac_len;
    if (!(m & 1)) {
        len = build(m, msg, len, built, sizeof(built), mac, &mac_len);
        msg = built;
        if (len == 0)
            return 0;
    }
    uint8_t *copy = malloc(len ? len : 1);       /* exactly len bytes: ASan sees past them */
    if (!copy)
        abort();
    memcpy(copy, msg, len);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    static const uint32_t v4[] = { 0x7f000001, 0x0a010203, 0, 0xc0000201 };
    unsigned pi = (m >> 1) & 3;
    if (pi == 2) {
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_loopback;
    } else {
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(v4[pi]);
    }
    const struct sockaddr *peer = (const struct sockaddr *)&ss;

    /* the TSIG alone, as a request and as a later message of a chain */
    struct dx_tsig t;
    enum dx_tsig_result tres = dx_tsig_verify(copy, len, conf, NULL, 0, false, now, &t);
    if (tres == DX_TSIG_OK && !t.key)
        abort();
    struct dx_tsig t2;
    dx_tsig_verify(copy, len, conf, data, size < DX_TSIG_MAC_MAX ? size : DX_TSIG_MAC_MAX, m & 2,
                   now, &t2);

    if (dx_xfr_is_request(copy, len)) {
        size_t n;
        struct dx_xfr *x;
        if (dx_xfr_request(conf, st, peer, copy, len, now, resp, sizeof(resp), &n, &x) != 0)
            abort();
        if (x) {
            /* let through: an exact zone of ours, class IN, allowed peer and key */
            struct dx_msg pm;
            if (n != 0 || dx_msg_parse(copy, len, &pm) != 0 || pm.q.qclass != DX_C_IN)
                abort();
            if (tres != DX_TSIG_OK && tres != DX_TSIG_NONE)
                abort();
            if (!allowed(&pm.q, tres == DX_TSIG_OK ? t.key : NULL, pi))
                abort();
            dx_xfr_free(x);
        } else if (n > 0) {
            check_reply(copy, len, resp, n, tres, &t);
        }
        /* over UDP as udp.c: an IXFR the zone's SOA alone, when allowed; else
         * (AXFR) REFUSED, nothing of the zone */
        struct dx_qctx ctx = { .conf = conf, .txn = rtxn, .now = now, .st = &gst, .pst = &pst };
        bool ix = dx_xfr_udp(conf, rtxn, peer, copy, len, now, resp, 1232, &n);
        if (!ix)
            n = dx_query_answer(&ctx, copy, len, resp, sizeof(resp), DX_UDP, peer);
        if (n > 0) {
            struct dx_msg pm, qm;
            if (n > (ix ? 1232 : 65535) || dx_msg_parse(resp, n, &pm) != 0 ||
                resp[0] != copy[0] || resp[1] != copy[1])
                abort();
            uint16_t an = dx_be16(resp + 6);
            if (an > (ix ? 1 : 0))
                abort();
            if (an == 1 && (dx_msg_parse(copy, len, &qm) != 0 || qm.q.qtype != DX_T_IXFR ||
                            (tres != DX_TSIG_OK && tres != DX_TSIG_NONE) ||
                            !allowed(&qm.q, tres == DX_TSIG_OK ? t.key : NULL, pi)))
                abort();
        }
    } else {
        struct dx_qctx ctx = { .conf = conf, .txn = rtxn, .now = now, .st = &gst, .pst = &pst };
        size_t n = dx_query_answer(&ctx, copy, len, resp, sizeof(resp), DX_TCP, peer);
        if (n > 0) {
            struct dx_msg pm;
            if (n < DX_HDR_LEN || dx_msg_parse(resp, n, &pm) != 0 || resp[0] != copy[0] ||
                resp[1] != copy[1])
                abort();
        }
    }
    free(copy);
    (void)mac;
    (void)mac_len;
    return 0;
}
