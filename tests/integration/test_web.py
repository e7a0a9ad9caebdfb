"""dnsxl-web (issue 13): the lookup and removal page, against a real
dnsxld and store. Plain HTTP (http.client) for what a browser would not
send: XSS payloads, forged and cross-session forms, oversized requests,
paths outside the route table, the per-client rate limit from several
loopback addresses; headless Chromium (Debian's chromium, driven over the
DevTools protocol with python3-websocket) for what a person does: lookups
of a listed, an unlisted and an excluded address and a domain, a
self-service removal (NXDOMAIN from dnsxld right after), a review request
approved with dnsxl-admin. DNSXL_SCREENSHOTS=DIR keeps the pages'
screenshots there (docs/ holds the ones the README shows)."""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import dns.rcode
import pytest

from conftest import BL, BUILD, DBL, DEADLINE, Server, base_config, rev4, run_tool, wait_until

WEB = os.path.join(BUILD, "dnsxl-web")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TITLE = "Example <Block> List"
XSS = "<script>alert('x')</script> \"quoted\" & 'single'"


def web_config(port, dbdir, web_port=0, extra_web=""):
    return base_config(port, dbdir, extra=f"""
[web]
listen = 127.0.0.1:{web_port}
title = {TITLE}
contact = abuse@example.org
request-limit = 6/1h
lookup-limit = 1000/1h
proof-of-work = 8
{extra_web}

[list {BL}/selfsvc]
code = 127.0.0.5
removal = self
removal-limit = 1/30d
removal-hold = 2d
description = Addresses seen sending spam (self-service removal)

[list {BL}/reviewed]
code = 127.0.0.6
removal = review
public-reason = no

[list {DBL}/selfd]
code = 127.0.1.3
removal = self
""")


class Web:
    def __init__(self, srv, port):
        self.srv, self.port = srv, port
        self.err = os.path.join(srv.dir, "web.stderr")
        self.proc = None

    def start(self):
        f = open(self.err, "wb")
        self.proc = subprocess.Popen([WEB, "-c", self.srv.conf], stdout=f, stderr=f,
                                     stdin=subprocess.DEVNULL)
        f.close()

        def up():
            if self.proc.poll() is not None:
                pytest.fail(f"dnsxl-web exited {self.proc.returncode}: {open(self.err).read()}")
            try:
                return self.get("/")[0] == 200
            except OSError:
                return False
        wait_until(up, "dnsxl-web answering")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(DEADLINE)
        return self.proc.returncode

    def request(self, method, path, body=None, headers=None, source="127.0.0.1"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE,
                                       source_address=(source, 0))
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site():
    tmp = tempfile.mkdtemp(prefix="dnsxl-web-")
    wport = free_tcp_port()
    srv = Server(tmp, config_fn=lambda p, d: web_config(p, d, wport))
    srv.start()
    srv.admin("add", f"{BL}/traps", "192.0.2.10", "--reason", XSS)
    srv.admin("add", f"{BL}/manual", "198.51.100.0/24", "--reason", "a spamming network")
    srv.admin("add", f"{BL}/manual", "198.51.100.7", "--exclude", "--reason", "our customer")
    srv.admin("add", f"{DBL}/domains", "spam.example", "--reason", "phishing")
    web = Web(srv, wport)
    web.start()
    try:
        yield web
    finally:
        web.stop()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def lookup(site, key):
    st, h, body = site.get("/api/v1/lookup?q=" + urllib.parse.quote(key))
    assert st == 200, body
    assert h["Content-Type"].startswith("application/json")
    return json.loads(body)


def row(doc, zone, lst):
    return next(r for r in doc["lists"] if r["zone"] == zone and r["list"] == lst)


def nx(srv, name):
    return srv.q(name, "A").rcode() == dns.rcode.NXDOMAIN


# ---- the form, by plain HTTP --------------------------------------------------------

class Form:
    """A removal form as a browser gets it: the session cookie, the hidden
    fields and the proof of work solved (as the page's python3 line does)."""

    def __init__(self, site, key, target, source="127.0.0.1", cookie=None):
        headers = {"Cookie": cookie} if cookie else {}
        st, h, body = site.get(f"/remove?q={urllib.parse.quote(key)}&list={urllib.parse.quote(target)}",
                               headers=headers, source=source)
        assert st == 200, body
        self.cookie = cookie or h["Set-Cookie"].split(";")[0]
        self.fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', body))
        bits = int(re.search(r'data-bits="(\d+)"', body).group(1))
        self.fields["nonce"] = str(solve(self.fields["challenge"], bits))
        self.body = body

    def post(self, site, source="127.0.0.1", cookie=None, **extra):
        data = dict(self.fields, **extra)
        return site.request("POST", "/remove", body=urllib.parse.urlencode(data),
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "Cookie": cookie if cookie is not None else self.cookie},
                            source=source)


