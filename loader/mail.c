/* Mail input: message sources, header parsing, MIME walking (mail.h). */
#include "loader/mail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/err.h"

/* ---- small helpers ------------------------------------------------------ */

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* End of the line starting at i (index of '\n', or len), and the start of
 * the next line. */
static size_t line_end(const char *b, size_t len, size_t i, size_t *next)
{
    const char *nl = memchr(b + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - b) : len;
    *next = nl ? e + 1 : len;
    return e;
}

/* Content length of line [i, e): without a trailing CR. */
static size_t line_content(const char *b, size_t i, size_t e)
{
    return (e > i && b[e - 1] == '\r') ? e - 1 - i : e - i;
}

static void set_err(char *err, size_t errlen, const char *path, const char *reason)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, reason);
}

/* ---- sources ------------------------------------------------------------ */

static void report(const struct dx_mail_src_ops *ops, void *arg, struct dx_mail_stats *st,
                   const char *name, int e, const char *reason)
{
    if (st)
        st->errors++;
    if (ops->error)
        ops->error(arg, name, e, reason);
}

static int deliver(const struct dx_mail_src_ops *ops, void *arg, struct dx_mail_stats *st,
                   const char *buf, size_t len, const char *name)
{
    if (len > DX_MAIL_MAX_SIZE) {
        report(ops, arg, st, name, DX_ERANGE, "message too large");
        return 0;
    }
    if (st)
        st->messages++;
    return ops->message(arg, buf, len, name);
}

/* Does line [i, e) read ">...>From "? */
static bool quoted_from(const char *b, size_t i, size_t e)
{
    if (i >= e || b[i] != '>')
        return false;
    while (i < e && b[i] == '>')
        i++;
    return e - i >= 5 && memcmp(b + i, "From ", 5) == 0;
}

/* Hand out message [s, e) of an mbox, undoing >From quoting. */
static int mbox_emit(const char *b, size_t s, size_t e, const char *name, unsigned long n,
                     const struct dx_mail_src_ops *ops, void *arg, struct dx_mail_stats *st)
{
    char nm[4096];
    snprintf(nm, sizeof(nm), "%s:%lu", name, n);
    if (e - s > DX_MAIL_MAX_SIZE)
        return deliver(ops, arg, st, b + s, e - s, nm);
    bool quoted = false;
    for (size_t i = s, nx; i < e; i = nx) {
        size_t le = line_end(b, e, i, &nx);
        if (quoted_from(b, i, le)) {
            quoted = true;
            break;
        }
    }
    if (!quoted)
        return deliver(ops, arg, st, b + s, e - s, nm);
    char *copy = malloc(e - s + 1);
    if (!copy)
        return DX_ENOMEM;
    size_t o = 0;
    for (size_t i = s, nx; i < e; i = nx) {
        size_t le = line_end(b, e, i, &nx);
        size_t from = quoted_from(b, i, le) ? i + 1 : i;
        memcpy(copy + o, b + from, nx - from);
        o += nx - from;
    }
    int rc = deliver(ops, arg, st, copy, o, nm);
    free(copy);
    return rc;
}

int dx_mail_split_mbox(const char *buf, size_t len, const char *name,
                       const struct dx_mail_src_ops *ops, void *arg, struct dx_mail_stats *st)
{
    bool prev_blank = true, in_msg = false;
    size_t msg_start = 0, blank_start = 0;
    unsigned long n = 0;
    for (size_t i = 0, nx; i < len; i = nx) {
        size_t e = line_end(buf, len, i, &nx);
        size_t cl = line_content(buf, i, e);
        if (prev_blank && cl >= 5 && memcmp(buf + i, "From ", 5) == 0) {
            if (in_msg) {
                /* the message ends before the blank line that precedes us */
                size_t end = i > 0 ? blank_start : 0;
                if (end < msg_start)
                    end = msg_start;
                int rc = mbox_emit(buf, msg_start, end, name, ++n, ops, arg, st);
                if (rc)
                    return rc;
            }
            in_msg = true;
            msg_start = nx;
            prev_blank = false;
            continue;
        }
        if (cl == 0) {
            if (!prev_blank)
                blank_start = i;
            prev_blank = true;
        } else {
            prev_blank = false;
        }
    }
    if (in_msg) {
        size_t end = len;
        /* drop one trailing blank line (the separator before end of file) */
        if (end >= msg_start + 2 && buf[end - 1] == '\n') {
            size_t j = end - 1;
            if (j > msg_start && buf[j - 1] == '\r')
                j--;
            if (j > msg_start && buf[j - 1] == '\n')
                end = j;
        }
        return mbox_emit(buf, msg_start, end, name, ++n, ops, arg, st);
    }
    return 0;
}

