/* Timestamped, levelled stderr logger (see log.h). */
#include "dnsxld/log.h"

#include "zones/safe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "dnsxld";
static enum dx_log_level log_max = DX_LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void dx_log_init(const char *prog, enum dx_log_level max_level)
{
    if (prog != NULL)
        log_prog = prog;
    log_max = max_level;
}

void dx_log(enum dx_log_level level, const char *fmt, ...)
{
    if (level > log_max)
        return;
    if ((unsigned)level > DX_LOG_DEBUG)
        level = DX_LOG_DEBUG;

    char line[DX_LOG_LINE_MAX + 1];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);

    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L,
                     level_names[level], log_prog);
    if (n < 0)
        return;
    size_t len = (size_t)n;
    if (len < sizeof(line) - 1) {
        /* the message may carry names from outside (config values, file
         * names, query names): control bytes are written escaped */
        char msg[DX_LOG_LINE_MAX + 1], safe[DX_LOG_LINE_MAX + 1];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        const char *m = dx_safe(msg, safe, sizeof(safe));
        size_t ml = strlen(m);
        if (ml > sizeof(line) - 1 - len)
            ml = sizeof(line) - 1 - len;
        memcpy(line + len, m, ml);
        len += ml;
    }
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;         /* truncated: keep room for '\n' */
    line[len++] = '\n';

    const char *p = line;
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        len -= (size_t)w;
    }
}
