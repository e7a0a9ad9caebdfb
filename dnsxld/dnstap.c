/* dnstap output (dnstap.h): the rings' records -> Dnstap protobuf frames
 * (protobuf-c, from dnstap.proto) -> libfstrm's I/O thread -> the socket or
 * file. */
#include "dnsxld/dnstap.h"
#include "dnsxld/log.h"
#include "zones/cli.h"
#include "zones/err.h"

#include <errno.h>
#include <fstrm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dnstap.pb-c.h"

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
#define IDLE_NS      5000000L           /* the thread's sleep when every ring is empty */
#define FRAMES_MAX   (2 * (65535 + 512))

struct dx_tap {
    unsigned n;
    struct dx_ring **rings;
    struct fstrm_iothr *iothr;
    struct fstrm_iothr_queue *ioq;
    char identity[256], version[64];
    pthread_t thread;
    bool thread_ok;
    atomic_bool stop;
    _Atomic uint64_t frames, out_dropped;
    uint8_t buf[FRAMES_MAX];
};

int dx_tap_target(const struct dx_conf *conf, char *path, size_t cap, bool *unix_sock,
                  char *err, size_t errlen)
{
    const char *v = conf->server.dnstap;
    *unix_sock = v && strncmp(v, "unix:", 5) == 0;
    const char *p = *unix_sock ? v + 5 : v;
    if (!p || !*p) {
        snprintf(err, errlen, "dnstap: '%s' names no path (expected unix:PATH or PATH)",
                 v ? v : "");
        return DX_EINVAL;
    }
    int n = p[0] == '/' ? snprintf(path, cap, "%s", p)
                        : snprintf(path, cap, "%s/%s", conf->dir ? conf->dir : ".", p);
    size_t sun_max = sizeof(((struct sockaddr_un *)0)->sun_path);
    if (n < 0 || (size_t)n >= cap || (*unix_sock && (size_t)n >= sun_max)) {
        snprintf(err, errlen, "dnstap: the path '%s' is too long", p);
        return DX_EINVAL;
    }
    return 0;
}

/* One Dnstap message of the record: the query's (response false) or the
 * response's. Its packed size, or 0 when it does not fit. */
static size_t frame(const struct dx_tap_rec *h, const uint8_t *q, const uint8_t *r,
                    bool response, const char *identity, const char *version, uint8_t *buf,
                    size_t cap)
{
    Dnstap__Message m = DNSTAP__MESSAGE__INIT;
    Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;
    m.type = response ? DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE : DNSTAP__MESSAGE__TYPE__AUTH_QUERY;
    m.has_socket_family = 1;
    m.socket_family = h->family == AF_INET6 ? DNSTAP__SOCKET_FAMILY__INET6
                                            : DNSTAP__SOCKET_FAMILY__INET;
    m.has_socket_protocol = 1;
    m.socket_protocol = h->tr == DX_TCP ? DNSTAP__SOCKET_PROTOCOL__TCP
                                        : DNSTAP__SOCKET_PROTOCOL__UDP;
    m.has_query_address = 1;
    m.query_address.len = h->family == AF_INET6 ? 16 : 4;
    m.query_address.data = (uint8_t *)h->addr;
    m.has_query_port = 1;
    m.query_port = h->port;
    uint64_t rns = h->rsec * 1000000000u + h->rnsec, qns = rns - h->dur_ns;
    m.has_query_time_sec = m.has_query_time_nsec = 1;
    m.query_time_sec = qns / 1000000000u;
    m.query_time_nsec = (uint32_t)(qns % 1000000000u);
    m.has_query_message = !response;       /* a response carries the reply, and the query's time */
    m.query_message.len = h->qlen;
    m.query_message.data = (uint8_t *)q;
    if (response) {
        m.has_response_time_sec = m.has_response_time_nsec = 1;
        m.response_time_sec = h->rsec;
        m.response_time_nsec = h->rnsec;
        m.has_response_message = 1;
        m.response_message.len = h->rlen;
        m.response_message.data = (uint8_t *)r;
    }
    d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
    d.message = &m;
    if (identity) {
        d.has_identity = 1;
        d.identity.len = strlen(identity);
        d.identity.data = (uint8_t *)identity;
    }
    if (version) {
        d.has_version = 1;
        d.version.len = strlen(version);
        d.version.data = (uint8_t *)version;
    }
    size_t n = dnstap__dnstap__get_packed_size(&d);
    if (n > cap)
        return 0;
    return dnstap__dnstap__pack(&d, buf);
}

