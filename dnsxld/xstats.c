/* Transfers and NOTIFYs counted by zone (xstats.h). */
#include "dnsxld/xstats.h"
#include "dnsxld/wire.h"
#include "zones/conf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *const dx_xres_names[DX_XR_N] = { "ok", "refused", "formerr", "busy", "timeout",
                                             "error" };
const char *const dx_nres_names[DX_NR_N] = { "acknowledged", "rcode", "gave_up" };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct dx_xstats_zone *zones;
static size_t n_zones, cap_zones;

/* The zone's row (mu held), or NULL: out of memory. */
static struct dx_xstats_zone *row(const char *zone)
{
    for (size_t i = 0; i < n_zones; i++)
        if (strcmp(zones[i].name, zone) == 0)
            return &zones[i];
    if (n_zones == cap_zones) {
        size_t cap = cap_zones ? 2 * cap_zones : 16;
        struct dx_xstats_zone *z = realloc(zones, cap * sizeof(*z));
        if (!z)
            return NULL;
        zones = z;
        cap_zones = cap;
    }
    struct dx_xstats_zone *z = &zones[n_zones];
    memset(z, 0, sizeof(*z));
    if (!(z->name = strdup(zone)))
        return NULL;
    n_zones++;
    return z;
}

void dx_xstats_transfer(const char *zone, bool ixfr, enum dx_xres r)
{
    pthread_mutex_lock(&mu);
    struct dx_xstats_zone *z = row(zone);
    if (z)
        z->xfr[ixfr][r]++;
    pthread_mutex_unlock(&mu);
}

void dx_xstats_notify(const char *zone, enum dx_nres r)
{
    pthread_mutex_lock(&mu);
    struct dx_xstats_zone *z = row(zone);
    if (z)
        z->notify[r]++;
    pthread_mutex_unlock(&mu);
}

void dx_xstats_refused(const struct dx_zone_conf *zone, bool ixfr, unsigned rcode)
{
    if (zone)
        dx_xstats_transfer(zone->name, ixfr,
                           rcode == DX_RC_FORMERR    ? DX_XR_FORMERR
                           : rcode == DX_RC_SERVFAIL ? DX_XR_BUSY
                                                     : DX_XR_REFUSED);
}

void dx_xstats_ended(const char *zone, bool ixfr, int rc, bool overdue)
{
    dx_xstats_transfer(zone, ixfr, rc == 0 ? DX_XR_OK : overdue ? DX_XR_TIMEOUT : DX_XR_ERROR);
}

void dx_xstats_each(void (*fn)(void *arg, const struct dx_xstats_zone *z), void *arg)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_zones; i++)
        fn(arg, &zones[i]);
    pthread_mutex_unlock(&mu);
}