/* Read an open fd (regular file of size sz, or a stream if sz < 0) into a
 * malloc'd buffer, at most DX_MAIL_MAX_SIZE + 1 bytes. */
static int read_all(int fd, char **out, size_t *outlen)
{
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    if (!b)
        return DX_ENOMEM;
    for (;;) {
        if (n == cap) {
            if (cap > DX_MAIL_MAX_SIZE)
                break;
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return DX_ENOMEM;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = -errno;
            free(b);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = b;
    *outlen = n;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One Maildir subdirectory (*exists = false if it is absent). Returns 0,
 * the callback's value, or a fatal negative code. */
static int maildir_sub(const char *path, const char *sub, const struct dx_mail_src_ops *ops,
                       void *arg, struct dx_mail_stats *st, bool *exists, char *err,
                       size_t errlen)
{
    *exists = false;
    char dpath[4096];
    if ((size_t)snprintf(dpath, sizeof(dpath), "%s/%s", path, sub) >= sizeof(dpath)) {
        set_err(err, errlen, path, "path too long");
        return DX_ERANGE;
    }
    DIR *d = opendir(dpath);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        int e = -errno;
        set_err(err, errlen, dpath, strerror(errno));
        return e;
    }
    *exists = true;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof(*nn));
            if (!nn) {
                rc = DX_ENOMEM;
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = DX_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char fpath[4096];
        if ((size_t)snprintf(fpath, sizeof(fpath), "%s/%s", dpath, names[i]) >= sizeof(fpath)) {
            report(ops, arg, st, names[i], DX_ERANGE, "path too long");
            continue;
        }
        int fd = open(fpath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
            report(ops, arg, st, fpath, -errno, strerror(errno));
            continue;
        }
        struct stat sb;
        if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            report(ops, arg, st, fpath, DX_EINVAL, "not a regular file");
            continue;
        }
        if ((uint64_t)sb.st_size > DX_MAIL_MAX_SIZE) {
            close(fd);
            report(ops, arg, st, fpath, DX_ERANGE, "message too large");
            continue;
        }
        char *b;
        size_t bl;
        int r = read_all(fd, &b, &bl);
        close(fd);
        if (r == DX_ENOMEM) {
            rc = r;
            break;
        }
        if (r < 0) {
            report(ops, arg, st, fpath, r, strerror(-r));
            continue;
        }
        rc = deliver(ops, arg, st, b, bl, fpath);
        free(b);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc == DX_ENOMEM)
        set_err(err, errlen, dpath, "out of memory");
    return rc;
}

