/* See zones/listen.h. */
#include "zones/listen.h"

#include "zones/dur.h"
#include "zones/err.h"
#include "zones/key.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int dx_listen_from_text(const char *text, struct dx_listen *l, char *why, size_t cap)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *port;
    unsigned fam;
    if (cap)
        why[0] = 0;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host)) {
            snprintf(why, cap, "bad address '%s' (expected [IPv6]:PORT)", text);
            return DX_EINVAL;
        }
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = 0;
        port = close + 2;
        fam = DX_FAM_V6;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof(host)) {
            snprintf(why, cap, "bad address '%s' (expected IPv4:PORT or [IPv6]:PORT)", text);
            return DX_EINVAL;
        }
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = 0;
        port = colon + 1;
        fam = DX_FAM_V4;
    }
    struct dx_listen r;
    memset(&r, 0, sizeof(r));
    if (dx_addr_parse(host, fam, r.addr) < 0) {
        snprintf(why, cap, "bad address '%s' in '%s'", host, text);
        return DX_EINVAL;
    }
    uint64_t pn;
    if (dx_uint_parse(port, 65535, &pn) || pn < 1) {
        snprintf(why, cap, "bad port '%s' in '%s' (1..65535)", port, text);
        return DX_EINVAL;
    }
    r.family = (uint8_t)fam;
    r.port = (uint16_t)pn;
    *l = r;
    return 0;
}

bool dx_listen_same(const struct dx_listen *a, const struct dx_listen *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

socklen_t dx_listen_sockaddr(const struct dx_listen *l, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (l->family == DX_FAM_V6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(l->port);
        memcpy(&s6->sin6_addr, l->addr, 16);
        return sizeof(*s6);
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(l->port);
    memcpy(&s4->sin_addr, l->addr, 4);
    return sizeof(*s4);
}
