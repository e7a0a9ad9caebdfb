/* The store's removal requests (zones/store.h, the layout in
 * zones/schema.h): what dnsxl-web queues for review and dnsxl-admin
 * approve/deny decides. */
#include <lmdb.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

const char *dx_request_status_name(int status)
{
    switch (status) {
    case DX_REQ_PENDING:  return "pending";
    case DX_REQ_APPROVED: return "approved";
    case DX_REQ_DENIED:   return "denied";
    }
    return "unknown";
}

static bool request_ok(const struct dx_request *r)
{
    return r && r->zone && *r->zone && r->list && *r->list && r->key && *r->key &&
           r->status >= DX_REQ_PENDING && r->status <= DX_REQ_DENIED;
}

/* Write r under its id; flags: MDB_NOOVERWRITE for a new one. */
static int request_write(struct dx_txn *w, const struct dx_request *r, unsigned flags)
{
    uint8_t kb[8];
    MDB_val key = { dx_sk_request(kb, r->id), kb };
    dx_bytes_reset(&w->vbuf);
    dx_sv_request_put(&w->vbuf, r);
    if (w->vbuf.err)
        return dx__fail(w, w->vbuf.err);
    MDB_val v = { w->vbuf.pos, w->vbuf.wp };
    return dx__fail(w, dx__mdb(mdb_put(w->txn, w->st->requests, &key, &v, flags)));
}

int dx_request_add(struct dx_txn *w, struct dx_request *r)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    if (!request_ok(r))
        return dx__fail(w, DX_EINVAL);
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, w->st->requests, &c);
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    MDB_val k, v;
    uint64_t last = 0;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    if (rc == 0 && !dx_sk_request_id(k.mv_data, k.mv_size, &last))
        return dx__fail(w, DX_EINVAL);
    if (rc && rc != MDB_NOTFOUND)
        return dx__fail(w, dx__mdb(rc));
    r->id = last + 1;
    return request_write(w, r, MDB_NOOVERWRITE);
}

int dx_request_get(struct dx_txn *t, uint64_t id, struct dx_request *out)
{
    if (!t || !out)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    uint8_t kb[8];
    MDB_val key = { dx_sk_request(kb, id), kb }, v;
    int rc = mdb_get(t->txn, t->st->requests, &key, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    memset(out, 0, sizeof(*out));
    if (dx_sv_request_get(v.mv_data, v.mv_size, out))
        return DX_EINVAL;
    out->id = id;
    return 0;
}

int dx_request_put(struct dx_txn *w, const struct dx_request *r)
{
    if (!w || !w->write)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    if (!request_ok(r))
        return dx__fail(w, DX_EINVAL);
    uint8_t kb[8];
    MDB_val key = { dx_sk_request(kb, r->id), kb }, v;
    int rc = mdb_get(w->txn, w->st->requests, &key, &v);
    if (rc == MDB_NOTFOUND)
        return DX_ENOTFOUND;
    if (rc)
        return dx__fail(w, dx__mdb(rc));
    /* r's strings may point into the old value: encode before the put */
    return request_write(w, r, 0);
}

int dx_request_foreach(struct dx_txn *t, int (*cb)(void *arg, const struct dx_request *r),
                       void *arg)
{
    if (!t || !cb)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->requests, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val k, v;
    int ret = 0;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0 && ret == 0) {
        struct dx_request r;
        memset(&r, 0, sizeof(r));
        if (!dx_sk_request_id(k.mv_data, k.mv_size, &r.id) ||
            dx_sv_request_get(v.mv_data, v.mv_size, &r))
            ret = DX_EINVAL;
        else if ((ret = cb(arg, &r)) == 0)
            rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (ret)
        return ret;
    return rc == MDB_NOTFOUND ? 0 : dx__fail(t, dx__mdb(rc));
}
