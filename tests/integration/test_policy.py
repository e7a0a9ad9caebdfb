"""The usage policy of a zone over real DNS (dnsxld(8) "Usage policy"):
blocked clients, query-limit per client address and query keys, each
client a different loopback source address (the client sockets are bound
to 127.0.0.x); the server identity over CHAOS with dig; extended errors
(RFC 8914) read with dnspython.

No timing: the limits count queries, the clock is DNSXL_TEST_NOW in the
middle of a window of a day, reloads are waited for in the log."""
import os
import signal
import stat
import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import (AS_ROOT, BL, DEADLINE, DNSXLD, Server, a_set, rev4, run_tool, soa_of, txt_set,
                      wait_until)

PLAIN = "plain.example.org"        # the same data, no policy: what a key's answers must equal
KEY_A = "abcdefgh12345678abcdefgh12"
KEY_Q = "quota000000000000001"
KEY_D = "disabled00000000001"
KEY_NEW = "newkey00000000000001"
DAY = 86400
T = 1800000000 - 1800000000 % DAY + DAY // 2   # the middle of a day: one window for the test
BLOCKED = "127.0.0.66"


def policy_config(port, dbdir, limit="5/1d", server_extra="", zone_extra=""):
    return f"""\
[server]
listen   = 127.0.0.1:{port}
listen   = [::1]:{port}
database = {dbdir}
workers  = 2
{server_extra}

[zone {BL}]
soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
txt = Listed in $list: $
blocked-clients = {BLOCKED}, 2001:db8:bad::/48
query-limit = {limit}
query-keys = keys.txt
{zone_extra}

[list {BL}/manual]
code = 127.0.0.4

[zone {PLAIN}]
soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 120
txt = Listed in $list: $

[list {PLAIN}/manual]
code = 127.0.0.4
"""


def write_keys(s, text, mode=0o600):
    path = os.path.join(s.dir, "keys.txt")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.chmod(path + ".tmp", mode)
    os.replace(path + ".tmp", path)
    return path


KEYS = f"# test keys\n{KEY_A} cust-a\n{KEY_Q} cust-q 3/1d\n{KEY_D} cust-d disabled\n"


def make_server(tmp_path, **kw):
    s = Server(str(tmp_path), config_fn=lambda port, dbdir: policy_config(port, dbdir, **kw))
    write_keys(s, KEYS)
    for zone in (BL, PLAIN):
        s.admin("add", f"{zone}/manual", "192.0.2.99")
        s.admin("add", f"{zone}/manual", "198.51.100.0/24")
    return s


def ask(s, name, rdtype="A", src="127.0.0.1", tcp=False, edns=0):
    q = dns.message.make_query(name, rdtype, use_edns=edns)
    fn = dns.query.tcp if tcp else dns.query.udp
    return fn(q, "::1" if ":" in src else "127.0.0.1", port=s.port, source=src, timeout=DEADLINE)


def ede(r):
    """(code, text) of the reply's EDE, or None."""
    for o in r.options:
        if o.otype == dns.edns.EDE:
            return o.code, o.text
    return None


def reload(s):
    n = s.stderr_text().count("reload")
    s.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: s.stderr_text().count("reload") > n or not s.alive(), "dnsxld reloading")
    assert s.alive(), s.stderr_text()


@pytest.fixture
def pol(tmp_path):
    s = make_server(tmp_path)
    s.start(now=T)
    yield s
    assert s.stop() == 0, s.stderr_text()
    assert not s.sanitizer_report(), s.stderr_text()[-4000:]
    for k in (KEY_A, KEY_Q, KEY_D, KEY_NEW):
        assert k not in s.stderr_text(), f"a key in full in the log:\n{s.stderr_text()}"


