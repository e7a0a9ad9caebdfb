/* dnsxl-loader traps and reports (see feeds.h): mail in, listing policy
 * (loader/policy.h) out, one write transaction per run.
 *
 * Counting a message once. Every decision the policy takes for a message
 * lands in the key's history with the reason "... message <ID>" (ID = the
 * Message-ID, or "sha256:HEX" of the whole message when it has none). Before
 * applying a message, the key's history in the target list is searched for
 * that tag (dx_pol_seen): a message already counted, in this run (the write
 * txn sees its own records) or in an earlier one (re-running the same
 * Maildir), is a duplicate and changes nothing. The evidence thus lives as
 * long as the history does (dx_history_prune). Messages whose client cannot
 * be determined leave no record and are counted as such every time.
 */
#include "loader/feeds.h"

#include "loader/arf.h"
#include "loader/mail.h"
#include "loader/policy.h"
#include "loader/progress.h"
#include "loader/received.h"

#include "zones/cli.h"
#include "zones/clock.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/safe.h"
#include "zones/store.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "dnsxl-loader"
#define MAX_RCVD 64                 /* Received headers read per message */
#define TAG_MAX 320

/* --- common state of a traps/reports run ------------------------------------- */

#define MAX_WHY 16
#define MAX_NAMED 100               /* skipped reports named in the summary */

/* Feedback-Types that are valid but never list (dx_arf_lists), as counted;
 * the last slot counts every type not registered. */
static const char *const not_complaint_types[4] = { "not-spam", "auth-failure", "other",
                                                    "unregistered type" };

struct feed {
    const char *cmd;                 /* "traps" / "reports" */
    const struct dx_conf *conf;
    const struct dx_list_conf *list;
    const struct dx_list_conf *backscatter;   /* traps: or NULL */
    struct dx_txn *w;
    uint64_t now;
    int err;                         /* first store error: stops the walk */
    struct dx_progress prog;
    /* counts */
    uint64_t messages, unreadable, duplicates, no_client, bounces, bounces_skipped;
    uint64_t keys;
    uint64_t outcome[DX_POL_DUPLICATE + 1];
    /* reports: valid reports that never list, by not_complaint_types; and
     * messages that are no usable report, the first MAX_NAMED of them named
     * ("NAME: reason") for the summary */
    uint64_t not_complaint[4], invalid;
    char *named[MAX_NAMED];
    size_t n_named;
    struct { const char *why; uint64_t n; } why[MAX_WHY];
    size_t n_why;
    struct { enum dx_rcvd_why why; uint64_t n; } nc[8];
};

static void count_why(struct feed *f, const char *why)
{
    if (!why)
        why = "?";
    for (size_t i = 0; i < f->n_why; i++)
        if (strcmp(f->why[i].why, why) == 0) {
            f->why[i].n++;
            return;
        }
    if (f->n_why < MAX_WHY) {
        f->why[f->n_why].why = why;
        f->why[f->n_why++].n = 1;
    }
}

/* Keep "name: why" for the summary (reports; the first MAX_NAMED). */
static void name_skipped(struct feed *f, const char *name, const char *what, const char *why)
{
    if (f->n_named >= MAX_NAMED)
        return;
    size_t n = strlen(name) + strlen(what) + strlen(why) + 3;
    char *t = malloc(n);
    if (!t)
        return;  /* the summary names fewer; the count stays right */
    snprintf(t, n, "%s: %s%s", name, what, why);
    f->named[f->n_named++] = t;
}

static void unreadable_cb(void *arg, const char *name, int err, const char *reason)
{
    struct feed *f = arg;
    f->unreadable++;
    if (!reason)
        reason = dx_strerror(err);
    dx_cli_err("%s: %s: unreadable, skipped: %s", f->cmd, name, reason);
    if (strcmp(f->cmd, "reports") == 0)
        name_skipped(f, name, "unreadable: ", reason);
}

/* "message <ID>" for m, or "message <sha256:HEX>" of buf when it has none. */
static void evidence_tag(const struct dx_mail_msg *m, const char *buf, size_t len, char *tag,
                         size_t cap)
{
    char id[256];
    if (m && dx_mail_message_id(m, id, sizeof(id)) > 0) {
        snprintf(tag, cap, "message <%s>", id);
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)buf, len);
    char hex[2 * sizeof(h) + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(tag, cap, "message <sha256:%s>", hex);
}

