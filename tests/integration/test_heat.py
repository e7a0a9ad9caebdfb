"""Heat (dnsxld(8) "Heat") and dnsxl-admin stats: with `heat = yes` dnsxld
counts the listed answers of each entry and its last query, written by a
thread of its own into DATABASE/heat/ every heat-interval (1 s here); `dnsxl-admin list
--sort hits` and `show` report them, `stats` sums them per list beside the
store's figures and dnsxld's live counters (metrics). Waits poll for the
heat to be written, never sleep."""
import json
import os
import tempfile

import dns.rcode
import pytest

from conftest import BL, DBL, Server, base_config, free_port, rev4, wait_until
from test_metrics import sample, scrape, wait_metrics


def heat_config(mport=None, heat=True, sample=None):
    def fn(port, dbdir, **kw):
        extra = ("heat = yes\nheat-interval = 1\n" if heat else "")
        extra += (f"heat-sample = {sample}\n" if sample else "")
        extra += (f"metrics = 127.0.0.1:{mport}\n" if mport else "")
        return base_config(port, dbdir, **kw).replace("[server]\n", "[server]\n" + extra, 1)
    return fn


@pytest.fixture
def hsrv():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-heat-") as d:
        mport = free_port()
        s = Server(d, config_fn=heat_config(mport))
        s.mport = mport
        for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            s.admin("add", f"{BL}/traps", ip)
        s.admin("add", f"{BL}/manual", "198.51.100.0/24")
        s.admin("add", f"{DBL}/domains", "spam.example")
        s.start()
        wait_metrics(mport)
        try:
            yield s
        finally:
            rc = s.stop()
            assert rc == 0, f"dnsxld exited {rc}\nstderr:\n{s.stderr_text()}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def listing(s, target, *args):
    return json.loads(s.admin("list", target, "--json", *args).stdout)


def queries_of(rows, key):
    return next(r["queries"] for r in rows if r["key"] == key)


def test_list_sort_hits_and_show_report_the_queries(hsrv):
    plan = {"192.0.2.2": 5, "192.0.2.3": 2, "192.0.2.1": 0}
    for ip, n in plan.items():
        for _ in range(n):
            assert hsrv.q(f"{rev4(ip)}.{BL}", "A").rcode() == dns.rcode.NOERROR
    for i in range(3):                 # three addresses of one range: its entry's heat
        hsrv.q(f"{rev4(f'198.51.100.{i + 7}')}.{BL}", "TXT")
    hsrv.q(f"{rev4('192.0.2.50')}.{BL}", "A")             # not listed: no heat
    hsrv.q(f"spam.example.{DBL}", "A")
    def written():                     # the workers' samples may land in different writes
        rows = listing(hsrv, f"{BL}/traps", "--sort", "hits")
        return rows if [r["queries"] for r in rows] == [5, 2, 0] else None
    rows = wait_until(written, "the heat of 192.0.2.2 and .3 written")
    assert [r["key"] for r in rows] == ["192.0.2.2", "192.0.2.3", "192.0.2.1"]
    assert [r["queries"] for r in rows] == [5, 2, 0]
    assert rows[0]["last_queried"] and rows[2]["last_queried"] is None
    wait_until(lambda: queries_of(listing(hsrv, f"{BL}/manual"), "198.51.100.0/24") == 3,
               "the heat of the range")
    wait_until(lambda: queries_of(listing(hsrv, DBL), "spam.example") == 1, "the domain's heat")
    text = hsrv.admin("list", f"{BL}/traps", "--sort", "hits").stdout.splitlines()
    assert "QUERIES" in text[0] and "LAST-QUERIED" in text[0]
    assert text[1].split()[1] == "192.0.2.2" and text[3].split()[1] == "192.0.2.1"
    show = json.loads(hsrv.admin("show", "198.51.100.8", "--json").stdout)
    assert show["listings"][0]["entry"] == "198.51.100.0/24"
    assert show["listings"][0]["queries"] == 3
    assert "queries 5  last queried 20" in hsrv.admin("show", "192.0.2.2").stdout
    # the whole zone, both lists; bad --sort is a usage error
    assert len(listing(hsrv, BL, "--sort", "hits")) == 4
    p = hsrv.admin("list", BL, "--sort", "size", check=False)
    assert p.returncode == 1 and "bad --sort 'size'" in p.stderr


