/* Bulk import: the record set, the plain list parser and the writer.
 * See loader/import.h. */
#include "loader/import.h"
#include "loader/progress.h"

#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/clock.h"
#include "zones/err.h"
#include "zones/store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the record set ---------------------------------------------------- */

void dx_imp_set_init(struct dx_imp_set *s)
{
    memset(s, 0, sizeof(*s));
}

void dx_imp_set_free(struct dx_imp_set *s)
{
    if (!s)
        return;
    free(s->recs);
    free(s->arena);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    memset(s, 0, sizeof(*s));
}

int dx_imp_add_file(struct dx_imp_set *s, const char *name)
{
    if (s->n_files >= UINT16_MAX)
        return DX_ERANGE;
    char **f = realloc(s->files, (s->n_files + 1) * sizeof(*f));
    if (!f)
        return DX_ENOMEM;
    s->files = f;
    if (!(f[s->n_files] = strdup(name)))
        return DX_ENOMEM;
    return (int)s->n_files++;
}

static int arena_reserve(struct dx_imp_set *s, size_t need)
{
    if (s->arena_cap - s->arena_len >= need)
        return 0;
    size_t cap = s->arena_cap ? s->arena_cap : 4096;
    while (cap - s->arena_len < need) {
        if (cap > SIZE_MAX / 2)
            return DX_ENOMEM;
        cap *= 2;
    }
    uint8_t *a = realloc(s->arena, cap);
    if (!a)
        return DX_ENOMEM;
    s->arena = a;
    s->arena_cap = cap;
    return 0;
}

const char *dx_imp_show(char *out, size_t cap, const char *t, size_t n)
{
    size_t k = n < cap - 4 ? n : cap - 4;
    memcpy(out, t, k);
    if (k < n)
        memcpy(out + k, "...", 4);
    else
        out[k] = 0;
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
    return out;
}

int dx_imp_add(struct dx_imp_set *s, const struct dx_key *k, uint8_t flags, uint32_t code,
               const char *txt, uint16_t file, uint32_t line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        struct dx_imp_rec *r = realloc(s->recs, cap * sizeof(*r));
        if (!r)
            return DX_ENOMEM;
        s->recs = r;
        s->cap = cap;
    }
    size_t tl = txt ? strlen(txt) + 1 : 0;
    int rc = arena_reserve(s, 3u + k->len + tl);
    if (rc)
        return rc;
    struct dx_imp_rec *r = &s->recs[s->n++];
    r->key_off = s->arena_len;
    /* family and the first 7 address/name bytes, zero padded, big-endian:
     * orders like packed_cmp whenever two prefixes differ */
    uint64_t pre = (uint64_t)k->family << 56;
    for (unsigned i = 0; i < 7 && i < k->len; i++)
        pre |= (uint64_t)k->addr[i] << (48 - 8 * i);
    r->sort_prefix = pre;
    uint8_t *p = s->arena + s->arena_len;
    p[0] = k->family;
    p[1] = k->plen;
    p[2] = k->len;
    memcpy(p + 3, k->addr, k->len);
    s->arena_len += 3u + k->len;
    if (txt) {
        r->txt_off = s->arena_len;
        memcpy(s->arena + s->arena_len, txt, tl);
        s->arena_len += tl;
    } else {
        r->txt_off = DX_IMP_NONE;
    }
    r->code = code;
    r->line = line;
    r->file = file;
    r->flags = flags;
    s->sorted = false;
    return 0;
}

void dx_imp_key(const struct dx_imp_set *s, const struct dx_imp_rec *r, struct dx_key *k)
{
    const uint8_t *p = s->arena + r->key_off;
    k->family = p[0];
    k->plen = p[1];
    k->len = p[2];
    memcpy(k->addr, p + 3, p[2]);
    if (k->family == DX_FAM_DOMAIN)
        k->addr[k->len] = 0;
    else if (k->len < 16)
        memset(k->addr + k->len, 0, 16u - k->len);
}

const char *dx_imp_txt(const struct dx_imp_set *s, const struct dx_imp_rec *r)
{
    return r->txt_off == DX_IMP_NONE ? NULL : (const char *)s->arena + r->txt_off;
}

/* Order of packed keys: family, then address or name bytes, then length,
 * then prefix length / wildcard flag. */
static int packed_cmp(const uint8_t *a, const uint8_t *b)
{
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    size_t n = a[2] < b[2] ? a[2] : b[2];
    int c = memcmp(a + 3, b + 3, n);
    if (c)
        return c;
    if (a[2] != b[2])
        return a[2] < b[2] ? -1 : 1;
    if (a[1] != b[1])
        return a[1] < b[1] ? -1 : 1;
    return 0;
}

