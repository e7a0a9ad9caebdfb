"""dnsxl-admin and dnsxl-loader as operators use them (dnsxl-admin(8), dnsxl-loader(8)), checked
against what the running dnsxld answers."""
import datetime
import os
import re
import subprocess

import dns.rcode

from conftest import (ADMIN, BL, DBL, DEADLINE, a_set, base_config, find_dicts, parse_json, rev4,
                      run_tool, soa_of)


def serial(srv, zone=BL):
    return soa_of(srv.q(zone, "SOA"), "answer")[0].serial


def entry_dicts(doc, key):
    return [d for d in find_dicts(doc) if key in [str(v) for v in d.values()]]


def test_list_json_has_entry_with_reason_and_expiry(srv):
    p = srv.admin("list", f"{BL}/traps", "--json")
    doc = parse_json(p.stdout)
    ds = entry_dicts(doc, "192.0.2.60")
    assert ds, f"192.0.2.60 not in list --json output:\n{p.stdout[:2000]}"
    d = ds[0]
    assert d.get("reason") == "short", d
    exp = [k for k in d if "expir" in k.lower()]
    assert exp, f"no expiry field: {d}"
    v = d[exp[0]]
    assert v not in (None, 0, "", "never"), f"a 60 s entry must show its expiry: {d}"
    # unix seconds or an ISO 8601 UTC timestamp: exactly 60 s after the seeding's clock
    if isinstance(v, (int, float)):
        at = float(v)
    else:
        at = datetime.datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()
    assert at == srv.seeded_at + 60, f"expiry {v} is not 'added with --lifetime 60s' at {srv.seeded_at}"
    # the range entries of the manual list, with their reasons
    p = srv.admin("list", f"{BL}/manual", "--json")
    doc = parse_json(p.stdout)
    ds = entry_dicts(doc, "198.51.100.0/24")
    assert ds and ds[0].get("reason") == "whole range", p.stdout[:2000]
    # a list of another list does not contain it
    assert not entry_dicts(parse_json(srv.admin("list", f"{BL}/reports", "--json").stdout), "192.0.2.60")


def test_list_whole_zone_text(srv):
    p = srv.admin("list", BL)
    for k in ("192.0.2.99", "192.0.2.50", "198.51.100.0/24", "2001:db8:1::/48"):
        assert k in p.stdout, k
    assert "trap hit" in p.stdout


def test_show_names_zone_list_and_reason(srv):
    p = srv.admin("show", "192.0.2.99")
    out = p.stdout
    assert BL in out
    assert "traps" in out and "manual" in out
    assert "trap hit" in out and "manual listing" in out


def test_show_history_after_delist(srv):
    ip = "192.0.2.180"
    srv.admin("add", f"{BL}/manual", ip, "--reason", "history first")
    srv.admin("delist", f"{BL}/manual", ip)
    srv.admin("add", f"{BL}/traps", ip, "--reason", "history second")
    p = srv.admin("show", ip, "--json")
    doc = parse_json(p.stdout)
    hist = [v for d in find_dicts(doc) for k, v in d.items() if "histor" in k.lower() and isinstance(v, list)]
    assert hist and sum(len(h) for h in hist) >= 3, f"expected listing, delisting, listing in history:\n{p.stdout[:2000]}"
    text = srv.admin("show", ip).stdout
    assert "history first" in text and "history second" in text
    srv.admin("delist", f"{BL}/traps", ip)


def test_show_unlisted_key(srv):
    p = srv.admin("show", "192.0.2.181", check=False)
    assert p.returncode in (0, 1), p.returncode
    assert BL + "/" not in p.stdout


def test_zones_lists_zones_lists_and_serial_increasing(srv):
    out = srv.admin("zones").stdout
    for z in (BL, DBL):
        assert z in out
    for lst in ("traps", "manual", "reports"):
        assert lst in out
    s0 = serial(srv)
    assert re.search(rf"\b{s0}\b", out), f"SOA serial {s0} not shown by zones:\n{out}"
    srv.admin("add", f"{BL}/manual", "192.0.2.182")
    s1 = serial(srv)
    assert 0 < (s1 - s0) % 2**32 < 2**31
    out = srv.admin("zones").stdout
    assert re.search(rf"\b{s1}\b", out), f"new serial {s1} not shown by zones:\n{out}"
    srv.admin("delist", f"{BL}/manual", "192.0.2.182")


