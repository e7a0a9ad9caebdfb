/* Mail input for dnsxl-loader: message sources (Maildir, mbox, stdin),
 * RFC 5322 header parsing and MIME multipart walking.
 *
 * Pure parsing: no store, no config. Everything here treats its input as
 * untrusted (spam): sizes and nesting are capped (DX_MAIL_*), reads are
 * bounded by the given length (buffers need not be NUL-terminated), and a
 * malformed message never makes a whole batch fail.
 *
 * Typical use (traps):
 *   dx_mail_read_source(path, &ops, arg, &stats, err, sizeof(err))
 *     -> ops.message(arg, buf, len, name) per message
 *          dx_mail_parse(&m, buf, len)
 *          dx_mail_header_all(&m, "Received", vals, max) -> received.h
 *          dx_mail_message_id(), dx_mail_return_path(), dx_mail_is_bounce()
 *          dx_mail_free(&m)
 */
#ifndef DX_LOADER_MAIL_H
#define DX_LOADER_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DX_MAIL_MAX_SIZE    (64u << 20) /* larger messages are skipped (counted as errors) */
#define DX_MAIL_MAX_HEADERS 1024        /* headers kept per header block; the rest ignored */
#define DX_MAIL_MAX_DEPTH   8           /* multipart nesting walked */
#define DX_MAIL_MAX_PARTS   256         /* parts visited per walk */
#define DX_MAIL_TOKEN_MAX   128         /* MIME type/subtype/parameter values kept */

/* ---- message sources ---------------------------------------------------- */

struct dx_mail_src_ops {
    /* One message: buf[0..len) is valid only during the call (not
     * NUL-terminated). name identifies it for messages: "DIR/new/FILE" for a
     * Maildir, "FILE:N" (N = 1-based message number) for an mbox, "-" for
     * stdin. A non-zero return stops the walk; dx_mail_read_source returns it. */
    int (*message)(void *arg, const char *buf, size_t len, const char *name);
    /* A message that could not be read (may be NULL): err is a dx error code
     * (-errno, DX_ERANGE for one over DX_MAIL_MAX_SIZE, DX_EINVAL for a
     * directory entry that is not a regular file); reason is a static text. */
    void (*error)(void *arg, const char *name, int err, const char *reason);
};

struct dx_mail_stats {
    uint64_t messages;            /* handed to ops->message */
    uint64_t errors;              /* unreadable, reported via ops->error */
};

/* Read every message of path:
 *   "-"        one message from stdin (empty input: one empty message);
 *   directory  a Maildir: the regular files of DIR/new and DIR/cur (at least
 *              one must exist), each sorted by name, names starting with '.'
 *              skipped; a dangling symlink, a subdirectory, an unreadable or
 *              oversized file is counted in st->errors and reported, never
 *              fatal;
 *   file       an mbox if it starts with "From " (see dx_mail_split_mbox),
 *              otherwise one message (an .eml file; an empty file is one
 *              empty message, as an empty Maildir file is).
 * st is zeroed first (may be NULL). Returns 0 when the batch was walked (even
 * if some messages were unreadable), the callback's non-zero value if it
 * stopped, or a negative code with err = "PATH: reason" when the source
 * itself cannot be used (-errno, DX_EINVAL: a directory with neither new/ nor
 * cur/). */
int dx_mail_read_source(const char *path, const struct dx_mail_src_ops *ops, void *arg,
                        struct dx_mail_stats *st, char *err, size_t errlen);

/* Split an mbox held in buf[0..len): a message starts at a line beginning
 * with "From " that is at the start of the buffer or follows an empty line;
 * that "From " line is not part of the message. Inside a message, lines
 * ">From ", ">>From " ... lose one '>' (mboxo/mboxrd quoting). The blank line
 * that separates two messages is dropped. Text before the first "From " line
 * is ignored. Calls ops->message with names "name:N" (N from 1); a message
 * over DX_MAIL_MAX_SIZE goes to ops->error. st may be NULL (else counts
 * are added, not reset). Returns 0, the callback's non-zero value, or
 * DX_ENOMEM. */
int dx_mail_split_mbox(const char *buf, size_t len, const char *name,
                       const struct dx_mail_src_ops *ops, void *arg, struct dx_mail_stats *st);

/* ---- headers ------------------------------------------------------------ */

struct dx_mail_hdr {
    const char *name;             /* NUL-terminated, as written (case kept) */
    const char *value;            /* unfolded (line breaks removed), outer blanks
                                     trimmed, NUL bytes turned into spaces */
    size_t value_len;
};

struct dx_mail_msg {
    struct dx_mail_hdr *hdr;      /* owned; in message order (top first) */
    size_t n;
    bool truncated;               /* more than DX_MAIL_MAX_HEADERS headers */
    char *arena;                  /* owned: names and values */
    const char *head;             /* the header block in the parsed buffer (not owned) */
    size_t head_len;
    const char *body;             /* points into the parsed buffer (not owned) */
    size_t body_len;
};

