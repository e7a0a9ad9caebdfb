/* See zones/cli.h. */
#include "zones/cli.h"

#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/journal.h"
#include "zones/safe.h"
#include "zones/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char *prog = "dnsxl";

static struct {                         /* the run noted (dx_cli_run_note) */
    bool on;
    char command[32], target[512], msg[512];
    uint64_t started, added, updated, removed;
} run;

void dx_cli_set_prog(const char *p)
{
    prog = p;
}

void dx_cli_verr(const char *fmt, va_list ap)
{
    char msg[2048], safe[4 * sizeof(msg)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fprintf(stderr, "%s: %s\n", prog, dx_safe(msg, safe, sizeof(safe)));
    if (run.on) {                       /* the run's message (its first 511 bytes) */
        size_t n = strnlen(msg, sizeof(run.msg) - 1);
        memcpy(run.msg, msg, n);
        run.msg[n] = 0;
    }
}

void dx_cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dx_cli_verr(fmt, ap);
    va_end(ap);
}

int dx_exit_conf(int rc)
{
    return rc == -ENOMEM || rc == DX_ENOMEM ? DX_EX_STORE : DX_EX_USAGE;
}

int dx_exit_store(int rc)
{
    return rc == DX_ENOSTORE ? DX_EX_USAGE : DX_EX_STORE;
}

int dx_exit_file(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EISDIR ? DX_EX_USAGE : DX_EX_STORE;
}

int dx_exit_input(int rc)
{
    return rc == DX_EINVAL ? DX_EX_USAGE : DX_EX_STORE;
}

int dx_exit_check(int rc)
{
    return rc == DX_ENOMEM ? DX_EX_STORE : DX_EX_USAGE;
}

void dx_cli_usage(FILE *f, const struct dx_cli_cmd *cmds)
{
    fprintf(f, "usage: %s [-c CONF] COMMAND [ARGS...]\n\ncommands:\n", prog);
    for (const struct dx_cli_cmd *m = cmds; m->name; m++)
        fprintf(f, "  %s%s%s\n      %s\n", m->name, *m->args ? " " : "", m->args, m->help);
    fprintf(f, "\noptions:\n"
               "  -c, --config CONF  config file (default: $DNSXL_CONF, then /etc/dnsxl/dnsxl.conf)\n"
               "  -h, --help         this help; COMMAND --help for one command\n"
               "  -V, --version      print the version and exit\n"
               "\n" DX_EXIT_HELP);
}

int dx_cli_cmd_usage(const struct dx_cli_cmd *m, bool error)
{
    FILE *f = error ? stderr : stdout;
    fprintf(f, "usage: %s [-c CONF] %s%s%s\n  %s\n", prog, m->name, *m->args ? " " : "",
            m->args, m->help);
    if (!error)
        fputs("\n" DX_EXIT_HELP, f);
    return error ? DX_EX_USAGE : DX_EX_OK;
}

int dx_cli_run(int argc, char **argv, const struct dx_cli_cmd *cmds, const char **conf_opt,
               void *ctx)
{
    static const struct option opts[] = {
        { "config",  required_argument, NULL, 'c' },
        { "help",    no_argument,       NULL, 'h' },
        { "version", no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    optind = 0;                         /* GNU: full re-initialisation */
    opterr = 0;
    for (;;) {
        int ch = getopt_long(argc, argv, "+c:hV", opts, NULL);
        if (ch == -1)
            break;
        if (ch == 'c') {
            *conf_opt = optarg;
        } else if (ch == 'h') {
            dx_cli_usage(stdout, cmds);
            return DX_EX_OK;
        } else if (ch == 'V') {
            printf("%s %s\n", prog, DNSXL_VERSION);
            return DX_EX_OK;
        } else {
            dx_cli_err("unknown option or missing argument: %s", argv[optind - 1]);
            dx_cli_usage(stderr, cmds);
            return DX_EX_USAGE;
        }
    }
    if (optind >= argc) {
        dx_cli_err("no command given");
        dx_cli_usage(stderr, cmds);
        return DX_EX_USAGE;
    }
    for (const struct dx_cli_cmd *m = cmds; m->name; m++)
        if (strcmp(m->name, argv[optind]) == 0)
            return m->run(ctx, argc - optind, argv + optind);
    dx_cli_err("unknown command '%s'", argv[optind]);
    dx_cli_usage(stderr, cmds);
    return DX_EX_USAGE;
}

int dx_cli_finish(int ex)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && ex == DX_EX_OK) {
        dx_cli_err("write error on standard output");
        ex = DX_EX_STORE;
    }
    return ex;
}