int dx_mail_read_source(const char *path, const struct dx_mail_src_ops *ops, void *arg,
                        struct dx_mail_stats *st, char *err, size_t errlen)
{
    if (st)
        memset(st, 0, sizeof(*st));
    if (err && errlen)
        err[0] = 0;
    if (strcmp(path, "-") == 0) {
        char *b;
        size_t bl;
        int r = read_all(STDIN_FILENO, &b, &bl);
        if (r < 0) {
            set_err(err, errlen, "-", r == DX_ENOMEM ? "out of memory" : strerror(-r));
            return r;
        }
        r = deliver(ops, arg, st, b, bl, "-");
        free(b);
        return r;
    }
    struct stat sb;
    if (stat(path, &sb) < 0) {
        int e = -errno;
        set_err(err, errlen, path, strerror(errno));
        return e;
    }
    if (S_ISDIR(sb.st_mode)) {
        bool a, b;
        int rc = maildir_sub(path, "new", ops, arg, st, &a, err, errlen);
        if (rc)
            return rc;
        rc = maildir_sub(path, "cur", ops, arg, st, &b, err, errlen);
        if (rc)
            return rc;
        if (!a && !b) {
            set_err(err, errlen, path, "not a Maildir (no new/ or cur/)");
            return DX_EINVAL;
        }
        return 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = -errno;
        set_err(err, errlen, path, strerror(errno));
        return e;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        set_err(err, errlen, path, "not a regular file or directory");
        return DX_EINVAL;
    }
    if (sb.st_size == 0) {
        close(fd);
        return deliver(ops, arg, st, "", 0, path);  /* one empty message, as in a Maildir */
    }
    size_t sz = (size_t)sb.st_size;
    void *map = mmap(NULL, sz, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = map == MAP_FAILED ? -errno : 0;
    close(fd);
    if (e) {
        set_err(err, errlen, path, strerror(-e));
        return e;
    }
    const char *b = map;
    int rc;
    if (sz >= 5 && memcmp(b, "From ", 5) == 0)
        rc = dx_mail_split_mbox(b, sz, path, ops, arg, st);
    else
        rc = deliver(ops, arg, st, b, sz, path);
    munmap(map, sz);
    if (rc == DX_ENOMEM)
        set_err(err, errlen, path, "out of memory");
    return rc;
}

/* ---- headers ------------------------------------------------------------ */

/* Length of the header name on line [i, e) ("Name:" or "Name :"), 0 if the
 * line is not a header field. *colon = index of the colon. */
static size_t header_name(const char *b, size_t i, size_t e, size_t *colon)
{
    size_t j = i;
    while (j < e && b[j] != ':' && (unsigned char)b[j] > 32 && (unsigned char)b[j] < 127)
        j++;
    size_t nl = j - i;
    while (j < e && is_wsp(b[j]))
        j++;
    if (nl == 0 || j >= e || b[j] != ':')
        return 0;
    *colon = j;
    return nl;
}

static void finish_value(struct dx_mail_hdr *h, char *arena, size_t *ao)
{
    char *v = (char *)h->value;
    size_t l = (size_t)(arena + *ao - v);
    while (l && is_space(v[l - 1]))
        l--;
    size_t s = 0;
    while (s < l && is_space(v[s]))
        s++;
    v[l] = 0;
    *ao = (size_t)(v + l + 1 - arena);
    h->value = v + s;
    h->value_len = l - s;
}

static void append_value(char *arena, size_t *ao, const char *src, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char c = src[k];
        arena[(*ao)++] = (c == 0 || c == '\r' || c == '\n') ? ' ' : c;
    }
}

int dx_mail_parse(struct dx_mail_msg *m, const char *buf, size_t len)
{
    memset(m, 0, sizeof(*m));
    /* pass 1: end of the header block, number of fields */
    size_t hend = len, body = len, nfields = 0, nlines = 0;
    for (size_t i = 0, nx; i < len; i = nx) {
        size_t e = line_end(buf, len, i, &nx);
        nlines++;
        if (line_content(buf, i, e) == 0) {
            hend = i;
            body = nx;
            break;
        }
        size_t colon;
        if (!is_wsp(buf[i]) && header_name(buf, i, e, &colon))
            nfields++;
    }
    m->head = buf;
    m->head_len = hend;
    m->body = buf + body;
    m->body_len = len - body;
    if (nfields > DX_MAIL_MAX_HEADERS) {
        nfields = DX_MAIL_MAX_HEADERS;
        m->truncated = true;
    }
    if (nfields == 0)
        return 0;
    m->hdr = calloc(nfields, sizeof(*m->hdr));
    m->arena = malloc(hend + 2 * nlines + 2);
    if (!m->hdr || !m->arena) {
        dx_mail_free(m);
        m->head = buf;
        m->body = buf + body;
        m->body_len = len - body;
        return DX_ENOMEM;
    }
    /* pass 2: copy names and unfolded values */
    size_t ao = 0;
    struct dx_mail_hdr *cur = NULL;
    for (size_t i = 0, nx; i < hend; i = nx) {
        size_t e = line_end(buf, hend, i, &nx);
        size_t cl = line_content(buf, i, e);
        size_t colon;
        if (is_wsp(buf[i])) {
            if (cur)
                append_value(m->arena, &ao, buf + i, cl);
            continue;
        }
        if (cur) {
            finish_value(cur, m->arena, &ao);
            cur = NULL;
        }
        size_t nlen = header_name(buf, i, e, &colon);
        if (!nlen || m->n == nfields)
            continue;
        cur = &m->hdr[m->n++];
        memcpy(m->arena + ao, buf + i, nlen);
        m->arena[ao + nlen] = 0;
        cur->name = m->arena + ao;
        ao += nlen + 1;
        cur->value = m->arena + ao;
        append_value(m->arena, &ao, buf + colon + 1, i + cl - colon - 1);
    }
    if (cur)
        finish_value(cur, m->arena, &ao);
    return 0;
}

