/* Domain names and labels as the config file, the CLIs and the data files
 * write them (RFC 1035 section 2.3.4 limits, with the '_' of RFC 2181
 * section 11 names): labels of 1..63 ASCII letters, digits, '-' and '_',
 * any case (folded to lowercase), separated by single dots; at most 253
 * characters, one trailing dot allowed and dropped.
 *
 * The store and the answers only ever see names in this normal form. The
 * wildcard "*." of a key is read by zones/key.c; names in DNS messages are
 * read by dnsxld/wire.c. */
#ifndef DX_NAME_H
#define DX_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DX_NAME_TEXT_MAX 253        /* longest name text, no trailing dot */
#define DX_LABEL_MAX     63         /* (dnsxld/wire.h defines the same) */

/* The characters of a label: [A-Za-z0-9_-]. */
extern const bool dx_label_chars[256];

static inline bool dx_label_char(unsigned char c)
{
    return dx_label_chars[c];
}

/* The name in[0..n), normalized into out (DX_NAME_TEXT_MAX + 1 bytes: lowercase,
 * no trailing dot, NUL-terminated). Returns its length (1..253) or
 * DX_EINVAL (out then holds no name). */
int dx_name_norm(const char *in, size_t n, char *out);

/* The DNS wire form (RFC 1035 section 3.1) of a normalized name: its
 * labels, then the root label; at most DX_NAME_TEXT_MAX + 2 bytes. Returns the
 * length; *labels = the number of labels (the root not counted). */
size_t dx_name_wire(const char *norm, uint8_t *wire, unsigned *labels);

/* One label in[0..n) (a list name): 1..63 label characters, lowercased
 * into out (DX_LABEL_MAX + 1 bytes, NUL-terminated). Returns its length or
 * DX_EINVAL. */
int dx_label_norm(const char *in, size_t n, char *out);

#endif
