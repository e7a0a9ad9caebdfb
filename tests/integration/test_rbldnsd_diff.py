"""Differential test (issue 3): the same rbldnsd-format data files (seeded
random ip4set, ip6trie, dnset, ip4tset and ip6tset files with default
lines, per-entry values, CIDRs, ranges, short forms and exclusions) are
loaded into rbldnsd (Debian's /usr/sbin/rbldnsd) and into dnsxld
(dnsxl-loader import --format ...); both get the same 20,000 seeded random
queries (listed and unlisted, A and TXT, edges of ranges and exclusions)
over UDP with EDNS, and the answers must agree: rcode, the set of A
addresses and the set of TXT strings. The first 20 mismatches are shown.

Intended differences (README "Differences from rbldnsd") are kept out:
- the RFC 5782 test points (127.0.0.1, 127.0.0.2, TEST, INVALID) are never
  asked: dnsxld answers them by the RFC whatever the data says;
- in dnset TXT, `$` is compared modulo its expansion (normalise_dollar):
  rbldnsd expands it to the matching entry's name, dnsxld to the queried
  name;
- the generator never gives two entries the same key at rbldnsd's
  granularity (a duplicate line, or a /28 inside a /26 in an ip4set, which
  rbldnsd stores as the same /32s): rbldnsd then answers every value,
  dnsxld one value per key and list (the last line; the most specific
  entry) - see V4Gen;
- an empty non-terminal of the dnset zone (a name with something recorded
  below it, or listed below it by an ancestor's wildcard) is NOERROR/NODATA
  in dnsxld (RFC 8020 2), NXDOMAIN in rbldnsd: dnset_ent checks the name
  against the generated data before the difference is let through.
Authority sections are not compared (rbldnsd has no SOA without $SOA).

DNSXL_DIFF_DUMP=PATH writes every mismatch and the data files there.
"""
import ipaddress
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import BL, DEADLINE, Server, rev4, rev6, wait_until

RBLDNSD = "/usr/sbin/rbldnsd"
SEED = 20261122
N_QUERIES = 20000

Z4, Z6, ZD = "bl.test", "bl6.test", "dbl.test"
T4, T6 = "t4.test", "t6.test"                  # ip4tset, ip6tset
D4 = (0x7F000002, "Listed $ default")          # the ip4set file's first default line
D6 = (0x7F000102, "v6 listed $")
DD = (0x7F000102, "Domain $ listed")
DT4 = (0x7F000003, "tset $")
DT6 = (0x7F000004, "v6 tset $")

SKIP_V4 = {"127.0.0.1", "127.0.0.2"}
SKIP_NAMES = {"test", "invalid"}


def ip4(n):
    return str(ipaddress.IPv4Address(n))


def code_text(c):
    return ip4(c)


# --- data generation -------------------------------------------------------

