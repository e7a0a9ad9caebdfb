#!/usr/bin/python3
"""NOTIFY to served (issue 9): the time from a change to the secondaries
answering it, with Knot and NSD secondaries of dnsxld.

    /usr/bin/python3 bench/notify.py BUILD_DIR

Knobs (environment): ENTRIES [1000000] (bench/gen.py's list, imported
into one ip zone first: the journal's cost follows the change, not the
zone), ROUNDS [20] changes, each a dnsxl-admin add of a new /32, then the
delist of the one before (so half the changes add, half remove).

Per change: t0 when dnsxl-admin starts; its exit (the commit, journal
included); dnsxld's NOTIFY reaching each secondary shows in its log; then
each secondary is asked (UDP, every 2 ms) until it answers the change, and
the time from t0 is recorded. The secondaries are knotd and nsd (NSD's
xfrd-reload-timeout 0: by default NSD waits up to 1 s before it serves a
transfer), both with the TSIG key for transfers and NOTIFY, a SOA refresh
of an hour (so only NOTIFY brings a change). Prints the median, 90th
percentile and maximum per server, and the IXFR sizes dnsxld logged.
Writes bench/out/notify/ (git-ignored).
"""
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import dns.message
import dns.query
import dns.rcode

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("OUT", os.path.join(HERE, "out", "notify"))
ENTRIES = int(os.environ.get("ENTRIES", "1000000"))
ROUNDS = int(os.environ.get("ROUNDS", "20"))
ZONE = "bl.example.org"
KEY = "xfr-key"
SECRET = "YmVuY2ggbm90aWZ5IGtleSBvZiB0aGlydHktdHdvIGJ5Lg=="


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def ask(port, qname, rdtype="A"):
    try:
        return dns.query.udp(dns.message.make_query(qname, rdtype), "127.0.0.1", port=port,
                             timeout=0.5)
    except Exception:
        return None


def listed(port, qname):
    r = ask(port, qname)
    return r is not None and r.rcode() == dns.rcode.NOERROR and bool(r.answer)


def serial(port):
    r = ask(port, ZONE, "SOA")
    return r.answer[0][0].serial if r is not None and r.answer else None


def wait(fn, what, deadline=120):
    end = time.monotonic() + deadline
    while not fn():
        if time.monotonic() > end:
            sys.exit(f"notify.py: {what}: not within {deadline} s")
        time.sleep(0.002)


