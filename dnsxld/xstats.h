/* Zone transfers served and NOTIFYs sent, counted by zone for the metrics
 * (dnsxld(8) "Metrics": dnsxl_zone_transfers_total,
 * dnsxl_notify_sent_total). Off the query path: a transfer is counted when
 * it is refused or ends, a NOTIFY when it is acknowledged, answered with an
 * error or given up. One table by zone name for the process's life (a
 * zone's counts survive reloads; only configured zones are counted, so the
 * labels are bounded), under a mutex; the scrape reads it under the same. */
#ifndef DX_XSTATS_H
#define DX_XSTATS_H

#include <stdbool.h>
#include <stdint.h>

enum dx_xres { DX_XR_OK, DX_XR_REFUSED, DX_XR_FORMERR, DX_XR_BUSY, DX_XR_TIMEOUT, DX_XR_ERROR,
               DX_XR_N };
enum dx_nres { DX_NR_ACKNOWLEDGED, DX_NR_RCODE, DX_NR_GAVE_UP, DX_NR_N };

extern const char *const dx_xres_names[DX_XR_N];
extern const char *const dx_nres_names[DX_NR_N];

struct dx_xstats_zone {
    char *name;
    uint64_t xfr[2][DX_XR_N];          /* [0] AXFR, [1] IXFR */
    uint64_t notify[DX_NR_N];
};

/* Count a transfer of zone (ixfr: an IXFR request) or a NOTIFY's outcome.
 * Out of memory: not counted. */
void dx_xstats_transfer(const char *zone, bool ixfr, enum dx_xres r);
void dx_xstats_notify(const char *zone, enum dx_nres r);

/* A transfer request for zone (NULL: not counted, e.g. not a zone of ours)
 * refused with rcode: formerr (FORMERR), busy (SERVFAIL: too many at
 * once), else refused; a transfer ended with rc (0: sent whole), overdue:
 * closed for running too long. */
struct dx_zone_conf;
void dx_xstats_refused(const struct dx_zone_conf *zone, bool ixfr, unsigned rcode);
void dx_xstats_ended(const char *zone, bool ixfr, int rc, bool overdue);

/* Call fn for every zone counted so far, under the table's lock. */
void dx_xstats_each(void (*fn)(void *arg, const struct dx_xstats_zone *z), void *arg);

#endif
