/* The single-producer, single-consumer record ring (ring.h). */
#include "dnsxld/ring.h"

#include <stdlib.h>
#include <string.h>

#define HDR 8u                       /* a record's header: u32 length, 4 bytes of padding */
#define PAD UINT32_MAX               /* the header of the padding before a wrap */

static size_t round8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

struct dx_ring *dx_ring_new(size_t cap)
{
    size_t c = 4096;
    while (c < cap && c < ((size_t)1 << 40))
        c <<= 1;
    struct dx_ring *r = aligned_alloc(64, sizeof(*r));
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->cap = c;
    r->buf = aligned_alloc(64, c);
    if (!r->buf) {
        free(r);
        return NULL;
    }
    return r;
}

void dx_ring_free(struct dx_ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static void set_hdr(uint8_t *p, uint32_t len)
{
    memcpy(p, &len, sizeof(len));
}

static uint32_t get_hdr(const uint8_t *p)
{
    uint32_t len;
    memcpy(&len, p, sizeof(len));
    return len;
}

static void drop(struct dx_ring *r)
{
    atomic_store_explicit(&r->drops, atomic_load_explicit(&r->drops, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

void *dx_ring_reserve(struct dx_ring *r, size_t n)
{
    size_t need = HDR + round8(n);
    if (n > r->cap / 2) {
        drop(r);
        return NULL;
    }
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t pos = (size_t)(h & (r->cap - 1)), room = r->cap - pos;
    size_t total = room < need ? room + need : need;    /* a pad to the end, then the record */
    if (h + total - r->tail_seen > r->cap) {
        r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h + total - r->tail_seen > r->cap) {
            drop(r);
            return NULL;
        }
    }
    if (room < need) {
        set_hdr(r->buf + pos, PAD);
        h += room;
        pos = 0;
    }
    set_hdr(r->buf + pos, (uint32_t)n);
    r->whead = h + need;
    return r->buf + pos + HDR;
}

void dx_ring_commit(struct dx_ring *r)
{
    atomic_store_explicit(&r->head, r->whead, memory_order_release);
    atomic_store_explicit(&r->puts, atomic_load_explicit(&r->puts, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

const void *dx_ring_peek(struct dx_ring *r, size_t *n)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    if (t == h)
        return NULL;
    size_t pos = (size_t)(t & (r->cap - 1));
    uint32_t len = get_hdr(r->buf + pos);
    if (len == PAD) {                   /* skip to the start; the record is there */
        t += r->cap - pos;
        atomic_store_explicit(&r->tail, t, memory_order_release);
        pos = 0;
        len = get_hdr(r->buf);
    }
    *n = len;
    return r->buf + pos + HDR;
}

void dx_ring_pop(struct dx_ring *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t pos = (size_t)(t & (r->cap - 1));
    uint32_t len = get_hdr(r->buf + pos);
    atomic_store_explicit(&r->tail, t + HDR + round8(len), memory_order_release);
}
