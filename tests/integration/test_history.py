"""History retention: `dnsxl-loader expire` prunes history records older
than `[loader] history`, and keeps the rest (and everything with `forever`)."""
import os
import time

from conftest import ADMIN, LOADER, run_tool


def config(tmp_path, keep):
    conf = tmp_path / "dnsxl.conf"
    conf.write_text(f"""[server]
listen = 127.0.0.1:5353
database = db

[loader]
history = {keep}

[zone bl.example.org]
[list bl.example.org/manual]
code = 127.0.0.4
""")
    return str(conf)


def history_lines(conf, key):
    out = run_tool([ADMIN, "-c", conf, "show", key]).stdout
    return [l for l in out.splitlines() if "bl.example.org/manual" in l and "source" in l]


def test_expire_prunes_history_older_than_retention(tmp_path):
    conf = config(tmp_path, "2s")
    run_tool([ADMIN, "-c", conf, "add", "bl.example.org/manual", "192.0.2.7", "--reason", "old"])
    run_tool([ADMIN, "-c", conf, "delist", "bl.example.org/manual", "192.0.2.7"])
    assert len(history_lines(conf, "192.0.2.7")) == 2      # list, delist
    time.sleep(3)
    run_tool([ADMIN, "-c", conf, "add", "bl.example.org/manual", "192.0.2.8", "--reason", "new"])
    p = run_tool([LOADER, "-c", conf, "expire"])
    assert "pruned 2 history records" in p.stdout, p.stdout
    assert history_lines(conf, "192.0.2.7") == []
    assert len(history_lines(conf, "192.0.2.8")) == 1      # younger than 2 s: kept


def test_history_forever_keeps_everything(tmp_path):
    conf = config(tmp_path, "forever")
    run_tool([ADMIN, "-c", conf, "add", "bl.example.org/manual", "192.0.2.9"])
    time.sleep(1.1)
    p = run_tool([LOADER, "-c", conf, "expire"])
    assert "pruned 0 history records" in p.stdout, p.stdout
    assert len(history_lines(conf, "192.0.2.9")) == 1
