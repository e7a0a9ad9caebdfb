/* dnsxl-loader: ingests data into the store (dnsxl-loader(8)).
 *
 *   dnsxl-loader [-c CONF] COMMAND ARGS...
 *
 * Commands: import (plain list files, or rbldnsd datasets through
 * loader/fmt_rbldnsd.h), country (IP-to-country data through
 * loader/fmt_country.h), expire; traps, reports and sync (loader/feeds.h);
 * publish (loader/publish.h).
 * Each handler returns an exit status of zones/cli.h (0 done, 1 bad usage
 * or input or refused by the safety checks, 2 store or system error);
 * config, store and any open transaction are released on one path in main().
 *
 * Operator safety (the [loader] keys of dnsxl.conf(5)): an entry wider than
 * shortest-prefix / shortest-prefix6 needs --force; a replace (import
 * --replace, country, sync) that would delete more than replace-max-delete
 * of the list needs --force; --dry-run counts and writes nothing; country
 * replaces only an empty or country list (zones/listkind.h) unless told
 * --replace.
 */
#include "loader/feeds.h"
#include "loader/format.h"
#include "loader/fmt_country.h"
#include "loader/fmt_rbldnsd.h"
#include "loader/import.h"
#include "loader/progress.h"
#include "loader/publish.h"

#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/dur.h"
#include "zones/err.h"
#include "zones/listkind.h"
#include "zones/store.h"
#include "zones/txt.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "dnsxl-loader"


