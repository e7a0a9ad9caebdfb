"""History retention: `dnsxl-loader expire` prunes history records older
than `[loader] history`, and keeps the rest (and everything with `forever`).
Time is a parameter (DNSXL_TEST_NOW): records are written at chosen clocks
and the sweep runs at another, so nothing waits and the cut is exact."""
from conftest import ADMIN, LOADER, run_tool

T0 = 1_800_000_000          # the clock of the first writes
HOUR = 3600


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


def admin(conf, *args, now):
    return run_tool([ADMIN, "-c", conf, *args], now=now)


def expire(conf, now):
    return run_tool([LOADER, "-c", conf, "expire"], now=now).stdout


def history_lines(conf, key):
    out = run_tool([ADMIN, "-c", conf, "show", key]).stdout
    return [l for l in out.splitlines() if "bl.example.org/manual" in l and "source" in l]


def test_expire_prunes_history_older_than_retention(tmp_path):
    conf = config(tmp_path, "1h")
    admin(conf, "add", "bl.example.org/manual", "192.0.2.7", "--reason", "old", now=T0)
    admin(conf, "delist", "bl.example.org/manual", "192.0.2.7", now=T0)
    assert len(history_lines(conf, "192.0.2.7")) == 2      # list, delist
    admin(conf, "add", "bl.example.org/manual", "192.0.2.8", "--reason", "new", now=T0 + 1800)
    # exactly an hour old is not older than an hour: kept
    assert "pruned 0 history records" in expire(conf, T0 + HOUR)
    assert len(history_lines(conf, "192.0.2.7")) == 2
    # a second later both records of 192.0.2.7 go
    out = expire(conf, T0 + HOUR + 1)
    assert "pruned 2 history records" in out, out
    assert history_lines(conf, "192.0.2.7") == []
    assert len(history_lines(conf, "192.0.2.8")) == 1      # half an hour old: kept


def test_history_forever_keeps_everything(tmp_path):
    conf = config(tmp_path, "forever")
    admin(conf, "add", "bl.example.org/manual", "192.0.2.9", now=T0)
    out = expire(conf, T0 + 100 * 365 * 24 * HOUR)
    assert "pruned 0 history records" in out, out
    assert len(history_lines(conf, "192.0.2.9")) == 1