def test_delist_hold_then_admin_add_is_still_allowed(srv):
    # --hold stops *automated* relisting; the operator may still add
    ip = "192.0.2.183"
    srv.admin("add", f"{BL}/traps", ip)
    srv.admin("delist", f"{BL}/traps", ip, "--hold", "1d")
    assert srv.q(f"{rev4(ip)}.{BL}").rcode() == dns.rcode.NXDOMAIN
    srv.admin("add", f"{BL}/traps", ip)
    assert a_set(srv.q(f"{rev4(ip)}.{BL}")) == ["127.0.0.2"]
    srv.admin("delist", f"{BL}/traps", ip)


def expect_usage_error(srv, *args):
    p = srv.admin(*args, check=False)
    assert p.returncode == 1, f"dnsxl-admin {' '.join(args)} exited {p.returncode}, want 1\n{p.stderr}"
    assert p.stderr.strip(), "an error message on stderr"
    return p


def test_wrong_usage_exits_1(srv):
    p = run_tool([ADMIN, "-c", srv.conf], check=False)
    assert p.returncode == 1
    expect_usage_error(srv, "frobnicate")
    expect_usage_error(srv, "add")
    expect_usage_error(srv, "add", f"{BL}/traps")
    expect_usage_error(srv, "add", f"{BL}/traps", "192.0.2.1", "--lifetime")
    expect_usage_error(srv, "add", f"{BL}/traps", "192.0.2.1", "--lifetime", "soon")
    expect_usage_error(srv, "add", f"{BL}/traps", "192.0.2.1", "--code", "300.0.0.1")
    expect_usage_error(srv, "add", f"{BL}/traps", "192.0.2.1", "--no-such-option")
    expect_usage_error(srv, "delist", f"{BL}/traps")


def test_bad_keys_exit_1_and_write_nothing(srv):
    s0 = serial(srv)
    expect_usage_error(srv, "add", f"{BL}/traps", "999.2.0.1")
    expect_usage_error(srv, "add", f"{BL}/traps", "192.0.2.0/33")
    expect_usage_error(srv, "add", f"{BL}/traps", "spam.example")       # a name in an ip zone
    expect_usage_error(srv, "add", f"{DBL}/domains", "192.0.2.1/24")    # a range in a domain zone
    expect_usage_error(srv, "add", f"{BL}/traps", "127.0.0.1")          # never, from any source
    assert serial(srv) == s0, "a rejected command must not write"
    assert srv.q(f"1.0.0.127.{BL}").rcode() == dns.rcode.NXDOMAIN


def test_unknown_zone_or_list_exits_1(srv):
    expect_usage_error(srv, "add", "nosuch.example.org/traps", "192.0.2.1")
    expect_usage_error(srv, "add", f"{BL}/nosuch", "192.0.2.1")
    expect_usage_error(srv, "add", BL, "192.0.2.1")                     # ZONE/LIST required
    expect_usage_error(srv, "list", "nosuch.example.org")
    expect_usage_error(srv, "delist", "nosuch.example.org/x", "192.0.2.1")


def test_admin_add_reason_visible_in_txt(srv):
    ip = "192.0.2.185"
    srv.admin("add", f"{BL}/manual", ip, "--reason", "visible reason")
    r = srv.q(f"{rev4(ip)}.{BL}", "TXT")
    txt = b"".join(r.answer[0][0].strings).decode()
    assert "visible reason" in txt and txt.endswith("q=192.0.2.185")
    srv.admin("delist", f"{BL}/manual", ip)


def test_missing_option_argument_message_names_the_option(srv):
    for opt in ("--lifetime", "--reason", "--code", "--txt"):
        p = subprocess.run([ADMIN, "-c", srv.conf, "add", f"{BL}/traps", "192.0.2.1", opt],
                           capture_output=True, timeout=DEADLINE)
        assert p.returncode == 1
        msg = p.stderr.decode("utf-8")          # must be text, not a stray byte
        assert opt in msg, f"message does not name {opt}: {msg!r}"


def test_config_from_env_when_no_dash_c(srv):
    env = dict(os.environ, DNSXL_CONF=srv.conf)
    p = subprocess.run([ADMIN, "zones"], capture_output=True, text=True, env=env, timeout=DEADLINE, cwd="/")
    assert p.returncode == 0, p.stderr
    assert BL in p.stdout and str(serial(srv)) in p.stdout


def test_relative_database_path_is_relative_to_the_config_file(srv):
    conf2 = os.path.join(srv.dir, "relative.conf")
    with open(conf2, "w") as f:
        f.write(base_config(srv.port, os.path.basename(srv.dbdir)))
    p = subprocess.run([ADMIN, "-c", conf2, "zones"], capture_output=True, text=True, timeout=DEADLINE, cwd="/")
    assert p.returncode == 0, p.stderr
    assert str(serial(srv)) in p.stdout, "not the same database as the server's"
    assert not os.path.exists("/db"), "database path resolved against the cwd"
