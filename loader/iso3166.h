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

/* Numeric code (1..999) of an alpha-2 code (exactly two ASCII letters,
 * case-insensitive), or -1 if it is not an assigned code. */
int dx_iso3166_numeric(const char *alpha2);
#endif
