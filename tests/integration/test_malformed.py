"""Malformed input (RFC 1035 4.1.1, 4.1.4): FORMERR when the header can be
read, otherwise drop; never a crash; never answer QR=1. A seeded barrage
over UDP and TCP, then a normal query must still be answered correctly.
"No reply" is proved by a probe query after the packet on the same socket
(conftest Server.replies_to), never by a timeout."""
import random
import socket
import struct

import dns.exception
import dns.message
import dns.rcode

from conftest import BL, DEADLINE, a_set, header, rev4

LISTED = f"{rev4('192.0.2.99')}.{BL}"
SEED = 5782
N_UDP = 3000
SHORT_ID_BASE = 0xF000    # IDs of packets shorter than a header; never answered


def good_query(rng, name=LISTED):
    m = dns.message.make_query(name, rng.choice(["A", "TXT", "ANY", "SOA"]),
                               use_edns=rng.choice([False, 0]))
    return bytearray(m.to_wire())


def hdr(qid, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return bytearray(struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar))


QTAIL = struct.pack("!HH", 1, 1)

CATEGORIES = [
    "short", "header_only", "ptr_self", "ptr_label_loop", "ptr_mutual", "ptr_forward",
    "ptr_out_of_range", "bad_label_40", "bad_label_80", "oversize_name", "label_past_end",
    "no_qtype", "bad_counts", "opt_overrun", "random", "mutated",
]
STRICT = {"header_only", "ptr_self", "ptr_label_loop", "ptr_mutual", "ptr_forward",
          "ptr_out_of_range", "bad_label_40", "bad_label_80", "oversize_name",
          "label_past_end", "no_qtype", "bad_counts", "opt_overrun"}


def make_packet(rng, cat, qid):
    if cat == "short":
        n = rng.randrange(0, 12)
        b = bytearray(rng.getrandbits(8) for _ in range(n))
        if n >= 2:
            struct.pack_into("!H", b, 0, SHORT_ID_BASE + rng.randrange(0x1000))
        return bytes(b)
    if cat == "header_only":
        return bytes(hdr(qid, qd=rng.choice([0, 1, 2, 5])))
    if cat == "ptr_self":            # name at 12 is a pointer to 12
        return bytes(hdr(qid) + b"\xc0\x0c" + QTAIL)
    if cat == "ptr_label_loop":      # a. -> pointer back to 12: a.a.a.a...
        return bytes(hdr(qid) + b"\x01a\xc0\x0c" + QTAIL)
    if cat == "ptr_mutual":          # 12 -> 14 -> 12
        return bytes(hdr(qid) + b"\xc0\x0e\xc0\x0c" + QTAIL)
    if cat == "ptr_forward":         # pointer to a later offset (inside the packet)
        return bytes(hdr(qid) + b"\xc0\x12" + QTAIL + b"\x03bl\x00\x00")
    if cat == "ptr_out_of_range":
        off = rng.choice([0x3FFF, 0x200, 0x0100])
        return bytes(hdr(qid) + struct.pack("!H", 0xC000 | off) + QTAIL)
    if cat == "bad_label_40":
        return bytes(hdr(qid) + bytes([0x40 | rng.randrange(0x40)]) + b"abc\x00" + QTAIL)
    if cat == "bad_label_80":
        return bytes(hdr(qid) + bytes([0x80 | rng.randrange(0x40)]) + b"abc\x00" + QTAIL)
    if cat == "oversize_name":
        labels = b"".join(b"\x3f" + b"x" * 63 for _ in range(rng.choice([4, 5, 8])))
        return bytes(hdr(qid) + labels + b"\x02bl\x00" + QTAIL)
    if cat == "label_past_end":      # label length runs off the end of the packet
        return bytes(hdr(qid) + b"\x3fabc")
    if cat == "no_qtype":
        w = good_query(rng)
        qend = 12 + len(LISTED) + 2   # name only, without qtype/qclass
        w = w[:qend - rng.randrange(0, 2)] if rng.random() < 0.5 else w[:qend + rng.randrange(1, 4)]
        struct.pack_into("!HH", w, 0, qid, 0x0100)
        struct.pack_into("!HHH", w, 6, 0, 0, 0)
        return bytes(w)
    if cat == "bad_counts":
        w = good_query(rng)
        struct.pack_into("!H", w, 0, qid)
        field = rng.choice([4, 6, 8, 10])
        # more records announced than present (QDCOUNT>1 alone is FORMERR too)
        struct.pack_into("!H", w, field, rng.choice([0xFFFF, 7, 3]))
        return bytes(w)
    if cat == "opt_overrun":         # OPT whose RDLENGTH runs past the end
        m = dns.message.make_query(LISTED, "A", use_edns=0)
        m.id = qid
        w = bytearray(m.to_wire())
        struct.pack_into("!H", w, len(w) - 2, rng.choice([4, 100, 0xFFFF]))
        return bytes(w)
    if cat == "random":
        n = rng.randrange(12, 600)
        b = bytearray(rng.getrandbits(8) for _ in range(n))
        struct.pack_into("!H", b, 0, qid)
        return bytes(b)
    if cat == "mutated":
        w = good_query(rng)
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(2, len(w))
            w[i] = rng.getrandbits(8)
        struct.pack_into("!H", w, 0, qid)
        return bytes(w)
    raise AssertionError(cat)


