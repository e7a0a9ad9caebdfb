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
 * so |est - true| <= prev: est can undercount as well as overcount; it is
 * exact when the previous window's queries were spread evenly over its
 * seconds (a steady rate). As a limit (answer while est <= N, every query
 * counted): at most N queries of one window of the counter are answered,
 * so at most 2N in any `period` seconds, and N per period spread evenly
 * over its seconds is never limited.
 *
 * Threads' clocks may lag one another (dnsxld reads it once per batch). A
 * counter that another thread has already moved to a later window (by up
 * to DX_WIN_AHEAD windows) counts a query with an older `now` in that later
 * window: no count is ever lost to a lagging clock. A query then counts in
 * the window of its own clock or a later one, never an earlier one, so the
 * bounds above hold for the counter's windows; in time, at most 2N are
 * answered in any `period - L` seconds, L being how far the clocks lag
 * (under a second in dnsxld).
 *
 * A sketch (struct dx_sketch) is a count-min sketch of window counters
 * for keys without a table of them (client addresses): DX_SKETCH_ROWS
 * rows of DX_SKETCH_WIDTH counters; a key counts in one counter of each
 * row, chosen by a keyed hash (libsodium crypto_shorthash, SipHash-2-4,
 * with a random key per sketch, so outsiders cannot aim collisions at a
 * victim). Conservative update (Estan and Varghese, 2002): a query
 * raises its key's counters to the smallest cur among them + 1 (those
 * already above are left alone); one that overlaps another query of its
 * stripe of keys (1 in 4096, by the hash) counts one in every counter
 * instead, so no count is lost to a race. A key's estimate takes the
 * smallest cur and the smallest prev of its counters into the formula
 * above. Each counter's cur (prev) is at least the cur (prev) of every key
 * counted in it, so the estimate is never below the key's own window
 * estimate; it is above it by what the other keys sharing its counters
 * add: at most e / DX_SKETCH_WIDTH (0.0041%) of Q, the queries counted in
 * the current and previous windows together, with probability at least
 * 1 - 2e^-DX_SKETCH_ROWS (96%) for each key (Cormode and Muthukrishnan,
 * 2005, for each field; conservative update counts less, but for a query
 * in a race, which may count twice), i.e. up to about Q / 24000: 4150 when
 * 10^8 queries were counted in the two windows. A limit N must be well
 * above that. Memory is fixed (2 MiB) whatever the number of keys.
 *
 * Sketches are shared between the configs a reload replaces (their
 * counts survive a SIGHUP): dx_sketch_ref / dx_sketch_release count the
 * holders, on one thread (dnsxld's main thread); the counting itself is
 * lock-free from any thread. No allocation but dx_sketch_new. A clock
 * that steps back by more than DX_WIN_AHEAD windows starts the counters
 * afresh (by fewer: counted in the later window). The window number is
 * kept modulo 2^22: a counter untouched for 2^22 - DX_WIN_AHEAD windows
 * or more (48 days at a period of 1 s) may come back to its old counts.
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
#define DX_WIN_AHEAD      64                 /* windows a counter may be ahead of a clock */

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
