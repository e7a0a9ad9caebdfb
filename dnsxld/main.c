/* dnsxld: the DNSxL server. Arguments, config, store, signals, startup and
 * shutdown; the sockets and workers are in server.c.
 *
 *   dnsxld [-c CONF] [-u USER] [-t] [-v]     foreground, logs to stderr
 *   dnsxld -h | --help | -V | --version
 *
 * Start: the config (and the files it names: cookie-secret, query-keys),
 * the sockets (dx_server_bind), root dropped to `user` (privs.h), the
 * config and its files read again as the user (as every SIGHUP will), the
 * store, the workers (dx_server_run). -t as root reads them as the user
 * too, in a child that drops root.
 *
 * Exit status (zones/cli.h, the table of all three programs): 0 stopped by
 * SIGTERM/SIGINT (or -t: config OK), 1 bad usage or bad config, 2 store or
 * system error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "dnsxld/checkd.h"
#include "dnsxld/cookie.h"
#include "dnsxld/dnstap.h"
#include "dnsxld/heat.h"
#include "dnsxld/http.h"
#include "dnsxld/log.h"
#include "dnsxld/metrics.h"
#include "dnsxld/notify.h"
#include "dnsxld/policy.h"
#include "dnsxld/privs.h"
#include "dnsxld/server.h"
#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/store.h"




#define DAEMON_MAP (1ULL << 40)     /* 1 TiB of address space for the read-only map */

struct daemon {
    uv_loop_t loop;
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t readers;             /* clears the reader slots of killed processes */
    struct dx_store *store;
    struct dx_server *srv;
    const char *conf_path;
    bool stopping;
    bool counting;                  /* metrics on: every config gets counters (stats.h) */
    struct dx_metrics metrics;      /* what a scrape reads (metrics.h) */
    struct dx_http *http;           /* the metrics endpoint, or NULL */
    struct dx_heatd *heat;          /* heat = yes (heat.h), or NULL */
    struct dx_tap *tap;             /* dnstap (dnstap.h), or NULL */
    struct dx_checkd *check;        /* [check] (checkd.h), or NULL */
    struct dx_notifier *notify;     /* NOTIFY to the zones' notify targets (notify.h) */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dnsxld [-c CONF] [-u USER] [-t] [-v]\n"
            "       dnsxld -h | --help | -V | --version\n"
            "\n"
            "Authoritative DNS server for DNSxL zones (UDP and TCP), in the foreground,\n"
            "logging to stderr. SIGTERM/SIGINT stop it, SIGHUP re-reads the config.\n"
            "\n"
            "  -c, --config CONF  config file (default: $DNSXL_CONF, else /etc/dnsxl/dnsxl.conf)\n"
            "  -u, --user USER    drop root to USER after binding (overrides user = of the config;\n"
            "                     -u root keeps root)\n"
            "  -t, --check        check the config file and exit\n"
            "  -v, --verbose      log debug messages too\n"
            "  -h, --help         this help\n"
            "  -V, --version      print the version and exit\n"
            "\n"
            DX_EXIT_HELP
            "(dnsxld: 0 = stopped by SIGTERM or SIGINT, or with -t: the config is valid)\n");
}

static bool strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* Log what a reload cannot change without a restart. */
static void reload_warn(const struct dx_conf *old, const struct dx_conf *nc)
{
    const char *restart = "needs a restart (keeping the current setting)";
    if (!strv_equal(old->server.listen, old->server.n_listen,
                    nc->server.listen, nc->server.n_listen))
        dx_log_warn("reload: listen addresses changed: %s", restart);
    if (old->server.workers != nc->server.workers)
        dx_log_warn("reload: workers changed: %s", restart);
    if (strcmp(old->server.database, nc->server.database) != 0 ||
        old->server.map_size != nc->server.map_size)
        dx_log_warn("reload: database or map-size changed: %s", restart);
    if (old->server.udp_rcvbuf != nc->server.udp_rcvbuf)
        dx_log_warn("reload: udp receive buffer size changed: %s", restart);
    if ((old->server.user == NULL) != (nc->server.user == NULL) ||
        (old->server.user && strcmp(old->server.user, nc->server.user) != 0))
        dx_log_warn("reload: user changed: %s", restart);
    const char *o[2] = { old->server.metrics, old->server.dnstap },
               *n[2] = { nc->server.metrics, nc->server.dnstap };
    for (int i = 0; i < 2; i++)
        if ((o[i] == NULL) != (n[i] == NULL) || (o[i] && strcmp(o[i], n[i]) != 0))
            dx_log_warn("reload: %s changed: %s", i ? "dnstap" : "metrics", restart);
    if (old->server.heat != nc->server.heat ||
        (nc->server.heat && old->server.heat_interval != nc->server.heat_interval))
        dx_log_warn("reload: heat or heat-interval changed: %s", restart);
    const char *oc[2] = { old->check.lists, old->check.server },
               *ncs[2] = { nc->check.lists, nc->check.server };
    bool check_changed = old->check.addresses.n != nc->check.addresses.n ||
                         old->check.interval != nc->check.interval ||
                         old->check.timeout != nc->check.timeout;
    for (int i = 0; i < 2; i++)
        check_changed |= (oc[i] == NULL) != (ncs[i] == NULL) || (oc[i] && strcmp(oc[i], ncs[i]));
    if (check_changed)
        dx_log_warn("reload: [check] changed: %s", restart);
}

