"""dnsxl-loader traps and reports against real mail, end to end: the real
dnsxl-loader writes the store, the real dnsxld answers what it listed.

- traps: Received chains as real trap mailboxes carry them (Google
  Workspace / Gmail internal hops, an anti-virus gateway writing
  "from unknown[IP]:PORT", IPv6 literals without the IPv6: tag);
- reports: ARF (RFC 5965) reports that must not list (not-spam,
  auth-failure, other), and files that are no valid report, one at a time
  (exit 1) and in a directory (skipped, named, exit 3);
- messages that quote mail (file names, header values) never pass control
  bytes to the terminal.
"""
import os
import re
import shutil
import tempfile

import dns.rcode
import pytest

from conftest import BL, LOADER, Server, a_set, rev4, rev6, run_tool

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAIL = os.path.join(REPO, "tests", "fixtures", "mail")
BAD = os.path.join(MAIL, "reports-bad")
DBL = "dbl.example.org"

TRAPS = "127.0.0.2"
REPORTS = "127.0.0.3"


def reports_config(port, dbdir):
    return f"""\
; written by tests/integration/test_reports.py
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 1

[loader]
trusted-relays = 203.0.113.0/30   ; our anti-virus gateway in front of the MX

[zone {BL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {BL}/traps]
code     = {TRAPS}
lifetime = 48h

[list {BL}/reports]
code     = {REPORTS}
lifetime = 24h

[zone {DBL}]
kind = domain
ttl  = 60
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {DBL}/domains]
code     = 127.0.1.2
lifetime = 24h
"""


@pytest.fixture(scope="module")
def rsrv():
    with tempfile.TemporaryDirectory(prefix="dnsxl-reports-") as d:
        s = Server(d, config_fn=reports_config)
        s.start()
        try:
            yield s
        finally:
            was_alive = s.alive()
            rc = s.stop()
            assert was_alive, f"dnsxld died during the tests\nstderr:\n{s.stderr_text()}"
            assert rc == 0, f"dnsxld exited {rc} on SIGTERM\nstderr:\n{s.stderr_text()}"


# --- helpers ---------------------------------------------------------------

def answer(srv, key, zone=BL):
    """A records dnsxld answers for an address or a name, None for NXDOMAIN."""
    if zone == DBL:
        name = f"{key}.{zone}"
    else:
        name = f"{rev6(key) if ':' in key else rev4(key)}.{zone}"
    r = srv.q(name)
    if r.rcode() == dns.rcode.NXDOMAIN:
        return None
    assert r.rcode() == dns.rcode.NOERROR, r
    return a_set(r)


def counts(text):
    """'  listed: 3' lines of a summary -> {'listed': 3, ...}."""
    out = {}
    for m in re.finditer(r"^\s*([a-z][A-Za-z ,()-]*?): (\d+)$", text, re.M):
        out.setdefault(m.group(1).strip(), int(m.group(2)))
    return out


def loader(srv, *args, input=None):
    """dnsxl-loader with the server's config; bytes out, any exit status."""
    import subprocess
    p = subprocess.run([LOADER, "-c", srv.conf, *args], capture_output=True, input=input,
                       timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), p


def fixture(name):
    with open(os.path.join(MAIL, name), "rb") as f:
        return f.read()


def maildir(root, messages):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for name, data in sorted(messages.items()):
        with open(os.path.join(root, "new", name), "wb") as f:
            f.write(data)
    return root


# --- traps: Received chains of real mailboxes --------------------------------

# fixture -> the client the first untrusted hop names
TRAP_STYLES = {
    "received-gmail-workspace.eml": "192.0.2.25",     # by 2002:... hop, then mx.google.com
    "received-gmail-ipv6.eml": "2001:db8::25",        # ... from an IPv6 client, no IPv6: tag
    "received-gmail.eml": "209.85.208.65",
    "received-fsecure-unknown.eml": "192.0.2.24",     # trusted gateway, "from unknown[IP]:PORT"
}
# never the client: Google's internal hop addresses, our gateway, the
# trusted-looking relays forged below the first untrusted hop
NOT_LISTED = ("2002:a05:6a10:8f0c:b0:5c1:3e2f:9a0d", "2002:a05:7022:2201:b0:9b:65ec:421a",
              "2002:a05:6a10:a20e:b0:4d3:1e0c:56a1", "203.0.113.1", "203.0.113.2",
              "203.0.113.3")


def test_traps_real_mailbox_received_chains(rsrv, tmp_path):
    md = maildir(str(tmp_path / "Maildir"), {n: fixture(n) for n in TRAP_STYLES})
    rc, out, err, _ = loader(rsrv, "traps", f"{BL}/traps", md)
    assert rc == 0, (rc, out, err)
    c = counts(out)
    assert c["listed"] == len(TRAP_STYLES) and c["no client"] == 0, out + err
    for name, ip in TRAP_STYLES.items():
        assert answer(rsrv, ip) == [TRAPS], f"{name}: {ip} not answered"
    for ip in NOT_LISTED:
        assert answer(rsrv, ip) is None, f"{ip} listed"


