/* Test fixture (header-only, static): a dnsxld server started in-process
 * (dx_server_start) on a free loopback port, with a small store, and
 * blocking client sockets to query it. Used by test_dnsxld_server.c and
 * test_dnsxld_tcp.c. Every receive waits at most FX_DEADLINE seconds: a
 * reply that does not come fails the test, it is never a timing decision.
 */
#ifndef DX_SERVER_FIXTURE_H
#define DX_SERVER_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <uv.h>

#include "dnsxld/log.h"
#include "dnsxld/server.h"
#include "zones/bytes.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/key.h"
#include "zones/store.h"

#define FX_DEADLINE 30
#define FX_ZONE "bl.example.org"

struct fx {
    char dir[64];
    uint16_t port;
    uv_loop_t loop;
    struct dx_store *st;
    struct dx_server *srv;
};

static struct fx g_fx;

/* A port free on 127.0.0.1 for UDP and TCP right now (the kernel picks it). */
static inline uint16_t fx_free_port(void)
{
    for (int tries = 0; tries < 100; tries++) {
        struct sockaddr_in a;
        socklen_t al = sizeof(a);
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int u = socket(AF_INET, SOCK_DGRAM, 0);
        if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) != 0 ||
            getsockname(u, (struct sockaddr *)&a, &al) != 0) {
            if (u >= 0)
                close(u);
            continue;
        }
        int t = socket(AF_INET, SOCK_STREAM, 0);
        int ok = t >= 0 && bind(t, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (t >= 0)
            close(t);
        close(u);
        if (ok)
            return ntohs(a.sin_port);
    }
    return 0;
}

/* Write the config for the fixture's port with the traps list's code. */
static inline struct dx_conf *fx_conf(const char *traps_code)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof(path), "%s/dnsxl.conf", g_fx.dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f,
            "[server]\n"
            "database = %s/db\n"
            "listen = 127.0.0.1:%u\n"
            "workers = 2\n"
            "tcp-per-client = 64\n"
            "[zone " FX_ZONE "]\n"
            "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120\n"
            "ns = ns1.example.org.\n"
            "[list " FX_ZONE "/traps]\n"
            "code = %s\n",
            g_fx.dir, (unsigned)g_fx.port, traps_code);
    fclose(f);
    struct dx_conf *c = NULL;
    if (dx_conf_load(path, &c, err, sizeof(err)) != 0) {
        fprintf(stderr, "conf: %s\n", err);
        return NULL;
    }
    return c;
}

/* The store (192.0.2.99 in traps), the loop; no server yet. 0 or -1. */
static inline int fx_setup(void)
{
    memset(&g_fx, 0, sizeof(g_fx));
    dx_log_init("test", DX_LOG_WARN);
    strcpy(g_fx.dir, "/tmp/dx-server-XXXXXX");
    if (!mkdtemp(g_fx.dir) || (g_fx.port = fx_free_port()) == 0)
        return -1;
    struct dx_conf *c = fx_conf("127.0.0.2");
    if (!c)
        return -1;
    int rc = dx_store_open(c->server.database, 16u << 20, DX_STORE_CREATE, &g_fx.st);
    struct dx_txn *w = NULL;
    struct dx_key k;
    struct dx_entry e;
    memset(&e, 0, sizeof(e));
    if (!rc)
        rc = dx_key_parse("192.0.2.99", &k);
    if (!rc)
        rc = dx_txn_write(g_fx.st, 0, &w);
    if (!rc)
        rc = dx_entry_put(w, FX_ZONE, "traps", &k, &e);
    if (!rc)
        rc = dx_txn_commit(w);
    dx_conf_free(c);
    if (rc || uv_loop_init(&g_fx.loop) != 0)
        return -1;
    return 0;
}

