/* The defences of the query path: cookies, then rate limiting (guard.h). */
#include "dnsxld/guard.h"
#include "dnsxld/rrl.h"
#include "zones/bytes.h"
#include "zones/key.h"

#include <netinet/in.h>
#include <string.h>

void dx_guard_begin(const struct dx_qctx *q, const struct dx_msg *m, const struct sockaddr *peer,
                    struct dx_guard *g)
{
    g->optlen = 0;
    g->cookie_ok = false;
    g->iplen = 0;
    if (peer != NULL && peer->sa_family == AF_INET) {
        memcpy(g->ip, &((const struct sockaddr_in *)peer)->sin_addr, 4);
        g->iplen = 4;
    } else if (peer != NULL && peer->sa_family == AF_INET6) {
        memcpy(g->ip, ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr, 16);
        g->iplen = 16;
    }
    if (m->cookie_len == 0 || m->opt_bad || g->iplen == 0)
        return;
    enum dx_cookie_state st = dx_cookie_check(&q->conf->server.cookie, m->cookie, m->cookie_len,
                                              g->ip, g->iplen, q->now, g->opt + 4);
    dx_set_be16(g->opt, DX_OPT_COOKIE);
    dx_set_be16(g->opt + 2, DX_COOKIE_REPLY);
    g->optlen = sizeof(g->opt);
    g->cookie_ok = st == DX_COOKIE_VALID || st == DX_COOKIE_RENEWED;
    if (st == DX_COOKIE_BAD && q->st != NULL)
        q->st->cookie_bad++;
}

static bool exempt(const struct dx_acl *acl, const struct dx_guard *g)
{
    if (acl->n == 0)
        return false;
    struct dx_key k;
    dx_key_from_addr(&k, g->ip, g->iplen);
    return dx_acl_match(acl, &k);
}

enum dx_verdict dx_guard_rrl(const struct dx_qctx *q, const struct dx_guard *g,
                             enum dx_transport tr, unsigned rcode, unsigned an)
{
    const struct dx_conf *c = q->conf;
    if (tr != DX_UDP || c->server.rate_limit == 0 || q->rrl == NULL || q->st == NULL ||
        g->cookie_ok || g->iplen == 0)
        return DX_VERDICT_SEND;
    if (dx_rrl_allow(q->rrl, g->ip, g->iplen, dx_rrl_class_of(rcode, an), c->server.rate_limit,
                     c->server.rate_limit_burst, q->mono_ms) ||
        exempt(&c->server.rate_limit_exempt, g))
        return DX_VERDICT_SEND;
    struct dx_guard_stats *st = q->st;
    st->limited++;
    uint32_t slip = c->server.rate_limit_slip;
    if (slip != 0 && st->limited % slip == 0) {
        st->slipped++;
        return DX_VERDICT_SLIP;
    }
    st->dropped++;
    return DX_VERDICT_DROP;
}
