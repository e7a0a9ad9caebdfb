#!/usr/bin/python3
"""bench/soak.py BUILD_DIR — answers while the whole list is replaced.

For each server in turn (dnsxld, then Debian's rbldnsd and rspamd's fork
when present): the bench data of bench/run.sh (gen.py) is loaded, dnsperf
sends a steady QPS for DURATION seconds, and every INTERVAL seconds the
whole list is replaced, alternating between two versions A and B (B drops
10% of A's /32 entries and lists as many new ones): for dnsxld a
`dnsxl-loader import ZONE/LIST FILE --replace`, for rbldnsd a new data
file renamed into place (it checks every second, -c 1). Meanwhile a probe
asks PROBE_RATE queries a second, one at a time, for keys whose answer is
the same in A and B (listed /32s that both keep, unlisted addresses that
neither lists) and checks each answer. Reported per server: dnsperf's
sent/lost, probes sent, lost and wrong, probe latency (p50, p99, max),
private memory (Private_Dirty and Private_Clean of /proc/PID/smaps_rollup,
apart: dnsxld's clean pages are its store map's page cache) at the start
and the end of the load and their maximum, and the reloads done
with their durations.

Knobs (environment): DURATION [20] (the issue's figure: 120), INTERVAL [5],
QPS [20000], PROBE_RATE [200], SERVERS ["dnsxld rbldnsd rspamd"],
SERVER_CPU [1] CLIENT_CPU [0] (dnsperf, the probe) LOADER_CPU [CLIENT_CPU]
(dnsxl-loader), LOADER_NICE [0] (its nice(1) level: 10 is how an operator
would run imports beside a busy dnsxld), OUT [bench/out], ENTRIES/QUERIES/SEED as
for run.sh, RBLDNSD_RSPAMD / RBLDNSD_RSPAMD_SRC (bench/peer.sh).
Exit status 1 when a probe was lost or wrong.
"""

import importlib.util
import os
import random
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

import dns.message
import dns.rcode
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE = "bl.example.org"
env = os.environ.get
DURATION = float(env("DURATION", "20"))
INTERVAL = float(env("INTERVAL", "5"))
QPS = int(env("QPS", "20000"))
PROBE_RATE = float(env("PROBE_RATE", "200"))
SERVERS = env("SERVERS", "dnsxld rbldnsd rspamd").split()
SERVER_CPU = env("SERVER_CPU", "1")
CLIENT_CPU = env("CLIENT_CPU", "0")
LOADER_CPU = env("LOADER_CPU", CLIENT_CPU)
LOADER_NICE = env("LOADER_NICE", "0")
OUT = env("OUT", os.path.join(HERE, "out"))
ENTRIES = env("ENTRIES", "1000000")
QUERIES = env("QUERIES", "200000")
SEED = env("SEED", "20261122")
PROBE_TIMEOUT = 2.0


def die(msg):
    print("soak: " + msg, file=sys.stderr)
    sys.exit(2)


