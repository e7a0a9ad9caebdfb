#include "zones/err.h"

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
    }
    if (err <= MDB_KEYEXIST && err >= MDB_LAST_ERRCODE)
        return mdb_strerror(err);
    if (err < 0 && err > -4096)
        return strerror(-err);
    return "unknown error";
}
