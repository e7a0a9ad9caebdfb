#!/bin/sh
# bench/run.sh BUILD_DIR — dnsxld, Debian's rbldnsd and rspamd's rbldnsd fork
# on the same data, the same SOA/NS and the same dnsperf load, side by side
# in one run; prints answers per server-CPU-second, average and p99 latency
# per server and client setting, and dnsxld's ratios to the other two.
#
# See bench/README.md. Knobs (environment, defaults in brackets):
#   ENTRIES [1000000] QUERIES [200000] SEED [20261122] TXT_FRACTION [0.1]
#   DURATION [10] seconds of measured load per run, WARMUP [2] seconds before it
#   SETTINGS ["c1 c4"]                 dnsperf client settings: c1 = -c 1 -T 1 -q 100,
#                                      c4 = -c 4 -T 2 -q 200, c8 = -c 8 -T 1 -q 128
#   TIMEOUT [1]                        dnsperf -t: a reply later than this counts as lost
#   ROUNDS [3]                         measured runs per server and setting (order rotates)
#   SERVERS ["dnsxld rbldnsd rspamd"]  which servers (rspamd: bench/peer.sh builds it,
#                                      or it is skipped with the reason)
#   ALLCORES [0]                       1: also each setting once unpinned, dnsxld workers = auto
#   SERVER_CPU [1] CLIENT_CPU [0]      taskset CPUs (the server; dnsperf and its latency counter)
#   SAMPLE [1000]                      queries compared between the servers first
#   RBLDNSD_OPTS [-a]                  extra options of both rbldnsd (-a: no NS in AUTHORITY)
#   ONLY                               "rbldnsd": SERVERS="rbldnsd rspamd" (older knob)
#   OUT [bench/out]                    where data, logs and the report go
#   DNSXLD, DNSXL_LOADER               the programs [BUILD_DIR/dnsxld, BUILD_DIR/dnsxl-loader]
#   RBLDNSD_RSPAMD, RBLDNSD_RSPAMD_SRC the fork's program or source (bench/peer.sh)
#   SYSCALLS [auto]                    1: the servers' system calls per answer (perf stat; linux-perf)
set -eu

usage() { echo "usage: sh bench/run.sh BUILD_DIR" >&2; exit 1; }
die() { echo "bench: $*" >&2; exit 1; }
[ $# -eq 1 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
PY=/usr/bin/python3
ENTRIES=${ENTRIES:-1000000}
QUERIES=${QUERIES:-200000}
SEED=${SEED:-20261122}
TXT_FRACTION=${TXT_FRACTION:-0.1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
SETTINGS=${SETTINGS:-c1 c4}
TIMEOUT=${TIMEOUT:-1}
ROUNDS=${ROUNDS:-3}
SERVERS=${SERVERS:-dnsxld rbldnsd rspamd}
ALLCORES=${ALLCORES:-0}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SAMPLE=${SAMPLE:-1000}
RBLDNSD_OPTS=${RBLDNSD_OPTS:--a}
ZONE=bl.example.org
NCPU=$(nproc)
[ "${ONLY:-}" != rbldnsd ] || SERVERS="rbldnsd rspamd"

setting_args() {  # SETTING -> dnsperf -c/-T/-q
    case $1 in
        c1) echo "-c 1 -T 1 -q 100";;
        c4) echo "-c 4 -T 2 -q 200";;
        c8) echo "-c 8 -T 1 -q 128";;
        *) die "unknown client setting '$1' (c1, c4, c8)";;
    esac
}
for s in $SETTINGS; do setting_args "$s" >/dev/null; done
has() { case " $SERVERS " in *" $1 "*) return 0;; esac; return 1; }
for s in $SERVERS; do case $s in dnsxld|rbldnsd|rspamd) ;; *) die "unknown server '$s' (dnsxld, rbldnsd, rspamd)";; esac; done
for t in dnsperf dig taskset /usr/bin/time awk; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (Debian packages: dnsperf bind9-dnsutils util-linux time)"
done
if has rbldnsd && ! command -v rbldnsd >/dev/null 2>&1; then die "rbldnsd not found (Debian package rbldnsd)"; fi
if has dnsxld; then
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
        { [ -f "$p" ] && [ -x "$p" ]; } || die "$p is not a built program (make BUILD=$1 all; or DNSXLD=, DNSXL_LOADER=; or SERVERS=)"
    done
