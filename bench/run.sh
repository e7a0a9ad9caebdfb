#!/bin/sh
# bench/run.sh BUILD_DIR — dnsxld against rbldnsd, same data, same dnsperf
# load, side by side in one run; prints a table with the QPS ratio.
#
# See bench/README.md. Knobs (environment, defaults in brackets):
#   ENTRIES [1000000] QUERIES [200000] SEED [20261122] TXT_FRACTION [0.1]
#   DURATION [15] seconds of measured load per run, WARMUP [3] seconds before it
#   CLIENTS [8] OUTSTANDING [128]      dnsperf -c / -q (no -Q: maximum throughput)
#   TIMEOUT [1]                        dnsperf -t: a reply later than this counts as lost
#   ROUNDS [1]                         measured runs per server (order alternates)
#   ALLCORES [1]                       also run dnsxld with workers = auto, nothing pinned
#   SERVER_CPU [1] CLIENT_CPU [0]      taskset CPUs for the 1-core runs
#   SAMPLE [1000]                      queries compared between the servers first
#   RBLDNSD_OPTS [-a]                  extra rbldnsd options (-a: no NS in AUTHORITY)
#   ONLY [both]                        "rbldnsd" measures rbldnsd alone (dnsxld not built yet)
#   DNSXLD, DNSXL_LOADER               the programs [BUILD_DIR/dnsxld, BUILD_DIR/dnsxl-loader]
set -eu

usage() { echo "usage: sh bench/run.sh BUILD_DIR" >&2; exit 1; }
die() { echo "bench: $*" >&2; exit 1; }
[ $# -eq 1 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
PY=/usr/bin/python3
ENTRIES=${ENTRIES:-1000000}
QUERIES=${QUERIES:-200000}
SEED=${SEED:-20261122}
TXT_FRACTION=${TXT_FRACTION:-0.1}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
CLIENTS=${CLIENTS:-8}
OUTSTANDING=${OUTSTANDING:-128}
TIMEOUT=${TIMEOUT:-1}
ROUNDS=${ROUNDS:-1}
ALLCORES=${ALLCORES:-1}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SAMPLE=${SAMPLE:-1000}
RBLDNSD_OPTS=${RBLDNSD_OPTS:--a}
ONLY=${ONLY:-both}
ZONE=bl.example.org
NCPU=$(nproc)

case $ONLY in both|rbldnsd) ;; *) die "ONLY must be 'both' or 'rbldnsd'";; esac
for t in dnsperf rbldnsd dig taskset /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (Debian packages: dnsperf rbldnsd bind9-dnsutils util-linux time)"
done
if [ "$ONLY" = both ]; then
    [ -d "$1" ] || die "no build directory '$1' (make BUILD=$1 all)"
    BUILD=$(cd "$1" && pwd)
    # BUILD_DIR/NAME, or BUILD_DIR/bin/NAME should the programs move there
    for d in "$BUILD" "$BUILD/bin"; do
        [ -n "${DNSXLD:-}" ] || { [ -f "$d/dnsxld" ] && DNSXLD=$d/dnsxld; } || true
        [ -n "${DNSXL_LOADER:-}" ] || { [ -f "$d/dnsxl-loader" ] && DNSXL_LOADER=$d/dnsxl-loader; } || true
    done
    DNSXLD=${DNSXLD:-$BUILD/dnsxld}
    DNSXL_LOADER=${DNSXL_LOADER:-$BUILD/dnsxl-loader}
    for p in "$DNSXLD" "$DNSXL_LOADER"; do
        { [ -f "$p" ] && [ -x "$p" ]; } || die "$p is not a built program (make BUILD=$1 all; or DNSXLD=, DNSXL_LOADER=; or ONLY=rbldnsd)"
    done
fi
if [ "$NCPU" -lt 2 ]; then
    echo "bench: only $NCPU CPU: not pinning server and client apart" >&2
    PIN_SERVER=""; PIN_CLIENT=""
