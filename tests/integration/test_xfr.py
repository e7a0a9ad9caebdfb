"""Mirrors (issue 9): dnsxld as the primary of standard DNS servers.

- Real Knot (/usr/sbin/knotd) and NSD (/usr/sbin/nsd) secondaries, started
  here on loopback ports with a TSIG key (hmac-sha256), take an ip zone
  (/32s, aligned and non-aligned CIDRs, exclusions inside ranges, IPv6
  prefixes of every alignment, two lists with overlapping entries, own
  codes and texts, the RFC 5782 test points), a domain zone (names,
  wildcards, exclusions, names below wildcards) and a bitmask zone (three
  overlapping lists: one A with the codes ORed) by AXFR from dnsxld and
  must answer a seeded differential of 20,000 queries (10,000 names, A and
  TXT each; edges of every entry, addresses around them, partial names,
  the test points, the apex) exactly as dnsxld does: rcode, the set of A
  addresses, the set of TXT strings. The one intended difference is the
  TXT rule for wildcards (dnsxld(8), "ZONE TRANSFERS"): where dnsxld puts
  the queried address or name for `$`, a wildcard's TXT holds the entry
  (192.0.2.0/24, or the name whose wildcard it is); normalise() replaces
  both by "$". The other: a name that is not a whole address inside a
  wildcard's block (partial_in_wildcard()).
- Transfers: the right key gets the whole zone (SOA first and last, several
  messages, every one signed: dnspython verifies each), over IPv4 and with
  the hmac-sha512 key of a second allow-transfer line; unsigned requests,
  a wrong secret, an unknown key and the right key from an address not
  allowed get REFUSED or NOTAUTH (BADSIG, BADKEY) and no zone data.
- rbldnsd (Debian's) serving `dnsxl-admin export --format rbldnsd` answers
  the same differential as dnsxld, less rbldnsd's documented differences
  (README "Differences from rbldnsd": the test points, NXDOMAIN for an
  empty non-terminal, `$` in a dnset TXT).
- dnsxl-loader publish -> rsync -> dnsxl-loader sync on a second store:
  `minisign -V` verifies the published signature, and a second dnsxld on
  the synced store answers the differential exactly as the first.

DNSXL_DIFF_DUMP=PATH writes the mismatches there.
"""
import base64
import ipaddress
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import pytest

from conftest import BL, DBL, DEADLINE, MULTI, Server, free_port, rev4, rev6, run_tool, wait_until
import secondaries
from secondaries import KNOTD, NSD, Secondary
from test_rbldnsd_diff import ask_all, build_messages

RBLDNSD = "/usr/sbin/rbldnsd"
SEED = 20261204
N_NAMES = 10000                 # each asked for A and TXT: 20,000 queries

KEY, SECRET = "xfr-key", base64.b64encode(bytes(range(1, 33))).decode()
KEY512, SECRET512 = "xfr-512", base64.b64encode(bytes(range(100, 164))).decode()
SPAM_TXT = "Listed in $list: see $"
DOM_TXT = "Domain $ listed"


def ip4(n):
    return str(ipaddress.IPv4Address(n))


def ip6(n):
    return str(ipaddress.IPv6Address(n))


# --- data ---------------------------------------------------------------------

