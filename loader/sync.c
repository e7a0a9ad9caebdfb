/* dnsxl-loader sync ZONE/LIST SOURCE [--pubkey FILE] [--format FMT] (see feeds.h).
 *
 * 1. fetch: the real rsync binary (fork + execvp, no shell):
 *      rsync -t --checksum --timeout=60 -- SOURCE CACHE/
 *    (--checksum: a changed file of the same size and mtime as the cached
 *    copy is still fetched; rsync's quick check would skip it) and, with
 *    --pubkey, SOURCE.minisig the same way (a stale signature in
 *    the cache is removed first, so a missing one is noticed). CACHE is
 *    DATABASE/sync-cache/ZONE/LIST/; rsync's delta transfer reuses the
 *    previous copy there.
 * 2. verify: with --pubkey, the minisign signature (legacy or prehashed)
 *    must verify, or nothing is imported (exit 1, the store is untouched).
 * 3. unchanged: the SHA-256 of the file equals the one recorded in
 *    CACHE/.synced after the last successful import -> nothing is written.
 * 4. parse the whole file (plain list or rbldnsd dataset; auto-detected,
 *    and the format read named on stderr), refuse 127.0.0.1 and (without
 *    --force) entries wider than [loader] shortest-prefix/-prefix6, sort,
 *    and import with --replace semantics in one write transaction; then
 *    record the hash (write + rename). A replace that would delete more
 *    than [loader] replace-max-delete of the list (a truncated or empty
 *    feed) is refused unless --force, and the hash is not recorded, so the
 *    next run tries again. --dry-run: steps 1-4 without the write (a read
 *    txn), the hash not recorded.
 */
#include "loader/feeds.h"

#include "loader/format.h"
#include "loader/import.h"
#include "loader/minisign.h"

#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/safe.h"
#include "zones/store.h"
#include "zones/txt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "dnsxl-loader"
#define STATE_FILE ".synced"

enum { OPT_PUBKEY = 1000, OPT_FORMAT, OPT_RSYNC, OPT_FORCE, OPT_DRY_RUN };

static void usage(FILE *out)
{
    fprintf(out, "usage: " PROG " [-c CONF] sync ZONE/LIST SOURCE [--pubkey FILE] [--format FMT]"
                 " [--rsync PATH] [--force] [--dry-run]\n"
                 "  fetch a zone file with rsync (an rsync:// URL or a path), check its minisign\n"
                 "  signature (SOURCE.minisig) when --pubkey is given, import it with --replace.\n"
                 "  FMT: auto (default), plain, ip4set, ip4trie, ip4tset, ip6tset, ip6trie, dnset,\n"
                 "    combined (the parts named as LIST: dnsxl-loader publish, dnsxl-admin export)\n"
                 "  --rsync PATH: the rsync program to run (default: rsync, found in PATH)\n"
                 "  --force: allow entries wider than [loader] shortest-prefix/shortest-prefix6 and\n"
                 "    a replace that deletes more than replace-max-delete of the list\n"
                 "  --dry-run: fetch, check and count what would change; write nothing\n");
    if (out == stdout)
        fputs("\n" DX_EXIT_HELP, out);
}

/* mkdir -p for an absolute or relative path, owner-only (the cache holds
 * the list data, as the store does). 0 or -errno. */
static int mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return -ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* Run rsync -t --checksum --timeout=60 -- src dstdir/ ; returns its exit status (0 ok),
 * or -errno if it could not be started, 128+N if killed by signal N. */
