/* Abuse Reporting Format (RFC 5965) reports for dnsxl-loader reports.
 *
 * Pure parsing: no store, no config. A report is a multipart/report with
 * report-type=feedback-report whose parts are: a human-readable text, a
 * message/feedback-report (header-like fields), and the reported message
 * (message/rfc822) or its header (text/rfc822-headers).
 */
#ifndef DX_LOADER_ARF_H
#define DX_LOADER_ARF_H

#include <stdbool.h>
#include <stddef.h>

#include "loader/mail.h"
#include "zones/key.h"

#define DX_ARF_MAX_DOMAINS 16     /* Reported-Domain fields kept */
#define DX_ARF_MAX_RCPTS   8      /* Original-Rcpt-To fields kept */
#define DX_ARF_TEXT_MAX    256    /* field values kept (longer: truncated) */

struct dx_arf {
    char feedback_type[64];       /* lowercase: "abuse", "fraud", "virus", "other", ... */
    char user_agent[DX_ARF_TEXT_MAX];
    char version[16];
    bool has_source_ip;           /* Source-IP present and valid */
    struct dx_key source_ip;      /* single v4/v6 address */
    struct dx_key domains[DX_ARF_MAX_DOMAINS]; /* valid Reported-Domain names (exact) */
    size_t n_domains;             /* kept in domains[] */
    size_t n_bad_domains;         /* Reported-Domain values that are not names (or over the cap) */
    char original_mail_from[DX_ARF_TEXT_MAX]; /* as written, "" if absent */
    char original_rcpt_to[DX_ARF_MAX_RCPTS][DX_ARF_TEXT_MAX];
    size_t n_rcpts;
    char arrival_date[64];
    char reporting_mta[DX_ARF_TEXT_MAX];       /* the name, without "dns;" */
    char reporter[DX_KEY_NAME_MAX + 1]; /* lowercase domain of the report's From:
                                           address, else Reporting-MTA; "" if neither */
    const char *orig;             /* the included message or header block, into the
                                     report buffer (NULL if the report has none) */
    size_t orig_len;
    bool orig_headers_only;       /* text/rfc822-headers rather than message/rfc822 */
    char *orig_decoded;           /* owned when the part was base64/QP encoded; orig
                                     then points here. Free with dx_arf_free. */
};

/* Read an ARF report from a parsed message m (whose buffer must stay alive:
 * a->orig points into it). Checks: a multipart/report (at top level) with
 * report-type=feedback-report, a message/feedback-report part, and in it a
 * Feedback-Type field. Source-IP may be absent (a->has_source_ip = false):
 * the caller then reads the Received chain of a->orig (dx_mail_parse +
 * dx_rcvd_client with the reporter's relays unknown, i.e. the top hop).
 * A Source-IP that is present but not an address is DX_EINVAL.
 * Returns 0; DX_EINVAL with err = a clear reason ("not an ARF report:
 * Content-Type is text/plain", "no message/feedback-report part", ...);
 * DX_ENOMEM. Call dx_arf_free afterwards in every case. */
int dx_arf_parse(const struct dx_mail_msg *m, struct dx_arf *a, char *err, size_t errlen);

void dx_arf_free(struct dx_arf *a);

#endif
