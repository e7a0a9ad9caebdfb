"""Zone kinds (issue 3) over real DNS: domain zones, per-entry values,
bitmask answers, a dnswl-style allow list, country zones loaded with
`dnsxl-loader country`, and rbldnsd-format imports of every dataset type.

One dnsxld (conftest.Server) with this file's own config, fed through the
real dnsxl-admin and dnsxl-loader.
"""
import os
import tempfile

import dns.rcode
import pytest

from conftest import BL, REPO, Server, a_set, rev4, rev6, soa_of, txt_set

FIX = os.path.join(REPO, "tests", "fixtures")
RBL = os.path.join(FIX, "rbldnsd")
CTRY = os.path.join(FIX, "country")

DOM = "dom.example.org"        # kind = domain
MULTI = "multi.example.org"    # answer = bitmask
MULTI2 = "multi2.example.org"  # answer = bitmask, codes 127.0.1.x
WL = "wl.example.org"          # dnswl.org-style allow list
CC = "cc.example.org"          # country zone, one list
CC2 = "cc2.example.org"        # country zone, two lists
# one zone per rbldnsd dataset type
R = {"ip4set": "r4set.example.org", "ip4tset": "r4tset.example.org",
     "ip4trie": "r4trie.example.org", "ip6tset": "r6tset.example.org",
     "ip6trie": "r6trie.example.org", "dnset": "rdn.example.org"}

SOA = "soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 300"


def kinds_config(port, dbdir):
    rzones = "".join(f"""
[zone {z}]
kind = {"domain" if t == "dnset" else "ip"}
{SOA}
[list {z}/data]
code = 127.0.0.2
""" for t, z in R.items())
    return f"""\
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}
workers  = 2

[zone {BL}]
kind = ip
{SOA}
txt  = zone text for $
[list {BL}/a]
code = 127.0.0.2
txt  = list a says $ is listed in $list
[list {BL}/b]
code = 127.0.0.4
[list {BL}/c]
code = 127.0.0.6
txt  = zone text for $

[zone {DOM}]
kind = domain
{SOA}
txt  = Domain $ listed in $zone
[list {DOM}/names]
code = 127.0.1.2

[zone {MULTI}]
kind = ip
{SOA}
answer = bitmask
[list {MULTI}/a]
code = 127.0.0.2
txt  = in a: $
[list {MULTI}/b]
code = 127.0.0.4
txt  = in b: $
[list {MULTI}/c]
code = 127.0.0.8

[zone {MULTI2}]
kind = ip
{SOA}
answer = bitmask
[list {MULTI2}/x]
code = 127.0.1.4
[list {MULTI2}/y]
code = 127.0.1.8

; dnswl.org style: A 127.0.X.Y, X = category, Y = trust (0 none .. 3 high)
[zone {WL}]
kind = ip
{SOA}
txt  = $ is allow-listed ($list)
[list {WL}/esp]
code = 127.0.15.1
[list {WL}/financial]
code = 127.0.5.3

[zone {CC}]
kind = ip
{SOA}
[list {CC}/countries]
code = 127.0.0.2

[zone {CC2}]
kind = ip
{SOA}
[list {CC2}/v4]
code = 127.0.0.2
[list {CC2}/v6]
code = 127.0.0.2
{rzones}"""


