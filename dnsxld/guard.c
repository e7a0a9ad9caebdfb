/* The defences of the query path: cookies, then rate limiting (guard.h). */
#include "dnsxld/guard.h"
#include "dnsxld/counter.h"
#include "dnsxld/rrl.h"
#include "zones/bytes.h"
#include "zones/key.h"

#include <netinet/in.h>
#include <string.h>

/* The peer's address: 4 or 16 octets into ip (an IPv4-mapped IPv6 address
 * as its IPv4 one, as dx_peer_key does), 0 when there is none. */
static size_t peer_ip(const struct sockaddr *peer, uint8_t ip[16])
{
    if (peer != NULL && peer->sa_family == AF_INET) {
        memcpy(ip, &((const struct sockaddr_in *)peer)->sin_addr, 4);
        return 4;
    }
    if (peer != NULL && peer->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)peer)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            memcpy(ip, a->s6_addr + 12, 4);
            return 4;
        }
        memcpy(ip, a->s6_addr, 16);
        return 16;
    }
    return 0;
}

void dx__guard_cookie(const struct dx_qctx *q, const struct dx_msg *m, struct dx_guard *g)
{
    uint8_t ip[16];
    size_t iplen = peer_ip(g->peer, ip);
    if (iplen == 0)
        return;
    enum dx_cookie_state st = dx_cookie_check(&q->conf->server.cookie, m->cookie, m->cookie_len,
                                              ip, iplen, q->now, g->opt + 4);
    dx_set_be16(g->opt, DX_OPT_COOKIE);
    dx_set_be16(g->opt + 2, DX_COOKIE_REPLY);
    g->optlen = sizeof(g->opt);
    g->cookie_ok = st == DX_COOKIE_VALID || st == DX_COOKIE_RENEWED;
    if (st == DX_COOKIE_BAD && q->st != NULL)
        dx_count(&q->st->cookie_bad);
}

static bool exempt(const struct dx_acl *acl, const uint8_t *ip, size_t iplen)
{
    if (acl->n == 0)
        return false;
    struct dx_key k;
    dx_key_from_addr(&k, ip, iplen);
    return dx_acl_match(acl, &k);
}

enum dx_verdict dx__guard_limit(const struct dx_qctx *q, const struct dx_guard *g,
                                unsigned rcode, unsigned an)
{
    const struct dx_conf *c = q->conf;
    uint8_t ip[16];
    size_t iplen = peer_ip(g->peer, ip);
    if (q->rrl == NULL || q->st == NULL || iplen == 0)
        return DX_VERDICT_SEND;
    /* exempt networks first: they never take a slot from a limited network */
    if (exempt(&c->server.rate_limit_exempt, ip, iplen) ||
        dx_rrl_allow(q->rrl, ip, iplen, dx_rrl_class_of(rcode, an), c->server.rate_limit,
                     c->server.rate_limit_burst, q->mono_ms))
        return DX_VERDICT_SEND;
    struct dx_guard_stats *st = q->st;
    dx_count(&st->limited);
    uint32_t slip = c->server.rate_limit_slip;
    if (slip != 0 && st->limited % slip == 0) {
        dx_count(&st->slipped);
        return DX_VERDICT_SLIP;
    }
    dx_count(&st->dropped);
    return DX_VERDICT_DROP;
}