fi
mkdir -p "$OUT"
if has rspamd; then
    RSPAMD_BIN=$(sh "$HERE/peer.sh" "$OUT")
    if [ -z "$RSPAMD_BIN" ]; then
        np=""; for s in $SERVERS; do [ "$s" = rspamd ] || np="$np $s"; done; SERVERS=${np# }
    fi
fi
[ -n "$SERVERS" ] || die "no server to measure"
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
: > "$OUT/load.txt"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') nproc=$NCPU $PARAMS duration=$DURATION settings=$SETTINGS rounds=$ROUNDS timeout=$TIMEOUT rbldnsd-opts=$RBLDNSD_OPTS loadavg-at-start=$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/meta.txt"

# ---------------------------------------------------------------- servers
PORTS=""
# rbldnsd runs as nobody in a chroot and must read the file (it refuses root)
RBDIR=$OUT/rbldnsd-root
rm -rf "$RBDIR"; mkdir -p "$RBDIR"
cp "$OUT/rbldnsd.ip4set" "$RBDIR/bl.ip4set"
chmod 755 "$RBDIR"; chmod 644 "$RBDIR/bl.ip4set"
start_rbldnsd() {  # NAME PROGRAM: sets PORT, PID
    PORT=$(free_port $PORTS); PORTS="$PORTS $PORT"
    # -n foreground (loads before answering), -u nobody, -r chroot,
    # -t 300 the same answer TTL as dnsxld's zone, -c 0 no reload checks.
    t0=$(now)
    # shellcheck disable=SC2086
    $PIN_SERVER "$2" -n -u nobody -r "$RBDIR" -b "127.0.0.1/$PORT" -t 300 -c 0 $RBLDNSD_OPTS \
        "$ZONE:ip4set:bl.ip4set" > "$OUT/$1.log" 2>&1 &
    PID=$!; PIDS="$PIDS $PID"
    ready=$(wait_ready "$1" "$PORT" "$PID" "$OUT/$1.log" "$t0")
    echo "bench: $1 ($2) pid $PID on 127.0.0.1:$PORT, answering after ${ready}s"
    echo "load	$1	startup-to-first-answer=${ready}s	data=$(du -k "$RBDIR/bl.ip4set" | cut -f1)KiB	rss-after-load=$(status_kb "$PID" VmHWM)KiB" >> "$OUT/load.txt"
}
write_conf() {  # FILE WORKERS PORT
    cat > "$1" <<EOC
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
EOC
}
start_dnsxld() {  # CONF LOG [PIN]: sets PID
    # as root, dnsxld keeps root only when told (dnsxld(8) "Privileges"; older builds: no -u)
    ROOTOPT=""
    if [ "$(id -u)" = 0 ] && "$DNSXLD" --help 2>&1 | grep -q -- --user; then ROOTOPT="-u root"; fi
    t0=$(now)
    # shellcheck disable=SC2086
    ${3:-} "$DNSXLD" $ROOTOPT -c "$1" > "$2" 2>&1 &
    PID=$!; PIDS="$PIDS $PID"
    ready=$(wait_ready dnsxld "$DX_PORT" "$PID" "$2" "$t0")
}
LIVE=""   # NAME=PORT of the running servers, for the sanity check
for s in $SERVERS; do
    case $s in
    rbldnsd)
        start_rbldnsd rbldnsd "$(command -v rbldnsd)"; RB_PORT=$PORT; RB_PID=$PID;;
    rspamd)
        start_rbldnsd rspamd "$RSPAMD_BIN"; RS_PORT=$PORT; RS_PID=$PID;;
    dnsxld)
        DX_PORT=$(free_port $PORTS); PORTS="$PORTS $DX_PORT"
        write_conf "$OUT/dnsxl-1.conf" 1 "$DX_PORT"
        write_conf "$OUT/dnsxl-all.conf" auto "$DX_PORT"
        rm -rf "$OUT/db"; mkdir -p "$OUT/db"
        echo "bench: importing $ENTRIES entries with dnsxl-loader"
        /usr/bin/time -o "$OUT/import.time" -f "%e %M %U %S" \
            "$DNSXL_LOADER" -c "$OUT/dnsxl-1.conf" import "$ZONE/bench" "$OUT/list.txt" --replace \
            > "$OUT/import.log" 2>&1 || { cat "$OUT/import.log" >&2; die "dnsxl-loader import failed (log: $OUT/import.log)"; }
        read -r IMP_S IMP_KB IMP_U IMP_SYS < "$OUT/import.time"
        echo "bench: import took ${IMP_S}s (user ${IMP_U}s sys ${IMP_SYS}s, peak RSS ${IMP_KB} KiB), store $(du -sk "$OUT/db" | cut -f1) KiB"
        start_dnsxld "$OUT/dnsxl-1.conf" "$OUT/dnsxld-1.log" "$PIN_SERVER"; DX_PID=$PID
        echo "bench: dnsxld pid $DX_PID on 127.0.0.1:$DX_PORT (workers = 1), answering after ${ready}s"
        echo "load	dnsxld	import=${IMP_S}s	startup-to-first-answer=${ready}s	store=$(du -sk "$OUT/db" | cut -f1)KiB	import-peak-rss=${IMP_KB}KiB" >> "$OUT/load.txt";;
    esac