/* One key from one message: dedupe, then the policy. Returns 0 or a store
 * error (recorded in f->err). */
static int apply(struct feed *f, const struct dx_list_conf *l, const struct dx_key *k,
                 const char *tag, const char *reporter, const char *reason)
{
    f->keys++;
    int rc = dx_pol_seen(f->w, k, l->zone->name, l->name, tag);
    if (rc < 0)
        return f->err = rc;
    if (rc == 1) {
        f->duplicates++;
        f->outcome[DX_POL_DUPLICATE]++;
        return 0;
    }
    enum dx_pol_outcome out = DX_POL_REJECTED;
    const char *why = NULL;
    if (reporter)
        rc = dx_pol_report(f->conf, f->w, l, k, reporter, reason, f->now, &out, &why);
    else
        rc = dx_pol_hit(f->conf, f->w, l, k, f->cmd, reason, f->now, &out, &why);
    if (rc)
        return f->err = rc;
    f->outcome[out]++;
    if (out == DX_POL_REJECTED)
        count_why(f, why);
    return 0;
}

static void count_no_client(struct feed *f, enum dx_rcvd_why why)
{
    f->no_client++;
    for (size_t i = 0; i < sizeof(f->nc) / sizeof(f->nc[0]); i++) {
        if (f->nc[i].n == 0 || f->nc[i].why == why) {
            f->nc[i].why = why;
            f->nc[i].n++;
            return;
        }
    }
}

/* The client of a parsed message's Received chain (relays: ours, or none). */
static int client_of(const struct dx_mail_msg *m, const struct dx_acl *relays, struct dx_key *k,
                     enum dx_rcvd_why *why)
{
    const char *vals[MAX_RCVD];
    size_t n = dx_mail_header_all(m, "Received", vals, MAX_RCVD);
    if (n > MAX_RCVD)
        n = MAX_RCVD;
    size_t hop;
    *why = DX_RCVD_EMPTY;
    return dx_rcvd_client(vals, n, relays ? relays->nets : NULL, relays ? relays->n : 0, k, &hop,
                          why);
}

/* --- traps ---------------------------------------------------------------------- */

static int trap_message(void *arg, const char *buf, size_t len, const char *name)
{
    struct feed *f = arg;
    f->messages++;
    dx_progress_update(&f->prog, f->messages);
    struct dx_mail_msg m;
    if (dx_mail_parse(&m, buf, len)) {
        f->unreadable++;
        dx_cli_err("traps: %s: out of memory parsing the message, skipped", name);
        return 0;
    }
    char tag[TAG_MAX];
    evidence_tag(&m, buf, len, tag, sizeof(tag));
    bool bounce = dx_mail_is_bounce(&m);
    struct dx_key client;
    enum dx_rcvd_why why;
    int rc = client_of(&m, &f->conf->loader.trusted_relays, &client, &why);
    dx_mail_free(&m);
    if (rc) {
        count_no_client(f, why);
        return 0;
    }
    const struct dx_list_conf *l = f->list;
    if (bounce) {
        f->bounces++;
        if (!f->backscatter) {
            f->bounces_skipped++;
            return 0;
        }
        l = f->backscatter;
    }
    char reason[TAG_MAX + 64];
    snprintf(reason, sizeof(reason), "%s, %s", bounce ? "backscatter to a spam trap"
                                                      : "spam trap hit", tag);
    return apply(f, l, &client, tag, NULL, reason) ? 1 : 0;
}

/* --- reports ----------------------------------------------------------------------- */

/* A message that is no usable report: named on stderr now, counted and
 * named in the summary (or, for a single report, the error: run_feed). */
static void invalid_report(struct feed *f, const char *name, const char *why)
{
    f->invalid++;
    dx_cli_err("reports: %s: invalid report: %s", name, why);
    name_skipped(f, name, "", why);
}

