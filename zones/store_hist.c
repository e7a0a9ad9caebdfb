/* The store's history (zones/store.h, "history"): records added to a
 * write txn are buffered in it and written sorted by key when the txn
 * commits or reads history (a bulk import adds one per entry, not in key
 * order); reads by key; pruning by age and by size. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

const char *dx_hist_action_name(int action)
{
    switch (action) {
    case DX_HIST_LIST:   return "list";
    case DX_HIST_RELIST: return "relist";
    case DX_HIST_UPDATE: return "update";
    case DX_HIST_DELIST: return "delist";
    case DX_HIST_EXPIRE: return "expire";
    case DX_HIST_HOLD:   return "hold";
    case DX_HIST_REJECT: return "reject";
    case DX_HIST_REQUEST: return "request";
    case DX_HIST_DENY:   return "deny";
    }
    return "unknown";
}

#define HPEND_MAX (64u << 20)    /* flush buffered history beyond this */

int dx_history_add(struct dx_txn *w, const struct dx_key *k, const struct dx_hist *h)
{
    if (!w || !w->write || !h)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_HIST_MAX];
    int pn = dx_sk_hist_prefix(kb, k);
    if (pn < 0)
        return dx__fail(w, pn);
    size_t kn = dx_sk_hist_put_at(kb, (size_t)pn, h->at);     /* the key without its seq */
    struct dx_bytes *b = &w->vbuf;
    dx_bytes_reset(b);
    dx_sv_hist_put(b, h);
    if (b->err || b->pos > UINT16_MAX)
        return dx__fail(w, DX_ENOMEM);
    struct dx_bytes *q = &w->hpend, *hv = &w->hval;
    /* a bulk import adds the same value for every key: store it once */
    const uint8_t *lv = hv->pos ? hv->wp + w->hval_last : NULL;
    if (!lv || dx_be16(lv) != b->pos || memcmp(lv + 2, b->wp, b->pos) != 0) {
        if (hv->pos > UINT32_MAX - b->pos - 2)
            return dx__fail(w, DX_ENOMEM);
        w->hval_last = hv->pos;
        dx_put_u16(hv, (uint16_t)b->pos);
        dx_put(hv, b->wp, b->pos);
    }
    dx_put_u16(q, (uint16_t)kn);
    dx_put_u32(q, (uint32_t)w->hval_last);
    dx_put(q, kb, kn);
    if (q->err || hv->err)
        return dx__fail(w, DX_ENOMEM);
    w->nhpend++;
    w->hist_added = true;
    if (q->pos + hv->pos > HPEND_MAX)
        return dx__fail(w, dx__hist_flush(w));
    return 0;
}

/* Sort handle of a buffered history record: the first 8 key bytes as a
 * big-endian number (most keys differ there), then the record's offset. */
struct hord {
    uint64_t pre;
    size_t off;
};

static int hrec_cmp(const void *x, const void *y, void *arg)
{
    const struct hord *a = x, *b = y;
    if (a->pre != b->pre)
        return a->pre < b->pre ? -1 : 1;
    const uint8_t *base = arg, *p = base + a->off, *q = base + b->off;
    int c = dx__key_cmp(p + 6, dx_be16(p), q + 6, dx_be16(q));
    if (c)
        return c;
    return a->off < b->off ? -1 : a->off > b->off;  /* same key: in the order added */
}

/* Write the buffered history records, sorted by key (so puts go page by
 * page, appending at the end of the database). Records with the same key
 * text and time get consecutive seqs after those already stored. */
int dx__hist_flush(struct dx_txn *w)
{
    if (w->nhpend == 0)
        return 0;
    struct dx_bytes *q = &w->hpend;
    size_t n = w->nhpend;
    struct hord *ord = malloc(n * sizeof(*ord));
    if (!ord)
        return DX_ENOMEM;
    bool sorted = true;
    for (size_t i = 0, off = 0; i < n; i++) {
        size_t kn = dx_be16(q->wp + off);
        ord[i].pre = dx_be_prefix64(q->wp + off + 6, kn);
        ord[i].off = off;
        if (i > 0 && sorted && hrec_cmp(&ord[i - 1], &ord[i], q->wp) > 0)
            sorted = false;
        off += 6 + kn;
    }
    if (!sorted)
        qsort_r(ord, n, sizeof(*ord), hrec_cmp, q->wp);
    int rc = 0;
    if (!w->hcur)
        rc = mdb_cursor_open(w->txn, w->st->history, &w->hcur);
    MDB_cursor *c = w->hcur;
    uint8_t last[DX_SK_MAX + 1];      /* >= the last key of history */
    size_t lastn = 0;                   /* 0: history is empty */
    MDB_val key, v;
    if (rc == 0) {
        rc = mdb_cursor_get(c, &key, &v, MDB_LAST);
        if (rc == 0 && key.mv_size <= sizeof(last)) {
            memcpy(last, key.mv_data, key.mv_size);
            lastn = key.mv_size;
        } else if (rc == 0) {
            rc = DX_EINVAL;
        } else if (rc == MDB_NOTFOUND) {
            rc = 0;
        }
    }
    uint8_t kb[DX_SK_MAX + 1];
    const uint8_t *prev = NULL;
    size_t prevn = 0;
    uint32_t seq = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const uint8_t *p = q->wp + ord[i].off;
        size_t kn = dx_be16(p);
        const uint8_t *val = w->hval.wp + dx_be32(p + 2);
        size_t vn = dx_be16(val);
        if (kn + 4 > sizeof(kb)) {
            rc = DX_EINVAL;
            break;
        }
        memcpy(kb, p + 6, kn);
        if (prev && prevn == kn && memcmp(prev, p + 6, kn) == 0) {
            if (seq == UINT32_MAX) {
                rc = DX_ERANGE;
                break;
            }
            seq++;
        } else {
            /* first of its text and time: after the stored ones, if any */
            seq = 0;
            size_t sn = dx_sk_hist_put_seq(kb, kn, 0);
            if (lastn && dx__key_cmp(kb, sn, last, lastn) <= 0) {
                key.mv_size = dx_sk_hist_put_seq(kb, kn, UINT32_MAX);
                key.mv_data = kb;
                rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
                if (rc == 0)
                    rc = mdb_cursor_get(c, &key, &v, MDB_PREV);
                else if (rc == MDB_NOTFOUND)
                    rc = mdb_cursor_get(c, &key, &v, MDB_LAST);
                if (rc == MDB_NOTFOUND)
                    rc = 0;
                else if (rc)
                    break;
                else if (dx_sk_hist_same(key.mv_data, key.mv_size, kb, kn, &seq)) {
                    if (seq == UINT32_MAX) {
                        rc = DX_ERANGE;
                        break;
                    }
                    seq++;
                }
            }
        }
        prev = p + 6;
        prevn = kn;
        size_t sn = dx_sk_hist_put_seq(kb, kn, seq);
        key.mv_size = sn;
        key.mv_data = kb;
        v.mv_size = vn;
        v.mv_data = (void *)(val + 2);
        if (!lastn || dx__key_cmp(kb, sn, last, lastn) > 0) {
            rc = mdb_cursor_put(c, &key, &v, MDB_APPEND);
            if (rc == 0) {
                memcpy(last, kb, sn);
                lastn = sn;
            }
        } else {
            rc = mdb_cursor_put(c, &key, &v, 0);
        }
    }
    free(ord);
    dx_bytes_reset(q);
    dx_bytes_reset(&w->hval);
    w->hval_last = 0;
    w->nhpend = 0;
    return dx__mdb(rc);
}

