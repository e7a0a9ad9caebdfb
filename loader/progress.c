/* Terminal progress bar (see progress.h). */
#include "loader/progress.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define REDRAW_S  0.1

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void start(struct dx_progress *p, const char *label, uint64_t total, bool on)
{
    memset(p, 0, sizeof(*p));
    p->on = on;
    p->label = label ? label : "";
    p->total = total;
    p->t0 = mono();
    p->last = 0;
}

void dx_progress_start(struct dx_progress *p, const char *label, uint64_t total)
{
    start(p, label, total, isatty(STDERR_FILENO) == 1);
}

void dx_progress_start_forced(struct dx_progress *p, const char *label, uint64_t total)
{
    start(p, label, total, true);
}

static void fmt_eta(char *buf, size_t cap, double s)
{
    if (s < 0 || s > 359999) {
        snprintf(buf, cap, "--:--");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%lu:%02lu", t / 60, t % 60);
}

void dx_progress_format(char *buf, size_t cap, const char *label, uint64_t done, uint64_t total,
                        double elapsed)
{
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    if (total == 0) {
        snprintf(buf, cap, "%s %llu  %.0f/s", label, (unsigned long long)done, rate);
        return;
    }
    if (done > total)
        done = total;
    char bar[BAR_WIDTH + 1];
    size_t fill = (size_t)((double)done / (double)total * BAR_WIDTH);
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : ' ';
    bar[BAR_WIDTH] = '\0';
    char eta[32];
    fmt_eta(eta, sizeof(eta), rate > 0 ? (double)(total - done) / rate : -1);
    snprintf(buf, cap, "%s [%s] %3u%%  %llu/%llu  %.0f/s  ETA %s", label, bar,
             (unsigned)((double)done * 100.0 / (double)total), (unsigned long long)done,
             (unsigned long long)total, rate, eta);
}

static void draw(struct dx_progress *p, double now)
{
    char line[256];
    dx_progress_format(line, sizeof(line), p->label, p->done, p->total, now - p->t0);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->last = now;
}

void dx_progress_update(struct dx_progress *p, uint64_t done)
{
    if (!p->on)
        return;
    p->done = done;
    double now = mono();
    if (now - p->last >= REDRAW_S)
        draw(p, now);
}

void dx_progress_done(struct dx_progress *p)
{
    if (!p->on)
        return;
    draw(p, mono());
    fputc('\n', stderr);
    p->on = false;
}
