/* Text from outside (file names, keys, reasons, list names from the store)
 * made safe for a terminal or a log. */
#ifndef DX_SAFE_H
#define DX_SAFE_H

#include <stddef.h>

/* Text for a terminal or a log: s itself if it holds no control (C0,
 * DEL, C1 such as CSI U+009B), no backslash and no invalid UTF-8, else a
 * copy in buf (truncated to cap) with those written as \n, \t, \r, \\ or
 * \xNN per byte, so the text shown is unambiguous. NULL gives "". */
const char *dx_safe(const char *s, char *buf, size_t cap);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t dx_utf8_len(const unsigned char *s);

#endif