else
    PIN_SERVER="taskset -c $SERVER_CPU"; PIN_CLIENT="taskset -c $CLIENT_CPU"
fi

PIDS=""
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$p" 2>/dev/null || true
    done
    PIDS=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

stop_pid() {  # stop one server we started, by PID
    kill -TERM "$1" 2>/dev/null || true
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null || true
    np=""; for p in $PIDS; do [ "$p" = "$1" ] || np="$np $p"; done; PIDS=$np
}

now() { date +%s.%N; }
elapsed() { $PY -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

free_port() {  # a port free for both UDP and TCP on 127.0.0.1, not in $1
    $PY - "$@" <<'EOF'
import socket, sys
avoid = set(sys.argv[1:])
while True:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        t.close()
    u.close()
    if str(p) not in avoid:
        print(p)
        break
EOF
}

wait_ready() {  # NAME PORT PID LOG T0: wait until it answers the apex SOA; prints seconds since T0
    end=$(($(date +%s) + 60))
    while :; do
        kill -0 "$3" 2>/dev/null || { cat "$4" >&2; die "$1 exited during startup (log: $4)"; }
        # dig prints errors ("connection refused") on stdout too: look for the SOA itself
        if dig +short +time=1 +tries=1 +norec -p "$2" @127.0.0.1 $ZONE SOA 2>/dev/null \
                | grep -q '^ns1\.example\.org\. hostmaster\.example\.org\. '; then
            break
        fi
        [ "$(date +%s)" -lt "$end" ] || die "$1 did not answer within 60 s (log: $4)"
        sleep 0.05
    done
    elapsed "$5" "$(now)"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# ---------------------------------------------------------------- data
mkdir -p "$OUT"
PARAMS="seed=$SEED entries=$ENTRIES queries=$QUERIES txt_fraction=$TXT_FRACTION"
STAMP="$PARAMS gen=$(md5sum < "$HERE/gen.py" | cut -c1-32)"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ]; then
    echo "bench: reusing data in $OUT ($PARAMS)"
else
    rm -f "$OUT/stamp"
    $PY "$HERE/gen.py" "$OUT" --seed "$SEED" --entries "$ENTRIES" --queries "$QUERIES" --txt-fraction "$TXT_FRACTION"
    echo "$STAMP" > "$OUT/stamp"
fi

RES=$OUT/results.tsv
: > "$RES"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') nproc=$NCPU $PARAMS duration=$DURATION clients=$CLIENTS outstanding=$OUTSTANDING timeout=$TIMEOUT rbldnsd-opts=$RBLDNSD_OPTS loadavg-at-start=$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/meta.txt"

# ---------------------------------------------------------------- rbldnsd
RB_PORT=$(free_port)
RBDIR=$OUT/rbldnsd-root            # chroot; rbldnsd runs as nobody and must read the file
rm -rf "$RBDIR"; mkdir -p "$RBDIR"
cp "$OUT/rbldnsd.ip4set" "$RBDIR/bl.ip4set"
chmod 755 "$RBDIR"; chmod 644 "$RBDIR/bl.ip4set"
# -n foreground (loads before answering), -u nobody (refuses root), -r chroot,
# -t 300 the same answer TTL as dnsxld's zone, -c 0 no reload checks.
T0=$(now)
# shellcheck disable=SC2086
$PIN_SERVER rbldnsd -n -u nobody -r "$RBDIR" -b "127.0.0.1/$RB_PORT" -t 300 -c 0 $RBLDNSD_OPTS \
    "$ZONE:ip4set:bl.ip4set" > "$OUT/rbldnsd.log" 2>&1 &
RB_PID=$!; PIDS="$PIDS $RB_PID"
RB_READY=$(wait_ready rbldnsd "$RB_PORT" "$RB_PID" "$OUT/rbldnsd.log" "$T0")
RB_HWM=$(status_kb "$RB_PID" VmHWM)
echo "bench: rbldnsd pid $RB_PID on 127.0.0.1:$RB_PORT, answering after ${RB_READY}s"

# ---------------------------------------------------------------- dnsxld
SERVERS="rbldnsd=$RB_PORT"
write_conf() {  # FILE WORKERS PORT
    cat > "$1" <<EOF
; generated by bench/run.sh
[server]
listen   = 127.0.0.1:$3
database = db
workers  = $2

[zone $ZONE]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.

[list $ZONE/bench]
code     = 127.0.0.2
lifetime = forever
txt      = Listed - see https://example.org/lookup?q=\$
EOF
}
if [ "$ONLY" = both ]; then
    DX_PORT=$(free_port "$RB_PORT")
    write_conf "$OUT/dnsxl-1.conf" 1 "$DX_PORT"
    write_conf "$OUT/dnsxl-all.conf" auto "$DX_PORT"
    rm -rf "$OUT/db"; mkdir -p "$OUT/db"
    echo "bench: importing $ENTRIES entries with dnsxl-loader"
    /usr/bin/time -o "$OUT/import.time" -f "%e %M %U %S" \
        "$DNSXL_LOADER" -c "$OUT/dnsxl-1.conf" import "$ZONE/bench" "$OUT/list.txt" --replace \
        > "$OUT/import.log" 2>&1 || { cat "$OUT/import.log" >&2; die "dnsxl-loader import failed (log: $OUT/import.log)"; }
    read -r IMP_S IMP_KB IMP_U IMP_SYS < "$OUT/import.time"
    echo "bench: import took ${IMP_S}s (user ${IMP_U}s sys ${IMP_SYS}s, peak RSS ${IMP_KB} KiB), store $(du -sk "$OUT/db" | cut -f1) KiB"

    # as root, dnsxld keeps root only when told (dnsxld(8) "Privileges"; older builds: no -u)
    ROOTOPT=""
    if [ "$(id -u)" = 0 ] && "$DNSXLD" --help 2>&1 | grep -q -- --user; then ROOTOPT="-u root"; fi
    T0=$(now)
    $PIN_SERVER "$DNSXLD" $ROOTOPT -c "$OUT/dnsxl-1.conf" > "$OUT/dnsxld-1.log" 2>&1 &
    DX_PID=$!; PIDS="$PIDS $DX_PID"
    DX_READY=$(wait_ready dnsxld "$DX_PORT" "$DX_PID" "$OUT/dnsxld-1.log" "$T0")
    echo "bench: dnsxld pid $DX_PID on 127.0.0.1:$DX_PORT (workers = 1), answering after ${DX_READY}s"
    echo "load	dnsxld	import=${IMP_S}s	startup-to-first-answer=${DX_READY}s	store=$(du -sk "$OUT/db" | cut -f1)KiB	import-peak-rss=${IMP_KB}KiB" > "$OUT/load.txt"
    SERVERS="dnsxld=$DX_PORT $SERVERS"
fi
[ "$ONLY" = both ] || : > "$OUT/load.txt"

# ---------------------------------------------------------------- sanity
echo "bench: comparing answers for the first $SAMPLE queries ($SERVERS)"
# shellcheck disable=SC2086
$PY - "$OUT/expect.txt" "$SAMPLE" $SERVERS <<'EOF'
import sys
import dns.exception, dns.message, dns.query, dns.rcode, dns.rdatatype

expect_file, sample, servers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
servers = [(s.split("=")[0], int(s.split("=")[1])) for s in servers]
TXT = "Listed - see https://example.org/lookup?q=%s"

def ask(port, name, rdtype, tcp=False):
    q = dns.message.make_query(name, rdtype)
    q.flags = 0
    for _ in range(3):
        try:
            if tcp:
                return dns.query.tcp(q, "127.0.0.1", port=port, timeout=2)
            return dns.query.udp(q, "127.0.0.1", port=port, timeout=2)
        except dns.exception.Timeout:
            continue
    return None

def norm(r):
    if r is None:
        return ("TIMEOUT",)
    ans = sorted("%s %s %s" % (rr.name, dns.rdatatype.to_text(rr.rdtype), rd.to_text())
                 for rr in r.answer for rd in rr)
    return (dns.rcode.to_text(r.rcode()),) + tuple(ans)

lines = []
with open(expect_file) as f:
    for line in f:
        lines.append(line.split())
        if len(lines) >= sample:
            break
bad = []
for name, qtype, state in lines:
    got = {s: norm(ask(p, name, qtype)) for s, p in servers}
    ip = ".".join(reversed(name.split(".")[:4]))
    if state == "listed":
        want = ("NOERROR", "%s. %s %s" % (name, qtype,
                "127.0.0.2" if qtype == "A" else '"%s"' % (TXT % ip)))
    else:
        want = ("NXDOMAIN",)
    for s, g in got.items():
        if g != want:
            bad.append("%s %s (%s): %s answered %s, expected %s" % (name, qtype, state, s, g, want))
    if len(set(got.values())) > 1:
        bad.append("%s %s: servers differ: %s" % (name, qtype, got))
n_l = sum(1 for l in lines if l[2] == "listed")
for line in bad[:30]:
    print("  DIFF " + line)
if bad:
    print("bench: sanity check FAILED: %d differences in %d queries" % (len(bad), len(lines)))
    sys.exit(1)
print("bench: sanity check ok: %d queries (%d listed, %d unlisted) answer identically and as expected"
      % (len(lines), n_l, len(lines) - n_l))
# TCP: dnsperf must use UDP for every server when one lacks TCP.
name, qtype = lines[0][0], lines[0][1]
for s, p in servers:
    try:
        r = ask(p, name, qtype, tcp=True)
        print("bench: %s over TCP: %s" % (s, "answers (%s)" % dns.rcode.to_text(r.rcode()) if r else "timeout"))
    except OSError as e:
        print("bench: %s over TCP: no (%s)" % (s, e.strerror or e))
EOF

# ---------------------------------------------------------------- load
perf() {  # TAG NAME PORT PID CLIENT_PIN THREADS
    tag=$1; name=$2; port=$3; pid=$4; cpin=$5; thr=$6
    log=$OUT/perf-$tag.log
    echo "bench: $tag: dnsperf ${WARMUP}s warm-up + ${DURATION}s against $name (127.0.0.1:$port)"
    if [ "$WARMUP" -gt 0 ]; then
        # shellcheck disable=SC2086
        $cpin dnsperf -m udp -s 127.0.0.1 -p "$port" -d "$OUT/queries.txt" -l "$WARMUP" \
            -c "$CLIENTS" -q "$OUTSTANDING" -t "$TIMEOUT" -T "$thr" > /dev/null 2>&1 || true
    fi
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) died during warm-up"
    c0=$(cpu_ticks "$pid"); w0=$(now)
    # shellcheck disable=SC2086
    $cpin /usr/bin/time -o "$log.time" -f "%e %U %S" \
        dnsperf -m udp -s 127.0.0.1 -p "$port" -d "$OUT/queries.txt" -l "$DURATION" \
        -c "$CLIENTS" -q "$OUTSTANDING" -t "$TIMEOUT" -T "$thr" > "$log" 2>&1 || die "dnsperf failed (log: $log)"
    c1=$(cpu_ticks "$pid"); w1=$(now)
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) died under load"
    wall=$(elapsed "$w0" "$w1")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$name" "$log" \
        "$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)" "$(status_kb "$pid" RssAnon)" \
        "$(status_kb "$pid" RssFile)" "$((c1 - c0))" "$wall" "$(cut -d' ' -f1 /proc/loadavg)" >> "$RES"
}