def solve(challenge, bits):
    import hashlib
    n = 0
    while int.from_bytes(hashlib.sha256(f"{challenge}:{n}".encode()).digest(), "big") >> (256 - bits):
        n += 1
    return n


def test_lookups_listed_unlisted_excluded_and_a_domain(site):
    d = lookup(site, "192.0.2.10")
    assert d["listed"] is True
    t = row(d, BL, "traps")
    assert t["listed"] and t["entry"] == "192.0.2.10" and t["reason"] == XSS
    assert t["removal"] == "none" and t["expires"] is not None
    assert not row(d, BL, "manual")["listed"]
    assert [h["action"] for h in d["history"]] == ["list"] and d["history"][0]["by"] == "operator"
    assert "source" not in json.dumps(d) and "admin" not in json.dumps(d)      # sources are private
    d = lookup(site, "203.0.113.5")
    assert d["listed"] is False and not any(r["listed"] for r in d["lists"])
    d = lookup(site, "198.51.100.7")
    m = row(d, BL, "manual")
    assert d["listed"] is False and m["excluded"] is True and m["entry"] == "198.51.100.7"
    d = lookup(site, "198.51.100.8")
    assert row(d, BL, "manual")["entry"] == "198.51.100.0/24"
    d = lookup(site, "www.spam.example")
    assert d["listed"] is False
    d = lookup(site, "spam.example")
    assert row(d, DBL, "domains")["listed"] and {r["zone"] for r in d["lists"]} == {DBL}
    st, _, body = site.get("/api/v1/lookup?q=192.0.2.0/24")
    assert st == 400 and "not a range" in json.loads(body)["error"]


