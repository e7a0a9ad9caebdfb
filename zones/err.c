#include "zones/err.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>

const char *dx_strerror(int err)
{
    switch (err) {
    case 0:            return "success";
    case DX_EINVAL:    return "invalid input";
    case DX_ENOTFOUND: return "not found";
    case DX_ENOMEM:    return "out of memory";
    case DX_ESCHEMA:   return "store schema version not supported";
    case DX_EEXIST:    return "already exists";
    case DX_ERANGE:    return "value out of range";
    case DX_EREFUSED:  return "refused by policy";
    case DX_ENOSTORE:  return "no store here";
    case DX_ETRUNC:    return "the data file data.mdb is truncated";
    case DX_ESHORT:    return "input ends inside a field";
    }
    /* LMDB's own codes: MDB_KEYEXIST (-30799) up to MDB_LAST_ERRCODE (-30780) */
    if (err >= MDB_KEYEXIST && err <= MDB_LAST_ERRCODE)
        return mdb_strerror(err);
    if (err < 0 && err > -4096)
        return strerror(-err);
    return "unknown error";
}

const char *dx_store_hint(int err)
{
    switch (err) {
    case MDB_MAP_FULL:
        return "the store is larger than map-size allows: raise map-size in [server] "
               "(e.g. map-size = 64G; it only reserves address space)";
    case MDB_MAP_RESIZED:
        return "another program grew the store beyond this program's map-size: "
               "give every program the same config, or restart it";
    case MDB_READERS_FULL:
        return "too many programs are reading the store at once";
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_VERSION_MISMATCH:
        return "the file is not an LMDB store of this LMDB version, or it is damaged: "
               "restore data.mdb from a good copy (mdb_copy makes consistent copies)";
    case DX_ESCHEMA:
        return "the store was written by another version of dnsxl";
    case DX_ENOSTORE:
        return "check database in [server]; a store is created by the first command "
               "that writes (dnsxl-loader import, dnsxl-admin add)";
    case DX_ETRUNC:
        return "it was cut short (an incomplete copy, or a full disk during a copy): "
               "restore data.mdb from a good copy (mdb_copy makes consistent copies)";
    case -ENOSPC:
    case -EDQUOT:
        return "the disk holding the store is full: free space, then run the command "
               "again (nothing was written)";
    case -EACCES:
    case -EPERM:
        return "the store belongs to another user: run as the store's owner";
    case -EROFS:
        return "the store is on a read-only file system";
    }
    return "";
}