def gen(rng, n):
    out = []
    for i in range(n):
        cat = CATEGORIES[i % len(CATEGORIES)] if i < 2 * len(CATEGORIES) else rng.choice(CATEGORIES)
        out.append((cat, make_packet(rng, cat, i)))
    return out


def check_reply(resp, sent):
    assert len(resp) >= 12, f"{len(resp)}-byte reply"
    qid, flags = struct.unpack_from("!HH", resp)
    assert qid < SHORT_ID_BASE, f"reply to a packet shorter than a DNS header (id {qid:#x})"
    assert qid in sent, f"reply with an id we never sent: {qid}"
    cat, pkt = sent[qid]
    assert flags & 0x8000, f"reply without QR ({cat})"
    assert not pkt[2] & 0x80, f"answered a QR=1 message ({cat}): {pkt.hex()}"
    if cat in STRICT:
        assert flags & 0xF == dns.rcode.FORMERR, \
            f"{cat}: rcode {flags & 0xF}, expected FORMERR or no reply; packet {pkt.hex()}"
        assert header(resp)[3] == 0, f"{cat}: answers in a FORMERR"
    if (flags >> 11) & 0xF not in (0, 1, 2, 4, 5):
        return                 # dnspython cannot represent unassigned opcodes
    try:
        dns.message.from_wire(resp)
    except dns.exception.DNSException as e:
        raise AssertionError(f"{cat}: reply does not parse ({e}): {resp.hex()} to {pkt.hex()}")


def assert_still_serving(srv):
    assert srv.alive(), f"dnsxld died\n{srv.stderr_text()[-3000:]}"
    r = srv.q(LISTED, "A")
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    r = srv.q(LISTED, "A", tcp=True)
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]


def test_malformed_packets_with_readable_header_get_formerr(srv):
    rng = random.Random(SEED)
    for i, cat in enumerate(sorted(STRICT)):
        pkt = make_packet(rng, cat, 0x100 + i)
        got = srv.replies_to(pkt)
        # RFC 1035 4.1.1: the header can be read, so FORMERR (not silence)
        assert len(got) == 1, f"{cat}: {len(got)} replies, expected one FORMERR; packet {pkt.hex()}"
        check_reply(got[0], {0x100 + i: (cat, pkt)})
    for n in range(12):
        assert srv.replies_to(bytes(range(n))) == [], f"reply to a {n}-byte packet"
    assert_still_serving(srv)


