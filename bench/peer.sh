#!/bin/sh
# bench/peer.sh OUT_DIR — build rspamd's rbldnsd fork (https://github.com/rspamd/rbldnsd,
# recvmmsg/sendmmsg in batches) for bench/run.sh and bench/soak.sh; prints
# the program's path on stdout, or nothing (and why, on stderr) when it
# cannot be built. Never fetches anything: the fork is GPL-2.0 and is not
# vendored in this repository, so its source must already be on the machine:
#
#   git clone https://github.com/rspamd/rbldnsd bench/peers/rbldnsd-rspamd   # tested at a828da5 (1.0.2)
#
# Knobs: RBLDNSD_RSPAMD (a built program: used as is), RBLDNSD_RSPAMD_SRC
# (a source tree, or a git directory whose HEAD is exported; default
# bench/peers/rbldnsd-rspamd). Needs cmake and libev-dev; built with
# -DLINKER_NAME=bfd (its cmake picks lld when installed, which fails here).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: sh bench/peer.sh OUT_DIR}
skip() { echo "bench: rspamd's rbldnsd fork skipped: $*" >&2; exit 0; }

if [ -n "${RBLDNSD_RSPAMD:-}" ]; then
    [ -x "$RBLDNSD_RSPAMD" ] || skip "RBLDNSD_RSPAMD=$RBLDNSD_RSPAMD is not a program"
    echo "$RBLDNSD_RSPAMD"; exit 0
fi
SRC=${RBLDNSD_RSPAMD_SRC:-$HERE/peers/rbldnsd-rspamd}
if [ -d "$SRC" ] && [ ! -f "$SRC/CMakeLists.txt" ] && git --git-dir="$SRC" rev-parse -q HEAD >/dev/null 2>&1; then
    REV=$(git --git-dir="$SRC" rev-parse HEAD)
elif [ -f "$SRC/CMakeLists.txt" ] && [ -f "$SRC/rbldnsd.c" ]; then
    REV=$(cat "$SRC"/*.c "$SRC"/*.h "$SRC/CMakeLists.txt" | md5sum | cut -c1-32)
else
    skip "no source at $SRC (git clone https://github.com/rspamd/rbldnsd $HERE/peers/rbldnsd-rspamd; or RBLDNSD_RSPAMD_SRC=DIR, RBLDNSD_RSPAMD=PROGRAM)"
fi
B=$OUT/rbldnsd-rspamd
if [ -x "$B/build/rbldnsd" ] && [ "$(cat "$B/rev" 2>/dev/null)" = "$REV" ]; then
    echo "$B/build/rbldnsd"; exit 0
fi
command -v cmake >/dev/null 2>&1 || skip "cmake not found (apt-get install cmake libev-dev)"
[ -f /usr/include/ev.h ] || skip "libev headers not found (apt-get install libev-dev)"
rm -rf "$B"; mkdir -p "$B/src" "$B/build"
if [ -f "$SRC/CMakeLists.txt" ]; then
    cp -R "$SRC/." "$B/src/"
else
    git --git-dir="$SRC" archive HEAD | tar -x -C "$B/src"
fi
echo "bench: building rspamd's rbldnsd fork from $SRC into $B (log: $B/build.log)" >&2
if ! (cd "$B/build" && cmake ../src -DCMAKE_BUILD_TYPE=Release -DLINKER_NAME=bfd \
        && make -j"$(nproc)") > "$B/build.log" 2>&1; then
    tail -n 20 "$B/build.log" >&2
    skip "its build failed (log: $B/build.log)"
fi
[ -x "$B/build/rbldnsd" ] || skip "its build made no rbldnsd (log: $B/build.log)"
echo "$REV" > "$B/rev"
echo "$B/build/rbldnsd"
