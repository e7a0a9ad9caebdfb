"""What `make install` ships for systemd: the units of contrib/ pass
systemd-analyze verify, the sysusers.d/tmpfiles.d entries create the user
and the store directory the units name, the sample config goes to
/etc/dnsxl/dnsxl.conf only when none exists, and the units start as
shipped.

No systemd runs here (a container), so "start" is the unit's own settings
applied by hand the way systemd applies them, in a private network and
mount namespace: the files of DESTDIR as the root file system, read-only
(ProtectSystem=strict) except the StateDirectory= and ReadWritePaths=,
the User= of the installed passwd (systemd-sysusers --root), only the
AmbientCapabilities= and CapabilityBoundingSet= of the unit, NoNewPrivileges=,
then ExecStart=. A unit that names a user nobody creates, a path nobody
creates, or a config that is not installed fails here as it fails under
systemd (status 217/USER, 226/NAMESPACE, dnsxld's exit 1).
"""
import configparser
import os
import shlex
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD, REPO
from netns import NetNS, stop, wait_for_log, which_or_skip

UNITS = ("dnsxld.service", "dnsxl-expire.service", "dnsxl-expire.timer", "dnsxl-web.service")
CONF = "/etc/dnsxl/dnsxl.conf"


def make_install(destdir):
    """make install of the programs in BUILD as they are (-o all: the suite
    has built them; a source edited since does not rebuild them here)."""
    p = subprocess.run(["make", "-C", REPO, "--no-print-directory", "-o", "all", f"BUILD={BUILD}", "install",
                        f"DESTDIR={destdir}", "PREFIX=/usr/local"],
                       capture_output=True, encoding="utf-8", errors="replace", timeout=600)
    assert p.returncode == 0, f"make install failed:\n{p.stdout}\n{p.stderr}"
    return p.stdout


@pytest.fixture(scope="module")
def root():
    """A `make install DESTDIR=... PREFIX=/usr/local` tree. World-readable:
    it becomes the root directory of a process run as the dnsxl user."""
    d = tempfile.mkdtemp(prefix="dnsxl-install-")
    try:
        os.chmod(d, 0o755)
        make_install(d)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def unit(root, name):
    """[section] -> {key: [values]} of an installed unit (keys repeat)."""
    out = {}
    sec = None
    with open(os.path.join(root, "etc/systemd/system", name)) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                sec = out.setdefault(line.strip("[]"), {})
                continue
            k, _, v = line.partition("=")
            sec.setdefault(k.strip(), []).append(v.strip())
    return out


def words(svc, key):
    return [w for v in svc.get(key, []) for w in v.split()]


def passwd(root, name):
    """(uid, gid) of `name` in the installed tree's /etc/passwd, or None."""
    try:
        with open(os.path.join(root, "etc/passwd")) as f:
            for line in f:
                p = line.split(":")
                if p[0] == name:
                    return int(p[2]), int(p[3])
    except FileNotFoundError:
        pass
    return None


def create_users_and_dirs(root):
    """What a package's postinst does: systemd-sysusers and systemd-tmpfiles
    on the installed files (in the tree, not on this host)."""
    for tool in ("systemd-sysusers", "systemd-tmpfiles"):
        which_or_skip(tool)
    p = subprocess.run(["systemd-sysusers", f"--root={root}"], capture_output=True, encoding="utf-8")
    assert p.returncode == 0, p.stderr
    p = subprocess.run(["systemd-tmpfiles", f"--root={root}", "--create"], capture_output=True,
                       encoding="utf-8")
    assert p.returncode == 0, p.stderr


def test_install_layout(root):
    for path in ("usr/local/sbin/dnsxld", "usr/local/sbin/dnsxl-web", "usr/local/bin/dnsxl-admin",
                 "usr/local/bin/dnsxl-loader", "usr/local/share/man/man8/dnsxld.8",
                 "usr/local/share/man/man8/dnsxl-web.8", "usr/local/share/man/man5/dnsxl.conf.5",
                 "usr/local/lib/sysusers.d/dnsxl.conf", "usr/local/lib/tmpfiles.d/dnsxl.conf",
                 *(f"etc/systemd/system/{u}" for u in UNITS)):
        assert os.path.isfile(os.path.join(root, path)), f"make install did not install /{path}"
    with open(os.path.join(root, CONF.lstrip("/"))) as a, open(os.path.join(REPO, "contrib/dnsxl.conf")) as b:
        assert a.read() == b.read(), "the installed config is not contrib/dnsxl.conf"


