"""The mail-server snippets of contrib/mail/ (and README.md, which shows
them) against a real dnsxld serving the demo zones of demo/dnsxl.conf:

- SpamAssassin (spamassassin -t, dns_server pointing at dnsxld): a listed
  relay fires the block-list rule, an unlisted one does not, nor does one
  the zone answers with an error code (127.255.255.254); an allow-listed
  relay fires the allow-list rule.
- Postfix (a private instance: its own main.cf/master.cf, queue and
  resolv.conf, bind-mounted in a private network and mount namespace where
  dnsxld answers on 127.0.0.1:53) and Exim (exim -bh, host-checking mode,
  which runs the real ACLs): a listed client is refused, an allow-listed one
  is not blocked but still cannot relay, the error code blocks nothing.

The demo codes (demo/dnsxl.conf): bl.example.org 127.0.0.2 traps, .3
reports, .4 manual; wl.example.org 127.0.3.3 esp-high, 127.0.5.2 isp-medium.
"""
import email
import glob
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import ADMIN, AS_ROOT, BUILD, DNSXLD, LOADER, REPO, Server, a_set, rev4, run_tool
from netns import NetNS, stop, wait_for_log, which_or_skip

MAIL = os.path.join(REPO, "contrib", "mail")
POSTFIX_SNIPPET = os.path.join(MAIL, "postfix-main.cf")
EXIM_SNIPPET = os.path.join(MAIL, "exim-acl.conf")
SA_SNIPPET = os.path.join(MAIL, "spamassassin.cf")
DEMO = os.path.join(REPO, "demo")

LISTED = "192.0.2.99"     # demo data: bl.example.org traps and manual
BOTH = "203.0.113.5"      # demo data: wl.example.org esp-high; listed in traps here too
WL_ONLY = "203.0.113.6"   # demo data: wl.example.org esp-high only
ERROR = "192.0.2.254"     # here: bl.example.org/manual with code 127.255.255.254
CLEAN = "192.0.2.1"       # in no list
CLIENTS = (LISTED, BOTH, WL_ONLY, ERROR, CLEAN)
LOCAL_RCPT = "user@example.net"      # the test MTAs' own domain
REMOTE_RCPT = "user@remote.example"  # anything else: relaying


def read(path):
    with open(path) as f:
        return f.read()


def demo_config(port, dbdir, addr="127.0.0.1"):
    """demo/dnsxl.conf with dnsxld's listen line ([server], the one
    demo/run.sh replaces too; [web] has its own) and database replaced."""
    text = read(os.path.join(DEMO, "dnsxl.conf"))
    text, n1 = re.subn(r"(?m)^listen\s*=\s*127\.0\.0\.1:5353$", f"listen   = {addr}:{port}", text)
    text, n2 = re.subn(r"(?m)^database\s*=.*$", f"database = {dbdir}", text)
    assert (n1, n2) == (1, 1), "demo/dnsxl.conf: expected one listen and one database line"
    return text


def seed(conf):
    """The demo data as demo/run.sh loads it, plus the two test entries."""
    for target, fname, extra in (("bl.example.org/manual", "bl-manual.txt", ["--reason", "demo data"]),
                                 ("bl.example.org/traps", "bl-traps.txt", ["--lifetime", "48h"]),
                                 ("wl.example.org/esp-high", "wl-esp.txt", [])):
        run_tool([LOADER, "-c", conf, "import", target, os.path.join(DEMO, fname), "--replace", *extra])
    run_tool([ADMIN, "-c", conf, "add", "bl.example.org/traps", BOTH, "--reason", "also allowed"])
    run_tool([ADMIN, "-c", conf, "add", "bl.example.org/manual", ERROR, "--code", "127.255.255.254",
              "--force"])


EXPECTED_A = {  # what dnsxld answers: the premise of every test here
    ("bl", LISTED): ["127.0.0.2", "127.0.0.4"],
    ("bl", BOTH): ["127.0.0.2"],
    ("bl", ERROR): ["127.255.255.254"],
    ("bl", CLEAN): [],
    ("wl", BOTH): ["127.0.3.3"],
    ("wl", WL_ONLY): ["127.0.3.3"],
    ("wl", LISTED): [],
}


def check_answers(query):
    for (zone, ip), want in EXPECTED_A.items():
        assert query(f"{rev4(ip)}.{zone}.example.org") == want, (zone, ip)


# --- README shows the files -----------------------------------------------

