"""UDP batches (dnsxld(8) "UDP"): a worker reads up to 64 datagrams per
recvmmsg and sends their replies with one sendmmsg to the addresses they
came from. Bursts larger than a batch, from several sockets at once, must
each get exactly their own replies; a datagram larger than a typical
buffer is still read whole. Every wait is bounded by DEADLINE and decided
by the replies themselves (all ids seen), never by a short timeout. Bursts
are sent in waves of WAVE datagrams: more could overflow a receive buffer
the kernel caps at net.core.rmem_max when dnsxld does not run as root."""
import socket
import struct

import dns.message
import dns.rcode

from conftest import BL, DEADLINE, a_set, rev4

LISTED = f"{rev4('192.0.2.99')}.{BL}"          # seeded: in two lists
UNLISTED = f"{rev4('192.0.2.98')}.{BL}"
WAVE = 150                                     # more than two batches of 64


def query(qid, listed):
    m = dns.message.make_query(LISTED if listed else UNLISTED, "A", use_edns=False)
    m.id = qid
    return m.to_wire()


def collect(s, want):
    """Replies on s until every id in want was seen once; {id: reply}."""
    got = {}
    while len(got) < len(want):
        try:
            data = s.recv(65535)
        except socket.timeout:
            missing = sorted(set(want) - set(got))[:10]
            raise AssertionError(f"{len(want) - len(got)} of {len(want)} queries unanswered "
                                 f"after {DEADLINE:.0f} s (ids {missing}...)")
        qid = struct.unpack("!H", data[:2])[0]
        assert qid in want, f"a reply with id {qid} this socket never sent"
        assert qid not in got, f"two replies to id {qid}"
        got[qid] = dns.message.from_wire(data)
    return got


def check(srv, got):
    want = sorted(a_set(srv.q(LISTED)))             # as one query alone is answered
    assert want, "the seeded address is not listed"
    for qid, r in got.items():
        listed = qid % 2 == 0
        if listed:
            assert r.rcode() == dns.rcode.NOERROR, f"id {qid}: {dns.rcode.to_text(r.rcode())}"
            assert sorted(a_set(r)) == want, f"id {qid}: {a_set(r)}"
        else:
            assert r.rcode() == dns.rcode.NXDOMAIN, f"id {qid}: {dns.rcode.to_text(r.rcode())}"


def test_a_burst_of_many_batches_gets_every_reply_once(srv):
    with srv.udp_socket() as s:
        for start in range(1, 1001, WAVE):          # 1000 queries
            ids = range(start, min(start + WAVE, 1001))
            for qid in ids:
                s.send(query(qid, qid % 2 == 0))
            check(srv, collect(s, set(ids)))


def test_interleaved_sockets_each_get_their_own_replies(srv):
    socks = [srv.udp_socket() for _ in range(4)]
    try:
        for wave in range(3):
            want = [set() for _ in socks]
            for n in range(WAVE):                   # batches mixing the four sources
                k = n % len(socks)
                qid = 2000 + wave * WAVE + n
                socks[k].send(query(qid, qid % 2 == 0))
                want[k].add(qid)
            for s, w in zip(socks, want):
                check(srv, collect(s, w))
    finally:
        for s in socks:
            s.close()


def test_a_datagram_larger_than_4096_octets_is_read_whole(srv):
    # a query whose additional section carries 12 KiB of unknown RRs: read
    # whole (a truncated read would be dropped), it gets a reply with its id
    wire = bytearray(query(0x4242, True))
    struct.pack_into("!H", wire, 10, 1)             # ARCOUNT 1
    rdata = bytes(12000)
    wire += b"\x00" + struct.pack("!HHIH", 65280, 1, 0, len(rdata)) + rdata
    with srv.udp_socket() as s:
        s.send(bytes(wire))
        got = collect(s, {0x4242})
    assert got[0x4242].rcode() in (dns.rcode.NOERROR, dns.rcode.FORMERR)
