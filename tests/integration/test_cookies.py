"""DNS cookies (RFC 7873, RFC 9018 server cookies), with dnspython, dig and kdig.

The server cookies are checked byte by byte: this file has its own
SipHash-2-4 (checked against RFC 9018 Appendix A first), so a cookie dnsxld
sends is recomputed here from the secret in its cookie-secret file, the
client cookie, the timestamp and 127.0.0.1."""
import os
import signal
import socket
import struct
import subprocess
import time

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import pytest

from conftest import BL, DNSXLD, Server, base_config, header, rcode_of, rev4, run_tool, seed, wait_until

SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf"
SECRET2 = "445536bcd2513298075a5d379663c962"
LISTED = f"{rev4('192.0.2.99')}.{BL}"
COOKIE = 10
BADCOOKIE = 23


# --- SipHash-2-4 and the RFC 9018 server cookie -------------------------------

def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xFFFFFFFFFFFFFFFF


def siphash24(key, data):
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261,
         k1 ^ 0x7465646279746573]
    M = 0xFFFFFFFFFFFFFFFF

    def rnd():
        v[0] = (v[0] + v[1]) & M; v[1] = _rotl(v[1], 13); v[1] ^= v[0]; v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M; v[3] = _rotl(v[3], 16); v[3] ^= v[2]
        v[0] = (v[0] + v[3]) & M; v[3] = _rotl(v[3], 21); v[3] ^= v[0]
        v[2] = (v[2] + v[1]) & M; v[1] = _rotl(v[1], 17); v[1] ^= v[2]; v[2] = _rotl(v[2], 32)

    n = len(data)
    tail = data[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xFF])
    for i in range(0, n - n % 8, 8):
        (m,) = struct.unpack_from("<Q", data, i)
        v[3] ^= m; rnd(); rnd(); v[0] ^= m
    (m,) = struct.unpack("<Q", tail)
    v[3] ^= m; rnd(); rnd(); v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return struct.pack("<Q", v[0] ^ v[1] ^ v[2] ^ v[3])


def server_cookie(secret_hex, cc, ts, ip="127.0.0.1", head=None):
    head = head or (b"\x01\x00\x00\x00" + struct.pack("!I", ts & 0xFFFFFFFF))
    return head + siphash24(bytes.fromhex(secret_hex), cc + head + socket.inet_pton(
        socket.AF_INET6 if ":" in ip else socket.AF_INET, ip))


def test_the_tests_siphash_gives_the_rfc9018_vectors():
    assert server_cookie(SECRET, bytes.fromhex("2464c4abcf10c957"), 1559731985,
                         "198.51.100.100").hex() == "010000005cf79f111f8130c3eee29480"
    assert server_cookie(SECRET2, bytes.fromhex("22681ab97d52c298"), 1559741961,
                         "2001:db8:220:1:59de:d0f4:8769:82b8").hex() == \
        "010000005cf7c609a6bb79d16625507a"


# --- the server -----------------------------------------------------------------

def write_secret(path, hexs, mode=0o600):
    with open(path + ".tmp", "w") as f:
        f.write(hexs + "\n")
    os.chmod(path + ".tmp", mode)
    os.replace(path + ".tmp", path)


def defence_config(server_lines):
    def cfg(port, dbdir, **kw):
        return base_config(port, dbdir, **kw).replace("[server]\n", "[server]\n" + server_lines, 1)
    return cfg


@pytest.fixture(scope="module")
def csrv(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("cookies"))
    key = os.path.join(d, "cookie.key")
    write_secret(key, SECRET)
    s = Server(d, config_fn=defence_config(f"cookie-secret = {key}\n"))
    s.key = key
    seed(s)
    s.start()
    yield s
    rc = s.stop()
    assert rc == 0, s.stderr_text()
    assert not s.sanitizer_report(), s.stderr_text()[-6000:]


def cookie_query(name, cookie, rdtype="TXT", **kw):
    m = dns.message.make_query(name, rdtype, use_edns=0, payload=1232,
                               options=[dns.edns.GenericOption(COOKIE, cookie)], **kw)
    return m


