"""IXFR (RFC 1995) and NOTIFY (RFC 1996) to real secondaries (issue 9).

- Real Knot (knotd) and NSD secondaries, started here on loopback (temp
  dirs, free ports, no chroot, NSD's rrl off), take the zone from dnsxld by
  AXFR with a TSIG key; each accepts NOTIFY only signed with that key.
- A `dnsxl-admin add` and then a `delist` reach both by NOTIFY and IXFR:
  each secondary is polled until it answers the change (the time it took is
  printed, never asserted), its log says the transfer was an IXFR, and
  dnsxld's log says each NOTIFY was acknowledged.
- An IXFR from a serial still in the journal is the condensed difference
  (our SOA, the old SOA, the records removed, our SOA, the records added,
  our SOA), over several changes; from a serial the journal never had, the
  whole zone; from the current serial, the SOA alone (kdig too).
- NOTIFY to a target that never answers is sent again (the same message,
  at most NOTIFY_TRIES times): a UDP socket here counts what it gets.
"""
import os
import shutil
import signal
import socket
import struct
import tempfile
import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.rrset
import dns.rcode
import dns.tsigkeyring
import pytest

from conftest import BL, Server, free_port, rev4, run_tool, wait_until
import secondaries
from secondaries import KNOTD, NSD

KDIG = "/usr/bin/kdig"
ZONE = BL                       # Server.start asks its SOA
DZONE = "dbl.example.org"
KEY = "xfr-key"
SECRET = "c2VjcmV0LWZvci10aGUtaXhmci10ZXN0cy0wMTIzNDU2Nzg5"
TTL = 300


def primary_config(knot_port, nsd_port, dead_port):
    def conf(port, dbdir):
        return f"""\
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 2

[key {KEY}]
algorithm = hmac-sha256
secret    = {SECRET}

[zone {ZONE}]
kind = ip
ttl  = {TTL}
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
ns   = ns1.example.org.
allow-transfer = 127.0.0.1 key {KEY}
notify = 127.0.0.1:{knot_port} key {KEY}
notify = 127.0.0.1:{nsd_port} key {KEY}
notify = 127.0.0.1:{dead_port}
ixfr-journal = 1M

[list {ZONE}/manual]
code = 127.0.0.2
txt  = listed $

[zone {DZONE}]
kind = domain
ttl  = {TTL}
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
ns   = ns1.example.org.
allow-transfer = 127.0.0.1 key {KEY}

[list {DZONE}/names]
code = 127.0.1.2
"""
    return conf


def start_knot(d, port, primary_port):
    acl = f"""acl:
  - id: notify_from_primary
    address: 127.0.0.1
    key: {KEY}
    action: notify
"""
    zones = f"  - domain: {ZONE}\n    master: primary\n    acl: notify_from_primary\n"
    return secondaries.start_knot(d, port, secondaries.knot_conf(
        d, port, primary_port, KEY, SECRET, zones, acl=acl))


def start_nsd(d, port, primary_port):
    zones = f"""zone:
    name: "{ZONE}"
    zonefile: "{ZONE}.zone"
    request-xfr: 127.0.0.1@{primary_port} {KEY}
    allow-notify: 127.0.0.1 {KEY}
"""
    return secondaries.start_nsd(d, port, secondaries.nsd_conf(
        d, port, KEY, SECRET, zones, server="    xfrd-reload-timeout: 0\n"))


def q4(ip):
    return f"{rev4(ip)}.{ZONE}"


