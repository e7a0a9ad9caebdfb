"""dnsxl-admin check (issue 13): is an address or a domain listed in the
DNSxLs of a lists file? Against zones served on loopback by dnsxld (ip and
domain zones) and rbldnsd (one listing the address, one not, one answering
the error code 127.255.255.254 to everything, an allow list), and a UDP
socket that nobody reads (a list that does not answer: the queries are read
from it afterwards, to prove they were sent there)."""
import json
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

from conftest import ADMIN, BL, DBL, REPO, Server, run_tool, wait_until

import dns.message
import dns.query
import dns.rcode

RBLDNSD = "/usr/sbin/rbldnsd"
KEY = "192.0.2.1"


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def world():
    tmp = tempfile.mkdtemp(prefix="dnsxl-check-")
    os.chmod(tmp, 0o755)              # rbldnsd runs as nobody and must read its files
    srv = Server(tmp)
    srv.start()
    srv.admin("add", f"{BL}/traps", KEY, "--reason", "trap hit")
    srv.admin("add", f"{DBL}/domains", "spam.example")

    data = {
        # lists KEY (and the RFC 5782 test point)
        "rbl.test": "127.0.0.2\n192.0.2.1\n",
        # lists only the test point
        "clean.test": "127.0.0.2\n",
        # answers an error code for everything (a blocked resolver)
        "err.test": ":127.255.255.254:Blocked\n127.0.0.0/8\n192.0.0.0/8\n",
        # an allow list (dnswl.org codes)
        "wl.test": ":127.0.3.3:allowed\n127.0.0.2\n192.0.2.1\n",
    }
    rport = free_udp_port()
    argv = [RBLDNSD, "-n", "-u", "nobody", "-w", tmp, "-b", f"127.0.0.1/{rport}", "-t", "300",
            "-c", "1h"]
    for zone, text in data.items():
        p = os.path.join(tmp, zone + ".data")
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644)
        argv.append(f"{zone}:ip4set:{p}")
    err = open(os.path.join(tmp, "rbldnsd.stderr"), "wb")
    rbl = subprocess.Popen(argv, stdout=err, stderr=err, stdin=subprocess.DEVNULL)
    err.close()

    def rbl_answers():
        if rbl.poll() is not None:
            pytest.fail(f"rbldnsd exited {rbl.returncode}")
        try:
            q = dns.message.make_query("2.0.0.127.rbl.test", "A")
            return dns.query.udp(q, "127.0.0.1", port=rport, timeout=0.2).rcode() == dns.rcode.NOERROR
        except Exception:
            return False

    wait_until(rbl_answers, "rbldnsd answering")
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)     # nobody reads it
    dead.bind(("127.0.0.1", 0))
    dport = dead.getsockname()[1]
    lists = os.path.join(tmp, "check.lists")
    with open(lists, "w") as f:
        f.write(f"""# the lists of test_check.py
{BL}   127.0.0.2-127.0.0.4 @127.0.0.1:{srv.port}
{DBL}  domain 127.0.1.2    @127.0.0.1:{srv.port}
rbl.test    127.0.0.2   @127.0.0.1:{rport}
clean.test  127.0.0.2   @127.0.0.1:{rport}
err.test    127.0.0.2   @127.0.0.1:{rport}
wl.test     allow 127.0.2.0-127.0.15.3  @127.0.0.1:{rport}
dead.test   @127.0.0.1:{dport}
""")
    try:
        yield {"srv": srv, "lists": lists, "tmp": tmp, "dead": dead, "rport": rport}
    finally:
        dead.close()
        rbl.terminate()
        rbl.wait(30)
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def check(*args, lists=None):
    argv = [ADMIN, "check", *args, "--timeout", "3s"]
    if lists:
        argv += ["--lists", lists]
    return run_tool(argv, check=False)


def lines_of(out):
    """{zone: (codes, status)} of check's text lines."""
    res = {}
    for ln in out.splitlines():
        head, _, status = ln.strip().partition("  ")
        zone, *codes = head.split()
        res[zone] = (codes, status.strip())
    return res


