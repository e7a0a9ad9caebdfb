#!/bin/sh
# bench/defence.sh BUILD_DIR — what rate limiting and DNS cookies cost: the
# same dnsxld, data and dnsperf load with the defences off and on, at a
# rate under the limit (nothing is limited, every answer pays for the
# limiter), side by side; prints a table and the on/off ratios.
#
# Modes (one dnsxld start each, workers = 1 pinned to SERVER_CPU, dnsperf
# pinned to CLIENT_CPU, as bench/run.sh's 1-core runs):
#   off     rate-limit = 0, queries with EDNS and no COOKIE (dnsperf -e)
#   rrl     rate-limit = 1000000: every answer goes through the limiter
#   cookie  rate-limit = 1000000 and a client COOKIE in every query
#           (dnsperf -E 10:...): each reply gets a new server cookie
#           (a SipHash) and is rate limited: the costliest case
#   valid   the same with a valid server cookie (made here for 127.0.0.1
#           from the cookie-secret file): checked, echoed, not limited
# Knobs: ENTRIES [1000000] QUERIES [200000] SEED [20261122] DURATION [15]
# WARMUP [3] ROUNDS [3] CLIENTS [8] OUTSTANDING [128] SERVER_CPU [1]
# CLIENT_CPU [0] MODES ["off rrl cookie valid"]. Needs dnsperf, taskset,
# Debian's /usr/bin/python3. Writes bench/out/defence/; stops dnsxld by PID.
set -eu
[ $# -eq 1 ] || { echo "usage: sh bench/defence.sh BUILD_DIR" >&2; exit 1; }
die() { echo "defence: $*" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "$1" && pwd)
OUT=$HERE/out/defence
PY=/usr/bin/python3
ENTRIES=${ENTRIES:-1000000}
QUERIES=${QUERIES:-200000}
SEED=${SEED:-20261122}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-8}
OUTSTANDING=${OUTSTANDING:-128}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MODES=${MODES:-off rrl cookie valid}
for t in dnsperf taskset dig; do command -v $t >/dev/null || die "$t not found"; done
mkdir -p "$OUT"

STAMP="seed=$SEED entries=$ENTRIES queries=$QUERIES gen=$(md5sum < "$HERE/gen.py" | cut -c1-32)"
if [ ! -f "$OUT/stamp" ] || [ "$(cat "$OUT/stamp")" != "$STAMP" ]; then
    rm -f "$OUT/stamp"
    $PY "$HERE/gen.py" "$OUT" --seed "$SEED" --entries "$ENTRIES" --queries "$QUERIES"
    echo "$STAMP" > "$OUT/stamp"
fi
SECRET=e5e973e5a6b2a43f48e7dc849e37bfcf
umask 077
echo "$SECRET" > "$OUT/cookie.key"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf() {  # RATE_LIMIT
    cat > "$OUT/dnsxl.conf" <<CONF
[server]
listen = 127.0.0.1:$PORT
database = $OUT/db
workers = 1
rate-limit = $1
cookie-secret = $OUT/cookie.key
[zone bl.example.org]
ttl = 300
soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns = ns1.example.org.
txt = Listed - see https://example.org/lookup?q=\$
[list bl.example.org/bench]
code = 127.0.0.2
CONF
}
if [ ! -f "$OUT/db.stamp" ] || [ "$(cat "$OUT/db.stamp")" != "$STAMP" ]; then
    rm -rf "$OUT/db"
    conf 0
    "$B/dnsxl-loader" -c "$OUT/dnsxl.conf" import bl.example.org/bench "$OUT/list.txt" --replace >/dev/null
    echo "$STAMP" > "$OUT/db.stamp"
fi

PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; true' EXIT
trap 'exit 1' INT TERM
CC=0102030405060708
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
RES=$OUT/results.tsv
: > "$RES"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for m in $MODES; do
        case $m in
        off) rl=0; opt="-e" ;;
        rrl) rl=1000000; opt="-e" ;;
        cookie) rl=1000000; opt="-E 10:$CC" ;;
        valid) rl=1000000
               # a server cookie for 127.0.0.1 now (RFC 9018, SipHash-2-4 of tests/integration/test_cookies.py)
               sc=$(cd "$HERE/../tests/integration" && $PY -c "import time, test_cookies as t; print(t.server_cookie('$SECRET', bytes.fromhex('$CC'), int(time.time())).hex())")
               opt="-E 10:$CC$sc" ;;
        *) die "unknown mode $m" ;;
        esac
        conf "$rl"
        ROOTOPT=""              # as root: keep it (dnsxld(8) "Privileges"; older builds: no -u)
        if [ "$(id -u)" = 0 ] && "$B/dnsxld" --help 2>&1 | grep -q -- --user; then ROOTOPT="-u root"; fi
        taskset -c "$SERVER_CPU" "$B/dnsxld" $ROOTOPT -c "$OUT/dnsxl.conf" 2> "$OUT/dnsxld-$m-$r.log" &
        PID=$!
        end=$(($(date +%s) + 60))
        until dig +short +time=1 +tries=1 -p "$PORT" @127.0.0.1 bl.example.org SOA 2>/dev/null | grep -q hostmaster; do
            [ "$(date +%s)" -lt "$end" ] || die "dnsxld did not answer (log: $OUT/dnsxld-$m-$r.log)"
            sleep 0.05
        done
        # shellcheck disable=SC2086
        taskset -c "$CLIENT_CPU" dnsperf -m udp -s 127.0.0.1 -p "$PORT" -d "$OUT/queries.txt" $opt \
            -l "$WARMUP" -c "$CLIENTS" -q "$OUTSTANDING" -t 1 > /dev/null 2>&1 || true
        c0=$(cpu_ticks "$PID")
        # shellcheck disable=SC2086
        taskset -c "$CLIENT_CPU" dnsperf -m udp -s 127.0.0.1 -p "$PORT" -d "$OUT/queries.txt" $opt \
            -l "$DURATION" -c "$CLIENTS" -q "$OUTSTANDING" -t 1 > "$OUT/perf-$m-$r.log" 2>&1 ||
            die "dnsperf failed ($OUT/perf-$m-$r.log)"
        c1=$(cpu_ticks "$PID")
        kill "$PID"; wait "$PID" || true; PID=
        grep -q "rate limited 0 udp answers" "$OUT/dnsxld-$m-$r.log" ||
            die "answers were rate limited in mode $m: $(grep 'rate limited' "$OUT/dnsxld-$m-$r.log")"
        printf '%s\t%s\t%s\t%s\t%s\n' "$m" "$r" "$OUT/perf-$m-$r.log" "$((c1 - c0))" \
            "$(cut -d' ' -f1 /proc/loadavg)" >> "$RES"
        echo "defence: round $r, $m done"
    done
    r=$((r + 1))
done

$PY - "$RES" "$(getconf CLK_TCK)" <<'PYEOF'
import re, sys
rows, hz = [], int(sys.argv[2])
for line in open(sys.argv[1]):
    m, r, log, ticks, load = line.split("\t")
    t = open(log).read()
    g = lambda rx, f: f(re.search(rx, t).group(1))
    done, run = g(r"Queries completed:\s+(\d+)", int), g(r"Run time \(s\):\s+([\d.]+)", float)
    rows.append(dict(m=m, r=r, qps=g(r"Queries per second:\s+([\d.]+)", float),
                     lost=g(r"Queries lost:\s+(\d+)", int), done=done,
                     resp=g(r"Average packet size:.*response (\d+)", int),
                     cpu=100.0 * int(ticks) / hz / run, us=1e6 * int(ticks) / hz / done,
                     load=load.strip()))
print("| mode | round | QPS | lost | resp bytes | server CPU % | server CPU us/query | loadavg |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for x in rows:
    print("| %(m)s | %(r)s | %(qps).0f | %(lost)d | %(resp)d | %(cpu).0f | %(us).2f | %(load)s |" % x)
modes = list(dict.fromkeys(x["m"] for x in rows))
mean = {m: (sum(x["qps"] for x in rows if x["m"] == m) / sum(1 for x in rows if x["m"] == m),
            sum(x["us"] for x in rows if x["m"] == m) / sum(1 for x in rows if x["m"] == m))
        for m in modes}
print()
for m in modes:
    line = "- %s: mean %.0f QPS, %.2f us/query" % (m, mean[m][0], mean[m][1])
    if "off" in mean and m != "off":
        line += " (QPS x%.3f, CPU per query x%.3f of off)" % (mean[m][0] / mean["off"][0],
                                                           mean[m][1] / mean["off"][1])
    print(line)
PYEOF
