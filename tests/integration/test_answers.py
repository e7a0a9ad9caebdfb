"""What dnsxld answers (dnsxld(8), README "DNS behaviour"): RFC 5782 data, RFC 1034/1035 basics."""
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from conftest import (ACL, BL, BL_SOA_MIN, BL_TTL, DBL, DBL_SOA_MIN, DBL_TTL, MULTI, V6ONLY,
                      a_set, parse_rrs, rev4, rev6, soa_of, txt_set)


def bl(ip):
    return f"{rev4(ip)}.{BL}"


def bl6(ip):
    return f"{rev6(ip)}.{BL}"


def assert_listed(r, codes):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert a_set(r) == sorted(codes)


def assert_nxdomain(r, zone=BL, ttl=BL_TTL, minimum=BL_SOA_MIN):
    assert r.rcode() == dns.rcode.NXDOMAIN, dns.rcode.to_text(r.rcode())
    assert r.answer == []
    soa = soa_of(r)
    assert soa is not None, "NXDOMAIN without SOA in authority"
    assert soa.name.to_text().lower() == zone + "."
    assert soa.ttl == min(ttl, minimum)
    assert r.flags & dns.flags.AA


def assert_nodata(r, zone=BL, ttl=BL_TTL, minimum=BL_SOA_MIN):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert r.answer == []
    soa = soa_of(r)
    assert soa is not None, "NODATA without SOA in authority"
    assert soa.name.to_text().lower() == zone + "."
    assert soa.ttl == min(ttl, minimum)
    assert r.flags & dns.flags.AA


# --- listed addresses -------------------------------------------------------

def test_listed_in_two_lists_gets_one_a_per_list(srv):
    r = srv.q(bl("192.0.2.99"), "A")
    assert_listed(r, ["127.0.0.2", "127.0.0.4"])
    assert r.flags & dns.flags.AA
    for rrset in r.answer:
        assert rrset.ttl == BL_TTL


def test_listed_txt_one_per_list_with_templates_expanded(srv):
    r = srv.q(bl("192.0.2.99"), "TXT")
    assert r.rcode() == dns.rcode.NOERROR
    txts = txt_set(r)
    assert len(txts) == 2, txts
    assert "Seen hitting spam traps - https://example.org/lookup?q=192.0.2.99" in txts
    other = [t for t in txts if not t.startswith("Seen hitting")][0]
    # zone template: "Listed in $list: $reason - https://example.org/lookup?q=$"
    # ($list: the list name; "bl.example.org/manual" accepted too, the contract is not precise)
    assert other in ("Listed in manual: manual listing - https://example.org/lookup?q=192.0.2.99",
                     "Listed in bl.example.org/manual: manual listing - https://example.org/lookup?q=192.0.2.99"), other


def test_txt_template_dollar_is_the_queried_ip(srv):
    r = srv.q(bl("192.0.2.50"), "TXT")
    txts = txt_set(r)
    assert len(txts) == 1
    assert txts[0].endswith("manual reason - https://example.org/lookup?q=192.0.2.50"), txts
    assert "$" not in txts[0]


def test_entry_own_txt_and_code(srv):
    r = srv.q(bl("203.0.113.7"), "TXT")
    assert txt_set(r) == ["own text for 203.0.113.7"]


def test_any_returns_a_and_txt(srv):
    r = srv.q(bl("192.0.2.99"), "ANY")
    assert r.rcode() == dns.rcode.NOERROR
    types = {rrset.rdtype for rrset in r.answer}
    assert dns.rdatatype.A in types, "ANY must not be empty for a listed name"
    assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    assert len(txt_set(r)) == 2


def test_imported_entries_answer(srv):
    assert_listed(srv.q(bl("192.0.2.77")), ["127.0.0.3"])
    assert_listed(srv.q(bl("192.0.2.130")), ["127.0.0.3"])   # inside 192.0.2.128/28
    assert_nxdomain(srv.q(bl("192.0.2.144")))                # just past it


# --- negative answers ---------------------------------------------------------

def test_unlisted_is_nxdomain_with_soa_ttl_min_of_ttl_and_minimum(srv):
    assert_nxdomain(srv.q(bl("192.0.2.98"), "A"))
    assert_nxdomain(srv.q(bl("192.0.2.98"), "TXT"))


