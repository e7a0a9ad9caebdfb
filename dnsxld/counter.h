/* A counter written by one thread and read by others (the metrics scraper,
 * with dx_stat_read in stats.h): the writer adds with a relaxed atomic load
 * and store, not a read-modify-write (there is one writer, so no update is
 * lost), which is a plain load, add and store on x86-64 and keeps the
 * scraper's concurrent read from being a data race in C11's terms (and for
 * ThreadSanitizer). */
#ifndef DX_COUNTER_H
#define DX_COUNTER_H

#include <stdint.h>

static inline void dx_count_add(uint64_t *p, uint64_t n)
{
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline void dx_count(uint64_t *p)
{
    dx_count_add(p, 1);
}

#endif