def test_blocked_clients_get_the_blocked_code_and_others_are_unaffected(pol):
    s = pol
    for name in (rev4("192.0.2.99"), rev4("192.0.2.1"), "2.0.0.127", "2.0.192", "100.51.198"):
        for tcp in (False, True):
            r = ask(s, f"{name}.{BL}", src=BLOCKED, tcp=tcp)
            assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
            assert a_set(r) == ["127.255.255.254"], (name, r)
            assert ede(r) == (18, "blocked by the usage policy of the zone")
    r = ask(s, f"{rev4('192.0.2.99')}.{BL}", "TXT", src=BLOCKED)
    assert txt_set(r) == [f"Blocked: {BL} does not serve queries from {BLOCKED} "
                          "(a public or open resolver?)"]
    r = ask(s, f"{rev4('192.0.2.99')}.{BL}", "AAAA", src=BLOCKED)
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and soa_of(r)
    r = ask(s, BL, "SOA", src=BLOCKED)                  # the apex as always
    assert r.answer and ede(r) is None
    # the neighbour, and the blocked client in a zone without the policy
    r = ask(s, f"{rev4('192.0.2.99')}.{BL}", src="127.0.0.67")
    assert a_set(r) == ["127.0.0.4"] and ede(r) is None
    r = ask(s, f"{rev4('192.0.2.1')}.{BL}", src="127.0.0.67")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert a_set(ask(s, f"{rev4('192.0.2.99')}.{PLAIN}", src=BLOCKED)) == ["127.0.0.4"]
    # no EDNS, no EDE: the same answer
    r = ask(s, f"{rev4('192.0.2.99')}.{BL}", src=BLOCKED, edns=-1)
    assert a_set(r) == ["127.255.255.254"] and r.edns < 0


def test_over_the_query_limit_a_client_gets_the_limit_code_across_workers(pol):
    s = pol
    name = f"{rev4('192.0.2.99')}.{BL}"
    # 5/1d: each query on a new socket (so both workers see this client)
    for i in range(5):
        assert a_set(ask(s, name, src="127.0.0.10", tcp=i == 2)) == ["127.0.0.4"], i
    for tcp in (False, True):
        r = ask(s, name, src="127.0.0.10", tcp=tcp)
        assert a_set(r) == ["127.255.255.255"]
        assert ede(r) == (18, "query limit exceeded")
    r = ask(s, name, "TXT", src="127.0.0.10")
    assert txt_set(r) == [f"Query limit exceeded for 127.0.0.10 at {BL}"]
    assert a_set(ask(s, name, src="127.0.0.11")) == ["127.0.0.4"]      # another client
    assert ask(s, BL, "SOA", src="127.0.0.10").answer                    # the apex as always
    # the count survives a reload; a restart starts it again from 0
    reload(s)
    assert a_set(ask(s, name, src="127.0.0.10")) == ["127.255.255.255"]
    assert s.stop() == 0
    assert "usage policy: 0 answers blocked-code to blocked clients, 4 limit-code over " \
           "query-limit" in s.stderr_text(), s.stderr_text()
    s.start(now=T)
    assert a_set(ask(s, name, src="127.0.0.10")) == ["127.0.0.4"]


def test_ipv6_clients_count_per_64(pol):
    s = pol
    name = f"{rev4('192.0.2.99')}.{BL}"
    for _ in range(5):
        assert a_set(ask(s, name, src="::1")) == ["127.0.0.4"]
    assert a_set(ask(s, name, src="::1")) == ["127.255.255.255"]


def test_a_good_key_answers_as_the_zone_without_keys(pol):
    s = pol
    names = [rev4("192.0.2.99"), rev4("192.0.2.1"), "2.0.0.127", "1.0.0.127", "2.0.192",
             "100.51.198", "7.100.51.198", "192", "x.2.0.192"]
    for n in names:
        for t in ("A", "TXT", "ANY", "AAAA"):
            plain = ask(s, f"{n}.{PLAIN}", t, src="127.0.0.20")
            keyed = ask(s, f"{n}.{KEY_A}.{BL}", t, src=BLOCKED)   # no client policy with a key
            assert keyed.rcode() == plain.rcode(), (n, t, keyed, plain)
            assert a_set(keyed) == a_set(plain), (n, t)
            assert [x.replace(PLAIN, BL) for x in txt_set(plain)] == txt_set(keyed), (n, t)
            assert bool(soa_of(keyed)) == bool(soa_of(plain)), (n, t)
    r = ask(s, f"{KEY_A}.{BL}", "A")                    # <KEY>.<zone>: a name with names below
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and soa_of(r)
    r = ask(s, f"{rev4('192.0.2.99')}.{KEY_A.upper()}.{BL}")   # names have no case
    assert a_set(r) == ["127.0.0.4"]