class V4Gen:
    """An ip4set file and the edge addresses worth asking about.

    Entries live in 10.0.0.0/14 (so they overlap) plus a few elsewhere.
    rbldnsd's ip4set keys entries at octet granularity (a range becomes /8,
    /16, /24 or /32 pieces); two entries whose pieces coincide (e.g. a /26
    and a /28 inside it, both stored as /32s) give rbldnsd two equal keys
    and it answers both values, where dnsxld answers the most specific
    entry. The generator keeps every entry's pieces from colliding with
    another entry's pieces of the same granularity; nesting at different
    granularities (a /32 inside a /24 inside a /16) is generated and must
    agree.
    """

    def __init__(self, rnd):
        self.rnd = rnd
        self.lines = [f":{code_text(D4[0])}:{D4[1]}"]
        self.edges = []
        self.used = {8: set(), 16: set(), 24: set(), 32: set()}

    def pieces(self, lo, hi):
        """rbldnsd's granularity pieces of [lo, hi]: (bits, key) list."""
        out = []
        a = lo
        while a <= hi:
            for bits in (8, 16, 24, 32):
                size = 1 << (32 - bits)
                if a % size == 0 and a + size - 1 <= hi:
                    out.append((bits, a >> (32 - bits)))
                    a += size
                    break
        return out

    def free(self, lo, hi):
        ps = self.pieces(lo, hi)
        if len(ps) > 4096:
            return None
        for bits, key in ps:
            if key in self.used[bits]:
                return None
        return ps

    def take(self, ps):
        for bits, key in ps:
            self.used[bits].add(key)

    def value(self):
        r = self.rnd.random()
        n = self.rnd.randrange(3, 12)
        if r < 0.55:
            return ""
        if r < 0.65:
            return f" :{n}:Own text {n} for $"
        if r < 0.72:
            return f" :127.0.0.{n}:"                 # own A, no TXT
        if r < 0.80:
            return f" :{n}"                          # own A, default TXT
        if r < 0.88:
            return f" Only text {n} $"               # default A, own TXT
        return " # a comment after the entry"

    def add(self):
        rnd = self.rnd
        base = 0x0A000000 + rnd.randrange(0, 1 << 18)   # 10.0.0.0/14
        kind = rnd.random()
        excl = rnd.random() < 0.15
        if kind < 0.35:                       # single address
            lo = hi = base
            text = ip4(lo)
        elif kind < 0.50:                     # CIDR /25../30
            p = rnd.randrange(25, 31)
            lo = base & ~((1 << (32 - p)) - 1) & 0xFFFFFFFF
            hi = lo + (1 << (32 - p)) - 1
            text = f"{ip4(lo)}/{p}"
        elif kind < 0.60:                     # /24 short form "10.1.2"
            lo = base & 0xFFFFFF00
            hi = lo + 255
            text = ".".join(ip4(lo).split(".")[:3])
        elif kind < 0.64:                     # /16 short form "10.1"
            lo = base & 0xFFFF0000
            hi = lo + 0xFFFF
            text = ".".join(ip4(lo).split(".")[:2])
        elif kind < 0.72:                     # CIDR /20../23 (several /24 pieces)
            p = rnd.randrange(20, 24)
            lo = base & ~((1 << (32 - p)) - 1) & 0xFFFFFFFF
            hi = lo + (1 << (32 - p)) - 1
            text = f"{ip4(lo)}/{p}"
        elif kind < 0.86:                     # full range a.b.c.d-e.f.g.h
            lo = base
            hi = lo + rnd.randrange(1, 600)
            text = f"{ip4(lo)}-{ip4(hi)}"
        else:                                 # suffix range a.b.c.d-e
            lo = base
            last = lo & 0xFF
            end = rnd.randrange(last, 256)
            hi = (lo & 0xFFFFFF00) | end
            text = f"{ip4(lo)}-{end}"
        ps = self.free(lo, hi)
        if ps is None:
            return
        self.take(ps)
        if excl:
            self.lines.append("!" + text)
        else:
            self.lines.append(text + self.value())
        for a in (lo - 1, lo, hi, hi + 1, rnd.randint(lo, hi)):
            if 0 <= a <= 0xFFFFFFFF:
                self.edges.append(ip4(a))

    def build(self, n=1500):
        self.lines.append("# generated by tests/integration/test_rbldnsd_diff.py")
        self.lines.append("$TTL 300")
        for i in range(n):
            if i == n // 2:
                self.lines.append(":127.0.0.6:Second default for $")
            if i == (3 * n) // 4:
                self.lines.append(":7")                # A changes, no TXT (as rbldnsd)
            self.add()
        # a few addresses elsewhere
        for a in ("192.0.2.1", "198.51.100.0/24 :5:doc net $", "203.0.113.9"):
            self.lines.append(a)
        self.edges += ["192.0.2.1", "192.0.2.2", "198.51.100.0", "198.51.100.255",
                       "198.51.101.0", "203.0.113.9", "203.0.113.8"]
        return "\n".join(self.lines) + "\n"


def entry_value(rnd, word, text_tail):
    """A random per-entry value for an ip6trie or dnset line: none (the
    default), own A and TXT, own A and no TXT, or TXT only."""
    r = rnd.random()
    n = rnd.randrange(3, 12)
    if r < 0.6:
        return ""
    if r < 0.75:
        return f" :127.0.1.{n}:{word} own {n} $"
    if r < 0.85:
        return f" :{n}:"
    return f" {word} text only {n}{text_tail}"