@pytest.fixture(scope="module")
def mirrors():
    for prog in (KNOTD, NSD, KDIG):
        if not os.access(prog, os.X_OK):
            pytest.fail(f"{prog} missing (tests/deps.sh: knot, nsd, knot-dnsutils)")
    tmp = tempfile.mkdtemp(prefix="dnsxl-ixfr-")
    os.chmod(tmp, 0o755)
    srv, secs = None, []
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # a target that never answers
    dead.bind(("127.0.0.1", 0))
    try:
        knot_port, nsd_port = free_port(), free_port()
        while nsd_port == knot_port:
            nsd_port = free_port()
        sdir = os.path.join(tmp, "primary")
        os.mkdir(sdir)
        srv = Server(sdir, config_fn=primary_config(knot_port, nsd_port,
                                                    dead.getsockname()[1]))
        for ip in ("192.0.2.1", "192.0.2.2", "198.51.100.0/24", "203.0.113.0/25"):
            srv.admin("add", f"{ZONE}/manual", ip)
        srv.start()
        serial = srv.q(ZONE, "SOA").answer[0][0].serial
        for name, port, start in (("knot", knot_port, start_knot), ("nsd", nsd_port, start_nsd)):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            secs.append(start(d, port, srv.port))
        for s in secs:
            def current(s=s):
                s.alive()
                return s.serial(ZONE) == serial
            wait_until(current, f"{s.name} serving the zone at serial {serial} (log in {s.dir})",
                       interval=0.05)
        yield {"srv": srv, "knot": secs[0], "nsd": secs[1], "dead": dead, "tmp": tmp}
    finally:
        for s in secs:
            s.stop()
        dead.close()
        rc, errtext, report = None, "", []
        if srv is not None and srv.proc is not None:
            rc = srv.stop()
            errtext, report = srv.stderr_text(), srv.sanitizer_report()
        shutil.rmtree(tmp, ignore_errors=True)
        if srv is not None and srv.proc is not None:
            assert rc == 0, f"dnsxld exited {rc}\n{errtext[-3000:]}"
            assert not report, "sanitizer report:\n" + errtext[-6000:]


def keyring():
    return dns.tsigkeyring.from_text({KEY: ("hmac-sha256", SECRET)})


def ixfr(port, serial, zone=ZONE):
    """The answer records of an IXFR from serial, in order, every message's
    TSIG verified by dnspython (dns.query.xfr)."""
    rrs = []
    for m in dns.query.xfr("127.0.0.1", zone, rdtype=dns.rdatatype.IXFR, serial=serial,
                           port=port, keyring=keyring(), keyname=KEY,
                           keyalgorithm="hmac-sha256", lifetime=30, relativize=False):
        assert m.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(m.rcode())
        for rrset in m.answer:
            for rd in rrset:
                rrs.append((rrset.name.to_text(), rrset.rdtype, rd.to_text()))
    return rrs


def change(mirrors, what, args, probe, want_listed):
    """Run dnsxl-admin, then poll both secondaries until they answer probe
    as dnsxld does; return {name: seconds}."""
    srv = mirrors["srv"]
    t0 = time.monotonic()
    srv.admin(*args)
    serial = srv.q(ZONE, "SOA").answer[0][0].serial
    r = srv.q(probe, "A")
    assert (r.rcode() == dns.rcode.NOERROR and bool(r.answer)) == want_listed
    took = {}
    for name in ("knot", "nsd"):
        sec = mirrors[name]

        def served():
            sec.alive()
            a = sec.ask(probe)
            if a is None:
                return False
            listed = a.rcode() == dns.rcode.NOERROR and bool(a.answer)
            return listed == want_listed and sec.serial(ZONE) == serial
        wait_until(served, f"{name} answering {probe} after {what} (serial {serial}, "
                           f"log in {sec.dir})", interval=0.02)
        took[name] = time.monotonic() - t0
    print(f"{what}: served by " + ", ".join(f"{n} after {t:.3f} s" for n, t in took.items()))
    return serial


def acknowledged(mirrors, serial):
    """Wait until both secondaries acknowledged the signed NOTIFY of serial
    (before the next change: a NOTIFY still unanswered then, e.g. one whose
    first send was lost and waits for its retry, is replaced by the next
    serial's and is never acknowledged)."""
    for port in (mirrors["knot"].port, mirrors["nsd"].port):
        mirrors["srv"].wait_log(f"serial {serial} to 127.0.0.1:{port}: acknowledged")


