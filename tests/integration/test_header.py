"""Header rules (RFC 1035 4.1.1, RFC 3425, RFC 9619): ID, RD, RA, AA, OPCODE, QDCOUNT, QR, 0x20."""
import struct

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode

from conftest import BL, a_set, header, rcode_of, rev4

LISTED = f"{rev4('192.0.2.99')}.{BL}"


def wire_query(name=LISTED, rdtype="A", qid=0x1234, **kw):
    m = dns.message.make_query(name, rdtype, **kw)
    m.id = qid
    return bytearray(m.to_wire())


def set_flags(w, flags):
    struct.pack_into("!H", w, 2, flags)
    return w


def set_counts(w, qd=None, an=None, ns=None, ar=None):
    cur = list(struct.unpack_from("!HHHH", w, 4))
    for i, v in enumerate((qd, an, ns, ar)):
        if v is not None:
            cur[i] = v
    struct.pack_into("!HHHH", w, 4, *cur)
    return w


def test_id_copied(srv):
    for qid in (0, 1, 0x7FFF, 0xBEEF, 0xFFFF):
        resp = srv.raw_udp(bytes(wire_query(qid=qid)))
        assert resp is not None
        assert header(resp)[0] == qid


def test_rd_copied_ra_clear_aa_set(srv):
    for rd in (True, False):
        flags = dns.flags.RD if rd else 0
        r = srv.q(LISTED, "A", flags=flags)
        assert r.flags & dns.flags.QR
        assert bool(r.flags & dns.flags.RD) == rd
        assert not r.flags & dns.flags.RA
        assert r.flags & dns.flags.AA
        assert not r.flags & dns.flags.TC
        assert a_set(r) == ["127.0.0.2", "127.0.0.4"]


def test_ad_not_set_on_unsigned_zone(srv):
    r = srv.q(LISTED, "A")
    assert not r.flags & dns.flags.AD


def notimp_case(srv, opcode):
    w = wire_query(qid=0x4242)
    flags = (opcode << 11) | 0x0100  # RD
    set_flags(w, flags)
    resp = srv.raw_udp(bytes(w))
    assert resp is not None, f"no reply to opcode {opcode}"
    qid, rflags, qd, an, ns, ar = header(resp)
    assert qid == 0x4242
    assert rflags & 0x8000, "QR"
    assert (rflags >> 11) & 0xF == opcode, "OPCODE must be echoed"
    assert rflags & 0x0100, "RD copied"
    assert rflags & 0xF == dns.rcode.NOTIMP
    assert an == 0


def test_opcode_status_notimp_echoes_opcode(srv):
    notimp_case(srv, dns.opcode.STATUS)


def test_opcode_update_notimp_echoes_opcode(srv):
    notimp_case(srv, dns.opcode.UPDATE)


def test_opcode_iquery_notimp(srv):
    notimp_case(srv, dns.opcode.IQUERY)


def test_opcode_unassigned_notimp(srv):
    notimp_case(srv, 3)
    notimp_case(srv, 15)


def test_qdcount_zero_formerr(srv):
    w = wire_query(qid=0x1111)
    hdr = set_counts(bytearray(w[:12]), qd=0)
    resp = srv.raw_udp(bytes(hdr))
    assert resp is not None, "QDCOUNT=0 must get FORMERR, not silence"
    assert header(resp)[0] == 0x1111
    assert header(resp)[1] & 0x8000
    assert rcode_of(resp) == dns.rcode.FORMERR


def test_qdcount_two_formerr(srv):
    w = wire_query(qid=0x2222)
    q = bytes(w[12:])
    w2 = set_counts(bytearray(w[:12]), qd=2) + q + q
    resp = srv.raw_udp(bytes(w2))
    assert resp is not None, "QDCOUNT=2 must get FORMERR, not silence"
    assert header(resp)[0] == 0x2222
    assert rcode_of(resp) == dns.rcode.FORMERR
    assert header(resp)[3] == 0, "no answers on FORMERR"


def test_qdcount_says_two_but_one_present_formerr(srv):
    w = set_counts(wire_query(qid=0x2323), qd=2)
    resp = srv.raw_udp(bytes(w))
    assert resp is not None, "header readable: FORMERR, not silence"
    assert header(resp)[0] == 0x2323
    assert rcode_of(resp) == dns.rcode.FORMERR


def test_qr_set_gets_no_answer(srv):
    # "no reply" proved by a probe query sent right after on the same socket
    # (replies_to): the first reply to arrive is the probe's
    w = wire_query(qid=0x3333)
    set_flags(w, 0x8000 | 0x0100)
    assert srv.replies_to(bytes(w)) == []
    # also a QR=1 "response" with answers in it, over IPv4 and IPv6
    r = srv.q(LISTED, "A")
    r.id = 0x3334
    assert srv.replies_to(r.to_wire()) == []
    assert srv.replies_to(r.to_wire(), v6=True) == []
    # the same query with QR=0 is answered (the probe sees a reply when there is one)
    set_flags(w, 0x0100)
    got = srv.replies_to(bytes(w))
    assert len(got) == 1 and header(got[0])[0] == 0x3333, got
    # and the server still answers
    assert a_set(srv.q(LISTED, "A")) == ["127.0.0.2", "127.0.0.4"]


def test_question_case_preserved_0x20(srv):
    name = "99.2.0.192.Bl.ExAmPlE.oRg"
    w = wire_query(name=name, qid=0x5555)
    resp = srv.raw_udp(bytes(w))
    assert resp is not None
    qlen = len(w) - 12
    assert resp[12:12 + qlen] == bytes(w[12:]), "question must be echoed byte for byte"
    r = dns.message.from_wire(resp)
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    # the answer owner name matches the question (case-insensitively at least)
    assert r.answer[0].name == dns.name.from_text(name)


def test_question_case_preserved_on_nxdomain_and_refused(srv):
    for name in ("98.2.0.192.bL.eXaMpLe.OrG", "wWw.ExAmPlE.CoM"):
        w = wire_query(name=name)
        resp = srv.raw_udp(bytes(w))
        assert resp is not None
        assert resp[12:len(w)] == bytes(w[12:])


def test_question_case_preserved_over_tcp(srv):
    name = "99.2.0.192.BL.example.ORG"
    m = dns.message.make_query(name, "TXT")
    r = srv.send(m, tcp=True)
    assert r.question[0].name.to_text() == name + "."
    assert len(r.answer) >= 1