static int rec_cmp(const void *x, const void *y, void *arg)
{
    const struct dx_imp_set *s = arg;
    const struct dx_imp_rec *a = x, *b = y;
    if (a->sort_prefix != b->sort_prefix)
        return a->sort_prefix < b->sort_prefix ? -1 : 1;
    int c = packed_cmp(s->arena + a->key_off, s->arena + b->key_off);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return 0;
}

/* Stable LSD radix sort of the records by sort_prefix, one byte a pass,
 * skipping bytes every record shares (the family, an IPv4 key's unused low
 * bytes); then rec_cmp orders each run of equal prefixes (longer keys,
 * prefix lengths, duplicates). The result is rec_cmp's order: a 1M-entry
 * list sorts in a fraction of qsort's time. Falls back to qsort_r when the
 * scratch copy cannot be allocated. */
static void sort_recs(struct dx_imp_set *s)
{
    size_t n = s->n;
    struct dx_imp_rec *tmp = malloc(n * sizeof(*tmp));
    size_t (*cnt)[256] = calloc(8, sizeof(*cnt));
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        qsort_r(s->recs, n, sizeof(s->recs[0]), rec_cmp, s);
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < 8; d++)
            cnt[d][s->recs[i].sort_prefix >> (8 * d) & 0xff]++;
    struct dx_imp_rec *src = s->recs, *dst = tmp;
    for (unsigned d = 0; d < 8; d++) {
        if (cnt[d][s->recs[0].sort_prefix >> (8 * d) & 0xff] == n)
            continue;               /* every record has this byte */
        size_t at = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t c = cnt[d][b];
            cnt[d][b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[d][src[i].sort_prefix >> (8 * d) & 0xff]++] = src[i];
        struct dx_imp_rec *t = src;
        src = dst;
        dst = t;
    }
    if (src != s->recs)
        memcpy(s->recs, src, n * sizeof(*src));
    free(tmp);
    free(cnt);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && s->recs[j].sort_prefix == s->recs[i].sort_prefix; j++)
            ;
        if (j - i > 1)
            qsort_r(s->recs + i, j - i, sizeof(s->recs[0]), rec_cmp, s);
    }
}

void dx_imp_sort(struct dx_imp_set *s)
{
    if (s->n > 1) {
        sort_recs(s);
        /* keep the last record of each run of equal keys */
        size_t out = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (i + 1 < s->n && s->recs[i].sort_prefix == s->recs[i + 1].sort_prefix &&
                packed_cmp(s->arena + s->recs[i].key_off, s->arena + s->recs[i + 1].key_off) == 0)
                continue;
            s->recs[out++] = s->recs[i];
        }
        s->n = out;
    }
    s->sorted = true;
}

bool dx_imp_contains(const struct dx_imp_set *s, const struct dx_key *k)
{
    uint8_t packed[3 + DX_KEY_NAME_MAX + 1];
    packed[0] = k->family;
    packed[1] = k->plen;
    packed[2] = k->len;
    memcpy(packed + 3, k->addr, k->len);
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = packed_cmp(s->arena + s->recs[mid].key_off, packed);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

int dx_imp_check(const struct dx_imp_set *s, const struct dx_imp_policy *pol, char *err,
                 size_t errlen)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct dx_imp_rec *r = &s->recs[i];
        struct dx_key k;
        dx_imp_key(s, r, &k);
        bool excl = (r->flags & DX_ENTRY_EXCLUDE) != 0;
        const char *what = NULL;   /* the RFC 5782 rule first: --force does not lift it */
        if (!excl && k.family == DX_FAM_V4 && dx_key_is_localhost(&k))
            what = "127.0.0.1";
        else if (!excl && k.family == DX_FAM_DOMAIN && k.plen == 0 &&
                 strcmp((char *)k.addr, "invalid") == 0)
            what = "INVALID";
        if (what) {
            char kt[DX_KEY_TEXT_MAX];
            dx_key_format(&k, kt, sizeof(kt));
            snprintf(err, errlen, "%s:%u: %s: %s must never be listed (RFC 5782 test point)",
                     r->file < s->n_files ? s->files[r->file] : "?", (unsigned)r->line, kt,
                     what);
            return DX_EREFUSED;
        }
        if (pol && !pol->force && dx_key_too_wide(&k, pol->shortest4, pol->shortest6)) {
            char kt[DX_KEY_TEXT_MAX];
            dx_key_format(&k, kt, sizeof(kt));
            bool v4 = k.family == DX_FAM_V4;
            snprintf(err, errlen, "%s:%u: %s%s is wider than /%u (shortest-prefix%s in [loader]);"
                     " --force imports it", r->file < s->n_files ? s->files[r->file] : "?",
                     (unsigned)r->line, excl ? "!" : "", kt,
                     v4 ? pol->shortest4 : pol->shortest6, v4 ? "" : "6");
            return DX_EREFUSED;
        }
        if (excl)
            continue;               /* an exclusion's value is never answered */
        const char *txt = dx_imp_txt(s, r);
        char why[300];
        if (pol && pol->list &&
            ((txt && dx_conf_check_txt(pol->list, txt, why, sizeof(why))) ||
             (r->code && dx_conf_check_code(pol->list->zone, r->code, why, sizeof(why))))) {
            snprintf(err, errlen, "%s:%u: %s", r->file < s->n_files ? s->files[r->file] : "?",
                     (unsigned)r->line, why);
            return DX_EINVAL;
        }
    }
    return 0;
}

