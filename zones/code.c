/* See zones/code.h. */
#include "zones/code.h"

#include "zones/bytes.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"

#include <stdio.h>
#include <string.h>

int dx_code_parse(const char *text, unsigned flags, uint32_t *code)
{
    uint64_t v;
    if ((flags & DX_CODE_SHORT) && strlen(text) <= 3 && dx_uint_parse(text, 255, &v) == 0) {
        *code = 0x7f000000u | (uint32_t)v;
        return 0;
    }
    uint8_t a[16];
    if (dx_addr_parse(text, DX_FAM_V4, a) < 0)
        return DX_EINVAL;
    *code = dx_be32(a);
    return 0;
}

bool dx_code_in_range(uint32_t code)
{
    return (code >> 24) == 127;
}

const char *dx_code_reserved(uint32_t code)
{
    if (!dx_code_in_range(code))
        return "is outside 127.0.0.0/8";
    if (code == 0x7f000001u)
        return "is reserved: RFC 5782 clients read 127.0.0.1 as 'not listed' or an error";
    if ((code & 0xffffff00u) == 0x7fffff00u)
        return "is reserved for error answers (127.255.255.0/24): clients read it as an error";
    return NULL;
}

char *dx_code_text(uint32_t code, char *buf)
{
    snprintf(buf, DX_CODE_TEXT_MAX, "%u.%u.%u.%u", code >> 24, (code >> 16) & 0xffu,
             (code >> 8) & 0xffu, code & 0xffu);
    return buf;
}
