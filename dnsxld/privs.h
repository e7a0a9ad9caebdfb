/* Privileges (dnsxld(8) "Privileges", dnsxl.conf(5) `user`): dnsxld reads
 * its config and the secret files it names, binds its sockets (port 53
 * needs root or CAP_NET_BIND_SERVICE), then, before it opens the store,
 * drops root to `user` and that user's group: setgroups to that group
 * alone, setgid, setuid, then checked (every real, effective and saved id
 * read back, and setuid(0) and setgid(0) must fail), and no new privileges
 * (PR_SET_NO_NEW_PRIVS). It refuses to go on as root unless told:
 * `user = root` (or `dnsxld -u root`) keeps root on purpose. A process
 * that is not root already runs with the privileges it was given (a
 * systemd User=): `user` naming that user is then nothing to do.
 */
#ifndef DX_PRIVS_H
#define DX_PRIVS_H

#include <stddef.h>

/* Become user (NULL: unset) as above. 0 with what happened in msg
 * ("running as nobody (uid 65534, gid 65534)", "" for nothing); otherwise
 * an error with err:
 *   DX_EREFUSED  root without user ("running as root: set user = NAME ...")
 *   DX_EINVAL    no such user; not root and user is someone else
 *   -errno       a call failed (or root came back: DX_EREFUSED)
 * Call it before any thread starts. */
int dx_privs_drop(const char *user, char *msg, size_t msglen, char *err, size_t errlen);

/* Does user (NULL: nothing to check) exist? 0, or DX_EINVAL / -errno with
 * err ("user x: no such user"): dnsxld -t checks it without dropping. */
int dx_privs_check(const char *user, char *err, size_t errlen);

#endif
