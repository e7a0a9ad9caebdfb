/* The store's loader runs (zones/store.h, the layout in zones/schema.h):
 * each loader command's last run per target, written when it ends (the
 * recording: zones/cli.h, dx_cli_record), read by dnsxld's metrics and
 * dnsxl-admin stats. */
#include <lmdb.h>
#include <string.h>

#include "zones/err.h"
#include "zones/store_txn.h"

int dx_run_put(struct dx_txn *w, const struct dx_run *r)
{
    if (!w || !w->write || !r)
        return DX_EINVAL;
    if (w->err)
        return w->err;
    uint8_t kb[DX_SK_MAX];
    int kn = dx_sk_run(kb, r->command, r->target ? r->target : "");
    if (kn < 0)
        return dx__fail(w, DX_EINVAL);
    dx_bytes_reset(&w->vbuf);
    dx_sv_run_put(&w->vbuf, r);
    if (w->vbuf.err)
        return dx__fail(w, w->vbuf.err);
    MDB_val key = { (size_t)kn, kb }, v = { w->vbuf.pos, w->vbuf.wp };
    return dx__fail(w, dx__mdb(mdb_put(w->txn, w->st->runs, &key, &v, 0)));
}

int dx_run_foreach(struct dx_txn *t, int (*cb)(void *arg, const struct dx_run *r), void *arg)
{
    if (!t || !cb)
        return DX_EINVAL;
    if (t->err)
        return t->err;
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->st->runs, &c);
    if (rc)
        return dx__fail(t, dx__mdb(rc));
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        struct dx_run r;
        if (dx_sv_run_get(k.mv_data, k.mv_size, v.mv_data, v.mv_size, &r)) {
            rc = DX_EINVAL;
            break;
        }
        int cr = cb(arg, &r);
        if (cr) {
            mdb_cursor_close(c);
            return cr;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : dx__fail(t, dx__mdb(rc));
}
