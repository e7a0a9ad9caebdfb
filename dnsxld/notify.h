/* NOTIFY (RFC 1996): dnsxld tells every `notify` target of a zone
 * (dnsxl.conf(5)) that the zone's serial changed, whichever program changed
 * it. dnsxld notices the change as its workers do (a read txn of the store
 * renewed, here every NOTIFY_POLL_MS on the main loop: a few loads from the
 * map, no IPC, no lock) and sends, from one UDP socket per family on the
 * main loop, a NOTIFY for the zone's SOA, signed with the target's key when
 * the notify line names one (dnsxld/tsig.h).
 *
 * Per target and zone at most one NOTIFY is in flight: the same message is
 * sent again after 1, 2, 4, 8, 16 and then every 30 s until a response
 * acknowledges it, NOTIFY_TRIES times at most (then dnsxld logs that it gave
 * up, until the next serial). A response counts when it comes from the
 * target's address and port, with the message's ID, QR, opcode NOTIFY, the
 * zone's SOA question and RCODE NOERROR, and, for a signed NOTIFY, a TSIG
 * that verifies on the request's MAC with the same key (an unsigned or
 * badly signed answer is ignored: the NOTIFY is sent again). A serial that
 * changes while a NOTIFY is in flight is notified once that one is answered
 * or given up. At start every target is notified of the current serial;
 * after a reload only targets that are new or whose zone's serial changed.
 *
 * Threads: the main loop's only. */
#ifndef DX_NOTIFY_H
#define DX_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "dnsxld/tsig.h"
#include "zones/conf.h"
#include "zones/store.h"

#define NOTIFY_POLL_MS 100           /* how often the serials are read */
#define NOTIFY_TRIES   10            /* sends of one NOTIFY, at most */

struct dx_notifier;

/* Start notifying for conf's zones (a notifier without targets does
 * nothing). 0, or an error (DX_ENOMEM, a libuv error as -errno). */
int dx_notify_start(uv_loop_t *loop, struct dx_store *st, const struct dx_conf *conf,
                    struct dx_notifier **out);

/* The config changed (SIGHUP): its targets from now on. */
void dx_notify_reload(struct dx_notifier *n, const struct dx_conf *conf);

/* What a message is to the NOTIFY in flight to a target (RFC 1996 4.7). */
enum dx_notify_resp {
    DX_NOTIFY_OTHER = 0,             /* not its response: another ID, not QR, not opcode
                                      * NOTIFY, not one question, not the zone's SOA
                                      * in class IN */
    DX_NOTIFY_BADTSIG,               /* the NOTIFY was signed: the response's TSIG is
                                      * missing or does not verify with that key */
    DX_NOTIFY_RCODE,                 /* its response, with an error RCODE (*rcode) */
    DX_NOTIFY_ACK,                   /* its response, NOERROR: acknowledged */
};

/* Read m[0..len) (from the target's address and port: the caller checks)
 * as the response to the NOTIFY with ID id for the zone zwire[0..zwire_len)
 * (wire form, compared without case). key: the NOTIFY's (NULL: unsigned),
 * a key of conf; mac[0..mac_len) its MAC, which the response's TSIG must
 * verify on at the clock now. *rcode: the response's RCODE, *tres: what
 * its TSIG was (DX_TSIG_NONE when none was checked). No allocation; the
 * main loop's response handler decides with it. */
enum dx_notify_resp dx_notify_response(const uint8_t *m, size_t len, uint16_t id,
                                       const uint8_t *zwire, size_t zwire_len,
                                       const struct dx_conf *conf, const struct dx_key_conf *key,
                                       const uint8_t *mac, size_t mac_len, uint64_t now,
                                       unsigned *rcode, enum dx_tsig_result *tres);

/* Stop: close every handle; the notifier frees itself once they are
 * closed (run the loop). NULL ok. */
void dx_notify_stop(struct dx_notifier *n);

#endif