void dx_mail_free(struct dx_mail_msg *m)
{
    free(m->hdr);
    free(m->arena);
    memset(m, 0, sizeof(*m));
}

const char *dx_mail_header(const struct dx_mail_msg *m, const char *name, size_t nth)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcasecmp(m->hdr[i].name, name) == 0 && nth-- == 0)
            return m->hdr[i].value;
    return NULL;
}

size_t dx_mail_header_all(const struct dx_mail_msg *m, const char *name,
                          const char **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (strcasecmp(m->hdr[i].name, name) == 0) {
            if (k < max)
                out[k] = m->hdr[i].value;
            k++;
        }
    return k;
}

/* The text inside the first <...> of v (or v itself, trimmed, without
 * blanks if there is no '<'), blanks removed, into out. */
static int angle_addr(const char *v, char *out, size_t cap)
{
    const char *s = strchr(v, '<'), *e;
    if (s) {
        s++;
        e = strchr(s, '>');
        if (!e)
            e = s + strlen(s);
    } else {
        s = v;
        e = v + strlen(v);
    }
    size_t o = 0;
    for (const char *p = s; p < e; p++) {
        if (is_space(*p))
            continue;
        if (o + 1 >= cap)
            return DX_ERANGE;
        out[o++] = *p;
    }
    if (cap)
        out[o] = 0;
    return (int)o;
}

int dx_mail_message_id(const struct dx_mail_msg *m, char *out, size_t cap)
{
    const char *v = dx_mail_header(m, "Message-ID", 0);
    if (!v)
        return DX_ENOTFOUND;
    if (cap == 0)
        return DX_ERANGE;
    int r = angle_addr(v, out, cap);
    return r == 0 ? DX_ENOTFOUND : r;
}

int dx_mail_return_path(const struct dx_mail_msg *m, char *out, size_t cap)
{
    const char *v = dx_mail_header(m, "Return-Path", 0);
    if (!v)
        return DX_ENOTFOUND;
    if (cap == 0)
        return DX_ERANGE;
    return angle_addr(v, out, cap);
}

/* ---- Content-Type ------------------------------------------------------- */

static bool is_tspecial(char c)
{
    return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool is_token(char c)
{
    return (unsigned char)c > 32 && (unsigned char)c < 127 && !is_tspecial(c);
}

static const char *skip_cfws(const char *p)
{
    for (;;) {
        while (is_space(*p))
            p++;
        if (*p != '(')
            return p;
        int depth = 0;
        while (*p) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '(')
                depth++;
            else if (*p == ')' && --depth == 0) {
                p++;
                break;
            }
            p++;
        }
    }
}

/* Copy a token at p into out (lowercased if low). Returns the end, or NULL
 * if empty or too long. */
static const char *get_token(const char *p, char *out, size_t cap, bool low)
{
    size_t n = 0;
    while (is_token(*p)) {
        if (n + 1 >= cap)
            return NULL;
        out[n++] = low ? (char)lower(*p) : *p;
        p++;
    }
    out[n] = 0;
    return n ? p : NULL;
}

static const char *get_value(const char *p, char *out, size_t cap)
{
    if (*p != '"')
        return get_token(p, out, cap, false);
    size_t n = 0;
    p++;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        if (n + 1 >= cap)
            return NULL;
        out[n++] = *p++;
    }
    if (*p != '"')
        return NULL;
    out[n] = 0;
    return p + 1;
}

int dx_mail_content_type(const char *value, struct dx_mail_ctype *ct)
{
    memset(ct, 0, sizeof(*ct));
    strcpy(ct->type, "text");
    strcpy(ct->subtype, "plain");
    if (!value)
        return 0;
    char t[DX_MAIL_TOKEN_MAX], s[DX_MAIL_TOKEN_MAX];
    const char *p = skip_cfws(value);
    if (!(p = get_token(p, t, sizeof(t), true)))
        return DX_EINVAL;
    p = skip_cfws(p);
    if (*p != '/')
        return DX_EINVAL;
    p = skip_cfws(p + 1);
    if (!(p = get_token(p, s, sizeof(s), true)))
        return DX_EINVAL;
    strcpy(ct->type, t);
    strcpy(ct->subtype, s);
    for (;;) {
        p = skip_cfws(p);
        if (*p != ';')
            return 0;  /* end, or trailing junk: ignored */
        p = skip_cfws(p + 1);
        if (!*p)
            return 0;
        char name[DX_MAIL_TOKEN_MAX], val[DX_MAIL_TOKEN_MAX];
        if (!(p = get_token(p, name, sizeof(name), true)))
            return DX_EINVAL;
        p = skip_cfws(p);
        if (*p != '=')
            return DX_EINVAL;
        p = skip_cfws(p + 1);
        if (!(p = get_value(p, val, sizeof(val))))
            return DX_EINVAL;
        if (strcmp(name, "boundary") == 0)
            strcpy(ct->boundary, val);
        else if (strcmp(name, "report-type") == 0) {
            for (char *q = val; *q; q++)
                *q = (char)lower(*q);
            strcpy(ct->report_type, val);
        }
    }
}

