#!/usr/bin/python3
"""Seeded benchmark data for bench/run.sh (stdlib only).

Writes, into OUTDIR:
  list.txt       plain list for `dnsxl-loader import ZONE/LIST list.txt --replace`:
                 one key per line, a bare address for a /32, CIDR otherwise
  rbldnsd.ip4set the same entries as an rbldnsd ip4set file: $SOA/$NS lines,
                 a default `:127.0.0.2:TEXT` line, then one entry per line
  queries.txt    dnsperf input, `99.2.0.192.bl.example.org A` lines
  expect.txt     per query line: `QNAME QTYPE listed|unlisted`, for the sanity
                 check in run.sh
  params.txt     the parameters used (run.sh reuses data when they match)

The data: ENTRIES distinct, non-overlapping IPv4 entries, RANGE_FRACTION of
them CIDR ranges /16../24 (at most one range per /16), the rest /32
addresses. No entry touches the ranges that dnsxl.conf(5) says can never be
listed (private, loopback, CGNAT, link-local, multicast, reserved).

The queries: QUERIES lines in random order, half for addresses inside the
data (a listed /32, or a random address inside a listed range), half for
random unlisted public addresses. TXT_FRACTION of the queries (default 10%,
chosen at random, independently of listed/unlisted) ask for TXT, the rest
for A.
"""

import argparse
import bisect
import ipaddress
import os
import random
import sys

DEFAULT_SEED = 20261122
ZONE = "bl.example.org"
TXT = "Listed - see https://example.org/lookup?q=$"

# The never-list IPv4 ranges of dnsxl.conf(5) (zones/key.c).
NEVER = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4",
    "240.0.0.0/4",
]
NEVER_NETS = [ipaddress.ip_network(n) for n in NEVER]
NEVER_IV = sorted((int(n.network_address), int(n.broadcast_address)) for n in NEVER_NETS)
NEVER_STARTS = [s for s, _ in NEVER_IV]


def in_never(a):
    i = bisect.bisect_right(NEVER_STARTS, a) - 1
    return i >= 0 and a <= NEVER_IV[i][1]


def ntoa(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def qname(a):
    return "%d.%d.%d.%d.%s" % (a & 255, (a >> 8) & 255, (a >> 16) & 255, a >> 24, ZONE)


def generate(n_entries, range_fraction, rng):
    """Return (ranges, singles): ranges = sorted [(start, end, plen)], singles = list of ints."""
    n_ranges = int(n_entries * range_fraction)
    # Candidate /16 blocks wholly outside the never-list ranges.
    blocks = [b for b in range(65536) if not in_never(b << 16) and not in_never((b << 16) | 0xFFFF)]
    if n_ranges > len(blocks):
        sys.exit("gen.py: too many ranges (%d) for %d usable /16 blocks" % (n_ranges, len(blocks)))
    ranges = []
    for b in rng.sample(blocks, n_ranges):
        plen = rng.randint(16, 24)
        size = 1 << (32 - plen)
        start = (b << 16) + rng.randrange(0, 65536 // size) * size
        ranges.append((start, start + size - 1, plen))
    ranges.sort()
    r_starts = [r[0] for r in ranges]

    def in_ranges(a):
        i = bisect.bisect_right(r_starts, a) - 1
        return i >= 0 and a <= ranges[i][1]

    singles = []
    seen = set()
    want = n_entries - n_ranges
    while len(singles) < want:
        a = rng.getrandbits(32)
        if a in seen or in_never(a) or in_ranges(a):
            continue
        seen.add(a)
        singles.append(a)
    return ranges, singles, in_ranges, seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    ap.add_argument("--entries", type=int, default=1000000, help="entries in the list (default %(default)s)")
    ap.add_argument("--range-fraction", type=float, default=0.01,
                    help="fraction of entries that are /16../24 ranges (default %(default)s)")
    ap.add_argument("--queries", type=int, default=200000, help="query lines (default %(default)s)")
    ap.add_argument("--txt-fraction", type=float, default=0.1,
                    help="fraction of queries asking for TXT instead of A (default %(default)s)")
    args = ap.parse_args()
    if args.entries < 2 or args.queries < 2:
        sys.exit("gen.py: --entries and --queries must be at least 2")
    if not 0 <= args.range_fraction <= 1 or not 0 <= args.txt_fraction <= 1:
        sys.exit("gen.py: fractions must be within 0..1")

    rng = random.Random(args.seed)
    ranges, singles, in_ranges, seen = generate(args.entries, args.range_fraction, rng)

    # Entries in random order (neither program gets pre-sorted input).
    entries = [(a, 32) for a in singles] + [(s, p) for s, _, p in ranges]
    rng.shuffle(entries)
    keys = [ntoa(a) if p == 32 else "%s/%d" % (ntoa(a), p) for a, p in entries]

    os.makedirs(args.outdir, exist_ok=True)

    def write(name, lines):
        tmp = os.path.join(args.outdir, name + ".tmp")
        with open(tmp, "w") as f:
            for line in lines:
                f.write(line)
                f.write("\n")
        os.replace(tmp, os.path.join(args.outdir, name))

    write("list.txt", keys)
    write("rbldnsd.ip4set", [
        "$SOA 300 ns1.example.org. hostmaster.example.org. 1 3600 600 604800 300",
        "$NS 300 ns1.example.org.",
        ":127.0.0.2:" + TXT,
    ] + keys)

    queries, expect = [], []
    n_listed = args.queries // 2
    for i in range(args.queries):
        if i < n_listed:
            a, p = entries[rng.randrange(len(entries))]
            if p != 32:
                a += rng.randrange(1 << (32 - p))
            state = "listed"
        else:
            while True:
                a = rng.getrandbits(32)
                if a not in seen and not in_never(a) and not in_ranges(a):
                    break
            state = "unlisted"
        qtype = "TXT" if rng.random() < args.txt_fraction else "A"
        queries.append((qname(a), qtype, state))
    rng.shuffle(queries)
    write("queries.txt", ["%s %s" % (q, t) for q, t, _ in queries])
    write("expect.txt", ["%s %s %s" % q for q in queries])
    write("params.txt", ["seed=%d entries=%d range_fraction=%g queries=%d txt_fraction=%g" % (
        args.seed, args.entries, args.range_fraction, args.queries, args.txt_fraction)])
    print("gen.py: %d entries (%d ranges, %d addresses), %d queries (%d listed), seed %d -> %s" % (
        len(entries), len(ranges), len(singles), len(queries), n_listed, args.seed, args.outdir))


if __name__ == "__main__":
    main()
