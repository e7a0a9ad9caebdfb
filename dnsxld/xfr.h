/* Zone transfers out (RFC 5936 AXFR; IXFR, RFC 1995: the SOA when the
 * client is up to date, the condensed difference from the zone's IXFR
 * journal (zones/journal.h) when it holds the client's serial, else the
 * whole zone): the request checks, the transfer thread, and the messages.
 *
 * A request (TCP; over UDP AXFR is REFUSED and an IXFR gets the SOA
 * alone, dx_xfr_udp) is checked on the worker's thread, cheaply: one of our zones by its exact
 * name (else NOTAUTH), class IN (else REFUSED), the TSIG (dnsxld/tsig.h:
 * FORMERR, or NOTAUTH with BADKEY/BADSIG unsigned, BADTIME/BADTRUNC
 * signed), an IXFR's SOA in the authority section (its owner the zone,
 * class IN: else FORMERR), then the zone's allow-transfer lines (the peer's address in a
 * line's CIDR, and the line's key when it names one: else REFUSED,
 * signed when the request was). An error is one reply and no zone data.
 *
 * A transfer runs on a thread of its own, off the worker's loop: one read
 * txn for the whole transfer, the records of zones/zonerr.h (at
 * DX_XFR_CLOCK) between two SOAs, or the difference: in memory, a copy
 * of the condensed difference's records for the whole transfer (at most
 * the journal's records since the client's serial, so at most the zone's
 * ixfr-journal bytes), and while it is condensed also a 24-byte reference
 * per record change journalled since that serial (zones/journal.c); each
 * up to twice that while its buffer grows, per IXFR, and up to DX_XFR_MAX
 * run at once. Packed into messages of up to 64 KiB
 * (names compressed within each message, the question in the first),
 * each signed when the request was, at the time it is built
 * (RFC 8945 5.3.1: the first on the request's MAC, each next one on the
 * previous MAC with the timers only). It hands the framed messages to the
 * worker through a queue of at most XFR_QUEUE and waits while the queue is
 * full: the worker's write callbacks drive it, so other connections of the
 * worker and the UDP queries never wait for a transfer, and memory stays
 * at a few messages whatever the zone's size. At most DX_XFR_MAX transfers
 * run at once (the next one gets SERVFAIL), each for at most
 * DX_XFR_TIME_MAX seconds (its read txn pins the store's snapshot: the
 * worker closes one that runs longer, dx_xfr_overdue).
 *
 * Threads: dx_xfr_request, _start, _next, _sent, _cancel and _free are
 * the worker's (one connection's); `wake` is called on the transfer's
 * thread (it should be uv_async_send). */
#ifndef DX_XFR_H
#define DX_XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsxld/tsig.h"
#include "zones/conf.h"
#include "zones/store.h"
#include "zones/zonerr.h"

#define DX_XFR_MAX      32           /* transfers at once, all workers */
#define DX_XFR_TIME_MAX 1800         /* seconds a transfer may run (dx_xfr_overdue) */
#define DX_XFR_MSG_MAX  65535        /* the largest message */

/* One message of a transfer, framed for TCP: data[0..len) is the
 * two-byte length and the message. */
struct dx_xfr_msg {
    struct dx_xfr_msg *next;
    size_t len;
    uint8_t data[2 + DX_XFR_MSG_MAX];
};

struct dx_xfr;

/* Is msg[0..len) a zone transfer request: QR 0, opcode QUERY, one
 * question of type AXFR or IXFR? Reads the header and the question only. */
bool dx_xfr_is_request(const uint8_t *msg, size_t len);

/* An IXFR request over UDP (RFC 1995 2): false when msg[0..len) is not
 * one, or not one that can be read (the query path answers it). Else
 * true and resp[0..*resp_len) the reply: the checks of a request over
 * TCP (below) and the same errors, then the zone's current SOA alone in
 * txn (NULL: SERVFAIL), at most the client's UDP size (else TC), so the
 * client asks again over TCP. Nothing is allocated and nothing logged
 * (a UDP source may be forged). */
bool dx_xfr_udp(const struct dx_conf *conf, struct dx_txn *txn, const struct sockaddr *peer,
                const uint8_t *msg, size_t len, uint64_t now, uint8_t *resp, size_t cap,
                size_t *resp_len);

