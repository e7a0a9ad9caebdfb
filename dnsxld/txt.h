/* TXT templates (INTERFACE.md): `$` alone = the queried address or name,
 * `$list`, `$zone`, `$reason` = what they say, `$$` = a literal '$'.
 * No allocation: expansion writes into the caller's buffer. */
#ifndef DX_TXT_H
#define DX_TXT_H

#include <stdbool.h>
#include <stddef.h>

struct dx_txt_vars {
    const char *subject;   /* "192.0.2.99", "2001:db8::1", "spam.example" */
    const char *list;      /* list name; NULL = "" */
    const char *zone;      /* zone name; NULL = "" */
    const char *reason;    /* entry reason; NULL = "" */
};

/* Expand tmpl into out[0..cap) (not NUL-terminated). Returns the length
 * written; output beyond cap is cut off. */
size_t dx_txt_expand(const char *tmpl, const struct dx_txt_vars *v, char *out, size_t cap);

/* Does tmpl use $reason (so the caller must fetch the entry's reason)? */
bool dx_txt_uses_reason(const char *tmpl);

#endif
