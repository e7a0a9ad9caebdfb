/* dnsxl-admin stats (dnsxl-admin(8)): the store's figures per zone and
 * list (entries, expired and not swept, SOA serial, last change, the
 * queries heat recorded), each loader command's last run, the store's
 * size; and, when [server] metrics is configured and dnsxld answers there,
 * its live counters (queries per zone, listed answers per list), read from
 * its metrics endpoint (GET /metrics). And the heat of entries (queries
 * answered, last queried: DATABASE/heat/, written by dnsxld with heat =
 * yes) for list and show. */
#ifndef DX_ADMIN_STATS_H
#define DX_ADMIN_STATS_H

#include <stdint.h>

#include "zones/cli.h"
#include "zones/conf.h"
#include "zones/key.h"

struct dx_heat;

/* The command: runs with the -c value given so far (*conf_opt; its own -c
 * may change it), the clock now and argv from the command's name on; owns
 * what it opens; an exit status of zones/cli.h. */
int dx_adm_stats(const struct dx_cli_cmd *m, const char **conf_opt, uint64_t now, int argc,
                 char **argv);

/* The heat of conf's store in a read snapshot, or NULL when it was never
 * recorded (an error opening it is said on stderr, and NULL). */
struct dx_heat *dx_adm_heat_open(const struct dx_conf *conf);
void dx_adm_heat_close(struct dx_heat *h);        /* NULL ok */

/* An entry's queries and last query (0, 0: none recorded, or h NULL). */
void dx_adm_heat_get(struct dx_heat *h, const char *zone, const char *list,
                     const struct dx_key *k, uint64_t *queries, uint64_t *last);

/* The body of GET /metrics from listen_text (ADDR:PORT; an unspecified
 * address is asked on loopback), within timeout_ms: 0 with *body
 * (malloc'd, NUL-terminated), or -1 with err saying why. */
int dx_adm_metrics_fetch(const char *listen_text, int timeout_ms, char **body, char *err,
                         size_t errlen);

#endif
