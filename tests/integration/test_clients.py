"""Real third-party clients (dig, kdig) agree with dnspython."""
import shutil
import subprocess

import pytest

from conftest import BL, DBL, DEADLINE, a_set, rev4, txt_set

LISTED = f"{rev4('192.0.2.99')}.{BL}"


def retry_opts(tool):
    # one try, waiting as long as any test waits for a reply (a busy machine)
    t = f"+time={int(DEADLINE)}"
    return ["+tries=1", t] if tool == "dig" else ["+retry=0", t]


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=3 * DEADLINE)
    assert p.returncode == 0, f"{argv}: {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def short_lines(out):
    return sorted(line.strip() for line in out.splitlines() if line.strip())


def unquote(lines):
    # dig +short prints TXT as one or more "quoted" strings
    out = []
    for line in lines:
        parts = [p for p in line.split('"') if p.strip()]
        out.append("".join(parts))
    return sorted(out)


@pytest.mark.parametrize("tool", ["dig", "kdig"])
@pytest.mark.parametrize("tcp", [False, True])
def test_dig_kdig_agree_with_dnspython(srv, tool, tcp):
    exe = shutil.which(tool)
    assert exe, f"{tool} not installed (tests/deps.sh installs it)"
    base = [exe, "@127.0.0.1", "-p", str(srv.port), "+short", *retry_opts(tool)]
    if tcp:
        base.append("+tcp")
    for name in (LISTED, f"spam.example.{DBL}", f"{rev4('198.51.100.5')}.{BL}"):
        out = run(base + [name, "A"])
        assert short_lines(out) == a_set(srv.q(name, "A")), (tool, name, out)
        assert short_lines(out), f"{tool}: no A for {name}"
        out = run(base + [name, "TXT"])
        assert unquote(short_lines(out)) == txt_set(srv.q(name, "TXT")), (tool, name, out)


@pytest.mark.parametrize("tool", ["dig", "kdig"])
def test_dig_kdig_status_nxdomain_and_flags(srv, tool):
    exe = shutil.which(tool)
    assert exe
    out = run([exe, "@127.0.0.1", "-p", str(srv.port), *retry_opts(tool), "+norecurse",
               f"{rev4('192.0.2.98')}.{BL}", "A"])
    assert "NXDOMAIN" in out
    out = run([exe, "@127.0.0.1", "-p", str(srv.port), *retry_opts(tool), LISTED, "A"])
    assert "NOERROR" in out
    flags = [ln for ln in out.splitlines() if "flags:" in ln.lower()][0].lower()
    assert " aa" in flags and " ra" not in flags, flags


def test_kdig_ipv6_transport(srv):
    out = run([shutil.which("kdig"), "@::1", "-p", str(srv.port), "+short", *retry_opts("kdig"),
               LISTED, "A"])
    assert short_lines(out) == ["127.0.0.2", "127.0.0.4"]
