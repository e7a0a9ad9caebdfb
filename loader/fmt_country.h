/* IP-to-country data for `dnsxl-loader country ZONE[/LIST] FILE`.
 *
 * Two input kinds, detected per line (a line with '|' is delegated-stats,
 * otherwise CSV), so concatenated files work:
 *
 * 1. RIR "delegated-stats" files (ARIN, RIPE NCC, APNIC, LACNIC, AFRINIC;
 *    plain and "extended"):  registry|cc|type|start|value|date|status[|ext...]
 *      - version line (first field a number, e.g. "2|ripencc|..." or
 *        "2.3|arin|...") and summary lines (registry|*|type|*|count|summary)
 *        are skipped, as are asn records;
 *      - ipv4: value is an address COUNT (not always a power of two): the
 *        range start .. start+count-1 is split into CIDRs;
 *      - ipv6: value is the prefix length;
 *      - records with status "available" or "reserved", or cc "" / "ZZ",
 *        carry no country and are skipped.
 * 2. CSV  start,end,cc  (DB-IP "country lite" style): IPv4 or IPv6 start
 *    and end (inclusive; both the same family), fields optionally in double
 *    quotes, further fields ignored; IPv4 may also be given as decimal
 *    integers (IP2Location style). A first data line whose first field
 *    has characters no address has (a header such as "start,end,cc") is
 *    skipped.
 * Blank lines and lines starting with '#' are skipped. Lines as
 * dx_imp_lines reads them (a UTF-8 BOM skipped; LF, CRLF or CR). An ipv6
 * record whose start is not the network of its prefix is an error
 * ("... has host bits set: did you mean ...?"), never guessed at.
 *
 * Each record: key = a CIDR of the range, own A = 127.0.X.Y with X*256+Y =
 * the ISO 3166-1 numeric code (countries.nerd.dk; US 840 -> 127.0.3.72),
 * own TXT = the alpha-2 code in LOWERCASE ("us"), as countries.nerd.dk
 * answers (its zz zone TXT has been the bare lowercase code since 2003).
 *
 * Country codes: any assigned ISO 3166-1 alpha-2 code (loader/iso3166.h).
 * "UK" (exceptionally reserved for GB) is read as GB. The regional block
 * codes "EU" and "AP" that RIRs use, and "ZZ"/empty, name no country: such
 * records are skipped (nothing listed; a query for those addresses gets no
 * country, which is the truth). Any other code is an error:
 * "FILE:LINE: unknown country code 'XX'".
 *
 * Overlapping or duplicate ranges are all appended; dx_imp_sort keeps the
 * last record of equal keys, and in the store the most specific key wins.
 */
#ifndef DX_LOADER_FMT_COUNTRY_H
#define DX_LOADER_FMT_COUNTRY_H

#include <stddef.h>
#include <stdint.h>

#include "loader/import.h"

/* A code for a numeric ISO 3166-1 code n (1..999): 127.0.n/256.n%256. */
#define DX_COUNTRY_CODE(n) (0x7f000000u | (uint32_t)(n))

/* Parse buf[0..len) and append its records to s under file index `file`.
 * Returns 0; DX_EINVAL with err = "FILE:LINE: reason" (records appended
 * before the bad line stay: the caller discards the set); DX_ENOMEM. */
int dx_fmt_country_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                         char *err, size_t errlen);

#endif