def test_every_value_is_escaped(site):
    st, h, body = site.get("/?q=192.0.2.10")
    assert st == 200
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;" in body
    assert "Example &lt;Block&gt; List" in body and TITLE not in body
    # the query itself, with a control byte, quotes and markup, comes back escaped
    evil = "\x01\"><script>alert(1)</script>"
    st, _, body = site.get("/?q=" + urllib.parse.quote(evil))
    assert st == 400
    assert "<script>alert(1)" not in body and "\x01" not in body
    assert 'value="\ufffd&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    # every page: the policy, no inline script or style
    for path in ("/", "/?q=192.0.2.10", "/nowhere", "/api/v1/lookup?q=x"):
        st, h, body = site.get(path)
        assert h["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert "<script>" not in body and "style=" not in body and "onclick" not in body


def test_no_path_outside_the_route_table(site):
    for path in ("/static/../../../../etc/passwd", "/../etc/passwd", "/static/%2e%2e/etc/passwd",
                 "/static/style.css/../../etc/hostname", "/etc/passwd", "/static/", "/api/v1/"):
        st, _, body = site.get(path)
        assert st == 404, path
        assert "root:" not in body
    st, h, body = site.get("/static/style.css")
    assert st == 200 and h["Content-Type"].startswith("text/css")
    st, h, body = site.get("/static/pow.js")
    assert st == 200 and h["Content-Type"].startswith("text/javascript")
    assert site.request("PUT", "/")[0] == 405
    assert site.request("DELETE", "/remove")[0] == 405
    assert site.request("POST", "/", body="a=b",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 405


def test_oversized_requests_are_refused(site):
    big = "note=" + "x" * 9000
    st, _, _ = site.request("POST", "/remove", body=big,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 413
    # chunked, no Content-Length: counted as it arrives
    c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=DEADLINE)
    c.putrequest("POST", "/remove")
    c.putheader("Content-Type", "application/x-www-form-urlencoded")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    c.send(b"5\r\nnote=\r\n")
    for _ in range(10):
        c.send(b"400\r\n" + b"y" * 0x400 + b"\r\n")
    c.send(b"0\r\n\r\n")
    assert c.getresponse().status == 413
    c.close()
    # headers beyond the connection's memory
    try:
        st = site.get("/", headers={"X-Big": "z" * 40000})[0]
        assert st in (413, 414, 431, 400)
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        pass                            # closed without an answer: refused as well
    # one field beyond its bound
    st, _, _ = site.request("POST", "/remove", body="note=" + "n" * 7000,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 413
    # the server still answers
    assert site.get("/")[0] == 200


def test_forms_need_their_session_and_token(site):
    srv = site.srv
    srv.admin("add", f"{BL}/selfsvc", "192.0.2.30", "--reason", "trap")
    f = Form(site, "192.0.2.30", f"{BL}/selfsvc", source="127.0.0.3")
    st, _, body = f.post(site, cookie="", source="127.0.0.3")             # no cookie: cross-site
    assert st == 403 and "token" in body
    other = Form(site, "192.0.2.30", f"{BL}/selfsvc", source="127.0.0.3")
    st, _, body = f.post(site, cookie=other.cookie, source="127.0.0.3")   # another session
    assert st == 403
    st, _, body = f.post(site, csrf="00" * 24, source="127.0.0.3")         # a forged token
    assert st == 403
    st, _, body = f.post(site, nonce="", source="127.0.0.3")               # no proof of work
    assert st == 403 and "proof of work" in body
    st, _, body = f.post(site, q="192.0.2.31", source="127.0.0.3")         # the form for another key
    assert st == 403
    assert lookup(site, "192.0.2.30")["listed"]                            # nothing removed
    st, _, body = f.post(site, source="127.0.0.3")
    assert st == 200 and "Removed" in body, body
    assert nx(srv, rev4("192.0.2.30") + "." + BL)
    # the same form again (from another address: 127.0.0.3 has used its request-limit)
    st, _, body = f.post(site, source="127.0.0.13")
    assert st == 403 and "sent already" in body


def test_the_rate_limit_holds_per_client_address(site):
    src = "127.0.0.9"
    n_ok = 0
    for i in range(6):                  # request-limit = 6/1h: every post counts
        st, _, _ = site.request("POST", "/remove", body="q=x",
                                headers={"Content-Type": "application/x-www-form-urlencoded"},
                                source=src)
        assert st != 429, i
        n_ok += 1
    st, h, body = site.request("POST", "/remove", body="q=x",
                               headers={"Content-Type": "application/x-www-form-urlencoded"},
                               source=src)
    assert st == 429 and h["Retry-After"] == "3600" and "too many" in body
    # another address is not limited; X-Forwarded-For from an untrusted peer is ignored
    st, _, _ = site.request("POST", "/remove", body="q=x", source="127.0.0.10",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert st != 429
    st, _, _ = site.request("POST", "/remove", body="q=x", source=src,
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "X-Forwarded-For": "203.0.113.9"})
    assert st == 429
    assert site.get("/?q=192.0.2.1", source=src)[0] == 200    # lookups count apart


def test_self_service_limit_then_review_approved_and_denied(site):
    srv = site.srv
    key = "192.0.2.40"
    srv.admin("add", f"{BL}/selfsvc", key)
    st, _, body = Form(site, key, f"{BL}/selfsvc", source="127.0.0.4").post(site, source="127.0.0.4")
    assert st == 200 and "Removed" in body
    hist = json.loads(srv.admin("show", key, "--json").stdout)["history"]
    assert hist[-1]["action"] == "delist" and hist[-1]["source"] == "self-service"
    assert json.loads(srv.admin("show", key, "--json").stdout)["holds"]
    # listed again: removal-limit 1/30d is used up, so this one goes to review
    srv.admin("add", f"{BL}/selfsvc", key)
    f = Form(site, key, f"{BL}/selfsvc", source="127.0.0.4")
    assert "reviews this request" in f.body and "used up" in f.body
    st, _, body = f.post(site, source="127.0.0.4", note="fixed the <relay>",
                         contact="postmaster@example.net")
    assert st == 200 and "Ticket" in body, body
    link = re.search(r'href="(/request\?id=(\d+)&amp;t=[0-9a-f]+)"', body)
    status_path, rid = link.group(1).replace("&amp;", "&"), link.group(2)
    assert not nx(srv, rev4(key) + "." + BL)                               # still listed
    reqs = json.loads(srv.admin("requests", "--json").stdout)
    r = next(x for x in reqs if str(x["id"]) == rid)
    assert r["key"] == key and r["list"] == "selfsvc" and r["status"] == "pending"
    assert r["note"] == "fixed the <relay>" and r["client"] == "127.0.0.4"
    st, _, body = site.get(status_path)
    assert st == 200 and ">pending<" in body and "fixed the &lt;relay&gt;" in body
    st, _, _ = site.get(status_path[:-4] + "0000")                         # a wrong token
    assert st == 404
    out = srv.admin("approve", rid, "--by", "alice").stdout
    assert f"approved request {rid}: delisted {key} from {BL}/selfsvc" in out
    assert nx(srv, rev4(key) + "." + BL)
    st, _, body = site.get(status_path)
    assert ">approved<" in body
    assert srv.admin("approve", rid, check=False).returncode == 1          # decided already
    hist = json.loads(srv.admin("show", key, "--json").stdout)["history"]
    assert [h["action"] for h in hist][-2:] == ["request", "delist"]
    assert hist[-1]["source"] == "admin:alice"
    # a review list: denied with a reason the requester sees; its reason stays private
    srv.admin("add", f"{BL}/reviewed", "192.0.2.41", "--reason", "private evidence")
    d = lookup(site, "192.0.2.41")
    assert row(d, BL, "reviewed")["reason"] is None and "private evidence" not in json.dumps(d)
    st, _, body = Form(site, "192.0.2.41", f"{BL}/reviewed", source="127.0.0.5").post(
        site, source="127.0.0.5", note="please")
    rid = re.search(r"Ticket (\d+)", body).group(1)
    status_path = re.search(r'href="(/request\?[^"]+)"', body).group(1).replace("&amp;", "&")
    st, _, body = Form(site, "192.0.2.41", f"{BL}/reviewed", source="127.0.0.5").post(
        site, source="127.0.0.5")
    assert st == 409 and "already waiting" in body                         # one at a time
    assert srv.admin("deny", rid, check=False).returncode == 1             # --reason required
    srv.admin("deny", rid, "--reason", "still <sending> spam")
    st, _, body = site.get(status_path)
    assert ">denied<" in body and "still &lt;sending&gt; spam" in body
    assert not nx(srv, rev4("192.0.2.41") + "." + BL)
    assert lookup(site, "192.0.2.41")["history"][-1]["action"] == "deny"
    assert "no pending requests" in srv.admin("requests").stdout
    assert rid in srv.admin("requests", "--all").stdout


def test_a_list_without_removal_and_an_unlisted_key(site):
    st, _, body = site.get(f"/remove?q=192.0.2.10&list={BL}/traps")
    assert st == 403 and "no removal" in body
    st, _, body = site.get(f"/remove?q=203.0.113.77&list={BL}/selfsvc")
    assert st == 404
    st, _, body = site.get("/remove?q=192.0.2.10&list=nope.example/x")
    assert st == 400


# ---- headless Chromium --------------------------------------------------------------

class Browser:
    """Chromium --headless with a DevTools websocket: navigate, evaluate,
    screenshot. Waits are polls of the page's own state with a deadline."""

    def __init__(self, tmp):
        import websocket
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp)
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={self.profile}",
             "--remote-debugging-port=0", "--window-size=1000,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        wait_until(lambda: os.path.exists(port_file) and open(port_file).read().count("\n") >= 1,
                   "chromium's DevTools port")
        port = int(open(port_file).read().split("\n")[0])

        def page_ws():
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/json/list")
                pages = [p for p in json.loads(c.getresponse().read()) if p["type"] == "page"]
                return pages[0]["webSocketDebuggerUrl"] if pages else None
            except OSError:
                return None
        self.ws = websocket.create_connection(wait_until(page_ws, "chromium's page target"),
                                              timeout=DEADLINE, suppress_origin=True)
        self.n = 0
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, navigating=False, **params):
        """A DevTools call's result. navigating: the page may be between
        two documents, and an evaluation there fails with "Inspected target
        navigated or closed" (or its context is destroyed): None, not yet."""
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    if navigating:
                        return None
                    pytest.fail(f"{method}: {m['error']}")
                return m["result"]

    def js(self, expr, navigating=False):
        r = self.call("Runtime.evaluate", navigating, expression=expr, returnByValue=True,
                      awaitPromise=True)
        if r is None:
            return None
        if "exceptionDetails" in r:
            if navigating:
                return None
            pytest.fail(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def loaded_since(self, before):
        """A new document (another time origin) that has finished loading."""
        origin = self.js("performance.timeOrigin", navigating=True)
        return origin is not None and origin != before and \
            self.js("document.readyState", navigating=True) == "complete"

    def go(self, url):
        before = self.js("performance.timeOrigin")
        self.call("Page.navigate", url=url)
        wait_until(lambda: self.loaded_since(before), f"{url} loaded")

    def click_and_wait(self, selector):
        before = self.js("performance.timeOrigin")
        self.js(f"document.querySelector({json.dumps(selector)}).click()")
        wait_until(lambda: self.loaded_since(before), f"the page after {selector}")

    def text(self):
        return self.js("document.body.innerText")

    def shot(self, path, width=1000, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=800,
                  deviceScaleFactor=1, mobile=mobile)
        h = self.js("Math.ceil(document.documentElement.scrollHeight)")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=min(h, 2000),
                  deviceScaleFactor=1, mobile=mobile)
        data = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with open(path, "wb") as f:
            f.write(data)
        self.call("Emulation.clearDeviceMetricsOverride")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.kill()
            self.proc.wait(DEADLINE)


