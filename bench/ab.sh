#!/bin/sh
# bench/ab.sh DNSXLD_A DNSXLD_B — two dnsxld builds, interleaved, on the store
# and config bench/run.sh left in OUT (run it first): ROUNDS times A then B,
# each DURATION s of dnsperf against one worker pinned to SERVER_CPU; per run
# the answers per server-CPU-second (/proc/PID/stat) and, with linux-perf,
# the receive/send/poll system calls per answer. On a shared machine a
# before/after pair measured minutes apart says little; runs of A and B that
# alternate see the same background load, so compare the pairs.
# OUT_B: B serves the store and config in OUT_B instead (a build of another
# store layout: copy OUT's dnsxl-1.conf, queries.txt and db there, with the
# conf's database pointing at the copy; B upgrades it at open).
#
# Knobs: OUT [bench/out] ROUNDS [3] DURATION [5] WARMUP [1] SETTING [c1: -c 1 -T 1 -q 100;
# c4: -c 4 -T 2 -q 200] SERVER_CPU [1] CLIENT_CPU [0]
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/ab.sh DNSXLD_A DNSXLD_B" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
SETTING=${SETTING:-c1}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
die() { echo "ab: $*" >&2; exit 1; }
case $SETTING in
    c1) ARGS="-c 1 -T 1 -q 100";;
    c4) ARGS="-c 4 -T 2 -q 200";;
    *) die "SETTING is c1 or c4";;
esac
for p in "$1" "$2"; do [ -x "$p" ] || die "$p is not a program"; done
CONF=$OUT/dnsxl-1.conf
CONF_B=${OUT_B:-$OUT}/dnsxl-1.conf
[ -f "$CONF_B" ] || die "no $CONF_B"
{ [ -f "$CONF" ] && [ -d "$OUT/db" ] && [ -f "$OUT/queries.txt" ]; } ||
    die "no store in $OUT: run bench/run.sh first (OUT=$OUT)"
PORT=$(sed -n 's/^listen *= *127\.0\.0\.1://p' "$CONF")
[ -n "$PORT" ] || die "$CONF has no listen = 127.0.0.1:PORT line"
EVENTS=syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_epoll_wait
PERF=0
if command -v perf >/dev/null 2>&1 && perf stat -x, -e "$EVENTS" -- true >/dev/null 2>&1; then PERF=1; fi
ROOTOPT=""
[ "$(id -u)" != 0 ] || ROOTOPT="-u root"

PID=""
trap '[ -z "$PID" ] || kill -TERM "$PID" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP

one() {  # LABEL PROGRAM CONF
    # shellcheck disable=SC2086
    taskset -c "$SERVER_CPU" "$2" $ROOTOPT -c "$3" > "$OUT/ab-$1.log" 2>&1 &
    PID=$!
    end=$(($(date +%s) + 60))
    until dig +short +time=1 +tries=1 -p "$PORT" @127.0.0.1 bl.example.org SOA 2>/dev/null | grep -q '^ns1\.'; do
        kill -0 "$PID" 2>/dev/null || die "$2 exited (log: $OUT/ab-$1.log)"
        [ "$(date +%s)" -lt "$end" ] || die "$2 did not answer within 60 s"
        sleep 0.05
    done
    # shellcheck disable=SC2086
    taskset -c "$CLIENT_CPU" dnsperf -m udp -s 127.0.0.1 -p "$PORT" -d "$OUT/queries.txt" \
        -l "$WARMUP" -t 1 $ARGS > /dev/null 2>&1 || true       # the store's pages in memory
    ps=""
    if [ "$PERF" = 1 ]; then
        perf stat -x, -o "$OUT/ab-$1.sys" -e "$EVENTS" -p "$PID" -- sleep "$DURATION" >/dev/null 2>&1 &
        ps=$!
    fi
    c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    # shellcheck disable=SC2086
    taskset -c "$CLIENT_CPU" dnsperf -m udp -s 127.0.0.1 -p "$PORT" -d "$OUT/queries.txt" \
        -l "$DURATION" -t 1 $ARGS > "$OUT/ab-$1.perf" 2>&1 || die "dnsperf failed ($OUT/ab-$1.perf)"
    c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    [ -z "$ps" ] || wait "$ps" || true
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    done_q=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$OUT/ab-$1.perf")
    sys=""
    if [ -f "$OUT/ab-$1.sys" ] && [ "$PERF" = 1 ]; then
        sys=$(awk -F, -v n="$done_q" '$3 ~ /sys_enter_/ { sub(/.*sys_enter_/, "", $3); printf " %s %.3f", $3, $1 / n }' "$OUT/ab-$1.sys")
    fi
    awk -v l="$1" -v n="$done_q" -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$sys" -v la="$(cut -d' ' -f1 /proc/loadavg)" \
        'BEGIN { printf "%-6s answers %8d  server CPU %6.2f s  answers per CPU-s %4.0fk  per answer:%s  load %s\n", l, n, t / hz, n / (t / hz) / 1000, s, la }'
}

echo "ab: A = $1, B = $2, $SETTING ($ARGS), ${DURATION}s per run, $ROUNDS rounds"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    one "A$r" "$1" "$CONF"
    one "B$r" "$2" "$CONF_B"
    r=$((r + 1))
done
