/* dnsxl error space.
 *
 * One integer space for "what went wrong", used by every module:
 *   0                      success
 *   -1 .. -4095            -errno (system errors)
 *   -30799 .. -30780       LMDB's own codes (MDB_KEYEXIST ...), passed through as-is
 *   DX_E* below            the project's own codes
 * "What to answer" (a DNS RCODE) is a separate notion and never mixed in here.
 */
#ifndef DX_ERR_H
#define DX_ERR_H

enum {
    DX_EINVAL    = -20001, /* bad input: syntax, range, unknown name */
    DX_ENOTFOUND = -20002, /* no such zone, list, entry */
    DX_ENOMEM    = -20003, /* allocation failed */
    DX_ESCHEMA   = -20004, /* store has an unknown schema version */
    DX_EEXIST    = -20005, /* already exists */
    DX_ERANGE    = -20006, /* value out of range, buffer too small (a full writer) */
    DX_EREFUSED  = -20007, /* policy forbids it (e.g. listing 127.0.0.1, a held key) */
    DX_ENOSTORE  = -20008, /* no store at the configured path (and not allowed to create one) */
    DX_ETRUNC    = -20009, /* the store's data file is shorter than the store records */
    DX_ESHORT    = -20010, /* input ended inside a field (a short read: zones/bytes.h) */
};

/* Static message for any code of the space above (never NULL). LMDB's
 * codes get LMDB's own text, which names the code (e.g. "MDB_MAP_FULL:
 * Environment mapsize limit reached"). */
const char *dx_strerror(int err);

/* What an operator can do about a store error: a static sentence (never
 * NULL; "" when there is nothing specific to say), e.g. for MDB_MAP_FULL
 * "raise map-size in [server]". */
const char *dx_store_hint(int err);

#endif
