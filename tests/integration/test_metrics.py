"""The metrics endpoint (dnsxld(8) "Metrics"): `metrics = ADDR:PORT` serves
GET /metrics in the Prometheus text format on dnsxld's main loop. A real
Prometheus (Debian's prometheus) scrapes it and the test reads the samples
back through Prometheus' HTTP API; promtool checks a scrape; malformed,
oversized and wrong requests get their HTTP error and dnsxld keeps serving.
Nothing sleeps: every wait polls for its effect (wait_until)."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.parse
import urllib.request

import dns.rcode
import pytest

from conftest import (BL, DBL, DEADLINE, Server, base_config, free_port, rev4, run_tool,
                      wait_until)

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def metrics_config(mport, heat=True, tap=None):
    def fn(port, dbdir, **kw):
        extra = f"metrics = 127.0.0.1:{mport}\n"
        if heat:
            extra += "heat = yes\n"
        if tap:
            extra += f"dnstap = {tap}\n"
        return base_config(port, dbdir, **kw).replace("[server]\n", "[server]\n" + extra, 1)
    return fn


@pytest.fixture
def msrv():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-metrics-") as d:
        mport = free_port()
        s = Server(d, config_fn=metrics_config(mport, tap=os.path.join(d, "q.dnstap")))
        s.mport = mport
        for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            s.admin("add", f"{BL}/traps", ip, "--reason", "trap hit")
        s.admin("add", f"{DBL}/domains", "spam.example", "--reason", "spam")
        s.start()
        wait_metrics(mport)
        try:
            yield s
        finally:
            was_alive = s.alive()
            rc = s.stop()
            assert was_alive, f"dnsxld died (status {rc})\nstderr:\n{s.stderr_text()}"
            assert rc == 0, f"dnsxld exited {rc}\nstderr:\n{s.stderr_text()}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def wait_metrics(port):
    """Wait until the metrics port accepts (it opens just after DNS does)."""
    def up():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=DEADLINE).close()
            return True
        except OSError:
            return False
    wait_until(up, f"the metrics port {port} accepting")


def http_raw(port, data, shut=True):
    """Send data on a new connection to the metrics port; the whole reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as c:
        try:
            c.sendall(data)
            if shut:
                c.shutdown(socket.SHUT_WR)
        except OSError:
            pass                        # answered (413) before all of it was sent
        out = b""
        while True:
            b = c.recv(65536)
            if not b:
                return out
            out += b


def status_of(reply):
    line = reply.split(b"\r\n", 1)[0].decode()
    assert line.startswith("HTTP/1.1 "), reply[:200]
    return int(line.split()[1])


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=DEADLINE) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return r.read().decode()


