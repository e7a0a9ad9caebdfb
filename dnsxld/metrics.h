/* The metrics (dnsxld(8) "Metrics"): `metrics = ADDR:PORT` serves GET
 * /metrics in the Prometheus text format (version 0.0.4) on the main loop
 * (http.h). A scrape sums the workers' counters (server.h, stats.h) and
 * reads the store's figures in one read txn (zones/store.h: entries per
 * zone and list from the counts the writers keep, entries expired and not
 * swept, serials and the time of the last change, the map, the loader's
 * last runs), so it costs the same for ten entries as for ten million.
 * Names and labels follow Prometheus' conventions: dnsxl_ prefix, base
 * units, _total for counters, and only labels of bounded values (zone,
 * list, transport, qtype, rcode, query-key names, loader commands and
 * targets), never a client address. */
#ifndef DX_METRICS_H
#define DX_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "dnsxld/checkd.h"
#include "dnsxld/dnstap.h"
#include "dnsxld/heat.h"
#include "dnsxld/server.h"
#include "zones/store.h"

#define DX_METRICS_CTYPE   "text/plain; version=0.0.4; charset=utf-8"
#define DX_EXPIRED_SCAN    10000    /* expiry records read per scrape at most */

struct dx_metrics {
    struct dx_server *srv;
    struct dx_store *st;
    struct dx_heatd *heat;          /* NULL: heat off */
    struct dx_tap *tap;             /* NULL: dnstap off */
    struct dx_checkd *check;        /* NULL: no [check] */
};

/* The exposition at unix time now: 0 with *body (malloc'd) and *len, or
 * DX_ENOMEM. A store that cannot be read gives dnsxl_store_up 0 and no
 * store figures, the rest as always. */
int dx_metrics_render(const struct dx_metrics *m, uint64_t now, char **body, size_t *len);

/* dx_metrics_render as the HTTP server's handler (http.h); arg: a struct
 * dx_metrics. */
int dx_metrics_http(void *arg, char **body, size_t *len);

#endif