def test_add_and_delist_reach_the_secondaries_by_notify_and_ixfr(mirrors):
    srv = mirrors["srv"]
    s0 = srv.q(ZONE, "SOA").answer[0][0].serial
    s1 = change(mirrors, "add", ("add", f"{ZONE}/manual", "192.0.2.77"), q4("192.0.2.77"), True)
    acknowledged(mirrors, s1)
    s2 = change(mirrors, "delist", ("delist", f"{ZONE}/manual", "192.0.2.1"), q4("192.0.2.1"),
                False)
    acknowledged(mirrors, s2)
    assert s0 != s1 != s2
    knot, nsd = mirrors["knot"].log(), mirrors["nsd"].log()
    # Knot's log names the transfer; NSD's does not (it logs the update and
    # its size), so dnsxld's log says what each got: two incremental
    # answers per change, never the whole zone after the first AXFRs
    assert "IXFR, incoming" in knot and "AXFR-style" not in knot, knot[-3000:]
    assert f"serial {s2}" in knot, knot[-3000:]
    assert f"updated to {s2}" in nsd and "starting AXFR" not in nsd, nsd[-3000:]
    for s in (s0, s1):
        srv.wait_log(f"incremental from serial {s}:", count=2)
    assert not srv.log_has("(the whole zone)"), srv.stderr_text()[-3000:]
    assert "notify, incoming" in knot and "notify for" in nsd


def test_ixfr_from_an_old_serial_is_the_condensed_difference(mirrors):
    srv = mirrors["srv"]
    s0 = srv.q(ZONE, "SOA").answer[0][0].serial
    srv.admin("add", f"{ZONE}/manual", "192.0.2.100")
    srv.admin("add", f"{ZONE}/manual", "192.0.2.101")
    srv.admin("delist", f"{ZONE}/manual", "192.0.2.100")   # added and removed: not in it
    srv.admin("delist", f"{ZONE}/manual", "192.0.2.2")
    cur = srv.q(ZONE, "SOA").answer[0][0].serial
    rrs = ixfr(srv.port, s0)
    soas = [i for i, x in enumerate(rrs) if x[1] == dns.rdatatype.SOA]
    assert len(soas) == 4, rrs
    assert [rrs[i][2].split()[2] for i in soas] == [str(cur), str(s0), str(cur), str(cur)]
    removed = rrs[soas[1] + 1:soas[2]]
    added = rrs[soas[2] + 1:soas[3]]
    owners = lambda part: {x[0] for x in part}
    assert owners(removed) == {q4("192.0.2.2") + "."}, removed
    assert owners(added) == {q4("192.0.2.101") + "."}, added
    assert {x[1] for x in added} == {dns.rdatatype.A, dns.rdatatype.TXT}
    assert ("127.0.0.2" in {x[2] for x in added})
    # kdig agrees: an incremental transfer of that shape
    out = run_tool([KDIG, "@127.0.0.1", "-p", str(srv.port), "-y",
                    f"hmac-sha256:{KEY}:{SECRET}", ZONE, f"IXFR={s0}"]).stdout
    lines = [ln for ln in out.splitlines() if ln and not ln.startswith(";")]
    assert sum(1 for ln in lines if "\tSOA\t" in ln) == 4, out
    assert any(q4("192.0.2.101") in ln for ln in lines), out


def test_ixfr_outside_the_journal_is_the_whole_zone(mirrors):
    srv = mirrors["srv"]
    cur = srv.q(ZONE, "SOA").answer[0][0].serial
    rrs = ixfr(srv.port, cur - 100000)
    assert rrs[0][1] == dns.rdatatype.SOA and rrs[-1][1] == dns.rdatatype.SOA
    assert rrs[1][1] == dns.rdatatype.NS, rrs[:3]
    assert sum(1 for x in rrs if x[1] == dns.rdatatype.SOA) == 2
    assert q4("192.0.2.101") + "." in {x[0] for x in rrs}
    # up to date: our SOA alone
    rrs = ixfr(srv.port, cur)
    assert len(rrs) == 1 and rrs[0][1] == dns.rdatatype.SOA


