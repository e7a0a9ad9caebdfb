#!/bin/sh
# bench/growth.sh BUILD_DIR — does the store level off under repeated full
# replaces? ROUNDS successive `dnsxl-loader import --replace` of a 1M-entry
# list, alternating between two lists that share SHARE% of their entries
# (every replace deletes and adds the rest: the worst case for history), while
# dnsxld keeps the store open and, between rounds, a `dnsxl-admin list` is
# killed -9 inside its read txn (its reader slot would pin old pages).
# Prints data.mdb's size and the history record count after each round.
#
# Knobs: ENTRIES [1000000] ROUNDS [10] SHARE [50] HISTORY_SIZE [256M]
set -eu
B=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")"
HERE=$(pwd)
OUT=$HERE/out/growth
ENTRIES=${ENTRIES:-1000000}
ROUNDS=${ROUNDS:-10}
SHARE=${SHARE:-50}
HISTORY_SIZE=${HISTORY_SIZE:-256M}
PY=/usr/bin/python3
rm -rf "$OUT"
mkdir -p "$OUT"

$PY - "$OUT" "$ENTRIES" "$SHARE" <<'EOF'
import random, sys
out, n, share = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261204)
def addr():
    while True:
        a = rng.randrange(1 << 24, 224 << 24)
        if not (a >> 24 in (10, 127) or a >> 16 == (192 << 8 | 168)):
            return a
common = {addr() for _ in range(n * share // 100)}
for name in ("a", "b"):
    s = set(common)
    while len(s) < n:
        s.add(addr())
    with open(f"{out}/{name}.txt", "w") as f:
        for a in sorted(s):
            f.write("%d.%d.%d.%d\n" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255))
EOF

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$OUT/dnsxl.conf" <<EOF
[server]
listen   = 127.0.0.1:$PORT
database = db
workers  = 1

[loader]
history-size = $HISTORY_SIZE

[zone bl.example.org]
soa = ns1.example.org. hostmaster.example.org. 3600 600 604800 300

[list bl.example.org/bench]
code = 127.0.0.2
EOF
C="-c $OUT/dnsxl.conf"
FORCE=""
"$B/dnsxl-loader" $C import --help 2>/dev/null | grep -q -- --force && FORCE=--force
"$B/dnsxl-loader" $C import bl.example.org/bench "$OUT/a.txt" --replace >/dev/null
ROOTOPT=""                      # as root: keep it (dnsxld(8) "Privileges"; older builds: no -u)
if [ "$(id -u)" = 0 ] && "$B/dnsxld" --help 2>&1 | grep -q -- --user; then ROOTOPT="-u root"; fi
"$B/dnsxld" $ROOTOPT $C 2>"$OUT/dnsxld.log" &
DPID=$!
trap 'kill $DPID 2>/dev/null' EXIT

echo "| round | data.mdb MiB | history records | entries |"
echo "|---|---|---|---|"
i=1
while [ $i -le "$ROUNDS" ]; do
    f=b; [ $((i % 2)) -eq 0 ] && f=a
    "$B/dnsxl-loader" $C import bl.example.org/bench "$OUT/$f.txt" --replace $FORCE >/dev/null
    # a reader killed inside its read txn
    rm -f "$OUT/list.pid"
    DNSXL_TEST_STOP=list-read:$OUT/list.pid "$B/dnsxl-admin" $C list bl.example.org >/dev/null &
    LPID=$!
    n=0
    while [ ! -s "$OUT/list.pid" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
    kill -9 $LPID; wait $LPID 2>/dev/null || true
    size=$(stat -c %s "$OUT/db/data.mdb")
    hist=$(mdb_stat -s history "$OUT/db" | awk '/Entries:/ {print $2}')
    ents=$(mdb_stat -s entries "$OUT/db" | awk '/Entries:/ {print $2}')
    echo "| $i | $((size / 1048576)) | $hist | $ents |"
    i=$((i + 1))
done