def test_install_never_overwrites_the_config():
    d = tempfile.mkdtemp(prefix="dnsxl-install-")
    try:
        make_install(d)
        conf = os.path.join(d, CONF.lstrip("/"))
        with open(conf, "a") as f:
            f.write("; the operator's own change\n")
        with open(conf) as f:
            mine = f.read()
        out = make_install(d)
        with open(conf) as f:
            assert f.read() == mine, "make install overwrote an existing /etc/dnsxl/dnsxl.conf"
        assert "kept" in out and CONF in out, out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_units_pass_systemd_analyze_verify(root):
    """systemd-analyze verify on the installed units. It checks ExecStart=
    against the file system and Documentation= man pages with man(1), so it
    runs in a mount namespace where /usr/local is the installed one; unit
    references (multi-user.target, network-online.target) come from this
    host's systemd. (--root= would look for those under DESTDIR too.)"""
    which_or_skip("systemd-analyze")
    man = "yes" if shutil.which("man") else "no"
    ns = NetNS([f"mount --bind {root}/usr/local /usr/local"])
    try:
        p = ns.run(["systemd-analyze", "verify", f"--man={man}",
                    *(os.path.join(root, "etc/systemd/system", u) for u in UNITS)],
                   check=False, cwd="/")
    finally:
        ns.close()
    assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), \
        f"systemd-analyze verify (exit {p.returncode}):\n{p.stdout}{p.stderr}"


def test_units_name_what_the_install_creates(root):
    create_users_and_dirs(root)
    d = unit(root, "dnsxld.service")
    assert "network-online.target" in words(d["Unit"], "After"), "dnsxld starts before the network is up"
    assert "network-online.target" in words(d["Unit"], "Wants"), \
        "After=network-online.target does nothing without Wants=network-online.target"
    for name in ("dnsxld.service", "dnsxl-expire.service", "dnsxl-web.service"):
        svc = unit(root, name)["Service"]
        user = svc["User"][-1]
        assert passwd(root, user), f"{name}: User={user} is created by no sysusers.d file"
        state = [os.path.join("/var/lib", s) for s in words(svc, "StateDirectory")]
        assert "/var/lib/dnsxl" in state, f"{name}: the store is not its StateDirectory="
        for p in words(svc, "ReadWritePaths"):
            if not p.startswith("-"):
                assert p in state or os.path.isdir(os.path.join(root, p.lstrip("/"))), \
                    f"{name}: ReadWritePaths={p} does not exist (systemd: 226/NAMESPACE)"
        argv = shlex.split(svc["ExecStart"][-1])
        assert argv[1:3] == ["-c", CONF], argv
    cfg = configparser.ConfigParser(inline_comment_prefixes=(" ;",), comment_prefixes=(";", "#"),
                                    strict=False)
    cfg.read(os.path.join(root, CONF.lstrip("/")))
    assert cfg["server"]["database"] == "/var/lib/dnsxl", "the sample config's store is not the StateDirectory"
    svc = unit(root, "dnsxld.service")["Service"]
    ports = [int(a.rsplit(":", 1)[1]) for a in cfg["server"]["listen"].split()]
    if svc["User"][-1] != "root" and min(ports) < 1024:
        assert "CAP_NET_BIND_SERVICE" in words(svc, "AmbientCapabilities"), \
            "a non-root dnsxld cannot bind a port below 1024 without CAP_NET_BIND_SERVICE"