@pytest.fixture(scope="module")
def ks():
    with tempfile.TemporaryDirectory(prefix="dnsxl-kinds-") as d:
        s = Server(d, config_fn=kinds_config)
        a = s.admin
        # domain zone
        a("add", f"{DOM}/names", "spam.example")
        a("add", f"{DOM}/names", "*.phish.example")
        a("add", f"{DOM}/names", "*.bad.example")
        a("add", f"{DOM}/names", "ok.bad.example", "--exclude")
        a("add", f"{DOM}/names", "own.example", "--code", "127.0.1.9", "--txt", "own: $")
        # per-entry values in an ip zone
        a("add", f"{BL}/a", "192.0.2.10", "--code", "127.0.0.9", "--txt", "own text for $")
        a("add", f"{BL}/a", "192.0.2.11")
        a("add", f"{BL}/b", "192.0.2.11")
        a("add", f"{BL}/b", "192.0.2.12", "--txt", "b own $")
        a("add", f"{BL}/b", "192.0.2.13")
        a("add", f"{BL}/c", "192.0.2.13")
        # bitmask: one key in three lists, one with its own code
        a("add", f"{MULTI}/a", "192.0.2.5")
        a("add", f"{MULTI}/b", "192.0.2.5")
        a("add", f"{MULTI}/c", "192.0.2.5", "--code", "127.0.0.16")
        a("add", f"{MULTI}/b", "192.0.2.6")
        a("add", f"{MULTI}/c", "192.0.2.6", "--txt", "c own $")
        a("add", f"{MULTI2}/x", "192.0.2.5")
        a("add", f"{MULTI2}/y", "192.0.2.5")
        a("add", f"{MULTI2}/y", "192.0.2.6")
        # allow list
        a("add", f"{WL}/esp", "192.0.2.25")
        a("add", f"{WL}/financial", "198.51.100.0/24")
        a("add", f"{WL}/esp", "203.0.113.5", "--code", "127.0.15.2")
        # rbldnsd-format imports, one per dataset type
        for t, z in R.items():
            s.loader("import", f"{z}/data", os.path.join(RBL, f"{t}.txt"), "--format", t)
        s.start()
        try:
            yield s
        finally:
            was_alive = s.alive()
            rc = s.stop()
            assert was_alive, f"dnsxld died\n{s.stderr_text()[-3000:]}"
            assert rc == 0, f"dnsxld exited {rc}\n{s.stderr_text()[-3000:]}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def q4(srv, ip, zone, t="A"):
    return srv.q(f"{rev4(ip)}.{zone}", t)


def q6(srv, ip, zone, t="A"):
    return srv.q(f"{rev6(ip)}.{zone}", t)


def listed(r, a=None, txt=None):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    if a is not None:
        assert a_set(r) == sorted(a)
    if txt is not None:
        assert txt_set(r) == sorted(txt)
    return r


def nxdomain(r):
    assert r.rcode() == dns.rcode.NXDOMAIN, (dns.rcode.to_text(r.rcode()), r.answer)
    assert r.answer == []


def nodata(r):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert r.answer == []
    assert soa_of(r) is not None


def both_nodata(srv, name):
    """An empty non-terminal: NODATA for A and TXT over UDP and TCP."""
    for tcp in (False, True):
        for t in ("A", "TXT"):
            nodata(srv.q(name, t, tcp=tcp))


def serial(srv, zone):
    return soa_of(srv.q(zone, "SOA"), "answer")[0].serial


# --- domain zones -------------------------------------------------------------

def test_domain_exact_name_only(ks):
    listed(ks.q(f"spam.example.{DOM}"), ["127.0.1.2"])
    nxdomain(ks.q(f"www.spam.example.{DOM}"))      # exact entry: no subdomains
    both_nodata(ks, f"example.{DOM}")               # an empty non-terminal (RFC 8020)
    nxdomain(ks.q(f"example.org.{DOM}"))


def test_domain_wildcard_is_subdomains_only(ks):
    both_nodata(ks, f"phish.example.{DOM}")         # not listed, but names below it are
    listed(ks.q(f"a.phish.example.{DOM}"), ["127.0.1.2"])
    listed(ks.q(f"a.b.c.d.phish.example.{DOM}"), ["127.0.1.2"])


def test_domain_case_insensitive(ks):
    listed(ks.q(f"SpAm.ExAmPlE.{DOM}"), ["127.0.1.2"])
    listed(ks.q(f"X.PHISH.example.{DOM.upper()}"), ["127.0.1.2"])


def test_domain_exclusion_beats_wildcard_only_for_its_name(ks):
    listed(ks.q(f"x.bad.example.{DOM}"), ["127.0.1.2"])
    # not listed, but the names below it are: NODATA, never NXDOMAIN (a
    # resolver would deny x.ok.bad.example from its cache, RFC 8020)
    both_nodata(ks, f"ok.bad.example.{DOM}")
    # deeper than the exclusion: the wildcard of bad.example applies again
    listed(ks.q(f"x.ok.bad.example.{DOM}"), ["127.0.1.2"])


def test_domain_rfc5782_test_points(ks):
    listed(ks.q(f"test.{DOM}"), ["127.0.1.2"])
    nxdomain(ks.q(f"invalid.{DOM}"))
    nxdomain(ks.q(f"INVALID.{DOM}"))


