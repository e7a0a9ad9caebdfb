/* Test helpers (header-only, static inline) for DNS names in the dnsxld
 * unit tests: text names to wire form, wire-name comparison, a question
 * as dnsxld reads it. dnsxld itself never needs the first two (it echoes
 * the question's bytes and writes names precomputed by the config
 * loader). */
#ifndef DX_DNS_FIXTURE_H
#define DX_DNS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsxld/wire.h"
#include "zones/err.h"

/* Text name ("ns1.example.org", trailing dot optional, "" or "." = root) to
 * wire form in out[DX_NAME_MAX]. Returns 0 or DX_EINVAL (empty label, label
 * > 63, name > 255; *outlen = 0). No escapes. */
static inline int dx_name_from_text(const char *text, uint8_t *out, size_t *outlen)
{
    size_t tl = strlen(text), n = 0, i = 0;
    *outlen = 0;
    if (tl > 0 && text[tl - 1] == '.')
        tl--;
    if (tl > 0 && text[tl - 1] == '.')      /* "a.." */
        return DX_EINVAL;
    while (i < tl) {
        size_t j = i;
        while (j < tl && text[j] != '.')
            j++;
        size_t l = j - i;
        if (l == 0 || l > DX_LABEL_MAX || n + 1 + l + 1 > DX_NAME_MAX)
            return DX_EINVAL;
        out[n++] = (uint8_t)l;
        memcpy(out + n, text + i, l);
        n += l;
        i = j + 1;
    }
    out[n++] = 0;
    *outlen = n;
    return 0;
}

static inline uint8_t fx_lc(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive equality of two uncompressed wire names (length octets
 * are < 64: folding leaves them alone). */
static inline bool dx_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (fx_lc(a[i]) != fx_lc(b[i]))
            return false;
    return true;
}

/* The question "name qtype IN" as dx_msg_parse reads it from a query (id
 * 0xbeef, RD) into m, the message bytes into b (DX_HDR_LEN + DX_NAME_MAX + 4
 * bytes); returns the query length, 0 if the name or the parse fails. */
static inline size_t dns_question(const char *name, uint16_t qtype, uint8_t *b, struct dx_msg *m)
{
    struct dx_bytes w;
    uint8_t wire[DX_NAME_MAX];
    size_t wl;
    if (dx_name_from_text(name, wire, &wl))
        return 0;
    dx_bytes_writer(&w, b, DX_HDR_LEN + DX_NAME_MAX + 4);
    dx_put_u16(&w, 0xbeef);
    dx_put_u16(&w, 0x0100);
    dx_put_u16(&w, 1);
    dx_put_zero(&w, 6);
    dx_put(&w, wire, wl);
    dx_put_u16(&w, qtype);
    dx_put_u16(&w, DX_C_IN);
    if (w.err || dx_msg_parse(b, w.pos, m) || !m->has_q)
        return 0;
    return w.pos;
}

#endif
