/* The DNS stub client of dnsxl-admin check (admin/dnsq.h). */
#include "admin/dnsq.h"

#include "zones/bytes.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/listen.h"
#include "zones/name.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

size_t dx_dnsq_wire(const char *text, uint8_t out[256])
{
    char norm[DX_NAME_TEXT_MAX + 1];
    if (dx_name_norm(text, strlen(text), norm) < 0)
        return 0;
    unsigned labels;
    return dx_name_wire(norm, out, &labels);
}

size_t dx_dnsq_build(uint8_t *out, size_t cap, uint16_t id, const uint8_t *qname, size_t qlen)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, out, cap);
    dx_put_u16(&b, id);
    dx_put_u16(&b, 0x0100);             /* a query, RD */
    dx_put_u16(&b, 1);                  /* QDCOUNT */
    dx_put_zero(&b, 6);
    dx_put(&b, qname, qlen);
    dx_put_u16(&b, 1);                  /* A */
    dx_put_u16(&b, 1);                  /* IN */
    return b.err ? 0 : b.pos;
}

/* The name at the reader's position, decompressed (RFC 1035 4.1.4) into
 * out (lowercase wire form, *len bytes); the reader moves past its bytes
 * in the message. false for a malformed name. */
static bool get_name(struct dx_bytes *r, const uint8_t *msg, size_t n, uint8_t out[256],
                     size_t *len)
{
    size_t o = 0, at = r->pos;
    bool jumped = false;
    for (int hops = 0; hops < 64; hops++) {
        if (at >= n)
            return false;
        uint8_t c = msg[at];
        if ((c & 0xc0) == 0xc0) {
            if (at + 1 >= n)
                return false;
            if (!jumped)
                dx_skip(r, at + 2 - r->pos);
            jumped = true;
            at = ((size_t)(c & 0x3f) << 8) | msg[at + 1];
            continue;
        }
        if (c & 0xc0 || at + 1 + c > n || o + 1 + c > 255)
            return false;
        out[o++] = c;
        for (size_t i = 0; i < c; i++) {
            uint8_t ch = msg[at + 1 + i];
            out[o++] = ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
        }
        at += 1 + (size_t)c;
        if (c == 0) {
            if (!jumped)
                dx_skip(r, at - r->pos);
            *len = o;
            return r->err == 0;
        }
    }
    return false;
}

