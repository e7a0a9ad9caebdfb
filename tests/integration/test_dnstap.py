"""Query logs in dnstap (dnsxld(8) "Query logs"): `dnstap = PATH` (a file)
or `dnstap = unix:PATH` (an fstrm reader's socket: fstrm_capture here), with
`dnstap-sample`. What dnsxld wrote is read back by Debian's dnstap-ldns: N
queries give N AUTH_QUERY and N AUTH_RESPONSE messages with the names, types,
transports and rcodes that were sent and answered. Nothing sleeps: every
wait polls for its effect."""
import os
import shutil
import subprocess
import tempfile

import dns.rcode
import pytest

from conftest import BL, DBL, DEADLINE, Server, base_config, rev4, wait_until

DNSTAP_LDNS = shutil.which("dnstap-ldns")
FSTRM_CAPTURE = shutil.which("fstrm_capture")
pytestmark = pytest.mark.skipif(not DNSTAP_LDNS, reason="dnstap-ldns not installed")


def tap_config(target, sample=None, workers=2):
    def fn(port, dbdir, **kw):
        extra = f"dnstap = {target}\n" + (f"dnstap-sample = {sample}\n" if sample else "")
        t = base_config(port, dbdir, **kw).replace("[server]\n", "[server]\n" + extra, 1)
        return t.replace("workers  = 2\n", f"workers  = {workers}\n", 1)
    return fn


def read_tap(path):
    """dnstap-ldns -y: a list of (type, protocol, qname, qtype, rcode) per message."""
    p = subprocess.run([DNSTAP_LDNS, "-y", "-r", path], capture_output=True, text=True,
                       timeout=DEADLINE)
    assert p.returncode == 0, p.stderr
    out = []
    for doc in p.stdout.split("\n---\n"):
        if "type: MESSAGE" not in doc:
            continue
        f = {}
        in_question = False
        for line in doc.splitlines():
            s = line.strip()
            if s.startswith("type: AUTH_"):
                f["type"] = s.split()[1]
            elif s.startswith("socket_protocol:"):
                f["proto"] = s.split()[1]
            elif s.startswith(";; ->>HEADER<<-"):
                f["rcode"] = s.split("rcode: ")[1].split(",")[0]
            elif s == ";; QUESTION SECTION:":
                in_question = True
            elif in_question and s.startswith(";"):
                parts = s[1:].split()
                f["qname"], f["qtype"] = parts[0], parts[-1]
                in_question = False
        out.append((f.get("type"), f.get("proto"), f.get("qname"), f.get("qtype"), f.get("rcode")))
    return out


QUERIES = [  # name, type, tcp, rcode
    (f"{rev4('192.0.2.1')}.{BL}.", "A", False, "NOERROR"),
    (f"{rev4('192.0.2.1')}.{BL}.", "TXT", True, "NOERROR"),
    (f"{rev4('192.0.2.99')}.{BL}.", "A", False, "NXDOMAIN"),
    (f"spam.example.{DBL}.", "A", False, "NOERROR"),
    ("www.example.com.", "A", False, "REFUSED"),
]


def run_queries(s):
    for name, rdtype, tcp, rcode in QUERIES:
        r = s.q(name, rdtype, tcp=tcp)
        assert dns.rcode.to_text(r.rcode()) == rcode, (name, r)


def check_log(msgs, probe_name):
    """The messages of QUERIES (the start's SOA probes aside): each query's
    AUTH_QUERY then its AUTH_RESPONSE."""
    mine = [m for m in msgs if m[2] != probe_name]
    assert len(mine) == 2 * len(QUERIES), msgs
    want = []
    for name, rdtype, tcp, rcode in QUERIES:
        proto = "TCP" if tcp else "UDP"
        want.append(("AUTH_QUERY", proto, name, rdtype, "NOERROR"))
        want.append(("AUTH_RESPONSE", proto, name, rdtype, rcode))
    assert sorted(mine) == sorted(want)
    for q in [m for m in mine if m[0] == "AUTH_QUERY"]:     # one response for each query
        assert sum(1 for r in mine if r[0] == "AUTH_RESPONSE" and r[2:4] == q[2:4] and
                   r[1] == q[1]) == 1


def seed_and_start(s):
    s.admin("add", f"{BL}/traps", "192.0.2.1", "--reason", "trap hit")
    s.admin("add", f"{DBL}/domains", "spam.example")
    s.start()


def stop_ok(s):
    rc = s.stop()
    assert rc == 0, f"dnsxld exited {rc}\nstderr:\n{s.stderr_text()}"
    assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def test_dnstap_file_has_every_query_and_response():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-dnstap-") as d:
        path = os.path.join(d, "queries.dnstap")
        s = Server(d, config_fn=tap_config(path))
        try:
            seed_and_start(s)
            run_queries(s)
        finally:
            stop_ok(s)                  # the file is complete once dnsxld has stopped
        check_log(read_tap(path), f"{BL}.")


@pytest.mark.skipif(not FSTRM_CAPTURE, reason="fstrm_capture (fstrm-bin) not installed")
def test_dnstap_to_fstrm_capture_over_a_unix_socket():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-dnstap-") as d:
        sock, out = os.path.join(d, "tap.sock"), os.path.join(d, "captured.dnstap")
        cap = subprocess.Popen([FSTRM_CAPTURE, "-t", "protobuf:dnstap.Dnstap", "-u", sock,
                                "-w", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: os.path.exists(sock) or cap.poll() is not None,
                       "fstrm_capture's socket")
            assert cap.poll() is None, cap.stderr.read()
            s = Server(d, config_fn=tap_config("unix:" + sock))
            try:
                seed_and_start(s)
                run_queries(s)
            finally:
                stop_ok(s)              # flushes and closes the stream (FINISH)
        finally:
            cap.terminate()             # fstrm_capture closes its file on SIGTERM
            cap.wait(DEADLINE)
        check_log(read_tap(out), f"{BL}.")


def test_dnstap_sample_logs_a_share_of_the_queries():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-dnstap-") as d:
        path = os.path.join(d, "queries.dnstap")
        s = Server(d, config_fn=tap_config(path, sample="25%", workers=1))
        name = f"{rev4('192.0.2.1')}.{BL}."
        try:
            seed_and_start(s)
            for _ in range(40):
                assert s.q(name, "A").rcode() == dns.rcode.NOERROR
        finally:
            stop_ok(s)
        msgs = [m for m in read_tap(path) if m[2] == name]
        queries = [m for m in msgs if m[0] == "AUTH_QUERY"]
        # one worker, every 4th query: 10 of the 40 (the phase depends on
        # how many SOA probes the start sent: one more or less)
        assert 9 <= len(queries) <= 11, msgs
        assert len([m for m in msgs if m[0] == "AUTH_RESPONSE"]) == len(queries)


def test_a_dnstap_file_that_cannot_be_written_stops_the_start():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-dnstap-") as d:
        s = Server(d, config_fn=tap_config(os.path.join(d, "no", "such", "dir", "q.dnstap")))
        s.admin("add", f"{BL}/traps", "192.0.2.1")
        from conftest import AS_ROOT, DNSXLD
        p = subprocess.run([DNSXLD, *AS_ROOT, "-c", s.conf], capture_output=True, text=True,
                           timeout=DEADLINE * 4)
        assert p.returncode != 0
        assert "dnstap: cannot write" in p.stderr and "q.dnstap" in p.stderr, p.stderr