class V6Gen:
    """An ip6trie file: CIDRs in 2001:db8::/32 (short /64 forms, trailing
    words left out, compressed notation, per-entry values, exclusions).
    Nested prefixes are fine here: both sides answer the longest match."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.lines = [f":{code_text(D6[0])}:{D6[1]}"]
        self.edges = []
        self.keys = set()

    def add(self):
        rnd = self.rnd
        p = rnd.choice([32, 36, 40, 44, 48, 48, 52, 56, 60, 64, 64, 64, 96, 112, 124, 128, 128])
        if p <= 32:
            p = 33
        addr = (0x20010DB8 << 96) | rnd.getrandbits(96)
        # keep some structure so entries nest: few distinct third words
        addr = (addr & ~(0xFFFF << 64)) | (rnd.randrange(0, 6) << 64)
        net = ipaddress.IPv6Network((addr, p), strict=False)
        key = (int(net.network_address), p)
        if key in self.keys:
            return
        self.keys.add(key)
        words = net.network_address.exploded.split(":")
        form = rnd.random()
        if p == 64 and form < 0.5:
            text = ":".join(w.lstrip("0") or "0" for w in words[:4])      # "2001:db8:3:4a"
        elif p % 16 == 0 and p < 128 and form < 0.7:
            # trailing :0 words left out, prefix given
            text = ":".join(w.lstrip("0") or "0" for w in words[:p // 16]) + f"/{p}"
        elif p == 128:
            text = str(net.network_address)
        else:
            text = f"{net.network_address}/{p}"
        excl = rnd.random() < 0.15
        if excl:
            self.lines.append("!" + text)
        else:
            self.lines.append(text + entry_value(rnd, "v6", ""))
        lo, hi = int(net.network_address), int(net.broadcast_address)
        for a in (lo - 1, lo, hi, hi + 1, rnd.randint(lo, hi)):
            self.edges.append(str(ipaddress.IPv6Address(a)))

    def build(self, n=600):
        for _ in range(n):
            self.add()
        return "\n".join(self.lines) + "\n"


class DGen:
    """A dnset file: exact names, *.wild, .both, exclusions, per-entry values.
    Names come from a small vocabulary so that entries nest and collide."""

    WORDS = ["spam", "mail", "shop", "a", "b", "x1", "www", "click", "promo", "bad-host"]
    TLDS = ["example", "test-tld", "invalid-not"]

    def __init__(self, rnd):
        self.rnd = rnd
        self.lines = [f":{code_text(DD[0])}:{DD[1]}"]
        self.names = set()
        self.seen = set()        # (name, form) keys, to avoid exact duplicates

    def name(self, depth=None):
        rnd = self.rnd
        depth = depth or rnd.randrange(1, 4)
        labels = [rnd.choice(self.WORDS) for _ in range(depth)]
        return ".".join(labels + [rnd.choice(self.TLDS)])

    def add(self):
        rnd = self.rnd
        nm = self.name()
        r = rnd.random()
        if r < 0.5:
            form, text = "exact", nm
        elif r < 0.75:
            form, text = "wild", "*." + nm
        else:
            form, text = "both", "." + nm
        # '.x' = 'x' + '*.x': keep one line per (name, exact/wild) pair
        covers = {"exact": ["exact"], "wild": ["wild"], "both": ["exact", "wild"]}[form]
        if any((nm, c) in self.seen for c in covers):
            return
        for c in covers:
            self.seen.add((nm, c))
        self.names.add(nm)
        if rnd.random() < 0.15:
            self.lines.append("!" + text)
        else:
            self.lines.append(text + entry_value(rnd, "name", " $"))

    def build(self, n=600):
        for _ in range(n):
            self.add()
        return "\n".join(self.lines) + "\n"


class TSetGen:
    """An ip4tset file (single addresses, one value) and an ip6tset file
    (/64s as four words, /128 exclusions inside them, one value)."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.edges4, self.edges6 = [], []

    def build4(self, n=400):
        lines = [f":{code_text(DT4[0])}:{DT4[1]}"]
        for _ in range(n):
            a = 0x0A080000 + self.rnd.randrange(0, 1 << 11)      # 10.8.0.0/21: dense
            lines.append(ip4(a))
            self.edges4 += [ip4(a - 1), ip4(a), ip4(a + 1)]
        return "\n".join(lines) + "\n"

    def build6(self, n=300):
        lines = [f":{code_text(DT6[0])}:{DT6[1]}"]
        for _ in range(n):
            net = (0x20010DB8 << 32) | (0x7700 << 16) | self.rnd.randrange(0, 64)
            words = [(net >> s) & 0xFFFF for s in (48, 32, 16, 0)]
            lines.append(":".join(f"{w:x}" for w in words))
            base = net << 64
            self.edges6 += [str(ipaddress.IPv6Address(base + x))
                            for x in (0, (1 << 64) - 1, self.rnd.getrandbits(64))]
            self.edges6.append(str(ipaddress.IPv6Address(base + (1 << 64))))
            if self.rnd.random() < 0.3:
                host = base + self.rnd.randrange(1, 100)
                lines.append("!" + str(ipaddress.IPv6Address(host)))
                self.edges6 += [str(ipaddress.IPv6Address(host + d)) for d in (-1, 0, 1)]
        return "\n".join(lines) + "\n"