class Data:
    """Seeded entries of the ip zone (lists spam and manual) and the domain
    zone (list names), as plain list files, and the addresses and names
    worth asking about."""

    V4 = 0x0A000000                # 10.0.0.0/14
    V6 = 0x20010DB8 << 96          # 2001:db8::/32, entries in 2001:db8:0-f::/48s

    def __init__(self, rnd):
        self.rnd = rnd
        self.lines = {"spam": [], "manual": [], "names": [], "a": [], "b": [], "c": []}
        self.v4, self.v6, self.names = [], [], []      # (lo, hi) ranges, names
        self.vm = []                                   # the bitmask zone's ranges

    def net4(self, plen, base=V4, span=18):
        a = base + self.rnd.randrange(0, 1 << span)
        a &= ~((1 << (32 - plen)) - 1) & 0xFFFFFFFF
        return a, a + (1 << (32 - plen)) - 1

    def net6(self, plen):
        a = self.V6 | (self.rnd.randrange(0, 16) << 80) | (self.rnd.getrandbits(80))
        mask = (1 << (128 - plen)) - 1
        a &= ~mask
        return a, a | mask

    def add4(self, lst, plen, excl=False, inside=None):
        if inside:
            lo, hi = inside
            a = self.rnd.randrange(lo, hi + 1) & ~((1 << (32 - plen)) - 1)
            lo, hi = a, a + (1 << (32 - plen)) - 1
        else:
            lo, hi = self.net4(plen)
        self.lines[lst].append(("!" if excl else "") + (ip4(lo) if plen == 32 else f"{ip4(lo)}/{plen}"))
        self.v4.append((lo, hi))
        return lo, hi

    def add6(self, lst, plen, excl=False, inside=None):
        if inside:
            lo, hi = inside
            a = self.rnd.randrange(lo, hi + 1) & ~((1 << (128 - plen)) - 1)
            lo, hi = a, a | ((1 << (128 - plen)) - 1)
        else:
            lo, hi = self.net6(plen)
        self.lines[lst].append(("!" if excl else "") + (ip6(lo) if plen == 128 else f"{ip6(lo)}/{plen}"))
        self.v6.append((lo, hi))
        return lo, hi

    WORDS = ["spam", "mail", "a", "b", "c", "x1", "web", "cdn", "m", "q"]

    def dname(self, depth):
        return ".".join(self.rnd.choice(self.WORDS) for _ in range(depth)) + ".example"

    def build(self):
        r = self.rnd
        ranges = []
        for _ in range(300):
            self.add4("spam", 32)
        for _ in range(25):
            ranges.append(self.add4("spam", 24))
        ranges.append(self.add4("spam", 16, inside=(self.V4 + (2 << 16), self.V4 + (2 << 16))))
        for plen in (17, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31) * 3:
            ranges.append(self.add4("spam", plen))
        for _ in range(60):                           # exclusions inside ranges
            self.add4("spam", 32, excl=True, inside=r.choice(ranges))
        for plen in (26, 28, 30):
            big = [x for x in ranges if x[1] - x[0] >= 255]
            self.add4("spam", plen, excl=True, inside=r.choice(big))
        for _ in range(120):
            self.add4("manual", 32, inside=r.choice(ranges) if r.random() < 0.5 else None)
        for plen in (24, 24, 24, 22, 27, 29):
            self.add4("manual", plen)
        self.add4("manual", 26, inside=r.choice([x for x in ranges if x[1] - x[0] >= 255]))
        r6 = []
        for plen in (48,) * 20 + (64,) * 15 + (52, 56, 57, 61, 62, 63, 100, 126, 127) * 2:
            r6.append(self.add6("spam", plen))
        for _ in range(30):
            self.add6("spam", 128)
        for _ in range(20):
            self.add6("spam", 128, excl=True, inside=r.choice(r6))
        self.add6("spam", 64, excl=True, inside=r.choice([x for x in r6 if x[1] - x[0] > 1 << 64]))
        for plen in (56, 60, 128, 128, 128):
            self.add6("manual", plen, inside=r.choice(r6) if r.random() < 0.5 else None)
        n4 = len(self.v4)
        for lst in ("a", "b", "c"):                   # the bitmask zone: overlapping lists
            for plen in (32,) * 40 + (24, 24, 24, 20, 27, 30):
                self.add4(lst, plen, inside=(self.V4, self.V4 + (1 << 16) - 1))
            for _ in range(8):
                self.add4(lst, 32, excl=True, inside=r.choice(self.v4[n4:]))
        self.vm, self.v4 = self.v4[n4:], self.v4[:n4]
        for _ in range(250):
            depth = r.randrange(1, 4)
            nm = self.dname(depth)
            k = r.random()
            key = f"*.{nm}" if k < 0.3 else (f"!{nm}" if k < 0.4 else nm)
            self.lines["names"].append(key)
            self.names.append(nm)
        return self

    def write(self, d):
        paths = {}
        for lst, lines in self.lines.items():
            paths[lst] = os.path.join(d, f"{lst}.list")
            with open(paths[lst], "w") as f:
                f.write("\n".join(dict.fromkeys(lines)) + "\n")
        return paths

    def queries(self, rnd, n=N_NAMES):
        names = []
        while len(names) < n:
            r = rnd.random()
            if r < 0.45:
                lo, hi = rnd.choice(self.v4)
                a = rnd.choice([lo, hi, lo - 1, hi + 1, rnd.randrange(lo, hi + 1)]) & 0xFFFFFFFF
                names.append(f"{rev4(ip4(a))}.{BL}")
            elif r < 0.55:
                names.append(f"{rev4(ip4(self.V4 + rnd.randrange(0, 1 << 18)))}.{BL}")
            elif r < 0.75:
                lo, hi = rnd.choice(self.v6)
                a = rnd.choice([lo, hi, lo - 1, hi + 1, rnd.randrange(lo, hi + 1)])
                names.append(f"{rev6(ip6(a))}.{BL}")
            elif r < 0.78:                         # partial names: empty non-terminals, wildcards
                if rnd.random() < 0.5:
                    lo, _ = rnd.choice(self.v4)
                    labels = rev4(ip4(lo)).split(".")
                else:
                    lo, _ = rnd.choice(self.v6)
                    labels = rev6(ip6(lo)).split(".")
                k = rnd.randrange(1, len(labels))
                names.append(".".join(labels[-k:]) + f".{BL}")
            elif r < 0.86:                         # the bitmask zone
                lo, hi = rnd.choice(self.vm)
                a = rnd.choice([lo, hi, lo - 1, hi + 1, rnd.randrange(lo, hi + 1)]) & 0xFFFFFFFF
                names.append(f"{rev4(ip4(a))}.{MULTI}")
            else:
                nm = rnd.choice(self.names)
                k = rnd.random()
                if k < 0.35:
                    nm = f"{rnd.choice(self.WORDS)}.{nm}"
                elif k < 0.5:
                    nm = f"{rnd.choice(self.WORDS)}.{rnd.choice(self.WORDS)}.{nm}"
                elif k < 0.6:
                    nm = nm.split(".", 1)[1]
                elif k < 0.65:
                    nm = self.dname(rnd.randrange(1, 4))
                names.append(f"{nm}.{DBL}")
        names[:8] = [f"2.0.0.127.{BL}", f"1.0.0.127.{BL}", f"{rev6('::ffff:7f00:2')}.{BL}",
                     f"{rev6('::ffff:7f00:1')}.{BL}", BL, DBL, f"test.{DBL}", f"invalid.{DBL}"]
        return [(nm, t) for nm in names for t in ("A", "TXT")]


