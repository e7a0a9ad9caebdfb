/* Numbers as the config file, the CLIs and the data files write them:
 * plain unsigned integers, durations ("90" seconds, "30s", "15m", "48h",
 * "7d", "2w", "forever"; "never" is a synonym) and sizes ("8M"). */
#ifndef DX_DUR_H
#define DX_DUR_H

#include <stddef.h>
#include <stdint.h>

#define DX_FOREVER UINT64_MAX

/* What a message names as the accepted duration forms. */
#define DX_DUR_FORMS "a duration such as 90, 30s, 15m, 48h, 7d, forever"

/* A plain unsigned decimal: one or more digits 0-9 (leading zeros allowed;
 * no sign, blank or base prefix), at most max. Returns 0 with *v set, or
 * DX_EINVAL (*v untouched). */
int dx_uint_parse(const char *s, uint64_t max, uint64_t *v);

/* Parse a duration into seconds (DX_FOREVER for "forever"). Compound forms
 * such as "1d12h" are accepted. Returns 0 or DX_EINVAL (empty, junk,
 * overflow). */
int dx_dur_parse(const char *s, uint64_t *secs);

/* A lifetime an operator gives an entry (dnsxl-admin --lifetime, --hold;
 * dnsxl-loader import --lifetime): a duration other than 0, "forever"
 * allowed. 0 or DX_EINVAL. */
int dx_dur_parse_lifetime(const char *s, uint64_t *secs);

/* Exact text for secs in largest units first: "forever", "7d", "1d12h",
 * "1m30s"; dx_dur_parse reads it back to the same value. */
void dx_dur_format(uint64_t secs, char *buf, size_t cap);

/* Parse a size: "65536", "512k", "8M", "4G" (powers of 1024). 0 or DX_EINVAL. */
int dx_size_parse(const char *s, uint64_t *bytes);

#endif