def sample(text, name, **labels):
    """The value of the sample name{labels} in an exposition, or None."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    key = f"{name}{{{want}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(key + " "):
            return float(line.split()[-1])
    return None


def test_counters_and_gauges_in_a_scrape(msrv):
    for _ in range(5):
        assert msrv.q(f"{rev4('192.0.2.1')}.{BL}", "A").rcode() == dns.rcode.NOERROR
    assert msrv.q(f"{rev4('192.0.2.9')}.{BL}", "A").rcode() == dns.rcode.NXDOMAIN
    assert msrv.q(f"{rev4('192.0.2.2')}.{BL}", "TXT", tcp=True).rcode() == dns.rcode.NOERROR
    assert msrv.q("spam.example.org.invalid", "A").rcode() == dns.rcode.REFUSED
    t = scrape(msrv.mport)
    assert sample(t, "dnsxl_queries_total", zone=BL, transport="udp", qtype="A") == 6
    assert sample(t, "dnsxl_queries_total", zone=BL, transport="tcp", qtype="TXT") == 1
    assert sample(t, "dnsxl_responses_total", zone=BL, rcode="NXDOMAIN") == 1
    assert sample(t, "dnsxl_responses_total", zone=".", rcode="REFUSED") == 1
    assert sample(t, "dnsxl_listed_responses_total", zone=BL, list="traps") == 6
    assert sample(t, "dnsxl_store_entries", zone=BL, list="traps") == 3
    assert sample(t, "dnsxl_store_entries", zone=DBL, list="domains") == 1
    assert sample(t, "dnsxl_store_up") == 1
    assert sample(t, "dnsxl_tcp_connections_accepted_total") >= 1
    assert sample(t, "dnsxl_query_duration_seconds_count") >= 8
    assert sample(t, "dnsxl_dnstap_queries_total") >= 8
    assert sample(t, "dnsxl_heat_samples_total") == 6
    # no client address in any label
    assert "127.0.0.1" not in "".join(ln for ln in t.splitlines() if not ln.startswith("#"))


@pytest.mark.skipif(not PROMTOOL, reason="promtool (Debian prometheus) not installed")
def test_promtool_accepts_a_scrape(msrv):
    msrv.q(f"{rev4('192.0.2.1')}.{BL}", "A")
    msrv.loader("expire")                   # a loader run: its gauges are in the scrape
    t = scrape(msrv.mport)
    assert 'dnsxl_loader_last_run_exit_status{command="expire",target=""} 0' in t, t
    # a failed run is recorded with its status, a run of a usage error is not
    path = os.path.join(msrv.dir, "in.txt")
    with open(path, "w") as f:
        f.write("192.0.2.10\n192.0.2.11\n")
    msrv.loader("import", f"{BL}/manual", path)
    msrv.loader("import", f"{BL}/manual", path + ".missing", check=False)
    msrv.loader("import", f"{BL}/nosuchlist", path, check=False)
    t = scrape(msrv.mport)
    assert sample(t, "dnsxl_loader_last_run_exit_status", command="import",
                  target=f"{BL}/manual") == 1, t
    assert sample(t, "dnsxl_loader_last_run_timestamp_seconds", command="import",
                  target=f"{BL}/manual") > 0
    assert "nosuchlist" not in t
    msrv.loader("import", f"{BL}/manual", path, "--replace")
    t = scrape(msrv.mport)
    assert sample(t, "dnsxl_loader_last_run_exit_status", command="import",
                  target=f"{BL}/manual") == 0
    assert sample(t, "dnsxl_store_entries", zone=BL, list="manual") == 2
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=t, capture_output=True,
                       encoding="utf-8", timeout=DEADLINE)
    assert p.returncode == 0, p.stdout + p.stderr


BAD = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /metrics\r\n\r\n", 400),
    (b"GET /metrics HTTP/1.1\r\n\r\n", 400),                        # no Host
    (b"GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    (b"GET /metrics HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n", 400),
    (b"GET /metrics HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400),
    (b"GET /metrics HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    (b"POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 405),
    (b"DELETE /metrics HTTP/1.0\r\n\r\n", 405),
    (b"GET /other HTTP/1.1\r\nHost: a\r\n\r\n", 404),
    (b"GET / HTTP/1.0\r\n\r\n", 404),
    (b"GET /metrics HTTP/1.1\r\nHost: a\r\nX: " + b"x" * 9000 + b"\r\n\r\n", 413),
    (b"A" * 20000, 413),
]


def test_bad_requests_get_errors_and_dnsxld_keeps_serving(msrv):
    for data, want in BAD:
        reply = http_raw(msrv.mport, data)
        assert status_of(reply) == want, (data[:60], reply[:200])
        assert b"Connection: close\r\n" in reply
        if want == 405:
            assert b"Allow: GET, HEAD\r\n" in reply
        assert msrv.q(f"{rev4('192.0.2.1')}.{BL}", "A").rcode() == dns.rcode.NOERROR
    # a connection that closes half way, and one that resets
    with socket.create_connection(("127.0.0.1", msrv.mport), timeout=DEADLINE) as c:
        c.sendall(b"GET /met")
    with socket.create_connection(("127.0.0.1", msrv.mport), timeout=DEADLINE) as c:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.sendall(b"GET /metrics HTTP/1.1\r\n")
    # HEAD: the headers alone; a query string is ignored
    reply = http_raw(msrv.mport, b"HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    assert status_of(reply) == 200 and reply.endswith(b"\r\n\r\n")
    reply = http_raw(msrv.mport, b"GET /metrics?x=1 HTTP/1.0\r\n\r\n")
    assert status_of(reply) == 200 and b"dnsxl_store_up 1" in reply
    assert "dnsxl_store_up 1" in scrape(msrv.mport)
    assert msrv.alive()


def test_a_request_not_complete_in_time_gets_408(msrv):
    # the head never ends: dnsxld answers 408 after its timeout (10 s) and
    # closes; the test waits for that reply, it does not sleep
    with socket.create_connection(("127.0.0.1", msrv.mport), timeout=DEADLINE) as c:
        c.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n")
        out = b""
        while (b := c.recv(65536)):
            out += b
    assert status_of(out) == 408, out
    assert msrv.q(f"{rev4('192.0.2.1')}.{BL}", "A").rcode() == dns.rcode.NOERROR
    assert "dnsxl_store_up 1" in scrape(msrv.mport)


def test_a_request_split_over_many_writes_is_read_whole(msrv):
    with socket.create_connection(("127.0.0.1", msrv.mport), timeout=DEADLINE) as c:
        for b in b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n":
            c.sendall(bytes([b]))
        out = b""
        while (b := c.recv(65536)):
            out += b
    assert status_of(out) == 200 and b"dnsxl_workers 2" in out


def connect_from(src, port):
    """A connection to the metrics port from the loopback address src."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(DEADLINE)
    c.bind((src, 0))
    c.connect(("127.0.0.1", port))
    return c


