/* Phase 2 of answering (query.h): the records of a resolved question
 * (resolve.h), and the RCODE, AA and TC that go with them. Reads nothing
 * but its arguments: no store, no config lookup.
 *
 * The caller has written the header placeholder and the question, set the
 * writer's limit (room for the OPT already reserved), and fills in the
 * header and OPT afterwards from the outputs. No allocation.
 */
#ifndef DX_ANSWER_H
#define DX_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "dnsxld/resolve.h"
#include "dnsxld/wire.h"

struct dx_answer_out {
    unsigned rcode;                    /* NOERROR, NXDOMAIN, SERVFAIL, REFUSED */
    bool aa, tc;
    uint16_t an, ns;                   /* records written per section */
};

/* Write the answer to qn as r decided into w, positioned at qmark (just
 * after the question). REFUSED and SERVFAIL write nothing (aa false). When
 * the answer section does not fit it is rolled back to qmark with tc set
 * (an = ns = 0); when only the authority SOA does not fit, the SOA is
 * dropped with tc set. */
void dx_answer_write(struct dx_bytes *w, struct dx_bytes_mark qmark, const struct dx_question *qn,
                     const struct dx_resolved *r, struct dx_answer_out *o);

#endif