def barrage(srv, pkts, v6=False, chunk=100):
    """Send pkts over one UDP socket, `chunk` at a time, each chunk followed
    by a probe query; return every reply (all of them: what arrives before
    a probe's reply answers that chunk)."""
    replies = []
    with srv.udp_socket(v6) as s:
        for start in range(0, len(pkts), chunk):
            for cat, p in pkts[start:start + chunk]:
                s.send(p)
            replies += srv.replies_before_probe(s)
    return replies


def test_udp_barrage_then_still_answers(srv):
    rng = random.Random(SEED + 1)
    pkts = gen(rng, N_UDP)
    sent = {i: p for i, p in enumerate(pkts)}
    replies = barrage(srv, pkts)
    for resp in replies:
        check_reply(resp, sent)
    # every packet whose header and question parse must be answered
    strict = sum(1 for cat, _ in pkts if cat in STRICT)
    assert len(replies) >= strict, f"{len(replies)} replies to 3000 packets, {strict} of them must get FORMERR"
    assert_still_serving(srv)


def test_udp_v6_barrage_then_still_answers(srv):
    rng = random.Random(SEED + 2)
    pkts = gen(rng, 300)
    sent = {i: p for i, p in enumerate(pkts)}
    for resp in barrage(srv, pkts, v6=True):
        check_reply(resp, sent)
    assert srv.q(LISTED, "A", v6=True).rcode() == dns.rcode.NOERROR
    assert_still_serving(srv)


def test_tcp_barrage_then_still_answers(srv):
    rng = random.Random(SEED + 3)
    pkts = gen(rng, 200)
    # framed malformed messages, several per connection; after our EOF the
    # server answers what it read and closes (a hang fails after DEADLINE)
    for start in range(0, len(pkts), 20):
        with srv.tcp_connect() as s:
            try:
                for cat, p in pkts[start:start + 20]:
                    s.sendall(struct.pack("!H", len(p)) + p)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65535):
                    pass
            except (ConnectionResetError, BrokenPipeError):
                pass
    # framing abuse: zero length, huge length with few bytes, half a prefix, pure garbage
    for junk in (b"\x00\x00", b"\xff\xff" + b"x" * 100, b"\x00", b"\x00\x05abc",
                 bytes(rng.getrandbits(8) for _ in range(3000))):
        with srv.tcp_connect() as s:
            try:
                s.sendall(junk)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65535):
                    pass
            except (ConnectionResetError, BrokenPipeError):
                pass
    # a connection that sends half a message and is abandoned while others go on
    hang = srv.tcp_connect()
    hang.sendall(b"\x00\x40" + b"\x12\x34")
    try:
        assert_still_serving(srv)
    finally:
        hang.close()
    assert_still_serving(srv)


def test_formerr_reply_over_tcp_keeps_framing(srv):
    rng = random.Random(SEED + 4)
    bad = make_packet(rng, "ptr_self", 0x0BAD)
    good = dns.message.make_query(LISTED, "A")
    with srv.tcp_connect() as s:
        s.sendall(struct.pack("!H", len(bad)) + bad + struct.pack("!H", len(good.to_wire())) + good.to_wire())
        got = []
        try:
            while True:
                n = s.recv(2)
                if len(n) < 2:
                    break
                (ln,) = struct.unpack("!H", n)
                buf = b""
                while len(buf) < ln:
                    c = s.recv(ln - len(buf))
                    if not c:
                        break
                    buf += c
                got.append(buf)
                if len(got) == 2:
                    break
        except ConnectionResetError:
            pass
    ids = [struct.unpack_from("!H", g)[0] for g in got]
    # the server may close after a malformed message; if it goes on, the good one is answered
    if len(got) == 2:
        assert set(ids) == {0x0BAD, good.id}
        for g in got:
            if struct.unpack_from("!H", g)[0] == 0x0BAD:
                assert g[3] & 0xF == dns.rcode.FORMERR
    elif got:
        assert ids[0] in (0x0BAD, good.id)
    assert_still_serving(srv)
