/* Query keys: the `query-keys` file of a zone (dnsxl.conf(5), dnsxld(8)
 * "Usage policy"), the Spamhaus DQS / Abusix / rbldnsd aclkey model: a
 * zone is also answered as <reversed IP>.<KEY>.<zone>, each key with its
 * own quota and counters.
 *
 * The file: one key a line,
 *
 *     KEY NAME [QUOTA/PERIOD | disabled]
 *
 * fields separated by blanks; blank lines and lines starting with '#'
 * (after blanks) are ignored; CRLF line ends are read. KEY: 8 to 63
 * letters and digits, case-insensitive (a DNS label that no address label
 * can be). NAME: 1 to 63 letters, digits, '-', '_' or '.': what logs and
 * counters call the key (no part of a key is ever logged: messages name
 * its line and NAME, or, for a line without a good NAME, a fingerprint). QUOTA/PERIOD: zones/window.h
 * dx_rate_parse (queries per sliding window, e.g. 100000/1d); none = no
 * quota. `disabled`: the key is refused as an unknown one. Keys and names
 * are each unique in a file. The file holds credentials: it must be a
 * private file (zones/secret.h: no access for group or others).
 *
 * A loaded table is read-only; the query path looks a label up with
 * dx_qkeys_find (a keyed hash, then a constant-time compare; no
 * allocation). Each key has a state (its quota window and counters)
 * shared, by NAME, with the table a reload replaces (dx_qkeys_share), so
 * quotas and counters survive a SIGHUP; the states are counted holders
 * changed on one thread (dnsxld's main thread), their counters atomics
 * any thread may add to.
 */
#ifndef DX_QKEYS_H
#define DX_QKEYS_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zones/window.h"

#define DX_QKEY_MIN       8
#define DX_QKEY_MAX       63
#define DX_QKEY_NAME_MAX  63
#define DX_QKEY_FP_LEN    10         /* "#1a2b3c4d" and its NUL */

/* A key's state, one per NAME, shared by the tables of successive configs. */
struct dx_qkey_state {
    alignas(64) struct dx_win win;   /* the quota's window (sliding, window.h) */
    _Atomic uint64_t queries;        /* queries with the key below <KEY>.<zone> */
    _Atomic uint64_t over;           /* ... of them over the quota: answered limit-code */
    _Atomic uint64_t refused;        /* queries while disabled: refused (or blocked-code) */
    uint64_t period;                 /* the period win counts for */
    unsigned refs;                   /* tables holding it (one thread) */
};

struct dx_qkey {
    char key[DX_QKEY_MAX + 1];       /* lowercase */
    size_t key_len;
    char name[DX_QKEY_NAME_MAX + 1];
    uint32_t quota;                  /* queries per period; 0 = no quota */
    uint64_t period;
    bool disabled;
    int line;                        /* in the file */
    uint64_t hash;
    struct dx_qkey_state *st;        /* never NULL in a loaded table */
};

struct dx_qkeys {
    char *path;
    struct dx_qkey *keys;            /* sorted by name (strcmp) */
    size_t n;
    uint32_t *slot;                  /* open addressing by key hash: index + 1, 0 = empty */
    size_t mask;
    unsigned char hkey[16];          /* the hash key (crypto_shorthash), random per table */
};

/* Read the keys file at path (a private file: zones/secret.h). 0 with
 * *out set (free with dx_qkeys_free); DX_EINVAL with err =
 * "PATH:LINE: message" for a bad line (the first one) or the secret
 * check's message; -errno with "PATH: reason"; DX_ENOMEM. Every key gets
 * a fresh state. */
int dx_qkeys_load(const char *path, struct dx_qkeys **out, char *err, size_t errlen);

/* The same from an open stream, without the file check (tests, fuzzing);
 * path names it in messages. */
int dx_qkeys_read(FILE *f, const char *path, struct dx_qkeys **out, char *err, size_t errlen);

/* Take over, by name, the states of old (NULL: nothing): a key of t whose
 * name old has holds old's state from then on (its counters and quota
 * window carry on; a changed period starts the window afresh); the others
 * keep their fresh ones. One thread. */
void dx_qkeys_share(struct dx_qkeys *t, const struct dx_qkeys *old);

/* The key whose text is label[0..len) (lowercase, as a question's name
 * holds it), or NULL. No allocation. */
const struct dx_qkey *dx_qkeys_find(const struct dx_qkeys *t, const uint8_t *label, size_t len);

/* A key of t by name, or NULL. */
const struct dx_qkey *dx_qkeys_by_name(const struct dx_qkeys *t, const char *name);

/* Could label[0..len) be a key: 8 to 63 letters and digits (lowercase)?
 * *digit (may be NULL): does it hold a digit? */
bool dx_qkey_syntax(const uint8_t *label, size_t len, bool *digit);

/* What a message may show of a key: "#" and 8 hex digits of its keyed
 * hash (crypto_shorthash) under a key drawn once per process, so equal
 * keys have equal fingerprints within a run and nothing of the key can be
 * learnt from one. */
void dx_qkey_fingerprint(const char *key, size_t len, char buf[DX_QKEY_FP_LEN]);

/* Free t; a state is freed with its last table. NULL is ignored. */
void dx_qkeys_free(struct dx_qkeys *t);

#endif