static int rsync_fetch(const char *rsync, const char *src, const char *dstdir)
{
    char dst[4096];
    snprintf(dst, sizeof(dst), "%s/", dstdir);
    char *argv[] = { (char *)rsync, "-t", "--checksum", "--timeout=60", "--", (char *)src, dst, NULL };
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, STDIN_FILENO);
            close(fd);
        }
        dup2(STDERR_FILENO, STDOUT_FILENO);   /* our stdout is the summary */
        execvp(rsync, argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const char *base_name(const char *src)
{
    const char *s = strrchr(src, '/');
    return s ? s + 1 : src;
}

/* A SOURCE that rsync or its remote shell could read as an option: "-x",
 * or "[user@]-host:path" / "[user@]-host::module" (ssh -oProxyCommand=...).
 * "--" before SOURCE covers rsync's own options only, and older rsync
 * versions pass such a host name on to ssh. */
static bool option_like(const char *src)
{
    if (src[0] == '-')
        return true;
    if (strncmp(src, "rsync://", 8) == 0) {
        const char *h = src + 8, *at = strchr(h, '@'), *sl = strchr(h, '/');
        if (at && (!sl || at < sl))
            h = at + 1;
        return h[0] == '-';
    }
    const char *colon = strchr(src, ':'), *sl = strchr(src, '/');
    if (!colon || (sl && sl < colon))
        return false;                   /* a local path */
    const char *h = src;
    for (const char *p = src; p < colon; p++)
        if (*p == '@')
            h = p + 1;
    return h[0] == '-';
}

static void sha256_hex(const char *buf, size_t len, char hex[2 * crypto_hash_sha256_BYTES + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)buf, len);
    sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, h, sizeof(h));
}

/* The hash recorded for this list's cache, or "" */
static void read_state(const char *cache, char *out, size_t cap)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/" STATE_FILE, cache);
    out[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[256];
    if (fgets(line, sizeof(line), fp) && strncmp(line, "sha256 ", 7) == 0) {
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(out, cap, "%s", line + 7);
    }
    fclose(fp);
}

static int write_state(const char *cache, const char *hex, const char *source)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof(path), "%s/" STATE_FILE, cache);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp)
        return -errno;
    fprintf(fp, "sha256 %s\nsource %s\n", hex, source);
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        int e = errno;
        fclose(fp);
        unlink(tmp);
        return -e;
    }
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return -e;
    }
    return 0;
}

