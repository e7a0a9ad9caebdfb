/* Extended DNS Errors (RFC 8914): the EDE option a reply's OPT carries,
 * only when the query had EDNS (query.c writes it after the OPT record).
 *
 * The codes dnsxld answers (dnsxld(8) "Extended errors"):
 *   20 Not Authoritative  REFUSED: a name in none of our zones, a class
 *                         other than IN, ANY and CH, a CH name we do not
 *                         answer;
 *   18 Prohibited         REFUSED: allow-query, a zone transfer, an
 *                         undisclosed identity or version, an unknown or
 *                         disabled query key; and the usage-policy answers
 *                         (blocked-code, limit-code, NOERROR): the client
 *                         is prohibited from the data, the EXTRA-TEXT says
 *                         why (the A record's code and the TXT say it too).
 * Each with a short EXTRA-TEXT where it helps. No allocation.
 */
#ifndef DX_EDE_H
#define DX_EDE_H

#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"

#define DX_OPT_EDE 15               /* the EDNS option code (RFC 8914 2) */

enum {
    DX_EDE_PROHIBITED = 18,
    DX_EDE_NOT_AUTHORITATIVE = 20,
    DX_EDE_NONE = 0xffff,           /* no EDE */
};

/* Append an EDE option (info-code `code`, EXTRA-TEXT `text` or none) to
 * the OPT record written at offset opt_at of w, as its last option, and
 * fix the OPT's RDLENGTH. An EDE is advisory: when it does not fit in w's
 * limit, w is left as it was (the OPT without it). */
void dx_ede_put(struct dx_bytes *w, size_t opt_at, uint16_t code, const char *text);

#endif
