"""Writes through dnsxl-admin are live in DNS at once: no reload, no signal
(README: live updates, lifetime-based delisting).

How fast a write shows is not asserted here (bench/ measures it): a test
checks that it shows, polling with a generous deadline. Expiry is tested by
the clock, not by waiting: an entry written with DNSXL_TEST_NOW in the past
is already expired in real time."""
import socket
import subprocess
import time

import dns.message
import dns.rcode
import pytest

from conftest import (BL, DEADLINE, LOADER, Server, a_set, find_dicts, parse_json, rev4, soa_of,
                      wait_until)


def serial(srv):
    r = srv.q(BL, "SOA")
    return soa_of(r, "answer")[0].serial


def listed_keys(srv, target):
    doc = parse_json(srv.admin("list", target, "--json").stdout)
    return {str(d.get("key")) for d in find_dicts(doc)}


def test_add_and_delist_are_live(srv):
    ip = "192.0.2.150"
    name = f"{rev4(ip)}.{BL}"
    assert srv.q(name).rcode() == dns.rcode.NXDOMAIN
    pid = srv.pid
    srv.admin("add", f"{BL}/manual", ip, "--reason", "live add")
    wait_until(lambda: a_set(srv.q(name)) == ["127.0.0.4"], "the added entry answering")
    srv.admin("delist", f"{BL}/manual", ip)
    wait_until(lambda: srv.q(name).rcode() == dns.rcode.NXDOMAIN, "the delisted entry gone")
    assert srv.pid == pid and srv.alive(), "no restart"


def test_soa_serial_is_the_writers_clock(srv):
    # the serial of a write is the writer's clock, or the old serial + 1 when
    # that is not later (two writes in one second, a clock set back)
    t = max(serial(srv), int(time.time())) + 1000
    srv.admin("add", f"{BL}/manual", "192.0.2.151", "--reason", "serial", now=t)
    assert serial(srv) == t
    srv.admin("delist", f"{BL}/manual", "192.0.2.151", now=t)
    assert serial(srv) == t + 1
    srv.admin("add", f"{BL}/manual", "192.0.2.151", now=t - 500)
    assert serial(srv) == t + 2
    srv.admin("delist", f"{BL}/manual", "192.0.2.151", now=t + 10)
    assert serial(srv) == t + 10


# Entries with a 60 s lifetime written 120 s ago (DNSXL_TEST_NOW): expired a
# minute ago in dnsxld's real-time clock, still stored until a sweep.
AGO = 120


@pytest.fixture(scope="module")
def expired(srv):
    then = int(time.time()) - AGO
    srv.admin("add", f"{BL}/traps", "192.0.2.152", "--lifetime", "60s", "--reason", "short-lived",
              now=then)
    srv.admin("add", f"{BL}/manual", "192.0.2.160/28", "--reason", "wide")
    srv.admin("add", f"{BL}/manual", "192.0.2.161", "--lifetime", "60s", "--code", "127.0.0.20",
              now=then)
    # the same entries written now answer (so the expired ones are absent by their expiry alone)
    srv.admin("add", f"{BL}/traps", "192.0.2.156", "--lifetime", "60s", "--reason", "short-lived")
    srv.admin("add", f"{BL}/manual", "192.0.2.163", "--lifetime", "60s", "--code", "127.0.0.20")
    return then


def test_expired_entry_absent(srv, expired):
    fresh = srv.q(f"{rev4('192.0.2.156')}.{BL}")
    assert a_set(fresh) == ["127.0.0.2"]
    assert 0 < fresh.answer[0].ttl <= 60
    r = srv.q(f"{rev4('192.0.2.152')}.{BL}")
    assert r.rcode() == dns.rcode.NXDOMAIN, "an expired entry must be absent before any sweep"
    assert "192.0.2.152" in listed_keys(srv, f"{BL}/traps"), "stored until dnsxl-loader expire"


def test_expired_narrow_entry_falls_back_to_wider(srv, expired):
    # 192.0.2.160/28 forever, 192.0.2.161 (own code) expired: the range answers for it
    assert a_set(srv.q(f"{rev4('192.0.2.163')}.{BL}")) == ["127.0.0.20"]
    assert a_set(srv.q(f"{rev4('192.0.2.161')}.{BL}")) == ["127.0.0.4"]


def test_delist_hold_removes_entry(srv):
    ip = "192.0.2.153"
    name = f"{rev4(ip)}.{BL}"
    srv.admin("add", f"{BL}/traps", ip, "--reason", "to be held")
    assert a_set(srv.q(name)) == ["127.0.0.2"]
    srv.admin("delist", f"{BL}/traps", ip, "--hold", "7d")
    assert srv.q(name).rcode() == dns.rcode.NXDOMAIN


def test_delist_whole_zone_target(srv):
    ip = "192.0.2.154"
    name = f"{rev4(ip)}.{BL}"
    srv.admin("add", f"{BL}/traps", ip)
    srv.admin("add", f"{BL}/manual", ip)
    assert a_set(srv.q(name)) == ["127.0.0.2", "127.0.0.4"]
    srv.admin("delist", BL, ip)
    assert srv.q(name).rcode() == dns.rcode.NXDOMAIN


