/* Terminal progress bar for long loader runs (imports, traps).
 *
 * Drawn on stderr only when stderr is a terminal (isatty), redrawn at most
 * every 100 ms: "label [#####     ]  45%  123456/274000  98765/s  ETA 0:02".
 * With total 0 (unknown) the bar shows a count and a rate only. When stderr
 * is not a terminal every call is a no-op, so callers need no checks.
 *
 *   struct dx_progress p;
 *   dx_progress_start(&p, "importing", n);
 *   for (...) dx_progress_update(&p, i);
 *   dx_progress_done(&p);      // final line, newline
 */
#ifndef DX_LOADER_PROGRESS_H
#define DX_LOADER_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dx_progress {
    bool on;                     /* stderr is a terminal (or forced) */
    const char *label;           /* not owned; must outlive the bar */
    uint64_t total;              /* 0 = unknown */
    uint64_t done;
    double t0, last;             /* monotonic seconds: start, last redraw */
};

/* Start a bar (on = isatty(stderr)). label is kept by pointer. */
void dx_progress_start(struct dx_progress *p, const char *label, uint64_t total);

/* Like dx_progress_start, but drawn regardless of the terminal test (for
 * tests and --progress options). */
void dx_progress_start_forced(struct dx_progress *p, const char *label, uint64_t total);

/* done items so far; redraws if 100 ms passed since the last redraw. */
void dx_progress_update(struct dx_progress *p, uint64_t done);

/* Final redraw and a newline (nothing if not on). Safe to call twice. */
void dx_progress_done(struct dx_progress *p);

/* Format one bar line into buf (no '\r', no newline): done of total after
 * elapsed seconds. Exposed for tests. */
void dx_progress_format(char *buf, size_t cap, const char *label, uint64_t done, uint64_t total,
                        double elapsed);

#endif
