/* See zones/cli.h. */
#include "zones/cli.h"

#include "zones/conf.h"
#include "zones/err.h"
#include "zones/safe.h"
#include "zones/store.h"

#include <errno.h>
#include <stdio.h>

static const char *prog = "dnsxl";

void dx_cli_set_prog(const char *p)
{
    prog = p;
}

const char *dx_cli_prog(void)
{
    return prog;
}

void dx_cli_verr(const char *fmt, va_list ap)
{
    char msg[2048], safe[4 * sizeof(msg)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fprintf(stderr, "%s: %s\n", prog, dx_safe(msg, safe, sizeof(safe)));
}

void dx_cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dx_cli_verr(fmt, ap);
    va_end(ap);
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
    return rc == -ENOMEM || rc == DX_ENOMEM ? DX_EX_STORE : DX_EX_USAGE;
}

int dx_cli_store_err(const struct dx_store *st, const char *what, int rc)
{
    const char *hint = dx_store_hint(rc), *dir = st ? dx_store_dir(st) : "";
    dx_cli_err("%s%s%s%s%s%s%s", what ? what : "", what ? ": " : "", dir, *dir ? ": " : "",
               dx_strerror(rc), *hint ? "; " : "", hint);
    return rc == DX_ENOSTORE ? DX_EX_USAGE : DX_EX_STORE;
}

int dx_cli_store(const struct dx_conf *conf, bool write, struct dx_store **out)
{
    const char *dir = conf->server.database;
    int rc = dx_store_open(dir, conf->server.map_size, write ? DX_STORE_CREATE : 0, out);
    if (rc) {
        const char *hint = dx_store_hint(rc);
        dx_cli_err("cannot open the store %s: %s%s%s", dir, dx_strerror(rc), *hint ? "; " : "",
                   hint);
        return rc == DX_ENOSTORE ? DX_EX_USAGE : DX_EX_STORE;
    }
    dx_store_set_history_limit(*out, conf->loader.history_size);
    unsigned how = dx_store_opened(*out);
    if (how & DX_STORE_CREATED)
        dx_cli_err("created a new, empty store in %s", dir);
    else if (how & DX_STORE_UPGRADED)
        dx_cli_err("added the databases missing from the store in %s", dir);
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