def test_unknown_disabled_and_over_quota_keys(pol):
    s = pol
    name = rev4("192.0.2.99")
    for key in ("abcdefgh12345678abcdefgh13", KEY_D):
        r = ask(s, f"{name}.{key}.{BL}")
        assert r.rcode() == dns.rcode.REFUSED and not r.answer
        assert ede(r) == (18, "unknown or disabled query key")
    r = ask(s, f"{name}.{KEY_D}.{BL}", edns=-1)
    assert r.rcode() == dns.rcode.REFUSED and r.edns < 0
    # a quota of 3 a day: the fourth query gets the limit code, whoever asks
    for src in ("127.0.0.30", "127.0.0.31", "127.0.0.32"):
        assert a_set(ask(s, f"{name}.{KEY_Q}.{BL}", src=src)) == ["127.0.0.4"]
    r = ask(s, f"{name}.{KEY_Q}.{BL}", src="127.0.0.33")
    assert a_set(r) == ["127.255.255.255"]
    assert ede(r) == (18, "query key quota exceeded")


def test_the_keys_file_is_read_again_on_sighup(pol):
    s = pol
    name = rev4("192.0.2.99")
    for _ in range(4):
        ask(s, f"{name}.{KEY_Q}.{BL}")                 # cust-q over its quota
    write_keys(s, f"{KEY_Q} cust-q 3/1d\n{KEY_D} cust-d\n{KEY_NEW} cust-new 10/1h\n")
    reload(s)
    assert "reloaded" in s.stderr_text()
    assert a_set(ask(s, f"{name}.{KEY_D}.{BL}")) == ["127.0.0.4"]       # enabled now
    assert a_set(ask(s, f"{name}.{KEY_NEW}.{BL}")) == ["127.0.0.4"]     # new
    assert ask(s, f"{name}.{KEY_A}.{BL}").rcode() == dns.rcode.REFUSED  # gone
    assert a_set(ask(s, f"{name}.{KEY_Q}.{BL}")) == ["127.255.255.255"]  # the count survived
    # a bad file: the reload fails, naming the line, never the key; the old keys stay
    write_keys(s, f"{KEY_NEW} a\n{KEY_NEW} b\n")
    reload(s)
    assert "reload failed, keeping the old config: " in s.stderr_text()
    assert "keys.txt:2: duplicate key of name 'b' (first on line 1" in s.stderr_text()
    assert a_set(ask(s, f"{name}.{KEY_D}.{BL}")) == ["127.0.0.4"]
    # a file others may read is no keys file
    write_keys(s, KEYS, mode=0o644)
    reload(s)
    assert "keys.txt: open to others (mode 0644" in s.stderr_text()
    assert a_set(ask(s, f"{name}.{KEY_NEW}.{BL}")) == ["127.0.0.4"]
    write_keys(s, KEYS)
    assert s.stop() == 0
    log = s.stderr_text()
    assert f"query key cust-q ({BL}): 5 queries, 2 over quota, 0 while disabled" in log, log
    assert f"query key cust-d ({BL}): 2 queries, 0 over quota, 0 while disabled" in log, log
    for k in (KEY_A, KEY_Q, KEY_D, KEY_NEW):
        assert k not in log, f"a key in full in the log:\n{log}"
    s.start(now=T)


def test_dnsxld_t_checks_the_keys_file(tmp_path):
    s = make_server(tmp_path)
    p = run_tool([DNSXLD, "-t", "-c", s.conf])
    assert "configuration OK" in p.stdout
    write_keys(s, f"{KEY_A} cust-a\nshort cust-b\n")
    p = run_tool([DNSXLD, "-t", "-c", s.conf], check=False)
    assert p.returncode == 1
    assert "keys.txt:2: bad key of name 'cust-b' (5 characters)" in p.stderr, p.stderr
    assert "shor" not in p.stderr, p.stderr
    write_keys(s, KEYS, mode=0o660)
    p = run_tool([DNSXLD, *AS_ROOT, "-c", s.conf], check=False)     # at start: the same check
    assert p.returncode == 1 and "writable by its group" in p.stderr, p.stderr
    os.unlink(os.path.join(s.dir, "keys.txt"))
    p = run_tool([DNSXLD, "-t", "-c", s.conf], check=False)
    assert p.returncode == 1 and "keys.txt: No such file or directory" in p.stderr, p.stderr


