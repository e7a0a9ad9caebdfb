/* Answer codes: the A record a list answers for a listed key (RFC 5782
 * section 2.3: 127.0.0.0/8; dnsxl.conf(5) code). Held as a host-order
 * uint32_t (127.0.0.2 = 0x7f000002). */
#ifndef DX_CODE_H
#define DX_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DX_CODE_TEXT_MAX 16        /* "255.255.255.255" and its NUL */

/* dx_code_parse flags */
#define DX_CODE_SHORT 1u           /* also "N" (1..3 digits, 0..255): 127.0.0.N, rbldnsd's form */

/* Parse a code: a dotted quad as zones/key.h dx_addr_parse reads it (no
 * leading zeros), or with DX_CODE_SHORT the short form. Any IPv4 address
 * parses: whether it may be answered is dx_code_reserved's question.
 * Returns 0 with *code set, or DX_EINVAL. */
int dx_code_parse(const char *text, unsigned flags, uint32_t *code);

/* Is code inside 127.0.0.0/8? */
bool dx_code_in_range(uint32_t code);

/* Why code may not be answered for a listing ("is outside 127.0.0.0/8",
 * "is reserved: ..." for 127.0.0.1 and 127.255.255.0/24, the answers RFC
 * 5782 clients read as "not listed" or an error), or NULL if it may. */
const char *dx_code_reserved(uint32_t code);

/* "127.0.0.2" into buf (DX_CODE_TEXT_MAX bytes). Returns buf. */
char *dx_code_text(uint32_t code, char *buf);

#endif
