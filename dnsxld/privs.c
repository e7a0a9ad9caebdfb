/* Dropping root after binding (privs.h). */
#include "dnsxld/privs.h"
#include "zones/err.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int sys(const char *what, const char *user, char *err, size_t errlen)
{
    int e = errno ? errno : EPERM;
    snprintf(err, errlen, "cannot switch to user %s: %s: %s", user, what, strerror(e));
    return -e;
}

/* The passwd entry of user into pw (strings in buf): 0, or an error. */
static int lookup(const char *user, struct passwd *pw, char *buf, size_t cap, char *err,
                  size_t errlen)
{
    struct passwd *p = NULL;
    int rc = getpwnam_r(user, pw, buf, cap, &p);
    if (p)
        return 0;
    if (rc && rc != ENOENT && rc != ESRCH) {
        snprintf(err, errlen, "user %s: %s", user, strerror(rc));
        return -rc;
    }
    snprintf(err, errlen, "user %s: no such user", user);
    return DX_EINVAL;
}

int dx_privs_check(const char *user, char *err, size_t errlen)
{
    char buf[4096];
    struct passwd pw;
    return user ? lookup(user, &pw, buf, sizeof(buf), err, errlen) : 0;
}

int dx_privs_drop(const char *user, char *msg, size_t msglen, char *err, size_t errlen)
{
    if (msglen)
        msg[0] = 0;
    if (!user) {
        if (geteuid() != 0 && getuid() != 0)
            return 0;
        snprintf(err, errlen, "running as root: set user = NAME in [server] to drop root "
                 "after binding (user = root, or -u root, to keep it)");
        return DX_EREFUSED;
    }
    char buf[4096];
    struct passwd pw;
    int rc = lookup(user, &pw, buf, sizeof(buf), err, errlen);
    if (rc)
        return rc;
    uid_t uid = pw.pw_uid;
    gid_t gid = pw.pw_gid;
    if (geteuid() != 0) {
        uid_t r, e, s;
        if (getresuid(&r, &e, &s) == 0 && r == uid && e == uid && s == uid)
            return 0;                   /* already that user (systemd User=) */
        snprintf(err, errlen, "cannot switch to user %s: not running as root", user);
        return DX_EINVAL;
    }
    if (uid == 0) {
        snprintf(msg, msglen, "running as root (user = %s)", user);
        return 0;
    }
    errno = 0;
    if (setgroups(1, &gid) != 0)
        return sys("setgroups", user, err, errlen);
    if (setresgid(gid, gid, gid) != 0)
        return sys("setgid", user, err, errlen);
    if (setresuid(uid, uid, uid) != 0)
        return sys("setuid", user, err, errlen);
    /* checked: every id is the user's, and root does not come back */
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
        ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
        snprintf(err, errlen, "cannot switch to user %s: the ids did not change", user);
        return DX_EREFUSED;
    }
    if (setuid(0) == 0 || seteuid(0) == 0 || (gid != 0 && (setgid(0) == 0 || setegid(0) == 0))) {
        snprintf(err, errlen, "cannot switch to user %s: root came back after setuid", user);
        return DX_EREFUSED;
    }
    /* nothing executed later gains privileges (setuid or file capabilities) */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return sys("PR_SET_NO_NEW_PRIVS", user, err, errlen);
    snprintf(msg, msglen, "dropped root: running as %s (uid %u, gid %u)", user, (unsigned)uid,
             (unsigned)gid);
    return 0;
}