# --- dnsxld -------------------------------------------------------------------

def primary_config(port, dbdir, transfers=True):
    allow = f"""allow-transfer = 127.0.0.1 key {KEY}
allow-transfer = 127.0.0.2 key {KEY512}
""" if transfers else ""
    return f"""\
[server]
listen   = 127.0.0.1:{port}
listen   = [::1]:{port}
database = {dbdir}
workers  = 2

[key {KEY}]
algorithm = hmac-sha256
secret    = {SECRET}

[key {KEY512}]
algorithm = hmac-sha512
secret    = {SECRET512}

[zone {BL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
ns   = ns1.example.org.
ns   = ns2.example.org.
txt  = {SPAM_TXT}
{allow}
[list {BL}/spam]
code = 127.0.0.2

[list {BL}/manual]
code = 127.0.0.3
txt  = manual listing

[zone {DBL}]
kind = domain
ttl  = 60
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 900
ns   = ns1.example.org.
txt  = {DOM_TXT}
{allow}
[list {DBL}/names]
code = 127.0.1.2

[zone {MULTI}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
answer = bitmask
txt  = Multi: $list at $
{allow}
[list {MULTI}/a]
code = 127.0.0.2

[list {MULTI}/b]
code = 127.0.0.4

[list {MULTI}/c]
code = 127.0.0.8
"""


def load(srv, paths):
    for lst in ("spam", "manual"):
        srv.loader("import", f"{BL}/{lst}", paths[lst], "--format", "plain", "--force")
    srv.loader("import", f"{DBL}/names", paths["names"], "--format", "plain", "--force")
    for lst in ("a", "b", "c"):
        srv.loader("import", f"{MULTI}/{lst}", paths[lst], "--format", "plain", "--force")
    # own codes and texts, one of them on a range
    srv.admin("add", f"{BL}/manual", "10.3.200.7", "--code", "127.0.0.9", "--txt", "own text")
    srv.admin("add", f"{BL}/manual", "10.3.201.0/24", "--code", "127.0.0.10")
    srv.admin("add", f"{DBL}/names", "own.example", "--txt", "own $ text")


# --- secondaries ----------------------------------------------------------------

def free_udp_tcp_port():
    return free_port()


ZONES = (BL, DBL, MULTI)


def start_knot(d, primary_port):
    port = free_udp_tcp_port()
    zones = "".join(f"  - domain: {z}\n    master: primary\n" for z in ZONES)
    return secondaries.start_knot(d, port, secondaries.knot_conf(
        d, port, primary_port, KEY, SECRET, zones, template="    journal-content: none\n"))


def start_nsd(d, primary_port):
    port = free_udp_tcp_port()
    zones = "".join(f"""zone:
    name: "{z}"
    zonefile: "{z}.zone"
    request-xfr: AXFR 127.0.0.1@{primary_port} {KEY}
""" for z in ZONES)
    return secondaries.start_nsd(d, port, secondaries.nsd_conf(d, port, KEY, SECRET, zones))