/* Start the server on the fixture's port: 0, or the start error (err). */
static inline int fx_start(char *err, size_t errlen)
{
    struct dx_conf *c = fx_conf("127.0.0.2");
    if (!c)
        return DX_EINVAL;
    int rc = dx_server_start(&g_fx.loop, c, g_fx.st, &g_fx.srv, err, errlen);
    if (rc)
        dx_conf_free(c);
    return rc;
}

/* Stop the server (if started) and run the loop until it is freed. */
static inline void fx_stop(void)
{
    if (g_fx.srv) {
        dx_server_stop(g_fx.srv);
        g_fx.srv = NULL;
        uv_run(&g_fx.loop, UV_RUN_DEFAULT);
    }
}

static inline int fx_teardown(void)
{
    fx_stop();
    uv_loop_close(&g_fx.loop);
    if (g_fx.st)
        dx_store_close(g_fx.st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_fx.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A client socket connected to the server (type SOCK_DGRAM or SOCK_STREAM)
 * whose receives wait at most FX_DEADLINE seconds; -1 on failure. */
static inline int fx_client(int type)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(g_fx.port);
    int s = socket(AF_INET, type, 0);
    struct timeval tv = { FX_DEADLINE, 0 };
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    return s;
}

/* A query for the A record of the reversed IPv4 address `rev` (e.g.
 * "99.2.0.192") in FX_ZONE, id `id`, into q; returns its length. */
static inline size_t fx_query(uint8_t *q, size_t cap, uint16_t id, const char *rev)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, q, cap);
    dx_put_u16(&b, id);
    dx_put_u16(&b, 0x0100);             /* RD */
    dx_put_u16(&b, 1);
    dx_put_zero(&b, 6);
    char name[256];
    snprintf(name, sizeof(name), "%s." FX_ZONE, rev);
    for (char *p = name; *p;) {
        size_t l = strcspn(p, ".");
        dx_put_u8(&b, (uint8_t)l);
        dx_put(&b, p, l);
        p += l;
        if (*p)
            p++;
    }
    dx_put_u8(&b, 0);
    dx_put_u16(&b, 1);                  /* A */
    dx_put_u16(&b, 1);                  /* IN */
    return b.err ? 0 : b.pos;
}

/* The reply r[0..n): id, rcode, and the A of its single answer (0 if none). */
struct fx_reply {
    uint16_t id, an;
    unsigned rcode;
    uint32_t a;
};

static inline int fx_parse(const uint8_t *r, size_t n, struct fx_reply *out)
{
    struct dx_bytes b;
    dx_bytes_reader(&b, r, n);
    memset(out, 0, sizeof(*out));
    out->id = dx_get_u16(&b);
    out->rcode = dx_get_u16(&b) & 0x0fu;
    uint16_t qd = dx_get_u16(&b);
    out->an = dx_get_u16(&b);
    dx_skip(&b, 4);
    for (uint16_t i = 0; i < qd && !b.err; i++) {   /* the question: name, type, class */
        uint8_t l;
        while ((l = dx_get_u8(&b)) != 0 && !b.err)
            dx_skip(&b, l);
        dx_skip(&b, 4);
    }
    if (out->an >= 1) {
        dx_skip(&b, 2 + 2 + 2 + 4);     /* a pointer to the question, type, class, ttl */
        if (dx_get_u16(&b) == 4)
            out->a = dx_get_u32(&b);
    }
    return b.err ? -1 : 0;
}

/* Read exactly n bytes from a stream socket: 0, or -1 (EOF, error, deadline). */
static inline int fx_read_all(int s, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(s, p, n, 0);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Read one framed reply from a TCP socket: 0, or -1. */
static inline int fx_tcp_reply(int s, struct fx_reply *out)
{
    uint8_t buf[65535];
    uint8_t pfx[2];
    if (fx_read_all(s, pfx, 2) != 0)
        return -1;
    size_t n = dx_be16(pfx);
    if (fx_read_all(s, buf, n) != 0)
        return -1;
    return fx_parse(buf, n, out);
}

#endif