def setpriv_args(svc, uid, gid):
    args = [f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
    caps = [c.lower().removeprefix("cap_") for c in words(svc, "AmbientCapabilities")]
    if caps:
        plus = ",".join("+" + c for c in caps)
        args += [f"--inh-caps={plus}", f"--ambient-caps={plus}"]
    bound = [c.lower().removeprefix("cap_") for c in words(svc, "CapabilityBoundingSet")]
    if bound:
        args.append("--bounding-set=-all," + ",".join("+" + c for c in bound))
    if svc.get("NoNewPrivileges", ["no"])[-1] in ("yes", "true", "1"):
        args.append("--no-new-privs")
    return args


def service_namespace(root, name):
    """The namespace a service `name` runs in, and how to run as its user."""
    svc = unit(root, name)["Service"]
    user = svc["User"][-1]
    ids = passwd(root, user)
    if ids is None:
        pytest.fail(f"{name}: User={user} does not exist after systemd-sysusers (systemd: 217/USER)")
    uid, gid = ids
    writable = []
    for s in words(svc, "StateDirectory"):       # systemd creates these, owned by User=
        path = os.path.join(root, "var/lib", s)
        os.makedirs(path, exist_ok=True)
        os.chown(path, uid, gid)
        os.chmod(path, int(svc.get("StateDirectoryMode", ["0755"])[-1], 8))
        writable.append(path)
    for p in words(svc, "ReadWritePaths"):
        path = os.path.join(root, p.lstrip("-").lstrip("/"))
        if not os.path.isdir(path):
            if p.startswith("-"):
                continue
            pytest.fail(f"{name}: ReadWritePaths={p} does not exist (systemd: 226/NAMESPACE)")
        writable.append(path)
    setup = [f"mount --bind {root} {root}"]
    for top in ("bin", "sbin", "lib", "lib64", "usr/bin", "usr/lib", "usr/lib64"):
        host = "/" + top
        mine = os.path.join(root, top)
        if os.path.islink(host):
            if not os.path.lexists(mine):
                os.symlink(os.readlink(host), mine)
        elif os.path.isdir(host):
            os.makedirs(mine, exist_ok=True)
            setup.append(f"mount --bind -o ro {host} {mine}")
    for api in ("dev", "proc", "sys"):
        os.makedirs(os.path.join(root, api), exist_ok=True)
        setup.append(f"mount --rbind /{api} {root}/{api}")
    if svc.get("PrivateTmp", ["no"])[-1] in ("yes", "true", "1"):
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        setup.append(f"mount -t tmpfs tmpfs {root}/tmp")
    if svc.get("ProtectSystem", ["no"])[-1] == "strict":
        setup.append(f"mount -o remount,bind,ro {root}")
    for w in writable:
        setup += [f"mount --bind {w} {w}", f"mount -o remount,bind,rw {w}"]
    ns = NetNS(setup)
    run_as = ["chroot", root, "/usr/bin/setpriv", *setpriv_args(svc, uid, gid), "--"]
    return ns, svc, run_as


def test_units_start_as_shipped(root, tmp_path):
    which_or_skip("setpriv")
    which_or_skip("chroot")
    create_users_and_dirs(root)
    ns, svc, run_as = service_namespace(root, "dnsxld.service")
    log = str(tmp_path / "dnsxld.log")
    proc = None
    try:
        with open(log, "wb") as err:
            proc = ns.popen(run_as + shlex.split(svc["ExecStart"][-1]), stdout=err, stderr=err,
                            stdin=subprocess.DEVNULL)
        wait_for_log(log, "listening on 127.0.0.1:53", proc, "dnsxld.service's ExecStart")
        dig = which_or_skip("dig")
        # RFC 5782 test point of the sample zone, over the namespace's loopback.
        a = ns.run([dig, "+short", "+tries=3", "@127.0.0.1", "2.0.0.127.bl.example.org", "A"]).stdout
        assert a.split() == ["127.0.0.2"], a
        # ExecReload=, as the unit's user, with $MAINPID
        reload = shlex.split(svc["ExecReload"][-1].replace("$MAINPID", str(proc.pid)))
        ns.run(run_as + reload)
        wait_for_log(log, "reloaded", proc, "dnsxld after ExecReload")
        rc = stop(proc, "dnsxld")
        assert rc == 0, open(log).read()
    finally:
        if proc is not None and proc.poll() is None:   # a failed check above
            proc.kill()
            proc.wait(10)
        ns.close()
    # The expiry job, with the store dnsxld created as the same user.
    ns, svc, run_as = service_namespace(root, "dnsxl-expire.service")
    try:
        p = ns.run(run_as + shlex.split(svc["ExecStart"][-1]), check=False)
        assert p.returncode == 0, f"dnsxl-expire.service's ExecStart exited {p.returncode}:\n{p.stderr}"
    finally:
        ns.close()
    # The lookup page on that store: the sample config's [web] is commented
    # out, so it serves the default listen address; a lookup of the test
    # point answers from the store.
    ns, svc, run_as = service_namespace(root, "dnsxl-web.service")
    log = str(tmp_path / "dnsxl-web.log")
    proc = None
    try:
        with open(log, "wb") as err:
            proc = ns.popen(run_as + shlex.split(svc["ExecStart"][-1]), stdout=err, stderr=err,
                            stdin=subprocess.DEVNULL)
        wait_for_log(log, "dnsxl-web: serving http://", proc, "dnsxl-web.service's ExecStart")
        url = open(log).read().split("serving ", 1)[1].split()[0]
        get = ("import sys, urllib.request; r = urllib.request.urlopen(sys.argv[1], timeout=30); "
               "print(r.status); print(r.read().decode())")
        p = ns.run(["/usr/bin/python3", "-c", get, url + "api/v1/lookup?q=127.0.0.2"], check=False)
        assert p.returncode == 0 and p.stdout.startswith("200"), f"{p.stdout}{p.stderr}"
        assert "bl.example.org" in p.stdout, p.stdout
        rc = stop(proc, "dnsxl-web")
        assert rc == 0, open(log).read()
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        ns.close()
