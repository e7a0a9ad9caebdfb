"""TCP (RFC 7766, RFC 1035 4.2.2) and IPv6 transport.

Nothing here depends on timing: a message split across sends waits until
dnsxld has read the first piece (its socket's receive queue, not a sleep);
the idle timeout is checked as "an idle connection is closed" and "one in
use is not", not as a number of seconds."""
import fcntl
import select
import socket
import struct
import termios
import time

import dns.flags
import dns.message
import dns.rcode

from conftest import BL, TCP_IDLE, a_set, rev4, tcp_read_msg, txt_set, wait_until

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


def unacked(sock):
    """Bytes sent on sock that the peer's kernel has not acknowledged."""
    return struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, struct.pack("i", 0)))[0]


def server_unread(srv, sock):
    """Bytes of sock's connection waiting in dnsxld's socket, unread by
    dnsxld (the rx_queue of its end in /proc/net/tcp), or None if gone."""
    cport = sock.getsockname()[1]
    local, remote = f"0100007F:{srv.port:04X}", f"0100007F:{cport:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[4].split(":")[1], 16)
    return None


def send_and_wait_read(srv, sock, data):
    """Send data and wait until dnsxld has read it: acknowledged by its
    kernel (so in its receive queue), then that queue empty (dnsxld read
    it). So the next send is a separate read for the server, not a sleep's
    guess."""
    sock.sendall(data)
    wait_until(lambda: unacked(sock) == 0, "the server's kernel acknowledging the piece")
    wait_until(lambda: server_unread(srv, sock) == 0, "dnsxld reading the piece")


def test_tcp_length_prefix_split_across_sends(srv):
    m = dns.message.make_query(LISTED, "A")
    f = framed(m)
    with srv.tcp_connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        send_and_wait_read(srv, s, f[:1])
        send_and_wait_read(srv, s, f[1:7])
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
        send_and_wait_read(srv, s, f[:cut])
        s.sendall(f[cut:])
        ids = {dns.message.from_wire(tcp_read_msg(s)).id for _ in range(2)}
    assert ids == {m1.id, m2.id}


def closed_by_server(s):
    """Has the server closed s (readable, then EOF or reset)? It must not
    have sent anything on it."""
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        data = s.recv(1)
    except ConnectionResetError:
        return True
    assert data == b"", "server sent data on an idle connection"
    return True


def test_tcp_idle_timeout_closes_idle_connections_not_busy_ones(srv):
    """Three connections at once: one asks a question and then idles, one
    never asks, one keeps asking. The two idle ones are closed; the busy one
    outlives them (their close is the clock: no sleep, no measured upper
    bound). The server closes TCP_IDLE s after the last activity, never
    sooner; a slow machine only makes it later, so the lower bound (half
    the timeout) is one only a bug can break."""
    t0 = time.monotonic()           # before the server can start any of the idle timers
    asked, silent, busy = srv.tcp_connect(), srv.tcp_connect(), srv.tcp_connect()
    try:
        m = dns.message.make_query(LISTED, "A")
        asked.sendall(framed(m))
        assert dns.message.from_wire(tcp_read_msg(asked)).id == m.id
        closed = {}
        n = 0

        def idle_ones_closed():
            nonlocal n
            n += 1
            q = dns.message.make_query(LISTED, "A")
            q.id = n & 0xFFFF
            busy.sendall(framed(q))
            r = dns.message.from_wire(tcp_read_msg(busy))
            assert r.id == q.id and a_set(r) == ["127.0.0.2", "127.0.0.4"]
            for name, s in (("asked", asked), ("silent", silent)):
                if name not in closed and closed_by_server(s):
                    closed[name] = time.monotonic()
            return len(closed) == 2

        wait_until(idle_ones_closed, "the server closing both idle connections", interval=0.05)
        for name, t in closed.items():
            assert t - t0 > TCP_IDLE * 0.5, f"{name}: closed much sooner than the idle timeout"
        # the busy one has been open longer than the idle timeout, and still answers
        m = dns.message.make_query(BL, "SOA")
        busy.sendall(framed(m))
        assert dns.message.from_wire(tcp_read_msg(busy)).id == m.id
    finally:
        for s in (asked, silent, busy):
            s.close()


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
    # AXFR/IXFR are not served yet: REFUSED (RFC 5936 4: refuse unless allowed), no zone data
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
