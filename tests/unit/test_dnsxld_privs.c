/* Unit tests for dnsxld/privs.c: dropping root to a user and its group,
 * checked from inside (every uid and gid, the groups, root not coming
 * back), the refusal to run as root unless told, unknown users. Each case
 * runs in a child process (a drop is for the rest of a process). Needs
 * root: skipped otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsxld/privs.h"
#include "zones/err.h"

/* Run fn in a child; its exit status (0 = every check held). */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn());
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "child: %s failed (line %d)\n", #c, __LINE__); \
                                  return 1; } } while (0)

static int drop_to_nobody(void)
{
    struct passwd *pw = getpwnam("nobody");
    CHECK(pw != NULL);
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    char msg[160], err[256];
    CHECK(dx_privs_drop("nobody", msg, sizeof(msg), err, sizeof(err)) == 0);
    CHECK(strstr(msg, "dropped root: running as nobody (uid ") != NULL);
    uid_t r, e, s;
    gid_t rg, eg, sg;
    CHECK(getresuid(&r, &e, &s) == 0 && r == uid && e == uid && s == uid);
    CHECK(getresgid(&rg, &eg, &sg) == 0 && rg == gid && eg == gid && sg == gid);
    gid_t groups[8];
    int n = getgroups(8, groups);
    CHECK(n == 1 && groups[0] == gid);          /* its group alone */
    CHECK(setuid(0) != 0 && seteuid(0) != 0);   /* root does not come back */
    CHECK(setgid(0) != 0);
    /* once dropped: nothing to do for the same user, an error for others */
    CHECK(dx_privs_drop("nobody", msg, sizeof(msg), err, sizeof(err)) == 0 && msg[0] == 0);
    CHECK(dx_privs_drop(NULL, msg, sizeof(msg), err, sizeof(err)) == 0);
    CHECK(dx_privs_drop("root", msg, sizeof(msg), err, sizeof(err)) == DX_EINVAL);
    CHECK(strstr(err, "cannot switch to user root: not running as root") != NULL);
    return 0;
}

static void test_root_drops_to_a_user_and_its_group_for_good(void **state)
{
    (void)state;
    if (geteuid() != 0 || !getpwnam("nobody"))
        skip();
    assert_int_equal(in_child(drop_to_nobody), 0);
}

static int refuse_root(void)
{
    char msg[160], err[256];
    CHECK(dx_privs_drop(NULL, msg, sizeof(msg), err, sizeof(err)) == DX_EREFUSED);
    CHECK(strstr(err, "running as root: set user = NAME in [server]") != NULL);
    CHECK(geteuid() == 0);                      /* nothing changed */
    CHECK(dx_privs_drop("root", msg, sizeof(msg), err, sizeof(err)) == 0);
    CHECK(strcmp(msg, "running as root (user = root)") == 0);
    CHECK(geteuid() == 0 && getuid() == 0);
    CHECK(dx_privs_drop("no-such-user-dx", msg, sizeof(msg), err, sizeof(err)) == DX_EINVAL);
    CHECK(strcmp(err, "user no-such-user-dx: no such user") == 0);
    CHECK(dx_privs_check("no-such-user-dx", err, sizeof(err)) == DX_EINVAL);
    CHECK(dx_privs_check("root", err, sizeof(err)) == 0 && dx_privs_check(NULL, err, sizeof(err)) == 0);
    return 0;
}

static void test_root_is_refused_unless_told_and_unknown_users_are_errors(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(in_child(refuse_root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_drops_to_a_user_and_its_group_for_good),
        cmocka_unit_test(test_root_is_refused_unless_told_and_unknown_users_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