def read_all(c):
    out = b""
    while (b := c.recv(65536)):
        out += b
    return out


def test_idle_connections_do_not_lock_a_scrape_out(msrv):
    # 70 connections that never send a request (8 from each of 9 addresses):
    # more than the 64 open at once; each one over closes the oldest idle
    # one, and so does the scrape after them (accepted in order)
    idle = [connect_from(f"127.0.0.{2 + i // 8}", msrv.mport) for i in range(70)]
    try:
        assert "dnsxl_store_up 1" in scrape(msrv.mport)
    finally:
        for c in idle:
            c.close()


def test_a_ninth_connection_from_one_address_gets_503(msrv):
    idle = [connect_from("127.0.0.20", msrv.mport) for _ in range(8)]
    try:
        with connect_from("127.0.0.20", msrv.mport) as c:
            c.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
            out = read_all(c)
        assert status_of(out) == 503, out
        with connect_from("127.0.0.21", msrv.mport) as c:
            c.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
            assert status_of(read_all(c)) == 200
    finally:
        for c in idle:
            c.close()


def test_counters_survive_a_reload(msrv):
    name = f"{rev4('192.0.2.3')}.{BL}"
    for _ in range(3):
        msrv.q(name, "A")
    before = sample(scrape(msrv.mport), "dnsxl_queries_total", zone=BL, transport="udp", qtype="A")
    assert before == 3
    msrv.write_config(traps_txt="Reloaded $")
    msrv.proc.send_signal(1)
    wait_until(lambda: msrv.q(name, "TXT").answer and "Reloaded" in str(msrv.q(name, "TXT").answer[0]),
               "the reloaded TXT template")
    msrv.q(name, "A")
    t = scrape(msrv.mport)
    assert sample(t, "dnsxl_queries_total", zone=BL, transport="udp", qtype="A") == 4