/* The checks of the observability keys a config load cannot make (-t and
 * reloads too): the dnstap output's name, [check]'s lists file and server. */
static int obs_check(const struct dx_conf *c, char *err, size_t errlen)
{
    char path[4096];
    bool unix_sock;
    int r = c->server.dnstap ? dx_tap_target(c, path, sizeof(path), &unix_sock, err, errlen) : 0;
    return r == 0 && c->check.addresses.n ? dx_checkd_verify(c, err, errlen) : r;
}

/* Metrics, heat, dnstap: started after the store is open, before the
 * workers run (dx_server_observe). 0, or an error with err. */
static int obs_start(struct daemon *d, struct dx_server *bound, struct dx_conf *conf,
                     struct dx_store *st, char *err, size_t errlen)
{
    unsigned n = dx_server_workers(bound);
    int r = 0;
    d->counting = conf->server.metrics != NULL;
    if (d->counting && (r = dx_stats_attach(conf, n)) != 0) {
        snprintf(err, errlen, "metrics: out of memory");
        return r;
    }
    if (conf->server.heat &&
        dx_heatd_start(conf->server.database, st, n, conf->server.heat_interval, &d->heat, err,
                       errlen) != 0) {
        dx_log_err("%s: running without heat", err);   /* advisory: the answers go on */
        d->heat = NULL;
    }
    if (conf->server.dnstap && (r = dx_tap_start(conf, n, &d->tap, err, errlen)) != 0)
        return r;
    if (conf->check.addresses.n && (r = dx_checkd_start(conf, &d->check, err, errlen)) != 0)
        return r;
    if (!d->counting && !d->heat && !d->tap)
        return 0;
    struct dx_ring **heat = calloc(n, sizeof(*heat)), **tap = calloc(n, sizeof(*tap));
    if (heat && tap) {
        for (unsigned i = 0; i < n; i++) {
            heat[i] = dx_heatd_ring(d->heat, i);
            tap[i] = dx_tap_ring(d->tap, i);
        }
        r = dx_server_observe(bound, d->counting, d->heat ? heat : NULL, d->tap ? tap : NULL);
    } else {
        r = DX_ENOMEM;
    }
    free(heat);
    free(tap);
    if (r)
        snprintf(err, errlen, "out of memory");
    return r;
}

/* The metrics endpoint, on the main loop, once the workers run. */
static int obs_serve(struct daemon *d, const struct dx_conf *conf, char *err, size_t errlen)
{
    if (!conf->server.metrics)
        return 0;
    d->metrics = (struct dx_metrics){ d->srv, d->store, d->heat, d->tap, d->check };
    return dx_http_start(&d->loop, conf->server.metrics, "/metrics", DX_METRICS_CTYPE,
                         dx_metrics_http, &d->metrics, &d->http, err, errlen);
}

/* After the workers have stopped: what is left of heat and dnstap is
 * written out. */
static void obs_stop(struct daemon *d)
{
    dx_heatd_stop(d->heat);
    dx_tap_stop(d->tap);
    dx_checkd_stop(d->check);
    d->heat = NULL;
    d->tap = NULL;
    d->check = NULL;
}