def reply_cookie(r):
    cs = [o.data for o in r.options if o.otype == COOKIE]
    assert len(cs) == 1, f"{len(cs)} COOKIE options in the reply"
    return bytes(cs[0])


def check_ours(cookie, cc, secret=SECRET, around=None):
    """cookie is client cookie cc + a server cookie dnsxld made with secret for
    127.0.0.1; its timestamp within `around` (lo, hi) when given."""
    assert len(cookie) == 24
    assert cookie[:8] == cc
    assert cookie[8:12] == b"\x01\x00\x00\x00"            # version 1, reserved 0
    (ts,) = struct.unpack("!I", cookie[12:16])
    if around:
        assert around[0] - 1 <= ts <= around[1] + 1, (ts, around)
    assert cookie[8:] == server_cookie(secret, cc, ts), "the hash is not RFC 9018's"
    return ts


def test_a_client_cookie_gets_a_server_cookie_and_the_answer(csrv):
    cc = os.urandom(8)
    t0 = int(time.time())
    r = csrv.send(cookie_query(LISTED, cc))
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    check_ours(reply_cookie(r), cc, around=(t0, int(time.time())))


def test_a_valid_cookie_is_echoed_as_it_came(csrv):
    cc = os.urandom(8)
    first = reply_cookie(csrv.send(cookie_query(LISTED, cc)))
    r = csrv.send(cookie_query(LISTED, first))
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    assert reply_cookie(r) == first
    # over TCP too
    r = csrv.send(cookie_query(LISTED, first), tcp=True)
    assert reply_cookie(r) == first


def test_an_old_or_wrong_server_cookie_gets_a_new_one_and_the_answer(csrv):
    cc = os.urandom(8)
    now = int(time.time())
    # 40 minutes old: valid, re-issued (RFC 9018 4.3: after half an hour)
    old = cc + server_cookie(SECRET, cc, now - 2400)
    r = csrv.send(cookie_query(LISTED, old))
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    ts = check_ours(reply_cookie(r), cc, around=(now, int(time.time())))
    # 2 hours old, another secret's, a flipped bit, another address's: not
    # ours, answered all the same (no attack: RFC 7873 5.2.4), a new cookie
    for bad in (cc + server_cookie(SECRET, cc, now - 7200),
                cc + server_cookie(SECRET2, cc, now),
                cc + server_cookie(SECRET, cc, now)[:-1] + b"\x00",
                cc + server_cookie(SECRET, cc, now, ip="127.0.0.2"),
                cc + bytes(range(8)),                       # an 8-octet server cookie
                cc + bytes(range(32))):                     # a 32-octet one
        r = csrv.send(cookie_query(LISTED, bad))
        assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1, bad.hex()
        assert check_ours(reply_cookie(r), cc) >= ts


def raw_query(name, optdata, qd=True):
    """A query with one OPT whose RDATA is optdata (any bytes)."""
    w = bytearray(dns.message.make_query(name, "A", use_edns=False).to_wire())
    if not qd:
        w = w[:12]
        w[4:6] = b"\x00\x00"
    w[10:12] = b"\x00\x01"
    w += b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(optdata)) + optdata
    return bytes(w)


def test_malformed_cookie_options_are_formerr(csrv):
    for n in (0, 1, 7, 9, 15, 41, 64):
        wire = csrv.raw_udp(raw_query(LISTED, struct.pack("!HH", COOKIE, n) + bytes(n)))
        r = dns.message.from_wire(wire)
        assert r.rcode() == dns.rcode.FORMERR, n
        assert r.edns == 0, f"length {n}: the FORMERR carries an OPT"
        assert not [o for o in r.options if o.otype == COOKIE], n
    for n in (8, 16, 24, 32, 40):
        r = dns.message.from_wire(csrv.raw_udp(raw_query(LISTED, struct.pack("!HH", COOKIE, n)
                                                         + bytes(range(n)))))
        assert r.rcode() == dns.rcode.NOERROR, n
        assert reply_cookie(r)[:8] == bytes(range(8))


