/* Unit tests for zones/cli.c (what dnsxl-admin and dnsxl-loader share at
 * their edges: exit statuses, the command front, config and store opening). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zones/cli.h"
#include "zones/conf.h"
#include "zones/err.h"
#include "zones/store.h"

/* ---- capturing stdout or stderr ----------------------------------------- */

struct cap {
    int fd, saved, which;
    char path[64];
};

static void cap_begin(struct cap *c, int which)
{
    fflush(which == STDOUT_FILENO ? stdout : stderr);
    strcpy(c->path, "/tmp/dx-cli-out-XXXXXX");
    c->fd = mkstemp(c->path);
    assert_true(c->fd >= 0);
    c->which = which;
    c->saved = dup(which);
    assert_int_equal(dup2(c->fd, which), which);
}

/* What was written since cap_begin (free it). */
static char *cap_end(struct cap *c)
{
    fflush(c->which == STDOUT_FILENO ? stdout : stderr);
    assert_int_equal(dup2(c->saved, c->which), c->which);
    close(c->saved);
    off_t n = lseek(c->fd, 0, SEEK_END);
    char *s = calloc(1, (size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(pread(c->fd, s, (size_t)n, 0), n);
    close(c->fd);
    unlink(c->path);
    return s;
}

/* ---- exit statuses ------------------------------------------------------ */

static void test_exit_statuses_follow_the_table(void **state)
{
    (void)state;
    assert_int_equal(dx_exit_conf(DX_EINVAL), DX_EX_USAGE);
    assert_int_equal(dx_exit_conf(-ENOENT), DX_EX_USAGE);
    assert_int_equal(dx_exit_conf(-ENOMEM), DX_EX_STORE);
    assert_int_equal(dx_exit_conf(DX_ENOMEM), DX_EX_STORE);
    assert_int_equal(dx_exit_store(DX_ENOSTORE), DX_EX_USAGE);
    assert_int_equal(dx_exit_store(DX_ESCHEMA), DX_EX_STORE);
    assert_int_equal(dx_exit_store(-EACCES), DX_EX_STORE);
    assert_int_equal(dx_exit_file(-ENOENT), DX_EX_USAGE);
    assert_int_equal(dx_exit_file(-EACCES), DX_EX_USAGE);
    assert_int_equal(dx_exit_file(-EISDIR), DX_EX_USAGE);
    assert_int_equal(dx_exit_file(-EIO), DX_EX_STORE);
    assert_int_equal(dx_exit_file(DX_ENOMEM), DX_EX_STORE);
    assert_int_equal(dx_exit_input(DX_EINVAL), DX_EX_USAGE);
    assert_int_equal(dx_exit_input(DX_ENOMEM), DX_EX_STORE);
    assert_int_equal(dx_exit_input(-EIO), DX_EX_STORE);
    assert_int_equal(dx_exit_check(DX_ENOMEM), DX_EX_STORE);
    assert_int_equal(dx_exit_check(DX_EINVAL), DX_EX_USAGE);
    assert_int_equal(dx_exit_check(DX_EREFUSED), DX_EX_USAGE);
}

/* ---- the command front -------------------------------------------------- */

struct seen {
    int calls, argc;
    char argv0[32], argv1[32];
};

static int fake_run(void *ctx, int argc, char **argv)
{
    struct seen *s = ctx;
    s->calls++;
    s->argc = argc;
    snprintf(s->argv0, sizeof(s->argv0), "%s", argv[0]);
    snprintf(s->argv1, sizeof(s->argv1), "%s", argc > 1 ? argv[1] : "");
    return 7;
}

static const struct dx_cli_cmd cmds[] = {
    { "first", fake_run, "ZONE/LIST KEY", "does the first thing" },
    { "second", fake_run, "", "takes no arguments" },
    { NULL, NULL, NULL, NULL },
};

static int run(const char *a1, const char *a2, const char *a3, const char *a4,
               const char **conf, struct seen *s)
{
    char *argv[6] = { "dnsxl-test" };
    int argc = 1;
    const char *a[] = { a1, a2, a3, a4 };
    for (size_t i = 0; i < 4 && a[i]; i++)
        argv[argc++] = (char *)a[i];
    return dx_cli_run(argc, argv, cmds, conf, s);
}

static void test_run_dispatches_to_the_named_command_after_the_common_options(void **state)
{
    (void)state;
    dx_cli_set_prog("dnsxl-test");
    struct seen s = { 0 };
    const char *conf = NULL;
    assert_int_equal(run("-c", "/x.conf", "first", "a/b", &conf, &s), 7);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.argc, 2);
    assert_string_equal(s.argv0, "first");
    assert_string_equal(s.argv1, "a/b");
    assert_string_equal(conf, "/x.conf");
    /* options after the command are the command's */
    memset(&s, 0, sizeof(s));
    conf = NULL;
    assert_int_equal(run("second", "-c", "/y.conf", NULL, &conf, &s), 7);
    assert_int_equal(s.argc, 3);
    assert_string_equal(s.argv1, "-c");
    assert_null(conf);
}

static void test_run_refuses_what_names_no_command(void **state)
{
    (void)state;
    dx_cli_set_prog("dnsxl-test");
    struct seen s = { 0 };
    const char *conf = NULL;
    struct cap c;
    cap_begin(&c, STDERR_FILENO);
    int a = run("third", NULL, NULL, NULL, &conf, &s);
    int b = run(NULL, NULL, NULL, NULL, &conf, &s);
    int d = run("--bogus", "first", NULL, NULL, &conf, &s);
    int e = run("-c", NULL, NULL, NULL, &conf, &s);
    char *err = cap_end(&c);
    assert_int_equal(a, DX_EX_USAGE);
    assert_int_equal(b, DX_EX_USAGE);
    assert_int_equal(d, DX_EX_USAGE);
    assert_int_equal(e, DX_EX_USAGE);
    assert_int_equal(s.calls, 0);
    assert_non_null(strstr(err, "dnsxl-test: unknown command 'third'\n"));
    assert_non_null(strstr(err, "dnsxl-test: no command given\n"));
    assert_non_null(strstr(err, "dnsxl-test: unknown option or missing argument: --bogus\n"));
    assert_non_null(strstr(err, "usage: dnsxl-test [-c CONF] COMMAND [ARGS...]\n"));
    free(err);
}

static void test_help_and_version_go_to_stdout(void **state)
{
    (void)state;
    dx_cli_set_prog("dnsxl-test");
    struct seen s = { 0 };
    const char *conf = NULL;
    struct cap c;
    cap_begin(&c, STDOUT_FILENO);
    int h = run("--help", NULL, NULL, NULL, &conf, &s);
    int v = run("-V", NULL, NULL, NULL, &conf, &s);
    int u = dx_cli_cmd_usage(&cmds[1], false);
    char *out = cap_end(&c);
    assert_int_equal(h, DX_EX_OK);
    assert_int_equal(v, DX_EX_OK);
    assert_int_equal(u, DX_EX_OK);
    assert_non_null(strstr(out, "usage: dnsxl-test [-c CONF] COMMAND [ARGS...]\n\ncommands:\n"
                                "  first ZONE/LIST KEY\n      does the first thing\n"
                                "  second\n      takes no arguments\n"));
    assert_non_null(strstr(out, "exit status:\n"));
    assert_non_null(strstr(out, "dnsxl-test " DNSXL_VERSION "\n"));
    assert_non_null(strstr(out, "usage: dnsxl-test [-c CONF] second\n  takes no arguments\n"));
    free(out);
    cap_begin(&c, STDERR_FILENO);
    int e = dx_cli_cmd_usage(&cmds[0], true);
    char *err = cap_end(&c);
    assert_int_equal(e, DX_EX_USAGE);
    assert_string_equal(err, "usage: dnsxl-test [-c CONF] first ZONE/LIST KEY\n"
                             "  does the first thing\n");
    free(err);
    assert_int_equal(dx_cli_finish(DX_EX_OK), DX_EX_OK);
    assert_int_equal(dx_cli_finish(DX_EX_PARTIAL), DX_EX_PARTIAL);
}

/* ---- config and store --------------------------------------------------- */

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void test_conf_and_store_say_what_failed_and_return_its_status(void **state)
{
    (void)state;
    dx_cli_set_prog("dnsxl-test");
    char dir[] = "/tmp/dx-cli-XXXXXX", conf_path[64], missing[64];
    assert_non_null(mkdtemp(dir));
    snprintf(conf_path, sizeof(conf_path), "%s/dnsxl.conf", dir);
    snprintf(missing, sizeof(missing), "%s/nope.conf", dir);
    FILE *fp = fopen(conf_path, "w");
    assert_non_null(fp);
    fputs("[server]\ndatabase = db\n[zone bl.test]\nttl = soon\n", fp);
    fclose(fp);

    struct dx_conf *conf = (struct dx_conf *)1;
    struct cap c;
    cap_begin(&c, STDERR_FILENO);
    int a = dx_cli_conf(missing, &conf);
    char *err = cap_end(&c);
    assert_int_equal(a, DX_EX_USAGE);
    assert_null(conf);
    assert_non_null(strstr(err, "dnsxl-test: "));
    assert_non_null(strstr(err, "nope.conf: No such file or directory\n"));
    free(err);
    cap_begin(&c, STDERR_FILENO);
    a = dx_cli_conf(conf_path, &conf);
    err = cap_end(&c);
    assert_int_equal(a, DX_EX_USAGE);
    assert_non_null(strstr(err, "dnsxl.conf:4: ttl: bad TTL 'soon'"));
    free(err);

    fp = fopen(conf_path, "w");
    assert_non_null(fp);
    fputs("[server]\ndatabase = db\nmap-size = 16M\n[zone bl.test]\n", fp);
    fclose(fp);
    assert_int_equal(dx_cli_conf(conf_path, &conf), DX_EX_OK);
    struct dx_store *st = NULL;
    cap_begin(&c, STDERR_FILENO);
    a = dx_cli_store(conf, false, &st);         /* reading: a missing store is an error */
    int b = dx_cli_store(conf, true, &st);      /* writing: created, and said */
    err = cap_end(&c);
    assert_int_equal(a, DX_EX_USAGE);
    assert_int_equal(b, DX_EX_OK);
    assert_non_null(strstr(err, "dnsxl-test: cannot open the store "));
    assert_non_null(strstr(err, "dnsxl-test: created a new, empty store in "));
    free(err);
    struct dx_txn *t = NULL;
    assert_int_equal(dx_cli_begin(st, true, 1800000000u, &t), DX_EX_OK);
    assert_non_null(t);
    assert_int_equal(dx_cli_commit(st, &t), DX_EX_OK);
    assert_null(t);
    assert_int_equal(dx_cli_begin(st, false, 0, &t), DX_EX_OK);
    dx_txn_abort(t);
    cap_begin(&c, STDERR_FILENO);
    a = dx_cli_store_err(st, "add", DX_ENOSTORE);
    b = dx_cli_store_err(NULL, NULL, DX_ESCHEMA);
    err = cap_end(&c);
    assert_int_equal(a, DX_EX_USAGE);
    assert_int_equal(b, DX_EX_STORE);
    assert_non_null(strstr(err, "dnsxl-test: add: "));
    free(err);
    dx_store_close(st);
    dx_conf_free(conf);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_statuses_follow_the_table),
        cmocka_unit_test(test_run_dispatches_to_the_named_command_after_the_common_options),
        cmocka_unit_test(test_run_refuses_what_names_no_command),
        cmocka_unit_test(test_help_and_version_go_to_stdout),
        cmocka_unit_test(test_conf_and_store_say_what_failed_and_return_its_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
