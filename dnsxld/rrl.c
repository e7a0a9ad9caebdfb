/* Response rate limiting (rrl.h): a GCRA per network and class in a shared
 * table of atomic slots. */
#include "dnsxld/rrl.h"
#include "dnsxld/wire.h"

#include <stdatomic.h>
#include <stdlib.h>

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the slots need lock-free 64-bit atomics");
#include <string.h>

#include <sodium.h>

#define TAT_BITS 48                 /* microseconds: wraps after 8.9 years */
#define TAT_MASK ((UINT64_C(1) << TAT_BITS) - 1)
#define TRIES    8                  /* compare-and-swap attempts before letting it through */

struct dx_rrl {
    _Atomic uint64_t *slot;         /* tag << 48 | theoretical arrival time (us); 0 = empty */
    size_t mask;
    uint8_t key[crypto_shorthash_KEYBYTES];
};

struct dx_rrl *dx_rrl_new(unsigned order)
{
    if (order < 1 || order > 30 || sodium_init() < 0)
        return NULL;
    struct dx_rrl *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    size_t n = (size_t)1 << order;
    /* zero pages, left untouched (no atomic_init loop): a lock-free 64-bit
     * atomic is its integer, all zero bits is 0, and only the pages of the
     * slots networks use ever get memory */
    t->slot = calloc(n, sizeof(*t->slot));
    if (t->slot == NULL) {
        free(t);
        return NULL;
    }
    t->mask = n - 1;
    randombytes_buf(t->key, sizeof(t->key));
    return t;
}

void dx_rrl_free(struct dx_rrl *t)
{
    if (t == NULL)
        return;
    free(t->slot);
    free(t);
}

void dx_rrl_set_key(struct dx_rrl *t, const uint8_t key[16])
{
    memcpy(t->key, key, sizeof(t->key));
}

enum dx_rrl_class dx_rrl_class_of(unsigned rcode, unsigned an)
{
    if (rcode == DX_RC_NOERROR)
        return an > 0 ? DX_RRL_POSITIVE : DX_RRL_NODATA;
    return rcode == DX_RC_NXDOMAIN ? DX_RRL_NXDOMAIN : DX_RRL_ERROR;
}

/* tat - t as a signed 48-bit difference */
static int64_t ahead(uint64_t tat, uint64_t t)
{
    uint64_t d = (tat - t) & TAT_MASK;
    return (d >> (TAT_BITS - 1)) ? (int64_t)d - (int64_t)(TAT_MASK + 1) : (int64_t)d;
}

bool dx_rrl_allow(struct dx_rrl *t, const uint8_t *ip, size_t iplen, enum dx_rrl_class c,
                  uint32_t rate, uint32_t burst, uint64_t now_ms)
{
    if (rate == 0)
        return true;
    /* the network: class and family, then the /24 or /56 */
    uint8_t in[8] = { 0 };
    bool v6 = iplen == 16;
    in[0] = (uint8_t)((v6 ? 4u : 0u) | (unsigned)c);
    memcpy(in + 1, ip, v6 ? 7 : 3);
    uint8_t hb[crypto_shorthash_BYTES];
    crypto_shorthash(hb, in, sizeof(in), t->key);
    uint64_t h;
    memcpy(&h, hb, sizeof(h));
    uint64_t tag = h & ~TAT_MASK;
    if (tag == 0)
        tag = TAT_MASK + 1;         /* never the empty slot's */
    _Atomic uint64_t *set = &t->slot[(size_t)h & t->mask & ~(size_t)1];

    int64_t step = 1000000 / (int64_t)rate;   /* 1..1000000 us per answer */
    if (step == 0)
        step = 1;
    int64_t tau = ((int64_t)(burst ? burst : rate) - 1) * step;
    uint64_t now = (now_ms * 1000) & TAT_MASK;

    for (int i = 0; i < TRIES; i++) {
        uint64_t w[2] = { atomic_load_explicit(&set[0], memory_order_relaxed),
                          atomic_load_explicit(&set[1], memory_order_relaxed) };
        int k;
        uint64_t tat;
        if ((w[0] & ~TAT_MASK) == tag || (w[1] & ~TAT_MASK) == tag) {
            k = (w[0] & ~TAT_MASK) == tag ? 0 : 1;
            tat = w[k] & TAT_MASK;
            if (ahead(tat, now) < 0)
                tat = now;
            if (ahead(tat, now) > tau)
                return false;
        } else {
            /* not there: take the slot that is idle or least ahead */
            k = ahead(w[0] & TAT_MASK, now) <= ahead(w[1] & TAT_MASK, now) ? 0 : 1;
            tat = now;
        }
        uint64_t nw = tag | ((tat + (uint64_t)step) & TAT_MASK);
        if (atomic_compare_exchange_weak_explicit(&set[k], &w[k], nw, memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    }
    return true;
}
