"""Operator safety in dnsxl-admin and dnsxl-loader, checked with the real
programs and a running dnsxld queried with dig and dnspython:

- delist of an address that only a range lists: the range is named, with
  the `add --exclude` that carves it out; show of an excluded address names
  the exclusion and what it is carved out of;
- country data never replaces a hand-kept list unless --replace; zones
  shows each list's kind;
- a replace that would delete most of a list (an empty file, a failed
  download) is refused unless --force, for import, country and sync;
  --dry-run counts and writes nothing;
- the auto-detected format is named; text after a key in a plain list is
  an error, never a TXT;
- CIDRs with host bits set are refused (file:line, or "did you mean");
- entries wider than [loader] shortest-prefix / shortest-prefix6 need
  --force;
- reasons and TXT with control characters are refused, never served;
- a byte order mark and CR line ends are read in every format; control
  bytes in messages are escaped;
- one exit status table, --help and --version for all three programs.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import dns.rcode
import pytest

from conftest import (ADMIN, BL, CC, DBL, DNSXLD, LOADER, REPO, Server, a_set, base_config,
                      rev4, rev6, run_tool, soa_of, txt_set)


@pytest.fixture(scope="module")
def ss():
    """A server of its own: these tests change lists the shared one seeds."""
    with tempfile.TemporaryDirectory(prefix="dnsxl-safety-") as d:
        s = Server(d)
        s.start()
        try:
            yield s
        finally:
            rc = s.stop()
            assert rc == 0, s.stderr_text()
            assert not s.sanitizer_report(), s.stderr_text()[-6000:]


def serial(srv, zone=BL):
    return soa_of(srv.q(zone, "SOA"), "answer")[0].serial


def dig(srv, name, qtype="A"):
    """dig +short against the server: the answer lines."""
    p = subprocess.run([shutil.which("dig"), "@127.0.0.1", "-p", str(srv.port), "+short",
                        "+tries=3", "+time=5", name, qtype],
                       capture_output=True, encoding="utf-8", errors="replace", timeout=60)
    assert p.returncode == 0, p.stderr
    return [ln for ln in p.stdout.splitlines() if ln.strip()]


def q4(ip, zone=BL):
    return f"{rev4(ip)}.{zone}"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return str(path)


# --- delist of a covered address, show of an excluded one ----------------------------

def test_delist_of_an_address_a_range_lists_names_the_range(ss):
    ss.admin("add", f"{BL}/manual", "198.51.100.0/24", "--reason", "snowshoe range")
    assert dig(ss, q4("198.51.100.9")) == ["127.0.0.4"]
    s0 = serial(ss)
    p = ss.admin("delist", f"{BL}/manual", "198.51.100.9", check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "listed there by 198.51.100.0/24" in p.stderr, p.stderr
    hint = f"dnsxl-admin add {BL}/manual 198.51.100.9 --exclude"
    assert hint in p.stderr, p.stderr
    assert "is not listed" not in p.stderr, p.stderr
    assert serial(ss) == s0                       # nothing was written
    assert dig(ss, q4("198.51.100.9")) == ["127.0.0.4"]
    # the whole zone as the target: the same
    p = ss.admin("delist", BL, "198.51.100.9", check=False)
    assert p.returncode == 1 and "198.51.100.0/24" in p.stderr, p.stderr
    # the suggested command carves it out, the rest of the range stays
    ss.admin(*hint.split()[1:], "--reason", "customer mail server")
    r = ss.q(q4("198.51.100.9"))
    assert r.rcode() == dns.rcode.NXDOMAIN, r
    assert dig(ss, q4("198.51.100.10")) == ["127.0.0.4"]
    # show says it is excluded, by which entry, carved out of what
    out = ss.admin("show", "198.51.100.9").stdout
    assert "198.51.100.9 is not listed in any zone" in out, out
    assert f"excluded from:\n  {BL}/manual by the exclusion 198.51.100.9, carved out of" \
           " 198.51.100.0/24" in out, out
    assert "customer mail server" in out, out
    d = json.loads(ss.admin("show", "198.51.100.9", "--json").stdout)
    assert d["listed"] is False
    assert d["exclusions"] == [{"zone": BL, "list": "manual", "entry": "198.51.100.9",
                                "carved_from": "198.51.100.0/24",
                                "reason": "customer mail server", "source": "admin",
                                "expires": None}], d


def test_show_names_a_range_exclusion(ss):
    ss.admin("add", f"{BL}/traps", "203.0.113.0/24")
    ss.admin("add", f"{BL}/traps", "203.0.113.64/26", "--exclude", "--reason", "our MX")
    assert ss.q(q4("203.0.113.70")).rcode() == dns.rcode.NXDOMAIN
    out = ss.admin("show", "203.0.113.70").stdout
    assert f"{BL}/traps by the exclusion 203.0.113.64/26, carved out of 203.0.113.0/24" in out, out
    # listed in one list, excluded from another: both said
    ss.admin("add", f"{BL}/reports", "203.0.113.70")
    out = ss.admin("show", "203.0.113.70").stdout
    assert "203.0.113.70 is listed in:" in out and f"{BL}/reports" in out, out
    assert "by the exclusion 203.0.113.64/26" in out, out


def test_delist_of_an_own_entry_inside_a_range_says_the_range_still_lists_it(ss):
    ss.admin("add", f"{BL}/manual", "198.51.100.77")
    p = ss.admin("delist", f"{BL}/manual", "198.51.100.77")
    assert f"delisted 198.51.100.77 from {BL}/manual" in p.stdout, p.stdout
    assert f"still listed in {BL}/manual by 198.51.100.0/24" in p.stdout, p.stdout
    assert f"dnsxl-admin add {BL}/manual 198.51.100.77 --exclude" in p.stdout, p.stdout
    assert dig(ss, q4("198.51.100.77")) == ["127.0.0.4"]


def test_delist_of_a_name_a_wildcard_lists(ss):
    ss.admin("add", f"{DBL}/domains", "*.snow.example")
    p = ss.admin("delist", f"{DBL}/domains", "a.snow.example", check=False)
    assert p.returncode == 1, p.stderr
    assert "listed there by *.snow.example" in p.stderr, p.stderr
    assert "--exclude" in p.stderr and "whole wildcard" in p.stderr, p.stderr


def test_delist_of_a_key_listed_nowhere_is_still_an_error(ss):
    p = ss.admin("delist", f"{BL}/manual", "192.0.2.234", check=False)
    assert p.returncode == 1
    assert f"192.0.2.234 is not listed in {BL}/manual" in p.stderr, p.stderr


# --- country never replaces a hand-kept list ---------------------------------------

def test_country_refuses_a_list_that_is_not_a_country_list(ss, tmp_path):
    csv = write(tmp_path / "cc.csv", "192.0.2.0,192.0.2.255,US\n")
    ss.admin("add", f"{BL}/reports", "192.0.2.240", "--reason", "hand-kept")
    s0 = serial(ss)
    p = ss.loader("country", f"{BL}/reports", csv, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"{BL}/reports is not a country list" in p.stderr, p.stderr
    assert "--replace" in p.stderr, p.stderr
    assert serial(ss) == s0
    assert dig(ss, q4("192.0.2.240")) == ["127.0.0.3"]
    # an empty list is fine, and so is a country list again; zones says which is which
    p = ss.loader("country", CC, csv)
    assert "imported 1 country ranges" in p.stdout, p.stdout
    assert dig(ss, q4("192.0.2.7", CC)) == ["127.0.3.72"]
    ss.loader("country", CC, csv)
    zones = ss.admin("zones").stdout
    assert re.search(r"\n  countries .*entries 1 +kind country\n", zones), zones
    assert re.search(r"\n  reports .*kind listing\n", zones), zones
    doc = json.loads(ss.admin("zones", "--json").stdout)
    kinds = {(z["zone"], lst["list"]): lst["kind"] for z in doc for lst in z["lists"]}
    assert kinds[(CC, "countries")] == "country" and kinds[(BL, "reports")] == "listing"
    assert kinds[(DBL, "domains")] in ("listing", "empty")
    # a hand-added entry makes the country list a mixed one: refused too
    ss.admin("add", f"{CC}/countries", "198.51.100.1")
    p = ss.loader("country", CC, csv, check=False)
    assert p.returncode == 1 and "198.51.100.1, source admin" in p.stderr, p.stderr
    # --replace: the operator's word
    p = ss.loader("country", CC, csv, "--replace")
    assert "1 deleted" in p.stdout, p.stdout
    assert ss.q(q4("198.51.100.1", CC)).rcode() == dns.rcode.NXDOMAIN


# --- replace guard and dry run -------------------------------------------------------

def test_replace_with_an_empty_file_is_refused(ss, tmp_path):
    target = f"{BL}/traps"
    full = write(tmp_path / "full.txt", "".join(f"192.0.2.{i}\n" for i in range(100, 110)))
    ss.loader("import", target, full, "--replace", "--force")
    empty = write(tmp_path / "empty.txt", "")
    s0 = serial(ss)
    p = ss.loader("import", target, empty, "--replace", check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"refusing to replace {target}: it would delete 10 of its 10 entries (100%)" \
           in p.stderr, p.stderr
    assert "replace-max-delete = 50%" in p.stderr and "--force" in p.stderr, p.stderr
    assert serial(ss) == s0
    assert dig(ss, q4("192.0.2.105")) == ["127.0.0.2"]
    # 6 of 10 gone: refused; 5 of 10: allowed
    six = write(tmp_path / "six.txt", "".join(f"192.0.2.{i}\n" for i in range(100, 104)))
    p = ss.loader("import", target, six, "--replace", check=False)
    assert p.returncode == 1 and "delete 6 of its 10 entries (60%)" in p.stderr, p.stderr
    five = write(tmp_path / "five.txt", "".join(f"192.0.2.{i}\n" for i in range(100, 105)))
    p = ss.loader("import", target, five, "--replace")
    assert "5 deleted" in p.stdout, p.stdout
    assert ss.q(q4("192.0.2.105")).rcode() == dns.rcode.NXDOMAIN
    # --force: the operator means it
    p = ss.loader("import", target, empty, "--replace", "--force")
    assert "5 deleted" in p.stdout, p.stdout
    assert ss.q(q4("192.0.2.100")).rcode() == dns.rcode.NXDOMAIN


def test_dry_run_counts_and_writes_nothing(ss, tmp_path):
    target = f"{BL}/reports"
    # one clock for both imports: the list's lifetime makes an entry's
    # expiry now + 24h, and a second import in a later second would
    # refresh it (updated, not unchanged)
    now = int(time.time())
    f = write(tmp_path / "a.txt", "192.0.2.150\n192.0.2.151\n")
    ss.loader("import", target, f, now=now)
    g = write(tmp_path / "b.txt", "192.0.2.151\n!192.0.2.150\n192.0.2.152\n")
    s0 = serial(ss)
    p = ss.loader("import", target, g, "--dry-run", now=now)
    assert p.returncode == 0
    assert f"dry run: 3 entries (1 added, 1 updated, 0 deleted, 1 unchanged) for {target};" \
           " nothing written" in p.stdout, p.stdout
    assert serial(ss) == s0
    assert ss.q(q4("192.0.2.152")).rcode() == dns.rcode.NXDOMAIN
    assert dig(ss, q4("192.0.2.150")) == ["127.0.0.3"]
    # a dry run of a replace the guard refuses: counted, said, exit 1
    empty = write(tmp_path / "empty.txt", "")
    p = ss.loader("import", target, empty, "--replace", "--dry-run", check=False)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "deleted" in p.stdout and "nothing written" in p.stdout, p.stdout
    assert "without --force this replace is refused" in p.stderr, p.stderr
    assert serial(ss) == s0
    # country --dry-run
    csv = write(tmp_path / "cc.csv", "203.0.113.0,203.0.113.255,DE\n")
    p = ss.loader("country", CC, csv, "--dry-run", "--force")
    assert "dry run: 1 country ranges (1 added, 0 updated, 1 deleted" in p.stdout, p.stdout
    assert ss.q(q4("203.0.113.1", CC)).rcode() == dns.rcode.NXDOMAIN


def test_sync_refuses_a_truncated_feed_and_retries_it(ss, tmp_path):
    target = f"{BL}/manual"
    ss.admin("add", target, "203.0.113.200")
    ss.admin("add", target, "203.0.113.201")
    # the list now holds the earlier tests' entries too: count them
    n = len([ln for ln in ss.admin("list", target).stdout.splitlines()[1:] if ln.strip()])
    src = write(tmp_path / "feed.txt", "203.0.113.200\n")
    s0 = serial(ss)
    p = ss.loader("sync", target, src, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"refusing to replace {target}: it would delete {n - 1} of its {n} entries" \
           in p.stderr, p.stderr
    assert serial(ss) == s0
    p = ss.loader("sync", target, src, "--dry-run", check=False)    # what the real run would do
    assert p.returncode == 1 and "without --force this replace is refused" in p.stderr, p.stderr
    assert f"dry run: 1 entries (0 added, 1 updated, {n - 1} deleted" in p.stdout, p.stdout
    assert "nothing written" in p.stdout and serial(ss) == s0, p.stdout
    # the refused file was not recorded as synced: the next run tries again
    p = ss.loader("sync", target, src, "--force")
    assert f"{n - 1} deleted" in p.stdout, p.stdout
    assert ss.q(q4("203.0.113.201")).rcode() == dns.rcode.NXDOMAIN
    assert dig(ss, q4("203.0.113.200")) == ["127.0.0.4"]


# --- formats: detection, text after a key, host bits --------------------------------

def test_text_after_a_key_in_a_plain_list_is_an_error_not_a_txt(ss, tmp_path):
    f = write(tmp_path / "words.txt", "192.0.2.160\n192.0.2.161 extra words\n")
    s0 = serial(ss)
    p = ss.loader("import", f"{BL}/reports", f, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"{f}: format plain (auto-detected" in p.stderr, p.stderr
    assert f"{f}:2: unexpected text after the key: 'extra words'" in p.stderr, p.stderr
    assert serial(ss) == s0
    assert ss.q(q4("192.0.2.161")).rcode() == dns.rcode.NXDOMAIN
    # as an rbldnsd file, by the operator's word, the words are its TXT
    ss.loader("import", f"{BL}/reports", f, "--format", "ip4set")
    assert txt_set(ss.q(q4("192.0.2.161"), "TXT")) == ["extra words"]


def test_the_detected_format_is_named(ss, tmp_path):
    f = write(tmp_path / "rbl.zone", ":127.0.0.3:Listed $\n192.0.2.170\n")
    p = ss.loader("import", f"{BL}/reports", f)
    assert f"{f}: format ip4set (auto-detected" in p.stderr, p.stderr
    p = ss.loader("import", f"{BL}/reports", f, "--format", "ip4set")
    assert "auto-detected" not in p.stderr, p.stderr


@pytest.mark.parametrize("text,line,msg", [
    ("192.0.2.0/24\n192.0.2.65/26\n", 2, "192.0.2.65/26 has host bits set: did you mean 192.0.2.64/26?"),
    ("# x\n192.0.2.1/24\n", 2, "192.0.2.1/24 has host bits set: did you mean 192.0.2.0/24?"),
    (":3:txt\n192.0.2.1/24 :4:x\n", 2, "192.0.2.1/24 has host bits set: did you mean 192.0.2.0/24?"),
    ("2001:db8::1/64\n", 1, "2001:db8::1/64 has host bits set: did you mean 2001:db8::/64?"),
])
def test_a_cidr_with_host_bits_rejects_the_whole_file(ss, tmp_path, text, line, msg):
    f = write(tmp_path / "hb.txt", text)
    s0 = serial(ss)
    p = ss.loader("import", f"{BL}/reports", f, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"{f}:{line}: {msg}" in p.stderr, p.stderr
    assert serial(ss) == s0
    assert ss.q(q4("192.0.2.0")).rcode() == dns.rcode.NXDOMAIN


def test_country_data_with_host_bits_is_refused(ss, tmp_path):
    f = write(tmp_path / "rir.txt", "ripencc|DE|ipv6|2001:db8::1|32|20000101|allocated\n")
    p = ss.loader("country", CC, f, check=False)
    assert p.returncode == 1
    assert f"{f}:1: 2001:db8::1/32 has host bits set: did you mean 2001:db8::/32?" in p.stderr


@pytest.mark.parametrize("cmd", ["add", "delist", "show"])
def test_admin_refuses_host_bits_with_the_network_it_may_mean(ss, cmd):
    args = [cmd] + ([f"{BL}/manual"] if cmd != "show" else []) + ["192.0.2.1/24"]
    p = ss.admin(*args, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip() == "dnsxl-admin: 192.0.2.1/24 has host bits set: did you mean" \
                               " 192.0.2.0/24?", p.stderr
    assert ss.q(q4("192.0.2.1")).rcode() == dns.rcode.NXDOMAIN


# --- prefixes wider than the bounds --------------------------------------------------

def test_wide_prefixes_need_force(ss, tmp_path):
    # 0.0.0.0/0 holds 127.0.0.1: never listable (RFC 5782), so that is said
    # first, and --force does not change it
    for extra in ([], ["--force"]):
        p = ss.admin("add", f"{BL}/manual", "0.0.0.0/0", *extra, check=False)
        assert p.returncode == 1 and "127.0.0.1 must never be listed" in p.stderr, p.stderr
        assert "--force" not in p.stderr, p.stderr
    p = ss.admin("add", f"{BL}/manual", "::/0", check=False)
    assert p.returncode == 1, p.stderr
    assert "::/0 is wider than /16 (shortest-prefix6 in [loader]); --force lists it" in p.stderr
    p = ss.admin("add", f"{BL}/manual", "64.0.0.0/7", check=False)
    assert p.returncode == 1 and "64.0.0.0/7 is wider than /8" in p.stderr, p.stderr
    assert ss.q(q4("64.1.2.3")).rcode() == dns.rcode.NXDOMAIN
    ss.admin("add", f"{BL}/manual", "64.0.0.0/7", "--force")
    assert dig(ss, q4("65.1.2.3")) == ["127.0.0.4"]
    ss.admin("delist", f"{BL}/manual", "64.0.0.0/7")
    # import and sync: FILE:LINE, nothing written
    f = write(tmp_path / "wide.txt", "192.0.2.180\n2000::/3\n")
    s0 = serial(ss)
    for cmd in ("import", "sync"):
        p = ss.loader(cmd, f"{BL}/reports", f, check=False)
        assert p.returncode == 1, (cmd, p.returncode, p.stderr)
        assert f"{f}:2: 2000::/3 is wider than /16" in p.stderr and "--force" in p.stderr, p.stderr
    assert serial(ss) == s0
    assert ss.q(q4("192.0.2.180")).rcode() == dns.rcode.NXDOMAIN
    ss.loader("import", f"{BL}/reports", f, "--force")
    assert dig(ss, f"{rev6('2001:db8:77::1')}.{BL}") == ["127.0.0.3"]
    # the same bounds for exclusions: !10.0.0.0/7 would carve out as much
    p = ss.admin("add", f"{BL}/manual", "10.0.0.0/7", "--exclude", check=False)
    assert p.returncode == 1 and "wider than /8" in p.stderr, p.stderr


def loader_only_config(extra):
    def cfg(port, dbdir):
        return base_config(port, dbdir, extra=f"\n[loader]\n{extra}\n")
    return cfg


def test_the_bounds_are_config_keys(tmp_path):
    d = tmp_path / "keys"
    d.mkdir()
    s = Server(str(d), config_fn=loader_only_config(
        "shortest-prefix = 12\nshortest-prefix6 = 32\nreplace-max-delete = 20%"))
    p = s.admin("add", f"{BL}/manual", "10.0.0.0/11", check=False)
    assert p.returncode == 1 and "10.0.0.0/11 is wider than /12" in p.stderr, p.stderr
    s.admin("add", f"{BL}/manual", "10.0.0.0/12")
    p = s.admin("add", f"{BL}/manual", "2001:db8::/31", check=False)
    assert p.returncode == 1 and "wider than /32 (shortest-prefix6" in p.stderr, p.stderr
    for i in range(1, 6):
        s.admin("add", f"{BL}/manual", f"192.0.2.{i}")
    keep = write(d / "keep.txt", "10.0.0.0/12\n192.0.2.1\n192.0.2.2\n192.0.2.3\n192.0.2.4\n")
    p = s.loader("import", f"{BL}/manual", keep, "--replace")     # 1 of 6: 17% <= 20%
    assert "1 deleted" in p.stdout, p.stdout
    fewer = write(d / "fewer.txt", "10.0.0.0/12\n192.0.2.1\n192.0.2.2\n")
    p = s.loader("import", f"{BL}/manual", fewer, "--replace", check=False)  # 2 of 5: 40%
    assert p.returncode == 1 and "replace-max-delete = 20%" in p.stderr, p.stderr
    # a bad value is a config error, FILE:LINE, for every program
    (d / "bad").mkdir()
    bad = Server(str(d / "bad"), config_fn=loader_only_config("replace-max-delete = 150%"))
    for argv in ([DNSXLD, "-t", "-c", bad.conf], [ADMIN, "-c", bad.conf, "zones"]):
        p = run_tool(argv, check=False)
        assert p.returncode == 1, p.stderr
        assert re.search(r"dnsxl.conf:\d+: replace-max-delete: bad value '150%'", p.stderr), p.stderr


# --- control characters: refused where they enter, escaped where they leave ---------

def test_reasons_and_txt_with_control_characters_are_refused(ss, tmp_path):
    for opt, val, msg in (("--reason", "spam\brun", "reason contains a control character (0x08)"),
                          ("--txt", "Listed\x1b[2J $", "TXT contains a control character (0x1b)"),
                          ("--reason", "two\nlines", "reason contains a control character (0x0a)")):
        p = ss.admin("add", f"{BL}/manual", "192.0.2.190", opt, val, check=False)
        assert p.returncode == 1, (opt, p.stderr)
        assert msg in p.stderr, p.stderr
    p = ss.admin("delist", f"{BL}/manual", "198.51.100.0/24", "--reason", "a\x7fb", check=False)
    assert p.returncode == 1 and "control character (0x7f)" in p.stderr, p.stderr
    assert ss.q(q4("192.0.2.190")).rcode() == dns.rcode.NXDOMAIN
    # import --reason, and a per-entry TXT of an rbldnsd file: FILE:LINE
    f = write(tmp_path / "ok.txt", "192.0.2.191\n")
    p = ss.loader("import", f"{BL}/reports", f, "--reason", "tab\there", check=False)
    assert p.returncode == 1 and "control character (0x09)" in p.stderr, p.stderr
    g = write(tmp_path / "ctl.zone", b":127.0.0.3:fine $\n192.0.2.192\n192.0.2.193 :3:bad\x08text\n")
    p = ss.loader("import", f"{BL}/reports", g, check=False)
    assert p.returncode == 1, p.stderr
    assert f"{g}:3: TXT contains a control character (0x08)" in p.stderr, p.stderr
    for ip in ("192.0.2.191", "192.0.2.192", "192.0.2.193"):
        assert ss.q(q4(ip)).rcode() == dns.rcode.NXDOMAIN, ip
    # and a TXT longer than 4096 octets once expanded
    h = write(tmp_path / "long.zone", "192.0.2.194 :3:" + "x" * 4100 + "\n")
    p = ss.loader("import", f"{BL}/reports", h, "--format", "ip4set", check=False)
    assert p.returncode == 1 and f"{h}:1:" in p.stderr and "4096" in p.stderr, p.stderr
    p = ss.admin("add", f"{BL}/manual", "192.0.2.194", "--txt", "y" * 5000, check=False)
    assert p.returncode == 1 and "4096" in p.stderr, p.stderr


def test_control_bytes_in_messages_are_escaped(ss, tmp_path):
    name = str(tmp_path / "no\x1b[31msuch")
    p = subprocess.run([LOADER, "-c", ss.conf, "import", f"{BL}/reports", name],
                       capture_output=True, timeout=30)
    assert p.returncode == 1
    assert b"\x1b" not in p.stderr and b"\\x1b[31msuch" in p.stderr, p.stderr
    f = write(tmp_path / "esc.txt", b"192.0.2.195 \x1b]0;owned\x07\n")
    p = subprocess.run([LOADER, "-c", ss.conf, "import", f"{BL}/reports", f],
                       capture_output=True, timeout=30)
    assert p.returncode == 1 and b":1: unexpected text after the key" in p.stderr, p.stderr
    assert b"\x1b" not in p.stderr and b"\x07" not in p.stderr, p.stderr
    p = subprocess.run([ADMIN, "-c", ss.conf, "add", f"{BL}/manual", "192.0.2.1\x1b[2J"],
                       capture_output=True, timeout=30)
    assert p.returncode == 1 and b"\x1b" not in p.stderr, p.stderr


# --- byte order marks and line ends, in every format --------------------------------

def test_bom_and_cr_line_ends_in_every_format(ss, tmp_path):
    bom = b"\xef\xbb\xbf"
    plain = write(tmp_path / "mac.txt", bom + b"# old Mac file\r192.0.2.200\r!192.0.2.201\r192.0.2.202")
    p = ss.loader("import", f"{BL}/reports", plain)
    assert "imported 3 entries" in p.stdout and "format plain" in p.stderr, (p.stdout, p.stderr)
    assert ss.q(q4("192.0.2.201")).rcode() == dns.rcode.NXDOMAIN
    assert dig(ss, q4("192.0.2.200")) == ["127.0.0.3"]
    assert dig(ss, q4("192.0.2.202")) == ["127.0.0.3"]
    rbl = write(tmp_path / "win.zone", bom + b":127.0.0.5:Listed $\r\n192.0.2.203\r\n192.0.2.204\r")
    p = ss.loader("import", f"{BL}/reports", rbl)
    assert "format ip4set" in p.stderr, p.stderr
    assert dig(ss, q4("192.0.2.204")) == ["127.0.0.5"]
    assert dig(ss, q4("192.0.2.204"), "TXT") == ['"Listed 192.0.2.204"']
    dnset = write(tmp_path / "names.zone", bom + b".cr-both.example\r*.cr-wild.example\r")
    ss.loader("import", f"{DBL}/domains", dnset)
    assert dig(ss, f"x.cr-both.example.{DBL}") == ["127.0.1.2"]
    assert dig(ss, f"a.cr-wild.example.{DBL}") == ["127.0.1.2"]
    csv = write(tmp_path / "cc.csv", bom + b"start,end,cc\r198.51.100.0,198.51.100.255,JP\r")
    ss.loader("country", CC, csv, "--force")
    assert dig(ss, q4("198.51.100.9", CC)) == ["127.0.1.136"]
    rir = write(tmp_path / "rir.txt",
                bom + b"2|apnic|1|2|19830705|20240101|+1000\rapnic|AU|ipv4|203.0.113.0|256|x|allocated\r")
    ss.loader("country", CC, rir, "--force")
    assert dig(ss, q4("203.0.113.9", CC)) == ["127.0.0.36"]
    # a bad line of a CR-only file is named by the line an editor shows
    bad = write(tmp_path / "bad.txt", b"192.0.2.205\r192.0.2.206\r\r192.0.2.999\r")
    p = ss.loader("import", f"{BL}/reports", bad, check=False)
    assert p.returncode == 1 and f"{bad}:4: bad key '192.0.2.999'" in p.stderr, p.stderr
    # a UTF-16 file is said to be one
    u16 = write(tmp_path / "u16.txt", "192.0.2.207\n".encode("utf-16"))
    p = ss.loader("import", f"{BL}/reports", u16, check=False)
    assert p.returncode == 1 and "UTF-16" in p.stderr, p.stderr


# --- one exit status table, --help and --version ------------------------------------

EXIT_ROWS = ["0  done", "1  bad usage or bad input", "2  store or system error",
             "3  done, but some inputs were skipped"]


def test_version_and_help_on_all_three_programs():
    for prog in (DNSXLD, ADMIN, LOADER):
        name = os.path.basename(prog)
        for opt in ("-V", "--version"):
            p = run_tool([prog, opt])
            assert p.stdout.startswith(f"{name} "), (prog, p.stdout)
            assert re.match(rf"{name} \d+\.\d+\.\d+", p.stdout), p.stdout
        for opt in ("-h", "--help"):
            p = run_tool([prog, opt])
            assert "usage:" in p.stdout and "--version" in p.stdout, (prog, p.stdout)
            for row in EXIT_ROWS:
                assert row in p.stdout, (prog, row, p.stdout)
        p = run_tool([prog, "--no-such-option"], check=False)
        assert p.returncode == 1, (prog, p.returncode)
    p = run_tool([DNSXLD, "--check", "--config", "/nonexistent/dnsxl.conf"], check=False)
    assert p.returncode == 1, p.stderr


@pytest.mark.parametrize("prog,cmd", [
    (ADMIN, c) for c in ("zones", "add", "delist", "list", "show")] + [
    (LOADER, c) for c in ("import", "country", "expire", "traps", "reports", "sync")])
def test_every_command_has_help(prog, cmd):
    p = run_tool([prog, cmd, "--help"])
    assert p.stdout.startswith("usage: ") and f" {cmd}" in p.stdout, p.stdout


def man_exit_rows(page):
    with open(os.path.join(REPO, "man", page)) as f:
        text = f.read()
    sec = text.split(".SH EXIT STATUS", 1)[1].split("\n.SH ", 1)[0]
    return re.findall(r"^\.B ([0-9])\n(.+)$", sec, re.M)


def test_the_man_pages_print_the_same_exit_table():
    tables = {page: man_exit_rows(page) for page in ("dnsxld.8", "dnsxl-admin.8",
                                                     "dnsxl-loader.8")}
    for page, rows in tables.items():
        assert [code for code, _ in rows] == ["0", "1", "2", "3"], (page, rows)
    first = [text for _, text in tables["dnsxl-admin.8"]]
    for page, rows in tables.items():
        assert [text for _, text in rows] == first, page