done
for s in $SERVERS; do
    case $s in dnsxld) LIVE="$LIVE dnsxld=$DX_PORT";; rbldnsd) LIVE="$LIVE rbldnsd=$RB_PORT";; rspamd) LIVE="$LIVE rspamd=$RS_PORT";; esac
done

# ---------------------------------------------------------------- sanity
echo "bench: comparing answers for the first $SAMPLE queries ($LIVE)"
# shellcheck disable=SC2086
$PY - "$OUT/expect.txt" "$SAMPLE" $LIVE <<'EOF'
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
# dnsperf -v prints one line per answer with its latency; the awk on the
# client's CPU keeps a histogram in microseconds and appends the percentiles
# to the log (dnsperf 2.10 reports only the mean, max and stddev).
LATENCY_AWK='
/^> [A-Z]+ / { us = int($NF * 1e6 + 0.5); h[us]++; n++; if (us > mx) mx = us; next }
{ print }
END {
    if (n == 0) { print "Latency percentiles (us): none"; exit }
    split("50 90 99 99.9", ps, " "); out = ""; c = 0; k = 1
    for (u = 0; u <= mx && k <= 4; u++) {
        c += h[u]
        while (k <= 4 && c >= n * ps[k] / 100) { out = out " p" ps[k] " " u; k++ }
    }
    print "Latency percentiles (us):" out " max " mx " n " n
}'
measure() {  # TAG NAME PORT PID CLIENT_PIN SETTING
    tag=$1; name=$2; port=$3; pid=$4; cpin=$5; args=$(setting_args "$6")
    log=$OUT/perf-$tag.log
    echo "bench: $tag: dnsperf $args, ${WARMUP}s warm-up + ${DURATION}s against $name (127.0.0.1:$port)"
    if [ "$WARMUP" -gt 0 ]; then
        # shellcheck disable=SC2086
        $cpin dnsperf -m udp -s 127.0.0.1 -p "$port" -d "$OUT/queries.txt" -l "$WARMUP" \
            -t "$TIMEOUT" $args > /dev/null 2>&1 || true
    fi
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) died during warm-up"
    spid=""
    rm -f "$log.sys"
    if [ "$SYSCALLS" = 1 ]; then   # the server's system calls during the measured run
        $cpin perf stat -x, -o "$log.sys" -e "$SYSCALL_EVENTS" -p "$pid" -- sleep "$DURATION" \
            > /dev/null 2>&1 &
        spid=$!
    fi
    c0=$(cpu_ticks "$pid"); w0=$(now)
    # shellcheck disable=SC2086
    $cpin /usr/bin/time -o "$log.time" -f "%e %U %S" \
        dnsperf -v -m udp -s 127.0.0.1 -p "$port" -d "$OUT/queries.txt" -l "$DURATION" \
        -t "$TIMEOUT" $args 2>&1 | $cpin awk "$LATENCY_AWK" > "$log"
    c1=$(cpu_ticks "$pid"); w1=$(now)
    [ -z "$spid" ] || wait "$spid" || true
    grep -q '^ *Queries completed:' "$log" || { cat "$log" >&2; die "dnsperf failed (log: $log)"; }
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) died under load"
    wall=$(elapsed "$w0" "$w1")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$name" "$log" \
        "$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)" "$(status_kb "$pid" RssAnon)" \
        "$(status_kb "$pid" RssFile)" "$((c1 - c0))" "$wall" "$(cut -d' ' -f1 /proc/loadavg)" "$6" >> "$RES"
}
# SYSCALLS [auto]: count the server's receive/send/poll calls with perf (linux-perf)
SYSCALL_EVENTS=""
for e in recvmmsg sendmmsg recvfrom sendto recvmsg sendmsg epoll_wait epoll_pwait poll ppoll select; do
    SYSCALL_EVENTS="$SYSCALL_EVENTS${SYSCALL_EVENTS:+,}syscalls:sys_enter_$e"
done
SYSCALLS=${SYSCALLS:-auto}
if [ "$SYSCALLS" = auto ]; then
    SYSCALLS=0
    if command -v perf >/dev/null 2>&1 && perf stat -x, -e "$SYSCALL_EVENTS" -- true >/dev/null 2>&1; then SYSCALLS=1; fi
