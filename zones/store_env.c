/* The store's environment and transactions: open (schema created or
 * checked, damage and stale readers caught), map growth, read txns
 * (reset/renew), write txns and their commit (history flush and bound,
 * ip index, serials). The databases' jobs are in the other store_*.c. */
#include "zones/store.h"

#include <errno.h>
#include <lmdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "zones/clock.h"
#include "zones/err.h"
#include "zones/store_txn.h"

/* --- environment -------------------------------------------------------- */

/* Create dir and its missing parents, owner-only (the store holds reasons,
 * sources and history: not for every local user). */
static int mkdir_p(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path))
        return DX_EINVAL;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == 0) {
            char c = path[i];
            path[i] = 0;
            if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return -errno;
            path[i] = c;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return -errno;
    return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/* The named databases, in struct dx_store order. */
static MDB_dbi *store_dbi(struct dx_store *st, size_t i)
{
    MDB_dbi *d[] = { &st->meta,   &st->zones,  &st->entries, &st->index, &st->dindex,
                     &st->expiry, &st->holds,  &st->history, &st->reports,
                     &st->requests, &st->changes, &st->counts, &st->runs, &st->journal,
                     &st->zoneids };
    return i < sizeof(d) / sizeof(d[0]) ? d[i] : NULL;
}

static const char *const dbi_names[] = {
    "meta", "zones", "entries", "index", "dindex", "expiry", "holds", "history",
    "reports",              /* added after schema 1 shipped: created if missing */
    "requests",             /* the same */
    "changes", "counts", "runs",    /* the same (counts: filled from entries then) */
    "journal",              /* the same */
    "zoneids",              /* the same, with schema 2 (the index rebuilt then) */
};
#define N_DBI (sizeof(dbi_names) / sizeof(dbi_names[0]))

/* The schema version in txn: 0 with *ver, MDB_NOTFOUND (a new store), or
 * DX_ESCHEMA (a corrupt record). */
static int schema_version(struct dx_store *st, MDB_txn *txn, uint32_t *ver)
{
    MDB_val k, v;
    k.mv_data = (void *)dx_sk_meta_schema(&k.mv_size);
    int rc = mdb_get(txn, st->meta, &k, &v);
    if (rc == 0 && dx_sv_u32_get(v.mv_data, v.mv_size, ver))
        rc = DX_ESCHEMA;
    return rc;
}

/* Open the databases in a read txn: never waits for a writer. Returns 0,
 * MDB_NOTFOUND if any database or the schema record is missing or the
 * schema is DX_STORE_SCHEMA_UPGRADE (schema_create upgrades it), DX_ESCHEMA
 * for any other version, or an error. */
static int schema_read(struct dx_store *st)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    for (size_t i = 0; i < N_DBI && rc == 0; i++)
        rc = mdb_dbi_open(txn, dbi_names[i], 0, store_dbi(st, i));
    uint32_t ver = 0;
    if (rc == 0)
        rc = schema_version(st, txn, &ver);
    if (rc == 0 && ver != DX_STORE_SCHEMA)
        rc = ver == DX_STORE_SCHEMA_UPGRADE ? MDB_NOTFOUND : DX_ESCHEMA;
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);         /* keeps the handles for the environment */
}

/* Create what is missing of the schema in a write txn, and upgrade a
 * store of schema DX_STORE_SCHEMA_UPGRADE. *created: the store had no
 * schema record at all (a new store). */
