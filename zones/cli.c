/* See zones/cli.h. */
#include "zones/cli.h"

#include "zones/conf.h"
#include "zones/err.h"
#include "zones/store.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "dnsxl";

void dx_cli_set_prog(const char *p)
{
    prog = p;
}

const char *dx_cli_prog(void)
{
    return prog;
}

size_t dx_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A byte sequence a terminal may act on: C0 controls, DEL, and the C1
 * controls U+0080..U+009F (UTF-8 C2 80..C2 9F: CSI is C2 9B). */
static bool is_control(const unsigned char *p, size_t ul)
{
    return *p < 0x20 || *p == 0x7f || (ul == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

const char *dx_safe(const char *s, char *buf, size_t cap)
{
    if (!s)
        return "";
    const unsigned char *p = (const unsigned char *)s;
    for (size_t ul; *p; p += ul) {
        ul = *p >= 0x80 ? dx_utf8_len(p) : 1;
        if (ul == 0 || is_control(p, ul) || *p == '\\')
            break;
    }
    if (!*p || cap == 0)
        return s;
    size_t n = 0;
    for (p = (const unsigned char *)s; *p && n + 9 < cap;) {
        unsigned char c = *p;
        size_t ul = c >= 0x80 ? dx_utf8_len(p) : 1;
        if (c == '\n' || c == '\t' || c == '\r' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
            p++;
        } else if (ul == 0 || is_control(p, ul)) {
            /* invalid UTF-8 or a control: each byte as \xNN */
            size_t k = ul ? ul : 1;
            for (size_t i = 0; i < k; i++)
                n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", p[i]);
            p += k;
        } else {
            if (n + ul + 1 > cap)
                break;
            memcpy(buf + n, p, ul);
            n += ul;
            p += ul;
        }
    }
    buf[n] = 0;
    return buf;
}

void dx_cli_verr(const char *fmt, va_list ap)
{
    char msg[2048], safe[4 * sizeof(msg)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fprintf(stderr, "%s: %s\n", prog, dx_safe(msg, safe, sizeof(safe)));
}

void dx_cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dx_cli_verr(fmt, ap);
    va_end(ap);
}

uint64_t dx_now(void)
{
    static _Atomic int64_t offset;
    static atomic_bool init;
    if (!atomic_load(&init)) {
        const char *e = getenv("DNSXL_TEST_NOW");
        int64_t off = 0;
        if (e && *e) {
            char *end;
            errno = 0;
            long long v = strtoll(e, &end, 10);
            if (errno == 0 && *end == 0 && v > 0)
                off = (int64_t)v - (int64_t)time(NULL);
        }
        atomic_store(&offset, off);
        atomic_store(&init, true);
    }
    return (uint64_t)((int64_t)time(NULL) + atomic_load(&offset));
}

void dx_test_point(const char *phase)
{
    const char *e = getenv("DNSXL_TEST_STOP");
    size_t pl = strlen(phase);
    if (!e || strncmp(e, phase, pl) != 0 || e[pl] != ':' || !e[pl + 1])
        return;
    const char *file = e + pl + 1;
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= sizeof(tmp))
        return;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0 || rename(tmp, file) != 0)
        return;
    for (;;)
        pause();
}

int dx_cli_conf(const char *opt, struct dx_conf **out)
{
    char err[512] = "";
    const char *path = dx_conf_default_path(opt);
    int rc = dx_conf_load(path, out, err, sizeof(err));
    if (rc == 0)
        return DX_EX_OK;
    *out = NULL;
    if (err[0])
        dx_cli_err("%s", err);
    else
        dx_cli_err("%s: %s", path, dx_strerror(rc));
    return rc == -ENOMEM || rc == DX_ENOMEM ? DX_EX_STORE : DX_EX_USAGE;
}

int dx_cli_store_err(const struct dx_store *st, const char *what, int rc)
{
    const char *hint = dx_store_hint(rc), *dir = st ? dx_store_dir(st) : "";
    dx_cli_err("%s%s%s%s%s%s%s", what ? what : "", what ? ": " : "", dir, *dir ? ": " : "",
               dx_strerror(rc), *hint ? "; " : "", hint);
    return rc == DX_ENOSTORE ? DX_EX_USAGE : DX_EX_STORE;
}

int dx_cli_store(const struct dx_conf *conf, bool write, struct dx_store **out)
{
    const char *dir = conf->server.database;
    int rc = dx_store_open(dir, conf->server.map_size, write ? DX_STORE_CREATE : 0, out);
    if (rc) {
        const char *hint = dx_store_hint(rc);
        dx_cli_err("cannot open the store %s: %s%s%s", dir, dx_strerror(rc), *hint ? "; " : "",
                   hint);
        return rc == DX_ENOSTORE ? DX_EX_USAGE : DX_EX_STORE;
    }
    dx_store_set_history_limit(*out, conf->loader.history_size);
    unsigned how = dx_store_opened(*out);
    if (how & DX_STORE_CREATED)
        dx_cli_err("created a new, empty store in %s", dir);
    else if (how & DX_STORE_UPGRADED)
        dx_cli_err("added the databases missing from the store in %s", dir);
    int stale = dx_store_stale_readers(*out);
    if (stale > 0)
        dx_cli_err("cleared %d reader slot%s left by killed processes in %s", stale,
                   stale == 1 ? "" : "s", dir);
    return DX_EX_OK;
}

int dx_cli_begin(struct dx_store *st, bool write, uint64_t now, struct dx_txn **t)
{
    int rc = write ? dx_txn_write(st, now, t) : dx_txn_read(st, t);
    if (rc) {
        *t = NULL;
        return dx_cli_store_err(st, write ? "cannot begin a write transaction"
                                          : "cannot begin a read transaction", rc);
    }
    return DX_EX_OK;
}

int dx_cli_commit(struct dx_store *st, struct dx_txn **t)
{
    struct dx_txn *x = *t;
    *t = NULL;
    int rc = dx_txn_commit(x);
    return rc ? dx_cli_store_err(st, "nothing was written", rc) : DX_EX_OK;
}