def ixfr_query(serial, owner=ZONE, rdclass="IN"):
    """A signed IXFR request whose authority holds the SOA given."""
    q = dns.message.make_query(ZONE, "IXFR")
    q.authority.append(dns.rrset.from_text(
        owner + ".", 0, rdclass, "SOA",
        f"ns1.example.org. hostmaster.example.org. {serial} 3600 600 604800 120"))
    q.use_tsig(keyring(), keyname=KEY, algorithm="hmac-sha256")
    return q


@pytest.mark.parametrize("case", ["other-owner", "class-ch"])
def test_ixfr_whose_soa_is_not_the_zones_is_formerr(mirrors, case):
    """RFC 1995 3: the authority's SOA is the zone's (its owner the zone,
    class IN); another is FORMERR and no zone data, not a transfer from its
    serial."""
    srv = mirrors["srv"]
    cur = srv.q(ZONE, "SOA").answer[0][0].serial
    kw = {"other-owner": {"owner": "other.example.org"},
          "class-ch": {"rdclass": "CH"}}[case]
    for serial in (cur, cur - 1):        # up to date or not: the same FORMERR
        r = dns.query.tcp(ixfr_query(serial, **kw), "127.0.0.1", port=srv.port, timeout=30)
        assert r.rcode() == dns.rcode.FORMERR, dns.rcode.to_text(r.rcode())
        assert not r.answer and not r.authority
    srv.wait_log("not the zone's")
    # the zone's own SOA, case aside, is still a request from its serial
    r = dns.query.tcp(ixfr_query(cur, owner=ZONE.upper()), "127.0.0.1", port=srv.port,
                      timeout=30)
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    assert r.answer[0].rdtype == dns.rdatatype.SOA and r.answer[0][0].serial == cur


def test_ixfr_over_udp_is_the_soa_alone(mirrors):
    """RFC 1995 2: over UDP an IXFR gets the current SOA alone (the client
    asks again over TCP), signed when the request was, after the same checks
    as over TCP: unsigned or signed with a wrong secret it gets no zone data;
    AXFR over UDP stays REFUSED."""
    srv = mirrors["srv"]
    cur = srv.q(ZONE, "SOA").answer[0][0].serial
    for serial in (cur - 1, cur):
        q = ixfr_query(serial)
        r = dns.query.udp(q, "127.0.0.1", port=srv.port, timeout=30)   # verifies the TSIG
        assert r.had_tsig and r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
        assert r.flags & dns.flags.AA and not r.flags & dns.flags.TC
        assert len(r.answer) == 1 and len(r.answer[0]) == 1 and not r.authority
        soa = r.answer[0]
        assert soa.rdtype == dns.rdatatype.SOA and soa.name == dns.name.from_text(ZONE)
        assert soa[0].serial == cur and soa.ttl == TTL
        assert soa[0].mname == dns.name.from_text("ns1.example.org.")
    # without the key: REFUSED, as over TCP
    q = dns.message.make_query(ZONE, "IXFR")
    q.authority.append(dns.rrset.from_text(
        ZONE + ".", 0, "IN", "SOA",
        f"ns1.example.org. hostmaster.example.org. {cur - 1} 3600 600 604800 120"))
    r = dns.query.udp(q, "127.0.0.1", port=srv.port, timeout=30)
    assert r.rcode() == dns.rcode.REFUSED and not r.answer
    # a wrong secret: NOTAUTH (BADSIG), no zone data
    q = ixfr_query(cur)
    q.use_tsig(dns.tsigkeyring.from_text({KEY: ("hmac-sha256", "d3Jvbmctc2VjcmV0LTAxMjM0NTY3")}),
               keyname=KEY, algorithm="hmac-sha256")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(30)
    s.sendto(q.to_wire(), ("127.0.0.1", srv.port))
    wire = s.recv(65535)
    s.close()
    flags, an = struct.unpack("!H", wire[2:4])[0], struct.unpack("!H", wire[6:8])[0]
    assert flags & 0xF == dns.rcode.NOTAUTH and an == 0
    # the authority's SOA not the zone's: FORMERR
    r = dns.query.udp(ixfr_query(cur, owner="other.example.org"), "127.0.0.1", port=srv.port,
                      timeout=30)
    assert r.rcode() == dns.rcode.FORMERR and not r.answer
    # AXFR over UDP: REFUSED
    r = dns.query.udp(dns.message.make_query(ZONE, "AXFR"), "127.0.0.1", port=srv.port,
                      timeout=30)
    assert r.rcode() == dns.rcode.REFUSED and not r.answer


