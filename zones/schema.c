/* The codecs of zones/schema.h and zones/schema_index.h that are not inline
 * (not on the query path, except the entry value and key a TXT answer's
 * $reason reads). */
#include "zones/schema.h"
#include "zones/schema_index.h"

#include <string.h>

#include "zones/err.h"

int dx_sk_check_key(const struct dx_key *k)
{
    if (!k)
        return DX_EINVAL;
    size_t len = dx_fam_len(k->family);
    if (len) {
        if (k->len != len || k->plen > len * 8)
            return DX_EINVAL;
        if (dx_be_n(k->addr, len) & dx_hostmask(k->plen, len))
            return DX_EINVAL;
        return 0;
    }
    if (k->family != DX_FAM_DOMAIN || k->len == 0 || k->len > DX_KEY_NAME_MAX || k->plen > 1)
        return DX_EINVAL;
    if (memchr(k->addr, 0, k->len))
        return DX_EINVAL;
    return 0;
}

/* --- entries ------------------------------------------------------------------ */

/* ktail(k) of the entries key (k checked): k->len + 2 bytes. */
static size_t key_tail(uint8_t *out, const struct dx_key *k)
{
    out[0] = k->family;
    if (k->family == DX_FAM_DOMAIN) {
        dx_rev_labels(k->addr, k->len, out + 1);
        out[1 + k->len] = k->plen ? 1 : 0;
    } else {
        memcpy(out + 1, k->addr, k->len);
        out[1 + k->len] = k->plen;
    }
    return (size_t)k->len + 2;
}

/* The key part back to a key: 0 or DX_EINVAL. */
static int key_untail(const uint8_t *p, size_t n, struct dx_key *k)
{
    memset(k, 0, sizeof(*k));
    if (n < 2)
        return DX_EINVAL;
    k->family = p[0];
    size_t len = dx_fam_len(p[0]);
    if (len) {
        if (n != len + 2)
            return DX_EINVAL;
        memcpy(k->addr, p + 1, len);
        k->len = (uint8_t)len;
        k->plen = p[1 + len];
        return 0;
    }
    if (p[0] != DX_FAM_DOMAIN || n - 2 > DX_KEY_NAME_MAX || n - 2 == 0)
        return DX_EINVAL;
    k->len = (uint8_t)(n - 2);
    dx_rev_labels(p + 1, k->len, k->addr);
    k->addr[k->len] = 0;
    k->plen = p[n - 1];
    return 0;
}

int dx_sk_entry(uint8_t out[DX_SK_MAX], const char *zone, const char *list,
                const struct dx_key *k)
{
    if (!zone || !list || dx_sk_check_key(k))
        return DX_EINVAL;
    size_t zl = strlen(zone), ll = strlen(list);
    if (zl == 0 || zl > DX_ZONE_MAX || ll == 0 || ll > DX_LIST_MAX)
        return DX_EINVAL;
    if (zl + 1 + ll + 1 + (size_t)k->len + 2 > DX_SK_ENTRY_MAX)
        return DX_EINVAL;
    memcpy(out, zone, zl + 1);
    memcpy(out + zl + 1, list, ll + 1);
    return (int)(zl + ll + 2 + key_tail(out + zl + ll + 2, k));
}

int dx_sk_entry_prefix(uint8_t out[DX_SK_MAX], const char *zone, const char *list)
{
    if (dx_sk_check_zone(zone) || (list && dx_sk_check_list(list)))
        return DX_EINVAL;
    struct dx_bytes b;
    dx_bytes_writer(&b, out, DX_SK_MAX);
    dx_put(&b, zone, strlen(zone) + 1);
    if (list)
        dx_put(&b, list, strlen(list) + 1);
    return b.err ? DX_EINVAL : (int)b.pos;
}

int dx_sk_entry_split(const uint8_t *p, size_t n, const char **zone, const char **list,
                      struct dx_key *k)
{
    const uint8_t *z0 = memchr(p, 0, n);
    if (!z0)
        return DX_EINVAL;
    const uint8_t *l = z0 + 1;
    const uint8_t *l0 = memchr(l, 0, n - (size_t)(l - p));
    if (!l0)
        return DX_EINVAL;
    *zone = (const char *)p;
    *list = (const char *)l;
    return key_untail(l0 + 1, n - (size_t)(l0 + 1 - p), k);
}