@pytest.fixture(scope="module")
def browser(site):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} missing (Debian package chromium; tests/deps.sh installs it)")
    b = Browser(site.srv.dir)
    try:
        yield b
    finally:
        b.close()


def shots_dir(site):
    d = os.environ.get("DNSXL_SCREENSHOTS") or os.path.join(site.srv.dir, "shots")
    os.makedirs(d, exist_ok=True)
    return d


def test_browser_lookups(site, browser):
    base = f"http://127.0.0.1:{site.port}"
    browser.go(base + "/")
    browser.js("document.querySelector('input[name=q]').value = '192.0.2.10'")
    browser.click_and_wait("form.lookup button")
    t = browser.text()
    assert "192.0.2.10 is listed in 1 of" in t
    assert XSS in t                                  # shown as text, never run
    assert browser.js("document.querySelectorAll('script').length") == 0
    assert browser.js("document.title") == f"192.0.2.10 \u2013 {TITLE}"
    browser.shot(os.path.join(shots_dir(site), "lookup.png"))
    browser.shot(os.path.join(shots_dir(site), "lookup-phone.png"), width=390, mobile=True)
    browser.go(base + "/?q=203.0.113.5")
    assert "203.0.113.5 is not listed in any of the" in browser.text()
    browser.go(base + "/?q=198.51.100.7")
    t = browser.text()
    assert "not listed (excepted)" in t and "Excepted from a wider listing" in t
    browser.go(base + "/?q=198.51.100.8")
    assert "Listed as part of 198.51.100.0/24" in browser.text()
    browser.go(base + "/?q=spam.example")
    t = browser.text()
    assert "spam.example is listed in 1 of" in t and "phishing" in t