/* ---- reading input ------------------------------------------------------ */

int dx_imp_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    *buf = NULL;
    *len = 0;
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    size_t cap = 65536, n = 0;
    struct stat sb;
    if (fstat(fd, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
            if (!is_stdin)
                close(fd);
            return -EISDIR;
        }
        if (S_ISREG(sb.st_mode) && sb.st_size > 0)
            cap = (size_t)sb.st_size + 1;
    }
    char *b = malloc(cap);
    int rc = 0;
    while (b) {
        if (cap - n < 2) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (!is_stdin)
        close(fd);
    if (!b) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        return -ENOMEM;
    }
    if (rc) {
        free(b);
        return rc;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return 0;
}

void dx_imp_lines_init(struct dx_imp_lines *it, const char *buf, size_t len)
{
    it->p = buf;
    it->end = buf + len;
    it->line = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        it->p += 3;               /* a UTF-8 byte order mark */
}

bool dx_imp_lines_next(struct dx_imp_lines *it, const char **line, size_t *len)
{
    const char *p = it->p;
    if (p >= it->end)
        return false;
    size_t rest = (size_t)(it->end - p);
    const char *lf = memchr(p, '\n', rest);
    size_t ll = lf ? (size_t)(lf - p) : rest;
    const char *cr = memchr(p, '\r', ll);
    if (cr && cr + 1 == lf) {
        ll--;                     /* CRLF */
    } else if (cr) {
        ll = (size_t)(cr - p);    /* a lone CR ends the line */
        lf = cr;
    }
    *line = p;
    *len = ll;
    it->p = lf ? lf + 1 : it->end;
    it->line++;
    return true;
}

int dx_imp_verrf(const struct dx_imp_set *s, uint16_t file, uint32_t line, char *err,
                 size_t errlen, const char *fmt, va_list ap)
{
    char msg[480];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (err && errlen)
        snprintf(err, errlen, "%s:%u: %s", file < s->n_files ? s->files[file] : "?",
                 (unsigned)line, msg);
    return DX_EINVAL;
}

