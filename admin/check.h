/* dnsxl-admin check (dnsxl-admin(8)): is an address or a domain listed in
 * the DNSxLs of a lists file? A mail administrator's view of the lists
 * (mxtoolbox, check_rbl), through the system's resolver or a given server.
 *
 * The lists file (contrib/check.lists is a sample): one list per line,
 *   ZONE [CODE...] [allow] [domain] [notest] [@IP[:PORT]]
 * '#' starts a comment. CODE: an answer that means "listed", as an
 * address (127.0.0.2), a range (127.0.0.2-127.0.0.11) or a CIDR
 * (127.0.0.0/24); none given: any answer in 127.0.0.0/8 that is no error
 * code. `allow`: an allow list (dnswl.org): its listing means allowed,
 * never "listed" for the exit status. `domain`: a domain list (asked for
 * names, not addresses). `notest`: the list does not answer the RFC 5782
 * test points. `@IP[:PORT]`: ask this server, not the resolver.
 *
 * Answers read as errors, never as listings: 127.0.0.1, 127.0.1.255 and
 * 127.255.255.0/24 (the error codes of Spamhaus and others: a blocked or
 * public resolver, too many queries), an address outside 127.0.0.0/8 (a
 * wildcarded dead zone) and a 127.x answer outside the list's codes. Each
 * list is first asked its RFC 5782 section 5 test points (127.0.0.2 or
 * TEST must be listed, 127.0.0.1 or INVALID must not): a list failing them
 * does not work from this resolver, whatever it answers for the key.
 *
 * Exit status: 0 listed nowhere (allow lists aside), 1 listed in at least
 * one list, 2 no listing found and at least one list could not be checked
 * (or bad usage, an unreadable or bad lists file: FILE:LINE). */
#ifndef DX_ADMIN_CHECK_H
#define DX_ADMIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admin/dnsq.h"
#include "zones/cli.h"

#define DX_CHECK_LISTS "/etc/dnsxl/check.lists"
#define DX_CHECK_CODES 16

struct dx_check_list {
    char zone[256];
    uint32_t lo[DX_CHECK_CODES], hi[DX_CHECK_CODES];  /* listing codes, host order */
    size_t ncodes;
    bool allow, domain, test;
    bool has_server;
    struct dx_dnsq_servers server;
    int line;
};

/* Read the lists file: 0 with *out (free()) and *n; DX_EINVAL with err =
 * "FILE:LINE: what" or -errno with err = "FILE: why". */
int dx_check_lists_load(const char *path, struct dx_check_list **out, size_t *n, char *err,
                        size_t errlen);

/* What an answer of list l means. */
enum dx_check_verdict { DX_CHECK_CLEAN = 0, DX_CHECK_LISTED, DX_CHECK_ERROR };

/* The verdict of an A answer (rcode, addresses) of list l; for an error,
 * why says what (e.g. "answered 127.255.255.254: an error code"). */
int dx_check_answer(const struct dx_check_list *l, int rcode, const uint32_t *a, size_t na,
                    char *why, size_t cap);

/* The query name of key k (an address or a name) in zone into q->qname:
 * reversed octets or nibbles, or the name; false when it does not fit. */
struct dx_key;
bool dx_check_qname(const struct dx_key *k, const char *zone, struct dx_dnsq *q);

int dx_adm_check(const struct dx_cli_cmd *m, int argc, char **argv);

#endif
