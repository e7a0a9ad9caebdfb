/* Internal to the config parser (zones/conf.h): what zones/conf.c (the
 * load driver, sections, the end of the file, the public API) and
 * zones/conf_keys.c (the key tables, their setters and defaults) share.
 * Nothing else includes it. */
#ifndef DX_CONF_INT_H
#define DX_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "zones/conf.h"
#include "zones/listen.h"

enum section { SEC_NONE, SEC_SERVER, SEC_LOADER, SEC_ZONE, SEC_LIST, SEC_KEY, SEC_WEB, SEC_CHECK };

struct pend_list {               /* a [list] before its zone is resolved */
    struct dx_list_conf l;
    char *zone;                  /* normalized zone name */
    int backscatter_line;
};

struct listen_addr {             /* a `listen` value, parsed, for the duplicate check */
    struct dx_listen l;
    int line;
};

struct parser {
    const char *file;
    int line;
    char *err;
    size_t errlen;
    struct dx_conf *c;
    struct pend_list *pl;
    size_t n_pl;
    enum section sec;
    size_t cur;                  /* index of the current zone or pending list */
    uint64_t seen;               /* keys seen in the current [zone]/[list] */
    uint64_t server_seen, loader_seen, web_seen, check_seen;
    struct listen_addr *la;      /* the listen values so far */
    size_t n_la;
    int *nlz_line;               /* line of each never-list-zone name */
};

/* "FILE:LINE: message" into p->err; returns DX_EINVAL. */
__attribute__((format(printf, 3, 4)))
int dx__conf_fail(struct parser *p, int line, const char *fmt, ...);

/* "FILE: out of memory" into p->err; returns DX_ENOMEM. */
int dx__conf_nomem(struct parser *p);

/* In a bitmask zone (z complete): a blocked-code or limit-code in use with a
 * bit of a list code in its last octet is refused, FILE:LINE (conf_util.c). */
int dx__conf_policy_bits(struct parser *p, const struct dx_zone_conf *z);

/* Short names: one of the two is on every other line of both files. */
#define fail  dx__conf_fail
#define nomem dx__conf_nomem

/* A "key = value" line of the current section (p->sec, p->cur). */
int dx__conf_key(struct parser *p, const char *key, const char *val);

/* The defaults of section kind sec (config text, through the same setters)
 * for every key not in seen; line names the section in errors. */
int dx__conf_defaults(struct parser *p, enum section sec, void *base, uint64_t seen, int line);

/* A domain name normalized (zones/name.h) into out (DX_NAME_TEXT_MAX + 1
 * bytes); 0 or DX_EINVAL. */
int dx__conf_name(const char *in, char *out);

/* "ZONE/LIST" -> normalized zone in zone[] (DX_NAME_TEXT_MAX + 1 bytes),
 * list in list[] (DX_LABEL_MAX + 1 bytes, lowercase); 0 or DX_EINVAL. */
int dx__conf_target(const char *t, char *zone, char *list);

/* [key] sections and allow-transfer (zones/conf_xfr.c): the section's
 * secret decoded at its end; an allow-transfer value into the zone at
 * base; the key names resolved at the end of the file; freeing. */
int dx__conf_key_open(struct parser *p, const char *name);
int dx__conf_key_close(struct parser *p, struct dx_key_conf *k);
int dx__conf_set_allow_transfer(struct parser *p, const char *what, void *base,
                                const char *val);
int dx__conf_xfr_finish(struct parser *p);
void dx__conf_xfr_free(struct dx_conf *c);

/* Append s to the string array *arr of *n; frees s on failure. 0 or
 * DX_ENOMEM. */
int dx__conf_push(char ***arr, size_t *n, char *s);
/* "50%" or "50" of key name: a share in percent, min..max (and, with
 * divides_100, one of 1, 2, 4, 5, 10, 20, 25, 50, 100), into *out; or an
 * error naming the line. */
int dx__conf_percent(struct parser *p, const char *name, const char *val, uint64_t min,
                     uint64_t max, bool divides_100, uint32_t *out);

#endif