def test_qdcount_zero_with_a_cookie_gets_the_server_cookie(csrv):
    cc = os.urandom(8)
    wire = csrv.raw_udp(raw_query(LISTED, struct.pack("!HH", COOKIE, 8) + cc, qd=False))
    _, flags, qd, an, ns, ar = header(wire)
    assert rcode_of(wire) == dns.rcode.NOERROR
    assert (qd, an, ns, ar) == (0, 0, 0, 1)
    r = dns.message.from_wire(wire, question_only=False)
    check_ours(reply_cookie(r), cc)
    # without the cookie the same message is FORMERR
    wire = csrv.raw_udp(raw_query(LISTED, b"", qd=False))
    assert rcode_of(wire) == dns.rcode.FORMERR
    # our server cookie sent back: NOERROR, confirmed
    full = reply_cookie(r)
    wire = csrv.raw_udp(raw_query(LISTED, struct.pack("!HH", COOKIE, 24) + full, qd=False))
    assert rcode_of(wire) == dns.rcode.NOERROR
    # a server cookie that is not ours: BADCOOKIE (RFC 7873 5.4) with a fresh one
    wire = csrv.raw_udp(raw_query(LISTED, struct.pack("!HH", COOKIE, 24) + cc + b"\xab" * 16,
                                  qd=False))
    r = dns.message.from_wire(wire, question_only=False)
    assert r.rcode() == BADCOOKIE
    check_ours(reply_cookie(r), cc)


def dig(srv, *args):
    p = run_tool(["dig", "-p", str(srv.port), "@127.0.0.1", "+tries=1", "+time=30", *args])
    return p.stdout


def test_dig_cookie(csrv):
    out = dig(csrv, "+cookie", LISTED, "TXT")
    assert "status: NOERROR" in out
    line = [ln for ln in out.splitlines() if "COOKIE:" in ln]
    assert line and "(good)" in line[0], out
    full = bytes.fromhex(line[0].split("COOKIE:")[1].split()[0])
    check_ours(full, full[:8])
    out = dig(csrv, f"+cookie={full.hex()}", LISTED, "TXT")
    assert f"COOKIE: {full.hex()} (good)" in out, out
    # dig sends malformed lengths as told: FORMERR; well-formed ones are answered
    for n, status in ((9, "FORMERR"), (15, "FORMERR"), (16, "NOERROR"), (40, "NOERROR")):
        out = dig(csrv, f"+cookie={'ab' * n}", LISTED, "TXT")
        assert f"status: {status}" in out, (n, out)


def test_kdig_cookie(csrv):
    p = run_tool(["kdig", "-p", str(csrv.port), "@127.0.0.1", "+cookie", "+retry=0",
                  "+timeout=30", LISTED, "TXT"])
    assert "status: NOERROR" in p.stdout, p.stdout
    line = [ln for ln in p.stdout.splitlines() if "COOKIE:" in ln]
    assert line, p.stdout
    full = bytes.fromhex(line[0].split("COOKIE:")[1].split()[0])
    check_ours(full, full[:8])


def test_sighup_rotates_the_secret_and_keeps_the_old_for_an_hour(tmp_path):
    d = str(tmp_path)
    key = os.path.join(d, "cookie.key")
    write_secret(key, SECRET)
    s = Server(d, config_fn=defence_config(f"cookie-secret = {key}\n"))
    s.start()
    try:
        cc = os.urandom(8)
        old = reply_cookie(s.send(cookie_query(BL, cc, rdtype="SOA")))
        check_ours(old, cc, SECRET)
        write_secret(key, SECRET2)
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log("reloaded")
        # the old cookie is still accepted (renewed with the new secret) ...
        r = s.send(cookie_query(BL, old, rdtype="SOA"))
        assert r.rcode() == dns.rcode.NOERROR
        new = reply_cookie(r)
        check_ours(new, cc, SECRET2)
        # ... and the new one is echoed
        assert reply_cookie(s.send(cookie_query(BL, new, rdtype="SOA"))) == new
        # a secret file others can read is refused on reload, the old config kept
        write_secret(key, SECRET, mode=0o644)
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log("reload failed, keeping the old config")
        assert "open to others" in s.stderr_text()
        assert reply_cookie(s.send(cookie_query(BL, new, rdtype="SOA"))) == new
    finally:
        assert s.stop() == 0


