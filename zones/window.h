/* Counting queries over a sliding window, in fixed memory, shared by
 * threads without a lock: dnsxld's `query-limit` per client address and
 * the quotas of query keys (dnsxl.conf(5), dnsxld(8) "Usage policy").
 *
 * A window counter (struct dx_win) is one 64-bit atomic word: the number
 * of the current fixed window (now / period, modulo 2^22), the count of
 * the window before it (prev) and of the current one (cur), 21 bits each,
 * saturating at DX_WIN_MAX. A counter untouched for a window or more
 * starts again from 0 (two windows back: prev = 0 too). Time is in whole
 * seconds; the count over the last `period` seconds (now - period, now]
 * is estimated as
 *
 *      est = cur + floor(prev * (period - 1 - e) / period),  e = now % period
 *
 * (the previous window's queries taken as spread evenly over its seconds:
 * its last period - 1 - e seconds are still inside the sliding window).
 *
 * Error bound. Let true = the queries of the last `period` seconds:
 * cur <= true <= cur + prev, and
 *      -prev * (e + 1) / period - 1  <  est - true  <=  prev * (period - 1 - e) / period,
 * so |est - true| <= prev; est is exact when the previous window's
 * queries were spread evenly over its seconds (a steady rate). As a limit
 * (answer while est <= N, every query counted): at most N queries of one
 * fixed window are answered, so at most 2N in any `period` seconds, and N
 * per period spread evenly over its seconds is never limited.
 *
 * A sketch (struct dx_sketch) is a count-min sketch of window counters
 * for keys without a table of them (client addresses): DX_SKETCH_ROWS
 * rows of DX_SKETCH_WIDTH counters; a key counts in one counter of each
 * row, chosen by a keyed hash (libsodium crypto_shorthash, SipHash-2-4,
 * with a random key per sketch, so outsiders cannot aim collisions at a
 * victim), and its estimate is the smallest of its counters'. The
 * estimate never undercounts a key (beyond the window error above); it
 * overcounts by what the other keys sharing all its counters add: at most
 * e / DX_SKETCH_WIDTH of all the queries counted in the window, with
 * probability at least 1 - e^-DX_SKETCH_ROWS (98%) for each key (Cormode
 * and Muthukrishnan, 2005); memory is fixed (2 MiB) whatever the number
 * of keys.
 *
 * Sketches are shared between the configs a reload replaces (their
 * counts survive a SIGHUP): dx_sketch_ref / dx_sketch_release count the
 * holders, on one thread (dnsxld's main thread); the counting itself is
 * lock-free from any thread. No allocation but dx_sketch_new. A clock
 * that steps back by a window or more starts the counters afresh.
 */
#ifndef DX_WINDOW_H
#define DX_WINDOW_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define DX_WIN_MAX        ((1u << 21) - 1)   /* largest count of a window: 2097151 */
#define DX_WIN_PERIOD_MAX (366ull * 86400)   /* longest period: 366 days */
#define DX_SKETCH_ROWS    4
#define DX_SKETCH_WIDTH   65536              /* counters per row: 16 bits of the hash */

struct dx_win {
    _Atomic uint64_t v;          /* window:22 | prev:21 | cur:21; zero = empty */
};

/* Count one query at now (unix seconds) in a window of period seconds
 * (1..DX_WIN_PERIOD_MAX) and return the estimate over the last period,
 * this query included (at most 2 * DX_WIN_MAX). */
uint32_t dx_win_add(struct dx_win *w, uint64_t now, uint64_t period);

/* The estimate at now without counting. */
uint32_t dx_win_count(const struct dx_win *w, uint64_t now, uint64_t period);

/* "N/PERIOD" (query-limit, a query key's quota): N 1..DX_WIN_MAX, PERIOD a
 * duration (zones/dur.h) of 1 s to 366 d, e.g. "300000/1d", "100/1m".
 * 0 with *n, *period set, or DX_EINVAL (nothing set). */
int dx_rate_parse(const char *text, uint32_t *n, uint64_t *period);

/* The text of a rate for messages: "300000/1d" (buf of 48 bytes). */
void dx_rate_format(uint32_t n, uint64_t period, char *buf, size_t cap);

struct dx_sketch;

/* A new sketch for windows of period seconds, all counts 0, one holder; a
 * random hash key (key16 = NULL), or the 16 bytes given (tests). NULL when
 * out of memory. */
struct dx_sketch *dx_sketch_new(uint64_t period, const uint8_t *key16);

/* One more holder; returns s. */
struct dx_sketch *dx_sketch_ref(struct dx_sketch *s);

/* One holder fewer: the last frees it. NULL is ignored. */
void dx_sketch_release(struct dx_sketch *s);

uint64_t dx_sketch_period(const struct dx_sketch *s);

/* Count one query of key[0..len) at now; the estimate over the last
 * period, this query included. */
uint32_t dx_sketch_add(struct dx_sketch *s, const void *key, size_t len, uint64_t now);

/* The estimate of key at now, without counting. */
uint32_t dx_sketch_count(const struct dx_sketch *s, const void *key, size_t len, uint64_t now);

#endif
