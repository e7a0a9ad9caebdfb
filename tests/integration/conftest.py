"""Integration fixtures: a real dnsxld on a free loopback port, fed through
the real dnsxl-admin and dnsxl-loader, queried with dnspython (and dig/kdig).

Binaries come from $DNSXL_BUILD (default <repo>/build). Nothing is stubbed:
if a binary is missing or fails, the tests fail and say why.

No test depends on how fast the machine is (a busy machine, a sanitizer
build). A test never sleeps to let something happen: it waits for the
observable effect with wait_until() and a generous deadline (DEADLINE). The
clock is a parameter (DNSXL_TEST_NOW: Server.admin/loader/start(now=...)),
kill -9 happens at a named point of the program (DNSXL_TEST_STOP:
stopped_at()), and "no reply" is proved by a probe (Server.replies_to()), not
by a short timeout. Speed is measured in bench/, never asserted here.
"""
import ipaddress
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("DNSXL_BUILD") or os.path.join(REPO, "build"))

# How long a test waits for something that must happen (a reply, a reload, a
# process reaching a kill point) before it fails. Generous: a slow or busy
# machine only makes a test take longer, never fail.
DEADLINE = 30.0


def wait_until(fn, what, deadline=DEADLINE, interval=0.01):
    """Call fn() until it returns a true value, and return that value. Fail
    the test, naming `what`, if it has not after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            pytest.fail(f"{what}: not within {deadline:.0f} s")
        time.sleep(interval)


def clock_env(now=None, stop=None, env=None):
    """The environment for a program run: DNSXL_TEST_NOW=now (the program's
    clock, unix seconds), DNSXL_TEST_STOP=stop ("PHASE:FILE")."""
    e = dict(os.environ if env is None else env)
    e.pop("DNSXL_TEST_NOW", None)
    e.pop("DNSXL_TEST_STOP", None)
    if now is not None:
        e["DNSXL_TEST_NOW"] = str(int(now))
    if stop is not None:
        e["DNSXL_TEST_STOP"] = stop
    return e


def stopped_at(phase, argv, pidfile, now=None):
    """Start argv with DNSXL_TEST_STOP=phase:pidfile and wait until it is
    stopped there (the program wrote its pid to pidfile and waits to be
    killed). Returns the Popen. Fails if the program exits first."""
    if os.path.exists(pidfile):
        os.unlink(pidfile)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=clock_env(now, f"{phase}:{pidfile}"))

    def there():
        if os.path.exists(pidfile):
            return True
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"{' '.join(argv)} exited {proc.returncode} before {phase}\n"
                        f"stdout:\n{out.decode(errors='replace')}\n"
                        f"stderr:\n{err.decode(errors='replace')}")
        return False

    wait_until(there, f"{os.path.basename(argv[0])} stopping at {phase}")
    with open(pidfile) as f:
        assert int(f.read()) == proc.pid, f"{pidfile} names another process"
    return proc


def kill9(proc):
    """kill -9 a process we started; it must die of it."""
    proc.kill()
    proc.communicate(timeout=DEADLINE)
    assert proc.returncode == -signal.SIGKILL, f"exit status {proc.returncode}, not killed by SIGKILL"


def _prog(name):
    """BUILD/name, or BUILD/bin/name (a file, not the dnsxld/ object directory)."""
    for p in (os.path.join(BUILD, name), os.path.join(BUILD, "bin", name)):
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return os.path.join(BUILD, name)


DNSXLD = _prog("dnsxld")
# dnsxld refuses to keep root unless told (dnsxld(8) "Privileges"): run as
# root, the suite's servers keep it on purpose (-u root), except where a test
# says otherwise (Server.start(user_args=...)).
AS_ROOT = ["-u", "root"] if os.geteuid() == 0 else []
ADMIN = _prog("dnsxl-admin")
LOADER = _prog("dnsxl-loader")

# Zone parameters the tests compare answers against.
BL = "bl.example.org"
BL_TTL = 300
BL_SOA_MIN = 120          # < BL_TTL: negative TTL must be 120
DBL = "dbl.example.org"
DBL_TTL = 60
DBL_SOA_MIN = 900         # > DBL_TTL: negative TTL must be 60
ACL = "acl.example.org"   # allow-query excludes loopback entirely
V6ONLY = "v6only.example.org"  # allow-query = ::1 only
MULTI = "multi.example.org"    # answer = bitmask
CC = "cc.example.org"          # country zone (dnsxl-loader country)
TCP_IDLE = 2              # seconds

ZONE_TXT = "Listed in $list: $reason - https://example.org/lookup?q=$"
TRAPS_TXT = "Seen hitting spam traps - https://example.org/lookup?q=$"
DBL_TXT = "Domain $ listed in $zone"

# Three long TXT strings for one key: without EDNS the TXT answer cannot fit
# in 512 bytes, with TCP it must come complete.
BIG_KEY = "192.0.2.200"
BIG_TXT = {
    "traps": "T" * 150 + " trap evidence " + "t" * 40,
    "manual": "M" * 150 + " manual evidence " + "m" * 40,
    "reports": "R" * 150 + " report evidence " + "r" * 40,
}


def base_config(port, dbdir, traps_txt=TRAPS_TXT, extra=""):
    return f"""\
