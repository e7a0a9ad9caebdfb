/* dnsxl-loader publish (see loader/publish.h). */
#include "loader/publish.h"

#include "loader/minisign.h"

#include "zones/afile.h"
#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/export.h"
#include "zones/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PROG "dnsxl-loader"

enum { OPT_SECKEY = 1000 };

static void usage(FILE *out)
{
    fprintf(out, "usage: " PROG " [-c CONF] publish ZONE[/LIST] DIR --seckey FILE\n"
                 "  write the zone's (or list's) rbldnsd combined dataset and its minisign\n"
                 "  signature into DIR (ZONE.combined or ZONE+LIST.combined, and .minisig),\n"
                 "  each replaced atomically, for mirrors running dnsxl-loader sync or rbldnsd.\n"
                 "  FILE: a minisign secret key; the password of an encrypted one is\n"
                 "  $" DX_PUBLISH_PASSWORD_ENV ", else asked on the terminal\n");
    if (out == stdout)
        fputs("\n" DX_EXIT_HELP, out);
}

/* The password of an encrypted key: the environment, else the terminal. */
struct pw {
    char buf[1024];
    bool asked;
};

static const char *password(void *arg)
{
    struct pw *p = arg;
    const char *env = getenv(DX_PUBLISH_PASSWORD_ENV);
    if (env)
        return env;
    if (!isatty(STDIN_FILENO))
        return NULL;
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    struct termios old, quiet;
    bool echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fputs("Password for the secret key: ", tty);
    fflush(tty);
    const char *r = fgets(p->buf, sizeof(p->buf), tty);
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    p->asked = true;
    if (!r)
        return NULL;
    p->buf[strcspn(p->buf, "\r\n")] = '\0';
    return p->buf;
}

/* Sign the data written so far to a (flushed) into a's twin NAME.minisig,
 * opened (not committed) in sig. 0, or the exit status (said here). */
static int sign_into(const struct dx_minisign_sk *sk, struct dx_afile *data, const char *name,
                     uint64_t now, struct dx_afile *sig)
{
    char err[4400], tc[700], text[1200];
    if (fflush(data->f) != 0) {
        dx_cli_err("publish: %s: %s", data->path, strerror(errno));
        return DX_EX_STORE;
    }
    int fd = open(data->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        dx_cli_err("publish: %s: %s", data->tmp, strerror(errno));
        return DX_EX_STORE;
    }
    snprintf(tc, sizeof(tc), "timestamp:%llu\tfile:%s\thashed", (unsigned long long)now, name);
    size_t tl = 0;
    int rc = dx_minisign_sign_fd(sk, fd, tc, text, sizeof(text), &tl, err, sizeof(err));
    close(fd);
    if (rc) {
        dx_cli_err("publish: signing %s: %s", data->path, err);
        return DX_EX_STORE;
    }
    char sp[4200];
    snprintf(sp, sizeof(sp), "%s.minisig", data->path);
    if ((rc = dx_afile_open(sig, sp, 0644, err, sizeof(err)))) {
        dx_cli_err("publish: %s", err);
        return DX_EX_STORE;
    }
    if (fwrite(text, 1, tl, sig->f) != tl) {
        dx_cli_err("publish: %s: %s", sp, strerror(errno));
        return DX_EX_STORE;
    }
    return DX_EX_OK;
}