bool dx_mail_ctype_is(const struct dx_mail_ctype *ct, const char *type, const char *subtype)
{
    return strcmp(ct->type, type) == 0 && strcmp(ct->subtype, subtype) == 0;
}

/* ---- MIME walk ---------------------------------------------------------- */

struct walk {
    int (*cb)(void *arg, const struct dx_mail_part *p);
    void *arg;
    unsigned parts;
};

static void part_info(struct dx_mail_part *p, const struct dx_mail_msg *m, bool digest)
{
    const char *ctv = dx_mail_header(m, "Content-Type", 0);
    if (!ctv && digest) {
        dx_mail_content_type("message/rfc822", &p->ct);
    } else if (dx_mail_content_type(ctv, &p->ct) < 0) {
        dx_mail_content_type(NULL, &p->ct);
    }
    p->encoding[0] = 0;
    const char *enc = dx_mail_header(m, "Content-Transfer-Encoding", 0);
    if (enc) {
        size_t n = 0;
        for (; enc[n] && !is_space(enc[n]) && enc[n] != ';' && n + 1 < sizeof(p->encoding); n++)
            p->encoding[n] = (char)lower(enc[n]);
        p->encoding[n] = 0;
    }
    p->head = m->head;
    p->head_len = m->head_len;
    p->body = m->body;
    p->body_len = m->body_len;
}

static int walk_entity(struct walk *w, const struct dx_mail_part *p);

/* Is line [i, e) of b a delimiter of boundary bd? 1 = part delimiter,
 * 2 = closing delimiter, 0 = no. */
static int delimiter(const char *b, size_t i, size_t e, const char *bd, size_t bl)
{
    if (e - i < bl + 2 || b[i] != '-' || b[i + 1] != '-' || memcmp(b + i + 2, bd, bl) != 0)
        return 0;
    size_t j = i + 2 + bl;
    if (e - j >= 2 && b[j] == '-' && b[j + 1] == '-')
        return 2;
    for (; j < e; j++)
        if (!is_space(b[j]))
            return 0;
    return 1;
}

static int walk_part(struct walk *w, const char *b, size_t len, int depth, bool digest)
{
    if (w->parts >= DX_MAIL_MAX_PARTS)
        return 0;
    struct dx_mail_msg m;
    if (dx_mail_parse(&m, b, len) < 0)
        return DX_ENOMEM;
    struct dx_mail_part p;
    memset(&p, 0, sizeof(p));
    p.depth = depth;
    part_info(&p, &m, digest);
    dx_mail_free(&m);
    return walk_entity(w, &p);
}

static int walk_entity(struct walk *w, const struct dx_mail_part *p)
{
    if (w->parts >= DX_MAIL_MAX_PARTS)
        return 0;
    w->parts++;
    int rc = w->cb(w->arg, p);
    if (rc)
        return rc;
    if (strcmp(p->ct.type, "multipart") != 0 || !p->ct.boundary[0] ||
        p->depth >= DX_MAIL_MAX_DEPTH)
        return 0;
    bool digest = strcmp(p->ct.subtype, "digest") == 0;
    const char *bd = p->ct.boundary;
    size_t bl = strlen(bd);
    const char *b = p->body;
    size_t len = p->body_len;
    bool inpart = false;
    size_t start = 0;
    for (size_t i = 0, nx; i < len; i = nx) {
        size_t e = line_end(b, len, i, &nx);
        int d = delimiter(b, i, e, bd, bl);
        if (!d)
            continue;
        if (inpart) {
            size_t end = i;  /* the line break before the delimiter belongs to it */
            if (end > start && b[end - 1] == '\n')
                end--;
            if (end > start && b[end - 1] == '\r')
                end--;
            rc = walk_part(w, b + start, end - start, p->depth + 1, digest);
            if (rc)
                return rc;
        }
        if (d == 2)
            return 0;
        inpart = true;
        start = nx;
    }
    if (inpart && start < len)  /* no closing delimiter: take what is there */
        return walk_part(w, b + start, len - start, p->depth + 1, digest);
    return 0;
}

