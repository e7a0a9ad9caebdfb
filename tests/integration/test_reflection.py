"""Reflection under response rate limiting (issue 10, "Done when").

20,000 TXT queries with a 4096-byte EDNS buffer from one spoofed loopback
source (the socket is bound to 127.0.0.5: all of 127/8 is loopback, so the
replies come back to it, as they would to a victim), while a legitimate
client in another network (127.0.1.9) asks 20 queries a second. With
rate-limit = 20 and rate-limit-slip = 2 the bytes sent to the flood source
are at most 0.6 of the bytes it sent; every legitimate query is answered
(by TCP after TC where slipped); the server lives; with a valid cookie the
flood source is answered in full. knotd (Debian knot, mod-rrl with
rate-limit 20 and slip 2) gets the same flood and the same data.

Nothing here depends on how fast the machine is:
- the flood goes in chunks of CHUNK queries, each followed by a probe from
  an exempt network (127.0.2.1) on the same server socket (one worker, so
  one socket, answered in order): the probe's reply proves the chunk was
  answered, and every reply to it is already queued on the flood socket.
  No reply is decided missing by a timeout.
- the bound holds whatever the clock: the server cannot send more full
  answers than burst + rate x (the seconds the flood took + 1), which the
  test asserts. The ratio bound follows from what was measured: at most
  that many full answers, the rest slipped (one in SLIP, each no longer
  than its query) or dropped. The test asserts bytes out / bytes in <= 0.6
  (the issue's figure, met when the flood goes at >= ~20x the limit), or,
  on a machine so slow that the limit itself lets more through, the
  measured bound: never a failure for slowness, never a pass for a
  limiter that lets more through than its rate.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import BL, DEADLINE, Server, base_config, free_port, rev4, seed, wait_until

N = 20000
CHUNK = 200
RATE = 20
SLIP = 2
FLOOD_SRC = "127.0.0.5"
LEGIT_SRC = "127.0.1.9"
NEIGHBOUR_SRC = "127.0.0.9"      # a legitimate client in the flooded /24
PROBE_SRC = "127.0.2.1"          # rate-limit-exempt / knotd whitelist
LISTED = f"{rev4('192.0.2.99')}.{BL}"
COOKIE = 10


def flood_query(qid, cookie=None):
    opts = [dns.edns.GenericOption(COOKIE, cookie)] if cookie else []
    m = dns.message.make_query(LISTED, "TXT", use_edns=0, payload=4096, options=opts)
    m.id = qid
    return m.to_wire()


def bound(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)     # SO_RCVBUFFORCE (root)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((src, 0))
    return s


class Flood:
    """The flood from FLOOD_SRC: bytes out, bytes back, replies by kind."""

    def __init__(self, port, cookie=None):
        self.port = port
        self.cookie = cookie
        self.sent = self.back = 0
        self.full = self.tc = self.badcookie = self.other = 0
        self.max_full = self.max_slip = self.max_query = 0    # reply and query sizes
        self.seconds = None

    def drain(self, s):
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            self.back += len(data)
            r = dns.message.from_wire(data)
            if r.rcode() == 23:
                self.badcookie += 1
            if r.flags & dns.flags.TC:
                self.tc += 1
                self.max_slip = max(self.max_slip, len(data))
            elif r.rcode() == dns.rcode.NOERROR and r.answer:
                self.full += 1
                self.max_full = max(self.max_full, len(data))
            else:
                self.other += 1

    def run(self):
        fs = bound(FLOOD_SRC)
        ps = bound(PROBE_SRC)
        ps.settimeout(DEADLINE)
        fs.connect(("127.0.0.1", self.port))
        ps.connect(("127.0.0.1", self.port))
        t0 = time.monotonic()
        try:
            for c in range(N // CHUNK):
                for i in range(CHUNK):
                    w = flood_query(c * CHUNK + i, self.cookie)
                    fs.send(w)
                    self.sent += len(w)
                    self.max_query = max(self.max_query, len(w))
                probe = dns.message.make_query(f"probe{c}.{BL}", "A")
                probe.id = 0xF000 + c
                ps.send(probe.to_wire())
                while True:
                    try:
                        r = dns.message.from_wire(ps.recv(65535))
                    except socket.timeout:
                        pytest.fail(f"no reply to probe {c} within {DEADLINE:.0f} s: the server "
                                    "stopped answering during the flood")
                    if r.id == probe.id:
                        break
                fs.setblocking(False)
                self.drain(fs)
                fs.setblocking(True)
            self.seconds = time.monotonic() - t0
        finally:
            fs.close()
            ps.close()
        return self

    @property
    def ratio(self):
        return self.back / self.sent

    def allowed_full(self, slack=1):
        """Full answers a limit of RATE a second (burst RATE) allows while the flood ran
        (slack: times that, for a limiter of other rules)."""
        return slack * (RATE + RATE * (self.seconds + 1))

    def ratio_bound(self, slack=1):
        """bytes out / bytes in that the limit allows for this flood's duration: the
        full answers it allows, the slips (one limited answer in SLIP, none longer
        than its query) of the rest."""
        full = min(N, self.allowed_full(slack))
        slips = (N - full) / SLIP + 1
        return (full * self.max_full + slips * self.max_query) / self.sent


class Legit(threading.Thread):
    """A client at 20 queries a second from LEGIT_SRC until stopped: each
    query is asked again after a second without a reply (as resolvers do:
    the flood may overflow socket buffers), and over TCP after TC=1.
    Nothing is decided by that second: a query is only failed after
    DEADLINE."""

    def __init__(self, port, src=LEGIT_SRC):
        super().__init__(daemon=True)
        self.port = port
        self.src = src
        self.stop = threading.Event()
        self.asked = self.answered = self.via_tcp = self.udp_sent = 0
        self.failed = []

    def one(self, s, qid):
        m = dns.message.make_query(LISTED, "TXT", use_edns=0, payload=1232)
        m.id = qid
        w = m.to_wire()
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            s.send(w)
            self.udp_sent += 1
            s.settimeout(1.0)
            try:
                while True:
                    r = dns.message.from_wire(s.recv(65535))
                    if r.id == qid:
                        break
            except socket.timeout:
                continue                           # asked again, as a resolver would
            if r.flags & dns.flags.TC:
                t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                t.bind((self.src, 0))
                t.settimeout(DEADLINE)
                t.connect(("127.0.0.1", self.port))
                r = dns.query.tcp(m, "127.0.0.1", port=self.port, sock=t, timeout=DEADLINE)
                t.close()
                self.via_tcp += 1
            return r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
        return False

    def run(self):
        s = bound(self.src)
        s.connect(("127.0.0.1", self.port))
        qid = 0
        while not self.stop.is_set() or self.asked < 20:
            qid = (qid + 1) & 0x7FFF
            self.asked += 1
            if self.one(s, qid):
                self.answered += 1
            else:
                self.failed.append(qid)
            time.sleep(1.0 / RATE)                 # pacing the load, not waiting for an event
        s.close()


def flood_with_legit(port):
    legit = [Legit(port), Legit(port, NEIGHBOUR_SRC)]
    for c in legit:
        c.start()
    try:
        f = Flood(port).run()
    finally:
        for c in legit:
            c.stop.set()
        for c in legit:
            c.join(DEADLINE * 3)
    assert not any(c.is_alive() for c in legit), "a legitimate client did not finish"
    return f, legit


def check_limited(f, clients, name, slack=1):
    print(f"\n{name}: {N} queries in {f.seconds:.2f} s, {f.sent} bytes in, {f.back} bytes out, "
          f"ratio {f.ratio:.3f}; {f.full} full answers, {f.tc} truncated "
          f"({f.badcookie} BADCOOKIE), {f.other} other")
    for c in clients:
        print(f"  legitimate client {c.src}: {c.answered}/{c.asked} answered, {c.via_tcp} by TCP "
              f"after TC, {c.udp_sent} UDP sends")
    bound = max(0.6, f.ratio_bound(slack))
    print(f"  ratio allowed: {bound:.3f} (0.6, or what the limit allows in {f.seconds:.2f} s: "
          f"{f.ratio_bound(slack):.3f})")
    assert f.ratio <= bound, f"{name}: bytes out / bytes in = {f.ratio:.3f} > {bound:.3f}"
    assert f.max_slip <= f.max_query, "a slip longer than its query"
    for c in clients:
        assert c.failed == [], f"legitimate queries from {c.src} not answered: {c.failed}"
        assert c.answered == c.asked >= 20
    # the other network is never limited: 20/s is the rate, with a burst of 20;
    # only its own resends (a reply later than a second) could push it past
    assert clients[0].via_tcp <= clients[0].udp_sent - clients[0].asked


def rrl_config(port, dbdir):
    return base_config(port, dbdir).replace("workers  = 2\n", "workers  = 1\n").replace(
        "[server]\n", f"[server]\nrate-limit = {RATE}\nrate-limit-slip = {SLIP}\n"
                      f"rate-limit-exempt = {PROBE_SRC}/24\n", 1)


def test_reflection_dnsxld(tmp_path):
    s = Server(str(tmp_path), config_fn=rrl_config)
    seed(s)
    s.start()
    try:
        f, legit = flood_with_legit(s.port)
        check_limited(f, legit, "dnsxld")
        # every limited answer was slipped or dropped, alternately (one
        # worker, one count; the probes are exempt): exactly half of the
        # flood's, give or take those of the neighbour interleaved with it
        limited = N - f.full
        assert abs(f.tc - limited / SLIP) <= legit[1].udp_sent + 1, (f.tc, limited)
        assert f.other == 0
        # a GCRA: the burst, then one answer per 1/rate s of the flood
        assert f.full <= f.allowed_full(), "more full answers than the limit allows"
        assert s.alive()

        # with a valid cookie the same source is answered in full: it takes
        # the cookie over TCP (never limited; the cookie names the address,
        # not the port), then floods with it
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind((FLOOD_SRC, 0))
        t.settimeout(DEADLINE)
        t.connect(("127.0.0.1", s.port))
        q = dns.message.make_query(BL, "SOA", use_edns=0,
                                   options=[dns.edns.GenericOption(COOKIE, os.urandom(8))])
        r = dns.query.tcp(q, "127.0.0.1", port=s.port, sock=t, timeout=DEADLINE)
        t.close()
        cookie = [bytes(o.data) for o in r.options if o.otype == COOKIE][0]
        assert len(cookie) == 24
        g = Flood(s.port, cookie=cookie).run()
        print(f"dnsxld with a cookie: {N} queries in {g.seconds:.2f} s, ratio {g.ratio:.3f}, "
              f"{g.full} full answers")
        assert g.full == N and g.tc == 0 and g.other == 0
        assert g.ratio > 1
    finally:
        rc = s.stop()
    assert rc == 0, s.stderr_text()
    assert not s.sanitizer_report(), s.stderr_text()[-6000:]
    # the counters dnsxld prints at exit agree with what came back
    line = [ln for ln in s.stderr_text().splitlines() if "rate limited" in ln][-1]
    nums = [int(w.strip("(,")) for w in line.split("rate limited")[1].split() if w.strip("(,").isdigit()]
    assert nums[0] >= N - f.full and nums[1] >= f.tc and nums[0] == nums[1] + nums[2], line


KNOT_CONF = """\
server:
    rundir: "{d}"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: "{d}"
