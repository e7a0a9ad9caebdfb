/* Server identity (dnsxld(8) "Server identity"): CHAOS-class TXT queries
 * for id.server and hostname.bind answer `identity`, version.bind and
 * version.server answer `version` ([server] of dnsxl.conf(5)), so the
 * operators of anycast mirrors can tell which node answered. An unset one
 * is REFUSED (EDE 18 Prohibited: not disclosed); any other CH name is
 * REFUSED (EDE 20 Not Authoritative).
 *
 * The answer: one TXT record, class CH, TTL 0, owner the question (a
 * pointer), authoritative; other types of those names are NOERROR with no
 * records. No allocation.
 */
#ifndef DX_CHAOS_H
#define DX_CHAOS_H

#include <stdbool.h>
#include <stdint.h>

#include "dnsxld/wire.h"
#include "zones/conf.h"

struct dx_chaos_out {
    unsigned rcode;
    bool aa, tc;
    uint16_t an;
    uint16_t ede;                  /* ede.h: DX_EDE_NONE or a code */
    const char *ede_text;
};

/* Answer the CH question qn with conf's identity and version into w
 * (positioned just after the question; room for the OPT reserved). */
void dx_chaos_answer(const struct dx_conf *conf, const struct dx_question *qn,
                     struct dx_bytes *w, struct dx_chaos_out *o);

#endif
