#!/bin/sh
# bench/obs.sh BUILD_DIR — the cost of dnsxld's observability (dnsxld(8)
# "Metrics", "Heat", "Query logs"): the same dnsperf load against one
# dnsxld (one worker, pinned) with everything off, with metrics + heat +
# dnstap sampled (heat-sample = 10%, dnstap-sample = 1%, a file), and with
# both at 100% (heat100: heat alone at 100%);
# prints answers per second and server CPU per answer (from /proc/PID/stat:
# every thread of dnsxld, the heat and dnstap threads included) per mode,
# and each mode's ratio to "off". Rounds rotate the order of the modes.
#
# Knobs: ENTRIES [100000] QUERIES [100000] DURATION [8] ROUNDS [3]
#        SERVER_CPU [1] CLIENT_CPU [0] OUT [bench/out]
#        MODES ["off on tap100"]: also metrics, heat, heat100, tap1 (each alone)
#        HEAT_INTERVAL [DURATION / 2]: heat-interval, so that every measured
#        window holds at least one heat write (dnsxld's default is 30 s: a
#        window shorter than 60 s writes more often than that)
# Instructions per query of the query path alone, deterministic:
#   OBS=metrics,heat,tap COLLECT='observed_answer*' sh bench/callgrind.sh BUILD
set -eu
[ $# -eq 1 ] || { echo "usage: sh bench/obs.sh BUILD_DIR" >&2; exit 1; }
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}/obs
ENTRIES=${ENTRIES:-100000}
QUERIES=${QUERIES:-100000}
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MODES=${MODES:-off on tap100}
HEAT_INTERVAL=${HEAT_INTERVAL:-$(( DURATION / 2 > 0 ? DURATION / 2 : 1 ))}
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
command -v dnsperf >/dev/null || { echo "bench/obs.sh: needs dnsperf" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
HZ=$(getconf CLK_TCK)

/usr/bin/python3 - "$OUT" "$ENTRIES" "$QUERIES" <<'EOF'
import random, sys
out, n, nq = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20261204)
ips = set()
while len(ips) < n:
    ips.add((rnd.randrange(1, 127), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)))
ips = sorted(ips)
with open(f"{out}/entries.txt", "w") as f:
    for a in ips:
        f.write("%d.%d.%d.%d\n" % a)
with open(f"{out}/queries.txt", "w") as f:
    for i in range(nq):
        if i % 2:        # half listed, half not
            a = ips[rnd.randrange(len(ips))]
        else:
            a = (rnd.randrange(1, 127), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
        f.write("%d.%d.%d.%d.bl.example.org %s\n" % (a[3], a[2], a[1], a[0], "TXT" if i % 10 == 0 else "A"))
EOF

conf() {  # MODE -> the config
    extra=""
    case $1 in
        metrics) extra="metrics = 127.0.0.1:$MPORT";;
        heat)    extra="heat = yes
heat-sample = 10%";;
        heat100) extra="heat = yes";;
        tap1)    extra="dnstap = $OUT/q.dnstap
dnstap-sample = 1%";;
        on)     extra="metrics = 127.0.0.1:$MPORT
heat = yes
heat-sample = 10%
dnstap = $OUT/q.dnstap
dnstap-sample = 1%";;
        tap100) extra="metrics = 127.0.0.1:$MPORT
heat = yes
dnstap = $OUT/q.dnstap";;
    esac
    case $1 in *heat*|on|tap100) extra="$extra
heat-interval = $HEAT_INTERVAL";; esac
    cat <<EOF
[server]
listen = 127.0.0.1:$PORT
database = $OUT/db
workers = 1
$extra

[zone bl.example.org]
kind = ip
ttl = 300
soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns = ns1.example.org.
txt = Listed: \$

[list bl.example.org/traps]
code = 127.0.0.2
lifetime = forever
EOF
}

conf off >"$OUT/dnsxl.conf"
"$B/dnsxl-loader" -c "$OUT/dnsxl.conf" import bl.example.org/traps "$OUT/entries.txt" >"$OUT/import.log" 2>&1