def test_browser_self_service_removal(site, browser):
    srv = site.srv
    key = "192.0.2.50"
    srv.admin("add", f"{BL}/selfsvc", key, "--reason", "spam run")
    assert not nx(srv, rev4(key) + "." + BL)
    base = f"http://127.0.0.1:{site.port}"
    browser.go(f"{base}/?q={key}")
    browser.click_and_wait("a[href^='/remove']")
    assert "This removes the listing at once" in browser.text()
    wait_until(lambda: browser.js("document.getElementById('removal').getAttribute('data-ready')")
               == "1", "the page's proof of work")
    assert browser.js("document.getElementById('nonce').value") != ""
    browser.js("document.getElementById('note').value = 'cleaned the compromised host'")
    browser.shot(os.path.join(shots_dir(site), "removal.png"))
    browser.click_and_wait("#send")
    assert "is no longer listed in" in browser.text()
    assert nx(srv, rev4(key) + "." + BL)             # dnsxld answers NXDOMAIN right after


def test_browser_review_request_approved(site, browser):
    srv = site.srv
    key = "192.0.2.60"
    srv.admin("add", f"{BL}/reviewed", key)
    base = f"http://127.0.0.1:{site.port}"
    browser.go(f"{base}/remove?q={key}&list={BL}/reviewed")
    wait_until(lambda: browser.js("document.getElementById('removal').getAttribute('data-ready')")
               == "1", "the page's proof of work")
    browser.js("document.getElementById('note').value = 'we closed the open relay'")
    browser.js("document.getElementById('contact').value = 'postmaster@example.net'")
    browser.click_and_wait("#send")
    assert "waits for review" in browser.text()
    browser.click_and_wait("#ticket")
    assert browser.js("document.getElementById('status').textContent") == "pending"
    rid = browser.js("new URLSearchParams(location.search).get('id')")
    srv.admin("approve", rid)
    browser.go(browser.js("location.href"))
    assert browser.js("document.getElementById('status').textContent") == "approved"
    browser.shot(os.path.join(shots_dir(site), "ticket.png"))
    assert nx(srv, rev4(key) + "." + BL)


def test_web_stops_on_sigterm_and_refuses_a_bad_secret(site):
    srv = site.srv
    bad = os.path.join(srv.dir, "bad.conf")
    with open(srv.conf) as f, open(bad, "w") as g:
        g.write(f.read().replace("proof-of-work = 8", "proof-of-work = 8\nsecret = web.key"))
    with open(os.path.join(srv.dir, "web.key"), "w") as f:
        f.write("00" * 32 + "\n")
    os.chmod(os.path.join(srv.dir, "web.key"), 0o644)
    p = run_tool([WEB, "-c", bad], check=False, timeout=DEADLINE)
    assert p.returncode == 1 and "open to others" in p.stderr