static int schema_create(struct dx_store *st, bool *created)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
    if (rc)
        return rc;
    MDB_dbi probe;
    bool had_counts = mdb_dbi_open(txn, "counts", 0, &probe) == 0;
    for (size_t i = 0; i < N_DBI && rc == 0; i++)
        rc = mdb_dbi_open(txn, dbi_names[i], MDB_CREATE, store_dbi(st, i));
    if (rc == 0 && !had_counts)         /* a store from before counts: count once */
        rc = dx__counts_fill(txn, st->entries, st->counts);
    uint32_t ver = 0;
    if (rc == 0)
        rc = schema_version(st, txn, &ver);
    *created = rc == MDB_NOTFOUND;
    if (rc == 0 && ver != DX_STORE_SCHEMA && ver != DX_STORE_SCHEMA_UPGRADE)
        rc = DX_ESCHEMA;
    if ((rc == 0 && ver == DX_STORE_SCHEMA_UPGRADE) || rc == MDB_NOTFOUND) {
        /* schema 1: an ip index keyed by zone name; rebuilt from the
         * entries in this txn (a new store: nothing to rebuild) */
        rc = dx__ip_rebuild(st, txn);
        uint8_t b[4];
        dx_sv_u32_put(b, DX_STORE_SCHEMA);
        MDB_val k, v = { 4, b };
        k.mv_data = (void *)dx_sk_meta_schema(&k.mv_size);
        if (rc == 0)
            rc = mdb_put(txn, st->meta, &k, &v, 0);
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

/* A data file shorter than the pages the store records would be mapped
 * past its end: the first read there is a SIGBUS. LMDB reads its meta pages
 * with read(2), so this is known before any page is touched. */
static int size_check(struct dx_store *st)
{
    MDB_envinfo info;
    MDB_stat ms;
    int fd;
    struct stat sb;
    int rc = mdb_env_info(st->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(st->env, &ms);
    if (rc == 0)
        rc = mdb_env_get_fd(st->env, &fd);
    if (rc)
        return rc;
    if (fstat(fd, &sb) != 0)
        return -errno;
    uint64_t need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
    return (uint64_t)sb.st_size < need ? DX_ETRUNC : 0;
}

/* root running dnsxl-admin or dnsxl-loader on a store directory that
 * belongs to the service user (StateDirectory=) must not leave files only
 * root can open: files root just created there go to the directory's owner. */
static void store_owner(const char *dir)
{
    struct stat ds, fs;
    if (geteuid() != 0 || stat(dir, &ds) != 0 || ds.st_uid == 0)
        return;
    static const char *const files[] = { "data.mdb", "lock.mdb" };
    for (size_t i = 0; i < 2; i++) {
        char path[4200];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, files[i]) >= sizeof(path))
            return;
        if (lstat(path, &fs) == 0 && S_ISREG(fs.st_mode) && fs.st_uid == 0 &&
            chown(path, ds.st_uid, ds.st_gid) != 0)
            continue;       /* best effort: the open goes on as root can */
    }
}

