/* dnsxl-web (dnsxl-web(8)): the public lookup and removal page of the
 * lists, over HTTP behind a TLS proxy. What its files share:
 *
 *   admin/web.c        main: the config, the store, the secret, the daemon
 *   admin/web_http.c   libmicrohttpd: routes, bounded requests, headers,
 *                      the client's address, rate limits
 *   admin/web_page.c   the pages (HTML, every value escaped) and the JSON
 *                      API: lookup, removal form, removal, request status
 *   admin/web_guard.c  form tokens (CSRF) and proof of work
 *   admin/web_static.c the style sheet and the proof-of-work script
 *
 * Nothing is served from a path the client names: the routes are a fixed
 * table and the two static files are compiled in. */
#ifndef DX_ADMIN_WEB_H
#define DX_ADMIN_WEB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zones/conf.h"
#include "zones/key.h"
#include "zones/store.h"

#define DX_WEB_BODY_MAX   8192        /* largest request body (a removal form) */
#define DX_WEB_NOTE_MAX   1000        /* a requester's note, octets */
#define DX_WEB_CONTACT_MAX 254        /* a requester's address */
#define DX_WEB_TOKEN_AGE  7200        /* a form token is valid this long, seconds */
#define DX_WEB_POW_AGE    3600        /* a proof-of-work challenge too */
#define DX_WEB_REPLAY     4096        /* challenges remembered against replay */

struct dx_sketch;

struct dx_web {
    const struct dx_conf *conf;
    struct dx_store *st;
    uint8_t key[32];                 /* HMAC key of tokens and challenges */
    struct dx_sketch *lookups;       /* lookup-limit per client, or NULL */
    struct dx_sketch *requests;      /* request-limit per client */
    pthread_mutex_t lock;            /* the replay table */
    struct { uint8_t id[8]; uint64_t until; } replay[DX_WEB_REPLAY];
};

/* ---- web_guard.c ------------------------------------------------------------ */

/* The form token of session sid (hex text) for `target` at now: hex text
 * into out (at least 65 bytes). */
void dx_web_csrf_make(const struct dx_web *w, const char *sid, const char *target, uint64_t now,
                      char *out);
/* Is token the one of sid and target, made within DX_WEB_TOKEN_AGE? */
bool dx_web_csrf_check(const struct dx_web *w, const char *sid, const char *target,
                       const char *token, uint64_t now);

/* A new proof-of-work challenge for target (hex text, at least 81 bytes). */
void dx_web_pow_make(const struct dx_web *w, const char *target, uint64_t now, char *out);
/* Does nonce (decimal) solve challenge for target: ours, younger than
 * DX_WEB_POW_AGE, SHA-256("CHALLENGE:NONCE") with pow_bits leading zero
 * bits, and not used before (then it is used now)? NULL if it does, else
 * why not, for the page. */
const char *dx_web_pow_check(struct dx_web *w, const char *target, const char *challenge,
                             const char *nonce, uint64_t now);
/* Leading zero bits of SHA-256(text). */
unsigned dx_web_pow_zeros(const char *text);

/* ---- web_page.c ------------------------------------------------------------- */

/* Text escaped for HTML element content and attribute values: & < > " '
 * as entities, control bytes and invalid UTF-8 as U+FFFD. NULL: nothing. */
void dx_web_html(FILE *f, const char *s);
/* Text percent-encoded for a URL query value (RFC 3986 unreserved kept). */
void dx_web_url(FILE *f, const char *s);

/* A response: status, content type and body (malloc'd, the caller frees),
 * extra headers (a Set-Cookie, Retry-After) as "Name: value" lines. */
struct dx_web_resp {
    int status;
    const char *type;
    char *body;
    size_t len;
    char cookie[160];                /* Set-Cookie value, or "" */
    unsigned retry_after;            /* seconds, 0 = none */
};

/* What a request carries, for the pages. */
struct dx_web_req {
    const char *q, *list;            /* query arguments (GET) or form fields (POST) */
    const char *id, *token;
    const char *note, *contact, *csrf, *challenge, *nonce;
    const char *sid;                 /* the session cookie, or NULL */
    char client[48];                 /* the client's address as text */
    bool secure;                     /* behind a TLS proxy (X-Forwarded-Proto: https) */
};

void dx_web_page_lookup(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out);
void dx_web_api_lookup(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out);
void dx_web_page_remove_form(struct dx_web *w, const struct dx_web_req *r,
                             struct dx_web_resp *out);
void dx_web_page_remove(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out);
void dx_web_page_status(struct dx_web *w, const struct dx_web_req *r, struct dx_web_resp *out);
/* An error page (or a JSON error for the API) with status and message. */
void dx_web_page_error(struct dx_web *w, int status, const char *msg, bool json,
                       struct dx_web_resp *out);

/* ---- web_static.c ----------------------------------------------------------- */

extern const char dx_web_css[];
extern const char dx_web_pow_js[];

/* ---- web_http.c ------------------------------------------------------------- */

/* Serve w on [web] listen until *stop is set (SIGTERM, SIGINT): 0, or 1
 * with a message on stderr when the daemon cannot start. */
int dx_web_serve(struct dx_web *w, volatile int *stop);

#endif
