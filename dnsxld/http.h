/* A small HTTP/1.1 server for one resource (the metrics: GET /metrics), on
 * the main loop (libuv), never on a worker's. One request per connection,
 * answered with Connection: close:
 *   - the request line and headers: at most DX_HTTP_HEAD_MAX bytes, else
 *     413; within DX_HTTP_TIMEOUT_MS of the connection, else 408;
 *   - a malformed request line, header, version or a missing Host (HTTP/1.1)
 *     is 400; another version of HTTP than 1.0 and 1.1: 505;
 *   - another path: 404; another method than GET and HEAD: 405 (Allow);
 *   - at most DX_HTTP_PEER_CONNS connections from one address: another
 *     gets 503; at most DX_HTTP_CONNS at once: a new one closes the oldest
 *     that has not sent a whole request head (or is closed itself if every
 *     one has);
 *   - the response is written within DX_HTTP_TIMEOUT_MS, else the
 *     connection is closed; once written, what the client still sends is
 *     read and dropped until it closes, for at most DX_HTTP_LINGER_MS (no
 *     reset before it has read the response).
 * Nothing read is kept past the request; a request body is never read. */
#ifndef DX_HTTP_H
#define DX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#define DX_HTTP_HEAD_MAX   8192
#define DX_HTTP_TIMEOUT_MS 10000
#define DX_HTTP_CONNS      64
#define DX_HTTP_PEER_CONNS 8
#define DX_HTTP_LINGER_MS  2000  /* after the response: the client's bytes read and dropped */

/* The status of the request head in buf[0..len) for the resource `path`:
 * 0 while it is incomplete and shorter than DX_HTTP_HEAD_MAX, 200 (GET or
 * HEAD of path: *head = HEAD), or an error status (400, 404, 405, 413, 505).
 * The query string (after '?') is ignored. */
int dx_http_request(const char *buf, size_t len, const char *path, bool *head);

/* The body of the resource: 0 with *body (malloc'd: the server frees it)
 * and *len, or an error: 500. */
typedef int (*dx_http_fn)(void *arg, char **body, size_t *len);

struct dx_http;

/* Listen on listen_text (IPv4:PORT or [IPv6]:PORT) on loop and serve path
 * with fn (content_type: its Content-Type). 0, or a libuv error with err
 * naming the address. */
int dx_http_start(uv_loop_t *loop, const char *listen_text, const char *path,
                  const char *content_type, dx_http_fn fn, void *arg, struct dx_http **out,
                  char *err, size_t errlen);

/* Close the listener and every connection; the memory goes once the loop
 * has run their close callbacks. NULL ok. */
void dx_http_stop(struct dx_http *h);

#endif
