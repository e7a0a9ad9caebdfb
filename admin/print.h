/* Output helpers for dnsxl-admin: timestamps, aligned text rows, and a small
 * streaming JSON writer with string escaping.
 *
 * The JSON writer tracks commas itself: call the begin/end and value
 * functions in document order; `key` is the member name inside an object
 * and must be NULL inside an array or at the top level. Nesting deeper than
 * DX_JSON_DEPTH is ignored (not needed by any command). Output goes to a
 * FILE; write errors are left to the caller (ferror/fflush at exit).
 */
#ifndef DX_ADMIN_PRINT_H
#define DX_ADMIN_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ISO 8601 UTC, "2026-11-22T20:17:51Z". buf needs >= 21 bytes. */
void dx_print_time(uint64_t t, char *buf, size_t cap);

/* Expiry: ISO 8601, or "never" for 0. */
void dx_print_expiry(uint64_t expires_at, char *buf, size_t cap);

/* Print n columns padded to widths[i] (the last one unpadded), separated by
 * two spaces, then a newline. NULL columns print as "-". */
void dx_print_row(FILE *f, const char *const *cols, const int *widths, size_t n);

/* Widen widths[i] to fit cols[i]. */
void dx_print_widen(const char *const *cols, int *widths, size_t n);

/* Text for a terminal: dx_safe (zones/safe.h: controls, backslashes and
 * invalid UTF-8 escaped, truncated to cap), except that NULL or "" gives
 * "-". */
const char *dx_print_safe(const char *s, char *buf, size_t cap);

/* JSON string literal with quotes; NULL prints null. Escapes '"', '\\',
 * control characters (\n, \t, ... or \u00XX) and DEL; invalid UTF-8 bytes
 * become \ufffd, so the output is always valid JSON. */
void dx_json_escape(FILE *f, const char *s);

#define DX_JSON_DEPTH 16

struct dx_json {
    FILE *f;
    int depth;
    bool has_item[DX_JSON_DEPTH];
};

void dx_json_init(struct dx_json *j, FILE *f);
void dx_json_obj_begin(struct dx_json *j, const char *key);
void dx_json_obj_end(struct dx_json *j);
void dx_json_arr_begin(struct dx_json *j, const char *key);
void dx_json_arr_end(struct dx_json *j);     /* the outermost end adds a newline */
void dx_json_str(struct dx_json *j, const char *key, const char *val);  /* NULL -> null */
void dx_json_u64(struct dx_json *j, const char *key, uint64_t val);
void dx_json_bool(struct dx_json *j, const char *key, bool val);
void dx_json_null(struct dx_json *j, const char *key);
/* ISO 8601 time, or null when t == 0 */
void dx_json_time(struct dx_json *j, const char *key, uint64_t t);

#endif