def start_rbldnsd(d, files):
    port = free_udp_tcp_port()
    argv = [RBLDNSD, "-n", "-u", "nobody", "-w", d, "-b", f"127.0.0.1/{port}", "-t", "300",
            "-c", "1h", f"{BL}:combined:{files[BL]}", f"{DBL}:combined:{files[DBL]}"]
    s = Secondary("rbldnsd", argv, d, port, [])

    def answers():
        if s.proc.poll() is not None:
            pytest.fail(f"rbldnsd exited {s.proc.returncode}: {s.log()}")
        try:
            m = dns.message.make_query(f"{rev4('127.0.0.2')}.{BL}", "A")
            return dns.query.udp(m, "127.0.0.1", port=port, timeout=0.2).answer
        except Exception:
            return False
    wait_until(answers, "rbldnsd answering", interval=0.05)
    return s


# --- comparing ---------------------------------------------------------------------

ADDR_WORD = re.compile(r"^[0-9a-fA-F.:]+(/[0-9]+)?$")


def subject(qname):
    q = qname.lower().rstrip(".")
    suffix = "." + DBL
    return q[:-len(suffix)] if q.endswith(suffix) else None


def normalise(texts, qname):
    """The TXT rule for wildcards: `$` is the queried address (dnsxld, a
    secondary at an address's own name) or the entry that decided it
    (a secondary's wildcard: 10.0.0.0/24); in the domain zone the queried
    name or the name the wildcard lists below. Both become "$"."""
    subj = subject(qname)
    parents = set()
    if subj is not None:
        labels = subj.split(".")
        parents = {".".join(labels[i:]) for i in range(len(labels))}
    out = []
    for t in texts:
        words = ["$" if (w in parents if subj is not None else
                         (ADDR_WORD.match(w) and any(c in w for c in ".:"))) else w
                 for w in t.split(" ")]
        out.append(" ".join(words))
    return sorted(out)


def summary(r, qname, exact):
    _id, _q, rcode, _tc, a, t = r
    return (dns.rcode.to_text(rcode), sorted(a), sorted(t) if exact else normalise(t, qname))


def differential(queries, ref_port, other_port, other, exact=False, allowed=None):
    """Mismatches of other against dnsxld (ref) on every query."""
    wires = build_messages(queries)
    ref, lost_r = ask_all(ref_port, wires)
    got, lost_o = ask_all(other_port, wires)
    assert not lost_r, f"dnsxld never answered {len(lost_r)} queries, e.g. {queries[lost_r[0]]}"
    assert not lost_o, f"{other} never answered {len(lost_o)} queries, e.g. {queries[lost_o[0]]}"
    bad = []
    for i, (qn, qt) in enumerate(queries):
        a, b = summary(ref[i], qn, exact), summary(got[i], qn, exact)
        if a != b and not (allowed and allowed(qn, qt, a, b)):
            bad.append(f"{qn} {qt}: dnsxld {a} {other} {b}")
    dump = os.environ.get("DNSXL_DIFF_DUMP")
    if dump and bad:
        with open(dump, "a") as f:
            f.write("\n".join(bad) + "\n")
    return bad


# --- the fixture ----------------------------------------------------------------

@pytest.fixture(scope="module")
def mirrors():
    for prog in (KNOTD, NSD, RBLDNSD):
        if not os.access(prog, os.X_OK):
            pytest.fail(f"{prog} missing (tests/deps.sh: knot, nsd, rbldnsd)")
    tmp = tempfile.mkdtemp(prefix="dnsxl-xfr-")
    os.chmod(tmp, 0o755)
    srv, secs = None, []
    try:
        data = Data(random.Random(SEED)).build()
        paths = data.write(tmp)
        sdir = os.path.join(tmp, "primary")
        os.mkdir(sdir)
        srv = Server(sdir, config_fn=primary_config)
        load(srv, paths)
        srv.start()
        serials = {z: srv.q(z, "SOA").answer[0][0].serial for z in (BL, DBL, MULTI)}
        for name, start in (("knot", start_knot), ("nsd", start_nsd)):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            secs.append(start(d, srv.port))
        for s in secs:
            s.wait_serials(serials)
        queries = data.queries(random.Random(SEED + 1))
        yield {"srv": srv, "knot": secs[0], "nsd": secs[1], "queries": queries, "tmp": tmp,
               "data": data, "serials": serials}
    finally:
        for s in secs:
            s.stop()
        rc, errtext, report = None, "", []
        if srv is not None and srv.proc is not None:
            rc = srv.stop()
            errtext, report = srv.stderr_text(), srv.sanitizer_report()
        shutil.rmtree(tmp, ignore_errors=True)
        if srv is not None and srv.proc is not None:
            assert rc == 0, f"dnsxld exited {rc}\n{errtext[-3000:]}"
            assert not report, "sanitizer report:\n" + errtext[-6000:]


