/* Response rate limiting: how many answers of one response class a client
 * network (an IPv4 /24, an IPv6 /56) gets per second, shared by every
 * worker without a lock.
 *
 * One fixed table of 2^order 64-bit slots (dnsxld: 2^18, 2 MiB, allocated
 * at start and touched only by the networks that ask), whatever the number
 * of sources. A network and class are hashed with libsodium's
 * crypto_shorthash (SipHash-2-4) under a random key drawn at start, so an
 * outsider cannot choose addresses that collide. The hash picks a set of
 * two adjacent slots and a 16-bit tag; a slot holds the tag and the
 * network's theoretical arrival time (GCRA, the token bucket as one
 * timestamp): each answer moves it 1/rate s ahead, from now if it lies in
 * the past, and an answer that would move it more than (burst - 1)/rate s
 * past now is limited (not counted). So a network gets `burst` answers at
 * once, then `rate` a second. One compare-and-swap per answer; a slot lost
 * to another worker's update is read again.
 *
 * A network whose tag is in neither slot of its set takes the slot that is
 * idle or least ahead: an evicted network starts afresh when it returns (a
 * collision lets traffic through, never limits an innocent network), and
 * two networks with the same set and tag share a bucket (odds 1 in 65536
 * per pair that meet in a set). The clock is the caller's monotonic
 * milliseconds: tests pass their own.
 */
#ifndef DX_RRL_H
#define DX_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DX_RRL_ORDER 18            /* dnsxld's table: 262144 slots */

/* Response classes: an answer counts against its network and class. */
enum dx_rrl_class {
    DX_RRL_POSITIVE = 0,           /* NOERROR with answer records */
    DX_RRL_NODATA = 1,             /* NOERROR without (NODATA, empty non-terminals, a truncated answer) */
    DX_RRL_NXDOMAIN = 2,
    DX_RRL_ERROR = 3,              /* any other rcode: REFUSED, FORMERR, SERVFAIL, NOTIMP, BADVERS... */
};

struct dx_rrl;

/* A table of 2^order slots (1 <= order <= 30) with a random hash key, or
 * NULL (out of memory). */
struct dx_rrl *dx_rrl_new(unsigned order);
void dx_rrl_free(struct dx_rrl *t);

/* Tests: set the hash key, so collisions can be made on purpose. */
void dx_rrl_set_key(struct dx_rrl *t, const uint8_t key[16]);

/* The class of a reply with this rcode and answer count. */
enum dx_rrl_class dx_rrl_class_of(unsigned rcode, unsigned an);

/* Count one answer of class c to the network of ip (4 or 16 octets) at
 * monotonic time now_ms, with `rate` answers a second (1..1000000) and
 * `burst` at once (0 = rate). true: within the limit, send it; false:
 * limited. */
bool dx_rrl_allow(struct dx_rrl *t, const uint8_t *ip, size_t iplen, enum dx_rrl_class c,
                  uint32_t rate, uint32_t burst, uint64_t now_ms);

#endif
