/* Extended DNS Errors (ede.h). */
#include "dnsxld/ede.h"

#include <string.h>

#define OPT_RDLEN_AT 9              /* owner (1), type, class, TTL (2 + 2 + 4) */
#define OPT_FIXED 11                /* ... and RDLENGTH (2) */

void dx_ede_put(struct dx_bytes *w, size_t opt_at, uint16_t code, const char *text)
{
    if (w->err || w->pos < opt_at + OPT_FIXED)
        return;
    struct dx_bytes_mark mk = dx_bytes_mark(w);
    size_t tl = text ? strlen(text) : 0;
    dx_put_u16(w, DX_OPT_EDE);
    dx_put_u16(w, (uint16_t)(2 + tl));
    dx_put_u16(w, code);
    dx_put(w, text, tl);
    size_t rdlen = w->pos - (opt_at + OPT_FIXED);
    if (w->err || rdlen > 0xffff) {
        dx_bytes_rollback(w, mk);
        return;
    }
    dx_patch_u16(w, opt_at + OPT_RDLEN_AT, (uint16_t)rdlen);
}