def load_gen():
    spec = importlib.util.spec_from_file_location("gen", os.path.join(HERE, "gen.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_data():
    """gen.py's data (reused when run.sh made it with the same parameters),
    list B, and the probe keys."""
    os.makedirs(OUT, exist_ok=True)
    gen = load_gen()
    if not os.path.exists(os.path.join(OUT, "list.txt")) or not os.path.exists(os.path.join(OUT, "expect.txt")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), OUT, "--seed", SEED,
                        "--entries", ENTRIES, "--queries", QUERIES], check=True)
    a_lines = open(os.path.join(OUT, "list.txt")).read().split()
    head = [l for l in open(os.path.join(OUT, "rbldnsd.ip4set")) if l.startswith(("$", ":"))]
    aton = lambda s: int.from_bytes(socket.inet_aton(s), "big")
    singles = [l for l in a_lines if "/" not in l]
    range16 = {aton(l.split("/")[0]) >> 16 for l in a_lines if "/" in l}
    listed = set(aton(l) for l in singles)
    unlisted = []
    for line in open(os.path.join(OUT, "expect.txt")):
        name, qtype, state = line.split()
        if state == "unlisted" and qtype == "A":
            unlisted.append(".".join(reversed(name.split(".")[:4])))
        if len(unlisted) >= 5000:
            break
    unl = set(aton(u) for u in unlisted)
    n_drop = len(singles) // 10
    dropped = set(singles[-n_drop:])
    rnd = random.Random(int(SEED) + 1)
    new = []
    while len(new) < n_drop:
        x = rnd.getrandbits(32)
        if gen.in_never(x) or x in listed or x in unl or (x >> 16) in range16:
            continue
        listed.add(x)
        new.append(gen.ntoa(x))
    b_lines = [l for l in a_lines if l not in dropped] + new
    with open(os.path.join(OUT, "soak-b.txt"), "w") as f:
        f.write("\n".join(b_lines) + "\n")
    for tag, lines in (("a", a_lines), ("b", b_lines)):
        with open(os.path.join(OUT, "soak-%s.ip4set" % tag), "w") as f:
            f.writelines(head)
            f.write("\n".join(lines) + "\n")
    keep = [l for l in singles[:-n_drop]]
    rnd.shuffle(keep)
    probes = [(k, True) for k in keep[:5000]] + [(u, False) for u in unlisted]
    rnd.shuffle(probes)
    return os.path.join(OUT, "list.txt"), os.path.join(OUT, "soak-b.txt"), probes


def free_port():
    while True:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        p = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            t.close()
            u.close()


def ask(port, name, rdtype="A", timeout=1.0):
    q = dns.message.make_query(name, rdtype)
    q.flags = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(q.to_wire(), ("127.0.0.1", port))
        return dns.message.from_wire(s.recv(4096))
    except (OSError, dns.exception.DNSException):
        return None
    finally:
        s.close()


def wait_ready(proc, port, log):
    end = time.time() + 120
    while time.time() < end:
        if proc.poll() is not None:
            die("server exited during startup (log: %s)" % log)
        r = ask(port, ZONE, "SOA", 0.5)
        if r is not None and r.rcode() == 0 and r.answer:
            return
        time.sleep(0.05)
    die("server did not answer within 120 s (log: %s)" % log)


def private_kb(pid):
    """(Private_Dirty, Private_Clean) in KiB: dirty is the heap and stacks;
    clean is mostly the pages of the store's map that only this process
    has mapped (file-backed page cache the kernel can drop)."""
    kb = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k = line.split(":")[0]
            if k in ("Private_Clean", "Private_Dirty"):
                kb[k] = int(line.split()[1])
    return kb.get("Private_Dirty", 0), kb.get("Private_Clean", 0)


def qname(ip):
    return ".".join(reversed(ip.split("."))) + "." + ZONE


class Probe(threading.Thread):
    def __init__(self, port, probes, stop):
        super().__init__(daemon=True)
        self.port, self.probes, self.stop = port, probes, stop
        self.lat, self.lost, self.wrong, self.notes = [], 0, 0, []

    def run(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("127.0.0.1", self.port))
        i, qid = 0, 0
        nxt = time.monotonic()
        while not self.stop.is_set():
            ip, listed = self.probes[i % len(self.probes)]
            i += 1
            qid = (qid + 1) & 0xFFFF
            q = dns.message.make_query(qname(ip), "A")
            q.flags, q.id = 0, qid
            t0 = time.monotonic()
            s.send(q.to_wire())
            got = None
            while got is None:
                left = PROBE_TIMEOUT - (time.monotonic() - t0)
                if left <= 0 or not select.select([s], [], [], left)[0]:
                    break
                try:
                    r = dns.message.from_wire(s.recv(4096))
                except dns.exception.DNSException:
                    continue
                if r.id == qid:
                    got = r
            dt = time.monotonic() - t0
            if got is None:
                self.lost += 1
                self.notes.append("%s: no answer within %.1f s" % (ip, PROBE_TIMEOUT))
            else:
                self.lat.append(dt)
                ans = [rd.to_text() for rr in got.answer for rd in rr if rr.rdtype == dns.rdatatype.A]
                ok = (got.rcode() == 0 and ans == ["127.0.0.2"]) if listed else \
                     (got.rcode() == dns.rcode.NXDOMAIN and not ans)
                if not ok:
                    self.wrong += 1
                    self.notes.append("%s (%s): %s %s" % (ip, "listed" if listed else "unlisted",
                                                          dns.rcode.to_text(got.rcode()), ans))
            nxt += 1.0 / PROBE_RATE
            pause = nxt - time.monotonic()
            if pause > 0:
                self.stop.wait(pause)
            else:
                nxt = time.monotonic()


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100.0))]