int dx_cli_conf(const char *opt, struct dx_conf **out)
{
    char err[512] = "";
    const char *path = dx_conf_default_path(opt);
    int rc = dx_conf_load(path, out, err, sizeof(err));
    if (rc == 0)
        return DX_EX_OK;
    *out = NULL;
    if (err[0])
        dx_cli_err("%s", err);
    else
        dx_cli_err("%s: %s", path, dx_strerror(rc));
    return dx_exit_conf(rc);
}

int dx_cli_store_err(const struct dx_store *st, const char *what, int rc)
{
    const char *hint = dx_store_hint(rc), *dir = st ? dx_store_dir(st) : "";
    dx_cli_err("%s%s%s%s%s%s%s", what ? what : "", what ? ": " : "", dir, *dir ? ": " : "",
               dx_strerror(rc), *hint ? "; " : "", hint);
    return dx_exit_store(rc);
}

int dx_cli_store(const struct dx_conf *conf, bool write, struct dx_store **out)
{
    const char *dir = conf->server.database;
    int rc = dx_store_open(dir, conf->server.map_size, write ? DX_STORE_CREATE : 0, out);
    if (rc) {
        const char *hint = dx_store_hint(rc);
        dx_cli_err("cannot open the store %s: %s%s%s", dir, dx_strerror(rc), *hint ? "; " : "",
                   hint);
        return dx_exit_store(rc);
    }
    dx_store_set_history_limit(*out, conf->loader.history_size);
    /* every writer journals (dnsxl-web writes through a store opened so) */
    if (dx_journal_attach(*out, conf) != 0) {
        dx_cli_err("cannot open the store %s: %s", dir, dx_strerror(DX_ENOMEM));
        dx_store_close(*out);
        *out = NULL;
        return DX_EX_STORE;
    }
    unsigned how = dx_store_opened(*out);
    if (how & DX_STORE_CREATED)
        dx_cli_err("created a new, empty store in %s", dir);
    else if (how & DX_STORE_UPGRADED)
        dx_cli_err("upgraded the store in %s: added the databases it missed, rebuilt an ip "
                   "index of an older layout", dir);
    int stale = dx_store_stale_readers(*out);
    if (stale > 0)
        dx_cli_err("cleared %d reader slot%s left by killed processes in %s", stale,
                   stale == 1 ? "" : "s", dir);
    return DX_EX_OK;
}

int dx_cli_begin(struct dx_store *st, bool write, uint64_t now, struct dx_txn **t)
{
    int rc = write ? dx_txn_write(st, now, t) : dx_txn_read(st, t);
    if (rc) {
        *t = NULL;
        return dx_cli_store_err(st, write ? "cannot begin a write transaction"
                                          : "cannot begin a read transaction", rc);
    }
    return DX_EX_OK;
}

int dx_cli_commit(struct dx_store *st, struct dx_txn **t)
{
    struct dx_txn *x = *t;
    *t = NULL;
    int rc = dx_txn_commit(x);
    return rc ? dx_cli_store_err(st, "nothing was written", rc) : DX_EX_OK;
}

void dx_cli_run_note(const char *command, const char *target)
{
    run.on = true;
    snprintf(run.command, sizeof(run.command), "%s", command);
    snprintf(run.target, sizeof(run.target), "%s", target ? target : "");
    run.msg[0] = 0;
    run.started = dx_now();
    run.added = run.updated = run.removed = 0;
}

void dx_cli_run_counts(uint64_t added, uint64_t updated, uint64_t removed)
{
    run.added = added;
    run.updated = updated;
    run.removed = removed;
}

void dx_cli_run_end(struct dx_store *st, const char *conf_opt, int ex)
{
    if (!run.on)
        return;
    run.on = false;                     /* what follows is not the run's message */
    struct dx_conf *conf = NULL;
    struct dx_store *own = NULL;
    int rc = 0;
    if (!st) {
        char err[512] = "";
        if (dx_conf_load(dx_conf_default_path(conf_opt), &conf, err, sizeof(err)) != 0)
            return;                     /* said by the command already */
        rc = dx_store_open(conf->server.database, conf->server.map_size, 0, &own);
        st = own;
    }
    struct dx_txn *w = NULL;
    struct dx_run r = { .command = run.command, .target = run.target, .started = run.started,
                        .finished = dx_now(), .status = (uint8_t)ex, .added = run.added,
                        .updated = run.updated, .removed = run.removed,
                        .message = run.msg[0] ? run.msg : NULL };
    if (rc == 0 && (rc = dx_txn_write(st, r.finished, &w)) == 0 && (rc = dx_run_put(w, &r)) == 0)
        rc = dx_txn_commit(w);
    else if (w)
        dx_txn_abort(w);
    if (rc && rc != DX_ENOSTORE)
        dx_cli_err("warning: cannot record this run of %s in the store: %s", run.command,
                   dx_strerror(rc));
    if (own)
        dx_store_close(own);
    dx_conf_free(conf);
}