# --- tests -------------------------------------------------------------------------

def partial_in_wildcard(srv):
    """The other intended difference (dnsxld(8), "ZONE TRANSFERS"): a name
    that is not a whole address (fewer labels than 4 or 32) inside a block
    a wildcard lists, with nothing listed below it. dnsxld answers NODATA
    (every address below it exists); a DNS wildcard matches names of any
    depth (RFC 4592), so a secondary answers the wildcard's records there,
    which must be what dnsxld answers for the addresses below the name."""
    def allowed(qn, qt, a, b):
        if not qn.endswith("." + BL) or a != ("NOERROR", [], []):
            return False
        labels = qn[:-len(BL) - 1].split(".")
        for width, ok in ((4, lambda x: x.isdigit() and int(x) < 256),
                          (32, lambda x: len(x) == 1 and x in "0123456789abcdef")):
            if len(labels) < width and all(ok(x) for x in labels):
                full = ".".join(["0"] * (width - len(labels)) + labels) + "." + BL
                r = srv.q(full, qt, use_edns=0, payload=4096)
                got = (dns.rcode.to_text(r.rcode()),
                       sorted(rd.address for rr in r.answer if rr.rdtype == 1 for rd in rr),
                       normalise([b"".join(rd.strings).decode() for rr in r.answer
                                  if rr.rdtype == 16 for rd in rr], full))
                if got == b:
                    return True
        return False
    return allowed


@pytest.mark.parametrize("name", ["knot", "nsd"])
def test_secondary_answers_as_dnsxld(mirrors, name):
    sec = mirrors[name]
    queries = mirrors["queries"]
    assert len(queries) >= 20000
    log = sec.log()
    want = f"TSIG verified with key {KEY}" if name == "nsd" else "AXFR, incoming"
    assert want in log, log[-2000:]
    bad = differential(queries, mirrors["srv"].port, sec.port, name,
                       allowed=partial_in_wildcard(mirrors["srv"]))
    assert not bad, f"{len(bad)} of {len(queries)} answers differ:\n" + "\n".join(bad[:20])


def axfr_raw(port, zone, key=None, secret=None, alg="hmac-sha256", src="127.0.0.1",
             qtype="AXFR", fam=socket.AF_INET, dst="127.0.0.1"):
    """One transfer request over TCP: (the first reply's wire, the request)."""
    q = dns.message.make_query(zone, qtype)
    if qtype == "IXFR":
        q.authority.append(dns.rrset.from_text(zone + ".", 0, "IN", "SOA",
                                               "ns1.example.org. h.example.org. 1 3600 600"
                                               " 604800 120"))
    if key:
        q.use_tsig(dns.tsigkeyring.from_text({key: secret}), keyname=key, algorithm=alg)
    w = q.to_wire()
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(DEADLINE)
        s.bind((src, 0))
        s.connect((dst, port))
        s.sendall(struct.pack("!H", len(w)) + w)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
            c = s.recv(65536)
            if not c:
                break
            buf += c
    assert len(buf) >= 14, f"no reply to {qtype} from {src} with key {key}"
    return buf[2:2 + struct.unpack("!H", buf[:2])[0]], q


def header(wire):
    _id, flags, _qd, an, ns, _ar = struct.unpack("!6H", wire[:12])
    return flags & 0xF, an, ns


def test_transfers_signed_whole_zone(mirrors):
    srv = mirrors["srv"]
    for key, secret, alg, src in ((KEY, SECRET, "hmac-sha256", "127.0.0.1"),
                                  (KEY512, SECRET512, "hmac-sha512", "127.0.0.2")):
        kr = dns.tsigkeyring.from_text({key: secret})
        msgs = []
        for zone in (BL, DBL):
            q = dns.message.make_query(zone, "AXFR")
            q.use_tsig(kr, keyname=key, algorithm=alg)
            # dnspython checks every message's TSIG (RFC 8945 5.3.1: the first on the
            # request's MAC, the next on the previous one) and fails otherwise
            got = list(dns.query.xfr("127.0.0.1", zone, port=srv.port, keyring=kr, keyname=key,
                                     keyalgorithm=alg, source=src, timeout=DEADLINE,
                                     lifetime=DEADLINE * 4))
            rrs = [rr for m in got for rr in m.answer]
            assert rrs[0].rdtype == dns.rdatatype.SOA and rrs[-1].rdtype == dns.rdatatype.SOA
            assert rrs[0][0].serial == mirrors["serials"][zone]
            assert all(m.had_tsig for m in got)
            msgs.append(len(got))
        assert msgs[0] > 1, "the ip zone fits one message: make the data bigger"