static int report_message(void *arg, const char *buf, size_t len, const char *name)
{
    struct feed *f = arg;
    f->messages++;
    dx_progress_update(&f->prog, f->messages);
    struct dx_mail_msg m;
    if (dx_mail_parse(&m, buf, len)) {
        f->err = DX_ENOMEM;
        return 1;
    }
    char tag[TAG_MAX];
    evidence_tag(&m, buf, len, tag, sizeof(tag));
    struct dx_arf a;
    char err[256] = "";
    int rc = dx_arf_parse(&m, &a, err, sizeof(err));
    if (rc == DX_ENOMEM) {
        f->err = rc;
        goto out;
    }
    if (rc) {
        invalid_report(f, name, err[0] ? err : dx_strerror(rc));
        goto out;
    }
    if (!dx_arf_lists(a.feedback_type)) {
        size_t t = 0;
        while (t < 3 && strcmp(a.feedback_type, not_complaint_types[t]) != 0)
            t++;
        f->not_complaint[t]++;
        goto out;
    }
    if (!a.reporter[0]) {
        invalid_report(f, name, "no reporter: neither a From: address nor Reporting-MTA");
        goto out;
    }
    char reason[TAG_MAX + 128];
    snprintf(reason, sizeof(reason), "%s report, %s", a.feedback_type, tag);
    const struct dx_list_conf *l = f->list;
    if (l->zone->kind == DX_ZONE_DOMAIN) {
        if (a.n_domains == 0)
            invalid_report(f, name, "no valid Reported-Domain, and the list is in a domain zone");
        for (size_t i = 0; i < a.n_domains && !f->err; i++)
            apply(f, l, &a.domains[i], tag, a.reporter, reason);
        goto out;
    }
    struct dx_key k;
    rc = dx_arf_source(&a, &k, err, sizeof(err));
    if (rc == DX_ENOMEM)
        f->err = rc;
    else if (rc)
        invalid_report(f, name, err);
    else
        apply(f, l, &k, tag, a.reporter, reason);
out:
    dx_arf_free(&a);
    dx_mail_free(&m);
    return f->err ? 1 : 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory of report files (not a Maildir): each regular file, by name. */
static int report_dir(struct feed *f, const char *dir, const struct dx_mail_src_ops *ops)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        dx_cli_err("reports: %s: %s", dir, strerror(e));
        return DX_EX_USAGE;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int ex = DX_EX_OK;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn) {
                ex = DX_EX_STORE;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) {
            ex = DX_EX_STORE;
            break;
        }
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n && ex == DX_EX_OK && !f->err; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            ops->error(f, path, DX_EINVAL, "not a regular file");
            continue;
        }
        struct dx_mail_stats ms;
        char err[512] = "";
        int rc = dx_mail_read_source(path, ops, f, &ms, err, sizeof(err));
        if (rc < 0)
            ops->error(f, path, rc, err[0] ? err : dx_strerror(rc));
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (ex)
        dx_cli_err("reports: out of memory");
    return ex;
}

/* Reporter records older than every list's window can never count again:
 * drop them (none when some list keeps reports forever). */
static int prune_reporters(const struct dx_conf *conf, struct dx_txn *w, uint64_t now)
{
    uint64_t widest = 0;
    for (size_t i = 0; i < conf->n_zones; i++)
        for (size_t j = 0; j < conf->zones[i].n_lists; j++)
            if (conf->zones[i].lists[j].window > widest)
                widest = conf->zones[i].lists[j].window;
    if (widest == 0 || widest >= now)
        return 0;
    size_t removed = 0;
    return dx_report_prune(w, now - widest, &removed);
}

/* --- one run ------------------------------------------------------------------------- */

enum { OPT_PROGRESS = 1000 };

static void usage(FILE *out, const char *cmd)
{
    if (strcmp(cmd, "traps") == 0)
        fprintf(out, "usage: " PROG " [-c CONF] traps ZONE/LIST PATH [--progress]\n"
                     "  spam-trap mail: a Maildir, an mbox file, one message file, or - for one\n"
                     "  message on stdin\n");
    else
        fprintf(out, "usage: " PROG " [-c CONF] reports ZONE/LIST PATH [--progress]\n"
                     "  abuse reports in ARF (RFC 5965): a report file, a directory of them, a\n"
                     "  Maildir, an mbox file, or - for one on stdin; among several, invalid\n"
                     "  reports are skipped and named (exit status 3)\n");
    fprintf(out, "  --progress: draw the progress bar on stderr even when it is not a terminal\n");
    if (out == stdout)
        fputs("\n" DX_EXIT_HELP, out);
}

