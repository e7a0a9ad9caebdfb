"""EDNS(0) (RFC 6891) and truncation (RFC 1035 4.2.1, RFC 2181 9, RFC 7766 8)."""
import struct

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from conftest import BIG_KEY, BIG_TXT, BL, a_set, header, parse_rrs, rcode_of, rev4, txt_set

LISTED = f"{rev4('192.0.2.99')}.{BL}"
BIG = f"{rev4(BIG_KEY)}.{BL}"


def count_opt(wire):
    """Number of OPT RRs (parsed by hand, so that two are counted, not rejected)."""
    rrs = parse_rrs(wire)
    assert all(sec == 2 for sec, t, _, _ in rrs if t == dns.rdatatype.OPT), "OPT outside the additional section"
    return sum(1 for _, t, _, _ in rrs if t == dns.rdatatype.OPT)


def raw(srv, m, **kw):
    resp = srv.raw_udp(m.to_wire(), **kw)
    assert resp is not None
    return resp


def test_no_opt_in_reply_without_edns(srv):
    for name, t in ((LISTED, "A"), (f"{rev4('192.0.2.98')}.{BL}", "A"), (BL, "SOA"), ("example.com", "A")):
        m = dns.message.make_query(name, t, use_edns=False)
        assert count_opt(raw(srv, m)) == 0, name


def test_exactly_one_opt_when_sent(srv):
    for name, t in ((LISTED, "A"), (f"{rev4('192.0.2.98')}.{BL}", "A"), (BL, "SOA"), ("example.com", "A"),
                    (LISTED, "CAA")):
        m = dns.message.make_query(name, t, use_edns=0, payload=1232)
        w = raw(srv, m)
        assert count_opt(w) == 1, name
        r = dns.message.from_wire(w)
        assert r.edns == 0


def test_do_bit_copied(srv):
    r = srv.q(LISTED, "A", use_edns=0, want_dnssec=True)
    assert r.edns == 0
    assert r.ednsflags & dns.flags.DO
    r = srv.q(LISTED, "A", use_edns=0, want_dnssec=False)
    assert r.edns == 0
    assert not r.ednsflags & dns.flags.DO


def with_edns_version(m, version):
    """Wire form of m (made with use_edns=0 and no options) with the OPT VERSION set."""
    w = bytearray(m.to_wire())
    assert w[-11] == 0 and struct.unpack_from("!H", w, len(w) - 10)[0] == dns.rdatatype.OPT
    w[-5] = version            # TTL = ext-rcode(1) version(1) flags(2), then rdlen(2)
    return bytes(w)


def test_edns_version_1_badvers(srv):
    for version in (1, 255):
        m = dns.message.make_query(LISTED, "A", use_edns=0, payload=1232)
        w = srv.raw_udp(with_edns_version(m, version))
        assert w is not None
        assert count_opt(w) == 1
        r = dns.message.from_wire(w)
        assert r.rcode() == dns.rcode.BADVERS, dns.rcode.to_text(r.rcode())
        assert r.edns == 0, "BADVERS reply carries our highest version, 0"
        assert r.answer == []
        assert r.id == m.id


def test_unknown_edns_option_ignored(srv):
    opt = dns.edns.GenericOption(65001, b"hello")
    r = srv.q(LISTED, "A", use_edns=0, options=[opt])
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]


def test_two_opts_formerr(srv):
    m = dns.message.make_query(LISTED, "A", use_edns=0, payload=1232)
    w = bytearray(m.to_wire())
    opt_rr = bytes(w[-11:])            # root, OPT, class, ttl, rdlen 0
    assert opt_rr[0] == 0 and struct.unpack("!H", opt_rr[1:3])[0] == dns.rdatatype.OPT
    w += opt_rr
    struct.pack_into("!H", w, 10, 2)
    resp = srv.raw_udp(bytes(w))
    assert resp is not None, "two OPTs must get FORMERR, not silence"
    assert header(resp)[0] == m.id
    assert rcode_of(resp) == dns.rcode.FORMERR
    assert header(resp)[3] == 0


def test_opt_not_at_root_formerr(srv):
    m = dns.message.make_query(LISTED, "A", use_edns=0, payload=1232)
    w = bytearray(m.to_wire())
    # replace the root owner of the OPT with "a."
    w = w[:-11] + b"\x01a\x00" + w[-10:]
    resp = srv.raw_udp(bytes(w))
    assert resp is not None
    assert rcode_of(resp) == dns.rcode.FORMERR


def test_tc_over_udp_without_edns_when_answer_does_not_fit(srv):
    m = dns.message.make_query(BIG, "TXT", use_edns=False)
    w = raw(srv, m)
    assert len(w) <= 512
    r = dns.message.from_wire(w)
    assert r.flags & dns.flags.TC, f"{len(w)}-byte reply without TC; RRs must not be dropped silently"
    assert r.id == m.id


def test_same_query_over_tcp_is_complete(srv):
    r = srv.q(BIG, "TXT", tcp=True)
    assert not r.flags & dns.flags.TC
    assert r.rcode() == dns.rcode.NOERROR
    assert txt_set(r) == sorted(BIG_TXT.values())


def test_big_answer_fits_with_large_edns_payload(srv):
    r = srv.q(BIG, "TXT", use_edns=0, payload=4096)
    assert not r.flags & dns.flags.TC
    assert txt_set(r) == sorted(BIG_TXT.values())


def test_small_answer_for_big_key_no_tc(srv):
    r = srv.q(BIG, "A", use_edns=False)
    assert not r.flags & dns.flags.TC
    assert a_set(r) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


def test_payload_below_512_treated_as_512(srv):
    for payload in (0, 100, 511, 512):
        m = dns.message.make_query(BIG, "TXT", use_edns=0, payload=payload)
        w = raw(srv, m)
        assert len(w) <= 512, (payload, len(w))
        r = dns.message.from_wire(w)
        assert r.flags & dns.flags.TC, payload
        assert r.edns == 0, "OPT present in the truncated reply"
    # payload 100 but a small answer: the reply may be up to 512, must not be cut to 100
    m = dns.message.make_query(LISTED, "TXT", use_edns=0, payload=100)
    w = raw(srv, m)
    assert len(w) > 100
    r = dns.message.from_wire(w)
    assert not r.flags & dns.flags.TC
    assert len(txt_set(r)) == 2


def test_reply_never_exceeds_requested_payload(srv):
    for payload in (600, 700):
        m = dns.message.make_query(BIG, "TXT", use_edns=0, payload=payload)
        w = raw(srv, m)
        assert len(w) <= payload
        r = dns.message.from_wire(w)
        if not r.flags & dns.flags.TC:
            assert txt_set(r) == sorted(BIG_TXT.values())


def test_any_over_udp_without_edns_big_key_tc_or_fits(srv):
    m = dns.message.make_query(BIG, "ANY", use_edns=False)
    w = raw(srv, m)
    assert len(w) <= 512
    r = dns.message.from_wire(w)
    # three A plus three long TXT cannot fit: TC, or (RFC 8482) a non-empty subset
    assert r.flags & dns.flags.TC or len(r.answer) > 0


def test_tcp_with_edns_payload_512_gets_full_answer_and_opt(srv):
    # the UDP payload size does not limit TCP replies
    r = srv.q(BIG, "TXT", tcp=True, use_edns=0, payload=512)
    assert not r.flags & dns.flags.TC
    assert r.edns == 0
    assert txt_set(r) == sorted(BIG_TXT.values())