r=1
while [ $r -le "$ROUNDS" ]; do
    if [ "$ONLY" = both ] && [ $((r % 2)) -eq 1 ]; then
        perf "1core-r$r-dnsxld" dnsxld "$DX_PORT" "$DX_PID" "$PIN_CLIENT" 1
        perf "1core-r$r-rbldnsd" rbldnsd "$RB_PORT" "$RB_PID" "$PIN_CLIENT" 1
    elif [ "$ONLY" = both ]; then
        perf "1core-r$r-rbldnsd" rbldnsd "$RB_PORT" "$RB_PID" "$PIN_CLIENT" 1
        perf "1core-r$r-dnsxld" dnsxld "$DX_PORT" "$DX_PID" "$PIN_CLIENT" 1
    else
        perf "1core-r$r-rbldnsd" rbldnsd "$RB_PORT" "$RB_PID" "$PIN_CLIENT" 1
    fi
    r=$((r + 1))
done

if [ "$ALLCORES" = 1 ]; then
    # Nothing pinned: rbldnsd is single-threaded; dnsxld gets one worker per core.
    taskset -pc "0-$((NCPU - 1))" "$RB_PID" > /dev/null
    if [ "$ONLY" = both ]; then
        stop_pid "$DX_PID"
        T0=$(now)
        "$DNSXLD" $ROOTOPT -c "$OUT/dnsxl-all.conf" > "$OUT/dnsxld-all.log" 2>&1 &
        DX_PID=$!; PIDS="$PIDS $DX_PID"
        t=$(wait_ready dnsxld "$DX_PORT" "$DX_PID" "$OUT/dnsxld-all.log" "$T0")
        echo "bench: dnsxld pid $DX_PID (workers = auto, $NCPU CPUs) answering after ${t}s"
        perf "allcores-dnsxld" dnsxld "$DX_PORT" "$DX_PID" "" "$NCPU"
    fi
    perf "allcores-rbldnsd" rbldnsd "$RB_PORT" "$RB_PID" "" "$NCPU"
