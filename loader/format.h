/* Input formats of data files (dnsxl-loader import and sync): a plain list
 * (loader/import.h) or one of rbldnsd's datasets (loader/fmt_rbldnsd.h),
 * named by --format or recognised per file.
 */
#ifndef DX_LOADER_FORMAT_H
#define DX_LOADER_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "loader/fmt_rbldnsd.h"
#include "loader/import.h"

/* A format: DX_FMT_AUTO, DX_FMT_PLAIN, DX_FMT_COMBINED or an enum
 * dx_rbl_type (> 0).
 *
 * DX_FMT_COMBINED: an rbldnsd `combined` dataset (what dnsxl-admin export
 * and dnsxl-loader publish write): `$DATASET TYPE:NAME [@]` lines, each
 * starting a part of one of the other rbldnsd types for the zone itself,
 * read as that type (its default lines start afresh). Into one list go
 * the parts named as the list (list_value->list), or, when no part is and
 * the parts name one list only (the test point part `test.point` aside),
 * that list's parts. A data line before the first $DATASET, a part for a
 * subzone, or a type that does not fit the zone is an error (FILE:LINE).
 * Auto-detected when the first line that is not blank or a comment is a
 * $DATASET line. */
enum { DX_FMT_AUTO = -1, DX_FMT_PLAIN = 0, DX_FMT_COMBINED = 100 };

/* --format NAME (NULL = "auto"): "auto", "plain", "combined", or an rbldnsd
 * dataset type that fits the zone kind. Returns 0 with *fmt set, or DX_EINVAL with
 * the reason in err. */
int dx_fmt_parse_name(const char *name, bool ip_zone, int *fmt, char *err, size_t errlen);

/* Does the file need the rbldnsd reader: a `$` directive or `:A:TXT`
 * default line, or a data line only rbldnsd reads (a `:A:TXT` value after
 * the key, a range, a short form such as 10.1, a ".name")? Other text
 * after a key ("192.0.2.1 spam run": rbldnsd's bare-TXT form) is no sign:
 * a list written as plain must not have its comments served as TXT, so
 * such a file is read as plain and refused at that line; an rbldnsd file
 * written that way needs --format. */
bool dx_fmt_looks_rbldnsd(const char *buf, size_t len, bool ip_zone);

/* "plain", "combined", "ip4set", ... ("auto" for DX_FMT_AUTO). */
const char *dx_fmt_name(int fmt);

/* Parse buf (file index `file` of s) in format fmt; DX_FMT_AUTO picks plain
 * or the rbldnsd type that fits (dx_rbl_type_detect), and *used (may be
 * NULL) says which format was read, for the operator. list_value is the
 * list's configured A and TXT (rbldnsd default lines that differ from it
 * are copied into the entries). Returns what the format's parser returns:
 * 0, DX_EINVAL with "FILE:LINE: reason" in err, or DX_ENOMEM. */
int dx_fmt_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len, int fmt,
                 bool ip_zone, const struct dx_rbl_value *list_value, int *used, char *err,
                 size_t errlen);

#endif
