"""`user =` (dnsxld(8) "Privileges"): run as root, dnsxld binds a port only
root may bind, then drops to nobody and its group before it opens the
store. Checked from outside: /proc/PID/status has the unprivileged uid
and gid everywhere (real, effective, saved, file system) and that group
alone, the port bound as root still answers, the store (chowned to nobody)
is read, a SIGHUP is handled as nobody, and a store dnsxld creates after
the drop is nobody's. Without `user`, root is refused unless told."""
import grp
import os
import pwd
import shutil
import signal
import stat
import tempfile

import dns.rcode
import pytest

from conftest import (BL, DNSXLD, Server, _port_free, a_set, base_config, rev4, run_tool,
                      wait_until)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (it drops root)")


def nobody():
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody")
    return pw.pw_uid, pw.pw_gid


def low_port():
    """A port below 1024 free on 127.0.0.1 and ::1: only root binds it."""
    for port in range(853, 1024):
        if _port_free(port):
            return port
    pytest.skip("no free port below 1024")


def as_user(user):
    def config(port, dbdir, **kw):
        return base_config(port, dbdir, **kw).replace("[server]\n", f"[server]\nuser = {user}\n", 1)
    return config


@pytest.fixture
def world_dir():
    """A directory nobody can reach (pytest's tmp_path is root's alone)."""
    d = tempfile.mkdtemp(prefix="dnsxl-privs-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def status_ids(pid):
    ids = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                ids[k] = [int(x) for x in v.split()]
    return ids


def test_root_drops_to_the_user_and_still_answers_on_its_port(world_dir):
    uid, gid = nobody()
    s = Server(world_dir, config_fn=as_user("nobody"))
    s.port = low_port()
    s.write_config()
    s.admin("add", f"{BL}/manual", "192.0.2.99", "--reason", "read as nobody")
    for root, dirs, files in os.walk(s.dbdir):                     # the store is nobody's
        for n in [root] + [os.path.join(root, x) for x in files]:
            os.chown(n, uid, gid)
    s.start(user_args=[])                                          # the config's user
    try:
        ids = status_ids(s.pid)
        assert ids["Uid"] == [uid] * 4, ids
        assert ids["Gid"] == [gid] * 4, ids
        assert ids["Groups"] == [gid], ids
        assert "dropped root: running as nobody" in s.stderr_text()
        # answers on the port bound as root, from the store it opened as nobody
        r = s.q(rev4("192.0.2.99") + "." + BL, "TXT")
        assert r.rcode() == dns.rcode.NOERROR and a_set(s.q(rev4("192.0.2.99") + "." + BL)) == \
            ["127.0.0.4"]
        assert r.answer and "read as nobody" in str(r.answer[0])
        assert s.q(rev4("192.0.2.99") + "." + BL, tcp=True).answer
        # a reload as nobody (the config is world-readable)
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log("reloaded")
        assert status_ids(s.pid)["Uid"] == [uid] * 4
        assert s.q(BL, "SOA").rcode() == dns.rcode.NOERROR
    finally:
        assert s.stop() == 0, s.stderr_text()


def test_a_store_created_after_the_drop_is_the_users(world_dir):
    uid, gid = nobody()
    os.chown(world_dir, uid, gid)                                  # where nobody may create it
    s = Server(world_dir, config_fn=as_user("nobody"))
    s.start(user_args=[])
    try:
        assert "created a new, empty one" in s.stderr_text()
        st = os.stat(s.dbdir)
        assert (st.st_uid, st.st_gid) == (uid, gid)
        assert stat.S_IMODE(st.st_mode) == 0o700
        assert os.stat(os.path.join(s.dbdir, "data.mdb")).st_uid == uid
        r = s.q("2.0.0.127." + BL)                                   # test point
        assert a_set(r) == ["127.0.0.2"]
    finally:
        assert s.stop() == 0, s.stderr_text()


def test_root_without_user_is_refused_unless_told(world_dir):
    s = Server(world_dir)
    p = run_tool([DNSXLD, "-c", s.conf], check=False, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "running as root: set user = NAME in [server]" in p.stderr
    assert not os.path.exists(s.dbdir), "the store was opened before the refusal"
    s.write_raw_config(open(s.conf).read().replace("[server]\n", "[server]\nuser = root\n", 1))
    s.start(user_args=[])                                          # told: user = root
    try:
        assert status_ids(s.pid)["Uid"] == [0] * 4
        assert "running as root (user = root)" in s.stderr_text()
        # a reload cannot change the user
        s.write_raw_config(open(s.conf).read().replace("user = root", "user = nobody", 1))
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log("reloaded")
        assert "reload: user changed: needs a restart" in s.stderr_text()
        assert status_ids(s.pid)["Uid"] == [0] * 4
    finally:
        assert s.stop() == 0


def test_an_unknown_user_is_a_config_error(world_dir):
    s = Server(world_dir, config_fn=as_user("no-such-user-dnsxl"))
    p = run_tool([DNSXLD, "-c", s.conf], check=False, timeout=60)
    assert p.returncode == 1
    assert "user no-such-user-dnsxl: no such user" in p.stderr
    p = run_tool([DNSXLD, "-t", "-c", s.conf], check=False, timeout=60)   # -t says so too
    assert p.returncode == 1 and "user no-such-user-dnsxl: no such user" in p.stderr, p.stderr
    assert run_tool([DNSXLD, "-t", "-u", "nobody", "-c", s.conf]).returncode == 0
    # -u overrides the config
    os.makedirs(s.dbdir)
    os.chown(s.dbdir, *nobody())
    s.start(user_args=["-u", "nobody"])
    try:
        assert status_ids(s.pid)["Uid"][0] == nobody()[0]
    finally:
        assert s.stop() == 0


def test_secret_files_root_owns_and_the_users_group_reads(world_dir):
    """root:GROUP 0640 secret files (the least-privilege layout) are read at
    start as root and again as the user on SIGHUP; owner-only root files,
    which the user could not read again, fail at start and in -t, not at
    the first reload."""
    uid, gid = nobody()
    key, keys = os.path.join(world_dir, "cookie.key"), os.path.join(world_dir, "keys.txt")
    for path, text in ((key, "e5e973e5a6b2a43f48e7dc849e37bfcf\n"),
                       (keys, "abcdefgh12345678 cust1\n")):
        with open(path, "w") as f:
            f.write(text)
        os.chown(path, 0, gid)
        os.chmod(path, 0o640)

    def config(port, dbdir, **kw):
        text = as_user("nobody")(port, dbdir, **kw)
        text = text.replace("[server]\n", f"[server]\ncookie-secret = {key}\n", 1)
        return text.replace(f"[zone {BL}]\n", f"[zone {BL}]\nquery-keys = {keys}\n", 1)

    s = Server(world_dir, config_fn=config)
    s.write_config()
    os.makedirs(s.dbdir)
    os.chown(s.dbdir, uid, gid)
    assert "configuration OK" in run_tool([DNSXLD, "-t", "-c", s.conf]).stdout
    s.start(user_args=[])
    try:
        with open(f"/proc/{s.pid}/status") as f:
            assert "NoNewPrivs:\t1" in f.read()
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log("reloaded")
        assert "reload failed" not in s.stderr_text(), s.stderr_text()
        assert s.q(BL, "SOA").rcode() == dns.rcode.NOERROR
    finally:
        assert s.stop() == 0, s.stderr_text()
    os.chmod(key, 0o600)                           # root's alone: nobody cannot read it again
    for argv, why in (([DNSXLD, "-t", "-c", s.conf], "after the drop, and on every SIGHUP"),
                      ([DNSXLD, "-c", s.conf], "on every SIGHUP")):
        p = run_tool(argv, check=False, timeout=60)
        assert p.returncode == 1, p.stderr
        assert f"as user nobody ({why}): {key}: Permission denied" in p.stderr, p.stderr
    os.chmod(key, 0o640)
    os.chmod(keys, 0o600)
    p = run_tool([DNSXLD, "-t", "-c", s.conf], check=False, timeout=60)
    assert p.returncode == 1 and f"{keys}: Permission denied" in p.stderr, p.stderr