fi

cleanup
# rbldnsd's own load time, from its log (complete once it has stopped)
RB_LOAD=$(sed -n 's/.*zones reloaded, time \([0-9.]*\)e.*/\1/p' "$OUT/rbldnsd.log" | head -n 1)
echo "load	rbldnsd	startup-to-first-answer=${RB_READY}s	own-load=${RB_LOAD:-?}s	data=$(du -k "$RBDIR/bl.ip4set" | cut -f1)KiB	rss-after-load=${RB_HWM}KiB" >> "$OUT/load.txt"

# ---------------------------------------------------------------- report
$PY - "$RES" "$OUT/load.txt" "$OUT/meta.txt" <<'EOF' | tee "$OUT/report.md"
import os, re, sys
from collections import defaultdict

res, load, meta = sys.argv[1:4]
HZ = os.sysconf("SC_CLK_TCK")

def grab(text, pat, conv=float, default=None):
    m = re.search(pat, text)
    return conv(m.group(1)) if m else default

rows = []
with open(res) as f:
    for line in f:
        tag, name, log, rss, hwm, anon, rfile, ticks, wall, loadavg = line.rstrip("\n").split("\t")
        t = open(log).read()
        r = dict(
            tag=tag, name=name, wall=float(wall), cpu_s=int(ticks) / HZ, loadavg=loadavg,
            sent=grab(t, r"Queries sent:\s+(\d+)", int, 0),
            done=grab(t, r"Queries completed:\s+(\d+)", int, 0),
            lost=grab(t, r"Queries lost:\s+(\d+)", int, 0),
            run=grab(t, r"Run time \(s\):\s+([\d.]+)", float, 0.0),
            qps=grab(t, r"Queries per second:\s+([\d.]+)", float, 0.0),
            avg=grab(t, r"Average Latency \(s\):\s+([\d.]+)", float, 0.0),
            mx=grab(t, r"Average Latency \(s\):.*max ([\d.]+)\)", float, 0.0),
            sd=grab(t, r"Latency StdDev \(s\):\s+([\d.]+)", float, 0.0),
            resp=grab(t, r"Average packet size:.*response (\d+)", int, 0),
            codes=(grab(t, r"Response codes:\s+(.*)", str, "") or "").strip(),
            rss=int(rss or 0), hwm=int(hwm or 0), anon=int(anon or 0), rfile=int(rfile or 0))
        # CPU the server used (all threads, user+sys) while dnsperf ran, over
        # dnsperf's sending time (the wall time adds its wait for late replies)
        r["cpu_pct"] = 100.0 * r["cpu_s"] / r["run"] if r["run"] else 0.0
        r["us_q"] = 1e6 * r["cpu_s"] / r["done"] if r["done"] else 0.0
        # dnsperf's own CPU, over its run time: near 100% x threads = client-bound
        try:
            _, cu, cs = open(log + ".time").read().split()[-3:]
            r["client_pct"] = "%.0f" % (100.0 * (float(cu) + float(cs)) / r["run"]) if r["run"] else "?"
        except (OSError, ValueError):
            r["client_pct"] = "?"
        rows.append(r)