def test_a_domain_zone_too(mirrors):
    """A domain zone's changes are journalled too: a name, a wildcard and
    an exclusion below it, then the name removed."""
    srv = mirrors["srv"]
    srv.admin("add", f"{DZONE}/names", "keep.example")
    s0 = srv.q(DZONE, "SOA").answer[0][0].serial
    srv.admin("add", f"{DZONE}/names", "spam.example")
    srv.admin("add", f"{DZONE}/names", "*.bad.example")
    srv.admin("add", f"{DZONE}/names", "ok.bad.example", "--exclude")
    srv.admin("delist", f"{DZONE}/names", "spam.example")
    cur = srv.q(DZONE, "SOA").answer[0][0].serial
    rrs = ixfr(srv.port, s0, DZONE)
    soas = [i for i, x in enumerate(rrs) if x[1] == dns.rdatatype.SOA]
    assert len(soas) == 4, rrs
    removed = rrs[soas[1] + 1:soas[2]]
    added = {(x[0], x[1]) for x in rrs[soas[2] + 1:soas[3]]}
    assert removed == [], removed                     # spam.example came and went
    # the wildcard, and its copy below the excluded name (which excludes
    # that name alone: an empty non-terminal, dnsxld(8) "Domain zones")
    assert added == {(f"*.bad.example.{DZONE}.", dns.rdatatype.A),
                     (f"*.ok.bad.example.{DZONE}.", dns.rdatatype.A)}, added
    srv.wait_log(f"IXFR {DZONE} to 127.0.0.1 (incremental from serial {s0}:")
    assert str(cur) == rrs[0][2].split()[2]


def test_notify_is_sent_again_until_answered(mirrors):
    """The third target never answers: the same NOTIFY comes again (one at
    a time, the same ID), and it is signed only where the line names a key
    (this one does not)."""
    dead = mirrors["dead"]
    dead.settimeout(30)
    got = []
    while len(got) < 2:
        wire, _ = dead.recvfrom(65535)
        got.append(wire)
    m = [dns.message.from_wire(w) for w in got]
    assert m[0].opcode() == dns.opcode.NOTIFY and m[0].id == m[1].id, m
    assert m[0].question[0].name == dns.name.from_text(ZONE)
    assert m[0].question[0].rdtype == dns.rdatatype.SOA
    assert not m[0].had_tsig


def test_a_change_past_the_bound_drops_the_journal(mirrors):
    """An import of 30,000 /32s is more than the zone's 1M of journal: the
    journal is dropped, the secondaries' IXFR gets the whole zone (Knot:
    AXFR-style IXFR) and both answer the import; the next change is
    incremental again."""
    srv, tmp = mirrors["srv"], mirrors["tmp"]
    path = os.path.join(tmp, "big.txt")
    with open(path, "w") as f:
        for i in range(30000):
            f.write(f"10.77.{i // 256}.{i % 256}\n")
    s0 = srv.q(ZONE, "SOA").answer[0][0].serial
    srv.loader("import", f"{ZONE}/manual", path)
    s1 = srv.q(ZONE, "SOA").answer[0][0].serial
    assert s1 != s0
    assert ixfr(srv.port, s0)[1][1] == dns.rdatatype.NS     # the whole zone
    for name in ("knot", "nsd"):
        sec = mirrors[name]

        def served(sec=sec):
            sec.alive()
            return sec.serial(ZONE) == s1 and listed(sec, q4("10.77.116.255"))
        wait_until(served, f"{name} serving the import (log in {sec.dir})", interval=0.05)
    assert "AXFR-style IXFR" in mirrors["knot"].log()
    srv.wait_log("(the whole zone)", count=2)
    change(mirrors, "add after the import", ("add", f"{ZONE}/manual", "192.0.2.200"),
           q4("192.0.2.200"), True)
    srv.wait_log(f"incremental from serial {s1}:", count=2)


