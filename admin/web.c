/* dnsxl-web -c CONF: the public lookup and removal page (dnsxl-web(8),
 * admin/web.h). Reads the config, opens the store (it must exist), takes
 * the token key from [web] secret or a random one, and serves until
 * SIGTERM or SIGINT. */
#include "admin/web.h"

#include "zones/cli.h"
#include "zones/err.h"
#include "zones/secret.h"
#include "zones/window.h"

#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: dnsxl-web [-c CONF]\n"
               "  serve the lookup and removal page of the lists on [web] listen (HTTP: put a\n"
               "  TLS proxy in front); dnsxl-web(8)\n\n"
               "options:\n"
               "  -c, --config CONF  config file (default: $DNSXL_CONF, then /etc/dnsxl/dnsxl.conf)\n"
               "  -h, --help         this help\n"
               "  -V, --version      print the version and exit\n\n"
               "exit status:\n  0  stopped by SIGTERM or SIGINT\n"
               "  1  bad usage, a bad config or secret, no store, the address cannot be bound\n"
               "  2  store or system error\n");
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
    };
    dx_cli_set_prog("dnsxl-web");
    const char *conf_opt = NULL;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "c:hV", lo, NULL)) != -1) {
        if (ch == 'c') {
            conf_opt = optarg;
        } else if (ch == 'h') {
            usage(stdout);
            return 0;
        } else if (ch == 'V') {
            printf("dnsxl-web %s\n", DNSXL_VERSION);
            return 0;
        } else {
            dx_cli_err("unknown option or missing argument: %s", argv[optind - 1]);
            usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        dx_cli_err("unexpected argument '%s'", argv[optind]);
        usage(stderr);
        return 1;
    }
    if (sodium_init() < 0) {
        dx_cli_err("libsodium cannot start");
        return 2;
    }
    /* the signals are taken by sigwait in dx_web_serve: blocked in every thread */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct dx_conf *conf = NULL;
    struct dx_store *st = NULL;
    struct dx_web *w = calloc(1, sizeof(*w));
    int ex = w ? dx_cli_conf(conf_opt, &conf) : DX_EX_STORE;
    if (ex == DX_EX_OK)
        ex = dx_cli_store(conf, false, &st);
    if (ex == DX_EX_OK) {
        w->conf = conf;
        w->st = st;
        pthread_mutex_init(&w->lock, NULL);
        if (conf->web.secret) {
            char hex[128], err[600];
            size_t n;
            int rc = dx_secret_read(conf->web.secret, hex, sizeof(hex), &n, err, sizeof(err));
            if (rc == 0 && (n != 64 || dx_hex_decode(hex, n, w->key, sizeof(w->key)))) {
                snprintf(err, sizeof(err), "%s: expected 64 hex digits (32 random bytes)",
                         conf->web.secret);
                rc = DX_EINVAL;
            }
            sodium_memzero(hex, sizeof(hex));
            if (rc) {
                dx_cli_err("[web] secret: %s", err);
                ex = DX_EX_USAGE;
            }
        } else {
            randombytes_buf(w->key, sizeof(w->key));
        }
    }
    if (ex == DX_EX_OK) {
        w->requests = dx_sketch_new(conf->web.request_period, NULL);
        w->lookups = conf->web.lookup_limit ? dx_sketch_new(conf->web.lookup_period, NULL) : NULL;
        if (!w->requests || (conf->web.lookup_limit && !w->lookups)) {
            dx_cli_err("out of memory");
            ex = DX_EX_STORE;
        }
    }
    static volatile int stop;
    if (ex == DX_EX_OK)
        ex = dx_web_serve(w, &stop) ? DX_EX_USAGE : DX_EX_OK;
    if (w) {
        dx_sketch_release(w->requests);
        dx_sketch_release(w->lookups);
        sodium_memzero(w->key, sizeof(w->key));
        free(w);
    }
    if (st)
        dx_store_close(st);
    dx_conf_free(conf);
    return ex;
}