@pytest.mark.parametrize("case", ["unsigned", "wrong-secret", "unknown-key", "not-allowed-addr",
                                  "unsigned-ixfr", "other-key-for-addr"])
def test_transfer_refused_without_the_key(mirrors, case):
    port = mirrors["srv"].port
    wrong = base64.b64encode(bytes(range(2, 34))).decode()
    kw = {
        "unsigned": {},
        "wrong-secret": {"key": KEY, "secret": wrong},
        "unknown-key": {"key": "no-such-key", "secret": SECRET},
        "not-allowed-addr": {"key": KEY, "secret": SECRET, "fam": socket.AF_INET6,
                             "src": "::1", "dst": "::1"},
        "unsigned-ixfr": {"qtype": "IXFR"},
        "other-key-for-addr": {"key": KEY512, "secret": SECRET512, "alg": "hmac-sha512"},
    }[case]
    for zone in (BL, DBL):
        wire, q = axfr_raw(port, zone, **kw)
        rcode, an, ns = header(wire)
        assert an == 0 and ns == 0, f"{case}: zone data in the reply"
        if case in ("wrong-secret", "unknown-key"):
            assert rcode == dns.rcode.NOTAUTH, dns.rcode.to_text(rcode)
            err = dns.tsig.PeerBadSignature if case == "wrong-secret" else dns.tsig.PeerBadKey
            with pytest.raises(err):
                dns.message.from_wire(wire, keyring=q.keyring, request_mac=q.mac)
        else:
            assert rcode in (dns.rcode.REFUSED, dns.rcode.NOTAUTH), dns.rcode.to_text(rcode)
    # and dnsxld still answers
    assert mirrors["srv"].q(f"2.0.0.127.{BL}", "A").answer


# --- rbldnsd on the export ----------------------------------------------------

def rbldnsd_allowed(qn, qt, a, b):
    """README "Differences from rbldnsd": dnsxld answers an empty
    non-terminal NOERROR/NODATA, rbldnsd NXDOMAIN; the RFC 5782 test
    points and the apex are dnsxld's own."""
    if a[0] == "NOERROR" and not a[1] and not a[2] and b[0] == "NXDOMAIN":
        return True
    q = qn.lower()
    if q.endswith(MULTI):
        return True                 # a bitmask zone is one A per list in rbldnsd (not served)
    return q in (BL, DBL) or q.startswith(("2.0.0.127.", "1.0.0.127.", "test.", "invalid.")) \
        or ".f.f.f.f.0.0.0.0" in q


def test_rbldnsd_serves_the_export(mirrors):
    srv, tmp = mirrors["srv"], mirrors["tmp"]
    d = os.path.join(tmp, "rbldnsd")
    os.mkdir(d)
    os.chmod(d, 0o755)
    files = {}
    for zone in (BL, DBL):
        files[zone] = os.path.join(d, f"{zone}.combined")
        srv.admin("export", zone, "--format", "rbldnsd", "-o", files[zone])
        assert os.stat(files[zone]).st_mode & 0o777 == 0o644
    rbl = start_rbldnsd(d, files)
    try:
        bad = differential(mirrors["queries"], srv.port, rbl.port, "rbldnsd",
                           allowed=rbldnsd_allowed)
    finally:
        rbl.stop()
    assert not bad, f"{len(bad)} answers differ:\n" + "\n".join(bad[:20])


# --- publish -> rsync -> sync ----------------------------------------------------

def minisign_encrypted(d, password):
    pub, sec = os.path.join(d, "pub.key"), os.path.join(d, "sec.key")
    p = subprocess.run(["minisign", "-G", "-p", pub, "-s", sec], input=f"{password}\n{password}\n",
                       capture_output=True, text=True, timeout=DEADLINE * 4)
    assert p.returncode == 0, p.stderr
    return pub, sec