def test_domain_txt_dollar_is_the_queried_name(ks):
    r = listed(ks.q(f"a.B.phish.example.{DOM}", "TXT"))
    assert txt_set(r) == [f"Domain a.b.phish.example listed in {DOM}"]
    r = listed(ks.q(f"spam.example.{DOM}", "TXT"))
    assert txt_set(r) == [f"Domain spam.example listed in {DOM}"]


def test_domain_per_entry_values(ks):
    listed(ks.q(f"own.example.{DOM}"), ["127.0.1.9"])
    listed(ks.q(f"own.example.{DOM}", "TXT"), txt=["own: own.example"])


# --- per-entry values in ip zones -------------------------------------------------

def test_entry_code_and_txt_override_the_lists(ks):
    listed(q4(ks, "192.0.2.10", BL), ["127.0.0.9"])
    listed(q4(ks, "192.0.2.10", BL, "TXT"), txt=["own text for 192.0.2.10"])


def test_entries_without_own_values_use_list_and_zone_values(ks):
    listed(q4(ks, "192.0.2.11", BL), ["127.0.0.2", "127.0.0.4"])
    listed(q4(ks, "192.0.2.11", BL, "TXT"),
           txt=["list a says 192.0.2.11 is listed in a", "zone text for 192.0.2.11"])


def test_entry_own_txt_with_list_code(ks):
    listed(q4(ks, "192.0.2.12", BL), ["127.0.0.4"])
    listed(q4(ks, "192.0.2.12", BL, "TXT"), txt=["b own 192.0.2.12"])


def test_identical_txt_from_two_lists_answered_once(ks):
    # b uses the zone template, c has the same text as its own: RFC 2181 5
    listed(q4(ks, "192.0.2.13", BL), ["127.0.0.4", "127.0.0.6"])
    r = listed(q4(ks, "192.0.2.13", BL, "TXT"))
    assert [len(rrset) for rrset in r.answer] == [1]
    assert txt_set(r) == ["zone text for 192.0.2.13"]


# --- bitmask ----------------------------------------------------------------------------

def test_bitmask_one_a_with_ored_codes(ks):
    r = listed(q4(ks, "192.0.2.5", MULTI))
    assert a_set(r) == ["127.0.0.22"]          # 2 | 4 | 16 (c's own code)
    assert len(r.answer) == 1 and len(r.answer[0]) == 1


def test_bitmask_one_txt_per_list_with_text(ks):
    r = listed(q4(ks, "192.0.2.5", MULTI, "TXT"))
    assert txt_set(r) == ["in a: 192.0.2.5", "in b: 192.0.2.5"]   # c has no TXT
    r = listed(q4(ks, "192.0.2.6", MULTI, "TXT"))
    assert txt_set(r) == ["c own 192.0.2.6", "in b: 192.0.2.6"]
    listed(q4(ks, "192.0.2.6", MULTI), ["127.0.0.12"])


def test_bitmask_unlisted(ks):
    nxdomain(q4(ks, "192.0.2.7", MULTI))


def test_bitmask_keeps_the_first_three_octets_of_the_codes(ks):
    # codes 127.0.1.4 and 127.0.1.8: never 127.0.0.12, a code no list has
    listed(q4(ks, "192.0.2.5", MULTI2), ["127.0.1.12"])
    listed(q4(ks, "192.0.2.6", MULTI2), ["127.0.1.8"])
    nxdomain(q4(ks, "192.0.2.7", MULTI2))
    # the RFC 5782 test point answers as the first list
    listed(ks.q(f"2.0.0.127.{MULTI2}"), ["127.0.1.4"])


# --- empty non-terminals of imported data ------------------------------------------

def test_empty_non_terminals_of_rbldnsd_imports(ks):
    # ip4set: 192.0.2.1.., 198.51.100/24, 10.21/16; ip6trie: 2001:db8:c000/36 ...
    for n in ("2.0.192", "100.51.198", "21.10", "10", "0.0.127"):
        both_nodata(ks, f"{n}.{R['ip4set']}")
    nxdomain(ks.q(f"22.10.{R['ip4set']}"))
    six = ".".join(rev6("2001:db8:c000::").split(".")[32 - 9:])     # 2001:db8:c/36
    both_nodata(ks, f"{six}.{R['ip6trie']}")
    for k in (4, 8, 12):
        both_nodata(ks, ".".join(rev6("2001:db8:c000::").split(".")[32 - k:]) + "." + R["ip6trie"])
    nxdomain(ks.q(".".join(rev6("2001:db8:e000::").split(".")[32 - 9:]) + "." + R["ip6trie"]))
    # dnset: *.wild.example and !ok.wild.example
    both_nodata(ks, f"wild.example.{R['dnset']}")
    both_nodata(ks, f"ok.wild.example.{R['dnset']}")
    listed(ks.q(f"x.ok.wild.example.{R['dnset']}"), ["127.0.1.2"])
    nxdomain(ks.q(f"spam.example.org.{R['dnset']}"))