int dx_history_foreach(struct dx_txn *t, const struct dx_key *k,
                       int (*cb)(void *arg, const struct dx_hist *h), void *arg)
{
    if (!t || !cb)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    uint8_t kb[DX_SK_HIST_MAX];
    int pn = dx_sk_hist_prefix(kb, k);
    if (pn < 0)
        return pn;
    int rc = t->write ? dx__fail(t, dx__hist_flush(t)) : 0;
    if (rc)
        return rc;
    MDB_cursor *c;
    rc = mdb_cursor_open(t->txn, t->st->history, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val key = { (size_t)pn, kb }, v;
    bool cbret = false;
    rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
    while (rc == 0) {
        if (!dx_sk_hist_of(key.mv_data, key.mv_size, kb, (size_t)pn))
            break;
        struct dx_hist h;
        rc = dx_sv_hist_get(key.mv_data, key.mv_size, v.mv_data, v.mv_size, &h);
        if (rc)
            break;
        rc = cb(arg, &h);
        if (rc) {
            cbret = true;
            break;
        }
        rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (cbret)
        return rc;
    return dx__fail(t, dx__mdb(rc));
}

/* A history record of before `before` (by its key's time). */
static bool hist_older(const MDB_val *key, const MDB_val *v, uint64_t before)
{
    uint64_t at;
    return dx_sk_hist_at(key->mv_data, key->mv_size, &at) && at < before;
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The history takes more than st->hist_limit bytes of pages: remove the
 * oldest records (by time; records of one second go together) until about
 * 90% of the limit is left. One pass to learn the times, one to delete. */
int dx__hist_bound(struct dx_txn *w)
{
    MDB_stat ms;
    int rc = mdb_stat(w->txn, w->st->history, &ms);
    if (rc)
        return dx__mdb(rc);
    uint64_t bytes = (uint64_t)(ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages) *
                     ms.ms_psize;
    if (bytes <= w->st->hist_limit || ms.ms_entries == 0)
        return 0;
    size_t n = ms.ms_entries;
    size_t keep = (size_t)((double)n * 0.9 * (double)w->st->hist_limit / (double)bytes);
    size_t drop = n - (keep < n ? keep : n);
    if (drop == 0)
        return 0;
    uint64_t *at = malloc(n * sizeof(*at));
    if (!at)
        return DX_ENOMEM;
    MDB_cursor *c;
    rc = mdb_cursor_open(w->txn, w->st->history, &c);
    size_t got = 0;
    MDB_val key, v;
    if (rc == 0)
        rc = mdb_cursor_get(c, &key, &v, MDB_FIRST);
    while (rc == 0 && got < n) {
        if (dx_sk_hist_at(key.mv_data, key.mv_size, &at[got]))
            got++;
        rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
    }
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = 0;
    if (c)
        mdb_cursor_close(c);
    uint64_t cutoff = 0;
    if (rc == 0 && got > 0) {
        qsort(at, got, sizeof(*at), u64_cmp);
        cutoff = at[(drop < got ? drop : got) - 1];
    }
    free(at);
    if (rc)
        return dx__mdb(rc);
    return dx__prune(w, w->st->history, hist_older, cutoff == UINT64_MAX ? cutoff : cutoff + 1,
                 NULL);
}

void dx_store_set_history_limit(struct dx_store *st, uint64_t bytes)
{
    st->hist_limit = bytes;
}

int dx_history_prune(struct dx_txn *w, uint64_t before, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    int rc = dx__fail(w, dx__hist_flush(w));
    if (rc)
        return rc;
    return dx__prune(w, w->st->history, hist_older, before, removed);
}