int dx_cmd_sync(const char *conf_path, int argc, char **argv)
{
    static const struct option lo[] = {
        { "pubkey", required_argument, NULL, OPT_PUBKEY },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "rsync",  required_argument, NULL, OPT_RSYNC },
        { "force",  no_argument,       NULL, OPT_FORCE },
        { "dry-run", no_argument,      NULL, OPT_DRY_RUN },
        { "config", required_argument, NULL, 'c' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *pubkey = NULL, *format = NULL, *rsync = "rsync";
    bool force = false, dry_run = false;
    optind = 0;
    opterr = 0;
    for (;;) {
        int ch = getopt_long(argc, argv, "c:h", lo, NULL);
        if (ch == -1)
            break;
        switch (ch) {
        case 'c': conf_path = optarg; break;
        case 'h': usage(stdout); return DX_EX_OK;
        case OPT_PUBKEY: pubkey = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_RSYNC: rsync = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_DRY_RUN: dry_run = true; break;
        default:
            dx_cli_err("sync: unknown option or missing argument: %s", argv[optind - 1]);
            usage(stderr);
            return DX_EX_USAGE;
        }
    }
    if (argc - optind != 2) {
        dx_cli_err("sync: ZONE/LIST and SOURCE required");
        usage(stderr);
        return DX_EX_USAGE;
    }
    const char *target = argv[optind], *source = argv[optind + 1];
    char ssb[4 * 4096];
    const char *ssrc = dx_safe(source, ssb, sizeof(ssb));   /* for stdout: no control bytes */
    const char *name = base_name(source);
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == '.') {
        dx_cli_err("sync: SOURCE '%s' must name a file (not a directory or dot file)", source);
        return DX_EX_USAGE;
    }
    if (option_like(source)) {
        dx_cli_err("sync: SOURCE '%s' must not start with '-' nor name a host that does"
                   " (write a local path as ./%s)", source, source);
        return DX_EX_USAGE;
    }
    if (sodium_init() < 0) {
        dx_cli_err("libsodium failed to initialise");
        return DX_EX_STORE;
    }

    struct dx_conf *conf = NULL;
    struct dx_store *st = NULL;
    struct dx_txn *w = NULL;
    struct dx_imp_set set;
    dx_imp_set_init(&set);
    char *buf = NULL;
    size_t len = 0;
    char err[1024] = "";
    int ex = dx_cli_conf(conf_path, &conf);
    if (ex)
        return ex;
    struct dx_zone_conf *z;
    struct dx_list_conf *l;
    if (dx_conf_target(conf, target, false, &z, &l, err, sizeof(err))) {
        dx_cli_err("sync: %s", err);
        ex = DX_EX_USAGE;
        goto done;
    }
    dx_cli_run_note("sync", l->target);
    bool ip_zone = z->kind == DX_ZONE_IP;
    int fmt;
    if (dx_fmt_parse_name(format, ip_zone, &fmt, err, sizeof(err))) {
        dx_cli_err("sync: %s", err);
        ex = DX_EX_USAGE;
        goto done;
    }

    /* 1. fetch */
    char cache[4096], data[4400], sig[4500];
    /* ZONE/LIST: neither a zone (a DNS name) nor a list name holds a '/' or
     * is "." or ".."; joined with '_' instead, zone "x.org" list "a_b" and
     * zone "x.org_a" list "b" would share one cache and its .synced hash */
    snprintf(cache, sizeof(cache), "%s/sync-cache/%s/%s", conf->server.database, z->name,
             l->name);
    int rc = mkdirs(cache);
    if (rc) {
        dx_cli_err("sync: cannot create cache directory %s: %s", cache, strerror(-rc));
        ex = DX_EX_STORE;
        goto done;
    }
    snprintf(data, sizeof(data), "%s/%s", cache, name);
    snprintf(sig, sizeof(sig), "%s.minisig", data);
    rc = rsync_fetch(rsync, source, cache);
    if (rc) {
        if (rc < 0)
            dx_cli_err("sync: cannot run %s: %s", rsync, strerror(-rc));
        else
            dx_cli_err("sync: %s %s failed (rsync exit status %d); nothing imported",
                       rsync, source, rc);
        ex = DX_EX_STORE;
        goto done;
    }
    if (pubkey) {
        char sigsrc[4200];
        snprintf(sigsrc, sizeof(sigsrc), "%s.minisig", source);
        if (unlink(sig) != 0 && errno != ENOENT) {
            dx_cli_err("sync: cannot remove the old signature %s: %s", sig, strerror(errno));
            ex = DX_EX_STORE;
            goto done;
        }
        rc = rsync_fetch(rsync, sigsrc, cache);
        if (rc) {
            dx_cli_err("sync: signature %s could not be fetched (rsync exit status %d);"
                       " refusing unsigned data, nothing imported", sigsrc, rc);
            ex = rc < 0 ? DX_EX_STORE : DX_EX_USAGE;
            goto done;
        }
        /* 2. verify */
        rc = dx_minisign_verify_file(pubkey, data, sig, err, sizeof(err));
        if (rc) {
            dx_cli_err("sync: signature check of %s failed: %s; nothing imported", source,
                       err[0] ? err : dx_strerror(rc));
            ex = dx_exit_check(rc);
            goto done;
        }
    }

    /* 3. unchanged? */
    if ((rc = dx_imp_read_file(data, &buf, &len, err, sizeof(err)))) {
        dx_cli_err("sync: cannot read %s", err);
        ex = DX_EX_STORE;
        goto done;
    }
    char hex[2 * crypto_hash_sha256_BYTES + 1], old[256];
    sha256_hex(buf, len, hex);
    read_state(cache, old, sizeof(old));
    if (strcmp(hex, old) == 0) {
        printf("sync %s: %s unchanged (sha256 %.16s...), nothing written\n", l->target, ssrc,
               hex);
        goto done;
    }

    /* 4. parse everything, then one write */
    int fi = dx_imp_add_file(&set, source);
    if (fi < 0) {
        dx_cli_err("sync: %s", dx_strerror(fi));
        ex = DX_EX_STORE;
        goto done;
    }
    const struct dx_rbl_value list_value = { .code = l->code, .txt = l->txt,
                                              .list = l->name };
    int used = fmt;
    rc = dx_fmt_parse(&set, (uint16_t)fi, buf, len, fmt, ip_zone, &list_value, &used, err,
                      sizeof(err));
    if (fmt == DX_FMT_AUTO)
        dx_cli_err("sync: %s: format %s (auto-detected; --format chooses another)", source,
                   dx_fmt_name(used));
    if (rc) {
        dx_cli_err("sync: %s; nothing imported", err[0] ? err : dx_strerror(rc));
        ex = dx_exit_input(rc);
        goto done;
    }
    const struct dx_imp_policy pol = {
        .shortest4 = conf->loader.shortest_prefix, .shortest6 = conf->loader.shortest_prefix6,
        .force = force, .list = l,
    };
    if ((rc = dx_imp_check(&set, &pol, err, sizeof(err)))) {
        dx_cli_err("sync: %s; nothing imported", err);
        ex = DX_EX_USAGE;
        goto done;
    }
    dx_imp_sort(&set);
    uint64_t now = dx_now();
    if ((ex = dry_run ? dx_cli_store(conf, false, &st) : dx_cli_store(conf, true, &st)) ||
        (ex = dx_cli_begin(st, !dry_run, now, &w)))
        goto done;
    char reason[4400];
    snprintf(reason, sizeof(reason), "sync from %s", source);
    if (dx_txt_check_reason(reason, err, sizeof(err))) {
        dx_cli_err("sync: SOURCE '%s' cannot be recorded as the entries' reason (%s);"
                   " nothing imported", source, err);
        ex = DX_EX_USAGE;
        goto done;
    }
    struct dx_imp_opts io = {
        .zone = z->name, .list = l->name, .now = now, .lifetime = l->lifetime,
        .reason = reason, .source = "sync", .replace = true, .dry_run = dry_run,
        .max_delete = force ? 100 : conf->loader.replace_max_delete,
    };
    struct dx_imp_stats ist;
    rc = dx_imp_write(w, &set, &io, &ist);
    if (rc == DX_EREFUSED || (rc == 0 && dry_run)) {
        if (dry_run) {
            printf("sync %s: dry run: %zu entries (%zu added, %zu updated, %zu deleted, %zu"
                   " unchanged) from %s; nothing written\n", l->target, ist.total, ist.added,
                   ist.updated, ist.deleted, ist.unchanged, ssrc);
            if (rc)
                dx_cli_err("sync: without --force this replace is refused: it deletes %zu of"
                           " the list's %zu entries, more than replace-max-delete = %u%% in"
                           " [loader]", ist.deleted, ist.existing, io.max_delete);
        } else if (rc) {
            dx_imp_refused_msg(&ist, l->target, io.max_delete, err, sizeof(err));
            dx_cli_err("sync: %s", err);
        }
        ex = rc ? DX_EX_USAGE : DX_EX_OK;
        goto done;
    }
    if (rc) {
        dx_cli_err("sync into %s failed: %s; nothing imported", l->target, dx_strerror(rc));
        ex = DX_EX_STORE;
        goto done;
    }
    if ((ex = dx_cli_commit(st, &w)))
        goto done;
    dx_cli_run_counts(ist.added, ist.updated, ist.deleted);
    if ((rc = write_state(cache, hex, source)))
        dx_cli_err("sync: warning: cannot record the synced hash in %s: %s (the next sync"
                   " imports again)", cache, strerror(-rc));
    printf("sync %s: imported %zu entries (%zu added, %zu updated, %zu deleted) from %s%s\n",
           l->target, ist.total, ist.added, ist.updated, ist.deleted, ssrc,
           pubkey ? ", signature verified" : "");
done:
    dx_txn_abort(w);
    if (st)
        dx_store_close(st);
    free(buf);
    dx_imp_set_free(&set);
    dx_conf_free(conf);
    return ex;
}