def test_traps_from_host_bracket_without_blank(rsrv, tmp_path):
    """One message on stdin whose only hop writes the client as
    "from host[IP]" (IPv4) and one as "from host[IPv6]" (no tag)."""
    for ip, rcvd in (("192.0.2.41", "from mail.bulk.example[192.0.2.41] by mx.example.org"),
                     ("2001:db8::41", "from mail6.bulk.example[2001:db8::41]:25 by mx.example.org")):
        msg = (f"Received: {rcvd} with ESMTP id B{ip.replace(':', '').replace('.', '')};\n"
               f"\tSun, 22 Nov 2026 10:00:01 +0000\n"
               f"From: offer@bulk.example\nTo: trap@example.org\nSubject: x\n"
               f"Message-ID: <bracket-{ip}@bulk.example>\n\nBuy now.\n").encode()
        rc, out, err, _ = loader(rsrv, "traps", f"{BL}/traps", "-", input=msg)
        assert rc == 0 and counts(out)["listed"] == 1, (rc, out, err)
        assert answer(rsrv, ip) == [TRAPS], ip


# --- reports: what never lists, what is no report ------------------------------

# every file of tests/fixtures/mail/reports-bad/ and the reason it is refused
BAD_REASONS = {
    "bad-boundary.eml": 'bad MIME boundary: "----=_Part_4711_1795860000001" delimits no part',
    "dsn.eml": 'not an ARF report: report-type is "delivery-status" (a bounce), not feedback-report',
    "plain-complaint.eml": "not an ARF report: Content-Type is text/plain, not multipart/report",
    "forwarded-spam.eml": "not an ARF report: Content-Type is multipart/mixed, not multipart/report",
    "no-feedback-type.eml": "not an ARF report: no Feedback-Type field",
    "bad-source-ip.eml": "bad Source-IP: 198.51.100.256",
    "no-ip.eml": "no address: no Source-IP, and in the reported message: no Received headers",
    "truncated.eml": "truncated: the closing MIME boundary",
    "empty.eml": "empty: not a mail message",
    "binary.eml": "binary data (NUL bytes): not a mail message",
    "wrong-part-type.eml": "not an ARF report: no message/feedback-report part (parts: text/plain, text/plain, "
                           "message/rfc822)",
    "no-reporter.eml": "no reporter: neither a From: address nor Reporting-MTA",
}
BAD_IP = "198.51.100.71"          # the Source-IP of the bad reports that have one


def test_bad_fixtures_are_all_covered():
    assert sorted(os.listdir(BAD)) == sorted(BAD_REASONS)


@pytest.mark.parametrize("name", sorted(BAD_REASONS))
def test_reports_one_invalid_file_is_bad_input(rsrv, name):
    path = os.path.join(BAD, name)
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", path)
    assert rc == 1, (rc, out, err)
    assert out == "", out                          # no summary: nothing was done
    assert f"reports: {path}: invalid report: {BAD_REASONS[name]}" in err, err
    assert answer(rsrv, BAD_IP) is None


def test_reports_invalid_report_on_stdin_is_bad_input(rsrv):
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", "-",
                             input=fixture("reports-bad/truncated.eml"))
    assert rc == 1 and "reports: -: invalid report: truncated" in err, (rc, out, err)


def _arf(name, ip, msgid):
    text = fixture(name).decode()
    text = re.sub(r"Source-IP: \S+", f"Source-IP: {ip}", text, count=1)
    text = re.sub(r"Message-ID: <[^>]+>", f"Message-ID: <{msgid}>", text, count=1)
    assert f"Source-IP: {ip}" in text and msgid in text
    return text.encode()


