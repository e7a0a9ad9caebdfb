/* Sliding-window counters and the count-min sketch of them (window.h). */
#include "zones/window.h"

#include "zones/dur.h"
#include "zones/err.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EP_BITS  22
#define EP_MASK  ((1u << EP_BITS) - 1)
#define CNT_BITS 21
#define PREV_SHIFT CNT_BITS
#define EP_SHIFT (2 * CNT_BITS)
#define DX_SKETCH_STRIPES 4096

static uint32_t w_ep(uint64_t v)   { return (uint32_t)(v >> EP_SHIFT) & EP_MASK; }
static uint32_t w_prev(uint64_t v) { return (uint32_t)(v >> PREV_SHIFT) & DX_WIN_MAX; }
static uint32_t w_cur(uint64_t v)  { return (uint32_t)v & DX_WIN_MAX; }

static uint64_t w_make(uint32_t ep, uint32_t prev, uint32_t cur)
{
    return (uint64_t)ep << EP_SHIFT | (uint64_t)prev << PREV_SHIFT | cur;
}

/* The word v seen from window ep: the same (also when v is already in a
 * later window, up to DX_WIN_AHEAD: another thread's clock is ahead of this
 * one's, and the query counts in the counter's window), moved on by one
 * window (prev = cur, cur = 0), or empty. */
static uint64_t w_at(uint64_t v, uint32_t ep)
{
    uint32_t e = w_ep(v);
    if (((e - ep) & EP_MASK) <= DX_WIN_AHEAD)
        return v;
    if (((e + 1) & EP_MASK) == ep)
        return w_make(ep, w_cur(v), 0);
    return w_make(ep, 0, 0);
}

static uint32_t w_est(uint64_t v, uint64_t now, uint64_t period)
{
    uint64_t left = period - 1 - now % period;  /* prev's seconds still inside: 0..period-1 */
    return w_cur(v) + (uint32_t)((uint64_t)w_prev(v) * left / period);
}

/* One more query in the word at *c, seen at ep (saturating); the new word. */
static uint64_t w_bump(_Atomic uint64_t *c, uint32_t ep)
{
    uint64_t old = atomic_load_explicit(c, memory_order_relaxed), nv;
    do {
        nv = w_at(old, ep);
        if (w_cur(nv) < DX_WIN_MAX)
            nv++;
    } while (!atomic_compare_exchange_weak_explicit(c, &old, nv, memory_order_relaxed,
                                                    memory_order_relaxed));
    return nv;
}

uint32_t dx_win_add(struct dx_win *w, uint64_t now, uint64_t period)
{
    if (period == 0)
        period = 1;
    uint32_t ep = (uint32_t)(now / period) & EP_MASK;
    return w_est(w_bump(&w->v, ep), now, period);
}

uint32_t dx_win_count(const struct dx_win *w, uint64_t now, uint64_t period)
{
    if (period == 0)
        period = 1;
    uint32_t ep = (uint32_t)(now / period) & EP_MASK;
    uint64_t v = atomic_load_explicit(&((struct dx_win *)w)->v, memory_order_relaxed);
    return w_est(w_at(v, ep), now, period);
}

int dx_rate_parse(const char *text, uint32_t *n, uint64_t *period)
{
    if (!text)
        return DX_EINVAL;
    const char *slash = strchr(text, '/');
    char num[24];
    size_t nl = slash ? (size_t)(slash - text) : 0;
    if (!slash || nl == 0 || nl >= sizeof(num))
        return DX_EINVAL;
    memcpy(num, text, nl);
    num[nl] = 0;
    uint64_t v, p;
    if (dx_uint_parse(num, DX_WIN_MAX, &v) || v == 0)
        return DX_EINVAL;
    if (dx_dur_parse(slash + 1, &p) || p == 0 || p > DX_WIN_PERIOD_MAX)
        return DX_EINVAL;
    *n = (uint32_t)v;
    *period = p;
    return 0;
}

void dx_rate_format(uint32_t n, uint64_t period, char *buf, size_t cap)
{
    char d[32];
    dx_dur_format(period, d, sizeof(d));
    snprintf(buf, cap, "%u/%s", n, d);
}

/* --- the sketch ----------------------------------------------------------- */

struct sk_stripe {
    _Atomic uint32_t begun, ended;              /* updates of the stripe, modulo 2^32 */
};

struct dx_sketch {
    unsigned refs;                              /* holders (one thread) */
    uint64_t period;
    unsigned char key[crypto_shorthash_KEYBYTES];
    struct sk_stripe stripe[DX_SKETCH_STRIPES];
    struct dx_win cell[DX_SKETCH_ROWS][DX_SKETCH_WIDTH];
};

_Static_assert(DX_SKETCH_ROWS * 16 <= 64, "one 64-bit hash gives every row its column");
_Static_assert(DX_SKETCH_WIDTH == 65536, "16 bits of the hash per row");

