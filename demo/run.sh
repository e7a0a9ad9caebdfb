#!/bin/sh
# Build the demo store from demo/*.txt and run dnsxld in the foreground on
# 127.0.0.1:5353. Usage: sh demo/run.sh BUILD_DIR
set -eu
B=${1:-build}
cd "$(dirname "$0")/.."
CONF=demo/dnsxl.conf
mkdir -p var
"$B/dnsxl-loader" -c $CONF import bl.example.org/manual demo/bl-manual.txt --replace --reason "demo data"
"$B/dnsxl-loader" -c $CONF import bl.example.org/traps demo/bl-traps.txt --replace --lifetime 48h
"$B/dnsxl-loader" -c $CONF import wl.example.org/esp-high demo/wl-esp.txt --replace
cat <<MSG

dnsxld is starting on 127.0.0.1:5353 (Ctrl-C stops it). Try:
  dig -p 5353 @127.0.0.1 2.0.0.127.bl.example.org TXT
  dig -p 5353 @127.0.0.1 99.2.0.192.bl.example.org A
  $B/dnsxl-admin -c $CONF add bl.example.org/manual 192.0.2.1 --reason "demo"
  $B/dnsxl-admin -c $CONF list bl.example.org

MSG
exec "$B/dnsxld" -c $CONF
