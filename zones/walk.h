/* Walks over a zone's derived indexes in key order, for the zone as
 * records (zones/zonerr.h): the interval index of an ip zone (one walk per
 * family, moving forward only) and the domain index of a domain zone
 * (seeks and gets by key). Each walk owns one LMDB cursor of the read txn
 * it was opened in; close it before that txn ends. The records handed out
 * point into the map and stay valid until the txn ends (a read txn never
 * moves them). Their layouts and codecs: zones/schema.h ("index",
 * "dindex"). No allocation after open. */
#ifndef DX_WALK_H
#define DX_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"
#include "zones/store.h"

/* --- the ip index: intervals in address order --------------------------------- */

struct dx_ipwalk;

struct dx_ipiv {                 /* one interval of the index */
    dx_u128 start, end;          /* its first and last address */
    const uint8_t *val;          /* its index value (schema_index.h: dx_sv_index_open) */
    size_t vlen;
    const uint8_t *endp;         /* its last address as its key holds it (the open's end) */
};

/* A walk over the intervals of zone/fam (DX_FAM_V4 | DX_FAM_V6) in t. 0,
 * DX_EINVAL (a bad zone or family), DX_ENOMEM or an LMDB error. */
int dx_ipwalk_open(struct dx_txn *t, const char *zone, uint8_t fam, struct dx_ipwalk **out);
void dx_ipwalk_close(struct dx_ipwalk *w);   /* NULL ok */

/* The first interval whose last address is >= addr: 1 and *iv, 0 when
 * there is none, or an error (DX_EINVAL for a corrupt record). The walk
 * moves forward only: an addr below the interval it is on gives that
 * interval again (one MDB_NEXT for the next interval, a seek for a far
 * one). */
int dx_ipwalk_seek(struct dx_ipwalk *w, dx_u128 addr, struct dx_ipiv *iv);

/* Forget the walk's position: the next seek may go back (one MDB_SET_RANGE). */
void dx_ipwalk_rewind(struct dx_ipwalk *w);

/* --- the domain index: records by key ------------------------------------------- */

struct dx_dwalk;

struct dx_drec {                 /* one dindex record of the zone */
    const uint8_t *key;          /* its key after the zone's prefix (z \0 'D'): the
                                    name with its labels reversed, then the wild byte */
    size_t keyn;
    const uint8_t *val;          /* its value (schema.h: dx_sv_dindex_open) */
    size_t vlen;
};

int dx_dwalk_open(struct dx_txn *t, const char *zone, struct dx_dwalk **out);
void dx_dwalk_close(struct dx_dwalk *w);     /* NULL ok */

/* The record whose key part (as dx_drec.key) is k[0..n) (get: the walk
 * stays where it is), or the first at or after it in the zone (seek: the
 * walk goes there): 1 and *r, 0 for none, or an error (DX_EINVAL: a key
 * that cannot be one). */
int dx_dwalk_get(struct dx_dwalk *w, const uint8_t *k, size_t n, struct dx_drec *r);
int dx_dwalk_seek(struct dx_dwalk *w, const uint8_t *k, size_t n, struct dx_drec *r);
/* The record after the one the last get, seek or next gave: 1, 0, or an error. */
int dx_dwalk_next(struct dx_dwalk *w, struct dx_drec *r);

#endif
