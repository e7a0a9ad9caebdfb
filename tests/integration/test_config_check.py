"""`dnsxld -t` refuses the configs that would fail or misbehave later, with
FILE:LINE and the cause (exit 1), and so does every other program that
loads the config (dnsxl-admin, dnsxl-loader); it reads a UTF-8 BOM, CR-only
and CRLF files as their lines. See dnsxl.conf(5)."""
import os
import subprocess
import tempfile

import pytest

from conftest import ADMIN, DNSXLD, LOADER

GOOD = """\
[server]
listen   = 127.0.0.1:5353
database = db

[loader]
never-list-zone = wl.example.org

[zone bl.example.org]
txt  = Listed in $list: $reason - https://example.org/lookup?q=$
[list bl.example.org/traps]
code = 127.0.0.2
[list bl.example.org/manual]
code = 127.0.0.4

[zone multi.example.org]
answer = bitmask
[list multi.example.org/a]
code = 127.0.1.2
[list multi.example.org/b]
code = 127.0.1.4

[zone wl.example.org]
[list wl.example.org/esp]
code = 127.0.15.1
"""


def with_line(after, line):
    """GOOD with `line` inserted after the first line equal to `after`;
    returns (text, the 1-based number of the inserted line)."""
    lines = GOOD.splitlines()
    i = lines.index(after)
    lines.insert(i + 1, line)
    return "\n".join(lines) + "\n", i + 2


def replaced(old, new):
    lines = GOOD.splitlines()
    i = lines.index(old)
    lines[i] = new
    return "\n".join(lines) + "\n", i + 1


def run(argv):
    return subprocess.run(argv, capture_output=True, encoding="utf-8", errors="replace",
                          timeout=30, stdin=subprocess.DEVNULL)


def write(d, text, mode="w"):
    path = os.path.join(d, "dnsxl.conf")
    with open(path, mode) as f:
        f.write(text)
    return path


BAD = {
    "duplicate listen": with_line("listen   = 127.0.0.1:5353", "listen = 127.0.0.1:05353")
    + ("listen: '127.0.0.1:05353' is the address and port of line 2 again",),
    "never-list-zone naming no zone": with_line("never-list-zone = wl.example.org",
                                                "never-list-zone = allow.example.org")
    + ("never-list-zone: 'allow.example.org' is not a configured zone",),
    "unknown variable in a zone txt": replaced(
        "txt  = Listed in $list: $reason - https://example.org/lookup?q=$",
        "txt  = Listed in $lsit - https://example.org/lookup?q=$")
    + ("txt: TXT has an unknown variable '$lsit' at offset 10",),
    "unknown variable in a list txt": with_line("code = 127.0.0.4", "txt = see $url")
    + ("txt: TXT has an unknown variable '$url' at offset 4",),
    "list code 127.0.0.1": replaced("code = 127.0.0.4", "code = 127.0.0.1")
    + ("code: '127.0.0.1' is reserved",),
    "list code in 127.255.255.0/24": replaced("code = 127.0.0.4", "code = 127.255.255.254")
    + ("code: '127.255.255.254' is reserved for error answers",),
    "bitmask codes sharing bits": replaced("code = 127.0.1.4", "code = 127.0.1.6")
    + ("code: 127.0.1.6 of list 'b' shares bits with 127.0.1.2 of list 'a'",),
    "bitmask codes with other first octets": replaced("code = 127.0.1.4", "code = 127.0.2.4")
    + ("code: 127.0.2.4 of list 'b' differs from 127.0.1.2 of list 'a'",),
    "TXT longer than 4096 after expansion": with_line(
        "code = 127.0.0.2", "txt = " + "x" * 3100 + " $reason $")
    + ("txt: TXT can expand to 4165 octets, more than 4096 ($ counts 39",),
    "control byte in a value": replaced("database = db", "database = d\x1bb")
    + ("control character 0x1b at column 13",),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_refused_with_file_and_line(case):
    text, line, msg = BAD[case]
    with tempfile.TemporaryDirectory(prefix="dnsxl-conf-") as d:
        path = write(d, text)
        for argv in ([DNSXLD, "-t", "-c", path], [ADMIN, "-c", path, "zones"],
                     [LOADER, "-c", path, "expire"]):
            p = run(argv)
            assert p.returncode == 1, (argv, p.returncode, p.stdout, p.stderr)
            assert f"{path}:{line}: " in p.stderr, (argv, p.stderr)
            assert msg in p.stderr, (argv, msg, p.stderr)
            assert "configuration OK" not in p.stdout


def test_good_config_passes():
    with tempfile.TemporaryDirectory(prefix="dnsxl-conf-") as d:
        path = write(d, GOOD)
        p = run([DNSXLD, "-t", "-c", path])
        assert p.returncode == 0, p.stderr
        assert "configuration OK" in p.stdout


@pytest.mark.parametrize("form", ["bom", "cr", "crlf", "bom+crlf"])
def test_bom_and_line_ends_read_as_lines(form):
    text = GOOD
    if "crlf" in form:
        text = text.replace("\n", "\r\n")
    elif form == "cr":
        text = text.replace("\n", "\r")
    data = text.encode()
    if "bom" in form:
        data = b"\xef\xbb\xbf" + data
    with tempfile.TemporaryDirectory(prefix="dnsxl-conf-") as d:
        path = write(d, data, "wb")
        p = run([DNSXLD, "-t", "-c", path])
        assert p.returncode == 0, (form, p.stderr)
        # line numbers count the file's own line ends
        bad = data.replace(b"code = 127.0.0.4", b"code = 127.0.0.1")
        path = write(d, bad, "wb")
        p = run([DNSXLD, "-t", "-c", path])
        assert p.returncode == 1, (form, p.stdout)
        line = GOOD.splitlines().index("code = 127.0.0.4") + 1
        assert f"{path}:{line}: code: '127.0.0.1' is reserved" in p.stderr, (form, p.stderr)
