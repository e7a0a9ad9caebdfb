/* ISO 3166-1: the officially assigned alpha-2 country codes and their
 * numeric codes (249 countries and territories, as of ISO 3166-1:2020 and
 * its newsletters through 2024; matches Debian's iso-codes and tzdata's
 * iso3166.tab). Country zones answer A 127.0.X.Y with X*256+Y = the numeric
 * code (as countries.nerd.dk answers; dnsxl-loader(8), country).
 *
 * Not included: exceptionally or transitionally reserved codes (EU, UK,
 * AP, ...) and user-assigned ones (ZZ, XK, ...). Callers decide about those.
 */
#ifndef DX_LOADER_ISO3166_H
#define DX_LOADER_ISO3166_H

#include <stddef.h>

/* Number of entries in the table (249). */
size_t dx_iso3166_count(void);

/* Numeric code (1..999) of an alpha-2 code (exactly two ASCII letters,
 * case-insensitive), or -1 if it is not an assigned code. */
int dx_iso3166_numeric(const char *alpha2);

/* Uppercase alpha-2 code (static string) of a numeric code, or NULL. */
const char *dx_iso3166_alpha2(int numeric);

/* The i-th entry (0 <= i < count) in alpha-2 order: alpha-2 and numeric
 * code; returns -1 if i is out of range. For tests and listings. */
int dx_iso3166_entry(size_t i, const char **alpha2);

#endif
