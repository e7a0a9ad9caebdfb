/* Raw INI line reader for the config file (zones/conf.c is its only user).
 *
 * Reads a stream line by line (no length limit) and classifies each line:
 * blank or comment, "[section args]", or "key = value". Comments: a line
 * whose first non-blank character is ';' or '#', and inside a line a ';'
 * preceded by a blank (space or tab) up to the end of the line. A '#'
 * inside a line is data (TXT templates carry URLs with fragments).
 * Keys, values and section contents are trimmed of blanks.
 *
 * Robustness (dnsxl.conf(5)): a line ends at "\n", "\r\n" or a lone "\r"
 * (old Mac files read as their lines); a UTF-8 byte order mark at the start
 * of the file is skipped; a NUL byte, or a control byte other than tab
 * (< 0x20, 0x7f) in a section, key or value line, is an error for that
 * line (comments are not checked).
 */
#ifndef DX_INI_H
#define DX_INI_H

#include <stdio.h>

enum dx_ini_kind {
    DX_INI_EOF = 0,      /* end of input */
    DX_INI_SECTION,      /* a = section keyword, b = rest (may be "") */
    DX_INI_KEY,          /* a = key, b = value (may be "") */
    DX_INI_ERROR,        /* a = message; line = the bad line */
};

struct dx_ini {
    FILE *f;
    char *buf;           /* line buffer, owned; free with dx_ini_close */
    size_t cap;
    int line;            /* number of the line last returned (1-based) */
    int err;             /* 0, or -errno after a read error (then DX_INI_ERROR) */
    char msg[96];        /* room for an error message that names a byte */
};

/* Start reading f (not owned). */
void dx_ini_open(struct dx_ini *r, FILE *f);

/* Next meaningful line. a and b point into r's buffer and stay valid until
 * the next call. Returns DX_INI_EOF at the end, DX_INI_ERROR for a line that
 * is neither a section nor "key = value" or holds a NUL or control byte
 * (a = message, valid until the next call), or a read error (r->err set,
 * a = its strerror). */
enum dx_ini_kind dx_ini_next(struct dx_ini *r, char **a, char **b);

/* Free the line buffer (does not close the stream). */
void dx_ini_close(struct dx_ini *r);

#endif
