"""Writes through dnsxl-admin are live in DNS at once: no reload, no signal
(DESIGN.md "Data model", "Time and delisting")."""
import socket
import subprocess
import time

import dns.message
import dns.rcode
import pytest

from conftest import BL, LOADER, a_set, find_dicts, parse_json, rev4, soa_of

LIVE_BUDGET = 0.100  # seconds from the admin command's exit to the DNS change


def newer(a, b):
    """Serial b is after a (RFC 1982)."""
    return 0 < (b - a) % 2**32 < 2**31


def serial(srv):
    r = srv.q(BL, "SOA")
    return soa_of(r, "answer")[0].serial


def wait_for(srv, name, pred, budget):
    """Poll until pred(reply); return the elapsed time or None."""
    t0 = time.monotonic()
    while True:
        r = srv.q(name, "A", timeout=0.5)
        el = time.monotonic() - t0
        if pred(r):
            return el
        if el > budget * 10:
            return None
        time.sleep(0.002)


def test_add_is_live_within_100ms_and_delist_within_100ms(srv):
    ip = "192.0.2.150"
    name = f"{rev4(ip)}.{BL}"
    assert srv.q(name).rcode() == dns.rcode.NXDOMAIN
    pid = srv.pid
    srv.admin("add", f"{BL}/manual", ip, "--reason", "live add")
    el = wait_for(srv, name, lambda r: a_set(r) == ["127.0.0.4"], LIVE_BUDGET)
    assert el is not None, "added entry never answered"
    assert el <= LIVE_BUDGET, f"add took {el * 1000:.0f} ms to show"
    srv.admin("delist", f"{BL}/manual", ip)
    el = wait_for(srv, name, lambda r: r.rcode() == dns.rcode.NXDOMAIN, LIVE_BUDGET)
    assert el is not None, "delisted entry still answered"
    assert el <= LIVE_BUDGET, f"delist took {el * 1000:.0f} ms to show"
    assert srv.pid == pid and srv.alive(), "no restart"


def test_soa_serial_increments_after_add(srv):
    s0 = serial(srv)
    srv.admin("add", f"{BL}/manual", "192.0.2.151", "--reason", "serial")
    s1 = serial(srv)
    assert newer(s0, s1), (s0, s1)
    srv.admin("delist", f"{BL}/manual", "192.0.2.151")
    s2 = serial(srv)
    assert newer(s1, s2), (s1, s2)


@pytest.fixture(scope="module")
def short_lived(srv):
    """Entries added with --lifetime 2s (both expiry tests share one wait)."""
    srv.admin("add", f"{BL}/traps", "192.0.2.152", "--lifetime", "2s", "--reason", "short-lived")
    srv.admin("add", f"{BL}/manual", "192.0.2.160/28", "--reason", "wide")
    srv.admin("add", f"{BL}/manual", "192.0.2.161", "--lifetime", "2s", "--code", "127.0.0.20")
    r1 = srv.q(f"{rev4('192.0.2.152')}.{BL}")
    r2 = srv.q(f"{rev4('192.0.2.161')}.{BL}")
    return time.monotonic(), r1, r2


def wait_past(t0, seconds):
    left = t0 + seconds - time.monotonic()
    if left > 0:
        time.sleep(left)


def test_expired_entry_absent(srv, short_lived):
    t0, before, _ = short_lived
    assert a_set(before) == ["127.0.0.2"]
    assert 0 < before.answer[0].ttl <= 2
    wait_past(t0, 3)
    r = srv.q(f"{rev4('192.0.2.152')}.{BL}")
    assert r.rcode() == dns.rcode.NXDOMAIN, "an expired entry must be absent before any sweep"


def test_expired_narrow_entry_falls_back_to_wider(srv, short_lived):
    # 192.0.2.160/28 forever, 192.0.2.161 (own code) for 2 s: after expiry the range answers again
    t0, _, before = short_lived
    assert a_set(before) == ["127.0.0.20"]
    wait_past(t0, 3)
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
    srv.loader("import", f"{BL}/reports", str(f), "--replace")
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
    p = subprocess.Popen([LOADER, "-c", srv.conf, "import", f"{BL}/reports", str(f), "--replace"],
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
    srv.loader("import", f"{BL}/reports", str(f), "--replace")
    assert srv.q(first).rcode() == dns.rcode.NXDOMAIN


def test_udp_burst_all_answered_correctly(srv):
    # 600 queries sent back to back on one socket (several workers answer them)
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
        s.settimeout(2.0)
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


def test_loader_expire_removes_expired_entries_and_records_history(srv, short_lived):
    t0, _, _ = short_lived
    wait_past(t0, 3)
    srv.loader("expire")
    doc = parse_json(srv.admin("list", f"{BL}/traps", "--json").stdout)
    keys = {str(d.get("key")) for d in find_dicts(doc)}
    assert "192.0.2.152" not in keys, "expired entry still stored after dnsxl-loader expire"
    assert "192.0.2.99" in keys, "expire removed an unexpired entry"
    out = srv.admin("show", "192.0.2.152").stdout
    assert "expire" in out.lower(), f"no expiry in the history:\n{out}"
    assert srv.q(f"{rev4('192.0.2.152')}.{BL}").rcode() == dns.rcode.NXDOMAIN
