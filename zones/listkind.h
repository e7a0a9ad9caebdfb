/* What a list holds, told from where its entries came from (the `source`
 * of struct dx_entry, zones/store.h), for the operator commands:
 *
 *   empty    no entries
 *   country  every entry was written by `dnsxl-loader country`
 *   listing  anything else: entries of dnsxl-admin add, imports, sync,
 *            traps, reports (a mix with country entries included)
 *
 * dnsxl-loader country replaces only an empty or a country list unless
 * told --replace, so a hand-kept block list is never overwritten by
 * mistake; dnsxl-admin zones shows each list's kind. Nothing to configure:
 * the entries say it themselves, in every store ever written.
 */
#ifndef DX_LISTKIND_H
#define DX_LISTKIND_H

#include <stddef.h>

#include "zones/key.h"

struct dx_txn;

#define DX_SOURCE_COUNTRY "country"   /* the source of dnsxl-loader country entries */

struct dx_list_census {
    size_t entries;               /* all entries of the list */
    size_t country;               /* of them written by dnsxl-loader country */
    struct dx_key other;          /* the first entry that was not (entries > country) */
    char other_source[32];        /* its source ("-" if it has none) */
};

/* Count zone/list's entries by where they came from (one scan of the
 * list). Returns 0 or a store error. */
int dx_list_census(struct dx_txn *t, const char *zone, const char *list,
                   struct dx_list_census *c);

/* "empty", "country" or "listing" (see above). */
const char *dx_list_kind(const struct dx_list_census *c);

#endif