int dx_tap_frames(const struct dx_tap_rec *h, const uint8_t *q, const uint8_t *r,
                  const char *identity, const char *version, uint8_t *buf, size_t cap,
                  size_t *qn, size_t *rn)
{
    *rn = 0;
    *qn = frame(h, q, r, false, identity, version, buf, cap);
    if (*qn == 0)
        return DX_ERANGE;
    if (h->rlen == 0)
        return 0;
    *rn = frame(h, q, r, true, identity, version, buf + *qn, cap - *qn);
    return *rn ? 0 : DX_ERANGE;
}

static void submit(struct dx_tap *t, const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n);
    if (copy) {
        memcpy(copy, p, n);
        if (fstrm_iothr_submit(t->iothr, t->ioq, copy, n, fstrm_free_wrapper, NULL) ==
            fstrm_res_success) {
            atomic_fetch_add_explicit(&t->frames, 1, memory_order_relaxed);
            return;
        }
        free(copy);
    }
    atomic_fetch_add_explicit(&t->out_dropped, 1, memory_order_relaxed);
}

/* Send every record in the rings; false if there was none. */
static bool drain(struct dx_tap *t)
{
    bool any = false;
    for (unsigned i = 0; i < t->n; i++) {
        const uint8_t *p;
        size_t n;
        while ((p = dx_ring_peek(t->rings[i], &n)) != NULL) {
            struct dx_tap_rec h;
            size_t qn, rn;
            any = true;
            if (n >= sizeof(h)) {
                memcpy(&h, p, sizeof(h));
                const uint8_t *q = p + sizeof(h), *r = q + h.qlen;
                if (sizeof(h) + h.qlen + h.rlen == n &&
                    dx_tap_frames(&h, q, r, t->identity, t->version, t->buf, sizeof(t->buf),
                                  &qn, &rn) == 0) {
                    submit(t, t->buf, qn);
                    if (rn)
                        submit(t, t->buf + qn, rn);
                }
            }
            dx_ring_pop(t->rings[i]);
        }
    }
    return any;
}

static void *tap_main(void *arg)
{
    struct dx_tap *t = arg;
    while (!atomic_load(&t->stop)) {
        if (!drain(t)) {
            struct timespec ts = { 0, IDLE_NS };
            nanosleep(&ts, NULL);
        }
    }
    drain(t);
    return NULL;
}

static void tap_free(struct dx_tap *t)
{
    if (t->iothr)
        fstrm_iothr_destroy(&t->iothr);     /* flushes what is queued, closes */
    for (unsigned i = 0; t->rings && i < t->n; i++)
        dx_ring_free(t->rings[i]);
    free(t->rings);
    free(t);
}

/* The fstrm writer of the output, or NULL with err. */
static struct fstrm_writer *open_writer(const char *path, bool unix_sock, char *err,
                                        size_t errlen)
{
    struct fstrm_writer_options *wopt = fstrm_writer_options_init();
    struct fstrm_writer *w = NULL;
    fstrm_writer_options_add_content_type(wopt, CONTENT_TYPE, strlen(CONTENT_TYPE));
    if (unix_sock) {
        struct fstrm_unix_writer_options *uo = fstrm_unix_writer_options_init();
        fstrm_unix_writer_options_set_socket_path(uo, path);
        w = fstrm_unix_writer_init(uo, wopt);
        fstrm_unix_writer_options_destroy(&uo);
    } else {
        struct fstrm_file_options *fo = fstrm_file_options_init();
        fstrm_file_options_set_file_path(fo, path);
        w = fstrm_file_writer_init(fo, wopt);
        fstrm_file_options_destroy(&fo);
    }
    fstrm_writer_options_destroy(&wopt);
    if (!w)
        snprintf(err, errlen, "dnstap: cannot set up the output %s%s", unix_sock ? "unix:" : "",
                 path);
    return w;
}

