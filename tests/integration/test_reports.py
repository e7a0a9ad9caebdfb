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
