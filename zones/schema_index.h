/* The ip index's codecs (its layout: zones/schema.h, "zoneids" and
 * "index"): the keys, and the reader and writers of the value's two forms.
 * Part of the schema, in its own header for size; internal to zones/ and
 * its tests. */
#ifndef DX_SCHEMA_INDEX_H
#define DX_SCHEMA_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zones/bytes.h"
#include "zones/schema.h"

/* --- index: the ip intervals (derived at commit) ------------------------------ */

/* The index key u16 id, fam, end of an interval of the zone whose id is id
 * (zoneids) and whose last address is addr (alen bytes): its length. */
static inline size_t dx_sk_index(uint8_t *out, uint16_t id, uint8_t fam, const uint8_t *addr,
                                 size_t alen)
{
    dx_set_be16(out, id);
    out[2] = fam;
    memcpy(out + 3, addr, alen);
    return 3 + alen;
}

static inline size_t dx_sk_index_u128(uint8_t *out, uint16_t id, uint8_t fam, dx_u128 addr,
                                      size_t alen)
{
    uint8_t a[16];
    dx_set_be_n(a, alen, addr);
    return dx_sk_index(out, id, fam, a, alen);
}

/* Is key[0..n) an index key of the zone and family of the index key
 * kb[0..kn) (alen-byte addresses)? Then the interval's last address (in
 * key), else NULL. */
static inline const uint8_t *dx_sk_index_end(const void *key, size_t n, const uint8_t *kb,
                                             size_t kn, size_t alen)
{
    if (n != kn || memcmp(key, kb, kn - alen) != 0)
        return NULL;
    return (const uint8_t *)key + kn - alen;
}

/* Reading an index value (the layout: above): dx_sv_index_open, then per
 * list dx_sv_index_list and per chain element dx_sv_index_elem; a corrupt
 * value ends both loops with v->b.err set (DX_ESHORT or DX_EINVAL). */
struct dx_ielem {
    uint8_t flags, plen;
    uint32_t code;
    uint64_t expires;
    const uint8_t *addr;     /* alen bytes */
    const char *txt;         /* NULL: none */
};

struct dx_ivalue {
    struct dx_bytes b;
    size_t alen;
    const uint8_t *one;      /* form 1: the address of its one element; NULL: form 0 */
    uint16_t lists;          /* lists not yet read */
    uint8_t elems;           /* elements of the current list not yet read */
};

/* The interval's start (in p, or end for form 1), or NULL (a corrupt
 * head). end: the interval's last address (its key's end, alen bytes). */
static inline const uint8_t *dx_sv_index_open(struct dx_ivalue *v, const void *p, size_t n,
                                              const uint8_t *end, size_t alen)
{
    dx_bytes_reader(&v->b, p, n);
    v->alen = alen;
    v->elems = 0;
    uint8_t form = dx_get_u8(&v->b);
    v->one = form == 1 ? end : NULL;
    const uint8_t *start = v->one ? end : dx_get_ptr(&v->b, alen);
    v->lists = v->one ? 1 : dx_get_u16(&v->b);
    return form <= 1 && !v->b.err ? start : NULL;
}

/* The next element of the current list, false after its last one. */
static inline __attribute__((always_inline)) bool dx_sv_index_elem(struct dx_ivalue *v,
                                                                   struct dx_ielem *e)
{
    if (v->elems == 0 || v->b.err)
        return false;
    v->elems--;
    const uint8_t *p = dx_get_ptr(&v->b, v->one ? 14 : 14 + v->alen);    /* fixed fields */
    if (!p)
        return false;
    e->flags = p[0];
    e->plen = p[1];
    e->code = dx_be32(p + 2);
    e->expires = dx_be64(p + 6);
    e->addr = v->one ? v->one : p + 14;
    e->txt = dx_sv_get_str(&v->b);
    return v->b.err == 0;
}

/* Skip the elements of the current list not read. */
static __attribute__((noinline, unused)) void dx__sv_index_drain(struct dx_ivalue *v)
{
    struct dx_ielem e;
    while (dx_sv_index_elem(v, &e))
        ;
}

/* The next list's name (after the elements of the current one not read),
 * NULL after the last one or on a corrupt value. */
static inline __attribute__((always_inline)) const char *dx_sv_index_list(struct dx_ivalue *v)
{
    if (v->elems)
        dx__sv_index_drain(v);
    if (v->lists == 0 || v->b.err)
        return NULL;
    v->lists--;
    size_t n;
    const uint8_t *name = dx_get_lp8(&v->b, &n);
    v->elems = v->one ? 1 : dx_get_u8(&v->b);
    if (v->b.err || n == 0 || name[n - 1] != 0) {
        dx_bytes_fail(&v->b, DX_EINVAL);
        return NULL;
    }
    return (const char *)name;
}

/* Writing form 0: begin (returns where the list count goes), per list
 * list_put then its chain's elem_put, end with the number of lists. Form 1:
 * single_put (e->addr is not stored: it is the key's end). */
size_t dx_sv_index_begin(struct dx_bytes *b, dx_u128 start, size_t alen);
void dx_sv_index_list_put(struct dx_bytes *b, const char *list, size_t ll, uint8_t chain);
void dx_sv_index_elem_put(struct dx_bytes *b, const struct dx_ielem *e, size_t alen);
void dx_sv_index_end(struct dx_bytes *b, size_t count_at, uint16_t nlists);
void dx_sv_index_single_put(struct dx_bytes *b, const char *list, size_t ll,
                            const struct dx_ielem *e);

#endif
