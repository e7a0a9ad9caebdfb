/* The query-keys file and its table (qkeys.h). */
#include "zones/qkeys.h"

#include "zones/err.h"
#include "zones/secret.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_lower(unsigned c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

bool dx_qkey_syntax(const uint8_t *label, size_t len, bool *digit)
{
    bool d = false;
    if (len < DX_QKEY_MIN || len > DX_QKEY_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (is_digit(label[i]))
            d = true;
        else if (!is_lower(label[i]))
            return false;
    }
    if (digit)
        *digit = d;
    return true;
}

static unsigned char fp_key[crypto_shorthash_KEYBYTES];
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

static void fp_init(void)
{
    if (sodium_init() >= 0)
        crypto_shorthash_keygen(fp_key);
}

void dx_qkey_fingerprint(const char *key, size_t len, char buf[DX_QKEY_FP_LEN])
{
    pthread_once(&fp_once, fp_init);
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, len, fp_key);
    snprintf(buf, DX_QKEY_FP_LEN, "#%02x%02x%02x%02x", h[0], h[1], h[2], h[3]);
}

/* --- states -------------------------------------------------------------- */

static struct dx_qkey_state *state_new(uint64_t period)
{
    struct dx_qkey_state *st = aligned_alloc(64, sizeof(*st));
    if (!st)
        return NULL;
    memset(st, 0, sizeof(*st));
    st->period = period;
    st->refs = 1;
    return st;
}

static void state_release(struct dx_qkey_state *st)
{
    if (st && --st->refs == 0)
        free(st);
}

/* --- the table ------------------------------------------------------------- */

static uint64_t key_hash(const struct dx_qkeys *t, const void *p, size_t n)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, p, n, t->hkey);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    return v;
}

void dx_qkeys_free(struct dx_qkeys *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        state_release(t->keys[i].st);
        sodium_memzero(t->keys[i].key, sizeof(t->keys[i].key));
    }
    free(t->keys);
    free(t->slot);
    free(t->path);
    sodium_memzero(t->hkey, sizeof(t->hkey));
    free(t);
}

const struct dx_qkey *dx_qkeys_find(const struct dx_qkeys *t, const uint8_t *label, size_t len)
{
    if (!t || t->n == 0 || len == 0 || len > DX_QKEY_MAX)
        return NULL;
    uint64_t h = key_hash(t, label, len);
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t s = t->slot[i];
        if (s == 0)
            return NULL;
        const struct dx_qkey *k = &t->keys[s - 1];
        if (k->hash == h && k->key_len == len && sodium_memcmp(k->key, label, len) == 0)
            return k;
    }
}