/* A reader killed with kill -9 (a dnsxl-admin list, a crashed worker of
 * another dnsxld) leaves its slot in the lock file, and the snapshot it held
 * keeps every page written since from being reused: the store only grows.
 * Clear them at start (dx_store_open), on SIGHUP and every minute. */
#define READER_CHECK_MS 60000

static void check_readers(struct daemon *d)
{
    int n = 0;
    int r = dx_store_check_readers(d->store, &n);
    if (r != 0)
        dx_log_warn("reader check: %s", dx_strerror(r));
    else if (n > 0)
        dx_log_info("cleared %d reader slot%s left by killed processes", n, n == 1 ? "" : "s");
}

static void on_readers_timer(uv_timer_t *t)
{
    check_readers(t->data);
}

static void on_stop(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;
    if (d->stopping)
        return;
    d->stopping = true;
    dx_log_info("%s: stopping", signum == SIGINT ? "SIGINT" : "SIGTERM");
    uv_close((uv_handle_t *)&d->sig_term, NULL);
    uv_close((uv_handle_t *)&d->sig_int, NULL);
    uv_close((uv_handle_t *)&d->sig_hup, NULL);
    uv_close((uv_handle_t *)&d->readers, NULL);
    dx_notify_stop(d->notify);
    d->notify = NULL;
    dx_http_stop(d->http);
    d->http = NULL;
    dx_checkd_stop(d->check);           /* before the workers: its queries end first */
    d->check = d->metrics.check = NULL;
    dx_server_stop(d->srv);
    d->srv = NULL;
    obs_stop(d);
}

static void on_hup(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;
    struct dx_conf *nc = NULL;
    char err[512];
    (void)signum;

    if (d->stopping)
        return;
    check_readers(d);
    int r = dx_conf_load(d->conf_path, &nc, err, sizeof(err));
    if (r == 0 && ((r = dx_cookie_setup(nc, dx_server_conf(d->srv), dx_now(), err,
                                        sizeof(err))) != 0 ||
                   (r = dx_policy_attach(nc, dx_server_conf(d->srv), err, sizeof(err))) != 0 ||
                   (r = obs_check(nc, err, sizeof(err))) != 0 ||
                   (d->counting && (r = dx_stats_attach(nc, dx_server_workers(d->srv))) != 0)))
        dx_conf_free(nc);
    if (r != 0) {
        dx_log_err("reload failed, keeping the old config: %s", err);
        return;
    }
    reload_warn(dx_server_conf(d->srv), nc);
    dx_server_reload(d->srv, nc);
    dx_notify_reload(d->notify, dx_server_conf(d->srv));   /* nc, or the old one on ENOMEM */
    dx_log_info("reloaded %s", d->conf_path);
}

/* What a SIGHUP reads (the config, its cookie-secret, query-keys and [key]
 * secret files), read once more and thrown away: 0, or an error in err. */
static int reload_reads(const char *path, char *err, size_t errlen)
{
    struct dx_conf *c = NULL;
    int r = dx_conf_load(path, &c, err, errlen);
    if (r == 0 && (r = dx_cookie_setup(c, NULL, dx_now(), err, errlen)) == 0)
        r = dx_policy_attach(c, NULL, err, errlen);
    dx_conf_free(c);
    return r;
}

/* dnsxld -t as root with a user to drop to: read what a SIGHUP reads as
 * that user, in a child that drops root as dnsxld would. 0, or an exit
 * status with the error logged. */
static int check_as_user(const char *path, const char *user)
{
    if (!user || geteuid() != 0)
        return 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        dx_log_err("cannot check the files as user %s: fork: %s", user, strerror(errno));
        return DX_EX_STORE;
    }
    if (pid == 0) {
        char msg[160], err[512];
        int r = dx_privs_drop(user, msg, sizeof(msg), err, sizeof(err));
        if (r == 0)
            r = reload_reads(path, err, sizeof(err));
        if (r != 0)
            dx_log_err("as user %s (after the drop, and on every SIGHUP): %s", user, err);
        _exit(r == 0 ? DX_EX_OK : dx_exit_conf(r));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            dx_log_err("cannot check the files as user %s: waitpid: %s", user, strerror(errno));
            return DX_EX_STORE;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    dx_log_err("cannot check the files as user %s: the check was killed", user);
    return DX_EX_STORE;
}