mod-rrl:
  - id: rrl
    rate-limit: {rate}
    slip: {slip}
    whitelist: {probe}/24
template:
  - id: default
    storage: "{d}"
    file: "%s.zone"
    global-module: mod-rrl/rrl
zone:
  - domain: {zone}
"""

# The same records dnsxld answers for LISTED (seed(): two lists, two TXTs)
KNOT_ZONE = """\
$ORIGIN {zone}.
$TTL 300
@ SOA ns1.example.org. hostmaster.example.org. 1 3600 600 604800 120
@ NS ns1.example.org.
@ NS ns2.example.org.
99.2.0.192 TXT "Listed in manual: manual listing - https://example.org/lookup?q=192.0.2.99"
99.2.0.192 TXT "Seen hitting spam traps - https://example.org/lookup?q=192.0.2.99"
"""


def test_reflection_knotd(tmp_path):
    knotd = shutil.which("knotd") or ("/usr/sbin/knotd" if os.path.exists("/usr/sbin/knotd") else None)
    if not knotd:
        pytest.skip("knotd is not installed (make deps installs Debian's knot)")
    d = str(tmp_path)
    port = free_port()
    with open(os.path.join(d, "knot.conf"), "w") as f:
        f.write(KNOT_CONF.format(d=d, port=port, rate=RATE, slip=SLIP, probe=PROBE_SRC, zone=BL))
    with open(os.path.join(d, f"{BL}.zone"), "w") as f:
        f.write(KNOT_ZONE.format(zone=BL))
    err = open(os.path.join(d, "knotd.stderr"), "wb")
    p = subprocess.Popen([knotd, "-c", os.path.join(d, "knot.conf")], stdout=err, stderr=err,
                         stdin=subprocess.DEVNULL)
    try:
        def answers():
            assert p.poll() is None, open(os.path.join(d, "knotd.stderr")).read()
            try:
                m = dns.message.make_query(LISTED, "TXT")
                r = dns.query.udp(m, "127.0.0.1", port=port, timeout=0.2, source=PROBE_SRC)
                return r.rcode() == dns.rcode.NOERROR and r.answer
            except (dns.exception.Timeout, OSError):
                return False
        wait_until(answers, "knotd answering")
        f, legit = flood_with_legit(port)
        # knotd's buckets are not a GCRA with this burst: twice the full answers
        check_limited(f, legit, "knotd", slack=2)
        assert p.poll() is None
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            p.wait(DEADLINE)
        err.close()