# --- allow list (dnswl style) -------------------------------------------------------

def test_allow_list_category_and_trust(ks):
    listed(q4(ks, "192.0.2.25", WL), ["127.0.15.1"])
    listed(q4(ks, "192.0.2.25", WL, "TXT"), txt=["192.0.2.25 is allow-listed (esp)"])
    listed(q4(ks, "198.51.100.77", WL), ["127.0.5.3"])
    listed(q4(ks, "203.0.113.5", WL), ["127.0.15.2"])
    nxdomain(q4(ks, "192.0.2.26", WL))


# --- country zones ------------------------------------------------------------------------

# ISO 3166-1 numeric codes (the standard, not our table): A = 127.0.n/256.n%256
ISO = {"us": 840, "de": 276, "jp": 392, "nl": 528, "ca": 124, "gb": 826, "fr": 250,
       "br": 76}


def cc_a(cc):
    n = ISO[cc]
    return f"127.0.{n >> 8}.{n & 255}"


def country(r, cc):
    listed(r, [cc_a(cc)])


def test_country_delegated_then_reload_replaces(ks):
    before = serial(ks, CC)
    p = ks.loader("country", CC, os.path.join(CTRY, "delegated-v1.txt"))
    assert "into " + CC + "/countries" in p.stdout
    assert serial(ks, CC) != before
    country(q4(ks, "198.51.100.1", CC), "us")
    assert cc_a("us") == "127.0.3.72"
    listed(q4(ks, "198.51.100.255", CC, "TXT"), txt=["us"])
    # 96 addresses: 203.0.113.0 - 203.0.113.95 (not a power of two)
    country(q4(ks, "203.0.113.0", CC), "de")
    country(q4(ks, "203.0.113.95", CC), "de")
    listed(q4(ks, "203.0.113.95", CC, "TXT"), txt=["de"])
    nxdomain(q4(ks, "203.0.113.96", CC))
    nxdomain(q4(ks, "203.0.113.200", CC))       # "available": no country
    nxdomain(q4(ks, "192.0.2.1", CC))           # "EU": no country
    country(q6(ks, "2001:db8:1ff::1", CC), "jp")
    country(q6(ks, "2001:db8:200:ffff::1", CC), "nl")
    nxdomain(q6(ks, "2001:db8:201::1", CC))
    listed(q6(ks, "2001:db8:100::", CC, "TXT"), txt=["jp"])

    # the second file replaces the list: US gone, CA on half of it
    s1 = serial(ks, CC)
    ks.loader("country", f"{CC}/countries", os.path.join(CTRY, "delegated-v2.txt"), "--force")
    assert serial(ks, CC) != s1
    country(q4(ks, "198.51.100.127", CC), "ca")
    nxdomain(q4(ks, "198.51.100.128", CC))
    nxdomain(q4(ks, "203.0.113.0", CC))
    nxdomain(q6(ks, "2001:db8:200::1", CC))
    country(q6(ks, "2001:db8:100::1", CC), "jp")


def test_country_csv_into_named_list(ks):
    ks.loader("country", f"{CC2}/v4", os.path.join(CTRY, "ranges.csv"))
    country(q4(ks, "192.0.2.0", CC2), "gb")
    country(q4(ks, "192.0.2.127", CC2), "gb")
    country(q4(ks, "192.0.2.128", CC2), "fr")
    listed(q4(ks, "192.0.2.255", CC2, "TXT"), txt=["fr"])
    country(q6(ks, "2001:db8:3ff:ffff::1", CC2), "br")
    nxdomain(q6(ks, "2001:db8:400::", CC2))


def test_country_needs_a_list_when_zone_has_several(ks):
    p = ks.loader("country", CC2, os.path.join(CTRY, "ranges.csv"), check=False)
    assert p.returncode == 1
    assert "list" in p.stderr and CC2 in p.stderr