def test_a_sampled_heat_counts_each_sample_for_the_answers_not_sampled():
    # heat-sample = 10%: about one listed answer in ten is sampled, and each
    # sample counts ten queries; the metrics count the samples themselves
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-heat-") as d:
        mport = free_port()
        s = Server(d, config_fn=heat_config(mport, sample="10%"))
        s.admin("add", f"{BL}/traps", "192.0.2.2")
        s.start()
        try:
            wait_metrics(mport)
            for _ in range(300):       # P(no sample at all) = 0.9^300, about 2e-14
                assert s.q(f"{rev4('192.0.2.2')}.{BL}", "A").rcode() == dns.rcode.NOERROR
            samples = sample(scrape(mport), "dnsxl_heat_samples_total")
            assert 0 < samples < 300
            wait_until(lambda: queries_of(listing(s, f"{BL}/traps"), "192.0.2.2") == samples * 10,
                       f"the heat of {samples} samples written as {samples * 10} queries")
        finally:
            assert s.stop() == 0, s.stderr_text()


def test_stats_has_the_store_figures_and_the_live_counters(hsrv):
    for _ in range(4):
        hsrv.q(f"{rev4('192.0.2.1')}.{BL}", "A")
    hsrv.q(f"{rev4('192.0.2.99')}.{BL}", "A")
    path = os.path.join(hsrv.dir, "in.txt")
    with open(path, "w") as f:
        f.write("192.0.2.10\n")
    hsrv.loader("import", f"{BL}/reports", path)

    def heat_in_stats():
        doc = json.loads(hsrv.admin("stats", "--json").stdout)
        bl = next(z for z in doc["zones"] if z["zone"] == BL)
        traps = next(x for x in bl["lists"] if x["list"] == "traps")
        return doc if traps["heat_queries"] == 4 else None
    doc = wait_until(heat_in_stats, "the heat in stats")
    assert doc["live"] is True
    bl = next(z for z in doc["zones"] if z["zone"] == BL)
    lists = {x["list"]: x for x in bl["lists"]}
    assert lists["traps"]["entries"] == 3 and lists["manual"]["entries"] == 1
    assert lists["reports"]["entries"] == 1
    assert lists["traps"]["listed_answers"] == 4
    assert bl["queries"] >= 5           # and the SOA probes of the start
    assert bl["serial"] > 0 and bl["last_change"]
    run = next(r for r in doc["runs"] if r["command"] == "import")
    assert run["target"] == f"{BL}/reports" and run["status"] == 0 and run["added"] == 1
    assert doc["store"]["used_bytes"] > 0
    text = hsrv.admin("stats").stdout
    assert "live counters: from dnsxld" in text and f"{BL}/traps" in text


def test_stats_without_dnsxld_says_there_are_no_live_counters():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-heat-") as d:
        s = Server(d, config_fn=heat_config(free_port(), heat=False))
        s.admin("add", f"{BL}/traps", "192.0.2.1")
        p = s.admin("stats", "--json")
        doc = json.loads(p.stdout)
        assert doc["live"] is False and "no live counters" in p.stderr
        bl = next(z for z in doc["zones"] if z["zone"] == BL)
        assert bl["queries"] is None
        assert next(x for x in bl["lists"] if x["list"] == "traps")["entries"] == 1
        rows = listing(s, f"{BL}/traps", "--sort", "hits")     # no heat recorded: 0
        assert rows[0]["queries"] == 0 and rows[0]["last_queried"] is None


def test_a_heat_that_cannot_be_opened_is_logged_and_dnsxld_runs_without():
    # DATABASE/heat/data.mdb not an LMDB file (as after a power loss with
    # MDB_NOSYNC): heat is advisory, so dnsxld logs it and answers
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-heat-") as d:
        mport = free_port()
        s = Server(d, config_fn=heat_config(mport))
        s.admin("add", f"{BL}/traps", "192.0.2.1")
        os.makedirs(os.path.join(s.dbdir, "heat"), exist_ok=True)
        with open(os.path.join(s.dbdir, "heat", "data.mdb"), "wb") as f:
            f.write(b"\xff" * 65536)
        s.start()
        try:
            s.wait_log("running without heat")
            assert s.q(f"{rev4('192.0.2.1')}.{BL}", "A").rcode() == dns.rcode.NOERROR
            wait_metrics(mport)
        finally:
            assert s.stop() == 0, s.stderr_text()
