"""dnsxl-loader imports (dnsxl-loader(8): plain lists, rbldnsd datasets, country
data), checked against what the running dnsxld answers."""
import dns.rcode

from conftest import BL, CC, DBL, a_set, rev4, rev6, soa_of, txt_set


def serial(srv, zone=BL):
    return soa_of(srv.q(zone, "SOA"), "answer")[0].serial


def test_loader_bad_input_names_file_and_line_and_writes_nothing(srv, tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("192.0.2.190\n192.0.2.191\nthis is not an address\n192.0.2.192\n")
    s0 = serial(srv)
    p = srv.loader("import", f"{BL}/reports", str(f), check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "bad.txt" in p.stderr and "3" in p.stderr, p.stderr
    for ip in ("192.0.2.190", "192.0.2.191", "192.0.2.192"):
        assert srv.q(f"{rev4(ip)}.{BL}").rcode() == dns.rcode.NXDOMAIN, f"partial write: {ip} listed"
    assert serial(srv) == s0


def test_loader_import_rbldnsd_format(srv, tmp_path):
    f = tmp_path / "rbl.zone"
    f.write_text(":127.0.0.3:Reported by users - $\n192.0.2.195\n192.0.2.196/31\n")
    srv.loader("import", f"{BL}/reports", str(f))
    for ip in ("192.0.2.195", "192.0.2.196", "192.0.2.197"):
        assert a_set(srv.q(f"{rev4(ip)}.{BL}")) == ["127.0.0.3"], ip
    assert srv.q(f"{rev4('192.0.2.198')}.{BL}").rcode() == dns.rcode.NXDOMAIN


def test_loader_import_rbldnsd_values_exclusions_and_dnset(srv, tmp_path):
    f = tmp_path / "ip4set.zone"
    f.write_text(
        "# rbldnsd ip4set data\n"
        ":127.0.0.3:Reported - $\n"
        "192.0.2.240\n"
        "192.0.2.241 :127.0.0.5:Own text for $\n"
        "192.0.2.244/30\n"
        "!192.0.2.245\n")
    srv.loader("import", f"{BL}/reports", str(f))
    assert a_set(srv.q(f"{rev4('192.0.2.240')}.{BL}")) == ["127.0.0.3"]
    assert a_set(srv.q(f"{rev4('192.0.2.241')}.{BL}")) == ["127.0.0.5"]
    txt = srv.q(f"{rev4('192.0.2.241')}.{BL}", "TXT")
    assert [b"".join(rd.strings).decode() for rr in txt.answer for rd in rr] == ["Own text for 192.0.2.241"]
    assert a_set(srv.q(f"{rev4('192.0.2.244')}.{BL}")) == ["127.0.0.3"]
    assert a_set(srv.q(f"{rev4('192.0.2.247')}.{BL}")) == ["127.0.0.3"]
    assert srv.q(f"{rev4('192.0.2.245')}.{BL}").rcode() == dns.rcode.NXDOMAIN
    check_dnset(srv, tmp_path, "d1", ":127.0.1.2:Domain listed\n")


def check_dnset(srv, tmp_path, tag, head):
    d = tmp_path / "dnset.zone"
    d.write_text(f"# rbldnsd dnset data\n{head}exact-{tag}.example\n.both-{tag}.example\n"
                 f"*.subs-{tag}.example\n!ok.subs-{tag}.example\n")
    srv.loader("import", f"{DBL}/domains", str(d))
    listed = [f"exact-{tag}", f"both-{tag}", f"x.both-{tag}", f"x.subs-{tag}"]
    unlisted = [f"x.exact-{tag}"]
    # not listed, but the wildcard lists names below them: empty
    # non-terminals, NOERROR with no data (RFC 8020; dnsxld(8))
    ents = [f"subs-{tag}", f"ok.subs-{tag}"]
    for n in listed:
        assert a_set(srv.q(f"{n}.example.{DBL}")) == ["127.0.1.2"], n
    for n in unlisted:
        assert srv.q(f"{n}.example.{DBL}").rcode() == dns.rcode.NXDOMAIN, n
    for n in ents:
        r = srv.q(f"{n}.example.{DBL}")
        assert r.rcode() == dns.rcode.NOERROR and not r.answer, n


def test_loader_import_rbldnsd_dnset_without_default_line(srv, tmp_path):
    # a dnset file needs no `:A:TXT` line; `.name` and `*.name` lines cannot be a plain list
    check_dnset(srv, tmp_path, "d2", "")


def test_loader_country_csv_answers_like_countries_nerd_dk(srv, tmp_path):
    # A 127.0.X.Y with X*256+Y = ISO 3166-1 numeric, TXT = the alpha-2 code (as countries.nerd.dk)
    f = tmp_path / "cc.csv"
    f.write_text("192.0.2.0,192.0.2.255,US\n198.51.100.0,198.51.100.127,DK\n2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,DE\n")
    srv.loader("country", CC, str(f))
    for ip, a, cc in (("192.0.2.7", "127.0.3.72", "US"), ("198.51.100.5", "127.0.0.208", "DK")):
        name = f"{rev4(ip)}.{CC}"
        assert a_set(srv.q(name)) == [a], ip
        # the alpha-2 code; countries.nerd.dk answers it in lowercase, either case is fine
        assert [t.upper() for t in txt_set(srv.q(name, "TXT"))] == [cc], ip
    assert a_set(srv.q(f"{rev6('2001:db8::1')}.{CC}")) == ["127.0.1.20"]     # DE = 276
    assert srv.q(f"{rev4('198.51.100.200')}.{CC}").rcode() == dns.rcode.NXDOMAIN


def test_loader_refuses_127_0_0_1_without_partial_write(srv, tmp_path):
    f = tmp_path / "lo.txt"
    f.write_text("192.0.2.220\n127.0.0.1\n")
    p = srv.loader("import", f"{BL}/reports", str(f), check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "lo.txt" in p.stderr
    assert srv.q(f"{rev4('192.0.2.220')}.{BL}").rcode() == dns.rcode.NXDOMAIN
    assert srv.q(f"1.0.0.127.{BL}").rcode() == dns.rcode.NXDOMAIN