def test_publish_rsync_sync_same_answers(mirrors):
    srv, tmp = mirrors["srv"], mirrors["tmp"]
    d = os.path.join(tmp, "publish")
    pubdir, mirror_dir = os.path.join(d, "out"), os.path.join(d, "mirror")
    os.makedirs(pubdir)
    os.makedirs(mirror_dir)
    pub, sec = minisign_encrypted(d, "publish password")
    env = dict(os.environ, DNSXL_MINISIGN_PASSWORD="publish password")
    for zone in (BL, DBL, MULTI):
        p = subprocess.run([srv_loader(), "-c", srv.conf, "publish", zone, pubdir, "--seckey", sec],
                           env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        f = os.path.join(pubdir, f"{zone}.combined")
        v = subprocess.run(["minisign", "-V", "-p", pub, "-m", f], capture_output=True, text=True)
        assert v.returncode == 0 and "Signature and comment signature verified" in v.stdout, v
        assert f"file:{zone}.combined" in v.stdout
    # nothing else left in DIR (no temporary files)
    assert sorted(os.listdir(pubdir)) == sorted(
        f"{z}.combined{s}" for z in (BL, DBL, MULTI) for s in ("", ".minisig"))
    # a wrong password, none at all: refused, the published files untouched
    before = {n: open(os.path.join(pubdir, n), "rb").read() for n in os.listdir(pubdir)}
    for e, want in ((dict(env, DNSXL_MINISIGN_PASSWORD="wrong"), "wrong password"),
                    ({k: v for k, v in env.items() if k != "DNSXL_MINISIGN_PASSWORD"},
                     "DNSXL_MINISIGN_PASSWORD")):
        p = subprocess.run([srv_loader(), "-c", srv.conf, "publish", BL, pubdir, "--seckey", sec],
                           env=e, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert p.returncode == 1 and want in p.stderr, p.stderr
    assert {n: open(os.path.join(pubdir, n), "rb").read() for n in os.listdir(pubdir)} == before

    # the mirror: rsync the directory, then sync each list from it (rsync again, checked)
    run_tool(["rsync", "-a", pubdir + "/", mirror_dir + "/"])
    mdir = os.path.join(d, "store2")
    os.mkdir(mdir)
    m = Server(mdir, config_fn=lambda port, db: primary_config(port, db, transfers=False))
    for target, zone in ((f"{BL}/spam", BL), (f"{BL}/manual", BL), (f"{DBL}/names", DBL),
                         (f"{MULTI}/a", MULTI), (f"{MULTI}/b", MULTI), (f"{MULTI}/c", MULTI)):
        p = m.loader("sync", target, os.path.join(mirror_dir, f"{zone}.combined"), "--pubkey", pub,
                     "--force")
        assert "signature verified" in p.stdout, p.stdout
    m.start()
    try:
        bad = differential(mirrors["queries"], srv.port, m.port, "mirror", exact=True)
    finally:
        rc = m.stop()
    assert rc == 0
    assert not bad, f"{len(bad)} answers differ:\n" + "\n".join(bad[:20])


def srv_loader():
    from conftest import LOADER
    return LOADER


# --- export ------------------------------------------------------------------------

def test_export_zone_is_what_axfr_sends(mirrors):
    """export --format zone is the master file of the records a transfer
    sends: the same RRs (dnspython reads both), SOA first; -o replaces the
    file atomically; whole zones only; a directory that does not exist is
    an error naming it, and nothing is written."""
    import dns.zone
    srv, tmp = mirrors["srv"], mirrors["tmp"]
    kr = dns.tsigkeyring.from_text({KEY: SECRET})
    d = os.path.join(tmp, "export")
    os.mkdir(d)
    for zone in (BL, DBL):
        path = os.path.join(d, f"{zone}.zone")
        with open(path, "w") as f:
            f.write("old content\n")
        srv.admin("export", zone, "--format", "zone", "-o", path)
        assert sorted(os.listdir(d))[-1] == f"{zone}.zone" and \
            not [n for n in os.listdir(d) if n.startswith(".")]
        assert os.stat(path).st_mode & 0o777 == 0o644
        text = open(path).read()
        assert text == srv.admin("export", zone, "--format", "zone").stdout
        z = dns.zone.from_text(text, origin=zone + ".", relativize=False, check_origin=True)
        from_file = sorted(rr.to_text() for name, node in z.nodes.items()
                           for rds in node.rdatasets for rr in [dns.rrset.from_rdata_list(
                               name, rds.ttl, list(rds))])
        got = list(dns.query.xfr("127.0.0.1", zone, port=srv.port, keyring=kr, keyname=KEY,
                                 keyalgorithm="hmac-sha256", timeout=DEADLINE,
                                 lifetime=DEADLINE * 4, relativize=False))
        rrsets = {}
        for m in got:
            for rrs in m.answer:
                rrsets.setdefault((rrs.name, rrs.rdtype), dns.rrset.RRset(rrs.name, rrs.rdclass,
                                                                           rrs.rdtype)).union_update(rrs)
        from_axfr = sorted(r.to_text() for r in rrsets.values())
        assert len(from_axfr) > 100
        assert from_file == from_axfr
    p = srv.admin("export", f"{BL}/spam", "--format", "zone", check=False)
    assert p.returncode == 1 and "whole zone" in p.stderr
    missing = os.path.join(d, "no-such-dir", "x.zone")
    p = srv.admin("export", BL, "-o", missing, check=False)
    assert p.returncode == 2 and missing in p.stderr, p.stderr
    assert not os.path.exists(os.path.dirname(missing))
    p = srv.loader("publish", BL, os.path.join(d, "no-such-dir"), "--seckey", "/nonexistent",
                   check=False)
    assert p.returncode == 1 and "no-such-dir" in p.stderr, p.stderr


def test_publish_asks_the_password_on_a_terminal(mirrors):
    """Without DNSXL_MINISIGN_PASSWORD, on a terminal: the prompt, the
    password typed with echo off, a signature minisign verifies."""
    import pty
    srv, tmp = mirrors["srv"], mirrors["tmp"]
    d = os.path.join(tmp, "tty")
    out_dir = os.path.join(d, "out")
    os.makedirs(out_dir)
    pub, sec = minisign_encrypted(d, "typed secret")
    env = {k: v for k, v in os.environ.items() if k != "DNSXL_MINISIGN_PASSWORD"}
    pid, master = pty.fork()
    if pid == 0:
        os.execve(srv_loader(), [srv_loader(), "-c", srv.conf, "publish", DBL, out_dir,
                                 "--seckey", sec], env)
    seen = b""

    def read_some():
        nonlocal seen
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return None
        seen += chunk
        return chunk
    while b"Password" not in seen:
        assert read_some(), f"no password prompt: {seen!r}"
    os.write(master, b"typed secret\n")
    while read_some():
        pass
    os.close(master)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert b"typed secret" not in seen, "the password was echoed"
    v = subprocess.run(["minisign", "-V", "-p", pub, "-m", os.path.join(out_dir, f"{DBL}.combined")],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stderr


# --- a transfer's bound on its whole duration -----------------------------------

def slow_config(port, dbdir):
    return f"""\
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 1

[zone {BL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
ns   = ns1.example.org.
txt  = {SPAM_TXT}
allow-transfer = 127.0.0.1

[list {BL}/spam]
code = 127.0.0.2
"""


def axfr_until_eof(port):
    """An AXFR over TCP read to the end of the connection: the messages."""
    w = dns.message.make_query(BL, "AXFR").to_wire()
    msgs = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(DEADLINE)
        s.connect(("127.0.0.1", port))
        s.sendall(struct.pack("!H", len(w)) + w)
        buf = b""
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            buf += c
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                msgs.append(dns.message.from_wire(buf[2:2 + n], one_rr_per_rrset=True))
                buf = buf[2 + n:]
            if msgs and sum(1 for m in msgs for rr in m.answer
                            if rr.rdtype == dns.rdatatype.SOA) == 2:
                break                       # the whole zone: SOA first and last
    return msgs


def test_a_transfer_is_closed_after_its_time(tmp_path, monkeypatch):
    """A transfer holds its read txn (the snapshot the store cannot reuse)
    while it runs; one still running after DX_XFR_TIME_MAX (dnsxld(8)
    "Requests") is closed after its next message, however often the client
    reads. DNSXL_TEST_XFR_TIME=0 makes every transfer overdue at its first
    message: the client gets no more than the two messages queued then, not
    the whole zone, and dnsxld serves on. Without it the same zone comes
    whole, in more messages than that."""
    with open(tmp_path / "ips", "w") as f:
        for i in range(20000):
            f.write(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
    srv = Server(str(tmp_path), config_fn=slow_config)
    srv.loader("import", f"{BL}/spam", str(tmp_path / "ips"), "--format", "plain")
    try:
        srv.start()
        whole = axfr_until_eof(srv.port)
        soas = [rr for m in whole for rr in m.answer if rr.rdtype == dns.rdatatype.SOA]
        assert len(soas) == 2 and len(whole) > 3, len(whole)
        srv.stop()
        monkeypatch.setenv("DNSXL_TEST_XFR_TIME", "0")
        srv.start()
        cut = axfr_until_eof(srv.port)
        soas = [rr for m in cut for rr in m.answer if rr.rdtype == dns.rdatatype.SOA]
        assert len(cut) <= 2 and len(soas) == 1, (len(cut), len(soas))
        srv.wait_log(f"AXFR {BL} to 127.0.0.1 ended: still running after 0 s")
        assert srv.q(f"1.0.0.10.{BL}", "A").answer
    finally:
        rc = srv.stop()
        report = srv.sanitizer_report()
    assert rc == 0, srv.stderr_text()[-3000:]
    assert not report, srv.stderr_text()[-6000:]
