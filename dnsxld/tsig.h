/* TSIG (RFC 8945): verifying and signing DNS messages with the [key]s of
 * dnsxl.conf(5), HMAC-SHA256 and HMAC-SHA512 (libsodium's
 * crypto_auth_hmacsha256/512 _init/_update/_final: keys of any length).
 *
 * One message or a chain of them (a zone transfer, RFC 8945 5.3.1): the
 * MAC of a request covers the message and the TSIG variables; the first
 * (or only) message of a response the request's MAC first; every later
 * message of a multi-message response the previous message's MAC, the
 * message and only the timers (time signed, fudge). MACs are compared in
 * constant time (sodium_memcmp). Full-length MACs only: a truncated one
 * (RFC 8945 5.2.2.1) that verifies is answered BADTRUNC, one shorter than
 * max(10, half the hash) or longer than the hash is FORMERR.
 *
 * Used by dnsxld/xfr.c (transfer requests, every message of a transfer)
 * and for NOTIFY (signing the request, verifying the response). No
 * allocation. */
#ifndef DX_TSIG_H
#define DX_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zones/bytes.h"
#include "zones/conf.h"

#define DX_TSIG_MAC_MAX 64           /* HMAC-SHA512 */
#define DX_TSIG_FUDGE   300          /* seconds, as RFC 8945 recommends */
#define DX_TSIG_RR_MAX  (256 + 10 + 14 + 256 + DX_TSIG_MAC_MAX + 6 + 6)   /* room to keep */

/* What checking a message's TSIG found. The TSIG error codes are RFC 8945's. */
enum dx_tsig_result {
    DX_TSIG_OK = 0,
    DX_TSIG_NONE = 1,                /* no TSIG: an unsigned message */
    DX_TSIG_FORMERR = 2,             /* malformed, or not the last record: RCODE FORMERR */
    DX_TSIG_BADSIG = 16,             /* answer NOTAUTH, TSIG error BADSIG, unsigned */
    DX_TSIG_BADKEY = 17,             /* ... BADKEY, unsigned */
    DX_TSIG_BADTIME = 18,            /* ... BADTIME, signed, the server's time in Other */
    DX_TSIG_BADTRUNC = 22,           /* ... BADTRUNC, signed */
};

/* The TSIG of a message, as read. */
struct dx_tsig {
    const struct dx_key_conf *key;   /* the key it names; NULL: none of ours (BADKEY) */
    uint8_t name[256];               /* the key name and algorithm as sent (wire, */
    size_t name_len;                 /*  uncompressed) */
    uint8_t alg[256];
    size_t alg_len;
    uint64_t time_signed;            /* 48 bits */
    uint16_t fudge, orig_id, error;
    uint8_t mac[DX_TSIG_MAC_MAX];    /* the MAC it carries (a response chains on it) */
    size_t mac_len;
    size_t at;                       /* where its RR starts: the message without it */
};

/* The length of the MAC of algorithm alg (32 or 64). */
size_t dx_tsig_mac_size(int alg);

/* Check the TSIG of msg[0..len) at the clock now with the keys of conf:
 * prior NULL for a request (or a message that starts a chain); else the
 * MAC it chains on (the request's for the first message of a response,
 * the previous message's for a later one, then timers_only). *t is
 * filled as far as the message could be read. */
enum dx_tsig_result dx_tsig_verify(const uint8_t *msg, size_t len, const struct dx_conf *conf,
                                   const uint8_t *prior, size_t prior_len, bool timers_only,
                                   uint64_t now, struct dx_tsig *t);

/* Sign the message written in b[0..pos) (a complete message: header with
 * its counts, then its records) with key: append the TSIG RR (time
 * signed, fudge, error, other data as given; the original ID is the
 * message's) and count it in ARCOUNT. prior/timers_only as for verify.
 * *mac (DX_TSIG_MAC_MAX bytes, may be NULL) gets the MAC, *mac_len its
 * length. 0, or b's error (DX_ERANGE: no room). */
int dx_tsig_sign(struct dx_bytes *b, const struct dx_key_conf *key, const uint8_t *prior,
                 size_t prior_len, bool timers_only, uint64_t time_signed, uint16_t error,
                 const uint8_t *other, size_t other_len, uint8_t *mac, size_t *mac_len);

/* Append an unsigned TSIG RR (MAC size 0: BADKEY, BADSIG) for the request
 * t: its key name, algorithm and time signed, this error. 0 or b's error. */
int dx_tsig_unsigned(struct dx_bytes *b, const struct dx_tsig *t, uint16_t error);

#endif
