"""Review regressions for dnsxl-loader (sync cache per ZONE/LIST, range
exclusions against traps, Exim ident/helo values in Received). The loader
and dnsxl-admin work on the database alone: no dnsxld is started."""
import os
import tempfile

import pytest

from conftest import Server

BL = "bl.example.org"
BLA = "bl.example.org_a"     # a zone name with '_': ZONE_LIST would collide


def review_config(port, dbdir):
    return f"""\
; written by tests/integration/test_review_loader.py
[server]
listen   = 127.0.0.1:{port}
database = {dbdir}

[loader]
trusted-relays = 203.0.113.0/30

[zone {BL}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {BL}/a_b]
code     = 127.0.0.2
lifetime = forever

[list {BL}/traps]
code     = 127.0.0.3
lifetime = 48h

[zone {BLA}]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list {BLA}/b]
code     = 127.0.0.2
lifetime = forever
"""


@pytest.fixture
def rsrv():
    with tempfile.TemporaryDirectory(prefix="dnsxl-review-") as d:
        yield Server(d, config_fn=review_config)


def keys(srv, target):
    return srv.admin("list", target).stdout


def test_sync_cache_is_per_zone_and_list(rsrv, tmp_path):
    # zone bl.example.org list a_b and zone bl.example.org_a list b: one
    # "ZONE_LIST" cache dir would hold one .synced hash for both, and the
    # second sync of the same file would be skipped as "unchanged".
    src = tmp_path / "zone.txt"
    src.write_text("192.0.2.77\n")
    p = rsrv.loader("sync", f"{BL}/a_b", str(src))
    assert "imported 1 entries" in p.stdout, p.stdout
    p = rsrv.loader("sync", f"{BLA}/b", str(src))
    assert "imported 1 entries" in p.stdout, p.stdout + p.stderr
    assert "192.0.2.77" in keys(rsrv, f"{BLA}/b")
    # each list's own cache still notices an unchanged file
    p = rsrv.loader("sync", f"{BLA}/b", str(src))
    assert "unchanged" in p.stdout, p.stdout


def trap(ip, msgid, comment=None):
    comment = comment or f"[{ip}]"
    return (f"Received: from mx.example.org (mx.example.org [203.0.113.1])\n"
            f"\tby mail.example.org (Postfix) with ESMTP id A1; Mon, 1 Jan 2024 00:00:01 +0000\n"
            f"Received: from sender.example ({comment})\n"
            f"\tby mx.example.org with esmtp (Exim 4.96) id B2; Mon, 1 Jan 2024 00:00:00 +0000\n"
            f"From: <spam@sender.example>\nTo: <trap@example.org>\n"
            f"Message-ID: <{msgid}@sender.example>\nSubject: buy\n\nspam\n")


def test_traps_respect_a_range_exclusion(rsrv):
    rsrv.admin("add", f"{BL}/traps", "192.0.2.64/26", "--exclude", "--reason", "customer MX")
    p = rsrv.loader("traps", f"{BL}/traps", "-", input=trap("192.0.2.70", "r1"))
    assert "192.0.2.70" not in keys(rsrv, f"{BL}/traps"), p.stdout
    show = rsrv.admin("show", "192.0.2.70").stdout
    assert "excluded by the list" in show, show
    # outside the range: listed
    rsrv.loader("traps", f"{BL}/traps", "-", input=trap("192.0.2.130", "r2"))
    assert "192.0.2.130" in keys(rsrv, f"{BL}/traps")


def test_traps_exim_ident_and_helo_values_are_not_the_client(rsrv):
    # Exim: "([ip]:port helo=HELO ident=IDENT)"; HELO and ident are the sender's
    cases = [("198.51.100.21", "[198.51.100.21]:25 helo=x[192.0.2.66]", "e1"),
             ("198.51.100.22", "[198.51.100.22]:25 helo=h ident=[192.0.2.67]", "e2")]
    for ip, comment, msgid in cases:
        rsrv.loader("traps", f"{BL}/traps", "-", input=trap(ip, msgid, comment))
    listed = keys(rsrv, f"{BL}/traps")
    assert "198.51.100.21" in listed and "198.51.100.22" in listed, listed
    assert "192.0.2.66" not in listed and "192.0.2.67" not in listed, listed


@pytest.mark.parametrize("source", [
    "-oProxyCommand=touch${IFS}PWNED:bl.txt",
    "user@-oProxyCommand=touch${IFS}PWNED:bl.txt",
    "-oProxyCommand=x::zones/bl.txt",
    "rsync://-oProxyCommand=x/zones/bl.txt",
    "--files-from=bl.txt",
])
def test_sync_refuses_an_option_like_source(rsrv, tmp_path, source):
    # "--" keeps SOURCE from being an rsync option, but a host name that
    # starts with '-' reaches ssh as an option (-oProxyCommand=...) in older
    # rsync versions: refused as bad usage (exit 1) before rsync runs.
    # ("--": the loader's own option parser would reject "-x" already.)
    p = rsrv.loader("sync", "--", f"{BL}/a_b", source, check=False)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "must not start with '-'" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(rsrv.dbdir, "sync-cache")), os.listdir(rsrv.dbdir) \
        if os.path.isdir(rsrv.dbdir) else None


def test_sync_a_local_path_with_a_colon_still_works(rsrv, tmp_path):
    d = tmp_path / "a:b"
    d.mkdir()
    src = d / "zone.txt"
    src.write_text("192.0.2.78\n")
    p = rsrv.loader("sync", f"{BL}/a_b", str(src))
    assert "imported 1 entries" in p.stdout, p.stdout
