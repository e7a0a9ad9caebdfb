#!/bin/sh
# Install the Debian packages dnsxl needs to build, run and test: only what is missing.
set -e
PKGS="build-essential pkg-config libuv1-dev liblmdb-dev libsodium-dev libcmocka-dev lmdb-utils
      python3 python3-dnspython python3-pytest bind9-dnsutils knot-dnsutils dnsperf rbldnsd
      postfix spamassassin libidn12 procps iproute2 util-linux systemd man-db
      libmicrohttpd-dev chromium python3-websocket
      rsync minisign time clang unbound valgrind knot nsd
      libfstrm-dev libprotobuf-c-dev protobuf-c-compiler fstrm-bin dnstap-ldns prometheus"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