def listed(sec, qname):
    a = sec.ask(qname)
    return a is not None and a.rcode() == dns.rcode.NOERROR and bool(a.answer)


def test_serials_never_go_back(tmp_path):
    """Serials (dnsxld(8), "Serials"): the clock of the change, +1 when the
    clock is not later (several changes in a second, a clock set back);
    the same after a restart; a store rebuilt from scratch later starts at
    its clock, after the old store's serials."""
    srv = Server(str(tmp_path))
    T = 1_900_000_000
    key = f"{ZONE}/manual"
    srv.admin("add", key, "192.0.2.1", now=T)
    srv.start()
    try:
        def soa():
            return srv.q(ZONE, "SOA").answer[0][0].serial
        assert soa() == T
        srv.admin("add", key, "192.0.2.2", now=T)
        srv.admin("add", key, "192.0.2.3", now=T - 3600)      # the clock went back
        wait_until(lambda: soa() == T + 2, "serial T + 2")
        assert srv.stop() == 0
        srv.start()
        assert soa() == T + 2                                 # a restart keeps it
        assert srv.stop() == 0
        shutil.rmtree(srv.dbdir)                              # a rebuild, a minute later
        srv.admin("add", key, "192.0.2.1", now=T + 60)
        srv.start()
        assert soa() == T + 60
    finally:
        if srv.alive():
            assert srv.stop() == 0


def test_notify_after_a_reload(tmp_path):
    """Unsigned targets that answer: the first is notified at start and
    acknowledges; SIGHUP adds a second, which is notified, while the first
    (its serial unchanged) is not notified again; a change notifies both."""
    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(30)
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]

    def conf_with(n):
        def conf(port, dbdir):
            lines = "".join(f"notify = 127.0.0.1:{p}\n" for p in ports[:n])
            return primary_config(0, 0, 0)(port, dbdir).replace(
                "notify = 127.0.0.1:0 key xfr-key\nnotify = 127.0.0.1:0 key xfr-key\n"
                "notify = 127.0.0.1:0\n", lines)
        return conf

    def answer(i):
        wire, peer = socks[i].recvfrom(65535)
        m = dns.message.from_wire(wire)
        assert m.opcode() == dns.opcode.NOTIFY and m.question[0].name.to_text() == ZONE + "."
        r = dns.message.make_response(m)
        socks[i].sendto(r.to_wire(), peer)

    srv = Server(str(tmp_path), config_fn=conf_with(1))
    srv.admin("add", f"{ZONE}/manual", "192.0.2.1")
    srv.start()
    try:
        s0 = srv.q(ZONE, "SOA").answer[0][0].serial
        answer(0)
        srv.wait_log(f"serial {s0} to 127.0.0.1:{ports[0]}: acknowledged")
        srv.config_fn = conf_with(2)
        srv.write_config()
        srv.proc.send_signal(signal.SIGHUP)
        answer(1)
        srv.wait_log(f"serial {s0} to 127.0.0.1:{ports[1]}: acknowledged")
        socks[0].setblocking(False)        # its NOTIFY would be out by now: none
        with pytest.raises(BlockingIOError):
            socks[0].recvfrom(65535)
        socks[0].settimeout(30)
        srv.admin("add", f"{ZONE}/manual", "192.0.2.2")
        s1 = srv.q(ZONE, "SOA").answer[0][0].serial
        answer(0)
        answer(1)
        for p in ports:
            srv.wait_log(f"serial {s1} to 127.0.0.1:{p}: acknowledged")
    finally:
        for s in socks:
            s.close()
        if srv.alive():
            assert srv.stop() == 0