def test_readme_blocks_are_the_contrib_files():
    readme = read(os.path.join(REPO, "README.md"))
    m = re.search(r"^## Pointing mail servers at a zone\n(.*?)^## ", readme, re.S | re.M)
    assert m, "README.md: no section 'Pointing mail servers at a zone'"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", m.group(1), re.S | re.M)
    for path in (POSTFIX_SNIPPET, EXIM_SNIPPET, SA_SNIPPET):
        assert read(path) in blocks, f"README.md does not show {os.path.relpath(path, REPO)} as it is"


# --- SpamAssassin ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo_srv(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("snippets-srv"))
    s = Server(d, config_fn=demo_config)
    seed(s.conf)
    s.start()
    yield s
    assert s.stop() == 0, s.stderr_text()


MESSAGE = """\
Received: from client.example.com (client.example.com [{ip}])
\tby mx.example.net (Postfix) with ESMTP id 4F1A2B3C4D
\tfor <user@example.net>; Thu, 03 Dec 2026 10:00:00 +0000 (UTC)
From: sender@example.com
To: user@example.net
Subject: snippet test
Message-ID: <{ip}@example.com>
Date: Thu, 03 Dec 2026 10:00:00 +0000

Hello.
"""


def spamassassin_tests(srv, tmp, ip, snippet):
    """Rules hit for a message relayed by `ip`, with `snippet` as local.cf."""
    sa = which_or_skip("spamassassin")
    pre = glob.glob("/etc/spamassassin/*.pre")
    if not pre:
        pytest.skip("/etc/spamassassin/*.pre missing: the spamassassin package is not installed whole")
    site = os.path.join(tmp, "site")
    rules = os.path.join(tmp, "rules")
    for d in (site, rules):
        os.makedirs(d, exist_ok=True)
    for p in pre:                       # Debian's loadplugin lines (DNSEval, Check, ...)
        shutil.copy(p, site)
    with open(os.path.join(rules, "00_none.cf"), "w") as f:
        f.write("# no default rules: only the snippet's\n")
    with open(os.path.join(site, "local.cf"), "w") as f:
        f.write(f"dns_server 127.0.0.1:{srv.port}\ndns_available yes\nuse_bayes 0\n"
                "report_safe 0\nadd_header all Tests _TESTS_\n\n" + snippet)
    prefs = os.path.join(tmp, "user_prefs")
    open(prefs, "w").close()
    p = subprocess.run([sa, "-t", "-x", "-p", prefs, f"--siteconfigpath={site}",
                        f"--configpath={rules}"],
                       input=MESSAGE.format(ip=ip), capture_output=True, encoding="utf-8",
                       errors="replace", timeout=120, env={**os.environ, "HOME": tmp})
    assert p.returncode in (0, 1), f"spamassassin exited {p.returncode}:\n{p.stderr}"
    for bad in ("failed to parse", "invalid rule", "missing subtest", "unknown"):
        assert bad not in p.stderr, f"spamassassin did not take the snippet:\n{p.stderr}"
    hdr = email.message_from_string(p.stdout).get("X-Spam-Tests")
    assert hdr is not None, f"no X-Spam-Tests header:\n{p.stdout}\n{p.stderr}"
    tests = {t.strip() for t in re.sub(r"\s+", "", hdr).split(",")} - {"none"}
    return tests


def test_spamassassin_rules_fire_only_on_the_zones_codes(demo_srv, tmp_path):
    check_answers(lambda name: a_set(demo_srv.q(name)))
    snippet = read(SA_SNIPPET)
    got = {ip: spamassassin_tests(demo_srv, str(tmp_path / ip), ip, snippet) for ip in CLIENTS}
    assert "RCVD_IN_EXAMPLE_BL" in got[LISTED]
    assert "RCVD_IN_EXAMPLE_BL" not in got[ERROR], "the error code 127.255.255.254 fired the block list"
    assert "RCVD_IN_EXAMPLE_WL" not in got[ERROR]
    assert got[CLEAN] == set()
    assert got[WL_ONLY] == {"RCVD_IN_EXAMPLE_WL"}
    assert got[BOTH] == {"RCVD_IN_EXAMPLE_BL", "RCVD_IN_EXAMPLE_WL"}
    assert "RCVD_IN_EXAMPLE_WL" not in got[LISTED]


# --- Postfix and Exim: dnsxld on 127.0.0.1:53 in a private namespace --------