def soak(name, start, reload_fn, probes):
    proc, port, log = start()
    stop = threading.Event()
    try:
        mem = [private_kb(proc.pid)]
        perf_log = os.path.join(OUT, "soak-%s-dnsperf.log" % name)
        perf = subprocess.Popen(
            ["taskset", "-c", CLIENT_CPU, "dnsperf", "-m", "udp", "-s", "127.0.0.1", "-p", str(port),
             "-d", os.path.join(OUT, "queries.txt"), "-l", str(DURATION), "-Q", str(QPS),
             "-c", "1", "-q", "100", "-t", "1"],
            stdout=open(perf_log, "w"), stderr=subprocess.STDOUT)
        probe = Probe(port, probes, stop)
        probe.start()
        reloads = []
        t_end = time.monotonic() + DURATION
        flip = 1
        next_reload = time.monotonic() + INTERVAL
        while time.monotonic() < t_end:
            now = time.monotonic()
            if now >= next_reload:
                t0 = time.monotonic()
                reload_fn(flip)
                reloads.append(time.monotonic() - t0)
                flip ^= 1
                next_reload = max(next_reload + INTERVAL, time.monotonic())
            mem.append(private_kb(proc.pid))
            time.sleep(min(1.0, max(0.0, min(next_reload, t_end) - time.monotonic())))
        perf.wait(timeout=DURATION + 30)
        stop.set()
        probe.join(timeout=PROBE_TIMEOUT + 5)
        mem.append(private_kb(proc.pid))
        if proc.poll() is not None:
            die("%s exited under load (log: %s)" % (name, log))
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    t = open(perf_log).read()
    grab = lambda key: (t.split(key, 1)[1].split()[0] if key in t else "?")
    return dict(name=name, sent=grab("Queries sent:"), lost=grab("Queries lost:"),
                probes=len(probe.lat) + probe.lost, plost=probe.lost, pwrong=probe.wrong,
                p50=pct(probe.lat, 50), p99=pct(probe.lat, 99), pmax=max(probe.lat, default=0.0),
                mem0=mem[0][0], mem1=mem[-1][0], memmax=max(m[0] for m in mem),
                clean0=mem[0][1], clean1=mem[-1][1], cleanmax=max(m[1] for m in mem), reloads=reloads, notes=probe.notes)


