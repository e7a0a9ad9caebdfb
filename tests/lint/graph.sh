#!/bin/sh
# Cycles between modules, two ways:
#   includes  "#include" edges between the files of zones/ dnsxld/ loader/
#             admin/ (a header may include only headers that do not include
#             it back, directly or not)
#   objects   call edges between the objects of zones/ and dnsxld/: object A
#             uses a symbol object B defines (nm -u against nm --defined-only)
# Each graph goes through tsort; a loop is printed with its members. A
# report: exits 0, unless LINT_STRICT=1 (then 1 if there is a loop).
# VERBOSE=1 also prints the object edges.
#
#   sh tests/lint/graph.sh [BUILD_DIR]      (make lint runs it; needs the objects of `make all`)
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}

TMP=$(mktemp -d /tmp/dx-graph-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM
loops=0

# loops NAME EDGES-FILE: print tsort's loops of the graph, count them
check() {
    if tsort "$2" >/dev/null 2>"$TMP/err"; then
        echo "$1: $(wc -l <"$2") edges, no loop"
        return
    fi
    n=$(grep -c 'input contains a loop' "$TMP/err" || true)
    loops=$((loops + n))
    echo "$1: $n loop(s):"
    awk '/input contains a loop/ { if (m != "") print "  " m; m = ""; next }
         { sub(/^tsort: /, ""); m = m (m == "" ? "" : " <-> ") $0 }
         END { if (m != "") print "  " m }' "$TMP/err"
}

# include graph; a file's edge to itself keeps files without includes in it
: >"$TMP/inc"
for f in $(find zones dnsxld loader admin -name '*.[ch]' | LC_ALL=C sort); do
    echo "$f $f" >>"$TMP/inc"
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r h; do echo "$f $h"; done >>"$TMP/inc"
done
check includes "$TMP/inc"

# object graph
objs=""
for s in $(find zones dnsxld -name '*.c' | LC_ALL=C sort); do
    o=$B/obj/${s%.c}.o
    if [ ! -f "$o" ]; then
        echo "graph.sh: no $o: run make BUILD=$B all first" >&2
        exit 2
    fi
    objs="$objs $o"
done
: >"$TMP/def"
for o in $objs; do
    m=${o#"$B"/obj/}
    m=${m%.o}
    nm --defined-only "$o" | awk -v m="$m" '$2 ~ /^[TDBRCGVW]$/ { print $3, m }' >>"$TMP/def"
done
: >"$TMP/obj"
for o in $objs; do
    m=${o#"$B"/obj/}
    m=${m%.o}
    echo "$m $m" >>"$TMP/obj"
    nm -u "$o" | awk '{ print $NF }' | LC_ALL=C sort -u >"$TMP/und"
    # symbol -> defining module; an edge "user definer" (tsort: user before definer)
    awk -v m="$m" 'NR == FNR { def[$1] = $2; next }
                   ($1 in def) && def[$1] != m { print m, def[$1] }' "$TMP/def" "$TMP/und" |
        LC_ALL=C sort -u >>"$TMP/obj"
done
if [ "${VERBOSE:-0}" = 1 ]; then
    awk '$1 != $2 { e[$1] = e[$1] " " $2 } END { for (m in e) print "  " m " ->" e[m] }' \
        "$TMP/obj" | LC_ALL=C sort
fi
check objects "$TMP/obj"

echo "graph: $loops loop(s)"
[ "${LINT_STRICT:-0}" = 1 ] && [ $loops -gt 0 ] && exit 1
exit 0