fi
server_port() { case $1 in dnsxld) echo "$DX_PORT";; rbldnsd) echo "$RB_PORT";; rspamd) echo "$RS_PORT";; esac; }
server_pid() { case $1 in dnsxld) echo "$DX_PID";; rbldnsd) echo "$RB_PID";; rspamd) echo "$RS_PID";; esac; }

NSERV=$(echo $SERVERS | wc -w)
for st in $SETTINGS; do
    r=1
    while [ $r -le "$ROUNDS" ]; do
        # rotate the order: round r starts with server (r-1) mod n
        i=0; order=""; first=""
        for s in $SERVERS; do
            if [ $i -lt $(((r - 1) % NSERV)) ]; then first="$first $s"; else order="$order $s"; fi
            i=$((i + 1))
        done
        for s in $order $first; do
            measure "$st-r$r-$s" "$s" "$(server_port "$s")" "$(server_pid "$s")" "$PIN_CLIENT" "$st"
        done
        r=$((r + 1))
    done
done

if [ "$ALLCORES" = 1 ]; then
    # Nothing pinned: rbldnsd is single-threaded; dnsxld gets one worker per core.
    for s in rbldnsd rspamd; do has "$s" && taskset -pc "0-$((NCPU - 1))" "$(server_pid "$s")" > /dev/null; done
    if has dnsxld; then
        stop_pid "$DX_PID"
        start_dnsxld "$OUT/dnsxl-all.conf" "$OUT/dnsxld-all.log" ""; DX_PID=$PID
        echo "bench: dnsxld pid $DX_PID (workers = auto, $NCPU CPUs) answering after ${ready}s"
    fi
    for st in $SETTINGS; do
        for s in $SERVERS; do
            measure "allcores-$st-$s" "$s" "$(server_port "$s")" "$(server_pid "$s")" "" "$st"
        done
    done
fi

cleanup
RB_LOAD=""
[ ! -f "$OUT/rbldnsd.log" ] || RB_LOAD=$(sed -n 's/.*zones reloaded, time \([0-9.]*\)e.*/\1/p' "$OUT/rbldnsd.log" | head -n 1)
[ -z "$RB_LOAD" ] || echo "load	rbldnsd	own-load=${RB_LOAD}s" >> "$OUT/load.txt"

# ---------------------------------------------------------------- report
$PY - "$RES" "$OUT/load.txt" "$OUT/meta.txt" <<'EOP' | tee "$OUT/report.md"
import os, re, sys
from collections import defaultdict

res, load, meta = sys.argv[1:4]
HZ = os.sysconf("SC_CLK_TCK")
SETTING = {"c1": "-c 1 -T 1 -q 100", "c4": "-c 4 -T 2 -q 200", "c8": "-c 8 -T 1 -q 128"}

def grab(text, pat, conv=float, default=None):
    m = re.search(pat, text)
    return conv(m.group(1)) if m else default

rows = []
with open(res) as f:
    for line in f:
        tag, name, log, rss, hwm, anon, rfile, ticks, wall, loadavg, st = line.rstrip("\n").split("\t")
        t = open(log).read()
        r = dict(
            tag=tag, name=name, setting=st, allcores=tag.startswith("allcores"),
            wall=float(wall), cpu_s=int(ticks) / HZ, loadavg=loadavg,
            sent=grab(t, r"Queries sent:\s+(\d+)", int, 0),
            done=grab(t, r"Queries completed:\s+(\d+)", int, 0),
            lost=grab(t, r"Queries lost:\s+(\d+)", int, 0),
            run=grab(t, r"Run time \(s\):\s+([\d.]+)", float, 0.0),
            qps=grab(t, r"Queries per second:\s+([\d.]+)", float, 0.0),
            avg=grab(t, r"Average Latency \(s\):\s+([\d.]+)", float, 0.0),
            p99=grab(t, r"Latency percentiles \(us\):.* p99 (\d+)", int, 0),
            mx=grab(t, r"Average Latency \(s\):.*max ([\d.]+)\)", float, 0.0),
            resp=grab(t, r"Average packet size:.*response (\d+)", int, 0),
            codes=(grab(t, r"Response codes:\s+(.*)", str, "") or "").strip(),
            rss=int(rss or 0), anon=int(anon or 0), rfile=int(rfile or 0))
        # CPU the server used (all threads, user+sys, /proc/PID/stat) over dnsperf's run
        # the server's system calls (perf stat over DURATION s, the run's length)
        r["sys"] = {}
        try:
            for sl in open(log + ".sys"):
                f = sl.strip().split(",")
                if len(f) > 2 and f[2].startswith("syscalls:sys_enter_") and f[0].isdigit() and int(f[0]):
                    r["sys"][f[2][len("syscalls:sys_enter_"):]] = int(f[0])
        except OSError:
            pass
        r["cpu_pct"] = 100.0 * r["cpu_s"] / r["run"] if r["run"] else 0.0
        r["apc"] = r["done"] / r["cpu_s"] if r["cpu_s"] else 0.0
        try:
            _, cu, cs = open(log + ".time").read().split()[-3:]
            r["client_pct"] = "%.0f" % (100.0 * (float(cu) + float(cs)) / r["run"]) if r["run"] else "?"
        except (OSError, ValueError):
            r["client_pct"] = "?"
        rows.append(r)

