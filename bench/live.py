#!/usr/bin/python3
"""How long a live update takes to show in DNS answers.

    python3 bench/live.py BUILD_DIR [N]

Starts dnsxld (BUILD_DIR/dnsxld) on a free loopback port with a fresh
store, then N times (default 200): `dnsxl-admin add` of a new address, and
queries (one UDP query in flight, no pause) until dnsxld answers it;
then the same for `dnsxl-admin delist`. Prints, for each, the time the
command took and the time from the command's exit to the first answer
that shows the change (median, 90th and 99th percentile, maximum).

This is a measurement, not a test: the integration tests only check that
a change shows (tests/integration/test_live.py), never how fast.
"""
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.rcode

ZONE = "bl.example.org"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(sock, name, qid):
    q = dns.message.make_query(name, "A")
    q.id = qid
    sock.send(q.to_wire())
    while True:
        r = dns.message.from_wire(sock.recv(4096))
        if r.id == qid:
            return r


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def row(label, xs):
    ms = [x * 1000 for x in xs]
    print(f"{label:<24} {statistics.median(ms):8.2f} {pct(ms, 90):8.2f} {pct(ms, 99):8.2f} "
          f"{max(ms):8.2f}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    dnsxld, admin = os.path.join(build, "dnsxld"), os.path.join(build, "dnsxl-admin")
    with tempfile.TemporaryDirectory(prefix="dnsxl-live-") as d:
        port = free_port()
        conf = os.path.join(d, "dnsxl.conf")
        with open(conf, "w") as f:
            f.write(f"[server]\nlisten = 127.0.0.1:{port}\ndatabase = {d}/db\nworkers = 1\n\n"
                    f"[zone {ZONE}]\nkind = ip\n\n[list {ZONE}/manual]\ncode = 127.0.0.4\n")
        subprocess.run([admin, "-c", conf, "add", f"{ZONE}/manual", "192.0.2.1"], check=True,
                       capture_output=True)
        # as root, dnsxld keeps root only when told (dnsxld(8) "Privileges")
        root = ["-u", "root"] if os.geteuid() == 0 and "--user" in subprocess.run(
            [dnsxld, "--help"], capture_output=True, text=True).stdout else []
        srv = subprocess.Popen([dnsxld, *root, "-c", conf], stderr=subprocess.DEVNULL)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", port))
        sock.settimeout(0.2)
        try:
            qid = 0
            for _ in range(200):
                try:
                    if ask(sock, ZONE, qid).rcode() != dns.rcode.REFUSED:
                        break
                except (socket.timeout, ConnectionRefusedError):
                    time.sleep(0.05)
            sock.settimeout(10)
            took = {"add": [], "delist": []}
            shows = {"add": [], "delist": []}
            for i in range(n):
                ip = f"10.0.{i >> 8 & 255}.{i & 255}"
                name = ".".join(reversed(ip.split("."))) + "." + ZONE
                for cmd, want in (("add", dns.rcode.NOERROR), ("delist", dns.rcode.NXDOMAIN)):
                    t0 = time.monotonic()
                    subprocess.run([admin, "-c", conf, cmd, f"{ZONE}/manual", ip], check=True,
                                   capture_output=True)
                    t1 = time.monotonic()
                    while True:
                        qid = (qid + 1) & 0xFFFF
                        if ask(sock, name, qid).rcode() == want:
                            break
                    took[cmd].append(t1 - t0)
                    shows[cmd].append(time.monotonic() - t1)
            print(f"{n} live updates each (dnsxld with 1 worker), milliseconds")
            print(f"{'':<24} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}")
            for cmd in ("add", "delist"):
                row(f"dnsxl-admin {cmd}", took[cmd])
                row(f"  exit -> in answers", shows[cmd])
        finally:
            sock.close()
            srv.send_signal(signal.SIGTERM)
            srv.wait(30)


if __name__ == "__main__":
    main()
