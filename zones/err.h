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
    DX_ERANGE    = -20006, /* value out of range, buffer too small */
    DX_EREFUSED  = -20007, /* policy forbids it (e.g. listing 127.0.0.1, a held key) */
};

/* Static message for any code of the space above (never NULL). */
const char *dx_strerror(int err);

#endif