def test_country_bad_code_writes_nothing(ks):
    ks.loader("country", CC, os.path.join(CTRY, "delegated-v1.txt"))
    before = serial(ks, CC)
    bad = os.path.join(CTRY, "bad-code.csv")
    p = ks.loader("country", CC, bad, check=False)
    assert p.returncode == 1
    assert f"{bad}:3:" in p.stderr, p.stderr
    assert serial(ks, CC) == before
    country(q4(ks, "198.51.100.1", CC), "us")     # old data still answers
    nxdomain(q4(ks, "192.0.2.1", CC))


def test_country_domain_zone_refused(ks):
    p = ks.loader("country", f"{DOM}/names", os.path.join(CTRY, "ranges.csv"), check=False)
    assert p.returncode == 1


# --- rbldnsd-format imports ----------------------------------------------------------

def test_ip4set_default_lines_and_entry_values(ks):
    z = R["ip4set"]
    # before the first default line: the list's value (no TXT configured)
    listed(q4(ks, "192.0.2.20", z), ["127.0.0.2"])
    nodata(q4(ks, "192.0.2.20", z, "TXT"))
    listed(q4(ks, "192.0.2.1", z), ["127.0.0.2"], None)
    listed(q4(ks, "192.0.2.1", z, "TXT"), txt=["Listed in set4: 192.0.2.1"])
    listed(q4(ks, "192.0.2.2", z), ["127.0.0.3"])
    listed(q4(ks, "192.0.2.2", z, "TXT"), txt=["Own text for 192.0.2.2"])
    # ":127.0.0.5:" = own A and no TXT at all
    listed(q4(ks, "192.0.2.3", z), ["127.0.0.5"])
    nodata(q4(ks, "192.0.2.3", z, "TXT"))
    # ":6" = own A, the default TXT
    listed(q4(ks, "192.0.2.4", z), ["127.0.0.6"])
    listed(q4(ks, "192.0.2.4", z, "TXT"), txt=["Listed in set4: 192.0.2.4"])
    # text only = the default A
    listed(q4(ks, "192.0.2.5", z), ["127.0.0.2"])
    listed(q4(ks, "192.0.2.5", z, "TXT"), txt=["Text only for 192.0.2.5"])
    # a later default line
    listed(q4(ks, "203.0.113.200", z), ["127.0.0.10"], None)
    listed(q4(ks, "203.0.113.200", z, "TXT"), txt=["Second default 203.0.113.200"])
    nxdomain(q4(ks, "192.0.2.6", z))


def test_ip4set_short_forms_ranges_exclusions(ks):
    z = R["ip4set"]
    for ip in ("198.51.100.0", "198.51.100.6", "198.51.100.8", "198.51.100.255"):
        listed(q4(ks, ip, z), ["127.0.0.2"])
    nxdomain(q4(ks, "198.51.100.7", z))
    listed(q4(ks, "198.51.100.64", z), ["127.0.0.9"])
    listed(q4(ks, "198.51.100.127", z, "TXT"), txt=["sub range 198.51.100.127"])
    nxdomain(q4(ks, "198.51.101.0", z))
    nxdomain(q4(ks, "10.20.30.39", z))
    listed(q4(ks, "10.20.30.40", z), ["127.0.0.2"])
    listed(q4(ks, "10.20.30.50", z), ["127.0.0.2"])
    nxdomain(q4(ks, "10.20.30.51", z))
    listed(q4(ks, "10.20.31.0", z), ["127.0.0.2"])
    listed(q4(ks, "10.20.31.9", z), ["127.0.0.2"])
    nxdomain(q4(ks, "10.20.31.10", z))
    listed(q4(ks, "10.21.255.255", z), ["127.0.0.2"])
    nxdomain(q4(ks, "10.22.0.0", z))


def test_ip4tset(ks):
    z = R["ip4tset"]
    listed(q4(ks, "192.0.2.10", z), ["127.0.0.3"], None)
    listed(q4(ks, "192.0.2.11", z, "TXT"), txt=["tset 192.0.2.11"])
    nxdomain(q4(ks, "192.0.2.12", z))


def test_ip4trie_longest_prefix_and_exclusion(ks):
    z = R["ip4trie"]
    listed(q4(ks, "192.0.2.1", z), ["127.0.0.2"])
    listed(q4(ks, "192.0.2.129", z), ["127.0.0.4"])
    listed(q4(ks, "192.0.2.129", z, "TXT"), txt=["upper half 192.0.2.129"])
    nxdomain(q4(ks, "192.0.2.130", z))
    nxdomain(q4(ks, "192.0.3.0", z))