int dx_tap_start(const struct dx_conf *conf, unsigned n_workers, struct dx_tap **out,
                 char *err, size_t errlen)
{
    *out = NULL;
    char path[4096];
    bool unix_sock;
    int rc = dx_tap_target(conf, path, sizeof(path), &unix_sock, err, errlen);
    if (rc)
        return rc;
    if (!unix_sock) {                       /* say now why a file cannot be written */
        FILE *f = fopen(path, "ab");
        if (!f) {
            int e = errno;
            snprintf(err, errlen, "dnstap: cannot write %s: %s", path, strerror(e));
            return -e;
        }
        fclose(f);
    }
    struct dx_tap *t = calloc(1, sizeof(*t));
    if (!t) {
        snprintf(err, errlen, "dnstap: out of memory");
        return DX_ENOMEM;
    }
    t->n = n_workers;
    if (conf->server.identity)
        snprintf(t->identity, sizeof(t->identity), "%s", conf->server.identity);
    else if (gethostname(t->identity, sizeof(t->identity) - 1) != 0)
        t->identity[0] = 0;
    snprintf(t->version, sizeof(t->version), "dnsxld %s", DNSXL_VERSION);
    t->rings = calloc(n_workers, sizeof(*t->rings));
    for (unsigned i = 0; t->rings && i < n_workers; i++)
        if (!(t->rings[i] = dx_ring_new(DX_TAP_RING)))
            break;
    if (!t->rings || (n_workers && !t->rings[n_workers - 1])) {
        snprintf(err, errlen, "dnstap: out of memory");
        tap_free(t);
        return DX_ENOMEM;
    }
    struct fstrm_writer *w = open_writer(path, unix_sock, err, errlen);
    if (!w) {
        tap_free(t);
        return DX_EINVAL;
    }
    struct fstrm_iothr_options *io = fstrm_iothr_options_init();
    fstrm_iothr_options_set_num_input_queues(io, 1);
    sigset_t all, old;                      /* every thread: signals go to the main loop */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    t->iothr = fstrm_iothr_init(io, &w);
    fstrm_iothr_options_destroy(&io);
    if (!t->iothr) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (w)
            fstrm_writer_destroy(&w);
        snprintf(err, errlen, "dnstap: cannot start the output to %s%s", unix_sock ? "unix:" : "",
                 path);
        tap_free(t);
        return DX_EINVAL;
    }
    t->ioq = fstrm_iothr_get_input_queue(t->iothr);
    rc = pthread_create(&t->thread, NULL, tap_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        snprintf(err, errlen, "dnstap: cannot start a thread: %s", strerror(rc));
        tap_free(t);
        return -rc;
    }
    t->thread_ok = true;
    dx_log_info("dnstap: logging %u%% of the queries to %s%s", conf->server.tap_sample,
                unix_sock ? "unix:" : "", path);
    *out = t;
    return 0;
}

struct dx_ring *dx_tap_ring(struct dx_tap *t, unsigned i)
{
    return t && i < t->n ? t->rings[i] : NULL;
}

void dx_tap_stop(struct dx_tap *t)
{
    if (!t)
        return;
    if (t->thread_ok) {
        atomic_store(&t->stop, true);
        pthread_join(t->thread, NULL);
    }
    tap_free(t);
}

void dx_tap_stats(const struct dx_tap *t, struct dx_tap_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!t)
        return;
    for (unsigned i = 0; i < t->n; i++) {
        out->queries += dx_ring_puts(t->rings[i]);
        out->dropped += dx_ring_drops(t->rings[i]);
    }
    out->frames = atomic_load(&t->frames);
    out->out_dropped = atomic_load(&t->out_dropped);
}