def test_unknown_keys_can_get_the_blocked_code(tmp_path):
    s = make_server(tmp_path, zone_extra="unknown-key = blocked\nblocked-code = 127.255.255.252")
    s.start(now=T)
    try:
        r = ask(s, f"{rev4('192.0.2.99')}.zz9zz9zz9zz9zz9.{BL}")
        assert r.rcode() == dns.rcode.NOERROR and a_set(r) == ["127.255.255.252"]
        assert ede(r) == (18, "unknown or disabled query key")
        assert a_set(ask(s, f"{rev4('192.0.2.99')}.{BL}", src=BLOCKED)) == ["127.255.255.252"]
    finally:
        assert s.stop() == 0


# --- identity and extended errors -------------------------------------------

def dig(s, *args):
    return subprocess.run(["dig", "-p", str(s.port), "@127.0.0.1", "+tries=3", *args],
                          capture_output=True, text=True, timeout=DEADLINE, check=True).stdout


def test_chaos_identity_and_version_with_dig(tmp_path):
    s = make_server(tmp_path, server_extra="identity = node-7.example.org\nversion = dnsxld test")
    s.start(now=T)
    try:
        for name in ("id.server", "hostname.bind"):
            assert dig(s, "+short", "CH", "TXT", name).split("\n")[0] == '"node-7.example.org"'
        for name in ("version.bind", "version.server"):
            assert dig(s, "+short", "CH", "TXT", name).strip() == '"dnsxld test"'
        out = dig(s, "+tcp", "CH", "TXT", "version.bind")
        assert "status: NOERROR" in out and "flags: qr aa" in out and '0\tCH\tTXT\t"dnsxld test"' in out
        out = dig(s, "CH", "TXT", "authors.bind")
        assert "status: REFUSED" in out and "EDE: 20 (Not Authoritative)" in out, out
    finally:
        assert s.stop() == 0
    s.config_fn = policy_config                         # neither set: both REFUSED
    s.write_config()
    s.start(now=T)
    try:
        for name in ("id.server", "version.bind"):
            out = dig(s, "CH", "TXT", name)
            assert "status: REFUSED" in out and "EDE: 18 (Prohibited): (not disclosed)" in out, out
    finally:
        assert s.stop() == 0


def test_refusals_carry_an_extended_error(pol):
    s = pol
    r = ask(s, "example.com")
    assert r.rcode() == dns.rcode.REFUSED and ede(r) == (20, None)
    r = ask(s, "example.com", edns=-1)
    assert r.rcode() == dns.rcode.REFUSED and r.edns < 0 and not r.options
    q = dns.message.make_query(BL, "SOA", rdclass="HS", use_edns=0)
    r = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=DEADLINE)
    assert r.rcode() == dns.rcode.REFUSED and ede(r) == (20, None)
    r = ask(s, f"{rev4('192.0.2.99')}.{PLAIN}")
    assert a_set(r) == ["127.0.0.4"] and ede(r) is None


def test_a_domain_zone_key_without_a_digit_is_warned_of(tmp_path):
    """In a domain zone a key of letters only could spell a top-level domain
    (every name under it would be taken for the key's): a warning naming the
    key's NAME and line, never the key."""
    d = str(tmp_path)
    with open(os.path.join(d, "dnsxl.conf"), "w") as f:
        f.write(f"[server]\ndatabase = {d}/db\n[zone dbl.test]\nkind = domain\n"
                "query-keys = keys.txt\n[list dbl.test/d]\ncode = 127.0.1.2\n")
    path = os.path.join(d, "keys.txt")
    with open(path, "w") as f:
        f.write(f"{KEY_A} cust-a\nphotography cust-p\n")
    os.chmod(path, 0o600)
    p = run_tool([DNSXLD, "-t", "-c", os.path.join(d, "dnsxl.conf")])
    assert "configuration OK" in p.stdout
    assert (f"zone dbl.test: query key of name 'cust-p' ({path}:2) has no digit") in p.stderr, \
        p.stderr
    assert "cust-a" not in p.stderr and "photography" not in p.stderr, p.stderr