int main(int argc, char **argv)
{
    const char *opt_conf = NULL, *opt_user = NULL;
    bool check_only = false, verbose = false;
    int c;

    static const struct option longopts[] = {
        { "config",  required_argument, NULL, 'c' },
        { "user",    required_argument, NULL, 'u' },
        { "check",   no_argument,       NULL, 't' },
        { "verbose", no_argument,       NULL, 'v' },
        { "help",    no_argument,       NULL, 'h' },
        { "version", no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    while ((c = getopt_long(argc, argv, "c:u:thvV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opt_conf = optarg; break;
        case 'u': opt_user = optarg; break;
        case 't': check_only = true; break;
        case 'v': verbose = true; break;
        case 'h': usage(stdout); return DX_EX_OK;
        case 'V': printf("dnsxld %s (libuv %s)\n", DNSXL_VERSION, uv_version_string());
                  return DX_EX_OK;
        default:  usage(stderr); return DX_EX_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "dnsxld: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return DX_EX_USAGE;
    }
    dx_log_init("dnsxld", verbose ? DX_LOG_DEBUG : DX_LOG_INFO);

    struct daemon d;
    memset(&d, 0, sizeof(d));
    d.conf_path = dx_conf_default_path(opt_conf);

    struct dx_conf *conf = NULL;
    char err[512];
    int r = dx_conf_load(d.conf_path, &conf, err, sizeof(err));
    if (r == 0 && ((r = dx_cookie_setup(conf, NULL, dx_now(), err, sizeof(err))) != 0 ||
                   (r = dx_policy_attach(conf, NULL, err, sizeof(err))) != 0 ||
                   (r = obs_check(conf, err, sizeof(err))) != 0))
        dx_conf_free(conf);             /* cookie-secret, query-keys files: checked by -t too */
    if (r != 0) {
        dx_log_err("%s", err);
        return dx_exit_conf(r);
    }
    if (check_only) {
        r = dx_privs_check(opt_user ? opt_user : conf->server.user, err, sizeof(err));
        if (r != 0) {
            dx_log_err("%s", err);
            dx_conf_free(conf);
            return dx_exit_conf(r);
        }
        r = check_as_user(d.conf_path, opt_user ? opt_user : conf->server.user);
        if (r != 0) {
            dx_conf_free(conf);
            return r;
        }
        printf("%s: configuration OK\n", d.conf_path);
        dx_conf_free(conf);
        return DX_EX_OK;
    }

    signal(SIGPIPE, SIG_IGN);
    (void)dx_now();                     /* the clock starts here (DNSXL_TEST_NOW: zones/clock.h) */

    /* The sockets first, as root if need be; then root goes (privs.h),
     * before the store is opened or created. */
    struct dx_server *bound = NULL;
    r = dx_server_bind(conf, &bound, err, sizeof(err));
    if (r != 0) {
        dx_log_err("%s", err);
        dx_conf_free(conf);
        return DX_EX_STORE;
    }
    char how[160];
    r = dx_privs_drop(opt_user ? opt_user : conf->server.user, how, sizeof(how), err,
                      sizeof(err));
    if (r != 0) {
        dx_log_err("%s", err);
        dx_server_unbind(bound);
        dx_conf_free(conf);
        return r == DX_EINVAL || r == DX_EREFUSED ? DX_EX_USAGE : DX_EX_STORE;
    }
    if (how[0])
        dx_log_info("%s", how);
    /* the files read as root are read again on SIGHUP as the user: a layout
     * the user cannot read fails now, not at the first reload */
    if (strncmp(how, "dropped root", 12) == 0 &&
        (r = reload_reads(d.conf_path, err, sizeof(err))) != 0) {
        dx_log_err("as user %s (on every SIGHUP): %s", opt_user ? opt_user : conf->server.user,
                   err);
        dx_server_unbind(bound);
        dx_conf_free(conf);
        return dx_exit_conf(r);
    }

    /* The daemon may create the store (a fresh install answers the test
     * points until the first import); it says so. Opening never waits for
     * a running import. */
    struct dx_store *st = NULL;
    /* The daemon only reads: it maps far more address space than the store
     * holds (a mapping past the end of the file costs nothing), so it keeps
     * answering while writers grow the store (they double their map when
     * it fills) instead of stopping at MDB_MAP_RESIZED until a restart.
     * Where the address space is not there, map-size as configured. */
    uint64_t map = conf->server.map_size > DAEMON_MAP ? conf->server.map_size : DAEMON_MAP;
    r = dx_store_open(conf->server.database, map, DX_STORE_CREATE, &st);
    if (r == -ENOMEM && map != conf->server.map_size) {
        dx_log_warn("cannot map 1 TiB of address space for the store: mapping map-size; a "
                    "store grown past it needs a restart");
        r = dx_store_open(conf->server.database, conf->server.map_size, DX_STORE_CREATE, &st);
    }
    if (r != 0) {
        const char *hint = dx_store_hint(r);
        dx_log_err("cannot open the store %s: %s%s%s", conf->server.database, dx_strerror(r),
                   *hint ? "; " : "", hint);
        dx_server_unbind(bound);
        dx_conf_free(conf);
        return dx_exit_store(r);
    }
    if (dx_store_opened(st) & DX_STORE_CREATED)
        dx_log_warn("no store in %s: created a new, empty one", conf->server.database);
    if (dx_store_stale_readers(st) > 0)
        dx_log_info("cleared %d reader slots left by killed processes",
                    dx_store_stale_readers(st));

    int status = 0;
    r = uv_loop_init(&d.loop);
    if (r != 0) {
        dx_log_err("event loop: %s", uv_strerror(r));
        dx_server_unbind(bound);
        dx_conf_free(conf);
        dx_store_close(st);
        return DX_EX_STORE;
    }
    /* The workers answer as soon as they start: hold SIGTERM/SIGINT/SIGHUP
     * until their handlers are in place, so that a signal sent once the
     * server answers is never the default action (killed, status 143). */
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &held, NULL);
    d.store = st;
    r = obs_start(&d, bound, conf, st, err, sizeof(err));
    if (r != 0) {
        dx_log_err("%s", err);
        dx_server_unbind(bound);
        dx_conf_free(conf);
        obs_stop(&d);
        status = r == DX_EINVAL ? DX_EX_USAGE : DX_EX_STORE;
        goto out;
    }
    r = dx_server_run(bound, &d.loop, st, err, sizeof(err));
    if (r == 0)
        d.srv = bound;
    if (r != 0) {
        dx_log_err("%s", err);
        dx_conf_free(conf);
        obs_stop(&d);
        status = DX_EX_STORE;
        goto out;
    }
    const struct dx_conf *running = conf;
    conf = NULL;                        /* the server owns it now */

    uv_signal_init(&d.loop, &d.sig_term);
    uv_signal_init(&d.loop, &d.sig_int);
    uv_signal_init(&d.loop, &d.sig_hup);
    d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
    d.store = st;
    uv_timer_init(&d.loop, &d.readers);
    d.readers.data = &d;
    uv_timer_start(&d.readers, on_readers_timer, READER_CHECK_MS, READER_CHECK_MS);
    if ((r = dx_notify_start(&d.loop, st, running, &d.notify)) != 0)
        dx_log_err("NOTIFY: cannot start: %s", dx_strerror(r));
    if (uv_signal_start(&d.sig_term, on_stop, SIGTERM) != 0 ||
        uv_signal_start(&d.sig_int, on_stop, SIGINT) != 0 ||
        uv_signal_start(&d.sig_hup, on_hup, SIGHUP) != 0) {
        dx_log_err("cannot install signal handlers");
        status = DX_EX_STORE;
        on_stop(&d.sig_term, SIGTERM);
    } else if (obs_serve(&d, running, err, sizeof(err)) != 0) {
        dx_log_err("%s", err);          /* the metrics port taken, say: nothing runs */
        status = DX_EX_STORE;
        on_stop(&d.sig_term, SIGTERM);
    }
    pthread_sigmask(SIG_UNBLOCK, &held, NULL);      /* a held signal is handled now */

    uv_run(&d.loop, UV_RUN_DEFAULT);
    if (status == 0)
        dx_log_info("stopped");

out:
    /* close anything left (nothing, normally), then the loop */
    uv_run(&d.loop, UV_RUN_DEFAULT);
    r = uv_loop_close(&d.loop);
    if (r != 0)
        dx_log_err("event loop close: %s", uv_strerror(r));
    dx_store_close(st);
    uv_library_shutdown();
    return status;
}
