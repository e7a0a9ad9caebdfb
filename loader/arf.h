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
#define DX_ARF_MAX_RCVD    64     /* Received headers of the reported message read */

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
 * a->orig points into it). Checks, in order, each failure DX_EINVAL with
 * err = its reason (a static text, or one quoting at most 100 bytes of the
 * offending value as written: escape it before printing):
 *   - a mail message: not empty, no NUL byte in the header block, at least
 *     one header field ("empty: not a mail message", "binary data ...",
 *     "no header fields ...");
 *   - a top-level Content-Type multipart/report with
 *     report-type=feedback-report ("not an ARF report: Content-Type is
 *     text/plain, not multipart/report"; a DSN has report-type
 *     delivery-status);
 *   - a boundary that delimits parts, and the closing delimiter ("bad MIME
 *     boundary: ...", "truncated: the closing MIME boundary ... is
 *     missing");
 *   - among the report's own parts (depth 1), a message/feedback-report
 *     ("no message/feedback-report part (parts: text/plain, ...)");
 *   - in it, a Feedback-Type field, and a Source-IP, if present, that is an
 *     address ("bad Source-IP: ...").
 * The reported message is the first message/rfc822 or text/rfc822-headers
 * part (optional). Source-IP may be absent: dx_arf_source then reads the
 * reported message. Returns 0, DX_EINVAL, DX_ENOMEM. Call dx_arf_free
 * afterwards in every case. */
int dx_arf_parse(const struct dx_mail_msg *m, struct dx_arf *a, char *err, size_t errlen);

/* Whether a report of this Feedback-Type (lowercase) is a complaint about
 * the message's source, the only kind that may list it: abuse, fraud,
 * virus (RFC 5965 7.3). Every other type never lists: not-spam (RFC 6430:
 * the opposite of a complaint), auth-failure (RFC 6591: a failed SPF/DKIM
 * check, reported to the domain's owner, not about the source), other (no
 * claim about the source) and any type not registered. */
bool dx_arf_lists(const char *feedback_type);

/* The address a report is about: Source-IP, else the client of the
 * reported message's Received chain, the reporter's relays being unknown
 * (its top hop; dx_rcvd_client with no relays). Returns 0 with *k set;
 * DX_EINVAL with err = "no address: no Source-IP, and in the reported
 * message: <dx_rcvd_why_str>" (or "... and no reported message");
 * DX_ENOMEM. */
int dx_arf_source(const struct dx_arf *a, struct dx_key *k, char *err, size_t errlen);

void dx_arf_free(struct dx_arf *a);

#endif
