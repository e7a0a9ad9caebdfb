/* A small logger for the daemon: one line per message on stderr,
 *
 *   2026-11-22T20:17:49.123Z info dnsxld: listening on 127.0.0.1:5353 (udp, tcp), 2 workers
 *
 * UTC timestamp with milliseconds, level, program name, message. Each line
 * is written with a single write(2), so lines from several threads never
 * interleave. Messages longer than DX_LOG_LINE_MAX are truncated. Safe to
 * call from any thread; never allocates.
 */
#ifndef DX_LOG_H
#define DX_LOG_H

enum dx_log_level {
    DX_LOG_ERR   = 0,
    DX_LOG_WARN  = 1,
    DX_LOG_INFO  = 2,
    DX_LOG_DEBUG = 3,
};

#define DX_LOG_LINE_MAX 1024

/* Program name printed on every line (the pointer is kept: pass a string
 * literal) and the most verbose level printed (default DX_LOG_INFO).
 * Call before starting threads. */
void dx_log_init(const char *prog, enum dx_log_level max_level);

void dx_log(enum dx_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define dx_log_err(...)   dx_log(DX_LOG_ERR, __VA_ARGS__)
#define dx_log_warn(...)  dx_log(DX_LOG_WARN, __VA_ARGS__)
#define dx_log_info(...)  dx_log(DX_LOG_INFO, __VA_ARGS__)
#define dx_log_debug(...) dx_log(DX_LOG_DEBUG, __VA_ARGS__)

#endif
