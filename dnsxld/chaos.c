/* CHAOS TXT id.server, hostname.bind, version.bind, version.server (chaos.h). */
#include "dnsxld/chaos.h"
#include "dnsxld/ede.h"

#include <string.h>

/* The four names in lowercase wire form, the root label included. */
#define NAME(w, v) { w, sizeof(w), v }
static const struct {
    const char *wire;
    size_t len;
    bool version;
} names[] = {
    NAME("\2id\6server", false),
    NAME("\10hostname\4bind", false),
    NAME("\7version\4bind", true),
    NAME("\7version\6server", true),
};

void dx_chaos_answer(const struct dx_conf *conf, const struct dx_question *qn,
                     struct dx_bytes *w, struct dx_chaos_out *o)
{
    o->rcode = DX_RC_REFUSED;
    o->aa = false;
    o->tc = false;
    o->an = 0;
    o->ede = DX_EDE_NOT_AUTHORITATIVE;
    o->ede_text = NULL;
    const char *text = NULL;
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (qn->name_len == names[i].len && memcmp(qn->name, names[i].wire, names[i].len) == 0)
            break;
    if (i == sizeof(names) / sizeof(names[0]))
        return;
    text = names[i].version ? conf->server.version : conf->server.identity;
    if (!text) {
        o->ede = DX_EDE_PROHIBITED;
        o->ede_text = "not disclosed";
        return;
    }
    o->rcode = DX_RC_NOERROR;
    o->aa = true;
    o->ede = DX_EDE_NONE;
    if (qn->qtype != DX_T_TXT && qn->qtype != DX_T_ANY)
        return;                             /* the name exists, without that type */
    struct dx_bytes_mark mk = dx_bytes_mark(w);
    size_t tl = strlen(text);               /* <= 255: the config checks it */
    dx_put_u16(w, 0xc000u | DX_HDR_LEN);    /* the question's name */
    dx_put_u16(w, DX_T_TXT);
    dx_put_u16(w, DX_C_CH);
    dx_put_u32(w, 0);
    dx_put_u16(w, (uint16_t)(1 + tl));
    dx_put_lp8(w, text, tl);
    if (w->err) {
        dx_bytes_rollback(w, mk);
        o->tc = true;
        return;
    }
    o->an = 1;
}