def test_listed_not_listed_error_code_and_no_answer(world):
    p = check(KEY, lists=world["lists"])
    assert p.returncode == 1, p.stdout + p.stderr       # listed somewhere
    got = lines_of(p.stdout)
    assert got[BL] == (["127.0.0.2"], "listed")
    assert got["rbl.test"] == (["127.0.0.2"], "listed")
    assert got["clean.test"] == ([], "not listed")
    assert got["wl.test"] == (["127.0.3.3"], "allowed")
    assert got["err.test"][1].startswith("not working: the test point 127.0.0.2: answered "
                                         "127.255.255.254: an error code")
    assert got["dead.test"][1].startswith("not working: the test point 127.0.0.2: no answer within")
    assert DBL not in got                                 # a domain list: not asked for an address
    # the unanswered list was asked: the queries are in its socket
    world["dead"].setblocking(False)
    names = []
    while True:
        try:
            names.append(dns.message.from_wire(world["dead"].recv(4096)).question[0].name.to_text())
        except BlockingIOError:
            break
    assert "1.2.0.192.dead.test." in names and "2.0.0.127.dead.test." in names, names


def test_exit_status_clean_and_could_not_check(world):
    p = check("192.0.2.77", lists=world["lists"])
    assert p.returncode == 2, p.stdout + p.stderr       # nothing listed, two lists not working
    got = lines_of(p.stdout)
    assert got[BL] == ([], "not listed")
    assert got["wl.test"] == ([], "not allow-listed")
    good = os.path.join(world["tmp"], "good.lists")
    with open(world["lists"]) as f, open(good, "w") as g:
        g.writelines(ln for ln in f if not ln.startswith(("err.test", "dead.test")))
    p = check("192.0.2.77", lists=good)
    assert p.returncode == 0, p.stdout + p.stderr
    p = check(KEY, lists=good)
    assert p.returncode == 1


def test_domains_json_and_several_keys(world):
    p = check("spam.example", "clean.example", KEY, "--json", lists=world["lists"])
    assert p.returncode == 1, p.stderr
    rows = json.loads(p.stdout)
    by = {(r["key"], r["zone"]): r for r in rows}
    assert by[("spam.example", DBL)]["status"] == "listed"
    assert by[("spam.example", DBL)]["codes"] == ["127.0.1.2"]
    assert by[("clean.example", DBL)]["status"] == "not listed"
    assert by[(KEY, "wl.test")]["kind"] == "allow"
    assert by[(KEY, "err.test")]["error"].startswith("the test point 127.0.0.2: answered")
    assert by[(KEY, BL)]["error"] is None
    assert ("spam.example", BL) not in by


def test_server_option_and_bad_input(world):
    srv = world["srv"]
    plain = os.path.join(world["tmp"], "plain.lists")
    with open(plain, "w") as f:
        f.write(f"{BL} 127.0.0.2-127.0.0.4\n")
    p = check(KEY, "--server", f"127.0.0.1:{srv.port}", lists=plain)
    assert p.returncode == 1, p.stdout + p.stderr
    assert lines_of(p.stdout)[BL] == (["127.0.0.2"], "listed")
    bad = os.path.join(world["tmp"], "bad.lists")
    with open(bad, "w") as f:
        f.write(f"# comment\n{BL} 127.0.0.2\nx.test 10.0.0.1\n")
    p = check(KEY, lists=bad)
    assert p.returncode == 2
    assert f"{bad}:3: bad code '10.0.0.1'" in p.stderr
    p = check("192.0.2.0/24", lists=plain)
    assert p.returncode == 2 and "no range or wildcard" in p.stderr
    p = check(KEY, "--server", "nowhere", lists=plain)
    assert p.returncode == 2 and "bad --server 'nowhere'" in p.stderr
    p = check(KEY, lists=os.path.join(world["tmp"], "missing.lists"))
    assert p.returncode == 2 and "No such file" in p.stderr


def test_the_sample_lists_file_loads():
    # no queries: a bad --server makes check stop after reading the file
    p = run_tool([ADMIN, "check", "--lists", os.path.join(REPO, "contrib", "check.lists"),
                  "192.0.2.1", "--server", "[::1]:0"], check=False)
    assert "bad --server" in p.stderr
    with open(os.path.join(REPO, "contrib", "check.lists")) as f:
        zones = [ln.split()[0] for ln in f if ln.strip() and not ln.startswith("#")]
    assert "zen.spamhaus.org" in zones and "list.dnswl.org" in zones
    assert not any("sorbs" in z for z in zones)