def test_reports_directory_skips_invalid_files_and_applies_the_rest(rsrv, tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    for name in BAD_REASONS:
        shutil.copy(os.path.join(BAD, name), d / name)
    good = {"a-abuse.eml": _arf("arf-abuse.eml", "192.0.2.81", "dir-abuse@isp.example"),
            "a-virus.eml": _arf("arf-virus.eml", "192.0.2.82", "dir-virus@isp-b.example"),
            "a-not-spam.eml": _arf("arf-not-spam.eml", "192.0.2.83", "dir-ns@isp-b.example"),
            "a-auth.eml": _arf("arf-auth-failure.eml", "192.0.2.84", "dir-af@isp-b.example")}
    for name, data in good.items():
        (d / name).write_bytes(data)
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", str(d))
    assert rc == 3, (rc, out, err)
    c = counts(out)
    assert c["listed"] == 2 and c["not complaints (never listed)"] == 2, out
    assert c["not-spam"] == 1 and c["auth-failure"] == 1, out
    assert c["invalid (skipped)"] == len(BAD_REASONS) and c["unreadable"] == 0, out
    for name, why in BAD_REASONS.items():               # named in the summary and on stderr
        assert f"    {d}/{name}: {why}" in out, (name, out)
        assert f"reports: {d}/{name}: invalid report: {why}" in err, (name, err)
    # the valid complaints were committed and answer; the rest never
    assert answer(rsrv, "192.0.2.81") == [REPORTS]
    assert answer(rsrv, "192.0.2.82") == [REPORTS]
    for ip in ("192.0.2.83", "192.0.2.84", BAD_IP):
        assert answer(rsrv, ip) is None, ip

    # the same directory without its invalid files: every file valid, exit 0
    for name in BAD_REASONS:
        os.unlink(d / name)
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", str(d))
    assert rc == 0, (rc, out, err)
    assert counts(out)["duplicates"] == 2 and "skipped:" not in out, out


def test_reports_maildir_and_mbox_with_an_invalid_message(rsrv, tmp_path):
    md = maildir(str(tmp_path / "md"), {
        "1": _arf("arf-abuse.eml", "192.0.2.85", "md-1@isp.example"),
        "2": fixture("reports-bad/dsn.eml"),
    })
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", md)
    assert rc == 3 and counts(out)["listed"] == 1, (rc, out, err)
    assert f"{md}/new/2: invalid report: not an ARF report" in err, err
    assert answer(rsrv, "192.0.2.85") == [REPORTS]

    mbox = tmp_path / "reports.mbox"
    mbox.write_bytes(b"From fbl@isp.example Sun Nov 22 11:00:00 2026\n"
                     + _arf("arf-abuse.eml", "192.0.2.86", "mbox-1@isp.example")
                     + b"\nFrom someone@mailbox.example Sun Nov 22 11:10:00 2026\n"
                     + fixture("reports-bad/plain-complaint.eml"))
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", str(mbox))
    assert rc == 3 and counts(out)["listed"] == 1, (rc, out, err)
    assert f"{mbox}:2: invalid report: not an ARF report" in err, err
    assert answer(rsrv, "192.0.2.86") == [REPORTS]


@pytest.mark.parametrize("ftype,ip", [("not-spam", "192.0.2.91"), ("auth-failure", "192.0.2.92"),
                                      ("other", "192.0.2.93"), ("opt-out", "192.0.2.94")])
def test_reports_that_are_no_complaint_never_list(rsrv, ftype, ip):
    text = _arf("arf-abuse.eml", ip, f"type-{ftype}@isp.example").replace(
        b"Feedback-Type: abuse", f"Feedback-Type: {ftype}".encode(), 1)
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", "-", input=text)
    assert rc == 0, (rc, out, err)
    c = counts(out)
    assert c["not complaints (never listed)"] == 1 and c["listed"] == 0, out
    assert c["other" if ftype == "other" else
             "unregistered type" if ftype == "opt-out" else ftype] == 1, out
    assert answer(rsrv, ip) is None
    # the same report as a complaint lists: the type alone decided
    rc, out, err, _ = loader(rsrv, "reports", f"{BL}/reports", "-",
                             input=text.replace(f"Feedback-Type: {ftype}".encode(),
                                                b"Feedback-Type: abuse", 1))
    assert rc == 0 and counts(out)["listed"] == 1, (rc, out, err)
    assert answer(rsrv, ip) == [REPORTS]


# --- control bytes from mail never reach the terminal raw ------------------------

def test_control_bytes_in_names_and_headers_are_escaped(rsrv, tmp_path):
    d = tmp_path / "esc"
    d.mkdir()
    evil_name = "evil\x1b[31mred\x07.eml"
    (d / evil_name).write_bytes(fixture("reports-bad/plain-complaint.eml"))
    bad_ip = _arf("arf-abuse.eml", "192.0.2.95\x1b[2J", "esc-1@isp.example")
    (d / "clear-screen.eml").write_bytes(bad_ip)
    rc, out, err, p = loader(rsrv, "reports", f"{BL}/reports", str(d))
    assert rc == 3, (rc, out, err)
    for stream in (p.stdout, p.stderr):
        assert b"\x1b" not in stream and b"\x07" not in stream, stream
    assert "evil\\x1b[31mred\\x07.eml: not an ARF report" in out, out
    assert "evil\\x1b[31mred\\x07.eml: invalid report: not an ARF report" in err, err
    assert "bad Source-IP: 192.0.2.95\\x1b[2J" in out and "192.0.2.95\\x1b[2J" in err, (out, err)

    # traps: an unreadable Maildir entry named with control bytes
    md = maildir(str(tmp_path / "md"), {})
    os.symlink(str(tmp_path / "missing"), os.path.join(md, "new", "dangling\x1b]0;title\x07"))
    rc, out, err, p = loader(rsrv, "traps", f"{BL}/traps", md)
    assert rc == 3, (rc, out, err)          # done, the unreadable entry skipped
    assert b"\x1b" not in p.stderr and b"\x07" not in p.stderr, p.stderr
    assert "dangling\\x1b]0;title\\x07" in err, err