def test_unlisted_domain_nxdomain_soa_ttl_is_zone_ttl_when_smaller(srv):
    assert_nxdomain(srv.q(f"ham.example.{DBL}", "A"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


def test_nodata_for_other_types_on_listed_name(srv):
    for t in ("AAAA", "MX", "CAA", "TYPE65280", "NS", "SOA", "SRV", "HINFO"):
        r = srv.q(bl("192.0.2.99"), t)
        assert_nodata(r)


def test_nodata_at_apex_for_other_types(srv):
    assert_nodata(srv.q(BL, "A"))
    assert_nodata(srv.q(BL, "TXT"))


# --- empty non-terminals (RFC 8020 2, RFC 9156): NOERROR, no data, the SOA ---

def nibbles(ip, n):
    """The first n nibbles of an IPv6 address as a reversed nibble name."""
    return ".".join(rev6(ip).split(".")[32 - n:])


def both(srv, name, check, **kw):
    """The same answer over UDP and TCP, for A and TXT."""
    for tcp in (False, True):
        for t in ("A", "TXT"):
            check(srv.q(name, t, tcp=tcp), **kw)


# names with something listed (or the RFC 5782 test point) below them
ENTS_IP = [
    "0.0.127", "0.127", "127",                 # ancestors of the test point 2.0.0.127
    "2.0.192", "0.192", "192",                 # 192.0.2.99 and others
    "100.51.198", "51.198",                    # 198.51.100.0/24
    "113.0.203",                               # 203.0.113.0/24
    "2",                                       # as a nibble: 2000::/4 holds 2001:db8::/32 entries
    "0",                                       # as a nibble: ::/4 holds ::ffff:0:0/96 (IPv4 data)
    nibbles("2001:db8:1::", 12),               # 2001:db8:1::/48 listed: its /48 ...
    nibbles("2001:db8:1::", 8),                # ... and shorter prefixes,
    nibbles("2001:db8:1:2::5", 20),            # ... and longer ones inside it
    nibbles("2001:db8:1:2::5", 31),
    nibbles("2001:db8:ff::1", 31),             # ancestors of one listed IPv6 address
    nibbles("2001:db8:ff::1", 16),
    nibbles("::ffff:192.0.2.99", 28),          # IPv4-mapped: ::ffff:c000:0/112 = 192.0.0.0/16
    nibbles("::ffff:192.0.2.99", 30),          # ::ffff:c000:200/120 = 192.0.2.0/24
    nibbles("::ffff:127.0.0.2", 31),           # ancestors of the IPv6 test point
    nibbles("::ffff:127.0.0.2", 24),
]
ENTS_DOMAIN = ["example", "phish.example", "PHISH.Example"]

# names with nothing below them: NXDOMAIN as before
NX_IP = [
    "3.2.1",                                   # 1.2.3.0/24: nothing there
    "10",                                      # 10.0.0.0/8; not a nibble
    "1",                                       # 1.0.0.0/8, and 1000::/4 as a nibble
    "99.2.0.192.1",                            # 5 labels, not nibbles
    "1.99.2.0.192",
    "099.2.0",                                 # a leading zero
    "256.2.0", "x.2.0.192",
    nibbles("2001:db8:2::", 12),               # 2001:db8:2::/48: nothing there
    nibbles("::ffff:192.0.3.0", 30),           # ::ffff:192.0.3.0/120 = 192.0.3.0/24
    "0." + rev6("2001:db8:1::"),               # 33 nibbles
    "ab." + nibbles("2001:db8:1::", 12),       # a two-digit label
]


def test_empty_non_terminals_are_nodata_over_udp_and_tcp(srv):
    for n in ENTS_IP:
        both(srv, f"{n}.{BL}", assert_nodata)


def test_empty_non_terminals_in_a_domain_zone(srv):
    for n in ENTS_DOMAIN:
        both(srv, f"{n}.{DBL}", assert_nodata, zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


def test_names_with_nothing_below_stay_nxdomain(srv):
    for n in NX_IP:
        both(srv, f"{n}.{BL}", assert_nxdomain)
    for n in ("ham.example", "www.spam.example", "spam.example.org"):
        both(srv, f"{n}.{DBL}", assert_nxdomain, zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


def test_empty_non_terminal_needs_an_unexpired_entry_in_its_range(srv):
    # 198.18.0.0/15 holds nothing until an entry is added inside it; the
    # entry makes every ancestor exist, and delisting it takes them away
    names = ["7.18.198", "18.198"]
    for n in names:
        assert_nxdomain(srv.q(f"{n}.{BL}"))
    srv.admin("add", f"{BL}/reports", "198.18.7.1")
    try:
        for n in names:
            both(srv, f"{n}.{BL}", assert_nodata)
        assert_nxdomain(srv.q(f"8.18.198.{BL}"))
        assert_listed(srv.q(bl("198.18.7.1")), ["127.0.0.3"])
    finally:
        srv.admin("delist", f"{BL}/reports", "198.18.7.1")
    for n in names:
        assert_nxdomain(srv.q(f"{n}.{BL}"))


def test_an_exclusion_makes_its_ancestors_exist(srv):
    # an exclusion is a name of its own (as it would be in a zone transfer)
    srv.admin("add", f"{BL}/manual", "198.19.5.0/24", "--exclude")
    try:
        both(srv, f"5.19.198.{BL}", assert_nodata)
        assert_nxdomain(srv.q(bl("198.19.5.1")))
    finally:
        srv.admin("delist", f"{BL}/manual", "198.19.5.0/24")
    assert_nxdomain(srv.q(f"5.19.198.{BL}"))


def test_an_entry_covering_the_prefix_makes_it_exist(srv):
    # 198.51.100.0/24 covers the /25 prefix 198.51.100.0 and every name in it
    assert_nodata(srv.q(f"100.51.198.{BL}"))
    # 2001:db8:1::/48 covers the 13..31-nibble prefixes inside it
    for n in range(13, 32):
        assert_nodata(srv.q(f"{nibbles('2001:db8:1:2::5', n)}.{BL}"))


def test_garbage_names_under_zone_are_nxdomain(srv):
    for name in (f"foo.{BL}", f"1.2.3.4.5.{BL}", f"256.2.0.192.{BL}", f"x.99.2.0.192.{BL}"):
        assert_nxdomain(srv.q(name, "A"))


# --- apex ---------------------------------------------------------------------

def test_soa_at_apex(srv):
    r = srv.q(BL, "SOA")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    soa = soa_of(r, "answer")
    assert soa is not None
    rd = soa[0]
    assert rd.mname.to_text() == "ns1.example.org."
    assert rd.rname.to_text() == "hostmaster.example.org."
    assert (rd.refresh, rd.retry, rd.expire, rd.minimum) == (3600, 600, 604800, BL_SOA_MIN)
    assert rd.serial > 0, "the zone has been written to: serial must be > 0"


def test_ns_at_apex(srv):
    r = srv.q(BL, "NS")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    names = sorted(rd.target.to_text() for rrset in r.answer for rd in rrset
                   if rrset.rdtype == dns.rdatatype.NS)
    assert names == ["ns1.example.org.", "ns2.example.org."]


def test_apex_case_insensitive(srv):
    r = srv.q("BL.Example.ORG", "SOA")
    assert r.rcode() == dns.rcode.NOERROR
    assert soa_of(r, "answer") is not None


# --- refusals -----------------------------------------------------------------

def test_outside_our_zones_refused_without_aa(srv):
    for name in ("example.com", "org", "example.org", "99.2.0.192.bl.example.net", "."):
        r = srv.q(name, "A")
        assert r.rcode() == dns.rcode.REFUSED, name
        assert not r.flags & dns.flags.AA, name
        assert r.answer == [] and r.authority == [], "no referral on REFUSED"


def test_non_in_class_gets_no_in_data(srv):
    r = srv.q(bl("192.0.2.99"), "A", rdclass="CH")
    assert r.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTIMP), dns.rcode.to_text(r.rcode())
    assert r.answer == []


def test_allow_query_refuses_loopback(srv):
    r = srv.q(f"1.2.0.192.{ACL}", "A")
    assert r.rcode() == dns.rcode.REFUSED
    assert r.answer == []
    r = srv.q(ACL, "SOA")
    assert r.rcode() == dns.rcode.REFUSED
    r = srv.q(f"1.2.0.192.{ACL}", "A", v6=True)
    assert r.rcode() == dns.rcode.REFUSED


def test_allow_query_only_v6_loopback(srv):
    r = srv.q(f"1.2.0.192.{V6ONLY}", "A")
    assert r.rcode() == dns.rcode.REFUSED
    r = srv.q(f"1.2.0.192.{V6ONLY}", "A", v6=True)
    assert_listed(r, ["127.0.0.2"])


# --- RFC 5782 test points -------------------------------------------------

def test_rfc5782_ipv4_test_points(srv):
    r = srv.q(f"2.0.0.127.{BL}", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) and all(a.startswith("127.") for a in a_set(r))
    assert_nxdomain(srv.q(f"1.0.0.127.{BL}", "A"))


def test_rfc5782_ipv6_test_points_nibble_form(srv):
    r = srv.q(f"{rev6('::ffff:7f00:2')}.{BL}", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) and all(a.startswith("127.") for a in a_set(r))
    assert_nxdomain(srv.q(f"{rev6('::ffff:7f00:1')}.{BL}", "A"))


def test_rfc5782_domain_test_points(srv):
    r = srv.q(f"TEST.{DBL}", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert a_set(r) and all(a.startswith("127.") for a in a_set(r))
    r = srv.q(f"test.{DBL}", "A")
    assert a_set(r)
    assert_nxdomain(srv.q(f"INVALID.{DBL}", "A"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


# --- IPv6, ranges, specificity ----------------------------------------------

def test_ipv6_exact_in_nibble_form(srv):
    assert_listed(srv.q(bl6("2001:db8:ff::1"), "A"), ["127.0.0.2"])
    assert_nxdomain(srv.q(bl6("2001:db8:ff::2"), "A"))


def test_ipv6_range_in_nibble_form(srv):
    assert_listed(srv.q(bl6("2001:db8:1::"), "A"), ["127.0.0.4"])
    assert_listed(srv.q(bl6("2001:db8:1:2::5"), "A"), ["127.0.0.4"])
    assert_listed(srv.q(bl6("2001:db8:1:ffff:ffff:ffff:ffff:ffff"), "A"), ["127.0.0.4"])
    assert_nxdomain(srv.q(bl6("2001:db8:2::1"), "A"))
    assert_nxdomain(srv.q(bl6("2001:db8:0:ffff:ffff:ffff:ffff:ffff"), "A"))


def test_ipv6_answers_are_a_records(srv):
    r = srv.q(bl6("2001:db8:1:2::5"), "AAAA")
    assert_nodata(r)


def test_ipv6_partial_nibbles(srv):
    # fewer than 32 nibbles: not an address; an empty non-terminal inside a
    # listed range, NXDOMAIN where nothing is
    name = ".".join(rev6("2001:db8:1:2::5").split(".")[8:]) + "." + BL
    assert_nodata(srv.q(name, "A"))
    name = ".".join(rev6("2001:db8:5:2::5").split(".")[8:]) + "." + BL
    assert_nxdomain(srv.q(name, "A"))


def test_cidr_range_coverage(srv):
    for ip in ("198.51.100.0", "198.51.100.5", "198.51.100.127"):
        assert_listed(srv.q(bl(ip)), ["127.0.0.4"])
    for ip in ("198.51.99.255", "198.51.101.0"):
        assert_nxdomain(srv.q(bl(ip)))


def test_exclusion_carves_hole(srv):
    for ip in ("198.51.100.128", "198.51.100.130", "198.51.100.191"):
        assert_nxdomain(srv.q(bl(ip)))


def test_more_specific_listing_inside_exclusion_wins(srv):
    for ip in ("198.51.100.192", "198.51.100.200", "198.51.100.255"):
        assert_listed(srv.q(bl(ip)), ["127.0.0.4"])


def test_most_specific_entry_wins_code(srv):
    assert_listed(srv.q(bl("203.0.113.7")), ["127.0.0.11"])
    assert_listed(srv.q(bl("203.0.113.8")), ["127.0.0.10"])
    assert_listed(srv.q(bl("203.0.113.6")), ["127.0.0.10"])


def test_bitmask_zone_ors_codes(srv):
    assert_listed(srv.q(f"5.2.0.192.{MULTI}"), ["127.0.0.10"])  # a (.2) | c (.8)
    r = srv.q(f"6.2.0.192.{MULTI}")
    assert r.rcode() == dns.rcode.NXDOMAIN


# --- domain zone ---------------------------------------------------------

def test_domain_exact_listed(srv):
    r = srv.q(f"spam.example.{DBL}", "A")
    assert_listed(r, ["127.0.1.2"])
    assert r.answer[0].ttl == DBL_TTL
    assert txt_set(srv.q(f"spam.example.{DBL}", "TXT")) == [f"Domain spam.example listed in {DBL}"]


def test_domain_exact_does_not_cover_subdomains(srv):
    assert_nxdomain(srv.q(f"www.spam.example.{DBL}", "A"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


def test_domain_wildcard_covers_subdomains_only(srv):
    assert_listed(srv.q(f"x.phish.example.{DBL}", "A"), ["127.0.1.2"])
    assert_listed(srv.q(f"a.b.phish.example.{DBL}", "A"), ["127.0.1.2"])
    # not listed itself, but the wildcard lists names below it: NODATA
    assert_nodata(srv.q(f"phish.example.{DBL}", "A"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)


def test_domain_case_insensitive(srv):
    assert_listed(srv.q(f"SPAM.Example.{DBL}", "A"), ["127.0.1.2"])


# --- TTL -------------------------------------------------------------------

def test_answer_ttl_capped_by_remaining_lifetime(srv):
    # an entry of its own, added now: its 200 s left are below the zone TTL
    # (300) however long the suite ran before this test
    ip = "192.0.2.62"
    srv.admin("add", f"{BL}/traps", ip, "--lifetime", "200s", "--reason", "short")
    r = srv.q(bl(ip), "A")
    assert_listed(r, ["127.0.0.2"])
    ttl = r.answer[0].ttl
    assert 0 < ttl <= 200, ttl
    r = srv.q(bl(ip), "TXT")
    assert r.answer and all(0 < rrset.ttl <= 200 for rrset in r.answer)


# --- more data-model cases (written at test time, so a failure stays local) --

def test_rrset_ttls_equal_when_lists_expire_differently(srv):
    # RFC 2181 5.2: every RR of one RRset carries the same TTL
    ip = "192.0.2.61"
    srv.admin("add", f"{BL}/traps", ip, "--lifetime", "60s")
    srv.admin("add", f"{BL}/manual", ip)
    m = dns.message.make_query(bl(ip), "A")
    w = srv.raw_udp(m.to_wire())
    a_ttls = [ttl for sec, t, ttl, _ in parse_rrs(w) if sec == 0 and t == dns.rdatatype.A]
    assert len(a_ttls) == 2
    assert len(set(a_ttls)) == 1, f"A RRset with TTLs {a_ttls}"
    assert 0 < a_ttls[0] <= 60, "capped by the entry that expires first"
    w = srv.raw_udp(dns.message.make_query(bl(ip), "TXT").to_wire())
    txt_ttls = [ttl for sec, t, ttl, _ in parse_rrs(w) if sec == 0 and t == dns.rdatatype.TXT]
    assert len(txt_ttls) == 2 and len(set(txt_ttls)) == 1, txt_ttls


def test_exclusion_is_per_list(srv):
    # 198.51.100.140 is carved out of manual; listing it in traps answers traps only
    ip = "198.51.100.140"
    assert_nxdomain(srv.q(bl(ip)))
    srv.admin("add", f"{BL}/traps", ip)
    assert_listed(srv.q(bl(ip)), ["127.0.0.2"])


def test_domain_wildcard_with_exclusion(srv):
    srv.admin("add", f"{DBL}/domains", "*.bad.example")
    srv.admin("add", f"{DBL}/domains", "good.bad.example", "--exclude")
    assert_listed(srv.q(f"x.bad.example.{DBL}"), ["127.0.1.2"])
    # not listed, but the wildcard lists x.good.bad.example: NODATA, so a
    # resolver does not deny the names below it (RFC 8020)
    assert_nodata(srv.q(f"good.bad.example.{DBL}"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)
    assert_listed(srv.q(f"x.good.bad.example.{DBL}"), ["127.0.1.2"])


def test_ipv4_mapped_answered_from_ipv4_data(srv):
    # documented choice (README "DNS behaviour", as rbldnsd): ::ffff:a.b.c.d is looked up as a.b.c.d
    r = srv.q(bl6("::ffff:192.0.2.99"), "A")
    assert_listed(r, ["127.0.0.2", "127.0.0.4"])
    assert_nxdomain(srv.q(bl6("::ffff:192.0.2.98"), "A"))


def test_ipv6_txt_template_dollar_is_the_address(srv):
    txts = txt_set(srv.q(bl6("2001:db8:1:2::5"), "TXT"))
    assert txts == ["Listed in manual: v6 range - https://example.org/lookup?q=2001:db8:1:2::5"] or \
        txts == ["Listed in bl.example.org/manual: v6 range - https://example.org/lookup?q=2001:db8:1:2::5"], txts


def test_long_txt_split_into_strings_of_at_most_255(srv):
    ip = "192.0.2.202"
    text = "".join(chr(ord("a") + i % 26) for i in range(600))
    srv.admin("add", f"{BL}/manual", ip, "--txt", text)
    r = srv.q(bl(ip), "TXT", tcp=True)
    rds = [rd for rrset in r.answer for rd in rrset]
    assert len(rds) == 1
    assert all(len(s) <= 255 for s in rds[0].strings)
    assert b"".join(rds[0].strings).decode() == text


def test_udp_reply_capped_at_server_edns_size(srv):
    # three ~450-byte TXT: > 1232 bytes, the default edns-size; a 4096 payload still gets <= 1232 and TC
    ip = "192.0.2.203"
    texts = {}
    for lst in ("traps", "manual", "reports"):
        texts[lst] = (lst + "-") * 90
        srv.admin("add", f"{BL}/{lst}", ip, "--txt", texts[lst][:450])
    m = dns.message.make_query(bl(ip), "TXT", use_edns=0, payload=4096)
    w = srv.raw_udp(m.to_wire())
    assert len(w) <= 1232, len(w)
    r = dns.message.from_wire(w)
    assert r.flags & dns.flags.TC
    r = srv.q(bl(ip), "TXT", tcp=True)
    assert not r.flags & dns.flags.TC
    assert txt_set(r) == sorted(t[:450] for t in texts.values())


def test_127_0_0_1_never_listed_even_under_a_covering_range(srv):
    # RFC 5782 5: MUST NOT list 127.0.0.1. Refusing the range or answering around it are both fine.
    p = srv.admin("add", f"{BL}/manual", "127.0.0.0/24", check=False)
    try:
        assert p.returncode in (0, 1), p.stderr
        assert_nxdomain(srv.q(f"1.0.0.127.{BL}", "A"))
        assert_nxdomain(srv.q(f"{rev6('::ffff:7f00:1')}.{BL}", "A"))
        if p.returncode == 0:
            assert_listed(srv.q(f"3.0.0.127.{BL}", "A"), ["127.0.0.4"])
    finally:
        if p.returncode == 0:
            srv.admin("delist", f"{BL}/manual", "127.0.0.0/24")
    assert_nxdomain(srv.q(f"3.0.0.127.{BL}", "A"))


def test_invalid_never_listed_in_domain_zone(srv):
    p = srv.admin("add", f"{DBL}/domains", "invalid", check=False)
    try:
        assert p.returncode in (0, 1), p.stderr
        assert_nxdomain(srv.q(f"INVALID.{DBL}", "A"), zone=DBL, ttl=DBL_TTL, minimum=DBL_SOA_MIN)
    finally:
        if p.returncode == 0:
            srv.admin("delist", f"{DBL}/domains", "invalid")


def test_lifetime_durations_cap_ttl(srv):
    # dnsxl.conf(5) durations: 90 (seconds), 30s, 15m, 48h, 7d, forever
    cases = [("192.0.2.230", "90", 90), ("192.0.2.231", "30s", 30), ("192.0.2.232", "15m", BL_TTL),
             ("192.0.2.233", "48h", BL_TTL), ("192.0.2.234", "7d", BL_TTL), ("192.0.2.235", "forever", BL_TTL)]
    for ip, dur, cap in cases:
        srv.admin("add", f"{BL}/manual", ip, "--lifetime", dur)
    for ip, dur, cap in cases:
        r = srv.q(bl(ip))
        assert_listed(r, ["127.0.0.4"])
        ttl = r.answer[0].ttl
        if cap == BL_TTL:
            assert ttl == BL_TTL, (dur, ttl)
        else:
            assert cap - 5 <= ttl <= cap, (dur, ttl)