int dx_cmd_publish(const char *conf_path, int argc, char **argv)
{
    static const struct option lo[] = {
        { "seckey", required_argument, NULL, OPT_SECKEY },
        { "config", required_argument, NULL, 'c' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *seckey = NULL;
    optind = 0;
    opterr = 0;
    for (;;) {
        int ch = getopt_long(argc, argv, "c:h", lo, NULL);
        if (ch == -1)
            break;
        switch (ch) {
        case 'c': conf_path = optarg; break;
        case 'h': usage(stdout); return DX_EX_OK;
        case OPT_SECKEY: seckey = optarg; break;
        default:
            dx_cli_err("publish: unknown option or missing argument: %s", argv[optind - 1]);
            usage(stderr);
            return DX_EX_USAGE;
        }
    }
    if (argc - optind != 2 || !seckey) {
        dx_cli_err("publish: ZONE[/LIST], DIR and --seckey FILE required");
        usage(stderr);
        return DX_EX_USAGE;
    }
    const char *target = argv[optind], *dir = argv[optind + 1];
    if (sodium_init() < 0) {
        dx_cli_err("libsodium failed to initialise");
        return DX_EX_STORE;
    }
    struct dx_conf *conf = NULL;
    struct dx_store *st = NULL;
    struct dx_txn *t = NULL;
    struct dx_afile data = { 0 }, sig = { 0 };
    struct dx_minisign_sk sk;
    char err[4400] = "";
    int ex = dx_cli_conf(conf_path, &conf);
    if (ex)
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    if (dx_conf_target(conf, target, true, &z, &l, err, sizeof(err))) {
        dx_cli_err("publish: %s", err);
        dx_conf_free(conf);
        return DX_EX_USAGE;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        dx_cli_err("publish: DIR %s: %s", dir, stat(dir, &sb) != 0 ? strerror(errno)
                                                                  : "not a directory");
        dx_conf_free(conf);
        return DX_EX_USAGE;
    }

    /* 1. the key */
    struct pw pw = { .asked = false };
    int rc = dx_minisign_sk_load(seckey, password, &pw, &sk, err, sizeof(err));
    sodium_memzero(pw.buf, sizeof(pw.buf));
    if (rc) {
        if (rc == DX_EREFUSED && !pw.asked && !getenv(DX_PUBLISH_PASSWORD_ENV))
            dx_cli_err("publish: %s (set %s, or run on a terminal); nothing written", err,
                       DX_PUBLISH_PASSWORD_ENV);
        else
            dx_cli_err("publish: %s; nothing written", err);
        ex = rc == DX_EINVAL || rc == DX_EREFUSED ? DX_EX_USAGE : dx_exit_file(rc);
        goto done;
    }

    /* 2. the export from one read txn, signed */
    char name[600], path[4800];
    if (l)
        snprintf(name, sizeof(name), "%s+%s.combined", z->name, l->name);
    else
        snprintf(name, sizeof(name), "%s.combined", z->name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    uint64_t now = dx_now();
    if ((ex = dx_cli_store(conf, false, &st)) || (ex = dx_cli_begin(st, false, now, &t)))
        goto done;
    if ((rc = dx_afile_open(&data, path, 0644, err, sizeof(err)))) {
        dx_cli_err("publish: %s; nothing written", err);
        ex = DX_EX_STORE;
        goto done;
    }
    err[0] = '\0';
    rc = dx_export_rbldnsd(data.f, t, z, l, now, err, sizeof(err));
    if (rc == DX_EINVAL) {                       /* a template with no rbldnsd form */
        dx_cli_err("publish: %s; nothing written", err);
        ex = DX_EX_USAGE;
        goto done;
    }
    if (rc < 0 && rc > -4096) {                  /* a write error */
        dx_cli_err("publish: %s: %s; nothing written", path, strerror(-rc));
        ex = DX_EX_STORE;
        goto done;
    }
    if (rc) {
        ex = dx_cli_store_err(st, target, rc);
        goto done;
    }
    if ((ex = sign_into(&sk, &data, name, now, &sig)))
        goto done;

    /* 3. data, then signature */
    if ((rc = dx_afile_commit(&data, err, sizeof(err)))) {
        dx_cli_err("publish: %s; nothing replaced", err);
        ex = DX_EX_STORE;
        goto done;
    }
    if ((rc = dx_afile_commit(&sig, err, sizeof(err)))) {
        dx_cli_err("publish: %s: the data file is new, its signature old: run publish again",
                   err);
        ex = DX_EX_STORE;
        goto done;
    }
    printf("published %s and %s.minisig\n", path, path);
done:
    sodium_memzero(&sk, sizeof(sk));
    dx_afile_abort(&data);
    dx_afile_abort(&sig);
    dx_txn_abort(t);
    if (st)
        dx_store_close(st);
    dx_conf_free(conf);
    return ex;
}
