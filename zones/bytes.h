/* The byte codec: a bounded cursor over bytes with a sticky error, for DNS
 * messages, TCP framing and LMDB keys and values alike. Everything here is
 * static inline; nothing allocates except a growable writer.
 *
 * A cursor is a reader (over const input), a fixed writer (into a caller's
 * buffer, up to a limit that may be moved: room kept for a trailing
 * record) or a growable writer (it owns a malloc'd buffer and grows it).
 * Integers are big-endian (network order, and numeric order for memcmp).
 *
 * The contract:
 * - A read that needs more bytes than are left sets DX_ESHORT: the input
 *   ended inside a field (a truncated message, a corrupt record).
 * - A write past the limit of a fixed writer sets DX_ERANGE: the output
 *   does not fit (truncate the answer, the key is too long). A growable
 *   writer grows instead (256 bytes, doubling) and sets DX_ENOMEM if it
 *   cannot. A write on a reader, a patch outside the written bytes, a mark
 *   from ahead of the cursor set DX_EINVAL (a caller's bug).
 * - The error is sticky and keeps the FIRST failure: after it every read
 *   returns 0 (NULL for pointers) and every write does nothing, so a caller
 *   checks b->err once at the end of a sequence. dx_bytes_rollback() and
 *   dx_bytes_reset() are the only ways to clear it.
 * - b->err == 0 implies b->pos <= b->len: the fast path of every operation
 *   is one test of err and one of the room left.
 *
 * Fault hook for tests: define DX_BYTES_REALLOC (same signature as realloc)
 * before including this file.
 */
#ifndef DX_BYTES_H
#define DX_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"

#ifndef DX_BYTES_REALLOC
#define DX_BYTES_REALLOC realloc
#endif

#define DX_BYTES_GROW_MIN 256

__extension__ typedef unsigned __int128 dx_u128;

struct dx_bytes {
    const uint8_t *rp;   /* readable bytes rp[0..len) (a writer: rp == wp) */
    uint8_t *wp;         /* a writer's buffer; NULL for a reader (and an empty growable) */
    size_t len;          /* reader: input length; writer: current limit (<= cap) */
    size_t cap;          /* writer: buffer size (growable: allocated size) */
    size_t pos;          /* bytes read or written */
    int err;             /* 0, or the first failure: DX_ESHORT, DX_ERANGE, DX_EINVAL, DX_ENOMEM */
    bool grow;           /* a growable writer: owns wp */
};

struct dx_bytes_mark {
    size_t pos;
};

/* --- raw access: the caller has checked the bounds -------------------------- */

static inline uint16_t dx_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dx_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t dx_be64(const uint8_t *p)
{
    return (uint64_t)dx_be32(p) << 32 | dx_be32(p + 4);
}

static inline void dx_set_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void dx_set_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void dx_set_be64(uint8_t *p, uint64_t v)
{
    dx_set_be32(p, (uint32_t)(v >> 32));
    dx_set_be32(p + 4, (uint32_t)v);
}

