"""dnsxl-admin review: wrong use exits 1 with a message (never a crash), and
--json output is valid JSON whatever bytes a reason or TXT carries. Runs on
its own config and store (no server needed)."""
import json
import os
import subprocess

import pytest

from conftest import ADMIN, BL, DBL, LOADER, base_config


@pytest.fixture(scope="module")
def conf(tmp_path_factory):
    d = tmp_path_factory.mktemp("review-admin")
    path = d / "dnsxl.conf"
    path.write_text(base_config(5399, str(d / "db")))
    return str(path)


def admin(conf, *args, env=None):
    argv = [ADMIN, "-c", conf] + [a if isinstance(a, bytes) else str(a) for a in args]
    e = dict(os.environ)
    e.pop("DNSXL_CONF", None)
    if env:
        e.update(env)
    return subprocess.run(argv, capture_output=True, timeout=30, env=e)


ODD = [
    b'say "hi"',
    b"back\\slash \\\" \\u0041",
    b"no control bytes: add refuses them (test_operator_safety.py)",
    b"latin1 \xe9\xe8 and lone \x80 \xff",
    b"truncated utf8 \xe2\x82",
    b"surrogate \xed\xa0\x80 overlong \xc0\xaf",
    "valid ünïcödé € 😀".encode(),
]


def loads(p):
    assert p.returncode == 0, (p.returncode, p.stderr)
    try:
        return json.loads(p.stdout)     # bytes: must be valid UTF-8 JSON
    except ValueError as e:
        pytest.fail(f"invalid JSON ({e}):\n{p.stdout!r}")


def test_json_valid_for_odd_reasons_and_txt(conf):
    keys = []
    for i, s in enumerate(ODD):
        key = f"192.0.2.{10 + i}"
        keys.append(key)
        p = admin(conf, "add", f"{BL}/manual", key, "--reason", s, "--txt", s)
        assert p.returncode == 0, p.stderr
        p = admin(conf, "add", f"{DBL}/domains", f"odd{i}.example", "--reason", s, "--txt", s)
        assert p.returncode == 0, p.stderr
    doc = loads(admin(conf, "list", f"{BL}/manual", "--json"))
    by_key = {d["key"]: d for d in doc}
    for key, s in zip(keys, ODD):
        d = by_key[key]
        try:
            want = s.decode("utf-8")
        except UnicodeDecodeError:
            want = None
        if want is not None:            # valid UTF-8 comes back exactly
            assert d["reason"] == want and d["txt"] == want, d
        else:
            assert "\ufffd" in d["reason"], d
    loads(admin(conf, "list", DBL, "--json"))
    for key in keys:
        doc = loads(admin(conf, "show", key, "--json"))
        assert doc["listed"] is True
    for i in range(len(ODD)):
        doc = loads(admin(conf, "show", f"odd{i}.example", "--json"))
        assert doc["listed"] is True
    # delist reasons land in the history that show prints
    p = admin(conf, "delist", f"{BL}/manual", keys[2], "--reason", ODD[2])
    assert p.returncode == 0, p.stderr
    doc = loads(admin(conf, "show", keys[2], "--json"))
    assert doc["listed"] is False and len(doc["history"]) >= 2
    loads(admin(conf, "zones", "--json"))
    # the text output escapes control characters instead of passing them on
    p = admin(conf, "list", f"{BL}/manual")
    assert p.returncode == 0
    assert b"\x01" not in p.stdout and b"\x7f" not in p.stdout