def test_a_bad_secret_file_is_refused_at_start_and_by_check(tmp_path):
    d = str(tmp_path)
    key = os.path.join(d, "cookie.key")
    s = Server(d, config_fn=defence_config(f"cookie-secret = {key}\n"))
    for text, mode, why in ((SECRET, 0o604, "open to others"),
                            (SECRET, 0o660, "writable by its group"),
                            (SECRET[:-1], 0o600, "expected 32 hex digits"),
                            ("", 0o600, "empty")):
        write_secret(key, text, mode)
        for argv in ([DNSXLD, "-t", "-c", s.conf], [DNSXLD, "-c", s.conf]):
            p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            assert p.returncode == 1, (argv, p.stderr)
            assert key in p.stderr and why in p.stderr, p.stderr
    os.unlink(key)
    p = subprocess.run([DNSXLD, "-t", "-c", s.conf], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "No such file or directory" in p.stderr, p.stderr


# --- BADCOOKIE: a rate-limited client with a cookie ----------------------------

@pytest.fixture(scope="module")
def lsrv(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("badcookie"))
    key = os.path.join(d, "cookie.key")
    write_secret(key, SECRET)
    s = Server(d, config_fn=defence_config(f"cookie-secret = {key}\nrate-limit = 1\n"
                                           "rate-limit-burst = 1\nrate-limit-slip = 1\n"))
    seed(s)
    s.start()
    yield s
    assert s.stop() == 0
    assert not s.sanitizer_report(), s.stderr_text()[-6000:]


def test_a_limited_cookie_client_gets_badcookie_and_retries(lsrv):
    cc = os.urandom(8)
    q = cookie_query(LISTED, cc)
    with lsrv.udp_socket() as s:
        # the first answer of the second spends the burst; after that, with
        # slip 1, every answer slips: BADCOOKIE, no TC, no records, our cookie
        # (sent together: faster than one a second whatever the machine)
        for i in range(20):
            q.id = 100 + i
            s.send(q.to_wire())
        replies = [dns.message.from_wire(s.recv(65535)) for _ in range(20)]
    bad = [r for r in replies if r.rcode() == BADCOOKIE]
    # 20 queries sent at once: at most one answered per second they took
    assert len(bad) >= 15, [r.rcode() for r in replies]
    for r in bad:
        # no TC: the client retries over UDP with our cookie (RFC 7873 5.2.3)
        assert not r.flags & dns.flags.TC and not r.answer and not r.authority
        assert not [o for o in r.options if o.otype == 15], "no EDE on a slip"
        assert len(r.to_wire()) <= len(q.to_wire()) + 16
        check_ours(reply_cookie(r), cc)
    # the client retries with our cookie: valid, so not limited
    good = reply_cookie(bad[0])
    for _ in range(10):
        r = lsrv.send(cookie_query(LISTED, good))
        assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    # dig, limited, gets BADCOOKIE and retries over UDP with our cookie,
    # which is not limited, ending with the answer; without a cookie the slips are plain
    # TC=1 NOERROR and dig falls back to TCP. Each try first spends the
    # budget of 127.0.0.0/24 (a burst of 1, one a second): a try whose dig
    # came more than a second later is answered at once, and tried again.
    def limited_dig(*args):
        with lsrv.udp_socket() as s:
            for i in range(3):
                s.send(q.to_wire())
            for i in range(3):
                s.recv(65535)
        return dig(lsrv, *args, LISTED, "TXT")

    out = wait_until(lambda: (lambda o: "BADCOOKIE, retrying" in o and o)(
        limited_dig("+cookie")), "dig +cookie retrying after BADCOOKIE")
    assert "status: NOERROR" in out and "ANSWER: 2" in out, out
    assert "Truncated" not in out and "(good)" in out, out
    out = wait_until(lambda: (lambda o: " tc" in o and o)(limited_dig("+nocookie", "+ignore")),
                     "a TC=1 reply to dig +nocookie")
    assert "status: NOERROR" in out and "ANSWER: 0" in out, out
    out = wait_until(lambda: (lambda o: "Truncated, retrying in TCP mode" in o and o)(
        limited_dig("+nocookie")), "dig +nocookie retrying over TCP")
    assert "status: NOERROR" in out and "ANSWER: 2" in out, out