def make_queries(rnd, g4, g6, gd, gt, n):
    qs = []
    v4_edges = g4.edges
    v6_edges = g6.edges
    names = sorted(gd.names)
    while len(qs) < n:
        r = rnd.random()
        qtype = "A" if rnd.random() < 0.6 else "TXT"
        if r < 0.06:
            ip = rnd.choice(gt.edges4)
            if ip in SKIP_V4:
                continue
            qs.append((f"{rev4(ip)}.{T4}", qtype))
        elif r < 0.12:
            if rnd.random() < 0.7:
                ip = rnd.choice(gt.edges6)
            else:                 # half of these /64s are not listed
                net = (0x20010DB8 << 32) | (0x7700 << 16) | rnd.randrange(0, 128)
                ip = str(ipaddress.IPv6Address((net << 64) | rnd.getrandbits(64)))
            qs.append((f"{rev6(ip)}.{T6}", qtype))
        elif r < 0.45:
            if rnd.random() < 0.7:
                ip = rnd.choice(v4_edges)
            elif rnd.random() < 0.7:
                ip = ip4(0x0A000000 + rnd.randrange(0, 1 << 18))
            else:
                ip = ip4(rnd.getrandbits(32))
            if ip in SKIP_V4:
                continue
            qs.append((f"{rev4(ip)}.{Z4}", qtype))
        elif r < 0.70:
            if rnd.random() < 0.8:
                ip = rnd.choice(v6_edges)
            else:
                ip = str(ipaddress.IPv6Address((0x20010DB8 << 96) | rnd.getrandbits(96)))
            qs.append((f"{rev6(ip)}.{Z6}", qtype))
        else:
            if rnd.random() < 0.75 and names:
                nm = rnd.choice(names)
                k = rnd.random()
                if k < 0.4:
                    nm = f"{rnd.choice(DGen.WORDS)}.{nm}"         # one level below
                elif k < 0.55:
                    nm = f"{rnd.choice(DGen.WORDS)}.{rnd.choice(DGen.WORDS)}.{nm}"
                elif k < 0.65:
                    nm = nm.split(".", 1)[1]                       # the parent
            else:
                nm = gd.name(rnd.randrange(1, 5))
            if rnd.random() < 0.1:
                nm = "".join(ch.upper() if rnd.random() < 0.5 else ch for ch in nm)
            if nm.lower() in SKIP_NAMES:
                continue
            qs.append((f"{nm}.{ZD}", qtype))
    return qs


# --- servers --------------------------------------------------------------

def dnsxl_config(port, dbdir):
    return f"""\
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 2

; only here because conftest.Server.start() asks {BL} SOA to see it is up
[zone {BL}]
kind = ip
[list {BL}/x]
code = 127.0.0.2

[zone {Z4}]
kind = ip
ttl  = 300
[list {Z4}/set]
code = {code_text(D4[0])}
txt  = {D4[1]}

[zone {Z6}]
kind = ip
ttl  = 300
[list {Z6}/trie]
code = {code_text(D6[0])}
txt  = {D6[1]}

[zone {T4}]
kind = ip
[list {T4}/tset]
code = {code_text(DT4[0])}
txt  = {DT4[1]}

[zone {T6}]
kind = ip
[list {T6}/tset]
code = {code_text(DT6[0])}
txt  = {DT6[1]}

[zone {ZD}]
kind = domain
ttl  = 300
[list {ZD}/names]
code = {code_text(DD[0])}
txt  = {DD[1]}
"""