const struct dx_qkey *dx_qkeys_by_name(const struct dx_qkeys *t, const char *name)
{
    if (!t || !name)
        return NULL;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->keys[mid].name, name);
        if (c == 0)
            return &t->keys[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void dx_qkeys_share(struct dx_qkeys *t, const struct dx_qkeys *old)
{
    if (!t || !old)
        return;
    for (size_t i = 0; i < t->n; i++) {
        struct dx_qkey *k = &t->keys[i];
        const struct dx_qkey *o = dx_qkeys_by_name(old, k->name);
        if (!o || o->st == k->st)
            continue;
        state_release(k->st);
        k->st = o->st;
        k->st->refs++;
        if (k->st->period != k->period) {     /* a new period: the window starts afresh */
            atomic_store_explicit(&k->st->win.v, 0, memory_order_relaxed);
            k->st->period = k->period;
        }
    }
}

/* --- the file -------------------------------------------------------------- */

struct rd {
    const char *path;
    char *err;
    size_t errlen;
    struct dx_qkeys *t;
    size_t cap;
};

__attribute__((format(printf, 3, 4)))
static int bad(struct rd *r, int line, const char *fmt, ...)
{
    if (r->errlen) {
        int n = snprintf(r->err, r->errlen, "%s:%d: ", r->path, line);
        if (n >= 0 && (size_t)n < r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return DX_EINVAL;
}

static int nomem(struct rd *r)
{
    if (r->errlen)
        snprintf(r->err, r->errlen, "%s: out of memory", r->path);
    return DX_ENOMEM;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > DX_QKEY_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (!is_lower(c | 0x20) && !is_digit(c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One line (no line end): 0, or an error. */
static int read_line(struct rd *r, char *s, int line)
{
    char *f[4];
    int nf = 0;
    for (char *p = s; *p;) {
        while (blank(*p))
            p++;
        if (!*p)
            break;
        if (nf == 0 && *p == '#')
            return 0;                           /* a comment */
        if (nf == 4)
            break;
        f[nf++] = p;
        while (*p && !blank(*p))
            p++;
        if (*p)
            *p++ = 0;
    }
    if (nf == 0)
        return 0;
    if (nf < 2 || nf > 3)
        return bad(r, line, "expected KEY NAME [QUOTA/PERIOD | disabled], got %s%d field%s",
                   nf > 3 ? "more than " : "", nf > 3 ? 3 : nf, nf == 1 ? "" : "s");
    struct dx_qkey k;
    memset(&k, 0, sizeof(k));
    size_t kl = strlen(f[0]);
    for (size_t i = 0; i < kl && i <= DX_QKEY_MAX; i++)
        k.key[i] = (char)((unsigned char)f[0][i] | (is_lower((unsigned char)f[0][i] | 0x20) ? 0x20 : 0));
    size_t nl = strlen(f[1]);
    if (!dx_qkey_syntax((const uint8_t *)k.key, kl, NULL)) {
        char fp[DX_QKEY_FP_LEN];                /* no part of the key: its name or fingerprint */
        dx_qkey_fingerprint(f[0], kl, fp);
        return bad(r, line, "bad key %s%s%s (%zu characters): a key is 8 to 63 letters and digits",
                   name_ok(f[1], nl) ? "of name '" : fp, name_ok(f[1], nl) ? f[1] : "",
                   name_ok(f[1], nl) ? "'" : "", kl);
    }
    k.key_len = kl;
    if (!name_ok(f[1], nl))
        return bad(r, line, "bad name '%.80s': a name is 1 to 63 letters, digits, '-', '_' or '.'",
                   f[1]);
    memcpy(k.name, f[1], nl + 1);
    if (nf == 3) {
        if (strcmp(f[2], "disabled") == 0)
            k.disabled = true;
        else if (dx_rate_parse(f[2], &k.quota, &k.period))
            return bad(r, line, "bad quota '%.80s' (expected QUOTA/PERIOD such as 100000/1d, "
                       "QUOTA 1..%u, PERIOD 1s..366d; or 'disabled')", f[2], DX_WIN_MAX);
    }
    k.line = line;
    struct dx_qkeys *t = r->t;
    if (t->n == r->cap) {                       /* grown by hand: the old copy zeroed */
        size_t nc = r->cap ? 2 * r->cap : 64;
        struct dx_qkey *nk = malloc(nc * sizeof(*nk));
        if (!nk) {
            sodium_memzero(&k, sizeof(k));
            return nomem(r);
        }
        if (t->n) {
            memcpy(nk, t->keys, t->n * sizeof(*nk));
            sodium_memzero(t->keys, t->n * sizeof(*nk));
        }
        free(t->keys);
        t->keys = nk;
        r->cap = nc;
    }
    t->keys[t->n++] = k;
    sodium_memzero(&k, sizeof(k));
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const struct dx_qkey *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Names unique, the key index, a state per key. */
static int build(struct rd *r)
{
    struct dx_qkeys *t = r->t;
    if (t->n > 1)
        qsort(t->keys, t->n, sizeof(*t->keys), by_name);
    for (size_t i = 1; i < t->n; i++)
        if (strcmp(t->keys[i].name, t->keys[i - 1].name) == 0)
            return bad(r, t->keys[i].line, "duplicate name '%s' (first on line %d)",
                       t->keys[i].name, t->keys[i - 1].line);
    size_t sz = 16;
    while (sz < 2 * t->n)
        sz *= 2;
    t->slot = calloc(sz, sizeof(*t->slot));
    if (!t->slot)
        return nomem(r);
    t->mask = sz - 1;
    crypto_shorthash_keygen(t->hkey);
    /* keys in line order for "first on line N": the earlier line wins */
    for (size_t i = 0; i < t->n; i++) {
        struct dx_qkey *k = &t->keys[i];
        k->hash = key_hash(t, k->key, k->key_len);
        size_t j = k->hash & t->mask;
        for (; t->slot[j]; j = (j + 1) & t->mask) {
            struct dx_qkey *o = &t->keys[t->slot[j] - 1];
            if (o->hash == k->hash && o->key_len == k->key_len &&
                memcmp(o->key, k->key, k->key_len) == 0) {
                const struct dx_qkey *late = o->line > k->line ? o : k;
                return bad(r, late->line, "duplicate key of name '%s' (first on line %d, name "
                           "'%s')", late->name, late == o ? k->line : o->line,
                           late == o ? k->name : o->name);
            }
        }
        t->slot[j] = (uint32_t)i + 1;
        k->st = state_new(k->period);
        if (!k->st)
            return nomem(r);
    }
    return 0;
}

int dx_qkeys_read(FILE *f, const char *path, struct dx_qkeys **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (sodium_init() < 0) {
        if (errlen)
            snprintf(err, errlen, "%s: cannot initialise libsodium", path);
        return DX_ENOMEM;
    }
    struct rd r = { path, err, errlen, calloc(1, sizeof(struct dx_qkeys)), 0 };
    if (!r.t)
        return nomem(&r);
    r.t->path = strdup(path);
    int rc = r.t->path ? 0 : nomem(&r);
    char *line = NULL;
    size_t cap = 0;
    int ln = 0;
    while (!rc) {
        errno = 0;
        ssize_t n = getline(&line, &cap, f);
        if (n < 0) {
            if (errno == ENOMEM)
                rc = nomem(&r);
            else if (ferror(f)) {
                int e = errno ? errno : EIO;
                if (errlen)
                    snprintf(err, errlen, "%s: %s", path, strerror(e));
                rc = -e;
            }
            break;
        }
        ln++;
        if ((size_t)n != strlen(line)) {
            rc = bad(&r, ln, "a NUL byte in the line");
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (ln == 1 && (unsigned char)line[0] == 0xef && (unsigned char)line[1] == 0xbb &&
            (unsigned char)line[2] == 0xbf)
            memmove(line, line + 3, (size_t)n - 2);     /* a UTF-8 byte order mark */
        rc = read_line(&r, line, ln);
    }
    if (line)
        sodium_memzero(line, cap);              /* the keys' text */
    free(line);
    if (!rc)
        rc = build(&r);
    if (rc) {
        dx_qkeys_free(r.t);
        return rc;
    }
    *out = r.t;
    return 0;
}

int dx_qkeys_load(const char *path, struct dx_qkeys **out, char *err, size_t errlen)
{
    *out = NULL;
    int fd;
    int rc = dx_secret_open(path, &fd, err, errlen);
    if (rc)
        return rc;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        int e = errno;
        close(fd);
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    static char buf[BUFSIZ];                    /* the stdio buffer, ours to zero (main thread) */
    setvbuf(f, buf, _IOFBF, sizeof(buf));
    rc = dx_qkeys_read(f, path, out, err, errlen);
    fclose(f);
    sodium_memzero(buf, sizeof(buf));
    return rc;
}