def test_ip6tset(ks):
    z = R["ip6tset"]
    listed(q6(ks, "2001:db8:1:2::1", z), ["127.0.0.2"])
    listed(q6(ks, "2001:db8:1:3:ffff:ffff:ffff:ffff", z, "TXT"),
           txt=["v6 tset 2001:db8:1:3:ffff:ffff:ffff:ffff"])
    nxdomain(q6(ks, "2001:db8:1:2::5", z))
    nxdomain(q6(ks, "2001:db8:1:4::", z))


def test_ip6trie(ks):
    z = R["ip6trie"]
    listed(q6(ks, "2001:db8:cfff::1", z), ["127.0.1.2"])
    nxdomain(q6(ks, "2001:db8:d000::", z))
    listed(q6(ks, "2001:db8:def7:4242::9", z), ["127.0.1.3"])
    listed(q6(ks, "2001:db8:def7:4242::9", z, "TXT"), txt=["This one smells funny"])
    listed(q6(ks, "2001:db8:42::1", z, "TXT"),
           txt=["Listed, see http://example.com/lookup?2001:db8:42::1"])
    nxdomain(q6(ks, "2001:db8:42::bead", z))


def test_dnset(ks):
    z = R["dnset"]
    listed(ks.q(f"spam.example.{z}"), ["127.0.1.2"])
    nxdomain(ks.q(f"a.spam.example.{z}"))
    nodata(ks.q(f"wild.example.{z}"))              # empty non-terminals (RFC 8020)
    listed(ks.q(f"a.wild.example.{z}"), ["127.0.1.2"])
    nodata(ks.q(f"ok.wild.example.{z}"))
    listed(ks.q(f"both.example.{z}"), ["127.0.1.2"])
    listed(ks.q(f"x.y.both.example.{z}", "TXT"), txt=["Domain x.y.both.example listed"])
    listed(ks.q(f"own.example.{z}"), ["127.0.0.3"], None)
    listed(ks.q(f"own.example.{z}", "TXT"), txt=["own domain text own.example"])
    listed(ks.q(f"notxt.example.{z}"), ["127.0.0.4"])
    nodata(ks.q(f"notxt.example.{z}", "TXT"))


def test_bad_line_rejects_whole_file(ks):
    z = R["ip4set"]
    before = serial(ks, z)
    bad = os.path.join(RBL, "bad-ip4set.txt")
    p = ks.loader("import", f"{z}/data", bad, "--format", "ip4set", "--replace", check=False)
    assert p.returncode == 1, p.stderr
    assert f"{bad}:4:" in p.stderr, p.stderr
    assert serial(ks, z) == before
    # nothing of the bad file, everything of the old data
    nxdomain(q4(ks, "192.0.2.99", z))
    listed(q4(ks, "192.0.2.2", z), ["127.0.0.3"])
    listed(q4(ks, "192.0.2.1", z, "TXT"), txt=["Listed in set4: 192.0.2.1"])


def test_auto_format_detects_rbldnsd_lines_plain_cannot_hold(ks, tmp_path):
    # no --format, no `:A:TXT` or `$` line: a range, a short form and a
    # value after the key still make it an rbldnsd ip4set
    z = R["ip4tset"]
    f = tmp_path / "auto.txt"
    f.write_text("# no default line\n10.9.0.1-10.9.0.3\n10.10\n10.11.0.1 :5:auto $\n")
    ks.loader("import", f"{z}/data", str(f))
    for ip in ("10.9.0.1", "10.9.0.3", "10.10.200.1"):
        listed(q4(ks, ip, z), ["127.0.0.2"])
    nxdomain(q4(ks, "10.9.0.4", z))
    listed(q4(ks, "10.11.0.1", z), ["127.0.0.5"])
    listed(q4(ks, "10.11.0.1", z, "TXT"), txt=["auto 10.11.0.1"])
    # a domain zone: ".name" is the name and its subdomains
    d = R["dnset"]
    g = tmp_path / "auto-d.txt"
    g.write_text(".auto-both.example\n")
    ks.loader("import", f"{d}/data", str(g))
    listed(ks.q(f"auto-both.example.{d}"), ["127.0.0.2"])
    listed(ks.q(f"x.auto-both.example.{d}"), ["127.0.0.2"])