print(open(meta).read().strip().lstrip("# "))
print()
print("| run | server | QPS | avg latency ms | max ms | stddev ms | sent | lost | resp bytes | dnsperf CPU % | server CPU % | server CPU us/query | VmRSS MiB (anon+file) | VmHWM MiB | loadavg |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print("| %s | %s | %.0f | %.3f | %.3f | %.3f | %d | %d (%.2f%%) | %d | %s | %.0f | %.2f | %.1f (%.1f+%.1f) | %.1f | %s |" % (
        r["tag"], r["name"], r["qps"], r["avg"] * 1e3, r["mx"] * 1e3, r["sd"] * 1e3, r["sent"],
        r["lost"], 100.0 * r["lost"] / r["sent"] if r["sent"] else 0.0, r["resp"], r["client_pct"], r["cpu_pct"],
        r["us_q"], r["rss"] / 1024, r["anon"] / 1024, r["rfile"] / 1024, r["hwm"] / 1024, r["loadavg"]))
print()
for r in rows:
    print("- %s response codes: %s" % (r["tag"], r["codes"]))
for r in rows:
    if r["tag"].startswith("1core") and r["cpu_pct"] < 90:
        print("- NOTE %s: the server used %.0f%% of its core (dnsperf %s%%), so this QPS is not the "
              "server's ceiling; compare CPU us/query" % (r["tag"], r["cpu_pct"], r["client_pct"]))
print()
groups = defaultdict(lambda: defaultdict(list))
for r in rows:
    groups[r["tag"].split("-")[0]][r["name"]].append(r)

def mean(xs):
    return sum(xs) / len(xs)

for g, by in groups.items():
    if by.get("dnsxld") and by.get("rbldnsd"):
        d = mean([r["qps"] for r in by["dnsxld"]])
        b = mean([r["qps"] for r in by["rbldnsd"]])
        dc = mean([r["us_q"] for r in by["dnsxld"]])
        bc = mean([r["us_q"] for r in by["rbldnsd"]])
        print("**%s: QPS ratio dnsxld/rbldnsd = %.2f** (mean %.0f vs %.0f QPS); "
              "CPU per query dnsxld/rbldnsd = %.2f (%.2f vs %.2f us; below 1 = dnsxld cheaper)" % (
                  g, d / b if b else 0.0, d, b, dc / bc if bc else 0.0, dc, bc))
    else:
        print("**%s: ratio n/a** (measured: %s)" % (g, ", ".join(sorted(by))))
print()
print("Data load:")
for line in open(load):
    print("- " + " ".join(line.rstrip("\n").split("\t")[1:]))
EOF
