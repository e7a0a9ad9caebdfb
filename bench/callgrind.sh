#!/bin/sh
# Instructions per query of dnsxld's query path, per class of query, counted
# by callgrind (deterministic: the same build gives the same numbers, on any
# load). bench/qbench.c seeds a store natively, then each class runs under
#   valgrind --tool=callgrind --toggle-collect=dx_query_answer
# so only dx_query_answer and what it calls are counted (parsing, the zone,
# the store lookup, the answer; no sockets, no kernel).
#
#   sh bench/callgrind.sh [BUILD_DIR]     (make BUILD=... bench-ir runs this)
#
# Knobs: ENTRIES (100000 entries in the store), N (20000 queries per class),
# COLLECT (dx_query_answer: the function whose inclusive cost is counted, e.g.
# COLLECT=dx_lookup for the store's share), CLASSES (all; `qbench classes`).
# The callgrind files stay in bench/out/callgrind-BUILD/ for
# callgrind_annotate. DEFENCE=1: the same with rate limiting and cookies on
# (bench/qbench.c says how). Counts are exact for a given binary: qbench pins its
# stack, heap and reply buffer to page offsets, and the store directory
# has a fixed-length name.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
ENTRIES=${ENTRIES:-100000}
N=${N:-20000}
COLLECT=${COLLECT:-dx_query_answer}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind.sh: needs valgrind (apt-get install valgrind)" >&2
    exit 1
fi
make --no-print-directory BUILD="$B" "$B/qbench" >/dev/null
Q=$B/qbench
CLASSES=${CLASSES:-$("$Q" classes)}
OUT=bench/out/callgrind-$(basename "$B")
rm -rf "$OUT"
mkdir -p "$OUT"
DIR=$(mktemp -d /tmp/dx-qbench-XXXXXX)
trap 'rm -rf "$DIR"' EXIT
trap 'exit 1' INT TERM

rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- zones dnsxld bench/qbench.c 2>/dev/null | wc -l)
"$Q" seed "$DIR" "$ENTRIES" >"$OUT/seed.log"
echo "callgrind: $COLLECT, $N queries per class, $ENTRIES entries$([ "${DEFENCE:-0}" = 1 ] && echo ", DEFENCE=1 (rate limiting and cookies on)"), git $rev$([ "$dirty" -eq 0 ] || echo " + $dirty uncommitted file(s) in zones/ dnsxld/ bench/qbench.c")"
printf '| %-13s | %14s | %9s |\n' class Ir "Ir/query"
printf '|%s|%s|%s|\n' "---------------" "---------------:" "----------:"
for c in $CLASSES; do
    if ! valgrind --tool=callgrind -q --collect-atstart=no --toggle-collect="$COLLECT" \
            --callgrind-out-file="$OUT/$c.out" "$Q" run "$DIR" "$c" "$N" >"$OUT/$c.log" 2>&1; then
        cat "$OUT/$c.log" >&2
        exit 1
    fi
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$OUT/$c.out" | head -n 1)
    printf '| %-13s | %14s | %9s |\n' "$c" "$ir" "$(awk -v i="$ir" -v n="$N" 'BEGIN { printf "%.0f", i / n }')"
done