def udp_port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def start_rbldnsd(datadir, files):
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if udp_port_free(port):
            break
    errpath = os.path.join(datadir, "rbldnsd.stderr")
    err = open(errpath, "wb")
    argv = [RBLDNSD, "-n", "-u", "nobody", "-w", datadir, "-b", f"127.0.0.1/{port}",
            "-t", "300", "-c", "1h",
            f"{Z4}:ip4set:{files['ip4set']}",
            f"{Z6}:ip6trie:{files['ip6trie']}",
            f"{ZD}:dnset:{files['dnset']}",
            f"{T4}:ip4tset:{files['ip4tset']}",
            f"{T6}:ip6tset:{files['ip6tset']}"]
    proc = subprocess.Popen(argv, stdout=err, stderr=err, stdin=subprocess.DEVNULL)
    err.close()
    probe = dns.message.make_query(f"{rev4('192.0.2.1')}.{Z4}", "A")

    def answers():
        if proc.poll() is not None:
            pytest.fail(f"rbldnsd exited {proc.returncode}: {open(errpath).read()}")
        try:
            # short tries (a query sent before rbldnsd binds is lost); the deadline is wait_until's
            return dns.query.udp(probe, "127.0.0.1", port=port, timeout=0.2).rcode() == dns.rcode.NOERROR
        except Exception:
            return False

    try:
        wait_until(answers, "rbldnsd answering after its start (log: " + errpath + ")",
                   interval=0.05)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, port, errpath