void dx_sk_entry_ip_prefix(struct dx_bytes *b, const char *zone, size_t zl, const char *list,
                           size_t ll, uint8_t fam)
{
    dx_put(b, zone, zl + 1);
    dx_put(b, list, ll + 1);
    dx_put_u8(b, fam);
}

void dx_sk_entry_ip_at(struct dx_bytes *b, size_t alen, dx_u128 addr, uint8_t plen)
{
    uint8_t *p = dx_put_ptr(b, alen);
    if (p)
        dx_set_be_n(p, alen, addr);
    dx_put_u8(b, plen);
}

int dx_sk_entry_list(const uint8_t *key, size_t n, size_t pn, size_t *ll)
{
    const uint8_t *nul = n > pn ? memchr(key + pn, 0, n - pn) : NULL;
    if (!nul)
        return DX_EINVAL;
    *ll = (size_t)(nul - (key + pn));
    return 0;
}

int dx_sk_entry_next_list(uint8_t out[DX_SK_MAX], const char *zone, size_t zl,
                          const char *list, size_t ll)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, out, DX_SK_MAX);
    dx_put(&b, zone, zl + 1);
    dx_put(&b, list, ll);
    dx_put_u8(&b, 1);
    return b.err ? DX_EINVAL : (int)b.pos;
}

int dx_sk_expiry(uint8_t out[DX_SK_MAX], uint64_t exp, const uint8_t *ek, size_t ekn)
{
    struct dx_bytes b;
    dx_bytes_writer(&b, out, DX_SK_MAX);
    dx_put_u64(&b, exp);
    dx_put(&b, ek, ekn);
    return b.err ? DX_EINVAL : (int)b.pos;
}

void dx_sv_entry_put(struct dx_bytes *b, const struct dx_entry *e)
{
    dx_put_u32(b, e->flags);
    dx_put_u32(b, e->code);
    dx_put_u64(b, e->first_seen);
    dx_put_u64(b, e->last_seen);
    dx_put_u64(b, e->expires_at);
    dx_put_u32(b, e->hits);
    dx_put_u32(b, e->relists);
    dx_sv_put_str(b, e->source);
    dx_sv_put_str(b, e->reason);
    dx_sv_put_str(b, e->txt);
}

int dx_sv_entry_get(const uint8_t *p, size_t n, struct dx_entry *e)
{
    struct dx_bytes r;
    dx_bytes_reader(&r, p, n);
    e->flags = dx_get_u32(&r);
    e->code = dx_get_u32(&r);
    e->first_seen = dx_get_u64(&r);
    e->last_seen = dx_get_u64(&r);
    e->expires_at = dx_get_u64(&r);
    e->hits = dx_get_u32(&r);
    e->relists = dx_get_u32(&r);
    e->source = dx_sv_get_str(&r);
    e->reason = dx_sv_get_str(&r);
    e->txt = dx_sv_get_str(&r);
    return r.err ? DX_EINVAL : 0;
}

/* --- index -------------------------------------------------------------------- */

size_t dx_sv_index_begin(struct dx_bytes *b, dx_u128 start, size_t alen)
{
    dx_put_u8(b, 0);                    /* form 0 */
    uint8_t *p = dx_put_ptr(b, alen);
    if (p)
        dx_set_be_n(p, alen, start);
    size_t count_at = b->pos;
    dx_put_u16(b, 0);
    return count_at;
}

/* ll: the name's length without its NUL */
void dx_sv_index_list_put(struct dx_bytes *b, const char *list, size_t ll, uint8_t chain)
{
    dx_put_lp8(b, list, ll + 1);
    dx_put_u8(b, chain);
}

/* An element; alen 0: without its address (form 1). */
void dx_sv_index_elem_put(struct dx_bytes *b, const struct dx_ielem *e, size_t alen)
{
    dx_put_u8(b, e->flags);
    dx_put_u8(b, e->plen);
    dx_put_u32(b, e->code);
    dx_put_u64(b, e->expires);
    dx_put(b, e->addr, alen);
    dx_sv_put_str(b, e->txt);
}

void dx_sv_index_single_put(struct dx_bytes *b, const char *list, size_t ll,
                            const struct dx_ielem *e)
{
    dx_put_u8(b, 1);                    /* form 1 */
    dx_put_lp8(b, list, ll + 1);
    dx_sv_index_elem_put(b, e, 0);
}

void dx_sv_index_end(struct dx_bytes *b, size_t count_at, uint16_t nlists)
{
    dx_patch_u16(b, count_at, nlists);
}

/* --- dindex ------------------------------------------------------------------- */

