/* The network side of dnsxld: worker threads, each with its own libuv loop
 * and, for every listen address, its own SO_REUSEPORT UDP socket and TCP
 * listening socket. Every message goes to dx_query_answer() (query.h).
 *
 * Threads: dx_server_start, dx_server_reload and dx_server_stop are called
 * from the main thread only, on the loop passed to dx_server_start (the
 * server keeps one uv_async_t on that loop, through which workers report
 * that they have switched to a new config).
 *
 * Batches: each worker holds one read transaction, renewed lazily by the
 * first query of a loop iteration and reset in a uv_prepare callback before
 * the loop blocks again; all datagrams of one batch share a snapshot, and a
 * writer's commit is visible from the next batch on. When the renewal
 * fails (logged, counted as a store error) the query is still answered:
 * SERVFAIL for our zones (query.c), never dropped.
 */
#ifndef DX_SERVER_H
#define DX_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "zones/conf.h"
#include "zones/store.h"

struct dx_server;

/* Create the sockets of every worker for every listen address of conf,
 * open one read transaction per worker on st, and start the worker threads.
 * On success the server owns conf (free it only through the server) and 0
 * is returned. On failure nothing is left running, conf still belongs to
 * the caller, err holds a message that names the address when a socket
 * could not be created ("cannot bind 127.0.0.1:53 (udp): Permission denied"),
 * and the return is -errno, a libuv/LMDB code mapped to -errno where
 * possible, or DX_ENOMEM. `st` must outlive the server. */
int dx_server_start(uv_loop_t *main_loop, struct dx_conf *conf, struct dx_store *st,
                    struct dx_server **out, char *err, size_t errlen);

/* dx_server_start in two steps, so that root can be dropped between them
 * (dnsxld(8) "Privileges"): dx_server_bind creates every socket of conf
 * (the part that may need root; nothing runs, nothing reads the store);
 * dx_server_run then opens the read transactions on st and starts the
 * workers, and owns conf once it returns 0. On failure either step frees
 * the server (conf stays the caller's); dx_server_unbind frees a bound
 * server that is not to run. */
int dx_server_bind(struct dx_conf *conf, struct dx_server **out, char *err, size_t errlen);
int dx_server_run(struct dx_server *s, uv_loop_t *main_loop, struct dx_store *st, char *err,
                  size_t errlen);
void dx_server_unbind(struct dx_server *s);

/* The config the server was started with or last reloaded with. */
const struct dx_conf *dx_server_conf(const struct dx_server *s);

/* Hand a new config to every worker (takes ownership of conf). Workers
 * switch between batches; the previous config is freed once every worker
 * has acknowledged the switch. Sockets and the worker count stay as they
 * are (changing them needs a restart). */
void dx_server_reload(struct dx_server *s, struct dx_conf *conf);

/* Stop every worker (each closes all its handles, runs its loop to
 * completion and closes it), join the threads, end their transactions and
 * free every config. The server's handle on the main loop is closed; its
 * memory is released by the close callback, so the main loop must be run
 * once more (uv_run) for the server to be freed completely. */
void dx_server_stop(struct dx_server *s);

/* --- what the metrics read (server_stats.c; main thread only) ------------ */

struct dx_ring;
struct dx_stats_base;

/* The number of workers (each has one ring of heat samples and of dnstap
 * records). */
unsigned dx_server_workers(const struct dx_server *s);

/* Between dx_server_bind and dx_server_run: what every worker observes
 * (stats.h): timing = the metrics are on (latency measured); heat, tap:
 * a ring per worker, or NULL (off). Nothing: no call. 0 or DX_ENOMEM. */
int dx_server_observe(struct dx_server *s, bool timing, struct dx_ring *const *heat,
                      struct dx_ring *const *tap);

/* The server-wide counters, summed over the workers. */
struct dx_server_counts {
    unsigned workers;
    uint64_t started;                /* unix seconds */
    uint64_t udp_q, udp_drop, udp_err, tcp_q, tcp_conns, tcp_evicted, tcp_open, txn_err;
    uint64_t rrl_limited, rrl_slipped, rrl_dropped, cookie_bad;
    uint64_t pol_blocked, pol_limited, pol_key_unknown;
    uint64_t lat[13], lat_sum_ns;    /* DX_LAT_N + 1 buckets (stats.h) */
};
void dx_server_counts(const struct dx_server *s, struct dx_server_counts *out);

/* The counters by zone and list, summed over every config since the start
 * (stats.h): into an empty out. 0 or DX_ENOMEM. */
int dx_server_zone_sums(const struct dx_server *s, struct dx_stats_base *out);

#endif