ticks() {  # PID -> "every thread's CPU ticks, the busiest thread's (the worker's)"
    for t in /proc/"$1"/task/*; do awk '{ print $14 + $15 }' "$t/stat"; done |
        sort -n | awk '{ s += $1; m = $1 } END { print s, m }'
}

run() {  # MODE ROUND -> "qps cpu_us_per_answer side_us_per_answer"
    conf "$1" >"$OUT/dnsxl.conf"
    rm -f "$OUT/q.dnstap"
    taskset -c "$SERVER_CPU" "$B/dnsxld" -u root -c "$OUT/dnsxl.conf" >"$OUT/dnsxld-$1-$2.log" 2>&1 &
    pid=$!
    i=0
    until dig +short +tries=1 +time=1 -p "$PORT" @127.0.0.1 bl.example.org SOA >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat "$OUT/dnsxld-$1-$2.log" >&2; exit 1; }
    done
    t0=$(ticks "$pid")
    taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$PORT" -d "$OUT/queries.txt" -l "$DURATION" \
        -c 1 -T 1 -q 100 -t 1 >"$OUT/dnsperf-$1-$2.txt" 2>&1
    t1=$(ticks "$pid")
    kill "$pid"; wait "$pid" || true
    ans=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$OUT/dnsperf-$1-$2.txt")
    echo "$t0 $t1" | awk -v a="$ans" -v d="$DURATION" -v hz="$HZ" \
        '{ t = $3 - $1; side = t - ($4 - $2)
           printf "%.0f %.2f %.3f\n", a / d, t / hz * 1e6 / a, side / hz * 1e6 / a }'
}

echo "bench/obs.sh: $ENTRIES entries, dnsperf -c 1 -T 1 -q 100 for ${DURATION}s, $ROUNDS rounds, dnsxld 1 worker on CPU $SERVER_CPU, heat-interval ${HEAT_INTERVAL}s, git $(git -C "$HERE" rev-parse --short HEAD)"
for r in $(seq 1 "$ROUNDS"); do
    set -- $MODES
    k=$(( (r - 1) % $# ))
    while [ $k -gt 0 ]; do m=$1; shift; set -- "$@" "$m"; k=$((k - 1)); done
    for m in "$@"; do
        echo "$m $(run "$m" "$r") $r" >>"$OUT/results.txt"
    done
done
# Per mode: the means; each round's CPU per answer against off's in the
# same round (the median of those ratios and their range: the machine's
# drift between rounds cancels); the CPU per answer of the threads other
# than the worker (heat, dnstap, libfstrm, the main loop's scrapes).
awk '{ q[$1] += $2; c[$1] += $3; sd[$1] += $4; n[$1]++; cpu[$1, $5] = $3; rounds = $5 > rounds ? $5 : rounds }
     function median(a, k,   i, j, t) {
       for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
       return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
     END {
       printf "| mode    | answers/s | CPU us/answer | vs off (means) | vs off (median of rounds, range) | other threads us/answer |\n|---|---:|---:|---|---|---:|\n"
       split("off metrics heat heat100 tap1 on tap100", order, " ")
       for (i = 1; i <= 7; i++) { m = order[i]; if (!n[m]) continue
         k = 0; delete rr
         for (r = 1; r <= rounds; r++) if ((m, r) in cpu && ("off", r) in cpu) rr[++k] = cpu[m, r] / cpu["off", r] * 100 - 100
         lo = hi = k ? rr[1] : 0; for (j = 1; j <= k; j++) { lo = rr[j] < lo ? rr[j] : lo; hi = rr[j] > hi ? rr[j] : hi }
         printf "| %-7s | %9.0f | %13.2f | %+.1f%% | %+.1f%% (%+.1f .. %+.1f) | %.3f |\n", m, q[m] / n[m], c[m] / n[m],
           n["off"] ? (c[m] / n[m]) / (c["off"] / n["off"]) * 100 - 100 : 0,
           k ? median(rr, k) : 0, lo, hi, sd[m] / n[m] }
     }' "$OUT/results.txt"
