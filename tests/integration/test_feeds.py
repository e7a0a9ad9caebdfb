"""dnsxl-loader traps, reports, sync and expire (issue 4), end to end: real
binaries, a temp config and database, a running dnsxld answering the
results, a real `rsync --daemon` on loopback and the real `minisign` tool.
Nothing waits for time to pass: expiry is tested with the programs' clock
(DNSXL_TEST_NOW) and kill -9 happens at named kill points (DNSXL_TEST_STOP)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import dns.rcode
import pytest

from conftest import (ADMIN, BL, DEADLINE, LOADER, Server, a_set, free_port, kill9, parse_json,
                      rev4, rev6, run_tool, soa_of, stopped_at, wait_until)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAIL = os.path.join(REPO, "tests", "fixtures", "mail")
DBL = "dbl.example.org"
WL = "wl.example.org"

CODES = {"traps": "127.0.0.2", "reports": "127.0.0.3", "backscatter": "127.0.0.5",
         "short": "127.0.0.6", "synced": "127.0.0.7", "bulk": "127.0.0.8", "nobs": "127.0.0.9"}


def feeds_config(port, dbdir):
    return f"""\
; written by tests/integration/test_feeds.py
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 2

[loader]
trusted-relays = 2001:db8:ffff::/48
trusted-relays = 203.0.113.0/30
trusted-relays = 2002:a05:6a10::/48
protected      = 198.51.100.0/26
never-list-zone = {WL}

[zone {BL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {BL}/traps]
code         = 127.0.0.2
lifetime     = 48h
escalation   = 2
max-lifetime = 30d
backscatter  = {BL}/backscatter

[list {BL}/backscatter]
code     = 127.0.0.5
lifetime = 24h

[list {BL}/reports]
code      = 127.0.0.3
lifetime  = 24h
threshold = 2
window    = 7d

[list {BL}/short]
code     = 127.0.0.6
lifetime = 2s

[list {BL}/synced]
code     = 127.0.0.7
lifetime = forever

[list {BL}/bulk]
code     = 127.0.0.8
lifetime = forever

[list {BL}/nobs]
code     = 127.0.0.9
lifetime = 48h

[zone {DBL}]
kind = domain
ttl  = 60
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {DBL}/domains]
code     = 127.0.1.2
lifetime = 24h

