"""Real Knot (knotd) and NSD secondaries of dnsxld for the transfer tests
(test_xfr.py: AXFR; test_ixfr.py: NOTIFY and IXFR): their configs (temp
dir, a free loopback port, no chroot, NSD's rrl off, one TSIG key) and the
running process."""
import os
import subprocess

import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import run_tool, wait_until
from test_rbldnsd_diff import stop_pid

KNOTD = "/usr/sbin/knotd"
NSD = "/usr/sbin/nsd"


def knot_conf(d, port, primary_port, key, secret, zones, acl="", template=""):
    """knotd's config: zones, acl and template: text of those sections."""
    return f"""\
server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{port}
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "{d}"
key:
  - id: {key}
    algorithm: hmac-sha256
    secret: {secret}
remote:
  - id: primary
    address: 127.0.0.1@{primary_port}
    key: {key}
{acl}template:
  - id: default
    storage: "{d}"
    zonefile-sync: -1
    zonefile-load: none
{template}    semantic-checks: off
zone:
{zones}"""


def nsd_conf(d, port, key, secret, zones, server=""):
    """nsd's config: zones, the zone: sections; server: more server lines."""
    return f"""\
server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    server-count: 1
    reuseport: no
    verbosity: 2
{server}remote-control:
    control-enable: no
key:
    name: "{key}"
    algorithm: hmac-sha256
    secret: "{secret}"
{zones}"""


class Secondary:
    def __init__(self, name, argv, d, port, logs):
        self.name, self.dir, self.port, self.logs = name, d, port, logs
        self.out = open(os.path.join(d, "stderr"), "wb")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=self.out,
                                     stdin=subprocess.DEVNULL)

    def log(self):
        text = ""
        for p in self.logs + [os.path.join(self.dir, "stderr")]:
            try:
                with open(p, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def alive(self):
        if self.proc.poll() is not None:
            pytest.fail(f"{self.name} exited {self.proc.returncode}:\n{self.log()[-3000:]}")

    def ask(self, qname, rdtype="A"):
        try:
            return dns.query.udp(dns.message.make_query(qname, rdtype), "127.0.0.1",
                                 port=self.port, timeout=0.5)
        except Exception:
            return None

    def serial(self, zone):
        r = self.ask(zone, "SOA")
        if r is None or r.rcode() != dns.rcode.NOERROR or not r.answer:
            return None
        return r.answer[0][0].serial

    def wait_serials(self, serials):
        def current():
            self.alive()
            return all(self.serial(z) == s for z, s in serials.items())
        wait_until(current, f"{self.name} serving the zones at the primary's serials "
                            f"(log in {self.dir})", interval=0.05)

    def stop(self):
        stop_pid(self.proc)
        self.out.close()


def start_knot(d, port, conf_text):
    conf = os.path.join(d, "knot.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    return Secondary("knotd", [KNOTD, "-c", conf], d, port, [])


def start_nsd(d, port, conf_text):
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    run_tool(["nsd-checkconf", conf])
    return Secondary("nsd", [NSD, "-d", "-c", conf], d, port, [os.path.join(d, "nsd.log")])
