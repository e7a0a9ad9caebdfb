/* Received header parsing (RFC 5321 section 4.4 trace fields, as real MTAs
 * write them) and the trust walk that finds the client to list.
 *
 * Pure parsing: no store, no config. Input is an unfolded header value
 * (dx_mail_parse does the unfolding), e.g.
 *   "from helo (rdns [192.0.2.1]) by mx.example.org (Postfix) with ESMTP id X; date"
 */
#ifndef DX_LOADER_RECEIVED_H
#define DX_LOADER_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>

#include "zones/key.h"

#define DX_RCVD_NAME_MAX 256      /* helo/rdns/by/with kept (longer: truncated) */

struct dx_rcvd {
    bool has_from;                /* a "from" clause exists */
    bool has_ip;                  /* ip holds the connecting client's address */
    struct dx_key ip;             /* v4 or v6 single address (IPv4-mapped -> v4) */
    char from[DX_RCVD_NAME_MAX];  /* the word after "from" as written, "" if none */
    char helo[DX_RCVD_NAME_MAX];  /* HELO/EHLO name: "helo=X", "(HELO X)", else the
                                     from word when it is not the rdns; "" if unknown */
    char rdns[DX_RCVD_NAME_MAX];  /* reverse DNS name the receiver looked up, "" if
                                     none/"unknown"; a trailing dot is removed */
    char by[DX_RCVD_NAME_MAX];    /* the receiving host ("by" word), "" if none */
    char with[32];                /* protocol ("ESMTP", "LMTP", ...), as written, "" */
};

/* Parse one Received value. The from clause is "from WORD (comment) ...":
 * WORD is read up to a blank (it is usually the sender's HELO, so a HELO
 * such as "x(y[192.0.2.1])" stays one word). The client IP, best first:
 *   1. in the first from comment holding a usable address literal, the last
 *      literal: "[192.0.2.1]", "[IPv6:2001:db8::1]", "[2001:db8::1]",
 *      "[192.0.2.1]:54321", also without a blank before it
 *      ("unknown[192.0.2.1]"); never one introduced by "helo=" (Exim's HELO
 *      text) nor one in a "(HELO x)" comment (qmail's HELO text). Postfix,
 *      Sendmail, OpenSMTPD, Gmail "(rdns. [ip])", Exim "([ip] helo=x)";
 *   2. WORD itself when it ends in a literal, optionally with ":PORT":
 *      Exim "from [192.0.2.1] (helo=x)", F-Secure "from [192.0.2.1]:4321
 *      (HELO x)" and "from unknown[192.0.2.1]:4321 (EHLO x)", "from
 *      host.example[192.0.2.1]" (the name before the bracket is the rdns;
 *      it may hold no brackets or parentheses); else the first literal word
 *      of the from clause: Exim 3 / MDaemon "from host [192.0.2.1] by";
 *   3. the last comment that is exactly an address, or "ident@address":
 *      qmail "(192.0.2.1)", Exchange / Office 365 "(2603:10b6:...)";
 *   4. WORD itself as a bare address: qmail "from 192.0.2.1 by host".
 * The helo/rdns/by/with fields are informational (best effort); the client
 * IP is what the receiving MTA recorded and the one to trust. Only the
 * text before the first ';' outside the from word is read (the date
 * follows it).
 * Returns 0 (r->has_ip says whether an address was found), or DX_EINVAL for
 * a value with neither a from nor a by clause. */
int dx_rcvd_parse(const char *value, struct dx_rcvd *r);

enum dx_rcvd_why {
    DX_RCVD_FOUND = 0,            /* *client set */
    DX_RCVD_EMPTY,                /* no Received headers */
    DX_RCVD_ALL_TRUSTED,          /* every hop was our own: nothing to list */
    DX_RCVD_NO_IP,                /* a hop that must name the client does not */
    DX_RCVD_BAD_HEADER,           /* a hop we must read is not a Received value */
};

/* The client of the first hop not inside the trusted relays.
 *
 * hdrs[0..n) are the Received values top (newest) first. relays[0..nrelays)
 * are CIDR keys of our own MX and relays (trusted-relays); loopback (127/8,
 * ::1) is implicitly trusted, as a client recorded by a trusted host.
 *
 * The walk: hdrs[0] was written by our MX, so it is trusted. For i = 0, 1, ...:
 * parse hdrs[i]; if it names a client IP: if that IP is not trusted, it is
 * the answer (*client, *hop = i); if it is trusted, the next header was
 * written by that relay, so go on with hdrs[i + 1]. Nothing below the
 * answer is ever read: those headers came from the sender and may be forged.
 * A trusted header without a client IP is skipped only when it is an
 * internal hop of our own: protocol "with LMTP" (LMTPS/LMTPSA...), or a
 * from word of "localhost"/"localhost.localdomain", or no from clause at
 * all and a "by" that is an address (a provider's internal hop: Gmail and
 * Google Workspace "by 2002:a05:6a10:...:b0:... with SMTP id ...", older
 * "by 10.86.92.7 with SMTP id ..."; its by address is never taken for the
 * client), or qmail's own "(qmail N invoked from network)" / "(qmail N
 * invoked by uid U)" line. Any other hop without an IP ends the walk
 * without a result (DX_RCVD_NO_IP): a local submission such as "by
 * mx.example.org (Postfix, from userid 1000) id X" or Exim's "from user by
 * host with local", whose lower headers the local user wrote; so does an
 * unparseable header (DX_RCVD_BAD_HEADER).
 *
 * Returns 0 with *why = DX_RCVD_FOUND and *client, *hop set; otherwise
 * DX_ENOTFOUND (*why = EMPTY or ALL_TRUSTED) or DX_EINVAL (*why = NO_IP or
 * BAD_HEADER, *hop = the index of the offending header). hop and why may be
 * NULL. */
int dx_rcvd_client(const char *const *hdrs, size_t n, const struct dx_key *relays,
                   size_t nrelays, struct dx_key *client, size_t *hop, enum dx_rcvd_why *why);

/* Static text for a reason ("no Received headers", ...). */
const char *dx_rcvd_why_str(enum dx_rcvd_why why);

/* Parse an address as found in mail headers: "192.0.2.1", "2001:db8::1",
 * "[192.0.2.1]", "[IPv6:2001:db8::1]", "::ffff:192.0.2.1" (-> v4), with
 * len bytes of text (not NUL-terminated). Returns 0 or DX_EINVAL. */
int dx_rcvd_parse_addr(const char *text, size_t len, struct dx_key *k);

#endif
