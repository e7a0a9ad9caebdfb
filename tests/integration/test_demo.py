"""`make run PORT=N`: the demo server on 127.0.0.1:N (default 5353), the
tracked demo/dnsxl.conf left as it is.

demo/run.sh runs from a copy of demo/ in a temporary directory, so the
test neither touches the repository's var/ (a developer's `make run` may be
using it) nor port 5353 (mDNS).
"""
import os
import shutil
import subprocess
import tempfile

import dns.message
import dns.query
import pytest

from conftest import BUILD, REPO, a_set, free_port
from netns import stop, wait_for_log


def make_n_run(*args):
    """`make -n run ARGS` (prints the recipe; runs nothing), outside any
    enclosing make's MAKEFLAGS (`make test PORT=...` would pass PORT on)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-C", REPO, "-n", "--no-print-directory", "run", *args],
                       capture_output=True, encoding="utf-8", errors="replace", timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_make_run_passes_the_port():
    assert "sh demo/run.sh build-x 5354" in make_n_run("BUILD=build-x", "PORT=5354")
    assert "sh demo/run.sh build-x 5353" in make_n_run("BUILD=build-x")


@pytest.fixture
def demo_copy():
    d = tempfile.mkdtemp(prefix="dnsxl-demo-")
    shutil.copytree(os.path.join(REPO, "demo"), os.path.join(d, "demo"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_run_sh_serves_on_the_port(demo_copy):
    port = free_port()
    conf = os.path.join(demo_copy, "demo", "dnsxl.conf")
    with open(conf) as f:
        tracked = f.read()
    log = os.path.join(demo_copy, "run.log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(["sh", os.path.join(demo_copy, "demo", "run.sh"), BUILD, str(port)],
                                stdout=out, stderr=out, stdin=subprocess.DEVNULL)
    try:
        text = wait_for_log(log, f"listening on 127.0.0.1:{port}", proc, "demo/run.sh")
        assert f"dig -p {port} @127.0.0.1" in text, text
        r = dns.query.udp(dns.message.make_query("99.2.0.192.bl.example.org", "A"),
                          "127.0.0.1", port=port, timeout=30)
        assert a_set(r) == ["127.0.0.2", "127.0.0.4"]
    finally:
        rc = stop(proc, "dnsxld (demo/run.sh)")
    assert rc == 0, open(log).read()
    with open(conf) as f:
        assert f.read() == tracked, "demo/run.sh changed demo/dnsxl.conf"
    assert os.path.exists(os.path.join(demo_copy, "var", f"dnsxl-demo-{port}.conf"))


@pytest.mark.parametrize("bad", ["53x", "0", "65536", "-1"])
def test_run_sh_refuses_a_bad_port(demo_copy, bad):
    p = subprocess.run(["sh", os.path.join(demo_copy, "demo", "run.sh"), BUILD, bad],
                       capture_output=True, encoding="utf-8", timeout=60)
    assert p.returncode == 1 and "PORT must be a number from 1 to 65535" in p.stderr, p.stderr