enum dx_mail_mp dx_mail_multipart_check(const struct dx_mail_part *p)
{
    if (strcmp(p->ct.type, "multipart") != 0)
        return DX_MAIL_MP_OK;
    if (!p->ct.boundary[0])
        return DX_MAIL_MP_NO_BOUNDARY;
    const char *bd = p->ct.boundary, *b = p->body;
    size_t bl = strlen(bd), len = p->body_len;
    bool parts = false;
    for (size_t i = 0, nx; i < len; i = nx) {
        size_t e = line_end(b, len, i, &nx);
        int d = delimiter(b, i, e, bd, bl);
        if (d == 2)
            return parts ? DX_MAIL_MP_OK : DX_MAIL_MP_NO_PARTS;
        if (d == 1)
            parts = true;
    }
    return parts ? DX_MAIL_MP_UNCLOSED : DX_MAIL_MP_NO_PARTS;
}

int dx_mail_walk(const struct dx_mail_msg *m,
                 int (*cb)(void *arg, const struct dx_mail_part *p), void *arg)
{
    struct walk w = { cb, arg, 0 };
    struct dx_mail_part p;
    memset(&p, 0, sizeof(p));
    part_info(&p, m, false);
    return walk_entity(&w, &p);
}

static int bounce_cb(void *arg, const struct dx_mail_part *p)
{
    (void)arg;
    if (strcmp(p->ct.type, "message") == 0 &&
        (strcmp(p->ct.subtype, "delivery-status") == 0 ||
         strcmp(p->ct.subtype, "global-delivery-status") == 0))
        return 1;
    if (p->depth == 0 && dx_mail_ctype_is(&p->ct, "multipart", "report") &&
        strcmp(p->ct.report_type, "delivery-status") == 0)
        return 1;
    return 0;
}

bool dx_mail_is_bounce(const struct dx_mail_msg *m)
{
    char rp[8];
    int r = dx_mail_return_path(m, rp, sizeof(rp));
    if (r == 0)
        return true;
    return dx_mail_walk(m, bounce_cb, NULL) == 1;
}

/* ---- transfer decoding -------------------------------------------------- */

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int dx_mail_part_decode(const struct dx_mail_part *p, char **out, size_t *outlen)
{
    const unsigned char *b = (const unsigned char *)p->body;
    size_t len = p->body_len, o = 0;
    char *d = malloc(len + 1);
    if (!d)
        return DX_ENOMEM;
    const char *enc = p->encoding;
    if (strcmp(enc, "base64") == 0) {
        uint32_t acc = 0;
        int bits = 0;
        for (size_t i = 0; i < len && b[i] != '='; i++) {
            int v = b64val(b[i]);
            if (v < 0)
                continue;
            acc = (acc << 6) | (uint32_t)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                d[o++] = (char)((acc >> bits) & 0xff);
            }
        }
    } else if (strcmp(enc, "quoted-printable") == 0) {
        for (size_t i = 0; i < len; i++) {
            if (b[i] != '=') {
                d[o++] = (char)b[i];
                continue;
            }
            if (i + 2 < len && hexval(b[i + 1]) >= 0 && hexval(b[i + 2]) >= 0) {
                d[o++] = (char)(hexval(b[i + 1]) * 16 + hexval(b[i + 2]));
                i += 2;
                continue;
            }
            /* soft line break: '=' then blanks then (CR)LF */
            size_t j = i + 1;
            while (j < len && is_wsp((char)b[j]))
                j++;
            if (j < len && b[j] == '\r')
                j++;
            if (j < len && b[j] == '\n') {
                i = j;
                continue;
            }
            if (j >= len) {
                i = len;
                continue;
            }
            d[o++] = '=';
        }
    } else if (enc[0] == 0 || strcmp(enc, "7bit") == 0 || strcmp(enc, "8bit") == 0 ||
               strcmp(enc, "binary") == 0) {
        memcpy(d, b, len);
        o = len;
    } else {
        free(d);
        return DX_EINVAL;
    }
    d[o] = 0;
    *out = d;
    *outlen = o;
    return 0;
}
