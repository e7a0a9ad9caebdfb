/* Exports of a zone's data for mirrors (dnsxl-admin export, dnsxl-loader
 * publish), each streamed from one read txn: memory does not grow with the
 * zone.
 *
 * dx_export_zone: the RFC 1035 master file of the records AXFR sends
 * (zones/zonerr.h): $ORIGIN, then one RR per line, the SOA first. Knot,
 * NSD and BIND load it as it is.
 *
 * dx_export_rbldnsd: one rbldnsd `combined` dataset (rbldnsd(8)), served
 * by rbldnsd as ZONE:combined:FILE: per list (all lists of the zone, or
 * the one given) a `$DATASET ip4trie:LIST @` and a `$DATASET ip6trie:LIST @`
 * part (a domain zone: `$DATASET dnset:LIST @`), each with the list's
 * value as its default line (:CODE:TEXT) and the list's unexpired entries:
 * CIDRs or names (*.name for wildcards), own codes and texts kept,
 * exclusions as !KEY. Templates are expanded as far as rbldnsd cannot:
 * $list, $zone and $reason (the entry's, so an entry whose text uses it
 * carries its own text); `$` stays `$` (rbldnsd puts the queried address
 * or the matching entry's name there) and a literal '$' is `$$`. The RFC
 * 5782 test points are made explicit: 127.0.0.2 (or TEST) in an extra part
 * of the zone's first list when no list lists it, and !127.0.0.1 in every
 * ip4trie part. What rbldnsd cannot say: a bitmask zone answers one A per
 * list there; TXT is cut at 255 octets; a template with `$` followed by a
 * digit (rbldnsd's $N variables) is refused (DX_EINVAL, err names it). */
#ifndef DX_EXPORT_H
#define DX_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "zones/conf.h"
#include "zones/store.h"
#include "zones/zonerr.h"

/* 0; a store error; -errno for a write error on f. */
int dx_export_zone(FILE *f, struct dx_txn *t, const struct dx_zrr_zone *z, uint64_t now);

/* l NULL: every list of z. 0; DX_EINVAL (err set); a store error; -errno. */
int dx_export_rbldnsd(FILE *f, struct dx_txn *t, const struct dx_zone_conf *z,
                      const struct dx_list_conf *l, uint64_t now, char *err, size_t errlen);

enum dx_export_format { DX_EXPORT_RBLDNSD, DX_EXPORT_ZONE };

/* One export of zone z (list l, or NULL: every list; a master file is the
 * whole zone) from t at now: to path, replaced atomically (zones/afile.h,
 * mode 0644), or with path NULL to out. 0; DX_EINVAL (err set: a
 * template with no rbldnsd form); a store error (err empty); -errno (err
 * names the file). */
int dx_export_write(struct dx_txn *t, const struct dx_zone_conf *z, const struct dx_list_conf *l,
                    enum dx_export_format fmt, uint64_t now, const char *path, FILE *out,
                    char *err, size_t errlen);

#endif
