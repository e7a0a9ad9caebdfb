#!/bin/sh
# Build the demo store from demo/*.txt and run dnsxld in the foreground on
# 127.0.0.1:PORT (default 5353). Usage: sh demo/run.sh [BUILD_DIR [PORT]]
#
# demo/dnsxl.conf stays as it is: dnsxld serves var/dnsxl-demo-PORT.conf, a copy
# whose listen line names PORT. Its database path (../var/demo) means the
# same directory from demo/ and from var/, so dnsxl-admin -c demo/dnsxl.conf
# works on the data the server answers from.
set -eu
B=${1:-build}
PORT=${2:-5353}
case $PORT in
    ''|*[!0-9]*) echo "demo/run.sh: PORT must be a number from 1 to 65535, not '$PORT'" >&2; exit 1 ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    echo "demo/run.sh: PORT must be a number from 1 to 65535, not '$PORT'" >&2; exit 1
fi
cd "$(dirname "$0")/.."
CONF=demo/dnsxl.conf
mkdir -p var
SERVE=var/dnsxl-demo-$PORT.conf
grep -q '^listen *= *127\.0\.0\.1:5353$' $CONF || {
    echo "demo/run.sh: $CONF has no 'listen = 127.0.0.1:5353' line to change" >&2; exit 1; }
sed "s/^listen *= *127\.0\.0\.1:5353\$/listen   = 127.0.0.1:$PORT/" $CONF > $SERVE.tmp
mv $SERVE.tmp $SERVE
"$B/dnsxl-loader" -c $CONF import bl.example.org/manual demo/bl-manual.txt --replace --reason "demo data"
"$B/dnsxl-loader" -c $CONF import bl.example.org/traps demo/bl-traps.txt --replace --lifetime 48h
"$B/dnsxl-loader" -c $CONF import wl.example.org/esp-high demo/wl-esp.txt --replace
cat <<MSG

dnsxld is starting on 127.0.0.1:$PORT (Ctrl-C stops it). Try:
  dig -p $PORT @127.0.0.1 2.0.0.127.bl.example.org TXT
  dig -p $PORT @127.0.0.1 99.2.0.192.bl.example.org A
  $B/dnsxl-admin -c $CONF add bl.example.org/manual 192.0.2.1 --reason "demo"
  $B/dnsxl-admin -c $CONF list bl.example.org

MSG
# run as root (a container), the demo keeps root on purpose (dnsxld(8) "Privileges")
if [ "$(id -u)" = 0 ]; then
    exec "$B/dnsxld" -u root -c $SERVE
fi
exec "$B/dnsxld" -c $SERVE