def stop_pid(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(DEADLINE)


# --- querying ---------------------------------------------------------------

def build_messages(queries):
    """Wire form per query: EDNS with a 4096-byte payload (so rbldnsd does
    not truncate), id = index mod 65536 (unique within a window)."""
    out = []
    for idx, (name, qtype) in enumerate(queries):
        m = dns.message.make_query(name, qtype, use_edns=0, payload=4096)
        m.id = idx & 0xFFFF
        out.append(m.to_wire())
    return out


def _skip_name(wire, p):
    while True:
        ln = wire[p]
        if ln == 0:
            return p + 1
        if ln & 0xC0 == 0xC0:
            return p + 2
        p += 1 + ln


def parse_reply(wire):
    """(id, question bytes lowercased, rcode, tc, [A addresses], [TXT texts])
    of a reply, read by hand (dnspython's parser would make the 40,000
    replies the slow part of the test). Raises on a malformed reply."""
    qid, flags, qd, an, _ns, _ar = struct.unpack_from("!6H", wire, 0)
    if not flags & 0x8000:
        raise ValueError("not a response")
    pos = 12
    for _ in range(qd):
        pos = _skip_name(wire, pos) + 4
    question = wire[12:pos].lower()
    addrs, texts = [], []
    for _ in range(an):
        pos = _skip_name(wire, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack_from("!HHIH", wire, pos)
        rd = wire[pos + 10:pos + 10 + rdlen]
        if len(rd) != rdlen:
            raise ValueError("short RR")
        pos += 10 + rdlen
        if rtype == 1:
            if rdlen != 4:
                raise ValueError("A rdata of %d bytes" % rdlen)
            addrs.append(socket.inet_ntoa(rd))
        elif rtype == 16:
            parts, i = [], 0
            while i < rdlen:
                n = rd[i]
                parts.append(rd[i + 1:i + 1 + n])
                i += 1 + n
            if i != rdlen:
                raise ValueError("bad TXT rdata")
            texts.append(b"".join(parts).decode("utf-8", "replace"))
    return qid, question, flags & 0xF, bool(flags & 0x0200), addrs, texts


def ask_all(port, wires, window=256, rounds=5):
    """Send every query wire over one UDP socket, `window` in flight at a
    time; returns ({index: parse_reply(...)}, [indexes never answered]).
    A reply counts only with the query's id and question. Lost ones (a
    server's full receive buffer drops some) are retried up to `rounds`
    times, each round waiting 4 times longer for a reply (0.5 s, then 2 s,
    8 s, up to DEADLINE): "never answered" is decided only after the
    longest wait, never by a short timeout."""
    out = {}
    pending = list(range(len(wires)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.connect(("127.0.0.1", port))
    try:
        for rnd in range(rounds):
            if not pending:
                break
            timeout = min(0.5 * 4 ** rnd, DEADLINE)
            missed = []
            for start in range(0, len(pending), window):
                chunk = pending[start:start + window]
                by_id = {}
                for idx in chunk:
                    w = wires[idx]
                    qend = _skip_name(w, 12) + 4
                    by_id[idx & 0xFFFF] = (idx, w[12:qend].lower())
                    sock.send(w)
                sock.settimeout(timeout)
                while by_id:
                    try:
                        data = sock.recv(65535)
                    except socket.timeout:
                        break
                    r = parse_reply(data)
                    ent = by_id.get(r[0])
                    if ent is None or ent[1] != r[1]:
                        continue
                    del by_id[r[0]]
                    out[ent[0]] = r
                missed += [idx for idx, _ in by_id.values()]
            pending = missed
    finally:
        sock.close()
    return out, pending


def dnset_ent(lines, name):
    """Is `name` an empty non-terminal of a DGen file for dnsxld (README
    "DNS behaviour"): a record strictly below it (x.name, *.name, *.x.name),
    or a name below it listed by the nearest wildcard of its ancestors?"""
    recs = []                     # (base name, wildcard, excluded)
    for ln in lines[1:]:
        excl = ln.startswith("!")
        key = (ln[1:] if excl else ln).split(" ", 1)[0].lower()
        if key.startswith("*."):
            recs.append((key[2:], True, excl))
        elif key.startswith("."):
            recs += [(key[1:], False, excl), (key[1:], True, excl)]
        else:
            recs.append((key, False, excl))
    if any(base.endswith("." + name) or (wild and base == name) for base, wild, _ in recs):
        return True
    labels = name.split(".")
    for i in range(1, len(labels)):
        anc = ".".join(labels[i:])
        w = [excl for base, wild, excl in recs if wild and base == anc]
        if w:
            return not w[-1]
    return False


def domain_subject(qname):
    """The name under dbl.test that a query asks about, lowercase; else None."""
    q = qname.lower()
    suffix = "." + ZD
    return q[:-len(suffix)] if q.endswith(suffix) else None


def normalise_dollar(texts, subject, rbldnsd):
    """Intended difference (README): in a dnset TXT template rbldnsd expands
    `$` to the name the matching entry is keyed on (for `*.x` the base x,
    for a query a.b.x), dnsxld to the queried name (a.b.x), as dnsxl.conf(5)
    says. Both are replaced by "$" here: dnsxld's word only when it is the
    whole queried name, rbldnsd's when it is that name or one of its parent
    names (so every other word is still compared as it is)."""
    labels = subject.split(".")
    parents = {".".join(labels[i:]) for i in range(len(labels))}
    out = []
    for t in texts:
        words = t.split(" ")
        words = ["$" if (w in parents if rbldnsd else w == subject) else w for w in words]
        out.append(" ".join(words))
    return sorted(out)


def summary(r, qname, rbldnsd):
    _id, _q, rcode, tc, a, t = r
    t = sorted(t)
    subject = domain_subject(qname)
    if subject is not None:
        t = normalise_dollar(t, subject, rbldnsd)
    return (dns.rcode.to_text(rcode), sorted(a), t, tc)


@pytest.fixture(scope="module")
def pair():
    if not os.access(RBLDNSD, os.X_OK):
        pytest.fail(f"{RBLDNSD} missing (Debian package rbldnsd); the differential test needs it")
    rnd = random.Random(SEED)
    g4, g6, gd, gt = V4Gen(rnd), V6Gen(rnd), DGen(rnd), TSetGen(rnd)
    texts = {"ip4set": g4.build(), "ip6trie": g6.build(), "dnset": gd.build(),
             "ip4tset": gt.build4(), "ip6tset": gt.build6()}
    tmp = tempfile.mkdtemp(prefix="dnsxl-diff-")
    os.chmod(tmp, 0o755)          # rbldnsd runs as nobody and must read the files
    rbl_proc = None
    srv = None
    try:
        files = {}
        for kind, text in texts.items():
            p = os.path.join(tmp, f"{kind}.data")
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o644)
            files[kind] = p
        rbl_proc, rbl_port, rbl_err = start_rbldnsd(tmp, files)

        sdir = os.path.join(tmp, "dnsxl")
        os.mkdir(sdir)
        srv = Server(sdir, config_fn=dnsxl_config)
        srv.loader("import", f"{Z4}/set", files["ip4set"], "--format", "ip4set")
        srv.loader("import", f"{Z6}/trie", files["ip6trie"], "--format", "ip6trie")
        srv.loader("import", f"{ZD}/names", files["dnset"], "--format", "dnset")
        srv.loader("import", f"{T4}/tset", files["ip4tset"], "--format", "ip4tset")
        srv.loader("import", f"{T6}/tset", files["ip6tset"], "--format", "ip6tset")
        srv.start()
        queries = make_queries(random.Random(SEED + 1), g4, g6, gd, gt, N_QUERIES)
        yield {"rbl_port": rbl_port, "srv": srv, "queries": queries, "files": files,
               "rbl_err": rbl_err, "rbl_proc": rbl_proc, "dnset_lines": gd.lines}
    finally:
        if rbl_proc is not None:
            stop_pid(rbl_proc)
        rc, report, errtext = None, [], ""
        if srv is not None and srv.proc is not None:
            rc = srv.stop()
            report, errtext = srv.sanitizer_report(), srv.stderr_text()
        shutil.rmtree(tmp, ignore_errors=True)
        if srv is not None and srv.proc is not None:
            assert rc == 0, f"dnsxld exited {rc}\n{errtext[-3000:]}"
            assert not report, "sanitizer report:\n" + errtext[-6000:]


def test_same_answers_as_rbldnsd(pair):
    queries = pair["queries"]
    assert len(queries) == N_QUERIES
    t0 = time.monotonic()
    msgs = build_messages(queries)
    ra, rlost = ask_all(pair["rbl_port"], msgs)
    da, dlost = ask_all(pair["srv"].port, msgs)
    elapsed = time.monotonic() - t0
    assert not rlost, f"rbldnsd did not answer {len(rlost)} queries, e.g. {queries[rlost[0]]}"
    assert not dlost, f"dnsxld did not answer {len(dlost)} queries, e.g. {queries[dlost[0]]}"
    mismatches = []
    ents = 0                      # intended: empty non-terminals (see the top)
    listed = 0
    per_zone = {}                 # zone -> [positive, negative] (rbldnsd's word)
    for i, (name, qtype) in enumerate(queries):
        r, d = summary(ra[i], name, True), summary(da[i], name, False)
        zone = name.lower().split(".", name.count(".") - 1)[-1]
        pos, neg = per_zone.setdefault(zone, [0, 0])
        if r[0] == "NOERROR" and (r[1] or r[2]):
            listed += 1
            per_zone[zone][0] += 1
        else:
            per_zone[zone][1] += 1
        if r[3] or d[3]:
            mismatches.append((name, qtype, "truncated", r, d))
            continue
        subject = domain_subject(name)
        if r[:3] == ("NXDOMAIN", [], []) and d[:3] == ("NOERROR", [], []) and \
                subject is not None and dnset_ent(pair["dnset_lines"], subject):
            ents += 1
            continue
        if r[:3] != d[:3]:
            mismatches.append((name, qtype, r[:3], d[:3]))
    print(f"{len(queries)} queries in {elapsed:.1f}s, {listed} positive, "
          f"{len(mismatches)} mismatches, {ents} empty non-terminals")
    # the test must exercise both sides of the data
    assert listed > len(queries) // 5, f"only {listed} positive answers: generator broken?"
    assert len(queries) - listed > len(queries) // 10
    print("per zone [positive, negative]:", per_zone)
    for z in (Z4, Z6, ZD, T4, T6):
        assert min(per_zone.get(z, [0, 0])) >= 100, f"zone {z}: {per_zone.get(z)}"
    if os.environ.get("DNSXL_DIFF_DUMP"):
        with open(os.environ["DNSXL_DIFF_DUMP"], "w") as f:
            for m in mismatches:
                f.write(repr(m) + "\n")
            for k, p in pair["files"].items():
                shutil.copy(p, os.environ["DNSXL_DIFF_DUMP"] + "." + k)
    if mismatches:
        lines = [f"  {m[0]} {m[1]}: rbldnsd {m[2]} dnsxld {m[3]}" if len(m) == 4 else f"  {m}"
                 for m in mismatches[:20]]
        pytest.fail(f"{len(mismatches)} of {len(queries)} answers differ; first 20:\n" +
                    "\n".join(lines))
