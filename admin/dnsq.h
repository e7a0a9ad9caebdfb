/* A small DNS stub client for dnsxl-admin check: A queries over UDP (RFC
 * 1035), many at once, each on its own socket, in one poll(2) loop with a
 * deadline; each query is sent again to the next server at a third and at
 * two thirds of the timeout. A reply counts only from the server it was
 * sent to, with the query's id and question; anything else on the socket
 * is read and dropped (RFC 5452 section 9.1). Every byte is read and
 * written through zones/bytes.h. */
#ifndef DX_ADMIN_DNSQ_H
#define DX_ADMIN_DNSQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DX_DNSQ_SERVERS 3        /* as resolv.conf(5)'s MAXNS */
#define DX_DNSQ_A_MAX   16       /* A records kept per answer */

/* Where queries go: 1..DX_DNSQ_SERVERS servers, tried in turn. */
struct dx_dnsq_servers {
    size_t n;
    struct sockaddr_storage ss[DX_DNSQ_SERVERS];
    socklen_t len[DX_DNSQ_SERVERS];
};

enum dx_dnsq_state { DX_DNSQ_WAIT = 0, DX_DNSQ_ANSWERED, DX_DNSQ_TIMEOUT, DX_DNSQ_FAILED };

struct dx_dnsq {
    /* in */
    uint8_t qname[256];          /* wire form, lowercase */
    size_t qname_len;
    const struct dx_dnsq_servers *srv;
    /* out */
    int state;                   /* enum dx_dnsq_state */
    int rcode;                   /* of the answer (RFC 1035 4.1.1) */
    int err;                     /* DX_DNSQ_FAILED: -errno */
    uint32_t a[DX_DNSQ_A_MAX];   /* the A records of the answer, host order */
    size_t na;
    /* the run's */
    int fd;
    uint16_t id;
    unsigned sent;
};

/* The wire form of a text name (labels of 1..63 octets, at most 253
 * characters, no trailing dot needed) into out, lowercase: its length, or
 * 0 for a name that is none. */
size_t dx_dnsq_wire(const char *text, uint8_t out[256]);

/* The query message for qname (wire) with id, RD set, type A class IN:
 * its length, or 0 when it does not fit in cap. */
size_t dx_dnsq_build(uint8_t *out, size_t cap, uint16_t id, const uint8_t *qname, size_t qlen);

/* Is msg[0..n) the reply to query id for qname? Then 0 with *rcode and the
 * A records (at most max into a, *na of them); DX_EINVAL otherwise (not a
 * reply, another id or question, malformed). */
int dx_dnsq_parse(const uint8_t *msg, size_t n, uint16_t id, const uint8_t *qname, size_t qlen,
                  int *rcode, uint32_t *a, size_t max, size_t *na);

/* Send every query *q[0..n) and wait up to timeout_ms for their
 * answers; each ends ANSWERED, TIMEOUT or FAILED (no socket, or no send
 * that worked). 0, or -errno when poll itself fails. */
int dx_dnsq_run(struct dx_dnsq *const *q, size_t n, uint64_t timeout_ms);

/* The name servers of resolv.conf(5) at path (its "nameserver" lines,
 * port 53, at most DX_DNSQ_SERVERS); 127.0.0.1 when it names none, as the
 * C library does. 0, or -errno when the file cannot be read. */
int dx_dnsq_resolv_conf(const char *path, struct dx_dnsq_servers *out);

/* One server, "IP", "IP:PORT" or "[IPv6]:PORT" (port 53 by default):
 * 0, or DX_EINVAL. */
int dx_dnsq_server(const char *text, struct dx_dnsq_servers *out);

#endif