def main():
    if len(sys.argv) != 2:
        print("usage: bench/soak.py BUILD_DIR", file=sys.stderr)
        sys.exit(1)
    build = os.path.abspath(sys.argv[1])
    for t in ("dnsperf", "taskset"):
        if shutil.which(t) is None:
            die("%s not found" % t)
    list_a, list_b, probes = make_data()
    results = []
    for name in SERVERS:
        if name == "dnsxld":
            dnsxld, loader = os.path.join(build, "dnsxld"), os.path.join(build, "dnsxl-loader")
            for p in (dnsxld, loader):
                if not os.access(p, os.X_OK):
                    die("%s is not a built program (make BUILD=%s all)" % (p, sys.argv[1]))
            port = free_port()
            conf = os.path.join(OUT, "soak-dnsxl.conf")
            with open(conf, "w") as f:
                f.write("[server]\nlisten = 127.0.0.1:%d\ndatabase = soak-db\nworkers = 1\n\n"
                        "[zone %s]\nkind = ip\nttl = 300\n"
                        "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 300\n"
                        "ns = ns1.example.org.\n\n[list %s/bench]\ncode = 127.0.0.2\n"
                        "lifetime = forever\ntxt = Listed - see https://example.org/lookup?q=$\n"
                        % (port, ZONE, ZONE))
            shutil.rmtree(os.path.join(OUT, "soak-db"), ignore_errors=True)
            os.makedirs(os.path.join(OUT, "soak-db"))

            def imp(path):
                r = subprocess.run(["nice", "-n", LOADER_NICE, "taskset", "-c", LOADER_CPU, loader, "-c", conf, "import", ZONE + "/bench", path, "--replace"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    die("import failed: %s" % (r.stderr or r.stdout).strip())
            imp(list_a)

            def start(port=port, conf=conf):
                log = os.path.join(OUT, "soak-dnsxld.log")
                cmd = ["taskset", "-c", SERVER_CPU, dnsxld, "-c", conf]
                if os.getuid() == 0:
                    cmd[4:4] = ["-u", "root"]
                proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
                wait_ready(proc, port, log)
                return proc, port, log
            results.append(soak(name, start, lambda flip: imp(list_b if flip else list_a), probes))
        else:
            if name == "rbldnsd":
                prog = shutil.which("rbldnsd")
                if prog is None:
                    print("soak: rbldnsd skipped: not installed (Debian package rbldnsd)")
                    continue
            else:
                prog = subprocess.run(["sh", os.path.join(HERE, "peer.sh"), OUT],
                                      capture_output=False, stdout=subprocess.PIPE, text=True).stdout.strip()
                if not prog:
                    continue
            root = os.path.join(OUT, "soak-rbldnsd-root")
            shutil.rmtree(root, ignore_errors=True)
            os.makedirs(root)
            os.chmod(root, 0o755)
            data = os.path.join(root, "bl.ip4set")

            def put(flip, data=data):
                tmp = data + ".new"
                shutil.copyfile(os.path.join(OUT, "soak-%s.ip4set" % ("b" if flip else "a")), tmp)
                os.chmod(tmp, 0o644)
                os.rename(tmp, data)
            put(0)

            def start(prog=prog, root=root, name=name):
                port = free_port()
                log = os.path.join(OUT, "soak-%s.log" % name)
                proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, prog, "-n", "-u", "nobody", "-r", root,
                                         "-b", "127.0.0.1/%d" % port, "-t", "300", "-c", "1", "-a",
                                         ZONE + ":ip4set:bl.ip4set"],
                                        stdout=open(log, "w"), stderr=subprocess.STDOUT)
                wait_ready(proc, port, log)
                return proc, port, log
            results.append(soak(name, start, put, probes))

    print("soak: %.0f s, dnsperf -Q %d, full list replaced every %.0f s, %.0f probes/s, loader nice %s, load average %s"
          % (DURATION, QPS, INTERVAL, PROBE_RATE, LOADER_NICE, open("/proc/loadavg").read().split()[0]))
    print()
    print("| server | dnsperf sent | lost | probes | lost | wrong | p50 ms | p99 ms | max ms "
          "| Private_Dirty MiB start / end / max | Private_Clean MiB start / end / max | reloads (s each: mean, max) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
    bad = False
    for r in results:
        rl = r["reloads"]
        print("| %s | %s | %s | %d | %d | %d | %.3f | %.3f | %.3f | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %d (%.2f, %.2f) |" % (
            r["name"], r["sent"], r["lost"], r["probes"], r["plost"], r["pwrong"],
            r["p50"] * 1e3, r["p99"] * 1e3, r["pmax"] * 1e3,
            r["mem0"] / 1024, r["mem1"] / 1024, r["memmax"] / 1024,
            r["clean0"] / 1024, r["clean1"] / 1024, r["cleanmax"] / 1024,
            len(rl), sum(rl) / len(rl) if rl else 0.0, max(rl, default=0.0)))
        bad = bad or r["plost"] or r["pwrong"]
    for r in results:
        for n in r["notes"][:10]:
            print("- %s: %s" % (r["name"], n))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
