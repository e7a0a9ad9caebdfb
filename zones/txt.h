/* TXT templates and the limits on TXT texts and reasons, shared by the
 * config loader (zone and list `txt`), the CLIs (dnsxl-admin add --txt
 * --reason, dnsxl-loader imports) and dnsxld (expansion at answer time).
 *
 * Template syntax (dnsxl.conf(5)): `$` followed by a name is a variable;
 * a name starts with a letter or '_' and runs over letters, digits and
 * '_'. The known ones: `$list` (the list's name), `$zone` (the zone),
 * `$reason` (the entry's reason). `$$` is a literal '$'; a `$` not followed
 * by a name (end of text, blank, punctuation, digit) is the queried
 * address or name. Any other `$name` is an unknown variable: the checks
 * below refuse it, so it only reaches dx_txt_expand from a store written
 * before they existed; it then expands as the subject followed by the name
 * (what rbldnsd does with every `$word`).
 *
 * Limits, enforced where a text enters (config load, add, import), so
 * that dnsxld never has to cut a text:
 *   DX_TXT_MAX     the longest TXT text answered, after expansion, with
 *                  every variable at its worst case: `$` the longest
 *                  subject of the zone's kind (DX_TXT_SUBJECT_IP_MAX,
 *                  DX_TXT_SUBJECT_DOMAIN_MAX), `$list` and `$zone` their
 *                  actual lengths, `$reason` DX_REASON_MAX;
 *   DX_REASON_MAX  the longest entry reason.
 * Neither a template nor a reason may hold a control character (a byte
 * below 0x20, or 0x7f).
 *
 * No allocation anywhere: dnsxld expands on its query path.
 */
#ifndef DX_TXT_H
#define DX_TXT_H

#include <stdbool.h>
#include <stddef.h>

#define DX_TXT_MAX                4096   /* longest expanded TXT text, octets */
#define DX_REASON_MAX             1024   /* longest entry reason, octets */
#define DX_TXT_SUBJECT_IP_MAX     39     /* `$` in an ip zone: the longest IPv6 text */
#define DX_TXT_SUBJECT_DOMAIN_MAX 253    /* `$` in a domain zone: the longest name */

struct dx_txt_vars {
    const char *subject;   /* "192.0.2.99", "2001:db8::1", "spam.example" */
    const char *list;      /* list name; NULL = "" */
    const char *zone;      /* zone name; NULL = "" */
    const char *reason;    /* entry reason; NULL = "" */
};

/* Expand tmpl into out[0..cap) (not NUL-terminated). Returns the length
 * written; output beyond cap is cut off (only a text the checks below
 * would refuse, e.g. from an old store, can get there). */
size_t dx_txt_expand(const char *tmpl, const struct dx_txt_vars *v, char *out, size_t cap);

/* Does tmpl use $reason (so the caller must fetch the entry's reason)? */
bool dx_txt_uses_reason(const char *tmpl);

/* The longest expansion of tmpl: `$` = subject_max, `$list` = list_len,
 * `$zone` = zone_len, `$reason` = DX_REASON_MAX octets. */
size_t dx_txt_worst_len(const char *tmpl, size_t subject_max, size_t list_len, size_t zone_len);

/* Check a TXT template (a config `txt`, or an entry's own TXT) for a zone
 * whose `$` is at most subject_max octets, a list name of list_len octets
 * (for a zone template: the longest list name of the zone) and a zone name
 * of zone_len octets. Returns 0, or DX_EINVAL with one of these in err:
 *   "TXT contains a control character (0x08) at offset 12"
 *   "TXT has an unknown variable '$foo' at offset 12 (known: $, $list,
 *    $zone, $reason, $$)"
 *   "TXT can expand to 5000 octets, more than 4096 ($ counts 39, $list 6,
 *    $zone 14, $reason 1024)"
 * An empty template ("", an entry's "no TXT") passes. */
int dx_txt_check(const char *tmpl, size_t subject_max, size_t list_len, size_t zone_len,
                 char *err, size_t errlen);

/* Check an entry's reason: at most DX_REASON_MAX octets, no control
 * character. Returns 0 (also for NULL), or DX_EINVAL with
 * "reason contains a control character (0x08) at offset 3" or
 * "reason is 2000 octets long, more than 1024" in err. */
int dx_txt_check_reason(const char *reason, char *err, size_t errlen);

#endif