size_t dx_sv_dindex_head(struct dx_bytes *b, const uint8_t *name, size_t len)
{
    dx_put_u8(b, (uint8_t)(len + 1));
    dx_put(b, name, len);
    dx_put_u8(b, 0);
    size_t count_at = b->pos;
    dx_put_u16(b, 0);
    return count_at;
}

void dx_sv_dindex_elem_put(struct dx_bytes *b, const char *list, const struct dx_entry *e)
{
    dx_put_lp8(b, list, strlen(list) + 1);
    dx_put_u8(b, (uint8_t)e->flags);
    dx_put_u32(b, e->code);
    dx_put_u64(b, e->expires_at);
    dx_sv_put_str(b, e->txt);
}

void dx_sv_dindex_end(struct dx_bytes *b, size_t count_at, uint16_t nlists)
{
    dx_patch_u16(b, count_at, nlists);
}

/* --- history ------------------------------------------------------------------ */

int dx_sk_hist_prefix(uint8_t out[DX_SK_HIST_MAX], const struct dx_key *k)
{
    if (dx_sk_check_key(k))
        return DX_EINVAL;
    if (k->family == DX_FAM_V4) {
        /* dotted quad [/plen] as dx_key_format writes it, without
         * snprintf: a bulk import adds a record per entry */
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            unsigned v = k->addr[i];
            if (i)
                out[n++] = '.';
            if (v >= 100)
                out[n++] = (uint8_t)('0' + v / 100);
            if (v >= 10)
                out[n++] = (uint8_t)('0' + v / 10 % 10);
            out[n++] = (uint8_t)('0' + v % 10);
        }
        if (k->plen != 32) {
            out[n++] = '/';
            if (k->plen >= 10)
                out[n++] = (uint8_t)('0' + k->plen / 10);
            out[n++] = (uint8_t)('0' + k->plen % 10);
        }
        out[n] = 0;
        return (int)n + 1;
    }
    int n = dx_key_format(k, (char *)out, DX_KEY_TEXT_MAX);
    if (n < 0)
        return n;
    return n + 1;
}

void dx_sv_hist_put(struct dx_bytes *b, const struct dx_hist *h)
{
    dx_put_u8(b, h->action);
    dx_put_u64(b, h->expires_at);
    dx_sv_put_str(b, h->zone);
    dx_sv_put_str(b, h->list);
    dx_sv_put_str(b, h->source);
    dx_sv_put_str(b, h->reason);
}

int dx_sv_hist_get(const void *key, size_t n, const void *v, size_t vn, struct dx_hist *h)
{
    if (!dx_sk_hist_at(key, n, &h->at))
        return DX_EINVAL;
    struct dx_bytes r;
    dx_bytes_reader(&r, v, vn);
    h->action = dx_get_u8(&r);
    h->expires_at = dx_get_u64(&r);
    h->zone = dx_sv_get_str(&r);
    h->list = dx_sv_get_str(&r);
    h->source = dx_sv_get_str(&r);
    h->reason = dx_sv_get_str(&r);
    return r.err ? DX_EINVAL : 0;
}

/* --- requests ----------------------------------------------------------------- */

void dx_sv_request_put(struct dx_bytes *b, const struct dx_request *r)
{
    dx_put_u8(b, r->status);
    dx_put_u64(b, r->created);
    dx_put_u64(b, r->decided);
    dx_put(b, r->token, DX_REQ_TOKEN);
    dx_sv_put_str(b, r->zone);
    dx_sv_put_str(b, r->list);
    dx_sv_put_str(b, r->key);
    dx_sv_put_str(b, r->note);
    dx_sv_put_str(b, r->contact);
    dx_sv_put_str(b, r->client);
    dx_sv_put_str(b, r->by);
    dx_sv_put_str(b, r->decision);
}

int dx_sv_request_get(const void *p, size_t n, struct dx_request *r)
{
    struct dx_bytes rd;
    dx_bytes_reader(&rd, p, n);
    r->status = dx_get_u8(&rd);
    r->created = dx_get_u64(&rd);
    r->decided = dx_get_u64(&rd);
    const uint8_t *tok = dx_get_ptr(&rd, DX_REQ_TOKEN);
    if (tok)
        memcpy(r->token, tok, DX_REQ_TOKEN);
    r->zone = dx_sv_get_str(&rd);
    r->list = dx_sv_get_str(&rd);
    r->key = dx_sv_get_str(&rd);
    r->note = dx_sv_get_str(&rd);
    r->contact = dx_sv_get_str(&rd);
    r->client = dx_sv_get_str(&rd);
    r->by = dx_sv_get_str(&rd);
    r->decision = dx_sv_get_str(&rd);
    if (rd.err || rd.pos != n || !r->zone || !r->list || !r->key)
        return DX_EINVAL;
    return 0;
}