struct ctx {
    const char *conf_opt;
    struct dx_conf *conf;
    struct dx_store *st;
    struct dx_txn *txn;
    struct dx_imp_set set;
    char *buf;                   /* current input file */
    size_t buf_len;
    uint64_t now;                /* the clock, read once per run (dx_now) */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every loader command writes: open (creating if missing) and begin. A
 * dry run only reads: it needs a store and takes a read txn, so it never
 * waits for a writer nor holds one up. */
static int open_store_for(struct ctx *c, bool dry_run)
{
    int ex = dx_cli_store(c->conf, !dry_run, &c->st);
    return ex ? ex : dx_cli_begin(c->st, !dry_run, c->now, &c->txn);
}

static const struct dx_cli_cmd cmds[];

enum { OPT_REPLACE = 1000, OPT_LIFETIME, OPT_REASON, OPT_FORMAT, OPT_FORCE, OPT_DRY_RUN };

/* getopt_long over argv (argv[0] = command). Returns DX_EX_OK, DX_EX_USAGE, or -1
 * after printing --help. */
static int getopts(struct ctx *c, const struct dx_cli_cmd *m, int argc, char **argv,
                   const struct option *lo, int (*set)(void *arg, int ch, const char *val),
                   void *arg)
{
    optind = 0;
    opterr = 0;
    for (;;) {
        int ch = getopt_long(argc, argv, "c:h", lo, NULL);
        if (ch == -1)
            return DX_EX_OK;
        if (ch == 'c') {
            c->conf_opt = optarg;
        } else if (ch == 'h') {
            dx_cli_cmd_usage(m, false);
            return -1;
        } else if (ch == '?' || ch == ':' || set(arg, ch, optarg)) {
            if (optopt > 0 && optopt < 128)
                dx_cli_err("%s: unknown option or missing argument: -%c", m->name, optopt);
            else
                dx_cli_err("%s: unknown option or missing argument: %s", m->name, argv[optind - 1]);
            return dx_cli_cmd_usage(m, true);
        }
    }
}

/* ---- import ------------------------------------------------------------- */

struct import_opts {
    bool replace, force, dry_run;
    const char *lifetime, *reason, *format;
};

static int import_set(void *arg, int ch, const char *val)
{
    struct import_opts *o = arg;
    switch (ch) {
    case OPT_REPLACE:  o->replace = true; return 0;
    case OPT_LIFETIME: o->lifetime = val; return 0;
    case OPT_REASON:   o->reason = val; return 0;
    case OPT_FORMAT:   o->format = val; return 0;
    case OPT_FORCE:    o->force = true; return 0;
    case OPT_DRY_RUN:  o->dry_run = true; return 0;
    }
    return 1;
}

static int cmd_import(void *ctx, int argc, char **argv);
static int cmd_country(void *ctx, int argc, char **argv);
static int cmd_expire(void *ctx, int argc, char **argv);

enum { CMD_IMPORT, CMD_COUNTRY, CMD_EXPIRE };

/* traps, reports and sync are whole commands of their own (loader/feeds.h) */
static int cmd_traps(void *ctx, int argc, char **argv)
{
    return dx_cmd_traps(((struct ctx *)ctx)->conf_opt, argc, argv);
}

static int cmd_reports(void *ctx, int argc, char **argv)
{
    return dx_cmd_reports(((struct ctx *)ctx)->conf_opt, argc, argv);
}

static int cmd_sync(void *ctx, int argc, char **argv)
{
    return dx_cmd_sync(((struct ctx *)ctx)->conf_opt, argc, argv);
}

static int cmd_publish(void *ctx, int argc, char **argv)
{
    return dx_cmd_publish(((struct ctx *)ctx)->conf_opt, argc, argv);
}

static const struct dx_cli_cmd cmds[] = {
    { "import", cmd_import,
      "ZONE/LIST FILE... [--replace] [--lifetime DUR] [--reason TEXT] [--format FMT]"
      " [--force] [--dry-run]",
      "plain list or rbldnsd dataset files (- = stdin); --replace makes the list equal to"
      " the files, atomically. FMT: auto (default; the format read is named on stderr),"
      " plain, ip4set, ip4trie, ip4tset, ip6tset, ip6trie, dnset, combined (an rbldnsd"
      " combined dataset: the parts named as LIST). --force: allow entries wider than"
      " [loader] shortest-prefix/shortest-prefix6 and a replace deleting more"
      " than replace-max-delete of the list. --dry-run: print what would change, write"
      " nothing" },
    { "country", cmd_country, "ZONE[/LIST] FILE... [--replace] [--force] [--dry-run]",
      "IP-to-country data (RIR delegated-stats files or CSV start,end,cc; - = stdin) into"
      " LIST, or the zone's only list; each entry answers A 127.0.X.Y (X*256+Y = ISO 3166-1"
      " numeric code) and TXT the code; the list is replaced atomically. A list holding"
      " entries not written by country is refused unless --replace; --force and --dry-run"
      " as for import" },
    { "expire", cmd_expire, "",
      "remove expired entries, recording history; prune history older than [loader] history" },
    { "traps", cmd_traps, "ZONE/LIST PATH [--progress]",
      "spam-trap mail: a Maildir, an mbox file, one message file, or - for one message on"
      " stdin; --progress draws the progress bar even when stderr is not a terminal" },
    { "reports", cmd_reports, "ZONE/LIST PATH [--progress]",
      "abuse reports in ARF (RFC 5965): a report file, a directory of them, a Maildir, an"
      " mbox file, or -; invalid reports among several are skipped and named (exit 3)" },
    { "sync", cmd_sync,
      "ZONE/LIST SOURCE [--pubkey FILE] [--format FMT] [--rsync PATH] [--force] [--dry-run]",
      "fetch a data file with rsync, check its minisign signature (SOURCE.minisig) when"
      " --pubkey is given, import it as import --replace does; --format, --force and"
      " --dry-run as for import" },
    { "publish", cmd_publish, "ZONE[/LIST] DIR --seckey FILE",
      "write the rbldnsd combined dataset of ZONE (or LIST) and its minisign signature into"
      " DIR as ZONE.combined (ZONE+LIST.combined) and .minisig, each replaced atomically, for"
      " mirrors running sync or rbldnsd; the password of an encrypted key is $"
      DX_PUBLISH_PASSWORD_ENV ", else asked on the terminal" },
    { NULL, NULL, NULL, NULL },
};

/* Register FILE (- = stdin) in the set and read it into c->buf. */
static int read_input(struct ctx *c, const char *file, char *err, size_t errlen)
{
    int fi = dx_imp_add_file(&c->set, file);
    if (fi < 0) {
        dx_cli_err("%s", dx_strerror(fi));
        return DX_EX_STORE;
    }
    int rc = dx_imp_read_file(file, &c->buf, &c->buf_len, err, errlen);
    if (rc) {
        dx_cli_err("cannot read %s", err);
        return dx_exit_file(rc);
    }
    return DX_EX_OK;
}

/* The operator policy for the parsed set: test points, entries wider than
 * [loader] shortest-prefix / shortest-prefix6 unless --force, own TXT and
 * codes valid for list l. */
static int check_set(struct ctx *c, const struct dx_list_conf *l, bool force, char *err,
                     size_t errlen)
{
    const struct dx_imp_policy pol = {
        .shortest4 = c->conf->loader.shortest_prefix,
        .shortest6 = c->conf->loader.shortest_prefix6, .force = force, .list = l,
    };
    if (dx_imp_check(&c->set, &pol, err, errlen)) {
        dx_cli_err("%s; nothing was written", err);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

/* After dx_imp_write: the exit status when the command ends here (a store
 * error, a refused replace, a dry run: said here), or -1 to go on and
 * commit (rc 0, not a dry run). */
static int write_outcome(struct ctx *c, int rc, const struct dx_imp_opts *io,
                         const struct dx_imp_stats *st, const char *target, const char *what)
{
    if (rc == DX_EREFUSED || (rc == 0 && io->dry_run)) {
        bool refused = rc == DX_EREFUSED;
        if (io->dry_run) {
            printf("dry run: %zu %s (%zu added, %zu updated, %zu deleted, %zu unchanged) for %s;"
                   " nothing written\n", st->total, what, st->added, st->updated, st->deleted,
                   st->unchanged, target);
            if (refused)
                dx_cli_err("without --force this replace is refused: it deletes %zu of the list's"
                           " %zu entries, more than replace-max-delete = %u%% in [loader]",
                           st->deleted, st->existing, io->max_delete);
        } else if (refused) {
            char msg[512];
            dx_imp_refused_msg(st, target, io->max_delete, msg, sizeof(msg));
            dx_cli_err("%s", msg);
        }
        return refused ? DX_EX_USAGE : DX_EX_OK;
    }
    if (rc)
        return dx_cli_store_err(c->st, target, rc);
    return -1;
}

/* The write phase of an import: dx_imp_write into c->txn, then (unless a
 * dry run) the commit. A set that does not fit the map (MDB_MAP_FULL: the
 * store outgrew map-size) is written again in a map twice as large, up to
 * 16 times: the map is address space, not disk. Returns the exit status
 * (said here when not 0), or -1 when committed (the caller prints). */
#define GROW_MAX 16

static int import_write(struct ctx *c, const struct dx_imp_opts *io, struct dx_imp_stats *st,
                        const char *target, const char *what)
{
    for (int grow = 0;; grow++) {
        int rc = dx_imp_write(c->txn, &c->set, io, st);
        if (rc == 0 && !io->dry_run) {
            dx_test_point("import-commit");
            struct dx_txn *t = c->txn;
            c->txn = NULL;
            rc = dx_txn_commit(t);          /* the index is built here */
            if (rc == 0)
                return -1;
        }
        if (!dx_store_map_full(rc) || grow == GROW_MAX)
            return write_outcome(c, rc, io, st, target, what);
        dx_txn_abort(c->txn);
        c->txn = NULL;
        if ((rc = dx_store_grow(c->st)))
            return dx_cli_store_err(c->st, target, rc);
        dx_cli_err("%s: the store outgrew its map: writing again with a map of %llu MiB (raise"
                   " map-size in [server] to start there)", target,
                   (unsigned long long)(dx_store_map_size(c->st) >> 20));
        int ex = dx_cli_begin(c->st, true, c->now, &c->txn);
        if (ex)
            return ex;
    }
}

static int parse_format(const char *name, bool ip_zone, int *fmt)
{
    char err[256];
    if (dx_fmt_parse_name(name, ip_zone, fmt, err, sizeof(err))) {
        dx_cli_err("%s", err);
        return DX_EX_USAGE;
    }
    return DX_EX_OK;
}

static int cmd_import(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const struct option lo[] = {
        { "replace",  no_argument,       NULL, OPT_REPLACE },
        { "lifetime", required_argument, NULL, OPT_LIFETIME },
        { "reason",   required_argument, NULL, OPT_REASON },
        { "format",   required_argument, NULL, OPT_FORMAT },
        { "force",    no_argument,       NULL, OPT_FORCE },
        { "dry-run",  no_argument,       NULL, OPT_DRY_RUN },
        { "config",   required_argument, NULL, 'c' },
        { "help",     no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct dx_cli_cmd *m = &cmds[CMD_IMPORT];
    struct import_opts o = { 0 };
    int ex = getopts(c, m, argc, argv, lo, import_set, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if (argc - optind < 2) {
        dx_cli_err("import: ZONE/LIST and at least one FILE required");
        return dx_cli_cmd_usage(m, true);
    }
    uint64_t lifetime = 0;
    if (o.lifetime && dx_dur_parse_lifetime(o.lifetime, &lifetime)) {
        dx_cli_err("bad --lifetime '%s' (" DX_DUR_FORMS ")", o.lifetime);
        return DX_EX_USAGE;
    }
    if ((ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    char err[512];
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    int rc = dx_conf_target(c->conf, argv[optind], false, &z, &l, err, sizeof(err));
    if (rc) {
        dx_cli_err("%s", err[0] ? err : dx_strerror(rc));
        return DX_EX_USAGE;
    }
    dx_cli_run_note("import", l->target);
    if (!o.lifetime)
        lifetime = l->lifetime;
    if (dx_txt_check_reason(o.reason, err, sizeof(err))) {
        dx_cli_err("bad --reason: %s", err);
        return DX_EX_USAGE;
    }
    bool ip_zone = z->kind == DX_ZONE_IP;
    int fmt;
    if ((ex = parse_format(o.format, ip_zone, &fmt)))
        return ex;
    /* entries of an rbldnsd file without their own value get the file's
     * default value copied in, unless it is the list's own */
    const struct dx_rbl_value list_value = { .code = l->code, .txt = l->txt,
                                              .list = l->name };

    /* 1. parse every file completely: nothing is written on a bad line */
    double t0 = mono();
    for (int i = optind + 1; i < argc; i++) {
        if ((ex = read_input(c, argv[i], err, sizeof(err))))
            return ex;
        int used = fmt;
        rc = dx_fmt_parse(&c->set, (uint16_t)(c->set.n_files - 1), c->buf, c->buf_len, fmt,
                          ip_zone, &list_value, &used, err, sizeof(err));
        free(c->buf);
        c->buf = NULL;
        if (fmt == DX_FMT_AUTO)     /* say what the file was read as */
            dx_cli_err("%s: format %s (auto-detected; --format chooses another)", argv[i],
                       dx_fmt_name(used));
        if (rc) {
            dx_cli_err("%s", err);
            return dx_exit_input(rc);
        }
    }
    double tp = mono();
    if ((ex = check_set(c, l, o.force, err, sizeof(err))))
        return ex;
    dx_imp_sort(&c->set);
    double t1 = mono();
    dx_test_point("import-parsed");

    /* 2. one write transaction */
    if ((ex = open_store_for(c, o.dry_run)))
        return ex;
    struct dx_progress prog;        /* drawn only on a terminal */
    dx_progress_start(&prog, "importing", c->set.n);
    struct dx_imp_opts io = {
        .zone = z->name, .list = l->name, .now = c->now, .lifetime = lifetime,
        .reason = o.reason, .source = "import", .replace = o.replace, .dry_run = o.dry_run,
        .max_delete = o.force ? 100 : c->conf->loader.replace_max_delete, .progress = &prog,
    };
    struct dx_imp_stats st;
    ex = import_write(c, &io, &st, l->target, "entries");
    if (ex == -1)
        dx_progress_update(&prog, c->set.n);
    dx_progress_done(&prog);
    if (ex != -1)
        return ex;
    double t3 = mono();
    dx_cli_run_counts(st.added, st.updated, st.deleted);
    printf("imported %zu entries (%zu added, %zu updated, %zu deleted) into %s in %.2fs\n",
           st.total, st.added, st.updated, st.deleted, l->target, t3 - t0);
    if (getenv("DNSXL_TIMING"))
        fprintf(stderr, PROG ": timing: read+parse %.3fs, check+sort %.3fs, write+commit"
                        " %.3fs (%zu unchanged)\n", tp - t0, t1 - tp, t3 - t1, st.unchanged);
    return DX_EX_OK;
}

/* ---- country ------------------------------------------------------------ */

static int no_opts(void *arg, int ch, const char *val)
{
    return 1;
}

/* ZONE/LIST, or ZONE with exactly one list: *l set, or an exit status. */
static int country_target(struct ctx *c, const char *target, struct dx_list_conf **l,
                          struct dx_zone_conf **z)
{
    char err[512];
    int rc = dx_conf_target(c->conf, target, true, z, l, err, sizeof(err));
    if (rc) {
        dx_cli_err("%s", err[0] ? err : dx_strerror(rc));
        return DX_EX_USAGE;
    }
    if (*l)
        return DX_EX_OK;
    if ((*z)->n_lists != 1) {
        dx_cli_err("country: zone '%s' has %zu lists; name one as %s/LIST", (*z)->name,
                   (*z)->n_lists, (*z)->name);
        return DX_EX_USAGE;
    }
    *l = &(*z)->lists[0];
    return DX_EX_OK;
}

static int cmd_country(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const struct option lo[] = {
        { "replace", no_argument,       NULL, OPT_REPLACE },
        { "force",   no_argument,       NULL, OPT_FORCE },
        { "dry-run", no_argument,       NULL, OPT_DRY_RUN },
        { "config",  required_argument, NULL, 'c' },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct dx_cli_cmd *m = &cmds[CMD_COUNTRY];
    struct import_opts o = { 0 };
    int ex = getopts(c, m, argc, argv, lo, import_set, &o);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if (argc - optind < 2) {
        dx_cli_err("country: ZONE[/LIST] and at least one FILE required");
        return dx_cli_cmd_usage(m, true);
    }
    if ((ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    if ((ex = country_target(c, argv[optind], &l, &z)))
        return ex;
    dx_cli_run_note("country", l->target);
    if (z->kind != DX_ZONE_IP) {
        dx_cli_err("country: zone '%s' is of kind domain; country data needs kind = ip", z->name);
        return DX_EX_USAGE;
    }

    /* 1. parse everything: nothing is written on a bad line */
    double t0 = mono();
    char err[512];
    for (int i = optind + 1; i < argc; i++) {
        if ((ex = read_input(c, argv[i], err, sizeof(err))))
            return ex;
        int rc = dx_fmt_country_parse(&c->set, (uint16_t)(c->set.n_files - 1), c->buf,
                                      c->buf_len, err, sizeof(err));
        free(c->buf);
        c->buf = NULL;
        if (rc) {
            dx_cli_err("%s", err);
            return dx_exit_input(rc);
        }
    }
    /* country ranges are the registries' allocations, some wider than an
     * operator's listing bound: only the RFC 5782 test points are checked */
    int rc = dx_imp_check(&c->set, NULL, err, sizeof(err));
    if (rc) {
        dx_cli_err("%s", err);
        return DX_EX_USAGE;
    }
    dx_imp_sort(&c->set);

    /* 2. the list becomes exactly the data, in one transaction; a list that
     * holds anything but country data is not replaced unless asked */
    if ((ex = open_store_for(c, o.dry_run)))
        return ex;
    struct dx_list_census cen;
    if ((rc = dx_list_census(c->txn, z->name, l->name, &cen)))
        return dx_cli_store_err(c->st, l->target, rc);
    if (cen.entries > cen.country && !o.replace) {
        char kt[DX_KEY_TEXT_MAX];
        dx_key_format(&cen.other, kt, sizeof(kt));
        dx_cli_err("country: %s is not a country list: %zu of its %zu entries were not written by"
                   " 'dnsxl-loader country' (%s, source %s, is one), and country data replaces the"
                   " whole list. Nothing was written; name the country list, or give --replace"
                   " to replace this one", l->target, cen.entries - cen.country, cen.entries, kt,
                   cen.other_source);
        return DX_EX_USAGE;
    }
    struct dx_imp_opts io = {
        .zone = z->name, .list = l->name, .now = c->now, .lifetime = DX_FOREVER,
        .reason = NULL, .source = DX_SOURCE_COUNTRY, .replace = true, .dry_run = o.dry_run,
        .max_delete = o.force ? 100 : c->conf->loader.replace_max_delete,
    };
    struct dx_imp_stats st;
    if ((ex = import_write(c, &io, &st, l->target, "country ranges")) != -1)
        return ex;
    dx_cli_run_counts(st.added, st.updated, st.deleted);
    printf("imported %zu country ranges (%zu added, %zu updated, %zu deleted) into %s in %.2fs\n",
           st.total, st.added, st.updated, st.deleted, l->target, mono() - t0);
    return DX_EX_OK;
}

/* ---- expire ------------------------------------------------------------- */

struct expire_ctx {
    struct dx_txn *w;
    uint64_t now;
    int err;
};

static int expire_cb(void *arg, const char *zone, const char *list, const struct dx_key *k,
                     const struct dx_entry *e)
{
    struct expire_ctx *x = arg;
    /* copy what points into the map before writing (a write may move it) */
    char zb[256], lb[256], sb[64], rb[1024];
    snprintf(zb, sizeof(zb), "%s", zone ? zone : "");
    snprintf(lb, sizeof(lb), "%s", list ? list : "");
    snprintf(sb, sizeof(sb), "%s", e->source ? e->source : "");
    snprintf(rb, sizeof(rb), "%s", e->reason ? e->reason : "");
    struct dx_hist h = { .at = x->now, .action = DX_HIST_EXPIRE, .zone = zb, .list = lb,
                         .source = sb[0] ? sb : NULL, .reason = rb[0] ? rb : NULL,
                         .expires_at = e->expires_at };
    int rc = dx_history_add(x->w, k, &h);
    if (rc) {
        x->err = rc;
        return rc;
    }
    return 0;
}

static int cmd_expire(void *ctx, int argc, char **argv)
{
    struct ctx *c = ctx;
    static const struct option lo[] = {
        { "config", required_argument, NULL, 'c' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct dx_cli_cmd *m = &cmds[CMD_EXPIRE];
    int ex = getopts(c, m, argc, argv, lo, no_opts, NULL);
    if (ex)
        return ex < 0 ? DX_EX_OK : ex;
    if (argc - optind != 0) {
        dx_cli_err("expire: no arguments expected");
        return dx_cli_cmd_usage(m, true);
    }
    if ((ex = dx_cli_conf(c->conf_opt, &c->conf)))
        return ex;
    dx_cli_run_note("expire", "");
    if ((ex = open_store_for(c, false)))
        return ex;
    struct expire_ctx x = { .w = c->txn, .now = c->now };
    size_t removed = 0;
    int rc = dx_expire(c->txn, x.now, expire_cb, &x, &removed);
    if (rc) {
        dx_cli_err("expire failed: %s", dx_strerror(x.err ? x.err : rc));
        return DX_EX_STORE;
    }
    /* history older than [loader] history goes too */
    size_t pruned = 0;
    uint64_t keep = c->conf->loader.history;
    if (keep != DX_FOREVER && keep < x.now &&
        (rc = dx_history_prune(c->txn, x.now - keep, &pruned))) {
        dx_cli_err("pruning history failed: %s", dx_strerror(rc));
        return DX_EX_STORE;
    }
    if ((ex = dx_cli_commit(c->st, &c->txn)))
        return ex;
    dx_cli_run_counts(0, 0, removed);
    printf("expired %zu entr%s, pruned %zu history record%s\n", removed,
           removed == 1 ? "y" : "ies", pruned, pruned == 1 ? "" : "s");
    return DX_EX_OK;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    /* LMDB mallocs every page a write transaction dirties, one by one: a
     * 1M-entry import dirties ~40k of them. Growing the heap 64 MiB at a
     * time instead of glibc's 128 KiB saves a heap extension and its page
     * faults per page (the write phase of such an import: 0.52 s -> 0.34 s). */
    mallopt(M_TOP_PAD, 64 << 20);
    struct ctx c;
    memset(&c, 0, sizeof(c));
    dx_cli_set_prog(PROG);
    c.now = dx_now();
    dx_imp_set_init(&c.set);
    int ex = dx_cli_run(argc, argv, cmds, &c.conf_opt, &c);
    dx_txn_abort(c.txn);
    c.txn = NULL;
    dx_cli_run_end(c.st, c.conf_opt, ex);  /* the run's record (zones/cli.h) */

    /* the one cleanup path */
    dx_txn_abort(c.txn);
    if (c.st)
        dx_store_close(c.st);
    if (c.conf)
        dx_conf_free(c.conf);
    free(c.buf);
    dx_imp_set_free(&c.set);
    return dx_cli_finish(ex);
}
