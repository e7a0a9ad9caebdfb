/* See zones/clock.h. */
#include "zones/clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t dx_now(void)
{
    static _Atomic int64_t offset;
    static atomic_bool init;
    if (!atomic_load(&init)) {
        const char *e = getenv("DNSXL_TEST_NOW");
        int64_t off = 0;
        if (e && *e) {
            char *end;
            errno = 0;
            long long v = strtoll(e, &end, 10);
            if (errno == 0 && *end == 0 && v > 0)
                off = (int64_t)v - (int64_t)time(NULL);
        }
        atomic_store(&offset, off);
        atomic_store(&init, true);
    }
    return (uint64_t)((int64_t)time(NULL) + atomic_load(&offset));
}

void dx_test_point(const char *phase)
{
    const char *e = getenv("DNSXL_TEST_STOP");
    size_t pl = strlen(phase);
    if (!e || strncmp(e, phase, pl) != 0 || e[pl] != ':' || !e[pl + 1])
        return;
    const char *file = e + pl + 1;
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= sizeof(tmp))
        return;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0 || rename(tmp, file) != 0)
        return;
    for (;;)
        pause();
}