def rev4(ip):
    return ".".join(reversed(ip.split(".")))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    for b in ("dnsxld", "dnsxl-admin", "dnsxl-loader"):
        if not os.access(os.path.join(build, b), os.X_OK):
            sys.exit(f"notify.py: {build}/{b} missing")
    shutil.rmtree(OUT, ignore_errors=True)
    for d in ("db", "knot", "nsd"):
        os.makedirs(os.path.join(OUT, d))
    port, kport, nport = free_port(), free_port(), free_port()
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen.py"), os.path.join(OUT, "data"),
                    "--entries", str(ENTRIES), "--queries", "10"], check=True,
                   stdout=subprocess.DEVNULL)
    conf = os.path.join(OUT, "dnsxl.conf")
    with open(conf, "w") as f:
        f.write(f"""[server]
listen   = 127.0.0.1:{port}
database = {OUT}/db
workers  = 2

[key {KEY}]
algorithm = hmac-sha256
secret    = {SECRET}

[zone {ZONE}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
allow-transfer = 127.0.0.1 key {KEY}
notify = 127.0.0.1:{kport} key {KEY}
notify = 127.0.0.1:{nport} key {KEY}

[list {ZONE}/bench]
code = 127.0.0.2
""")
    admin = [os.path.join(build, "dnsxl-admin"), "-c", conf]
    t = time.monotonic()
    subprocess.run([os.path.join(build, "dnsxl-loader"), "-c", conf, "import", f"{ZONE}/bench",
                    os.path.join(OUT, "data", "list.txt"), "--replace", "--force"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"imported {ENTRIES} entries in {time.monotonic() - t:.1f} s")
    k, n = os.path.join(OUT, "knot"), os.path.join(OUT, "nsd")
    with open(os.path.join(k, "knot.conf"), "w") as f:
        f.write(f"""server:
    rundir: "{k}"
    pidfile: "{k}/knot.pid"
    listen: 127.0.0.1@{kport}
log:
  - target: stderr
    any: info
database:
    storage: "{k}"
key:
  - id: {KEY}
    algorithm: hmac-sha256
    secret: {SECRET}
remote:
  - id: primary
    address: 127.0.0.1@{port}
    key: {KEY}
acl:
  - id: notify
    address: 127.0.0.1
    key: {KEY}
    action: notify
template:
  - id: default
    storage: "{k}"
    zonefile-sync: -1
    zonefile-load: none
    semantic-checks: off
zone:
  - domain: {ZONE}
    master: primary
    acl: notify
""")
    with open(os.path.join(n, "nsd.conf"), "w") as f:
        f.write(f"""server:
    ip-address: 127.0.0.1@{nport}
    port: {nport}
    username: ""
    chroot: ""
    zonesdir: "{n}"
    database: ""
    zonelistfile: "{n}/zone.list"
    xfrdfile: "{n}/xfrd.state"
    xfrdir: "{n}"
    pidfile: "{n}/nsd.pid"
    logfile: "{n}/nsd.log"
    rrl-ratelimit: 0
    server-count: 1
    reuseport: no
    verbosity: 2
    xfrd-reload-timeout: 0
remote-control:
    control-enable: no
key:
    name: "{KEY}"
    algorithm: hmac-sha256
    secret: "{SECRET}"
zone:
    name: "{ZONE}"
    zonefile: "{ZONE}.zone"
    request-xfr: 127.0.0.1@{port} {KEY}
    allow-notify: 127.0.0.1 {KEY}
""")
    procs = []
    logs = {}

    def start(name, argv):
        logs[name] = open(os.path.join(OUT, name + ".log"), "wb")
        procs.append(subprocess.Popen(argv, stdout=logs[name], stderr=logs[name],
                                      stdin=subprocess.DEVNULL))

    root = ["-u", "root"] if os.geteuid() == 0 else []
    try:
        start("dnsxld", [os.path.join(build, "dnsxld"), *root, "-c", conf])
        wait(lambda: serial(port) is not None, "dnsxld answering")
        s0 = serial(port)
        t = time.monotonic()
        start("knotd", ["/usr/sbin/knotd", "-c", os.path.join(k, "knot.conf")])
        start("nsd", ["/usr/sbin/nsd", "-d", "-c", os.path.join(n, "nsd.conf")])
        wait(lambda: serial(kport) == s0 and serial(nport) == s0, "the first AXFRs", 600)
        print(f"both secondaries at serial {s0} (AXFR) after {time.monotonic() - t:.1f} s")
        rnd = random.Random(7)
        took = {"dnsxl-admin": [], "knotd": [], "nsd": []}
        prev = None
        for i in range(ROUNDS):
            if i % 2 == 0 or prev is None:
                ip = f"198.18.{rnd.randrange(256)}.{rnd.randrange(256)}"
                args, want = ("add", f"{ZONE}/bench", ip), True
            else:
                ip = prev
                args, want = ("delist", f"{ZONE}/bench", ip), False
            q = f"{rev4(ip)}.{ZONE}"
            t0 = time.monotonic()
            subprocess.run(admin + list(args), check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            took["dnsxl-admin"].append(time.monotonic() - t0)
            if listed(port, q) != want:
                sys.exit(f"notify.py: dnsxld does not answer {args} at once")
            done = {}
            while len(done) < 2:
                for name, p in (("knotd", kport), ("nsd", nport)):
                    if name not in done and listed(p, q) == want:
                        done[name] = time.monotonic() - t0
                if time.monotonic() - t0 > 120:
                    sys.exit(f"notify.py: round {i}: {args} not served after 120 s: {done}")
                time.sleep(0.002)
            for name, v in done.items():
                took[name].append(v)
            prev = ip if want else None
        print(f"\n{ROUNDS} changes (add / delist of a /32) in a zone of {ENTRIES} entries:")
        print("| | median | 90th percentile | max |")
        print("|---|---|---|---|")
        for name, v in took.items():
            v = sorted(v)
            p90 = v[min(len(v) - 1, int(len(v) * 0.9))]
            what = "dnsxl-admin (commit and journal)" if name == "dnsxl-admin" else \
                f"{name} answers the change"
            print(f"| {what} | {statistics.median(v) * 1000:.0f} ms | {p90 * 1000:.0f} ms | "
                  f"{v[-1] * 1000:.0f} ms |")
        with open(os.path.join(OUT, "dnsxld.log"), errors="replace") as f:
            text = f.read()
        inc = [ln for ln in text.splitlines() if "incremental from serial" in ln]
        whole = [ln for ln in text.splitlines() if "(the whole zone)" in ln]
        print(f"\ndnsxld: {len(inc)} incremental IXFRs, {len(whole)} whole-zone IXFRs; e.g.")
        for ln in inc[:2]:
            print("  " + ln.split(" info dnsxld: ")[-1])
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(60)
                except subprocess.TimeoutExpired:
                    p.kill()
        for f in logs.values():
            f.close()


if __name__ == "__main__":
    main()
