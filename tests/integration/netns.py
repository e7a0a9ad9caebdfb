"""A private network and mount namespace for tests that need port 53, the
system resolver or files at their system paths (Postfix, Exim, a systemd
unit's ExecStart), without touching the host.

`unshare --net --mount` starts a holder process (`cat` on a pipe) whose
namespaces stay while it runs; commands enter them with `nsenter`. The
namespace has only its own loopback; mounts made in it are private
(util-linux unshare makes them so), so bind-mounting a resolv.conf or a
passwd file there changes nothing outside. Closing the pipe ends the holder;
processes started in the namespace are stopped by the test, by PID.
"""
import os
import shutil
import subprocess
import time

import pytest


def which_or_skip(prog):
    path = shutil.which(prog) or (os.path.exists(f"/usr/sbin/{prog}") and f"/usr/sbin/{prog}")
    if not path:
        pytest.skip(f"{prog} is not installed (make deps installs it)")
    return path


class NetNS:
    def __init__(self, setup=()):
        """setup: shell lines run in the new namespaces before they are used
        (`ip link set lo up` comes first). A failing line fails the test."""
        which_or_skip("unshare")
        which_or_skip("nsenter")
        which_or_skip("ip")
        script = "set -e\nip link set lo up\n" + "\n".join(setup) + "\necho ready\nexec cat\n"
        self.proc = subprocess.Popen(["unshare", "--net", "--mount", "--propagation", "private",
                                      "sh", "-c", script],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()   # blocks until the setup ends, one way or the other
        if line != b"ready\n":
            self.proc.wait(30)
            err = self.proc.stderr.read().decode(errors="replace")
            if "Operation not permitted" in err and os.geteuid() != 0:
                pytest.skip(f"cannot create network/mount namespaces as uid {os.geteuid()}: {err.strip()}")
            pytest.fail(f"namespace setup failed (exit {self.proc.returncode}):\n{err}")
        self.pid = self.proc.pid

    def argv(self, argv):
        return ["nsenter", "-t", str(self.pid), "--net", "--mount", "--", *argv]

    def run(self, argv, check=True, timeout=60, **kw):
        kw.setdefault("capture_output", True)
        p = subprocess.run(self.argv(argv), timeout=timeout, encoding="utf-8",
                           errors="replace", **kw)
        if check and p.returncode != 0:
            pytest.fail(f"in the namespace: {' '.join(argv)} exited {p.returncode}\n"
                        f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def popen(self, argv, **kw):
        return subprocess.Popen(self.argv(argv), **kw)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(30)


def wait_for_log(path, text, proc, what, deadline_s=30.0):
    """Poll `path` until it contains `text`; fail if `proc` exits first."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            with open(path, errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        if text in log:
            return log
        if proc.poll() is not None:
            pytest.fail(f"{what} exited {proc.returncode} before logging {text!r}:\n{log}")
        if time.monotonic() > end:
            pytest.fail(f"{what} did not log {text!r} within {deadline_s:.0f} s:\n{log}")
        time.sleep(0.05)


def stop(proc, what, timeout=10):
    """SIGTERM one process we started; returns its exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
            pytest.fail(f"{what} did not stop within {timeout} s of SIGTERM (killed)")
    return proc.returncode