; written by tests/integration/conftest.py
[server]
listen   = 127.0.0.1:{port}
listen   = [::1]:{port}
database = {dbdir}
workers  = 2
tcp-idle-timeout = {TCP_IDLE}s

[zone {BL}]
kind = ip
ttl  = {BL_TTL}
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 {BL_SOA_MIN}
ns   = ns1.example.org.
ns   = ns2.example.org.
txt  = {ZONE_TXT}
answer = separate

[list {BL}/traps]
code     = 127.0.0.2
lifetime = 48h
txt      = {traps_txt}

[list {BL}/manual]
code     = 127.0.0.4
lifetime = forever

[list {BL}/reports]
code     = 127.0.0.3
lifetime = 24h

[zone {DBL}]
kind = domain
ttl  = {DBL_TTL}
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 {DBL_SOA_MIN}
ns   = ns1.example.org.
txt  = {DBL_TXT}

[list {DBL}/domains]
code     = 127.0.1.2
lifetime = forever

[zone {ACL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
allow-query = 192.0.2.0/24
allow-query = 2001:db8::/32

[list {ACL}/manual]
code = 127.0.0.2

[zone {V6ONLY}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
allow-query = ::1/128

[list {V6ONLY}/manual]
code = 127.0.0.2

[zone {MULTI}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
answer = bitmask

[list {MULTI}/a]
code = 127.0.0.2

[list {MULTI}/b]
code = 127.0.0.4

[list {MULTI}/c]
code = 127.0.0.8

[zone {CC}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {CC}/countries]
code = 127.0.0.2
{extra}"""


def _port_free(port):
    """Can we bind `port` on 127.0.0.1 and ::1 for both UDP and TCP?"""
    socks = []
    try:
        for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(fam, typ)
                socks.append(s)
                s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port():
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if _port_free(port):
            return port
    raise RuntimeError("no free port on 127.0.0.1/::1 for both UDP and TCP")


def run_tool(argv, check=True, input=None, timeout=300, now=None):
    """Run a CLI; with check, fail the test (showing output) on non-zero exit.
    now: the program's clock (DNSXL_TEST_NOW). timeout only stops a hang."""
    p = subprocess.run(argv, capture_output=True, encoding="utf-8", errors="replace",
                       input=input, timeout=timeout, env=clock_env(now))
    if check and p.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def rev4(ip):
    return ".".join(reversed(ip.split(".")))


def rev6(ip):
    return ".".join(reversed(ipaddress.IPv6Address(ip).exploded.replace(":", "")))


class Server:
    """One dnsxld process with its own temp dir, config and database."""

    def __init__(self, tmpdir, config_fn=base_config):
        for b in (DNSXLD, ADMIN, LOADER):
            if not (os.path.isfile(b) and os.access(b, os.X_OK)):
                pytest.fail(f"binary missing: {b} (build with make BUILD=... all, set DNSXL_BUILD)")
        self.dir = tmpdir
        self.port = free_port()
        self.dbdir = os.path.join(tmpdir, "db")
        self.conf = os.path.join(tmpdir, "dnsxl.conf")
        self.stderr_path = os.path.join(tmpdir, "dnsxld.stderr")
        self.proc = None
        self.pid = None
        self.stopped = False      # stop() ran (or a test stopped it on purpose)
        self.seeded_at = None     # the clock seed() wrote with
        self._err = None
        self.config_fn = config_fn
        self.write_config()

    # --- config and tools ---------------------------------------------
    def write_config(self, **kw):
        text = self.config_fn(self.port, self.dbdir, **kw)
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.conf)

    def write_raw_config(self, text):
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.conf)

    def admin(self, *args, check=True, now=None):
        return run_tool([ADMIN, "-c", self.conf, *args], check=check, now=now)

    def loader(self, *args, check=True, input=None, now=None):
        return run_tool([LOADER, "-c", self.conf, *args], check=check, input=input, now=now)

    def log_has(self, text):
        """Has dnsxld written `text` to its log (stderr)?"""
        return text in self.stderr_text()

    def wait_log(self, text, count=1):
        """Wait until dnsxld has logged `text` (at least `count` times)."""
        wait_until(lambda: self.stderr_text().count(text) >= count or not self.alive(),
                   f"dnsxld logging {text!r}")
        assert self.alive(), f"dnsxld died\nstderr:\n{self.stderr_text()}"

    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return "(no stderr file)"

    # --- process ------------------------------------------------------
    def start(self, now=None, preexec_fn=None, user_args=None):
        """Start dnsxld (now: its clock starts there, DNSXL_TEST_NOW;
        preexec_fn: run in the child before exec, e.g. a resource limit;
        user_args: the -u option, AS_ROOT by default, [] for the config's
        `user`) and wait until it answers."""
        self._err = open(self.stderr_path, "wb")
        argv = [DNSXLD, *(AS_ROOT if user_args is None else user_args), "-c", self.conf]
        self.proc = subprocess.Popen(argv, stdout=self._err,
                                     stderr=self._err, stdin=subprocess.DEVNULL,
                                     env=clock_env(now), preexec_fn=preexec_fn)
        self.pid = self.proc.pid

        def answers():
            if self.proc.poll() is not None:
                pytest.fail(f"dnsxld exited {self.proc.returncode} at start\nstderr:\n{self.stderr_text()}")
            try:
                # each try is short: the first queries may reach a socket
                # nobody reads yet; the deadline is wait_until's
                return self.q(BL, "SOA", timeout=0.1).rcode() == dns.rcode.NOERROR
            except (dns.exception.Timeout, OSError):
                return False

        try:
            wait_until(answers, "dnsxld answering an SOA query after its start")
        except BaseException:
            self.kill()
            raise

    def sanitizer_report(self):
        """Lines of an ASan/UBSan/LSan report in the daemon's stderr (SANITIZE builds)."""
        marks = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")
        return [ln for ln in self.stderr_text().splitlines() if any(m in ln for m in marks)]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(DEADLINE)

    def stop(self, timeout=DEADLINE):
        """SIGTERM; returns the exit status. kill -9 as a last resort (and fail)."""
        if self.proc is None:
            return None
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self._close_err()
                pytest.fail(f"dnsxld did not exit within {timeout}s of SIGTERM (killed)\n"
                            f"stderr:\n{self.stderr_text()}")
        self._close_err()
        return self.proc.returncode

    def _close_err(self):
        if self._err is not None:
            self._err.close()
            self._err = None

    # --- queries ------------------------------------------------------
    def addr(self, v6=False):
        return "::1" if v6 else "127.0.0.1"

    def q(self, name, rdtype="A", tcp=False, v6=False, timeout=DEADLINE, **kw):
        """Query with dnspython. kw go to dns.message.make_query (use_edns,
        want_dnssec, payload, ednsflags...), plus `flags` to set header flags."""
        flags = kw.pop("flags", None)
        msg = dns.message.make_query(name, rdtype, **kw)
        if flags is not None:
            msg.flags = flags
        return self.send(msg, tcp=tcp, v6=v6, timeout=timeout)

    def send(self, msg, tcp=False, v6=False, timeout=DEADLINE):
        if tcp:
            return dns.query.tcp(msg, self.addr(v6), port=self.port, timeout=timeout)
        return dns.query.udp(msg, self.addr(v6), port=self.port, timeout=timeout)

    def udp_socket(self, v6=False):
        """A UDP socket connected to dnsxld (timeout DEADLINE): everything it
        sends reaches the same worker (SO_REUSEPORT picks the worker by the
        4-tuple), which answers in order."""
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.settimeout(DEADLINE)
        s.connect((self.addr(v6), self.port))
        return s

    def raw_udp(self, wire, v6=False):
        """Send raw bytes over UDP; return the reply (the next datagram that
        comes back; fails if none within DEADLINE). A query that must not be
        answered: replies_to()."""
        with self.udp_socket(v6) as s:
            s.send(wire)
            try:
                return s.recv(65535)
            except socket.timeout:
                pytest.fail(f"no reply within {DEADLINE:.0f} s to {bytes(wire[:64]).hex()}")

    def replies_before_probe(self, s, probe_id=0xFACE):
        """Send a valid probe query (id probe_id) on the UDP socket s and
        return every datagram that arrives before the probe's reply: the
        replies to what s sent earlier, complete, since one worker answers
        them in order. Fails if the probe gets no reply within DEADLINE."""
        probe = dns.message.make_query(f"probe-{probe_id:x}.{BL}", "A")
        probe.id = probe_id
        pw = probe.to_wire()
        s.send(pw)
        before = []
        while True:
            try:
                data = s.recv(65535)
            except socket.timeout:
                pytest.fail(f"no reply to the probe query within {DEADLINE:.0f} s")
            if (len(data) >= len(pw) and data[:2] == pw[:2] and data[2] & 0x80
                    and data[12:len(pw)].lower() == pw[12:].lower()):
                return before
            before.append(data)

    def replies_to(self, wire, v6=False):
        """Every reply dnsxld sends to the datagram `wire` ([] if it drops
        it). Not decided by a timeout: a probe query follows on the same
        socket, and what arrives before the probe's reply is wire's reply."""
        with self.udp_socket(v6) as s:
            s.send(wire)
            return self.replies_before_probe(s)

    def tcp_connect(self, v6=False, timeout=DEADLINE):
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((self.addr(v6), self.port))
        return s


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def tcp_read_msg(sock):
    (n,) = struct.unpack("!H", recv_exact(sock, 2))
    return recv_exact(sock, n)


def header(wire):
    """(id, flags, qd, an, ns, ar) of a reply."""
    return struct.unpack("!HHHHHH", wire[:12])


def rcode_of(wire):
    return header(wire)[1] & 0xF


def a_set(resp):
    return sorted(rd.address for rrset in resp.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset)


def txt_set(resp):
    return sorted(b"".join(rd.strings).decode() for rrset in resp.answer
                  if rrset.rdtype == dns.rdatatype.TXT for rd in rrset)


def soa_of(resp, section="authority"):
    for rrset in getattr(resp, section):
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset
    return None


def seed(srv):
    """The data every read-only test expects (admin add + loader import),
    all written with one clock: srv.seeded_at (unix seconds, the real time
    at seeding), so a test can compute exact expiry times from it."""
    srv.seeded_at = int(time.time())

    def a(*args):
        return srv.admin(*args, now=srv.seeded_at)
    # one key in two lists (zen style): traps (own template) + manual (zone template)
    a("add", f"{BL}/traps", "192.0.2.99", "--reason", "trap hit")
    a("add", f"{BL}/manual", "192.0.2.99", "--reason", "manual listing")
    a("add", f"{BL}/manual", "192.0.2.50", "--reason", "manual reason")
    # CIDR coverage, exclusion, and a more specific listing inside the exclusion
    a("add", f"{BL}/manual", "198.51.100.0/24", "--reason", "whole range")
    a("add", f"{BL}/manual", "198.51.100.128/25", "--exclude", "--reason", "carved out")
    a("add", f"{BL}/manual", "198.51.100.192/26", "--reason", "relisted inside hole")
    # most specific wins, with own codes
    a("add", f"{BL}/manual", "203.0.113.0/24", "--code", "127.0.0.10", "--reason", "range code")
    a("add", f"{BL}/manual", "203.0.113.7", "--code", "127.0.0.11", "--txt", "own text for 203.0.113.7")
    # IPv6
    a("add", f"{BL}/manual", "2001:db8:1::/48", "--reason", "v6 range")
    a("add", f"{BL}/traps", "2001:db8:ff::1", "--reason", "v6 host")
    # TTL capped by remaining lifetime
    a("add", f"{BL}/traps", "192.0.2.60", "--lifetime", "60s", "--reason", "short")
    # big answer for TC
    for lst, txt in BIG_TXT.items():
        a("add", f"{BL}/{lst}", BIG_KEY, "--txt", txt, "--reason", "big")
    # domain zone
    a("add", f"{DBL}/domains", "spam.example", "--reason", "spam domain")
    a("add", f"{DBL}/domains", "*.phish.example", "--reason", "phishing subdomains")
    # ACL zones: listed, but loopback may not ask (acl) / only ::1 may ask (v6only)
    a("add", f"{ACL}/manual", "192.0.2.1")
    a("add", f"{V6ONLY}/manual", "192.0.2.1")
    # bitmask zone
    a("add", f"{MULTI}/a", "192.0.2.5")
    a("add", f"{MULTI}/c", "192.0.2.5")
    # bulk import (plain list file)
    lst = os.path.join(srv.dir, "reports.txt")
    with open(lst, "w") as f:
        f.write("# imported by the integration tests\n192.0.2.77\n192.0.2.128/28\n")
    srv.loader("import", f"{BL}/reports", lst, now=srv.seeded_at)


@pytest.fixture(scope="session")
def srv():
    """The shared server: seeded, started once, SIGTERM at the end (exit 0)."""
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-") as d:
        s = Server(d)
        seed(s)
        s.start()
        try:
            yield s
        finally:
            was_alive = s.alive()
            rc = s.stop()
            if not was_alive:
                pytest.fail(f"dnsxld died during the tests (status {rc})\nstderr:\n{s.stderr_text()}")
            assert rc == 0, f"dnsxld exited {rc} on SIGTERM\nstderr:\n{s.stderr_text()}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


@pytest.fixture(autouse=True)
def _server_still_alive(request):
    """After each test that used the shared server, it must still be running."""
    yield
    if "srv" in request.fixturenames:
        s = request.getfixturevalue("srv")
        assert s.alive(), f"dnsxld is no longer running\nstderr:\n{s.stderr_text()}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, show the tail of every dnsxld stderr the test used."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for v in getattr(item, "funcargs", {}).values():
            if isinstance(v, Server):
                rep.sections.append((f"dnsxld stderr (pid {v.pid})", v.stderr_text()[-4000:]))


def find_dicts(obj):
    """Every dict anywhere inside a parsed JSON document."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from find_dicts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from find_dicts(v)


def parse_json(text):
    """JSON document, or JSON lines."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def parse_rrs(wire):
    """Walk a reply by hand: [(section, rtype, ttl, rdata_bytes)] with section
    0=answer 1=authority 2=additional. Independent of dnspython, which merges
    RRs into RRsets (and so hides per-RR TTLs) and rejects a second OPT."""
    qid, flags, qd, an, ns, ar = header(wire)
    pos = 12

    def skip_name(p):
        while True:
            ln = wire[p]
            if ln == 0:
                return p + 1
            if ln & 0xC0 == 0xC0:
                return p + 2
            p += 1 + ln

    for _ in range(qd):
        pos = skip_name(pos) + 4
    out = []
    for i in range(an + ns + ar):
        pos = skip_name(pos)
        rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", wire, pos)
        sec = 0 if i < an else 1 if i < an + ns else 2
        out.append((sec, rtype, ttl, bytes(wire[pos + 10:pos + 10 + rdlen])))
        pos += 10 + rdlen
    assert pos == len(wire), "trailing bytes after the last RR"
    return out
