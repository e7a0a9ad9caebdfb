/* Listen addresses: the [server] listen values of dnsxl.conf(5), one UDP
 * and one TCP socket each in dnsxld(8).
 *
 * The text form is IPv4:PORT ("127.0.0.1:53") or [IPv6]:PORT
 * ("[::1]:5353"): the address as zones/key.h dx_addr_parse reads it, PORT
 * a decimal 1..65535 (leading zeros allowed). Nothing else: no names, no
 * default port, no bare IPv6, no port 0. */
#ifndef DX_LISTEN_H
#define DX_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dx_listen {
    uint8_t family;                /* DX_FAM_V4 or DX_FAM_V6 (zones/key.h) */
    uint16_t port;                 /* 1..65535 */
    uint8_t addr[16];              /* network order; IPv4: the first 4 bytes, the rest 0 */
};

/* Parse text into *l. Returns 0, or DX_EINVAL with why (cap bytes) saying
 * what is wrong, e.g. "bad port '0' in '127.0.0.1:0' (1..65535)". */
int dx_listen_from_text(const char *text, struct dx_listen *l, char *why, size_t cap);

/* The same socket address: family, address and port. */
bool dx_listen_same(const struct dx_listen *a, const struct dx_listen *b);

/* The socket address of l (sockaddr_in or sockaddr_in6) and its length. */
socklen_t dx_listen_sockaddr(const struct dx_listen *l, struct sockaddr_storage *ss);

#endif
