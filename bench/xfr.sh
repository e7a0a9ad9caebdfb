#!/bin/sh
# AXFR of a big zone (issue 9): dnsxld against knotd serving the same zone
# file, and queries during a transfer.
#
#   sh bench/xfr.sh BUILD_DIR          (BUILD_DIR holds dnsxld, dnsxl-admin, dnsxl-loader)
#
# Knobs: ENTRIES [1000000] (bench/gen.py's list: /32s and 1% /16../24
# ranges), ROUNDS [3] transfers per server, DURATION [10] seconds of
# dnsperf per phase, QPS [20000] dnsperf -Q (a fixed rate, so "full speed"
# means the same answered rate and latency with and without a transfer).
#
# 1. gen.py's list imported into a fresh store; dnsxld with allow-transfer
#    = 127.0.0.1 key (hmac-sha256, every message signed);
# 2. dnsxl-admin export --format zone (the records dnsxld transfers) is
#    the zone file of a knotd primary (same key, same acl);
# 3. per server, ROUNDS transfers with kdig -y: wall time, bytes, messages,
#    records (kdig's figures), and the server's peak VmRSS / RssAnon during
#    them (sampled from /proc every 20 ms) next to its idle figures;
# 4. dnsxld under dnsperf at QPS for DURATION s: alone, then with AXFRs
#    running back to back the whole time (answered, lost, average latency).
# Writes bench/out/xfr/ (git-ignored) and prints a summary.
set -eu
BUILD_DIR=${1:?usage: sh bench/xfr.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out/xfr}
ENTRIES=${ENTRIES:-1000000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
QPS=${QPS:-20000}
PY=/usr/bin/python3
ZONE=bl.example.org
KEY=xfr-key
SECRET=$(printf 'bench xfr key of thirty-two by.' | base64)

die() { echo "xfr.sh: $*" >&2; exit 1; }
for t in kdig knotd dnsperf; do command -v $t >/dev/null 2>&1 || die "$t not found"; done
for b in dnsxld dnsxl-admin dnsxl-loader; do [ -x "$BUILD_DIR/$b" ] || die "$BUILD_DIR/$b missing"; done

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rm -rf "$OUT"; mkdir -p "$OUT/db" "$OUT/knot"
PORT=$(free_port); KPORT=$(free_port)
$PY "$HERE/gen.py" "$OUT/data" --entries "$ENTRIES" --queries 200000 >/dev/null
cat >"$OUT/dnsxl.conf" <<EOF
[server]
listen   = 127.0.0.1:$PORT
database = $OUT/db
workers  = 2

[key $KEY]
algorithm = hmac-sha256
secret    = $SECRET

[zone $ZONE]
kind = ip
ttl  = 300
soa  = ns1.example.org. hostmaster.example.org. 3600 600 604800 300
ns   = ns1.example.org.
txt  = Listed - see https://example.org/lookup?q=\$
allow-transfer = 127.0.0.1 key $KEY

[list $ZONE/bench]
code = 127.0.0.2
EOF
"$BUILD_DIR/dnsxl-loader" -c "$OUT/dnsxl.conf" import $ZONE/bench "$OUT/data/list.txt" --replace --force >/dev/null
"$BUILD_DIR/dnsxl-admin" -c "$OUT/dnsxl.conf" export $ZONE --format zone -o "$OUT/knot/$ZONE.zone"
cat >"$OUT/knot/knot.conf" <<EOF
server:
    rundir: "$OUT/knot"
    pidfile: "$OUT/knot/knot.pid"
    listen: 127.0.0.1@$KPORT
log:
  - target: stderr
    any: info
database:
    storage: "$OUT/knot"
key:
  - id: $KEY
    algorithm: hmac-sha256
    secret: $SECRET
acl:
  - id: xfr
    address: 127.0.0.1
    key: $KEY
    action: transfer
template:
  - id: default
    storage: "$OUT/knot"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
zone:
  - domain: $ZONE
    acl: xfr
EOF

ROOT=$(id -u)
"$BUILD_DIR/dnsxld" $( [ "$ROOT" = 0 ] && echo "-u root" ) -c "$OUT/dnsxl.conf" 2>"$OUT/dnsxld.log" &
DPID=$!
KSTART=$(date +%s.%N)
knotd -c "$OUT/knot/knot.conf" 2>"$OUT/knot.log" &
KPID=$!
trap 'kill $DPID $KPID 2>/dev/null || true' EXIT
up() { kdig @127.0.0.1 -p "$1" $ZONE SOA +short +timeout=1 +retry=0 2>/dev/null | grep -q hostmaster; }
i=0; until up $PORT; do i=$((i+1)); [ $i -lt 600 ] || die "dnsxld not answering"; sleep 0.1; done
i=0; until up $KPORT; do i=$((i+1)); [ $i -lt 3000 ] || die "knotd not answering"; sleep 0.1; done
KREADY=$(date +%s.%N)

mem() { awk '/^VmRSS|^RssAnon/ {printf "%s %d ", $1, $2}' /proc/$1/status; }
# sample PID's VmRSS and RssAnon (kB) every 20 ms until the file $2 exists; print the maxima
sampler() {
    rss=0; anon=0
    while [ ! -e "$2" ]; do
        v=$(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' /proc/$1/status)
        r=${v% *}; a=${v#* }
        [ "$r" -gt "$rss" ] && rss=$r
        [ "$a" -gt "$anon" ] && anon=$a
        sleep 0.02
    done
    echo "$rss $anon"
}
sub() { awk "BEGIN {printf \"%.2f\", $1 - $2}"; }

axfr() {  # NAME PORT PID
    echo "$1 idle: $(mem $3)"
    for r in $(seq 1 "$ROUNDS"); do
        rm -f "$OUT/stop"
        sampler "$3" "$OUT/stop" >"$OUT/peak.$1.$r" &
        SP=$!
        t0=$(date +%s.%N)
        kdig -y hmac-sha256:$KEY:$SECRET @127.0.0.1 -p "$2" $ZONE AXFR +noall +stats >"$OUT/axfr.$1.$r" 2>&1
        t1=$(date +%s.%N)
        touch "$OUT/stop"; wait $SP
        stat=$(grep -o 'Received [0-9]* B ([0-9]* messages, [0-9]* records)' "$OUT/axfr.$1.$r" || echo "no transfer: $(cat "$OUT/axfr.$1.$r")")
        echo "$1 round $r: $(sub $t1 $t0) s, $stat, peak VmRSS/RssAnon kB: $(cat "$OUT/peak.$1.$r")"
    done
}

echo "zone: $ENTRIES entries, $(grep -vc '^;' "$OUT/knot/$ZONE.zone") records in the master file ($(du -m "$OUT/knot/$ZONE.zone" | cut -f1) MiB); knotd loaded it in $(sub $KREADY $KSTART) s"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
axfr dnsxld $PORT $DPID
axfr knotd $KPORT $KPID

# queries during transfers
perf() {  # LABEL
    dnsperf -s 127.0.0.1 -p $PORT -d "$OUT/data/queries.txt" -l "$DURATION" -Q "$QPS" -c 4 -T 1 >"$OUT/perf.$1" 2>&1
    echo "dnsperf $1: $(grep -E 'Queries completed|Queries lost' "$OUT/perf.$1" | tr -s ' ' | tr '\n' ' ') $(grep 'Average Latency' "$OUT/perf.$1" | tr -s ' ')"
}
perf alone
rm -f "$OUT/stop"
( n=0; while [ ! -e "$OUT/stop" ]; do
      kdig -y hmac-sha256:$KEY:$SECRET @127.0.0.1 -p $PORT $ZONE AXFR +noall +stats >/dev/null 2>&1; n=$((n+1))
  done; echo $n >"$OUT/axfrs" ) &
LP=$!
perf during-axfr
touch "$OUT/stop"; wait $LP
echo "transfers completed during the second dnsperf run: $(cat "$OUT/axfrs")"