print(open(meta).read().strip().lstrip("# "))
print()
print("| run | server | dnsperf | QPS | answers per server-CPU-s | avg latency ms | p99 ms | max ms | lost | resp bytes | dnsperf CPU % | server CPU % | VmRSS MiB (anon+file) | loadavg |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print("| %s | %s | %s | %.0f | %.0fk | %.3f | %.3f | %.3f | %d | %d | %s | %.0f | %.1f (%.1f+%.1f) | %s |" % (
        r["tag"], r["name"], SETTING.get(r["setting"], r["setting"]), r["qps"], r["apc"] / 1e3,
        r["avg"] * 1e3, r["p99"] / 1e3, r["mx"] * 1e3, r["lost"], r["resp"], r["client_pct"],
        r["cpu_pct"], r["rss"] / 1024, r["anon"] / 1024, r["rfile"] / 1024, r["loadavg"]))
print()
if any(r["sys"] for r in rows):
    print()
    print("System calls per answer (perf stat, the server, during the measured run):")
    print()
    for r in rows:
        if r["sys"] and r["done"]:
            n = r["done"]               # perf counted over DURATION s, dnsperf's run length
            print("- %s: %s" % (r["tag"], ", ".join("%s %.3f" % (k, v / n) for k, v in sorted(r["sys"].items()))
                                + " (total %.3f)" % (sum(r["sys"].values()) / n)))
for r in rows:
    if r["lost"] or not r["codes"].startswith("NOERROR"):
        print("- %s: %d lost, response codes: %s" % (r["tag"], r["lost"], r["codes"]))

def mean(xs):
    return sum(xs) / len(xs)

groups = defaultdict(lambda: defaultdict(list))
for r in rows:
    groups[("allcores " if r["allcores"] else "") + r["setting"]][r["name"]].append(r)
print()
print("Means per client setting (pinned runs: workers = 1, server on one CPU):")
print()
print("| setting | server | runs | answers per server-CPU-s | avg latency ms | p99 ms | vs rbldnsd | vs rspamd |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
summary = []
for g, by in groups.items():
    m = {n: (mean([r["apc"] for r in rs]), mean([r["avg"] for r in rs]) * 1e3,
             mean([r["p99"] for r in rs]) / 1e3, len(rs)) for n, rs in by.items()}
    for n in ("dnsxld", "rbldnsd", "rspamd"):
        if n not in m:
            continue
        apc, avg, p99, k = m[n]
        vs = []
        for peer in ("rbldnsd", "rspamd"):
            vs.append("%.2fx" % (apc / m[peer][0]) if n == "dnsxld" and peer in m and m[peer][0] else "")
        print("| %s | %s | %d | %.0fk | %.3f | %.3f | %s | %s |" % (
            SETTING.get(g, g), n, k, apc / 1e3, avg, p99, vs[0], vs[1]))
    if "dnsxld" in m:
        d = m["dnsxld"]
        for peer, goal in (("rbldnsd", 2.0), ("rspamd", 1.3)):
            if peer in m:
                p = m[peer]
                summary.append("**%s: dnsxld/%s answers per CPU-second %.2fx** (goal >= %.1fx: %s); "
                               "avg latency %.3f vs %.3f ms (%s), p99 %.3f vs %.3f ms (%s)" % (
                                   SETTING.get(g, g), peer, d[0] / p[0] if p[0] else 0.0, goal,
                                   "met" if p[0] and d[0] / p[0] >= goal else "not met",
                                   d[1], p[1], "<=" if d[1] <= p[1] else ">",
                                   d[2], p[2], "<=" if d[2] <= p[2] else ">"))
print()
for line in summary:
    print("- " + line)
print()
print("Data load:")
for line in open(load):
    print("- " + " ".join(line.rstrip("\n").split("\t")[1:]))
EOP