struct dx_sketch *dx_sketch_new(uint64_t period, const uint8_t *key16)
{
    struct dx_sketch *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->refs = 1;
    s->period = period ? period : 1;
    if (key16) {
        memcpy(s->key, key16, sizeof(s->key));
    } else {
        if (sodium_init() < 0) {
            free(s);
            return NULL;
        }
        crypto_shorthash_keygen(s->key);
    }
    return s;
}

struct dx_sketch *dx_sketch_ref(struct dx_sketch *s)
{
    s->refs++;
    return s;
}

void dx_sketch_release(struct dx_sketch *s)
{
    if (s && --s->refs == 0) {
        sodium_memzero(s->key, sizeof(s->key));
        free(s);
    }
}

uint64_t dx_sketch_period(const struct dx_sketch *s)
{
    return s->period;
}

static uint64_t sk_hash(const struct dx_sketch *s, const void *key, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, key, len, s->key);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    return v;
}

/* A key's estimate from its cells seen at ep: the smallest cur plus the
 * share of the smallest prev (each field bounds the key's own from above). */
static uint32_t sk_est(const uint64_t v[DX_SKETCH_ROWS], uint64_t now, uint64_t period)
{
    uint32_t cur = DX_WIN_MAX, prev = DX_WIN_MAX;
    for (unsigned r = 0; r < DX_SKETCH_ROWS; r++) {
        if (w_cur(v[r]) < cur)
            cur = w_cur(v[r]);
        if (w_prev(v[r]) < prev)
            prev = w_prev(v[r]);
    }
    return w_est(w_make(0, prev, cur), now, period);
}

/* The cell *c seen at ep raised to a cur of at least want (saturating). */
static uint64_t w_raise(_Atomic uint64_t *c, uint32_t ep, uint32_t want)
{
    if (want > DX_WIN_MAX)
        want = DX_WIN_MAX;
    uint64_t old = atomic_load_explicit(c, memory_order_relaxed), nv;
    do {
        nv = w_at(old, ep);
        if (w_cur(nv) >= want)
            return nv;
        nv = (nv & ~(uint64_t)DX_WIN_MAX) | want;
    } while (!atomic_compare_exchange_weak_explicit(c, &old, nv, memory_order_relaxed,
                                                    memory_order_relaxed));
    return nv;
}

/* Conservative update: the key's cells are raised to its smallest cur + 1
 * (those above it are left as they are). That is exact only while no other
 * query of the key is counted at the same time, so the keys are spread over
 * DX_SKETCH_STRIPES stripes, each with a count of the updates begun and
 * ended: an update that overlaps another of its stripe (one under way when
 * it begins, or one begun before it ends) counts one in every cell as a
 * plain count-min sketch does. So no count is ever lost; such a query may
 * count twice. */
uint32_t dx_sketch_add(struct dx_sketch *s, const void *key, size_t len, uint64_t now)
{
    uint64_t h = sk_hash(s, key, len);
    uint32_t ep = (uint32_t)(now / s->period) & EP_MASK;
    struct sk_stripe *st = &s->stripe[(h >> 52) % DX_SKETCH_STRIPES];
    /* sequentially consistent: of two updates each writing one count and
     * reading the other, at least one sees the other's */
    uint32_t b = atomic_fetch_add(&st->begun, 1);
    bool raced = atomic_load(&st->ended) != b;                  /* one under way */
    _Atomic uint64_t *c[DX_SKETCH_ROWS];
    uint64_t v[DX_SKETCH_ROWS];
    uint32_t min = DX_WIN_MAX;
    for (unsigned r = 0; r < DX_SKETCH_ROWS; r++) {
        c[r] = &s->cell[r][(h >> (16 * r)) & 0xffffu].v;
        v[r] = w_at(atomic_load_explicit(c[r], memory_order_relaxed), ep);
        if (w_cur(v[r]) < min)
            min = w_cur(v[r]);
    }
    if (!raced) {
        for (unsigned r = 0; r < DX_SKETCH_ROWS; r++)
            v[r] = w_raise(c[r], ep, min + 1);
    }
    raced |= atomic_load(&st->begun) != b + 1;                  /* one begun since */
    if (raced) {
        for (unsigned r = 0; r < DX_SKETCH_ROWS; r++)
            v[r] = w_bump(c[r], ep);
    }
    /* last: an update that sees this one ended sees all its cells written
     * (were the bump after it, a conservative update could read a cell
     * bumped and one not yet, raise both to one, and lose a count) */
    atomic_fetch_add(&st->ended, 1);
    return sk_est(v, now, s->period);
}

uint32_t dx_sketch_count(const struct dx_sketch *s, const void *key, size_t len, uint64_t now)
{
    uint64_t h = sk_hash(s, key, len);
    uint32_t ep = (uint32_t)(now / s->period) & EP_MASK;
    uint64_t v[DX_SKETCH_ROWS];
    for (unsigned r = 0; r < DX_SKETCH_ROWS; r++) {
        const struct dx_win *w = &s->cell[r][(h >> (16 * r)) & 0xffffu];
        v[r] = w_at(atomic_load_explicit(&((struct dx_win *)w)->v, memory_order_relaxed), ep);
    }
    return sk_est(v, now, s->period);
}