int dx_dnsq_parse(const uint8_t *msg, size_t n, uint16_t id, const uint8_t *qname, size_t qlen,
                  int *rcode, uint32_t *a, size_t max, size_t *na)
{
    struct dx_bytes r;
    dx_bytes_reader(&r, msg, n);
    uint16_t rid = dx_get_u16(&r), flags = dx_get_u16(&r);
    uint16_t qd = dx_get_u16(&r), an = dx_get_u16(&r);
    dx_skip(&r, 4);
    if (r.err || rid != id || !(flags & 0x8000) || ((flags >> 11) & 0xf) != 0 || qd != 1)
        return DX_EINVAL;
    uint8_t name[256];
    size_t len;
    if (!get_name(&r, msg, n, name, &len) || len != qlen || memcmp(name, qname, qlen) != 0)
        return DX_EINVAL;
    uint16_t qt = dx_get_u16(&r), qc = dx_get_u16(&r);
    if (r.err || qt != 1 || qc != 1)
        return DX_EINVAL;
    *rcode = flags & 0xf;
    *na = 0;
    for (uint16_t i = 0; i < an; i++) {
        if (!get_name(&r, msg, n, name, &len))
            return DX_EINVAL;
        uint16_t type = dx_get_u16(&r), cls = dx_get_u16(&r);
        dx_skip(&r, 4);                 /* TTL */
        uint16_t rdlen = dx_get_u16(&r);
        const uint8_t *rd = dx_get_ptr(&r, rdlen);
        if (r.err)
            return DX_EINVAL;
        if (type == 1 && cls == 1 && rdlen == 4 && *na < max)
            a[(*na)++] = dx_be32(rd);
    }
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Send q's query to its next server; false when that fails. */
static bool send_one(struct dx_dnsq *q)
{
    uint8_t msg[300];
    size_t mlen = dx_dnsq_build(msg, sizeof(msg), q->id, q->qname, q->qname_len);
    size_t s = q->sent % q->srv->n;
    q->sent++;
    if (mlen == 0)
        return false;
    ssize_t w = sendto(q->fd, msg, mlen, 0, (const struct sockaddr *)&q->srv->ss[s],
                       q->srv->len[s]);
    if (w < 0)
        q->err = -errno;
    return w == (ssize_t)mlen;
}

/* Did the datagram come from one of the servers q was sent to? */
static bool from_server(const struct dx_dnsq *q, const struct sockaddr_storage *from,
                        socklen_t flen)
{
    size_t tried = q->sent < q->srv->n ? q->sent : q->srv->n;
    for (size_t i = 0; i < tried; i++) {
        const struct sockaddr_storage *s = &q->srv->ss[i];
        if (s->ss_family != from->ss_family || flen != q->srv->len[i])
            continue;
        if (s->ss_family == AF_INET) {
            const struct sockaddr_in *x = (const void *)s, *y = (const void *)from;
            if (x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr)
                return true;
        } else if (s->ss_family == AF_INET6) {
            const struct sockaddr_in6 *x = (const void *)s, *y = (const void *)from;
            if (x->sin6_port == y->sin6_port &&
                memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0)
                return true;
        }
    }
    return false;
}

/* Read what the socket of q holds; q ends ANSWERED with its reply. */
static void receive(struct dx_dnsq *q)
{
    for (;;) {
        uint8_t buf[4096];
        struct sockaddr_storage from;
        socklen_t flen = sizeof(from);
        ssize_t r = recvfrom(q->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
                             &flen);
        if (r < 0)
            return;             /* EAGAIN, or an ICMP error: the next server may answer */
        if (!from_server(q, &from, flen))
            continue;
        if (dx_dnsq_parse(buf, (size_t)r, q->id, q->qname, q->qname_len, &q->rcode, q->a,
                          DX_DNSQ_A_MAX, &q->na) == 0) {
            q->state = DX_DNSQ_ANSWERED;
            return;
        }
    }
}

int dx_dnsq_run(struct dx_dnsq *const *qs, size_t n, uint64_t timeout_ms)
{
    if (sodium_init() < 0)
        return -EIO;
    struct pollfd *pf = calloc(n ? n : 1, sizeof(*pf));
    if (!pf)
        return -ENOMEM;
    uint64_t start = now_ms();
    for (size_t i = 0; i < n; i++) {
        qs[i]->state = DX_DNSQ_WAIT;
        qs[i]->na = 0;
        qs[i]->sent = 0;
        qs[i]->err = 0;
        qs[i]->id = (uint16_t)randombytes_uniform(65536);
        qs[i]->fd = socket(qs[i]->srv->ss[0].ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (qs[i]->fd < 0 || !send_one(qs[i])) {
            if (qs[i]->fd < 0)
                qs[i]->err = -errno;
            qs[i]->state = DX_DNSQ_FAILED;
        }
    }
    int ret = 0;
    for (;;) {
        size_t np = 0;
        for (size_t i = 0; i < n; i++)
            if (qs[i]->state == DX_DNSQ_WAIT) {
                pf[np].fd = qs[i]->fd;
                pf[np].events = POLLIN;
                np++;
            }
        uint64_t el = now_ms() - start;
        if (np == 0 || el >= timeout_ms)
            break;
        /* the next resend: at a third and at two thirds of the timeout */
        uint64_t next = timeout_ms;
        for (unsigned k = 1; k <= 2; k++)
            if (el < timeout_ms * k / 3 && timeout_ms * k / 3 < next)
                next = timeout_ms * k / 3;
        int pr = poll(pf, np, (int)(next - el));
        if (pr < 0 && errno != EINTR) {
            ret = -errno;
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (qs[i]->state == DX_DNSQ_WAIT)
                receive(qs[i]);
        el = now_ms() - start;
        for (size_t i = 0; i < n; i++)
            if (qs[i]->state == DX_DNSQ_WAIT && qs[i]->sent < 3 && el >= timeout_ms * qs[i]->sent / 3)
                send_one(qs[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (qs[i]->state == DX_DNSQ_WAIT)
            qs[i]->state = DX_DNSQ_TIMEOUT;
        if (qs[i]->fd >= 0)
            close(qs[i]->fd);
        qs[i]->fd = -1;
    }
    free(pf);
    return ret;
}

static void add_server(struct dx_dnsq_servers *out, const uint8_t *addr, int fam, uint16_t port)
{
    if (out->n >= DX_DNSQ_SERVERS)
        return;
    struct sockaddr_storage *ss = &out->ss[out->n];
    memset(ss, 0, sizeof(*ss));
    if (fam == DX_FAM_V4) {
        struct sockaddr_in *s4 = (void *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        memcpy(&s4->sin_addr, addr, 4);
        out->len[out->n++] = sizeof(*s4);
    } else {
        struct sockaddr_in6 *s6 = (void *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(&s6->sin6_addr, addr, 16);
        out->len[out->n++] = sizeof(*s6);
    }
}

int dx_dnsq_resolv_conf(const char *path, struct dx_dnsq_servers *out)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "r");
    if (!f && errno != ENOENT)
        return -errno;
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        char word[32], addr[128];
        if (sscanf(line, " %31s %127s", word, addr) != 2 || strcmp(word, "nameserver") != 0)
            continue;
        char *pct = strchr(addr, '%');     /* fe80::1%eth0: the scope is not kept */
        if (pct)
            *pct = 0;
        uint8_t a[16];
        int fam = dx_addr_parse(addr, 0, a);
        if (fam > 0)
            add_server(out, a, fam, 53);
    }
    if (f)
        fclose(f);
    if (out->n == 0) {
        static const uint8_t lo[4] = { 127, 0, 0, 1 };
        add_server(out, lo, DX_FAM_V4, 53);
    }
    return 0;
}

int dx_dnsq_server(const char *text, struct dx_dnsq_servers *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t a[16];
    int fam = dx_addr_parse(text, 0, a);
    if (fam > 0) {
        add_server(out, a, fam, 53);
        return 0;
    }
    struct dx_listen l;
    char why[256];
    if (dx_listen_from_text(text, &l, why, sizeof(why)))
        return DX_EINVAL;
    add_server(out, l.addr, l.family, l.port);
    return 0;
}