@pytest.fixture(scope="module")
def mailns(tmp_path_factory):
    """A network/mount namespace whose resolver is dnsxld on 127.0.0.1:53,
    with the test clients' addresses on its loopback. Yields (ns, tmpdir)."""
    d = str(tmp_path_factory.mktemp("snippets-ns"))
    conf = os.path.join(d, "dnsxl.conf")
    with open(conf, "w") as f:
        f.write(demo_config(53, os.path.join(d, "db")))
    seed(conf)
    resolv = os.path.join(d, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions attempts:3 timeout:5\n")
    ns = NetNS([f"ip addr add {ip}/32 dev lo" for ip in CLIENTS] +
               [f"mount --bind {resolv} /etc/resolv.conf"])
    errpath = os.path.join(d, "dnsxld.stderr")
    with open(errpath, "wb") as err:
        srv = ns.popen([DNSXLD, *AS_ROOT, "-c", conf], stdout=err, stderr=err, stdin=subprocess.DEVNULL)
    try:
        wait_for_log(errpath, "listening on 127.0.0.1:53", srv, "dnsxld in the namespace")
        dig = which_or_skip("dig")

        def query(name):
            out = ns.run([dig, "+short", "+tries=3", name, "A"]).stdout.split()
            return sorted(out)
        check_answers(query)
        yield ns, d
    finally:
        rc = stop(srv, "dnsxld")
        ns.close()
    assert rc == 0, read(errpath)


CLIENT = r"""
import json, smtplib, sys
src, *rcpts = sys.argv[1:]
s = smtplib.SMTP("127.0.0.1", 25, source_address=(src, 0), timeout=120)
s.helo("client.example.com")
s.mail("sender@example.com")
out = [s.rcpt(r) for r in rcpts]
s.quit()
print(json.dumps([[c, m.decode()] for c, m in out]))
"""

POSTFIX_MAIN = """\
# written by tests/integration/test_snippets.py
compatibility_level = 3.6
myhostname = mx.example.net
mydomain = example.net
mydestination = example.net
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtpd_client_connection_count_limit = 0
biff = no
maillog_file_prefixes = {tmp}
maillog_file = {tmp}/maillog
# no relay check here: the snippet's restrictions alone must stop relaying
smtpd_relay_restrictions =

"""

POSTFIX_MASTER = """\
smtp      inet  n       -       n       -       -       smtpd
cleanup   unix  n       -       n       -       0       cleanup
rewrite   unix  -       -       n       -       -       trivial-rewrite
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def test_postfix_snippet(mailns):
    ns, d = mailns
    which_or_skip("postfix")
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        pytest.skip("no postfix user: the postfix package is not installed (make deps installs it)")
    pf = os.path.join(d, "postfix")
    spool, lib = os.path.join(pf, "spool"), os.path.join(pf, "lib")
    for x in (spool, lib):
        os.makedirs(x, exist_ok=True)
    shutil.chown(lib, "postfix")
    with open(os.path.join(pf, "main.cf"), "w") as f:
        f.write(POSTFIX_MAIN.format(tmp=pf) + read(POSTFIX_SNIPPET))
    with open(os.path.join(pf, "master.cf"), "w") as f:
        f.write(POSTFIX_MASTER)
    # This instance's files over the system ones, in the namespace only.
    for src, dst in (("main.cf", "/etc/postfix/main.cf"), ("master.cf", "/etc/postfix/master.cf"),
                     ("spool", "/var/spool/postfix"), ("lib", "/var/lib/postfix")):
        ns.run(["mount", "--bind", os.path.join(pf, src), dst])
    started = ns.run(["postfix", "start"], check=False)
    if started.returncode != 0:
        pytest.fail(f"postfix start failed:\n{started.stdout}{started.stderr}\n"
                    f"{read(os.path.join(pf, 'maillog')) if os.path.exists(os.path.join(pf, 'maillog')) else ''}")
    try:
        got = {}
        for ip in CLIENTS:
            out = ns.run(["/usr/bin/python3", "-c", CLIENT, ip, LOCAL_RCPT, REMOTE_RCPT], timeout=300).stdout
            got[ip] = json.loads(out)
    finally:
        ns.run(["postfix", "stop"], check=False)
    log = read(os.path.join(pf, "maillog"))
    for ip, ((local, ltext), (remote, rtext)) in got.items():
        assert remote >= 400 and "Relay access denied" in rtext, (ip, remote, rtext, log)
    assert got[LISTED][0][0] == 554 and "blocked using bl.example.org" in got[LISTED][0][1], log
    for ip in (BOTH, WL_ONLY, ERROR, CLEAN):
        assert got[ip][0][0] == 250, (ip, got[ip], log)


EXIM_CONF = """\
# written by tests/integration/test_snippets.py
primary_hostname = mx.example.net
domainlist local_domains = example.net
domainlist relay_to_domains =
spool_directory = {tmp}/spool
log_file_path = {tmp}/%slog
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
# the snippet first, before the relay check: it must be safe even there
.include {snippet}
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  accept

begin routers
begin transports
"""

EXIM_NOT_INSTALLABLE = ("exim4-daemon-light cannot be installed next to postfix: both Provide and "
                        "Conflict with mail-transport-agent, and tests/deps.sh installs postfix. ")


def exim_binary(ns):
    """The installed exim4, else the one of the exim4-daemon-light .deb
    (apt-get download), unpacked under the build directory and run from there."""
    if os.access("/usr/sbin/exim4", os.X_OK):
        return "/usr/sbin/exim4"
    root = os.path.join(BUILD, "exim4-deb")
    exe = os.path.join(root, "usr", "sbin", "exim4")
    if not os.access(exe, os.X_OK):
        dl = root + ".download"
        shutil.rmtree(dl, ignore_errors=True)
        os.makedirs(dl)
        p = subprocess.run(["apt-get", "download", "exim4-daemon-light"], cwd=dl,
                           capture_output=True, encoding="utf-8", errors="replace", timeout=300)
        debs = glob.glob(os.path.join(dl, "exim4-daemon-light_*.deb"))
        if p.returncode != 0 or len(debs) != 1:
            pytest.skip(EXIM_NOT_INSTALLABLE + "Fetching its .deb to run unpacked failed: "
                        f"apt-get download exited {p.returncode}: {p.stderr.strip()}")
        run_tool(["dpkg-deb", "-x", debs[0], os.path.join(dl, "root")])
        shutil.rmtree(root, ignore_errors=True)
        os.rename(os.path.join(dl, "root"), root)
        shutil.rmtree(dl, ignore_errors=True)
    return exe


def smtp_replies(out):
    """exim -bh stdout -> [(code, text)], continuation lines joined."""
    replies, cur = [], []
    for line in out.splitlines():
        m = re.match(r"^(\d{3})([- ])(.*)$", line)
        if not m:
            continue
        cur.append(m.group(3))
        if m.group(2) == " ":
            replies.append((int(m.group(1)), " ".join(cur)))
            cur = []
    return replies


@pytest.fixture
def exim_dir():
    """Exim gives up root for Debian-exim, which cannot enter pytest's 0700
    temporary directories: a directory of its own, readable by all."""
    d = tempfile.mkdtemp(prefix="dnsxl-exim-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_exim_snippet(mailns, exim_dir):
    ns, _ = mailns
    ex = exim_dir
    exe = exim_binary(ns)
    try:
        uid = pwd.getpwnam("Debian-exim").pw_uid
    except KeyError:
        uid = 64990
        # The Debian binary looks up its user, Debian-exim, at start: give
        # the namespace a passwd/group with it (the host's stay as they are).
        for db, line in (("passwd", "Debian-exim:x:64990:64990::/nonexistent:/usr/sbin/nologin\n"),
                         ("group", "Debian-exim:x:64990:\n")):
            copy = os.path.join(ex, db)
            with open(f"/etc/{db}") as src, open(copy, "w") as dst:
                dst.write(src.read() + line)
            ns.run(["mount", "--bind", copy, f"/etc/{db}"])
    os.makedirs(os.path.join(ex, "spool"))
    os.chown(os.path.join(ex, "spool"), uid, uid)
    conf = os.path.join(ex, "exim.conf")
    with open(conf, "w") as f:
        f.write(EXIM_CONF.format(tmp=ex, snippet=EXIM_SNIPPET))
    v = ns.run([exe, "-C", conf, "-bV"], check=False)
    if "error while loading shared libraries" in v.stderr:
        pytest.skip(EXIM_NOT_INSTALLABLE + f"The unpacked exim4 cannot run: {v.stderr.strip()}")
    assert v.returncode == 0, f"exim -bV with the test config failed:\n{v.stdout}\n{v.stderr}"
    dialog = ("HELO client.example.com\r\nMAIL FROM:<sender@example.com>\r\n"
              f"RCPT TO:<{LOCAL_RCPT}>\r\nRCPT TO:<{REMOTE_RCPT}>\r\nQUIT\r\n")
    got = {}
    for ip in CLIENTS:
        p = ns.run([exe, "-C", conf, "-bh", ip], input=dialog, check=False, timeout=300)
        r = smtp_replies(p.stdout)
        assert len(r) == 6, f"exim -bh {ip}: unexpected dialog\n{p.stdout}\n{p.stderr}"
        got[ip] = (r[3], r[4], p.stderr)
    for ip, (local, remote, err) in got.items():   # no client may relay
        assert remote[0] == 550, (ip, remote, err)
        assert ip == LISTED or "relay not permitted" in remote[1], (ip, remote, err)
    assert got[LISTED][0][0] == 550 and "listed at bl.example.org" in got[LISTED][0][1], got[LISTED]
    for ip in (BOTH, WL_ONLY, ERROR, CLEAN):
        assert got[ip][0][0] == 250, (ip, got[ip])