/* --- reports ------------------------------------------------------------------ */

int dx_sk_report_prefix(uint8_t out[DX_SK_MAX], const char *zone, const char *list,
                        const struct dx_key *k)
{
    int n = dx_sk_entry(out, zone, list, k);
    if (n < 0)
        return DX_EINVAL;
    out[n] = 0;         /* n <= DX_SK_ENTRY_MAX */
    return n + 1;
}

int dx_sk_report(uint8_t out[DX_SK_MAX], size_t pn, const char *reporter)
{
    if (!reporter || !*reporter || pn > DX_SK_MAX)
        return DX_EINVAL;
    struct dx_bytes b;
    dx_bytes_writer(&b, out + pn, DX_SK_MAX - pn);
    dx_put(&b, reporter, strlen(reporter) + 1);
    return b.err ? DX_EINVAL : (int)(pn + b.pos);
}

int dx_sk_report_match(const uint8_t *key, size_t n, const uint8_t *prefix, size_t pn)
{
    if (n <= pn + 1 || memcmp(key, prefix, pn) != 0)
        return 0;
    if (key[n - 1] != 0 || memchr(key + pn, 0, n - pn - 1))
        return DX_EINVAL;
    return 1;
}

/* --- changes, counts, runs ------------------------------------------------------ */

int dx_sk_count_split(const uint8_t *p, size_t n, const char **zone, const char **list)
{
    const uint8_t *z0 = n ? memchr(p, 0, n) : NULL;
    if (!z0 || z0 == p || (size_t)(z0 + 1 - p) >= n || p[n - 1] != 0)
        return DX_EINVAL;
    const uint8_t *l0 = memchr(z0 + 1, 0, n - (size_t)(z0 + 1 - p));
    if (l0 != p + n - 1 || l0 == z0 + 1)
        return DX_EINVAL;
    *zone = (const char *)p;
    *list = (const char *)(z0 + 1);
    return 0;
}

size_t dx_sk_count_of_entry(const uint8_t *ek, size_t kn)
{
    const uint8_t *z0 = kn ? memchr(ek, 0, kn) : NULL;
    if (!z0)
        return 0;
    const uint8_t *l0 = memchr(z0 + 1, 0, kn - (size_t)(z0 + 1 - ek));
    return l0 ? (size_t)(l0 + 1 - ek) : 0;
}

int dx_sk_run(uint8_t out[DX_SK_MAX], const char *command, const char *target)
{
    if (!command || !*command || !target)
        return DX_EINVAL;
    struct dx_bytes b;
    dx_bytes_writer(&b, out, DX_SK_MAX);
    dx_put(&b, command, strlen(command) + 1);
    dx_put(&b, target, strlen(target) + 1);
    return b.err ? DX_EINVAL : (int)b.pos;
}

void dx_sv_run_put(struct dx_bytes *b, const struct dx_run *r)
{
    dx_put_u64(b, r->started);
    dx_put_u64(b, r->finished);
    dx_put_u8(b, r->status);
    dx_put_u64(b, r->added);
    dx_put_u64(b, r->updated);
    dx_put_u64(b, r->removed);
    dx_sv_put_str(b, r->message);
}

int dx_sv_run_get(const void *key, size_t kn, const void *p, size_t n, struct dx_run *r)
{
    const uint8_t *k = key;
    const uint8_t *c0 = kn ? memchr(k, 0, kn) : NULL;
    if (!c0 || c0 == k || k[kn - 1] != 0 || memchr(c0 + 1, 0, kn - (size_t)(c0 + 1 - k)) !=
                                                 k + kn - 1)
        return DX_EINVAL;
    r->command = (const char *)k;
    r->target = (const char *)(c0 + 1);
    struct dx_bytes rd;
    dx_bytes_reader(&rd, p, n);
    r->started = dx_get_u64(&rd);
    r->finished = dx_get_u64(&rd);
    r->status = dx_get_u8(&rd);
    r->added = dx_get_u64(&rd);
    r->updated = dx_get_u64(&rd);
    r->removed = dx_get_u64(&rd);
    r->message = dx_sv_get_str(&rd);
    return rd.err || rd.pos != n ? DX_EINVAL : 0;
}