static void summary(const struct feed *f)
{
    printf("%s %s: %llu message%s\n", f->cmd, f->list->target, (unsigned long long)f->messages,
           f->messages == 1 ? "" : "s");
    printf("  listed: %llu\n", (unsigned long long)f->outcome[DX_POL_LISTED]);
    printf("  relisted: %llu\n", (unsigned long long)f->outcome[DX_POL_RELISTED]);
    printf("  extended: %llu\n", (unsigned long long)f->outcome[DX_POL_EXTENDED]);
    if (strcmp(f->cmd, "reports") == 0)
        printf("  pending (below threshold): %llu\n",
               (unsigned long long)f->outcome[DX_POL_PENDING]);
    printf("  held: %llu\n", (unsigned long long)f->outcome[DX_POL_HELD]);
    printf("  rejected by policy: %llu\n", (unsigned long long)f->outcome[DX_POL_REJECTED]);
    for (size_t i = 0; i < f->n_why; i++)
        printf("    %s: %llu\n", f->why[i].why, (unsigned long long)f->why[i].n);
    printf("  duplicates: %llu\n", (unsigned long long)f->duplicates);
    if (strcmp(f->cmd, "traps") == 0) {
        if (f->backscatter)
            printf("  bounces: %llu (to %s, %llu skipped)\n", (unsigned long long)f->bounces,
                   f->backscatter->target, (unsigned long long)f->bounces_skipped);
        else
            printf("  bounces: %llu (no backscatter list: %llu skipped)\n",
                   (unsigned long long)f->bounces, (unsigned long long)f->bounces_skipped);
        printf("  no client: %llu\n", (unsigned long long)f->no_client);
        for (size_t i = 0; i < sizeof(f->nc) / sizeof(f->nc[0]) && f->nc[i].n; i++)
            printf("    %s: %llu\n", dx_rcvd_why_str(f->nc[i].why),
                   (unsigned long long)f->nc[i].n);
    } else {
        uint64_t nc = 0;
        for (size_t i = 0; i < 4; i++)
            nc += f->not_complaint[i];
        printf("  not complaints (never listed): %llu\n", (unsigned long long)nc);
        for (size_t i = 0; i < 4; i++)
            if (f->not_complaint[i])
                printf("    %s: %llu\n", not_complaint_types[i],
                       (unsigned long long)f->not_complaint[i]);
        printf("  invalid (skipped): %llu\n", (unsigned long long)f->invalid);
    }
    printf("  unreadable: %llu\n", (unsigned long long)f->unreadable);
    if (f->n_named) {
        printf("  skipped:\n");
        for (size_t i = 0; i < f->n_named; i++) {
            char safe[4096];
            printf("    %s\n", dx_safe(f->named[i], safe, sizeof(safe)));
        }
        uint64_t skipped = f->invalid + f->unreadable;
        if (skipped > f->n_named)
            printf("    ... and %llu more (named on standard error)\n",
                   (unsigned long long)(skipped - f->n_named));
    }
}