[zone {WL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {WL}/good]
code = 127.0.0.2
"""


@pytest.fixture(scope="module")
def fsrv():
    with tempfile.TemporaryDirectory(prefix="dnsxl-feeds-") as d:
        s = Server(d, config_fn=feeds_config)
        s.start()
        try:
            yield s
        finally:
            was_alive = s.alive()
            rc = s.stop()
            assert was_alive, f"dnsxld died during the tests\nstderr:\n{s.stderr_text()}"
            assert rc == 0, f"dnsxld exited {rc} on SIGTERM\nstderr:\n{s.stderr_text()}"


# --- helpers ---------------------------------------------------------------

def qname(ip, zone=BL):
    return f"{rev6(ip) if ':' in ip else rev4(ip)}.{zone}"


def answer(srv, ip, zone=BL):
    """A records for ip in zone, or None for NXDOMAIN."""
    r = srv.q(qname(ip, zone))
    if r.rcode() == dns.rcode.NXDOMAIN:
        return None
    assert r.rcode() == dns.rcode.NOERROR, r
    return a_set(r)


def serial(srv, zone=BL):
    return soa_of(srv.q(zone, "SOA"), "answer")[0].serial


def summary(text):
    """'  listed: 3' lines of a traps/reports summary -> {'listed': 3, ...}."""
    out = {}
    for m in re.finditer(r"^\s*([a-z][A-Za-z ()]*?): (\d+)", text, re.M):
        out.setdefault(m.group(1).strip(), int(m.group(2)))
    return out


def history(srv, key):
    doc = parse_json(srv.admin("show", key, "--json").stdout)
    return doc["history"]


def actions(srv, key, lst):
    return [h["action"] for h in history(srv, key) if h.get("list") == lst]


def listed_keys(srv, target):
    return srv.admin("list", target).stdout


def message(ip, msgid, bounce=False, received=None):
    """A spam-trap message as our Postfix MX writes it."""
    lit = f"IPv6:{ip}" if ":" in ip else ip
    rcvd = received or (f"Received: from mail.sender.example (mail.sender.example [{lit}])\n"
                        f"\tby mx.example.org (Postfix) with ESMTP id X{abs(hash(msgid)) % 10**9}\n"
                        f"\tfor <trap@example.org>; Sun, 22 Nov 2026 10:00:01 +0000 (UTC)\n")
    return (f"Return-Path: <{'' if bounce else 'offer@bulk.example'}>\n"
            f"Delivered-To: trap@example.org\n{rcvd}"
            f"From: \"Offer\" <offer@bulk.example>\nTo: trap@example.org\n"
            f"Subject: test\nMessage-ID: <{msgid}>\n"
            f"Date: Sun, 22 Nov 2026 10:00:00 +0000\n\nBuy now.\n")


def maildir(root, messages):
    """A Maildir holding messages (name -> text), half in new/, half in cur/."""
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for i, (name, text) in enumerate(sorted(messages.items())):
        sub = "new" if i % 2 == 0 else "cur"
        with open(os.path.join(root, sub, name), "w") as f:
            f.write(text)
    return root


def fixture_text(name):
    with open(os.path.join(MAIL, name)) as f:
        return f.read()


# Every Received style of the fixtures and the client each must yield.
STYLES = {
    "received-postfix.eml": "192.0.2.10",
    "received-postfix-ipv6.eml": "2001:db8:5::25",
    "received-exim-literal.eml": "203.0.113.5",
    "received-exim-port.eml": "192.0.2.77",
    "received-sendmail-forged.eml": "203.0.113.88",
    "received-sendmail-noptr.eml": "198.51.100.99",
    "received-qmail-unknown.eml": "203.0.113.201",
    "received-qmail-rdns.eml": "198.51.100.150",
    "received-qmail-bare.eml": "192.0.2.45",
    "received-opensmtpd.eml": "203.0.113.12",
    "received-o365-ipv6.eml": "2603:10b6:a03:1a9::12",
    "received-exchange-ipv4.eml": "192.0.2.61",
    "received-exchange-eop.eml": "2a01:111:f400::1",
    "received-gmail.eml": "209.85.208.65",
    "chain-relays.eml": "198.51.100.66",
}
# clients inside protected = 198.51.100.0/26: found, but never listed
PROTECTED_STYLES = {
    "received-postfix-unknown.eml": "198.51.100.23",
    "received-exim-rdns.eml": "198.51.100.44",
}


# --- traps -------------------------------------------------------------------

def test_traps_every_received_style_from_a_maildir(fsrv, tmp_path):
    msgs = {name: fixture_text(name) for name in list(STYLES) + list(PROTECTED_STYLES)}
    md = maildir(str(tmp_path / "Maildir"), msgs)
    s0 = serial(fsrv)
    p = fsrv.loader("traps", f"{BL}/traps", md)
    c = summary(p.stdout)
    assert c["listed"] == len(STYLES), p.stdout
    assert c["rejected by policy"] == 2 and c["protected network"] == 2, p.stdout
    assert c["unreadable"] == 0 and c["no client"] == 0, p.stdout
    assert serial(fsrv) != s0
    for name, ip in STYLES.items():
        assert answer(fsrv, ip) == [CODES["traps"]], f"{name}: {ip} not listed"
        assert actions(fsrv, ip, "traps") == ["list"], name
    for name, ip in PROTECTED_STYLES.items():
        assert answer(fsrv, ip) is None, f"{name}: protected {ip} listed"
        assert actions(fsrv, ip, "traps") == ["reject"], name
    # our relays, the forged lower hop, the qmail HELO text: never listed
    for ip in ("2001:db8:ffff::25", "203.0.113.2", "203.0.113.3", "192.0.2.200", "192.0.2.1",
               "127.0.0.1"):
        assert answer(fsrv, ip) is None, f"{ip} listed"
    # the history names the evidence
    h = [x for x in history(fsrv, "192.0.2.10") if x["list"] == "traps"]
    assert "postfix@bulk.example" in h[0]["reason"], h

    # the same Maildir again: every message already counted
    p = fsrv.loader("traps", f"{BL}/traps", md)
    c = summary(p.stdout)
    assert c["listed"] == 0 and c["extended"] == 0, p.stdout
    assert c["duplicates"] == len(STYLES) + len(PROTECTED_STYLES), p.stdout
    assert actions(fsrv, "192.0.2.10", "traps") == ["list"]


def test_traps_trusted_relays_decide_the_client(fsrv, tmp_path):
    """Without our v6 relay in trusted-relays the relay itself would be listed;
    with it (the config), the walk goes on to the sender's hop. A forged
    header below the first untrusted hop is never read."""
    text = fixture_text("chain-relays.eml").replace("198.51.100.66", "192.0.2.166").replace(
        "<chain-relays@bulk.example>", "<chain-relays-2@bulk.example>")
    f = tmp_path / "one.eml"
    f.write_text(text)
    p = fsrv.loader("traps", f"{BL}/nobs", str(f))
    assert summary(p.stdout)["listed"] == 1, p.stdout
    assert answer(fsrv, "192.0.2.166") == [CODES["nobs"]]
    assert "192.0.2.166" in listed_keys(fsrv, f"{BL}/nobs")
    for ip in ("2001:db8:ffff::25", "203.0.113.2", "203.0.113.3"):
        assert ip not in listed_keys(fsrv, f"{BL}/nobs")


def test_traps_folded_headers_ipv4_and_ipv6(fsrv, tmp_path):
    msgs = {
        "a": message("192.0.2.171", "fold-a@x", received=(
            "Received: from mail.sender.example\n"
            "\t(mail.sender.example\n"
            "\t [192.0.2.171])\n"
            "\tby mx.example.org (Postfix) with ESMTP id F1;\n"
            "\tSun, 22 Nov 2026 10:00:01 +0000\n")),
        "b": message("2001:db8:17::1", "fold-b@x", received=(
            "Received: from mail6.sender.example (mail6.sender.example\n"
            "        [IPv6:2001:db8:17::1])\n"
            "        by mx.example.org (Postfix) with ESMTPS id F2\n"
            "        for <trap@example.org>; Sun, 22 Nov 2026 10:00:01 +0000\n")),
    }
    md = maildir(str(tmp_path / "md"), msgs)
    p = fsrv.loader("traps", f"{BL}/nobs", md)
    assert summary(p.stdout)["listed"] == 2, p.stdout
    assert answer(fsrv, "192.0.2.171") == [CODES["nobs"]]
    assert answer(fsrv, "2001:db8:17::1") == [CODES["nobs"]]


def test_traps_mbox_and_stdin(fsrv, tmp_path):
    p = fsrv.loader("traps", f"{BL}/nobs", os.path.join(MAIL, "traps.mbox"))
    c = summary(p.stdout)
    assert p.stdout.startswith(f"traps {BL}/nobs: 3 messages"), p.stdout
    assert c["listed"] == 2 and c["no client"] == 0, p.stdout      # 198.51.100.20 protected
    assert c["rejected by policy"] == 1, p.stdout
    assert answer(fsrv, "192.0.2.10") is not None
    assert CODES["nobs"] in answer(fsrv, "192.0.2.10")
    assert CODES["nobs"] in answer(fsrv, "203.0.113.30")
    p = fsrv.loader("traps", f"{BL}/nobs", "-", input=message("192.0.2.172", "stdin-1@x"))
    assert summary(p.stdout)["listed"] == 1, p.stdout
    assert answer(fsrv, "192.0.2.172") == [CODES["nobs"]]


def test_traps_duplicate_message_id_counted_once(fsrv, tmp_path):
    mbox = tmp_path / "dups.mbox"
    one = message("192.0.2.173", "dup-1@x")
    other = message("192.0.2.173", "dup-2@x")
    mbox.write_text("".join(f"From offer@bulk.example Sun Nov 22 10:00:0{i} 2026\n{m}\n"
                            for i, m in enumerate((one, one, one, other))))
    p = fsrv.loader("traps", f"{BL}/nobs", str(mbox))
    c = summary(p.stdout)
    assert c["listed"] == 1 and c["duplicates"] == 2 and c["extended"] == 1, p.stdout
    doc = parse_json(fsrv.admin("show", "192.0.2.173", "--json").stdout)
    entry = [e for e in doc["listings"] if e["list"] == "nobs"][0]
    assert entry["hits"] == 2, entry
    assert actions(fsrv, "192.0.2.173", "nobs") == ["list", "update"]


def test_traps_bounce_goes_to_backscatter(fsrv, tmp_path):
    f = os.path.join(MAIL, "bounce.eml")
    p = fsrv.loader("traps", f"{BL}/traps", f)
    assert re.search(r"bounces: 1 \(to bl\.example\.org/backscatter, 0 skipped\)", p.stdout), p.stdout
    assert answer(fsrv, "198.51.100.80") == [CODES["backscatter"]]
    assert actions(fsrv, "198.51.100.80", "backscatter") == ["list"]
    assert actions(fsrv, "198.51.100.80", "traps") == []
    # a list without a backscatter target skips bounces (and says so)
    bounce2 = message("192.0.2.174", "bounce-2@x", bounce=True)
    p = fsrv.loader("traps", f"{BL}/nobs", "-", input=bounce2)
    assert "1 skipped" in p.stdout and summary(p.stdout)["listed"] == 0, p.stdout
    assert answer(fsrv, "192.0.2.174") is None


def test_traps_unreadable_message_is_counted_not_fatal(fsrv, tmp_path):
    md = maildir(str(tmp_path / "md"), {"good": message("192.0.2.175", "ok-1@x")})
    os.symlink(str(tmp_path / "missing"), os.path.join(md, "new", "dangling"))
    os.mkdir(os.path.join(md, "new", "subdir"))
    p = fsrv.loader("traps", f"{BL}/nobs", md, check=False)
    assert p.returncode == 3, (p.returncode, p.stderr)    # done, some inputs skipped
    c = summary(p.stdout)
    assert c["unreadable"] == 2 and c["listed"] == 1, p.stdout + p.stderr
    assert "dangling" in p.stderr, p.stderr
    assert answer(fsrv, "192.0.2.175") == [CODES["nobs"]]
    # a path that is no mail source at all is bad input
    p = fsrv.loader("traps", f"{BL}/nobs", str(tmp_path / "nope"), check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)


def test_traps_never_list_cases(fsrv, tmp_path):
    fsrv.admin("add", f"{WL}/good", "192.0.2.176", "--reason", "our customer")
    cases = {"10.1.2.3": "private or reserved address",
             "100.64.1.1": "private or reserved address",
             "169.254.3.3": "private or reserved address",
             "fe80::1234": "private or reserved address",
             "198.51.100.5": "protected network",
             "192.0.2.176": "listed in a never-list zone"}
    msgs = {f"m{i}": message(ip, f"never-{i}@x") for i, ip in enumerate(cases)}
    md = maildir(str(tmp_path / "md"), msgs)
    p = fsrv.loader("traps", f"{BL}/traps", md)
    c = summary(p.stdout)
    assert c["listed"] == 0 and c["rejected by policy"] == len(cases), p.stdout
    for ip, why in cases.items():
        assert answer(fsrv, ip) is None, ip
        h = [x for x in history(fsrv, ip) if x["list"] == "traps"]
        assert [x["action"] for x in h] == ["reject"], (ip, h)
        assert why in h[0]["reason"], (ip, h)
    assert answer(fsrv, "192.0.2.176", WL) == ["127.0.0.2"]   # the allow-list itself answers


def test_hold_blocks_relisting(fsrv, tmp_path):
    ip = "192.0.2.177"
    fsrv.loader("traps", f"{BL}/traps", "-", input=message(ip, "hold-1@x"))
    assert answer(fsrv, ip) == [CODES["traps"]]
    fsrv.admin("delist", f"{BL}/traps", ip, "--hold", "1h")
    assert answer(fsrv, ip) is None
    p = fsrv.loader("traps", f"{BL}/traps", "-", input=message(ip, "hold-2@x"))
    c = summary(p.stdout)
    assert c["held"] == 1 and c["listed"] == 0 and c["relisted"] == 0, p.stdout
    assert answer(fsrv, ip) is None
    assert actions(fsrv, ip, "traps") == ["list", "delist", "hold"]


def test_relisting_escalates_the_lifetime(fsrv, tmp_path):
    ip = "192.0.2.178"
    fsrv.loader("traps", f"{BL}/traps", "-", input=message(ip, "esc-1@x"))
    fsrv.admin("delist", f"{BL}/traps", ip)
    fsrv.loader("traps", f"{BL}/traps", "-", input=message(ip, "esc-2@x"))
    assert answer(fsrv, ip) == [CODES["traps"]]
    h = [x for x in history(fsrv, ip) if x["list"] == "traps"]
    assert [x["action"] for x in h] == ["list", "delist", "relist"], h
    t = lambda s: time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
    first = t(h[0]["expires"]) - t(h[0]["at"])
    second = t(h[2]["expires"]) - t(h[2]["at"])
    assert first == 48 * 3600 and second == 96 * 3600, h


def test_expiry_removes_an_entry(fsrv, tmp_path):
    # list "short" has a 2 s lifetime. Listed now, it answers; listed with
    # the loader's clock 120 s back (DNSXL_TEST_NOW), it expired long ago
    # for dnsxld's real-time clock: no waiting for either.
    fresh, ip = "192.0.2.184", "192.0.2.179"
    fsrv.loader("traps", f"{BL}/short", "-", input=message(fresh, "short-0@x"))
    assert answer(fsrv, fresh) == [CODES["short"]]
    t = int(time.time()) - 120
    fsrv.loader("traps", f"{BL}/short", "-", input=message(ip, "short-1@x"), now=t)
    assert answer(fsrv, ip) is None                      # queries treat it as absent
    assert ip in listed_keys(fsrv, f"{BL}/short")        # still stored until expire runs
    # expire at the loader's clock: a second before the expiry keeps it, at it removes it
    p = fsrv.loader("expire", now=t + 1)
    assert ip in listed_keys(fsrv, f"{BL}/short"), p.stdout
    p = fsrv.loader("expire", now=t + 2)
    assert re.search(r"expired [1-9]\d* entr", p.stdout), p.stdout
    assert ip not in listed_keys(fsrv, f"{BL}/short")
    assert actions(fsrv, ip, "short") == ["list", "expire"]
    assert answer(fsrv, ip) is None


# --- reports --------------------------------------------------------------------

def arf(reporter, ip, msgid):
    text = fixture_text("arf-abuse.eml")
    text = text.replace("From: <abuse-reports@ISP.example>", f"From: <abuse@{reporter}>", 1)
    text = text.replace("Source-IP: 198.51.100.1", f"Source-IP: {ip}", 1)
    text = text.replace("<arf-abuse-1@isp.example>", f"<{msgid}>", 1)
    assert f"abuse@{reporter}" in text and f"Source-IP: {ip}" in text
    return text


def test_reports_threshold_two_distinct_reporters(fsrv, tmp_path):
    ip = "192.0.2.181"
    d = tmp_path / "reports"
    d.mkdir()
    (d / "1.eml").write_text(arf("isp-a.example", ip, "r1@isp-a.example"))
    p = fsrv.loader("reports", f"{BL}/reports", str(d))
    assert summary(p.stdout)["pending (below threshold)"] == 1, p.stdout
    assert answer(fsrv, ip) is None
    # the same report again, and another report by the same reporter: still one reporter
    (d / "2.eml").write_text(arf("isp-a.example", ip, "r2@isp-a.example"))
    p = fsrv.loader("reports", f"{BL}/reports", str(d))
    c = summary(p.stdout)
    assert c["duplicates"] == 1 and c["pending (below threshold)"] == 1, p.stdout
    assert answer(fsrv, ip) is None
    # a second reporter: listed
    p = fsrv.loader("reports", f"{BL}/reports", "-",
                    input=arf("mailbox-b.example", ip, "r3@mailbox-b.example"))
    assert summary(p.stdout)["listed"] == 1, p.stdout
    assert answer(fsrv, ip) == [CODES["reports"]]
    h = [x for x in history(fsrv, ip) if x["list"] == "reports"]
    assert [x["action"] for x in h] == ["reject", "reject", "list"], h
    assert "report by mailbox-b.example" in h[-1]["reason"]


def test_reports_without_source_ip_domains_and_bad_input(fsrv, tmp_path):
    # Source-IP missing: the included message's Received chain names the sender
    p = fsrv.loader("reports", f"{BL}/reports", os.path.join(MAIL, "arf-no-source-ip.eml"))
    assert summary(p.stdout)["pending (below threshold)"] == 1, p.stdout
    assert actions(fsrv, "2001:db8:bad::7", "reports") == ["reject"]
    # domain zone: the Reported-Domain names (threshold 1 there)
    p = fsrv.loader("reports", f"{DBL}/domains", os.path.join(MAIL, "arf-domain.eml"))
    assert summary(p.stdout)["listed"] == 2, p.stdout
    for name in ("phish.example", "login-bank.example"):
        assert a_set(fsrv.q(f"{name}.{DBL}")) == ["127.0.1.2"], name
    # not an ARF report: one file is bad input (exit 1), named
    p = fsrv.loader("reports", f"{BL}/reports", os.path.join(MAIL, "not-arf.eml"), check=False)
    assert p.returncode == 1 and "not-arf.eml" in p.stderr, (p.returncode, p.stdout, p.stderr)


# --- sync -------------------------------------------------------------------------

def _port_open(port, proc):
    """Does the daemon accept connections on port? Fails if it exited."""
    if proc.poll() is not None:
        pytest.fail(f"rsync --daemon exited {proc.returncode}: {proc.stderr.read()}")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE):
            return True
    except OSError:
        return False


@pytest.fixture
def rsyncd(tmp_path):
    """A real rsync daemon on loopback serving module 'zones' from a temp dir."""
    if not shutil.which("rsync"):
        pytest.fail("rsync not installed (tests/deps.sh)")
    root = tmp_path / "rsync-root"
    root.mkdir()
    port = free_port()
    conf = tmp_path / "rsyncd.conf"
    conf.write_text(f"""\
use chroot = false
uid = {os.getuid()}
gid = {os.getgid()}
pid file = {tmp_path}/rsyncd.pid
log file = {tmp_path}/rsyncd.log
[zones]
path = {root}
read only = true
""")
    proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--port={port}",
                             "--address=127.0.0.1", f"--config={conf}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: _port_open(port, proc), "rsync --daemon accepting connections")
        yield root, f"rsync://127.0.0.1:{port}/zones"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(DEADLINE)


def minisign_keys(d):
    if not shutil.which("minisign"):
        pytest.fail("minisign not installed (tests/deps.sh)")
    pub, sec = os.path.join(d, "test.pub"), os.path.join(d, "test.key")
    run_tool(["minisign", "-G", "-W", "-p", pub, "-s", sec])
    return pub, sec


def sign(sec, path, legacy=False):
    run_tool(["minisign", "-S", *(["-l"] if legacy else []), "-s", sec, "-m", str(path),
              "-t", "dnsxl test"])


def test_sync_rsync_daemon_minisign(fsrv, tmp_path, rsyncd):
    root, url = rsyncd
    pub, sec = minisign_keys(str(tmp_path))
    zone = root / "bl.txt"
    zone.write_text("# synced list\n192.0.2.224/30\n192.0.2.230\n")
    sign(sec, zone)
    target = f"{BL}/synced"
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub)
    assert "imported 2 entries" in p.stdout and "signature verified" in p.stdout, p.stdout
    for ip in ("192.0.2.224", "192.0.2.227", "192.0.2.230"):
        assert answer(fsrv, ip) == [CODES["synced"]], ip

    # unchanged: nothing written, the serial stays
    s0 = serial(fsrv)
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub)
    assert "unchanged" in p.stdout, p.stdout
    assert serial(fsrv) == s0

    # tampered data with the old signature: refused, old data still answers.
    # Same size and mtime as the signed file: rsync's quick check must not
    # mistake it for the copy in the cache.
    st = os.stat(zone)
    zone.write_text("# synced list\n192.0.2.224/30\n192.0.2.231\n")
    assert os.stat(zone).st_size == st.st_size
    os.utime(zone, ns=(st.st_atime_ns, st.st_mtime_ns))
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "signature" in p.stderr and "nothing imported" in p.stderr, p.stderr
    assert answer(fsrv, "192.0.2.230") == [CODES["synced"]]
    assert answer(fsrv, "192.0.2.231") is None
    assert serial(fsrv) == s0

    # a missing signature: refused too
    os.unlink(str(zone) + ".minisig")
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub, check=False)
    assert p.returncode == 1 and "signature" in p.stderr, (p.returncode, p.stderr)
    assert answer(fsrv, "192.0.2.230") == [CODES["synced"]]

    # signed by another key: refused
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    _, other_sec = minisign_keys(str(other_dir))
    sign(other_sec, zone)
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub, check=False)
    assert p.returncode == 1 and "another key" in p.stderr, (p.returncode, p.stderr)
    assert answer(fsrv, "192.0.2.231") is None

    # properly signed (legacy form this time): replaces the list
    sign(sec, zone, legacy=True)
    p = fsrv.loader("sync", target, f"{url}/bl.txt", "--pubkey", pub)
    assert "1 added" in p.stdout and "1 deleted" in p.stdout, p.stdout
    assert answer(fsrv, "192.0.2.231") == [CODES["synced"]]
    assert answer(fsrv, "192.0.2.230") is None
    assert serial(fsrv) != s0


def test_sync_rbldnsd_file_from_a_path_without_key(fsrv, tmp_path):
    src = tmp_path / "rbl.zone"
    src.write_text(":127.0.0.7:Synced - $\n192.0.2.240\n192.0.2.241\n")
    p = fsrv.loader("sync", f"{BL}/bulk", str(src))
    assert "imported 2 entries" in p.stdout, p.stdout
    assert CODES["synced"] in answer(fsrv, "192.0.2.241")
    # a missing source fails cleanly, data kept
    p = fsrv.loader("sync", f"{BL}/bulk", str(tmp_path / "gone.zone"), check=False)
    assert p.returncode == 2 and "rsync" in p.stderr, (p.returncode, p.stderr)
    assert answer(fsrv, "192.0.2.241") is not None


# --- kill -9 mid-import --------------------------------------------------------------

def big_list(path, n, first=(11 << 24)):
    """n distinct addresses from `first` on, every 7th (a plain list file)."""
    addrs = []
    for i in range(n):
        v = first + i * 7
        addrs.append(f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}")
    with open(path, "w") as f:
        f.write("\n".join(addrs) + "\n")
    return addrs


# The kill points make the size irrelevant: the loader stops at the exact
# place (half the records written; everything written and the index built,
# inside the commit), so 100k entries prove what 1M would, in a fraction of
# the time. An import of this size still spans many LMDB pages.
N_BIG = 100_000


@pytest.mark.parametrize("phase", ["import-write", "store-commit"])
def test_kill9_during_an_import_keeps_old_data(fsrv, tmp_path, phase):
    target = f"{BL}/bulk"
    small = tmp_path / "small.txt"
    small.write_text("192.0.2.250\n")
    fsrv.loader("import", target, str(small), "--replace", "--force")
    assert answer(fsrv, "192.0.2.250") == [CODES["bulk"]]
    big = tmp_path / "big.txt"
    addrs = big_list(big, N_BIG)
    first, last = addrs[0], addrs[-1]      # written before / after the import-write point
    s0 = serial(fsrv)

    def old_data_only():
        assert fsrv.alive()
        assert answer(fsrv, "192.0.2.250") == [CODES["bulk"]]
        assert answer(fsrv, first) is None and answer(fsrv, last) is None, "part of the import visible"
        assert serial(fsrv) == s0

    argv = [LOADER, "-c", fsrv.conf, "import", target, str(big), "--replace", "--force"]
    proc = stopped_at(phase, argv, str(tmp_path / "loader.pid"))
    try:
        old_data_only()                    # while the import holds its write transaction
        assert fsrv.admin("list", target).stdout.count("\n") >= 1  # readers do not wait
    finally:
        kill9(proc)                        # (also when a check failed: it holds the writer lock)
    old_data_only()                        # after the kill
    assert "192.0.2.250" in fsrv.admin("list", target).stdout
    assert first not in fsrv.admin("list", target).stdout
    # the next run succeeds (LMDB's writer lock of the killed process is recovered)
    p = fsrv.loader(*argv[3:])
    assert f"imported {N_BIG} entries" in p.stdout, p.stdout
    assert answer(fsrv, first) == [CODES["bulk"]] and answer(fsrv, last) == [CODES["bulk"]]
    assert answer(fsrv, "192.0.2.250") is None
    assert serial(fsrv) != s0


def reader_pids(dbdir):
    """The pids in the store's reader table (mdb_stat -r, lmdb-utils: it
    exits 1 whenever the table is not empty, so the status is not checked)."""
    p = run_tool(["mdb_stat", "-r", dbdir], check=False)
    assert "Reader Table Status" in p.stdout, (p.returncode, p.stdout, p.stderr)
    pids = set()
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[0].isdigit():
            pids.add(int(f[0]))
    return pids


def test_reader_killed_in_its_read_txn_is_cleared_by_the_next_run(fsrv, tmp_path):
    """A dnsxl-admin list killed -9 inside its read transaction (kill point
    list-read) leaves its slot in the reader table while dnsxld holds the
    store open (the slot pins old pages: the store would only grow). The
    next dnsxl-admin or dnsxl-loader run clears it and says so."""
    assert fsrv.pid in reader_pids(fsrv.dbdir), "dnsxld's workers hold the store open"

    def round_(argv):
        """One kill and clear; None if dnsxld's own once-a-minute check
        cleared the slot first (it logs that), else the clearing run."""
        logged = fsrv.stderr_text().count("reader slot")
        proc = stopped_at("list-read", [ADMIN, "-c", fsrv.conf, "list", f"{BL}/bulk"],
                          str(tmp_path / "list.pid"))
        dead = proc.pid
        try:
            assert dead in reader_pids(fsrv.dbdir), "the reader's slot while it runs"
        finally:
            kill9(proc)
        before = reader_pids(fsrv.dbdir)
        p = run_tool(argv)
        after = reader_pids(fsrv.dbdir)
        if fsrv.stderr_text().count("reader slot") > logged:
            return None
        assert dead in before, "a killed reader's slot stays while dnsxld holds the store"
        assert dead not in after, f"{argv[0]} did not clear the dead reader's slot"
        assert "cleared 1 reader slot left by killed processes" in p.stderr, p.stderr
        return p

    for argv in ([ADMIN, "-c", fsrv.conf, "zones"], [LOADER, "-c", fsrv.conf, "expire"]):
        # dnsxld's check runs once a minute: it cannot come first twice running
        assert round_(argv) or round_(argv)
        assert fsrv.alive()


# --- progress bar ----------------------------------------------------------------------

def read_pty(argv):
    """Run argv with stderr on a new terminal; (exit status, what it drew)."""
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    proc.wait(30)
    return proc.returncode, out.decode(errors="replace")


def test_import_progress_bar_only_on_a_terminal(fsrv, tmp_path):
    f = tmp_path / "many.txt"
    f.write_text("".join(f"10.{i >> 8 & 255}.{i & 255}.{i % 200 + 1}\n" for i in range(50000)))
    p = fsrv.loader("import", f"{BL}/bulk", str(f), "--replace", "--force")
    assert "\r" not in p.stderr and "/s" not in p.stderr, repr(p.stderr)
    rc, text = read_pty([LOADER, "-c", fsrv.conf, "import", f"{BL}/bulk", str(f), "--replace", "--force"])
    assert rc == 0
    assert "importing" in text and "100%" in text and "/s" in text and "\r" in text, repr(text)


def test_progress_bar_only_on_a_terminal(fsrv, tmp_path):
    md = maildir(str(tmp_path / "md"), {f"m{i}": message("192.0.2.182", f"pb-{i}@x")
                                        for i in range(3)})
    # not a terminal: no bar
    p = fsrv.loader("traps", f"{BL}/nobs", md)
    assert "\r" not in p.stderr and "/s" not in p.stderr, repr(p.stderr)
    # a terminal on stderr: the bar is drawn
    md2 = maildir(str(tmp_path / "md2"), {f"m{i}": message("192.0.2.183", f"pb2-{i}@x")
                                          for i in range(3)})
    rc, text = read_pty([LOADER, "-c", fsrv.conf, "traps", f"{BL}/nobs", md2])
    assert rc == 0
    assert "traps 3" in text and "/s" in text and "\r" in text, repr(text)