def test_transfers_and_notifies_are_counted_by_zone():
    # dnsxld NOTIFYs our socket: the first is answered REFUSED (counted
    # "rcode", sent again), the next one acknowledged; an AXFR from
    # 127.0.0.1 is allowed, one from 127.0.0.2 refused
    import dns.message
    import dns.opcode
    import dns.query
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-metrics-") as d, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sec:
        sec.bind(("127.0.0.1", 0))
        sec.settimeout(DEADLINE)
        mport = free_port()

        def conf(port, dbdir, **kw):
            return metrics_config(mport, heat=False)(port, dbdir, **kw).replace(
                "answer = separate\n", "answer = separate\nallow-transfer = 127.0.0.1\n"
                f"notify = 127.0.0.1:{sec.getsockname()[1]}\n", 1)
        s = Server(d, config_fn=conf)
        s.admin("add", f"{BL}/traps", "192.0.2.1", "--reason", "trap hit")
        s.start()
        try:
            wait_metrics(mport)
            for rcode in (dns.rcode.REFUSED, dns.rcode.NOERROR):
                wire, peer = sec.recvfrom(65535)
                n = dns.message.from_wire(wire)
                assert n.opcode() == dns.opcode.NOTIFY
                r = dns.message.make_response(n)
                r.set_rcode(rcode)
                sec.sendto(r.to_wire(), peer)
            msgs = list(dns.query.xfr("127.0.0.1", BL, port=s.port, timeout=DEADLINE))
            assert msgs and msgs[0].answer
            with pytest.raises(dns.query.TransferError):
                for _ in dns.query.xfr("127.0.0.1", BL, port=s.port, timeout=DEADLINE,
                                       source="127.0.0.2"):
                    pass

            def counted():
                t = scrape(mport)
                got = (sample(t, "dnsxl_zone_transfers_total", zone=BL, type="axfr",
                              result="ok"),
                       sample(t, "dnsxl_zone_transfers_total", zone=BL, type="axfr",
                              result="refused"),
                       sample(t, "dnsxl_notify_sent_total", zone=BL, result="rcode"),
                       sample(t, "dnsxl_notify_sent_total", zone=BL, result="acknowledged"))
                return got == (1, 1, 1, 1) and t
            t = wait_until(counted, "the transfers and NOTIFYs counted")
            assert sample(t, "dnsxl_zone_transfers_total", zone=BL, type="ixfr",
                          result="ok") == 0
            if PROMTOOL:
                p = subprocess.run([PROMTOOL, "check", "metrics"], input=t,
                                   capture_output=True, encoding="utf-8", timeout=DEADLINE)
                assert p.returncode == 0, p.stdout + p.stderr
        finally:
            assert s.stop() == 0, s.stderr_text()


def test_metrics_port_in_use_is_an_error_at_start():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-metrics-") as d:
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        mport = busy.getsockname()[1]
        s = Server(d, config_fn=metrics_config(mport, heat=False))
        s.admin("add", f"{BL}/traps", "192.0.2.1")
        from conftest import AS_ROOT, DNSXLD
        p = subprocess.run([DNSXLD, *AS_ROOT, "-c", s.conf], capture_output=True, text=True,
                           timeout=DEADLINE * 4)
        busy.close()
        assert p.returncode == 2, p.stderr
        assert f"metrics: cannot listen on 127.0.0.1:{mport}" in p.stderr


# --- a real Prometheus ---------------------------------------------------------


def prom_query(pport, expr):
    url = f"http://127.0.0.1:{pport}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            j = json.load(r)
    except OSError:
        return None
    if j.get("status") != "success" or not j["data"]["result"]:
        return None
    return float(j["data"]["result"][0]["value"][1])


