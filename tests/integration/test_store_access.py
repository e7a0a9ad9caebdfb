"""The store as operators meet it: readers never wait for a writer, only a
writer creates a store, damaged or full stores are named with what to do,
and stores are owner-only. The real programs on real stores; a running
import is held at a kill point (DNSXL_TEST_STOP) so "while it runs" is
exact, not a guess."""
import os
import stat
import subprocess

import dns.rcode

from conftest import ADMIN, AS_ROOT, BL, DNSXLD, LOADER, Server, kill9, rev4, run_tool, stopped_at


def _held_import(s, tmp_path, n=20000):
    """A dnsxl-loader import into BL/manual stopped halfway through its write
    txn (it holds the writer lock). Returns the process."""
    lst = tmp_path / "held.txt"
    lst.write_text("".join(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n" for i in range(n)))
    return stopped_at("import-write", [LOADER, "-c", s.conf, "import", f"{BL}/manual", str(lst)],
                      str(tmp_path / "import.pid"))


def test_readers_and_a_restarted_dnsxld_do_not_wait_for_an_import(tmp_path):
    s = Server(str(tmp_path))
    s.admin("add", f"{BL}/traps", "192.0.2.99", "--reason", "before the import")
    imp = _held_import(s, tmp_path)
    try:
        # the import holds the write txn for as long as it is stopped: a
        # command that waited for it would hit the timeout, never return
        for cmd in (["zones"], ["list", BL], ["show", "192.0.2.99"]):
            p = run_tool([ADMIN, "-c", s.conf, *cmd], timeout=60)
            assert p.returncode == 0, p.stderr
        assert "before the import" in run_tool([ADMIN, "-c", s.conf, "show", "192.0.2.99"]).stdout
        # a (re)started dnsxld answers from the committed data at once
        s.start()
        r = s.q(rev4("192.0.2.99") + "." + BL, "A")
        assert r.rcode() == dns.rcode.NOERROR and r.answer
        r = s.q(rev4("10.0.0.1") + "." + BL, "A")
        assert r.rcode() == dns.rcode.NXDOMAIN        # nothing of the import yet
    finally:
        kill9(imp)
        s.stop()


def test_a_mistyped_database_is_an_error_for_readers(tmp_path):
    s = Server(str(tmp_path))
    typo = tmp_path / "typo" / "db"
    text = open(s.conf).read().replace(f"database = {s.dbdir}", f"database = {typo}")
    s.write_raw_config(text)
    for cmd in (["zones"], ["list", BL], ["show", "192.0.2.1"]):
        p = run_tool([ADMIN, "-c", s.conf, *cmd], check=False)
        assert p.returncode == 1, (cmd, p.returncode, p.stderr)
        assert str(typo) in p.stderr and "no store" in p.stderr, p.stderr
        assert "database" in p.stderr                       # the setting to check
    assert not typo.exists() and not typo.parent.exists()   # nothing created
    # the first writer creates it, and says so
    p = run_tool([ADMIN, "-c", s.conf, "add", f"{BL}/manual", "192.0.2.1"])
    assert "created" in p.stderr and str(typo) in p.stderr
    assert run_tool([ADMIN, "-c", s.conf, "zones"]).returncode == 0


def test_new_stores_are_owner_only(tmp_path):
    s = Server(str(tmp_path))
    old = os.umask(0o022)
    try:
        s.admin("add", f"{BL}/manual", "192.0.2.1", "--reason", "private reason")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(s.dbdir).st_mode) == 0o700
    for f in ("data.mdb", "lock.mdb"):
        assert stat.S_IMODE(os.stat(os.path.join(s.dbdir, f)).st_mode) == 0o600


def test_a_truncated_store_is_refused_with_what_to_do(tmp_path):
    s = Server(str(tmp_path))
    lst = tmp_path / "l.txt"
    lst.write_text("".join(f"10.1.{i >> 8}.{i & 255}\n" for i in range(30000)))
    s.loader("import", f"{BL}/manual", str(lst))
    data = os.path.join(s.dbdir, "data.mdb")
    os.truncate(data, os.path.getsize(data) // 2)           # a bad copy
    for argv in ([ADMIN, "-c", s.conf, "list", BL], [ADMIN, "-c", s.conf, "show", "10.1.0.1"],
                 [LOADER, "-c", s.conf, "expire"]):
        p = run_tool(argv, check=False)
        assert p.returncode == 2, (argv, p.returncode, p.stderr)   # not -SIGBUS
        assert "truncated" in p.stderr and "restore" in p.stderr, p.stderr
    p = subprocess.run([DNSXLD, *AS_ROOT, "-c", s.conf], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "truncated" in p.stderr and "restore" in p.stderr, p.stderr


def test_an_import_outgrowing_map_size_is_written_in_a_larger_map(tmp_path):
    s = Server(str(tmp_path))
    text = open(s.conf).read().replace("[server]\n", "[server]\nmap-size = 1M\n", 1)
    s.write_raw_config(text)
    s.admin("add", f"{BL}/manual", "192.0.2.1")
    lst = tmp_path / "big.txt"
    lst.write_text("".join(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n"
                           for i in range(100000)))
    p = s.loader("import", f"{BL}/manual", str(lst))
    assert "outgrew its map" in p.stderr and "map-size" in p.stderr, p.stderr
    assert "MDB_MAP_FULL" not in p.stderr and "unknown error" not in p.stderr
    s.start()
    try:
        for ip in ("192.0.2.1", "10.0.0.1", "10.1.134.159"):
            r = s.q(rev4(ip) + "." + BL, "A")
            assert r.rcode() == dns.rcode.NOERROR and r.answer, ip
    finally:
        s.stop()


def test_a_running_dnsxld_follows_a_store_that_writers_grow(tmp_path):
    # writers grow the map (1M here) while dnsxld runs: it keeps answering,
    # old data and new, instead of SERVFAIL (MDB_MAP_RESIZED) until a restart
    s = Server(str(tmp_path))
    text = open(s.conf).read().replace("[server]\n", "[server]\nmap-size = 1M\n", 1)
    s.write_raw_config(text)
    s.admin("add", f"{BL}/manual", "192.0.2.1")
    s.start()
    try:
        lst = tmp_path / "big.txt"
        lst.write_text("".join(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n"
                               for i in range(100000)))
        p = s.loader("import", f"{BL}/manual", str(lst))
        assert "outgrew its map" in p.stderr, p.stderr        # the map did grow
        for ip in ("192.0.2.1", "10.0.0.1", "10.1.134.159"):
            r = s.q(rev4(ip) + "." + BL, "A")
            assert r.rcode() == dns.rcode.NOERROR and r.answer, (ip, r.rcode())
        assert "MAP_RESIZED" not in s.stderr_text()
    finally:
        s.stop()
