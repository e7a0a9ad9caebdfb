"""Signals (INTERFACE.md "Programs"): SIGHUP re-reads the config, a broken
config keeps the old one, SIGTERM/SIGINT stop with status 0. Each test runs
its own dnsxld so the shared server is never disturbed."""
import os
import signal
import subprocess
import tempfile
import time

import dns.rcode
import pytest

from conftest import BL, DNSXLD, Server, a_set, base_config, rev4, soa_of, txt_set

LISTED = f"{rev4('192.0.2.99')}.{BL}"

NEW_ZONE = """
[zone new.example.org]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list new.example.org/manual]
code = 127.0.0.9
"""


@pytest.fixture
def own():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-reload-") as d:
        s = Server(d)
        s.admin("add", f"{BL}/traps", "192.0.2.99", "--reason", "trap hit")
        s.start()
        try:
            yield s
        finally:
            if s.stopped:          # the test stopped it and checked the status itself
                s.kill()
                s._close_err()
            else:
                was_alive = s.alive()
                rc = s.stop()
                assert was_alive, f"dnsxld died (status {rc})\nstderr:\n{s.stderr_text()}"
                assert rc == 0, f"dnsxld exited {rc} on SIGTERM\nstderr:\n{s.stderr_text()}"
            assert not s.sanitizer_report(), "sanitizer report:\n" + s.stderr_text()[-6000:]


def poll(fn, timeout=3.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


def test_sighup_picks_up_changed_txt_template(own):
    assert txt_set(own.q(LISTED, "TXT")) == ["Seen hitting spam traps - https://example.org/lookup?q=192.0.2.99"]
    own.write_config(traps_txt="Reloaded template for $")
    pid = own.pid
    own.proc.send_signal(signal.SIGHUP)
    ok = poll(lambda: txt_set(own.q(LISTED, "TXT")) == ["Reloaded template for 192.0.2.99"])
    assert ok, f"TXT after SIGHUP: {txt_set(own.q(LISTED, 'TXT'))}"
    assert own.alive() and own.pid == pid
    assert a_set(own.q(LISTED, "A")) == ["127.0.0.2"]


def test_sighup_adds_new_zone(own):
    assert own.q("new.example.org", "SOA").rcode() == dns.rcode.REFUSED
    own.write_config(extra=NEW_ZONE)
    own.proc.send_signal(signal.SIGHUP)
    ok = poll(lambda: own.q("new.example.org", "SOA").rcode() == dns.rcode.NOERROR)
    assert ok, "new zone not served after SIGHUP"
    assert soa_of(own.q("new.example.org", "SOA"), "answer") is not None
    # data written to it is live
    own.admin("add", "new.example.org/manual", "192.0.2.9")
    assert a_set(own.q("9.2.0.192.new.example.org")) == ["127.0.0.9"]
    # the old zones still answer
    assert a_set(own.q(LISTED, "A")) == ["127.0.0.2"]
    # and a zone removed from the config is no longer served
    own.write_config()
    own.proc.send_signal(signal.SIGHUP)
    assert poll(lambda: own.q("new.example.org", "SOA").rcode() == dns.rcode.REFUSED), \
        "removed zone still served after SIGHUP"
    assert a_set(own.q(LISTED, "A")) == ["127.0.0.2"]


def test_broken_config_on_sighup_keeps_old_one(own):
    good = base_config(own.port, own.dbdir)
    own.write_raw_config(good + "\n[zone broken.example.org\nthis is not = valid\n")
    own.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert own.alive(), f"dnsxld died on a broken config\nstderr:\n{own.stderr_text()}"
    for _ in range(5):
        r = own.q(LISTED, "TXT")
        assert txt_set(r) == ["Seen hitting spam traps - https://example.org/lookup?q=192.0.2.99"]
        time.sleep(0.1)
    # and a good config after the broken one is picked up again
    own.write_config(traps_txt="Fixed $")
    own.proc.send_signal(signal.SIGHUP)
    assert poll(lambda: txt_set(own.q(LISTED, "TXT")) == ["Fixed 192.0.2.99"])


def test_unreadable_config_on_sighup_keeps_old_one(own):
    os.unlink(own.conf)
    own.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert own.alive()
    assert a_set(own.q(LISTED, "A")) == ["127.0.0.2"]
    own.write_config()


def test_sigterm_exits_zero_promptly(own):
    t0 = time.monotonic()
    rc = own.stop()
    assert rc == 0
    assert time.monotonic() - t0 < 3


def test_sigint_exits_zero(own):
    own.stopped = True
    own.proc.send_signal(signal.SIGINT)
    rc = own.proc.wait(5)
    assert rc == 0, f"status {rc}"


def test_sigterm_with_open_tcp_connection_exits_zero(own):
    s = own.tcp_connect()
    try:
        rc = own.stop()
        assert rc == 0
    finally:
        s.close()


def test_broken_config_at_start_exits_nonzero():
    with tempfile.TemporaryDirectory(prefix="dnsxl-it-bad-") as d:
        s = Server(d)
        s.write_raw_config("[server]\nlisten = 127.0.0.1:%d\nnonsense-key = 1\n" % s.port)
        p = subprocess.run([DNSXLD, "-c", s.conf], capture_output=True, text=True, timeout=5)
        assert p.returncode != 0
        assert "dnsxl.conf" in p.stderr, "the message names the file"