/* Check the request msg[0..len) from peer at the clock now (config conf,
 * store st). Either *out is a transfer to start (0 returned), or *out is
 * NULL and resp[0..*resp_len) is the one reply to send (0 bytes: none,
 * the message could not be read). resp: at least 512 bytes. */
int dx_xfr_request(const struct dx_conf *conf, struct dx_store *st, const struct sockaddr *peer,
                   const uint8_t *msg, size_t len, uint64_t now, uint8_t *resp, size_t cap,
                   size_t *resp_len, struct dx_xfr **out);

/* Start the transfer's thread; wake(arg) is called whenever a message is
 * queued or the transfer ends. 0, or an error (then free it). */
int dx_xfr_start(struct dx_xfr *x, void (*wake)(void *arg), void *arg);

/* The next message to send (the caller owns it until dx_xfr_sent), or
 * NULL: none queued now; *done: none will come after (the thread ended). */
struct dx_xfr_msg *dx_xfr_next(struct dx_xfr *x, bool *done);

/* A message was written (or dropped): free it, let the thread go on. */
void dx_xfr_sent(struct dx_xfr *x, struct dx_xfr_msg *m);

/* Has the transfer run DX_XFR_TIME_MAX seconds or more at the clock now
 * (the worker checks after each message written, then closes the
 * connection: a client that reads slowly holds a read txn, and with it the
 * snapshot the store cannot reuse, for no longer)? Test hook:
 * DNSXL_TEST_XFR_TIME=SECONDS replaces the limit (0: every transfer is
 * overdue at its first message). */
bool dx_xfr_overdue(struct dx_xfr *x, uint64_t now);

/* Stop early (the connection went away): the thread ends at its next
 * record; keep calling dx_xfr_next until done. */
void dx_xfr_cancel(struct dx_xfr *x);

/* After done: join the thread, free everything (also a transfer never
 * started). NULL ok. */
void dx_xfr_free(struct dx_xfr *x);

/* --- the messages of a response (xfr_out.c; IXFR answers write theirs too) --- */

/* The parts of a request a response repeats. */
struct dx_xreq {
    uint16_t id, flags;              /* the request's header (flags: RD, opcode) */
    uint8_t qname[256];              /* the question as asked */
    size_t qname_len;
    uint16_t qtype, qclass;
    bool opt;                        /* it had an OPT: every message gets one */
    uint16_t opt_size;
    enum dx_tsig_result tres;        /* its TSIG (DX_TSIG_NONE: unsigned) */
    struct dx_tsig tsig;
};

/* A response being written: messages of up to DX_XFR_MSG_MAX octets,
 * names compressed in each, the question in the first, each signed with
 * key (NULL: unsigned) at the time clock() gives as it is signed (a long
 * transfer's messages each carry their own time, RFC 8945 5.3.1), handed
 * to emit framed (emit owns the message; a
 * non-zero return stops the writer and is returned). */
struct dx_xout;

int dx_xout_new(const struct dx_xreq *rq, const struct dx_key_conf *key, uint64_t (*clock)(void),
                int (*emit)(void *arg, struct dx_xfr_msg *m), void *arg, struct dx_xout **out);
/* One record: into the current message, or a new one when it is full. */
int dx_xout_rr(struct dx_xout *o, const struct dx_rr *rr);
/* The last message, with this RCODE (0; SERVFAIL for a transfer that
 * failed midway, RFC 5936 2.2). 0 or emit's error. */
int dx_xout_end(struct dx_xout *o, unsigned rcode);
void dx_xout_free(struct dx_xout *o);

/* A reply of one message without records into buf (cap >= 512): the
 * question, rcode, and the TSIG RFC 8945 asks for: tres BADKEY/BADSIG an
 * unsigned one, BADTIME (the server's time in Other) and BADTRUNC signed,
 * DX_TSIG_OK with key set signed, else none. Its length (0: cap too small). */
size_t dx_xout_error(const struct dx_xreq *rq, unsigned rcode, const struct dx_key_conf *key,
                     uint64_t now, uint8_t *buf, size_t cap);

/* The same with rr in the answer (AA), NOERROR, signed when key is set;
 * when it does not fit in cap, the question alone with TC (the client asks
 * again over TCP). */
size_t dx_xout_one(const struct dx_xreq *rq, const struct dx_rr *rr,
                   const struct dx_key_conf *key, uint64_t now, uint8_t *buf, size_t cap);

#endif