BAD = [
    [],
    ["frobnicate"],
    [""],
    ["-x", "zones"],
    ["zones", "extra"],
    ["zones", "--bogus"],
    ["add"],
    ["add", f"{BL}/manual"],
    ["add", f"{BL}/manual", "192.0.2.1", "extra"],
    ["add", f"{BL}/manual", "192.0.2.1", "--lifetime"],
    ["add", f"{BL}/manual", "192.0.2.1", "--lifetime", "0"],
    ["add", f"{BL}/manual", "192.0.2.1", "--lifetime", "5x"],
    ["add", f"{BL}/manual", "192.0.2.1", "--lifetime", ""],
    ["add", f"{BL}/manual", "192.0.2.1", "--lifetime", "99999999999999999999999"],
    ["add", f"{BL}/manual", "192.0.2.1", "--code", "10.0.0.2"],
    ["add", f"{BL}/manual", "192.0.2.1", "--code", "bad"],
    ["add", f"{BL}/manual", "192.0.2.1", "--hold", "1d"],
    ["add", f"{BL}/manual", "192.0.2.1", "--json"],
    ["add", BL, "192.0.2.1"],
    ["add", f"{BL}/nolist", "192.0.2.1"],
    ["add", "no.such.zone/manual", "192.0.2.1"],
    ["add", f"{BL}/manual/x", "192.0.2.1"],
    ["add", "/manual", "192.0.2.1"],
    ["add", f"{BL}/", "192.0.2.1"],
    ["add", "", "192.0.2.1"],
    ["add", f"{BL}/manual", ""],
    ["add", f"{BL}/manual", "192.0.2.1/33"],
    ["add", f"{BL}/manual", "2001:db8::/129"],
    ["add", f"{BL}/manual", "192.0.2.1/"],
    ["add", f"{BL}/manual", "spam.example"],
    ["add", f"{BL}/manual", "127.0.0.1"],
    ["add", f"{BL}/manual", "1" * 5000],
    ["add", f"{BL}/manual", "a." * 3000 + "example"],
    ["add", f"{DBL}/domains", "192.0.2.1"],
    ["add", f"{DBL}/domains", "invalid"],
    ["add", f"{DBL}/domains", "bad..name"],
    ["add", f"{DBL}/domains", "x" * 64 + ".example"],
    ["add", ("z" * 300) + "/manual", "192.0.2.1"],
    ["delist"],
    ["delist", BL],
    ["delist", BL, "192.0.2.222"],
    ["delist", BL, "192.0.2.1", "--hold", "never-ish"],
    ["delist", BL, "192.0.2.1", "--hold", "0"],
    ["delist", BL, "192.0.2.1", "--lifetime", "1d"],
    ["list"],
    ["list", ""],
    ["list", "nozone"],
    ["list", BL, "--lifetime", "1d"],
    ["list", BL, BL],
    ["show"],
    ["show", ""],
    ["show", "not a key"],
    ["show", "192.0.2.1", "192.0.2.2"],
    ["show", "999.1.1.1"],
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a)[:60] or "(none)" for a in BAD])
def test_wrong_use_exits_1_with_message(conf, args):
    p = admin(conf, *args)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.startswith(b"dnsxl-admin: "), p.stderr
    assert b"Sanitizer" not in p.stderr and b"runtime error" not in p.stderr, p.stderr


def test_bad_config_paths_exit_1(tmp_path):
    for argv in ([ADMIN, "-c"], [ADMIN, "-c", str(tmp_path / "missing.conf"), "zones"],
                 [ADMIN, "--config"]):
        p = subprocess.run(argv, capture_output=True, timeout=30)
        assert p.returncode == 1, (argv, p.returncode, p.stderr)
        assert p.stderr.startswith(b"dnsxl-admin: "), p.stderr
    bad = tmp_path / "bad.conf"
    bad.write_bytes(b"[server]\ndatabase = x\0y\n")
    p = subprocess.run([ADMIN, "-c", str(bad), "zones"], capture_output=True, timeout=30)
    assert p.returncode == 1 and b"NUL" in p.stderr, p.stderr


def test_help_exits_0(conf):
    for args in (["--help"], ["add", "--help"], ["show", "-h"]):
        p = admin(conf, *args)
        assert p.returncode == 0 and b"usage" in p.stdout, (args, p)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_write_error_on_stdout_exits_2(conf):
    for args in (["zones"], ["zones", "--json"], ["list", BL, "--json"], ["show", "192.0.2.10"]):
        with open("/dev/full", "wb") as full:
            e = dict(os.environ)
            e.pop("DNSXL_CONF", None)
            p = subprocess.run([ADMIN, "-c", conf] + args, stdout=full, stderr=subprocess.PIPE,
                               timeout=30, env=e)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert b"write error" in p.stderr, p.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_help_and_version_that_cannot_be_written_exit_2():
    # the same rule as a command's output (zones/cli.c dx_cli_finish), for
    # dnsxl-loader too
    for prog in (ADMIN, LOADER):
        for args in (["--help"], ["-V"], ["--version"]):
            with open("/dev/full", "wb") as full:
                p = subprocess.run([prog] + args, stdout=full, stderr=subprocess.PIPE, timeout=30)
            assert p.returncode == 2, (prog, args, p.returncode, p.stderr)
            assert b"write error on standard output" in p.stderr, p.stderr
