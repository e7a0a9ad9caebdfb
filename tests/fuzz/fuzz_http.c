/* libFuzzer target: the metrics endpoint's request-head parser,
 * dx_http_request (dnsxld/http.c), on arbitrary bytes as they came in.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c)
 *
 * Besides the sanitizers (the input is not NUL-terminated: a read past it
 * is one) it checks the contract of dnsxld/http.h: the status is 0 (only
 * while shorter than DX_HTTP_HEAD_MAX), 200, 400, 404, 405, 413 or 505;
 * 200 is a GET or HEAD of /metrics (with *head telling which); a head that
 * is complete keeps its status whatever follows it (the server calls it
 * again as more bytes come, and what follows the blank line is a body it
 * never reads); and every prefix of the input that is shorter than
 * DX_HTTP_HEAD_MAX and has a status has the same one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsxld/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int status(const uint8_t *data, size_t size, bool *head)
{
    char *b = malloc(size ? size : 1);          /* exactly size bytes: ASan sees past them */
    if (!b)
        abort();
    memcpy(b, data, size);
    *head = false;
    int st = dx_http_request(b, size, "/metrics", head);
    free(b);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool head;
    int st = status(data, size, &head);
    switch (st) {
    case 0:
        if (size >= DX_HTTP_HEAD_MAX)
            abort();
        break;
    case 200:
        if (head ? size < 14 || memcmp(data, "HEAD /metrics", 13) != 0
                 : size < 13 || memcmp(data, "GET /metrics", 12) != 0)
            abort();
        if (data[head ? 13 : 12] != ' ' && data[head ? 13 : 12] != '?')
            abort();
        break;
    case 400: case 404: case 405: case 413: case 505:
        break;
    default:
        abort();
    }
    if (size < DX_HTTP_HEAD_MAX) {
        /* a complete head: what follows does not change its status */
        uint8_t *more = malloc(size + 5);
        if (!more)
            abort();
        memcpy(more, data, size);
        memcpy(more + size, "\r\n\r\nX", 5);
        bool h2;
        int st2 = status(more, size + 5, &h2);
        free(more);
        if (st != 0 && (st2 != st || h2 != head))
            abort();
        /* the server sees the head grow: a prefix that had a status has this one */
        for (size_t cut = size / 2; cut < size; cut = cut + 1 + (size - cut) / 2) {
            int sp = status(data, cut, &h2);
            if (sp != 0 && sp != st)
                abort();
        }
    }
    return 0;
}