int dx_store_open(const char *dir, uint64_t map_size, unsigned flags, struct dx_store **out)
{
    *out = NULL;
    if (!dir || !*dir)
        return DX_EINVAL;
    int rc;
    if (flags & DX_STORE_CREATE) {
        rc = mkdir_p(dir);
        if (rc)
            return rc;
    } else {
        /* only a writer may create a store: a mistyped path is an error */
        char path[4200];
        struct stat sb;
        if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", dir) >= sizeof(path))
            return DX_EINVAL;
        if (stat(path, &sb) != 0)
            return errno == ENOENT || errno == ENOTDIR ? DX_ENOSTORE : -errno;
    }
    struct dx_store *st = calloc(1, sizeof(*st));
    if (!st || !(st->dir = strdup(dir))) {
        free(st);
        return DX_ENOMEM;
    }
    rc = mdb_env_create(&st->env);
    if (rc)
        goto fail;
    if ((rc = mdb_env_set_maxdbs(st->env, 16)) ||
        (rc = mdb_env_set_maxreaders(st->env, 1024)) ||
        (rc = mdb_env_set_mapsize(st->env, map_size ? map_size : DX_STORE_MAP_DEFAULT)))
        goto fail;
    rc = mdb_env_open(st->env, dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
    if (rc)
        goto fail;
    store_owner(dir);
    rc = size_check(st);
    if (rc)
        goto fail;
    /* reader slots of killed processes pin old pages: the file would grow
     * with every write until they are cleared */
    rc = mdb_reader_check(st->env, &st->stale_readers);
    if (rc)
        goto fail;
    rc = schema_read(st);
    if (rc == MDB_NOTFOUND) {
        /* missing databases: a new store, or one from before a database
         * was added. Only a writer creates a store; anyone may add what a
         * newer version of the schema has. */
        bool created = false;
        if (!(flags & DX_STORE_CREATE)) {
            MDB_txn *txn;
            MDB_dbi meta;
            rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
            if (rc)
                goto fail;
            int m = mdb_dbi_open(txn, "meta", 0, &meta);
            mdb_txn_abort(txn);
            if (m == MDB_NOTFOUND) {
                rc = DX_ENOSTORE;
                goto fail;
            }
        }
        rc = schema_create(st, &created);
        if (rc == 0)
            st->opened |= created ? DX_STORE_CREATED : DX_STORE_UPGRADED;
    }
    if (rc)
        goto fail;
    *out = st;
    return 0;
fail:
    if (st->env)
        mdb_env_close(st->env);
    free(st->dir);
    free(st);
    return dx__mdb(rc);
}

unsigned dx_store_opened(const struct dx_store *st)
{
    return st ? st->opened : 0;
}

int dx_store_stale_readers(const struct dx_store *st)
{
    return st ? st->stale_readers : 0;
}

int dx_store_check_readers(struct dx_store *st, int *cleared)
{
    int dead = 0;
    int rc = mdb_reader_check(st->env, &dead);
    if (cleared)
        *cleared = dead;
    return dx__mdb(rc);
}

const char *dx_store_dir(const struct dx_store *st)
{
    return st ? st->dir : "";
}

uint64_t dx_store_map_size(const struct dx_store *st)
{
    MDB_envinfo info;
    if (!st || mdb_env_info(st->env, &info))
        return 0;
    return info.me_mapsize;
}

void dx_store_close(struct dx_store *st)
{
    if (!st)
        return;
    if (st->hook_free)
        st->hook_free(st->hook_arg);
    mdb_env_close(st->env);
    free(st->dir);
    free(st);
}

/* --- transactions ------------------------------------------------------- */

/* A writer may grow the map while no txn of this process holds a snapshot
 * (mdb_env_set_mapsize remaps): before a write txn, when more than 3/4 of
 * the map is in use, double it. Another process's larger map is adopted the
 * same way (MDB_MAP_RESIZED). Readers never remap. */
static int map_fit(struct dx_store *st)
{
    if (atomic_load(&st->active) != 0)
        return 0;
    MDB_envinfo info;
    MDB_stat ms;
    int rc = mdb_env_info(st->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(st->env, &ms);
    if (rc)
        return rc;
    uint64_t used = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
    if (used <= info.me_mapsize / 4 * 3)
        return 0;
    return mdb_env_set_mapsize(st->env, info.me_mapsize * 2);
}

int dx_store_grow(struct dx_store *st)
{
    if (atomic_load(&st->active) != 0)
        return DX_EINVAL;
    MDB_envinfo info;
    int rc = mdb_env_info(st->env, &info);
    if (rc == 0)
        rc = mdb_env_set_mapsize(st->env, info.me_mapsize * 2);
    return dx__mdb(rc);
}

bool dx_store_map_full(int err)
{
    return err == MDB_MAP_FULL;
}

static int txn_begin(struct dx_store *st, bool write, uint64_t now, struct dx_txn **out)
{
    *out = NULL;
    struct dx_txn *t = calloc(1, sizeof(*t));
    if (!t)
        return DX_ENOMEM;
    t->st = st;
    t->write = write;
    t->now = now;
    dx_bytes_growable(&t->vbuf);
    dx_bytes_growable(&t->hpend);
    dx_bytes_growable(&t->hval);
    int rc = write ? map_fit(st) : 0;
    if (rc == 0)
        rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == MDB_MAP_RESIZED && write && atomic_load(&st->active) == 0) {
        /* another process grew the map: adopt its size */
        rc = mdb_env_set_mapsize(st->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(st->env, NULL, 0, &t->txn);
    }
    if (rc) {
        free(t);
        return dx__mdb(rc);
    }
    t->active = true;
    atomic_fetch_add(&st->active, 1);
    *out = t;
    return 0;
}

int dx_txn_read(struct dx_store *st, struct dx_txn **out)
{
    return txn_begin(st, false, 0, out);
}

int dx_txn_write(struct dx_store *st, uint64_t now, struct dx_txn **out)
{
    return txn_begin(st, true, now, out);
}

/* The txn no longer holds a snapshot (reset, commit, abort). */
static void txn_inactive(struct dx_txn *t)
{
    t->serial_c.zl = t->id_c.zl = 0; /* the serial and id read belong to the snapshot */
    if (t->active) {
        t->active = false;
        atomic_fetch_sub(&t->st->active, 1);
    }
}

void dx_txn_reset(struct dx_txn *t)
{
    if (!t || t->write || !t->active)
        return;
    mdb_txn_reset(t->txn);
    txn_inactive(t);
}

int dx_txn_renew(struct dx_txn *t)
{
    if (!t || t->write)
        return DX_EINVAL;
    if (t->active) {
        mdb_txn_reset(t->txn);
        txn_inactive(t);
    }
    int rc = mdb_txn_renew(t->txn);
    if (rc)
        return dx__mdb(rc);
    t->active = true;
    atomic_fetch_add(&t->st->active, 1);
    if (t->icur) {
        rc = mdb_cursor_renew(t->txn, t->icur);
        if (rc) {
            mdb_cursor_close(t->icur);
            t->icur = NULL;
        }
    }
    if (t->dcur) {
        rc = mdb_cursor_renew(t->txn, t->dcur);
        if (rc) {
            mdb_cursor_close(t->dcur);
            t->dcur = NULL;
        }
    }
    return 0;
}

bool dx_txn_behind(const struct dx_txn *t)
{
    MDB_envinfo info;
    if (!t || t->write || !t->active || mdb_env_info(t->st->env, &info) != 0)
        return false;
    return info.me_last_txnid != mdb_txn_id(t->txn);
}

/* Close the txn's cursors, all four, of a read or a write txn (before the
 * txn ends). */
static void txn_close_cursors(struct dx_txn *t)
{
    if (t->icur)
        mdb_cursor_close(t->icur);
    if (t->ecur)
        mdb_cursor_close(t->ecur);
    if (t->hcur)
        mdb_cursor_close(t->hcur);
    if (t->dcur)
        mdb_cursor_close(t->dcur);
    t->icur = t->ecur = t->hcur = t->dcur = NULL;
}

static void txn_free(struct dx_txn *t)
{
    txn_inactive(t);
    dx_bytes_free(&t->vbuf);
    dx_bytes_free(&t->hpend);
    dx_bytes_free(&t->hval);
    dx_bytes_free(&t->dtouch);
    for (size_t i = 0; i < t->ntouch; i++) {
        free(t->touch[i].zone);
        free(t->touch[i].r);
    }
    free(t->touch);
    for (size_t i = 0; i < t->nzones; i++)
        free(t->zones[i]);
    free(t->zones);
    dx__counts_free(t);
    free(t);
}

void dx_txn_abort(struct dx_txn *t)
{
    if (!t)
        return;
    txn_close_cursors(t);
    mdb_txn_abort(t->txn);
    txn_free(t);
}

void dx_store_set_commit_hook(struct dx_store *st, dx_commit_hook fn, void (*free_arg)(void *),
                              void *arg)
{
    if (st->hook_free)
        st->hook_free(st->hook_arg);
    st->hook = fn;
    st->hook_free = free_arg;
    st->hook_arg = arg;
}

uint64_t dx_txn_now(const struct dx_txn *t)
{
    return t && t->write ? t->now : 0;
}

struct dx_store *dx_txn_store(const struct dx_txn *t)
{
    return t ? t->st : NULL;
}

/* The serial after old at the clock now (RFC 1982: now when it is later
 * than old in serial arithmetic, else old + 1, wrapping). */
uint32_t dx_serial_next(uint32_t old, uint32_t now)
{
    return now != old && (uint32_t)(now - old) < 0x80000000u ? now : old + 1;
}

/* Serials are the txn's clock (unix seconds, dx_txn_write's now), or the
 * old serial + 1 when that is not later (dx_serial_next). */
static int bump_serials(struct dx_txn *t)
{
    uint32_t now = (uint32_t)t->now;
    for (size_t i = 0; i < t->nzones; i++) {
        MDB_val k = { dx_sk_zone(t->zones[i]), t->zones[i] }, v;
        uint32_t serial = now, old = 0;
        bool had = false;
        int rc = mdb_get(t->txn, t->st->zones, &k, &v);
        if (rc == 0 && dx_sv_u32_get(v.mv_data, v.mv_size, &old) == 0) {
            serial = dx_serial_next(old, now);
            had = true;
        } else if (rc && rc != MDB_NOTFOUND) {
            return dx__mdb(rc);
        }
        if (t->st->hook && (rc = t->st->hook(t->st->hook_arg, t, t->zones[i], had, old, serial)))
            return rc;
        uint8_t b[4];
        dx_sv_u32_put(b, serial);
        v.mv_size = 4;
        v.mv_data = b;
        rc = mdb_put(t->txn, t->st->zones, &k, &v, 0);
        if (rc)
            return dx__mdb(rc);
        uint8_t at[8];                  /* the time of this change: the txn's clock */
        dx_sv_u64_put(at, t->now);
        v.mv_size = 8;
        v.mv_data = at;
        rc = mdb_put(t->txn, t->st->changes, &k, &v, 0);
        if (rc)
            return dx__mdb(rc);
    }
    return 0;
}

int dx_txn_commit(struct dx_txn *t)
{
    if (!t)
        return DX_EINVAL;
    txn_close_cursors(t);
    int rc = 0;
    if (!t->write) {
        mdb_txn_abort(t->txn);
        txn_free(t);
        return 0;
    }
    rc = t->err;
    if (rc == 0)
        rc = dx__hist_flush(t);
    if (rc == 0 && t->hist_added && t->st->hist_limit)
        rc = dx__hist_bound(t);
    if (rc == 0)
        rc = dx__ip_commit(t);
    if (rc == 0)
        rc = bump_serials(t);
    if (rc == 0)
        rc = dx__counts_commit(t);
    txn_close_cursors(t);
    if (rc) {
        mdb_txn_abort(t->txn);
    } else {
        dx_test_point("store-commit");
        rc = dx__mdb(mdb_txn_commit(t->txn));
        /* LMDB reports a short write (a full disk) as EIO */
        struct statvfs fs;
        if (rc == -EIO && statvfs(t->st->dir, &fs) == 0 &&
            (uint64_t)fs.f_bavail * fs.f_frsize < (64u << 20))
            rc = -ENOSPC;
    }
    txn_free(t);
    return rc;
}

