/* rbldnsd dataset files (rbldnsd(8), "DATASET TYPES AND FORMATS") as input
 * for dnsxl-loader import: ip4set, ip4trie, ip4tset, ip6tset, ip6trie and
 * dnset. Records are appended to a dx_imp_set (loader/import.h) exactly as
 * dx_imp_parse_plain does: key, DX_ENTRY_EXCLUDE for '!' lines, own A code
 * and own TXT, file index and 1-based line.
 *
 * Values. rbldnsd gives every entry an A value and an optional TXT
 * template, either its own (`1.2.3.4 :127.0.0.3:text`, `1.2.3.4 :3`,
 * `1.2.3.4 text`) or the default in effect (set by a `:A:TXT` line, for the
 * following lines of the file). In a record:
 *   - an entry with its own value part gets code and TXT filled in (the part
 *     it leaves out taken from the default in effect);
 *   - an entry without one gets code 0 / TXT NULL ("the list's value"),
 *     unless the caller passes `defaults` (see dx_fmt_rbldnsd_parse), which
 *     copies the default in effect into the record when it differs from the
 *     list's own value.
 *   - value forms: `:A:TXT`, `:A:` (no TXT), `:A` (the default TXT in
 *     effect), `::TXT` (the default A), `TXT` (no leading colon: default
 *     A). A is a dotted quad or a number N for 127.0.0.N. `:A` may be
 *     followed by a '#' or ';' comment. A default line `:A` has no TXT
 *     (rbldnsd: entries after it answer A only).
 *   - "no TXT at all" (`1.2.3.4 :3:`, or a default line `:3:`) is an own
 *     TXT of "" (empty string): dnsxld should answer no TXT for it.
 * TXT templates keep rbldnsd's `$` (the queried subject) and `$$` (a
 * literal '$'), which dnsxld expands the same way (zones/txt.h).
 * rbldnsd's `$n` substitution variables and the `$=` base template are
 * expanded here, at load time, so records hold final templates.
 *
 * Intended differences from rbldnsd (it logs a warning and skips the line,
 * or silently ignores something; we reject the whole file with
 * "FILE:LINE: reason" so nothing half-loaded is ever written):
 *   - an entry wider than $MAXRANGE4 (rbldnsd: warning, entry ignored);
 *   - any unparsable key or value (rbldnsd: warning, line ignored);
 *   - a per-entry value in ip4tset / ip6tset (rbldnsd ignores the rest of
 *     the line: those datasets have one value for all entries);
 *   - an unknown `$KEYWORD` on a `$` line (`#$` and `;$` lines with an
 *     unknown keyword stay comments, e.g. `#$Id$`);
 *   - `$n` used before it is defined expands to nothing (rbldnsd uses the
 *     value in effect at query time);
 *   - before the first default line, entries keep the list's value (code 0,
 *     TXT NULL) even with `defaults`: the list's configured A/TXT stands in
 *     for rbldnsd's built-in 127.0.0.2 / no TXT;
 *   - $TIMESTAMP is not enforced (rbldnsd refuses future or expired
 *     data);
 *   - TXT templates are kept whole up to 4096 bytes after expansion
 *     (rbldnsd truncates answers to 255; dnsxld splits long TXT into
 *     strings); a longer one is an error;
 *   - a template text "$list", "$zone" or "$reason" means the subject
 *     followed by that word in rbldnsd but expands as a dnsxl variable.
 * A CIDR with host bits set ("192.0.2.65/26", "2001:db8::1/64") is an
 * error, as rbldnsd has it: "FILE:LINE: ... has host bits set: did you
 * mean 192.0.2.64/26?".
 * In ip6trie/ip6tset a line starting with "::" is an entry if its first
 * word is an IPv6 address ("::1", as in the rbldnsd(8) example), otherwise
 * a default value line with an empty A ("::text").
 * $SOA, $NS and $TIMESTAMP must have a value and $TTL must be a duration
 * (<= 2^32 - 1 seconds); otherwise they are ignored: the zone's own SOA, NS
 * and TTL come from dnsxl.conf(5).
 */
#ifndef DX_LOADER_FMT_RBLDNSD_H
#define DX_LOADER_FMT_RBLDNSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/import.h"

enum dx_rbl_type {
    DX_RBL_IP4SET = 1,   /* addresses, prefixes, CIDRs, ranges; per-entry values */
    DX_RBL_IP4TRIE,      /* CIDRs only (no ranges); per-entry values */
    DX_RBL_IP4TSET,      /* single addresses; one value for all */
    DX_RBL_IP6TSET,      /* /64s as four words; /128 exclusions; one value for all */
    DX_RBL_IP6TRIE,      /* IPv6 CIDRs (trailing :0 words may be left out); per-entry values */
    DX_RBL_DNSET,        /* names: exact, *.name, .name (= both); per-entry values */
};

/* "ip4set", "ip4trie", "ip4tset", "ip6tset", "ip6trie", "dnset" (case-
 * insensitive) -> the type, or DX_EINVAL for anything else. */
int dx_rbl_type_parse(const char *name);

/* The name of a type ("ip4set", ...), or "?" */
const char *dx_rbl_type_name(enum dx_rbl_type t);

/* Does the type hold addresses (ip zones) rather than names (domain zones)? */
bool dx_rbl_type_is_ip(enum dx_rbl_type t);

/* Guess the dataset type of a file given without --format: domain zone ->
 * dnset; else the first data line (not blank, comment, `$`, or `:` line)
 * decides: its key contains ':' -> ip6trie, otherwise ip4set (which
 * accepts everything ip4tset/ip4trie files hold). Never fails. */
enum dx_rbl_type dx_rbl_type_detect(const char *buf, size_t len, bool ip_zone);

/* The list's own value, for `defaults` below: its A code (host order) and
 * TXT template (NULL = none). */
struct dx_rbl_value {
    uint32_t code;
    const char *txt;
    const char *list;            /* the list's name: picks a combined dataset's parts
                                    (loader/format.h); NULL: none */
};

/* Parse one rbldnsd dataset file buf[0..len) (lines as dx_imp_lines reads
 * them: a UTF-8 BOM skipped, LF, CRLF or CR ends, the last may lack its
 * end) of the given type; append its records to s under file
 * index `file` (registered with dx_imp_add_file), line numbers 1-based.
 *
 * defaults: NULL = never copy the default value into records of entries
 * without their own (they get code 0 / TXT NULL = the list's value; the
 * brief's apply_default = false). Non-NULL = the list's configured value
 * (apply_default = true): each entry without its own value gets the default
 * in effect copied in, unless that default is the same as *defaults (then
 * it stays compact). Pass {0, NULL} for "always copy".
 *
 * Returns 0; DX_EINVAL with err = "FILE:LINE: reason" for a bad line (the
 * records appended before it stay in s: the caller discards the set);
 * DX_ENOMEM. */
int dx_fmt_rbldnsd_parse(struct dx_imp_set *s, uint16_t file, const char *buf, size_t len,
                         enum dx_rbl_type type, const struct dx_rbl_value *defaults,
                         char *err, size_t errlen);

#endif
