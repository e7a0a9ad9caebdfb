"""TCP (RFC 7766, STANDARDS.md section 4) and IPv6 transport."""
import socket
import struct
import time

import dns.flags
import dns.message
import dns.rcode

from conftest import BL, TCP_IDLE, a_set, rev4, tcp_read_msg, txt_set

LISTED = f"{rev4('192.0.2.99')}.{BL}"


def framed(m):
    w = m.to_wire()
    return struct.pack("!H", len(w)) + w


def test_tcp_basic_query(srv):
    r = srv.q(LISTED, "A", tcp=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]


def test_tcp_pipelined_queries_in_one_send(srv):
    names = [(f"{rev4(ip)}.{BL}", t) for ip in ("192.0.2.99", "192.0.2.50", "192.0.2.98", "198.51.100.5")
             for t in ("A", "TXT")] + [(BL, "SOA"), ("example.com", "A")]
    msgs = {}
    buf = b""
    for i, (n, t) in enumerate(names):
        m = dns.message.make_query(n, t)
        m.id = 1000 + i
        msgs[m.id] = m
        buf += framed(m)
    with srv.tcp_connect() as s:
        s.sendall(buf)
        got = {}
        for _ in msgs:
            w = tcp_read_msg(s)
            r = dns.message.from_wire(w)
            assert r.id in msgs and r.id not in got
            got[r.id] = r
    assert set(got) == set(msgs)
    for qid, r in got.items():
        # each reply matches its own query, and the same query over UDP gives the same answer
        m = msgs[qid]
        assert r.question[0].name == m.question[0].name and r.question[0].rdtype == m.question[0].rdtype
        u = srv.send(dns.message.make_query(m.question[0].name, m.question[0].rdtype))
        assert r.rcode() == u.rcode()
        assert sorted(map(str, r.answer)) == sorted(map(str, u.answer))


def test_tcp_length_prefix_split_across_sends(srv):
    m = dns.message.make_query(LISTED, "A")
    f = framed(m)
    with srv.tcp_connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(f[:1])
        time.sleep(0.15)
        s.sendall(f[1:7])
        time.sleep(0.15)
        s.sendall(f[7:])
        r = dns.message.from_wire(tcp_read_msg(s))
        assert r.id == m.id
        assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
        # the connection stays open for another query
        m2 = dns.message.make_query(f"{rev4('192.0.2.50')}.{BL}", "TXT")
        s.sendall(framed(m2))
        r2 = dns.message.from_wire(tcp_read_msg(s))
        assert r2.id == m2.id
        assert len(txt_set(r2)) == 1


def test_tcp_query_then_second_query_split_with_first(srv):
    m1 = dns.message.make_query(LISTED, "A")
    m2 = dns.message.make_query(BL, "SOA")
    f = framed(m1) + framed(m2)
    cut = len(framed(m1)) + 1     # the second length prefix is split
    with srv.tcp_connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(f[:cut])
        time.sleep(0.15)
        s.sendall(f[cut:])
        ids = {dns.message.from_wire(tcp_read_msg(s)).id for _ in range(2)}
    assert ids == {m1.id, m2.id}


def test_tcp_idle_timeout_closes_connection(srv):
    with srv.tcp_connect(timeout=TCP_IDLE + 6) as s:
        m = dns.message.make_query(LISTED, "A")
        s.sendall(framed(m))
        assert dns.message.from_wire(tcp_read_msg(s)).id == m.id
        t0 = time.monotonic()
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""
        elapsed = time.monotonic() - t0
    assert data == b"", "server sent data on an idle connection"
    assert elapsed < TCP_IDLE + 4, f"idle connection closed after {elapsed:.1f}s (timeout {TCP_IDLE}s)"
    assert elapsed > TCP_IDLE * 0.5, f"closed after {elapsed:.1f}s, much sooner than the idle timeout"


def test_tcp_idle_connection_without_query_closed(srv):
    with srv.tcp_connect(timeout=TCP_IDLE + 6) as s:
        t0 = time.monotonic()
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""
        assert data == b""
        assert time.monotonic() - t0 < TCP_IDLE + 4


def test_idle_connections_do_not_starve_new_clients(srv):
    idle = [srv.tcp_connect() for _ in range(20)]
    try:
        r = srv.q(LISTED, "A", tcp=True)
        assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    finally:
        for s in idle:
            s.close()


def test_ipv6_transport_udp(srv):
    r = srv.q(LISTED, "A", v6=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    r = srv.q(f"{rev4('192.0.2.98')}.{BL}", "A", v6=True)
    assert r.rcode() == dns.rcode.NXDOMAIN


def test_ipv6_transport_tcp(srv):
    r = srv.q(LISTED, "TXT", tcp=True, v6=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert len(txt_set(r)) == 2
    with srv.tcp_connect(v6=True) as s:
        m1 = dns.message.make_query(LISTED, "A")
        m2 = dns.message.make_query(BL, "NS")
        s.sendall(framed(m1) + framed(m2))
        ids = {dns.message.from_wire(tcp_read_msg(s)).id for _ in range(2)}
    assert ids == {m1.id, m2.id}


def test_zone_transfer_refused(srv):
    # AXFR/IXFR are not served yet: REFUSED (STANDARDS.md 8.1: refuse unless allowed), no zone data
    for t in ("AXFR", "IXFR"):
        m = dns.message.make_query(BL, t)
        with srv.tcp_connect() as s:
            s.sendall(framed(m))
            w = tcp_read_msg(s)
        r = dns.message.from_wire(w)
        assert r.id == m.id
        assert r.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTIMP), dns.rcode.to_text(r.rcode())
        assert r.answer == []
        r = srv.q(BL, t)           # over UDP as well
        assert r.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTIMP, dns.rcode.FORMERR)
        assert r.answer == []