@pytest.mark.skipif(not PROMETHEUS, reason="prometheus (Debian package) not installed")
def test_prometheus_scrapes_dnsxld(msrv):
    n = 7
    for i in range(n):
        assert msrv.q(f"{rev4('192.0.2.2')}.{BL}", "A").rcode() == dns.rcode.NOERROR
    pdir = os.path.join(msrv.dir, "prom")
    os.makedirs(pdir)
    pport = free_port()
    with open(os.path.join(pdir, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: dnsxld
    static_configs:
      - targets: ['127.0.0.1:{msrv.mport}']
""")
    log = open(os.path.join(pdir, "log"), "wb")
    prom = subprocess.Popen([PROMETHEUS, f"--config.file={pdir}/prometheus.yml",
                             f"--storage.tsdb.path={pdir}/data",
                             f"--web.listen-address=127.0.0.1:{pport}"],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        q = f'dnsxl_queries_total{{job="dnsxld",zone="{BL}",transport="udp",qtype="A"}}'
        got = wait_until(lambda: prom.poll() is None and prom_query(pport, q) == n and n,
                         "Prometheus holding the query counter", deadline=DEADLINE * 4)
        assert got == n
        e = f'dnsxl_store_entries{{job="dnsxld",zone="{BL}",list="traps"}}'
        assert wait_until(lambda: prom_query(pport, e), "Prometheus holding the entries gauge",
                          deadline=DEADLINE * 4) == 3
        assert prom_query(pport, 'up{job="dnsxld"}') == 1
        # a change in the store shows at a later scrape
        msrv.admin("add", f"{BL}/traps", "192.0.2.77")
        wait_until(lambda: prom_query(pport, e) == 4, "the entries gauge at 4",
                   deadline=DEADLINE * 4)
    finally:
        prom.terminate()
        try:
            prom.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait(DEADLINE)
        log.close()
    assert msrv.alive()


# --- [check]: our own addresses in lists ---------------------------------------


def check_config(mport, lists, extra_check=""):
    def fn(port, dbdir, **kw):
        with open(lists, "w") as f:      # the lists file asks this very dnsxld
            f.write(f"{BL} 127.0.0.2 127.0.0.4 @127.0.0.1:{port}\n"
                    f"{DBL} domain @127.0.0.1:{port}\n")
        t = base_config(port, dbdir, **kw).replace(
            "[server]\n", f"[server]\nmetrics = 127.0.0.1:{mport}\n", 1)
        return t + (f"\n[check]\naddress = 192.0.2.1\naddress = 192.0.2.2\n"
                    f"address = 2001:db8::7\nlists = {lists}\ninterval = 1s\n{extra_check}")
    return fn


def test_check_gauges_follow_our_addresses_listings():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-check-") as d:
        mport = free_port()
        s = Server(d, config_fn=check_config(mport, os.path.join(d, "check.lists")))
        s.admin("add", f"{BL}/traps", "192.0.2.1")
        s.start()
        try:
            wait_metrics(mport)

            def listed(ip):
                return sample(scrape(mport), "dnsxl_check_listed", address=ip, list=BL)

            def state():
                t = scrape(mport)
                return (sample(t, "dnsxl_check_last_run_timestamp_seconds") or 0) > 0 and t
            t = wait_until(state, "the first check")
            assert sample(t, "dnsxl_check_listed", address="192.0.2.1", list=BL) == 1, t
            assert sample(t, "dnsxl_check_listed", address="192.0.2.2", list=BL) == 0
            assert sample(t, "dnsxl_check_listed", address="2001:db8::7", list=BL) == 0
            assert sample(t, "dnsxl_check_error", address="192.0.2.2", list=BL) == 0
            assert sample(t, "dnsxl_check_listed", address="192.0.2.1", list=DBL) is None
            s.admin("add", f"{BL}/manual", "2001:db8::/32")
            s.admin("delist", f"{BL}/traps", "192.0.2.1")
            wait_until(lambda: listed("192.0.2.1") == 0 and listed("2001:db8::7") == 1,
                       "the next check seeing the changes")
            p = subprocess.run([PROMTOOL, "check", "metrics"], input=scrape(mport),
                               capture_output=True, encoding="utf-8", timeout=DEADLINE)
            assert not PROMTOOL or p.returncode == 0, p.stdout + p.stderr
        finally:
            rc = s.stop()
            assert rc == 0, f"dnsxld exited {rc}\nstderr:\n{s.stderr_text()}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def test_a_bad_check_lists_file_stops_the_start():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-check-") as d:
        lists = os.path.join(d, "check.lists")
        s = Server(d, config_fn=check_config(free_port(), lists))
        with open(lists, "a") as f:
            f.write("bad..zone\n")
        from conftest import AS_ROOT, DNSXLD
        p = subprocess.run([DNSXLD, *AS_ROOT, "-c", s.conf], capture_output=True, text=True,
                           timeout=DEADLINE * 4)
        assert p.returncode == 1, p.stderr
        assert f"check: {lists}:3:" in p.stderr, p.stderr
        p = subprocess.run([DNSXLD, *AS_ROOT, "-t", "-c", s.conf], capture_output=True,
                           text=True, timeout=DEADLINE * 4)
        assert p.returncode == 1 and f"check: {lists}:3:" in p.stderr, p.stderr
