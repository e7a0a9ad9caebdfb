"""Per-client TCP connection limit (RFC 7766 6.2.3, STANDARDS 4.3): one
client address holds at most `tcp-per-client` connections per worker; past
that its own least recently active connection is closed, never another
client's."""
import socket
import struct

import dns.message
import dns.rcode

from conftest import BL, DEADLINE, Server, base_config


def limited(port, dbdir, **kw):
    return base_config(port, dbdir, **kw).replace(
        "workers  = 2\n", "workers  = 1\ntcp-per-client = 3\n", 1)


def ask(sock, qid):
    """One query on an open connection; the reply, or None if the server
    closed the connection."""
    q = dns.message.make_query(BL, "SOA")
    q.id = qid
    wire = q.to_wire()
    try:
        sock.sendall(struct.pack("!H", len(wire)) + wire)
        head = sock.recv(2)
        if len(head) < 2:
            return None
        (n,) = struct.unpack("!H", head)
        body = b""
        while len(body) < n:
            chunk = sock.recv(n - len(body))
            if not chunk:
                return None
            body += chunk
        return dns.message.from_wire(body)
    except (ConnectionResetError, BrokenPipeError):
        return None


def test_one_client_cannot_hold_more_than_its_share(tmp_path):
    s = Server(str(tmp_path), config_fn=limited)
    s.start()
    socks = []
    try:
        for i in range(5):              # in order: each is answered before the next opens
            c = socket.create_connection(("127.0.0.1", s.port), timeout=DEADLINE)
            socks.append(c)
            r = ask(c, 100 + i)
            assert r is not None and r.id == 100 + i and r.rcode() == dns.rcode.NOERROR
        # the two least recently active of this client were closed ...
        assert ask(socks[0], 1) is None
        assert ask(socks[1], 2) is None
        # ... its newest three still answer
        for i in (2, 3, 4):
            r = ask(socks[i], 200 + i)
            assert r is not None and r.id == 200 + i
        # another client (::1) is not affected
        c6 = socket.create_connection(("::1", s.port), timeout=DEADLINE)
        socks.append(c6)
        r = ask(c6, 300)
        assert r is not None and r.id == 300
        for i in (2, 3, 4):
            assert ask(socks[i], 400 + i) is not None
    finally:
        for c in socks:
            c.close()
        rc = s.stop()
    assert rc == 0
    assert not s.sanitizer_report(), s.stderr_text()[-4000:]
