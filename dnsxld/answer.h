/* The record-building stage of the query pipeline (query.h): for a question
 * that falls inside one of our zones, write the answer and authority
 * records and decide the RCODE, AA and TC.
 *
 * The caller has written the header placeholder and the question, set the
 * writer's limit (room for the OPT already reserved), and fills in the
 * header and OPT afterwards from the outputs. No allocation.
 */
#ifndef DX_ANSWER_H
#define DX_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "dnsxld/query.h"
#include "dnsxld/wire.h"
#include "zones/conf.h"
#include "zones/key.h"

struct dx_answer {
    /* inputs */
    struct dx_qctx *q;                 /* conf, read txn, now */
    const struct dx_question *qn;      /* validated, lowercased question */
    const struct dx_zone_conf *zone;   /* the zone containing qn->name */
    struct dx_bytes *w;                /* writer, positioned after the question */
    struct dx_bytes_mark qmark;        /* mark just after the question */
    /* outputs */
    unsigned rcode;                    /* NOERROR, NXDOMAIN, SERVFAIL (store error) */
    bool aa, tc;
    uint16_t an, ns;                   /* records written per section */
    /* scratch */
    struct dx_key key;                 /* the queried address or name */
    char subject[DX_KEY_TEXT_MAX];     /* its text, for `$` in TXT templates */
};

/* Build the answer. On any store error the writer is rolled back to qmark
 * and rcode = SERVFAIL, aa = false. When the answer section does not fit,
 * it is rolled back to qmark with tc = true (an = ns = 0); when only the
 * authority SOA does not fit, the SOA is dropped with tc = true. */
void dx_answer_build(struct dx_answer *a);

#endif