int dx_imp_errf(const struct dx_imp_set *s, uint16_t file, uint32_t line, char *err,
                size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dx_imp_verrf(s, file, line, err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- the plain list format --------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A bounded copy of tok for a message, control bytes shown as '?'. */
static const char *show_tok(char t[80], const char *tok, size_t toklen)
{
    size_t n = toklen < 80 - 4 ? toklen : 80 - 4;
    memcpy(t, tok, n);
    if (n < toklen)
        memcpy(t + n, "...", 4);
    else
        t[n] = 0;
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
    return t;
}

static int line_error(const struct dx_imp_set *s, uint16_t file, uint32_t line,
                      char *err, size_t errlen, const char *fmt, const char *tok, size_t toklen)
{
    char t[80];
    return dx_imp_errf(s, file, line, err, errlen, fmt, show_tok(t, tok, toklen));
}

int dx_imp_parse_plain(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                       bool ip_zone, char *err, size_t errlen)
{
    struct dx_imp_lines it;
    const char *q;
    size_t ll;
    dx_imp_lines_init(&it, buf, len);
    while (dx_imp_lines_next(&it, &q, &ll)) {
        uint32_t line = it.line;
        const char *le = q + ll;
        if (memchr(q, 0, ll))
            return line_error(s, file, line, err, errlen, DX_IMP_NUL_MSG "%s", "", 0);
        while (q < le && is_blank(*q))
            q++;
        if (q == le || *q == '#' || *q == ';')
            continue;
        const char *tok = q;
        while (q < le && !is_blank(*q))
            q++;
        size_t toklen = (size_t)(q - tok);
        uint8_t flags = 0;
        const char *kt = tok;
        size_t kl = toklen;
        if (*kt == '!') {
            flags |= DX_ENTRY_EXCLUDE;
            kt++;
            kl--;
            if (kl == 0)
                return line_error(s, file, line, err, errlen, "'!' without a key%s", "", 0);
        }
        char text[DX_KEY_TEXT_MAX];
        if (kl >= sizeof(text))
            return line_error(s, file, line, err, errlen, "key too long: '%s'", kt, kl);
        memcpy(text, kt, kl);
        text[kl] = 0;
        struct dx_key k;
        int krc = dx_key_parse_for(text, ip_zone, &k);
        if (krc == DX_ERANGE) {
            char t[80], msg[200];
            dx_key_hostbits_msg(show_tok(t, kt, kl), &k, msg, sizeof(msg));
            return dx_imp_errf(s, file, line, err, errlen, "%s", msg);
        }
        if (krc != 0) {
            if (dx_key_parse_masked(text, &k) == 0)
                return line_error(s, file, line, err, errlen,
                                  ip_zone ? "'%s' is a domain name, but this is an ip zone"
                                          : "'%s' is an address, but this is a domain zone",
                                  kt, kl);
            return line_error(s, file, line, err, errlen, "bad key '%s'", kt, kl);
        }
        while (q < le && is_blank(*q))
            q++;
        if (q < le && *q != '#' && *q != ';')
            return line_error(s, file, line, err, errlen,
                              ip_zone ? "unexpected text after the key: '%s' (a plain list line"
                                        " is one key and an optional # or ; comment; an rbldnsd"
                                        " file with TXT after the key needs --format ip4set or"
                                        " ip6trie)"
                                      : "unexpected text after the key: '%s' (a plain list line"
                                        " is one key and an optional # or ; comment; an rbldnsd"
                                        " file with TXT after the key needs --format dnset)",
                              q, (size_t)(le - q));
        int rc = dx_imp_add(s, &k, flags, 0, NULL, file, line);
        if (rc) {
            snprintf(err, errlen, "%s:%u: %s", file < s->n_files ? s->files[file] : "?",
                     (unsigned)line, dx_strerror(rc));
            return rc;
        }
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

struct del_ctx {
    const struct dx_imp_set *s;
    struct dx_imp_set del;        /* entries to delete (compact, as records) */
    size_t existing;              /* entries seen */
    int err;
};

static int collect_deletions(void *arg, const char *list, const struct dx_key *k,
                             const struct dx_entry *e)
{
    struct del_ctx *c = arg;
    (void)list;
    (void)e;
    c->existing++;
    if (dx_imp_contains(c->s, k))
        return 0;
    int rc = dx_imp_add(&c->del, k, 0, 0, NULL, 0, 0);
    if (rc) {
        c->err = rc;
        return 1;
    }
    return 0;
}

static int stop_at_first(void *arg, const char *list, const struct dx_key *k,
                         const struct dx_entry *e)
{
    *(bool *)arg = true;
    return 1;
}

/* NULL and "" differ: an own TXT of "" means "no TXT" (rbldnsd `:3:`),
 * NULL means "the list's". */
static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool dx_imp_delete_ok(const struct dx_imp_stats *st, unsigned max_delete)
{
    return max_delete >= 100 || st->deleted == 0 ||
           (unsigned long long)st->deleted * 100 <= (unsigned long long)st->existing * max_delete;
}

void dx_imp_refused_msg(const struct dx_imp_stats *st, const char *target, unsigned max_delete,
                        char *buf, size_t cap)
{
    unsigned pct = st->existing ? (unsigned)((st->deleted * 100 + st->existing - 1) / st->existing)
                                : 0;
    snprintf(buf, cap, "refusing to replace %s: it would delete %zu of its %zu entries (%u%%),"
             " more than replace-max-delete = %u%% in [loader] allows (and add %zu, update %zu,"
             " keep %zu). Nothing was written; check the input (a failed download?), see"
             " --dry-run, or give --force", target, st->deleted, st->existing, pct, max_delete,
             st->added, st->updated, st->unchanged);
}

/* Does the stored entry old differ from the one the import would write? */
static bool rec_changed(const struct dx_entry *old, const struct dx_entry *e)
{
    return !(old->flags == e->flags && old->code == e->code && old->expires_at == e->expires_at &&
             str_eq(old->txt, e->txt) && str_eq(old->reason, e->reason) &&
             str_eq(old->source, e->source));
}

int dx_imp_write(struct dx_txn *w, const struct dx_imp_set *s, const struct dx_imp_opts *o,
                 struct dx_imp_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->total = s->n;
    uint64_t expires = o->lifetime == DX_FOREVER ? 0 : o->now + o->lifetime;
    struct del_ctx c = { .s = s };
    dx_imp_set_init(&c.del);
    int rc = 0;

    /* With --replace, find what to delete (one scan of the list); otherwise
     * just see whether the list is empty: then no record needs a lookup. */
    bool any = false;
    if (o->replace) {
        rc = dx_entry_foreach(w, o->zone, o->list, collect_deletions, &c);
        if (rc == 1)
            rc = c.err;
        any = c.existing > 0;
        st->existing = c.existing;
    } else {
        rc = dx_entry_foreach(w, o->zone, o->list, stop_at_first, &any);
        if (rc == 1)
            rc = 0;
    }
    st->deleted = c.del.n;
    /* a replace that would empty most of the list (a failed download) or
     * a dry run: count what would change, write nothing */
    bool refused = o->replace && !dx_imp_delete_ok(st, o->max_delete);
    if (rc == 0 && (refused || o->dry_run)) {
        dx_imp_set_free(&c.del);
        for (size_t i = 0; rc == 0 && i < s->n; i++) {
            const struct dx_imp_rec *r = &s->recs[i];
            struct dx_key k;
            dx_imp_key(s, r, &k);
            struct dx_entry old, e = { .flags = r->flags, .code = r->code, .expires_at = expires,
                                       .source = o->source, .reason = o->reason,
                                       .txt = dx_imp_txt(s, r) };
            rc = any ? dx_entry_get(w, o->zone, o->list, &k, &old) : DX_ENOTFOUND;
            if (rc == 0) {
                if (rec_changed(&old, &e))
                    st->updated++;
                else
                    st->unchanged++;
            } else if (rc == DX_ENOTFOUND) {
                st->added++;
                rc = 0;
            }
        }
        return rc ? rc : refused ? DX_EREFUSED : 0;
    }
    st->deleted = 0;
    struct dx_hist h = { .at = o->now, .action = DX_HIST_DELIST, .zone = o->zone,
                         .list = o->list, .source = o->source, .reason = o->reason };
    for (size_t i = 0; rc == 0 && i < c.del.n; i++) {
        struct dx_key k;
        dx_imp_key(&c.del, &c.del.recs[i], &k);
        rc = dx_history_add(w, &k, &h);
        if (rc == 0)
            rc = dx_entry_del(w, o->zone, o->list, &k);
        if (rc == 0)
            st->deleted++;
    }
    dx_imp_set_free(&c.del);

    h.action = DX_HIST_LIST;
    h.expires_at = expires;
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        if (o->progress && (i & 4095) == 0)
            dx_progress_update(o->progress, i);
        if (i == s->n / 2)
            dx_test_point("import-write");
        const struct dx_imp_rec *r = &s->recs[i];
        struct dx_key k;
        dx_imp_key(s, r, &k);
        const char *txt = dx_imp_txt(s, r);
        struct dx_entry old, e = {
            .flags = r->flags, .code = r->code, .first_seen = o->now, .last_seen = o->now,
            .expires_at = expires, .hits = 1, .source = o->source, .reason = o->reason,
            .txt = txt,
        };
        rc = any ? dx_entry_get(w, o->zone, o->list, &k, &old) : DX_ENOTFOUND;
        if (rc == 0) {
            if (!rec_changed(&old, &e)) {
                st->unchanged++;
                continue;
            }
            e.first_seen = old.first_seen;
            e.hits = old.hits;
            e.relists = old.relists;
            rc = dx_entry_put(w, o->zone, o->list, &k, &e);
            if (rc == 0)
                st->updated++;
        } else if (rc == DX_ENOTFOUND) {
            rc = dx_entry_put(w, o->zone, o->list, &k, &e);
            if (rc == 0 && any)     /* the first load of a list is its baseline */
                rc = dx_history_add(w, &k, &h);
            if (rc == 0)
                st->added++;
        }
    }
    return rc;
}
