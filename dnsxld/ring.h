/* A single-producer, single-consumer ring of variable-length records in a
 * fixed buffer: a worker thread writes (heat samples, dnstap records), one
 * background thread reads. Writing never blocks and never allocates: when
 * the reader is behind and the record does not fit, it is dropped and
 * counted. No lock; the writer's and the reader's positions are on cache
 * lines of their own (only the positions are shared, with release/acquire
 * order).
 *
 * Layout: each record is an 8-byte header (its length) and its bytes,
 * padded to 8; a record never wraps: one that would is preceded by a pad
 * header to the end of the buffer. A record is at most cap / 2 bytes. */
#ifndef DX_RING_H
#define DX_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dx_ring {
    alignas(64) _Atomic uint64_t head;  /* bytes written and published (writer) */
    uint64_t whead;                     /* writer: bytes written, not yet published */
    uint64_t tail_seen;                 /* writer: the reader's tail when last read */
    _Atomic uint64_t drops;             /* records that did not fit (writer; read by anyone) */
    _Atomic uint64_t puts;              /* records written (writer; read by anyone) */
    alignas(64) _Atomic uint64_t tail;  /* bytes consumed (reader) */
    alignas(64) size_t cap;             /* a power of two */
    uint8_t *buf;
};

/* A ring of cap bytes (rounded up to a power of two, at least 4096), or
 * NULL (out of memory). */
struct dx_ring *dx_ring_new(size_t cap);
void dx_ring_free(struct dx_ring *r);

/* Writer: room for a record of n bytes: where to write them, or NULL (the
 * ring is full, or n is more than cap / 2: counted as a drop). Nothing is
 * visible to the reader before dx_ring_commit. */
void *dx_ring_reserve(struct dx_ring *r, size_t n);
/* Writer: publish the record reserved last. */
void dx_ring_commit(struct dx_ring *r);

/* Reader: the oldest record (*n bytes), or NULL when there is none; it
 * stays valid until dx_ring_pop. */
const void *dx_ring_peek(struct dx_ring *r, size_t *n);
void dx_ring_pop(struct dx_ring *r);

/* Counters, from any thread. */
static inline uint64_t dx_ring_drops(const struct dx_ring *r)
{
    return atomic_load_explicit(&r->drops, memory_order_relaxed);
}

static inline uint64_t dx_ring_puts(const struct dx_ring *r)
{
    return atomic_load_explicit(&r->puts, memory_order_relaxed);
}

#endif