def test_import_replace_is_live(srv, tmp_path):
    f = tmp_path / "replace.txt"
    f.write_text("192.0.2.210\n")
    srv.loader("import", f"{BL}/reports", str(f))
    assert a_set(srv.q(f"{rev4('192.0.2.210')}.{BL}")) == ["127.0.0.3"]
    # keep the seeded report entries (other tests use them) plus one new one
    f.write_text("192.0.2.77\n192.0.2.128/28\n192.0.2.211\n")
    srv.loader("import", f"{BL}/reports", str(f), "--replace", "--force")
    assert srv.q(f"{rev4('192.0.2.210')}.{BL}").rcode() == dns.rcode.NXDOMAIN
    assert a_set(srv.q(f"{rev4('192.0.2.211')}.{BL}")) == ["127.0.0.3"]
    assert a_set(srv.q(f"{rev4('192.0.2.77')}.{BL}")) == ["127.0.0.3"]


def test_bulk_import_is_atomic_for_readers(srv, tmp_path):
    # 30000 new entries in one --replace import: a reader sees none or all of them,
    # and the entries kept by the replace stay listed throughout
    keep = ["192.0.2.77", "192.0.2.128/28", "192.0.2.211"]
    new = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(1, 30001)]
    f = tmp_path / "bulk.txt"
    f.write_text("\n".join(keep + new) + "\n")
    first, last = f"{rev4(new[0])}.{BL}", f"{rev4(new[-1])}.{BL}"
    kept = f"{rev4('192.0.2.77')}.{BL}"
    assert srv.q(first).rcode() == dns.rcode.NXDOMAIN
    p = subprocess.Popen([LOADER, "-c", srv.conf, "import", f"{BL}/reports", str(f), "--replace", "--force"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen_first = False
    polls = 0
    while True:
        done = p.poll() is not None
        polls += 1
        assert a_set(srv.q(kept)) == ["127.0.0.3"], "a kept entry vanished during the import"
        r1 = srv.q(first)
        r2 = srv.q(last)
        if seen_first:
            assert a_set(r2) == ["127.0.0.3"], "the first new entry was visible, then the last one was not"
        if r1.rcode() == dns.rcode.NOERROR:
            seen_first = True
            assert a_set(r1) == ["127.0.0.3"]
        if done:
            break
    out, err = p.communicate()
    assert p.returncode == 0, err.decode(errors="replace")
    assert a_set(srv.q(first)) == ["127.0.0.3"] and a_set(srv.q(last)) == ["127.0.0.3"]
    # put the reports list back as the other tests expect it
    f.write_text("\n".join(keep) + "\n")
    srv.loader("import", f"{BL}/reports", str(f), "--replace", "--force")
    assert srv.q(first).rcode() == dns.rcode.NXDOMAIN


def test_udp_burst_all_answered_correctly(srv):
    # 600 queries sent back to back on one socket: SO_REUSEPORT picks the
    # worker by the 4-tuple, so one worker answers them all
    cases = []
    for i in range(600):
        if i % 3 == 0:
            cases.append((f"{rev4('192.0.2.99')}.{BL}", ["127.0.0.2", "127.0.0.4"]))
        elif i % 3 == 1:
            cases.append((f"{rev4('198.51.100.5')}.{BL}", ["127.0.0.4"]))
        else:
            cases.append((f"{rev4('192.0.2.98')}.{BL}", None))
    msgs = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        for i, (name, want) in enumerate(cases):
            m = dns.message.make_query(name, "A")
            m.id = i
            msgs[i] = want
            s.sendto(m.to_wire(), ("127.0.0.1", srv.port))
        s.settimeout(DEADLINE)          # only a lost reply waits this long
        got = {}
        while len(got) < len(msgs):
            try:
                w = s.recv(65535)
            except socket.timeout:
                break
            r = dns.message.from_wire(w)
            got[r.id] = r
    assert len(got) == len(msgs), f"{len(msgs) - len(got)} of {len(msgs)} queries unanswered"
    for qid, r in got.items():
        want = msgs[qid]
        if want is None:
            assert r.rcode() == dns.rcode.NXDOMAIN
        else:
            assert a_set(r) == want


def test_loader_expire_removes_expired_entries_and_records_history(srv, expired):
    srv.loader("expire")
    keys = listed_keys(srv, f"{BL}/traps")
    assert "192.0.2.152" not in keys, "expired entry still stored after dnsxl-loader expire"
    assert "192.0.2.99" in keys and "192.0.2.156" in keys, "expire removed an unexpired entry"
    out = srv.admin("show", "192.0.2.152").stdout
    assert "expire" in out.lower(), f"no expiry in the history:\n{out}"
    assert srv.q(f"{rev4('192.0.2.152')}.{BL}").rcode() == dns.rcode.NXDOMAIN


def test_dnsxld_clock_decides_expiry_and_ttl(tmp_path):
    """dnsxld answers by its clock (DNSXL_TEST_NOW sets where it starts): an
    entry written with an hour to live has TTL at most 100 with the clock
    100 s before its expiry (300, the zone TTL, in real time), and is
    absent with the clock past its expiry. (Bounds only: dnsxld's clock
    runs on while the test asks.)"""
    s = Server(str(tmp_path))
    t = int(time.time())
    ip = "192.0.2.155"
    name = f"{rev4(ip)}.{BL}"
    s.admin("add", f"{BL}/traps", ip, "--lifetime", "1h", now=t)
    for clock, want in ((None, 300), (t + 3600 - 100, 100), (t + 3600, None), (t + 7200, None)):
        s.start(now=clock)
        try:
            r = s.q(name)
            if want is None:
                assert r.rcode() == dns.rcode.NXDOMAIN, (clock, r)
            else:
                assert a_set(r) == ["127.0.0.2"], (clock, r)
                ttl = r.answer[0].ttl
                assert (ttl == want) if clock is None else (0 < ttl <= want), (clock, ttl)
        finally:
            assert s.stop() == 0