static int run_feed(const char *conf_path, int argc, char **argv, bool traps)
{
    static const struct option lo[] = {
        { "config",   required_argument, NULL, 'c' },
        { "help",     no_argument,       NULL, 'h' },
        { "progress", no_argument,       NULL, OPT_PROGRESS },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = traps ? "traps" : "reports";
    bool force_progress = false;
    optind = 0;
    opterr = 0;
    for (;;) {
        int ch = getopt_long(argc, argv, "c:h", lo, NULL);
        if (ch == -1)
            break;
        if (ch == 'c') {
            conf_path = optarg;
        } else if (ch == 'h') {
            usage(stdout, cmd);
            return DX_EX_OK;
        } else if (ch == OPT_PROGRESS) {
            force_progress = true;
        } else {
            dx_cli_err("%s: unknown option or missing argument: %s", cmd, argv[optind - 1]);
            usage(stderr, cmd);
            return DX_EX_USAGE;
        }
    }
    if (argc - optind != 2) {
        dx_cli_err("%s: ZONE/LIST and PATH required", cmd);
        usage(stderr, cmd);
        return DX_EX_USAGE;
    }
    const char *target = argv[optind], *path = argv[optind + 1];
    if (sodium_init() < 0) {
        dx_cli_err("libsodium failed to initialise");
        return DX_EX_STORE;
    }

    struct dx_conf *conf = NULL;
    struct dx_store *st = NULL;
    struct feed f;
    memset(&f, 0, sizeof(f));
    f.cmd = cmd;
    int ex = dx_cli_conf(conf_path, &conf);
    if (ex)
        return ex;
    f.conf = conf;
    char err[512] = "";
    struct dx_zone_conf *z;
    struct dx_list_conf *l, *bl = NULL;
    if (dx_conf_target(conf, target, false, &z, &l, err, sizeof(err))) {
        dx_cli_err("%s: %s", cmd, err);
        ex = DX_EX_USAGE;
        goto done;
    }
    f.list = l;
    dx_cli_run_note(cmd, l->target);
    if (traps && l->backscatter) {
        struct dx_zone_conf *bz;
        if (dx_conf_target(conf, l->backscatter, false, &bz, &bl, err, sizeof(err))) {
            dx_cli_err("traps: backscatter of %s: %s", l->target, err);
            ex = DX_EX_USAGE;
            goto done;
        }
        if (bz->kind != DX_ZONE_IP) {
            dx_cli_err("traps: backscatter list %s is not in an ip zone", bl->target);
            ex = DX_EX_USAGE;
            goto done;
        }
        f.backscatter = bl;
    }
    if (traps && z->kind != DX_ZONE_IP) {
        dx_cli_err("traps: zone '%s' is of kind domain; traps list addresses (kind = ip)",
                   z->name);
        ex = DX_EX_USAGE;
        goto done;
    }
    f.now = dx_now();
    if ((ex = dx_cli_store(conf, true, &st)) || (ex = dx_cli_begin(st, true, f.now, &f.w)))
        goto done;
    int rc;
    if (force_progress)
        dx_progress_start_forced(&f.prog, cmd, 0);
    else
        dx_progress_start(&f.prog, cmd, 0);

    struct dx_mail_src_ops ops = {
        .message = traps ? trap_message : report_message,
        .error = unreadable_cb,
    };
    struct stat sb;
    bool plain_dir = false, is_dir = false;
    if (!traps && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        is_dir = true;
        char nd[4096], cd[4096];
        struct stat s2;
        snprintf(nd, sizeof(nd), "%s/new", path);
        snprintf(cd, sizeof(cd), "%s/cur", path);
        plain_dir = !(stat(nd, &s2) == 0 && S_ISDIR(s2.st_mode)) &&
                    !(stat(cd, &s2) == 0 && S_ISDIR(s2.st_mode));
    }
    if (plain_dir) {
        ex = report_dir(&f, path, &ops);
    } else {
        struct dx_mail_stats ms;
        rc = dx_mail_read_source(path, &ops, &f, &ms, err, sizeof(err));
        if (rc < 0) {
            dx_cli_err("%s: %s", cmd, err[0] ? err : dx_strerror(rc));
            ex = dx_exit_check(rc);
        }
    }
    dx_progress_done(&f.prog);
    if (f.err) {
        dx_cli_err("%s into %s failed: %s; nothing written", cmd, l->target,
                   dx_strerror(f.err));
        ex = DX_EX_STORE;
    }
    if (ex)
        goto done;
    /* reports: a single report (a file or - holding one message) that is no
     * valid report is bad input, already named with its reason; several (a
     * directory, a Maildir, an mbox): the valid ones are applied, the
     * others skipped, named in the summary, and the exit status says so */
    uint64_t skipped = traps ? f.unreadable : f.invalid + f.unreadable;
    if (!traps && skipped && !is_dir && f.messages + f.unreadable <= 1) {
        ex = DX_EX_USAGE;
        goto done;
    }
    if (!traps && (rc = prune_reporters(conf, f.w, f.now))) {
        dx_cli_err("reports: pruning old reporter records failed: %s; nothing written",
                   dx_strerror(rc));
        ex = DX_EX_STORE;
        goto done;
    }
    if ((ex = dx_cli_commit(st, &f.w)))
        goto done;
    dx_cli_run_counts(f.outcome[DX_POL_LISTED],
                      f.outcome[DX_POL_RELISTED] + f.outcome[DX_POL_EXTENDED], 0);
    summary(&f);
    if (skipped)
        ex = DX_EX_PARTIAL;
done:
    for (size_t i = 0; i < f.n_named; i++)
        free(f.named[i]);
    dx_txn_abort(f.w);
    if (st)
        dx_store_close(st);
    dx_conf_free(conf);
    return ex;
}

int dx_cmd_traps(const char *conf_path, int argc, char **argv)
{
    return run_feed(conf_path, argc, argv, true);
}

int dx_cmd_reports(const char *conf_path, int argc, char **argv)
{
    return run_feed(conf_path, argc, argv, false);
}