/* n (<= 16) bytes as one big-endian number: addresses, 4 or 16 bytes. */
static inline dx_u128 dx_be_n(const uint8_t *p, size_t n)
{
    dx_u128 v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The low n (<= 16) bytes of v into p[0..n), big-endian. */
static inline void dx_set_be_n(uint8_t *p, size_t n, dx_u128 v)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The first 8 bytes of p[0..n) as a big-endian number, zero-padded when
 * n < 8: a sort handle that orders like memcmp on those bytes. */
static inline uint64_t dx_be_prefix64(const uint8_t *p, size_t n)
{
    uint8_t b[8] = { 0 };
    memcpy(b, p, n < 8 ? n : 8);
    return dx_be64(b);
}

/* --- set-up and state --------------------------------------------------------- */

static inline void dx_bytes_reader(struct dx_bytes *b, const void *p, size_t n)
{
    memset(b, 0, sizeof(*b));
    b->rp = p;
    b->len = n;
}

/* Writing into p[0..cap); the limit starts at cap. */
static inline void dx_bytes_writer(struct dx_bytes *b, void *p, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->wp = p;
    b->rp = p;
    b->len = cap;
    b->cap = cap;
}

/* An empty growable writer: the first write allocates. dx_bytes_free frees. */
static inline void dx_bytes_growable(struct dx_bytes *b)
{
    memset(b, 0, sizeof(*b));
    b->grow = true;
}

/* Start again from 0 with no error: a writer keeps its buffer and limit. */
static inline void dx_bytes_reset(struct dx_bytes *b)
{
    b->pos = 0;
    b->err = 0;
}

static inline void dx_bytes_free(struct dx_bytes *b)
{
    if (b->grow) {
        free(b->wp);
        dx_bytes_growable(b);
    }
}

static inline bool dx_bytes_ok(const struct dx_bytes *b)
{
    return b->err == 0;
}

/* Bytes left to read or room left to write; 0 once err is set. */
static inline size_t dx_bytes_left(const struct dx_bytes *b)
{
    return b->err ? 0 : b->len - b->pos;
}

/* Record a failure (kept only if it is the first). Returns b->err. */
static inline int dx_bytes_fail(struct dx_bytes *b, int code)
{
    if (!b->err)
        b->err = code;
    return b->err;
}

/* A fixed writer's limit: n <= cap (else DX_EINVAL, limit unchanged); a
 * limit below what is already written sets DX_ERANGE. Not for growable
 * writers or readers (DX_EINVAL). */
static inline void dx_bytes_set_limit(struct dx_bytes *b, size_t n)
{
    if (!b->wp || b->grow || n > b->cap) {
        dx_bytes_fail(b, DX_EINVAL);
        return;
    }
    b->len = n;
    if (b->pos > n)
        dx_bytes_fail(b, DX_ERANGE);
}

/* --- reading ------------------------------------------------------------------- */

static __attribute__((noinline, cold, unused)) void dx__bytes_short(struct dx_bytes *b)
{
    dx_bytes_fail(b, DX_ESHORT);
}

/* n bytes at the cursor, which moves past them; NULL once err is set (for
 * n == 0 check b->err, not the pointer). */
static inline const uint8_t *dx_get_ptr(struct dx_bytes *b, size_t n)
{
    if (b->err || b->len - b->pos < n) {
        dx__bytes_short(b);
        return NULL;
    }
    const uint8_t *p = b->rp + b->pos;
    b->pos += n;
    return p;
}

static inline void dx_skip(struct dx_bytes *b, size_t n)
{
    (void)dx_get_ptr(b, n);
}

static inline uint8_t dx_get_u8(struct dx_bytes *b)
{
    if (b->err || b->len - b->pos < 1) {
        dx__bytes_short(b);
        return 0;
    }
    return b->rp[b->pos++];
}

static inline uint16_t dx_get_u16(struct dx_bytes *b)
{
    if (b->err || b->len - b->pos < 2) {
        dx__bytes_short(b);
        return 0;
    }
    uint16_t v = dx_be16(b->rp + b->pos);
    b->pos += 2;
    return v;
}

static inline uint32_t dx_get_u32(struct dx_bytes *b)
{
    if (b->err || b->len - b->pos < 4) {
        dx__bytes_short(b);
        return 0;
    }
    uint32_t v = dx_be32(b->rp + b->pos);
    b->pos += 4;
    return v;
}

static inline uint64_t dx_get_u64(struct dx_bytes *b)
{
    if (b->err || b->len - b->pos < 8) {
        dx__bytes_short(b);
        return 0;
    }
    uint64_t v = dx_be64(b->rp + b->pos);
    b->pos += 8;
    return v;
}

/* A u8 length, then that many bytes: the bytes, *n = the length (0 and
 * NULL once err is set). */
static inline const uint8_t *dx_get_lp8(struct dx_bytes *b, size_t *n)
{
    size_t l = dx_get_u8(b);
    const uint8_t *p = dx_get_ptr(b, l);
    *n = p ? l : 0;
    return p;
}

/* The same with a u16 length. */
static inline const uint8_t *dx_get_lp16(struct dx_bytes *b, size_t *n)
{
    size_t l = dx_get_u16(b);
    const uint8_t *p = dx_get_ptr(b, l);
    *n = p ? l : 0;
    return p;
}

/* --- writing ------------------------------------------------------------------- */

/* Room for n more bytes, or an error (which is returned: 0 = room). Called
 * when the fast path failed: an error already set, a reader, a full fixed
 * writer, or a growable writer to grow. */
static __attribute__((noinline, cold, unused)) int dx__bytes_room(struct dx_bytes *b, size_t n)
{
    if (b->err)
        return b->err;
    if (!b->grow) {
        if (!b->wp)
            return dx_bytes_fail(b, DX_EINVAL);
        if (b->len - b->pos < n)
            return dx_bytes_fail(b, DX_ERANGE);
        return 0;
    }
    if (b->wp && b->len - b->pos >= n)
        return 0;
    if (n > SIZE_MAX / 2 - b->pos)
        return dx_bytes_fail(b, DX_ENOMEM);
    size_t cap = b->cap ? b->cap : DX_BYTES_GROW_MIN;
    while (cap < b->pos + n)
        cap *= 2;
    uint8_t *p = DX_BYTES_REALLOC(b->wp, cap);
    if (!p)
        return dx_bytes_fail(b, DX_ENOMEM);
    b->wp = p;
    b->rp = p;
    b->cap = cap;
    b->len = cap;
    return 0;
}

/* Room for n bytes at the cursor, which moves past them: the caller fills
 * them in (e.g. a name reversed in place). NULL once err is set. */
static inline uint8_t *dx_put_ptr(struct dx_bytes *b, size_t n)
{
    if ((b->err || !b->wp || b->len - b->pos < n) && dx__bytes_room(b, n))
        return NULL;
    uint8_t *p = b->wp + b->pos;
    b->pos += n;
    return p;
}

static inline void dx_put(struct dx_bytes *b, const void *p, size_t n)
{
    uint8_t *d = dx_put_ptr(b, n);
    if (d && n)
        memcpy(d, p, n);
}

static inline void dx_put_zero(struct dx_bytes *b, size_t n)
{
    uint8_t *d = dx_put_ptr(b, n);
    if (d && n)
        memset(d, 0, n);
}

static inline void dx_put_u8(struct dx_bytes *b, uint8_t v)
{
    uint8_t *d = dx_put_ptr(b, 1);
    if (d)
        d[0] = v;
}

static inline void dx_put_u16(struct dx_bytes *b, uint16_t v)
{
    uint8_t *d = dx_put_ptr(b, 2);
    if (d)
        dx_set_be16(d, v);
}

static inline void dx_put_u32(struct dx_bytes *b, uint32_t v)
{
    uint8_t *d = dx_put_ptr(b, 4);
    if (d)
        dx_set_be32(d, v);
}

static inline void dx_put_u64(struct dx_bytes *b, uint64_t v)
{
    uint8_t *d = dx_put_ptr(b, 8);
    if (d)
        dx_set_be64(d, v);
}

/* A u8 length, then the n bytes; n > 255 sets DX_ERANGE. */
static inline void dx_put_lp8(struct dx_bytes *b, const void *p, size_t n)
{
    if (n > UINT8_MAX) {
        dx_bytes_fail(b, DX_ERANGE);
        return;
    }
    dx_put_u8(b, (uint8_t)n);
    dx_put(b, p, n);
}

/* A u16 length, then the n bytes; n > 65535 sets DX_ERANGE. */
static inline void dx_put_lp16(struct dx_bytes *b, const void *p, size_t n)
{
    if (n > UINT16_MAX) {
        dx_bytes_fail(b, DX_ERANGE);
        return;
    }
    dx_put_u16(b, (uint16_t)n);
    dx_put(b, p, n);
}

/* Overwrite 2 written bytes at offset at (a length or a count known only
 * later): at + 2 <= pos, else DX_EINVAL. Nothing once err is set. */
static inline void dx_patch_u16(struct dx_bytes *b, size_t at, uint16_t v)
{
    if (b->err)
        return;
    if (!b->wp || at > b->pos || b->pos - at < 2) {
        dx_bytes_fail(b, DX_EINVAL);
        return;
    }
    dx_set_be16(b->wp + at, v);
}

/* --- mark and rollback --------------------------------------------------------- */

static inline struct dx_bytes_mark dx_bytes_mark(const struct dx_bytes *b)
{
    struct dx_bytes_mark m = { b->pos };
    return m;
}

/* Back to the mark, error cleared: what was written after it is dropped (a
 * growable writer keeps its allocation). A mark ahead of the cursor sets
 * DX_EINVAL; a mark beyond a limit lowered since sets DX_ERANGE. */
static inline void dx_bytes_rollback(struct dx_bytes *b, struct dx_bytes_mark m)
{
    if (m.pos > b->pos) {
        dx_bytes_fail(b, DX_EINVAL);
        return;
    }
    b->pos = m.pos;
    b->err = 0;
    if (b->pos > b->len)
        b->err = DX_ERANGE;
}

#endif