/* Parse the header block of buf[0..len): header fields up to the first empty
 * line (LF or CRLF line ends), continuation lines (starting with a space or
 * tab) unfolded into the previous field. Lines that are not "name: value"
 * (an mbox "From " line, garbage) are skipped. If there is no empty line the
 * whole buffer is headers and the body is empty. m->body points into buf,
 * which must outlive m. Returns 0 or DX_ENOMEM (m is then empty, safe to
 * dx_mail_free). */
int dx_mail_parse(struct dx_mail_msg *m, const char *buf, size_t len);
void dx_mail_free(struct dx_mail_msg *m);

/* Value of the nth (0 = topmost) header called name (case-insensitive), or
 * NULL. Points into m. */
const char *dx_mail_header(const struct dx_mail_msg *m, const char *name, size_t nth);

/* All values of header name, top first, into out[0..max). Returns how many
 * exist (may exceed max; only max are stored). For "Received", out[0] is the
 * newest hop (written by our own MX). */
size_t dx_mail_header_all(const struct dx_mail_msg *m, const char *name,
                          const char **out, size_t max);

/* Message-ID without the angle brackets (and without blanks), e.g.
 * "abc@example.org", into out (NUL-terminated). Returns its length, or
 * DX_ENOTFOUND (no or empty Message-ID), DX_ERANGE (cap too small). */
int dx_mail_message_id(const struct dx_mail_msg *m, char *out, size_t cap);

/* Envelope sender from the topmost Return-Path (written at final delivery):
 * the address inside <>, into out. Returns its length: 0 = the null sender
 * "<>" (a bounce), or DX_ENOTFOUND (no Return-Path), DX_ERANGE. */
int dx_mail_return_path(const struct dx_mail_msg *m, char *out, size_t cap);

/* A bounce: null envelope sender (Return-Path: <>), or a top-level
 * multipart/report with report-type=delivery-status, or any
 * message/delivery-status (or message/global-delivery-status) part. */
bool dx_mail_is_bounce(const struct dx_mail_msg *m);

/* ---- MIME --------------------------------------------------------------- */

struct dx_mail_ctype {
    char type[DX_MAIL_TOKEN_MAX];        /* lowercase, "text" if absent */
    char subtype[DX_MAIL_TOKEN_MAX];     /* lowercase, "plain" if absent */
    char boundary[DX_MAIL_TOKEN_MAX];    /* as written, "" if none */
    char report_type[DX_MAIL_TOKEN_MAX]; /* lowercase, "" if none */
};

/* Parse a Content-Type value ("multipart/report; report-type=feedback-report;
 * boundary=\"x\""): type/subtype, parameters with quoted strings and
 * (comments). value may be NULL (= text/plain). Returns 0, or DX_EINVAL for
 * a value without a valid type/subtype (ct then holds text/plain: RFC 2045
 * default). Over-long parameters are DX_EINVAL too. */
int dx_mail_content_type(const char *value, struct dx_mail_ctype *ct);

/* Is ct type/subtype (both lowercase)? */
bool dx_mail_ctype_is(const struct dx_mail_ctype *ct, const char *type, const char *subtype);

struct dx_mail_part {
    int depth;                    /* 0 = the message itself */
    struct dx_mail_ctype ct;
    const char *head;             /* the part's header block, into the buffer */
    size_t head_len;
    const char *body;             /* its body (still transfer-encoded), into the buffer */
    size_t body_len;
    char encoding[32];            /* Content-Transfer-Encoding, lowercase, "" if none */
};

/* Walk the MIME tree of the message m (parsed from a buffer that is still
 * alive): cb gets the message itself (depth 0), then every part of every
 * multipart, depth first in order, down to DX_MAIL_MAX_DEPTH and at most
 * DX_MAIL_MAX_PARTS calls. message/rfc822 parts are reported but not
 * descended into (an attached message is someone else's MIME tree). A
 * multipart without its boundary or with a missing closing delimiter is
 * walked as far as it goes. cb returns non-zero to stop; that value is
 * returned. Returns 0 when done, DX_ENOMEM. */
int dx_mail_walk(const struct dx_mail_msg *m,
                 int (*cb)(void *arg, const struct dx_mail_part *p), void *arg);

/* How the body of a multipart part p (e.g. the message itself, depth 0) is
 * delimited (RFC 2046 5.1.1): */
enum dx_mail_mp {
    DX_MAIL_MP_OK = 0,            /* parts, then the closing "--BOUNDARY--" line
                                     (or p is not a multipart) */
    DX_MAIL_MP_NO_BOUNDARY,       /* no boundary parameter */
    DX_MAIL_MP_NO_PARTS,          /* no "--BOUNDARY" line before the closing one (if
                                     any): the boundary does not match the body */
    DX_MAIL_MP_UNCLOSED,          /* parts, but no closing delimiter: truncated */
};
enum dx_mail_mp dx_mail_multipart_check(const struct dx_mail_part *p);

/* Decode a part body per its Content-Transfer-Encoding: base64 and
 * quoted-printable are decoded into a malloc'd buffer (*out, NUL appended,
 * *outlen without it; the caller frees); 7bit/8bit/binary/none are copied
 * the same way. Returns 0, DX_EINVAL (unknown encoding), DX_ENOMEM. Invalid
 * base64 characters are skipped, as MUAs do. */
int dx_mail_part_decode(const struct dx_mail_part *p, char **out, size_t *outlen);

#endif
