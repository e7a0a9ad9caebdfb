"""dnsxld behind a real recursive resolver (Debian's unbound) with strict
QNAME minimisation (RFC 9156): the resolver asks the ancestors of every
name first (192.<zone>, 0.192.<zone>, 2.0.192.<zone>, ...), so an empty
non-terminal that answered NXDOMAIN would make every listed name below it
unresolvable, and cached, deny them to every later client (RFC 8020).

The test starts its own dnsxld (conftest.Server) and an unbound in the
foreground (`unbound -d -c CONF`) on free loopback ports, with a stub zone
per dnsxld zone, waits until unbound answers (polling, no sleeps), asks the
empty non-terminals first, then the listed names, which must still resolve
with the right A and TXT, and the unlisted ones, which stay NXDOMAIN.
"""
import os
import shutil
import subprocess
import tempfile
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from conftest import BL, DBL, Server, a_set, base_config, free_port, rev4, rev6, txt_set

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"


def unbound_config(tmp, port, dnsxld_port):
    stubs = "".join(f"""
stub-zone:
    name: "{z}."
    stub-addr: 127.0.0.1@{dnsxld_port}
""" for z in (BL, DBL))
    return f"""\
server:
    interface: 127.0.0.1
    port: {port}
    do-daemonize: no
    chroot: ""
    username: ""
    pidfile: ""
    directory: "{tmp}"
    logfile: ""
    use-syslog: no
    verbosity: 1
    num-threads: 1
    do-ip6: no
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    qname-minimisation: yes
    qname-minimisation-strict: yes
    harden-below-nxdomain: yes
    local-zone: "test." nodefault
{stubs}
remote-control:
    control-enable: no
"""


class Unbound:
    def __init__(self, tmp, dnsxld_port):
        if not os.access(UNBOUND, os.X_OK):
            pytest.fail(f"{UNBOUND} missing (Debian package unbound; make deps installs it)")
        self.port = free_port()
        self.conf = os.path.join(tmp, "unbound.conf")
        self.log = os.path.join(tmp, "unbound.log")
        with open(self.conf, "w") as f:
            f.write(unbound_config(tmp, self.port, dnsxld_port))
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen([UNBOUND, "-d", "-c", self.conf], stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def q(self, name, rdtype="A", timeout=30.0):
        m = dns.message.make_query(name, rdtype)   # RD set: a recursive query
        return dns.query.udp(m, "127.0.0.1", port=self.port, timeout=timeout)

    def wait_ready(self, deadline_s=30.0):
        """Poll (a query, a short wait for its reply) until unbound answers."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"unbound exited {self.proc.returncode} at start\n{self.log_text()}")
            try:
                r = self.q(BL, "SOA", timeout=0.5)
                if r.rcode() == dns.rcode.NOERROR and r.answer:
                    return
            except (dns.exception.Timeout, OSError):
                pass
        pytest.fail(f"unbound did not answer {BL} SOA within {deadline_s} s\n{self.log_text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def bl(ip):
    return f"{rev4(ip)}.{BL}"


def bl6(ip):
    return f"{rev6(ip)}.{BL}"


def nib(ip, n):
    return ".".join(rev6(ip).split(".")[32 - n:]) + "." + BL


@pytest.fixture(scope="module")
def resolver():
    with tempfile.TemporaryDirectory(prefix="dnsxl-unbound-") as d:
        s = Server(d, config_fn=base_config)
        a = s.admin
        a("add", f"{BL}/traps", "192.0.2.99", "--reason", "trap hit")
        a("add", f"{BL}/manual", "2001:db8:ff::1", "--reason", "v6 host")
        a("add", f"{DBL}/domains", "spam.example", "--reason", "spam domain")
        a("add", f"{DBL}/domains", "*.bad.example")
        a("add", f"{DBL}/domains", "ok.bad.example", "--exclude")
        s.start()
        u = Unbound(d, s.port)
        try:
            u.wait_ready()
            yield s, u
        finally:
            u.stop()
            alive = s.alive()
            rc = s.stop()
            assert alive and rc == 0, f"dnsxld: alive {alive}, exit {rc}\n{s.stderr_text()[-3000:]}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def answer(r):
    return dns.rcode.to_text(r.rcode()), a_set(r), txt_set(r)


def test_listed_names_resolve_after_their_empty_non_terminals(resolver):
    srv, u = resolver
    wrong = []

    def expect(name, rdtype, rcode, a=None, txt=None):
        r = u.q(name, rdtype)
        got = answer(r)
        want = (rcode, sorted(a or []), sorted(txt or []))
        if got != want:
            wrong.append(f"{name} {rdtype}: got {got}, want {want}")

    # the empty non-terminals first: in the cache before the names below them
    ents = [f"2.0.192.{BL}", f"0.192.{BL}", f"0.0.127.{BL}", nib("2001:db8:ff::1", 16),
            nib("2001:db8:ff::1", 31), nib("::ffff:127.0.0.2", 28), f"example.{DBL}",
            f"bad.example.{DBL}", f"ok.bad.example.{DBL}"]
    for name in ents:
        for t in ("A", "TXT"):
            expect(name, t, "NOERROR")
    # then the listed names and the RFC 5782 test points, below them
    trap_txt = "Seen hitting spam traps - https://example.org/lookup?q="
    expect(bl("192.0.2.99"), "A", "NOERROR", ["127.0.0.2"])
    expect(bl("192.0.2.99"), "TXT", "NOERROR", txt=[trap_txt + "192.0.2.99"])
    expect(f"2.0.0.127.{BL}", "A", "NOERROR", ["127.0.0.2"])
    expect(f"2.0.0.127.{BL}", "TXT", "NOERROR", txt=[trap_txt + "127.0.0.2"])
    expect(bl6("::ffff:127.0.0.2"), "A", "NOERROR", ["127.0.0.2"])
    expect(bl6("2001:db8:ff::1"), "A", "NOERROR", ["127.0.0.4"])
    expect(bl6("2001:db8:ff::1"), "TXT", "NOERROR",
           txt=["Listed in manual: v6 host - https://example.org/lookup?q=2001:db8:ff::1"])
    expect(f"spam.example.{DBL}", "A", "NOERROR", ["127.0.1.2"])
    expect(f"spam.example.{DBL}", "TXT", "NOERROR", txt=[f"Domain spam.example listed in {DBL}"])
    expect(f"x.ok.bad.example.{DBL}", "A", "NOERROR", ["127.0.1.2"])
    expect(f"test.{DBL}", "A", "NOERROR", ["127.0.1.2"])
    # what is not listed stays NXDOMAIN, below an empty non-terminal too
    expect(bl("192.0.2.98"), "A", "NXDOMAIN")
    expect(f"1.0.0.127.{BL}", "A", "NXDOMAIN")
    expect(f"3.2.1.{BL}", "A", "NXDOMAIN")
    expect(bl6("2001:db8:ff::2"), "A", "NXDOMAIN")
    expect(f"ham.example.{DBL}", "A", "NXDOMAIN")
    assert not wrong, "answers through unbound:\n" + "\n".join(wrong) + \
        "\nunbound log:\n" + u.log_text()[-3000:]
    assert u.proc.poll() is None, "unbound exited\n" + u.log_text()
